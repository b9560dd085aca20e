"""Adapters at the edge: stores, the system clock, id factories."""

from ._china import CHINA_CALENDAR_ID, build_china_calendar, china_calendar
from ._holidays import holidays_calendar
from ._memory import MemoryStore
from ._system import SystemClock, Uuid7Ids

__all__ = [
    "CHINA_CALENDAR_ID",
    "MemoryStore",
    "SystemClock",
    "Uuid7Ids",
    "build_china_calendar",
    "china_calendar",
    "holidays_calendar",
]
