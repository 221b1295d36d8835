"""Staff survey pages: authoring, waves, roster dry run (all or nothing), access per department."""
from __future__ import annotations

import io

from helpers import csrf_token, login, make_service, make_user, post_form
from sqlalchemy import func, select
from survey_helpers import make_survey, roster_csv

from civictest.extensions import db
from civictest.models import RosterEntry, Survey, SurveyItem, SurveyWave
from civictest.services import surveys


def test_staff_create_a_survey_with_items_and_waves(client, ctx):
    service = make_service()
    login(client, make_user("service_team", [service]))
    response = post_form(client, "/surveys/new", {"department_id": service.department_id, "audience": "staff",
                                                  "languages": "ja,en", "title_ja": "職員満足度調査", "title_en": "Staff survey"})
    assert response.status_code == 302
    survey = db.session.scalar(select(Survey))
    url = f"/surveys/{survey.id}"
    assert post_form(client, f"{url}/items", {"kind": "agreement5", "wording_ja": "仕事にやりがいがある"}, get_url=url).status_code == 302
    bad = post_form(client, f"{url}/items", {"kind": "single_choice", "wording_ja": "通勤手段", "options": "電車"}, get_url=url)
    assert bad.status_code == 400 and "選択肢を2つ以上" in bad.get_data(as_text=True)
    assert post_form(client, f"{url}/items", {"kind": "single_choice", "wording_ja": "通勤手段",
                                              "options": "電車 | Train\n自転車 | Bicycle"}, get_url=url).status_code == 302
    assert post_form(client, f"{url}/waves", {"label": "2026年度", "opens_on": "2026-06-01", "closes_on": "2026-06-30"},
                     get_url=url).status_code == 302
    assert post_form(client, f"{url}/waves", {"label": "2027年度"}, get_url=url).status_code == 302
    waves = list(db.session.scalars(select(SurveyWave).order_by(SurveyWave.number)))
    assert [len(w.items) for w in waves] == [2, 2] and waves[1].items[1].options[1] == {"ja": "自転車", "en": "Bicycle"}
    page = client.get(f"/surveys/waves/{waves[0].id}")
    assert page.status_code == 200 and "2026年度" in page.get_data(as_text=True)
    response = post_form(client, f"/surveys/waves/{waves[0].id}/state", {"state": "open"}, get_url=f"/surveys/waves/{waves[0].id}")
    assert response.status_code == 302 and db.session.get(SurveyWave, waves[0].id).state == "open"
    # draft -> published is not a step: refused, nothing changes
    post_form(client, f"/surveys/waves/{waves[1].id}/state", {"state": "published"}, get_url=f"/surveys/waves/{waves[1].id}")
    assert db.session.get(SurveyWave, waves[1].id).state == "draft"


def test_other_departments_staff_see_nothing(client, ctx):
    survey, wave = make_survey()
    other = make_service(code="zaimu", name="税の申告")
    login(client, make_user("service_team", [other], email="other@example.jp"))
    assert client.get(f"/surveys/{survey.id}").status_code == 404
    assert client.get(f"/surveys/waves/{wave.id}").status_code == 404
    assert "職員のデジタル環境調査" not in client.get("/surveys/").get_data(as_text=True)
    assert client.get("/surveys/").status_code == 200
    client.post("/auth/logout")


def test_facilitators_and_anonymous_are_kept_out(client, ctx):
    survey, _ = make_survey()
    assert client.get(f"/surveys/{survey.id}").status_code in (302, 401)
    login(client, make_user("facilitator", email="f@example.jp"))
    assert client.get(f"/surveys/{survey.id}").status_code == 403


def _upload(client, wave_id: int, raw: bytes, name: str = "roster.csv"):  # noqa: ANN001, ANN202
    url = f"/surveys/waves/{wave_id}/roster"
    token = csrf_token(client.get(url).get_data(as_text=True))
    return client.post(url, data={"csrf_token": token, "file": (io.BytesIO(raw), name)},
                       content_type="multipart/form-data")


def test_roster_dry_run_lists_every_problem_and_adds_nothing(client, ctx):
    survey, wave = make_survey()
    admin = make_user("admin", email="admin@example.jp")
    login(client, admin)
    raw = roster_csv([
        ("a@city.example.jp", "総務局/総務部/総務課", "主事"),
        ("A@city.example.jp", "総務局/総務部/総務課", "主事"),  # the same address in other case
        ("b@city.example.jp", "総務局/広報部/広報課", ""),  # no such unit
        ("=HYPERLINK(\"x\")", "総務局/総務部/総務課", ""),  # a formula
        ("c@city.example.jp", "財務局/主計部/財政課", "@SUM(1)"),
        ("not-an-address", "財務局/主計部/財政課", "係長"),
    ], encoding="cp932")
    response = _upload(client, wave.id, raw)
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Shift_JIS（CP932）として読みました" in html
    assert "同じメールアドレスが 2 行目にもあります" in html
    assert "登録されていない所属です: 総務局/広報部/広報課" in html
    assert html.count("数式のように始まっています") == 2
    assert "メールアドレスの形ではありません" in html
    assert "名簿に追加する" not in html
    assert db.session.scalar(select(func.count()).select_from(RosterEntry)) == 0


def test_roster_good_file_is_added_after_the_dry_run_all_rows(client, ctx):
    survey, wave = make_survey()
    login(client, make_user("admin", email="admin@example.jp"))
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["E-mail", "Org unit", "Grade"])
    for i in range(12):
        sheet.append([f"p{i}@city.example.jp", "総務局/総務部/総務課" if i % 2 else "財務局／主計部／財政課", "主事"])
    buffer = io.BytesIO()
    book.save(buffer)
    response = _upload(client, wave.id, buffer.getvalue(), "名簿.xlsx")
    html = response.get_data(as_text=True)
    assert response.status_code == 200, html[:2000]
    assert "12 人を名簿に追加する" in html
    token = html.split('name="token" value="')[1].split('"')[0]
    response = client.post(f"/surveys/waves/{wave.id}/roster/review",
                           data={"csrf_token": csrf_token(html), "token": token})
    assert response.status_code == 302
    assert db.session.scalar(select(func.count()).select_from(RosterEntry)) == 12
    # the same file again: every address is already on the roster, nothing is added twice
    again = _upload(client, wave.id, buffer.getvalue(), "名簿.xlsx")
    assert again.status_code == 400 and "すでにある" in again.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(RosterEntry)) == 12


def test_units_page_adds_paths_with_their_parents(client, ctx):
    make_survey()
    login(client, make_user("admin", email="admin@example.jp"))
    response = post_form(client, "/surveys/units", {"paths": "環境局/環境部/環境課\n環境局/環境部/緑化課"})
    assert response.status_code == 302
    html = client.get("/surveys/units").get_data(as_text=True)
    assert "環境局/環境部/緑化課" in html and "<li>環境局</li>" in html


def test_item_added_later_joins_only_draft_waves(ctx):
    survey, wave = make_survey()
    surveys.set_wave_state(wave, "open")
    draft = surveys.create_wave(survey, "2027年度")
    item = surveys.add_item(survey, "agreement5", "テレワークしやすい")
    db.session.commit()
    assert item.id in [i.id for i in draft.items] and item.id not in [i.id for i in wave.items]
    assert db.session.scalar(select(func.count()).select_from(SurveyItem)) == 5
