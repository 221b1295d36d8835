"""File downloads: bytes from civictest.exporting.writers as an attachment with the right MIME type and name."""
from __future__ import annotations

from urllib.parse import quote

from flask import Response

MIMETYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "json": "application/json",
}
FORMATS = tuple(MIMETYPES)


def attachment(body: bytes, filename: str, *, cache: str = "no-store") -> Response:
    """A download response; the extension of filename picks the MIME type, non-ASCII names use filename*."""
    kind = filename.rsplit(".", 1)[-1]
    ascii_name = filename.encode("ascii", "replace").decode().replace("?", "_").replace('"', "_")
    response = Response(body, content_type=MIMETYPES[kind])
    response.headers["Content-Disposition"] = (
        f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename)}")
    response.headers["Cache-Control"] = cache
    return response
