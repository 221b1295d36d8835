"""`flask --app app sentiment evaluate | rescore`: check the comment analyzers, re-score stored comments."""
from __future__ import annotations

import click
from flask.cli import AppGroup

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
