"""Forms of the spreadsheet import: upload, column mapping, outcome words.

Their wording (labels, file errors, row problems) is in civictest.importing.messages."""
from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import HiddenField, SelectField

from civictest.importing.messages import FIELD_LABELS, OUTCOME_LABELS
from civictest.importing.rows import OUTCOME_CODES
from civictest.importing.spreadsheets import FIELDS, REQUIRED, Sheet
from civictest.services.imports import ImportPlan
from civictest.web.forms import CivicForm

class UploadForm(CivicForm):
    file = FileField(_l("ファイル（CSV または Excel の .xlsx、20MBまで）"),
                     validators=[FileRequired(_l("ファイルを選んでください"))])


def mapping_form(sheet: Sheet, plan: ImportPlan, formdata: object = None) -> CivicForm:
    """A form with one column select per field and one code select per outcome word found in the file."""
    columns = [("", _("（使わない）"))] + [(str(i), sheet.column_label(i)) for i in range(len(sheet.headers))]
    codes = [("", _("（読み取れない）"))] + [(code, str(OUTCOME_LABELS[code])) for code in OUTCOME_CODES]

    class MappingForm(CivicForm):
        token = HiddenField()

    for name in FIELDS:
        label = FIELD_LABELS[name] if name not in REQUIRED else _l("%(field)s（必須）", field=FIELD_LABELS[name])
        setattr(MappingForm, f"col_{name}", SelectField(label, choices=columns, default=_default(plan.mapping[name])))
    from civictest.importing.rows import outcome_code

    for i, word in enumerate(plan.outcome_words()):
        setattr(MappingForm, f"word_{i}", HiddenField(default=word))
        setattr(MappingForm, f"code_{i}", SelectField(word, choices=codes,
                                                      default=outcome_code(word, plan.outcomes) or ""))
    return MappingForm(formdata=formdata)


def _default(index: int | None) -> str:
    return "" if index is None else str(index)


def read_mapping(form: dict) -> tuple[dict[str, int | None], dict[str, str]]:
    """Column mapping and outcome word -> code choices from a submitted mapping form (bad values dropped)."""
    mapping: dict[str, int | None] = {}
    for name in FIELDS:
        raw = (form.get(f"col_{name}") or "").strip()
        mapping[name] = int(raw) if raw.isdigit() and len(raw) < 5 else None
    outcomes = {}
    for i in range(200):
        word, code = form.get(f"word_{i}"), form.get(f"code_{i}")
        if word is None:
            break
        if code in OUTCOME_CODES:
            outcomes[word[:200]] = code
    return mapping, outcomes
