"""/api/v1/panel and /api/v1/panel/sessions/<id>: bearer token as every /api/v1 endpoint, the numbers of the
staff pages, no personal data, small composition cells suppressed."""
from __future__ import annotations

import re
from datetime import datetime, timedelta

import pytest
from helpers import login, make_user
from panel_helpers import build_world, invite, member

from civictest.extensions import db
from civictest.models import PanelRound
from civictest.services import accounts, panel


@pytest.fixture
def world(ctx):
    """tests/panel_helpers.build_world with quotas for session A's study, A's team, B's team and an admin."""
    world = build_world()
    panel.set_quotas(world["mine"].study, [{"cell": {"age_band": "20s"}, "share": 0.5},
                                           {"cell": {"age_band": "60s"}, "share": 0.5}])
    world["team"] = make_user("service_team", [world["service"]], "team@example.jp")
    world["other_team"] = make_user("service_team", [world["other"]], "other@example.jp")
    world["admin"] = make_user("admin", [], "admin@example.jp")
    return world


def bearer(user) -> dict:  # noqa: ANN001
    token = accounts.issue_api_token(user)
    db.session.commit()
    return {"Authorization": f"Bearer {token}"}


def _cells(html: str) -> list[str]:
    """The text of every table cell of a page, in order."""
    return [re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", html, re.S)]


def test_panel_summary_equals_the_overview_page(app, client, world):
    response = client.get("/api/v1/panel", headers=bearer(world["team"]))
    assert response.status_code == 200
    data = response.json
    assert data["size"] == {"active": 5, "pending": 1, "left": 1}
    assert [r["code"] for r in data["rounds"]] == ["PANEL-A"], "only the rounds of the sessions the team sees"
    page = app.test_client()
    login(page, world["team"])
    cells = _cells(page.get("/manage/panel").get_data(as_text=True))
    size_html = page.get("/manage/panel").get_data(as_text=True)
    for status in ("active", "pending", "left"):
        assert f"<dd>{data['size'][status]}</dd>" in size_html
    for month in data["months"]:
        assert [month["month"], str(month["joins"]), str(month["leaves"])] == cells[cells.index(month["month"]):
                                                                                   cells.index(month["month"]) + 3]
    for r in data["rounds"]:
        start = next(i for i, c in enumerate(cells) if c.startswith(f"#{r['round']} "))
        assert cells[start + 1:start + 6] == [r["code"], str(r["invited"]), str(r["joined"]), str(r["finished"]),
                                              f"{r['rate'] * 100:.0f}%"]
    assert (data["rounds"][0]["invited"], data["rounds"][0]["finished"]) == (4, 2)
    # RFC 3339 date-times, as the OpenAPI document says: with their offset on both databases
    assert all(datetime.fromisoformat(r["created_at"]).utcoffset() == timedelta(0) for r in data["rounds"])


def test_session_figures_equal_the_session_page(app, client, world):
    mine = world["mine"]
    data = client.get(f"/api/v1/panel/sessions/{mine.id}", headers=bearer(world["team"])).json
    assert data["session"] == {"id": mine.id, "code": "PANEL-A", "study_id": mine.study_id,
                               "service_id": world["service"].id}
    assert data["k"] == app.config["SUPPRESSION_K"] == 5
    page = app.test_client()
    login(page, world["team"])
    html = page.get(f"/manage/panel/sessions/{mine.id}").get_data(as_text=True)
    cells = _cells(html)
    for r in data["rounds"]:
        start = next(i for i, c in enumerate(cells) if c.startswith(f"#{r['round']} "))
        assert cells[start + 1:start + 5] == [str(r["invited"]), str(r["joined"]), str(r["finished"]),
                                              f"{r['rate'] * 100:.0f}%"]
    # Five active members and three participants: every count is below k = 5, so the API shows targets only.
    assert [(c["cell_key"], c["target_share"], c["members"], c["participants"]) for c in data["composition"]] == [
        ("age_band=20s", 0.5, None, None), ("age_band=60s", 0.5, None, None)]
    assert "@example.jp" not in str(data)


def test_session_composition_shown_from_k_members_equals_the_page(app, client, world):
    more = [member(f"z{i}@example.jp", age_band="20s" if i < 3 else "60s") for i in range(6)]
    extra = PanelRound(session_id=world["mine"].id, requested=6)
    db.session.add(extra)
    db.session.flush()
    for who in more:
        invite(extra, who, joined=True, cell=f"age_band={who.age_band}")
    db.session.commit()
    app.config["SUPPRESSION_K"] = 3
    try:
        data = client.get(f"/api/v1/panel/sessions/{world['mine'].id}", headers=bearer(world["admin"])).json
    finally:
        app.config["SUPPRESSION_K"] = 5
    # members 20s: 3 + 3 = 6, 60s: 2 + 3 = 5 (of 11); participants 20s: 2 + 3 = 5, 60s: 1 + 3 = 4 (of 9)
    assert [(c["members"], c["participants"], c["members_suppressed"]) for c in data["composition"]] == [
        (6, 5, False), (5, 4, False)]
    page = app.test_client()
    login(page, world["admin"])
    cells = _cells(page.get(f"/manage/panel/sessions/{world['mine'].id}").get_data(as_text=True))
    table = cells[-4 * len(data["composition"]):]  # the chart's data table: cell, target, members, participants
    for number, c in enumerate(data["composition"]):
        shown = [float(text.rstrip("%")) for text in table[4 * number + 1:4 * number + 4]]
        assert shown == [round(c[key] * 100, 1) for key in ("target_share", "member_share", "participant_share")]


def test_panel_api_needs_a_token_and_hides_other_services_sessions(client, world):
    assert client.get("/api/v1/panel").status_code == 401
    assert client.get(f"/api/v1/panel/sessions/{world['mine'].id}").status_code == 401
    headers = bearer(world["other_team"])
    assert client.get(f"/api/v1/panel/sessions/{world['mine'].id}", headers=headers).status_code == 404
    assert [r["code"] for r in client.get("/api/v1/panel", headers=headers).json["rounds"]] == ["PANEL-B"]
    assert client.get("/api/v1/panel/sessions/999999", headers=headers).status_code == 404
    assert client.get(f"/api/v1/panel/sessions/{2**70}", headers=headers).status_code == 404


def test_payloads_fit_the_openapi_schemas(client, world):
    from jsonschema import Draft202012Validator

    document = client.get("/api/v1/openapi.json").json
    headers = bearer(world["admin"])
    for template, url in {"/api/v1/panel": "/api/v1/panel",
                          "/api/v1/panel/sessions/{session_id}": f"/api/v1/panel/sessions/{world['mine'].id}"}.items():
        schema = document["paths"][template]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
        validator = Draft202012Validator({**schema, "components": document["components"]})
        payload = client.get(url, headers=headers).json
        assert [error.message for error in validator.iter_errors(payload)] == [], url
        assert not validator.is_valid({**payload, "rounds": [{"round": "1"}]}), "the schema is not vacuous"


@pytest.mark.parametrize("role", ["facilitator", "product_owner"])
def test_panel_api_is_for_the_roles_of_the_panel_page(client, world, role):
    headers = bearer(make_user(role, [world["service"]], f"{role}@example.jp"))
    assert client.get("/api/v1/panel", headers=headers).status_code == 403
    assert client.get(f"/api/v1/panel/sessions/{world['mine'].id}", headers=headers).status_code == 403
    assert client.get("/api/v1/panel", headers=bearer(world["team"])).status_code == 200


def test_session_bookings_equal_the_counts_of_the_session_page(app, client, world):
    from booking_helpers import invite as invite_to, member as booking_member, slot, venue_session

    from civictest.services import booking

    assert client.get(f"/api/v1/panel/sessions/{world['mine'].id}",
                      headers=bearer(world["team"])).json["bookings"] is None  # remote: nothing to book
    venue = venue_session(service=world["service"])
    row = slot(venue, capacity=1)
    for n in range(3):  # one place: one booked, two waiting
        booking.book(invite_to(booking_member(f"venue{n}@example.jp"), venue)[0], row.id)
    data = client.get(f"/api/v1/panel/sessions/{venue.id}", headers=bearer(world["team"])).json
    assert data["bookings"] == {"booked": 1, "waiting": 2, "attended": 0, "no_show": 0}
    page = app.test_client()
    login(page, world["team"])
    cells = _cells(page.get(f"/manage/panel/sessions/{venue.id}").get_data(as_text=True))
    start = cells.index("予約")  # the header row, then its one row of counts
    assert cells[start:start + 8] == ["予約", "キャンセル待ち", "来場", "欠席", "1", "2", "0", "0"]
