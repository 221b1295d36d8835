"""civictest.charts models rendered through templates/_charts.html."""
from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from jinja2 import Environment, FileSystemLoader

from civictest import charts

ROOT = Path(__file__).resolve().parent.parent
SVG = "{http://www.w3.org/2000/svg}"


def render(model: dict, autoescape: bool = False) -> tuple[str, ET.Element]:
    """Render a model with the chart macro and parse it (the output must be well-formed XML)."""
    env = Environment(loader=FileSystemLoader(str(ROOT / "templates")), autoescape=autoescape)
    html = str(env.get_template("_charts.html").module.chart(model))
    return html, ET.fromstring(html)


def classes(el: ET.Element) -> set[str]:
    return set(el.get("class", "").split())


def with_class(root: ET.Element, tag: str, cls: str) -> list[ET.Element]:
    return [el for el in root.iter(SVG + tag) if cls in classes(el)]


def point(value, lower=None, upper=None, suppressed=False):
    return {"value": value, "lower": lower, "upper": upper, "suppressed": suppressed}


@pytest.fixture
def bar_model():
    return charts.bar_chart_with_intervals(
        "タスク完了率", "完了率の横棒グラフ。ひげは95%信頼区間。",
        ["T1 申込みを完了する", "T2 収集日を確認する", "T3 手数料を支払う"],
        [{"name": "第1回", "values": [point(50, 30, 70), point(90, 60, 99), point(None, suppressed=True)]},
         {"name": "第2回", "values": [point(80, 48, 95), None, point(45, 21, 72)]}])


def assert_accessible_figure(root: ET.Element, model: dict, html: str) -> None:
    assert root.tag == "figure"
    assert root.find("figcaption").text == model["title"]
    svg = root.find(SVG + "svg")
    assert svg.get("role") == "img"
    title_id, desc_id = svg.get("aria-labelledby").split()
    assert svg.find(SVG + "title").get("id") == title_id and svg.find(SVG + "title").text == model["title"]
    assert svg.find(SVG + "desc").get("id") == desc_id and svg.find(SVG + "desc").text.startswith(model["desc"])
    details = root.find("details")
    assert details.find("summary").text
    table = details.find("table")
    assert table.find("caption").text == model["title"]
    assert [th.get("scope") for th in table.find("thead").iter("th")] == ["col"] * len(model["table"]["header"])
    assert all(tr.find("th").get("scope") == "row" for tr in table.find("tbody").iter("tr"))
    assert "<script" not in html and "style=" not in html
    assert not [el for el in root.iter() if "style" in el.attrib or el.tag.endswith("script")]


def test_bar_chart_one_rect_per_bar_with_names(bar_model):
    html, root = render(bar_model)
    assert_accessible_figure(root, bar_model, html)
    bars = with_class(root, "rect", "bar")
    assert len(bars) == 3 * 2
    titles = [g.find(SVG + "title").text for g in root.iter(SVG + "g") if "bar-row" in classes(g)]
    assert titles[0] == "T1 申込みを完了する 第1回: 50%（30%–70%）"
    assert {"series-0", "series-1"} <= set().union(*(classes(b) for b in bars))


def test_bar_geometry_is_precomputed(bar_model):
    first = bar_model["groups"][0]["bars"][0]
    x0 = first["x"]
    full = bar_model["axis"][-1]["x"] - x0  # the 100% tick
    assert first["width"] == pytest.approx(full / 2, abs=0.2)
    assert first["whisker"]["x1"] == pytest.approx(x0 + full * 0.3, abs=0.2)
    assert first["whisker"]["x2"] == pytest.approx(x0 + full * 0.7, abs=0.2)
    assert [t["label"] for t in bar_model["axis"]] == ["0%", "20%", "40%", "60%", "80%", "100%"]
    assert bar_model["groups"][0]["bars"][1]["pattern"] == "diagonal"  # second series: texture too


def test_bar_suppressed_and_missing_are_marked(bar_model):
    html, root = render(bar_model)
    suppressed = with_class(root, "rect", "suppressed")
    assert len(suppressed) == 1
    assert suppressed[0].get("fill") == f"url(#{bar_model['id']}-hatch)"
    assert root.find(f".//{SVG}pattern[@id='{bar_model['id']}-hatch']") is not None
    assert len(with_class(root, "rect", "no-data")) == 1
    cells = [td for td in root.iter("td") if "cell-suppressed" in classes(td)]
    assert [td.text for td in cells] == ["秘匿"]
    rows = bar_model["table"]["rows"]
    assert rows[1] == ["T2 収集日を確認する", "90%（60%–99%）", "データなし"]


def test_text_is_escaped_with_and_without_autoescape():
    model = charts.bar_chart_with_intervals("A <b>&amp; \"q\"", "d < e", ["<x>"], [{"name": "&", "values": [point(1)]}])
    for autoescape in (False, True):
        html, root = render(model, autoescape)
        assert root.find("figcaption").text == "A <b>&amp; \"q\""
        assert "<b>" not in html


def test_ui_strings_can_be_translated():
    model = charts.bar_chart_with_intervals("t", "d", ["c"], [{"name": "s", "values": [point(None, suppressed=True)]}],
                                            text={"suppressed": "suppressed", "summary": "Show the data"})
    html, root = render(model)
    assert root.find("details/summary").text == "Show the data"
    assert model["table"]["rows"] == [["c", "suppressed"]]


def test_stacked_bar_chart():
    segments = [{"key": "positive", "name": "肯定的"}, {"key": "neutral", "name": "中立"},
                {"key": "negative", "name": "否定的"}, {"key": "unscored", "name": "判定不能"}]
    model = charts.stacked_bar_chart("感情", "感情の内訳。", ["第1回", "第2回", "第3回"], segments,
                                     [[5, 5, 10, 0], [1, 1, 1, 1], [1, 0, 0, 0]], suppressed=[False, False, True])
    html, root = render(model)
    assert_accessible_figure(root, model, html)
    segs = with_class(root, "rect", "seg")
    assert len(segs) == 4 + 4 + 4  # legend swatches + two drawn rows
    row = model["rows"][0]["segments"]
    assert sum(s["width"] for s in row) == pytest.approx(charts.WIDTH - 80 - 8, abs=0.5)
    assert row[2]["label"]["text"] == "50%" and "seg-negative" in row[2]["classes"]
    assert len(with_class(root, "rect", "suppressed")) == 1
    assert model["table"]["rows"][0] == ["第1回", "5（25%）", "5（25%）", "10（50%）", "0（0%）", "20"]
    assert model["table"]["rows"][2][1:] == ["秘匿"] * 5


def test_diverging_bar_chart_centres_neutral_on_the_line():
    model = charts.diverging_bar_chart("設問", "設問ごとの回答。", ["満足", "使いやすい", "少人数"],
                                       [(0.2, 0.2, 0.6), (0.5, 0.0, 0.5), None], [20, 10, 3],
                                       suppressed=[False, False, True])
    html, root = render(model)
    assert_accessible_figure(root, model, html)
    centre = model["center"]["x"]
    negative, neutral, positive = model["rows"][0]["segments"]
    assert neutral["x"] + neutral["width"] / 2 == pytest.approx(centre, abs=0.2)
    assert negative["x"] + negative["width"] == pytest.approx(neutral["x"], abs=0.2)
    assert positive["label"]["text"] == "60%" and "seg-positive" in positive["classes"]
    half = (charts.WIDTH - 80 - 8) / 2
    assert positive["width"] == pytest.approx(0.6 * half, abs=0.2)
    second = model["rows"][1]["segments"]
    assert second[0]["x"] + second[0]["width"] == pytest.approx(centre, abs=0.2)  # no neutral: split at 0
    assert len(with_class(root, "rect", "suppressed")) == 1
    assert len(with_class(root, "line", "reference-line")) == 1
    assert model["table"]["rows"][0] == ["満足", "20%", "20%", "60%", "20"]
    assert model["table"]["rows"][2][1:] == ["秘匿"] * 4


def test_line_chart_with_band_reference_and_gap():
    model = charts.line_chart(
        "SUS", "SUSの推移。", ["第1回", "第2回", "第3回", "第4回"],
        [{"name": "SUS", "values": [point(58.5, 50, 67), point(66, 59, 73), point(None, suppressed=True),
                                    point(74.5, 68, 81)]}],
        y_min=0, y_max=100, reference={"value": 68, "label": "平均 68"})
    html, root = render(model)
    assert_accessible_figure(root, model, html)
    assert len(with_class(root, "path", "marker")) == 3
    assert len(with_class(root, "path", "line")) == 2  # the suppressed point breaks the line
    assert len(with_class(root, "path", "band")) == 2
    assert len(with_class(root, "line", "reference-line")) == 1
    assert [t.text for t in with_class(root, "text", "gap-label")] == ["秘匿"]
    ref_y = model["reference"]["y"]
    assert model["plot"]["y1"] - (model["plot"]["y1"] - model["plot"]["y0"]) * 0.68 == pytest.approx(ref_y, abs=0.2)
    assert model["table"]["rows"][2] == ["第3回", "秘匿"]


def test_line_chart_several_series_differ_by_marker_shape():
    model = charts.line_chart("t", "d", ["a", "b"], [{"name": "A", "values": [point(1), point(2)]},
                                                     {"name": "B", "values": [point(3), None]}], unit="%")
    shapes = {s["points"][0]["d"][-12:] for s in model["series"]}
    assert len(shapes) == 2
    assert [g["text"] for g in model["series"][1]["gaps"]] == ["B: データなし"]
    assert [item["text"] for item in model["legend"]] == ["A", "B"]


def test_helpers():
    assert charts.fmt(68.0) == "68" and charts.fmt(72.24, "%") == "72.2%" and charts.fmt(None) == ""
    assert charts.nice_ticks(0, 100) == [0, 20, 40, 60, 80, 100]
    assert charts.nice_ticks(0, 7)[-1] >= 7
    assert re.fullmatch(r"bar-[0-9a-f]{8}", charts.make_id("bar", "t"))
