"""axe on every staff page, for every demo role, in Japanese and English.

The pages are not listed by hand: every GET route under the staff prefixes is taken from the app's url_map,
and route arguments are filled with the demo's objects (the childcare service, its iterations, sessions...),
so pages added later are checked as soon as they land. A route whose argument has no demo value fails
`test_every_staff_route_has_demo_arguments`: add the argument to `demo_arguments` below.
"""
from __future__ import annotations

import hashlib
import re
import threading

import pytest
from flask import url_for
from sqlalchemy import select

from browser_support import (
    DESKTOP, FAILING_IMPACTS, axe, format_violations, launch_chromium, outbox_message_name, staff_login,
    untagged_japanese,
)
from civictest.extensions import db
from civictest.models import Participant, Survey, TestSession, User
from civictest.services import survey_demo
from civictest.services.demo import DEMO_INVITE_CODE

pytestmark = pytest.mark.browser

STAFF_PREFIXES = ("/manage", "/facilitate", "/review", "/compare")
ROLES = {  # one demo account per role (see civictest/services/demo_data.py)
    "admin": "admin@example.jp",
    "service_team": "team@example.jp",
    "product_owner": "owner@example.jp",
    "facilitator": "facilitator@example.jp",
}
# The page each role must reach (so a role that suddenly sees nothing fails instead of passing vacuously).
HOME = {"admin": "/manage/", "service_team": "/review/", "product_owner": "/compare/", "facilitator": "/facilitate/"}


def demo_arguments() -> dict[str, object]:
    """Values for route arguments, taken from the demo's childcare service (visible to every demo role)."""
    session = db.session.scalar(select(TestSession).where(TestSession.invite_code == DEMO_INVITE_CODE))
    iteration = session.study.iteration
    service = iteration.service
    in_person = db.session.scalar(select(TestSession).where(TestSession.study_id == iteration.study.id,
                                                            TestSession.mode == "in_person"))
    values = {"service_id": service.id, "iteration_id": iteration.id, "study_id": iteration.study.id,
              "session_id": in_person.id, "task_id": service.tasks[0].id, "department_id": service.department_id,
              "position": 1, "number": iteration.number,
              "user_id": db.session.scalar(select(User.id).where(User.email == ROLES["service_team"])),
              "participant_id": db.session.scalar(select(Participant.id).where(Participant.session_id == in_person.id)
                                                  .order_by(Participant.id))}
    values["name"] = outbox_message_name()  # /manage/mail/outbox/<name>
    values["slot_id"] = _demo_venue_slot()  # /manage/panel/slots/<slot_id>: the demo's in-person session with booking
    survey = db.session.scalar(select(Survey).where(Survey.title_ja == survey_demo.TITLE))
    if survey is not None:  # the demo's staff survey and its newest wave (survey results under /compare)
        values.update(survey_id=survey.id, wave_id=survey.waves[-1].id)
    for table in db.metadata.sorted_tables:  # any other `<table>_id`: the first row of the childcare service
        name = f"{table.name}_id"
        if name not in values and "id" in table.c and "service_id" in table.c:
            row = db.session.execute(select(table.c.id).where(table.c.service_id == service.id)
                                     .order_by(table.c.id)).first()
            if row is not None:
                values[name] = row[0]
    return values


def _demo_venue_slot() -> int | None:
    from civictest.models import BookingSlot
    from civictest.services.demo_booking import DEMO_VENUE_CODE

    return db.session.scalar(select(BookingSlot.id).join(TestSession, TestSession.id == BookingSlot.session_id)
                             .where(TestSession.invite_code == DEMO_VENUE_CODE).order_by(BookingSlot.id))


def _booking_pages() -> list[str]:
    """The booking pages of the demo's in-person session with booking, whose slots and bookings fill them
    (the URL map's pages above show the demo's first in-person session, which has none)."""
    from civictest.services.demo_booking import DEMO_VENUE_CODE

    venue = db.session.scalar(select(TestSession.id).where(TestSession.invite_code == DEMO_VENUE_CODE))
    if venue is None:
        return []
    return [url_for("manage.booking_slots", session_id=venue), url_for("facilitate.bookings", session_id=venue),
            url_for("manage.panel_session", session_id=venue)]


def staff_urls(app) -> tuple[list[str], list[str]]:  # noqa: ANN001
    """(every staff GET page as a URL, the routes whose arguments have no demo value)."""
    urls, missing = [], []
    with app.app_context():
        values = demo_arguments()
        with app.test_request_context():
            for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
                if "GET" not in rule.methods or not rule.rule.startswith(STAFF_PREFIXES):
                    continue
                unknown = sorted(set(rule.arguments) - set(values))
                if unknown:
                    missing.append(f"{rule.rule} (no demo value for {', '.join(unknown)})")
                    continue
                urls.append(url_for(rule.endpoint, **{name: values[name] for name in rule.arguments}))
            urls += _booking_pages()
        db.session.remove()
    return sorted(set(urls)), missing


def test_every_staff_route_has_demo_arguments(live_server):
    urls, missing = staff_urls(live_server.app)
    assert not missing, "staff routes the axe test cannot visit; extend demo_arguments():\n  " + "\n  ".join(missing)
    assert len(urls) >= 10


LANGS = ("ja", "en")
# Roles are checked in parallel threads, each with its own Playwright and Chromium (Playwright objects must stay
# in their thread): the server renders one page while a browser runs axe on another, even on two cores.
WORKERS = 3


@pytest.fixture(scope="module")
def staff_results(live_server, browser) -> dict:  # noqa: ARG001 (browser: skip or fail when Chromium is missing)
    """{(role, lang): (pages checked, pages refused, problems, untagged Japanese)} for every role and language."""
    urls, _ = staff_urls(live_server.app)
    combos = [(role, lang) for role in ROLES for lang in LANGS]
    results: dict = {}

    def work(chunk: list[tuple[str, str]]) -> None:
        from playwright.sync_api import sync_playwright

        with sync_playwright() as playwright:
            chromium = launch_chromium(playwright)
            for role, lang in chunk:
                try:
                    results[(role, lang)] = _check_role(chromium, live_server.url, urls, role, lang)
                except Exception as error:  # noqa: BLE001 (reported by that role's test)
                    results[(role, lang)] = ([], [], [f"{type(error).__name__}: {error}"], [])
            chromium.close()

    threads = [threading.Thread(target=work, args=(combos[i::WORKERS],)) for i in range(WORKERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("role", list(ROLES))
def test_staff_pages_pass_axe(staff_results, role, lang):
    checked, refused, problems, untagged = staff_results[(role, lang)]
    print(f"{role} ({lang}): axe on {len(checked)} pages; refused: {', '.join(refused) or 'none'}")
    for path, texts in untagged:  # Japanese data on English pages wants lang="ja"
        print(f"  Japanese without lang=ja on {path}: {texts[:3]}")
    # Known and left: mixed English/Japanese text in <option> and SVG <desc> of the comparison pages (an option or
    # a desc cannot hold a <span lang="ja">). Every other page, the survey results page included, must mark its
    # Japanese data.
    unmarked = [(path, texts) for path, texts in untagged if not path.startswith("/compare/iterations/")]
    assert not unmarked, f"Japanese without lang=ja on English pages: {unmarked}"
    assert not problems, "\n".join(problems)
    assert HOME[role] in checked, f"{role} could not open {HOME[role]}"


def _check_role(chromium, base_url: str, urls: list[str], role: str, lang: str) -> tuple:  # noqa: ANN001
    from playwright.sync_api import Error as PlaywrightError

    context = chromium.new_context(viewport=DESKTOP, locale="ja-JP")
    context.set_default_timeout(30_000)
    page = context.new_page()
    page.goto(f"{base_url}/auth/login?lang={lang}")
    staff_login(page, base_url, ROLES[role])
    checked, refused, problems, untagged = [], [], [], []
    for path in urls:
        try:
            response = page.goto(base_url + path)
        except PlaywrightError as error:  # a file download (CSV, XLSX) is not a page
            if "Download is starting" not in str(error):
                raise
            continue
        status = response.status if response else None
        if status in (403, 404):  # another role's page, or another service's object: the access rules at work
            refused.append(f"{status} {path}")
            continue
        if status != 200 or "text/html" not in response.headers.get("content-type", ""):
            if status != 200:
                problems.append(f"{path}: HTTP {status}")
            continue
        if page.get_attribute("html", "lang") != lang:
            problems.append(f"{path}: html lang is {page.get_attribute('html', 'lang')!r}, not {lang!r}")
        violations = _serious_violations(page, path)
        if violations:
            problems.append(format_violations(violations, f"{path} as {role} ({lang})"))
        if lang == "en" and (texts := untagged_japanese(page)):
            untagged.append((path, texts))
        checked.append(path)
    context.close()
    return checked, refused, problems, untagged


_seen: dict[str, list[dict]] = {}
_HIDDEN_INPUT = re.compile(r"<input[^>]*type=\"hidden\"[^>]*>")


def _serious_violations(page, path: str) -> list[dict]:  # noqa: ANN001
    """axe's serious/critical violations; a page whose DOM another role or test already had is not run twice.

    axe's result depends only on the DOM (and the viewport, the same here), so skipping a byte-identical page
    (CSRF tokens aside) loses nothing; it keeps the run short as roles share most pages.
    """
    key = hashlib.sha256(_HIDDEN_INPUT.sub("", page.content()).encode()).hexdigest()
    if key not in _seen:
        _seen[key] = [v for v in axe(page, label=path, fail=False) if v["impact"] in FAILING_IMPACTS]
    return _seen[key]


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_login_page_and_its_error_state_pass_axe(live_server, new_page, lang):
    page = new_page(phone=True)
    page.goto(f"{live_server.url}/auth/login?lang={lang}")
    axe(page, label=f"login ({lang})")
    page.fill("input[name=email]", ROLES["admin"])
    page.fill("input[name=password]", "wrong password")
    with page.expect_navigation():
        page.click("main form button[type=submit]")
    assert page.is_visible(".error-summary")
    axe(page, label=f"login error ({lang})")
