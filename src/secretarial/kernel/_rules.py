"""Named business rules and the context they judge.

A rule has a stable code (``"D16"``), a short name and a check. The check looks at a
:class:`TransitionContext` and returns ``None`` when the rule holds, or a sentence saying
what is missing. Guards, validators and error messages all go through rules, so every
refusal names the rule that refused.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from ._audit import EVENT_SCHEMA
from ._enums import Classification

if TYPE_CHECKING:
    from pydantic import BaseModel

    from ._audit import AuditEvent
    from ._entity import Entity
    from ._values import Actor

__all__ = ["Rule", "TransitionContext", "issuer_approval_required", "reason_required"]


@dataclass(slots=True)
class TransitionContext:
    """Everything a rule may look at while a trigger is being fired.

    The workflow engine makes one per attempt and throws it away afterwards; ``state``
    is written by the state machine, nothing else here is changed by rules.

    Attributes:
        entity: The entity as it is (at creation: the entity about to be created).
        state: The state name; the machine moves it to the destination on success.
        trigger: The trigger being fired.
        actor: Who fires it.
        now: The time of the attempt (from the office clock; the domain never reads one).
        data: The validated input of the trigger, if it takes one.
        reason: The reason or comment given with the trigger.
        skip_input_rules: True when only asking whether the trigger could fire and no
            input was given; rules about the input are then not judged.
        schema_version: The event schema the act is judged under: :data:`EVENT_SCHEMA`
            for a new act, the recorded event's when a history is replayed. An effect
            whose outcome changed between versions asks it.
        history: The entity's audit events so far, oldest first, when the trigger has a
            rule or an effect that reads them (a withdrawal asks whether the next step
            has acted); None otherwise.
        on_behalf_of: The principal the actor acts for under a delegation (委托), if any;
            the engine has checked the delegation covers the act.
        fired: The table row being judged, then the row that fired.
    """

    entity: Entity
    state: str
    trigger: str
    actor: Actor
    now: datetime
    data: BaseModel | None = None
    reason: str | None = None
    skip_input_rules: bool = False
    schema_version: int = EVENT_SCHEMA
    history: Sequence[AuditEvent] | None = None
    on_behalf_of: str | None = None
    failures: list[tuple[Rule, str]] = field(default_factory=list)
    fired: Any = None

    def input(self, name: str, default: Any = None) -> Any:
        """The value of input field ``name``, or ``default`` when there is no such input."""
        return getattr(self.data, name, default) if self.data is not None else default

    def acts_as(self, actor_id: str | None) -> bool:
        """Whether the act is ``actor_id``'s own: by them, or for them by a delegate.

        For a rule that names a person (the original signer signs again, the drafter
        submits): a delegate counts as the principal only where the row says its trigger
        may be delegated (``TransitionSpec.delegable``).
        """
        if actor_id is None:
            return False
        if self.actor.id == actor_id:
            return True
        return self.on_behalf_of == actor_id and bool(getattr(self.fired, "delegable", False))


@dataclass(frozen=True, slots=True)
class Rule:
    """A named business rule.

    Attributes:
        code: Stable code, from docs/rules.md where the rule comes from there (``"D11"``), or
            an engine code (``"ROLE"``, ``"STATE"``).
        name: Short name in kebab case (``"urgent-needs-deadline"``).
        description: The rule in one sentence, for documentation and diagrams.
        check: Returns None when the rule holds, or what is missing.
        on_input: Whether the rule judges the trigger's input; such rules are skipped
            when asking ``can_fire`` without an input.
        since: The event schema version from which the rule judges acts. Acts recorded
            under an earlier version were judged without it and are replayed without it:
            a new rule never makes a stored history unreadable.
        reads_history: Whether the rule reads the entity's audit events
            (``TransitionContext.history``); the engine loads them only for such rules.
    """

    code: str
    name: str
    description: str
    check: Callable[[TransitionContext], str | None]
    on_input: bool = False
    since: int = 1
    reads_history: bool = False

    def evaluate(self, ctx: TransitionContext) -> bool:
        """Check the rule; record a failure in ``ctx.failures``; say whether it held."""
        if self.on_input and ctx.skip_input_rules:
            return True
        problem = self.check(ctx)
        if problem is None:
            return True
        ctx.failures.append((self, problem))
        return False

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


def reason_required(code: str, name: str, what: str) -> Rule:
    """A rule that the trigger is given a reason: ``what`` (a return, a refusal ...) needs one."""

    def check(ctx: TransitionContext) -> str | None:
        return None if ctx.reason else f"{what} needs a reason (pass reason=...)"

    return Rule(code, name, f"{what} needs a reason", check, on_input=True)


def issuer_approval_required(code: str, name: str, what: str, description: str) -> Rule:
    """A rule that a top-secret (绝密) entity is ``what`` only with its issuer's approval.

    The Regulation (第三十二条): a 绝密 document is copied or compiled only where work
    truly requires it, with the approval of its issuing organ or that organ's superior,
    given as the trigger's ``issuer_approval``. ``what`` completes the refusal: "document
    is copied", "item is compiled".
    """

    def check(ctx: TransitionContext) -> str | None:
        if ctx.entity.classification is not Classification.TOP_SECRET:
            return None
        if ctx.input("issuer_approval") is not None:
            return None
        return (
            f"a top-secret (绝密) {what} only with the approval of its issuing organ or that "
            "organ's superior: name it (issuer_approval=...)"
        )

    return Rule(code, name, description, check, on_input=True)


# ============================================================================ shared rules
def _check_deadline_not_past(ctx: TransitionContext) -> str | None:
    deadline = ctx.input("deadline")
    if deadline is not None and deadline < ctx.now.date():
        return f"deadline {deadline.isoformat()} is already past on {ctx.now.date().isoformat()}"
    return None


DEADLINE_NOT_PAST = Rule(
    "DEADLINE",
    "deadline-not-past",
    "a new deadline is not in the past",
    _check_deadline_not_past,
    on_input=True,
)


def _check_lead_not_co(ctx: TransitionContext) -> str | None:
    lead = ctx.input("lead_unit")
    co = ctx.input("co_units", ())
    if lead is not None and any(u.code == lead.code for u in co):
        return f"the lead unit {lead.code} cannot also be a co-unit"
    if len({u.code for u in co}) != len(co):
        return "a co-unit is named twice"
    return None


LEAD_NOT_CO = Rule(
    "D16",
    "one-lead-unit",
    "the lead unit is named once and is not also a co-unit",
    _check_lead_not_co,
    on_input=True,
)


def set_fields(**names: str) -> Any:
    """An effect that copies input fields to entity fields (``entity_field="input_field"``)."""

    def effect(ctx: TransitionContext) -> dict[str, Any]:
        return {field: ctx.input(source) for field, source in names.items()}

    return effect


def set_reason(field: str) -> Any:
    """An effect that writes the transition's reason to ``field``."""

    def effect(ctx: TransitionContext) -> dict[str, Any]:
        return {field: ctx.reason}

    return effect
