"""Every router of the app, in one list. Add a package's router here, one line each."""

from fastapi import APIRouter

from app.accounts.api import router as accounts_api
from app.accounts.oidc_pages import router as accounts_oidc_pages
from app.accounts.onboarding_api import router as onboarding_api
from app.accounts.onboarding_pages import router as onboarding_pages
from app.accounts.pages import router as accounts_pages
from app.assignments.api import router as assignments_api
from app.audit.api import router as audit_api
from app.campaigns.api import router as campaigns_api
from app.events.api import router as events_api
from app.feeds.routes import router as feeds_routes
from app.networks.api import router as networks_api
from app.notifications.api import router as notifications_api
from app.notifications.pages import router as notifications_pages
from app.pages.routes import router as pages_routes
from app.people.api import router as people_api
from app.printouts.routes import router as printouts_routes
from app.staffing.api import router as staffing_api
from app.staffing.pages import router as staffing_pages
from app.venues.api import router as venues_api
from app.worker.api import router as worker_api

ROUTERS: list[APIRouter] = [
    accounts_api,
    accounts_pages,
    accounts_oidc_pages,
    onboarding_api,
    onboarding_pages,
    networks_api,
    people_api,
    venues_api,
    campaigns_api,
    events_api,
    assignments_api,
    staffing_api,
    audit_api,
    notifications_api,
    worker_api,
    feeds_routes,  # before pages_routes: /events/{id}.ics must not reach /events/{id}
    printouts_routes,
    notifications_pages,
    staffing_pages,
    pages_routes,
]
