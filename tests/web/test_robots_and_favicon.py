"""Issue 14: a favicon served from our own files, robots.txt, and noindex on staff and resident-only pages."""
from helpers import login, make_user


def test_favicon_is_ours_and_linked_from_every_page(client, ctx):
    html = client.get("/").get_data(as_text=True)
    assert '<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">' in html
    for url in ("/static/favicon.svg", "/favicon.ico"):
        response = client.get(url)
        assert response.status_code == 200 and response.mimetype == "image/svg+xml" and b"<svg" in response.data
        response.close()


def test_robots_txt_keeps_staff_and_resident_pages_out_of_search(client, ctx):
    response = client.get("/robots.txt")
    text = response.get_data(as_text=True)
    assert response.mimetype == "text/plain" and text.startswith("User-agent: *")
    for prefix in ("/manage", "/review", "/compare", "/facilitate", "/auth", "/participate", "/withdraw"):
        assert f"Disallow: {prefix}" in text
    assert "Disallow: /open-data" not in text and "Disallow: /\n" not in text


def test_staff_pages_say_noindex_and_public_pages_do_not(client, ctx):
    login(client, make_user("admin"))
    staff = client.get("/manage/")
    assert staff.headers["X-Robots-Tag"] == "noindex, nofollow"
    assert '<meta name="robots" content="noindex, nofollow">' in staff.get_data(as_text=True)
    assert "noindex" in client.get("/auth/login").headers.get("X-Robots-Tag", "")
    for url in ("/", "/open-data/", "/fixes", "/accessibility"):
        response = client.get(url, follow_redirects=True)
        assert "X-Robots-Tag" not in response.headers and 'name="robots"' not in response.get_data(as_text=True), url
