"""An event's staffing state — filled, or what is missing in words — as a pure function."""

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


def staffing_state(
    *,
    ambassadors_needed: int,
    recruiters_needed: int,
    network_needs: list[NetworkNeed],
    wanted_languages: list[str],
    team: list[TeamMember],
) -> StaffingState:
    """Proposed and confirmed members both count (a proposal holds the place); a lead
    counts as a recruiter, since leads are the recruitment staff who run the stand."""
    active = [m for m in team if m.status in (AssignmentStatus.proposed, AssignmentStatus.confirmed)]
    ambassadors = sum(1 for m in active if m.role == AssignmentRole.ambassador)
    recruiters = sum(1 for m in active if m.role in (AssignmentRole.recruiter, AssignmentRole.lead))
    unmet: list[str] = []
    if ambassadors < ambassadors_needed:
        unmet.append("needs " + _more(ambassadors_needed - ambassadors, "ambassador", "ambassadors"))
    if recruiters < recruiters_needed:
        unmet.append("needs " + _more(recruiters_needed - recruiters, "recruiter", "recruiters"))
    networks = []
    for need in network_needs:
        have = sum(1 for m in active if need.network_id in m.network_ids)
        networks.append(
            {
                "network_id": need.network_id,
                "name": need.name,
                "needed": need.min_count,
                "have": have,
            }
        )
        if have < need.min_count:
            unmet.append(
                "needs "
                + _more(need.min_count - have, "ambassador", "ambassadors")
                + f" from the {need.name}"
            )
    languages = []
    spoken = {lang.casefold() for m in active for lang in m.languages}
    for language in wanted_languages:
        have_it = language.casefold() in spoken
        languages.append({"language": language, "have": have_it})
        if not have_it:
            article = "an" if language[:1].lower() in "aeiou" else "a"
            unmet.append(f"needs {article} {language} speaker")
    return StaffingState(
        filled=not unmet,
        unmet=unmet,
        ambassadors_needed=ambassadors_needed,
        ambassadors=ambassadors,
        recruiters_needed=recruiters_needed,
        recruiters=recruiters,
        awaiting_reply=sum(1 for m in active if m.status == AssignmentStatus.proposed),
        networks=networks,
        languages=languages,
    )
