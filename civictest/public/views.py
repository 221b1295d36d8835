"""Resident-side public pages: the home page's code box and the published fixes page."""
from flask import abort, redirect, render_template, request, url_for
from sqlalchemy import select

from civictest.extensions import db
from civictest.models import Service
from civictest.public import bp
from civictest.reporting.review import published_fixes


@bp.route("/join", methods=["GET"])
def join_by_code():
    """The home page's code box: a code typed by hand goes to its join page."""
    code = request.args.get("code", "").strip().upper()
    if not code:
        return redirect(url_for("site.home"))
    return redirect(url_for("participate.join", invite_code=code))


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

