"""The open-data package as a Frictionless Data Package (datapackage.json) with a Table Schema per CSV.

Pure: a PackageInfo and the package's metadata dict (civictest.exporting.metadata.metadata) in, a descriptor
dict out. The descriptor follows the Frictionless Data Package v1 specification (tabular-data-package) so
that `frictionless validate datapackage.json` checks every CSV beside it: field types, the primary key, the
秘匿 flag's values, codes as strings (leading zeros survive), dates as ISO 8601.

Japanese comes first: `title` and `description` are Japanese; English is in the custom property
`translations` ({"en": {"title": ..., "description": ...}}) on the package, each resource and each field
(the specification allows custom properties, so the package still validates). Each field also carries the
ASCII physical name the JSON files use, as `physical_name`.
"""
from __future__ import annotations

import datetime as dt
import re
from typing import Any

from civictest.exporting.opendata import CODE_COLUMNS, COLUMNS, PackageInfo
from civictest.exporting.writers import DICTIONARY_COLUMNS

PROFILE = "tabular-data-package"
# The data dictionary's types (型) as Table Schema types.
TYPES = {"文字列": "string", "整数": "integer", "数値": "number", "日付": "date"}
# Code columns: text of digits or words, always strings, so that 011002 stays 011002.
PATTERNS = {"全国地方公共団体コード": r"[0-9]{6}", "ID": r"[0-9]{10}"}
SUPPRESSED_VALUES = [0, 1]

DICTIONARY_FIELDS = {  # 項目定義.csv: the columns of the data dictionary itself
    "項目名": ("集計結果ファイルの列の名前（1行目の項目名）", "Column name as in row 1 of the figures file"),
    "物理名": ("英字の物理名（JSON のキー）", "ASCII physical name (the key in the JSON files)"),
    "説明": ("列の説明", "Description of the column (Japanese)"),
    "説明（英語）": ("列の説明（英語）", "Description of the column (English)"),
    "型": ("値の型（文字列・整数・数値・日付）", "Value type (string, integer, number, date; in Japanese)"),
    "単位": ("値の単位", "Unit of the values"),
}
CODE_FIELDS = {  # コード表.csv
    "コード種別": ("どの列のコードか", "Which column the code is used in"),
    "コード": ("コード（値のとおり）", "The code as it appears in the data"),
    "名称": ("コードの名前", "Name of the code (Japanese)"),
    "名称（英語）": ("コードの名前（英語）", "Name of the code (English)"),
    "単位": ("指標の単位", "Unit of the metric"),
}


def _en(title: str | None = None, description: str | None = None) -> dict[str, dict[str, str]]:
    return {"en": {key: value for key, value in (("title", title), ("description", description)) if value}}


def _with_en(entry: dict[str, Any], title_en: str | None) -> dict[str, Any]:
    """entry with translations.en.title when there is an English title (and different from the Japanese)."""
    return {**entry, "translations": _en(title_en)} if title_en and title_en != entry.get("title") else entry


def _created(info: PackageInfo) -> str | None:
    """RFC 3339 time of publication (stored in UTC; a naive value from SQLite is UTC too)."""
    if info.published_at is None:
        return None
    moment = info.published_at
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.timezone.utc)
    return moment.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def metrics_field(name_ja: str, name_en: str, kind: str, description_ja: str, description_en: str,
                  unit: str) -> dict[str, Any]:
    """One Table Schema field of metrics.csv from its data-dictionary entry."""
    field: dict[str, Any] = {"name": name_ja, "title": name_ja, "type": TYPES[kind], "description": description_ja,
                             "physical_name": name_en, "translations": _en(name_en, description_en)}
    if unit:
        field["unit"] = unit
    if field["type"] == "date":
        field["format"] = "default"  # YYYY-MM-DD
    constraints: dict[str, Any] = {}
    if name_ja in PATTERNS:
        constraints["pattern"] = PATTERNS[name_ja]
    if name_ja == "ID":
        constraints.update(required=True, unique=True)
    if name_ja == "秘匿":
        constraints.update(required=True, enum=SUPPRESSED_VALUES)
    if name_ja in ("指標コード", "指標名", "単位"):
        constraints["required"] = True
    if constraints:
        field["constraints"] = constraints
    return field


def _string_fields(names: list[str], described: dict[str, tuple[str, str]],
                   required: tuple[str, ...]) -> list[dict[str, Any]]:
    """Text fields in the file's column order (names), described from `described` (a KeyError if one is not)."""
    fields = []
    for name in names:
        description_ja, description_en = described[name]
        field = {"name": name, "title": name, "type": "string", "description": description_ja,
                 "translations": _en(description=description_en)}
        if name in required:
            field["constraints"] = {"required": True}
        fields.append(field)
    return fields


def _csv_resource(name: str, path: str, title_ja: str, title_en: str, schema: dict[str, Any],
                  description_ja: str = "", description_en: str = "") -> dict[str, Any]:
    resource = {"name": name, "path": path, "profile": "tabular-data-resource", "title": title_ja,
                "format": "csv", "mediatype": "text/csv", "encoding": "utf-8",
                "dialect": {"delimiter": ",", "lineTerminator": "\r\n", "header": True},
                "schema": schema}
    if description_ja:
        resource["description"] = description_ja
    resource["translations"] = _en(title_en, description_en)
    return resource


def resources() -> list[dict[str, Any]]:
    """The package's three CSV resources (paths relative to datapackage.json) with their Table Schemas."""
    metrics_schema = {"fields": [metrics_field(*column) for column in COLUMNS], "primaryKey": ["ID"],
                      "missingValues": [""]}
    dictionary_fields = _string_fields([ja for ja, _ in DICTIONARY_COLUMNS], DICTIONARY_FIELDS, ("項目名", "物理名", "型"))
    dictionary_schema = {"fields": dictionary_fields, "primaryKey": ["物理名"], "missingValues": [""]}
    codes_fields = _string_fields(list(CODE_COLUMNS), CODE_FIELDS, ("コード種別", "コード", "名称"))
    codes_schema = {"fields": codes_fields, "primaryKey": ["コード種別", "コード"], "missingValues": [""]}
    return [
        _csv_resource("metrics", "metrics.csv", "集計結果", "Figures", metrics_schema,
                      "1行1指標の縦持ち。秘匿=1 の行は値が空欄。",
                      "Long format, one metric per row. Rows with 秘匿 (suppressed) = 1 have a blank value."),
        _csv_resource("dictionary", "dictionary.csv", "項目定義", "Data dictionary", dictionary_schema,
                      "集計結果の列の日本語名、英字の物理名、型、説明。",
                      "Japanese name, ASCII physical name, type and description of each column of the figures."),
        _csv_resource("codes", "codes.csv", "コード表", "Code table", codes_schema,
                      "指標コードと区分値のコードと名前。", "The codes used in 指標コード and 区分値, with names."),
    ]


def package_name(info: PackageInfo) -> str:
    """A lower-case package name as the specification wants it ([a-z0-9._-])."""
    return re.sub(r"[^a-z0-9._-]", "-", f"civictest-iteration-{info.iteration_id}")


def datapackage(info: PackageInfo, meta: dict[str, Any]) -> dict[str, Any]:
    """datapackage.json: titles (ja, with en in translations), licence, sources, contributors, resources.

    meta is the package's metadata dict (civictest.exporting.metadata.metadata): the licence, attribution,
    period and suppression rule are the ones metadata.json states, so the two files never disagree.
    """
    licence = meta["license"]
    publisher = meta["publisher"]
    publisher_ja = publisher["name_ja"] or info.department_ja
    link = {"path": info.url} if info.url else {}
    descriptor: dict[str, Any] = {
        "profile": PROFILE,
        "name": package_name(info),
        "title": meta["title"]["ja"],
        "description": meta["description"]["ja"],
        "translations": _en(meta["title"]["en"], meta["description"]["en"]),
        "language": "ja",
        "keywords": ["ユーザーテスト", "オープンデータ", "user testing", "open data", info.service_ja],
        "licenses": [_with_en({"name": licence["id"], "path": licence["url"], "title": licence["name_ja"]},
                              licence["name_en"])],
        "sources": [_with_en({"title": publisher_ja, **link}, publisher["name_en"])],
        "contributors": [_with_en({"title": publisher_ja, "role": "publisher", **link}, publisher["name_en"])],
        "attribution": meta["attribution"],
        "temporal": meta["temporal"],
        "spatial": meta["spatial"],
        "conformsTo": meta["conformsTo"],
        "suppression": meta["suppression"],
        "resources": resources(),
    }
    if info.url:
        descriptor["id"] = info.url
        descriptor["homepage"] = info.url
    created = _created(info)
    if created:
        descriptor["created"] = created
    return descriptor
