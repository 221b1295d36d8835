"""Command-line doors: `flask --app app demo | users ...`. Thin wrappers over services."""
from __future__ import annotations

import click
from flask import Flask
from flask.cli import AppGroup
from flask_migrate import upgrade
from sqlalchemy import select

from civictest import data_cli, reporting_cli
from civictest.extensions import db
from civictest.models import User
from civictest.services import accounts
from civictest.services.errors import DomainError

users_cli = AppGroup("users", help="Staff accounts.")


@users_cli.command("create")
@click.option("--email", required=True)
@click.option("--role", required=True, type=click.Choice(["admin", "service_team", "product_owner", "facilitator"]))
@click.option("--password", help="At least 12 characters; prompted for when omitted.")
@click.option("--name", "display_name", default="")
def create_user_command(email: str, role: str, password: str | None, display_name: str) -> None:
    """Create a staff account."""
    if password is None:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    try:
        user = accounts.create_user(email, role, password, display_name)
        db.session.commit()
    except DomainError as error:
        raise click.ClickException(error.message) from error
    click.echo(f"created {user.role} {user.email}")


@users_cli.command("token")
@click.option("--email", required=True)
def token_command(email: str) -> None:
    """Issue a new API bearer token for a user (replaces the old one; shown once)."""
    user = db.session.scalar(select(User).where(User.email == accounts.normalise_email(email)))
    if user is None:
        raise click.ClickException(f"no user {email}")
    token = accounts.issue_api_token(user)
    db.session.commit()
    click.echo(token)


@click.command("demo")
@click.option("--reset", is_flag=True, help="Delete all data first, then load the demo again.")
@click.option("--password", default=None, help="Password for the demo staff accounts (printed when generated).")
def demo_command(reset: bool, password: str | None) -> None:
    """Upgrade the database and load the deterministic demo dataset (idempotent)."""
    from civictest.services import demo

    upgrade()
    if reset:
        demo.reset()
    summary = demo.load(password=password)
    click.echo(summary.describe())


sentiment_cli = AppGroup("sentiment", help="Comment sentiment: evaluate the analyzers, re-score stored comments.")


@sentiment_cli.command("evaluate")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--errors", "show_errors", default=0, help="Also list this many misclassified comments.")
def sentiment_evaluate_command(path: str, show_errors: int) -> None:
    """Accuracy and macro-F1 per language, and a confusion matrix, for a labelled JSONL file."""
    from civictest.sentiment.evaluate import evaluate, format_report, read_jsonl

    click.echo(format_report(evaluate(read_jsonl(path)), show_errors=show_errors))


@sentiment_cli.command("rescore")
@click.option("--iteration", "iteration_id", type=int, default=None, help="Only this iteration's comments.")
def sentiment_rescore_command(iteration_id: int | None) -> None:
    """Re-score stored comments with the current analyzers (after a lexicon or analyzer change)."""
    from civictest.services.sentiment_scoring import rescore

    counts = rescore(iteration_id)
    click.echo(f"re-scored {counts['comments']} comments, {counts['changed']} changed")


def register(app: Flask) -> None:
    app.cli.add_command(users_cli)
    app.cli.add_command(demo_command)
    data_cli.register(app)
    app.cli.add_command(sentiment_cli)
    reporting_cli.register(app)
