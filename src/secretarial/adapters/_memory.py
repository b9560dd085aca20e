"""The in-memory store: dictionaries behind a lock, with the same contract as the SQL stores."""

from __future__ import annotations

import bisect
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import date, datetime, tzinfo
from operator import is_, itemgetter
from typing import Any, Final, Self

from secretarial.errors import ConcurrencyConflict, NotFound
from secretarial.kernel._access import AccessDenial
from secretarial.kernel._audit import Anchor, AuditEvent, AuditProblem, AuditRecord
from secretarial.kernel._checkpoint import (
    Checkpoint,
    CheckpointLeaf,
    CheckpointState,
    CounterValue,
)
from secretarial.kernel._entity import Entity, stored_json
from secretarial.kernel._idempotency import Claim
from secretarial.kernel._outbox import (
    CHECKPOINT_COLUMNS,
    OutboxColumns,
    OutboxEntry,
    SinkPosition,
    checkpoint_message,
    outbox_columns,
)
from secretarial.kernel._query import (
    Page,
    Query,
    checked_limit,
    cursor_refused,
    cursor_sequence,
)

from ._lease import LocalLease
from ._memory_blobs import MemoryBlobs

__all__ = ["MemoryStore"]


class _MemoryUnitOfWork:
    """Stages changes; the store applies them all at once on commit."""

    __slots__ = ("_claims", "_counters", "_entities", "_events", "_outbox", "_store")

    def __init__(self, store: MemoryStore) -> None:
        self._store = store
        self._entities: dict[str, Entity] = {}
        self._events: list[AuditEvent] = []
        self._counters: dict[tuple[str, str], int] = {}
        self._claims: dict[str, tuple[str, datetime, Entity | None]] = {}
        self._outbox: list[OutboxColumns] = []

    def __enter__(self) -> Self:
        self._store._lock.acquire()  # noqa: SLF001
        return self

    def __exit__(self, exc_type: type[BaseException] | None, *_: object) -> None:
        try:
            if exc_type is None:
                self.commit()
        finally:
            self._store._lock.release()  # noqa: SLF001

    def get(self, entity_id: str) -> Entity:
        staged = self._entities.get(entity_id)
        if staged is not None:
            return staged
        return self._store.get(entity_id)

    def events(self, entity_id: str) -> Sequence[AuditEvent]:
        staged = [event for event in self._events if event.entity_id == entity_id]
        if staged and staged[0].version == 1:
            return tuple(staged)
        return (*self._store.events(entity_id), *staged)

    def add(self, entity: Entity, event: AuditEvent) -> None:
        if entity.id in self._store._entities or entity.id in self._entities:  # noqa: SLF001
            raise ConcurrencyConflict(entity.id, 0, self.get(entity.id).version)
        self._entities[entity.id] = entity
        self._events.append(event)
        self._outbox.append(outbox_columns(event, entity))

    def save(self, entity: Entity, event: AuditEvent, *, expected_version: int) -> None:
        current = self._entities.get(entity.id)
        if current is None:
            current = self._store.get(entity.id)
        if current.version != expected_version:
            raise ConcurrencyConflict(entity.id, expected_version, current.version)
        self._entities[entity.id] = entity
        self._events.append(event)
        self._outbox.append(outbox_columns(event, entity))

    def add_many(self, entities: Sequence[Entity], events: Sequence[AuditEvent]) -> None:
        for entity in entities:
            if entity.id in self._store._entities or entity.id in self._entities:  # noqa: SLF001
                raise ConcurrencyConflict(entity.id, 0, self.get(entity.id).version)
            self._entities[entity.id] = entity
        self._events.extend(events)
        staged = self._entities
        self._outbox.extend(outbox_columns(e, staged[e.entity_id]) for e in events)

    def find(self, query: Query) -> list[Entity]:
        staged = self._entities
        found: list[Entity] = []
        for entity in self._store.find(query):
            current = staged.get(entity.id, entity)
            if current is entity or query.matches(current):
                found.append(current)
        listed = {e.id for e in found}
        found.extend(e for e in staged.values() if e.id not in listed and query.matches(e))
        return found

    def lock(self, *resources: str) -> None:
        """Nothing to take: a unit of work holds the whole store until it ends."""
        del resources

    def next_number(self, series: str, key: str, count: int = 1) -> int:
        counter = (series, key)
        first = self._counters.get(counter, self._store._counters.get(counter, 0)) + 1  # noqa: SLF001
        self._counters[counter] = first + count - 1
        return first

    def claim(self, key: str, fingerprint: str, at: datetime) -> Claim | None:
        kept = self._store._claims.get(key) or self._claims.get(key)  # noqa: SLF001
        if kept is not None and kept[2] is not None:
            return Claim(kept[0], kept[2])
        self._claims[key] = (fingerprint, at, None)
        return None

    def settle(self, key: str, entity: Entity) -> None:
        fingerprint, at, _ = self._claims[key]
        self._claims[key] = (fingerprint, at, entity)

    def commit(self) -> None:
        store = self._store
        staged = self._entities
        kept = store._entities  # noqa: SLF001
        events = store._events  # noqa: SLF001
        for event in self._events:
            entity_id = event.entity_id
            record = _pack(event)
            trail = events.get(entity_id)
            if trail is None:  # most entities have one event: keep it without a list
                if event.version == 1 and staged[entity_id].version == 1:
                    record = _derived(record)
                events[entity_id] = record
                continue
            if not isinstance(trail, list):
                trail = events[entity_id] = [trail]
            creation = trail[0]
            fields = creation[_PAYLOAD]
            if type(fields) is _EntityFields:
                before = kept.get(entity_id)
                if not fields.kept_by(before, staged[entity_id]):
                    trail[0] = _materialized(creation, before)
            trail.append(record)
        # A new id goes to the end of the dict, a saved one keeps its place: an entity's
        # place in the dict is its creation sequence number.
        kept.update(staged)
        store._counters.update(self._counters)  # noqa: SLF001
        store._claims.update(self._claims)  # noqa: SLF001
        for columns in self._outbox:
            store._append_outbox(columns, None)  # noqa: SLF001


_EVENT_FIELDS: tuple[str, ...] = tuple(AuditEvent.model_fields)
_PAYLOAD: Final = _EVENT_FIELDS.index("payload")
_values_of: Callable[[dict[str, Any]], tuple[Any, ...]] = itemgetter(*_EVENT_FIELDS)

Record = tuple[Any, ...]
"""An audit event as a plain tuple of its field values: a sixth of the memory of the
validated model."""


def _pack(event: AuditEvent) -> Record:
    """An audit event as a :data:`Record`."""
    return _values_of(event.__dict__)


class _EntityFields:
    """Stands for a creation payload while the entity still holds what it was created with.

    A creation event's payload is the JSON form of the fields the creator gave. As long
    as each of those fields holds the very object it held at creation (a transition's
    copy shares every value it does not replace), the payload is produced from the
    current entity when the event is read; the first change that replaces one of them
    writes the payload out for good, from the entity as it was. One instance per set of
    field names, shared.
    """

    __slots__ = ("_values", "names")

    def __init__(self, names: frozenset[str]) -> None:
        self.names = names
        ordered = sorted(names)
        self._values: Callable[[dict[str, Any]], tuple[Any, ...]] = (
            itemgetter(*ordered) if len(ordered) > 1 else lambda values: (values[ordered[0]],)
        )

    def kept_by(self, before: Entity | None, after: Entity) -> bool:
        """Whether ``after`` holds the same objects as ``before`` in every named field."""
        if before is None:
            return False
        return all(map(is_, self._values(before.__dict__), self._values(after.__dict__)))

    def payload(self, entity: Entity) -> dict[str, Any]:
        # What ``Workflow.create`` recorded: model_dump(mode="json", include=names).
        payload: dict[str, Any] = entity.__pydantic_serializer__.to_python(
            entity, mode="json", include=set(self.names), by_alias=False
        )
        return payload


_ENTITY_FIELDS: dict[frozenset[str], _EntityFields] = {}


def _derived(record: Record) -> Record:
    """The creation record with its payload left to the version-1 entity."""
    names = frozenset(record[_PAYLOAD])
    marker = _ENTITY_FIELDS.get(names)
    if marker is None:
        marker = _ENTITY_FIELDS.setdefault(names, _EntityFields(names))
    return (*record[:_PAYLOAD], marker, *record[_PAYLOAD + 1 :])


def _materialized(record: Record, entity: Entity | None) -> Record:
    """The record with its payload written out.

    ``entity`` is the entity the record was made with; None if it is gone, which leaves
    an empty payload that no longer matches the hash.
    """
    marker = record[_PAYLOAD]
    if not isinstance(marker, _EntityFields):
        return record
    payload = {} if entity is None else marker.payload(entity)
    return (*record[:_PAYLOAD], payload, *record[_PAYLOAD + 1 :])


def _unpack(record: Record, entity: Entity | None) -> AuditEvent:
    """The audit event back from its record; it was validated when it was recorded."""
    record = _materialized(record, entity)
    return AuditEvent.model_construct(**dict(zip(_EVENT_FIELDS, record, strict=True)))


def _cursor(key: tuple[Any, ...]) -> str:
    return "/".join(str(part) for part in key)


def _parse_cursor(cursor: str | None) -> tuple[Any, ...] | None:
    if cursor is None:
        return None
    try:
        *day, seq = cursor.split("/")
        return (*(date.fromisoformat(d) for d in day), cursor_sequence(seq))
    except ValueError:
        raise cursor_refused(cursor) from None


class MemoryStore:
    """Keeps an office in process memory; everything is lost when the process ends.

    Thread-safe: a unit of work holds the store's lock from its first read to its
    commit, so changes from several threads are serialised.
    """

    def __init__(self) -> None:
        self._entities: dict[str, Entity] = {}
        self._events: dict[str, tuple[Any, ...] | list[tuple[Any, ...]]] = {}
        """An entity's audit records: one record alone, or a list of them."""
        self._counters: dict[tuple[str, str], int] = {}
        self._anchors: list[Anchor] = []
        self._denials: list[AccessDenial] = []
        self._checkpoints: list[tuple[Checkpoint, bytes]] = []
        self._claims: dict[str, tuple[str, datetime, Entity | None]] = {}
        """Idempotency keys: each command's fingerprint, when it was claimed, its result."""
        self._lock = threading.RLock()
        self._outbox: dict[int, list[tuple[int, OutboxColumns, Checkpoint | None]]] = {}
        """Each partition's outbox entries: position, columns, and the checkpoint an entry
        reports (an event's is read from its entity's trail, kept once)."""
        self._outbox_at: dict[int, list[int]] = {}
        self._outbox_head = 0
        self._sinks: dict[tuple[str, int], SinkPosition] = {}
        self.blobs = MemoryBlobs()
        """The office's content (:class:`~secretarial.engine.BlobStore`), in memory."""

    def unit_of_work(self) -> _MemoryUnitOfWork:
        """Begin an atomic change; it commits when the block ends without an exception."""
        return _MemoryUnitOfWork(self)

    def use_kinds(self, entity_types: Mapping[str, type[Entity]]) -> None:
        """Nothing to do: the store keeps the entities themselves, of whatever kind."""

    def get(self, entity_id: str) -> Entity:
        """Load an entity."""
        try:
            return self._entities[entity_id]
        except KeyError:
            raise NotFound(entity_id) from None

    def find(self, query: Query) -> Iterator[Entity]:
        """The entities matching ``query``, oldest first (overdue ones by deadline)."""
        return (entity for _, entity in self._matching(query))

    def page(self, query: Query, *, limit: int, cursor: str | None = None) -> Page:
        """One page of the entities matching ``query``, in :meth:`find`'s order.

        Raises:
            ValidationError: ``limit`` is not 1 to 10,000.
            UsageError: ``cursor`` is not one this store gave out.
        """
        limit = checked_limit(limit)
        after = _parse_cursor(cursor)
        rows = self._matching(query)
        if after is not None:
            rows = [row for row in rows if row[0] > after]
        items = rows[:limit]
        more = len(rows) > limit
        cursors = tuple(_cursor(key) for key, _ in items)
        return Page(tuple(e for _, e in items), cursors[-1] if more else None, cursors)

    def count(self, query: Query) -> int:
        """How many entities match ``query``."""
        return len(self._matching(query))

    def _matching(self, query: Query) -> list[tuple[tuple[Any, ...], Entity]]:
        with self._lock:
            entities = list(enumerate(self._entities.values(), 1))
        if query.overdue_as_of is not None:
            rows = [((e.deadline, seq), e) for seq, e in entities if query.matches(e)]
            rows.sort(key=lambda row: row[0])
            return rows
        return [((seq,), e) for seq, e in entities if query.matches(e)]

    def events(self, entity_id: str) -> Sequence[AuditEvent]:
        """An entity's audit events in order."""
        with self._lock:
            trail = self._events.get(entity_id)
            if trail is None:
                raise NotFound(entity_id)
            entity = self._entities.get(entity_id)
            if isinstance(trail, list):
                return (_unpack(trail[0], entity), *(_unpack(r, None) for r in trail[1:]))
            return (_unpack(trail, entity),)

    def audit_records(
        self,
    ) -> tuple[list[tuple[int, Entity]], dict[str, list[AuditEvent | None]]]:
        """The entities in creation order with their sequence numbers, and every trail."""
        with self._lock:
            entities = list(enumerate(self._entities.values(), 1))
            trails: dict[str, list[AuditEvent | None]] = {
                entity_id: (
                    [
                        _unpack(t[0], self._entities.get(entity_id)),
                        *(_unpack(r, None) for r in t[1:]),
                    ]
                    if isinstance(t, list)
                    else [_unpack(t, self._entities.get(entity_id))]
                )
                for entity_id, t in self._events.items()
            }
        return entities, trails

    def audit_stream(self) -> Iterator[AuditRecord]:
        """Every entity id with its record and events, one at a time, as stored."""
        with self._lock:  # the snapshot: the records and each trail as it stands now
            records = {
                entity.id: (seq, entity) for seq, entity in enumerate(self._entities.values(), 1)
            }
            packed = {
                entity_id: list(t) if isinstance(t, list) else [t]
                for entity_id, t in self._events.items()
            }
        for entity_id, rows in packed.items():
            seq, entity = records.pop(entity_id, (None, None))
            trail = [_unpack(rows[0], entity), *(_unpack(r, None) for r in rows[1:])]
            yield AuditRecord(entity_id, seq, entity, trail)
        for entity_id, (seq, entity) in records.items():
            yield AuditRecord(entity_id, seq, entity, [])

    def add_anchor(self, anchor: Anchor) -> None:
        """Store an anchor."""
        with self._lock:
            if len(self._anchors) + 1 != anchor.sequence:
                raise ConcurrencyConflict(
                    f"anchor {anchor.sequence}", anchor.sequence - 1, len(self._anchors)
                )
            self._anchors.append(anchor)

    def anchors(self) -> list[Anchor]:
        """Every anchor, oldest first."""
        with self._lock:
            return list(self._anchors)

    def record_denial(self, denial: AccessDenial) -> None:
        """Record a refused access, chained to the one recorded before it."""
        with self._lock:
            previous = (self._denials[-1].hash or None) if self._denials else None
            self._denials.append(denial.chained(previous))

    def denials(self) -> list[AccessDenial]:
        """Every refused access recorded, oldest first."""
        with self._lock:
            return list(self._denials)

    def counters(self) -> dict[tuple[str, str], int]:
        """The current value of every numbering counter, by (series, key)."""
        with self._lock:
            return dict(self._counters)

    def step_waits(
        self,
        kind: str,
        start: datetime,
        end: datetime,
        *,
        returns: Sequence[str],
        ceiling: int | None = None,
    ) -> list[tuple[str, int, int, int, int]]:
        """Each state's stays that ended in ``[start, end)`` (see the SQL store's)."""
        with self._lock:
            ids = [
                e.id
                for e in self._entities.values()
                if e.entity_kind == kind and (ceiling is None or e.classification.level <= ceiling)
            ]
        waits: dict[str, list[int]] = {}
        returned: dict[str, int] = {}
        for entity_id in ids:
            entered: datetime | None = None
            for event in self.events(entity_id):
                if event.at >= end:
                    break
                if event.source is not None and event.source == event.target:
                    continue
                if event.source is not None and entered is not None and event.at >= start:
                    wait = int(event.at.timestamp()) - int(entered.timestamp())
                    waits.setdefault(event.source, []).append(wait)
                    if event.trigger in returns:
                        returned[event.source] = returned.get(event.source, 0) + 1
                entered = event.at
        rows = []
        for state in sorted(waits):
            ordered = sorted(waits[state])
            n = len(ordered)
            rows.append(
                (
                    state,
                    n,
                    returned.get(state, 0),
                    ordered[(50 * n + 99) // 100 - 1],
                    ordered[(90 * n + 99) // 100 - 1],
                )
            )
        return rows

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
        """How the lead units fared in a period (see the SQL store's)."""
        with self._lock:
            chosen = [
                e
                for e in self._entities.values()
                if e.entity_kind == kind
                and getattr(e, "lead_unit", None) is not None
                and (ceiling is None or e.classification.level <= ceiling)
            ]
        groups: dict[tuple[str, date | None, date | None], list[int]] = {}
        overdue: dict[str, int] = {}
        last_day = end.astimezone(zone).date()
        for entity in chosen:
            unit = str(entity.lead_unit.code)  # type: ignore[attr-defined]
            if (
                entity.is_open
                and entity.created_at < end
                and entity.deadline is not None
                and entity.deadline < last_day
            ):
                overdue[unit] = overdue.get(unit, 0) + 1
            trail = self.events(entity.id)
            moves = [e for e in trail if e.source != e.target]
            shut = [e.at for e in moves if e.target == closed]
            if not shut or not start <= shut[-1] < end:
                continue
            done = max((e.at for e in moves if e.target == submitted), default=shut[-1])
            day = done.astimezone(zone).date()
            late = entity.deadline is not None and day > entity.deadline
            key = (unit, entity.deadline, day) if late else (unit, None, None)
            row = groups.setdefault(key, [0, 0, 0])
            row[0] += 1
            row[1] += any(e.trigger in extended for e in trail)
            row[2] += any(e.trigger in reworked for e in trail)
        rows = [(u, d, day, n, x, r) for (u, d, day), (n, x, r) in groups.items()]
        rows.sort(key=lambda row: (row[0], row[1] or date.min, row[2] or date.min))
        return rows, sorted(overdue.items())

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
        """Events and completions per day and kind (see the SQL store's)."""
        closing = set(terminal)
        with self._lock:
            ids = [
                e.id
                for e in self._entities.values()
                if (kinds is None or e.entity_kind in kinds)
                and (ceiling is None or e.classification.level <= ceiling)
            ]
        counts: dict[tuple[date, str], list[int]] = {}
        for entity_id in ids:
            for event in self.events(entity_id):
                if not start <= event.at < end:
                    continue
                row = counts.setdefault(
                    (event.at.astimezone(zone).date(), event.entity_kind), [0, 0]
                )
                row[0] += 1
                row[1] += (
                    event.source != event.target and (event.entity_kind, event.target) in closing
                )
        return [(day, kind, n, done) for (day, kind), (n, done) in sorted(counts.items())]

    def checkpoint_state(self) -> CheckpointState:
        """What a checkpoint seals, read under the store's lock."""
        with self._lock:
            leaves = sorted(
                CheckpointLeaf(e.id, e.entity_kind.value, e.version, e.audit_head or "")
                for e in self._entities.values()
            )
            last = self._denials[-1] if self._denials else None
            return CheckpointState(
                leaves=leaves,
                last_entity=len(self._entities),
                denials=len(self._denials),
                denials_head=(last.hash or None) if last is not None else None,
                counters=tuple(
                    CounterValue(series, key, value)
                    for (series, key), value in sorted(self._counters.items())
                ),
            )

    def add_checkpoint(
        self, checkpoint: Checkpoint, leaves: bytes, *, previous_leaves: bytes | None = None
    ) -> None:
        """Keep a checkpoint and its leaves; raise ConcurrencyConflict if its number is taken."""
        with self._lock:
            if len(self._checkpoints) + 1 != checkpoint.sequence:
                raise ConcurrencyConflict(
                    f"checkpoint {checkpoint.sequence}",
                    checkpoint.sequence - 1,
                    len(self._checkpoints),
                )
            if previous_leaves is not None and self._checkpoints:
                self._checkpoints[-1] = (self._checkpoints[-1][0], previous_leaves)
            self._checkpoints.append((checkpoint, leaves))
            self._append_outbox(
                CHECKPOINT_COLUMNS._replace(version=checkpoint.sequence), checkpoint
            )

    def checkpoints(self) -> list[Checkpoint]:
        """Every checkpoint kept, oldest first."""
        with self._lock:
            return [checkpoint for checkpoint, _ in self._checkpoints]

    def checkpoint_leaves(self, sequence: int) -> bytes | None:
        """The encoded leaves kept with checkpoint ``sequence``; None if it is not kept."""
        with self._lock:
            for checkpoint, leaves in self._checkpoints:
                if checkpoint.sequence == sequence:
                    return leaves
            return None

    def forget_idempotency_keys(self, before: datetime) -> int:
        """Forget the idempotency keys claimed before ``before``; return how many."""
        with self._lock:
            old = [key for key, (_, at, _) in self._claims.items() if at < before]
            for key in old:
                del self._claims[key]
            return len(old)

    def _append_outbox(self, columns: OutboxColumns, reported: Checkpoint | None) -> None:
        partition = columns.partition
        self._outbox_head += 1
        self._outbox.setdefault(partition, []).append((self._outbox_head, columns, reported))
        self._outbox_at.setdefault(partition, []).append(self._outbox_head)

    def outbox(self, partition: int, *, after: int = 0, limit: int = 500) -> list[OutboxEntry]:
        """Up to ``limit`` entries of ``partition`` past position ``after``, in order."""
        with self._lock:
            entries = self._outbox.get(partition, [])
            start = bisect.bisect_right(self._outbox_at.get(partition, []), after)
            rows = entries[start : start + limit]
            streams = {c.stream for _, c, reported in rows if reported is None}
            heads = {stream: self._entities.get(stream) for stream in streams}
            trails = {stream: self.events(stream) for stream in streams}
        found = []
        for position, columns, reported in rows:
            if reported is not None:
                found.append(OutboxEntry(position, *columns, checkpoint_message(reported), None))
                continue
            head = heads[columns.stream]
            body = None
            if head is not None and head.version == columns.version:
                body = stored_json(head)
            event = trails[columns.stream][columns.version - 1].model_dump_json()
            found.append(OutboxEntry(position, *columns, event, body))
        return found

    def outbox_head(self) -> int:
        """The highest position in the outbox (0 if it is empty)."""
        with self._lock:
            return self._outbox_head

    def sink_positions(self) -> list[SinkPosition]:
        """How far each sink has been given each partition."""
        with self._lock:
            return sorted(self._sinks.values())

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
        """Move ``sink``'s position in ``partition``; ConcurrencyConflict if it moved."""
        with self._lock:
            current = self._sinks.get((sink, partition))
            recorded = 0 if current is None else current.position
            if recorded != expected:
                raise ConcurrencyConflict(f"outbox:{sink}:{partition}", expected, recorded)
            total = delivered + (0 if current is None else current.delivered)
            self._sinks[(sink, partition)] = SinkPosition(sink, partition, position, total, at)

    def outbox_lease(self) -> LocalLease:
        """A lease on this store's partitions, exclusive between the relays of this process."""
        return LocalLease(f"memory:{id(self)}", None)

    def forget_outbox(self, partition: int, through: int) -> int:
        """Forget ``partition``'s entries up to position ``through``; return how many."""
        with self._lock:  # the newest stays, as on SQLite
            positions = self._outbox_at.get(partition, [])
            cut = bisect.bisect_right(positions, min(through, self._outbox_head - 1))
            del positions[:cut]
            del self._outbox.get(partition, [])[:cut]
        return cut

    def column_problems(self) -> list[AuditProblem]:
        """Nothing to compare: the store keeps the entities and events themselves."""
        return []

    def close(self) -> None:
        """Nothing to release."""

    def __len__(self) -> int:
        return len(self._entities)

    def __repr__(self) -> str:
        return f"<MemoryStore: {len(self._entities)} entities>"
