"""What the outbox costs a persisted fire, and how fast the relay delivers to NATS JetStream.

Measures, in one process and one run:

1. **The outbox's cost.** ``Office.fire(item_id, "report_progress", ...)`` on supervision
   items in progress, persisted on a SQLite file (WAL, ``synchronous=NORMAL``) and, when a
   server answers, on PostgreSQL; each run once as shipped (the outbox entry written in
   the fire's transaction) and once with the outbox write taken out of the store (the
   baseline: what a fire cost before the outbox), the two taking turns on copies of one
   database. The ratio is fires/s with the outbox over fires/s without.
2. **The relay's throughput.** A SQLite office holding ``--events`` outbox entries (items
   opened, assigned, accepted and reported on) is relayed to NATS JetStream with
   ``NatsSink``; against, in the same run, (a) the relay to a sink that keeps nothing (the
   relay's own cost: reading the outbox, recording positions) and (b) nats-py alone
   publishing the same message bodies to a stream, batch by batch, acknowledged (the
   broker's floor for this way of publishing). Each delivery starts from an empty
   stream.

Run ``python benchmarks/bench_outbox.py`` (about two minutes on two cores) or with
``--quick`` (well under a minute). NATS is used at ``SECRETARIAL_BENCH_NATS_URL`` or
``nats://127.0.0.1:4222``; PostgreSQL at ``SECRETARIAL_BENCH_POSTGRES_URL`` or
``postgresql://postgres@127.0.0.1:5432/test`` (in a schema of its own, dropped after);
``--no-postgres`` skips it. The exit status is 0 whatever the numbers are.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import os
import platform
import shutil
import sqlite3
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from secretarial import CallbackSink, Office, OutboxMessage
from secretarial.adapters import _sql
from secretarial.testing import FrozenClock, SequentialIds
from workload import PROGRESS, RECEIVED_AT, UNDERTAKER, items_in_progress

PG_URL_VARIABLE = "SECRETARIAL_BENCH_POSTGRES_URL"
PG_DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/test"
PG_SCHEMA = "secretarial_bench_outbox"
NATS_URL_VARIABLE = "SECRETARIAL_BENCH_NATS_URL"
NATS_DEFAULT_URL = "nats://127.0.0.1:4222"


@dataclass(frozen=True)
class Sizes:
    """How much each part does."""

    pool: int
    fires: int
    repeats: int
    pg_fires: int
    events: int
    relay_repeats: int


FULL = Sizes(pool=500, fires=5_000, repeats=5, pg_fires=1_500, events=20_000, relay_repeats=3)
QUICK = Sizes(pool=100, fires=1_000, repeats=3, pg_fires=300, events=3_000, relay_repeats=2)


def spread(runs: Sequence[float]) -> str:
    return f"{statistics.median(runs):>9,.0f}  [{min(runs):,.0f} .. {max(runs):,.0f}]"


def rate_of(body: Callable[[], int]) -> float:
    gc.collect()
    start = time.perf_counter()
    done = body()
    return done / (time.perf_counter() - start)


@contextlib.contextmanager
def outbox_taken_out() -> Iterator[None]:
    """The stores as they were before the outbox: the audit insert alone, no outbox entry.

    The entry is neither built nor written (SQLite: the audit row alone; PostgreSQL: no
    entry kept, no partition lock, no insert before the commit).
    """
    sqlite_uow, pg_uow = _sql._SqliteUnitOfWork, _sql._SqlUnitOfWork  # noqa: SLF001
    insert_event, flush = sqlite_uow._insert_event, pg_uow.flush_outbox  # noqa: SLF001
    columns = _sql.outbox_columns

    def audit_only(self: Any, event: Any, entity: Any) -> None:
        del entity
        self._cursor.execute(_sql._SQLITE_INSERT_AUDIT, _sql._sqlite_audit_row(event))  # noqa: SLF001

    sqlite_uow._insert_event = audit_only  # type: ignore[method-assign]  # noqa: SLF001
    pg_uow.flush_outbox = lambda _self: None  # type: ignore[method-assign]
    _sql.outbox_columns = lambda *_: None  # type: ignore[assignment]
    try:
        yield
    finally:
        sqlite_uow._insert_event = insert_event  # type: ignore[method-assign]  # noqa: SLF001
        pg_uow.flush_outbox = flush  # type: ignore[method-assign]
        _sql.outbox_columns = columns


def fires_body(office: Office, ids: list[str], fires: int) -> Callable[[], int]:
    def body() -> int:
        fire = office.fire
        for i in range(fires):
            fire(ids[i % len(ids)], "report_progress", by=UNDERTAKER, text=PROGRESS)
        return fires

    return body


def outbox_rows(path: Path) -> int:
    with contextlib.closing(sqlite3.connect(path)) as conn:
        return int(conn.execute("SELECT count(*) FROM outbox").fetchone()[0])


def clock() -> FrozenClock:
    return FrozenClock(RECEIVED_AT)


# ------------------------------------------------------------------------------ 1. cost
def sqlite_cost(sizes: Sizes, tmp: Path) -> tuple[list[float], list[float]]:
    """Fires/s with and without the outbox, taking turns on copies of one database."""
    template = tmp / "cost-template.db"
    with Office.open(f"sqlite:///{template}") as office:
        ids = [i.id for i in items_in_progress(office, sizes.pool)]
    runs: dict[bool, list[float]] = {True: [], False: []}
    for _ in range(sizes.repeats):
        for with_outbox in (True, False):
            work = tmp / "cost.db"
            shutil.copyfile(template, work)
            before = outbox_rows(work)
            with (
                contextlib.nullcontext() if with_outbox else outbox_taken_out(),
                Office.open(f"sqlite:///{work}") as office,
            ):
                for entity_id in ids[:20]:
                    office.fire(entity_id, "report_progress", by=UNDERTAKER, text=PROGRESS)
                runs[with_outbox].append(rate_of(fires_body(office, ids, sizes.fires)))
            written = outbox_rows(work) - before
            expected = sizes.fires + 20 if with_outbox else 0
            if written != expected:
                raise RuntimeError(f"{written} outbox rows written, not {expected}")
            for suffix in ("", "-wal", "-shm", "-outbox.lock"):
                Path(f"{work}{suffix}").unlink(missing_ok=True)
    return runs[True], runs[False]


def postgres_url(*, enabled: bool) -> tuple[str | None, str]:
    if not enabled:
        return None, "skipped (--no-postgres)"
    url = os.environ.get(PG_URL_VARIABLE) or PG_DEFAULT_URL
    try:
        import psycopg  # noqa: PLC0415

        with psycopg.connect(url, connect_timeout=3, autocommit=True) as conn:
            conn.execute(f"DROP SCHEMA IF EXISTS {PG_SCHEMA} CASCADE")
            conn.execute(f"CREATE SCHEMA {PG_SCHEMA}")
    except Exception as e:  # noqa: BLE001 -- no server: say so
        return None, f"no server at {url} ({str(e).strip().splitlines()[0]})"
    return url, f"PostgreSQL at {url}"


def postgres_cost(sizes: Sizes, base: str) -> tuple[list[float], list[float]]:
    from urllib.parse import quote  # noqa: PLC0415

    url = (
        f"{base}{'&' if '?' in base else '?'}options={quote(f'-csearch_path={PG_SCHEMA}', safe='')}"
    )
    runs: dict[bool, list[float]] = {True: [], False: []}
    with Office.open(url) as office:
        ids = [i.id for i in items_in_progress(office, sizes.pool // 2)]
        for entity_id in ids[:20]:
            office.fire(entity_id, "report_progress", by=UNDERTAKER, text=PROGRESS)
        for _ in range(sizes.repeats):
            for with_outbox in (True, False):
                with contextlib.nullcontext() if with_outbox else outbox_taken_out():
                    runs[with_outbox].append(rate_of(fires_body(office, ids, sizes.pg_fires)))
    import psycopg  # noqa: PLC0415

    with psycopg.connect(base, autocommit=True) as conn:
        conn.execute(f"DROP SCHEMA IF EXISTS {PG_SCHEMA} CASCADE")
    return runs[True], runs[False]


# ------------------------------------------------------------------------------ 2. relay
def filled_office(path: Path, events: int) -> int:
    """A SQLite office whose outbox holds about ``events`` entries; how many it holds."""
    items = max(1, events // 10)
    with Office.open(f"sqlite:///{path}", clock=clock(), ids=SequentialIds()) as office:
        ids = [i.id for i in items_in_progress(office, items)]
        left = events - 4 * items
        for k in range(max(0, left)):
            office.fire(ids[k % len(ids)], "report_progress", by=UNDERTAKER, text=PROGRESS)
        return office.outbox.head


def nats_ready(url: str) -> str | None:
    try:
        import nats  # noqa: PLC0415
    except ImportError:
        return "nats-py is not installed (pip install 'secretarial[nats]')"

    async def probe() -> None:
        nc = await nats.connect(url, connect_timeout=3, max_reconnect_attempts=0)
        await nc.jetstream().account_info()
        await nc.close()

    try:
        asyncio.run(probe())
    except Exception as e:  # noqa: BLE001 -- say why
        return f"no JetStream at {url} ({type(e).__name__}: {e})"
    return None


def delete_stream(url: str, name: str) -> None:
    import nats  # noqa: PLC0415
    from nats.js.errors import NotFoundError  # noqa: PLC0415

    async def delete() -> None:
        nc = await nats.connect(url)
        with contextlib.suppress(NotFoundError):
            await nc.jetstream().delete_stream(name)
        await nc.close()

    asyncio.run(delete())


def relay_rate(path: Path, sink: Any, total: int) -> float:
    with Office.open(f"sqlite:///{path}", create=False) as office:
        gc.collect()
        start = time.perf_counter()
        report = office.relay([sink])
        elapsed = time.perf_counter() - start
    if report.delivered != total or report.failing:
        raise RuntimeError(f"delivered {report.delivered} of {total}: {report.failing}")
    return total / elapsed


def raw_publish_rate(url: str, batches: list[list[OutboxMessage]]) -> float:
    """nats-py alone: each batch published at once, every acknowledgement awaited."""
    import nats  # noqa: PLC0415

    stream = f"BENCH_RAW_{uuid.uuid4().hex[:8]}"
    prefix = f"braw{uuid.uuid4().hex[:8]}"

    async def run() -> float:
        nc = await nats.connect(url)
        js = nc.jetstream()
        await js.add_stream(name=stream, subjects=[f"{prefix}.>"], duplicate_window=120)
        subject = f"{prefix}.supervision_item.transition.report_progress"
        start = time.perf_counter()
        for batch in batches:
            await asyncio.gather(
                *(
                    js.publish(subject, m.body, headers={"Nats-Msg-Id": m.id}, stream=stream)
                    for m in batch
                )
            )
        elapsed = time.perf_counter() - start
        await js.delete_stream(stream)
        await nc.close()
        return sum(len(b) for b in batches) / elapsed

    return asyncio.run(run())


def relay_throughput(
    sizes: Sizes, tmp: Path, url: str
) -> tuple[int, list[float], list[float], list[float]]:
    from secretarial.adapters import NatsSink  # noqa: PLC0415

    template = tmp / "relay-template.db"
    total = filled_office(template, sizes.events)
    batches: list[list[OutboxMessage]] = []
    with Office.open(f"sqlite:///{template}", create=False) as office:
        office.relay([CallbackSink("capture", lambda b: batches.append(list(b)))])
    nats_runs: list[float] = []
    null_runs: list[float] = []
    raw_runs: list[float] = []
    for _ in range(sizes.relay_repeats):
        work = tmp / "relay.db"
        shutil.copyfile(template, work)
        null_runs.append(relay_rate(work, CallbackSink("null", lambda _: None), total))
        stream, prefix = f"BENCH_{uuid.uuid4().hex[:8]}", f"b{uuid.uuid4().hex[:8]}"
        sink = NatsSink(url, stream=stream, subject_prefix=prefix)
        try:
            nats_runs.append(relay_rate(work, sink, total))
        finally:
            sink.close()
            delete_stream(url, stream)
        raw_runs.append(raw_publish_rate(url, batches))
        for suffix in ("", "-wal", "-shm", "-outbox.lock"):
            Path(f"{work}{suffix}").unlink(missing_ok=True)
    return total, nats_runs, null_runs, raw_runs


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes, well under a minute")
    parser.add_argument("--no-postgres", action="store_true", help="skip PostgreSQL")
    args = parser.parse_args(argv)
    sizes = QUICK if args.quick else FULL
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    print(
        f"secretarial outbox benchmark ({'quick' if args.quick else 'full'}) -- "
        f"{platform.python_implementation()} {platform.python_version()}, {platform.machine()}, "
        f"{os.cpu_count()} cores, SQLite {sqlite3.sqlite_version}; load average before: {load}"
    )
    pg_url, pg_note = postgres_url(enabled=not args.no_postgres)
    nats_url = os.environ.get(NATS_URL_VARIABLE) or NATS_DEFAULT_URL
    nats_problem = nats_ready(nats_url)
    with tempfile.TemporaryDirectory(prefix="secretarial-bench-outbox-") as name:
        tmp = Path(name)
        with_sqlite, without_sqlite = sqlite_cost(sizes, tmp)
        pg = postgres_cost(sizes, pg_url) if pg_url is not None else None
        relay = relay_throughput(sizes, tmp, nats_url) if nats_problem is None else None

    print("\n1. a persisted fire (report_progress), fires/s: median [min .. max] of runs")
    print(f"   SQLite, {sizes.fires:,} fires x {sizes.repeats} runs each, taking turns")
    print(f"     with the outbox        {spread(with_sqlite)}")
    print(f"     without (baseline)     {spread(without_sqlite)}")
    ratio = statistics.median(with_sqlite) / statistics.median(without_sqlite)
    print(f"     ratio with / without   {ratio:.2f}  (the outbox costs {1 - ratio:.0%})")
    if pg is None:
        print(f"   PostgreSQL: {pg_note}")
    else:
        print(f"   PostgreSQL, {sizes.pg_fires:,} fires x {sizes.repeats} runs each, one process")
        print(f"     with the outbox        {spread(pg[0])}")
        print(f"     without (baseline)     {spread(pg[1])}")
        ratio = statistics.median(pg[0]) / statistics.median(pg[1])
        print(f"     ratio with / without   {ratio:.2f}  (the outbox costs {1 - ratio:.0%})")
    print("\n2. the relay from a SQLite office, events/s: median [min .. max] of runs")
    if relay is None:
        print(f"   {nats_problem}")
    else:
        total, nats_runs, null_runs, raw_runs = relay
        print(f"   {total:,} outbox entries, batches of 500, {sizes.relay_repeats} runs")
        print(f"     relay -> NATS JetStream        {spread(nats_runs)}")
        print(f"     relay -> a sink keeping none   {spread(null_runs)}")
        print(f"     nats-py alone, same bodies     {spread(raw_runs)}")
        to_raw = statistics.median(nats_runs) / statistics.median(raw_runs)
        print(f"     relay to NATS / nats-py alone  {to_raw:.2f}")
    print(f"\nload average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
