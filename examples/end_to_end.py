"""An office handles an incoming notice and the supervision item its leader's instruction opens.

Run it with ``python examples/end_to_end.py [office.db]``: the office is kept in that
SQLite file (the embedded default), so a second run adds to it. The clock is frozen and
moved by hand so the story reads the same every time; a real application passes no clock
and gets the system's.
"""

from __future__ import annotations

import sys
from datetime import UTC, date, datetime

from secretarial import (
    Actor,
    ArchiveSettings,
    IncomingDocument,
    Office,
    Role,
    SupervisionItem,
    TransitionNotAllowed,
)
from secretarial.testing import FrozenClock

clerk = Actor(id="li", name="李文书", roles=frozenset({Role.CLERK}))
director = Actor(id="wang", name="王主任", roles=frozenset({Role.OFFICE_DIRECTOR}))
leader = Actor(id="zhao", name="赵副市长", roles=frozenset({Role.LEADER}))
undertaker = Actor(id="sun", name="孙科长", roles=frozenset({Role.UNDERTAKER}))
supervisor = Actor(id="zhou", name="周督查", roles=frozenset({Role.SUPERVISOR}))
archivist = Actor(id="qian", name="钱档案员", roles=frozenset({Role.ARCHIVIST}))

SAFETY_UNIT = {"code": "AJK", "name": "安全监管科"}


def main(path: str = "office.db") -> None:
    """Walk one document and one supervision item through their whole lives."""
    clock = FrozenClock(datetime(2025, 9, 26, 1, 0, tzinfo=UTC))  # 09:00 in Beijing
    archive = ArchiveSettings(fonds="0194", organ_name="市政府办公室")
    with Office.open(f"sqlite:///{path}", clock=clock, archive=archive) as office:
        run(office, clock)
        print(f"the office is kept in {path}: {len(office.list())} records")


def run(office: Office, clock: FrozenClock) -> None:
    """The week's work on one notice and the item it opens."""
    # 收文: the clerk signs for an urgent notice from the city government.
    doc = office.documents.receive(
        by=clerk,
        kind="notice",
        title="关于开展国庆节前安全生产大检查的通知",
        sender={"code": "SZFB", "name": "市政府办公室", "relation": "superior"},
        channel="electronic",
        received_at=office.now(),
        urgency="urgent",
    )
    doc = office.fire(doc, "register", by=clerk, number="市政办发〔2025〕88号")
    assert isinstance(doc, IncomingDocument)
    print(f"registered {doc.number} as {doc.registration_number}")
    doc = office.fire(doc, "screen", by=clerk)
    doc = office.fire(
        doc, "propose", by=director, handling_type="for_handling", lead_unit=SAFETY_UNIT
    )

    # The leader forgets the deadline an urgent document needs: rule D16 refuses.
    try:
        office.fire(doc, "approve", by=leader, instruction="请安全监管科牵头落实")
    except TransitionNotAllowed as refused:
        print(f"refused by {refused.rule_code}: {refused.reason}")

    doc = office.fire(
        doc,
        "approve",
        by=leader,
        instruction="请安全监管科牵头落实，节前完成检查",
        deadline=date(2025, 9, 30),
        chaser="li",
    )
    doc = office.fire(doc, "assign", by=director, assignee="sun")

    # 督办: the instruction becomes a supervision item with its own deadline.
    item = office.supervision.open(
        by=supervisor,
        source="leader_instruction",
        source_ref=doc.id,
        instructed_by=leader.id,
        requirement="节前完成全市安全生产大检查并报送检查情况",
        reply_required="书面报告检查情况和整改清单",
        received_at=office.now(),
    )
    item = office.fire(
        item, "assign", by=supervisor, lead_unit=SAFETY_UNIT, deadline=date(2025, 9, 30)
    )
    item = office.fire(item, "accept", by=undertaker)
    clock.advance(days=1)
    item = office.fire(item, "report_progress", by=undertaker, text="已检查重点企业12家")
    item = office.fire(
        item,
        "request_extension",
        by=undertaker,
        reason="节日期间部分企业停产，需节后复查",
        proposed_deadline=date(2025, 10, 10),
    )
    item = office.fire(item, "grant_extension", by=supervisor, deadline=date(2025, 10, 9))
    overdue = office.list(overdue_at=datetime(2025, 10, 1, 2, 0, tzinfo=UTC))
    assert doc.id in [e.id for e in overdue]  # the notice is overdue, the extended item not
    assert item.id not in [e.id for e in overdue]
    print(f"overdue on 2025-10-01: the notice {doc.registration_number}")

    clock.set(datetime(2025, 10, 9, 2, 0, tzinfo=UTC))
    item = office.fire(item, "submit_result", by=undertaker, result="检查企业37家，整改隐患52处")
    item = office.fire(item, "verify", by=supervisor, verification="情况属实，问题已整改")
    doc = office.fire(doc, "complete", by=undertaker, result="已按要求完成检查并上报")
    record = office.records.file(doc, by=archivist, record_class="general")
    doc = office.get(doc.id, IncomingDocument)
    print(f"filed as {record.archival_code}, kept until {record.retention_ends}")

    assert isinstance(item, SupervisionItem)
    print(f"document {doc.registration_number}: {doc.state} ({doc.state.label}), v{doc.version}")
    print(f"item: {item.state} ({item.state.label}), deadline {item.deadline}")
    for event in office.audit(item):
        print(f"  v{event.version} {event.at:%m-%d %H:%M} {event.actor.name} {event.trigger}")
    assert office.replay(doc) == doc
    assert office.replay(item) == item
    print("replaying the audit trails reproduces both records")


if __name__ == "__main__":
    main(*sys.argv[1:2])
