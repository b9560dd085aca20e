"""Write tests/data/office-events-1.db: an office whose events were sealed under event schema 1.

Event schema 1 is how every event was sealed before events carried their schema version:
classification identifiers ``secret`` = 秘密 and ``confidential`` = 机密, and the rules of
that time. The office holds acts that later rules refuse (a report sent to two superior
organs and copied to a lower one; a joint upward document whose signers were listed
co-issuers first), so the tests show that stored history still verifies and replays
under the schema it was sealed under. Written once, by the library as it was then.
"""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from pathlib import Path

from secretarial import Actor, Classification, Office, Role
from secretarial.testing import FrozenClock, SequentialIds

CLERK = Actor(
    id="li", name="李文书", roles=frozenset({Role.CLERK}), clearance=Classification.CONFIDENTIAL
)
DIRECTOR = Actor(
    id="wang",
    name="王主任",
    roles=frozenset({Role.OFFICE_DIRECTOR}),
    clearance=Classification.SECRET,
)
DRAFTER = Actor(id="ma", name="马拟稿", roles=frozenset({Role.DRAFTER}))
PRINCIPAL = Actor(
    id="zhang",
    name="张主任",
    roles=frozenset({Role.LEADER, Role.PRINCIPAL_LEADER}),
    clearance=Classification.TOP_SECRET,
)
LEADER = Actor(id="liu", name="刘副主任", roles=frozenset({Role.LEADER}))
CITY = {"code": "SZF", "name": "市政府办公室", "relation": "superior"}
PARTY = {"code": "SW", "name": "市委办公室", "relation": "superior"}
DISTRICT = {"code": "XQB", "name": "区办公室", "relation": "subordinate"}
EDUCATION = {"code": "SJW", "name": "市教委", "relation": "peer"}
POLICE = {"code": "SGA", "name": "市公安局", "relation": "peer"}


def build(path: Path) -> None:
    """Create the fixture office at ``path``."""
    clock = FrozenClock(datetime(2025, 9, 26, 1, tzinfo=UTC))
    with Office.open(f"sqlite:///{path}", clock=clock, ids=SequentialIds()) as office:
        for classification, title in (
            ("secret", "关于开展安全检查的通知"),
            ("confidential", "关于重点目标防护的通知"),
        ):
            doc = office.documents.receive(
                by=CLERK,
                kind="notice",
                title=title,
                channel="paper",
                sender=CITY,
                received_at=office.now(),
                classification=classification,
                secrecy_period_years=5,
                copy_number="000012",
            )
            office.fire(doc, "register", by=CLERK)
        report = office.documents.draft(
            by=DRAFTER,
            kind="report",
            title="关于安全检查情况的报告",
            issuer_code="某办发",
            main_recipients=[CITY, PARTY],
            cc=[DISTRICT],
        )
        report = office.fire(report, "submit", by=DRAFTER)
        report = office.fire(report, "review", by=DIRECTOR)
        report = office.fire(report, "sign", by=PRINCIPAL, opinion="同意")
        report = office.fire(report, "recheck", by=CLERK)
        report = office.fire(report, "register", by=CLERK, copies=3)
        report = office.fire(report, "print", by=CLERK)
        office.fire(report, "dispatch", by=CLERK, channel="paper")
        joint = office.documents.draft(
            by=DRAFTER,
            kind="report",
            title="关于联合开展校园安全检查的报告",
            issuer_code="某办发",
            main_recipients=[CITY],
            joint_issuers=[EDUCATION, POLICE],
        )
        joint = office.fire(joint, "submit", by=DRAFTER)
        joint = office.fire(joint, "review", by=DIRECTOR)
        joint = office.fire(joint, "countersign", by=LEADER, organ=EDUCATION, opinion="同意")
        joint = office.fire(joint, "countersign", by=PRINCIPAL, organ=POLICE)
        office.fire(joint, "sign", by=PRINCIPAL, opinion="同意")


if __name__ == "__main__":
    target = Path(__file__).resolve().parent.parent / "tests" / "data" / "office-events-1.db"
    if target.exists():
        sys.exit(f"{target} exists; an event schema's fixture is written once")
    build(target)
    print(f"wrote {target}")  # noqa: T201 -- a script reports what it wrote
