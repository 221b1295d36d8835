"""Configuration: the only module that reads os.environ."""
from __future__ import annotations

import os
import tempfile
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
    # Surveys (docs/surveys.md): the smallest group of respondents shown for staff surveys, and the key of the
    # keyed hash a response is found by (unset: derived from SECRET_KEY for this one purpose).
    SURVEY_SUPPRESSION_K = int(os.environ.get("SURVEY_SUPPRESSION_K", 10))
    SURVEY_RESPONSE_KEY = os.environ.get("SURVEY_RESPONSE_KEY", "")
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
    # Which pages this host serves: "resident" (the internet side), "staff" (the office network) or "both"
    # (default). The blueprints of the other side answer 404 (civictest/__init__.py, BLUEPRINT_SIDES).
    CIVICTEST_SERVE = os.environ.get("CIVICTEST_SERVE", "both")
    # The tester panel's fatigue rule (one city per deployment): at most this many tests per member in any
    # 365 days, and no invitation within this many days of the member's last test.
    PANEL_MAX_TESTS_PER_YEAR = int(os.environ.get("PANEL_MAX_TESTS_PER_YEAR", 4))
    PANEL_COOLOFF_DAYS = int(os.environ.get("PANEL_COOLOFF_DAYS", 60))
    # Members with this many no-shows (booked an in-person place, did not come) in the last 365 days are not
    # invited; 0 turns the rule off.
    PANEL_NO_SHOW_LIMIT = int(os.environ.get("PANEL_NO_SHOW_LIMIT", 2))
    # How long the link in a panel confirmation e-mail works.
    PANEL_CONFIRM_HOURS = int(os.environ.get("PANEL_CONFIRM_HOURS", 48))

    # Sign-in with the city's accounts (OpenID Connect: Microsoft Entra ID, Keycloak, ...); docs/sign-in.md.
    # Unset OIDC_ISSUER: local password accounts only.
    OIDC_ISSUER = os.environ.get("OIDC_ISSUER", "").rstrip("/")
    OIDC_CLIENT_ID = os.environ.get("OIDC_CLIENT_ID", "")
    OIDC_CLIENT_SECRET = os.environ.get("OIDC_CLIENT_SECRET", "")
    OIDC_SCOPES = os.environ.get("OIDC_SCOPES", "openid email profile")
    # The claim that carries the person's roles (dots walk into objects: realm_access.roles); unset: roles and
    # services are kept in civictest and an admin creates each account first (by e-mail).
    OIDC_ROLES_CLAIM = os.environ.get("OIDC_ROLES_CLAIM", "")
    # claim value=civictest role, comma-separated: "civictest-admin=admin,civictest-team=service_team".
    OIDC_ROLE_MAP = os.environ.get("OIDC_ROLE_MAP", "")
    # 1: a person the provider knows but civictest does not gets a disabled account for an admin to enable.
    OIDC_CREATE_USERS = os.environ.get("OIDC_CREATE_USERS", "0") == "1"
    # 1: the login page offers only the office account (local passwords are refused).
    OIDC_ONLY = os.environ.get("OIDC_ONLY", "0") == "1"
    # The callback URL registered at the provider; unset: built from the request (…/auth/oidc/callback).
    OIDC_REDIRECT_URI = os.environ.get("OIDC_REDIRECT_URI", "")
    OIDC_TIMEOUT_SECONDS = int(os.environ.get("OIDC_TIMEOUT_SECONDS", 10))
    # 1: admins who sign in with a local password must set up a TOTP second factor before anything else.
    REQUIRE_TOTP_FOR_ADMINS = os.environ.get("REQUIRE_TOTP_FOR_ADMINS", "0") == "1"
    # How long a password-reset link stays valid.
    PASSWORD_RESET_MINUTES = int(os.environ.get("PASSWORD_RESET_MINUTES", 60))

    # Background jobs (civictest/jobs.py, Huey): a SQLite file in instance/ by default, Redis when the URL is set.
    JOBS_REDIS_URL = os.environ.get("JOBS_REDIS_URL", "")
    JOBS_SQLITE_PATH = os.environ.get("JOBS_SQLITE_PATH", "") or str(INSTANCE_DIR / "jobs.sqlite3")
    JOBS_NAME = os.environ.get("JOBS_NAME", "civictest")  # the queue's name (its key prefix on Redis)

    # Outgoing mail (civictest/mail): SMTP when MAIL_SERVER is set, else .eml files in MAIL_OUTBOX_DIR.
    MAIL_SERVER = os.environ.get("MAIL_SERVER", "")
    MAIL_PORT = int(os.environ.get("MAIL_PORT") or 25)
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME", "")
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD", "")
    MAIL_USE_TLS = os.environ.get("MAIL_USE_TLS", "").lower() in ("1", "true", "yes")  # STARTTLS
    MAIL_DEFAULT_SENDER = os.environ.get("MAIL_DEFAULT_SENDER", "") or "civictest@localhost"
    MAIL_OUTBOX_DIR = os.environ.get("MAIL_OUTBOX_DIR", "") or str(INSTANCE_DIR / "outbox")
    MAIL_TIMEOUT = float(os.environ.get("MAIL_TIMEOUT") or 30)  # seconds per SMTP conversation step
    # A message that cannot be sent (server down, 4xx) is tried again after MAIL_RETRY_DELAY seconds,
    # doubling each time, MAIL_MAX_ATTEMPTS times in all; then it is marked failed.
    MAIL_RETRY_DELAY = float(os.environ.get("MAIL_RETRY_DELAY") or 60)
    MAIL_MAX_ATTEMPTS = int(os.environ.get("MAIL_MAX_ATTEMPTS") or 8)
    # A message claimed by a worker that died is handed out again after this many seconds.
    MAIL_CLAIM_TIMEOUT = float(os.environ.get("MAIL_CLAIM_TIMEOUT") or 300)
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


def parse_role_map(value: str | None, roles: tuple[str, ...]) -> dict[str, str]:
    """OIDC_ROLE_MAP ("claim value=role, ...") as a dict; ConfigError naming the entry for a malformed one or a
    role not in `roles` (civictest's roles)."""
    mapping = {}
    for entry in (value or "").split(","):
        if not entry.strip():
            continue
        claim_value, sep, role = entry.rpartition("=")
        claim_value, role = claim_value.strip(), role.strip()
        if not sep or not claim_value:
            raise ConfigError(f"OIDC_ROLE_MAP entry {entry.strip()!r}: expected claim-value=role")
        if role not in roles:
            raise ConfigError(f"OIDC_ROLE_MAP entry {entry.strip()!r}: the role must be one of {', '.join(roles)}")
        mapping[claim_value] = role
    return mapping


def check_oidc(config: dict) -> None:
    """A half-configured OpenID Connect sign-in fails at start-up, naming what is missing."""
    if not config.get("OIDC_ISSUER"):
        if config.get("OIDC_ONLY"):
            raise ConfigError("OIDC_ONLY=1 needs OIDC_ISSUER (otherwise nobody could sign in)")
        return
    if not config["OIDC_ISSUER"].startswith(("https://", "http://")):
        raise ConfigError("OIDC_ISSUER must be the issuer's URL (https://...)")
    for name in ("OIDC_CLIENT_ID", "OIDC_CLIENT_SECRET"):
        if not config.get(name):
            raise ConfigError(f"OIDC_ISSUER is set but {name} is not")
    if "openid" not in (config.get("OIDC_SCOPES") or "").split():
        raise ConfigError("OIDC_SCOPES must include openid")
    if config.get("OIDC_ROLES_CLAIM") and not config.get("OIDC_ROLE_MAP"):
        raise ConfigError("OIDC_ROLES_CLAIM is set but OIDC_ROLE_MAP is empty: no claim value would give a role")


class LocalConfig(Config):
    """Embedded SQLite on one machine with no SECRET_KEY given (the README's run command).

    The site is served over plain HTTP on localhost, so the cookie cannot be Secure, and the secret key
    is generated once into instance/ so that sessions survive a restart.
    """

    SESSION_COOKIE_SECURE = False
    SESSION_COOKIE_NAME = "civictest_session"
    LOCAL_SECRET_FILE = INSTANCE_DIR / "secret_key"


_TEST_DIR = Path(tempfile.gettempdir()) / f"civictest-test-{os.getpid()}"


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
    CIVICTEST_SERVE = "both"
    # Jobs in a SQLite file of this test run; mail to the outbox of this run unless a test sets MAIL_SERVER.
    JOBS_REDIS_URL = ""
    JOBS_SQLITE_PATH = str(_TEST_DIR / "jobs.sqlite3")
    MAIL_SERVER = ""
    MAIL_OUTBOX_DIR = str(_TEST_DIR / "outbox")
    MAIL_DEFAULT_SENDER = "civictest@city.example.jp"
    MAIL_RETRY_DELAY = 0.05
    MAIL_MAX_ATTEMPTS = 4
    MAIL_TIMEOUT = 5


def pick_config() -> type[Config]:
    """Config when the deployment names its database or secret; LocalConfig for the embedded demo."""
    if os.environ.get("DATABASE_URL") or os.environ.get("SECRET_KEY"):
        return Config
    return LocalConfig


def env_flag(name: str) -> bool:
    """True when an environment flag is set to 1/true (used for CI-only behaviour in tests)."""
    return os.environ.get(name, "").lower() in ("1", "true", "yes")
