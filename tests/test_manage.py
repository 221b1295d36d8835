"""Authoring pages: who may reach them, and that forms create what they say."""
from helpers import login, make_service, make_session, make_user, post_form

from civictest.extensions import db
from civictest.models import Iteration, Service, Task, TestSession


def test_anonymous_visitors_are_sent_to_login(client, ctx):
    service = make_service()
    assert client.get(f"/manage/services/{service.id}").status_code == 302


def test_service_team_sees_its_own_service_only(client, ctx):
    mine, theirs = make_service(), make_service("kankyo", "粗大ごみ")
    login(client, make_user("service_team", [mine]))
    assert client.get(f"/manage/services/{mine.id}").status_code == 200
    assert client.get(f"/manage/services/{theirs.id}").status_code == 404
    assert client.get(f"/manage/tasks/{theirs.tasks[0].id}/edit").status_code == 404
    assert client.get(f"/manage/iterations/{theirs.iterations[0].id}").status_code == 404


def test_residents_facilitators_and_product_owners_cannot_author(client, ctx):
    service = make_service()
    assert client.get("/manage/").status_code == 302  # a resident has no staff login at all
    for role in ("facilitator", "product_owner"):
        client.get("/?lang=ja")
        login(client, make_user(role, [service]))
        assert client.get(f"/manage/services/{service.id}").status_code == 403


def test_only_admins_create_departments_and_services(client, ctx):
    service = make_service()
    login(client, make_user("service_team", [service]))
    assert client.get("/manage/services/new").status_code == 403
    assert client.get("/manage/departments/new").status_code == 403


def test_admin_creates_a_service_with_a_task(client, ctx):
    service = make_service()
    login(client, make_user("admin"))
    response = post_form(client, "/manage/services/new", {
        "department_id": service.department_id, "name_ja": "犬の登録", "name_en": "Dog registration",
    })
    assert response.status_code == 302
    created = db.session.query(Service).filter_by(name_ja="犬の登録").one()
    post_form(client, f"/manage/services/{created.id}/tasks/new", {"title_ja": "登録する", "instructions_ja": "登録してください"})
    assert db.session.query(Task).filter_by(service_id=created.id).count() == 1


def test_form_errors_are_shown_and_nothing_is_saved(client, ctx):
    service = make_service()
    login(client, make_user("admin"))
    response = post_form(client, f"/manage/services/{service.id}/tasks/new", {"title_ja": "", "instructions_ja": "x"})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "入力内容に問題があります" in page and "<title>エラー:" in page
    assert db.session.query(Task).filter_by(service_id=service.id).count() == 3


def test_a_new_iteration_copies_the_previous_study(client, ctx):
    service = make_service()
    login(client, make_user("service_team", [service]))
    response = post_form(client, f"/manage/services/{service.id}/iterations/new", {"label": "第2版"})
    assert response.status_code == 302
    second = db.session.query(Iteration).filter_by(service_id=service.id, number=2).one()
    assert [t.id for t in second.study.tasks] == [t.id for t in service.iterations[0].study.tasks]
    assert second.previous_id == service.iterations[0].id


def test_study_task_order_is_set_by_position_numbers(client, ctx):
    service = make_service()
    iteration = service.iterations[0]
    t1, t2, t3 = service.tasks
    login(client, make_user("service_team", [service]))
    response = post_form(client, f"/manage/iterations/{iteration.id}/study", {
        "questionnaire": "umux_lite", "minutes_expected": "20",
        f"position-{t1.id}": "2", f"position-{t2.id}": "", f"position-{t3.id}": "1",
    }, get_url=f"/manage/iterations/{iteration.id}")
    assert response.status_code == 302
    db.session.refresh(iteration.study)
    assert [t.id for t in iteration.study.tasks] == [t3.id, t1.id]
    assert iteration.study.questionnaire == "umux_lite"


def test_new_sessions_get_unguessable_invite_codes(client, ctx):
    service = make_service()
    login(client, make_user("service_team", [service]))
    post_form(client, f"/manage/iterations/{service.iterations[0].id}/sessions/new",
              {"name": "区役所体験会", "mode": "in_person", "capacity": "20", "is_open": "y"})
    codes = [s.invite_code for s in db.session.query(TestSession)]
    assert len(codes) == 1 and len(codes[0].replace("-", "")) == 14
    other = make_session(service)
    assert other.invite_code != codes[0]
