"""Product-owner pages: services, iteration dashboard, map, printable report, cross-department overview."""
from flask import render_template, request
from flask_login import current_user

from civictest import dashboards
from civictest.reporting import figures
from civictest.compare import bp, pages
from civictest.models import Iteration, Service
from civictest.security import get_visible_or_404, services_for

METRICS = ("participants", "inconvenience")


@bp.route("/")
def index():
    return render_template("compare/index.html", services=figures.services(current_user))


@bp.route("/iterations/<int:iteration_id>")
def dashboard(iteration_id: int):
    iteration = get_visible_or_404(Iteration, iteration_id)
    page = pages.dashboard(iteration, request.args.get("base", type=int), request.args.get("task", type=int))
    return render_template("compare/dashboard.html", **page)


@bp.route("/iterations/<int:iteration_id>/print")
def report(iteration_id: int):
    iteration = get_visible_or_404(Iteration, iteration_id)
    page = pages.printable(iteration, request.args.get("base", type=int), request.args.get("task", type=int))
    return render_template("compare/print.html", **page)


@bp.route("/iterations/<int:iteration_id>/map")
def area_map(iteration_id: int):
    iteration = get_visible_or_404(Iteration, iteration_id)
    metric = request.args.get("metric") if request.args.get("metric") in METRICS else "participants"
    level = request.args.get("level") if request.args.get("level") in dashboards.LEVELS else "municipality"
    page = pages.area_map(iteration, metric, level, request.args.get("task", type=int),
                          request.args.get("base", type=int))
    return render_template("compare/map.html", **page)


@bp.route("/overview")
def overview():
    sort = request.args.get("sort", "inconvenience")
    descending = request.args.get("order", "desc") != "asc"
    page = pages.overview(services_for(current_user), sort, descending)
    return render_template("compare/overview.html", **page)


@bp.route("/services/<int:service_id>/feedback")
def service_feedback(service_id: int):
    """Live-service feedback: satisfaction per iteration, the newest comments, the snippet for the service's site."""
    service = get_visible_or_404(Service, service_id, lambda s: s.id)
    page = max(request.args.get("page", 1, type=int) or 1, 1)
    return render_template("compare/feedback.html", **pages.service_feedback(service, min(page, 10_000)))
