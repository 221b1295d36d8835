"""Helpers for the real-browser tests (tests/browser/): axe checks, screenshots, keyboard walking, staff login.

Import them in any browser test with `from browser_support import axe, screenshot, ...`; the fixtures that start
the app and Chromium live in tests/browser/conftest.py.
"""
from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

TESTS = Path(__file__).resolve().parent
AXE_SOURCE = TESTS / "vendor" / "axe.min.js"
SCREENSHOT_DIR = Path(os.environ.get("SCREENSHOT_DIR") or TESTS / "artifacts" / "screenshots")  # README: Development
DEMO_PASSWORD = "demo-password-2026"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
FAILING_IMPACTS = ("serious", "critical")
AXE_OPTIONS = {
    "runOnly": {"type": "tag",
                "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]},
    "resultTypes": ["violations"],
}
# Chromium must not call Google hosts from a closed network, and runs as root in CI containers.
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-quic", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]

_axe_source: str | None = None


def chromium_path() -> str | None:
    """Debian's Chromium (or CHROMIUM_PATH); Playwright's own browser downloads are never used."""
    return os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or shutil.which("chromium-browser")


def launch_chromium(playwright):  # noqa: ANN001, ANN201
    """Headless Chromium from a started Playwright (`sync_playwright().start()`), with the closed-network flags."""
    return playwright.chromium.launch(executable_path=chromium_path(), headless=True, args=CHROMIUM_ARGS)


class AxeViolations(AssertionError):
    """axe-core found serious or critical problems on a page."""


def axe(page, *, label: str | None = None, fail: bool = True) -> list[dict]:  # noqa: ANN001
    """Run axe-core on the page as it is now; fail on serious/critical violations, print the milder ones.

    Works on JavaScript-off pages too: their DOM is copied into a scripted page (scripts blocked) for the run,
    because axe needs timers that a page without JavaScript never fires.
    """
    where = label or page.url
    if scripting_enabled(page):
        violations = _run_axe(page)
    else:
        violations = _run_axe_on_copy(page)
    failing = [v for v in violations if v["impact"] in FAILING_IMPACTS]
    for violation in violations:
        if violation not in failing:
            print(f"axe ({violation['impact']}) {violation['id']} on {where}: {_targets(violation)}")
    if failing and fail:
        raise AxeViolations(format_violations(failing, where))
    return violations


def scripting_enabled(page) -> bool:  # noqa: ANN001
    """Whether the page runs JavaScript: with scripting off, <noscript> content parses as elements."""
    return page.evaluate("""() => { const d = document.createElement('div');
        d.innerHTML = '<noscript><p></p></noscript>'; return d.querySelector('noscript p') === null; }""")


def format_violations(violations: list[dict], where: str) -> str:
    """One readable line per violation: impact, rule id, help text and the first targets."""
    lines = [f"axe-core found serious/critical violations on {where}:"]
    for violation in violations:
        lines.append(f"  [{violation['impact']}] {violation['id']}: {violation['help']} -> {_targets(violation)}")
        lines.append(f"      {violation['helpUrl']}")
    return "\n".join(lines)


def _targets(violation: dict, limit: int = 5) -> str:
    targets = [" ".join(map(str, node["target"])) for node in violation["nodes"][:limit]]
    more = len(violation["nodes"]) - limit
    return ", ".join(targets) + (f" (+{more} more)" if more > 0 else "")


def _run_axe(page) -> list[dict]:  # noqa: ANN001
    global _axe_source
    _axe_source = _axe_source or AXE_SOURCE.read_text(encoding="utf-8")
    # Evaluated through the DevTools protocol, so the page's CSP (script-src 'self') does not block it.
    page.evaluate(_axe_source + "\n;0")
    return page.evaluate("async (options) => (await axe.run(document, options)).violations", AXE_OPTIONS)


def _run_axe_on_copy(page) -> list[dict]:  # noqa: ANN001
    """axe on a scripted copy of a script-less page: same URL (so its CSS loads), same DOM, scripts blocked."""
    copy, pending = _scratch_page(page.context.browser)
    pending.update(url=page.url, html=page.content())
    copy.set_viewport_size(page.viewport_size)
    copy.goto(page.url)
    return _run_axe(copy)


_scratch: dict[int, tuple] = {}


def _scratch_page(browser) -> tuple:  # noqa: ANN001
    """One reusable scripted page per browser, serving the DOM it is given instead of the server's page."""
    if id(browser) in _scratch and not _scratch[id(browser)][0].is_closed():
        return _scratch[id(browser)]
    copy, pending = browser.new_context().new_page(), {}

    def serve(route):  # noqa: ANN001, ANN202
        if route.request.resource_type == "document" and route.request.url == pending.get("url"):
            return route.fulfill(status=200, content_type="text/html; charset=utf-8", body=pending["html"])
        if route.request.resource_type == "script":
            return route.abort()
        return route.continue_()

    copy.route("**/*", serve)
    _scratch[id(browser)] = (copy, pending)
    return copy, pending


UNTAGGED_JAPANESE_JS = r"""() => {
  const japanese = /[\u3040-\u30ff\u3400-\u9fff\uff66-\uff9f]/;  // kana and kanji
  const found = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode, element = node.parentElement;
    if (!japanese.test(node.textContent) || element.closest('script, style, [hidden]')) continue;
    const lang = (element.closest('[lang]') || document.documentElement).getAttribute('lang') || '';
    if (!lang.startsWith('ja')) found.push(node.textContent.trim().slice(0, 40));
  }
  return found;
}"""


def untagged_japanese(page) -> list[str]:  # noqa: ANN001
    """Japanese text not inside a lang="ja" element: on English pages it is read out and drawn as Chinese."""
    return page.evaluate(UNTAGGED_JAPANESE_JS)


def screenshot(page, name: str, *, full_page: bool = True) -> Path:  # noqa: ANN001
    """Save a PNG of the page under tests/artifacts/screenshots/<name>.png for a person to look at."""
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOT_DIR / f"{re.sub(r'[^A-Za-z0-9_.-]+', '-', name)}.png"
    page.screenshot(path=str(path), full_page=full_page)
    return path


FOCUS_STYLE_JS = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  const style = getComputedStyle(el);
  const outline = style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2;
  const shadow = style.boxShadow && style.boxShadow !== 'none';
  const box = el.getBoundingClientRect();
  return {outline, shadow, visible: el.matches(':focus-visible'), tag: el.tagName.toLowerCase(),
          name: el.getAttribute('name') || el.id || el.textContent.trim().slice(0, 30),
          onScreen: box.right > 0 && box.bottom > 0 && box.width > 0 && box.height > 0};
}"""


def assert_focus_visible(page) -> dict:  # noqa: ANN001
    """The focused element shows a focus indicator (outline or ring) and is on screen."""
    focus = page.evaluate(FOCUS_STYLE_JS)
    assert focus is not None, f"nothing has focus on {page.url}"
    assert focus["visible"] and (focus["outline"] or focus["shadow"]), f"focus not visible: {focus} on {page.url}"
    assert focus["onScreen"], f"focused element is off screen: {focus} on {page.url}"
    return focus


def tab_to(page, selector: str, *, limit: int = 120) -> dict:  # noqa: ANN001
    """Press Tab until the focused element matches `selector`, checking the focus is visible at every stop."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        focus = assert_focus_visible(page)
        if page.evaluate("(s) => document.activeElement.matches(s)", selector):
            return focus
    raise AssertionError(f"{selector} not reached with {limit} Tab presses on {page.url}")


def staff_login(page, base_url: str, email: str, password: str = DEMO_PASSWORD) -> None:  # noqa: ANN001
    """Log in through the real login form (as a person would)."""
    page.goto(f"{base_url}/auth/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", password)
    with page.expect_navigation():
        page.click("form button[type=submit]")
    assert "/auth/login" not in page.url, f"login failed for {email}"


def outbox_message_name() -> str:
    """An .eml file in the live app's outbox (no MAIL_SERVER): one Japanese message queued and sent by the worker."""
    from flask import current_app

    from civictest import jobs, mail
    from civictest.extensions import db

    address = "resident@example.jp"
    url = mail.unsubscribe_url_for(address)
    subject, text, html = mail.render("test", "ja", when="2026-12-01 10:00", unsubscribe_url=url)
    mail.queue_mail(kind="test", dedupe_key="browser:outbox", to=address, subject=subject, text=text, html=html,
                    unsubscribe_url=url)
    db.session.commit()
    jobs.drain(current_app._get_current_object())
    from civictest.mail import status

    return status.outbox_entries()[0].name
