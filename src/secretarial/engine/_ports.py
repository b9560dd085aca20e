"""Ports: what the use cases need from the outside world, as Protocols.

Adapters implement them structurally (they do not import this module), and the
:class:`~secretarial.Office` wires concrete ones together.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import AbstractContextManager
from datetime import date, datetime, tzinfo
from typing import Protocol, runtime_checkable

from secretarial.kernel._access import AccessDenial
from secretarial.kernel._audit import Anchor, AuditEvent, AuditProblem, AuditRecord
from secretarial.kernel._checkpoint import Checkpoint, CheckpointState
from secretarial.kernel._entity import Entity
from secretarial.kernel._idempotency import Claim
from secretarial.kernel._outbox import OutboxEntry, SinkPosition
from secretarial.kernel._query import Page, Query

from ._blobs import BlobStore

__all__ = ["Clock", "IdFactory", "OutboxLease", "Store", "UnitOfWork"]


@runtime_checkable
class Clock(Protocol):
    """Tells the time. The domain never reads a clock; the office asks one and passes ``now``."""

    def now(self) -> datetime:
        """The current time, timezone-aware."""
        ...


@runtime_checkable
class IdFactory(Protocol):
    """Makes a new, unique entity id.

    A factory whose ids carry the kind (``in-1``, ``mtg-2``) may also define
    ``use_prefixes(prefixes: Mapping[str, str]) -> None``: an office calls it once, when
    it is made, with the id prefix of every kind it runs (a plugin's kinds included).
    """

    def __call__(self, kind: str) -> str:
        """A new id for an entity of ``kind``."""
        ...


class UnitOfWork(Protocol):
    """One atomic change: everything done through it is committed together or not at all.

    The store commits when the ``with`` block ends normally and discards everything when
    it ends with an exception.
    """

    def get(self, entity_id: str) -> Entity:
        """Load an entity; raise :class:`~secretarial.NotFound` if there is none."""
        ...

    def events(self, entity_id: str) -> Sequence[AuditEvent]:
        """An entity's audit events in order, as this unit of work sees them.

        What this unit of work wrote counts. Read after :meth:`get`, in the same unit of
        work, they are the history of the entity it returned: a rule that judges the
        audit trail (a withdrawal) and the write that depends on it are one step.

        Raises:
            NotFound: No such entity.
        """
        ...

    def add(self, entity: Entity, event: AuditEvent) -> None:
        """Add a new entity with its creation event."""
        ...

    def save(self, entity: Entity, event: AuditEvent, *, expected_version: int) -> None:
        """Replace an entity read at ``expected_version`` and append its audit event.

        Raises:
            ConcurrencyConflict: the stored version is not ``expected_version``.
        """
        ...

    def add_many(self, entities: Sequence[Entity], events: Sequence[AuditEvent]) -> None:
        """Add new entities and all their events at once (a bulk import's batch)."""
        ...

    def next_number(self, series: str, key: str, count: int = 1) -> int:
        """Allocate the next ``count`` numbers of a sequence; return the first.

        Sequences start at 1. Numbers allocated in a unit of work that does not commit
        are not consumed.
        """
        ...

    def find(self, query: Query) -> list[Entity]:
        """The entities matching ``query`` as they stand in this unit of work.

        What this unit of work added or saved counts; what others committed counts as
        the store's isolation shows it. Read after :meth:`lock` for a rule over several
        entities, so that the check and the write that depends on it are one step.
        """
        ...

    def claim(self, key: str, fingerprint: str, at: datetime) -> Claim | None:
        """Take the idempotency key ``key`` for this command, or say what it was taken for.

        None if the key is new: it is now held for this unit of work, with the command's
        ``fingerprint`` and the moment ``at``, and kept if it commits (with the result
        :meth:`settle` gives). If a committed unit of work holds it, its fingerprint and
        result. A unit of work that claims a key another one holds and has not committed
        waits for it: for its result if it commits, for the key if it does not.
        """
        ...

    def settle(self, key: str, entity: Entity) -> None:
        """Record ``entity`` as the result of the command that claimed ``key`` here."""
        ...

    def lock(self, *resources: str) -> None:
        """Hold ``resources`` (``"room:第一会议室"``, ``"duty-roster"``) until the commit.

        Two units of work that lock a common resource run one after the other: the
        second waits, then reads what the first committed. Resources are taken in
        sorted order, so two units of work never deadlock over them. On a store whose
        units of work already run one at a time (SQLite, memory) it costs nothing.
        """
        ...


class OutboxLease(Protocol):
    """A relay's hold on partitions of the outbox, per sink: one holder at a time.

    Two relays of one office, in one process or in several, never hold one sink's
    partition at once, so they never deliver one stream's events to one sink
    concurrently (different sinks are delivered side by side). A lease ends with its
    holder: :meth:`close`, or the process ending (a killed relay holds nothing). Use a
    lease from one thread.
    """

    def take(self, sink: str, partitions: Sequence[int]) -> list[int]:
        """Take those of ``sink``'s ``partitions`` no other lease holds, without waiting."""
        ...

    def release(self, sink: str, partitions: Sequence[int]) -> None:
        """Give ``sink``'s ``partitions`` back (each one taken by :meth:`take`)."""
        ...

    def close(self) -> None:
        """Give back everything held and what the lease holds open."""
        ...


class Store(Protocol):
    """Where an office keeps its entities, their audit events and its counters."""

    @property
    def blobs(self) -> BlobStore:
        """Where the office keeps content (attachments, texts), by SHA-256."""
        ...

    def unit_of_work(self) -> AbstractContextManager[UnitOfWork]:
        """Begin an atomic change."""
        ...

    def use_kinds(self, entity_types: Mapping[str, type[Entity]]) -> None:
        """Read stored entities of each kind as its class (the office's registry says which).

        A store that keeps entities as objects has nothing to do; one that keeps bodies
        reads each back as the class of its kind, a plugin's kinds included.
        """
        ...

    def get(self, entity_id: str) -> Entity:
        """Load an entity; raise :class:`~secretarial.NotFound` if there is none."""
        ...

    def find(self, query: Query) -> Iterator[Entity]:
        """The entities matching ``query``, oldest first."""
        ...

    def events(self, entity_id: str) -> Sequence[AuditEvent]:
        """An entity's audit events in order; raise NotFound if there is no such entity."""
        ...

    def page(self, query: Query, *, limit: int, cursor: str | None = None) -> Page:
        """One page of the entities matching ``query``, in :meth:`find`'s order.

        ``limit`` is 1 to 10,000 and ``cursor`` one this store gave out (a
        ValidationError on the field otherwise). Each item comes with the cursor that
        resumes after it (:attr:`Page.cursors`).
        """
        ...

    def count(self, query: Query) -> int:
        """How many entities match ``query``."""
        ...

    def audit_records(
        self,
    ) -> tuple[list[tuple[int, Entity]], dict[str, list[AuditEvent | None]]]:
        """Everything verification reads, exactly as stored.

        Returns the entities with their store sequence numbers in creation order, and
        each entity id's events in stored order (None for a stored event that cannot be
        read as one).
        """
        ...

    def audit_stream(self) -> Iterator[AuditRecord]:
        """Everything verification reads, exactly as stored, one entity id at a time.

        Read in one snapshot, like :meth:`audit_records`, but each id's events are
        yielded as they are read and not kept, so verification holds one trail at a
        time. Every id that has a record or events is yielded once, in no particular
        order: a record without events has an empty trail, events without a record have
        ``entity`` None. Exhaust or close the iterator to end the read.
        """
        ...

    def add_anchor(self, anchor: Anchor) -> None:
        """Store an anchor; raise ConcurrencyConflict if its sequence is taken."""
        ...

    def anchors(self) -> list[Anchor]:
        """Every anchor, oldest first."""
        ...

    def record_denial(self, denial: AccessDenial) -> None:
        """Record a refused access (committed on its own)."""
        ...

    def denials(self) -> list[AccessDenial]:
        """Every refused access recorded, oldest first."""
        ...

    def counters(self) -> dict[tuple[str, str], int]:
        """The current value of every numbering counter, by (series, key)."""
        ...

    def checkpoint_state(self) -> CheckpointState:
        """Every entity's leaf, the denials log's head and the counters, read at one moment."""
        ...

    def add_checkpoint(
        self, checkpoint: Checkpoint, leaves: bytes, *, previous_leaves: bytes | None = None
    ) -> None:
        """Keep a checkpoint with its encoded leaves, in one transaction.

        With ``previous_leaves``, the previous checkpoint's kept leaves become those bytes
        (its leaves as a delta from the new one's). Raise ConcurrencyConflict, keeping
        nothing, if the checkpoint's number is taken.
        """
        ...

    def checkpoints(self) -> list[Checkpoint]:
        """Every checkpoint kept, oldest first."""
        ...

    def checkpoint_leaves(self, sequence: int) -> bytes | None:
        """The encoded leaves kept with checkpoint ``sequence``; None if there are none."""
        ...

    def forget_idempotency_keys(self, before: datetime) -> int:
        """Forget the idempotency keys claimed before ``before``; return how many."""
        ...

    def outbox(self, partition: int, *, after: int = 0, limit: int = 500) -> list[OutboxEntry]:
        """Up to ``limit`` entries of ``partition`` past position ``after``, in order.

        Every committed change has its entries here (written in its transaction); within
        a partition, positions grow in commit order.
        """
        ...

    def outbox_head(self) -> int:
        """The highest position in the outbox (0 if it is empty)."""
        ...

    def sink_positions(self) -> list[SinkPosition]:
        """How far each sink has been given each partition (recorded ones only)."""
        ...

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
        """Move ``sink``'s position in ``partition`` from ``expected`` to ``position``.

        ``delivered`` is how many entries it was given on the way; ``at`` is now.

        Raises:
            ConcurrencyConflict: The recorded position is not ``expected`` (0 when none
                is recorded): another relay moved it; nothing is changed.
        """
        ...

    def outbox_lease(self) -> OutboxLease:
        """A new, empty lease on the outbox's partitions (see :class:`OutboxLease`)."""
        ...

    def forget_outbox(self, partition: int, through: int) -> int:
        """Forget ``partition``'s entries up to position ``through``; return how many.

        The newest entry of the whole outbox may be kept (a store whose positions are
        row ids keeps it, so that no position is given twice).
        """
        ...

    def step_waits(
        self,
        kind: str,
        start: datetime,
        end: datetime,
        *,
        returns: Sequence[str],
        ceiling: int | None = None,
    ) -> list[tuple[str, int, int, int, int]]:
        """How long entities of ``kind`` stayed in each state, from the audit trail.

        A stay in a state begins with the event that entered it (the creation, or a
        change of state into it) and ends with the entity's next change of state
        (an event whose source differs from its target; remind-like self-loops neither
        begin nor end one). Every stay that ended in ``[start, end)`` counts, wherever it
        began. Its wait is the whole seconds between the two moments, each taken to the
        second (fractions dropped).

        Args:
            kind: The entity kind.
            start: The period's first moment, timezone-aware.
            end: The moment after the period, timezone-aware.
            returns: The triggers that count as a return (退回, rework) from a state.
            ceiling: Only entities classified at or below this level; None: all.

        Returns:
            ``(state, passed, returned, median, p90)`` for each state left in the
            period, by state name: how many stays ended, how many of them ended with one
            of ``returns``, and the nearest-rank 50th and 90th percentile waits in
            seconds (the value at rank ``ceil(p * n / 100)`` of the ``n`` waits in
            ascending order).
        """
        ...

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
        """How the lead units fared on the entities of ``kind`` closed in a period.

        An entity is *closed in the period* when the change of state into ``closed``
        (an event whose target is ``closed`` and whose source is not) is in
        ``[start, end)``. It was *completed* at the latest change of state into
        ``submitted`` (the result that was accepted), or at its closing if it has none;
        its completion day is that moment's day in ``zone``. It is *late* when it has a
        deadline and the completion day is after it, on time otherwise; *extended* when
        one of its events has a trigger in ``extended``, *reworked* when one has a
        trigger in ``reworked``. Each entity counts under its lead unit (the
        ``lead_unit`` column); entities without one are left out.

        Args:
            kind: The entity kind.
            start: The period's first moment, timezone-aware.
            end: The moment after the period, timezone-aware.
            zone: The time zone whose days deadlines are in.
            closed: The state reached on closing (办结).
            submitted: The state a completed result is submitted into.
            extended: The triggers that grant more time.
            reworked: The triggers that send a result back for rework.
            ceiling: Only entities classified at or below this level; None: all.

        Returns:
            The closed entities grouped as ``(unit, deadline, day, count, extended,
            reworked)``: the late ones by their deadline and completion day, the
            others under ``(unit, None, None, ...)``; ``count`` entities in the group,
            ``extended`` and ``reworked`` of them so. Then ``(unit, open)`` per unit:
            entities open now, created before ``end``, whose deadline is before the
            day of ``end`` in ``zone`` (due on or before the period's last day). Both
            lists sorted, None first.
        """
        ...

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
        """Audit events and completions per day of ``zone`` and kind, in ``[start, end)``.

        A *completion* is an event into one of ``terminal``'s ``(kind, state)`` pairs
        from another state (or a creation into one).

        Args:
            start: The period's first moment, timezone-aware.
            end: The moment after the period, timezone-aware.
            zone: The time zone whose days the events are counted in.
            kinds: Only events of these kinds; None: all.
            terminal: The closing states of each kind.
            ceiling: Only events of entities classified at or below this level.

        Returns:
            ``(day, kind, events, completions)`` for each day and kind with an event,
            by day, then kind.
        """
        ...

    def column_problems(self) -> list[AuditProblem]:
        """Every stored column that disagrees with the body it is derived from.

        A store that keeps indexed columns beside a body (an entity's state, an event's
        trigger, a denial's actor) reports each one that no longer says what the body
        says: a row set to hide an entity from a query, or an id column renamed.
        """
        ...

    def close(self) -> None:
        """Release what the store holds open."""
        ...
