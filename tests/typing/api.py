"""Documented usage of the public API; type-checked by mypy in CI, never run."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import assert_type

from secretarial import (
    Actor,
    DocumentNumber,
    Entity,
    IncomingDocument,
    IncomingState,
    Office,
    Role,
    SupervisionItem,
    TransitionNotAllowed,
)
from secretarial.testing import FrozenClock, SequentialIds

office = Office.in_memory(
    clock=FrozenClock(datetime(2025, 9, 26, 1, tzinfo=UTC)), ids=SequentialIds()
)
clerk = Actor(id="c1", name="Li", roles=frozenset({Role.CLERK}))

doc: IncomingDocument = office.documents.receive(
    by=clerk,
    kind="notice",
    title="关于开展安全检查的通知",
    sender={"code": "SZF", "name": "市政府办公室"},
    channel="paper",
    received_at=office.now(),
)
state: IncomingState = doc.state
again: IncomingDocument = office.get(doc.id, IncomingDocument)
number: DocumentNumber = DocumentNumber.parse("国办发〔2012〕14号")
year: int = number.year
items: list[SupervisionItem] = [
    e for e in office.list(kind="supervision_item") if isinstance(e, SupervisionItem)
]
deadline: date | None = again.deadline

try:
    office.fire(doc, "approve", by=clerk)
except TransitionNotAllowed as refused:
    code: str = refused.rule_code

registered = office.fire(doc, "register", by=clerk)
assert_type(registered, IncomingDocument)  # the type it was given
registration: str | None = registered.registration_number
assert_type(office.fire(doc.id, "screen", by=clerk), Entity)  # an id gives an Entity
