"""Service-team pages: the review index and the comments inbox (filters, search, paging, bulk tag / attach)."""
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from civictest.extensions import db
from civictest.models import Finding, Service
from civictest.review import bp
from civictest.review.forms import BulkForm, option
from civictest.review.labels import error_message, template_globals
from civictest.security import get_visible_or_404, services_for
from civictest.reporting import review as inbox
from civictest.services import findings
from civictest.services.errors import DomainError, InvalidInput
from civictest.reporting.review import InboxFilter


@bp.context_processor
def _labels() -> dict:
    return template_globals()


def visible_service(service_id: int) -> Service:
    """A service the current user may see; any other is 404 (its existence is not confirmed)."""
    return get_visible_or_404(Service, service_id, lambda s: s.id)


@bp.route("/")
def index():
    return render_template("review/index.html", overview=inbox.service_overview(services_for(current_user)))


@bp.route("/services/<int:service_id>/comments", methods=["GET", "POST"])
def comments(service_id: int):
    service = visible_service(service_id)
    iteration = inbox.iteration_of(service, request.args.get("iteration"))
    if iteration is None:
        abort(404)
    form = BulkForm()
    if request.method == "POST":
        if not form.validate_on_submit():
            abort(400)
        try:
            if form.action.data == "new":  # a new finding that starts with these comments as evidence
                ids = [c.id for c in findings.service_comments(service, form.comment_ids.data or [])]
                return redirect(url_for("review.new_finding", service_id=service.id, iteration=iteration.id, comment=ids))
            flash(_bulk_action(service, form))
        except DomainError as error:
            db.session.rollback()
            return _inbox_page(service, iteration, form, error_message(error.message), 400)
        return redirect(_same_inbox(service))
    return _inbox_page(service, iteration, form)


def _same_inbox(service: Service) -> str:
    """The inbox with the filters it was posted from. Query names are not url_for's arguments: the path's own
    id, `endpoint` and the reserved `_external`, `_scheme`, `_anchor`, ... are dropped; repeated names keep
    every value."""
    args = {name: values for name, values in request.args.lists()
            if name not in ("service_id", "endpoint") and not name.startswith("_")}
    return url_for("review.comments", service_id=service.id, **args)


def _inbox_page(service: Service, iteration, form: BulkForm, error: str | None = None, status: int = 200):  # noqa: ANN001, ANN202
    f = InboxFilter.from_args(request.args)
    choices = inbox.finding_choices(service)
    form.finding_id.choices = [("", _("選んでください"))] + [option(x.id, f"#{x.id} {x.title}") for x in choices]
    return render_template(
        "review/comments.html", service=service, iteration=iteration, f=f, page=inbox.inbox(service, iteration, f),
        tags=inbox.service_tags(service), form=form, error=error, selected=set(form.comment_ids.data or []),
        has_findings=bool(choices),
    ), status


def _bulk_action(service: Service, form: BulkForm) -> str:
    """Run the ticked comments' action and say what was done."""
    ids = form.comment_ids.data or []
    if form.action.data == "tag":
        tag = findings.tag_comments(service, ids, form.tag_name.data or "", current_user)
        return _("%(n)s件のご意見にタグ「%(tag)s」を付けました。", n=len(ids), tag=tag.name)
    if form.action.data == "attach":
        finding = db.session.get(Finding, form.finding_id.data) if form.finding_id.data else None
        if finding is None or finding.service_id != service.id:
            raise InvalidInput("finding")
        findings.attach_comments(finding, ids, current_user)
        return _("%(n)s件のご意見を課題 #%(id)s の証拠に追加しました。", n=len(ids), id=finding.id)
    raise InvalidInput("action")


from civictest.review import findings_views  # noqa: E402,F401 - the register's routes
