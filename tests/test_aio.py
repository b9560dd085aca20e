"""The async office: the sync core in worker threads, the event loop never blocked."""

from __future__ import annotations

import asyncio
import logging
import statistics
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

import pytest

from conftest import CLERK, START, SUPERIOR
from secretarial import (
    ConcurrencyConflict,
    IncomingDocument,
    IncomingState,
    Office,
    TransitionNotAllowed,
    UsageError,
)
from secretarial.aio import AsyncOffice
from secretarial.testing import FrozenClock, SequentialIds

NOTICE = {
    "kind": "notice",
    "title": "关于开展安全检查的通知",
    "sender": SUPERIOR,
    "channel": "paper",
    "received_at": START,
}


def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'office.db'}"


def test_the_verbs_are_the_sync_office_s(tmp_path: Path) -> None:
    async def main() -> None:
        async with await AsyncOffice.open(
            sqlite_url(tmp_path), clock=FrozenClock(START), ids=SequentialIds(), workers=2
        ) as office:
            doc = await office.desk("documents").receive(by=CLERK, **NOTICE)
            assert isinstance(doc, IncomingDocument)
            registered = await office.fire(doc, "register", by=CLERK)
            assert registered.state is IncomingState.REGISTERED
            assert registered.registration_number is not None
            assert await office.get(doc.id, IncomingDocument) == registered
            assert await office.list(by=CLERK) == [registered]
            page = await office.page(limit=10, by=CLERK)
            assert list(page.items) == [registered]
            assert await office.count(kind="incoming_document") == 1
            assert [e.trigger for e in await office.audit(doc, by=CLERK)] == [
                "receive",
                "register",
            ]
            assert "screen" in await office.available_triggers(doc.id, by=CLERK)
            assert await office.can_fire(doc.id, "screen", by=CLERK)
            assert (await office.run(office.office.verify_audit)).ok

    asyncio.run(main())


def test_a_race_on_one_entity_has_one_winner(tmp_path: Path) -> None:
    """Twenty clients fire the same step on the version they read: exactly one goes in."""

    async def main() -> None:
        async with await AsyncOffice.open(sqlite_url(tmp_path), workers=4) as office:
            doc = await office.desk("documents").receive(by=CLERK, **NOTICE)
            outcomes = await asyncio.gather(
                *(office.fire(doc, "register", by=CLERK) for _ in range(20)),
                return_exceptions=True,
            )
            won = [o for o in outcomes if isinstance(o, IncomingDocument)]
            lost = [
                o for o in outcomes if isinstance(o, ConcurrencyConflict | TransitionNotAllowed)
            ]
            assert len(won) == 1
            assert len(lost) == 19
            assert len(await office.audit(doc)) == 2

    asyncio.run(main())


def test_the_event_loop_is_never_blocked(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    """Fifty clients run 600 commands on a SQLite file: nothing holds the loop for 50 ms.

    Two probes. asyncio's debug mode reports every callback on the loop that ran for
    longer than ``slow_callback_duration`` (50 ms): there must be none. A heartbeat
    sleeps 5 ms at a time and records how late it wakes, while the clients go through
    the async office and, for comparison in the same run, while they call the office
    itself on the loop: the async office must keep the heartbeat's median and longest
    lateness below those of the office called on the loop. (The heartbeat's lateness in
    milliseconds depends on what else the machine runs, so it is compared, not bounded.)
    """

    async def main() -> tuple[list[float], list[float]]:
        loop = asyncio.get_running_loop()
        loop.slow_callback_duration = 0.05

        async def heartbeat(gaps: list[float], done: asyncio.Event) -> None:
            last = time.perf_counter()
            while not done.is_set():
                await asyncio.sleep(0.005)
                now = time.perf_counter()
                gaps.append(now - last - 0.005)
                last = now

        async def measured(life: Callable[[], Awaitable[None]]) -> list[float]:
            await life()  # the first command loads the calendar: a start-up cost
            gaps: list[float] = []
            done = asyncio.Event()
            beat = asyncio.create_task(heartbeat(gaps, done))

            async def client() -> None:
                for _ in range(4):
                    await life()

            await asyncio.gather(*(client() for _ in range(50)))
            done.set()
            await beat
            return gaps

        async with await AsyncOffice.open(sqlite_url(tmp_path), workers=1) as office:
            desk = office.desk("documents")

            async def one_life() -> None:
                doc = await desk.receive(by=CLERK, **NOTICE)
                doc = await office.fire(doc, "register", by=CLERK)
                await office.fire(doc, "screen", by=CLERK)

            served = await measured(one_life)
            assert await office.count() == 201

        with caplog.at_level(logging.CRITICAL, logger="asyncio"):  # slow, by design
            blocking_office = Office.open(f"sqlite:///{tmp_path / 'blocking.db'}")

            async def on_the_loop() -> None:
                doc = blocking_office.documents.receive(by=CLERK, **NOTICE)
                await asyncio.sleep(0)
                doc = blocking_office.fire(doc, "register", by=CLERK)
                await asyncio.sleep(0)
                blocking_office.fire(doc, "screen", by=CLERK)

            blocked = await measured(on_the_loop)
            blocking_office.close()
        return served, blocked

    with caplog.at_level(logging.WARNING, logger="asyncio"):
        served, blocked = asyncio.run(main(), debug=True)
        slow = [r.getMessage() for r in caplog.records if "took" in r.getMessage()]
    assert slow == []
    beats = (
        f"async office: {len(served)} beats, median {statistics.median(served) * 1000:.1f} "
        f"ms late, at most {max(served) * 1000:.1f} ms; office on the loop: "
        f"{len(blocked)} beats, median {statistics.median(blocked) * 1000:.1f} ms, "
        f"at most {max(blocked) * 1000:.1f} ms"
    )
    assert statistics.median(served) < statistics.median(blocked), beats
    assert max(served) < max(blocked), beats


def test_a_closed_office_refuses_and_a_desk_must_exist() -> None:
    async def main() -> None:
        office = AsyncOffice(Office.in_memory())
        with pytest.raises(UsageError, match="no desk 'mail'"):
            office.desk("mail")
        await office.aclose()
        await office.aclose()  # idempotent
        with pytest.raises(UsageError, match="closed"):
            await office.count()

    asyncio.run(main())
    with pytest.raises(UsageError, match="workers"):
        AsyncOffice(Office.in_memory(), workers=0)
