"""`python -m benchmarks report` runs on a scratch database (the benchmark is no `flask` command)."""
from benchmarks.__main__ import main


def test_report_benchmark_runs_on_a_scratch_database(capsys):
    assert main(["report", "--attempts", "2000", "--rounds", "1", "--no-postgres"]) == 0
    output = capsys.readouterr().out
    assert "sqlite" in output and "report/bare" in output
