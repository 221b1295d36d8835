"""`flask import`: dry run, column overrides, problems with row numbers, nothing stored on failure."""
from helpers import make_service
from sqlalchemy import func, select

from civictest.extensions import db
from civictest.models import Attempt

CSV = "回答者,設問,結果,コメント\r\nA,1,できた,よい\r\nA,2,微妙,\r\n"


def attempts() -> int:
    return db.session.scalar(select(func.count()).select_from(Attempt))


def test_cli_reports_problems_then_imports_with_overrides(app, ctx, tmp_path):
    study = make_service().iterations[0].study
    path = tmp_path / "結果.csv"
    path.write_bytes(CSV.encode("cp932"))
    runner = app.test_cli_runner()
    failed = runner.invoke(args=["import", "--study", str(study.id), str(path), "--lang", "en"])
    assert failed.exit_code == 1
    assert "Choose the column for" in failed.output  # 設問 is not a known task header
    assert attempts() == 0
    args = ["import", "--study", str(study.id), str(path), "--map", "task=B", "--outcome", "微妙=partial"]
    dry = runner.invoke(args=[*args, "--dry-run"])
    assert dry.exit_code == 0 and "dry run" in dry.output and attempts() == 0
    done = runner.invoke(args=args)
    assert done.exit_code == 0, done.output
    assert "imported 2 attempts of 1 participants" in done.output
    assert attempts() == 2
    again = runner.invoke(args=args)
    assert again.exit_code == 1 and "すでにこの版に取り込まれています" in again.output and attempts() == 2


def test_cli_bad_values_are_listed_with_row_numbers(app, ctx, tmp_path):
    study = make_service().iterations[0].study
    path = tmp_path / "bad.csv"
    path.write_text("参加者,タスク,結果,SEQ\r\nA,1,できた,9\r\nB,7,できた,1\r\n", encoding="utf-8")
    result = app.test_cli_runner().invoke(args=["import", "--study", str(study.id), str(path)])
    assert result.exit_code == 1
    assert "row 2\tD: SEQ\t簡単さ（SEQ）は1〜7の整数" in result.output
    assert "row 3\tB: タスク\tこの版の調査にないタスクです: 7" in result.output
    assert attempts() == 0
