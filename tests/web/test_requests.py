"""NUL characters never reach views or the database, so SQLite and PostgreSQL treat input alike."""
from civictest.web.requests import NulFreeMultiDict


def test_nul_is_removed_from_query_and_form_values_and_keys(app):
    with app.test_request_context("/?code=AB%00C", method="POST", data={"comm\x00ent": "途中\x00で"}):
        from flask import request

        assert request.args["code"] == "ABC"
        assert request.form.to_dict() == {"comment": "途中で"}


def test_multidict_keeps_repeated_values_in_order():
    values = NulFreeMultiDict([("tag", "a\x00"), ("tag", "b")])
    assert values.getlist("tag") == ["a", "b"]


def test_invite_codes_with_odd_characters_are_not_found(client, ctx):
    assert client.get("/join/AB%00CD").status_code == 404
    assert client.get("/join/AB%20CD").status_code == 404
