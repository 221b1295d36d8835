"""Thin views for facilitators; observations are stored beside the resident's own answer, never over it."""
from flask import abort, flash, redirect, render_template, url_for
from flask_babel import format_datetime
from flask_babel import gettext as _
from flask_login import current_user

from civictest.facilitate import bp
from civictest.facilitate.forms import OBSERVED_OUTCOME_CHOICES, ObservationForm, TimerForm
from civictest.participate.forms import OUTCOME_CHOICES
from civictest.models import Participant, TestSession
from civictest.models.base import utcnow
from civictest.participate import tickets
from civictest.security import get_visible_or_404
from civictest.services import facilitation, participation


def _session_or_404(session_id: int) -> TestSession:
    return get_visible_or_404(TestSession, session_id, lambda s: s.study.iteration.service_id)


def _participant_or_404(test_session: TestSession, participant_id: int) -> Participant:
    person = next((p for p in test_session.participants if p.id == participant_id and not p.withdrawn), None)
    if person is None:
        abort(404)
    return person


@bp.route("/")
def index():
    return render_template("facilitate/index.html", sessions=facilitation.sessions_for(current_user))


@bp.context_processor
def _labels() -> dict:
    return {"OUTCOME": dict(OUTCOME_CHOICES), "OBSERVED": dict(OBSERVED_OUTCOME_CHOICES)}


REFRESH_SECONDS = 10  # with JavaScript the board reloads itself this often; without it, a link does


@bp.route("/sessions/<int:session_id>")
def session_board(session_id: int):
    test_session = _session_or_404(session_id)
    board = facilitation.board(test_session)
    return render_template("facilitate/session.html", test_session=test_session, board=board,
                           refreshed_at=format_datetime(utcnow(), "HH:mm:ss"), refresh_seconds=REFRESH_SECONDS)


@bp.route("/sessions/<int:session_id>/participants/<int:participant_id>/tasks/<int:position>",
          methods=["GET", "POST"])
def observe(session_id: int, participant_id: int, position: int):
    test_session = _session_or_404(session_id)
    person = _participant_or_404(test_session, participant_id)
    study_task = participation.task_at(person, position)
    form = ObservationForm()
    if not form.ticket.data:
        form.ticket.data = tickets.issue(person.public_id, study_task.task_id)
    if form.validate_on_submit():
        ticket = tickets.read(form.ticket.data, person.public_id, study_task.task_id)
        if ticket is None:
            abort(400)
        facilitation.record_observation(person, study_task.task_id, form.data, *ticket, observer=current_user)
        flash(_("観察結果を保存しました"))
        return redirect(url_for("facilitate.session_board", session_id=session_id))
    return render_template("facilitate/observe.html", test_session=test_session, person=person,
                           study_task=study_task, form=form, timer_form=TimerForm(),
                           existing=facilitation.answers_for(person, study_task.task_id)), 400 if form.errors else 200


@bp.route("/sessions/<int:session_id>/participants/<int:participant_id>/tasks/<int:position>/start",
          methods=["POST"])
def start_timer(session_id: int, participant_id: int, position: int):
    test_session = _session_or_404(session_id)
    person = _participant_or_404(test_session, participant_id)
    study_task = participation.task_at(person, position)
    if not TimerForm().validate_on_submit():
        abort(400)
    form = ObservationForm(formdata=None, ticket=tickets.issue(person.public_id, study_task.task_id), timed="1")
    return render_template("facilitate/observe.html", test_session=test_session, person=person,
                           study_task=study_task, form=form, timer_form=TimerForm(), timing=True,
                           existing=facilitation.answers_for(person, study_task.task_id))
