"""GET shows the items (and the earlier answer, if the link has one); POST stores or replaces it."""
from __future__ import annotations

from flask import redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l

from civictest.extensions import db
from civictest.respond import bp
from civictest.services import surveys
from civictest.services.errors import Conflict, InvalidInput, NotFound
from civictest.web.forms import CivicForm

PROBLEMS = {
    "required": _l("この質問には回答してください"),
    "bad_choice": _l("選択肢から選んでください"),
    "too_long": _l("%(n)s 文字以内で入力してください", n=surveys.MAX_FREE_TEXT),
}


class AnswerForm(CivicForm):
    """CSRF only: the items are read from the form by their ids."""


def _language(wave) -> str:  # noqa: ANN001
    lang = str(get_locale() or "ja")
    return lang if lang in wave.survey.language_list else "ja"


def _page(state, *, form, values, problems, status=200, saved=False):  # noqa: ANN001, ANN202
    return render_template("respond/answer.html", state=state, wave=state.wave, survey=state.wave.survey,
                           form=form, values=values, problems=problems, token=request.values.get("t", ""),
                           open=surveys.accepts_answers(state.wave), saved=saved,
                           page_lang=_language(state.wave)), status


def _state(token: str):  # noqa: ANN202
    """The wave and response a personal link opens, or None when resolve_link knows no such link."""
    try:
        return surveys.resolve_link(token)
    except NotFound:
        return None


def _refused(kind: str, status: int):  # noqa: ANN202
    return render_template("respond/refused.html", kind=kind), status


@bp.route("", methods=["GET"])
def answer():
    token = request.args.get("t", "")
    state = _state(token)
    if state is None:
        return _refused("unknown", 404)
    values = {}
    if state.response is not None:
        values = {a.item_id: (str(a.value) if a.value is not None else a.text) for a in state.response.answers}
    return _page(state, form=AnswerForm(), values=values, problems={}, saved=request.args.get("saved") == "1")


@bp.route("", methods=["POST"])
def submit():
    token = request.form.get("t", "")
    state = _state(token)
    if state is None:
        return _refused("unknown", 404)
    form = AnswerForm()
    raw = {item.id: request.form.get(f"item-{item.id}", "") for item in state.wave.items}
    if not form.validate_on_submit():
        return _refused("expired_form", 400)
    if not surveys.accepts_answers(state.wave):
        return _page(state, form=form, values=raw, problems={}, status=409)
    _, problems = surveys.check_answers(state.wave, raw)
    if problems:
        return _page(state, form=form, values=raw, problems={k: str(PROBLEMS[v]) for k, v in problems.items()}, status=400)
    try:
        surveys.save_answers(token, raw, language=_language(state.wave))
    except (Conflict, InvalidInput):
        db.session.rollback()
        return _page(state, form=form, values=raw, problems={}, status=409)
    db.session.commit()
    lang = str(get_locale() or "ja")
    return redirect(url_for("respond.answer", t=token, saved="1", lang=lang), code=303)
