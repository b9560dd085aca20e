"""The machine's clock and the time-ordered ids."""

from __future__ import annotations

import os
import sys
import uuid
import warnings

import pytest

from secretarial import EntityKind
from secretarial.adapters import SystemClock, Uuid7Ids


def test_ids_are_version_7_unique_and_ordered() -> None:
    ids = Uuid7Ids()
    made = [ids(EntityKind.INCOMING_DOCUMENT) for _ in range(5000)]
    assert len(set(made)) == len(made)
    assert made == sorted(made)
    parsed = uuid.UUID(made[0])
    assert parsed.version == 7
    assert parsed.variant == uuid.RFC_4122


def test_ids_are_random_beyond_the_time_and_counter() -> None:
    ids = Uuid7Ids()
    tails = {ids(EntityKind.MEETING)[-12:] for _ in range(1000)}
    assert len(tails) == 1000


@pytest.mark.skipif(sys.platform == "win32", reason="os.fork is POSIX only")
def test_a_forked_child_does_not_repeat_its_parents_ids() -> None:
    ids = Uuid7Ids()
    ids(EntityKind.MEETING)  # the parent has read its random words before forking
    read, write = os.pipe()
    with warnings.catch_warnings():  # Python 3.12+ warns when other threads exist
        warnings.simplefilter("ignore", DeprecationWarning)
        pid = os.fork()
    if pid == 0:  # pragma: no cover -- runs in the child
        os.write(write, ",".join(ids(EntityKind.MEETING) for _ in range(300)).encode())
        os._exit(0)
    os.close(write)
    mine = [ids(EntityKind.MEETING) for _ in range(300)]
    os.waitpid(pid, 0)
    with os.fdopen(read, "rb") as pipe:
        theirs = pipe.read().decode().split(",")
    assert len(theirs) == 300
    assert not {m[-12:] for m in mine} & {t[-12:] for t in theirs}


def test_the_system_clock_is_aware() -> None:
    assert SystemClock().now().utcoffset() is not None
