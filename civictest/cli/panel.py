"""`flask --app app panel invite | remind | booking-reminders | export | incentives | quotas`: the tester panel's rounds from the command line.

Thin wrappers over services.panel (actions) and reporting.panel (exports); the same actions are on the staff pages (/manage/panel)."""
from __future__ import annotations

import sys
from pathlib import Path

import click
from flask.cli import AppGroup

from civictest.exporting.panel import incentives_csv, members_csv
from civictest.reporting import panel as panel_figures
from civictest.services import panel
from civictest.services.errors import DomainError

panel_cli = AppGroup("panel", help="The resident tester panel: invitations, reminders, export, quotas.")


def _session(code: str):  # noqa: ANN202
    try:
        return panel.study_for_session(code)
    except DomainError as error:
        raise click.ClickException(f"no session with the invite code {code!r}") from error


@panel_cli.command("invite")
@click.option("--session", "code", required=True, help="The session's invite code.")
@click.option("--count", type=click.IntRange(1, 100_000), required=True, help="How many members to invite.")
@click.option("--seed", type=int, default=None, help="Fix the tie-breaking shuffle (repeatable runs).")
def invite_command(code: str, count: int, seed: int | None) -> None:
    """Select members by the study's quotas and queue their invitations; prints how many per quota cell."""
    result = panel.invite(_session(code), count, seed=seed)
    selection = result.selection
    for key in sorted(selection.targets):
        click.echo(f"{key or '(all)'}\ttarget {selection.targets[key]}\tinvited {selection.filled.get(key, 0)}"
                   f"\teligible {selection.eligible.get(key, 0)}")
    click.echo(f"round {result.round.id}: {len(selection.chosen)} invited, {result.queued} e-mails queued")
    for key, missing in sorted(selection.shortfall().items()):
        click.echo(f"short: {key or '(all)'} needs {missing} more eligible members", err=True)


@panel_cli.command("remind")
@click.option("--session", "code", required=True, help="The session's invite code.")
def remind_command(code: str) -> None:
    """Remind invited members who have not finished (each once)."""
    click.echo(f"{panel.remind(_session(code))} reminders queued")


@panel_cli.command("booking-reminders")
def booking_reminders_command() -> None:
    """Queue the day-before reminders of in-person bookings (the worker also runs this every hour)."""
    from civictest.services import booking

    click.echo(f"{booking.send_reminders()} booking reminders queued")


@panel_cli.command("export")
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="File to write (default: standard output).")
def export_command(output: Path | None) -> None:
    """One CSV row per member (profile, invitations, tests; no e-mail address)."""
    body = members_csv(panel_figures.export_rows())
    if output is None:
        sys.stdout.buffer.write(body)
    else:
        output.write_bytes(body)
        click.echo(f"wrote {output}")


@panel_cli.command("incentives")
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="File to write (default: standard output).")
def incentives_command(output: Path | None) -> None:
    """The incentives ledger as CSV; the monthly totals on standard error."""
    for month in panel_figures.incentive_months():
        click.echo(f"{month['month']}\t{month['count']} incentives\t{month['total_yen']} yen", err=True)
    body = incentives_csv(panel_figures.incentive_rows())
    if output is None:
        sys.stdout.buffer.write(body)
    else:
        output.write_bytes(body)
        click.echo(f"wrote {output}")


@panel_cli.command("quotas")
@click.option("--session", "code", required=True, help="Any session of the study.")
@click.argument("csv_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def quotas_command(code: str, csv_file: Path) -> None:
    """Replace the study's quotas from a CSV: dimension columns and a share (or count) column."""
    test_session = _session(code)
    try:
        quotas = panel.quotas_from_csv(csv_file.read_bytes())
    except DomainError as error:
        raise click.ClickException(f"{csv_file}: {error.message}") from error
    panel.set_quotas(test_session.study, quotas)
    click.echo(f"{len(quotas)} quota cells set")
