"""Cost of the office's workflow path: transitions, memory per entity, bulk creation.

Measures, in one process:

1. microseconds per audited in-memory transition through ``Office.fire`` (the
   supervision item's ``report_progress`` self-loop, and a full incoming-document life);
2. the floor: a dict lookup, ``model_copy`` of the entity and a validated ``AuditEvent``;
3. a ``transitions.Machine`` per object (construction + one trigger, and one trigger on
   an existing per-object machine);
4. the ratios office / floor and office / machine-per-object;
5. bytes per live entity held by an in-memory office against the bare pydantic models;
6. microseconds per entity when creating 100,000 entities through the office;
7. a fire on a joint document whose ten co-issuers' countersign (会签) is pending,
   against the same fire on a document with none, and a co-issuer's answer in a round
   of ten against the answer in a round of one, on the memory and the SQLite store.

Run ``python benchmarks/bench_workflow.py`` (about a minute on two cores) or with
``--quick`` for a smoke run of a few seconds. ``--profile`` adds a cProfile listing of
the ``report_progress`` loop. The exit status is 0 whatever the numbers are; an error
in the measured code raises.
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import os
import platform
import pstats
import statistics
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from transitions import Machine

from secretarial import (
    Actor,
    AuditEvent,
    IncomingDocument,
    Office,
    OutgoingDocument,
    Role,
    SupervisionItem,
)
from secretarial.adapters import Uuid7Ids
from secretarial.kernel import EVENT_SCHEMA
from secretarial.testing import FrozenClock, SequentialIds

# ------------------------------------------------------------------------------ workload
from workload import (
    CLERK,
    DIRECTOR,
    LEADER,
    PROGRESS,
    RECEIVED_AT,
    SUPERVISOR,
    UNDERTAKER,
    UNIT,
    item_fields,
    items_in_progress,
)

SENDER = {"code": "SZF", "name": "市政府办公室", "relation": "superior"}
TITLE = "关于开展2025年度安全生产大检查的通知"

INCOMING_LIFE: tuple[tuple[str, Actor, dict[str, Any]], ...] = (
    ("register", CLERK, {}),
    ("screen", CLERK, {}),
    ("propose", DIRECTOR, {"handling_type": "for_handling", "lead_unit": UNIT}),
    ("approve", LEADER, {"instruction": "请综合科牵头办理，按期报送结果"}),
    ("assign", DIRECTOR, {"assignee": UNDERTAKER.id}),
    ("complete", UNDERTAKER, {"result": "已按要求完成检查并报送"}),
)
"""An incoming document's life up to completion; filing is a separate use case
(``office.records.file``, which also creates the archival record)."""


def receive_fields() -> dict[str, Any]:
    return {
        "kind": "notice",
        "title": TITLE,
        "sender": SENDER,
        "channel": "electronic",
        "received_at": RECEIVED_AT,
    }


def new_office(*, frozen: bool = False) -> Office:
    """An in-memory office: defaults (SystemClock, Uuid7Ids) or FrozenClock + SequentialIds."""
    if frozen:
        return Office.in_memory(clock=FrozenClock(RECEIVED_AT), ids=SequentialIds())
    return Office.in_memory()


# ------------------------------------------------------------------------------ harness


@dataclass(frozen=True)
class Sizes:
    """How much work each measurement does."""

    pool: int  # entities fired round-robin
    fires: int  # report_progress fires per run
    lives: int  # incoming documents taken through their whole life per run
    machines: int  # per-object machines built per run
    memory_n: int  # entities held for the memory measurement
    machine_memory_n: int
    creation_marks: tuple[int, ...]
    creation_runs: int
    repeats: int


FULL = Sizes(
    pool=1_000,
    fires=20_000,
    lives=2_000,
    machines=2_000,
    memory_n=20_000,
    machine_memory_n=1_000,
    creation_marks=(10_000, 50_000, 100_000),
    creation_runs=3,
    repeats=5,
)
QUICK = Sizes(
    pool=100,
    fires=1_000,
    lives=100,
    machines=100,
    memory_n=1_000,
    machine_memory_n=100,
    creation_marks=(1_000, 5_000, 10_000),
    creation_runs=1,
    repeats=3,
)


@contextmanager
def gc_paused() -> Iterator[None]:
    """Collect, then keep the cycle collector off for the timed block."""
    gc.collect()
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


@dataclass(frozen=True)
class Timing:
    """Microseconds per operation over several runs."""

    runs: tuple[float, ...]

    @property
    def median(self) -> float:
        """The median run."""
        return statistics.median(self.runs)

    @property
    def best(self) -> float:
        """The fastest run."""
        return min(self.runs)


Case = tuple[Callable[[], Any], Callable[[Any], int]]


def timed_together(cases: dict[str, Case], repeats: int) -> dict[str, Timing]:
    """Time several cases, taking turns run by run, so a busy moment hits them alike.

    Each run calls ``setup`` untimed, then ``body`` timed with gc paused; ``body``
    returns how many operations it did.
    """
    runs: dict[str, list[float]] = {name: [] for name in cases}
    for _ in range(repeats):
        for name, (setup, body) in cases.items():
            state = setup()
            with gc_paused():
                start = time.perf_counter_ns()
                ops = body(state)
                elapsed = time.perf_counter_ns() - start
            if ops <= 0:
                raise RuntimeError(f"{name}: the timed body reported no operations")
            runs[name].append(elapsed / ops / 1_000)
            del state
    return {name: Timing(tuple(r)) for name, r in runs.items()}


def timed(setup: Callable[[], Any], body: Callable[[Any], int], repeats: int) -> Timing:
    """One case of :func:`timed_together`."""
    return timed_together({"case": (setup, body)}, repeats)["case"]


# ------------------------------------------------------------------------------ 1. office


def office_progress_setup(sizes: Sizes, *, frozen: bool = False) -> Callable[[], Any]:
    def setup() -> tuple[Office, list[SupervisionItem]]:
        office = new_office(frozen=frozen)
        return office, items_in_progress(office, sizes.pool)

    return setup


def office_progress_body(sizes: Sizes) -> Callable[[Any], int]:
    def body(state: tuple[Office, list[SupervisionItem]]) -> int:
        office, items = state
        fire = office.fire
        pool = len(items)
        for i in range(sizes.fires):
            k = i % pool
            items[k] = fire(items[k], "report_progress", by=UNDERTAKER, text=PROGRESS)
        last = items[-1]
        if last.state != "in_progress" or len(last.progress_reports) != sizes.fires // pool:
            raise RuntimeError(f"report_progress did not do what it should: {last!r}")
        return sizes.fires

    return body


def office_life(sizes: Sizes, repeats: int) -> tuple[Timing, dict[str, Timing]]:
    """A full incoming life, stage by stage over ``sizes.lives`` documents."""
    per_stage: dict[str, list[float]] = {trigger: [] for trigger, _, _ in INCOMING_LIFE}
    whole: list[float] = []
    for _ in range(repeats):
        office = new_office()
        receive = office.documents.receive
        docs: list[Any] = [receive(by=CLERK, **receive_fields()) for _ in range(sizes.lives)]
        total = 0
        with gc_paused():
            fire = office.fire
            for trigger, actor, data in INCOMING_LIFE:
                start = time.perf_counter_ns()
                for i, doc in enumerate(docs):
                    docs[i] = fire(doc, trigger, by=actor, **data)
                elapsed = time.perf_counter_ns() - start
                per_stage[trigger].append(elapsed / sizes.lives / 1_000)
                total += elapsed
        if any(d.state != "completed" or d.version != 1 + len(INCOMING_LIFE) for d in docs):
            raise RuntimeError("an incoming document did not reach 'completed'")
        whole.append(total / (sizes.lives * len(INCOMING_LIFE)) / 1_000)
        del office, docs
    return Timing(tuple(whole)), {t: Timing(tuple(r)) for t, r in per_stage.items()}


# ------------------------------------------------------------------------------ 2. floor


def floor_setup(sizes: Sizes) -> Callable[[], Any]:
    def setup() -> tuple[dict[str, SupervisionItem], list[str], list[AuditEvent], datetime]:
        office = new_office()
        items = items_in_progress(office, sizes.pool)
        return {e.id: e for e in items}, [e.id for e in items], [], office.now()

    return setup


def floor_body(sizes: Sizes) -> Callable[[Any], int]:
    """Lookup + model_copy(state, version, updated_at) + validated AuditEvent, kept."""

    def body(
        state: tuple[dict[str, SupervisionItem], list[str], list[AuditEvent], datetime],
    ) -> int:
        store, ids, events, now = state
        pool = len(ids)
        append = events.append
        for i in range(sizes.fires):
            entity = store[ids[i % pool]]
            new = entity.model_copy(
                update={"state": entity.state, "version": entity.version + 1, "updated_at": now}
            )
            append(
                AuditEvent(
                    entity_kind=entity.entity_kind,
                    entity_id=entity.id,
                    version=new.version,
                    trigger="report_progress",
                    source=str(entity.state),
                    target="in_progress",
                    actor=UNDERTAKER,
                    at=now,
                    reason=None,
                    payload={"text": PROGRESS},
                    schema_version=EVENT_SCHEMA,
                )
            )
            store[new.id] = new
        return sizes.fires

    return body


# ------------------------------------------------------------------------------ 3. machines


def machine_table(office: Office) -> tuple[list[str], list[dict[str, Any]]]:
    """The supervision table's states and transitions, as `transitions` takes them."""
    workflow = office.workflow("supervision_item")
    states = [str(s) for s in workflow.states]
    rows = [
        {
            "trigger": s.trigger,
            "source": [str(x) for x in s.sources],
            "dest": None if s.dest is None else str(s.dest),  # None: stays (internal)
        }
        for s in workflow.table.transitions
    ]
    return states, rows


class Model:
    """A plain object that a per-object machine decorates with its state and triggers."""


def machine_build_body(
    sizes: Sizes, states: list[str], rows: list[dict[str, Any]], *, auto: bool = False
) -> Any:
    def body(_: object) -> int:
        for _ in range(sizes.machines):
            model = Model()
            Machine(
                model=model,
                states=states,
                transitions=rows,
                initial="registered",
                auto_transitions=auto,
            )
            model.assign()  # type: ignore[attr-defined]
        return sizes.machines

    return body


def machine_trigger_setup(sizes: Sizes, states: list[str], rows: list[dict[str, Any]]) -> Any:
    def setup() -> list[Model]:
        models = []
        for _ in range(sizes.pool):
            model = Model()
            Machine(
                model=model,
                states=states,
                transitions=rows,
                initial="in_progress",
                auto_transitions=False,
            )
            models.append(model)
        return models

    return setup


def machine_trigger_body(sizes: Sizes) -> Callable[[Any], int]:
    def body(models: list[Model]) -> int:
        pool = len(models)
        for i in range(sizes.fires):
            models[i % pool].report_progress()  # type: ignore[attr-defined]
        if models[0].state != "in_progress":  # type: ignore[attr-defined]
            raise RuntimeError("the per-object machine left in_progress")
        return sizes.fires

    return body


# ------------------------------------------------------------------------------ 5. memory


def traced(build: Callable[[], Any], *after: Callable[[], Any]) -> tuple[Any, list[int]]:
    """Build something under tracemalloc; return it and the bytes it still holds.

    Each callable in ``after`` then runs in turn (still traced), and the bytes still
    held from the build are recorded after each one.
    """
    gc.collect()
    tracemalloc.start()
    try:
        gc.collect()
        before = tracemalloc.get_traced_memory()[0]
        built = build()
        gc.collect()
        held = [tracemalloc.get_traced_memory()[0] - before]
        for step in after:
            step()
            gc.collect()
            held.append(tracemalloc.get_traced_memory()[0] - before)
    finally:
        tracemalloc.stop()
    return built, held


@dataclass(frozen=True)
class Memory:
    """Bytes per live entity, held by an office and by the bare models."""

    n: int
    model_alone: float  # bytes per entity
    office: float
    office_without_audit: float | None

    @property
    def ratio(self) -> float:
        """Office bytes over model bytes."""
        return self.office / self.model_alone

    @property
    def ratio_without_audit(self) -> float | None:
        """Office bytes without the audit trails over model bytes."""
        if self.office_without_audit is None:
            return None
        return self.office_without_audit / self.model_alone

    @property
    def audit(self) -> float | None:
        """Bytes of audit trail per entity."""
        if self.office_without_audit is None:
            return None
        return self.office - self.office_without_audit


def memory(kind: str, n: int) -> Memory:
    """Bytes per entity: office (entities, store dicts, creation audit) vs the models alone."""
    incoming = kind == "incoming"
    model_type: type[Any] = IncomingDocument if incoming else SupervisionItem
    fields = receive_fields if incoming else item_fields
    actor = CLERK if incoming else SUPERVISOR

    office = new_office()
    create = office.documents.receive if incoming else office.supervision.open
    create(by=actor, **fields())  # warm every cache before tracing
    initial = office.workflow(model_type.entity_kind).table.creation.dest
    zone = office.timezone
    ids = Uuid7Ids()

    def models_alone() -> list[Any]:
        out = []
        for _ in range(n):
            now = datetime.now(UTC).astimezone(zone)
            out.append(
                model_type.model_validate(
                    {
                        **fields(),
                        "id": ids(model_type.entity_kind),
                        "version": 1,
                        "state": initial,
                        "created_at": now,
                        "created_by": actor.id,
                        "updated_at": now,
                    }
                )
            )
        return out

    def through_office() -> None:
        for _ in range(n):
            create(by=actor, **fields())

    models, (model_bytes,) = traced(models_alone)
    if len(models) != n:
        raise RuntimeError("models were lost")
    del models

    # The store's entity dict alone: after measuring, drop the audit trails (a private
    # dict of the memory store) and measure what is still held.
    trails = getattr(office.store, "_events", None)
    drop = [trails.clear] if isinstance(trails, dict) else []
    _, held = traced(through_office, *drop)
    if len(office.list()) != n + 1:
        raise RuntimeError("the office did not keep every entity")
    del office, trails, drop
    gc.collect()
    without_audit = held[1] / n if len(held) > 1 else None
    return Memory(n, model_bytes / n, held[0] / n, without_audit)


def machine_memory(n: int, states: list[str], rows: list[dict[str, Any]]) -> float:
    def build() -> list[Model]:
        models = []
        for _ in range(n):
            model = Model()
            Machine(
                model=model,
                states=states,
                transitions=rows,
                initial="registered",
                auto_transitions=False,
            )
            models.append(model)
        return models

    _, (held,) = traced(build)
    return held / n


# ------------------------------------------------------------------------------ 6. creation


def creation_curve(marks: tuple[int, ...], *, gc_on: bool, frozen: bool = False) -> list[float]:
    """µs per entity, cumulative, at each mark of one run of ``receive`` calls."""
    office = new_office(frozen=frozen)
    office.documents.receive(by=CLERK, **receive_fields())  # warm
    receive = office.documents.receive
    out: list[float] = []
    gc.collect()
    if not gc_on:
        gc.disable()
    try:
        done = 0
        start = time.perf_counter_ns()
        for mark in marks:
            for _ in range(mark - done):
                receive(by=CLERK, **receive_fields())
            done = mark
            out.append((time.perf_counter_ns() - start) / mark / 1_000)
    finally:
        gc.enable()
    if len(office.list()) != marks[-1] + 1:
        raise RuntimeError("the office did not keep every entity")
    del office
    gc.collect()
    return out


def model_curve(marks: tuple[int, ...]) -> list[float]:
    """The same curve for the models alone, with the collector running.

    ``IncomingDocument`` validated from the same fields (a fresh id and time each) and
    kept in a list: how creation grows with the heap when the office adds nothing.
    """
    zone = new_office().timezone
    ids = Uuid7Ids()
    kept: list[IncomingDocument] = []
    out: list[float] = []
    gc.collect()
    done = 0
    start = time.perf_counter_ns()
    for mark in marks:
        for _ in range(mark - done):
            now = datetime.now(UTC).astimezone(zone)
            kept.append(
                IncomingDocument.model_validate(
                    {
                        **receive_fields(),
                        "id": ids(IncomingDocument.entity_kind),
                        "version": 1,
                        "state": "received",
                        "created_at": now,
                        "created_by": CLERK.id,
                        "updated_at": now,
                    }
                )
            )
        done = mark
        out.append((time.perf_counter_ns() - start) / mark / 1_000)
    if len(kept) != marks[-1]:
        raise RuntimeError("models were lost")
    del kept
    gc.collect()
    return out


# ------------------------------------------------------------------------------ 7. countersign
DRAFTER = Actor(id="drafter", name="Drafter", roles=frozenset({Role.DRAFTER}))
CO_ISSUERS = tuple(
    {"code": f"J{n:02d}", "name": f"联署机关{n}", "relation": "peer"} for n in range(10)
)
DOWNWARD = {"code": "XQB", "name": "各区政府", "relation": "subordinate"}


def countersign_office(store: str, tmp: str) -> Office:
    """An office on ``store`` (memory or a fresh SQLite file under ``tmp``)."""
    if store == "memory":
        return Office.in_memory()
    return Office.open(f"sqlite:///{Path(tmp) / f'bench-{time.perf_counter_ns()}.db'}")


def reviewed_documents(office: Office, count: int, co_issuers: int) -> list[OutgoingDocument]:
    """``count`` reviewed notices, each with ``co_issuers`` co-issuers still to countersign."""
    docs = []
    for _ in range(count):
        doc: Any = office.documents.draft(
            by=DRAFTER,
            kind="notice",
            title=TITLE,
            issuer_code="某办发",
            main_recipients=[DOWNWARD],
            joint_issuers=list(CO_ISSUERS[:co_issuers]),
        )
        doc = office.fire(doc, "submit", by=DRAFTER)
        docs.append(office.fire(doc, "review", by=DIRECTOR, opinion="同意"))
    return docs


def countersign_cases(sizes: Sizes, store: str, tmp: str) -> dict[str, Case]:
    """Remind on documents with 0 or 10 co-issuers pending; answer in rounds of 1 or 10."""
    pool = max(sizes.pool // 10, 10)
    reminds = pool * 20
    answers = pool * 10  # as many answers in rounds of 1 as in rounds of 10

    def setup(co_issuers: int, count: int = pool) -> Callable[[], Any]:
        def made() -> tuple[Office, list[OutgoingDocument]]:
            office = countersign_office(store, tmp)
            return office, reviewed_documents(office, count, co_issuers)

        return made

    def remind(state: tuple[Office, list[Any]]) -> int:
        office, docs = state
        fire = office.fire
        for i in range(reminds):
            k = i % pool
            docs[k] = fire(docs[k], "remind", by=CLERK, step=f"manual:{i}")
        office.close()
        return reminds

    def answer(co_issuers: int) -> Callable[[Any], int]:
        def body(state: tuple[Office, list[Any]]) -> int:
            office, docs = state
            fire = office.fire
            for organ in CO_ISSUERS[:co_issuers]:
                for k in range(len(docs)):
                    docs[k] = fire(docs[k], "countersign", by=LEADER, organ=organ)
            if docs[-1].countersigning is None or docs[-1].countersigning.outcome != "agreed":
                raise RuntimeError("the round did not complete")
            office.close()
            return len(docs) * co_issuers

        return body

    return {
        "remind, nothing pending": (setup(0), remind),
        "remind, 10 co-issuers pending": (setup(10), remind),
        "countersign, round of 1": (setup(1, answers), answer(1)),
        "countersign, round of 10": (setup(10, answers // 10), answer(10)),
    }


# ------------------------------------------------------------------------------ report


def marginal(curve: list[float], marks: tuple[int, ...]) -> float:
    """µs per entity of the last segment alone, from cumulative µs per entity at the marks."""
    total_last, total_before = curve[-1] * marks[-1], curve[-2] * marks[-2]
    return (total_last - total_before) / (marks[-1] - marks[-2])


def verdict(ok: bool) -> str:  # noqa: FBT001
    return "PASS" if ok else "MISS"


def profile_progress(sizes: Sizes) -> None:
    state = office_progress_setup(sizes)()
    body = office_progress_body(sizes)
    profiler = cProfile.Profile()
    with gc_paused():
        profiler.enable()
        body(state)
        profiler.disable()
    print("\ncProfile of the report_progress loop (top 30 by cumulative time):")
    pstats.Stats(profiler, stream=sys.stdout).sort_stats("cumulative").print_stats(30)


def main(argv: list[str] | None = None) -> int:  # noqa: C901, PLR0915 -- one report, top to bottom
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes, a few seconds")
    parser.add_argument("--profile", action="store_true", help="also cProfile report_progress")
    args = parser.parse_args(argv)
    sizes = QUICK if args.quick else FULL
    began = time.perf_counter()

    print(
        f"secretarial workflow benchmark ({'quick' if args.quick else 'full'}) -- "
        f"{platform.python_implementation()} {platform.python_version()}, "
        f"{platform.machine()}"
    )
    print(
        "Office.in_memory() with its defaults (SystemClock, Uuid7Ids) unless noted; "
        f"best (and median) of {sizes.repeats} runs; gc paused in timed loops unless noted; "
        f"load average before: {os.getloadavg()[0]:.2f}.\n"
    )

    # 1. office transitions
    # 1-3. transitions: office, floor and machine per object take turns run by run
    states, rows = machine_table(new_office())
    t = timed_together(
        {
            "progress": (office_progress_setup(sizes), office_progress_body(sizes)),
            "progress_frozen": (
                office_progress_setup(sizes, frozen=True),
                office_progress_body(sizes),
            ),
            "floor": (floor_setup(sizes), floor_body(sizes)),
            "build": (lambda: None, machine_build_body(sizes, states, rows)),
            "build_auto": (lambda: None, machine_build_body(sizes, states, rows, auto=True)),
            "trigger": (machine_trigger_setup(sizes, states, rows), machine_trigger_body(sizes)),
        },
        sizes.repeats,
    )
    progress, progress_frozen, floor = t["progress"], t["progress_frozen"], t["floor"]
    build, build_auto, trigger = t["build"], t["build_auto"], t["trigger"]
    life, stages = office_life(sizes, sizes.repeats)
    # 5. memory
    mem = {kind: memory(kind, sizes.memory_n) for kind in ("incoming", "supervision")}
    machine_bytes = machine_memory(sizes.machine_memory_n, states, rows)
    # 6. creation (the small FrozenClock run first: a run after freeing 100k entities is
    # slowed by the allocator getting its memory back from the system)
    curve_frozen = creation_curve(sizes.creation_marks[:1], gc_on=False, frozen=True)
    curves_off = [
        creation_curve(sizes.creation_marks, gc_on=False) for _ in range(sizes.creation_runs)
    ]
    curve_off = [min(c[i] for c in curves_off) for i in range(len(sizes.creation_marks))]
    # With the collector running, a full collection may land early in one run and late
    # in another: office and models take turns, and each mark keeps its best run.
    curves_on: list[list[float]] = []
    curves_models: list[list[float]] = []
    for _ in range(sizes.creation_runs):
        curves_on.append(creation_curve(sizes.creation_marks, gc_on=True))
        curves_models.append(model_curve(sizes.creation_marks))
    curve_on = [min(c[i] for c in curves_on) for i in range(len(sizes.creation_marks))]
    curve_models = [min(c[i] for c in curves_models) for i in range(len(sizes.creation_marks))]
    # 7. countersign: the cases of one store take turns run by run
    with tempfile.TemporaryDirectory() as tmp:
        countersign = {
            store: timed_together(countersign_cases(sizes, store, tmp), sizes.repeats)
            for store in ("memory", "sqlite")
        }

    print(f"{'measurement':<58} {'best':>10} {'median':>10}")
    print("-" * 80)

    def row(label: str, t: Timing) -> None:
        print(f"{label:<58} {t.best:>8.2f}µs {t.median:>8.2f}µs")

    fires = f"{sizes.fires:,} fires over {sizes.pool:,} items"
    row(f"office report_progress ({fires})", progress)
    row("  same, FrozenClock + SequentialIds", progress_frozen)
    row(f"office incoming life, per transition ({sizes.lives:,} docs x {len(INCOMING_LIFE)})", life)
    for name, t in stages.items():
        row(f"  {name}", t)
    row("floor: lookup + model_copy + AuditEvent", floor)
    row(f"Machine per object: construction + 1 trigger (x{sizes.machines:,})", build)
    row("  same, auto_transitions=True (the transitions default)", build_auto)
    row("Machine per object: 1 trigger on an existing machine", trigger)
    print()

    print(f"{'bytes per live entity':<58} {'office':>10} {'model':>10} {'ratio':>6}")
    print("-" * 88)
    for kind, m in mem.items():
        print(
            f"{kind + f' (N={m.n:,}), office total':<58} "
            f"{m.office:>9,.0f}B {m.model_alone:>9,.0f}B {m.ratio:>5.2f}x"
        )
        if m.office_without_audit is not None and m.ratio_without_audit is not None:
            print(
                f"{'  entity dict only (audit trails dropped)':<58} "
                f"{m.office_without_audit:>9,.0f}B {m.model_alone:>9,.0f}B "
                f"{m.ratio_without_audit:>5.2f}x"
            )
            print(f"{'  audit trail (creation events)':<58} {m.audit:>9,.0f}B")
    print(f"{'Machine per object (supervision table), per object':<58} {machine_bytes:>9,.0f}B")
    print()

    print(f"{'receive(): µs per entity, cumulative':<40}", end="")
    print("".join(f"{f'{n:,}':>10}" for n in sizes.creation_marks))
    print("-" * (40 + 10 * len(sizes.creation_marks)))
    runs = f"best of {sizes.creation_runs}" if sizes.creation_runs > 1 else "1 run"
    print(f"{f'  gc paused ({runs})':<40}" + "".join(f"{v:>10.2f}" for v in curve_off))
    width = 10 * len(sizes.creation_marks)
    last_off = marginal(curve_off, sizes.creation_marks)
    last_on = marginal(curve_on, sizes.creation_marks)
    print(f"{'  gc paused, marginal (last segment only)':<40}{last_off:>{width}.2f}")
    print(f"{f'  gc running ({runs})':<40}" + "".join(f"{v:>10.2f}" for v in curve_on))
    print(f"{'  gc running, marginal (last segment only)':<40}{last_on:>{width}.2f}")
    print(
        f"{f'  models alone, gc running ({runs})':<40}"
        + "".join(f"{v:>10.2f}" for v in curve_models)
    )
    print(f"{'  gc paused, FrozenClock + SequentialIds':<40}{curve_frozen[0]:>10.2f}")
    print()

    print(f"{'a fire with a countersign pending (会签)':<58} {'best':>10} {'median':>10}")
    print("-" * 80)
    for store, cases in countersign.items():
        for name, t in cases.items():
            row(f"{store}: {name}", t)
    print()

    ratio_floor = progress.best / floor.best
    life_floor = life.best / floor.best
    growth_off = curve_off[-1] / curve_off[0]
    growth_on = curve_on[-1] / curve_on[0]
    growth_models = curve_models[-1] / curve_models[0]
    print(f"{'target':<58} {'value':>10} {'verdict':>8}")
    print("-" * 80)
    print(
        f"{'office report_progress / floor <= 3x':<58} {ratio_floor:>9.2f}x "
        f"{verdict(ratio_floor <= 3):>8}"
    )
    print(
        f"{'office incoming-life transition / floor <= 3x':<58} {life_floor:>9.2f}x "
        f"{verdict(life_floor <= 3):>8}"
    )
    for kind, m in mem.items():
        print(
            f"{f'{kind}: office bytes / model bytes <= 1.2x':<58} {m.ratio:>9.2f}x "
            f"{verdict(m.ratio <= 1.2):>8}"
        )
    last = f"{sizes.creation_marks[-1] // 1000}k"
    first = f"{sizes.creation_marks[0] // 1000}k"
    print(
        f"{f'creation µs/entity {last} vs {first}, gc paused (~1x)':<58} {growth_off:>9.2f}x "
        f"{verdict(growth_off <= 1.2):>8}"
    )
    print(
        f"{f'creation µs/entity {last} vs {first}, gc running':<58} {growth_on:>9.2f}x {'info':>8}"
    )
    print(
        f"{f'  the models alone, {last} vs {first}, gc running':<58} {growth_models:>9.2f}x "
        f"{'info':>8}"
    )
    print(
        f"{'creation growth with gc running: office <= models alone':<58} "
        f"{growth_on / growth_models:>9.2f}x {verdict(growth_on <= growth_models):>8}"
    )
    for store, cases in countersign.items():
        pending = (
            cases["remind, 10 co-issuers pending"].best / cases["remind, nothing pending"].best
        )
        answered = cases["countersign, round of 10"].best / cases["countersign, round of 1"].best
        print(
            f"{f'{store}: fire with 10 pending / plain fire <= 1.5x':<58} {pending:>9.2f}x "
            f"{verdict(pending <= 1.5):>8}"
        )
        print(
            f"{f'{store}: answer in a round of 10 / of 1 <= 1.5x':<58} {answered:>9.2f}x "
            f"{verdict(answered <= 1.5):>8}"
        )
    print(
        f"{'office report_progress / Machine construction + trigger':<58} "
        f"{progress.best / build.best:>9.2f}x {'info':>8}"
    )
    print(
        f"{'office report_progress / Machine trigger alone':<58} "
        f"{progress.best / trigger.best:>9.2f}x {'info':>8}"
    )
    print(
        f"\nRatios use the best runs. Load average after: {os.getloadavg()[0]:.2f}; "
        f"{time.perf_counter() - began:.1f} s in all."
    )

    if args.profile:
        profile_progress(sizes)
    return 0


if __name__ == "__main__":
    sys.exit(main())
