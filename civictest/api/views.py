"""API endpoints: parse, check the caller may see the object (else 404), call one reports function, return JSON."""
from __future__ import annotations

from typing import Any

from flask import abort, current_app, g, jsonify, request

from civictest import reports
from civictest.api import bp
from civictest.extensions import db
from civictest.models import Iteration, Service
from civictest.security import can_see_service


def _visible(model: type, object_id: int) -> Any:
    """An iteration or service of a service the caller may see; anything else is 404, never 403."""
    obj = db.session.get(model, object_id)
    service_id = getattr(obj, "service_id", None) if model is Iteration else getattr(obj, "id", None)
    if obj is None or not can_see_service(g.api_user, service_id):
        abort(404)
    return obj


def _iteration_id(name: str) -> int:
    """A required positive integer query parameter, else 400."""
    value = request.args.get(name, type=int)
    if value is None or value < 1:
        abort(400)
    return value


@bp.get("/services")
def service_list():  # noqa: ANN201
    return jsonify(services=reports.services(g.api_user))


@bp.get("/iterations/<int:iteration_id>/report")
def iteration_report(iteration_id: int):  # noqa: ANN201
    return jsonify(reports.iteration_report(_visible(Iteration, iteration_id)))


@bp.get("/iterations/<int:iteration_id>/segments")
def iteration_segments(iteration_id: int):  # noqa: ANN201
    iteration = _visible(Iteration, iteration_id)
    return jsonify(reports.segments(iteration, current_app.config["SUPPRESSION_K"]))


@bp.get("/services/<int:service_id>/compare")
def service_compare(service_id: int):  # noqa: ANN201
    service = _visible(Service, service_id)
    base, candidate = _iteration_id("base"), _iteration_id("candidate")
    return jsonify(reports.compare(service, base, candidate))


@bp.get("/services/<int:service_id>/trend")
def service_trend(service_id: int):  # noqa: ANN201
    return jsonify(reports.trend(_visible(Service, service_id)))
