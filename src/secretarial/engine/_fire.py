"""The one path every change takes: a :class:`Change` in one unit of work, and its retry.

:class:`HookedStore` puts a check before every change and a reaction after every commit
around any store, so that the office's plugins see every unit of work, whichever command
runs it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import date, datetime, tzinfo
from typing import Any, Final, NamedTuple, TypeVar

from secretarial.errors import (
    AccessDenied,
    ConcurrencyConflict,
    IdempotencyKeyReused,
    NotFound,
    RuleViolation,
    UsageError,
)
from secretarial.kernel._access import AccessDenial
from secretarial.kernel._audit import Anchor, AuditEvent, AuditProblem, AuditRecord
from secretarial.kernel._checkpoint import Checkpoint, CheckpointState
from secretarial.kernel._entity import Entity
from secretarial.kernel._idempotency import Claim, checked_key, command_fingerprint
from secretarial.kernel._outbox import OutboxEntry, SinkPosition
from secretarial.kernel._query import Page, Query
from secretarial.kernel._values import Actor
from secretarial.kernel._workflow import TransitionEnv, Workflow

from ._blobs import BlobStore
from ._delegation import acting_for
from ._directory import Directory
from ._numbering import NumberingPolicy
from ._ports import IdFactory, OutboxLease, Store, UnitOfWork

__all__ = [
    "Change",
    "FireContext",
    "HookedStore",
    "fire_trigger",
    "run_change",
    "run_idempotent",
    "with_allocation",
]

E = TypeVar("E", bound=Entity)


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


class FireContext(NamedTuple):
    """What every change needs from the office, as one immutable value.

    A named tuple: made for every command, it costs a fraction of what a frozen
    dataclass would on the fire path.

    Attributes:
        workflows: The workflow of each kind the office runs, by kind.
        numbering: How allocated numbers are keyed and written.
        actor: Who acts (a step may name another, e.g. the one who takes over a shift).
        now: The moment of the change.
        env: The office's zone, calendar and policies, for rows that complete their input.
        authorize: Says why an actor may not touch an entity, or None if they may; every
            entity a change loads is judged by it, inside the unit of work.
        ids: Makes the ids of the entities a change creates.
        directory: The office's directory, where an act on behalf of someone (委托)
            finds the delegations that allow it.
    """

    workflows: Mapping[str, Workflow[Any]]
    numbering: NumberingPolicy
    actor: Actor
    now: datetime
    env: Callable[[], TransitionEnv] | None = None
    authorize: Callable[[Actor, Entity], str | None] | None = None
    ids: IdFactory | None = None
    directory: Directory | None = None

    def environment(self) -> TransitionEnv:
        """The office's zone, calendar and policies.

        Raises:
            UsageError: The context was made without them.
        """
        if self.env is None:
            raise UsageError("this change was given no office environment (zone, calendar)")
        return self.env()

    def new_id(self, kind: str) -> str:
        """A new id for an entity of ``kind``.

        Raises:
            UsageError: The context was made without an id factory.
        """
        if self.ids is None:
            raise UsageError("this change was given no id factory; it cannot create entities")
        return self.ids(kind)


class Change:
    """One command's changes, made through one unit of work: the only way entities change.

    Every use case that changes entities runs a body with a :class:`Change` (see
    :func:`run_change`): it loads what it needs (each entity authorized for the actor,
    its type and version checked), fires triggers (each input completed by its row,
    numbers allocated from the store's counters, the trigger fired, the change saved at
    once with the version it was read at) and creates entities. A body that raises
    leaves nothing written; a check over several entities (a room, a roster) reads them
    through :meth:`find` after :meth:`lock`, inside the same unit of work.
    """

    __slots__ = ("context", "uow")

    def __init__(self, uow: UnitOfWork, context: FireContext) -> None:
        self.uow = uow
        self.context = context

    @property
    def now(self) -> datetime:
        """The moment of the change."""
        return self.context.now

    def lock(self, *resources: str) -> None:
        """Hold ``resources`` until the change ends (see :meth:`UnitOfWork.lock`)."""
        self.uow.lock(*resources)

    def find(self, query: Query) -> list[Entity]:
        """The entities matching ``query``, this change's writes included."""
        return self.uow.find(query)

    def load(
        self,
        entity_id: str,
        kind: type[E] = Entity,  # type: ignore[assignment]
        *,
        expected_version: int | None = None,
        expected_content_version: int | None = None,
        actor: Actor | None = None,
    ) -> E:
        """The entity ``entity_id`` as this change sees it, checked before it is used.

        ``expected_version`` is the event sequence the caller read (every event counts);
        ``expected_content_version`` the content version (reminders left out), which a
        sweep between the caller's read and this change leaves as it was.

        Raises:
            NotFound: No such entity, or not one of ``kind``.
            AccessDenied: The actor (the change's unless given) may not touch it.
            ConcurrencyConflict: ``expected_version`` is not its version, or
                ``expected_content_version`` not its content version.
        """
        entity = self.uow.get(entity_id)
        authorize = self.context.authorize
        if authorize is not None:
            who = actor if actor is not None else self.context.actor
            refusal = authorize(who, entity)
            if refusal is not None:
                raise AccessDenied(who.id, entity.id, refusal)
        if not isinstance(entity, kind):
            raise NotFound(entity_id, str(getattr(kind, "entity_kind", kind.__name__)))
        if expected_version is not None and entity.version != expected_version:
            raise ConcurrencyConflict(entity_id, expected_version, entity.version)
        if expected_content_version is not None:
            stored = entity.content_version
            if stored != expected_content_version:
                raise ConcurrencyConflict(entity_id, expected_content_version, stored, content=True)
        return entity

    def fire(
        self,
        entity: E,
        trigger: str,
        data: Mapping[str, Any] | None = None,
        *,
        reason: str | None = None,
        actor: Actor | None = None,
        keyed_as: Entity | None = None,
        number_drawn: bool = False,
        on_behalf_of: str | None = None,
    ) -> E:
        """Fire ``trigger`` on ``entity`` (as loaded) and save the result at once.

        The row's input is completed (its declared defaults), any number it allocates
        is drawn from the store's counter, and the new entity is saved with the version
        ``entity`` had, so a writer who saved first makes this change conflict.

        Args:
            entity: The entity as this change loaded it.
            trigger: The trigger.
            data: The trigger's input.
            reason: Why (for the triggers that need one).
            actor: Who fires it; the change's actor if omitted.
            keyed_as: The entity the number is keyed by, when the input decides the
                key (filing stages the archival class the code is counted in).
            number_drawn: The input carries the number already drawn by this change
                (the documents of one archival item share the lead's code).
            on_behalf_of: The principal the actor acts for under a delegation (委托);
                the act is refused unless one covers it, and the audit names both.

        Raises:
            TransitionNotAllowed, ValidationError, RuleViolation: the office refused.
            ConcurrencyConflict: Another writer saved the entity first.
        """
        workflows, numbering, default_actor, now, env, _, _, directory = self.context
        who = actor if actor is not None else default_actor
        workflow = workflows[entity.entity_kind]
        if on_behalf_of is not None:
            who = acting_for(
                directory,
                who,
                principal=on_behalf_of,
                entity=entity,
                trigger=trigger,
                workflow=workflow,
                now=now,
            )
        given = data if env is None else workflow.complete(entity, trigger, data, env)
        if not number_drawn and workflow.allocation(trigger) is not None:
            given = with_allocation(
                workflow,
                numbering,
                keyed_as if keyed_as is not None else entity,
                trigger,
                given,
                actor=who,
                now=now,
                allocate=self.uow.next_number,
            )
        history = None
        if workflow.reads_history(trigger):
            # The history of the entity as loaded: a writer who committed since is
            # refused below by the version check, whatever its event says.
            history = self.uow.events(entity.id)[: entity.version]
        new: E
        new, event = workflow.fire(
            entity,
            trigger,
            who,
            now=now,
            data=given,
            reason=reason,
            history=history,
            on_behalf_of=on_behalf_of,
        )
        self.uow.save(new, event, expected_version=entity.version)
        return new

    def create(
        self,
        kind: str,
        fields: Mapping[str, Any],
        *,
        entity_id: str | None = None,
        actor: Actor | None = None,
    ) -> Entity:
        """Create an entity of ``kind`` with its creation trigger and add it.

        Args:
            kind: The kind to create.
            fields: Its fields.
            entity_id: Its id; drawn from the context's id factory if omitted.
            actor: Who creates it; the change's actor if omitted.

        Raises:
            ValidationError, TransitionNotAllowed: the fields or the creation rules refuse.
        """
        who = actor if actor is not None else self.context.actor
        workflow = self.context.workflows[kind]
        made = entity_id if entity_id is not None else self.context.new_id(kind)
        entity: Entity
        entity, event = workflow.create(fields, entity_id=made, actor=who, now=self.now)
        self.uow.add(entity, event)
        return entity

    def make(
        self,
        entity_type: type[E],
        fields: Mapping[str, Any],
        *,
        entity_id: str | None = None,
        actor: Actor | None = None,
    ) -> E:
        """Create an entity of ``entity_type``'s kind (see :meth:`create`), typed as it.

        Raises:
            UsageError: The office runs that kind with another class.
        """
        entity = self.create(
            entity_type.entity_kind.value, fields, entity_id=entity_id, actor=actor
        )
        if not isinstance(entity, entity_type):
            raise UsageError(
                f"the office runs {entity_type.entity_kind.value!r} as "
                f"{type(entity).__name__}, not {entity_type.__name__}"
            )
        return entity

    def add_many(self, entities: Sequence[Entity], events: Sequence[AuditEvent]) -> None:
        """Add entities made already, with all their events (a bulk import's batch)."""
        self.uow.add_many(entities, events)


T = TypeVar("T")

_RETRIES: Final = 5
"""How often a change that may be retried runs again after losing a race."""


def run_change(
    store: Store,
    context: FireContext,
    body: Callable[[Change], T],
    *,
    retry: bool = False,
) -> T:
    """Run ``body`` with a :class:`Change` in one unit of work; commit what it wrote.

    With ``retry`` a body that loses a race (another writer saved an entity it read
    first) runs again on the fresh entities, with every rule judged again, up to five
    times; without, the conflict is raised. A body that raises writes nothing, and
    what it raised reaches the caller.

    Raises:
        ConcurrencyConflict: Lost a race (after the last try, with ``retry``).
    """
    attempt = 1
    while True:
        try:
            with store.unit_of_work() as uow:
                result = body(Change(uow, context))
        except ConcurrencyConflict as conflict:
            # A stale content version the caller stated is not a race: no retry helps.
            if not retry or attempt == _RETRIES or conflict.content:
                raise
            attempt += 1
        else:
            return result


def run_idempotent(
    store: Store,
    context: FireContext,
    body: Callable[[Change], E],
    *,
    key: str | None,
    fingerprint: Callable[[], str],
    retry: bool = False,
) -> E:
    """:func:`run_change` for a command that returns one entity, run once per ``key``.

    Without a key it is :func:`run_change`. With one, the unit of work first claims the
    key (:meth:`UnitOfWork.claim`): a key a committed command holds answers with that
    command's result, and nothing is done; a new key is kept with the result, in the
    same transaction, so a command that is refused keeps no key. ``fingerprint`` says
    which command this is (:func:`~secretarial.kernel.command_fingerprint`).

    Raises:
        ValidationError: ``key`` is not one (1 to 200 printable characters).
        IdempotencyKeyReused: ``key`` was given with another command.
    """
    if key is None:
        return run_change(store, context, body, retry=retry)
    checked = checked_key(key)
    digest = fingerprint()

    def once(change: Change) -> E:
        claimed = change.uow.claim(checked, digest, context.now)
        if claimed is not None:
            if claimed.fingerprint != digest:
                raise IdempotencyKeyReused(checked, claimed.entity.id)
            return claimed.entity  # type: ignore[return-value]  # what ``body`` returned
        result = body(change)
        change.uow.settle(checked, result)
        return result

    return run_change(store, context, once, retry=retry)


def fire_trigger(
    store: Store,
    context: FireContext,
    entity_id: str,
    trigger: str,
    *,
    data: Mapping[str, Any] | None = None,
    reason: str | None = None,
    expected_version: int | None = None,
    expected_content_version: int | None = None,
    on_behalf_of: str | None = None,
    idempotency_key: str | None = None,
) -> Entity:
    """Load, authorize, complete, allocate, fire and save one trigger, in one unit of work.

    Under an ``idempotency_key`` (see :func:`run_idempotent`) a trigger fired again is
    answered with the entity the first firing returned, before any version is checked.

    A refused trigger raises before anything is written, so the entity, the audit trail
    and the counters stay as they were. A trigger that loses a race with another writer
    is tried again on the fresh entity, with every rule (and the content version, if
    stated) judged again; with ``expected_version`` stated, the conflict is raised.

    Raises:
        NotFound: no entity ``entity_id``.
        AccessDenied: the actor may not touch it.
        ConcurrencyConflict: ``expected_version`` is not the stored version,
            ``expected_content_version`` not the stored content version, or another
            writer saved first.
        IdempotencyKeyReused: ``idempotency_key`` came with another command.
        TransitionNotAllowed, ValidationError, RuleViolation: the office refused.
    """

    def one(change: Change) -> Entity:
        entity: Entity = change.load(
            entity_id,
            expected_version=expected_version,
            expected_content_version=expected_content_version,
        )
        return change.fire(entity, trigger, data, reason=reason, on_behalf_of=on_behalf_of)

    # A content version stated is judged again on a retry: a sweep that saved first is
    # no conflict, a content change is.
    return run_idempotent(
        store,
        context,
        one,
        key=idempotency_key,
        fingerprint=lambda: command_fingerprint(
            f"fire:{trigger}",
            entity_id,
            context.actor,
            data,
            reason=reason,
            on_behalf_of=on_behalf_of,
        ),
        retry=expected_version is None,
    )


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

    @property
    def blobs(self) -> BlobStore:
        """The wrapped store's content (see :class:`Store`)."""
        return self._store.blobs

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

    def page(self, query: Query, *, limit: int, cursor: str | None = None) -> Page:
        """One page of the matching entities (see :class:`Store`)."""
        return self._store.page(query, limit=limit, cursor=cursor)

    def count(self, query: Query) -> int:
        """How many entities match (see :class:`Store`)."""
        return self._store.count(query)

    def audit_records(
        self,
    ) -> tuple[list[tuple[int, Entity]], dict[str, list[AuditEvent | None]]]:
        """Everything verification reads (see :class:`Store`)."""
        return self._store.audit_records()

    def audit_stream(self) -> Iterator[AuditRecord]:
        """Everything verification reads, one entity at a time (see :class:`Store`)."""
        return self._store.audit_stream()

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

    def counters(self) -> dict[tuple[str, str], int]:
        """Every counter's value (see :class:`Store`)."""
        return self._store.counters()

    def checkpoint_state(self) -> CheckpointState:
        """What a checkpoint seals (see :class:`Store`)."""
        return self._store.checkpoint_state()

    def add_checkpoint(
        self, checkpoint: Checkpoint, leaves: bytes, *, previous_leaves: bytes | None = None
    ) -> None:
        """Keep a checkpoint (see :class:`Store`)."""
        self._store.add_checkpoint(checkpoint, leaves, previous_leaves=previous_leaves)

    def checkpoints(self) -> list[Checkpoint]:
        """Every checkpoint kept (see :class:`Store`)."""
        return self._store.checkpoints()

    def checkpoint_leaves(self, sequence: int) -> bytes | None:
        """A checkpoint's leaves (see :class:`Store`)."""
        return self._store.checkpoint_leaves(sequence)

    def step_waits(
        self,
        kind: str,
        start: datetime,
        end: datetime,
        *,
        returns: Sequence[str],
        ceiling: int | None = None,
    ) -> list[tuple[str, int, int, int, int]]:
        """How long entities stayed in each state (see :class:`Store`)."""
        return self._store.step_waits(kind, start, end, returns=returns, ceiling=ceiling)

    def unit_outcomes(
        self,
        kind: str,
        start: datetime,
        end: datetime,
        *,
        zone: tzinfo,
        closed: str,
        submitted: str,
        extended: Sequence[str],
        reworked: Sequence[str],
        ceiling: int | None = None,
    ) -> tuple[list[tuple[str, date | None, date | None, int, int, int]], list[tuple[str, int]]]:
        """How the lead units fared in a period (see :class:`Store`)."""
        return self._store.unit_outcomes(
            kind,
            start,
            end,
            zone=zone,
            closed=closed,
            submitted=submitted,
            extended=extended,
            reworked=reworked,
            ceiling=ceiling,
        )

    def throughput(
        self,
        start: datetime,
        end: datetime,
        *,
        zone: tzinfo,
        kinds: Sequence[str] | None,
        terminal: Sequence[tuple[str, str]],
        ceiling: int | None = None,
    ) -> list[tuple[date, str, int, int]]:
        """Events and completions per day and kind (see :class:`Store`)."""
        return self._store.throughput(
            start, end, zone=zone, kinds=kinds, terminal=terminal, ceiling=ceiling
        )

    def column_problems(self) -> list[AuditProblem]:
        """Stored columns that disagree with their bodies (see :class:`Store`)."""
        return self._store.column_problems()

    def outbox(self, partition: int, *, after: int = 0, limit: int = 500) -> list[OutboxEntry]:
        """Entries of one partition of the outbox (see :class:`Store`)."""
        return self._store.outbox(partition, after=after, limit=limit)

    def outbox_head(self) -> int:
        """The highest position in the outbox (see :class:`Store`)."""
        return self._store.outbox_head()

    def sink_positions(self) -> list[SinkPosition]:
        """How far each sink has been given each partition (see :class:`Store`)."""
        return self._store.sink_positions()

    def advance_sink(
        self,
        sink: str,
        partition: int,
        *,
        expected: int,
        position: int,
        delivered: int,
        at: datetime,
    ) -> None:
        """Move a sink's position (see :class:`Store`)."""
        self._store.advance_sink(
            sink, partition, expected=expected, position=position, delivered=delivered, at=at
        )

    def outbox_lease(self) -> OutboxLease:
        """A lease on the outbox's partitions (see :class:`Store`)."""
        return self._store.outbox_lease()

    def forget_outbox(self, partition: int, through: int) -> int:
        """Forget entries of the outbox (see :class:`Store`)."""
        return self._store.forget_outbox(partition, through)

    def forget_idempotency_keys(self, before: datetime) -> int:
        """Forget the keys claimed before ``before`` (see :class:`Store`)."""
        return self._store.forget_idempotency_keys(before)

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

    def events(self, entity_id: str) -> Sequence[AuditEvent]:
        return self._uow.events(entity_id)

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

    def claim(self, key: str, fingerprint: str, at: datetime) -> Claim | None:
        return self._uow.claim(key, fingerprint, at)

    def settle(self, key: str, entity: Entity) -> None:
        self._uow.settle(key, entity)

    def find(self, query: Query) -> list[Entity]:
        return self._uow.find(query)

    def lock(self, *resources: str) -> None:
        self._uow.lock(*resources)
