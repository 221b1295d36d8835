"""Staff accounts through the admin form (/manage/users): create, disable, and a bad address is a form error."""
from helpers import PASSWORD, login, make_service, make_user, post_form

from civictest.extensions import db
from civictest.models import User


def _user_form(email: str, **fields: str) -> dict:
    return {"email": email, "display_name": "", "role": "service_team", "active": "y", "password": "", **fields}


def test_an_admin_creates_a_user_who_can_then_log_in(client, app, ctx):
    service = make_service()
    login(client, make_user("admin"))
    response = post_form(client, "/manage/users/new", _user_form(
        " Hanako.Sato@City.example.lg.jp ", display_name="佐藤花子", password="a long new password",
        service_ids=str(service.id)))
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    user = db.session.query(User).filter_by(email="hanako.sato@city.example.lg.jp").one()
    assert user.active and user.role == "service_team" and [s.id for s in user.services] == [service.id]

    browser = app.test_client()
    assert post_form(browser, "/auth/login", {"email": "hanako.sato@city.example.lg.jp",
                                              "password": "a long new password"}).status_code == 302
    assert browser.get(f"/review/services/{service.id}/comments").status_code == 200


def test_an_admin_disables_a_user_whose_session_and_login_then_stop_working(client, app, ctx):
    service = make_service()
    staff = make_user("service_team", [service], email="taro@example.jp")
    browser = app.test_client()
    login(browser, staff)
    assert browser.get("/manage/").status_code == 200

    login(client, make_user("admin"))
    response = post_form(client, f"/manage/users/{staff.id}/edit",
                         _user_form("taro@example.jp", active="", service_ids=str(service.id)))
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    assert db.session.get(User, staff.id).active is False

    assert browser.get("/manage/").status_code == 302  # the open session is over
    again = post_form(app.test_client(), "/auth/login", {"email": "taro@example.jp", "password": PASSWORD})
    assert again.status_code == 400  # and the account cannot log in


def test_a_bad_address_is_a_form_error_in_the_page_language(client, ctx):
    login(client, make_user("admin"))
    for bad in ("not-an-address", "taro@", "taro@@example.jp", "ta ro@example.jp"):
        response = post_form(client, "/manage/users/new", _user_form(bad, password="a long new password"))
        assert response.status_code == 400
        assert "メールアドレスの形式で入力してください" in response.get_data(as_text=True)
    client.get("/?lang=en")
    response = post_form(client, "/manage/users/new", _user_form("not-an-address", password="a long new password"))
    assert response.status_code == 400 and "Enter an email address" in response.get_data(as_text=True)
    assert db.session.query(User).count() == 1  # only the admin


def test_an_address_already_in_use_is_a_form_error(client, ctx):
    make_user("service_team", email="taro@example.jp")
    other = make_user("facilitator", email="jiro@example.jp")
    login(client, make_user("admin"))
    response = post_form(client, "/manage/users/new", _user_form("Taro@Example.jp", password="a long new password"))
    assert response.status_code == 400
    assert "このメールアドレスはすでに使われています" in response.get_data(as_text=True)
    response = post_form(client, f"/manage/users/{other.id}/edit", _user_form("taro@example.jp", role="facilitator"))
    assert response.status_code == 400
    assert "このメールアドレスはすでに使われています" in response.get_data(as_text=True)
    assert db.session.get(User, other.id).email == "jiro@example.jp"


def test_a_new_account_without_a_password_is_a_form_error(client, ctx):
    login(client, make_user("admin"))
    response = post_form(client, "/manage/users/new", _user_form("hanako@example.jp"))
    assert response.status_code == 400
    assert "新しいアカウントにはパスワードを入力してください" in response.get_data(as_text=True)
    assert 'value="hanako@example.jp"' in response.get_data(as_text=True)  # what was typed is kept
