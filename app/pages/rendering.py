"""Jinja2 set-up shared by every HTML page and print view."""

from datetime import date, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates
from jinja2 import Environment

from app.clock import to_london
from app.config import get_settings
from app.enums import label
from app.pages.csrf import csrf_token

TEMPLATES_DIR = Path(__file__).resolve().parents[2] / "templates"
STATIC_DIR = Path(__file__).resolve().parents[1] / "static"

FLASH_KEY = "flash"


def _london(value: Any, fmt: str = "%A %-d %B %Y, %H:%M") -> str:
    if value is None:
        return ""
    return to_london(value).strftime(fmt)


def _day(value: Any, fmt: str = "%A %-d %B %Y") -> str:
    """A date written out, as people say it: 'Wednesday 9 December 2026'."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return to_london(value).strftime(fmt)
    if isinstance(value, date):
        return value.strftime(fmt)
    return str(value)


def span(starts_at: datetime, ends_at: datetime, *, short: bool = False) -> str:
    """'Wednesday 9 December 2026, 10:00 to 17:00' in London time; both days if it runs over."""
    start, end = to_london(starts_at), to_london(ends_at)
    day_fmt = "%a %-d %b %Y" if short else "%A %-d %B %Y"
    if start.date() == end.date():
        return f"{start:{day_fmt}}, {start:%H:%M} to {end:%H:%M}"
    return f"{start:{day_fmt}}, {start:%H:%M} to {end:{day_fmt}}, {end:%H:%M}"


def _span(event: Any, short: bool = False) -> str:
    return span(event.starts_at, event.ends_at, short=short)


def _hours(event: Any) -> str:
    start, end = to_london(event.starts_at), to_london(event.ends_at)
    if start.date() == end.date():
        return f"{start:%H:%M}–{end:%H:%M}"
    return f"{start:%H:%M} – {end:%a %-d %b %H:%M}"


def _plural(count: int, singular: str, plural: str | None = None) -> str:
    return f"{count} {singular if count == 1 else (plural or singular + 's')}"


def _sentence(value: Any) -> str:
    """First letter up, the rest as written (Jinja's capitalize lowers "Women's Network")."""
    text = str(value)
    return text[:1].upper() + text[1:]


def _iso_day(value: Any) -> str:
    if isinstance(value, datetime):
        return to_london(value).date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return ""


def flash(request: Request, message: str, *, kind: str = "success") -> None:
    """A one-time message for the next page (after a POST → redirect)."""
    session = request.scope.get("session")
    if session is None:
        return
    messages = list(session.get(FLASH_KEY) or [])
    messages.append({"kind": kind, "message": message})
    session[FLASH_KEY] = messages[-5:]


def take_flashes(request: Request) -> list[dict[str, str]]:
    session = request.scope.get("session")
    if not session or FLASH_KEY not in session:
        return []
    messages = session.pop(FLASH_KEY) or []
    return [m for m in messages if isinstance(m, dict)]


def add_shared_filters(env: Environment) -> None:
    """The filters pages and e-mails both use, so a date or a status reads the same in each."""
    env.filters["london"] = _london
    env.filters["label"] = label
    env.filters["day"] = _day
    env.filters["span"] = _span
    env.globals["force_name"] = get_settings().force_name


@lru_cache
def get_templates() -> Jinja2Templates:
    templates = Jinja2Templates(directory=str(TEMPLATES_DIR))
    env = templates.env
    add_shared_filters(env)
    env.filters["hours"] = _hours
    env.filters["iso_day"] = _iso_day
    env.filters["sentence"] = _sentence
    env.globals["csrf_token"] = csrf_token
    env.globals["take_flashes"] = take_flashes
    env.globals["plural"] = _plural
    return templates


def render(
    request: Request, template: str, context: dict[str, Any] | None = None, *, status: int = 200
) -> HTMLResponse:
    ctx = {"principal": getattr(request.state, "principal", None), **(context or {})}
    response = get_templates().TemplateResponse(request, template, ctx, status_code=status)
    # Pages carry personal data and CSRF tokens: never stored by shared caches or the back button.
    response.headers.setdefault("Cache-Control", "no-store" if ctx["principal"] else "no-cache")
    return response


def render_error_page(request: Request, *, status: int, title: str, detail: str) -> HTMLResponse:
    return render(
        request,
        "errors/error.html",
        {"status": status, "title": title, "detail": detail},
        status=status,
    )
