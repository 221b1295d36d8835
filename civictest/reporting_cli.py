"""Command-line doors to the reports: `flask --app app report | compare | bench report`. Thin wrappers.

They print the same figures as the JSON API (civictest.reporting.figures), unrounded; the operator on the server sees
every service, as the database does.
"""
from __future__ import annotations

import json

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from civictest import exports
from civictest.reporting import figures
from civictest.extensions import db
from civictest.models import Iteration, Service
from civictest.services.errors import DomainError

FORMATS = click.Choice(["json", "csv"])


def _echo(result: dict, table, output: str) -> None:  # noqa: ANN001 - table: dict -> DataFrame
    """JSON as the API sends it, or one CSV row per task (formula-safe cells, no BOM on a terminal)."""
    if output == "json":
        click.echo(json.dumps(result, ensure_ascii=False, indent=2))
    else:
        click.echo(exports.to_csv_bytes(table(result)).decode("utf-8-sig"), nl=False)


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


bench_cli = AppGroup("bench", help="Benchmarks on scratch databases (never the app's own database).")


@bench_cli.command("report")
@click.option("--attempts", type=int, multiple=True, help="Attempts per iteration; repeat for several sizes.")
@click.option("--rounds", type=int, default=3, show_default=True)
@click.option("--budget", type=float, default=180, show_default=True, help="Seconds of timed rounds per size.")
@click.option("--postgres-url", help="PostgreSQL server for a scratch database (default: the app's, if PostgreSQL).")
@click.option("--no-postgres", is_flag=True)
@click.option("--vacuum", is_flag=True, help="VACUUM ANALYZE the PostgreSQL database before timing.")
def bench_report_command(attempts: tuple[int, ...], rounds: int, budget: float, postgres_url: str | None,
                         no_postgres: bool, vacuum: bool) -> None:
    """Time the iteration report and comparison against a bare SQL GROUP BY (benchmarks/report.py)."""
    from benchmarks import report as benchmark  # the repository's benchmarks/, not part of the package

    own_database = current_app.config["SQLALCHEMY_DATABASE_URI"]  # its PostgreSQL server, if that is one
    server = None if no_postgres else benchmark.postgres_server(postgres_url, own_database)
    benchmark.run(list(attempts) or [1_000_000], rounds, budget, server, vacuum)


def register(app: Flask) -> None:
    app.cli.add_command(report_command)
    app.cli.add_command(compare_command)
    existing = app.cli.commands.get("bench")  # another benchmark may have made the group first
    if isinstance(existing, click.Group):
        existing.add_command(bench_report_command)
    else:
        app.cli.add_command(bench_cli)
