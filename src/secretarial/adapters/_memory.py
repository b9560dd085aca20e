"""The in-memory store: dictionaries behind a lock, with the same contract as the SQL stores."""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

from secretarial.domain import AuditEvent, Entity, Query
from secretarial.errors import ConcurrencyConflict, NotFound

__all__ = ["MemoryStore"]


class _MemoryUnitOfWork:
    """Stages changes; the store applies them all at once on commit."""

    __slots__ = ("_counters", "_entities", "_events", "_store")

    def __init__(self, store: MemoryStore) -> None:
        self._store = store
        self._entities: dict[str, Entity] = {}
        self._events: list[AuditEvent] = []
        self._counters: dict[tuple[str, str], int] = {}

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

    def next_number(self, series: str, key: str) -> int:
        counter = (series, key)
        value = self._counters.get(counter, self._store._counters.get(counter, 0)) + 1  # noqa: SLF001
        self._counters[counter] = value
        return value

    def commit(self) -> None:
        store = self._store
        store._entities.update(self._entities)  # noqa: SLF001
        events = store._events  # noqa: SLF001
        for event in self._events:
            trail = events.get(event.entity_id)
            if trail is None:
                events[event.entity_id] = [event]
            else:
                trail.append(event)
        store._counters.update(self._counters)  # noqa: SLF001


class MemoryStore:
    """Keeps an office in process memory; everything is lost when the process ends.

    Thread-safe: a unit of work holds the store's lock from its first read to its
    commit, so changes from several threads are serialised.
    """

    def __init__(self) -> None:
        self._entities: dict[str, Entity] = {}
        self._events: dict[str, list[AuditEvent]] = {}
        self._counters: dict[tuple[str, str], int] = {}
        self._lock = threading.RLock()

    @contextmanager
    def unit_of_work(self) -> Iterator[_MemoryUnitOfWork]:
        """Begin an atomic change; it commits when the block ends without an exception."""
        with self._lock:
            uow = _MemoryUnitOfWork(self)
            yield uow
            uow.commit()

    def get(self, entity_id: str) -> Entity:
        """Load an entity."""
        try:
            return self._entities[entity_id]
        except KeyError:
            raise NotFound(entity_id) from None

    def find(self, query: Query) -> Iterator[Entity]:
        """The entities matching ``query``, oldest first."""
        with self._lock:
            entities = list(self._entities.values())
        return (e for e in entities if query.matches(e))

    def events(self, entity_id: str) -> Sequence[AuditEvent]:
        """An entity's audit events in order."""
        with self._lock:
            trail = self._events.get(entity_id)
            if trail is None:
                raise NotFound(entity_id)
            return tuple(trail)

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
