"""Service and task URLs: http and https only in the forms; a stored URL of another scheme is shown as text."""
import pytest
from helpers import RESIDENT_CODE, join_and_consent, login, make_service, make_session, make_user, post_form, submit
from sqlalchemy import text

from civictest.extensions import db
from civictest.models import Service, Task
from civictest.web.urls import is_web_url

BAD_URLS = ["javascript:alert(document.cookie)", "JavaScript:alert(1)", " javascript:alert(1)",
            "data:text/html,<script>alert(1)</script>", "vbscript:msgbox(1)", "ftp://example.jp/",
            "javascript://example.jp/%0Aalert(1)", "http://", "https:///path-only", "//example.jp/no-scheme"]


@pytest.mark.parametrize("url", BAD_URLS)
def test_other_schemes_are_not_web_urls(url):
    assert not is_web_url(url)


@pytest.mark.parametrize("url", ["https://example.city.lg.jp/hoiku", "http://intranet:8080/a?b=c", "HTTPS://例え.jp/"])
def test_http_and_https_are_web_urls(url):
    assert is_web_url(url)


def test_the_service_and_task_forms_refuse_other_schemes(client, ctx):
    service = make_service()
    login(client, make_user("admin"))
    for url in BAD_URLS[:5]:
        response = post_form(client, f"/manage/services/{service.id}/edit", {
            "department_id": service.department_id, "name_ja": "改名", "url": url})
        assert response.status_code == 400, url
        assert "http:// または https:// で始まるURLを入力してください" in response.get_data(as_text=True)
        response = post_form(client, f"/manage/services/{service.id}/tasks/new", {
            "title_ja": "新しいタスク", "instructions_ja": "説明", "start_url": url})
        assert response.status_code == 400, url
    assert db.session.get(Service, service.id).name_ja != "改名"
    assert db.session.query(Task).filter_by(service_id=service.id).count() == 3

    client.get("/?lang=en")
    response = post_form(client, f"/manage/services/{service.id}/tasks/new", {
        "title_ja": "新しいタスク", "instructions_ja": "説明", "start_url": "javascript:alert(1)"})
    assert response.status_code == 400
    assert "Enter a URL that starts with http:// or https://" in response.get_data(as_text=True)


def test_the_forms_keep_http_and_https_urls(client, ctx):
    service = make_service()
    login(client, make_user("admin"))
    response = post_form(client, f"/manage/services/{service.id}/edit", {
        "department_id": service.department_id, "name_ja": service.name_ja, "url": " https://example.city.lg.jp/a "})
    assert response.status_code == 302
    assert db.session.get(Service, service.id).url == "https://example.city.lg.jp/a"


def test_a_stored_javascript_url_is_shown_as_text_not_as_a_link(client, ctx):
    service = make_service(tasks=1)
    make_session(service, invite_code=RESIDENT_CODE)
    bad = "javascript:alert(document.cookie)"
    # Legacy rows, written before the forms checked the scheme.
    db.session.execute(text("UPDATE service SET url = :u"), {"u": bad})
    db.session.execute(text("UPDATE task SET start_url = :u"), {"u": bad})
    db.session.commit()

    login(client, make_user("admin"))
    page = client.get(f"/manage/services/{service.id}").get_data(as_text=True)
    assert bad in page and 'href="javascript:' not in page

    resident = client.application.test_client()
    join_and_consent(resident)
    submit(resident, "/participate/profile", {})
    page = resident.get("/participate/tasks/1").get_data(as_text=True)
    assert "開始URL" in page and bad in page and 'href="javascript:' not in page
