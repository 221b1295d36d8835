"""Normalisation and script routing."""
import pytest

from civictest.sentiment.language import detect, latin_spans
from civictest.sentiment.normalize import MAX_CHARS, clean, normalize, strip_urls, truncate


def test_clean_nfkc_html_whitespace():
    assert clean("<p>とても<b>使いやすい</b>です</p>") == "とても使いやすいです"
    assert clean("ＧＯＯＤ！") == "GOOD!"
    assert clean("ｴﾗｰ") == "エラー"
    assert clean("  a \t\t b  ") == "a b"
    assert clean("a\n\n  b") == "a\nb"
    assert clean("<script>alert(1)</script><div>ok &amp; fine</div>") == "ok & fine"
    assert clean("<!-- note -->text") == "text"


@pytest.mark.parametrize("raw", [None, "", "   ", "\x00\x00", "\ud800", "&#xd800;", "&#0;", b"\xff\xfe".decode("latin-1")])
def test_clean_is_total(raw):
    out = clean(raw)
    assert isinstance(out, str)
    out.encode("utf-8")  # no lone surrogates left


def test_clean_removes_nul_and_surrogates_inside_text():
    assert clean("申請\x00できません") == "申請できません"
    assert clean("完了\ud800しました") == "完了しました"


def test_urls_and_truncation():
    assert strip_urls("see https://city.example.jp/a?b=1 now") == "see now"
    assert strip_urls("mail me: taro@example.jp") == "mail me:"
    long = "あ" * 5000 + "終"
    cut = truncate(long)
    assert len(cut) <= MAX_CHARS + 1 and cut.endswith("終")
    assert len(normalize("x" * 10_000)) <= MAX_CHARS + 1


@pytest.mark.parametrize(
    "text, lang, mixed",
    [
        ("ログインできません", "ja", False),
        ("大変便利", "ja", False),  # Han only -> ja
        ("The form was easy", "en", False),
        ("GOOD!", "en", False),
        ("Login画面でerrorが出ます", "ja", True),
        ("신청이 편리했어요", "other", False),
        ("Очень удобно", "other", False),
        ("👍👍", "und", False),
        ("★★★★★", "und", False),
        ("", "und", False),
        ("???", "und", False),
        ("x", "und", False),
    ],
)
def test_routing(text, lang, mixed):
    route = detect(clean(text))
    assert route.lang == lang
    assert route.mixed is mixed


def test_latin_spans():
    assert latin_spans("フォームはOKでしたが、payment pageでtime outしました") == ["OK", "payment page", "time out"]
    assert latin_spans("ログインできません") == []
