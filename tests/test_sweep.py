"""Reminders and escalation: the policy's schedule, and ``Office.sweep`` issuing it once.

The office runs in Beijing time on the Chinese calendar. Around the 2025 National Day
holiday: 2025-09-28 (a Sunday) and 2025-10-11 (a Saturday) are workdays, 2025-10-01 to
2025-10-08 are not.
"""

from __future__ import annotations

import subprocess
import sys
import threading
from collections import Counter
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

import secretarial
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
    UNIT_B,
)
from secretarial import (
    CalendarCoverageError,
    CalendarOverride,
    Classification,
    DueReminder,
    Entity,
    IncomingDocument,
    Office,
    ReminderKind,
    ReminderPolicy,
    ReportCycle,
    SupervisionItem,
    SweepReport,
    TableCalendar,
    UsageError,
    ValidationError,
    china_calendar,
    due_reminders,
)
from secretarial.adapters import MemoryStore
from secretarial.engine import UnitOfWork
from secretarial.testing import FrozenClock, SequentialIds

OFFICE_STORES = STORES  # through the office, on every store

BEIJING = ZoneInfo("Asia/Shanghai")
CN = china_calendar()


def at(day: date, hour: int = 9, minute: int = 0) -> datetime:
    """``hour:minute`` on ``day``, Beijing time."""
    return datetime.combine(day, time(hour, minute), BEIJING)


def days(first: date, last: date) -> list[date]:
    """Every calendar day from ``first`` to ``last``, both included."""
    return [first + timedelta(n) for n in range((last - first).days + 1)]


def open_item(
    office: Office,
    deadline: date,
    *,
    cycle: ReportCycle = ReportCycle.NONE,
    accept: bool = True,
) -> SupervisionItem:
    """A supervision item assigned to 综合科 (with 秘书科 helping) and accepted."""
    item: Entity = office.supervision.open(
        by=SUPERVISOR,
        source="leader_instruction",
        requirement="落实安全检查部署",
        instructed_by="leader",
        received_at=office.now(),
    )
    item = office.fire(
        item,
        "assign",
        by=SUPERVISOR,
        lead_unit=UNIT_A,
        co_units=[UNIT_B],
        deadline=deadline,
        report_cycle=cycle,
    )
    if accept:
        item = office.fire(item, "accept", by=UNDERTAKER)
    assert isinstance(item, SupervisionItem)
    return item


def office_actor_of_last_remind(office: Office, entity: Entity | str) -> str:
    """Who recorded the entity's latest reminder."""
    return [e for e in office.audit(entity) if e.trigger == "remind"][-1].actor.id


def remind_events(office: Office, entity: Entity | str) -> list[str]:
    """The steps recorded by ``remind`` in the entity's audit trail, in order."""
    return [str(e.payload["step"]) for e in office.audit(entity) if e.trigger == "remind"]


def sweep_daily(
    office: Office, clock: FrozenClock, first: date, last: date, hour: int = 9
) -> dict[date, list[str]]:
    """Sweep once a day from ``first`` to ``last``; the steps issued, by day."""
    issued: dict[date, list[str]] = {}
    for day in days(first, last):
        clock.set(at(day, hour))
        report = office.sweep()
        if report.issued:
            issued[day] = [r.step for r in report.issued]
    return issued


# The schedule of an item due on Thursday 2025-10-09, the first workday after the holiday.
DUE_OCT_9 = {
    date(2025, 9, 28): ["before:3"],  # a Sunday, but a workday
    date(2025, 9, 30): ["before:1"],
    date(2025, 10, 9): ["due"],
    date(2025, 10, 10): ["overdue:1"],
    date(2025, 10, 11): ["overdue:2"],  # a Saturday, but a workday
    date(2025, 10, 13): ["overdue:3", "escalate"],
    date(2025, 10, 14): ["overdue:4"],
}


class TestSupervisionItemLife:
    """A supervision item gets the right reminders on the right days, once each."""

    def test_reminders_fall_on_working_days_across_national_day(
        self, office: Office, clock: FrozenClock
    ) -> None:
        item = open_item(office, date(2025, 10, 9))
        issued = sweep_daily(office, clock, date(2025, 9, 26), date(2025, 10, 14))
        assert issued == DUE_OCT_9
        assert remind_events(office, item) == [s for steps in DUE_OCT_9.values() for s in steps]

    def test_each_reminder_is_recorded_on_the_entity_and_audited_by_the_system(
        self, office: Office, clock: FrozenClock
    ) -> None:
        item = open_item(office, date(2025, 10, 9))
        clock.set(at(date(2025, 9, 28), 10))
        report = office.sweep()
        (reminder,) = report.issued
        assert reminder.entity_id == item.id
        assert reminder.kind is ReminderKind.REMINDER
        assert reminder.due == date(2025, 10, 9)
        assert reminder.on == date(2025, 9, 28)
        assert reminder.to == (UNIT_A["code"], UNIT_B["code"])
        assert "2025-10-09" in reminder.message
        assert "3 个工作日" in reminder.message
        assert "3 working days" in reminder.message
        stored = office.get(item.id, SupervisionItem)
        (recorded,) = stored.reminders
        assert (recorded.step, recorded.due, recorded.to) == (
            "before:3",
            item.deadline,
            reminder.to,
        )
        assert recorded.note == reminder.message
        assert recorded.by == "system"
        assert stored.state == item.state  # a reminder is a recorded action, not a state change
        event = office.audit(item)[-1]
        assert event.trigger == "remind"
        assert event.actor.id == "system"
        assert event.version == stored.version
        assert office.replay(item) == stored

    def test_sweeping_every_hour_issues_each_step_once(
        self, office: Office, clock: FrozenClock
    ) -> None:
        item = open_item(office, date(2025, 10, 9))
        issued: dict[date, list[str]] = {}
        clock.set(at(date(2025, 9, 26), 0))
        while clock.now() < at(date(2025, 10, 15), 0):
            report = office.sweep()
            day = clock.now().astimezone(BEIJING).date()
            issued.setdefault(day, []).extend(r.step for r in report.issued)
            clock.advance(hours=1)
        assert {d: s for d, s in issued.items() if s} == DUE_OCT_9
        steps = remind_events(office, item)
        assert len(steps) == len(set(steps)) == 8

    def test_a_second_sweep_the_same_day_issues_nothing(
        self, office: Office, clock: FrozenClock
    ) -> None:
        open_item(office, date(2025, 10, 9))
        clock.set(at(date(2025, 10, 13), 9))
        first = office.sweep()
        clock.set(at(date(2025, 10, 13), 17))
        second = office.sweep()
        assert [r.step for r in first.issued] == ["overdue:3", "escalate"]
        assert second.issued == ()
        assert second.skipped == ()
        assert second.checked == 1

    def test_escalation_goes_to_the_supervisor_on_the_third_overdue_working_day(
        self, office: Office, clock: FrozenClock
    ) -> None:
        item = open_item(office, date(2025, 9, 30))
        issued = sweep_daily(office, clock, date(2025, 9, 26), date(2025, 10, 13))
        assert issued == {
            date(2025, 9, 26): ["before:3"],  # only 3 working days left when assigned
            date(2025, 9, 29): ["before:1"],
            date(2025, 9, 30): ["due"],
            date(2025, 10, 9): ["overdue:1"],
            date(2025, 10, 10): ["overdue:2"],
            date(2025, 10, 11): ["overdue:3", "escalate"],  # Saturday, a workday
            date(2025, 10, 13): ["overdue:4"],
        }
        escalation = next(
            r for r in office.get(item.id, SupervisionItem).reminders if r.step == "escalate"
        )
        assert escalation.reminder_kind is ReminderKind.ESCALATION
        assert escalation.to == (SUPERVISOR.id, "leader")

    def test_missed_days_are_not_caught_up_but_escalation_is(
        self, office: Office, clock: FrozenClock
    ) -> None:
        item = open_item(office, date(2025, 9, 30))
        clock.set(at(date(2025, 10, 14)))  # no sweep ran since the deadline
        report = office.sweep()
        assert [(r.step, r.kind) for r in report.issued] == [
            ("overdue:5", ReminderKind.REMINDER),
            ("escalate", ReminderKind.ESCALATION),
        ]
        assert "5 working days overdue" in report.issued[0].message
        assert remind_events(office, item) == ["overdue:5", "escalate"]

    def test_nothing_after_the_result_is_reported_or_the_item_verified(
        self, office: Office, clock: FrozenClock
    ) -> None:
        item = open_item(office, date(2025, 10, 9))
        sweep_daily(office, clock, date(2025, 9, 26), date(2025, 10, 10))
        clock.set(at(date(2025, 10, 10), 15))
        office.fire(item.id, "submit_result", by=UNDERTAKER, result="已完成检查")
        assert sweep_daily(office, clock, date(2025, 10, 11), date(2025, 10, 14)) == {}
        clock.set(at(date(2025, 10, 14), 15))
        office.fire(item.id, "verify", by=SUPERVISOR, verification="情况属实")
        assert sweep_daily(office, clock, date(2025, 10, 15), date(2025, 10, 31)) == {}
        assert remind_events(office, item) == ["before:3", "before:1", "due", "overdue:1"]

    def test_rework_resumes_the_overdue_reminders(self, office: Office, clock: FrozenClock) -> None:
        item = open_item(office, date(2025, 10, 9))
        clock.set(at(date(2025, 10, 9), 15))
        office.fire(item.id, "submit_result", by=UNDERTAKER, result="已完成检查")
        clock.set(at(date(2025, 10, 10), 15))
        office.fire(item.id, "reject", by=SUPERVISOR, reason="缺少整改清单")
        clock.set(at(date(2025, 10, 11)))
        assert [r.step for r in office.sweep().issued] == ["overdue:2"]

    def test_nothing_after_cancellation(self, office: Office, clock: FrozenClock) -> None:
        item = open_item(office, date(2025, 10, 9))
        sweep_daily(office, clock, date(2025, 9, 26), date(2025, 9, 29))
        office.fire(item.id, "cancel", by=SUPERVISOR, reason="并入另一督办事项")
        assert sweep_daily(office, clock, date(2025, 9, 30), date(2025, 10, 31)) == {}
        assert remind_events(office, item) == ["before:3"]

    def test_a_granted_extension_starts_the_schedule_again(
        self, office: Office, clock: FrozenClock
    ) -> None:
        item = open_item(office, date(2025, 9, 30))
        assert sweep_daily(office, clock, date(2025, 9, 26), date(2025, 9, 29)) == {
            date(2025, 9, 26): ["before:3"],
            date(2025, 9, 29): ["before:1"],
        }
        clock.set(at(date(2025, 9, 29), 15))
        office.fire(
            item.id,
            "request_extension",
            by=UNDERTAKER,
            reason="需等待检测报告",
            proposed_deadline=date(2025, 10, 14),
        )
        office.fire(item.id, "grant_extension", by=SUPERVISOR, deadline=date(2025, 10, 14))
        issued = sweep_daily(office, clock, date(2025, 9, 30), date(2025, 10, 15))
        assert issued == {
            date(2025, 10, 10): ["before:3@2025-10-14"],  # 10-10, 10-11, 10-13 are left
            date(2025, 10, 13): ["before:1@2025-10-14"],
            date(2025, 10, 14): ["due"],  # never used before: the plain key
            date(2025, 10, 15): ["overdue:1"],
        }

    def test_an_item_not_yet_accepted_reminds_its_lead_unit(self, office: Office) -> None:
        open_item(office, date(2025, 9, 29), accept=False)
        report = office.sweep()
        assert [(r.step, r.to) for r in report.issued] == [("before:3", ("ZHK", "MSK"))]


class TestReportCycle:
    """Periodic progress reports: a reminder when a cycle passes without one."""

    def test_a_week_without_a_report_asks_for_one_on_the_next_working_day(
        self, office: Office, clock: FrozenClock
    ) -> None:
        item = open_item(office, date(2025, 11, 28), cycle=ReportCycle.WEEKLY)
        issued = sweep_daily(office, clock, date(2025, 9, 26), date(2025, 10, 17))
        assert issued == {
            # due 10-03, in the holiday: asked for on the first workday after it
            date(2025, 10, 9): ["report:2025-09-26"],
            date(2025, 10, 10): ["report:2025-10-03"],
            date(2025, 10, 17): ["report:2025-10-10"],
        }
        reminder = office.get(item.id, SupervisionItem).reminders[0]
        assert reminder.reminder_kind is ReminderKind.REPORT_DUE
        assert reminder.due == date(2025, 10, 3)
        assert reminder.to == ("ZHK",)

    def test_no_request_while_reports_come_in_every_week(
        self, office: Office, clock: FrozenClock
    ) -> None:
        item = open_item(office, date(2025, 11, 28), cycle=ReportCycle.WEEKLY)
        reports = [date(2025, 9, 30), date(2025, 10, 7), date(2025, 10, 14), date(2025, 10, 21)]
        issued: dict[date, list[str]] = {}
        for day in days(date(2025, 9, 26), date(2025, 10, 27)):
            if day in reports:
                clock.set(at(day, 8))
                office.fire(item.id, "report_progress", by=UNDERTAKER, text="按计划推进")
            clock.set(at(day, 9))
            issued.update({day: [r.step for r in office.sweep().issued]})
        assert {d: s for d, s in issued.items() if s} == {}

    def test_the_cycle_runs_from_the_last_report(self, office: Office, clock: FrozenClock) -> None:
        item = open_item(office, date(2025, 11, 28), cycle=ReportCycle.WEEKLY)
        clock.set(at(date(2025, 9, 30), 16))
        office.fire(item.id, "report_progress", by=UNDERTAKER, text="已部署")
        issued = sweep_daily(office, clock, date(2025, 9, 30), date(2025, 10, 14))
        assert issued == {
            date(2025, 10, 9): ["report:2025-09-30"],  # due 10-07, in the holiday
            date(2025, 10, 14): ["report:2025-10-07"],
        }

    def test_the_cycle_starts_at_acceptance(self, office: Office, clock: FrozenClock) -> None:
        item = open_item(office, date(2025, 11, 28), cycle=ReportCycle.WEEKLY, accept=False)
        clock.set(at(date(2025, 9, 30)))
        office.fire(item.id, "accept", by=UNDERTAKER)
        issued = sweep_daily(office, clock, date(2025, 9, 26), date(2025, 10, 9))
        assert issued == {date(2025, 10, 9): ["report:2025-09-30"]}

    def test_a_monthly_cycle(self, office: Office, clock: FrozenClock) -> None:
        open_item(office, date(2025, 12, 31), cycle=ReportCycle.MONTHLY)
        issued = sweep_daily(office, clock, date(2025, 9, 26), date(2025, 10, 27))
        assert issued == {date(2025, 10, 27): ["report:2025-09-26"]}  # 10-26 is a Sunday


class TestIncomingDocument:
    """An incoming document with a handling deadline is reminded like an item."""

    @staticmethod
    def handled(office: Office, deadline: date) -> IncomingDocument:
        doc: Entity = office.documents.receive(
            by=CLERK,
            kind="notice",
            title="关于开展安全检查的通知",
            sender=SUPERIOR,
            channel="paper",
            received_at=office.now(),
        )
        doc = office.fire(doc, "register", by=CLERK)
        doc = office.fire(doc, "screen", by=CLERK)
        doc = office.fire(
            doc, "propose", by=DIRECTOR, handling_type="for_handling", lead_unit=UNIT_A
        )
        doc = office.fire(
            doc, "approve", by=LEADER, instruction="请综合科办理", deadline=deadline, chaser="clerk"
        )
        doc = office.fire(doc, "assign", by=CLERK, assignee=UNDERTAKER.id)
        assert isinstance(doc, IncomingDocument)
        return doc

    def test_reminders_until_it_is_completed(self, office: Office, clock: FrozenClock) -> None:
        doc = self.handled(office, date(2025, 10, 9))
        issued = sweep_daily(office, clock, date(2025, 9, 26), date(2025, 10, 10))
        assert issued == {
            date(2025, 9, 28): ["before:3"],
            date(2025, 9, 30): ["before:1"],
            date(2025, 10, 9): ["due"],
            date(2025, 10, 10): ["overdue:1"],
        }
        reminders = office.get(doc.id, IncomingDocument).reminders
        assert reminders[0].to == ("ZHK", UNDERTAKER.id, "clerk")
        clock.set(at(date(2025, 10, 10), 16))
        office.fire(doc.id, "complete", by=UNDERTAKER, result="已完成")
        assert sweep_daily(office, clock, date(2025, 10, 11), date(2025, 10, 20)) == {}

    def test_an_escalation_goes_to_the_approving_leader_and_the_chaser(
        self, office: Office, clock: FrozenClock
    ) -> None:
        self.handled(office, date(2025, 9, 30))
        clock.set(at(date(2025, 10, 11)))
        escalation = office.sweep().issued[-1]
        assert (escalation.step, escalation.to) == ("escalate", (LEADER.id, "clerk"))


class TestSweep:
    """What a sweep reports, when it runs, who issues the reminders, what it refuses."""

    def test_a_non_working_day_issues_nothing(self, office: Office) -> None:
        open_item(office, date(2025, 9, 30))
        report = office.sweep(at(date(2025, 10, 3)))
        assert isinstance(report, SweepReport)
        assert (report.workday, report.day, report.issued, report.checked) == (
            False,
            date(2025, 10, 3),
            (),
            0,
        )

    def test_the_day_is_the_office_s_local_day(self, office: Office) -> None:
        open_item(office, date(2025, 9, 30))
        # 2025-09-27 20:00 UTC is Sunday 2025-09-28 04:00 in Beijing: a workday
        report = office.sweep(datetime(2025, 9, 27, 20, tzinfo=UTC))
        assert report.day == date(2025, 9, 28)
        assert [r.step for r in report.issued] == ["before:3"]  # 09-28 and 09-29 are left
        assert report.at.utcoffset() == timedelta(hours=8)

    def test_entities_without_a_deadline_are_not_checked(self, office: Office) -> None:
        office.documents.receive(
            by=CLERK, kind="notice", title="通知", sender=SUPERIOR, channel="paper",
            received_at=office.now(),
        )  # fmt: skip
        open_item(office, date(2025, 12, 31))
        assert office.sweep().checked == 1

    def test_by_names_who_issues_the_reminders(self, office: Office) -> None:
        item = open_item(office, date(2025, 9, 30))
        report = office.sweep(by=CLERK)
        assert [r.step for r in report.issued] == ["before:3"]
        assert office.audit(item)[-1].actor == CLERK

    def test_an_actor_who_may_not_remind_is_refused_per_step(self, office: Office) -> None:
        item = open_item(office, date(2025, 9, 30))
        report = office.sweep(by=UNDERTAKER)
        assert report.issued == ()
        ((entity_id, step, reason),) = [(s.entity_id, s.step, s.reason) for s in report.skipped]
        assert (entity_id, step, reason) == (item.id, "before:3", "refused")
        assert remind_events(office, item) == []

    def test_a_naive_moment_is_refused(self, office: Office) -> None:
        with pytest.raises(ValidationError) as info:
            office.sweep(datetime(2025, 9, 29, 9))  # noqa: DTZ001 -- the point of the test
        assert info.value.fields == ("now",)

    def test_a_day_outside_the_calendar_raises(self, office: Office) -> None:
        with pytest.raises(CalendarCoverageError):
            office.sweep(datetime(2031, 1, 6, 9, tzinfo=BEIJING))

    def test_a_deadline_outside_the_calendar_is_skipped_and_reported(
        self, clock: FrozenClock
    ) -> None:
        office = Office.in_memory(clock=clock, ids=SequentialIds(), calendar_policy="strict")
        near = open_item(office, date(2025, 9, 30))
        clock.set(at(date(2026, 12, 30)))
        far = open_item(office, date(2027, 1, 4))
        report = office.sweep()
        assert [(s.entity_id, s.reason) for s in report.skipped] == [(far.id, "calendar_coverage")]
        assert "2027-01-04" in report.skipped[0].detail
        assert {r.entity_id for r in report.issued} == {near.id}

    def test_a_deadline_in_a_provisional_year_is_swept(
        self, office: Office, clock: FrozenClock
    ) -> None:
        clock.set(at(date(2026, 12, 30)))
        far = open_item(office, date(2027, 1, 4))
        report = office.sweep()
        assert report.skipped == ()
        assert {r.entity_id for r in report.issued} == {far.id}


class TestOfficeConfiguration:
    """The office's calendar and policy are its own to choose."""

    def test_a_policy_and_a_calendar_of_the_office(self) -> None:
        closure = CalendarOverride(name="office closure", holidays=frozenset({date(2025, 9, 29)}))
        clock = FrozenClock(START)
        office = Office.in_memory(
            clock=clock,
            ids=SequentialIds(),
            calendar=CN.with_overrides(closure),
            reminder_policy=ReminderPolicy(before=(2,), escalate_after=None, overdue=False),
        )
        open_item(office, date(2025, 10, 9))
        issued = sweep_daily(office, clock, date(2025, 9, 26), date(2025, 10, 20))
        assert issued == {date(2025, 9, 28): ["before:2"], date(2025, 10, 9): ["due"]}
        assert office.reminder_policy.before == (2,)

    def test_the_policy_is_passed_through_open(self) -> None:
        policy = ReminderPolicy(before=())
        with Office.open("memory://", reminder_policy=policy, calendar=CN) as office:
            assert office.reminder_policy is policy

    def test_the_chinese_calendar_is_loaded_only_by_a_sweep(self) -> None:
        code = (
            "import sys\n"
            "from secretarial import Office\n"
            "office = Office.in_memory()\n"
            "print('chinese_calendar' in sys.modules)\n"
            "office.sweep()\n"
            "print('chinese_calendar' in sys.modules)\n"
        )
        out = subprocess.run(  # noqa: S603 -- our own interpreter running a literal
            [sys.executable, "-c", code], capture_output=True, text=True, check=True
        ).stdout
        assert out.split() == ["False", "True"]


class TestPolicy:
    """The pure schedule: ``due_reminders`` and ``ReminderPolicy``."""

    @staticmethod
    def item(deadline: date, **fields: object) -> SupervisionItem:
        moment = at(date(2025, 9, 26))
        return SupervisionItem.model_validate(
            {
                "id": "sup-1",
                "version": 3,
                "state": "in_progress",
                "created_at": moment,
                "created_by": SUPERVISOR.id,
                "updated_at": moment,
                "source": "leader_instruction",
                "requirement": "落实安全检查部署",
                "received_at": moment,
                "lead_unit": UNIT_A,
                "deadline": deadline,
                **fields,
            }
        )

    def test_the_defaults(self) -> None:
        policy = ReminderPolicy()
        assert (policy.before, policy.on_deadline, policy.overdue, policy.escalate_after) == (
            (3, 1),
            True,
            True,
            3,
        )

    def test_before_is_kept_largest_first_and_each_count_once(self) -> None:
        assert ReminderPolicy(before=(1, 5, 2)).before == (5, 2, 1)
        with pytest.raises(secretarial.ValidationError, match="appears once"):
            ReminderPolicy(before=(3, 3))
        with pytest.raises(secretarial.ValidationError):
            ReminderPolicy(before=(0,))

    def test_recording_what_is_due_makes_nothing_due(self) -> None:
        item = self.item(date(2025, 9, 30))
        today = date(2025, 10, 11)
        due = due_reminders(item, ReminderPolicy(), CN, today)
        assert [r.step for r in due] == ["overdue:3", "escalate"]
        assert all(isinstance(r, DueReminder) for r in due)
        recorded = item.model_copy(
            update={
                "reminders": tuple(
                    {"by": "system", "at": at(today), **r.remind_input()} for r in due
                )
            }
        )
        recorded = SupervisionItem.model_validate(dict(recorded))
        assert due_reminders(recorded, ReminderPolicy(), CN, today) == []

    def test_a_deadline_on_a_holiday_is_due_on_the_last_workday_before_it(self) -> None:
        item = self.item(date(2025, 10, 3))
        assert [r.step for r in due_reminders(item, ReminderPolicy(), CN, date(2025, 9, 30))] == [
            "due"
        ]
        assert [r.step for r in due_reminders(item, ReminderPolicy(), CN, date(2025, 10, 9))] == [
            "overdue:1"
        ]

    def test_a_far_deadline_beyond_the_calendar_is_not_guessed_when_it_matters(self) -> None:
        item = self.item(date(2027, 1, 8))
        assert due_reminders(item, ReminderPolicy(), CN, date(2026, 12, 1)) == []
        with pytest.raises(CalendarCoverageError):
            due_reminders(item, ReminderPolicy(), CN, date(2026, 12, 29))

    def test_today_must_be_a_date(self) -> None:
        with pytest.raises(UsageError):
            due_reminders(self.item(date(2025, 10, 9)), ReminderPolicy(), CN, at(date(2025, 9, 29)))

    def test_a_classified_title_stays_out_of_the_message(self) -> None:
        item = self.item(date(2025, 9, 30), classification=Classification.CONFIDENTIAL)
        (due,) = due_reminders(item, ReminderPolicy(), CN, date(2025, 9, 30))
        assert "落实" not in due.message
        assert "sup-1" in due.message

    def test_a_calendar_without_weekends_off(self) -> None:
        calendar = TableCalendar(id="7/7", covered=(2025, 2025), weekend=frozenset())
        item = self.item(date(2025, 10, 5))
        assert [
            r.step for r in due_reminders(item, ReminderPolicy(), calendar, date(2025, 10, 2))
        ] == ["before:3"]

    def test_a_quarterly_cycle_clamps_to_the_end_of_a_short_month(self) -> None:
        item = self.item(date(2026, 12, 31), report_cycle=ReportCycle.QUARTERLY)
        start = date(2025, 11, 30)
        policy = ReminderPolicy(before=(), on_deadline=False)
        assert due_reminders(item, policy, CN, date(2026, 2, 27), cycle_start=start) == []
        (due,) = due_reminders(item, policy, CN, date(2026, 3, 2), cycle_start=start)
        assert (due.step, due.due) == ("report:2025-11-30", date(2026, 2, 28))
        assert due.kind is ReminderKind.REPORT_DUE


class Interfering:
    """A memory store on which another writer acts just before the sweep's first write."""

    def __init__(self) -> None:
        self.inner = MemoryStore()
        self.before_next_write: Callable[[], object] | None = None

    def unit_of_work(self) -> AbstractContextManager[UnitOfWork]:
        act, self.before_next_write = self.before_next_write, None
        if act is not None:
            act()
        return self.inner.unit_of_work()

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)


class TestConcurrentSweeps:
    """Two workers sweeping one office at once issue each reminder exactly once."""

    @staticmethod
    def offices() -> tuple[Interfering, Office, Office]:
        store = Interfering()
        clock = FrozenClock(at(date(2025, 10, 13)))
        mine = Office(store, clock=clock, ids=SequentialIds())
        other = Office(store.inner, clock=clock, ids=SequentialIds(100))
        return store, mine, other

    def test_a_step_another_worker_records_first_is_skipped(self) -> None:
        store, mine, other = self.offices()
        item = open_item(mine, date(2025, 10, 13))
        store.before_next_write = other.sweep
        report = mine.sweep()
        assert report.issued == ()
        assert [(s.entity_id, s.step, s.reason) for s in report.skipped] == [
            (item.id, "due", "already_recorded")
        ]
        assert remind_events(mine, item) == ["due"]
        assert office_actor_of_last_remind(mine, item) == "system"

    def test_a_step_whose_entity_closes_meanwhile_is_skipped(self) -> None:
        store, mine, other = self.offices()
        item = open_item(mine, date(2025, 10, 13))

        def cancel() -> None:
            other.fire(item.id, "cancel", by=SUPERVISOR, reason="撤销")

        store.before_next_write = cancel
        report = mine.sweep()
        assert report.issued == ()
        assert [(s.step, s.reason) for s in report.skipped] == [("due", "no_longer_due")]
        assert remind_events(mine, item) == []

    def test_an_unrelated_change_meanwhile_does_not_lose_the_step(self) -> None:
        store, mine, other = self.offices()
        item = open_item(mine, date(2025, 10, 13))

        def report_progress() -> None:
            other.fire(item.id, "report_progress", by=UNDERTAKER, text="进展顺利")

        store.before_next_write = report_progress
        report = mine.sweep()
        assert [r.step for r in report.issued] == ["due"]
        assert report.skipped == ()

    @pytest.mark.parametrize("store_url", ["sqlite", "postgres"], indirect=True)
    def test_each_step_is_issued_once(self, store_url: str) -> None:
        clock = FrozenClock(START)
        with Office.open(store_url, clock=clock, ids=SequentialIds()) as setup:
            items = [
                open_item(setup, deadline, cycle=cycle)
                for deadline in (date(2025, 9, 30), date(2025, 10, 9), date(2025, 10, 15))
                for cycle in (ReportCycle.NONE, ReportCycle.WEEKLY)
                for _ in range(4)
            ]
            workers = [Office.open(store_url, clock=clock) for _ in range(2)]
            reports: list[SweepReport] = []
            errors: list[BaseException] = []
            barrier = threading.Barrier(len(workers))

            def sweep(office: Office) -> None:
                try:
                    for day in (date(2025, 10, 9), date(2025, 10, 13)):
                        barrier.wait()
                        reports.extend(office.sweep(at(day)) for _ in range(2))
                except BaseException as e:  # noqa: BLE001 -- reported by the test
                    errors.append(e)

            threads = [threading.Thread(target=sweep, args=(w,)) for w in workers]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            for w in workers:
                w.close()
            assert errors == []
            events = Counter(
                (item.id, step) for item in items for step in remind_events(setup, item)
            )
            assert events, "something was due"
            assert set(events.values()) == {1}
            assert sum(len(r.issued) for r in reports) == sum(events.values())
            assert {s.reason for r in reports for s in r.skipped} <= {"already_recorded"}
            for item in items:
                steps = remind_events(setup, item)
                assert len(steps) == len(set(steps))
                assert steps == [r.step for r in setup.get(item.id).reminders]


# ============================================================================ property
@dataclass(frozen=True)
class Scenario:
    """One supervision item's life, day by day from 2025-09-26, swept at a few hours a day."""

    deadline_in: int
    span: int
    hours: list[int]
    cycle: ReportCycle
    report_days: set[int]
    closing: tuple[int, str] | None
    extension: tuple[int, int] | None


SCENARIOS = st.builds(
    Scenario,
    deadline_in=st.integers(0, 30),
    span=st.integers(1, 45),
    hours=st.lists(st.integers(0, 23), min_size=1, max_size=3, unique=True),
    cycle=st.sampled_from(list(ReportCycle)),
    report_days=st.sets(st.integers(0, 45), max_size=6),
    closing=st.one_of(
        st.none(), st.tuples(st.integers(0, 40), st.sampled_from(["verify", "cancel"]))
    ),
    extension=st.one_of(st.none(), st.tuples(st.integers(0, 30), st.integers(1, 20))),
)


def live_one_day(office: Office, item_id: str, scenario: Scenario, n: int) -> None:
    """What the people do on day ``n`` of the scenario (before the 09:00 sweeps)."""
    current = office.get(item_id, SupervisionItem)
    if current.state != "in_progress":
        return
    if n in scenario.report_days:
        office.fire(item_id, "report_progress", by=UNDERTAKER, text="进展")
    deadline = current.deadline
    assert deadline is not None
    extension = scenario.extension
    if extension is not None and extension[0] == n and deadline >= office.today():
        new = deadline + timedelta(extension[1])
        office.fire(item_id, "request_extension", by=UNDERTAKER, reason="r", proposed_deadline=new)
        office.fire(item_id, "grant_extension", by=SUPERVISOR, deadline=new)
    if scenario.closing is not None and scenario.closing[0] == n:
        if scenario.closing[1] == "verify":
            office.fire(item_id, "submit_result", by=UNDERTAKER, result="done")
            office.fire(item_id, "verify", by=SUPERVISOR, verification="ok")
        else:
            office.fire(item_id, "cancel", by=SUPERVISOR, reason="r")


@given(SCENARIOS)
def test_each_step_at_most_once_and_never_after_closing(scenario: Scenario) -> None:
    """Sweeping every day of a range issues each step once, on workdays, while open."""
    first = date(2025, 9, 26)
    clock = FrozenClock(at(first, 8))
    office = Office.in_memory(clock=clock, ids=SequentialIds(), calendar=CN)
    item = open_item(office, first + timedelta(scenario.deadline_in), cycle=scenario.cycle)
    issued = 0
    for n, day in enumerate(days(first, first + timedelta(scenario.span - 1))):
        clock.set(at(day, 8, 30))
        live_one_day(office, item.id, scenario, n)
        for hour in sorted(scenario.hours):
            clock.set(at(day, hour))
            issued += len(office.sweep().issued)
    trail = office.audit(item)
    reminds = [e for e in trail if e.trigger == "remind"]
    steps = [str(e.payload["step"]) for e in reminds]
    assert len(steps) == len(set(steps))
    assert issued == len(reminds)
    assert all(CN.is_workday(e.at.astimezone(BEIJING).date()) for e in reminds)
    closed = [e.version for e in trail if e.target in ("verified", "cancelled")]
    if closed:
        assert all(e.version < closed[0] for e in reminds)
