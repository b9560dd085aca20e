"""The public test kit's strategies draw only valid models, accepted by the office as drawn."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from secretarial import (
    Actor,
    Attachment,
    DocumentNumber,
    IncomingDocument,
    Meeting,
    Organ,
    OutgoingDocument,
    SupervisionItem,
    Unit,
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
    assert isinstance(office.receive(by=sst.CLERK, **incoming), IncomingDocument)
    assert isinstance(office.draft(by=sst.DRAFTER, **outgoing), OutgoingDocument)
    assert isinstance(office.open_item(by=sst.SUPERVISOR, **item), SupervisionItem)
    planned = office.plan_meeting(by=sst.CLERK, check_conflicts=False, **meeting)
    assert isinstance(planned, Meeting)
    assert office.verify_audit().ok
