"""Export then import gives the same figures: the raw attempts file is a faithful, re-importable copy."""
import pytest
from exports.residents import add_residents
from helpers import csrf_token, login, make_service, make_user

from civictest.reporting import figures, rows
from civictest.extensions import db
from civictest.services import catalog, imports


def approx(value):  # noqa: ANN001, ANN201
    """pytest.approx through nested dicts and lists (it compares flat ones only)."""
    if isinstance(value, dict):
        return {key: approx(item) for key, item in value.items()}
    if isinstance(value, list):
        return [approx(item) for item in value]
    return pytest.approx(value, rel=1e-9) if isinstance(value, float) else value


def raw(client, iteration_id: int, **data):  # noqa: ANN001, ANN201
    token = csrf_token(client.get(f"/compare/iterations/{iteration_id}/downloads").get_data(as_text=True))
    return client.post(f"/manage/iterations/{iteration_id}/export", data={"csrf_token": token, **data})


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_export_then_import_gives_the_same_figures(client, ctx, kind):
    service = make_service(tasks=3)
    first = service.iterations[0]
    add_residents(first, count=14, withdrawn=1)
    login(client, make_user("service_team", [service]))
    response = raw(client, first.id, what="attempts", format=kind)
    assert response.status_code == 200
    second = catalog.create_iteration(service, "再取り込み")
    db.session.commit()
    plan = imports.prepare(second.study, response.data, f"attempts.{kind}")
    assert plan.ok, plan.problems[:5]
    imports.commit(second.study, plan)
    before, after = figures.iteration_report(first), figures.iteration_report(second)
    # Every task figure (completion, inconvenience, SEQ, time, sentiment); floats to 1e-9, since SQL may sum
    # the same numbers in another order.
    assert after["tasks"] == approx(before["tasks"])
    for key in ("participants", "n", "outcomes", "sources", "completion", "inconvenience", "sentiment"):
        assert after["overall"][key] == approx(before["overall"][key]), key
    assert before["overall"]["participants"] == 13  # the withdrawn participant left neither file nor figure


def test_neutralised_formulas_come_back_as_the_text_they_were(client, ctx):
    service = make_service(tasks=1)
    first = service.iterations[0]
    add_residents(first, count=20, observed=False)
    login(client, make_user("service_team", [service]))
    exported = raw(client, first.id, what="attempts", format="csv").data
    assert b"'=HYPERLINK" in exported
    second = catalog.create_iteration(service, "再取り込み")
    db.session.commit()
    imports.commit(second.study, imports.prepare(second.study, exported, "a.csv"))
    texts = {row["comment"] for row in rows.raw_attempts(second) if row["comment"]}
    assert '=HYPERLINK("http://evil.example","x")' in texts and "＝SUM(A1:A3)" in texts
