"""Raw pseudonymous rows for the service's own team: attempts and comments as CSV or XLSX, audited.

On the manage blueprint (service teams and admins only). No profile field ever appears next to an answer.
"""
from __future__ import annotations

from flask import abort, request

from civictest import data_exports, staff_exports
from civictest.web.downloads import attachment
from civictest.exports import to_csv_bytes, to_xlsx_bytes
from civictest.extensions import db
from civictest.manage import bp
from civictest.models import Iteration
from civictest.security import audit, get_visible_or_404

RAW_FORMATS = ("csv", "xlsx")
RAW_KINDS = ("attempts", "comments")


def raw_file(iteration: Iteration, what: str, kind: str) -> bytes:
    """The attempts or comments table of an iteration (pseudonyms shared by both files)."""
    names = staff_exports.pseudonyms(data_exports.reportable_participant_ids(iteration))
    if what == "attempts":
        table = staff_exports.attempts_table(data_exports.raw_attempts(iteration), names)
        columns, sheet = staff_exports.ATTEMPT_COLUMNS, "試行"
    else:
        table = staff_exports.comments_table(data_exports.raw_comments(iteration), names)
        columns, sheet = staff_exports.COMMENT_COLUMNS, "コメント"
    if kind == "csv":
        return to_csv_bytes(table)
    return to_xlsx_bytes({sheet: table, "項目定義": staff_exports.dictionary(columns)})


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
