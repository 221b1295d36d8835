"""What each product-owner page shows: figure sets (civictest.reporting) turned into cards, sentences, charts and
maps (civictest.dashboards) in the page language. One function per page, one reporting.Figures per request (each
iteration is read once); the views only parse and render."""
from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import get_locale
from flask_babel import gettext as _

from civictest import dashboards, instruments
from civictest.models import Iteration, Service
from civictest.reporting.figures import Figures
from civictest.services.errors import NotFound
from civictest.feedback import tokens

COMMENTS_PER_PAGE = 50


def lang() -> str:
    """The page language ("ja" or "en")."""
    return str(get_locale() or "ja")


def _k() -> int:
    return int(current_app.config["SUPPRESSION_K"])


def figures() -> Figures:
    """The figure sets of this request."""
    return Figures(_k())


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


def dashboard_figures(found: Figures, iteration: Iteration, base: Iteration | None,
                      segment_task: int | None = None) -> dict:
    """Every figure the iteration dashboard shows, as plain data (the API's /iterations/<id>/dashboard too):
    the reports of the service's iterations up to the later of this one and the base, the comparison with the
    base, the segments of one task in both (the one asked for, else the first whose inconvenience changed),
    the sentiment check and the themes."""
    last = max(iteration.number, base.number if base else 0)
    history = [{"id": i.id, "number": i.number, "label": i.label, "report": found.report(i.id)}
               for i in iteration.service.iterations if i.number <= last]
    comparison = found.compare(iteration.service, base.id, iteration.id) if base else None
    tasks = found.report(iteration.id)["tasks"]
    task = (next((t for t in tasks if t["task_id"] == segment_task), None) or _changed_task(tasks, comparison)
            if tasks else None)
    task_id = task["task_id"] if task else None
    return {"history": history, "comparison": comparison,
            "feedback": [p for p in found.feedback(iteration.service)["points"] if p["number"] <= last],
            "segments": {"task_id": task_id, "base": found.segments(base, task_id)["cells"] if base else None,
                         "current": found.segments(iteration, task_id)["cells"],
                         "hidden": bool(found.sensitive_segments_hidden(iteration.id)
                                        or (base and found.sensitive_segments_hidden(base.id)))},
            "validity": found.sentiment_validity(iteration), "themes": found.themes(iteration)}


def dashboard(iteration: Iteration, base_id: int | None = None, segment_task: int | None = None,
              found: Figures | None = None) -> dict:
    """Everything the iteration dashboard (and its printed report) shows."""
    found = found or figures()
    base = pick_base(iteration, base_id)
    numbers = dashboard_figures(found, iteration, base, segment_task)
    comparison = numbers["comparison"]
    page = dashboards.iteration_dashboard(numbers["history"], iteration.id, base.id if base else None, comparison,
                                          lang=lang(), gettext=_)
    current, before = found.report(iteration.id), found.report(base.id) if base else None
    page["segments"] = _segments(iteration, base, current, numbers["segments"])
    page["choices"] = dashboards.iteration_choices(
        [{"id": i.id, "number": i.number, "label": i.label} for i in iteration.service.iterations
         if i.id != iteration.id], _)
    page.update(service=iteration.service, iteration=iteration, base=base, report=current, base_report=before,
                themes=numbers["themes"], k=_k(), validity=numbers["validity"],
                feedback=_feedback_block(numbers["feedback"]),
                questionnaire_wording=questionnaire_wording(iteration.study.questionnaire))
    return page


def _feedback_block(points: list[dict]) -> dict | None:
    """The live-feedback satisfaction chart and table beside the test trend (None when no iteration has any)."""
    if not any(p["n"] for p in points):
        return None
    return {"chart": dashboards.satisfaction_trend(points, _), "rows": dashboards.satisfaction_rows(points, _)}


def service_feedback(service: Service, page: int = 1) -> dict:
    """The service's live-feedback page: the trend of every iteration, the table, the newest comments, the
    snippet the service team pastes into its site."""
    from civictest.reporting.figures import feedback_comments
    from civictest.services.feedback import live_iteration

    points = figures().feedback(service)["points"]
    comments = feedback_comments(service, offset=(page - 1) * COMMENTS_PER_PAGE, limit=COMMENTS_PER_PAGE + 1)
    return {"service": service, "points": points, "chart": dashboards.satisfaction_trend(points, _),
            "rows": dashboards.satisfaction_rows(points, _), "change": dashboards.latest_change(points, _),
            "comments": comments[:COMMENTS_PER_PAGE],
            "page": page, "more": len(comments) > COMMENTS_PER_PAGE, "live": live_iteration(service),
            "total": sum(p["n"] for p in points),
            "form_url": tokens.form_url(service.id)}


def questionnaire_wording(kind: str) -> str:
    """The methods note's sentence on which questionnaire wording residents answered (instruments.json)."""
    data = instruments.instrument(kind)
    return data.get(f"wording_{lang()}") or data.get("wording_ja") or data.get("instrument_id", kind)


def printable(iteration: Iteration, base_id: int | None = None, segment_task: int | None = None) -> dict:
    """The dashboard for paper: the same figures plus the inconvenience maps, and the date it was printed."""
    found = figures()
    page = dashboard(iteration, base_id, segment_task, found)
    base_id = page["base"].id if page["base"] else 0
    page["area"] = None if page["empty"] else area_map(  # region level: 3 table rows, not 62
        iteration, "inconvenience", "region", None, base_id, found)
    page["printed_on"] = datetime.now(ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])).date().isoformat()
    return page


def _segments(iteration: Iteration, base: Iteration | None, current: dict, cells: dict) -> dict:
    """"For whom": per-segment charts of the task dashboard_figures chose."""
    tasks = current["tasks"]
    if not tasks:
        return {"task": None, "tasks": [], "charts": [], "sensitive_hidden": cells["hidden"]}
    task = next(t for t in tasks if t["task_id"] == cells["task_id"])
    series = [{"name": dashboards.iteration_name(it.number, _), "style": dashboards.iteration_style(it.number),
               "cells": cells[key]} for it, key in ((base, "base"), (iteration, "current")) if it is not None]
    name = dashboards.task_label(task, lang(), _)
    return {"task": task, "tasks": [{"id": t["task_id"], "name": dashboards.task_label(t, lang(), _)}
                                     for t in tasks],
            "charts": dashboards.segment_charts(series, task["task_id"], name, _k(), _),
            "sensitive_hidden": cells["hidden"]}


def _changed_task(tasks: list[dict], comparison: dict | None) -> dict:
    """The first task whose inconvenience changed against the base (the one worth a "for whom"), else the first."""
    changed = {t["task_id"] for t in (comparison or {}).get("tasks", []) if t["verdict"] != "no_detectable_change"}
    return next((t for t in tasks if t["task_id"] in changed), tasks[0])


def area_map(iteration: Iteration, metric: str, level: str, task_id: int | None,
             base_id: int | None = None, found: Figures | None = None) -> dict:
    """Tokyo choropleths of the iteration (and of its base), plus the prefecture map when needed."""
    found = found or figures()
    base = pick_base(iteration, base_id)
    maps = dashboards.tokyo_maps(
        [{"number": it.number, "name": dashboards.iteration_name(it.number, _), "rows": found.areas(it, task_id)["areas"],
          "venues": found.venues(it)} for it in (base, iteration) if it is not None], _k(), metric, level, lang(), _)
    current_rows = found.areas(iteration)["areas"]
    japan = dashboards.japan_map(current_rows, _k(), lang(), _) if dashboards.outside_tokyo(current_rows) else None
    if japan and japan["all_hidden"]:  # every prefecture suppressed: an all-hatched Japan says nothing
        japan = None
    tasks = [{"task_id": st.task_id, "position": st.position, "title_ja": st.task.title_ja,
              "title_en": st.task.title_en} for st in (iteration.study.study_tasks if iteration.study else [])]
    return {"service": iteration.service, "iteration": iteration, "base": base, "maps": maps, "japan": japan,
            "metric": metric, "level": level, "task_id": task_id, "k": _k(),
            "tasks": [{"id": t["task_id"], "name": dashboards.task_label(t, lang(), _)} for t in tasks]}


def overview(services: list[Service], sort: str, descending: bool) -> dict:
    """Every visible service's latest iteration with data, against the one before it."""
    entries = [{**entry, "service_id": service.id, "name": _localized(service, "name"),
                "department": _localized(service.department, "name")}
               for service, entry in zip(services, figures().overview(services))]
    return dashboards.overview(entries, sort, descending, _)


def _localized(obj: object, field: str) -> str:
    value = getattr(obj, f"{field}_en", "") if lang() == "en" else ""
    return value or getattr(obj, f"{field}_ja")
