"""The resident's entry point: /join/<invite code>."""
from helpers import make_service, make_session


def test_valid_code_names_the_service_and_session(client, ctx):
    service = make_service()
    test_session = make_session(service, invite_code="ABCDEFG-HJKLMNP")
    page = client.get("/join/ABCDEFG-HJKLMNP")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert service.name_ja in html and test_session.name in html
    assert "テストされるのはサービスの方です" in html


def test_code_is_case_insensitive(client, ctx):
    make_session(make_service(), invite_code="ABCDEFG-HJKLMNP")
    assert client.get("/join/abcdefg-hjklmnp").status_code == 200


def test_english_join_page(client, ctx):
    service = make_service()
    make_session(service, invite_code="ABCDEFG-HJKLMNP")
    html = client.get("/join/ABCDEFG-HJKLMNP?lang=en").get_data(as_text=True)
    assert '<html lang="en">' in html and service.name_en in html


def test_closed_session_says_so(client, ctx):
    make_session(make_service(), invite_code="CLOSED1-CLOSED1", is_open=False)
    response = client.get("/join/CLOSED1-CLOSED1")
    assert response.status_code == 403
    assert "受付を終了" in response.get_data(as_text=True)


def test_unknown_code_is_not_found(client, ctx):
    assert client.get("/join/NOSUCH0-CODE000").status_code == 404
    assert client.get("/join/" + "A" * 500).status_code == 404
