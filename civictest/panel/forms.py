"""Panel forms: the registration (with its honeypot), the member's own page, a personal link's screener."""
from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, RadioField, SelectMultipleField, StringField, widgets
from wtforms.validators import Email, InputRequired, Length, Optional, Regexp

from civictest.participate.forms import AGE_CHOICES, ASSISTIVE_CHOICES, DEVICE_CHOICES, FREQUENCY_CHOICES
from civictest.web.forms import CivicForm

LANGUAGE_CHOICES = [("ja", _l("日本語")), ("en", _l("英語"))]
READ_CHOICES = [("ja", _l("日本語")), ("en", _l("英語")), ("zh", _l("中国語")), ("ko", _l("韓国語")),
                ("vi", _l("ベトナム語")), ("pt", _l("ポルトガル語")), ("other", _l("その他"))]
AVAILABILITY_CHOICES = [("weekday_daytime", _l("平日の昼間")), ("weekday_evening", _l("平日の夜")),
                        ("weekend", _l("土日・祝日")), ("remote_any_time", _l("自宅から（オンライン）ならいつでも"))]
POSTAL_PATTERN = r"^\s*[0-9０-９]{3}[-‐－ー]?[0-9０-９]{4}\s*$"


class MultiCheckboxField(SelectMultipleField):
    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


class ProfileFields(CivicForm):
    language = RadioField(_l("ご案内の言語"), choices=LANGUAGE_CHOICES, default="ja",
                          validators=[InputRequired(_l("ご案内の言語を選んでください"))])
    age_band = RadioField(_l("年代（任意）"), choices=AGE_CHOICES, default="", validators=[Optional()])
    postal_code = StringField(_l("お住まいの郵便番号（任意）"), validators=[
        Optional(), Regexp(POSTAL_PATTERN, message=_l("郵便番号は7桁の数字で入力してください（例: 160-0023）"))])
    device = RadioField(_l("ふだん使う機器（任意）"), choices=DEVICE_CHOICES, default="", validators=[Optional()])
    online_frequency = RadioField(_l("オンラインの手続きをどのくらい使いますか（任意）"), choices=FREQUENCY_CHOICES,
                                  default="", validators=[Optional()])
    languages = MultiCheckboxField(_l("読める言語（任意）"), choices=READ_CHOICES, validators=[Optional()])
    availability = MultiCheckboxField(_l("参加しやすい時間帯（任意）"), choices=AVAILABILITY_CHOICES,
                                      validators=[Optional()])
    assistive_consent = BooleanField(_l("支援技術の利用について答えることに同意します（任意）"))
    assistive_technology = RadioField(_l("使っている支援技術（任意）"), choices=ASSISTIVE_CHOICES, default="",
                                      validators=[Optional()])


class JoinForm(ProfileFields):
    email = StringField(_l("メールアドレス"), validators=[
        InputRequired(_l("メールアドレスを入力してください")),
        Length(max=254, message=_l("メールアドレスが長すぎます")),
        Email(message=_l("メールアドレスの形式で入力してください（例: name@example.jp）"), check_deliverability=False)])
    agree = BooleanField(_l("上記の説明を読み、テスター登録に同意します"),
                         validators=[InputRequired(_l("登録するには、同意のチェックを入れてください"))])
    # The honeypot: hidden from people (CSS and aria-hidden), filled in by form-filling bots.
    website = StringField(_l("空欄のままにしてください"), validators=[Optional(), Length(max=200)])


class MemberForm(ProfileFields):
    pass


class EraseForm(CivicForm):
    confirm = BooleanField(_l("登録を削除し、メールアドレスと登録情報を消すことに同意します"),
                           validators=[InputRequired(_l("削除するには、確認のチェックを入れてください"))])


class StartForm(CivicForm):
    agree = BooleanField(_l("上記の説明を読み、参加に同意します"),
                         validators=[InputRequired(_l("参加するには、同意のチェックを入れてください"))])


class BookingForm(CivicForm):
    """Book, change or join a waiting list: the slot comes as a radio value the booking service checks itself
    (a slot of another session, a past or made-up one gets a clear message and stores nothing)."""


class CancelBookingForm(CivicForm):
    """Cancel the booking or leave the waiting list: only the CSRF token."""
