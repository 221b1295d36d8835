"""Stopping all mail: RFC 8058 one-click POST (no login, no CSRF token) and the page with its button."""
from __future__ import annotations

from sqlalchemy import func, select

from civictest import mail
from civictest.extensions import db
from civictest.models import MailSuppression


def _queue(kind: str, n: int, to: str = "taro@example.jp"):
    return mail.queue_mail(kind=kind, dedupe_key=f"{kind}:{to}:{n}", to=to, subject="お知らせ", text="本文",
                           unsubscribe_url=mail.unsubscribe_url_for(to))


def test_one_click_post_stops_every_kind_of_mail(app, ctx, client, smtp_server, drain_mail):
    _queue("invitation", 1)
    db.session.commit()
    drain_mail(app)
    [message] = smtp_server.messages
    url = message["List-Unsubscribe"].strip("<>")
    assert url.startswith("http") and "taro" not in url  # the link carries no address
    # What a mail client does (RFC 8058): a POST with this body, no cookies, no CSRF token.
    response = client.post(url, data={"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    assert mail.is_suppressed("taro@example.jp")
    assert _queue("reminder", 2) is None and _queue("survey", 3) is None
    assert _queue("invitation", 4, to="hanako@example.jp") is not None  # other addresses are not affected
    assert client.post(url, data={"List-Unsubscribe": "One-Click"}).status_code == 200  # again: still 200
    assert db.session.scalar(select(func.count()).select_from(MailSuppression)) == 1


def test_get_shows_a_button_and_changes_nothing(app, ctx, client):
    url = mail.unsubscribe_url_for("taro@example.jp")
    page = client.get(url)
    assert page.status_code == 200
    assert "すべてのメールを止める" in page.get_data(as_text=True)
    assert not mail.is_suppressed("taro@example.jp")  # link scanners open links: GET never unsubscribes
    english = client.get(url + "?lang=en").get_data(as_text=True)
    assert "Stop all mail" in english
    done = client.post(url)  # the button: a plain form POST
    assert done.status_code == 200 and mail.is_suppressed("taro@example.jp")


def test_a_forged_or_damaged_token_is_refused(app, ctx, client):
    url = mail.unsubscribe_url_for("taro@example.jp")
    assert client.post(url[:-3] + "xyz").status_code == 404
    assert client.get("/mail/unsubscribe/not-a-token").status_code == 404
    assert db.session.scalar(select(func.count()).select_from(MailSuppression)) == 0


def test_the_url_uses_public_base_url(app, ctx, monkeypatch):
    monkeypatch.setitem(app.config, "PUBLIC_BASE_URL", "https://civictest.city.example.lg.jp")
    assert mail.unsubscribe_url_for("a@example.jp").startswith(
        "https://civictest.city.example.lg.jp/mail/unsubscribe/")
