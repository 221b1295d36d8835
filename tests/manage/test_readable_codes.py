"""Issue 14: roles and audit actions as words, audit times in Japan time (not raw codes and UTC)."""
from datetime import datetime

from helpers import login, make_user

from civictest.extensions import db
from civictest.manage.labels import ACTION
from civictest.models import AuditEvent
from civictest.models.staff import ROLES


def test_users_page_and_form_show_role_words(client, ctx):
    login(client, make_user("admin"))
    make_user("facilitator", email="f@example.jp")
    html = client.get("/manage/users").get_data(as_text=True)
    assert "<td>進行役（対面セッション）</td>" in html and "<td>facilitator</td>" not in html
    form = client.get("/manage/users/new").get_data(as_text=True)
    assert '<option value="service_team">サービス担当チーム</option>' in form
    english = client.get("/manage/users?lang=en").get_data(as_text=True)
    assert "<td>Facilitator (in-person sessions)</td>" in english


def test_audit_log_shows_words_and_japan_time(client, ctx):
    admin = make_user("admin")
    db.session.add(AuditEvent(user_id=admin.id, action="iteration_published", object_type="iteration", object_id=7,
                              created_at=datetime(2026, 3, 31, 23, 30, 5)))  # UTC
    db.session.commit()
    login(client, admin)
    html = client.get("/manage/audit").get_data(as_text=True)
    assert "日時（日本時間）" in html and "UTC" not in html
    assert "2026-04-01 08:30:05" in html and "2026-03-31 23:30:05" not in html
    assert "<td>オープンデータを公開</td>" in html and "<td>版 ID 7</td>" in html
    assert "<td>ログイン</td>" in html and ">login<" not in html  # the login just made
    assert "Published open data" in client.get("/manage/audit?lang=en").get_data(as_text=True)


def test_every_action_code_the_code_writes_has_a_word():
    import pathlib
    import re

    source = "\n".join(p.read_text(encoding="utf-8") for p in pathlib.Path("civictest").rglob("*.py"))
    written = set(re.findall(r'(?:audit|_saved)\((?:[a-z_.]+, )?"([a-z_]+)"', source))
    written |= set(re.findall(r'_record\([^)]*"(finding_[a-z_]+)"\)', source)) | {"import_committed", "export",
                                                                                 "iteration_unpublished"}
    assert written and written <= set(ACTION), written - set(ACTION)
    assert set(ROLES) == {"admin", "service_team", "product_owner", "facilitator"}
