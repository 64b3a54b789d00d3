"""Scenes for the interest tests: a public event, a form as a person fills it in, records."""

from datetime import timedelta
from typing import Any

import httpx
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from app.audit.models import AuditEntry
from app.clock import utcnow
from app.enums import EventStatus, InterestStatus
from app.events.models import Event
from app.interest.models import InterestRecord
from tests.factories import Factory
from tests.forms import post

FILLED: dict[str, Any] = {
    "full_name": "Sam Testperson",
    "email": "sam@example.org",
    "phone": "07700 900123",
    "roles": ["police_constable", "control_room"],
    "message": "Evenings are best.",
    "consent": "yes",
}


def public_event(make: Factory, *, town: str = "Blackburn", **kw: Any) -> Event:
    venue = make.venue(town=town)
    return make.event(venue=venue, status=EventStatus.confirmed, public=True, **kw)


def send(client: TestClient, path: str, *, token_from: str = "", **changes: Any) -> httpx.Response:
    """The form at ``path`` sent as a person fills it in, with ``changes`` to the answers
    (None leaves a field out)."""
    data = {k: v for k, v in {**FILLED, **changes}.items() if v is not None}
    return post(client, path, data, token_from=token_from or path)


def stored(db: Session) -> list[InterestRecord]:
    db.expire_all()
    return list(db.exec(select(InterestRecord).order_by(InterestRecord.id)).all())  # type: ignore[arg-type]


def trail(db: Session) -> list[AuditEntry]:
    db.expire_all()
    query = select(AuditEntry).where(AuditEntry.record_type == "interest_record").order_by(AuditEntry.id)  # type: ignore[arg-type]
    return list(db.exec(query).all())


def record(
    db: Session,
    *,
    event: Event | None = None,
    name: str = "Alex Example",
    status: InterestStatus = InterestStatus.new,
    town: str = "",
    **kw: Any,
) -> InterestRecord:
    """A record as if sent earlier (written directly: the form's own tests send real ones)."""
    now = utcnow()
    row = InterestRecord(
        event_id=event.id if event else None,
        venue_id=event.venue_id if event else None,
        campaign_id=event.campaign_id if event else None,
        town=town,
        full_name=name,
        email=kw.pop("email", "alex@example.org"),
        consent_given_at=now,
        created_at=now,
        erase_after=kw.pop("erase_after", now + timedelta(days=365)),
        status=status,
        **kw,
    )
    db.add(row)
    db.commit()
    return row
