"""PDFs from the very templates of the HTML print views, by WeasyPrint.

The template is rendered with ``pdf=True``, which only drops the on-screen toolbar and the
``<link>`` to the stylesheet; the stylesheet is handed to WeasyPrint from disk instead. Fonts
come from the system (DejaVu, through fontconfig) and nothing is fetched at render time:
the URL fetcher refuses everything but ``data:`` URIs, so a stray URL in a venue note can
neither slow a render nor make the server call out.

Renders are limited to ``pdf_renders_at_once`` at a time: each takes a core and tens of
megabytes, so a burst of roster downloads queues (for ``pdf_queue_seconds`` at most, then a
503 with Retry-After) instead of starving every other request of CPU and memory.
"""

import threading
from functools import lru_cache
from typing import Any

from weasyprint import CSS, HTML
from weasyprint.urls import URLFetcher

from app.config import get_settings
from app.errors import Busy
from app.pages.rendering import STATIC_DIR, get_templates

PRINT_CSS = STATIC_DIR / "print.css"


def local_only_fetcher() -> URLFetcher:
    """Only ``data:`` URIs; anything else is refused and logged by WeasyPrint, not fetched."""
    return URLFetcher(allowed_protocols=("data",), allow_redirects=False)


@lru_cache
def print_stylesheet() -> CSS:
    """Parsed once per process; WeasyPrint reuses a CSS object across documents."""
    return CSS(filename=str(PRINT_CSS), url_fetcher=local_only_fetcher())


def render_html(template: str, context: dict[str, Any], *, pdf: bool) -> str:
    return get_templates().env.get_template(template).render({**context, "pdf": pdf})


@lru_cache
def renderers() -> threading.BoundedSemaphore:
    return threading.BoundedSemaphore(get_settings().pdf_renders_at_once)


def render_pdf(template: str, context: dict[str, Any]) -> bytes:
    html = HTML(
        string=render_html(template, context, pdf=True),
        base_url=str(STATIC_DIR),
        url_fetcher=local_only_fetcher(),
    )
    settings = get_settings()
    if not renderers().acquire(timeout=settings.pdf_queue_seconds):
        raise Busy(
            f"every PDF renderer is busy ({settings.pdf_renders_at_once} at once); "
            "please try again in a few seconds",
            retry_after_seconds=5,
        )
    try:
        return bytes(html.write_pdf(stylesheets=[print_stylesheet()]))
    finally:
        renderers().release()
