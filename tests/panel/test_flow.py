"""The panel end to end against a real SMTP server (aiosmtpd) and the job queue's real worker drain:
registration -> confirmation -> selection by quotas -> invitation -> personal link -> finished test -> no
reminder; reminders to the rest; one-click unsubscribe; erasure; honeypot, rate limit, header injection;
an expired confirmation link; a personal link used by a second person."""
from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from helpers import hidden_fields, make_service, make_session, submit
from sqlalchemy import func, select

from civictest.extensions import db
from civictest.models import PanelInvitation, PanelMember, Participant
from civictest.services import panel
from test_rate_limits import _limiter_as_it_was  # noqa: F401 - puts the shared limiter back after each test

CODE = "PANEL-2026"
LINK = re.compile(r"https?://\S+")


@pytest.fixture
def study(ctx):
    service = make_service(tasks=1)
    test_session = make_session(service, invite_code=CODE)
    panel.set_quotas(test_session.study, [{"cell": {"age_band": "20s"}, "share": 0.5},
                                          {"cell": {"age_band": "60s"}, "share": 0.5}])
    return test_session


def _body(message) -> str:  # noqa: ANN001
    part = message.get_body(("plain",))
    return part.get_content()


def _links(message) -> list[str]:  # noqa: ANN001
    return LINK.findall(_body(message))


def _path(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def _link_to(message, fragment: str) -> str:  # noqa: ANN001
    return _path(next(url for url in _links(message) if fragment in url))


def _register(client, email: str, age: str, **extra) -> object:  # noqa: ANN001, ANN003
    return submit(client, "/panel/join", {"email": email, "agree": "y", "language": "ja", "age_band": age,
                                          "postal_code": "160-0023", "device": "pc", **extra})


def _join_and_confirm(app, client, smtp_server, drain_mail, people: dict[str, str]) -> None:  # noqa: ANN001
    for email, age in people.items():
        assert _register(client, email, age).status_code == 302
    drain_mail(app)
    for message in smtp_server.messages[-len(people):]:
        assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        assert "/panel/me/" in _body(message), "every e-mail links to the member page"
        assert client.get(_link_to(message, "/panel/confirm/")).status_code == 200


def _finish_test(client) -> None:  # noqa: ANN001
    submit(client, "/participate/profile", {})
    response = submit(client, "/participate/tasks/1", {"outcome": "success", "seq": "6"})
    assert response.headers["Location"].endswith("/participate/questionnaire")
    items = {f"item{i}": "3" for i in range(1, 11)}
    assert submit(client, "/participate/questionnaire", items).status_code == 302


def test_registration_selection_invitation_link_finish_and_reminders(app, client, study, smtp_server, drain_mail):
    people = {"a20@example.jp": "20s", "b20@example.jp": "20s", "c60@example.jp": "60s", "d40@example.jp": "40s"}
    _join_and_confirm(app, client, smtp_server, drain_mail, people)
    assert _register(client, "pending@example.jp", "20s").status_code == 302  # never confirmed: not a member
    drain_mail(app)
    member = db.session.scalar(select(PanelMember).where(PanelMember.email == "a20@example.jp"))
    assert member.status == "active" and member.municipality_code == "131041" and member.confirmed_at
    assert db.session.scalar(select(PanelMember.status).where(PanelMember.email == "pending@example.jp")) == "pending"

    sent_before = len(smtp_server.messages)
    result = app.test_cli_runner().invoke(args=["panel", "invite", "--session", CODE, "--count", "2", "--seed", "3"])
    assert result.exit_code == 0, result.output
    assert "age_band=20s\ttarget 1\tinvited 1" in result.output and "age_band=60s\ttarget 1\tinvited 1" in result.output
    drain_mail(app)
    invitations = smtp_server.messages[sent_before:]
    assert len(invitations) == 2
    invited = {message["To"] for message in invitations}
    assert "c60@example.jp" in invited and len(invited & {"a20@example.jp", "b20@example.jp"}) == 1
    assert "pending@example.jp" not in invited and "d40@example.jp" not in invited, "outside every quota cell"

    first = next(message for message in invitations if message["To"] == "c60@example.jp")
    other = next(message for message in invitations if message["To"] != "c60@example.jp")
    link = _link_to(first, "/panel/i/")
    resident = app.test_client()
    page = resident.get(link)
    assert page.status_code == 200 and CODE not in page.get_data(as_text=True), "no code to type"
    response = resident.post(link, data={**hidden_fields(page.get_data(as_text=True)), "agree": "y"})
    assert response.status_code == 302 and response.headers["Location"].endswith("/participate")
    assert resident.get(link).status_code == 302, "the person who joined comes back to their test"
    assert app.test_client().get(link).status_code == 409, "nobody else can use the link once joined"
    _finish_test(resident)

    sent_before = len(smtp_server.messages)
    result = app.test_cli_runner().invoke(args=["panel", "remind", "--session", CODE])
    assert result.exit_code == 0 and "1 reminders queued" in result.output, result.output
    drain_mail(app)
    reminders = smtp_server.messages[sent_before:]
    assert [m["To"] for m in reminders] == [other["To"]], "only the invited member who has not finished"
    assert app.test_client().get(_link_to(reminders[0], "/panel/i/")).status_code == 200
    assert app.test_client().get(_link_to(other, "/panel/i/")).status_code == 404, "the reminder's link replaces it"
    assert "0 reminders queued" in app.test_cli_runner().invoke(args=["panel", "remind", "--session", CODE]).output
    states = dict(db.session.execute(select(PanelInvitation.state, func.count()).group_by(PanelInvitation.state)).all())
    assert states == {"finished": 1, "sent": 1}

    export = app.test_cli_runner().invoke(args=["panel", "export"])
    assert export.exit_code == 0 and "@example.jp" not in export.output and "member,status" in export.output


def test_one_click_unsubscribe_stops_panel_mail(app, client, study, smtp_server, drain_mail):
    _join_and_confirm(app, client, smtp_server, drain_mail, {"u60@example.jp": "60s"})
    unsubscribe = smtp_server.messages[-1]["List-Unsubscribe"].strip("<>")
    response = app.test_client().post(_path(unsubscribe), data={"List-Unsubscribe": "One-Click"})
    assert response.status_code in (200, 204)
    sent_before = len(smtp_server.messages)
    result = panel.invite(study, 5, seed=1)
    drain_mail(app)
    assert result.queued == 0 and len(smtp_server.messages) == sent_before


def test_erasure_removes_the_member_and_address_and_keeps_answers_pseudonymous(app, client, study, smtp_server,
                                                                              drain_mail):
    from civictest.models.mail import OutgoingMail

    _join_and_confirm(app, client, smtp_server, drain_mail, {"e60@example.jp": "60s"})
    assert panel.invite(study, 2, seed=1).queued == 1  # the 60s cell's one place
    drain_mail(app)
    invitation = smtp_server.messages[-1]
    resident = app.test_client()
    link = _link_to(invitation, "/panel/i/")
    resident.post(link, data={**hidden_fields(resident.get(link).get_data(as_text=True)), "agree": "y"})
    assert db.session.scalar(select(func.count()).select_from(Participant)) == 1

    member_page = _link_to(invitation, "/panel/me/")
    html = client.get(member_page).get_data(as_text=True)
    assert "e60@example.jp" in html
    refused = client.post(member_page + "/erase", data=hidden_fields(html))
    assert refused.status_code == 422, "erasure needs its confirmation box"
    html = client.get(member_page).get_data(as_text=True)
    erase_form = html[html.index('/erase"'):]
    response = client.post(member_page + "/erase", data={**hidden_fields(erase_form), "confirm": "y"})
    assert response.status_code == 200
    assert db.session.scalar(select(func.count()).select_from(PanelMember)) == 0
    assert db.session.scalar(select(func.count()).select_from(PanelInvitation)) == 0
    assert db.session.scalar(select(func.count()).select_from(OutgoingMail)
                             .where(OutgoingMail.to_address == "e60@example.jp")) == 0
    assert db.session.scalar(select(func.count()).select_from(Participant)) == 1, "answers stay, linked to nobody"
    assert client.get(member_page).status_code == 404


def test_member_page_changes_the_profile(app, client, study, smtp_server, drain_mail):
    _join_and_confirm(app, client, smtp_server, drain_mail, {"m@example.jp": "20s"})
    member_page = _link_to(smtp_server.messages[-1], "/panel/me/")
    response = submit(client, member_page, {"language": "en", "age_band": "30s", "device": "smartphone",
                                            "availability": ["weekend"], "assistive_technology": "screen_reader"})
    assert response.status_code == 302
    member = db.session.scalar(select(PanelMember))
    assert (member.language, member.age_band, member.device, member.availability) == ("en", "30s", "smartphone",
                                                                                      "weekend")
    assert member.assistive_technology is None, "kept only with its own consent"


def test_honeypot_header_injection_and_expired_link(app, client, study, smtp_server, drain_mail):
    assert _register(client, "bot@example.jp", "20s", website="http://spam.example").status_code == 302
    injected = _register(client, "x@example.jp\r\nBcc: victim@example.jp", "20s")
    assert injected.status_code == 422
    drain_mail(app)
    assert db.session.scalar(select(func.count()).select_from(PanelMember)) == 0
    assert smtp_server.messages == []

    assert _register(client, "late@example.jp", "20s").status_code == 302
    drain_mail(app)
    link = _link_to(smtp_server.messages[-1], "/panel/confirm/")
    saved = app.config["PANEL_CONFIRM_HOURS"]
    app.config["PANEL_CONFIRM_HOURS"] = -1  # every link is past its time
    try:
        assert client.get(link).status_code == 410
    finally:
        app.config["PANEL_CONFIRM_HOURS"] = saved
    assert db.session.scalar(select(PanelMember.status)) == "pending"
    assert client.get("/panel/confirm/not-a-token").status_code == 404


def test_registration_is_rate_limited_per_address(app, study):
    from test_rate_limits import _limited_app

    limited = _limited_app(app, RATELIMIT_STORAGE_URI="memory://")
    statuses = []
    for _ in range(4):
        resident = limited.test_client()
        html = resident.get("/panel/join").get_data(as_text=True)
        statuses.append(resident.post("/panel/join", data={**hidden_fields(html), "email": "flood@example.jp",
                                                           "language": "ja"}).status_code)
    assert statuses[:3] == [422, 422, 422] and statuses[3] == 429
