"""Default deadlines of supervision items (docs/rules.md S2, S5) and the policy that sets them.

An explicit deadline always wins (:func:`resolve_deadline`). Without one, a
:class:`DeadlinePolicy` picks a :class:`DeadlineRule` by the item's source and urgency
and counts it from the start date: in calendar days, working days (on a
:class:`~secretarial.kernel.WorkCalendar`) or months. The result, a
:class:`ComputedDeadline`, says which rule and which calendar produced it.

Defaults (local rules differ; every one can be changed), as urgent / normal / complex:

* leader_instruction 领导批示: 5 / 15 / 30 days (S2; urgent is 1-5 days, 5 by default).
* meeting_decision 会议决定: 20 days (S2).
* document_instruction 文件批办: 30 days (S2).
* upper_directive 上级交办: 5 / 15 / 30 days, as a leader's instruction (see below).
* deputies_proposal 建议提案: 3 months, complex 6 months (S5).

Days are calendar days; a source without a rule for the urgency asked for uses its
``normal`` rule. An upper organ's assignment normally carries its own deadline (which
wins); when it does not, it is given the terms of a leader's instruction, being likewise
an instruction from above. A calendar-day or month deadline that falls on a non-workday
moves to the next workday (``roll_to_workday``, on by default), as offices commonly do.
"""

from __future__ import annotations

import calendar as _calendar_module
from datetime import date, timedelta
from typing import Any, Final, Self

from pydantic import Field

from secretarial.errors import FieldProblem, UsageError, ValidationError
from secretarial.kernel._calendar import WorkCalendar, provisional_years_of
from secretarial.kernel._enums import LabeledEnum
from secretarial.kernel._values import Name, Text, Value

from ._enums import SupervisionSource

__all__ = [
    "ComputedDeadline",
    "DeadlinePolicy",
    "DeadlineRule",
    "DeadlineUnit",
    "ItemUrgency",
    "ProvisionalMark",
    "SourceDeadlines",
    "add_months",
    "computed_fields",
    "describe_deadline",
    "resolve_deadline",
]

_MAX_ROLL_DAYS: Final = 366
"""How far a deadline may be moved looking for a workday before the calendar is judged broken."""


class DeadlineUnit(LabeledEnum):
    """What a deadline counts."""

    CALENDAR_DAYS = "calendar_days", "自然日"
    WORKING_DAYS = "working_days", "工作日"
    MONTHS = "months", "个月"


class ItemUrgency(LabeledEnum):
    """How pressing a supervised matter is, which picks its default term (S2, S5)."""

    URGENT = "urgent", "紧急"
    NORMAL = "normal", "一般"
    COMPLEX = "complex", "复杂"


class DeadlineRule(Value):
    """A term counted from the start date: an amount of calendar days, working days or months.

    Attributes:
        amount: How many units, at least 1.
        unit: What is counted.
        basis: Where the rule comes from (``"S2"``, ``"S5"``, a local regulation's name).
    """

    amount: int = Field(ge=1)
    unit: DeadlineUnit
    basis: str = Field(default="local", min_length=1, max_length=200)

    def __str__(self) -> str:
        unit = self.unit.value.replace("_", " ")
        if self.amount == 1:
            unit = unit.removesuffix("s")
        return f"{self.amount} {unit} ({self.basis})"


class SourceDeadlines(Value):
    """The terms for one source of supervision items, by urgency.

    Attributes:
        normal: The term when nothing else applies.
        urgent: The term of an urgent item; None uses ``normal``.
        complex: The term of a complex item; None uses ``normal``.
    """

    normal: DeadlineRule
    urgent: DeadlineRule | None = None
    complex: DeadlineRule | None = None

    def rule_for(self, urgency: ItemUrgency) -> DeadlineRule:
        """The rule for ``urgency``, falling back to ``normal`` where none is set."""
        if urgency is ItemUrgency.URGENT and self.urgent is not None:
            return self.urgent
        if urgency is ItemUrgency.COMPLEX and self.complex is not None:
            return self.complex
        return self.normal


def _days(amount: int, basis: str) -> DeadlineRule:
    return DeadlineRule(amount=amount, unit=DeadlineUnit.CALENDAR_DAYS, basis=basis)


def _instruction_terms(basis: str) -> SourceDeadlines:
    return SourceDeadlines(
        urgent=_days(5, basis), normal=_days(15, basis), complex=_days(30, basis)
    )


class ProvisionalMark(Value):
    """Why a date is provisional: it depends on calendar years whose notice is not loaded.

    Such a year's data is derived from the law (its statutory holidays, weekends off);
    the State Council's notice may still move days (调休 working days on weekends, 补假
    days off), so the date may change when the notice is loaded.

    Attributes:
        calendar: Id of the calendar the date was computed with.
        years: The provisional years the date depends on, oldest first.
        reason: Why, in a sentence a person can act on.
    """

    calendar: Name
    years: tuple[int, ...] = Field(min_length=1)
    reason: Text

    @classmethod
    def of(cls, calendar_id: str, years: tuple[int, ...]) -> ProvisionalMark:
        """The mark of a date computed with ``calendar_id`` over provisional ``years``."""
        listed = ", ".join(map(str, years))
        return cls(
            calendar=calendar_id,
            years=years,
            reason=(
                f"calendar {calendar_id!r} has no published arrangement for {listed}: the "
                "date counts the statutory holidays of the law only, and the year's notice "
                "(调休, 补假) may move it"
            ),
        )

    def __str__(self) -> str:
        return f"provisional ({', '.join(map(str, self.years))} not published)"


class ComputedDeadline(Value):
    """A deadline and how it was arrived at.

    Attributes:
        due: The deadline (the last day on which the matter is on time).
        explicit: Whether it was given explicitly rather than computed.
        start: The day the term was counted from; None for an explicit deadline.
        source: The item's source; None for an explicit deadline.
        urgency: The urgency the rule was picked for; None for an explicit deadline.
        rule: The rule used; None for an explicit deadline.
        calendar_id: Id of the working-day calendar the date depends on, or None if no
            calendar was consulted (an explicit deadline, or calendar days / months with
            ``roll_to_workday`` off). A calendar-day deadline checked for falling on a
            workday does depend on the calendar, and records it.
        moved_from: The date the term ended on, if that was not a workday and the
            deadline was moved to the next workday; None otherwise.
        provisional: The calendar's provisional years the date depends on (derived from
            the law, their notice not yet loaded), oldest first; empty when it depends
            only on published data. A working-day count depends on every day it walks
            over; a calendar-day or month term only on the days it was rolled over.
    """

    due: date
    explicit: bool = False
    start: date | None = None
    source: SupervisionSource | None = None
    urgency: ItemUrgency | None = None
    rule: DeadlineRule | None = None
    calendar_id: str | None = None
    moved_from: date | None = None
    provisional: tuple[int, ...] = ()

    @property
    def mark(self) -> ProvisionalMark | None:
        """The provisional mark of the date, or None when it rests on published data."""
        if not self.provisional or self.calendar_id is None:
            return None
        return ProvisionalMark.of(self.calendar_id, self.provisional)


class DeadlinePolicy(Value):
    """Which default deadline a supervision item gets, by source and urgency (S2, S5).

    ``DeadlinePolicy()`` holds the defaults tabled in this module's docstring. Change
    them by passing other :class:`SourceDeadlines` (e.g. a meeting's decisions due in 5
    working days) or with :meth:`with_urgent_days`.

    Attributes:
        leader_instruction: Terms for leaders' instructions 领导批示 (S2).
        meeting_decision: Terms for meeting decisions and minutes 会议决定 (S2).
        document_instruction: Terms for items from documents 文件批办 (S2).
        upper_directive: Terms for an upper organ's assignment 上级交办 without its own
            deadline: those of a leader's instruction by default.
        deputies_proposal: Terms for deputies' proposals 建议提案 (S5): 3 months,
            complex ones 6.
        roll_to_workday: Whether a calendar-day or month deadline that falls on a
            non-workday moves to the next workday. Working-day deadlines always end on
            a workday.
    """

    leader_instruction: SourceDeadlines = _instruction_terms("S2")
    meeting_decision: SourceDeadlines = SourceDeadlines(normal=_days(20, "S2"))
    document_instruction: SourceDeadlines = SourceDeadlines(normal=_days(30, "S2"))
    upper_directive: SourceDeadlines = _instruction_terms("S2 (as a leader's instruction)")
    deputies_proposal: SourceDeadlines = SourceDeadlines(
        normal=DeadlineRule(amount=3, unit=DeadlineUnit.MONTHS, basis="S5"),
        complex=DeadlineRule(amount=6, unit=DeadlineUnit.MONTHS, basis="S5"),
    )
    roll_to_workday: bool = True

    def terms_for(self, source: SupervisionSource) -> SourceDeadlines:
        """The terms for items from ``source``."""
        match SupervisionSource(source):
            case SupervisionSource.LEADER_INSTRUCTION:
                return self.leader_instruction
            case SupervisionSource.MEETING_DECISION:
                return self.meeting_decision
            case SupervisionSource.DOCUMENT_INSTRUCTION:
                return self.document_instruction
            case SupervisionSource.UPPER_DIRECTIVE:
                return self.upper_directive
            case SupervisionSource.DEPUTIES_PROPOSAL:
                return self.deputies_proposal

    def rule_for(
        self, source: SupervisionSource, urgency: ItemUrgency = ItemUrgency.NORMAL
    ) -> DeadlineRule:
        """The rule for an item from ``source`` of ``urgency`` (``normal`` if none is set)."""
        return self.terms_for(source).rule_for(ItemUrgency(urgency))

    def with_urgent_days(
        self,
        days: int,
        *,
        sources: tuple[SupervisionSource, ...] = (
            SupervisionSource.LEADER_INSTRUCTION,
            SupervisionSource.UPPER_DIRECTIVE,
        ),
    ) -> Self:
        """A copy in which urgent items from ``sources`` are due in ``days`` calendar days.

        Args:
            days: The urgent term, 1 to 5 days (S2).
            sources: Whose urgent term to set; instructions from above by default.

        Raises:
            ValidationError: ``days`` is not between 1 and 5.
        """
        if not 1 <= days <= 5:  # noqa: PLR2004 -- S2: urgent is 1-5 days
            raise ValidationError(
                "DeadlinePolicy",
                [FieldProblem("urgent_days", "S2", f"urgent items take 1-5 days, got {days}")],
            )
        update = {
            str(s): self.terms_for(s).model_copy(update={"urgent": _days(days, "S2")})
            for s in map(SupervisionSource, sources)
        }
        return self.model_copy(update=update)

    def default_deadline(
        self,
        source: SupervisionSource,
        start: date,
        calendar: WorkCalendar,
        urgency: ItemUrgency = ItemUrgency.NORMAL,
    ) -> ComputedDeadline:
        """The default deadline of an item from ``source`` counted from ``start``.

        Calendar days and months are counted from ``start`` (30 days from 2025-09-01 is
        2025-10-01; 3 months from 2025-01-31 is 2025-04-30); working days are counted
        strictly after ``start`` with ``calendar.add_workdays``. A calendar-day or month
        deadline on a non-workday then moves to the next workday if
        ``roll_to_workday`` is set.

        Args:
            source: Where the item comes from.
            start: The day counting starts from (the item's assignment or receipt).
            calendar: The working-day calendar.
            urgency: How pressing the item is; picks the rule.

        Raises:
            CalendarCoverageError: The calendar has no data for a day the computation
                needs; the deadline is not guessed (W2).
        """
        urgency = ItemUrgency(urgency)
        source = SupervisionSource(source)
        rule = self.rule_for(source, urgency)
        moved_from: date | None = None
        calendar_id: str | None = None
        provisional: tuple[int, ...] = ()
        if rule.unit is DeadlineUnit.WORKING_DAYS:
            due = calendar.add_workdays(start, rule.amount)
            calendar_id = calendar.id
            provisional = provisional_years_of(calendar, start + timedelta(days=1), due)
        else:
            if rule.unit is DeadlineUnit.MONTHS:
                due = add_months(start, rule.amount)
            else:
                due = start + timedelta(days=rule.amount)
            if self.roll_to_workday:
                calendar_id = calendar.id
                rolled = _next_workday_on_or_after(calendar, due)
                provisional = provisional_years_of(calendar, due, rolled)
                if rolled != due:
                    due, moved_from = rolled, due
        return ComputedDeadline(
            due=due,
            start=start,
            source=source,
            urgency=urgency,
            rule=rule,
            calendar_id=calendar_id,
            moved_from=moved_from,
            provisional=provisional,
        )


def resolve_deadline(
    explicit: date | None,
    source: SupervisionSource,
    start: date,
    calendar: WorkCalendar,
    *,
    urgency: ItemUrgency = ItemUrgency.NORMAL,
    policy: DeadlinePolicy | None = None,
) -> ComputedDeadline:
    """The item's deadline: ``explicit`` if given, else the policy's default (S2).

    An explicit deadline is taken as given: it is not moved off a non-workday and the
    calendar is not consulted.

    Args:
        explicit: The deadline the instruction, minutes or document set, if any.
        source: Where the item comes from.
        start: The day counting starts from.
        calendar: The working-day calendar.
        urgency: How pressing the item is.
        policy: The policy; the defaults (``DeadlinePolicy()``) if None.

    Raises:
        CalendarCoverageError: No explicit deadline, and the calendar has no data for a
            day the default deadline needs.
    """
    if explicit is not None:
        return ComputedDeadline(due=explicit, explicit=True)
    return (policy or _DEFAULT_POLICY).default_deadline(source, start, calendar, urgency)


def describe_deadline(computed: ComputedDeadline) -> str:
    """How a computed deadline was arrived at, in one line (stored with the item)."""
    rule = computed.rule
    if computed.explicit or rule is None or computed.start is None:
        return "explicit"
    text = (
        f"{rule.basis}: {rule.amount} {rule.unit.value.replace('_', ' ')} "
        f"from {computed.start.isoformat()}"
    )
    if computed.source is not None:
        text += f" ({computed.source.value}, {computed.urgency or 'normal'})"
    if computed.moved_from is not None:
        text += f"; moved from {computed.moved_from.isoformat()} to the next workday"
    if computed.provisional:
        text += f"; provisional: {', '.join(map(str, computed.provisional))} not published"
    return text


def computed_fields(computed: ComputedDeadline) -> dict[str, Any]:
    """The item fields that record how a computed deadline was arrived at.

    The calendar, the rule and, when the date depends on a provisional calendar year,
    its :class:`ProvisionalMark`.
    """
    fields: dict[str, Any] = {
        "deadline_calendar": computed.calendar_id,
        "deadline_rule": describe_deadline(computed),
    }
    mark = computed.mark
    if mark is not None:
        fields["deadline_provisional"] = mark
    return fields


def add_months(start: date, months: int) -> date:
    """``start`` moved by ``months`` calendar months, clamped to the end of a short month.

    2025-01-31 plus 1 month is 2025-02-28; plus 3 months, 2025-04-30.
    """
    index = start.year * 12 + start.month - 1 + months
    year, month = divmod(index, 12)
    last_day = _calendar_module.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(start.day, last_day))


def _next_workday_on_or_after(calendar: WorkCalendar, day: date) -> date:
    """The first workday on or after ``day``.

    Raises:
        CalendarCoverageError: The calendar runs out of data first.
        UsageError: No workday within a year (a broken calendar).
    """
    current = day
    for _ in range(_MAX_ROLL_DAYS):
        if calendar.is_workday(current):
            return current
        current += timedelta(days=1)
    raise UsageError(f"calendar {calendar.id!r} has no workday within a year after {day}")


_DEFAULT_POLICY: Final = DeadlinePolicy()
