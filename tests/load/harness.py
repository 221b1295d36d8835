"""Load-test clients: stdlib HTTP 'browsers' that resubmit like a resident would, and the exactly-once check."""
from __future__ import annotations

import http.client
import socket
import threading
import time
import urllib.parse
from collections import Counter
from dataclasses import dataclass, field
from http.cookies import SimpleCookie

from sqlalchemy import text

from load.servers import INVITE_CODE, SECRET_KEY

# Errors a browser sees when a worker dies mid-request or the listen queue is slow: resend the same form.
CONNECTION_ERRORS = (ConnectionError, http.client.HTTPException, socket.timeout, OSError)


# -- HTTP --------------------------------------------------------------------------------------

def request(base: str, method: str, path: str, body: dict | None = None, headers: dict | None = None,
            timeout: float = 30) -> tuple[int, dict, str]:
    """One HTTP/1.1 request on a fresh connection (gunicorn's sync workers close after each response)."""
    host, port = base.split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=timeout)
    try:
        payload = urllib.parse.urlencode(body) if body is not None else None
        all_headers = dict(headers or {})
        if payload is not None:
            all_headers["Content-Type"] = "application/x-www-form-urlencoded"
        connection.request(method, path, body=payload, headers=all_headers)
        response = connection.getresponse()
        text_body = response.read().decode("utf-8", "replace")
        response_headers = {}
        for name, value in response.getheaders():
            key = name.lower()
            response_headers[key] = f"{response_headers[key]}\n{value}" if key in response_headers else value
        return response.status, response_headers, text_body
    finally:
        connection.close()


@dataclass
class Stats:
    """What every client saw, shared by all threads."""

    statuses: Counter = field(default_factory=Counter)
    connection_errors: Counter = field(default_factory=Counter)
    retries: int = 0
    unavailable_without_retry_after: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def count(self, **changes: int) -> None:
        with self.lock:
            for name, value in changes.items():
                setattr(self, name, getattr(self, name) + value)


class Browser:
    """A resident's browser: a cookie jar, and a resubmit (same form data) after a dropped connection or a 503."""

    def __init__(self, base: str, stats: Stats, max_tries: int = 12, deadline: float | None = None,
                 resend_on: tuple[int, ...] = (503,)):
        self.base, self.stats, self.max_tries = base, stats, max_tries
        # Statuses after which the same form is sent again: 503 (busy); behind a proxy also 502/504, what nginx
        # answers when the app server it had passed the request to died (a person would press submit again).
        self.resend_on = resend_on
        self.deadline = deadline
        self.cookies: dict[str, str] = {}
        self._lock = threading.Lock()

    def send_once(self, method: str, path: str, data: dict | None = None) -> tuple[int, dict, str]:
        """One request with this browser's cookies, whatever it answers (no resubmit)."""
        status, headers, body = request(self.base, method, path, data, {"Cookie": self._cookie_header()})
        with self.stats.lock:
            self.stats.statuses[status] += 1
        self._store_cookies(headers.get("set-cookie"))
        return status, headers, body

    def send(self, method: str, path: str, data: dict | None = None) -> tuple[int, dict, str]:
        for attempt in range(self.max_tries):
            if attempt:
                self.stats.count(retries=1)
            if self.deadline is not None and time.monotonic() > self.deadline:
                raise TimeoutError(f"load test deadline passed before {method} {path} was answered")
            try:
                status, headers, body = self.send_once(method, path, data)
            except CONNECTION_ERRORS as error:
                with self.stats.lock:
                    self.stats.connection_errors[type(error).__name__] += 1
                time.sleep(0.05 * (attempt + 1))
                continue
            if status in self.resend_on:
                if status == 503 and "retry-after" not in headers:
                    self.stats.count(unavailable_without_retry_after=1)
                # A browser user would wait Retry-After seconds; capped so the test stays short.
                time.sleep(min(float(headers.get("retry-after", 1)), 0.3))
                continue
            return status, headers, body
        raise RuntimeError(f"{method} {path}: no answer after {self.max_tries} tries")

    def _cookie_header(self) -> str:
        with self._lock:
            return "; ".join(f"{name}={value}" for name, value in self.cookies.items())

    def _store_cookies(self, header: str | None) -> None:
        if not header:
            return
        for line in header.split("\n"):
            jar = SimpleCookie()
            jar.load(line)
            with self._lock:
                for name, morsel in jar.items():
                    if morsel["max-age"] == "0" or morsel.value == "":
                        self.cookies.pop(name, None)
                    else:
                        self.cookies[name] = morsel.value


def join_and_fill_profile(browser: Browser) -> None:
    """Consent (the page's CSRF token and key, posted with the browser's cookie) and the optional profile."""
    from helpers import hidden_fields

    consent_url = f"/join/{INVITE_CODE}/consent"
    status, _, html = browser.send("GET", consent_url)
    assert status == 200, f"consent page: {status}"
    status, headers, _ = browser.send("POST", consent_url, {**hidden_fields(html), "agree": "y"})
    assert status == 302 and headers["location"].endswith("/participate/profile"), (status, headers)
    status, _, html = browser.send("GET", "/participate/profile")
    assert status == 200, f"profile page: {status}"
    status, headers, _ = browser.send("POST", "/participate/profile", {**hidden_fields(html), "device": "smartphone"})
    assert status == 302 and headers["location"].endswith("/participate/tasks/1"), (status, headers)


def task_form(browser: Browser, position: int, **answers: str) -> tuple[str, dict]:
    """GET a task page; (its URL, the form data a resident would post: hidden fields plus `answers`)."""
    from helpers import hidden_fields

    url = f"/participate/tasks/{position}"
    status, _, html = browser.send("GET", url)
    assert status == 200, f"GET {url}: {status}"
    return url, {**hidden_fields(html), **answers}


def ticket_contents(ticket: str) -> dict:
    """The idempotency key `k`, participant `p` and task `t` a task page's signed ticket carries."""
    from itsdangerous import URLSafeSerializer

    return URLSafeSerializer(SECRET_KEY, salt="civictest-task-ticket").loads(ticket)


# -- the exactly-once check --------------------------------------------------------------------

def stored_attempts(engine) -> list[tuple[str, int, str]]:  # noqa: ANN001
    """(participant public id, task id, idempotency key) of every stored self-reported attempt."""
    query = text("SELECT p.public_id, a.task_id, a.idempotency_key FROM attempt a "
                 "JOIN participant p ON p.id = a.participant_id WHERE a.source = 'self'")
    with engine.connect() as connection:
        return [tuple(row) for row in connection.execute(query)]


def exactly_once_problems(acknowledged: set[tuple[str, int, str]], sent_keys: set[str],
                          stored: list[tuple[str, int, str]]) -> list[str]:
    """Empty when every acknowledged answer is stored exactly once and nothing else is stored."""
    problems = []
    keys = Counter(key for _, _, key in stored)
    if twice := sorted(key for key, n in keys.items() if n > 1):
        problems.append(f"{len(twice)} keys stored more than once, e.g. {twice[:3]}")
    if lost := sorted(key for _, _, key in acknowledged if keys[key] == 0):
        problems.append(f"{len(lost)} acknowledged answers not stored, e.g. {lost[:3]}")
    if stray := sorted(key for key in keys if key not in sent_keys):
        problems.append(f"{len(stray)} stored rows match no submission, e.g. {stray[:3]}")
    pairs = Counter((person, task) for person, task, _ in stored)
    if doubled := [pair for pair, n in pairs.items() if n > 1]:
        problems.append(f"{len(doubled)} (participant, task) pairs stored more than once")
    acknowledged_pairs = {(person, task) for person, task, _ in acknowledged}
    if len(stored) != len(acknowledged_pairs):
        problems.append(f"{len(stored)} rows stored for {len(acknowledged_pairs)} acknowledged (participant, task)")
    if set(stored) != acknowledged:
        problems.append(f"{len(set(stored) ^ acknowledged)} differences between stored and acknowledged answers")
    return problems
