"""Checking one row of the people file: its cells parsed into a person's values and a
sign-in role, or the reason the row cannot be imported."""

import re
from dataclasses import dataclass, field
from typing import Any

from app.accounts.people_csv import COLUMN_WORDS, RawRow, norm_word
from app.enums import LABELS, PersonKind, Role

MAX_LANGUAGES = 20
MAX_LANGUAGE_LENGTH = 60
MAX_MONTHLY_LIMIT = 31
TEXT_LIMITS = {
    "staff_number": 40,
    "name": 200,
    "rank_or_title": 120,
    "base_town": 120,
    "email": 254,
    "phone": 40,
}

KIND_WORDS: dict[str, PersonKind] = {
    **{norm_word(k.value): k for k in PersonKind},
    **{norm_word(LABELS[k.value]): k for k in PersonKind},
    "police_community_support_officer": PersonKind.pcso,
}
ROLE_WORDS: dict[str, Role] = {
    **{norm_word(r.value): r for r in Role},
    "administrator": Role.admin,
    "venue_partner": Role.partner,
}
TRUE_WORDS = frozenset({"yes", "y", "true", "1", "active", "on"})
FALSE_WORDS = frozenset({"no", "n", "false", "0", "inactive", "off"})


def text_of(raw: str) -> str:
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


def check_row(raw: RawRow, columns: list[str]) -> Checked:
    out = Checked(staff_number=text_of(raw.cells.get("staff_number", "")))
    texts: dict[str, str] = {}
    for name in columns:
        value = text_of(raw.cells.get(name, ""))
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
    kind = KIND_WORDS.get(norm_word(texts["kind"]))
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
        role = ROLE_WORDS.get(norm_word(role_text))
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
