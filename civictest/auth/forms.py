from flask_babel import lazy_gettext as _l
from wtforms import EmailField, HiddenField, PasswordField
from wtforms.validators import DataRequired, Length

from civictest.web.forms import CivicForm


class LoginForm(CivicForm):
    email = EmailField(_l("メールアドレス"), validators=[DataRequired(_l("メールアドレスを入力してください")), Length(max=254)])
    password = PasswordField(_l("パスワード"), validators=[DataRequired(_l("パスワードを入力してください")), Length(max=256)])
    next = HiddenField()
