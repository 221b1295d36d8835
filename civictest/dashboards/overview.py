"""The cross-department overview: every service's latest iteration in one table and one chart (pure).

Input: the entries of civictest.reporting.figures.Figures.overview, each with the page's "service_id", "name"
and "department" added: latest/previous are trend points (or None), change is their pooled inconvenience
comparison (analysis.compare.pooled_change) and unresolved_findings maps severity (1–4) to the number of
findings not yet verified. Nothing is computed here but words, sort order and the chart.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence

from civictest import charts
from civictest.dashboards.figures import chart_text, iteration_name
from civictest.dashboards.verdicts import N_, Gettext, identity, one_decimal, percent, points, rate_verdict
from civictest.reporting.vocabulary import SEVERITIES

SORTS = ("department", "service", "inconvenience", "change", "sus", "participants", "findings")
T = {
    "department": N_("部局"), "service": N_("サービス"), "iteration": N_("最新の版"),
    "inconvenience": N_("不便率"), "change": N_("前の版からの変化"), "sus": N_("SUS"),
    "participants": N_("参加者"), "findings": N_("未解決の課題（重要度別）"),
    "severity": N_("重要度{severity}"),
    "chart_title": N_("サービス別の不便率（最新の版と前の版）"),
    "chart_desc": N_("サービスごとに、前の版と最新の版の不便率を横棒で示します。ひげは95%信頼区間です。低いほど良い値です。"),
    "previous": N_("前の版"), "latest": N_("最新の版"),
}


def _row(entry: Mapping, gettext: Gettext) -> dict:
    """One table row: display strings plus the raw numbers the sort uses."""
    latest, previous = entry.get("latest"), entry.get("previous")
    rate = (latest or {}).get("inconvenience") or {}
    pooled = entry.get("change")
    change = None
    if pooled:
        change = rate_verdict(pooled, previous["inconvenience"].get("n"), rate.get("n"), lower_is_better=True,
                              key=pooled["verdict"], gettext=gettext)
    findings = entry.get("unresolved_findings") or {}
    return {
        "service_id": entry["service_id"], "name": entry["name"], "department": entry["department"],
        "iteration_id": (latest or {}).get("id"),
        "iteration": iteration_name(latest["number"], gettext) if latest else "",
        "inconvenience": percent(rate.get("rate")), "inconvenience_n": rate.get("n") or 0,
        "change": change, "change_points": points(pooled.get("difference")) if pooled else "",
        "sus": one_decimal((latest or {}).get("sus_mean")) if (latest or {}).get("sus_mean") is not None else "–",
        "sus_grade": (latest or {}).get("sus_grade") or "",
        "participants": (latest or {}).get("participants") or 0,
        "findings": [{"severity": s, "label": gettext(T["severity"]).format(severity=s),
                      "count": int(findings.get(s) or 0)} for s in SEVERITIES],
        "findings_total": sum(int(v or 0) for v in findings.values()),
        "keys": {"department": entry["department"], "service": entry["name"], "inconvenience": rate.get("rate"),
                 "change": pooled.get("difference") if pooled else None,
                 "sus": (latest or {}).get("sus_mean"), "participants": (latest or {}).get("participants"),
                 "findings": tuple(int(findings.get(s) or 0) for s in SEVERITIES)},
    }


def _sorted(rows: list[dict], sort: str, descending: bool) -> list[dict]:
    """Rows by one column; rows without a value go last whichever the direction."""
    present = [r for r in rows if r["keys"][sort] is not None]
    missing = [r for r in rows if r["keys"][sort] is None]
    present.sort(key=lambda r: (r["keys"][sort], r["keys"]["department"], r["keys"]["service"]),
                 reverse=descending)
    return present + missing


def overview(entries: Sequence[Mapping], sort: str = "inconvenience", descending: bool = True,
             gettext: Gettext = identity) -> dict:
    """Table rows (sorted), column headers with their sort links' state, and the chart model."""
    sort = sort if sort in SORTS else "inconvenience"
    rows = _sorted([_row(e, gettext) for e in entries], sort, descending)
    columns = [{"key": key, "label": gettext(T[key]), "sortable": key != "iteration",
                "aria_sort": ("descending" if descending else "ascending") if key == sort else None,
                "next_order": "asc" if key == sort and descending else "desc"}
               for key in ("department", "service", "iteration", "inconvenience", "change", "sus",
                           "participants", "findings")]
    return {"rows": rows, "columns": columns, "sort": sort, "descending": descending,
            "chart": overview_chart(entries, rows, gettext),
            "severities": [gettext(T["severity"]).format(severity=s) for s in SEVERITIES]}


def _rate_point(point: Mapping | None) -> dict | None:
    """A chart point of a trend point's pooled inconvenience rate, in %."""
    block = (point or {}).get("inconvenience") or {}
    if block.get("rate") is None:
        return None
    return {"value": block["rate"] * 100, "lower": block["lower"] * 100, "upper": block["upper"] * 100}


def overview_chart(entries: Sequence[Mapping], rows: Sequence[Mapping], gettext: Gettext = identity) -> dict:
    """Inconvenience rate per service, previous and latest iteration, in the table's order."""
    by_id = {e["service_id"]: e for e in entries}
    ordered = [by_id[r["service_id"]] for r in rows]
    series = [{"name": gettext(T["previous"]), "values": [_rate_point(e.get("previous")) for e in ordered]},
              {"name": gettext(T["latest"]), "values": [_rate_point(e.get("latest")) for e in ordered]}]
    return charts.bar_chart_with_intervals(
        gettext(T["chart_title"]), gettext(T["chart_desc"]), [e["name"] for e in ordered], series, unit="%",
        text=chart_text(gettext), chart_id="chart-overview")

