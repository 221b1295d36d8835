"""`flask export`: figures, comparison, raw rows and the public table to a file, audited."""
import io
import json

import pandas as pd
from exports.residents import add_residents
from helpers import make_service
from openpyxl import load_workbook
from sqlalchemy import select

from civictest.extensions import db
from civictest.models import AuditEvent
from civictest.services import catalog


def test_export_command_writes_every_kind(app, ctx, tmp_path):
    service = make_service(tasks=2)
    first = service.iterations[0]
    add_residents(first, count=10)
    second = catalog.create_iteration(service, "第2版")
    db.session.commit()
    add_residents(second, count=8, seed=5)
    runner = app.test_cli_runner()

    def run(*args: str) -> bytes:
        out = tmp_path / "out.bin"
        result = runner.invoke(args=["export", "--out", str(out), *args])
        assert result.exit_code == 0, result.output
        return out.read_bytes()

    figures = pd.read_csv(io.BytesIO(run("--iteration", str(first.id))), encoding="utf-8-sig")
    assert figures.columns[0] == "全国地方公共団体コード" and "completion_rate" in set(figures["指標コード"])
    book = load_workbook(io.BytesIO(run("--iteration", str(first.id), "--format", "xlsx")))
    assert book.sheetnames == ["集計結果", "項目定義", "コード表"]
    report = json.loads(run("--iteration", str(first.id), "--format", "json"))
    assert report["overall"]["participants"] == 10
    comparison = pd.read_csv(io.BytesIO(run("--iteration", str(second.id), "--what", "comparison")),
                             encoding="utf-8-sig")
    assert "overall_verdict" in set(comparison["指標コード"])
    attempts = pd.read_csv(io.BytesIO(run("--iteration", str(first.id), "--what", "attempts")), encoding="utf-8-sig")
    assert set(attempts["参加者"]) == {f"P{i:04d}" for i in range(1, 11)}
    refused = runner.invoke(args=["export", "--iteration", str(first.id), "--what", "opendata",
                                  "--out", str(tmp_path / "x.csv")])
    assert refused.exit_code == 1 and "not published" in refused.output
    catalog.set_published(first, True)
    db.session.commit()
    public = pd.read_csv(io.BytesIO(run("--iteration", str(first.id), "--what", "opendata")), encoding="utf-8-sig")
    assert public["秘匿"].isin([0, 1]).all()
    events = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "export")).all()
    assert len(events) == 6 and all(e.detail["via"] == "cli" for e in events)
