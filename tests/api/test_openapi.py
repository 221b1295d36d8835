"""The API's description: every route of the api blueprint is in the OpenAPI document and nothing else is, the
document is valid OpenAPI 3.1, it is served without login (JSON and a page, in both languages), and the
payloads of every endpoint on a known service validate against its response schemas."""
import re

import pytest
from helpers import make_service, make_user
from jsonschema import Draft202012Validator
from openapi_spec_validator import validate
from openapi_spec_validator.validation import OpenAPIV31SpecValidator
from test_reports import known_service

from civictest.api import openapi
from civictest.extensions import db
from civictest.services import accounts

CONVERTER = re.compile(r"<(?:[a-z]+:)?([a-z_]+)>")


def _routes(app) -> set[tuple[str, str]]:  # noqa: ANN001
    return {(CONVERTER.sub(r"{\1}", rule.rule), method.lower()) for rule in app.url_map.iter_rules()
            if rule.endpoint.startswith("api.") for method in rule.methods - {"HEAD", "OPTIONS"}}


def _documented(document: dict) -> set[tuple[str, str]]:
    return {(path, method) for path, methods in document["paths"].items() for method in methods}


def test_every_api_route_is_documented_and_nothing_else(app, client):
    document = client.get("/api/v1/openapi.json").json
    assert _routes(app) == _documented(document)
    assert len(_routes(app)) >= 10


def test_path_parameters_are_the_routes_parameters(client):
    for path, methods in client.get("/api/v1/openapi.json").json["paths"].items():
        in_path = {p["name"] for op in methods.values() for p in op["parameters"] if p["in"] == "path"}
        assert in_path == set(re.findall(r"{([a-z_]+)}", path)), path


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_the_document_is_valid_openapi_3_1(client, lang):
    document = client.get(f"/api/v1/openapi.json?lang={lang}").json
    assert document["openapi"] == "3.1.0"
    validate(document, cls=OpenAPIV31SpecValidator)
    for name, schema in document["components"]["schemas"].items():
        Draft202012Validator.check_schema(schema)


def test_document_and_page_need_no_login_and_speak_both_languages(client):
    ja, en = client.get("/api/v1/openapi.json"), client.get("/api/v1/openapi.json", headers={"Accept-Language": "en"})
    assert ja.status_code == en.status_code == 200 and "WWW-Authenticate" not in ja.headers
    assert ja.json["paths"].keys() == en.json["paths"].keys()
    summary = ja.json["paths"]["/api/v1/services/{service_id}/compare"]["get"]["summary"]
    assert summary != en.json["paths"]["/api/v1/services/{service_id}/compare"]["get"]["summary"]
    assert re.search("[ぁ-ん]", summary) and en.headers["Content-Language"] == "en"
    page = client.get("/api/v1/docs?lang=en")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and page.mimetype == "text/html" and '<html lang="en">' in html
    for path in en.json["paths"]:
        assert f"GET {path}" in html
    assert "<script" not in html and 'id="schema-IterationReport"' in html and "<caption>" in html
    assert "Parameters" in html and "パラメータ" in client.get("/api/v1/docs").get_data(as_text=True)


@pytest.fixture
def world(ctx):
    """Service A with known figures (its first iteration) and an empty second iteration, service B, an admin."""
    return {"a": known_service(), "b": make_service("other", "別のサービス", tasks=1),
            "admin": make_user("admin", [], "admin@example.jp")}


def bearer(user) -> dict:  # noqa: ANN001
    token = accounts.issue_api_token(user)
    db.session.commit()
    return {"Authorization": f"Bearer {token}"}


def _validator(document: dict, path: str, status: str = "200") -> Draft202012Validator:
    schema = document["paths"][path]["get"]["responses"][status]["content"]["application/json"]["schema"]
    return Draft202012Validator({**schema, "components": document["components"]})


def test_every_payload_of_a_known_service_fits_its_schema(client, world):
    from civictest.services import catalog

    from civictest.services.feedback import record_feedback

    service = world["a"]
    second = catalog.create_iteration(service, "第2版")
    db.session.commit()
    record_feedback(service, rating=4, task_done="yes", comment="", lang="ja")  # a live-feedback answer
    db.session.commit()
    first = service.iterations[0].id
    headers = bearer(world["admin"])
    document = client.get("/api/v1/openapi.json").json
    calls = {"/api/v1/services": "/api/v1/services", "/api/v1/overview": "/api/v1/overview",
             "/api/v1/iterations/{iteration_id}/report": f"/api/v1/iterations/{first}/report",
             "/api/v1/iterations/{iteration_id}/segments": f"/api/v1/iterations/{first}/segments",
             "/api/v1/iterations/{iteration_id}/dashboard": f"/api/v1/iterations/{second.id}/dashboard",
             "/api/v1/iterations/{iteration_id}/areas": f"/api/v1/iterations/{first}/areas",
             "/api/v1/services/{service_id}/trend": f"/api/v1/services/{service.id}/trend",
             "/api/v1/services/{service_id}/feedback": f"/api/v1/services/{service.id}/feedback",
             "/api/v1/services/{service_id}/compare":
                 f"/api/v1/services/{service.id}/compare?base={first}&candidate={second.id}"}
    for template, url in calls.items():
        response = client.get(url, headers=headers)
        assert response.status_code == 200, url
        errors = [f"{list(e.absolute_path)}: {e.message}" for e in _validator(document, template).iter_errors(
            response.json)]
        assert errors == [], url
    error = client.get("/api/v1/services?page=0", headers=headers)
    assert list(_validator(document, "/api/v1/services", "400").iter_errors(error.json)) == []


def test_a_schema_catches_a_wrong_payload(client):
    """The schemas are not vacuous: a report without its tasks, or a rate that is text, is refused."""
    document = client.get("/api/v1/openapi.json").json
    validator = _validator(document, "/api/v1/iterations/{iteration_id}/report")
    assert not validator.is_valid({"iteration": None, "counting": "", "options": {}, "overall": {}})
    rate = Draft202012Validator({"$ref": "#/components/schemas/Inconvenience", "components": document["components"]})
    assert rate.is_valid({"n": 0, "inconvenient": None, "rate": None, "lower": None, "upper": None})
    assert not rate.is_valid({"n": 3, "inconvenient": 1, "rate": "0.3", "lower": 0.0, "upper": 1.0})


def test_the_module_builds_the_same_document_as_served(app, client):
    with app.test_request_context("/api/v1/openapi.json?lang=en"):
        assert openapi.document() == client.get("/api/v1/openapi.json?lang=en").json
