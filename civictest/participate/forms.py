"""Resident forms: every question has a visible label, optional ones say so, errors are in plain words."""
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, HiddenField, RadioField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional, Regexp, ValidationError

from civictest.services.comments import MAX_COMMENT_LENGTH
from civictest.web.forms import CivicForm

OUTCOME_CHOICES = [
    ("success", _l("できた")),
    ("partial", _l("難しかったができた")),
    ("failure", _l("できなかった")),
    ("abandoned", _l("あきらめた")),
]
AGE_CHOICES = [("under_20", _l("20歳未満")), ("20s", _l("20代")), ("30s", _l("30代")), ("40s", _l("40代")),
               ("50s", _l("50代")), ("60s", _l("60代")), ("70s", _l("70代")), ("80_plus", _l("80歳以上")),
               ("", _l("答えない"))]
DEVICE_CHOICES = [("smartphone", _l("スマートフォン")), ("tablet", _l("タブレット")), ("pc", _l("パソコン")),
                  ("other", _l("その他")), ("", _l("答えない"))]
ASSISTIVE_CHOICES = [("none", _l("使っていない")), ("screen_reader", _l("スクリーンリーダー（読み上げ）")),
                     ("magnifier", _l("画面拡大")), ("voice_input", _l("音声入力")), ("other", _l("その他")),
                     ("", _l("答えない"))]
FREQUENCY_CHOICES = [("daily", _l("ほぼ毎日")), ("weekly", _l("週に1回くらい")), ("monthly", _l("月に1回くらい")),
                     ("rarely", _l("ほとんど使わない")), ("never", _l("使ったことがない")), ("", _l("答えない"))]


def _hidden_field() -> HiddenField:
    """A hidden input with an empty label: it is never shown, and WTForms would otherwise translate a label
    made from the field name whenever the form is built (the only use of the page language on an answer)."""
    return HiddenField(label="")


def _comment_field() -> TextAreaField:
    return TextAreaField(
        _l("ご意見（任意）"),
        validators=[Optional(), Length(max=MAX_COMMENT_LENGTH, message=_l("ご意見は2,000文字以内で入力してください"))],
    )


class ConsentForm(CivicForm):
    agree = BooleanField(_l("上記の説明を読み、参加に同意します"),
                         validators=[InputRequired(_l("参加するには、同意のチェックを入れてください"))])
    key = _hidden_field()


class ProfileForm(CivicForm):
    age_band = RadioField(_l("年代"), choices=AGE_CHOICES, default="", validators=[Optional()])
    postal_code = StringField(
        _l("お住まいの郵便番号（任意）"),
        validators=[Optional(), Regexp(r"^\s*[0-9０-９]{3}[-‐－ー]?[0-9０-９]{4}\s*$",
                                       message=_l("郵便番号は7桁の数字で入力してください（例: 160-0023）"))],
    )
    device = RadioField(_l("今日使っている機器"), choices=DEVICE_CHOICES, default="", validators=[Optional()])
    online_frequency = RadioField(_l("オンラインの手続きをどのくらい使いますか"), choices=FREQUENCY_CHOICES, default="",
                                  validators=[Optional()])
    assistive_consent = BooleanField(_l("支援技術の利用について答えることに同意します（任意）"))
    assistive_technology = RadioField(_l("使っている支援技術"), choices=ASSISTIVE_CHOICES, default="",
                                      validators=[Optional()])

    def validate_assistive_technology(self, field) -> None:  # noqa: ANN001
        """要配慮個人情報: an answer without its own consent is refused (and nothing of the page is stored),
        not silently dropped, so the resident knows it would not have been kept."""
        if field.data and not self.assistive_consent.data:
            raise ValidationError(_l("支援技術について答えるには、上の同意のチェックを入れてください。"
                                     "答えたくないときは「答えない」を選んでください。"))


class TaskAnswerForm(CivicForm):
    outcome = RadioField(_l("このタスクはできましたか"), choices=OUTCOME_CHOICES,
                         validators=[InputRequired(_l("できたかどうかを選んでください"))])
    seq = RadioField(_l("全体として、このタスクはどのくらい難しかったですか、それとも簡単でしたか"),
                     choices=[(str(i), str(i)) for i in range(1, 8)], validators=[Optional()])
    comment = _comment_field()
    ticket = _hidden_field()
    client_seconds = _hidden_field()


class ReceiptForm(CivicForm):
    receipt_code = StringField(_l("受付番号"), validators=[InputRequired(_l("受付番号を入力してください")), Length(max=40)])


class FinishForm(CivicForm):
    """「終了してこの端末から消す」: only the CSRF token (a POST, so a link or an image cannot clear a session)."""


class WithdrawForm(ReceiptForm):
    """Two pages: the receipt code, then a confirmation page (what is deleted, a warning button, a way back).
    Withdrawing needs the confirmation box ticked; without it the confirmation page is shown (again)."""
    confirm = BooleanField(_l("参加を取り消し、回答とご意見を削除することに同意します"))
    stage = _hidden_field()

    CONFIRM_MISSING = _l("取り消すには、確認のチェックを入れてください")


def questionnaire_form(kind: str, items: list[str], formdata=None) -> CivicForm:  # noqa: ANN001
    """A SUS (10 items, 1-5) or UMUX-Lite (2 items, 1-7) form built from the instrument's item texts."""
    points = 5 if kind == "sus" else 7

    class QuestionnaireForm(CivicForm):
        comment = _comment_field()
        key = _hidden_field()

    for number, text in enumerate(items, 1):
        # One message per item that names it (built per request, in the page language): the error summary
        # then lists which questions are left, not the same sentence ten times.
        message = _("%(number)s.「%(text)s」に答えてください", number=number, text=text)
        field = RadioField(text, choices=[(str(i), str(i)) for i in range(1, points + 1)],
                           validators=[InputRequired(message)])
        setattr(QuestionnaireForm, f"item{number}", field)
    return QuestionnaireForm(formdata=formdata) if formdata is not None else QuestionnaireForm()
