"""Review forms. Choices that depend on the service (iterations, tasks, owners) are filled in by the view."""
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, RadioField, SelectField, SelectMultipleField, StringField, TextAreaField, widgets
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from civictest.models.base import parse_id
from civictest.review.labels import SEVERITY, STATUS, needs_ja
from civictest.web.forms import CivicForm


def option(value: object, label: str) -> SelectChoice:
    """An option, marked lang="ja" when its label is Japanese on an English page."""
    return SelectChoice(value, label, {"lang": "ja"} if needs_ja(label) else {})


def _iteration_choices(iterations: list) -> list:
    return [option(it.id, _("第%(n)s版", n=it.number) + f" {it.label}") for it in reversed(iterations)]


def _optional_int(value: object) -> int | None:
    if value in (None, "", "None"):
        return None
    return int(value)


def _no_nul(form, field):  # noqa: ANN001
    if isinstance(field.data, str) and "\x00" in field.data:
        raise ValidationError(_l("使用できない文字が含まれています"))


class MultiCheckboxField(SelectMultipleField):
    """A list of checkboxes (easier with a keyboard and a screen reader than a multiple select)."""

    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


class FindingForm(CivicForm):
    title = StringField(_l("件名"), validators=[DataRequired(_l("件名を入力してください")), Length(max=200), _no_nul])
    description = TextAreaField(_l("説明"), validators=[Optional(), Length(max=10000), _no_nul])
    severity = RadioField(_l("重要度"), coerce=int, validators=[DataRequired(_l("重要度を選んでください"))])
    found_in_id = SelectField(_l("発見した版"), coerce=_optional_int, validators=[DataRequired(_l("発見した版を選んでください"))])
    task_ids = MultiCheckboxField(_l("影響するタスク"), coerce=int)
    owner_id = SelectField(_l("担当者"), coerce=_optional_int, validators=[Optional()])
    public_summary_ja = TextAreaField(_l("公開用の要約（日本語）"), validators=[Optional(), Length(max=2000), _no_nul])
    public_summary_en = TextAreaField(_l("公開用の要約（英語）"), validators=[Optional(), Length(max=2000), _no_nul])
    evidence = HiddenField()  # ids of the inbox comments a new finding starts with, comma-separated

    def evidence_ids(self) -> list[int]:
        return [i for i in (parse_id(part.strip()) for part in (self.evidence.data or "").split(",")) if i is not None]

    def fill(self, iterations: list, tasks: list, owners: list, localized) -> "FindingForm":  # noqa: ANN001
        """Choices for this service; the severity choices carry their meaning so nobody has to guess."""
        self.severity.choices = [(level, f"{level} {word}: {meaning}") for level, (word, meaning) in SEVERITY.items()]
        self.found_in_id.choices = [("", _("選んでください"))] + _iteration_choices(iterations)
        self.task_ids.choices = [(task.id, localized(task, "title")) for task in tasks]
        self.owner_id.choices = [("", _("未定"))] + [option(u.id, u.display_name or u.email) for u in owners]
        for field in (self.title, self.description):
            field.render_kw = {"lang": "ja"} if needs_ja(field.data) else None
        self.public_summary_ja.render_kw, self.public_summary_en.render_kw = {"lang": "ja"}, {"lang": "en"}
        return self

    def values(self) -> dict:
        return {name: getattr(self, name).data for name in (
            "title", "description", "severity", "found_in_id", "task_ids", "owner_id",
            "public_summary_ja", "public_summary_en")}


class StatusForm(CivicForm):
    # Any status is accepted here: the status machine in services.findings refuses a wrong move in words.
    status = RadioField(_l("新しい状態"), validate_choice=False, validators=[DataRequired(_l("新しい状態を選んでください"))])
    fixed_in_id = SelectField(_l("修正した版"), coerce=_optional_int, validate_choice=False, validators=[Optional()])
    verified_in_id = SelectField(_l("効果を確認した版"), coerce=_optional_int, validate_choice=False,
                                 validators=[Optional()])

    def fill(self, moves: tuple, iterations: list, fixed_in=None) -> "StatusForm":  # noqa: ANN001
        """The status moves allowed now; a fix is verified in a version after the one it was fixed in, so only
        those are offered (the service refuses any other with a message)."""
        self.status.choices = [(status, STATUS[status]) for status in moves]
        empty = [("", _("選んでください"))]
        self.fixed_in_id.choices = empty + _iteration_choices(iterations)
        later = [i for i in iterations if fixed_in is None or i.number > fixed_in.number]
        self.verified_in_id.choices = empty + _iteration_choices(later)
        return self


class BulkForm(CivicForm):
    """One action on the comments ticked in the inbox: add a tag, or attach them to a finding as evidence."""

    comment_ids = SelectMultipleField(coerce=int, validate_choice=False)
    action = StringField()
    tag_name = StringField(_l("タグ名"))  # checked by services.findings.clean_tag_name, with a message
    finding_id = SelectField(_l("課題"), coerce=_optional_int, validate_choice=False, validators=[Optional()])


class EvidenceForm(CivicForm):
    comment_ids = SelectMultipleField(coerce=int, validate_choice=False)
    attempt_ids = SelectMultipleField(coerce=int, validate_choice=False)
