"""Import pages: upload, review with the mapping, commit; limits, permissions and tampering."""
import io
import re

from helpers import csrf_token, hidden_fields, login, make_service, make_user
from sqlalchemy import func, select

from civictest.extensions import db
from civictest.models import Attempt, Comment

CSV = ("参加者ID,タスク番号,結果,SEQ,所要時間_秒,コメント\r\n"
       "P1,1,できた,6,95,わかりやすい\r\nP1,2,難しかったができた,3,80,\r\nP2,1,たぶん,5,60,\r\n")


def attempts() -> int:
    return db.session.scalar(select(func.count()).select_from(Attempt))


def upload(client, iteration_id: int, raw: bytes, name: str = "回答.csv"):  # noqa: ANN001, ANN201
    url = f"/manage/iterations/{iteration_id}/import"
    token = csrf_token(client.get(url).get_data(as_text=True))
    return client.post(url, data={"csrf_token": token, "file": (io.BytesIO(raw), name)},
                       content_type="multipart/form-data")


def review(client, iteration_id: int, page: str, **changes):  # noqa: ANN001, ANN201
    """Submit the review form as a browser would: its hidden fields and selected options, plus changes."""
    data = hidden_fields(page)
    for name, body in re.findall(r'<select[^>]*name="([^"]+)"[^>]*>(.*?)</select>', page, re.S):
        chosen = re.search(r'<option selected value="([^"]*)"|<option value="([^"]*)" selected', body)
        data[name] = (chosen.group(1) or chosen.group(2)) if chosen else ""
    data.update(changes)
    return client.post(f"/manage/iterations/{iteration_id}/import/review", data=data,
                       content_type="multipart/form-data")


def setup_team(client):  # noqa: ANN001, ANN201
    service = make_service()
    login(client, make_user("service_team", [service]))
    return service.iterations[0]


def test_upload_review_fix_a_word_and_commit(client, ctx):
    iteration = setup_team(client)
    page = upload(client, iteration.id, CSV.encode("cp932"))
    html = page.get_data(as_text=True)
    assert page.status_code == 400 and "Shift_JIS" in html
    assert "結果の言葉を読み取れません: たぶん" in html and ">4<" in html  # the row number
    assert 'value="commit"' not in html and attempts() == 0
    word_field = next(k for k, v in hidden_fields(html).items() if k.startswith("word_") and v == "たぶん")
    fixed = review(client, iteration.id, html, **{word_field.replace("word_", "code_"): "partial"})
    html = fixed.get_data(as_text=True)
    assert fixed.status_code == 200 and 'value="commit"' in html and attempts() == 0
    done = review(client, iteration.id, html, action="commit")
    assert done.status_code == 302 and done.headers["Location"].endswith(f"/manage/iterations/{iteration.id}")
    assert attempts() == 3
    assert db.session.scalar(select(func.count()).select_from(Comment)) == 1
    page = client.get(done.headers["Location"]).get_data(as_text=True)
    assert "3 件の試行" in page


def test_a_changed_column_mapping_is_used(client, ctx):
    iteration = setup_team(client)
    html = upload(client, iteration.id, CSV.replace("たぶん", "できた").encode()).get_data(as_text=True)
    # Map the comment column away: nothing else changes, and no comment is stored.
    done = review(client, iteration.id, html, col_comment="", action="commit")
    assert done.status_code == 302 and attempts() == 3
    assert db.session.scalar(select(func.count()).select_from(Comment)) == 0


def test_malformed_files_get_a_clear_page_and_import_nothing(client, ctx):
    iteration = setup_team(client)
    cases = {
        b"": "ファイルが空です",
        b"\x00\x01\x02\xff" * 2000: "表計算のファイルとして読めません",
        b"PK\x03\x04broken": "Excel ファイル（.xlsx）として開けません",
        "名前,電話\r\n山田,03\r\n".encode(): "「参加者（同じ値の行は同じ人）」にあたる列を選んでください",
    }
    for raw, message in cases.items():
        response = upload(client, iteration.id, raw, "x.csv")
        assert response.status_code == 400, message
        assert message in response.get_data(as_text=True)
    assert attempts() == 0


def test_a_50_mb_upload_is_refused_with_413(client, ctx):
    iteration = setup_team(client)
    response = upload(client, iteration.id, b"a,b\r\n" * (10 * 1024 * 1024))
    assert response.status_code == 413
    assert "20 MB" in response.get_data(as_text=True)
    assert attempts() == 0


def test_a_tampered_or_foreign_token_imports_nothing(client, ctx):
    iteration = setup_team(client)
    html = upload(client, iteration.id, CSV.replace("たぶん", "できた").encode()).get_data(as_text=True)
    token = hidden_fields(html)["token"]
    response = review(client, iteration.id, html, token=token[:-3] + "abc", action="commit")
    assert response.status_code == 302 and response.headers["Location"].endswith("/import")
    other = make_service("kankyo", "粗大ごみ").iterations[0]
    login(client, make_user("admin"))
    fresh = csrf_token(client.get(f"/manage/iterations/{other.id}/import").get_data(as_text=True))
    response = review(client, other.id, html, csrf_token=fresh, action="commit")  # signed for another study
    assert response.status_code == 302 and attempts() == 0


def test_who_may_import(client, ctx):
    service, other = make_service(), make_service("kankyo", "粗大ごみ")
    login(client, make_user("service_team", [service]))
    assert client.get(f"/manage/iterations/{service.iterations[0].id}/import").status_code == 200
    assert client.get(f"/manage/iterations/{other.iterations[0].id}/import").status_code == 404
    for role in ("product_owner", "facilitator"):
        login(client, make_user(role, [service]))
        assert client.get(f"/manage/iterations/{service.iterations[0].id}/import").status_code == 403


def test_a_shared_strings_bomb_gets_a_clear_page_in_the_users_language(client, ctx, monkeypatch):
    """Issue 17: refused through the import's error path, before openpyxl builds a single string."""
    import openpyxl
    from imports.test_spreadsheets import shared_strings_bomb

    monkeypatch.setattr(openpyxl, "load_workbook", lambda *a, **k: (_ for _ in ()).throw(AssertionError("parsed")))
    iteration = setup_team(client)
    raw = shared_strings_bomb(600_000)
    response = upload(client, iteration.id, raw, "回答.xlsx")
    assert response.status_code == 400
    assert "Excel ファイルの中の文字列が多すぎます（500,000 個まで）" in response.get_data(as_text=True)
    client.get("/?lang=en")
    response = upload(client, iteration.id, raw, "answers.xlsx")
    assert response.status_code == 400
    assert "too many text values (at most 500,000)" in response.get_data(as_text=True)
    assert attempts() == 0
