"""`flask --app app demo --password ...`: a password that breaks the staff rule is a usage error, not a traceback."""
from sqlalchemy import func, select

from civictest.extensions import db
from civictest.models import User
from civictest.services.accounts import MIN_PASSWORD_LENGTH


def test_short_password_is_a_clean_usage_error(app, ctx):
    result = app.test_cli_runner().invoke(args=["demo", "--password", "short"])
    assert result.exit_code == 2, result.output
    assert isinstance(result.exception, SystemExit), result.exception  # click's usage error, no traceback
    assert "Traceback" not in result.output
    assert "Invalid value for '--password'" in result.output
    assert f"at least {MIN_PASSWORD_LENGTH} characters" in result.output
    assert db.session.scalar(select(func.count()).select_from(User)) == 0  # nothing was loaded


def test_password_of_exactly_the_minimum_length_is_accepted(app, ctx):
    password = "x" * MIN_PASSWORD_LENGTH
    result = app.test_cli_runner().invoke(args=["demo", "--password", password])
    assert result.exit_code == 0, result.output
    assert db.session.scalar(select(func.count()).select_from(User)) > 0


def test_help_states_the_rule(app):
    result = app.test_cli_runner().invoke(args=["demo", "--help"])
    assert result.exit_code == 0
    assert f"at least {MIN_PASSWORD_LENGTH}" in result.output
