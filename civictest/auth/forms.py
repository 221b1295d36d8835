from flask_babel import lazy_gettext as _l
from wtforms import EmailField, HiddenField, PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo, Length

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


class ForgotPasswordForm(CivicForm):
    email = EmailField(_l("メールアドレス"), validators=[DataRequired(_l("メールアドレスを入力してください")), Length(max=254)])


class NewPasswordForm(CivicForm):
    """The same rule as an admin's form and `flask users create`: 12 to 256 characters, nothing else."""

    password = PasswordField(_l("新しいパスワード（12文字以上）"), validators=[
        DataRequired(_l("新しいパスワードを入力してください")),
        Length(min=12, max=256, message=_l("パスワードは12文字以上256文字以内で入力してください"))])
    confirm = PasswordField(_l("新しいパスワード（確認）"), validators=[
        DataRequired(_l("確認のため、もう一度入力してください")),
        EqualTo("password", message=_l("2つのパスワードが一致しません"))])
