"""Verdicts in words: "improved: 48% → 81% (95% interval of the difference 12 to 53 points, n = 25 → 26)".

Pure: the caller passes `gettext` (flask_babel's in the app, the identity in tests); N_ only marks strings
for extraction. Numbers arrive unrounded from civictest.analysis and are rounded here, for display only.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from civictest.analysis.compare import IMPROVED, MIXED, NO_CHANGE, WORSE, verdict

Gettext = Callable[[str], str]
NOT_COMPARABLE = "not_comparable"


def N_(message: str) -> str:  # noqa: N802 - the conventional name pybabel extracts
    """Mark a string for the catalog; it is translated where it is shown."""
    return message


def identity(message: str) -> str:
    """The gettext of pages that stay in Japanese (and of tests)."""
    return message


WORDS = {IMPROVED: N_("改善"), WORSE: N_("悪化"), NO_CHANGE: N_("変化は検出されず"),
         MIXED: N_("改善と悪化が混在"), NOT_COMPARABLE: N_("比較できるデータが不足")}
ICONS = {IMPROVED: "✓", WORSE: "✕", NO_CHANGE: "＝", MIXED: "±", NOT_COMPARABLE: "－"}
SENTENCES = {
    "rate": N_("{verdict}: {base} → {candidate}（差の95%信頼区間 {low}〜{high}ポイント、n={n_base}→{n_candidate}）"),
    "score": N_("{verdict}: {base} → {candidate}（差の95%信頼区間 {low}〜{high}点、n={n_base}→{n_candidate}）"),
    "time": N_("{verdict}: {base} → {candidate}（時間の比の95%信頼区間 {low}〜{high}倍、n={n_base}→{n_candidate}）"),
    "missing": N_("{verdict}: {base} → {candidate}（n={n_base}→{n_candidate}）"),
}
UNITS = {"seconds": N_("{value}秒")}
MINUS = "\u2212"


def signed(text: str) -> str:
    """A typographic minus instead of the ASCII hyphen; "-0" becomes "0"."""
    if text.startswith("-"):
        body = text[1:]
        return body if body.strip("0.") == "" else MINUS + body
    return text


def percent(value: float | None) -> str:
    """0.4812 -> "48%"; None -> "–"."""
    return "–" if value is None else signed(f"{value * 100:.0f}") + "%"


def points(value: float | None) -> str:
    """A proportion difference in percentage points: -0.123 -> "−12"."""
    return "–" if value is None else signed(f"{value * 100:.0f}")


def one_decimal(value: float | None) -> str:
    """71.25 -> "71.3"; None -> "–"."""
    return "–" if value is None else signed(f"{value:.1f}")


def seconds(value: float | None, gettext: Gettext = identity) -> str:
    """118.6 -> "119秒" / "119 s"."""
    return "–" if value is None else gettext(UNITS["seconds"]).format(value=f"{value:.0f}")


def ratio(value: float | None) -> str:
    """0.734 -> "0.73"."""
    return "–" if value is None else f"{value:.2f}"


def word(key: str, gettext: Gettext = identity) -> dict:
    """The verdict as word, icon and CSS class (colour is never the only cue)."""
    return {"key": key, "word": gettext(WORDS[key]), "icon": ICONS[key], "classes": f"verdict verdict-{key}"}


def _sentence(kind: str, key: str, values: Mapping[str, Any], gettext: Gettext) -> dict:
    """Verdict word plus its sentence; an interval missing or a group empty gives the short form."""
    template = SENTENCES["missing" if values.get("low") is None or values.get("high") is None else kind]
    name = gettext(WORDS[key])
    # verdict_lower lets a translation start its sentence in lower case ("improved: 48% → 81% (...)").
    text = gettext(template).format(verdict=name, verdict_lower=name[:1].lower() + name[1:], **values)
    return {**word(key, gettext), "sentence": text}


def rate_verdict(comparison: Mapping, n_base: int | None, n_candidate: int | None, *, lower_is_better: bool,
                 alpha: float = 0.05, key: str | None = None, gettext: Gettext = identity) -> dict:
    """Sentence for compare_completion_rates(candidate, base): p2 is the base, p1 the candidate; key (the
    analysis layer's verdict, e.g. a task's) wins over the one derived from recommended_p."""
    if comparison.get("p1") is None or comparison.get("p2") is None:
        key = NOT_COMPARABLE
    elif key is None:
        key = verdict(comparison.get("recommended_p"), comparison.get("difference"), alpha, lower_is_better)
    ci = comparison.get("diff_ci_agresti_caffo") or [None, None]
    values = {"base": percent(comparison.get("p2")), "candidate": percent(comparison.get("p1")),
              "low": None if ci[0] is None else points(ci[0]), "high": None if ci[1] is None else points(ci[1]),
              "n_base": n_base or 0, "n_candidate": n_candidate or 0}
    return _sentence("rate", key, values, gettext)


def mean_verdict(comparison: Mapping, n_base: int | None, n_candidate: int | None, *, alpha: float = 0.05,
                 higher_is_better: bool = True, key: str | None = None, gettext: Gettext = identity) -> dict:
    """Sentence for compare_means(candidate, base) (SUS, SEQ): mean_b is the base, mean_a the candidate."""
    if comparison.get("mean_a") is None or comparison.get("mean_b") is None:
        key = NOT_COMPARABLE
    elif key is None:
        key = verdict(comparison.get("p_two_sided"), comparison.get("difference"), alpha, not higher_is_better)
    ci = comparison.get("diff_ci") or [None, None]
    values = {"base": one_decimal(comparison.get("mean_b")), "candidate": one_decimal(comparison.get("mean_a")),
              "low": None if ci[0] is None else one_decimal(ci[0]),
              "high": None if ci[1] is None else one_decimal(ci[1]),
              "n_base": n_base or 0, "n_candidate": n_candidate or 0}
    return _sentence("score", key, values, gettext)


def time_verdict(comparison: Mapping, n_base: int | None, n_candidate: int | None, *, alpha: float = 0.05,
                 gettext: Gettext = identity) -> dict:
    """Sentence for compare_task_times(candidate, base): geometric means and the candidate/base ratio."""
    if comparison.get("geomean_a") is None or comparison.get("geomean_b") is None:
        key = NOT_COMPARABLE
    else:
        key = verdict(comparison.get("p_two_sided"), comparison["ratio_a_over_b"] - 1, alpha, True)
    ci = comparison.get("ratio_ci") or [None, None]
    values = {"base": seconds(comparison.get("geomean_b"), gettext),
              "candidate": seconds(comparison.get("geomean_a"), gettext),
              "low": None if ci[0] is None else ratio(ci[0]), "high": None if ci[1] is None else ratio(ci[1]),
              "n_base": n_base or 0, "n_candidate": n_candidate or 0}
    return _sentence("time", key, values, gettext)
