"""Several comments, one POST: add a tag (created per service on first use) or attach them to a finding."""
import re

from helpers import csrf_token, login

from civictest.extensions import db
from civictest.models import AuditEvent, Comment, Finding, FindingEvent, Tag


def _post(client, world, data, query=""):  # noqa: ANN001, ANN202
    url = f"/review/services/{world.service.id}/comments?iteration={world.first.id}{query}"
    token = csrf_token(client.get(url).get_data(as_text=True))
    return client.post(url, data={"csrf_token": token, **data})


def test_one_post_tags_several_comments_and_creates_the_tag_once(client, world, add_comment):
    comments = [add_comment(world.first, f"ボタンが見つからない{i}") for i in range(3)]
    untouched = add_comment(world.first, "分かりやすい")
    login(client, world.team)
    response = _post(client, world, {"comment_ids": [c.id for c in comments[:2]], "action": "tag",
                                     "tag_name": "ボタン"}, query="&sentiment=negative")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"iteration={world.first.id}&sentiment=negative"), "filters kept"
    # Again, with the same tag typed in full-width letters and spaces: no second tag, no duplicate rows.
    _post(client, world, {"comment_ids": [c.id for c in comments], "action": "tag", "tag_name": "  ボタン "})
    tags = db.session.query(Tag).all()
    assert [(t.name, t.service_id) for t in tags] == [("ボタン", world.service.id)]
    db.session.expire_all()
    assert all([t.name for t in db.session.get(Comment, c.id).tags] == ["ボタン"] for c in comments)
    assert db.session.get(Comment, untouched.id).tags == []
    assert db.session.query(AuditEvent).filter_by(action="comments_tagged").count() == 2
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "3件のご意見にタグ「ボタン」を付けました。" in html


def test_tag_names_are_normalised_and_each_service_has_its_own(client, world, add_comment):
    mine = add_comment(world.first, "ＵＩが分かりにくい")
    db.session.add(Tag(service_id=world.other.id, name="UI"))
    db.session.commit()
    login(client, world.team)
    _post(client, world, {"comment_ids": [mine.id], "action": "tag", "tag_name": "ＵＩ"})
    names = sorted((t.service_id, t.name) for t in db.session.query(Tag))
    assert names == sorted([(world.service.id, "UI"), (world.other.id, "UI")])


def test_refused_bulk_actions_say_why_and_keep_the_selection(client, world, add_comment, add_finding):
    comment = add_comment(world.first, "迷った")
    theirs = add_comment(world.other.iterations[0], "他のサービス")
    their_finding = add_finding(world.other, found_in=world.other.iterations[0])
    login(client, world.team)
    cases = [
        ({"action": "tag", "tag_name": "x"}, "ご意見を1件以上選んでください。"),
        ({"comment_ids": [comment.id], "action": "tag", "tag_name": " "}, "タグ名を60文字以内で入力してください。"),
        ({"comment_ids": [comment.id], "action": "tag", "tag_name": "長" * 61}, "60文字以内"),
        ({"comment_ids": [comment.id, theirs.id], "action": "tag", "tag_name": "x"}, "一部が見つかりません"),
        ({"comment_ids": [comment.id], "action": "attach", "finding_id": their_finding.id}, "課題を選んでください"),
        ({"comment_ids": [comment.id], "action": "attach"}, "課題を選んでください"),
    ]
    for data, message in cases:
        response = _post(client, world, data)
        assert response.status_code == 400, data
        html = response.get_data(as_text=True)
        assert message in html, data
        if data.get("comment_ids"):
            assert f'value="{comment.id}" checked' in html, "the ticked comments stay ticked"
    assert db.session.query(Tag).count() == 0
    assert db.session.get(Comment, comment.id).tags == []
    assert db.session.query(FindingEvent).count() == 0


def test_one_post_attaches_comments_and_their_attempts_to_a_finding(client, world, add_comment, add_finding):
    finding = add_finding(world.service)
    a = add_comment(world.first, "アップロードできない")
    b = add_comment(world.first, "全体的に難しい", task=None)
    login(client, world.team)
    response = _post(client, world, {"comment_ids": [a.id, b.id], "action": "attach", "finding_id": finding.id})
    assert response.status_code == 302
    _post(client, world, {"comment_ids": [a.id], "action": "attach", "finding_id": finding.id})  # no duplicate
    db.session.refresh(finding)
    assert sorted(c.id for c in finding.comments) == sorted([a.id, b.id])
    assert [x.id for x in finding.attempts] == [a.attempt_id]
    event = db.session.query(FindingEvent).filter_by(finding_id=finding.id).one()
    assert event.changes == {"comments_added": [None, sorted([a.id, b.id])], "attempts_added": [None, [a.attempt_id]]}
    inbox = client.get(f"/review/services/{world.service.id}/comments?iteration={world.first.id}").get_data(as_text=True)
    assert f'href="/review/findings/{finding.id}">#{finding.id}</a>' in inbox
    page = client.get(f"/review/findings/{finding.id}").get_data(as_text=True)
    assert "アップロードできない" in page and "証拠のご意見を追加" in page


def test_evidence_can_be_removed(client, world, add_comment, add_finding):
    finding = add_finding(world.service)
    a = add_comment(world.first, "アップロードできない")
    login(client, world.team)
    _post(client, world, {"comment_ids": [a.id], "action": "attach", "finding_id": finding.id})
    page = f"/review/findings/{finding.id}"
    token = csrf_token(client.get(page).get_data(as_text=True))
    response = client.post(f"{page}/evidence", data={"csrf_token": token, "comment_ids": [a.id],
                                                     "attempt_ids": [a.attempt_id]})
    assert response.status_code == 302
    db.session.refresh(finding)
    assert finding.comments == [] and finding.attempts == []
    assert db.session.get(Comment, a.id) is not None, "the comment itself stays"
    changes = [e.changes for e in db.session.query(FindingEvent).order_by(FindingEvent.id)]
    assert changes[-1] == {"comments_removed": [[a.id], None], "attempts_removed": [[a.attempt_id], None]}


def test_a_new_finding_can_start_from_the_ticked_comments(client, world, add_comment):
    a = add_comment(world.first, "アップロードできない", task=1)
    b = add_comment(world.first, "写真が送れない", task=1)
    login(client, world.team)
    response = _post(client, world, {"comment_ids": [a.id, b.id], "action": "new"})
    assert response.status_code == 302 and "/findings/new" in response.headers["Location"]
    form_url = response.headers["Location"]
    html = client.get(form_url).get_data(as_text=True)
    assert "アップロードできない" in html and "写真が送れない" in html
    task = world.first.study.tasks[1]
    assert re.search(rf'<input checked[^>]*name="task_ids"[^>]*value="{task.id}"', html), "the comments' task is ticked"
    assert len(re.findall(r'<input checked[^>]*name="task_ids"', html)) == 1
    token = csrf_token(html)
    response = client.post(form_url, data={
        "csrf_token": token, "evidence": f"{a.id},{b.id}", "title": "写真のアップロード", "severity": "3",
        "found_in_id": world.first.id, "task_ids": [task.id]})
    assert response.status_code == 302
    finding = db.session.query(Finding).one()
    assert sorted(c.id for c in finding.comments) == sorted([a.id, b.id])
    assert sorted(x.id for x in finding.attempts) == sorted([a.attempt_id, b.attempt_id])
    event = db.session.query(FindingEvent).one()
    assert event.changes["comments_added"] == [None, sorted([a.id, b.id])]


def test_a_new_finding_cannot_take_another_services_comments(client, world, add_comment):
    theirs = add_comment(world.other.iterations[0], "他のサービス")
    login(client, world.team)
    url = f"/review/services/{world.service.id}/findings/new"
    assert client.get(f"{url}?comment={theirs.id}").status_code == 400
    token = csrf_token(client.get(url).get_data(as_text=True))
    response = client.post(url, data={"csrf_token": token, "evidence": str(theirs.id), "title": "x", "severity": "2",
                                      "found_in_id": world.first.id})
    assert response.status_code == 400
    assert db.session.query(Finding).count() == 0
