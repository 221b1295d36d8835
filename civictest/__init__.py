"""civictest: civic user testing for city governments."""
from __future__ import annotations

import secrets
from pathlib import Path

from flask import Flask

from civictest.config import Config, ConfigError, check_oidc, check_open_data_lg_code, parse_role_map, pick_config

ROOT = Path(__file__).resolve().parent.parent


def create_app(config: type[Config] | dict | None = None) -> Flask:
    """Build the app: config -> extensions -> blueprints -> errors -> CLI. Connects to nothing."""
    app = Flask(
        __name__,
        template_folder=str(ROOT / "templates"),
        instance_path=str(ROOT / "instance"),
    )
    from civictest.web.requests import CivicRequest

    app.request_class = CivicRequest
    _configure(app, config)
    if app.config.get("PROXY_FIX_X_FOR"):
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=app.config["PROXY_FIX_X_FOR"], x_proto=1)
    _init_extensions(app)
    from civictest.web import urls

    urls.install(app)  # before the blueprints add their rules: `<int:...>` is bounded everywhere
    _register_blueprints(app)
    from civictest import cli, security
    from civictest.web import errors, headers, request_log

    request_log.install(app)
    request_log.init_error_reporting(app)
    errors.register(app)
    headers.register(app)
    security.register(app)
    cli.register(app)
    return app


def _configure(app: Flask, config: type[Config] | dict | None) -> None:
    app.config.from_object(pick_config() if config is None or isinstance(config, dict) else config)
    if isinstance(config, dict):
        app.config.update(config)
    # Checked here, at start-up: a wrong code would otherwise vanish from every open-data row.
    app.config["OPEN_DATA_LG_CODE"] = check_open_data_lg_code(app.config.get("OPEN_DATA_LG_CODE"))
    serve = str(app.config.get("CIVICTEST_SERVE") or "both").strip().lower()
    if serve not in SERVE_CHOICES:
        raise ConfigError(f"CIVICTEST_SERVE={serve!r}: expected one of {', '.join(SERVE_CHOICES)}")
    app.config["CIVICTEST_SERVE"] = serve
    check_oidc(app.config)
    from civictest.models.staff import ROLES

    app.config["OIDC_ROLE_MAP_PARSED"] = parse_role_map(app.config.get("OIDC_ROLE_MAP"), ROLES)
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = _local_secret_key(app)


def _local_secret_key(app: Flask) -> str:
    """The embedded demo's secret, generated once into instance/; a real deployment must set SECRET_KEY."""
    path = app.config.get("LOCAL_SECRET_FILE")
    if path is None:
        raise RuntimeError("SECRET_KEY must be set in the environment outside debug and tests")
    path = Path(path)
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()


def _init_extensions(app: Flask) -> None:
    from civictest.extensions import csrf, db, limiter, login_manager, migrate
    from civictest.web import i18n

    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    db.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"), render_as_batch=True)
    csrf.init_app(app)
    login_manager.init_app(app)
    limiter.init_app(app)
    i18n.init_app(app)
    from civictest.auth import oidc

    oidc.init_app(app)
    with app.app_context():
        from civictest import counting, database, survey_tallies

        database.configure_engine(db.engine, app.config.get("SQLITE_BUSY_TIMEOUT_MS", 5000))
    counting.install()
    survey_tallies.install()
    from civictest import jobs
    from civictest.mail import queueing  # noqa: F401 - its after-commit hook hands queued mail to the jobs

    jobs.bind(app)


# Which side of a split deployment serves each blueprint (CIVICTEST_SERVE=resident|staff|both): residents come from
# the internet, staff from the office network (LGWAN), each side possibly on its own host. A blueprint that is in no
# list stops the app at start-up (and tests/web/test_serving.py names it): every new blueprint must be classified.
BLUEPRINT_SIDES = {
    "resident": ("public", "participate", "panel", "respond", "feedback"),
    "staff": ("auth", "manage", "facilitate", "review", "compare", "api", "surveys"),
    "both": ("site",),  # home page, health check, accessibility statement
}
SERVE_CHOICES = ("resident", "staff", "both")


def blueprint_side(name: str) -> str:
    """"resident", "staff" or "both" for a blueprint's name; RuntimeError for one in no list of BLUEPRINT_SIDES."""
    for side, names in BLUEPRINT_SIDES.items():
        if name in names:
            return side
    raise RuntimeError(f"blueprint {name!r} is not classified: add it to BLUEPRINT_SIDES in civictest/__init__.py")


def _register_blueprints(app: Flask) -> None:
    from civictest.api import bp as api_bp
    from civictest.auth import bp as auth_bp
    from civictest.compare import bp as compare_bp
    from civictest.facilitate import bp as facilitate_bp
    from civictest.feedback import bp as feedback_bp
    from civictest.manage import bp as manage_bp
    from civictest.panel import bp as panel_bp
    from civictest.participate import bp as participate_bp
    from civictest.public import bp as public_bp
    from civictest.public import site_bp
    from civictest.respond import bp as respond_bp
    from civictest.review import bp as review_bp
    from civictest.surveys import bp as surveys_bp
    from civictest.web import serving

    blueprints = (site_bp, public_bp, auth_bp, manage_bp, participate_bp, panel_bp, facilitate_bp, review_bp, compare_bp,
                  api_bp, surveys_bp, respond_bp, feedback_bp)
    served = app.config["CIVICTEST_SERVE"]
    not_served = set()
    for bp in blueprints:
        side = blueprint_side(bp.name)  # every blueprint is classified, whatever this host serves
        app.register_blueprint(bp)  # registered on every host, so that url_for builds links to the other side
        if served != "both" and side not in (served, "both"):
            not_served.add(bp.name)
    serving.install(app, not_served)
