"""The forms' base class: WTForms' own messages follow the page language, loaded once per language."""
from wtforms import RadioField

from civictest.web.forms import CivicForm, wtforms_translations


class _ChoiceForm(CivicForm):
    class Meta:
        csrf = False

    pick = RadioField(choices=[("a", "A")])


def _error(app, query: str) -> str:  # noqa: ANN001
    with app.test_request_context(f"/{query}", method="POST", data={"pick": "zzz"}):
        form = _ChoiceForm()
        assert not form.validate()
        return form.pick.errors[0]


def test_builtin_messages_are_in_japanese_by_default_and_english_on_request(app):
    assert _error(app, "") == "選択肢が正しくありません。"
    assert _error(app, "?lang=en") == "Not a valid choice."


def test_each_language_is_read_from_disk_once(app):
    wtforms_translations.cache_clear()
    for query in ("", "?lang=en", "", "?lang=en"):
        _error(app, query)
    assert wtforms_translations.cache_info().misses == 2
