"""Real servers for the load tests: a throw-away database and `gunicorn app:app` on 127.0.0.1.

Only PIDs spawned here are ever signalled: the gunicorn master (`Popen.pid`) and its children, read from
/proc. Every wait is bounded, so a hung server fails the test instead of hanging CI.
"""
from __future__ import annotations

import http.client
import os
import re
import signal
import socket
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parents[2]
SECRET_KEY = "load-test-secret"
INVITE_CODE = "LOADTST-2026ABC"


def _healthz(base: str) -> int | None:
    host, port = base.split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=5)
    try:
        connection.request("GET", "/healthz")
        return connection.getresponse().status
    except OSError:
        return None
    finally:
        connection.close()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


# -- databases ---------------------------------------------------------------------------------

def is_postgres_url(url: str | None) -> bool:
    return bool(url) and url.split(":", 1)[0] in ("postgres", "postgresql", "postgresql+psycopg")


def postgres_url() -> str | None:
    """DATABASE_URL when it names PostgreSQL (CI's second pass), else None (the load tests use SQLite)."""
    url = os.environ.get("DATABASE_URL")
    return url if is_postgres_url(url) else None


class ScratchDatabase:
    """A fresh database for one server: a SQLite file, or a dedicated PostgreSQL database on DATABASE_URL's server.

    The dedicated database keeps the suite's tables untouched and confines pg_terminate_backend to our
    own connections; if CREATE DATABASE is not allowed, the suite's database is truncated instead.
    """

    def __init__(self, tmp_path: Path, postgres_url: str | None = None):
        self.dedicated = False
        if postgres_url is None:
            self.url = f"sqlite:///{tmp_path / 'load.sqlite3'}"
            self.path = tmp_path / "load.sqlite3"
            return
        from civictest.config import _database_url

        base = make_url(_database_url(postgres_url))
        self._admin_url = base
        name = f"{base.database}_load_{os.getpid()}"[:63]
        # Our servers' connections carry this name, so a fault test can cut exactly those and no others.
        self.application_name = f"civictest-load-{os.getpid()}"
        try:
            self._admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)', f'CREATE DATABASE "{name}"')
            base, self.dedicated = base.set(database=name), True
        except Exception:  # noqa: BLE001 - no CREATEDB right: fall back to the suite's database, truncated
            pass
        self.url = base.update_query_dict({"application_name": self.application_name}).render_as_string(
            hide_password=False)
        self.path = None

    @property
    def is_postgres(self) -> bool:
        return self.path is None

    def _admin(self, *statements: str) -> None:
        engine = create_engine(self._admin_url, isolation_level="AUTOCOMMIT")
        try:
            with engine.connect() as connection:
                for statement in statements:
                    connection.execute(text(statement))
        finally:
            engine.dispose()

    def prepare(self, seed) -> object:  # noqa: ANN001
        """Run the real migrations, empty every table, then call seed() in an app context; returns its result."""
        from flask_migrate import upgrade

        from civictest import create_app
        from civictest.config import TestConfig
        from civictest.extensions import db

        app = create_app(type("LoadConfig", (TestConfig,), {"SQLALCHEMY_DATABASE_URI": self.url}))
        with app.app_context():
            upgrade()
            truncate_all(db)
            result = seed()
            db.session.remove()
            db.engine.dispose()
        return result

    def drop(self) -> None:
        if self.dedicated:
            self._admin(f'DROP DATABASE IF EXISTS "{make_url(self.url).database}" WITH (FORCE)')
        elif self.is_postgres:
            self.prepare(lambda: None)  # leave the shared database empty, as the suite expects

    def engine(self):  # noqa: ANN201
        """An engine for reading results directly; on PostgreSQL it is named apart from the servers'."""
        url = make_url(self.url)
        if self.is_postgres:
            url = url.update_query_dict({"application_name": f"{self.application_name}-check"})
        return create_engine(url)


def truncate_all(db) -> None:  # noqa: ANN001
    tables = [t.name for t in db.metadata.sorted_tables]
    with db.engine.begin() as connection:
        if db.engine.dialect.name == "postgresql":
            connection.execute(text("TRUNCATE " + ", ".join(f'"{n}"' for n in tables) + " RESTART IDENTITY CASCADE"))
        else:
            for name in reversed(tables):
                connection.execute(text(f'DELETE FROM "{name}"'))


def seed_study(tasks: int, capacity: int) -> int:
    """A service with `tasks` tasks and one open session under INVITE_CODE; returns the number of tasks."""
    from helpers import make_service, make_session

    make_session(make_service(tasks=tasks), invite_code=INVITE_CODE, capacity=capacity)
    return tasks


# -- gunicorn ----------------------------------------------------------------------------------

class Gunicorn:
    """`gunicorn app:app` with the product's gunicorn.conf.py, bound to a free loopback port."""

    def __init__(self, database_url: str, workdir: Path, workers: int = 2, app: str = "app:app",
                 extra_env: dict | None = None, extra_args: tuple[str, ...] = ()):
        self.port = free_port()
        self.workers = workers
        self.log_path = workdir / "gunicorn.log"
        env = {k: v for k, v in os.environ.items() if k not in ("FLASK_DEBUG", "GUNICORN_CMD_ARGS")}
        env.update(DATABASE_URL=database_url, SECRET_KEY=SECRET_KEY, SESSION_COOKIE_SECURE="0",
                   RATELIMIT_STORAGE_URI="memory://", GUNICORN_BIND=f"127.0.0.1:{self.port}",
                   WEB_CONCURRENCY=str(workers), PYTHONUNBUFFERED="1")
        env.update(extra_env or {})  # a test may replace any of these (e.g. RATELIMIT_STORAGE_URI=redis://...)
        self.access_log = workdir / "access.log"
        # The worker's pid in each access line tells when every worker has answered (see wait_ready).
        args = [sys.executable, "-m", "gunicorn", "--graceful-timeout", "5", "--access-logfile", str(self.access_log),
                "--access-logformat", '%(p)s "%(r)s" %(s)s', *_no_control_socket(), *extra_args, app]
        self._log = open(self.log_path, "wb")  # noqa: SIM115 - closed in stop()
        self.proc = subprocess.Popen(args, cwd=ROOT, env=env, stdout=self._log, stderr=subprocess.STDOUT)

    @property
    def base(self) -> str:
        return f"127.0.0.1:{self.port}"

    def wait_ready(self, timeout: float = 60) -> None:
        """Until every worker has loaded the app and answered /healthz (requests sent in parallel reach each)."""
        deadline = time.monotonic() + timeout
        with ThreadPoolExecutor(2 * self.workers) as pool:
            while time.monotonic() < deadline:
                if self.proc.poll() is not None:
                    raise RuntimeError(f"gunicorn exited early:\n{self.log_tail()}")
                list(pool.map(lambda _: _healthz(self.base), range(2 * self.workers)))
                pids = self.worker_pids()
                if len(pids) == self.workers and set(pids) <= self._answered_healthz():
                    return
                time.sleep(0.1)
        raise TimeoutError(f"gunicorn not ready after {timeout} s:\n{self.log_tail()}")

    def _answered_healthz(self) -> set[int]:
        text_ = self.access_log.read_text(errors="replace") if self.access_log.exists() else ""
        return {int(pid) for pid in re.findall(r'^<(\d+)> "GET /healthz [^"]*" 200', text_, re.M)}

    def worker_pids(self) -> list[int]:
        """Children of our own master, from /proc (no process-name matching)."""
        path = Path(f"/proc/{self.proc.pid}/task/{self.proc.pid}/children")
        try:
            return [int(pid) for pid in path.read_text().split()]
        except (FileNotFoundError, ProcessLookupError):
            return []

    def kill_worker(self, pid: int) -> None:
        assert pid in self.worker_pids(), "only our own gunicorn's workers are ever signalled"
        os.kill(pid, signal.SIGKILL)

    def wait_respawned(self, killed: int, timeout: float = 30) -> list[int]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            pids = self.worker_pids()
            if len(pids) == self.workers and killed not in pids:
                return pids
            time.sleep(0.1)
        raise TimeoutError(f"worker {killed} not replaced: {self.worker_pids()}")

    def rss_kib(self) -> dict[int, tuple[int, int]]:
        """{worker pid: (current RSS, peak RSS)} in KiB, from /proc/<pid>/status (VmRSS, VmHWM)."""
        figures = {}
        for pid in self.worker_pids():
            try:
                status = Path(f"/proc/{pid}/status").read_text()
            except FileNotFoundError:
                continue
            values = dict(re.findall(r"^(VmRSS|VmHWM):\s+(\d+) kB", status, re.M))
            figures[pid] = (int(values.get("VmRSS", 0)), int(values.get("VmHWM", 0)))
        return figures

    def cpu_seconds(self) -> float:
        """CPU time used so far by the master, its live workers and the workers it has reaped."""
        ticks = os.sysconf("SC_CLK_TCK")
        total = 0
        for pid, reaped in [(self.proc.pid, True)] + [(pid, False) for pid in self.worker_pids()]:
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            except FileNotFoundError:
                continue
            total += sum(int(value) for value in fields[11:15 if reaped else 13])  # utime stime [cutime cstime]
        return total / ticks

    def log_tail(self, lines: int = 40) -> str:
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])

    def log_text(self) -> str:
        return self.log_path.read_text(errors="replace")

    def stop(self) -> None:
        """SIGQUIT the master; after a second, SIGKILL our workers still busy tearing down their interpreter
        (seconds on a loaded box, and the test is over), then the master if it is still there."""
        workers = {pid: _start_time(pid) for pid in self.worker_pids()}
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGQUIT)
            try:
                self.proc.wait(timeout=1)
            except subprocess.TimeoutExpired:
                pass
        for pid, started in workers.items():  # only if still the same processes (pids can be reused)
            if started is not None and _start_time(pid) == started and _running(pid):
                os.kill(pid, signal.SIGKILL)
        try:
            self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=5)
        self._log.close()


def _running(pid: int) -> bool:
    """Alive and not a zombie waiting for the master to reap it."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except (FileNotFoundError, ProcessLookupError):
        return False


def _start_time(pid: int) -> int | None:
    """A process's start time (clock ticks since boot): tells our worker from a later process reusing its pid."""
    try:
        return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[19])
    except (FileNotFoundError, ProcessLookupError, IndexError):
        return None


def _no_control_socket() -> list[str]:
    """gunicorn >= 24 opens a control socket at one path per user (~/.gunicorn/gunicorn.ctl); a test
    server must not take it over from another gunicorn on the machine."""
    from gunicorn.config import Config

    return ["--no-control-socket"] if "control_socket_disable" in Config().settings else []


# -- nginx -------------------------------------------------------------------------------------

NGINX = "/usr/sbin/nginx"
NGINX_TEMP_DIRS = ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")


def nginx_prefix_directives(prefix: Path) -> tuple[str, str]:
    """(main-context, http-context) directives that keep an nginx run inside `prefix`: pid, logs, temp files."""
    main = f"pid {prefix}/nginx.pid;\nerror_log {prefix}/error.log warn;\n"
    http = "".join(f"{name}_temp_path {prefix}/{name};\n" for name in NGINX_TEMP_DIRS)
    return main, http + f"access_log {prefix}/access.log;\n"


def make_nginx_prefix(prefix: Path) -> None:
    prefix.mkdir(parents=True, exist_ok=True)
    for name in NGINX_TEMP_DIRS:
        (prefix / name).mkdir(exist_ok=True)
        (prefix / name).chmod(0o777)  # nginx's workers drop to `nobody` when the master runs as root


class Nginx:
    """Debian's nginx in front of `upstreams` (host:port), with a generated config under `prefix`; the
    proxy settings are those of deploy/nginx/civictest.conf (headers, timeouts, next upstream on error)."""

    def __init__(self, prefix: Path, upstreams: list[str]):
        make_nginx_prefix(prefix)
        self.prefix, self.port = prefix, free_port()
        main, http_paths = nginx_prefix_directives(prefix)
        servers = "".join(f"    server {address} max_fails=1 fail_timeout=10s;\n" for address in upstreams)
        self.config = prefix / "nginx.conf"
        self.config.write_text(
            f"{main}worker_processes 1;\ndaemon off;\nevents {{ worker_connections 2048; }}\n"
            "http {\n"
            "  log_format upstream '$request_method $uri $status $upstream_addr $upstream_status';\n"
            f"  {http_paths.replace('access.log;', 'access.log upstream;')}\n"
            f"  upstream civictest {{\n{servers}  }}\n"
            "  server {\n"
            f"    listen 127.0.0.1:{self.port};\n"
            f"    include {ROOT / 'deploy/nginx/proxy_params.conf'};\n"
            "    location / { proxy_pass http://civictest; }\n"
            "  }\n"
            "}\n")
        self.log_path = prefix / "nginx.out"
        self._log = open(self.log_path, "wb")  # noqa: SIM115 - closed in stop()
        self.proc = subprocess.Popen([NGINX, "-p", str(prefix), "-c", str(self.config)], stdout=self._log,
                                     stderr=subprocess.STDOUT)

    @property
    def base(self) -> str:
        return f"127.0.0.1:{self.port}"

    def wait_ready(self, timeout: float = 20) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"nginx exited early: {self.log_path.read_text()}"
                                   f"{(self.prefix / 'error.log').read_text() if (self.prefix / 'error.log').exists() else ''}")
            if _healthz(self.base) == 200:
                return
            time.sleep(0.1)
        raise TimeoutError("nginx not ready")

    def access_lines(self) -> list[str]:
        path = self.prefix / "access.log"
        return path.read_text(errors="replace").splitlines() if path.exists() else []

    def stop(self) -> None:
        """SIGQUIT (graceful) to our own master, SIGKILL after 5 s."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGQUIT)
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=5)
        self._log.close()


def nginx_test(config: Path, prefix: Path) -> subprocess.CompletedProcess:
    """`nginx -t -p prefix -c config`: checks a configuration without serving (no root needed for the paths)."""
    return subprocess.run([NGINX, "-t", "-q", "-p", str(prefix), "-c", str(config)], capture_output=True, text=True,
                          timeout=30)
