"""The API's description page (/api/v1/docs) in a real browser: axe, lang tags, no JavaScript, a phone."""
from __future__ import annotations

import pytest

from browser_support import axe, untagged_japanese

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_api_docs_page_passes_axe_without_javascript(live_server, new_page, lang):
    page = new_page(js=False, phone=True)
    response = page.goto(f"{live_server.url}/api/v1/docs?lang={lang}")
    assert response.status == 200
    assert page.get_attribute("html", "lang") == lang
    axe(page, label=f"/api/v1/docs ({lang})")
    if lang == "en":
        assert untagged_japanese(page) == []
    assert page.locator("h3 code", has_text="GET /api/v1/services/{service_id}/compare").count() == 1
