"""One function per figure set: SQL reads (civictest.reporting.queries) + statistics (civictest.analysis).

Pages, the API, the CLI, staff exports and open data all call these, so they agree by construction. Every result
is plain JSON-ready data (dicts, lists, str, int, float, bool, None), unrounded; dashboards only put it into words
and pictures.

A `Figures` object serves one request (or one command): it reads each iteration once, however many figure sets
need it (a dashboard with a base needs both iterations' reports, their comparison, segments and the trend).
"""
from __future__ import annotations

import copy
import functools
from typing import Any

import pandas as pd

from civictest import privacy, sentiment
from civictest.analysis import compare as analysis_compare
from civictest.analysis import feedback as analysis_feedback
from civictest.analysis import report as analysis_report
from civictest.analysis.sentiment_validity import sentiment_validity
from civictest.extensions import db
from civictest.models import Iteration, Service, User
from civictest.reporting import queries
from civictest.reporting.vocabulary import NOT_ATTEMPTED, SENSITIVE_SEGMENTS, UNKNOWN
from civictest.security import services_for
from civictest.services.errors import NotFound

COUNTING = ("Withdrawn participants, sessions closed as invalid and not_attempted attempts are left out. "
            "Where an observer recorded a participant's task, the observer's outcome and time count "
            "(source 'observer'), with the resident's own SEQ rating when the observer recorded none.")
FEEDBACK_SATISFIED = "rating 4 or 5 on the 5-point scale (top-two box)"
THEMES_SHOWN = 10
DEFAULT_K = 5


def service_summary(service: Service) -> dict:
    """A service and its iterations, as plain data."""
    return {"id": service.id, "department_id": service.department_id, "name_ja": service.name_ja,
            "name_en": service.name_en,
            "iterations": [{"id": i.id, "number": i.number, "label": i.label, "published": bool(i.published)}
                           for i in service.iterations]}


def services(user: User) -> list[dict]:
    """The services (with their iterations) a user may see."""
    return [service_summary(service) for service in services_for(user)]


def iteration_of(service: Service, iteration_id: int) -> Iteration:
    """An iteration of this service; any other id is NotFound (so another service's iteration is a 404)."""
    iteration = db.session.get(Iteration, iteration_id)
    if iteration is None or iteration.service_id != service.id:
        raise NotFound("iteration")
    return iteration


class Figures:
    """The figure sets of one request; k is the smallest group shown (SUPPRESSION_K)."""

    def __init__(self, k: int = DEFAULT_K, alpha: float = 0.05) -> None:
        self.k, self.alpha = int(k), alpha
        self._memo: dict[tuple, Any] = {}

    def _once(self, key: tuple, compute: Any) -> Any:
        if key not in self._memo:
            self._memo[key] = compute()
        return self._memo[key]

    # ------------------------------------------------------------ reads, once each
    def study(self, iteration_id: int) -> Any:
        return self._once(("study", iteration_id), lambda: queries.study_of(iteration_id))

    def frames(self, iteration_id: int, time_population: str = "success") -> analysis_report.IterationData:
        return self._once(("frames", iteration_id, time_population), lambda: queries.iteration_data(
            self.study(iteration_id), time_population=time_population))

    def meta(self, iteration_id: int) -> dict | None:
        return self._once(("meta", iteration_id), lambda: queries.iteration_meta(
            iteration_id, self.study(iteration_id), self.frames(iteration_id).sentiment_counts))

    # ------------------------------------------------------------ figure sets
    def report(self, iteration_id: int, time_population: str = "success") -> dict:
        """Per-task and overall figures of one iteration (METRICS 12-13), with the iteration's facts."""
        def compute() -> dict:
            meta = self.meta(iteration_id)
            figures = analysis_report.iteration_report(
                self.frames(iteration_id, time_population), meta["participants"],
                questionnaire=meta["questionnaire"] or "sus",
                partial_counts_as_success=meta["partial_counts_as_success"], time_population=time_population)
            return {"iteration": meta, "counting": COUNTING, **figures}
        return self._once(("report", iteration_id, time_population), compute)

    def compare(self, service: Service, base_id: int, candidate_id: int) -> dict:
        """Candidate vs base iteration of one service (METRICS 7; differences are candidate minus base)."""
        base, candidate = iteration_of(service, base_id), iteration_of(service, candidate_id)

        def compute() -> dict:
            meta = self.meta(candidate.id)
            result = analysis_compare.compare_iterations(
                self.frames(base.id), self.frames(candidate.id), alpha=self.alpha,
                questionnaire=meta["questionnaire"] or "sus",
                partial_counts_as_success=meta["partial_counts_as_success"])
            return {"service": service_summary(service), "base": self.meta(base.id), "candidate": meta,
                    "counting": COUNTING, **result}
        return self._once(("compare", base.id, candidate.id), compute)

    def trend(self, service: Service) -> dict:
        """Pooled completion, inconvenience and questionnaire mean of every iteration of a service, in order."""
        def compute() -> dict:
            points = [(self.meta(i), self.frames(i)) for i in queries.iteration_ids(service.id)]
            return {"service": service_summary(service), "counting": COUNTING,
                    "points": analysis_compare.trend(points)}
        return self._once(("trend", service.id), compute)

    def feedback(self, service: Service) -> dict:
        """Live-service feedback of every iteration of a service, in order: answers, % satisfied (4 or 5 of 5)
        with its Wilson interval, mean rating with its t-interval, the "could you do it?" split, comments."""
        def compute() -> dict:
            iterations = [{"id": i.id, "number": i.number, "label": i.label} for i in service.iterations]
            return {"service": service_summary(service), "satisfied_means": FEEDBACK_SATISFIED,
                    "points": analysis_feedback.feedback_points(iterations, queries.feedback_tally(service.id),
                                                                1 - self.alpha)}
        return self._once(("feedback", service.id), compute)

    def segments(self, iteration: Iteration, task_id: int | None = None) -> dict:
        """Completion and inconvenience per task (or of one task) by every profile segment; cells of fewer than
        k participants are suppressed, and so are the cells that would give them away (within each task)."""
        def compute() -> dict:
            meta, counts = self.meta(iteration.id), self.segment_counts(iteration.id)
            if task_id is not None:
                counts = counts[counts["task_id"] == task_id]
            hidden = self.sensitive_segments_hidden(iteration.id)
            if hidden:
                counts = counts[~counts["segment"].isin(hidden)]
            cells = analysis_report.segment_report(counts, self.k,
                                                   partial_counts_as_success=meta["partial_counts_as_success"])
            return {"iteration": meta, "k": self.k, "counting": COUNTING, "task_id": task_id,
                    "hidden_segments": list(hidden), "cells": _complementary(cells, counts, self.k)}
        return self._once(("segments", iteration.id, task_id), compute)

    def sensitive_segments_hidden(self, iteration_id: int) -> tuple[str, ...]:
        """The sensitive segments (assistive technology) withheld from staff figures while any session of the
        iteration is open: two readings a resident apart would otherwise give that resident's answer away."""
        def compute() -> tuple[str, ...]:
            study = self.study(iteration_id)
            return SENSITIVE_SEGMENTS if study and queries.has_open_session(study.id) else ()
        return self._once(("sensitive_hidden", iteration_id), compute)

    def segment_counts(self, iteration_id: int) -> pd.DataFrame:
        """The iteration's SegmentTally rows (queries.segment_counts), read once."""
        def compute() -> pd.DataFrame:
            study = self.study(iteration_id)
            return queries.segment_counts(study.id) if study else _no_segments()
        return self._once(("segment_counts", iteration_id), compute)

    def areas(self, iteration: Iteration, task_id: int | None = None) -> dict:
        """Participants and inconvenience per municipality code (one task or all), before suppression: the
        maps suppress small areas themselves, since they merge areas into regions first."""
        def compute() -> dict:
            study = self.study(iteration.id)
            if study is None:
                return {"iteration": self.meta(iteration.id), "task_id": task_id, "areas": []}
            counts = self.segment_counts(iteration.id)
            rows = analysis_report.area_report(queries.participants_by_municipality(study.id), counts, task_id)
            return {"iteration": self.meta(iteration.id), "task_id": task_id, "areas": rows}
        return self._once(("areas", iteration.id, task_id), compute)

    def venues(self, iteration: Iteration) -> list[dict]:
        study = self.study(iteration.id)
        return queries.venues(study.id) if study else []

    def sentiment_validity(self, iteration: Iteration) -> dict:
        """How far comment sentiment agrees with the same attempts' inconvenience (analysis.sentiment_validity)."""
        def compute() -> dict:
            study = self.study(iteration.id)
            frame = queries.sentiment_by_attempt(study.id) if study else pd.DataFrame(
                columns=["inconvenient", "label", "n"])
            return sentiment_validity(frame)
        return self._once(("validity", iteration.id), compute)

    def themes(self, iteration: Iteration, limit: int = THEMES_SHOWN) -> list[dict]:
        """The commonest key phrases of residents' comments, with their sentiment (civictest.sentiment.themes)."""
        study = self.study(iteration.id)
        comments = tuple(queries.theme_comments(study.id)) if study else ()
        return copy.deepcopy(_themes(comments, limit)) if comments else []

    def overview(self, services: list[Service]) -> list[dict]:
        """Every service's latest iteration with answers against the one before it (pooled inconvenience
        change, METRICS 7.1), and its unresolved findings per severity."""
        findings = queries.unresolved_findings([s.id for s in services])
        entries = []
        for service in services:
            points = self.trend(service)["points"]
            with_data = [p for p in points if p.get("participants")] or points
            latest = with_data[-1] if with_data else None
            earlier = [p for p in points if latest and p["number"] < latest["number"] and p.get("participants")]
            previous = earlier[-1] if earlier else None
            entries.append({"service": service_summary(service), "latest": latest, "previous": previous,
                            "change": analysis_compare.pooled_change(latest, previous, self.alpha),
                            "unresolved_findings": findings.get(service.id, {})})
        return entries


@functools.lru_cache(maxsize=32)
def _themes(comments: tuple[tuple[str, str | None], ...], limit: int) -> list[dict]:
    """sentiment.themes of these (text, label) pairs, remembered: the same comments give the same themes, and
    tokenising 2,000 comments is the largest fixed cost of a dashboard (the newest comments of an iteration
    rarely change between two requests; any change, a new comment, a deletion or a new label, is a new key)."""
    return sentiment.themes(list(comments), limit=limit)


def _no_segments() -> pd.DataFrame:
    return pd.DataFrame(columns=["segment", "value", "task_id", "outcome", "hard", "n"])


def _complementary(cells: list[dict], counts: pd.DataFrame, k: int) -> list[dict]:
    """Also hide the cells that would reveal a suppressed one from the task's published total
    (privacy.suppress_small_cells, per segment x task)."""
    if counts.empty:
        return cells
    table = (counts[counts["outcome"] != NOT_ATTEMPTED]
             .assign(value=lambda f: f["value"].astype(object).where(f["value"].notna(), UNKNOWN))
             .groupby(["segment", "value", "task_id"], as_index=False)["n"].sum())
    hidden = privacy.suppress_small_cells(table, "n", k, group_cols=["segment", "task_id"])
    secret = {(r.segment, r.value, int(r.task_id)) for r in hidden.itertuples() if r.suppressed}
    keep = ("segment", "value", "task_id")
    return [{key: (value if key in keep else None) for key, value in cell.items()} | {"suppressed": True}
            if (cell["segment"], cell["value"], cell["task_id"]) in secret else cell for cell in cells]


# ---------------------------------------------------------------- one figure set, for callers with no request
def iteration_report(iteration: Iteration, *, time_population: str = "success") -> dict:
    return Figures().report(iteration.id, time_population)


def compare(service: Service, base_id: int, candidate_id: int, *, alpha: float = 0.05) -> dict:
    return Figures(alpha=alpha).compare(service, base_id, candidate_id)


def trend(service: Service) -> dict:
    return Figures().trend(service)


def feedback(service: Service) -> dict:
    return Figures().feedback(service)


def feedback_comments(service: Service, *, offset: int = 0, limit: int = 50) -> list[dict]:
    """The service's newest feedback comments (already scrubbed of personal data when stored)."""
    return queries.feedback_comments(service.id, limit, offset)


def segments(iteration: Iteration, k: int) -> dict:
    return Figures(k).segments(iteration)


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
