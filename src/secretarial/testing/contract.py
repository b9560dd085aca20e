"""The contract every store keeps, as a test suite any store can run.

An office relies on exactly these behaviours of its :class:`~secretarial.engine.Store`:
entities and their audit events go in together and come back exactly; a save states the
version it read; a unit of work that fails writes nothing, counters included; a unit of
work reads and finds its own writes; counters run per series and key from 1 and are
consumed only on commit; queries filter and order as :class:`~secretarial.kernel.Query`
says; anchors and access denials are kept in order; an idempotency key claimed in a
unit of work that commits answers with its result, and one that fails keeps none. The
memory, SQLite and PostgreSQL stores of this library run it; a store of your own runs
it by subclassing :class:`StoreContract` in a test module and giving it a ``store``
fixture that yields an empty store::

    import pytest
    from secretarial.testing.contract import StoreContract

    class TestMyStore(StoreContract):
        @pytest.fixture
        def store(self):
            store = MyStore()
            yield store
            store.close()

The suite needs ``pytest`` (it is a pytest suite); it uses the built-in workflows to
make its entities.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any, Final

import pytest

from secretarial._registry import builtin_registry, workflow_for
from secretarial.engine._keys import HmacKey
from secretarial.errors import ConcurrencyConflict, NotFound
from secretarial.kernel._access import AccessDenial
from secretarial.kernel._checkpoint import LeafReader, encode_delta, encode_leaves
from secretarial.kernel._entity import Entity
from secretarial.kernel._enums import Classification, EntityKind, Role
from secretarial.kernel._outbox import CHECKPOINT_STREAM, PARTITIONS, OutboxEntry, partition_of
from secretarial.kernel._query import Query
from secretarial.kernel._values import Actor
from secretarial.verify import make_anchor, make_checkpoint

__all__ = ["StoreContract"]

START: Final = datetime(2025, 9, 26, 1, 0, tzinfo=UTC)
CLERK: Final = Actor(
    id="clerk", name="李文书", roles=frozenset({Role.CLERK}), clearance=Classification.CONFIDENTIAL
)
SUPERVISOR: Final = Actor(id="supervisor", name="赵督查", roles=frozenset({Role.SUPERVISOR}))
SENDER: Final = {"code": "SZF", "name": "市政府办公室", "relation": "superior"}
UNIT_A: Final = {"code": "ZHK", "name": "综合科"}
UNIT_B: Final = {"code": "MSK", "name": "秘书科"}
_INCOMING: Final = workflow_for(EntityKind.INCOMING_DOCUMENT)
_ITEMS: Final = workflow_for(EntityKind.SUPERVISION_ITEM)


def document(n: int, *, at: datetime = START, classification: str = "unclassified") -> Any:
    """An incoming document ``in-<n>`` and its creation event."""
    fields: dict[str, Any] = {
        "kind": "notice",
        "title": f"通知第{n}号，含“引号”与逗号",
        "sender": SENDER,
        "channel": "paper",
        "received_at": at,
        "attachments": [{"sequence": 1, "name": "附件一", "pages": 3}],
    }
    if classification != "unclassified":
        fields |= {
            "classification": classification,
            "secrecy_period_years": 5,
            "copy_number": "000001",
        }
    return _INCOMING.create(fields, entity_id=f"in-{n}", actor=CLERK, now=at)


def item(n: int, *, deadline: date, lead: dict[str, str] = UNIT_A, at: datetime = START) -> Any:
    """A supervision item ``sup-<n>``: its creation, and its assignment with ``deadline``."""
    entity, created = _ITEMS.create(
        {"source": "leader_instruction", "requirement": f"事项{n}", "received_at": at},
        entity_id=f"sup-{n}",
        actor=SUPERVISOR,
        now=at,
    )
    assigned, event = _ITEMS.fire(
        entity, "assign", SUPERVISOR, now=at, data={"lead_unit": lead, "deadline": deadline}
    )
    return (entity, created), (assigned, event)


def add(store: Any, pair: tuple[Entity, Any]) -> Entity:
    """Add an entity and its creation event in a unit of work of its own."""
    with store.unit_of_work() as uow:
        uow.add(*pair)
    entity: Entity = pair[0]
    return entity


def add_item(store: Any, n: int, **kwargs: Any) -> Entity:
    """Add a supervision item and assign it, in two units of work."""
    created, assigned = item(n, **kwargs)
    add(store, created)
    with store.unit_of_work() as uow:
        uow.save(*assigned, expected_version=1)
    entity: Entity = assigned[0]
    return entity


def _register(entity: Entity, number: str) -> Any:
    return _INCOMING.fire(
        entity, "register", CLERK, now=START, data={"registration_number": number}
    )


class StoreContract:
    """The store contract; subclass it with a ``store`` fixture yielding an empty store."""

    @pytest.fixture
    def store(self) -> Any:  # pragma: no cover -- every subclass gives its own
        """An empty store (give one in the subclass)."""
        raise NotImplementedError("a StoreContract subclass gives a `store` fixture")

    # ------------------------------------------------------------------ entities, events
    def test_an_empty_store(self, store: Any) -> None:
        """Nothing is found, no events, no anchors, no denials."""
        with pytest.raises(NotFound):
            store.get("in-1")
        with pytest.raises(NotFound):
            store.events("in-1")
        assert list(store.find(Query())) == []
        assert store.anchors() == []
        assert store.denials() == []

    def test_round_trip_is_exact(self, store: Any) -> None:
        """An entity and its event come back equal, of their class, times aware."""
        store.use_kinds(builtin_registry().entity_types)
        entity = add(store, document(1, classification="confidential"))
        loaded = store.get("in-1")
        assert loaded == entity
        assert type(loaded) is type(entity)
        assert loaded.created_at.utcoffset() is not None
        (event,) = store.events("in-1")
        assert event.trigger == "receive"
        assert event.actor == CLERK

    def test_adding_an_existing_id_is_a_conflict(self, store: Any) -> None:
        """A second entity with a taken id is refused; the first keeps its one event."""
        add(store, document(1))
        with pytest.raises(ConcurrencyConflict):
            add(store, document(1))
        assert len(store.events("in-1")) == 1

    def test_save_states_the_version_it_read(self, store: Any) -> None:
        """A save over a version that is no longer stored is a conflict and writes nothing."""
        entity = add(store, document(1))
        registered, event = _register(entity, "2025-0001")
        with store.unit_of_work() as uow:
            uow.save(registered, event, expected_version=1)
        with pytest.raises(ConcurrencyConflict) as conflict, store.unit_of_work() as uow:
            uow.save(registered, event, expected_version=1)
        assert (conflict.value.expected_version, conflict.value.actual_version) == (1, 2)
        assert store.get("in-1") == registered
        assert [e.version for e in store.events("in-1")] == [1, 2]

    def test_events_read_back_as_recorded(self, store: Any) -> None:
        """Events read the same while fresh, after their entity moved on, and in one go.

        The last case: an entity created and moved on within one unit of work.
        """
        entity, created = document(1, classification="confidential")
        add(store, (entity, created))
        assert list(store.events("in-1")) == [created]
        registered, event = _register(entity, "2025-0001")
        with store.unit_of_work() as uow:
            uow.save(registered, event, expected_version=1)
        assert list(store.events("in-1")) == [created, event]
        assert all(e.is_sealed for e in store.events("in-1"))
        entity, created = document(2)
        registered, event = _register(entity, "2025-0002")
        with store.unit_of_work() as uow:
            uow.add(entity, created)
            uow.save(registered, event, expected_version=1)
        assert list(store.events("in-2")) == [created, event]

    def test_add_many_adds_entities_with_all_their_events(self, store: Any) -> None:
        """A batch: each entity as last changed, each with its creation and later events."""
        first, created_first = document(1)
        second, created_second = document(2)
        registered, event = _register(first, "2025-0001")
        with store.unit_of_work() as uow:
            uow.add_many([registered, second], [created_first, event, created_second])
        assert store.get("in-1") == registered
        assert list(store.events("in-1")) == [created_first, event]
        assert list(store.events("in-2")) == [created_second]

    def test_a_failed_unit_of_work_writes_nothing(self, store: Any) -> None:
        """Entities, events and counters stay as they were when the block raises."""
        add(store, document(1))
        registered, event = _register(store.get("in-1"), "2025-0001")

        def abort() -> None:
            with store.unit_of_work() as uow:
                uow.next_number("incoming", "2025")
                uow.save(registered, event, expected_version=1)
                uow.add(*document(2))
                raise RuntimeError("abort")

        with pytest.raises(RuntimeError):
            abort()
        assert store.get("in-1").version == 1
        assert len(store.events("in-1")) == 1
        with pytest.raises(NotFound):
            store.get("in-2")
        with store.unit_of_work() as uow:
            assert uow.next_number("incoming", "2025") == 1

    def test_a_unit_of_work_reads_its_own_writes(self, store: Any) -> None:
        """What a unit of work added it gets back before it commits."""
        with store.unit_of_work() as uow:
            uow.add(*document(1))
            assert uow.get("in-1").id == "in-1"

    def test_a_unit_of_work_finds_what_is_committed_and_what_it_wrote(self, store: Any) -> None:
        """``find`` inside a unit of work sees its own adds and saves, under its locks."""
        add(store, document(1))
        created, assigned = item(2, deadline=date(2025, 10, 10))
        add(store, created)
        items = Query(kinds=frozenset({EntityKind.SUPERVISION_ITEM}))
        registered = Query(states=frozenset({"registered"}))
        with store.unit_of_work() as uow:
            uow.lock("room:第一会议室", "attendee:li", "room:第一会议室")
            assert [e.id for e in uow.find(registered)] == ["sup-2"]
            uow.save(*assigned, expected_version=1)
            uow.add(*document(3))
            assert [e.id for e in uow.find(registered)] == []
            assert [(e.id, e.version) for e in uow.find(items)] == [("sup-2", 2)]
            incoming = Query(kinds=frozenset({EntityKind.INCOMING_DOCUMENT}))
            assert [e.id for e in uow.find(incoming)] == ["in-1", "in-3"]
        assert [e.id for e in store.find(registered)] == []

    # ------------------------------------------------------------------ counters
    def test_counters_run_per_series_and_key(self, store: Any) -> None:
        """From 1, per (series, key), across units of work; a block of several at once."""
        with store.unit_of_work() as uow:
            assert [uow.next_number("outgoing", "国办发/2025") for _ in range(3)] == [1, 2, 3]
            assert uow.next_number("outgoing", "国办函/2025") == 1
        with store.unit_of_work() as uow:
            assert uow.next_number("outgoing", "国办发/2025") == 4
            assert uow.next_number("incoming", "2025", 5) == 1
            assert uow.next_number("incoming", "2025") == 6

    def test_a_rolled_back_number_is_not_consumed(self, store: Any) -> None:
        """A number drawn in a unit of work that failed is drawn again."""

        def abort() -> None:
            with store.unit_of_work() as uow:
                uow.next_number("outgoing", "k")
                raise RuntimeError("abort")

        with pytest.raises(RuntimeError):
            abort()
        with store.unit_of_work() as uow:
            assert uow.next_number("outgoing", "k") == 1

    # ------------------------------------------------------------------ queries
    def test_oldest_first_with_filters(self, store: Any) -> None:
        """Kinds, states, lead units, creation window, classification: oldest first."""
        docs = [add(store, document(n, at=START + timedelta(hours=n))) for n in range(1, 4)]
        secret = add(
            store, document(4, at=START + timedelta(hours=4), classification="confidential")
        )
        a = add_item(store, 5, deadline=date(2025, 10, 9), lead=UNIT_A)
        b = add_item(store, 6, deadline=date(2025, 10, 1), lead=UNIT_B)
        assert list(store.find(Query())) == [*docs, secret, a, b]
        assert list(store.find(Query(kinds=frozenset({EntityKind.SUPERVISION_ITEM})))) == [a, b]
        assert list(store.find(Query(states=frozenset({"assigned"})))) == [a, b]
        assert list(store.find(Query(lead_units=frozenset({"MSK"})))) == [b]
        window = Query(
            created_from=START + timedelta(hours=2), created_before=START + timedelta(hours=4)
        )
        assert list(store.find(window)) == docs[1:]
        secrets = Query(classifications=frozenset({Classification.CONFIDENTIAL}))
        assert list(store.find(secrets)) == [secret]
        unclassified = Query(max_classification=Classification.UNCLASSIFIED)
        assert secret not in list(store.find(unclassified))

    def test_overdue_lists_earliest_deadline_first(self, store: Any) -> None:
        """Open entities whose deadline passed before the day, earliest deadline first."""
        late = add_item(store, 1, deadline=date(2025, 10, 9))
        later = add_item(store, 2, deadline=date(2025, 10, 20))
        early = add_item(store, 3, deadline=date(2025, 10, 1))
        assert list(store.find(Query(overdue_as_of=date(2025, 10, 10)))) == [early, late]
        assert list(store.find(Query(overdue_as_of=date(2025, 10, 1)))) == []
        assert later not in list(store.find(Query(overdue_as_of=date(2025, 10, 20))))

    def test_pages_resume_after_any_item_and_counts_match(self, store: Any) -> None:
        """A page's cursors resume after each item; ``count`` is what ``find`` finds."""
        docs = [add(store, document(n, at=START + timedelta(hours=n))) for n in range(1, 6)]
        late = add_item(store, 6, deadline=date(2025, 10, 9))
        early = add_item(store, 7, deadline=date(2025, 10, 1))
        first = store.page(Query(), limit=3)
        assert list(first.items) == docs[:3]
        assert len(first.cursors) == 3
        assert first.next_cursor == first.cursors[-1]
        after_one = store.page(Query(), limit=2, cursor=first.cursors[0])
        assert list(after_one.items) == docs[1:3]
        rest = store.page(Query(), limit=10, cursor=first.next_cursor)
        assert list(rest.items) == [*docs[3:], late, early]
        assert rest.next_cursor is None
        overdue = Query(overdue_as_of=date(2025, 10, 10))
        by_deadline = store.page(overdue, limit=1)
        assert list(by_deadline.items) == [early]
        assert list(store.page(overdue, limit=1, cursor=by_deadline.cursors[0]).items) == [late]
        assert store.count(Query()) == 7
        assert store.count(overdue) == 2
        assert store.count(Query(kinds=frozenset({EntityKind.SUPERVISION_ITEM}))) == 2
        assert store.count(Query(states=frozenset({"no such state"}))) == 0

    # ------------------------------------------------------------------ the record
    def test_audit_records_are_everything_as_stored(self, store: Any) -> None:
        """Entities with their sequence in creation order, and each one's events."""
        first = add(store, document(1))
        second = add(store, document(2))
        entities, events = store.audit_records()
        assert [entity for _, entity in entities] == [first, second]
        assert [seq for seq, _ in entities] == sorted(seq for seq, _ in entities)
        assert events["in-1"] == list(store.events("in-1"))

    def test_the_audit_stream_is_the_audit_records_one_id_at_a_time(self, store: Any) -> None:
        """Each id once, with its record, its sequence number and its events as stored."""
        add(store, document(1))
        add(store, document(2))
        entities, events = store.audit_records()
        streamed = {record.entity_id: record for record in store.audit_stream()}
        assert sorted(streamed) == sorted({entity.id for _, entity in entities} | set(events))
        for seq, entity in entities:
            record = streamed[entity.id]
            assert (record.seq, record.entity) == (seq, entity)
            assert list(record.trail) == events[entity.id]

    def test_anchors_are_kept_in_order_and_a_taken_sequence_conflicts(self, store: Any) -> None:
        """An anchor is stored once per sequence, oldest first."""
        add(store, document(1))
        first = make_anchor(store, START)
        add(store, document(2))
        second = make_anchor(store, START + timedelta(hours=1))
        assert store.anchors() == [first, second]
        assert second.previous_hash == first.hash
        with pytest.raises(ConcurrencyConflict):
            store.add_anchor(first)
        assert store.anchors() == [first, second]

    def test_denials_are_recorded_in_order(self, store: Any) -> None:
        """A refused access is kept, committed on its own."""
        denial = AccessDenial(
            actor=CLERK, entity_id="in-9", action="get", at=START, reason="clearance"
        )
        store.record_denial(denial)
        store.record_denial(denial.model_copy(update={"action": "audit"}))
        assert [d.action for d in store.denials()] == ["get", "audit"]

    def test_denials_are_chained_as_they_are_recorded(self, store: Any) -> None:
        """Each recorded denial is sealed after the one before it."""
        denial = AccessDenial(
            actor=CLERK, entity_id="in-9", action="get", at=START, reason="clearance"
        )
        for action in ("get", "audit", "fire:screen"):
            store.record_denial(denial.model_copy(update={"action": action}))
        first, second, third = store.denials()
        assert first.previous_hash is None
        assert (second.previous_hash, third.previous_hash) == (first.hash, second.hash)
        assert all(d.hash == d.expected_hash() for d in (first, second, third))

    def test_the_checkpoint_state_is_every_leaf_the_denials_and_the_counters(
        self, store: Any
    ) -> None:
        """Leaves by id with each entity's event count and head; the log's head; counters."""
        empty = store.checkpoint_state()
        assert (empty.leaves, empty.last_entity, empty.denials, empty.counters) == ([], 0, 0, ())
        second = add(store, document(2))
        first = add(store, document(1))
        with store.unit_of_work() as uow:
            uow.next_number("incoming", "2025")
        store.record_denial(
            AccessDenial(actor=CLERK, entity_id="in-1", action="get", at=START, reason="r")
        )
        state = store.checkpoint_state()
        assert [leaf.entity_id for leaf in state.leaves] == ["in-1", "in-2"]
        assert state.leaves[0] == (first.id, "incoming_document", 1, first.audit_head)
        assert state.leaves[1].head == second.audit_head
        assert state.last_entity >= 2
        assert (state.denials, state.denials_head) == (1, store.denials()[0].hash)
        assert [tuple(c) for c in state.counters] == [("incoming", "2025", 1)]
        assert store.column_problems() == []

    def test_checkpoints_are_kept_with_their_leaves_once_per_sequence(self, store: Any) -> None:
        """A checkpoint is stored with its leaves; the one before becomes a delta from it.

        A taken sequence conflicts and keeps nothing.
        """
        add(store, document(1))
        key = HmacKey(b"contract checkpoint key, 32 bytes")
        first = make_checkpoint(store, START, key)
        then = store.checkpoint_state().leaves
        add(store, document(2))
        second = make_checkpoint(store, START + timedelta(hours=1), key)
        now = store.checkpoint_state().leaves
        assert store.checkpoints() == [first, second]
        assert store.checkpoint_leaves(2) == encode_leaves(now)
        assert store.checkpoint_leaves(1) == encode_delta(then, now, 2)
        reader = LeafReader(store.checkpoint_leaves)
        assert (reader.leaves(1), reader.leaves(2)) == (then, now)
        assert store.checkpoint_leaves(3) is None
        with pytest.raises(ConcurrencyConflict):
            store.add_checkpoint(first, b"", previous_leaves=b"")
        assert store.checkpoints() == [first, second]
        assert store.checkpoint_leaves(1) == encode_delta(then, now, 2)

    # ------------------------------------------------------------------ idempotency keys
    def test_a_claimed_key_answers_with_its_result_once_committed(self, store: Any) -> None:
        """A new key is held (None); committed with its result, it answers with it."""
        created = document(1)
        with store.unit_of_work() as uow:
            assert uow.claim("key-1", "f" * 64, START) is None
            uow.add(*created)
            uow.settle("key-1", created[0])
        with store.unit_of_work() as uow:
            claim = uow.claim("key-1", "0" * 64, START + timedelta(minutes=1))
        assert claim is not None
        assert (claim.fingerprint, claim.entity) == ("f" * 64, created[0])
        with store.unit_of_work() as uow:
            assert uow.claim("key-2", "f" * 64, START) is None  # keys are per key

    def test_a_key_claimed_in_a_failed_unit_of_work_is_free(self, store: Any) -> None:
        """A unit of work that fails keeps no key: the command may run under it again."""

        def abort() -> None:
            with store.unit_of_work() as uow:
                assert uow.claim("key-1", "f" * 64, START) is None
                uow.add(*document(1))
                uow.settle("key-1", document(1)[0])
                raise RuntimeError("abort")

        with pytest.raises(RuntimeError):
            abort()
        with store.unit_of_work() as uow:
            assert uow.claim("key-1", "f" * 64, START) is None

    def test_keys_claimed_before_a_moment_are_forgotten(self, store: Any) -> None:
        """Only the keys claimed before ``before`` go; the entities stay."""
        for n, minutes in ((1, 0), (2, 30), (3, 60)):
            created = document(n)
            with store.unit_of_work() as uow:
                uow.claim(f"key-{n}", "f" * 64, START + timedelta(minutes=minutes))
                uow.add(*created)
                uow.settle(f"key-{n}", created[0])
        assert store.forget_idempotency_keys(START + timedelta(minutes=30)) == 1
        with store.unit_of_work() as uow:
            assert uow.claim("key-2", "f" * 64, START) is not None
            assert uow.claim("key-1", "f" * 64, START) is None
        assert [e.id for e in store.find(Query())] == ["in-1", "in-2", "in-3"]

    # ------------------------------------------------------------------ the outbox
    def _all_entries(self, store: Any) -> list[OutboxEntry]:
        entries = [e for p in range(PARTITIONS) for e in store.outbox(p, after=0, limit=10_000)]
        return sorted(entries, key=lambda e: e.position)

    def test_every_committed_change_leaves_its_outbox_entries(self, store: Any) -> None:
        """A creation, a save, a batch and a checkpoint each leave one entry per event.

        Positions grow in commit order, each entry is in its stream's partition, and its
        message names the audit event it reports.
        """
        first = add(store, document(1))
        registered, event = _register(first, "收文〔2025〕1号")
        with store.unit_of_work() as uow:
            uow.save(registered, event, expected_version=1)
        batch = [document(2), document(3)]
        with store.unit_of_work() as uow:
            uow.add_many([e for e, _ in batch], [ev for _, ev in batch])
        checkpoint = make_checkpoint(store, START, HmacKey(b"contract checkpoint key, 32 bytes"))
        entries = self._all_entries(store)
        assert [(e.stream, e.version, e.type) for e in entries] == [
            ("in-1", 1, "created"),
            ("in-1", 2, "transition"),
            ("in-2", 1, "created"),
            ("in-3", 1, "created"),
            (CHECKPOINT_STREAM, 1, "checkpoint"),
        ]
        positions = [e.position for e in entries]
        assert positions == sorted(positions)
        assert len(set(positions)) == len(positions)
        assert all(e.partition == partition_of(e.stream) for e in entries)
        assert [e.event_id for e in entries[:2]] == [e.hash for e in store.events("in-1")]
        assert entries[-1].event_id == checkpoint.hash
        assert store.outbox_head() == positions[-1]
        message = entries[1].message_for(Classification.UNCLASSIFIED).event()
        assert (message.trigger, message.source, message.target) == (
            "register",
            "received",
            "registered",
        )
        assert message.entity is not None
        assert message.entity["entity_kind"] == "incoming_document"
        assert message.position == entries[1].position

    def test_a_failed_unit_of_work_leaves_no_entry(self, store: Any) -> None:
        """What rolls back emits nothing."""

        def abort() -> None:
            with store.unit_of_work() as uow:
                uow.add(*document(1))
                raise RuntimeError("abort")

        with pytest.raises(RuntimeError):
            abort()
        assert self._all_entries(store) == []
        assert store.outbox_head() == 0

    def test_a_classified_entry_is_withheld_from_an_uncleared_reader(self, store: Any) -> None:
        """Above the reader's clearance, the reason, the input and the entity stay out."""
        add(store, document(1, classification="secret"))
        (entry,) = self._all_entries(store)
        withheld = entry.message_for(Classification.CONFIDENTIAL).event()
        assert withheld.withheld
        assert withheld.entity is None
        assert withheld.payload is None
        assert (
            b"\xe9\x80\x9a\xe7\x9f\xa5" not in entry.message_for(Classification.CONFIDENTIAL).body
        )
        cleared = entry.message_for(Classification.SECRET).event()
        assert not cleared.withheld
        assert cleared.entity is not None

    def test_sink_positions_move_only_from_where_they_stand(self, store: Any) -> None:
        """A position moves from the one stated; a stale one conflicts and changes nothing."""
        store.advance_sink("s", 3, expected=0, position=5, delivered=2, at=START)
        store.advance_sink("s", 3, expected=5, position=9, delivered=1, at=START)
        with pytest.raises(ConcurrencyConflict):
            store.advance_sink("s", 3, expected=5, position=12, delivered=1, at=START)
        with pytest.raises(ConcurrencyConflict):
            store.advance_sink("s", 3, expected=0, position=12, delivered=1, at=START)
        (position,) = store.sink_positions()
        assert (position.sink, position.partition, position.position, position.delivered) == (
            "s",
            3,
            9,
            3,
        )
        assert position.at == START

    def test_entries_read_past_a_position_and_are_forgotten_per_partition(self, store: Any) -> None:
        """``outbox(p, after=, limit=)`` pages a partition; forgetting keeps the head.

        (A store may keep the newest entry of the whole outbox when asked to forget it;
        here it lies in another partition.)
        """
        for n in range(1, 6):
            add(store, document(n))
        partition = self._all_entries(store)[0].partition
        n = 6
        while self._all_entries(store)[-1].partition == partition:  # the newest elsewhere
            add(store, document(n))
            n += 1
        mine = [e for e in self._all_entries(store) if e.partition == partition]
        assert store.outbox(partition, after=0, limit=1) == mine[:1]
        assert store.outbox(partition, after=mine[0].position, limit=10) == mine[1:]
        head = store.outbox_head()
        store.advance_sink(
            "s", partition, expected=0, position=mine[-1].position, delivered=0, at=START
        )
        assert store.forget_outbox(partition, mine[-1].position) == len(mine)
        assert store.outbox(partition, after=0, limit=10) == []
        assert store.outbox_head() == head

    def test_a_lease_holds_a_sinks_partition_against_every_other_lease(self, store: Any) -> None:
        """Two leases never hold one sink's partition; another sink's is another lock.

        A released or closed one is free again.
        """
        first, second = store.outbox_lease(), store.outbox_lease()
        try:
            assert first.take("a", [0, 1, 2]) == [0, 1, 2]
            assert second.take("a", [1, 2, 3]) == [3]
            assert second.take("b", [1, 2]) == [1, 2]  # another sink's: free
            first.release("a", [1])
            assert second.take("a", [1, 2]) == [1]
            first.close()
            assert second.take("a", [0, 2]) == [0, 2]
        finally:
            first.close()
            second.close()

    # ------------------------------------------------------------------ analytics
    def _moved(self, store: Any, entity: Entity, steps: list[tuple[str, datetime, Any]]) -> None:
        version = entity.version
        for trigger, at, data in steps:
            with store.unit_of_work() as uow:
                current = uow.get(entity.id)
                moved = _INCOMING.fire(
                    current,
                    trigger,
                    CLERK,
                    now=at,
                    data=data,
                    reason="退回" if trigger == "return_to_sender" else None,
                )
                uow.save(*moved, expected_version=version)
            version += 1

    def test_step_waits_are_the_stays_ended_in_the_period(self, store: Any) -> None:
        """``step_waits``: stays per state ended in the period, nearest-rank percentiles.

        Waits are whole seconds between moments taken to the second; a stay that began
        before the period counts; one that ended after it does not; ``ceiling`` leaves
        out what is classified above it; a listed trigger counts as a return.
        """
        hour = timedelta(hours=1)
        plan = [
            (1, "unclassified", [("register", 1 * hour), ("screen", 3 * hour)]),
            (2, "unclassified", [("register", 2 * hour), ("screen", 6.5 * hour)]),
            (3, "confidential", [("register", 1 * hour), ("screen", 11 * hour)]),
            (4, "unclassified", [("register", 5 * hour), ("return_to_sender", 6 * hour)]),
            (5, "unclassified", [("register", 30 * hour), ("screen", 60 * hour)]),
        ]
        for n, level, steps in plan:
            created = add(store, document(n, classification=level))
            self._moved(
                store,
                created,
                [
                    (
                        trigger,
                        START + offset + timedelta(microseconds=700_000),
                        {"registration_number": f"收-{n}"} if trigger == "register" else None,
                    )
                    for trigger, offset in steps
                ],
            )
        end = START + timedelta(hours=40)
        rows = store.step_waits(
            "incoming_document", START, end, returns=("return_to_sender",), ceiling=None
        )
        # received: waits 1h, 2h, 1h, 5h, 30h; registered: 2h, 4.5h, 10h, 1h (doc 5 later)
        assert rows == [
            ("received", 5, 0, 2 * 3600, 30 * 3600),
            ("registered", 4, 1, 2 * 3600, 10 * 3600),
        ]
        cleared = store.step_waits(
            "incoming_document",
            START,
            end,
            returns=("return_to_sender",),
            ceiling=Classification.UNCLASSIFIED.level,
        )
        assert cleared == [
            ("received", 4, 0, 2 * 3600, 30 * 3600),
            ("registered", 3, 1, 2 * 3600, int(4.5 * 3600)),
        ]
        later = store.step_waits(
            "incoming_document", START + 4 * hour, end + 40 * hour, returns=(), ceiling=None
        )
        assert later == [
            ("received", 2, 0, 5 * 3600, 30 * 3600),
            ("registered", 4, 0, int(4.5 * 3600), 30 * 3600),
        ]
        assert store.step_waits("supervision_item", START, end, returns=()) == []

    def _worked(
        self,
        store: Any,
        n: int,
        *,
        lead: dict[str, str],
        deadline: date,
        steps: list[tuple[str, datetime, dict[str, Any] | None]],
        classification: str = "unclassified",
    ) -> None:
        undertaker = Actor(id="sun", name="孙科长", roles=frozenset({Role.UNDERTAKER}))
        entity, created = _ITEMS.create(
            {
                "source": "leader_instruction",
                "requirement": f"事项{n}",
                "received_at": START,
                "classification": classification,
            },
            entity_id=f"sup-{n}",
            actor=SUPERVISOR,
            now=START,
        )
        add(store, (entity, created))
        steps = [("assign", START, {"lead_unit": lead, "deadline": deadline}), *steps]
        for version, (trigger, at, data) in enumerate(steps, 1):
            by = (
                undertaker
                if trigger in {"accept", "request_extension", "submit_result"}
                else SUPERVISOR
            )
            with store.unit_of_work() as uow:
                moved = _ITEMS.fire(
                    uow.get(entity.id),
                    trigger,
                    by,
                    now=at,
                    data=data,
                    reason="补充材料" if trigger in {"reject", "request_extension"} else None,
                )
                uow.save(*moved, expected_version=version)

    def test_unit_outcomes_are_the_items_closed_in_the_period(self, store: Any) -> None:
        """``unit_outcomes``: items closed in the period by unit, late by their last result.

        The completion day is the last submitted result's, in the given zone (across a
        change of its UTC offset); a late item is grouped by deadline and day; an item
        closed after the period is left out; open items past their deadline are counted
        per unit; ``ceiling`` leaves out what is classified above it.
        """
        from zoneinfo import ZoneInfo  # noqa: PLC0415 -- only this test needs a zone

        berlin = ZoneInfo("Europe/Berlin")  # UTC+2 until 2025-10-26 01:00 UTC, then +1

        def utc(day: int, hour: int, month: int = 10, minute: int = 0) -> datetime:
            return datetime(2025, month, day, hour, minute, tzinfo=UTC)

        def result(at: datetime) -> tuple[str, datetime, dict[str, Any]]:
            return ("submit_result", at, {"result": "已完成"})

        verify = {"verification": "已办结"}
        # 22:30 UTC on 27 October is 23:30 in Berlin (+1): on the deadline, on time.
        self._worked(
            store,
            1,
            lead=UNIT_A,
            deadline=date(2025, 10, 27),
            steps=[
                ("accept", START, None),
                result(utc(27, 22, minute=30)),
                ("verify", utc(28, 9), verify),
            ],
        )
        self._worked(
            store,
            2,
            lead=UNIT_A,
            deadline=date(2025, 10, 20),
            steps=[
                ("accept", START, None),
                ("request_extension", utc(15, 8), {"proposed_deadline": date(2025, 10, 22)}),
                ("grant_extension", utc(15, 9), {"deadline": date(2025, 10, 22)}),
                result(utc(23, 8)),
                ("reject", utc(23, 9), None),
                result(utc(24, 8)),
                ("verify", utc(29, 9), verify),
            ],
        )
        self._worked(
            store,
            3,
            lead=UNIT_B,
            deadline=date(2025, 10, 10),
            steps=[
                ("accept", START, None),
                result(utc(9, 8)),
                ("verify", utc(5, 9, month=11), verify),
            ],
        )
        self._worked(
            store, 4, lead=UNIT_B, deadline=date(2025, 10, 15), steps=[("accept", START, None)]
        )
        self._worked(
            store, 5, lead=UNIT_B, deadline=date(2025, 11, 1), steps=[("accept", START, None)]
        )
        self._worked(
            store,
            6,
            lead=UNIT_A,
            deadline=date(2025, 10, 2),
            steps=[("accept", START, None), result(utc(3, 8)), ("verify", utc(3, 9), verify)],
            classification="confidential",
        )
        start = datetime(2025, 10, 1, tzinfo=berlin)
        end = datetime(2025, 11, 1, tzinfo=berlin)
        names: dict[str, Any] = {
            "closed": "verified",
            "submitted": "reported",
            "extended": ("grant_extension",),
            "reworked": ("reject",),
        }
        grouped, overdue = store.unit_outcomes("supervision_item", start, end, zone=berlin, **names)
        assert grouped == [
            ("ZHK", None, None, 1, 0, 0),
            ("ZHK", date(2025, 10, 2), date(2025, 10, 3), 1, 0, 0),
            ("ZHK", date(2025, 10, 22), date(2025, 10, 24), 1, 1, 1),
        ]
        assert overdue == [("MSK", 1)]
        cleared = store.unit_outcomes(
            "supervision_item",
            start,
            end,
            zone=berlin,
            ceiling=Classification.UNCLASSIFIED.level,
            **names,
        )
        assert cleared == (
            [
                ("ZHK", None, None, 1, 0, 0),
                ("ZHK", date(2025, 10, 22), date(2025, 10, 24), 1, 1, 1),
            ],
            [("MSK", 1)],
        )
        # In Tokyo (+9) the first result came in on 28 October: late.
        tokyo = ZoneInfo("Asia/Tokyo")
        eastern, _ = store.unit_outcomes(
            "supervision_item",
            start,
            end,
            zone=tokyo,
            ceiling=Classification.UNCLASSIFIED.level,
            **names,
        )
        assert eastern == [
            ("ZHK", date(2025, 10, 22), date(2025, 10, 24), 1, 1, 1),
            ("ZHK", date(2025, 10, 27), date(2025, 10, 28), 1, 0, 0),
        ]
        later, still = store.unit_outcomes(
            "supervision_item", end, end + timedelta(days=30), zone=berlin, **names
        )
        assert later == [("MSK", None, None, 1, 0, 0)]
        assert still == [("MSK", 2)]  # due 15 October and 1 November, both still open
        assert store.unit_outcomes("incoming_document", start, end, zone=berlin, **names) == (
            [],
            [],
        )

    def test_throughput_counts_events_per_day_of_the_zone(self, store: Any) -> None:
        """``throughput``: events and completions per local day, across an offset change."""
        from zoneinfo import ZoneInfo  # noqa: PLC0415 -- only this test needs a zone

        berlin = ZoneInfo("Europe/Berlin")  # UTC+2 until 2025-10-26 01:00 UTC, then +1
        verify = {"verification": "已办结"}
        late = datetime(2025, 10, 27, 22, 30, tzinfo=UTC)  # 23:30 on the 27th in Berlin
        self._worked(
            store,
            1,
            lead=UNIT_A,
            deadline=date(2025, 10, 27),
            steps=[
                ("accept", START, None),
                ("submit_result", late, {"result": "已完成"}),
                ("verify", late + timedelta(minutes=20), verify),  # 23:50 on the 27th
            ],
        )
        start = datetime(2025, 10, 1, tzinfo=berlin)
        end = datetime(2025, 11, 1, tzinfo=berlin)
        terminal = [("supervision_item", "verified"), ("supervision_item", "cancelled")]
        rows = store.throughput(start, end, zone=berlin, kinds=None, terminal=terminal)
        assert rows == [(date(2025, 10, 27), "supervision_item", 2, 1)]
        everything = store.throughput(
            START, end, zone=berlin, kinds=("supervision_item",), terminal=terminal
        )
        assert everything == [
            (date(2025, 9, 26), "supervision_item", 3, 0),
            (date(2025, 10, 27), "supervision_item", 2, 1),
        ]
        assert store.throughput(start, end, zone=berlin, kinds=(), terminal=terminal) == []
        assert (
            store.throughput(start, end, zone=berlin, kinds=None, terminal=terminal, ceiling=0)
            == rows
        )
