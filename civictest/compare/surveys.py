"""Survey results pages (issue 16): the surveys a user may see, and one wave's results."""
from __future__ import annotations

from flask import abort, current_app, render_template, request
from flask_babel import gettext as _
from flask_login import current_user

from civictest.compare import bp
from civictest.compare.pages import lang
from civictest.dashboards import surveys as survey_dashboards
from civictest.extensions import db
from civictest.models.base import ID_MAX
from civictest.models.surveys import SurveyWave
from civictest.reporting import surveys as survey_figures
from civictest.web.i18n import ja


def visible_wave(wave_id: int) -> SurveyWave:
    """A wave of a survey the user may see; anything else is 404."""
    wave = db.session.get(SurveyWave, wave_id) if 0 < wave_id <= ID_MAX else None
    if wave is None or not survey_figures.can_see_survey(current_user, wave.survey):
        abort(404)
    return wave


@bp.route("/surveys")
def surveys():
    return render_template("compare/surveys.html", surveys=survey_figures.surveys(current_user))


@bp.route("/surveys/waves/<int:wave_id>")
def survey_wave(wave_id: int):
    wave = visible_wave(wave_id)
    item_id = request.args.get("item", type=int)
    results = survey_figures.wave_results(wave, int(current_app.config["SURVEY_SUPPRESSION_K"]), item_id=item_id)
    # the change per unit (the same function as GET /api/v1/surveys/<id>/waves/<id>/unit-changes?item=)
    k = int(current_app.config["SURVEY_SUPPRESSION_K"])
    chosen = (results["unit_items"] or [None])[0]
    page = survey_dashboards.wave_page(results, lang(), _, chosen, mark=ja)
    unit_changes = survey_dashboards.unit_change_rows(
        survey_figures.unit_changes(wave, k, item_id=chosen) if chosen is not None and results["shown"] else None,
        chosen, _, mark=ja)
    return render_template("compare/survey_wave.html", results=results, page=page, wave=wave,
                           unit_changes=unit_changes)
