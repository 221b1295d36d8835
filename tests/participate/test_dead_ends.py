"""Issue 14 item 9: a wrong invite code or a closed session is never a dead end; "you said, we did" is linked."""
from helpers import RESIDENT_CODE, join_and_consent, make_service, make_session, submit

from civictest.extensions import db


def test_wrong_invite_code_offers_a_box_to_type_it_again_and_whom_to_contact(client, ctx):
    response = client.get("/join/NOSUCH0-CODE000")
    html = response.get_data(as_text=True)
    assert response.status_code == 404
    assert "招待コードが見つかりません" in html and "エラーコード" not in html
    assert 'action="/join"' in html and 'name="code"' in html and 'value="NOSUCH0-CODE000"' in html
    assert "担当課にお問い合わせください" in html and 'href="/resume"' in html
    assert client.get("/join/NOSUCH0-CODE000/consent").status_code == 404


def test_wrong_invite_code_in_english_and_a_code_that_cannot_be_one(client, ctx):
    html = client.get("/join/NOSUCH0-CODE000?lang=en").get_data(as_text=True)
    assert "Invite code not found" in html and "type the invite code from your letter or e-mail again" in html
    response = client.get("/join/" + "<b>" * 30)
    assert response.status_code == 404 and "<b>" not in response.get_data(as_text=True)


def test_the_box_takes_the_code_typed_again_to_its_join_page(client, ctx):
    make_session(make_service(), invite_code=RESIDENT_CODE)
    response = client.get("/join", query_string={"code": RESIDENT_CODE.lower()}, follow_redirects=True)
    assert response.status_code == 200 and "ユーザーテストにご参加ください" in response.get_data(as_text=True)


def test_a_closed_session_says_so_kindly_and_links_what_was_fixed(client, ctx):
    service = make_service()
    service.publish_fixes = True
    make_session(service, invite_code="CLOSED1-CLOSED1", is_open=False)
    for url in ("/join/CLOSED1-CLOSED1", "/join/CLOSED1-CLOSED1/consent"):
        response = client.get(url)
        html = response.get_data(as_text=True)
        assert response.status_code == 403 and "エラーコード" not in html, url
        assert "受付は終了しました" in html and "ご協力ありがとうございました" in html
        assert f'href="/services/{service.id}/fixes"' in html
    assert client.get(f"/services/{service.id}/fixes").status_code == 200


def test_a_closed_session_without_a_published_page_links_the_list(client, ctx):
    make_session(make_service(), invite_code="CLOSED1-CLOSED1", is_open=False)
    html = client.get("/join/CLOSED1-CLOSED1?lang=en").get_data(as_text=True)
    assert "closed" in html.lower() and 'href="/fixes"' in html
    assert client.get("/fixes").status_code == 200


def test_a_session_closed_while_answering_gets_the_same_page(client, ctx):
    test_session = make_session(make_service(tasks=2), invite_code=RESIDENT_CODE)
    join_and_consent(client)
    submit(client, "/participate/profile", {})
    test_session.is_open = False
    db.session.commit()
    response = submit(client, "/participate/tasks/1", {"outcome": "success"})
    assert response.status_code == 403 and "受付は終了しました" in response.get_data(as_text=True)


def test_you_said_we_did_is_linked_from_home_and_thanks(client, ctx):
    service = make_service(tasks=1)
    service.publish_fixes = True
    make_session(service, invite_code=RESIDENT_CODE)
    assert 'href="/fixes"' in client.get("/").get_data(as_text=True)
    index = client.get("/fixes").get_data(as_text=True)
    assert f'href="/services/{service.id}/fixes"' in index
    join_and_consent(client)
    submit(client, "/participate/profile", {})
    submit(client, "/participate/tasks/1", {"outcome": "success"})
    items = {f"item{i}": "3" for i in range(1, 11)}
    html = submit(client, "/participate/questionnaire", items, follow=True).get_data(as_text=True)
    assert "ご協力ありがとうございました" in html and f'href="/services/{service.id}/fixes"' in html
