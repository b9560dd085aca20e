"""The Office: creation, firing by id, reading, listing, audit, replay and concurrency."""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime, timedelta

import pytest

from conftest import (
    CLERK,
    DIRECTOR,
    LEADER,
    START,
    STORES,
    SUPERIOR,
    SUPERVISOR,
    UNDERTAKER,
    UNIT_A,
)
from secretarial import (
    ConcurrencyConflict,
    EntityKind,
    IncomingDocument,
    IncomingState,
    NotFound,
    Office,
    SupervisionItem,
    SupervisionState,
    TransitionNotAllowed,
    UsageError,
    ValidationError,
)
from secretarial.testing import FrozenClock, SequentialIds

OFFICE_STORES = STORES  # through the office, on every store


def receive(office: Office, **overrides: object) -> IncomingDocument:
    fields: dict[str, object] = {
        "kind": "notice",
        "title": "关于开展安全检查的通知",
        "sender": SUPERIOR,
        "channel": "paper",
        "received_at": office.now(),
    }
    fields.update(overrides)
    return office.documents.receive(by=CLERK, **fields)


def open_item(office: Office, deadline: date) -> SupervisionItem:
    item = office.supervision.open(
        by=SUPERVISOR,
        source="leader_instruction",
        requirement="落实安全检查部署",
        received_at=office.now(),
    )
    item = office.fire(item, "assign", by=SUPERVISOR, lead_unit=UNIT_A, deadline=deadline)
    assert isinstance(item, SupervisionItem)
    return item


class TestCreation:
    """Creating entities records who, when, and a first audit event."""

    def test_receive_records_creator_time_and_version_one(self, office: Office) -> None:
        doc = receive(office)
        assert doc.state is IncomingState.RECEIVED
        assert doc.version == 1
        assert doc.created_by == CLERK.id
        assert doc.created_at == office.now()
        (event,) = office.audit(doc)
        assert event.trigger == "receive"
        assert event.source is None
        assert event.target == "received"
        assert event.actor == CLERK

    def test_creation_is_refused_for_the_wrong_role(self, office: Office) -> None:
        with pytest.raises(TransitionNotAllowed) as refused:
            office.documents.receive(
                by=LEADER,
                kind="notice",
                title="t",
                sender=SUPERIOR,
                channel="paper",
                received_at=office.now(),
            )
        assert refused.value.rule_code == "ROLE"
        assert office.list() == []

    def test_bad_fields_raise_a_validation_error_naming_each_field(self, office: Office) -> None:
        with pytest.raises(ValidationError) as bad:
            office.documents.receive(
                by=CLERK, kind="memo", title="", sender=SUPERIOR, channel="pigeon"
            )
        assert {"kind", "title", "channel", "received_at"} <= set(bad.value.fields)
        assert office.list() == []

    def test_ids_come_from_the_id_factory(self, office: Office) -> None:
        assert receive(office).id == "in-1"
        assert open_item(office, date(2025, 10, 10)).id == "sup-2"


class TestFiring:
    """Firing by entity or by id returns the new snapshot and keeps the old one intact."""

    def test_fire_by_id_or_entity(self, office: Office) -> None:
        doc = receive(office)
        registered = office.fire(doc.id, "register", by=CLERK)
        assert registered.state is IncomingState.REGISTERED
        assert doc.state is IncomingState.RECEIVED  # the old snapshot is unchanged
        screened = office.fire(registered, "screen", by=CLERK)
        assert screened.version == 3

    def test_unknown_id_raises_not_found(self, office: Office) -> None:
        with pytest.raises(NotFound) as missing:
            office.fire("nope", "register", by=CLERK)
        assert missing.value.entity_id == "nope"
        assert isinstance(missing.value, LookupError)

    def test_stale_snapshot_raises_concurrency_conflict_and_writes_nothing(
        self, office: Office
    ) -> None:
        doc = receive(office)
        office.fire(doc, "register", by=CLERK)
        current = office.get(doc.id)
        with pytest.raises(ConcurrencyConflict) as conflict:
            office.fire(doc, "register", by=CLERK)  # doc is version 1, stored is 2
        assert conflict.value.expected_version == 1
        assert conflict.value.actual_version == 2
        assert office.get(doc.id) == current
        assert len(office.audit(doc)) == 2

    def test_explicit_expected_version(self, office: Office) -> None:
        doc = receive(office)
        with pytest.raises(ConcurrencyConflict):
            office.fire(doc.id, "register", by=CLERK, expected_version=7)
        assert office.fire(doc.id, "register", by=CLERK, expected_version=1).version == 2

    def test_available_triggers_follow_state_and_role(self, office: Office) -> None:
        doc = office.fire(receive(office), "register", by=CLERK)
        assert set(office.available_triggers(doc, by=CLERK)) == {
            "screen",
            "return_to_sender",
            "remind",
            "record_copy",
            "record_revocation",
        }
        assert office.available_triggers(doc, by=LEADER) == ("approve_copy",)
        assert office.can_fire(doc, "screen", by=DIRECTOR)
        assert not office.can_fire(doc, "return_to_sender", by=CLERK, reason="")
        assert office.can_fire(doc, "return_to_sender", by=CLERK, reason="不属于本机关办理")

    def test_threads_firing_on_one_entity_lose_no_update(self, office: Office) -> None:
        item = open_item(office, date(2025, 12, 31))
        item = office.fire(item, "accept", by=UNDERTAKER)
        errors: list[BaseException] = []
        done: list[str] = []

        def report(n: int) -> None:
            for i in range(20):
                try:
                    office.fire(item.id, "report_progress", by=UNDERTAKER, text=f"{n}-{i}")
                    done.append(f"{n}-{i}")
                except ConcurrencyConflict:
                    pass  # lost the race five times in a row: refused, nothing written
                except BaseException as e:  # noqa: BLE001 -- collected and asserted below
                    errors.append(e)

        threads = [threading.Thread(target=report, args=(n,)) for n in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert errors == []
        final = office.get(item.id, SupervisionItem)
        assert sorted(r.text for r in final.progress_reports) == sorted(done)
        assert len(done) >= 20  # fired by id, a lost race is retried on the fresh entity
        assert final.version == len(office.audit(item)) == 3 + len(done)


class TestReading:
    """Get, list and filter."""

    def test_get_checks_the_kind(self, office: Office) -> None:
        doc = receive(office)
        assert office.get(doc.id, IncomingDocument) == doc
        with pytest.raises(NotFound):
            office.get(doc.id, SupervisionItem)

    def test_list_filters_by_kind_and_state(self, office: Office) -> None:
        a = receive(office)
        b = office.fire(receive(office), "register", by=CLERK)
        item = open_item(office, date(2025, 10, 10))
        assert office.list() == [a, b, item]
        assert office.list(kind=EntityKind.SUPERVISION_ITEM) == [item]
        assert office.list(kind=["incoming_document"], state="registered") == [b]
        assert office.list(state=[IncomingState.RECEIVED, SupervisionState.ASSIGNED]) == [a, item]

    def test_overdue_is_derived_from_deadline_and_open_state(
        self, office: Office, clock: FrozenClock
    ) -> None:
        due = open_item(office, date(2025, 9, 30))
        later = open_item(office, date(2025, 10, 31))
        cancelled = office.fire(
            open_item(office, date(2025, 9, 27)), "cancel", by=SUPERVISOR, reason="重复立项"
        )
        on_the_day = datetime(2025, 9, 30, 15, 0, tzinfo=UTC)
        assert office.list(overdue_at=on_the_day) == []  # due today is not overdue
        next_day = datetime(2025, 9, 30, 16, 30, tzinfo=UTC)  # 00:30 on Oct 1 in Beijing
        assert office.list(overdue_at=next_day) == [due]
        assert not cancelled.is_open
        assert later not in office.list(overdue_at=next_day)
        clock.advance(timedelta(days=60))
        assert office.list(overdue_at=clock.now(), open_only=True) == [
            office.get(due.id),
            office.get(later.id),
        ]

    def test_naive_overdue_time_is_a_validation_error(self, office: Office) -> None:
        with pytest.raises(ValidationError) as info:
            office.list(overdue_at=datetime(2025, 10, 1))  # noqa: DTZ001 -- the point of the test
        assert info.value.fields == ("overdue_at",)


class TestAuditAndReplay:
    """The audit trail is complete and replaying it reproduces the entity."""

    def test_every_change_is_audited_in_order(self, office: Office) -> None:
        doc = receive(office)
        doc = office.fire(doc, "register", by=CLERK)
        doc = office.fire(doc, "return_to_sender", by=CLERK, reason="不属于本机关办理")
        trail = office.audit(doc)
        assert [e.trigger for e in trail] == ["receive", "register", "return_to_sender"]
        assert [e.version for e in trail] == [1, 2, 3]
        assert trail[-1].reason == "不属于本机关办理"
        assert trail[1].payload == {"registration_number": "2025-0001"}

    def test_replay_reproduces_the_entity(self, office: Office, clock: FrozenClock) -> None:
        item = open_item(office, date(2025, 10, 10))
        clock.advance(days=1)
        item = office.fire(item, "accept", by=UNDERTAKER)
        item = office.fire(
            item,
            "request_extension",
            by=UNDERTAKER,
            reason="需协调多部门",
            proposed_deadline=date(2025, 10, 20),
        )
        item = office.fire(item, "grant_extension", by=SUPERVISOR, deadline=date(2025, 10, 17))
        assert office.replay(item) == item
        assert item.deadline == date(2025, 10, 17)

    def test_audit_events_are_immutable(self, office: Office) -> None:
        (event,) = office.audit(receive(office))
        with pytest.raises(Exception, match="frozen"):
            event.trigger = "forged"  # type: ignore[misc]


class TestClock:
    """The office reads its clock, in its own time zone."""

    def test_now_is_in_the_office_zone(self) -> None:
        office = Office.in_memory(clock=FrozenClock(START), ids=SequentialIds())
        assert office.now().utcoffset() == timedelta(hours=8)
        assert office.today() == date(2025, 9, 26)

    def test_a_naive_clock_is_a_usage_error(self) -> None:
        class NaiveClock:
            def now(self) -> datetime:
                return datetime(2025, 1, 1)  # noqa: DTZ001 -- deliberately naive

        office = Office.in_memory(clock=NaiveClock())
        with pytest.raises(UsageError, match="naive"):
            office.now()
