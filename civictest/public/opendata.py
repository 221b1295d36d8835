"""Open data for everyone, no login: published iterations' aggregate packages (CSV, JSON, metadata).

An iteration that is not published does not exist here (404), whatever its id. Every file is served from the
snapshot stored when the iteration was published (services.publication), never recomputed; it was built by
civictest.exporting.opendata from the same report the dashboards use, with small cells suppressed; no free text.
"""
from __future__ import annotations

import json

from flask import abort, render_template

from civictest.exporting import opendata
from civictest.exporting.files import OPEN_DATA_FILES as FILES
from civictest.models import Iteration, PublishedSnapshot
from civictest.public import bp
from civictest.reporting import rows
from civictest.services import publication
from civictest.web.downloads import attachment

PUBLIC_CACHE = "public, max-age=300"


def _published(iteration_id: int) -> tuple[Iteration, PublishedSnapshot]:
    iteration = rows.published_iteration(iteration_id)
    if iteration is None:
        abort(404)
    return iteration, publication.ensure_snapshot(iteration)


def _name(iteration: Iteration, file: str) -> str:
    return f"civictest-opendata-{iteration.service_id}-{iteration.number}-{file}"


def _file(iteration_id: int, name: str):  # noqa: ANN202
    """A stored file of the newest published version, byte for byte as it was published."""
    iteration, snapshot = _published(iteration_id)
    body = snapshot.file_bytes(name)
    if body is None:
        abort(404)
    return attachment(body, _name(iteration, name), cache=PUBLIC_CACHE)


@bp.route("/open-data/")
def open_data_index():
    from civictest.services.survey_publication import published_waves

    return render_template("public/opendata_index.html", iterations=rows.published_iterations(),
                           survey_waves=published_waves())


@bp.route("/open-data/<int:iteration_id>/")
def open_data_dataset(iteration_id: int):
    iteration, snapshot = _published(iteration_id)
    meta = json.loads(snapshot.files["metadata.json"])
    return render_template("public/opendata_dataset.html", iteration=iteration, meta=meta, snapshot=snapshot,
                           preview=snapshot.preview, files=FILES,
                           dictionary=opendata.dictionary_table().to_dict(orient="records"))


@bp.route("/open-data/<int:iteration_id>/metrics.csv")
def open_data_metrics_csv(iteration_id: int):
    return _file(iteration_id, "metrics.csv")


@bp.route("/open-data/<int:iteration_id>/metrics.json")
def open_data_metrics_json(iteration_id: int):
    return _file(iteration_id, "metrics.json")


@bp.route("/open-data/<int:iteration_id>/metadata.json")
def open_data_metadata(iteration_id: int):
    return _file(iteration_id, "metadata.json")


@bp.route("/open-data/<int:iteration_id>/dictionary.csv")
def open_data_dictionary(iteration_id: int):
    return _file(iteration_id, "dictionary.csv")


@bp.route("/open-data/<int:iteration_id>/codes.csv")
def open_data_codes(iteration_id: int):
    return _file(iteration_id, "codes.csv")


@bp.route("/open-data/<int:iteration_id>/datapackage.json")
def open_data_datapackage(iteration_id: int):
    """Frictionless Data Package: the CSVs beside it (relative paths), each with its Table Schema."""
    return _file(iteration_id, "datapackage.json")
