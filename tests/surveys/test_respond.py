"""Answering by a personal link: one page, Japanese or English, answer once, change until the wave closes."""
from __future__ import annotations

from helpers import hidden_fields, login, make_user
from sqlalchemy import func, select
from survey_helpers import add_roster, make_survey

from civictest.extensions import db
from civictest.models import RosterEntry, SurveyAnswer, SurveyResponse
from civictest.services import surveys


def _open(people: int = 1):  # noqa: ANN202
    survey, wave = make_survey()
    surveys.set_wave_state(wave, "open")
    db.session.commit()
    links = add_roster(wave, [(f"p{i}@city.example.jp", "総務局/総務部/総務課", "主事") for i in range(people)])
    return survey, wave, links


def _answers(wave, values: list[str]) -> dict:  # noqa: ANN001
    return {f"item-{item.id}": value for item, value in zip(wave.items, values, strict=False)}


def test_a_link_answers_once_and_changes_the_same_response(client, ctx):
    survey, wave, links = _open()
    entry, token = links[0]
    page = client.get(f"/respond?t={token}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "業務に必要な端末がそろっている" in html and "どちらかといえばそう思う" in html
    assert page.headers["Cache-Control"] == "no-store"
    response = client.post("/respond", data={**hidden_fields(html), **_answers(wave, ["4", "2", "1", "電話番号は090-1234-5678です"])})
    assert response.status_code == 303
    assert db.session.get(RosterEntry, entry.id).has_answered is True
    again = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "回答を受け付けました" in again
    second = client.get(f"/respond?t={token}").get_data(as_text=True)
    assert "このリンクからはすでに回答があります" in second and 'value="4" checked' in second
    client.post("/respond", data={**hidden_fields(second), **_answers(wave, ["5", "5", "2", ""])})
    assert db.session.scalar(select(func.count()).select_from(SurveyResponse)) == 1
    values = dict(db.session.execute(select(SurveyAnswer.item_id, SurveyAnswer.value)).all())
    assert [values.get(item.id) for item in wave.items] == [5, 5, 2, None]


def test_free_text_is_stored_without_personal_data(client, ctx):
    survey, wave, links = _open()
    html = client.get(f"/respond?t={links[0][1]}").get_data(as_text=True)
    client.post("/respond", data={**hidden_fields(html), **_answers(wave, ["", "", "", "連絡は090-1234-5678まで"])})
    text = db.session.scalar(select(SurveyAnswer.text))
    assert text and "090-1234-5678" not in text
    assert "自由記述の回答は、この回が終わってから 3 年後に消します" in html  # RETENTION_DAYS: 3 x 365 + 1


def test_the_page_says_when_free_text_is_deleted(client, ctx, app, monkeypatch):
    survey, wave, links = _open()
    monkeypatch.setitem(app.config, "RETENTION_DAYS", 400)
    html = client.get(f"/respond?t={links[0][1]}").get_data(as_text=True)
    assert "この回が終わってから 400 日後に消します" in html
    english = client.get(f"/respond?t={links[0][1]}&lang=en").get_data(as_text=True)
    assert "deleted 400 days after this survey closes" in english


def test_bad_answers_are_refused_with_a_message_and_nothing_stored(client, ctx):
    survey, wave, links = _open()
    surveys.add_item(survey, "agreement5", "必須の質問", required=True)  # joins no open wave
    wave.items[0].required = True
    db.session.commit()
    html = client.get(f"/respond?t={links[0][1]}").get_data(as_text=True)
    response = client.post("/respond", data={**hidden_fields(html), **_answers(wave, ["", "9"])})
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "この質問には回答してください" in page and "選択肢から選んでください" in page
    assert db.session.scalar(select(func.count()).select_from(SurveyResponse)) == 0
    assert db.session.get(RosterEntry, links[0][0].id).has_answered is False


def test_english_page_and_unknown_links(client, ctx):
    survey, wave, links = _open()
    html = client.get(f"/respond?t={links[0][1]}&lang=en").get_data(as_text=True)
    assert "I have the devices I need" in html and "Somewhat agree" in html
    assert f"/respond?t={links[0][1]}&amp;lang=ja" in html  # the language switch keeps the link
    assert client.get("/respond?t=nope").status_code == 404
    assert client.get("/respond").status_code == 404


def test_after_the_wave_closes_answers_are_refused_kindly(client, ctx):
    survey, wave, links = _open(2)
    html = client.get(f"/respond?t={links[0][1]}").get_data(as_text=True)
    client.post("/respond", data={**hidden_fields(html), **_answers(wave, ["3"])})
    fields = hidden_fields(client.get(f"/respond?t={links[1][1]}").get_data(as_text=True))
    surveys.set_wave_state(wave, "closed")
    db.session.commit()
    late = client.post("/respond", data={**fields, **_answers(wave, ["1"])})
    assert late.status_code == 409 and "回答の受付は終わりました" in late.get_data(as_text=True)
    page = client.get(f"/respond?t={links[0][1]}").get_data(as_text=True)
    assert "回答の受付は終わりました" in page and "あなたの回答は受け付けられています" in page and "<form method=\"post\" action=\"/respond" not in page
    assert db.session.scalar(select(func.count()).select_from(SurveyResponse)) == 1


def test_response_rates_per_unit_are_hidden_below_k(client, ctx, app):
    survey, wave, links = _open(12)
    more = add_roster(wave, [(f"q{i}@city.example.jp", "財務局/主計部/財政課", "係長") for i in range(5)])
    for _, token in links[:10] + more[:3]:
        surveys.save_answers(token, {wave.items[0].id: "4"})
    db.session.commit()
    login(client, make_user("admin", email="admin@example.jp"))
    html = client.get(f"/surveys/waves/{wave.id}").get_data(as_text=True)
    assert app.config["SURVEY_SUPPRESSION_K"] == 10
    assert "83.3%" in html  # 10 of 12
    row = html.split("財務局/主計部/財政課")[1].split("</tr>")[0]
    assert "10 人未満" in row and "60.0" not in row and ">3<" not in row
