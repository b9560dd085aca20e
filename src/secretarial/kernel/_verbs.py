"""The office verbs every table may offer: return (退回), withdraw (撤回), reassign (转办).

A table says which of them it offers — :attr:`WorkflowTable.returns`, rows marked
:attr:`TransitionSpec.withdrawable`, :attr:`WorkflowTable.reassign` — and the
:class:`~secretarial.kernel._workflow.Workflow` built from it adds the rows that run
them, judged and audited like any other row:

- ``return_to`` sends the entity back to an earlier step the table names, with a reason,
  to the actor who acted at that step (the audit trail says who);
- ``withdraw`` takes back the last act of whoever fired it while the next step has not
  acted (the audit trail says so), and restores what that act changed;
- ``reassign`` hands the step to another actor or unit, with a reason.

The rules judge the audit trail handed to them in ``TransitionContext.history``; a unit
of work loads it only for these triggers, and a replay hands over the events so far.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, Final

from pydantic import model_validator

from ._rules import Rule, TransitionContext, reason_required
from ._values import Holder, Name, Unit, Value

if TYPE_CHECKING:
    from ._audit import AuditEvent
    from ._entity import Entity

__all__ = [
    "REASSIGN_TRIGGER",
    "RETURN_TRIGGER",
    "WITHDRAW_TRIGGER",
    "Reassignment",
    "Return",
    "ReturnTo",
    "handed_to",
]

RETURN_TRIGGER: Final = "return_to"
WITHDRAW_TRIGGER: Final = "withdraw"
REASSIGN_TRIGGER: Final = "reassign"

_SINCE: Final = 3
"""The event schema from which the verbs' rules judge acts (no earlier act used them)."""


@dataclass(frozen=True, slots=True)
class Return:
    """A return (退回) a table allows: from ``sources`` back to the earlier step ``to``.

    Attributes:
        sources: The states the entity may be returned from.
        to: The earlier state it goes back to: fewer transitions from the creation than
            each source, which must be reachable from it.
        roles: Who may return it; None means anyone who may act on the entity.
        label: The term for diagrams and lists.
        effect: What else the return changes, beside the holder and any fan-out round
            it voids (the countersignatures of a joint document go with the round).
    """

    sources: tuple[str, ...]
    to: str
    roles: frozenset[str] | None = None
    label: str = "退回"
    effect: Callable[[TransitionContext], dict[str, Any]] | None = None


class ReturnTo(Value):
    """The input of ``return_to``: the step to return to (a state the table allows)."""

    to: Name


class Reassignment(Value):
    """The input of ``reassign`` (转办): the actor or the unit that takes the step over."""

    actor_id: Name | None = None
    unit: Unit | None = None

    @model_validator(mode="after")
    def _one_holder(self) -> Reassignment:
        if (self.actor_id is None) == (self.unit is None):
            raise ValueError(
                "REASSIGN: name exactly one new holder: actor_id=... or unit={code, name}"
            )
        return self


def handed_to(entity: Entity) -> tuple[str, ...]:
    """Who the entity's current step waits on, where the office said so, else nobody.

    The holder it was handed to (转办) or returned to (退回), and the parties of an
    undecided fan-out (会签) that have not answered, with their contact people: actor
    ids and unit codes, each once. Reminders are addressed to them and their briefs list the entity.
    """
    names: list[str] = []
    holder = entity.step_holder
    if holder is not None:
        names += holder.names
    for name in fan_out_fields(type(entity)):
        fan_out = getattr(entity, name, None)
        if fan_out is not None:  # waits on nobody once decided or voided
            for party in fan_out.waiting:
                names += [party.code, *party.contacts]
    return tuple(dict.fromkeys(names))


def fan_out_fields(entity_type: type[Entity]) -> tuple[str, ...]:
    """The fields of ``entity_type`` that hold a fan-out record (``Entity.fan_out_fields``)."""
    declared = entity_type.fan_out_fields
    if declared:
        return declared
    return ("fan_out",) if "fan_out" in entity_type.model_fields else ()


# ------------------------------------------------------------------------------ history
def last_act(history: Sequence[AuditEvent], awaited: Callable[[str], bool]) -> int | None:
    """The index of the last act that moved the entity on: a state change or awaited work.

    Reminders, copies and other recorded actions nobody waits for are not acts of a
    step; the creation is not an act that may be taken back.
    """
    for index in range(len(history) - 1, 0, -1):
        event = history[index]
        if event.target != event.source or awaited(event.trigger):
            return index
    return None


def acted_at(history: Sequence[AuditEvent], state: str) -> AuditEvent | None:
    """The event of whoever acted at step ``state`` last (moved it on from there).

    When nobody has acted there yet, whoever brought the entity there.
    """
    for event in reversed(history):
        if event.source == state and event.target != state:
            return event
    for event in reversed(history):
        if event.target == state:
            return event
    return None


_NO_HISTORY: Final = "the entity's audit trail is needed to judge it and was not given"


# ------------------------------------------------------------------------------ rules
def withdraw_rule(
    withdrawable: Sequence[tuple[str, str]], names: str, awaited: Callable[[str], bool]
) -> Rule:
    """The rule of a ``withdraw`` row: the last act is a withdrawable one, by this actor.

    ``withdrawable`` lists the (trigger, source) pairs the row takes back; ``names`` the
    triggers that may be withdrawn from the row's state, for the refusal.
    """
    pairs = frozenset(withdrawable)

    def check(ctx: TransitionContext) -> str | None:
        history = ctx.history
        if history is None:
            return _NO_HISTORY
        index = last_act(history, awaited)
        if index is None:
            return f"nothing has been sent onward yet; only {names} can be withdrawn"
        event = history[index]
        if (event.trigger, event.source) not in pairs or event.target != ctx.state:
            return (
                f"the last act was {event.trigger!r} by {event.actor.id}: only {names} can "
                "be withdrawn, and only while the next step has not acted"
            )
        owner = event.on_behalf_of or event.actor.id  # a delegate's act is the principal's
        if owner not in (ctx.actor.id, ctx.on_behalf_of):
            return (
                f"only {owner}, whose act {event.trigger!r} was, may withdraw it, in person "
                "or through a delegate acting for them"
            )
        return None

    return Rule(
        "WITHDRAW",
        "withdraw-before-next-act",
        "whoever sent an item onward takes it back only while the next step has not acted",
        check,
        since=_SINCE,
        reads_history=True,
    )


def return_target_rule(to: str, allowed: Sequence[str]) -> Rule:
    """The rule of one ``return_to`` row: the input names its step, ``to``."""
    accepted = ", ".join(allowed)

    def check(ctx: TransitionContext) -> str | None:
        if ctx.history is None:  # who acted at the step is in the audit trail
            return _NO_HISTORY
        asked = ctx.input("to")
        if asked == to:
            return None
        return f"from {ctx.entity.state.value} it may be returned to {accepted}, not {asked!r}"

    return Rule(
        "RETURN",
        "return-to-allowed-step",
        "an item is returned only to an earlier step its table allows",
        check,
        on_input=True,
        since=_SINCE,
        reads_history=True,
    )


RETURN_REASON: Final = replace(
    reason_required("RETURN", "return-needs-reason", "a return"), since=_SINCE
)
REASSIGN_REASON: Final = replace(
    reason_required("REASSIGN", "reassign-needs-reason", "handing a step over (转办)"),
    since=_SINCE,
)


def _check_new_holder(ctx: TransitionContext) -> str | None:
    holder = ctx.entity.step_holder
    if holder is None:
        return None
    asked = ctx.input("actor_id")
    unit = ctx.input("unit")
    if (asked is not None and asked == holder.actor_id) or (
        unit is not None and holder.unit is not None and unit.code == holder.unit.code
    ):
        return f"the step is already held by {', '.join(holder.names)}; name someone else"
    return None


REASSIGN_ELSEWHERE: Final = Rule(
    "REASSIGN",
    "reassign-to-someone-else",
    "a step is handed to someone other than its present holder",
    _check_new_holder,
    on_input=True,
    since=_SINCE,
)


# ------------------------------------------------------------------------------ effects
def returned(
    to: str,
    also: Callable[[TransitionContext], dict[str, Any]] | None = None,
    steps: Mapping[str, int] | None = None,
) -> Callable[[TransitionContext], dict[str, Any]]:
    """The effect of a return to ``to``: the step goes back to whoever acted there.

    ``also`` is the table's own effect of the return (:attr:`Return.effect`); ``steps``
    ranks the table's states by how far from the creation they are. A fan-out round of
    a step the return goes back before is voided; one of the very step it returns to
    starts again, the same parties answering a new round; a later one stays.
    """

    def effect(ctx: TransitionContext) -> dict[str, Any]:
        event = acted_at(ctx.history or (), to)
        # Whoever acted there: the principal when a delegate acted for them.
        acted_for = event is not None and event.on_behalf_of is not None
        actor = event.actor if event is not None else None
        holder = Holder(
            step=to,
            actor_id=(
                ctx.entity.created_by if event is None else (event.on_behalf_of or event.actor.id)
            ),
            unit=actor.unit if actor is not None and not acted_for else None,
            by=ctx.actor.id,
            at=ctx.now,
            reason=ctx.reason,
            returned=True,
        )
        updates: dict[str, Any] = {"holder": holder}
        if also is not None:
            updates.update(also(ctx))
        for name in fan_out_fields(type(ctx.entity)):
            fan_out = getattr(ctx.entity, name, None)
            if fan_out is not None:
                again = _round_after_return(fan_out, to, steps or {}, ctx)
                if again is not fan_out:
                    updates[name] = again
        return updates

    return effect


def _round_after_return(
    fan_out: Any, to: str, steps: Mapping[str, int], ctx: TransitionContext
) -> Any:
    """A fan-out round as a return to ``to`` leaves it (see :func:`returned`)."""
    from ._fanout import void_round  # noqa: PLC0415 -- _fanout builds on the engine

    if fan_out.step == to:  # back to the countersign itself: the parties answer anew
        return fan_out.model_copy(
            update={
                "round": fan_out.round + 1,
                "responses": (),
                "decided_at": None,
                "voided": False,
                "started_at": ctx.now,
            }
        )
    rank, at = steps.get(to), steps.get(fan_out.step)
    if rank is None or at is None or rank > at or fan_out.outcome == "disagreed":
        return fan_out  # a later step, or a round that sent it back with its opinions
    return void_round(fan_out)


def reassigned(ctx: TransitionContext) -> dict[str, Any]:
    """The effect of ``reassign``: the step is held by the actor or unit named."""
    return {
        "holder": Holder(
            step=ctx.entity.state.value,
            actor_id=ctx.input("actor_id"),
            unit=ctx.input("unit"),
            by=ctx.actor.id,
            at=ctx.now,
            reason=ctx.reason,
        )
    }


def undone(before: Entity, after: Entity, system: frozenset[str]) -> dict[str, Any]:
    """The fields an act changed, set back to what they were before it (a withdrawal).

    ``before`` and ``after`` are the entity just before and just after the act; what
    later recorded actions changed (a reminder, a copy) stays, and so do ``system``
    fields (the version, the audit head, the reminders).
    """
    return {
        name: value
        for name, value in before.__dict__.items()
        if name not in system and after.__dict__.get(name) != value
    }
