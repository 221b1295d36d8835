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
    "public": None, "participate": None, "static": None, "feedback": None,
    "auth": None,
    "manage": {"service_team", "admin"},
    "review": {"service_team", "admin"},
    "compare": {"service_team", "product_owner", "admin"},
    "facilitate": {"facilitator", "service_team", "admin"},
    "api": {"facilitator", "service_team", "product_owner", "admin"},
}
ENDPOINT_ROLES = {
    "auth.logout": {"facilitator", "other_team", "service_team", "product_owner", "admin"},
    "public.staff_home": {"facilitator", "other_team", "service_team", "product_owner", "admin"},
    "manage.edit_department": {"admin"}, "manage.new_service": {"admin"}, "manage.users": {"admin"},
    "manage.edit_user": {"admin"}, "manage.audit_log": {"admin"},
    "api.openapi_document": None, "api.docs": None,  # the API's description holds no data
}
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
    return {"service": service_a, "session": session_a, "users": users, "finding": finding}


def _params(rule, world, participant_id: int) -> dict:  # noqa: ANN001
    service = world["service"]
    known = {
        "service_id": service.id, "iteration_id": service.iterations[0].id, "task_id": service.tasks[0].id,
        "session_id": world["session"].id, "participant_id": participant_id, "position": 1,
        "finding_id": world["finding"].id, "department_id": service.department_id,
        "user_id": world["users"]["facilitator"].id, "invite_code": RESIDENT_CODE,
    }
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
        if _allowed(rule.endpoint, role):
            hidden_by_object = role == "other_team" and rule.arguments and rule.endpoint.split(".")[0] in (
                "manage", "review", "compare", "facilitate", "api")
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
