"""Issue 14 item 6: maps shown side by side share one scale, count in whole people, name the wards, leave out
maps that would say nothing, and give every element a unique id."""
from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections import Counter

from tests.compare.test_views import SVG, client_for, urls

from civictest import dashboards, maps

SHINJUKU, CHIYODA, MINATO, YOKOHAMA = "131041", "131016", "131032", "141003"


def test_maps_side_by_side_share_one_scale_in_whole_people():
    before = [{"code": SHINJUKU, "participants": 5}, {"code": CHIYODA, "participants": 6}]
    after = [{"code": SHINJUKU, "participants": 12}, {"code": CHIYODA, "participants": 7},
             {"code": MINATO, "participants": 5}]
    models = dashboards.tokyo_maps([{"number": 1, "name": "第1版", "rows": before},
                                    {"number": 2, "name": "第2版", "rows": after}], 5, "participants")
    assert models[0]["edges"] == models[1]["edges"]  # one colour means one value on both maps
    assert all(e == int(e) for e in models[0]["edges"])
    legend = [row["text"] for row in models[1]["legend"] if "choro" in row["classes"]]
    assert legend and not any("." in text for text in legend), legend  # never 「5–7.5人」
    assert [m["id"] for m in models] == ["i1-map-participants", "i2-map-participants"]


def test_whole_number_bins_never_split_a_person():
    assert maps.bin_edges([5, 12], 5, whole=True) == [4, 6, 8, 10, 12, 14]
    assert maps.class_label(4, 6, "人", whole=True) == "4–5人" and maps.class_label(5, 6, "人", whole=True) == "5人"


def test_the_map_names_its_wards_ranked():
    rows = [{"code": CHIYODA, "participants": 6}, {"code": SHINJUKU, "participants": 12},
            {"code": MINATO, "participants": 2}]
    model = dashboards.tokyo_map(rows, 2, "participants")
    assert [(r["name"], r["label"]) for r in model["ranking"]] == [("新宿区", "12人"), ("千代田区", "6人"),
                                                                    ("港区", "2人")]
    titles = {a["title"] for a in model["areas"]}
    assert {"新宿区: 12人", "千代田区: 6人"} <= titles  # the SVG's tooltips name the ward too
    english = dashboards.tokyo_map(rows, 2, "participants", lang="en")
    assert english["ranking"][0]["name"] == "Shinjuku-ku" or english["ranking"][0]["name"].startswith("Shinjuku")


def test_no_japan_map_when_nobody_lives_outside_tokyo_or_all_is_suppressed():
    tokyo_only = [{"code": SHINJUKU, "participants": 9}]
    assert not dashboards.outside_tokyo(tokyo_only)
    hidden = dashboards.japan_map(tokyo_only + [{"code": YOKOHAMA, "participants": 1}], 5)
    assert hidden["all_hidden"]


def test_map_page_shows_ranked_ward_names_and_no_empty_japan(app, world):
    html = client_for(app, world, "product_owner").get(
        f"/compare/iterations/{world['second'].id}/map?metric=participants").get_data(True)
    tables = re.findall(r'<table class="map-ranking-table">.*?</table>', html, re.S)
    assert len(tables) == 2
    rows = [[c for c in re.findall(r"<t[hd][^>]*>([^<]*)</t[hd]>", row)]
            for row in re.findall(r"<tr>(.*?)</tr>", tables[1], re.S)[1:]]
    assert rows[:2] == [["1", "新宿区", "9人"], ["2", "千代田区", "5人"]]
    assert 'id="map-japan"' not in html
    legends = [[t.text for t in ET.fromstring(m).iter(SVG + "text") if t.get("class") == "legend-label"]
               for m in re.findall(r'<figure class="chart chart-map" id="[^"]+">.*?</figure>', html, re.S)]
    assert len(legends) == 2 and legends[0] == legends[1]


def test_every_id_is_unique_on_the_map_and_print_pages(app, world):
    client = client_for(app, world, "product_owner")
    for url in urls(world["second"]) + [f"/compare/iterations/{world['second'].id}/map?metric=inconvenience"]:
        html = client.get(url).get_data(True)
        twice = {name: n for name, n in Counter(re.findall(r'\sid="([^"]+)"', html)).items() if n > 1}
        assert twice == {}, url
        for match in re.findall(r'aria-labelledby="([^"]+)"', html):
            for ref in match.split():
                assert f'id="{ref}"' in html, (url, ref)
