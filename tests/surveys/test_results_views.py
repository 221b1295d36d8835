"""The survey results page and API: who may see them, and that both show the numbers reporting computes."""
from __future__ import annotations

import re

from helpers import login, make_service, make_user
from survey_results_data import two_waves

from civictest.extensions import db
from civictest.reporting import surveys as reporting
from civictest.services import accounts


def bearer(user) -> dict:  # noqa: ANN001
    token = accounts.issue_api_token(user)
    db.session.commit()
    return {"Authorization": f"Bearer {token}"}


def results_url(survey, wave) -> str:  # noqa: ANN001
    return f"/api/v1/surveys/{survey.id}/waves/{wave.id}/results"


def test_api_lists_surveys_and_returns_the_wave_results(app, client):
    with app.app_context():
        survey, first, second = two_waves()
        admin = make_user("admin")
        headers = bearer(admin)
        expected = reporting.wave_results(second, app.config["SURVEY_SUPPRESSION_K"], every_item=True)
        one_item = reporting.wave_results(second, app.config["SURVEY_SUPPRESSION_K"], item_id=survey.items[1].id)
        survey_id, first_id, second_id = survey.id, first.id, second.id
    listed = client.get("/api/v1/surveys", headers=headers)
    assert listed.status_code == 200
    assert [w["id"] for w in listed.json["surveys"][0]["waves"]] == [first_id, second_id]
    response = client.get(f"/api/v1/surveys/{survey_id}/waves/{second_id}/results", headers=headers)
    assert response.status_code == 200
    assert response.json == expected
    assert response.json["items"][0]["overall"]["positive"]["count"] == 12
    assert len(response.json["unit_items"]) == 2  # both scale items per unit
    narrowed = client.get(f"/api/v1/surveys/{survey_id}/waves/{second_id}/results?item={one_item['unit_items'][0]}",
                          headers=headers)
    assert narrowed.json == one_item and narrowed.json["unit_items"] == one_item["unit_items"]
    assert client.get(f"/api/v1/surveys/{survey_id}/waves/{second_id}/results?item=x", headers=headers).status_code == 400
    # a wave of another survey, or an id out of range, is 404
    assert client.get(f"/api/v1/surveys/{survey_id + 1}/waves/{second_id}/results", headers=headers).status_code == 404
    assert client.get(f"/api/v1/surveys/{survey_id}/waves/{2**31}/results", headers=headers).status_code == 404
    assert client.get(f"/api/v1/surveys/{survey_id}/waves/{second_id}/results").status_code == 401


def test_staff_of_other_departments_see_no_survey(app, client):
    with app.app_context():
        survey, first, second = two_waves()
        other = make_service(code="other", name="別の部署のサービス")
        outsider = make_user("product_owner", [other])
        headers = bearer(outsider)
        ids = survey.id, second.id
    assert client.get("/api/v1/surveys", headers=headers).json["surveys"] == []
    assert client.get(f"/api/v1/surveys/{ids[0]}/waves/{ids[1]}/results", headers=headers).status_code == 404


def cells(html: str) -> list[str]:
    return [re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", html, re.S)]


def test_page_shows_the_same_numbers_as_the_api(app, client):
    with app.app_context():
        survey, first, second = two_waves()
        admin = make_user("admin")
        headers = bearer(admin)
        wave_id, survey_id = second.id, survey.id
    login(client, admin)
    page = client.get(f"/compare/surveys/waves/{wave_id}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    api = client.get(f"/api/v1/surveys/{survey_id}/waves/{wave_id}/results", headers=headers).json
    first_item = api["items"][0]
    positive = first_item["overall"]["positive"]
    # the items table: 40% positive (interval), neutral 50%, negative 10%, mean 3.6, 30 answers
    table = html[html.index('<table class="survey-items">'):]
    row = re.search(r"<tr><th scope=\"row\">業務に必要な端末がそろっている</th>(.*?)</tr>", table, re.S).group(1)
    shown = cells(row)
    assert shown[0].startswith(f"{positive['share'] * 100:.0f}%")
    assert f"{positive['lower'] * 100:.0f}%〜{positive['upper'] * 100:.0f}%" in shown[0]
    assert shown[3].startswith(f"{first_item['overall']['mean']:.1f}") and shown[4] == str(first_item["overall"]["n"])
    # the plain sentence about respondents and the response rate, and the verdict against the first wave
    assert "回答者 30人、回答率 33%（招待 90人）。" in html
    change = api["comparison"]["items"][0]
    assert change["verdict"] == "improved"
    assert f"改善: {change['positive']['p2'] * 100:.0f}% → {change['positive']['p1'] * 100:.0f}%" in html
    # units: 総務局/総務部 shown with 15 respondents; 文書課 merged
    unit = next(u for u in api["units"] if u["path"] == "総務局/総務部")
    assert re.search(rf"総務局/総務部</th><td class=\"num\">{unit['respondents']}</td>", html)
    assert "総務局/総務部/文書課 → 総務部" in html
    assert 'class="chart chart-diverging"' in html and "端末" in html  # the bars and a theme
    english = client.get(f"/compare/surveys/waves/{wave_id}?lang=en").get_data(as_text=True)
    assert "Respondents" in english or "respondents" in english


def test_results_page_needs_a_visible_survey(app, client):
    with app.app_context():
        survey, first, second = two_waves()
        other = make_service(code="other", name="別の部署のサービス")
        outsider = make_user("product_owner", [other])
        wave_id = second.id
    login(client, outsider)
    assert client.get(f"/compare/surveys/waves/{wave_id}").status_code == 404
    assert client.get("/compare/surveys/waves/999999999999").status_code == 404
    assert "職員のデジタル環境調査" not in client.get("/compare/surveys").get_data(as_text=True)
