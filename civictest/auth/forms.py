from flask_babel import lazy_gettext as _l
from wtforms import EmailField, HiddenField, PasswordField, StringField
from wtforms.validators import DataRequired, Length

from civictest.web.forms import CivicForm


class LoginForm(CivicForm):
    email = EmailField(_l("メールアドレス"), validators=[DataRequired(_l("メールアドレスを入力してください")), Length(max=254)])
    password = PasswordField(_l("パスワード"), validators=[DataRequired(_l("パスワードを入力してください")), Length(max=256)])
    next = HiddenField()


class CodeForm(CivicForm):
    """A six-digit code from the authenticator app (or, at sign-in, a recovery code)."""

    code = StringField(_l("確認コード"), validators=[DataRequired(_l("確認コードを入力してください")), Length(max=32)])


class EmptyForm(CivicForm):
    """A button that changes something: only the CSRF token."""
