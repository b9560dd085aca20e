"""The Chinese working-day calendar, from the ``chinese-calendar`` package (extra ``china``).

The package carries the State Council's yearly holiday notices: the holidays and the
adjusted working days (调休) of every year it knows. A small errata layer
(:data:`CHINA_ERRATA`, each entry with its source) corrects the days it has wrong.
Beyond its last year, a ``provisional`` calendar continues with years derived from the
law (:func:`~secretarial.kernel.provisional_through`), lunar dates from ``lunar_python``.
The packages are imported only when :func:`china_calendar` is first called, so
``import secretarial`` works without them.
"""

from __future__ import annotations

from datetime import date
from functools import cache
from importlib import metadata

from secretarial.errors import MissingExtraError, UsageError
from secretarial.kernel._calendar import CalendarOverride, CalendarPolicy, TableCalendar
from secretarial.kernel._holiday_law import provisional_through

from ._lunar import lunar_calendar

__all__ = ["CHINA_CALENDAR_ID", "CHINA_ERRATA", "build_china_calendar", "china_calendar"]

CHINA_CALENDAR_ID = "CN"
"""The id of the Chinese calendar, recorded with every date computed with it."""

CHINA_ERRATA: tuple[CalendarOverride, ...] = (
    CalendarOverride(
        name=(
            "erratum: 国务院办公厅关于2006年部分节假日安排的通知, 一、元旦: "
            "2005年12月31日（星期六）上班"
        ),
        workdays=frozenset({date(2005, 12, 31)}),
    ),
)
"""Corrections to the ``chinese-calendar`` data, each named by the notice that sets it.

Applied on top of the package's data, under any year the office loads itself
(precedence: a loaded year, then the errata, then the package). The test suite
cross-checks every bundled year against the ``holidays`` package and lists each
difference it accepts.
"""

PROVISIONAL_YEARS = 2
"""How many years past the last published one a provisional calendar derives by default."""


def build_china_calendar(
    policy: CalendarPolicy | str = CalendarPolicy.STRICT, *, through: int | None = None
) -> TableCalendar:
    """Build the Chinese calendar afresh from the installed ``chinese-calendar`` data.

    Coverage is read from the package's own data: the years between its first and last
    listed holiday, which is exactly the range the package itself answers for (it raises
    ``NotImplementedError`` outside it). :data:`CHINA_ERRATA` are applied on top.

    Most callers want the cached :func:`china_calendar`.

    Args:
        policy: ``strict`` (the default) covers only the published years: any other
            date raises (W2). ``provisional`` adds the years after them, up to
            ``through``, derived from the law and marked provisional.
        through: The last year a provisional calendar covers; by default
            :data:`PROVISIONAL_YEARS` after the last published year. Ignored by
            ``strict``.

    Returns:
        A :class:`TableCalendar` with id ``"CN"``, weekend Saturday and Sunday.

    Raises:
        MissingExtraError: ``chinese-calendar`` (or, for ``provisional``,
            ``lunar_python``) is not installed (``pip install 'secretarial[china]'``).
        UsageError: ``policy`` is not a calendar policy.
    """
    try:
        chosen = CalendarPolicy(policy)
    except ValueError:
        accepted = ", ".join(p.value for p in CalendarPolicy)
        raise UsageError(f"calendar policy {policy!r} is not one of: {accepted}") from None
    try:
        from chinese_calendar import constants  # type: ignore[import-untyped]  # noqa: PLC0415 -- optional extra, imported on first use
    except ImportError as exc:
        raise MissingExtraError(
            "chinese-calendar", "china", "The Chinese working-day calendar"
        ) from exc
    holidays = frozenset(_dates(constants.holidays))
    workdays = frozenset(_dates(constants.workdays))
    years = {d.year for d in holidays}
    covered = (min(years), max(years)) if years else None
    try:
        version = metadata.version("chinese-calendar")
    except metadata.PackageNotFoundError:  # pragma: no cover -- vendored or renamed copies
        version = "unknown version"
    published = TableCalendar(
        id=CHINA_CALENDAR_ID,
        covered=covered,
        holidays=holidays,
        workdays=workdays,
        sources=(f"chinese-calendar {version}",),
    ).with_overrides(*CHINA_ERRATA)
    if chosen is CalendarPolicy.STRICT or published.covered is None:
        return published
    last = published.covered[1] + PROVISIONAL_YEARS if through is None else through
    return provisional_through(published, last, lunar_calendar())


@cache
def china_calendar(
    policy: CalendarPolicy | str = CalendarPolicy.STRICT, *, through: int | None = None
) -> TableCalendar:
    """The Chinese working-day calendar (id ``"CN"``), built once per process and policy.

    Holidays and adjusted working days (W1) come from the ``chinese-calendar`` package,
    corrected by :data:`CHINA_ERRATA`. With the ``strict`` policy (the default here) any
    date outside the published years raises
    :class:`~secretarial.errors.CalendarCoverageError` (W2); with ``provisional`` the
    years after them are derived from the law and marked (see
    :func:`build_china_calendar`). An :class:`~secretarial.Office` uses ``provisional``
    unless told otherwise.

    Raises:
        MissingExtraError: ``chinese-calendar`` is not installed
            (``pip install 'secretarial[china]'``).
    """
    return build_china_calendar(policy, through=through)


def _dates(table: object) -> list[date]:
    """The keys of one of the package's date tables, as plain dates."""
    if not isinstance(table, dict):  # pragma: no cover -- guards a change in the package
        raise TypeError(f"chinese-calendar data is a {type(table).__name__}, expected a dict")
    return [key for key in table if isinstance(key, date)]
