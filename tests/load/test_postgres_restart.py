"""Every database connection of a running app is cut (as by a PostgreSQL restart or failover); the very
next requests succeed, because the pool tests a connection before use (pool_pre_ping).

Only our own server's connections are terminated: they carry an application_name of their own, in a
database of their own. The real PostgreSQL server is never restarted (other sessions use it).
"""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest
from load.harness import Browser, Stats, join_and_fill_profile, task_form, ticket_contents
from load.servers import postgres_url, seed_study
from sqlalchemy import text

pytestmark = [
    pytest.mark.slow,
    pytest.mark.postgres,
    pytest.mark.skipif(postgres_url() is None, reason="needs PostgreSQL: DATABASE_URL is not a PostgreSQL URL"),
]

WORKERS = 2
OUR_BACKENDS = ("SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
                "AND application_name = :name AND pid <> pg_backend_pid()")
CUT_OUR_BACKENDS = OUR_BACKENDS.replace("SELECT pid", "SELECT pid, pg_terminate_backend(pid)")


def test_requests_succeed_after_every_connection_is_terminated(scratch_db, start_server, figures):
    scratch_db.prepare(lambda: seed_study(2, capacity=10))
    server = start_server(scratch_db, workers=WORKERS)
    stats = Stats()
    browser = Browser(server.base, stats)
    join_and_fill_profile(browser)
    with ThreadPoolExecutor(4 * WORKERS) as pool:  # requests at once reach every worker: each pools a connection
        assert set(pool.map(lambda _: browser.send_once("GET", "/healthz")[0], range(8 * WORKERS))) == {200}
    url, answer = task_form(browser, 1, outcome="success", seq="6")

    engine = scratch_db.engine()
    try:
        with engine.connect() as connection:
            name = {"name": scratch_db.application_name}
            before = set(connection.execute(text(OUR_BACKENDS), name).scalars())
            terminated = connection.execute(text(CUT_OUR_BACKENDS), name).scalars().all()
            connection.commit()
            after_cut = [browser.send_once("POST", url, answer)[0]]
            url2, answer2 = task_form(browser, 2, outcome="failure", comment="エラーの意味が分かりません")
            after_cut += [browser.send_once("POST", url2, answer2)[0]]
            after_cut += [browser.send_once("GET", "/healthz")[0] for _ in range(4 * WORKERS)]
            now = set(connection.execute(text(OUR_BACKENDS), name).scalars())
            stored = connection.execute(text("SELECT idempotency_key FROM attempt ORDER BY task_id")).scalars().all()
    finally:
        engine.dispose()
    figures(f"{len(terminated)} of {len(before)} server connections terminated; "
            f"next {len(after_cut)} requests answered {sorted(set(after_cut))}; {len(now)} new connections")

    assert terminated and set(terminated) == before, "the app's pooled connections were cut"
    assert after_cut == [302, 302] + [200] * 4 * WORKERS, "no request after the cut failed, not even with a 503"
    assert now and not now & before, "the app reconnected with new connections"
    assert stored == [ticket_contents(answer["ticket"])["k"], ticket_contents(answer2["ticket"])["k"]]
