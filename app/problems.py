"""The one place that turns any error into a response.

The API answers RFC 9457 problem details (``application/problem+json``) and the pages
answer a friendly HTML page (or, signed out, the sign-in page). Nothing the client sends
should ever reach the generic 500 handler.
"""

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from sqlalchemy.exc import IntegrityError, OperationalError
from starlette.exceptions import HTTPException as StarletteHTTPException

from app.accounts.pages import login_redirect
from app.errors import PROBLEM_MEDIA_TYPE, AppError, Busy, Conflict, Invalid, Unauthorized
from app.pages.rendering import render_error_page

log = logging.getLogger("muster.errors")


def wants_json(request: Request) -> bool:
    path = request.url.path
    if path.startswith("/api/") or path.startswith("/feeds/") or path.endswith(".ics"):
        return True
    accept = request.headers.get("accept", "")
    return "application/json" in accept and "text/html" not in accept


def problem(
    request: Request,
    *,
    status: int,
    title: str,
    detail: str,
    type_slug: str,
    extra: dict[str, Any] | None = None,
    headers: dict[str, str] | None = None,
) -> Response:
    if not wants_json(request):
        page = render_error_page(request, status=status, title=title, detail=detail)
        page.headers.update(headers or {})
        return page
    body: dict[str, Any] = {
        "type": f"/problems/{type_slug}",
        "title": title,
        "status": status,
        "detail": detail,
        "instance": request.url.path,
    }
    body.update(extra or {})
    return JSONResponse(body, status_code=status, media_type=PROBLEM_MEDIA_TYPE, headers=headers)


def _describe_validation(errors: list[Any]) -> tuple[str, list[dict[str, Any]]]:
    items = []
    for err in errors:
        loc = [str(p) for p in err.get("loc", ()) if p not in ("body",)]
        message = str(err.get("msg", "invalid")).removeprefix("Value error, ")
        if err.get("type") == "json_invalid":
            message = "the request body is not valid JSON"
            loc = []
        items.append({"field": ".".join(loc), "message": message})
    summary = "; ".join(f"{i['field']}: {i['message']}" if i["field"] else i["message"] for i in items)
    return summary or "invalid input", items


def error_response(request: Request, exc: AppError) -> Response:
    """A domain error as a problem: a sign-in challenge for 401, a retry hint when busy."""
    headers = {"WWW-Authenticate": "Bearer"} if isinstance(exc, Unauthorized) else None
    if isinstance(exc, Busy):
        headers = {"Retry-After": str(exc.retry_after_seconds)}
    return problem(
        request,
        status=exc.status_code,
        title=exc.title,
        detail=exc.detail,
        type_slug=exc.type_slug,
        extra=exc.extra,
        headers=headers,
    )


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(AppError)
    async def _app_error(request: Request, exc: AppError) -> Response:
        if isinstance(exc, Unauthorized) and not wants_json(request):
            redirect = login_redirect(request)
            if redirect is not None:
                return redirect
        return error_response(request, exc)

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> Response:
        detail, items = _describe_validation(list(exc.errors()))
        return error_response(request, Invalid(detail, extra={"errors": items}))

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> Response:
        titles = {404: "Not found", 405: "Method not allowed", 401: "Sign-in required"}
        detail = exc.detail if isinstance(exc.detail, str) else "request refused"
        if exc.status_code == 404 and detail == "Not Found":
            detail = f"nothing at {request.url.path}"
        return problem(
            request,
            status=exc.status_code,
            title=titles.get(exc.status_code, "Error"),
            detail=detail,
            type_slug="http-error",
            headers=getattr(exc, "headers", None),
        )

    # The database's own refusals: logged, since a service should have caught them first.
    @app.exception_handler(IntegrityError)
    async def _integrity(request: Request, exc: IntegrityError) -> Response:
        log.warning("integrity error reached the handler: %s", exc.orig)
        detail = "the change conflicts with existing data (a duplicate or a missing reference)"
        return error_response(request, Conflict(detail))

    @app.exception_handler(OperationalError)
    async def _busy(request: Request, exc: OperationalError) -> Response:
        log.warning("database busy: %s", exc.orig)
        return error_response(request, Busy("the database is busy; please try again", retry_after_seconds=1))
