"""Ids in routes: every `<int:...>` of every route answers 404, never 500, to an id no database column holds."""
import re
import uuid

import pytest
from helpers import login, make_service, make_user
from werkzeug.routing import IntegerConverter

from civictest.web.urls import ID_MAX, IdConverter

# Beyond 64 bits; thousands of digits (Python refuses to read them); more digits than any id has (leading zeros)
TOO_LARGE = [str(2**31), str(2**63), str(2**64), "9" * 30, "1" * 5000, "0" * 25 + "1"]
_ARGUMENT = re.compile(r"<(?:(\w+)(?:\([^)]*\))?:)?(\w+)>")


def _id_rules(app):  # noqa: ANN001, ANN202
    rules = [rule for rule in app.url_map.iter_rules()
             if any(isinstance(c, IntegerConverter) for c in rule._converters.values())]
    assert len(rules) >= 12  # the finding counted 12; new routes are covered the day they are added
    return rules


def _url(rule, value: str) -> str:  # noqa: ANN001
    def fill(match: re.Match) -> str:
        return value if isinstance(rule._converters[match.group(2)], IntegerConverter) else "ABCDEFG-HJKLMNP"

    return _ARGUMENT.sub(fill, rule.rule)


def _method(rule) -> str:  # noqa: ANN001
    return "GET" if "GET" in rule.methods else sorted(rule.methods - {"HEAD", "OPTIONS"})[0]


def test_every_int_converter_of_the_app_is_bounded(app):
    assert app.url_map.converters["int"] is IdConverter
    for rule in _id_rules(app):
        for converter in rule._converters.values():
            if isinstance(converter, IntegerConverter):
                assert isinstance(converter, IdConverter) and converter.max == ID_MAX, rule.rule


@pytest.mark.parametrize("value", TOO_LARGE)
def test_ids_beyond_64_bits_are_404_on_every_route(client, app, ctx, value):
    make_service()
    assert login(client, make_user("admin", email=f"urls-{uuid.uuid4().hex}@example.jp")).status_code == 302
    answers = {rule.rule: client.open(_url(rule, value), method=_method(rule)).status_code for rule in _id_rules(app)}
    assert {rule: status for rule, status in answers.items() if status != 404} == {}


def test_the_largest_id_reaches_the_views_without_a_server_error(client, app, ctx):
    """2**31 - 1 fits an id column on both databases: the views look it up, find nothing, and say so."""
    make_service()
    assert login(client, make_user("admin", email=f"urls-{uuid.uuid4().hex}@example.jp")).status_code == 302
    rules = [rule for rule in _id_rules(app) if _method(rule) == "GET"]
    answers = {rule.rule: client.get(_url(rule, str(ID_MAX))).status_code for rule in rules}
    assert {rule: status for rule, status in answers.items() if status >= 500} == {}
    assert answers["/open-data/<int:iteration_id>/"] == answers["/manage/users/<int:user_id>/edit"] == 404


def test_public_routes_with_huge_ids_are_404_for_anyone(client, ctx):
    for path in ("/open-data/{}/", "/open-data/{}/metrics.csv", "/services/{}/fixes"):
        for value in (str(2**63), str(2**64)):
            assert client.get(path.format(value)).status_code == 404
