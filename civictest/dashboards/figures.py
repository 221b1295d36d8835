"""Report dicts of civictest.analysis -> chart models of civictest.charts (pure).

`history` is a list of iteration points in order, each {"id", "number", "label", "report"}, where report is
an `iteration_report` dict. Every figure shows all iterations of the history side by side, so a reader sees
the path to the current iteration and not only the last step.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence

from civictest import charts
from civictest.dashboards.verdicts import N_, Gettext, identity

CHART_TEXT = {"suppressed": N_("秘匿"), "no_data": N_("データなし"), "summary": N_("データを表で見る"),
              "total": N_("合計"), "category": N_("項目"), "interval": N_("区間")}
SENTIMENTS = (("positive", N_("肯定的")), ("neutral", N_("中立")), ("negative", N_("否定的")),
              ("unscored", N_("判定なし")))
SUS_REFERENCE = 68.0  # the SUS average across studies (METRICS 4.3): "above 68 is above average"
T = {
    "iteration": N_("第{number}版"),
    "completion_title": N_("タスク別の完了率（版ごと）"),
    "completion_desc": N_("タスクごとに、各版の完了率を横棒で示します。ひげは95%信頼区間です。高いほど良い値です。"),
    "inconvenience_title": N_("タスク別の不便率（版ごと）"),
    "inconvenience_desc": N_("タスクごとに、各版の不便率（できなかった、または難しかった試行の割合）を横棒で示します。"
                             "ひげは95%信頼区間です。低いほど良い値です。"),
    "time_title": N_("タスク別の所要時間（版ごと）"),
    "time_desc": N_("できた試行の所要時間の幾何平均（少人数では中央値）を横棒で示します。ひげは95%信頼区間です。"
                    "短いほど良い値です。"),
    "seq_title": N_("タスク別のやさしさ評価 SEQ（版ごと）"),
    "seq_desc": N_("各タスクの直後に聞いた「やさしさ」（1〜7、7が最もやさしい）の平均です。ひげは95%信頼区間です。"),
    "sentiment_title": N_("ご意見の感情の内訳（版ごと）"),
    "sentiment_desc": N_("版ごとに、ご意見を肯定的・中立・否定的・判定なしに分けた割合を100%積み上げ横棒で示します。"),
    "sus_title": N_("SUS スコアの推移"),
    "sus_desc": N_("版ごとの SUS スコアの平均と95%信頼区間です。破線は平均的な水準（68）です。高いほど良い値です。"),
    "umux_title": N_("UMUX-Lite スコアの推移"),
    "umux_desc": N_("版ごとの UMUX-Lite スコアの平均と95%信頼区間です。高いほど良い値です。"),
    "sus_reference": N_("平均的な水準 68"),
    "trend_title": N_("不便率の推移（全タスク）"),
    "trend_desc": N_("版ごとの不便率（全タスクの試行をまとめた値）と95%信頼区間です。低いほど良い値です。"),
    "seconds": N_("秒"),
    "task": N_("T{position} {title}"),
}


def chart_text(gettext: Gettext = identity) -> dict:
    """The UI strings of charts.py, translated."""
    return {key: gettext(value) for key, value in CHART_TEXT.items()}


def iteration_name(number: int, gettext: Gettext = identity) -> str:
    """ "第3版" / "Iter. 3": short, because chart series names are clipped at eight characters."""
    return gettext(T["iteration"]).format(number=number)


def iteration_style(number: int) -> int:
    """The series style (colour, pattern) of an iteration: from its number, never from its place in a chart, so
    one iteration has one colour on every chart of a page."""
    return max(int(number) - 1, 0)


def task_label(task: Mapping, lang: str = "ja", gettext: Gettext = identity) -> str:
    """ "T2 必要書類をアップロードする" in the page language (Japanese when the English title is empty)."""
    title = (task.get("title_en") if lang.startswith("en") else None) or task.get("title_ja") or ""
    return gettext(T["task"]).format(position=task.get("position", ""), title=title)


def _point(block: Mapping | None, value: str, lower: str = "lower", upper: str = "upper",
           scale: float = 1.0) -> dict | None:
    """One chart point {value, lower, upper} from an analysis block, or None when it has no value."""
    if not block or block.get(value) is None:
        return None
    bound = lambda key: None if block.get(key) is None else block[key] * scale  # noqa: E731
    return {"value": block[value] * scale, "lower": bound(lower), "upper": bound(upper)}


def _current_tasks(history: Sequence[Mapping]) -> list[dict]:
    """The tasks of the last point of the history, in position order."""
    return list(history[-1]["report"]["tasks"]) if history else []


def _per_task(history: Sequence[Mapping], pick, lang: str, gettext: Gettext) -> tuple[list, list]:
    """Categories (tasks of the current iteration) and one series per iteration, matched by task_id."""
    tasks = _current_tasks(history)
    series = []
    for point in history:
        by_id = {t["task_id"]: t for t in point["report"]["tasks"]}
        series.append({"name": iteration_name(point["number"], gettext), "style": iteration_style(point["number"]),
                       "values": [pick(by_id.get(t["task_id"])) for t in tasks]})
    return [task_label(t, lang, gettext) for t in tasks], series


def task_rate_chart(history: Sequence[Mapping], metric: str, lang: str = "ja", gettext: Gettext = identity,
                    chart_id: str | None = None) -> dict:
    """Completion (metric="completion") or inconvenience rate per task, one bar per iteration, in %."""
    value = "completion_rate" if metric == "completion" else "rate"
    categories, series = _per_task(
        history, lambda t: _point(t and t[metric], value, scale=100.0), lang, gettext)
    return charts.bar_chart_with_intervals(
        gettext(T[f"{metric}_title"]), gettext(T[f"{metric}_desc"]), categories, series, unit="%",
        text=chart_text(gettext), chart_id=chart_id or f"chart-{metric}")


def _time_point(task: Mapping | None) -> dict | None:
    """The time figure the analysis chose to report (geometric mean, or median for small n)."""
    if not task or not task.get("time"):
        return None
    block = task["time"]
    return _point(block, block.get("central_tendency_reported") or "geometric_mean")


def time_chart(history: Sequence[Mapping], lang: str = "ja", gettext: Gettext = identity) -> dict:
    """Time on task per task, one bar per iteration, in seconds."""
    categories, series = _per_task(history, _time_point, lang, gettext)
    empty = not any(p for s in series for p in s["values"])  # charts.py needs a scale when nothing is timed
    return charts.bar_chart_with_intervals(
        gettext(T["time_title"]), gettext(T["time_desc"]), categories, series, unit=gettext(T["seconds"]),
        max_value=60.0 if empty else None, text=chart_text(gettext), chart_id="chart-time")


def seq_chart(history: Sequence[Mapping], lang: str = "ja", gettext: Gettext = identity) -> dict:
    """Mean SEQ (1–7) per task, one bar per iteration."""
    categories, series = _per_task(history, lambda t: _point(t and t.get("seq"), "mean"), lang, gettext)
    return charts.bar_chart_with_intervals(
        gettext(T["seq_title"]), gettext(T["seq_desc"]), categories, series, unit="", max_value=7,
        text=chart_text(gettext), chart_id="chart-seq")


def sentiment_chart(history: Sequence[Mapping], gettext: Gettext = identity) -> dict:
    """100% stacked bars of comment sentiment, one bar per iteration."""
    segments = [{"key": key, "name": gettext(name)} for key, name in SENTIMENTS]
    counts = []
    for point in history:
        found = point["report"]["overall"].get("sentiment") or {}
        counts.append([found.get(key) for key, _ in SENTIMENTS])
    return charts.stacked_bar_chart(
        gettext(T["sentiment_title"]), gettext(T["sentiment_desc"]),
        [iteration_name(p["number"], gettext) for p in history], segments, counts,
        text=chart_text(gettext), chart_id="chart-sentiment")


def questionnaire_trend(history: Sequence[Mapping], gettext: Gettext = identity) -> dict:
    """SUS (or UMUX-Lite) mean per iteration with its interval; SUS gets the dashed 68 reference line."""
    blocks = [p["report"]["overall"]["questionnaire"] for p in history]
    sus = all(b.get("kind", "sus") == "sus" for b in blocks)
    name = "SUS" if sus else "UMUX-Lite"
    values = [_point(b, "mean") for b in blocks]
    return charts.line_chart(
        gettext(T["sus_title" if sus else "umux_title"]), gettext(T["sus_desc" if sus else "umux_desc"]),
        [iteration_name(p["number"], gettext) for p in history], [{"name": name, "values": values}],
        y_min=0, y_max=100, reference={"value": SUS_REFERENCE, "label": gettext(T["sus_reference"])} if sus else None,
        text=chart_text(gettext), chart_id="chart-sus")


def inconvenience_trend(history: Sequence[Mapping], gettext: Gettext = identity) -> dict:
    """Pooled inconvenience rate per iteration with its interval, in %."""
    values = [_point(p["report"]["overall"]["inconvenience"], "rate", scale=100.0) for p in history]
    return charts.line_chart(
        gettext(T["trend_title"]), gettext(T["trend_desc"]),
        [iteration_name(p["number"], gettext) for p in history],
        [{"name": gettext(N_("不便率")), "values": values}], unit="%", y_min=0, y_max=100,
        text=chart_text(gettext), chart_id="chart-trend")
