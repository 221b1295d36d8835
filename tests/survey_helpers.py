"""Survey fixtures: a department, an org tree, a staff survey with three items and a wave."""
from __future__ import annotations

from helpers import make_service

from civictest.extensions import db
from civictest.services import surveys

UNITS = ["総務局/総務部/総務課", "総務局/総務部/文書課", "財務局/主計部/財政課"]


def make_survey(title: str = "職員のデジタル環境調査") -> tuple:
    """(survey, first wave) with an agreement, a satisfaction, a single-choice and a free-text item."""
    service = make_service()
    surveys.ensure_units(UNITS)
    survey = surveys.create_survey(service.department, title, title_en="Staff digital environment survey")
    surveys.add_item(survey, "agreement5", "業務に必要な端末がそろっている", wording_en="I have the devices I need")
    surveys.add_item(survey, "satisfaction5", "デジタル環境全体に満足している", wording_en="Overall satisfaction")
    surveys.add_item(survey, "single_choice", "主に使う端末", wording_en="Main device",
                     options=[{"ja": "デスクトップ", "en": "Desktop"}, {"ja": "ノート", "en": "Laptop"}])
    surveys.add_item(survey, "free_text", "改善してほしいこと", wording_en="What should improve")
    wave = surveys.create_wave(survey, "2026年度")
    db.session.commit()
    return survey, wave


def roster_csv(rows: list[tuple[str, str, str]], encoding: str = "utf-8") -> bytes:
    import csv
    import io

    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["メールアドレス", "所属", "職層"])
    writer.writerows(rows)
    return out.getvalue().encode(encoding)


def add_roster(wave, people: list[tuple[str, str, str]]) -> list:  # noqa: ANN001
    """Roster entries for (email, unit path, grade), each with a fresh link: [(entry, token)]."""
    from sqlalchemy import select

    from civictest.models import OrgUnit, RosterEntry

    units = {unit.path: unit.id for unit in db.session.scalars(select(OrgUnit))}
    out = []
    for email, path, grade in people:
        entry = RosterEntry(wave_id=wave.id, email=email, org_unit_id=units[path], job_grade=grade, reminders=0,
                            invited_at=surveys.utcnow())
        db.session.add(entry)
        out.append((entry, surveys.issue_link(entry)))
    db.session.commit()
    return out
