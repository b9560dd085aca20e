"""The commands every office runs: create an entity, fire a trigger. One unit of work each.

:class:`HookedStore` puts a check before every change and a reaction after every commit
around any store, so that the office's plugins see every unit of work, whichever command
runs it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import datetime
from typing import Any, Final, TypeVar

from secretarial.errors import AccessDenied, ConcurrencyConflict, RuleViolation
from secretarial.kernel._access import AccessDenial
from secretarial.kernel._audit import Anchor, AuditEvent
from secretarial.kernel._entity import Entity
from secretarial.kernel._query import Query
from secretarial.kernel._values import Actor
from secretarial.kernel._workflow import TransitionEnv, Workflow

from ._numbering import NumberingPolicy
from ._ports import Store, UnitOfWork

__all__ = ["HookedStore", "create_entity", "fire_trigger", "with_allocation"]

E = TypeVar("E", bound=Entity)

Authorizer = Callable[[Entity], "str | None"]
"""Says why the actor may not touch the entity just loaded, or None if they may."""


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
    env: Callable[[], TransitionEnv] | None = None,
    authorize: Authorizer | None = None,
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
    attempt = 1
    while True:
        try:
            with store.unit_of_work() as uow:
                entity = uow.get(entity_id)
                if authorize is not None:
                    refusal = authorize(entity)
                    if refusal is not None:
                        raise AccessDenied(actor.id, entity.id, refusal)
                if expected_version is not None and entity.version != expected_version:
                    # A stated version is never retried: the handler below re-raises.
                    raise ConcurrencyConflict(entity_id, expected_version, entity.version)  # noqa: TRY301
                workflow = workflows[entity.entity_kind]
                given = data if env is None else workflow.complete(entity, trigger, data, env)
                if workflow.allocation(trigger) is not None:
                    given = with_allocation(
                        workflow,
                        numbering,
                        entity,
                        trigger,
                        given,
                        actor=actor,
                        now=now,
                        allocate=uow.next_number,
                    )
                new, event = workflow.fire(
                    entity, trigger, actor, now=now, data=given, reason=reason
                )
                uow.save(new, event, expected_version=entity.version)
        except ConcurrencyConflict:
            # Fired by id, a lost race is tried again on the fresh entity.
            if expected_version is not None or attempt == _RETRIES:
                raise
            attempt += 1
        else:
            return new, event


_RETRIES: Final = 5
"""How often a trigger fired by id (no version stated) is retried on a lost race."""


BeforeWrite = Callable[[Entity, AuditEvent], object]
"""Judges a change before it is written: the entity as it was (the new one for a creation)
and the change's audit event. Raises to refuse, which discards the whole unit of work."""

AfterCommit = Callable[[AuditEvent, Entity], object]
"""Told of each audit event a unit of work committed, with its entity as committed."""


class HookedStore:
    """A store whose units of work ask before every change and report after every commit.

    Every entity added or saved through one of its units of work is first shown to
    ``before_write``; once the unit of work has committed, each of its audit events is
    shown, in order, to ``after_commit``. Reads go straight to the store.

    Args:
        store: The store to wrap.
        before_write: Called before each change is handed to the store; raising refuses
            it (and the unit of work is discarded).
        after_commit: Called for each committed audit event, after the commit. Its
            failures are its own business: it should not raise.
    """

    def __init__(
        self,
        store: Store,
        *,
        before_write: BeforeWrite | None = None,
        after_commit: AfterCommit | None = None,
    ) -> None:
        self._store = store
        self._before_write = before_write
        self._after_commit = after_commit

    @property
    def inner(self) -> Store:
        """The wrapped store."""
        return self._store

    @contextmanager
    def unit_of_work(self) -> Iterator[UnitOfWork]:
        """Begin an atomic change whose writes are checked and whose commit is reported."""
        with self._store.unit_of_work() as uow:
            hooked = _HookedUnitOfWork(uow, self._before_write)
            yield hooked
        if self._after_commit is not None:
            for event, entity in hooked.written:
                self._after_commit(event, entity)

    def use_kinds(self, entity_types: Mapping[str, type[Entity]]) -> None:
        """Read stored entities of each kind as its class (see :class:`Store`)."""
        self._store.use_kinds(entity_types)

    def get(self, entity_id: str) -> Entity:
        """Load an entity (see :class:`Store`)."""
        return self._store.get(entity_id)

    def find(self, query: Query) -> Iterator[Entity]:
        """The entities matching ``query`` (see :class:`Store`)."""
        return self._store.find(query)

    def events(self, entity_id: str) -> Sequence[AuditEvent]:
        """An entity's audit events (see :class:`Store`)."""
        return self._store.events(entity_id)

    def audit_records(
        self,
    ) -> tuple[list[tuple[int, Entity]], dict[str, list[AuditEvent | None]]]:
        """Everything verification reads (see :class:`Store`)."""
        return self._store.audit_records()

    def add_anchor(self, anchor: Anchor) -> None:
        """Store an anchor (see :class:`Store`)."""
        self._store.add_anchor(anchor)

    def anchors(self) -> list[Anchor]:
        """Every anchor (see :class:`Store`)."""
        return self._store.anchors()

    def record_denial(self, denial: AccessDenial) -> None:
        """Record a refused access (see :class:`Store`)."""
        self._store.record_denial(denial)

    def denials(self) -> list[AccessDenial]:
        """Every refused access (see :class:`Store`)."""
        return self._store.denials()

    def close(self) -> None:
        """Release the wrapped store."""
        self._store.close()

    def __repr__(self) -> str:
        return repr(self._store)


class _HookedUnitOfWork:
    """A unit of work that shows each change to a check first and remembers what it wrote."""

    __slots__ = ("_before_write", "_read", "_uow", "written")

    def __init__(self, uow: UnitOfWork, before_write: BeforeWrite | None) -> None:
        self._uow = uow
        self._before_write = before_write
        self._read: dict[str, Entity] = {}
        self.written: list[tuple[AuditEvent, Entity]] = []

    def get(self, entity_id: str) -> Entity:
        entity = self._uow.get(entity_id)
        self._read[entity_id] = entity
        return entity

    def add(self, entity: Entity, event: AuditEvent) -> None:
        if self._before_write is not None:
            self._before_write(entity, event)
        self._uow.add(entity, event)
        self.written.append((event, entity))

    def save(self, entity: Entity, event: AuditEvent, *, expected_version: int) -> None:
        if self._before_write is not None:
            # The entity as this unit of work read it; loaded again only if it never was.
            before = self._read.get(entity.id) or self._uow.get(entity.id)
            self._before_write(before, event)
        self._uow.save(entity, event, expected_version=expected_version)
        self._read[entity.id] = entity
        self.written.append((event, entity))

    def add_many(self, entities: Sequence[Entity], events: Sequence[AuditEvent]) -> None:
        by_id = {entity.id: entity for entity in entities}
        if self._before_write is not None:
            for event in events:
                self._before_write(by_id[event.entity_id], event)
        self._uow.add_many(entities, events)
        self.written += [(event, by_id[event.entity_id]) for event in events]

    def next_number(self, series: str, key: str, count: int = 1) -> int:
        return self._uow.next_number(series, key, count)

    def find(self, query: Query) -> list[Entity]:
        return self._uow.find(query)

    def lock(self, *resources: str) -> None:
        self._uow.lock(*resources)
