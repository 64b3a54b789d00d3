"""HTTP concerns shared by every route: security headers and log redaction."""

import logging
import re

from fastapi import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.errors import Invalid

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


class SecurityHeadersMiddleware:
    """Conservative defaults: nothing is framed, sniffed or loaded from elsewhere."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {k.lower() for k, _ in headers}
                defaults = {
                    b"x-content-type-options": b"nosniff",
                    b"x-frame-options": b"DENY",
                    b"referrer-policy": b"same-origin",
                }
                path = scope.get("path", "")
                if not path.startswith("/docs"):
                    defaults[b"content-security-policy"] = (
                        b"default-src 'self'; img-src 'self' data:; style-src 'self'; "
                        b"script-src 'self'; frame-ancestors 'none'; form-action 'self'"
                    )
                for key, value in defaults.items():
                    if key not in present:
                        headers.append((key, value))
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)
