"""Forgotten passwords: the request page (the same answer whether or not the address has an account) and the
page behind the e-mailed link."""
from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _

from civictest.auth import bp
from civictest.auth.forms import ForgotPasswordForm, NewPasswordForm
from civictest.extensions import db, limiter
from civictest.security import audit
from civictest.services import accounts, password_reset


def _address_key() -> str:
    return "reset:" + accounts.normalise_email(request.form.get("email", ""))[:254]


def _link_for(token: str) -> str | None:
    """The reset page's absolute URL from the configured site (PUBLIC_BASE_URL, else a trusted host), never
    from the Host header of the request that asked for it."""
    from civictest.web.urls import site_url

    base = site_url()
    return f"{base.rstrip('/')}{url_for('auth.reset_password', token=token)}" if base else None


@bp.route("/forgot", methods=["GET", "POST"])
@limiter.limit("3 per hour", methods=["POST"], key_func=_address_key)
@limiter.limit("10 per minute; 30 per hour", methods=["POST"])
def forgot_password():
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        outcome = password_reset.request_reset(form.email.data, str(get_locale() or "ja"), _link_for)
        audit("password_reset_requested", outcome=outcome,
              email_hash=accounts.hash_token(accounts.normalise_email(form.email.data))[:12])
        db.session.commit()
        return render_template("auth/forgot_sent.html")
    return render_template("auth/forgot.html", form=form), 200 if not form.errors else 400


@bp.route("/reset/<token>", methods=["GET", "POST"])
@limiter.limit("10 per minute", methods=["POST"])
def reset_password(token: str):
    user = password_reset.user_for_token(token)
    if user is None:
        return render_template("auth/reset_invalid.html",
                               minutes=current_app.config.get("PASSWORD_RESET_MINUTES", 60)), 400
    form = NewPasswordForm()
    if form.validate_on_submit():
        accounts.set_password(user, form.password.data)  # the hash changes: this link (and any other) dies
        audit("password_reset", user, user=user)
        db.session.commit()
        flash(_("パスワードを変更しました。新しいパスワードでログインしてください。"))
        return redirect(url_for("auth.login"))
    return render_template("auth/reset.html", form=form), 200 if not form.errors else 400
