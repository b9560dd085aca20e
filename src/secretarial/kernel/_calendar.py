"""Working-day calendars: which days are workdays, and counting in workdays (docs/rules.md W1, W2).

A calendar answers only for the years it has data for. A date outside them raises
:class:`~secretarial.errors.CalendarCoverageError`; nothing here ever falls back to a
Monday-to-Friday week (W2).

Counting conventions, shared by every :class:`WorkCalendar`:

* ``add_workdays(d, n)`` counts workdays *strictly after* ``d`` (``n > 0``) or *strictly
  before* ``d`` (``n < 0``); ``d`` itself never counts, whether or not it is a workday.
  ``add_workdays(d, 0)`` is ``d`` unchanged (even when ``d`` is not a workday).
* ``workdays_between(a, b)`` counts the workdays passed when stepping from ``a`` to
  ``b``: ``a`` excluded, ``b`` included. For ``a <= b`` that is the workdays in the
  half-open interval ``(a, b]``; for ``a > b`` it is minus the workdays in ``[b, a)``.
  So ``workdays_between(d, add_workdays(d, n)) == n`` for every ``n``, and
  ``add_workdays(d, workdays_between(d, x)) == x`` whenever ``x`` is a workday.
  Note that it is *not* antisymmetric: ``workdays_between(b, a)`` need not equal
  ``-workdays_between(a, b)`` when ``a`` or ``b`` is a workday.
* Every date a computation touches must lie in the covered years: the start, the end,
  and every day walked over. Walking past the last (or before the first) covered year
  raises instead of guessing.

This module is pure: it imports only the standard library, pydantic and
:mod:`secretarial.errors`.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Mapping
from datetime import MAXYEAR, MINYEAR, date, datetime
from typing import Annotated, Any, Protocol, Self, runtime_checkable

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, StringConstraints, model_validator

from secretarial.errors import CalendarCoverageError, UsageError

from ._enums import LabeledEnum
from ._values import RefusingModelMeta

__all__ = [
    "CalendarOverride",
    "CalendarPolicy",
    "TableCalendar",
    "WorkCalendar",
    "lay_over",
    "provisional_years",
    "provisional_years_of",
]

_Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
_Year = Annotated[int, Field(ge=MINYEAR, le=MAXYEAR)]
_Weekday = Annotated[int, Field(ge=0, le=6)]
_SATURDAY_SUNDAY = frozenset({5, 6})


@runtime_checkable
class WorkCalendar(Protocol):
    """What the library asks of a working-day calendar.

    Implementations must follow the counting conventions in this module's docstring and
    raise :class:`~secretarial.errors.CalendarCoverageError` for any date outside
    :meth:`covered_years` — never answer with a guess. :class:`TableCalendar` is the
    built-in implementation; ``secretarial.adapters`` builds the Chinese one from the
    ``chinese-calendar`` package.
    """

    @property
    def id(self) -> str:
        """A short, stable id of the calendar (``"CN"``), recorded with computed dates."""
        ...

    def covered_years(self) -> tuple[int, int] | None:
        """The first and last year the calendar has data for, both inclusive.

        Coverage is one unbroken run of years. None means no year is covered (every
        question raises).
        """
        ...

    def is_workday(self, d: date, /) -> bool:
        """Whether ``d`` is a working day.

        Raises:
            CalendarCoverageError: ``d`` is outside the covered years.
        """
        ...

    def add_workdays(self, d: date, n: int, /) -> date:
        """The ``n``-th workday after ``d`` (before it if ``n`` is negative; ``d`` if 0).

        ``d`` itself is never counted.

        Raises:
            CalendarCoverageError: ``d`` is outside the covered years, or there are not
                ``abs(n)`` workdays between ``d`` and the end of the covered years.
        """
        ...

    def workdays_between(self, a: date, b: date, /) -> int:
        """Workdays passed stepping from ``a`` to ``b``: ``a`` excluded, ``b`` included.

        Negative when ``b`` is before ``a``.

        Raises:
            CalendarCoverageError: ``a`` or ``b`` is outside the covered years.
        """
        ...


class CalendarPolicy(LabeledEnum):
    """What a calendar does for a year without published data.

    ``strict`` raises :class:`~secretarial.errors.CalendarCoverageError`, as a calendar
    without such years always does. ``provisional`` answers from what the law fixes
    (the statutory holidays, weekends off) and marks every answer that depends on such a
    year as provisional until the year's notice is loaded (docs/calendars.md).
    """

    STRICT = "strict", "严格"
    PROVISIONAL = "provisional", "暂定"


def provisional_years(calendar: WorkCalendar) -> frozenset[int]:
    """The years of ``calendar`` derived from the law rather than published.

    A calendar that has no notion of provisional years (any :class:`WorkCalendar`
    without a ``provisional_years`` method) has none.
    """
    years: frozenset[int] = getattr(calendar, "provisional_years", frozenset)()
    return years


def provisional_years_of(calendar: WorkCalendar, first: date, last: date) -> tuple[int, ...]:
    """The provisional years of ``calendar`` among the years from ``first`` to ``last``."""
    years = provisional_years(calendar)
    if not years:
        return ()
    low, high = sorted((first.year, last.year))
    return tuple(y for y in range(low, high + 1) if y in years)


def lay_over(
    holidays: Iterable[date],
    workdays: Iterable[date],
    new_holidays: Iterable[date],
    new_workdays: Iterable[date],
) -> tuple[frozenset[date], frozenset[date]]:
    """Days off and working days with new ones laid on top: a day listed anew wins.

    A new holiday is no longer a workday and a new workday no longer a holiday; every
    other day keeps what it was.
    """
    added_holidays, added_workdays = frozenset(new_holidays), frozenset(new_workdays)
    return (
        (frozenset(holidays) - added_workdays) | added_holidays,
        (frozenset(workdays) - added_holidays) | added_workdays,
    )


def _contiguous_span(years: Iterable[int]) -> tuple[int, int] | None:
    """``(first, last)`` of ``years`` if they form one unbroken run, None if empty.

    Raises:
        UsageError: The years leave a gap.
    """
    ordered = sorted(set(years))
    if not ordered:
        return None
    first, last = ordered[0], ordered[-1]
    if last - first + 1 != len(ordered):
        missing = sorted(set(range(first, last + 1)) - set(ordered))
        raise UsageError(
            f"calendar coverage must be one unbroken run of years, but {first}–{last} "
            f"lacks {', '.join(map(str, missing))}; supply those years' data as well"
        )
    return first, last


class CalendarOverride(BaseModel, metaclass=RefusingModelMeta):
    """Changes layered on a :class:`TableCalendar` with :meth:`TableCalendar.with_overrides`.

    Every date listed replaces whatever the calendar said for it (a holiday listed here
    is a holiday even if the calendar made it a workday, and the other way round); when
    several overrides are applied, the later ones win. Two uses, which may be combined:

    * **A year's notice** (``years`` plus that year's holidays and adjusted workdays):
      the listed years become covered, so the 2027 notice makes 2027 answerable (W2).
      Coverage must stay one unbroken run of years.
    * **One-off changes** (no ``years``): an office closure (a holiday), an extra
      working day. They extend no coverage: a one-off date in an uncovered year is kept
      and takes effect once a notice makes that year covered.

    Data the calendar already has is never dropped; to correct it, list the corrected
    days (a day that is no longer a holiday goes into ``workdays``, a weekend day that
    is no longer adjusted goes into ``holidays``).

    Attributes:
        name: What the override is, e.g. the notice's document number or
            ``"office closure 2025-09-29"``; kept in :attr:`TableCalendar.sources`.
        years: Years this override is the notice for; they become covered.
        holidays: Days that are not workdays, whatever the weekday.
        workdays: Days that are workdays, whatever the weekday (调休 weekend days).
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: _Name
    years: frozenset[_Year] = frozenset()
    holidays: frozenset[date] = frozenset()
    workdays: frozenset[date] = frozenset()

    @model_validator(mode="after")
    def _holidays_and_workdays_are_disjoint(self) -> Self:
        both = self.holidays & self.workdays
        if both:
            days = ", ".join(d.isoformat() for d in sorted(both))
            raise ValueError(f"a day cannot be both a holiday and a workday: {days}")
        return self


class TableCalendar(BaseModel, metaclass=RefusingModelMeta):
    """An immutable, table-driven working-day calendar.

    A day in the covered years is a workday if it is listed in ``workdays``, otherwise
    if it is neither listed in ``holidays`` nor a weekend day. :meth:`is_workday` is two
    set lookups; :meth:`add_workdays` and :meth:`workdays_between` binary-search a
    sorted index of the covered workdays built once when the calendar is made, so they
    cost O(log n) whatever the distance.

    Build one directly (or from JSON with ``model_validate_json``), take the Chinese one
    from ``secretarial.adapters``, and layer local changes on it with
    :meth:`with_overrides`.

    Attributes:
        id: Short, stable id (``"CN"``), recorded with every date computed with it.
        covered: First and last covered year, inclusive; None covers nothing.
        holidays: Days that are not workdays, whatever the weekday.
        workdays: Days that are workdays, whatever the weekday: the adjusted working
            days (调休) that fall on a weekend.
        weekend: Weekday numbers (Monday 0 ... Sunday 6) that are rest days unless
            listed in ``workdays``; Saturday and Sunday by default.
        sources: Where the data came from, oldest first (a package and its version,
            then the name of each override applied).
        provisional: Covered years whose data is derived from the law, not published:
            their holidays are the statutory ones and every other weekday is taken as a
            workday, which the year's notice may change (调休, 补假).
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: _Name
    covered: tuple[_Year, _Year] | None
    holidays: frozenset[date] = frozenset()
    workdays: frozenset[date] = frozenset()
    weekend: frozenset[_Weekday] = _SATURDAY_SUNDAY
    sources: tuple[str, ...] = ()
    provisional: frozenset[_Year] = frozenset()

    _index: list[int] = PrivateAttr(default_factory=list)
    """Ordinals of every workday in the covered years, ascending."""

    @model_validator(mode="after")
    def _check_table(self) -> Self:
        if self.covered is not None and self.covered[0] > self.covered[1]:
            raise ValueError(f"covered years {self.covered} run backwards; give (first, last)")
        both = self.holidays & self.workdays
        if both:
            days = ", ".join(d.isoformat() for d in sorted(both))
            raise ValueError(f"a day cannot be both a holiday and a workday: {days}")
        if len(self.weekend) == 7:  # noqa: PLR2004 -- days in a week
            raise ValueError("a weekend of all seven days leaves no working weekday")
        if self.provisional:
            outside = sorted(
                y
                for y in self.provisional
                if self.covered is None or not self.covered[0] <= y <= self.covered[1]
            )
            if outside:
                raise ValueError(
                    f"provisional years {outside} are not covered; a provisional year is "
                    "one of the covered years"
                )
        return self

    def model_post_init(self, _context: Any, /) -> None:
        """Build the sorted index of covered workdays (a pydantic hook)."""
        if self.covered is None:
            return
        start = date(self.covered[0], 1, 1).toordinal()
        stop = date(self.covered[1], 12, 31).toordinal()
        holidays, workdays, weekend = self.holidays, self.workdays, self.weekend
        index = self._index
        for ordinal in range(start, stop + 1):
            day = date.fromordinal(ordinal)
            if day in workdays or (day.weekday() not in weekend and day not in holidays):
                index.append(ordinal)

    def model_copy(self, *, update: Mapping[str, Any] | None = None, deep: bool = False) -> Self:
        """A copy; with ``update``, a re-validated calendar with those fields changed.

        Unlike pydantic's default, an update is validated and the workday index rebuilt,
        so the copy can never answer from stale data.
        """
        if not update:
            return super().model_copy(deep=deep)
        return self.model_validate({**dict(self), **update})

    # ------------------------------------------------------------------ WorkCalendar

    def covered_years(self) -> tuple[int, int] | None:
        """The first and last covered year, inclusive; None if no year is covered."""
        return self.covered

    def provisional_years(self) -> frozenset[int]:
        """The covered years whose data is derived from the law, not published."""
        return self.provisional

    def is_workday(self, d: date, /) -> bool:
        """Whether ``d`` is a working day.

        Raises:
            CalendarCoverageError: ``d`` is outside the covered years.
            UsageError: ``d`` is a datetime; pass the office's local date instead.
        """
        self._require(d)
        return d in self.workdays or (d.weekday() not in self.weekend and d not in self.holidays)

    def add_workdays(self, d: date, n: int, /) -> date:
        """The ``n``-th workday after ``d`` (before it if ``n`` is negative; ``d`` if 0).

        ``d`` itself is never counted: five workdays after Friday 2025-09-26 in China is
        2025-10-10.

        Raises:
            CalendarCoverageError: ``d`` is outside the covered years, or the count runs
                past the end (or the start) of the covered years; the error names the
                first uncovered day the count reached.
            UsageError: ``d`` is a datetime.
        """
        self._require(d)
        if n == 0:
            return d
        index = self._index
        if n > 0:
            position = bisect_right(index, d.toordinal()) + n - 1
            if position >= len(index):
                raise self._coverage_error(self._day_after_coverage())
        else:
            position = bisect_left(index, d.toordinal()) + n
            if position < 0:
                raise self._coverage_error(self._day_before_coverage())
        return date.fromordinal(index[position])

    def workdays_between(self, a: date, b: date, /) -> int:
        """Workdays passed stepping from ``a`` to ``b``: ``a`` excluded, ``b`` included.

        For ``a <= b`` the workdays in ``(a, b]``; for ``a > b`` minus the workdays in
        ``[b, a)``. Consistent with :meth:`add_workdays`:
        ``workdays_between(d, add_workdays(d, n)) == n``.

        Raises:
            CalendarCoverageError: ``a`` or ``b`` is outside the covered years.
            UsageError: ``a`` or ``b`` is a datetime.
        """
        self._require(a)
        self._require(b)
        index = self._index
        if a <= b:
            return bisect_right(index, b.toordinal()) - bisect_right(index, a.toordinal())
        return bisect_left(index, b.toordinal()) - bisect_left(index, a.toordinal())

    # ------------------------------------------------------------------ overrides

    def with_overrides(
        self, *overrides: CalendarOverride, calendar_id: str | None = None
    ) -> TableCalendar:
        """A new calendar: this one with ``overrides`` applied in order (later ones win).

        See :class:`CalendarOverride` for what a year's notice and a one-off change do.

        Args:
            *overrides: The overrides, applied first to last.
            calendar_id: Id of the new calendar; by default this calendar's id.

        Returns:
            The new calendar; this one is unchanged.

        Raises:
            UsageError: The covered years would no longer be one unbroken run (e.g. a
                2028 notice without the 2027 one).
        """
        holidays, workdays = self.holidays, self.workdays
        years: set[int] = set()
        if self.covered is not None:
            years.update(range(self.covered[0], self.covered[1] + 1))
        for override in overrides:
            years.update(override.years)
            holidays, workdays = lay_over(holidays, workdays, override.holidays, override.workdays)
        return TableCalendar(
            id=self.id if calendar_id is None else calendar_id,
            covered=_contiguous_span(years),
            holidays=holidays,
            workdays=workdays,
            weekend=self.weekend,
            sources=(*self.sources, *(o.name for o in overrides)),
            provisional=self.provisional - {y for o in overrides for y in o.years},
        )

    def with_year(
        self,
        year: int,
        *,
        holidays: Iterable[date],
        workdays: Iterable[date] = (),
        source: str,
        provisional: bool = False,
    ) -> TableCalendar:
        """A new calendar in which ``year`` holds exactly the days given.

        Unlike an override, which layers days on what is there, this replaces the year:
        the days of ``year`` this calendar listed are dropped first. Days given outside
        ``year`` (the 元旦 of a notice that begins in the previous December) are kept as
        given. This is how a loaded notice takes the place of a provisional year, and how
        a provisional year is added.

        Args:
            year: The year replaced or added; coverage must stay one unbroken run.
            holidays: Its days off, whatever the weekday.
            workdays: Its working days on weekend days (调休).
            source: Where the year's data comes from; kept in :attr:`sources`.
            provisional: Whether the year is derived from the law rather than published.

        Raises:
            UsageError: The covered years would leave a gap.
        """
        new_holidays, new_workdays = lay_over(
            (d for d in self.holidays if d.year != year),
            (d for d in self.workdays if d.year != year),
            holidays,
            workdays,
        )
        years = {year}
        if self.covered is not None:
            years.update(range(self.covered[0], self.covered[1] + 1))
        marked = self.provisional | {year} if provisional else self.provisional - {year}
        return TableCalendar(
            id=self.id,
            covered=_contiguous_span(years),
            holidays=new_holidays,
            workdays=new_workdays,
            weekend=self.weekend,
            sources=(*self.sources, source),
            provisional=frozenset(marked),
        )

    # ------------------------------------------------------------------ helpers

    def _require(self, d: date) -> None:
        if isinstance(d, datetime):
            raise UsageError(
                f"calendar {self.id!r} takes a date, not the datetime {d!r}; "
                "convert it to the office's local date first"
            )
        covered = self.covered
        if covered is None or not covered[0] <= d.year <= covered[1]:
            raise self._coverage_error(d)

    def _coverage_error(self, day: date) -> CalendarCoverageError:
        return CalendarCoverageError(self.id, day, self.covered)

    def _day_after_coverage(self) -> date:
        assert self.covered is not None  # noqa: S101 -- only called after _require passed
        last = self.covered[1]
        if last == MAXYEAR:
            raise OverflowError("date value out of range")
        return date(last + 1, 1, 1)

    def _day_before_coverage(self) -> date:
        assert self.covered is not None  # noqa: S101 -- only called after _require passed
        first = self.covered[0]
        if first == MINYEAR:
            raise OverflowError("date value out of range")
        return date(first - 1, 12, 31)
