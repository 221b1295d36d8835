"""Product-owner pages (dashboards, comparison, map, print, overview)."""
from flask import render_template
from flask_login import current_user

from civictest.compare import bp
from civictest.security import services_for


@bp.route("/")
def index():
    return render_template("compare/index.html", services=services_for(current_user))
