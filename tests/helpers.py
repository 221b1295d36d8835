"""Test helpers: build a small catalog, make staff, post forms with their real CSRF token."""
from __future__ import annotations

import re
from datetime import date

from civictest.extensions import db
from civictest.models import Department, Service, Task, User
from civictest.services import accounts, catalog

PASSWORD = "correct horse battery"
CSRF_RE = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"|name="csrf_token" value="([^"]+)"')


def csrf_token(html: str) -> str:
    match = CSRF_RE.search(html)
    assert match, "no CSRF token in the page"
    return match.group(1) or match.group(2)


def post_form(client, url: str, data: dict, *, follow: bool = False, get_url: str | None = None):  # noqa: ANN001
    """GET the page (as a browser would), then POST the form with the token it rendered."""
    page = client.get(get_url or url)
    token = csrf_token(page.get_data(as_text=True))
    return client.post(url, data={"csrf_token": token, **data}, follow_redirects=follow)


def make_service(code: str = "kodomo", name: str = "保育園入園のオンライン申請", tasks: int = 3) -> Service:
    """A department with one service, `tasks` tasks and a first iteration whose study has them all."""
    department = db.session.query(Department).filter_by(code=code).one_or_none()
    department = department or Department(code=code, name_ja=f"{code}部", name_en=f"{code} department")
    service = Service(department=department, name_ja=name, name_en=f"{name} (en)")
    service.tasks = [Task(title_ja=f"タスク{i}", title_en=f"Task {i}", instructions_ja=f"説明{i}") for i in range(1, tasks + 1)]
    db.session.add(service)
    db.session.flush()
    iteration = catalog.create_iteration(service, "第1版", starts_on=date(2026, 1, 1))
    db.session.flush()
    catalog.set_study_tasks(iteration.study, [task.id for task in service.tasks])
    db.session.commit()
    return service


def make_session(service: Service, invite_code: str | None = None, **fields) -> object:  # noqa: ANN003
    test_session = catalog.create_session(service.iterations[-1].study, name="テスト会", invite_code=invite_code, **fields)
    db.session.commit()
    return test_session


def make_user(role: str, services: list[Service] | None = None, email: str | None = None) -> User:
    user = accounts.create_user(email or f"{role}-{len(services or [])}-{id(services)}@example.jp", role, PASSWORD)
    user.services = list(services or [])
    db.session.commit()
    return user


def login(client, user: User):  # noqa: ANN001, ANN201
    return post_form(client, "/auth/login", {"email": user.email, "password": PASSWORD})


RESIDENT_CODE = "ABCDEFG-HJKLMNP"
_HIDDEN_A = re.compile(r'<input[^>]*name="([^"]+)"[^>]*type="hidden"[^>]*value="([^"]*)"')
_HIDDEN_B = re.compile(r'<input[^>]*type="hidden"[^>]*name="([^"]+)"[^>]*value="([^"]*)"')


def hidden_fields(html: str) -> dict[str, str]:
    """The hidden inputs of a page (CSRF token, idempotency key, ticket), as a browser would send them."""
    return {**dict(_HIDDEN_A.findall(html)), **dict(_HIDDEN_B.findall(html))}


def hidden_value(html: str, name: str) -> str:
    fields = hidden_fields(html)
    assert name in fields, f"no hidden field {name}"
    return fields[name]


def submit(client, url: str, data: dict, follow: bool = False):  # noqa: ANN001, ANN201
    """What a browser does: GET the page, keep its hidden fields, POST them with the answers."""
    html = client.get(url).get_data(as_text=True)
    return client.post(url, data={**hidden_fields(html), **data}, follow_redirects=follow)


def join_and_consent(client, code: str = RESIDENT_CODE):  # noqa: ANN001, ANN201
    response = submit(client, f"/join/{code}/consent", {"agree": "y"})
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    return response
