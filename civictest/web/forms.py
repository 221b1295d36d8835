"""The base of every form: Flask-WTF's FlaskForm with WTForms' own messages loaded once per language.

Flask-WTF reads WTForms' translation catalogue from disk on every request that builds a form (about a
seventh of a resident's answer submission). The catalogue never changes while the process runs, so each
language's is loaded once and shared; the built-in messages stay in the page language as before.
"""
from __future__ import annotations

from functools import lru_cache

from babel import support
from flask import current_app
from flask_babel import get_locale
from flask_wtf import FlaskForm
from wtforms.i18n import messages_path


@lru_cache(maxsize=8)
def wtforms_translations(locale: str) -> support.Translations:
    """WTForms' built-in messages in `locale` (read-only once loaded, so shared by all threads)."""
    return support.Translations.load(messages_path(), [locale], domain="wtforms")


class _CachedTranslations:
    """What Flask-WTF's translations do, for the request's locale, from the per-language cache."""

    def gettext(self, string: str) -> str:
        catalogue = _catalogue()
        return string if catalogue is None else catalogue.ugettext(string)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        catalogue = _catalogue()
        if catalogue is None:
            return singular if n == 1 else plural
        return catalogue.ungettext(singular, plural, n)


def _catalogue() -> support.Translations | None:
    locale = get_locale()  # None outside a request, where Flask-WTF also leaves messages untranslated
    return None if locale is None else wtforms_translations(str(locale))


_TRANSLATIONS = _CachedTranslations()


class CivicForm(FlaskForm):
    class Meta(FlaskForm.Meta):
        def get_translations(self, form):  # noqa: ANN001, ANN201
            if not current_app.config.get("WTF_I18N_ENABLED", True):
                return super().get_translations(form)
            return _TRANSLATIONS


def option(value: object, label: str):  # noqa: ANN201
    """A select option, marked lang="ja" when its label is Japanese on an English page."""
    from wtforms.fields.choices import SelectChoice

    from civictest.web.i18n import needs_ja

    return SelectChoice(value, label, {"lang": "ja"} if needs_ja(label) else {})
