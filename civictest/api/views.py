"""API endpoints: parse, check the caller may see the object (else 404), call one reporting function, return JSON.

Every figure a page shows is here too: the dashboard's whole set at /iterations/<id>/dashboard, the maps' at
/iterations/<id>/areas and the cross-department overview at /overview."""
from __future__ import annotations

from typing import Any

from flask import abort, current_app, g, jsonify, request

from civictest.compare.pages import dashboard_figures, pick_base
from civictest.reporting import figures
from civictest.api import bp
from civictest.extensions import db
from civictest.models import Iteration, Service
from civictest.models.base import parse_id
from civictest.security import can_see_service, services_for


def _visible(model: type, object_id: int) -> Any:
    """An iteration or service of a service the caller may see; anything else is 404, never 403."""
    obj = db.session.get(model, object_id)
    service_id = getattr(obj, "service_id", None) if model is Iteration else getattr(obj, "id", None)
    if obj is None or not can_see_service(g.api_user, service_id):
        abort(404)
    return obj


def _iteration_id(name: str) -> int:
    """A required positive integer query parameter, else 400."""
    value = parse_id(request.args.get(name))
    if value is None:
        abort(400)
    return value


@bp.get("/services")
def service_list():  # noqa: ANN201
    return jsonify(services=figures.services(g.api_user))


@bp.get("/iterations/<int:iteration_id>/report")
def iteration_report(iteration_id: int):  # noqa: ANN201
    return jsonify(figures.iteration_report(_visible(Iteration, iteration_id)))


@bp.get("/iterations/<int:iteration_id>/segments")
def iteration_segments(iteration_id: int):  # noqa: ANN201
    iteration = _visible(Iteration, iteration_id)
    return jsonify(figures.segments(iteration, current_app.config["SUPPRESSION_K"]))


@bp.get("/services/<int:service_id>/compare")
def service_compare(service_id: int):  # noqa: ANN201
    service = _visible(Service, service_id)
    base, candidate = _iteration_id("base"), _iteration_id("candidate")
    return jsonify(figures.compare(service, base, candidate))


@bp.get("/services/<int:service_id>/trend")
def service_trend(service_id: int):  # noqa: ANN201
    return jsonify(figures.trend(_visible(Service, service_id)))


def _figures() -> figures.Figures:
    return figures.Figures(current_app.config["SUPPRESSION_K"])


@bp.get("/iterations/<int:iteration_id>/dashboard")
def iteration_dashboard(iteration_id: int):  # noqa: ANN201
    """The dashboard's figures; ?base=<id> compares with that iteration (0: none; default: the previous one),
    ?task=<id> picks the task whose segments are given (default: the first whose inconvenience changed)."""
    iteration = _visible(Iteration, iteration_id)
    base = pick_base(iteration, request.args.get("base", type=int))
    return jsonify({"iteration": iteration_id, "base": base.id if base else None,
                    **dashboard_figures(_figures(), iteration, base, request.args.get("task", type=int))})


@bp.get("/iterations/<int:iteration_id>/areas")
def iteration_areas(iteration_id: int):  # noqa: ANN201
    """Participants and inconvenience per municipality (?task=<id> for one task), before the maps' suppression."""
    return jsonify(_figures().areas(_visible(Iteration, iteration_id), request.args.get("task", type=int)))


@bp.get("/overview")
def overview():  # noqa: ANN201
    return jsonify(services=_figures().overview(services_for(g.api_user)))
