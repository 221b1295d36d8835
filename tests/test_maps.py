"""civictest.maps choropleth models rendered through templates/_charts.html."""
from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from jinja2 import Environment, FileSystemLoader

from civictest import geo, maps

ROOT = Path(__file__).resolve().parent.parent
SVG = "{http://www.w3.org/2000/svg}"
NUMBER = re.compile(r"-?\d+(?:\.\d+)?")


def render(model: dict) -> tuple[str, ET.Element]:
    env = Environment(loader=FileSystemLoader(str(ROOT / "templates")))
    html = str(env.get_template("_charts.html").module.choropleth(model))
    return html, ET.fromstring(html)


def classes(el: ET.Element) -> set[str]:
    return set(el.get("class", "").split())


@pytest.fixture
def tokyo_model():
    values = {
        "131041": {"value": 35, "n": 12},  # 新宿区
        "13108": {"value": None, "suppressed": True},  # 江東区, 5-digit key
        "131016": {"value": 5, "label": "5.0%", "n": 20},  # 千代田区
        "132012": {"value": 60, "n": 8},  # 八王子市
        "134210": {"value": 20, "n": 3},  # 小笠原村 (tile)
    }
    venues = [{"lon": 139.8170, "lat": 35.6726, "name": "江東区役所"}, {"lon": 135.5, "lat": 34.7, "name": "大阪"}]
    return maps.choropleth(geo.tokyo_boundaries(), values, "不便と感じた人の割合", "市区町村別の割合。",
                           markers=venues)


def test_one_path_per_municipality_with_accessible_names(tokyo_model):
    html, root = render(tokyo_model)
    groups = [g for g in root.iter(SVG + "g") if "area-group" in classes(g)]
    assert len(groups) == 62
    assert all(len(g.findall(SVG + "path")) == 1 for g in groups)
    assert len([p for p in root.iter(SVG + "path") if "area" in classes(p)]) == 62
    titles = {g.find(SVG + "title").text for g in groups}
    assert {"新宿区: 35% (n=12)", "千代田区: 5.0% (n=20)", "江東区: 秘匿", "世田谷区: データなし"} <= titles
    svg = root.find(SVG + "svg")
    assert svg.get("role") == "img"
    assert svg.get("aria-labelledby") == f"{tokyo_model['id']}-title {tokyo_model['id']}-desc"
    assert "<script" not in html and "style=" not in html
    assert not [el for el in root.iter() if "style" in el.attrib]


def test_classes_by_bin_suppressed_and_no_data(tokyo_model):
    by_code = {a["code"]: a for a in tokyo_model["areas"]}
    assert tokyo_model["edges"] == [0, 15, 30, 45, 60, 75]
    assert "choro-0" in by_code["131016"]["classes"] and "choro-2" in by_code["131041"]["classes"]
    assert "choro-4" in by_code["132012"]["classes"]
    assert by_code["131083"]["classes"] == "area suppressed" and by_code["131083"]["fill"] == "hatch"
    assert by_code["131121"]["classes"] == "area no-data"
    html, root = render(tokyo_model)
    hatched = [p for p in root.iter(SVG + "path") if "suppressed" in classes(p)]
    assert [p.get("fill") for p in hatched] == [f"url(#{tokyo_model['id']}-hatch)"]
    rows = {r[0]: r for r in tokyo_model["table"]["rows"]}
    assert rows["131083"] == ["131083", "江東区", "秘匿", "秘匿"]
    assert rows["131041"] == ["131041", "新宿区", "35%", "12"]
    assert rows["131121"][2] == "データなし"
    cells = [td.text for td in root.iter("td") if "cell-suppressed" in classes(td)]
    assert cells == ["秘匿", "秘匿"]


def test_table_and_legend(tokyo_model):
    html, root = render(tokyo_model)
    table = root.find("details/table")
    assert table.find("caption").text == "不便と感じた人の割合"
    assert [th.get("scope") for th in table.find("thead").iter("th")] == ["col"] * 4
    body_rows = table.find("tbody").findall("tr")
    assert len(body_rows) == 62
    assert body_rows[0].find("th").get("scope") == "row" and body_rows[0].find("th").text == "千代田区"
    legend = [item["text"] for item in tokyo_model["legend"]]
    assert legend == ["0–15%", "15–30%", "30–45%", "45–60%", "60–75%", "秘匿", "データなし", "会場"]


def test_attribution_is_on_the_map(tokyo_model):
    html, root = render(tokyo_model)
    credits = [t.text for t in root.iter(SVG + "text") if "attribution" in classes(t)]
    assert credits == [geo.boundary_attribution()]
    assert "気象庁" in credits[0] and "加工して作成" in credits[0]
    english = maps.choropleth(geo.tokyo_boundaries(), {}, "t", "d", lang="en")
    assert english["attribution"]["text"].startswith("Boundaries:")
    assert any(a["name"] == "Shinjuku City" for a in english["areas"])


def test_islands_are_tiles_below_the_mainland(tokyo_model):
    areas = {a["code"]: a for a in tokyo_model["areas"]}
    mainland_bottom = max(float(y) for a in tokyo_model["areas"] if a["code"] not in geo.TOKYO_ISLAND_CODES
                          for y in NUMBER.findall(a["d"])[1::2])
    for code in geo.TOKYO_ISLAND_CODES:
        tile = areas[code]
        assert tile["label"]["text"] == tile["name"]
        assert float(NUMBER.findall(tile["d"])[1]) > mainland_bottom
    assert tokyo_model["tile_heading"]["text"].startswith("島しょ部")
    assert "choro-1" in areas["134210"]["classes"]


def test_paths_fit_the_viewbox(tokyo_model):
    for area in tokyo_model["areas"]:
        nums = [float(n) for n in NUMBER.findall(area["d"].replace("h", " ").replace("v", " "))]
        assert nums, area["name"]
        if area["code"] not in geo.TOKYO_ISLAND_CODES:
            assert all(0 <= x <= maps.MAP_W + 0.1 for x in nums[0::2])
            assert all(0 <= y <= tokyo_model["height"] for y in nums[1::2])


def test_venue_markers_share_the_projection(tokyo_model):
    assert [m["name"] for m in tokyo_model["markers"]] == ["江東区役所"]  # Osaka is off the map
    assert tokyo_model["desc"].endswith("会場: 江東区役所")
    koto = next(a for a in tokyo_model["areas"] if a["code"] == "131083")
    xs = [float(n) for n in NUMBER.findall(koto["d"])[0::2]]
    ys = [float(n) for n in NUMBER.findall(koto["d"])[1::2]]
    marker = tokyo_model["markers"][0]
    assert min(xs) <= marker["x"] <= max(xs) and min(ys) <= marker["y"] <= max(ys)
    html, root = render(tokyo_model)
    venues = [g for g in root.iter(SVG + "g") if "venue" in classes(g)]
    assert [g.find(SVG + "title").text for g in venues] == ["江東区役所"]


def test_projection_and_bins():
    proj = maps.fit_projection((139.0, 35.0, 140.0, 36.0), (0, 0, 100, 100))
    x_left, y_top = proj.point(139.0, 36.0)
    x_right, y_bottom = proj.point(140.0, 35.0)
    assert y_top == 0 and y_bottom == 100
    assert x_right - x_left == pytest.approx(100 * 0.8124, abs=0.2)  # cos(35.5°)
    assert maps.bin_edges([3, 97]) == [0, 20, 40, 60, 80, 100]
    assert maps.bin_edges([], 5) == []
    assert maps.bin_edges([1], [0, 50, 100]) == [0, 50, 100]
    assert maps.bin_index(100, [0, 50, 100]) == 1 and maps.bin_index(49.9, [0, 50, 100]) == 0
    assert [maps.ramp_class(i, 3) for i in range(3)] == ["choro-0", "choro-2", "choro-4"]
    with pytest.raises(ValueError):
        maps.choropleth(geo.tokyo_boundaries(), {"131041": {"value": 1}}, "t", "d", bins=[0, 1, 2, 3, 4, 5, 6])


def test_japan_prefecture_map_with_okinawa_inset():
    values = {f["properties"]["lg_code"]: {"value": i, "n": i} for i, f in enumerate(geo.prefecture_boundaries())}
    model = maps.choropleth(geo.prefecture_boundaries(), values, "都道府県", "全国。", unit="人",
                            bounds=maps.JAPAN_BOUNDS, inset=maps.OKINAWA_INSET)
    html, root = render(model)
    assert len([p for p in root.iter(SVG + "path") if "area" in classes(p)]) == 47
    assert all(a["d"] for a in model["areas"])
    assert model["inset"] is not None
    okinawa = next(a for a in model["areas"] if a["code"] == "470007")
    assert max(float(y) for y in NUMBER.findall(okinawa["d"])[1::2]) <= model["inset"]["height"] + 8
    assert len(html) < 200_000
