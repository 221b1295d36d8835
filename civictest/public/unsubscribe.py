"""Stopping all mail (no login): the page behind every message's unsubscribe link and RFC 8058 one-click POST.

Mail clients POST `List-Unsubscribe=One-Click` to the List-Unsubscribe URL without cookies or a CSRF token, so
the route is exempt from CSRF: the signed token in the URL is what authorises the request (it stops mail to one
address, the one the message went to). GET only shows the page with its button; it never unsubscribes, since
link scanners open every link in a message."""
from __future__ import annotations

from flask import render_template

from civictest import mail
from civictest.extensions import csrf, db
from civictest.public import bp


@bp.route("/mail/unsubscribe/<token>", methods=["GET", "POST"])
@csrf.exempt
def mail_unsubscribe(token: str):
    from flask import request

    if mail.address_from_token(token) is None:
        return render_template("public/unsubscribe.html", state="invalid"), 404
    if request.method == "POST":
        mail.unsubscribe_by_token(token)
        db.session.commit()
        return render_template("public/unsubscribe.html", state="done"), 200
    return render_template("public/unsubscribe.html", state="ask", token=token)
