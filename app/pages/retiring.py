"""Taking a person or a venue out of use from the coordinator's pages. The upcoming events it
affects are listed first, on a confirmation page or on the edit form (which then asks for a
tick), and each kind of record says what happens in its own words (``Retiring``)."""

from dataclasses import dataclass
from typing import Any, Protocol

from fastapi import Request
from fastapi.responses import Response

from app.pages.forms import FormInput
from app.pages.rendering import render

Affected = list[dict[str, Any]]
"""The upcoming events it affects, as the pages list them: ``event``, ``status``, ``detail``."""


class Named(Protocol):
    @property
    def id(self) -> int | None: ...

    @property
    def name(self) -> str: ...


@dataclass(frozen=True)
class Retiring:
    """How the pages word taking one kind of record out of use: ``{name}`` is the record's
    name, ``{count}`` how many upcoming events it affects."""

    pages: str  # "/plan/people": the record's page is pages/<id>
    heading: str
    affected_title: str
    button: str
    button_affecting: str
    confirm: str  # asked on the edit form before it is saved
    done: str
    done_alone: str  # when no upcoming event is affected

    def page_of(self, record: Named) -> str:
        return f"{self.pages}/{record.id}"

    def confirmation(self, request: Request, record: Named, summary: str, affected: Affected) -> Response:
        """The page that lists what taking the record out of use affects, with the button."""
        context = {
            "caption": record.name,
            "heading": self.heading.format(name=record.name),
            "summary": summary,
            "places": affected,
            "affected_title": self.affected_title,
            "action": f"{self.page_of(record)}/deactivate",
            "button": self.button_affecting if affected else self.button,
            "back_href": self.page_of(record),
        }
        return render(request, "deactivate.html", context)

    def ask_on(self, form: FormInput, record: Named, affected: Affected) -> None:
        """An edit form that takes the record out of use, affecting events, needs the tick."""
        if form.ok and affected and not form.flag("confirm_deactivation"):
            form.error("confirm_deactivation", self.confirm.format(name=record.name, count=len(affected)))

    def said(self, record: Named, affected: Affected) -> str:
        """What the next page says once the record is out of use."""
        words = self.done if affected else self.done_alone
        return words.format(name=record.name, count=len(affected))
