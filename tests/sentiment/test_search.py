"""The inbox's search text (issue 14): both sides folded the same way, base forms and readings in hiragana."""
from civictest.sentiment.search import fold, needles, search_text


def test_fold_width_case_and_katakana():
    assert fold("ﾎﾞﾀﾝ") == fold("ボタン") == fold("ぼたん") == "ぼたん"
    assert fold("ＵＰＬＯＡＤ  Failed") == "upload failed"


def _found(query: str, comment: str) -> bool:
    text = search_text(comment)
    return any(needle in text for needle in needles(query))


def test_spellings_and_inflections_meet():
    assert _found("わかりにくい", "分かりにくかった")
    assert _found("分かりにくい", "わかりにくくて困った")
    assert _found("ﾎﾞﾀﾝ", "送信ボタンが見つからない")
    assert _found("見つからない", "ボタンが見つからなかった")
    assert not _found("わかりやすい", "分かりにくかった")


def test_words_match_whole_words_only():
    text = search_text("写真のアップロードに失敗した")
    assert text.split("\n")[1] == " 写真 の あっぷ ろーど に 失敗 する た "
    assert text.split("\n")[2] == " しゃしん の あっぷ ろーど に しっぱい する た "
