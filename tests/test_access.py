"""Access by clearance: what an actor may not see is invisible, refused and recorded."""

from __future__ import annotations

from datetime import date

import pytest

from conftest import STORES, SUPERIOR, SUPERVISOR, UNIT_A, actor
from secretarial import (
    AccessDenied,
    Classification,
    ClearancePolicy,
    Entity,
    Office,
    Role,
)

OFFICE_STORES = STORES  # through the office, on every store

CLEARED = actor("cleared", Role.CLERK, Role.SUPERVISOR, clearance=Classification.TOP_SECRET)
PLAIN = actor("plain", Role.CLERK, Role.SUPERVISOR, clearance=Classification.UNCLASSIFIED)
SECRET_CLERK = actor("sc", Role.CLERK, clearance=Classification.CONFIDENTIAL)


def receive(office: Office, title: str, level: str = "unclassified") -> Entity:
    fields: dict[str, object] = {
        "kind": "notice",
        "title": title,
        "sender": SUPERIOR,
        "channel": "paper",
        "received_at": office.now(),
    }
    if level != "unclassified":
        fields |= {"classification": level, "secrecy_period_years": 5, "copy_number": "000001"}
    return office.documents.receive(by=CLEARED, **fields)


@pytest.fixture
def documents(office: Office) -> dict[str, Entity]:
    return {
        "open": receive(office, "公开通知"),
        "confidential": receive(office, "秘密通知", "confidential"),
        "top": receive(office, "绝密通知", "top_secret"),
    }


class TestInvisible:
    """Lists, counts and exports leave out what the actor may not see."""

    def test_lists_and_counts(self, office: Office, documents: dict[str, Entity]) -> None:
        assert office.list(by=PLAIN) == [documents["open"]]
        assert office.count(by=PLAIN) == 1
        assert office.list(by=SECRET_CLERK) == [documents["open"], documents["confidential"]]
        assert office.count(by=CLEARED) == 3
        assert office.count() == 3  # the office's own work sees everything

    @pytest.mark.usefixtures("documents")
    def test_registers(self, office: Office) -> None:
        titles = [row[4] for row in office.documents.incoming_register(by=PLAIN).rows]
        assert titles == ["公开通知"]
        assert len(office.documents.incoming_register(by=CLEARED).rows) == 3
        assert office.denials() == []  # leaving things out is not a refusal


class TestRefused:
    """Loading, reading the trail of and firing on what one may not see is refused and recorded."""

    def test_load_is_refused_and_recorded(
        self, office: Office, documents: dict[str, Entity]
    ) -> None:
        top = documents["top"]
        with pytest.raises(AccessDenied) as denied:
            office.get(top.id, by=SECRET_CLERK)
        assert (denied.value.actor_id, denied.value.entity_id) == ("sc", top.id)
        assert "top_secret" in denied.value.reason
        assert office.get(top.id, by=CLEARED) == top
        (denial,) = office.denials()
        assert (denial.actor.id, denial.entity_id, denial.action) == ("sc", top.id, "get")
        assert denial.at == office.now()

    def test_fire_is_refused_recorded_and_changes_nothing(
        self, office: Office, documents: dict[str, Entity]
    ) -> None:
        secret = documents["confidential"]
        with pytest.raises(AccessDenied):
            office.fire(secret, "register", by=PLAIN)
        assert office.get(secret.id) == secret
        assert len(office.audit(secret)) == 1
        assert office.store.counters() == {}
        with pytest.raises(AccessDenied):
            office.can_fire(secret, "register", by=PLAIN)
        with pytest.raises(AccessDenied):
            office.available_triggers(secret, by=PLAIN)
        assert [d.action for d in office.denials()] == [
            "fire:register",
            "can_fire:register",
            "available_triggers",
        ]

    def test_audit_trail_is_refused(self, office: Office, documents: dict[str, Entity]) -> None:
        with pytest.raises(AccessDenied):
            office.audit(documents["confidential"], by=PLAIN)
        assert [d.action for d in office.denials()] == ["audit"]

    def test_items_are_classified_too(self, office: Office) -> None:
        item = office.supervision.open(
            by=CLEARED,
            source="leader_instruction",
            requirement="专项整治",
            received_at=office.now(),
            classification="secret",
        )
        assert office.list(kind="supervision_item", by=SECRET_CLERK) == []
        with pytest.raises(AccessDenied):
            office.fire(item, "assign", by=PLAIN, lead_unit=UNIT_A, deadline=date(2025, 12, 1))
        assert (
            office.fire(
                item,
                "assign",
                by=SUPERVISOR.model_copy(update={"clearance": Classification.TOP_SECRET}),
                lead_unit=UNIT_A,
                deadline=date(2025, 12, 1),
            ).version
            == 2
        )


class RoleBased(ClearancePolicy):
    """A host's own policy: archivists see everything, others by clearance."""

    def ceiling(self, actor):  # type: ignore[no-untyped-def]
        return Classification.TOP_SECRET if Role.ARCHIVIST in actor.roles else actor.clearance

    def may_see(self, actor, entity):  # type: ignore[no-untyped-def]
        return None if Role.ARCHIVIST in actor.roles else super().may_see(actor, entity)


def test_a_host_policy_replaces_the_default(tmp_path) -> None:  # type: ignore[no-untyped-def]
    office = Office.in_memory(access=RoleBased())
    doc = receive(office, "绝密通知", "top_secret")
    archivist = actor("arch", Role.ARCHIVIST, clearance=Classification.UNCLASSIFIED)
    assert office.list(by=archivist) == [doc]
    assert office.get(doc.id, by=archivist) == doc


def test_the_catalogue_leaves_out_what_the_actor_may_not_see(office: Office) -> None:
    """A filed secret document is in the catalogue for the cleared, not for the uncleared."""
    from secretarial import ArchiveSettings  # noqa: PLC0415

    office.archive = ArchiveSettings(fonds="0194")
    archivist = actor("arch", Role.ARCHIVIST, clearance=Classification.TOP_SECRET)
    undertaker = actor("und", Role.UNDERTAKER, clearance=Classification.TOP_SECRET)
    director = actor("dir", Role.OFFICE_DIRECTOR, clearance=Classification.TOP_SECRET)
    leader = actor("lead", Role.LEADER, clearance=Classification.TOP_SECRET)
    doc = receive(office, "秘密通知", "confidential")
    doc = office.fire(doc, "register", by=CLEARED)
    doc = office.fire(doc, "screen", by=CLEARED)
    doc = office.fire(doc, "propose", by=director, handling_type="for_handling", lead_unit=UNIT_A)
    doc = office.fire(doc, "approve", by=leader, instruction="办理")
    doc = office.fire(doc, "assign", by=director, assignee="und")
    doc = office.fire(doc, "complete", by=undertaker, result="已办结")
    office.records.file(doc, by=archivist, record_class="general")
    assert len(office.records.catalogue(by=CLEARED)) == 1
    assert len(office.records.catalogue(by=PLAIN)) == 0
