"""The reminder policy (催办): which reminders, escalations and report requests are due.

Everything here is pure. :func:`due_reminders` is given an entity, a
:class:`ReminderPolicy`, a :class:`~secretarial.WorkCalendar` and the office's local date,
and answers which policy steps are due on that day and not yet recorded on the entity.
It never reads a clock and never writes anything; the sweep (``secretarial.sweep``)
records each step with the entity's ``remind`` trigger.

The schedule, for an entity with a deadline ``D`` (a calendar date), on a working day
``T``:

* ``before:N`` — ``T`` is on or after the ``N``-th working day before ``D`` (there are at
  most ``N`` working days left, ``T`` included, before ``D``).
* ``due`` — ``T`` is ``D``; when ``D`` is not a working day, ``T`` is the last working
  day before it (and ``due`` takes the place of ``before:1`` that day).
* ``overdue:K`` — ``T`` is the ``K``-th working day after ``D``.
* ``escalate`` — ``T`` is on or after the ``M``-th working day after ``D``
  (``M = escalate_after``), issued once together with ``overdue:M``.
* ``report:S`` — a supervision item with a report cycle has not reported progress since
  ``S`` (its acceptance or last report) for a whole cycle.
* ``risk:L`` — opt-in (``remind_at_risk``): the entity's risk of lateness
  (:mod:`secretarial.risk`) has reached level ``L`` before its deadline, and no risk
  step of level ``L`` or higher was recorded for this deadline.

Catch-up: on each day only the *latest* deadline step is due (the one that describes
the entity's position on that day); steps of days on which no sweep ran are not issued
later. Escalation, a one-off, is issued as soon as it is due, whenever the sweep runs.
No step is due on a day that is not a working day.

Idempotency: a step already in ``entity.reminders`` is never due again. When the
deadline moves (a granted extension), the schedule starts again for the new deadline,
and the keys of steps already recorded for an earlier deadline carry the new deadline
(``before:3@2025-10-31``), so each is recorded once per deadline.

Calendars never guess (W2): any date the schedule needs that lies outside the
calendar's coverage raises :class:`~secretarial.errors.CalendarCoverageError`.
"""

from __future__ import annotations

import re
from datetime import date, datetime, tzinfo
from typing import Annotated, Final

from dateutil.relativedelta import relativedelta
from pydantic import Field, field_validator
from pydantic_core import PydanticCustomError

from secretarial.documents._enums import IncomingState
from secretarial.documents._model import IncomingDocument, OutgoingDocument
from secretarial.errors import CalendarCoverageError, UsageError
from secretarial.kernel._calendar import WorkCalendar
from secretarial.kernel._entity import Entity
from secretarial.kernel._enums import Classification, ReminderKind
from secretarial.kernel._reminders import DueReminder
from secretarial.kernel._values import Name, Value
from secretarial.kernel._verbs import handed_to
from secretarial.risk import RiskAssessment, RiskLevel, RiskPolicy
from secretarial.supervision._enums import ReportCycle, SupervisionState
from secretarial.supervision._model import SupervisionItem

__all__ = [
    "REPORT_CYCLE_LENGTHS",
    "ReminderPolicy",
    "due_reminders",
]

REPORT_CYCLE_LENGTHS: Final[dict[ReportCycle, relativedelta]] = {
    ReportCycle.WEEKLY: relativedelta(weeks=1),
    ReportCycle.BIWEEKLY: relativedelta(weeks=2),
    ReportCycle.MONTHLY: relativedelta(months=1),
    ReportCycle.QUARTERLY: relativedelta(months=3),
}
"""How long one report period of each cycle is (calendar time; months clamp to month end)."""

_CYCLE_MAX_DAYS: Final[dict[ReportCycle, int]] = {
    ReportCycle.WEEKLY: 7,
    ReportCycle.BIWEEKLY: 14,
    ReportCycle.MONTHLY: 31,
    ReportCycle.QUARTERLY: 92,
}
"""The longest a period of each cycle can be, in days (to skip ahead when counting)."""

_REPORTING_STATES: Final = frozenset(
    {SupervisionState.IN_PROGRESS.value, SupervisionState.EXTENSION_REQUESTED.value}
)
"""States in which an undertaker owes periodic progress reports."""

_TITLE_CHARS: Final = 40
"""How much of a title a reminder message quotes."""

_WorkdayCount = Annotated[int, Field(ge=1, le=250)]


class ReminderPolicy(Value):
    """When an office reminds, escalates and asks for progress reports.

    The defaults: remind 3 and 1 working days before the deadline, on the deadline day
    and on every working day overdue; escalate on the 3rd overdue working day; ask for
    a progress report when a supervision item's report cycle passes without one.

    Attributes:
        before: Working days before the deadline on which to remind (``before:N``),
            e.g. ``(3, 1)``; kept largest first. Empty: no advance reminders.
        on_deadline: Remind on the deadline day (``due``); when the deadline is not a
            working day, on the last working day before it.
        overdue: Remind on every working day the entity is overdue (``overdue:K``).
        escalate_after: Escalate to the supervisor on this overdue working day
            (``escalate``, once per deadline); None never escalates.
        report_cycles: Ask for progress reports by a supervision item's
            ``report_cycle`` (``report:S``).
        paused_states: States in which the matter waits on the office rather than the
            undertaker, so deadline reminders pause: a supervision item whose result
            was reported (``reported``), an incoming document whose handling was
            completed and awaits filing (``completed``).
        remind_at_risk: Also remind (``risk:medium``, ``risk:high``) when an entity's
            risk of lateness reaches this level before its deadline, once per level
            per deadline; None (the default) reminds by dates alone.
        risk: The rules of the risk score (:class:`~secretarial.risk.RiskPolicy`),
            which the brief, the sweep and ``remind_at_risk`` apply.
    """

    before: tuple[_WorkdayCount, ...] = (3, 1)
    on_deadline: bool = True
    overdue: bool = True
    escalate_after: _WorkdayCount | None = 3
    report_cycles: bool = True
    paused_states: frozenset[Name] = frozenset(
        {SupervisionState.REPORTED.value, IncomingState.COMPLETED.value}
    )
    remind_at_risk: RiskLevel | None = None
    risk: RiskPolicy = RiskPolicy()

    @field_validator("remind_at_risk")
    @classmethod
    def _a_level_worth_a_reminder(cls, value: RiskLevel | None) -> RiskLevel | None:
        if value is RiskLevel.LOW:
            raise PydanticCustomError(
                "risk_level_reminded",
                "every open entity is at least at low risk: remind_at_risk takes medium or high",
                {"expected": "'medium', 'high' or None"},
            )
        return value

    @field_validator("before")
    @classmethod
    def _distinct_largest_first(cls, value: tuple[int, ...]) -> tuple[int, ...]:
        if len(set(value)) != len(value):
            raise ValueError(f"each day count appears once in before, got {value}")
        return tuple(sorted(value, reverse=True))

    def reports_expected(self, entity: Entity) -> bool:
        """Whether ``entity`` owes periodic progress reports under this policy now.

        True for an open supervision item with a report cycle whose undertaker has
        accepted it and not yet reported the result (``in_progress`` or
        ``extension_requested``).
        """
        return (
            self.report_cycles
            and isinstance(entity, SupervisionItem)
            and entity.report_cycle is not ReportCycle.NONE
            and str(entity.state) in _REPORTING_STATES
        )


def due_reminders(
    entity: Entity,
    policy: ReminderPolicy,
    calendar: WorkCalendar,
    today: date,
    *,
    tz: tzinfo | None = None,
    cycle_start: date | None = None,
    risk: RiskAssessment | None = None,
) -> list[DueReminder]:
    """The steps of ``policy`` due for ``entity`` on ``today`` and not yet recorded.

    Recording every returned step (the ``remind`` trigger) and asking again on the same
    day returns nothing: the function is idempotent. Closed entities and days that are
    not working days get nothing; an entity in one of ``policy.paused_states`` gets no
    deadline steps.

    Args:
        entity: The entity, as stored (its ``reminders`` say what was issued).
        policy: The reminder policy.
        calendar: The working-day calendar.
        today: The office's local date.
        tz: The office's time zone, to tell on which local day a progress report was
            filed or the entity created; None takes each timestamp's own offset.
        cycle_start: The day the item's report cycle began (its acceptance); None
            uses the day the entity was created.
        risk: The entity's risk assessment on ``today``, for ``policy.remind_at_risk``;
            None gives no risk step.

    Returns:
        The due steps: at most one deadline step, then an escalation, then a report
        request, then a risk step, each at most once.

    Raises:
        CalendarCoverageError: ``today``, or a day the schedule depends on, is outside
            the calendar's coverage (W2: never guessed).
        UsageError: ``today`` is a datetime rather than a date.
    """
    if isinstance(today, datetime):
        raise UsageError(f"due_reminders takes the office's local date, not the datetime {today!r}")
    if not entity.is_open or not calendar.is_workday(today):
        return []
    due: list[DueReminder] = []
    deadline = entity.deadline
    if deadline is not None and str(entity.state) not in policy.paused_states:
        due.extend(_deadline_steps(entity, deadline, policy, calendar, today))
    if policy.reports_expected(entity):
        assert isinstance(entity, SupervisionItem)  # noqa: S101 -- reports_expected checked it
        report = _report_step(entity, today, tz, cycle_start)
        if report is not None:
            due.append(report)
    if deadline is not None and str(entity.state) not in policy.paused_states:
        due += _risk_step(entity, deadline, policy, risk, today)
    return due


# ============================================================================ deadline steps
def _deadline_steps(
    entity: Entity, deadline: date, policy: ReminderPolicy, calendar: WorkCalendar, today: date
) -> list[DueReminder]:
    if today < deadline:
        return _before_steps(entity, deadline, policy, calendar, today)
    if today == deadline:
        if not policy.on_deadline:
            return []
        return _keep(entity, deadline, today, kind=ReminderKind.REMINDER, step="due", left=0)
    overdue = calendar.workdays_between(deadline, today)
    steps: list[DueReminder] = []
    if policy.overdue:
        step = f"overdue:{overdue}"
        steps += _keep(
            entity, deadline, today, kind=ReminderKind.REMINDER, step=step, left=-overdue
        )
    if policy.escalate_after is not None and overdue >= policy.escalate_after:
        steps += _keep(
            entity, deadline, today, kind=ReminderKind.ESCALATION, step="escalate", left=-overdue
        )
    return steps


def _before_steps(
    entity: Entity, deadline: date, policy: ReminderPolicy, calendar: WorkCalendar, today: date
) -> list[DueReminder]:
    """The advance step due on ``today``, before the deadline: ``before:N`` or ``due``."""
    horizon = max((*policy.before, 1 if policy.on_deadline else 0))
    left = _workdays_left(calendar, today, deadline, horizon)
    if left is None or left > horizon:
        return []
    if policy.on_deadline and left == 1 and not calendar.is_workday(deadline):
        return _keep(entity, deadline, today, kind=ReminderKind.REMINDER, step="due", left=left)
    reached = [n for n in policy.before if n >= left]
    if not reached:
        return []
    step = f"before:{min(reached)}"
    return _keep(entity, deadline, today, kind=ReminderKind.REMINDER, step=step, left=left)


def _workdays_left(calendar: WorkCalendar, today: date, deadline: date, horizon: int) -> int | None:
    """Working days in ``[today, deadline)``, or None when certainly more than ``horizon``.

    When the deadline lies beyond the calendar's coverage the count is still answered
    as "more than ``horizon``" if the covered days alone hold more; otherwise the
    deadline's year is needed and the calendar's coverage error is raised.
    """
    covered = calendar.covered_years()
    if covered is not None and deadline.year > covered[1]:
        end = date(covered[1], 12, 31)
        at_least = 1 + calendar.workdays_between(today, end)  # today is a workday
        if at_least > horizon:
            return None
        raise CalendarCoverageError(calendar.id, deadline, covered)
    return -calendar.workdays_between(deadline, today)


def _key(entity: Entity, step: str, due: date) -> str:
    """The step's key: plain, unless an earlier deadline already used the plain key."""
    if any(r.step == step and r.due != due for r in entity.reminders):
        return f"{step}@{due.isoformat()}"
    return step


def _keep(
    entity: Entity,
    deadline: date,
    today: date,
    *,
    kind: ReminderKind,
    step: str,
    left: int,
) -> list[DueReminder]:
    """The step as a one-item list, or an empty list if it was already recorded."""
    key = _key(entity, step, deadline)
    if entity.reminded(key):
        return []
    return [
        DueReminder(
            entity_id=entity.id,
            entity_kind=entity.entity_kind,
            kind=kind,
            step=key,
            due=deadline,
            on=today,
            to=_addressees(entity, kind),
            message=_deadline_message(entity, deadline, kind, left),
        )
    ]


def _deadline_message(entity: Entity, deadline: date, kind: ReminderKind, left: int) -> str:
    what_zh, what_en = _subject(entity)
    day = deadline.isoformat()
    if kind is ReminderKind.ESCALATION:
        return (
            f"督办升级：{what_zh}已逾期 {-left} 个工作日（截止 {day}），请督查人员介入。"
            f" / Escalation: {what_en} is {_working_days(-left)} overdue (deadline {day});"
            " please step in."
        )
    if left < 0:
        return (
            f"催办：{what_zh}已逾期 {-left} 个工作日（截止 {day}），请尽快办理。"
            f" / Reminder: {what_en} is {_working_days(-left)} overdue (deadline {day})."
        )
    if left == 0:
        return f"催办：{what_zh}今天到期（{day}）。 / Reminder: {what_en} is due today ({day})."
    if left == 1:
        return (
            f"催办：{what_zh}将于 {day} 到期，今天是到期前最后一个工作日。"
            f" / Reminder: {what_en} is due on {day}; today is the last working day before it."
        )
    return (
        f"催办：{what_zh}将于 {day} 到期，到期前还有 {left} 个工作日（含今天）。"
        f" / Reminder: {what_en} is due on {day}; {left} working days left, today included."
    )


# ============================================================================ risk steps
def _risk_step(
    entity: Entity,
    deadline: date,
    policy: ReminderPolicy,
    risk: RiskAssessment | None,
    today: date,
) -> list[DueReminder]:
    """``risk:L`` when the assessed level ``L`` reaches ``remind_at_risk`` before the deadline.

    Once per level per deadline, and never a lower level after a higher one: a step of
    level ``L`` is due only if no risk step of level ``L`` or higher was recorded for
    this deadline. An overdue entity has its overdue steps instead.
    """
    threshold = policy.remind_at_risk
    if threshold is None or risk is None or today > deadline:
        return []
    if risk.entity_id != entity.id or risk.deadline != deadline:
        return []  # an assessment of another entity, or of an earlier deadline
    level = risk.level
    if level.rank < threshold.rank:
        return []
    for reminder in entity.reminders:
        recorded = _RISK_STEP.fullmatch(reminder.step)
        if recorded and reminder.due == deadline and RiskLevel(recorded[1]).rank >= level.rank:
            return []
    what_zh, what_en = _subject(entity)
    day = deadline.isoformat()
    zh = "；".join(f.zh for f in risk.factors)
    en = "; ".join(f.en for f in risk.factors)
    key = _key(entity, f"risk:{level.value}", deadline)
    return [
        DueReminder(
            entity_id=entity.id,
            entity_kind=entity.entity_kind,
            kind=ReminderKind.REMINDER,
            step=key,
            due=deadline,
            on=today,
            to=_addressees(entity, ReminderKind.REMINDER),
            message=(
                f"风险提示：{what_zh}有逾期风险"
                f"（{level.label}，{risk.score} 分，截止 {day}）：{zh}。"
                f" / Risk: {what_en} is at {level.value} risk of being late"
                f" (score {risk.score}, deadline {day}): {en}."
            ),
        )
    ]


_RISK_STEP: Final = re.compile(r"risk:(medium|high)(?:@.+)?")
"""A recorded risk step's key, and its level."""


# ============================================================================ report steps
def _report_step(
    item: SupervisionItem, today: date, tz: tzinfo | None, cycle_start: date | None
) -> DueReminder | None:
    cycle = item.report_cycle
    length = REPORT_CYCLE_LENGTHS[cycle]
    last = cycle_start if cycle_start is not None else _local(item.created_at, tz)
    if item.progress_reports:
        last = max(last, *(_local(r.at, tz) for r in item.progress_reports))
    if today < last + length:
        return None
    periods = max(0, (today - last).days // _CYCLE_MAX_DAYS[cycle] - 1)
    while last + length * (periods + 1) <= today:
        periods += 1
    start = last + length * (periods - 1)
    report_due = last + length * periods
    step = f"report:{start.isoformat()}"
    if item.reminded(step):
        return None
    what_zh, what_en = _subject(item)
    return DueReminder(
        entity_id=item.id,
        entity_kind=item.entity_kind,
        kind=ReminderKind.REPORT_DUE,
        step=step,
        due=report_due,
        on=today,
        to=_addressees(item, ReminderKind.REPORT_DUE),
        message=(
            f"进展催报：{what_zh}自 {last.isoformat()} 以来未报送进展"
            f"（{cycle.label}报送一次，{start.isoformat()} 起的一期应于"
            f" {report_due.isoformat()} 前报送）。"
            f" / Progress report due: no progress on {what_en} reported since"
            f" {last.isoformat()} ({cycle.value}; the report for the period from"
            f" {start.isoformat()} was due by {report_due.isoformat()})."
        ),
    )


def _working_days(count: int) -> str:
    return "1 working day" if count == 1 else f"{count} working days"


def _local(moment: datetime, tz: tzinfo | None) -> date:
    return (moment.astimezone(tz) if tz is not None else moment).date()


# ============================================================================ addressees
def _addressees(entity: Entity, kind: ReminderKind) -> tuple[str, ...]:
    """Who a step is addressed to; the entity's creator when it names nobody else.

    Reminders go to whoever handles the matter (lead unit, co-units, assignee, the
    person chasing it, the readers holding a circulating document); report requests to
    the lead unit; escalations to whoever supervises it (the supervisor who opened the
    item and the leader who gave the instruction; for a document, the leader who
    approved it and its chaser). A step handed over (转办, 退回) or waiting on the
    parties of a fan-out (会签) is addressed to them instead, escalations aside.
    """
    names: list[str | None] = []
    handed = handed_to(entity)
    if handed and kind is not ReminderKind.ESCALATION:
        # Handed over (转办, 退回) or waiting on parties (会签): they are who it waits for.
        return handed
    if kind is ReminderKind.ESCALATION:
        if isinstance(entity, SupervisionItem):
            names += [entity.created_by, entity.instructed_by]
        elif isinstance(entity, IncomingDocument):
            instruction = entity.instruction
            names += [instruction.by if instruction is not None else None, entity.chaser]
    elif isinstance(entity, SupervisionItem):
        names.append(entity.lead_unit.code if entity.lead_unit is not None else None)
        if kind is ReminderKind.REMINDER:
            names += [u.code for u in entity.co_units]
    elif isinstance(entity, IncomingDocument):
        names.append(entity.lead_unit.code if entity.lead_unit is not None else None)
        names += [u.code for u in entity.co_units]
        names += [entity.assignee, entity.chaser]
        names += entity.current_holders  # the readers holding it now (传阅)
    elif isinstance(entity, OutgoingDocument):
        unit = entity.drafting_unit
        names += [unit.code if unit is not None else None, entity.created_by]
    found = tuple(dict.fromkeys(n for n in names if n))
    return found or (entity.created_by,)


def _subject(entity: Entity) -> tuple[str, str]:
    """How a message names the entity, in Chinese and in English.

    The title is quoted only for an unclassified entity, so a reminder never carries a
    classified title to its addressees.
    """
    label = f"{entity.entity_kind.label} {entity.id}"
    english = f"{entity.entity_kind.value.replace('_', ' ')} {entity.id}"
    title = getattr(entity, "title", None) or getattr(entity, "requirement", None)
    if entity.classification is not Classification.UNCLASSIFIED or not isinstance(title, str):
        return label, english
    if len(title) > _TITLE_CHARS:
        title = title[: _TITLE_CHARS - 1] + "…"
    return f"{label}「{title}」", f"{english} ({title})"
