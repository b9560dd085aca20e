"""Need-to-know (知悉范围): cleared by level but outside the scope sees nothing, anywhere."""

from __future__ import annotations

import pytest

from conftest import STORES, SUPERIOR, actor
from secretarial import (
    AccessDenied,
    Classification,
    Entity,
    Office,
    Role,
    Unit,
    ValidationError,
)

OFFICE_STORES = STORES  # the scope is stored and read back with the document

IN_SCOPE = actor("li", Role.CLERK, Role.LEADER, clearance=Classification.CONFIDENTIAL)
IN_UNIT = actor("wang", Role.CLERK, clearance=Classification.CONFIDENTIAL).model_copy(
    update={"unit": Unit(code="BGS", name="办公室")}
)
OUTSIDE = actor("zhao", Role.CLERK, Role.LEADER, clearance=Classification.TOP_SECRET)


def scoped(office: Office) -> Entity:
    return office.documents.receive(
        by=IN_SCOPE,
        kind="notice",
        title="关于人事调整的通知",
        sender=SUPERIOR,
        channel="paper",
        received_at=office.now(),
        classification="confidential",
        secrecy_period_years=5,
        copy_number="000001",
        need_to_know=["li", "BGS"],
    )


def test_inside_the_scope_by_id_or_by_unit(office: Office) -> None:
    doc = scoped(office)
    assert office.get(doc.id).need_to_know == ("li", "BGS")
    assert office.get(doc.id, by=IN_SCOPE) == doc
    assert office.get(doc.id, by=IN_UNIT) == doc
    assert office.list(by=IN_UNIT) == [doc]


def test_outside_the_scope_sees_nothing_on_any_path(office: Office) -> None:
    """Cleared to 绝密 but not named: invisible in lists, refused and recorded elsewhere."""
    doc = scoped(office)
    assert office.list(by=OUTSIDE) == []
    assert office.count(by=OUTSIDE) == 0
    assert office.documents.incoming_register(by=OUTSIDE).rows == ()
    brief = office.brief(OUTSIDE)
    assert doc.id not in str(brief.to_text())
    for attempt in (
        lambda: office.get(doc.id, by=OUTSIDE),
        lambda: office.audit(doc.id, by=OUTSIDE),
        lambda: office.fire(doc, "register", by=OUTSIDE),
        lambda: office.can_fire(doc.id, "register", by=OUTSIDE),
        lambda: office.available_triggers(doc.id, by=OUTSIDE),
    ):
        with pytest.raises(AccessDenied):
            attempt()
    denials = office.denials()
    assert {d.actor.id for d in denials} == {"zhao"}
    assert all("知悉范围" in d.reason for d in denials)
    assert len(denials) == 5
    assert office.get(doc.id).version == 1


def test_a_scope_is_for_classified_documents_only(office: Office) -> None:
    with pytest.raises(ValidationError, match="need_to_know"):
        office.documents.receive(
            by=IN_SCOPE,
            kind="notice",
            title="公开通知",
            sender=SUPERIOR,
            channel="paper",
            received_at=office.now(),
            need_to_know=["li"],
        )
