"""The app's routes for tests that walk them all."""

from fastapi.routing import APIRoute

from app.main import app


def all_routes() -> list[APIRoute]:
    """Every route of the app, through included routers (newer FastAPI keeps them nested)."""
    try:
        from fastapi.routing import iter_route_contexts  # type: ignore[attr-defined]
    except ImportError:  # FastAPI before nested included routers: app.routes is flat
        return [r for r in app.routes if isinstance(r, APIRoute)]
    contexts = iter_route_contexts(app.routes)
    return [c.original_route for c in contexts if isinstance(c.original_route, APIRoute)]
