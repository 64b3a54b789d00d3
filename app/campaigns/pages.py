"""The coordinator's campaign pages: the list, one campaign with its events and private
calendar link, and the form."""

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from app.accounts.deps import Planner
from app.campaigns import service as campaigns
from app.campaigns.models import Campaign
from app.campaigns.schemas import CampaignCreate
from app.clock import utcnow
from app.db import SessionDep
from app.events import service as events
from app.events.service import EventFilters
from app.feeds import links as feeds
from app.pages.common import by_id, page_from
from app.pages.flow import done
from app.pages.forms import FormInput, PostedForm, opened_at
from app.pages.rendering import render
from app.representation import before_after
from app.representation import service as representation
from app.venues.models import Venue

router = APIRouter(tags=["pages"], include_in_schema=False)

FORM_FIELDS = (
    "name",
    "description",
    "roles_recruited",
    "target_groups",
    "starts_on",
    "ends_on",
    "targets_text",
)


def parse_campaign(form: FormInput) -> dict[str, Any]:
    """The campaign's form; its targets are records of their own, added on the campaign's page."""
    return form.parse(CampaignCreate, fields=FORM_FIELDS)


def _campaign_values(campaign: Campaign) -> FormInput:
    form = FormInput()
    form.values.update(
        {
            "name": campaign.name,
            "description": campaign.description,
            "roles_recruited": ", ".join(campaign.roles_recruited or []),
            "target_groups": ", ".join(campaign.target_groups or []),
            "starts_on": campaign.starts_on.isoformat(),
            "ends_on": campaign.ends_on.isoformat(),
            "targets_text": campaign.targets_text,
            "revision": str(campaign.revision),
        }
    )
    return form


def _campaign_form(
    request: Request, form: FormInput, campaign: Campaign | None, status: int = 200
) -> Response:
    context = {"form": form, "campaign": campaign}
    return render(request, "campaigns/form.html", context, status=status)


@router.get("/plan/campaigns", response_class=HTMLResponse)
def campaign_list(request: Request, session: SessionDep, principal: Planner) -> Response:
    page = page_from(request)
    rows, total = campaigns.list_campaigns(session=session, limit=page.size, offset=page.offset)
    context = {
        "rows": rows,
        "counts": campaigns.upcoming_counts(session=session, campaign_ids=[c.id for c in rows if c.id]),
        "page": page.with_total(total),
        "today": utcnow().date(),
    }
    return render(request, "campaigns/list.html", context)


@router.get("/plan/campaigns/new", response_class=HTMLResponse)
def new_campaign(request: Request, principal: Planner) -> Response:
    return _campaign_form(request, FormInput(), None)


@router.post("/plan/campaigns/new", response_class=HTMLResponse)
def create_campaign(request: Request, session: SessionDep, principal: Planner, form: PostedForm) -> Response:
    data = parse_campaign(form)
    data["coordinator_user_id"] = principal.user_id
    campaign = form.submit(
        session, lambda: campaigns.create_campaign(session=session, actor=principal.actor, data=data)
    )
    if campaign is None:
        return _campaign_form(request, form, None, status=400)
    return done(request, f"/plan/campaigns/{campaign.id}", f"Started the campaign '{campaign.name}'.")


@router.get("/plan/campaigns/{campaign_id:id}", response_class=HTMLResponse)
def campaign_page(request: Request, session: SessionDep, principal: Planner, campaign_id: int) -> Response:
    campaign = campaigns.get_campaign(session=session, campaign_id=campaign_id)
    page = page_from(request)
    rows, total = events.list_events(
        session=session, filters=EventFilters(campaign_id=campaign_id), limit=page.size, offset=page.offset
    )
    context = {
        "campaign": campaign,
        "rows": rows,
        "page": page.with_total(total),
        "status_counts": campaigns.status_counts(session=session, campaign_id=campaign_id),
        "states": events.staffing_states(session=session, events=rows),
        "venues_by_id": by_id(session, Venue, {e.venue_id for e in rows}),
        "feed": feeds.campaign_feed_link(session=session, principal=principal, campaign_id=campaign_id),
        "progress": representation.campaign_progress(session, campaign_id=campaign_id),
        "comparisons": [
            (row, before_after.sentence(row))
            for row in before_after.list_comparisons(
                session=session, limit=50, offset=0, campaign_id=campaign_id
            )[0]
        ],
    }
    return render(request, "campaigns/detail.html", context)


@router.post("/plan/campaigns/{campaign_id:id}/feed")
def campaign_feed(
    request: Request, session: SessionDep, principal: Planner, campaign_id: int, form: PostedForm
) -> Response:
    back = f"/plan/campaigns/{campaign_id}#feed"
    if form.raw("action") == "reset":
        feeds.reset_campaign_feed(session=session, principal=principal, campaign_id=campaign_id)
        said = "The old campaign calendar link has stopped working; here is the new one."
        return done(request, back, said, kind="warning")
    feeds.create_campaign_feed(session=session, principal=principal, campaign_id=campaign_id)
    return done(request, back, "Your private calendar link for this campaign is ready.")


@router.get("/plan/campaigns/{campaign_id:id}/edit", response_class=HTMLResponse)
def edit_campaign(request: Request, session: SessionDep, principal: Planner, campaign_id: int) -> Response:
    campaign = campaigns.get_campaign(session=session, campaign_id=campaign_id)
    return _campaign_form(request, _campaign_values(campaign), campaign)


@router.post("/plan/campaigns/{campaign_id:id}/edit", response_class=HTMLResponse)
def update_campaign(
    request: Request, session: SessionDep, principal: Planner, campaign_id: int, form: PostedForm
) -> Response:
    campaign = campaigns.get_campaign(session=session, campaign_id=campaign_id)
    data = parse_campaign(form)
    saved = form.submit(
        session,
        lambda: campaigns.update_campaign(
            session=session,
            actor=principal.actor,
            campaign_id=campaign_id,
            changes=data,
            expected=opened_at(form),
        ),
        record="campaign",
    )
    if saved is None:
        return _campaign_form(request, form, campaign, status=400)
    return done(request, f"/plan/campaigns/{campaign_id}", "Saved the campaign.")
