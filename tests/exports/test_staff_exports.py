"""Staff downloads: who may download what, MIME types, audit, formula safety, no profile fields."""
import csv
import io
import json

import pytest
from exports.residents import add_residents
from helpers import csrf_token, login, make_service, make_user
from openpyxl import load_workbook
from sqlalchemy import select

from civictest.extensions import db
from civictest.models import AuditEvent
from civictest.services import catalog

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
def world(ctx):
    service = make_service(tasks=2)
    add_residents(service.iterations[0], count=12, withdrawn=2)
    second = catalog.create_iteration(service, "第2版")
    db.session.commit()
    add_residents(second, count=10, seed=2)
    return service


def download(client, iteration_id: int, route: str, **data):  # noqa: ANN001, ANN201
    """POST a download form with the CSRF token of the iteration's downloads page."""
    token = csrf_token(client.get(f"/compare/iterations/{iteration_id}/downloads").get_data(as_text=True))
    return client.post(f"/{route}", data={"csrf_token": token, **data})


def figures(client, iteration_id: int, **data):  # noqa: ANN001, ANN201
    return download(client, iteration_id, f"compare/iterations/{iteration_id}/export", **data)


def comparison(client, iteration_id: int, **data):  # noqa: ANN001, ANN201
    return download(client, iteration_id, f"compare/iterations/{iteration_id}/comparison-export", **data)


def raw(client, iteration_id: int, **data):  # noqa: ANN001, ANN201
    return download(client, iteration_id, f"manage/iterations/{iteration_id}/export", **data)


def rows(raw: bytes) -> list[list[str]]:
    assert raw.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline="")))


@pytest.mark.parametrize("kind, mimetype", [("csv", "text/csv; charset=utf-8"), ("xlsx", XLSX),
                                            ("json", "application/json")])
def test_product_owners_download_figures_as_attachments_and_it_is_audited(client, world, kind, mimetype):
    iteration = world.iterations[1]
    login(client, make_user("product_owner", [world]))
    response = figures(client, iteration.id, format=kind)
    assert response.status_code == 200 and response.headers["Content-Type"] == mimetype
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert response.headers["Content-Disposition"].split('"')[1].endswith(f"-v2-figures.{kind}")
    compared = comparison(client, iteration.id, format=kind)
    assert compared.status_code == 200 and compared.headers["Content-Type"] == mimetype
    events = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "export")).all()
    assert [(e.detail["what"], e.detail["format"], e.object_id) for e in events] == [
        ("figures", kind, iteration.id), ("comparison", kind, iteration.id)]
    assert events[1].detail["base"] == world.iterations[0].id


def test_figures_json_holds_the_report_and_the_long_records(client, world):
    login(client, make_user("service_team", [world]))
    body = json.loads(figures(client, world.iterations[0].id, format="json").data)
    assert body["overall"]["participants"] == 10 and body["iteration"]["id"] == world.iterations[0].id
    assert {r["metric"] for r in body["records"]} >= {"completion_rate", "participants", "comments"}


def test_raw_rows_are_for_the_service_team_only(client, world):
    iteration = world.iterations[0]
    login(client, make_user("product_owner", [world]))
    page = client.get(f"/compare/iterations/{iteration.id}/downloads").get_data(as_text=True)
    assert "/export/attempts" not in page and 'name="what"' not in page
    assert raw(client, iteration.id).status_code == 403
    login(client, make_user("service_team", [make_service("kankyo", "粗大ごみ")], "other@example.jp"))
    assert client.get(f"/compare/iterations/{iteration.id}/downloads").status_code == 404
    token = csrf_token(client.get("/compare/downloads/").get_data(as_text=True))
    for url in (f"/manage/iterations/{iteration.id}/export", f"/compare/iterations/{iteration.id}/export"):
        assert client.post(url, data={"csrf_token": token}).status_code == 404
    login(client, make_user("facilitator", [world], "f@example.jp"))
    assert client.get(f"/compare/iterations/{iteration.id}/downloads").status_code == 403
    login(client, make_user("service_team", [world], "team@example.jp"))
    assert 'name="what"' in client.get(f"/compare/iterations/{iteration.id}/downloads").get_data(as_text=True)
    assert raw(client, iteration.id).status_code == 200
    assert raw(client, iteration.id, format="json").status_code == 404
    assert raw(client, iteration.id, what="profiles").status_code == 404


def test_downloads_are_posts_with_a_csrf_token(client, world):
    iteration = world.iterations[0]
    login(client, make_user("service_team", [world]))
    assert client.get(f"/manage/iterations/{iteration.id}/export").status_code == 405
    assert client.post(f"/manage/iterations/{iteration.id}/export").status_code == 400  # no token
    assert not db.session.scalars(select(AuditEvent).where(AuditEvent.action == "export")).all()


def test_raw_attempts_are_pseudonymous_without_profile_fields(client, world):
    iteration = world.iterations[0]
    login(client, make_user("service_team", [world]))
    attempts = rows(raw(client, iteration.id, what="attempts").data)
    header = attempts[0]
    assert header[:8] == ["参加者", "タスク番号", "タスク名", "結果コード", "結果", "SEQ", "所要時間_秒", "記録の種類"]
    assert not {"年代", "市区町村", "機器", "支援技術", "age_band", "municipality"} & set(header)
    people = {row[0] for row in attempts[1:]}
    assert people == {f"P{i:04d}" for i in range(1, 11)}  # 12 joined, 2 withdrawn
    comments = rows(raw(client, iteration.id, what="comments").data)
    assert {row[0] for row in comments[1:]} <= people
    assert not {"年代", "市区町村"} & set(comments[0])


def test_formula_cells_are_neutralised_in_csv_and_xlsx(client, world):
    iteration = world.iterations[0]
    login(client, make_user("service_team", [world]))
    table = rows(raw(client, iteration.id, what="comments", format="csv").data)
    texts = [row[4] for row in table[1:]]
    dangerous = [t for t in texts if t.lstrip("'")[:1] in ("=", "+", "-", "@", "＝")]
    assert dangerous and all(t.startswith("'") for t in dangerous)
    book = load_workbook(io.BytesIO(raw(client, iteration.id, what="comments", format="xlsx").data))
    cells = [cell for row in book["コメント"].iter_rows(min_row=2) for cell in row]
    assert all(cell.data_type != "f" for cell in cells)
    # XLSX types its text cells instead of prefixing them: the text reads exactly as the CSV's unguarded text.
    xlsx_texts = [row[4].value for row in book["コメント"].iter_rows(min_row=2)]
    assert xlsx_texts == [t[1:] if t in dangerous else t or None for t in texts]
    assert all(row[4].data_type == "s" for row in book["コメント"].iter_rows(min_row=2) if row[4].value)
    formulas = [c.value for c in cells if isinstance(c.value, str) and c.value[:1] in ("=", "+", "@", "＝")]
    assert formulas and not any(isinstance(c.value, str) and c.value.startswith("'") for c in cells)
    assert book.sheetnames == ["コメント", "項目定義"]
    dictionary = {row[0].value: row[2].value for row in book["項目定義"].iter_rows(min_row=2)}
    assert dictionary["感情スコア"] == "-1〜1"  # Excel shows what was written, not '-1〜1


def test_comparison_needs_a_base_of_the_same_service(client, world):
    other = make_service("kankyo", "粗大ごみ")
    login(client, make_user("admin"))
    first, second = world.iterations
    assert comparison(client, first.id).status_code == 302  # no earlier iteration: back to the page, with a message
    assert comparison(client, second.id, base=other.iterations[0].id).status_code == 404
    assert comparison(client, second.id, base=second.id).status_code == 404
    assert comparison(client, second.id, base=first.id).status_code == 200
    assert comparison(client, second.id).status_code == 200  # the previous iteration by default
    assert figures(client, second.id, format="pdf").status_code == 404


def test_downloads_index_links_each_iteration(client, world):
    login(client, make_user("product_owner", [world]))
    page = client.get("/compare/downloads/").get_data(as_text=True)
    for iteration in world.iterations:
        assert f"/compare/iterations/{iteration.id}/downloads" in page
