"""Queue -> worker -> a real SMTP server on 127.0.0.1 (aiosmtpd), through Huey's own execution code."""
from __future__ import annotations

from email.header import decode_header, make_header

import pytest
from sqlalchemy import func, select

from civictest import mail
from civictest.extensions import db
from civictest.models import MailSuppression, OutgoingMail


def _queue(n: int = 1, *, kind: str = "invitation", to: str = "taro@example.jp", **extra) -> OutgoingMail | None:
    values = dict(kind=kind, dedupe_key=f"{kind}:{to}:{n}", to=to, subject="ユーザーテストへのご招待",
                  text="こんにちは。\n参加をお待ちしています。", language="ja")
    values.update(extra)
    return mail.queue_mail(**values)


def test_a_queued_message_arrives_with_its_headers(app, ctx, smtp_server, drain_mail):
    url = mail.unsubscribe_url_for("Taro@Example.jp")
    row = _queue(unsubscribe_url=url, html="<p>こんにちは</p>",
                 attachments=[("予約.ics", "text/calendar", b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n")])
    assert row is not None and row.status == "queued"
    assert smtp_server.messages == []  # nothing is sent in the caller's transaction
    db.session.commit()
    assert drain_mail(app) >= 1

    [message] = smtp_server.messages
    assert str(make_header(decode_header(message["Subject"]))) == "ユーザーテストへのご招待"
    assert message["Subject"] == "ユーザーテストへのご招待"
    assert message["To"] == "taro@example.jp"
    assert message["From"] == app.config["MAIL_DEFAULT_SENDER"]
    assert message["List-Unsubscribe"] == f"<{url}>"
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    # As sent: one plain line (mail clients do not decode RFC 2047 words in List-Unsubscribe), 7-bit body.
    raw = smtp_server.handler.raw[0]
    assert f"List-Unsubscribe: <{url}>\r\n".encode() in raw
    assert raw.isascii() and b"Subject: =?utf-8?" in raw
    assert message["Content-Language"] == "ja"
    assert message["Message-ID"] == row.message_id
    assert message.get_body(("plain",)).get_content().startswith("こんにちは。")
    assert message.get_body(("html",)).get_content().strip() == "<p>こんにちは</p>"
    [attachment] = list(message.iter_attachments())
    assert attachment.get_filename() == "予約.ics"
    assert attachment.get_content() == "BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n"
    db.session.expire_all()
    stored = db.session.get(OutgoingMail, row.id)
    assert (stored.status, stored.attempts) == ("sent", 1) and stored.sent_at is not None


def test_same_dedupe_key_twice_sends_once(app, ctx, smtp_server, drain_mail):
    assert _queue() is not None
    db.session.commit()
    assert _queue() is None  # the same (kind, person, occasion)
    db.session.commit()
    drain_mail(app)
    assert _queue() is None  # still refused after it was sent
    db.session.commit()
    drain_mail(app)
    assert len(smtp_server.messages) == 1
    assert db.session.scalar(select(func.count()).select_from(OutgoingMail)) == 1


def test_a_rolled_back_message_is_never_sent(app, ctx, smtp_server, drain_mail):
    _queue()
    db.session.rollback()
    drain_mail(app)
    assert smtp_server.messages == []


@pytest.mark.parametrize("field, value", [
    ("subject", "件名\r\nBcc: victim@example.jp"), ("to", "taro@example.jp\nBcc: victim@example.jp"),
    ("unsubscribe_url", "https://example.jp/u\r\nX-Evil: 1"), ("kind", "invite\n"),
])
def test_header_injection_is_refused(app, ctx, field, value):
    with pytest.raises(ValueError):
        _queue(**{field: value})
    assert db.session.scalar(select(func.count()).select_from(OutgoingMail)) == 0


@pytest.mark.parametrize("address", ["", "taro", "taro@example", "a@b@example.jp", "Taro <taro@example.jp>",
                                     "a@example.jp, b@example.jp"])
def test_only_one_plain_address_is_accepted(app, ctx, address):
    with pytest.raises(ValueError):
        _queue(to=address)


def test_without_mail_server_messages_go_to_the_outbox(app, ctx, drain_mail, tmp_path, monkeypatch):
    monkeypatch.setitem(app.config, "MAIL_SERVER", "")
    monkeypatch.setitem(app.config, "MAIL_OUTBOX_DIR", str(tmp_path))
    row = _queue()
    db.session.commit()
    drain_mail(app)
    [path] = list(tmp_path.glob("*.eml"))
    import email
    from email import policy

    message = email.message_from_bytes(path.read_bytes(), policy=policy.default)
    assert message["Subject"] == "ユーザーテストへのご招待"
    assert message["Message-ID"] == row.message_id
    db.session.expire_all()
    assert db.session.get(OutgoingMail, row.id).status == "sent"


def test_smtp_down_is_retried_with_backoff_then_delivered(app, ctx, smtp_server, drain_mail):
    smtp_server.stop()
    row = _queue()
    db.session.commit()
    drain_mail(app, wait_retries=False)  # the first attempt finds no server
    db.session.expire_all()
    stored = db.session.get(OutgoingMail, row.id)
    assert stored.status == "retry" and stored.attempts == 1
    assert "Connection" in stored.last_error or "refused" in stored.last_error.lower()
    smtp_server.start()
    drain_mail(app)  # waits for the scheduled retry
    db.session.expire_all()
    stored = db.session.get(OutgoingMail, row.id)
    assert (stored.status, stored.attempts) == ("sent", 2)
    assert len(smtp_server.messages) == 1


def test_4xx_is_retried_and_gives_up_after_the_last_attempt(app, ctx, smtp_server, drain_mail):
    smtp_server.handler.tempfail = 2
    first = _queue(1)
    db.session.commit()
    drain_mail(app)
    db.session.expire_all()
    assert (db.session.get(OutgoingMail, first.id).status, db.session.get(OutgoingMail, first.id).attempts) == \
        ("sent", 3)
    smtp_server.handler.tempfail = 100
    second = _queue(2)
    db.session.commit()
    drain_mail(app)
    db.session.expire_all()
    stored = db.session.get(OutgoingMail, second.id)
    assert stored.status == "failed" and stored.attempts == app.config["MAIL_MAX_ATTEMPTS"]
    assert stored.last_error.startswith("451")
    assert len(smtp_server.messages) == 1


def test_5xx_bounces_and_suppresses_the_address(app, ctx, smtp_server, drain_mail):
    smtp_server.handler.reject["gone@example.jp"] = "550 5.1.1 no such user"
    row = _queue(to="gone@example.jp")
    _queue(to="hanako@example.jp")
    db.session.commit()
    drain_mail(app)
    db.session.expire_all()
    stored = db.session.get(OutgoingMail, row.id)
    assert stored.status == "bounced" and stored.last_error.startswith("550")
    assert mail.is_suppressed("GONE@example.jp")
    assert [m["To"] for m in smtp_server.messages] == ["hanako@example.jp"]
    assert _queue(2, to="gone@example.jp", kind="reminder") is None  # no further mail is queued to it
    suppression = db.session.scalar(select(MailSuppression))
    assert suppression.reason == "bounce" and "gone" not in suppression.address_hash


def test_a_message_queued_before_the_address_unsubscribed_is_not_sent(app, ctx, smtp_server, drain_mail):
    row = _queue()
    db.session.commit()
    mail.suppress("taro@example.jp", "unsubscribe")
    db.session.commit()
    drain_mail(app)
    assert smtp_server.messages == []
    db.session.expire_all()
    assert db.session.get(OutgoingMail, row.id).status == "suppressed"


def test_a_second_job_for_a_sent_row_sends_nothing(app, ctx, smtp_server, drain_mail):
    from civictest.mail import delivery

    row = _queue()
    db.session.commit()
    drain_mail(app)
    delivery.deliver(row.id)  # a duplicate job (e.g. from the sweep)
    drain_mail(app)
    assert len(smtp_server.messages) == 1


def test_forget_address_deletes_the_messages_but_keeps_the_suppression(app, ctx, drain_mail):
    _queue(1)
    _queue(2, to="hanako@example.jp")
    db.session.commit()
    drain_mail(app)
    mail.suppress("taro@example.jp", "unsubscribe")
    assert mail.forget_address("Taro@example.jp") == 1
    db.session.commit()
    assert db.session.scalars(select(OutgoingMail.to_address)).all() == ["hanako@example.jp"]
    assert mail.is_suppressed("taro@example.jp")


def test_a_job_taken_by_a_worker_killed_before_its_claim_is_handed_out_again(app, ctx, smtp_server, drain_mail):
    """Issue 15's lost message: a worker takes a job off the queue (Huey deletes it there) and then claims the
    row; killed in between, it leaves the row `queued` with no job. The next worker's start-up sweep must give
    the row a new job (it used to wait ten minutes), and a row that still has its job gets no second one."""
    from civictest import jobs
    from civictest.mail import delivery

    taken = _queue(1)
    db.session.commit()
    kept = _queue(2, to="hanako@example.jp")
    db.session.commit()
    assert jobs.huey.pending_count() == 2  # one job per commit
    jobs.huey.dequeue()  # the dead worker's job, never run
    assert delivery.sweep() == 1  # only the jobless row
    assert jobs.huey.pending_count() == 2
    drain_mail(app)
    assert sorted(m["To"] for m in smtp_server.messages) == ["hanako@example.jp", "taro@example.jp"]
    db.session.expire_all()
    assert {db.session.get(OutgoingMail, r.id).status for r in (taken, kept)} == {"sent"}


def test_a_retry_whose_job_was_lost_is_scheduled_again_for_its_time(app, ctx, smtp_server, drain_mail):
    from datetime import timedelta

    from civictest import jobs
    from civictest.mail import delivery
    from civictest.models.base import utcnow

    _queue()
    db.session.commit()
    jobs.huey.flush()  # the job is lost (a worker killed between `retry` and scheduling it, a lost queue file)
    db.session.execute(OutgoingMail.__table__.update().values(
        status="retry", attempts=1, next_attempt_at=utcnow() + timedelta(hours=1)))
    db.session.commit()
    assert delivery.sweep() == 1
    assert jobs.huey.pending_count() == 1  # with its time (eta): a worker moves it to the schedule
    assert delivery.sweep() == 0  # it has a job now
    drain_mail(app, wait_retries=False)
    assert (jobs.huey.pending_count(), jobs.huey.scheduled_count()) == (0, 1)
    assert delivery.sweep() == 0  # a job in the schedule counts too
    assert smtp_server.messages == []


def test_a_group_job_killed_half_way_leaves_only_its_unsent_rows_to_the_sweep(app, ctx, smtp_server, drain_mail):
    """One job carries a commit's rows (delivery.GROUP per job); a worker killed after sending the first of them
    sends the rest after the restart and nothing twice."""
    from civictest import jobs
    from civictest.mail import delivery

    rows = [_queue(n, to=f"member{n}@example.jp") for n in range(3)]
    db.session.commit()
    [job] = jobs.huey.pending()
    assert job.args[0] == [row.id for row in rows]
    jobs.huey.dequeue()
    assert delivery.deliver_now(rows[0].id) == "sent"  # the killed worker got this far
    assert delivery.sweep() == 2
    drain_mail(app)
    assert sorted(m["To"] for m in smtp_server.messages) == [f"member{n}@example.jp" for n in range(3)]


@pytest.mark.parametrize("subject, html", [
    ("ユーザーテストへのご招待", "<p>こんにちは</p>"),
    ("【重要】" + "長い件名です。" * 20 + " and some English =?utf-8?q?x?=", None),
    ("Plain ASCII subject", "<p>hello</p>"),
    ("", None),
])
def test_the_direct_message_bytes_read_like_the_email_packages(app, ctx, subject, html):
    """delivery.message_bytes writes the usual message itself (the email package was most of a worker's CPU):
    what a mail reader sees must be what build_message + as_bytes gives."""
    import email
    from email import policy

    from civictest.mail import delivery

    url = mail.unsubscribe_url_for("taro@example.jp") + "x" * 300  # a long URL stays on one line
    row = _queue(subject=subject, html=html, text="こんにちは。\n参加を\r\nお待ちしています。\n" + "長い行" * 100,
                 unsubscribe_url=url)
    sender = app.config["MAIL_DEFAULT_SENDER"]
    direct = delivery._direct_bytes(row, sender)
    assert direct is not None and direct.isascii()
    assert all(len(line) <= 998 for line in direct.split(b"\r\n")) and b"\n" not in direct.replace(b"\r\n", b"")
    assert f"List-Unsubscribe: <{url}>\r\n".encode() in direct
    ours = email.message_from_bytes(direct, policy=policy.default)
    theirs = email.message_from_bytes(delivery.build_message(row, sender).as_bytes(policy=delivery.MAIL_POLICY),
                                      policy=policy.default)
    assert ours.defects == [] and ours.is_multipart() == theirs.is_multipart() == bool(html)
    assert str(ours["Subject"]) == subject  # (the email package turns a literal "=?utf-8?q?x?=" into "x")
    for name in ("From", "To", "Date", "Message-ID", "Auto-Submitted", "List-Unsubscribe",
                 "List-Unsubscribe-Post", "Content-Language", "MIME-Version"):
        assert str(ours[name]) == str(theirs[name]), name
    assert ours.get_content_type() == theirs.get_content_type()
    for subtype in ("plain", "html") if html else ("plain",):
        assert ours.get_body((subtype,)).get_content() == theirs.get_body((subtype,)).get_content()


def test_a_message_with_attachments_or_a_named_sender_goes_through_the_email_package(app, ctx):
    from civictest.mail import delivery

    row = _queue(attachments=[("a.ics", "text/calendar", b"BEGIN:VCALENDAR\r\n")])
    assert delivery._direct_bytes(row, "civictest@city.example.jp") is None
    assert delivery._direct_bytes(_queue(2), "市役所 <civictest@city.example.jp>") is None
    assert b"a.ics" in delivery.message_bytes(row, "civictest@city.example.jp")


@pytest.mark.parametrize("pipelining", [True, False])
def test_pipelined_and_plain_smtp_both_deliver_and_bounce(app, ctx, smtp_server, drain_mail, monkeypatch,
                                                           pipelining):
    """The test server announces PIPELINING (MAIL, RCPT and DATA in one write); without it smtplib's sendmail."""
    import smtplib

    from civictest.mail import delivery

    used = []
    real = delivery._send_pipelined
    monkeypatch.setattr(delivery, "_send_pipelined", lambda *args: (used.append(1), real(*args)))
    if not pipelining:
        has_extn = smtplib.SMTP.has_extn
        monkeypatch.setattr(smtplib.SMTP, "has_extn", lambda self, name: name != "pipelining" and has_extn(self, name))
    smtp_server.handler.reject["gone@example.jp"] = "550 5.1.1 no such user"
    smtp_server.handler.tempfail = 1
    rows = [_queue(1, to="gone@example.jp"), _queue(2, text="..a line with a dot\n.\n"), _queue(3)]
    db.session.commit()
    drain_mail(app)
    db.session.expire_all()
    assert [db.session.get(OutgoingMail, row.id).status for row in rows] == ["bounced", "sent", "sent"]
    # the 451 went to row 2 (the refused address is checked first): it was sent on its retry, after row 3
    assert [m["Message-ID"] for m in smtp_server.messages] == [rows[2].message_id, rows[1].message_id]
    assert db.session.get(OutgoingMail, rows[1].id).attempts == 2
    assert smtp_server.messages[1].get_content().replace("\r\n", "\n").startswith("..a line with a dot\n.\n")
    assert bool(used) == pipelining


def test_an_address_that_bounces_gets_no_second_message_from_the_same_job(app, ctx, smtp_server, drain_mail):
    """A job reads the suppression list once for its group; an address that bounces during the job is added."""
    smtp_server.handler.reject["gone@example.jp"] = "550 5.1.1 no such user"
    rows = [_queue(1, to="gone@example.jp"), _queue(2, to="gone@example.jp", kind="reminder"), _queue(3)]
    db.session.commit()
    drain_mail(app)
    db.session.expire_all()
    assert [db.session.get(OutgoingMail, row.id).status for row in rows] == ["bounced", "suppressed", "sent"]
    assert len(smtp_server.messages) == 1
