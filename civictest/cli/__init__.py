"""Command-line doors: `flask --app app users | demo | import | export | check-counts | sentiment | report |
compare | worker | survey`. Thin wrappers over the services and the reports; no command imports a blueprint module."""
from __future__ import annotations

from flask import Flask

from civictest.cli import data, demo, jobs, reporting, sentiment, surveys, users


def register(app: Flask) -> None:
    app.cli.add_command(users.users_cli)
    app.cli.add_command(demo.demo_command)
    data.register(app)
    app.cli.add_command(sentiment.sentiment_cli)
    reporting.register(app)
    app.cli.add_command(jobs.worker_command)
    app.cli.add_command(surveys.survey_cli)
