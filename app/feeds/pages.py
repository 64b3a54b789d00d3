"""My calendar: a person's secret calendar link, its QR code, resetting and turning it off."""

import segno
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from app.db import SessionDep
from app.feeds import links
from app.pages.common import see_other
from app.pages.csrf import checked_form
from app.pages.rendering import flash, render
from app.people.deps import Ambassador

router = APIRouter(tags=["pages"], include_in_schema=False)


def qr_svg_data_uri(text: str) -> str:
    """A QR code made here, not by a web service: the link is a secret."""
    return str(segno.make(text, error="m").svg_data_uri(scale=4, border=2, dark="#0b0c0c"))


@router.get("/my/calendar", response_class=HTMLResponse)
def calendar_page(request: Request, session: SessionDep, principal: Ambassador) -> Response:
    link = links.person_feed_link(session=session, principal=principal)
    context = {"link": link, "qr": qr_svg_data_uri(link.webcal_url) if link else ""}
    return render(request, "my/calendar.html", context)


@router.post("/my/calendar")
async def turn_on_calendar(request: Request, session: SessionDep, principal: Ambassador) -> Response:
    await checked_form(request)
    links.create_person_feed(session=session, principal=principal)
    flash(request, "Your calendar link is ready. Add it to your calendar app below.")
    return see_other("/my/calendar")


@router.post("/my/calendar/reset")
async def reset_calendar(request: Request, session: SessionDep, principal: Ambassador) -> Response:
    await checked_form(request)
    links.reset_person_feed(session=session, principal=principal)
    flash(
        request,
        "Your old link has stopped working. Remove the old calendar from your apps and add the new link.",
        kind="warning",
    )
    return see_other("/my/calendar")


@router.post("/my/calendar/off")
async def turn_off_calendar(request: Request, session: SessionDep, principal: Ambassador) -> Response:
    await checked_form(request)
    links.revoke_person_feed(session=session, principal=principal)
    flash(request, "Your calendar link is turned off and no longer works.")
    return see_other("/my/calendar")
