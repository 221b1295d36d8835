"""Configuration: the only module that reads os.environ."""
from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

INSTANCE_DIR = Path(__file__).resolve().parent.parent / "instance"


def _sqlite_default() -> str:
    return f"sqlite:///{INSTANCE_DIR / 'civictest.sqlite3'}"


def _host_list(env_value: str | None, public_base_url: str = "") -> list[str] | None:
    """TRUSTED_HOSTS as Flask wants it: the host names (comma-separated in the environment) and the public base
    URL's host; None (any host) when the variable is unset."""
    hosts = [host.strip() for host in (env_value or "").split(",") if host.strip()]
    public_host = urlsplit(public_base_url).hostname if public_base_url else None
    if hosts and public_host and public_host not in hosts:
        hosts.append(public_host)
    return hosts or None


def _database_url(env_value: str | None) -> str:
    """DATABASE_URL as SQLAlchemy wants it (Heroku-style postgres:// gets the psycopg 3 driver)."""
    if not env_value:
        return _sqlite_default()
    for prefix in ("postgres://", "postgresql://"):
        if env_value.startswith(prefix):
            return "postgresql+psycopg://" + env_value[len(prefix):]
    return env_value


class Config:
    """Production defaults; everything that varies by deployment comes from the environment."""

    SECRET_KEY = os.environ.get("SECRET_KEY")
    SQLALCHEMY_DATABASE_URI = _database_url(os.environ.get("DATABASE_URL"))
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
    # How long a SQLite writer waits for the lock before the request answers 503 with Retry-After.
    SQLITE_BUSY_TIMEOUT_MS = int(os.environ.get("SQLITE_BUSY_TIMEOUT_MS", 5000))
    DEBUG = os.environ.get("FLASK_DEBUG") == "1"
    TESTING = False

    # Resident pages carry small forms; uploads (spreadsheet import) are the largest body we accept.
    MAX_CONTENT_LENGTH = int(os.environ.get("MAX_CONTENT_LENGTH", 20 * 1024 * 1024))
    MAX_FORM_MEMORY_SIZE = 500_000

    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    # Secure outside debug; the __Host- prefix pins the cookie to this host and path (HTTPS only).
    SESSION_COOKIE_SECURE = os.environ.get("SESSION_COOKIE_SECURE", "1") == "1"
    SESSION_COOKIE_NAME = "__Host-civictest" if SESSION_COOKIE_SECURE else "civictest_session"
    PERMANENT_SESSION_LIFETIME = timedelta(hours=int(os.environ.get("SESSION_HOURS", 8)))
    REMEMBER_COOKIE_HTTPONLY = True
    WTF_CSRF_TIME_LIMIT = None  # a resident may take an hour on one task; the token is tied to the session

    BABEL_DEFAULT_LOCALE = "ja"
    BABEL_DEFAULT_TIMEZONE = "Asia/Tokyo"
    LANGUAGES = ("ja", "en")

    # memory:// counts in each process: with several gunicorn workers every limit is that many times looser
    # (gunicorn.conf.py warns at start-up). Redis shares the counters between workers and servers.
    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI") or "memory://"
    # Keeps this deployment's counters apart from others on the same Redis (and each test run's).
    RATELIMIT_KEY_PREFIX = os.environ.get("RATELIMIT_KEY_PREFIX", "")
    # Off: the limiter's own Retry-After would overwrite the 503's short one; 429 pages set theirs.
    RATELIMIT_HEADERS_ENABLED = False
    # Number of trusted proxies in front of the app (X-Forwarded-For), so per-IP limits see residents.
    PROXY_FIX_X_FOR = int(os.environ.get("PROXY_FIX_X_FOR", 0))
    SUPPRESSION_K = int(os.environ.get("SUPPRESSION_K", 5))
    # Where the public site is reachable (scheme and host, e.g. https://civictest.city.example.lg.jp): absolute
    # URLs in published files are built from it, never from the request's Host header.
    PUBLIC_BASE_URL = os.environ.get("PUBLIC_BASE_URL", "").rstrip("/")
    # Host names the app answers to (comma-separated); any other Host header is a 400. Unset: any host.
    TRUSTED_HOSTS = _host_list(os.environ.get("TRUSTED_HOSTS"), PUBLIC_BASE_URL)
    # The publishing city's 6-digit local-government code (全国地方公共団体コード) for open-data files.
    OPEN_DATA_LG_CODE = os.environ.get("OPEN_DATA_LG_CODE", "")
    # How long residents' free text is kept after the test ends (consent.py promises 3 years): `flask retention`.
    # "json": one JSON line per request (method, path, status, duration, request id) and per log record.
    LOG_FORMAT = os.environ.get("LOG_FORMAT", "text").strip().lower()
    # Error reporting to a Sentry-compatible server (sentry-sdk, no personal data); unset: none.
    SENTRY_DSN = os.environ.get("SENTRY_DSN", "")
    SENTRY_ENVIRONMENT = os.environ.get("SENTRY_ENVIRONMENT", "")
    RETENTION_DAYS = int(os.environ.get("RETENTION_DAYS", 3 * 365 + 1))
    # Live-service feedback form (/feedback/<service id>): answers one address may send (Flask-Limiter syntax),
    # how long a served form stays valid, and origins besides the service's own URL that may frame it.
    FEEDBACK_RATE_LIMIT = os.environ.get("FEEDBACK_RATE_LIMIT", "10 per minute; 100 per day")
    FEEDBACK_TOKEN_MAX_AGE = int(os.environ.get("FEEDBACK_TOKEN_MAX_AGE", 2 * 60 * 60))
    FEEDBACK_FRAME_ANCESTORS = os.environ.get("FEEDBACK_FRAME_ANCESTORS", "")


class ConfigError(ValueError):
    """A setting that cannot work; raised by create_app at start-up, naming the setting."""


def check_open_data_lg_code(value: str | None) -> str:
    """OPEN_DATA_LG_CODE as the 6-digit 全国地方公共団体コード, or "" when unset; ConfigError otherwise.

    The 6th digit is a check digit over the first five (weights 6, 5, 4, 3, 2; sum mod 11; the last digit of
    11 minus the remainder: 13108 -> 131083). A 5-digit JIS code gets its check digit; a 6-digit code with a
    wrong one, a malformed value or a code of no local government is refused, instead of the open-data
    files silently leaving the code out.
    """
    from civictest.geo import lg_code, municipality_name, with_check_digit

    text = (value or "").strip()
    if not text:
        return ""
    code = lg_code(text)
    if code is None:
        if text.isascii() and text.isdigit() and len(text) == 6:
            expected = with_check_digit(text[:5])
            raise ConfigError(
                f"OPEN_DATA_LG_CODE={text!r}: the check digit is wrong (the 6th digit of a 全国地方公共団体コード "
                f"is a check digit; for {text[:5]} the code is {expected})")
        raise ConfigError(f"OPEN_DATA_LG_CODE={text!r}: expected the publishing local government's 6-digit "
                          "全国地方公共団体コード, e.g. 131083 (江東区)")
    if municipality_name(code) is None:
        raise ConfigError(f"OPEN_DATA_LG_CODE={text!r}: {code} is not the code of a prefecture, municipality "
                          "or ward")
    return code


class LocalConfig(Config):
    """Embedded SQLite on one machine with no SECRET_KEY given (the README's run command).

    The site is served over plain HTTP on localhost, so the cookie cannot be Secure, and the secret key
    is generated once into instance/ so that sessions survive a restart.
    """

    SESSION_COOKIE_SECURE = False
    SESSION_COOKIE_NAME = "civictest_session"
    LOCAL_SECRET_FILE = INSTANCE_DIR / "secret_key"


class TestConfig(Config):
    """The test suite: DATABASE_URL when given (CI's PostgreSQL run), else a temporary SQLite file."""

    TESTING = True
    SECRET_KEY = "test-secret"
    SESSION_COOKIE_SECURE = False
    SESSION_COOKIE_NAME = "civictest_session"
    RATELIMIT_ENABLED = False
    WTF_CSRF_ENABLED = True
    PUBLIC_BASE_URL = ""  # tests that need them set them; the developer's environment does not leak in
    SENTRY_DSN = ""
    LOG_FORMAT = "text"
    TRUSTED_HOSTS = None


def pick_config() -> type[Config]:
    """Config when the deployment names its database or secret; LocalConfig for the embedded demo."""
    if os.environ.get("DATABASE_URL") or os.environ.get("SECRET_KEY"):
        return Config
    return LocalConfig


def env_flag(name: str) -> bool:
    """True when an environment flag is set to 1/true (used for CI-only behaviour in tests)."""
    return os.environ.get(name, "").lower() in ("1", "true", "yes")
