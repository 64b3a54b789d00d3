"""What a page does once a form is posted: go on to the next page with a message
(Post/Redirect/Get), or say why the service refused."""

from collections.abc import Callable
from typing import TypeVar

from fastapi import Request
from fastapi.responses import Response
from sqlmodel import Session

from app.errors import Conflict, Invalid
from app.pages.common import see_other
from app.pages.rendering import flash

T = TypeVar("T")


def done(request: Request, url: str, message: str, *, kind: str = "success") -> Response:
    """To ``url`` (303), where ``message`` shows once: a reload does not post the form again."""
    flash(request, message, kind=kind)
    return see_other(url)


def attempt(request: Request, session: Session, action: Callable[[], T]) -> T | None:
    """What ``action`` (a service call) returns; None when the service refuses (bad input, a
    clash): its words are flashed as an error and its half-done work rolled back."""
    try:
        return action()
    except (Invalid, Conflict) as exc:
        session.rollback()
        flash(request, exc.detail[:1].upper() + exc.detail[1:], kind="error")
        return None


def download(
    body: bytes,
    *,
    media_type: str,
    filename: str,
    inline: bool = False,
    headers: dict[str, str] | None = None,
) -> Response:
    """A file answered to the browser: shown in its own viewer (``inline``, a PDF) or saved."""
    disposition = "inline" if inline else "attachment"
    return Response(
        body,
        media_type=media_type,
        headers={**(headers or {}), "Content-Disposition": f'{disposition}; filename="{filename}"'},
    )
