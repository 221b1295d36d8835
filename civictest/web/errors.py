"""Errors as pages for people and as JSON under /api; a locked SQLite database is a 503 with Retry-After."""
from __future__ import annotations

import logging

from flask import Flask, g, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import OperationalError
from werkzeug.exceptions import HTTPException, SecurityError

from civictest.extensions import db
from civictest.services.errors import DomainError, SessionClosed

log = logging.getLogger(__name__)
RETRY_AFTER_SECONDS = "2"


def _wants_json() -> bool:
    return request.path.startswith("/api/")


def _messages() -> dict[int, str]:
    return {
        400: _("送信内容を確認できませんでした。もう一度お試しください。"),
        401: _("ログインが必要です。"),
        403: _("このページを表示する権限がありません。"),
        404: _("ページが見つかりません。"),
        405: _("この方法ではページを利用できません。"),
        413: _("送信されたデータが大きすぎます。"),
        429: _("短い時間にたくさんの送信がありました。少し待ってからもう一度お試しください。"),
        500: _("システムで問題が起きました。時間をおいてもう一度お試しください。"),
        503: _("ただいま混み合っています。少し待ってからもう一度送信してください。入力した内容は失われていません。"),
    }


def render_error(status: int, message: str | None = None):  # noqa: ANN201
    text = message or _messages().get(status, _messages()[500])
    if _wants_json():
        return jsonify(error={"status": status, "message": text}), status
    return render_template("errors/error.html", status=status, message=text), status


def _domain_message(error: DomainError) -> str | None:
    """The page's message for a domain error; services raise codes, the wording lives here, translated."""
    if isinstance(error, SessionClosed):
        return _("このテストセッションは受付を終了しました。ご協力ありがとうございました。")
    return None


def register(app: Flask) -> None:
    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):  # noqa: ANN202
        if isinstance(error, SecurityError):  # a Host outside TRUSTED_HOSTS: no URL can be built, so no page
            log.info("security.untrusted_host host=%r", request.environ.get("HTTP_HOST", "")[:100])
            return app.make_response((_messages()[400], 400, {"Content-Type": "text/plain; charset=utf-8"}))
        if error.code == 401 and not _wants_json():
            return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
        response, status = render_error(error.code or 500)
        response = app.make_response((response, status))
        if status == 429:
            response.headers["Retry-After"] = "60"
        return response

    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError):  # noqa: ANN202
        log.info("security.csrf_rejected path=%s reason=%s", request.path, error.description)
        return render_error(400, _("フォームの有効期限が切れたか、送信元を確認できませんでした。ページを開き直してもう一度送信してください。"))

    @app.errorhandler(DomainError)
    def domain_error(error: DomainError):  # noqa: ANN202
        db.session.rollback()
        return render_error(error.status, _domain_message(error))

    @app.errorhandler(OperationalError)
    def database_busy(error: OperationalError):  # noqa: ANN202
        db.session.rollback()
        log.warning("database unavailable: %s", str(error.orig)[:200])
        response = app.make_response(render_error(503))
        response.headers["Retry-After"] = RETRY_AFTER_SECONDS
        return response

    @app.errorhandler(Exception)
    def server_error(error: Exception):  # noqa: ANN202
        db.session.rollback()
        if app.testing:
            raise error  # tests see the traceback instead of a polite page
        log.exception("unhandled error on %s %s (request %s)", request.method, request.path, g.get("request_id"))
        return render_error(500)
