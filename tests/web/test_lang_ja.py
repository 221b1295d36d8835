"""Issue 14: English pages mark Japanese data (names, titles, notes, form values) with lang="ja"."""
import re
from html.parser import HTMLParser

from helpers import RESIDENT_CODE, login, make_service, make_session, make_user

from civictest.extensions import db

JAPANESE = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uff66-\uff9f]")
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


class Untagged(HTMLParser):
    """Text nodes with Japanese whose nearest lang is not ja (script, style, title and hidden ignored)."""

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[tuple[str, str | None, bool]] = []
        self.found: list[str] = []

    def handle_starttag(self, tag, attrs):  # noqa: ANN001, ANN201
        if tag not in VOID:
            values = dict(attrs)
            self.stack.append((tag, values.get("lang"), "hidden" in values))

    def handle_endtag(self, tag):  # noqa: ANN001, ANN201
        for i in range(len(self.stack) - 1, -1, -1):
            if self.stack[i][0] == tag:
                del self.stack[i:]
                break

    def handle_data(self, data):  # noqa: ANN001, ANN201
        if not JAPANESE.search(data) or any(t in ("script", "style", "title") or h for t, _, h in self.stack):
            return
        lang = next((lang for _, lang, _ in reversed(self.stack) if lang), "en")
        if not lang.startswith("ja"):
            self.found.append(data.strip()[:60])


def untagged(html: str) -> list[str]:
    parser = Untagged()
    parser.feed(html)
    return parser.found


def test_staff_pages_in_english_mark_japanese_data(client, ctx):
    service = make_service(tasks=2)  # Japanese names; English only for some fields
    service.description_ja = "認可保育園の入園申込みをオンラインで行うサービスです。"
    iteration = service.iterations[0]
    iteration.change_notes = "書類アップロード画面を作り直しました。"
    service.tasks[0].success_criteria = "申請ページを見つけることができた"
    service.tasks[0].title_en = ""
    test_session = make_session(service, invite_code=RESIDENT_CODE, mode="in_person", venue_name="区民ホール")
    db.session.commit()
    admin = make_user("admin", [service])
    make_user("service_team", [service], email="team@example.jp")
    login(client, admin)
    client.get("/?lang=en")
    pages = [f"/manage/services/{service.id}", f"/manage/services/{service.id}/edit", "/manage/services/new",
             f"/manage/tasks/{service.tasks[0].id}/edit", f"/manage/iterations/{iteration.id}",
             f"/manage/iterations/{iteration.id}/edit", "/manage/users", "/manage/users/new", "/facilitate/",
             f"/facilitate/sessions/{test_session.id}", f"/manage/sessions/{test_session.id}/edit"]
    problems = {}
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        html = response.get_data(as_text=True)
        assert '<html lang="en">' in html, url
        if found := untagged(html):
            problems[url] = found
    assert not problems, problems


class UntaggedInBody(Untagged):
    """As Untagged, but only the <body> and with SVG <title> counted: a chart's title and its bars' tooltips
    are text a browser shows and a screen reader reads (the browser tests check the same)."""

    def handle_data(self, data):  # noqa: ANN001, ANN201
        if not JAPANESE.search(data) or any(t in ("script", "style") or h for t, _, h in self.stack):
            return
        lang = next((lang for _, lang, _ in reversed(self.stack) if lang), "en")
        if not lang.startswith("ja"):
            self.found.append(data.strip()[:60])


def test_survey_results_page_in_english_marks_japanese_data(app, client):
    """Issue 16: unit and grade names, the wave labels and an item without English wording, in the charts (SVG
    text, title, desc), the tables and the sentences of /compare/surveys/waves/<id>?lang=en, carry lang="ja";
    the items with English wording are shown in English."""
    from survey_results_data import two_waves

    with app.app_context():
        survey, first, second = two_waves()
        survey.items[1].wording_en = ""  # Japanese only: shown in Japanese, marked
        db.session.commit()
        admin = make_user("admin")
        wave_id, item_ids = second.id, [survey.items[0].id, survey.items[1].id]
    login(client, admin)
    for item_id in item_ids:  # the unit and grade charts of an English item and of a Japanese-only one
        html = client.get(f"/compare/surveys/waves/{wave_id}?lang=en&item={item_id}").get_data(as_text=True)
        assert '<html lang="en">' in html
        body = html[html.index("<body"):]
        parser = UntaggedInBody()
        parser.feed(body)
        assert parser.found == [], parser.found
        assert "I have the devices I need" in body and "業務に必要な端末がそろっている" not in body
        assert '<span lang="ja">2026年度</span>' in body  # the base wave's label inside an English sentence
        assert '<text class="category-label" x="8" y="' in body and 'lang="ja">財務局</text>' in body
    # the check can fail: without the marks the same page has untagged Japanese
    parser = UntaggedInBody()
    parser.feed(body.replace(' lang="ja"', ""))
    assert parser.found
