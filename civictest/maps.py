"""Choropleth and venue-marker models for inline SVG maps (pure); templates/_charts.html draws them.

Projection: equirectangular with x scaled by cos(mid-latitude), fitted to the map area. Features listed in
`tile_codes` (by default Tokyo's nine island municipalities, spread over 1,000 km of sea) are not drawn as
shapes but as labelled tiles in a row under the mainland map, so the mainland stays legible. For national
maps pass `bounds=JAPAN_BOUNDS, inset=OKINAWA_INSET`: polygons inside the inset box are drawn in a framed
inset at the top left, polygons outside both boxes (e.g. Ogasawara, Okinotorishima) are left out.
"""
from __future__ import annotations

import math
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass

from . import geo
from .charts import fmt, make_id, table, texts

WIDTH, MAP_W, MAX_H, LEGEND_X = 720, 540, 520, 560
MAP_TEXT = {"code": "コード", "area": "市区町村", "value": "値", "n": "回答数", "legend": "凡例",
            "islands": "島しょ部（位置は模式）", "venues": "会場"}
JAPAN_BOUNDS = (128.5, 29.0, 146.0, 45.6)
OKINAWA_INSET = (122.9, 24.0, 131.4, 29.0)
BBox = tuple[float, float, float, float]
TOLERANCE, MIN_EXTENT = 0.8, 1.5  # SVG units: detail finer than this is invisible at the drawn size


@dataclass(frozen=True)
class Projection:
    """lon/lat -> SVG user units (equirectangular, x scaled by cos(mid-latitude))."""

    lon0: float
    lat1: float
    kx: float
    scale: float
    ox: float
    oy: float

    def point(self, lon: float, lat: float) -> tuple[float, float]:
        """SVG x, y of a lon/lat pair, rounded to 0.1 unit."""
        return (round(self.ox + (lon - self.lon0) * self.kx * self.scale, 1),
                round(self.oy + (self.lat1 - lat) * self.scale, 1))


def fit_projection(bbox: BBox, box: BBox) -> Projection:
    """Projection fitting a lon/lat bbox (w, s, e, n) into an SVG box (x, y, width, height), centred."""
    west, south, east, north = bbox
    kx = math.cos(math.radians((south + north) / 2))
    scale = min(box[2] / max((east - west) * kx, 1e-9), box[3] / max(north - south, 1e-9))
    return Projection(west, north, kx, scale, box[0] + (box[2] - (east - west) * kx * scale) / 2,
                      box[1] + (box[3] - (north - south) * scale) / 2)


def _polygons(feature: Mapping) -> list:
    """The polygons (lists of rings) of a Polygon or MultiPolygon feature."""
    geom = feature["geometry"]
    return [geom["coordinates"]] if geom["type"] == "Polygon" else list(geom["coordinates"])


def _bbox(points: Sequence) -> BBox:
    """Bounding box (w, s, e, n) of lon/lat pairs."""
    lons, lats = [p[0] for p in points], [p[1] for p in points]
    return min(lons), min(lats), max(lons), max(lats)


def _inside(lon: float, lat: float, bbox: BBox | None) -> bool:
    """Whether a point lies in a bbox."""
    return bbox is not None and bbox[0] <= lon <= bbox[2] and bbox[1] <= lat <= bbox[3]


def _split(features: Sequence[Mapping], tiles: Collection[str], bounds: BBox | None,
           inset: BBox | None) -> dict[str, dict[str, list]]:
    """Polygons per feature code, assigned to "main" or "inset" by their centre; others are dropped."""
    out = {}
    for feature in features:
        code = feature["properties"]["lg_code"]
        parts = {"main": [], "inset": []}
        if code not in tiles:
            for poly in _polygons(feature):
                w, s, e, n = _bbox(poly[0])
                centre = ((w + e) / 2, (s + n) / 2)
                if _inside(*centre, inset):
                    parts["inset"].append(poly)
                elif bounds is None or _inside(*centre, bounds):
                    parts["main"].append(poly)
        out[code] = parts
    return out


def _ring_d(ring: Sequence, proj: Projection) -> str:
    """Subpath of one ring; points closer than TOLERANCE to the previous kept point are skipped."""
    pts: list[tuple[float, float]] = []
    for lon, lat in ring:
        p = proj.point(lon, lat)
        if not pts or abs(p[0] - pts[-1][0]) + abs(p[1] - pts[-1][1]) >= TOLERANCE:
            pts.append(p)
    if len(pts) > 1 and pts[0] == pts[-1]:
        pts.pop()
    return "M" + " ".join(f"{fmt(x)} {fmt(y)}" for x, y in pts) + "Z" if len(pts) >= 3 else ""


def _extent(ring: Sequence, proj: Projection) -> float:
    """Larger side of a ring's projected bounding box, in SVG units."""
    w, s, e, n = _bbox(ring)
    return max((e - w) * proj.kx * proj.scale, (n - s) * proj.scale)


def _path_d(polys: Sequence, proj: Projection) -> str:
    """Path data for polygons (holes included; CSS sets fill-rule: evenodd); specks under MIN_EXTENT are left out."""
    if not polys:
        return ""
    largest = max(polys, key=lambda poly: _extent(poly[0], proj))
    keep = [poly for poly in polys if poly is largest or _extent(poly[0], proj) >= MIN_EXTENT]
    return "".join(_ring_d(ring, proj) for poly in keep for ring in poly)


def bin_edges(values: Sequence[float], bins: int | Sequence[float] = 5, *, whole: bool = False) -> list[float]:
    """Class edges: given edges as is, else `bins` equal round-numbered steps from the data's minimum.

    whole=True (counts of people): whole-number steps, and the top value strictly below the last edge, so each
    class is a run of whole numbers ("5–6人"), never a fraction of a person."""
    if not isinstance(bins, int):
        return sorted(float(b) for b in bins)
    if not values:
        return []
    low, high = min(values), max(values)
    high = high if high > low else low + 1
    mag = 10 ** math.floor(math.log10((high - low) / bins))
    if whole:
        mag = max(mag, 1)
    for m in (1, 1.5, 2, 2.5, 3, 4, 5, 10, 15, 20, 25, 50):
        step = m * mag
        if whole and step != int(step):
            continue
        start = math.floor(low / step) * step
        top = start + step * bins
        if top > high or (not whole and top >= high):
            break
    return [round(start + i * step, 10) for i in range(bins + 1)]


def bin_index(value: float, edges: Sequence[float]) -> int:
    """Index of the class holding a value (lower edge inclusive; the last class includes its top)."""
    for i in range(len(edges) - 2, -1, -1):
        if value >= edges[i]:
            return i
    return 0


def ramp_class(index: int, classes: int) -> str:
    """CSS class of a class index, spread over choro-0 … choro-4 when there are fewer than five classes."""
    return f"choro-{round(index * 4 / (classes - 1)) if classes > 1 else 2}"


def _area(code: str, name: str, entry: Mapping | None, edges: list[float], unit: str, text: Mapping) -> dict:
    """Class, accessible name and table cells for one area."""
    if entry is None or (entry.get("value") is None and not entry.get("suppressed")):
        return {"classes": "area no-data", "fill": "dots", "title": f"{name}: {text['no_data']}",
                "row": [code, name, text["no_data"], ""]}
    if entry.get("suppressed"):
        return {"classes": "area suppressed", "fill": "hatch", "title": f"{name}: {text['suppressed']}",
                "row": [code, name, text["suppressed"], text["suppressed"]]}
    label = entry.get("label") or fmt(entry["value"], unit)
    n = entry.get("n")
    bin_ = bin_index(entry["value"], edges)
    return {"classes": f"area {ramp_class(bin_, len(edges) - 1)}", "fill": "", "bin": bin_,
            "title": f"{name}: {label}" + (f" (n={n})" if n is not None else ""),
            "row": [code, name, label, "" if n is None else str(n)]}


def venue_markers(venues: Sequence[Mapping], projection: Projection, bounds: BBox | None = None) -> list[dict]:
    """Marker positions for venues [{lon, lat, name}] in a map's projection; those outside bounds are left out."""
    out = []
    for venue in venues:
        if bounds is not None and not _inside(venue["lon"], venue["lat"], bounds):
            continue
        x, y = projection.point(venue["lon"], venue["lat"])
        out.append({"x": x, "y": y, "r": 6, "name": venue["name"], "title": venue["name"]})
    return out


def _tiles(codes: list[str], names: Mapping[str, str], top: float, text: Mapping) -> tuple[dict, dict, float]:
    """Tile rectangles (as path data) and labels for features drawn as tiles; returns (tiles, heading, bottom)."""
    if not codes:
        return {}, {}, top
    step = min(MAP_W / len(codes), 72)
    tiles = {}
    for i, code in enumerate(codes):
        x, y = round(8 + i * step, 1), top + 26
        tiles[code] = {"d": f"M{fmt(x)} {fmt(y)}h{fmt(step - 10)}v30h{fmt(10 - step)}Z",
                       "label": {"x": round(x + (step - 10) / 2, 1), "y": y + 46, "text": names[code]}}
    return tiles, {"x": 8, "y": top + 16, "text": text["islands"]}, top + 84


def class_label(low: float, high: float, unit: str, whole: bool = False) -> str:
    """ "20–40%"; for whole numbers the last number inside the class: "5–6人", or "5人" for a class of one."""
    if not whole:
        return f"{fmt(low)}–{fmt(high, unit)}"
    last = math.ceil(high) - 1
    return fmt(low, unit) if last <= low else f"{fmt(low)}–{fmt(last, unit)}"


def _legend(edges: list[float], unit: str, text: Mapping, flags: Mapping[str, bool],
            whole: bool = False) -> list[dict]:
    """Legend rows: one per class, then suppressed / no data / venue if they occur."""
    rows = [{"classes": ramp_class(i, len(edges) - 1), "fill": "", "text": class_label(a, b, unit, whole)}
            for i, (a, b) in enumerate(zip(edges, edges[1:]))]
    rows += [{"classes": "suppressed", "fill": "hatch", "text": text["suppressed"]}] if flags["suppressed"] else []
    rows += [{"classes": "no-data", "fill": "dots", "text": text["no_data"]}] if flags["no_data"] else []
    rows += [{"classes": "venue", "fill": "", "text": text["venues"], "marker": True}] if flags["venues"] else []
    for i, row in enumerate(rows):
        row.update(x=LEGEND_X, y=40 + 26 * i, text_x=LEGEND_X + 26, text_y=40 + 26 * i + 13)
    return rows


def _normalise(values: Mapping[str, Mapping]) -> dict[str, Mapping]:
    """Values keyed by 6-digit codes (5-digit keys are given their check digit)."""
    return {geo.lg_code(k) or k: v for k, v in values.items()}


def _aspect(bbox: BBox) -> float:
    """Height / width of a lon/lat bbox once projected."""
    return (bbox[3] - bbox[1]) / max((bbox[2] - bbox[0]) * math.cos(math.radians((bbox[1] + bbox[3]) / 2)), 1e-9)


def _projections(features: Sequence[Mapping], parts: Mapping, bounds: BBox | None, inset: BBox | None) -> dict:
    """Main-map bbox, height and projection, plus the inset's box and projection when it has content."""
    main = [pt for p in parts.values() for poly in p["main"] for pt in poly[0]]
    if not main:  # every feature is a tile: any box will do
        main = [pt for f in features for poly in _polygons(f) for pt in poly[0]]
    bbox = bounds or _bbox(main)
    height = round(min(MAX_H, MAP_W * _aspect(bbox)), 1)
    out = {"bbox": bbox, "height": height, "main": fit_projection(bbox, (0, 0, MAP_W, height)),
           "inset_box": None, "inset": None}
    if inset and any(p["inset"] for p in parts.values()):
        box = {"x": 4, "y": 4, "width": round(MAP_W * 0.4, 1), "height": round(MAP_W * 0.4 * _aspect(inset), 1)}
        out.update(inset_box=box, inset=fit_projection(inset, (8, 8, box["width"] - 8, box["height"] - 8)))
    return out


def _draw_areas(names: Mapping[str, str], values: Mapping, parts: Mapping, tiles: Mapping, edges: list[float],
                proj: Mapping, unit: str, text: Mapping) -> list[dict]:
    """One area per feature: class, accessible title, table row and path data (shape or tile)."""
    areas = []
    for code, name in names.items():
        area = _area(code, name, values.get(code), edges, unit, text)
        area.update(code=code, name=name, label=None)
        if code in tiles:
            area.update(d=tiles[code]["d"], label=tiles[code]["label"])
        else:
            inset_d = _path_d(parts[code]["inset"], proj["inset"]) if proj["inset"] else ""
            area["d"] = _path_d(parts[code]["main"], proj["main"]) + inset_d
        areas.append(area)
    return areas


def choropleth(features: Sequence[Mapping], values: Mapping[str, Mapping], title: str, desc: str,
               bins: int | Sequence[float] = 5, unit: str = "%", markers: Sequence[Mapping] | None = None, *,
               tile_codes: Collection[str] = geo.TOKYO_ISLAND_CODES, bounds: BBox | None = None,
               inset: BBox | None = None, lang: str = "ja", text: Mapping[str, str] | None = None,
               chart_id: str | None = None, whole: bool = False) -> dict:
    """Map model: a path per feature (choro-N/suppressed/no-data); values = {code: {value, label, n, suppressed}}.
    whole=True: the values are counts (whole-number classes). Maps shown side by side pass the same `bins`
    edges (computed from all their values), so one colour means one value on every map."""
    text = {**texts(MAP_TEXT), **(text or {})}
    values, tile_codes = _normalise(values), set(tile_codes)
    names = {f["properties"]["lg_code"]: (lang.startswith("en") and f["properties"].get("name_en"))
             or f["properties"]["name"] for f in features}
    parts = _split(features, tile_codes, bounds, inset)
    proj = _projections(features, parts, bounds, inset)
    tiles, tile_heading, bottom = _tiles([c for c in names if c in tile_codes], names, proj["height"], text)
    edges = bin_edges([v["value"] for v in values.values()
                       if v.get("value") is not None and not v.get("suppressed")], bins, whole=whole)
    if len(edges) > 6:
        raise ValueError("at most 5 classes (charts.css defines .choro-0 … .choro-4)")
    areas = _draw_areas(names, values, parts, tiles, edges, proj, unit, text)
    pins = venue_markers(markers or [], proj["main"], proj["bbox"])
    if pins:
        desc = f"{desc} {text['venues']}: {'、'.join(p['name'] for p in pins)}"
    legend = _legend(edges, unit, text, {"suppressed": any("suppressed" in a["classes"] for a in areas),
                                         "no_data": any("no-data" in a["classes"] for a in areas),
                                         "venues": bool(pins)}, whole)
    height = round(max(bottom, 40 + 26 * len(legend)) + 28, 1)
    return {"kind": "map", "id": chart_id or make_id("map", title, sorted(names)), "title": title, "desc": desc,
            "width": WIDTH, "height": height, "areas": areas, "markers": pins, "inset": proj["inset_box"],
            "tile_heading": tile_heading or None, "legend": legend, "edges": edges,
            "legend_title": {"x": LEGEND_X, "y": 24, "text": text["legend"]},
            "attribution": {"x": 8, "y": height - 10, "text": geo.boundary_attribution(lang)},
            "text": text, "table": table(title, [text["code"], text["area"], text["value"], text["n"]],
                                         [a["row"] for a in areas], row_header=1)}
