"""`python -m benchmarks survey` runs end to end on a small scratch database (the figures are for docs, not tests)."""
from benchmarks.__main__ import main


def test_survey_benchmark_runs_on_a_scratch_database(capsys):
    assert main(["survey", "--respondents", "300", "--rounds", "1", "--no-postgres", "--roster-rows", "200"]) == 0
    output = capsys.readouterr().out
    assert "page/bare" in output and "api/bare" in output
    assert "roster upload 200 rows" in output and "(200 added)" in output
