"""An event's staffing state — filled, or what is missing in words — as a pure function."""

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field

from app.enums import AssignmentRole, AssignmentStatus


@dataclass(frozen=True)
class TeamMember:
    person_id: int
    role: str
    status: str
    network_ids: frozenset[int]
    languages: frozenset[str]


@dataclass(frozen=True)
class NetworkNeed:
    network_id: int
    name: str
    min_count: int


@dataclass
class StaffingState:
    filled: bool
    unmet: list[str]
    ambassadors_needed: int
    ambassadors: int
    recruiters_needed: int
    recruiters: int
    awaiting_reply: int
    networks: list[dict[str, object]] = field(default_factory=list)
    languages: list[dict[str, object]] = field(default_factory=list)

    @property
    def summary(self) -> str:
        if self.filled:
            return "Fully staffed" + (
                f" ({self.awaiting_reply} awaiting reply)" if self.awaiting_reply else ""
            )
        return "; ".join(self.unmet)


def _more(count: int, singular: str, plural: str) -> str:
    return f"{count} more {singular if count == 1 else plural}"


def counts_toward_team(member: TeamMember) -> bool:
    """Proposed and confirmed members both count: a proposal holds the place."""
    return member.status in (AssignmentStatus.proposed, AssignmentStatus.confirmed)


def takes_recruiter_place(role: str) -> bool:
    """A lead counts as a recruiter: leads are the recruitment staff who run the stand."""
    return role in (AssignmentRole.recruiter, AssignmentRole.lead)


@dataclass(frozen=True)
class Shortfall:
    """What an event still lacks: the one definition of "needs unmet", shared by the event
    pages and the staffing engine (its figures, model, baseline and bounds)."""

    ambassadors: int  # ambassador places the needed count still lacks
    recruiters: int
    networks: dict[int, int]  # network id → members still lacking
    languages: tuple[str, ...]  # wanted languages nobody on the team speaks, as written

    @property
    def needs(self) -> int:
        """Network and language units unmet: each member lacking, each language unspoken."""
        return sum(self.networks.values()) + len(self.languages)

    @property
    def places(self) -> int:
        return self.ambassadors + self.recruiters

    def after(
        self, *, ambassadors: int, recruiters: int, members: Mapping[int, int], spoken: Collection[str]
    ) -> "Shortfall":
        """What is still lacking once more people join: ``members`` counts them per network,
        ``spoken`` holds the languages they speak (casefolded)."""
        return Shortfall(
            ambassadors=max(0, self.ambassadors - ambassadors),
            recruiters=max(0, self.recruiters - recruiters),
            networks={
                network: lacking - members.get(network, 0)
                for network, lacking in self.networks.items()
                if lacking > members.get(network, 0)
            },
            languages=tuple(lang for lang in self.languages if lang.casefold() not in spoken),
        )


def shortfall(
    *,
    ambassadors_needed: int,
    recruiters_needed: int,
    network_needs: Sequence[NetworkNeed],
    wanted_languages: Sequence[str],
    team: Sequence[TeamMember],
) -> Shortfall:
    """What the event lacks with this team (members who do not count are left out)."""
    active = [m for m in team if counts_toward_team(m)]
    ambassadors = sum(1 for m in active if m.role == AssignmentRole.ambassador)
    recruiters = sum(1 for m in active if takes_recruiter_place(m.role))
    networks: dict[int, int] = {}
    for need in network_needs:
        have = sum(1 for m in active if need.network_id in m.network_ids)
        if need.min_count > have:
            networks[need.network_id] = need.min_count - have
    spoken = {lang.casefold() for m in active for lang in m.languages}
    languages: list[str] = []
    for language in wanted_languages:
        key = language.casefold()
        if key not in spoken and key not in {x.casefold() for x in languages}:
            languages.append(language)
    return Shortfall(
        ambassadors=max(0, ambassadors_needed - ambassadors),
        recruiters=max(0, recruiters_needed - recruiters),
        networks=networks,
        languages=tuple(languages),
    )


def staffing_state(
    *,
    ambassadors_needed: int,
    recruiters_needed: int,
    network_needs: list[NetworkNeed],
    wanted_languages: list[str],
    team: list[TeamMember],
) -> StaffingState:
    """The event's staffing in words: what ``shortfall`` finds lacking, and who is there."""
    lacking = shortfall(
        ambassadors_needed=ambassadors_needed,
        recruiters_needed=recruiters_needed,
        network_needs=network_needs,
        wanted_languages=wanted_languages,
        team=team,
    )
    active = [m for m in team if counts_toward_team(m)]
    unmet: list[str] = []
    if lacking.ambassadors:
        unmet.append("needs " + _more(lacking.ambassadors, "ambassador", "ambassadors"))
    if lacking.recruiters:
        unmet.append("needs " + _more(lacking.recruiters, "recruiter", "recruiters"))
    networks = []
    for need in network_needs:
        networks.append(
            {
                "network_id": need.network_id,
                "name": need.name,
                "needed": need.min_count,
                "have": sum(1 for m in active if need.network_id in m.network_ids),
            }
        )
        if need.network_id in lacking.networks:
            unmet.append(
                "needs "
                + _more(lacking.networks[need.network_id], "ambassador", "ambassadors")
                + f" from the {need.name}"
            )
    spoken = {lang.casefold() for m in active for lang in m.languages}
    languages = [{"language": lang, "have": lang.casefold() in spoken} for lang in wanted_languages]
    for language in lacking.languages:
        article = "an" if language[:1].lower() in "aeiou" else "a"
        unmet.append(f"needs {article} {language} speaker")
    return StaffingState(
        filled=not unmet,
        unmet=unmet,
        ambassadors_needed=ambassadors_needed,
        ambassadors=sum(1 for m in active if m.role == AssignmentRole.ambassador),
        recruiters=sum(1 for m in active if takes_recruiter_place(m.role)),
        recruiters_needed=recruiters_needed,
        awaiting_reply=sum(1 for m in active if m.status == AssignmentStatus.proposed),
        networks=networks,
        languages=languages,
    )
