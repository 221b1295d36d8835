"""An iteration's export files as bytes: the staff figures, a comparison, the raw rows and the open-data table.

Built from the stored data for the download views (compare, manage, public) and the CLI alike; the views
add the audit event and the attachment headers. Needs an app context (configuration) and, for the open-data
package's URL, a request context (the URL's host comes from PUBLIC_BASE_URL, never from the request).
"""
from __future__ import annotations

from flask import current_app

from civictest.reporting import figures, rows
from civictest.exporting import opendata, staff
from civictest.exporting.writers import to_csv_bytes, to_json_bytes, to_xlsx_bytes
from civictest.instruments import instrument
from civictest.models import Iteration
from civictest.web.urls import public_url


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
