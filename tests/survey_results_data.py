"""A staff survey with two waves whose figures are known: built row by row for the results tests."""
from __future__ import annotations

import itertools
from datetime import datetime, timezone

from sqlalchemy import select

from civictest.extensions import db
from civictest.models import OrgUnit, RosterEntry, SurveyAnswer, SurveyResponse
from civictest.models.surveys import random_id
from civictest.services import surveys
from survey_helpers import make_survey

DAY = datetime(2026, 6, 1, tzinfo=timezone.utc)
# unit path -> (grade, invited, answered) ; the answered ones answer below
ROSTER = {"総務局/総務部/総務課": ("主事", 20, 12), "総務局/総務部/文書課": ("課長", 10, 3),
          "財務局/主計部/財政課": ("主事", 60, 15)}
_counter = itertools.count()


def add_wave_people(wave, answers_by_unit: dict[str, list[dict]]) -> None:
    """Roster entries for ROSTER and one response per answer dict ({item position: value or text})."""
    units = {u.path: u for u in db.session.scalars(select(OrgUnit))}
    items = wave.items
    for path, (grade, invited, answered) in ROSTER.items():
        for i in range(invited):
            db.session.add(RosterEntry(wave_id=wave.id, email=f"p{next(_counter)}@city.example.jp",
                                       org_unit_id=units[path].id, job_grade=grade, reminders=0,
                                       has_answered=i < answered))
        for answer in answers_by_unit.get(path, []):
            response = SurveyResponse(id=random_id(), wave_id=wave.id, org_unit_id=units[path].id, job_grade=grade,
                                      respondent_key=f"{next(_counter):064d}", submitted_at=DAY, updated_at=DAY)
            db.session.add(response)
            for position, value in answer.items():
                item = items[position]
                text = value if isinstance(value, str) else ""
                response.answers.append(SurveyAnswer(wave_id=wave.id, item_id=item.id,
                                                     value=None if text else value, text=text))
    db.session.flush()


def people(count: int, **answers) -> list[dict]:
    """count answer dicts; answers: position -> list of values, one per person (cycled)."""
    return [{int(p[1:]): values[i % len(values)] for p, values in answers.items()} for i in range(count)]


def survey_in(department):  # noqa: ANN001, ANN201
    """make_survey's survey and first wave, in an existing department (the browser tests' demo data)."""
    from survey_helpers import UNITS

    surveys.ensure_units(UNITS)
    survey = surveys.create_survey(department, "職員のデジタル環境調査", title_en="Staff digital environment survey")
    surveys.add_item(survey, "agreement5", "業務に必要な端末がそろっている", wording_en="I have the devices I need")
    surveys.add_item(survey, "satisfaction5", "デジタル環境全体に満足している", wording_en="Overall satisfaction")
    surveys.add_item(survey, "single_choice", "主に使う端末", wording_en="Main device",
                     options=[{"ja": "デスクトップ", "en": "Desktop"}, {"ja": "ノート", "en": "Laptop"}])
    surveys.add_item(survey, "free_text", "改善してほしいこと", wording_en="What should improve")
    wave = surveys.create_wave(survey, "2026年度")
    db.session.commit()
    return survey, wave


def two_waves(department=None):  # noqa: ANN001, ANN201
    """Wave 1: item 0 (agreement) 5 of 30 positive; wave 2: 12 of 30 positive (all of 総務課 says 5).

    Wave 2 answers: 総務課 12 x (q0=5, q1=4, q2=1), 文書課 3 x (q0=1, q1=2, q2=2),
    財政課 15 x (q0=3, q1=3, q2=2, q3 text)."""
    survey, first = make_survey() if department is None else survey_in(department)
    add_wave_people(first, {"総務局/総務部/総務課": people(12, p0=[5] * 5 + [1] * 7, p1=[3]),
                            "総務局/総務部/文書課": people(3, p0=[1], p1=[3]),
                            "財務局/主計部/財政課": people(15, p0=[1], p1=[3])})
    surveys.set_wave_state(first, "open")
    surveys.set_wave_state(first, "closed")
    second = surveys.create_wave(survey, "2027年度")
    db.session.flush()
    texts = ["端末が遅くて仕事にならない", "ネットワークが安定していて使いやすい", "端末が古くて困る"]
    add_wave_people(second, {"総務局/総務部/総務課": people(12, p0=[5], p1=[4], p2=[1]),
                             "総務局/総務部/文書課": people(3, p0=[1], p1=[2], p2=[2]),
                             "財務局/主計部/財政課": people(15, p0=[3], p1=[3], p2=[2], p3=texts)})
    db.session.commit()
    return survey, first, second
