"""JSON API: staff session or bearer token, 404 for other services' objects, errors as JSON, same figures."""
import pytest
from helpers import login, make_service, make_user
from test_reports import comparison_service, known_service

from civictest.reporting import figures
from civictest.extensions import db
from civictest.services import accounts, catalog


@pytest.fixture
def world(ctx):
    """Service A (with known figures and a second, empty iteration), service B, A's team, B's team and an admin."""
    service_a, service_b = known_service(), make_service("other", "別のサービス", tasks=1)
    catalog.create_iteration(service_a, "第2版")
    db.session.commit()
    return {"a": service_a, "b": service_b, "team_a": make_user("service_team", [service_a], "a@example.jp"),
            "team_b": make_user("service_team", [service_b], "b@example.jp"),
            "admin": make_user("admin", [], "admin@example.jp")}


def bearer(user) -> dict:  # noqa: ANN001
    token = accounts.issue_api_token(user)
    db.session.commit()
    return {"Authorization": f"Bearer {token}"}


def urls(service) -> list[str]:  # noqa: ANN001
    iteration, later = service.iterations[0].id, service.iterations[-1].id
    return [f"/api/v1/iterations/{iteration}/report", f"/api/v1/iterations/{iteration}/segments",
            f"/api/v1/services/{service.id}/trend", f"/api/v1/services/{service.id}/feedback",
            f"/api/v1/services/{service.id}/compare?base={iteration}&candidate={later}",
            f"/api/v1/iterations/{later}/dashboard", f"/api/v1/iterations/{iteration}/areas"]


def test_anonymous_gets_401_json_with_a_message(client, world):
    for url in ["/api/v1/services", *urls(world["a"])]:
        response = client.get(url)
        assert response.status_code == 401 and response.is_json
        assert response.json["error"]["message"]


def test_unknown_token_is_401(client, world):
    response = client.get("/api/v1/services", headers={"Authorization": "Bearer not-a-token"})
    assert response.status_code == 401 and response.json["error"]["status"] == 401


def test_disabled_users_token_stops_working(client, world):
    headers = bearer(world["team_a"])
    world["team_a"].active = False
    db.session.commit()
    assert client.get("/api/v1/services", headers=headers).status_code == 401


def test_bearer_token_reads_the_same_report_as_the_service(client, world):
    headers = bearer(world["team_a"])
    response = client.get(urls(world["a"])[0], headers=headers)
    assert response.status_code == 200
    assert response.json == figures.iteration_report(world["a"].iterations[0])
    assert response.json["tasks"][0]["completion"]["completion_rate"] == 0.8


def test_every_endpoint_answers_the_team_of_the_service(client, world):
    headers = bearer(world["team_a"])
    for url in urls(world["a"]):
        response = client.get(url, headers=headers)
        assert response.status_code == 200, url
        assert response.is_json


def test_another_services_team_gets_404_json(client, world):
    headers = bearer(world["team_b"])
    for url in urls(world["a"]):
        response = client.get(url, headers=headers)
        assert response.status_code == 404, url
        assert response.is_json and response.json["error"]["message"]


def test_unknown_objects_are_404(client, world):
    headers = bearer(world["admin"])
    assert client.get("/api/v1/iterations/999999/report", headers=headers).status_code == 404
    assert client.get("/api/v1/services/999999/trend", headers=headers).status_code == 404


def test_services_lists_only_what_the_caller_may_see(client, world):
    mine = client.get("/api/v1/services", headers=bearer(world["team_a"])).json["services"]
    assert [s["id"] for s in mine] == [world["a"].id]
    assert mine[0]["iterations"][0]["id"] == world["a"].iterations[0].id
    everything = client.get("/api/v1/services", headers=bearer(world["admin"])).json["services"]
    assert {s["id"] for s in everything} == {world["a"].id, world["b"].id}


def test_staff_session_works_without_a_token(client, world):
    login(client, world["team_a"])
    response = client.get(urls(world["a"])[2])
    assert response.status_code == 200 and response.json["points"][0]["participants"] == 8


def test_compare_needs_two_iteration_ids_of_that_service(client, world):
    headers = bearer(world["admin"])
    service = world["a"]
    assert client.get(f"/api/v1/services/{service.id}/compare", headers=headers).status_code == 400
    bad = client.get(f"/api/v1/services/{service.id}/compare?base=x&candidate=1", headers=headers)
    assert bad.status_code == 400 and bad.json["error"]["message"]
    foreign = world["b"].iterations[0].id
    url = f"/api/v1/services/{service.id}/compare?base={service.iterations[0].id}&candidate={foreign}"
    assert client.get(url, headers=headers).status_code == 404


def test_compare_returns_the_comparison(client, ctx):
    service = comparison_service()
    base, candidate = service.iterations
    admin = make_user("admin", [], "root@example.jp")
    url = f"/api/v1/services/{service.id}/compare?base={base.id}&candidate={candidate.id}"
    result = client.get(url, headers=bearer(admin)).json
    assert result["tasks"][0]["completion"]["n1_z"] == pytest.approx(2.1348, abs=5e-5)
    assert result["difference"] == "candidate_minus_base"


def test_segments_use_the_configured_k(client, world, app):
    headers = bearer(world["team_a"])
    result = client.get(urls(world["a"])[1], headers=headers).json
    assert result["k"] == app.config["SUPPRESSION_K"]
    assert all(cell["n"] is None or cell["n"] >= result["k"] for cell in result["cells"])


# ---------------------------------------------------------------- issue 18: challenges, parameters, language, pages
def test_401_carries_a_bearer_challenge(client, world):
    anonymous = client.get("/api/v1/services")
    assert anonymous.headers["WWW-Authenticate"] == 'Bearer realm="civictest"'
    wrong = client.get(urls(world["a"])[0], headers={"Authorization": "Bearer not-a-token"})
    assert wrong.status_code == 401
    assert wrong.headers["WWW-Authenticate"].startswith('Bearer realm="civictest", error="invalid_token"')
    ok = client.get("/api/v1/services", headers=bearer(world["admin"]))
    assert ok.status_code == 200 and "WWW-Authenticate" not in ok.headers


def _parameter_error(response, name: str) -> dict:  # noqa: ANN001
    assert response.status_code == 400 and response.is_json, response.get_data(as_text=True)
    error = response.json["error"]
    assert error["status"] == 400 and error["parameter"] == name and name in error["message"]
    return error


@pytest.mark.parametrize(("query", "name"), [
    ("candidate=1", "base"), ("base=1", "candidate"), ("base=x&candidate=1", "base"),
    ("base=1&candidate=0", "candidate"), ("base=1&candidate=99999999999999999999", "candidate"),
    ("base=1.5&candidate=2", "base"), ("base=1&candidate=" + "9" * 5000, "candidate")])
def test_compare_parameter_errors_name_the_parameter(client, world, query, name):
    url = f"/api/v1/services/{world['a'].id}/compare?{query}"
    _parameter_error(client.get(url, headers=bearer(world["admin"])), name)


def test_compare_refuses_an_iteration_with_itself(client, world):
    iteration = world["a"].iterations[0].id
    url = f"/api/v1/services/{world['a'].id}/compare?base={iteration}&candidate={iteration}"
    error = _parameter_error(client.get(url, headers=bearer(world["admin"])), "candidate")
    assert "base" in error["message"]


def test_dashboard_and_areas_parameters(client, world):
    headers, iteration = bearer(world["admin"]), world["a"].iterations[-1].id
    _parameter_error(client.get(f"/api/v1/iterations/{iteration}/dashboard?base={iteration}", headers=headers), "base")
    _parameter_error(client.get(f"/api/v1/iterations/{iteration}/dashboard?task=abc", headers=headers), "task")
    _parameter_error(client.get(f"/api/v1/iterations/{iteration}/areas?task=-3", headers=headers), "task")
    assert client.get(f"/api/v1/iterations/{iteration}/dashboard?base=0", headers=headers).json["base"] is None


def test_ids_beyond_64_bits_are_404_not_500(client, world):
    headers, huge = bearer(world["admin"]), 2**63
    for url in (f"/api/v1/iterations/{huge}/report", f"/api/v1/services/{huge}/trend",
                f"/api/v1/iterations/{huge * 1000}/dashboard"):
        response = client.get(url, headers=headers)
        assert response.status_code == 404 and response.is_json, url


def test_accept_language_chooses_the_messages_language(client, world):
    url = f"/api/v1/services/{world['a'].id}/compare"
    headers = bearer(world["admin"])
    japanese = client.get(url, headers=headers).json["error"]["message"]
    english = client.get(url, headers={**headers, "Accept-Language": "en-GB,en;q=0.9,ja;q=0.5"})
    assert english.json["error"]["message"] == "base is required."
    assert english.headers["Content-Language"] == "en" and "Accept-Language" in english.headers["Vary"]
    assert japanese != english.json["error"]["message"] and "必須" in japanese
    asked = client.get(url + "?lang=ja", headers={**headers, "Accept-Language": "en"})
    assert asked.json["error"]["message"] == japanese
    unauthorised = client.get("/api/v1/services", headers={"Accept-Language": "en"})
    assert unauthorised.json["error"]["message"] == "Please log in."


def test_accept_language_does_not_change_the_site_pages(client, ctx):
    page = client.get("/", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert '<html lang="ja">' in page


def _services(n: int) -> None:
    for i in range(n):
        make_service(f"dept{i}", f"サービス{i}", tasks=1)


def test_services_are_paginated_with_links(client, world):
    _services(3)  # five services in all
    headers = bearer(world["admin"])
    first = client.get("/api/v1/services?per_page=2", headers=headers)
    body = first.json
    assert len(body["services"]) == 2 and body["total"] == 5 and body["page"] == 1 and body["per_page"] == 2
    assert body["prev"] is None and body["next"] == "/api/v1/services?page=2&per_page=2"
    assert first.headers["Link"] == '</api/v1/services?page=2&per_page=2>; rel="next"'
    seen, url = [s["id"] for s in body["services"]], body["next"]
    while url:
        page = client.get(url, headers=headers).json
        seen += [s["id"] for s in page["services"]]
        url = page["next"]
    assert len(seen) == len(set(seen)) == 5
    last = client.get("/api/v1/services?per_page=2&page=3", headers=headers)
    assert len(last.json["services"]) == 1 and last.json["next"] is None and 'rel="prev"' in last.headers["Link"]
    beyond = client.get("/api/v1/services?page=9", headers=headers).json
    assert beyond["services"] == [] and beyond["next"] is None
    assert len(client.get("/api/v1/services", headers=headers).json["services"]) == 5  # default per_page 20


@pytest.mark.parametrize(("query", "name"), [("per_page=101", "per_page"), ("per_page=0", "per_page"),
                                             ("page=0", "page"), ("page=two", "page")])
def test_pagination_parameters_are_checked(client, world, query, name):
    _parameter_error(client.get(f"/api/v1/services?{query}", headers=bearer(world["admin"])), name)
    _parameter_error(client.get(f"/api/v1/overview?{query}", headers=bearer(world["admin"])), name)


def test_overview_is_paginated(client, world):
    headers = bearer(world["admin"])
    body = client.get("/api/v1/overview?per_page=1", headers=headers).json
    assert len(body["services"]) == 1 and body["total"] == 2 and body["next"] == "/api/v1/overview?page=2&per_page=1"
    second = client.get(body["next"], headers=headers).json["services"]
    assert {body["services"][0]["service"]["id"], second[0]["service"]["id"]} == {world["a"].id, world["b"].id}
