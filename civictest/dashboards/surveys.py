"""A survey wave's results (reporting.surveys.wave_results) -> what a manager reads in a minute (pure).

Plain sentences first (respondents and response rate, the overall change against the previous wave, the items
that changed), then per item the positive / neutral / negative shares with intervals and the mean, the weighted
figures beside them, the diverging bars, the units and grades, and the statistics behind 「詳しく」.
"""
from __future__ import annotations

import functools
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from markupsafe import Markup, escape

from civictest import charts
from civictest.analysis.compare import IMPROVED, NO_CHANGE, WORSE
from civictest.dashboards.verdicts import (
    N_, Gettext, identity, mean_verdict, one_decimal, percent, rate_verdict, word,
)

BAND_NAMES = {"negative": N_("否定的"), "neutral": N_("どちらとも言えない"), "positive": N_("肯定的")}
NO_GRADE = N_("職層の記入なし")
WHOLE = N_("組織全体")
TEXT = {
    "respondents": N_("回答者 {n}人、回答率 {rate}（招待 {invited}人）。"),
    "respondents_only": N_("回答者 {n}人。"),
    "hidden": N_("回答者が{k}人未満のため、結果は表示していません。"),
    "item": N_("「{item}」: 肯定的 {positive}、否定的 {negative}（{n}人が回答）。"),
    "changed": N_("{base}と比べて、{improved}項目で改善、{worse}項目で悪化しました（多重比較を補正した判定）。"),
    "unchanged": N_("{base}と比べて、はっきりした変化は見つかりませんでした。"),
    "interval": N_("{low}〜{high}"),
    "weighted_note": N_("名簿の構成（局 × 職層）に合わせて重み付けした値です。名簿のうち回答者のいる区分が {share} を占めます。"),
    "suppressed": N_("秘匿"),
    "no_data": N_("データなし"),
    "summary": N_("データを表で見る"),
    "total": N_("回答数"),
    "category": N_("設問"),
    "units_changed": N_("{base}と比べて、{n}組織のうち{improved}組織で改善、{worse}組織で悪化しました（組織の数に応じて補正した判定）。"),
    "unit_uncertain": N_("{base} → {candidate}: 変わったように見えますが、比べた組織が多く人数も少ないため、確かとは言えません（n={n_base}→{n_candidate}）"),
    "uncertain_word": N_("変わったように見えるが確かではない"),
    "units_unchanged": N_("{base}と比べて、{n}組織のどれにもはっきりした変化は見つかりませんでした（組織の数に応じて補正した判定）。"),
}


def _t(gettext: Gettext, key: str, mark: Callable[[Any], Any] | None = None, **values: Any) -> str:
    """A sentence of TEXT in the page language. With `mark` (web.i18n.ja on a page) the values, which may be
    Japanese data such as a wave label or an item's wording, go through it and the sentence is safe markup."""
    if mark is None:
        return gettext(TEXT[key]).format(**values)
    return Markup(escape(gettext(TEXT[key]))).format(**{name: mark(value) for name, value in values.items()})


def remembered(gettext: Gettext) -> Gettext:
    """gettext that translates each message once: a page formats thousands of intervals, units and grades with
    the same few messages (Flask-Babel looks the catalogue up at every call). Already remembered: as it is."""
    if getattr(gettext, "remembered", False):
        return gettext
    cached = functools.lru_cache(maxsize=None)(gettext)
    cached.remembered = True  # type: ignore[attr-defined]
    return cached


def wording(item: Mapping, lang: str) -> str:
    return (item.get("wording_en") if lang == "en" else "") or item.get("wording_ja", "")


def interval(block: Mapping | None, gettext: Gettext = identity) -> str:
    """ "25%〜57%" of a share with lower and upper; "" when missing."""
    if not block or block.get("lower") is None:
        return ""
    return _t(gettext, "interval", low=percent(block["lower"]), high=percent(block["upper"]))


def _share_cells(summary: Mapping | None, gettext: Gettext) -> dict:
    if not summary or not summary.get("n"):
        return {}
    return {band: {"value": percent(summary[band]["share"]), "interval": interval(summary[band], gettext)}
            for band in BAND_NAMES}


def _chart_text(gettext: Gettext) -> dict:
    return {key: gettext(TEXT[key]) for key in ("suppressed", "no_data", "summary", "total", "category")}


def _segments(gettext: Gettext) -> list[dict]:
    return [{"key": key, "name": gettext(name)} for key, name in BAND_NAMES.items()]


def diverging(title: str, desc: str, rows: Sequence[tuple[str, Mapping | None, bool]], gettext: Gettext,
              chart_id: str) -> dict:
    """A diverging chart of (label, summary or None, hidden) rows; summary has n and the three bands."""
    shares = [None if s is None or not s.get("n") else tuple(s[b]["share"] for b in BAND_NAMES) for _l, s, _h in rows]
    totals = [None if s is None else s.get("n") for _l, s, _h in rows]
    return charts.diverging_bar_chart(title, desc, [label for label, _s, _h in rows], shares, totals,
                                      segments=_segments(gettext), suppressed=[h for _l, _s, h in rows],
                                      text=_chart_text(gettext), chart_id=chart_id)


def _unit_name(unit: Mapping, gettext: Gettext) -> str:
    return unit.get("name") or gettext(WHOLE)


def _grade_name(grade: str, gettext: Gettext) -> str:
    return grade or gettext(NO_GRADE)


def wave_page(results: Mapping, lang: str = "ja", gettext: Gettext = identity, item_id: int | None = None,
              mark: Callable[[Any], Any] | None = None) -> dict:
    """Sentences, item rows, charts, unit and grade tables and verdicts of one wave, in the page language.
    item_id picks the item the unit and grade breakdowns show (default: the first scale item); mark (the page's
    `ja`) marks the Japanese data inside the sentences."""
    gettext = remembered(gettext)
    k = results["k"]
    scale = [i for i in results["items"] if i["kind"] == "scale"]
    base_label = (results.get("base_wave") or {}).get("label", "")
    sentences = []
    rate = results.get("response_rate")
    if not results["shown"]:
        sentences.append(_t(gettext, "hidden", k=k))
    elif rate and rate.get("invited"):
        sentences.append(_t(gettext, "respondents", n=results["respondents"], rate=percent(rate["rate"]),
                            invited=rate["invited"]))
    else:
        sentences.append(_t(gettext, "respondents_only", n=results["respondents"]))
    comparison = results.get("comparison")
    changes = {c["item_id"]: c for c in comparison["items"]} if comparison else {}
    overall = None
    if comparison and comparison["items"]:
        improved = [c for c in comparison["items"] if c["holm_verdict"] == IMPROVED]
        worse = [c for c in comparison["items"] if c["holm_verdict"] == WORSE]
        overall = word(comparison["verdict"], gettext)
        sentences.append(_t(gettext, "changed" if improved or worse else "unchanged", mark, base=base_label,
                            improved=len(improved), worse=len(worse)))
    rows = []
    for item in scale:
        summary = item.get("overall")
        change = changes.get(item["id"])
        row = {"id": item["id"], "code": item["code"], "wording": wording(item, lang), "n": (summary or {}).get("n"),
               "shares": _share_cells(summary, gettext),
               "mean": one_decimal((summary or {}).get("mean")),
               "mean_interval": "" if not summary or summary.get("mean_lower") is None else
               _t(gettext, "interval", low=one_decimal(summary["mean_lower"]), high=one_decimal(summary["mean_upper"])),
               "weighted": None, "change": None}
        weighted = item.get("weighted")
        if weighted and weighted.get("n"):
            row["weighted"] = {"positive": percent(weighted["positive"]), "negative": percent(weighted["negative"]),
                               "mean": one_decimal(weighted["mean"])}
        if change:
            headline = rate_verdict(change["positive"], change["n_base"], change["n_candidate"],
                                    lower_is_better=False, key=change["verdict"] or "not_comparable",
                                    gettext=gettext)
            row["change"] = {"headline": headline,
                             "holm": word(change["holm_verdict"], gettext),
                             "holm_p": change["holm_adjusted_p"],
                             "mean": mean_verdict(change["mean"], change["n_base"], change["n_candidate"],
                                                  gettext=gettext),
                             "mann_whitney_p": change["mann_whitney"]["p_two_sided"]}
        rows.append(row)
    top = sorted((r for r in rows if r["n"]), key=lambda r: -(_positive(results, r["id"]) or 0))
    if results["shown"]:
        for r in top[:1] + top[-1:] if len(top) > 1 else top:
            item = next(i for i in scale if i["id"] == r["id"])
            sentences.append(_t(gettext, "item", mark, item=r["wording"], positive=percent(item["overall"]["positive"]["share"]),
                                negative=percent(item["overall"]["negative"]["share"]), n=r["n"]))
    chosen = next((i for i in scale if i["id"] == item_id), scale[0] if scale else None)
    page: dict = {"sentences": sentences, "overall": overall, "items": rows, "chosen": chosen,
                  "chosen_wording": wording(chosen, lang) if chosen else "",
                  "choices": [{"id": i["id"], "name": wording(i, lang)} for i in scale], "base_label": base_label,
                  "k": k, "weighting": _weighting(results, gettext)}
    page["items_chart"] = diverging(
        gettext(N_("設問ごとの回答")), gettext(N_("各設問の否定的・どちらとも言えない・肯定的な回答の割合。")),
        [(wording(i, lang), i.get("overall"), not results["shown"]) for i in scale], gettext, "survey-items")
    page["units"], page["grades"], page["merged"] = [], [], []
    if chosen is not None:
        key = str(chosen["id"])
        for unit in results["units"]:
            name = _unit_name(unit, gettext)
            if not unit["shown"]:
                target = next((u for u in results["units"] if u["id"] == unit["shown_as"]), None)
                page["merged"].append({"name": unit.get("path") or name,
                                       "into": _unit_name(target, gettext) if target else ""})
                continue
            summary = (unit.get("items") or {}).get(key)
            rr = unit.get("response_rate")
            page["units"].append({"name": name, "path": unit.get("path", ""), "depth": unit["depth"],
                                  "respondents": unit["respondents"],
                                  "rate": percent(rr["rate"]) if rr else "", "rate_interval": interval(rr, gettext),
                                  "shares": _share_cells(summary, gettext),
                                  "mean": one_decimal((summary or {}).get("mean"))})
        first_level = [u for u in results["units"] if u["depth"] == 1]
        page["units_chart"] = diverging(
            gettext(N_("組織別: {item}")).format(item=wording(chosen, lang)),
            gettext(N_("局ごとの回答の割合。少人数の組織は上位の組織にまとめています。")),
            [(_unit_name(u, gettext), (u.get("items") or {}).get(key), not u["shown"]) for u in first_level],
            gettext, "survey-units")
        for grade in results["grades"]:
            summary = (grade.get("items") or {}).get(key) if grade["shown"] else None
            page["grades"].append({"name": _grade_name(grade["grade"], gettext), "shown": grade["shown"],
                                   "respondents": grade["respondents"], "shares": _share_cells(summary, gettext),
                                   "mean": one_decimal((summary or {}).get("mean"))})
        page["grades_chart"] = diverging(
            gettext(N_("職層別: {item}")).format(item=wording(chosen, lang)),
            gettext(N_("職層ごとの回答の割合。")),
            [(_grade_name(g["grade"], gettext), (g.get("items") or {}).get(key), not g["shown"])
             for g in results["grades"]], gettext, "survey-grades")
    page["texts"] = [{"wording": wording(i, lang), **i["text"]} for i in results["items"]
                     if i["kind"] == "text" and i.get("text")]
    page["choices_items"] = [{"wording": wording(i, lang), "options": [
        {"label": (lab.get("en") if lang == "en" else "") or lab.get("ja", ""),
         "value": percent(i["overall"]["options"][str(n + 1)]["share"]),
         "interval": interval(i["overall"]["options"][str(n + 1)], gettext),
         "count": i["overall"]["options"][str(n + 1)]["count"]} for n, lab in enumerate(i["labels"])],
        "n": i["overall"]["n"]} for i in results["items"] if i["kind"] == "choice" and i.get("overall")]
    return page


def _positive(results: Mapping, item_id: int) -> float | None:
    item = next(i for i in results["items"] if i["id"] == item_id)
    return ((item.get("overall") or {}).get("positive") or {}).get("share")


def _weighting(results: Mapping, gettext: Gettext) -> str:
    weighting = results.get("weighting")
    if not weighting or weighting.get("covered_roster_share") is None:
        return ""
    return _t(gettext, "weighted_note", share=percent(weighting["covered_roster_share"]))


def unit_change_rows(changes: Mapping | None, item_id: int | None, gettext: Gettext = identity,
                     mark: Callable[[Any], Any] | None = None) -> dict | None:
    """The change per org unit of one item (reporting.surveys.unit_changes) for the page: a sentence, one row
    per compared unit (before and now % positive, the Holm-corrected verdict in words with the difference's
    interval, the mean's change, the p-values), and the units not compared with where their answers went."""
    if not changes or not changes.get("shown") or item_id is None:
        return None
    gettext = remembered(gettext)
    key = str(item_id)
    rows = []
    for unit in changes["units"]:
        change = (unit.get("items") or {}).get(key)
        if not change:
            continue
        holm = change["holm_verdict"] or "not_comparable"
        headline = rate_verdict(change["positive"], change["n_base"], change["n_candidate"], lower_is_better=False,
                                key=holm, gettext=gettext)
        short = word(holm, gettext)
        if holm == NO_CHANGE and change["verdict"] in (IMPROVED, WORSE):
            # alone this unit's change would count; corrected for the many units compared it does not: say so in
            # words instead of "no detectable change" beside a difference whose interval excludes 0
            headline = {**word(NO_CHANGE, gettext), "sentence": _t(
                gettext, "unit_uncertain", base=percent(change["positive"].get("p2")),
                candidate=percent(change["positive"].get("p1")), n_base=change["n_base"],
                n_candidate=change["n_candidate"])}
            short = {**short, "word": gettext(TEXT["uncertain_word"])}
        rows.append({
            "name": _unit_name(unit, gettext), "path": unit.get("path", ""), "depth": unit["depth"],
            "base": percent(change["positive"].get("p2")), "candidate": percent(change["positive"].get("p1")),
            "n_base": change["n_base"], "n_candidate": change["n_candidate"],
            "headline": headline, "short": short,
            "holm": word(holm, gettext), "holm_p": change["holm_adjusted_p"],
            "mean": mean_verdict(change["mean"], change["n_base"], change["n_candidate"], gettext=gettext),
            "mann_whitney_p": change["mann_whitney"]["p_two_sided"]})
    names = {u["id"]: u for u in changes["units"]}
    merged = [{"name": u.get("path") or _unit_name(u, gettext),
               "into": _unit_name(names[u["into"]], gettext) if u.get("into") in names else gettext(WHOLE)}
              for u in changes["not_compared"]]
    improved = sum(1 for r in rows if r["holm"]["key"] == IMPROVED)
    worse = sum(1 for r in rows if r["holm"]["key"] == WORSE)
    base = (changes.get("base_wave") or {}).get("label", "")
    sentence = _t(gettext, "units_changed" if improved or worse else "units_unchanged", mark, base=base, n=len(rows),
                  improved=improved, worse=worse)
    return {"rows": rows, "merged": merged, "sentence": sentence if rows else "", "base_label": base}
