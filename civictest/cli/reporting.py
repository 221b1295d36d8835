"""`flask --app app report | compare`: the reports on the command line. Thin wrappers.

They print the same figures as the JSON API (civictest.reports), unrounded; the operator on the server sees
every service, as the database does.
"""
from __future__ import annotations

import json

import click
from flask import Flask

from civictest.reporting import figures
from civictest.exporting import writers
from civictest.extensions import db
from civictest.models import Iteration, Service
from civictest.services.errors import DomainError

FORMATS = click.Choice(["json", "csv"])


def _echo(result: dict, table, output: str) -> None:  # noqa: ANN001 - table: dict -> DataFrame
    """JSON as the API sends it, or one CSV row per task (formula-safe cells, no BOM on a terminal)."""
    if output == "json":
        click.echo(json.dumps(result, ensure_ascii=False, indent=2))
    else:
        click.echo(writers.to_csv_bytes(table(result)).decode("utf-8-sig"), nl=False)


def _iteration(iteration_id: int) -> Iteration:
    iteration = db.session.get(Iteration, iteration_id)
    if iteration is None:
        raise click.ClickException(f"no iteration {iteration_id}")
    return iteration


@click.command("report")
@click.option("--iteration", "iteration_id", type=int, required=True, help="Iteration id.")
@click.option("--format", "output", type=FORMATS, default="json", show_default=True)
def report_command(iteration_id: int, output: str) -> None:
    """Print an iteration's report: per task and overall."""
    _echo(figures.iteration_report(_iteration(iteration_id)), figures.report_table, output)


@click.command("compare")
@click.option("--base", "base_id", type=int, required=True, help="Iteration id to compare against.")
@click.option("--candidate", "candidate_id", type=int, required=True, help="Iteration id of the newer version.")
@click.option("--format", "output", type=FORMATS, default="json", show_default=True)
def compare_command(base_id: int, candidate_id: int, output: str) -> None:
    """Print candidate vs base (differences are candidate minus base); both must be of one service."""
    service = db.session.get(Service, _iteration(base_id).service_id)
    try:
        result = figures.compare(service, base_id, candidate_id)
    except DomainError as error:
        raise click.ClickException(f"iteration {candidate_id} is not an iteration of service {service.id}") from error
    _echo(result, figures.compare_table, output)


def register(app: Flask) -> None:
    app.cli.add_command(report_command)
    app.cli.add_command(compare_command)
