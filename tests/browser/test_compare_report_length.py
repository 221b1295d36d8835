"""Issue 14 item 8 in a real browser: how long the printed report of one iteration is on A4 (Chromium's own
print-to-PDF, pages counted in the PDF), and screenshots of the dashboard, the map and the print view at
1366x768 and 390 px wide, in Japanese and English, for a person to look at."""
from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from sqlalchemy import select

from browser_support import axe, staff_login
from civictest.extensions import db
from civictest.models import Iteration, Service

pytestmark = pytest.mark.browser
OWNER = "owner@example.jp"
SCREENS = Path(os.environ.get("CIVICTEST_SCREENS", "/tmp/civictest-screens"))
PRINT_PAGES_BEFORE = 12  # issue 14: measured the same way on main before the change (ja and en)
PRINT_PAGES_TARGET = 4


@pytest.fixture(scope="module")
def childcare(live_server) -> dict:
    with live_server.app.app_context():
        service = db.session.scalar(select(Service).where(Service.name_ja == "保育園入園のオンライン申請"))
        ids = {i.number: i.id for i in db.session.scalars(select(Iteration).where(Iteration.service_id == service.id))}
        db.session.remove()
    return {"base": ids[2], "current": ids[3]}


def pdf_pages(data: bytes) -> int:
    """Pages of a PDF: pypdf when installed, else the page objects (/Type /Page, not /Pages)."""
    try:
        from io import BytesIO

        from pypdf import PdfReader
    except ImportError:
        return len(re.findall(rb"/Type\s*/Page(?![A-Za-z])", data))
    return len(PdfReader(BytesIO(data)).pages)


def test_the_printed_report_of_one_iteration_fits_a4_pages(live_server, new_page, childcare):
    page = new_page()
    staff_login(page, live_server.url, OWNER)
    counts = {}
    for lang in ("ja", "en"):
        page.goto(f"{live_server.url}/compare/iterations/{childcare['current']}/print?lang={lang}")
        counts[lang] = pdf_pages(page.pdf(format="A4", print_background=True, prefer_css_page_size=True))
    print(f"\nA4 pages of the printed report (iteration 3 vs 2): {counts}")
    page.emulate_media(media="print")
    page.set_viewport_size({"width": 718, "height": 1000})  # A4 less the margins, at 96 dpi
    heights = page.evaluate("""() => [...document.querySelectorAll('main > *')].map(
        el => [el.id || el.getAttribute('aria-labelledby') || el.className || el.tagName,
               Math.round(el.getBoundingClientRect().height)])""")
    print("heights in print (px, 1 A4 page of content is about 1000):", heights)
    SCREENS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENS / "print-media-en.png"), full_page=True)
    assert max(counts.values()) <= PRINT_PAGES_TARGET, counts


@pytest.mark.parametrize("lang", ["ja", "en"])
@pytest.mark.parametrize("size", [{"width": 1366, "height": 768}, {"width": 390, "height": 844}],
                         ids=["1366", "390"])
def test_screenshots_of_the_report_pages(live_server, new_page, childcare, lang, size):
    phone = size["width"] < 600
    page = new_page(phone=phone)
    page.set_viewport_size(size)
    staff_login(page, live_server.url, OWNER)
    SCREENS.mkdir(parents=True, exist_ok=True)
    current = childcare["current"]
    for name, path in (("dashboard", f"/compare/iterations/{current}"),
                       ("map", f"/compare/iterations/{current}/map?metric=participants"),
                       ("print", f"/compare/iterations/{current}/print")):
        page.goto(f"{live_server.url}{path}{'&' if '?' in path else '?'}lang={lang}")
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= size["width"] + 1, f"{name} scrolls sideways at {size['width']}px ({width}px)"
        target = SCREENS / f"{name}-{lang}-{size['width']}.png"
        page.screenshot(path=str(target), full_page=True)
        print(f"\nscreenshot: {target}")
        if name != "print" or not phone:
            axe(page, label=f"{name} ({lang}, {size['width']}px)")
