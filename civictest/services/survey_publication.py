"""Publishing a survey wave: its open-data files are built once, from the same results the staff pages show,
with the survey suppression (SURVEY_SUPPRESSION_K), and frozen (SurveyWaveSnapshot); the public pages serve the
frozen bytes. A wave is published only after it closed, so no answer can change the files afterwards."""
from __future__ import annotations

import json

from flask import current_app, has_request_context
from sqlalchemy import select

from civictest.exporting import survey_opendata
from civictest.exporting.writers import to_csv_bytes, to_json_bytes
from civictest.extensions import db
from civictest.models.base import utcnow
from civictest.models.surveys import SurveyWave, SurveyWaveSnapshot
from civictest.services.surveys import set_wave_state

FILES = (  # (file name, format, description ja, en)
    ("survey.csv", "CSV", "集計結果（縦持ち、UTF-8 BOM付き）", "Figures (long format, UTF-8 with BOM)"),
    ("survey.json", "JSON", "集計結果（英字の項目名）", "Figures (ASCII field names)"),
    ("metadata.json", "JSON", "メタデータ（ライセンス、出典、期間、項目、秘匿の決まり）",
     "Metadata (licence, attribution, period, columns, suppression rule)"),
    ("dictionary.csv", "CSV", "項目定義（日本語名と英字の物理名）", "Data dictionary (Japanese and ASCII names)"),
)


def package_info(wave: SurveyWave) -> survey_opendata.SurveyPackageInfo:
    survey = wave.survey
    return survey_opendata.SurveyPackageInfo(
        wave_id=wave.id, department_ja=survey.department.name_ja, department_en=survey.department.name_en,
        survey_ja=survey.title_ja, survey_en=survey.title_en, wave_number=wave.number, wave_label=wave.label,
        opens_on=wave.opens_on, closes_on=wave.closes_on, lg_code=current_app.config.get("OPEN_DATA_LG_CODE") or None,
        published_at=wave.published_at)


def open_data_files(wave: SurveyWave) -> dict[str, bytes]:
    """Every open-data file of a wave, built now (what publishing freezes)."""
    if not has_request_context():
        from civictest.web.urls import site_url

        with current_app.test_request_context("/", base_url=site_url() or "http://localhost"):
            return open_data_files(wave)
    from civictest.reporting.surveys import wave_results
    from civictest.web.urls import public_url

    k = int(current_app.config["SURVEY_SUPPRESSION_K"])
    results = wave_results(wave, k, every_item=True, with_text=False)
    info = package_info(wave)
    table = survey_opendata.survey_table(results, info)
    distributions = [{"title": {"ja": ja, "en": en}, "format": kind, "file": name,
                      "url": public_url("public.survey_open_data_file", wave_id=wave.id, name=name)}
                     for name, kind, ja, en in FILES]
    meta = survey_opendata.metadata(info, k, distributions)
    body = {key: meta[key] for key in ("title", "license", "attribution", "issued", "temporal", "suppression")}
    body["records"] = table.to_dict(orient="records")
    return {
        "survey.csv": to_csv_bytes(survey_opendata.japanese_headers(table)),
        "survey.json": to_json_bytes(body, indent=1),
        "metadata.json": to_json_bytes(meta, indent=1),
        "dictionary.csv": to_csv_bytes(survey_opendata.dictionary_table()),
    }


def publish_wave(wave: SurveyWave) -> SurveyWaveSnapshot:
    """closed -> published, and the files frozen."""
    set_wave_state(wave, "published")
    return _freeze(wave)


def snapshot(wave: SurveyWave) -> SurveyWaveSnapshot | None:
    """The frozen files of a published wave; one published without them (the demo) is frozen now, once."""
    if wave.state != "published":
        return None
    found = db.session.scalar(select(SurveyWaveSnapshot).where(SurveyWaveSnapshot.wave_id == wave.id))
    if found is None:
        found = _freeze(wave)
        db.session.commit()
    return found


def published_waves() -> list[SurveyWave]:
    return list(db.session.scalars(select(SurveyWave).where(SurveyWave.state == "published")
                                   .order_by(SurveyWave.published_at.desc(), SurveyWave.id)))


def _freeze(wave: SurveyWave) -> SurveyWaveSnapshot:
    wave.published_at = wave.published_at or utcnow()
    files = open_data_files(wave)
    row = SurveyWaveSnapshot(wave_id=wave.id, published_at=wave.published_at,
                             files_json=json.dumps({name: body.decode("utf-8") for name, body in files.items()},
                                                   ensure_ascii=False))
    db.session.add(row)
    db.session.flush()
    return row


