"""Where to go next: towns ranked by how far the workforce falls short of the community there,
and by the interest past events there gained per hour the team gave, with the figures behind
each rank and a link that books that town's venues.

It ranks places to hold outreach, never people: positive action plans where to go; it does
not select anyone.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlencode

from sqlmodel import Session

from app.campaigns import service as campaigns
from app.clock import utcnow
from app.interest.service import interest_counts, retention
from app.reports import queries
from app.representation.community import FORCE_AREA, CommunityRow, community_rows


@dataclass(frozen=True)
class TownChoice:
    town: str
    rank: int
    gap_rank: int | None  # 1: the widest shortfall
    yield_rank: int | None  # 1: the most interest per hour on duty
    gap_points: float | None
    gap_group: str
    community_percent: float | None
    workforce_percent: float | None
    online_interest: int
    paper_interest: int
    hours: float
    venue_ids: tuple[int, ...]
    book_href: str

    @property
    def interest(self) -> int:
        return self.online_interest + self.paper_interest

    @property
    def interest_per_hour(self) -> float | None:
        """Interest per ambassador-hour at past events in the town; None without past hours."""
        return round(self.interest / self.hours, 2) if self.hours > 0 else None

    @property
    def why(self) -> str:
        parts = []
        if self.gap_points is not None and self.gap_points > 0:
            parts.append(
                f"{self.gap_group}: {self.community_percent:g}% of the community, "
                f"{self.workforce_percent:g}% of the workforce ({self.gap_points:g} points short)"
            )
        elif self.gap_points is not None:
            parts.append("the workforce matches or exceeds the community in every group recorded")
        else:
            parts.append("no community and workforce figures recorded for this town")
        if self.interest_per_hour is not None:
            parts.append(f"{self.interest:,} expressions of interest from {self.hours:,.1f} hours on duty")
        else:
            interest = f" ({self.interest:,} expressions of interest)" if self.interest else ""
            parts.append(f"no hours on duty recorded at past events{interest}")
        return "; ".join(parts)


def _widest_gaps(rows: Sequence[CommunityRow]) -> dict[str, CommunityRow]:
    """Each town's group with the widest gap (positive or not), from the latest figures."""
    widest: dict[str, CommunityRow] = {}
    for row in rows:
        if row.area == FORCE_AREA or row.gap_points is None:
            continue
        best = widest.get(row.area)
        if best is None or (row.gap_points, row.group) > (best.gap_points or 0, best.group):
            widest[row.area] = row
    return widest


def _ranks(values: Mapping[str, float]) -> dict[str, int]:
    """Competition ranking, largest first: equal values share a rank."""
    ordered = sorted(values.items(), key=lambda kv: (-kv[1], kv[0]))
    ranks: dict[str, int] = {}
    for i, (town, value) in enumerate(ordered, start=1):
        previous = ordered[i - 2] if i > 1 else None
        ranks[town] = ranks[previous[0]] if previous and previous[1] == value else i
    return ranks


def book_href(venue_ids: Sequence[int], campaign_id: int | None) -> str:
    """The bulk booking form with the town's venues ticked (and the campaign, when chosen)."""
    query: list[tuple[str, str]] = [("campaign", str(campaign_id))] if campaign_id else []
    query += [("venue", str(v)) for v in venue_ids]
    return "/plan/book?" + urlencode(query) + "#venue_ids"


def where_next(
    *, session: Session, campaign_id: int | None = None, now: datetime | None = None
) -> list[TownChoice]:
    """Every town with an active venue or community figures, best first: the mean of its two
    ranks (a town with only one rank is ranked on that), ties to the wider gap. A
    ``campaign_id`` (which must exist) goes into the booking links."""
    if campaign_id is not None:
        campaigns.get_campaign(session=session, campaign_id=campaign_id)
    gaps = _widest_gaps(community_rows(session))
    online = {str(k): n for k, n in interest_counts(session, by="town").items() if k}
    # Online interest is erased after the retention period, so paper forms and hours are
    # counted over the same stretch: a rate over unequal periods would favour old towns.
    since = (now or utcnow()) - retention()
    paper = queries.paper_interest_by_town(session=session, since=since)
    hours = queries.hours_by_town(session=session, since=since)
    venues = queries.active_venues_by_town(session=session)
    towns = sorted(set(gaps) | set(venues))

    gap_ranks = _ranks({t: g.gap_points or 0.0 for t, g in gaps.items() if t in towns})
    yields = {t: (online.get(t, 0) + paper.get(t, 0)) / hours[t] for t in towns if hours.get(t, 0) > 0}
    yield_ranks = _ranks(yields)

    def score(town: str) -> tuple[float, float, str]:
        ranks = [r for r in (gap_ranks.get(town), yield_ranks.get(town)) if r is not None]
        mean = sum(ranks) / len(ranks) if ranks else float("inf")
        gap = gaps[town].gap_points if town in gaps else None
        return (mean, -(gap or 0.0), town)

    choices = []
    for rank, town in enumerate(sorted(towns, key=score), start=1):
        gap = gaps.get(town)
        ids = tuple(venues.get(town, []))
        choices.append(
            TownChoice(
                town=town,
                rank=rank,
                gap_rank=gap_ranks.get(town),
                yield_rank=yield_ranks.get(town),
                gap_points=gap.gap_points if gap else None,
                gap_group=gap.group if gap else "",
                community_percent=gap.community_percent if gap else None,
                workforce_percent=gap.workforce_percent if gap else None,
                online_interest=online.get(town, 0),
                paper_interest=paper.get(town, 0),
                hours=round(hours.get(town, 0.0), 1),
                venue_ids=ids,
                book_href=book_href(ids, campaign_id) if ids else "",
            )
        )
    return choices
