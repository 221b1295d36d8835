"""`flask --app app demo`: upgrade the database and load the deterministic demo dataset."""
from __future__ import annotations

import click
from flask_migrate import upgrade


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
