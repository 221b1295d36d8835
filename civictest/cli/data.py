"""`flask --app app import | export | check-counts | retention`: results in, files out, stored counts checked. Thin wrappers."""
from __future__ import annotations

import json
from pathlib import Path

import click
from flask import Flask, current_app
from flask_babel import refresh

from civictest.extensions import db
from civictest.importing.spreadsheets import FIELDS, column_letter
from civictest.models import Study
from civictest.services.errors import DomainError


def _column(value: str, headers: tuple[str, ...]) -> int:
    """A column given as its header text, its Excel letter (C) or its 1-based number."""
    if value in headers:
        return headers.index(value)
    letters = [column_letter(i) for i in range(len(headers))]
    if value.upper() in letters:
        return letters.index(value.upper())
    if value.isdigit() and 1 <= int(value) <= len(headers):
        return int(value) - 1
    raise click.BadParameter(f"no column {value!r}; columns: {', '.join(headers)}", param_hint="--map")


def _pairs(values: tuple[str, ...], option: str) -> dict[str, str]:
    pairs = {}
    for item in values:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise click.BadParameter(f"{item!r} is not NAME=VALUE", param_hint=option)
        pairs[key.strip()] = value.strip()
    return pairs


def _mapping(plan, pairs: dict[str, str]) -> dict[str, int | None] | None:  # noqa: ANN001
    """The guessed mapping with --map overrides (field=column, or field= to leave a field unused)."""
    if not pairs:
        return None
    unknown = sorted(set(pairs) - set(FIELDS))
    if unknown:
        raise click.BadParameter(f"unknown fields {unknown}; fields: {', '.join(FIELDS)}", param_hint="--map")
    headers = plan.sheet.headers
    return {**plan.mapping, **{k: (_column(v, headers) if v else None) for k, v in pairs.items()}}


def _echo_problems(plan) -> None:  # noqa: ANN001
    from civictest.importing.messages import file_error_text, problem_rows

    if plan.file_error is not None:
        click.echo(file_error_text(plan.file_error), err=True)
        return
    for row, column, message in problem_rows(plan, limit=len(plan.problems)):
        click.echo("\t".join(part for part in (row and f"row {row}", column, message) if part), err=True)


@click.command("import")
@click.option("--study", "study_id", type=int, required=True, help="Study id (an iteration's study).")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--map", "maps", multiple=True, metavar="FIELD=COLUMN",
              help=f"Column for a field (header, letter or number). Fields: {', '.join(FIELDS)}.")
@click.option("--outcome", "outcome_words", multiple=True, metavar="WORD=CODE",
              help="Outcome word -> success | partial | failure | abandoned | not_attempted.")
@click.option("--dry-run", is_flag=True, help="Check every row and report; store nothing.")
@click.option("--lang", type=click.Choice(["ja", "en"]), default="ja", help="Language of the messages.")
def import_command(study_id: int, file: Path, maps: tuple[str, ...], outcome_words: tuple[str, ...],
                   dry_run: bool, lang: str) -> None:
    """Import results collected elsewhere (CSV UTF-8/Shift_JIS or XLSX): all rows or none."""
    from civictest.services import imports
    from civictest.importing.spreadsheets import word

    study = db.session.get(Study, study_id) or _fail(f"no study {study_id}")
    raw = file.read_bytes()
    outcomes = {word(k): v for k, v in _pairs(outcome_words, "--outcome").items()}
    with current_app.test_request_context(f"/?lang={lang}"):
        refresh()  # the locale may be cached from an earlier command in the same app context
        plan = imports.prepare(study, raw, file.name, outcomes=outcomes)
        mapping = _mapping(plan, _pairs(maps, "--map")) if plan.sheet else None
        if mapping is not None:
            plan = imports.prepare(study, raw, file.name, mapping, outcomes)
        click.echo(f"{len(plan.rows)} rows, {plan.participants} participants, {plan.comments} comments; "
                   f"{len(plan.problems) + (plan.file_error is not None)} problems")
        if not plan.ok:
            _echo_problems(plan)
            raise click.ClickException("nothing imported")
        if dry_run:
            click.echo("dry run: nothing imported")
            return
        try:
            result = imports.commit(study, plan, via="cli")
        except DomainError as error:
            raise click.ClickException(f"nothing imported ({error.message})") from error
    click.echo(f"imported {result.attempts} attempts of {result.participants} participants "
               f"with {result.comments} comments into session {result.session_id}")


def _site_url() -> str | None:
    """The command's request context is on the public site (web.urls.site_url)."""
    from civictest.web.urls import site_url

    return site_url()


def _fail(message: str):  # noqa: ANN202
    raise click.ClickException(message)


WHAT = ("figures", "comparison", "attempts", "comments", "opendata")


@click.command("export")
@click.option("--iteration", "iteration_id", type=int, required=True, help="Iteration id.")
@click.option("--format", "kind", type=click.Choice(["csv", "xlsx", "json"]), default="csv")
@click.option("--out", type=click.Path(dir_okay=False, writable=True, path_type=Path), required=True)
@click.option("--what", type=click.Choice(WHAT), default="figures",
              help="figures (staff), comparison (with --base, default the previous iteration), attempts or "
                   "comments (raw, pseudonymous; csv/xlsx), opendata (the public, suppressed table; csv/json).")
@click.option("--base", "base_id", type=int, help="Base iteration for --what comparison.")
def export_command(iteration_id: int, kind: str, out: Path, what: str, base_id: int | None) -> None:
    """Write an iteration's figures or raw rows to a file (UTF-8 CSV with BOM, XLSX or JSON); audited."""
    from civictest.models import AuditEvent, Iteration

    iteration = db.session.get(Iteration, iteration_id) or _fail(f"no iteration {iteration_id}")
    with current_app.test_request_context("/", base_url=_site_url()):
        body = _export_body(iteration, what, kind, base_id)
    out.write_bytes(body)
    # Built here rather than with security.audit: the CLI has no logged-in user to fall back on.
    db.session.add(AuditEvent(action="export", object_type="iteration", object_id=iteration.id,
                              detail={"what": what, "format": kind, "via": "cli", "file": out.name}))
    db.session.commit()
    click.echo(f"wrote {len(body)} bytes to {out}")


def _export_body(iteration, what: str, kind: str, base_id: int | None) -> bytes:  # noqa: ANN001
    from civictest.exporting.files import comparison_file, figures_file, raw_file
    from civictest.exporting.writers import to_json_bytes
    from civictest.models import Iteration

    if what in ("attempts", "comments"):
        if kind == "json":
            raise click.BadParameter("raw rows are csv or xlsx", param_hint="--format")
        return raw_file(iteration, what, kind)
    if what == "opendata":
        if not iteration.published:
            raise click.ClickException("the iteration is not published: no open data")
        from civictest.services.publication import ensure_snapshot

        snapshot = ensure_snapshot(iteration)  # what the public downloads, frozen at publication
        if kind == "json":
            return to_json_bytes(json.loads(snapshot.files["metrics.json"])["records"], indent=1)
        return snapshot.file_bytes("metrics.csv")
    if what == "comparison":
        base = db.session.get(Iteration, base_id or iteration.previous_id or -1)
        if base is None or base.service_id != iteration.service_id or base.id == iteration.id:
            raise click.ClickException("no base iteration of the same service (use --base)")
        return comparison_file(base, iteration, kind)
    return figures_file(iteration, kind)


@click.command("check-counts")
@click.option("--fix", is_flag=True, help="Recompute the stored values and tallies that are stale.")
def check_counts_command(fix: bool) -> None:
    """List attempts whose stored "counts" values differ from the rule (civictest.counting), tally rows
    (attempts, segments, participants, comments, questionnaires) that differ from the rows they sum, survey
    tally rows that differ from the survey answers (civictest.survey_tallies) and live-feedback tally rows that
    differ from the feedback answers (services.feedback); exit 1 if any.

    They can differ only after rows were changed outside the app (by hand in SQL, or a bulk load)."""
    from civictest import counting, survey_tallies
    from civictest.models import Attempt
    from civictest.services import feedback

    connection = db.session.connection()
    stale = db.session.execute(counting.stale().add_columns(Attempt.study_id)).all()
    tallies = counting.stale_aggregates(connection)
    studies = sorted({row.study_id for row in stale} | {key[1] for key in tallies})
    click.echo(f"{len(stale)} attempts with stale counting values, {len(tallies)} stale tally rows"
               + (f" in studies {studies}" if studies else ""))
    surveys = survey_tallies.stale(connection)
    waves = sorted({key[1] for key in surveys})
    click.echo(f"{len(surveys)} stale survey tally rows" + (f" in waves {waves}" if waves else ""))
    feedbacks = feedback.stale_tally()
    click.echo(f"{len(feedbacks)} stale feedback tally rows")
    if fix:
        for study_id in studies:
            counting.refresh(connection, study_id=study_id)
        for wave_id in waves:
            survey_tallies.rebuild(connection, wave_id)
        if feedbacks:
            feedback.rebuild_tally()
        db.session.commit()
        if studies:
            click.echo(f"recomputed studies {studies}")
        if waves:
            click.echo(f"recounted the survey tally of waves {waves}")
        if feedbacks:
            click.echo("recounted the feedback tally")
    elif studies or waves or feedbacks:
        raise SystemExit(1)


def register(app: Flask) -> None:
    app.cli.add_command(import_command)
    app.cli.add_command(export_command)
    app.cli.add_command(check_counts_command)
    app.cli.add_command(retention_command)


@click.command("retention")
@click.option("--dry-run", is_flag=True, help="Only count what would be deleted.")
def retention_command(dry_run: bool) -> None:
    """Delete the free text kept longer than RETENTION_DAYS: comments and observer notes (as the consent text
    promises), live-feedback comments and survey free-text answers (civictest.services.retention). Attempts,
    answers' values, tallies and published open data are kept."""
    from civictest.services import retention

    counts = retention.apply(int(current_app.config["RETENTION_DAYS"]), dry_run=dry_run)
    verb = "would blank" if dry_run else "blanked"
    for kind, n in counts.items():
        click.echo(f"{verb} {kind}: {n}")
    if not counts:
        click.echo("nothing older than the retention period")
