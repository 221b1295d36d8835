"""The browser harness itself must be able to fail: axe reports a broken page, with JavaScript on and off."""
import pytest

from browser_support import AxeViolations, axe, scripting_enabled, untagged_japanese

pytestmark = pytest.mark.browser

BROKEN = """<!doctype html><html><head><title>broken</title></head><body>
<main><p style="color:#ccc">薄い文字</p><img src="/x.png"><input type="text"></main></body></html>"""


@pytest.mark.parametrize("js", [True, False], ids=["js", "nojs"])
def test_axe_reports_serious_and_critical_violations(live_server, new_page, js):
    page = new_page(js=js)
    page.route(f"{live_server.url}/broken", lambda route: route.fulfill(
        status=200, content_type="text/html; charset=utf-8", body=BROKEN))
    page.goto(f"{live_server.url}/broken")
    assert scripting_enabled(page) is js
    with pytest.raises(AxeViolations) as failure:
        axe(page)
    message = str(failure.value)
    for rule in ("[serious] html-has-lang", "[critical] image-alt", "[critical] label", "[serious] color-contrast"):
        assert rule in message, message
    assert "-> img" in message  # the message says where to look
    assert untagged_japanese(page) == ["薄い文字"]
