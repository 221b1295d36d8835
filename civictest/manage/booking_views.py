"""Staff pages of session booking (admins and service teams): an in-person session's time slots, with what is
booked and waiting. Attendance is marked on the facilitators' page (facilitate/booking_views.py)."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import get_locale
from flask_babel import gettext as _

from civictest.extensions import db
from civictest.manage import bp
from civictest.manage.booking_forms import SlotDeleteForm, SlotForm
from civictest.manage.panel_views import _session
from civictest.models import TestSession
from civictest.reporting import panel as panel_figures
from civictest.security import audit
from civictest.services import booking
from civictest.services.errors import Conflict, InvalidInput, NotFound


def _slot_message(error: Exception) -> str:
    return {
        "not-in-person": _("時間枠は会場で行うセッションにだけ作れます。"),
        "end-before-start": _("終了は開始より後の時刻にしてください。"),
        "capacity": _("定員は1から1,000の間で入力してください"),
        "past": _("これから先の日時を入力してください。"),
        "slot-has-bookings": _("予約またはキャンセル待ちのある時間枠は、日時の変更も削除もできません（定員は変えられます）。"),
        "capacity-below-booked": _("定員を予約済みの人数より少なくはできません。"),
    }.get(getattr(error, "message", ""), _("保存できませんでした。"))


def _slots_page(test_session: TestSession, form: SlotForm | None = None, status: int = 200):  # noqa: ANN202
    if test_session.mode != "in_person":
        abort(404)
    return render_template(
        "manage/booking_slots.html", test_session=test_session, service=test_session.study.iteration.service,
        slots=booking.slots_of(test_session.id), waiting=panel_figures.slot_waiting(test_session.id),
        counts=panel_figures.booking_counts(test_session.id), form=form or SlotForm(), delete_form=SlotDeleteForm(),
        slot_words=booking.slot_words, lang=str(get_locale() or "ja")), status


@bp.route("/panel/sessions/<int:session_id>/slots", methods=["GET", "POST"])
def booking_slots(session_id: int):
    test_session = _session(session_id)
    if test_session.mode != "in_person":
        abort(404)
    form = SlotForm()
    if form.validate_on_submit():
        starts, ends = booking.slot_times(form.day.data, form.start.data, form.end.data)
        try:
            slot = booking.add_slot(test_session, starts, ends, form.capacity.data)
        except (InvalidInput, Conflict) as error:
            form.day.errors.append(_slot_message(error))
        else:
            audit("booking_slot_added", test_session, slot=slot.id, starts_at=starts.isoformat(),
                  capacity=slot.capacity)
            db.session.commit()
            flash(_("時間枠を追加しました。"))
            return redirect(url_for("manage.booking_slots", session_id=session_id))
    return _slots_page(test_session, form, 422 if form.errors else 200)


def _slot(slot_id: int):  # noqa: ANN202
    """A slot of a session of a service the user may see (else 404), and its session."""
    from civictest.models import BookingSlot

    slot = db.session.get(BookingSlot, slot_id)
    if slot is None:
        abort(404)
    test_session = _session(slot.session_id)
    try:
        return booking.slot_of_session(test_session, slot_id), test_session
    except NotFound:
        abort(404)


@bp.route("/panel/slots/<int:slot_id>", methods=["GET", "POST"])
def booking_slot_edit(slot_id: int):
    slot, test_session = _slot(slot_id)
    session_id = test_session.id
    start, end = booking.tokyo(slot.starts_at), booking.tokyo(slot.ends_at)
    form = SlotForm(data={"day": start.date(), "start": start.time().replace(tzinfo=None),
                          "end": end.time().replace(tzinfo=None), "capacity": slot.capacity})
    if form.validate_on_submit():
        starts, ends = booking.slot_times(form.day.data, form.start.data, form.end.data)
        try:
            promoted = booking.update_slot(slot, starts, ends, form.capacity.data)
        except (InvalidInput, Conflict) as error:
            db.session.rollback()
            form.day.errors.append(_slot_message(error))
        else:
            audit("booking_slot_saved", test_session, slot=slot.id, starts_at=starts.isoformat(),
                  capacity=form.capacity.data, promoted=promoted)
            db.session.commit()
            flash(_("時間枠を保存しました。") + (" " + _("キャンセル待ちの%(n)s人が予約されました。", n=promoted)
                                                if promoted else ""))
            return redirect(url_for("manage.booking_slots", session_id=session_id))
    return render_template("manage/booking_slot.html", test_session=test_session, slot=slot, form=form,
                           delete_form=SlotDeleteForm(), active=booking.active_count(slot.id),
                           slot_words=booking.slot_words), 422 if form.errors else 200


@bp.route("/panel/slots/<int:slot_id>/delete", methods=["POST"])
def booking_slot_delete(slot_id: int):
    slot, test_session = _slot(slot_id)
    session_id = test_session.id
    if not SlotDeleteForm().validate_on_submit():
        abort(400)
    try:
        booking.delete_slot(slot)
    except Conflict as error:
        db.session.rollback()
        flash(_slot_message(error), "error")
    else:
        audit("booking_slot_deleted", test_session, slot=slot_id)
        db.session.commit()
        flash(_("時間枠を削除しました。"))
    return redirect(url_for("manage.booking_slots", session_id=session_id))
