"""Headline cards and per-task verdicts of an iteration against its base (pure).

Inputs are the dicts of civictest.analysis: `iteration_report` for the current and base iterations and
`compare_iterations(base, candidate)` for the comparison (differences are candidate minus base).
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence

from civictest.analysis.compare import IMPROVED, NO_CHANGE, WORSE
from civictest.dashboards.figures import iteration_name, task_label
from civictest.dashboards.verdicts import (
    N_, Gettext, identity, mean_verdict, one_decimal, percent, rate_verdict, time_verdict, word,
)

T = {
    "participants": N_("参加者"), "inconvenience": N_("不便率"), "completion": N_("完了率"),
    "sus": N_("SUS スコア"), "umux_lite": N_("UMUX-Lite スコア"), "sentiment": N_("否定的なご意見の割合"),
    "people": N_("{n}人"), "interval": N_("95%信頼区間 {low}〜{high}"), "grade": N_("評価 {grade}"),
    "n_attempts": N_("試行 n={n}"), "n_answers": N_("回答 n={n}"), "n_comments": N_("ご意見 n={n}"),
    "participants_change": N_("前の版 {base}人 → この版 {candidate}人"),
    "pooled_note": N_("全タスクの試行をまとめた参考値です（同じ人の試行は独立ではありません）。"),
    "sentiment_note": N_("判定できたご意見のうち否定的なものの割合です（参考値）。"),
    "overall": N_("{total}タスク中 改善 {improved}、悪化 {worse}、変化は検出されず {same}（Holm 法で多重比較を補正）"),
    "holm_differs": N_("多重比較の補正後は「{word}」"),
}
HEADLINES = {
    ("inconvenience", "down"): N_("{task} の不便率が {base} から {candidate} に下がりました"),
    ("inconvenience", "up"): N_("{task} の不便率が {base} から {candidate} に上がりました"),
    ("completion", "down"): N_("{task} の完了率が {base} から {candidate} に下がりました"),
    ("completion", "up"): N_("{task} の完了率が {base} から {candidate} に上がりました"),
}
CERTAINTY = {"certain": N_("（確かな差）"),
             "tentative": N_("（差がありそうですが、全タスクを合わせて見ると確かとは言えません）")}
NOTHING_CHANGED = N_("前の版と比べて、はっきりした変化は見つかりませんでした。")
DEFINITIONS = {
    "inconvenience": N_("不便率: タスクの試行のうち、できなかった（途中まで・あきらめたを含む）か、できても「難しかった」"
                        "（やさしさ 1〜4）と答えた試行の割合。低いほど良い値です。"),
    "completion": N_("完了率: タスクの試行のうち、最後までできた試行の割合。高いほど良い値です。"),
}


def definitions(gettext: Gettext = identity) -> list[dict]:
    """What 不便率 and 完了率 mean, in a sentence each, shown where the figures are."""
    out = []
    for key, text in DEFINITIONS.items():
        term, _, meaning = gettext(text).partition(": ")
        out.append({"key": key, "term": term, "meaning": meaning})
    return out


def headlines(comparison: Mapping, lang: str = "ja", gettext: Gettext = identity) -> list[dict]:
    """One plain sentence per task that changed ("T4 の完了率が 90% から 38% に下がりました（確かな差）"): the
    inconvenience rate when it changed, else the completion rate; certain when the Holm-adjusted verdict agrees."""
    out = []
    for task in comparison["tasks"]:
        for metric in ("inconvenience", "completion"):
            block = task[metric]
            key = task["verdict"] if metric == "inconvenience" else block.get("verdict")
            if key not in (IMPROVED, WORSE) or block.get("p1") is None or block.get("p2") is None:
                continue
            direction = "down" if block["p1"] < block["p2"] else "up"
            certain = metric == "inconvenience" and task.get("holm_verdict") == key
            sentence = gettext(HEADLINES[(metric, direction)]).format(
                task=task_label(task, lang, gettext), base=percent(block["p2"]), candidate=percent(block["p1"]))
            out.append({**word(key, gettext), "task_id": task["task_id"], "metric": metric,
                        "sentence": sentence + gettext(CERTAINTY["certain" if certain else "tentative"])})
            break
    return out


def _interval(block: Mapping, low: str, high: str, fmt, gettext: Gettext) -> str:
    """ "95%信頼区間 25〜46%" or "" without bounds."""
    if block.get(low) is None or block.get(high) is None:
        return ""
    return gettext(T["interval"]).format(low=fmt(block[low]), high=fmt(block[high]))


def _card(key: str, value: str, detail: str, n_text: str, gettext: Gettext, **extra) -> dict:  # noqa: ANN003
    """One card: label, value, interval detail, n, and (with a base) verdict and sentence."""
    return {"key": key, "label": gettext(T[key]), "value": value, "detail": detail, "n": n_text,
            "verdict": None, "note": "", **extra}


def _rate_card(key: str, current: Mapping, base: Mapping | None, pooled: Mapping | None,
               gettext: Gettext) -> dict:
    """Inconvenience or completion card (pooled over all tasks' attempts)."""
    field = "rate" if key == "inconvenience" else "completion_rate"
    block = current[key]
    card = _card(key, percent(block.get(field)), _interval(block, "lower", "upper", percent, gettext),
                 gettext(T["n_attempts"]).format(n=block.get("n") or 0), gettext,
                 note=gettext(T["pooled_note"]))
    if base is not None and pooled is not None:
        card["verdict"] = rate_verdict(pooled[key], base[key].get("n"), block.get("n"),
                                       lower_is_better=key == "inconvenience", key=pooled[key].get("verdict"),
                                       gettext=gettext)
    return card


def _questionnaire_card(current: Mapping, base: Mapping | None, compared: Mapping | None,
                        gettext: Gettext) -> dict:
    """SUS (with grade) or UMUX-Lite card."""
    block = current["questionnaire"]
    kind = block.get("kind") or "sus"
    value = one_decimal(block.get("mean"))
    card = _card(kind, value, _interval(block, "lower", "upper", one_decimal, gettext),
                 gettext(T["n_answers"]).format(n=block.get("n") or 0), gettext,
                 grade=gettext(T["grade"]).format(grade=block["grade"]) if block.get("grade") else "")
    if base is not None and compared is not None:
        card["verdict"] = mean_verdict(compared["comparison"], base["questionnaire"].get("n"), block.get("n"),
                                       key=compared.get("verdict"), gettext=gettext)
    return card


def _negatives(overall: Mapping) -> tuple[int, int]:
    """(negative, scored) comment counts; unscored comments say nothing either way."""
    found = overall.get("sentiment") or {}
    scored = sum(found.get(k) or 0 for k in ("positive", "neutral", "negative"))
    return found.get("negative") or 0, scored


def _sentiment_card(current: Mapping, compared: Mapping | None, gettext: Gettext) -> dict:
    """Share of negative comments, with its comparison (analysis.compare.compare_sentiment) against the base."""
    negative, scored = _negatives(current)
    card = _card("sentiment", percent(negative / scored if scored else None), "",
                 gettext(T["n_comments"]).format(n=scored), gettext, note=gettext(T["sentiment_note"]))
    if compared is not None:
        card["verdict"] = rate_verdict(compared, compared["base_scored"], scored, lower_is_better=True,
                                       key=compared["verdict"], gettext=gettext)
    return card


def headline_cards(current: Mapping, base: Mapping | None = None, comparison: Mapping | None = None,
                   gettext: Gettext = identity) -> list[dict]:
    """Participants, inconvenience, completion, SUS/UMUX-Lite and sentiment cards of `current` (a report)."""
    now, before = current["overall"], base["overall"] if base else None
    pooled = comparison["overall"] if comparison else None
    people = _card("participants", gettext(T["people"]).format(n=now.get("participants") or 0), "", "", gettext)
    if before is not None:
        people["change"] = gettext(T["participants_change"]).format(
            base=before.get("participants") or 0, candidate=now.get("participants") or 0)
    return [
        people,
        _rate_card("inconvenience", now, before, pooled, gettext),
        _rate_card("completion", now, before, pooled, gettext),
        _questionnaire_card(now, before, pooled and pooled["questionnaire"], gettext),
        _sentiment_card(now, pooled.get("sentiment") if pooled else None, gettext),
    ]


def _task_n(report: Mapping | None, task_id: object, block: str) -> int:
    """n behind one task's time or SEQ figure in a report (ratings and times are fewer than attempts)."""
    for task in (report or {}).get("tasks", []):
        if task["task_id"] == task_id:
            return (task.get(block) or {}).get("n") or 0
    return 0


def task_verdicts(comparison: Mapping, current: Mapping, base: Mapping, lang: str = "ja",
                  gettext: Gettext = identity) -> list[dict]:
    """Per task: the inconvenience verdict (headline), then completion, time and SEQ sentences."""
    alpha, rows = comparison["alpha"], []
    for task in comparison["tasks"]:
        n_base, n_candidate, task_id = task["n_base"], task["n_candidate"], task["task_id"]
        completion = task["completion"]
        holm = task.get("holm_verdict")
        rows.append({
            "task_id": task_id, "label": task_label(task, lang, gettext),
            "headline": rate_verdict(task["inconvenience"], n_base, n_candidate, lower_is_better=True,
                                     key=task["verdict"], gettext=gettext),
            "holm_note": gettext(T["holm_differs"]).format(word=word(holm, gettext)["word"])
            if holm and holm != task["verdict"] else "",
            "completion": rate_verdict(completion, n_base, n_candidate, lower_is_better=False,
                                       key=completion["verdict"], gettext=gettext),
            "time": time_verdict(task["time"], _task_n(base, task_id, "time"), _task_n(current, task_id, "time"),
                                 alpha=alpha, gettext=gettext),
            "seq": mean_verdict(task["seq"], _task_n(base, task_id, "seq"), _task_n(current, task_id, "seq"),
                                alpha=alpha, gettext=gettext),
        })
    return rows


def overall_verdict(comparison: Mapping, lang: str = "ja", gettext: Gettext = identity) -> dict:
    """The Holm-adjusted verdict across tasks, how many tasks went which way, and which ones."""
    tasks = comparison["tasks"]
    found = [t.get("holm_verdict") or NO_CHANGE for t in tasks]
    summary = gettext(T["overall"]).format(total=len(found), improved=found.count(IMPROVED),
                                           worse=found.count(WORSE), same=found.count(NO_CHANGE))
    named = {key: [task_label(t, lang, gettext) for t, v in zip(tasks, found) if v == key] for key in (IMPROVED, WORSE)}
    return {**word(comparison["overall"]["verdict"], gettext), "sentence": summary,
            "improved": named[IMPROVED], "worse": named[WORSE]}


def iteration_choices(points: Sequence[Mapping], gettext: Gettext = identity) -> list[dict]:
    """Options for the "compare with" select: id and "第2版 2025年度版"."""
    return [{"id": p["id"], "name": iteration_name(p["number"], gettext), "label": p.get("label", "")}
            for p in points]
