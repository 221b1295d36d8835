"""Live-service feedback figures at scale: the tally read the pages use against a GROUP BY over every answer.

    python -m benchmarks feedback [--answers 100000 --answers 1000000] [--rounds 3]
                                  [--postgres-url URL | --no-postgres]

For each size N, a scratch database (a SQLite file; also a scratch PostgreSQL database with --postgres-url or a
postgresql DATABASE_URL) gets one service with three iterations and N answers spread over them (seeded ratings,
task answers and 30% with a comment), bulk-inserted, and their FeedbackTally built from the rows as
civictest.services.feedback keeps it. Timed, median of --rounds:
  figures   reporting.figures.Figures().feedback(service): the tally rows + the statistics (what page and API do)
  group_by  the same counts by GROUP BY over the service's answers (services.feedback.tally_from_rows): what the
            figures would cost without the tally
  insert    one answer through services.feedback.record_feedback (row + tally upsert) and its commit
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from datetime import date

import numpy as np
from benchmarks.scratch import each_size

CHUNK = 50_000


def _time(action, rounds: int) -> float:  # noqa: ANN001
    runs = []
    for _ in range(rounds):
        start = time.perf_counter()
        action()
        runs.append(time.perf_counter() - start)
    return statistics.median(runs)


def measure(database: str, url: str, size: int, rounds: int) -> dict:
    from flask_migrate import upgrade
    from sqlalchemy import insert

    from civictest import create_app
    from civictest.config import TestConfig
    from civictest.extensions import db
    from civictest.models import Department, FeedbackResponse, FeedbackTally, Service
    from civictest.reporting.figures import Figures
    from civictest.services import catalog
    from civictest.services.feedback import record_feedback, tally_from_rows

    app = create_app(type("Bench", (TestConfig,), {"SQLALCHEMY_DATABASE_URI": url}))
    with app.app_context():
        upgrade()
        service = Service(department=Department(code="bench", name_ja="部"), name_ja="サービス")
        db.session.add(service)
        db.session.flush()
        iterations = [catalog.create_iteration(service, f"第{n}版", starts_on=date(2024 + n, 1, 1)) for n in (1, 2, 3)]
        db.session.commit()
        rng = np.random.default_rng(20261206)
        start = time.perf_counter()
        for offset in range(0, size, CHUNK):
            n = min(CHUNK, size - offset)
            its = rng.integers(0, 3, n)
            ratings = rng.choice([1, 2, 3, 4, 5], n, p=[0.08, 0.12, 0.2, 0.35, 0.25])
            done = rng.choice(np.array(["yes", "partly", "no", None], dtype=object), n)
            comment = rng.random(n) < 0.3
            db.session.execute(insert(FeedbackResponse), [
                {"service_id": service.id, "iteration_id": iterations[int(i)].id, "rating": int(r), "task_done": d,
                 "comment": "入力が長かったです。" if c else "", "redactions": "", "lang": "ja",
                 "received_week": date(2026, 11, 30)} for i, r, d, c in zip(its, ratings, done, comment)])
            db.session.commit()
        db.session.execute(insert(FeedbackTally), [
            {"iteration_id": i, "rating": r, "task_done": t, "n": n, "with_comment": c}
            for (i, r, t), (n, c) in tally_from_rows(service.id).items()])
        db.session.commit()
        generated = time.perf_counter() - start
        if database == "postgresql":
            db.session.execute(db.text("ANALYZE"))
            db.session.commit()
        figures = _time(lambda: Figures().feedback(service), rounds)
        group_by = _time(lambda: tally_from_rows(service.id), rounds)

        def one_answer() -> None:
            record_feedback(service, rating=4, task_done="yes", comment="", lang="ja")
            db.session.commit()

        insert_s = _time(one_answer, rounds)
        assert Figures().feedback(service)["points"][-1]["n"] > 0
        db.session.remove()
        db.engine.dispose()
    row = {"database": database, "answers": size, "gen_s": generated, "figures_ms": figures * 1000,
           "group_by_ms": group_by * 1000, "insert_ms": insert_s * 1000}
    print(_line(row), file=sys.stderr, flush=True)  # as soon as measured: a long run keeps what it found
    return row


def _line(r: dict) -> str:
    return (f"| {r['database']} | {r['answers']:,} | {r['gen_s']:.1f} | {r['figures_ms']:.1f} | "
            f"{r['group_by_ms']:.1f} | {r['insert_ms']:.1f} |")


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks feedback")
    parser.add_argument("--answers", type=int, action="append")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--postgres-url")
    parser.add_argument("--no-postgres", action="store_true")
    args = parser.parse_args(argv)
    postgres = None if args.no_postgres else (args.postgres_url or (
        os.environ.get("DATABASE_URL") if (os.environ.get("DATABASE_URL") or "").startswith("postgresql") else None))
    rows = each_size(args.answers or [100_000, 1_000_000], postgres,
                     lambda database, url, n: measure(database, url, n, args.rounds), "feedback")
    print("| database | answers | gen s | figures ms (tally) | GROUP BY ms | one answer ms |")
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    for r in rows:
        print(_line(r))
    sys.stdout.flush()
    return 0
