"""Themes: key phrases with counts, negative share and examples."""
from civictest.sentiment import Comment, themes

COMMENTS = [
    ("確認メールが届きません。", "negative"),
    ("確認メールがすぐ届いて安心しました。", "positive"),
    ("確認メールの件名に申請番号を入れてください。", "neutral"),
    ("ログイン画面でエラーになります。", "negative"),
    ("ログイン画面が分かりにくいです。", "negative"),
    ("The confirmation email never arrived.", "negative"),
    ("The confirmation emails arrived quickly.", "positive"),
    ("The upload button does not work.", "negative"),
]


def by_phrase(rows):
    return {(r["phrase"], r["lang"]): r for r in rows}


def test_themes_counts_shares_examples():
    rows = themes(COMMENTS, min_count=2)
    got = by_phrase(rows)
    mail = got[("確認メール", "ja")]
    assert mail["count"] == 3
    assert mail["negative_share"] == round(1 / 3, 3)
    assert mail["examples"] == ["確認メールが届きません。", "確認メールがすぐ届いて安心しました。"]
    login = got[("ログイン画面", "ja")]
    assert (login["count"], login["negative_share"]) == (2, 1.0)
    email = got[("confirmation email", "en")]  # plural folded into the singular
    assert (email["count"], email["negative_share"]) == (2, 0.5)
    assert ("upload button", "en") not in got  # below min_count
    counts = [r["count"] for r in rows]
    assert counts == sorted(counts, reverse=True)
    assert rows[0]["phrase"] == "確認メール"
    assert set(rows[0]) == {"phrase", "lang", "count", "negative_share", "examples", "also"}


def test_themes_stop_words_and_limits():
    rows = themes(COMMENTS, min_count=1, limit=0)
    phrases = {r["phrase"] for r in rows}
    assert "upload button" in phrases
    assert not phrases & {"こと", "ため", "の", "thing", "time"}
    assert not any(p in {"分かりにくい", "安心", "すぐ"} for p in phrases)  # evaluations are not themes
    assert len(themes(COMMENTS, min_count=1, limit=2)) == 2


def test_themes_input_forms_and_missing_labels():
    rows = themes([Comment("ログイン画面でエラー"), {"text": "ログイン画面が固まる", "label": None},
                   "ログイン画面が開かない", None, "", ("<b>ログイン画面</b>は見やすい", "positive")], min_count=1)
    login = by_phrase(rows)[("ログイン画面", "ja")]
    assert login["count"] == 4
    assert login["negative_share"] == 0.75  # labels computed with analyze()
    assert login["examples"][0] == "ログイン画面でエラー"


def test_themes_example_length():
    long = "申請画面" + "。" * 1000
    rows = themes([(long, "neutral"), (long + "x", "neutral")], min_count=1)
    assert all(len(e) <= 300 for r in rows for e in r["examples"])


def test_phrases_of_the_same_comments_are_one_row_not_two():
    """Issue 14: 準備/書類 and スマホ/写真 were two rows each for the very same comments."""
    comments = [("書類の準備に時間がかかりました。", "negative"), ("書類の準備が大変でした。", "negative"),
                ("スマホで写真を撮って送れました。", "positive"), ("スマホの写真がアップロードできない。", "negative"),
                ("スマホだと文字が小さい。", "negative")]
    rows = themes(comments, min_count=2, limit=0)
    shown = [(r["phrase"], r["also"]) for r in rows]
    assert ("スマホ", ["写真"]) in shown, shown
    assert any(set([r["phrase"]] + r["also"]) == {"書類", "準備"} for r in rows), shown
    assert [p for p, _ in shown].count("写真") == 0 and "スマ" not in [p for p, _ in shown]


def test_a_couple_of_minutes_is_not_a_theme():
    rows = themes([("Easy to use, it only took a couple of minutes.", "positive")] * 3, min_count=2, limit=0)
    assert not {"couple", "easy"} & {r["phrase"] for r in rows}
