"""Calendars of other countries from the ``holidays`` package, up to a confirmed year only."""

from __future__ import annotations

from datetime import date

import pytest

from secretarial import CalendarCoverageError, UsageError, china_calendar
from secretarial.adapters import holidays_calendar


def test_germany_with_a_state() -> None:
    """National and state holidays are rest days; ordinary weekdays are workdays."""
    bavaria = holidays_calendar("DE", subdivision="BY", first_year=2025, last_confirmed_year=2026)
    assert bavaria.id == "DE-BY"
    assert not bavaria.is_workday(date(2025, 10, 3))  # German Unity Day
    assert not bavaria.is_workday(date(2025, 1, 6))  # Epiphany, in Bavaria only
    assert holidays_calendar("DE", first_year=2025, last_confirmed_year=2025).is_workday(
        date(2025, 1, 6)
    )
    assert bavaria.is_workday(date(2025, 10, 6))
    assert not bavaria.is_workday(date(2025, 10, 4))  # a Saturday
    assert bavaria.add_workdays(date(2025, 10, 2), 1) == date(2025, 10, 6)


def test_years_after_the_last_confirmed_one_raise() -> None:
    """The package would answer for 2027 by rule; the calendar refuses to guess."""
    calendar = holidays_calendar("DE", first_year=2025, last_confirmed_year=2026)
    assert calendar.covered_years() == (2025, 2026)
    with pytest.raises(CalendarCoverageError) as missing:
        calendar.is_workday(date(2027, 1, 4))
    assert missing.value.calendar == "DE"
    with pytest.raises(CalendarCoverageError):
        calendar.add_workdays(date(2026, 12, 30), 5)


def test_makeup_workdays_are_workdays() -> None:
    """Where the package knows weekend working days (China's 调休), they count as workdays."""
    calendar = holidays_calendar("CN", first_year=2025, last_confirmed_year=2025)
    official = china_calendar()
    for day in (date(2025, 9, 28), date(2025, 10, 1), date(2025, 10, 8), date(2025, 10, 11)):
        assert calendar.is_workday(day) == official.is_workday(day), day


def test_bad_arguments_are_usage_errors() -> None:
    """An unknown country or years that run backwards are refused with a clear message."""
    with pytest.raises(UsageError, match="XX"):
        holidays_calendar("XX", first_year=2025, last_confirmed_year=2025)
    with pytest.raises(UsageError, match="before"):
        holidays_calendar("DE", first_year=2026, last_confirmed_year=2025)
