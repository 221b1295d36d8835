"""The incentives ledger: staff record what a member who took part was given; monthly totals; export; the
ledger keeps its rows (with no member) after the member's data is erased."""
from datetime import date

from helpers import hidden_fields, login, make_service, make_session, make_user
from sqlalchemy import select

from civictest.extensions import db
from civictest.models import PanelIncentive, PanelInvitation, PanelMember, PanelRound
from civictest.models.base import utcnow
from civictest.reporting import panel as panel_figures
from civictest.services import panel


def _member(test_session, email: str, joined: bool) -> PanelMember:  # noqa: ANN001
    member = PanelMember(email=email, language="ja", status="active", link_nonce="n" * 32,
                         consent_version="2026-12", consented_at=utcnow(), confirmed_at=utcnow())
    panel_round = PanelRound(session_id=test_session.id, requested=1)
    db.session.add_all([member, panel_round])
    db.session.flush()
    db.session.add(PanelInvitation(member_id=member.id, session_id=test_session.id, round_id=panel_round.id,
                                   token_hash=panel.token_hash(email), state="joined" if joined else "sent",
                                   joined_at=utcnow() if joined else None))
    db.session.commit()
    return member


def test_staff_record_incentives_see_monthly_totals_and_export(app, client, ctx):
    service = make_service(tasks=1)
    test_session = make_session(service)
    took_part, invited_only = _member(test_session, "a@example.jp", True), _member(test_session, "b@example.jp", False)
    login(client, make_user("service_team", [service]))
    page = f"/manage/panel/sessions/{test_session.id}"
    html = client.get(page).get_data(as_text=True)
    assert f'value="{took_part.id}"' in html and f'value="{invited_only.id}"' not in html, "only those who took part"
    form = {**hidden_fields(html), "description": "図書カード", "amount_yen": "500", "given_on": "2026-12-05"}
    assert client.post(f"{page}/incentives", data={**form, "member": str(took_part.id)}).status_code == 302
    again = client.post(f"{page}/incentives", data={**form, "member": str(took_part.id)})
    assert again.status_code == 422, "once per member and session"
    assert client.post(f"{page}/incentives", data={**form, "member": str(invited_only.id)}).status_code == 422
    assert client.post(f"{page}/incentives", data={**form, "member": str(took_part.id),
                                                   "amount_yen": "-5"}).status_code == 422
    assert panel_figures.incentive_months() == [{"month": "2026-12", "count": 1, "total_yen": 500}]
    overview = client.get("/manage/panel").get_data(as_text=True)
    assert "2026-12" in overview and "500" in overview

    result = app.test_cli_runner().invoke(args=["panel", "incentives"])
    assert result.exit_code == 0
    assert "2026-12\t1 incentives\t500 yen" in result.output
    assert f"2026-12-05,{took_part.id},{test_session.invite_code},図書カード,500" in result.output

    panel.erase(db.session.get(PanelMember, took_part.id))
    row = db.session.scalar(select(PanelIncentive))
    assert row.member_id is None and row.amount_yen == 500 and row.given_on == date(2026, 12, 5)
    assert panel_figures.incentive_months()[0]["total_yen"] == 500, "the accounts office keeps its total"
