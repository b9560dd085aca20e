"""Calendar years an office loads, and the provisional deadlines they confirm or re-date.

Loading a State Council notice (:func:`plan_load`) parses it, checks it against the law,
and works out which trigger records it: ``load`` for a year the office has not loaded,
``amend`` for a supplementary notice, ``replace`` for a corrected annual one. The office
then lays its loaded years over its base calendar (:func:`with_loaded_years`) and checks
every provisional deadline again (:func:`recheck_deadline`): a date the loaded year
confirms is confirmed; one it makes later moves later; one it would make earlier keeps its
date, since it was communicated, and is reported for a person to shorten explicitly.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta, tzinfo
from typing import Any, Literal

from secretarial.errors import FieldProblem, UsageError, ValidationError
from secretarial.kernel._calendar import TableCalendar, WorkCalendar, lay_over, provisional_years
from secretarial.kernel._holiday_law import LunarCalendar, statutory_holidays
from secretarial.supervision._deadlines import DeadlinePolicy, describe_deadline
from secretarial.supervision._model import SupervisionItem
from secretarial.supervision._table import default_deadline_of

from ._model import CalendarYear, CalendarYearState, LoadedNotice, calendar_year_id
from ._notice import HolidayNotice, check_notice, parse_notice

__all__ = [
    "CalendarDifference",
    "CalendarLoad",
    "DeadlineCheck",
    "LoadPlan",
    "day_changes",
    "plan_load",
    "recheck_deadline",
    "with_loaded_years",
]

Outcome = Literal["confirmed", "moved_later", "kept", "still_provisional"]


@dataclass(frozen=True, slots=True)
class DeadlineCheck:
    """What loading a calendar year did to one provisional deadline.

    Attributes:
        item_id: The supervision item.
        before: Its deadline before the check.
        computed: The date the calendar now gives for its rule and start.
        after: Its deadline after the check.
        outcome: ``confirmed`` (the same date), ``moved_later``, ``kept`` (the calendar
            would make it earlier; the communicated date stays, for a person to shorten
            with ``confirm_deadline`` and a reason) or ``still_provisional`` (it also
            depends on another year not yet published; the date is as computed).
    """

    item_id: str
    before: date
    computed: date
    after: date
    outcome: Outcome


@dataclass(frozen=True, slots=True)
class CalendarLoad:
    """What loading a notice did.

    Attributes:
        year: The calendar year as stored.
        trigger: ``load``, ``amend`` or ``replace``.
        changed_days: Days of the year whose answer (workday or not) changed.
        deadlines: Each provisional deadline checked again, in item order.
    """

    year: CalendarYear
    trigger: str
    changed_days: tuple[date, ...] = ()
    deadlines: tuple[DeadlineCheck, ...] = ()

    def outcome(self, kind: Outcome) -> tuple[DeadlineCheck, ...]:
        """The deadline checks that ended with ``kind``."""
        return tuple(c for c in self.deadlines if c.outcome == kind)


@dataclass(frozen=True, slots=True)
class CalendarDifference:
    """A day on which a year the office loaded differs from the bundled data.

    Attributes:
        day: The day.
        loaded_workday: Whether the loaded year makes it a workday.
        bundled_workday: Whether the bundled data (with its errata) does.
    """

    day: date
    loaded_workday: bool
    bundled_workday: bool


@dataclass(frozen=True, slots=True)
class LoadPlan:
    """How a notice is to be recorded, worked out before anything is written.

    Attributes:
        notice: The parsed notice.
        entity_id: The calendar year's id.
        trigger: ``load`` (create), ``amend`` or ``replace``.
        fields: The creation fields, or the trigger's input.
        existing: The year as loaded already, which ``amend`` or ``replace`` changes.
    """

    notice: HolidayNotice
    entity_id: str
    trigger: str
    fields: Mapping[str, Any] = field(default_factory=dict)
    existing: CalendarYear | None = None


def plan_load(
    text: str,
    *,
    base: TableCalendar,
    existing: Callable[[str], CalendarYear | None],
    lunar: LunarCalendar,
    source: str | None,
    reason: str | None,
) -> LoadPlan:
    """Parse and check ``text`` and decide how it is recorded; write nothing.

    Args:
        text: The notice as published.
        base: The office's calendar without its loaded years (bundled data, errata,
            provisional years).
        existing: Looks up the year as the office has it loaded already, by id.
        lunar: Where the law's lunar dates come from.
        source: Where the host took the text from.
        reason: Why a loaded annual notice is replaced (needed then).

    Raises:
        ValidationError: The text is not a notice, or does not add up against the law
            (the section and what is wrong are named).
    """
    notice = parse_notice(text)
    check_notice(notice, statutory_holidays(notice.year, lunar))
    record = LoadedNotice.of(
        text,
        title=notice.title,
        issuer=notice.issuer,
        issued_on=notice.issued_on,
        supplementary=notice.supplementary,
        source=source,
    )
    entity_id = calendar_year_id(base.id, notice.year)
    days = {"holidays": sorted(notice.holidays), "workdays": sorted(notice.workdays)}
    loaded = existing(entity_id)
    if loaded is not None:
        in_force = loaded.state is CalendarYearState.IN_FORCE
        if notice.supplementary and not in_force:
            raise _refused(
                "supplementary",
                f"the loaded {notice.year} is withdrawn; load its annual notice again first",
            )
        if not notice.supplementary and reason is None and in_force:
            raise _refused(
                "reason",
                f"{notice.year} is loaded already; pass reason=... to replace it with this "
                "text, or load a supplementary notice",
            )
        trigger = "amend" if notice.supplementary else "replace"
        return LoadPlan(notice, entity_id, trigger, {**days, "notice": record}, loaded)
    if notice.supplementary:
        covered = base.covered_years()
        published = (
            covered is not None
            and covered[0] <= notice.year <= covered[1]
            and notice.year not in base.provisional_years()
        )
        if not published:
            raise _refused(
                "supplementary",
                f"a supplementary notice amends a year whose arrangement is known; load "
                f"the annual notice of {notice.year} first",
            )
        holidays, workdays = lay_over(
            (d for d in base.holidays if d.year == notice.year),
            (d for d in base.workdays if d.year == notice.year),
            notice.holidays,
            notice.workdays,
        )
        days = {"holidays": sorted(holidays), "workdays": sorted(workdays)}
    return LoadPlan(
        notice,
        entity_id,
        "load",
        {"calendar": base.id, "year": notice.year, **days, "notices": [record]},
    )


def _refused(what: str, message: str) -> ValidationError:
    return ValidationError("HolidayNotice", [FieldProblem(what, "W4", message)])


def with_loaded_years(base: TableCalendar, years: Iterable[CalendarYear]) -> TableCalendar:
    """``base`` with each loaded year in force laid over it, oldest year first.

    A loaded year takes the place of the bundled or provisional data of its year.

    Raises:
        UsageError: A loaded year would leave a gap in the coverage (a 2029 notice over
            a calendar that ends in 2026).
    """
    calendar = base
    for loaded in sorted(years, key=lambda y: y.year):
        if loaded.calendar != base.id or loaded.state is not CalendarYearState.IN_FORCE:
            continue
        calendar = calendar.with_year(
            loaded.year, holidays=loaded.holidays, workdays=loaded.workdays, source=loaded.source
        )
    return calendar


def day_changes(before: WorkCalendar, after: WorkCalendar, year: int) -> tuple[date, ...]:
    """Days of ``year`` whose answer differs between two calendars (uncovered days count)."""
    changed = []
    day = date(year, 1, 1)
    while day.year == year:
        if _answer(before, day) != _answer(after, day):
            changed.append(day)
        day += timedelta(days=1)
    return tuple(changed)


def _answer(calendar: WorkCalendar, day: date) -> bool | None:
    covered = calendar.covered_years()
    if covered is None or not covered[0] <= day.year <= covered[1]:
        return None
    return calendar.is_workday(day)


def recheck_deadline(
    item: SupervisionItem,
    *,
    calendar: WorkCalendar,
    policy: DeadlinePolicy,
    timezone: tzinfo,
) -> tuple[DeadlineCheck, dict[str, Any]] | None:
    """Check a provisional deadline again on ``calendar``; None if nothing is to be done.

    Returns the check and the input of ``confirm_deadline`` that records it, when the
    item's provisional years are no longer all provisional in ``calendar``.
    """
    mark = item.deadline_provisional
    if mark is None or item.deadline is None or mark.calendar != calendar.id:
        return None
    still = provisional_years(calendar)
    if all(y in still for y in mark.years):
        return None
    computed = default_deadline_of(item, policy, calendar, timezone)
    new_mark = computed.mark
    before = item.deadline
    if computed.due < before and new_mark is None:
        outcome: Outcome = "kept"
        after = before
    elif new_mark is not None:
        outcome, after = "still_provisional", max(computed.due, before)
    elif computed.due > before:
        outcome, after = "moved_later", computed.due
    else:
        outcome, after = "confirmed", before
    data = {
        "deadline": after,
        "computed": computed.due,
        "deadline_rule": describe_deadline(computed),
        "deadline_provisional": new_mark,
    }
    return DeadlineCheck(item.id, before, computed.due, after, outcome), data


def base_calendar_for_load(calendar: WorkCalendar) -> TableCalendar:
    """The office's calendar as a table, or a clear error if it is not one.

    Raises:
        UsageError: The office counts in a calendar that is not a :class:`TableCalendar`.
    """
    if not isinstance(calendar, TableCalendar):
        raise UsageError(
            f"the office's calendar {calendar.id!r} is a {type(calendar).__name__}, not a "
            "TableCalendar: loaded notices lay days over a table; give the office a "
            "TableCalendar (secretarial.china_calendar() or your own)"
        )
    return calendar
