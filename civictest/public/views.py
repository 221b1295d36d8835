from flask import abort, current_app, jsonify, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import select, text

from civictest.extensions import db
from civictest.models import Service
from civictest.public import bp
from civictest.reporting.review import published_fixes

STAFF_START_PAGES = {
    "admin": "compare.index",
    "service_team": "review.index",
    "product_owner": "compare.index",
    "facilitator": "facilitate.index",
}


@bp.route("/")
def home():
    return render_template("public/home.html")


@bp.route("/join", methods=["GET"])
def join_by_code():
    """The home page's code box: a code typed by hand goes to its join page."""
    code = request.args.get("code", "").strip().upper()
    if not code:
        return redirect(url_for("public.home"))
    return redirect(url_for("participate.join", invite_code=code))


@bp.route("/staff")
@login_required
def staff_home():
    return redirect(url_for(STAFF_START_PAGES.get(current_user.role, "public.home")))


@bp.route("/fixes")
def fixes_index():
    """Every service that publishes its 「いただいた声と改善」 page (linked from home, thanks and closed sessions)."""
    services = db.session.scalars(select(Service).where(Service.publish_fixes.is_(True))
                                  .order_by(Service.id)).all()
    return render_template("public/fixes_index.html", services=services)


@bp.route("/services/<int:service_id>/fixes")
def you_said_we_did(service_id: int):
    """「いただいた声と改善」: fixed findings' public summaries, for services that chose to publish them."""
    service = db.session.get(Service, service_id)
    if service is None or not service.publish_fixes:
        abort(404)
    return render_template("public/fixes.html", service=service, fixes=published_fixes(service))


@bp.route("/robots.txt")
def robots_txt():
    """Search engines may list the public pages (home, open data, "you said, we did"), nothing else."""
    from civictest.web.headers import NOINDEX_PREFIXES

    lines = ["User-agent: *", *(f"Disallow: {prefix}" for prefix in NOINDEX_PREFIXES), ""]
    return current_app.response_class("\n".join(lines), mimetype="text/plain")


@bp.route("/favicon.ico")
def favicon():
    """Browsers ask for /favicon.ico whatever the page says: the same icon as the pages' <link rel="icon">."""
    return current_app.send_static_file("favicon.svg")


@bp.route("/healthz")
def healthz():
    """200 when the database answers, 503 otherwise (for load balancers and monitoring)."""
    try:
        db.session.execute(text("SELECT 1"))
    except Exception:  # noqa: BLE001 - any failure means "not healthy"
        db.session.rollback()
        return jsonify(status="degraded", database="unavailable"), 503
    return jsonify(status="ok", database="ok")


@bp.route("/accessibility")
def accessibility():
    """ウェブアクセシビリティ方針: target level, scope, how it is tested, known issues, contact."""
    return render_template("public/accessibility.html")
