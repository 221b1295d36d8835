"""Iteration report and comparison at scale, timed next to a bare SQL GROUP BY over the same rows, in one run.

    python -m benchmarks report [--attempts 10000 --attempts 100000 ...] [--rounds 3] [--budget 180]
                                [--postgres-url URL | --no-postgres] [--vacuum]

For each size N, a scratch database (a SQLite file in a temporary directory; also a temporary PostgreSQL
database when --postgres-url or a postgresql DATABASE_URL is given) gets one service with 10 tasks and two
iterations of N attempts each (seeded synthetic data, bulk-inserted with executemany / COPY). The mix: 40
sessions per iteration, one closed as invalid (2.5% of residents), two in person where an observer also
recorded every task (5% more rows; 10% of those without a SEQ rating), 1% withdrawn, 5% not_attempted,
a comment on 10% of attempts and a SUS questionnaire per resident.

Timed, median of --rounds (interleaved, so load from other processes hits all alike):
  bare     SELECT task_id, outcome, count(*) FROM attempt WHERE study_id = ? GROUP BY task_id, outcome
           (the reported iteration's N rows; bare x2 is the same over both iterations' 2N rows)
  sql      reporting.queries.iteration_data as the report calls it (every query: the tally's counts, ratings and
           time sums, the medians, SUS, sentiment)
  report   reporting.figures.iteration_report (sql plus the statistics); ratio = report / bare (target <= 3)
  compare  reporting.figures.compare of the two iterations; ratio = compare / bare x2
Memory: the tracemalloc peak of one extra report (Python allocations; tracing is not timed) and the
process's peak resident set during the timed runs (VmHWM, reset before them; ru_maxrss where not Linux).
The schema is the models' plus one index for the bare query alone (study_id, task_id, outcome), so that the
reference is a streaming GROUP BY over an index made for it. The generator inserts rows without the app, then
stores which attempts count, and their tally, with civictest.counting.refresh over each study, as a migration
would (that time is part of "gen s").
"""
from __future__ import annotations

import argparse
import os
import resource
import statistics
import sys
import time
import tracemalloc
from datetime import datetime, timezone
from pathlib import Path

import numpy as np
from benchmarks.scratch import each_size, size_options

TASKS, SESSIONS, SEED = 10, 40, 20261126
EXCLUDED_SESSIONS, OBSERVED_SESSIONS = {0}, {1, 2}
OUTCOMES = np.array(["success", "partial", "failure", "abandoned", "not_attempted"], dtype=object)
NOW = datetime(2026, 11, 1, tzinfo=timezone.utc)
CHUNK = 20_000  # residents generated and inserted at a time, so generation memory stays small
SQLITE_TARGET_S, RATIO_TARGET = 1.0, 3.0


# -- bulk insert ---------------------------------------------------------------------------------
def _filler(column, n: int, dialect: str) -> object:  # noqa: ANN001 - a sqlalchemy Column
    """A value (or n values) for a NOT NULL column the generator does not set, so schema changes don't break it."""
    default = getattr(column.default, "arg", None)
    if column.unique:
        return [f"{column.table.name}-{column.name}-{os.urandom(6).hex()}-{i}" for i in range(n)]
    if default is not None and not callable(default):
        return default
    try:
        kind = column.type.python_type.__name__
    except NotImplementedError:
        kind = "str"
    return {"datetime": _now(dialect), "bool": False, "int": 0, "float": 0.0, "list": "[]", "dict": "{}"}.get(kind, "")


def _now(dialect: str) -> object:
    """The timestamp every generated row carries, in the form each driver stores."""
    return NOW.strftime("%Y-%m-%d %H:%M:%S.%f") if dialect == "sqlite" else NOW


def insert(connection, table, columns: dict, n: int) -> None:  # noqa: ANN001
    """Insert n rows: `columns` maps names to per-row lists or constants; other NOT NULL columns get fillers."""
    dialect = "sqlite" if connection.__class__.__module__.startswith("sqlite3") else "postgresql"
    names, values = [], []
    for column in table.columns:
        if column.name in columns:
            value = columns[column.name]
        elif column.nullable or column.primary_key:
            continue
        else:
            value = _filler(column, n, dialect)
        names.append(column.name)
        values.append(value if isinstance(value, list) else [value] * n)
    rows = list(zip(*values))
    quoted = ", ".join(f'"{name}"' for name in names)
    if dialect == "sqlite":
        connection.executemany(f'INSERT INTO "{table.name}" ({quoted}) VALUES ({", ".join("?" * len(names))})', rows)
        return
    with connection.cursor() as cursor, cursor.copy(f'COPY "{table.name}" ({quoted}) FROM STDIN') as copy:
        for row in rows:
            copy.write_row(row)


# -- synthetic data ------------------------------------------------------------------------------
def _none_where(values: np.ndarray, mask: np.ndarray) -> list:
    """values as a Python list, None where mask is set."""
    out = values.astype(object)
    out[mask] = None
    return out.tolist()


def _self_attempts(rng: np.random.Generator, residents: int, p_success: float) -> dict:
    """Outcome, SEQ and seconds (one decimal) of residents x TASKS own attempts."""
    n = residents * TASKS
    rest = (0.95 - p_success) / 3
    outcome = OUTCOMES[rng.choice(5, size=n, p=[p_success, rest, rest, rest, 0.05])]
    skipped = outcome == "not_attempted"
    seq = rng.integers(1, 8, size=n)
    seconds = np.round(60 * np.exp(rng.normal(0, 0.5, size=n)) * np.where(outcome == "success", 1, 1.4), 1)
    return {"outcome": outcome, "seq": _none_where(seq, skipped | (rng.random(n) < 0.05)),
            "seconds": _none_where(np.maximum(seconds, 0.1), skipped)}


def _observer_attempts(rng: np.random.Generator, own: dict, rows: np.ndarray) -> dict:
    """An observer's record of the chosen own attempts: mostly the same outcome, sometimes no SEQ."""
    n = len(rows)
    outcome = own["outcome"][rows].copy()
    changed = rng.random(n) < 0.2
    outcome[changed] = OUTCOMES[rng.choice(3, size=changed.sum())]
    seq = [None if drop else own["seq"][i] for i, drop in zip(rows, rng.random(n) < 0.1)]
    seconds = [own["seconds"][i] for i in rows]
    return {"outcome": outcome, "seq": seq, "seconds": seconds}


class Ids:
    """Next free primary keys, so that rows are inserted with their ids (no RETURNING round trips)."""

    def __init__(self) -> None:
        self.participant = self.attempt = self.comment = self.questionnaire = 1

    def take(self, kind: str, n: int) -> list[int]:
        first = getattr(self, kind)
        setattr(self, kind, first + n)
        return list(range(first, first + n))


def _residents(connection, tables, rng, ids: Ids, study: int, sessions: list[int], n: int) -> tuple:  # noqa: ANN001
    """Insert n residents spread over the sessions; their ids and whether each was observed."""
    people = ids.take("participant", n)
    index = np.arange(n) % SESSIONS
    insert(connection, tables["participant"], {
        "id": people, "public_id": [f"s{study}p{p}" for p in people], "session_id": [sessions[i] for i in index],
        "receipt_code": [f"R{p}" for p in people], "consent_version": "2026-11", "consented_at": _now_for(connection),
        "age_band": rng.choice(["20s", "30s", "40s", "60s", "80_plus"], n).tolist(),
        "municipality_code": rng.choice(["131016", "131024", "131130"], n).tolist(),
        "device": rng.choice(["smartphone", "pc", "tablet"], n).tolist(),
        "assistive_technology": rng.choice(["none", "screen_reader"], n, p=[0.95, 0.05]).tolist(),
        "profile_done": True, "withdrawn": (rng.random(n) < 0.01).tolist()}, n)
    insert(connection, tables["questionnaire_response"], {
        "id": ids.take("questionnaire", n), "participant_id": people, "study_id": study, "kind": "sus",
        "items": "[4, 2, 4, 2, 4, 2, 4, 2, 4, 2]", "score": (rng.integers(16, 40, n) * 2.5).tolist(),
        "idempotency_key": [f"q{p}" for p in people]}, n)
    return np.asarray(people), np.isin(index, list(OBSERVED_SESSIONS))


def _now_for(connection) -> object:  # noqa: ANN001
    return _now("sqlite" if connection.__class__.__module__.startswith("sqlite3") else "postgresql")


def _attempts(connection, tables, rng, ids: Ids, study: int, people: np.ndarray, observed: np.ndarray,  # noqa: ANN001
              task_ids: list[int], p_success: float) -> int:
    """Insert every resident's own attempts, observer attempts for the observed, and some comments."""
    own = _self_attempts(rng, len(people), p_success)
    person, task = np.repeat(people, TASKS), np.tile(np.asarray(task_ids), len(people))
    rows = np.flatnonzero(np.repeat(observed, TASKS))
    seen = _observer_attempts(rng, own, rows)
    n_own, n = len(person), len(person) + len(rows)
    attempt_ids = ids.take("attempt", n)
    insert(connection, tables["attempt"], {
        "id": attempt_ids, "participant_id": np.concatenate([person, person[rows]]).tolist(), "study_id": study,
        "task_id": np.concatenate([task, task[rows]]).tolist(),
        "outcome": np.concatenate([own["outcome"], seen["outcome"]]).tolist(),
        "source": ["self"] * n_own + ["observer"] * len(rows), "seq": own["seq"] + seen["seq"],
        "seconds": own["seconds"] + seen["seconds"], "idempotency_key": [f"a{i}" for i in attempt_ids]}, n)
    said = np.flatnonzero(rng.random(n_own) < 0.1)
    insert(connection, tables["comment"], {
        "id": ids.take("comment", len(said)), "participant_id": person[said].tolist(), "study_id": study,
        "task_id": task[said].tolist(), "attempt_id": [attempt_ids[i] for i in said], "kind": "task",
        "text": "入力欄がわかりにくかった", "lang": "ja", "analyzer": "bench-analyzer 1.0",
        "sentiment_label": rng.choice(["positive", "neutral", "negative"], len(said)).tolist()}, len(said))
    return n


def _iteration(connection, tables, rng, ids: Ids, number: int, attempts: int,  # noqa: ANN001
               task_ids: list[int]) -> int:
    """Iteration `number` (with its study, sessions and residents) of about `attempts` attempts; how many."""
    now = _now_for(connection)
    insert(connection, tables["iteration"], {"id": number, "service_id": 1, "number": number,
                                             "label": f"v{number}", "created_at": now}, 1)
    insert(connection, tables["study"], {"id": number, "iteration_id": number, "questionnaire": "sus"}, 1)
    insert(connection, tables["study_task"], {"study_id": number, "task_id": task_ids,
                                              "position": list(range(1, TASKS + 1))}, TASKS)
    sessions = [(number - 1) * SESSIONS + i + 1 for i in range(SESSIONS)]
    insert(connection, tables["test_session"], {
        "id": sessions, "study_id": number, "mode": ["in_person" if i in OBSERVED_SESSIONS else "remote"
                                                     for i in range(SESSIONS)],
        "invite_code": [f"BENCH-{s}" for s in sessions], "excluded": [i in EXCLUDED_SESSIONS for i in range(SESSIONS)]},
        SESSIONS)
    residents = round(attempts / (TASKS * (1 + len(OBSERVED_SESSIONS) / SESSIONS)))
    made = 0
    for start in range(0, residents, CHUNK):
        people, observed = _residents(connection, tables, rng, ids, number, sessions, min(CHUNK, residents - start))
        made += _attempts(connection, tables, rng, ids, number, people, observed, task_ids, 0.70 + 0.05 * (number - 1))
        connection.commit()
    return made


def generate(app, attempts: int) -> list[int]:  # noqa: ANN001
    """Create the schema and two iterations of about `attempts` attempts each; the attempts per iteration."""
    from civictest import counting
    from civictest.extensions import db

    db.create_all()
    tables = db.metadata.tables
    rng, ids = np.random.default_rng(SEED), Ids()
    raw = db.engine.raw_connection()
    try:
        connection = raw.driver_connection
        insert(connection, tables["department"], {"id": 1, "code": "bench", "name_ja": "ベンチ部"}, 1)
        insert(connection, tables["service"], {"id": 1, "department_id": 1, "name_ja": "ベンチマーク"}, 1)
        task_ids = list(range(1, TASKS + 1))
        insert(connection, tables["task"], {"id": task_ids, "service_id": 1,
                                            "title_ja": [f"タスク{i}" for i in task_ids]}, TASKS)
        made = [_iteration(connection, tables, rng, ids, number, attempts, task_ids) for number in (1, 2)]
        connection.commit()
    finally:
        raw.close()
    for study in (1, 2):  # the rows were inserted without the app: store which of them count, as the app would
        counting.refresh(db.session.connection(), study_id=study)
    db.session.commit()
    return made


# -- measurement ---------------------------------------------------------------------------------
BARE = "SELECT task_id, outcome, count(*) FROM attempt WHERE study_id IN ({}) GROUP BY study_id, task_id, outcome"
# The bare query's own index, in the scratch database only: the reference is as fast as SQL can make it
# (without it, the bare GROUP BY would sort, and every ratio would flatter the report).
BARE_INDEX = "CREATE INDEX bench_bare ON attempt (study_id, task_id, outcome)"


def _peak_rss_reset() -> bool:
    """Reset the process's peak resident set (Linux), so the next reading covers only what follows."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
        return True
    except OSError:
        return False


def _peak_rss_mib() -> float:
    """Peak resident set in MiB: VmHWM on Linux (resettable), else ru_maxrss."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return rss / (1024 * 1024) if sys.platform == "darwin" else rss / 1024


def _timed(action) -> float:  # noqa: ANN001
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


def _runs(app, rounds: int, budget: float) -> dict:  # noqa: ANN001
    """Median seconds of each timed step over up to `rounds` interleaved rounds (fewer when over budget)."""
    from sqlalchemy import text

    from civictest.extensions import db
    from civictest.reporting import figures, queries
    from civictest.models import Iteration, Service

    service, iteration = db.session.get(Service, 1), db.session.get(Iteration, 2)
    steps = {
        "bare": lambda: db.session.execute(text(BARE.format(2))).all(),
        "bare2": lambda: db.session.execute(text(BARE.format("1, 2"))).all(),
        "sql": lambda: queries.iteration_data(queries.study_of(2)),
        "report": lambda: figures.iteration_report(iteration),
        "compare": lambda: figures.compare(service, 1, 2),
    }
    times: dict[str, list[float]] = {name: [] for name in steps}
    started = time.perf_counter()
    for _ in range(rounds):
        for name, step in steps.items():
            times[name].append(_timed(step))
        if time.perf_counter() - started > budget:
            break
    return {name: statistics.median(values) for name, values in times.items()} | {"rounds": len(times["bare"])}


def _traced_peak_mib(app) -> float:  # noqa: ANN001
    """tracemalloc peak of one iteration report (Python allocations only)."""
    from civictest.extensions import db
    from civictest.reporting import figures
    from civictest.models import Iteration

    iteration = db.session.get(Iteration, 2)
    tracemalloc.start()
    try:
        figures.iteration_report(iteration)
        return tracemalloc.get_traced_memory()[1] / 2**20
    finally:
        tracemalloc.stop()


def measure(database: str, url: str, attempts: int, args: argparse.Namespace) -> dict:
    """Generate, then time one size on one database."""
    from sqlalchemy import text

    from civictest import create_app
    from civictest.extensions import db

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "benchmark", "TESTING": False})
    with app.app_context():
        started = time.perf_counter()
        made = generate(app, attempts)
        db.session.execute(text(BARE_INDEX))
        db.session.execute(text("ANALYZE"))
        db.session.commit()
        if args.vacuum and database == "postgresql":  # as autovacuum would in time: index-only scans skip the heap
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
                connection.execute(text("VACUUM ANALYZE"))
        generated = time.perf_counter() - started
        _runs(app, 1, 0)  # warm the caches, as a server that has answered before would be
        reset = _peak_rss_reset()
        row = _runs(app, args.rounds, args.budget)
        row.update(database=database, attempts=made[1], rows=sum(made), generate_s=generated,
                   rss_mib=_peak_rss_mib(), rss_scope="timed runs" if reset else "whole process",
                   traced_mib=_traced_peak_mib(app))
        db.session.remove()
        db.engine.dispose()
    return row


# -- databases and output ------------------------------------------------------------------------
def postgres_server(given: str | None, environment_url: str | None) -> str | None:
    """The PostgreSQL URL to make scratch databases on (--postgres-url, else a postgresql DATABASE_URL)."""
    from civictest.config import _database_url

    url = given or (environment_url if (environment_url or "").startswith("postgres") else None)
    return _database_url(url) if url else None


def verdict(row: dict) -> str:
    """Against the issue's targets: report within 3x the bare GROUP BY; under 1 s at 1,000,000 on SQLite."""
    ratio = row["report"] / row["bare"]
    parts = [f"report/bare {ratio:.1f}x {'meets' if ratio <= RATIO_TARGET else 'MISSES'} <= {RATIO_TARGET:g}x"]
    if row["database"] == "sqlite" and row["attempts"] >= 1_000_000:
        ok = row["report"] < SQLITE_TARGET_S
        parts.append(f"report {row['report']:.2f} s {'meets' if ok else 'MISSES'} < {SQLITE_TARGET_S:g} s")
    return "; ".join(parts)


def print_rows(rows: list[dict]) -> None:
    print(f"\n{'database':<11}{'attempts':>10}{'gen s':>7}{'bare ms':>9}{'sql ms':>9}{'report ms':>10}{'ratio':>7}"
          f"{'bare x2':>9}{'compare':>9}{'ratio':>7}{'traced':>8}{'RSS':>7}  rounds")
    for r in rows:
        print(f"{r['database']:<11}{r['attempts']:>10,}{r['generate_s']:>7.1f}"
              f"{r['bare'] * 1e3:>9.1f}{r['sql'] * 1e3:>9.1f}{r['report'] * 1e3:>10.1f}{r['report'] / r['bare']:>7.1f}"
              f"{r['bare2'] * 1e3:>9.1f}{r['compare'] * 1e3:>9.1f}{r['compare'] / r['bare2']:>7.1f}"
              f"{r['traced_mib']:>8.0f}{r['rss_mib']:>7.0f}  {r['rounds']}")
    print("ms = median wall time; attempts = rows of the reported iteration (the database holds two such);"
          " traced = tracemalloc peak of one report (MiB); RSS = peak resident set during the timed runs (MiB)")
    for r in rows:
        print(f"{r['database']} {r['attempts']:,}: {verdict(r)}")


def run(sizes: list[int], rounds: int = 3, budget: float = 180, postgres_url: str | None = None,
        vacuum: bool = False) -> list[dict]:
    """Measure every size on SQLite (and PostgreSQL when a server URL is given); print and return the rows."""
    args = argparse.Namespace(rounds=rounds, budget=budget, vacuum=vacuum)
    rows = each_size(sizes, postgres_url, lambda database, url, size: measure(database, url, size, args), "report")
    print_rows(rows)
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks report", description=__doc__.split("\n\n")[0])
    size_options(parser, budget=180)
    parser.add_argument("--vacuum", action="store_true", help="VACUUM ANALYZE the PostgreSQL database before timing")
    args = parser.parse_args(argv)
    server = None if args.no_postgres else postgres_server(args.postgres_url, os.environ.get("DATABASE_URL"))
    run(args.attempts or [10_000, 100_000, 1_000_000], args.rounds, args.budget, server, args.vacuum)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
