"""Every HTML page router, in one list: app/routers.py includes this one router."""

from fastapi import APIRouter

from app.pages import planner, public

router = APIRouter(include_in_schema=False)
for module in (planner, public):
    router.include_router(module.router)
