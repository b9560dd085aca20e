"""Working-day calendars of other countries, from the ``holidays`` package (extra ``holidays``).

The ``holidays`` package computes holidays for any year, the future included, by rule;
for countries whose holidays and makeup working days are set by a yearly notice, such
future years are guesses. This adapter therefore answers only up to a *last confirmed
year* that the caller states, and raises :class:`~secretarial.errors.CalendarCoverageError`
beyond it, like every calendar of this library.
"""

from __future__ import annotations

from importlib import metadata

from secretarial.errors import MissingExtraError, UsageError
from secretarial.kernel._calendar import TableCalendar

__all__ = ["holidays_calendar"]


def holidays_calendar(
    country: str,
    *,
    first_year: int,
    last_confirmed_year: int,
    subdivision: str | None = None,
    calendar_id: str | None = None,
) -> TableCalendar:
    """A calendar for ``country`` from the ``holidays`` package, for the years stated.

    Args:
        country: ISO 3166-1 alpha-2 code (``"DE"``, ``"FR"``, ``"SG"`` ...).
        first_year: The first year to cover.
        last_confirmed_year: The last year whose holidays the caller has confirmed
            (published notices, checked data). Later years raise; they are never
            guessed.
        subdivision: A state or province code, for countries whose holidays differ by
            region (``"BY"`` for Bavaria).
        calendar_id: The calendar's id; ``country`` or ``country-subdivision`` by default.

    Returns:
        A :class:`TableCalendar` with the country's holidays, its weekend and the weekend
        days the package knows to be working days (makeup days) in the covered years.

    Raises:
        MissingExtraError: ``holidays`` is not installed (``pip install 'secretarial[holidays]'``).
        UsageError: the country or subdivision is unknown, or the years run backwards.
    """
    try:
        import holidays  # noqa: PLC0415 -- optional extra, imported on first use
    except ImportError as exc:
        raise MissingExtraError("holidays", "holidays", "A holidays-package calendar") from exc
    if last_confirmed_year < first_year:
        raise UsageError(
            f"last_confirmed_year {last_confirmed_year} is before first_year {first_year}"
        )
    years = list(range(first_year, last_confirmed_year + 1))
    try:
        table = holidays.country_holidays(country, subdiv=subdivision, years=years)
    except NotImplementedError as exc:
        raise UsageError(f"the holidays package knows no calendar for {country!r}: {exc}") from exc
    holidays_in_range = frozenset(d for d in table if first_year <= d.year <= last_confirmed_year)
    makeup = frozenset(
        d
        for d in getattr(table, "weekend_workdays", ())
        if first_year <= d.year <= last_confirmed_year
    )
    version = metadata.version("holidays")
    name = calendar_id or (f"{country}-{subdivision}" if subdivision else country)
    return TableCalendar(
        id=name,
        covered=(first_year, last_confirmed_year),
        holidays=holidays_in_range - makeup,
        workdays=makeup,
        weekend=frozenset(getattr(table, "weekend", {5, 6})),
        sources=(f"holidays {version} ({country}{'-' + subdivision if subdivision else ''})",),
    )
