"""/manage/mail: the backlog per kind, the last errors and (without MAIL_SERVER) the outbox; admins only."""
from __future__ import annotations

from helpers import login, make_user

from civictest import mail
from civictest.extensions import db


def _queue(n: int, to: str, kind: str = "invitation", subject: str = "ご招待"):
    return mail.queue_mail(kind=kind, dedupe_key=f"{kind}:{n}", to=to, subject=subject,
                           text="<b>本文</b> & https://example.jp/x?a=1&b=2")


def test_admins_see_backlog_errors_and_the_outbox(app, ctx, client, drain_mail, tmp_path, monkeypatch):
    monkeypatch.setitem(app.config, "MAIL_OUTBOX_DIR", str(tmp_path))
    _queue(1, "taro@example.jp", subject="<script>alert(1)</script>招待")
    _queue(2, "hanako@example.jp", kind="reminder")
    db.session.commit()
    drain_mail(app)
    _queue(3, "jiro@example.jp")  # still waiting
    db.session.commit()
    login(client, make_user("admin"))
    page = client.get("/manage/mail")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "MAIL_SERVER" in html and "invitation" in html and "reminder" in html
    assert "<script>alert(1)" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;招待" in html
    assert "最も古い送信待ちのメールは" in html
    assert 'href="/manage/mail"' in client.get("/manage/").get_data(as_text=True)
    [link] = [part.split('"')[0] for part in html.split('href="/manage/mail/outbox/')[1:2]]
    message = client.get(f"/manage/mail/outbox/{link}")
    body = message.get_data(as_text=True)
    assert message.status_code == 200
    assert "&lt;b&gt;本文&lt;/b&gt; &amp; https://example.jp/x?a=1&amp;b=2" in body
    assert "hanako@example.jp" in body  # the newest first


def test_the_page_lists_errors_when_smtp_is_down(app, ctx, client, smtp_server, drain_mail):
    smtp_server.handler.reject["gone@example.jp"] = "550 5.1.1 no such user"
    _queue(1, "gone@example.jp")
    db.session.commit()
    drain_mail(app)
    login(client, make_user("admin"))
    html = client.get("/manage/mail").get_data(as_text=True)
    assert "550 5.1.1 no such user" in html and "gone@example.jp" in html
    assert "送信箱" not in html  # with MAIL_SERVER there is no outbox


def test_only_admins(app, ctx, client, tmp_path, monkeypatch):
    monkeypatch.setitem(app.config, "MAIL_OUTBOX_DIR", str(tmp_path))
    (tmp_path / "000000001-invitation.eml").write_bytes(b"Subject: x\r\n\r\nbody\r\n")
    assert client.get("/manage/mail").status_code in (302, 401)
    login(client, make_user("service_team"))
    assert client.get("/manage/mail").status_code == 403
    assert client.get("/manage/mail/outbox/000000001-invitation.eml").status_code == 403


def test_outbox_names_are_checked(app, ctx, client, tmp_path, monkeypatch):
    monkeypatch.setitem(app.config, "MAIL_OUTBOX_DIR", str(tmp_path / "outbox"))
    (tmp_path / "secret.eml").write_bytes(b"Subject: secret\r\n\r\nsecret\r\n")
    login(client, make_user("admin"))
    for name in ("..%2Fsecret.eml", "secret.eml", "000000001-x.eml"):
        assert client.get(f"/manage/mail/outbox/{name}").status_code == 404
