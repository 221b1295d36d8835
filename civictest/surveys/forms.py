"""Survey authoring forms. Lengths match the columns so that nothing is cut silently."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, DateField, HiddenField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from civictest.web.forms import CivicForm

required = DataRequired(_l("入力してください"))


def _no_nul(form, field):  # noqa: ANN001
    if isinstance(field.data, str) and "\x00" in field.data:
        raise ValidationError(_l("使用できない文字が含まれています"))


class SurveyForm(CivicForm):
    department_id = SelectField(_l("担当部局"), coerce=int, validators=[required])
    audience = SelectField(_l("回答する人"), choices=[("staff", _l("職員")), ("residents", _l("住民"))])
    languages = SelectField(_l("言語"), choices=[("ja,en", _l("日本語と英語")), ("ja", _l("日本語のみ"))])
    title_ja = StringField(_l("調査名（日本語）"), validators=[required, Length(max=200), _no_nul])
    title_en = StringField(_l("調査名（英語）"), validators=[Optional(), Length(max=200), _no_nul])
    intro_ja = TextAreaField(_l("回答者への説明（日本語）"), validators=[Optional(), Length(max=5000), _no_nul])
    intro_en = TextAreaField(_l("回答者への説明（英語）"), validators=[Optional(), Length(max=5000), _no_nul])


class ItemForm(CivicForm):
    kind = SelectField(_l("質問の種類"), choices=[
        ("agreement5", _l("5段階（そう思う〜そう思わない）")), ("satisfaction5", _l("5段階（満足〜不満）")),
        ("single_choice", _l("選択肢から1つ")), ("free_text", _l("自由記述")),
    ])
    wording_ja = TextAreaField(_l("質問文（日本語）"), validators=[required, Length(max=2000), _no_nul])
    wording_en = TextAreaField(_l("質問文（英語）"), validators=[Optional(), Length(max=2000), _no_nul])
    options = TextAreaField(_l("選択肢（1行に1つ。英語は「日本語 | English」のように縦線の後に）"),
                            validators=[Optional(), Length(max=5000), _no_nul])
    required = BooleanField(_l("回答を必須にする"))

    def validate_options(self, field) -> None:  # noqa: ANN001
        if self.kind.data == "single_choice" and len(parse_options(field.data or "")) < 2:
            raise ValidationError(_l("選択肢を2つ以上入力してください"))


def parse_options(text: str) -> list[dict]:
    options = []
    for line in text.splitlines():
        ja, _, en = line.partition("|")
        if ja.strip():
            options.append({"ja": ja.strip()[:200], "en": en.strip()[:200]})
    return options


class WaveForm(CivicForm):
    label = StringField(_l("回の名前（例: 2026年度）"), validators=[required, Length(max=200), _no_nul])
    opens_on = DateField(_l("開始日"), validators=[Optional()])
    closes_on = DateField(_l("締切日"), validators=[Optional()])

    def validate_closes_on(self, field) -> None:  # noqa: ANN001
        if field.data and self.opens_on.data and field.data < self.opens_on.data:
            raise ValidationError(_l("締切日は開始日より後にしてください"))


class UnitsForm(CivicForm):
    paths = TextAreaField(_l("所属（1行に1つ、局/部/課 のように斜線で区切る）"),
                          validators=[required, Length(max=100_000), _no_nul])


class RosterUploadForm(CivicForm):
    file = FileField(_l("名簿ファイル（CSV または Excel の .xlsx）"), validators=[FileRequired(_l("ファイルを選んでください"))])


class ActionForm(CivicForm):
    """A button that changes something (CSRF only)."""

    action = HiddenField()
