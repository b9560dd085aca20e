"""The SQLite unit of work on the driver connection, and the entities the SQL store holds.

On a SQLite file the store's unit of work runs prebuilt SQL on driver connections of its
own; these tests check that it writes what the SQLAlchemy unit of work writes, assigns
only the columns that changed, raises the same errors, shares its connections safely
between threads and closes them all.
"""

from __future__ import annotations

import json
import os
import re
import sqlite3
import sys
import threading
import warnings
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from conftest import CLERK, SUPERIOR, SUPERVISOR, UNDERTAKER, UNIT_A, UNIT_B
from secretarial import IncomingDocument, Office, SupervisionItem, UsageError, builtin_registry
from secretarial.adapters._sql import SqlStore, _load, _row, entities, normalise_url
from secretarial.kernel import Query
from secretarial.testing import FrozenClock, SequentialIds

BEIJING = timezone(timedelta(hours=8))
AT = datetime(2025, 9, 26, 9, 0, 0, 123456, tzinfo=BEIJING)
TABLES = ("entities", "audit_events", "counters")


def notice(office: Office, title: str = "通知") -> IncomingDocument:
    """A notice received now from the superior organ."""
    return office.documents.receive(
        by=CLERK, kind="notice", title=title, sender=SUPERIOR, channel="paper", received_at=AT
    )


def work(office: Office, clock: FrozenClock) -> None:
    """Creations, transitions, numbers, a closed entity and a bulk import."""
    for n in range(3):
        doc = office.documents.receive(
            by=CLERK,
            kind="notice",
            title=f"通知{n}",
            sender=SUPERIOR,
            channel="paper",
            received_at=office.now(),
        )
        clock.advance(timedelta(minutes=1, microseconds=7))
        doc = office.fire(doc, "register", by=CLERK)
        if n == 1:
            office.fire(doc, "return_to_sender", by=CLERK, reason="不属于本机关办理")
    item = office.supervision.open(
        by=SUPERVISOR, source="leader_instruction", requirement="整改", received_at=office.now()
    )
    item = office.fire(item, "assign", by=SUPERVISOR, lead_unit=UNIT_A, deadline=date(2025, 12, 1))
    item = office.fire(item, "accept", by=UNDERTAKER)
    for n in range(3):
        clock.advance(timedelta(hours=1))
        item = office.fire(item, "report_progress", by=UNDERTAKER, text=f"进展{n}")
    lines = [
        json.dumps(
            {
                "kind": "notice",
                "title": f"批量{n}",
                "sender": SUPERIOR,
                "channel": "paper",
                "received_at": "2025-09-26T09:00:00.5+08:00",
            },
            ensure_ascii=False,
        )
        for n in range(4)
    ]
    assert office.documents.import_jsonl(lines, by=CLERK, batch_size=3).ok


def rows(path: Path) -> dict[str, list[tuple[Any, ...]]]:
    conn = sqlite3.connect(path)
    try:
        return {
            table: conn.execute(f"SELECT * FROM {table} ORDER BY 1, 2").fetchall()  # noqa: S608
            for table in TABLES
        }
    finally:
        conn.close()


def test_the_driver_writes_the_rows_sqlalchemy_writes(tmp_path: Path) -> None:
    """The same commands through the driver and through SQLAlchemy leave identical rows."""
    written = {}
    for name, driver in (("driver", True), ("sqlalchemy", False)):
        path = tmp_path / f"{name}.db"
        store = SqlStore(f"sqlite:///{path}")
        if not driver:
            store._driver = None  # the SQLAlchemy unit of work, for reference
        clock = FrozenClock(AT)
        with Office(store, clock=clock, ids=SequentialIds()) as office:
            assert (store._driver is not None) == driver
            work(office, clock)
        written[name] = rows(path)
    assert written["driver"] == written["sqlalchemy"]
    assert len(written["driver"]["entities"]) == 8
    assert len(written["driver"]["audit_events"]) == 21


def test_stored_columns_are_what_sqlalchemy_makes_of_the_body(tmp_path: Path) -> None:
    """After saves that assigned only some columns, every column still matches the body."""
    path = tmp_path / "office.db"
    clock = FrozenClock(AT)
    with Office.open(f"sqlite:///{path}", clock=clock, ids=SequentialIds()) as office:
        work(office, clock)
    dialect = sa.create_engine("sqlite://").dialect
    conn = sqlite3.connect(path)
    conn.row_factory = sqlite3.Row
    try:
        stored = conn.execute("SELECT * FROM entities").fetchall()
    finally:
        conn.close()
    closed = 0
    for record in stored:
        expected = _row(_load(builtin_registry().entity_types, record["kind"], record["body"]))
        for name, value in expected.items():
            process = entities.c[name].type.dialect_impl(dialect).bind_processor(dialect)
            assert record[name] == (value if process is None else process(value)), name
        closed += record["is_open"] == 0
    assert closed == 1


def driver_statements(store: SqlStore) -> list[str]:
    """Trace the SQL of the store's (single) driver connection, with the values in it."""
    seen: list[str] = []
    with store.unit_of_work():
        pass
    (link,) = store._driver._idle
    link[0].set_trace_callback(seen.append)
    return seen


def assigned_columns(update: str) -> list[str]:
    """The columns an ``UPDATE`` (with its values filled in) assigns; the body comes last."""
    head = update.split(" body = ", 1)[0] + " body = "
    return re.findall(r"(\w+) = ", head)


def test_a_save_assigns_only_the_columns_that_changed(tmp_path: Path) -> None:
    clock = FrozenClock(AT)
    with Office.open(f"sqlite:///{tmp_path / 'o.db'}", clock=clock, ids=SequentialIds()) as office:
        store: Any = office.store
        seen = driver_statements(store)
        item = office.supervision.open(
            by=SUPERVISOR, source="leader_instruction", requirement="整改", received_at=AT
        )
        item = office.fire(
            item, "assign", by=SUPERVISOR, lead_unit=UNIT_A, deadline=date(2025, 12, 1)
        )
        item = office.fire(item, "accept", by=UNDERTAKER)
        clock.advance(timedelta(hours=1))
        del seen[:]
        office.fire(item, "report_progress", by=UNDERTAKER, text="进展")
        (update,) = [s for s in seen if s.startswith("UPDATE")]
        assert assigned_columns(update) == ["updated_at", "version", "body"]
        stored = office.get(item.id, SupervisionItem)
        assert stored.lead_unit is not None
        assert stored.lead_unit.code == UNIT_A["code"]
        assert len(stored.progress_reports) == 1


def test_a_save_over_an_unread_version_assigns_every_column(tmp_path: Path) -> None:
    """Without the entity read in the same unit of work, nothing is assumed about the row."""
    with Office.open(f"sqlite:///{tmp_path / 'o.db'}", clock=FrozenClock(AT)) as office:
        item = office.supervision.open(
            by=SUPERVISOR, source="leader_instruction", requirement="整改", received_at=AT
        )
        workflow = office.workflow("supervision_item")
        assigned, event = workflow.fire(
            item,
            "assign",
            SUPERVISOR,
            now=AT,
            data={"lead_unit": UNIT_B, "deadline": date(2025, 12, 1)},
        )
        store: Any = office.store
        seen = driver_statements(store)
        with store.unit_of_work() as uow:
            uow.save(assigned, event, expected_version=1)
        (update,) = [s for s in seen if s.startswith("UPDATE")]
        assert assigned_columns(update) == [
            "kind",
            "state",
            "is_open",
            "deadline",
            "number",
            "classification",
            "lead_unit",
            "updated_at",
            "version",
            "body",
        ]
        assert office.get(item.id, SupervisionItem).lead_unit.code == UNIT_B["code"]


def test_an_entity_is_reused_only_for_the_body_it_came_from(tmp_path: Path) -> None:
    path = tmp_path / "o.db"
    with Office.open(f"sqlite:///{path}", clock=FrozenClock(AT), ids=SequentialIds()) as office:
        doc = notice(office)
        assert office.get(doc.id) is doc  # held since it was added
        changed = doc.model_copy(update={"title": "另一份通知"})
        conn = sqlite3.connect(path)
        with conn:
            conn.execute(
                "UPDATE entities SET body = ? WHERE id = ?", (changed.model_dump_json(), doc.id)
            )
        conn.close()
        loaded = office.get(doc.id, IncomingDocument)
        assert loaded.title == "另一份通知"
        assert loaded.version == doc.version
        assert office.get(doc.id) is loaded


def test_a_store_without_held_entities_parses_every_body(tmp_path: Path) -> None:
    store = SqlStore(f"sqlite:///{tmp_path / 'o.db'}", entity_cache=0)
    with Office(store, clock=FrozenClock(AT), ids=SequentialIds()) as office:
        doc = notice(office)
        first, second = office.get(doc.id), office.get(doc.id)
        assert first == second == doc
        assert first is not second
        assert not store._held


def test_held_entities_are_bounded(tmp_path: Path) -> None:
    store = SqlStore(f"sqlite:///{tmp_path / 'o.db'}", entity_cache=3)
    with Office(store, clock=FrozenClock(AT), ids=SequentialIds()) as office:
        docs = [notice(office, f"通知{n}") for n in range(5)]
        assert list(store._held) == [d.id for d in docs[2:]]
        assert office.get(docs[0].id) == docs[0]
        assert list(store._held) == [docs[3].id, docs[4].id, docs[0].id]
        assert office.get(docs[3].id) is docs[3]  # held: the most recently used now
        assert list(store._held) == [docs[4].id, docs[0].id, docs[3].id]


def test_a_writer_that_cannot_get_the_lock_raises_what_sqlalchemy_raises(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'o.db'}"
    holder = SqlStore(url)
    waiter = SqlStore(url, busy_timeout=0.05)
    try:
        with holder.unit_of_work() as uow:
            assert uow.next_number("incoming", "2025") == 1
            with pytest.raises(sa.exc.OperationalError, match="locked"):
                waiter.unit_of_work().__enter__()
        with waiter.unit_of_work() as uow:  # its connection is usable again
            assert uow.next_number("incoming", "2025") == 2
    finally:
        holder.close()
        waiter.close()


def draw_and_refuse(store: SqlStore) -> None:
    with store.unit_of_work() as uow:
        uow.next_number("incoming", "2025", 5)
        raise RuntimeError("refused")


def test_a_failed_unit_of_work_rolls_back_and_its_connection_is_reused(tmp_path: Path) -> None:
    store = SqlStore(f"sqlite:///{tmp_path / 'o.db'}")
    try:
        with pytest.raises(RuntimeError, match="refused"):
            draw_and_refuse(store)
        idle = list(store._driver._idle)
        assert len(idle) == 1
        assert not idle[0][0].in_transaction
        with store.unit_of_work() as uow:
            assert uow.next_number("incoming", "2025") == 1
        assert store._driver._idle == idle
        assert store.counters() == {("incoming", "2025"): 1}
    finally:
        store.close()


def test_threads_share_connections_and_numbers_stay_gap_free(tmp_path: Path) -> None:
    store = SqlStore(f"sqlite:///{tmp_path / 'o.db'}")
    drawn: list[int] = []
    errors: list[BaseException] = []
    start = threading.Barrier(6)

    def draw() -> None:
        try:
            start.wait()
            for _ in range(25):
                with store.unit_of_work() as uow:
                    drawn.append(uow.next_number("incoming", "2025"))
        except BaseException as e:  # noqa: BLE001 -- reported below
            errors.append(e)

    threads = [threading.Thread(target=draw) for _ in range(6)]
    try:
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert errors == []
        assert sorted(drawn) == list(range(1, 151))
        assert 1 <= len(store._driver._idle) <= 6
    finally:
        store.close()


def test_close_closes_the_driver_connections_even_those_in_use(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'o.db'}"
    store = SqlStore(url)
    with store.unit_of_work():
        pass
    (idle,) = store._driver._idle
    store.close()
    store = SqlStore(url)
    with store.unit_of_work() as uow:
        busy = uow._link
        uow.next_number("incoming", "2025")
        store.close()
        busy[0].execute("SELECT 1")  # still open while the unit of work runs
    assert store._driver._idle == []
    for conn, _cursor in (idle, busy):
        with pytest.raises(sqlite3.ProgrammingError):
            conn.execute("SELECT 1")
    engine = sa.create_engine(normalise_url(url))
    with engine.connect() as conn:  # the unit of work committed before its connection closed
        assert conn.execute(sa.text("SELECT value FROM counters")).scalar_one() == 1
    engine.dispose()


def test_timestamps_are_stored_in_utc_as_sqlalchemy_stores_them(tmp_path: Path) -> None:
    path = tmp_path / "o.db"
    with Office.open(f"sqlite:///{path}", clock=FrozenClock(AT), ids=SequentialIds()) as office:
        notice(office)
    conn = sqlite3.connect(path)
    try:
        (created, updated), (at,) = (
            conn.execute("SELECT created_at, updated_at FROM entities").fetchone(),
            conn.execute("SELECT at FROM audit_events").fetchone(),
        )
    finally:
        conn.close()
    assert created == updated == at == AT.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
    assert created == "2025-09-26 01:00:00.123456"


def test_office_open_sets_how_many_entities_are_held(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'o.db'}"
    with Office.open(url, entity_cache=1, clock=FrozenClock(AT), ids=SequentialIds()) as office:
        docs = [notice(office, f"通知{n}") for n in range(2)]
        store: Any = office.store
        assert list(store._held) == [docs[1].id]


@pytest.mark.parametrize("bad", [-1, 1.5, True, "16"])
def test_office_open_refuses_a_bad_entity_cache(tmp_path: Path, bad: Any) -> None:
    with pytest.raises(UsageError, match="entity_cache must be a whole number"):
        Office.open(f"sqlite:///{tmp_path / 'o.db'}", entity_cache=bad)
    assert not (tmp_path / "o.db").exists()


def test_an_in_memory_office_takes_no_entity_cache() -> None:
    with pytest.raises(UsageError, match="apply to SQL offices"):
        Office.open("memory://", entity_cache=4)
    with pytest.raises(UsageError, match="apply to SQL offices"):
        Office.open("memory://", pool_size=4)


@pytest.mark.parametrize("bad", [0, -1, 1.5, True, "8"])
def test_office_open_refuses_a_bad_pool_size(tmp_path: Path, bad: Any) -> None:
    with pytest.raises(UsageError, match="pool_size must be a whole number"):
        Office.open(f"sqlite:///{tmp_path / 'o.db'}", pool_size=bad)
    assert not (tmp_path / "o.db").exists()


def test_the_pool_keeps_as_many_connections_as_asked(tmp_path: Path) -> None:
    """The store keeps the connections asked for between commands; five unless asked."""
    url = f"sqlite:///{tmp_path / 'o.db'}"
    with Office.open(url, pool_size=12, clock=FrozenClock(AT)) as office:
        pool: Any = office.store._engine.pool  # type: ignore[attr-defined]
        assert pool.size() == 12
    with Office.open(url, clock=FrozenClock(AT)) as office:
        assert office.store._engine.pool.size() == 5  # type: ignore[attr-defined]


@pytest.mark.skipif(sys.platform == "win32", reason="os.fork is POSIX only")
def test_a_forked_child_opens_its_own_connections(tmp_path: Path) -> None:
    """The parent's idle driver connections are set aside in a child, never used there."""
    with Office.open(f"sqlite:///{tmp_path / 'o.db'}", clock=FrozenClock(AT)) as office:
        doc = notice(office)
        store: Any = office.store
        parents = [id(conn) for conn, _ in store._driver._idle]
        assert parents  # the receipt's connection went back to the idle list
        read, write = os.pipe()
        with warnings.catch_warnings():  # Python 3.12+ warns when other threads exist
            warnings.simplefilter("ignore", DeprecationWarning)
            pid = os.fork()
        if pid == 0:  # pragma: no cover -- runs in the child
            try:
                idle_after_fork = len(store._driver._idle)
                office.fire(doc.id, "register", by=CLERK)
                used = [id(conn) for conn, _ in store._driver._idle]
                ok = idle_after_fork == 0 and not set(used) & set(parents)
                os.write(write, b"ok" if ok else b"reused")
            finally:
                os._exit(0)
        os.close(write)
        os.waitpid(pid, 0)
        with os.fdopen(read, "rb") as pipe:
            assert pipe.read() == b"ok"
        # The parent goes on with its own connections and sees the child's commit.
        assert office.get(doc.id).state == "registered"
        office.fire(doc.id, "screen", by=CLERK)


def test_a_page_of_one_kind_reads_an_index_in_order(tmp_path: Path) -> None:
    """No sort of every entity of the kind: the plan walks (kind, seq) and stops."""
    with Office.open(f"sqlite:///{tmp_path / 'o.db'}", clock=FrozenClock(AT)) as office:
        store: Any = office.store
        stmt, _ = store._select(Query(kinds=frozenset({"incoming_document"})))
        compiled = stmt.limit(21).compile(store._engine, compile_kwargs={"literal_binds": True})
        with store._engine.connect() as conn:
            plan = conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {compiled}").all()
        details = " ".join(str(row[-1]) for row in plan)
        assert "ix_entities_kind_seq" in details
        assert "TEMP B-TREE" not in details
