"""Population and workforce shares from a CSV file, previewed line by line before anything
is saved, and back out to a CSV a spreadsheet cannot run formulas from."""

import csv
import hashlib
import io
from dataclasses import dataclass, field
from typing import Any, Literal

from pydantic import ValidationError
from sqlmodel import Session

from app.audit.service import Actor
from app.errors import Conflict, Invalid
from app.fields import predicate, rules_of
from app.printouts.csv_export import write_csv
from app.representation import community
from app.representation.models import PopulationShare, WorkforceShare
from app.representation.schemas import PopulationShareFields, WorkforceShareFields

Kind = Literal["population", "workforce"]
COLUMNS: dict[str, tuple[str, ...]] = {
    "population": ("area", "group", "share_percent", "year", "source"),
    "workforce": ("area", "group", "count", "total", "as_of", "source"),
}
REQUIRED: dict[str, frozenset[str]] = {
    "population": frozenset({"group", "share_percent", "year"}),
    "workforce": frozenset({"group", "count", "total", "as_of"}),
}
FIELDS: dict[str, type[PopulationShareFields] | type[WorkforceShareFields]] = {
    "population": PopulationShareFields,
    "workforce": WorkforceShareFields,
}
MAX_ROWS = 1000
MAX_BYTES = 200 * 1024
# What a person may write for the whole force area instead of leaving the area empty.
FORCE_AREA_WORDS = frozenset({"force area", "the force area", "all", "force"})


@dataclass
class Line:
    number: int
    values: dict[str, Any]
    action: str = "add"  # add, update, unchanged, error
    errors: list[str] = field(default_factory=list)


@dataclass
class Preview:
    kind: str
    sha256: str
    lines: list[Line]

    @property
    def counts(self) -> dict[str, int]:
        found = dict.fromkeys(("add", "update", "unchanged", "error"), 0)
        for line in self.lines:
            found[line.action] += 1
        return found

    @property
    def changes_anything(self) -> bool:
        return any(line.action in ("add", "update") for line in self.lines)


def _cell(raw: str | None) -> str:
    value = (raw or "").strip()
    # Muster's own export marks a formula-like cell with an apostrophe: read it as typed.
    if len(value) > 1 and value[0] == "'" and value[1] in "=+-@":
        value = value[1:]
    return value


def _read_rows(text: str, kind: str) -> list[tuple[int, dict[str, str]]]:
    if len(text.encode()) > MAX_BYTES:
        raise Invalid(f"the file is larger than {MAX_BYTES // 1024} KB: split it")
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    try:
        header = [h.strip().casefold() for h in reader.fieldnames or []]
    except csv.Error as exc:
        raise Invalid(f"the first line cannot be read as CSV ({exc})") from None
    if not header:
        raise Invalid("the file is empty")
    missing = sorted(REQUIRED[kind] - set(header))
    if missing:
        raise Invalid(
            f"the first line must name the columns {', '.join(COLUMNS[kind])}; missing: {', '.join(missing)}"
        )
    reader.fieldnames = header
    rows: list[tuple[int, dict[str, str]]] = []
    try:
        for row in reader:
            if len(rows) >= MAX_ROWS:
                raise Invalid(f"the file has more than {MAX_ROWS} rows: split it")
            cells = {
                k: _cell(v if isinstance(v, str) else None) for k, v in row.items() if k in COLUMNS[kind]
            }
            if any(cells.values()):
                rows.append((reader.line_num, cells))
    except csv.Error as exc:
        raise Invalid(f"line {reader.line_num} cannot be read as CSV ({exc})") from None
    return rows


def _parsed(kind: str, cells: dict[str, str]) -> tuple[dict[str, Any], list[str]]:
    model = FIELDS[kind]
    data: dict[str, Any] = {k: v for k, v in cells.items() if v != "" or k in ("area", "source")}
    if data.get("area", "").casefold() in FORCE_AREA_WORDS:
        data["area"] = community.FORCE_AREA
    try:
        return model.model_validate(data).model_dump(), []
    except ValidationError as exc:
        rules = rules_of(model)
        errors = []
        for err in exc.errors():
            name = str(err["loc"][0]) if err["loc"] else ""
            words = predicate(err, rules.get(name)) if name else None
            errors.append(f"{name}: {words or err['msg'].removeprefix('Value error, ')}".lstrip(": "))
        return {}, errors


def _key(kind: str, values: dict[str, Any]) -> tuple[str, str, Any]:
    return values["area"], values["group"], values["year" if kind == "population" else "as_of"]


def _existing(session: Session, kind: str) -> dict[tuple[str, str, Any], community.Share]:
    rows: list[community.Share] = []
    if kind == "population":
        rows.extend(community.all_shares(session, PopulationShare))
    else:
        rows.extend(community.all_shares(session, WorkforceShare))
    return {_key(kind, r.model_dump()): r for r in rows}


def preview(session: Session, *, kind: str, text: str) -> Preview:
    """What importing the file would do, line by line; writes nothing."""
    if kind not in COLUMNS:
        raise Invalid("choose population or workforce figures")
    existing = _existing(session, kind)
    seen: dict[tuple[str, str, Any], int] = {}
    lines = []
    for number, cells in _read_rows(text, kind):
        values, errors = _parsed(kind, cells)
        line = Line(number, values or dict(cells), errors=errors)
        if errors:
            line.action = "error"
        else:
            key = _key(kind, values)
            if key in seen:
                line.action, line.errors = "error", [f"the same area, group and date as line {seen[key]}"]
            else:
                seen[key] = number
                found = existing.get(key)
                if found is not None:
                    same = all(getattr(found, k) == v for k, v in values.items())
                    line.action = "unchanged" if same else "update"
        lines.append(line)
    return Preview(kind=kind, sha256=hashlib.sha256(text.encode()).hexdigest(), lines=lines)


def apply(session: Session, *, actor: Actor, kind: str, text: str, sha256: str) -> Preview:
    """Add and update the lines without errors, in one transaction; lines with errors are left out."""
    plan = preview(session, kind=kind, text=text)
    if plan.sha256 != sha256:
        raise Conflict("the file has changed since it was previewed: preview it again")
    model = community.model_of(kind)
    existing = _existing(session, kind)
    for line in plan.lines:
        if line.action == "add":
            community.create_share(session=session, actor=actor, model=model, data=line.values, commit=False)
        elif line.action == "update":
            found = existing[_key(kind, line.values)]
            assert found.id is not None
            community.update_share(
                session=session,
                actor=actor,
                model=model,
                share_id=found.id,
                changes=line.values,
                commit=False,
            )
    session.commit()  # all the lines or, if any is refused, none
    return plan


def export(session: Session, *, kind: str) -> bytes:
    """Every share of the kind, in the import's columns: a file to edit and import again."""
    columns = COLUMNS[kind]
    rows = list(_existing(session, kind).values())
    return write_csv(columns, ([getattr(r, c) for c in columns] for r in rows))
