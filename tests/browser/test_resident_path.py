"""The resident's whole path in a real browser: join -> consent -> profile -> tasks -> questionnaire -> thanks.

Four walks on the demo's open session (DEMO-2026) cover JavaScript on and off, Japanese and English, a phone
and a desktop, the keyboard alone (Tab / Space / arrows / Enter, focus visible at every stop) and touch. axe
runs on every page, including an error state, and the database must hold every answer exactly once, even
after a double tap; a different answer sent again through the Back button replaces the first one.
"""
from __future__ import annotations

from dataclasses import dataclass

import pytest
from sqlalchemy import func, select

from browser_support import assert_focus_visible, axe, screenshot, tab_to, untagged_japanese
from civictest.extensions import db
from civictest.models import Attempt, Comment, Participant, QuestionnaireResponse, TestSession
from civictest.services.demo import DEMO_INVITE_CODE

pytestmark = pytest.mark.browser

ANSWERS = [  # (outcome, ease 1-7 or None, comment or None), one per demo task
    ("success", 6, None),
    ("partial", 3, {"ja": "書類の写真を選ぶボタンが見つけにくかったです。", "en": "The upload button was hard to find."}),
    ("failure", 2, {"ja": "希望する園の順番を変えられませんでした。", "en": "I could not reorder the nurseries."}),
    ("abandoned", None, None),
]
SUS = [4, 2, 4, 2, 5, 1, 4, 2, 4, 2]
OVERALL = {"ja": "全体としては分かりやすかったです。", "en": "Mostly clear overall."}
TEXT = {
    "ja": {"error": "エラー", "thanks": "ご協力ありがとうございました", "join": "ユーザーテストにご参加ください"},
    "en": {"error": "Error", "thanks": "Thank you", "join": "user test"},
}


@dataclass(frozen=True)
class Run:
    name: str
    lang: str
    js: bool
    phone: bool
    keyboard: bool
    double_tap: bool = False  # submit task 2 with a double tap (two POSTs)
    resubmit: bool = False  # go Back after task 2 and answer it again


RUNS = [
    Run("ja-js-keyboard", "ja", js=True, phone=False, keyboard=True),
    Run("en-js-phone", "en", js=True, phone=True, keyboard=False, double_tap=True),
    Run("ja-nojs-phone", "ja", js=False, phone=True, keyboard=False, resubmit=True),
    Run("en-nojs-keyboard", "en", js=False, phone=False, keyboard=True),
]


class Resident:
    """Drives one resident's page by keyboard only or by pointer/touch, checking every page it reaches."""

    def __init__(self, page, run: Run, base_url: str):  # noqa: ANN001
        self.page, self.run, self.base_url = page, run, base_url

    def arrive(self, step: str, path: str, *, shot: bool = False) -> None:
        assert self.page.url.split("?")[0].endswith(path), f"{self.run.name}: expected {path}, at {self.page.url}"
        assert self.page.get_attribute("html", "lang") == self.run.lang
        if self.run.lang == "en":
            assert not untagged_japanese(self.page), f"{self.run.name} {step}: Japanese text without lang=ja"
        axe(self.page, label=f"{self.run.name} {step}")
        if shot:
            screenshot(self.page, f"resident-{self.run.name}-{step}")

    def choose(self, name: str, value: str) -> None:
        target = f'input[name="{name}"][value="{value}"]'
        if self.run.keyboard:
            tab_to(self.page, f'input[name="{name}"]')
            self.page.keyboard.press("Space")
            for _ in range(12):  # arrow keys move through a radio group and select as they go
                if self.page.is_checked(target):
                    break
                self.page.keyboard.press("ArrowDown")
                assert_focus_visible(self.page)
        else:
            self._touch(f'label[for="{self.page.get_attribute(target, "id")}"]')
        assert self.page.is_checked(target), f"{self.run.name}: could not choose {name}={value}"

    def tick(self, selector: str) -> None:
        if self.run.keyboard:
            tab_to(self.page, selector)
            self.page.keyboard.press("Space")
        else:
            self._touch(f'label[for="{self.page.get_attribute(selector, "id")}"]')
        assert self.page.is_checked(selector)

    def type(self, selector: str, text: str) -> None:
        if self.run.keyboard:
            tab_to(self.page, selector)
            self.page.keyboard.type(text)
        else:
            self._touch(selector)
            self.page.fill(selector, text)

    def follow(self, selector: str) -> None:
        with self.page.expect_navigation():
            if self.run.keyboard:
                tab_to(self.page, selector)
                self.page.keyboard.press("Enter")
            else:
                self._touch(selector)

    def submit(self) -> None:
        self.follow("main form button[type=submit]")

    def double_tap_submit(self, next_path: str) -> None:
        self.page.dblclick("main form button[type=submit]")
        self.page.wait_for_url(f"**{next_path}")

    def _touch(self, selector: str) -> None:
        if self.run.phone:
            self.page.tap(selector)
        else:
            self.page.click(selector)


@pytest.mark.parametrize("run", RUNS, ids=[run.name for run in RUNS])
def test_resident_path(live_server, new_page, run: Run):
    page = new_page(js=run.js, phone=run.phone)
    resident = Resident(page, run, live_server.url)
    joined_before = _participants_in_demo_session(live_server.app)

    page.goto(f"{live_server.url}/join/{DEMO_INVITE_CODE}?lang={run.lang}")
    resident.arrive("join", f"/join/{DEMO_INVITE_CODE}", shot=True)
    assert TEXT[run.lang]["join"] in page.inner_text("h1")
    if run.keyboard:
        page.keyboard.press("Tab")  # the first stop is the skip link, shown on screen when focused
        assert page.evaluate("document.activeElement.classList.contains('skip-link')")
        assert_focus_visible(page)
    resident.follow('main a[href$="/consent"]')

    resident.arrive("consent", "/consent")
    resident.tick("#agree")
    resident.submit()

    resident.arrive("profile", "/participate/profile")
    resident.choose("age_band", "40s")
    resident.type("#postal_code", "160-0023")
    resident.choose("device", "smartphone" if run.phone else "pc")
    resident.choose("online_frequency", "weekly")
    resident.submit()

    for position, (outcome, ease, comment) in enumerate(ANSWERS, 1):
        resident.arrive(f"task{position}", f"/participate/tasks/{position}", shot=position == 1)
        if position == 1:
            _error_state(resident)
            if run.phone:  # the 1-7 ease scale reads as one scale: all seven on one line of a 390px screen
                tops = page.eval_on_selector_all("input[name=seq]", "els => els.map(e => e.getBoundingClientRect().top)")
                assert len(set(tops)) == 1, f"the ease scale wraps on a phone: {tops}"
        resident.choose("outcome", outcome)
        if ease is not None:
            resident.choose("seq", str(ease))
            if run.js:  # the enhancement asks for a comment when the task felt hard
                assert page.is_visible("#comment-prompt") == (ease <= 4)
        if comment:
            resident.type("#comment", comment[run.lang])
        next_path = f"/participate/tasks/{position + 1}" if position < len(ANSWERS) else "/participate/questionnaire"
        if position == 2 and run.double_tap:
            resident.double_tap_submit(next_path)
        else:
            resident.submit()
        if position == 2 and run.resubmit:
            _answer_again_after_back(resident, next_path)

    resident.arrive("questionnaire", "/participate/questionnaire")
    for number, value in enumerate(SUS, 1):
        resident.choose(f"item{number}", str(value))
    resident.type("#comment", OVERALL[run.lang])
    resident.submit()

    resident.arrive("thanks", "/participate/thanks", shot=True)
    assert TEXT[run.lang]["thanks"] in page.inner_text("h1")
    receipt = page.inner_text("#receipt-code").strip()
    assert len(receipt) == 11 and receipt[5] == "-", receipt

    _assert_stored_once(live_server.app, receipt, run)
    assert _participants_in_demo_session(live_server.app) == joined_before + 1


def _error_state(resident: Resident) -> None:
    """Submitting without an outcome: an accessible error page, not a lost answer."""
    page, run = resident.page, resident.run
    resident.submit()
    assert page.title().startswith(TEXT[run.lang]["error"]), page.title()
    assert page.is_visible(".error-summary")
    assert page.get_attribute(".error-summary a", "href") == "#outcome-0"
    assert page.get_attribute("#outcome-0", "aria-invalid") is None  # radios carry the error on the fieldset
    if run.js:  # the enhancement moves focus to the summary so screen readers announce it
        assert page.evaluate("document.activeElement.classList.contains('error-summary')")
    resident.arrive("task1-error", "/participate/tasks/1", shot=True)


def _answer_again_after_back(resident: Resident, next_path: str) -> None:
    """Back to the answered task and submit a different answer: it replaces the first one (issue 14: still one
    row), and the resident moves on."""
    page = resident.page
    page.go_back()
    assert page.url.endswith("/participate/tasks/2")
    resident.choose("outcome", "success")
    resident.submit()
    assert page.url.split("?")[0].endswith(next_path), page.url


def _participants_in_demo_session(app) -> int:  # noqa: ANN001
    with app.app_context():
        count = db.session.scalar(select(func.count(Participant.id)).join(TestSession)
                                  .where(TestSession.invite_code == DEMO_INVITE_CODE))
        db.session.remove()
        return count


def _assert_stored_once(app, receipt: str, run: Run) -> None:  # noqa: ANN001
    with app.app_context():
        person = db.session.scalar(select(Participant).where(Participant.receipt_code == receipt))
        assert person is not None and person.finished_at is not None and person.consent_version
        assert person.age_band == "40s" and person.online_frequency == "weekly"
        assert person.municipality_code, "the postal code should give a municipality"
        attempts = list(db.session.scalars(select(Attempt).where(Attempt.participant_id == person.id)
                                           .order_by(Attempt.task_id)))
        assert [a.source for a in attempts] == ["self"] * len(ANSWERS)
        expected_answers = [(outcome, ease) for outcome, ease, _ in ANSWERS]
        if run.resubmit:  # task 2 answered again after Back: success, the ease still ticked on the page
            expected_answers[1] = ("success", ANSWERS[1][1])
        assert [(a.outcome, a.seq) for a in attempts] == expected_answers
        responses = list(db.session.scalars(select(QuestionnaireResponse)
                                            .where(QuestionnaireResponse.participant_id == person.id)))
        assert len(responses) == 1 and responses[0].items == SUS and responses[0].kind == "sus"
        comments = db.session.scalars(select(Comment).where(Comment.participant_id == person.id)).all()
        expected = sum(1 for _, _, comment in ANSWERS if comment) + 1
        assert len(comments) == expected, f"{run.name}: {len(comments)} comments stored, {expected} expected"
        db.session.remove()


@pytest.mark.parametrize("path, field", [("/resume", "#receipt_code"), ("/participate/profile", "#postal_code")])
def test_enter_while_composing_does_not_submit(live_server, page, path, field):
    """Enter that confirms a Japanese IME conversion must not send a form half-typed.

    The composition is made through the DevTools protocol, so Chromium itself sends a trusted keydown with
    isComposing true, as with a real IME (without the guard, this Enter does submit the form).
    """
    if path.startswith("/participate"):
        page.goto(f"{live_server.url}/join/{DEMO_INVITE_CODE}/consent")
        page.check("#agree")
        with page.expect_navigation():
            page.click("main form button[type=submit]")
    page.goto(f"{live_server.url}{path}")
    page.click(field)
    page.evaluate("window.__stillHere = true")
    devtools = page.context.new_cdp_session(page)
    devtools.send("Input.imeSetComposition", {"text": "１６０", "selectionStart": 3, "selectionEnd": 3})
    page.evaluate("""() => window.addEventListener('keydown',  // runs after the form's own listener
        (event) => { window.__enter = {composing: event.isComposing, prevented: event.defaultPrevented}; })""")
    devtools.send("Input.dispatchKeyEvent", {"type": "keyDown", "key": "Enter", "code": "Enter",
                                             "windowsVirtualKeyCode": 13, "text": "\r"})
    devtools.send("Input.dispatchKeyEvent", {"type": "keyUp", "key": "Enter", "code": "Enter",
                                             "windowsVirtualKeyCode": 13})
    page.wait_for_timeout(300)
    assert page.evaluate("window.__enter") == {"composing": True, "prevented": True}
    assert page.url.endswith(path) and page.evaluate("window.__stillHere === true"), "the form was submitted"

    # The control: a plain Enter, once the conversion is confirmed, does submit.
    devtools.send("Input.insertText", {"text": "１６０"})
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.evaluate("window.__stillHere === undefined")
