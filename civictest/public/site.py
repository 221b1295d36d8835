"""Pages served on both sides of a split deployment (CIVICTEST_SERVE): home page, health check, accessibility."""
from flask import current_app, jsonify, render_template
from sqlalchemy import text

from civictest.extensions import db
from civictest.public import site_bp as bp


@bp.route("/")
def home():
    """The home page: the code box and open data on the resident side, the staff login on the staff side."""
    return render_template("public/home.html")


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
