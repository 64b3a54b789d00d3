"""Importing people (and their sign-ins) from a CSV file an HR or duty system exports, and
exporting everyone in the same columns. An import is previewed first: every row says what it
would do ("create", "update" with the fields, "unchanged" or "skipped" with the reason) and
nothing is written. Applying sends the same file again with the hashes the preview gave: the
file's (a changed file must be previewed again) and the plan's (if the records changed in
between, the new plan is not the one the administrator saw, and it is refused with the new
preview). It is applied in one transaction, audited record by record, and a file applied twice
changes nothing the second time. Cells are only ever text: a cell that looks like a
spreadsheet formula is stored as written, and the export marks such cells so a spreadsheet
does not run them. The file has no network column, and any column the import does not know is
reported and never read: network membership is each person's own opt-in, never a line in a
file.

The jobs live in their own modules — :mod:`~app.accounts.people_csv` (the file: columns,
limits, reading, the export), :mod:`~app.accounts.import_rows` (checking a row) and
:mod:`~app.accounts.import_plan` (the preview); this module applies a plan, and is the one
the pages and the API call.
"""

import secrets
from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlmodel import Session

from app import records
from app.accounts.import_plan import CREATE, UPDATE, Plan, RowPlan, plan_sheet
from app.accounts.invitations import queue_invitation
from app.accounts.models import User
from app.accounts.people_csv import (
    COLUMNS,
    MAX_FILE_BYTES,
    MAX_ROWS,
    CsvFile,
    FileTooLarge,
    export_people,
    parse,
    read_bytes,
    read_text,
    too_large_words,
)
from app.accounts.security import hash_password
from app.accounts.service import add_user
from app.audit.service import Actor
from app.db import begin_write
from app.errors import Conflict
from app.people.models import Person

__all__ = [
    "COLUMNS",
    "MAX_FILE_BYTES",
    "MAX_ROWS",
    "CsvFile",
    "FileTooLarge",
    "ImportResult",
    "Plan",
    "apply_import",
    "export_people",
    "plan_import",
    "read_bytes",
    "read_text",
    "too_large_words",
]

# Serialises imports on PostgreSQL (SQLite takes the database write lock instead).
_IMPORT_LOCK_KEY = 0x6D757374


def plan_import(session: Session, csv_file: CsvFile) -> Plan:
    """What importing the file would do, row by row, writing nothing."""
    return plan_sheet(session, csv_file, parse(csv_file, max_rows=MAX_ROWS))


@dataclass
class ImportResult:
    plan: Plan
    invited: int = 0
    user_ids: list[int] = field(default_factory=list)


def _lock_for_import(session: Session) -> None:
    if not begin_write(session) and session.get_bind().dialect.name == "postgresql":
        session.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": _IMPORT_LOCK_KEY})


def apply_import(
    session: Session,
    *,
    actor: Actor,
    csv_file: CsvFile,
    file_sha256: str,
    plan_sha256: str | None = None,
    invite: bool = False,
) -> ImportResult:
    """Do what the preview of this file said, in one transaction.

    ``Conflict`` (409) when the file is not the one previewed, or when the records changed
    since so that the plan is no longer the one previewed (its ``extra`` has the new plan's
    hash); nothing is written then."""
    if file_sha256 != csv_file.sha256:
        raise Conflict("the file has changed since it was previewed: preview it again before importing it")
    _lock_for_import(session)
    plan = plan_import(session, csv_file)
    if plan_sha256 is not None and plan_sha256 != plan.sha256:
        raise Conflict(
            "people or sign-ins have changed since this file was previewed, so importing it now "
            "would not do what the preview showed: preview it again",
            extra={"plan_sha256": plan.sha256},
        )
    source = f"imported from {plan.file.filename}" if plan.file.filename else "imported from a CSV file"
    result = ImportResult(plan=plan)
    # One hash of a secret nobody keeps: an imported sign-in opens only through its
    # invitation link (or the force's single sign-on), never with a password.
    unusable = hash_password(secrets.token_urlsafe(32)) if any(r.creates_sign_in for r in plan.rows) else ""
    for row in plan.rows:
        person: Person | None = None
        if row.action == CREATE:
            person = records.create(
                session=session,
                actor=actor,
                record=Person(**row.data),
                summary=f"person {row.name} created ({source})",
                commit=False,
            )
            row.person_id = person.id
        elif row.action == UPDATE:
            assert row.person_id is not None
            person = session.get(Person, row.person_id)
            assert person is not None
            changes = dict(row.data)
            if "base_town" in changes and (person.latitude is not None or person.longitude is not None):
                # The map position was the old base's: no position beats a wrong one.
                changes.update(latitude=None, longitude=None)
            records.update(
                session=session,
                actor=actor,
                record=person,
                changes=changes,
                summary=f"person {person.name} updated ({source})",
                commit=False,
            )
        if row.creates_sign_in:
            assert row.sign_in is not None and row.sign_in.role is not None and row.person_id is not None
            user = _create_sign_in(session, actor, row, unusable, source)
            assert user.id is not None
            row.sign_in.user_id = user.id
            result.user_ids.append(user.id)
            if invite:
                queue_invitation(session, actor, user)
                result.invited += 1
    session.commit()
    return result


def _create_sign_in(session: Session, actor: Actor, row: RowPlan, password_hash: str, source: str) -> User:
    assert row.sign_in is not None and row.sign_in.role is not None
    return add_user(
        session=session,
        actor=actor,
        email=row.sign_in.email,
        full_name=row.name,
        password_hash=password_hash,
        role=row.sign_in.role,
        person_id=row.person_id,
        source=source,
    )
