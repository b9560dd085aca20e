"""The public test kit's strategies draw only valid models, accepted by the office as drawn."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from secretarial import (
    Actor,
    Attachment,
    Classification,
    DocumentNumber,
    IncomingDocument,
    Meeting,
    Organ,
    OutgoingDocument,
    Role,
    SupervisionItem,
    Unit,
    UsageError,
    builtin_registry,
)
from secretarial.testing import memory_office
from secretarial.testing import strategies as sst


@settings(max_examples=300)
@given(st.one_of(sst.incoming_documents(), sst.outgoing_documents(), sst.supervision_items()))
def test_entities_are_valid_and_round_trip(entity: IncomingDocument) -> None:
    """A drawn entity validates again from its own JSON, unchanged."""
    assert type(entity).model_validate_json(entity.model_dump_json()) == entity
    assert entity.version == 1
    assert entity.audit_head is not None


@settings(max_examples=300)
@given(sst.actors(), sst.document_numbers(), sst.organs(), sst.units(), sst.attachments())
def test_values_are_valid(
    actor: Actor,
    number: DocumentNumber,
    organ: Organ,
    unit: Unit,
    attachments: tuple[Attachment, ...],
) -> None:
    """Drawn values validate again from their own JSON, unchanged."""
    assert Actor.model_validate_json(actor.model_dump_json()) == actor
    assert DocumentNumber.parse(str(number)) == number
    assert Organ.model_validate_json(organ.model_dump_json()) == organ
    assert Unit.model_validate_json(unit.model_dump_json()) == unit
    assert [a.sequence for a in attachments] == list(range(1, len(attachments) + 1))


@settings(max_examples=150)
@given(sst.incoming_fields(), sst.outgoing_fields(), sst.supervision_fields(), sst.meeting_fields())
def test_the_office_accepts_drawn_fields(
    incoming: dict[str, object],
    outgoing: dict[str, object],
    item: dict[str, object],
    meeting: dict[str, object],
) -> None:
    """Fields drawn for receive, draft, open_item and plan_meeting are accepted as they are."""
    office, _ = memory_office()
    assert isinstance(office.documents.receive(by=sst.CLERK, **incoming), IncomingDocument)
    assert isinstance(office.documents.draft(by=sst.DRAFTER, **outgoing), OutgoingDocument)
    assert isinstance(office.supervision.open(by=sst.SUPERVISOR, **item), SupervisionItem)
    planned = office.meetings.plan(by=sst.CLERK, check_conflicts=False, **meeting)
    assert isinstance(planned, Meeting)
    assert office.verify_audit().ok


ANYONE = Actor(id="anyone", name="全岗", roles=set(Role), clearance=Classification.TOP_SECRET)
WITH_STRATEGIES = [area.kind.value for area in builtin_registry() if area.strategy is not None]


def test_the_areas_with_strategies_are_the_ones_with_field_strategies() -> None:
    """Every area that names a strategy can be drawn for; the others say they have none."""
    assert WITH_STRATEGIES == [
        "incoming_document",
        "outgoing_document",
        "supervision_item",
        "meeting",
    ]
    with pytest.raises(UsageError, match="names no test strategy"):
        sst.fields_for("record")


@settings(max_examples=50)
@given(st.data())
def test_the_strategy_each_area_names_draws_fields_its_workflow_creates(
    data: st.DataObject,
) -> None:
    """``fields_for(kind)`` draws what the kind's creation trigger accepts."""
    kind = data.draw(st.sampled_from(WITH_STRATEGIES))
    fields = data.draw(sst.fields_for(kind))
    now = fields.get("received_at", datetime(2025, 9, 26, 1, tzinfo=UTC))
    entity, event = (
        builtin_registry().workflow(kind).create(fields, entity_id="x-1", actor=ANYONE, now=now)
    )
    assert (entity.entity_kind, event.version) == (kind, 1)
