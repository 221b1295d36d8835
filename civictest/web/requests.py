"""The app's request class: NUL characters are removed from every query-string and form value on arrival.

PostgreSQL refuses NUL in text (SQLite stores it), so without this the same input would be a 500 on one
database and a stored row on the other. Removing it here treats every field, every view and every query the
same way on both.
"""
from __future__ import annotations

from flask import Request
from werkzeug.datastructures import ImmutableMultiDict, iter_multi_items


def _clean(value: object) -> object:
    return value.replace("\x00", "") if isinstance(value, str) else value


class NulFreeMultiDict(ImmutableMultiDict):
    def __init__(self, mapping=None) -> None:  # noqa: ANN001
        pairs = [(_clean(key), _clean(value)) for key, value in iter_multi_items(mapping or ())]
        super().__init__(pairs)


class CivicRequest(Request):
    parameter_storage_class = NulFreeMultiDict
