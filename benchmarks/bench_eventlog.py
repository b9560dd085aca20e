"""Event logs out of a SQLite office: 1,000,000 audit events streamed in flat memory.

Builds SQLite offices of supervision items with 4 to 16 audit events each (opened,
assigned, accepted, progress reports, reminders, some finished and verified), 10 on
average: a few hundred trails are made by the library in an in-memory office, then
copied under new ids, each copy's events sealed again in a chain of its own, and
written with the SQL store's own row functions, so each file holds what the store
writes. Then, for each office, in a fresh process per measurement:

1. the baseline: reading the whole audit through ``office.store.audit_stream()`` and
   touching every event (what both writers read), its time and its memory;
2. ``write_ocel(office, file)`` and ``write_xes(office, file, kind="supervision_item")``:
   their events per second, as a ratio to the baseline's, and their memory;
3. memory two ways: the growth of the process's resident set (peak RSS less the RSS
   before the read) and, in a second run, tracemalloc's peak of Python allocations.

The figures that say the export streams are the ratios of the large office's memory to
the small one's (1.00 is flat; 10.00 would be memory that grows with the log), and the
memory each writer adds to the read at both sizes. The SQL store's read itself holds
every record's body until its trail comes up, so the read's own memory grows with the
number of records; what the writers add is theirs.

Run ``python benchmarks/bench_eventlog.py`` (100,000 and 1,000,000 events: about five
minutes on two cores) or ``--quick`` (10,000 and 100,000 events, about a minute). The
exit status is 0 whatever the numbers are; an error in the measured code raises.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from secretarial import AuditEvent, Entity, Office
from secretarial.adapters._sql import _audit_row, _row, audit, entities
from secretarial.eventlog import write_ocel, write_xes
from secretarial.testing import FrozenClock, SequentialIds
from workload import PROGRESS, SUPERVISOR, UNDERTAKER, UNIT, item_fields

START = datetime(2025, 9, 26, 1, 0, tzinfo=UTC)
TEMPLATES = 200
"""Trails made by the library; the office's items are copies of them under new ids."""
MEASURES = ("stream", "ocel", "xes")


# ------------------------------------------------------------------------------ the office
def templates(count: int, seed: int = 2025) -> list[tuple[Entity, list[AuditEvent]]]:
    """``count`` supervision items and their trails, 4 to 16 events each (10 on average)."""
    rng = random.Random(seed)
    clock = FrozenClock(START)
    office = Office.in_memory(clock=clock, ids=SequentialIds())
    made = []
    for n in range(count):
        item = office.supervision.open(by=SUPERVISOR, **item_fields())
        clock.advance(timedelta(hours=rng.randint(1, 30)))
        deadline = office.today() + timedelta(days=20 + n % 40)
        item = office.fire(item, "assign", by=SUPERVISOR, lead_unit=UNIT, deadline=deadline)
        clock.advance(timedelta(hours=rng.randint(1, 30)))
        item = office.fire(item, "accept", by=UNDERTAKER)
        finished = rng.random() < 0.4
        for _ in range(rng.randint(1, 13) - (2 if finished else 0)):
            clock.advance(timedelta(hours=rng.randint(4, 80)))
            if rng.random() < 0.2:
                item = office.fire(item, "remind", by=SUPERVISOR, step=f"report:{n}:{_}")
            else:
                item = office.fire(item, "report_progress", by=UNDERTAKER, text=PROGRESS)
        if finished:
            clock.advance(timedelta(hours=rng.randint(4, 80)))
            item = office.fire(item, "submit_result", by=UNDERTAKER, result=PROGRESS)
            clock.advance(timedelta(hours=rng.randint(4, 80)))
            item = office.fire(item, "verify", by=SUPERVISOR, verification=PROGRESS)
        made.append((item, list(office.audit(item))))
    return made


def copied(entity: Entity, trail: list[AuditEvent], new_id: str, shift: timedelta) -> Any:
    """``entity`` and its trail under ``new_id``, ``shift`` later, sealed again in a chain."""
    events, previous = [], None
    for event in trail:
        fields = event.model_dump(exclude={"hash", "previous_hash"})
        fields.update(
            entity_id=new_id,
            at=event.at + shift,
            actor=event.actor,
            previous_hash=previous,
        )
        sealed = AuditEvent.sealed(**fields)
        events.append(sealed)
        previous = sealed.hash
    body = entity.model_copy(
        update={
            "id": new_id,
            "audit_head": previous,
            "created_at": entity.created_at + shift,
            "updated_at": entity.updated_at + shift,
        }
    )
    return body, events


def build(path: Path, target: int) -> int:
    """A SQLite office at ``path`` of about ``target`` audit events; return how many."""
    made = templates(TEMPLATES)
    Office.open(f"sqlite:///{path}").close()  # the schema, as the store creates it
    engine = sa.create_engine(f"sqlite:///{path}")
    written, n = 0, 0
    with engine.begin() as conn:
        rows: list[dict[str, Any]] = []
        events: list[dict[str, Any]] = []
        while written < target:
            entity, trail = made[n % len(made)]
            body, sealed = copied(entity, trail, f"sup-{n + 1}", timedelta(minutes=n))
            rows.append(_row(body))
            events.extend(_audit_row(e) for e in sealed)
            written += len(sealed)
            n += 1
            if len(events) >= 50_000:
                conn.execute(entities.insert(), rows)
                conn.execute(audit.insert(), events)
                rows, events = [], []
        if rows:
            conn.execute(entities.insert(), rows)
            conn.execute(audit.insert(), events)
    engine.dispose()
    return written


# ------------------------------------------------------------------------------ one measure
def stream(office: Office, _: Path) -> int:
    """Read the whole audit as the writers do, touching each event; return the events."""
    count = 0
    for record in office.store.audit_stream():
        for event in record.trail:
            if event is not None and event.target:
                count += 1
    return count


def ocel(office: Office, out: Path) -> int:
    return write_ocel(office, out).events


def xes(office: Office, out: Path) -> int:
    return write_xes(office, out, kind="supervision_item").events


ACTIONS: dict[str, Callable[[Office, Path], int]] = {"stream": stream, "ocel": ocel, "xes": xes}


def rss() -> int:
    """The resident set of this process now, in bytes."""
    for line in Path("/proc/self/status").read_text(encoding="ascii").splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    raise RuntimeError("no VmRSS in /proc/self/status")


def measure_here(path: Path, what: str, *, trace: bool) -> dict[str, Any]:
    """One measure in this process: seconds, events, RSS growth or tracemalloc's peak."""
    out = path.with_suffix(f".{what}")
    with Office.open(f"sqlite:///{path}", create=False) as office:
        before = rss()
        if trace:
            tracemalloc.start()
        began = time.perf_counter()
        events = ACTIONS[what](office, out)
        seconds = time.perf_counter() - began
        peak = tracemalloc.get_traced_memory()[1] if trace else 0
        tracemalloc.stop()
        grown = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024 - before
    size = out.stat().st_size if out.exists() else 0
    out.unlink(missing_ok=True)
    return {"seconds": seconds, "events": events, "rss": grown, "peak": peak, "bytes": size}


def measure(path: Path, what: str, *, trace: bool) -> dict[str, Any]:
    """One measure in a fresh process, so that its peak RSS is its own."""
    command = [sys.executable, __file__, "--measure", str(path), what]
    if trace:
        command.append("--trace")
    done = subprocess.run(  # noqa: S603 -- our own interpreter running this script
        command, capture_output=True, text=True, check=True, cwd=Path(__file__).parent
    )
    return json.loads(done.stdout)


# ------------------------------------------------------------------------------ the report
def mb(value: float) -> str:
    return f"{value / 2**20:7.1f} MiB"


def sizes(quick: bool) -> Iterator[int]:  # noqa: FBT001
    yield from (10_000, 100_000) if quick else (100_000, 1_000_000)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="10,000 and 100,000 events")
    parser.add_argument("--measure", nargs=2, metavar=("DB", "WHAT"), help=argparse.SUPPRESS)
    parser.add_argument("--trace", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        path, what = args.measure
        print(json.dumps(measure_here(Path(path), what, trace=args.trace)))
        return
    print(f"python {sys.version.split()[0]}, load {os.getloadavg()}")
    results: dict[int, dict[str, dict[str, Any]]] = {}
    with tempfile.TemporaryDirectory() as directory:
        for size in sizes(args.quick):
            path = Path(directory) / f"office-{size}.db"
            began = time.perf_counter()
            events = build(path, size)
            print(f"\n{events:,} events (built in {time.perf_counter() - began:.0f} s)")
            found = results[events] = {}
            for what in MEASURES:
                timed = measure(path, what, trace=False)
                traced = measure(path, what, trace=True)
                if timed["events"] != (events if what != "xes" else timed["events"]):
                    raise SystemExit(f"{what} wrote {timed['events']:,} of {events:,} events")
                found[what] = {**timed, "peak": traced["peak"]}
            base = found["stream"]
            for what in MEASURES:
                r = found[what]
                rate = r["events"] / r["seconds"]
                against = "" if what == "stream" else (
                    f"  = {rate / (base['events'] / base['seconds']):.2f} of the read's rate"
                    f"; RSS {r['rss'] / max(base['rss'], 1):.2f}x,"
                    f" tracemalloc {r['peak'] / max(base['peak'], 1):.2f}x the read's"
                )  # fmt: skip
                print(
                    f"  {what:6} {r['seconds']:6.1f} s  {rate:9,.0f} events/s"
                    f"  RSS +{mb(r['rss'])}  tracemalloc peak {mb(r['peak'])}"
                    f"  {r['bytes'] / 2**20:6.0f} MiB written{against}"
                )
    small, large = (results[n] for n in sorted(results))
    (n_small, n_large) = sorted(results)
    print(f"\n{n_large:,} against {n_small:,} events ({n_large / n_small:.1f}x the events):")
    for what in MEASURES:
        s, lg = small[what], large[what]
        print(
            f"  {what:6} memory: RSS growth {lg['rss'] / max(s['rss'], 1):.2f}x,"
            f" tracemalloc peak {lg['peak'] / max(s['peak'], 1):.2f}x (1.00 is flat);"
            f" events/s {lg['events'] / lg['seconds'] / (s['events'] / s['seconds']):.2f}x"
        )
    for what in MEASURES[1:]:
        added = [r[what]["peak"] - r["stream"]["peak"] for r in (small, large)]
        ratio = (
            f"{added[1] / added[0]:.2f}x (1.00 is flat)"
            if min(added) >= 2**20
            else "both within the read's own peak"
        )
        print(
            f"  {what:6} adds to the read's tracemalloc peak: {mb(added[0])} and"
            f" {mb(added[1])} = {ratio}"
        )
    print(f"load {os.getloadavg()}")


if __name__ == "__main__":
    main()
