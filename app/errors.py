"""Domain errors: what services raise (``NotFound``, ``Conflict``, ``Invalid``, ``Forbidden``…).

``app.problems`` turns each into a response: RFC 9457 problem details for the API, a
friendly page for people. Nothing here knows about the web.
"""

from typing import Any


class AppError(Exception):
    status_code = 400
    title = "Bad request"
    type_slug = "bad-request"

    def __init__(self, detail: str, *, extra: dict[str, Any] | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.extra = extra or {}


class NotFound(AppError):
    status_code = 404
    title = "Not found"
    type_slug = "not-found"


class Conflict(AppError):
    status_code = 409
    title = "Conflict"
    type_slug = "conflict"


class Invalid(AppError):
    status_code = 422
    title = "Invalid input"
    type_slug = "invalid"


class Forbidden(AppError):
    status_code = 403
    title = "Forbidden"
    type_slug = "forbidden"


class Busy(AppError):
    """A shared resource is saturated for now; the client should retry shortly."""

    status_code = 503
    title = "Busy"
    type_slug = "busy"

    def __init__(self, detail: str, *, retry_after_seconds: int) -> None:
        super().__init__(detail)
        self.retry_after_seconds = retry_after_seconds


class TooManyRequests(Busy):
    """Too many attempts from one address or at one account: slowed, never locked for good."""

    status_code = 429
    title = "Too many attempts"
    type_slug = "too-many-requests"


class Unauthorized(AppError):
    status_code = 401
    title = "Sign-in required"
    type_slug = "unauthorized"


PROBLEM_MEDIA_TYPE = "application/problem+json"
