"""Resident panel pages: join, confirm, the member's own page (see, change, leave, erase), personal links."""
from __future__ import annotations

from flask import redirect, render_template, request, session, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_limiter.util import get_remote_address

from civictest import consent, panel_consent
from civictest.extensions import limiter
from civictest.panel import bp
from civictest.panel.forms import EraseForm, JoinForm, MemberForm, StartForm
from civictest.participate import tickets
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
    return render_template("panel/start.html", form=form, invitation=invitation, test_session=test_session,
                           questions=questions, answers=answers, missing=missing, sections=sections,
                           version=consent.CURRENT_VERSION, lang=_lang()), 422 if (form.errors or missing) else 200
