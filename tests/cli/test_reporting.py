"""`flask report` and `flask compare` print the same figures as the reports module."""
import csv
import io
import json

import pytest
from test_reports import comparison_service, known_service

from civictest.reporting import figures


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


def test_report_prints_the_json_report(runner, ctx):
    service = known_service()
    iteration = service.iterations[0]
    result = runner.invoke(args=["report", "--iteration", str(iteration.id)])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output) == figures.iteration_report(iteration)


def test_report_as_csv_has_one_unrounded_row_per_task(runner, ctx):
    service = known_service()
    result = runner.invoke(args=["report", "--iteration", str(service.iterations[0].id), "--format", "csv"])
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.output)))
    assert [row["position"] for row in rows] == ["1", "2", "3"]
    assert float(rows[1]["time_geometric_mean"]) == pytest.approx(68.2411, abs=5e-5)
    assert len(rows[1]["time_geometric_mean"]) > 8  # not rounded for display
    assert rows[0]["source_observer"] == "1"


def test_unknown_iteration_is_an_error(runner, ctx):
    result = runner.invoke(args=["report", "--iteration", "999999"])
    assert result.exit_code != 0 and "no iteration 999999" in result.output


def test_compare_prints_the_comparison(runner, ctx):
    service = comparison_service()
    base, candidate = service.iterations
    result = runner.invoke(args=["compare", "--base", str(base.id), "--candidate", str(candidate.id)])
    assert result.exit_code == 0, result.output
    printed = json.loads(result.output)
    assert printed == figures.compare(service, base.id, candidate.id)
    assert printed["tasks"][0]["completion"]["n1_z"] == pytest.approx(2.1348, abs=5e-5)
    table = runner.invoke(args=["compare", "--base", str(base.id), "--candidate", str(candidate.id),
                                "--format", "csv"])
    assert next(csv.DictReader(io.StringIO(table.output)))["verdict"]


def test_compare_across_services_is_refused(runner, ctx):
    first, second = comparison_service(), known_service()
    args = ["compare", "--base", str(first.iterations[0].id), "--candidate", str(second.iterations[0].id)]
    result = runner.invoke(args=args)
    assert result.exit_code != 0 and "not an iteration of service" in result.output
