"""Service-team pages (comments inbox, findings register)."""
from flask import render_template
from flask_login import current_user

from civictest.review import bp
from civictest.security import services_for


@bp.route("/")
def index():
    return render_template("review/index.html", services=services_for(current_user))
