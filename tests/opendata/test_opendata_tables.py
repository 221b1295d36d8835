"""The open-data table (pure): long format, suppression (primary and secondary), blanks, codes, metadata."""
import datetime as dt
import io
import json

import pandas as pd
import pytest

from civictest.exporting import metadata, opendata
from civictest.analysis.report import IterationData, iteration_report
from civictest.exporting.writers import to_csv_bytes, to_json_bytes

INFO = opendata.PackageInfo(
    12, "子ども家庭部", "保育園入園申請", 2, "改善版", dt.date(2026, 10, 1), dt.date(2026, 10, 14), "13108",
    department_en="Children's Department", service_en="Nursery application", published_at=dt.datetime(2026, 11, 1, 9),
    instrument_id="sus-ja-A",
)


def report(task2_attempts=(("success", False, 3), ("abandoned", False, 1))) -> dict:
    tasks = pd.DataFrame({"task_id": [1, 2], "position": [1, 2], "title_ja": ["申込む", "確認する"],
                          "title_en": ["Apply", "Check"]})
    rows = [(1, "success", False, 20), (1, "success", True, 3), (1, "failure", False, 4)]
    rows += [(2, o, h, n) for o, h, n in task2_attempts]
    counts = pd.DataFrame(rows, columns=["task_id", "outcome", "hard", "n"]).assign(source="self")
    seq = pd.DataFrame({"task_id": [1, 1, 2], "seq": [6, 3, 5], "n": [20, 3, 3]})
    times = pd.DataFrame({"task_id": [1] * 23 + [2] * 3, "outcome": "success",
                          "seconds": [60.0 + i for i in range(26)]})
    sus = pd.DataFrame({"score": [70.0, 80.0, 65.0, 90.0, 72.5, 55.0]})
    sentiment = pd.DataFrame({"task_id": [1, 1, 2, None], "label": ["positive", "negative", "negative", "neutral"],
                              "n": [10, 2, 1, 6]})
    return iteration_report(IterationData(tasks, counts, seq, times, sus, sentiment), participants=27)


PROFILE = pd.DataFrame({
    "segment": ["age_band"] * 4 + ["municipality"] * 4,
    "value": ["30s", "40s", "70s", None, "131083", "131016", "132012", None],
    "n": [10, 9, 3, 5, 12, 8, 2, 5],
})


def table(k=5, **kwargs):
    return opendata.metrics_table(report(**kwargs), INFO, PROFILE, k)


def cell(frame, metric, task=None, category_code=None, note_contains=None):
    rows = frame[frame["指標コード"] == metric]
    rows = rows[rows["タスク番号"].isna()] if task is None else rows[rows["タスク番号"] == task]
    if category_code is None:
        rows = rows[rows["区分名"].isna()]
    else:
        rows = rows[rows["区分値"].fillna("") == category_code]
    if note_contains is not None:
        rows = rows[rows["備考"].fillna("").str.contains(note_contains)]
    assert len(rows) == 1, rows
    return rows.iloc[0]


def test_long_format_with_one_header_row_and_japanese_names():
    frame = table()
    assert list(frame.columns) == opendata.JA_COLUMNS
    row = cell(frame, "completion_rate", task=1)
    assert (row["値"], row["信頼区間_下限"], row["信頼区間_上限"], row["回答数"]) == (0.8519, 0.669, 0.947, 27)
    assert (row["単位"], row["信頼水準"], row["秘匿"]) == ("割合", 0.95, 0)
    assert row["全国地方公共団体コード"] == "131083" and row["地方公共団体名"] == "江東区"
    assert (row["都道府県名"], row["市区町村名"]) == ("東京都", "江東区")
    assert list(frame.columns[:5]) == ["全国地方公共団体コード", "ID", "地方公共団体名", "都道府県名", "市区町村名"]
    assert frame["ID"].is_unique and frame["ID"].str.fullmatch(r"\d{10}").all()
    assert cell(frame, "sus_mean")["値"] == 72.08


def test_statistics_over_fewer_than_k_answers_are_withheld_as_blanks():
    frame = table()
    for metric in ("completion_rate", "inconvenience_rate", "seq_mean", "time_geometric_mean"):
        row = cell(frame, metric, task=2)  # 4 attempts, k = 5
        assert row["秘匿"] == 1 and pd.isna(row["値"]) and pd.isna(row["回答数"]) and pd.isna(row["信頼区間_下限"])
    assert cell(table(k=4), "completion_rate", task=2)["値"] == 0.75


def test_age_band_suppression_is_primary_and_secondary():
    frame = table()
    ages = frame[frame["区分名"] == "年代"].set_index(frame[frame["区分名"] == "年代"]["区分値名称"])
    # 70代 (3) is below k; alone it could be recovered from the total 27, so the next smallest (回答なし, 5) goes too.
    assert ages.loc["70代", "秘匿"] == 1 and pd.isna(ages.loc["70代", "値"])
    assert ages.loc["回答なし", "秘匿"] == 1 and pd.isna(ages.loc["回答なし", "値"])
    assert ages.loc["30代", "値"] == 10 and ages.loc["40代", "値"] == 9
    assert ages.loc["50代", "値"] == 0 and ages.loc["50代", "秘匿"] == 0  # zero describes no one
    visible = ages[ages["秘匿"] == 0]["値"].sum()
    assert 27 - visible >= 5  # what is hidden is at least k people together
    assert cell(frame, "participants")["値"] == 27


def test_municipalities_are_six_digit_codes_with_names_in_their_own_cells():
    frame = table()
    places = frame[frame["区分名"] == "市区町村"]
    assert places["区分値"].tolist() == ["131016", "131083", "132012", "unknown"]  # 回答なし has a code too
    assert places["区分値名称"].tolist() == ["千代田区", "江東区", "八王子市", "回答なし"]
    hidden = places[places["秘匿"] == 1]["区分値名称"].tolist()
    assert hidden == ["八王子市", "回答なし"]  # 2 is primary, 回答なし (5) the complement


def test_sentiment_counts_are_suppressed_per_label_and_never_carry_text():
    frame = table()
    assert cell(frame, "comments", task=1, category_code="positive")["値"] == 10
    assert cell(frame, "comments", task=1, category_code="negative")["秘匿"] == 1
    assert cell(frame, "comments", task=2, category_code="negative")["秘匿"] == 1
    total = cell(frame, "comments", category_code="negative", note_contains="すべて")
    assert total["秘匿"] == 1  # 3 negative comments in all: below k
    assert cell(frame, "comments", category_code="neutral", note_contains="すべて")["値"] == 6
    text_columns = frame.select_dtypes(include="object").astype(str)
    assert not text_columns.apply(lambda c: c.str.contains("ボタン|わかり|電話")).any().any()


def test_csv_blank_never_means_zero_and_starts_with_the_header():
    raw = to_csv_bytes(table())
    assert raw.startswith("\ufeff全国地方公共団体コード,ID,".encode("utf-8"))
    parsed = pd.read_csv(io.BytesIO(raw), encoding="utf-8-sig", dtype=str, keep_default_na=False)
    hidden = parsed[parsed["秘匿"] == "1"]
    assert (hidden["値"] == "").all()
    zero = parsed[(parsed["区分値名称"] == "50代")]
    assert zero["値"].tolist() == ["0"]
    assert parsed.loc[parsed["指標コード"] == "participants", "値"].iloc[0] == "27"  # not 27.0
    assert b"\r\n" in raw


def test_records_use_ascii_physical_names_for_json():
    data = json.loads(to_json_bytes(opendata.records(table())))
    assert set(data[0]) == {en for _, en in opendata.HEADER_PAIRS}
    assert all(name.isascii() for name in data[0])


def test_dictionary_and_code_table_cover_every_column_and_code():
    dictionary = opendata.dictionary_table()
    assert dictionary["項目名"].tolist() == opendata.JA_COLUMNS
    assert dictionary["物理名"].str.fullmatch(r"[a-z_]+").all()
    frame = table()
    assert opendata.municipality_codes(frame) == ["131016", "131083", "132012"]
    codes = opendata.code_table(opendata.municipality_codes(frame))
    assert set(frame["指標コード"]) <= set(codes["コード"])
    assert set(frame["区分値"].dropna()) <= set(codes["コード"])  # every code, municipalities and 回答なし too
    assert not codes["コード"].str.contains("（").any()  # real codes, no placeholders
    places = codes[codes["コード種別"] == "区分値（市区町村）"].set_index("コード")
    assert places.loc["131016", "名称"] == "千代田区" and places.loc["132012", "名称"] == "八王子市"
    assert places.loc["131083", "名称（英語）"] == "Koto City" and places.loc["unknown", "名称"] == "回答なし"
    assert not codes.duplicated(["コード種別", "コード"]).any()
    with pytest.raises(ValueError):
        opendata.code_table(["131080"])  # a wrong check digit is an error, not a silent gap


def _info(code):
    return opendata.PackageInfo(12, "子ども家庭部", "保育園入園申請", 2, "改善版", publisher_code=code)


def test_prefecture_and_municipality_names_come_from_the_code():
    assert (_info("131083").pref_name, _info("131083").city_name) == ("東京都", "江東区")
    assert (_info("13108").lg_code, _info("13108").lg_name) == ("131083", "江東区")  # 5-digit JIS code
    assert (_info("130001").pref_name, _info("130001").city_name) == ("東京都", None)  # 都道府県は記載不要
    assert (_info("011011").pref_name, _info("011011").city_name) == ("北海道", "札幌市中央区")  # leading zero
    frame = opendata.metrics_table(report(), _info(None), PROFILE, 5)
    empty = frame[["全国地方公共団体コード", "地方公共団体名", "都道府県名", "市区町村名"]]
    assert empty.isna().all().all()  # no code configured: blank, never a guess


def test_a_wrong_check_digit_is_an_error_not_a_silent_blank():
    with pytest.raises(ValueError, match="check digit"):
        _info("131080").lg_code
    with pytest.raises(ValueError):
        opendata.metrics_table(report(), _info("131080"), PROFILE, 5)


def test_metadata_names_licence_attribution_period_and_rule():
    meta = json.loads(to_json_bytes(metadata.metadata(INFO, 5, [{"format": "CSV", "url": "/x.csv"}])))
    assert meta["license"]["id"] == "CC-BY-4.0"
    assert meta["attribution"]["ja"].startswith("出典：江東区子ども家庭部「保育園入園申請 ユーザーテスト結果（第2版）」")
    assert meta["publisher"]["name_en"] == "Children's Department, Koto City"
    assert meta["temporal"] == {"start": "2026-10-01", "end": "2026-10-14"} and meta["issued"] == "2026-11-01"
    assert meta["encoding"] == "UTF-8 (BOM付き)" and meta["suppression"]["k"] == 5
    assert [c["name_en"] for c in meta["columns"]][:3] == ["lg_code", "id", "lg_name"]
    assert "sus-ja-A" in meta["method"]["ja"]


@pytest.mark.parametrize("k", [1, 3, 5, 10])
def test_no_hidden_age_cell_can_be_recovered_from_the_total(k):
    frame = table(k=k)
    ages = frame[frame["区分名"] == "年代"]
    hidden = ages[ages["秘匿"] == 1]
    if len(hidden):
        assert len(hidden) >= 2
        assert 27 - ages[ages["秘匿"] == 0]["値"].sum() >= k
