"""Domain errors: services raise these with a translated message; UIs show it, the API maps it."""

from __future__ import annotations


class DomainError(Exception):
    """A rule of the domain refused the operation; ``message`` is safe to show to the user."""

    status_code = 422

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = str(message)
        self.field = field


class NotFound(DomainError):
    status_code = 404


class PermissionDenied(DomainError):
    status_code = 403


class Conflict(DomainError):
    """The object changed since the caller read it (stale version)."""

    status_code = 409


class InvalidInput(DomainError):
    status_code = 422


class PayloadTooLarge(DomainError):
    status_code = 413
