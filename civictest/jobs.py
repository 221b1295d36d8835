"""Background jobs: the one Huey instance (`huey`), bound to the app's queue storage by create_app.

Tasks are defined with `@huey.task()` in the module that owns them and listed in TASK_MODULES, so that the
worker (`flask --app app worker`) imports them. Every task runs in a fresh application context of the app the
queue was bound to, so it can use `db.session` (and commits itself). The queue is a SQLite file in instance/
by default (JOBS_SQLITE_PATH) and Redis when JOBS_REDIS_URL is set.

`drain(app)` runs every job that is due with the same execution code as the consumer (`huey.execute`) and
returns when none is left: `flask --app app worker --drain` and the tests use it.
"""
from __future__ import annotations

import importlib
import time
from collections.abc import Callable
from pathlib import Path

from flask import Flask
from huey import Huey, RedisHuey, SqliteHuey
from huey.storage import MemoryStorage

# Modules that define tasks; the worker imports them all before it starts.
TASK_MODULES: tuple[str, ...] = ("civictest.mail.delivery", "civictest.services.survey_invitations",
                                 "civictest.services.booking")


class _SqliteStorage(SqliteHuey.storage_class):
    """Huey's SQLite storage with synchronous=NORMAL (WAL): a commit survives a killed process but need not
    wait for the disk. What a power cut could lose is found again: the database rows are the truth and the
    jobs that own them re-queue what is missing (e.g. civictest.mail.delivery.sweep)."""

    def _create_connection(self):  # noqa: ANN202
        connection = super()._create_connection()
        connection.execute("pragma synchronous=1")
        return connection


class CivicHuey(Huey):
    """Huey whose storage is chosen when an app binds it (and opened on first use), and whose tasks run
    inside that app's context."""

    storage_class = MemoryStorage  # until bind(): importing civictest connects to nothing

    def __init__(self, name: str = "civictest") -> None:
        self._storage = None
        self._storage_factory: Callable[[], object] | None = None
        super().__init__(name, results=False, utc=True)
        self.flask_app: Flask | None = None
        self.binding: tuple | None = None

    @property
    def storage(self):  # noqa: ANN201 - a huey storage
        if self._storage is None and self._storage_factory is not None:
            self._storage = self._storage_factory()
        return self._storage

    @storage.setter
    def storage(self, value) -> None:  # noqa: ANN001
        self._storage = value

    def execute(self, task, timestamp=None):  # noqa: ANN001, ANN201 - Huey's signature
        app = self.flask_app
        if app is None:
            raise RuntimeError("civictest.jobs.huey is not bound to an app (create_app binds it)")
        with app.app_context():
            return super().execute(task, timestamp)


huey = CivicHuey()


def bind(app: Flask) -> None:
    """Point `huey` at the app's queue storage (SQLite file or Redis, opened on first use) and run tasks in
    the app's context. Called by create_app; binding again with the same settings only changes the app."""
    redis_url = app.config.get("JOBS_REDIS_URL") or ""
    name = app.config.get("JOBS_NAME") or "civictest"
    binding = ("redis", name, redis_url) if redis_url else ("sqlite", name, app.config["JOBS_SQLITE_PATH"])
    huey.flask_app = app
    if huey.binding == binding:
        return
    old = huey._storage if huey.binding is not None else None
    if old is not None and hasattr(old, "close"):
        try:
            old.close()
        except Exception:  # noqa: BLE001 - the old storage may already be gone
            pass
    huey.name = name
    huey.binding = binding
    huey._storage = None
    if redis_url:
        huey._storage_factory = lambda: RedisHuey.storage_class(name, url=redis_url)
    else:
        path = Path(binding[2])

        def sqlite_storage():  # noqa: ANN202
            path.parent.mkdir(parents=True, exist_ok=True)
            return _SqliteStorage(name, filename=str(path))

        huey._storage_factory = sqlite_storage


def import_task_modules() -> None:
    for module in TASK_MODULES:
        importlib.import_module(module)


def drain(app: Flask, *, wait_scheduled: bool = False, timeout: float = 120.0) -> int:
    """Run every queued job (and scheduled job that is due) with Huey's own execution code; return how many ran.

    With wait_scheduled, jobs scheduled for later (retries with backoff) are waited for too, up to `timeout`
    seconds in all. Jobs a job queues while draining are run as well."""
    bind(app)
    import_task_modules()
    _run_startup_hooks()
    deadline = time.monotonic() + timeout
    count = 0
    while True:
        task = huey.dequeue()
        if task is not None:
            huey.execute(task)
            count += 1
            continue
        due = huey.read_schedule(huey._get_timestamp())
        if due:
            for task in due:
                huey.enqueue(task)
            continue
        if wait_scheduled and huey.scheduled_count() and time.monotonic() < deadline:
            time.sleep(0.02)
            continue
        return count


def on_worker_start(function: Callable[[], None]) -> Callable[[], None]:
    """Register `function` to run in the app's context when a worker starts (the consumer's threads and drain)."""

    def hook() -> None:
        with huey.flask_app.app_context():
            function()

    huey.on_startup(f"{function.__module__}.{function.__name__}")(hook)
    return function


def _run_startup_hooks() -> None:
    for hook in list(huey._startup.values()):
        hook()
