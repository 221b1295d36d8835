"""Public open data: no login, published iterations only, suppressed figures, no free text, proper files."""
import io
import json

import pandas as pd
import pytest
from exports.residents import COMMENTS, add_residents
from helpers import make_service

from civictest.extensions import db
from civictest.services import catalog

FILES = ("metrics.csv", "metrics.json", "metadata.json", "dictionary.csv", "codes.csv", "datapackage.json")


@pytest.fixture
def published(ctx):
    service = make_service(tasks=2)
    first = service.iterations[0]
    add_residents(first, count=14, withdrawn=1)
    catalog.set_published(first, True)
    second = catalog.create_iteration(service, "未公開の版")
    db.session.commit()
    add_residents(second, count=9, seed=3)
    return service


def test_index_lists_only_published_iterations(client, published):
    page = client.get("/open-data/")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    first, second = published.iterations
    assert f"/open-data/{first.id}/" in html and f"/open-data/{second.id}/" not in html


def test_unpublished_iterations_do_not_exist_publicly(client, published):
    second = published.iterations[1]
    assert client.get(f"/open-data/{second.id}/").status_code == 404
    for name in FILES:
        assert client.get(f"/open-data/{second.id}/{name}").status_code == 404
    assert client.get("/open-data/99999/metrics.csv").status_code == 404


def test_withdrawing_publication_hides_everything_again(client, published):
    first = published.iterations[0]
    assert client.get(f"/open-data/{first.id}/metrics.csv").status_code == 200
    catalog.set_published(db.session.get(type(first), first.id), False)
    db.session.commit()
    assert client.get(f"/open-data/{first.id}/metrics.csv").status_code == 404
    assert f"/open-data/{first.id}/" not in client.get("/open-data/").get_data(as_text=True)


def test_every_file_downloads_without_login_and_has_no_free_text(client, published):
    first = published.iterations[0]
    page = client.get(f"/open-data/{first.id}/")
    assert page.status_code == 200 and "表示 4.0 国際" in page.get_data(as_text=True)
    for name in FILES:
        response = client.get(f"/open-data/{first.id}/{name}")
        assert response.status_code == 200, name
        assert response.headers["Content-Disposition"].startswith("attachment;")
        text = response.data.decode("utf-8-sig")
        assert not [c for c in COMMENTS if c[:6] in text], name  # no comment text in any file
    assert client.get(f"/open-data/{first.id}/metrics.csv").headers["Content-Type"] == "text/csv; charset=utf-8"
    assert client.get(f"/open-data/{first.id}/metadata.json").headers["Content-Type"] == "application/json"


def test_metrics_csv_reads_with_pandas_and_follows_the_rules(client, published):
    first = published.iterations[0]
    raw = client.get(f"/open-data/{first.id}/metrics.csv").data
    assert raw.startswith(b"\xef\xbb\xbf") and b"\r\n" in raw
    frame = pd.read_csv(io.BytesIO(raw), encoding="utf-8-sig", dtype={"区分値": str, "ID": str})
    assert frame.columns[0] == "全国地方公共団体コード" and frame["ID"].is_unique
    total = frame[(frame["指標コード"] == "participants") & frame["区分名"].isna()]["値"].item()
    assert total == 13  # 14 joined, 1 withdrawn
    ages = frame[frame["区分名"] == "年代"]
    hidden = ages[ages["秘匿"] == 1]
    assert len(hidden) != 1 and hidden["値"].isna().all()  # never a single hidden cell next to a total
    assert total - ages[ages["秘匿"] == 0]["値"].sum() >= 5 or hidden.empty
    places = frame[frame["区分名"] == "市区町村"]["区分値"]
    assert places.notna().all() and places[places != "unknown"].str.fullmatch(r"\d{6}").all()
    codes = pd.read_csv(io.BytesIO(client.get(f"/open-data/{first.id}/codes.csv").data), encoding="utf-8-sig",
                        dtype=str, keep_default_na=False)
    listed = codes[codes["コード種別"] == "区分値（市区町村）"]
    assert set(listed["コード"]) == set(places) and not codes["コード"].str.contains("（").any()


def test_metadata_and_json_name_the_licence_and_period(client, published):
    first = published.iterations[0]
    meta = json.loads(client.get(f"/open-data/{first.id}/metadata.json").data)
    assert meta["license"]["id"] == "CC-BY-4.0" and meta["attribution"]["ja"].startswith("出典：")
    assert meta["temporal"]["start"] == "2026-01-01" and meta["encoding"] == "UTF-8 (BOM付き)"
    assert {d["file"] for d in meta["distributions"]} == set(FILES)
    assert meta["columns"][0]["name_ja"] == "全国地方公共団体コード"
    body = json.loads(client.get(f"/open-data/{first.id}/metrics.json").data)
    assert body["license"]["id"] == "CC-BY-4.0" and body["records"][0]["metric"] == "completion_rate"


def test_small_figures_are_withheld_publicly(client, ctx):
    service = make_service(tasks=1)
    first = service.iterations[0]
    add_residents(first, count=4, observed=False)
    catalog.set_published(first, True)
    db.session.commit()
    frame = pd.read_csv(io.BytesIO(client.get(f"/open-data/{first.id}/metrics.csv").data), encoding="utf-8-sig")
    statistics = frame[frame["指標コード"].isin(["completion_rate", "inconvenience_rate", "seq_mean", "sus_mean"])]
    assert (statistics["秘匿"] == 1).all() and statistics["値"].isna().all()
    counts = frame[frame["指標コード"] == "participants"]
    assert counts[counts["値"].notna()]["値"].eq(0).all()  # 4 people: every positive count is hidden


def test_the_page_shows_rates_as_percentages_while_the_file_keeps_fractions(client, published):
    import re

    first = published.iterations[0]
    frame = pd.read_csv(io.BytesIO(client.get(f"/open-data/{first.id}/metrics.csv").data), encoding="utf-8-sig")
    rates = frame[(frame["単位"] == "割合") & (frame["秘匿"] == 0) & frame["値"].notna()]
    assert not rates.empty and rates["値"].between(0, 1).all()
    html = client.get(f"/open-data/{first.id}/").get_data(as_text=True)
    value = rates.iloc[0]["値"]
    assert f"{value * 100:.1f}%" in html
    cells = re.findall(r'<td class="num">([^<]*)</td><td>%</td>', html)
    assert cells and all(re.fullmatch(r"\d{1,3}\.\d%", c) for c in cells), cells[:5]
    assert "0〜1 の小数" in html
