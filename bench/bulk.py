"""Rows for the benchmarks' large data sets, inserted in bulk (the services would take minutes).

A bulk insert skips the models' defaults, so each builder here gives every column a value;
a script changes only what its data set is about::

    from bulk import assignment, campaign, drop_in, insert, job_centre, officer

    insert(conn, Venue, [job_centre(i) for i in range(1, 51)], at=now)
"""

from datetime import date, datetime, timedelta
from typing import Any

import sqlalchemy as sa

TOWNS = ["Accrington", "Bacup", "Blackburn", "Burnley", "Darwen", "Nelson", "Rawtenstall"]
Row = dict[str, Any]


def insert(conn: Any, model: Any, rows: list[Row], *, at: datetime) -> None:
    """Insert ``rows`` into ``model``'s table (``conn``: a connection or a session), stamped
    ``created_at``/``updated_at`` with ``at`` where the table has them and the row does not."""
    table: sa.Table = model.__table__
    stamps = {name: at for name in ("created_at", "updated_at") if name in table.c}
    conn.execute(sa.insert(table), [{**stamps, **row} for row in rows])


def campaign(name: str, starts_on: date, ends_on: date, **fields: Any) -> Row:
    """A campaign recruiting police constables, without targets."""
    return {
        "name": name,
        "description": "",
        "roles_recruited": ["Police constable"],
        "target_groups": [],
        "starts_on": starts_on,
        "ends_on": ends_on,
        "targets_text": "",
        "targets": [],
        **fields,
    }


def job_centre(i: int, **fields: Any) -> Row:
    """The ``i``-th job centre, in one of the seven East Lancashire towns."""
    town = TOWNS[i % len(TOWNS)]
    return {
        "name": f"Jobcentre Plus {town} {i}",
        "kind": "job_centre",
        "address": f"{i} Market Street",
        "town": town,
        "postcode": f"BB{i % 12} {i % 9}AA",
        "accessibility_notes": "Step-free entrance; hearing loop at the desk",
        "parking_notes": "Staff park in the rear yard",
        "opening_notes": "",
        "partner_organisation": "DWP",
        "contact_name": "Office manager",
        "contact_phone": "01254 000000",
        "contact_email": "",
        "active": True,
        **fields,
    }


def officer(i: int, name: str, **fields: Any) -> Row:
    """The ``i``-th police constable, with an e-mail address (so messages can reach them)."""
    return {
        "name": name,
        "staff_number": f"B{i:05d}",
        "kind": "police_officer",
        "rank_or_title": "PC",
        "base_town": TOWNS[i % len(TOWNS)],
        "languages": [],
        "monthly_limit": 4,
        "active": True,
        "email": f"person{i}@example.org",
        "phone": "07700 900000",
        **fields,
    }


def drop_in(i: int, starts_at: datetime, **fields: Any) -> Row:
    """The ``i``-th careers drop-in, confirmed, six hours long, not public unless said."""
    return {
        "title": f"Careers drop-in {i}",
        "starts_at": starts_at,
        "ends_at": starts_at + timedelta(hours=6),
        "status": "confirmed",
        "public": False,
        "public_description": "",
        "internal_notes": "",
        "what_to_bring": "Leaflets, warrant card, lanyard",
        "wanted_languages": [],
        "revision": 0,
        "cancelled_reason": "",
        "partner_status": "confirmed",
        "partner_message": "",
        **fields,
    }


def assignment(event_id: int, person_id: int, role: str, status: str) -> Row:
    return {
        "event_id": event_id,
        "person_id": person_id,
        "role": role,
        "status": status,
        "revision": 0,
        "conflict_note": "",
        "decline_reason": "",
    }
