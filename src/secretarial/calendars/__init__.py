"""Working-day calendars kept in the office.

A year's holiday notice loaded, amended, replaced or withdrawn, and the deadlines
re-checked against it.
"""

from ._area import (
    CALENDAR_YEAR_AREA,
)
from ._model import (
    CALENDAR_YEAR_TABLE,
    AmendYear,
    CalendarYear,
    CalendarYearState,
    LoadedNotice,
    ReplaceYear,
    calendar_year_id,
)
from ._notice import (
    NOTICE_RULES,
    HolidayNotice,
    NoticeSection,
    check_notice,
    parse_notice,
)
from ._service import (
    CalendarDifference,
    CalendarLoad,
    DeadlineCheck,
    LoadPlan,
    day_changes,
    plan_load,
    recheck_deadline,
    with_loaded_years,
)

__all__ = [
    "CALENDAR_YEAR_AREA",
    "CALENDAR_YEAR_TABLE",
    "NOTICE_RULES",
    "AmendYear",
    "CalendarDifference",
    "CalendarLoad",
    "CalendarYear",
    "CalendarYearState",
    "DeadlineCheck",
    "HolidayNotice",
    "LoadPlan",
    "LoadedNotice",
    "NoticeSection",
    "ReplaceYear",
    "calendar_year_id",
    "check_notice",
    "day_changes",
    "parse_notice",
    "plan_load",
    "recheck_deadline",
    "with_loaded_years",
]
