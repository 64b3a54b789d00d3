"""Domain errors: what services raise (``NotFound``, ``Conflict``, ``Invalid``, ``Forbidden``…).

``app.problems`` turns each into a response: RFC 9457 problem details for the API, a
friendly page for people. Nothing here knows about the web.
"""

from typing import Any, ClassVar


class AppError(Exception):
    """A refusal; each kind names its HTTP status, title and problem type in its class line:
    ``class NotFound(AppError, status=404, title="Not found", slug="not-found")``."""

    status_code: ClassVar[int] = 400
    title: ClassVar[str] = "Bad request"
    type_slug: ClassVar[str] = "bad-request"

    def __init_subclass__(cls, *, status: int = 0, title: str = "", slug: str = "", **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if status:
            cls.status_code, cls.title, cls.type_slug = status, title, slug

    def __init__(self, detail: str, *, extra: dict[str, Any] | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.extra = extra or {}


class NotFound(AppError, status=404, title="Not found", slug="not-found"):
    pass


class Conflict(AppError, status=409, title="Conflict", slug="conflict"):
    pass


class Invalid(AppError, status=422, title="Invalid input", slug="invalid"):
    pass


class Forbidden(AppError, status=403, title="Forbidden", slug="forbidden"):
    pass


class Unauthorized(AppError, status=401, title="Sign-in required", slug="unauthorized"):
    pass


class Busy(AppError, status=503, title="Busy", slug="busy"):
    """A shared resource is saturated for now; the client should retry shortly."""

    def __init__(self, detail: str, *, retry_after_seconds: int) -> None:
        super().__init__(detail)
        self.retry_after_seconds = retry_after_seconds


class TooManyRequests(Busy, status=429, title="Too many attempts", slug="too-many-requests"):
    """Too many attempts from one address or at one account: slowed, never locked for good."""


PROBLEM_MEDIA_TYPE = "application/problem+json"
