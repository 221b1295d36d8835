"""Issue 17.3: the accessibility statement (ウェブアクセシビリティ方針), in both languages, linked from every footer."""
import pytest


@pytest.mark.parametrize("lang, words", [
    ("ja", ("ウェブアクセシビリティ方針", "JIS X 8341-3:2016", "適合レベル AA", "axe", "既知の問題", "お問い合わせ")),
    ("en", ("Web accessibility statement", "JIS X 8341-3:2016", "level AA", "axe in Chromium", "Known issues",
            "Contact")),
])
def test_statement_in_both_languages(client, lang, words):
    response = client.get(f"/accessibility?lang={lang}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert f'<html lang="{lang}"' in html
    assert all(word in html for word in words), [w for w in words if w not in html]


@pytest.mark.parametrize("path", ["/", "/open-data/", "/auth/login", "/no-such-page"])
def test_every_footer_links_to_it(client, path):
    html = client.get(path).get_data(as_text=True)
    footer = html[html.index('<footer'):]
    assert 'href="/accessibility"' in footer
