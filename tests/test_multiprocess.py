"""Several application processes sharing one office: numbering and concurrent writes.

Each worker is a separate process with its own ``Office.open(url)``, as several web
workers would be.
"""

from __future__ import annotations

import multiprocessing as mp
from collections import Counter
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from conftest import (
    CLERK,
    SUPERIOR,
    SUPERVISOR,
    UNDERTAKER,
    UNIT_A,
    postgres_url,
    receive_notice,
    reset_postgres,
)
from secretarial import (
    Actor,
    Checkpoint,
    ConcurrencyConflict,
    HmacKey,
    Office,
    OutgoingDocument,
    OutgoingState,
    Role,
    RuleViolation,
    SupervisionItem,
    TransitionNotAllowed,
)

pytestmark = pytest.mark.slow  # spawns processes

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
            doc = office.documents.receive(
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
        item = office.supervision.open(
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


# ---------------------------------------------------------------------- rules over several entities
MEETING_START = datetime(2031, 3, 3, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
SHIFT_START = datetime(2031, 3, 3, 8, 30, tzinfo=ZoneInfo("Asia/Shanghai"))
DIRECTOR_ONLY = Actor(id="director", name="办公室主任", roles={Role.OFFICE_DIRECTOR})


def _person(actor_id: str) -> dict[str, str]:
    return {"actor_id": actor_id, "name": actor_id}


def _plan_in_one_room(url: str, worker: int, start: Any) -> str:
    """Plan a meeting in 第一会议室 at the time every worker wants it."""
    with Office.open(url) as office:
        start.wait()
        try:
            office.meetings.plan(
                by=CLERK,
                meeting_kind="office",
                title=f"会议 {worker}",
                organizer=_person("clerk"),
                attendees=[_person(f"attendee-{worker}")],
                room="第一会议室",
                start=MEETING_START,
                end=MEETING_START + timedelta(hours=2),
                timezone="Asia/Shanghai",
            )
        except RuleViolation as e:
            return e.rule_code
    return "planned"


def _shift(worker: int, officer: str) -> dict[str, Any]:
    return {
        "start": SHIFT_START,
        "end": SHIFT_START + timedelta(hours=24),
        "leader": _person(f"leader-{worker}"),
        "officers": [_person(officer)],
    }


def _schedule_one_officer(url: str, worker: int, start: Any) -> str:
    """Put the same officer on a shift at the time every worker schedules one."""
    with Office.open(url) as office:
        start.wait()
        try:
            office.duty.schedule(_shift(worker, "zhao"), by=DIRECTOR_ONLY)
        except RuleViolation as e:
            return e.rule_code
    return "scheduled"


def _swap_in_one_replacement(url: str, shift_id: str, worker: int, start: Any) -> str:
    """Swap the officer of this worker's shift for the one replacement every worker wants."""
    with Office.open(url) as office:
        start.wait()
        try:
            office.duty.swap(
                shift_id, by=DIRECTOR_ONLY, out_id=f"officer-{worker}", replacement=_person("zhao")
            )
        except RuleViolation as e:
            return e.rule_code
    return "swapped"


def test_one_room_at_one_time_is_booked_once_across_processes(shared_url: str) -> None:
    """M9 holds across processes: of 8 planners of one room at one time, exactly one wins."""
    with Office.open(shared_url):
        pass  # the schema, before the race
    outcomes = Counter(_run(_plan_in_one_room, [(shared_url, w) for w in range(WORKERS)]))
    assert outcomes == {"planned": 1, "M9": WORKERS - 1}
    with Office.open(shared_url) as office:
        assert office.count(kind="meeting") == 1
        assert office.verify_audit().ok


def test_one_person_is_put_on_one_shift_at_a_time_across_processes(shared_url: str) -> None:
    """R1 no-double-duty holds across processes, for schedules and for swaps."""
    with Office.open(shared_url):
        pass
    outcomes = Counter(_run(_schedule_one_officer, [(shared_url, w) for w in range(WORKERS)]))
    assert outcomes == {"scheduled": 1, "R1": WORKERS - 1}
    with Office.open(shared_url) as office:
        (taken,) = office.list(kind="duty_shift")
        office.fire(taken, "cancel", by=DIRECTOR_ONLY, reason="重新排班")
        shifts = [
            office.duty.schedule(_shift(w, f"officer-{w}"), by=DIRECTOR_ONLY)[0]
            for w in range(WORKERS)
        ]
    outcomes = Counter(
        _run(_swap_in_one_replacement, [(shared_url, s.id, w) for w, s in enumerate(shifts)])
    )
    assert outcomes == {"swapped": 1, "R1": WORKERS - 1}
    with Office.open(shared_url) as office:
        assert office.verify_audit().ok


# ---------------------------------------------------------------------- withdraw (撤回) races
RACED = 12
DRAFTER_ONLY = Actor(id="drafter", name="拟稿人", roles={Role.DRAFTER})


def _withdraw_or_review(
    url: str, doc_ids: list[str], trigger: str, start: Any
) -> tuple[str, list[str]]:
    """Withdraw (the drafter) or review (the director) each document, as fast as it goes."""
    start.wait()
    outcomes = []
    with Office.open(url) as office:
        for doc_id in doc_ids:
            try:
                if trigger == "withdraw":
                    office.fire(doc_id, "withdraw", by=DRAFTER_ONLY)
                else:
                    office.fire(doc_id, "review", by=DIRECTOR_ONLY, opinion="同意")
            except TransitionNotAllowed as refusal:
                outcomes.append(refusal.rule_code)
            except ConcurrencyConflict:
                outcomes.append("conflict")
            else:
                outcomes.append("won")
    return trigger, outcomes


def test_a_withdrawal_racing_the_next_step_one_wins(shared_url: str) -> None:
    """撤回 against the reviewer's act, in two processes: exactly one of them is written."""
    with Office.open(shared_url) as office:
        ids = []
        for n in range(RACED):
            doc = office.documents.draft(
                by=DRAFTER_ONLY,
                kind="notice",
                title=f"关于安全检查的通知 {n}",
                issuer_code="某办发",
                main_recipients=[SUPERIOR],
            )
            ids.append(office.fire(doc, "submit", by=DRAFTER_ONLY).id)
    by_trigger = dict(
        _run(_withdraw_or_review, [(shared_url, ids, "withdraw"), (shared_url, ids, "review")])
    )
    withdrawn, reviewed = by_trigger["withdraw"], by_trigger["review"]
    with Office.open(shared_url) as office:
        for doc_id, took_back, review in zip(ids, withdrawn, reviewed, strict=True):
            assert sorted([took_back, review]).count("won") == 1, (doc_id, took_back, review)
            final = office.get(doc_id, OutgoingDocument)
            trail = office.audit(final)
            assert [e.trigger for e in trail] == [
                "draft",
                "submit",
                "withdraw" if took_back == "won" else "review",
            ]
            # The loser was judged again on what the winner wrote and refused by its rule.
            loser = review if took_back == "won" else took_back
            assert loser == ("STATE" if took_back == "won" else "WITHDRAW")
            assert final.state is (
                OutgoingState.DRAFTED if took_back == "won" else OutgoingState.REVIEWED
            )
            assert office.replay(final) == final
        assert office.verify_audit().ok


def _refused_reads(url: str, secret_id: str, worker: int, start: Any) -> int:
    """Try to read a classified document again and again; each refusal is recorded."""
    outsider = Actor(id=f"outsider-{worker}", name=f"外人{worker}", roles=frozenset({Role.CLERK}))
    start.wait()
    refused = 0
    with Office.open(url) as office:
        for _ in range(PER_WORKER):
            try:
                office.get(secret_id, by=outsider)
            except (LookupError, PermissionError):  # AccessDenied, whichever it derives from
                refused += 1
    return refused


def test_denials_recorded_at_once_by_many_processes_make_one_chain(shared_url: str) -> None:
    with Office.open(shared_url) as office:
        secret = receive_notice(office, "秘密通知", secret=True)
    refused = _run(_refused_reads, [(shared_url, secret.id, w) for w in range(4)])
    assert refused == [PER_WORKER] * 4
    with Office.open(shared_url) as office:
        denials = office.denials()
        assert len(denials) == 4 * PER_WORKER
        assert [d.previous_hash for d in denials[1:]] == [d.hash for d in denials[:-1]]
        assert office.verify_audit().ok


_CHECKPOINT_SECRET = b"a checkpoint key shared by the test's processes"


def _checkpoint_repeatedly(url: str, times: int, start: Any) -> list[str]:
    """Take checkpoints while the other processes write; return them as JSON."""
    start.wait()
    with Office.open(url, checkpoint_key=HmacKey(_CHECKPOINT_SECRET)) as office:
        return [office.checkpoint().to_json() for _ in range(times)]


def _write_or_checkpoint(url: str, role: str, start: Any) -> list[str]:
    if role == "checkpoint":
        return _checkpoint_repeatedly(url, 10, start)
    return _receive_and_register(url, int(role), start)


def test_checkpoints_taken_among_writers_verify_clean(shared_url: str) -> None:
    """A checkpoint taken among three writing processes seals a consistent cut.

    No entity is counted as added or removed afterwards.
    """
    Office.open(shared_url).close()
    outcomes = _run(_write_or_checkpoint, [(shared_url, r) for r in ("checkpoint", "0", "1", "2")])
    kept = [c for batch in outcomes for c in map(_as_checkpoint, batch) if c is not None]
    assert len(kept) == 10
    with Office.open(shared_url, checkpoint_key=HmacKey(_CHECKPOINT_SECRET)) as office:
        report = office.verify_audit(against=kept)
        assert report.ok, str(report)
        assert office.count() == 3 * PER_WORKER


def _as_checkpoint(text: str) -> Checkpoint | None:
    return Checkpoint.from_json(text) if text.lstrip().startswith("{") else None


# ---------------------------------------------------------------------- idempotency keys
RECEIVED_AT = datetime(2025, 9, 26, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


def _receive_retried(url: str, worker: int, start: Any) -> tuple[str, str]:
    """Send the same receive and register under the same keys as every other worker."""
    del worker
    with Office.open(url) as office:
        start.wait()
        doc = office.documents.receive(
            by=CLERK,
            idempotency_key="receive-7f3a",
            kind="notice",
            title="关于开展安全检查的通知",
            sender=SUPERIOR,
            channel="paper",
            received_at=RECEIVED_AT,
        )
        registered = office.fire(doc.id, "register", by=CLERK, idempotency_key="register-7f3a")
        assert registered.registration_number is not None
        return registered.id, registered.registration_number


def test_a_create_retried_from_processes_at_once_makes_one_entity(shared_url: str) -> None:
    """Eight processes send one receive and one register under their keys: one of each."""
    Office.open(shared_url).close()
    results = _run(_receive_retried, [(shared_url, w) for w in range(WORKERS)])
    assert len(set(results)) == 1
    with Office.open(shared_url) as office:
        (doc,) = office.list()
        assert (doc.id, doc.registration_number) == results[0]
        assert [e.trigger for e in office.audit(doc)] == ["receive", "register"]
        assert list(office.store.counters().values()) == [1]  # one number drawn
        assert office.verify_audit().ok
