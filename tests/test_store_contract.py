"""One contract for every store adapter: memory, SQLite and PostgreSQL.

The office relies on exactly these behaviours; an adapter that passes this suite can
keep an office.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfoNotFoundError

import pytest

from conftest import START, STORES, url_for
from secretarial import EntityKind, ValidationError, workflow_for
from secretarial.adapters import MemoryStore
from secretarial.adapters._sql import SCHEMA_VERSION
from secretarial.kernel import Query
from secretarial.testing.contract import StoreContract, add, add_item, document


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


class TestStoreContract(StoreContract):
    """The shipped contract (``secretarial.testing.contract``), on every store here."""

    @pytest.fixture
    def store(self, store_url: str) -> Iterator[Any]:
        s = open_store(store_url)
        yield s
        s.close()


class TestCountersAndPages:
    """What the adapters of this library give beyond the port: counters and pages."""

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

    def test_a_bad_cursor_is_a_validation_error(self, store: Any) -> None:
        with pytest.raises(ValidationError, match="cursor"):
            store.page(Query(), limit=3, cursor="nonsense/x/y")

    def test_counters_are_listed(self, store: Any) -> None:
        with store.unit_of_work() as uow:
            uow.next_number("outgoing", "国办发/2025", 4)
            uow.next_number("incoming", "2025")
        assert store.counters() == {("outgoing", "国办发/2025"): 4, ("incoming", "2025"): 1}


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
