"""HTTP concerns shared by every route: security headers and log redaction."""

import logging
import re

from fastapi import Request
from starlette.responses import PlainTextResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.errors import Invalid
from app.problems import problem, wants_json

# Secret links (calendar feeds, links in messages) must never reach a log file, whatever
# the path's shape (a doubled slash reaches the same route).
_SECRET_FEED = re.compile(r"(/+feeds/+(?:people|campaigns)/+)[^/\s.?]+")
_SECRET_LINK = re.compile(r"(/+(?:respond|notifications/+unsubscribe)/+)[^/\s?]+")


def redact_path(text: str) -> str:
    return _SECRET_LINK.sub(r"\1[redacted]", _SECRET_FEED.sub(r"\1[redacted]", text))


class _RedactSecrets(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(redact_path(a) if isinstance(a, str) else a for a in record.args)
        if isinstance(record.msg, str):
            record.msg = redact_path(record.msg)
        return True


def install_access_log_redaction() -> None:
    access = logging.getLogger("uvicorn.access")
    if not any(isinstance(f, _RedactSecrets) for f in access.filters):
        access.addFilter(_RedactSecrets())


def refuse_nul_characters(request: Request) -> None:
    """No query or path parameter may carry a NUL character (an app-wide dependency).

    Text never legitimately contains one, and PostgreSQL refuses it in a query with an error
    that would otherwise reach the 500 handler. JSON bodies are checked by their types.
    """
    values = [
        *request.query_params.keys(),
        *request.query_params.values(),
        *map(str, request.path_params.values()),
    ]
    if any("\x00" in value for value in values):
        raise Invalid("query and path parameters may not contain NUL characters")


HSTS = b"max-age=31536000; includeSubDomains"
_CSP = (
    b"default-src 'self'; img-src 'self' data:; style-src 'self'; "
    b"script-src 'self'; frame-ancestors 'none'; form-action 'self'"
)


class SecurityHeadersMiddleware:
    """Conservative defaults: nothing is framed, sniffed or loaded from elsewhere; behind
    HTTPS (``hsts``, from MUSTER_SECURE_COOKIES) browsers are told to stay on HTTPS.

    Every response gets them, a crash's 500 too: Starlette's own 500 comes from outside every
    middleware, so an exception that reaches this one is answered here (a problem under
    /api, plain text elsewhere), then raised on so that the server logs it as before.
    """

    def __init__(self, app: ASGIApp, *, hsts: bool = False) -> None:
        self.app = app
        self.hsts = hsts

    def _headers(self, scope: Scope, headers: list[tuple[bytes, bytes]]) -> list[tuple[bytes, bytes]]:
        present = {k.lower() for k, _ in headers}
        defaults = {
            b"x-content-type-options": b"nosniff",
            b"x-frame-options": b"DENY",
            b"referrer-policy": b"same-origin",
        }
        if not scope.get("path", "").startswith("/docs"):
            defaults[b"content-security-policy"] = _CSP
        if self.hsts:
            defaults[b"strict-transport-security"] = HSTS
        return headers + [(key, value) for key, value in defaults.items() if key not in present]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def send_with_headers(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                message["headers"] = self._headers(scope, list(message.get("headers", [])))
            await send(message)

        try:
            await self.app(scope, receive, send_with_headers)
        except Exception:
            if not started:
                await _internal_error(scope)(scope, receive, send_with_headers)
            raise


def _internal_error(scope: Scope) -> Response:
    request = Request(scope)
    detail = "something went wrong on our side; it has been logged"
    if wants_json(request):
        return problem(request, status=500, title="Internal error", detail=detail, type_slug="internal")
    return PlainTextResponse("Internal Server Error", status_code=500)
