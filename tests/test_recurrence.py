"""Recurring meetings: local wall time across DST, exclusions, moves, bounds and RRULE text."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pydantic
import pytest
from hypothesis import given
from hypothesis import strategies as st

import secretarial
from secretarial import ValidationError
from secretarial.kernel import (
    MAX_OCCURRENCES,
    Frequency,
    MovedOccurrence,
    Occurrence,
    Recurrence,
    elapsed,
)

NEW_YORK = ZoneInfo("America/New_York")
BERLIN = ZoneInfo("Europe/Berlin")
SHANGHAI = ZoneInfo("Asia/Shanghai")
HOUR = timedelta(hours=1)


def weekly(start: datetime, tz: str = "America/New_York", **fields: object) -> Recurrence:
    """A weekly one-hour series on the start's weekday."""
    day = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")[start.weekday()]
    values: dict[str, object] = {
        "frequency": "weekly",
        "by_weekday": (day,),
        "timezone": tz,
        "start": start,
        "duration": HOUR,
        **fields,
    }
    return Recurrence.model_validate(values)


# ============================================================================ local wall time
class TestDaylightSaving:
    def test_weekly_meeting_keeps_nine_oclock_across_the_spring_change(self) -> None:
        """New York moves to EDT on 2026-03-08: local time stays 09:00, UTC moves an hour."""
        series = weekly(datetime(2026, 3, 2, 9, tzinfo=NEW_YORK), count=3)
        found = series.occurrences()
        assert [o.start.astimezone(NEW_YORK).time() for o in found] == [time(9)] * 3
        assert [o.start.astimezone(UTC).hour for o in found] == [14, 13, 13]
        assert all(elapsed(o.start, o.end) == HOUR for o in found)

    def test_weekly_meeting_keeps_nine_oclock_across_the_autumn_change(self) -> None:
        """Berlin leaves CEST on 2026-10-25: a Thursday 09:00 meeting stays at 09:00."""
        series = weekly(datetime(2026, 10, 15, 9, tzinfo=BERLIN), "Europe/Berlin")
        found = series.occurrences(
            datetime(2026, 10, 1, tzinfo=UTC), datetime(2026, 11, 6, tzinfo=UTC)
        )
        assert [o.start.date() for o in found] == [
            date(2026, 10, 15),
            date(2026, 10, 22),
            date(2026, 10, 29),
            date(2026, 11, 5),
        ]
        assert {o.start.astimezone(BERLIN).time() for o in found} == {time(9)}
        assert [o.start.astimezone(UTC).hour for o in found] == [7, 7, 8, 8]

    def test_a_duration_is_elapsed_time_on_the_night_the_clocks_change(self) -> None:
        """01:30-03:30 on the night New York falls back lasts two hours, ending 02:30 local."""
        start = datetime(2026, 10, 31, 1, 30, tzinfo=NEW_YORK)
        series = Recurrence(
            frequency=Frequency.DAILY,
            count=2,
            timezone="America/New_York",
            start=start,
            duration=2 * HOUR,
        )
        second = series.occurrences()[1]
        assert elapsed(second.start, second.end) == 2 * HOUR
        assert second.end.astimezone(NEW_YORK).time() == time(2, 30)

    def test_a_wall_time_in_the_spring_gap_moves_on(self) -> None:
        """02:30 does not exist in New York on 2026-03-08; that occurrence is at 03:30 EDT."""
        series = Recurrence(
            frequency=Frequency.DAILY,
            count=3,
            timezone="America/New_York",
            start=datetime(2026, 3, 7, 2, 30, tzinfo=NEW_YORK),
            duration=HOUR,
        )
        gap_day = series.occurrences()[1]
        assert gap_day.start.astimezone(NEW_YORK).time() == time(3, 30)
        assert gap_day.start.utcoffset() == timedelta(hours=-4)


# ============================================================================ exceptions
class TestExclusionsAndMoves:
    def test_an_excluded_occurrence_is_left_out_and_still_counts(self) -> None:
        """EXDATE removes an occurrence; COUNT counts it as RFC 5545 says."""
        series = weekly(datetime(2026, 3, 2, 9, tzinfo=NEW_YORK), count=4).excluding(
            datetime(2026, 3, 9, 9, tzinfo=NEW_YORK)
        )
        days = [o.start.date() for o in series.occurrences()]
        assert days == [date(2026, 3, 2), date(2026, 3, 16), date(2026, 3, 23)]
        assert series.is_excluded(datetime(2026, 3, 9, 13, tzinfo=UTC))

    def test_an_exclusion_matches_by_local_start_given_in_any_zone(self) -> None:
        """The excluded start may be given in UTC; it names the same local occurrence."""
        series = weekly(datetime(2026, 3, 2, 9, tzinfo=NEW_YORK), count=3)
        skipped = series.excluding(datetime(2026, 3, 9, 13, tzinfo=UTC))
        assert len(skipped.occurrences()) == 2

    def test_a_moved_occurrence_is_at_its_new_time(self) -> None:
        """A moved occurrence keeps its original start and says it moved."""
        original = datetime(2026, 3, 16, 9, tzinfo=NEW_YORK)
        series = weekly(datetime(2026, 3, 2, 9, tzinfo=NEW_YORK), count=4).moving(
            original,
            datetime(2026, 3, 17, 14, tzinfo=NEW_YORK),
            datetime(2026, 3, 17, 16, tzinfo=NEW_YORK),
        )
        moved = [o for o in series.occurrences() if o.moved]
        assert moved == [
            Occurrence(
                datetime(2026, 3, 17, 14, tzinfo=NEW_YORK),
                datetime(2026, 3, 17, 16, tzinfo=NEW_YORK),
                original,
                moved=True,
            )
        ]
        assert len(series.occurrences()) == 4

    def test_a_move_is_found_by_its_new_time(self) -> None:
        """A window holding only the new time finds it; one holding only the old does not."""
        series = weekly(datetime(2026, 3, 2, 9, tzinfo=NEW_YORK), count=4).moving(
            datetime(2026, 3, 16, 9, tzinfo=NEW_YORK),
            datetime(2026, 4, 20, 9, tzinfo=NEW_YORK),
            datetime(2026, 4, 20, 10, tzinfo=NEW_YORK),
        )
        april = series.occurrences(
            datetime(2026, 4, 15, tzinfo=NEW_YORK), datetime(2026, 4, 25, tzinfo=NEW_YORK)
        )
        assert [o.original_start.date() for o in april] == [date(2026, 3, 16)]
        mid_march = series.occurrences(
            datetime(2026, 3, 15, tzinfo=NEW_YORK), datetime(2026, 3, 17, tzinfo=NEW_YORK)
        )
        assert mid_march == []

    def test_moving_again_replaces_the_first_move(self) -> None:
        """An occurrence has at most one move."""
        original = datetime(2026, 3, 9, 9, tzinfo=NEW_YORK)
        series = weekly(datetime(2026, 3, 2, 9, tzinfo=NEW_YORK), count=3)
        twice = series.moving(
            original, original + timedelta(hours=2), original + timedelta(hours=3)
        ).moving(original, original + timedelta(days=1), original + timedelta(days=1, hours=1))
        assert len(twice.moves) == 1
        assert twice.moves[0].start == original + timedelta(days=1)

    def test_only_occurrences_are_excluded_or_moved(self) -> None:
        """A Tuesday is not an occurrence of a Monday series (M8)."""
        series = weekly(datetime(2026, 3, 2, 9, tzinfo=NEW_YORK), count=3)
        tuesday = datetime(2026, 3, 10, 9, tzinfo=NEW_YORK)
        with pytest.raises(ValidationError) as info:
            series.excluding(tuesday)
        assert info.value.problems[0].rule == "M8"
        assert "not occurrences" in str(info.value)
        with pytest.raises(ValidationError):
            series.moving(tuesday, tuesday, tuesday + HOUR)
        assert not series.is_occurrence(tuesday)

    def test_an_occurrence_is_not_both_excluded_and_moved(self) -> None:
        """Excluding and moving the same occurrence contradict each other."""
        original = datetime(2026, 3, 9, 9, tzinfo=NEW_YORK)
        series = weekly(datetime(2026, 3, 2, 9, tzinfo=NEW_YORK), count=3).excluding(original)
        with pytest.raises(ValidationError, match="both excluded and moved"):
            series.moving(original, original + HOUR, original + 2 * HOUR)

    def test_a_moved_occurrence_ends_after_it_starts(self) -> None:
        """M3 holds for moves too."""
        moment = datetime(2026, 3, 9, 9, tzinfo=NEW_YORK)
        with pytest.raises(secretarial.ValidationError, match="M3"):
            MovedOccurrence(original_start=moment, start=moment, end=moment)


# ============================================================================ bounds
class TestBounds:
    def test_count_ends_the_series(self) -> None:
        """COUNT=3 gives three occurrences."""
        assert (
            len(
                weekly(
                    datetime(2026, 3, 2, 9, tzinfo=SHANGHAI), "Asia/Shanghai", count=3
                ).occurrences()
            )
            == 3
        )

    def test_until_is_inclusive(self) -> None:
        """An occurrence starting exactly at UNTIL is the last one."""
        start = datetime(2026, 3, 2, 9, tzinfo=SHANGHAI)
        series = weekly(start, "Asia/Shanghai", until=start + timedelta(weeks=2))
        assert len(series.occurrences()) == 3

    def test_count_and_until_exclude_each_other(self) -> None:
        """RFC 5545: a rule ends one way."""
        start = datetime(2026, 3, 2, 9, tzinfo=SHANGHAI)
        with pytest.raises(pydantic.ValidationError, match="not both"):
            weekly(start, "Asia/Shanghai", count=2, until=start + timedelta(weeks=3))

    def test_until_before_the_start_makes_nothing(self) -> None:
        """A rule without occurrences is refused."""
        start = datetime(2026, 3, 2, 9, tzinfo=SHANGHAI)
        with pytest.raises(pydantic.ValidationError, match="no occurrence"):
            weekly(start, "Asia/Shanghai", until=start - timedelta(days=1))

    def test_an_endless_rule_is_not_expanded_without_a_window_end(self) -> None:
        """No count, no until, no window end: refused with a clear message."""
        series = weekly(datetime(2026, 3, 2, 9, tzinfo=SHANGHAI), "Asia/Shanghai")
        with pytest.raises(ValidationError) as info:
            series.occurrences(datetime(2026, 3, 1, tzinfo=UTC))
        assert info.value.fields == ("between_end",)
        assert "never end" in str(info.value)

    def test_a_window_with_too_many_occurrences_is_refused(self) -> None:
        """The expansion cap is a clear error, not a hang."""
        series = Recurrence(
            frequency=Frequency.DAILY,
            timezone="UTC",
            start=datetime(2026, 1, 1, 9, tzinfo=UTC),
            duration=HOUR,
        )
        with pytest.raises(ValidationError) as info:
            series.occurrences(
                datetime(2026, 1, 1, tzinfo=UTC),
                datetime(2026, 1, 1, tzinfo=UTC) + 40 * 365 * 24 * HOUR,
            )
        assert info.value.problems[0].rule == "LIMIT"
        assert str(MAX_OCCURRENCES) in str(info.value)
        assert (
            len(
                series.occurrences(
                    datetime(2026, 1, 1, tzinfo=UTC), datetime(2026, 1, 11, tzinfo=UTC), limit=10
                )
            )
            == 10
        )

    def test_a_window_is_aware_and_in_order(self) -> None:
        """A naive or reversed window is a ValidationError."""
        series = weekly(datetime(2026, 3, 2, 9, tzinfo=SHANGHAI), "Asia/Shanghai", count=2)
        with pytest.raises(ValidationError, match="timezone-aware"):
            series.occurrences(datetime(2026, 3, 1), datetime(2026, 4, 1, tzinfo=UTC))  # noqa: DTZ001
        with pytest.raises(ValidationError, match="ends before"):
            series.occurrences(datetime(2026, 4, 1, tzinfo=UTC), datetime(2026, 3, 1, tzinfo=UTC))

    def test_overlapping_finds_an_occurrence_that_started_before_the_window(self) -> None:
        """A window starting mid-meeting finds it only when asked for overlaps."""
        series = weekly(datetime(2026, 3, 2, 9, tzinfo=SHANGHAI), "Asia/Shanghai", count=1)
        inside = datetime(2026, 3, 2, 9, 30, tzinfo=SHANGHAI)
        end = inside + timedelta(days=1)
        assert series.occurrences(inside, end) == []
        assert len(series.occurrences(inside, end, overlapping=True)) == 1


# ============================================================================ the rule itself
class TestRuleChecks:
    def test_the_start_is_the_first_occurrence(self) -> None:
        """A Monday rule cannot start on a Tuesday (M8)."""
        with pytest.raises(secretarial.ValidationError, match="M8: the start"):
            Recurrence(
                frequency=Frequency.WEEKLY,
                by_weekday=("MO",),
                timezone="UTC",
                start=datetime(2026, 3, 3, 9, tzinfo=UTC),
                duration=HOUR,
            )

    @pytest.mark.parametrize("name", ["Mars/Olympus", "../etc/passwd", "", "Asia/"])
    def test_the_zone_is_an_iana_name(self, name: str) -> None:
        """Unknown or path-like zone names are refused."""
        with pytest.raises(pydantic.ValidationError, match="time zone"):
            weekly(datetime(2026, 3, 2, 9, tzinfo=UTC), name)

    def test_ordinals_need_a_monthly_or_yearly_rule(self) -> None:
        """BYDAY=1MO means nothing in a weekly rule (RFC 5545)."""
        with pytest.raises(secretarial.ValidationError, match="ordinal"):
            Recurrence(
                frequency=Frequency.WEEKLY,
                by_weekday=("1MO",),
                timezone="UTC",
                start=datetime(2026, 3, 2, 9, tzinfo=UTC),
                duration=HOUR,
            )

    def test_a_weekly_rule_has_no_month_days(self) -> None:
        """BYMONTHDAY with FREQ=WEEKLY is not allowed (RFC 5545)."""
        with pytest.raises(secretarial.ValidationError, match="by_month_day"):
            Recurrence(
                frequency=Frequency.WEEKLY,
                by_month_day=(2,),
                timezone="UTC",
                start=datetime(2026, 3, 2, 9, tzinfo=UTC),
                duration=HOUR,
            )

    def test_a_naive_start_is_refused(self) -> None:
        """All datetimes are aware."""
        with pytest.raises(secretarial.ValidationError, match="timezone"):
            Recurrence(
                frequency=Frequency.DAILY,
                timezone="UTC",
                start=datetime(2026, 3, 2, 9),  # noqa: DTZ001
                duration=HOUR,
            )

    def test_the_last_friday_of_each_month(self) -> None:
        """A monthly rule with an ordinal weekday: -1FR."""
        series = Recurrence(
            frequency=Frequency.MONTHLY,
            by_weekday=("-1fr",),
            count=3,
            timezone="Asia/Shanghai",
            start=datetime(2026, 1, 30, 15, tzinfo=SHANGHAI),
            duration=HOUR,
        )
        assert series.by_weekday == ("-1FR",)
        assert [o.start.date() for o in series.occurrences()] == [
            date(2026, 1, 30),
            date(2026, 2, 27),
            date(2026, 3, 27),
        ]

    def test_retimed_shifts_exceptions_with_the_series(self) -> None:
        """Moving the series an hour later moves its exclusions an hour later too."""
        start = datetime(2026, 3, 2, 9, tzinfo=SHANGHAI)
        series = weekly(start, "Asia/Shanghai", count=3).excluding(start + timedelta(weeks=1))
        later = series.retimed(start + HOUR, start + 3 * HOUR)
        assert later.duration == 2 * HOUR
        assert later.exdates == (start + timedelta(weeks=1, hours=1),)
        with pytest.raises(ValidationError, match="first occurrence"):
            series.retimed(start + timedelta(days=1), start + timedelta(days=1, hours=1))

    def test_json_round_trip(self) -> None:
        """A recurrence survives JSON, as it does in the store and the audit trail."""
        start = datetime(2026, 3, 2, 9, tzinfo=NEW_YORK)
        series = (
            weekly(start, count=5)
            .excluding(start + timedelta(weeks=1))
            .moving(
                start + timedelta(weeks=2),
                start + timedelta(days=15),
                start + timedelta(days=15, hours=1),
            )
        )
        assert Recurrence.model_validate_json(series.model_dump_json()) == series


# ============================================================================ RRULE text
class TestRruleText:
    @pytest.mark.parametrize(
        ("text", "start"),
        [
            ("FREQ=WEEKLY;BYDAY=MO", datetime(2026, 3, 2, 9, tzinfo=NEW_YORK)),
            (
                "FREQ=WEEKLY;INTERVAL=2;COUNT=10;BYDAY=MO,WE",
                datetime(2026, 3, 2, 9, tzinfo=NEW_YORK),
            ),
            (
                "FREQ=MONTHLY;UNTIL=20261231T140000Z;BYDAY=-1FR",
                datetime(2026, 1, 30, 9, tzinfo=NEW_YORK),
            ),
            ("FREQ=MONTHLY;BYMONTHDAY=1,15", datetime(2026, 3, 1, 9, tzinfo=NEW_YORK)),
            ("FREQ=DAILY;COUNT=5", datetime(2026, 3, 7, 9, tzinfo=NEW_YORK)),
            ("FREQ=YEARLY", datetime(2026, 3, 7, 9, tzinfo=NEW_YORK)),
            (
                "FREQ=WEEKLY;INTERVAL=2;BYDAY=SU,TU;WKST=SU",
                datetime(2026, 3, 1, 9, tzinfo=NEW_YORK),
            ),
        ],
    )
    def test_round_trip(self, text: str, start: datetime) -> None:
        """Text to rule and back gives the same text and the same rule."""
        series = Recurrence.from_rrule_text(text, "America/New_York", start, duration=HOUR)
        assert series.to_rrule_text() == text
        again = Recurrence.from_rrule_text(
            series.to_rrule_text(), series.timezone, series.start, duration=series.duration
        )
        assert again == series

    def test_the_prefix_local_and_date_forms_of_until_are_read(self) -> None:
        """``RRULE:``, a local UNTIL and a DATE UNTIL (the whole day) are accepted."""
        start = datetime(2026, 3, 2, 9, tzinfo=NEW_YORK)
        local = Recurrence.from_rrule_text(
            "RRULE:FREQ=WEEKLY;UNTIL=20260316T090000;BYDAY=MO",
            "America/New_York",
            start,
            duration=HOUR,
        )
        day = Recurrence.from_rrule_text(
            "FREQ=WEEKLY;UNTIL=20260316;BYDAY=MO", "America/New_York", start, duration=HOUR
        )
        assert len(local.occurrences()) == len(day.occurrences()) == 3
        assert local.to_rrule_text() == "FREQ=WEEKLY;UNTIL=20260316T130000Z;BYDAY=MO"

    @pytest.mark.parametrize(
        ("text", "part"),
        [
            ("FREQ=HOURLY", "FREQ"),
            ("FREQ=WEEKLY;BYHOUR=9", "BYHOUR"),
            ("FREQ=WEEKLY;FREQ=DAILY", "FREQ"),
            ("BYDAY=MO", "FREQ"),
            ("", "RRULE"),
            ("garbage", "RRULE"),
            ("FREQ=DAILY;COUNT=x", "COUNT"),
            ("FREQ=DAILY;UNTIL=tomorrow", "UNTIL"),
            ("FREQ=MONTHLY;BYMONTHDAY=first", "BYMONTHDAY"),
        ],
    )
    def test_unsupported_or_broken_text_names_the_part(self, text: str, part: str) -> None:
        """Every refusal is our ValidationError naming the RRULE part."""
        with pytest.raises(ValidationError) as info:
            Recurrence.from_rrule_text(
                text, "UTC", datetime(2026, 3, 2, 9, tzinfo=UTC), duration=HOUR
            )
        assert info.value.problems[0].field == part

    def test_a_rule_that_does_not_fit_the_start_is_a_validation_error(self) -> None:
        """Pydantic's errors come out as ours, with the rule code."""
        with pytest.raises(ValidationError) as info:
            Recurrence.from_rrule_text(
                "FREQ=WEEKLY;BYDAY=TU", "UTC", datetime(2026, 3, 2, 9, tzinfo=UTC), duration=HOUR
            )
        assert info.value.problems[0].rule == "M8"


# ============================================================================ properties
ZONES = st.sampled_from(["Asia/Shanghai", "Europe/Berlin", "America/New_York", "UTC"])
DAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")


@st.composite
def series_and_window(draw: st.DrawFn) -> tuple[Recurrence, datetime, datetime]:
    """A random series with some occurrences excluded, and a random window."""
    tz = draw(ZONES)
    day = draw(st.dates(min_value=date(2025, 1, 1), max_value=date(2027, 12, 31)))
    start = datetime.combine(
        day,
        time(draw(st.integers(7, 20)), draw(st.sampled_from([0, 15, 30, 45]))),
        tzinfo=ZoneInfo(tz),
    )
    frequency = draw(st.sampled_from(list(Frequency)))
    fields: dict[str, object] = {
        "frequency": frequency,
        "interval": draw(st.integers(1, 3)),
        "timezone": tz,
        "start": start,
        "duration": timedelta(minutes=draw(st.integers(15, 240))),
    }
    if frequency is Frequency.WEEKLY:
        extra = draw(st.sets(st.sampled_from(DAYS), max_size=3))
        fields["by_weekday"] = tuple(sorted({DAYS[day.weekday()], *extra}, key=DAYS.index))
    if frequency is Frequency.MONTHLY and day.day <= 28 and draw(st.booleans()):
        fields["by_month_day"] = tuple(
            sorted({day.day, *draw(st.sets(st.integers(1, 28), max_size=2))})
        )
    end = draw(st.sampled_from(["count", "until", "none"]))
    if end == "count":
        fields["count"] = draw(st.integers(1, 60))
    elif end == "until":
        fields["until"] = start + timedelta(days=draw(st.integers(0, 400)))
    series = Recurrence.model_validate(fields)
    early = series.occurrences(start, start + timedelta(days=120))
    if early:
        excluded = draw(st.lists(st.sampled_from(early), max_size=4))
        series = series.excluding(*(o.start for o in excluded))
    window_start = start + timedelta(hours=draw(st.integers(-500, 3000)))
    window_end = window_start + timedelta(hours=draw(st.integers(0, 3000)))
    return series, window_start, window_end


@given(series_and_window(), st.booleans())
def test_occurrences_are_sorted_inside_the_window_and_never_excluded(
    case: tuple[Recurrence, datetime, datetime], overlapping: bool
) -> None:
    """Occurrences come sorted, lie in the window, avoid exclusions and keep local time."""
    series, begin, end = case
    found = series.occurrences(begin, end, overlapping=overlapping)
    starts = [o.start for o in found]
    assert starts == sorted(starts)
    for o in found:
        if overlapping:
            assert o.start < end
            assert o.end > begin
        else:
            assert begin <= o.start < end
        assert not series.is_excluded(o.original_start)
        assert elapsed(o.start, o.end) == series.duration
        assert o.start.astimezone(series.zone).time() == series.local_start.time()
