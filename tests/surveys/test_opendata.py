"""A published wave goes to /open-data/: frozen files, the same licence, small units withheld (no subtraction)."""
from __future__ import annotations

import csv
import io
import json

from helpers import login, make_user, post_form
from sqlalchemy import select
from survey_helpers import add_roster, make_survey

from civictest.extensions import db
from civictest.models import SurveyWaveSnapshot
from civictest.services import surveys

K = 10


def _published_wave(client):  # noqa: ANN001, ANN202
    survey, wave = make_survey()
    surveys.set_wave_state(wave, "open")
    db.session.commit()
    people = ([(f"a{i}@x.jp", "総務局/総務部/総務課", "主事") for i in range(12)]
              + [(f"b{i}@x.jp", "総務局/総務部/文書課", "係長") for i in range(3)]
              + [(f"c{i}@x.jp", "財務局/主計部/財政課", "主事") for i in range(12)])
    for n, (_, token) in enumerate(add_roster(wave, people)):
        surveys.save_answers(token, {wave.items[0].id: str(1 + n % 5), wave.items[2].id: "2"})
    db.session.commit()
    login(client, make_user("admin", email="admin@example.jp"))
    url = f"/surveys/waves/{wave.id}"
    post_form(client, f"{url}/state", {"state": "published"}, get_url=url)  # open: refused
    assert client.get(f"/open-data/surveys/{wave.id}/").status_code == 404
    post_form(client, f"{url}/state", {"state": "closed"}, get_url=url)
    post_form(client, f"{url}/state", {"state": "published"}, get_url=url)
    return survey, wave


def _rows(client, wave_id: int) -> list[dict]:  # noqa: ANN001
    body = client.get(f"/open-data/surveys/{wave_id}/survey.csv").get_data()
    return list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"))))


def test_published_wave_is_open_data_with_small_units_withheld(client, ctx, app):
    assert app.config["SURVEY_SUPPRESSION_K"] == K
    survey, wave = _published_wave(client)
    assert db.session.scalar(select(SurveyWaveSnapshot.wave_id)) == wave.id
    index = client.get("/open-data/").get_data(as_text=True)
    assert f"/open-data/surveys/{wave.id}/" in index
    page = client.get(f"/open-data/surveys/{wave.id}/")
    assert page.status_code == 200 and "クリエイティブ・コモンズ 表示 4.0" in page.get_data(as_text=True)
    meta = json.loads(client.get(f"/open-data/surveys/{wave.id}/metadata.json").get_data())
    assert meta["license"]["id"] == "CC-BY-4.0" and meta["suppression"]["k"] == K
    rows = _rows(client, wave.id)
    whole = [r for r in rows if r["区分名"] == "" and r["指標コード"] == "respondents"]
    assert whole[0]["値"] == "27" and whole[0]["秘匿"] == "0"
    respondents = {r["区分値名称"]: r for r in rows if r["区分名"] == "所属" and r["指標コード"] == "respondents"}
    small = respondents["総務局/総務部/文書課"]
    assert small["値"] == "" and small["秘匿"] == "1"
    assert respondents["財務局/主計部/財政課"]["値"] == "12"
    # No subtraction reveals the small unit: a shown parent minus its shown children is never 1..k-1 alone.
    shown = {path: int(r["値"]) for path, r in respondents.items() if r["秘匿"] == "0"}
    for parent, total in shown.items():
        children = [p for p in respondents if p.startswith(parent + "/") and p.count("/") == parent.count("/") + 1]
        hidden = [c for c in children if c not in shown]
        if len(hidden) == 1:
            assert not 1 <= total - sum(shown[c] for c in children if c in shown) < K, parent
    # Every withheld row is blank; no free text, no e-mail anywhere.
    assert all(r["値"] == "" for r in rows if r["秘匿"] == "1")
    text = client.get(f"/open-data/surveys/{wave.id}/survey.json").get_data(as_text=True)
    assert "@x.jp" not in text and "改善してほしいこと" not in text
    assert client.get(f"/open-data/surveys/{wave.id}/other.csv").status_code == 404


def test_open_data_is_frozen_at_publication(client, ctx):
    survey, wave = _published_wave(client)
    before = client.get(f"/open-data/surveys/{wave.id}/survey.csv").get_data()

    from civictest.models import SurveyAnswer

    db.session.execute(SurveyAnswer.__table__.update().values(value=5))
    db.session.commit()
    assert client.get(f"/open-data/surveys/{wave.id}/survey.csv").get_data() == before
    other = surveys.create_wave(survey, "2027年度")
    db.session.commit()
    assert client.get(f"/open-data/surveys/{other.id}/").status_code == 404
