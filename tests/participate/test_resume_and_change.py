"""Stop and resume, and change an earlier answer (issue 14): the receipt code from the first task page, a
「中断する」 page, and a second answer to a task updating the stored one with every tally kept in step."""
import pytest
from helpers import RESIDENT_CODE, hidden_fields, join_and_consent, make_service, make_session, submit
from sqlalchemy import select

from civictest import counting
from civictest.extensions import db
from civictest.models import Attempt, Comment, CommentTally, Participant


@pytest.fixture
def on_tasks(ctx, client):
    service = make_service(tasks=2)
    make_session(service, invite_code=RESIDENT_CODE)
    join_and_consent(client)
    submit(client, "/participate/profile", {})
    return service


def _in_step() -> None:
    assert counting.stale_aggregates(db.session.connection()) == []
    assert db.session.execute(counting.stale()).all() == []


def _task_one() -> tuple[Attempt, list[Comment]]:
    db.session.expire_all()
    attempts = db.session.scalars(select(Attempt).order_by(Attempt.task_id)).all()
    first = attempts[0]
    return first, db.session.scalars(select(Comment).where(Comment.attempt_id == first.id)).all()


def test_the_receipt_code_is_on_the_first_task_page_with_a_way_to_stop(client, on_tasks):
    person = db.session.scalar(select(Participant))
    html = client.get("/participate/tasks/1").get_data(as_text=True)
    assert 'id="receipt-code"' in html and person.receipt_code in html
    assert "中断する" in html and 'href="/participate/pause"' in html
    pause = client.get("/participate/pause").get_data(as_text=True)
    assert person.receipt_code in pause and 'id="receipt-code"' in pause
    assert 'href="/resume"' in pause and "受付番号で再開する" in pause


def test_answering_an_earlier_task_again_changes_the_stored_answer(client, on_tasks):
    submit(client, "/participate/tasks/1", {"outcome": "success", "seq": "6", "comment": "分かりやすかった"})
    submit(client, "/participate/tasks/2", {"outcome": "success", "seq": "5"})
    _in_step()
    html = client.get("/participate/tasks/1").get_data(as_text=True)
    assert "分かりやすかった" in html  # the stored answer is shown to be changed
    response = submit(client, "/participate/tasks/1", {"outcome": "failure", "seq": "2", "comment": "やはり分かりにくかった"})
    assert response.status_code == 302
    first, comments = _task_one()
    assert (first.outcome, first.seq) == ("failure", 2)
    assert [c.text for c in comments] == ["やはり分かりにくかった"]
    assert db.session.query(Attempt).count() == 2 and db.session.query(Comment).count() == 1
    _in_step()
    tally = {(row.kind, row.state): row.n for row in db.session.scalars(select(CommentTally)) if row.n}
    assert tally == {("task", "inconvenient"): 1}

    submit(client, "/participate/tasks/1", {"outcome": "partial", "seq": "4", "comment": ""})  # comment removed
    first, comments = _task_one()
    assert (first.outcome, first.seq, comments) == ("partial", 4, [])
    _in_step()
    submit(client, "/participate/tasks/1", {"outcome": "success", "seq": "7", "comment": "できました"})  # added again
    first, comments = _task_one()
    assert (first.outcome, first.seq, [c.text for c in comments]) == ("success", 7, ["できました"])
    assert db.session.query(Attempt).count() == 2
    _in_step()


def test_replaying_a_submission_changes_nothing(client, on_tasks):
    submit(client, "/participate/tasks/1", {"outcome": "success", "seq": "6", "comment": "最初の回答"})
    html = client.get("/participate/tasks/1").get_data(as_text=True)
    change = {**hidden_fields(html), "outcome": "failure", "seq": "1", "comment": "変えた回答"}
    for _ in range(2):  # a double click: the same form twice
        assert client.post("/participate/tasks/1", data=change).status_code == 302
    first, comments = _task_one()
    assert (first.outcome, first.seq, [c.text for c in comments]) == ("failure", 1, ["変えた回答"])
    _in_step()
    before = [(row.kind, row.state, row.n) for row in db.session.scalars(select(CommentTally))]
    client.post("/participate/tasks/1", data=change)
    first, comments = _task_one()
    assert (first.outcome, first.seq, [c.text for c in comments]) == ("failure", 1, ["変えた回答"])
    assert [(row.kind, row.state, row.n) for row in db.session.scalars(select(CommentTally))] == before
    _in_step()


def test_the_browsers_copy_of_an_answered_page_changes_the_answer(client, on_tasks):
    """Back in a browser without JavaScript shows its own copy of the page, with the ticket of the stored
    answer: a different answer sent from it is a change, not a replay."""
    html = client.get("/participate/tasks/1").get_data(as_text=True)
    page_copy = hidden_fields(html)
    client.post("/participate/tasks/1", data={**page_copy, "outcome": "success", "seq": "6"})
    client.post("/participate/tasks/1", data={**page_copy, "outcome": "failure", "comment": "戻って直した"})
    first, comments = _task_one()
    assert (first.outcome, first.seq, [c.text for c in comments]) == ("failure", None, ["戻って直した"])
    assert db.session.query(Attempt).count() == 1
    _in_step()
