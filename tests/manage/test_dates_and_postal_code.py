"""Issue 14: an end date before the start date is refused; the venue's municipality code comes from its postal code."""
from helpers import login, make_service, make_user, post_form

from civictest.extensions import db
from civictest.models import Iteration, TestSession


def _session_form(**fields: str) -> dict:
    return {"name": "区役所体験会", "mode": "in_person", "capacity": "20", "is_open": "y", **fields}


def test_an_iteration_ending_before_it_starts_is_refused(client, ctx):
    service = make_service()
    login(client, make_user("service_team", [service]))
    iteration = service.iterations[0]
    url = f"/manage/iterations/{iteration.id}/edit"
    response = post_form(client, url, {"label": "第1版", "starts_on": "2026-05-10", "ends_on": "2026-05-01"})
    assert response.status_code == 400
    assert "終了日は開始日と同じ日か、それより後の日にしてください" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Iteration, iteration.id).ends_on is None
    ok = post_form(client, url, {"label": "第1版", "starts_on": "2026-05-10", "ends_on": "2026-05-10"})
    assert ok.status_code == 302


def test_the_session_form_fills_the_municipality_code_from_the_postal_code(client, ctx):
    service = make_service()
    login(client, make_user("service_team", [service]))
    url = f"/manage/iterations/{service.iterations[0].id}/sessions/new"
    page = client.get(url).get_data(as_text=True)
    assert 'name="venue_postal_code"' in page and "市区町村コードを自動で入れます" in page
    assert post_form(client, url, _session_form(venue_postal_code="160-0023")).status_code == 302
    assert db.session.query(TestSession).one().venue_municipality_code == "131041"


def test_an_unknown_or_contradicting_postal_code_is_explained(client, ctx):
    service = make_service()
    login(client, make_user("service_team", [service]))
    url = f"/manage/iterations/{service.iterations[0].id}/sessions/new"
    unknown = post_form(client, url, _session_form(venue_postal_code="000-0000"))
    assert unknown.status_code == 400 and "市区町村を決められませんでした" in unknown.get_data(as_text=True)
    other = post_form(client, url, _session_form(venue_postal_code="160-0023", venue_municipality_code="131016"))
    assert other.status_code == 400 and "131041" in other.get_data(as_text=True)
    assert db.session.query(TestSession).count() == 0


def test_required_selects_start_empty_and_an_empty_choice_is_explained(client, ctx):
    make_service()
    login(client, make_user("admin"))
    page = client.get("/manage/services/new").get_data(as_text=True)
    select = page.split('name="department_id"')[1].split("</select>")[0]
    assert 'value="">' in select.split("<option", 2)[1].split("</option>")[0], select[:200]
    response = post_form(client, "/manage/services/new", {"department_id": "", "name_ja": "新サービス"})
    assert response.status_code == 400 and "担当部局を選んでください" in response.get_data(as_text=True)
