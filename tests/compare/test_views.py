"""The product-owner pages through the client: who sees what, what the pages say, what the SVG holds."""
from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from helpers import login

SVG = "{http://www.w3.org/2000/svg}"


def client_for(app, world, role: str):  # noqa: ANN001, ANN201
    client = app.test_client()
    if role != "anonymous":
        login(client, world["users"][role])
    return client


def urls(iteration) -> list[str]:  # noqa: ANN001
    return [f"/compare/iterations/{iteration.id}", f"/compare/iterations/{iteration.id}/map",
            f"/compare/iterations/{iteration.id}/map?metric=inconvenience&level=region",
            f"/compare/iterations/{iteration.id}/print"]


def figure(html: str, figure_id: str) -> ET.Element:
    """One <figure> of a page, parsed as XML (the chart macro writes well-formed markup)."""
    match = re.search(rf'<figure class="chart[^"]*" id="{figure_id}">.*?</figure>', html, re.S)
    assert match, f"no figure {figure_id}"
    return ET.fromstring(match.group(0))


def with_class(root: ET.Element, tag: str, name: str) -> list[ET.Element]:
    return [el for el in root.iter(SVG + tag) if name in el.get("class", "").split()]


def test_members_and_admins_see_the_service(app, world):
    client = client_for(app, world, "product_owner")
    for url in urls(world["second"]) + ["/compare/"]:
        assert client.get(url).status_code == 200, url
    for role in ("service_team", "admin"):
        client = client_for(app, world, role)
        assert client.get(f"/compare/iterations/{world['first'].id}/map").status_code == 200, role
        assert "保育園入園のオンライン申請" in client.get("/compare/").get_data(True), role


def test_another_departments_team_gets_404_and_its_own_service(app, world):
    client = client_for(app, world, "other_team")
    for url in urls(world["second"]) + urls(world["first"]):
        assert client.get(url).status_code == 404, url
    assert client.get(f"/compare/iterations/{world['b'].iterations[0].id}").status_code == 200
    # Comparing with another service's iteration is refused the same way.
    own = world["b"].iterations[0].id
    assert client.get(f"/compare/iterations/{own}?base={world['first'].id}").status_code == 404


def test_facilitators_and_visitors_are_kept_out(app, world):
    url = f"/compare/iterations/{world['second'].id}"
    assert client_for(app, world, "facilitator").get(url).status_code == 403
    response = client_for(app, world, "anonymous").get(url)
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]


def test_dashboard_answers_better_than_before_in_words(app, world):
    html = client_for(app, world, "product_owner").get(f"/compare/iterations/{world['second'].id}").get_data(True)
    assert "第1版と比べて" in html
    # Task 1: 11 of 14 residents failed before, 2 of 15 now.
    assert "改善: 79% → 13%（差の95%信頼区間 " in html and "ポイント、n=14→15）" in html
    assert 'class="verdict verdict-improved verdict-line"' in html and "✓" in html
    assert "総合判定" in html and "改善したタスク: T1 タスク1" in html
    assert "15人" in html and "前の版 14人 → この版 15人" in html
    assert "SUS スコア" in html and "評価 " in html


def test_dashboard_in_english(app, world):
    client = client_for(app, world, "product_owner")
    html = client.get(f"/compare/iterations/{world['second'].id}?lang=en").get_data(True)
    assert "improved: 79% → 13% (95% interval of the difference " in html and "points, n = 14 → 15)" in html
    assert "Compared with iteration 1" in html and "Overall verdict: Improved" in html
    assert '<span lang="ja">2026年度版</span>' in html  # Japanese data on an English page is marked


def test_dashboard_charts_have_a_bar_per_task_and_iteration(app, world):
    html = client_for(app, world, "product_owner").get(f"/compare/iterations/{world['second'].id}").get_data(True)
    for figure_id in ("chart-inconvenience", "chart-completion", "chart-time", "chart-seq"):
        root = figure(html, figure_id)
        assert len(with_class(root, "rect", "bar")) == 2 * 2, figure_id  # 2 tasks x 2 iterations
        svg = root.find(SVG + "svg")
        assert svg.get("role") == "img" and svg.find(SVG + "title").text == root.find("figcaption").text
        assert root.find("details/table/thead/tr/th").get("scope") == "col"
    titles = [g.find(SVG + "title").text for g in with_class(figure(html, "chart-inconvenience"), "g", "bar-row")]
    assert titles[0].startswith("T1 タスク1 第1版: 78.6%")
    assert len(with_class(figure(html, "chart-sentiment"), "rect", "seg")) >= 2
    assert figure(html, "chart-sus").find(f".//{SVG}line[@class='reference-line']") is not None
    assert "<script" not in html and ' style="' not in html


def test_segments_follow_the_task_asked_for(app, world):
    client = client_for(app, world, "product_owner")
    second = world["second"]
    task2 = second.study.study_tasks[1].task_id
    html = client.get(f"/compare/iterations/{second.id}?task={task2}").get_data(True)
    assert "使った機器別の不便率: T2 タスク2" in html
    device = figure(html, "chart-segment-device")
    assert with_class(device, "rect", "bar")
    html = client.get(f"/compare/iterations/{second.id}").get_data(True)
    assert "使った機器別の不便率: T1 タスク1" in html  # by default the task that changed


def test_map_has_a_path_per_municipality_venue_and_attribution(app, world):
    html = client_for(app, world, "product_owner").get(
        f"/compare/iterations/{world['second'].id}/map?metric=participants").get_data(True)
    for figure_id in ("i[12]-map-participants",):
        roots = [ET.fromstring(m) for m in re.findall(rf'<figure class="chart chart-map" id="{figure_id}">.*?</figure>',
                                                      html, re.S)]
        assert len(roots) == 2  # the base iteration and this one
        for root in roots:
            assert len(with_class(root, "path", "area")) == 62
            assert root.find(f".//{SVG}text[@class='attribution']").text.startswith("境界データ")
            assert with_class(root, "circle", "venue-marker")
        names = {g.find(SVG + "title").text for g in with_class(roots[1], "g", "area-group")}
        assert {"新宿区: 9人", "千代田区: 5人"} <= names
    # One resident from Yokohama: Kanagawa (1) and Tokyo, which would reveal it, are both suppressed, so an
    # all-hatched Japan map would say nothing: it is left out.
    assert 'id="map-japan"' not in html
    assert "参加者が5人未満の地域" in html


def test_small_cells_are_hatched_with_a_higher_k(app, world, monkeypatch):
    monkeypatch.setitem(app.config, "SUPPRESSION_K", 6)
    html = client_for(app, world, "product_owner").get(
        f"/compare/iterations/{world['second'].id}/map?metric=inconvenience").get_data(True)
    root = ET.fromstring(re.findall(r'<figure class="chart chart-map" id="i2-map-inconvenience">.*?</figure>', html,
                                    re.S)[-1])
    hatched = with_class(root, "path", "suppressed")
    assert len(hatched) == 2 and all(el.get("fill").endswith("-hatch)") for el in hatched)
    names = {g.find(SVG + "title").text for g in with_class(root, "g", "area-group")}
    assert {"新宿区: 秘匿", "千代田区: 秘匿"} <= names  # Chiyoda (5 < 6), and Shinjuku that would give it away
    assert "参加者が6人未満の地域" in html and "すべて秘匿またはデータなし" in html


def test_printed_report_has_no_navigation_and_the_print_stylesheet(app, world):
    html = client_for(app, world, "product_owner").get(f"/compare/iterations/{world['second'].id}/print").get_data(True)
    assert 'class="site-nav"' not in html and "<form" not in html.split('<main', 1)[1]
    assert re.search(r'<link rel="stylesheet" href="[^"]*css/print.css">', html)  # for screen and paper alike
    assert "総合判定" in html and "改善: 79% → 13%" in html and "作成日" in html
    assert 'id="i2-map-inconvenience"' in html and 'id="chart-segment-device"' in html


def test_overview_shows_only_visible_services_and_sorts(app, world):
    owner = client_for(app, world, "product_owner").get("/compare/overview").get_data(True)
    assert "保育園入園のオンライン申請" in owner and "粗大ごみ収集の申込み" not in owner
    assert "重要度4: 1" in owner and "重要度2: 0" in owner  # the verified finding is not open
    admin = client_for(app, world, "admin")
    html = admin.get("/compare/overview?sort=inconvenience&order=asc").get_data(True)
    # pooled inconvenience: childcare 2 of 30 attempts (7%), the other service 5 of 14 (36%)
    assert html.index("保育園入園のオンライン申請") < html.index("粗大ごみ収集の申込み")
    assert 'aria-sort="ascending"' in html
    chart = figure(html, "chart-overview")
    assert len(with_class(chart, "rect", "bar")) == 2 * 2
    descending = admin.get("/compare/overview?sort=inconvenience&order=desc").get_data(True)
    assert 'aria-sort="descending"' in descending
    assert descending.index("粗大ごみ収集の申込み") < descending.index("保育園入園のオンライン申請")


def test_participants_by_municipality_counts_only_reportable_residents(app, world):
    from civictest.extensions import db
    from civictest.models import Participant, TestSession

    second = world["second"]
    def counts_by_code(iteration_id):  # noqa: ANN001, ANN202 - what the map reads, before suppression
        from civictest.reporting.figures import Figures
        from civictest.models import Iteration

        return {row["code"]: row["participants"]
                for row in Figures().areas(db.session.get(Iteration, iteration_id))["areas"]}

    assert counts_by_code(second.id) == {"131041": 9, "131016": 5, "141003": 1}
    shinjuku = db.session.query(Participant).join(TestSession).filter(
        TestSession.study_id == second.study.id, Participant.municipality_code == "131041").all()
    shinjuku[0].withdrawn = True
    shinjuku[1].session.excluded = True  # a whole session closed as invalid
    db.session.commit()
    counts = counts_by_code(second.id)
    excluded = sum(1 for p in shinjuku if p.withdrawn or p.session.excluded)
    assert counts["131041"] == 9 - excluded and sum(counts.values()) < 15


def test_pages_of_an_iteration_without_answers_still_render(app, world):
    from civictest.extensions import db
    from civictest.services import catalog

    empty = catalog.create_iteration(world["a"], "2027年度版")
    db.session.commit()
    client = client_for(app, world, "product_owner")
    for url in urls(empty) + [f"/compare/iterations/{empty.id}?base=0", "/compare/overview"]:
        assert client.get(url).status_code == 200, url
    for url in (f"/compare/iterations/{empty.id}", f"/compare/iterations/{empty.id}/print"):
        html = client.get(url).get_data(True)
        main = html.split("<main", 1)[1]
        assert "まだ回答がありません" in main, url
        # no verdict, card or chart that pretends to know
        assert "総合判定" not in main and "変化は検出されず" not in main and "比較できるデータが不足" not in main, url
        assert 'class="card ' not in main and "<figure" not in main and "0人" not in main, url


def test_a_base_without_answers_is_not_compared(app, world):
    from civictest.extensions import db
    from civictest.services import catalog

    empty = catalog.create_iteration(world["a"], "2027年度版")
    db.session.commit()
    client = client_for(app, world, "product_owner")
    for url in (f"/compare/iterations/{world['second'].id}?base={empty.id}",
                f"/compare/iterations/{world['second'].id}/print?base={empty.id}"):
        main = client.get(url).get_data(True).split("<main", 1)[1]
        assert f"第{empty.number}版にはまだ回答がないため、比べていません。" in main, url
        assert "総合判定" not in main and "比較できるデータが不足" not in main and "n=0" not in main, url
        assert 'class="card card-participants"' in main and "15人" in main, url


def test_an_iteration_has_one_series_class_on_every_chart(app, world):
    """Iteration 2 drawn before iteration 1 (the segment charts follow base, current) keeps its colour."""
    html = client_for(app, world, "product_owner").get(
        f"/compare/iterations/{world['first'].id}?base={world['second'].id}").get_data(True)
    classes: dict[str, set] = {}
    ids = re.findall(r'<figure class="chart chart-bar" id="([^"]+)">', html)
    assert {"chart-inconvenience", "chart-completion", "chart-segment-device"} <= set(ids)
    for figure_id in ids:
        for row in with_class(figure(html, figure_id), "g", "bar-row"):
            name = row.find(SVG + "text").text  # the series label beside the bar: colour is never the only cue
            bar = next(r for r in row.iter(SVG + "rect") if "bar" in r.get("class", "").split())
            classes.setdefault(name, set()).update(c for c in bar.get("class").split() if c.startswith("series-"))
    assert classes == {"第1版": {"series-0"}, "第2版": {"series-1"}}
