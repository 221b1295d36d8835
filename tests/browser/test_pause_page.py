"""Stop and resume (issue 14): the receipt code on the first task page and a 「中断する」 page, in a real browser
(axe, phone, JavaScript off)."""
from __future__ import annotations

import pytest

from browser_support import axe, screenshot
from civictest.services.demo import DEMO_INVITE_CODE

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_receipt_code_from_the_first_task_and_the_pause_page(live_server, new_page, lang):
    page = new_page(js=False, phone=True)
    page.goto(f"{live_server.url}/join/{DEMO_INVITE_CODE}/consent?lang={lang}")
    page.check("#agree")
    with page.expect_navigation():
        page.click("main form button[type=submit]")
    with page.expect_navigation():
        page.click("main form button[type=submit]")  # the profile: every question is optional
    assert page.url.endswith("/participate/tasks/1")
    code = page.inner_text("#receipt-code").strip()
    assert len(code) == 11 and code[5] == "-"
    axe(page, label=f"task 1 with the receipt code ({lang})")
    screenshot(page, f"resident-task1-receipt-{lang}-phone")
    with page.expect_navigation():
        page.click("main a[href$='/participate/pause']")
    assert page.inner_text("#receipt-code").strip() == code
    assert page.locator("main a[href$='/resume']").count() == 1
    axe(page, label=f"pause page ({lang})")
    screenshot(page, f"resident-pause-{lang}-phone")
