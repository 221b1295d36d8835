"""Evaluation of the analyzer on a labelled JSONL file (pure: no flask, no database).

Lines: ``{"text": ..., "label": "positive|neutral|negative|unscored", "lang": "ja|en|und|other"}``
(other keys are ignored). Metrics are computed per gold language: n, accuracy, macro-F1 over the
labels that occur in the gold or predicted labels of that language (scikit-learn's convention),
and a confusion matrix ``{gold: {predicted: count}}``.
"""
from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Callable, Iterable, Mapping

from .core import LABELS, Sentiment, analyze

ORDER = ("positive", "neutral", "negative", "unscored")


def read_jsonl(path: str | Path) -> list[dict]:
    """Read labelled items; blank lines and lines starting with '#' are skipped."""
    items = []
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            try:
                item = json.loads(line)
            except json.JSONDecodeError as exc:
                raise ValueError(f"{path}:{n}: invalid JSON ({exc.msg})") from exc
            if not isinstance(item, dict) or "text" not in item or "label" not in item:
                raise ValueError(f"{path}:{n}: expected an object with 'text' and 'label'")
            if item["label"] not in LABELS:
                raise ValueError(f"{path}:{n}: unknown label {item['label']!r}")
            items.append(item)
    return items


def _f1_table(gold: list[str], pred: list[str]) -> tuple[float, dict[str, dict[str, float]]]:
    labels = [lab for lab in ORDER if lab in set(gold) | set(pred)]
    pairs = Counter(zip(gold, pred))
    per_label = {}
    for lab in labels:
        tp = pairs[(lab, lab)]
        fp = sum(c for (g, p), c in pairs.items() if p == lab and g != lab)
        fn = sum(c for (g, p), c in pairs.items() if g == lab and p != lab)
        precision = tp / (tp + fp) if tp + fp else 0.0
        recall = tp / (tp + fn) if tp + fn else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        per_label[lab] = {"precision": precision, "recall": recall, "f1": f1, "support": sum(1 for g in gold if g == lab)}
    macro = sum(v["f1"] for v in per_label.values()) / len(per_label) if per_label else 0.0
    return macro, per_label


def _macro_f1(gold: list[str], pred: list[str]) -> float:
    try:  # scikit-learn is not a dependency; use it when it happens to be installed
        from sklearn.metrics import f1_score
    except ImportError:
        return _f1_table(gold, pred)[0]
    return float(f1_score(gold, pred, average="macro", zero_division=0))


def _metrics(gold: list[str], pred: list[str]) -> dict:
    n = len(gold)
    confusion: dict[str, dict[str, int]] = {}
    for g in ORDER:
        if g in gold or g in pred:
            confusion[g] = {p: 0 for p in ORDER if p in gold or p in pred}
    for g, p in zip(gold, pred):
        confusion[g][p] += 1
    _, per_label = _f1_table(gold, pred)
    return {
        "n": n,
        "accuracy": sum(g == p for g, p in zip(gold, pred)) / n if n else 0.0,
        "macro_f1": _macro_f1(gold, pred) if n else 0.0,
        "per_label": per_label,
        "confusion": confusion,
    }


def evaluate(items: Iterable[Mapping], predict: Callable[[str | None], Sentiment] = analyze) -> dict:
    """Score every item and compute metrics per gold language and overall.

    Returns ``{"languages": {lang: metrics}, "overall": metrics, "routing": {"correct", "n"},
    "errors": [{"text", "lang", "gold", "predicted", "score"}]}``.
    """
    by_lang: dict[str, tuple[list[str], list[str]]] = {}
    all_gold: list[str] = []
    all_pred: list[str] = []
    errors = []
    routed = routed_ok = 0
    for item in items:
        result = predict(item.get("text"))
        gold = item["label"]
        lang = item.get("lang") or result.lang
        g, p = by_lang.setdefault(lang, ([], []))
        g.append(gold)
        p.append(result.label)
        all_gold.append(gold)
        all_pred.append(result.label)
        if item.get("lang"):
            routed += 1
            routed_ok += item["lang"] == result.lang
        if gold != result.label:
            errors.append({"text": item.get("text"), "lang": lang, "gold": gold,
                           "predicted": result.label, "score": result.score})
    langs = {lang: _metrics(g, p) for lang, (g, p) in sorted(by_lang.items(), key=lambda kv: ("ja", "en", "und", "other").index(kv[0]) if kv[0] in ("ja", "en", "und", "other") else 9)}
    return {
        "languages": langs,
        "overall": _metrics(all_gold, all_pred),
        "routing": {"correct": routed_ok, "n": routed},
        "errors": errors,
    }


def format_report(result: Mapping, show_errors: int = 0) -> str:
    """Plain-text report of ``evaluate``'s result."""
    lines = []
    rows = list(result["languages"].items()) + [("overall", result["overall"])]
    lines.append(f"{'lang':<8} {'n':>5} {'accuracy':>9} {'macro-F1':>9}")
    for lang, m in rows:
        lines.append(f"{lang:<8} {m['n']:>5} {m['accuracy']:>9.3f} {m['macro_f1']:>9.3f}")
    routing = result.get("routing") or {}
    if routing.get("n"):
        lines.append(f"routing: {routing['correct']}/{routing['n']} languages detected as labelled")
    for lang, m in result["languages"].items():
        conf = m["confusion"]
        cols = list(next(iter(conf.values())).keys()) if conf else []
        lines.append("")
        lines.append(f"confusion matrix [{lang}] (rows gold, columns predicted)")
        lines.append(" " * 10 + "".join(f"{c[:8]:>9}" for c in cols))
        for g, row in conf.items():
            lines.append(f"{g[:9]:<10}" + "".join(f"{row[c]:>9}" for c in cols))
    if show_errors:
        lines.append("")
        lines.append(f"errors (first {show_errors} of {len(result['errors'])}):")
        for e in result["errors"][:show_errors]:
            text = (e["text"] or "").replace("\n", " ")
            if len(text) > 80:
                text = text[:77] + "..."
            lines.append(f"  [{e['lang']}] gold={e['gold']} predicted={e['predicted']} score={e['score']}  {text}")
    return "\n".join(lines)
