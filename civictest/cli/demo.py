"""`flask --app app demo`: upgrade the database and load the deterministic demo dataset."""
from __future__ import annotations

import click
from flask_migrate import upgrade

from civictest.services.accounts import MIN_PASSWORD_LENGTH


def _check_password(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """The staff password rule, checked before anything is written: a clean usage error (exit 2), no traceback."""
    if value is not None and len(value) < MIN_PASSWORD_LENGTH:
        raise click.BadParameter(
            f"must have at least {MIN_PASSWORD_LENGTH} characters (it has {len(value)}), "
            f"e.g. --password 'choose-a-password'; or leave --password out and one is generated and printed",
            ctx=ctx, param=param)
    return value


@click.command("demo")
@click.option("--reset", is_flag=True, help="Delete all data first, then load the demo again.")
@click.option("--password", default=None, callback=_check_password,
              help=f"Password for the demo staff accounts, at least {MIN_PASSWORD_LENGTH} characters "
                   "(generated and printed when omitted).")
def demo_command(reset: bool, password: str | None) -> None:
    """Upgrade the database and load the deterministic demo dataset (idempotent)."""
    from civictest.services import demo

    upgrade()
    if reset:
        demo.reset()
    summary = demo.load(password=password)
    click.echo(summary.describe())
