"""The demo's staff survey: 職員のデジタル環境調査 over about 300 staff in 12 units of 4 departments, asked in
2025年度 (published) and 2026年度 (closed, clearly better: new laptops and faster network), deterministic.

Loaded by services.demo.load (idempotent on its own: recognised by the survey's title)."""
from __future__ import annotations

import hashlib
import random
from datetime import date, datetime, timezone

from sqlalchemy import select

from civictest.extensions import db
from civictest.models import Department
from civictest.models.base import ID_MAX
from civictest.models.surveys import RosterEntry, Survey, SurveyAnswer, SurveyResponse
from civictest.services import surveys

SEED = 20261205
TITLE = "職員のデジタル環境調査"
OWNER = "kodomo"
# (unit path 部/課/係, staff)
UNITS = [
    ("子ども家庭部/保育課/入園係", 30), ("子ども家庭部/保育課/保育指導係", 18), ("子ども家庭部/子育て支援課/手当係", 26),
    ("環境清掃部/清掃事務所/作業係", 45), ("環境清掃部/環境課/環境推進係", 16), ("環境清掃部/ごみ減量課/粗大ごみ係", 8),
    ("区民部/戸籍住民課/住民記録係", 40), ("区民部/戸籍住民課/戸籍係", 22), ("区民部/区民課/窓口係", 30),
    ("税務部/課税課/住民税係", 35), ("税務部/納税課/収納係", 28), ("税務部/納税課/滞納整理係", 9),
]
GRADES = [("主事", 0.5), ("主任", 0.25), ("係長", 0.18), ("課長", 0.07)]
ITEMS = [
    ("agreement5", "業務に必要なデジタル機器（パソコン・スマートフォンなど）がそろっている",
     "I have the digital devices my work needs (PC, smartphone, ...)"),
    ("agreement5", "庁内のネットワークは業務に十分な速さである", "The office network is fast enough for my work"),
    ("agreement5", "ペーパーレスやテレワークで業務を進めやすい", "Paperless work and remote work are easy"),
    ("agreement5", "デジタルの研修や支援を必要なときに受けられる", "I can get digital training and help when I need it"),
    ("satisfaction5", "職場のデジタル環境全体に満足している", "Overall, I am satisfied with my digital work environment"),
]
DEVICE = ("single_choice", "主に使う端末", "Main device",
          [{"ja": "デスクトップパソコン", "en": "Desktop PC"}, {"ja": "ノートパソコン", "en": "Laptop"},
           {"ja": "タブレット", "en": "Tablet"}, {"ja": "ほとんど使わない", "en": "Hardly any"}])
FREE = ("free_text", "デジタル環境で改善してほしいこと", "What should improve in your digital environment")
COMMENTS = [
    ["パソコンの起動に10分かかり、朝の窓口準備に間に合わない。", "会議室のWi-Fiがよく切れる。",
     "紙の決裁が多く、テレワークの日にできる仕事がない。", "研修がいつあるのかわからない。",
     "ファイルサーバーが遅くて添付ファイルが開けない。"],
    ["新しいノートパソコンになって会議に持ち込めるようになった。", "電子決裁になり、テレワークしやすくなった。",
     "ネットワークは速くなったが、古いシステムの画面はまだ遅い。", "ヘルプデスクにチャットで聞けるのが助かる。",
     "現場の作業係にもタブレットがほしい。"],
]
# Per wave: how far answers lean positive (added to a 1..5 scale centre), and the share who answer.
WAVES = [("2025年度", date(2025, 6, 2), date(2025, 6, 30), -0.45, 0.62),
         ("2026年度", date(2026, 6, 1), date(2026, 6, 29), 0.55, 0.71)]


def load() -> bool:
    """Create the demo survey unless it is there; True when it was created."""
    department = db.session.scalar(select(Department).where(Department.code == OWNER))
    if department is None or db.session.scalar(select(Survey).where(Survey.title_ja == TITLE)) is not None:
        return False
    rng = random.Random(SEED)
    units = {unit.path: unit for unit in surveys.ensure_units([path for path, _ in UNITS])}
    survey = surveys.create_survey(department, TITLE, title_en="Staff digital environment survey",
                                   intro_ja="毎年同じ質問で、職場のデジタル環境についてお聞きします。",
                                   intro_en="Every year we ask the same questions about your digital work environment.")
    for code, (kind, ja, en) in enumerate(ITEMS, 1):
        surveys.add_item(survey, kind, ja, wording_en=en, code=f"q{code}", required=kind == "satisfaction5")
    surveys.add_item(survey, DEVICE[0], DEVICE[1], wording_en=DEVICE[2], options=DEVICE[3], code="device")
    surveys.add_item(survey, FREE[0], FREE[1], wording_en=FREE[2], code="improve")
    paths = [path for path, size in UNITS for _ in range(size)]
    staff = [(f"staff{i:03d}@city.example.jp", path, _grade(rng)) for i, path in enumerate(paths)]
    used_ids: set[int] = set()
    for number, (label, opens, closes, lean, share) in enumerate(WAVES):
        wave = surveys.create_wave(survey, label, opens_on=opens, closes_on=closes)
        wave.state = "closed"
        wave.opened_at = datetime(opens.year, opens.month, opens.day, tzinfo=timezone.utc)
        wave.closed_at = datetime(closes.year, closes.month, closes.day, tzinfo=timezone.utc)
        if number == 0:
            wave.state, wave.published_at = "published", datetime(2025, 7, 15, tzinfo=timezone.utc)
        db.session.flush()
        for email, path, grade in staff:
            answered = rng.random() < share - (0.15 if path.endswith("作業係") else 0.0)
            db.session.add(RosterEntry(wave_id=wave.id, email=email, org_unit_id=units[path].id, job_grade=grade,
                                       token_hash=_hash(rng), invited_at=wave.opened_at, reminders=1,
                                       reminded_at=wave.opened_at, has_answered=answered))
            if answered:
                _response(rng, wave, units[path].id, grade, lean - (0.5 if path.endswith("作業係") else 0.0),
                          number, used_ids)
    db.session.flush()
    return True


def _grade(rng: random.Random) -> str:
    return rng.choices([g for g, _ in GRADES], weights=[w for _, w in GRADES])[0]


def _hash(rng: random.Random) -> str:
    return hashlib.sha256(rng.randbytes(32)).hexdigest()


def _response(rng: random.Random, wave, unit_id: int, grade: str, lean: float, number: int,  # noqa: ANN001
              used_ids: set[int]) -> None:
    response_id = rng.randint(1, ID_MAX)
    while response_id in used_ids:
        response_id = rng.randint(1, ID_MAX)
    used_ids.add(response_id)
    day = datetime(wave.opens_on.year, wave.opens_on.month, wave.opens_on.day + rng.randrange(0, 20),
                   tzinfo=timezone.utc)
    response = SurveyResponse(id=response_id, wave_id=wave.id, org_unit_id=unit_id, job_grade=grade,
                              respondent_key=_hash(rng), language="ja", submitted_at=day, updated_at=day)
    db.session.add(response)
    person = rng.gauss(0, 0.6)
    for item in wave.items:
        if item.is_scale:
            if not item.required and rng.random() < 0.03:
                continue  # left blank
            value = round(3 + lean + person + rng.gauss(0, 0.9))
            response.answers.append(SurveyAnswer(wave_id=wave.id, item_id=item.id, value=min(5, max(1, value))))
        elif item.kind == "single_choice":
            weights = [0.6, 0.3, 0.05, 0.05] if number == 0 else [0.25, 0.65, 0.05, 0.05]
            value = rng.choices(range(1, 5), weights=weights)[0]
            response.answers.append(SurveyAnswer(wave_id=wave.id, item_id=item.id, value=value))
        elif rng.random() < 0.25:
            response.answers.append(SurveyAnswer(wave_id=wave.id, item_id=item.id, text=rng.choice(COMMENTS[number])))
