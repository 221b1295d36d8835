"""`flask --app app users create | token`: staff accounts and their API tokens. Thin wrappers over services."""
from __future__ import annotations

import click
from flask.cli import AppGroup
from sqlalchemy import select

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
    """Issue a new API bearer token for a user (replaces the old one; shown once).

    The token alone goes to standard output (``TOKEN=$(flask --app app users token --email E)`` keeps working);
    how to send it goes to standard error."""
    user = db.session.scalar(select(User).where(User.email == accounts.normalise_email(email)))
    if user is None:
        raise click.ClickException(f"no user {email}")
    token = accounts.issue_api_token(user)
    db.session.commit()
    click.echo(token)
    click.echo(TOKEN_HELP.format(email=user.email, token=token), err=True)


TOKEN_HELP = """
API token for {email}, shown only this once (issuing another replaces it).
Send it with every request to /api/v1/ in the Authorization header:

  Authorization: Bearer {token}

For example (with the server started by `flask --app app run`):

  curl -H "Authorization: Bearer {token}" http://127.0.0.1:5000/api/v1/services"""
