"""Meetings 会务: the workflow trigger by trigger, conflicts, follow-up items, a stateful run."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any, ClassVar
from zoneinfo import ZoneInfo

import pytest
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import initialize, rule

from conftest import (
    ALL_ACTORS,
    CLERK,
    DIRECTOR,
    LEADER,
    NOBODY,
    PRINCIPAL,
    SUPERVISOR,
    UNIT_A,
    UNIT_B,
)
from secretarial import (
    DeadlinePolicy,
    RuleViolation,
    SupervisionSource,
    TransitionNotAllowed,
    ValidationError,
    china_calendar,
)
from secretarial.kernel import TransitionSpec, Workflow
from secretarial.meetings import (
    MEETING_RULES,
    MEETING_TABLE,
    AttendeeResponse,
    ConflictKind,
    Meeting,
    MeetingState,
    check_no_conflicts,
    find_conflicts,
    follow_up_items,
    item_fields,
    occurrences_of,
)
from secretarial.supervision import SUPERVISION_TABLE, DeadlineRule, DeadlineUnit, SourceDeadlines
from workflow_drivers import WorkflowMachine, WorkflowRun

WF: Workflow[Meeting] = Workflow(MEETING_TABLE)
SHANGHAI = ZoneInfo("Asia/Shanghai")
NEW_YORK = ZoneInfo("America/New_York")
NOW = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)  # Monday 2026-03-02 09:00 in Beijing
START = datetime(2026, 3, 5, 9, 0, tzinfo=SHANGHAI)  # Thursday
HOUR = timedelta(hours=1)
ORGANIZER = {"actor_id": "clerk", "name": "Clerk"}


def person(actor: Any, role: str = "required") -> dict[str, str]:
    return {"actor_id": actor.id, "name": actor.name, "role": role}


ATTENDEES = [person(LEADER), person(PRINCIPAL), person(DIRECTOR, "non_voting")]
AGENDA = [
    {"topic": "安全生产工作部署", "presenter": "director", "minutes": 30, "document_ids": ["d1"]},
    {"topic": "信息化建设方案", "minutes": 20},
]


def fields(**changes: Any) -> dict[str, Any]:
    """The fields of a plannable office meeting, with ``changes``."""
    base: dict[str, Any] = {
        "meeting_kind": "office",
        "title": "主任办公会",
        "organizer": ORGANIZER,
        "chair": {"actor_id": "principal", "name": "Principal"},
        "attendees": ATTENDEES,
        "room": "第一会议室",
        "start": START,
        "end": START + 2 * HOUR,
        "timezone": "Asia/Shanghai",
        "agenda": AGENDA,
    }
    return {**base, **changes}


class Run(WorkflowRun):
    """A meeting and its audit trail, driven through the workflow directly."""

    workflow = WF
    start_at = NOW

    def __init__(self, **changes: Any) -> None:
        super().__init__(fields(**changes), by=CLERK, entity_id="m1")

    @property
    def meeting(self) -> Meeting:
        return self.entity

    def notified(self) -> Run:
        self.fire("notify", CLERK)
        return self

    def held(self) -> Run:
        self.notified()
        records = [
            {"actor_id": "leader", "status": "present"},
            {"actor_id": "principal", "status": "on_leave", "note": "出差"},
            {"actor_id": "director", "status": "non_voting"},
        ]
        self.fire("check_in", DIRECTOR, at=START, records=records)
        return self

    def minuted(self, decisions: list[dict[str, Any]] | None = None) -> Run:
        self.held()
        if decisions is None:
            decisions = [
                {"text": "各科室一周内完成安全自查", "lead_unit": UNIT_A},
                {"text": "原则同意信息化建设方案", "needs_follow_up": False},
            ]
        self.fire(
            "record_minutes", CLERK, at=START + 3 * HOUR, text="会议纪要正文", decisions=decisions
        )
        return self


def weekly_fields(start: datetime = START, **rule: Any) -> dict[str, Any]:
    """A weekly recurring meeting (on the start's weekday) starting at ``start``."""
    day = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")[start.weekday()]
    recurrence = {
        "frequency": "weekly",
        "by_weekday": [day],
        "timezone": str(start.tzinfo),
        "start": start,
        "duration": timedelta(hours=2),
        **rule,
    }
    return fields(
        start=start,
        end=start + 2 * HOUR,
        timezone=str(start.tzinfo),
        recurrence=recurrence,
    )


# ============================================================================ the table
class TestTable:
    def test_the_table_builds_and_names_its_rules(self) -> None:
        """The meeting table passes the engine's checks; every rule has a code and a name."""
        assert WF.states == tuple(MeetingState)
        assert WF.triggers[0] == "plan"
        codes = {r.code for r in MEETING_RULES}
        assert {"M1", "M2", "M4", "M5", "M6", "M7", "M8", "POSTPONE", "CANCEL"} <= codes
        assert all(r.name and r.description for r in MEETING_RULES)

    def test_the_diagram_shows_every_state(self) -> None:
        """The mermaid diagram comes from the same table."""
        text = str(WF.diagram())
        for state in MeetingState:
            assert f"{state.value}: {state.value} {state.label}" in text


# ============================================================================ plan
class TestPlan:
    def test_a_clerk_plans_a_meeting(self) -> None:
        """``plan`` creates a planned meeting at version 1."""
        run = Run()
        assert run.meeting.state is MeetingState.PLANNED
        assert run.meeting.version == 1
        assert run.meeting.local_start == START
        assert run.meeting.attendee("leader") is not None
        assert [a.actor_id for a in run.meeting.required_attendees] == ["leader", "principal"]

    def test_someone_without_the_role_cannot_plan(self) -> None:
        """Only clerks and office directors plan meetings (ROLE)."""
        with pytest.raises(TransitionNotAllowed) as info:
            WF.create(fields(), entity_id="m1", actor=NOBODY, now=NOW)
        assert info.value.rule_code == "ROLE"

    def test_a_meeting_is_planned_for_the_future(self) -> None:
        """A start already passed is refused (M4)."""
        with pytest.raises(TransitionNotAllowed) as info:
            WF.create(fields(start=NOW - HOUR, end=NOW), entity_id="m1", actor=CLERK, now=NOW)
        assert info.value.rule_code == "M4"

    def test_a_meeting_ends_after_it_starts(self) -> None:
        """M3 is a validation error naming the rule."""
        with pytest.raises(ValidationError) as info:
            WF.create(fields(end=START), entity_id="m1", actor=CLERK, now=NOW)
        assert info.value.problems[0].rule == "M3"

    def test_an_attendee_is_listed_once(self) -> None:
        """M1: no attendee twice."""
        with pytest.raises(ValidationError) as info:
            WF.create(
                fields(attendees=[*ATTENDEES, person(LEADER)]), entity_id="m1", actor=CLERK, now=NOW
            )
        assert info.value.problems[0].rule == "M1"

    @pytest.mark.parametrize(
        ("change", "field"),
        [
            ({"timezone": "Mars/Olympus"}, "timezone"),
            ({"start": datetime(2026, 3, 5, 9)}, "start"),  # noqa: DTZ001 -- naive on purpose
            ({"meeting_kind": "party"}, "meeting_kind"),
            ({"minutes": {"by": "x", "at": NOW, "text": "t"}}, "minutes"),
        ],
    )
    def test_malformed_fields_are_refused(self, change: dict[str, Any], field: str) -> None:
        """Unknown zones, naive times, unknown kinds and workflow fields are refused."""
        with pytest.raises(ValidationError) as info:
            WF.create(fields(**change), entity_id="m1", actor=CLERK, now=NOW)
        assert field in info.value.fields

    def test_a_recurring_meeting_starts_with_its_series(self) -> None:
        """The recurrence's start and duration are the meeting's (M8)."""
        plan = weekly_fields()
        plan["recurrence"]["duration"] = HOUR
        with pytest.raises(ValidationError) as info:
            WF.create(plan, entity_id="m1", actor=CLERK, now=NOW)
        assert info.value.problems[0].rule == "M8"

    def test_times_are_kept_to_the_second(self) -> None:
        """Microseconds are dropped: calendars keep seconds."""
        run = Run(start=START + timedelta(microseconds=5), end=START + HOUR)
        assert run.meeting.start == START


# ============================================================================ revise
class TestRevise:
    def test_the_plan_changes_before_the_notice(self) -> None:
        """``revise`` changes the fields given and leaves the rest."""
        run = Run()
        revised = run.fire("revise", DIRECTOR, room="第二会议室", chair=None)
        assert revised.room == "第二会议室"
        assert revised.chair is None
        assert revised.title == run.events[0].payload["title"]
        assert revised.state is MeetingState.PLANNED

    def test_a_new_time_is_in_the_future(self) -> None:
        """M4 for a revised time."""
        run = Run()
        error = run.refused("revise", CLERK, start=NOW - HOUR, end=NOW)
        assert error.rule_code == "M4"

    def test_a_series_moves_with_a_new_time(self) -> None:
        """Revising a weekly meeting an hour later moves its series."""
        run = Run(**weekly_fields(count=4))
        revised = run.fire("revise", CLERK, start=START + HOUR, end=START + 2 * HOUR)
        assert revised.recurrence is not None
        assert revised.recurrence.start == START + HOUR
        assert revised.recurrence.duration == HOUR

    def test_a_series_moved_off_its_weekday_must_be_restated(self) -> None:
        """A Thursday series cannot start on a Friday without a new rule (M8)."""
        run = Run(**weekly_fields(count=4))
        friday = START + timedelta(days=1)
        error = run.refused("revise", CLERK, start=friday, end=friday + HOUR)
        assert error.rule_code == "M8"
        assert "recurrence=" in error.reason

    def test_the_recurrence_can_be_dropped(self) -> None:
        """``recurrence=None`` turns a series into a one-off."""
        run = Run(**weekly_fields(count=4))
        assert run.fire("revise", CLERK, recurrence=None).recurrence is None

    def test_not_after_the_notice(self) -> None:
        """Once notified, the time changes by ``postpone`` (STATE)."""
        run = Run().notified()
        assert run.refused("revise", CLERK, room="x").rule_code == "STATE"


# ============================================================================ notify
class TestNotify:
    def test_the_notice_names_time_place_attendees_and_topics(self) -> None:
        """``notify`` records what the notice said."""
        run = Run()
        meeting = run.fire("notify", CLERK, note="请准时参加")
        assert meeting.state is MeetingState.NOTIFIED
        assert meeting.notice is not None
        assert meeting.notice.topics == ("安全生产工作部署", "信息化建设方案")
        assert meeting.notice.attendee_ids == ("leader", "principal", "director")
        assert meeting.notice.room == "第一会议室"
        assert meeting.notice.note == "请准时参加"

    def test_no_notice_without_attendees(self) -> None:
        """M1."""
        assert Run(attendees=[]).refused("notify", CLERK).rule_code == "M1"

    def test_no_notice_without_an_agenda(self) -> None:
        """M2."""
        assert Run(agenda=[]).refused("notify", CLERK).rule_code == "M2"

    def test_no_notice_after_the_start(self) -> None:
        """M4."""
        assert Run().refused("notify", CLERK, at=START).rule_code == "M4"

    def test_leaders_do_not_send_notices(self) -> None:
        """ROLE."""
        assert Run().refused("notify", LEADER).rule_code == "ROLE"


# ============================================================================ respond
class TestRespond:
    def test_an_attendee_answers_for_themselves(self) -> None:
        """``respond`` records the attendee's own answer and stays notified."""
        run = Run().notified()
        meeting = run.fire("respond", LEADER, response="accepted")
        attendee = meeting.attendee("leader")
        assert attendee is not None
        assert attendee.response is AttendeeResponse.ACCEPTED
        assert meeting.state is MeetingState.NOTIFIED

    def test_only_attendees_answer(self) -> None:
        """M5."""
        run = Run().notified()
        assert run.refused("respond", NOBODY, response="declined").rule_code == "M5"

    def test_an_answer_is_an_answer(self) -> None:
        """``needs_action`` is not an answer."""
        run = Run().notified()
        assert "response" in run.invalid("respond", LEADER, response="needs_action").fields

    def test_answers_come_after_the_notice(self) -> None:
        """STATE."""
        assert Run().refused("respond", LEADER, response="accepted").rule_code == "STATE"


# ============================================================================ postpone, cancel
class TestPostponeAndCancel:
    def test_postponing_goes_back_to_planned_with_a_new_time(self) -> None:
        """The notice is void, answers are reset, the postponement is on record."""
        run = Run().notified()
        run.fire("respond", LEADER, response="accepted")
        later = START + timedelta(days=7)
        meeting = run.fire("postpone", CLERK, reason="领导出差", start=later, end=later + HOUR)
        assert meeting.state is MeetingState.PLANNED
        assert (meeting.start, meeting.end) == (later, later + HOUR)
        assert meeting.notice is None
        assert {a.response for a in meeting.attendees} == {AttendeeResponse.NEEDS_ACTION}
        assert meeting.postponements[0].from_start == START
        assert meeting.postponements[0].reason == "领导出差"

    def test_postponing_needs_a_reason(self) -> None:
        """POSTPONE."""
        run = Run().notified()
        later = START + timedelta(days=1)
        assert run.refused("postpone", CLERK, start=later, end=later + HOUR).rule_code == "POSTPONE"

    def test_postponing_needs_a_time_to_come(self) -> None:
        """M4."""
        run = Run().notified()
        error = run.refused("postpone", CLERK, reason="r", start=NOW - HOUR, end=NOW)
        assert error.rule_code == "M4"

    def test_postponing_needs_a_start_and_an_end(self) -> None:
        """The input is validated: an end before the start is M3, a missing end is refused."""
        run = Run().notified()
        later = START + timedelta(days=1)
        assert run.invalid("postpone", CLERK, start=later, end=later).problems[0].rule == "M3"
        assert "end" in run.invalid("postpone", CLERK, start=later).fields

    def test_postponing_a_series_moves_its_exceptions(self) -> None:
        """A skipped occurrence moves with the series."""
        run = Run(**weekly_fields(count=4))
        run.fire("skip_occurrence", CLERK, original_start=START + timedelta(weeks=1))
        run.notified()
        later = START + timedelta(hours=3)
        meeting = run.fire("postpone", CLERK, reason="调整", start=later, end=later + HOUR)
        assert meeting.recurrence is not None
        assert meeting.recurrence.exdates == (later + timedelta(weeks=1),)

    @pytest.mark.parametrize("notified", [False, True])
    def test_a_meeting_is_cancelled_with_a_reason(self, notified: bool) -> None:
        """``cancel`` from planned or notified; the reason is kept."""
        run = Run().notified() if notified else Run()
        meeting = run.fire("cancel", DIRECTOR, reason="议题已另行研究")
        assert meeting.state is MeetingState.CANCELLED
        assert meeting.cancel_reason == "议题已另行研究"
        assert not meeting.is_open

    def test_cancelling_needs_a_reason(self) -> None:
        """CANCEL."""
        assert Run().refused("cancel", CLERK).rule_code == "CANCEL"

    def test_a_held_meeting_is_not_cancelled(self) -> None:
        """STATE."""
        assert Run().held().refused("cancel", CLERK, reason="r").rule_code == "STATE"


# ============================================================================ check-in
class TestCheckIn:
    def test_check_in_holds_the_meeting(self) -> None:
        """Present, on leave and 列席 are recorded."""
        meeting = Run().held().meeting
        assert meeting.state is MeetingState.HELD
        assert [r.status.label for r in meeting.attendance] == ["出席", "请假", "列席"]

    @pytest.mark.parametrize(
        ("records", "says"),
        [
            ([{"actor_id": "leader", "status": "present"}], "principal"),
            (
                [
                    {"actor_id": "leader", "status": "present"},
                    {"actor_id": "principal", "status": "present"},
                    {"actor_id": "stranger", "status": "present"},
                ],
                "stranger",
            ),
            (
                [
                    {"actor_id": "leader", "status": "present"},
                    {"actor_id": "leader", "status": "absent"},
                    {"actor_id": "principal", "status": "present"},
                ],
                "twice",
            ),
        ],
    )
    def test_every_required_attendee_and_only_attendees(
        self, records: list[dict[str, str]], says: str
    ) -> None:
        """M6: each required attendee once, nobody else."""
        run = Run().notified()
        error = run.refused("check_in", CLERK, records=records)
        assert error.rule_code == "M6"
        assert says in error.reason

    def test_check_in_only_after_the_notice(self) -> None:
        """STATE."""
        records = [{"actor_id": "leader", "status": "present"}]
        assert Run().refused("check_in", CLERK, records=records).rule_code == "STATE"


# ============================================================================ minutes, close
class TestMinutesAndClose:
    def test_minutes_record_the_decisions(self) -> None:
        """``record_minutes`` keeps the text and decisions; one needs follow-up."""
        meeting = Run().minuted().meeting
        assert meeting.state is MeetingState.MINUTED
        assert meeting.minutes is not None
        assert len(meeting.minutes.decisions) == 2
        assert [d.text for d in meeting.minutes.follow_up] == ["各科室一周内完成安全自查"]

    def test_a_decision_to_follow_up_names_its_lead_unit(self) -> None:
        """M7 at the input."""
        run = Run().held()
        error = run.invalid("record_minutes", CLERK, text="纪要", decisions=[{"text": "落实"}])
        assert error.problems[0].rule == "M7"

    def test_a_leader_closes_with_one_item_per_decision(self) -> None:
        """``close`` approves the minutes and records the supervision items."""
        run = Run().minuted()
        meeting = run.fire(
            "close", LEADER, at=START + 5 * HOUR, opinion="同意", supervision_item_ids=["s1"]
        )
        assert meeting.state is MeetingState.CLOSED
        assert meeting.supervision_item_ids == ("s1",)
        assert meeting.minutes is not None
        assert meeting.minutes.approved_by == "leader"
        assert meeting.minutes.approval_opinion == "同意"

    @pytest.mark.parametrize("ids", [[], ["s1", "s2"], ["s1", "s1"]])
    def test_closing_opens_exactly_one_item_per_follow_up(self, ids: list[str]) -> None:
        """M7: as many distinct ids as decisions needing follow-up."""
        run = Run().minuted()
        assert run.refused("close", LEADER, supervision_item_ids=ids).rule_code == "M7"

    def test_only_leaders_approve_minutes(self) -> None:
        """ROLE."""
        run = Run().minuted()
        assert run.refused("close", DIRECTOR, supervision_item_ids=["s1"]).rule_code == "ROLE"

    def test_a_closed_meeting_is_closed(self) -> None:
        """Nothing fires from a terminal state."""
        run = Run().minuted()
        run.fire("close", PRINCIPAL, supervision_item_ids=["s1"])
        assert WF.available_triggers(run.meeting, PRINCIPAL, now=NOW) == ()
        assert run.refused("remind", CLERK, step="due").rule_code == "STATE"


# ============================================================================ occurrences
class TestOccurrences:
    def test_an_occurrence_is_skipped(self) -> None:
        """``skip_occurrence`` adds an EXDATE."""
        run = Run(**weekly_fields(count=4))
        meeting = run.fire("skip_occurrence", CLERK, original_start=START + timedelta(weeks=1))
        assert meeting.recurrence is not None
        assert len(meeting.occurrences()) == 3

    def test_an_occurrence_is_moved(self) -> None:
        """``move_occurrence`` adds a move; moving a skipped one is refused (M8)."""
        run = Run(**weekly_fields(count=4))
        second = START + timedelta(weeks=1)
        meeting = run.fire(
            "move_occurrence",
            CLERK,
            original_start=second,
            start=second + HOUR,
            end=second + 3 * HOUR,
        )
        moved = [o for o in meeting.occurrences() if o.moved]
        assert [o.start for o in moved] == [second + HOUR]
        third = START + timedelta(weeks=2)
        run.fire("skip_occurrence", CLERK, original_start=third)
        error = run.refused(
            "move_occurrence", CLERK, original_start=third, start=third + HOUR, end=third + 2 * HOUR
        )
        assert error.rule_code == "M8"

    def test_skipping_a_moved_occurrence_drops_its_move(self) -> None:
        """An occurrence moved and then skipped is simply skipped."""
        run = Run(**weekly_fields(count=4))
        second = START + timedelta(weeks=1)
        run.fire(
            "move_occurrence",
            CLERK,
            original_start=second,
            start=second + HOUR,
            end=second + 2 * HOUR,
        )
        meeting = run.fire("skip_occurrence", CLERK, original_start=second)
        assert meeting.recurrence is not None
        assert meeting.recurrence.moves == ()
        assert len(meeting.occurrences()) == 3

    @pytest.mark.parametrize(
        ("plan", "original"),
        [
            (fields(), START),
            (weekly_fields(count=4), START + timedelta(days=1)),
        ],
    )
    def test_only_occurrences_of_a_series(self, plan: dict[str, Any], original: datetime) -> None:
        """M8: a one-off has no occurrences to skip; a Friday is not a Thursday."""
        run = Run(**plan)
        assert run.refused("skip_occurrence", CLERK, original_start=original).rule_code == "M8"

    def test_an_occurrence_moves_to_a_time_to_come(self) -> None:
        """M4."""
        run = Run(**weekly_fields(count=4))
        second = START + timedelta(weeks=1)
        error = run.refused(
            "move_occurrence", CLERK, original_start=second, start=NOW - HOUR, end=NOW
        )
        assert error.rule_code == "M4"

    def test_a_one_off_meeting_has_one_occurrence(self) -> None:
        """In the window or not; a naive window is refused as for a series."""
        one_off = Run().meeting
        assert [o.start for o in one_off.occurrences()] == [START]
        assert one_off.occurrences(START + HOUR, START + 5 * HOUR) == []
        assert len(one_off.occurrences(START + HOUR, START + 5 * HOUR, overlapping=True)) == 1
        with pytest.raises(ValidationError):
            one_off.occurrences(datetime(2026, 3, 1), None)  # noqa: DTZ001 -- naive on purpose

    def test_an_agenda_view_lists_occurrences_of_several_meetings(self) -> None:
        """``occurrences_of`` merges meetings' occurrences by start."""
        weekly = Run(**weekly_fields(count=3)).meeting
        one_off, _ = WF.create(
            fields(start=START + timedelta(days=2), end=START + timedelta(days=2, hours=1)),
            entity_id="m2",
            actor=CLERK,
            now=NOW,
        )
        view = occurrences_of([weekly, one_off], START, START + timedelta(days=30))
        assert [m.id for m, _ in view] == ["m1", "m2", "m1", "m1"]


# ============================================================================ reminders and replay
class TestRecordsAndReplay:
    def test_a_reminder_step_is_recorded_once(self) -> None:
        """``remind`` is the shared recorded action (REMINDER)."""
        run = Run()
        run.fire("remind", SUPERVISOR, step="before:1")
        assert run.refused("remind", SUPERVISOR, step="before:1").rule_code == "REMINDER"

    def test_replay_reproduces_the_meeting(self) -> None:
        """The audit trail alone rebuilds the meeting, series and all."""
        run = Run(**weekly_fields(count=5))
        run.fire(
            "move_occurrence",
            CLERK,
            original_start=START + timedelta(weeks=2),
            start=START + timedelta(weeks=2, days=1),
            end=START + timedelta(weeks=2, days=1, hours=2),
        )
        run.minuted()
        run.fire("close", LEADER, supervision_item_ids=["s1"])
        assert WF.replay(run.events) == run.meeting

    def test_a_meeting_survives_json(self) -> None:
        """Stores keep entities as JSON; a closed recurring meeting comes back equal."""
        run = Run(**weekly_fields(count=5))
        run.fire("skip_occurrence", CLERK, original_start=START + timedelta(weeks=1))
        run.minuted()
        run.fire("close", LEADER, supervision_item_ids=["s1"])
        assert Meeting.model_validate_json(run.meeting.model_dump_json()) == run.meeting

    def test_can_fire_agrees_with_fire(self) -> None:
        """``can_fire`` judges state, role and rules like ``fire``."""
        run = Run()
        assert WF.can_fire(run.meeting, "notify", CLERK, now=NOW)
        assert not WF.can_fire(run.meeting, "notify", LEADER, now=NOW)
        assert not WF.can_fire(run.meeting, "cancel", CLERK, now=NOW, reason="")
        assert "notify" in WF.available_triggers(run.meeting, CLERK, now=NOW)


# ============================================================================ conflicts
def meeting(entity_id: str, **changes: Any) -> Meeting:
    planned, _ = WF.create(fields(**changes), entity_id=entity_id, actor=CLERK, now=NOW)
    return planned


def weekly_meeting(entity_id: str, start: datetime, **changes: Any) -> Meeting:
    plan = {**weekly_fields(start), **changes}
    planned, _ = WF.create(plan, entity_id=entity_id, actor=CLERK, now=NOW)
    return planned


WINDOW = (datetime(2026, 3, 1, tzinfo=UTC), datetime(2026, 5, 1, tzinfo=UTC))


class TestConflicts:
    def test_a_weekly_meeting_clashes_with_a_one_off_in_the_same_room(self) -> None:
        """The one-off three weeks on overlaps that week's occurrence of the series."""
        series = weekly_meeting("weekly", START, attendees=[])
        clash_at = START + timedelta(weeks=3, hours=1)
        one_off = meeting(
            "once", start=clash_at, end=clash_at + HOUR, attendees=[], room=" 第一会议室 "
        )
        conflicts = find_conflicts(one_off, [series], WINDOW)
        assert len(conflicts) == 1
        found = conflicts[0]
        assert found.kind is ConflictKind.ROOM
        assert (found.meeting_id, found.other_id) == ("once", "weekly")
        assert found.other_start == START + timedelta(weeks=3)
        assert found.start == clash_at
        assert "第一会议室" in str(found)
        seen_from_the_series = find_conflicts(series, [one_off], WINDOW)
        assert [c.other_id for c in seen_from_the_series] == ["once"]

    def test_a_required_attendee_is_not_booked_twice(self) -> None:
        """Different rooms, one required attendee in both: an attendee conflict."""
        first = meeting("a", room="A")
        second = meeting(
            "b",
            room="B",
            start=START + HOUR,
            end=START + 3 * HOUR,
            attendees=[person(LEADER), person(DIRECTOR, "optional")],
        )
        conflicts = find_conflicts(second, [first])
        assert [(c.kind, c.attendee_id) for c in conflicts] == [(ConflictKind.ATTENDEE, "leader")]
        assert conflicts[0].attendee_name == "Leader"

    def test_optional_or_declined_attendees_do_not_clash(self) -> None:
        """Only required attendees who have not declined are double-booked."""
        first = meeting("a", room="A", attendees=[person(LEADER, "optional"), person(PRINCIPAL)])
        declined = {**person(PRINCIPAL), "response": "declined"}
        second = meeting("b", room="B", attendees=[person(LEADER), declined])
        assert find_conflicts(second, [first]) == []

    def test_no_conflict_after_the_occurrence_is_excluded(self) -> None:
        """Skipping that week's occurrence removes the clash."""
        series = weekly_meeting("weekly", START, attendees=[])
        clash_at = START + timedelta(weeks=3)
        one_off = meeting("once", start=clash_at, end=clash_at + HOUR, attendees=[])
        assert find_conflicts(one_off, [series], WINDOW)
        skipped, _ = WF.fire(
            series, "skip_occurrence", CLERK, now=NOW, data={"original_start": clash_at}
        )
        assert find_conflicts(one_off, [skipped], WINDOW) == []

    def test_a_moved_occurrence_clashes_where_it_now_is(self) -> None:
        """Moving an occurrence onto the one-off creates a clash; moving it away removes one."""
        series = weekly_meeting("weekly", START, attendees=[])
        week_three = START + timedelta(weeks=3)
        friday = week_three + timedelta(days=1)
        one_off = meeting("once", start=friday, end=friday + HOUR, attendees=[])
        assert find_conflicts(one_off, [series], WINDOW) == []
        moved, _ = WF.fire(
            series,
            "move_occurrence",
            CLERK,
            now=NOW,
            data={"original_start": week_three, "start": friday, "end": friday + 2 * HOUR},
        )
        assert [c.other_start for c in find_conflicts(one_off, [moved], WINDOW)] == [friday]

    def test_meetings_that_only_touch_do_not_clash(self) -> None:
        """``[start, end)``: one ending at nine and one starting at nine share no time."""
        first = meeting("a")
        second = meeting("b", start=START + 2 * HOUR, end=START + 3 * HOUR)
        assert find_conflicts(second, [first]) == []

    def test_cancelled_closed_and_itself_are_ignored(self) -> None:
        """Only open meetings other than the candidate count."""
        first = meeting("a")
        cancelled, _ = WF.fire(first, "cancel", CLERK, now=NOW, reason="r")
        assert find_conflicts(first, [first]) == []
        assert find_conflicts(meeting("b"), [cancelled]) == []
        assert find_conflicts(cancelled, [meeting("b")]) == []

    def test_local_time_decides_across_daylight_saving(self) -> None:
        """A New York 09:00-11:00 series is at 13:00 UTC after the change, 14:00 UTC before.

        So 12:30-13:30 UTC clashes with it on 2026-03-16 but not on 2026-03-02.
        """
        series = weekly_meeting("ny", datetime(2026, 3, 2, 9, tzinfo=NEW_YORK), attendees=[])
        after = datetime(2026, 3, 16, 12, 30, tzinfo=UTC)
        before = datetime(2026, 3, 2, 12, 30, tzinfo=UTC)
        clash = meeting("x", start=after, end=after + HOUR, attendees=[], timezone="UTC")
        no_clash = meeting("y", start=before, end=before + HOUR, attendees=[], timezone="UTC")
        assert len(find_conflicts(clash, [series], WINDOW)) == 1
        assert find_conflicts(no_clash, [series], WINDOW) == []

    def test_an_endless_series_needs_a_window(self) -> None:
        """Without a window an endless series cannot be checked."""
        series = weekly_meeting("weekly", START)
        with pytest.raises(ValidationError, match="window"):
            find_conflicts(series, [])

    def test_check_no_conflicts_refuses_with_m9(self) -> None:
        """The office's planning check raises a RuleViolation coded M9."""
        first = meeting("a")
        with pytest.raises(RuleViolation) as info:
            check_no_conflicts(meeting("b"), [first])
        assert info.value.rule_code == "M9"
        check_no_conflicts(meeting("b", room="B", attendees=[]), [first])


# ============================================================================ follow-up items
def three_decisions() -> list[dict[str, Any]]:
    return [
        {"text": "一周内完成安全自查", "lead_unit": UNIT_A, "deadline": date(2026, 3, 12)},
        {"text": "制定信息化建设实施方案", "lead_unit": UNIT_B, "co_units": [UNIT_A]},
        {"text": "督促整改问题清单", "lead_unit": UNIT_A, "urgency": "urgent"},
        {"text": "原则同意年度计划", "needs_follow_up": False},
    ]


class TestFollowUp:
    def test_three_decisions_give_three_items_with_policy_deadlines(self) -> None:
        """Source, reference, requirement, units; explicit deadline kept, others by S2."""
        run = Run().minuted(three_decisions())
        today = date(2026, 3, 5)
        items = follow_up_items(run.meeting, None, china_calendar(), today)
        assert len(items) == 3
        assert {i["source"] for i in items} == {SupervisionSource.MEETING_DECISION}
        assert {i["source_ref"] for i in items} == {"m1"}
        assert [i["requirement"] for i in items] == [
            "一周内完成安全自查",
            "制定信息化建设实施方案",
            "督促整改问题清单",
        ]
        assert [i["deadline"] for i in items] == [
            date(2026, 3, 12),
            date(2026, 3, 25),
            date(2026, 3, 25),
        ]
        assert items[0]["computed_deadline"].explicit
        assert items[1]["computed_deadline"].rule.basis == "S2"
        assert items[1]["co_units"][0].code == UNIT_A["code"]
        assert items[0]["instructed_by"] == "principal"

    def test_a_policy_in_working_days_shows_in_the_result(self) -> None:
        """Report within 5 working days: the date skips the weekend and says so."""
        run = Run().minuted(three_decisions())
        five = DeadlineRule(amount=5, unit=DeadlineUnit.WORKING_DAYS, basis="本地：会后5个工作日")
        policy = DeadlinePolicy(meeting_decision=SourceDeadlines(normal=five))
        calendar = china_calendar()
        today = date(2026, 3, 5)
        items = follow_up_items(run.meeting, policy, calendar, today)
        assert [i["deadline"] for i in items[1:]] == [date(2026, 3, 12)] * 2
        assert items[1]["deadline"] == calendar.add_workdays(today, 5)
        chosen = items[1]["computed_deadline"]
        assert chosen.rule.unit is DeadlineUnit.WORKING_DAYS
        assert chosen.calendar_id == "CN"

    def test_the_dicts_open_supervision_items(self) -> None:
        """Without ``computed_deadline`` each dict is a supervision item's fields."""
        run = Run().minuted(three_decisions())
        items = follow_up_items(
            run.meeting, None, china_calendar(), date(2026, 3, 5), received_at=START + 5 * HOUR
        )
        opened = [
            Workflow(SUPERVISION_TABLE).create(
                item_fields(i), entity_id=f"s{n}", actor=SUPERVISOR, now=NOW
            )[0]
            for n, i in enumerate(items)
        ]
        assert [o.source_ref for o in opened] == ["m1"] * 3
        assert opened[0].received_at == START + 5 * HOUR
        run.fire("close", LEADER, supervision_item_ids=[o.id for o in opened])
        assert run.meeting.supervision_item_ids == ("s0", "s1", "s2")

    def test_the_received_time_defaults_to_the_approval(self) -> None:
        """Items are received when the minutes are approved."""
        run = Run().minuted(three_decisions())
        approved_at = START + 6 * HOUR
        run.fire("close", LEADER, at=approved_at, supervision_item_ids=["a", "b", "c"])
        items = follow_up_items(run.meeting, None, china_calendar(), date(2026, 3, 5))
        assert {i["received_at"] for i in items} == {approved_at}

    def test_no_minutes_no_items(self) -> None:
        """M7: decisions are followed up from the minutes."""
        with pytest.raises(RuleViolation) as info:
            follow_up_items(Run().meeting, None, china_calendar(), date(2026, 3, 5))
        assert info.value.rule_code == "M7"


# ============================================================================ stateful
TEXT = st.text(alphabet="会议纪要决定abc 123", min_size=1, max_size=10).filter(str.strip)
MEMBERS = [LEADER, PRINCIPAL, DIRECTOR]
HOURS = st.one_of(st.integers(min_value=1, max_value=400), st.integers(min_value=-30, max_value=0))


def _decisions() -> st.SearchStrategy[list[dict[str, Any]]]:
    decision = st.one_of(
        st.fixed_dictionaries({"text": TEXT, "lead_unit": st.sampled_from([UNIT_A, UNIT_B])}),
        st.fixed_dictionaries({"text": TEXT, "needs_follow_up": st.just(value=False)}),
        st.fixed_dictionaries({"text": TEXT}),  # M7: no lead unit
    )
    return st.lists(decision, max_size=3)


class MeetingMachine(WorkflowMachine):
    """Random triggers from random actors on one meeting, driven through the workflow."""

    workflow = WF
    actors = ALL_ACTORS
    start_at = NOW

    data_for: ClassVar[dict[str, st.SearchStrategy[dict[str, Any]]]] = {
        "revise": st.fixed_dictionaries(
            {},
            optional={
                "room": st.sampled_from(["第一会议室", "第二会议室"]),
                "attendees": st.lists(
                    st.sampled_from([person(a) for a in MEMBERS]),
                    max_size=3,
                    unique_by=lambda p: p["actor_id"],
                ),
                "agenda": st.lists(st.fixed_dictionaries({"topic": TEXT}), max_size=2),
                "when": st.tuples(HOURS, st.integers(1, 4)),
            },
        ),
        "notify": st.fixed_dictionaries({}, optional={"note": TEXT}),
        "respond": st.fixed_dictionaries(
            {"response": st.sampled_from(["accepted", "declined", "tentative", "needs_action"])}
        ),
        "postpone": st.fixed_dictionaries({"when": st.tuples(HOURS, st.integers(-1, 4))}),
        "check_in": st.fixed_dictionaries(
            {
                "records": st.lists(
                    st.fixed_dictionaries(
                        {
                            "actor_id": st.sampled_from(
                                ["leader", "principal", "director", "nobody"]
                            ),
                            "status": st.sampled_from(
                                ["present", "on_leave", "non_voting", "absent"]
                            ),
                        }
                    ),
                    min_size=1,
                    max_size=4,
                ).map(lambda rs: ("records", rs))
            }
        ),
        "record_minutes": st.fixed_dictionaries({"text": TEXT, "decisions": _decisions()}),
        "close": st.fixed_dictionaries(
            {
                "supervision_item_ids": st.one_of(
                    st.just(("items",)), st.lists(st.sampled_from(["s1", "s2"]))
                )
            },
            optional={"opinion": TEXT},
        ),
        "skip_occurrence": st.fixed_dictionaries(
            {"original_start": st.integers(0, 5).map(lambda k: ("week", k))}
        ),
        "move_occurrence": st.fixed_dictionaries(
            {
                "original_start": st.integers(0, 5).map(lambda k: ("week", k)),
                "when": st.tuples(HOURS, st.integers(1, 3)),
            }
        ),
        "remind": st.fixed_dictionaries({"step": st.sampled_from(["before:1", "due"])}),
    }

    @initialize(recurring=st.booleans(), count=st.integers(2, 6))
    def plan(self, recurring: bool, count: int) -> None:
        plan = weekly_fields(count=count) if recurring else fields()
        self.start(plan, CLERK, entity_id="m1")

    def resolve(self, payload: dict[str, Any]) -> dict[str, Any]:
        """Turn relative times and markers into concrete input."""
        meeting: Meeting = self.entity
        out = dict(payload)
        if "when" in out:
            offset, hours = out.pop("when")
            start = self.now + timedelta(hours=offset)
            out["start"], out["end"] = start, start + timedelta(hours=hours)
        if isinstance(out.get("original_start"), tuple):
            out["original_start"] = meeting.start + timedelta(weeks=out["original_start"][1])
        if isinstance(out.get("records"), tuple):
            out["records"] = out["records"][1]
            if len(out["records"]) % 2:  # often, a complete record
                out["records"] = [
                    {"actor_id": a.actor_id, "status": "present"} for a in meeting.attendees
                ] or out["records"]
        if out.get("supervision_item_ids") == ("items",):
            follow = meeting.minutes.follow_up if meeting.minutes else ()
            out["supervision_item_ids"] = [f"s{n}" for n in range(len(follow))]
        return out

    def choices(self, offered: list[TransitionSpec]) -> list[TransitionSpec]:
        """Favour steps that keep the meeting open, so runs reach deep into the table."""
        return [s for s in offered if s.dest not in Meeting.terminal_states] * 3 + offered

    @rule(hours=st.integers(min_value=0, max_value=60))
    def time_passes(self, hours: int) -> None:
        self.now += timedelta(hours=hours)


# Replaying the trail after every step makes a run quadratic: cap its size to stay fast.
MeetingMachine.TestCase.settings = settings(
    max_examples=min(settings.default.max_examples, 100), stateful_step_count=25, deadline=None
)
TestMeetingWorkflow = MeetingMachine.TestCase
