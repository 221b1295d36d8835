"""Every route x every role gives the expected answer; objects of other services are 404, not 403.

The matrix is built from the app's URL map, so a new route is covered the day it is added: it needs a
rule below (by blueprint, or by endpoint for exceptions) and values for its URL parameters.
"""
import pytest
from helpers import RESIDENT_CODE, join_and_consent, login, make_service, make_session, make_user
from sqlalchemy import select

from civictest.extensions import db
from civictest.models import Finding, Participant, User

ROLES = ["anonymous", "resident", "facilitator", "other_team", "service_team", "product_owner", "admin"]
# Who may use each blueprint (None: everyone, no login needed).
BLUEPRINT_ROLES = {
    "public": None, "site": None, "participate": None, "panel": None, "static": None, "feedback": None, "respond": None,
    "auth": None,
    "manage": {"service_team", "admin"},
    "review": {"service_team", "admin"},
    "compare": {"service_team", "product_owner", "admin"},
    "facilitate": {"facilitator", "service_team", "admin"},
    "api": {"facilitator", "service_team", "product_owner", "admin"},
    "surveys": {"service_team", "product_owner", "admin"},
}
ENDPOINT_ROLES = {
    "auth.logout": {"facilitator", "other_team", "service_team", "product_owner", "admin"},
    "auth.staff_home": {"facilitator", "other_team", "service_team", "product_owner", "admin"},
    "auth.account": {"facilitator", "other_team", "service_team", "product_owner", "admin"},
    "auth.enrol_totp": {"facilitator", "other_team", "service_team", "product_owner", "admin"},
    "auth.disable_totp": {"facilitator", "other_team", "service_team", "product_owner", "admin"},
    # Without a login waiting for its code: staff go on to their home page, anyone else back to the login page.
    "auth.two_factor_step": {"facilitator", "other_team", "service_team", "product_owner", "admin"},
    "manage.reset_two_factor": {"admin"},
    "manage.edit_department": {"admin"}, "manage.new_service": {"admin"}, "manage.users": {"admin"},
    "manage.edit_user": {"admin"}, "manage.audit_log": {"admin"},
    "manage.mail_status": {"admin"}, "manage.mail_outbox_message": {"admin"},
    "api.openapi_document": None, "api.docs": None,  # the API's description holds no data
    # The panel's figures: the roles of /manage/panel (security.MANAGE_ROLES), as the page.
    "api.panel_summary": {"service_team", "admin"}, "api.panel_session": {"service_team", "admin"},
}
OUTBOX_MESSAGE = "000000001-matrix.eml"
# Doors that exist only when a deployment configures them (OIDC_ISSUER): 404 for everyone here.
NOT_CONFIGURED = {"auth.oidc_login", "auth.oidc_callback"}
# The survey answer page needs the personal link's ?t= token: without one it is a kind 404 for everyone.
NEEDS_PERSONAL_LINK = {"respond.answer", "respond.submit"}
STAFF = {"facilitator", "other_team", "service_team", "product_owner", "admin"}


@pytest.fixture
def world(app, ctx):
    """Service A (ours) and service B (another department's), with one object of each kind in A."""
    service_a = make_service("kodomo", "保育園")
    service_b = make_service("kankyo", "粗大ごみ")
    session_a = make_session(service_a, invite_code=RESIDENT_CODE, mode="in_person")
    service_a.publish_fixes = True
    service_a.iterations[0].published = True  # open-data pages exist only for published iterations
    users = {
        "facilitator": make_user("facilitator", [service_a], "f@example.jp"),
        "other_team": make_user("service_team", [service_b], "other@example.jp"),
        "service_team": make_user("service_team", [service_a], "team@example.jp"),
        "product_owner": make_user("product_owner", [service_a], "po@example.jp"),
        "admin": make_user("admin", [], "admin@example.jp"),
    }
    finding = Finding(service_id=service_a.id, found_in_id=service_a.iterations[0].id, title="t", severity=2)
    db.session.add(finding)
    db.session.commit()
    join_and_consent(app.test_client())  # a participant in session A, for facilitator routes
    wave = _published_survey_wave(service_a)
    return {"service": service_a, "session": session_a, "users": users, "finding": finding,
            "tokens": _panel_tokens(session_a), "wave": wave}


def _published_survey_wave(service):  # noqa: ANN001, ANN202
    """A survey of service A's department with two published waves (open-data pages exist only then); the
    newer one is the matrix's wave."""
    from civictest.services import survey_publication, surveys

    survey = surveys.create_survey(service.department, "職員調査", title_en="Staff survey")
    surveys.add_item(survey, "agreement5", "使いやすい", wording_en="Easy to use")
    for label in ("2025年度", "2026年度"):  # two waves: the newer one has a change since the previous one
        wave = surveys.create_wave(survey, label)
        for state in ("open", "closed"):
            surveys.set_wave_state(wave, state)
        survey_publication.publish_wave(wave)
    db.session.commit()
    return wave


def _panel_tokens(test_session) -> dict:  # noqa: ANN001
    """A panel member and an invitation to session A: each panel route's link token by endpoint."""
    from civictest.models import PanelInvitation, PanelMember, PanelRound
    from civictest.models.base import utcnow
    from civictest.services import panel

    member = PanelMember(email="member@example.jp", language="ja", status="active", link_nonce="n" * 32,
                         consent_version="2026-12", consented_at=utcnow(), confirmed_at=utcnow())
    panel_round = PanelRound(session_id=test_session.id, requested=1)
    db.session.add_all([member, panel_round])
    db.session.flush()
    invitation = PanelInvitation(member_id=member.id, session_id=test_session.id, round_id=panel_round.id,
                                 token_hash=panel.token_hash("personal-token"), state="sent",
                                 reminded_at=utcnow())  # reminded already: the remind route keeps its token
    db.session.add(invitation)
    db.session.commit()
    from booking_helpers import slot

    from civictest.services import booking

    booked = booking.book(invitation, slot(test_session).id).booking  # a slot and a booking in session A
    member_token = panel.member_token(member)
    from civictest.mail.unsubscribe import token_for

    from pathlib import Path

    from flask import current_app

    outbox = Path(current_app.config["MAIL_OUTBOX_DIR"])  # one outbox message for the admin's mail page
    outbox.mkdir(parents=True, exist_ok=True)
    (outbox / OUTBOX_MESSAGE).write_bytes(b"Subject: matrix\r\nTo: member@example.jp\r\n\r\nbody\r\n")
    return {"public.mail_unsubscribe": token_for(member.email),"panel.confirm": panel.confirm_token(member), "panel.member": member_token,
            "panel.erase": member_token, "panel.personal_link": "personal-token",
            "panel.booking": booking.booking_token(invitation), "slot_id": booked.slot_id, "booking_id": booked.id}


def _params(rule, world, participant_id: int) -> dict:  # noqa: ANN001
    service = world["service"]
    known = {
        "service_id": service.id, "iteration_id": service.iterations[0].id, "task_id": service.tasks[0].id,
        "session_id": world["session"].id, "participant_id": participant_id, "position": 1,
        "finding_id": world["finding"].id, "department_id": service.department_id,
        "user_id": world["users"]["facilitator"].id, "invite_code": RESIDENT_CODE,
        "wave_id": world["wave"].id, "survey_id": world["wave"].survey_id,
        "token": world["tokens"].get(rule.endpoint, "not-a-real-token"), "name": OUTBOX_MESSAGE,
        "slot_id": world["tokens"]["slot_id"], "booking_id": world["tokens"]["booking_id"],
    }
    if rule.endpoint == "public.survey_open_data_file":
        known["name"] = "survey.csv"
    if rule.endpoint == "public.mail_unsubscribe":  # a well-formed link (a made-up token is rightly a 404)
        from civictest.mail.unsubscribe import token_for

        known["token"] = token_for("resident@example.jp")
    missing = set(rule.arguments) - set(known)
    if missing:
        pytest.fail(f"the access matrix has no value for {sorted(missing)} in {rule.rule}: add one")
    return {name: known[name] for name in rule.arguments}


def _client_for(role: str, app, world):  # noqa: ANN001, ANN202
    client = app.test_client()
    if role == "resident":
        join_and_consent(client)
    elif role in STAFF:
        login(client, world["users"][role])
    return client


def _allowed(endpoint: str, role: str) -> bool:
    roles = ENDPOINT_ROLES.get(endpoint, BLUEPRINT_ROLES.get(endpoint.split(".")[0], "missing"))
    if roles == "missing":
        pytest.fail(f"{endpoint} has no access rule in the matrix")
    # The other department's team has the service_team role; what differs is which objects it sees.
    return roles is None or (role if role != "other_team" else "service_team") in roles or role in roles


def _expected_denial(endpoint: str, role: str) -> set[int]:
    if role in ("anonymous", "resident"):
        return {401} if endpoint.startswith("api.") else {302}
    return {403}


@pytest.mark.parametrize("role", ROLES)
def test_every_route_answers_each_role_as_expected(app, world, role):
    client = _client_for(role, app, world)
    participant_id = db.session.scalar(select(Participant.id)) or 0
    token_page = client.get("/auth/login").get_data(as_text=True)
    from helpers import csrf_token

    token = csrf_token(token_page)
    problems = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        url = rule.build(_params(rule, world, participant_id))[1] if rule.arguments else rule.rule
        method = "GET" if "GET" in rule.methods else "POST"
        response = client.open(url, method=method, data={"csrf_token": token} if method == "POST" else None)
        status, location = response.status_code, response.headers.get("Location", "")
        if rule.endpoint in NOT_CONFIGURED or rule.endpoint in NEEDS_PERSONAL_LINK:
            if status != 404:
                problems.append((method, url, status, location))
            continue
        if _allowed(rule.endpoint, role):
            hidden_by_object = role == "other_team" and rule.arguments and rule.endpoint.split(".")[0] in (
                "manage", "review", "compare", "facilitate", "api", "surveys")
            signed_out = rule.endpoint == "auth.logout"  # logging out rightly ends on the login page
            expected_ok = status == 404 if hidden_by_object else (
                status not in (401, 403, 404, 500) and (signed_out or "/auth/login" not in location))
            if not expected_ok:
                problems.append((method, url, status, location))
        elif status not in _expected_denial(rule.endpoint, role) or (status == 302 and "/auth/login" not in location):
            problems.append((method, url, status, location))
        if rule.endpoint == "auth.logout" and status == 302 and role in STAFF:
            client = _client_for(role, app, world)
            token = csrf_token(client.get("/auth/login").get_data(as_text=True))
    assert problems == [], f"unexpected answers for {role}: " + "; ".join(map(str, problems))


def test_users_are_really_distinct_roles(world):
    roles = {name: db.session.get(User, user.id).role for name, user in world["users"].items()}
    assert roles["other_team"] == roles["service_team"] == "service_team"
