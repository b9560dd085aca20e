"""The concurrency soak (``benchmarks/soak.py``), run briefly on SQLite and PostgreSQL.

Three processes fire random triggers on one shared office for five seconds; the soak
then checks that no update was lost, numbering has no gap or duplicate, versions match
the audit trail and the audit verifies clean (see ``docs/reliability.md``). A longer run
is ``python benchmarks/soak.py --seconds 60``.
"""

from __future__ import annotations

import importlib.util
import json
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from conftest import postgres_url, reset_postgres

ROOT = Path(__file__).resolve().parent.parent
SOAK = ROOT / "benchmarks" / "soak.py"
SECONDS = 5
WORKERS = 3


def run_soak(url: str, tmp_path: Path) -> dict[str, Any]:
    """Run the soak script on ``url`` and return its figures; fail with its output."""
    figures = tmp_path / "figures.json"
    result = subprocess.run(  # noqa: S603 -- our interpreter running our own script
        [
            sys.executable,
            str(SOAK),
            f"--url={url}",
            f"--seconds={SECONDS}",
            f"--workers={WORKERS}",
            "--seed=1",
            f"--json={figures}",
        ],
        capture_output=True,
        text=True,
        timeout=SECONDS + 120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    found: dict[str, Any] = json.loads(figures.read_text(encoding="utf-8"))
    return found


@pytest.fixture(params=["sqlite", "postgres"])
def url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'soak.db'}"
    found = postgres_url()
    reset_postgres(found)
    return found


@pytest.mark.slow
def test_concurrent_processes_lose_nothing(url: str, tmp_path: Path) -> None:
    """Several processes on one office: conflicts are seen, nothing is lost or doubled."""
    figures = run_soak(url, tmp_path)
    assert figures["failures"] == []
    assert figures["commands"] > 100
    assert figures["conflicts"] > 0  # the processes really did race
    assert figures["invalid_refused"] == figures["invalid_attempts"]
    assert figures["lost_updates"] == figures["unexpected_events"] == 0
    assert figures["audit_events"] == figures["sum_of_versions"] == figures["events_reported"]
    assert figures["duplicate_numbers"] == figures["missing_numbers"] == 0
    assert figures["registration_numbers"] > 0
    assert figures["verify_problems"] == figures["verify_problems_after_anchor"] == 0


# ----------------------------------------------------------------------------- the checks
@pytest.fixture
def soak() -> Iterator[ModuleType]:
    """``benchmarks/soak.py`` imported as a module."""
    spec = importlib.util.spec_from_file_location("soak", SOAK)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["soak"] = module
    try:
        spec.loader.exec_module(module)
        yield module
    finally:
        del sys.modules["soak"]


def test_the_checks_see_a_lost_update_and_a_missing_number(
    soak: ModuleType, tmp_path: Path
) -> None:
    """The soak's checks are not vacuous: a claimed write missing, a number gone, both fail."""
    url = f"sqlite:///{tmp_path / 'office.db'}"
    shared, setup = soak.setup(url, items=1, documents=3, outgoing=0)
    work = soak.Tally(worker=0)
    with soak.open_office(url) as office:
        for doc_id in shared[1:]:
            office.fire(doc_id, "register", by=soak.CLERK)
            work.wrote((doc_id, "register"))

    clean = soak.Figures(store="SQLite", workers=1, seconds=1.0)
    soak.check(url, [setup, work], clean)
    assert clean.failures == []
    assert clean.registration_numbers == 3
    assert clean.audit_events == clean.events_reported == 7

    claimed = soak.Tally(worker=1)
    claimed.wrote((shared[0], "assign"))  # reported as done, never stored
    lost = soak.Figures(store="SQLite", workers=2, seconds=1.0)
    soak.check(url, [setup, work, claimed], lost)
    assert lost.lost_updates == 1
    assert any(f.startswith("lost updates") for f in lost.failures)

    with sqlite3.connect(tmp_path / "office.db") as db:  # the document numbered 2 vanishes
        db.execute("DELETE FROM entities WHERE id = ?", (shared[2],))
        db.execute("DELETE FROM audit_events WHERE entity_id = ?", (shared[2],))
    db.close()
    gap = soak.Figures(store="SQLite", workers=1, seconds=1.0)
    soak.check(url, [setup, work], gap)
    assert gap.missing_numbers == 1
    assert gap.lost_updates == 2  # its receive and register
    assert gap.verify_problems > 0  # the anchor the first check made covers it
