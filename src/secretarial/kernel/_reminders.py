"""Reminders as values: a due step (:class:`DueReminder`) and the ``remind`` row every table has."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from ._entity import Reminder
from ._enums import ReminderKind, Role
from ._rules import Rule, TransitionContext
from ._values import KindName, Name, Text, Value
from ._workflow import Input, TransitionSpec

__all__ = ["REMINDER_ONCE", "DueReminder", "Remind", "remind_spec"]


class DueReminder(Value):
    """One step of a reminder policy due on a day, ready to be recorded and delivered.

    Attributes:
        entity_id: The entity the reminder is about.
        entity_kind: Its kind.
        kind: A reminder 催办, an escalation 督办升级 or a progress-report request 进展催报.
        step: The policy step (``"before:3"``, ``"due"``, ``"overdue:2"``,
            ``"escalate"``, ``"report:2025-09-26"``; with ``@<deadline>`` appended
            when an earlier deadline already used the plain key).
        due: The deadline the reminder is about, or the day a progress report was due.
        on: The day the step is due (the sweep's local date).
        to: Who it is addressed to: unit codes and actor ids, in order of
            responsibility.
        message: What to tell them, in Chinese and then English.
    """

    entity_id: Name
    entity_kind: KindName
    kind: ReminderKind
    step: Name
    due: date
    on: date
    to: tuple[Name, ...]
    message: Text

    def remind_input(self) -> dict[str, Any]:
        """The input of the ``remind`` trigger that records this step."""
        return {
            "step": self.step,
            "reminder_kind": self.kind,
            "due": self.due,
            "to": self.to,
            "note": self.message,
        }


# ============================================================================ reminders
class Remind(Input):
    """Input of ``remind``: one step of a reminder policy, recorded once (催办)."""

    step: Name
    reminder_kind: ReminderKind = ReminderKind.REMINDER
    due: date | None = None
    to: tuple[Name, ...] = ()
    note: Text | None = None


def _check_step_once(ctx: TransitionContext) -> str | None:
    step = ctx.input("step")
    if step is not None and ctx.entity.reminded(step):
        return f"the reminder step {step!r} was already recorded"
    return None


REMINDER_ONCE = Rule(
    "REMINDER",
    "each-step-once",
    "each step of a reminder policy is recorded once",
    _check_step_once,
    on_input=True,
)
_REMINDERS = frozenset(
    {Role.SYSTEM.value, Role.SUPERVISOR.value, Role.CLERK.value, Role.OFFICE_DIRECTOR.value}
)


def _remind(ctx: TransitionContext) -> dict[str, Any]:
    data = ctx.data
    assert isinstance(data, Remind)  # noqa: S101 -- the engine validated it
    reminder = Reminder(
        by=ctx.actor.id,
        at=ctx.now,
        step=data.step,
        reminder_kind=data.reminder_kind,
        due=data.due,
        to=data.to,
        note=data.note,
    )
    return {"reminders": (*ctx.entity.reminders, reminder)}


def remind_spec(open_states: Iterable[str]) -> TransitionSpec:
    """The ``remind`` row every table has: a recorded reminder on any open entity."""
    return TransitionSpec(
        "remind",
        tuple(open_states),
        None,
        _REMINDERS,
        (REMINDER_ONCE,),
        data=Remind,
        effect=_remind,
        label="催办",
        awaited=False,
    )
