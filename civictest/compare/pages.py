"""What each product-owner page shows: reports (civictest.reports) turned into cards, sentences, charts and
maps (civictest.dashboards) in the page language. One function per page; the views only parse and render."""
from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import get_locale
from flask_babel import gettext as _

from civictest import dashboards, data, reports, sentiment
from civictest.analysis.sentiment_validity import sentiment_validity
from civictest.compare import queries
from civictest.models import Iteration, Service
from civictest.services.errors import NotFound

THEMES_SHOWN = 10


def lang() -> str:
    """The page language ("ja" or "en")."""
    return str(get_locale() or "ja")


def _k() -> int:
    return int(current_app.config["SUPPRESSION_K"])


def pick_base(iteration: Iteration, base_id: int | None) -> Iteration | None:
    """The iteration to compare with: the one asked for (same service, not itself), else the previous one."""
    others = [i for i in iteration.service.iterations if i.id != iteration.id]
    if base_id is not None:
        chosen = next((i for i in others if i.id == base_id), None)
        if chosen is None and base_id != 0:
            raise NotFound("iteration")
        return chosen  # base=0: no comparison
    earlier = [i for i in others if i.number < iteration.number]
    return iteration.previous if iteration.previous in earlier else (earlier[-1] if earlier else None)


def _point(iteration: Iteration) -> dict:
    return {"id": iteration.id, "number": iteration.number, "label": iteration.label,
            "report": reports.iteration_report(iteration)}


def _history(iteration: Iteration, base: Iteration | None) -> list[dict]:
    """Reports of the service's iterations up to the later of the current one and the base, in order."""
    last = max(iteration.number, base.number if base else 0)
    return [_point(i) for i in iteration.service.iterations if i.number <= last]


def _themes(iteration: Iteration) -> list[dict]:
    comments = queries.theme_comments(iteration.id)
    return sentiment.themes(comments, limit=THEMES_SHOWN) if comments else []


def dashboard(iteration: Iteration, base_id: int | None = None, segment_task: int | None = None) -> dict:
    """Everything the iteration dashboard (and its printed report) shows."""
    base = pick_base(iteration, base_id)
    history = _history(iteration, base)
    by_id = {p["id"]: p for p in history}
    current, before = by_id[iteration.id]["report"], by_id[base.id]["report"] if base else None
    comparison = reports.compare(iteration.service, base.id, iteration.id) if base else None
    page = dashboards.iteration_dashboard(history, iteration.id, base.id if base else None, comparison,
                                          lang=lang(), gettext=_)
    page["segments"] = _segments(iteration, base, current, segment_task, comparison)
    page["choices"] = dashboards.iteration_choices(
        [{"id": i.id, "number": i.number, "label": i.label} for i in iteration.service.iterations
         if i.id != iteration.id], _)
    page.update(service=iteration.service, iteration=iteration, base=base, report=current, base_report=before,
                themes=_themes(iteration), k=_k(),
                validity=sentiment_validity(queries.sentiment_by_attempt(iteration.id)))
    return page


def printable(iteration: Iteration, base_id: int | None = None, segment_task: int | None = None) -> dict:
    """The dashboard for paper: the same figures plus the inconvenience maps, and the date it was printed."""
    page = dashboard(iteration, base_id, segment_task)
    base_id = page["base"].id if page["base"] else 0
    page["area"] = area_map(iteration, "inconvenience", "region", None, base_id)  # 3 table rows, not 62
    page["printed_on"] = datetime.now(ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])).date().isoformat()
    return page


def _segments(iteration: Iteration, base: Iteration | None, current: dict, task_id: int | None,
              comparison: dict | None) -> dict:
    """"For whom": per-segment charts of one task (the one asked for, else the first task)."""
    tasks = current["tasks"]
    if not tasks:
        return {"task": None, "tasks": [], "charts": []}
    task = next((t for t in tasks if t["task_id"] == task_id), None) or _changed_task(tasks, comparison)
    series = ([{"name": dashboards.iteration_name(base.number, _), "cells": reports.segments(base, _k())["cells"]}]
              if base else [])
    series.append({"name": dashboards.iteration_name(iteration.number, _),
                   "cells": reports.segments(iteration, _k())["cells"]})
    name = dashboards.task_label(task, lang(), _)
    return {"task": task, "tasks": [{"id": t["task_id"], "name": dashboards.task_label(t, lang(), _)}
                                     for t in tasks],
            "charts": dashboards.segment_charts(series, task["task_id"], name, _k(), _)}


def _changed_task(tasks: list[dict], comparison: dict | None) -> dict:
    """The first task whose inconvenience changed against the base (the one worth a "for whom"), else the first."""
    changed = {t["task_id"] for t in (comparison or {}).get("tasks", []) if t["verdict"] != "no_detectable_change"}
    return next((t for t in tasks if t["task_id"] in changed), tasks[0])


def area_map(iteration: Iteration, metric: str, level: str, task_id: int | None,
             base_id: int | None = None) -> dict:
    """Tokyo choropleths of the iteration (and of its base), plus the prefecture map when needed."""
    base = pick_base(iteration, base_id)
    maps = []
    for it in [i for i in (base, iteration) if i is not None]:
        rows = dashboards.area_rows(data.participants_by_municipality(it.id), data.segment_counts(it.id), task_id)
        model = dashboards.tokyo_map(rows, _k(), metric, level, queries.venues(it.id), lang(), _)
        model["title"] = f"{model['title']}: {dashboards.iteration_name(it.number, _)}"
        model["table"]["caption"] = model["title"]
        maps.append(model)
    current_rows = dashboards.area_rows(data.participants_by_municipality(iteration.id), None, None)
    japan = dashboards.japan_map(current_rows, _k(), lang(), _) if dashboards.outside_tokyo(current_rows) else None
    tasks = [{"task_id": st.task_id, "position": st.position, "title_ja": st.task.title_ja,
              "title_en": st.task.title_en} for st in (iteration.study.study_tasks if iteration.study else [])]
    return {"service": iteration.service, "iteration": iteration, "base": base, "maps": maps, "japan": japan,
            "metric": metric, "level": level, "task_id": task_id, "k": _k(),
            "tasks": [{"id": t["task_id"], "name": dashboards.task_label(t, lang(), _)} for t in tasks]}


def overview(services: list[Service], sort: str, descending: bool) -> dict:
    """Every visible service's latest iteration with data, against the one before it."""
    findings = queries.open_findings(s.id for s in services)
    entries = []
    for service in services:
        points = reports.trend(service)["points"]
        with_data = [p for p in points if p.get("participants")] or points
        latest = with_data[-1] if with_data else None
        earlier = [p for p in points if latest and p["number"] < latest["number"] and p.get("participants")]
        previous = earlier[-1] if earlier else None
        entries.append({"service_id": service.id, "name": _localized(service, "name"),
                        "department": _localized(service.department, "name"), "latest": latest,
                        "previous": previous, "findings": findings.get(service.id, {})})
    return dashboards.overview(entries, sort, descending, _)


def _localized(obj: object, field: str) -> str:
    value = getattr(obj, f"{field}_en", "") if lang() == "en" else ""
    return value or getattr(obj, f"{field}_ja")
