"""CIVICTEST_SERVE: a host serves the resident pages, the staff pages or both (civictest/__init__.py lists which
blueprint belongs to which side, BLUEPRINT_SIDES).

Every blueprint is registered on every host, so that links and published metadata that name the other side's
pages still build; the other side's blueprints answer 404 before anything else runs (no CSRF check, no rate-limit
counter, no login redirect), and templates ask `serves("staff")` / `serves("resident")` before showing links to
the other side. On a staff-only host with PUBLIC_BASE_URL set, links to resident pages (open data, the fixes
page) point at the public site.
"""
from __future__ import annotations

from flask import Flask, abort, current_app, request
from werkzeug.exceptions import HTTPException, MethodNotAllowed


def serves(side: str) -> bool:
    """True when this host serves the given side's pages ("resident" or "staff")."""
    return current_app.config["CIVICTEST_SERVE"] in (side, "both")


def install(app: Flask, not_served: set[str]) -> None:
    app.config["CIVICTEST_NOT_SERVED"] = frozenset(not_served)
    app.jinja_env.globals["serves"] = serves
    if not not_served:
        return

    def blueprint_of_wrong_method() -> str | None:
        """A request with a method the route does not take has no rule (routing failed with 405): the blueprint
        of the route its path matches, so that the other side's routes are 404 for every method."""
        error = request.routing_exception
        if not isinstance(error, MethodNotAllowed) or not error.valid_methods:
            return None
        try:
            endpoint, _ = current_app.create_url_adapter(request).match(method=error.valid_methods[0])
        except HTTPException:
            return None
        return endpoint.rpartition(".")[0] or None

    def other_side_is_not_here() -> None:
        if (request.blueprint or blueprint_of_wrong_method()) in not_served:
            abort(404)

    # First of all before-request functions: CSRF, rate limits and logins never see the other side's requests.
    app.before_request_funcs.setdefault(None, []).insert(0, other_side_is_not_here)

    public_base_url = app.config.get("PUBLIC_BASE_URL", "")
    if app.config["CIVICTEST_SERVE"] == "staff" and public_base_url:
        plain_url_for = app.url_for

        def url_for(endpoint: str, **values) -> str:  # noqa: ANN003
            url = plain_url_for(endpoint, **values)
            if endpoint.partition(".")[0] in not_served and url.startswith("/") and not url.startswith("//"):
                return public_base_url + url
            return url

        app.url_for = url_for  # flask.url_for calls current_app.url_for
        app.jinja_env.globals["url_for"] = url_for  # templates got the method when the environment was made
