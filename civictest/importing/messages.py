"""The wording of the spreadsheet import, in the page language: field and outcome labels, file errors and
row problems. Shared by the import pages (civictest.manage) and the CLI's `import`."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from civictest.importing.spreadsheets import Problem, SpreadsheetError
from civictest.services.imports import ImportPlan

FIELD_LABELS = {
    "participant": _l("参加者（同じ値の行は同じ人）"),
    "task": _l("タスク（番号または名前）"),
    "outcome": _l("結果"),
    "seq": _l("簡単さ（SEQ 1〜7）"),
    "seconds": _l("所要時間（秒、または 1:30、1分30秒）"),
    "comment": _l("コメント"),
    "source": _l("記録の種類（本人・観察者）"),
    "age_band": _l("年代"),
    "municipality": _l("市区町村（コードまたは都内の名前）"),
}
OUTCOME_LABELS = {
    "success": _l("できた"), "partial": _l("難しかったができた"), "failure": _l("できなかった"),
    "abandoned": _l("あきらめた"), "not_attempted": _l("実施しなかった"),
}
FILE_ERRORS = {
    "empty": _l("ファイルが空です。"),
    "binary": _l("表計算のファイルとして読めません（CSV か Excel の .xlsx を選んでください）。"),
    "encoding": _l("文字コードを判別できません。UTF-8 か Shift_JIS の CSV で保存し直してください。"),
    "xls": _l("古い Excel 形式（.xls）には対応していません。.xlsx か CSV で保存し直してください。"),
    "bad_xlsx": _l("Excel ファイル（.xlsx）として開けません。ファイルが壊れていないか確かめてください。"),
    "csv_syntax": _l("CSV の引用符（\"）が閉じていません（%(detail)s 行目付近）。"),
    "no_header": _l("1行目に見出しがありません。1行目を列の名前にしてください。"),
    "too_many_rows": _l("行が多すぎます（%(detail)s 行まで）。ファイルを分けてください。"),
    "too_many_columns": _l("列が多すぎます（%(detail)s 列まで）。"),
    "cell_too_long": _l("%(detail)s 行目に長すぎるセルがあります。"),
    "too_large": _l("ファイルを展開すると大きすぎます。"),
    "too_many_strings": _l("Excel ファイルの中の文字列が多すぎます（%(detail)s 個まで）。ファイルを分けるか、CSV で保存し直してください。"),
    "too_many_cells": _l("値の入ったセルが多すぎます（%(detail)s 個まで）。ファイルを分けてください。"),
}
PROBLEMS = {
    "unmapped": _l("「%(field)s」にあたる列を選んでください。"),
    "no_such_column": _l("「%(field)s」に選んだ列がファイルにありません。"),
    "mapped_twice": _l("「%(field)s」と同じ列がほかの項目にも選ばれています。"),
    "no_tasks": _l("この版の調査にタスクがありません。先にタスクを設定してください。"),
    "no_rows": _l("見出しの下にデータの行がありません。"),
    "already_imported": _l("このファイルはすでにこの版に取り込まれています。"),
    "required": _l("「%(field)s」が空欄です。"),
    "too_long": _l("「%(field)s」が長すぎます。"),
    "unknown_task": _l("この版の調査にないタスクです: %(value)s"),
    "unknown_outcome": _l("結果の言葉を読み取れません: %(value)s"),
    "bad_seq": _l("簡単さ（SEQ）は1〜7の整数で入力してください: %(value)s"),
    "bad_seconds": _l("所要時間を読み取れません（0秒より長く6時間以内）: %(value)s"),
    "bad_source": _l("記録の種類は「本人」か「観察者」にしてください: %(value)s"),
    "bad_age_band": _l("年代を読み取れません: %(value)s"),
    "bad_municipality": _l("市区町村を読み取れません（6桁のコードか都内の市区町村名）: %(value)s"),
    "extra_cells": _l("見出しのない列に値があります: %(value)s"),
    "duplicate": _l("同じ参加者・タスクの行が %(value)s 行目にもあります。"),
    "profile_conflict": _l("同じ参加者のほかの行と「%(field)s」が違います: %(value)s"),
}


def file_error_text(error: SpreadsheetError) -> str:
    return str(FILE_ERRORS[error.code]) % {"detail": error.detail}


def problem_text(problem: Problem) -> str:
    field = str(FIELD_LABELS[problem.field]) if problem.field else ""
    return str(PROBLEMS[problem.code]) % {"field": field, "value": problem.value}


def problem_rows(plan: ImportPlan, limit: int = 500) -> list[tuple[str, str, str]]:
    """(row number or blank, column, message) for the page and the CLI, at most `limit` of them."""
    rows = []
    for problem in plan.problems[:limit]:
        column = ""
        index = plan.mapping.get(problem.field) if problem.field else None
        if problem.row is not None and index is not None and plan.sheet is not None:
            column = plan.sheet.column_label(index)
        rows.append((str(problem.row or ""), column, problem_text(problem)))
    return rows
