"""The commands every office runs: create an entity, fire a trigger. One unit of work each."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any, Final, TypeVar

from secretarial.domain import Actor, AuditEvent, Entity, Workflow
from secretarial.errors import ConcurrencyConflict, RuleViolation

from ._numbering import NumberingPolicy
from ._ports import Store

__all__ = ["create_entity", "fire_trigger", "with_allocation"]

E = TypeVar("E", bound=Entity)

Preparer = Callable[[Entity, str, Mapping[str, Any] | None], Mapping[str, Any] | None]
"""Completes a trigger's input from office policy (e.g. a default deadline) before firing."""


def create_entity(
    store: Store,
    workflow: Workflow[E],
    fields: Mapping[str, Any],
    *,
    entity_id: str,
    actor: Actor,
    now: datetime,
) -> tuple[E, AuditEvent]:
    """Create an entity and record its creation, atomically."""
    entity, event = workflow.create(fields, entity_id=entity_id, actor=actor, now=now)
    with store.unit_of_work() as uow:
        uow.add(entity, event)
    return entity, event


def with_allocation(
    workflow: Workflow[Any],
    numbering: NumberingPolicy,
    entity: Entity,
    trigger: str,
    data: Mapping[str, Any] | None,
    *,
    actor: Actor,
    now: datetime,
    allocate: Callable[[str, str], int],
) -> Mapping[str, Any] | None:
    """Add the number a trigger allocates to its input, if it allocates one and may fire.

    ``allocate(series, key)`` draws the number; inside a unit of work it is the store's
    counter (rolled back with the unit of work), for a dry run any stand-in sequence.

    Raises:
        RuleViolation: the caller passed the field the office allocates.
    """
    allocation = workflow.allocation(trigger)
    if allocation is None:
        return data
    if data and allocation.field in data:
        raise RuleViolation(
            "D7" if allocation.series == "outgoing" else "NUMBERING",
            "number-allocated-by-office",
            f"{allocation.field} is allocated by the office when {trigger!r} fires; do not pass it",
            entity_id=entity.id,
        )
    if not workflow.can_fire(entity, trigger, actor, now=now):
        return data  # firing will refuse with the real reason; allocate nothing
    key = numbering.sequence_key(allocation.series, entity, now)
    value = numbering.format(allocation.series, entity, now, allocate(allocation.series, key))
    return {**(data or {}), allocation.field: value}


def fire_trigger(
    store: Store,
    workflows: Mapping[Any, Workflow[Any]],
    numbering: NumberingPolicy,
    entity_id: str,
    trigger: str,
    *,
    actor: Actor,
    now: datetime,
    data: Mapping[str, Any] | None = None,
    reason: str | None = None,
    expected_version: int | None = None,
    prepare: Preparer | None = None,
) -> tuple[Entity, AuditEvent]:
    """Load, fire, allocate any number and save, in one unit of work.

    A refused trigger raises before anything is written, so the entity, the audit trail
    and the counters stay as they were. Fired by id alone (no ``expected_version``), a
    trigger that loses a race with another writer is tried again on the fresh entity,
    with every rule judged again; with a version stated, the conflict is raised.

    Raises:
        NotFound: no entity ``entity_id``.
        ConcurrencyConflict: ``expected_version`` is not the stored version, or another
            writer saved first.
        TransitionNotAllowed, ValidationError, RuleViolation: the office refused.
    """
    attempts = 1 if expected_version is not None else _RETRIES
    for attempt in range(1, attempts + 1):
        try:
            return _fire_once(
                store,
                workflows,
                numbering,
                entity_id,
                trigger,
                actor=actor,
                now=now,
                data=data,
                reason=reason,
                expected_version=expected_version,
                prepare=prepare,
            )
        except ConcurrencyConflict:
            if attempt == attempts:
                raise
    raise AssertionError("unreachable")  # pragma: no cover


_RETRIES: Final = 5
"""How often a trigger fired by id (no version stated) is retried on a lost race."""


def _fire_once(
    store: Store,
    workflows: Mapping[Any, Workflow[Any]],
    numbering: NumberingPolicy,
    entity_id: str,
    trigger: str,
    *,
    actor: Actor,
    now: datetime,
    data: Mapping[str, Any] | None,
    reason: str | None,
    expected_version: int | None,
    prepare: Preparer | None,
) -> tuple[Entity, AuditEvent]:
    with store.unit_of_work() as uow:
        entity = uow.get(entity_id)
        if expected_version is not None and entity.version != expected_version:
            raise ConcurrencyConflict(entity_id, expected_version, entity.version)
        workflow = workflows[entity.entity_kind]
        if prepare is not None:
            data = prepare(entity, trigger, data)
        data = with_allocation(
            workflow,
            numbering,
            entity,
            trigger,
            data,
            actor=actor,
            now=now,
            allocate=uow.next_number,
        )
        new, event = workflow.fire(entity, trigger, actor, now=now, data=data, reason=reason)
        uow.save(new, event, expected_version=entity.version)
    return new, event
