"""A plan's bookkeeping, kept as choices come and go: what each event has gained, who is
busy when, each person's load. The baseline (``greedy``), the local search (``polish``)
and the figures (``figures.assess``) all keep one, and ask the rules (``rules.RULES``)
through it whether a choice fits; so they count alike, and as the model does.
"""

from collections import Counter, defaultdict
from collections.abc import Iterable

from app.events.staffing import Shortfall
from app.staffing.instance import Instance
from app.staffing.rules import AMBASSADOR, FITTING, LIMITS, RECRUITER, Choice, PeriodLimit


class Tally:
    def __init__(self, instance: Instance, choices: Iterable[Choice] = ()) -> None:
        self.instance = instance
        events = len(instance.events)
        self.chosen: dict[int, str] = {}  # pair index → role
        self.added = {AMBASSADOR: [0] * events, RECRUITER: [0] * events}
        self.members: list[Counter[int]] = [Counter() for _ in range(events)]  # per network
        self.speakers: list[Counter[str]] = [Counter() for _ in range(events)]  # per language
        self.busy: dict[int, set[int]] = defaultdict(set)  # person → events they take
        self.load = dict(instance.pinned)  # (person, month) → duties, held ones included
        self._held: dict[str, Counter[tuple[int, str]]] = {limit.name: Counter() for limit in LIMITS}
        for index, role in choices:
            self.add(index, role)

    def fits(self, index: int, role: str, *, replacing: int | None = None) -> bool:
        """Whether every rule allows this choice (in place of ``replacing``: same event and role)."""
        for rule in FITTING:  # noqa: SIM110 (a plain loop: this is the hot path)
            if not rule.fits(self, index, role, replacing):
                return False
        return True

    def add(self, index: int, role: str) -> None:
        self.chosen[index] = role
        self._count(index, role, +1)

    def remove(self, index: int) -> None:
        self._count(index, self.chosen.pop(index), -1)

    def held(self, limit: PeriodLimit, key: tuple[int, str]) -> int:
        """Duties the plan gives a person in a period of the limit (``PeriodLimit.key``)."""
        return self._held[limit.name][key]

    def lacking(self, event: int) -> Shortfall:
        """What the event still lacks with the plan's choices added."""
        spoken = [lang for lang, count in self.speakers[event].items() if count > 0]
        return self.instance.shortfall[event].after(
            ambassadors=self.added[AMBASSADOR][event],
            recruiters=self.added[RECRUITER][event],
            members=self.members[event],
            spoken=spoken,
        )

    def needs_unmet_if(self, event: int, leaving: int, joining: int) -> int:
        """The event's network and language units unmet if person ``joining`` took person
        ``leaving``'s place on it."""
        lacking = self.instance.shortfall[event]
        out, into = self.instance.people[leaving], self.instance.people[joining]
        if out.networks.isdisjoint(lacking.networks) and out.languages.isdisjoint(
            lang.casefold() for lang in lacking.languages
        ):
            # Someone who meets none of the event's needs leaves: nothing met is lost.
            return self.lacking(event).needs
        members = Counter(self.members[event])
        members.subtract(out.networks)
        members.update(into.networks)
        speakers = Counter(self.speakers[event])
        speakers.subtract(out.languages)
        speakers.update(into.languages)
        spoken = [lang for lang, count in speakers.items() if count > 0]
        return lacking.after(ambassadors=0, recruiters=0, members=members, spoken=spoken).needs

    def choices(self) -> list[Choice]:
        return sorted(self.chosen.items())

    def _count(self, index: int, role: str, sign: int) -> None:
        instance = self.instance
        pair = instance.pairs[index]
        person, event = instance.people[pair.person], pair.event
        self.added[role][event] += sign
        self.members[event].update({n: sign for n in person.networks})
        self.speakers[event].update({lang: sign for lang in person.languages})
        if sign > 0:
            self.busy[pair.person].add(event)
        else:
            self.busy[pair.person].discard(event)
        self.load[(pair.person, instance.months[event])] += sign
        for limit in LIMITS:
            key = limit.key(instance, pair.person, event)
            if key is not None:
                self._held[limit.name][key] += sign
