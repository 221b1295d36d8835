"""Live-service feedback figures -> the satisfaction trend chart and its table rows (pure).

`points` are civictest.reporting.figures.feedback(...)["points"]: one per iteration, unrounded."""
from __future__ import annotations

from collections.abc import Mapping, Sequence

from civictest import charts
from civictest.analysis.metrics import compare_completion_rates
from civictest.dashboards.figures import _point, chart_text, iteration_name
from civictest.dashboards.verdicts import N_, Gettext, identity, rate_verdict

T = {
    "title": N_("ご意見フォームの満足度の推移"),
    "desc": N_("公開中のサービスに置いたご意見フォームで「満足」「とても満足」を選んだ人の割合（版ごと）と95%信頼区間"
               "（Wilson）です。高いほど良い値です。"),
    "series": N_("満足の割合"),
}


def satisfaction_trend(points: Sequence[Mapping], gettext: Gettext = identity) -> dict:
    """% satisfied per iteration with its Wilson interval (an iteration without answers has no point)."""
    values = [_point(p, "rate", scale=100.0) if p.get("n") else None for p in points]
    return charts.line_chart(
        gettext(T["title"]), gettext(T["desc"]), [iteration_name(p["number"], gettext) for p in points],
        [{"name": gettext(T["series"]), "values": values}], unit="%", y_min=0, y_max=100,
        text=chart_text(gettext), chart_id="chart-feedback")


def _pct(value: float | None) -> str:
    return "" if value is None else charts.fmt(value * 100, "%")


def satisfaction_rows(points: Sequence[Mapping], gettext: Gettext = identity) -> list[dict]:
    """One table row per iteration: answers, % satisfied with its interval, mean rating, "could you do it"."""
    rows = []
    for p in points:
        n = p.get("n") or 0
        done = p.get("task_done") or {}
        rows.append({
            "iteration_id": p["iteration_id"], "name": iteration_name(p["number"], gettext), "label": p["label"],
            "n": n, "satisfied": _pct(p.get("rate")) if n else "",
            "interval": f"{_pct(p['lower'])}–{_pct(p['upper'])}" if n else "",
            "mean": "" if p.get("mean") is None else f"{p['mean']:.2f}",
            "yes": done.get("yes", 0), "partly": done.get("partly", 0), "no": done.get("no", 0),
            "comments": p.get("comments", 0),
        })
    return rows


def latest_change(points: Sequence[Mapping], gettext: Gettext = identity) -> dict | None:
    """The newest iteration with answers against the one before it, in words: % satisfied compared by the N-1
    two-proportion test (Fisher when an expected count is below 1), as every rate comparison of the app, with the
    interval of the difference; None with fewer than two iterations with answers."""
    answered = [p for p in points if p.get("n")]
    if len(answered) < 2:
        return None
    base, candidate = answered[-2], answered[-1]
    comparison = compare_completion_rates(candidate["satisfied"], candidate["n"], base["satisfied"], base["n"],
                                          fisher_always=False)
    return {**rate_verdict(comparison, base["n"], candidate["n"], lower_is_better=False, gettext=gettext),
            "base": iteration_name(base["number"], gettext), "candidate": iteration_name(candidate["number"], gettext),
            "comparison": comparison}
