"""Authoring forms. Lengths match the columns so that nothing is cut silently."""
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from wtforms import widgets
from wtforms import (
    BooleanField, DateField, EmailField, IntegerField, PasswordField, SelectField, SelectMultipleField,
    StringField, TextAreaField, URLField,
)
from wtforms.validators import DataRequired, Email, Length, NumberRange, Optional, Regexp, ValidationError

from civictest.models.catalog import QUESTIONNAIRES
from civictest.manage.labels import ROLE
from civictest.models.staff import ROLES
from civictest.web.forms import CivicForm
from civictest.web.urls import is_web_url

required = DataRequired(_l("入力してください"))


class MultiCheckboxField(SelectMultipleField):
    """A list of checkboxes (easier with a keyboard and a screen reader than a multiple select)."""

    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


def _strip(value):  # noqa: ANN001, ANN202
    return value.strip() if isinstance(value, str) else value


def _web_url(form, field):  # noqa: ANN001
    """Links staff type in are shown to residents: http and https only (no javascript:, data:, ...)."""
    if field.data and not is_web_url(field.data):
        raise ValidationError(_l("http:// または https:// で始まるURLを入力してください"))


def _no_nul(form, field):  # noqa: ANN001
    if isinstance(field.data, str) and "\x00" in field.data:
        raise ValidationError(_l("使用できない文字が含まれています"))


class DepartmentForm(CivicForm):
    code = StringField(_l("部局コード"), validators=[required, Length(max=40), Regexp(r"^[a-z0-9-]+$", message=_l("半角英小文字・数字・ハイフンで入力してください"))])
    name_ja = StringField(_l("名称（日本語）"), validators=[required, Length(max=200), _no_nul])
    name_en = StringField(_l("名称（英語）"), validators=[Optional(), Length(max=200), _no_nul])


class ServiceForm(CivicForm):
    department_id = SelectField(_l("担当部局"), coerce=lambda v: None if v in (None, "", "None") else int(v),
                                validators=[DataRequired(_l("担当部局を選んでください"))])
    name_ja = StringField(_l("サービス名（日本語）"), validators=[required, Length(max=200), _no_nul])
    name_en = StringField(_l("サービス名（英語）"), validators=[Optional(), Length(max=200), _no_nul])
    url = URLField(_l("サービスのURL"), filters=[_strip], validators=[Optional(), Length(max=500), _web_url])
    description_ja = TextAreaField(_l("説明（日本語）"), validators=[Optional(), Length(max=5000), _no_nul])
    description_en = TextAreaField(_l("説明（英語）"), validators=[Optional(), Length(max=5000), _no_nul])
    publish_fixes = BooleanField(_l("「いただいた声と改善」ページを公開する"))


class TaskForm(CivicForm):
    title_ja = StringField(_l("タスク名（日本語）"), validators=[required, Length(max=200), _no_nul])
    title_en = StringField(_l("タスク名（英語）"), validators=[Optional(), Length(max=200), _no_nul])
    instructions_ja = TextAreaField(_l("参加者への説明（日本語）"), validators=[required, Length(max=5000), _no_nul])
    instructions_en = TextAreaField(_l("参加者への説明（英語）"), validators=[Optional(), Length(max=5000), _no_nul])
    success_criteria = TextAreaField(_l("成功の基準"), validators=[Optional(), Length(max=5000), _no_nul])
    start_url = URLField(_l("開始URL"), filters=[_strip], validators=[Optional(), Length(max=500), _web_url])


class IterationForm(CivicForm):
    label = StringField(_l("版の名前"), validators=[required, Length(max=200), _no_nul])
    starts_on = DateField(_l("開始日"), validators=[Optional()])
    ends_on = DateField(_l("終了日"), validators=[Optional()])
    change_notes = TextAreaField(_l("前の版からの変更点"), validators=[Optional(), Length(max=10000), _no_nul])
    published = BooleanField(_l("結果をオープンデータとして公開する"))

    def validate_ends_on(self, field) -> None:  # noqa: ANN001
        if field.data and self.starts_on.data and field.data < self.starts_on.data:
            raise ValidationError(_l("終了日は開始日と同じ日か、それより後の日にしてください"))


class StudyForm(CivicForm):
    questionnaire = SelectField(_l("アンケート"), choices=[(q, q.upper().replace("_", "-")) for q in QUESTIONNAIRES])
    minutes_expected = IntegerField(_l("所要時間の目安（分）"), validators=[required, NumberRange(1, 240)])
    partial_counts_as_success = BooleanField(_l("「難しかったができた」を完了として数える"))


class SessionForm(CivicForm):
    name = StringField(_l("セッション名"), validators=[required, Length(max=200), _no_nul])
    mode = SelectField(_l("実施形態"), choices=[("remote", _l("オンライン")), ("in_person", _l("対面"))])
    venue_name = StringField(_l("会場名"), validators=[Optional(), Length(max=200), _no_nul])
    venue_address = StringField(_l("会場の住所"), validators=[Optional(), Length(max=300), _no_nul])
    # Not stored: it fills the municipality code below (validated first, fields validate in this order).
    venue_postal_code = StringField(_l("会場の郵便番号"), filters=[_strip], validators=[Optional(), Length(max=10)],
                                    description=_l("入力すると、市区町村コードを自動で入れます（例: 160-0023）"))
    venue_municipality_code = StringField(_l("会場の市区町村コード（6桁）"), filters=[_strip], validators=[Optional(), Regexp(r"^\d{6}$", message=_l("6桁の数字で入力してください"))],
                                          description=_l("郵便番号を入れた場合は空欄で構いません"))
    held_on = DateField(_l("実施日"), validators=[Optional()])
    capacity = IntegerField(_l("定員"), validators=[required, NumberRange(1, 10000)])
    is_open = BooleanField(_l("受付中"))
    excluded = BooleanField(_l("無効として集計から除外する"))

    def validate_venue_postal_code(self, field) -> None:  # noqa: ANN001
        from civictest.geo import municipality_for_postal_code

        if not field.data:
            return
        code = municipality_for_postal_code(field.data)
        if code is None:
            raise ValidationError(_l("この郵便番号から市区町村を決められませんでした。市区町村コードを入力してください"))
        typed = self.venue_municipality_code.data
        if typed and typed != code:
            raise ValidationError(gettext("郵便番号の市区町村（%(code)s）と市区町村コードが違います", code=code))
        self.venue_municipality_code.data = code


class UserForm(CivicForm):
    email = EmailField(_l("メールアドレス"), filters=[_strip], validators=[required, Length(max=254),
                       Email(_l("メールアドレスの形式で入力してください"))])
    display_name = StringField(_l("表示名"), validators=[Optional(), Length(max=100), _no_nul])
    role = SelectField(_l("役割"), choices=[(r, ROLE[r]) for r in ROLES])
    service_ids = MultiCheckboxField(_l("担当サービス"), coerce=int)
    active = BooleanField(_l("有効"), default=True)
    password = PasswordField(_l("新しいパスワード（12文字以上、変更しない場合は空欄）"), validators=[Optional(), Length(min=12, max=256)])
