"""Every HTML page router, in one list: app/routers.py includes this one router."""

from fastapi import APIRouter

from app.pages import manage, partner, planner, public, staff

router = APIRouter(include_in_schema=False)
for module in (planner, manage, staff, partner, public):
    router.include_router(module.router)
