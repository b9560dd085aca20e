"""The relay: delivers the outbox to sinks, in commit order per entity, at least once.

Every committed change has left its domain events in the store's outbox (written in its
own transaction, see ``secretarial.kernel._outbox``). A :class:`Relay` reads them
partition by partition and hands each :class:`Sink` the events past its recorded
position, in order, then records the new position. A sink that fails is tried again
later, with exponential backoff, from where it stood; the other sinks go on.

- **At least once.** The position moves only after the sink took the batch, so a relay
  that dies between the two delivers the batch again when it, or another, resumes.
  Consumers drop repeats by the event's ``id``.
- **In order per entity.** An entity's events all lie in one partition, in commit
  order; a sink is given a partition by one relay at a time (the store's lease, per
  sink and partition: advisory locks on PostgreSQL, record locks on a SQLite file), in
  position order.
- **Replay.** A new sink starts from the oldest entry kept, from the newest, or from a
  position; :meth:`Relay.rewind` sets a sink back.
"""

from __future__ import annotations

import logging
import random
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from html import escape
from typing import Final, Literal, Protocol, Self, runtime_checkable

from secretarial.errors import ConcurrencyConflict, FieldProblem, ValidationError
from secretarial.kernel._enums import Classification
from secretarial.kernel._outbox import (
    PARTITIONS,
    OutboxEntry,
    OutboxEvent,
    OutboxMessage,
    SinkPosition,
    partition_of,
)

from ._ports import Clock, OutboxLease, Store

__all__ = [
    "Backoff",
    "CallbackSink",
    "Outbox",
    "Relay",
    "RelayReport",
    "Sink",
    "SinkReport",
    "Subscription",
]

logger = logging.getLogger("secretarial.relay")

Start = Literal["earliest", "latest"] | int
"""Where a sink with no recorded position begins: the oldest entry kept, the newest
entry now (only what is committed from now on), or past a position."""


@dataclass(frozen=True, slots=True)
class Subscription:
    """Which events a sink takes: by kind, type and trigger (empty: every one).

    An event is taken when it matches each non-empty set. Events a sink does not take
    are passed over: its position moves past them.

    >>> Subscription(kinds=frozenset({"incoming"})).accepts_values("incoming", "created", "receive")
    True
    """

    kinds: frozenset[str] = frozenset()
    types: frozenset[str] = frozenset()
    triggers: frozenset[str] = frozenset()

    def accepts(self, message: OutboxMessage) -> bool:
        """Whether the sink takes ``message``."""
        return self.accepts_values(message.kind, message.type, message.trigger)

    def accepts_values(self, kind: str, type_: str, trigger: str) -> bool:
        """Whether an event of ``kind``, ``type_`` and ``trigger`` is taken."""
        return (
            (not self.kinds or kind in self.kinds)
            and (not self.types or type_ in self.types)
            and (not self.triggers or trigger in self.triggers)
        )


@runtime_checkable
class Sink(Protocol):
    """Where a relay delivers events: a broker, a plugin, a host's function.

    Attributes:
        name: Names the sink's recorded positions: keep it stable, and give each
            consumer its own (two sinks of one name share one position).
        clearance: The classification the sink is cleared for. Events of entities
            classified above it come without the reason, the input and the entity
            (``withheld``).
        subscription: The events it takes.
    """

    @property
    def name(self) -> str:
        """The name its positions are recorded under."""
        ...

    @property
    def clearance(self) -> Classification:
        """What it is cleared for."""
        ...

    @property
    def subscription(self) -> Subscription:
        """The events it takes."""
        ...

    def deliver(self, messages: Sequence[OutboxMessage]) -> None:
        """Take ``messages`` (of one partition, in order) or raise.

        Return only once they are safe with the sink (a broker acknowledged them). On
        an exception the whole batch is delivered again later: a sink that took part of
        it sees that part twice, with the same ids.
        """
        ...


@dataclass(frozen=True, slots=True)
class CallbackSink:
    """A sink that hands each batch to a function of the host's.

    >>> seen = []
    >>> sink = CallbackSink("audit-copy", seen.extend)
    """

    name: str
    callback: Callable[[Sequence[OutboxMessage]], object]
    clearance: Classification = Classification.UNCLASSIFIED
    subscription: Subscription = Subscription()

    def deliver(self, messages: Sequence[OutboxMessage]) -> None:
        """Call the function with the batch."""
        self.callback(messages)


@dataclass(frozen=True, slots=True)
class Backoff:
    """How long a failing sink waits before it is tried again.

    The ``n``-th failure in a row waits ``min(cap, base * 2 ** (n - 1))`` seconds, less
    a random part of up to ``jitter`` of it (so that relays do not retry in step).
    """

    base: float = 0.5
    cap: float = 60.0
    jitter: float = 0.25

    def delay(self, failures: int) -> float:
        """Seconds to wait after ``failures`` failures in a row."""
        full = min(self.cap, self.base * 2.0 ** max(0, failures - 1))
        return float(full * (1 - self.jitter * random.random()))  # noqa: S311 -- not for secrets


@dataclass(frozen=True, slots=True)
class SinkReport:
    """What one sink was given, and how it stands."""

    name: str
    delivered: int
    """Events it took in this run (passed-over events are not counted)."""
    failures: int
    """Failures in a row (0 once it takes a batch again)."""
    error: str | None
    """The last failure, if it is failing."""
    retry_in: float | None
    """Seconds until it is tried again, if it is failing."""


@dataclass(frozen=True, slots=True)
class RelayReport:
    """What a run of a relay delivered."""

    delivered: int
    sinks: tuple[SinkReport, ...]
    partitions: tuple[int, ...]
    """The partitions this relay held (the others were another relay's)."""

    @property
    def failing(self) -> tuple[SinkReport, ...]:
        """The sinks whose last delivery failed."""
        return tuple(s for s in self.sinks if s.error is not None)

    def _repr_html_(self) -> str:
        rows = "".join(
            f"<tr><td>{escape(s.name)}</td><td>{s.delivered}</td>"
            f"<td>{escape(s.error or '')}</td></tr>"
            for s in self.sinks
        )
        return (
            f"<p>{self.delivered} events delivered from {len(self.partitions)} partitions</p>"
            f"<table><tr><th>sink</th><th>delivered</th><th>failing with</th></tr>{rows}</table>"
        )


@dataclass(slots=True)
class _SinkState:
    sink: Sink
    delivered: int = 0
    moved: int = 0
    """Entries its position moved past (taken or passed over)."""
    failures: int = 0
    error: str | None = None
    retry_at: float = 0.0


_BATCH_LIMIT: Final = 10_000


class Relay:
    """Delivers an office's outbox to sinks (see the module's documentation).

    Made by ``Office.outbox_relay``; ``Office.relay`` runs one to the end of what is
    committed. Use it from one thread; run several relays (threads or processes) for
    a standby or to share the partitions.

    Args:
        store: The office's store.
        sinks: Where to deliver; each name once.
        clock: Tells the time recorded with each position.
        batch: At most this many entries per partition and sink at a time (1 to 10,000).
        partitions: The partitions this relay may take (default: all).
        start: Where a sink with no recorded position begins (see :data:`Start`).
        backoff: How a failing sink waits.

    Raises:
        ValidationError: Two sinks share a name, ``batch`` or a partition is out of range.
    """

    def __init__(
        self,
        store: Store,
        sinks: Iterable[Sink],
        *,
        clock: Clock,
        batch: int = 500,
        partitions: Iterable[int] | None = None,
        start: Start = "earliest",
        backoff: Backoff | None = None,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        listed = list(sinks)
        partitions = None if partitions is None else tuple(partitions)
        problems = _problems(listed, batch, partitions, start)
        if problems:
            raise ValidationError("Relay", problems)
        self._store = store
        self._sinks = [_SinkState(sink) for sink in listed]
        self._clock = clock
        self._batch = batch
        self._partitions = tuple(range(PARTITIONS)) if partitions is None else partitions
        self._start = start
        self._backoff = backoff or Backoff()
        self._monotonic = monotonic
        self._lease = store.outbox_lease()
        # "latest" is the head when the relay is made: what commits after it is delivered.
        self._latest = store.outbox_head() if start == "latest" else None
        self._turn = random.randrange(PARTITIONS)  # noqa: S311 -- spreads relays, not a secret

    # ------------------------------------------------------------------ running
    def run_once(self) -> RelayReport:
        """One pass: each partition, one batch for each sink that is due and free.

        Raises:
            ConcurrencyConflict: A sink's position moved under this relay (another
                relay delivered the partition, which the lease should prevent).
        """
        return self._pass(self._sinks, self._lease)[0]

    def _pass(self, states: Sequence[_SinkState], lease: OutboxLease) -> tuple[RelayReport, int]:
        """One pass for ``states``, and how many entries their positions moved past.

        Each partition is taken (per sink), delivered and given back in turn, starting
        one further on each pass (from a random one): relays that run at once
        interleave over the partitions instead of one holding them all.
        """
        before = sum(s.delivered for s in states)
        moved = sum(s.moved for s in states)
        turn = self._turn % len(self._partitions)
        self._turn += 1
        held: list[int] = []
        for partition in self._partitions[turn:] + self._partitions[:turn]:
            now = self._monotonic()
            due = [s for s in states if s.retry_at <= now]
            got = [s for s in due if lease.take(s.sink.name, [partition])]
            if not got:
                continue  # nothing due, or another relay delivers it now
            try:
                positions = {
                    p.sink: p.position
                    for p in self._store.sink_positions()
                    if p.partition == partition
                }
                self._deliver_partition(partition, positions, got)
            finally:
                for state in got:
                    lease.release(state.sink.name, [partition])
            held.append(partition)
        report = self._report(sum(s.delivered for s in states) - before, held, states)
        return report, sum(s.moved for s in states) - moved

    def drain(self, *, timeout: float | None = None) -> RelayReport:
        """Deliver everything committed so far to every sink that takes it.

        Passes until a pass delivers nothing new. A failing sink is retried after its
        backoff while ``timeout`` (seconds) lasts; without one, it is tried once per
        pass and left failing. The sinks are given their batches one after the other:
        for sinks that must not wait for a slow one, use :meth:`run`.
        """
        started = self._monotonic()
        total = 0
        held: set[int] = set()
        while True:
            report, moved = self._pass(self._sinks, self._lease)
            total += report.delivered
            held.update(report.partitions)
            if moved:
                continue
            if not (
                timeout is not None and self._failing() and self._monotonic() - started < timeout
            ):
                break
            time.sleep(min(0.05, self._next_retry_in() or 0.05))
        return self._report(total, tuple(sorted(held)), self._sinks)

    def run(
        self,
        *,
        stop: threading.Event | None = None,
        poll: float = 0.5,
        on_pass: Callable[[RelayReport], object] | None = None,
    ) -> None:
        """Deliver until ``stop`` is set, waiting ``poll`` seconds when there is nothing.

        Each sink is served by a thread of its own, with a lease of its own: a sink that
        is slow or failing (a broker's timeout) never holds up the others. A store that
        fails (the database is restarting) is logged and tried again after ``poll``; a
        sink, after its backoff. ``on_pass`` is told of each pass that delivered, one
        sink's at a time.
        """
        stop = stop or threading.Event()
        told = threading.Lock()

        def serve(state: _SinkState) -> None:
            lease = self._lease if len(self._sinks) == 1 else self._store.outbox_lease()
            try:
                while not stop.is_set():
                    try:
                        report, moved = self._pass([state], lease)
                    except Exception:
                        logger.exception(
                            "the relay's pass for %s failed; trying again in %.1f s",
                            state.sink.name,
                            poll,
                        )
                        stop.wait(poll)
                        continue
                    if on_pass is not None and report.delivered:
                        with told:
                            on_pass(report)
                    if moved == 0:
                        stop.wait(poll)
            finally:
                if lease is not self._lease:
                    lease.close()

        if len(self._sinks) == 1:
            serve(self._sinks[0])
            return
        threads = [
            threading.Thread(target=serve, args=(state,), name=f"relay:{state.sink.name}")
            for state in self._sinks
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

    def rewind(self, sink: str, *, to: int = 0) -> None:
        """Set ``sink`` back to position ``to`` in every partition (0: everything kept).

        Run it while no relay delivers to ``sink``.
        """
        for recorded in self._store.sink_positions():
            if recorded.sink == sink and recorded.position > to:
                self._store.advance_sink(
                    sink,
                    recorded.partition,
                    expected=recorded.position,
                    position=to,
                    delivered=0,
                    at=self._clock.now(),
                )

    def positions(self) -> list[SinkPosition]:
        """Every recorded position of this relay's sinks."""
        names = {s.sink.name for s in self._sinks}
        return [p for p in self._store.sink_positions() if p.sink in names]

    def close(self) -> None:
        """Give back the lease (a relay holds no partition between passes)."""
        self._lease.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    # ------------------------------------------------------------------ internals
    def _deliver_partition(
        self, partition: int, positions: dict[str, int], states: Sequence[_SinkState]
    ) -> None:
        read: dict[int, list[OutboxEntry]] = {}
        for state in states:
            name = state.sink.name
            position = positions.get(name)
            if position is None:
                position = self._start_position()
                if position:  # recorded now, so that a restart begins from it too
                    self._store.advance_sink(
                        name,
                        partition,
                        expected=0,
                        position=position,
                        delivered=0,
                        at=self._clock.now(),
                    )
                positions[name] = position
            entries = read.get(position)
            if entries is None:
                entries = read[position] = self._store.outbox(
                    partition, after=position, limit=self._batch
                )
            if not entries:
                continue
            self._deliver(state, partition, position, entries)

    def _start_position(self) -> int:
        if self._start == "earliest":
            return 0
        if self._latest is not None:
            return self._latest
        return int(self._start)

    def _deliver(
        self, state: _SinkState, partition: int, position: int, entries: list[OutboxEntry]
    ) -> None:
        sink = state.sink
        messages = [entry.message_for(sink.clearance) for entry in entries]
        taken = [m for m in messages if sink.subscription.accepts(m)]
        try:
            if taken:
                sink.deliver(taken)
        except Exception as error:  # noqa: BLE001 -- the sink's failure is its own
            state.failures += 1
            state.error = f"{type(error).__name__}: {error}"
            delay = self._backoff.delay(state.failures)
            state.retry_at = self._monotonic() + delay
            logger.warning(
                "sink %s failed on partition %d (%s); retrying in %.1f s",
                sink.name,
                partition,
                state.error,
                delay,
            )
            return
        state.failures = 0
        state.error = None
        state.retry_at = 0.0
        try:
            self._store.advance_sink(
                sink.name,
                partition,
                expected=position,
                position=entries[-1].position,
                delivered=len(taken),
                at=self._clock.now(),
            )
        except ConcurrencyConflict:
            logger.exception("sink %s: its position in partition %d moved", sink.name, partition)
            raise
        state.delivered += len(taken)
        state.moved += len(entries)

    def _failing(self) -> bool:
        return any(s.error is not None for s in self._sinks)

    def _next_retry_in(self) -> float | None:
        waits = [s.retry_at - self._monotonic() for s in self._sinks if s.error is not None]
        return max(0.0, min(waits)) if waits else None

    def _report(
        self, delivered: int, held: Iterable[int], states: Sequence[_SinkState]
    ) -> RelayReport:
        now = self._monotonic()
        return RelayReport(
            delivered=delivered,
            sinks=tuple(
                SinkReport(
                    s.sink.name,
                    s.delivered,
                    s.failures,
                    s.error,
                    None if s.error is None else max(0.0, s.retry_at - now),
                )
                for s in states
            ),
            partitions=tuple(sorted(held)),
        )

    def __repr__(self) -> str:
        names = ", ".join(s.sink.name for s in self._sinks)
        return f"<Relay to {names or 'no sink'}>"


def _problems(
    sinks: Sequence[Sink], batch: int, partitions: tuple[int, ...] | None, start: Start
) -> list[FieldProblem]:
    names = [s.name for s in sinks]
    problems = [
        FieldProblem(
            "sinks", "unique_sink_name", f"two sinks are named {name!r}", "one name per sink"
        )
        for name in sorted({n for n in names if names.count(n) > 1})
    ]
    if not 1 <= batch <= _BATCH_LIMIT:
        problems.append(
            FieldProblem("batch", "batch_size", f"{batch} is out of range", "1 to 10,000")
        )
    problems.extend(
        FieldProblem("partitions", "partition", f"{p} is no partition", f"0 to {PARTITIONS - 1}")
        for p in partitions or ()
        if not 0 <= p < PARTITIONS
    )
    if not (start in ("earliest", "latest") or (type(start) is int and start >= 0)):
        problems.append(
            FieldProblem(
                "start",
                "relay_start",
                f"{start!r} is not a place to start",
                "'earliest', 'latest' or a position (an integer of at least 0)",
            )
        )
    return problems


class Outbox:
    """An office's outbox, read directly: for a consumer that pulls, and for upkeep.

    ``Office.outbox`` gives one. Reading does not move any sink's position.
    """

    def __init__(self, store: Store) -> None:
        self._store = store

    @property
    def head(self) -> int:
        """The highest position in the outbox (0 if it is empty)."""
        return self._store.outbox_head()

    def read(
        self,
        *,
        after: int = 0,
        limit: int = 100,
        clearance: Classification = Classification.UNCLASSIFIED,
        partitions: Iterable[int] | None = None,
    ) -> list[OutboxEvent]:
        """Up to ``limit`` events past position ``after``, by position, as a sink sees them.

        ``clearance`` is the reader's: events of entities classified above it come
        ``withheld``. A consumer that resumes from the last position it read sees every
        event committed since, in commit order per entity; entries still being committed
        on PostgreSQL may come after ones with a higher position, so read each
        partition from its own last position (``partitions=[p]``) to miss none.

        Raises:
            ValidationError: ``limit`` is not 1 to 10,000, or a partition is out of range.
        """
        wanted = tuple(range(PARTITIONS)) if partitions is None else tuple(partitions)
        problems = _problems([], 1, wanted, "earliest")
        if not 1 <= limit <= _BATCH_LIMIT:
            problems.append(
                FieldProblem("limit", "page_limit", f"{limit} is out of range", "1 to 10,000")
            )
        if problems:
            raise ValidationError("Outbox.read", problems)
        entries: list[OutboxEntry] = []
        for partition in wanted:
            entries += self._store.outbox(partition, after=after, limit=limit)
        entries.sort(key=lambda entry: entry.position)
        return [entry.message_for(clearance).event() for entry in entries[:limit]]

    def positions(self) -> list[SinkPosition]:
        """How far each sink has been given each partition."""
        return self._store.sink_positions()

    @property
    def partitions(self) -> tuple[int, ...]:
        """The partitions, 0 to 15: an entity's events all lie in one."""
        return tuple(range(PARTITIONS))

    @staticmethod
    def partition_of(entity_id: str) -> int:
        """The partition of an entity's events (CRC-32 of its id, modulo 16)."""
        return partition_of(entity_id)

    def forget_delivered(self, *, sinks: Iterable[str]) -> int:
        """Forget the entries every one of ``sinks`` has been given; return how many.

        Name every sink that must still be given what it has not been: one that has
        never delivered anything has no recorded position, and holds its partitions'
        entries back. The newest entry of the outbox may be kept. Run it now and then;
        a new consumer can then replay only from what is kept.

        Raises:
            ValidationError: ``sinks`` names none.
        """
        names = set(sinks)
        if not names:
            raise ValidationError(
                "Outbox.forget_delivered",
                [FieldProblem("sinks", "sinks_named", "no sink is named", "one name or more")],
            )
        recorded = self._store.sink_positions()
        forgotten = 0
        for partition in range(PARTITIONS):
            here = {p.sink: p.position for p in recorded if p.partition == partition}
            through = min(here.get(name, 0) for name in names)
            if through:
                forgotten += self._store.forget_outbox(partition, through)
        return forgotten

    def __repr__(self) -> str:
        return f"<Outbox: head at {self.head}>"
