"""The signed-in person's own account: how they sign in, and the TOTP second factor of a password account."""
from flask import current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from civictest.auth import bp
from civictest.auth.forms import CodeForm
from civictest.extensions import db, limiter
from civictest.security import audit
from civictest.services import two_factor
from civictest.services.errors import InvalidInput

# Pages an admin who must set up a second factor can still reach.
_SETUP_ENDPOINTS = {"auth.account", "auth.enrol_totp", "auth.logout", "static", "site.accessibility"}


@bp.before_app_request
def _admins_set_up_a_second_factor():  # noqa: ANN202
    """REQUIRE_TOTP_FOR_ADMINS: an admin signed in with a local password and no TOTP goes to the set-up page."""
    if not current_app.config.get("REQUIRE_TOTP_FOR_ADMINS") or request.endpoint in _SETUP_ENDPOINTS:
        return None
    if (not current_user.is_authenticated or current_user.role != "admin" or current_user.has_totp
            or session.get("auth_method") == "oidc"):
        return None
    flash(_("管理者は2段階認証の設定が必要です。設定を済ませてから続けてください。"))
    return redirect(url_for("auth.enrol_totp"))


def _code_limit_key() -> str:
    return f"totp-account:{current_user.get_id() if current_user.is_authenticated else ''}"


@bp.route("/account")
@login_required
def account():
    return render_template("auth/account.html", user=current_user, method=session.get("auth_method", ""),
                           codes_left=two_factor.recovery_codes_left(current_user) if current_user.has_totp else 0,
                           disable_form=CodeForm(prefix="disable"))


@bp.route("/account/two-factor", methods=["GET", "POST"])
@login_required
@limiter.limit("5 per minute; 20 per hour", methods=["POST"], key_func=_code_limit_key)
def enrol_totp():
    user = current_user._get_current_object()
    if not user.has_password:
        flash(_("このアカウントは庁内アカウントでログインします。2段階認証は庁内アカウントの設定に従います。"))
        return redirect(url_for("auth.account"))
    form = CodeForm()
    if form.validate_on_submit() and user.totp_pending_secret:
        try:
            codes = two_factor.confirm_enrolment(user, form.code.data)
        except InvalidInput:
            audit("totp_enrol_failed", user)
            db.session.commit()
            form.code.errors.append(_("確認コードが正しくありません。認証アプリに今表示されている数字を入力してください"))
        else:
            audit("totp_enabled", user)
            db.session.commit()
            return render_template("auth/recovery_codes.html", codes=codes)
    if not user.totp_pending_secret:
        two_factor.begin_enrolment(user)
        db.session.commit()
    secret = user.totp_pending_secret
    uri = two_factor.provisioning_uri(user, secret)
    return render_template("auth/enrol_totp.html", form=form, qr=two_factor.qr_code(uri),
                           secret=two_factor.format_secret(secret), replacing=user.has_totp), \
        200 if not form.errors else 400


@bp.route("/account/two-factor/off", methods=["POST"])
@login_required
@limiter.limit("5 per minute; 20 per hour", key_func=_code_limit_key)
def disable_totp():
    user = current_user._get_current_object()
    form = CodeForm(prefix="disable")
    if current_app.config.get("REQUIRE_TOTP_FOR_ADMINS") and user.role == "admin":
        flash(_("管理者は2段階認証を止めることができません。"), "error")
        return redirect(url_for("auth.account"))
    if form.validate_on_submit() and two_factor.verify(user, form.code.data):
        two_factor.remove(user)
        audit("totp_disabled", user)
        db.session.commit()
        flash(_("2段階認証を止めました"))
        return redirect(url_for("auth.account"))
    db.session.commit()
    flash(_("確認コードが正しくないか、すでに使われています"), "error")
    return redirect(url_for("auth.account"))
