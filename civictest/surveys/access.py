"""Who may see which survey: admins all; other staff the surveys of departments whose services they work on."""
from __future__ import annotations

from flask import abort
from flask_login import current_user
from sqlalchemy import select

from civictest.extensions import db
from civictest.models import Department, Survey, SurveyWave


def department_ids() -> set[int] | None:
    """None: every department (admins)."""
    if current_user.role == "admin":
        return None
    return {service.department_id for service in current_user.services}


def departments() -> list[Department]:
    ids = department_ids()
    query = select(Department).order_by(Department.id)
    if ids is not None:
        query = query.where(Department.id.in_(ids or {-1}))
    return list(db.session.scalars(query))


def visible_surveys() -> list[Survey]:
    ids = department_ids()
    query = select(Survey).order_by(Survey.department_id, Survey.id)
    if ids is not None:
        query = query.where(Survey.department_id.in_(ids or {-1}))
    return list(db.session.scalars(query))


def survey_or_404(survey_id: int) -> Survey:
    survey = db.session.get(Survey, survey_id)
    ids = department_ids()
    if survey is None or (ids is not None and survey.department_id not in ids):
        abort(404)
    return survey


def wave_or_404(wave_id: int) -> SurveyWave:
    wave = db.session.get(SurveyWave, wave_id)
    if wave is None:
        abort(404)
    survey_or_404(wave.survey_id)
    return wave
