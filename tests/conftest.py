"""Shared fixtures: an in-memory office on a frozen clock, and one actor per role."""

from __future__ import annotations

import os
from datetime import UTC, datetime

import pytest
from hypothesis import HealthCheck, settings

from secretarial import Actor, Classification, Office, Role
from secretarial.testing import FrozenClock, memory_office

settings.register_profile(
    "ci", max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile("dev", max_examples=50, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "dev"))

START = datetime(2025, 9, 26, 1, 0, tzinfo=UTC)  # Friday 2025-09-26 09:00 in Beijing


def actor(actor_id: str, *roles: str, clearance: Classification = Classification.SECRET) -> Actor:
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


@pytest.fixture
def office_and_clock() -> tuple[Office, FrozenClock]:
    """A fresh in-memory office and the frozen clock it reads."""
    return memory_office(START)


@pytest.fixture
def office(office_and_clock: tuple[Office, FrozenClock]) -> Office:
    """A fresh in-memory office on a frozen clock at 2025-09-26 09:00 Beijing time."""
    return office_and_clock[0]


@pytest.fixture
def clock(office_and_clock: tuple[Office, FrozenClock]) -> FrozenClock:
    """The office's frozen clock."""
    return office_and_clock[1]
