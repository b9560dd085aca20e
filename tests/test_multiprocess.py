"""Several application processes sharing one office: numbering and concurrent writes.

Each worker is a separate process with its own ``Office.open(url)``, as several web
workers would be.
"""

from __future__ import annotations

import multiprocessing as mp
from collections import Counter
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from conftest import CLERK, SUPERIOR, SUPERVISOR, UNDERTAKER, UNIT_A, postgres_url, reset_postgres
from secretarial import ConcurrencyConflict, Office, SupervisionItem

WORKERS = 8
PER_WORKER = 15


@pytest.fixture(params=["sqlite", "postgres"])
def shared_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'shared.db'}"
    url = postgres_url()
    reset_postgres(url)
    return url


def _run(target: Any, args_per_worker: list[tuple[Any, ...]]) -> list[Any]:
    """Run ``target`` in one process per argument tuple, all released at once by a barrier."""
    ctx = mp.get_context("spawn")
    start = ctx.Barrier(len(args_per_worker), timeout=120)
    results = ctx.Queue()
    processes = [
        ctx.Process(target=_collect, args=(target, (*args, start), results))
        for args in args_per_worker
    ]
    for p in processes:
        p.start()
    outcomes = [results.get(timeout=300) for _ in processes]
    for p in processes:
        p.join(timeout=60)
        assert p.exitcode == 0
    errors = [o for o in outcomes if isinstance(o, BaseException)]
    assert errors == []
    return outcomes


def _collect(target: Any, args: tuple[Any, ...], results: Any) -> None:
    try:
        results.put(target(*args))
    except BaseException as e:  # noqa: BLE001 -- reported to the parent
        results.put(RuntimeError(f"{type(e).__name__}: {e}"))


def _receive_and_register(url: str, worker: int, start: Any) -> list[str]:
    start.wait()
    numbers = []
    with Office.open(url) as office:
        for n in range(PER_WORKER):
            doc = office.receive(
                by=CLERK,
                kind="notice",
                title=f"来文 {worker}-{n}",
                sender=SUPERIOR,
                channel="paper",
                received_at=office.now(),
            )
            numbers.append(office.fire(doc, "register", by=CLERK).registration_number)
    return numbers


def _report(url: str, item_id: str, version: int, worker: int, start: Any) -> str:
    start.wait()
    with Office.open(url) as office:
        try:
            office.fire(
                item_id,
                "report_progress",
                by=UNDERTAKER,
                expected_version=version,
                text=f"worker {worker}",
            )
        except ConcurrencyConflict:
            return "conflict"
    return "won"


def test_numbers_are_unique_and_gap_free_across_processes(shared_url: str) -> None:
    """Eight processes registering at once draw 1..N with no duplicate and no gap."""
    Office.open(shared_url).close()  # create the schema once
    results = _run(_receive_and_register, [(shared_url, w) for w in range(WORKERS)])
    numbers = [n for batch in results for n in batch]
    sequences = sorted(int(n.split("-")[1]) for n in numbers)
    assert sequences == list(range(1, WORKERS * PER_WORKER + 1))
    with Office.open(shared_url) as office:
        docs = office.list(kind="incoming_document")
        assert len(docs) == WORKERS * PER_WORKER
        assert all(len(office.audit(d)) == d.version == 2 for d in docs)


def test_two_processes_firing_on_one_entity(shared_url: str) -> None:
    """Of two processes saving on the same version, exactly one wins; nothing is lost."""
    with Office.open(shared_url) as office:
        item = office.open_item(
            by=SUPERVISOR, source="leader_instruction", requirement="落实", received_at=office.now()
        )
        item = office.fire(
            item, "assign", by=SUPERVISOR, lead_unit=UNIT_A, deadline=date(2099, 1, 1)
        )
        item = office.fire(item, "accept", by=UNDERTAKER)
    ctx = mp.get_context("spawn")
    outcomes: Counter[str] = Counter()
    with ctx.Manager() as manager, ctx.Pool(2) as pool:
        for _round in range(5):
            with Office.open(shared_url) as office:
                version = office.get(item.id).version
            start = manager.Barrier(2)
            results = pool.starmap(
                _report, [(shared_url, item.id, version, w, start) for w in (1, 2)]
            )
            assert sorted(results) == ["conflict", "won"]
            outcomes.update(results)
    with Office.open(shared_url) as office:
        final = office.get(item.id, SupervisionItem)
        assert len(final.progress_reports) == outcomes["won"] == 5
        assert final.version == len(office.audit(item)) == 3 + 5
