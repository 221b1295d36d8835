"""Panel selection for 100,000 members (issue 15): `measure(url)` is what `python -m benchmarks mail` reports in
its selection section; `python -m benchmarks panel_selection` runs it alone on scratch databases.

On a freshly migrated scratch database: 100,000 active members with deterministic profiles (8 age bands x
5 wards x 3 devices = 120 quota cells) and a history of past tests (a fifth tested within the cool-off, a
few at the yearly limit); then timed: reading the candidates (services.panel.candidates: one query for the
members, one for their tests in the last year) and the pure selection of 500 by the 120 target shares.
"""
from __future__ import annotations

import argparse
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

MEMBERS = 100_000
COUNT = 500
AGES = ("20s", "30s", "40s", "50s", "60s", "70s", "80_plus", "under_20")
WARDS = ("131016", "131041", "131121", "131202", "131148")
DEVICES = ("smartphone", "pc", "tablet")
SECRET_KEY = "benchmark-panel-selection"


def _app(url: str):  # noqa: ANN202
    from civictest import create_app
    from civictest.config import Config

    config = type("BenchConfig", (Config,), {"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": SECRET_KEY,
                                             "RATELIMIT_ENABLED": False})
    return create_app(config)


def _fill(members: int) -> None:
    """Members and a history of joined invitations, inserted in batches through Core (no ORM per row)."""
    from civictest.extensions import db
    from civictest.models import PanelInvitation, PanelMember, PanelRound
    from civictest.models.base import utcnow
    from civictest.services import catalog

    rng = random.Random(15)
    now = utcnow()
    service_study = _study()
    test_session = catalog.create_session(service_study, name="bench", invite_code="BENCH-PANEL")
    db.session.flush()
    panel_round = PanelRound(session_id=test_session.id, requested=members)
    db.session.add(panel_round)
    db.session.commit()
    rows, invitations = [], []
    for number in range(1, members + 1):
        tested = rng.random() < 0.3
        last = now - timedelta(days=rng.randrange(1, 400)) if tested else None
        rows.append({"id": number, "email": f"m{number}@example.jp", "language": "ja", "status": "active",
                     "link_nonce": f"{number:032x}", "consent_version": "2026-12", "consented_at": now,
                     "confirmed_at": now, "age_band": rng.choice(AGES), "municipality_code": rng.choice(WARDS),
                     "device": rng.choice(DEVICES), "assistive_consent": False, "languages": "ja",
                     "availability": "", "last_tested_at": last, "created_at": now})
        if tested:
            invitations.append({"member_id": number, "session_id": test_session.id, "round_id": panel_round.id,
                                "token_hash": f"{number:064x}", "cell_key": "", "state": "finished",
                                "joined_at": last, "created_at": now})
    for start in range(0, len(rows), 5000):
        db.session.execute(PanelMember.__table__.insert(), rows[start:start + 5000])
    for start in range(0, len(invitations), 5000):
        db.session.execute(PanelInvitation.__table__.insert(), invitations[start:start + 5000])
    db.session.commit()
    if db.engine.dialect.name == "postgresql":
        db.session.execute(db.text("SELECT setval('panel_member_id_seq', (SELECT max(id) FROM panel_member))"))
        db.session.execute(db.text("ANALYZE"))
        db.session.commit()


def _study():  # noqa: ANN202
    from datetime import date

    from civictest.extensions import db
    from civictest.models import Department, Service
    from civictest.services import catalog

    service = Service(department=Department(code="bench", name_ja="ベンチ", name_en="Bench"), name_ja="ベンチ")
    db.session.add(service)
    db.session.flush()
    iteration = catalog.create_iteration(service, "第1版", starts_on=date(2026, 1, 1))
    db.session.flush()
    return iteration.study


def _quotas():  # noqa: ANN202
    from civictest.panel_selection import Quota

    rng = random.Random(7)
    weights = {(a, w, d): rng.uniform(0.5, 1.5) for a in AGES for w in WARDS for d in DEVICES}
    total = sum(weights.values())
    return [Quota({"age_band": a, "municipality_code": w, "device": d}, target_share=v / total)
            for (a, w, d), v in weights.items()]


def measure(url: str, members: int = MEMBERS, rounds: int = 3) -> dict:
    """Fill the (migrated) database at `url` with `members` members and time candidates + selection."""
    from civictest.extensions import db
    from civictest.models.base import utcnow
    from civictest.panel_selection import select
    from civictest.services import panel

    app = _app(url)
    with app.app_context():
        _fill(members)
        quotas = _quotas()
        read, choose, chosen = [], [], 0
        for _ in range(rounds):
            now = utcnow()
            started = time.perf_counter()
            candidates = panel.candidates(now)
            read.append(time.perf_counter() - started)
            started = time.perf_counter()
            result = select(candidates, quotas, COUNT, now=now, max_tests_per_year=4, cooloff_days=60,
                            max_no_shows=2, seed=1)
            choose.append(time.perf_counter() - started)
            chosen = len(result.chosen)
            db.session.remove()
        db.engine.dispose()
    read_s, select_s = statistics.median(read), statistics.median(choose)
    return {"members": members, "cells": len(quotas), "count": COUNT, "chosen": chosen,
            "read_s": round(read_s, 3), "select_s": round(select_s, 3), "total_s": round(read_s + select_s, 3)}


def describe(row: dict) -> str:
    return (f"{row['members']:,} members, {row['cells']} cells, {row['chosen']}/{row['count']} chosen: "
            f"reading candidates {row['read_s']:.2f} s + selection {row['select_s']:.2f} s = {row['total_s']:.2f} s")


def _on(url: str, members: int) -> dict:
    from flask_migrate import upgrade

    with _app(url).app_context():
        upgrade()
    return measure(url, members)


def main(argv: list[str] | None = None) -> int:
    from benchmarks.scratch import with_fresh_postgres

    parser = argparse.ArgumentParser(prog="python -m benchmarks panel_selection", description=__doc__)
    parser.add_argument("--members", type=int, default=MEMBERS)
    parser.add_argument("--postgres-url", default=os.environ.get("DATABASE_URL"))
    parser.add_argument("--no-postgres", action="store_true")
    options = parser.parse_args(argv)
    workdir = Path(tempfile.mkdtemp(prefix="civictest-bench-panel-"))
    try:
        print("sqlite:", describe(_on(f"sqlite:///{workdir / 'bench.sqlite3'}", options.members)), flush=True)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    if options.postgres_url and not options.no_postgres:
        from civictest.config import _database_url

        row = with_fresh_postgres(_database_url(options.postgres_url), lambda url: _on(url, options.members),
                                  prefix="civictest_bench_panel")
        print("postgresql:", describe(row), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
