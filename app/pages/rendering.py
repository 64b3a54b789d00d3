"""Jinja2 set-up shared by every HTML page and print view."""

from functools import lru_cache
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from app.clock import to_london
from app.enums import label
from app.pages.csrf import csrf_token

TEMPLATES_DIR = Path(__file__).resolve().parents[2] / "templates"
STATIC_DIR = Path(__file__).resolve().parents[1] / "static"


def _london(value: Any, fmt: str = "%A %-d %B %Y, %H:%M") -> str:
    if value is None:
        return ""
    return to_london(value).strftime(fmt)


@lru_cache
def get_templates() -> Jinja2Templates:
    templates = Jinja2Templates(directory=str(TEMPLATES_DIR))
    templates.env.filters["london"] = _london
    templates.env.filters["label"] = label
    templates.env.globals["csrf_token"] = csrf_token
    return templates


def render(
    request: Request, template: str, context: dict[str, Any] | None = None, *, status: int = 200
) -> HTMLResponse:
    ctx = {"principal": getattr(request.state, "principal", None), **(context or {})}
    return get_templates().TemplateResponse(request, template, ctx, status_code=status)


def render_error_page(request: Request, *, status: int, title: str, detail: str) -> HTMLResponse:
    return render(
        request,
        "errors/error.html",
        {"status": status, "title": title, "detail": detail},
        status=status,
    )
