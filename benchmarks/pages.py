"""Product-owner pages and API reads at scale, timed next to a bare SQL GROUP BY over the same rows, in one run.

    python -m benchmarks pages [--attempts 10000 --attempts 100000 ...] [--rounds 3] [--budget 300]
                               [--postgres-url URL | --no-postgres] [--no-vacuum]

For each size N, a scratch database (a SQLite file in a temporary directory; also a temporary PostgreSQL
database when --postgres-url or a postgresql DATABASE_URL is given) gets the report benchmark's data
(benchmarks.report.generate: one service with 10 tasks and two iterations of N attempts each, seeded, the
same mix), the bare query's index, ANALYZE, and on PostgreSQL VACUUM ANALYZE (unless --no-vacuum), as a
database that autovacuum has settled would be. An admin account is added with the app's own
accounts.create_user, and an API token with accounts.issue_api_token (as `flask users token` does).

The pages are requested through Flask's test client as a browser would: one client logs in once per size
(GET /auth/login, POST e-mail and password with the CSRF token the form rendered, the session cookie kept),
another sends `Authorization: Bearer <token>` and no cookie, as an API caller. No app context is held
around the requests, so each one opens its own, with its own database session, as in production. A timed
request is the whole of it (routing, login check, queries, statistics, template or JSON, the body read) and
must answer 200; anything else is reported as an error and that step is left out.

Timed, median of --rounds (interleaved: every step once per round, so load from other processes hits all
alike; one untimed round first warms the caches, as a server that has answered before would be):
  bare1      SELECT task_id, outcome, count(*) FROM attempt WHERE study_id IN (2) GROUP BY ...   (N rows)
  bare       the same over both iterations' 2N rows, the reference of every ratio (the pages read both)
  dash       GET /compare/iterations/2?base=0         the dashboard without a comparison
  dash+base  GET /compare/iterations/2                the dashboard against its default base, iteration 1
  map        GET /compare/iterations/2/map            Tokyo maps of iteration 2 and of its base
  print      GET /compare/iterations/2/print          the printable report (dashboard with base + area maps)
  overview   GET /compare/overview                    every service's latest iteration against the one before
  api report GET /api/v1/iterations/2/report
  api cmp    GET /api/v1/services/1/compare?base=1&candidate=2
  api trend  GET /api/v1/services/1/trend
Targets (the issue's, for SQLite at 1,000,000 attempts; the verdicts are printed for every row, marked as
reference elsewhere): both dashboards, the map and the API compare within 3x the bare GROUP BY, the print
view within 6x, and every page under 1 s. Memory: the process's peak resident set during the timed rounds
(VmHWM, reset before them; ru_maxrss where not Linux).
"""
from __future__ import annotations

import argparse
import os
import re
import statistics
import sys
import time
from collections.abc import Callable

from benchmarks.report import BARE, BARE_INDEX, _peak_rss_mib, _peak_rss_reset, generate, postgres_server
from benchmarks.scratch import each_size, size_options

EMAIL, PASSWORD = "bench-admin@example.jp", "benchmark-password-2026"  # passwords need >= 12 characters
CSRF_RE = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"|name="csrf_token" value="([^"]+)"')

# name -> (client, path); "web" is the logged-in browser, "api" the bearer-token caller.
PAGES = {
    "dash": ("web", "/compare/iterations/2?base=0"),
    "dash+base": ("web", "/compare/iterations/2"),
    "map": ("web", "/compare/iterations/2/map"),
    "print": ("web", "/compare/iterations/2/print"),
    "overview": ("web", "/compare/overview"),
    "api report": ("api", "/api/v1/iterations/2/report"),
    "api cmp": ("api", "/api/v1/services/1/compare?base=1&candidate=2"),
    "api trend": ("api", "/api/v1/services/1/trend"),
}
RATIO_TARGETS = {"dash": 3.0, "dash+base": 3.0, "map": 3.0, "api cmp": 3.0, "print": 6.0}
PAGE_TARGET_S = 1.0
TARGET_ATTEMPTS = 1_000_000  # the targets are for SQLite at this size


class PageError(RuntimeError):
    """A timed request that did not answer 200."""


# -- setup ---------------------------------------------------------------------------------------
def _prepare(app, database: str, attempts: int, vacuum: bool) -> tuple[list[int], float, str]:  # noqa: ANN001
    """Generate the data (as benchmarks.report does), add the staff account; attempts made, seconds, token."""
    from sqlalchemy import text

    from civictest.extensions import db
    from civictest.services import accounts

    with app.app_context():
        started = time.perf_counter()
        made = generate(app, attempts)
        db.session.execute(text(BARE_INDEX))
        db.session.execute(text("ANALYZE"))
        db.session.commit()
        if vacuum and database == "postgresql":  # as autovacuum would in time: index-only scans skip the heap
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
                connection.execute(text("VACUUM ANALYZE"))
        generated = time.perf_counter() - started
        user = accounts.create_user(EMAIL, "admin", PASSWORD, "Benchmark")
        token = accounts.issue_api_token(user)
        db.session.commit()
        db.session.remove()
    return made, generated, token


def _csrf_token(html: str) -> str:
    match = CSRF_RE.search(html)
    if not match:
        raise PageError("no CSRF token in the login form")
    return match.group(1) or match.group(2)


def _logged_in_client(app):  # noqa: ANN001, ANN202
    """A test client signed in through the login form, with the CSRF token the form rendered."""
    client = app.test_client()
    page = client.get("/auth/login")
    if page.status_code != 200:
        raise PageError(f"GET /auth/login answered {page.status_code}")
    answer = client.post("/auth/login", data={"csrf_token": _csrf_token(page.get_data(as_text=True)),
                                              "email": EMAIL, "password": PASSWORD})
    if answer.status_code != 302:
        raise PageError(f"login answered {answer.status_code}, not a redirect: "
                        f"{answer.get_data(as_text=True)[:300]!r}")
    return client


# -- measurement ---------------------------------------------------------------------------------
def _request(client, path: str, headers: dict) -> Callable[[], int]:  # noqa: ANN001
    """A step: GET path, read the whole body, insist on 200; returns the body's size."""
    def step() -> int:
        response = client.get(path, headers=headers)
        body = response.get_data()
        if response.status_code != 200:
            raise PageError(f"GET {path} answered {response.status_code}: {body[:300]!r}")
        return len(body)
    return step


def _bare(app, studies: str) -> Callable[[], int]:  # noqa: ANN001
    """A step: the bare GROUP BY on a pooled connection, in an app context of its own as a request has."""
    from sqlalchemy import text

    from civictest.extensions import db

    def step() -> int:
        with app.app_context(), db.engine.connect() as connection:
            return len(connection.execute(text(BARE.format(studies))).all())
    return step


def _steps(app, token: str) -> dict[str, Callable[[], int]]:  # noqa: ANN001
    clients = {"web": (_logged_in_client(app), {}), "api": (app.test_client(), {"Authorization": f"Bearer {token}"})}
    steps = {"bare1": _bare(app, "2"), "bare": _bare(app, "1, 2")}
    for name, (which, path) in PAGES.items():
        client, headers = clients[which]
        steps[name] = _request(client, path, headers)
    return steps


def _warm_up(steps: dict[str, Callable[[], int]], errors: dict[str, str]) -> dict[str, int]:
    """One untimed round; a step that fails is reported and left out of the timed rounds. Body sizes."""
    sizes = {}
    for name, step in list(steps.items()):
        try:
            sizes[name] = step()
        except PageError as error:
            errors[name] = str(error)
            print(f"ERROR {name}: {error}", file=sys.stderr, flush=True)
            del steps[name]
    return sizes


def _runs(steps: dict[str, Callable[[], int]], rounds: int, budget: float, errors: dict[str, str]) -> dict:
    """Median seconds of each step over up to `rounds` interleaved rounds (fewer when over budget)."""
    times: dict[str, list[float]] = {name: [] for name in steps}
    started, done = time.perf_counter(), 0
    for _ in range(rounds):
        for name, step in steps.items():
            if name in errors:
                continue
            begin = time.perf_counter()
            try:
                step()
            except PageError as error:
                errors[name] = str(error)
                print(f"ERROR {name}: {error}", file=sys.stderr, flush=True)
                continue
            times[name].append(time.perf_counter() - begin)
        done += 1
        if time.perf_counter() - started > budget:
            break
    return {name: statistics.median(values) for name, values in times.items() if values} | {"rounds": done}


def measure(database: str, url: str, attempts: int, args: argparse.Namespace) -> dict:
    """Generate, log in, then time one size on one database."""
    from civictest import create_app
    from civictest.extensions import db

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "benchmark", "TESTING": False})
    made, generated, token = _prepare(app, database, attempts, args.vacuum)
    print(f"... {database} {made[1]:,} generated in {generated:.0f} s", file=sys.stderr, flush=True)
    errors: dict[str, str] = {}
    try:
        steps = _steps(app, token)
        sizes = _warm_up(steps, errors)
        reset = _peak_rss_reset()
        row = _runs(steps, args.rounds, args.budget, errors)
        row.update(rss_mib=_peak_rss_mib(), rss_scope="timed runs" if reset else "whole process", sizes=sizes)
    except PageError as error:  # the login itself failed
        errors["login"] = str(error)
        print(f"ERROR login: {error}", file=sys.stderr, flush=True)
        row = {"rounds": 0, "rss_mib": _peak_rss_mib(), "rss_scope": "whole process", "sizes": {}}
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
    row.update(database=database, attempts=made[1], rows=sum(made), generate_s=generated, errors=errors)
    return row


# -- output --------------------------------------------------------------------------------------
def _applies(row: dict) -> bool:
    return row["database"] == "sqlite" and row["attempts"] >= TARGET_ATTEMPTS


def verdict(row: dict) -> str:
    """Against the issue's targets: dashboards, map and API compare <= 3x bare; print <= 6x; every page < 1 s."""
    if "bare" not in row:
        return "no bare time"
    parts = []
    for name, target in RATIO_TARGETS.items():
        if name not in row:
            parts.append(f"{name} ERROR")
            continue
        ratio = row[name] / row["bare"]
        parts.append(f"{name} {ratio:.1f}x {'meets' if ratio <= target else 'MISSES'} <= {target:g}x")
    timed = [name for name in PAGES if name in row]
    slow = [f"{name} {row[name]:.2f} s" for name in timed if row[name] >= PAGE_TARGET_S]
    parts.append(f"every page < {PAGE_TARGET_S:g} s: " + (f"MISSES ({', '.join(slow)})" if slow else "meets"))
    missing = [name for name in PAGES if name not in row]
    if missing:
        parts.append(f"not timed: {', '.join(missing)}")
    return "; ".join(parts)


def print_rows(rows: list[dict]) -> None:
    width = 16
    header = f"{'database':<11}{'attempts':>10}{'gen s':>7}{'bare1 ms':>9}{'bare ms':>9}"
    header += "".join(f"{name:>{width}}" for name in PAGES) + f"{'RSS':>6}  rounds"
    print("\n" + header)
    print(" " * 46 + "".join(f"{'ms':>{width - 8}}{'ratio':>8}" for _ in PAGES))
    for r in rows:
        line = f"{r['database']:<11}{r['attempts']:>10,}{r['generate_s']:>7.0f}"
        line += "".join(f"{r[k] * 1e3:>9.1f}" if k in r else f"{'ERR':>9}" for k in ("bare1", "bare"))
        for name in PAGES:
            if name not in r:
                line += f"{'ERR':>{width}}"
            elif "bare" in r:
                line += f"{r[name] * 1e3:>{width - 8}.0f} {r[name] / r['bare']:>6.1f}x"
            else:
                line += f"{r[name] * 1e3:>{width}.0f}"
        print(line + f"{r['rss_mib']:>6.0f}  {r['rounds']}")
    print("ms = median wall time of the whole request; ratio = page / bare (the GROUP BY over both iterations' rows);"
          " attempts = rows of iteration 2 (the database holds two such); RSS = peak resident set during the timed"
          " rounds (MiB)")
    for r in rows:
        scope = "targets" if _applies(r) else "reference (targets are for SQLite at 10^6)"
        print(f"{r['database']} {r['attempts']:,} [{scope}]: {verdict(r)}")
        sizes = r.get("sizes") or {}
        if sizes:
            print("  body KB: " + ", ".join(f"{name} {sizes[name] / 1024:.0f}" for name in PAGES if name in sizes))
        for name, error in (r.get("errors") or {}).items():
            print(f"  ERROR {name}: {error}")


def run(sizes: list[int], rounds: int = 3, budget: float = 300, postgres_url: str | None = None,
        vacuum: bool = True) -> list[dict]:
    """Measure every size on SQLite (and PostgreSQL when a server URL is given); print and return the rows."""
    args = argparse.Namespace(rounds=rounds, budget=budget, vacuum=vacuum)
    rows = each_size(sizes, postgres_url, lambda database, url, size: measure(database, url, size, args), "pages")
    print_rows(rows)
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks pages", description=__doc__.split("\n\n")[0])
    size_options(parser, budget=300)
    parser.add_argument("--vacuum", action=argparse.BooleanOptionalAction, default=True,
                        help="VACUUM ANALYZE the PostgreSQL database before timing (default: yes)")
    args = parser.parse_args(argv)
    server = None if args.no_postgres else postgres_server(args.postgres_url, os.environ.get("DATABASE_URL"))
    rows = run(args.attempts or [10_000, 100_000, 1_000_000], args.rounds, args.budget, server, args.vacuum)
    return 1 if any(r["errors"] for r in rows) else 0


if __name__ == "__main__":
    raise SystemExit(main())
