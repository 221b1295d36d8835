"""The tester panel's staff pages and API with 100,000 members (issue 15), next to a bare SQL GROUP BY.

    python -m benchmarks panel_page [--members 100000] [--rounds 5] [--postgres-url URL | --no-postgres]

On a freshly migrated scratch database (a SQLite file in a temporary directory; also a temporary PostgreSQL
database when --postgres-url or a postgresql DATABASE_URL is given): --members members (90% active, 5% pending,
5% left; 8 age bands x 5 wards x 3 devices), one study with the 120 quota cells of `benchmarks panel_selection`
and 4 sessions, 3 invitation rounds of 1,500 members per session (18,000 invitations with their quota cell;
40% joined, three quarters of those finished, each joined one with its participant), 24 months of joins and
leaves, and 2,000 incentives. Inserted through Core in batches, then ANALYZE. An admin account is made with
accounts.create_user and an API token with accounts.issue_api_token, as `flask users token` does.

Timed, median of --rounds interleaved rounds after one untimed warm-up round; a request is the whole of it
through Flask's test client (routing, login check, queries, template or JSON, the body read) and must answer 200:
  bare status  SELECT status, count(*) FROM panel_member GROUP BY status            (the reference)
  bare cells   SELECT age_band, municipality_code, device, count(*) ... WHERE status = 'active' GROUP BY ...
  overview     GET /manage/panel                     size, months, rounds of the visible sessions, incentives
  session      GET /manage/panel/sessions/<first>    rounds, composition chart, screener, incentives ledger
  api panel    GET /api/v1/panel                     (bearer token)
  api session  GET /api/v1/panel/sessions/<first>    (bearer token)
  export       reporting.panel.export_rows()         one row per member (the CSV's rows), in an app context
"""
from __future__ import annotations

import argparse
import os
import random
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

from benchmarks.panel_selection import AGES, DEVICES, WARDS, _quotas, _study
from benchmarks.pages import EMAIL, PASSWORD, _logged_in_client, _request, _runs, _warm_up

MEMBERS = 100_000
SESSIONS, ROUNDS_PER_SESSION, PER_ROUND = 4, 3, 1_500
BARE_STATUS = "SELECT status, count(*) FROM panel_member GROUP BY status"
BARE_CELLS = ("SELECT age_band, municipality_code, device, count(*) FROM panel_member WHERE status = 'active' "
              "GROUP BY age_band, municipality_code, device")


def _app(url: str):  # noqa: ANN202
    from civictest import create_app

    return create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "benchmark-panel-page", "TESTING": False,
                       "RATELIMIT_ENABLED": False})


def _insert(table, rows: list[dict]) -> None:  # noqa: ANN001
    from civictest.extensions import db

    for start in range(0, len(rows), 5000):
        db.session.execute(table.insert(), rows[start:start + 5000])


def _fill(members: int) -> tuple[int, str]:
    """The panel described above; the first session's id and an API token."""
    from civictest.extensions import db
    from civictest.models import (
        PanelIncentive, PanelInvitation, PanelMember, PanelMonthlyCount, PanelRound, Participant,
    )
    from civictest.models.base import utcnow
    from civictest.panel_selection import cell_key
    from civictest.services import accounts, catalog, panel

    rng = random.Random(15)
    now = utcnow()
    study = _study()
    sessions = [catalog.create_session(study, name=f"bench {n}", invite_code=f"BENCH-PANEL-{n}")
                for n in range(1, SESSIONS + 1)]
    db.session.flush()
    panel.set_quotas(study, [{"cell": q.cell, "share": q.target_share} for q in _quotas()], commit=False)
    rows, active = [], []
    for number in range(1, members + 1):
        status = rng.choices(("active", "pending", "left"), (90, 5, 5))[0]
        rows.append({"id": number, "email": f"m{number}@example.jp", "language": "ja", "status": status,
                     "link_nonce": f"{number:032x}", "consent_version": "2026-12", "consented_at": now,
                     "confirmed_at": now if status != "pending" else None, "age_band": rng.choice(AGES),
                     "municipality_code": rng.choice(WARDS), "device": rng.choice(DEVICES),
                     "assistive_consent": False, "languages": "ja", "availability": "", "created_at": now})
        if status == "active":
            active.append(rows[-1])
    _insert(PanelMember.__table__, rows)
    invitations, participants, incentives = [], [], []
    serial = 0
    for test_session in sessions:
        chosen = rng.sample(active, ROUNDS_PER_SESSION * PER_ROUND)
        for number in range(ROUNDS_PER_SESSION):
            panel_round = PanelRound(session_id=test_session.id, requested=PER_ROUND)
            db.session.add(panel_round)
            db.session.flush()
            for member in chosen[number * PER_ROUND:(number + 1) * PER_ROUND]:
                serial += 1
                joined = rng.random() < 0.4
                finished = joined and rng.random() < 0.75
                sent = now - timedelta(days=rng.randrange(1, 300))
                invitation = {"member_id": member["id"], "session_id": test_session.id, "round_id": panel_round.id,
                              "token_hash": f"{serial:064x}", "state": "finished" if finished else
                              "joined" if joined else "sent", "participant_id": None,
                              "cell_key": cell_key({d: member[d] for d in ("age_band", "device",
                                                                           "municipality_code")}),
                              "sent_at": sent, "joined_at": sent + timedelta(days=1) if joined else None,
                              "finished_at": sent + timedelta(days=1) if finished else None, "created_at": now}
                if joined:
                    invitation["participant_id"] = serial
                    participants.append({"id": serial, "public_id": f"p{serial:031x}", "session_id": test_session.id,
                                         "receipt_code": f"r{serial:031x}", "join_key": f"k{serial:063x}",
                                         "consent_version": "2026-12", "consented_at": sent, "profile_done": True,
                                         "finished_at": invitation["finished_at"], "withdrawn": False,
                                         "created_at": sent})
                    if len(incentives) < 2000:
                        incentives.append({"member_id": member["id"], "session_id": test_session.id,
                                           "description": "図書カード", "amount_yen": 500,
                                           "given_on": date(2026, 1, 1) + timedelta(days=rng.randrange(330)),
                                           "created_at": now})
                invitations.append(invitation)
    _insert(Participant.__table__, participants)
    _insert(PanelInvitation.__table__, invitations)
    _insert(PanelIncentive.__table__, incentives)
    _insert(PanelMonthlyCount.__table__, [{"month": f"{2025 + m // 12}-{m % 12 + 1:02d}", "joins": rng.randrange(2000, 6000),
                                           "leaves": rng.randrange(50, 300)} for m in range(24)])
    db.session.commit()
    if db.engine.dialect.name == "postgresql":
        for table in ("panel_member", "participant"):
            db.session.execute(db.text(f"SELECT setval('{table}_id_seq', (SELECT max(id) FROM {table}))"))
    db.session.execute(db.text("ANALYZE"))
    user = accounts.create_user(EMAIL, "admin", PASSWORD, "Benchmark")
    token = accounts.issue_api_token(user)
    db.session.commit()
    first = sessions[0].id
    db.session.remove()
    return first, token


def _bare(app, sql: str) -> Callable[[], int]:  # noqa: ANN001
    from sqlalchemy import text

    from civictest.extensions import db

    def step() -> int:
        with app.app_context(), db.engine.connect() as connection:
            return len(connection.execute(text(sql)).all())
    return step


def _export(app) -> Callable[[], int]:  # noqa: ANN001
    from civictest.extensions import db
    from civictest.reporting import panel as panel_figures

    def step() -> int:
        with app.app_context():
            rows = len(panel_figures.export_rows())
            db.session.remove()
            return rows
    return step


def measure(database: str, url: str, members: int, rounds: int) -> dict:
    from flask_migrate import upgrade

    from civictest.extensions import db

    app = _app(url)
    started = time.perf_counter()
    with app.app_context():
        upgrade()
        first, token = _fill(members)
    print(f"... {database}: {members:,} members generated in {time.perf_counter() - started:.0f} s",
          file=sys.stderr, flush=True)
    web, api, bearer = _logged_in_client(app), app.test_client(), {"Authorization": f"Bearer {token}"}
    steps = {"bare status": _bare(app, BARE_STATUS), "bare cells": _bare(app, BARE_CELLS),
             "overview": _request(web, "/manage/panel", {}),
             "session": _request(web, f"/manage/panel/sessions/{first}", {}),
             "api panel": _request(api, "/api/v1/panel", bearer),
             "api session": _request(api, f"/api/v1/panel/sessions/{first}", bearer),
             "export": _export(app)}
    errors: dict[str, str] = {}
    sizes = _warm_up(steps, errors)
    row = _runs(steps, rounds, 600.0, errors)
    with app.app_context():
        db.engine.dispose()
    return {"database": database, "members": members, "sizes": sizes, "errors": errors, **row}


def describe(row: dict) -> list[str]:
    bare = row.get("bare status")
    lines = [f"{row['database']}: {row['members']:,} members, median of {row['rounds']} rounds"]
    for name in ("bare status", "bare cells", "overview", "session", "api panel", "api session", "export"):
        if name in row:
            ratio = f"  {row[name] / bare:6.1f}x bare" if bare else ""
            unit = "rows" if name in ("bare status", "bare cells", "export") else "bytes"
            lines.append(f"  {name:12s} {row[name] * 1000:8.1f} ms{ratio}   ({row['sizes'].get(name, 0):,} {unit})")
        elif name in row["errors"]:
            lines.append(f"  {name:12s} ERROR {row['errors'][name][:120]}")
    return lines


def main(argv: list[str] | None = None) -> int:
    from benchmarks.report import postgres_server
    from benchmarks.scratch import with_fresh_postgres

    parser = argparse.ArgumentParser(prog="python -m benchmarks panel_page", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--members", type=int, default=MEMBERS)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--postgres-url")
    parser.add_argument("--no-postgres", action="store_true")
    options = parser.parse_args(argv)
    print(f"load: {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f} {os.getloadavg()[2]:.2f}", flush=True)
    workdir = Path(tempfile.mkdtemp(prefix="civictest-bench-panel-page-"))
    try:
        row = measure("sqlite", f"sqlite:///{workdir / 'bench.sqlite3'}", options.members, options.rounds)
        print("\n".join(describe(row)), flush=True)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    server = None if options.no_postgres else postgres_server(options.postgres_url, os.environ.get("DATABASE_URL"))
    if server:
        row = with_fresh_postgres(server, lambda url: measure("postgresql", url, options.members, options.rounds),
                                  prefix="civictest_bench_panel_page")
        print("\n".join(describe(row)), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
