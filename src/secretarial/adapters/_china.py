"""The Chinese working-day calendar, from the ``chinese-calendar`` package (extra ``china``).

The package carries the State Council's yearly holiday notices: the holidays and the
adjusted working days (调休) of every year it knows. It is imported only when
:func:`china_calendar` is first called, so ``import secretarial`` works without it.
"""

from __future__ import annotations

from datetime import date
from functools import cache
from importlib import metadata

from secretarial.domain._calendar import TableCalendar
from secretarial.errors import MissingExtraError

__all__ = ["CHINA_CALENDAR_ID", "build_china_calendar", "china_calendar"]

CHINA_CALENDAR_ID = "CN"
"""The id of the Chinese calendar, recorded with every date computed with it."""


def build_china_calendar() -> TableCalendar:
    """Build the Chinese calendar afresh from the installed ``chinese-calendar`` data.

    Coverage is read from the package's own data: the years between its first and last
    listed holiday, which is exactly the range the package itself answers for (it raises
    ``NotImplementedError`` outside it). A year without data is never guessed at; layer
    its notice with :meth:`TableCalendar.with_overrides` once it is published (W2).

    Most callers want the cached :func:`china_calendar`.

    Returns:
        A :class:`TableCalendar` with id ``"CN"``, weekend Saturday and Sunday.

    Raises:
        MissingExtraError: ``chinese-calendar`` is not installed
            (``pip install 'secretarial[china]'``).
    """
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
    return TableCalendar(
        id=CHINA_CALENDAR_ID,
        covered=covered,
        holidays=holidays,
        workdays=workdays,
        sources=(f"chinese-calendar {version}",),
    )


@cache
def china_calendar() -> TableCalendar:
    """The Chinese working-day calendar (id ``"CN"``), built once per process.

    Holidays and adjusted working days (RULES.md W1) come from the ``chinese-calendar``
    package; any date outside the years it covers raises
    :class:`~secretarial.errors.CalendarCoverageError` (W2).

    Raises:
        MissingExtraError: ``chinese-calendar`` is not installed
            (``pip install 'secretarial[china]'``).
    """
    return build_china_calendar()


def _dates(table: object) -> list[date]:
    """The keys of one of the package's date tables, as plain dates."""
    if not isinstance(table, dict):  # pragma: no cover -- guards a change in the package
        raise TypeError(f"chinese-calendar data is a {type(table).__name__}, expected a dict")
    return [key for key in table if isinstance(key, date)]
