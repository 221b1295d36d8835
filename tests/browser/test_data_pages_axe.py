"""Open-data and import pages in a real browser: axe, lang tags, phone, no JavaScript, keyboard.

The public open-data pages are not staff pages, and the import review page only exists as the answer to an
upload, so test_staff_pages_axe does not reach them. The import is only checked, never committed here: the
demo data is shared by every browser test.
"""
from __future__ import annotations

import pytest
from sqlalchemy import select

from browser_support import axe, staff_login, tab_to, untagged_japanese
from civictest.models import Iteration

pytestmark = pytest.mark.browser

CSV = ("参加者ID,タスク番号,結果,SEQ,所要時間_秒,コメント\r\n"
       "P1,1,できた,6,95,わかりやすい\r\nP1,2,たぶん,9,80,\r\nP2,7,できた,,,\r\n")


def published_iteration_id(app) -> int:  # noqa: ANN001
    with app.app_context():
        from civictest.extensions import db

        iteration_id = db.session.scalar(select(Iteration.id).where(Iteration.published.is_(True)).order_by(Iteration.id))
        db.session.remove()
    return iteration_id


@pytest.mark.parametrize("lang", ["ja", "en"])
@pytest.mark.parametrize("js", [True, False])
def test_open_data_pages_pass_axe_on_a_phone(live_server, new_page, lang, js):
    page = new_page(js=js, phone=True)
    dataset = published_iteration_id(live_server.app)
    for path in ("/open-data/", f"/open-data/{dataset}/"):
        response = page.goto(f"{live_server.url}{path}?lang={lang}")
        assert response.status == 200
        assert page.get_attribute("html", "lang") == lang
        axe(page, label=f"{path} ({lang}, js={js})")
        if lang == "en":
            assert untagged_japanese(page) == [], path
    assert page.locator("a[download]").count() == 6  # the six files (datapackage.json included)
    response = page.goto(f"{live_server.url}/accessibility?lang={lang}")  # the accessibility statement
    assert response.status == 200 and page.get_attribute("html", "lang") == lang
    axe(page, label=f"/accessibility ({lang}, js={js})")
    if lang == "en":
        assert untagged_japanese(page) == [], "/accessibility"


def test_import_upload_and_review_pages_pass_axe(live_server, new_page):
    page = new_page()
    staff_login(page, live_server.url, "team@example.jp")
    with live_server.app.app_context():
        from civictest.extensions import db
        from civictest.models import Service

        service = db.session.scalar(select(Service).order_by(Service.id))
        iteration_id = service.iterations[-1].id
        db.session.remove()
    page.goto(f"{live_server.url}/manage/iterations/{iteration_id}/import")
    axe(page, label="import upload")
    page.set_input_files("input[type=file]", files=[{"name": "回答.csv", "mimeType": "text/csv",
                                                      "buffer": CSV.encode("cp932")}])
    with page.expect_navigation():
        page.click("main form button[type=submit]")
    assert page.is_visible(".error-summary") and "Shift_JIS" in page.content()
    axe(page, label="import review with problems")
    tab_to(page, "select[name=col_participant]")  # the mapping is reachable by keyboard, focus visible
    assert page.locator("button[value=commit]").count() == 0  # problems: nothing can be committed
