"""Roster upload: file -> dry run (every problem listed, nothing stored) -> add all rows, or none.

Between the steps the file is kept in the database (RosterUpload, services.surveys.keep_pending_roster), found
by a random token the review form carries (stored as a SHA-256) and bound to the wave and the user: app
servers keep no local state, and a whole city's roster (54,000 rows, 3 MB) is far too large for a hidden form
field. The review reads and checks the kept file again before adding it."""
from __future__ import annotations

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

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


@bp.route("/waves/<int:wave_id>/roster", methods=["GET", "POST"])
def roster_upload(wave_id: int):
    wave = wave_or_404(wave_id)
    form = RosterUploadForm()
    if not form.validate_on_submit():
        return render_template("surveys/roster_upload.html", wave=wave, form=form), 400 if form.errors else 200
    upload = form.file.data
    raw = upload.read()
    filename = upload_tokens.clean_filename(upload.filename)
    plan = surveys.plan_roster(wave, raw, filename, current_app.config.get("MAX_CONTENT_LENGTH"))
    token = None
    if plan.file_error is None and plan.ok:
        token = surveys.keep_pending_roster(wave, raw, filename, getattr(current_user, "id", None))
        db.session.commit()
    return _review(wave, plan, token)


@bp.route("/waves/<int:wave_id>/roster/review", methods=["POST"])
def roster_review(wave_id: int):
    wave = wave_or_404(wave_id)
    token = request.form.get("token", "")
    unpacked = surveys.take_pending_roster(wave, token, getattr(current_user, "id", None))
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
        surveys.forget_pending_roster(token)
        db.session.commit()
        flash(_("名簿に %(n)s 人を追加しました。", n=added))
        return redirect(url_for("surveys.wave", wave_id=wave.id))
    surveys.forget_pending_roster(token)  # the file has problems now (the roster changed): choose it again
    db.session.commit()
    return _review(wave, plan, None)


def _review(wave, plan: surveys.RosterPlan, token: str | None):  # noqa: ANN001, ANN202
    if plan.file_error is not None:
        return render_template("surveys/roster_upload.html", wave=wave, form=RosterUploadForm(formdata=None),
                               file_error=file_error_text(plan.file_error)), 400
    return render_template("surveys/roster_review.html", wave=wave, plan=plan, token=token,
                           problems=roster_problem_rows(plan), form=RosterUploadForm(formdata=None)), 200 if plan.ok else 400
