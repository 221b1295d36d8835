"""Rate limits: keyed on the resident and the invite code, not the venue's shared IP; shared through Redis."""
import uuid

import pytest
import redis
from conftest import _config_for
from helpers import PASSWORD, RESIDENT_CODE, csrf_token, hidden_fields, join_and_consent, make_service, make_session, make_user, post_form, submit

from civictest import create_app
from civictest.participate import limits


def _limited_app(app, **settings):  # noqa: ANN001, ANN003
    config = type("Limited", (_config_for(app.config["SQLALCHEMY_DATABASE_URI"]),),
                  {"RATELIMIT_ENABLED": True, **settings})
    limited = create_app(config)
    limited.test_client_class = app.test_client_class
    return limited


@pytest.fixture(autouse=True)
def _limiter_as_it_was():  # noqa: ANN202
    """Flask-Limiter keeps its switch and storage on the one Limiter object, not per app: a limited app made here
    would leave limits on (with its counts) for every later test of the session. Put the object back as it was."""
    from civictest.extensions import limiter

    saved = dict(vars(limiter))
    yield
    vars(limiter).clear()
    vars(limiter).update(saved)


@pytest.fixture
def resident_setup(ctx):
    make_session(make_service(tasks=2), invite_code=RESIDENT_CODE, capacity=1000)


def test_residents_sharing_one_address_are_not_locked_out_by_each_other(app, client, resident_setup, monkeypatch):
    monkeypatch.setattr(limits, "PER_PARTICIPANT", "60 per minute")
    limited = _limited_app(app, RATELIMIT_STORAGE_URI="memory://")
    residents = [limited.test_client() for _ in range(5)]
    for resident in residents:  # five residents behind the same address all join and answer
        join_and_consent(resident)
        assert submit(resident, "/participate/profile", {}).status_code == 302
        assert submit(resident, "/participate/tasks/1", {"outcome": "success"}).status_code == 302


def test_one_resident_flooding_is_throttled(app, resident_setup):
    limited = _limited_app(app, RATELIMIT_STORAGE_URI="memory://")
    resident = limited.test_client()
    join_and_consent(resident)
    form = hidden_fields(resident.get("/participate/profile").get_data(as_text=True))
    statuses = [resident.post("/participate/profile", data=form).status_code for _ in range(70)]
    assert 429 in statuses and statuses.index(429) >= 60 - 2
    other = limited.test_client()
    join_and_consent(other)
    assert submit(other, "/participate/profile", {}).status_code == 302, "another resident is unaffected"


def test_login_is_throttled_per_account(app, ctx):
    limited = _limited_app(app, RATELIMIT_STORAGE_URI="memory://")
    user = make_user("admin")
    browser = limited.test_client()
    statuses = [post_form(browser, "/auth/login", {"email": user.email, "password": "wrong password 123"}).status_code
                for _ in range(12)]
    assert statuses[:10] == [400] * 10 and statuses[-1] == 429
    page = browser.post("/auth/login", data={"email": user.email, "password": "x"})
    assert page.status_code in (400, 429)


def test_spelling_the_address_differently_does_not_reset_the_login_limit(app, ctx):
    """Login strips and lowercases the address, so the limit must key on the same form of it."""
    limited = _limited_app(app, RATELIMIT_STORAGE_URI="memory://")
    user = make_user("admin", email="victim@example.jp")
    browser = limited.test_client()
    statuses = [post_form(browser, "/auth/login", {"email": user.email, "password": "wrong password 123"}).status_code
                for _ in range(11)]
    assert statuses[-1] == 429
    token = csrf_token(browser.get("/auth/login").get_data(as_text=True))
    for variant in (" victim@example.jp", "victim@example.jp\t", "victim@example.jp\u3000", "VICTIM@example.jp ",
                    "\u3000Victim@Example.JP\n"):
        response = browser.post("/auth/login", data={"csrf_token": token, "email": variant, "password": PASSWORD})
        assert response.status_code == 429, repr(variant)
    assert browser.get("/manage/").status_code == 302  # never logged in


def test_limits_are_shared_between_app_servers_through_redis(app, resident_setup):
    try:
        redis.Redis.from_url("redis://127.0.0.1:6379/0", socket_timeout=1).ping()
    except redis.RedisError as error:
        pytest.skip(f"no Redis on 127.0.0.1:6379 ({error})")
    uri = "redis://127.0.0.1:6379/0"
    # Both servers share one key prefix of this test's own, so another test run on the same Redis (a parallel
    # worker, CI's other database pass, a developer's app) neither sees nor resets these counters.
    shared = {"RATELIMIT_STORAGE_URI": uri, "RATELIMIT_KEY_PREFIX": f"civictest-test-{uuid.uuid4().hex}"}
    server_a, server_b = _limited_app(app, **shared), _limited_app(app, **shared)
    resident_a = server_a.test_client()
    join_and_consent(resident_a)
    cookie = resident_a.get_cookie("civictest_session").value
    resident_b = server_b.test_client()
    resident_b.set_cookie("civictest_session", cookie)  # the same resident, load-balanced to another server
    form = hidden_fields(resident_a.get("/participate/profile").get_data(as_text=True))
    statuses = [client.post("/participate/profile", data=form).status_code
                for _ in range(35) for client in (resident_a, resident_b)]
    assert 429 in statuses and statuses.index(429) >= 58
    client = redis.Redis.from_url(uri)
    keys = list(client.scan_iter(match=f"*{shared['RATELIMIT_KEY_PREFIX']}*", count=1000))
    assert keys, "the counters were kept in Redis under the test's prefix"
    client.delete(*keys)
