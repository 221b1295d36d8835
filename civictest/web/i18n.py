"""Language choice: Japanese by default, English on request (?lang=en), remembered in the session; the API
(whose callers are scripts without a session) also honours Accept-Language."""
from __future__ import annotations

import re

from flask import Flask, current_app, request, session
from markupsafe import Markup

from civictest.extensions import babel

TRANSLATIONS_DIR = "translations"


API_PREFIX = "/api/"
# Pages that may sit in an iframe on another site, where the session cookie is a third-party cookie that the
# browser may block: the language comes from ?lang= (carried in every link and form) and nothing is remembered.
STATELESS_PREFIXES = ("/feedback/",)


def select_locale() -> str:
    """The page language: an explicit ?lang= wins and is remembered; otherwise the remembered one, else ja.
    Under /api/ an explicit ?lang= wins, then Accept-Language, then the default; nothing is remembered."""
    supported = current_app.config["LANGUAGES"]
    asked = request.args.get("lang")
    if request.path.startswith(API_PREFIX):
        if asked in supported:
            return asked
        return request.accept_languages.best_match(supported) or current_app.config["BABEL_DEFAULT_LOCALE"]
    if request.path.startswith(STATELESS_PREFIXES):
        return asked if asked in supported else current_app.config["BABEL_DEFAULT_LOCALE"]
    if asked in supported:
        session["lang"] = asked
        return asked
    remembered = session.get("lang")
    return remembered if remembered in supported else current_app.config["BABEL_DEFAULT_LOCALE"]


def init_app(app: Flask) -> None:
    babel.init_app(app, locale_selector=select_locale, default_translation_directories=TRANSLATIONS_DIR)
    app.jinja_env.add_extension("jinja2.ext.i18n")
    app.jinja_env.globals["localized"] = localized
    app.jinja_env.globals["ja"] = ja
    from civictest.web.headers import noindex

    app.jinja_env.globals["noindex"] = noindex
    app.jinja_env.globals["localized_ja"] = localized_ja
    app.jinja_env.globals["needs_ja"] = needs_ja
    register_template_globals(app)


def localized(obj: object, field: str) -> str:
    """A data field in the page language (`title_en`), falling back to Japanese when the English is empty."""
    from flask_babel import get_locale

    lang = str(get_locale() or "ja")
    value = getattr(obj, f"{field}_{lang}", None) if lang != "ja" else None
    return value or getattr(obj, f"{field}_ja", "")


JAPANESE = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uff66-\uff9f]")


def ja(text: object) -> Markup | str:
    """Data (names, titles, comments) for the page: on a page that is not Japanese, Japanese text is wrapped in
    <span lang="ja"> so that screen readers read it as Japanese and it is drawn with Japanese glyphs."""
    from flask_babel import get_locale

    value = "" if text is None else str(text)
    if str(get_locale() or "ja") != "ja" and JAPANESE.search(value):
        return Markup('<span lang="ja">%s</span>') % value
    return value


def needs_ja(text: object) -> bool:
    """Japanese text on a page that is not Japanese: its element wants lang="ja"."""
    from flask_babel import get_locale

    return str(get_locale() or "ja") != "ja" and bool(JAPANESE.search(str(text or "")))


def option_label_attrs(text: object) -> dict:
    return {"lang": "ja"} if needs_ja(text) else {}


def localized_ja(obj: object, field: str) -> Markup | str:
    """localized() marked up with ja(): the Japanese fallback of a missing English field gets lang="ja"."""
    return ja(localized(obj, field))


def register_template_globals(app: Flask) -> None:
    from flask_babel import get_locale

    app.jinja_env.globals["get_locale"] = get_locale
