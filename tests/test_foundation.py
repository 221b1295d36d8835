"""The house: health check, security headers, error pages, language choice."""
import pytest
from sqlalchemy import text

from civictest.extensions import db


def test_healthz_reports_database_ok(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": "ok"}


def test_healthz_is_503_when_the_database_fails(client, app, monkeypatch):
    def broken(*args, **kwargs):  # noqa: ANN002, ANN003
        raise RuntimeError("database gone")

    with app.app_context():
        monkeypatch.setattr(db.session, "execute", broken)
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.get_json()["database"] == "unavailable"


def test_every_response_carries_security_headers(client):
    for url in ("/", "/auth/login", "/no-such-page", "/healthz"):
        response = client.get(url)
        csp = response.headers["Content-Security-Policy"]
        assert "frame-ancestors 'none'" in csp and "script-src 'self'" in csp and "unsafe-inline" not in csp
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["Referrer-Policy"] == "same-origin"


def test_pages_are_japanese_by_default_and_english_on_request(client):
    ja = client.get("/").get_data(as_text=True)
    assert '<html lang="ja">' in ja and "市民参加型ユーザーテスト" in ja
    en = client.get("/?lang=en").get_data(as_text=True)
    assert '<html lang="en">' in en and "Civic user testing" in en
    remembered = client.get("/auth/login").get_data(as_text=True)
    assert '<html lang="en">' in remembered, "the language choice is remembered"


def test_unknown_page_is_a_404_page_in_the_users_language(client):
    response = client.get("/no-such-page?lang=en")
    assert response.status_code == 404
    assert "Page not found" in response.get_data(as_text=True)


def test_sqlite_runs_with_wal_and_foreign_keys(app, ctx, is_postgres):
    if is_postgres:
        pytest.skip("SQLite pragmas do not apply to PostgreSQL")
    assert db.session.execute(text("PRAGMA journal_mode")).scalar() == "wal"
    assert db.session.execute(text("PRAGMA foreign_keys")).scalar() == 1
