"""Absolute URLs in the publicly cached open-data files come from PUBLIC_BASE_URL, never from a Host header."""
import json

import pytest
from conftest import _config_for
from helpers import make_service

from civictest import create_app
from civictest.config import _host_list
from civictest.services import catalog

EVIL = "evil.example"
PAGES = ("metadata.json", "metrics.json", "")  # the metadata file, the JSON with attribution, the dataset page


def _app_with(app, **settings):  # noqa: ANN001, ANN003, ANN202
    config = type("Hosts", (_config_for(app.config["SQLALCHEMY_DATABASE_URI"]),), settings)
    other = create_app(config)
    other.test_client_class = app.test_client_class
    return other


@pytest.fixture
def iteration(ctx):
    service = make_service(tasks=1)
    first = service.iterations[0]
    catalog.set_published(first, True)
    from civictest.extensions import db

    db.session.commit()
    return first


def _publish_again(other, iteration) -> None:  # noqa: ANN001
    """Publish the iteration again (a new snapshot version) under another app's configuration."""
    from civictest.extensions import db
    from civictest.models import Iteration

    with other.app_context():
        again = db.session.get(Iteration, iteration.id)
        catalog.set_published(again, False)
        catalog.set_published(again, True)
        db.session.commit()


def _bodies(client, iteration, host: str):  # noqa: ANN001, ANN202
    for page in PAGES:
        response = client.get(f"/open-data/{iteration.id}/{page}", headers={"Host": host})
        yield page, response


def test_a_forged_host_is_not_in_the_metadata_without_configuration(client, iteration):
    for page, response in _bodies(client, iteration, EVIL):
        assert response.status_code == 200 and EVIL not in response.get_data(as_text=True), page
    meta = json.loads(client.get(f"/open-data/{iteration.id}/metadata.json").get_data(as_text=True))
    assert meta["distributions"][0]["url"] == f"/open-data/{iteration.id}/metrics.csv"  # relative, not guessed


def test_absolute_urls_come_from_the_public_base_url(app, iteration):
    public_app = _app_with(app, PUBLIC_BASE_URL="https://civictest.city.example.lg.jp")
    _publish_again(public_app, iteration)  # the files are frozen at publication: published where the URL is set
    public = public_app.test_client()
    for page, response in _bodies(public, iteration, EVIL):
        body = response.get_data(as_text=True)
        assert response.status_code == 200 and EVIL not in body, page
    meta = json.loads(public.get(f"/open-data/{iteration.id}/metadata.json", headers={"Host": EVIL}).get_data(as_text=True))
    assert meta["distributions"][0]["url"] == f"https://civictest.city.example.lg.jp/open-data/{iteration.id}/metrics.csv"
    assert f"https://civictest.city.example.lg.jp/open-data/{iteration.id}/" in meta["attribution"]["ja"]


def test_trusted_hosts_refuse_any_other_host(app, iteration):
    trusted_app = _app_with(app, TRUSTED_HOSTS=["civictest.city.example.lg.jp"])
    _publish_again(trusted_app, iteration)  # the files are frozen at publication, on the trusted host
    trusted = trusted_app.test_client()
    for page, response in _bodies(trusted, iteration, EVIL):
        assert response.status_code == 400 and EVIL not in response.get_data(as_text=True), page
    meta = json.loads(trusted.get(f"/open-data/{iteration.id}/metadata.json",
                                  headers={"Host": "civictest.city.example.lg.jp"}).get_data(as_text=True))
    assert meta["distributions"][0]["url"] == f"https://civictest.city.example.lg.jp/open-data/{iteration.id}/metrics.csv"


def test_trusted_hosts_come_from_a_comma_separated_list_with_the_public_host():
    assert _host_list(None) is None and _host_list(" , ") is None
    assert _host_list("a.example, .b.example", "https://c.example/") == ["a.example", ".b.example", "c.example"]
    assert _host_list("a.example", "https://a.example") == ["a.example"]


@pytest.mark.parametrize("settings", [
    {"TRUSTED_HOSTS": ["civictest.city.example.lg.jp"], "PUBLIC_BASE_URL": "https://civictest.city.example.lg.jp"},
    {"TRUSTED_HOSTS": [".example.lg.jp", "civictest.city.example.lg.jp"]},
])
def test_the_export_command_works_with_trusted_hosts(app, iteration, tmp_path, settings):
    """The CLI builds the package's URL in a request context of its own: on the public host, not localhost."""
    out = tmp_path / "figures.json"
    configured = _app_with(app, **settings)
    with configured.app_context():  # the command runs in the current app context (the test's holds another app)
        result = configured.test_cli_runner().invoke(
            args=["export", "--iteration", str(iteration.id), "--what", "opendata", "--format", "json",
                  "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert json.loads(out.read_text(encoding="utf-8"))
