"""Staff forms of session booking: a time slot (Japan time), deleting one."""
from flask_babel import lazy_gettext as _l
from wtforms import DateField, IntegerField, TimeField
from wtforms.validators import InputRequired, NumberRange

from civictest.services.booking import MAX_CAPACITY
from civictest.web.forms import CivicForm


class SlotForm(CivicForm):
    day = DateField(_l("日付"), validators=[InputRequired(_l("日付を入力してください"))])
    start = TimeField(_l("開始（日本時間）"), validators=[InputRequired(_l("開始時刻を入力してください"))])
    end = TimeField(_l("終了（日本時間）"), validators=[InputRequired(_l("終了時刻を入力してください"))])
    capacity = IntegerField(_l("定員"), default=4, validators=[
        InputRequired(_l("定員を入力してください")),
        NumberRange(min=1, max=MAX_CAPACITY, message=_l("定員は1から1,000の間で入力してください"))])


class SlotDeleteForm(CivicForm):
    """Only the CSRF token."""
