"""Cost of checkpoints and of verification at scale, on a SQLite office.

Builds an office of ``--entities`` supervision items with ``--events`` audit events
each (opened, assigned, accepted, then progress reports): the trails are made by the
library in an in-memory office and written to a SQLite file with the SQL store's own
row functions, so the file holds exactly what the store writes. Then, in one process:

1. ``office.checkpoint()`` against ``office.sweep(now)`` over the same office, at a
   moment when some items are due a reminder (each sweep on a fresh copy of the file,
   since a sweep records what it issued);
2. ``office.verify_audit(against=checkpoint)`` against reading the same rows raw
   (plain sqlite3: every entity body and every audit event fetched and ``json.loads``);
3. the same at a tenth of the entities, for verification's cost per event at both
   sizes (linear means a ratio near 1).

Run ``python benchmarks/bench_audit.py`` (100,000 entities, 1,000,000 events: about
half an hour on two cores) or ``--quick`` (a smoke run of about a minute). The exit
status is 0 whatever the numbers are; an error in the measured code raises.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from secretarial import Checkpoint, HmacKey, Office
from secretarial.adapters._sql import _audit_row, _row, audit, entities
from secretarial.testing import FrozenClock, SequentialIds
from workload import PROGRESS, SUPERVISOR, UNDERTAKER, UNIT, item_fields

KEY = HmacKey(b"the benchmark's checkpoint key, not a secret")
START = datetime(2025, 9, 26, 1, 0, tzinfo=UTC)
SWEEP_AT = START + timedelta(days=40)
"""When the sweep runs: items whose deadline falls near it are due a reminder."""


def build(path: Path, count: int, events: int) -> None:
    """Write ``count`` items with ``events`` audit events each to a SQLite office at ``path``."""
    clock = FrozenClock(START)
    memory = Office.in_memory(clock=clock, ids=SequentialIds())
    for n in range(count):
        item = memory.supervision.open(by=SUPERVISOR, **item_fields())
        deadline = memory.today() + timedelta(days=20 + n % 60)
        item = memory.fire(item, "assign", by=SUPERVISOR, lead_unit=UNIT, deadline=deadline)
        item = memory.fire(item, "accept", by=UNDERTAKER)
        for _ in range(events - 3):
            item = memory.fire(item, "report_progress", by=UNDERTAKER, text=PROGRESS)
    found, trails = memory.store.audit_records()
    Office.open(f"sqlite:///{path}").close()  # the schema, as the store creates it
    engine = sa.create_engine(f"sqlite:///{path}")
    with engine.begin() as conn:
        conn.execute(entities.insert(), [_row(entity) for _, entity in found])
        batch: list[dict[str, Any]] = []
        for trail in trails.values():
            batch.extend(_audit_row(event) for event in trail if event is not None)
            if len(batch) >= 50_000:
                conn.execute(audit.insert(), batch)
                batch = []
        if batch:
            conn.execute(audit.insert(), batch)
    engine.dispose()


def timed(action: Callable[[], Any], repeats: int) -> tuple[list[float], Any]:
    """Seconds of each of ``repeats`` runs, and the last run's result."""
    times, result = [], None
    for _ in range(repeats):
        began = time.perf_counter()
        result = action()
        times.append(time.perf_counter() - began)
    return times, result


def spread(times: list[float]) -> str:
    return f"{statistics.median(times):.2f} s [{min(times):.2f}..{max(times):.2f}]"


def raw_read(path: Path) -> int:
    """Every entity body and audit event, fetched and parsed, as plain sqlite3 does it."""
    conn = sqlite3.connect(path)
    try:
        rows = 0
        for (body,) in conn.execute("SELECT body FROM entities"):
            json.loads(body)
            rows += 1
        for (event,) in conn.execute("SELECT event FROM audit_events"):
            json.loads(event)
            rows += 1
        return rows
    finally:
        conn.close()


def sweep_on_copy(path: Path, work: Path) -> tuple[int, float]:
    copy = work / "sweep.db"
    for suffix in ("", "-wal", "-shm"):
        if Path(f"{path}{suffix}").exists():
            shutil.copy(f"{path}{suffix}", f"{copy}{suffix}")
    began = time.perf_counter()
    with Office.open(f"sqlite:///{copy}", clock=FrozenClock(SWEEP_AT)) as office:
        issued = len(office.sweep(SWEEP_AT).issued)
    elapsed = time.perf_counter() - began
    for suffix in ("", "-wal", "-shm"):
        Path(f"{copy}{suffix}").unlink(missing_ok=True)
    return issued, elapsed


def measure(work: Path, count: int, events: int, repeats: int) -> dict[str, Any]:
    path = work / f"office-{count}.db"
    began = time.perf_counter()
    build(path, count, events)
    built = time.perf_counter() - began
    sweeps = [sweep_on_copy(path, work) for _ in range(repeats)]
    with Office.open(f"sqlite:///{path}", checkpoint_key=KEY) as office:
        checkpoint_times, checkpoint = timed(office.checkpoint, repeats)
        kept = Checkpoint.from_json(checkpoint.to_json())
        verify_times, report = timed(lambda: office.verify_audit(against=kept), repeats)
    if not report.ok:
        raise SystemExit(f"the benchmark's office does not verify clean: {report}")
    raw_times, rows = timed(lambda: raw_read(path), repeats)
    return {
        "entities": count,
        "events": report.events,
        "built": built,
        "sweep": [elapsed for _, elapsed in sweeps],
        "issued": sweeps[0][0],
        "checkpoint": checkpoint_times,
        "verify": verify_times,
        "raw": raw_times,
        "rows": rows,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entities", type=int, default=100_000)
    parser.add_argument("--events", type=int, default=10, help="audit events per entity")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--quick", action="store_true", help="a smoke run: 2,000 entities")
    args = parser.parse_args()
    count = 2_000 if args.quick else args.entities
    repeats = 2 if args.quick else args.repeats
    print(f"python {sys.version.split()[0]}, load {os.getloadavg()}")
    with tempfile.TemporaryDirectory() as directory:
        work = Path(directory)
        results = [measure(work, size, args.events, repeats) for size in (count // 10, count)]
    for r in results:
        sweep, checkpoint = statistics.median(r["sweep"]), statistics.median(r["checkpoint"])
        verify, raw = statistics.median(r["verify"]), statistics.median(r["raw"])
        print(
            f"\n{r['entities']:,} entities, {r['events']:,} events (built in {r['built']:.0f} s)\n"
            f"  sweep ({r['issued']:,} reminders issued)  {spread(r['sweep'])}\n"
            f"  checkpoint                          {spread(r['checkpoint'])}"
            f"  = {checkpoint / sweep:.1%} of the sweep\n"
            f"  verify_audit(against=checkpoint)    {spread(r['verify'])}"
            f"  = {verify / raw:.1f}x reading the rows raw\n"
            f"  raw read of {r['rows']:,} rows          {spread(r['raw'])}\n"
            f"  verification per event              {verify / r['events'] * 1e6:.1f} µs"
        )
    small, large = results
    per_small = statistics.median(small["verify"]) / small["events"]
    per_large = statistics.median(large["verify"]) / large["events"]
    print(
        f"\nverification per event, {large['events']:,} against {small['events']:,} events: "
        f"{per_large / per_small:.2f}x (1.00 is linear); load {os.getloadavg()}"
    )


if __name__ == "__main__":
    main()
