"""Raw pseudonymous rows for the service's own team: attempts and comments as CSV or XLSX, audited.

On the manage blueprint (service teams and admins only). No profile field ever appears next to an answer.
"""
from __future__ import annotations

from flask import abort, request

from civictest.exporting.files import raw_file
from civictest.extensions import db
from civictest.manage import bp
from civictest.models import Iteration
from civictest.security import audit, get_visible_or_404
from civictest.web.downloads import attachment

RAW_FORMATS = ("csv", "xlsx")
RAW_KINDS = ("attempts", "comments")


# A POST, as every download that writes an audit event (see civictest.compare.exports).
@bp.route("/iterations/<int:iteration_id>/export", methods=["POST"])
def export_raw(iteration_id: int):
    iteration = get_visible_or_404(Iteration, iteration_id)
    what, kind = request.form.get("what", "attempts"), request.form.get("format", "csv")
    if what not in RAW_KINDS or kind not in RAW_FORMATS:
        abort(404)
    body = raw_file(iteration, what, kind)
    audit("export", iteration, what=what, format=kind)
    db.session.commit()
    return attachment(body, f"civictest-{iteration.service_id}-v{iteration.number}-{what}.{kind}")
