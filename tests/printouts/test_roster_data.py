"""The pure roster builders: words, days and times, without a database."""

from datetime import UTC, date, datetime

from app.clock import to_london
from app.events.staffing import NetworkNeed, TeamMember, staffing_state
from app.printouts.roster import (
    Poster,
    RosterEvent,
    address_lines,
    bring_list,
    gaps_in_words,
    group_by_day,
    in_words,
    roster_title,
    shorten,
    twelve_hour,
    written_date,
    written_times,
)


def _event(event_id: int, starts_at: datetime, ends_at: datetime) -> RosterEvent:
    return RosterEvent(
        event_id=event_id,
        title=f"Event {event_id}",
        starts_at=to_london(starts_at),
        ends_at=to_london(ends_at),
        status="confirmed",
        public=True,
        campaign="",
        venue="",
        venue_kind="",
        address="",
        town="",
        postcode="",
    )


def test_gaps_in_words_count_networks_without_naming_them() -> None:
    member = TeamMember(1, "ambassador", "confirmed", frozenset({7}), frozenset({"Urdu"}))
    state = staffing_state(
        ambassadors_needed=3,
        recruiters_needed=1,
        network_needs=[NetworkNeed(7, "Black Police Association", 1), NetworkNeed(8, "LGBT+ Network", 2)],
        wanted_languages=["Urdu", "Arabic"],
        team=[member],
    )
    assert gaps_in_words(state) == [
        "needs 2 more ambassadors",
        "needs 1 more recruiter",
        "needs 2 more network ambassadors",
        "needs an Arabic speaker",
    ]


def test_gaps_in_words_empty_when_staffed() -> None:
    state = staffing_state(
        ambassadors_needed=0, recruiters_needed=0, network_needs=[], wanted_languages=[], team=[]
    )
    assert gaps_in_words(state) == []


def test_group_by_day_uses_the_london_day() -> None:
    late = _event(1, datetime(2026, 7, 15, 22, 30, tzinfo=UTC), datetime(2026, 7, 16, 1, 0, tzinfo=UTC))
    early = _event(2, datetime(2026, 7, 15, 9, 0, tzinfo=UTC), datetime(2026, 7, 15, 16, 0, tzinfo=UTC))
    days = group_by_day([late, early])
    # 22:30 UTC in July is 23:30 BST: the 15th in London.
    assert [(d.day, [e.event_id for e in d.events]) for d in days] == [(date(2026, 7, 15), [2, 1])]
    assert days[0].heading == "Wednesday 15 July 2026"
    assert late.time_text == "23:30–Thu 16 Jul 02:00"
    assert early.time_text == "10:00–17:00"


def test_roster_title_compacts_the_range() -> None:
    assert roster_title(date(2026, 7, 13), date(2026, 7, 19)) == "Roster, 13 to 19 July 2026"
    assert roster_title(date(2026, 7, 27), date(2026, 8, 2)) == "Roster, 27 July to 2 August 2026"
    assert roster_title(date(2026, 12, 28), date(2027, 1, 3)) == "Roster, 28 December 2026 to 3 January 2027"
    assert roster_title(date(2026, 7, 15), date(2026, 7, 15)) == "Roster, Wednesday 15 July 2026"


def test_twelve_hour_times_for_posters() -> None:
    assert [
        twelve_hour(datetime(2026, 7, 15, h, m, tzinfo=UTC)) for h, m in ((9, 0), (11, 0), (14, 30), (23, 15))
    ] == ["10am", "12 noon", "3:30pm", "12:15am"]


def test_written_times_name_the_zone_across_the_clock_change() -> None:
    summer = written_times(datetime(2026, 10, 24, 9, tzinfo=UTC), datetime(2026, 10, 24, 16, tzinfo=UTC))
    winter = written_times(datetime(2026, 10, 26, 10, tzinfo=UTC), datetime(2026, 10, 26, 17, tzinfo=UTC))
    assert (summer, winter) == ("10:00 to 17:00 (BST)", "10:00 to 17:00 (GMT)")
    assert written_date(datetime(2026, 10, 24, 9, tzinfo=UTC), datetime(2026, 10, 25, 9, tzinfo=UTC)) == (
        "Saturday 24 October to Sunday 25 October 2026"
    )


def test_in_words_joins_with_and() -> None:
    assert [in_words([]), in_words(["a"]), in_words(["a", "b"]), in_words(["a", "b", "c"])] == [
        "",
        "a",
        "a and b",
        "a, b and c",
    ]


def test_bring_list_splits_one_line_and_skips_what_is_named() -> None:
    assert bring_list("Warrant card, uniform, 30 application packs; pop-up banner") == [
        "Warrant card",
        "Uniform",
        "30 application packs",
        "Pop-up banner",
        "This briefing sheet and the expressions-of-interest page",
        "Recruitment leaflets and application guides for the roles recruited",
    ]
    assert bring_list("- Banner, and its stand\n- Laptop") == [
        "Banner, and its stand",
        "Laptop",
        "Warrant card or staff ID, worn visibly",
        "This briefing sheet and the expressions-of-interest page",
        "Recruitment leaflets and application guides for the roles recruited",
    ]


def test_address_lines_do_not_repeat_the_town() -> None:
    assert address_lines("Ainsworth Street, Blackburn", "Blackburn", "BB1 6AR") == [
        "Ainsworth Street, Blackburn",
        "BB1 6AR",
    ]
    assert address_lines("12 Market Street", "Nelson", "") == ["12 Market Street", "Nelson"]
    assert address_lines("", "Nelson", "BB9 9SL") == ["Nelson", "BB9 9SL"]


def test_shorten_cuts_at_a_word() -> None:
    assert shorten("Come and talk to us about careers", 20) == "Come and talk to us…"
    assert shorten("  short   text ", 20) == "short text"


def test_poster_names_target_groups_mid_sentence() -> None:
    poster = Poster(
        force_name="",
        size="A4",
        venue="",
        address_lines=(),
        roles=(),
        target_groups=("Ethnic minorities", "Women", "LGBT+"),
        events=(),
    )
    assert poster.target_groups_text == "ethnic minorities, women and LGBT+"
