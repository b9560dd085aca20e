"""The daily brief: what each person must act on today, as their roles say."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from conftest import CLERK, DIRECTOR, LEADER, SUPERIOR, SUPERVISOR, UNDERTAKER, UNIT_A
from secretarial import Office
from secretarial.testing import FrozenClock


def office_with_work(office: Office, clock: FrozenClock) -> None:
    """A morning in the office: documents at several steps, items, a meeting."""
    waiting_for_leader = office.documents.receive(
        by=CLERK,
        kind="notice",
        title="关于开展安全检查的通知",
        sender=SUPERIOR,
        channel="paper",
        received_at=office.now(),
    )
    waiting_for_leader = office.fire(waiting_for_leader, "register", by=CLERK)
    waiting_for_leader = office.fire(waiting_for_leader, "screen", by=CLERK)
    office.fire(waiting_for_leader, "propose", by=DIRECTOR, handling_type="for_reading")
    office.documents.receive(
        by=CLERK,
        kind="letter",
        title="关于商请支持的函",
        sender=SUPERIOR,
        channel="paper",
        received_at=office.now(),
    )
    due_today = office.supervision.open(
        by=SUPERVISOR,
        source="leader_instruction",
        requirement="报送整改清单",
        received_at=office.now(),
        instructed_by=LEADER.id,
    )
    office.fire(due_today, "assign", by=SUPERVISOR, lead_unit=UNIT_A, deadline=date(2025, 9, 29))
    late = office.supervision.open(
        by=SUPERVISOR,
        source="leader_instruction",
        requirement="完成隐患排查",
        received_at=office.now(),
    )
    late = office.fire(late, "assign", by=SUPERVISOR, lead_unit=UNIT_A, deadline=date(2025, 9, 26))
    office.fire(late, "accept", by=UNDERTAKER)
    start = datetime(2025, 9, 29, 7, 0, tzinfo=UTC)  # 15:00 in Beijing
    office.meetings.plan(
        by=CLERK,
        meeting_kind="office",
        title="安全生产专题会",
        organizer={"actor_id": CLERK.id, "name": "文书"},
        attendees=[{"actor_id": LEADER.id, "name": "领导"}],
        room="第二会议室",
        start=start,
        end=start + timedelta(hours=1),
        timezone="Asia/Shanghai",
        agenda=[{"topic": "隐患整改"}],
    )
    clock.set(datetime(2025, 9, 29, 1, 0, tzinfo=UTC))  # Monday 09:00


def test_a_leader_and_a_clerk_see_different_briefs(office: Office, clock: FrozenClock) -> None:
    office_with_work(office, clock)
    leader = office.brief(LEADER)
    clerk = office.brief(CLERK)
    assert leader.day == clerk.day == date(2025, 9, 29)

    leader_waiting = leader.section("waiting")
    assert leader_waiting is not None
    assert [(i.title, i.actions) for i in leader_waiting.items] == [
        ("关于开展安全检查的通知", ("approve",))
    ]
    clerk_waiting = clerk.section("waiting")
    assert clerk_waiting is not None
    actions = {i.title: i.actions for i in clerk_waiting.items}
    assert set(actions) == {"关于商请支持的函", "安全生产专题会"}
    assert "register" in actions["关于商请支持的函"]
    assert "notify" in actions["安全生产专题会"]  # the notice is the clerk's to send

    # the leader gave the instruction due today; the clerk has nothing due
    assert [i.title for i in leader.section("due_today").items] == ["报送整改清单"]  # type: ignore[union-attr]
    assert clerk.section("due_today").items == ()  # type: ignore[union-attr]
    # both sit in (or organise) today's meeting
    assert [i.title for i in leader.section("meetings").items] == ["安全生产专题会"]  # type: ignore[union-attr]
    assert [i.title for i in clerk.section("meetings").items] == ["安全生产专题会"]  # type: ignore[union-attr]


def test_a_supervisor_sees_what_is_overdue_first(office: Office, clock: FrozenClock) -> None:
    office_with_work(office, clock)
    brief = office.brief(SUPERVISOR)
    overdue = brief.section("overdue")
    assert overdue is not None
    assert [i.title for i in overdue.items] == ["完成隐患排查"]
    assert brief.sections[0].key == "overdue"
    assert "已逾期 3 天" in overdue.items[0].detail  # calendar days since 09-26


def test_renderings(office: Office, clock: FrozenClock) -> None:
    office_with_work(office, clock)
    brief = office.brief(LEADER)
    text = brief.to_text()
    assert text.splitlines()[0] == "Leader（leader）2025-09-29 工作提示"
    assert "关于开展安全检查的通知" in text
    markdown = brief.to_markdown()
    assert markdown.startswith("# ")
    assert "## 待您办理 Waiting for you" in markdown
    html = brief.to_html()
    assert html.startswith("<section>")
    assert "<h2>今日会议 Meetings today</h2>" in html


def test_an_empty_day(office: Office) -> None:
    brief = office.brief(UNDERTAKER, date(2025, 9, 26))
    assert brief.is_empty
    assert "今日无待办事项" in brief.to_text()


def test_open_emergencies_are_in_the_brief(office: Office, clock: FrozenClock) -> None:
    """An emergency item whose first report by phone is late shows, with the limit missed."""
    event = office.now()
    office.information.collect(
        by=CLERK,
        category="emergency",
        title="某镇发生山体滑坡",
        body="山体滑坡，暂无人员伤亡",
        source="镇政府",
        reporting_unit=UNIT_A,
        event_at=event,
    )
    clock.advance(minutes=31)
    section = office.brief(DIRECTOR).section("emergencies")
    assert section is not None
    (item,) = section.items
    assert item.title == "某镇发生山体滑坡"
    assert "电话首报逾时" in item.detail
