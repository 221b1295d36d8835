"""flask survey units | roster: the same checks as the page, all or nothing, a dry run without --commit."""
from sqlalchemy import func, select
from survey_helpers import make_survey, roster_csv

from civictest.extensions import db
from civictest.models import OrgUnit, RosterEntry


def test_units_and_roster_commands(app, ctx, tmp_path):
    survey, wave = make_survey()
    runner = app.test_cli_runner()
    units = tmp_path / "units.txt"
    units.write_text("環境局/環境部/環境課\n\n環境局/環境部/緑化課\n", encoding="utf-8")
    assert "2 units" in runner.invoke(args=["survey", "units", str(units)]).output
    assert db.session.scalar(select(func.count()).where(OrgUnit.path.like("環境局%"))) == 4
    bad = tmp_path / "bad.csv"
    bad.write_bytes(roster_csv([("a@x.jp", "環境局/環境部/環境課", ""), ("a@x.jp", "どこか", "")], encoding="cp932"))
    result = runner.invoke(args=["survey", "roster", "--wave", str(wave.id), "--commit", str(bad)])
    assert result.exit_code == 1 and "encoding: cp932" in result.output
    assert "row 3" in result.output and "登録されていない所属" in result.output
    assert db.session.scalar(select(func.count()).select_from(RosterEntry)) == 0
    good = tmp_path / "good.csv"
    good.write_bytes(roster_csv([("a@x.jp", "環境局/環境部/環境課", "主事"), ("b@x.jp", "環境局/環境部/緑化課", "")]))
    dry = runner.invoke(args=["survey", "roster", "--wave", str(wave.id), str(good)])
    assert dry.exit_code == 0 and "problems: 0" in dry.output
    assert db.session.scalar(select(func.count()).select_from(RosterEntry)) == 0
    done = runner.invoke(args=["survey", "roster", "--wave", str(wave.id), "--commit", str(good)])
    assert "added 2" in done.output
    assert db.session.scalar(select(func.count()).select_from(RosterEntry)) == 2
    assert runner.invoke(args=["survey", "invite", "--wave", str(wave.id)]).exit_code != 0  # a draft wave
