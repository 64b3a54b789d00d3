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
"""

import csv
import hashlib
import io
import json
import re
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from app import records
from app.accounts.models import User
from app.accounts.security import hash_password
from app.accounts.service import add_user, normalise_email
from app.audit import service as audit
from app.audit.service import Actor
from app.clock import utcnow
from app.db import begin_write
from app.enums import LABELS, PersonKind, Role
from app.errors import AppError, Conflict, Invalid
from app.notifications.account_messages import invite_user
from app.people.models import Person

# A force's volunteers fit many times over; the preview page carries the file back in a
# form field, which must stay under the form parser's 1 MB per field.
MAX_FILE_BYTES = 512 * 1024
MAX_ROWS = 2000
# A row with more cells than this, or a cell longer than this, is not a person's record: the
# file is refused whole (an unclosed quote makes the rest of a file one cell).
MAX_CELLS = 50
MAX_CELL_CHARACTERS = 4000
MAX_LANGUAGES = 20
MAX_LANGUAGE_LENGTH = 60
MAX_MONTHLY_LIMIT = 31

COLUMNS = (
    "staff_number",
    "name",
    "kind",
    "rank_or_title",
    "base_town",
    "email",
    "phone",
    "languages",
    "monthly_limit",
    "active",
    "role",
)
REQUIRED_COLUMNS = ("staff_number", "name", "kind")
PERSON_FIELDS = COLUMNS[1:10]
COLUMN_WORDS = {
    "staff_number": "staff number",
    "name": "name",
    "kind": "kind",
    "rank_or_title": "rank or title",
    "base_town": "base town",
    "email": "e-mail address",
    "phone": "phone number",
    "languages": "languages",
    "monthly_limit": "monthly limit",
    "active": "active",
    "role": "sign-in role",
}
TEXT_LIMITS = {
    "staff_number": 40,
    "name": 200,
    "rank_or_title": 120,
    "base_town": 120,
    "email": 254,
    "phone": 40,
}
# Other names HR and duty systems give the same columns.
ALIASES = {
    "staff_no": "staff_number",
    "staff_id": "staff_number",
    "full_name": "name",
    "rank": "rank_or_title",
    "title": "rank_or_title",
    "rank_title": "rank_or_title",
    "base": "base_town",
    "town": "base_town",
    "station": "base_town",
    "e_mail": "email",
    "email_address": "email",
    "telephone": "phone",
    "phone_number": "phone",
    "mobile": "phone",
    "language": "languages",
    "sign_in_role": "role",
}

CREATE, UPDATE, UNCHANGED, SKIPPED_ROW = "create", "update", "unchanged", "skipped"
ACTIONS = (CREATE, UPDATE, UNCHANGED, SKIPPED_ROW)
# What happens to a row's sign-in.
SIGN_IN_CREATE, SIGN_IN_EXISTS, SIGN_IN_NOT_MADE = "create", "exists", "not made"

# Characters a spreadsheet takes as the start of a formula (OWASP "CSV injection").
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


# Serialises imports on PostgreSQL (SQLite takes the database write lock instead).
_IMPORT_LOCK_KEY = 0x6D757374


class FileTooLarge(AppError):
    status_code = 413
    title = "File too large"
    type_slug = "too-large"


def _norm(word: str) -> str:
    return re.sub(r"[\s\-]+", "_", word.strip().casefold())


KIND_WORDS: dict[str, PersonKind] = {
    **{_norm(k.value): k for k in PersonKind},
    **{_norm(LABELS[k.value]): k for k in PersonKind},
    "police_community_support_officer": PersonKind.pcso,
}
ROLE_WORDS: dict[str, Role] = {
    **{_norm(r.value): r for r in Role},
    "administrator": Role.admin,
    "venue_partner": Role.partner,
}
TRUE_WORDS = frozenset({"yes", "y", "true", "1", "active", "on"})
FALSE_WORDS = frozenset({"no", "n", "false", "0", "inactive", "off"})


# --- reading the file ---------------------------------------------------------------------


@dataclass(frozen=True)
class CsvFile:
    """The file as text: UTF-8 without its byte-order mark, lines ending in "\\n". The hash
    is of that text, so the same file hashes the same however it was sent."""

    text: str
    sha256: str
    filename: str = ""

    def encoded(self) -> bytes:
        return self.text.encode()


def too_large_words() -> str:
    return (
        f"the file is larger than {MAX_FILE_BYTES // 1024} KB ({MAX_FILE_BYTES:,} bytes), the most one "
        f"import takes (about {MAX_ROWS:,} people): split it into smaller files"
    )


def read_bytes(data: bytes, *, filename: str = "") -> CsvFile:
    """An uploaded file, refused in words when it is not UTF-8 CSV text of a sensible size."""
    if len(data) > MAX_FILE_BYTES:
        raise FileTooLarge(too_large_words())
    if data.startswith(b"PK\x03\x04"):
        raise Invalid(
            "this is a spreadsheet workbook (such as .xlsx), not a CSV file. In Excel choose "
            "File, Save As, 'CSV UTF-8 (Comma delimited)', and import that file"
        )
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise Invalid(
            "the file is UTF-16 text, not UTF-8. Save it as 'CSV UTF-8 (Comma delimited)' and import that file"
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise Invalid(
            f"the file is not UTF-8 text (byte {exc.start + 1:,} is 0x{data[exc.start]:02X}, which "
            "UTF-8 never has there). Save it as 'CSV UTF-8 (Comma delimited)' in Excel, or choose "
            "'Unicode (UTF-8)' as the character set elsewhere, and import that file"
        ) from None
    return read_text(text, filename=filename)


def read_text(text: str, *, filename: str = "") -> CsvFile:
    text = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    size = len(text.encode())
    if size > MAX_FILE_BYTES:
        raise FileTooLarge(too_large_words())
    if "\x00" in text:
        raise Invalid("the file contains NUL characters, so it is not a CSV text file")
    if not text.strip():
        raise Invalid("the file is empty")
    base = filename.replace("\\", "/").rsplit("/", 1)[-1]
    name = " ".join("".join(c if c.isprintable() else " " for c in base).split())[:100]
    return CsvFile(text=text, sha256=hashlib.sha256(text.encode()).hexdigest(), filename=name)


@dataclass(frozen=True)
class IgnoredColumn:
    name: str
    why: str


@dataclass
class RawRow:
    line: int
    cells: dict[str, str]
    extra_cells: int = 0


@dataclass
class Sheet:
    columns: list[str]
    ignored: list[IgnoredColumn]
    rows: list[RawRow]
    beyond_limit: int = 0


def _canonical(header: str) -> str:
    name = _norm(header.removeprefix("\ufeff"))
    return ALIASES.get(name, name)


def _ignored_why(header: str) -> str:
    words = header.casefold()
    if any(w in words for w in ("network", "association", "member", "affinity")):
        return (
            "network membership is never imported: each person opts in to represent a network "
            "themselves, in Muster"
        )
    return "Muster does not know this column, so it was not read"


def _read_header(cells: list[str]) -> tuple[list[str | None], list[str], list[IgnoredColumn]]:
    if len(cells) == 1 and (";" in cells[0] or "\t" in cells[0]):
        sep = "semicolons" if ";" in cells[0] else "tabs"
        raise Invalid(
            f"the columns are separated by {sep}, not commas. Save the file as "
            "'CSV UTF-8 (Comma delimited)' and import that file"
        )
    mapping: list[str | None] = []
    present: list[str] = []
    ignored: list[IgnoredColumn] = []
    for position, header in enumerate(cells, start=1):
        if not header.strip():
            mapping.append(None)
            continue
        name = _canonical(header)
        if name in COLUMNS:
            if name in present:
                raise Invalid(f"two columns are both '{name}' (the second is column {position})")
            present.append(name)
            mapping.append(name)
        else:
            mapping.append(None)
            shown = " ".join(header.split())[:60]
            ignored.append(IgnoredColumn(name=shown, why=_ignored_why(shown)))
    missing = [c for c in REQUIRED_COLUMNS if c not in present]
    if missing:
        raise Invalid(
            "the first row must name the columns, and it has no "
            + ", ".join(f"'{c}'" for c in missing)
            + f" column. The columns Muster reads are: {', '.join(COLUMNS)}"
        )
    return mapping, present, ignored


def parse(csv_file: CsvFile) -> Sheet:
    """The file's rows by column name. A file Muster cannot read as a table of people is
    refused whole (422, saying where); problems of single rows are the plan's to report."""
    reader = csv.reader(io.StringIO(csv_file.text, newline=""), strict=True)
    mapping: list[str | None] | None = None
    sheet = Sheet(columns=[], ignored=[], rows=[])
    last_line = 0
    try:
        for cells in reader:
            line = reader.line_num
            last_line = line
            if len(cells) > MAX_CELLS:
                raise Invalid(
                    f"line {line} has {len(cells):,} cells; a row of this import has at most "
                    f"{MAX_CELLS}. Is this the right file?"
                )
            longest = max((len(c) for c in cells), default=0)
            if longest > MAX_CELL_CHARACTERS:
                raise Invalid(
                    f"line {line} has a cell of {longest:,} characters; no column of this import takes "
                    f'more than {MAX_CELL_CHARACTERS:,}. A quote (") that is opened and never closed '
                    "makes the rest of a file one cell"
                )
            if not any(c.strip() for c in cells):
                continue
            if mapping is None:
                mapping, sheet.columns, sheet.ignored = _read_header(cells)
                continue
            if len(sheet.rows) >= MAX_ROWS:
                sheet.beyond_limit += 1
                continue
            values = {name: cells[i] for i, name in enumerate(mapping) if name is not None and i < len(cells)}
            sheet.rows.append(RawRow(line=line, cells=values, extra_cells=max(0, len(cells) - len(mapping))))
    except csv.Error as exc:
        if "unexpected end of data" in str(exc):
            raise Invalid(
                f'a quote (") opened on line {last_line + 1} is never closed, so the rest of the file '
                "would be one cell. A cell with a quote in it is written in quotes, its quote doubled"
            ) from None
        if "field larger than field limit" in str(exc):
            raise Invalid(
                f"line {reader.line_num} has a cell of more than {MAX_CELL_CHARACTERS:,} characters. A quote "
                '(") that is opened and never closed makes the rest of a file one cell'
            ) from None
        raise Invalid(f"line {reader.line_num} cannot be read as CSV ({exc})") from None
    if mapping is None:
        raise Invalid("the file is empty")
    return sheet


# --- checking each row ----------------------------------------------------------------------


def _text_of(raw: str) -> str:
    """A cell as text: trimmed, and without the apostrophe that marks a formula-like cell
    as text (Muster's own export adds it)."""
    value = raw.strip()
    if len(value) > 1 and value[0] == "'" and value[1] in "=+-@":
        value = value[1:]
    return value


def _has_control(value: str) -> bool:
    return any(ord(c) < 32 or ord(c) == 127 for c in value)


@dataclass
class Checked:
    """A row's values, parsed; ``problem`` says why it cannot be imported."""

    staff_number: str = ""
    values: dict[str, Any] = field(default_factory=dict)
    role: Role | None = None
    problem: str = ""


def _check_row(raw: RawRow, columns: list[str]) -> Checked:
    out = Checked(staff_number=_text_of(raw.cells.get("staff_number", "")))
    texts: dict[str, str] = {}
    for name in columns:
        value = _text_of(raw.cells.get(name, ""))
        words = COLUMN_WORDS[name]
        limit = TEXT_LIMITS.get(name)
        if limit is not None and len(value) > limit:
            out.problem = f"the {words} is {len(value)} characters long; at most {limit} fit"
            return out
        if name != "languages" and _has_control(value):
            out.problem = f"the {words} has a line break or a control character in it"
            return out
        texts[name] = value
    if raw.extra_cells:
        out.problem = (
            f"it has {raw.extra_cells} more cell{'s' if raw.extra_cells > 1 else ''} than the first row has "
            "columns (a comma inside a cell needs the cell in double quotes)"
        )
        return out
    if not out.staff_number:
        out.problem = "the staff number is missing"
        return out
    if not texts["name"]:
        out.problem = "the name is missing"
        return out
    kind = KIND_WORDS.get(_norm(texts["kind"]))
    if kind is None:
        shown = f"'{texts['kind']}'" if texts["kind"] else "missing"
        out.problem = (
            f"the kind is {shown}; it must be police officer, special constable, PCSO or police staff"
        )
        return out
    values: dict[str, Any] = {"name": texts["name"], "kind": kind}
    for name in ("rank_or_title", "base_town", "phone"):
        if name in texts:
            values[name] = texts[name]
    if "email" in texts:
        email = texts["email"]
        if email and (email.count("@") != 1 or " " in email or email.startswith("@") or email.endswith("@")):
            out.problem = f"the e-mail address '{email}' is not an e-mail address"
            return out
        values["email"] = email
    if "languages" in texts:
        languages: list[str] = []
        for part in texts["languages"].split(";"):
            word = " ".join(part.split())
            if word and word.casefold() not in {w.casefold() for w in languages}:
                languages.append(word)
        if len(languages) > MAX_LANGUAGES:
            out.problem = f"it lists {len(languages)} languages; at most {MAX_LANGUAGES} fit"
            return out
        if any(len(w) > MAX_LANGUAGE_LENGTH or _has_control(w) for w in languages):
            out.problem = f"each language must be one line of at most {MAX_LANGUAGE_LENGTH} characters"
            return out
        values["languages"] = languages
    limit_text = texts.get("monthly_limit", "")
    if limit_text:
        if not re.fullmatch(r"\d{1,3}", limit_text) or int(limit_text) > MAX_MONTHLY_LIMIT:
            out.problem = f"the monthly limit is '{limit_text}'; it must be a whole number from 0 to {MAX_MONTHLY_LIMIT}"
            return out
        values["monthly_limit"] = int(limit_text)
    active_text = texts.get("active", "")
    if active_text:
        word = active_text.casefold()
        if word not in TRUE_WORDS | FALSE_WORDS:
            out.problem = f"active is '{active_text}'; it must be yes or no"
            return out
        values["active"] = word in TRUE_WORDS
    role_text = texts.get("role", "")
    if role_text:
        role = ROLE_WORDS.get(_norm(role_text))
        if role is None:
            out.problem = f"the sign-in role is '{role_text}'; it must be staff, coordinator or admin"
            return out
        if role == Role.partner:
            out.problem = (
                "a venue partner's sign-in is linked to venues, which a people import does not "
                "name: add partners on the users page"
            )
            return out
        out.role = role
    out.values = values
    return out


# --- the plan ---------------------------------------------------------------------------------


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


def chunks(values: Sequence[Any], size: int = 500) -> Iterable[Sequence[Any]]:
    """The values in slices of at most ``size``, each small enough for one IN (...) query."""
    for start in range(0, len(values), size):
        yield values[start : start + size]


def _people_by_staff_number(session: Session, numbers: list[str]) -> dict[str, Person]:
    found: dict[str, Person] = {}
    for chunk in chunks(sorted(set(numbers))):
        for person in session.exec(select(Person).where(col(Person.staff_number).in_(chunk))).all():
            found[person.staff_number] = person
    return found


def _users_by_person(session: Session, person_ids: list[int]) -> dict[int, User]:
    found: dict[int, User] = {}
    for chunk in chunks(sorted(set(person_ids))):
        for user in session.exec(select(User).where(col(User.person_id).in_(chunk))).all():
            if user.person_id is not None:
                found[user.person_id] = user
    return found


def _users_by_email(session: Session, emails: list[str]) -> dict[str, User]:
    found: dict[str, User] = {}
    for chunk in chunks(sorted(set(emails))):
        for user in session.exec(select(User).where(col(User.email).in_(chunk))).all():
            found[user.email] = user
    return found


def _person_changes(person: Person, values: dict[str, Any]) -> list[FieldChange]:
    return [
        FieldChange(name, getattr(person, name), value)
        for name, value in values.items()
        if getattr(person, name) != value
    ]


def plan_import(session: Session, csv_file: CsvFile) -> Plan:
    """What importing the file would do, row by row, writing nothing."""
    sheet = parse(csv_file)
    checked = [(raw, _check_row(raw, sheet.columns)) for raw in sheet.rows]
    lines_of: dict[str, list[int]] = {}
    for raw, row in checked:
        if row.staff_number:
            lines_of.setdefault(row.staff_number, []).append(raw.line)
    people = _people_by_staff_number(session, [r.staff_number for _, r in checked if r.staff_number])
    with_sign_in = _users_by_person(session, [p.id for p in people.values() if p.id is not None])
    wanted_emails = [
        normalise_email(str(r.values.get("email", "")))
        for _, r in checked
        if r.role and r.values.get("email")
    ]
    by_email = _users_by_email(session, wanted_emails)
    email_lines: dict[str, list[int]] = {}
    for raw, row in checked:
        if row.role and row.values.get("email") and not row.problem:
            email_lines.setdefault(normalise_email(str(row.values["email"])), []).append(raw.line)

    rows: list[RowPlan] = []
    for raw, row in checked:
        name = str(row.values.get("name") or _text_of(raw.cells.get("name", "")))[:200]
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


# --- applying ----------------------------------------------------------------------------------


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
    now = utcnow()
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
                invite_user(session, user_id=user.id)
                user.invited_at = now
                session.add(user)
                audit.record(
                    session=session,
                    actor=actor,
                    action="invite",
                    record_type="user",
                    record_id=user.id,
                    summary=f"invitation to sign in sent to {user.email}",
                )
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


# --- the export ------------------------------------------------------------------------------


def _safe_cell(value: str) -> str:
    """A cell a spreadsheet shows as text: one starting like a formula gets an apostrophe."""
    return "'" + value if value.startswith(FORMULA_START) else value


def export_people(session: Session) -> str:
    """Everyone, in the import's columns (the role of their sign-in, if they have one): a
    file to edit and import again, or to start from. No network membership, ever."""
    people = list(session.exec(select(Person).order_by(col(Person.staff_number))).all())
    roles = {
        user.person_id: str(user.role)
        for user in session.exec(select(User).where(col(User.person_id).is_not(None))).all()
    }
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for p in people:
        cells = [
            p.staff_number,
            p.name,
            str(p.kind),
            p.rank_or_title,
            p.base_town,
            p.email,
            p.phone,
            ";".join(p.languages or []),
            str(p.monthly_limit),
            "yes" if p.active else "no",
            roles.get(p.id, ""),
        ]
        writer.writerow([_safe_cell(c) for c in cells])
    return out.getvalue()
