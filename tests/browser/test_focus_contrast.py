"""Focused controls stay readable (issue 14): dark text on the yellow focus colour and a visible outline, for
primary and secondary buttons and links alike (one :focus-visible rule in app.css)."""
from __future__ import annotations

import pytest

from browser_support import tab_to

pytestmark = pytest.mark.browser

CONTRAST_JS = """() => {
  const el = document.activeElement, style = getComputedStyle(el);
  const rgb = (s) => s.match(/[\\d.]+/g).slice(0, 3).map(Number);
  const lum = (c) => { const [r, g, b] = c.map((v) => { v /= 255;
      return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b; };
  const a = lum(rgb(style.color)), b = lum(rgb(style.backgroundColor));
  return {ratio: (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05), color: style.color,
          background: style.backgroundColor, outline: style.outlineStyle + ' ' + style.outlineWidth};
}"""


@pytest.mark.parametrize("selector", [
    "form button[type=submit]",          # primary button (white on blue until focused)
    ".lang-switch a",                    # a link
])
def test_a_keyboard_focused_control_is_readable(live_server, new_page, selector):
    page = new_page()
    page.goto(f"{live_server.url}/auth/login")
    tab_to(page, selector)
    focus = page.evaluate(CONTRAST_JS)
    assert focus["ratio"] >= 4.5, f"{selector} focused: {focus}"
    assert focus["outline"].startswith("solid") and float(focus["outline"].split()[1][:-2]) >= 2, focus


def test_a_focused_secondary_button_is_readable(live_server, new_page):
    from browser_support import staff_login
    page = new_page()
    staff_login(page, live_server.url, "team@example.jp")
    tab_to(page, "button.secondary")  # the header's logout button
    focus = page.evaluate(CONTRAST_JS)
    assert focus["ratio"] >= 4.5, f"secondary button focused: {focus}"
