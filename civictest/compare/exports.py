"""Staff downloads of figures: an iteration's report and a comparison, as CSV, XLSX or JSON, audited.

On the compare blueprint, so product owners download too. Raw rows are on the manage blueprint
(civictest.manage.exports): they are for the service's own team. The files are built by
civictest.exporting.files, which the CLI's `export` uses too.
"""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from civictest.compare import bp
from civictest.exporting.files import comparison_file, figures_file
from civictest.extensions import db
from civictest.models import Iteration
from civictest.models.base import parse_id
from civictest.security import audit, get_visible_or_404, services_for
from civictest.web.downloads import FORMATS, attachment


def _format() -> str:
    kind = request.form.get("format", "csv")
    if kind not in FORMATS:
        abort(404)
    return kind


def _audited(iteration: Iteration, what: str, kind: str, **detail: object) -> None:
    audit("export", iteration, what=what, format=kind, **detail)
    db.session.commit()


@bp.route("/downloads/")
def downloads():
    return render_template("compare/downloads.html", services=services_for(current_user))


@bp.route("/iterations/<int:iteration_id>/downloads")
def iteration_downloads(iteration_id: int):
    iteration = get_visible_or_404(Iteration, iteration_id)
    bases = [i for i in iteration.service.iterations if i.number < iteration.number]
    return render_template("compare/iteration_downloads.html", iteration=iteration, bases=list(reversed(bases)),
                           raw_allowed=current_user.role in ("service_team", "admin"))


# Downloads are POSTs: each one writes an audit event, and a GET must not change anything (prefetchers,
# crawlers and link checkers would fill the audit log).
@bp.route("/iterations/<int:iteration_id>/export", methods=["POST"])
def export_figures(iteration_id: int):
    iteration, kind = get_visible_or_404(Iteration, iteration_id), _format()
    body = figures_file(iteration, kind)
    _audited(iteration, "figures", kind)
    return attachment(body, f"civictest-{iteration.service_id}-v{iteration.number}-figures.{kind}")


@bp.route("/iterations/<int:iteration_id>/comparison-export", methods=["POST"])
def export_comparison(iteration_id: int):
    candidate, kind = get_visible_or_404(Iteration, iteration_id), _format()
    base_id = parse_id(request.form.get("base")) or candidate.previous_id
    if base_id is None:
        flash(_("比較できる前の版がありません。"), "error")
        return redirect(url_for("compare.iteration_downloads", iteration_id=candidate.id))
    base = get_visible_or_404(Iteration, base_id)
    if base.service_id != candidate.service_id or base.id == candidate.id:
        abort(404)
    body = comparison_file(base, candidate, kind)
    _audited(candidate, "comparison", kind, base=base.id)
    name = f"civictest-{candidate.service_id}-v{base.number}-v{candidate.number}-comparison.{kind}"
    return attachment(body, name)
