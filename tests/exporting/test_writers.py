"""Tests for civictest.exporting.writers: safe_cell and the CSV / XLSX / JSON writers."""
from __future__ import annotations

import csv
import datetime as dt
import io
import json
from decimal import Decimal

import numpy as np
import openpyxl
import pandas as pd
import pytest

from civictest.exporting.writers import (
    DICTIONARY_COLUMNS,
    FORMULA_TRIGGERS,
    data_dictionary,
    safe_cell,
    to_csv_bytes,
    to_json_bytes,
    to_xlsx_bytes,
)

# --- safe_cell -------------------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=1+2", "'=1+2"),
        ("+81 3 1234", "'+81 3 1234"),
        ("-5", "'-5"),  # text stays text: only the type decides
        ("@SUM(A1:A9)", "'@SUM(A1:A9)"),
        ("\tcmd", "'\tcmd"),
        ("\rcmd", "'\rcmd"),
        ("\0=1", "'\0=1"),
        ("=HYPERLINK(\"http://x\",\"x\")", "'=HYPERLINK(\"http://x\",\"x\")"),
        ("  =1+2", "'  =1+2"),
        ("＝1+2", "'＝1+2"),
        ("＠SUM", "'＠SUM"),
        ("\u3000－1", "'\u3000－1"),
        ("ふつうの文章", "ふつうの文章"),
        ("a=b", "a=b"),
        ("1-2-3", "1-2-3"),
        ("", ""),
        ("'quoted", "'quoted"),
    ],
)
def test_safe_cell_text(value: str, expected: str) -> None:
    assert safe_cell(value) == expected


@pytest.mark.parametrize(
    "value",
    [0, -3, 7, -0.12, 0.5, np.int64(-4), np.int32(2), np.float64(-0.25), np.float32(1.5), Decimal("-0.1200")],
)
def test_safe_cell_numbers_stay_numbers(value: object) -> None:
    result = safe_cell(value)
    assert result == value
    assert not isinstance(result, str)
    assert type(result) in (int, float, Decimal)


@pytest.mark.parametrize(
    "value", [None, float("nan"), np.nan, pd.NA, pd.NaT, np.datetime64("NaT"), float("inf"), Decimal("NaN")]
)
def test_safe_cell_missing_is_empty_never_zero(value: object) -> None:
    assert safe_cell(value) is None


def test_safe_cell_bools_dates_and_other_types() -> None:
    assert safe_cell(True) is True and safe_cell(np.bool_(False)) is False
    assert safe_cell(dt.date(2026, 11, 26)) == dt.date(2026, 11, 26)
    assert safe_cell(pd.Timestamp("2026-11-26 10:30")) == pd.Timestamp("2026-11-26 10:30")
    assert safe_cell(np.datetime64("2026-11-26")) == pd.Timestamp("2026-11-26")
    assert safe_cell(["=x"]) == "['=x']"
    assert safe_cell(b"=1") == "'=1"


# --- CSV -------------------------------------------------------------------------------------------

@pytest.fixture
def frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "タスク名": ["申込みを完了する", "=1+2", 'say "hi", then\r\nleave', "@SUM(A1)", None],
            "差": [-0.5, 0.8, -0.12, np.nan, 3.0],
            "回答数": pd.array([10, 3, None, 7, 0], dtype="Int64"),
            "実施日": pd.to_datetime(["2026-10-01", "2026-10-02", None, "2026-10-04", "2026-10-05"]),
            "-備考": ["+81", "普通", "", "\tタブ", "-"],
        }
    )


def test_csv_bytes_have_bom_crlf_and_one_header_row(frame: pd.DataFrame) -> None:
    data = to_csv_bytes(frame)
    assert data.startswith(b"\xef\xbb\xbf")
    assert not data[3:].startswith(b"\xef\xbb\xbf")
    text = data.decode("utf-8-sig")
    assert text.endswith("\r\n")
    assert text.split("\r\n")[0] == "タスク名,差,回答数,実施日,'-備考"
    assert "\n" not in text.replace("\r\n", "")  # every line end is CRLF
    assert text.count("\r\n") == 1 + len(frame) + 1  # header, rows, one line break inside a quoted cell


def test_csv_round_trip_with_pandas(frame: pd.DataFrame) -> None:
    back = pd.read_csv(io.BytesIO(to_csv_bytes(frame)), encoding="utf-8-sig", keep_default_na=False, na_values=[""])
    assert back.columns.tolist() == ["タスク名", "差", "回答数", "実施日", "'-備考"]
    assert back["タスク名"].tolist()[:4] == ["申込みを完了する", "'=1+2", 'say "hi", then\r\nleave', "'@SUM(A1)"]
    assert pd.isna(back["タスク名"][4])
    assert pd.api.types.is_float_dtype(back["差"])
    assert back["差"].tolist()[:3] == [-0.5, 0.8, -0.12] and pd.isna(back["差"][3])
    assert back["回答数"].tolist()[0] == 10 and pd.isna(back["回答数"][2]) and back["回答数"][4] == 0
    assert back["実施日"].tolist()[0] == "2026-10-01"
    assert back["'-備考"].tolist()[:2] == ["'+81", "普通"] and back["'-備考"][3] == "'\tタブ"


def test_csv_round_trip_with_csv_module(frame: pd.DataFrame) -> None:
    text = to_csv_bytes(frame).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text, newline="")))
    assert len(rows) == 1 + len(frame)
    assert rows[1] == ["申込みを完了する", "-0.5", "10", "2026-10-01", "'+81"]
    assert rows[3][0] == 'say "hi", then\r\nleave'
    assert rows[3][1:4] == ["-0.12", "", ""]  # missing is blank, never 0
    assert rows[5][2] == "0"  # a real zero stays 0
    numeric = {"差", "回答数"}
    for row in rows:
        for header, cell in zip(rows[0], row):
            if header not in numeric:
                assert not cell.startswith(FORMULA_TRIGGERS), (header, cell)


def test_csv_english_header_row_and_column_selection(frame: pd.DataFrame) -> None:
    columns = [("回答数", "n"), ("タスク名", "task_name"), ("差", "-difference")]
    text = to_csv_bytes(frame, columns=columns, english_header_row=True).decode("utf-8-sig")
    lines = text.split("\r\n")
    assert lines[0] == "回答数,タスク名,差"
    assert lines[1] == "n,task_name,'-difference"
    assert lines[2] == "10,申込みを完了する,-0.5"
    one_row = to_csv_bytes(frame, columns=columns).decode("utf-8-sig").split("\r\n")
    assert one_row[0] == "回答数,タスク名,差" and one_row[1].startswith("10,")


def test_csv_argument_errors(frame: pd.DataFrame) -> None:
    with pytest.raises(ValueError):
        to_csv_bytes(frame, english_header_row=True)
    with pytest.raises(KeyError):
        to_csv_bytes(frame, columns=[("無い列", "missing")])


def test_csv_of_empty_frame_is_just_the_header() -> None:
    assert to_csv_bytes(pd.DataFrame(columns=["a", "=b"])) == "\ufeffa,'=b\r\n".encode()


def test_csv_keeps_datetimes_and_timezones_in_iso_8601() -> None:
    stamps = pd.to_datetime(["2026-11-26 10:30"]).tz_localize("Asia/Tokyo")
    text = to_csv_bytes(pd.DataFrame({"at": stamps, "naive": pd.to_datetime(["2026-11-26 10:30"])}))
    assert text.decode("utf-8-sig").split("\r\n")[1] == "2026-11-26T10:30:00+09:00,2026-11-26T10:30:00"


# --- XLSX ------------------------------------------------------------------------------------------

def _load(data: bytes) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(data))


def test_xlsx_text_reads_exactly_as_written_and_is_never_a_formula(frame: pd.DataFrame) -> None:
    sheet = _load(to_xlsx_bytes({"結果": frame}))["結果"]
    rows = list(sheet.iter_rows())
    assert [cell.value for cell in rows[0]] == ["タスク名", "差", "回答数", "実施日", "-備考"]
    assert rows[2][0].value == "=1+2" and rows[2][0].data_type == "s"  # no ' for Excel to show
    assert rows[4][0].value == "@SUM(A1)" and rows[5][4].value == "-"
    assert rows[1][4].value == "+81" and rows[4][4].value == "\tタブ"
    assert rows[1][1].value == -0.5 and rows[1][1].data_type == "n"
    assert rows[1][2].value == 10 and rows[1][2].data_type == "n"
    assert rows[1][3].is_date and rows[1][3].value == dt.datetime(2026, 10, 1)
    assert rows[3][0].value == 'say "hi", then\nleave'  # XML normalises CRLF inside a cell to LF
    assert rows[3][2].value is None and rows[4][1].value is None  # blank, never 0
    assert rows[5][2].value == 0
    for row in rows:
        for cell in row:
            assert cell.data_type != "f"
            if isinstance(cell.value, str):
                assert cell.data_type == "s" and not cell.value.startswith("'")


def test_xlsx_text_cells_are_inline_strings_in_the_sheet_xml() -> None:
    """What Excel reads: every text cell is t="inlineStr" and no cell has an <f> element."""
    import zipfile

    texts = ["=1+2", "=HYPERLINK(\"http://x\",\"x\")", "+81 3", "-1〜1", "@SUM(A1)", "＝1", "ふつう"]
    data = to_xlsx_bytes({"s": pd.DataFrame({"=head": texts, "n": range(len(texts))})})
    with zipfile.ZipFile(io.BytesIO(data)) as book:
        xml = book.read("xl/worksheets/sheet1.xml").decode("utf-8")
    assert "<f>" not in xml and "<f " not in xml
    assert xml.count('t="inlineStr"') == len(texts) + 2  # the data and both headers
    sheet = _load(data)["s"]
    assert [sheet.cell(row, 1).value for row in range(2, len(texts) + 2)] == texts
    assert sheet["A1"].value == "=head" and sheet["B2"].value == 0 and sheet["B2"].data_type == "n"


def test_plain_cell_is_safe_cell_without_the_prefix() -> None:
    from civictest.exporting.writers import plain_cell

    assert plain_cell("=1+2") == "=1+2" and safe_cell("=1+2") == "'=1+2"
    assert plain_cell(b"=1") == "=1" and plain_cell(["=x"]) == "['=x']"
    assert plain_cell(np.int64(-4)) == -4 and plain_cell(float("nan")) is None


def test_xlsx_sheet_names_follow_excel_rules() -> None:
    small = pd.DataFrame({"a": [1]})
    long_name = "とても長いシート名" * 5
    names = _load(
        to_xlsx_bytes({long_name: small, long_name + "2": small, "a/b:c?[d]*": small, "'quoted'": small, "": small})
    ).sheetnames
    assert all(len(name) <= 31 for name in names)
    assert len({name.casefold() for name in names}) == len(names)
    assert names[0] == long_name[:31]
    assert names[1].endswith(" (2)")
    assert names[2] == "a_b_c__d__"
    assert names[3] == "quoted" and names[4] == "Sheet"


def test_xlsx_handles_illegal_characters_timezones_and_empty_input() -> None:
    frame = pd.DataFrame(
        {"text": ["\0=1", "bell\x07"], "at": pd.to_datetime(["2026-11-26 10:30"] * 2).tz_localize("Asia/Tokyo")}
    )
    sheet = _load(to_xlsx_bytes({"s": frame}))["s"]
    assert sheet["A2"].value == "\ufffd=1" and sheet["A3"].value == "bell\ufffd"
    assert sheet["B2"].value == "2026-11-26T10:30:00+09:00"
    with pytest.raises(ValueError):
        to_xlsx_bytes({})


# --- JSON ------------------------------------------------------------------------------------------

def test_json_converts_nan_numpy_dates_and_keeps_japanese() -> None:
    payload = {
        "タスク": "申込み",
        "n": np.int64(7),
        "rate": np.float64(0.8),
        "missing": float("nan"),
        "na": pd.NA,
        "flag": np.bool_(True),
        "date": dt.date(2026, 11, 26),
        "at": pd.Timestamp("2026-11-26 10:30", tz="Asia/Tokyo"),
        "dec": Decimal("0.8000"),
        "whole": Decimal("12"),
        "array": np.array([1, 2]),
        3: "int key",
    }
    data = to_json_bytes(payload)
    assert "申込み".encode() in data  # not \u escaped
    assert json.loads(data) == {
        "タスク": "申込み",
        "n": 7,
        "rate": 0.8,
        "missing": None,
        "na": None,
        "flag": True,
        "date": "2026-11-26",
        "at": "2026-11-26T10:30:00+09:00",
        "dec": 0.8,
        "whole": 12,
        "array": [1, 2],
        "3": "int key",
    }


def test_json_of_frames_and_series() -> None:
    frame = pd.DataFrame(
        {"n": pd.array([1, None], dtype="Int64"), "d": pd.to_datetime(["2026-11-26", None]), "x": [np.nan, 2.5]}
    )
    assert json.loads(to_json_bytes(frame)) == [
        {"n": 1, "d": "2026-11-26", "x": None},
        {"n": None, "d": None, "x": 2.5},
    ]
    assert json.loads(to_json_bytes(pd.Series([1.0, np.nan]))) == [1.0, None]
    assert json.loads(to_json_bytes(pd.Series({"a": np.int64(1)}))) == {"a": 1}
    assert b"NaN" not in to_json_bytes({"v": [np.nan, float("inf")]})


def test_json_leaves_text_unprefixed_and_rejects_unknown_types() -> None:
    assert json.loads(to_json_bytes({"t": "=1+2"})) == {"t": "=1+2"}
    with pytest.raises(TypeError):
        to_json_bytes({"o": object()})


# --- data dictionary -------------------------------------------------------------------------------

def test_data_dictionary_rows_and_csv_with_english_headers() -> None:
    table = data_dictionary(
        [
            {"name_ja": "全国地方公共団体コード", "name_en": "lg_code", "type": "string", "description_ja": "6桁"},
            {"name_ja": "値", "name_en": "value", "type": "number", "unit": "割合", "description_en": "Rate"},
        ]
    )
    assert table.columns.tolist() == [ja for ja, _ in DICTIONARY_COLUMNS]
    assert table.iloc[0].tolist()[:3] == ["全国地方公共団体コード", "lg_code", "6桁"]
    assert pd.isna(table.iloc[0]["単位"]) and table.iloc[1]["単位"] == "割合"
    lines = to_csv_bytes(table, columns=list(DICTIONARY_COLUMNS), english_header_row=True).decode("utf-8-sig")
    assert lines.split("\r\n")[:2] == [
        "項目名,物理名,説明,説明（英語）,型,単位",
        "name_ja,name_en,description_ja,description_en,type,unit",
    ]


@pytest.mark.parametrize(
    "columns",
    [
        [{"name_ja": "値", "name_en": "値", "type": "number"}],
        [{"name_ja": "値", "name_en": "value"}],
        [{"name_ja": "値", "name_en": "value", "type": "number", "units": "%"}],
        [{"name_ja": "値", "name_en": "value", "type": "number"}, {"name_ja": "値2", "name_en": "value", "type": "x"}],
    ],
)
def test_data_dictionary_rejects_bad_specs(columns: list[dict]) -> None:
    with pytest.raises(ValueError):
        data_dictionary(columns)
