"""The findings register: create, edit, history rows, audit, owners and tasks of the service only, sorting."""
import re

import pytest
from helpers import login, post_form

from civictest.extensions import db
from civictest.models import AuditEvent, Finding, FindingEvent
from civictest.services import findings
from civictest.services.errors import InvalidInput


def _create(client, world, **overrides):  # noqa: ANN001, ANN003, ANN202
    data = {"title": "書類のアップロードでエラー", "description": "HEIC形式の写真でエラーになる", "severity": "4",
            "found_in_id": world.first.id, "task_ids": [world.service.tasks[1].id], "owner_id": world.team.id,
            "public_summary_ja": "スマートフォンの写真をそのまま送れるようにしました。",
            "public_summary_en": "Photos taken with a phone can now be uploaded as they are."}
    data.update(overrides)
    return post_form(client, f"/review/services/{world.service.id}/findings/new", data)


def test_create_a_finding_with_everything(client, world):
    login(client, world.team)
    form = client.get(f"/review/services/{world.service.id}/findings/new").get_data(as_text=True)
    for meaning in ("1 軽微", "2 小", "3 大", "4 致命的", "見た目や言葉づかいの問題", "完了できない"):
        assert meaning in form, meaning
    response = _create(client, world)
    assert response.status_code == 302
    finding = db.session.query(Finding).one()
    assert (finding.title, finding.severity, finding.status, finding.owner_id) == (
        "書類のアップロードでエラー", 4, "new", world.team.id)
    assert [t.id for t in finding.tasks] == [world.service.tasks[1].id]
    event = db.session.query(FindingEvent).one()
    assert event.user_id == world.team.id
    assert event.changes["severity"] == [None, 4] and event.changes["status"] == [None, "new"]
    assert event.changes["tasks"] == [None, ["タスク2"]] and event.changes["owner"] == [None, "team"]
    assert db.session.query(AuditEvent).filter_by(action="finding_created", object_id=finding.id).count() == 1
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "4 致命的: 完了できない" in page and "課題 #1 を登録しました。" in page


def test_edit_writes_old_and_new_values_to_the_history(client, world):
    login(client, world.team)
    _create(client, world)
    finding = db.session.query(Finding).one()
    response = post_form(client, f"/review/findings/{finding.id}/edit", {
        "title": "HEIC の写真でエラー", "description": "HEIC形式の写真でエラーになる", "severity": "3",
        "found_in_id": world.first.id, "task_ids": [world.service.tasks[1].id, world.service.tasks[2].id],
        "owner_id": "", "public_summary_ja": "スマートフォンの写真をそのまま送れるようにしました。",
        "public_summary_en": "Photos taken with a phone can now be uploaded as they are."})
    assert response.status_code == 302
    events = db.session.query(FindingEvent).order_by(FindingEvent.id).all()
    assert len(events) == 2
    assert events[1].changes == {
        "title": ["書類のアップロードでエラー", "HEIC の写真でエラー"], "severity": [4, 3],
        "tasks": [["タスク2"], ["タスク2", "タスク3"]], "owner": ["team", None]}
    html = client.get(f"/review/findings/{finding.id}").get_data(as_text=True)
    history = re.sub(r"<[^>]+>", "", html[html.index('id="history"'):])
    assert "重要度: 4 致命的 → 3 大" in history and "件名: 書類のアップロードでエラー → HEIC の写真でエラー" in history
    assert "担当者: team → –" in history
    assert len(re.findall(r"\d{4}-\d\d-\d\d \d\d:\d\d", history)) == 2
    assert db.session.query(AuditEvent).filter_by(action="finding_updated").count() == 1


def test_saving_without_changes_writes_no_history(world):
    finding = findings.create_finding(world.service, {"title": "x", "severity": 2, "found_in_id": world.first.id},
                                      world.team)
    assert findings.update_finding(finding, {"title": "x", "severity": 2}, world.team) == {}
    assert db.session.query(FindingEvent).count() == 1


def test_form_errors_are_shown_and_nothing_is_saved(client, world):
    login(client, world.team)
    response = _create(client, world, title="", severity="9")
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and "<title>エラー:" in html and "件名を入力してください" in html
    assert db.session.query(Finding).count() == 0


def test_owners_tasks_and_iterations_of_another_service_are_refused(client, world):
    login(client, world.team)
    assert _create(client, world, owner_id=world.other_team.id).status_code == 400
    assert _create(client, world, task_ids=[world.other.tasks[0].id]).status_code == 400
    assert _create(client, world, found_in_id=world.other.iterations[0].id).status_code == 400
    assert db.session.query(Finding).count() == 0
    with pytest.raises(InvalidInput):
        findings.create_finding(world.service, {"title": "x", "severity": 2, "found_in_id": world.first.id,
                                                "owner_id": world.other_team.id}, world.team)


def test_owner_choices_are_staff_who_can_see_the_service(world):
    names = {u.email for u in findings.owner_choices(world.service)}
    assert names == {"team@example.jp", "admin@example.jp", "owner@example.jp", "facilitator@example.jp"}


def test_the_register_sorts_by_severity_and_status(client, world, add_finding):
    a = add_finding(world.service, "A", severity=1, status="planned")
    b = add_finding(world.service, "B", severity=4, status="new")
    c = add_finding(world.service, "C", severity=3, status="wont_fix")
    login(client, world.team)

    def order(query: str) -> list[int]:
        html = client.get(f"/review/services/{world.service.id}/findings{query}").get_data(as_text=True)
        return [int(i) for i in re.findall(r'<a href="/review/findings/(\d+)">', html)]

    assert order("") == [b.id, c.id, a.id], "most severe first by default"
    assert order("?sort=severity&dir=asc") == [a.id, c.id, b.id]
    assert order("?sort=status&dir=asc") == [b.id, a.id, c.id]
    assert order("?sort=status&dir=desc") == [c.id, a.id, b.id]
    assert order("?status=open") == [b.id, a.id]
    assert order("?sort=nonsense&dir=sideways") == [b.id, c.id, a.id]
    html = client.get(f"/review/services/{world.service.id}/findings?sort=status&dir=asc").get_data(as_text=True)
    assert 'aria-sort="ascending"' in html


def test_reopen_from_wont_fix_via_the_page(client, world, add_finding):
    finding = add_finding(world.service, status="wont_fix")
    login(client, world.team)
    response = post_form(client, f"/review/findings/{finding.id}/status", {"status": "triaged"},
                         get_url=f"/review/findings/{finding.id}")
    assert response.status_code == 302
    db.session.refresh(finding)
    assert finding.status == "triaged"


def test_japanese_data_on_english_pages_is_marked_lang_ja(client, world, add_finding):
    finding = add_finding(world.service, "ボタンが小さい", description="押しにくい")
    login(client, world.team)
    client.get("/?lang=en")
    page = client.get(f"/review/findings/{finding.id}").get_data(as_text=True)
    assert '<span lang="ja">ボタンが小さい</span>' in page and '<p class="prewrap" lang="ja">押しにくい</p>' in page
    register = client.get(f"/review/services/{world.service.id}/findings").get_data(as_text=True)
    assert 'lang="ja">ボタンが小さい</a>' in register
    form = client.get(f"/review/findings/{finding.id}/edit").get_data(as_text=True)
    assert re.search(r'<input[^>]*lang="ja"[^>]*value="ボタンが小さい"', form)
    client.get("/?lang=ja")
    page = client.get(f"/review/findings/{finding.id}").get_data(as_text=True)
    assert '<span>ボタンが小さい</span>' in page, "no lang attribute needed on Japanese pages"


def test_public_summaries_are_scrubbed_on_save_and_the_staff_member_is_told(client, world):
    """Issue 17: staff-typed "you said, we did" summaries are published, so they are scrubbed like comments."""
    login(client, world.team)
    response = _create(client, world, public_summary_ja="山田さん（090-1234-5678、taro@example.jp）の声で直しました。",
                       public_summary_en="Fixed after a call from 03-1234-5678.")
    assert response.status_code == 302
    finding = db.session.query(Finding).one()
    assert finding.public_summary_ja == "山田さん（[電話番号]、[メールアドレス]）の声で直しました。"
    assert finding.public_summary_en == "Fixed after a call from [電話番号]."
    event = db.session.query(FindingEvent).one()
    assert "090-1234-5678" not in str(event.changes) and "taro@example.jp" not in str(event.changes)
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "個人情報と思われる部分（電話番号、メールアドレス）があったため" in page

    client.get("/?lang=en")
    response = post_form(client, f"/review/findings/{finding.id}/edit", {
        "title": finding.title, "severity": "4", "found_in_id": world.first.id,
        "public_summary_ja": "江東区東陽4の11の28の窓口で聞いた話", "public_summary_en": ""})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Finding, finding.id).public_summary_ja == "[住所]の窓口で聞いた話"
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "looked like personal data (address)" in page


def test_public_summaries_without_personal_data_are_saved_as_typed_and_nothing_is_flashed(client, world):
    login(client, world.team)
    response = _create(client, world, public_summary_ja="10時30分から受付できるようにしました（T4、1,200円）。")
    finding = db.session.query(Finding).one()
    assert finding.public_summary_ja == "10時30分から受付できるようにしました（T4、1,200円）。"
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "個人情報と思われる部分" not in page
