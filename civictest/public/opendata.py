"""Open data for everyone, no login: published iterations' aggregate packages (CSV, JSON, metadata).

An iteration that is not published does not exist here (404), whatever its id. Every figure is built by
civictest.exporting.opendata from the same report the dashboards use, with small cells suppressed; no free text.
"""
from __future__ import annotations

from flask import abort, render_template

from civictest.reporting import rows
from civictest.exporting import datapackage as opendata_datapackage
from civictest.exporting import metadata as opendata_metadata
from civictest.exporting import opendata
from civictest.exporting.files import open_data_metrics, package_info, suppression_k
from civictest.exporting.writers import to_csv_bytes, to_json_bytes
from civictest.models import Iteration
from civictest.public import bp
from civictest.web.downloads import attachment
from civictest.web.urls import public_url

PUBLIC_CACHE = "public, max-age=300"
FILES = (  # (endpoint, file name, format, description ja, en) in the order the dataset page lists them
    ("public.open_data_metrics_csv", "metrics.csv", "CSV", "集計結果（縦持ち、UTF-8 BOM付き）",
     "Figures (long format, UTF-8 with BOM)"),
    ("public.open_data_metrics_json", "metrics.json", "JSON", "集計結果（英字の項目名）", "Figures (ASCII field names)"),
    ("public.open_data_metadata", "metadata.json", "JSON", "メタデータ（ライセンス、出典、期間、項目）",
     "Metadata (licence, attribution, period, columns)"),
    ("public.open_data_dictionary", "dictionary.csv", "CSV", "項目定義（日本語名と英字の物理名）",
     "Data dictionary (Japanese and ASCII names)"),
    ("public.open_data_codes", "codes.csv", "CSV", "コード表", "Code table"),
    ("public.open_data_datapackage", "datapackage.json", "JSON",
     "データパッケージ（Frictionless Data Package: CSV ごとの Table Schema、ライセンス、出典）",
     "Data package (Frictionless Data Package: a Table Schema per CSV, licence, sources)"),
)

MEDIA_TYPES = {"datapackage.json": "application/vnd.datapackage+json"}


def _published(iteration_id: int) -> Iteration:
    iteration = rows.published_iteration(iteration_id)
    if iteration is None:
        abort(404)
    return iteration


def metadata(iteration: Iteration) -> dict:
    files = [{"title": {"ja": title_ja, "en": title_en}, "format": kind, "file": name,
              "mediaType": MEDIA_TYPES.get(name, "text/csv" if kind == "CSV" else "application/json"),
              "url": public_url(endpoint, iteration_id=iteration.id)}
             for endpoint, name, kind, title_ja, title_en in FILES]
    return opendata_metadata.metadata(package_info(iteration), suppression_k(), files)


def _name(iteration: Iteration, file: str) -> str:
    return f"civictest-opendata-{iteration.service_id}-{iteration.number}-{file}"


@bp.route("/open-data/")
def open_data_index():
    return render_template("public/opendata_index.html", iterations=rows.published_iterations())


@bp.route("/open-data/<int:iteration_id>/")
def open_data_dataset(iteration_id: int):
    iteration = _published(iteration_id)
    return render_template("public/opendata_dataset.html", iteration=iteration, meta=metadata(iteration),
                           preview=opendata.preview_rows(open_data_metrics(iteration)), files=FILES,
                           dictionary=opendata.dictionary_table().to_dict(orient="records"))


@bp.route("/open-data/<int:iteration_id>/metrics.csv")
def open_data_metrics_csv(iteration_id: int):
    iteration = _published(iteration_id)
    return attachment(to_csv_bytes(open_data_metrics(iteration)), _name(iteration, "metrics.csv"), cache=PUBLIC_CACHE)


@bp.route("/open-data/<int:iteration_id>/metrics.json")
def open_data_metrics_json(iteration_id: int):
    iteration = _published(iteration_id)
    meta = metadata(iteration)
    body = {key: meta[key] for key in ("title", "license", "attribution", "issued", "temporal", "suppression")}
    body["records"] = opendata.records(open_data_metrics(iteration))
    return attachment(to_json_bytes(body, indent=1), _name(iteration, "metrics.json"), cache=PUBLIC_CACHE)


@bp.route("/open-data/<int:iteration_id>/metadata.json")
def open_data_metadata(iteration_id: int):
    iteration = _published(iteration_id)
    return attachment(to_json_bytes(metadata(iteration), indent=1), _name(iteration, "metadata.json"),
                      cache=PUBLIC_CACHE)


@bp.route("/open-data/<int:iteration_id>/dictionary.csv")
def open_data_dictionary(iteration_id: int):
    iteration = _published(iteration_id)
    body = to_csv_bytes(opendata.dictionary_table())
    return attachment(body, _name(iteration, "dictionary.csv"), cache=PUBLIC_CACHE)


@bp.route("/open-data/<int:iteration_id>/codes.csv")
def open_data_codes(iteration_id: int):
    iteration = _published(iteration_id)
    codes = opendata.code_table(opendata.municipality_codes(open_data_metrics(iteration)))
    return attachment(to_csv_bytes(codes), _name(iteration, "codes.csv"), cache=PUBLIC_CACHE)


@bp.route("/open-data/<int:iteration_id>/datapackage.json")
def open_data_datapackage(iteration_id: int):
    """Frictionless Data Package: the CSVs beside it (relative paths), each with its Table Schema."""
    iteration = _published(iteration_id)
    body = opendata_datapackage.datapackage(package_info(iteration), metadata(iteration))
    return attachment(to_json_bytes(body, indent=1), _name(iteration, "datapackage.json"), cache=PUBLIC_CACHE)
