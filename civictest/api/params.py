"""The API's query parameters: strict integers (a bad value is a 400 that names the parameter), ids that fit the
database's 64-bit keys, and page/per_page for the list endpoints (with a Link header and a `next` field)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import jsonify, request, url_for
from flask_babel import gettext as _

from civictest.models.base import ID_MAX

MAX_ID = ID_MAX  # the largest key an id column holds (civictest.models.base)
DEFAULT_PER_PAGE = 20
MAX_PER_PAGE = 100


class ParameterError(Exception):
    """A query parameter is missing or has a value the endpoint cannot use: 400 naming the parameter."""

    def __init__(self, parameter: str, message: str) -> None:
        super().__init__(f"{parameter}: {message}")
        self.parameter, self.message = parameter, message

    def response(self):  # noqa: ANN201
        return jsonify(error={"status": 400, "parameter": self.parameter, "message": self.message}), 400


def integer(name: str, *, required: bool = False, minimum: int = 1, maximum: int = MAX_ID,
            default: int | None = None) -> int | None:
    """An integer query parameter in [minimum, maximum]; absent gives default (or a 400 when required)."""
    raw = request.args.get(name)
    if raw is None or raw == "":
        if required:
            raise ParameterError(name, _("%(name)s は必須です。", name=name))
        return default
    text = raw.strip()
    digits = text[1:] if text[:1] in "+-" else text
    if not digits.isascii() or not digits.isdigit():
        raise ParameterError(name, _("%(name)s は整数で指定してください。", name=name))
    value = int(text) if len(digits) <= 30 else (maximum + 1 if text[:1] != "-" else minimum - 1)
    if not minimum <= value <= maximum:
        raise ParameterError(name, _("%(name)s は %(minimum)s 以上 %(maximum)s 以下で指定してください。",
                                     name=name, minimum=minimum, maximum=maximum))
    return value


def fits(object_id: int) -> bool:
    """A path id the database can hold (a larger one names nothing: 404, not a driver overflow)."""
    return 0 <= object_id <= MAX_ID


@dataclass(frozen=True)
class Page:
    """page (from 1) and per_page of a list endpoint."""

    number: int
    size: int

    @classmethod
    def from_request(cls) -> Page:
        return cls(integer("page", default=1), integer("per_page", default=DEFAULT_PER_PAGE, maximum=MAX_PER_PAGE))

    def slice(self, items: list) -> list:
        start = (self.number - 1) * self.size
        return items[start:start + self.size]

    def _url(self, number: int) -> str:
        kept = {k: v for k, v in request.args.to_dict().items() if k not in ("page", "per_page")}
        args = {**(request.view_args or {}), **kept, "page": number, "per_page": self.size}
        return url_for(request.endpoint, **args)

    def respond(self, key: str, items: list, total: int) -> Any:
        """JSON {key: items, page, per_page, total, next, prev} with an RFC 8288 Link header (next, prev)."""
        has_next = self.number * self.size < total
        has_prev = 1 < self.number <= (total + self.size - 1) // self.size + 1
        links = {"next": self._url(self.number + 1) if has_next else None,
                 "prev": self._url(self.number - 1) if has_prev else None}
        response = jsonify({key: items, "page": self.number, "per_page": self.size, "total": total, **links})
        header = ", ".join(f'<{url}>; rel="{rel}"' for rel, url in links.items() if url)
        if header:
            response.headers["Link"] = header
        return response
