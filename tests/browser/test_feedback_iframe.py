"""The live-service feedback form in a real browser: embedded in an iframe on another site (a parent page on
127.0.0.1 framing the app at localhost: another site, so the app's cookies are third-party cookies) in a
Chromium profile that blocks third-party cookies, checked to really block them, where a resident answers; and
axe on the form, the thanks page and the staff feedback page. Screenshots of the staff feedback trend are saved
under tests/artifacts/screenshots/feedback-*.png."""
from __future__ import annotations

import http.server
import json
import tempfile
import threading
from pathlib import Path

import pytest
from sqlalchemy import func, select

from browser_support import CHROMIUM_ARGS, DESKTOP, PHONE, axe, chromium_path, screenshot, staff_login, untagged_japanese
from civictest.extensions import db
from civictest.models import FeedbackResponse, Service

pytestmark = pytest.mark.browser
COOKIE_PROBE = "() => { document.cookie = 'probe=1; SameSite=None; Secure; path=/'; return document.cookie; }"


@pytest.fixture(scope="module")
def childcare_id(live_server) -> int:
    with live_server.app.app_context():
        service_id = db.session.scalar(select(Service.id).where(Service.name_ja == "保育園入園のオンライン申請"))
        db.session.remove()
    return service_id


def _answers(app, service_id: int) -> int:  # noqa: ANN001
    with app.app_context():
        count = db.session.scalar(select(func.count()).select_from(FeedbackResponse).where(
            FeedbackResponse.service_id == service_id))
        db.session.remove()
    return count


@pytest.fixture
def parent_site(live_server, childcare_id):
    """The service's own site: a page on http://127.0.0.1:<port> that frames the form from http://localhost:<app>."""
    app_port = live_server.url.rsplit(":", 1)[1]
    form_url = f"http://localhost:{app_port}/feedback/{childcare_id}"

    class Parent(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802
            body = (f'<!doctype html><html lang="ja"><head><meta charset="utf-8"><title>区のサービス</title></head>'
                    f'<body><main><h1>保育園の申請</h1><iframe id="feedback" src="{form_url}" title="ご意見フォーム" '
                    f'width="100%" height="900" style="border:0"></iframe><p><a href="{form_url}">ご意見フォームを開く'
                    f'</a></p></main></body></html>').encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args) -> None:  # noqa: ANN002
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Parent)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)


@pytest.fixture
def profile(browser):
    """A Chromium profile with the third-party-cookie setting given (Chrome's preference
    profile.block_third_party_cookies), as a persistent context of the session's Playwright: `profile(block=True)`."""
    contexts = []

    def open_profile(*, block: bool):  # noqa: ANN202
        directory = Path(tempfile.mkdtemp(prefix="civictest-profile-"))
        (directory / "Default").mkdir()
        prefs = {"profile": {"block_third_party_cookies": block, "cookie_controls_mode": 1 if block else 0}}
        (directory / "Default" / "Preferences").write_text(json.dumps(prefs))
        context = browser.browser_type.launch_persistent_context(
            str(directory), executable_path=chromium_path(), headless=True, args=CHROMIUM_ARGS, locale="ja-JP",
            viewport=DESKTOP, timezone_id="Asia/Tokyo")
        context.set_default_timeout(15_000)
        contexts.append(context)
        return context

    yield open_profile
    for context in contexts:
        context.close()


def _feedback_frame(page, form_path: str):  # noqa: ANN001, ANN202
    page.wait_for_selector("iframe#feedback")
    for _ in range(50):
        frame = next((f for f in page.frames if form_path in f.url), None)
        if frame is not None:
            frame.wait_for_load_state()
            return frame
        page.wait_for_timeout(100)
    raise AssertionError(f"no frame at {form_path}")


def test_resident_answers_inside_an_iframe_with_third_party_cookies_blocked(live_server, parent_site, profile,
                                                                              childcare_id):
    settings = live_server.app.config
    settings["FEEDBACK_FRAME_ANCESTORS"] = parent_site
    form_path = f"/feedback/{childcare_id}"
    try:
        # Control: with third-party cookies allowed, a cookie set inside the frame sticks, so the probe can tell.
        allowed = profile(block=False).new_page()
        allowed.goto(f"{parent_site}/service")
        assert _feedback_frame(allowed, form_path).evaluate(COOKIE_PROBE) == "probe=1"

        blocked = profile(block=True)
        page = blocked.new_page()
        page.goto(f"{parent_site}/service")
        frame = _feedback_frame(page, form_path)
        assert frame.evaluate(COOKIE_PROBE) == "", "third-party cookies must really be blocked in this profile"
        assert page.evaluate(COOKIE_PROBE) == "probe=1", "first-party cookies still work on the parent page"
        before = _answers(live_server.app, childcare_id)
        frame.get_by_label("満足", exact=True).check()
        frame.get_by_label("一部だけできた").check()
        frame.get_by_label("ご意見・ご感想（任意）").fill("書類の写真を送る画面がわかりやすかったです。電話 03-1234-5678")
        frame.get_by_role("button", name="送信する").click()
        frame.wait_for_url(f"**{form_path}/thanks*")
        assert frame.locator("h1").inner_text() == "ありがとうございました"
        assert page.url.startswith(parent_site), "the answer stays inside the frame; the parent page stays"
        assert _answers(live_server.app, childcare_id) == before + 1
        assert [c for c in blocked.cookies() if c["domain"] == "localhost" and c["name"] != "probe"] == []
        axe(page, label="service page with the feedback iframe")
    finally:
        settings["FEEDBACK_FRAME_ANCESTORS"] = ""


def test_a_site_not_allowed_cannot_frame_the_form(live_server, parent_site, profile, childcare_id):
    """Negative control: without the parent's origin in FEEDBACK_FRAME_ANCESTORS the browser refuses the frame."""
    page = profile(block=True).new_page()
    page.goto(f"{parent_site}/service")
    page.wait_for_timeout(500)
    frames = [f for f in page.frames if f is not page.main_frame]
    assert frames and all(f.locator("form").count() == 0 for f in frames)


@pytest.mark.parametrize("lang", ["ja", "en"])
@pytest.mark.parametrize("js", [True, False])
def test_form_and_thanks_pass_axe_on_a_phone_without_javascript(live_server, new_page, childcare_id, lang, js):
    page = new_page(js=js, phone=True)
    page.goto(f"{live_server.url}/feedback/{childcare_id}?lang={lang}")
    assert page.get_attribute("html", "lang") == lang
    axe(page, label=f"feedback form ({lang}, js={js})")
    if lang == "en":
        assert untagged_japanese(page) == []
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], "no sideways scrolling"
    with page.expect_navigation():
        page.locator("form button[type=submit]").click()  # nothing chosen: the message, in the page language
    assert page.locator(".error-summary").count() == 1
    axe(page, label=f"feedback form with errors ({lang}, js={js})")
    page.locator("input[name=rating][value='5']").check()
    with page.expect_navigation():
        page.locator("form button[type=submit]").click()
    assert f"/feedback/{childcare_id}/thanks" in page.url and f"lang={lang}" in page.url
    axe(page, label=f"feedback thanks ({lang}, js={js})")


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_staff_feedback_trend_passes_axe_with_screenshots(live_server, new_page, childcare_id, lang):
    for name, phone in (("1366", False), ("390", True)):
        page = new_page(phone=phone)
        if not phone:
            page.set_viewport_size({"width": 1366, "height": 768})
        staff_login(page, live_server.url, "team@example.jp")
        page.goto(f"{live_server.url}/compare/services/{childcare_id}/feedback?lang={lang}")
        assert page.locator("#chart-feedback").count() == 1
        rows = page.locator("table.feedback-table tbody tr")
        assert rows.count() == 3 and all(int(n) > 0 for n in page.locator("table.feedback-table td.n").all_inner_texts())
        axe(page, label=f"staff feedback page ({lang}, {name})")
        if lang == "en":
            assert untagged_japanese(page) == []
        screenshot(page, f"feedback-trend-{lang}-{name}", full_page=False)
        screenshot(page, f"feedback-page-{lang}-{name}")
