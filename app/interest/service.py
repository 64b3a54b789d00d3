"""Expressions of interest: taking them from the public, the follow-up list, counts, erasure.

The records hold personal data given for one purpose (being contacted about joining the
force), so their audit lines say what happened to which record number and never what it
held: an erased record leaves nothing of the person behind, not even in the trail.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from app import records
from app.audit import service as audit
from app.audit.service import Actor
from app.campaigns.models import Campaign
from app.clock import to_london, utcnow
from app.config import get_settings
from app.enums import EventStatus, InterestStatus
from app.errors import Invalid, NotFound
from app.events.models import Event
from app.events.public import listed_publicly
from app.interest.models import InterestRecord
from app.interest.schemas import CountBy, InterestFields
from app.printouts.csv_export import write_csv
from app.ratelimit.service import Limit, take
from app.venues.models import Venue

RECORD_TYPE = "interest_record"
PUBLIC = Actor(user_id=None, label="public form", role=None)
"""Who the audit trail says sent a form: nobody signed in."""

COUNT_BY: tuple[CountBy, ...] = ("event", "venue", "town", "campaign")
_COUNT_COLUMNS: dict[str, Any] = {
    "event": InterestRecord.event_id,
    "venue": InterestRecord.venue_id,
    "town": InterestRecord.town,
    "campaign": InterestRecord.campaign_id,
}


# A person may send the form a few times (a correction, a friend on the same phone); a
# script may not fill the list. Counted per client address, in the database.
SUBMISSIONS = Limit(
    "interest:address", 20, timedelta(hours=1), "Too many forms have been sent from your address."
)


def throttle(*, session: Session, address: str) -> None:
    """Count one form sent from ``address``; TooManyRequests (429) past the hour's allowance."""
    take(session, SUBMISSIONS, address or "unknown")


def retention() -> timedelta:
    return timedelta(days=get_settings().interest_retention_days)


def event_for_form(*, session: Session, event_id: int) -> Event:
    """An event whose form the public may use: one listed publicly and not cancelled. Any
    other (a draft, a private or withdrawn one, a cancelled one) does not exist for them."""
    event = session.get(Event, event_id)
    if event is None or not listed_publicly(event) or event.status == EventStatus.cancelled:
        raise NotFound(f"there is no public event {event_id}")
    return event


def submit(*, session: Session, fields: InterestFields, event: Event | None) -> InterestRecord:
    """Store what someone sent, with where it came from and when it is to be erased."""
    now = utcnow()
    venue = session.get(Venue, event.venue_id) if event is not None else None
    record = InterestRecord(
        event_id=event.id if event is not None else None,
        venue_id=venue.id if venue is not None else None,
        campaign_id=event.campaign_id if event is not None else None,
        town=venue.town if venue is not None else "",
        full_name=fields.full_name,
        email=fields.email,
        phone=fields.phone,
        roles=list(dict.fromkeys(str(role) for role in fields.roles)),
        message=fields.message,
        consent_given_at=now,
        created_at=now,
        erase_after=now + retention(),
    )
    session.add(record)
    session.flush()
    where = f" from event {event.id}" if event is not None else " from the general form"
    _note(session, PUBLIC, "create", int(record.id or 0), f"expression of interest received{where}")
    session.commit()
    return record


def _note(session: Session, actor: Actor, action: str, record_id: int, summary: str, **diff: Any) -> None:
    audit.record(
        session=session,
        actor=actor,
        action=action,
        record_type=RECORD_TYPE,
        record_id=record_id,
        summary=summary,
        **diff,
    )


# --- the follow-up list ----------------------------------------------------------------------


@dataclass(frozen=True)
class InterestFilters:
    status: InterestStatus | None = None
    event_id: int | None = None
    campaign_id: int | None = None
    town: str | None = None


def _filtered(query: Any, filters: InterestFilters) -> Any:
    if filters.status is not None:
        query = query.where(InterestRecord.status == filters.status)
    if filters.event_id is not None:
        query = query.where(InterestRecord.event_id == filters.event_id)
    if filters.campaign_id is not None:
        query = query.where(InterestRecord.campaign_id == filters.campaign_id)
    if filters.town:
        query = query.where(InterestRecord.town == filters.town)
    return query


def list_interest(
    *, session: Session, filters: InterestFilters, limit: int, offset: int
) -> tuple[list[InterestRecord], int]:
    """The newest first."""
    query = _filtered(select(InterestRecord), filters).order_by(
        col(InterestRecord.created_at).desc(), col(InterestRecord.id).desc()
    )
    return records.page(session, query, limit=limit, offset=offset)


def get_interest(*, session: Session, interest_id: int) -> InterestRecord:
    return records.get_or_404(session, InterestRecord, interest_id, "expression of interest")


def towns(*, session: Session) -> list[str]:
    """The towns interest came from, for the list's filter."""
    rows = session.exec(
        select(InterestRecord.town).where(InterestRecord.town != "").distinct().order_by(InterestRecord.town)
    ).all()
    return list(rows)


def change_status(
    *,
    session: Session,
    actor: Actor,
    interest_id: int,
    status: InterestStatus | None,
    note: str | None,
    expected: records.Expected = None,
) -> InterestRecord:
    """Move a record along the follow-up (new → contacted → applied or not interested),
    with an optional note. Someone contacted cannot become "new" again. The audit line
    gives the statuses; the note's words stay out of it, since they are about the person."""
    record = records.lock(session, InterestRecord, interest_id, "expression of interest")
    records.check_revision(session, record, expected)
    before = {"status": str(record.status), "revision": record.revision}
    new_status = record.status if status is None else status
    if new_status == InterestStatus.new and record.status != InterestStatus.new:
        raise Invalid(f"this person is already {_said(record.status)}: the status cannot go back to new")
    note_changed = note is not None and note != record.coordinator_note
    if new_status == record.status and not note_changed:
        return record
    if new_status != record.status:
        record.status = new_status
        record.status_changed_at = utcnow()
    if note is not None:
        record.coordinator_note = note
    records.bump(record)
    session.add(record)
    session.flush()
    after = {"status": str(record.status), "revision": record.revision}
    summary = f"expression of interest {interest_id}: {_said(before['status'])} → {_said(record.status)}"
    if note_changed:
        summary += " (note changed)"
    _note(session, actor, "update", interest_id, summary, before=before, after=after)
    session.commit()
    return record


def _said(status: object) -> str:
    return str(status).replace("_", " ")


def erase(*, session: Session, actor: Actor, interest_id: int) -> None:
    """Delete a record on the person's request; the trail says it was erased, and by whom."""
    record = records.lock(session, InterestRecord, interest_id, "expression of interest")
    session.delete(record)
    _note(session, actor, "erase", interest_id, f"expression of interest {interest_id} erased on request")
    session.commit()


def erase_expired(*, session: Session, actor: Actor = audit.SYSTEM) -> int:
    """Delete every record past its ``erase_after``, with one audit line giving the count."""
    result: Any = session.execute(
        sa.delete(InterestRecord).where(col(InterestRecord.erase_after) <= utcnow())
    )
    erased = int(result.rowcount or 0)
    days = get_settings().interest_retention_days
    _note(
        session,
        actor,
        "erase",
        0,
        f"{erased} expression{'s' if erased != 1 else ''} of interest erased after the {days}-day retention period",
    )
    session.commit()
    return erased


# --- counts and export --------------------------------------------------------------------


def interest_counts(
    session: Session, *, by: CountBy, campaign_id: int | None = None
) -> dict[int | str | None, int]:
    """How many expressions of interest came from each event, venue, town or campaign
    (None: from the general form, or no town), in one grouped statement, largest first."""
    column = _COUNT_COLUMNS.get(by)
    if column is None:
        raise Invalid(f"by: '{str(by)[:20]}' is not one of {', '.join(COUNT_BY)}")
    count = sa.func.count(col(InterestRecord.id))
    query = select(column, count).group_by(column).order_by(count.desc(), column)
    if campaign_id is not None:
        query = query.where(InterestRecord.campaign_id == campaign_id)
    return {key: int(n) for key, n in session.exec(query).all()}


def count_labels(
    *, session: Session, by: CountBy, keys: list[int | str | None]
) -> dict[int | str | None, str]:
    """The names of the counted events, venues or campaigns (towns name themselves)."""
    none = {
        "event": "The general form (no event)",
        "venue": "No venue",
        "town": "No town",
        "campaign": "No campaign",
    }
    model: Any = {"event": Event, "venue": Venue, "campaign": Campaign}.get(by)
    ids = [k for k in keys if isinstance(k, int)]
    names: dict[int | str | None, str] = {None: none[by]}
    if model is not None and ids:
        attr = "title" if model is Event else "name"
        for row in records.where_in(session, model, model.id, ids):
            names[row.id] = str(getattr(row, attr))
    for key in keys:
        names.setdefault(key, str(key) if key else none[by])
    return names


def labelled_counts(
    *, session: Session, by: CountBy, campaign_id: int | None = None
) -> list[tuple[int | str | None, str, int]]:
    """:func:`interest_counts` as rows of (key, its name, count), largest first."""
    counts = interest_counts(session, by=by, campaign_id=campaign_id)
    names = count_labels(session=session, by=by, keys=list(counts))
    return [(key, names[key], n) for key, n in counts.items()]


EXPORT_LIMIT = 10_000
EXPORT_HEADER = (
    "id",
    "received",
    "status",
    "name",
    "email",
    "phone",
    "roles",
    "message",
    "town",
    "event_id",
    "event",
    "campaign",
    "coordinator_note",
    "erase_after",
)


def export_csv(*, session: Session, actor: Actor, filters: InterestFilters) -> tuple[bytes, int]:
    """The filtered list as a spreadsheet (cells that could run as formulas neutralised),
    and how many rows it holds; the trail says who took how many, not whose they were."""
    rows, _total = list_interest(session=session, filters=filters, limit=EXPORT_LIMIT, offset=0)
    titles = {
        e.id: e.title
        for e in records.where_in(session, Event, Event.id, [r.event_id for r in rows if r.event_id])
    }
    campaigns = {
        c.id: c.name
        for c in records.where_in(
            session, Campaign, Campaign.id, [r.campaign_id for r in rows if r.campaign_id]
        )
    }
    body = write_csv(
        EXPORT_HEADER,
        (
            (
                r.id,
                to_london(r.created_at).isoformat(timespec="minutes"),
                _said(r.status),
                r.full_name,
                r.email,
                r.phone,
                ", ".join(_said(role) for role in r.roles),
                r.message,
                r.town,
                r.event_id or "",
                titles.get(r.event_id, ""),
                campaigns.get(r.campaign_id, ""),
                r.coordinator_note,
                to_london(r.erase_after).date().isoformat(),
            )
            for r in rows
        ),
    )
    shown = ", ".join(f"{k}={v}" for k, v in vars(filters).items() if v not in (None, ""))
    summary = f"{len(rows)} expression{'s' if len(rows) != 1 else ''} of interest exported to CSV"
    _note(session, actor, "export", 0, summary + (f" ({shown})" if shown else ""))
    session.commit()
    return body, len(rows)


def stamp(now: datetime | None = None) -> str:
    """A file name's date part."""
    return f"{(now or utcnow()):%Y-%m-%d}"
