"""queue_mails: the bulk form of queue_mail keeps its guarantees (dedupe per key, suppression, header refusal)."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from civictest import mail
from civictest.extensions import db
from civictest.models import OutgoingMail


def _message(n: int, *, to: str | None = None, **extra) -> dict:
    values = dict(kind="invitation", dedupe_key=f"invitation:{n}", to=to or f"person{n}@example.jp",
                  subject="ユーザーテストへのご招待", text=f"こんにちは、{n} さん。", language="ja")
    values.update(extra)
    return values


def _count() -> int:
    return db.session.scalar(select(func.count()).select_from(OutgoingMail))


def test_many_messages_are_delivered_once_each(app, ctx, smtp_server, drain_mail):
    ids = mail.queue_mails([_message(n) for n in range(1200)])  # more than one INSERT chunk
    assert all(ids) and len(set(ids)) == 1200
    assert smtp_server.messages == []  # nothing is sent in the caller's transaction
    db.session.commit()
    drain_mail(app)
    assert sorted(m["To"] for m in smtp_server.messages) == sorted(f"person{n}@example.jp" for n in range(1200))
    rows = db.session.execute(select(OutgoingMail.id, OutgoingMail.to_address, OutgoingMail.status)).all()
    assert {(i, f"person{n}@example.jp", "sent") for n, i in enumerate(ids)} == set(rows)


def test_a_dedupe_key_queued_before_or_earlier_in_the_list_queues_nothing(app, ctx, smtp_server, drain_mail):
    assert mail.queue_mail(**_message(1)) is not None
    db.session.commit()
    ids = mail.queue_mails([_message(1), _message(2), _message(2, to="other@example.jp"), _message(3)])
    assert ids[0] is None and ids[1] is not None and ids[2] is None and ids[3] is not None
    db.session.commit()
    assert mail.queue_mails([_message(2), _message(3)]) == [None, None]
    db.session.commit()
    drain_mail(app)
    assert sorted(m["To"] for m in smtp_server.messages) == [f"person{n}@example.jp" for n in (1, 2, 3)]
    assert _count() == 3


def test_suppressed_addresses_get_nothing(app, ctx, smtp_server, drain_mail):
    mail.suppress("Person2@Example.jp", "unsubscribe")
    mail.suppress("person4@example.jp", "bounce")
    db.session.commit()
    ids = mail.queue_mails([_message(n) for n in range(1, 6)])
    assert [i is not None for i in ids] == [True, False, True, False, True]
    db.session.commit()
    drain_mail(app)
    assert sorted(m["To"] for m in smtp_server.messages) == [f"person{n}@example.jp" for n in (1, 3, 5)]


@pytest.mark.parametrize("field, value", [
    ("subject", "件名\r\nBcc: victim@example.jp"), ("to", "taro@example.jp\nBcc: victim@example.jp"),
    ("unsubscribe_url", "https://example.jp/u\r\nX-Evil: 1"), ("kind", "invite\n"), ("to", "a@example.jp, b@example.jp"),
])
def test_one_bad_header_refuses_the_whole_list(app, ctx, field, value):
    with pytest.raises(ValueError):
        mail.queue_mails([_message(1), _message(2, **{field: value}), _message(3)])
    assert _count() == 0


def test_a_rolled_back_list_is_never_sent(app, ctx, smtp_server, drain_mail):
    mail.queue_mails([_message(n) for n in range(3)])
    db.session.rollback()
    drain_mail(app)
    assert smtp_server.messages == [] and _count() == 0
