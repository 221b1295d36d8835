"""Chart models (plain dicts with pixel geometry) for the SVG macros in templates/_charts.html (pure).

Every model has kind, id, title, desc, width, height, text (UI strings) and table (caption, header, rows,
row_header). Values are drawn from 0; colours come from CSS classes (series-N, seg-KEY) in charts.css.
"""
from __future__ import annotations

import hashlib
import math
import unicodedata
from collections.abc import Mapping, Sequence
from typing import Any

WIDTH = 640
TEXT = {"suppressed": "秘匿", "no_data": "データなし", "summary": "データを表で見る", "total": "合計",
        "category": "項目", "interval": "区間"}
PATTERNS = ("", "diagonal", "dots", "cross")  # series 1.. also differ by texture, not by colour alone
MARKERS = ("circle", "square", "triangle", "diamond")
N_SERIES_CLASSES = 6
GAP_Y = 244  # line charts: baseline of the "suppressed"/"no data" notes, just above the x axis


def style_of(series: Mapping, position: int) -> int:
    """The colour/pattern/marker index of a series: its own "style" (e.g. derived from the iteration number, so
    one iteration looks the same in every chart) when given, else its position."""
    style = series.get("style")
    return position if style is None else int(style)


def fmt(value: float | None, unit: str = "") -> str:
    """A number with at most one decimal ("68", "72.5") followed by its unit; "" for None."""
    if value is None:
        return ""
    text = f"{value:.1f}".rstrip("0").rstrip(".")
    return ("0" if text == "-0" else text) + unit


def texts(overrides: Mapping[str, str] | None = None) -> dict[str, str]:
    """Default UI strings (Japanese source) merged with translated overrides from the caller."""
    return {**TEXT, **(overrides or {})}


def make_id(kind: str, *parts: Any) -> str:
    """A deterministic id for a figure (prefix for title/desc/pattern ids); pass chart_id= to choose one."""
    return f"{kind}-" + hashlib.sha1(repr(parts).encode()).hexdigest()[:8]


def nice_ticks(low: float, high: float, count: int = 5) -> list[float]:
    """Round tick values covering [low, high] with about `count` intervals."""
    if high <= low:
        high = low + 1
    raw = (high - low) / count
    mag = 10 ** math.floor(math.log10(raw))
    step = next(m * mag for m in (1, 2, 2.5, 5, 10) if m * mag >= raw)
    start = math.floor(low / step) * step
    ticks = [start]
    while ticks[-1] < high - 1e-9:
        ticks.append(round(ticks[-1] + step, 10))
    return ticks


def table(caption: str, header: Sequence[str], rows: Sequence[Sequence[Any]], row_header: int = 0) -> dict:
    """The data table under every figure: th scope=col for header, th scope=row at column row_header."""
    return {"caption": caption, "header": list(header), "rows": [[str(c) for c in r] for r in rows],
            "row_header": row_header}


def text_width(text: str, size: float = 13) -> float:
    """A rough drawn width of a label: full-width (CJK) characters one em, others about 0.6 em."""
    return sum(size if unicodedata.east_asian_width(ch) in ("W", "F") else 0.6 * size for ch in text)


def legend_row(names: Sequence[str], x0: float = 8, y0: float = 8, right: float = WIDTH - 8) -> tuple[list, float]:
    """Legend entries (a 14 px swatch, then the name) placed one after another by their drawn width, on as many
    lines of 22 px as needed, so a long name (e.g. "Neither satisfied nor dissatisfied") never runs into the
    next one. Returns ([(x, y)], height of the legend)."""
    places, x, y = [], x0, y0
    for name in names:
        width = 20 + text_width(name) + 24
        if x > x0 and x + width > right:
            x, y = x0, y + 22
        places.append((x, y))
        x += width
    return places, y - y0 + 22


def clip_text(text: str, limit: int = 40) -> str:
    """Shorten a label drawn in the SVG (the table and <title> keep the full text)."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _interval_text(point: Mapping, unit: str, text: Mapping[str, str]) -> str:
    """ "35%（20–50%）" for a point with an interval, "35%" without; the suppressed/no-data word otherwise."""
    if point is None:
        return text["no_data"]
    if point.get("suppressed"):
        return text["suppressed"]
    label = point.get("label") or fmt(point.get("value"), unit)
    if point.get("lower") is not None and point.get("upper") is not None:
        label += f"（{fmt(point['lower'], unit)}–{fmt(point['upper'], unit)}）"
    return label


def _scale_max(points: list, unit: str, max_value: float | None) -> tuple[float, list[float]]:
    """Axis maximum and ticks: max_value if given, 100 for percentages, else a round number above the data."""
    if max_value is None:
        top = max([p.get("upper") or p.get("value") or 0 for p in points] + [0])
        max_value = 100.0 if unit == "%" and top <= 100 else top
    ticks = [t for t in nice_ticks(0, max_value) if t <= max_value + 1e-9]
    return float(max(max_value, ticks[-1])), ticks


def _bar(point: Mapping | None, s: int, y: float, x0: float, sx, text: Mapping, unit: str) -> dict:
    """Geometry of one bar (with whisker and value label); suppressed/no-data bars are short placeholders."""
    classes = f"bar series-{s % N_SERIES_CLASSES}"
    bar = {"y": y, "height": 16, "x": x0, "pattern": PATTERNS[s % len(PATTERNS)], "whisker": None,
           "hatch": False}
    value = None if point is None else point.get("value")
    if point is not None and point.get("suppressed"):
        bar.update(classes=classes + " suppressed", width=28, hatch=True, pattern="")
    elif value is None:
        bar.update(classes=classes + " no-data", width=0, pattern="")
    else:
        bar.update(classes=classes, width=round(sx(value) - x0, 1))
        if point.get("lower") is not None and point.get("upper") is not None:
            bar["whisker"] = {"x1": sx(point["lower"]), "x2": sx(point["upper"]), "y": y + 8,
                              "y1": y + 3, "y2": y + 13}
    end = max(bar["x"] + bar["width"], bar["whisker"]["x2"] if bar["whisker"] else 0)
    shown = text["suppressed"] if point and point.get("suppressed") else (
        text["no_data"] if value is None else point.get("label") or fmt(value, unit))
    bar["label"] = {"x": round(end + 6, 1), "y": y + 13, "text": shown}
    return bar


def bar_chart_with_intervals(title: str, desc: str, categories: Sequence[str], series: Sequence[Mapping],
                             unit: str = "%", max_value: float | None = None, *,
                             text: Mapping[str, str] | None = None, chart_id: str | None = None) -> dict:
    """Horizontal bars per category x series; series = [{name, values: [{value, lower, upper, label, suppressed}]}]."""
    text = texts(text)
    left, right, top = 96, 150, 30
    x0, x1 = left, WIDTH - right
    points = [p for s in series for p in s["values"] if p and not p.get("suppressed")]
    vmax, ticks = _scale_max(points, unit, max_value)
    sx = lambda v: round(x0 + (x1 - x0) * max(0.0, min(v, vmax)) / vmax, 1)  # noqa: E731
    groups, y = [], top
    for c, category in enumerate(categories):
        group = {"label": {"x": 8, "y": y + 15, "text": clip_text(category, 44)}, "bars": []}
        y += 22
        for s, ser in enumerate(series):
            bar = _bar(ser["values"][c], style_of(ser, s), y, x0, sx, text, unit)
            bar["name"] = {"x": x0 - 6, "y": y + 13, "text": clip_text(ser["name"], 8)}
            bar["title"] = f"{category} {ser['name']}: {_interval_text(ser['values'][c], unit, text)}"
            group["bars"].append(bar)
            y += 20
        groups.append(group)
        y += 12
    axis = [{"x": sx(t), "y1": top - 4, "y2": y - 12, "label": fmt(t, unit)} for t in ticks]
    rows = [[cat] + [_interval_text(s["values"][c], unit, text) for s in series] for c, cat in enumerate(categories)]
    return {"kind": "bar", "id": chart_id or make_id("bar", title, categories), "title": title, "desc": desc,
            "width": WIDTH, "height": y + 4, "groups": groups, "axis": axis, "axis_y": top - 10, "text": text,
            "table": table(title, [text["category"]] + [s["name"] for s in series], rows)}


def stacked_bar_chart(title: str, desc: str, categories: Sequence[str], segments: Sequence[Mapping],
                      counts: Sequence[Sequence[float | None]], *, suppressed: Sequence[bool] | None = None,
                      text: Mapping[str, str] | None = None, chart_id: str | None = None) -> dict:
    """100% stacked bars (e.g. sentiment per iteration); segments = [{key, name}], counts[category][segment]."""
    text = texts(text)
    x0, x1, top = 8, WIDTH - 80, 56 + 22 * ((len(segments) - 1) // 4)  # legend: four entries per line
    legend = [{"x": 8 + (j % 4) * 150, "y": 8 + 22 * (j // 4), "classes": f"seg seg-{seg['key']} stack-{j}",
               "text": seg["name"]} for j, seg in enumerate(segments)]
    rows, y, table_rows = [], top, []
    for c, category in enumerate(categories):
        values = [v or 0 for v in counts[c]]
        total = sum(values)
        hidden = bool(suppressed and suppressed[c])
        row = {"label": {"x": 8, "y": y + 14, "text": clip_text(category, 44)}, "segments": [], "hidden": None,
               "total": {"x": x1 + 8, "y": y + 36, "text": "" if hidden else f"n={fmt(total)}"}}
        y += 20
        if hidden or total == 0:
            row["hidden"] = {"x": x0, "y": y, "width": 28, "height": 22, "hatch": hidden,
                             "classes": "bar suppressed" if hidden else "bar no-data",
                             "label": {"x": x0 + 36, "y": y + 16, "text": text["suppressed" if hidden else "no_data"]}}
        else:
            row["segments"] = _stack(category, segments, values, total, x0, x1, y)
        rows.append(row)
        cells = [text["suppressed"]] * len(segments) if hidden else [
            f"{fmt(v)}（{fmt(100 * v / total, '%')}）" if total else text["no_data"] for v in values]
        table_rows.append([category, *cells, text["suppressed"] if hidden else fmt(total)])
        y += 34
    axis = [{"x": round(x0 + (x1 - x0) * t / 100, 1), "label": fmt(t, "%"), "y1": top - 4, "y2": y - 12}
            for t in (0, 25, 50, 75, 100)]
    return {"kind": "stacked", "id": chart_id or make_id("stacked", title, categories), "title": title,
            "desc": desc, "width": WIDTH, "height": y, "legend": legend, "rows": rows, "axis": axis,
            "axis_y": top - 10, "text": text,
            "table": table(title, [text["category"], *[s["name"] for s in segments], text["total"]], table_rows)}


def _stack(category: str, segments: Sequence[Mapping], values: list, total: float, x0: float, x1: float,
           y: float) -> list[dict]:
    """Segment rectangles of one stacked bar, with an in-bar percentage where it fits."""
    out, left = [], float(x0)
    for j, (seg, value) in enumerate(zip(segments, values)):
        width = round((x1 - x0) * value / total, 1)
        share = fmt(100 * value / total, "%")
        out.append({"x": round(left, 1), "y": y, "width": width, "height": 22,
                    "classes": f"seg seg-{seg['key']} stack-{j}",
                    "title": f"{category} {seg['name']}: {share}（{fmt(value)}）",
                    "label": {"x": round(left + width / 2, 1), "y": y + 16, "text": share if width >= 40 else "",
                              "classes": f"seg-text seg-text-{seg['key']} stack-text-{j}"}})
        left += width
    return out


def _marker_d(shape: str, x: float, y: float, r: float = 5.0) -> str:
    """Path data of a point marker; shapes differ per series so lines are told apart without colour."""
    if shape == "square":
        return f"M{fmt(x - r)} {fmt(y - r)}h{fmt(2 * r)}v{fmt(2 * r)}h{fmt(-2 * r)}Z"
    if shape == "triangle":
        return f"M{fmt(x)} {fmt(y - r - 1)}L{fmt(x + r + 1)} {fmt(y + r)}L{fmt(x - r - 1)} {fmt(y + r)}Z"
    if shape == "diamond":
        return (f"M{fmt(x)} {fmt(y - r - 1)}L{fmt(x + r + 1)} {fmt(y)}"
                f"L{fmt(x)} {fmt(y + r + 1)}L{fmt(x - r - 1)} {fmt(y)}Z")
    return f"M{fmt(x - r)} {fmt(y)}a{fmt(r)} {fmt(r)} 0 1 0 {fmt(2 * r)} 0a{fmt(r)} {fmt(r)} 0 1 0 {fmt(-2 * r)} 0Z"


def _runs(points: list[dict | None]) -> list[list[int]]:
    """Indices of consecutive drawable points (a suppressed or missing point breaks the line)."""
    runs, current = [], []
    for i, p in enumerate(points):
        if p and not p.get("suppressed") and p.get("value") is not None:
            current.append(i)
        elif current:
            runs.append(current)
            current = []
    return runs + ([current] if current else [])


def _line_series(s: int, ser: Mapping, xs: list[float], sy, unit: str, text: Mapping, many: bool) -> dict:
    """Line path, interval band, whiskers and markers of one series (many: several series share the plot)."""
    pts, shape = ser["values"], MARKERS[s % len(MARKERS)]
    out = {"name": ser["name"], "classes": f"series-{s % N_SERIES_CLASSES}", "lines": [], "bands": [],
           "points": [], "gaps": []}
    runs = _runs(pts)
    for run in runs:
        out["lines"].append("M" + "L".join(f"{xs[i]} {sy(pts[i]['value'])}" for i in run))
        if all(pts[i].get("lower") is not None and pts[i].get("upper") is not None for i in run):
            up = "L".join(f"{xs[i]} {sy(pts[i]['upper'])}" for i in run)
            down = "L".join(f"{xs[i]} {sy(pts[i]['lower'])}" for i in reversed(run))
            out["bands"].append(f"M{up}L{down}Z")
    drawn = {i for run in runs for i in run}
    for i, p in enumerate(pts):
        if i not in drawn:
            word = text["suppressed"] if p and p.get("suppressed") else text["no_data"]
            out["gaps"].append({"x": xs[i], "y": GAP_Y - 16 * s, "text": f"{ser['name']}: {word}" if many else word})
            continue
        y, whisker = sy(p["value"]), None
        if p.get("lower") is not None and p.get("upper") is not None:
            whisker = {"x": xs[i], "y1": sy(p["upper"]), "y2": sy(p["lower"]), "x1": xs[i] - 4, "x2": xs[i] + 4}
        label = "" if many else p.get("label") or fmt(p["value"], unit)
        out["points"].append({"d": _marker_d(shape, xs[i], y), "whisker": whisker,
                              "title": f"{ser['name']}: {_interval_text(p, unit, text)}",
                              "label": {"x": xs[i] + 8, "y": y - 6, "text": label}})
    return out


def _line_legend(names: list[str], reference: dict | None, x0: float, y0: float) -> list[dict]:
    """Legend entries, four per line: a marker per series (when there are several) and the dashed reference."""
    items = []
    for s, name in enumerate(names if len(names) > 1 else []):
        x, y = x0 + 140 * (s % 4), y0 + 22 * (s // 4)
        items.append({"x": x, "y": y, "classes": f"series-{s % N_SERIES_CLASSES}", "text": name, "shape": "marker",
                      "d": _marker_d(MARKERS[s % len(MARKERS)], x + 6, y - 4)})
    if reference:
        x, y = x0 + 140 * (len(items) % 4), y0 + 22 * (len(items) // 4)
        items.append({"x": x + 14, "y": y, "classes": "reference", "text": reference["text"],
                      "shape": "reference-line", "d": f"M{fmt(x - 6)} {fmt(y - 4)}H{fmt(x + 20)}"})
    return items


def line_chart(title: str, desc: str, x_labels: Sequence[str], series: Sequence[Mapping], unit: str = "", *,
               y_min: float | None = None, y_max: float | None = None, reference: Mapping | None = None,
               text: Mapping[str, str] | None = None, chart_id: str | None = None) -> dict:
    """Trend over iterations with interval bands/whiskers; series = [{name, values}], reference = {value, label}."""
    text = texts(text)
    x0, x1, top, bottom = 56, WIDTH - 24, 20, GAP_Y + 6
    vals = [v for s in series for p in s["values"] if p and not p.get("suppressed")
            for v in (p.get("value"), p.get("lower"), p.get("upper")) if v is not None]
    vals += [reference["value"]] if reference else []
    ticks = nice_ticks(min(vals + [0]) if y_min is None else y_min, max(vals + [1]) if y_max is None else y_max)
    lo, hi = ticks[0], ticks[-1]
    sy = lambda v: round(bottom - (bottom - top) * (v - lo) / (hi - lo), 1)  # noqa: E731
    step = (x1 - x0) / max(len(x_labels), 1)
    dodge = min(10.0, step / (2 * max(len(series), 1)))  # series side by side, so whiskers don't hide each other
    lines = []
    for s, ser in enumerate(series):
        offset = (s - (len(series) - 1) / 2) * dodge
        xs = [round(x0 + step * (i + 0.5) + offset, 1) for i in range(len(x_labels))]
        lines.append(_line_series(s, ser, xs, sy, unit, text, len(series) > 1))
    ref = None
    if reference:
        ref = {"y": sy(reference["value"]), "x1": x0, "x2": x1,
               "text": reference.get("label") or fmt(reference["value"], unit)}
    legend = _line_legend([ser["name"] for ser in series], ref, x0 + 6, bottom + 48)
    centres = [round(x0 + step * (i + 0.5), 1) for i in range(len(x_labels))]
    rows = [[lab] + [_interval_text(s["values"][i], unit, text) for s in series] for i, lab in enumerate(x_labels)]
    return {"kind": "line", "id": chart_id or make_id("line", title, x_labels), "title": title, "desc": desc,
            "width": WIDTH, "height": bottom + 40 + (20 + 22 * ((len(legend) - 1) // 4) if legend else 0),
            "plot": {"x0": x0, "x1": x1, "y0": top, "y1": bottom},
            "yaxis": [{"y": sy(t), "label": fmt(t, unit)} for t in ticks],
            "xaxis": [{"x": x, "label": clip_text(lab, 12)} for x, lab in zip(centres, x_labels)],
            "series": lines, "reference": ref, "legend": legend, "text": text,
            "table": table(title, [text["category"], *[s["name"] for s in series]], rows)}


DIVERGING_SEGMENTS = ({"key": "negative", "name": "否定的"}, {"key": "neutral", "name": "どちらでもない"},
                      {"key": "positive", "name": "肯定的"})


def diverging_bar_chart(title: str, desc: str, categories: Sequence[str],
                        shares: Sequence[Sequence[float | None] | None], totals: Sequence[int | None], *,
                        segments: Sequence[Mapping] = DIVERGING_SEGMENTS, suppressed: Sequence[bool] | None = None,
                        text: Mapping[str, str] | None = None, chart_id: str | None = None) -> dict:
    """Diverging stacked bars of agreement items: shares[category] = (negative, neutral, positive) as 0..1;
    negative to the left of the centre line, neutral across it, positive to the right. Drawn by the stacked
    macro (same rows and segments) plus the centre line; a category with no answers or hidden is marked."""
    text = texts(text)
    places, legend_height = legend_row([seg["name"] for seg in segments])
    x0, x1, top = 8, WIDTH - 80, 34 + legend_height
    cx, half = (x0 + x1) / 2, (x1 - x0) / 2
    legend = [{"x": x, "y": y, "classes": f"seg seg-{seg['key']} stack-{j}", "text": seg["name"]}
              for j, (seg, (x, y)) in enumerate(zip(segments, places))]
    rows, y, table_rows = [], top, []
    for c, category in enumerate(categories):
        values = shares[c]
        hidden = bool(suppressed and suppressed[c])
        empty = values is None or not totals[c]
        row = {"label": {"x": 8, "y": y + 14, "text": clip_text(category, 44)}, "segments": [], "hidden": None,
               "total": {"x": x1 + 8, "y": y + 36, "text": "" if hidden or empty else f"n={fmt(totals[c])}"}}
        y += 20
        if hidden or empty:
            row["hidden"] = {"x": x0, "y": y, "width": 28, "height": 22, "hatch": hidden,
                             "classes": "bar suppressed" if hidden else "bar no-data",
                             "label": {"x": x0 + 36, "y": y + 16, "text": text["suppressed" if hidden else "no_data"]}}
            table_rows.append([category, *[text["suppressed" if hidden else "no_data"]] * len(segments),
                               text["suppressed"] if hidden else fmt(totals[c] or 0)])
        else:
            negative, neutral, _positive = (v or 0 for v in values)
            left = cx - half * (negative + neutral / 2)
            for j, (seg, value) in enumerate(zip(segments, values)):
                width = round(half * (value or 0), 1)
                share = fmt(100 * (value or 0), "%")
                row["segments"].append({
                    "x": round(left, 1), "y": y, "width": width, "height": 22,
                    "classes": f"seg seg-{seg['key']} stack-{j}", "title": f"{category} {seg['name']}: {share}",
                    "label": {"x": round(left + width / 2, 1), "y": y + 16, "text": share if width >= 40 else "",
                              "classes": f"seg-text seg-text-{seg['key']} stack-text-{j}"}})
                left += width
            table_rows.append([category, *[fmt(100 * (v or 0), "%") for v in values], fmt(totals[c])])
        rows.append(row)
        y += 34
    axis = [{"x": round(cx + half * t / 100, 1), "label": fmt(abs(t), "%"), "y1": top - 4, "y2": y - 12}
            for t in (-100, -50, 0, 50, 100)]
    return {"kind": "diverging", "id": chart_id or make_id("diverging", title, categories), "title": title,
            "desc": desc, "width": WIDTH, "height": y, "legend": legend, "rows": rows, "axis": axis,
            "axis_y": top - 10, "text": text, "center": {"x": round(cx, 1), "y1": top - 4, "y2": y - 12},
            "table": table(title, [text["category"], *[s["name"] for s in segments], text["total"]], table_rows)}
