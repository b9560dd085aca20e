"""Idempotency keys: a command sent again under its key is done once.

A host that timed out on a ``POST`` sends it again under the same key; the office
answers with what the first one did — no second entity, no second number, no second
event. Another command under a used key is refused; a refused command keeps no key.
"""

from __future__ import annotations

import asyncio
import threading
from datetime import timedelta
from typing import Any

import pytest

from conftest import CLERK, DRAFTER, STORES, SUPERIOR, SUPERVISOR
from secretarial import (
    IdempotencyKeyReused,
    IncomingDocument,
    Office,
    TransitionNotAllowed,
    ValidationError,
    http_status,
)
from secretarial.aio import AsyncOffice
from secretarial.testing import FrozenClock

OFFICE_STORES = STORES


def receive(office: Office, key: str | None, **extra: Any) -> IncomingDocument:
    """Receive the one notice every test sends, under ``key``."""
    fields: dict[str, Any] = {
        "kind": "notice",
        "title": "关于开展安全检查的通知",
        "sender": SUPERIOR,
        "channel": "paper",
        "received_at": office.now(),
        **extra,
    }
    return office.documents.receive(by=CLERK, idempotency_key=key, **fields)


def state_of(office: Office) -> tuple[Any, ...]:
    """Everything a command could change: entities, trails, counters."""
    entities = office.list()
    return (
        tuple(entities),
        tuple(tuple(office.audit(e)) for e in entities),
        office.store.counters(),
    )


class TestCreation:
    def test_a_retried_create_gives_the_first_entity(self, office: Office) -> None:
        first = receive(office, "k-1")
        again = receive(office, "k-1")
        assert again == first
        assert [e.id for e in office.list()] == [first.id]
        assert len(office.audit(first)) == 1

    def test_the_first_result_as_it_was_returned(self, office: Office) -> None:
        """Changed since, the entity is still answered as the command returned it."""
        first = receive(office, "k-1")
        office.fire(first, "register", by=CLERK)
        assert receive(office, "k-1") == first
        assert receive(office, None).id != first.id  # no key: a second document

    def test_enum_or_value_is_the_same_command(self, office: Office) -> None:
        first = receive(office, "k-1")
        assert (
            office.documents.receive(
                by=CLERK,
                idempotency_key="k-1",
                kind=first.kind,
                title=first.title,
                sender=SUPERIOR,
                channel=first.channel,
                received_at=first.received_at,
            )
            == first
        )

    def test_another_command_under_the_key_is_refused(self, office: Office) -> None:
        first = receive(office, "k-1")
        before = state_of(office)
        with pytest.raises(IdempotencyKeyReused) as reused:
            receive(office, "k-1", urgency="urgent", deadline=office.today() + timedelta(3))
        assert (reused.value.key, reused.value.entity_id) == ("k-1", first.id)
        assert reused.value.code == "idempotency_key_reused"
        assert http_status(reused.value) == 422
        assert "another command" in str(reused.value)
        with pytest.raises(IdempotencyKeyReused):
            office.create(
                "supervision_item",
                by=SUPERVISOR,
                idempotency_key="k-1",
                source="leader_instruction",
                requirement="落实",
                received_at=office.now(),
            )
        with pytest.raises(IdempotencyKeyReused):  # another actor is another command
            office.documents.receive(
                by=CLERK.model_copy(update={"id": "clerk-2"}),
                idempotency_key="k-1",
                kind="notice",
                title=first.title,
                sender=SUPERIOR,
                channel="paper",
                received_at=first.received_at,
            )
        assert state_of(office) == before

    def test_a_refused_create_keeps_no_key(self, office: Office) -> None:
        with pytest.raises(TransitionNotAllowed):
            office.documents.receive(
                by=DRAFTER,
                idempotency_key="k-1",
                kind="notice",
                title="来文",
                sender=SUPERIOR,
                channel="paper",
                received_at=office.now(),
            )
        assert office.list() == []
        assert receive(office, "k-1").version == 1

    @pytest.mark.parametrize("key", ["", " k", "k\n", "k\x00", "\ud800", "k" * 201, 7, b"k"])
    def test_what_is_not_a_key_is_refused(self, office: Office, key: Any) -> None:
        with pytest.raises(ValidationError) as refused:
            receive(office, key)
        assert refused.value.fields == ("idempotency_key",)
        assert "printable characters" in str(refused.value)
        assert office.list() == []


class TestFiring:
    def test_a_retried_fire_draws_one_number(self, office: Office) -> None:
        doc = receive(office, None)
        first = office.fire(doc.id, "register", by=CLERK, idempotency_key="reg-1")
        again = office.fire(doc.id, "register", by=CLERK, idempotency_key="reg-1")
        assert again == first
        assert office.store.counters() == {("incoming", "2025"): 1}
        assert [e.trigger for e in office.audit(doc)] == ["receive", "register"]

    def test_a_retry_after_success_answers_before_the_version_is_checked(
        self, office: Office
    ) -> None:
        """The retry of a fire that succeeded states the version it was sent with."""
        doc = receive(office, None)
        first = office.fire(
            doc.id, "register", by=CLERK, idempotency_key="reg-1", expected_content_version=1
        )
        again = office.fire(
            doc.id, "register", by=CLERK, idempotency_key="reg-1", expected_content_version=1
        )
        assert again == first

    def test_another_trigger_or_input_under_the_key_is_refused(self, office: Office) -> None:
        doc = office.fire(receive(office, None), "register", by=CLERK, idempotency_key="k")
        before = state_of(office)
        with pytest.raises(IdempotencyKeyReused):
            office.fire(doc, "screen", by=CLERK, idempotency_key="k")
        with pytest.raises(IdempotencyKeyReused):
            office.fire(doc, "register", by=CLERK, idempotency_key="k", reason="再登记")
        assert state_of(office) == before

    def test_a_refused_fire_keeps_no_key(self, office: Office) -> None:
        doc = receive(office, None)
        with pytest.raises(TransitionNotAllowed):
            office.fire(doc, "register", by=DRAFTER, idempotency_key="k")
        assert office.store.counters() == {}
        assert office.fire(doc, "register", by=CLERK, idempotency_key="k").state == "registered"


class TestForgetting:
    def test_keys_older_than_the_span_are_forgotten(
        self, office: Office, clock: FrozenClock
    ) -> None:
        first = receive(office, "k-1")
        clock.advance(timedelta(days=2))
        second = receive(office, "k-2")
        assert office.forget_idempotency_keys(timedelta(days=1)) == 1
        assert receive(office, "k-2") == second
        assert receive(office, "k-1").id != first.id  # forgotten: a new command
        with pytest.raises(ValidationError, match="older_than"):
            office.forget_idempotency_keys(timedelta(days=-1))


@pytest.mark.parametrize("office_and_clock", ["memory", "sqlite"], indirect=True)
def test_threads_sending_one_create_make_one_entity(
    office_and_clock: tuple[Office, FrozenClock],
) -> None:
    office, _ = office_and_clock
    results: list[str] = []
    start = threading.Barrier(8)

    def send() -> None:
        start.wait()
        doc = receive(office, "k-1")
        results.append(office.fire(doc.id, "register", by=CLERK, idempotency_key="r-1").id)

    threads = [threading.Thread(target=send) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(results) == 8
    assert len(set(results)) == 1
    assert len(office.list()) == 1
    assert office.store.counters() == {("incoming", "2025"): 1}


@pytest.mark.parametrize("office_and_clock", ["memory"], indirect=True)
def test_the_async_office_takes_keys(office_and_clock: tuple[Office, FrozenClock]) -> None:
    office, _ = office_and_clock

    async def main() -> None:
        async with AsyncOffice(office) as host:
            fields = {
                "kind": "notice",
                "title": "来文",
                "sender": SUPERIOR,
                "channel": "paper",
                "received_at": office.now(),
            }
            first = await host.create("incoming_document", by=CLERK, idempotency_key="k", **fields)
            again = await host.desk("documents").receive(by=CLERK, idempotency_key="k", **fields)
            assert again == first
            fired = await host.fire(first.id, "register", by=CLERK, idempotency_key="r")
            assert await host.fire(first.id, "register", by=CLERK, idempotency_key="r") == fired

    asyncio.run(main())
