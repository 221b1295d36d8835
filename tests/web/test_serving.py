"""CIVICTEST_SERVE=resident|staff|both: a host serves the resident pages, the staff pages or both.

Every blueprint must be classified in BLUEPRINT_SIDES (civictest/__init__.py); the other side's routes answer 404
before CSRF checks, rate limits or login redirects; the pages of both sides (home, health check, accessibility
statement, static files) answer on every host, and links to the other side are not shown.
"""
from __future__ import annotations

import pytest
from conftest import IsolatedClient
from helpers import RESIDENT_CODE, join_and_consent, login, make_service, make_session, make_user

from civictest import BLUEPRINT_SIDES, blueprint_side, create_app
from civictest.config import ConfigError, TestConfig
from civictest.extensions import db

RESIDENT_PAGES = ["/", "/healthz", "/accessibility", "/open-data/", "/resume", "/withdraw", f"/join/{RESIDENT_CODE}",
                  "/static/css/app.css"]
STAFF_PAGES = ["/", "/healthz", "/accessibility", "/auth/login", "/api/v1/openapi.json", "/static/css/app.css"]


@pytest.fixture
def app_serving(app):
    """app_serving(side, **config) -> an app on the suite's database that serves one side."""
    made = []

    def make(side: str, **config):  # noqa: ANN003
        settings = {"SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"], "CIVICTEST_SERVE": side,
                    **config}
        one = create_app(type("ServeConfig", (TestConfig,), settings))
        one.test_client_class = IsolatedClient
        made.append(one)
        return one

    yield make
    for one in made:
        with one.app_context():
            db.engine.dispose()


def _urls_of(app, sides: set[str]) -> list[tuple[str, str]]:  # noqa: ANN001
    """(method, URL) of every route of the blueprints on the given sides, with 1 for each URL parameter."""
    adapter = app.url_map.bind("localhost")
    urls = []
    for rule in app.url_map.iter_rules():
        blueprint = rule.endpoint.rpartition(".")[0]
        if not blueprint or blueprint_side(blueprint) not in sides:
            continue
        url = adapter.build(rule.endpoint, {name: 1 for name in rule.arguments})
        urls.extend((method, url) for method in sorted(rule.methods - {"HEAD", "OPTIONS"}))
    return urls


def test_every_registered_blueprint_is_on_a_side(app):
    """A blueprint added later without a side in BLUEPRINT_SIDES fails here (and stops the app at start-up)."""
    unclassified = [name for name in app.blueprints
                    if not any(name in names for names in BLUEPRINT_SIDES.values())]
    assert unclassified == [], f"add these blueprints to BLUEPRINT_SIDES in civictest/__init__.py: {unclassified}"
    listed = [name for names in BLUEPRINT_SIDES.values() for name in names]
    assert sorted(listed) == sorted(set(listed)), "a blueprint is on one side only"
    assert set(listed) == set(app.blueprints), "no stale names in BLUEPRINT_SIDES"
    with pytest.raises(RuntimeError, match="not classified"):
        blueprint_side("no_such_blueprint")


def test_an_unknown_setting_stops_the_app(app):
    with pytest.raises(ConfigError, match="CIVICTEST_SERVE"):
        create_app(type("Bad", (TestConfig,), {"CIVICTEST_SERVE": "residents"}))


def test_resident_host_serves_resident_pages_and_404s_every_staff_route(app, app_serving, ctx):
    service = make_service()
    make_session(service, invite_code=RESIDENT_CODE)
    resident_app = app_serving("resident")
    client = resident_app.test_client()
    for url in RESIDENT_PAGES:
        assert client.get(url).status_code == 200, url
    staff_urls = _urls_of(resident_app, {"staff"})
    assert len(staff_urls) > 50 and ("POST", "/auth/login") in staff_urls
    answers = {(method, url): client.open(url, method=method).status_code for method, url in staff_urls}
    assert {key: status for key, status in answers.items() if status != 404} == {}
    assert client.delete("/compare/").status_code == 404, "a wrong method on a staff route is a 404 too, not a 405"
    assert client.delete("/resume").status_code == 405, "(on a route of this side it stays a 405)"
    home = client.get("/").get_data(as_text=True)
    assert 'action="/join"' in home and "/auth/login" not in home, "no staff login link on the residents' host"
    join_and_consent(client)  # a resident can take part
    assert client.get("/participate/tasks/1").status_code == 200


def test_staff_host_serves_staff_pages_and_404s_every_resident_route(app, app_serving, ctx):
    service = make_service()
    iteration = service.iterations[0]
    iteration.published = True
    make_session(service, invite_code=RESIDENT_CODE)
    admin = make_user("admin", [], "admin@example.jp")
    staff_app = app_serving("staff", PUBLIC_BASE_URL="https://civictest.city.example.lg.jp")
    client = staff_app.test_client()
    for url in STAFF_PAGES:
        assert client.get(url).status_code == 200, url
    resident_urls = _urls_of(staff_app, {"resident"})
    assert ("POST", "/join/1/consent") in resident_urls and ("GET", "/open-data/") in resident_urls
    answers = {(method, url): client.open(url, method=method).status_code for method, url in resident_urls}
    assert {key: status for key, status in answers.items() if status != 404} == {}
    assert client.get(f"/join/{RESIDENT_CODE}").status_code == 404
    assert client.get("/participate/finish").status_code == 404, "a wrong method on a resident route is a 404 too"
    home = client.get("/").get_data(as_text=True)
    assert "/auth/login" in home and 'action="/join"' not in home, "no code box on the staff host"
    assert login(client, admin).status_code == 302
    assert client.get("/compare/").status_code == 200
    assert client.get("/manage/").status_code == 200
    # A staff page's link to the published open data points at the public site, not at this host's 404.
    downloads = client.get(f"/compare/iterations/{iteration.id}/downloads").get_data(as_text=True)
    assert f'href="https://civictest.city.example.lg.jp/open-data/{iteration.id}/"' in downloads, downloads[-1500:]


def test_both_serves_everything(app, app_serving, ctx):
    make_session(make_service(), invite_code=RESIDENT_CODE)
    client = app_serving("both").test_client()
    for url in {*RESIDENT_PAGES, *STAFF_PAGES}:
        assert client.get(url).status_code == 200, url
    home = client.get("/").get_data(as_text=True)
    assert "/auth/login" in home and 'action="/join"' in home
