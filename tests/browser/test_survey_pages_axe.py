"""axe on the survey pages: the staff pages (list, survey, waves, units, roster upload and its dry run with
problems) and the answer page by personal link on a phone without JavaScript, in Japanese and English: new,
with an error, already answered, closed, and an unknown link."""
from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from browser_support import axe, staff_login
from civictest.extensions import db
from civictest.models import Survey, SurveyWave
from civictest.services import surveys
from civictest.services.survey_demo import TITLE

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def survey_links(live_server) -> dict:
    """An open wave of the demo survey with three people on its roster: their personal links."""
    with live_server.app.app_context():
        survey = db.session.scalar(select(Survey).where(Survey.title_ja == TITLE))
        wave = db.session.scalar(select(SurveyWave).where(SurveyWave.survey_id == survey.id, SurveyWave.label == "2027年度（ブラウザ）"))
        if wave is None:
            wave = surveys.create_wave(survey, "2027年度（ブラウザ）")
            surveys.set_wave_state(wave, "open")
        from civictest.models import OrgUnit, RosterEntry

        unit = db.session.scalar(select(OrgUnit).order_by(OrgUnit.path).limit(1))
        links = []
        for i in range(3):
            entry = RosterEntry(wave_id=wave.id, email=f"browser{i}-{wave.id}@city.example.jp", org_unit_id=unit.id,
                                job_grade="主事", reminders=0, invited_at=surveys.utcnow())
            db.session.add(entry)
            links.append(surveys.issue_link(entry))
        db.session.commit()
        ids = {"survey": survey.id, "waves": [w.id for w in survey.waves], "open_wave": wave.id, "links": links}
        db.session.remove()
    return ids


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_staff_survey_pages_pass_axe(live_server, new_page, survey_links, lang, tmp_path: Path):
    page = new_page()
    staff_login(page, live_server.url, "admin@example.jp")
    paths = ["/surveys/", "/surveys/new", f"/surveys/{survey_links['survey']}", "/surveys/units",
             f"/surveys/waves/{survey_links['open_wave']}/roster"]
    paths += [f"/surveys/waves/{wave_id}" for wave_id in survey_links["waves"]]
    for path in paths:
        response = page.goto(f"{live_server.url}{path}?lang={lang}")
        assert response.status == 200, path
        axe(page, label=f"{path} ({lang})")
    assert "10" in page.content()  # the suppression threshold is stated on the wave page
    roster = tmp_path / "roster.csv"
    roster.write_bytes("メールアドレス,所属,職層\na@city.example.jp,どこにもない課,主事\n=1+1,子ども家庭部/保育課/入園係,\n"
                       .encode("cp932"))
    page.goto(f"{live_server.url}/surveys/waves/{survey_links['open_wave']}/roster?lang={lang}")
    page.set_input_files("input[type=file]", str(roster))
    with page.expect_navigation():
        page.click("main form button[type=submit]")
    assert page.is_visible(".error-summary")
    axe(page, label=f"roster dry run with problems ({lang})")


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_answer_page_on_a_phone_without_javascript_passes_axe(live_server, new_page, survey_links, lang):
    page = new_page(js=False, phone=True)
    token = survey_links["links"][0 if lang == "ja" else 1]
    page.goto(f"{live_server.url}/respond?t={token}&lang={lang}")
    axe(page, label=f"answer page ({lang})")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    with page.expect_navigation():  # the overall satisfaction is required: the error state
        page.click("main form button[type=submit]")
    assert page.is_visible(".error-summary")
    axe(page, label=f"answer page with an error ({lang})")
    for n in range(5):
        page.check(f"input[type=radio][value='4'] >> nth={n}")
    with page.expect_navigation():
        page.click("main form button[type=submit]")
    page.goto(f"{live_server.url}/respond?t={token}&lang={lang}")
    assert page.is_visible(".notice")
    axe(page, label=f"already answered ({lang})")
    page.goto(f"{live_server.url}/respond?t=unknown&lang={lang}")
    axe(page, label=f"unknown link ({lang})")


def test_closed_wave_page_passes_axe(live_server, new_page, survey_links):
    with live_server.app.app_context():
        wave = db.session.get(SurveyWave, survey_links["open_wave"])
        if wave.state == "open":
            surveys.set_wave_state(wave, "closed")
            db.session.commit()
        db.session.remove()
    page = new_page(js=False, phone=True)
    page.goto(f"{live_server.url}/respond?t={survey_links['links'][2]}")
    assert "回答の受付は終わりました" in page.content()
    axe(page, label="closed wave")


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_survey_open_data_page_passes_axe(live_server, new_page, lang):
    with live_server.app.app_context():
        wave_id = db.session.scalar(select(SurveyWave.id).where(SurveyWave.state == "published"))
        db.session.remove()
    page = new_page(js=False, phone=True)
    page.goto(f"{live_server.url}/open-data/?lang={lang}")
    assert f"/open-data/surveys/{wave_id}/" in page.content()
    response = page.goto(f"{live_server.url}/open-data/surveys/{wave_id}/?lang={lang}")
    assert response.status == 200
    axe(page, label=f"survey open data ({lang})")
