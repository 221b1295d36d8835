"""The import service: a dry run writes nothing, a clean file is stored in one go, anything else not at all."""
import pytest
from helpers import make_service
from sqlalchemy import func, select

from civictest.extensions import db
from civictest.models import Attempt, AuditEvent, Comment, Participant, TestSession
from civictest.services import imports
from civictest.services.errors import Conflict, InvalidInput

HEADER = "参加者ID,タスク番号,結果,SEQ,所要時間_秒,コメント,年代\r\n"
GOOD = HEADER + (
    "P1,1,できた,6,95,とても分かりやすかった,30代\r\n"
    "P1,2,難しかったができた,3,1:30,電話番号 090-1234-5678 に連絡ください,30代\r\n"
    "P2,1,あきらめた,,2分,ボタンが見つからず困った,70代\r\n"
    "P2,3,できなかった,2,,,70代\r\n"
)


def counts() -> dict:
    models = {"participants": Participant, "attempts": Attempt, "comments": Comment, "sessions": TestSession}
    return {name: db.session.scalar(select(func.count()).select_from(m)) for name, m in models.items()}


@pytest.fixture
def study(ctx):
    return make_service().iterations[0].study


def test_dry_run_reports_and_writes_nothing(study):
    before = counts()
    plan = imports.prepare(study, GOOD.encode("cp932"), "回答.csv")
    assert plan.ok and plan.sheet.encoding == "cp932"
    assert (plan.participants, len(plan.rows), plan.comments) == (2, 4, 3)
    assert counts() == before


def test_commit_stores_everything_marked_as_imported(study):
    plan = imports.prepare(study, GOOD.encode("utf-8-sig"), "回答.csv")
    result = imports.commit(study, plan)
    assert (result.participants, result.attempts, result.comments) == (2, 4, 3)
    attempts = db.session.scalars(select(Attempt).order_by(Attempt.id)).all()
    assert {a.imported_from for a in attempts} == {f"回答.csv sha256:{plan.sha256[:16]}"}
    assert all(a.imported_at is not None and a.source == "self" for a in attempts)
    assert [(a.outcome, a.seq, a.seconds) for a in attempts] == [
        ("success", 6, 95.0), ("partial", 3, 90.0), ("abandoned", None, 120.0), ("failure", 2, None)]
    people = db.session.scalars(select(Participant).order_by(Participant.id)).all()
    assert [p.age_band for p in people] == ["30s", "70s"]
    assert all(p.consent_version == "imported" and p.session.is_open is False for p in people)
    assert db.session.get(type(study), study.id).locked_at is not None
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "import_committed"))
    assert event.detail["rows"] == 4 and event.object_id == study.id


def test_imported_comments_are_scrubbed_and_scored_like_typed_ones(study):
    imports.commit(study, imports.prepare(study, GOOD.encode(), "a.csv"))
    comments = db.session.scalars(select(Comment).order_by(Comment.id)).all()
    assert "090-1234-5678" not in comments[1].text and "[電話番号]" in comments[1].text
    assert comments[1].redactions == "phone"
    assert all(c.sentiment_label in ("positive", "neutral", "negative", "unscored") and c.analyzer for c in comments)
    assert comments[0].attempt_id is not None and comments[0].kind == "task"


def test_one_bad_row_imports_nothing(study):
    bad = GOOD + "P3,1,たぶん,9,,,\r\n"
    plan = imports.prepare(study, bad.encode(), "a.csv")
    assert not plan.ok
    assert [(p.row, p.field, p.code) for p in plan.problems] == [(6, "outcome", "unknown_outcome"), (6, "seq", "bad_seq")]
    before = counts()
    with pytest.raises(InvalidInput):
        imports.commit(study, plan)
    assert counts() == before


def test_user_mapping_of_words_fixes_the_file(study):
    bad = GOOD + "P3,1,たぶん,,,,\r\n"
    plan = imports.prepare(study, bad.encode(), "a.csv", outcomes={"たぶん": "partial"})
    assert plan.ok
    assert imports.commit(study, plan).attempts == 5


def test_the_same_file_twice_is_refused(study):
    raw = GOOD.encode()
    imports.commit(study, imports.prepare(study, raw, "a.csv"))
    again = imports.prepare(study, raw, "copy.csv")
    assert [p.code for p in again.problems] == ["already_imported"]
    before = counts()
    again.problems.clear()  # even if the dry run were skipped, the keys collide in the database
    with pytest.raises(Conflict):
        imports.commit(study, again)
    assert counts() == before


@pytest.mark.parametrize("raw, code", [
    (b"", "empty"), (b"\x00\xff\x10\x00" * 5000, "binary"), (b"PK\x03\x04garbage", "bad_xlsx"),
])
def test_unreadable_files_import_nothing(study, raw, code):
    plan = imports.prepare(study, raw, "x.csv")
    assert plan.file_error.code == code and not plan.ok
    with pytest.raises(InvalidInput):
        imports.commit(study, plan)
    assert counts()["attempts"] == 0


def test_wrong_columns_are_reported_as_unmapped(study):
    plan = imports.prepare(study, "名前,住所,電話\r\n山田,新宿,03\r\n".encode(), "x.csv")
    assert [(p.field, p.code) for p in plan.problems] == [
        ("participant", "unmapped"), ("task", "unmapped"), ("outcome", "unmapped")]


def test_header_only_file_has_no_rows(study):
    plan = imports.prepare(study, HEADER.encode(), "x.csv")
    assert [p.code for p in plan.problems] == ["no_rows"] and not plan.ok
