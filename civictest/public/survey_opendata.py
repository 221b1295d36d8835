"""Open data of published survey waves (no login): the files frozen at publication, never recomputed.
A wave that is not published does not exist here (404)."""
from __future__ import annotations

import json

from flask import abort, render_template

from civictest.extensions import db
from civictest.models import SurveyWave
from civictest.public import bp
from civictest.services import survey_publication
from civictest.web.downloads import attachment

PUBLIC_CACHE = "public, max-age=300"
NAMES = {name for name, *_ in survey_publication.FILES}


def _published(wave_id: int):  # noqa: ANN202
    wave = db.session.get(SurveyWave, wave_id)
    snapshot = survey_publication.snapshot(wave) if wave is not None else None
    if snapshot is None:
        abort(404)
    return wave, snapshot


@bp.route("/open-data/surveys/<int:wave_id>/")
def survey_open_data(wave_id: int):
    wave, snapshot = _published(wave_id)
    meta = json.loads(snapshot.file_bytes("metadata.json"))
    return render_template("public/survey_opendata.html", wave=wave, meta=meta, files=survey_publication.FILES)


@bp.route("/open-data/surveys/<int:wave_id>/<name>")
def survey_open_data_file(wave_id: int, name: str):
    if name not in NAMES:
        abort(404)
    wave, snapshot = _published(wave_id)
    return attachment(snapshot.file_bytes(name), f"civictest-survey-{wave.survey_id}-{wave.number}-{name}",
                      cache=PUBLIC_CACHE)
