from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, RadioField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional

from civictest.web.forms import CivicForm

# What the facilitator saw, in the third person (the resident's own form says 「できた」, "I did it").
OBSERVED_OUTCOME_CHOICES = [
    ("success", _l("参加者が完了した")),
    ("partial", _l("参加者が苦労したが完了した")),
    ("failure", _l("参加者が完了できなかった")),
    ("abandoned", _l("参加者が途中でやめた")),
    ("not_attempted", _l("実施しなかった（機器の不具合など）")),
]
ASSISTANCE_CHOICES = [("none", _l("なし")), ("hint", _l("ヒントを出した")), ("took_over", _l("代わりに操作した"))]


class ObservationForm(CivicForm):
    outcome = RadioField(_l("観察した結果"), choices=OBSERVED_OUTCOME_CHOICES,
                         validators=[InputRequired(_l("結果を選んでください"))])
    assistance = RadioField(_l("支援"), choices=ASSISTANCE_CHOICES, default="none", validators=[Optional()])
    notes = TextAreaField(_l("メモ・発言の記録（任意）"), validators=[Optional(), Length(max=2000, message=_l("メモは2,000文字以内で入力してください"))])
    ticket = HiddenField()
    timed = HiddenField()  # "1" once the start button was pressed: only then is the time on task kept


class TimerForm(CivicForm):
    """The start button: a POST that returns the page with a signed start time (no server-side state)."""


class AttendanceForm(CivicForm):
    """Only the CSRF token: the pressed button says attended, no-show or clear (name="attendance")."""
