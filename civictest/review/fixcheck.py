"""Is the fix visible in the numbers? A fixed finding's affected tasks, found-in vs fixed-in iteration.

The statistics come from civictest.reporting.figures (one computation for every page): `compare` for the verdict and
the interval of each difference, `iteration_report` for each iteration's rate with its own interval. The
sentences are the dashboards' ("改善: 52% → 14%（差の95%信頼区間 −55〜−20ポイント、n=25→26）").
"""
from __future__ import annotations

from flask_babel import gettext

from civictest.reporting import figures
from civictest.dashboards import verdicts
from civictest.models import Finding, Service


def fix_check(service: Service, finding: Finding) -> dict | None:
    """Per affected task: inconvenience and completion before/after with intervals and verdicts; None until
    the finding has a fixed-in iteration."""
    if finding.fixed_in_id is None:
        return None
    result = figures.compare(service, finding.found_in_id, finding.fixed_in_id)
    before = {t["task_id"]: t for t in figures.iteration_report(finding.found_in)["tasks"]}
    after = {t["task_id"]: t for t in figures.iteration_report(finding.fixed_in)["tasks"]}
    affected = {task.id for task in finding.tasks}
    rows = [_row(task, before.get(task["task_id"]), after.get(task["task_id"]))
            for task in result["tasks"] if task["task_id"] in affected]
    compared = {row["task_id"] for row in rows}
    return {
        "base": result["base"], "candidate": result["candidate"], "rows": rows,
        "not_compared": [task for task in finding.tasks if task.id not in compared],
    }


def _row(task: dict, before: dict | None, after: dict | None) -> dict:
    """One affected task: the two iterations' figures and the comparison in words."""
    n_base, n_candidate = task["n_base"], task["n_candidate"]
    return {
        "task_id": task["task_id"], "title_ja": task["title_ja"], "title_en": task["title_en"],
        "n_base": n_base, "n_candidate": n_candidate,
        "before": _figures(before), "after": _figures(after),
        "inconvenience": verdicts.rate_verdict(task["inconvenience"], n_base, n_candidate, lower_is_better=True,
                                               key=task["verdict"], gettext=gettext),
        "completion": verdicts.rate_verdict(task["completion"], n_base, n_candidate, lower_is_better=False,
                                            gettext=gettext),
        "holm_verdict": verdicts.word(task["holm_verdict"], gettext),
    }


def _figures(task: dict | None) -> dict:
    """An iteration's inconvenience and completion rates with their 95% intervals, as percentages."""
    task = task or {}
    inconvenience, completion = task.get("inconvenience") or {}, task.get("completion") or {}
    return {
        "n": task.get("n", 0),
        "inconvenience": verdicts.percent(inconvenience.get("rate")),
        "inconvenience_interval": _interval(inconvenience.get("lower"), inconvenience.get("upper")),
        "completion": verdicts.percent(completion.get("completion_rate")),
        "completion_interval": _interval(completion.get("lower"), completion.get("upper")),
    }


def _interval(lower: float | None, upper: float | None) -> str:
    if lower is None or upper is None:
        return "–"
    return gettext("%(low)s〜%(high)s", low=verdicts.percent(lower), high=verdicts.percent(upper))
