""""For whom": one task's inconvenience rate per resident segment, base and current iteration (pure).

Input: the `cells` of civictest.reporting.figures.Figures.segments (already suppressed below k, complementary cells included).
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence

from civictest import charts
from civictest.dashboards.figures import chart_text
from civictest.dashboards.verdicts import N_, Gettext, identity

SEGMENTS = {
    "age_band": (N_("年代別の不便率"), (("under_20", N_("20歳未満")), ("20s", N_("20代")), ("30s", N_("30代")),
                                    ("40s", N_("40代")), ("50s", N_("50代")), ("60s", N_("60代")),
                                    ("70s", N_("70代")), ("80_plus", N_("80歳以上")))),
    "device": (N_("使った機器別の不便率"), (("smartphone", N_("スマートフォン")), ("tablet", N_("タブレット")),
                                     ("pc", N_("パソコン")), ("other", N_("その他")))),
    "assistive_technology": (N_("支援技術別の不便率"), (
        ("none", N_("使っていない")), ("screen_reader", N_("スクリーンリーダー（読み上げ）")),
        ("magnifier", N_("画面拡大")), ("voice_input", N_("音声入力")), ("other", N_("その他")))),
}
UNKNOWN = N_("回答なし")
DESC = N_("{task} について、属性ごとの不便率を版ごとに横棒で示します。ひげは95%信頼区間です。"
          "参加者が{k}人未満の区分（と、それを逆算できてしまう区分）は斜線で示し、数値を伏せています。")


def _point(cell: Mapping | None) -> dict | None:
    """A chart point (in %) of one segment cell; suppressed cells stay suppressed."""
    if cell is None:
        return None
    if cell.get("suppressed"):
        return {"value": None, "suppressed": True}
    if cell.get("inconvenience_rate") is None:
        return None
    return {"value": cell["inconvenience_rate"] * 100, "lower": cell["inconvenience_lower"] * 100,
            "upper": cell["inconvenience_upper"] * 100,
            "label": f"{charts.fmt(cell['inconvenience_rate'] * 100, '%')} n={cell['n']}"}


def _values_present(series_cells: Sequence[Mapping], segment: str, known: Sequence[str]) -> list[str]:
    """The segment's values that occur in any series, in the questionnaire's order, "unknown" last."""
    found = {c["value"] for cells in series_cells for c in cells.values() if c["segment"] == segment}
    return [v for v in known if v in found] + (["unknown"] if "unknown" in found else [])


def segment_charts(series: Sequence[Mapping], task_id: object, task_name: str, k: int,
                   gettext: Gettext = identity) -> list[dict]:
    """One bar chart per segment kind; series = [{"name", "cells", "style"}] in the order to draw (base, current);
    style (optional) = dashboards.figures.iteration_style(number), so an iteration keeps its colour."""
    indexed = [{(c["segment"], c["value"]): c for c in s["cells"] if c["task_id"] == task_id} for s in series]
    out = []
    for segment, (title, options) in SEGMENTS.items():
        names = dict(options)
        values = _values_present(indexed, segment, list(names))
        if not values:
            continue
        categories = [gettext(names[v]) if v in names else gettext(UNKNOWN) for v in values]
        bars = [{"name": s["name"], "style": s.get("style"), "values": [_point(cells.get((segment, v))) for v in values]}
                for s, cells in zip(series, indexed)]
        out.append(charts.bar_chart_with_intervals(
            f"{gettext(title)}: {task_name}", gettext(DESC).format(task=task_name, k=k), categories, bars,
            unit="%", max_value=100, text=chart_text(gettext), chart_id=f"chart-segment-{segment}"))
    return out
