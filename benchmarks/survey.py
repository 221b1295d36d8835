"""Survey results at scale (issue 16): the results page and API timed next to a bare GROUP BY, and a roster upload.

    python -m benchmarks survey [--respondents 20000 --respondents 600000 ...] [--rounds 3] [--budget 300]
                                [--postgres-url URL | --no-postgres] [--roster-rows 54000] [--no-roster]
                                [--database-url URL]  (one size on a database kept between runs)
    python -m benchmarks survey --invitations 54000 [--invite-budget 900]  (benchmarks/survey_mail.py)

For each size N, a scratch database (a SQLite file; also a temporary PostgreSQL database when --postgres-url or
a postgresql DATABASE_URL is given; sizes above --sqlite-max run on PostgreSQL only) gets, seeded:
  * an org tree of 10 局 x 5 部 x 10 課 (560 units; respondents sit in the 500 課), 5 job grades;
  * one staff survey with 30 items (28 five-point scales, 1 single choice, 1 free text answered by 10%);
  * two waves of N responses each (the second is compared with the first), every response answering every
    item: 30 N answer rows per wave; the roster of each wave has 2.5 N entries, N of them answered
    (a 40% response rate); the units differ in how positive they are, and the second wave is a little better;
then ANALYZE (VACUUM ANALYZE on PostgreSQL). Rows are written with COPY (PostgreSQL) or executemany (SQLite).

Timed, median of --rounds interleaved rounds after one untimed round (as benchmarks.pages):
  bare   SELECT item_id, value, count(*) FROM survey_answer WHERE wave_id = 2 GROUP BY item_id, value
         the reference: a bare GROUP BY over the wave's item responses
  page   GET /compare/surveys/waves/2         the results page, logged in through the login form
  api    GET /api/v1/surveys/1/waves/2/results with a bearer token (every item per unit)
  api1   GET /api/v1/surveys/1/waves/2/results?item=<first item> (one item per unit, as the page)
The first wave is closed and the second open, as while a survey runs: the closed wave's counts are remembered
after the first request (reporting.surveys.base_counts), the open wave's are read every time.
Target (the issue's): page and API each within 3x the bare GROUP BY in the same run.

Roster upload (once per database, at the first size): a CSV of --roster-rows rows (e-mail, 局/部/課, grade) for
a new wave, sent through the staff pages as a person would: POST the file (the dry run page), then POST the
review form (all rows added or none). Target: under a minute. The service calls (plan_roster + commit_roster)
are timed as well.
"""
from __future__ import annotations

import argparse
import io
import os
import re
import statistics
import sys
import time
from collections.abc import Callable

import numpy as np

from benchmarks.pages import EMAIL, PASSWORD, PageError, _logged_in_client, _request
from benchmarks.report import _peak_rss_mib, _peak_rss_reset, postgres_server
from benchmarks.scratch import each_size, size_options

BARE = "SELECT item_id, value, count(*) FROM survey_answer WHERE wave_id = {wave} GROUP BY item_id, value"
STEPS = ("bare", "page", "api", "api1")
RATIO_TARGET = 3.0
ROSTER_TARGET_S = 60.0
BUREAUS, DEPARTMENTS, SECTIONS = 10, 5, 10
GRADES = ("主事", "主任", "係長", "課長代理", "課長")
SCALE_ITEMS, ITEMS = 28, 30
ROSTER_FACTOR = 2.5
TEXTS = ("端末が遅くて仕事にならない", "ネットワークが安定していて使いやすい", "会議システムが使いにくい",
         "テレワークの環境が整って助かる", "ファイル共有がわかりにくい", "特になし", "印刷の手続きが面倒",
         "チャットが便利になった", "パソコンの起動が遅い", "研修がもっとほしい")


# -- data ----------------------------------------------------------------------------------------
def _units() -> list[tuple[int, int | None, str, str, int]]:
    """(id, parent, name, path, depth) of the tree; ids from 1."""
    rows, next_id = [], 1
    for b in range(BUREAUS):
        bureau = next_id
        rows.append((bureau, None, f"第{b + 1}局", f"第{b + 1}局", 1))
        next_id += 1
        for d in range(DEPARTMENTS):
            department = next_id
            path = f"第{b + 1}局/第{d + 1}部"
            rows.append((department, bureau, f"第{d + 1}部", path, 2))
            next_id += 1
            for s in range(SECTIONS):
                rows.append((next_id, department, f"第{s + 1}課", f"{path}/第{s + 1}課", 3))
                next_id += 1
    return rows


def _copy_or_insert(connection, table: str, columns: tuple[str, ...], rows) -> None:  # noqa: ANN001
    """COPY on PostgreSQL (psycopg), executemany on SQLite, in chunks."""
    raw = connection.connection.driver_connection
    if connection.dialect.name == "postgresql":
        with raw.cursor() as cursor, cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
    else:
        marks = ", ".join("?" for _ in columns)
        cursor = raw.cursor()
        chunk = []
        for row in rows:
            chunk.append(row)
            if len(chunk) >= 50_000:
                cursor.executemany(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})", chunk)
                chunk = []
        if chunk:
            cursor.executemany(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})", chunk)


def _without_answer_indexes(connection) -> list[str]:  # noqa: ANN001
    """PostgreSQL: drop survey_answer's keys and indexes before a bulk load (random response ids would make
    every row a random B-tree insert); the statements that make them again, to run after it. SQLite: none."""
    from sqlalchemy import text

    if connection.dialect.name != "postgresql":
        return []
    connection.execute(text("SET maintenance_work_mem = '512MB'"))
    constraints = connection.execute(text(
        "SELECT conname, pg_get_constraintdef(oid), contype FROM pg_constraint "
        "WHERE conrelid = 'survey_answer'::regclass ORDER BY contype DESC")).all()  # p before f
    indexes = connection.execute(text(
        "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'survey_answer' AND indexname NOT IN "
        "(SELECT conname FROM pg_constraint WHERE conrelid = 'survey_answer'::regclass)")).all()
    for name, _definition, _kind in sorted(constraints, key=lambda c: c[2] == "p"):  # foreign keys first
        connection.execute(text(f'ALTER TABLE survey_answer DROP CONSTRAINT "{name}"'))
    for name, _definition in indexes:
        connection.execute(text(f'DROP INDEX "{name}"'))
    return ([f'ALTER TABLE survey_answer ADD CONSTRAINT "{name}" {definition}' for name, definition, _kind in constraints]
            + [definition for _name, definition in indexes])


def _write_answers(connection, ids, item_ids, kinds, values, choices, writes_text, texts, wave_id) -> None:  # noqa: ANN001
    """Every response answers every item. PostgreSQL: COPY of CSV blocks built by pandas (tens of millions of
    rows at 600,000 respondents); SQLite: executemany of tuples."""
    respondents = len(ids)
    if connection.dialect.name == "postgresql":
        import pandas as pd

        raw = connection.connection.driver_connection
        text_of = np.array([*TEXTS, ""], dtype=object)
        with raw.cursor() as cursor, cursor.copy(
                "COPY survey_answer (response_id, item_id, wave_id, value, text) FROM STDIN "
                "WITH (FORMAT csv, FORCE_NOT_NULL (text))") as copy:
            for start in range(0, respondents, 20_000):
                stop = min(respondents, start + 20_000)
                n = stop - start
                value = np.zeros((n, len(item_ids)), dtype=np.int64)
                missing = np.zeros((n, len(item_ids)), dtype=bool)
                words = np.full((n, len(item_ids)), "", dtype=object)
                for i, kind in enumerate(kinds):
                    if kind == "free_text":
                        missing[:, i] = True
                        words[:, i] = text_of[np.where(writes_text[start:stop], texts[start:stop], len(TEXTS))]
                    elif kind == "single_choice":
                        value[:, i] = choices[start:stop]
                    else:
                        value[:, i] = values[start:stop, i]
                frame = pd.DataFrame({
                    "response_id": np.repeat(ids[start:stop].astype(np.int64), len(item_ids)),
                    "item_id": np.tile(np.array(item_ids, dtype=np.int64), n),
                    "wave_id": wave_id,
                    "value": pd.array(np.where(missing, 0, value).ravel(), dtype="Int64"),
                    "text": words.ravel()})
                frame.loc[missing.ravel(), "value"] = pd.NA
                copy.write(frame.to_csv(header=False, index=False).encode("utf-8"))
        return

    def answers():  # noqa: ANN202
        for r in range(respondents):
            response = int(ids[r])
            for i, item_id in enumerate(item_ids):
                kind = kinds[i]
                if kind == "free_text":
                    yield response, item_id, wave_id, None, TEXTS[texts[r]] if writes_text[r] else ""
                elif kind == "single_choice":
                    yield response, item_id, wave_id, int(choices[r]), ""
                else:
                    yield response, item_id, wave_id, int(values[r, i]), ""

    _copy_or_insert(connection, "survey_answer", ("response_id", "item_id", "wave_id", "value", "text"), answers())


def generate(app, respondents: int, seed: int = 16) -> dict:  # noqa: ANN001
    """The survey, two waves of `respondents` responses and their rosters; the row counts written."""
    from datetime import datetime, timezone

    from sqlalchemy import text

    from civictest import survey_tallies
    from civictest.extensions import db
    from civictest.models import Department, Service
    from civictest.services import surveys

    db.create_all()
    rng = np.random.default_rng(seed)
    units = _units()
    sections = np.array([u[0] for u in units if u[4] == 3])
    department = Department(code="soumu", name_ja="総務局", name_en="General Affairs Bureau")
    db.session.add(Service(department=department, name_ja="職員ポータル", name_en="Staff portal"))
    db.session.flush()
    survey = surveys.create_survey(department, "職員のデジタル環境調査", title_en="Staff digital environment survey")
    for i in range(SCALE_ITEMS):
        surveys.add_item(survey, "agreement5" if i % 2 else "satisfaction5", f"設問{i + 1}", wording_en=f"Item {i + 1}")
    surveys.add_item(survey, "single_choice", "主に使う端末", wording_en="Main device",
                     options=[{"ja": "デスクトップ", "en": "Desktop"}, {"ja": "ノート", "en": "Laptop"},
                              {"ja": "タブレット", "en": "Tablet"}])
    surveys.add_item(survey, "free_text", "改善してほしいこと", wording_en="What should improve")
    first = surveys.create_wave(survey, "2026年度")
    db.session.flush()
    second = surveys.create_wave(survey, "2027年度")
    db.session.flush()
    item_ids = [item.id for item in survey.items]
    kinds = [item.kind for item in survey.items]
    waves = [first.id, second.id]
    db.session.commit()
    day = datetime(2026, 6, 1, tzinfo=timezone.utc)
    counts = {"units": len(units), "responses": 0, "answers": 0, "roster": 0}
    unit_effect = dict(zip(sections.tolist(), rng.normal(0, 0.5, len(sections)).tolist()))
    with db.engine.begin() as connection:
        rebuilt = _without_answer_indexes(connection)
        _copy_or_insert(connection, "org_unit", ("id", "parent_id", "name", "path", "depth", "created_at"),
                        ((u[0], u[1], u[2], u[3], u[4], day) for u in units))
        if connection.dialect.name == "postgresql":
            connection.execute(text("SELECT setval('org_unit_id_seq', (SELECT max(id) FROM org_unit))"))
        used: set[int] = set()
        for number, wave_id in enumerate(waves):
            ids = np.unique(rng.integers(1, 2**31 - 1, int(respondents * 1.1)))
            ids = rng.permutation(np.setdiff1d(ids, np.fromiter(used, dtype=np.int64, count=len(used))))[:respondents]
            used.update(ids.tolist())
            unit_of = rng.choice(sections, respondents)
            grade_of = rng.integers(0, len(GRADES), respondents)
            _copy_or_insert(connection, "survey_response",
                            ("id", "wave_id", "org_unit_id", "job_grade", "respondent_key", "language",
                             "submitted_at", "updated_at"),
                            ((int(ids[r]), wave_id, int(unit_of[r]), GRADES[grade_of[r]], f"{wave_id}-{r:060d}", "ja",
                              day, day) for r in range(respondents)))
            shift = np.array([unit_effect[u] for u in unit_of.tolist()]) + 0.3 * number
            latent = rng.normal(3.0, 1.0, (respondents, SCALE_ITEMS)) + shift[:, None]
            values = np.clip(np.rint(latent), 1, 5).astype(int)
            choices = rng.integers(1, 4, respondents)
            writes_text = rng.random(respondents) < 0.1
            texts = rng.integers(0, len(TEXTS), respondents)

            _write_answers(connection, ids, item_ids, kinds, values, choices, writes_text, texts, wave_id)
            invited = int(respondents * ROSTER_FACTOR)
            roster_units = np.concatenate([unit_of, rng.choice(sections, invited - respondents)])
            roster_grades = np.concatenate([grade_of, rng.integers(0, len(GRADES), invited - respondents)])
            _copy_or_insert(connection, "roster_entry",
                            ("wave_id", "email", "org_unit_id", "job_grade", "reminders", "has_answered"),
                            ((wave_id, f"w{wave_id}p{r}@city.example.jp", int(roster_units[r]),
                              GRADES[roster_grades[r]], 0, r < respondents) for r in range(invited)))
            counts["responses"] += respondents
            counts["answers"] += respondents * ITEMS
            counts["roster"] += invited
        for definition in rebuilt:  # the answers' indexes and keys, built once over the loaded rows
            connection.execute(text(definition))
        started = time.perf_counter()
        survey_tallies.rebuild(connection)  # the answers went in with COPY: the tally by one INSERT ... SELECT
        counts["tally_s"] = time.perf_counter() - started
        counts["tally_rows"] = connection.execute(text("SELECT count(*) FROM survey_tally")).scalar()
        connection.execute(text("UPDATE survey_wave SET state = 'closed', closed_at = :day WHERE id = :wave"),
                           {"day": day, "wave": waves[0]})
        connection.execute(text(f"UPDATE survey_wave SET state = 'open' WHERE id = {waves[1]}"))
    counts.update(survey_id=survey.id, wave_id=waves[1], first_item=item_ids[0])
    return counts


# -- setup ---------------------------------------------------------------------------------------
def _existing(respondents: int) -> dict | None:
    """The counts of a database generated before with this many respondents per wave, or None."""
    from sqlalchemy import inspect, text

    from civictest.extensions import db

    if not inspect(db.engine).has_table("survey_tally"):
        return None
    made = db.session.execute(text("SELECT count(*) FROM survey_response WHERE wave_id = 2")).scalar()
    if not made:
        return None
    if made != respondents:
        raise SystemExit(f"the database holds {made:,} respondents per wave, not {respondents:,}")
    tally = db.session.execute(text("SELECT count(*) FROM survey_tally")).scalar()
    return {"units": 560, "responses": 2 * made, "answers": 2 * made * ITEMS, "roster": int(2 * made * ROSTER_FACTOR),
            "tally_s": 0.0, "tally_rows": tally, "survey_id": 1, "wave_id": 2, "first_item": 1, "reused": True}


def _prepare(app, database: str, respondents: int) -> tuple[dict, float, str]:  # noqa: ANN001
    from sqlalchemy import select, text

    from civictest.extensions import db
    from civictest.models import User
    from civictest.services import accounts

    with app.app_context():
        started = time.perf_counter()
        made = _existing(respondents)
        if made is not None:  # --database-url: generated by an earlier run, measured again
            user = db.session.scalar(select(User).where(User.email == EMAIL))
            token = accounts.issue_api_token(user)
            db.session.commit()
            db.session.remove()
            return made, 0.0, token
        made = generate(app, respondents)
        if database == "postgresql":
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
                connection.execute(text("VACUUM ANALYZE"))
        else:
            db.session.execute(text("ANALYZE"))
            db.session.commit()
        generated = time.perf_counter() - started
        user = accounts.create_user(EMAIL, "admin", PASSWORD, "Benchmark")
        token = accounts.issue_api_token(user)
        db.session.commit()
        db.session.remove()
    return made, generated, token


def _bare(app, wave_id: int) -> Callable[[], int]:  # noqa: ANN001
    from sqlalchemy import text

    from civictest.extensions import db

    def step() -> int:
        with app.app_context(), db.engine.connect() as connection:
            return len(connection.execute(text(BARE.format(wave=wave_id))).all())
    return step


def _runs(steps: dict[str, Callable[[], int]], rounds: int, budget: float, errors: dict[str, str]) -> dict:
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
                continue
            times[name].append(time.perf_counter() - begin)
        done += 1
        if time.perf_counter() - started > budget:
            break
    return {name: statistics.median(values) for name, values in times.items() if values} | {"rounds": done}


# -- roster upload -------------------------------------------------------------------------------
CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
TOKEN_RE = re.compile(r'name="token"[^>]*value="([^"]+)"')


def roster_csv(rows: int, seed: int = 54) -> bytes:
    """rows of (e-mail, 局/部/課 path of the generated tree, grade) as a UTF-8 CSV with a header."""
    import csv

    rng = np.random.default_rng(seed)
    paths = [u[3] for u in _units() if u[4] == 3]
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["メールアドレス", "所属", "職層"])
    for r in range(rows):
        writer.writerow([f"staff{r}@city.example.jp", paths[int(rng.integers(len(paths)))],
                         GRADES[int(rng.integers(len(GRADES)))]])
    return out.getvalue().encode("utf-8")


def time_roster(app, rows: int) -> dict:  # noqa: ANN001
    """Upload a roster of `rows` rows to a new wave through the staff pages (dry run, then add), and again
    through the service calls on another new wave; seconds and rows added."""
    from sqlalchemy import func, select

    from civictest.extensions import db
    from civictest.models import RosterEntry, Survey
    from civictest.services import surveys

    data = roster_csv(rows)
    with app.app_context():
        survey = db.session.scalar(select(Survey).order_by(Survey.id))
        http_wave = surveys.create_wave(survey, "名簿の計測（画面）")
        service_wave = surveys.create_wave(survey, "名簿の計測（サービス）")
        db.session.commit()
        http_id, service_id = http_wave.id, service_wave.id
        db.session.remove()
    out: dict = {"rows": rows, "bytes": len(data)}
    client = _logged_in_client(app)
    form = client.get(f"/surveys/waves/{http_id}/roster").get_data(as_text=True)
    csrf = CSRF_RE.search(form)
    started = time.perf_counter()
    review = client.post(f"/surveys/waves/{http_id}/roster",
                         data={"csrf_token": csrf.group(1) if csrf else "", "file": (io.BytesIO(data), "roster.csv")},
                         content_type="multipart/form-data")
    out["http_dry_run_s"] = time.perf_counter() - started
    html = review.get_data(as_text=True)
    token, csrf2 = TOKEN_RE.search(html), CSRF_RE.search(html)
    if review.status_code != 200 or token is None:
        out["http_error"] = f"dry run answered {review.status_code}" + ("" if token else ", no review token")
    else:
        added = client.post(f"/surveys/waves/{http_id}/roster/review",
                            data={"csrf_token": csrf2.group(1) if csrf2 else "", "token": token.group(1)})
        out["http_total_s"] = time.perf_counter() - started
        if added.status_code != 302:
            out["http_error"] = f"review answered {added.status_code}"
    with app.app_context():
        out["http_added"] = db.session.scalar(select(func.count()).select_from(RosterEntry)
                                              .where(RosterEntry.wave_id == http_id))
        wave = db.session.get(type(http_wave), service_id)
        started = time.perf_counter()
        plan = surveys.plan_roster(wave, data, "roster.csv")
        out["service_plan_s"] = time.perf_counter() - started
        if plan.ok:
            out["service_added"] = surveys.commit_roster(wave, plan)
            db.session.commit()
        else:
            out["service_error"] = f"{len(plan.problems)} problems, file error {plan.file_error!r}"
        out["service_total_s"] = time.perf_counter() - started
        db.session.remove()
    return out


# -- one size --------------------------------------------------------------------------------------
def measure(database: str, url: str, respondents: int, args: argparse.Namespace) -> dict:
    from civictest import create_app
    from civictest.extensions import db

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "benchmark", "TESTING": False,
                      "RATELIMIT_ENABLED": False})
    made, generated, token = _prepare(app, database, respondents)
    print(f"... {database} {respondents:,} respondents ({made['answers']:,} answers) generated in {generated:.0f} s"
          f" (of which the tally, {made['tally_rows']:,} rows by one INSERT ... SELECT: {made['tally_s']:.1f} s)",
          file=sys.stderr, flush=True)
    errors: dict[str, str] = {}
    row: dict = {"rounds": 0, "sizes": {}}
    try:
        web = _logged_in_client(app)
        api = app.test_client()
        steps = {"bare": _bare(app, made["wave_id"]),
                 "page": _request(web, f"/compare/surveys/waves/{made['wave_id']}", {}),
                 "api": _request(api, f"/api/v1/surveys/{made['survey_id']}/waves/{made['wave_id']}/results",
                                 {"Authorization": f"Bearer {token}"}),
                 "api1": _request(api, f"/api/v1/surveys/{made['survey_id']}/waves/{made['wave_id']}/results"
                                       f"?item={made['first_item']}", {"Authorization": f"Bearer {token}"})}
        sizes = {}
        for name, step in list(steps.items()):
            try:
                sizes[name] = step()
            except PageError as error:
                errors[name] = str(error)
                del steps[name]
        reset = _peak_rss_reset()
        row = _runs(steps, args.rounds, args.budget, errors)
        row.update(rss_mib=_peak_rss_mib(), rss_scope="timed runs" if reset else "whole process", sizes=sizes)
        if args.roster and respondents == args.roster_at.get(database):
            row["roster"] = time_roster(app, args.roster_rows)
    except PageError as error:
        errors["login"] = str(error)
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
    row.update(database=database, respondents=respondents, made=made, generate_s=generated, errors=errors)
    for name, error in errors.items():
        print(f"ERROR {name}: {error}", file=sys.stderr, flush=True)
    print_rows([row])  # each size as soon as it is measured (a long run may be stopped before the end)
    sys.stdout.flush()
    return row


def verdict(row: dict) -> str:
    if "bare" not in row:
        return "no bare time"
    parts = []
    for name in ("page", "api", "api1"):
        if name not in row:
            parts.append(f"{name} ERROR")
            continue
        ratio = row[name] / row["bare"]
        parts.append(f"{name}/bare {ratio:.1f}x {'meets' if ratio <= RATIO_TARGET else 'MISSES'} <= {RATIO_TARGET:g}x")
    return "; ".join(parts)


def print_rows(rows: list[dict]) -> None:
    print(f"\n{'database':<11}{'respondents':>12}{'answers':>12}{'gen s':>7}{'bare ms':>10}{'page ms':>10}"
          f"{'ratio':>7}{'api ms':>10}{'ratio':>7}{'api1 ms':>10}{'ratio':>7}{'RSS':>6}  rounds")
    for r in rows:
        line = f"{r['database']:<11}{r['respondents']:>12,}{r['made']['answers'] // 2:>12,}{r['generate_s']:>7.0f}"
        line += f"{r['bare'] * 1e3:>10.0f}" if "bare" in r else f"{'ERR':>10}"
        for name in ("page", "api", "api1"):
            if name in r and "bare" in r:
                line += f"{r[name] * 1e3:>10.0f}{r[name] / r['bare']:>6.1f}x"
            else:
                line += f"{'ERR':>17}"
        print(line + f"{r.get('rss_mib', 0):>6.0f}  {r['rounds']}")
    print("ms = median wall time of the whole request (bare: the GROUP BY alone); ratio = request / bare; answers ="
          " answer rows of the wave shown (the database holds two such waves); RSS = peak resident set (MiB)")
    for r in rows:
        print(f"{r['database']} {r['respondents']:,}: {verdict(r)}")
        sizes = r.get("sizes") or {}
        if sizes:
            print("  body KB: " + ", ".join(f"{name} {sizes[name] / 1024:.0f}" for name in ("page", "api", "api1")
                                            if name in sizes))
        roster = r.get("roster")
        if roster:
            http = (f"pages: dry run {roster['http_dry_run_s']:.1f} s, dry run + add {roster['http_total_s']:.1f} s"
                    if "http_total_s" in roster else f"pages: {roster.get('http_error')}")
            service = (f"service: plan + commit {roster['service_total_s']:.1f} s"
                       if "service_added" in roster else f"service: {roster.get('service_error')}")
            best = roster.get("http_total_s") if roster.get("http_added") else (
                roster.get("service_total_s") if roster.get("service_added") else 1e9)
            print(f"  roster upload {roster['rows']:,} rows ({roster['bytes'] / 1e6:.1f} MB): {http} "
                  f"({roster['http_added']:,} added); {service}; "
                  f"{'meets' if best < ROSTER_TARGET_S else 'MISSES'} < {ROSTER_TARGET_S:g} s")
        for name, error in (r.get("errors") or {}).items():
            print(f"  ERROR {name}: {error}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks survey", description=__doc__.split("\n\n")[0])
    size_options(parser, budget=300)
    parser.add_argument("--respondents", type=int, action="append", help="responses per wave (repeatable)")
    parser.add_argument("--sqlite-max", type=int, default=100_000, help="larger sizes run on PostgreSQL only")
    parser.add_argument("--roster-rows", type=int, default=54_000)
    parser.add_argument("--no-roster", dest="roster", action="store_false")
    parser.add_argument("--invitations", type=int, default=0,
                        help="only this: N personal links queued and sent by the worker (benchmarks/survey_mail.py)")
    parser.add_argument("--invite-budget", type=float, default=900, help="seconds the worker may take at most")
    parser.add_argument("--database-url", help="measure one size on this database, kept afterwards: generated when "
                        "it is empty, measured again as it is otherwise (a 600,000 size takes long to generate)")
    args = parser.parse_args(argv)
    if args.invitations:
        from benchmarks import survey_mail

        server = None if args.no_postgres else postgres_server(args.postgres_url, os.environ.get("DATABASE_URL"))
        rows = survey_mail.run(server, args.invitations, args.invite_budget)
        return 0 if all(r["complete"] for r in rows) else 1
    if args.database_url:
        size = (args.respondents or [20_000])[0]
        database = "postgresql" if args.database_url.startswith("postgres") else "sqlite"
        args.roster_at = {database: None}
        rows = [measure(database, args.database_url, size, args)]
        return 1 if any(r["errors"] for r in rows) else 0
    server = None if args.no_postgres else postgres_server(args.postgres_url, os.environ.get("DATABASE_URL"))
    sizes = args.respondents or ([20_000, 600_000] if server else [20_000])
    args.roster_at = {"sqlite": min(sizes), "postgresql": min(sizes)}
    rows = []
    for size in sizes:
        small = size <= args.sqlite_max
        rows += each_size([size], server, lambda database, url, n: measure(database, url, n, args), "survey") \
            if small else _postgres_only(size, server, args)
    print("\nAll sizes:")
    print_rows(rows)
    return 1 if any(r["errors"] for r in rows) else 0


def _postgres_only(size: int, server: str | None, args: argparse.Namespace) -> list[dict]:
    from benchmarks.scratch import with_fresh_postgres

    if not server:
        print(f"... {size:,} skipped: larger than --sqlite-max and no PostgreSQL server", file=sys.stderr)
        return []
    return [with_fresh_postgres(server, lambda url: measure("postgresql", url, size, args),
                                prefix="civictest_bench_survey")]


if __name__ == "__main__":
    raise SystemExit(main())
