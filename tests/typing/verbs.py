"""Every public verb of the office and its desks, with the type it returns.

Type-checked by mypy (with the project's configuration, and without it by
tests/test_docs_typing.py), never run: a verb whose return type loosened to ``Any`` or
``Entity`` fails the check.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any, assert_type

from secretarial import (
    Actor,
    Anchor,
    AuditReport,
    AuditTrail,
    Bulletin,
    CallRecord,
    Checkpoint,
    Conflict,
    DutyRoster,
    DutyShift,
    Entity,
    EntityList,
    IncomingDocument,
    InformationItem,
    Meeting,
    MeetingClosure,
    Office,
    Page,
    Record,
    Register,
    Role,
    SupervisionItem,
    SweepReport,
)
from secretarial.aio import AsyncOffice
from secretarial.brief import Brief
from secretarial.documents import ImportReport

office = Office.in_memory()
clerk = Actor(id="li", name="李文书", roles=frozenset({Role.CLERK}))
now = datetime(2025, 9, 26, 1, tzinfo=UTC)

# ---------------------------------------------------------------------- the office's own
doc = office.documents.receive(
    by=clerk,
    kind="notice",
    title="关于开展安全检查的通知",
    sender={"code": "SZF", "name": "市政府办公室"},
    channel="paper",
    received_at=now,
)
assert_type(office.create("incoming_document", by=clerk, title="…"), Entity)
assert_type(office.get(doc.id), Entity)
assert_type(office.get(doc.id, IncomingDocument), IncomingDocument)
assert_type(office.list(kind="incoming_document", by=clerk), EntityList)
assert_type(office.page(limit=20, by=clerk), Page)
assert_type(office.count(open_only=True, by=clerk), int)
assert_type(office.audit(doc, by=clerk), AuditTrail)
assert_type(office.can_fire(doc, "register", by=clerk), bool)
assert_type(office.available_triggers(doc, by=clerk), tuple[str, ...])
assert_type(office.fire(doc, "register", by=clerk), IncomingDocument)
assert_type(office.replay(doc), Entity)
assert_type(office.verify_audit(), AuditReport)
assert_type(office.anchor(), Anchor)
assert_type(office.checkpoint(), Checkpoint)
assert_type(office.register("incoming", by=clerk), Register)
assert_type(office.brief(clerk), Brief)
assert_type(office.sweep(), SweepReport)
assert_type(office.forget_idempotency_keys(timedelta(days=7)), int)
assert_type(office.entity_from_json(doc.model_dump_json()), Entity)
assert_type(office.json_schemas(), dict[str, dict[str, Any]])

# ---------------------------------------------------------------------- the desks
assert_type(office.documents.import_jsonl([], by=clerk), ImportReport)
assert_type(office.documents.incoming_register(by=clerk), Register)
assert_type(office.documents.outgoing_register(by=clerk), Register)
assert_type(office.supervision.ledger(by=clerk), Register)
meeting = office.meetings.plan(
    by=clerk,
    meeting_kind="office",
    title="主任办公会",
    organizer={"actor_id": "li", "name": "李文书"},
    start=now,
    end=now + timedelta(hours=2),
    timezone="Asia/Shanghai",
)
assert_type(office.meetings.conflicts(meeting, by=clerk), list[Conflict])
closed = office.meetings.close(meeting, by=clerk, opened_by=clerk)
assert_type(closed, MeetingClosure)
assert_type(closed.items, list[SupervisionItem])
closed_meeting, opened_items = closed  # still a pair
assert_type(closed_meeting, Meeting)
info = office.information.collect(
    by=clerk,
    category="dynamics",
    title="某区开展安全检查",
    body="某区……",
    source="区政府办",
    reporting_unit={"code": "QB", "name": "区办公室"},
)
assert_type(office.information.compile_bulletin([info], by=clerk, title="信息专报"), Bulletin)
assert_type(office.information.bulletin(2025, 1, by=clerk), Bulletin)
assert_type(office.information.scores(date(2025, 1, 1), date(2025, 12, 31)), Register)
(shift,) = office.duty.schedule({"start": now, "end": now + timedelta(days=1)}, by=clerk)
assert_type(shift, DutyShift)
assert_type(office.duty.roster(by=clerk), DutyRoster)
assert_type(office.duty.hand_over(shift, by=clerk), tuple[DutyShift, None])
assert_type(
    office.duty.hand_over(shift, by=clerk, to_shift=shift, received_by=clerk),
    tuple[DutyShift, DutyShift],
)
call = office.duty.record_call(
    by=clerk,
    called_at=now,
    caller={"name": "张三", "unit": "区应急局", "phone": "12345"},
    matter="报告险情",
    measures="已报",
    recorder="李文书",
)
assert_type(call, CallRecord)
assert_type(
    office.duty.record_call_opening_item(call, by=clerk, opened_by=clerk),
    tuple[CallRecord, SupervisionItem],
)
assert_type(
    office.duty.record_call_receiving_document(call, by=clerk, received_by=clerk),
    tuple[CallRecord, IncomingDocument],
)
filed = office.records.file(doc, by=clerk, record_class="办公室")
assert_type(filed, Record)
assert_type(office.records.catalogue(by=clerk), Register)
assert_type(office.records.due_for_review(by=clerk), list[Record])
assert_type(office.records.destroy(filed, by=clerk), Record)
assert_type(info, InformationItem)


async def hosted(host: AsyncOffice) -> None:
    """The async office's typed verbs."""
    assert_type(await host.get(doc.id, IncomingDocument), IncomingDocument)
    assert_type(await host.page(limit=20, by=clerk), Page)
    assert_type(await host.count(by=clerk), int)
    assert_type(await host.audit(doc, by=clerk), AuditTrail)
    assert_type(await host.available_triggers(doc, by=clerk), tuple[str, ...])
    assert_type(await host.sweep(), SweepReport)
    assert_type(await host.run(host.office.verify_audit), AuditReport)
