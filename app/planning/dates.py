"""Dates that matter for outreach, from well-kept calculators and the cited data file.

Pure: no database. Islamic dates come from the Umm al-Qura calendar (hijridate) and are
*expected*: the day waits on the moon being sighted, so it may move a day either way.
"""

import tomllib
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache
from pathlib import Path

import holidays
from dateutil.easter import easter
from hijridate import Gregorian, Hijri

DATA_FILE = Path(__file__).parent / "data" / "observances.toml"
UMM_AL_QURA = "Umm al-Qura calendar, computed with hijridate (https://hijridate.readthedocs.io)"
GOV_UK = (
    "England and Wales bank holidays (python-holidays, subdivision ENG); https://www.gov.uk/bank-holidays"
)
EXPECTED = "expected, ±1 day"

# gov.uk's names, where python-holidays words them differently.
_BANK_HOLIDAY_NAMES = {
    "May Day": "Early May bank holiday",
    "Spring Bank Holiday": "Spring bank holiday",
    "Late Summer Bank Holiday": "Summer bank holiday",
}


@dataclass(frozen=True)
class PlanningDate:
    name: str
    kind: str  # "observance" | "bank_holiday" | "local_date"
    starts_on: date
    ends_on: date
    expected: bool  # waits on the moon being sighted: ±1 day
    note: str
    source: str
    venue_kinds: tuple[str, ...]  # empty: matters wherever the event is

    def overlaps(self, start: date, end: date) -> bool:
        return self.starts_on <= end and start <= self.ends_on


def day_words(day: date) -> str:
    """'Wed 24 Feb 2027': how the warnings and pages name a day."""
    return f"{day:%a} {day.day} {day:%b %Y}"


@cache
def _curated() -> tuple[PlanningDate, ...]:
    rows = tomllib.loads(DATA_FILE.read_text(encoding="utf-8"))["observance"]
    found = []
    for row in rows:
        for first, last in row["dates"]:
            found.append(
                PlanningDate(
                    name=row["name"],
                    kind="observance",
                    starts_on=date.fromisoformat(first),
                    ends_on=date.fromisoformat(last),
                    expected=bool(row["expected"]),
                    note=row["note"],
                    source=row["source"],
                    venue_kinds=tuple(row["venue_kinds"]),
                )
            )
    return tuple(found)


def _hijri(year: int, month: int, day: int) -> date | None:
    try:
        return Hijri(year, month, day).to_gregorian()
    except (OverflowError, ValueError):  # outside the Umm al-Qura tables (1343-1500 AH)
        return None


def _islamic(hijri_year: int) -> list[PlanningDate]:
    found = []
    ramadan = _hijri(hijri_year, 9, 1)
    shawwal = _hijri(hijri_year, 10, 1)
    adha = _hijri(hijri_year, 12, 10)
    if ramadan and shawwal:
        found.append(
            PlanningDate(
                "Ramadan",
                "observance",
                ramadan,
                shawwal - timedelta(days=1),
                True,
                "The month of fasting from dawn to sunset; events ending after sunset clash with "
                f"iftar. Begins and ends with the moon's sighting ({EXPECTED}).",
                UMM_AL_QURA,
                (),
            )
        )
    if shawwal:
        note = f"The festival ending Ramadan; many take the day off, some three ({EXPECTED})."
        found.append(PlanningDate("Eid al-Fitr", "observance", shawwal, shawwal, True, note, UMM_AL_QURA, ()))
    if adha:
        note = f"The festival of sacrifice, at the end of the Hajj; many take the day off ({EXPECTED})."
        found.append(PlanningDate("Eid al-Adha", "observance", adha, adha, True, note, UMM_AL_QURA, ()))
    return found


@cache
def _computed(year: int) -> tuple[PlanningDate, ...]:
    """The year's Islamic dates and Easter, computed."""
    first = _hijri_year(date(year, 1, 1))
    found: list[PlanningDate] = []
    if first is not None:
        for hijri_year in (first, first + 1):
            found += [d for d in _islamic(hijri_year) if d.starts_on.year == year]
    sunday = easter(year)
    found.append(
        PlanningDate(
            "Easter Sunday",
            "observance",
            sunday,
            sunday,
            False,
            "Churches are at their busiest; Good Friday and Easter Monday are bank holidays.",
            "Western Easter, computed with dateutil.easter",
            (),
        )
    )
    return tuple(found)


def _hijri_year(day: date) -> int | None:
    try:
        return Gregorian(day.year, day.month, day.day).to_hijri().year
    except (OverflowError, ValueError):
        return None


@cache
def _bank_holidays(year: int) -> tuple[PlanningDate, ...]:
    found = []
    days = sorted(holidays.country_holidays("GB", subdiv="ENG", years=year).items())
    substituted = {
        part.removesuffix(" (observed)")
        for _, name in days
        for part in name.split("; ")
        if part.endswith(" (observed)")
    }
    for day, name in days:
        parts = name.split("; ")
        # A holiday on a weekend is not the bank holiday: gov.uk lists only its substitute day.
        # Christmas Day stays on the calendar as the festival it is.
        if day.weekday() >= 5 and all(part in substituted for part in parts):
            if "Christmas Day" in parts:
                note = "Christmas Day falls on a weekend; the bank holiday is the next working day."
                found.append(PlanningDate("Christmas Day", "observance", day, day, False, note, GOV_UK, ()))
            continue
        words = "; ".join(_gov_uk_name(part) for part in parts)
        note = "Job centres, councils and many offices are closed."
        found.append(PlanningDate(words, "bank_holiday", day, day, False, note, GOV_UK, ()))
    return tuple(found)


def _gov_uk_name(name: str) -> str:
    observed = name.endswith(" (observed)")
    base = name.removesuffix(" (observed)")
    base = _BANK_HOLIDAY_NAMES.get(base, base)
    return f"{base} (substitute day)" if observed else base


def calendar_dates(start: date, end: date) -> list[PlanningDate]:
    """Observances and bank holidays overlapping start..end (inclusive), by start date.

    Ramadan can begin in the year before, so the year before is looked at too."""
    found: list[PlanningDate] = []
    for year in range(start.year - 1, end.year + 1):
        found += _computed(year)
        found += _bank_holidays(year)
    found += _curated()
    return sorted((d for d in found if d.overlaps(start, end)), key=lambda d: (d.starts_on, d.kind, d.name))
