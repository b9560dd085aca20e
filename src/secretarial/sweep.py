"""The sweep: issue every reminder, escalation and report request that is due today.

Each due step (see :func:`secretarial.reminders.due_reminders`) is recorded by firing the
entity's ``remind`` trigger, in its own unit of work, so the reminder and its audit
event are stored together. Workers that sweep the same office at the same time do not
issue a step twice: a save based on a stale version raises
:class:`~secretarial.errors.ConcurrencyConflict`, the entity is read again and the steps
still due are worked out afresh; a step another worker recorded in between is no longer
due (or is refused by rule ``REMINDER``) and is reported as skipped.

Given an :class:`~secretarial.EmergencyPolicy`, the sweep also records every emergency
time limit (I1) gone late without a report (see :func:`secretarial.emergency_due`) as a
report request (``emergency:first_by_phone`` ...), on any day, working or not: those
limits are counted in minutes, so sweep often (every minute or so) to hear of them in time.

On a working day the sweep also assesses every open matter's risk of lateness
(:mod:`secretarial.risk`) as of its moment, before it records anything, and lists those
at medium or high risk first (``SweepReport.at_risk``, with their reasons). The listing
records nothing; only a policy with ``remind_at_risk`` turns a risk into a reminder step
(``risk:medium``, ``risk:high``), recorded like every other step.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, tzinfo
from typing import Final, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from secretarial.engine._fire import FireContext, fire_trigger
from secretarial.engine._ports import Store
from secretarial.errors import (
    CalendarCoverageError,
    ConcurrencyConflict,
    NotFound,
    TransitionNotAllowed,
    UsageError,
)
from secretarial.information._model import EmergencyPolicy, InformationItem, emergency_due
from secretarial.kernel._audit import AuditEvent
from secretarial.kernel._calendar import WorkCalendar
from secretarial.kernel._checkpoint import Checkpoint
from secretarial.kernel._entity import Entity
from secretarial.kernel._enums import Classification, EntityKind, Role
from secretarial.kernel._query import Query
from secretarial.kernel._reminders import DueReminder
from secretarial.kernel._values import Actor, RefusingModelMeta
from secretarial.reminders import ReminderPolicy, due_reminders
from secretarial.risk import RISK_KINDS, RiskAssessment, RiskReport, risk_report
from secretarial.supervision._model import SupervisionItem

__all__ = ["SYSTEM_ACTOR", "SkippedReminder", "SweepReport", "sweep_reminders"]

SYSTEM_ACTOR: Final = Actor(
    id="system",
    name="系统",
    roles=frozenset({Role.SYSTEM.value}),
    clearance=Classification.TOP_SECRET,
)
"""Who issues reminders when a sweep names nobody: the office itself, seeing everything."""

_REMIND: Final = "remind"
"""The trigger that records a reminder step."""

_ATTEMPTS: Final = 5
"""How often one entity is read again after losing a race before its steps are skipped."""


class _Value(BaseModel, metaclass=RefusingModelMeta):
    """Base of the sweep's results: immutable, no unknown fields."""

    model_config = ConfigDict(frozen=True, extra="forbid")


SkipReason = Literal[
    "already_recorded", "no_longer_due", "conflict", "refused", "calendar_coverage"
]


class SkippedReminder(_Value):
    """A step a sweep did not issue, and why.

    Attributes:
        entity_id: The entity concerned.
        step: The step, or None when no step could be worked out (calendar coverage).
        reason: ``already_recorded`` (another worker issued it first),
            ``no_longer_due`` (the entity changed meanwhile: closed, deadline moved),
            ``conflict`` (the entity kept changing; the next sweep tries again),
            ``refused`` (the ``remind`` trigger refused, e.g. the actor's role) or
            ``calendar_coverage`` (a date the schedule needs is not in the calendar).
        detail: The refusal or error, in words.
    """

    entity_id: str
    step: str | None = None
    reason: SkipReason
    detail: str = ""


class SweepReport(_Value):
    """What one sweep did.

    Attributes:
        at: When the sweep ran (the ``now`` it was given, in the office's time zone).
        day: The office's local date it swept for.
        workday: Whether ``day`` is a working day; no step of the reminder policy is due
            on other days (emergency time limits are, every day).
        checked: How many open entities with a deadline, a report cycle or an emergency
            time limit it looked at.
        issued: The steps it recorded, in the order it recorded them; deliver these.
        skipped: The steps (or entities) it left alone, with the reason.
        provisional: Open items whose deadline is still provisional (it depends on a
            calendar year whose notice is not loaded), earliest deadline first: load
            the notice to confirm them.
        checkpoint: The checkpoint taken after the sweep, if one was asked for.
        at_risk: The open matters at medium or high risk of lateness at the sweep's
            moment (before it recorded anything), highest score first, each with the
            parts of its score; empty on a day that is not a working day.
    """

    at: AwareDatetime
    day: date
    workday: bool
    checked: int = Field(default=0, ge=0)
    issued: tuple[DueReminder, ...] = ()
    skipped: tuple[SkippedReminder, ...] = ()
    provisional: tuple[str, ...] = ()
    checkpoint: Checkpoint | None = None
    at_risk: tuple[RiskAssessment, ...] = ()

    def _repr_markdown_(self) -> str:
        head = (
            f"**Sweep {self.day.isoformat()}** — {len(self.issued)} issued, "
            f"{len(self.skipped)} skipped, {self.checked} checked"
        )
        lines = [head, ""]
        lines.extend(
            f"- at risk: `{a.entity_id}` {a.level.value} ({a.score}) — {a.reasons}"
            for a in self.at_risk
        )
        lines.extend(
            f"- `{r.entity_id}` {r.step} ({r.kind.label}) → {', '.join(r.to)}" for r in self.issued
        )
        if self.provisional:
            ids = ", ".join(f"`{i}`" for i in self.provisional)
            lines.append(f"- provisional deadlines to confirm: {ids}")
        return "\n".join(lines)


def sweep_reminders(
    store: Store,
    context: FireContext,
    *,
    policy: ReminderPolicy,
    calendar: WorkCalendar,
    tz: tzinfo,
    emergency: EmergencyPolicy | None = None,
) -> SweepReport:
    """Record every step of ``policy`` due on ``now``'s local day, once each.

    With ``emergency``, also every emergency time limit late at ``now`` (I1), any day.

    Args:
        store: The office's store.
        context: The office's workflows and numbering, who issues the reminders (the
            ``remind`` trigger's role check applies) and the moment of the sweep,
            timezone-aware: reminders are recorded at it.
        policy: The reminder policy.
        calendar: The working-day calendar.
        tz: The office's time zone, which decides the local day.
        emergency: The emergency time limits; None leaves emergencies alone.

    Returns:
        What was issued and what was skipped.

    Raises:
        CalendarCoverageError: The calendar has no data for the day itself.
        UsageError: ``now`` is naive.
    """
    now = context.now
    if now.tzinfo is None or now.utcoffset() is None:
        raise UsageError(f"a sweep needs a timezone-aware moment, got {now!r}")
    now = now.astimezone(tz)
    context = context._replace(now=now)
    workflows = context.workflows
    today = now.date()
    workday = calendar.is_workday(today)
    if not workday and emergency is None:
        return SweepReport(at=now, day=today, workday=False)
    issued: list[DueReminder] = []
    skipped: list[SkippedReminder] = []
    checked = 0
    # On a day off only emergencies can be due: look at information items alone.
    query = (
        Query(open_only=True)
        if workday
        else Query(kinds=frozenset({EntityKind.INFORMATION_ITEM}), open_only=True)
    )
    authorize = context.authorize
    risks = _risks(store, context, policy, calendar, tz) if workday else None
    for entity in store.find(query):
        if authorize is not None and authorize(context.actor, entity) is not None:
            continue  # what the sweeping actor may not see is not theirs to chase
        reporting = emergency is not None and _reporting_emergency(entity)
        if entity.deadline is None and not policy.reports_expected(entity) and not reporting:
            continue
        workflow = workflows.get(entity.entity_kind)
        if workflow is None or _REMIND not in workflow.triggers:
            continue  # a kind this office does not run, or one without reminders
        checked += 1
        sweeper = _EntitySweep(
            store=store,
            context=context,
            policy=policy,
            calendar=calendar,
            tz=tz,
            emergency=emergency,
            risk=risks.of(entity.id) if risks is not None else None,
        )
        sweeper.run(entity)
        issued += sweeper.issued
        skipped += sweeper.skipped
    return SweepReport(
        at=now,
        day=today,
        workday=workday,
        checked=checked,
        issued=tuple(issued),
        skipped=tuple(skipped),
        at_risk=risks.at_risk if risks is not None else (),
    )


def _risks(
    store: Store, context: FireContext, policy: ReminderPolicy, calendar: WorkCalendar, tz: tzinfo
) -> RiskReport:
    """The risk of lateness of what the sweeping actor may see, as of the sweep's moment."""
    authorize = context.authorize
    workflows = context.workflows
    entities = [
        e
        for e in store.find(Query(kinds=RISK_KINDS))
        if authorize is None or authorize(context.actor, e) is None
    ]

    def replay(events: Sequence[AuditEvent]) -> Entity:
        rebuilt: Entity = workflows[events[0].entity_kind].replay(events)
        return rebuilt

    return risk_report(
        entities,
        events=store.events,
        replay=replay,
        calendar=calendar,
        timezone=tz,
        as_of=context.now,
        policy=policy.risk,
    )


def _reporting_emergency(entity: Entity) -> bool:
    """Whether ``entity`` is an emergency item still owing reports (no final report yet)."""
    return isinstance(entity, InformationItem) and entity.emergency and entity.final_report is None


class _EntitySweep:
    """Issue one entity's due steps, reading it again whenever another writer wins."""

    def __init__(
        self,
        *,
        store: Store,
        context: FireContext,
        policy: ReminderPolicy,
        calendar: WorkCalendar,
        tz: tzinfo,
        emergency: EmergencyPolicy | None = None,
        risk: RiskAssessment | None = None,
    ) -> None:
        self._store = store
        self._context = context
        self._policy = policy
        self._calendar = calendar
        self._now = context.now
        self._tz = tz
        self._emergency = emergency
        self._risk = risk
        self.issued: list[DueReminder] = []
        self.skipped: list[SkippedReminder] = []

    def run(self, entity: Entity) -> None:
        pending: list[DueReminder] = []
        for _ in range(_ATTEMPTS):
            try:
                due = self._due(entity)
            except CalendarCoverageError as e:
                self._skip(entity.id, None, "calendar_coverage", str(e))
                return
            self._settle(entity, pending, due)
            pending = self._issue(entity, due)
            if not pending:
                return
            try:
                entity = self._store.get(entity.id)
            except NotFound as e:  # pragma: no cover -- entities are never deleted
                self._skip(entity.id, None, "no_longer_due", str(e))
                return
        for reminder in pending:
            self._skip(
                reminder.entity_id,
                reminder.step,
                "conflict",
                f"the entity kept changing during {_ATTEMPTS} attempts; the next sweep retries",
            )

    def _due(self, entity: Entity) -> list[DueReminder]:
        """The steps due now: the reminder policy's, then the emergency limits gone late."""
        due = due_reminders(
            entity,
            self._policy,
            self._calendar,
            self._now.date(),
            tz=self._tz,
            cycle_start=self._cycle_start(entity),
            risk=self._risk,
        )
        if self._emergency is not None and isinstance(entity, InformationItem):
            late = emergency_due(entity, self._emergency, self._now)
            due += [step.as_due_reminder() for step in late]
        return due

    def _issue(self, entity: Entity, due: list[DueReminder]) -> list[DueReminder]:
        """Fire ``remind`` for each step; return the steps left when a race was lost."""
        for index, reminder in enumerate(due):
            try:
                entity = fire_trigger(
                    self._store,
                    self._context,
                    entity.id,
                    _REMIND,
                    data=reminder.remind_input(),
                    expected_version=entity.version,
                )
            except ConcurrencyConflict:
                return due[index:]
            except TransitionNotAllowed as e:
                reason: SkipReason = "already_recorded" if e.rule_code == "REMINDER" else "refused"
                self._skip(reminder.entity_id, reminder.step, reason, str(e))
                continue
            self.issued.append(reminder)
        return []

    def _settle(self, entity: Entity, pending: list[DueReminder], due: list[DueReminder]) -> None:
        """Report the steps a lost race left pending that are no longer due."""
        still = {r.step for r in due}
        for reminder in pending:
            if reminder.step in still:
                continue
            if entity.reminded(reminder.step):
                self._skip(
                    entity.id,
                    reminder.step,
                    "already_recorded",
                    "another worker recorded it first",
                )
            else:
                self._skip(
                    entity.id,
                    reminder.step,
                    "no_longer_due",
                    f"{entity.id} changed meanwhile (now {entity.state}, version {entity.version})",
                )

    def _cycle_start(self, entity: Entity) -> date | None:
        """The day the item's report cycle began (its acceptance), if the policy needs it.

        Only asked for an item that owes reports and has filed none yet: once a report
        is on file, the cycle runs from the latest report.
        """
        if not self._policy.reports_expected(entity):
            return None
        assert isinstance(entity, SupervisionItem)  # noqa: S101 -- reports_expected checked it
        if entity.progress_reports:
            return None
        accepted = [e.at for e in self._store.events(entity.id) if e.trigger == "accept"]
        return accepted[-1].astimezone(self._tz).date() if accepted else None

    def _skip(self, entity_id: str, step: str | None, reason: SkipReason, detail: str) -> None:
        self.skipped.append(
            SkippedReminder(entity_id=entity_id, step=step, reason=reason, detail=detail)
        )
