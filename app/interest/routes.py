"""The interest package's routers as one, for ``app/routers.py``."""

from fastapi import APIRouter

from app.interest import api, follow_up_pages, pages

router = APIRouter()
for module in (api, follow_up_pages, pages):
    router.include_router(module.router)
