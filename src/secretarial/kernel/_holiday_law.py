"""What the law fixes about China's public holidays (docs/calendars.md).

《全国年节及纪念日放假办法》 (the National Holidays Measures of the State Council) names the
festivals on which everyone has the day off and how many days each gives. It has been
amended three times; each version is in force from its effective date:

=======  ==========  ===============================================================
version  in force    days off
=======  ==========  ===============================================================
1999     1999-10-01  元旦 1, 春节 3 (正月初一至初三), 劳动节 3 (5月1–3日), 国庆节 3: 10
2007     2008-01-01  元旦 1, 春节 3 (除夕、初一、初二), 清明节 1, 劳动节 1, 端午节 1,
                     中秋节 1, 国庆节 3 (10月1–3日): 11
2013     2014-01-01  as 2007, but 春节 正月初一至初三 (New Year's Eve no longer off): 11
2024     2025-01-01  元旦 1, 春节 4 (除夕、正月初一至初三), 清明节 1, 劳动节 2 (5月1–2日),
                     端午节 1, 中秋节 1, 国庆节 3: 13
=======  ==========  ===============================================================

(State Council decrees No. 270 of 1999, No. 513 of 2007, No. 644 of 2013 and No. 795 of
2024.) What the law leaves to the yearly notice of the State Council General Office —
which weekend days become working days (调休) and which weekday is given off for a holiday
that falls on a weekend (补假) — is not here: it cannot be derived, and a year derived
from the law alone is *provisional* (:func:`provisional_year`).

Lunar dates and the solar term 清明 are not computed here: they come from a
:class:`LunarCalendar`, a port the adapters implement with a maintained lunar library.
This module is pure.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Final, Protocol, runtime_checkable

from secretarial.errors import UsageError

from ._calendar import TableCalendar
from ._enums import LabeledEnum

__all__ = [
    "HOLIDAY_LAWS",
    "Festival",
    "HolidayLaw",
    "LunarCalendar",
    "StatutoryHoliday",
    "law_in_force",
    "provisional_through",
    "provisional_year",
    "statutory_holidays",
]


class Festival(LabeledEnum):
    """The festivals of 《全国年节及纪念日放假办法》 on which everyone has days off."""

    NEW_YEAR = "new_year", "元旦"
    SPRING_FESTIVAL = "spring_festival", "春节"
    QINGMING = "qingming", "清明节"
    LABOUR_DAY = "labour_day", "劳动节"
    DRAGON_BOAT = "dragon_boat", "端午节"
    MID_AUTUMN = "mid_autumn", "中秋节"
    NATIONAL_DAY = "national_day", "国庆节"


@runtime_checkable
class LunarCalendar(Protocol):
    """Lunar dates and solar terms, as a maintained lunar library computes them."""

    @property
    def source(self) -> str:
        """Where the dates come from (a package and its version), recorded with a year."""
        ...

    def solar_date(self, lunar_year: int, month: int, day: int, /) -> date:
        """The Gregorian date of ``day`` of (non-leap) lunar ``month`` of ``lunar_year``.

        Lunar year ``Y`` is the one whose first day, 正月初一, falls in Gregorian year ``Y``.
        """
        ...

    def qingming(self, year: int, /) -> date:
        """The day of the solar term 清明 in Gregorian ``year`` (4 or 5 April, local time)."""
        ...


@dataclass(frozen=True, slots=True)
class StatutoryHoliday:
    """The days off the law gives for one festival in one year.

    Attributes:
        festival: Which festival.
        days: The days, in order; the law's count for the festival in that year.
    """

    festival: Festival
    days: tuple[date, ...]


@dataclass(frozen=True, slots=True)
class HolidayLaw:
    """One version of 《全国年节及纪念日放假办法》.

    Attributes:
        version: The year the version was made (1999, 2007, 2013, 2024).
        in_force: The first day it applies to.
        decree: The State Council decree that made it.
        days: Days off per festival; a festival missing here gives no days off.
        spring_festival_eve: Whether New Year's Eve (除夕) is one of the Spring Festival
            days; the rest are the first days of the first lunar month.
    """

    version: int
    in_force: date
    decree: str
    days: dict[Festival, int]
    spring_festival_eve: bool

    @property
    def total(self) -> int:
        """Days off in a year under this version."""
        return sum(self.days.values())

    def __str__(self) -> str:
        return f"《全国年节及纪念日放假办法》({self.version}, {self.decree})"


_COMMON_2007: Final = {
    Festival.NEW_YEAR: 1,
    Festival.SPRING_FESTIVAL: 3,
    Festival.QINGMING: 1,
    Festival.LABOUR_DAY: 1,
    Festival.DRAGON_BOAT: 1,
    Festival.MID_AUTUMN: 1,
    Festival.NATIONAL_DAY: 3,
}

HOLIDAY_LAWS: Final[tuple[HolidayLaw, ...]] = (
    HolidayLaw(
        1999,
        date(1999, 10, 1),
        "国务院令第270号",
        {
            Festival.NEW_YEAR: 1,
            Festival.SPRING_FESTIVAL: 3,
            Festival.LABOUR_DAY: 3,
            Festival.NATIONAL_DAY: 3,
        },
        spring_festival_eve=False,
    ),
    HolidayLaw(2007, date(2008, 1, 1), "国务院令第513号", _COMMON_2007, spring_festival_eve=True),
    HolidayLaw(2013, date(2014, 1, 1), "国务院令第644号", _COMMON_2007, spring_festival_eve=False),
    HolidayLaw(
        2024,
        date(2025, 1, 1),
        "国务院令第795号",
        {**_COMMON_2007, Festival.SPRING_FESTIVAL: 4, Festival.LABOUR_DAY: 2},
        spring_festival_eve=True,
    ),
)
"""Every version of the law, oldest first."""


def law_in_force(year: int) -> HolidayLaw:
    """The version of the law that applies to the holidays of ``year``.

    Each version took effect on 1 January or, for 1999, on 1 October, after that year's
    Spring Festival and Labour Day: the 1999 version is taken for the years from 2000.

    Raises:
        ValueError: ``year`` is before 2000, when an earlier regulation applied.
    """
    if year < HOLIDAY_LAWS[0].in_force.year + 1:
        raise ValueError(
            f"no version of 《全国年节及纪念日放假办法》 known here covers {year}; "
            f"years from {HOLIDAY_LAWS[0].in_force.year + 1} are"
        )
    chosen = HOLIDAY_LAWS[0]
    for law in HOLIDAY_LAWS:
        if law.in_force <= date(year, 1, 1):
            chosen = law
    return chosen


def _run(first: date, count: int) -> tuple[date, ...]:
    return tuple(first + timedelta(days=i) for i in range(count))


def statutory_holidays(year: int, lunar: LunarCalendar) -> tuple[StatutoryHoliday, ...]:
    """The days off the law in force gives in ``year``, festival by festival.

    The days are those the law names; a notice may add days around them (调休, 补假) but
    never removes one.

    Args:
        year: The Gregorian year.
        lunar: Where lunar dates and 清明 come from.

    Raises:
        ValueError: No known version of the law covers ``year``.
    """
    law = law_in_force(year)
    result: list[StatutoryHoliday] = []
    for festival, count in law.days.items():
        match festival:
            case Festival.NEW_YEAR:
                days = _run(date(year, 1, 1), count)
            case Festival.SPRING_FESTIVAL:
                first = lunar.solar_date(year, 1, 1)
                if law.spring_festival_eve:
                    first -= timedelta(days=1)
                days = _run(first, count)
            case Festival.QINGMING:
                days = _run(lunar.qingming(year), count)
            case Festival.LABOUR_DAY:
                days = _run(date(year, 5, 1), count)
            case Festival.DRAGON_BOAT:
                days = _run(lunar.solar_date(year, 5, 5), count)
            case Festival.MID_AUTUMN:
                days = _run(lunar.solar_date(year, 8, 15), count)
            case Festival.NATIONAL_DAY:
                days = _run(date(year, 10, 1), count)
        result.append(StatutoryHoliday(festival, days))
    return tuple(sorted(result, key=lambda h: h.days[0]))


def provisional_year(year: int, lunar: LunarCalendar) -> frozenset[date]:
    """The days off of ``year`` as far as the law fixes them: its statutory holidays.

    Weekends are off as in every year; what the year's notice adds (调休 working days on
    weekends, 补假 weekdays off for a holiday that fell on a weekend) is unknown, so
    every other weekday counts as a workday.

    Raises:
        ValueError: No known version of the law covers ``year``.
    """
    return frozenset(d for h in statutory_holidays(year, lunar) for d in h.days)


def provisional_through(
    calendar: TableCalendar, last_year: int, lunar: LunarCalendar
) -> TableCalendar:
    """``calendar`` with provisional years added after its coverage, up to ``last_year``.

    Each added year holds the statutory holidays of the law in force that year and is
    listed in :attr:`TableCalendar.provisional`. A calendar already covering
    ``last_year`` is returned unchanged.

    Raises:
        UsageError: ``calendar`` covers no year (there is nothing to continue).
    """
    if calendar.covered is None:
        raise UsageError(
            f"calendar {calendar.id!r} covers no year; provisional years continue a "
            "calendar's published years"
        )
    extended = calendar
    for year in range(calendar.covered[1] + 1, last_year + 1):
        law = law_in_force(year)
        extended = extended.with_year(
            year,
            holidays=provisional_year(year, lunar),
            source=f"provisional {year}: {law}, lunar dates from {lunar.source}",
            provisional=True,
        )
    return extended
