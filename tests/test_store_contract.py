"""One contract for every store adapter: memory, SQLite and PostgreSQL.

The office relies on exactly these behaviours; an adapter that passes this suite can
keep an office.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfoNotFoundError

import pytest

from conftest import CLERK, START, STORES, SUPERIOR, SUPERVISOR, UNIT_A, UNIT_B, url_for
from secretarial import ConcurrencyConflict, EntityKind, NotFound, UsageError, workflow_for
from secretarial.adapters import MemoryStore
from secretarial.adapters._sql import SCHEMA_VERSION
from secretarial.kernel import Entity, Query

INCOMING = workflow_for(EntityKind.INCOMING_DOCUMENT)
ITEMS = workflow_for(EntityKind.SUPERVISION_ITEM)


@pytest.fixture(params=STORES)
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    return url_for(request.param, tmp_path)


def open_store(url: str) -> Any:
    if url == "memory://":
        return MemoryStore()
    from secretarial.adapters._sql import SqlStore  # noqa: PLC0415 -- optional extra

    return SqlStore(url)


@pytest.fixture
def store(store_url: str) -> Iterator[Any]:
    s = open_store(store_url)
    yield s
    s.close()


def document(n: int, *, at: datetime = START, classification: str = "unclassified") -> Any:
    fields: dict[str, Any] = {
        "kind": "notice",
        "title": f"通知第{n}号，含“引号”与逗号",
        "sender": SUPERIOR,
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
    return INCOMING.create(fields, entity_id=f"in-{n}", actor=CLERK, now=at)


def item(n: int, *, deadline: date, lead: dict[str, str] = UNIT_A, at: datetime = START) -> Any:
    entity, created = ITEMS.create(
        {"source": "leader_instruction", "requirement": f"事项{n}", "received_at": at},
        entity_id=f"sup-{n}",
        actor=SUPERVISOR,
        now=at,
    )
    assigned, event = ITEMS.fire(
        entity, "assign", SUPERVISOR, now=at, data={"lead_unit": lead, "deadline": deadline}
    )
    return (entity, created), (assigned, event)


def add(store: Any, pair: tuple[Entity, Any]) -> Entity:
    with store.unit_of_work() as uow:
        uow.add(*pair)
    return pair[0]


def add_item(store: Any, n: int, **kwargs: Any) -> Entity:
    created, assigned = item(n, **kwargs)
    add(store, created)
    with store.unit_of_work() as uow:
        uow.save(*assigned, expected_version=1)
    return assigned[0]


class TestEntitiesAndEvents:
    """Entities and their events go in together and come back exactly."""

    def test_an_empty_store(self, store: Any) -> None:
        with pytest.raises(NotFound):
            store.get("in-1")
        with pytest.raises(NotFound):
            store.events("in-1")
        assert list(store.find(Query())) == []
        assert store.counters() == {}

    def test_round_trip_is_exact(self, store: Any) -> None:
        entity = add(store, document(1, classification="secret"))
        loaded = store.get("in-1")
        assert loaded == entity
        assert type(loaded) is type(entity)
        assert loaded.received_at.utcoffset() is not None
        (event,) = store.events("in-1")
        assert event.trigger == "receive"
        assert event.actor == CLERK

    def test_adding_an_existing_id_is_a_conflict(self, store: Any) -> None:
        add(store, document(1))
        with pytest.raises(ConcurrencyConflict):
            add(store, document(1))
        assert len(store.events("in-1")) == 1

    def test_save_states_the_version_it_read(self, store: Any) -> None:
        entity = add(store, document(1))
        registered, event = INCOMING.fire(
            entity, "register", CLERK, now=START, data={"registration_number": "2025-0001"}
        )
        with store.unit_of_work() as uow:
            uow.save(registered, event, expected_version=1)
        with pytest.raises(ConcurrencyConflict) as conflict, store.unit_of_work() as uow:
            uow.save(registered, event, expected_version=1)
        assert (conflict.value.expected_version, conflict.value.actual_version) == (1, 2)
        assert store.get("in-1") == registered
        assert [e.version for e in store.events("in-1")] == [1, 2]

    def test_events_read_back_as_recorded_before_and_after_later_ones(self, store: Any) -> None:
        """A creation event reads the same while its entity is fresh and once it moved on."""
        entity, created = document(1, classification="secret")
        add(store, (entity, created))
        assert list(store.events("in-1")) == [created]
        registered, event = INCOMING.fire(
            entity, "register", CLERK, now=START, data={"registration_number": "2025-0001"}
        )
        with store.unit_of_work() as uow:
            uow.save(registered, event, expected_version=1)
        assert list(store.events("in-1")) == [created, event]
        assert all(e.is_sealed for e in store.events("in-1"))
        # Created and moved on within one unit of work.
        entity, created = document(2)
        registered, event = INCOMING.fire(
            entity, "register", CLERK, now=START, data={"registration_number": "2025-0002"}
        )
        with store.unit_of_work() as uow:
            uow.add(entity, created)
            uow.save(registered, event, expected_version=1)
        assert list(store.events("in-2")) == [created, event]

    def test_a_creation_event_keeps_a_field_a_later_event_replaced(self, store: Any) -> None:
        fields = {
            "kind": "notice",
            "title": "紧急通知",
            "sender": SUPERIOR,
            "channel": "paper",
            "received_at": START,
            "urgency": "urgent",
        }
        entity, created = INCOMING.create(fields, entity_id="in-9", actor=CLERK, now=START)
        add(store, (entity, created))
        registered, event = INCOMING.fire(
            entity,
            "register",
            CLERK,
            now=START,
            data={"registration_number": "2025-0009", "urgency": "extra_urgent"},
        )
        with store.unit_of_work() as uow:
            uow.save(registered, event, expected_version=1)
        first, second = store.events("in-9")
        assert first == created
        assert first.payload["urgency"] == "urgent"
        assert second.payload["urgency"] == "extra_urgent"
        assert store.get("in-9").urgency == "extra_urgent"
        assert first.is_sealed
        assert second.is_sealed

    def test_a_failed_unit_of_work_writes_nothing(self, store: Any) -> None:
        add(store, document(1))
        registered, event = INCOMING.fire(
            store.get("in-1"),
            "register",
            CLERK,
            now=START,
            data={"registration_number": "2025-0001"},
        )

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
        assert store.counters() == {}

    def test_a_unit_of_work_reads_its_own_writes(self, store: Any) -> None:
        with store.unit_of_work() as uow:
            uow.add(*document(1))
            assert uow.get("in-1").id == "in-1"

    def test_a_unit_of_work_finds_what_is_committed_and_what_it_wrote(self, store: Any) -> None:
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


class TestCounters:
    """Counters are per (series, key), start at 1 and are consumed only on commit."""

    def test_sequences(self, store: Any) -> None:
        with store.unit_of_work() as uow:
            assert [uow.next_number("outgoing", "国办发/2025") for _ in range(3)] == [1, 2, 3]
            assert uow.next_number("outgoing", "国办函/2025") == 1
        with store.unit_of_work() as uow:
            assert uow.next_number("outgoing", "国办发/2025") == 4
            assert uow.next_number("incoming", "2025") == 1
        assert store.counters() == {
            ("outgoing", "国办发/2025"): 4,
            ("outgoing", "国办函/2025"): 1,
            ("incoming", "2025"): 1,
        }

    def test_a_rolled_back_number_is_not_consumed(self, store: Any) -> None:
        def abort() -> None:
            with store.unit_of_work() as uow:
                uow.next_number("outgoing", "k")
                raise RuntimeError("abort")

        with pytest.raises(RuntimeError):
            abort()
        with store.unit_of_work() as uow:
            assert uow.next_number("outgoing", "k") == 1


class TestQueries:
    """Listing, filtering and stable pages."""

    def test_oldest_first_with_filters(self, store: Any) -> None:
        docs = [add(store, document(n, at=START + timedelta(hours=n))) for n in range(1, 4)]
        secret = add(store, document(4, at=START + timedelta(hours=4), classification="secret"))
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
        from secretarial import Classification  # noqa: PLC0415

        assert list(store.find(Query(classifications=frozenset({Classification.SECRET})))) == [
            secret
        ]
        unclassified = Query(max_classification=Classification.UNCLASSIFIED)
        assert secret not in list(store.find(unclassified))

    def test_overdue_lists_earliest_deadline_first(self, store: Any) -> None:
        late = add_item(store, 1, deadline=date(2025, 10, 9))
        later = add_item(store, 2, deadline=date(2025, 10, 20))
        early = add_item(store, 3, deadline=date(2025, 10, 1))
        assert list(store.find(Query(overdue_as_of=date(2025, 10, 10)))) == [early, late]
        assert list(store.find(Query(overdue_as_of=date(2025, 10, 1)))) == []
        assert later not in list(store.find(Query(overdue_as_of=date(2025, 10, 20))))

    def test_pages_are_stable(self, store: Any) -> None:
        for n in range(1, 8):
            add(store, document(n))
        first = store.page(Query(), limit=3)
        assert [e.id for e in first.items] == ["in-1", "in-2", "in-3"]
        add(store, document(8))  # created after the first page was read
        second = store.page(Query(), limit=3, cursor=first.next_cursor)
        assert [e.id for e in second.items] == ["in-4", "in-5", "in-6"]
        last = store.page(Query(), limit=3, cursor=second.next_cursor)
        assert [e.id for e in last.items] == ["in-7", "in-8"]
        assert last.next_cursor is None

    def test_overdue_pages(self, store: Any) -> None:
        for n in range(1, 6):
            add_item(store, n, deadline=date(2025, 10, 6 - n))
        as_of = Query(overdue_as_of=date(2025, 10, 10))
        pages, cursor = [], None
        while True:
            page = store.page(as_of, limit=2, cursor=cursor)
            pages.append([e.id for e in page.items])
            if page.next_cursor is None:
                break
            cursor = page.next_cursor
        assert pages == [["sup-5", "sup-4"], ["sup-3", "sup-2"], ["sup-1"]]

    def test_a_bad_cursor_is_a_usage_error(self, store: Any) -> None:
        with pytest.raises(UsageError):
            store.page(Query(), limit=3, cursor="nonsense/x/y")


def test_a_sql_office_survives_a_restart(store_url: str) -> None:
    """What one store object committed, another opened later reads."""
    if store_url == "memory://":
        pytest.skip("an in-memory store ends with its process by design")
    first = open_store(store_url)
    entity = add(first, document(1))
    with first.unit_of_work() as uow:
        uow.next_number("incoming", "2025")
    first.close()
    second = open_store(store_url)
    try:
        assert second.get("in-1") == entity
        assert second.counters() == {("incoming", "2025"): 1}
        assert second.schema_version() == SCHEMA_VERSION
    finally:
        second.close()


def test_a_newer_schema_is_refused(store_url: str) -> None:
    """A database written by a newer library is not opened, and not changed."""
    if store_url == "memory://":
        pytest.skip("an in-memory store has no schema")
    import sqlalchemy as sa  # noqa: PLC0415

    from secretarial import StoreError  # noqa: PLC0415
    from secretarial.adapters._sql import meta_table  # noqa: PLC0415

    store = open_store(store_url)
    with store._write() as conn:
        conn.execute(meta_table.update().values(value="99"))
    store.close()
    with pytest.raises(StoreError, match="newer"):
        open_store(store_url)
    engine = sa.create_engine(store.url)
    with engine.connect() as conn:
        assert conn.execute(sa.select(meta_table.c.value)).scalar_one() == "99"
    engine.dispose()


def test_times_are_kept_as_instants() -> None:
    """An aware datetime in any zone comes back as the same instant."""
    store = MemoryStore()
    entity = add(store, document(1, at=datetime(2025, 9, 26, 1, tzinfo=UTC)))
    assert store.get("in-1").received_at == entity.received_at


@pytest.mark.parametrize("kind", STORES)
def test_any_entity_round_trips_through_the_store(kind: str, tmp_path: Path) -> None:
    """Whatever the public strategies draw, every store gives back exactly, with its event."""
    from hypothesis import HealthCheck, given, settings  # noqa: PLC0415
    from hypothesis import strategies as st  # noqa: PLC0415

    from secretarial.testing import strategies as sst  # noqa: PLC0415

    store = open_store(url_for(kind, tmp_path))
    drawn = st.one_of(
        sst.incoming_fields().map(lambda f: (EntityKind.INCOMING_DOCUMENT, f, sst.CLERK)),
        sst.outgoing_fields().map(lambda f: (EntityKind.OUTGOING_DOCUMENT, f, sst.DRAFTER)),
        sst.supervision_fields().map(lambda f: (EntityKind.SUPERVISION_ITEM, f, sst.SUPERVISOR)),
    )
    ids = iter(range(1, 1_000_000))

    @settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(drawn)
    def round_trip(case: tuple[EntityKind, dict[str, Any], Any]) -> None:
        kind_of, fields, actor = case
        entity, event = workflow_for(kind_of).create(
            fields, entity_id=f"e-{next(ids)}", actor=actor, now=START
        )
        with store.unit_of_work() as uow:
            uow.add(entity, event)
        assert store.get(entity.id) == entity
        assert store.events(entity.id) == (event,)

    try:
        round_trip()
    finally:
        store.close()


def test_an_office_that_fails_to_build_closes_its_store(
    store_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A failing option or plugin leaves no database connection open."""
    if store_url == "memory://":
        pytest.skip("an in-memory store holds no connection")
    from secretarial import Office  # noqa: PLC0415
    from secretarial.adapters._sql import SqlStore  # noqa: PLC0415

    closed: list[SqlStore] = []
    close = SqlStore.close

    def recording_close(self: SqlStore) -> None:
        closed.append(self)
        close(self)

    monkeypatch.setattr(SqlStore, "close", recording_close)
    with pytest.raises(ZoneInfoNotFoundError):
        Office.open(store_url, timezone="Nowhere/Atlantis")
    assert len(closed) == 1
