"""Security headers on every response (CSP, nosniff, frame and referrer rules, HSTS behind HTTPS) and
no-store caching for the staff and participant pages."""
from __future__ import annotations

from collections.abc import Callable

from flask import Flask, current_app, request

CSP_BASE = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; "
)
CSP = CSP_BASE + "frame-ancestors 'none'"
SECURITY_HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
}
# Pages reached by a resident's personal link (a token in the URL): a member's own page and erasure, the
# confirmation link, an invitation's personal link and its booking page. Never listed, never kept in a cache.
PERSONAL_LINK_PREFIXES = ("/panel/me/", "/panel/confirm/", "/panel/i/", "/panel/b/")
NO_STORE_PREFIXES = ("/manage", "/review", "/compare", "/facilitate", "/api", "/participate", "/surveys", "/respond",
                     "/feedback", *PERSONAL_LINK_PREFIXES)
# The only pages another site may frame: endpoint -> a function of the URL's arguments giving the origins
# allowed as frame-ancestors (none: framing stays denied). Registered by the blueprint that owns the page.
FRAMEABLE: dict[str, Callable[[dict], list[str]]] = {}


def allow_framing(endpoint: str, origins_for: Callable[[dict], list[str]]) -> None:
    FRAMEABLE[endpoint] = origins_for
# Pages no search engine should list: staff pages, the sign-in page and residents' own steps (robots.txt asks
# the same; the header also covers crawlers that ignore robots.txt but honour noindex).
NOINDEX_PREFIXES = ("/manage", "/review", "/compare", "/facilitate", "/api", "/auth", "/participate",
                    "/resume", "/withdraw", "/join/", "/surveys", "/respond", "/mail", *PERSONAL_LINK_PREFIXES)


def noindex(path: str) -> bool:
    return path.startswith(NOINDEX_PREFIXES)


def register(app: Flask) -> None:
    app.after_request(add_security_headers)


def add_security_headers(response):  # noqa: ANN001, ANN201
    """Every header below unless the view set its own (Headers.setdefault raises and catches a KeyError per
    missing header, so the names present are read once instead)."""
    present = {name.lower() for name in response.headers.keys()}
    wanted = dict(SECURITY_HEADERS)
    framing = FRAMEABLE.get(request.endpoint or "")
    origins = framing(request.view_args or {}) if framing else []
    if origins:  # this page may sit in an iframe on these sites (any answer of it, a 429 or a 400 included)
        wanted["Content-Security-Policy"] = CSP_BASE + "frame-ancestors " + " ".join(["'self'", *origins])
        del wanted["X-Frame-Options"]  # it cannot name origins; CSP frame-ancestors replaces it
    if current_app.config.get("SESSION_COOKIE_SECURE"):
        wanted["Strict-Transport-Security"] = "max-age=31536000; includeSubDomains"
    if request.path.startswith(NO_STORE_PREFIXES):
        wanted["Cache-Control"] = "no-store"
    if noindex(request.path):
        wanted["X-Robots-Tag"] = "noindex, nofollow"
    response.headers.extend((name, value) for name, value in wanted.items() if name.lower() not in present)
    return response
