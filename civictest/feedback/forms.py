"""The live-service feedback form: 5-point satisfaction (required), could you do it (optional), free text
(optional), the signed form token and a honeypot. Its protection is the token, not Flask-WTF's session CSRF."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, RadioField, StringField, TextAreaField
from wtforms.validators import AnyOf, InputRequired, Length, Optional

from civictest.services.feedback import MAX_FEEDBACK_COMMENT
from civictest.web.forms import CivicForm

RATING_LABELS = (("5", _l("とても満足")), ("4", _l("満足")), ("3", _l("どちらでもない")), ("2", _l("不満")),
                 ("1", _l("とても不満")))
RATING_MESSAGE = _l("満足度を「とても満足」から「とても不満」までの中から1つ選んでください。")
TASK_DONE_MESSAGE = _l("「やりたかったことはできましたか」は、はい・一部だけできた・いいえから選んでください。")
TASK_DONE_LABELS = (("yes", _l("はい")), ("partly", _l("一部だけできた")), ("no", _l("いいえ")))


class FeedbackForm(CivicForm):
    class Meta(CivicForm.Meta):
        csrf = False  # the session may be blocked inside an iframe: see civictest/feedback/tokens.py

    rating = RadioField(_l("このサービスの満足度を教えてください"), choices=RATING_LABELS, validate_choice=False,
                        validators=[InputRequired(message=RATING_MESSAGE),
                                    AnyOf([value for value, _ in RATING_LABELS], message=RATING_MESSAGE)])
    task_done = RadioField(_l("やりたかったことはできましたか（任意）"), choices=TASK_DONE_LABELS, validate_choice=False,
                           validators=[Optional(), AnyOf([value for value, _ in TASK_DONE_LABELS],
                                                         message=TASK_DONE_MESSAGE)])
    comment = TextAreaField(_l("ご意見・ご感想（任意）"), validators=[Optional(), Length(
        max=MAX_FEEDBACK_COMMENT, message=_l("ご意見は%(max)d文字以内で入力してください。"))])
    token = HiddenField()
    # The honeypot: hidden from people (and from assistive technology); scripts that fill every field fill it.
    website = StringField(_l("この欄には何も入力しないでください"))
