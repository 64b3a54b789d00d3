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
from app.interest.routes import router as interest_routes
from app.networks.api import router as networks_api
from app.notifications.api import router as notifications_api
from app.notifications.pages import router as notifications_pages
from app.outcomes.api import router as outcomes_api
from app.outcomes.pages import router as outcomes_pages
from app.pages.routes import router as pages_routes
from app.people.api import router as people_api
from app.planning.api import router as planning_api
from app.planning.pages import router as planning_pages
from app.printouts.routes import router as printouts_routes
from app.reports.api import router as reports_api
from app.reports.pages import router as reports_pages
from app.representation.api import router as representation_api
from app.representation.community_pages import router as community_pages
from app.representation.pages import router as representation_pages
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
    planning_api,
    audit_api,
    notifications_api,
    worker_api,
    outcomes_api,
    interest_routes,
    feeds_routes,  # before pages_routes: /events/{id}.ics must not reach /events/{id}
    printouts_routes,
    reports_api,
    reports_pages,
    notifications_pages,
    staffing_pages,
    planning_pages,
    outcomes_pages,
    representation_api,
    representation_pages,
    community_pages,
    pages_routes,
]
