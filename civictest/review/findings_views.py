"""The findings register (課題管理表): list, create, edit, status moves, evidence, history, fix check."""
from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from civictest.extensions import db
from civictest.models import Finding, User
from civictest.models.base import parse_id
from civictest.review import bp
from civictest.review.fixcheck import fix_check
from civictest.review.forms import EvidenceForm, FindingForm, StatusForm
from civictest.review.labels import REDACTION, STATUS, error_message
from civictest.review.views import visible_service
from civictest.security import get_visible_or_404
from civictest.reporting import review as inbox
from civictest.services import findings
from civictest.services.errors import DomainError
from civictest.web.i18n import localized


def _finding_form(service, finding: Finding | None = None) -> FindingForm:  # noqa: ANN001
    form = FindingForm(obj=finding, task_ids=[t.id for t in finding.tasks] if finding else [])
    return form.fill(service.iterations, service.tasks, findings.owner_choices(service), localized)


def _new_form(service) -> tuple[FindingForm, list]:  # noqa: ANN001
    """The new-finding form; from the inbox it starts with the ticked comments, their tasks and iteration."""
    form = _finding_form(service)
    if request.method == "POST":
        return form, findings.service_comments(service, form.evidence_ids()) if form.evidence_ids() else []
    ids = [i for i in map(parse_id, request.args.getlist("comment")) if i is not None]
    comments = findings.service_comments(service, ids) if ids else []
    iteration = inbox.iteration_of(service, request.args.get("iteration"))
    form.severity.data, form.found_in_id.data = 2, iteration.id if iteration else None
    form.task_ids.data = sorted({c.task_id for c in comments if c.task_id})
    form.evidence.data = ",".join(str(c.id) for c in comments)
    return form, comments


@bp.route("/services/<int:service_id>/findings")
def register(service_id: int):
    service = visible_service(service_id)
    sort, direction, status = (request.args.get(k, "") for k in ("sort", "dir", "status"))
    sort = sort if sort in inbox.SORTS else "severity"
    direction = "asc" if direction == "asc" else "desc"
    rows = inbox.findings(service, sort, direction, status)
    return render_template("review/findings.html", service=service, findings=rows, sort=sort, direction=direction,
                           status=status)


@bp.route("/services/<int:service_id>/findings/new", methods=["GET", "POST"])
def new_finding(service_id: int):
    service = visible_service(service_id)
    form, comments = _new_form(service)
    if form.validate_on_submit():
        removed = findings.public_summary_redactions(form.values())
        finding = findings.create_finding(service, form.values(), current_user, [c.id for c in comments])
        flash(_("課題 #%(id)s を登録しました。", id=finding.id))
        _flash_redactions(removed)
        return redirect(url_for("review.finding", finding_id=finding.id))
    return _form_page(service, form, None, comments=comments)


@bp.route("/findings/<int:finding_id>/edit", methods=["GET", "POST"])
def edit_finding(finding_id: int):
    finding = get_visible_or_404(Finding, finding_id)
    service = visible_service(finding.service_id)
    form = _finding_form(service, finding)
    if form.validate_on_submit():
        removed = findings.public_summary_redactions(form.values())
        try:
            findings.update_finding(finding, form.values(), current_user)
        except DomainError as error:
            db.session.rollback()
            return _form_page(service, form, finding, error_message(error.message))
        flash(_("保存しました"))
        _flash_redactions(removed)
        return redirect(url_for("review.finding", finding_id=finding.id))
    return _form_page(service, form, finding)


def _flash_redactions(kinds: tuple[str, ...]) -> None:
    """Tell the staff member what the public summaries lost before they were saved (and published)."""
    if kinds:
        flash(_("公開用の要約に個人情報と思われる部分（%(kinds)s）があったため、記号に置き換えて保存しました。"
                "内容を確かめてください。", kinds=_("、").join(str(REDACTION[k]) for k in kinds)), "warning")


def _form_page(service, form: FindingForm, finding: Finding | None, error: str | None = None,  # noqa: ANN001, ANN202
               comments: list = ()):
    status = 400 if form.errors or error else 200
    return render_template("review/finding_form.html", service=service, form=form, finding=finding,
                           error=error, comments=comments), status


@bp.route("/findings/<int:finding_id>")
def finding(finding_id: int):
    finding = get_visible_or_404(Finding, finding_id)
    return _finding_page(finding, StatusForm())


def _finding_page(finding: Finding, form: StatusForm, error: str | None = None, status: int = 200):  # noqa: ANN202
    service = visible_service(finding.service_id)
    form.fill(findings.allowed_moves(finding.status), service.iterations, finding.fixed_in)
    return render_template(
        "review/finding.html", service=service, finding=finding, status_form=form, error=error,
        owner=db.session.get(User, finding.owner_id) if finding.owner_id else None,
        evidence_form=EvidenceForm(), check=fix_check(service, finding),
    ), status


@bp.route("/findings/<int:finding_id>/status", methods=["POST"])
def move_status(finding_id: int):
    finding = get_visible_or_404(Finding, finding_id)
    form = StatusForm()
    if not form.validate_on_submit():
        return _finding_page(finding, form, status=400)
    old, new = finding.status, form.status.data
    try:
        findings.move_status(finding, new, current_user, fixed_in_id=form.fixed_in_id.data,
                             verified_in_id=form.verified_in_id.data)
    except DomainError as error:
        db.session.rollback()
        message = error_message(error.message, old=STATUS.get(old, old), new=STATUS.get(new, new))
        return _finding_page(finding, form, message, error.status)
    flash(_("状態を「%(status)s」に変更しました。", status=STATUS[new]))
    return redirect(url_for("review.finding", finding_id=finding.id))


@bp.route("/findings/<int:finding_id>/evidence", methods=["POST"])
def remove_evidence(finding_id: int):
    finding = get_visible_or_404(Finding, finding_id)
    form = EvidenceForm()
    if form.validate_on_submit():
        findings.detach_evidence(finding, form.comment_ids.data or [], form.attempt_ids.data or [], current_user)
        flash(_("選んだ証拠を外しました。"))
    return redirect(url_for("review.finding", finding_id=finding.id) + "#evidence")
