"""Reading uploaded spreadsheets: encodings, XLSX, junk, and the row checks (pure, no database)."""
import codecs
import datetime as dt
import io
import zipfile

import pytest
from openpyxl import Workbook

from civictest.importing import rows as import_rows
from civictest.importing import spreadsheets
from civictest.importing.rows import TaskRef, validate_rows
from civictest.importing.spreadsheets import SpreadsheetError, guess_mapping, read_sheet

TASKS = [TaskRef(10, 1, "申込みを完了する", "Apply"), TaskRef(11, 2, "結果を確認する", "Check the result")]
HEADER = ["参加者ID", "タスク番号", "結果", "SEQ", "所要時間_秒", "コメント"]
ROWS = [["P1", "1", "できた", "6", "95", "簡単でした"],
        ["P1", "2", "難しかったができた", "3", "1:30", ""],
        ["P2", "申込みを完了する", "あきらめた", "", "2分5秒", "ボタンが\n見つからない"]]


def csv_text(rows=ROWS, header=HEADER) -> str:
    def quote(cell: str) -> str:
        return '"' + cell.replace('"', '""') + '"' if any(c in cell for c in ',"\n') else cell
    return "".join(",".join(quote(c) for c in row) + "\r\n" for row in [header, *rows])


def xlsx_bytes(rows, header=HEADER) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = "回答"
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    book.create_sheet("メモ").append(["ignored"])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


@pytest.mark.parametrize("encoding, expected", [
    ("utf-8-sig", "utf-8-sig"), ("utf-8", "utf-8"), ("cp932", "cp932"), ("shift_jis", "cp932"), ("utf-16", "utf-16"),
])
def test_every_supported_encoding_reads_the_same_table(encoding, expected):
    text = csv_text()
    if encoding == "utf-16":
        text = text.replace(",", "\t")  # Excel's "Unicode text" is tab separated
    sheet = read_sheet(text.encode(encoding), "results.csv")
    assert sheet.encoding == expected
    assert sheet.headers == tuple(HEADER)
    assert [list(row.cells) for row in sheet.rows] == ROWS
    assert [row.number for row in sheet.rows] == [2, 3, 4]  # a quoted line break stays inside its row


def test_cp932_only_characters_decode():
    # ① and 髙 exist in CP932 (Windows) but not in strict Shift_JIS: Excel writes them anyway.
    raw = csv_text([["P1", "1", "できた", "", "", "①髙橋さんの窓口"]]).encode("cp932")
    assert read_sheet(raw).rows[0].cells[5] == "①髙橋さんの窓口"


def test_bom_is_not_part_of_the_first_header():
    sheet = read_sheet(codecs.BOM_UTF8 + "参加者,タスク,結果\r\nP1,1,できた\r\n".encode())
    assert sheet.headers[0] == "参加者"
    assert guess_mapping(sheet.headers)["participant"] == 0


@pytest.mark.parametrize("raw, code", [
    (b"", "empty"),
    (b"\r\n\r\n  \r\n", "empty"),
    (b"\x00\x01\x02\x03\xff\xfe" * 300, "binary"),
    (bytes(range(256)) * 40, "binary"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600, "xls"),
    (b"PK\x03\x04 not really a zip", "bad_xlsx"),
    ('参加者,結果\r\nP1,"できた\r\n'.encode(), "csv_syntax"),
    (b"\r\n\r\nP1,1,success\r\n", "no_header"),
    ("あ".encode("euc_jp") * 3 + b"\x8e", "encoding"),
])
def test_unreadable_files_say_why(raw, code):
    with pytest.raises(SpreadsheetError) as caught:
        read_sheet(raw, "upload.csv")
    assert caught.value.code == code


def test_random_bytes_are_refused():
    import random

    rng = random.Random(7)
    for _ in range(20):
        junk = bytes(rng.getrandbits(8) for _ in range(4096))
        with pytest.raises(SpreadsheetError):
            read_sheet(junk, "junk.csv")


def test_a_zip_that_is_not_a_workbook_is_refused():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("word/document.xml", "<w/>")
    with pytest.raises(SpreadsheetError) as caught:
        read_sheet(buffer.getvalue(), "report.docx")
    assert caught.value.code == "bad_xlsx"


def test_a_zip_bomb_is_refused_before_parsing(monkeypatch):
    monkeypatch.setattr(spreadsheets, "MAX_XLSX_UNCOMPRESSED", 1_000_000)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", "0" * 2_000_000)
    assert len(buffer.getvalue()) < 50_000
    with pytest.raises(SpreadsheetError) as caught:
        read_sheet(buffer.getvalue(), "bomb.xlsx")
    assert caught.value.code == "too_large"


_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    '<Override PartName="/{strings}" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
    '</Types>')
_RELS = ('<?xml version="1.0" encoding="UTF-8"?>'
         '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
         '<Relationship Id="rId1" Target="xl/workbook.xml" '
         'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"/>'
         '</Relationships>')
_WORKBOOK = ('<?xml version="1.0" encoding="UTF-8"?>'
             '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
             'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
             '<sheets><sheet name="回答" sheetId="1" r:id="rId1"/></sheets></workbook>')
_WORKBOOK_RELS = ('<?xml version="1.0" encoding="UTF-8"?>'
                  '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
                  '<Relationship Id="rId1" Target="worksheets/sheet1.xml" '
                  'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet"/>'
                  '<Relationship Id="rId2" Target="/{strings}" '
                  'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings"/>'
                  '</Relationships>')
_SHEET = ('<?xml version="1.0" encoding="UTF-8"?>'
          '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
          '<row r="1"><c r="A1" t="s"><v>0</v></c></row></sheetData></worksheet>')


def shared_strings_bomb(count: int, strings: str = "xl/sharedStrings.xml") -> bytes:
    """A tiny sheet plus `count` shared strings <si><t>a</t></si>, written by hand and compressed (issue 17)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", _CONTENT_TYPES.format(strings=strings))
        archive.writestr("_rels/.rels", _RELS)
        archive.writestr("xl/workbook.xml", _WORKBOOK)
        archive.writestr("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS.format(strings=strings))
        archive.writestr("xl/worksheets/sheet1.xml", _SHEET)
        archive.writestr(strings, b'<?xml version="1.0" encoding="UTF-8"?>'
                         b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
                         + b"<si><t>a</t></si>" * count + b"</sst>")
    return buffer.getvalue()


@pytest.fixture
def parser_must_not_run(monkeypatch):
    """openpyxl.load_workbook fails the test if it is called: the bomb must be refused before parsing."""
    import openpyxl

    def refuse(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        raise AssertionError("the workbook reached openpyxl")

    monkeypatch.setattr(openpyxl, "load_workbook", refuse)


def test_the_hand_built_workbook_is_a_real_workbook():
    sheet = read_sheet(shared_strings_bomb(1), "small.xlsx")
    assert sheet.headers == ("a",)


def test_a_shared_strings_bomb_is_refused_before_parsing(parser_must_not_run):
    raw = shared_strings_bomb(4_000_000)
    assert len(raw) < 400_000  # about 175 kB on the wire, 68 MB of XML inside
    with pytest.raises(SpreadsheetError) as caught:
        read_sheet(raw, "bomb.xlsx")
    assert caught.value.code == "too_large"


def test_too_many_shared_strings_are_counted_without_building_them(parser_must_not_run):
    limits = spreadsheets.xlsx_limits(spreadsheets.DEFAULT_MAX_UPLOAD)
    raw = shared_strings_bomb(limits["shared_strings"] + 1, strings="xl/elsewhere/words.xml")
    with pytest.raises(SpreadsheetError) as caught:
        read_sheet(raw, "bomb.xlsx")
    assert caught.value.code == "too_many_strings" and caught.value.detail == "500,000"


def test_limits_follow_the_largest_upload(parser_must_not_run):
    raw = shared_strings_bomb(200_000)  # 3.4 MB of XML: fine for 20 MB uploads, not for 100 kB ones
    with pytest.raises(SpreadsheetError) as caught:
        read_sheet(raw, "bomb.xlsx", max_upload=100_000)
    assert caught.value.code == "too_large"


def test_cells_are_counted_while_streaming(monkeypatch):
    monkeypatch.setattr(spreadsheets, "CELLS_PER_ROW", 2)
    monkeypatch.setattr(spreadsheets, "MAX_ROWS", 3)
    raw = xlsx_bytes([["P1", "1", "できた", "", "", ""], ["P2", "1", "できた", "", "", ""]])
    with pytest.raises(SpreadsheetError) as caught:
        read_sheet(raw, "wide.xlsx")
    assert caught.value.code == "too_many_cells" and caught.value.detail == "6"


def test_too_many_rows_are_refused(monkeypatch):
    monkeypatch.setattr(spreadsheets, "MAX_ROWS", 10)
    raw = csv_text([["P%d" % i, "1", "できた", "", "", ""] for i in range(11)]).encode()
    with pytest.raises(SpreadsheetError) as caught:
        read_sheet(raw)
    assert caught.value.code == "too_many_rows"


def test_xlsx_reads_the_first_sheet_with_typed_cells():
    raw = xlsx_bytes([["P1", 1, "できた", 6, 95.5, "よい"], ["P2", 2, "failure", 2.0, dt.time(0, 1, 30), None]])
    sheet = read_sheet(raw, "回答.xlsx")
    assert (sheet.kind, sheet.sheet_name, sheet.other_sheets) == ("xlsx", "回答", ("メモ",))
    rows, problems = validate_rows(sheet, guess_mapping(sheet.headers), TASKS)
    assert problems == []
    assert [(r.participant, r.task_id, r.outcome, r.seq, r.seconds) for r in rows] == [
        ("P1", 10, "success", 6, 95.5), ("P2", 11, "failure", 2, 90.0)]


def test_xlsx_formulas_are_never_evaluated():
    book = Workbook()
    book.active.append(["参加者", "タスク", "結果", "コメント"])
    book.active.append(["P1", 1, "=IF(TRUE,\"できた\")", "=HYPERLINK(\"http://evil\")"])
    buffer = io.BytesIO()
    book.save(buffer)
    sheet = read_sheet(buffer.getvalue(), "f.xlsx")
    # openpyxl stores no cached result, so the formula cell reads as empty: the outcome is missing.
    _, problems = validate_rows(sheet, guess_mapping(sheet.headers), TASKS)
    assert [(p.row, p.field, p.code) for p in problems] == [(2, "outcome", "required")]


def test_headers_in_english_and_japanese_are_recognised():
    assert guess_mapping(("Participant ID", "Task", "Outcome", "SEQ", "Time on task (s)", "Comment")) == {
        "participant": 0, "task": 1, "outcome": 2, "seq": 3, "seconds": 4, "comment": 5,
        "source": None, "age_band": None, "municipality": None}
    guessed = guess_mapping(("タイムスタンプ", "回答者", "タスク名", "結果", "ご意見", "年代", "お住まいの市区町村"))
    assert guessed["participant"] == 1 and guessed["task"] == 2 and guessed["outcome"] == 3
    assert guessed["comment"] == 4 and guessed["age_band"] == 5 and guessed["municipality"] == 6


def test_every_row_problem_is_listed_with_its_row_number():
    rows = ROWS + [["", "9", "maybe", "8", "-3", ""], ["P3", "T2", "ＳＵＣＣＥＳＳ", "７", "0:00:40", ""],
                   ["P1", "1", "できた", "5", "", ""]]
    sheet = read_sheet(csv_text(rows).encode())
    parsed, problems = validate_rows(sheet, guess_mapping(sheet.headers), TASKS)
    assert [(p.row, p.field, p.code) for p in problems] == [
        (5, "participant", "required"), (5, "task", "unknown_task"), (5, "outcome", "unknown_outcome"),
        (5, "seq", "bad_seq"), (5, "seconds", "bad_seconds"), (7, "task", "duplicate")]
    assert problems[-1].value == "2"  # the row it duplicates
    assert [(r.row, r.outcome, r.seq, r.seconds) for r in parsed if r.row == 6] == [(6, "success", 7, 40.0)]


def test_custom_outcome_words_and_profile_fields():
    header = ["id", "task", "result", "age", "municipality", "source"]
    rows = [["a", "Apply", "OK!", "30代", "江東区", "本人"], ["a", "2", "NG", "30代", "131083", "観察者"],
            ["b", "1", "OK", "80+", "13108", ""], ["b", "2", "OK", "20s", "", ""]]
    sheet = read_sheet(csv_text(rows, header).encode())
    mapping = guess_mapping(sheet.headers)
    parsed, problems = validate_rows(sheet, mapping, TASKS, {"ok": "success", "ng": "failure"})
    assert [(p.row, p.field, p.code) for p in problems] == [(5, "age_band", "profile_conflict")]
    assert [(r.outcome, r.source, r.age_band, r.municipality) for r in parsed] == [
        ("success", "self", "30s", "131083"), ("failure", "observer", "30s", "131083"),
        ("success", "self", "80_plus", "131083"), ("success", "self", "20s", None)]


def test_mapping_problems_are_reported_before_rows():
    sheet = read_sheet(csv_text().encode())
    _, problems = validate_rows(sheet, {"participant": 0, "task": 0, "outcome": None}, TASKS)
    assert [(p.field, p.code) for p in problems] == [("outcome", "unmapped"), ("task", "mapped_twice")]
    _, problems = validate_rows(sheet, {"participant": 0, "task": 1, "outcome": 99}, TASKS)
    assert [(p.field, p.code) for p in problems] == [("outcome", "no_such_column")]


def test_extra_cells_and_long_comments_are_problems():
    long = "あ" * 2001
    rows = [["P1", "1", "できた", "", "", long], ["P2", "1", "できた", "", "", "", "はみ出し"]]
    sheet = read_sheet(csv_text(rows).encode())
    _, problems = validate_rows(sheet, guess_mapping(sheet.headers), TASKS)
    assert [(p.row, p.field, p.code) for p in problems] == [(2, "comment", "too_long"), (3, None, "extra_cells")]


@pytest.mark.parametrize("text, seconds", [
    ("95", 95.0), ("95.5", 95.5), ("1:35", 95.0), ("0:01:35", 95.0), ("1分35秒", 95.0), ("２分", 120.0),
    ("1時間", 3600.0), ("35秒", 35.0),
])
def test_durations(text, seconds):
    assert import_rows._seconds(text) == seconds


@pytest.mark.parametrize("text", ["0", "-1", "abc", "7時間", "1:2:3:4", "nan", "inf"])
def test_bad_durations(text):
    with pytest.raises(import_rows._RowError):
        import_rows._seconds(text)


def test_a_stray_far_right_cell_does_not_blow_up_an_xlsx():
    book = Workbook()
    book.active.append(["参加者", "タスク", "結果"])
    book.active.append(["P1", 1, "できた"])
    book.active["XFD2"] = "遠くのセル"
    buffer = io.BytesIO()
    book.save(buffer)
    sheet = read_sheet(buffer.getvalue(), "wide.xlsx")
    assert sheet.headers == ("参加者", "タスク", "結果") and len(sheet.rows[0].cells) == 3


def test_a_csv_row_with_thousands_of_cells_is_refused():
    with pytest.raises(SpreadsheetError) as caught:
        read_sheet(("参加者,タスク,結果\r\n" + "," * 5000 + "\r\n").encode())
    assert caught.value.code == "too_many_columns"
