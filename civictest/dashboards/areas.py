"""Participants and inconvenience by area -> choropleth models (pure).

Input rows are one per municipality code: {"code", "participants", "inconvenient", "attempts"} (the last two
only for inconvenience maps). Areas with fewer than k participants are suppressed (hatched), together with
whatever cells would give them away (privacy.suppress_small_cells over the whole table, because the total is
printed on the page). The "region" level merges Tokyo's municipalities into 区部 / 多摩 / 島しょ so that a
small study still shows something; participants from outside Tokyo go to the prefecture map.
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence

import pandas as pd

from civictest import geo, maps
from civictest.analysis.metrics import inconvenience_from_counts
from civictest.charts import fmt
from civictest.dashboards.figures import chart_text
from civictest.dashboards.verdicts import N_, Gettext, identity
from civictest.privacy import suppress_small_cells

LEVELS = ("municipality", "region")
REGIONS = {"wards": N_("区部（23区）"), "tama": N_("多摩地域"), "islands": N_("島しょ部")}
T = {
    "code": N_("コード"), "area": N_("地域"), "value": N_("値"), "n": N_("参加者数"), "legend": N_("凡例"),
    "islands": N_("島しょ部（位置は模式）"), "venues": N_("会場"), "people": N_("人"),
    "participants_title": N_("参加者の住む地域（東京都）"),
    "participants_desc": N_("市区町村ごとの参加者数を色の濃さで示します。"),
    "inconvenience_title": N_("地域別の不便率（東京都）"),
    "inconvenience_desc": N_("参加者の住む市区町村ごとの不便率を色の濃さで示します。濃いほど不便です。"),
    "region_desc": N_("市区町村を区部・多摩地域・島しょ部にまとめて示します。"),
    "japan_title": N_("参加者の住む都道府県（全国）"),
    "japan_desc": N_("都道府県ごとの参加者数を色の濃さで示します。"),
    "suppressed_note": N_("参加者が{k}人未満の地域（と、その人数を逆算できてしまう地域）は斜線で示し、数値を伏せています。"),
}
TOKYO_GROUPS = {m["code"]: m["group"] for m in geo.tokyo_municipalities()}


def map_text(gettext: Gettext = identity) -> dict:
    """The UI strings of maps.py and charts.py, translated."""
    return {**chart_text(gettext), **{key: gettext(value) for key, value in T.items()}}


def _grouped(rows: Sequence[Mapping], key) -> list[dict]:  # noqa: ANN001
    """Rows summed per key(code); rows whose key is None are dropped."""
    sums: dict[str, dict] = defaultdict(lambda: {"participants": 0, "inconvenient": 0, "attempts": 0})
    for row in rows:
        group = key(geo.lg_code(row["code"]) or row["code"])
        if group is None:
            continue
        for field in ("participants", "inconvenient", "attempts"):
            sums[group][field] += int(row.get(field) or 0)
    return [{"code": code, **values} for code, values in sorted(sums.items())]


def suppressed_cells(rows: Sequence[Mapping], k: int) -> dict[str, dict]:
    """{code: {"participants", "inconvenient", "attempts", "suppressed"}} with small cells hidden (None)."""
    if not rows:
        return {}
    table = pd.DataFrame([{"code": r["code"], "participants": int(r["participants"])} for r in rows])
    hidden = suppress_small_cells(table, "participants", k)["suppressed"].tolist()
    return {r["code"]: {**r, "suppressed": bool(h)} | ({"participants": None, "inconvenient": None,
                                                          "attempts": None} if h else {})
            for r, h in zip(rows, hidden)}


def _value(cell: Mapping, metric: str, unit: str) -> dict:
    """The choropleth entry of one cell: participants, or the inconvenience rate (in %) with its n."""
    if cell["suppressed"]:
        return {"value": None, "suppressed": True}
    if metric == "participants":
        return {"value": cell["participants"], "label": fmt(cell["participants"], unit)}
    rate = inconvenience_from_counts(cell["inconvenient"], cell["attempts"])
    if rate["rate"] is None:
        return {"value": None}
    return {"value": rate["rate"] * 100, "n": cell["participants"],
            "label": f"{fmt(rate['rate'] * 100, '%')}（{fmt(rate['lower'] * 100)}–{fmt(rate['upper'] * 100, '%')}）"}


def _tokyo_values(rows: Sequence[Mapping], k: int, metric: str, level: str, unit: str) -> tuple[dict, dict]:
    """(cells, choropleth values) of Tokyo's municipalities, suppressed below k, at the level asked for."""
    tokyo = [r for r in rows if (geo.lg_code(r["code"]) or "") in TOKYO_GROUPS]
    if level == "region":
        cells = suppressed_cells(_grouped(tokyo, TOKYO_GROUPS.get), k)
        return cells, {code: _value(cells[TOKYO_GROUPS[code]], metric, unit)
                       for code in TOKYO_GROUPS if TOKYO_GROUPS[code] in cells}
    cells = suppressed_cells(_grouped(tokyo, lambda code: code), k)
    return cells, {code: _value(cell, metric, unit) for code, cell in cells.items()}


def _bins(metric: str, values: Sequence[Mapping]) -> list[float]:
    """Class edges: fixed 20-point steps for rates; whole-number steps over the counts of all maps given."""
    if metric == "inconvenience":
        return [0, 20, 40, 60, 80, 100]
    shown = [v["value"] for table in values for v in table.values()
             if v.get("value") is not None and not v.get("suppressed")]
    return maps.bin_edges(shown, 5, whole=True)


def _ranking(cells: Mapping, metric: str, unit: str, level: str, lang: str, text: Mapping,
             gettext: Gettext) -> list[dict]:
    """The areas with participants, highest value first (suppressed ones last): the list beside the map."""
    out = []
    for code, cell in cells.items():
        name = gettext(REGIONS[code]) if level == "region" else geo.municipality_name(code, lang) or code
        entry = _value(cell, metric, unit)
        if entry.get("suppressed"):
            out.append({"name": name, "value": None, "label": text["suppressed"], "suppressed": True})
        elif entry.get("value") is not None:
            out.append({"name": name, "value": entry["value"], "label": entry["label"], "suppressed": False})
    return sorted(out, key=lambda r: (r["suppressed"], -(r["value"] or 0), r["name"]))


def tokyo_map(rows: Sequence[Mapping], k: int, metric: str = "participants", level: str = "municipality",
              venues: Sequence[Mapping] = (), lang: str = "ja", gettext: Gettext = identity, *,
              bins: Sequence[float] | None = None, chart_id: str | None = None) -> dict:
    """Choropleth of Tokyo's 62 municipalities for participants or the inconvenience rate, venues marked.
    bins: class edges shared with the maps shown beside it (see tokyo_maps); chart_id: unique on the page."""
    text = map_text(gettext)
    unit = text["people"] if metric == "participants" else "%"
    title, desc = text[f"{metric}_title"], text[f"{metric}_desc"]
    cells, values = _tokyo_values(rows, k, metric, level, unit)
    if level == "region":
        desc = f"{desc} {text['region_desc']}"
    model = maps.choropleth(geo.tokyo_boundaries(), values, title, desc,
                            bins=_bins(metric, [values]) if bins is None else bins, unit=unit, markers=venues,
                            lang=lang, text=text, chart_id=chart_id or f"map-{metric}",
                            whole=metric == "participants")
    if level == "region":
        model["table"] = _region_table(cells, metric, unit, title, text, gettext)
    model["ranking"] = _ranking(cells, metric, unit, level, lang, text, gettext)
    model["ranking_header"] = [text["area"], text["value"]]
    model["suppressed_note"] = text["suppressed_note"].format(k=k)
    model["all_hidden"] = not any(v.get("value") is not None for v in values.values())
    return model


def tokyo_maps(iterations: Sequence[Mapping], k: int, metric: str = "participants", level: str = "municipality",
               lang: str = "ja", gettext: Gettext = identity) -> list[dict]:
    """Maps shown side by side, one per iteration [{"number", "name", "rows", "venues"}]: one shared scale
    (classes computed from every map's values), ids prefixed with the iteration number (unique on the page),
    and the iteration's name in the title."""
    unit = map_text(gettext)["people"] if metric == "participants" else "%"
    bins = _bins(metric, [_tokyo_values(it["rows"], k, metric, level, unit)[1] for it in iterations])
    out = []
    for it in iterations:
        model = tokyo_map(it["rows"], k, metric, level, it.get("venues", ()), lang, gettext, bins=bins,
                          chart_id=f"i{it['number']}-map-{metric}")
        model["title"] = f"{model['title']}: {it['name']}"
        model["table"]["caption"] = model["title"]
        out.append(model)
    return out


def _region_table(cells: Mapping, metric: str, unit: str, title: str, text: Mapping, gettext: Gettext) -> dict:
    """The data table of a region map: one row per region instead of 62 repeated rows."""
    rows = []
    for group, name in REGIONS.items():
        cell = cells.get(group)
        entry = _value(cell, metric, unit) if cell else {"value": None}
        shown = text["suppressed"] if entry.get("suppressed") else (
            entry.get("label") or text["no_data"])
        rows.append(["–", gettext(name), shown, "" if entry.get("n") is None else str(entry["n"])])
    return {"caption": title, "header": [text["code"], text["area"], text["value"], text["n"]], "rows": rows,
            "row_header": 1}


def outside_tokyo(rows: Sequence[Mapping]) -> bool:
    """Whether any participant lives outside Tokyo (then the prefecture map is shown too)."""
    return any((geo.lg_code(r["code"]) or "")[:2] not in ("", geo.TOKYO_PREF_CODE) and r.get("participants")
               for r in rows)


def japan_map(rows: Sequence[Mapping], k: int, lang: str = "ja", gettext: Gettext = identity) -> dict:
    """Participants per prefecture on the national map (Okinawa in an inset)."""
    text = map_text(gettext)
    prefectures = _grouped(rows, lambda code: geo.with_check_digit(code[:2] + "000") if code else None)
    cells = suppressed_cells(prefectures, k)
    values = {code: _value(cell, "participants", text["people"]) for code, cell in cells.items()}
    features = [{**f, "properties": {**f["properties"], "name_en": geo.municipality_name(
        f["properties"]["lg_code"], "en")}} for f in geo.prefecture_boundaries()]
    model = maps.choropleth(features, values, text["japan_title"], text["japan_desc"], unit=text["people"],
                            bounds=maps.JAPAN_BOUNDS, inset=maps.OKINAWA_INSET, tile_codes=(), lang=lang,
                            text=text, chart_id="map-japan", whole=True)
    model["suppressed_note"] = text["suppressed_note"].format(k=k)
    model["all_hidden"] = not any(v.get("value") is not None for v in values.values())
    return model
