"""Issue 14 item 8: the dashboard and its print view speak plainly up front (a sentence per changed task), define
their rates where they are shown, keep intervals and methods behind 「詳しく」, and open with a contents list."""
from __future__ import annotations

import re

import pytest

from tests.compare.test_views import client_for


def _up_front(html: str) -> str:
    """What a reader sees without opening anything: <main> without its <details> and SVG drawings."""
    main = html.split("<main", 1)[1].split("</main>", 1)[0]
    main = re.sub(r"<svg.*?</svg>", "", main, flags=re.S)
    return re.sub(r"<details.*?</details>", "", main, flags=re.S)


@pytest.mark.parametrize("view", ["", "/print"])
def test_a_plain_sentence_per_changed_task_comes_first(app, world, view):
    html = client_for(app, world, "product_owner").get(
        f"/compare/iterations/{world['second'].id}{view}").get_data(True)
    shown = _up_front(html)
    sentence = "T1 タスク1 の不便率が 79% から 13% に下がりました（確かな差）"
    assert sentence in shown
    assert shown.index(sentence) < shown.index('class="card card-participants"')


def test_the_english_headline(app, world):
    html = client_for(app, world, "product_owner").get(
        f"/compare/iterations/{world['second'].id}?lang=en").get_data(True)
    shown = _up_front(html)
    assert re.search(r"T1 [^<:]+: the inconvenience rate went down from 79% to 13% \(a clear difference\)", shown)
    assert re.search(r"<dt>Inconvenience rate</dt><dd>the share of attempts at a task [^<]+</dd>", shown)


@pytest.mark.parametrize("view", ["", "/print"])
def test_statistics_stay_behind_details_and_the_rates_are_defined(app, world, view):
    html = client_for(app, world, "product_owner").get(
        f"/compare/iterations/{world['second'].id}{view}").get_data(True)
    shown = _up_front(html)
    for jargon in ("Holm", "信頼区間", "多重比較"):
        assert jargon not in shown, jargon
    assert "Holm 法" in html and "差の95%信頼区間" in html  # still there, one click away
    assert re.search(r"<summary>詳しく[^<]*</summary>", html)
    assert re.search(r"<dt>不便率</dt><dd>タスクの試行のうち、[^<]+</dd>", shown)
    assert re.search(r"<dt>完了率</dt><dd>タスクの試行のうち、最後までできた試行の割合。[^<]*</dd>", shown)


@pytest.mark.parametrize("view", ["", "/print"])
def test_a_contents_list_links_to_every_section(app, world, view):
    html = client_for(app, world, "product_owner").get(
        f"/compare/iterations/{world['second'].id}{view}").get_data(True)
    nav = re.search(r'<nav class="contents".*?</nav>', html, re.S)
    assert nav and html.index(nav.group(0)) < html.index('id="h-cards"')
    links = re.findall(r'<a href="#([^"]+)">', nav.group(0))
    sections = re.findall(r'<h2 id="(h-[^"]+)"', html)
    assert links and set(links) == set(sections) - {"h-contents"}
