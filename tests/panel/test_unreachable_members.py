"""An invitation round never selects (or counts) members whose address is on mail's suppression list: they
stopped all mail or it bounced, so no invitation could be queued for them."""
from __future__ import annotations

from booking_helpers import member
from helpers import make_service, make_session

from civictest.extensions import db
from civictest.mail import suppress
from civictest.reporting import panel as panel_figures
from civictest.services import panel


def test_unsubscribed_members_are_not_selected_or_counted(ctx):
    test_session = make_session(make_service(tasks=1), invite_code="ROUND-1")
    reachable = [member(f"ok{n}@example.jp") for n in range(2)]
    gone = member("stopped@example.jp")
    bounced = member("bounced@example.jp")
    suppress(gone.email, "unsubscribe")
    suppress(bounced.email, "bounce")
    db.session.commit()
    result = panel.invite(test_session, 10, seed=1)
    chosen = {member_id for member_id, _ in result.selection.chosen}
    assert chosen == {m.id for m in reachable}
    assert result.queued == 2
    (rates,) = panel_figures.round_rates(test_session.id)
    assert rates["invited"] == 2, "the round counts only members an invitation was queued for"
