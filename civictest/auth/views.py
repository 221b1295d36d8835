from urllib.parse import urlsplit

from flask import abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from civictest.auth import bp, oidc
from civictest.auth.forms import CodeForm, LoginForm
from civictest.extensions import db, limiter
from civictest.models import User
from civictest.models.base import utcnow
from civictest.security import audit
from civictest.services import accounts, two_factor

# How long the second step of a password login may wait for its code.
PENDING_SECONDS = 300

STAFF_START_PAGES = {
    "admin": "compare.index",
    "service_team": "review.index",
    "product_owner": "compare.index",
    "facilitator": "facilitate.index",
}


def _safe_next(target: str | None) -> str:
    """Only same-site relative paths are followed after login (no open redirect). Browsers read a backslash as
    a slash and drop tabs and line breaks, so a path with either, or any other control character or space,
    is not followed either (a line break in a Location header would also be refused by Werkzeug: a 500)."""
    if (target and target.startswith("/") and target.isprintable() and " " not in target and "\\" not in target
            and not target.startswith("//") and not urlsplit(target).netloc):
        return target
    return url_for("auth.staff_home")


def _account_key() -> str:
    """The per-account login limit's key: the address as login reads it (accounts.normalise_email), so that
    spaces or capitals around it do not open a fresh bucket for the same account."""
    return accounts.normalise_email(request.form.get("email", ""))[:254]


def _pending_key() -> str:
    """The second step's limit is per account waiting for its code (a new browser session does not reset it)."""
    return f"2fa:{(session.get('pending_2fa') or {}).get('user', '')}"


def _fresh_session() -> None:
    lang = session.get("lang")
    session.clear()  # a fresh session at login (no fixation)
    if lang:
        session["lang"] = lang


def _sign_in(user: User, method: str, next_url: str | None):  # noqa: ANN202
    """Open the staff session: a fresh cookie, the method remembered (SSO sign-ins skip the local second factor
    rule), one audit event, then on to where the person was going."""
    _fresh_session()
    login_user(user)
    session["auth_method"] = method
    user.last_login_at = utcnow()
    audit("login", user, user=user, method=method)
    db.session.commit()
    return redirect(_safe_next(next_url))


def _login_page(form: LoginForm, status: int = 200, sso_error: str | None = None):  # noqa: ANN202
    return render_template("auth/login.html", form=form, sso=oidc.enabled(),
                           sso_only=current_app.config.get("OIDC_ONLY", False), sso_error=sso_error), status


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit("10 per minute; 50 per hour", methods=["POST"], key_func=_account_key)
@limiter.limit("100 per minute", methods=["POST"])
def login():
    form = LoginForm(next=request.args.get("next", ""))
    if request.method == "POST" and current_app.config.get("OIDC_ONLY"):
        audit("login_failed", method="password", reason="oidc_only")
        db.session.commit()
        return _login_page(form, 400, "oidc_only")
    if form.validate_on_submit():
        user = accounts.authenticate(form.email.data, form.password.data)
        if user is not None:
            if user.has_totp:
                _fresh_session()
                session["pending_2fa"] = {"user": user.id, "version": user.session_version,
                                          "next": _safe_next(form.next.data), "at": utcnow().timestamp()}
                db.session.commit()
                return redirect(url_for("auth.two_factor_step"))
            return _sign_in(user, "password", form.next.data)
        audit("login_failed", method="password",
              email_hash=accounts.hash_token(accounts.normalise_email(form.email.data))[:12])
        db.session.commit()
        form.password.errors.append(_("メールアドレスまたはパスワードが正しくありません"))
    return _login_page(form, 200 if not form.errors else 400)


def _pending_user() -> User | None:
    pending = session.get("pending_2fa")
    if not pending or utcnow().timestamp() - pending.get("at", 0) > PENDING_SECONDS:
        return None
    user = db.session.get(User, pending["user"])
    if user is None or not user.active or user.session_version != pending["version"] or not user.has_totp:
        return None
    return user


@bp.route("/two-factor", methods=["GET", "POST"])
@limiter.limit("5 per minute; 20 per hour", methods=["POST"], key_func=_pending_key)
@limiter.limit("100 per minute", methods=["POST"])
def two_factor_step():
    user = _pending_user()
    if user is None:
        session.pop("pending_2fa", None)
        if current_user.is_authenticated:
            return redirect(url_for("auth.staff_home"))
        flash(_("もう一度ログインしてください"))
        return redirect(url_for("auth.login"))
    form = CodeForm()
    if form.validate_on_submit():
        kind = two_factor.verify(user, form.code.data)
        if kind is not None:
            next_url = session["pending_2fa"]["next"]
            if kind == "recovery":
                left = two_factor.recovery_codes_left(user)
                audit("recovery_code_used", user, user=user, left=left)
                response = _sign_in(user, "password+recovery", next_url)
                flash(_("回復コードを使いました。残りは%(n)d個です。", n=left))
                return response
            return _sign_in(user, "password+totp", next_url)
        audit("login_failed", user, user=user, method="password", reason="second_factor")
        db.session.commit()
        form.code.errors.append(_("確認コードが正しくないか、すでに使われています"))
    return render_template("auth/two_factor.html", form=form), 200 if not form.errors else 400


@bp.route("/oidc/login")
@limiter.limit("30 per minute")
def oidc_login():
    if not oidc.enabled():
        abort(404)
    session["oidc_next"] = _safe_next(request.args.get("next"))
    redirect_uri = current_app.config.get("OIDC_REDIRECT_URI") or url_for("auth.oidc_callback", _external=True)
    return oidc.start(redirect_uri)


@bp.route("/oidc/callback")
@limiter.limit("30 per minute")
def oidc_callback():
    if not oidc.enabled():
        abort(404)
    try:
        claims = oidc.finish()
    except oidc.SignInFailed as error:
        audit("login_failed", method="oidc", reason=error.reason)
        db.session.commit()
        return _login_page(LoginForm(), 400, "failed")
    try:
        user = accounts.sso_user(claims, roles_claim=current_app.config["OIDC_ROLES_CLAIM"],
                                 role_map=current_app.config["OIDC_ROLE_MAP_PARSED"],
                                 create_users=current_app.config["OIDC_CREATE_USERS"])
    except accounts.SsoRefused as refusal:
        audit("login_failed", method="oidc", reason=refusal.message,
              subject_hash=accounts.hash_token(str(claims.get("sub", "")))[:12])
        db.session.commit()
        return _login_page(LoginForm(), 403, refusal.message)
    return _sign_in(user, "oidc", session.get("oidc_next"))


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    accounts.end_sessions(current_user)
    audit("logout", current_user._get_current_object())
    db.session.commit()
    logout_user()
    session.clear()
    flash(_("ログアウトしました"))
    return redirect(url_for("auth.login"))


@bp.route("/staff")
@login_required
def staff_home():
    """Where a staff member lands after login: their role's start page."""
    return redirect(url_for(STAFF_START_PAGES.get(current_user.role, "site.home")))
