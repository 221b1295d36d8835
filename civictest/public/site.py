"""Pages served on both sides of a split deployment (CIVICTEST_SERVE): home page, health check, accessibility."""
from flask import jsonify, render_template
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
