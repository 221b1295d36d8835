"""Survey pages for staff: list, create, items, waves (open / close / publish), org units, response rates."""
from __future__ import annotations

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from civictest.extensions import db
from civictest.models import Department
from civictest.security import audit
from civictest.services import survey_invitations, survey_publication, surveys
from civictest.services.errors import DomainError
from civictest.surveys import bp
from civictest.surveys.access import departments, survey_or_404, visible_surveys, wave_or_404
from civictest.surveys.forms import ActionForm, ItemForm, SurveyForm, UnitsForm, WaveForm, parse_options

STATE_WORDS = {"draft": _l("準備中"), "open": _l("回答受付中"), "closed": _l("締切済み"), "published": _l("公開済み")}


@bp.route("/")
def index():
    return render_template("surveys/index.html", surveys=visible_surveys())


@bp.route("/new", methods=["GET", "POST"])
def new_survey():
    form = SurveyForm()
    form.department_id.choices = [(d.id, d.name_ja) for d in departments()]
    if form.validate_on_submit():
        department = db.session.get(Department, form.department_id.data)
        survey = surveys.create_survey(department, form.title_ja.data, audience=form.audience.data,
                                       languages=form.languages.data, title_en=form.title_en.data or "",
                                       intro_ja=form.intro_ja.data or "", intro_en=form.intro_en.data or "")
        audit("survey_created", survey)
        db.session.commit()
        flash(_("調査を作りました。質問と回を追加してください。"))
        return redirect(url_for("surveys.survey", survey_id=survey.id))
    return render_template("surveys/form.html", form=form, title=_("調査を作る"),
                           back=url_for("surveys.index")), 400 if form.errors else 200


@bp.route("/<int:survey_id>")
def survey(survey_id: int):
    item = survey_or_404(survey_id)
    return render_template("surveys/survey.html", survey=item, item_form=ItemForm(formdata=None),
                           wave_form=WaveForm(formdata=None), states=STATE_WORDS)


@bp.route("/<int:survey_id>/items", methods=["POST"])
def add_item(survey_id: int):
    survey = survey_or_404(survey_id)
    form = ItemForm()
    if not form.validate_on_submit():
        return render_template("surveys/survey.html", survey=survey, item_form=form, wave_form=WaveForm(formdata=None),
                               states=STATE_WORDS), 400
    item = surveys.add_item(survey, form.kind.data, form.wording_ja.data, wording_en=form.wording_en.data or "",
                            options=parse_options(form.options.data or ""), required=form.required.data)
    audit("survey_item_added", item)
    db.session.commit()
    flash(_("質問を追加しました（準備中の回にも加わります）。"))
    return redirect(url_for("surveys.survey", survey_id=survey.id))


@bp.route("/<int:survey_id>/waves", methods=["POST"])
def add_wave(survey_id: int):
    survey = survey_or_404(survey_id)
    form = WaveForm()
    if not form.validate_on_submit():
        return render_template("surveys/survey.html", survey=survey, item_form=ItemForm(formdata=None), wave_form=form,
                               states=STATE_WORDS), 400
    wave = surveys.create_wave(survey, form.label.data, opens_on=form.opens_on.data, closes_on=form.closes_on.data)
    audit("survey_wave_created", wave)
    db.session.commit()
    flash(_("回を作りました。質問は前の回と同じです。"))
    return redirect(url_for("surveys.wave", wave_id=wave.id))


@bp.route("/waves/<int:wave_id>")
def wave(wave_id: int):
    item = wave_or_404(wave_id)
    k = current_app.config["SURVEY_SUPPRESSION_K"]
    rates = surveys.response_rates(item)
    return render_template("surveys/wave.html", wave=item, survey=item.survey, states=STATE_WORDS, k=k,
                           rates=rates, counts=surveys.roster_counts(item), form=ActionForm(formdata=None))


@bp.route("/waves/<int:wave_id>/state", methods=["POST"])
def wave_state(wave_id: int):
    wave = wave_or_404(wave_id)
    form = ActionForm()
    target = request.form.get("state", "")
    if form.validate_on_submit():
        try:
            if target == "published":
                survey_publication.publish_wave(wave)
            else:
                surveys.set_wave_state(wave, target)
        except DomainError:
            db.session.rollback()
            flash(_("この回の状態は変えられません。"), "error")
        else:
            audit("survey_wave_state", wave, state=target)
            db.session.commit()
            flash(_("回の状態を「%(state)s」にしました。", state=str(STATE_WORDS[target])))
    return redirect(url_for("surveys.wave", wave_id=wave.id))


@bp.route("/waves/<int:wave_id>/invite", methods=["POST"])
def invite(wave_id: int):
    return _queue_survey_mail(wave_id, survey_invitations.invite, "survey_invited",
                              _l("%(n)s 人に案内のメールを送る準備をしました。"))


@bp.route("/waves/<int:wave_id>/remind", methods=["POST"])
def remind(wave_id: int):
    return _queue_survey_mail(wave_id, survey_invitations.remind, "survey_reminded",
                              _l("まだ回答していない %(n)s 人に催促のメールを送る準備をしました（前のメールから1週間たった人だけ）。"))


def _queue_survey_mail(wave_id: int, queue, action: str, done):  # noqa: ANN001, ANN202
    """The invite and remind buttons: queue the wave's mail (only an open wave sends), audit, commit, wake the
    worker, say how many, back to the wave page."""
    wave = wave_or_404(wave_id)
    if ActionForm().validate_on_submit():
        try:
            sent = queue(wave)
        except DomainError:
            db.session.rollback()
            flash(_("回答受付中の回にだけ案内を送れます。"), "error")
        else:
            audit(action, wave, count=sent)
            db.session.commit()
            survey_invitations.after_queueing()
            flash(str(done) % {"n": sent})
    return redirect(url_for("surveys.wave", wave_id=wave.id))


@bp.route("/units", methods=["GET", "POST"])
def units():
    from sqlalchemy import select

    from civictest.models import OrgUnit

    form = UnitsForm()
    if form.validate_on_submit():
        lines = [line for line in form.paths.data.splitlines() if line.strip()]
        try:
            added = surveys.ensure_units(lines)
        except DomainError:
            db.session.rollback()
            form.paths.errors = [_("長すぎる名前があります（1つの名前は200文字まで）")]
        else:
            audit("org_units_added", None, count=len(added))
            db.session.commit()
            flash(_("所属を %(n)s 件登録しました。", n=len(added)))
            return redirect(url_for("surveys.units"))
    all_units = list(db.session.scalars(select(OrgUnit).order_by(OrgUnit.path)))
    return render_template("surveys/units.html", form=form, units=all_units), 400 if form.errors else 200
