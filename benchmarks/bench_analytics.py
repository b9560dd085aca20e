"""Office analytics over a million audit events, against the raw SQL aggregates they rest on.

Builds, in one run, an office whose audit holds about ``--events`` events: a simulated
quarter (``secretarial.testing.simulation``: incoming documents through their workflow,
supervision items with lead units, reminders) copied over and over under new entity ids,
in SQL (``INSERT ... SELECT``), so that every copy has the shape of real work. Then
times, median of ``--runs`` runs each:

- ``step_waits(office, "incoming_document", ...)`` against the raw aggregate it rests
  on: ``SELECT target, count(*) ... GROUP BY target`` over the same kind's rows, the
  target read from the event JSON as the store reads it;
- ``throughput(office, ...)`` against ``SELECT kind, date(at), count(*) ... GROUP BY``;
- ``unit_outcomes(office, ...)`` against ``SELECT lead_unit, count(*) FROM entities ...
  GROUP BY lead_unit`` joined with the items' audit rows.

On SQLite (a file, WAL) and, when a server answers, on PostgreSQL (in a schema of its
own, dropped after). The ratio is the analytics' time over the raw aggregate's: how much
the window functions, the stays and the percentiles add to a scan that must happen
anyway. ``python benchmarks/bench_analytics.py`` (a few minutes on two cores) or
``--quick`` (100,000 events). The exit status is 0 whatever the numbers are.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import os
import platform
import sqlite3
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, date, datetime
from datetime import time as clock_time
from pathlib import Path
from typing import Any
from urllib.parse import quote

import sqlalchemy as sa

from secretarial import Office
from secretarial.analytics import step_waits, throughput, unit_outcomes
from secretarial.testing import FrozenClock, SequentialIds
from secretarial.testing.simulation import simulate_office

PG_URL_VARIABLE = "SECRETARIAL_BENCH_POSTGRES_URL"
PG_DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/test"
PG_SCHEMA = "secretarial_bench_analytics"
START = datetime.combine(date(2025, 9, 1), clock_time(1, 0), UTC)


def timed(call: Callable[[], object], runs: int) -> list[float]:
    found = []
    for _ in range(runs):
        gc.collect()
        began = time.perf_counter()
        call()
        found.append(time.perf_counter() - began)
    return found


def spread(runs: list[float]) -> str:
    low, high = min(runs) * 1000, max(runs) * 1000
    return f"{statistics.median(runs) * 1000:>9,.0f} ms [{low:,.0f} .. {high:,.0f}]"


def simulated(url: str) -> tuple[Office, Any]:
    clock = FrozenClock(START)
    office = Office.open(url, clock=clock, ids=SequentialIds())
    sim = simulate_office(office, clock, months=3, seed=1)
    return office, sim


def replicate(engine: sa.Engine, events: int) -> int:
    """Copy the simulated quarter's entities and audit rows under new ids to ``events``."""
    with engine.begin() as conn:
        base = int(conn.execute(sa.text("SELECT count(*) FROM audit_events")).scalar_one())
        copies = max(0, -(-events // base) - 1)
        conn.execute(sa.text("CREATE TEMPORARY TABLE copies (k INTEGER)"))
        conn.execute(
            sa.text("INSERT INTO copies VALUES (:k)"), [{"k": k} for k in range(1, copies + 1)]
        )
        entity_columns = (
            "kind, state, version, is_open, deadline, number, classification, lead_unit, "
            "created_at, updated_at, body"
        )
        copied = ", ".join("e." + n.strip() for n in entity_columns.split(","))
        conn.execute(
            sa.text(
                f"INSERT INTO entities (id, {entity_columns}) "  # noqa: S608 -- our own names
                f"SELECT e.id || '~' || c.k, {copied} FROM entities e CROSS JOIN copies c"
            )
        )
        conn.execute(
            sa.text(
                "INSERT INTO audit_events (entity_id, version, kind, trigger, actor_id, at, event) "
                "SELECT a.entity_id || '~' || c.k, a.version, a.kind, a.trigger, a.actor_id, "
                "a.at, a.event FROM audit_events a CROSS JOIN copies c"
            )
        )
        return int(conn.execute(sa.text("SELECT count(*) FROM audit_events")).scalar_one())


def raw_queries(dialect: str) -> dict[str, str]:
    """The plain aggregates over the same rows, each reading what its analytics reads."""
    target = (
        "json_extract(event, '$.target')"
        if dialect == "sqlite"
        else "CAST(event AS jsonb)->>'target'"
    )
    day = "date(at)" if dialect == "sqlite" else "CAST(at AS date)"
    ends = "('completed', 'filed', 'closed', 'verified', 'cancelled')"
    # S608: the only text put into these statements is the library's own.
    return {
        "step_waits": (
            f"SELECT {target}, count(*) FROM audit_events "  # noqa: S608
            "WHERE kind = 'incoming_document' GROUP BY 1"
        ),
        "throughput": (
            f"SELECT kind, {day}, count(*), "  # noqa: S608
            f"sum(CASE WHEN {target} IN {ends} THEN 1 ELSE 0 END) "
            "FROM audit_events GROUP BY 1, 2"
        ),
        "unit_outcomes": (
            f"SELECT e.lead_unit, count(*), sum(CASE WHEN {target} = 'reported' "  # noqa: S608
            "THEN 1 ELSE 0 END) FROM entities e JOIN audit_events a ON a.entity_id = e.id "
            "WHERE e.kind = 'supervision_item' GROUP BY e.lead_unit"
        ),
    }


Timings = dict[str, tuple[list[float], list[float]]]
"""Each analytics' runs and its raw aggregate's, in seconds."""


def measure(office: Office, engine: sa.Engine, start: date, end: date, runs: int) -> Timings:
    raw = raw_queries(engine.dialect.name)
    calls: dict[str, Callable[[], object]] = {
        "step_waits": lambda: step_waits(office, "incoming_document", start=start, end=end),
        "throughput": lambda: throughput(office, start=start, end=end),
        "unit_outcomes": lambda: unit_outcomes(office, start=start, end=end),
    }
    found = {}
    with engine.connect() as conn:
        for name, call in calls.items():
            call()  # warm: plans, caches
            ours = timed(call, runs)
            theirs = timed(lambda q=raw[name]: conn.execute(sa.text(q)).all(), runs)
            found[name] = (ours, theirs)
    return found


def report(label: str, total: int, found: Timings) -> None:
    print(f"\n{label}: {total:,} audit events")
    for name, (ours, theirs) in found.items():
        ratio = statistics.median(ours) / statistics.median(theirs)
        print(
            f"  {name:<14} analytics {spread(ours)}   raw SQL {spread(theirs)}   ratio {ratio:5.2f}"
        )


def postgres(*, enabled: bool) -> str | None:
    if not enabled:
        return None
    url = os.environ.get(PG_URL_VARIABLE) or PG_DEFAULT_URL
    try:
        import psycopg  # noqa: PLC0415

        with psycopg.connect(url, connect_timeout=3, autocommit=True) as conn:
            conn.execute(f"DROP SCHEMA IF EXISTS {PG_SCHEMA} CASCADE")
            conn.execute(f"CREATE SCHEMA {PG_SCHEMA}")
    except Exception as e:  # noqa: BLE001 -- no server: say so and go on
        print(f"PostgreSQL skipped: {str(e).strip().splitlines()[0]}")
        return None
    option = quote(f"-csearch_path={PG_SCHEMA}", safe="")
    return f"{url}{'&' if '?' in url else '?'}options={option}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="100,000 events")
    parser.add_argument("--no-postgres", action="store_true", help="skip PostgreSQL")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args(argv)
    events = 100_000 if args.quick else 1_000_000
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    print(
        f"secretarial analytics benchmark -- {platform.python_implementation()} "
        f"{platform.python_version()}, {os.cpu_count()} cores, SQLite {sqlite3.sqlite_version}; "
        f"load average before: {load}; median [min .. max] of {args.runs} runs"
    )
    with tempfile.TemporaryDirectory(prefix="secretarial-bench-analytics-") as name:
        url = f"sqlite:///{Path(name) / 'office.db'}"
        office, sim = simulated(url)
        with contextlib.closing(office):
            engine = sa.create_engine(url)
            total = replicate(engine, events)
            report("SQLite", total, measure(office, engine, sim.start, sim.end, args.runs))
            engine.dispose()
    pg_url = postgres(enabled=not args.no_postgres)
    if pg_url is not None:
        office, sim = simulated(pg_url)
        with contextlib.closing(office):
            engine = sa.create_engine(pg_url.replace("postgresql://", "postgresql+psycopg://", 1))
            total = replicate(engine, events)
            with engine.begin() as conn:
                conn.execute(sa.text("ANALYZE"))
            report("PostgreSQL", total, measure(office, engine, sim.start, sim.end, args.runs))
            engine.dispose()
        import psycopg  # noqa: PLC0415

        with psycopg.connect(
            os.environ.get(PG_URL_VARIABLE) or PG_DEFAULT_URL, autocommit=True
        ) as conn:
            conn.execute(f"DROP SCHEMA IF EXISTS {PG_SCHEMA} CASCADE")
    print(f"\nload average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
