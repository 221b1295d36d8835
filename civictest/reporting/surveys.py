"""Survey results (issue 16): SQL aggregates in, every figure of a wave out (civictest.analysis.surveys).

The results page, the JSON API and the exports all call `wave_results`, so they show the same numbers by
construction. The answers per item, org unit, job grade and value are read from the tally kept with the answers
(civictest.survey_tallies, table survey_tally), never from the answer rows; SQL counts responses per unit and
grade, and the roster per unit and grade; statistics happen in analysis.surveys; free text is read (at most
TEXT_LIMIT answers per item, newest day first) for sentiment and themes. Plain unrounded data out, ready for JSON.
"""
from __future__ import annotations

import copy
import functools
from collections import Counter
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import aliased

from civictest import sentiment
from civictest.analysis import surveys as analysis
from civictest.extensions import db
from civictest.models import Department, Service, User
from civictest.models.surveys import (
    SCALE_KINDS, OrgUnit, RosterEntry, Survey, SurveyAnswer, SurveyItem, SurveyResponse, SurveyTally, SurveyWave,
    SurveyWaveItem,
)
from civictest.security import visible_service_ids

WHOLE = 0  # the whole organisation: the root above every top-level unit (局), and the unit of answers without one
TEXT_LIMIT = 2000
THEMES_SHOWN = 10
KIND = {"agreement5": "scale", "satisfaction5": "scale", "single_choice": "choice", "free_text": "text"}


# ---------------------------------------------------------------- who sees which survey
def visible_surveys(user: User) -> list[Survey]:
    """Admins see every survey; other staff the surveys of departments with a service they may see."""
    query = select(Survey).order_by(Survey.id)
    ids = visible_service_ids(user)
    if ids is not None:
        departments = select(Service.department_id).where(Service.id.in_(ids or [-1]))
        query = query.where(Survey.department_id.in_(departments))
    return list(db.session.scalars(query))


def can_see_survey(user: User, survey: Survey | None) -> bool:
    return survey is not None and survey.id in {s.id for s in visible_surveys(user)}


def survey_summary(survey: Survey) -> dict:
    """A survey and its waves, as plain data."""
    department = db.session.get(Department, survey.department_id)
    return {"id": survey.id, "department_id": survey.department_id,
            "department_ja": getattr(department, "name_ja", ""), "department_en": getattr(department, "name_en", ""),
            "audience": survey.audience, "title_ja": survey.title_ja, "title_en": survey.title_en,
            "waves": [{"id": w.id, "number": w.number, "label": w.label, "state": w.state,
                       "previous_id": w.previous_id} for w in survey.waves]}


def surveys(user: User) -> list[dict]:
    return [survey_summary(s) for s in visible_surveys(user)]


# ---------------------------------------------------------------- SQL reads
def wave_items(wave_id: int) -> list[dict]:
    rows = db.session.execute(
        select(SurveyItem.id, SurveyItem.code, SurveyItem.kind, SurveyItem.wording_ja, SurveyItem.wording_en,
               SurveyItem.options, SurveyWaveItem.position)
        .join(SurveyWaveItem, SurveyWaveItem.item_id == SurveyItem.id)
        .where(SurveyWaveItem.wave_id == wave_id).order_by(SurveyWaveItem.position)).all()
    out = []
    for item_id, code, kind, wording_ja, wording_en, options, position in rows:
        options = list(options or [])
        entry = {"id": item_id, "key": item_id, "code": code, "kind": KIND[kind], "item_kind": kind,
                 "position": position, "wording_ja": wording_ja, "wording_en": wording_en,
                 "labels": [{"ja": o.get("ja", ""), "en": o.get("en", "")} for o in options]}
        if kind in SCALE_KINDS:
            entry.update(scale_min=1, scale_max=len(options) or 5)
        elif kind == "single_choice":
            entry["options"] = list(range(1, len(options) + 1))
        out.append(entry)
    return out


def _first_level_of_unit() -> Any:
    """(unit_id, top_id): every unit with its first-level unit (局, depth 1), matched by path prefix."""
    unit, top = aliased(OrgUnit), aliased(OrgUnit)
    return (select(unit.id.label("unit_id"), top.id.label("top_id"))
            .join(top, and_(top.depth == 1, or_(unit.path == top.path,
                                                 func.substr(unit.path, 1, func.length(top.path) + 1)
                                                 == top.path + "/"))).subquery())


def top_counts(wave_id: int) -> pd.DataFrame:
    """item_id, top_id, grade, value, n: answers with a value per item, first-level unit (WHOLE when the
    response has no unit), job grade and value. Summed from the wave's tally (civictest.survey_tallies)."""
    mapping = _first_level_of_unit()
    top = func.coalesce(mapping.c.top_id, WHOLE)
    rows = db.session.execute(
        select(SurveyTally.item_id, top, SurveyTally.job_grade, SurveyTally.value, func.sum(SurveyTally.n))
        .outerjoin(mapping, mapping.c.unit_id == SurveyTally.org_unit_id)
        .where(SurveyTally.wave_id == wave_id, SurveyTally.n != 0)
        .group_by(SurveyTally.item_id, top, SurveyTally.job_grade, SurveyTally.value)).all()
    return _frame(rows, ["item_id", "top_id", "grade", "value", "n"])


def unit_counts(wave_id: int, item_ids: list[int]) -> pd.DataFrame:
    """item_id, unit_id, value, n for these items (the unit breakdown), from the wave's tally."""
    rows = db.session.execute(
        select(SurveyTally.item_id, SurveyTally.org_unit_id, SurveyTally.value, func.sum(SurveyTally.n))
        .where(SurveyTally.wave_id == wave_id, SurveyTally.item_id.in_(item_ids or [-1]), SurveyTally.n != 0)
        .group_by(SurveyTally.item_id, SurveyTally.org_unit_id, SurveyTally.value)).all()
    return _frame(rows, ["item_id", "unit_id", "value", "n"])


def _frame(rows: list[tuple], columns: list[str]) -> pd.DataFrame:
    """A frame from result tuples, column by column (much faster than from row objects)."""
    if not rows:
        return pd.DataFrame(columns=columns)
    return pd.DataFrame(dict(zip(columns, (list(column) for column in zip(*rows)))))


def respondent_counts(wave_id: int) -> pd.DataFrame:
    unit = func.coalesce(SurveyResponse.org_unit_id, WHOLE)
    rows = db.session.execute(
        select(unit, SurveyResponse.job_grade, func.count()).where(SurveyResponse.wave_id == wave_id)
        .group_by(unit, SurveyResponse.job_grade)).all()
    return _frame(rows, ["unit_id", "grade", "n"])


def roster_counts(wave_id: int) -> pd.DataFrame:
    unit = func.coalesce(RosterEntry.org_unit_id, WHOLE)
    rows = db.session.execute(
        select(unit, RosterEntry.job_grade, func.count(),
               func.count().filter(RosterEntry.has_answered.is_(True)))
        .where(RosterEntry.wave_id == wave_id).group_by(unit, RosterEntry.job_grade)).all()
    return _frame(rows, ["unit_id", "grade", "invited", "answered"])


def fine_counts(wave_id: int) -> pd.DataFrame:
    """item_id, unit_id, grade, value, n: the wave's tally as it is (both by_top and by_unit for every item)."""
    rows = db.session.execute(
        select(SurveyTally.item_id, SurveyTally.org_unit_id, SurveyTally.job_grade, SurveyTally.value, SurveyTally.n)
        .where(SurveyTally.wave_id == wave_id, SurveyTally.n != 0)).all()
    return _frame(rows, ["item_id", "unit_id", "grade", "value", "n"])


def base_counts(wave: SurveyWave, item_ids: list[int]) -> pd.DataFrame:
    """item_key, value, n of a wave (the previous one), for the comparison. A closed or published wave takes no
    answers, so its counts are remembered until it is opened again (closed_at changes at every closing)."""
    if wave.state in ("closed", "published") and wave.closed_at is not None:
        key = (wave.id, wave.state, wave.closed_at.isoformat(), tuple(item_ids))
        return _closed_base_counts(key).copy()
    return _base_counts(wave.id, item_ids)


@functools.lru_cache(maxsize=64)
def _closed_base_counts(key: tuple) -> pd.DataFrame:
    wave_id, _state, _closed_at, item_ids = key
    return _base_counts(wave_id, list(item_ids))


def _base_counts(wave_id: int, item_ids: list[int]) -> pd.DataFrame:
    rows = db.session.execute(
        select(SurveyTally.item_id, SurveyTally.value, func.sum(SurveyTally.n))
        .where(SurveyTally.wave_id == wave_id, SurveyTally.item_id.in_(item_ids or [-1]), SurveyTally.n != 0)
        .group_by(SurveyTally.item_id, SurveyTally.value)).all()
    return _frame(rows, ["item_key", "value", "n"])


def first_levels_of(units: list[dict]) -> dict:
    return analysis.first_levels(units)


def org_units(present: set[int]) -> list[dict]:
    """The units with roster entries or responses in the wave and every unit above them, under WHOLE."""
    rows = db.session.execute(select(OrgUnit.id, OrgUnit.parent_id, OrgUnit.name, OrgUnit.path)).all()
    parent = {unit_id: up for unit_id, up, _name, _path in rows}
    keep: set[int] = set()
    for unit_id in present:
        while unit_id is not None and unit_id not in keep and unit_id in parent:
            keep.add(unit_id)
            unit_id = parent[unit_id]
    units = [{"id": WHOLE, "parent_id": None, "name": "", "path": ""}]
    units += [{"id": unit_id, "parent_id": WHOLE if up is None else up, "name": name, "path": path}
              for unit_id, up, name, path in sorted(rows, key=lambda r: r[3]) if unit_id in keep]
    return units


def free_texts(wave_id: int, item_id: int, limit: int = TEXT_LIMIT) -> tuple[int, tuple[str, ...]]:
    """(how many non-empty answers, up to `limit` of their texts, newest day first)."""
    where = (SurveyAnswer.wave_id == wave_id, SurveyAnswer.item_id == item_id, SurveyAnswer.text != "")
    total = db.session.scalar(select(func.count()).select_from(SurveyAnswer).where(*where)) or 0
    texts = db.session.scalars(
        select(SurveyAnswer.text).join(SurveyResponse, SurveyResponse.id == SurveyAnswer.response_id)
        .where(*where).order_by(SurveyResponse.updated_at.desc(), SurveyAnswer.response_id).limit(limit)).all()
    return int(total), tuple(texts)


@functools.lru_cache(maxsize=32)
def _text_figures(texts: tuple[str, ...], limit: int) -> dict:
    """Sentiment counts and themes of these texts, remembered (the same answers give the same figures)."""
    labels = [sentiment.analyze(text).label for text in texts]
    return {"sentiment": dict(Counter(labels)), "themes": sentiment.themes(list(zip(texts, labels)), limit=limit)}


# ---------------------------------------------------------------- the one entry point
def wave_results(wave: SurveyWave, k: int = analysis.DEFAULT_K, *, item_id: int | None = None,
                 every_item: bool = False, alpha: float = 0.05, with_text: bool = True) -> dict:
    """Every figure of one wave: overall per item (weighted beside unweighted), per job grade, per org unit
    (suppressed and merged upward), response rates, the comparison with the previous wave, free-text sentiment
    and themes. k: SURVEY_SUPPRESSION_K. The unit breakdown covers every scale item with every_item (the API),
    else the item asked for, or the first scale item (the page shows one at a time): `unit_items` says which."""
    items = wave_items(wave.id)
    scale_ids = [i["id"] for i in items if i["kind"] == "scale"]
    wanted = scale_ids if every_item else ([item_id] if item_id in scale_ids else scale_ids[:1])
    respondents = respondent_counts(wave.id)
    roster = roster_counts(wave.id)
    present = set(respondents["unit_id"]) | set(roster["unit_id"])
    units = org_units({int(u) for u in present if u != WHOLE})
    base = None
    previous = db.session.get(SurveyWave, wave.previous_id) if wave.previous_id else None
    if previous is not None:
        base = base_counts(previous, scale_ids)
    # Two sums of the tally, each a GROUP BY in SQL: per 局 x grade (a few thousand rows) and per unit for the
    # items shown by unit (every scale item for the API). Reading the tally itself (fine_counts) into Python
    # costs more than letting SQL add it up.
    by_top, by_unit = top_counts(wave.id), unit_counts(wave.id, wanted)
    result = analysis.wave_results(items=items, units=units, by_top=by_top, by_unit=by_unit,
                                   respondents=respondents,
                                   roster=roster if not roster.empty else None, base_answers=base, k=k,
                                   alpha=alpha)
    for item in result["items"]:
        item["text"] = None
        if item["kind"] == "text" and with_text and result["shown"]:
            total, texts = free_texts(wave.id, item["id"])
            figures = copy.deepcopy(_text_figures(texts, THEMES_SHOWN)) if texts else {"sentiment": {}, "themes": []}
            item["text"] = {"answers": total, "read": len(texts), **figures}
    result.update(
        survey=survey_summary(wave.survey),
        wave={"id": wave.id, "number": wave.number, "label": wave.label, "state": wave.state},
        base_wave=None if previous is None else {"id": previous.id, "number": previous.number,
                                                 "label": previous.label})
    return _plain(result)


_LEAVES = (str, int, float, bool, type(None))


def _plain(value: Any) -> Any:
    """JSON-ready: numpy scalars to Python, tuple keys and values to lists, dict keys to strings. The answer of
    every item per unit has ~300,000 values: plain leaves (most of them) return at the first test."""
    kind = type(value)
    if kind in _LEAVES:
        return value
    if kind is dict or isinstance(value, dict):
        return {k if type(k) is str else str(k): v if type(v) in _LEAVES else _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [v if type(v) in _LEAVES else _plain(v) for v in value]
    if isinstance(value, np.generic):
        return value.item()
    return value


# ---------------------------------------------------------------- wave vs wave per org unit
def unit_changes(wave: SurveyWave, k: int = analysis.DEFAULT_K, *, item_id: int | None = None,
                 alpha: float = 0.05) -> dict | None:
    """The change since the previous wave per org unit (analysis.compare_units): each unit shown in both waves
    (each wave's own suppression with k), per scale item, with Holm across the units of an item. item_id narrows
    it to one scale item (the page); None: every scale item (the API without ?item=). None without a previous
    wave. The page (compare/survey_wave.html) and the API (.../unit-changes) both call this."""
    previous = db.session.get(SurveyWave, wave.previous_id) if wave.previous_id else None
    if previous is None:
        return None
    items = [i for i in wave_items(wave.id) if i["kind"] == "scale"]
    if item_id is not None:
        items = [i for i in items if i["id"] == item_id][:1] or items[:1]
    ids = [i["id"] for i in items]

    def direct(wave_id: int) -> dict:
        counts = respondent_counts(wave_id)
        return counts.groupby("unit_id")["n"].sum().to_dict() if not counts.empty else {}

    base_respondents, candidate_respondents = direct(previous.id), direct(wave.id)
    present = {int(u) for u in set(base_respondents) | set(candidate_respondents) if u != WHOLE}
    result = analysis.compare_units(
        items=items, units=org_units(present), base_respondents=base_respondents,
        candidate_respondents=candidate_respondents, base_by_unit=unit_counts(previous.id, ids),
        candidate_by_unit=unit_counts(wave.id, ids), k=k, alpha=alpha)
    result.update(wave={"id": wave.id, "number": wave.number, "label": wave.label, "state": wave.state},
                  base_wave={"id": previous.id, "number": previous.number, "label": previous.label})
    return _plain(result)
