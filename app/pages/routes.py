"""Every HTML page router, in one list: app/routers.py includes this one router."""

from fastapi import APIRouter

from app.pages import partner, planner, public, staff

router = APIRouter(include_in_schema=False)
for module in (planner, staff, partner, public):
    router.include_router(module.router)
