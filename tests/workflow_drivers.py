"""Driving one entity through a domain workflow, by hand or at random.

:class:`WorkflowRun` fires what a test says and keeps the audit trail. :class:`WorkflowMachine`
is a hypothesis state machine: subclasses name the workflow, the actors, the start time
and the inputs to draw per trigger, create the entity in an ``@initialize`` rule with
:meth:`WorkflowMachine.start`, and add their own invariants. After every step: the state
is in the table, the version counts the audit events, a refused trigger changed nothing,
and replaying the events reproduces the entity.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, ClassVar

import pytest
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from secretarial import Actor, AuditEvent, TransitionNotAllowed, ValidationError
from secretarial.kernel import TransitionSpec, Workflow


class WorkflowRun:
    """An entity and its audit trail, driven through a workflow directly."""

    workflow: ClassVar[Workflow[Any]]
    start_at: ClassVar[datetime]

    def __init__(
        self, fields: dict[str, Any], *, by: Actor, entity_id: str, at: datetime | None = None
    ) -> None:
        self.entity: Any
        self.entity, event = self.workflow.create(
            fields, entity_id=entity_id, actor=by, now=self.start_at if at is None else at
        )
        self.events: list[AuditEvent] = [event]

    def fire(
        self,
        trigger: str,
        actor: Actor,
        *,
        at: datetime | None = None,
        reason: str | None = None,
        **data: Any,
    ) -> Any:
        """Fire ``trigger`` (at the start time unless ``at``); keep its event."""
        self.entity, event = self.workflow.fire(
            self.entity,
            trigger,
            actor,
            now=self.start_at if at is None else at,
            data=data or None,
            reason=reason,
        )
        self.events.append(event)
        return self.entity

    def refused(
        self,
        trigger: str,
        actor: Actor,
        *,
        at: datetime | None = None,
        reason: str | None = None,
        **data: Any,
    ) -> TransitionNotAllowed:
        """The refusal of ``trigger``, which changed nothing."""
        before = self.entity
        with pytest.raises(TransitionNotAllowed) as info:
            self.workflow.fire(
                before,
                trigger,
                actor,
                now=self.start_at if at is None else at,
                data=data or None,
                reason=reason,
            )
        assert self.entity is before
        return info.value

    def invalid(self, trigger: str, actor: Actor, **data: Any) -> ValidationError:
        """The validation error ``trigger``'s input raises."""
        with pytest.raises(ValidationError) as info:
            self.workflow.fire(self.entity, trigger, actor, now=self.start_at, data=data or None)
        return info.value


TEXT = st.text(alphabet="理由说明情况abc 123", min_size=1, max_size=10).filter(str.strip)
REASONS = st.one_of(TEXT, st.none())


class WorkflowMachine(RuleBasedStateMachine):
    """Random triggers from random actors on one entity, driven through its workflow."""

    workflow: ClassVar[Workflow[Any]]
    actors: ClassVar[tuple[Actor, ...]]
    start_at: ClassVar[datetime]
    data_for: ClassVar[dict[str, st.SearchStrategy[dict[str, Any]]]] = {}

    def __init__(self) -> None:
        super().__init__()
        self.now = self.start_at
        self.entity: Any = None
        self.events: list[AuditEvent] = []

    def start(self, fields: dict[str, Any], by: Actor, entity_id: str = "e1") -> None:
        """Create the entity (call it from the subclass's ``@initialize`` rule)."""
        self.entity, event = self.workflow.create(
            fields, entity_id=entity_id, actor=by, now=self.now
        )
        self.events = [event]

    def resolve(self, payload: dict[str, Any]) -> dict[str, Any]:
        """Turn markers in a drawn input into concrete input (the entity as it is now)."""
        return payload

    def choices(self, offered: list[TransitionSpec]) -> list[TransitionSpec]:
        """The rows a guided step draws from (repeat some to favour them)."""
        return offered

    def holders(self, spec: TransitionSpec) -> list[Actor]:
        """The actors a guided step picks from: those holding one of the trigger's roles."""
        return [a for a in self.actors if spec.roles is None or a.roles & spec.roles]

    @rule(data=st.data(), guided=st.integers(0, 9), reason=REASONS)
    def fire(self, data: st.DataObject, guided: int, reason: str | None) -> None:
        """Fire mostly a trigger offered in this state by a role holder, else anything."""
        assert self.entity is not None
        before, trail = self.entity, list(self.events)
        offered = [s for s in self.workflow.rows if before.state in s.sources]
        if guided and offered:
            spec = data.draw(st.sampled_from(self.choices(offered)))
            trigger = spec.trigger
            actor = data.draw(st.sampled_from(self.holders(spec) or list(self.actors)))
        else:
            trigger = data.draw(st.sampled_from([*self.workflow.triggers[1:], "no_such_trigger"]))
            actor = data.draw(st.sampled_from(self.actors))
        payload = self.resolve(data.draw(self.data_for.get(trigger, st.just({}))))
        history = trail if self.workflow.reads_history(trigger) else None
        allowed = self.workflow.can_fire(
            before,
            trigger,
            actor,
            now=self.now,
            data=payload or None,
            reason=reason,
            history=history,
        )
        try:
            after, event = self.workflow.fire(
                before,
                trigger,
                actor,
                now=self.now,
                data=payload or None,
                reason=reason,
                history=history,
            )
        except (TransitionNotAllowed, ValidationError):
            if payload or reason:  # without input, can_fire does not judge input rules
                assert not allowed
            assert self.entity is before
            assert self.events == trail
            return
        assert allowed
        assert after.version == before.version + 1
        assert event.version == after.version
        assert any(
            after.state == (s.dest or before.state)
            for s in self.workflow.specs(trigger)
            if before.state in s.sources
        )
        self.entity = after
        self.events.append(event)

    @rule(hours=st.integers(min_value=0, max_value=30))
    def time_passes(self, hours: int) -> None:
        self.now += timedelta(hours=hours)

    @precondition(lambda self: self.entity is not None)
    @invariant()
    def state_is_in_table(self) -> None:
        assert self.entity.state in self.workflow.states

    @precondition(lambda self: self.entity is not None)
    @invariant()
    def version_counts_events(self) -> None:
        assert self.entity.version == len(self.events)
        assert [e.version for e in self.events] == list(range(1, len(self.events) + 1))

    @precondition(lambda self: self.entity is not None)
    @invariant()
    def replay_reproduces_the_entity(self) -> None:
        assert self.workflow.replay(self.events) == self.entity
