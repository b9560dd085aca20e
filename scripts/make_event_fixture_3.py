"""Write tests/data/office-events-3.db: an office whose events were sealed under event schema 3.

Event schema 3 is how events were sealed before the written canonical form of digests
(event schema 4). The office holds a document a deputy signed on behalf of the principal
leader (委托, so an event names ``on_behalf_of``), a draft submitted and withdrawn, and an
incoming notice proposed, with payloads holding Chinese text, nested objects and lists,
so the tests show that those histories still verify and replay as they were sealed.
Written once, by the library as it was then (run it with that version of the library on
the path).
"""

from __future__ import annotations

import sqlite3
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

from secretarial import Actor, Classification, Office, Role
from secretarial.testing import FrozenClock, SequentialIds

CLERK = Actor(id="li", name="李文书", roles=frozenset({Role.CLERK}))
DIRECTOR = Actor(id="wang", name="王主任", roles=frozenset({Role.OFFICE_DIRECTOR}))
DRAFTER = Actor(id="ma", name="马拟稿", roles=frozenset({Role.DRAFTER}))
PRINCIPAL = Actor(
    id="zhang",
    name="张主任",
    roles=frozenset({Role.LEADER, Role.PRINCIPAL_LEADER}),
    clearance=Classification.CONFIDENTIAL,
)
DEPUTY = Actor(id="zhao", name="赵秘书", clearance=Classification.CONFIDENTIAL)
CITY = {"code": "SZF", "name": "市政府办公室", "relation": "superior"}
DISTRICT = {"code": "XQB", "name": "区政府", "relation": "subordinate"}


def build(path: Path) -> None:
    """Create the fixture office at ``path``."""
    clock = FrozenClock(datetime(2026, 12, 1, 1, tzinfo=UTC))
    with Office.open(f"sqlite:///{path}", clock=clock, ids=SequentialIds()) as office:
        office.directory.delegate(
            by=PRINCIPAL,
            delegate=DEPUTY.id,
            roles=[Role.LEADER.value, Role.PRINCIPAL_LEADER.value],
            starts=office.now(),
            ends=office.now() + timedelta(days=7),
            scope={"kinds": ["outgoing_document"], "triggers": ["sign"]},
        )
        signed = office.documents.draft(
            by=DRAFTER,
            kind="notice",
            title="关于做好岁末年初安全生产工作的通知",
            issuer_code="某办发",
            main_recipients=[DISTRICT],
        )
        signed = office.fire(signed, "submit", by=DRAFTER)
        signed = office.fire(signed, "review", by=DIRECTOR, opinion="同意")
        office.fire(signed, "sign", by=DEPUTY, on_behalf_of=PRINCIPAL.id, opinion="同意，印发")
        draft = office.documents.draft(
            by=DRAFTER,
            kind="notice",
            title="关于做好冬季供暖保障工作的通知",
            issuer_code="某办发",
            main_recipients=[DISTRICT],
        )
        draft = office.fire(draft, "submit", by=DRAFTER)
        office.fire(draft, "withdraw", by=DRAFTER, reason="需补充数据")
        notice = office.documents.receive(
            by=CLERK,
            kind="notice",
            title="关于开展“两节”期间安全检查的通知",
            sender=CITY,
            channel="paper",
            received_at=office.now(),
        )
        notice = office.fire(notice, "register", by=CLERK)
        notice = office.fire(notice, "screen", by=CLERK)
        office.fire(notice, "propose", by=DIRECTOR, handling_type="for_handling")


if __name__ == "__main__":
    target = Path(__file__).resolve().parent.parent / "tests" / "data" / "office-events-3.db"
    if target.exists():
        sys.exit(f"{target} exists; an event schema's fixture is written once")
    build(target)
    with sqlite3.connect(target) as conn:  # one file, no write-ahead log beside it
        conn.execute("PRAGMA journal_mode=DELETE")
    print(f"wrote {target}")  # noqa: T201 -- a script reports what it wrote
