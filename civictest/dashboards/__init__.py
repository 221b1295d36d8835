"""Report dicts -> what a ward manager reads: cards, verdict sentences, chart and map models (pure).

No flask and no database: the pages pass in the dicts of civictest.reports and a `gettext`, so everything
here can be tested with literals. Numbers are rounded only when turned into text.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence

from civictest.dashboards.areas import LEVELS, japan_map, outside_tokyo, tokyo_map, tokyo_maps
from civictest.dashboards.cards import (
    definitions, headline_cards, headlines, iteration_choices, overall_verdict, task_verdicts,
)
from civictest.dashboards.feedback import latest_change, satisfaction_rows, satisfaction_trend
from civictest.dashboards.figures import (
    inconvenience_trend, iteration_name, iteration_style, questionnaire_trend, sentiment_chart, seq_chart, task_label,
    task_rate_chart, time_chart,
)
from civictest.dashboards.overview import SORTS, overview
from civictest.dashboards.segments import segment_charts
from civictest.dashboards.verdicts import Gettext, identity

__all__ = [
    "LEVELS", "SORTS", "answered", "headline_cards", "iteration_choices", "iteration_dashboard", "iteration_name", "iteration_style", "japan_map",
    "latest_change", "outside_tokyo", "overview", "satisfaction_rows", "satisfaction_trend", "segment_charts", "task_label", "tokyo_map", "tokyo_maps",
]


def answered(report: Mapping) -> bool:
    """Whether an iteration report holds any answer (a participant counted)."""
    return bool((report.get("overall") or {}).get("participants"))


def iteration_dashboard(history: Sequence[Mapping], current_id: object, base_id: object = None,
                        comparison: Mapping | None = None, *, lang: str = "ja",
                        gettext: Gettext = identity) -> dict:
    """Cards, verdicts and figures of one iteration; history = [{"id", "number", "label", "report"}] in order,
    holding the current iteration and (when comparing) the base; comparison = civictest.reporting.figures.compare(base, current)."""
    by_id = {p["id"]: p for p in history}
    current = by_id[current_id]["report"]
    if not answered(current):  # nothing to say yet: no verdict, card or chart that pretends to know
        return {"empty": True, "base_empty": False, "cards": [], "overall": None, "tasks": [], "headlines": [],
                "definitions": [], "figures": {}}
    base = by_id[base_id]["report"] if base_id is not None and comparison is not None else None
    base_empty = base is not None and not answered(base)
    if base_empty:  # a base without answers: the current iteration alone, nothing compared
        base, comparison = None, None
    drawn = [p for p in history if (p["number"] <= by_id[current_id]["number"] or p["id"] == base_id)
             and answered(p["report"])]
    return {
        "empty": False, "base_empty": base_empty,
        "cards": headline_cards(current, base, comparison, gettext),
        "overall": overall_verdict(comparison, lang, gettext) if comparison else None,
        "tasks": task_verdicts(comparison, current, base, lang, gettext) if comparison else [],
        "headlines": headlines(comparison, lang, gettext) if comparison else [],
        "definitions": definitions(gettext),
        "figures": {
            "inconvenience": task_rate_chart(drawn, "inconvenience", lang, gettext),
            "completion": task_rate_chart(drawn, "completion", lang, gettext),
            "time": time_chart(drawn, lang, gettext),
            "seq": seq_chart(drawn, lang, gettext),
            "sentiment": sentiment_chart(drawn, gettext),
            "trend": inconvenience_trend(drawn, gettext),
            "sus": questionnaire_trend(drawn, gettext),
        },
    }
