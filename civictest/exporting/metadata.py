"""Metadata of an open-data package (JAPAN.md 2.4): DCAT/CKAN-mappable title, publisher, licence, rules.

Pure: a PackageInfo in, a dict out (civictest.exporting.writers.to_json_bytes writes it). Texts are in Japanese and
English; the column list comes from civictest.exporting.opendata.COLUMNS so the two never disagree.
"""
from __future__ import annotations

import datetime as dt
from typing import Any

from civictest.exporting.opendata import COLUMNS, PackageInfo
from civictest.geo import municipality_name

LICENSE = {"id": "CC-BY-4.0", "url": "https://creativecommons.org/licenses/by/4.0/deed.ja",
           "name_ja": "クリエイティブ・コモンズ 表示 4.0 国際", "name_en": "Creative Commons Attribution 4.0 International"}
CONFORMS_TO = "行政データにおける機械可読性に関するルール（令和8年3月31日）"


def title(info: PackageInfo) -> dict[str, str]:
    return {"ja": f"{info.service_ja} ユーザーテスト結果（第{info.iteration_number}版）",
            "en": f"{info.service_en or info.service_ja} user test results (iteration {info.iteration_number})"}


def _method(info: PackageInfo, k: int) -> dict[str, str]:
    instrument = info.instrument_id or info.questionnaire
    return {
        "ja": ("タスク完了率と不便率は試行の割合で、95%信頼区間は adjusted Wald 法。不便率は「できた」以外の結果か、"
               "SEQ が4以下の試行の割合。SEQ 平均と質問票の平均は t 分布による区間。所要時間は回答25件未満で幾何平均、"
               f"25件以上で中央値（対数変換後の t 区間）。質問票は {instrument}（日本語訳は未検証）。"
               "観察者が記録した試行は観察者の結果と時間を使う。退会した参加者と無効にしたセッションは含まない。"),
        "en": ("Completion and inconvenience rates are shares of attempts with adjusted-Wald 95% intervals. An attempt "
               "is inconvenient when its outcome is not a plain success or its SEQ is 4 or less. SEQ and questionnaire "
               "means have t intervals. Time on task is the geometric mean below 25 answers, else the median "
               f"(log-t interval). Questionnaire: {instrument} (Japanese translation not validated). Where a "
               "facilitator recorded an attempt, the observer's outcome and time count. Withdrawn participants and "
               "invalidated sessions are excluded."),
    }


def suppression_rule(k: int) -> dict[str, Any]:
    return {
        "k": k,
        "ja": (f"回答が{k}件未満の統計値は伏せる。人数・件数の表は、{k}未満の値（0を除く）を伏せ、合計から逆算され"
               "ないよう必要なら別の値も伏せる（二次秘匿）。伏せた値は空欄で、秘匿列が1。伏せた理由の区別は公開しない。"),
        "en": (f"Statistics over fewer than {k} answers are withheld. In count tables, values from 1 to {k - 1} are "
               "withheld, and further values where needed so that no withheld value can be recovered from a total "
               "(secondary suppression). Withheld values are blank with suppressed = 1; which rule hid a value is "
               "not published."),
    }


def metadata(info: PackageInfo, k: int, distributions: list[dict[str, str]],
             modified: dt.date | None = None) -> dict[str, Any]:
    """DCAT/CKAN-mappable metadata: title, description, publisher, licence, attribution, period, columns."""
    names = title(info)
    publisher_ja = f"{info.lg_name or ''}{info.department_ja}"
    lg_name_en = municipality_name(info.lg_code, "en") if info.lg_code else None
    publisher_en = ", ".join(x for x in (info.department_en or info.department_ja, lg_name_en) if x)
    issued = info.published_at.date() if info.published_at else None
    link = f"（{info.url}）" if info.url else ""
    return {
        "title": names,
        "description": {
            "ja": (f"{publisher_ja}が住民の参加を得て行った「{info.service_ja}」のユーザーテスト（第{info.iteration_number}版: "
                   f"{info.iteration_label}）の集計結果。タスクごとの完了率・不便率・SEQ・所要時間（95%信頼区間つき）、"
                   "SUS、コメントの感情別件数、年代別・市区町村別の参加者数。自由記述は含まない。"),
            "en": (f"Aggregate results of the user test of {info.service_en or info.service_ja} (iteration "
                   f"{info.iteration_number}) with residents: per-task completion and "
                   "inconvenience rates, SEQ and time on task with 95% intervals, SUS, comment counts by sentiment, "
                   "participants by age band and municipality. No free text."),
        },
        "publisher": {"name_ja": publisher_ja, "name_en": publisher_en, "department_ja": info.department_ja,
                      "department_en": info.department_en, "lg_code": info.lg_code, "lg_name": info.lg_name},
        "license": LICENSE,
        "attribution": {"ja": f"出典：{publisher_ja}「{names['ja']}」{link}、{LICENSE['name_ja']}",
                        "en": f"Source: {publisher_en}, \"{names['en']}\"{' (' + info.url + ')' if info.url else ''}, "
                              "CC BY 4.0"},
        "issued": issued, "modified": modified or issued,
        "temporal": {"start": info.starts_on, "end": info.ends_on},
        "spatial": info.lg_code, "conformsTo": CONFORMS_TO, "language": ["ja"],
        "encoding": "UTF-8 (BOM付き)", "line_ending": "CRLF",
        "header": {"ja": "1行目が日本語の項目名。英語の物理名は項目定義（dictionary）と JSON にある。",
                   "en": "Row 1 holds the Japanese column names; the ASCII physical names are in the dictionary and the JSON."},
        "method": _method(info, k), "suppression": suppression_rule(k),
        "columns": [{"name_ja": ja, "name_en": en, "type": kind, "description_ja": d_ja, "description_en": d_en,
                     "unit": unit or None} for ja, en, kind, d_ja, d_en, unit in COLUMNS],
        "distributions": distributions,
        "history": [{"date": issued, "ja": "公開", "en": "Published"}] if issued else [],
    }
