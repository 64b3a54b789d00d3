"""The ASGI application: ``app.main:app``."""

import logging

from fastapi import Depends, FastAPI
from fastapi.staticfiles import StaticFiles
from fastapi_offline import FastAPIOffline
from starlette.middleware.sessions import SessionMiddleware

from app import tracking
from app.config import get_settings
from app.pages.rendering import STATIC_DIR
from app.problems import install_error_handlers
from app.routers import ROUTERS
from app.web import SecurityHeadersMiddleware, install_access_log_redaction, refuse_nul_characters

API_DESCRIPTION = """
Muster plans positive-action outreach events: venues, campaigns, events, the people who
staff them and the booking rules that keep anyone from being booked twice.

Authenticate with a session cookie (sign in at `/login`) or `Authorization: Bearer <token>`
(make one with `muster create-token --email you@example.org`). Times are accepted as ISO 8601
with an offset, or without one meaning Europe/London wall-clock time; answers are in London
time with its offset. Errors are RFC 9457 problem details.
"""


def create_app() -> FastAPI:
    settings = get_settings()
    tracking.install()
    # Swagger UI from the packaged copy, not a CDN: /docs must work on a closed network.
    app = FastAPIOffline(
        static_url="/static/api-docs",
        title="Muster",
        version="0.1.0",
        description=API_DESCRIPTION,
        openapi_url="/api/v1/openapi.json",
        docs_url="/docs",
        redoc_url=None,
        dependencies=[Depends(refuse_nul_characters)],
    )
    app.add_middleware(
        SessionMiddleware,
        secret_key=settings.secret_key,
        session_cookie="muster_session",
        max_age=settings.session_max_age_hours * 3600,
        same_site="lax",
        https_only=settings.secure_cookies,
    )
    # Added last, so outermost of ours: every response, a crash's 500 too, gets the headers.
    app.add_middleware(SecurityHeadersMiddleware, hsts=settings.secure_cookies)
    install_error_handlers(app)
    for router in ROUTERS:
        app.include_router(router)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    install_access_log_redaction()
    logging.getLogger("muster").setLevel(logging.INFO)
    return app


app = create_app()
