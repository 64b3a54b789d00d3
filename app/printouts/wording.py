"""The words printouts use: dates and times as people read them, addresses, lists, and
what an event still lacks. Pure functions of plain values."""

from collections.abc import Sequence
from datetime import datetime

from app.clock import to_london
from app.events.models import Event
from app.events.staffing import StaffingState

# Outreach staff carry these to every event, whatever the event asks for besides; an item is
# left out when the event's own list already names it (the first words are the key).
ALWAYS_BRING = (
    ("warrant card", "Warrant card or staff ID, worn visibly"),
    ("briefing sheet", "This briefing sheet and the expressions-of-interest page"),
    ("leaflets", "Recruitment leaflets and application guides for the roles recruited"),
)


def shorten(text: str, limit: int) -> str:
    """At most ``limit`` characters, cut at a word and marked with an ellipsis."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    if text[limit - 1] != " ":
        cut = cut.rsplit(" ", 1)[0]
    return cut.rstrip(" ,;:.") + "…"


def in_words(items: Sequence[str]) -> str:
    """'a', 'a and b', 'a, b and c'."""
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def address_lines(address: str, town: str, postcode: str) -> list[str]:
    """Address, town and postcode, without the town twice when the address already ends in it."""
    lines = [address] if address else []
    if town and not address.casefold().rstrip(" ,").endswith(town.casefold()):
        lines.append(town)
    if postcode:
        lines.append(postcode)
    return lines


def written_date(starts_at: datetime, ends_at: datetime) -> str:
    """'Wednesday 15 July 2026', or the span when an event runs over several days."""
    start, end = to_london(starts_at), to_london(ends_at)
    if start.date() == end.date():
        return f"{start:%A %-d %B %Y}"
    return f"{start:%A %-d %B} to {end:%A %-d %B %Y}"


def written_times(starts_at: datetime, ends_at: datetime) -> str:
    """'10:00 to 17:00 (BST)': the zone matters the week the clocks change."""
    start, end = to_london(starts_at), to_london(ends_at)
    return f"{start:%H:%M} to {end:%H:%M} ({end:%Z})"


def twelve_hour(moment: datetime) -> str:
    """'10am', '3:30pm', '12 noon': how the public reads a time on a poster."""
    local = to_london(moment)
    if local.hour == 12 and local.minute == 0:
        return "12 noon"
    hour = local.hour % 12 or 12
    suffix = "am" if local.hour < 12 else "pm"
    return f"{hour}{suffix}" if local.minute == 0 else f"{hour}:{local.minute:02d}{suffix}"


def _more(count: int, singular: str, plural: str) -> str:
    return f"needs {count} more {singular if count == 1 else plural}"


def _count(value: object) -> int:
    return value if isinstance(value, int) else 0


def gaps_in_words(state: StaffingState) -> list[str]:
    """What an event still lacks, for print: the networks asked for are counted, not named,
    since a named gap that disappears tells the reader who joined the network."""
    gaps: list[str] = []
    if state.ambassadors < state.ambassadors_needed:
        gaps.append(_more(state.ambassadors_needed - state.ambassadors, "ambassador", "ambassadors"))
    if state.recruiters < state.recruiters_needed:
        gaps.append(_more(state.recruiters_needed - state.recruiters, "recruiter", "recruiters"))
    network_short = sum(max(0, _count(n.get("needed")) - _count(n.get("have"))) for n in state.networks)
    if network_short:
        gaps.append(_more(network_short, "network ambassador", "network ambassadors"))
    for language in state.languages:
        if not language.get("have"):
            name = str(language.get("language", ""))
            article = "an" if name[:1].lower() in "aeiou" else "a"
            gaps.append(f"needs {article} {name} speaker")
    return gaps


def needs_in_words(event: Event) -> str:
    parts = []
    if event.recruiters_needed:
        parts.append(f"{event.recruiters_needed} recruiter{'s' if event.recruiters_needed != 1 else ''}")
    if event.ambassadors_needed:
        parts.append(f"{event.ambassadors_needed} ambassador{'s' if event.ambassadors_needed != 1 else ''}")
    return " and ".join(parts) or "no set team size"


def bring_list(text: str) -> list[str]:
    """The event's list (one item a line, or one line separated by commas or semicolons),
    then what every team brings and the event did not already name."""
    lines = [line.strip(" -•*\t") for line in text.splitlines()]
    items = [line for line in lines if line]
    if len(items) == 1:
        items = [part.strip() for part in items[0].replace(";", ",").split(",") if part.strip()]
    items = [item[:1].upper() + item[1:] for item in items]
    named = " ".join(items).casefold()
    return items + [wording for key, wording in ALWAYS_BRING if key not in named]
