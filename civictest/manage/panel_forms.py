"""Staff forms of the panel pages: an invitation round, reminders, quotas from a CSV, a screener question."""
from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import DateField, IntegerField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from civictest.web.forms import CivicForm


class InviteForm(CivicForm):
    count = IntegerField(_l("招待する人数"), validators=[
        InputRequired(_l("人数を入力してください")),
        NumberRange(min=1, max=100_000, message=_l("人数は1から100,000の間で入力してください"))])


class RemindForm(CivicForm):
    """Only the CSRF token: reminders go to invited members who have not finished."""


class QuotaUploadForm(CivicForm):
    file = FileField(_l("割り当てのCSV（区分の列と share または count の列）"),
                     validators=[FileRequired(_l("ファイルを選んでください"))])


class ScreenerForm(CivicForm):
    kind = RadioField(_l("回答の形式"), choices=[("single", _l("1つ選ぶ")), ("multiple", _l("いくつでも選ぶ"))],
                      default="single", validators=[InputRequired()])
    text_ja = StringField(_l("質問（日本語）"), validators=[InputRequired(_l("質問を入力してください")), Length(max=300)])
    text_en = StringField(_l("質問（英語・任意）"), validators=[Optional(), Length(max=300)])
    options = TextAreaField(_l("選択肢（1行に1つ。参加できる選択肢の行頭に * を付ける。英語は「日本語 | English」）"),
                            validators=[InputRequired(_l("選択肢を入力してください")), Length(max=3000)])


class IncentiveForm(CivicForm):
    member = SelectField(_l("登録者（番号）"), coerce=int, validate_choice=True)
    description = StringField(_l("渡したもの"), default="図書カード", validators=[
        InputRequired(_l("渡したものを入力してください")), Length(max=200)])
    amount_yen = IntegerField(_l("金額（円）"), default=500, validators=[
        InputRequired(_l("金額を入力してください")),
        NumberRange(min=0, max=1_000_000, message=_l("金額は0から1,000,000円の間で入力してください"))])
    given_on = DateField(_l("渡した日"), validators=[InputRequired(_l("日付を入力してください"))])
