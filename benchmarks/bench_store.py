"""Cost of the SQL store against raw sqlite3: transitions, bulk import, overdue paging.

Measures, in one process, on SQLite files in one temporary directory (WAL mode and
``synchronous=NORMAL`` for the store and for raw sqlite3 alike, the pragmas the store
sets on every connection):

1. persisted transitions per second: ``Office.fire(item_id, "report_progress", ...)``
   on supervision items in progress (load, transition, UPDATE, audit INSERT, COMMIT)
   against raw sqlite3 doing ``UPDATE entities SET body=?, version=? WHERE id=? AND
   version=?`` + an audit ``INSERT`` + ``COMMIT`` per operation with the same JSON
   bodies; also, for information, raw sqlite3 running the store's own statements, and
   the same pair through PostgreSQL when a server answers;
2. bulk import: ``office.documents.import_jsonl(lines, by=clerk, batch_size=...)`` of JSON
   Lines in memory against raw ``executemany`` of the same rows (entity rows and two
   audit rows per document) with a commit per batch, for several batch sizes;
3. the first page of 50 overdue items among 1,000,000 entities through
   ``store.page(Query(overdue_as_of=day), limit=50)`` against a full scan of the same
   filter (``NOT INDEXED``), with ``EXPLAIN QUERY PLAN`` of the store's own statement.

Run ``python benchmarks/bench_store.py`` (a few minutes on two cores) or with ``--quick``
for a smoke run well under a minute. ``--profile`` adds cProfile listings of the fire
path and of an import; ``--no-postgres`` skips PostgreSQL. PostgreSQL is used when
``SECRETARIAL_BENCH_POSTGRES_URL`` is set or the default
``postgresql://postgres@127.0.0.1:5432/test`` answers; the benchmark works in its own
schema (``secretarial_bench``), created empty and dropped afterwards. The exit status is
0 whatever the numbers are; an error in the measured code raises.
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import json
import os
import platform
import pstats
import random
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote

import sqlalchemy as sa

from secretarial import Office, SupervisionItem
from secretarial.kernel import Query
from secretarial.testing import FrozenClock, SequentialIds

# ------------------------------------------------------------------------------ workload
from workload import (
    CLERK,
    PROGRESS,
    RECEIVED_AT,
    UNDERTAKER,
    items_in_progress,
)

SENDERS = (
    {"code": "SZF", "name": "市政府办公室", "relation": "superior"},
    {"code": "SJW", "name": "市教育委员会", "relation": "peer"},
    {"code": "XQB", "name": "新区管委会办公室", "relation": "subordinate"},
    {"code": "SFGW", "name": "市发展和改革委员会", "relation": "peer"},
)
DOC_KINDS = (
    ("notice", "通知"),
    ("request", "请示"),
    ("report", "报告"),
    ("letter", "函"),
    ("opinion", "意见"),
    ("circular", "通报"),
)
CHANNELS = ("electronic", "paper", "fax")

PG_DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/test"
PG_URL_VARIABLE = "SECRETARIAL_BENCH_POSTGRES_URL"
PG_SCHEMA = "secretarial_bench"

AUDIT_INSERT = (
    'INSERT INTO audit_events (entity_id, version, kind, "trigger", actor_id, at, event) '
    "VALUES (?, ?, ?, ?, ?, ?, ?)"
)
ENTITY_COLUMNS = (
    "id, kind, state, version, is_open, deadline, number, classification, lead_unit, "
    "created_at, updated_at, body"
)
ENTITY_INSERT = f"INSERT INTO entities ({ENTITY_COLUMNS}) VALUES ({', '.join('?' * 12)})"  # noqa: S608
OVERDUE_FILTER = "is_open IS 1 AND deadline IS NOT NULL AND deadline < ?"


def document_lines(count: int, seed: int = 20251) -> list[str]:
    """``count`` JSON Lines of incoming documents, as ``documents.import_jsonl`` takes them."""
    rng = random.Random(seed)
    lines = []
    for i in range(count):
        kind, label = rng.choice(DOC_KINDS)
        received = RECEIVED_AT + timedelta(minutes=i % 50_000)
        lines.append(
            json.dumps(
                {
                    "kind": kind,
                    "title": f"关于做好第{i + 1}批重点项目安全生产检查工作的{label}",
                    "sender": rng.choice(SENDERS),
                    "channel": rng.choice(CHANNELS),
                    "received_at": received.isoformat(),
                },
                ensure_ascii=False,
            )
        )
    return lines


def sql_time(moment: datetime) -> str:
    """A timestamp as the store writes it to SQLite (UTC, microseconds)."""
    return moment.astimezone(UTC).replace(tzinfo=None).isoformat(sep=" ", timespec="microseconds")


# ------------------------------------------------------------------------------ harness


@dataclass(frozen=True)
class Sizes:
    """How much work each measurement does."""

    pool: int  # supervision items fired round-robin
    fires: int  # report_progress fires per run
    fire_repeats: int
    pg_pool: int
    pg_fires: int
    pg_repeats: int
    docs: int  # documents per import
    batch_sizes: tuple[int, ...]
    import_repeats: int
    rows: int  # entities in the overdue table
    page_calls: int
    scan_runs: int
    profile_fires: int
    profile_docs: int


FULL = Sizes(
    pool=1_000,
    fires=10_000,
    fire_repeats=5,
    pg_pool=200,
    pg_fires=2_000,
    pg_repeats=3,
    docs=100_000,
    batch_sizes=(1_000, 5_000, 20_000),
    import_repeats=3,
    rows=1_000_000,
    page_calls=200,
    scan_runs=5,
    profile_fires=3_000,
    profile_docs=20_000,
)
QUICK = Sizes(
    pool=200,
    fires=2_000,
    fire_repeats=2,
    pg_pool=50,
    pg_fires=500,
    pg_repeats=1,
    docs=10_000,
    batch_sizes=(1_000, 5_000),
    import_repeats=1,
    rows=100_000,
    page_calls=50,
    scan_runs=3,
    profile_fires=1_000,
    profile_docs=5_000,
)


@dataclass(frozen=True)
class Rate:
    """Operations per second over several runs."""

    runs: tuple[float, ...]

    @property
    def best(self) -> float:
        """The fastest run."""
        return max(self.runs)

    @property
    def median(self) -> float:
        """The median run."""
        return statistics.median(self.runs)


@dataclass(frozen=True)
class Latency:
    """Milliseconds per call over several calls."""

    runs: tuple[float, ...]

    @property
    def best(self) -> float:
        """The fastest call."""
        return min(self.runs)

    @property
    def median(self) -> float:
        """The median call."""
        return statistics.median(self.runs)


def timed_ops(body: Callable[[], int]) -> float:
    """Run ``body`` once (the cycle collector collected first, left running); ops per second."""
    gc.collect()
    start = time.perf_counter_ns()
    ops = body()
    elapsed = time.perf_counter_ns() - start
    if ops <= 0:
        raise RuntimeError("the timed body reported no operations")
    return ops / (elapsed / 1e9)


def sqlite_url(path: Path) -> str:
    return f"sqlite:///{path}"


def raw_connect(path: Path, *, autocommit: bool = False) -> sqlite3.Connection:
    """A raw sqlite3 connection with the store's pragmas (WAL, synchronous=NORMAL).

    Without ``autocommit`` the sqlite3 module opens a transaction before the first DML
    statement and ``commit()`` ends it (one ``BEGIN``/``COMMIT`` per operation).
    """
    conn = sqlite3.connect(path, isolation_level=None if autocommit else "")
    mode = conn.execute("PRAGMA journal_mode=WAL").fetchone()[0]
    if mode != "wal":
        raise RuntimeError(f"{path}: journal_mode is {mode!r}, not wal")
    conn.execute("PRAGMA foreign_keys=ON")
    conn.execute("PRAGMA synchronous=NORMAL")
    conn.execute("PRAGMA busy_timeout=30000")
    return conn


def copy_database(source: Path, target: Path) -> None:
    """Copy a closed SQLite database (and any WAL files left beside it)."""
    for suffix in ("", "-wal", "-shm"):
        src = Path(f"{source}{suffix}")
        if src.exists():
            shutil.copyfile(src, f"{target}{suffix}")


def remove_database(path: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def verdict(ok: bool) -> str:  # noqa: FBT001
    return "PASS" if ok else "MISS"


# ------------------------------------------------------------------------------ 1. fires


@dataclass(frozen=True)
class FireOp:
    """One precomputed transition: the row values both raw variants write."""

    entity_id: str
    expected: int
    version: int
    state: str
    is_open: int
    deadline: str | None
    lead_unit: str | None
    updated_at: str
    body: str
    audit: tuple[Any, ...]  # entity_id, version, kind, trigger, actor_id, at (str), event


def fire_workload(
    office: Office, ids: list[str], fires: int, *, at: Callable[[datetime], Any]
) -> list[FireOp]:
    """The transitions ``fires`` round-robin ``report_progress`` fires produce, as rows.

    Computed from the stored entities with the office's own workflow, so bodies and
    audit events are byte for byte what the store would write.
    """
    workflow = office.workflow("supervision_item")
    entities: list[Any] = [office.get(i) for i in ids]
    now = office.now()
    ops = []
    for i in range(fires):
        k = i % len(ids)
        old = entities[k]
        new, event = workflow.fire(
            old, "report_progress", UNDERTAKER, now=now, data={"text": PROGRESS}
        )
        entities[k] = new
        ops.append(
            FireOp(
                entity_id=new.id,
                expected=old.version,
                version=new.version,
                state=str(new.state),
                is_open=int(new.is_open),
                deadline=None if new.deadline is None else new.deadline.isoformat(),
                lead_unit=None if new.lead_unit is None else new.lead_unit.code,
                updated_at=at(new.updated_at),
                body=new.model_dump_json(),
                audit=(
                    event.entity_id,
                    event.version,
                    event.entity_kind.value,
                    event.trigger,
                    event.actor.id,
                    at(event.at),
                    event.model_dump_json(),
                ),
            )
        )
    return ops


def office_fire_body(office: Office, ids: list[str], fires: int) -> Callable[[], int]:
    def body() -> int:
        fire = office.fire
        pool = len(ids)
        for i in range(fires):
            fire(ids[i % pool], "report_progress", by=UNDERTAKER, text=PROGRESS)
        return fires

    return body


def raw_fire_body(conn: sqlite3.Connection, ops: list[FireOp]) -> Callable[[], int]:
    """UPDATE body and version + INSERT audit + COMMIT per operation."""
    update = "UPDATE entities SET body = ?, version = ? WHERE id = ? AND version = ?"

    def body() -> int:
        execute, commit = conn.execute, conn.commit
        for op in ops:
            if execute(update, (op.body, op.version, op.entity_id, op.expected)).rowcount != 1:
                raise RuntimeError(f"raw update of {op.entity_id} matched no row")
            execute(AUDIT_INSERT, op.audit)
            commit()
        return len(ops)

    return body


def raw_store_statements_body(conn: sqlite3.Connection, ops: list[FireOp]) -> Callable[[], int]:
    """The store's statements for a ``report_progress``, on the driver.

    BEGIN IMMEDIATE, SELECT, an UPDATE of the columns that change (``updated_at``,
    ``version``, ``body``), INSERT, COMMIT.
    """
    select = "SELECT kind, body FROM entities WHERE id = ?"
    update = (
        "UPDATE entities SET updated_at = ?, version = ?, body = ? WHERE id = ? AND version = ?"
    )

    def body() -> int:
        execute = conn.execute
        for op in ops:
            execute("BEGIN IMMEDIATE")
            if execute(select, (op.entity_id,)).fetchone() is None:
                raise RuntimeError(f"raw select of {op.entity_id} found nothing")
            params = (op.updated_at, op.version, op.body, op.entity_id, op.expected)
            if execute(update, params).rowcount != 1:
                raise RuntimeError(f"raw update of {op.entity_id} matched no row")
            execute(AUDIT_INSERT, op.audit)
            execute("COMMIT")
        return len(ops)

    return body


def check_fired(office: Office, ids: list[str], expected: int) -> None:
    """Each item got ``expected`` progress reports; its audit trail grew to match."""
    for entity_id in (ids[0], ids[-1]):
        item = office.get(entity_id, SupervisionItem)
        if len(item.progress_reports) != expected or len(office.audit(item)) != item.version:
            raise RuntimeError(f"{entity_id}: expected {expected} progress reports: {item!r}")


@dataclass(frozen=True)
class FireResult:
    """Transitions per second: office, raw sqlite3, raw with the store's statements."""

    office: Rate
    raw: Rate
    raw_store: Rate | None
    body_bytes: float


def sqlite_fires(sizes: Sizes, tmp: Path) -> FireResult:
    """Office fires and raw sqlite3 on copies of one database of items in progress."""
    template = tmp / "fires-template.db"
    office = Office.open(sqlite_url(template))
    try:
        ids = [item.id for item in items_in_progress(office, sizes.pool)]
        ops = fire_workload(office, ids, sizes.fires, at=sql_time)
    finally:
        office.close()
    runs: dict[str, list[float]] = {"office": [], "raw": [], "raw_store": []}
    work = tmp / "fires.db"
    for _ in range(sizes.fire_repeats):
        # office
        copy_database(template, work)
        office = Office.open(sqlite_url(work))
        try:
            for entity_id in ids[:20]:  # warm the statement caches and the pool
                office.fire(entity_id, "report_progress", by=UNDERTAKER, text=PROGRESS)
            runs["office"].append(timed_ops(office_fire_body(office, ids, sizes.fires)))
            check_fired(office, ids[20:], sizes.fires // sizes.pool)
        finally:
            office.close()
        remove_database(work)
        # raw, as the target states it, then raw with the store's statements
        for name, make in (("raw", raw_fire_body), ("raw_store", raw_store_statements_body)):
            copy_database(template, work)
            conn = raw_connect(work, autocommit=name == "raw_store")
            try:
                runs[name].append(timed_ops(make(conn, ops)))
                versions = conn.execute(
                    "SELECT count(*) FROM audit_events WHERE trigger = 'report_progress'"
                ).fetchone()[0]
                if versions != sizes.fires:
                    raise RuntimeError(f"{name}: {versions} audit rows, not {sizes.fires}")
            finally:
                conn.close()
            remove_database(work)
    remove_database(template)
    body_bytes = statistics.fmean(len(op.body.encode()) for op in ops)
    return FireResult(
        Rate(tuple(runs["office"])),
        Rate(tuple(runs["raw"])),
        Rate(tuple(runs["raw_store"])),
        body_bytes,
    )


# ------------------------------------------------------------------------------ 1b. postgres


def postgres_base_url(*, enabled: bool) -> tuple[str | None, str]:
    """The PostgreSQL URL to use, or None and why not."""
    if not enabled:
        return None, "skipped (--no-postgres)"
    url = os.environ.get(PG_URL_VARIABLE) or PG_DEFAULT_URL
    try:
        import psycopg  # noqa: PLC0415 -- optional
    except ImportError:
        return None, "psycopg is not installed"
    try:
        with psycopg.connect(url, connect_timeout=3) as conn:
            version = conn.execute("SHOW server_version").fetchone()
    except psycopg.Error as e:
        if os.environ.get(PG_URL_VARIABLE):
            raise  # asked for explicitly: fail loudly
        return None, f"no server at {url} ({str(e).strip().splitlines()[0]})"
    return url, f"PostgreSQL {version[0] if version else '?'} at {url}"


def with_search_path(url: str, schema: str) -> str:
    option = quote(f"-csearch_path={schema}", safe="")
    return f"{url}{'&' if '?' in url else '?'}options={option}"


def reset_schema(base_url: str, *, drop_only: bool = False) -> None:
    """Drop the benchmark's schema (and the office tables in it); create it empty."""
    import psycopg  # noqa: PLC0415

    with psycopg.connect(base_url, autocommit=True) as conn:
        conn.execute(f"DROP SCHEMA IF EXISTS {PG_SCHEMA} CASCADE")
        if not drop_only:
            conn.execute(f"CREATE SCHEMA {PG_SCHEMA}")


def raw_pg_body(conn: Any, ops: list[FireOp]) -> Callable[[], int]:
    update = "UPDATE entities SET body = %s, version = %s WHERE id = %s AND version = %s"
    insert = AUDIT_INSERT.replace("?", "%s")

    def body() -> int:
        with conn.cursor() as cur:
            for op in ops:
                cur.execute(update, (op.body, op.version, op.entity_id, op.expected))
                if cur.rowcount != 1:
                    raise RuntimeError(f"raw update of {op.entity_id} matched no row")
                cur.execute(insert, op.audit)
                conn.commit()
        return len(ops)

    return body


def postgres_fires(sizes: Sizes, base_url: str) -> tuple[Rate, Rate]:
    """Office fires and raw psycopg, taking turns on one fresh schema."""
    import psycopg  # noqa: PLC0415

    reset_schema(base_url)
    url = with_search_path(base_url, PG_SCHEMA)
    office = Office.open(url)
    runs: dict[str, list[float]] = {"office": [], "raw": []}
    try:
        ids = [item.id for item in items_in_progress(office, sizes.pg_pool)]
        for entity_id in ids[:20]:
            office.fire(entity_id, "report_progress", by=UNDERTAKER, text=PROGRESS)
        with psycopg.connect(url) as conn:
            for _ in range(sizes.pg_repeats):
                runs["office"].append(timed_ops(office_fire_body(office, ids, sizes.pg_fires)))
                ops = fire_workload(office, ids, sizes.pg_fires, at=lambda m: m)
                runs["raw"].append(timed_ops(raw_pg_body(conn, ops)))
        check_fired(office, ids[20:], 2 * sizes.pg_repeats * sizes.pg_fires // sizes.pg_pool)
    finally:
        office.close()
        reset_schema(base_url, drop_only=True)
    return Rate(tuple(runs["office"])), Rate(tuple(runs["raw"]))


# ------------------------------------------------------------------------------ 2. import


@dataclass(frozen=True)
class ImportResult:
    """Documents per second by batch size, and the mean row sizes written."""

    office: dict[int, Rate]  # batch size -> docs/s
    raw: dict[int, Rate]
    entity_bytes: float
    audit_bytes: float


def office_import_once(path: Path, lines: list[str], batch_size: int) -> tuple[float, int]:
    office = Office.open(sqlite_url(path))
    try:
        reports: list[Any] = []

        def body() -> int:
            report = office.documents.import_jsonl(lines, by=CLERK, batch_size=batch_size)
            reports.append(report)
            return len(report.imported)

        rate = timed_ops(body)
        report = reports[0]
        batches = -(-len(lines) // batch_size)
        if not report.ok or len(report.imported) != len(lines) or report.batches != batches:
            raise RuntimeError(f"the import did not take every line: {report}")
    finally:
        office.close()
    return rate, len(report.imported)


def stored_rows(path: Path) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    """The entity and audit rows an import wrote, in the order it wrote them."""
    conn = raw_connect(path)
    try:
        entity_rows = conn.execute(
            f"SELECT {ENTITY_COLUMNS} FROM entities ORDER BY seq"  # noqa: S608
        ).fetchall()
        audit_rows = conn.execute(
            'SELECT entity_id, version, kind, "trigger", actor_id, at, event '
            "FROM audit_events ORDER BY seq"
        ).fetchall()
    finally:
        conn.close()
    if len(audit_rows) != 2 * len(entity_rows):
        raise RuntimeError("expected two audit rows (receive, register) per document")
    return entity_rows, audit_rows


def raw_import_once(
    path: Path, entity_rows: list[tuple[Any, ...]], audit_rows: list[tuple[Any, ...]], batch: int
) -> float:
    Office.open(sqlite_url(path)).close()  # the store's schema and indexes, empty
    conn = raw_connect(path)
    try:

        def body() -> int:
            for start in range(0, len(entity_rows), batch):
                conn.executemany(ENTITY_INSERT, entity_rows[start : start + batch])
                conn.executemany(AUDIT_INSERT, audit_rows[2 * start : 2 * (start + batch)])
                conn.commit()
            return len(entity_rows)

        rate = timed_ops(body)
        if conn.execute("SELECT count(*) FROM entities").fetchone()[0] != len(entity_rows):
            raise RuntimeError("raw import lost rows")
    finally:
        conn.close()
    return rate


def bulk_import(sizes: Sizes, tmp: Path) -> ImportResult:
    lines = document_lines(sizes.docs)
    path = tmp / "import.db"
    office_runs: dict[int, list[float]] = {b: [] for b in sizes.batch_sizes}
    raw_runs: dict[int, list[float]] = {b: [] for b in sizes.batch_sizes}
    entity_rows: list[tuple[Any, ...]] = []
    audit_rows: list[tuple[Any, ...]] = []
    for _ in range(sizes.import_repeats):
        for batch in sizes.batch_sizes:
            rate, _ = office_import_once(path, lines, batch)
            office_runs[batch].append(rate)
            if not entity_rows:
                entity_rows, audit_rows = stored_rows(path)
            remove_database(path)
            raw_runs[batch].append(raw_import_once(path, entity_rows, audit_rows, batch))
            remove_database(path)
    return ImportResult(
        {b: Rate(tuple(r)) for b, r in office_runs.items()},
        {b: Rate(tuple(r)) for b, r in raw_runs.items()},
        statistics.fmean(len(r[-1].encode()) for r in entity_rows),
        statistics.fmean(len(r[-1].encode()) for r in audit_rows),
    )


# ------------------------------------------------------------------------------ 3. overdue


DAY = date(2025, 10, 1)  # "today" for the overdue query
WINDOW = 730  # deadlines spread over two years centred on DAY
VALID_DAYS = 30  # open rows due in the window's first days get real, loadable bodies


def body_template() -> tuple[str, dict[str, Any]]:
    """A real supervision item in progress as JSON, with ``@ID@`` and ``@DEADLINE@`` holes."""
    office = Office.in_memory(clock=FrozenClock(RECEIVED_AT), ids=SequentialIds())
    (item,) = items_in_progress(office, 1)
    marker = date(1999, 12, 31)
    text = item.model_copy(update={"id": "@ID@", "deadline": marker}).model_dump_json()
    if text.count(f'"{marker.isoformat()}"') != 1 or text.count('"@ID@"') != 1:
        raise RuntimeError("cannot make a body template from the item's JSON")
    text = text.replace(marker.isoformat(), "@DEADLINE@")
    columns = {
        "version": item.version,
        "state": str(item.state),
        "created_at": sql_time(item.created_at),
        "updated_at": sql_time(item.updated_at),
    }
    return text, columns


def overdue_rows(count: int, seed: int = 7) -> Iterator[tuple[Any, ...]]:
    """Entity rows: ~22 % open, 90 % with a deadline over two years: ~10 % open and overdue."""
    rng = random.Random(seed)
    template, item = body_template()
    first = DAY - timedelta(days=WINDOW // 2)
    days = [(first + timedelta(days=d)).isoformat() for d in range(WINDOW)]
    kinds = (
        ("supervision_item", "in_progress", "verified"),
        ("incoming_document", "in_handling", "filed"),
        ("outgoing_document", "drafted", "filed"),
    )
    base = datetime(2024, 1, 1, tzinfo=UTC)
    for i in range(count):
        entity_id = f"00000000-0000-7000-8000-{i:012x}"
        is_open = rng.random() < 0.22
        d = None if rng.random() < 0.1 else rng.randrange(WINDOW)
        deadline = None if d is None else days[d]
        stamp = sql_time(base + timedelta(seconds=30 * i))
        if is_open and d is not None and d < VALID_DAYS:
            body = template.replace("@ID@", entity_id).replace("@DEADLINE@", days[d])
            yield (
                entity_id,
                "supervision_item",
                item["state"],
                item["version"],
                1,
                deadline,
                None,
                0,
                "ZHK",
                item["created_at"],
                item["updated_at"],
                body,
            )
            continue
        kind, open_state, closed_state = kinds[i % 3]
        yield (
            entity_id,
            kind,
            open_state if is_open else closed_state,
            3,
            int(is_open),
            deadline,
            None,
            0,
            "ZHK" if kind == "supervision_item" else None,
            stamp,
            stamp,
            "{}",
        )


@dataclass(frozen=True)
class PageResult:
    """The overdue table, the plans and the latencies of the first page and a full scan."""

    rows: int
    overdue: int
    build_seconds: float
    store_plan: list[str]
    scan_plan: list[str]
    uses_index: bool
    store: Latency  # ms per first page through the store
    second_page: Latency
    raw_indexed: Latency
    scan: Latency
    db_megabytes: float


def explain(conn: sqlite3.Connection, sql: str, params: Any) -> list[str]:
    return [str(row[-1]) for row in conn.execute(f"EXPLAIN QUERY PLAN {sql}", params)]


def capture_statements(run: Callable[[], Any]) -> tuple[Any, list[tuple[str, Any]]]:
    """Run ``run`` and return what it returned and the SQL (with parameters) it executed."""
    seen: list[tuple[str, Any]] = []

    def listener(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        seen.append((statement, parameters))

    sa.event.listen(sa.engine.Engine, "before_cursor_execute", listener)
    try:
        result = run()
    finally:
        sa.event.remove(sa.engine.Engine, "before_cursor_execute", listener)
    return result, seen


def time_calls(call: Callable[[], Any], n: int) -> Latency:
    out = []
    gc.collect()
    for _ in range(n):
        start = time.perf_counter_ns()
        call()
        out.append((time.perf_counter_ns() - start) / 1e6)
    return Latency(tuple(out))


def overdue_page(sizes: Sizes, tmp: Path) -> PageResult:
    path = tmp / "overdue.db"
    office = Office.open(sqlite_url(path))  # the store's schema and its indexes
    try:
        started = time.perf_counter()
        conn = raw_connect(path)
        conn.executemany(ENTITY_INSERT, overdue_rows(sizes.rows))
        conn.commit()
        build = time.perf_counter() - started
        params = (DAY.isoformat(),)
        count_sql = f"SELECT count(*) FROM entities WHERE {OVERDUE_FILTER}"  # noqa: S608
        overdue = conn.execute(count_sql, params)
        overdue_count = overdue.fetchone()[0]

        store = office.store
        query = Query(overdue_as_of=DAY)
        page, statements = capture_statements(lambda: store.page(query, limit=50))
        selects = [(s, p) for s, p in statements if "ORDER BY" in s and "entities" in s]
        if len(selects) != 1:
            raise RuntimeError(f"expected one SELECT from page(), saw {statements!r}")
        store_sql, store_params = selects[0]
        store_plan = explain(conn, store_sql, store_params)
        uses_index = any("ix_entities_open_deadline" in line for line in store_plan)

        # The first page must hold the 50 earliest-due open items (deadline, then seq).
        cols = "SELECT kind, body, deadline, seq FROM entities"
        order = "ORDER BY deadline, seq LIMIT 51"
        indexed_sql = f"{cols} WHERE {OVERDUE_FILTER} {order}"
        scan_sql = f"{cols} NOT INDEXED WHERE {OVERDUE_FILTER} {order}"
        first_ids = f"SELECT id FROM entities NOT INDEXED WHERE {OVERDUE_FILTER} {order}"  # noqa: S608
        expected = [row[0] for row in conn.execute(first_ids, params).fetchall()]
        got = [e.id for e in page.items]
        if len(page.items) != 50 or got != expected[:50] or page.next_cursor is None:
            raise RuntimeError("the store's first overdue page is not the 50 earliest-due items")
        if not all(isinstance(e, SupervisionItem) and e.is_overdue(DAY) for e in page.items):
            raise RuntimeError("the first page holds an item that is not overdue")
        cursor = page.next_cursor
        second = store.page(query, limit=50, cursor=cursor)
        if [e.id for e in second.items][:1] != expected[50:51]:
            raise RuntimeError("the second page does not follow the first")

        store_time = time_calls(lambda: store.page(query, limit=50), sizes.page_calls)
        second_time = time_calls(
            lambda: store.page(query, limit=50, cursor=cursor), sizes.page_calls
        )
        raw_indexed = time_calls(
            lambda: conn.execute(indexed_sql, params).fetchall(), sizes.page_calls
        )
        scan = time_calls(lambda: conn.execute(scan_sql, params).fetchall(), sizes.scan_runs)
        scan_plan = explain(conn, scan_sql, params)
        conn.close()
    finally:
        office.close()
    megabytes = path.stat().st_size / 1e6
    remove_database(path)
    return PageResult(
        rows=sizes.rows,
        overdue=overdue_count,
        build_seconds=build,
        store_plan=store_plan,
        scan_plan=scan_plan,
        uses_index=uses_index,
        store=store_time,
        second_page=second_time,
        raw_indexed=raw_indexed,
        scan=scan,
        db_megabytes=megabytes,
    )


# ------------------------------------------------------------------------------ profile


def profile_paths(sizes: Sizes, tmp: Path) -> None:
    """Print profiles (cProfile) of the SQLite fire path and of an import."""
    path = tmp / "profile.db"
    office = Office.open(sqlite_url(path))
    try:
        ids = [item.id for item in items_in_progress(office, 100)]
        body = office_fire_body(office, ids, sizes.profile_fires)
        profiler = cProfile.Profile()
        profiler.enable()
        body()
        profiler.disable()
    finally:
        office.close()
    remove_database(path)
    print(f"\ncProfile of {sizes.profile_fires:,} SQLite fires (top 30, cumulative):")
    stats = pstats.Stats(profiler, stream=sys.stdout)
    stats.sort_stats("cumulative").print_stats(30)
    print("(top 20, own time):")
    stats.sort_stats("tottime").print_stats(20)

    lines = document_lines(sizes.profile_docs)
    office = Office.open(sqlite_url(path))
    try:
        profiler = cProfile.Profile()
        profiler.enable()
        office.documents.import_jsonl(lines, by=CLERK, batch_size=1_000)
        profiler.disable()
    finally:
        office.close()
    remove_database(path)
    print(f"\ncProfile of an import of {sizes.profile_docs:,} documents (top 30, cumulative):")
    stats = pstats.Stats(profiler, stream=sys.stdout)
    stats.sort_stats("cumulative").print_stats(30)
    print("(top 20, own time):")
    stats.sort_stats("tottime").print_stats(20)


# ------------------------------------------------------------------------------ report


def main(argv: list[str] | None = None) -> int:  # noqa: C901, PLR0915 -- one report, top to bottom
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes, well under a minute")
    parser.add_argument("--profile", action="store_true", help="also cProfile fire and import")
    parser.add_argument("--no-postgres", action="store_true", help="skip PostgreSQL")
    args = parser.parse_args(argv)
    sizes = QUICK if args.quick else FULL
    began = time.perf_counter()

    print(
        f"secretarial store benchmark ({'quick' if args.quick else 'full'}) -- "
        f"{platform.python_implementation()} {platform.python_version()}, "
        f"{platform.machine()}, SQLite {sqlite3.sqlite_version}, SQLAlchemy {sa.__version__}"
    )
    print(
        "SQLite files in one temporary directory; store and raw sqlite3 both in WAL mode "
        "with synchronous=NORMAL; Office.open() defaults (SystemClock, Uuid7Ids); gc "
        f"running. Load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}.\n"
    )
    pg_url, pg_note = postgres_base_url(enabled=not args.no_postgres)

    with tempfile.TemporaryDirectory(prefix="secretarial-bench-store-") as name:
        tmp = Path(name)
        fires = sqlite_fires(sizes, tmp)
        pg = postgres_fires(sizes, pg_url) if pg_url is not None else None
        imports = bulk_import(sizes, tmp)
        paging = overdue_page(sizes, tmp)
        if args.profile:
            profile_paths(sizes, tmp)

    # 1. fires
    width = 64
    print(
        f"{'1. persisted transitions (report_progress)':<{width}} {'best/s':>10} {'median/s':>10}"
    )
    print("-" * (width + 22))

    def rate_row(label: str, rate: Rate) -> None:
        print(f"{label:<{width}} {rate.best:>10,.0f} {rate.median:>10,.0f}")

    fired = f"{sizes.fires:,} fires over {sizes.pool:,} items, best of {sizes.fire_repeats}"
    rate_row(f"SQLite office.fire ({fired})", fires.office)
    rate_row("raw sqlite3: UPDATE body,version + INSERT audit + COMMIT", fires.raw)
    if fires.raw_store is not None:
        rate_row(
            "raw sqlite3, the store's statements (BEGIN IMMEDIATE, SELECT ...)", fires.raw_store
        )
    print(f"{'  mean entity body written':<{width}} {fires.body_bytes:>9,.0f}B")
    if pg is not None:
        pg_fired = f"{sizes.pg_fires:,} fires over {sizes.pg_pool:,} items"
        rate_row(f"PostgreSQL office.fire ({pg_fired})", pg[0])
        rate_row("raw psycopg: UPDATE + INSERT + COMMIT", pg[1])
    print(f"  PostgreSQL: {pg_note}")
    print()

    # 2. import
    print(f"{'2. bulk import, documents per second':<{width}} {'best/s':>10} {'median/s':>10}")
    print("-" * (width + 22))
    for batch in sizes.batch_sizes:
        rate_row(
            f"documents.import_jsonl, {sizes.docs:,} docs, batch {batch:,}",
            imports.office[batch],
        )
        rate_row(
            f"raw sqlite3 executemany (1 + 2 audit rows/doc), batch {batch:,}", imports.raw[batch]
        )
    print(
        f"{'  mean entity body / audit event':<{width}} {imports.entity_bytes:>9,.0f}B "
        f"{imports.audit_bytes:>9,.0f}B"
    )
    best_batch = max(sizes.batch_sizes, key=lambda b: imports.office[b].best)
    raw_batch = max(sizes.batch_sizes, key=lambda b: imports.raw[b].best)
    print()

    # 3. overdue
    print(
        f"3. overdue, first page of 50 among {paging.rows:,} entities "
        f"({paging.overdue:,} open and overdue; built in {paging.build_seconds:.1f} s, "
        f"{paging.db_megabytes:,.0f} MB)"
    )
    print("store query plan:")
    for line in paging.store_plan:
        print(f"    {line}")
    print("full-scan query plan:")
    for line in paging.scan_plan:
        print(f"    {line}")
    print(f"{'':<{width}} {'best ms':>10} {'median ms':>10}")
    print("-" * (width + 22))

    def ms_row(label: str, lat: Latency) -> None:
        print(f"{label:<{width}} {lat.best:>10.3f} {lat.median:>10.3f}")

    ms_row(f"store.page(Query(overdue_as_of=day), limit=50) x{sizes.page_calls}", paging.store)
    ms_row("  second page (cursor)", paging.second_page)
    ms_row("raw sqlite3, same query with the index, 51 rows", paging.raw_indexed)
    ms_row(f"raw sqlite3, same query NOT INDEXED (full scan) x{sizes.scan_runs}", paging.scan)
    print()

    # targets
    fire_ratio = fires.office.best / fires.raw.best
    import_ratio = imports.office[best_batch].best / imports.raw[raw_batch].best
    same_batch = imports.office[best_batch].best / imports.raw[best_batch].best
    page_ratio = paging.store.best / paging.scan.best
    print(f"{'target':<{width}} {'value':>10} {'verdict':>8}")
    print("-" * (width + 20))
    print(
        f"{'SQLite office.fire / raw sqlite3 >= 40%':<{width}} {fire_ratio:>9.1%} "
        f"{verdict(fire_ratio >= 0.40):>8}"
    )
    label = f"import: best office (batch {best_batch:,}) / best raw (batch {raw_batch:,}) >= 33%"
    print(f"{label:<{width}} {import_ratio:>9.1%} {verdict(import_ratio >= 0.33):>8}")
    print(f"{f'  same, both at batch {best_batch:,}':<{width}} {same_batch:>9.1%} {'info':>8}")
    print(
        f"{'first overdue page / full scan <= 1/100':<{width}} {page_ratio:>9.4f} "
        f"{verdict(page_ratio <= 0.01):>8}"
    )
    print(
        f"{'store query uses ix_entities_open_deadline':<{width}} "
        f"{'yes' if paging.uses_index else 'no':>10} {verdict(paging.uses_index):>8}"
    )
    if fires.raw_store is not None:
        print(
            f"{'SQLite office.fire / raw with the store statements':<{width}} "
            f"{fires.office.best / fires.raw_store.best:>9.1%} {'info':>8}"
        )
    if pg is not None:
        print(
            f"{'PostgreSQL office.fire / raw psycopg':<{width}} "
            f"{pg[0].best / pg[1].best:>9.1%} {'info':>8}"
        )
    print(
        f"\nRatios use the best runs. Load average after: "
        f"{' '.join(f'{x:.2f}' for x in os.getloadavg())}; "
        f"{time.perf_counter() - began:.1f} s in all."
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
