"""Evaluation helpers, and the development set as a regression guard."""
from pathlib import Path

import pytest

from civictest.sentiment import Sentiment
from civictest.sentiment.evaluate import evaluate, format_report, read_jsonl

DATA = Path(__file__).resolve().parent.parent / "data"


def test_read_jsonl_and_validation(tmp_path):
    items = read_jsonl(DATA / "sentiment-tiny.jsonl")
    assert len(items) == 10 and items[0]["lang"] == "ja"
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"text": "x", "label": "great"}\n', encoding="utf-8")
    with pytest.raises(ValueError, match="unknown label"):
        read_jsonl(bad)
    bad.write_text("{not json\n", encoding="utf-8")
    with pytest.raises(ValueError, match=":1:"):
        read_jsonl(bad)


def test_metrics_with_a_stub_predictor():
    items = [
        {"text": "a", "label": "positive", "lang": "en"},
        {"text": "b", "label": "positive", "lang": "en"},
        {"text": "c", "label": "negative", "lang": "en"},
        {"text": "d", "label": "neutral", "lang": "en"},
    ]
    predicted = {"a": "positive", "b": "neutral", "c": "negative", "d": "neutral"}
    result = evaluate(items, predict=lambda t: Sentiment(predicted[t], 0.0, "en", "stub@1"))
    en = result["languages"]["en"]
    assert en["n"] == 4 and en["accuracy"] == 0.75
    # F1: positive 2/3, neutral 2/3, negative 1 -> macro 7/9
    assert en["macro_f1"] == pytest.approx(7 / 9)
    assert en["confusion"]["positive"] == {"positive": 1, "neutral": 1, "negative": 0}
    assert en["confusion"]["neutral"]["neutral"] == 1
    assert result["overall"]["n"] == 4
    assert len(result["errors"]) == 1 and result["errors"][0]["text"] == "b"


def test_evaluate_tiny_set_with_the_real_analyzer():
    result = evaluate(read_jsonl(DATA / "sentiment-tiny.jsonl"))
    langs = result["languages"]
    assert {k: v["n"] for k, v in langs.items()} == {"ja": 4, "en": 3, "und": 2, "other": 1}
    assert langs["ja"]["accuracy"] == 1.0 and langs["en"]["accuracy"] == 1.0
    assert langs["und"]["confusion"]["unscored"]["unscored"] == 1
    assert result["routing"] == {"correct": 10, "n": 10}
    report = format_report(result, show_errors=5)
    assert "macro-F1" in report and "confusion matrix [ja]" in report


def test_dev_set_regression_guard():
    items = read_jsonl(DATA / "sentiment-dev.jsonl")
    assert len(items) >= 150
    result = evaluate(items)
    for lang in ("ja", "en"):
        assert result["languages"][lang]["n"] >= 100
        assert result["languages"][lang]["macro_f1"] >= 0.70, format_report(result)
    assert result["routing"]["correct"] == result["routing"]["n"]
