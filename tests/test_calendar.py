"""Working-day calendars: China's facts (W1), coverage (W2), overrides, properties."""

from __future__ import annotations

import subprocess
import sys
from datetime import date, datetime, timedelta

import chinese_calendar
import pydantic
import pytest
from hypothesis import assume, event, given
from hypothesis import strategies as st

import secretarial
from secretarial import CalendarOverride, TableCalendar, WorkCalendar
from secretarial.adapters import build_china_calendar, china_calendar
from secretarial.adapters._china import CHINA_ERRATA
from secretarial.errors import CalendarCoverageError, MissingExtraError, UsageError

CN = china_calendar()
COVERED = CN.covered_years()
assert COVERED is not None
FIRST_YEAR, LAST_YEAR = COVERED
# The first year chinese-calendar has no notice for: 2027 with chinese-calendar 1.11.
UNCOVERED_YEAR = LAST_YEAR + 1
ONE_DAY = timedelta(days=1)


def days(first: date, last: date) -> list[date]:
    """Every day from ``first`` to ``last`` inclusive."""
    return [first + timedelta(days=i) for i in range((last - first).days + 1)]


def walk(calendar: WorkCalendar, start: date, n: int) -> date:
    """Reference add_workdays: step one day at a time, asking is_workday."""
    calendar.is_workday(start)  # the start must be covered too
    step = ONE_DAY if n > 0 else -ONE_DAY
    left, current = abs(n), start
    while left:
        current += step
        if calendar.is_workday(current):
            left -= 1
    return current


def count(calendar: WorkCalendar, a: date, b: date) -> int:
    """Reference workdays_between: (a, b] forwards, minus [b, a) backwards."""
    calendar.is_workday(a)
    calendar.is_workday(b)
    if a <= b:
        return sum(calendar.is_workday(d) for d in days(a + ONE_DAY, b)) if a < b else 0
    return -sum(calendar.is_workday(d) for d in days(b, a - ONE_DAY))


def outcome(fn, *args):
    """The result of ``fn(*args)``, or the day named by the CalendarCoverageError it raised."""
    try:
        return ("ok", fn(*args))
    except CalendarCoverageError as exc:
        return ("uncovered", exc.day)


# ---------------------------------------------------------------------- W1, China


@pytest.mark.parametrize(
    "day",
    [date(2025, 9, 28), date(2025, 10, 11), date(2026, 2, 14), date(2026, 2, 28)],
    ids=str,
)
def test_w1_adjusted_weekend_days_are_workdays(day):
    assert day.weekday() >= 5  # they are weekend days
    assert CN.is_workday(day)


@pytest.mark.parametrize(
    "day",
    [*days(date(2025, 10, 1), date(2025, 10, 8)), *days(date(2026, 2, 15), date(2026, 2, 23))],
    ids=str,
)
def test_w1_holidays_are_not_workdays(day):
    assert not CN.is_workday(day)


def test_w1_five_working_days_after_2025_09_26_is_2025_10_10():
    assert CN.add_workdays(date(2025, 9, 26), 5) == date(2025, 10, 10)
    assert CN.workdays_between(date(2025, 9, 26), date(2025, 10, 10)) == 5
    # counted strictly after the start: 09-28 (Sun, adjusted), 09-29, 09-30, 10-09, 10-10
    assert [CN.add_workdays(date(2025, 9, 26), n) for n in range(1, 6)] == [
        date(2025, 9, 28),
        date(2025, 9, 29),
        date(2025, 9, 30),
        date(2025, 10, 9),
        date(2025, 10, 10),
    ]


def test_china_calendar_agrees_with_chinese_calendar_on_every_covered_day_but_the_errata():
    covered = days(date(FIRST_YEAR, 1, 1), date(LAST_YEAR, 12, 31))
    mismatches = [d for d in covered if CN.is_workday(d) != chinese_calendar.is_workday(d)]
    corrected = {d for erratum in CHINA_ERRATA for d in erratum.holidays | erratum.workdays}
    assert mismatches == sorted(corrected)
    # the 2006 notice: 2005-12-31, a Saturday, was a working day for the New Year holiday
    assert CN.is_workday(date(2005, 12, 31))


def test_china_coverage_is_exactly_what_chinese_calendar_answers_for():
    assert CN.id == "CN"
    chinese_calendar.is_workday(date(FIRST_YEAR, 1, 1))
    chinese_calendar.is_workday(date(LAST_YEAR, 12, 31))
    with pytest.raises(NotImplementedError):
        chinese_calendar.is_workday(date(FIRST_YEAR - 1, 12, 31))
    with pytest.raises(NotImplementedError):
        chinese_calendar.is_workday(date(UNCOVERED_YEAR, 1, 1))
    # the W1 facts above need both years
    assert FIRST_YEAR <= 2025
    assert LAST_YEAR >= 2026


def test_china_calendar_is_cached_and_records_its_source():
    assert china_calendar() is CN
    assert build_china_calendar() == CN
    assert CN.sources[0].startswith("chinese-calendar ")
    assert isinstance(CN, WorkCalendar)


def test_missing_chinese_calendar_raises_missing_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, "chinese_calendar", None)
    with pytest.raises(MissingExtraError) as info:
        build_china_calendar()
    assert info.value.extra == "china"
    assert info.value.package == "chinese-calendar"
    assert "pip install 'secretarial[china]'" in str(info.value)
    assert isinstance(info.value, ImportError)


def test_importing_the_library_does_not_import_chinese_calendar():
    code = (
        "import sys, secretarial, secretarial.adapters._china, secretarial.supervision._deadlines\n"
        "assert 'chinese_calendar' not in sys.modules, 'imported eagerly'\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)  # noqa: S603


# ---------------------------------------------------------------------- W2, coverage


def jan(day: int) -> date:
    return date(UNCOVERED_YEAR, 1, day)


def test_w2_is_workday_in_an_uncovered_year_raises_naming_calendar_date_and_range():
    with pytest.raises(CalendarCoverageError) as info:
        CN.is_workday(jan(4))
    error = info.value
    assert (error.calendar, error.day, error.covered) == ("CN", jan(4), COVERED)
    message = str(error)
    assert "'CN'" in message
    assert jan(4).isoformat() in message
    assert f"{FIRST_YEAR}–{LAST_YEAR}" in message
    assert isinstance(error, LookupError)


@pytest.mark.parametrize(
    "call",
    [
        pytest.param(lambda c: c.add_workdays(date(LAST_YEAR, 12, 28), 10), id="walk-forward-in"),
        pytest.param(lambda c: c.add_workdays(jan(4), 1), id="start-uncovered"),
        pytest.param(lambda c: c.add_workdays(jan(4), 0), id="zero-from-uncovered"),
        pytest.param(lambda c: c.add_workdays(jan(20), -30), id="walk-backward-from"),
        pytest.param(lambda c: c.workdays_between(date(LAST_YEAR, 12, 1), jan(10)), id="between"),
        pytest.param(lambda c: c.workdays_between(jan(10), date(LAST_YEAR, 12, 1)), id="between-r"),
        pytest.param(lambda c: c.add_workdays(date(FIRST_YEAR, 1, 5), -10), id="walk-before"),
        pytest.param(lambda c: c.is_workday(date(FIRST_YEAR - 1, 12, 31)), id="year-before"),
    ],
)
def test_w2_any_computation_touching_an_uncovered_year_raises(call):
    with pytest.raises(CalendarCoverageError) as info:
        call(CN)
    assert info.value.calendar == "CN"
    assert info.value.covered == COVERED
    assert info.value.day.year in (UNCOVERED_YEAR, FIRST_YEAR - 1)


def test_walking_past_the_end_names_the_first_uncovered_day():
    last_workday = CN.add_workdays(date(LAST_YEAR, 12, 31), 0)
    assert CN.is_workday(last_workday)
    with pytest.raises(CalendarCoverageError):
        CN.add_workdays(last_workday, 1)
    with pytest.raises(CalendarCoverageError):
        CN.add_workdays(date(FIRST_YEAR, 1, 1), -1)
    with pytest.raises(CalendarCoverageError) as info:
        CN.add_workdays(date(LAST_YEAR, 12, 1), 400)
    assert info.value.day == jan(1)
    with pytest.raises(CalendarCoverageError) as info:
        CN.add_workdays(date(FIRST_YEAR, 2, 1), -400)
    assert info.value.day == date(FIRST_YEAR - 1, 12, 31)


def hypothetical_notice() -> CalendarOverride:
    """A made-up notice for the uncovered year (test data, not an official notice)."""
    first_saturday = next(d for d in days(jan(1), jan(7)) if d.weekday() == 5)
    return CalendarOverride(
        name=f"test notice for {UNCOVERED_YEAR} (hypothetical)",
        years=frozenset({UNCOVERED_YEAR}),
        holidays=frozenset({jan(1), jan(2), jan(3)}),
        workdays=frozenset({first_saturday}) - {jan(1), jan(2), jan(3)},
    )


def test_w2_after_the_year_is_supplied_as_an_override_it_answers_from_it():
    notice = hypothetical_notice()
    extended = CN.with_overrides(notice)
    assert extended.covered_years() == (FIRST_YEAR, UNCOVERED_YEAR)
    assert extended.id == "CN"
    assert extended.sources == (*CN.sources, notice.name)
    for day in days(jan(1), date(UNCOVERED_YEAR, 12, 31)):
        expected = day in notice.workdays or (day.weekday() < 5 and day not in notice.holidays)
        assert extended.is_workday(day) == expected, day
    # the count that raised above now answers, from the notice's data
    start = date(LAST_YEAR, 12, 28)
    assert extended.add_workdays(start, 10) == walk(extended, start, 10)
    assert extended.add_workdays(start, 10).year == UNCOVERED_YEAR
    # the base calendar is unchanged
    with pytest.raises(CalendarCoverageError):
        CN.is_workday(jan(4))


def test_a_one_off_office_closure_changes_one_day_and_extends_nothing():
    closed = date(2025, 9, 29)
    assert CN.is_workday(closed)
    office = CN.with_overrides(
        CalendarOverride(name="office closure", holidays=frozenset({closed})),
        calendar_id="CN+office",
    )
    assert office.id == "CN+office"
    assert not office.is_workday(closed)
    assert office.add_workdays(date(2025, 9, 26), 5) == date(2025, 10, 11)
    assert office.covered_years() == COVERED
    with pytest.raises(CalendarCoverageError) as info:
        office.is_workday(jan(4))
    assert info.value.calendar == "CN+office"


def test_a_one_off_date_in_an_uncovered_year_waits_for_the_years_notice():
    closure = CalendarOverride(name="closure", holidays=frozenset({jan(5)}))
    early = CN.with_overrides(closure)
    with pytest.raises(CalendarCoverageError):
        early.is_workday(jan(5))
    later = early.with_overrides(hypothetical_notice())
    assert not later.is_workday(jan(5))  # the closure survives a notice applied later


def test_a_notice_for_a_covered_year_corrects_only_the_days_it_lists():
    corrected = CN.with_overrides(
        CalendarOverride(
            name="corrected 2026",
            years=frozenset({2026}),
            holidays=frozenset({date(2026, 2, 14)}),
            workdays=frozenset({date(2026, 2, 16)}),
        )
    )
    assert corrected.covered_years() == COVERED
    assert corrected.is_workday(date(2026, 2, 16))  # a Monday, no longer Spring Festival
    assert not corrected.is_workday(date(2026, 2, 14))  # a Saturday, no longer adjusted
    assert not corrected.is_workday(date(2026, 2, 17))  # the rest of the data stays
    assert corrected.is_workday(date(2026, 2, 28))


def test_later_overrides_win():
    day = date(2025, 9, 29)
    a = CalendarOverride(name="closure", holidays=frozenset({day}))
    b = CalendarOverride(name="reopened", workdays=frozenset({day}))
    assert CN.with_overrides(a, b).is_workday(day)
    assert not CN.with_overrides(b, a).is_workday(day)
    holiday = date(2025, 10, 2)
    assert CN.with_overrides(CalendarOverride(name="w", workdays=frozenset({holiday}))).is_workday(
        holiday
    )


def test_coverage_must_stay_one_unbroken_run():
    gap = CalendarOverride(name="too far", years=frozenset({UNCOVERED_YEAR + 1}))
    with pytest.raises(UsageError, match=str(UNCOVERED_YEAR)):
        CN.with_overrides(gap)
    # supplying the missing year as well (in any order) is fine
    both = CN.with_overrides(gap, hypothetical_notice())
    assert both.covered_years() == (FIRST_YEAR, UNCOVERED_YEAR + 1)
    before = CN.with_overrides(CalendarOverride(name="x", years=frozenset({FIRST_YEAR - 1})))
    assert before.covered_years() == (FIRST_YEAR - 1, LAST_YEAR)


def test_a_calendar_covering_nothing_answers_nothing():
    empty = TableCalendar(id="EMPTY", covered=None)
    with pytest.raises(CalendarCoverageError, match="no years") as info:
        empty.is_workday(date(2025, 1, 6))
    assert info.value.covered is None
    filled = empty.with_overrides(
        CalendarOverride(
            name="2025", years=frozenset({2025}), holidays=frozenset({date(2025, 1, 1)})
        )
    )
    assert filled.covered_years() == (2025, 2025)
    assert not filled.is_workday(date(2025, 1, 1))
    assert filled.is_workday(date(2025, 1, 2))


def test_datetimes_are_refused_not_silently_mismatched():
    with pytest.raises(UsageError, match="not the datetime"):
        CN.is_workday(datetime(2025, 10, 1, 9, 0))  # noqa: DTZ001 -- naive on purpose
    with pytest.raises(UsageError):
        CN.add_workdays(datetime(2025, 9, 26, 9, 0), 5)  # noqa: DTZ001


# ---------------------------------------------------------------------- TableCalendar


def small_calendar(**fields) -> TableCalendar:
    return TableCalendar(**{"id": "T", "covered": (2025, 2025), **fields})


def test_table_calendar_defaults_to_a_saturday_sunday_weekend():
    cal = small_calendar()
    assert cal.weekend == frozenset({5, 6})
    assert not cal.is_workday(date(2025, 10, 4))
    assert cal.is_workday(date(2025, 10, 1))
    friday_weekend = small_calendar(weekend=frozenset({4}))
    assert not friday_weekend.is_workday(date(2025, 10, 3))
    assert friday_weekend.is_workday(date(2025, 10, 4))


def test_zero_workdays_is_the_start_itself_even_on_a_holiday():
    assert CN.add_workdays(date(2025, 10, 1), 0) == date(2025, 10, 1)
    assert CN.workdays_between(date(2025, 10, 1), date(2025, 10, 1)) == 0


def test_negative_counts_go_backwards_and_round_trip():
    assert CN.add_workdays(date(2025, 10, 10), -5) == date(2025, 9, 26)
    assert CN.workdays_between(date(2025, 10, 10), date(2025, 9, 26)) == -5
    assert CN.workdays_between(date(2025, 10, 10), date(2025, 9, 28)) == -4
    assert CN.add_workdays(date(2025, 10, 9), -1) == date(2025, 9, 30)


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        (
            {"holidays": {date(2025, 1, 1)}, "workdays": {date(2025, 1, 1)}},
            "both a holiday and a workday",
        ),
        ({"covered": (2026, 2025)}, "run backwards"),
        ({"weekend": set(range(7))}, "no working weekday"),
        ({"weekend": {7}}, "less than or equal to 6"),
        ({"covered": (0, 2025)}, "greater than or equal to 1"),
        ({"id": " "}, "at least 1 character"),
        ({"nonsense": 1}, "Extra inputs"),
    ],
)
def test_table_calendar_refuses_broken_tables(fields, message):
    with pytest.raises(secretarial.ValidationError, match=message):
        small_calendar(**fields)


def test_override_refuses_a_day_both_ways():
    with pytest.raises(secretarial.ValidationError, match="both a holiday and a workday"):
        CalendarOverride(
            name="x", holidays=frozenset({date(2025, 1, 1)}), workdays=frozenset({date(2025, 1, 1)})
        )


def test_table_calendar_is_an_immutable_value():
    cal = small_calendar(holidays=frozenset({date(2025, 10, 1)}))
    with pytest.raises(pydantic.ValidationError):
        cal.id = "other"  # type: ignore[misc]
    same = small_calendar(holidays=frozenset({date(2025, 10, 1)}))
    assert cal == same
    assert hash(cal) == hash(same)
    assert TableCalendar.model_validate_json(cal.model_dump_json()) == cal


def test_model_copy_with_an_update_rebuilds_the_index():
    cal = small_calendar()
    wider = cal.model_copy(update={"covered": (2025, 2026)})
    assert wider.add_workdays(date(2025, 12, 31), 1) == date(2026, 1, 1)
    with pytest.raises(pydantic.ValidationError):
        cal.model_copy(update={"covered": (2026, 2025)})
    assert cal.model_copy() == cal


# ---------------------------------------------------------------------- properties

china_days = st.dates(date(FIRST_YEAR, 1, 1), date(LAST_YEAR, 12, 31))
counts = st.integers(-400, 400)


@given(china_days, counts)
def test_china_add_workdays_agrees_with_walking(start, n):
    assert outcome(CN.add_workdays, start, n) == outcome(walk, CN, start, n)


@given(china_days, st.integers(1, 400))
def test_china_add_workdays_lands_on_a_workday(start, n):
    result = outcome(CN.add_workdays, start, n)
    assume(result[0] == "ok")
    assert CN.is_workday(result[1])
    assert result[1] > start


@given(china_days, st.integers(-400, 399), st.integers(1, 50))
def test_china_add_workdays_is_strictly_increasing_in_n(start, n, more):
    low, high = outcome(CN.add_workdays, start, n), outcome(CN.add_workdays, start, n + more)
    assume(low[0] == high[0] == "ok")
    assert low[1] < high[1]


@given(china_days, st.integers(-600, 600))
def test_china_workdays_between_agrees_with_counting(a, offset):
    b = a + timedelta(days=offset)
    assert outcome(CN.workdays_between, a, b) == outcome(count, CN, a, b)


@given(china_days, counts)
def test_china_round_trip(start, n):
    result = outcome(CN.add_workdays, start, n)
    assume(result[0] == "ok")
    assert CN.workdays_between(start, result[1]) == n


@given(china_days, st.integers(-600, 600))
def test_china_round_trip_from_a_workday_target(start, offset):
    target = start + timedelta(days=offset)
    assume(target.year <= LAST_YEAR and target.year >= FIRST_YEAR and CN.is_workday(target))
    assert CN.add_workdays(start, CN.workdays_between(start, target)) == target


@st.composite
def table_calendars(draw):
    first = draw(st.integers(1990, 2040))
    last = first + draw(st.integers(0, 2))
    day = st.dates(date(first, 1, 1), date(last, 12, 31))
    holidays = draw(st.frozensets(day, max_size=80))
    workdays = draw(st.frozensets(day, max_size=40)) - holidays
    weekend = draw(st.frozensets(st.integers(0, 6), max_size=6))
    return TableCalendar(
        id="GEN", covered=(first, last), holidays=holidays, workdays=workdays, weekend=weekend
    )


@st.composite
def calendar_and_day(draw):
    cal = draw(table_calendars())
    first, last = cal.covered
    return cal, draw(st.dates(date(first, 1, 1), date(last, 12, 31)))


@given(calendar_and_day())
def test_generated_is_workday_follows_the_table(pair):
    cal, day = pair
    expected = day in cal.workdays or (day.weekday() not in cal.weekend and day not in cal.holidays)
    assert cal.is_workday(day) == expected


@given(calendar_and_day(), st.integers(-300, 300))
def test_generated_add_workdays_agrees_with_walking(pair, n):
    cal, start = pair
    result = outcome(cal.add_workdays, start, n)
    assert result == outcome(walk, cal, start, n)
    if result[0] == "ok" and n != 0:
        assert cal.is_workday(result[1])
        assert cal.workdays_between(start, result[1]) == n


@given(calendar_and_day(), st.integers(-300, 300), st.integers(1, 30))
def test_generated_add_workdays_is_strictly_increasing_in_n(pair, n, more):
    cal, start = pair
    low, high = outcome(cal.add_workdays, start, n), outcome(cal.add_workdays, start, n + more)
    assume(low[0] == high[0] == "ok")
    assert low[1] < high[1]


@given(calendar_and_day(), st.integers(-800, 800))
def test_generated_workdays_between_agrees_with_counting(pair, offset):
    cal, a = pair
    b = a + timedelta(days=offset)
    assert outcome(cal.workdays_between, a, b) == outcome(count, cal, a, b)


@given(calendar_and_day())
def test_generated_counts_reach_exactly_to_the_edges_of_coverage(pair):
    cal, start = pair
    first, last = cal.covered
    first_day, last_day = date(first, 1, 1), date(last, 12, 31)
    ahead = cal.workdays_between(start, last_day)
    behind = -cal.workdays_between(start, first_day)
    if ahead:
        assert cal.add_workdays(start, ahead) <= last_day
    with pytest.raises(CalendarCoverageError) as info:
        cal.add_workdays(start, ahead + 1)
    assert info.value.day == date(last + 1, 1, 1)
    if behind:
        assert cal.add_workdays(start, -behind) >= first_day
    with pytest.raises(CalendarCoverageError) as info:
        cal.add_workdays(start, -behind - 1)
    assert info.value.day == date(first - 1, 12, 31)


@st.composite
def overrides(draw, first, last):
    day = st.dates(date(first - 1, 1, 1), date(last + 1, 12, 31))
    holidays = draw(st.frozensets(day, max_size=10))
    workdays = draw(st.frozensets(day, max_size=10)) - holidays
    years = draw(st.frozensets(st.integers(first - 3, last + 3), max_size=2))
    return CalendarOverride(name="o", years=years, holidays=holidays, workdays=workdays)


@given(st.data())
def test_generated_overrides_follow_their_specification(data):
    cal = data.draw(table_calendars())
    first, last = cal.covered
    layers = data.draw(st.lists(overrides(first, last), max_size=3))
    years = set(range(first, last + 1)).union(*(o.years for o in layers))
    try:
        result = cal.with_overrides(*layers)
    except UsageError:
        assert sorted(years) != list(range(min(years), max(years) + 1))  # there is a gap
        event("coverage gap refused")
        return
    assert sorted(years) == list(range(min(years), max(years) + 1))
    assert result.covered_years() == (min(years), max(years))
    for day in days(date(min(years), 1, 1), date(max(years), 12, 31)):
        # reference: the last layer that lists the day decides, else the base table,
        # else the weekend rule
        listed: bool | None = None
        if day in cal.workdays:
            listed = True
        elif day in cal.holidays:
            listed = False
        for layer in layers:
            if day in layer.workdays:
                listed = True
            elif day in layer.holidays:
                listed = False
        expected = listed if listed is not None else day.weekday() not in cal.weekend
        assert result.is_workday(day) == expected, day
