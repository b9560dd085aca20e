"""Shared fixtures: an in-memory office on a frozen clock, one actor per role, helpers."""

from __future__ import annotations

import functools
import os
from collections.abc import Iterator
from datetime import UTC, datetime, time
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, settings

from secretarial import Actor, ArchiveSettings, Classification, Office, Role, TransitionNotAllowed
from secretarial.testing import FrozenClock, SequentialIds

settings.register_profile(
    "ci", max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile("dev", max_examples=50, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "dev"))

START = datetime(2025, 9, 26, 1, 0, tzinfo=UTC)  # Friday 2025-09-26 09:00 in Beijing


def actor(
    actor_id: str, *roles: str, clearance: Classification = Classification.CONFIDENTIAL
) -> Actor:
    """An actor with the given roles."""
    return Actor(id=actor_id, name=actor_id.title(), roles=frozenset(roles), clearance=clearance)


CLERK = actor("clerk", Role.CLERK)
DIRECTOR = actor("director", Role.OFFICE_DIRECTOR)
LEADER = actor("leader", Role.LEADER)
PRINCIPAL = actor("principal", Role.LEADER, Role.PRINCIPAL_LEADER)
UNDERTAKER = actor("undertaker", Role.UNDERTAKER)
ARCHIVIST = actor("archivist", Role.ARCHIVIST)
SUPERVISOR = actor("supervisor", Role.SUPERVISOR)
DRAFTER = actor("drafter", Role.DRAFTER)
NOBODY = actor("nobody")
ALL_ACTORS = (
    CLERK,
    DIRECTOR,
    LEADER,
    PRINCIPAL,
    UNDERTAKER,
    ARCHIVIST,
    SUPERVISOR,
    DRAFTER,
    NOBODY,
)

SUPERIOR = {"code": "SZF", "name": "市政府办公室", "relation": "superior"}
PEER = {"code": "SJW", "name": "市教委", "relation": "peer"}
SUBORDINATE = {"code": "XQB", "name": "区办公室", "relation": "subordinate"}
UNIT_A = {"code": "ZHK", "name": "综合科"}
UNIT_B = {"code": "MSK", "name": "秘书科"}


collect_ignore = ["typing"]  # type-checked by mypy, not run

POSTGRES_URL_VARIABLE = "SECRETARIAL_TEST_POSTGRES_URL"
STORES = ["memory", "sqlite", "postgres"]


def receive_notice(office: Office, title: str, *, secret: bool = False, **extra: Any) -> Any:
    """Receive a notice from the superior organ now; ``secret`` makes it 秘密 (5 years)."""
    if secret:
        extra = {
            "classification": "confidential",
            "secrecy_period_years": 5,
            "copy_number": "000001",
            **extra,
        }
    return office.documents.receive(
        by=CLERK,
        kind="notice",
        title=title,
        sender=SUPERIOR,
        channel="paper",
        **{"received_at": office.now(), **extra},
    )


def refused(office: Office, entity: Any, trigger: str, by: Actor, **kw: Any) -> str:
    """Fire and expect a refusal that changed nothing; return its rule code."""
    before = office.get(entity.id)
    trail = office.audit(before)
    with pytest.raises(TransitionNotAllowed) as info:
        office.fire(before, trigger, by=by, **kw)
    assert office.get(before.id) == before
    assert office.audit(before) == trail
    return info.value.rule_code


def postgres_url() -> str:
    """The URL of the test PostgreSQL database, or skip the test saying how to get one.

    Under pytest-xdist each worker gets a database of its own beside the one named
    (``test_gw0``, ``test_gw1`` ...), created on first use, since the tests empty theirs.
    """
    url = os.environ.get(POSTGRES_URL_VARIABLE)
    if not url:
        pytest.skip(
            f"PostgreSQL tests need a server: set {POSTGRES_URL_VARIABLE}, e.g. "
            "postgresql://postgres@127.0.0.1:5432/test (.ci/run sets it)"
        )
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    return url if worker is None else _worker_database(url, worker)


@functools.cache
def _worker_database(url: str, worker: str) -> str:
    """The URL of ``url``'s database suffixed with ``worker``, created if it is missing."""
    import sqlalchemy as sa  # noqa: PLC0415 -- only when PostgreSQL tests run

    from secretarial.adapters._sql import normalise_url  # noqa: PLC0415

    given = sa.engine.make_url(normalise_url(url))
    name = f"{given.database}_{worker}"
    engine = sa.create_engine(given, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            exists = conn.execute(
                sa.text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": name}
            ).first()
            if exists is None:
                conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    finally:
        engine.dispose()
    return given.set(database=name).render_as_string(hide_password=False)


def reset_postgres(url: str) -> None:
    """Drop the office tables so each test starts from an empty database."""
    import sqlalchemy as sa  # noqa: PLC0415 -- only when PostgreSQL tests run

    from secretarial.adapters._sql import metadata, normalise_url  # noqa: PLC0415

    engine = sa.create_engine(normalise_url(url))
    try:
        with engine.begin() as conn:
            metadata.drop_all(conn)
    finally:
        engine.dispose()


def url_for(kind: str, tmp_path: Path) -> str:
    """The URL of an empty office of ``kind`` (memory, sqlite, postgres)."""
    if kind == "memory":
        return "memory://"
    if kind == "sqlite":
        return f"sqlite:///{tmp_path / 'office.db'}"
    url = postgres_url()
    reset_postgres(url)
    return url


@pytest.fixture
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The URL of an empty office of the kind the test is parametrised with."""
    return url_for(getattr(request, "param", "memory"), tmp_path)


OFFICE_STORES = ["memory"]
"""The stores the ``office`` fixture runs a module's tests on, unless it says otherwise.

A rule is a specification of the domain and holds on the memory store like on any other;
that the stores keep what the office relies on is the store contract's business
(``secretarial.testing.contract``, run on every store in test_store_contract.py). A
module whose tests exercise the stores through the office (access filters in queries,
bulk import, tampering, the sweep's races) sets ``OFFICE_STORES = STORES``.
"""


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Run each test that uses the office on the stores its module asks for."""
    if "office_and_clock" not in metafunc.fixturenames:
        return
    for marker in metafunc.definition.iter_markers("parametrize"):
        names = marker.args[0] if marker.args else marker.kwargs.get("argnames", "")
        if "office_and_clock" in (names.split(",") if isinstance(names, str) else names):
            return  # the test names its stores itself
    stores = getattr(metafunc.module, "OFFICE_STORES", OFFICE_STORES)
    metafunc.parametrize("office_and_clock", stores, indirect=True)


@pytest.fixture
def office_and_clock(
    request: pytest.FixtureRequest, tmp_path: Path
) -> Iterator[tuple[Office, FrozenClock]]:
    """A fresh office on the store the test is run on, and the frozen clock it reads."""
    url = url_for(request.param, tmp_path)
    clock = FrozenClock(START)
    office = Office.open(
        url, clock=clock, ids=SequentialIds(), archive=ArchiveSettings(fonds="0194")
    )
    yield office, clock
    office.close()


@pytest.fixture(scope="session")
def demo_week() -> Office:
    """An in-memory office after the demo's week (seed 1), its clock at the week's end.

    Entities of most kinds in many states, made once per test process: read it, do not
    change it.
    """
    from secretarial.cli import _demo  # noqa: PLC0415 -- the demo's own simulation

    clock = FrozenClock(datetime.combine(_demo.FIRST_WEEK, time(1, 0), UTC))
    office = Office.in_memory(clock=clock, ids=SequentialIds(), archive=_demo.ARCHIVE)
    _demo.run_week(office, clock, _demo.plan_week(office, 5), seed=1)
    return office


@pytest.fixture
def office(office_and_clock: tuple[Office, FrozenClock]) -> Office:
    """A fresh office on a frozen clock at 2025-09-26 09:00 Beijing time."""
    return office_and_clock[0]


@pytest.fixture
def clock(office_and_clock: tuple[Office, FrozenClock]) -> FrozenClock:
    """The office's frozen clock."""
    return office_and_clock[1]


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Say in one line how many tests skipped for want of PostgreSQL, and how to run them."""
    skipped = terminalreporter.stats.get("skipped", [])
    wanting = [r for r in skipped if POSTGRES_URL_VARIABLE in str(getattr(r, "longrepr", ""))]
    if wanting:
        terminalreporter.write_line(
            f"{len(wanting)} PostgreSQL tests skipped: set {POSTGRES_URL_VARIABLE} to a database "
            "they may reset, e.g. postgresql://postgres@127.0.0.1:5432/test (see the README)"
        )
