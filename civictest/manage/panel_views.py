"""Staff panel pages (admins and service teams): the panel's size and flow, and per session the quotas,
screener, invitation rounds and reminders that `flask panel` also runs."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from civictest.dashboards.panel import composition_chart
from civictest.exporting.panel import incentives_csv, members_csv
from civictest.extensions import db
from civictest.geo import municipality_name
from civictest.manage import bp
from civictest.manage.panel_forms import IncentiveForm, InviteForm, QuotaUploadForm, RemindForm, ScreenerForm
from civictest.models import TestSession
from civictest.reporting import panel as panel_figures
from civictest.security import audit, can_see_service
from civictest.services import panel
from civictest.services.errors import InvalidInput
from civictest.web.downloads import attachment
from civictest.web.i18n import localized


def _session(session_id: int) -> TestSession:
    test_session = db.session.get(TestSession, session_id)
    if test_session is None or not can_see_service(current_user, test_session.study.iteration.service_id):
        abort(404)
    return test_session


@bp.route("/panel")
def panel_overview():
    sessions = panel_figures.visible_sessions(current_user)
    return render_template("manage/panel.html", size=panel_figures.panel_size(), months=panel_figures.monthly_counts(),
                           incentive_months=panel_figures.incentive_months(),
                           rounds=panel_figures.round_rates(session_ids=[s.id for s in sessions]), sessions=sessions)


@bp.route("/panel/export.csv", methods=["POST"])
def panel_export():
    if not RemindForm().validate_on_submit():
        abort(400)
    audit("panel.export")
    db.session.commit()
    return attachment(members_csv(panel_figures.export_rows()), "panel-members.csv")


@bp.route("/panel/incentives.csv", methods=["POST"])
def panel_incentives_export():
    if not RemindForm().validate_on_submit():
        abort(400)
    audit("panel.incentives_export")
    db.session.commit()
    return attachment(incentives_csv(panel_figures.incentive_rows()), "panel-incentives.csv")


def _incentive_form(test_session: TestSession, form: IncentiveForm | None = None) -> IncentiveForm:
    from datetime import date

    form = form or IncentiveForm(given_on=date.today())
    form.member.choices = [(m, f"#{m}") for m in panel.joined_members(test_session.id)]
    return form


@bp.route("/panel/sessions/<int:session_id>/incentives", methods=["POST"])
def panel_incentive(session_id: int):
    from civictest.services.errors import Conflict

    test_session = _session(session_id)
    form = _incentive_form(test_session, IncentiveForm())
    if form.validate_on_submit():
        try:
            panel.record_incentive(test_session, form.member.data, form.description.data, form.amount_yen.data,
                                   form.given_on.data, current_user.id)
        except (InvalidInput, Conflict):
            form.member.errors.append(_("この登録者には記録できません（参加していないか、記録済みです）。"))
        else:
            audit("panel.incentive", test_session, member=form.member.data, amount_yen=form.amount_yen.data)
            db.session.commit()
            flash(_("謝礼を記録しました。"))
            return redirect(url_for("manage.panel_session", session_id=session_id))
    return _session_page(test_session, 422, incentive_form=form)


def cell_label(cell: dict) -> str:
    from civictest.panel.forms import AGE_CHOICES, DEVICE_CHOICES, FREQUENCY_CHOICES

    words = {**dict(AGE_CHOICES), **dict(DEVICE_CHOICES), **dict(FREQUENCY_CHOICES)}
    parts = []
    for dim in sorted(cell):
        value = cell[dim]
        if dim == "municipality_code":
            parts.append(municipality_name(value) or value)
        else:
            parts.append(str(words.get(value, value)))
    return "・".join(parts) or _("全員")


def _session_page(test_session: TestSession, status: int = 200, **forms):  # noqa: ANN003, ANN202
    rows = panel_figures.composition(test_session.study_id)
    chart = composition_chart(rows, cell_label, _) if rows else None
    return render_template(
        "manage/panel_session.html", test_session=test_session, service=test_session.study.iteration.service,
        quotas=panel.quotas_of(test_session.study_id), questions=panel.screener_of(test_session.study_id),
        rounds=panel_figures.round_rates(test_session.id), rows=rows, chart=chart, cell_label=cell_label,
        invite_form=forms.get("invite_form") or InviteForm(), remind_form=RemindForm(),
        quota_form=forms.get("quota_form") or QuotaUploadForm(),
        screener_form=forms.get("screener_form") or ScreenerForm(), localized=localized,
        incentive_form=forms.get("incentive_form") or _incentive_form(test_session),
        incentives=panel_figures.incentives_of(test_session.id),
        booking_counts=panel_figures.session_bookings(test_session)), status


@bp.route("/panel/sessions/<int:session_id>")
def panel_session(session_id: int):
    return _session_page(_session(session_id))


@bp.route("/panel/sessions/<int:session_id>/invite", methods=["POST"])
def panel_invite(session_id: int):
    test_session = _session(session_id)
    form = InviteForm()
    if not form.validate_on_submit():
        return _session_page(test_session, 422, invite_form=form)
    result = panel.invite(test_session, form.count.data)
    audit("panel.invite", test_session, count=form.count.data, invited=len(result.selection.chosen))
    db.session.commit()
    per_cell = ", ".join(f"{cell_label(panel.parse_cell(k))}: {n}" for k, n in sorted(result.selection.filled.items()))
    flash(_("%(n)s人を招待しました（%(cells)s）。", n=len(result.selection.chosen), cells=per_cell))
    return redirect(url_for("manage.panel_session", session_id=session_id))


@bp.route("/panel/sessions/<int:session_id>/remind", methods=["POST"])
def panel_remind(session_id: int):
    test_session = _session(session_id)
    if not RemindForm().validate_on_submit():
        abort(400)
    sent = panel.remind(test_session)
    audit("panel.remind", test_session, queued=sent)
    db.session.commit()
    flash(_("%(n)s人にリマインダーを送ります。", n=sent))
    return redirect(url_for("manage.panel_session", session_id=session_id))


@bp.route("/panel/sessions/<int:session_id>/quotas", methods=["POST"])
def panel_quotas(session_id: int):
    test_session = _session(session_id)
    form = QuotaUploadForm()
    if form.validate_on_submit():
        try:
            quotas = panel.quotas_from_csv(form.file.data.read())
        except InvalidInput as error:
            form.file.errors.append(_quota_message(error.message))
        else:
            panel.set_quotas(test_session.study, quotas)
            flash(_("割り当てを%(n)s区分で設定しました。", n=len(quotas)))
            return redirect(url_for("manage.panel_session", session_id=session_id))
    return _session_page(test_session, 422, quota_form=form)


def _quota_message(code: str) -> str:
    if code.startswith("quota-row:"):
        return _("%(row)s行目の値が正しくありません。", row=code.split(":", 1)[1])
    return _("区分の列（age_band、municipality_code、device など）と share または count の列が必要です。")


@bp.route("/panel/sessions/<int:session_id>/screener", methods=["POST"])
def panel_screener(session_id: int):
    test_session = _session(session_id)
    form = ScreenerForm()
    if form.validate_on_submit():
        options, eligible = _options(form.options.data)
        try:
            panel.add_screener_question(test_session.study, form.kind.data, form.text_ja.data.strip(),
                                        (form.text_en.data or "").strip(), options, eligible)
        except InvalidInput:
            form.options.errors.append(_("選択肢を1つ以上、参加できる選択肢に * を1つ以上付けてください。"))
        else:
            return redirect(url_for("manage.panel_session", session_id=session_id))
    return _session_page(test_session, 422, screener_form=form)


def _options(text: str) -> tuple[list[dict], list[str]]:
    options, eligible = [], []
    for number, line in enumerate((line.strip() for line in text.splitlines() if line.strip()), 1):
        ok = line.startswith("*")
        ja, _sep, en = line.lstrip("*").partition("|")
        value = f"o{number}"
        options.append({"value": value, "ja": ja.strip()[:200], "en": en.strip()[:200]})
        if ok:
            eligible.append(value)
    return options, eligible or ["-"]
