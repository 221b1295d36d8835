"""Every page reached by a resident's personal link (a token in the URL) is kept out of search engines (the
X-Robots-Tag header, the robots meta tag, robots.txt) and out of caches, whatever it answers."""
import pytest
from booking_helpers import invite, member, slot, venue_session

from civictest.services import booking, panel

PERSONAL = ("/panel/me/", "/panel/confirm/", "/panel/i/", "/panel/b/")


@pytest.fixture
def links(ctx):
    venue = venue_session()
    slot(venue)
    person = member("a@example.jp")
    invitation, token = invite(person, venue)
    return {
        "member": f"/panel/me/{panel.member_token(person)}",
        "confirm": f"/panel/confirm/{panel.confirm_token(person)}",
        "personal": f"/panel/i/{token}",
        "booking": f"/panel/b/{booking.booking_token(invitation)}",
    }


def _private(response, url: str) -> None:  # noqa: ANN001
    assert response.headers.get("X-Robots-Tag") == "noindex, nofollow", url
    assert response.headers.get("Cache-Control") == "no-store", url
    if response.mimetype == "text/html" and response.status_code != 302:
        assert '<meta name="robots" content="noindex, nofollow">' in response.get_data(as_text=True), url


def test_each_personal_link_page_says_noindex(client, links):
    for name, url in links.items():
        response = client.get(url)
        assert response.status_code == 200, (name, response.status_code)
        _private(response, url)
    member_url = links["member"]
    erase = client.post(f"{member_url}/erase", data={})  # an empty form: the page again with its error
    assert erase.status_code in (400, 422)
    _private(erase, f"{member_url}/erase")


def test_a_made_up_token_answers_noindex_too(client, ctx):
    for prefix in PERSONAL:
        url = f"{prefix}not-a-real-token"
        response = client.get(url)
        assert response.status_code in (404, 410), url
        _private(response, url)


def test_robots_txt_names_every_personal_link_and_not_the_dead_prefix(client, ctx):
    text = client.get("/robots.txt").get_data(as_text=True)
    for prefix in PERSONAL:
        assert f"Disallow: {prefix}\n" in text
    assert "/panel/member" not in text


def test_every_route_with_a_token_in_its_url_is_noindex(app):
    """A new personal-link page cannot be added without being kept out of search engines."""
    from civictest.web.headers import noindex

    tokened = [rule.rule for rule in app.url_map.iter_rules() if "<token>" in rule.rule]
    assert tokened, "the panel has personal links"
    assert [rule for rule in tokened if not noindex(rule.replace("<token>", "x"))] == []


def test_the_public_join_page_stays_indexable(client, ctx):
    response = client.get("/panel/join")
    assert response.status_code == 200 and "X-Robots-Tag" not in response.headers
