"""Write tests/data/office-schema-<N>.db: an office as this version of the schema stores it.

Each schema version keeps such a file, so the migration to the next version is tested
against a real database written by the old code. Run it once per schema version:
``python scripts/make_schema_fixture.py``.
"""

from __future__ import annotations

import contextlib
import sys
from datetime import UTC, date, datetime
from pathlib import Path

from secretarial import (
    AccessDenied,
    Actor,
    CallbackSink,
    Classification,
    HmacKey,
    Office,
    Role,
)
from secretarial.adapters._sql import SCHEMA_VERSION, SqlStore
from secretarial.engine import BlobPolicy
from secretarial.testing import FrozenClock, SequentialIds

CLERK = Actor(
    id="li", name="李文书", roles=frozenset({Role.CLERK}), clearance=Classification.CONFIDENTIAL
)
SUPERVISOR = Actor(id="zhou", name="周督查", roles=frozenset({Role.SUPERVISOR}))
DRAFTER = Actor(id="ma", name="马拟稿", roles=frozenset({Role.DRAFTER}))
CHECKPOINT_KEY = HmacKey(b"the schema fixture's checkpoint key; not a secret")
"""Signs the fixture's checkpoint (from schema 4, which keeps checkpoints)."""
FIXTURE_TEXT = "各区、各部门：为切实做好安全检查工作，现就有关事项通知如下。"
"""The content of the fixture's blob (from schema 7, which keeps blobs)."""


def build(path: Path) -> None:
    """Create the fixture office at ``path``."""
    clock = FrozenClock(datetime(2025, 9, 26, 1, tzinfo=UTC))
    with Office.open(
        f"sqlite:///{path}", clock=clock, ids=SequentialIds(), checkpoint_key=CHECKPOINT_KEY
    ) as office:
        doc = office.documents.receive(
            by=CLERK,
            idempotency_key="fixture-receive",  # kept from schema 5
            kind="notice",
            title="关于开展安全检查的通知",
            channel="paper",
            sender={"code": "SZF", "name": "市政府办公室", "relation": "superior"},
            received_at=office.now(),
            classification="confidential",
            secrecy_period_years=5,
            copy_number="000012",
        )
        office.fire(doc, "register", by=CLERK, number="市政办发〔2025〕88号")
        item = office.supervision.open(
            by=SUPERVISOR,
            source="leader_instruction",
            requirement="落实安全检查部署",
            received_at=office.now(),
        )
        office.fire(
            item,
            "assign",
            by=SUPERVISOR,
            lead_unit={"code": "AJK", "name": "安全监管科"},
            deadline=date(2025, 10, 9),
        )
        office.documents.draft(
            by=DRAFTER, kind="report", title="关于安全检查情况的报告", issuer_code="某办发"
        )
        with contextlib.suppress(AccessDenied):  # uncleared: refused, the refusal recorded
            office.get(doc.id, by=DRAFTER)
        office.checkpoint()
        # From schema 6: the outbox, and a sink that was given the first partition it has.
        office.relay([CallbackSink("fixture-sink", lambda _: None)])
        moment = office.now()
    # From schema 7: one blob, its bytes in <db>-blobs/ beside the file, its row and its
    # owner (the document) in the database.
    store = SqlStore(f"sqlite:///{path}", create=False)
    try:
        blob = store.blobs.put(
            iter([FIXTURE_TEXT.encode()]),
            media_type="text/plain; charset=utf-8",
            policy=BlobPolicy(),
            at=moment,
        )
        store.blobs.reference(blob.sha256, doc.id)
    finally:
        store.close()


if __name__ == "__main__":
    target = (
        Path(__file__).resolve().parent.parent
        / "tests"
        / "data"
        / (f"office-schema-{SCHEMA_VERSION}.db")
    )
    if target.exists():
        sys.exit(f"{target} exists; a schema version's fixture is written once")
    build(target)
    print(f"wrote {target}")  # noqa: T201 -- a script reports what it wrote
