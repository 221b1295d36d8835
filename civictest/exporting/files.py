"""An iteration's export files as bytes: the staff figures, a comparison, the raw rows and the open-data table.

Built from the stored data for the download views (compare, manage, public) and the CLI alike; the views
add the audit event and the attachment headers. Needs an app context (configuration) and, for the open-data
package's URL, a request context (the URL's host comes from PUBLIC_BASE_URL, never from the request).
"""
from __future__ import annotations

import json

from flask import current_app, has_request_context

from civictest.reporting import figures, rows
from civictest.exporting import opendata, staff
from civictest.exporting.writers import to_csv_bytes, to_json_bytes, to_xlsx_bytes
from civictest.instruments import instrument
from civictest.models import Iteration
from civictest.web.urls import public_url, site_url


def suppression_k() -> int:
    """Counts below this are suppressed in every aggregate file."""
    return int(current_app.config.get("SUPPRESSION_K", 5))


def package_info(iteration: Iteration) -> opendata.PackageInfo:
    """What the package says about its publisher and iteration (the city's code comes from configuration)."""
    service, study = iteration.service, iteration.study
    return opendata.PackageInfo(
        iteration_id=iteration.id, department_ja=service.department.name_ja, service_ja=service.name_ja,
        iteration_number=iteration.number, iteration_label=iteration.label, starts_on=iteration.starts_on,
        ends_on=iteration.ends_on, publisher_code=current_app.config.get("OPEN_DATA_LG_CODE"),
        department_en=service.department.name_en, service_en=service.name_en,
        published_at=iteration.published_at, questionnaire=study.questionnaire,
        partial_counts_as_success=study.partial_counts_as_success,
        instrument_id=instrument(study.questionnaire).get("instrument_id", ""),
        url=public_url("public.open_data_dataset", iteration_id=iteration.id),
    )


def open_data_metrics(iteration: Iteration):  # noqa: ANN201
    """The suppressed long table of a published iteration."""
    return opendata.metrics_table(figures.iteration_report(iteration), package_info(iteration),
                                  rows.profile_counts(iteration), suppression_k())


def figures_file(iteration: Iteration, kind: str) -> bytes:
    """The iteration's figures: the open-data table without withholding statistics (counts still suppressed)."""
    report = figures.iteration_report(iteration)
    table = opendata.metrics_table(report, package_info(iteration), rows.profile_counts(iteration),
                                   suppression_k(), withhold_statistics=False)
    if kind == "csv":
        return to_csv_bytes(table)
    if kind == "xlsx":
        return to_xlsx_bytes({"集計結果": table, "項目定義": opendata.dictionary_table(),
                              "コード表": opendata.code_table(opendata.municipality_codes(table))})
    return to_json_bytes({**report, "records": opendata.records(table)}, indent=1)


def comparison_file(base: Iteration, candidate: Iteration, kind: str) -> bytes:
    result = figures.compare(candidate.service, base.id, candidate.id)
    if kind == "json":
        return to_json_bytes(result, indent=1)
    table = staff.comparison_table(result)
    return to_csv_bytes(table) if kind == "csv" else to_xlsx_bytes({"比較": table})


def raw_file(iteration: Iteration, what: str, kind: str) -> bytes:
    """The attempts or comments table of an iteration (pseudonyms shared by both files)."""
    names = staff.pseudonyms(rows.reportable_participant_ids(iteration))
    if what == "attempts":
        table = staff.attempts_table(rows.raw_attempts(iteration), names)
        columns, sheet = staff.ATTEMPT_COLUMNS, "試行"
    else:
        table = staff.comments_table(rows.raw_comments(iteration), names)
        columns, sheet = staff.COMMENT_COLUMNS, "コメント"
    if kind == "csv":
        return to_csv_bytes(table)
    return to_xlsx_bytes({sheet: table, "項目定義": staff.dictionary(columns)})


OPEN_DATA_FILES = (  # (endpoint, file name, format, description ja, en) in the order the dataset page lists them
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
OPEN_DATA_MEDIA_TYPES = {"datapackage.json": "application/vnd.datapackage+json"}


def open_data_metadata(iteration: Iteration) -> dict:
    """The package's metadata, listing every file with its public URL."""
    from civictest.exporting import metadata as opendata_metadata

    files = [{"title": {"ja": title_ja, "en": title_en}, "format": kind, "file": name,
              "mediaType": OPEN_DATA_MEDIA_TYPES.get(name, "text/csv" if kind == "CSV" else "application/json"),
              "url": public_url(endpoint, iteration_id=iteration.id)}
             for endpoint, name, kind, title_ja, title_en in OPEN_DATA_FILES]
    return opendata_metadata.metadata(package_info(iteration), suppression_k(), files)


def open_data_package(iteration: Iteration) -> tuple[dict[str, bytes], list[dict]]:
    """Every open-data file of an iteration ({name: bytes}) and the dataset page's preview rows, built now
    from the stored data: what publication freezes. Outside a request (CLI, demo) the URLs are built in a
    stand-in request, as relative paths unless PUBLIC_BASE_URL is set."""
    if not has_request_context():
        with current_app.test_request_context("/", base_url=site_url()):
            return open_data_package(iteration)
    from civictest.exporting import datapackage as opendata_datapackage

    table = open_data_metrics(iteration)
    meta = open_data_metadata(iteration)
    body = {key: meta[key] for key in ("title", "license", "attribution", "issued", "temporal", "suppression")}
    body["records"] = opendata.records(table)
    files = {
        "metrics.csv": to_csv_bytes(table),
        "metrics.json": to_json_bytes(body, indent=1),
        "metadata.json": to_json_bytes(meta, indent=1),
        "dictionary.csv": to_csv_bytes(opendata.dictionary_table()),
        "codes.csv": to_csv_bytes(opendata.code_table(opendata.municipality_codes(table))),
        "datapackage.json": to_json_bytes(opendata_datapackage.datapackage(package_info(iteration), meta), indent=1),
    }
    preview = json.loads(to_json_bytes(opendata.preview_rows(table)))
    return files, preview
