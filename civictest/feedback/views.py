"""GET/POST /feedback/<service id>: the form a service embeds; /feedback/<service id>/thanks after an answer.

No session, no cookie and no JavaScript: the language is ?lang= (carried in the form's action), the form token
replaces the session-based CSRF token (civictest/feedback/tokens.py), the honeypot and the per-address limit
keep scripts out. Only these pages may be framed, by the service's own site (civictest.web.headers)."""
from __future__ import annotations

from flask import abort, current_app, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_limiter.util import get_remote_address

from civictest.extensions import csrf, db, limiter
from civictest.feedback import bp, tokens
from civictest.feedback.forms import FeedbackForm
from civictest.models import Service
from civictest.services.feedback import live_iteration, record_feedback
from civictest.web import headers


def _service_or_404(service_id: int) -> Service:
    service = db.session.get(Service, service_id)
    if service is None or live_iteration(service) is None:
        abort(404)
    return service


def _origins(view_args: dict) -> list[str]:
    service = db.session.get(Service, view_args.get("service_id") or 0)
    return tokens.frame_ancestors(service.url) if service is not None else []


headers.allow_framing("feedback.form", _origins)
headers.allow_framing("feedback.thanks", _origins)


def _lang() -> str:
    return str(get_locale() or "ja")


def _limit() -> str:
    return current_app.config["FEEDBACK_RATE_LIMIT"]


@bp.route("/<int:service_id>", methods=["GET", "POST"])
@csrf.exempt  # anonymous and cookie-less: the signed form token stands in for it (docs/feedback.md)
@limiter.limit(_limit, key_func=get_remote_address, methods=["POST"], scope="feedback-ip")
def form(service_id: int):  # noqa: ANN201
    service = _service_or_404(service_id)
    form = FeedbackForm()
    expired = False
    if request.method == "POST":
        if form.website.data:  # the honeypot: answer as if stored, store nothing
            return redirect(url_for("feedback.thanks", service_id=service.id, lang=_lang()))
        expired = not tokens.is_valid(form.token.data, service.id)
        if form.validate() and not expired:
            record_feedback(service, rating=int(form.rating.data), task_done=form.task_done.data or None,
                            comment=form.comment.data or "", lang=_lang())
            db.session.commit()
            return redirect(url_for("feedback.thanks", service_id=service.id, lang=_lang()))
    form.token.data = tokens.issue(service.id)
    status = 400 if request.method == "POST" else 200
    return render_template("feedback/form.html", service=service, form=form, expired=expired,
                           form_has_errors=status == 400), status


@bp.route("/<int:service_id>/thanks")
def thanks(service_id: int):  # noqa: ANN201
    service = _service_or_404(service_id)
    return render_template("feedback/thanks.html", service=service)


@bp.errorhandler(429)
def flooded(error):  # noqa: ANN001, ANN201
    """Too many answers from one address: a kind page inside the frame (the other addresses are unaffected)."""
    service = db.session.get(Service, (request.view_args or {}).get("service_id") or 0)
    message = _("短い時間にたくさんの送信がありました。お手数ですが、しばらく待ってからもう一度お送りください。")
    return render_template("feedback/limited.html", service=service, message=message), 429, {"Retry-After": "60"}
