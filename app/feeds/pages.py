"""My calendar: a person's secret calendar link, its QR code, resetting and turning it off."""

import segno
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from app.db import SessionDep
from app.feeds import links
from app.pages.flow import done
from app.pages.forms import PostedForm
from app.pages.rendering import render
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
def turn_on_calendar(
    request: Request, session: SessionDep, principal: Ambassador, _form: PostedForm
) -> Response:
    links.create_person_feed(session=session, principal=principal)
    return done(request, "/my/calendar", "Your calendar link is ready. Add it to your calendar app below.")


@router.post("/my/calendar/reset")
def reset_calendar(
    request: Request, session: SessionDep, principal: Ambassador, _form: PostedForm
) -> Response:
    links.reset_person_feed(session=session, principal=principal)
    said = "Your old link has stopped working. Remove the old calendar from your apps and add the new link."
    return done(request, "/my/calendar", said, kind="warning")


@router.post("/my/calendar/off")
def turn_off_calendar(
    request: Request, session: SessionDep, principal: Ambassador, _form: PostedForm
) -> Response:
    links.revoke_person_feed(session=session, principal=principal)
    return done(request, "/my/calendar", "Your calendar link is turned off and no longer works.")
