"""Domain errors raised by services and translated to HTTP in one place (civictest.web.errors)."""
from __future__ import annotations


class DomainError(Exception):
    """A rule of the domain was broken; `status` is the HTTP answer, `message` is shown to the user."""

    status = 400

    def __init__(self, message: str = "") -> None:
        super().__init__(message)
        self.message = message


class NotFound(DomainError):
    status = 404


class Conflict(DomainError):
    status = 409


class SessionClosed(DomainError):
    """The test session is closed or full: residents get a page saying so, not an error."""

    status = 403


class InvalidInput(DomainError):
    status = 400
