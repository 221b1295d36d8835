from flask import render_template

from civictest.participate import bp
from civictest.services import participation


@bp.route("/<invite_code>")
def join(invite_code: str):
    test_session = participation.find_session(invite_code)
    return render_template("participate/join.html", test_session=test_session, study=test_session.study)
