"""An iteration's report as open data: one long-format table (縦持ち), its data dictionary and metadata.

Pure: the report dict (civictest.analysis.report.iteration_report), participant counts by profile and a
PackageInfo in; DataFrames and a metadata dict out. No Flask, no database, no files.
Rules followed (JAPAN.md section 2): one row per iteration x task x metric x category; codes and names in
separate cells; numbers only in numeric columns with the unit in 単位; rates as decimals; suppressed or
missing values are empty cells with 秘匿 = 1, never 0; dates ISO 8601; municipalities as 6-digit
全国地方公共団体コード. Small cells (JAPAN.md 4.1): a statistic over fewer than k people is withheld, and
every count table goes through privacy.suppress_small_cells (with secondary suppression). No free text.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import pandas as pd

from civictest.exporting.writers import data_dictionary
from civictest.geo import is_prefecture_code, lg_code, municipality_name, prefecture_code
from civictest.privacy import suppress_small_cells

CONFIDENCE = 0.95

# (Japanese name, physical name, type, description ja, description en, unit)
COLUMNS: tuple[tuple[str, str, str, str, str, str], ...] = (
    ("全国地方公共団体コード", "lg_code", "文字列", "公開する地方公共団体の6桁コード（検査数字つき）",
     "6-digit local-government code of the publisher (with check digit)", ""),
    ("ID", "id", "文字列", "行の番号（版ごとに固定、再利用しない）", "Row id (stable per iteration, never reused)", ""),
    ("地方公共団体名", "lg_name", "文字列", "公開する地方公共団体の名前", "Name of the publishing local government", ""),
    ("都道府県名", "pref_name", "文字列", "公開する地方公共団体の都道府県名", "Prefecture of the publisher", ""),
    ("市区町村名", "city_name", "文字列", "公開する地方公共団体の市区町村名（都道府県が公開するときは空欄）",
     "Municipality of the publisher (blank when a prefecture publishes)", ""),
    ("部局名", "department", "文字列", "サービスを担当する部局", "Department responsible for the service", ""),
    ("サービス名", "service", "文字列", "テストしたサービス", "Service tested", ""),
    ("版番号", "iteration", "整数", "サービスの改善サイクルの番号", "Iteration number of the service", ""),
    ("版の名前", "iteration_label", "文字列", "版の名前", "Iteration label", ""),
    ("実施期間_開始日", "start_date", "日付", "テストの開始日（YYYY-MM-DD）", "First day of testing (YYYY-MM-DD)", ""),
    ("実施期間_終了日", "end_date", "日付", "テストの終了日（YYYY-MM-DD）", "Last day of testing (YYYY-MM-DD)", ""),
    ("タスク番号", "task_no", "整数", "調査でのタスクの順番（空欄は版全体）", "Task position in the study (blank: whole iteration)", ""),
    ("タスク名", "task_name", "文字列", "タスクの名前（空欄は版全体）", "Task name (blank: whole iteration)", ""),
    ("指標コード", "metric", "文字列", "指標のコード（コード表を参照）", "Metric code (see the code table)", ""),
    ("指標名", "metric_name", "文字列", "指標の名前", "Metric name", ""),
    ("区分名", "category", "文字列", "内訳の種類（空欄は内訳なし）", "Breakdown (blank: none)", ""),
    ("区分値", "category_code", "文字列", "内訳のコード（コード表を参照。市区町村は全国地方公共団体コード、回答なしは unknown）",
     "Breakdown code (see the code table; municipalities: local-government code; not answered: unknown)", ""),
    ("区分値名称", "category_name", "文字列", "内訳の名前", "Breakdown name", ""),
    ("値", "value", "数値", "指標の値（秘匿・欠測は空欄）", "Value (blank when suppressed or missing)", "単位列を参照"),
    ("単位", "unit", "文字列", "値の単位", "Unit of the value", ""),
    ("信頼区間_下限", "ci_low", "数値", "95%信頼区間の下限", "Lower bound of the 95% confidence interval", "単位列を参照"),
    ("信頼区間_上限", "ci_high", "数値", "95%信頼区間の上限", "Upper bound of the 95% confidence interval", "単位列を参照"),
    ("信頼水準", "conf_level", "数値", "信頼区間の信頼水準", "Confidence level of the interval", "割合"),
    ("回答数", "n", "整数", "値のもとになった回答の数", "Number of answers behind the value", "件"),
    ("秘匿", "suppressed", "整数", "1: 人数が少ないため値を伏せた、0: 伏せていない", "1: withheld because it describes few people, 0: not", ""),
    ("備考", "note", "文字列", "計算方法など", "Method notes", ""),
)
JA_COLUMNS = [c[0] for c in COLUMNS]
HEADER_PAIRS = [(c[0], c[1]) for c in COLUMNS]

METRICS = {  # code: (name ja, name en, unit)
    "completion_rate": ("タスク完了率", "Task completion rate", "割合"),
    "inconvenience_rate": ("不便率", "Inconvenience rate", "割合"),
    "seq_mean": ("SEQ平均", "Mean SEQ (ease, 1-7)", "点(1-7)"),
    "time_median": ("所要時間_中央値", "Median time on task", "秒"),
    "time_geometric_mean": ("所要時間_幾何平均", "Geometric mean time on task", "秒"),
    "sus_mean": ("SUS平均", "Mean SUS score", "点(0-100)"),
    "umux_lite_mean": ("UMUX-Lite平均", "Mean UMUX-Lite score", "点(0-100)"),
    "participants": ("参加者数", "Participants", "人"),
    "comments": ("コメント数", "Comments", "件"),
}
CATEGORIES = {"age_band": ("年代", "Age band"), "municipality": ("市区町村", "Municipality"),
              "sentiment": ("感情", "Sentiment")}
AGE_BANDS = {"under_20": ("20歳未満", "Under 20"), "20s": ("20代", "20s"), "30s": ("30代", "30s"),
             "40s": ("40代", "40s"), "50s": ("50代", "50s"), "60s": ("60代", "60s"), "70s": ("70代", "70s"),
             "80_plus": ("80歳以上", "80 and over"), "unknown": ("回答なし", "Not answered")}
SENTIMENTS = {"positive": ("肯定的", "Positive"), "neutral": ("中立", "Neutral"), "negative": ("否定的", "Negative"),
              "unscored": ("判定なし", "Not scored")}
DIGITS = {"割合": 4, "点(1-7)": 2, "点(0-100)": 2, "秒": 1}  # published precision; counts stay whole
NOTES = {"rate": "adjusted Wald（Agresti-Coull）", "mean": "t分布による区間", "time": "対数変換後のt区間"}


@dataclass(frozen=True)
class PackageInfo:
    """Who publishes what: the columns every row repeats, and the metadata's facts."""

    iteration_id: int
    department_ja: str
    service_ja: str
    iteration_number: int
    iteration_label: str
    starts_on: dt.date | None = None
    ends_on: dt.date | None = None
    publisher_code: str | None = None  # 6-digit 全国地方公共団体コード of the city, when configured
    department_en: str = ""
    service_en: str = ""
    published_at: dt.datetime | None = None
    questionnaire: str = "sus"
    instrument_id: str = ""
    partial_counts_as_success: bool = False
    url: str = ""

    @property
    def lg_code(self) -> str | None:
        """The 6-digit code, or None when no code is configured; a malformed code is an error, never dropped."""
        if not self.publisher_code:
            return None
        code = lg_code(self.publisher_code)
        if code is None:
            raise ValueError(f"publisher_code {self.publisher_code!r} is not a 全国地方公共団体コード "
                             "(6 digits with a correct check digit)")
        return code

    @property
    def lg_name(self) -> str | None:
        return municipality_name(self.lg_code) if self.lg_code else None

    @property
    def pref_name(self) -> str | None:
        """都道府県名 of the publisher (東京都 for 江東区 and for 東京都 itself)."""
        return municipality_name(prefecture_code(self.lg_code)) if self.lg_code else None

    @property
    def city_name(self) -> str | None:
        """市区町村名 of the publisher; None when a prefecture publishes (記載不要)."""
        if not self.lg_code or is_prefecture_code(self.lg_code):
            return None
        return municipality_name(self.lg_code)


def _row(metric: str, value: Any, n: Any, *, task: dict | None = None, low: Any = None, high: Any = None,
         note: str = "", category: str = "", code: str = "", name: str = "") -> dict:
    name_ja, _, unit = METRICS[metric]
    has_ci = low is not None and high is not None
    digits = DIGITS.get(unit)
    if digits is not None:
        value, low, high = (None if x is None else round(float(x), digits) for x in (value, low, high))
    return {"タスク番号": task["position"] if task else None, "タスク名": task["title_ja"] if task else None,
            "指標コード": metric, "指標名": name_ja, "区分名": CATEGORIES[category][0] if category else None,
            "区分値": code or None, "区分値名称": name or None, "値": value, "単位": unit,
            "信頼区間_下限": low if has_ci else None, "信頼区間_上限": high if has_ci else None,
            "信頼水準": CONFIDENCE if has_ci else None, "回答数": n, "備考": note or None}


def _rate_rows(figures: dict, task: dict | None, completion_note: str) -> list[dict]:
    """Completion and inconvenience rates with their adjusted-Wald intervals."""
    completion, inconvenience = figures["completion"], figures["inconvenience"]
    return [_row("completion_rate", completion["completion_rate"], completion["n"], task=task,
                 low=completion["lower"], high=completion["upper"], note=NOTES["rate"] + completion_note),
            _row("inconvenience_rate", inconvenience["rate"], inconvenience["n"], task=task,
                 low=inconvenience["lower"], high=inconvenience["upper"], note=NOTES["rate"])]


def _task_rows(task: dict, completion_note: str) -> list[dict]:
    """Rates, mean SEQ and the reported central time of one task."""
    seq, time = task["seq"], task["time"]
    central = "time_median" if time.get("central_tendency_reported") == "median" else "time_geometric_mean"
    value = time["median"] if central == "time_median" else time["geometric_mean"]
    return [*_rate_rows(task, task, completion_note),
            _row("seq_mean", seq["mean"], seq["n"], task=task, low=seq["lower"], high=seq["upper"],
                 note=NOTES["mean"]),
            _row(central, value, time["n"], task=task, low=time["lower"], high=time["upper"], note=NOTES["time"])]


def _overall_rows(overall: dict, completion_note: str) -> list[dict]:
    """Pooled rates and the questionnaire (SUS or UMUX-Lite) mean of the whole iteration."""
    summary = overall["questionnaire"]
    metric = "sus_mean" if summary.get("kind", "sus") == "sus" else "umux_lite_mean"
    return [*_rate_rows(overall, None, completion_note),
            _row(metric, summary["mean"], summary["n"], low=summary["lower"], high=summary["upper"],
                 note=NOTES["mean"])]


def _withhold_small(rows: list[dict], k: int) -> list[dict]:
    """A statistic over fewer than k answers is withheld: value, interval and n empty, 秘匿 = 1."""
    out = []
    for row in rows:
        small = row["回答数"] is not None and 0 < row["回答数"] < k
        hidden = dict.fromkeys(("値", "信頼区間_下限", "信頼区間_上限", "信頼水準", "回答数")) if small else {}
        out.append({**row, **hidden, "秘匿": int(small)})
    return out


def _suppressed_counts(cells: list[dict], k: int, group_cols: list[str] | None = None) -> list[dict]:
    """Count rows through privacy.suppress_small_cells (primary and secondary); 回答数 stays empty."""
    if not cells:
        return []
    frame = pd.DataFrame(cells)
    hidden = suppress_small_cells(frame.drop(columns=["row"]), "値", k, group_cols)
    return [{**cell["row"], "値": None if flag else int(cell["値"]), "秘匿": int(flag)}
            for cell, flag in zip(cells, hidden["suppressed"])]


def _count_cell(metric: str, category: str, code: str, name: str, count: int, task: dict | None = None,
                **keys: Any) -> dict:
    row = _row(metric, count, None, task=task, category=category, code=code, name=name)
    return {"row": row, "値": int(count), **keys}


def participant_rows(participants: int, profile: pd.DataFrame, k: int) -> list[dict]:
    """参加者数 in all, by age band and by municipality (profile columns segment, value, n; value None =
    not answered). Each breakdown sums to the total, so each is suppressed as one group."""
    rows = _suppressed_counts([_count_cell("participants", "", "", "", participants)], k)
    for segment, names in (("age_band", AGE_BANDS), ("municipality", None)):
        part = profile[profile["segment"] == segment]
        counts = {("unknown" if v is None or pd.isna(v) else str(v)): int(n) for v, n in zip(part["value"], part["n"])}
        codes = list(AGE_BANDS) if names else sorted(c for c in counts if c != "unknown") + ["unknown"]
        cells = [_count_cell("participants", segment, code, _category_name(segment, code), counts.get(code, 0))
                 for code in codes]
        rows += _suppressed_counts(cells, k)
    return rows


def _category_name(segment: str, code: str) -> str:
    if segment == "age_band" or code == NOT_ANSWERED:
        return AGE_BANDS.get(code, (code,))[0]
    return municipality_name(code) or ""


def sentiment_rows(report: dict, k: int) -> list[dict]:
    """コメント数 by sentiment label per task, for general comments and in all; per-label totals are
    published, so the per-task cells are suppressed per label (secondary) and the totals as a group."""
    if report["overall"].get("sentiment") is None:
        return []
    cells = []
    for task in report["tasks"]:
        for label, count in (task.get("sentiment") or dict.fromkeys(SENTIMENTS, 0)).items():
            cells.append(_count_cell("comments", "sentiment", label, SENTIMENTS[label][0], count, task, label=label))
    for label, count in (report["overall"].get("general_sentiment") or {}).items():
        row = _count_cell("comments", "sentiment", label, SENTIMENTS[label][0], count, label=label)
        row["row"]["備考"] = "タスクに結びつかないコメント（全体の感想）"
        cells.append(row)
    totals = [_count_cell("comments", "sentiment", label, SENTIMENTS[label][0], count, label=label)
              for label, count in report["overall"]["sentiment"].items()]
    for total in totals:
        total["row"]["備考"] = "すべてのコメント"
    # Each total is its own group: the grand total is not published, so a total needs no complement, and
    # a total below k has only cells below k, which rule 1 already hides.
    return _suppressed_counts(cells, k, ["label"]) + _suppressed_counts(totals, k, ["label"])


def metrics_table(report: dict, info: PackageInfo, profile: pd.DataFrame, k: int, *,
                  withhold_statistics: bool = True) -> pd.DataFrame:
    """The long-format table (JAPAN.md 2.5) in COLUMNS order: overall, per task, sentiment, participants."""
    note = "（難しかったができた、を成功に含む）" if info.partial_counts_as_success else ""
    statistics = _overall_rows(report["overall"], note)
    for task in report["tasks"]:
        statistics += _task_rows(task, note)
    statistics = _withhold_small(statistics, k if withhold_statistics else 1)  # staff copies keep them
    rows = statistics + sentiment_rows(report, k) + participant_rows(report["overall"]["participants"], profile, k)
    shared = {"全国地方公共団体コード": info.lg_code, "地方公共団体名": info.lg_name, "都道府県名": info.pref_name,
              "市区町村名": info.city_name, "部局名": info.department_ja,
              "サービス名": info.service_ja, "版番号": info.iteration_number, "版の名前": info.iteration_label,
              "実施期間_開始日": info.starts_on, "実施期間_終了日": info.ends_on}
    records = [{**shared, "ID": f"{info.iteration_id:06d}{index:04d}", **row} for index, row in enumerate(rows, 1)]
    frame = pd.DataFrame(records, columns=JA_COLUMNS, dtype=object)  # counts stay 10, not 10.0
    for column in ("タスク番号", "版番号", "回答数", "秘匿"):
        frame[column] = frame[column].astype("Int64")
    return frame


def dictionary_table() -> pd.DataFrame:
    """項目定義: Japanese name, ASCII physical name, description (ja, en), type and unit of every column."""
    return data_dictionary([{"name_ja": ja, "name_en": en, "type": kind, "description_ja": d_ja,
                             "description_en": d_en, "unit": unit or None}
                            for ja, en, kind, d_ja, d_en, unit in COLUMNS])


NOT_ANSWERED = "unknown"  # 区分値 of the 回答なし rows (age band and municipality): a code, never a blank
CODE_COLUMNS = ("コード種別", "コード", "名称", "名称（英語）", "単位")


def municipality_codes(frame: pd.DataFrame) -> list[str]:
    """The municipality codes a metrics table uses in 区分値 (回答なし not included), sorted."""
    places = frame.loc[frame["区分名"] == CATEGORIES["municipality"][0], "区分値"].dropna()
    return sorted({code for code in places if code != NOT_ANSWERED})


def code_table(municipalities: Iterable[str] = ()) -> pd.DataFrame:
    """コード表: every code used in 指標コード and 区分値, with Japanese and English names.

    municipalities: the 6-digit codes the table uses (municipality_codes), each listed with its names.
    """
    rows = [("指標コード", code, ja, en, unit) for code, (ja, en, unit) in METRICS.items()]
    rows += [("区分値（年代）", code, ja, en, "") for code, (ja, en) in AGE_BANDS.items()]
    rows += [("区分値（感情）", code, ja, en, "") for code, (ja, en) in SENTIMENTS.items()]
    for code in sorted(set(municipalities)):
        full = lg_code(code)
        if full is None:
            raise ValueError(f"not a 全国地方公共団体コード: {code!r}")
        rows.append(("区分値（市区町村）", full, municipality_name(full) or "", municipality_name(full, "en") or "", ""))
    rows.append(("区分値（市区町村）", NOT_ANSWERED, *AGE_BANDS[NOT_ANSWERED], ""))
    return pd.DataFrame(rows, columns=list(CODE_COLUMNS))


def records(frame: pd.DataFrame) -> list[dict]:
    """The table's rows keyed by the ASCII physical names (for JSON)."""
    return frame.rename(columns=dict(HEADER_PAIRS)).to_dict(orient="records")


PREVIEW_METRICS = ("completion_rate", "inconvenience_rate", "seq_mean", "time_median", "time_geometric_mean",
                   "sus_mean", "umux_lite_mean")


def preview_rows(frame: pd.DataFrame) -> list[dict]:
    """The per-task and overall statistics of the table (no breakdowns), missing values as None, for a page."""
    rows = frame[frame["指標コード"].isin(PREVIEW_METRICS) & frame["区分名"].isna()]
    return [{key: (None if _missing(value) else value) for key, value in row.items()}
            for row in rows.to_dict(orient="records")]


def _missing(value: Any) -> bool:
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False
