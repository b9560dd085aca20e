"""Meetings through the Office, on every store: planning, conflicts, closing with follow-up."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from conftest import CLERK, LEADER, PRINCIPAL, STORES, SUPERVISOR, actor
from secretarial import (
    Meeting,
    Office,
    Role,
    RuleViolation,
    SupervisionItem,
    SupervisionSource,
)
from secretarial.supervision import DeadlinePolicy, DeadlineRule, DeadlineUnit, SourceDeadlines
from secretarial.testing import FrozenClock, SequentialIds

OFFICE_STORES = STORES  # through the office, on every store

START = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)  # Monday 2026-03-02, 09:00 in Beijing
ZONE = "Asia/Shanghai"


@pytest.fixture
def office(store_url: str) -> Iterator[Office]:
    """An office whose meeting decisions are due in 5 working days."""
    policy = DeadlinePolicy(
        meeting_decision=SourceDeadlines(
            normal=DeadlineRule(amount=5, unit=DeadlineUnit.WORKING_DAYS, basis="local")
        )
    )
    with Office.open(
        store_url, clock=FrozenClock(START), ids=SequentialIds(), deadline_policy=policy
    ) as opened:
        yield opened


def at(day: int, hour: int) -> datetime:
    return datetime(2026, 3, day, hour, 0, tzinfo=ZoneInfo(ZONE))


def plan(office: Office, title: str, start: datetime, **fields: object) -> Meeting:
    values: dict[str, object] = {
        "meeting_kind": "office",
        "title": title,
        "organizer": {"actor_id": "clerk", "name": "文书"},
        "chair": {"actor_id": "principal", "name": "王主任"},
        "attendees": [{"actor_id": "principal", "name": "王主任"}],
        "room": "第一会议室",
        "start": start,
        "end": start + timedelta(hours=2),
        "timezone": ZONE,
        "agenda": [{"topic": "工作部署", "presenter": "principal", "minutes": 30}],
    }
    values.update(fields)
    return office.meetings.plan(by=CLERK, **values)


@pytest.mark.parametrize("store_url", ["memory", "sqlite", "postgres"], indirect=True)
class TestMeetings:
    """Meetings behave alike on every store."""

    def test_weekly_meeting_against_a_one_off_in_the_same_room(self, office: Office) -> None:
        weekly = plan(
            office,
            "周例会",
            at(5, 9),
            recurrence={
                "frequency": "weekly",
                "by_weekday": ["TH"],
                "count": 8,
                "timezone": ZONE,
                "start": at(5, 9),
                "duration": timedelta(hours=2),
            },
        )
        with pytest.raises(RuleViolation) as refused:
            plan(office, "专题会", at(19, 10), attendees=[{"actor_id": "x", "name": "X"}])
        assert refused.value.rule_code == "M9"
        assert "第一会议室" in str(refused.value)
        assert office.list(kind="meeting") == [weekly]
        # the third sitting skipped, the same slot is free
        office.fire(weekly, "skip_occurrence", by=CLERK, original_start=at(19, 9))
        other = plan(office, "专题会", at(19, 10), attendees=[{"actor_id": "x", "name": "X"}])
        assert office.meetings.conflicts(other) == []

    def test_a_required_attendee_cannot_be_in_two_places(self, office: Office) -> None:
        plan(office, "党组会", at(5, 9))
        with pytest.raises(RuleViolation) as refused:
            plan(office, "办公会", at(5, 10), room="第二会议室")
        assert "principal" in str(refused.value)

    def test_closing_with_three_decisions_opens_three_items(self, office: Office) -> None:
        meeting = plan(
            office,
            "主任办公会",
            at(2, 15),
            attendees=[
                {"actor_id": "principal", "name": "王主任"},
                {"actor_id": "leader", "name": "李副主任"},
            ],
        )
        meeting = office.fire(meeting, "notify", by=CLERK)
        meeting = office.fire(
            meeting,
            "check_in",
            by=CLERK,
            records=[
                {"actor_id": "principal", "status": "present"},
                {"actor_id": "leader", "status": "present"},
            ],
        )
        unit = {"code": "ZHK", "name": "综合科"}
        meeting = office.fire(
            meeting,
            "record_minutes",
            by=CLERK,
            text="会议纪要",
            decisions=[
                {"text": "完成安全自查", "lead_unit": unit},
                {"text": "修订值班制度", "lead_unit": unit},
                {"text": "报送整改清单", "lead_unit": unit, "deadline": "2026-03-31"},
                {"text": "原则同意部署", "needs_follow_up": False},
            ],
        )
        closure = office.meetings.close(meeting, by=PRINCIPAL, opened_by=SUPERVISOR)
        closed, items = closure  # a pair, with names
        assert (closure.meeting, closure.items) == (closed, items)
        shown = closure._repr_html_()  # what Jupyter shows: the items opened, as a table
        assert f"({closed.id}) closed: 3 supervision items opened" in shown
        assert all(f"<td>{i.id}</td>" in shown for i in items)
        assert shown.count("<tr>") == 1 + 3
        assert closed.state == "closed"
        assert len(items) == 3
        assert all(i.source is SupervisionSource.MEETING_DECISION for i in items)
        assert {i.source_ref for i in items} == {closed.id}
        # 5 working days after Monday 2026-03-02 is Monday 2026-03-09
        assert [i.deadline for i in items] == [
            date(2026, 3, 9),
            date(2026, 3, 9),
            date(2026, 3, 31),
        ]
        assert [i.deadline_calendar for i in items] == ["CN", "CN", None]
        assert "5 working days" in (items[0].deadline_rule or "")
        for item in items:
            assert office.get(item.id, SupervisionItem) == item
            assert office.replay(item) == item
        assert office.replay(closed) == closed
        assert office.verify_audit().ok

    def test_a_refused_close_opens_nothing(self, office: Office) -> None:
        meeting = plan(office, "会", at(2, 15))
        meeting = office.fire(meeting, "notify", by=CLERK)
        meeting = office.fire(
            meeting, "check_in", by=CLERK, records=[{"actor_id": "principal", "status": "present"}]
        )
        meeting = office.fire(
            meeting,
            "record_minutes",
            by=CLERK,
            text="纪要",
            decisions=[{"text": "落实", "lead_unit": {"code": "A", "name": "A"}}],
        )
        clerk_only = actor("c2", Role.CLERK)
        with pytest.raises(Exception, match="ROLE"):
            office.meetings.close(meeting, by=clerk_only, opened_by=SUPERVISOR)
        assert office.list(kind="supervision_item") == []
        assert office.get(meeting.id) == meeting
        assert LEADER.id != clerk_only.id
