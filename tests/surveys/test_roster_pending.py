"""Roster upload at city scale: more rows than the results import allows, and the file kept server-side between
the dry run and its confirmation (no hidden field carries it), bound to the wave and the user, used once."""
from __future__ import annotations

import io

from helpers import csrf_token, login, make_user
from sqlalchemy import func, select
from survey_helpers import make_survey, roster_csv

from civictest.extensions import db
from civictest.importing import spreadsheets
from civictest.models import RosterEntry, RosterUpload
from civictest.services import surveys


def _upload(client, wave_id: int, raw: bytes):  # noqa: ANN001, ANN202
    url = f"/surveys/waves/{wave_id}/roster"
    token = csrf_token(client.get(url).get_data(as_text=True))
    return client.post(url, data={"csrf_token": token, "file": (io.BytesIO(raw), "roster.csv")},
                       content_type="multipart/form-data")


def _people(n: int) -> list[tuple[str, str, str]]:
    return [(f"p{i}@city.example.jp", "総務局/総務部/総務課", "主事") for i in range(n)]


def test_a_roster_may_have_more_rows_than_a_results_file_and_rows_are_still_bounded(ctx, monkeypatch):
    survey, wave = make_survey()
    monkeypatch.setattr(spreadsheets, "MAX_ROWS", 5)  # the results import's limit
    plan = surveys.plan_roster(wave, roster_csv(_people(8)), "roster.csv")
    assert plan.ok and len(plan.rows) == 8
    monkeypatch.setattr(surveys, "MAX_ROSTER_ROWS", 7)
    refused = surveys.plan_roster(wave, roster_csv(_people(8)), "roster.csv")
    assert refused.file_error is not None and refused.file_error.code == "too_many_rows"


def test_the_review_form_carries_a_token_not_the_file_and_the_token_works_once(client, ctx):
    survey, wave = make_survey()
    login(client, make_user("admin", email="admin@example.jp"))
    raw = roster_csv(_people(30))
    html = _upload(client, wave.id, raw).get_data(as_text=True)
    token = html.split('name="token" value="')[1].split('"')[0]
    assert len(token) < 100  # not the file
    kept = db.session.scalar(select(RosterUpload))
    assert kept.data == raw and kept.token_hash == surveys.token_hash(token) and token not in kept.token_hash
    done = client.post(f"/surveys/waves/{wave.id}/roster/review", data={"csrf_token": csrf_token(html), "token": token})
    assert done.status_code == 302
    assert db.session.scalar(select(func.count()).select_from(RosterEntry)) == 30
    assert db.session.scalar(select(func.count()).select_from(RosterUpload)) == 0  # forgotten once added
    again = client.post(f"/surveys/waves/{wave.id}/roster/review", data={"csrf_token": csrf_token(html), "token": token})
    assert again.status_code == 302 and again.headers["Location"].endswith(f"/surveys/waves/{wave.id}/roster")
    assert db.session.scalar(select(func.count()).select_from(RosterEntry)) == 30


def test_a_kept_upload_is_bound_to_its_wave_and_user_and_expires(ctx):
    survey, wave = make_survey()
    other = surveys.create_wave(survey, "2027年度")
    admin, second = make_user("admin", email="a@example.jp"), make_user("admin", email="b@example.jp")
    token = surveys.keep_pending_roster(wave, b"data", "r.csv", admin.id)
    db.session.commit()
    assert surveys.take_pending_roster(wave, token, admin.id) == ("r.csv", b"data")
    assert surveys.take_pending_roster(other, token, admin.id) is None
    assert surveys.take_pending_roster(wave, token, second.id) is None
    assert surveys.take_pending_roster(wave, "x" + token, admin.id) is None
    upload = db.session.scalar(select(RosterUpload))
    upload.created_at = surveys.utcnow() - surveys.PENDING_MAX_AGE - surveys.timedelta(minutes=1)
    db.session.commit()
    assert surveys.take_pending_roster(wave, token, admin.id) is None
    surveys.keep_pending_roster(wave, b"new", "s.csv", admin.id)  # removes expired ones on the way
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(RosterUpload)) == 1
