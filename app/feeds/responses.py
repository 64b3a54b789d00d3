"""The HTTP side of a feed: content type, validators, 304 answers, privacy headers."""

from datetime import UTC, datetime, timedelta
from email.utils import format_datetime, parsedate_to_datetime

from fastapi import Request
from fastapi.responses import Response

from app.clock import utcnow
from app.feeds.cache import RenderedFeed

CALENDAR_MEDIA_TYPE = "text/calendar; charset=utf-8"


class CalendarResponse(Response):
    media_type = CALENDAR_MEDIA_TYPE


def _etag_matches(header: str, etag: str) -> bool:
    """If-None-Match uses the weak comparison (RFC 9110 §13.1.2): W/ is ignored."""
    if header.strip() == "*":
        return True
    wanted = etag.removeprefix("W/")
    return any(candidate.strip().removeprefix("W/") == wanted for candidate in header.split(","))


def _http_date(value: str) -> datetime | None:
    try:
        parsed = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if parsed is None:
        return None
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed


def _validator_time(feed: RenderedFeed, now: datetime) -> datetime | None:
    """Last-Modified has whole seconds. Two changes in the same second would share one,
    so it is sent (and trusted) only once that second is over."""
    whole = feed.last_modified.replace(microsecond=0)
    return whole if now >= whole + timedelta(seconds=1) else None


def is_fresh(request: Request, etag: str, last_modified: datetime | None) -> bool:
    """Whether the client's copy is current (RFC 9110 §13.2.2: If-None-Match wins)."""
    if_none_match = request.headers.get("if-none-match")
    if if_none_match is not None:
        return _etag_matches(if_none_match, etag)
    if_modified_since = request.headers.get("if-modified-since")
    if if_modified_since is None or last_modified is None:
        return False
    since = _http_date(if_modified_since)
    return since is not None and last_modified <= since


def calendar_response(
    request: Request,
    feed: RenderedFeed,
    *,
    private: bool,
    filename: str,
    download: bool = False,
) -> Response:
    """200 with the body, or 304 when the client already has it; HEAD gets the headers.

    Secret feeds are ``private`` (no shared cache may keep them) and ``noindex``; every feed
    sends no Referer onwards, so a link in an event cannot leak the feed's URL.
    """
    last_modified = _validator_time(feed, utcnow())
    headers = {
        "ETag": feed.etag,
        "Cache-Control": ("private" if private else "public") + ", no-cache",
        "Referrer-Policy": "no-referrer",
    }
    if last_modified is not None:
        headers["Last-Modified"] = format_datetime(last_modified, usegmt=True)
    if private:
        headers["X-Robots-Tag"] = "noindex, nofollow"
    if is_fresh(request, feed.etag, last_modified):
        return Response(status_code=304, headers=headers)
    disposition = "attachment" if download else "inline"
    headers["Content-Disposition"] = f'{disposition}; filename="{filename}"'
    body = b"" if request.method == "HEAD" else feed.body
    response = CalendarResponse(content=body, headers=headers)
    if request.method == "HEAD":
        response.headers["content-length"] = str(len(feed.body))
    return response
