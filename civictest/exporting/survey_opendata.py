"""A published survey wave as open data: one long-format table (縦持ち) and its metadata.

Pure: the wave's results (civictest.reporting.surveys.wave_results, every scale item per unit) and a
SurveyPackageInfo in; a DataFrame and a metadata dict out. The same rules as the test results' open data
(exporting/opendata.py, JAPAN.md section 2): one row per wave x item x breakdown x metric; shares as decimals;
withheld values are empty with 秘匿 = 1. Suppression is the results' own (civictest.analysis.surveys with
SURVEY_SUPPRESSION_K): units below k are withheld and merged upward, with the cells that would reveal them by
subtraction; job grades below k are withheld. No free text, no roster.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pandas as pd

from civictest.exporting.metadata import CONFORMS_TO, LICENSE
from civictest.exporting.writers import data_dictionary

COLUMNS: tuple[tuple[str, str, str, str, str, str], ...] = (
    ("全国地方公共団体コード", "lg_code", "文字列", "公開する地方公共団体の6桁コード", "6-digit local-government code", ""),
    ("ID", "id", "文字列", "行の番号（回ごとに固定）", "Row id (stable per wave)", ""),
    ("部局名", "department", "文字列", "調査を担当する部局", "Department running the survey", ""),
    ("調査名", "survey", "文字列", "調査の名前", "Survey title", ""),
    ("回", "wave", "整数", "調査の回の番号", "Wave number", ""),
    ("回の名前", "wave_label", "文字列", "回の名前（例: 2026年度）", "Wave label (e.g. FY2026)", ""),
    ("実施期間_開始日", "start_date", "日付", "回答の受付開始日", "First day of answering", ""),
    ("実施期間_終了日", "end_date", "日付", "回答の締切日", "Last day of answering", ""),
    ("設問コード", "item", "文字列", "設問のコード（回をまたいで同じ）", "Item code (the same across waves)", ""),
    ("設問", "item_text", "文字列", "設問の文（空欄は回全体）", "Item wording (blank: the whole wave)", ""),
    ("指標コード", "metric", "文字列", "指標のコード", "Metric code", ""),
    ("指標名", "metric_name", "文字列", "指標の名前", "Metric name", ""),
    ("区分名", "category", "文字列", "内訳の種類（空欄は全体）", "Breakdown (blank: everyone)", ""),
    ("区分値", "category_code", "文字列", "内訳のコード", "Breakdown code", ""),
    ("区分値名称", "category_name", "文字列", "内訳の名前（所属は 局/部/課 の経路）", "Breakdown name (org units: their path)", ""),
    ("値", "value", "数値", "指標の値（秘匿は空欄）", "Value (blank when withheld)", "単位列を参照"),
    ("単位", "unit", "文字列", "値の単位", "Unit of the value", ""),
    ("信頼区間_下限", "ci_low", "数値", "95%信頼区間の下限", "Lower bound of the 95% interval", "単位列を参照"),
    ("信頼区間_上限", "ci_high", "数値", "95%信頼区間の上限", "Upper bound of the 95% interval", "単位列を参照"),
    ("回答数", "n", "整数", "値のもとになった回答の数", "Answers behind the value", "件"),
    ("秘匿", "suppressed", "整数", "1: 人数が少ないため値を伏せた、0: 伏せていない", "1: withheld (few people), 0: not", ""),
)
METRICS = {  # code: (name ja, unit)
    "positive_share": ("肯定的な回答の割合", "割合"), "neutral_share": ("中間の回答の割合", "割合"),
    "negative_share": ("否定的な回答の割合", "割合"), "mean": ("平均点", "点(1-5)"),
    "option_share": ("選択肢の割合", "割合"), "response_rate": ("回答率", "割合"), "respondents": ("回答者数", "人"),
}
DIGITS = {"割合": 4, "点(1-5)": 2}


@dataclass(frozen=True)
class SurveyPackageInfo:
    wave_id: int
    department_ja: str
    survey_ja: str
    wave_number: int
    wave_label: str
    survey_en: str = ""
    department_en: str = ""
    opens_on: dt.date | None = None
    closes_on: dt.date | None = None
    lg_code: str | None = None
    published_at: dt.datetime | None = None


def _round(value: Any, unit: str) -> Any:
    if value is None:
        return None
    return round(float(value), DIGITS[unit]) if unit in DIGITS else value


def survey_table(results: dict, info: SurveyPackageInfo) -> pd.DataFrame:
    """The long table of one wave (see the module docstring)."""
    rows: list[dict] = []

    def add(item: dict | None, metric: str, value: Any, n: Any, *, category: str = "", code: str = "", name: str = "",
            low: Any = None, high: Any = None, withheld: bool = False) -> None:
        unit = METRICS[metric][1]
        rows.append({
            "item": item["code"] if item else "", "item_text": item["wording_ja"] if item else "", "metric": metric,
            "metric_name": METRICS[metric][0], "category": category, "category_code": code, "category_name": name,
            "value": None if withheld else _round(value, unit), "unit": unit,
            "ci_low": None if withheld else _round(low, unit), "ci_high": None if withheld else _round(high, unit),
            "n": None if withheld else n, "suppressed": int(withheld)})

    def bands(item: dict, figures: dict | None, withheld: bool = False, **where: Any) -> None:
        """withheld: the group is suppressed; a shown group without answers to the item has blank values."""
        figures = figures or {"n": 0}
        for band in ("positive", "neutral", "negative"):
            share = figures.get(band) or {}
            add(item, f"{band}_share", share.get("share"), figures.get("n"), low=share.get("lower"),
                high=share.get("upper"), withheld=withheld, **where)
        add(item, "mean", figures.get("mean"), figures.get("n"), low=figures.get("mean_lower"),
            high=figures.get("mean_upper"), withheld=withheld, **where)

    if not results.get("shown"):
        add(None, "respondents", None, None, withheld=True)
        return _finish(rows, info)
    rate = results.get("response_rate")
    add(None, "respondents", results["respondents"], results["respondents"])
    if rate:
        add(None, "response_rate", rate["rate"], rate["invited"], low=rate["lower"], high=rate["upper"])
    for item in results["items"]:
        if item["kind"] == "scale":
            bands(item, item["overall"])
        elif item["kind"] == "choice" and item["overall"]:
            for option, label in zip(item["options"], item["labels"], strict=False):
                figures = item["overall"]["options"].get(str(option)) or {}
                add(item, "option_share", figures.get("share"), item["overall"]["n"], category="選択肢",
                    code=str(option), name=label["ja"], low=figures.get("lower"), high=figures.get("upper"))
    scale_items = {str(item["id"]): item for item in results["items"] if item["kind"] == "scale"}
    for unit in results["units"]:
        if not unit["path"]:
            continue  # the whole organisation: the rows above
        where = {"category": "所属", "code": str(unit["id"]), "name": unit["path"]}
        shown = bool(unit["shown"])
        unit_rate = unit.get("response_rate") if shown else None
        add(None, "respondents", unit["respondents"], unit["respondents"], withheld=not shown, **where)
        if rate:
            add(None, "response_rate", (unit_rate or {}).get("rate"), (unit_rate or {}).get("invited"),
                low=(unit_rate or {}).get("lower"), high=(unit_rate or {}).get("upper"), withheld=unit_rate is None, **where)
        for item_id, item in scale_items.items():
            bands(item, (unit.get("items") or {}).get(item_id) if shown else None, withheld=not shown, **where)
    for grade in results.get("grades") or []:
        where = {"category": "職層", "code": grade["grade"] or "unknown", "name": grade["grade"] or "回答なし"}
        shown = bool(grade["shown"])
        add(None, "respondents", grade.get("respondents"), grade.get("respondents"), withheld=not shown, **where)
        for item_id, item in scale_items.items():
            bands(item, (grade.get("items") or {}).get(item_id) if shown else None, withheld=not shown, **where)
    return _finish(rows, info)


def _finish(rows: list[dict], info: SurveyPackageInfo) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=[c[1] for c in COLUMNS if c[1] not in
                                        ("lg_code", "id", "department", "survey", "wave", "wave_label", "start_date", "end_date")],
                         dtype=object)  # counts stay whole numbers beside decimal shares
    frame.insert(0, "end_date", info.closes_on)
    frame.insert(0, "start_date", info.opens_on)
    frame.insert(0, "wave_label", info.wave_label)
    frame.insert(0, "wave", info.wave_number)
    frame.insert(0, "survey", info.survey_ja)
    frame.insert(0, "department", info.department_ja)
    frame.insert(0, "id", [f"{info.wave_id}-{i:05d}" for i in range(1, len(frame) + 1)])
    frame.insert(0, "lg_code", info.lg_code or "")
    frame["n"] = frame["n"].astype("Int64")
    return frame


def japanese_headers(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.rename(columns={en: ja for ja, en, *_ in COLUMNS})


def dictionary_table() -> pd.DataFrame:
    return data_dictionary([{"name_ja": ja, "name_en": en, "type": kind, "description_ja": d_ja,
                             "description_en": d_en, "unit": unit} for ja, en, kind, d_ja, d_en, unit in COLUMNS])


def metadata(info: SurveyPackageInfo, k: int, distributions: list[dict[str, str]]) -> dict[str, Any]:
    title = {"ja": f"{info.survey_ja}（{info.wave_label}）の結果",
             "en": f"{info.survey_en or info.survey_ja} ({info.wave_label}) results"}
    issued = info.published_at.date() if info.published_at else None
    return {
        "title": title,
        "description": {
            "ja": ("設問ごとの肯定的・中間・否定的な回答の割合（95%信頼区間つき）と平均点、選択肢の割合、回答率。"
                   "全体、所属別、職層別。自由記述と名簿は含まない。"),
            "en": ("Per item: shares of positive, neutral and negative answers (95% intervals) and the mean; option "
                   "shares; response rates. Overall, per org unit and per job grade. No free text, no roster."),
        },
        "publisher": {"department_ja": info.department_ja, "department_en": info.department_en, "lg_code": info.lg_code},
        "license": LICENSE,
        "attribution": {"ja": f"出典：{info.department_ja}「{title['ja']}」、{LICENSE['name_ja']}",
                        "en": f"Source: {info.department_en or info.department_ja}, \"{title['en']}\", CC BY 4.0"},
        "issued": issued, "modified": issued, "temporal": {"start": info.opens_on, "end": info.closes_on},
        "conformsTo": CONFORMS_TO, "language": ["ja"], "encoding": "UTF-8 (BOM付き)", "line_ending": "CRLF",
        "method": {"ja": "肯定的は5段階の4と5、中間は3、否定的は1と2。割合の区間は adjusted Wald、平均は t 分布。",
                   "en": "Positive is 4 and 5 of the 5-point scale, neutral 3, negative 1 and 2. Adjusted-Wald "
                         "intervals for shares, t intervals for means."},
        "suppression": {
            "k": k,
            "ja": (f"回答者が{k}人未満の所属・職層の値は伏せる。伏せた所属は上の階層に合算し、差し引きで分からないよう"
                   "必要なら別の所属も伏せる（二次秘匿）。伏せた値は空欄で、秘匿列が1。"),
            "en": (f"Values of org units and job grades with fewer than {k} respondents are withheld; a withheld unit "
                   "counts in the unit above it, and further units are withheld where a subtraction would reveal it "
                   "(secondary suppression). Withheld values are blank with suppressed = 1."),
        },
        "columns": [{"name_ja": ja, "name_en": en, "type": kind, "description_ja": d_ja, "description_en": d_en,
                     "unit": unit or None} for ja, en, kind, d_ja, d_en, unit in COLUMNS],
        "distributions": distributions,
    }
