"""The findings status machine: every allowed and every refused move, iterations required and ordered."""
import pytest
from helpers import login, post_form

from civictest.extensions import db
from civictest.models import AuditEvent, FindingEvent
from civictest.services import catalog, findings
from civictest.services.errors import Conflict, InvalidInput

STATUSES = ("new", "triaged", "planned", "fixed", "verified", "wont_fix")
ALLOWED = {
    ("new", "triaged"), ("triaged", "planned"), ("planned", "fixed"), ("fixed", "verified"),
    ("new", "wont_fix"), ("triaged", "wont_fix"), ("planned", "wont_fix"), ("wont_fix", "triaged"),
    ("fixed", "planned"),
}


@pytest.fixture
def third(world):
    iteration = catalog.create_iteration(world.service, "第3版")
    db.session.commit()
    return iteration


def _finding_in(world, add_finding, third, status):  # noqa: ANN001, ANN202
    """A finding already in `status`, with the iterations that status needs."""
    fields = {}
    if status in ("fixed", "verified"):
        fields["fixed_in_id"] = world.second.id
    if status == "verified":
        fields["verified_in_id"] = third.id
    return add_finding(world.service, status=status, found_in=world.first, **fields)


@pytest.mark.parametrize("start", STATUSES)
@pytest.mark.parametrize("target", STATUSES)
def test_every_move(world, add_finding, third, start, target):
    finding = _finding_in(world, add_finding, third, start)
    kwargs = {"fixed_in_id": world.second.id, "verified_in_id": third.id}
    if (start, target) in ALLOWED:
        findings.move_status(finding, target, world.team, **kwargs)
        assert finding.status == target
        event = db.session.query(FindingEvent).filter_by(finding_id=finding.id).one()
        assert event.changes["status"] == [start, target] and event.user_id == world.team.id
        assert db.session.query(AuditEvent).filter_by(action="finding_status_changed", object_id=finding.id).count() == 1
    else:
        with pytest.raises(Conflict):
            findings.move_status(finding, target, world.team, **kwargs)
        db.session.rollback()
        assert finding.status == start
        assert db.session.query(FindingEvent).count() == 0


def test_an_unknown_status_is_refused(world, add_finding):
    finding = add_finding(world.service)
    with pytest.raises(Conflict):
        findings.move_status(finding, "done", world.team)


def test_fixed_needs_an_iteration_after_the_one_it_was_found_in(world, add_finding):
    finding = add_finding(world.service, status="planned", found_in=world.second)
    with pytest.raises(InvalidInput, match="fixed_in_required"):
        findings.move_status(finding, "fixed", world.team)
    db.session.rollback()
    with pytest.raises(InvalidInput, match="fixed_in_order"):
        findings.move_status(finding, "fixed", world.team, fixed_in_id=world.first.id)
    db.session.rollback()
    with pytest.raises(InvalidInput, match="fixed_in_order"):
        findings.move_status(finding, "fixed", world.team, fixed_in_id=world.second.id)
    db.session.rollback()
    with pytest.raises(InvalidInput, match="fixed_in_required"):  # an iteration of another service
        findings.move_status(finding, "fixed", world.team, fixed_in_id=world.other.iterations[0].id)
    db.session.rollback()
    assert finding.status == "planned" and finding.fixed_in_id is None


def test_verified_needs_an_iteration_after_the_fix(world, add_finding, third):
    finding = add_finding(world.service, status="fixed", found_in=world.first, fixed_in_id=world.second.id)
    with pytest.raises(InvalidInput, match="verified_in_required"):
        findings.move_status(finding, "verified", world.team)
    db.session.rollback()
    for too_early in (world.first, world.second):
        with pytest.raises(InvalidInput, match="verified_in_order"):
            findings.move_status(finding, "verified", world.team, verified_in_id=too_early.id)
        db.session.rollback()
    findings.move_status(finding, "verified", world.team, verified_in_id=third.id)
    assert (finding.status, finding.verified_in_id) == ("verified", third.id)
    event = db.session.query(FindingEvent).filter_by(finding_id=finding.id).one()
    assert event.changes == {"status": ["fixed", "verified"], "verified_in": [None, 3]}


def test_the_page_refuses_a_wrong_move_in_words(client, world, add_finding):
    finding = add_finding(world.service)
    login(client, world.team)
    response = post_form(client, f"/review/findings/{finding.id}/status", {"status": "verified"},
                         get_url=f"/review/findings/{finding.id}")
    html = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "「新規」から「効果確認済み」には変更できません。" in html and "<title>エラー:" in html
    db.session.refresh(finding)
    assert finding.status == "new"


def test_the_page_asks_for_the_fixed_iteration(client, world, add_finding):
    finding = add_finding(world.service, status="planned")
    login(client, world.team)
    url, page = f"/review/findings/{finding.id}/status", f"/review/findings/{finding.id}"
    response = post_form(client, url, {"status": "fixed"}, get_url=page)
    assert response.status_code == 400 and "修正した版を選んでください" in response.get_data(as_text=True)
    response = post_form(client, url, {"status": "fixed", "fixed_in_id": world.second.id}, get_url=page)
    assert response.status_code == 302
    db.session.refresh(finding)
    assert (finding.status, finding.fixed_in_id) == ("fixed", world.second.id)
    html = client.get(page).get_data(as_text=True)
    assert "状態: 対応予定 → 修正済み" in html and "修正した版: – → 第2版" in html


def test_the_page_offers_only_the_allowed_moves(client, world, add_finding):
    finding = add_finding(world.service, status="wont_fix")
    login(client, world.team)
    html = client.get(f"/review/findings/{finding.id}").get_data(as_text=True)
    assert 'value="triaged"' in html and 'value="planned"' not in html and 'value="new"' not in html


def test_a_fix_that_did_not_hold_goes_back_to_planned(world, add_finding, third):
    finding = _finding_in(world, add_finding, third, "fixed")
    findings.move_status(finding, "planned", world.team)
    assert (finding.status, finding.fixed_in_id) == ("planned", None)
    event = db.session.query(FindingEvent).filter_by(finding_id=finding.id).order_by(FindingEvent.id.desc()).first()
    assert event.changes["status"] == ["fixed", "planned"] and event.changes["fixed_in"] == [2, None]


def test_the_verified_in_list_offers_only_versions_after_the_fix(client, world, add_finding, third):
    import re

    finding = add_finding(world.service, status="fixed", found_in=world.first, fixed_in_id=world.second.id)
    login(client, world.team)
    html = client.get(f"/review/findings/{finding.id}").get_data(as_text=True)
    select = html.split('name="verified_in_id"')[1].split("</select>")[0]
    offered = re.findall(r'<option value="(\d+)"', select)
    assert offered == [str(third.id)], offered
