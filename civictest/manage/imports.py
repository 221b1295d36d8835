"""Spreadsheet import pages: upload -> column mapping and dry run -> commit (all or nothing).

No server-side state between the steps (several app servers may answer): the review page carries the
uploaded file itself in a signed, compressed hidden field. Files too large for that are checked here and
imported with `flask --app app import`.
"""
from __future__ import annotations

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from civictest.importing.messages import file_error_text, problem_rows
from civictest.manage import bp
from civictest.manage.import_forms import UploadForm, mapping_form, read_mapping
from civictest.models import Iteration
from civictest.security import get_visible_or_404
from civictest.services import imports
from civictest.web import upload_tokens
from civictest.web.upload_tokens import clean_filename

TOKEN_SALT = "civictest-import-upload"
TOKEN_MAX_AGE = upload_tokens.MAX_AGE


@bp.route("/iterations/<int:iteration_id>/import", methods=["GET", "POST"])
def import_upload(iteration_id: int):
    iteration = get_visible_or_404(Iteration, iteration_id)
    form = UploadForm()
    if not form.validate_on_submit():
        status = 400 if form.errors else 200
        return render_template("manage/import_upload.html", iteration=iteration, form=form), status
    upload = form.file.data
    raw, filename = upload.read(), clean_filename(upload.filename)
    plan = imports.prepare(iteration.study, raw, filename, max_upload=_max_upload())
    return _review_page(iteration, plan, raw)


@bp.route("/iterations/<int:iteration_id>/import/review", methods=["POST"])
def import_review(iteration_id: int):
    iteration = get_visible_or_404(Iteration, iteration_id)
    unpacked = _unpack(request.form.get("token", ""), iteration.study.id)
    if unpacked is None:
        flash(_("確認の有効期限が切れました。もう一度ファイルを選んでください。"), "error")
        return redirect(url_for("manage.import_upload", iteration_id=iteration.id))
    filename, raw = unpacked
    mapping, outcomes = read_mapping(request.form)
    plan = imports.prepare(iteration.study, raw, filename, mapping, outcomes, max_upload=_max_upload())
    if request.form.get("action") == "commit" and plan.ok:
        result = imports.commit(iteration.study, plan, current_user)
        flash(_("%(attempts)s 件の試行（参加者 %(people)s 人、コメント %(comments)s 件）を取り込みました。",
                attempts=result.attempts, people=result.participants, comments=result.comments))
        return redirect(url_for("manage.iteration", iteration_id=iteration.id))
    return _review_page(iteration, plan, raw)


def _max_upload() -> int | None:
    return current_app.config.get("MAX_CONTENT_LENGTH")


@bp.errorhandler(413)
def upload_too_large(error):  # noqa: ANN001, ANN201
    from civictest.web.errors import render_error

    limit = current_app.config.get("MAX_CONTENT_LENGTH") or 0
    return render_error(413, _("ファイルが大きすぎます。送信できるのは %(mb)s MB までです。"
                               "ファイルを分けるか、コマンド flask import を使ってください。",
                               mb=limit // (1024 * 1024)))


def _review_page(iteration: Iteration, plan: imports.ImportPlan, raw: bytes):  # noqa: ANN202
    if plan.file_error is not None:
        form = UploadForm(formdata=None)
        return render_template("manage/import_upload.html", iteration=iteration, form=form,
                               file_error=file_error_text(plan.file_error)), 400
    token = _pack(plan.filename, raw, iteration.study.id)
    form = mapping_form(plan.sheet, plan)
    form.token.data = token or ""
    tasks = {st.task_id: st for st in iteration.study.study_tasks}
    return render_template(
        "manage/import_review.html", iteration=iteration, plan=plan, form=form, token=token,
        problems=problem_rows(plan), tasks=tasks, per_task=plan.per_task(),
    ), 200 if plan.ok else 400


def _pack(filename: str, raw: bytes, study_id: int) -> str | None:
    return upload_tokens.pack(TOKEN_SALT, "study", study_id, filename, raw)


def _unpack(token: str, study_id: int) -> tuple[str, bytes] | None:
    return upload_tokens.unpack(TOKEN_SALT, "study", study_id, token, TOKEN_MAX_AGE)
