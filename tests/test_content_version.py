"""Content versions: a reminder between a user's read and their change is no conflict.

``Entity.version`` counts every audit event; ``content_version`` leaves out the
reminders a sweep records (``remind``: 催办, 督办升级, 进展催报). A host keeps the
content version in its ETag and fires with ``expected_content_version=``; the audit
keeps every event, replay is exact and a checkpoint commits to the whole sequence.
"""

from __future__ import annotations

import asyncio
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from conftest import START, STORES, SUPERVISOR, UNDERTAKER, UNIT_A
from secretarial import ConcurrencyConflict, HmacKey, Office, SupervisionItem
from secretarial.aio import AsyncOffice
from secretarial.testing import FrozenClock, SequentialIds

OFFICE_STORES = STORES
BEIJING = ZoneInfo("Asia/Shanghai")
DUE = date(2025, 10, 9)  # the first workday after the National Day holiday


def accepted_item(office: Office) -> SupervisionItem:
    """An item due 2025-10-09, assigned to 综合科 and accepted (content version 3)."""
    item = office.supervision.open(
        by=SUPERVISOR,
        source="leader_instruction",
        requirement="落实安全检查部署",
        instructed_by="leader",
        received_at=office.now(),
    )
    item = office.fire(item, "assign", by=SUPERVISOR, lead_unit=UNIT_A, deadline=DUE)
    return office.fire(item, "accept", by=UNDERTAKER)


def remind(office: Office, clock: FrozenClock, day: date) -> None:
    """Sweep on ``day`` at 09:00 Beijing time; at least one reminder is recorded."""
    clock.set(datetime.combine(day, time(9), BEIJING))
    assert office.sweep().issued


class TestAReminderIsNoConflict:
    def test_a_form_read_before_a_sweep_saves_after_it(
        self, office: Office, clock: FrozenClock
    ) -> None:
        read = accepted_item(office)
        etag = read.content_version
        assert (read.version, etag) == (3, 3)
        remind(office, clock, date(2025, 9, 28))  # before:3
        reminded = office.get(read.id)
        assert (reminded.version, reminded.content_version) == (4, 3)

        saved = office.fire(
            read.id,
            "report_progress",
            by=UNDERTAKER,
            expected_content_version=etag,
            text="已部署",
        )
        assert (saved.version, saved.content_version) == (5, 4)
        assert [e.trigger for e in office.audit(saved)][-2:] == ["remind", "report_progress"]
        assert office.replay(saved) == saved
        assert office.verify_audit().ok

    def test_the_entity_read_before_a_sweep_fires_after_it(
        self, office: Office, clock: FrozenClock
    ) -> None:
        read = accepted_item(office)
        remind(office, clock, date(2025, 9, 28))
        saved = office.fire(read, "report_progress", by=UNDERTAKER, text="已部署")
        assert saved.reminders  # fired on the stored entity, the reminder kept
        assert saved.version == read.version + 2

    def test_the_event_sequence_stays_strict(self, office: Office, clock: FrozenClock) -> None:
        read = accepted_item(office)
        remind(office, clock, date(2025, 9, 28))
        with pytest.raises(ConcurrencyConflict) as conflict:
            office.fire(
                read.id,
                "report_progress",
                by=UNDERTAKER,
                expected_version=read.version,
                text="已部署",
            )
        assert (conflict.value.expected_version, conflict.value.actual_version) == (3, 4)
        assert not conflict.value.content
        assert office.get(read.id).version == 4


class TestAChangeIsAConflict:
    def test_a_content_change_between_is_refused_and_changes_nothing(
        self, office: Office, clock: FrozenClock
    ) -> None:
        read = accepted_item(office)
        remind(office, clock, date(2025, 9, 28))
        office.fire(read.id, "report_progress", by=UNDERTAKER, text="第一次")
        before = office.get(read.id)
        trail = len(office.audit(read.id))
        with pytest.raises(ConcurrencyConflict) as conflict:
            office.fire(
                read.id,
                "report_progress",
                by=UNDERTAKER,
                expected_content_version=read.content_version,
                text="第二次",
            )
        assert conflict.value.content
        assert (conflict.value.expected_version, conflict.value.actual_version) == (3, 4)
        assert str(conflict.value) == (
            f"{read.id}: saved on content version 3, but the stored content version is 4; "
            "reload and try again"
        )
        assert office.get(read.id) == before
        assert len(office.audit(read.id)) == trail

    def test_the_entity_read_before_a_change_is_refused(self, office: Office) -> None:
        read = accepted_item(office)
        office.fire(read.id, "report_progress", by=UNDERTAKER, text="第一次")
        with pytest.raises(ConcurrencyConflict):
            office.fire(read, "report_progress", by=UNDERTAKER, text="第二次")


class TestCounting:
    def test_content_version_is_version_less_reminders_over_a_schedule(
        self, office: Office, clock: FrozenClock
    ) -> None:
        """Every step of the schedule (reminders, the escalation) leaves it as it was."""
        item = accepted_item(office)
        for day in (date(2025, 9, 28), date(2025, 9, 30), DUE, date(2025, 10, 13)):
            remind(office, clock, day)
        current = office.get(item.id)
        trail = office.audit(current)
        reminders = [e for e in trail if e.trigger == "remind"]
        assert any(e.payload["reminder_kind"] == "escalation" for e in reminders)
        assert current.version == len(trail)
        assert current.content_version == len(trail) - len(reminders) == 3
        assert office.replay(current) == current

    @pytest.mark.parametrize("store_url", STORES, indirect=True)
    def test_a_checkpoint_commits_to_every_event(self, store_url: str) -> None:
        clock = FrozenClock(START)
        office = Office.open(
            store_url, clock=clock, ids=SequentialIds(), checkpoint_key=HmacKey.generate()
        )
        item = accepted_item(office)
        remind(office, clock, date(2025, 9, 28))
        checkpoint = office.checkpoint()
        assert office.get(item.id).version == 4
        assert checkpoint.events == sum(e.version for e in office.list()) == 4
        assert office.verify_audit(against=checkpoint).ok
        office.close()


@pytest.mark.parametrize("office_and_clock", ["memory", "sqlite"], indirect=True)
def test_async_office_states_the_content_version(
    office_and_clock: tuple[Office, FrozenClock],
) -> None:
    office, clock = office_and_clock
    read = accepted_item(office)
    remind(office, clock, date(2025, 9, 28))

    async def main() -> None:
        async with AsyncOffice(office) as host:
            saved = await host.fire(
                read.id,
                "report_progress",
                by=UNDERTAKER,
                expected_content_version=read.content_version,
                text="已部署",
            )
            assert saved.content_version == read.content_version + 1
            with pytest.raises(ConcurrencyConflict):
                await host.fire(
                    read.id,
                    "report_progress",
                    by=UNDERTAKER,
                    expected_content_version=read.content_version,
                    text="再次",
                )

    asyncio.run(main())
