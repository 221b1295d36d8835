"""The Nu HTML Checker (vnu) over the pages the browser tests visit: 0 errors.

The pages are rendered by the live server's app (the demo data the browser tests use) through its test client:
every staff GET page (the same list the staff axe test walks, from the url_map), the public pages, the resident
path with its error states, and the error pages, in Japanese (and the resident and public pages in English). They
are saved to a temporary folder and checked by ONE run of vnu.jar (many files per JVM start).

vnu.jar comes from the npm package vnu-jar pinned in tests/vnu/package.json (`cd tests/vnu && npm ci
--ignore-scripts`) and runs on the system Java (Debian's default-jre-headless). Without Java or the jar the test is
skipped, except under CI (CI=true), where it fails.
"""
from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from sqlalchemy import select

from civictest.config import env_flag
from civictest.extensions import db
from civictest.models import Participant, Service, TestSession
from civictest.services.demo import DEMO_INVITE_CODE
from browser.test_panel_axe import _booking_link
from browser.test_staff_pages_axe import ROLES, staff_urls

pytestmark = pytest.mark.browser

VNU_JAR = Path(__file__).resolve().parents[1] / "vnu" / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
CSRF = re.compile(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"')


def _vnu_command() -> list[str]:
    java = shutil.which("java")
    missing = ("no java (apt-get install default-jre-headless)" if not java else
               None if VNU_JAR.is_file() else f"no {VNU_JAR} (cd tests/vnu && npm ci --ignore-scripts)")
    if missing:
        if env_flag("CI"):
            pytest.fail(f"the HTML checker cannot run under CI: {missing}", pytrace=False)
        pytest.skip(f"HTML checker skipped: {missing}")
    return [java, "-Xss4m", "-jar", str(VNU_JAR), "--errors-only", "--format", "json"]


def _token(html: str) -> str:
    match = CSRF.search(html)
    assert match, "no CSRF token"
    return match.group(1)


class Collector:
    """Fetches pages with a test client and saves each HTML answer under a readable file name."""

    def __init__(self, folder: Path) -> None:
        self.folder, self.saved = folder, {}

    def get(self, client, url: str, name: str, *, statuses=(200,), method: str = "GET", data=None) -> str:  # noqa: ANN001
        response = client.open(url, method=method, data=data)
        html = response.get_data(as_text=True)
        assert response.status_code in statuses, f"{url}: HTTP {response.status_code}"
        if response.mimetype == "text/html":
            path = self.folder / f"{len(self.saved):03d}-{re.sub(r'[^A-Za-z0-9]+', '-', name).strip('-')[:80]}.html"
            path.write_text(html, encoding="utf-8")
            self.saved[path.name] = url
        return html


def _resident_path(app, pages: Collector, lang: str) -> None:  # noqa: ANN001
    """Join the demo session, then every resident page and its error state; nothing is answered (the demo's
    figures, which other browser tests check, stay as they are)."""
    client = app.test_client()
    client.get(f"/?lang={lang}")
    code = DEMO_INVITE_CODE
    pages.get(client, f"/join/{code}", f"{lang} join")
    consent = pages.get(client, f"/join/{code}/consent", f"{lang} consent")
    pages.get(client, f"/join/{code}/consent", f"{lang} consent error", method="POST", statuses=(400,),
              data={"csrf_token": _token(consent)})
    key = re.search(r'name="key" type="hidden" value="([^"]+)"', consent).group(1)
    client.post(f"/join/{code}/consent", data={"csrf_token": _token(consent), "key": key, "agree": "y"})
    profile = pages.get(client, "/participate/profile", f"{lang} profile")
    pages.get(client, "/participate/profile", f"{lang} profile error", method="POST", statuses=(400,),
              data={"csrf_token": _token(profile), "postal_code": "12", "assistive_technology": "magnifier"})
    client.post("/participate/profile", data={"csrf_token": _token(profile)})
    task = pages.get(client, "/participate/tasks/1", f"{lang} task 1")
    pages.get(client, "/participate/tasks/1", f"{lang} task error", method="POST", statuses=(400,),
              data={"csrf_token": _token(task)})
    questionnaire = pages.get(client, "/participate/questionnaire", f"{lang} questionnaire")
    pages.get(client, "/participate/questionnaire", f"{lang} questionnaire error", method="POST", statuses=(400,),
              data={"csrf_token": _token(questionnaire), "item2": "3"})
    pages.get(client, "/participate/pause", f"{lang} pause")
    thanks = pages.get(client, "/participate/thanks", f"{lang} saved so far")
    with app.app_context():
        receipt = db.session.scalar(select(Participant.receipt_code).order_by(Participant.id.desc()).limit(1))
        db.session.remove()
    client.post("/participate/finish", data={"csrf_token": _token(thanks)})
    pages.get(client, "/participate/cleared", f"{lang} cleared")
    resume = pages.get(client, "/resume", f"{lang} resume")
    pages.get(client, "/resume", f"{lang} resume error", method="POST", statuses=(400,),
              data={"csrf_token": _token(resume), "receipt_code": "ZZZZZ-ZZZZZ"})
    withdraw = pages.get(client, "/withdraw", f"{lang} withdraw")
    pages.get(client, "/withdraw", f"{lang} withdraw confirm", method="POST",
              data={"csrf_token": _token(withdraw), "receipt_code": receipt})


def _public_and_error_pages(app, pages: Collector, lang: str) -> None:  # noqa: ANN001
    client = app.test_client()
    client.get(f"/?lang={lang}")
    with app.app_context():
        closed = db.session.scalar(select(TestSession.invite_code).where(TestSession.is_open.is_(False)).limit(1))
        published_fixes = db.session.scalar(select(Service.id).where(Service.publish_fixes.is_(True)).limit(1))
        db.session.remove()
    pages.get(client, "/", f"{lang} home")
    pages.get(client, "/accessibility", f"{lang} accessibility")
    pages.get(client, "/fixes", f"{lang} fixes index")
    if published_fixes:
        pages.get(client, f"/services/{published_fixes}/fixes", f"{lang} you said we did")
    index = pages.get(client, "/open-data/", f"{lang} open data")
    for dataset in sorted(set(re.findall(r'href="(/open-data/\d+/)"', index)))[:1]:
        pages.get(client, dataset, f"{lang} open data set")
    pages.get(client, "/auth/login", f"{lang} login")
    pages.get(client, "/join/NOSUCH0-CODE000", f"{lang} invite not found", statuses=(404,))
    if closed:
        pages.get(client, f"/join/{closed}", f"{lang} session closed", statuses=(403,))
    pages.get(client, "/no-such-page", f"{lang} 404", statuses=(404,))
    pages.get(client, "/resume", f"{lang} csrf error", method="POST", statuses=(400,), data={"receipt_code": "x"})


def _booking_pages(app, pages: Collector, lang: str) -> None:  # noqa: ANN001
    """The invitee's booking page of the demo's in-person session (slots with places, a full one), its
    error state (a made-up slot) and after booking."""
    client = app.test_client()
    client.get(f"/?lang={lang}")
    with app.app_context():
        link = _booking_link()
        db.session.remove()
    html = pages.get(client, link, f"{lang} booking")
    pages.get(client, link, f"{lang} booking error", method="POST", statuses=(422,),
              data={"csrf_token": _token(html), "action": "book", "slot": "999999"})
    slot = re.search(r'name="slot" value="(\d+)"', html).group(1)
    client.post(link, data={"csrf_token": _token(html), "action": "book", "slot": slot})
    pages.get(client, f"{link}?done=booked", f"{lang} booked")


def _staff_pages(app, pages: Collector, live_server) -> None:  # noqa: ANN001
    urls, _ = staff_urls(app)
    client = app.test_client()
    login = client.get("/auth/login").get_data(as_text=True)
    client.post("/auth/login", data={"csrf_token": _token(login), "email": ROLES["admin"],
                                     "password": live_server.password})
    for url in urls:
        response = client.get(url)
        if response.status_code == 200 and response.mimetype == "text/html":
            pages.get(client, url, f"ja staff {url}")


def test_every_page_the_browser_tests_visit_is_valid_html(live_server, tmp_path):
    command = _vnu_command()
    app = live_server.app
    pages = Collector(tmp_path)
    for lang in ("ja", "en"):
        _resident_path(app, pages, lang)
        _public_and_error_pages(app, pages, lang)
        _booking_pages(app, pages, lang)
    _staff_pages(app, pages, live_server)
    assert len(pages.saved) >= 60, f"only {len(pages.saved)} pages were collected"
    result = subprocess.run([*command, *sorted(str(p) for p in tmp_path.glob("*.html"))],
                            capture_output=True, text=True, timeout=600)
    messages = json.loads(result.stderr or '{"messages": []}')["messages"]
    errors = [m for m in messages if m.get("type") == "error"]
    lines = sorted({f"{pages.saved.get(Path(m['url']).name, m['url'])}: {m['message']}"
                    f" [{m.get('extract', '').strip()[:80]}]" for m in errors})
    print(f"vnu checked {len(pages.saved)} pages: {len(errors)} errors")
    assert not errors, f"{len(errors)} HTML errors:\n" + "\n".join(lines[:80])
