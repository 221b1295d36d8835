"""Resident panel pages: join, confirm, the member's own page (see, change, leave, erase), personal links."""
from __future__ import annotations

from flask import redirect, render_template, request, session, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_limiter.util import get_remote_address

from civictest import consent, panel_consent
from civictest.extensions import limiter
from civictest.panel import bp
from civictest.models.base import utcnow
from civictest.panel.forms import BookingForm, CancelBookingForm, EraseForm, JoinForm, MemberForm, StartForm
from civictest.participate import tickets
from civictest.services import booking as booking_service
from civictest.services import panel, participation
from civictest.services.errors import Conflict, InvalidInput

PARTICIPANT_KEY = "participant"  # the same browser-session key the resident's test pages read
JOINS_PER_IP = "20 per hour"
JOINS_PER_EMAIL = "3 per hour"


def _lang() -> str:
    return str(get_locale() or "ja")


def _email_key() -> str:
    return "panel-email:" + (request.form.get("email") or "").strip().lower()[:254]


@bp.route("/join", methods=["GET", "POST"])
@limiter.limit(JOINS_PER_IP, key_func=lambda: "panel-ip:" + get_remote_address(), methods=["POST"])
@limiter.limit(JOINS_PER_EMAIL, key_func=_email_key, methods=["POST"])
def join():
    form = JoinForm()
    if request.method == "GET":
        form.language.data = _lang()
    if form.validate_on_submit():
        if form.website.data:  # the honeypot: answer as if registered, store and send nothing
            return redirect(url_for("panel.check_mail"))
        try:
            panel.register(form.email.data, form.language.data, form.data)
        except InvalidInput:
            form.email.errors.append(_("このメールアドレスは使えません。確認してください。"))
        else:
            return redirect(url_for("panel.check_mail"))
    sections = panel_consent.consent_sections(panel_consent.CURRENT_VERSION, _lang())
    return render_template("panel/join.html", form=form, sections=sections,
                           version=panel_consent.CURRENT_VERSION), 422 if form.errors else 200


@bp.route("/join/sent")
def check_mail():
    return render_template("panel/check_mail.html")


@bp.route("/confirm/<token>")
def confirm(token: str):
    try:
        member = panel.confirm(token)
    except InvalidInput:
        return render_template("panel/expired.html"), 410
    return render_template("panel/confirmed.html", member_token=panel.member_token(member))


@bp.route("/me/<token>", methods=["GET", "POST"])
@limiter.limit("60 per hour", methods=["POST"])
def member(token: str):
    person = panel.member_from_link(token)
    form = MemberForm(obj=None)
    if request.method == "GET":
        _fill(form, person)
    if form.validate_on_submit():
        panel.update_profile(person, form.language.data, form.data)
        return redirect(url_for("panel.member", token=token, saved=1))
    return _member_page(person, token, form, EraseForm(), request.args.get("saved") == "1",
                        422 if form.errors else 200)


def _member_page(person, token: str, form: MemberForm, erase_form: EraseForm, saved: bool, status: int):  # noqa: ANN001, ANN202
    from civictest.geo import municipality_name

    sections = panel_consent.consent_sections(person.consent_version, _lang())
    return render_template("panel/member.html", form=form, person=person, token=token, erase_form=erase_form,
                           saved=saved, sections=sections,
                           municipality=municipality_name(person.municipality_code, _lang())), status


def _fill(form: MemberForm, person) -> None:  # noqa: ANN001
    form.language.data = person.language
    form.age_band.data = person.age_band or ""
    form.device.data = person.device or ""
    form.online_frequency.data = person.online_frequency or ""
    form.languages.data = [v for v in person.languages.split(",") if v]
    form.availability.data = [v for v in person.availability.split(",") if v]
    form.assistive_consent.data = person.assistive_consent
    form.assistive_technology.data = person.assistive_technology or ""


@bp.route("/me/<token>/erase", methods=["POST"])
def erase(token: str):
    person = panel.member_from_link(token)
    form = EraseForm()
    if not form.validate_on_submit():
        member_form = MemberForm(formdata=None)
        _fill(member_form, person)
        return _member_page(person, token, member_form, form, False, 422)
    panel.erase(person)
    return render_template("panel/erased.html")


@bp.route("/i/<token>", methods=["GET", "POST"])
@limiter.limit("60 per hour", methods=["POST"])
def personal_link(token: str):
    """The invitation's personal link: the session directly, screener first, once."""
    invitation = panel.invitation_for_link(token)
    if invitation.participant_id is not None:
        person = participation.participant(session.get(PARTICIPANT_KEY))
        if person is not None and person.id == invitation.participant_id:
            return redirect(url_for("participate.continue_test"))
        return render_template("panel/link_used.html"), 409
    if invitation.state == "screened_out":
        return render_template("panel/screened_out.html")
    test_session = invitation.session
    if not test_session.is_open or test_session.excluded:
        return render_template("panel/link_closed.html"), 410
    questions = panel.screener_of(test_session.study_id)
    form = StartForm()
    answers = {str(q.id): request.form.getlist(f"q{q.id}") for q in questions}
    missing = [q.id for q in questions if request.method == "POST" and not answers[str(q.id)]]
    if form.validate_on_submit() and not missing:
        if not panel.passes_screener(questions, answers):
            panel.screen_out(invitation, answers)
            return render_template("panel/screened_out.html")
        try:
            person = panel.join_by_link(invitation, tickets.new_key())
        except Conflict:
            return render_template("panel/link_used.html"), 409
        session[PARTICIPANT_KEY] = person.public_id
        return redirect(url_for("participate.continue_test"))
    sections = consent.consent_sections(consent.CURRENT_VERSION, _lang())
    booking_link = (url_for("panel.booking", token=booking_service.booking_token(invitation))
                    if test_session.mode == "in_person" and booking_service.has_slots(test_session.id) else None)
    return render_template("panel/start.html", form=form, invitation=invitation, test_session=test_session,
                           booking_link=booking_link,
                           questions=questions, answers=answers, missing=missing, sections=sections,
                           version=consent.CURRENT_VERSION, lang=_lang()), 422 if (form.errors or missing) else 200


# ---- session booking (in-person sessions) ------------------------------------------------------------------

def _booking_message(error: Exception) -> str:
    code = getattr(error, "message", "")
    return {
        "slot": _("その時間枠は選べません。一覧から選び直してください。"),
        "past": _("その時間枠はもう始まっているか、終わっています。ほかの時間枠を選んでください。"),
        "closed": _("このテストは予約を受け付けていません。"),
        "full": _("その時間枠は満席になりました。今の予約はそのままです。ほかの時間枠を選んでください。"),
        "changed": _("予約がほかの画面で変更されました。もう一度確認してください。"),
        "nothing": _("取り消す予約はありません。"),
    }.get(code, _("予約できませんでした。もう一度お試しください。"))


@bp.route("/b/<token>", methods=["GET", "POST"])
@limiter.limit("60 per hour", methods=["POST"])
def booking(token: str):
    """Book a time slot of an in-person session, change it, cancel it, or wait for a full slot."""
    invitation = booking_service.invitation_from_token(token)
    form, cancel_form = BookingForm(), CancelBookingForm()
    error, status = None, 200
    if request.method == "POST":
        action = request.form.get("action")
        chosen = request.form.get("slot")
        if action == "cancel" and cancel_form.validate_on_submit():
            try:
                booking_service.cancel(invitation)
            except (InvalidInput, Conflict) as problem:
                error, status = _booking_message(problem), 422
            else:
                return redirect(url_for("panel.booking", token=token, done="cancelled"))
        elif action == "book" and form.validate_on_submit():
            if not chosen:
                error, status = _("時間枠を選んでください。"), 422
            else:
                try:
                    result = booking_service.book(invitation, chosen)
                except (InvalidInput, Conflict) as problem:
                    error, status = _booking_message(problem), 422
                else:
                    return redirect(url_for("panel.booking", token=token, done=result.outcome))
        else:
            error, status = _("送信できませんでした。ページを開き直して、もう一度お試しください。"), 400
    return _booking_page(invitation, token, form, cancel_form, error, status)


def _booking_page(invitation, token: str, form, cancel_form, error: str | None, status: int):  # noqa: ANN001, ANN202
    current = booking_service.booking_of(invitation)
    slots = booking_service.slots_of(invitation.session_id)
    now = utcnow()
    open_slots = [s for s in slots if booking_service.aware(s.starts_at) > now]
    done = request.args.get("done") if status == 200 else None
    return render_template(
        "panel/booking.html", invitation=invitation, test_session=invitation.session, current=current,
        slots=open_slots, form=form, cancel_form=cancel_form, error=error, done=done, token=token,
        can_book=booking_service.can_book(invitation),
        waiting_position=booking_service.waiting_position(current) if current else None, slot_words=booking_service.slot_words, lang=_lang(),
        service=invitation.session.study.iteration.service), status
