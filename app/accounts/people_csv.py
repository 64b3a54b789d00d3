"""The people file: its columns and limits, reading an upload into rows by column name, and
writing everyone out in the same columns. Cells are only ever text; the export marks a cell
that looks like a spreadsheet formula so that a spreadsheet does not run it."""

import csv
import hashlib
import io
import re
from dataclasses import dataclass

from sqlmodel import Session, col, select

from app.accounts.models import User
from app.errors import AppError, Invalid
from app.people.models import Person

# A force's volunteers fit many times over; the preview page carries the file back in a
# form field, which must stay under the form parser's 1 MB per field.
MAX_FILE_BYTES = 512 * 1024
MAX_ROWS = 2000
# A row with more cells than this, or a cell longer than this, is not a person's record: the
# file is refused whole (an unclosed quote makes the rest of a file one cell).
MAX_CELLS = 50
MAX_CELL_CHARACTERS = 4000

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

# Characters a spreadsheet takes as the start of a formula (OWASP "CSV injection").
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


class FileTooLarge(AppError, status=413, title="File too large", slug="too-large"):
    """An upload over the size an import reads."""


def norm_word(word: str) -> str:
    return re.sub(r"[\s\-]+", "_", word.strip().casefold())


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
    name = norm_word(header.removeprefix("\ufeff"))
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


def parse(csv_file: CsvFile, *, max_rows: int) -> Sheet:
    """The file's rows by column name; rows after the first ``max_rows`` are only counted. A
    file Muster cannot read as a table of people is refused whole (422, saying where);
    problems of single rows are the plan's to report."""
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
            if len(sheet.rows) >= max_rows:
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
