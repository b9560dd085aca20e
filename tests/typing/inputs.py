"""The creating verbs' typed inputs: mistakes a type checker catches; checked by mypy, never run.

Each ``# type: ignore[code]`` marks an error mypy must report there: the project runs
mypy with ``warn_unused_ignores`` (``strict``), so a mistake that stopped being caught
would fail the check.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import assert_type

from secretarial import (
    Actor,
    CallRecord,
    DocumentKind,
    Entity,
    IncomingDocument,
    InformationItem,
    Meeting,
    Office,
    OutgoingDocument,
    ReceptionPlan,
    Role,
    SupervisionItem,
)
from secretarial.aio import AsyncOffice

office = Office.in_memory()
clerk = Actor(id="c1", name="Li", roles=frozenset({Role.CLERK}))
now = datetime(2025, 9, 26, 1, tzinfo=UTC)

doc = office.documents.receive(
    by=clerk,
    kind=DocumentKind.NOTICE,
    title="关于开展安全检查的通知",
    sender={"code": "SZF", "name": "市政府办公室", "relation": "superior"},
    channel="paper",
    received_at=now,
    idempotency_key="k-1",
)
assert_type(doc, IncomingDocument)

office.documents.receive(  # type: ignore[call-arg]  # a misspelt field: titel
    by=clerk,
    kind="notice",
    titel="关于开展安全检查的通知",
    sender={"code": "SZF", "name": "市政府办公室"},
    channel="paper",
    received_at=now,
)
office.documents.receive(
    by=clerk,
    kind="notic",  # type: ignore[arg-type]  # not a kind of document
    title="关于开展安全检查的通知",
    sender={"code": "SZF", "name": "市政府办公室"},
    channel="paper",
    received_at=now,
)
office.documents.receive(  # type: ignore[call-arg]  # received_at is required
    by=clerk,
    kind="notice",
    title="关于开展安全检查的通知",
    sender={"code": "SZF", "name": "市政府办公室"},
    channel="paper",
)
office.documents.receive(
    by=clerk,
    kind="notice",
    title="关于开展安全检查的通知",
    sender={"code": "SZF", "nmae": "市政府办公室"},  # type: ignore[arg-type]  # nmae
    channel="paper",
    received_at=now,
)
office.documents.receive(
    by=clerk,
    kind="notice",
    title="关于开展安全检查的通知",
    sender={"code": "SZF", "name": "市政府办公室"},
    channel="paper",
    received_at=now,
    date_of_issue="2025-09-20",  # type: ignore[arg-type]  # a date, not text
)

draft = office.documents.draft(by=clerk, kind="report", title="关于…的报告", issuer_code="某办发")
assert_type(draft, OutgoingDocument)
item = office.supervision.open(
    by=clerk, source="leader_instruction", requirement="落实", received_at=now
)
assert_type(item, SupervisionItem)
office.supervision.open(
    by=clerk,
    source="leader",  # type: ignore[arg-type]  # not a source
    requirement="落实",
    received_at=now,
)
office.documents.receive(  # type: ignore[call-arg]  # set by a later step, not at receipt
    by=clerk,
    kind="notice",
    title="关于开展安全检查的通知",
    sender={"code": "SZF", "name": "市政府办公室"},
    channel="paper",
    received_at=now,
    registration_number="2025-0001",
)
info = office.information.collect(
    by=clerk,
    category="dynamics",
    title="某区开展安全检查",
    body="某区……",
    source="区政府办",
    reporting_unit={"code": "QB", "name": "区办公室"},
)
assert_type(info, InformationItem)
meeting = office.meetings.plan(
    by=clerk,
    meeting_kind="office",
    title="主任办公会",
    organizer={"actor_id": "c1", "name": "Li"},
    start=now,
    end=now,
    timezone="Asia/Shanghai",
)
assert_type(meeting, Meeting)
call = office.duty.record_call(
    by=clerk,
    called_at=now,
    caller={"name": "张三", "unit": "区应急局", "phone": "12345"},
    matter="报告险情",
    measures="已报值班领导",
    recorder="李文书",
)
assert_type(call, CallRecord)
office.duty.record_call(  # type: ignore[call-arg]  # R1: who recorded the call is required
    by=clerk,
    called_at=now,
    caller={"name": "张三", "unit": "区应急局", "phone": "12345"},
    matter="报告险情",
    measures="已报值班领导",
)
plan = office.duty.plan_reception(
    by=clerk,
    title="接待省检查组",
    guests={"unit": "省安委办", "count": 4, "leader": "王处长"},
    start=now,
    end=now,
)
assert_type(plan, ReceptionPlan)

assert_type(office.fire(doc, "register", by=clerk, idempotency_key="k-2"), IncomingDocument)
assert_type(office.fire(item, "assign", by=clerk, deadline=date(2025, 10, 9)), SupervisionItem)
assert_type(office.fire(doc.id, "register", by=clerk), Entity)
assert_type(doc.content_version, int)


async def hosted(host: AsyncOffice) -> None:
    """The async office keeps the types too."""
    assert_type(await host.fire(doc, "register", by=clerk), IncomingDocument)
    assert_type(await host.fire(doc.id, "register", by=clerk), Entity)
    assert_type(
        await host.fire(doc, "screen", by=clerk, expected_content_version=2), IncomingDocument
    )
    received = await host.run(  # a desk's verb through run keeps its typed inputs
        host.office.documents.receive,
        by=clerk,
        kind="notice",
        title="关于开展安全检查的通知",
        sender={"code": "SZF", "name": "市政府办公室"},
        channel="paper",
        received_at=now,
    )
    assert_type(received, IncomingDocument)
    await host.run(
        host.office.documents.receive,
        by=clerk,
        kind="notice",
        title="关于开展安全检查的通知",
        sender={"code": "SZF", "name": "市政府办公室"},
        channel="papr",  # type: ignore[arg-type]  # not a channel
        received_at=now,
    )
