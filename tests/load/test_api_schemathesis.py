"""schemathesis against a live server: the demo data behind `gunicorn app:app` on 127.0.0.1, the demo admin's
bearer token, every operation of the served OpenAPI document with a bounded number of generated requests
(valid ones and, for the parameters, invalid ones), then every demo object explicitly, all with the response
checks below. Zero failures expected; a document made wrong on purpose must fail."""
from __future__ import annotations

import time

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

pytestmark = pytest.mark.slow

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance,
          response_headers_conformance]
EXAMPLES = {schemathesis.GenerationMode.POSITIVE: 25, schemathesis.GenerationMode.NEGATIVE: 10}
BUDGET_SECONDS = 300  # the whole run; each request has its own timeout
DEMO_PASSWORD = "demo-password-for-the-api-test"


def _seed_demo() -> str:
    """The demo data set and a bearer token for its admin (what `flask users token` prints)."""
    from sqlalchemy import select

    from civictest.extensions import db
    from civictest.models import User
    from demo_snapshot import load_demo

    from civictest.services import accounts

    load_demo(DEMO_PASSWORD)
    admin = db.session.scalar(select(User).where(User.email == "admin@example.jp"))
    token = accounts.issue_api_token(admin)
    db.session.commit()
    return token


def _run(operation, mode, base_url: str, headers: dict, counts: dict) -> None:  # noqa: ANN001
    @settings(max_examples=EXAMPLES[mode], deadline=None, derandomize=True, database=None,
              phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
    @given(case=operation.as_strategy(generation_mode=mode))
    def check(case) -> None:  # noqa: ANN001
        response = case.call(base_url=base_url, headers=headers, timeout=30)
        counts[response.status_code] = counts.get(response.status_code, 0) + 1
        case.validate_response(response, checks=CHECKS, headers=headers)

    check()


def _demo_cases(schema, base_url: str, headers: dict) -> list[tuple[str, BaseException | None]]:  # noqa: ANN001
    """Each operation on every demo service and iteration (and each ordered pair of a service's iterations for
    compare, each iteration as the dashboard's base), answered 200 and checked like the generated ones."""
    operations = {r.ok().path: r.ok() for r in schema.get_all_operations()}
    services = requests.get(f"{base_url}/api/v1/services", headers=headers, timeout=30).json()["services"]
    calls = [("/api/v1/services", {}, {"per_page": 1}), ("/api/v1/overview", {}, {"per_page": 2, "page": 2}),
             ("/api/v1/openapi.json", {}, {"lang": "en"}), ("/api/v1/docs", {}, {"lang": "en"})]
    for service in services:
        ids = [i["id"] for i in service["iterations"]]
        calls.append(("/api/v1/services/{service_id}/trend", {"service_id": service["id"]}, {}))
        calls += [("/api/v1/services/{service_id}/compare", {"service_id": service["id"]},
                   {"base": base, "candidate": candidate}) for base in ids for candidate in ids if base != candidate]
        for iteration in ids:
            for name in ("report", "segments", "areas", "dashboard"):
                calls.append((f"/api/v1/iterations/{{iteration_id}}/{name}", {"iteration_id": iteration}, {}))
            calls += [("/api/v1/iterations/{iteration_id}/dashboard", {"iteration_id": iteration}, {"base": base})
                      for base in [0, *ids] if base != iteration]
    results = []
    for path, path_parameters, query in calls:
        case = operations[path].Case(path_parameters=path_parameters, query=query)
        try:
            response = case.call(base_url=base_url, headers=headers, timeout=30)
            assert response.status_code == 200, (path, path_parameters, query, response.status_code)
            case.validate_response(response, checks=CHECKS, headers=headers)
            results.append((path, None))
        except (Exception, BaseExceptionGroup) as error:  # noqa: BLE001 - report them all
            results.append((path, error))
    return results


def test_schemathesis_finds_nothing_on_the_live_api(scratch_db, start_server, figures):
    token = scratch_db.prepare(_seed_demo)
    server = start_server(scratch_db, workers=1)
    base_url = f"http://{server.base}"
    # The document as served (from_url would leave out the operation it was loaded from: /openapi.json itself).
    document = requests.get(f"{base_url}/api/v1/openapi.json", timeout=30).json()
    schema = schemathesis.openapi.from_dict(document)
    headers = {"Authorization": f"Bearer {token}"}
    counts, failures, labels = {}, [], []
    started = time.monotonic()
    for result in schema.get_all_operations():
        operation = result.ok()
        labels.append(operation.label)
        has_parameters = len(operation.path_parameters) + len(operation.query) > 0
        for mode in EXAMPLES if has_parameters else [schemathesis.GenerationMode.POSITIVE]:
            if time.monotonic() - started > BUDGET_SECONDS:
                pytest.fail(f"over the {BUDGET_SECONDS} s budget after {labels}")
            try:
                _run(operation, mode, base_url, headers, counts)
            except (Exception, BaseExceptionGroup) as error:  # noqa: BLE001 - every operation's failures, then report
                failures.append(f"{operation.label} [{mode.value}]: {error}")
    figures(f"{len(labels)} operations, {sum(counts.values())} requests (by status: {dict(sorted(counts.items()))}), "
            f"{len(failures)} failing, {time.monotonic() - started:.1f} s")
    assert failures == [], "\n\n".join(failures)
    assert sorted(labels) == sorted(f"GET {path}" for path in document["paths"]), labels
    assert counts.get(200, 0) > 50 and counts.get(404) and counts.get(400), counts  # real objects were reached

    # Every real object of the demo too (generated ids rarely name two iterations of one service).
    explicit = _demo_cases(schema, base_url, headers)
    figures(f"{len(explicit)} explicit requests on every demo service, iteration and pair of iterations")
    failing = [label for label, error in explicit if error]
    assert failing == [], "\n\n".join(str(error) for _, error in explicit if error)

    # The same run catches an answer that does not fit the document: require a key the report never has.
    document["components"]["schemas"]["IterationReport"]["required"].append("not_in_the_payload")
    wrong = schemathesis.openapi.from_dict(document)
    report = next(r.ok() for r in wrong.get_all_operations() if r.ok().path.endswith("/report"))
    with pytest.raises(BaseExceptionGroup) as caught:  # schemathesis' FailureGroup
        _run(report, schemathesis.GenerationMode.POSITIVE, base_url, headers, {})
    assert any("not_in_the_payload" in str(failure) for failure in caught.value.exceptions)
