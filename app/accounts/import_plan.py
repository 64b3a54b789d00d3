"""The preview of an import: what each row of the file would do against the records as they
are now ("create", "update" with the fields, "unchanged", or "skipped" with the reason), and
a hash of it all, so that applying can refuse a plan that is no longer the one previewed.
Nothing here writes."""

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

from sqlmodel import Session

from app import records
from app.accounts.import_rows import Checked, check_row, text_of
from app.accounts.models import User
from app.accounts.people_csv import COLUMN_WORDS, CsvFile, IgnoredColumn, Sheet
from app.accounts.service import normalise_email
from app.enums import LABELS, PersonKind, Role
from app.people.models import Person

CREATE, UPDATE, UNCHANGED, SKIPPED_ROW = "create", "update", "unchanged", "skipped"
ACTIONS = (CREATE, UPDATE, UNCHANGED, SKIPPED_ROW)
# What happens to a row's sign-in.
SIGN_IN_CREATE, SIGN_IN_EXISTS, SIGN_IN_NOT_MADE = "create", "exists", "not made"


@dataclass(frozen=True)
class FieldChange:
    field: str
    old: Any
    new: Any

    @property
    def words(self) -> str:
        return COLUMN_WORDS.get(self.field, self.field)

    @property
    def shown_old(self) -> str:
        return _shown(self.field, self.old)

    @property
    def shown_new(self) -> str:
        return _shown(self.field, self.new)


def _shown(name: str, value: Any) -> str:
    """A value as the preview shows it."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if name == "kind":
        return LABELS.get(str(value), str(value))
    if isinstance(value, list):
        return "; ".join(str(v) for v in value) or "(none)"
    if value is None or value == "":
        return "(empty)"
    return str(value)


@dataclass
class SignInPlan:
    action: str
    email: str = ""
    role: Role | None = None
    note: str = ""
    user_id: int | None = None


@dataclass
class RowPlan:
    line: int
    staff_number: str
    name: str
    action: str
    reason: str = ""
    person_id: int | None = None
    changes: list[FieldChange] = field(default_factory=list)
    data: dict[str, Any] = field(default_factory=dict)
    sign_in: SignInPlan | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def creates_sign_in(self) -> bool:
        return self.sign_in is not None and self.sign_in.action == SIGN_IN_CREATE


@dataclass
class Plan:
    file: CsvFile
    columns: list[str]
    ignored: list[IgnoredColumn]
    rows: list[RowPlan]
    beyond_limit: int = 0

    def count(self, action: str) -> int:
        return sum(1 for r in self.rows if r.action == action)

    @property
    def counts(self) -> dict[str, int]:
        found = {action: self.count(action) for action in ACTIONS}
        found["sign_ins"] = sum(1 for r in self.rows if r.creates_sign_in)
        found["beyond_limit"] = self.beyond_limit
        return found

    @property
    def changes_anything(self) -> bool:
        return any(r.action in (CREATE, UPDATE) or r.creates_sign_in for r in self.rows)

    @property
    def sha256(self) -> str:
        """What applying would write, hashed: the same file against changed records plans
        something else, and so hashes differently."""
        items = [
            [
                r.line,
                r.staff_number,
                r.action,
                r.person_id,
                sorted((k, _plain(v)) for k, v in r.data.items()),
                [r.sign_in.action, r.sign_in.email, str(r.sign_in.role or "")] if r.sign_in else None,
            ]
            for r in self.rows
        ]
        blob = json.dumps([self.file.sha256, items], separators=(",", ":"), default=str)
        return hashlib.sha256(blob.encode()).hexdigest()


def _plain(value: Any) -> Any:
    if isinstance(value, PersonKind | Role):
        return value.value
    return value


def _person_changes(person: Person, values: dict[str, Any]) -> list[FieldChange]:
    return [
        FieldChange(name, getattr(person, name), value)
        for name, value in values.items()
        if getattr(person, name) != value
    ]


def plan_sheet(session: Session, csv_file: CsvFile, sheet: Sheet) -> Plan:
    """What importing the file's rows would do, row by row, writing nothing."""
    checked = [(raw, check_row(raw, sheet.columns)) for raw in sheet.rows]
    lines_of: dict[str, list[int]] = {}
    for raw, row in checked:
        if row.staff_number:
            lines_of.setdefault(row.staff_number, []).append(raw.line)
    numbers = [r.staff_number for _, r in checked if r.staff_number]
    people = {p.staff_number: p for p in records.where_in(session, Person, Person.staff_number, numbers)}
    person_ids = [p.id for p in people.values() if p.id is not None]
    with_sign_in = {
        u.person_id: u
        for u in records.where_in(session, User, User.person_id, person_ids)
        if u.person_id is not None
    }
    wanted_emails = [
        normalise_email(str(r.values.get("email", "")))
        for _, r in checked
        if r.role and r.values.get("email")
    ]
    by_email = {u.email: u for u in records.where_in(session, User, User.email, wanted_emails)}
    email_lines: dict[str, list[int]] = {}
    for raw, row in checked:
        if row.role and row.values.get("email") and not row.problem:
            email_lines.setdefault(normalise_email(str(row.values["email"])), []).append(raw.line)

    rows: list[RowPlan] = []
    for raw, row in checked:
        name = str(row.values.get("name") or text_of(raw.cells.get("name", "")))[:200]
        plan = RowPlan(line=raw.line, staff_number=row.staff_number[:40], name=name, action=SKIPPED_ROW)
        rows.append(plan)
        if row.problem:
            plan.reason = row.problem
            continue
        others = [n for n in lines_of[row.staff_number] if n != raw.line]
        if others:
            plan.reason = (
                f"staff number {row.staff_number} is also on line {', '.join(map(str, others))}; "
                "keep one row per person"
            )
            continue
        person = people.get(row.staff_number)
        values = dict(row.values)
        if person is None:
            plan.action = CREATE
            plan.data = {"staff_number": row.staff_number, **values}
            active = bool(values.get("active", True))
        else:
            assert person.id is not None
            plan.person_id = person.id
            plan.changes = _person_changes(person, values)
            plan.data = {c.field: c.new for c in plan.changes}
            plan.action = UPDATE if plan.changes else UNCHANGED
            active = bool(values.get("active", person.active))
        if row.role is None:
            existing = with_sign_in.get(person.id) if person is not None and person.id is not None else None
            if (
                existing is not None
                and "email" in values
                and values["email"]
                and existing.email != normalise_email(str(values["email"]))
            ):
                plan.notes.append(f"their sign-in stays {existing.email}")
            continue
        _plan_sign_in(plan, row, person, active, with_sign_in, by_email, email_lines)
        if plan.action == SKIPPED_ROW:
            plan.changes, plan.data, plan.sign_in = [], {}, None
    return Plan(
        file=csv_file,
        columns=sheet.columns,
        ignored=sheet.ignored,
        rows=rows,
        beyond_limit=sheet.beyond_limit,
    )


def _plan_sign_in(
    plan: RowPlan,
    row: Checked,
    person: Person | None,
    active: bool,
    with_sign_in: dict[int, User],
    by_email: dict[str, User],
    email_lines: dict[str, list[int]],
) -> None:
    assert row.role is not None
    existing = with_sign_in.get(person.id) if person is not None and person.id is not None else None
    if existing is not None:
        note = f"has a sign-in already ({existing.email}, {existing.role})"
        if Role(existing.role) != row.role:
            note += f"; it stays {existing.role}: change roles on the users page"
        plan.sign_in = SignInPlan(SIGN_IN_EXISTS, existing.email, Role(existing.role), note, existing.id)
        return
    email = normalise_email(str(row.values.get("email", "")))
    if not email:
        plan.action, plan.reason = SKIPPED_ROW, "a sign-in needs an e-mail address, and the e-mail is empty"
        return
    taken = by_email.get(email)
    if taken is not None:
        plan.action = SKIPPED_ROW
        plan.reason = (
            f"the e-mail {email} is already another sign-in's (user {taken.id}); if that sign-in is "
            "this person's, link it to them on the users page"
        )
        return
    others = [n for n in email_lines.get(email, []) if n != plan.line]
    if others:
        plan.action = SKIPPED_ROW
        plan.reason = (
            f"the e-mail {email} is also on line {', '.join(map(str, others))}; each sign-in needs its own"
        )
        return
    if not active:
        plan.sign_in = SignInPlan(SIGN_IN_NOT_MADE, email, row.role, "not active, so no sign-in is made")
        return
    plan.sign_in = SignInPlan(SIGN_IN_CREATE, email, row.role)
