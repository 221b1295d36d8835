"""Security headers on every response, and session cookies as ASVS 3.3 asks."""
from conftest import _config_for

from civictest import create_app


def test_security_headers_on_every_get_route_and_error_page(app, client, ctx):
    urls = ["/", "/auth/login", "/healthz", "/resume", "/withdraw", "/join/NOPE", "/no-such-page", "/manage/"]
    urls += [rule.rule for rule in app.url_map.iter_rules()
             if "GET" in rule.methods and not rule.arguments and not rule.rule.startswith("/static")]
    for url in sorted(set(urls)):
        response = client.get(url)
        headers = response.headers
        assert "frame-ancestors 'none'" in headers.get("Content-Security-Policy", ""), url
        assert "object-src 'none'" in headers["Content-Security-Policy"] and "'unsafe-inline'" not in headers["Content-Security-Policy"]
        assert headers.get("X-Content-Type-Options") == "nosniff", url
        assert headers.get("Referrer-Policy") == "same-origin", url


def test_production_cookies_are_secure_host_prefixed_httponly_and_lax(app, ctx):
    config = type("Production", (_config_for(app.config["SQLALCHEMY_DATABASE_URI"]),),
                  {"SESSION_COOKIE_SECURE": True, "SESSION_COOKIE_NAME": "__Host-civictest"})
    production = create_app(config)
    response = production.test_client().get("/auth/login", base_url="https://civictest.example.jp")
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith("__Host-civictest=")
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Path=/" in cookie
    assert "Domain=" not in cookie
    assert response.headers["Strict-Transport-Security"].startswith("max-age=31536000")


def test_config_outside_tests_uses_the_host_prefix_when_secure(monkeypatch):
    from civictest import config

    assert config.Config.SESSION_COOKIE_SECURE is True
    assert config.Config.SESSION_COOKIE_NAME == "__Host-civictest"
    assert config.LocalConfig.SESSION_COOKIE_SECURE is False


def test_max_content_length_is_set(app):
    assert 0 < app.config["MAX_CONTENT_LENGTH"] <= 50 * 1024 * 1024


def test_staff_pages_are_not_cached(client, ctx):
    from helpers import login, make_user

    login(client, make_user("admin"))
    assert client.get("/manage/").headers["Cache-Control"] == "no-store"
