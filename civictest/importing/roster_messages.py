"""The roster upload's words: column labels and row problems (both languages)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

ROSTER_LABELS = {"email": _l("メールアドレス"), "unit": _l("所属（局/部/課）"), "grade": _l("職層")}
ROSTER_PROBLEMS = {
    "unmapped": _l("「%(field)s」の列が見つかりません。1行目の見出しを「%(field)s」にしてください。"),
    "no_rows": _l("見出しの下にデータの行がありません。"),
    "required": _l("「%(field)s」が空欄です。"),
    "bad_email": _l("メールアドレスの形ではありません: %(value)s"),
    "duplicate_email": _l("同じメールアドレスが %(value)s 行目にもあります。"),
    "already_on_roster": _l("この回の名簿にすでにあるメールアドレスです: %(value)s"),
    "unknown_unit": _l("登録されていない所属です: %(value)s（先に「所属の一覧」で登録してください）"),
    "formula": _l("「%(field)s」が数式のように始まっています（=、+、-、@）: %(value)s"),
    "too_long": _l("「%(field)s」が長すぎます。"),
    "extra_cells": _l("見出しのない列に値があります: %(value)s"),
}


def roster_problem_rows(plan, limit: int = 500) -> list[tuple[str, str]]:  # noqa: ANN001
    """(row number or blank, message) for the dry-run page and the CLI."""
    rows = []
    for problem in plan.problems[:limit]:
        field = str(ROSTER_LABELS[problem.field]) if problem.field else ""
        rows.append((str(problem.row or ""), str(ROSTER_PROBLEMS[problem.code]) % {"field": field, "value": problem.value}))
    return rows
