"""Ids in query strings and forms: too large, or digits int() refuses ("²"), are treated as absent, never a 500."""
import pytest
from helpers import csrf_token, login, make_service, make_user

from civictest.models.base import ID_MAX, parse_id

BAD = [str(2**31), str(2**63), str(2**64), "²", "٣", "1" * 5000]
NAMES = ["2**31", "2**63", "2**64", "superscript two", "arabic-indic three", "5000 digits"]


@pytest.mark.parametrize("text", BAD + ["", "0", "-1", " 1", "1.0", "0x1", None], ids=NAMES + ["", "0", "-1", "space 1", "1.0", "0x1", "None"])
def test_parse_id_refuses_what_is_not_a_stored_id(text):
    assert parse_id(text) is None


def test_parse_id_reads_ids():
    assert parse_id("1") == 1 and parse_id(str(ID_MAX)) == ID_MAX and parse_id("007") == 7


@pytest.mark.parametrize("bad", BAD, ids=NAMES)
def test_bad_ids_in_query_strings_are_not_server_errors(client, ctx, bad):
    service = make_service()
    iteration = service.iterations[0]
    login(client, make_user("admin"))
    answers = {url: client.get(url).status_code for url in (
        f"/api/v1/services/{service.id}/compare?base={bad}&candidate={iteration.id}",
        f"/api/v1/services/{service.id}/compare?base={iteration.id}&candidate={bad}",
        f"/review/services/{service.id}/findings/new?comment={bad}&iteration={bad}",
        f"/review/services/{service.id}/comments?iteration={bad}&task={bad}&tag={bad}&page={bad}",
    )}
    assert answers == {
        f"/api/v1/services/{service.id}/compare?base={bad}&candidate={iteration.id}": 400,
        f"/api/v1/services/{service.id}/compare?base={iteration.id}&candidate={bad}": 400,
        f"/review/services/{service.id}/findings/new?comment={bad}&iteration={bad}": 200,
        f"/review/services/{service.id}/comments?iteration={bad}&task={bad}&tag={bad}&page={bad}": 200,
    }


@pytest.mark.parametrize("bad", BAD, ids=NAMES)
def test_bad_ids_in_posted_forms_are_not_server_errors(client, ctx, bad):
    service = make_service()
    iteration = service.iterations[0]
    login(client, make_user("admin"))
    page = client.get(f"/review/services/{service.id}/findings/new").get_data(as_text=True)
    response = client.post(f"/review/services/{service.id}/findings/new", data={
        "csrf_token": csrf_token(page), "title": "t", "severity": "2", "found_in_id": str(iteration.id),
        "evidence": f"{bad},{bad}"})
    assert response.status_code in (302, 400)
    page = client.get(f"/compare/iterations/{iteration.id}/downloads").get_data(as_text=True)
    response = client.post(f"/compare/iterations/{iteration.id}/comparison-export",
                           data={"csrf_token": csrf_token(page), "base": bad, "format": "csv"})
    assert response.status_code < 500
