"""civictest.reporting.panel: the panel's figures from hand-made members, rounds, invitations and incentives,
with every expected number counted by hand."""
from __future__ import annotations

from datetime import date

import pytest
from helpers import make_user
from panel_helpers import build_world

from civictest.extensions import db
from civictest.models import PanelIncentive, PanelInvitation
from civictest.reporting import panel as figures
from civictest.services import panel

@pytest.fixture
def world(ctx):
    return build_world()


def test_size_months_and_rounds(world):
    assert figures.panel_size() == {"active": 5, "pending": 1, "left": 1}
    assert figures.monthly_counts() == [{"month": "2026-10", "joins": 2, "leaves": 0},
                                        {"month": "2026-11", "joins": 5, "leaves": 1}]
    rounds = figures.round_rates(world["mine"].id)
    assert [(r["invited"], r["joined"], r["finished"], r["rate"]) for r in rounds] == [(4, 3, 2, 0.75)], \
        "a participant who finished counts before sync_finished has noted it"
    assert [r["code"] for r in figures.round_rates()] == ["PANEL-A", "PANEL-B"]
    assert [r["code"] for r in figures.round_rates(session_ids=[world["theirs"].id])] == ["PANEL-B"]
    assert figures.round_rates(session_ids=[]) == []


def test_reading_writes_nothing_and_agrees_with_sync_finished(world):
    before = figures.round_rates(world["mine"].id)
    assert db.session.get(PanelInvitation, 2).state == "joined", "still not synced"
    panel.sync_finished(world["mine"].id)
    db.session.commit()
    assert figures.round_rates(world["mine"].id) == before


def test_visible_sessions_follow_the_users_services(world):
    team = make_user("service_team", [world["service"]], "team@example.jp")
    admin = make_user("admin", [], "admin@example.jp")
    assert [s.invite_code for s in figures.visible_sessions(team)] == ["PANEL-A"]
    assert [s.invite_code for s in figures.visible_sessions(admin)] == ["PANEL-B", "PANEL-A"]
    assert figures.panel_summary(team)["rounds"][0]["code"] == "PANEL-A"
    assert len(figures.panel_summary(team)["rounds"]) == 1


def test_composition_and_its_suppression(world):
    panel.set_quotas(world["mine"].study, [{"cell": {"age_band": "20s"}, "share": 0.5},
                                           {"cell": {"age_band": "60s"}, "share": 0.5}])
    rows = figures.composition(world["mine"].study_id)
    # active members: three in their 20s, two in their 60s (the one who left is not counted); joined: 2 and 1
    assert [(r["cell_key"], r["target_share"], r["members"], r["member_share"], r["participants"],
             r["participant_share"]) for r in rows] == [("age_band=20s", 0.5, 3, 0.6, 2, 2 / 3),
                                                        ("age_band=60s", 0.5, 2, 0.4, 1, 1 / 3)]
    assert figures.suppressed_composition(rows, 1) == [
        {**row, "members_suppressed": False, "participants_suppressed": False} for row in rows]
    hidden = figures.suppressed_composition(rows, 3)
    # members: 2 < 3 is hidden, and 3 with it (else the total would give it away); participants: both below 3
    assert [(r["members"], r["member_share"], r["members_suppressed"]) for r in hidden] == [(None, None, True),
                                                                                         (None, None, True)]
    assert [(r["participants"], r["participants_suppressed"]) for r in hidden] == [(None, True), (None, True)]
    assert [r["target_share"] for r in hidden] == [0.5, 0.5], "targets describe nobody"
    assert rows[0]["members"] == 3, "the page's rows are not changed"
    assert figures.composition(world["theirs"].study_id) == [] == figures.suppressed_composition([], 5)


def test_export_rows_have_no_address_and_count_invitations_and_tests(world):
    rows = figures.export_rows()
    assert [r["member"] for r in rows] == [p.id for p in world["people"]]
    first = rows[0]
    assert list(first) == ["member", "status", "language", "consent_version", "confirmed_at", "age_band",
                           "municipality_code", "device", "assistive_technology", "online_frequency", "languages",
                           "availability", "invitations", "tests"]
    assert (first["invitations"], first["tests"]) == (2, 1)
    assert (rows[2]["invitations"], rows[2]["tests"]) == (0, 0)
    assert not any("@" in str(value) for row in rows for value in row.values())


def test_incentives_per_month_in_sql_and_the_ledger(world):
    mine, people = world["mine"], world["people"]
    db.session.add_all([
        PanelIncentive(member_id=people[0].id, session_id=mine.id, description="図書カード", amount_yen=500,
                       given_on=date(2026, 11, 30)),
        PanelIncentive(member_id=people[1].id, session_id=mine.id, description="図書カード", amount_yen=1000,
                       given_on=date(2026, 11, 1)),
        PanelIncentive(member_id=None, session_id=mine.id, description="QUOカード", amount_yen=300,
                       given_on=date(2026, 12, 1)),
        PanelIncentive(member_id=people[3].id, session_id=world["theirs"].id, description="図書カード",
                       amount_yen=500, given_on=date(2025, 12, 24)),
    ])
    db.session.commit()
    assert figures.incentive_months() == [{"month": "2025-12", "count": 1, "total_yen": 500},
                                          {"month": "2026-11", "count": 2, "total_yen": 1500},
                                          {"month": "2026-12", "count": 1, "total_yen": 300}]
    assert [(i.given_on, i.amount_yen) for i in figures.incentives_of(mine.id)] == [
        (date(2026, 11, 1), 1000), (date(2026, 11, 30), 500), (date(2026, 12, 1), 300)]
    assert [r["session"] for r in figures.incentive_rows()] == ["PANEL-B", "PANEL-A", "PANEL-A", "PANEL-A"]
    assert figures.incentive_rows()[-1]["member"] is None
