"""The comments inbox: what each comment shows, filters, Japanese search, paging, and what never shows."""
import re

from helpers import login

from civictest.extensions import db
from civictest.models import Participant, Tag
from civictest.reporting.review import like_pattern

SHOWN = re.compile(r'name="comment_ids" value="(\d+)"')


def _shown(client, world, **args) -> list[int]:  # noqa: ANN001
    query = "&".join(f"{k}={v}" for k, v in {"iteration": world.first.id, **args}.items())
    response = client.get(f"/review/services/{world.service.id}/comments?{query}")
    assert response.status_code == 200
    return [int(i) for i in SHOWN.findall(response.get_data(as_text=True))]


def test_each_comment_shows_its_task_outcome_seq_source_sentiment_language_and_marks(client, world, add_comment):
    comment = add_comment(world.first, "電話番号[伏せ字]に連絡してほしい", outcome="abandoned", seq=2,
                          redactions="phone")
    comment.tags.append(Tag(service_id=world.service.id, name="連絡"))
    db.session.commit()
    login(client, world.team)
    html = client.get(f"/review/services/{world.service.id}/comments?iteration={world.first.id}&language=en").get_data(as_text=True)
    assert "電話番号" not in html and '<html lang="ja">' in html
    client.get("/?lang=en")
    html = client.get(f"/review/services/{world.service.id}/comments?iteration={world.first.id}").get_data(as_text=True)
    assert '<html lang="en">' in html
    assert '<blockquote class="comment-text" lang="ja">電話番号[伏せ字]に連絡してほしい</blockquote>' in html
    for text in ("Task 1", "I gave up", "<dd>2</dd>", "Negative", "Japanese", "連絡"):
        assert text in html, text
    client.get("/?lang=ja")
    html = client.get(f"/review/services/{world.service.id}/comments?iteration={world.first.id}").get_data(as_text=True)
    assert "伏せ字あり" in html and "本人" in html and "あきらめた" in html


def test_filters_by_task_outcome_sentiment_tag_language_and_source(client, world, add_comment):
    a = add_comment(world.first, "ボタンが見つからない", task=0, outcome="failure", sentiment="negative")
    b = add_comment(world.first, "とても分かりやすい", task=1, outcome="success", sentiment="positive")
    c = add_comment(world.first, "The upload button is hidden", task=1, outcome="partial", lang="en",
                    sentiment="negative")
    d = add_comment(world.first, "ずっと迷っていた", task=2, kind="observer", sentiment="neutral")
    e = add_comment(world.first, "全体として使いやすい", task=None, sentiment="positive")
    tag = Tag(service_id=world.service.id, name="ボタン")
    a.tags.append(tag)
    c.tags.append(tag)
    db.session.commit()
    login(client, world.team)
    tasks = world.first.study.tasks
    assert sorted(_shown(client, world)) == sorted([a.id, b.id, c.id, d.id, e.id])
    assert sorted(_shown(client, world, task=tasks[1].id)) == sorted([b.id, c.id])
    assert _shown(client, world, task="overall") == [e.id]
    assert _shown(client, world, outcome="partial") == [c.id]
    assert sorted(_shown(client, world, sentiment="positive")) == sorted([b.id, e.id])
    assert sorted(_shown(client, world, tag=tag.id)) == sorted([a.id, c.id])
    assert _shown(client, world, language="en") == [c.id]
    assert _shown(client, world, source="observer") == [d.id]
    assert d.id not in _shown(client, world, source="self")
    assert sorted(_shown(client, world, sentiment="negative", language="ja")) == [a.id]
    assert sorted(_shown(client, world, outcome="bogus")) == sorted([a.id, b.id, c.id, d.id, e.id])


def test_japanese_search_and_literal_wildcards(client, world, add_comment):
    a = add_comment(world.first, "アップロードのボタンが見つからない")
    b = add_comment(world.first, "写真のアップロードに失敗した")
    c = add_comment(world.first, "進捗は100%です")
    d = add_comment(world.first, "file_name が長すぎる", lang="en")
    e = add_comment(world.first, "Upload failed", lang="en")
    login(client, world.team)
    assert sorted(_shown(client, world, q="アップロード")) == sorted([a.id, b.id])
    assert _shown(client, world, q="%E3%83%9C%E3%82%BF%E3%83%B3") == [a.id]  # ボタン, URL-encoded as a browser sends it
    assert _shown(client, world, q="100%25") == [c.id]  # a literal %, not "anything"
    assert _shown(client, world, q="%25") == [c.id]
    assert _shown(client, world, q="_") == [d.id]
    assert _shown(client, world, q="upload") == [e.id]  # case-insensitive for Latin letters
    assert _shown(client, world, q="存在しない語") == []


def test_like_pattern_escapes_wildcards():
    assert like_pattern("50%_a\\b") == "%50\\%\\_a\\\\b%"


def test_paging_shows_fifty_per_page_with_links(client, world, add_comment):
    ids = [add_comment(world.first, f"コメント{i}").id for i in range(120)]
    login(client, world.team)
    url = f"/review/services/{world.service.id}/comments?iteration={world.first.id}&q=%E3%82%B3%E3%83%A1"
    html = client.get(url).get_data(as_text=True)
    first_page = [int(i) for i in SHOWN.findall(html)]
    assert len(first_page) == 50 and first_page[0] == ids[-1]
    assert "ご意見 120件" in html and 'aria-current="page"' in html
    assert f"iteration={world.first.id}" in html and "page=3" in html and "q=%E3%82%B3%E3%83%A1" in html
    third = [int(i) for i in SHOWN.findall(client.get(url + "&page=3").get_data(as_text=True))]
    second = [int(i) for i in SHOWN.findall(client.get(url + "&page=2").get_data(as_text=True))]
    assert len(second) == 50 and len(third) == 20
    assert sorted(first_page + second + third) == sorted(ids)
    assert [int(i) for i in SHOWN.findall(client.get(url + "&page=99").get_data(as_text=True))] == third


def test_excluded_sessions_and_withdrawn_participants_never_show(client, world, add_comment, session_of):
    kept = add_comment(world.first, "残るご意見")
    excluded = session_of(world.first, excluded=True)
    add_comment(world.first, "除外された回のご意見", session=excluded)
    gone = add_comment(world.first, "取り下げた人のご意見")
    db.session.get(Participant, gone.participant_id).withdrawn = True
    db.session.commit()
    login(client, world.team)
    html = client.get(f"/review/services/{world.service.id}/comments?iteration={world.first.id}").get_data(as_text=True)
    assert [int(i) for i in SHOWN.findall(html)] == [kept.id]
    assert "除外された回" not in html and "取り下げた人" not in html
    index = client.get("/review/").get_data(as_text=True)
    assert re.search(r'<td class="num">1</td>', index)


def test_the_inbox_shows_the_chosen_iteration_only(client, world, add_comment):
    old = add_comment(world.first, "第1版のご意見")
    new = add_comment(world.second, "第2版のご意見")
    login(client, world.team)
    assert _shown(client, world) == [old.id]
    html = client.get(f"/review/services/{world.service.id}/comments").get_data(as_text=True)
    assert [int(i) for i in SHOWN.findall(html)] == [new.id], "the newest iteration by default"


def test_japanese_search_finds_spellings_widths_and_inflections(client, world, add_comment):
    """Issue 14: kana and kanji spellings, full and half width, and inflected forms find each other."""
    hard = add_comment(world.first, "申請画面が分かりにくく、迷いました。")
    past = add_comment(world.first, "入力欄の説明が分かりにくかった")
    button = add_comment(world.first, "送信ボタンが見つからなかった")
    other = add_comment(world.first, "とても使いやすかったです")
    login(client, world.team)
    for query in ("わかりにくい", "分かりにくい", "ワカリニクイ", "ﾜｶﾘﾆｸｲ", "わかりにくく", "分かりにく"):
        assert sorted(_shown(client, world, q=query)) == sorted([hard.id, past.id]), query
    assert _shown(client, world, q="わかりにくかった") == [past.id]  # the past tense, as asked
    for query in ("ﾎﾞﾀﾝ", "ボタン", "ぼたん", "ボタン"):
        assert _shown(client, world, q=query) == [button.id], query
    assert _shown(client, world, q="見つからない") == [button.id]  # another inflection of 見つかる
    assert _shown(client, world, q="使いやすい") == [other.id]
    assert _shown(client, world, q="わかりやすい") == []
