"""Issue 17.4: request ids, one JSON log line per request (no query strings, no personal data), errors logged
with the request id, and optional Sentry-compatible error reporting."""
import json
import logging

import pytest
import sentry_sdk
from conftest import _config_for

from civictest import create_app


def _app_with(app, **settings):  # noqa: ANN001, ANN003, ANN202
    config = type("Logged", (_config_for(app.config["SQLALCHEMY_DATABASE_URI"]),), settings)
    other = create_app(config)
    other.test_client_class = app.test_client_class
    return other


@pytest.fixture
def civictest_logger():
    """The app's logger as it was: LOG_FORMAT=json adds a handler to it for the process."""
    logger = logging.getLogger("civictest")
    handlers, propagate, level = list(logger.handlers), logger.propagate, logger.level
    yield logger
    logger.handlers[:] = handlers
    logger.propagate, logger.level = propagate, level


def _json_lines(text: str) -> list[dict]:
    return [json.loads(line) for line in text.splitlines() if line.startswith("{")]


def test_a_safe_request_id_is_kept_and_an_unsafe_one_replaced(client):
    assert client.get("/", headers={"X-Request-ID": "abc-123_X.y"}).headers["X-Request-ID"] == "abc-123_X.y"
    for bad in ("a b", "<script>", "x" * 65, "ＩＤ"):
        given = client.get("/", headers={"X-Request-ID": bad}).headers["X-Request-ID"]
        assert given != bad and len(given) == 32 and given.isalnum()
    first, second = client.get("/").headers["X-Request-ID"], client.get("/").headers["X-Request-ID"]
    assert first != second


def test_one_json_line_per_request_without_query_string(app, capsys, civictest_logger):
    logged = _app_with(app, LOG_FORMAT="json").test_client()
    response = logged.get("/open-data/?lang=en&email=taro@example.jp", headers={"X-Request-ID": "req-1"})
    assert response.status_code == 200
    err = capsys.readouterr().err
    lines = [line for line in _json_lines(err) if line.get("event") == "request"]
    assert lines == [{"time": lines[0]["time"], "level": "INFO", "logger": "civictest.requests", "event": "request",
                      "method": "GET", "path": "/open-data/", "status": 200,
                      "duration_ms": lines[0]["duration_ms"], "request_id": "req-1"}]
    assert isinstance(lines[0]["duration_ms"], float)
    assert "taro" not in err and "lang=en" not in err


def test_errors_are_logged_with_the_request_id(app, capsys, civictest_logger):
    broken = _app_with(app, LOG_FORMAT="json", TESTING=False, PROPAGATE_EXCEPTIONS=False)

    @broken.route("/boom")
    def boom():  # noqa: ANN202
        raise RuntimeError("kaboom")

    response = broken.test_client().get("/boom?q=secret", headers={"X-Request-ID": "req-err"})
    assert response.status_code == 500 and response.headers["X-Request-ID"] == "req-err"
    lines = _json_lines(capsys.readouterr().err)
    errors = [line for line in lines if line["level"] == "ERROR"]
    assert errors and errors[0]["request_id"] == "req-err" and errors[0]["error"] == "RuntimeError"
    assert "secret" not in json.dumps(lines)
    assert [line["status"] for line in lines if line.get("event") == "request"] == [500]


def test_text_logs_by_default(app, capsys, civictest_logger):
    _app_with(app).test_client().get("/")
    assert _json_lines(capsys.readouterr().err) == []


def test_error_reporting_only_with_a_dsn(app, monkeypatch):
    calls = []
    monkeypatch.setattr(sentry_sdk, "init", lambda *a, **k: calls.append(k))
    _app_with(app)  # SENTRY_DSN unset
    assert calls == [] and not sentry_sdk.get_client().is_active()
    monkeypatch.undo()
    try:
        _app_with(app, SENTRY_DSN="http://public@127.0.0.1:9/1")
        client = sentry_sdk.get_client()
        assert client.is_active() and client.dsn == "http://public@127.0.0.1:9/1"
        assert client.options["send_default_pii"] is False
        assert any(type(i).__name__ == "FlaskIntegration" for i in client.integrations.values())
    finally:
        sentry_sdk.get_client().close(timeout=0)
        sentry_sdk.get_global_scope().set_client(None)
