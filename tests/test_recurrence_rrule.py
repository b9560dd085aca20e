"""Recurrence expansion agrees with dateutil.rrule read as RFC 5545 says, across DST zones.

The reference expands the same rule with :mod:`dateutil.rrule` in local wall time and
turns each wall time into an instant as RFC 5545 (3.3.5) does: a time in a spring-forward
gap with the offset before the gap, a repeated time as its first pass. UNTIL keeps the
occurrences that start at or before its instant; EXDATE removes the occurrence at its
instant. Starts are placed a few days before a transition, at the times of day the
transition touches, so gaps and folds come up in most examples.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pydantic
import pytest
from dateutil import rrule
from hypothesis import assume, given
from hypothesis import strategies as st

from secretarial import ValidationError
from secretarial.kernel import Recurrence, elapsed

ZONES = ("Europe/Berlin", "America/New_York", "Australia/Lord_Howe", "Asia/Shanghai")
YEARS = (1987, 1990, 2026, 2038, 2045)
"""Shanghai kept summer time from 1986 to 1991; 2038 and later are past the 32-bit end."""
TIMES = (time(0, 30), time(1, 30), time(1, 45), time(2), time(2, 15), time(2, 30), time(9))
HOUR = timedelta(hours=1)
NEW_YORK = ZoneInfo("America/New_York")
WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
HORIZON = timedelta(days=800)
MOST = 300
"""Most occurrences an example looks at: the examples stay small."""


def instant(local: datetime, tz: ZoneInfo) -> datetime:
    """RFC 5545's instant of a wall time: the offset before a gap, the first pass of a fold."""
    return local.replace(tzinfo=tz, fold=0).astimezone(UTC)


def transitions(tz: ZoneInfo, year: int) -> list[date]:
    """The days of ``year`` on which the zone's UTC offset changes (none for most zones)."""
    days = []
    day = datetime(year, 1, 1, 12, tzinfo=UTC)
    offset = day.astimezone(tz).utcoffset()
    while day.year == year:
        later = day + timedelta(days=1)
        now = later.astimezone(tz).utcoffset()
        if now != offset:
            days.append(later.astimezone(tz).date())
            offset = now
        day = later
    return days


def in_gap_or_fold(local: datetime, tz: ZoneInfo) -> bool:
    """Whether the wall time does not exist, or exists twice."""
    there = local.replace(tzinfo=tz).astimezone(UTC).astimezone(tz).replace(tzinfo=None)
    first = local.replace(tzinfo=tz, fold=0).utcoffset()
    second = local.replace(tzinfo=tz, fold=1).utcoffset()
    return there != local or first != second


@st.composite
def series(draw: st.DrawFn) -> tuple[Recurrence, ZoneInfo, rrule.rrule, datetime | None]:
    """A rule near a transition, with the dateutil rule and the UNTIL instant it should obey."""
    name = draw(st.sampled_from(ZONES))
    tz = ZoneInfo(name)
    year = draw(st.sampled_from(YEARS))
    near = transitions(tz, year) or [date(year, 3, 1)]
    day = draw(st.sampled_from(near)) - timedelta(days=draw(st.integers(0, 20)))
    start_local = datetime.combine(day, draw(st.sampled_from(TIMES)))
    assume(not in_gap_or_fold(start_local, tz))
    frequency = draw(st.sampled_from(["daily", "weekly", "monthly", "yearly"]))
    interval = draw(st.integers(1, 3))
    fields: dict[str, object] = {
        "frequency": frequency,
        "interval": interval,
        "timezone": name,
        "start": start_local.replace(tzinfo=tz),
        "duration": draw(st.sampled_from([HOUR, timedelta(minutes=30), 3 * HOUR])),
    }
    weekdays: list[int] | None = None
    if frequency == "weekly":
        others = draw(st.sets(st.integers(0, 6), max_size=2))
        weekdays = sorted({start_local.weekday(), *others})
        fields["by_weekday"] = tuple(WEEKDAYS[w] for w in weekdays)
    freq = {"daily": rrule.DAILY, "weekly": rrule.WEEKLY}.get(frequency)
    freq = freq if freq is not None else {"monthly": rrule.MONTHLY}.get(frequency, rrule.YEARLY)
    reference = rrule.rrule(
        freq, dtstart=start_local, interval=interval, byweekday=weekdays, cache=True
    )
    until: datetime | None = None
    ending = draw(st.sampled_from(["count", "until-utc", "until-local", "none"]))
    if ending == "count":
        fields["count"] = draw(st.integers(1, 60))
        reference = rrule.rrule(
            freq,
            dtstart=start_local,
            interval=interval,
            byweekday=weekdays,
            count=fields["count"],
            cache=True,
        )
    elif ending != "none":
        locals_ = list(reference.xafter(start_local, count=60, inc=True))
        around = draw(st.sampled_from(locals_))
        shift = timedelta(minutes=draw(st.sampled_from([-60, -31, -1, 0, 1, 15, 30, 61])))
        if ending == "until-utc":
            until = instant(around, tz) + shift
            fields["until"] = until
        else:
            local_until = around + shift
            until = instant(local_until, tz)
            assume(until >= instant(start_local, tz))
            text = f"FREQ={frequency.upper()};INTERVAL={interval};UNTIL={local_until:%Y%m%dT%H%M%S}"
            if weekdays:
                text += ";BYDAY=" + ",".join(WEEKDAYS[w] for w in weekdays)
            parsed = Recurrence.from_rrule_text(
                text,
                name,
                start_local.replace(tzinfo=tz),
                duration=fields["duration"],  # type: ignore[arg-type]
            )
            fields["until"] = parsed.until
        assume(until >= instant(start_local, tz))
    return Recurrence.model_validate(fields), tz, reference, until


def expected(
    reference: rrule.rrule, tz: ZoneInfo, until: datetime | None, stop: datetime
) -> list[datetime]:
    """The reference instants before ``stop``, UNTIL applied as an instant."""
    found = []
    for local in reference:
        moment = instant(local, tz)
        if moment >= stop or len(found) >= MOST:
            break
        if until is None or moment <= until:
            found.append(moment)
    return found


class TestAgainstDateutil:
    @given(series())
    def test_occurrences_are_the_rfc_instants_of_the_dateutil_wall_times(
        self, drawn: tuple[Recurrence, ZoneInfo, rrule.rrule, datetime | None]
    ) -> None:
        """Every occurrence starts at the RFC 5545 instant of dateutil's wall time, UNTIL kept."""
        recurrence, tz, reference, until = drawn
        stop = recurrence.start + HORIZON
        want = expected(reference, tz, until, stop)
        assume(want)
        window_end = want[-1] + timedelta(seconds=1)
        found = recurrence.occurrences(recurrence.start, window_end)
        assert [o.start.astimezone(UTC) for o in found] == want
        assert all(elapsed(o.start, o.end) == recurrence.duration for o in found)

    @given(series(), st.data())
    def test_an_exclusion_removes_the_occurrence_whichever_way_its_start_is_given(
        self, drawn: tuple[Recurrence, ZoneInfo, rrule.rrule, datetime | None], data: st.DataObject
    ) -> None:
        """EXDATE by the listed start, by the rule's wall time or in UTC removes that one."""
        recurrence, tz, reference, until = drawn
        want = expected(reference, tz, until, recurrence.start + HORIZON)
        assume(len(want) > 1)
        window_end = want[-1] + timedelta(seconds=1)
        listed = recurrence.occurrences(recurrence.start, window_end)
        chosen = data.draw(st.sets(st.integers(1, len(listed) - 1), min_size=1, max_size=4))
        form = data.draw(st.sampled_from(["listed", "wall", "utc"]))
        starts = [listed[i].start for i in sorted(chosen)]
        given_as = {
            "listed": starts,
            "wall": [recurrence.wall_time(s).replace(tzinfo=tz) for s in starts],
            "utc": [s.astimezone(UTC) for s in starts],
        }[form]
        fewer = recurrence.excluding(*given_as)
        left = [o.start.astimezone(UTC) for o in fewer.occurrences(recurrence.start, window_end)]
        gone = {s.astimezone(UTC) for s in starts}
        assert left == [m for m in want if m not in gone]
        assert all(fewer.is_excluded(s) for s in starts)

    @given(series())
    def test_the_wall_time_of_each_occurrence_is_the_rules(
        self, drawn: tuple[Recurrence, ZoneInfo, rrule.rrule, datetime | None]
    ) -> None:
        """``wall_time`` gives back dateutil's wall time, also for a start moved out of a gap."""
        recurrence, tz, reference, until = drawn
        want = expected(reference, tz, until, recurrence.start + HORIZON)
        assume(want)
        wanted, walls = set(want), []
        for local in reference:
            if instant(local, tz) > want[-1]:
                break
            if instant(local, tz) in wanted:
                walls.append(local)
        found = recurrence.occurrences(recurrence.start, want[-1] + timedelta(seconds=1))
        assert [recurrence.wall_time(o.start) for o in found] == walls


# ============================================================================ examples
def daily(start: datetime, **fields: object) -> Recurrence:
    """A daily one-hour series in New York."""
    return Recurrence.model_validate(
        {
            "frequency": "daily",
            "timezone": "America/New_York",
            "start": start,
            "duration": HOUR,
            **fields,
        }
    )


class TestUntilIsAnInstant:
    def test_an_until_in_the_spring_gap_keeps_the_occurrence_moved_out_of_it(self) -> None:
        """UNTIL 02:30 local on the night it does not exist is 07:30Z, so 03:30 EDT is kept."""
        series = Recurrence.from_rrule_text(
            "FREQ=DAILY;UNTIL=20260308T023000",
            "America/New_York",
            datetime(2026, 3, 6, 2, 30, tzinfo=NEW_YORK),
            duration=HOUR,
        )
        found = series.occurrences()
        assert [o.start.astimezone(UTC) for o in found] == [
            datetime(2026, 3, 6, 7, 30, tzinfo=UTC),
            datetime(2026, 3, 7, 7, 30, tzinfo=UTC),
            datetime(2026, 3, 8, 7, 30, tzinfo=UTC),
        ]
        assert found[-1].start.astimezone(NEW_YORK).time() == time(3, 30)

    def test_an_until_in_the_second_pass_of_the_repeated_hour_keeps_the_first(self) -> None:
        """UNTIL 01:15 EST (06:15Z) is after 01:30 EDT (05:30Z): that occurrence is kept."""
        series = daily(
            datetime(2026, 10, 31, 1, 30, tzinfo=NEW_YORK),
            until=datetime(2026, 11, 1, 6, 15, tzinfo=UTC),
        )
        assert [o.start.astimezone(UTC) for o in series.occurrences()] == [
            datetime(2026, 10, 31, 5, 30, tzinfo=UTC),
            datetime(2026, 11, 1, 5, 30, tzinfo=UTC),
        ]

    def test_an_until_just_before_the_occurrence_ends_the_series_before_it(self) -> None:
        """UNTIL one second before an occurrence's instant leaves it out."""
        series = daily(
            datetime(2026, 10, 31, 1, 30, tzinfo=NEW_YORK),
            until=datetime(2026, 11, 1, 5, 29, 59, tzinfo=UTC),
        )
        assert len(series.occurrences()) == 1


class TestGapOccurrences:
    def test_an_occurrence_in_the_gap_is_excluded_by_the_start_listed_for_it(self) -> None:
        """The library lists 02:30 on 2026-03-08 as 03:30 EDT; excluding that start works."""
        series = daily(datetime(2026, 3, 6, 2, 30, tzinfo=NEW_YORK), count=4)
        listed = series.occurrences()[2].start
        assert listed.astimezone(NEW_YORK).time() == time(3, 30)
        fewer = series.excluding(listed)
        assert [o.start.day for o in fewer.occurrences()] == [6, 7, 9]
        assert series.wall_time(listed) == datetime.combine(date(2026, 3, 8), time(2, 30))

    def test_an_occurrence_in_the_gap_is_moved_by_the_start_listed_for_it(self) -> None:
        """Moving by the listed start replaces that occurrence."""
        series = daily(datetime(2026, 3, 6, 2, 30, tzinfo=NEW_YORK), count=4)
        listed = series.occurrences()[2].start
        moved = series.moving(
            listed,
            datetime(2026, 3, 8, 10, tzinfo=NEW_YORK),
            datetime(2026, 3, 8, 11, tzinfo=NEW_YORK),
        )
        found = moved.occurrences()
        assert [o.moved for o in found] == [False, False, True, False]
        assert found[2].original_start == listed


class TestMoreRuleParts:
    def test_the_last_working_day_of_each_month(self) -> None:
        """BYDAY=MO..FR;BYSETPOS=-1: Outlook's "last weekday of the month"."""
        series = Recurrence.from_rrule_text(
            "FREQ=MONTHLY;COUNT=3;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1",
            "Asia/Shanghai",
            datetime(2026, 1, 30, 16, tzinfo=ZoneInfo("Asia/Shanghai")),
            duration=HOUR,
        )
        assert [o.start.date() for o in series.occurrences()] == [
            date(2026, 1, 30),
            date(2026, 2, 27),
            date(2026, 3, 31),
        ]
        assert series.to_rrule_text() == "FREQ=MONTHLY;COUNT=3;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1"

    def test_a_yearly_rule_in_a_month(self) -> None:
        """FREQ=YEARLY;BYMONTH=3;BYDAY=2SU: the second Sunday of March."""
        series = Recurrence.from_rrule_text(
            "FREQ=YEARLY;COUNT=2;BYMONTH=3;BYDAY=2SU",
            "America/New_York",
            datetime(2026, 3, 8, 9, tzinfo=NEW_YORK),
            duration=HOUR,
        )
        assert [o.start.date() for o in series.occurrences()] == [
            date(2026, 3, 8),
            date(2027, 3, 14),
        ]

    @pytest.mark.parametrize(
        ("text", "says"),
        [
            ("FREQ=MONTHLY;BYSETPOS=1", "by_set_position"),
            ("FREQ=MONTHLY;BYDAY=MO;BYSETPOS=0", "0 is not a set position"),
            ("FREQ=YEARLY;BYMONTH=13", "by_month"),
            ("FREQ=YEARLY;BYMONTH=3,3", "twice"),
        ],
    )
    def test_broken_month_and_position_parts_are_refused(self, text: str, says: str) -> None:
        """A refusal says which part is wrong."""
        with pytest.raises(ValidationError, match=says):
            Recurrence.from_rrule_text(
                text, "UTC", datetime(2026, 3, 2, 9, tzinfo=UTC), duration=HOUR
            )


class TestExtraDates:
    def test_an_extra_date_adds_an_occurrence_that_does_not_count(self) -> None:
        """RDATE adds to COUNT's occurrences, in time order, with the series' duration."""
        extra = datetime(2026, 3, 20, 15, tzinfo=NEW_YORK)
        series = daily(datetime(2026, 3, 6, 9, tzinfo=NEW_YORK), count=2, rdates=(extra,))
        found = series.occurrences()
        assert [o.start for o in found] == [
            datetime(2026, 3, 6, 9, tzinfo=NEW_YORK),
            datetime(2026, 3, 7, 9, tzinfo=NEW_YORK),
            extra,
        ]
        assert elapsed(found[-1].start, found[-1].end) == HOUR

    def test_an_extra_date_on_an_occurrence_is_not_doubled_and_can_be_excluded(self) -> None:
        """The recurrence set holds each start once; EXDATE removes an extra date too."""
        same = datetime(2026, 3, 7, 9, tzinfo=NEW_YORK)
        extra = datetime(2026, 3, 20, 9, tzinfo=NEW_YORK)
        series = daily(datetime(2026, 3, 6, 9, tzinfo=NEW_YORK), count=2, rdates=(same, extra))
        assert len(series.occurrences()) == 3
        assert len(series.excluding(extra).occurrences()) == 2
        moved = series.moving(extra, extra + HOUR, extra + 2 * HOUR)
        assert moved.occurrences()[-1].moved

    def test_an_extra_date_before_the_start_is_refused(self) -> None:
        """DTSTART is the first occurrence (M8)."""
        with pytest.raises(pydantic.ValidationError, match="before the start"):
            daily(
                datetime(2026, 3, 6, 9, tzinfo=NEW_YORK),
                count=2,
                rdates=(datetime(2026, 3, 1, 9, tzinfo=NEW_YORK),),
            )
