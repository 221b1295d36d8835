"""Facilitators at an in-person session: who booked which slot (by booking reference), attended or no-show."""
from __future__ import annotations

from itertools import groupby

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user

from civictest.extensions import db
from civictest.facilitate import bp
from civictest.facilitate.forms import AttendanceForm
from civictest.facilitate.views import _session_or_404
from civictest.reporting import panel as panel_figures
from civictest.security import audit
from civictest.services import booking
from civictest.services.errors import InvalidInput, NotFound


@bp.route("/sessions/<int:session_id>/bookings")
def bookings(session_id: int):
    test_session = _session_or_404(session_id)
    if test_session.mode != "in_person":
        abort(404)
    rows = booking.bookings_of(test_session.id)
    no_shows = panel_figures.no_shows_in_year([b.invitation.member_id for b in rows])
    groups = [(slot, list(people)) for slot, people in groupby(rows, key=lambda b: b.slot)]  # rows come by slot
    return render_template("facilitate/bookings.html", test_session=test_session, rows=rows, groups=groups,
                           no_shows=no_shows, counts=panel_figures.booking_counts(test_session.id),
                           form=AttendanceForm(), no_show_limit=current_app.config["PANEL_NO_SHOW_LIMIT"],
                           slot_words=booking.slot_words, lang=str(get_locale() or "ja"))


@bp.route("/sessions/<int:session_id>/bookings/<int:booking_id>/attendance", methods=["POST"])
def attendance(session_id: int, booking_id: int):
    test_session = _session_or_404(session_id)
    form = AttendanceForm()
    if not form.validate_on_submit():
        abort(400)
    value = request.form.get("attendance", "")
    try:
        row = booking.mark_attendance(test_session, booking_id, value, current_user.id)
    except NotFound:
        abort(404)
    except InvalidInput as error:
        flash(_("その日より前には記録できません。") if error.message == "not-yet" else _("記録できませんでした。"),
              "error")
    else:
        audit("booking_attendance", test_session, booking=row.id, attendance=value or None)
        db.session.commit()
        flash(_("%(reference)s: 記録しました。", reference=row.reference))
    return redirect(url_for("facilitate.bookings", session_id=session_id) + f"#booking-{booking_id}")
