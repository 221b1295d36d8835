"""civictest.dashboards with literal report dicts: cards, verdicts, charts (an element per bar), maps
(an element per municipality, suppressed cells hatched), overview sorting. No flask, no database."""
from __future__ import annotations

import ast
import xml.etree.ElementTree as ET
from pathlib import Path

import pandas as pd
import pytest
from jinja2 import Environment, FileSystemLoader

from civictest import dashboards, geo
from civictest.analysis.compare import compare_iterations, pooled_change
from civictest.analysis.report import IterationData, iteration_report

ROOT = Path(__file__).resolve().parents[2]
SVG = "{http://www.w3.org/2000/svg}"
TASKS = pd.DataFrame({"task_id": [1, 2], "position": [1, 2], "title_ja": ["申請ページを探す", "書類を送る"],
                      "title_en": ["Find the page", "Send the papers"]})


def data(task1: tuple[int, int], task2: tuple[int, int], sus: list[float], negative: int = 3) -> IterationData:
    """An iteration where (inconvenient, convenient) attempts per task are given; inconvenient = failure."""
    rows = []
    for task_id, (bad, good) in ((1, task1), (2, task2)):
        rows += [{"task_id": task_id, "outcome": "failure", "hard": True, "source": "self", "n": bad},
                 {"task_id": task_id, "outcome": "success", "hard": False, "source": "self", "n": good}]
    seq = pd.DataFrame({"task_id": [1, 1, 2, 2], "seq": [2, 6, 2, 6],
                        "n": [task1[0], task1[1], task2[0], task2[1]]})
    times = pd.DataFrame({"task_id": [t for t in (1, 2) for _ in range(6)], "outcome": ["success"] * 12,
                          "seconds": [60, 70, 80, 90, 100, 110] * 2})
    sentiment = pd.DataFrame({"task_id": [1, 1, 2], "label": ["positive", "negative", "neutral"],
                              "n": [5, negative, 2]})
    return IterationData(TASKS, pd.DataFrame(rows), seq, times, pd.DataFrame({"score": sus}), sentiment)


BASE = data((16, 4), (10, 10), [50, 55, 60, 62.5, 70])
CURRENT = data((4, 16), (11, 9), [70, 75, 80, 82.5, 85], negative=1)


@pytest.fixture(scope="module")
def history():
    return [{"id": 11, "number": 1, "label": "2025年度版", "report": iteration_report(BASE, 20)},
            {"id": 12, "number": 2, "label": "2026年度版", "report": iteration_report(CURRENT, 20)}]


@pytest.fixture(scope="module")
def page(history):
    return dashboards.iteration_dashboard(history, 12, 11, compare_iterations(BASE, CURRENT))


def render(model: dict) -> ET.Element:
    env = Environment(loader=FileSystemLoader(str(ROOT / "templates")), autoescape=True)
    return ET.fromstring(str(env.get_template("_charts.html").module.chart(model)))


def classes(el: ET.Element) -> set[str]:
    return set(el.get("class", "").split())


def test_the_package_stays_free_of_flask_and_the_database():
    forbidden = ("flask", "flask_babel", "sqlalchemy", "civictest.extensions", "civictest.models", "civictest.reporting.queries",
                 "civictest.reports")
    for path in (ROOT / "civictest" / "dashboards").glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else (
                [node.module] if isinstance(node, ast.ImportFrom) and node.module else [])
            assert not [n for n in names if n.startswith(forbidden)], path


def test_cards_say_value_interval_n_and_verdict(page):
    cards = {c["key"]: c for c in page["cards"]}
    assert list(cards) == ["participants", "inconvenience", "completion", "sus", "sentiment"]
    assert cards["participants"]["value"] == "20人" and "20人 → この版 20人" in cards["participants"]["change"]
    inconvenience = cards["inconvenience"]
    assert inconvenience["value"] == "38%" and inconvenience["n"] == "試行 n=40"  # 15 of 40
    assert inconvenience["detail"].startswith("95%信頼区間 ")
    assert inconvenience["verdict"]["key"] == "improved"
    assert inconvenience["verdict"]["sentence"].startswith("改善: 65% → 38%（差の95%信頼区間 ")
    assert inconvenience["verdict"]["sentence"].endswith("ポイント、n=40→40）")
    assert cards["sus"]["value"] == "78.5" and cards["sus"]["grade"].startswith("評価 ")
    assert cards["sus"]["verdict"]["key"] == "improved"
    assert cards["sentiment"]["value"] == "12%" and cards["sentiment"]["verdict"]["sentence"].endswith("n=10→8）")


def test_task_verdicts_and_overall(page):
    first, second = page["tasks"]
    assert first["label"] == "T1 申請ページを探す"
    assert first["headline"]["key"] == "improved"
    assert first["headline"]["sentence"].startswith("改善: 80% → 20%")
    assert second["headline"]["key"] == "no_detectable_change"
    assert second["time"]["sentence"].endswith("n=6→6）")  # the n of the times, not of the attempts
    assert page["overall"]["key"] == "improved"
    assert page["overall"]["improved"] == ["T1 申請ページを探す"] and page["overall"]["worse"] == []
    assert page["overall"]["sentence"].startswith("2タスク中 改善 1、悪化 0、変化は検出されず 1")


def test_without_a_base_there_are_no_verdicts(history):
    alone = dashboards.iteration_dashboard(history[:1], 11)
    assert alone["overall"] is None and alone["tasks"] == []
    assert all(card["verdict"] is None for card in alone["cards"])


def test_task_chart_has_a_bar_per_task_and_iteration_with_names(page):
    root = render(page["figures"]["inconvenience"])
    bars = [el for el in root.iter(SVG + "rect") if "bar" in classes(el)]
    assert len(bars) == 2 * 2
    names = [g.find(SVG + "title").text for g in root.iter(SVG + "g") if "bar-row" in classes(g)]
    assert names[0] == "T1 申請ページを探す 第1版: 80%（57.8%–92.5%）"
    assert root.find(SVG + "svg").get("role") == "img" and root.find("figcaption").text
    assert root.find("details/table/caption").text == root.find("figcaption").text


def test_every_figure_is_drawn_and_accessible(page):
    for key, model in page["figures"].items():
        root = render(model)
        svg = root.find(SVG + "svg")
        assert svg.get("aria-labelledby").split() == [f"{model['id']}-title", f"{model['id']}-desc"], key
        assert svg.find(SVG + "desc").text, key
        assert root.find("details/table/tbody/tr/th").get("scope") == "row", key


def test_english_labels_come_from_the_gettext_passed_in(history):
    fake = {"第{number}版": "Iter. {number}", "T{position} {title}": "T{position} {title}"}
    model = dashboards.task_rate_chart(history, "completion", "en", lambda s: fake.get(s, s))
    assert model["table"]["header"][1:] == ["Iter. 1", "Iter. 2"]
    assert model["table"]["rows"][0][0] == "T1 Find the page"


def test_segment_charts_mark_suppressed_cells():
    cells = [{"segment": "device", "value": "pc", "task_id": 1, "suppressed": False, "n": 8,
              "inconvenience_rate": 0.25, "inconvenience_lower": 0.06, "inconvenience_upper": 0.6},
             {"segment": "device", "value": "tablet", "task_id": 1, "suppressed": True, "n": None,
              "inconvenience_rate": None, "inconvenience_lower": None, "inconvenience_upper": None},
             {"segment": "age_band", "value": "unknown", "task_id": 1, "suppressed": True, "n": None}]
    charts = dashboards.segment_charts([{"name": "第2版", "cells": cells}], 1, "T1 申請", 5)
    assert [c["id"] for c in charts] == ["chart-segment-age_band", "chart-segment-device"]
    device = render(charts[1])
    bars = [el for el in device.iter(SVG + "rect") if "bar" in classes(el)]
    assert len(bars) == 2 and "suppressed" in classes(bars[0]) and bars[0].get("fill", "").endswith("-hatch)")
    assert "suppressed" not in classes(bars[1])  # in the questionnaire's order: tablet before pc
    assert charts[1]["table"]["rows"] == [["タブレット", "秘匿"], ["パソコン", "25% n=8（6%–60%）"]]
    assert "5人未満" in charts[1]["desc"]


ROWS = [{"code": "131041", "participants": 7, "inconvenient": 9, "attempts": 28},
        {"code": "131016", "participants": 2, "inconvenient": 1, "attempts": 8},
        {"code": "131121", "participants": 6, "inconvenient": 3, "attempts": 24},
        {"code": "141003", "participants": 1, "inconvenient": 0, "attempts": 4}]


def test_tokyo_map_has_a_path_per_municipality_and_hides_small_cells():
    model = dashboards.tokyo_map(ROWS, 5, "inconvenience", venues=[{"name": "区役所", "lon": 139.7034, "lat": 35.6938}])
    root = render(model)
    areas = [el for el in root.iter(SVG + "path") if "area" in classes(el)]
    assert len(areas) == len(geo.tokyo_boundaries()) == 62
    titles = {g.find(SVG + "title").text for g in root.iter(SVG + "g") if "area-group" in classes(g)}
    assert "新宿区: 32.1%（17.8–50.8%） (n=7)" in titles
    # 千代田区 has 2 participants; 世田谷区 (6) is hidden too, or 千代田区 would follow from the total.
    assert {"千代田区: 秘匿", "世田谷区: 秘匿"} <= titles
    hatched = [el for el in areas if "suppressed" in classes(el)]
    assert len(hatched) == 2 and all(el.get("fill", "").endswith("-hatch)") for el in hatched)
    assert root.find(f".//{SVG}text[@class='attribution']").text == geo.boundary_attribution("ja")
    assert [g for g in root.iter(SVG + "g") if "venue" in classes(g)][0].find(SVG + "title").text == "区役所"
    assert "5人未満" in model["suppressed_note"] and not model["all_hidden"]


def test_participants_map_regions_and_the_japan_map():
    model = dashboards.tokyo_map(ROWS, 5, "participants", "region")
    assert [r[:3] for r in model["table"]["rows"]] == [
        ["–", "区部（23区）", "15人"], ["–", "多摩地域", "データなし"], ["–", "島しょ部", "データなし"]]
    assert dashboards.outside_tokyo(ROWS) and not dashboards.outside_tokyo(ROWS[:3])
    japan = dashboards.japan_map(ROWS, 5, lang="en")
    rows = {r[1]: r[2] for r in japan["table"]["rows"]}
    assert rows["Kanagawa Prefecture"] == "秘匿" and rows["Tokyo"] == "秘匿"  # 1 outside: both hidden
    assert japan["attribution"]["text"] == geo.boundary_attribution("en")
    nothing = dashboards.tokyo_map(ROWS[1:2], 5, "participants")
    assert nothing["all_hidden"]


def _point(number, inconvenient, n, sus=None):
    rate = inconvenient / n
    return {"id": number, "number": number, "participants": n // 2, "sus_mean": sus, "sus_grade": "C" if sus else None,
            "inconvenience": {"n": n, "inconvenient": inconvenient, "rate": rate, "lower": rate - 0.1,
                              "upper": rate + 0.1}}


def test_overview_sorts_on_the_server_and_keeps_missing_values_last():
    entries = [
        {"service_id": 1, "name": "保育", "department": "子ども", "latest": _point(3, 60, 104, 58.5),
         "previous": _point(2, 47, 104), "unresolved_findings": {4: 1, 3: 1}},
        {"service_id": 2, "name": "粗大ごみ", "department": "環境", "latest": _point(1, 30, 78, 76.8),
         "previous": None, "unresolved_findings": {}},
        {"service_id": 3, "name": "新しい", "department": "区民", "latest": None, "previous": None,
         "unresolved_findings": {}},
    ]
    for entry in entries:  # as civictest.reporting.figures.Figures.overview gives them
        entry["change"] = pooled_change(entry["latest"], entry["previous"])
    table = dashboards.overview(entries, "inconvenience", True)
    assert [r["name"] for r in table["rows"]] == ["保育", "粗大ごみ", "新しい"]
    # The demo's childcare figures: 47 → 60 of 104 pooled attempts, p ≈ 0.07.
    assert table["rows"][0]["change"]["sentence"] == "変化は検出されず: 45% → 58%（差の95%信頼区間 −1〜26ポイント、n=104→104）"
    assert table["rows"][1]["change"] is None
    assert [f["count"] for f in table["rows"][0]["findings"]] == [1, 1, 0, 0]
    ascending = dashboards.overview(entries, "inconvenience", False)
    assert [r["name"] for r in ascending["rows"]] == ["粗大ごみ", "保育", "新しい"]
    by_findings = dashboards.overview(entries, "findings", True)
    assert by_findings["rows"][0]["name"] == "保育"
    sorted_column = [c for c in table["columns"] if c["aria_sort"]]
    assert [(c["key"], c["aria_sort"], c["next_order"]) for c in sorted_column] == [
        ("inconvenience", "descending", "asc")]
    assert dashboards.overview(entries, "nonsense", True)["sort"] == "inconvenience"
    bars = [el for el in render(table["chart"]).iter(SVG + "rect") if "bar" in classes(el)]
    assert len(bars) == 2 * 3  # previous and latest per service, "no data" bars included
    assert table["rows"][0]["inconvenience_n"] == 104
