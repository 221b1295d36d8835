"""One function per request for reports: data (SQL) + analysis (statistics), so API, CLI, pages and exports agree.

Every result is plain JSON-ready data (dicts, lists, str, int, float, bool, None), unrounded.
"""
from __future__ import annotations

from typing import Any

import pandas as pd

from civictest import data, privacy
from civictest.analysis import compare as analysis_compare
from civictest.analysis import report as analysis_report
from civictest.extensions import db
from civictest.models import Iteration, Service, User
from civictest.security import services_for
from civictest.services.errors import NotFound

COUNTING = ("Withdrawn participants, sessions closed as invalid and not_attempted attempts are left out. "
            "Where an observer recorded a participant's task, the observer's outcome and time count "
            "(source 'observer'), with the resident's own SEQ rating when the observer recorded none.")


def service_summary(service: Service) -> dict:
    """A service and its iterations, as plain data."""
    return {"id": service.id, "department_id": service.department_id, "name_ja": service.name_ja,
            "name_en": service.name_en,
            "iterations": [{"id": i.id, "number": i.number, "label": i.label, "published": bool(i.published)}
                           for i in service.iterations]}


def services(user: User) -> list[dict]:
    """The services (with their iterations) a user may see."""
    return [service_summary(service) for service in services_for(user)]


def iteration_report(iteration: Iteration, *, time_population: str = "success") -> dict:
    """Per-task and overall figures of one iteration (METRICS 12-13), with the iteration's facts."""
    frames = data.iteration_data(iteration.id, time_population=time_population, with_times=False)
    meta = data.iteration_meta(iteration.id, frames.sentiment_counts)
    figures = analysis_report.iteration_report(
        frames, meta["participants"],
        questionnaire=meta["questionnaire"] or "sus", partial_counts_as_success=meta["partial_counts_as_success"],
        time_population=time_population)
    return {"iteration": meta, "counting": COUNTING, **figures}


def _iteration_of(service: Service, iteration_id: int) -> Iteration:
    """An iteration of this service; any other id is NotFound (so another service's iteration is a 404)."""
    iteration = db.session.get(Iteration, iteration_id)
    if iteration is None or iteration.service_id != service.id:
        raise NotFound("iteration")
    return iteration


def compare(service: Service, base_id: int, candidate_id: int, *, alpha: float = 0.05) -> dict:
    """Candidate vs base iteration of one service (METRICS 7; differences are candidate minus base)."""
    base, candidate = _iteration_of(service, base_id), _iteration_of(service, candidate_id)
    base_frames, candidate_frames = data.iteration_data(base.id), data.iteration_data(candidate.id)
    base_meta = data.iteration_meta(base.id, base_frames.sentiment_counts)
    candidate_meta = data.iteration_meta(candidate.id, candidate_frames.sentiment_counts)
    result = analysis_compare.compare_iterations(
        base_frames, candidate_frames, alpha=alpha, questionnaire=candidate_meta["questionnaire"] or "sus",
        partial_counts_as_success=candidate_meta["partial_counts_as_success"])
    return {"service": service_summary(service), "base": base_meta, "candidate": candidate_meta,
            "counting": COUNTING, **result}


def trend(service: Service) -> dict:
    """Pooled completion, inconvenience and questionnaire mean of every iteration of a service, in order."""
    points = analysis_compare.trend(data.trend_points(service.id))
    return {"service": service_summary(service), "counting": COUNTING, "points": points}


def _complementary(cells: list[dict], counts: pd.DataFrame, k: int) -> list[dict]:
    """Also hide the cells that would reveal a suppressed one from the task's published total
    (privacy.suppress_small_cells, per segment x task)."""
    table = (counts[counts["outcome"] != data.NOT_ATTEMPTED]
             .assign(value=lambda f: f["value"].astype(object).where(f["value"].notna(), "unknown"))
             .groupby(["segment", "value", "task_id"], as_index=False)["n"].sum())
    hidden = privacy.suppress_small_cells(table, "n", k, group_cols=["segment", "task_id"])
    secret = {(r.segment, r.value, int(r.task_id)) for r in hidden.itertuples() if r.suppressed}
    keep = ("segment", "value", "task_id")
    return [{key: (value if key in keep else None) for key, value in cell.items()} | {"suppressed": True}
            if (cell["segment"], cell["value"], cell["task_id"]) in secret else cell for cell in cells]


def segments(iteration: Iteration, k: int) -> dict:
    """Completion and inconvenience per task by age band, municipality, device and assistive technology;
    cells of fewer than k participants are suppressed, and so are the cells that would give them away."""
    meta = data.iteration_meta(iteration.id)
    counts = data.segment_counts(iteration.id)
    cells = analysis_report.segment_report(counts, k, partial_counts_as_success=meta["partial_counts_as_success"])
    return {"iteration": meta, "k": k, "counting": COUNTING, "cells": _complementary(cells, counts, k)}


# ---------------------------------------------------------------- flat tables (CSV) of the same figures
def _flat(prefix: str, block: dict | None) -> dict[str, Any]:
    """prefix_key -> value for the scalar entries of one figure block."""
    return {f"{prefix}_{key}": value for key, value in (block or {}).items() if not isinstance(value, (dict, list))}


def report_table(report: dict) -> pd.DataFrame:
    """One row per task of an iteration_report: counts, completion, inconvenience, time, SEQ (unrounded)."""
    rows = []
    for task in report["tasks"]:
        row = {key: task[key] for key in ("task_id", "position", "title_ja", "title_en", "n")}
        row.update({f"outcome_{k}": v for k, v in task["outcomes"].items()})
        row.update({f"source_{k}": v for k, v in (task["sources"] or {}).items()})
        for name in ("completion", "inconvenience", "time", "seq"):
            row.update(_flat(name, task[name]))
        rows.append(row)
    return pd.DataFrame(rows)


def compare_table(result: dict) -> pd.DataFrame:
    """One row per task of a comparison: n, completion and inconvenience tests, verdicts (unrounded)."""
    rows = []
    for task in result["tasks"]:
        row = {key: task[key] for key in ("task_id", "position", "title_ja", "title_en", "n_base", "n_candidate",
                                          "verdict", "headline_p", "holm_adjusted_p", "holm_verdict")}
        for name in ("completion", "inconvenience", "seq", "time"):
            row.update(_flat(name, task[name]))
        rows.append(row)
    return pd.DataFrame(rows)
