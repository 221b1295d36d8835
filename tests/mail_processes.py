"""Separate processes for the exactly-once checks (tests/mail/test_worker_kill.py, `python -m benchmarks mail`):
an SMTP server that logs every Message-ID it receives, and `flask --app app worker` processes to kill."""
from __future__ import annotations

import os
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def start_smtp(port: int, log: Path) -> subprocess.Popen:
    """tests/smtp_server.py in its own process; returns once it accepts connections."""
    import socket

    process = subprocess.Popen([sys.executable, str(ROOT / "tests" / "smtp_server.py"), "--port", str(port),
                                "--log", str(log)], cwd=ROOT, stdout=subprocess.DEVNULL)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return process
        except OSError:
            time.sleep(0.05)
    process.kill()
    raise RuntimeError("the SMTP server did not start")


def worker_env(database_url: str, jobs_path: Path, smtp_port: int, **extra: str) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith(("MAIL_", "JOBS_"))}
    env.update({
        "DATABASE_URL": database_url, "SECRET_KEY": "test-secret", "JOBS_SQLITE_PATH": str(jobs_path),
        "JOBS_REDIS_URL": "", "MAIL_SERVER": "127.0.0.1", "MAIL_PORT": str(smtp_port),
        "MAIL_DEFAULT_SENDER": "civictest@city.example.jp", "MAIL_RETRY_DELAY": "0.1", "MAIL_CLAIM_TIMEOUT": "1",
        "FLASK_DEBUG": "0", **extra,
    })
    return env


def start_worker(env: dict[str, str], *, drain: bool = False, log: Path | None = None,
                 threads: int = 1) -> subprocess.Popen:
    command = [sys.executable, "-m", "flask", "--app", "app", "worker", "--workers", str(threads)]
    command += ["--drain", "--wait-retries"] if drain else []
    output = open(log, "ab") if log else subprocess.DEVNULL  # noqa: SIM115
    return subprocess.Popen(command, cwd=ROOT, env=env, stdout=output, stderr=output)


def received(log: Path) -> Counter:
    """How many times each Message-ID reached the SMTP server."""
    if not log.exists():
        return Counter()
    return Counter(line.strip() for line in log.read_text(encoding="utf-8").splitlines() if line.strip())


def wait_for(log: Path, count: int, timeout: float) -> int:
    """Wait until `count` messages reached the server (or the timeout); how many did."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        total = sum(received(log).values())
        if total >= count:
            return total
        time.sleep(0.005)
    return sum(received(log).values())
