"""The demo command: a realistic dataset of the promised size, loaded once however often it runs."""
from sqlalchemy import func, select

from civictest.extensions import db
from civictest.models import Attempt, Comment, Department, Finding, Iteration, Participant, Service, TestSession, User
from civictest.services import demo


def _count(model) -> int:  # noqa: ANN001
    return db.session.scalar(select(func.count()).select_from(model))


def test_demo_command_loads_the_promised_dataset_once(app, ctx):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["demo", "--password", "demo-password-2026"])
    assert first.exit_code == 0, first.output
    assert "admin@example.jp" in first.output and "/join/DEMO-2026" in first.output
    counts = {model: _count(model) for model in (Department, Service, Iteration, Attempt, Comment, Finding, User)}
    assert counts[Department] >= 3 and counts[Service] >= 4
    assert counts[Iteration] >= 12 and counts[Attempt] >= 600
    second = runner.invoke(args=["demo"])
    assert second.exit_code == 0 and "nothing changed" in second.output
    assert {model: _count(model) for model in counts} == counts


def test_demo_content_covers_what_the_pages_need(ctx):
    demo.load(password="demo-password-2026")
    municipalities = db.session.scalars(select(Participant.municipality_code).distinct()).all()
    assert len({code for code in municipalities if code and code.startswith("13")}) >= 15
    comments = db.session.scalars(select(Comment)).all()
    japanese = sum(1 for comment in comments if comment.lang == "ja")
    assert japanese > len(comments) / 2 and any(comment.lang == "en" for comment in comments)
    assert all(comment.sentiment_label for comment in comments)
    assert {f.status for f in db.session.scalars(select(Finding))} >= {"new", "fixed", "verified", "wont_fix"}
    assert {u.role for u in db.session.scalars(select(User))} == {"admin", "service_team", "product_owner", "facilitator"}
    open_session = db.session.scalar(select(TestSession).where(TestSession.invite_code == "DEMO-2026"))
    first_service = db.session.scalar(select(Service).order_by(Service.id))
    assert open_session.is_open and open_session.study.iteration_id == first_service.iterations[-1].id
    assert db.session.scalar(select(func.count()).where(Attempt.source == "observer")) > 0
    # the panel's joins and leaves per month stop at the demo's last month (nobody leaves in the future)
    from civictest.models import PanelMember, PanelMonthlyCount

    assert max(db.session.scalars(select(PanelMonthlyCount.month))) <= "2026-12"
    assert all(m.left_at > m.confirmed_at for m in db.session.scalars(select(PanelMember).where(
        PanelMember.left_at.is_not(None))))


def test_demo_is_deterministic(ctx):
    demo.load(password="demo-password-2026")
    outcomes = db.session.execute(select(Attempt.outcome, Attempt.seq).order_by(Attempt.id)).all()
    demo.reset()
    demo.load(password="demo-password-2026")
    assert db.session.execute(select(Attempt.outcome, Attempt.seq).order_by(Attempt.id)).all() == outcomes


def test_demo_staff_can_log_in(client, ctx):
    demo.load(password="demo-password-2026")
    from helpers import post_form

    response = post_form(client, "/auth/login", {"email": "owner@example.jp", "password": "demo-password-2026"})
    assert response.status_code == 302
