"""JSON API: staff session or bearer token, 404 for other services' objects, errors as JSON, same figures."""
import pytest
from helpers import login, make_service, make_user
from test_reports import comparison_service, known_service

from civictest.reporting import figures
from civictest.extensions import db
from civictest.services import accounts


@pytest.fixture
def world(ctx):
    """Service A (with known figures), service B, A's team, B's team and an admin."""
    service_a, service_b = known_service(), make_service("other", "別のサービス", tasks=1)
    return {"a": service_a, "b": service_b, "team_a": make_user("service_team", [service_a], "a@example.jp"),
            "team_b": make_user("service_team", [service_b], "b@example.jp"),
            "admin": make_user("admin", [], "admin@example.jp")}


def bearer(user) -> dict:  # noqa: ANN001
    token = accounts.issue_api_token(user)
    db.session.commit()
    return {"Authorization": f"Bearer {token}"}


def urls(service) -> list[str]:  # noqa: ANN001
    iteration = service.iterations[0].id
    return [f"/api/v1/iterations/{iteration}/report", f"/api/v1/iterations/{iteration}/segments",
            f"/api/v1/services/{service.id}/trend",
            f"/api/v1/services/{service.id}/compare?base={iteration}&candidate={iteration}"]


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
