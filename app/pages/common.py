"""What many pages share: paging, look-ups by id in one query, redirects, query strings."""

import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from enum import Enum
from typing import Any, TypeVar
from urllib.parse import urlencode

from fastapi import Request
from fastapi.responses import RedirectResponse
from sqlmodel import Session, SQLModel, col, select
from starlette.convertors import Convertor, register_url_convertor

from app.api_common import MAX_ID
from app.campaigns import service as campaigns
from app.campaigns.models import Campaign
from app.clock import EARLIEST, LATEST
from app.enums import label
from app.networks import service as networks
from app.networks.models import Network
from app.people.models import Person
from app.venues import service as venues
from app.venues.models import Venue

T = TypeVar("T", bound=SQLModel)

PAGE_SIZE = 50


@dataclass(frozen=True)
class Page:
    number: int
    size: int
    total: int = 0

    @property
    def offset(self) -> int:
        return (self.number - 1) * self.size

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.size))

    def with_total(self, total: int) -> "Page":
        return Page(self.number, self.size, total)


def page_from(request: Request, size: int = PAGE_SIZE) -> Page:
    text = request.query_params.get("page", "1")
    number = int(text) if text.isascii() and text.isdigit() and 0 < len(text) < 7 else 1
    return Page(max(1, number), size)


def query_string(**params: Any) -> str:
    """'a=1&b=x&' for links that add one more parameter (such as the page) at the end."""
    pairs = [(k, str(v)) for k, v in params.items() if v not in (None, "", False)]
    return urlencode(pairs) + "&" if pairs else ""


def _digits_up_to(limit: int) -> str:
    """A regular expression for the decimal numbers 0 to ``limit`` (leading zeros allowed
    only below ``limit``'s length), so a route can refuse a larger one by not matching."""
    text = str(limit)
    options = [f"[0-9]{{1,{len(text) - 1}}}"] if len(text) > 1 else []
    for i, digit in enumerate(text):
        if digit != "0":
            rest = len(text) - i - 1
            options.append(f"{text[:i]}[0-{int(digit) - 1}]" + (f"[0-9]{{{rest}}}" if rest else ""))
    options.append(text)
    return "|".join(f"(?:{option})" for option in options)


class IdConvertor(Convertor[int]):
    """``{name:id}`` in a path: 0 to MAX_ID (PostgreSQL's largest integer), the bound the API
    puts on its ids, so no id overflows a database integer: a larger one is 'not found'."""

    regex = f"(?:{_digits_up_to(MAX_ID)})"

    def convert(self, value: str) -> int:
        return int(value)

    def to_string(self, value: int) -> str:
        return str(int(value))


register_url_convertor("id", IdConvertor())


def text_param(request: Request, name: str, max_length: int = 100) -> str:
    """A free-text query parameter, trimmed, bounded and without NUL characters."""
    return request.query_params.get(name, "").replace("\x00", "").strip()[:max_length]


def choice_param(request: Request, name: str, allowed: Iterable[str], default: str = "") -> str:
    """A query parameter that must be one of ``allowed`` (a filter's choices); anything
    else, or nothing, is ``default``."""
    text = request.query_params.get(name, default)
    return text if text in allowed else default


def int_param(request: Request, name: str) -> int | None:
    text = request.query_params.get(name, "").strip()
    ok = text.isascii() and text.isdigit() and len(text) <= len(str(MAX_ID)) and int(text) <= MAX_ID
    return int(text) if ok else None


def date_param(request: Request, name: str) -> date | None:
    """A day from the query, or None when it is not one Muster can plan (the API's range:
    1900 to 2200), so month and week arithmetic never leaves the calendar."""
    try:
        day = date.fromisoformat(request.query_params.get(name, "").strip())
    except ValueError:
        return None
    return day if EARLIEST.date() <= day < LATEST.date() else None


def options(enum: type[Enum]) -> list[tuple[str, str]]:
    """(value, words) for each member: the choices of a select or radio buttons."""
    return [(m.value, label(m.value)) for m in enum]


def see_other(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


def by_id(session: Session, model: type[T], ids: set[int] | list[int]) -> dict[int, T]:
    """Records by id, in one query: lists of events show venues without one query each."""
    wanted = sorted({i for i in ids if i is not None})
    if not wanted:
        return {}
    id_column = col(model.id)  # type: ignore[attr-defined]
    rows = session.exec(select(model).where(id_column.in_(wanted))).all()
    return {row.id: row for row in rows}  # type: ignore[attr-defined]


# The domains' look-ups, under the names the other pages know; new code calls the services.


def all_venues(session: Session, *, active_only: bool = False) -> list[Venue]:
    return venues.all_venues(session=session, active_only=active_only)


def all_campaigns(session: Session) -> list[Campaign]:
    return campaigns.all_campaigns(session=session)


def all_networks(session: Session) -> list[Network]:
    return networks.all_networks(session=session)


def towns(session: Session) -> list[str]:
    return venues.towns(session=session)


def people_names(session: Session, ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    rows = session.exec(select(Person.id, Person.name).where(col(Person.id).in_(sorted(ids)))).all()
    return {pid: name for pid, name in rows if pid is not None}
