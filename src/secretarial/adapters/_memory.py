"""The in-memory store: dictionaries behind a lock, with the same contract as the SQL stores."""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from datetime import date
from typing import Any, Self

from secretarial.domain import AccessDenial, Anchor, AuditEvent, Entity, Page, Query
from secretarial.errors import ConcurrencyConflict, NotFound, UsageError

__all__ = ["MemoryStore"]


class _MemoryUnitOfWork:
    """Stages changes; the store applies them all at once on commit."""

    __slots__ = ("_counters", "_entities", "_events", "_store")

    def __init__(self, store: MemoryStore) -> None:
        self._store = store
        self._entities: dict[str, Entity] = {}
        self._events: list[AuditEvent] = []
        self._counters: dict[tuple[str, str], int] = {}

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

    def add(self, entity: Entity, event: AuditEvent) -> None:
        if entity.id in self._store._entities or entity.id in self._entities:  # noqa: SLF001
            raise ConcurrencyConflict(entity.id, 0, self.get(entity.id).version)
        self._entities[entity.id] = entity
        self._events.append(event)

    def save(self, entity: Entity, event: AuditEvent, *, expected_version: int) -> None:
        current = self.get(entity.id)
        if current.version != expected_version:
            raise ConcurrencyConflict(entity.id, expected_version, current.version)
        self._entities[entity.id] = entity
        self._events.append(event)

    def add_many(self, entities: Sequence[Entity], events: Sequence[AuditEvent]) -> None:
        for entity in entities:
            if entity.id in self._store._entities or entity.id in self._entities:  # noqa: SLF001
                raise ConcurrencyConflict(entity.id, 0, self.get(entity.id).version)
            self._entities[entity.id] = entity
        self._events.extend(events)

    def next_number(self, series: str, key: str, count: int = 1) -> int:
        counter = (series, key)
        first = self._counters.get(counter, self._store._counters.get(counter, 0)) + 1  # noqa: SLF001
        self._counters[counter] = first + count - 1
        return first

    def commit(self) -> None:
        store = self._store
        for entity_id in self._entities:
            if entity_id not in store._seq:  # noqa: SLF001
                store._seq[entity_id] = len(store._seq) + 1  # noqa: SLF001
        store._entities.update(self._entities)  # noqa: SLF001
        events = store._events  # noqa: SLF001
        for event in self._events:
            record = _pack(event)
            trail = events.get(event.entity_id)
            if trail is None:  # most entities have one event: keep it without a list
                events[event.entity_id] = record
            elif isinstance(trail, list):
                trail.append(record)
            else:
                events[event.entity_id] = [trail, record]
        store._counters.update(self._counters)  # noqa: SLF001


_EVENT_FIELDS: tuple[str, ...] = tuple(AuditEvent.model_fields)


def _pack(event: AuditEvent) -> tuple[Any, ...]:
    """An audit event as a plain tuple: a sixth of the memory of the validated model."""
    values = event.__dict__
    return tuple(values[name] for name in _EVENT_FIELDS)


def _unpack(record: tuple[Any, ...]) -> AuditEvent:
    """The audit event back from its tuple; it was validated when it was recorded."""
    return AuditEvent.model_construct(**dict(zip(_EVENT_FIELDS, record, strict=True)))


def _cursor(key: tuple[Any, ...]) -> str:
    return "/".join(str(part) for part in key)


def _parse_cursor(cursor: str | None) -> tuple[Any, ...] | None:
    if cursor is None:
        return None
    try:
        *day, seq = cursor.split("/")
        return (*(date.fromisoformat(d) for d in day), int(seq))
    except ValueError:
        raise UsageError(f"{cursor!r} is not a cursor this store gave out") from None


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
        self._seq: dict[str, int] = {}
        self._anchors: list[Anchor] = []
        self._denials: list[AccessDenial] = []
        self._lock = threading.RLock()

    def unit_of_work(self) -> _MemoryUnitOfWork:
        """Begin an atomic change; it commits when the block ends without an exception."""
        return _MemoryUnitOfWork(self)

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
        """One page of the entities matching ``query``, in :meth:`find`'s order."""
        after = _parse_cursor(cursor)
        rows = self._matching(query)
        if after is not None:
            rows = [row for row in rows if row[0] > after]
        items = rows[:limit]
        more = len(rows) > limit
        return Page(tuple(e for _, e in items), _cursor(items[-1][0]) if more else None)

    def _matching(self, query: Query) -> list[tuple[tuple[Any, ...], Entity]]:
        with self._lock:
            entities = [(self._seq[e.id], e) for e in self._entities.values()]
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
            records = trail if isinstance(trail, list) else [trail]
            return tuple(_unpack(record) for record in records)

    def audit_records(
        self,
    ) -> tuple[list[tuple[int, Entity]], dict[str, list[AuditEvent | None]]]:
        """The entities in creation order with their sequence numbers, and every trail."""
        with self._lock:
            entities = sorted(
                ((self._seq[i], e) for i, e in self._entities.items()), key=lambda r: r[0]
            )
            trails: dict[str, list[AuditEvent | None]] = {
                entity_id: [_unpack(r) for r in (t if isinstance(t, list) else [t])]
                for entity_id, t in self._events.items()
            }
        return entities, trails

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
        """Record a refused access."""
        with self._lock:
            self._denials.append(denial)

    def denials(self) -> list[AccessDenial]:
        """Every refused access recorded, oldest first."""
        with self._lock:
            return list(self._denials)

    def counters(self) -> dict[tuple[str, str], int]:
        """The current value of every numbering counter, by (series, key)."""
        with self._lock:
            return dict(self._counters)

    def close(self) -> None:
        """Nothing to release."""

    def __len__(self) -> int:
        return len(self._entities)

    def __repr__(self) -> str:
        return f"<MemoryStore: {len(self._entities)} entities>"
