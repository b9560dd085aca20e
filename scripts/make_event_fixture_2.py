"""Write tests/data/office-events-2.db: an office whose events were sealed under event schema 2.

Event schema 2 is how events were sealed before the office verbs: no co-issuers' round on
a joint document, no ``on_behalf_of``. The office holds a joint document reviewed, signed
and countersigned by one co-issuer of two, a draft submitted for review, and an incoming
notice proposed, so the tests show that those histories still verify and replay as they
were sealed, and that the verbs then act on them under the present schema. Written once,
by the library as it was then (run it with that version of the library on the path).
"""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from pathlib import Path

from secretarial import Actor, Office, Role
from secretarial.testing import FrozenClock, SequentialIds

CLERK = Actor(id="li", name="李文书", roles=frozenset({Role.CLERK}))
DIRECTOR = Actor(id="wang", name="王主任", roles=frozenset({Role.OFFICE_DIRECTOR}))
DRAFTER = Actor(id="ma", name="马拟稿", roles=frozenset({Role.DRAFTER}))
PRINCIPAL = Actor(id="zhang", name="张主任", roles=frozenset({Role.LEADER, Role.PRINCIPAL_LEADER}))
LEADER = Actor(id="liu", name="刘副主任", roles=frozenset({Role.LEADER}))
CITY = {"code": "SZF", "name": "市政府办公室", "relation": "superior"}
DISTRICT = {"code": "XQB", "name": "区政府", "relation": "subordinate"}
EDUCATION = {"code": "SJW", "name": "市教委", "relation": "peer"}
POLICE = {"code": "SGA", "name": "市公安局", "relation": "peer"}


def build(path: Path) -> None:
    """Create the fixture office at ``path``."""
    clock = FrozenClock(datetime(2026, 11, 2, 1, tzinfo=UTC))
    with Office.open(f"sqlite:///{path}", clock=clock, ids=SequentialIds()) as office:
        joint = office.documents.draft(
            by=DRAFTER,
            kind="notice",
            title="关于联合开展校园安全检查的通知",
            issuer_code="某办发",
            main_recipients=[DISTRICT],
            joint_issuers=[EDUCATION, POLICE],
        )
        joint = office.fire(joint, "submit", by=DRAFTER)
        joint = office.fire(joint, "review", by=DIRECTOR, opinion="同意")
        joint = office.fire(joint, "sign", by=PRINCIPAL, opinion="同意")
        office.fire(joint, "countersign", by=LEADER, organ=POLICE, opinion="同意")
        draft = office.documents.draft(
            by=DRAFTER,
            kind="notice",
            title="关于做好冬季安全生产工作的通知",
            issuer_code="某办发",
            main_recipients=[DISTRICT],
        )
        office.fire(draft, "submit", by=DRAFTER)
        notice = office.documents.receive(
            by=CLERK,
            kind="notice",
            title="关于开展安全检查的通知",
            sender=CITY,
            channel="paper",
            received_at=office.now(),
        )
        notice = office.fire(notice, "register", by=CLERK)
        notice = office.fire(notice, "screen", by=CLERK)
        office.fire(notice, "propose", by=DIRECTOR, handling_type="for_handling")


if __name__ == "__main__":
    target = Path(__file__).resolve().parent.parent / "tests" / "data" / "office-events-2.db"
    if target.exists():
        sys.exit(f"{target} exists; an event schema's fixture is written once")
    build(target)
    print(f"wrote {target}")  # noqa: T201 -- a script reports what it wrote
