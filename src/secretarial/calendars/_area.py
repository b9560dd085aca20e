"""The calendars area's kind as the registry runs it."""

from __future__ import annotations

from secretarial.kernel import Area, EntityKind

from ._model import CALENDAR_YEAR_TABLE, CalendarYear

__all__ = ["CALENDAR_YEAR_AREA"]

CALENDAR_YEAR_AREA = Area(
    kind=EntityKind.CALENDAR_YEAR,
    entity_type=CalendarYear,
    table=CALENDAR_YEAR_TABLE,
    id_prefix="cal",
)
"""A year's working-day calendar loaded from its holiday notice."""
