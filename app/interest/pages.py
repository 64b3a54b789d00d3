"""The public's "I'm interested" form: from an event's page or its poster's QR code, or
on its own at /interest. It needs no JavaScript and no sign-in."""

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from sqlmodel import Session

from app.accounts.deps import OptionalUser
from app.campaigns import service as campaigns
from app.config import get_settings
from app.db import SessionDep
from app.errors import TooManyRequests
from app.events.models import Event
from app.interest import service
from app.interest.schemas import CONTACT_NEEDED, ROLE_WORDS, InterestFields
from app.pages.common import see_other
from app.pages.forms import FormInput, PostedForm
from app.pages.rendering import render
from app.venues import service as venues

router = APIRouter(tags=["pages"], include_in_schema=False)

FORM_FIELDS = ("full_name", "email", "phone", "roles", "message", "consent")
# Left empty by people (it is hidden from them and from screen readers); form-filling
# scripts fill it. They get the same thank-you as anyone, so learn nothing, and nothing is kept.
HONEYPOT = "website"


def _where(event: Event | None) -> str:
    return f"/events/{event.id}/interest" if event is not None else "/interest"


def _context(session: Session, event: Event | None) -> dict[str, object]:
    venue = venues.get_venue(session=session, venue_id=event.venue_id) if event is not None else None
    campaign = campaigns.get_campaign(session=session, campaign_id=event.campaign_id) if event else None
    return {
        "event": event,
        "venue": venue,
        "campaign": campaign,
        "action": _where(event),
        "roles": list(ROLE_WORDS.items()),
        "retention_days": get_settings().interest_retention_days,
    }


def _form_page(
    request: Request,
    session: Session,
    form: FormInput,
    event: Event | None,
    *,
    status: int = 200,
    refused: str = "",
) -> Response:
    context = {**_context(session, event), "form": form, "refused": refused}
    return render(request, "interest/form.html", context, status=status)


def _receive(request: Request, session: Session, form: FormInput, event: Event | None) -> Response:
    """Count the sending, then keep what a person sent; the form again, as typed, if not."""
    try:
        service.throttle(session=session, address=request.client.host if request.client else "")
    except TooManyRequests as exc:
        refused = f"{exc.detail} Nothing you typed is lost: send the form again then."
        page = _form_page(request, session, form, event, status=429, refused=refused)
        page.headers["Retry-After"] = str(exc.retry_after_seconds)
        return page
    if form.raw(HONEYPOT):
        return see_other(_where(event) + "/thanks")
    data = form.parse(InterestFields, fields=FORM_FIELDS)
    if not form.ok:
        _all_refusals_at_once(form)
        return _form_page(request, session, form, event, status=400)
    service.submit(session=session, fields=InterestFields.model_validate(data), event=event)
    return see_other(_where(event) + "/thanks")


def _all_refusals_at_once(form: FormInput) -> None:
    """The model checks "an e-mail address or a phone number" only once every field passes;
    a person should read every problem on the first try, in the order of the form."""
    if not form.raw("email") and not form.raw("phone") and "email" not in form.errors:
        form.error("email", f"Your e-mail address {CONTACT_NEEDED}")
    order = {name: i for i, name in enumerate(FORM_FIELDS)}
    form.errors = dict(sorted(form.errors.items(), key=lambda item: order.get(item[0], len(order))))


@router.get("/interest", response_class=HTMLResponse)
def general_form(request: Request, session: SessionDep, _principal: OptionalUser) -> Response:
    return _form_page(request, session, FormInput(), None)


@router.post("/interest", response_class=HTMLResponse)
def send_general_form(
    request: Request, session: SessionDep, _principal: OptionalUser, form: PostedForm
) -> Response:
    return _receive(request, session, form, None)


@router.get("/events/{event_id:id}/interest", response_class=HTMLResponse)
def event_form(request: Request, session: SessionDep, _principal: OptionalUser, event_id: int) -> Response:
    event = service.event_for_form(session=session, event_id=event_id)
    return _form_page(request, session, FormInput(), event)


@router.post("/events/{event_id:id}/interest", response_class=HTMLResponse)
def send_event_form(
    request: Request, session: SessionDep, _principal: OptionalUser, event_id: int, form: PostedForm
) -> Response:
    event = service.event_for_form(session=session, event_id=event_id)
    return _receive(request, session, form, event)


@router.get("/interest/thanks", response_class=HTMLResponse)
def general_thanks(request: Request, session: SessionDep, _principal: OptionalUser) -> Response:
    return render(request, "interest/thanks.html", _context(session, None))


@router.get("/events/{event_id:id}/interest/thanks", response_class=HTMLResponse)
def event_thanks(request: Request, session: SessionDep, _principal: OptionalUser, event_id: int) -> Response:
    event = service.event_for_form(session=session, event_id=event_id)
    return render(request, "interest/thanks.html", _context(session, event))
