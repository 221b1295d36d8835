"""Request ids and structured logs: every request gets an id, the response names it, logs carry it.

The id comes from the proxy's `X-Request-ID` when it is a safe token (letters, digits, `.`, `_`, `-`; at most
64), else a new one. With LOG_FORMAT=json the app writes one JSON line per request (method, path without the
query string, status, duration in ms, request id) and every other log record of the app as JSON with the
request id. Never a query string, a form value, a header or anything else a resident typed.
"""
from __future__ import annotations

import json
import logging
import re
import sys
import time
import uuid

from flask import Flask, Response, g, has_request_context, request

HEADER = "X-Request-ID"
SAFE_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")
access_log = logging.getLogger("civictest.requests")


def request_id() -> str | None:
    return g.get("request_id") if has_request_context() else None


class JsonFormatter(logging.Formatter):
    """One JSON object per record: time, level, logger, message (or the request's fields), request id."""

    def format(self, record: logging.LogRecord) -> str:
        line = {"time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S%z"), "level": record.levelname,
                "logger": record.name}
        fields = getattr(record, "fields", None)
        if fields:
            line.update(fields)
        else:
            line["message"] = record.getMessage()
        line.setdefault("request_id", request_id())
        if record.exc_info:
            line["error"] = record.exc_info[0].__name__ if record.exc_info[0] else None
            line["traceback"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False)


def install(app: Flask) -> None:
    if app.config.get("LOG_FORMAT") == "json":
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(JsonFormatter())
        handler.set_name("civictest-json")
        logger = logging.getLogger("civictest")
        if not any(h.get_name() == "civictest-json" for h in logger.handlers):
            logger.addHandler(handler)
        logger.setLevel(logging.INFO)
        logger.propagate = False  # one line per record, not a second plain-text copy

    @app.before_request
    def _start() -> None:
        given = request.headers.get(HEADER, "")
        g.request_id = given if SAFE_ID.fullmatch(given) else uuid.uuid4().hex
        g.request_started = time.perf_counter()

    @app.after_request
    def _finish(response: Response) -> Response:
        rid = g.get("request_id")
        if rid is None:  # a response made before before_request ran (e.g. a 400 for an untrusted host)
            rid = g.request_id = uuid.uuid4().hex
        response.headers[HEADER] = rid
        if app.config.get("LOG_FORMAT") == "json":
            started = g.get("request_started")
            duration = round((time.perf_counter() - started) * 1000, 1) if started is not None else None
            access_log.info("request", extra={"fields": {
                "event": "request", "method": request.method, "path": request.path,
                "status": response.status_code, "duration_ms": duration, "request_id": rid}})
        return response


def init_error_reporting(app: Flask) -> bool:
    """Sentry-compatible error reporting when SENTRY_DSN is set: no personal data sent, no tracing."""
    dsn = app.config.get("SENTRY_DSN")
    if not dsn:
        return False
    import sentry_sdk
    from sentry_sdk.integrations.flask import FlaskIntegration

    sentry_sdk.init(dsn=dsn, integrations=[FlaskIntegration()], send_default_pii=False,
                    traces_sample_rate=0.0, environment=app.config.get("SENTRY_ENVIRONMENT") or None,
                    before_send=_scrub)
    return True


def _scrub(event: dict, hint: dict) -> dict:  # noqa: ARG001
    """Only the path of the request: no query string, cookies, headers or body reach the server."""
    req = event.get("request")
    if isinstance(req, dict):
        event["request"] = {"method": req.get("method"), "url": (req.get("url") or "").split("?")[0]}
    event.setdefault("tags", {})
    rid = request_id()
    if rid:
        event["tags"]["request_id"] = rid
    return event
