"""Every HTML page router, in one list: app/routers.py includes this one router. Each
domain's pages live beside its API (``app/venues/pages.py``…); the order is the order
routes are matched in."""

from fastapi import APIRouter

from app.accounts import users_pages
from app.assignments import pages as assignment_pages
from app.audit import pages as audit_pages
from app.campaigns import pages as campaign_pages
from app.events import dashboard_pages, public_pages
from app.events import pages as event_pages
from app.feeds import pages as feed_pages
from app.networks import pages as network_pages
from app.people import availability_pages, my_pages
from app.people import pages as people_pages
from app.venues import pages as venue_pages
from app.venues import partner_pages

router = APIRouter(include_in_schema=False)
for module in (
    dashboard_pages,
    event_pages,
    venue_pages,
    campaign_pages,
    people_pages,
    availability_pages,
    network_pages,
    users_pages,
    audit_pages,
    assignment_pages,
    feed_pages,
    my_pages,
    partner_pages,
    public_pages,
):
    router.include_router(module.router)
