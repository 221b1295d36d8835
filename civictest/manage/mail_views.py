"""The mail page (admins): the backlog per kind, the last errors, and the outbox when no MAIL_SERVER is set."""
from __future__ import annotations

from flask import abort, current_app, render_template

from civictest.mail import status
from civictest.manage import bp
from civictest.security import require_staff

SHOWN_HEADERS = ("Date", "From", "To", "Subject", "Message-ID", "List-Unsubscribe", "List-Unsubscribe-Post")


@bp.route("/mail")
def mail_status():
    require_staff("admin")
    smtp = bool(current_app.config.get("MAIL_SERVER"))
    return render_template("manage/mail.html", backlog=status.backlog(), errors=status.last_errors(),
                           smtp=smtp, server=current_app.config.get("MAIL_SERVER"),
                           outbox=None if smtp else status.outbox_entries())


@bp.route("/mail/outbox/<name>")
def mail_outbox_message(name: str):
    require_staff("admin")
    found = status.outbox_message(name)
    if found is None:
        abort(404)
    message, text = found
    headers = [(header, str(message[header])) for header in SHOWN_HEADERS if message[header] is not None]
    attachments = [part.get_filename() or "" for part in message.iter_attachments()]
    return render_template("manage/mail_message.html", name=name, headers=headers, text=text,
                           attachments=attachments)
