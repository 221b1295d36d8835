"""Outgoing e-mail: queue a message with the caller's transaction, a worker delivers it exactly once.

    from civictest import mail
    subject, text, html = mail.render("invitation", member.language, member=member, link=link,
                                      unsubscribe_url=mail.unsubscribe_url_for(member.email))
    mail.queue_mail(kind="invitation", dedupe_key=f"invitation:{member.id}:{session.id}", to=member.email,
                    subject=subject, text=text, html=html, unsubscribe_url=mail.unsubscribe_url_for(member.email),
                    language=member.language)
    db.session.commit()  # the row is handed to the queue only now

Delivery (civictest/mail/delivery.py) runs in the worker (`flask --app app worker`): SMTP when MAIL_SERVER is
set, else an .eml file in MAIL_OUTBOX_DIR. See docs/mail.md.
"""
from civictest.mail.queueing import (
    forget_address, is_suppressed, normalise_address, queue_mail, queue_mails, suppress, unsuppress,
)
from civictest.mail.rendering import render
from civictest.mail.unsubscribe import (
    address_from_token, unsubscribe_by_token, unsubscribe_url_builder, unsubscribe_url_for,
)

__all__ = [
    "address_from_token", "forget_address", "is_suppressed", "normalise_address", "queue_mail", "queue_mails", "render", "suppress",
    "unsubscribe_by_token", "unsubscribe_url_builder", "unsubscribe_url_for", "unsuppress",
]
