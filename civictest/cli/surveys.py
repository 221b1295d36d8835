"""flask survey units | roster | invite | remind: what cron or a systemd timer runs (remind weekly)."""
from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from sqlalchemy import select

from civictest.extensions import db
from civictest.models import SurveyWave
from civictest.services import survey_invitations, surveys
from civictest.services.errors import DomainError

survey_cli = click.Group("survey", help="Surveys: org units, roster upload, invitations and weekly reminders.")


def _wave(wave_id: int) -> SurveyWave:
    wave = db.session.get(SurveyWave, wave_id)
    if wave is None:
        raise click.ClickException(f"no wave {wave_id}")
    return wave


def _context():  # noqa: ANN202
    """A request context standing at the public site, so that links in mail are absolute."""
    from civictest.web.urls import site_url

    return current_app.test_request_context(base_url=site_url() or "http://localhost")


@survey_cli.command("units")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def units_command(file: Path) -> None:
    """Register org units from a text file: one path (局/部/課) per line."""
    lines = [line for line in file.read_text(encoding="utf-8-sig").splitlines() if line.strip()]
    added = surveys.ensure_units(lines)
    db.session.commit()
    click.echo(f"{len(added)} units")


@survey_cli.command("roster")
@click.option("--wave", "wave_id", type=int, required=True)
@click.option("--commit", is_flag=True, help="Add the rows (without it: a dry run that only reports).")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def roster_command(wave_id: int, commit: bool, file: Path) -> None:
    """Check (and with --commit add) a roster file: all rows or none."""
    from civictest.importing.messages import file_error_text
    from civictest.importing.roster_messages import roster_problem_rows

    wave = _wave(wave_id)
    with current_app.test_request_context():
        plan = surveys.plan_roster(wave, file.read_bytes(), file.name, max_upload=None)
        if plan.file_error is not None:
            raise click.ClickException(file_error_text(plan.file_error))
        click.echo(f"encoding: {plan.encoding}; rows: {len(plan.rows)}; problems: {len(plan.problems)}")
        for row, message in roster_problem_rows(plan):
            click.echo(f"  row {row}: {message}" if row else f"  {message}")
    if plan.problems:
        raise SystemExit(1)
    if commit:
        added = surveys.commit_roster(wave, plan)
        db.session.commit()
        click.echo(f"added {added}")


@survey_cli.command("invite")
@click.option("--wave", "wave_id", type=int, required=True)
def invite_command(wave_id: int) -> None:
    """Queue a personal link to everyone on the wave's roster not yet invited."""
    wave = _wave(wave_id)
    with _context():
        try:
            count = survey_invitations.invite(wave)
        except DomainError as error:
            raise click.ClickException("the wave is not open") from error
        db.session.commit()
        survey_invitations.after_queueing()
    click.echo(f"queued {count} invitations")


@survey_cli.command("remind")
@click.option("--wave", "wave_id", type=int, help="One wave; without it every open wave.")
def remind_command(wave_id: int | None) -> None:
    """Queue a reminder (a new link) to non-respondents whose last mail is a week old or more; run weekly or daily."""
    waves = [_wave(wave_id)] if wave_id else list(db.session.scalars(select(SurveyWave).where(SurveyWave.state == "open")))
    total = 0
    with _context():
        for wave in waves:
            try:
                total += survey_invitations.remind(wave)
            except DomainError as error:
                raise click.ClickException(f"wave {wave.id} is not open") from error
        survey_invitations.forget_sent_links()
        db.session.commit()
        survey_invitations.after_queueing()
    click.echo(f"queued {total} reminders")


@survey_cli.command("forget-links")
def forget_links_command() -> None:
    """Blank the bodies of survey mail already sent (they held personal links)."""
    count = survey_invitations.forget_sent_links()
    db.session.commit()
    click.echo(f"blanked {count}")
