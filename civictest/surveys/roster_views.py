"""Roster upload: file -> dry run (every problem listed, nothing stored) -> add all rows, or none.

As the results import (manage/imports.py): no server-side state between the steps; the dry-run page carries
the file itself in a signed, compressed hidden field (web/upload_tokens.py, shared with the import)."""
from __future__ import annotations

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from civictest.extensions import db
from civictest.importing.messages import file_error_text
from civictest.security import audit
from civictest.services import surveys
from civictest.services.errors import DomainError
from civictest.surveys import bp
from civictest.surveys.access import wave_or_404
from civictest.surveys.forms import RosterUploadForm
from civictest.web import upload_tokens
from civictest.importing.roster_messages import roster_problem_rows

SALT = "civictest-roster-upload"
MAX_AGE = upload_tokens.MAX_AGE


@bp.route("/waves/<int:wave_id>/roster", methods=["GET", "POST"])
def roster_upload(wave_id: int):
    wave = wave_or_404(wave_id)
    form = RosterUploadForm()
    if not form.validate_on_submit():
        return render_template("surveys/roster_upload.html", wave=wave, form=form), 400 if form.errors else 200
    upload = form.file.data
    raw = upload.read()
    filename = upload_tokens.clean_filename(upload.filename)
    return _review(wave, surveys.plan_roster(wave, raw, filename, current_app.config.get("MAX_CONTENT_LENGTH")), raw)


@bp.route("/waves/<int:wave_id>/roster/review", methods=["POST"])
def roster_review(wave_id: int):
    wave = wave_or_404(wave_id)
    unpacked = _unpack(request.form.get("token", ""), wave.id)
    if unpacked is None:
        flash(_("確認の有効期限が切れました。もう一度ファイルを選んでください。"), "error")
        return redirect(url_for("surveys.roster_upload", wave_id=wave.id))
    filename, raw = unpacked
    plan = surveys.plan_roster(wave, raw, filename, current_app.config.get("MAX_CONTENT_LENGTH"))
    if plan.ok:
        try:
            added = surveys.commit_roster(wave, plan)
        except DomainError:
            db.session.rollback()
            flash(_("締め切った回の名簿には追加できません。"), "error")
            return redirect(url_for("surveys.wave", wave_id=wave.id))
        audit("survey_roster_added", wave, count=added)
        db.session.commit()
        flash(_("名簿に %(n)s 人を追加しました。", n=added))
        return redirect(url_for("surveys.wave", wave_id=wave.id))
    return _review(wave, plan, raw)


def _review(wave, plan: surveys.RosterPlan, raw: bytes):  # noqa: ANN001, ANN202
    if plan.file_error is not None:
        return render_template("surveys/roster_upload.html", wave=wave, form=RosterUploadForm(formdata=None),
                               file_error=file_error_text(plan.file_error)), 400
    return render_template("surveys/roster_review.html", wave=wave, plan=plan, token=_pack(plan.filename, raw, wave.id),
                           problems=roster_problem_rows(plan), form=RosterUploadForm(formdata=None)), 200 if plan.ok else 400


def _pack(filename: str, raw: bytes, wave_id: int) -> str | None:
    return upload_tokens.pack(SALT, "wave", wave_id, filename, raw)


def _unpack(token: str, wave_id: int) -> tuple[str, bytes] | None:
    return upload_tokens.unpack(SALT, "wave", wave_id, token, MAX_AGE)
