"""The resident's path: join -> consent -> profile -> one task per page -> questionnaire -> thanks."""
from flask import abort, flash, make_response, redirect, render_template, request, session, url_for
from flask_babel import get_locale

from civictest import consent as consent_text
from civictest import instruments
from civictest.participate import bp, tickets
from civictest.participate.limits import ip_ceiling, per_invite_code, per_participant, receipt_lookups
from civictest.participate.forms import (
    ConsentForm, FinishForm, ProfileForm, ReceiptForm, TaskAnswerForm, WithdrawForm, questionnaire_form,
)
from civictest.services import participation
from civictest.services.errors import NotFound, SessionClosed

SESSION_KEY = "participant"


def _lang() -> str:
    return str(get_locale() or "ja")


def _current():  # noqa: ANN202
    person = participation.participant(session.get(SESSION_KEY))
    if person is None:
        abort(redirect(url_for("participate.resume")))
    return person


def _go_to(step: participation.Step):  # noqa: ANN202
    if step.name == "task":
        return redirect(url_for("participate.task", position=step.position))
    return redirect(url_for(f"participate.{step.name}"))


def _open_session(invite_code: str):  # noqa: ANN202
    """The open session of an invite code, or (aborting) a page that says what went wrong and what to do:
    a code that matches nothing gets a box to type it again; a closed session says so and links its fixes."""
    try:
        return participation.find_session(invite_code)
    except NotFound:
        abort(_invite_not_found(invite_code))
    except SessionClosed:
        abort(_session_closed(participation.find_session(invite_code, must_be_open=False)))


def _invite_not_found(invite_code: str):  # noqa: ANN202
    typed = (invite_code or "")[:40]
    return make_response(render_template("participate/invite_not_found.html", typed=typed), 404)


def _session_closed(test_session):  # noqa: ANN001, ANN202
    service = test_session.study.iteration.service
    return make_response(render_template("participate/session_closed.html", test_session=test_session,
                                         service=service), 403)


@bp.errorhandler(SessionClosed)
def session_closed(error: SessionClosed):  # noqa: ANN201
    """A session closed (or filled) while a resident was in it: the same kind page, never a bare 403."""
    from civictest.extensions import db

    db.session.rollback()
    person = participation.participant(session.get(SESSION_KEY))
    if person is None:
        return render_template("participate/session_closed.html", test_session=None, service=None), 403
    return _session_closed(person.session)


@bp.route("/join/<invite_code>")
def join(invite_code: str):
    test_session = _open_session(invite_code)
    person = participation.participant(session.get(SESSION_KEY))
    returning = person is not None and person.session_id == test_session.id
    return render_template("participate/join.html", test_session=test_session, study=test_session.study,
                           returning=returning)


@bp.route("/join/<invite_code>/consent", methods=["GET", "POST"])
@ip_ceiling
@per_invite_code
def consent(invite_code: str):
    test_session = _open_session(invite_code)
    form = ConsentForm(key=tickets.new_key())
    if form.validate_on_submit() and tickets.is_key(form.key.data):
        person = participation.join(test_session, consent_text.CURRENT_VERSION, form.key.data)
        session[SESSION_KEY] = person.public_id
        return _go_to(participation.next_step(person))
    sections = consent_text.consent_sections(consent_text.CURRENT_VERSION, _lang())
    return render_template("participate/consent.html", form=form, test_session=test_session, sections=sections,
                           version=consent_text.CURRENT_VERSION), _status(form)


@bp.route("/participate")
def continue_test():
    return _go_to(participation.next_step(_current()))


@bp.route("/participate/profile", methods=["GET", "POST"])
@ip_ceiling
@per_participant
def profile():
    person = _current()
    form = ProfileForm()
    if form.validate_on_submit():
        participation.save_profile(person, form.data)
        return _go_to(participation.next_step(person))
    return _resident_page("participate/profile.html", person, form=form)


@bp.route("/participate/tasks/<int:position>", methods=["GET", "POST"])
@ip_ceiling
@per_participant
def task(position: int):
    person = _current()
    study_task = participation.task_at(person, position)
    form = TaskAnswerForm()
    if request.method == "GET" or not form.ticket.data:
        form.ticket.data = tickets.issue(person.public_id, study_task.task_id)
    if request.method == "GET":
        _fill(form, participation.stored_answer(person, study_task.task_id))
    if form.validate_on_submit():
        ticket = tickets.read(form.ticket.data, person.public_id, study_task.task_id)
        if ticket is None:
            abort(400)
        participation.record_attempt(person, study_task.task_id, _answer(form), *ticket)
        return _go_to(participation.next_step(person))
    return _resident_page("participate/task.html", person, form=form, study_task=study_task, task=study_task.task,
                          seq_labels=instruments.labels("seq", _lang()))


def _fill(form: TaskAnswerForm, stored: dict | None) -> None:
    """Show a task answered before (the resident came back to change it) with its stored answer."""
    if stored is not None:
        form.outcome.data = stored["outcome"]
        form.seq.data = str(stored["seq"]) if stored["seq"] else None
        form.comment.data = stored["comment"] or ""


@bp.route("/participate/pause")
def pause():
    """「中断する」: how to come back later with the receipt code (the answers given so far are kept)."""
    return render_template("participate/pause.html", person=_current(), finish_form=FinishForm())


def _answer(form: TaskAnswerForm) -> dict:
    try:
        client_seconds = float(form.client_seconds.data) if form.client_seconds.data else None
    except ValueError:
        client_seconds = None
    return {"outcome": form.outcome.data, "seq": int(form.seq.data) if form.seq.data else None,
            "comment": form.comment.data, "client_seconds": client_seconds}


@bp.route("/participate/questionnaire", methods=["GET", "POST"])
@ip_ceiling
@per_participant
def questionnaire():
    person = _current()
    kind = person.session.study.questionnaire
    form = questionnaire_form(kind, instruments.items(kind, _lang()), None)
    if request.method == "GET":
        form.key.data = tickets.new_key()
    if form.validate_on_submit() and tickets.is_key(form.key.data):
        items = [int(form[f"item{i}"].data) for i in range(1, len(instruments.items(kind, "ja")) + 1)]
        participation.record_questionnaire(person, kind, items, form.comment.data, form.key.data)
        return redirect(url_for("participate.thanks"))
    return _resident_page("participate/questionnaire.html", person, form=form, kind=kind,
                          instrument=instruments.instrument(kind), scale_labels=instruments.labels(kind, _lang()))


@bp.route("/participate/thanks")
def thanks():
    person = _current()
    step = participation.next_step(person)
    cleared = False
    if step.name == "thanks" and person.session.mode == "in_person":
        # Issue 17, decided: at an in-person session the browser belongs to the venue and the next resident
        # sits down at it. Once a resident has finished, this page is the last one that shows their receipt
        # code: the session forgets them now, so a reload or the next person gets the resume page, and
        # withdrawing needs the code typed in. A remote resident's browser is their own, so it keeps them
        # (to come back to this page) until they press 「終了してこの端末から消す」.
        session.pop(SESSION_KEY, None)
        cleared = True
    return render_template("participate/thanks.html", person=person, step=step, cleared=cleared,
                           finish_form=FinishForm())


@bp.route("/participate/finish", methods=["POST"])
def finish():
    """「終了してこの端末から消す」: the browser's session forgets the resident (answers are kept)."""
    if not FinishForm().validate_on_submit():
        abort(400)
    session.pop(SESSION_KEY, None)
    return redirect(url_for("participate.cleared"))


@bp.route("/participate/cleared")
def cleared():
    return render_template("participate/cleared.html")


@bp.route("/resume", methods=["GET", "POST"])
@ip_ceiling
@receipt_lookups
def resume():
    form = ReceiptForm()
    if form.validate_on_submit():
        person = participation.by_receipt_code(form.receipt_code.data)
        if person is not None and not person.withdrawn:
            session[SESSION_KEY] = person.public_id
            step = participation.next_step(person)
            if step.name == "thanks":  # said, not silently shown: there is nothing left to answer
                flash(_finished_message(), "info")
            return _go_to(step)
        form.receipt_code.errors.append(_not_found_message())
    return render_template("participate/resume.html", form=form), _status(form)


@bp.route("/withdraw", methods=["GET", "POST"])
@ip_ceiling
@receipt_lookups
def withdraw():
    form = WithdrawForm()
    if form.validate_on_submit():
        person = participation.by_receipt_code(form.receipt_code.data)
        if person is not None and form.confirm.data:
            participation.withdraw(person)
            session.pop(SESSION_KEY, None)
            return render_template("participate/withdrawn.html")
        if person is not None:  # the code is right: confirm first, on its own page with a warning button
            if form.stage.data == "confirm":
                form.confirm.errors.append(str(WithdrawForm.CONFIRM_MISSING))
            form.stage.data = "confirm"
            return render_template("participate/withdraw_confirm.html", form=form), _status(form)
        form.receipt_code.errors.append(_not_found_message())
    return render_template("participate/withdraw.html", form=form), _status(form)


def _finished_message() -> str:
    from flask_babel import gettext as _

    return _("この受付番号のテストは、すでに最後まで回答済みです。ご協力ありがとうございました。")


def _not_found_message() -> str:
    from flask_babel import gettext as _

    return _("この受付番号は見つかりませんでした。もう一度確認してください。")


def _resident_page(template: str, person, **context):  # noqa: ANN001, ANN003, ANN202
    study = person.session.study
    context.update(person=person, study=study, total_tasks=len(study.study_tasks))
    return render_template(template, **context), _status(context.get("form"))


def _status(form) -> int:  # noqa: ANN001
    """400 when the page shows validation errors (so tests and tools can tell), 200 otherwise."""
    return 400 if form is not None and any(field.errors for field in form) else 200
