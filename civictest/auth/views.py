from urllib.parse import urlsplit

from flask import flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from civictest.auth import bp
from civictest.auth.forms import LoginForm
from civictest.extensions import db, limiter
from civictest.security import audit
from civictest.services import accounts

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


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit("10 per minute; 50 per hour", methods=["POST"], key_func=_account_key)
@limiter.limit("100 per minute", methods=["POST"])
def login():
    form = LoginForm(next=request.args.get("next", ""))
    if form.validate_on_submit():
        user = accounts.authenticate(form.email.data, form.password.data)
        if user is not None:
            lang = session.get("lang")
            session.clear()  # a fresh session at login (no fixation)
            if lang:
                session["lang"] = lang
            login_user(user)
            audit("login", user, user=user)
            db.session.commit()
            return redirect(_safe_next(form.next.data))
        audit("login_failed", email_hash=accounts.hash_token(accounts.normalise_email(form.email.data))[:12])
        db.session.commit()
        form.password.errors.append(_("メールアドレスまたはパスワードが正しくありません"))
    return render_template("auth/login.html", form=form), 200 if not form.errors else 400


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
