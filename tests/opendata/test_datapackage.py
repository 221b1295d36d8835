"""The open-data package as a Frictionless Data Package: the descriptor (pure) and frictionless' own verdict on
the demo's published iteration (datapackage.json and its CSVs written side by side, relative paths)."""
import json
import threading

import frictionless
import pytest
from opendata.test_opendata_tables import INFO, PROFILE, report

from civictest.exporting import datapackage, metadata, opendata
from civictest.exporting.writers import to_csv_bytes, to_json_bytes
from civictest.reporting import rows
from civictest.services import demo

RESOURCE_FILES = ("metrics.csv", "dictionary.csv", "codes.csv")


def descriptor() -> dict:
    meta = metadata.metadata(INFO, 5, [])
    return json.loads(to_json_bytes(datapackage.datapackage(INFO, meta)))


def fields(package: dict, resource: str) -> dict:
    schema = next(r for r in package["resources"] if r["name"] == resource)["schema"]
    return {field["name"]: field for field in schema["fields"]}


def test_descriptor_keeps_japanese_titles_with_english_translations_and_the_metadata_licence():
    package = descriptor()
    meta = json.loads(to_json_bytes(metadata.metadata(INFO, 5, [])))
    assert package["profile"] == "tabular-data-package" and package["name"] == "civictest-iteration-12"
    assert package["title"] == meta["title"]["ja"] and package["translations"]["en"]["title"] == meta["title"]["en"]
    assert package["licenses"] == [{"name": "CC-BY-4.0", "path": meta["license"]["url"],
                                    "title": meta["license"]["name_ja"],
                                    "translations": {"en": {"title": meta["license"]["name_en"]}}}]
    assert package["sources"][0]["title"] == "江東区子ども家庭部"
    assert package["attribution"] == meta["attribution"] and package["created"] == "2026-11-01T09:00:00Z"
    assert [r["path"] for r in package["resources"]] == list(RESOURCE_FILES)  # relative, beside datapackage.json


def test_metrics_schema_types_descriptions_key_and_the_suppressed_enum():
    package = descriptor()
    metrics = fields(package, "metrics")
    assert list(metrics) == opendata.JA_COLUMNS  # the CSV's header row, in order
    schema = package["resources"][0]["schema"]
    assert schema["primaryKey"] == ["ID"] and schema["missingValues"] == [""]
    for code in ("全国地方公共団体コード", "ID", "区分値", "指標コード"):
        assert metrics[code]["type"] == "string", code  # leading zeros (011002) survive
    assert metrics["全国地方公共団体コード"]["constraints"]["pattern"] == "[0-9]{6}"
    assert metrics["秘匿"]["type"] == "integer"
    assert metrics["秘匿"]["constraints"] == {"required": True, "enum": [0, 1]}
    assert (metrics["値"]["type"], metrics["回答数"]["type"], metrics["実施期間_開始日"]["type"]) == (
        "number", "integer", "date")
    dictionary = {row["項目名"]: row for row in opendata.dictionary_table().to_dict(orient="records")}
    for name, field in metrics.items():
        assert field["description"] == dictionary[name]["説明"]
        assert field["translations"]["en"]["description"] == dictionary[name]["説明（英語）"]
        assert field["physical_name"] == dictionary[name]["物理名"]
    assert fields(package, "codes")["コード"]["type"] == "string"
    assert package["resources"][2]["schema"]["primaryKey"] == ["コード種別", "コード"]


def _write_package(folder, frame) -> None:
    files = {"metrics.csv": to_csv_bytes(frame), "dictionary.csv": to_csv_bytes(opendata.dictionary_table()),
             "codes.csv": to_csv_bytes(opendata.code_table(opendata.municipality_codes(frame))),
             "datapackage.json": to_json_bytes(descriptor(), indent=1)}
    for name, body in files.items():
        (folder / name).write_bytes(body)


def test_frictionless_accepts_the_descriptor_and_a_table(tmp_path):
    """Pure end to end: the table, dictionary and codes written beside the descriptor validate."""
    _write_package(tmp_path, opendata.metrics_table(report(), INFO, PROFILE, 5))
    result = frictionless.validate(str(tmp_path / "datapackage.json"))
    assert result.valid, result.flatten(["rowNumber", "fieldName", "type", "note"])[:10]
    assert [task.labels[0] for task in result.tasks] == ["全国地方公共団体コード", "項目名", "コード種別"]  # BOM read


def test_the_schema_is_enforced_not_decorative(tmp_path):
    """A 秘匿 value outside {0, 1}, a 5-digit code and a repeated ID each make frictionless report an error."""
    frame = opendata.metrics_table(report(), INFO, PROFILE, 5)
    frame.loc[0, "秘匿"] = 2
    frame.loc[1, "全国地方公共団体コード"] = "13108"
    frame.loc[2, "ID"] = frame.loc[3, "ID"]
    _write_package(tmp_path, frame)
    result = frictionless.validate(str(tmp_path / "datapackage.json"))
    found = {(row[1], row[2]) for row in result.flatten(["rowNumber", "fieldName", "type"])}
    assert not result.valid
    assert {("秘匿", "constraint-error"), ("全国地方公共団体コード", "constraint-error")} <= found
    assert any(kind == "primary-key" for _, kind in found)


@pytest.fixture
def demo_iteration(ctx, app, monkeypatch):
    monkeypatch.setitem(app.config, "OPEN_DATA_LG_CODE", "131083")
    demo.load(password="demo-password-2026")
    published = rows.published_iterations()
    assert published, "the demo publishes iterations"
    return published[0]


def test_the_demos_published_iteration_is_a_valid_data_package(client, demo_iteration, tmp_path):
    """Every file served for the demo's published iteration, written side by side: frictionless finds 0 errors."""
    base = f"/open-data/{demo_iteration.id}/"
    page = client.get(base).get_data(as_text=True)
    assert f"{base}datapackage.json" in page  # linked from the dataset page
    meta = json.loads(client.get(f"{base}metadata.json").data)
    assert "datapackage.json" in {d["file"] for d in meta["distributions"]}
    package = json.loads(client.get(f"{base}datapackage.json").data)
    assert package["licenses"][0]["name"] == meta["license"]["id"] == "CC-BY-4.0"
    (tmp_path / "datapackage.json").write_text(json.dumps(package, ensure_ascii=False), encoding="utf-8")
    for resource in package["resources"]:
        response = client.get(base + resource["path"])
        assert response.status_code == 200, resource["path"]
        (tmp_path / resource["path"]).write_bytes(response.data)
    result = frictionless.validate(str(tmp_path / "datapackage.json"))
    errors = result.flatten(["taskNumber", "rowNumber", "fieldName", "type", "note"])
    assert result.valid and result.stats["errors"] == 0, errors[:10]
    assert [task.stats["rows"] > 0 for task in result.tasks] == [True] * 3
    metrics = frictionless.Resource(str(tmp_path / "metrics.csv"), schema=frictionless.Schema.from_descriptor(
        package["resources"][0]["schema"]))
    first = metrics.read_rows()[0]
    assert first["全国地方公共団体コード"] == "131083" and first["都道府県名"] == "東京都"


@pytest.fixture
def live_server(app):
    """The app served by werkzeug on 127.0.0.1 (an ephemeral port) in a thread, for clients that fetch URLs."""
    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=10)


def test_frictionless_validates_the_demo_package_over_http(demo_iteration, live_server):
    """frictionless fetches datapackage.json from a live server and each CSV by its relative path."""
    result = frictionless.validate(f"{live_server}/open-data/{demo_iteration.id}/datapackage.json")
    errors = result.flatten(["taskNumber", "rowNumber", "fieldName", "type", "note"])
    assert result.valid and result.stats["errors"] == 0, errors[:10]
    assert sorted(task.name for task in result.tasks) == ["codes", "dictionary", "metrics"]
