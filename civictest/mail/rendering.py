"""render: a message's subject, text and HTML from templates/mail/<name>.txt and .html, in one language.

A mail template extends mail/base.txt (or mail/base.html) and fills two blocks: `subject` (one line, used
only as the Subject header) and `body`. The .html template is optional (None when there is none). The HTML is
autoescaped; the text is not (it is plain text)."""
from __future__ import annotations

from flask import current_app
from flask_babel import force_locale
from jinja2 import TemplateNotFound


def render(template_name: str, language: str, **context: object) -> tuple[str, str, str | None]:
    """(subject, text, html) of templates/mail/<template_name>.txt|.html rendered in `language` (ja or en)."""
    if language not in current_app.config["LANGUAGES"]:
        language = current_app.config["BABEL_DEFAULT_LOCALE"]
    env = current_app.jinja_env
    with force_locale(language):
        context = {**context, "language": language}
        text_template = env.get_template(f"mail/{template_name}.txt")
        subject = _block(text_template, "subject", context)
        text = text_template.render(context)
        try:
            html_template = env.get_template(f"mail/{template_name}.html")
        except TemplateNotFound:
            html = None
        else:
            html = html_template.render(context)
    subject = " ".join(subject.split())  # one line: a template's line breaks never reach the header
    return subject, text.strip() + "\n", html


def _block(template, name: str, context: dict) -> str:  # noqa: ANN001 - a jinja2 Template
    if name not in template.blocks:
        raise ValueError(f"{template.name} has no {{% block {name} %}}")
    return "".join(template.blocks[name](template.new_context(context))).strip()
