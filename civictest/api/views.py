"""API endpoints: parse, check the caller may see the object (else 404), call one reporting function, return JSON.

Every figure a page shows is here too: the dashboard's whole set at /iterations/<id>/dashboard, the maps' at
/iterations/<id>/areas and the cross-department overview at /overview. What each endpoint takes and returns is
described in civictest/api/openapi.py, served at /openapi.json and as a page at /docs."""
from __future__ import annotations

from typing import Any

from flask import abort, current_app, g, jsonify, render_template
from flask_babel import gettext as _

from civictest.api import bp, openapi, params
from civictest.compare.pages import dashboard_figures, pick_base
from civictest.extensions import db
from civictest.models import Iteration, Service, TestSession
from civictest.models.surveys import SurveyWave
from civictest.reporting import figures
from civictest.reporting import panel as panel_figures
from civictest.reporting import surveys as survey_figures
from civictest.security import MANAGE_ROLES, can_see_service, services_for


def _visible(model: type, object_id: int) -> Any:
    """An iteration or service of a service the caller may see; anything else is 404, never 403."""
    obj = db.session.get(model, object_id) if params.fits(object_id) else None
    service_id = getattr(obj, "service_id", None) if model is Iteration else getattr(obj, "id", None)
    if obj is None or not can_see_service(g.api_user, service_id):
        abort(404)
    return obj


@bp.get("/openapi.json")
def openapi_document():  # noqa: ANN201
    """The OpenAPI 3.1 description of this API (no login: it describes, it holds no data)."""
    return jsonify(openapi.document())


@bp.get("/docs")
def docs():  # noqa: ANN201
    """The same description as a page for people."""
    doc = openapi.document()
    return render_template("api/docs.html", doc=doc, operations=openapi.operations(doc))


@bp.get("/services")
def service_list():  # noqa: ANN201
    page = params.Page.from_request()
    visible = services_for(g.api_user)
    return page.respond("services", [figures.service_summary(s) for s in page.slice(visible)], len(visible))


@bp.get("/iterations/<int:iteration_id>/report")
def iteration_report(iteration_id: int):  # noqa: ANN201
    return jsonify(figures.iteration_report(_visible(Iteration, iteration_id)))


@bp.get("/iterations/<int:iteration_id>/segments")
def iteration_segments(iteration_id: int):  # noqa: ANN201
    iteration = _visible(Iteration, iteration_id)
    return jsonify(figures.segments(iteration, current_app.config["SUPPRESSION_K"]))


@bp.get("/services/<int:service_id>/compare")
def service_compare(service_id: int):  # noqa: ANN201
    service = _visible(Service, service_id)
    base, candidate = params.integer("base", required=True), params.integer("candidate", required=True)
    if base == candidate:
        raise params.ParameterError("candidate", _("base と candidate には別々の回を指定してください。"))
    return jsonify(figures.compare(service, base, candidate))


@bp.get("/services/<int:service_id>/trend")
def service_trend(service_id: int):  # noqa: ANN201
    return jsonify(figures.trend(_visible(Service, service_id)))


@bp.get("/services/<int:service_id>/feedback")
def service_feedback(service_id: int):  # noqa: ANN201
    """Live-service feedback per iteration: the numbers beside the trend on the dashboard."""
    return jsonify(_figures().feedback(_visible(Service, service_id)))


def _figures() -> figures.Figures:
    return figures.Figures(current_app.config["SUPPRESSION_K"])


@bp.get("/iterations/<int:iteration_id>/dashboard")
def iteration_dashboard(iteration_id: int):  # noqa: ANN201
    """The dashboard's figures; ?base=<id> compares with that iteration (0: none; default: the previous one),
    ?task=<id> picks the task whose segments are given (default: the first whose inconvenience changed)."""
    iteration = _visible(Iteration, iteration_id)
    base_id, task = params.integer("base", minimum=0), params.integer("task")
    if base_id == iteration_id:
        raise params.ParameterError("base", _("base にはこの回とは別の回を指定してください。"))
    base = pick_base(iteration, base_id)
    return jsonify({"iteration": iteration_id, "base": base.id if base else None,
                    **dashboard_figures(_figures(), iteration, base, task)})


@bp.get("/iterations/<int:iteration_id>/areas")
def iteration_areas(iteration_id: int):  # noqa: ANN201
    """Participants and inconvenience per municipality (?task=<id> for one task), before the maps' suppression."""
    iteration = _visible(Iteration, iteration_id)
    return jsonify(_figures().areas(iteration, params.integer("task")))


@bp.get("/overview")
def overview():  # noqa: ANN201
    page = params.Page.from_request()
    visible = services_for(g.api_user)
    return page.respond("services", _figures().overview(page.slice(visible)), len(visible))


@bp.get("/surveys")
def survey_list():  # noqa: ANN201
    page = params.Page.from_request()
    visible = survey_figures.visible_surveys(g.api_user)
    return page.respond("surveys", [survey_figures.survey_summary(s) for s in page.slice(visible)], len(visible))


@bp.get("/surveys/<int:survey_id>/waves/<int:wave_id>/results")
def survey_wave_results(survey_id: int, wave_id: int):  # noqa: ANN201
    """The figures of the results page (compare/survey_wave.html), from the same reporting call."""
    wave = db.session.get(SurveyWave, wave_id) if params.fits(wave_id) and params.fits(survey_id) else None
    if wave is None or wave.survey_id != survey_id or not survey_figures.can_see_survey(g.api_user, wave.survey):
        abort(404)
    item_id = params.integer("item")
    return jsonify(survey_figures.wave_results(wave, int(current_app.config["SURVEY_SUPPRESSION_K"]),
                                               item_id=item_id, every_item=item_id is None))


@bp.get("/surveys/<int:survey_id>/waves/<int:wave_id>/unit-changes")
def survey_wave_unit_changes(survey_id: int, wave_id: int):  # noqa: ANN201
    """The change since the previous wave per org unit: the page's table, from the same reporting call."""
    wave = db.session.get(SurveyWave, wave_id) if params.fits(wave_id) and params.fits(survey_id) else None
    if wave is None or wave.survey_id != survey_id or not survey_figures.can_see_survey(g.api_user, wave.survey):
        abort(404)
    changes = survey_figures.unit_changes(wave, int(current_app.config["SURVEY_SUPPRESSION_K"]),
                                          item_id=params.integer("item"))
    if changes is None:
        abort(404)
    return jsonify(changes)


def _may_see_panel() -> None:
    """The panel's figures are for the roles that see /manage/panel: others are refused, as on the page."""
    if g.api_user.role not in MANAGE_ROLES:
        abort(403)


@bp.get("/panel")
def panel_summary():  # noqa: ANN201
    """The tester panel's figures of /manage/panel: size, joins and leaves per month, rate per round."""
    _may_see_panel()
    return jsonify(panel_figures.panel_summary(g.api_user))


@bp.get("/panel/sessions/<int:session_id>")
def panel_session(session_id: int):  # noqa: ANN201
    """A session's panel figures (the page /manage/panel/sessions/<id>): rounds and composition, small cells
    suppressed."""
    _may_see_panel()
    test_session = db.session.get(TestSession, session_id) if params.fits(session_id) else None
    if test_session is None or not can_see_service(g.api_user, test_session.study.iteration.service_id):
        abort(404)
    return jsonify(panel_figures.session_summary(test_session, current_app.config["SUPPRESSION_K"]))
