"""Staff login and logout: a fresh session at login, and old cookies dead after logout or disabling."""
from helpers import PASSWORD, login, make_user, post_form

from civictest.extensions import db
from civictest.models import AuditEvent, User


def test_login_with_the_right_password_opens_staff_pages(client, ctx):
    user = make_user("admin")
    response = login(client, user)
    assert response.status_code == 302
    assert client.get("/manage/").status_code == 200
    assert db.session.query(AuditEvent).filter_by(action="login", user_id=user.id).count() == 1


def test_wrong_password_is_refused_with_a_message(client, ctx):
    user = make_user("admin")
    response = post_form(client, "/auth/login", {"email": user.email, "password": "wrong password!!"})
    assert response.status_code == 400
    assert "メールアドレスまたはパスワードが正しくありません" in response.get_data(as_text=True)
    assert client.get("/manage/").status_code == 302


def test_login_without_csrf_token_is_rejected(client, ctx):
    user = make_user("admin")
    response = client.post("/auth/login", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 400
    assert client.get("/manage/").status_code == 302


def test_passwords_are_stored_as_modern_hashes(ctx):
    user = make_user("admin")
    assert user.password_hash.startswith("scrypt:") and PASSWORD not in user.password_hash


def test_session_cookie_changes_at_login(client, ctx):
    user = make_user("admin")
    client.get("/auth/login")
    before = client.get_cookie("civictest_session").value
    login(client, user)
    assert client.get_cookie("civictest_session").value != before


def test_logout_kills_a_replayed_cookie(client, app, ctx):
    user = make_user("admin")
    login(client, user)
    stolen = client.get_cookie("civictest_session").value
    page = client.get("/manage/").get_data(as_text=True)
    from helpers import csrf_token

    client.post("/auth/logout", data={"csrf_token": csrf_token(page)})
    replay = app.test_client()
    replay.set_cookie("civictest_session", stolen)
    assert replay.get("/manage/").status_code == 302


def test_disabling_a_user_ends_their_sessions(client, app, ctx):
    user = make_user("service_team")
    login(client, user)
    assert client.get("/manage/").status_code == 200
    from civictest.services import accounts

    stored = db.session.get(User, user.id)
    accounts.save_user(stored, {"email": stored.email, "role": stored.role, "display_name": "", "password": "",
                                "active": False, "service_ids": []})
    db.session.commit()
    assert client.get("/manage/").status_code == 302


def test_login_refuses_open_redirects(client, ctx):
    user = make_user("admin")
    response = post_form(client, "/auth/login?next=https://evil.example/", {"email": user.email, "password": PASSWORD,
                                                                          "next": "https://evil.example/"})
    assert response.status_code == 302 and "evil" not in response.headers["Location"]


def test_a_next_with_line_breaks_or_backslashes_is_not_followed(client, app, ctx):
    """A line break in Location was a 500; browsers read `/\\host` and `/\\t/host` as `//host` (open redirect)."""
    user = make_user("admin")
    for target in ("/manage/\r\nSet-Cookie: x=1", "/manage/\n", "/\r//evil.example", "/\\evil.example",
                   "/\t/evil.example", "/ /evil.example", "/manage/\x7f"):
        browser = app.test_client()
        response = post_form(browser, "/auth/login", {"email": user.email, "password": PASSWORD, "next": target})
        assert response.status_code == 302, repr(target)
        assert response.headers["Location"] == "/auth/staff" and "Set-Cookie: x" not in str(response.headers)
    browser = app.test_client()
    response = post_form(browser, "/auth/login", {"email": user.email, "password": PASSWORD,
                                                 "next": "/manage/users?x=1"})
    assert response.headers["Location"] == "/manage/users?x=1"  # an ordinary path is still followed
