"""Invite -> answer -> remind only the rest, through the real mail queue, worker drain and SMTP server."""
from __future__ import annotations

import re
from datetime import timedelta

from helpers import hidden_fields, login, make_user, post_form
from sqlalchemy import select
from survey_helpers import make_survey

from civictest.extensions import db
from civictest.models import OrgUnit, OutgoingMail, RosterEntry, SurveyResponse
from civictest.services import survey_invitations, surveys

LINK = re.compile(r"https?://\S+/respond\?t=([A-Za-z0-9_-]+)")


def _roster(wave, n: int) -> None:  # noqa: ANN001
    unit = db.session.scalar(select(OrgUnit).where(OrgUnit.path == "総務局/総務部/総務課"))
    db.session.add_all(RosterEntry(wave_id=wave.id, email=f"staff{i}@city.example.jp", org_unit_id=unit.id,
                                   job_grade="主事", reminders=0) for i in range(n))
    db.session.commit()


def _links(messages) -> dict[str, str]:  # noqa: ANN001
    out = {}
    for message in messages:
        body = message.get_body(("plain",)).get_content()
        out[message["To"]] = LINK.search(body).group(1)
    return out


def _answer(client, token: str, wave) -> int:  # noqa: ANN001
    html = client.get(f"/respond?t={token}").get_data(as_text=True)
    return client.post("/respond", data={**hidden_fields(html), f"item-{wave.items[0].id}": "4"}).status_code


def test_invite_answer_then_remind_only_the_rest(app, client, ctx, smtp_server, drain_mail):
    app.config["PUBLIC_BASE_URL"] = "https://civictest.city.example.jp"
    try:
        survey, wave = make_survey()
        surveys.set_wave_state(wave, "open")
        db.session.commit()
        _roster(wave, 4)
        runner = app.test_cli_runner()
        result = runner.invoke(args=["survey", "invite", "--wave", str(wave.id)])
        assert result.exit_code == 0 and "queued 4 invitations" in result.output, result.output
        drain_mail(app)
        assert len(smtp_server.messages) == 4
        links = _links(smtp_server.messages)
        assert smtp_server.messages[0]["List-Unsubscribe"]
        assert "回答のお願い" in str(smtp_server.messages[0]["Subject"]) or smtp_server.messages[0]["Subject"]
        # The sent bodies no longer hold the links (the job behind the batch blanked them).
        assert {row.text_body for row in db.session.scalars(select(OutgoingMail))} == {survey_invitations.FORGOTTEN}
        # Inviting again sends nothing: everyone has had their invitation.
        assert "queued 0" in runner.invoke(args=["survey", "invite", "--wave", str(wave.id)]).output
        # Two people answer through their links.
        assert _answer(client, links["staff0@city.example.jp"], wave) == 303
        assert _answer(client, links["staff2@city.example.jp"], wave) == 303
        # Reminders are weekly: none yet.
        assert "queued 0 reminders" in runner.invoke(args=["survey", "remind", "--wave", str(wave.id)]).output
        for entry in db.session.scalars(select(RosterEntry)):
            entry.invited_at = entry.invited_at - timedelta(days=8)
        db.session.commit()
        smtp_server.messages.clear()
        result = runner.invoke(args=["survey", "remind"])
        assert "queued 2 reminders" in result.output, result.output
        drain_mail(app)
        assert sorted(m["To"] for m in smtp_server.messages) == ["staff1@city.example.jp", "staff3@city.example.jp"]
        reminded = _links(smtp_server.messages)
        # The reminder's link works; the invitation's old link of that person no longer does.
        assert client.get(f"/respond?t={links['staff1@city.example.jp']}").status_code == 404
        assert _answer(client, reminded["staff1@city.example.jp"], wave) == 303
        # A respondent's own link still opens their answer, and changing it adds no second response.
        assert _answer(client, links["staff0@city.example.jp"], wave) == 303
        assert db.session.scalar(select(SurveyResponse.id).limit(1)) is not None
        assert len(db.session.scalars(select(SurveyResponse)).all()) == 3
        answered = {e.email for e in db.session.scalars(select(RosterEntry).where(RosterEntry.has_answered))}
        assert answered == {"staff0@city.example.jp", "staff1@city.example.jp", "staff2@city.example.jp"}
        # Next week: only the one who never answered.
        for entry in db.session.scalars(select(RosterEntry)):
            entry.reminded_at = (entry.reminded_at or entry.invited_at) - timedelta(days=8)
        db.session.commit()
        smtp_server.messages.clear()
        assert "queued 1 reminders" in runner.invoke(args=["survey", "remind", "--wave", str(wave.id)]).output
        drain_mail(app)
        assert [m["To"] for m in smtp_server.messages] == ["staff3@city.example.jp"]
    finally:
        app.config["PUBLIC_BASE_URL"] = ""


def test_staff_buttons_invite_and_closed_waves_refuse(app, client, ctx, smtp_server, drain_mail):
    survey, wave = make_survey()
    _roster(wave, 2)
    login(client, make_user("admin", email="admin@example.jp"))
    url = f"/surveys/waves/{wave.id}"
    post_form(client, f"{url}/invite", {}, get_url=url)  # a draft wave: refused
    assert db.session.scalar(select(OutgoingMail.id).limit(1)) is None
    surveys.set_wave_state(wave, "open")
    db.session.commit()
    response = post_form(client, f"{url}/invite", {}, get_url=url, follow=True)
    assert "2 人に案内のメールを送る準備をしました" in response.get_data(as_text=True)
    drain_mail(app)
    assert len(smtp_server.messages) == 2
    token = LINK.search(smtp_server.messages[0].get_body(("plain",)).get_content())
    assert token is not None  # an absolute link even without PUBLIC_BASE_URL (the request's own host)
    post_form(client, f"{url}/remind", {}, get_url=url)
    drain_mail(app)
    assert len(smtp_server.messages) == 2  # nobody is due a reminder within the week
