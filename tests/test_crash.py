"""A writer killed in the middle of a bulk import leaves whole batches and nothing else."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from conftest import postgres_url, reset_postgres
from secretarial import Office

pytestmark = pytest.mark.slow  # kills processes mid-write

BATCH = 200
LINES = 20_000

WRITER = textwrap.dedent(
    """
    import sys
    from secretarial import Actor, Office, Role

    url, path, batch = sys.argv[1], sys.argv[2], int(sys.argv[3])
    clerk = Actor(id="clerk", name="Clerk", roles={Role.CLERK})

    def committed(report):
        print(len(report.imported), flush=True)

    with Office.open(url) as office, open(path, "rb") as source:
        office.documents.import_jsonl(source, by=clerk, batch_size=batch, on_batch=committed)
    print("finished", flush=True)
    """
)


@pytest.fixture(params=["sqlite", "postgres"])
def url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'office.db'}"
    found = postgres_url()
    reset_postgres(found)
    return found


def test_sigkill_during_import_leaves_only_whole_batches(url: str, tmp_path: Path) -> None:
    """Every committed batch is there, no partial batch, audit consistent with entities."""
    source = tmp_path / "documents.jsonl"
    with source.open("w", encoding="utf-8") as out:
        for n in range(LINES):
            line = {
                "kind": "notice",
                "title": f"关于第{n}项工作的通知",
                "sender": {"code": "SZF", "name": "市政府办公室", "relation": "superior"},
                "channel": "paper",
                "received_at": "2025-09-26T09:00:00+08:00",
            }
            out.write(json.dumps(line, ensure_ascii=False) + "\n")
    Office.open(url).close()
    seen = 0
    with subprocess.Popen(  # noqa: S603 -- our interpreter running our own script
        [sys.executable, "-c", WRITER, url, str(source), str(BATCH)],
        stdout=subprocess.PIPE,
        text=True,
    ) as writer:
        assert writer.stdout is not None
        for line in writer.stdout:
            if line.strip() == "finished":
                break
            seen = int(line)
            if seen >= 3 * BATCH:
                os.kill(writer.pid, signal.SIGKILL)
                break
        writer.wait(timeout=60)
    assert writer.returncode == -signal.SIGKILL, "the writer finished before it was killed"

    with Office.open(url) as office:
        docs = office.list(kind="incoming_document")
        assert len(docs) >= seen  # every batch reported as committed is there
        assert len(docs) % BATCH == 0  # and no part of a batch
        assert len(docs) < LINES
        numbers = sorted(int(d.registration_number.split("-")[1]) for d in docs)
        assert numbers == list(range(1, len(docs) + 1))
        for doc in docs[:: max(1, len(docs) // 50)]:
            trail = office.audit(doc)
            assert [e.trigger for e in trail] == ["receive", "register"]
            assert doc.version == len(trail) == 2
            assert office.replay(doc) == doc
