"""Calendar feeds over HTTP: the four .ics routes, and the JSON API of secret links."""

import asyncio
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel
from sqlmodel import Session

from app.accounts.deps import AnyUser, Planner
from app.api_common import MAX_ID, PathId, ProblemRoute
from app.clock import LondonDateTime
from app.config import get_settings
from app.db import SessionDep, get_engine
from app.enums import FeedKind
from app.errors import NotFound
from app.feeds import links, serving
from app.feeds.cache import RenderedFeed
from app.feeds.responses import calendar_response

# The .ics routes are left out of the schema, so the tag names only the JSON API of links.
router = APIRouter(route_class=ProblemRoute, tags=["feeds"])

GET_AND_HEAD = ["GET", "HEAD"]


def _id_from_path(text: str, noun: str) -> int:
    """Ids in .ics paths are parsed here, so a bad one is a 404, as for any missing file."""
    if not (text.isascii() and text.isdigit()) or len(text) > 10 or not 1 <= int(text) <= MAX_ID:
        raise NotFound(f"there is no {noun} {text[:20]}")
    return int(text)


# Feed lookups get their own few threads: cheaper to reach than the general pool, and a
# burst of rebuilds (after a change everyone's feed shows) queues here instead of taking
# every database connection from the rest of the app.
_FEED_THREADS = ThreadPoolExecutor(max_workers=8, thread_name_prefix="feeds")


async def _load(call: Callable[..., RenderedFeed], **kw: object) -> RenderedFeed:
    """Run the whole lookup in one trip to a worker thread, with its own session.

    Calendar clients poll these routes all day. A sync route with ``SessionDep`` crosses
    to a thread three times (open the session, run, close it); once is enough, and it is
    most of the difference between a 304 and a static file."""

    def run() -> RenderedFeed:
        with Session(get_engine(), expire_on_commit=False) as session:
            return call(session=session, **kw)

    return await asyncio.get_running_loop().run_in_executor(_FEED_THREADS, run)


async def _secret_feed(request: Request, kind: FeedKind, token: str, filename: str) -> Response:
    # A polling client's request is usually answered from the cache, without the thread.
    feed = serving.cached_feed(engine=get_engine(), kind=kind, token=token)
    if feed is None:
        feed = await _load(serving.secret_feed, kind=kind, token=token)
    return calendar_response(request, feed, private=True, filename=filename)


@router.api_route("/feeds/people/{token}.ics", methods=GET_AND_HEAD, include_in_schema=False)
async def person_feed(request: Request, token: str) -> Response:
    return await _secret_feed(request, FeedKind.person, token, "outreach-duties.ics")


@router.api_route("/feeds/campaigns/{token}.ics", methods=GET_AND_HEAD, include_in_schema=False)
async def campaign_feed(request: Request, token: str) -> Response:
    return await _secret_feed(request, FeedKind.campaign, token, "campaign.ics")


@router.api_route("/feeds/venues/{venue_id}.ics", methods=GET_AND_HEAD, include_in_schema=False)
async def venue_feed(request: Request, venue_id: str) -> Response:
    feed = await _load(serving.venue_feed, venue_id=_id_from_path(venue_id, "venue"))
    return calendar_response(request, feed, private=False, filename=f"venue-{venue_id}.ics")


@router.api_route("/events/{event_id}.ics", methods=GET_AND_HEAD, include_in_schema=False)
async def event_ics(request: Request, event_id: str) -> Response:
    feed = await _load(serving.event_ics, event_id=_id_from_path(event_id, "public event"))
    return calendar_response(request, feed, private=False, filename=f"event-{event_id}.ics", download=True)


# --- secret links (JSON) ----------------------------------------------------------------


class FeedLinkOut(BaseModel):
    """A live secret link. Treat it like a password: anyone with it sees the feed."""

    url: str
    webcal_url: str
    created_at: LondonDateTime


class MyFeedOut(BaseModel):
    enabled: bool
    can_enable: bool
    link: FeedLinkOut | None
    refresh_minutes: int


class CampaignFeedOut(BaseModel):
    campaign_id: int
    enabled: bool
    link: FeedLinkOut | None
    refresh_minutes: int


def _link_out(link: links.FeedLink | None) -> FeedLinkOut | None:
    if link is None:
        return None
    return FeedLinkOut(url=link.url, webcal_url=link.webcal_url, created_at=link.created_at)


def _my_feed(link: links.FeedLink | None, *, can_enable: bool) -> MyFeedOut:
    return MyFeedOut(
        enabled=link is not None,
        can_enable=can_enable,
        link=_link_out(link),
        refresh_minutes=get_settings().feed_refresh_minutes,
    )


def _campaign_feed(campaign_id: int, link: links.FeedLink | None) -> CampaignFeedOut:
    return CampaignFeedOut(
        campaign_id=campaign_id,
        enabled=link is not None,
        link=_link_out(link),
        refresh_minutes=get_settings().feed_refresh_minutes,
    )


@router.get("/api/v1/me/feed", response_model=MyFeedOut)
def read_my_feed(session: SessionDep, principal: AnyUser) -> MyFeedOut:
    """Your personal calendar link (https and webcal:// forms), if you have turned it on."""
    link = links.person_feed_link(session=session, principal=principal)
    return _my_feed(link, can_enable=principal.person_id is not None)


@router.post(
    "/api/v1/me/feed",
    response_model=MyFeedOut,
    status_code=201,
    responses={200: {"description": "The link was already on; here it is again"}},
)
def create_my_feed(session: SessionDep, principal: AnyUser, response: Response) -> MyFeedOut:
    """Turn on your personal calendar feed: subscribe to the URL once in Outlook, Google or Apple."""
    link, created = links.create_person_feed(session=session, principal=principal)
    if not created:
        response.status_code = 200
    return _my_feed(link, can_enable=True)


@router.post("/api/v1/me/feed/reset", response_model=MyFeedOut, status_code=201)
def reset_my_feed(session: SessionDep, principal: AnyUser) -> MyFeedOut:
    """Reset your calendar link: the old URL stops working at once; subscribe to the new one."""
    link = links.reset_person_feed(session=session, principal=principal)
    return _my_feed(link, can_enable=True)


@router.delete("/api/v1/me/feed", status_code=204)
def delete_my_feed(session: SessionDep, principal: AnyUser) -> Response:
    """Turn your personal calendar feed off: its URL answers 404 from now on."""
    links.revoke_person_feed(session=session, principal=principal)
    return Response(status_code=204)


@router.get("/api/v1/campaigns/{campaign_id}/feed", response_model=CampaignFeedOut)
def read_campaign_feed(session: SessionDep, principal: Planner, campaign_id: PathId) -> CampaignFeedOut:
    """Your secret link to this campaign's calendar, if you have made one."""
    link = links.campaign_feed_link(session=session, principal=principal, campaign_id=campaign_id)
    return _campaign_feed(campaign_id, link)


@router.post(
    "/api/v1/campaigns/{campaign_id}/feed",
    response_model=CampaignFeedOut,
    status_code=201,
    responses={200: {"description": "You already had a link; here it is again"}},
)
def create_campaign_feed(
    session: SessionDep, principal: Planner, campaign_id: PathId, response: Response
) -> CampaignFeedOut:
    """Make your secret link to every event of this campaign with its staffing state."""
    link, created = links.create_campaign_feed(session=session, principal=principal, campaign_id=campaign_id)
    if not created:
        response.status_code = 200
    return _campaign_feed(campaign_id, link)


@router.post("/api/v1/campaigns/{campaign_id}/feed/reset", response_model=CampaignFeedOut, status_code=201)
def reset_campaign_feed(session: SessionDep, principal: Planner, campaign_id: PathId) -> CampaignFeedOut:
    """Replace your link to this campaign's calendar; the old one answers 404 at once."""
    link = links.reset_campaign_feed(session=session, principal=principal, campaign_id=campaign_id)
    return _campaign_feed(campaign_id, link)


@router.delete("/api/v1/campaigns/{campaign_id}/feed", status_code=204)
def delete_campaign_feed(session: SessionDep, principal: Planner, campaign_id: PathId) -> Response:
    """Revoke your link to this campaign's calendar."""
    links.revoke_campaign_feed(session=session, principal=principal, campaign_id=campaign_id)
    return Response(status_code=204)
