"""Meetings 会务: planning, notice, check-in, minutes and the decisions that follow.

A :class:`Meeting` goes ``planned`` → ``notified`` (the notice names time, place,
attendees and topics) → ``held`` (check-in: present, on leave, attending without vote) →
``minuted`` (纪要 with its decisions) → ``closed`` (a leader approves the minutes; each
decision that needs follow-up becomes a supervision item). ``cancel`` ends a planned or
notified meeting; ``postpone`` takes a notified meeting back to ``planned`` at a new time.
A meeting may recur (:class:`~secretarial.kernel.Recurrence`); its single
occurrences can be skipped or moved while it is planned or notified.

Rule codes of this module (``docs/meetings.md`` lists them):

* M1 notice-has-attendees, M2 notice-has-agenda: a notice names who and what.
* M3 ends-after-start: a meeting (or a moved occurrence) ends after it starts.
* M4 not-in-the-past: a meeting is planned, noticed and moved to a time still to come.
* M5 attendee-responds-for-self: only an attendee records their own response.
* M6 every-required-attendee-checked-in: check-in accounts for each required attendee.
* M7 one-item-per-decision: every decision needing follow-up names a lead unit and
  gets one supervision item when the meeting is closed.
* M8 series-rules: recurrence problems (start not an occurrence, unknown occurrence ...).
* M9 no-double-booking: a room or a required attendee is not booked twice
  (:func:`find_conflicts`, checked by the office when a meeting is planned).
* POSTPONE, CANCEL: postponing and cancelling need a reason.

Besides the table, the module offers :func:`find_conflicts` (room and attendee
double-booking, recurrences expanded) and :func:`follow_up_items` (the supervision items
a closed meeting opens, with their deadlines from a
:class:`~secretarial.supervision.DeadlinePolicy`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import date, datetime
from typing import Annotated, Any, ClassVar, Final, Self

from pydantic import Field, StringConstraints, field_validator, model_validator

from secretarial.errors import AccessDenied, FieldProblem, RuleViolation, ValidationError
from secretarial.kernel._calendar import WorkCalendar
from secretarial.kernel._entity import Entity
from secretarial.kernel._enums import EntityKind, LabeledEnum, Role
from secretarial.kernel._recurrence import (
    Occurrence,
    Recurrence,
    TimeZoneName,
    as_utc,
    check_window,
    elapsed,
    zone,
)
from secretarial.kernel._reminders import remind_spec
from secretarial.kernel._rules import Rule, TransitionContext, reason_required
from secretarial.kernel._values import Day, Name, Text, Timed, Timestamp, Unit, Value
from secretarial.kernel._workflow import CreationSpec, Input, TransitionSpec, WorkflowTable
from secretarial.supervision._deadlines import DeadlinePolicy, ItemUrgency, resolve_deadline
from secretarial.supervision._enums import SupervisionSource

__all__ = [
    "FOLLOW_UP_DEADLINE_KEY",
    "MEETING_RULES",
    "MEETING_TABLE",
    "AgendaItem",
    "AttendanceRecord",
    "AttendanceStatus",
    "Attendee",
    "AttendeeResponse",
    "AttendeeRole",
    "CheckIn",
    "CloseMeeting",
    "Conflict",
    "ConflictKind",
    "Decision",
    "Meeting",
    "MeetingKind",
    "MeetingState",
    "Minutes",
    "MoveOccurrence",
    "Notice",
    "Notify",
    "Person",
    "Postpone",
    "Postponement",
    "RecordMinutes",
    "Respond",
    "Revise",
    "SkipOccurrence",
    "check_no_conflicts",
    "find_conflicts",
    "follow_up_items",
    "item_fields",
    "occurrences_of",
]


# ============================================================================ enums
class MeetingKind(LabeledEnum):
    """What kind of meeting it is."""

    PARTY_COMMITTEE = "party_committee", "党委（党组）会议"
    EXECUTIVE = "executive", "常务会议"
    OFFICE = "office", "办公会议"
    SPECIAL_TOPIC = "special_topic", "专题会议"
    BRIEFING = "briefing", "情况通报会"
    OTHER = "other", "其他会议"


class MeetingState(LabeledEnum):
    """States of a meeting (会务)."""

    PLANNED = "planned", "筹备"
    NOTIFIED = "notified", "已通知"
    HELD = "held", "已召开"
    MINUTED = "minuted", "已出纪要"
    CLOSED = "closed", "办结"
    CANCELLED = "cancelled", "取消"


class AttendeeRole(LabeledEnum):
    """How someone takes part (RFC 5545 ROLE)."""

    REQUIRED = "required", "出席"
    OPTIONAL = "optional", "可选参加"
    NON_VOTING = "non_voting", "列席"


class AttendeeResponse(LabeledEnum):
    """What an attendee answered to the notice (RFC 5545 PARTSTAT)."""

    NEEDS_ACTION = "needs_action", "待回复"
    ACCEPTED = "accepted", "参加"
    DECLINED = "declined", "不参加"
    TENTATIVE = "tentative", "待定"


class AttendanceStatus(LabeledEnum):
    """How an attendee was recorded at check-in (签到)."""

    PRESENT = "present", "出席"
    ON_LEAVE = "on_leave", "请假"
    NON_VOTING = "non_voting", "列席"
    ABSENT = "absent", "缺席"


class ConflictKind(LabeledEnum):
    """What is double-booked."""

    ROOM = "room", "会议室冲突"
    ATTENDEE = "attendee", "参会人员冲突"


# ============================================================================ values
Email = Annotated[
    str,
    StringConstraints(strip_whitespace=True, max_length=254, pattern=r"^[^@\s:<>]+@[^@\s:<>]+$"),
]
"""An e-mail address, checked only for its shape."""


class Person(Value):
    """Someone named on a meeting: the organizer, the chair.

    Attributes:
        actor_id: The actor's id in the office.
        name: The name shown on notices.
        email: An e-mail address, used as their calendar address in ICS if given.
    """

    actor_id: Name
    name: Name
    email: Email | None = None


class Attendee(Person):
    """An attendee: who, in which role, and what they answered.

    Attributes:
        role: Required (出席), optional, or attending without vote (列席).
        response: Their answer to the notice.
    """

    role: AttendeeRole = AttendeeRole.REQUIRED
    response: AttendeeResponse = AttendeeResponse.NEEDS_ACTION


class AgendaItem(Value):
    """One topic (议题) on the agenda.

    Attributes:
        topic: What is discussed.
        presenter: Who presents it (a name or an actor id).
        minutes: The time box, in minutes.
        document_ids: Ids of documents the topic refers to.
    """

    topic: Name
    presenter: Name | None = None
    minutes: int | None = Field(default=None, ge=1, le=24 * 60)
    document_ids: tuple[Name, ...] = Field(default=(), max_length=200)


class AttendanceRecord(Value):
    """How one attendee was recorded at check-in.

    Attributes:
        actor_id: The attendee.
        status: Present, on leave (请假), attending without vote (列席) or absent.
        note: A leave reason or remark.
    """

    actor_id: Name
    status: AttendanceStatus
    note: Text | None = None


class Decision(Value):
    """A decision recorded in the minutes (会议决定事项).

    Attributes:
        text: What was decided; the requirement of its supervision item.
        needs_follow_up: Whether it becomes a supervision item when the meeting closes.
        lead_unit: The unit that carries it out; required when it needs follow-up (M7).
        co_units: Units that help.
        deadline: An explicit deadline; without one the deadline policy decides.
        urgency: Picks the policy's term when there is no explicit deadline.
    """

    text: Text
    needs_follow_up: bool = True
    lead_unit: Unit | None = None
    co_units: tuple[Unit, ...] = Field(default=(), max_length=50)
    deadline: Day | None = None
    urgency: ItemUrgency = ItemUrgency.NORMAL

    @model_validator(mode="after")
    def _lead_unit_named(self) -> Self:
        if self.needs_follow_up and self.lead_unit is None:
            raise ValueError(
                f"M7: the decision {self.text[:40]!r} needs follow-up and so names a lead "
                "unit (lead_unit=...), or say needs_follow_up=False"
            )
        return self


class Minutes(Timed):
    """The minutes 纪要: text, decisions and, once approved, who approved them.

    ``by`` and ``at`` say who recorded them and when.
    """

    text: Text
    decisions: tuple[Decision, ...] = Field(default=(), max_length=500)
    approved_by: Name | None = None
    approved_at: Timestamp | None = None
    approval_opinion: Text | None = None

    @property
    def follow_up(self) -> tuple[Decision, ...]:
        """The decisions that become supervision items, in order."""
        return tuple(d for d in self.decisions if d.needs_follow_up)


class Notice(Timed):
    """The meeting notice 会议通知 as sent: time, place, attendees and topics."""

    start: Timestamp
    end: Timestamp
    room: Name | None = None
    attendee_ids: tuple[Name, ...]
    topics: tuple[Name, ...]
    note: Text | None = None


class Postponement(Timed):
    """A postponement 延期: from when to when, and why."""

    from_start: Timestamp
    from_end: Timestamp
    to_start: Timestamp
    to_end: Timestamp
    reason: Text


def _seconds(value: datetime) -> datetime:
    return value.replace(microsecond=0)


# ============================================================================ the entity
class Meeting(Entity):
    """A meeting 会议: who, when, where, what, and what came of it.

    ``start`` and ``end`` are the (first) occurrence's times, aware; ``timezone`` is the
    IANA zone whose wall clock the meeting follows (a recurring meeting keeps its local
    time across daylight-saving changes). A recurring meeting's ``recurrence`` starts
    at ``start`` and lasts ``end - start``.
    """

    entity_kind: ClassVar[EntityKind] = EntityKind.MEETING
    terminal_states: ClassVar[frozenset[str]] = frozenset(
        {MeetingState.CLOSED, MeetingState.CANCELLED}
    )

    state: MeetingState = MeetingState.PLANNED
    meeting_kind: MeetingKind
    title: Name
    organizer: Person
    chair: Person | None = None
    attendees: tuple[Attendee, ...] = Field(default=(), max_length=2000)
    room: Name | None = None
    start: Timestamp
    end: Timestamp
    timezone: TimeZoneName
    recurrence: Recurrence | None = None
    agenda: tuple[AgendaItem, ...] = Field(default=(), max_length=200)
    alarm_minutes: int | None = Field(default=15, ge=0, le=7 * 24 * 60)
    """Minutes before the start at which calendars remind attendees (VALARM); None: no alarm."""
    notice: Notice | None = None
    postponements: tuple[Postponement, ...] = ()
    attendance: tuple[AttendanceRecord, ...] = ()
    minutes: Minutes | None = None
    supervision_item_ids: tuple[Name, ...] = ()
    """The supervision items opened from the decisions when the meeting was closed."""
    cancel_reason: Text | None = None

    @field_validator("start", "end")
    @classmethod
    def _whole_seconds(cls, value: datetime) -> datetime:
        return _seconds(value)

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        if as_utc(self.end) <= as_utc(self.start):
            raise ValueError(
                f"M3: a meeting ends after it starts; got {self.start.isoformat()} to "
                f"{self.end.isoformat()}"
            )
        ids = [a.actor_id for a in self.attendees]
        if len(set(ids)) != len(ids):
            twice = sorted({i for i in ids if ids.count(i) > 1})
            raise ValueError(f"M1: each attendee is listed once; twice: {', '.join(twice)}")
        rec = self.recurrence
        if rec is not None:
            if rec.timezone != self.timezone:
                raise ValueError(
                    f"M8: the recurrence follows {rec.timezone}, the meeting {self.timezone}"
                )
            duration = elapsed(self.start, self.end)
            if as_utc(rec.start) != as_utc(self.start) or rec.duration != duration:
                raise ValueError(
                    "M8: the recurrence starts with the meeting and lasts as long "
                    f"(start {self.start.isoformat()}, duration {duration}); it "
                    f"has start {rec.start.isoformat()}, duration {rec.duration}"
                )
        return self

    # ------------------------------------------------------------------ queries
    @property
    def local_start(self) -> datetime:
        """The start in the meeting's own zone."""
        return self.start.astimezone(zone(self.timezone))

    @property
    def local_end(self) -> datetime:
        """The end in the meeting's own zone."""
        return self.end.astimezone(zone(self.timezone))

    def attendee(self, actor_id: str) -> Attendee | None:
        """The attendee with ``actor_id``, if they are one."""
        return next((a for a in self.attendees if a.actor_id == actor_id), None)

    @property
    def required_attendees(self) -> tuple[Attendee, ...]:
        """The attendees whose role is required (出席)."""
        return tuple(a for a in self.attendees if a.role is AttendeeRole.REQUIRED)

    def occurrences(
        self,
        between_start: datetime | None = None,
        between_end: datetime | None = None,
        *,
        overlapping: bool = False,
    ) -> list[Occurrence]:
        """The meeting's occurrences in a window (a one-off meeting has one).

        See :meth:`Recurrence.occurrences` for the arguments.

        Raises:
            ValidationError: The window is naive, reversed, unbounded for an endless
                series, or too wide.
        """
        if self.recurrence is not None:
            return self.recurrence.occurrences(between_start, between_end, overlapping=overlapping)
        check_window(between_start, between_end)
        tz = zone(self.timezone)
        start = self.start.astimezone(tz)
        only = Occurrence(start, self.end.astimezone(tz), start)
        after = between_start is None or (
            as_utc(only.end) > as_utc(between_start)
            if overlapping
            else as_utc(only.start) >= as_utc(between_start)
        )
        before = between_end is None or as_utc(only.start) < as_utc(between_end)
        return [only] if after and before else []


# ============================================================================ inputs
class _Timed(Input):
    """An input with a new start and end."""

    start: Timestamp
    end: Timestamp

    @model_validator(mode="after")
    def _ends_after_start(self) -> Self:
        if as_utc(self.end) <= as_utc(self.start):
            raise ValueError(
                f"M3: a meeting ends after it starts; got {self.start.isoformat()} to "
                f"{self.end.isoformat()}"
            )
        return self


class Revise(Input):
    """Input of ``revise``: change the plan before the notice goes out.

    Fields not given stay as they are; ``chair``, ``room`` and ``alarm_minutes`` given
    as None are cleared, and ``recurrence=None`` makes a recurring meeting a one-off.
    """

    title: Name | None = None
    meeting_kind: MeetingKind | None = None
    chair: Person | None = None
    attendees: tuple[Attendee, ...] | None = Field(default=None, max_length=2000)
    room: Name | None = None
    agenda: tuple[AgendaItem, ...] | None = Field(default=None, max_length=200)
    alarm_minutes: int | None = Field(default=None, ge=0, le=7 * 24 * 60)
    start: Timestamp | None = None
    end: Timestamp | None = None
    recurrence: Recurrence | None = None

    @model_validator(mode="after")
    def _times_together(self) -> Self:
        if (self.start is None) != (self.end is None):
            raise ValueError("M3: a new time gives both start and end")
        if (
            self.start is not None
            and self.end is not None
            and as_utc(self.end) <= as_utc(self.start)
        ):
            raise ValueError("M3: a meeting ends after it starts")
        return self


class Notify(Input):
    """Input of ``notify``: a remark printed on the notice, if any."""

    note: Text | None = None


class Postpone(_Timed):
    """Input of ``postpone``: the new time and, to change a series' rule, the new rule."""

    recurrence: Recurrence | None = None


class Respond(Input):
    """Input of ``respond``: the attendee's answer."""

    response: AttendeeResponse

    @field_validator("response")
    @classmethod
    def _an_answer(cls, value: AttendeeResponse) -> AttendeeResponse:
        if value is AttendeeResponse.NEEDS_ACTION:
            raise ValueError("an answer is accepted, declined or tentative")
        return value


class CheckIn(Input):
    """Input of ``check_in``: the attendance record (签到)."""

    records: tuple[AttendanceRecord, ...] = Field(min_length=1, max_length=2000)


class RecordMinutes(Input):
    """Input of ``record_minutes``: the minutes' text and decisions (纪要)."""

    text: Text
    decisions: tuple[Decision, ...] = Field(default=(), max_length=500)


class CloseMeeting(Input):
    """Input of ``close``: the approving leader's opinion and the items opened.

    ``supervision_item_ids`` names one supervision item per decision needing follow-up,
    in the order of the decisions (M7); the office allocates them and opens the items
    in the same unit of work (see :func:`follow_up_items`).
    """

    opinion: Text | None = None
    supervision_item_ids: tuple[Name, ...] = Field(default=(), max_length=500)


class SkipOccurrence(Input):
    """Input of ``skip_occurrence``: which occurrence of the series is left out (EXDATE)."""

    original_start: Timestamp


class MoveOccurrence(_Timed):
    """Input of ``move_occurrence``: which occurrence moves, and where to."""

    original_start: Timestamp


# ============================================================================ rules
def _meeting(ctx: TransitionContext) -> Meeting:
    entity = ctx.entity
    assert isinstance(entity, Meeting)  # noqa: S101 -- the meeting table's entity type
    return entity


def _check_attendees(ctx: TransitionContext) -> str | None:
    return (
        None if _meeting(ctx).attendees else "the notice names no attendee (revise attendees=...)"
    )


M1_ATTENDEES = Rule(
    "M1", "notice-has-attendees", "a notice goes to at least one attendee", _check_attendees
)


def _check_agenda(ctx: TransitionContext) -> str | None:
    return None if _meeting(ctx).agenda else "the notice lists no topic (revise agenda=...)"


M2_AGENDA = Rule("M2", "notice-has-agenda", "a notice lists the topics", _check_agenda)


def _check_notice_before_start(ctx: TransitionContext) -> str | None:
    start = _meeting(ctx).start
    if ctx.now < start:
        return None
    return f"the meeting started at {start.isoformat()}; a notice goes out before the start"


M4_NOTICE_BEFORE = Rule(
    "M4",
    "notice-before-start",
    "a notice goes out before the meeting starts",
    _check_notice_before_start,
)


def _check_planned_future(ctx: TransitionContext) -> str | None:
    start = _meeting(ctx).start
    if start > ctx.now:
        return None
    return f"a meeting is planned for a time to come; {start.isoformat()} has passed"


M4_PLANNED_FUTURE = Rule(
    "M4", "planned-for-the-future", "a meeting is planned for a time to come", _check_planned_future
)


def _check_new_time_future(ctx: TransitionContext) -> str | None:
    start = ctx.input("start")
    if start is None or start > ctx.now:
        return None
    return f"the new start {start.isoformat()} has passed; a meeting moves to a time to come"


M4_NEW_TIME_FUTURE = Rule(
    "M4",
    "moved-to-the-future",
    "a meeting or occurrence is moved to a time to come",
    _check_new_time_future,
    on_input=True,
)


def _check_self_response(ctx: TransitionContext) -> str | None:
    meeting = _meeting(ctx)
    if meeting.attendee(ctx.actor.id) is not None:
        return None
    return f"{ctx.actor.id} is not an attendee of {meeting.id}; attendees answer for themselves"


M5_SELF_RESPONSE = Rule(
    "M5",
    "attendee-responds-for-self",
    "only an attendee records their own response",
    _check_self_response,
)


def _check_attendance(ctx: TransitionContext) -> str | None:
    records: tuple[AttendanceRecord, ...] | None = ctx.input("records")
    if records is None:
        return None
    meeting = _meeting(ctx)
    named = [r.actor_id for r in records]
    twice = sorted({n for n in named if named.count(n) > 1})
    if twice:
        return f"each attendee is recorded once; twice: {', '.join(twice)}"
    strangers = [n for n in named if meeting.attendee(n) is None]
    if strangers:
        return f"not attendees of this meeting: {', '.join(strangers)}"
    missing = [a.actor_id for a in meeting.required_attendees if a.actor_id not in named]
    if missing:
        return f"no check-in record for the required attendees {', '.join(missing)}"
    return None


M6_CHECK_IN = Rule(
    "M6",
    "every-required-attendee-checked-in",
    "check-in records every required attendee (present, on leave, 列席 or absent) and "
    "names only attendees",
    _check_attendance,
    on_input=True,
)


def _check_items(ctx: TransitionContext) -> str | None:
    ids: tuple[str, ...] | None = ctx.input("supervision_item_ids")
    if ids is None:
        return None
    minutes = _meeting(ctx).minutes
    wanted = len(minutes.follow_up) if minutes is not None else 0
    if len(set(ids)) != len(ids):
        return "a supervision item id is given twice"
    if len(ids) != wanted:
        return (
            f"{wanted} decision(s) need follow-up, so closing opens {wanted} supervision "
            f"item(s); got {len(ids)} supervision_item_ids"
        )
    return None


M7_ITEMS = Rule(
    "M7",
    "one-item-per-decision",
    "closing opens one supervision item per decision needing follow-up",
    _check_items,
    on_input=True,
)


def _check_occurrence(ctx: TransitionContext) -> str | None:
    meeting = _meeting(ctx)
    if meeting.recurrence is None:
        return "the meeting does not recur; postpone or cancel it instead"
    original = ctx.input("original_start")
    if original is None:
        return None
    series = meeting.recurrence
    if not series.is_occurrence(original):
        return f"{original.isoformat()} is not an occurrence of the series"
    if series.is_excluded(original):
        return f"the occurrence of {original.isoformat()} is already skipped"
    return None


M8_OCCURRENCE = Rule(
    "M8",
    "occurrence-of-the-series",
    "only an occurrence of a recurring meeting is skipped or moved, and only once skipped",
    _check_occurrence,
)


def _check_retime(ctx: TransitionContext) -> str | None:
    data = ctx.data
    if not isinstance(data, Revise | Postpone):
        return None
    try:
        _retimed(_meeting(ctx), data)
    except ValidationError as e:
        return "; ".join(p.message for p in e.problems) + " (restate it with recurrence=...)"
    return None


M8_RETIME = Rule(
    "M8",
    "series-follows-new-time",
    "a recurring meeting moved to a new time still fits its rule, or restates it",
    _check_retime,
    on_input=True,
)
POSTPONE_REASON = reason_required("POSTPONE", "postpone-needs-reason", "postponing a meeting")
CANCEL_REASON = reason_required("CANCEL", "meeting-cancel-needs-reason", "cancelling a meeting")


# ============================================================================ effects
def _retimed(meeting: Meeting, data: Revise | Postpone | None) -> Recurrence | None:
    """The series after a change of time (the input's own rule if it restates one)."""
    if data is None:
        return meeting.recurrence
    if "recurrence" in data.model_fields_set:
        return data.recurrence
    if meeting.recurrence is None or data.start is None or data.end is None:
        return meeting.recurrence
    return meeting.recurrence.retimed(data.start, data.end)


def _revise(ctx: TransitionContext) -> dict[str, Any]:
    data = ctx.data
    assert isinstance(data, Revise)  # noqa: S101 -- the engine validated it
    given = data.model_fields_set
    updates: dict[str, Any] = {
        name: getattr(data, name)
        for name in ("title", "meeting_kind", "attendees", "agenda")
        if getattr(data, name) is not None
    }
    updates.update(
        {name: getattr(data, name) for name in ("chair", "room", "alarm_minutes") if name in given}
    )
    if data.start is not None:
        updates["start"], updates["end"] = data.start, data.end
    if data.start is not None or "recurrence" in given:
        updates["recurrence"] = _retimed(_meeting(ctx), data)
    return updates


def _notify(ctx: TransitionContext) -> dict[str, Any]:
    meeting = _meeting(ctx)
    notice = Notice(
        by=ctx.actor.id,
        at=ctx.now,
        start=meeting.start,
        end=meeting.end,
        room=meeting.room,
        attendee_ids=tuple(a.actor_id for a in meeting.attendees),
        topics=tuple(item.topic for item in meeting.agenda),
        note=ctx.input("note"),
    )
    return {"notice": notice}


def _postpone(ctx: TransitionContext) -> dict[str, Any]:
    data = ctx.data
    assert isinstance(data, Postpone)  # noqa: S101
    assert ctx.reason is not None  # noqa: S101 -- POSTPONE_REASON held
    meeting = _meeting(ctx)
    record = Postponement(
        by=ctx.actor.id,
        at=ctx.now,
        from_start=meeting.start,
        from_end=meeting.end,
        to_start=data.start,
        to_end=data.end,
        reason=ctx.reason,
    )
    return {
        "start": data.start,
        "end": data.end,
        "recurrence": _retimed(meeting, data),
        "postponements": (*meeting.postponements, record),
        "notice": None,
        "attendees": tuple(
            a.model_copy(update={"response": AttendeeResponse.NEEDS_ACTION})
            for a in meeting.attendees
        ),
    }


def _cancel(ctx: TransitionContext) -> dict[str, Any]:
    return {"cancel_reason": ctx.reason}


def _respond(ctx: TransitionContext) -> dict[str, Any]:
    data = ctx.data
    assert isinstance(data, Respond)  # noqa: S101
    meeting = _meeting(ctx)
    return {
        "attendees": tuple(
            a.model_copy(update={"response": data.response}) if a.actor_id == ctx.actor.id else a
            for a in meeting.attendees
        )
    }


def _check_in(ctx: TransitionContext) -> dict[str, Any]:
    return {"attendance": ctx.input("records")}


def _record_minutes(ctx: TransitionContext) -> dict[str, Any]:
    data = ctx.data
    assert isinstance(data, RecordMinutes)  # noqa: S101
    return {
        "minutes": Minutes(by=ctx.actor.id, at=ctx.now, text=data.text, decisions=data.decisions)
    }


def _close(ctx: TransitionContext) -> dict[str, Any]:
    data = ctx.data
    assert isinstance(data, CloseMeeting)  # noqa: S101
    minutes = _meeting(ctx).minutes
    assert minutes is not None  # noqa: S101 -- a minuted meeting has minutes
    approved = minutes.model_copy(
        update={
            "approved_by": ctx.actor.id,
            "approved_at": ctx.now,
            "approval_opinion": data.opinion,
        }
    )
    return {"minutes": approved, "supervision_item_ids": data.supervision_item_ids}


def _skip(ctx: TransitionContext) -> dict[str, Any]:
    series = _meeting(ctx).recurrence
    assert series is not None  # noqa: S101 -- M8_OCCURRENCE held
    original = ctx.input("original_start")
    tz = series.zone
    key = original.astimezone(tz).replace(tzinfo=None)
    kept = tuple(
        m for m in series.moves if m.original_start.astimezone(tz).replace(tzinfo=None) != key
    )
    return {"recurrence": series.model_copy(update={"moves": kept}).excluding(original)}


def _move(ctx: TransitionContext) -> dict[str, Any]:
    data = ctx.data
    assert isinstance(data, MoveOccurrence)  # noqa: S101
    series = _meeting(ctx).recurrence
    assert series is not None  # noqa: S101 -- M8_OCCURRENCE held
    return {"recurrence": series.moving(data.original_start, data.start, data.end)}


# ============================================================================ the table
_PLANNERS: Final = frozenset({Role.CLERK.value, Role.OFFICE_DIRECTOR.value})
_LEADERS: Final = frozenset({Role.LEADER.value, Role.PRINCIPAL_LEADER.value})
_SERIES_STATES: Final = (MeetingState.PLANNED, MeetingState.NOTIFIED)
_RETIME_FIELDS: Final = frozenset({"start", "end", "timezone", "recurrence", "attendees"})
"""Fields the meeting's model-level rules (M1, M3, M8) look at."""

MEETING_TABLE: WorkflowTable[Meeting] = WorkflowTable(
    name="meeting",
    entity_type=Meeting,
    states=MeetingState,
    description="会务: planned → notified → held → minuted → closed",
    creation=CreationSpec(
        "plan",
        MeetingState.PLANNED,
        _PLANNERS,
        (M4_PLANNED_FUTURE,),
        "筹备",
        managed=frozenset(
            {
                "notice",
                "postponements",
                "attendance",
                "minutes",
                "supervision_item_ids",
                "cancel_reason",
            }
        ),
    ),
    transitions=(
        TransitionSpec(
            "revise",
            (MeetingState.PLANNED,),
            None,
            _PLANNERS,
            (M4_NEW_TIME_FUTURE, M8_RETIME),
            data=Revise,
            effect=_revise,
            label="修改安排",
            revalidate=_RETIME_FIELDS,
            awaited=False,
        ),
        TransitionSpec(
            "notify",
            (MeetingState.PLANNED,),
            MeetingState.NOTIFIED,
            _PLANNERS,
            (M1_ATTENDEES, M2_AGENDA, M4_NOTICE_BEFORE),
            data=Notify,
            effect=_notify,
            label="发通知",
        ),
        TransitionSpec(
            "respond",
            (MeetingState.NOTIFIED,),
            None,
            None,
            (M5_SELF_RESPONSE,),
            data=Respond,
            effect=_respond,
            label="回执",
        ),
        TransitionSpec(
            "postpone",
            (MeetingState.NOTIFIED,),
            MeetingState.PLANNED,
            _PLANNERS,
            (POSTPONE_REASON, M4_NEW_TIME_FUTURE, M8_RETIME),
            data=Postpone,
            effect=_postpone,
            label="延期",
            revalidate=_RETIME_FIELDS,
            awaited=False,
        ),
        TransitionSpec(
            "skip_occurrence",
            _SERIES_STATES,
            None,
            _PLANNERS,
            (M8_OCCURRENCE,),
            data=SkipOccurrence,
            effect=_skip,
            label="本次不开",
            revalidate=_RETIME_FIELDS,
            awaited=False,
        ),
        TransitionSpec(
            "move_occurrence",
            _SERIES_STATES,
            None,
            _PLANNERS,
            (M8_OCCURRENCE, M4_NEW_TIME_FUTURE),
            data=MoveOccurrence,
            effect=_move,
            label="本次调整",
            revalidate=_RETIME_FIELDS,
            awaited=False,
        ),
        TransitionSpec(
            "cancel",
            _SERIES_STATES,
            MeetingState.CANCELLED,
            _PLANNERS,
            (CANCEL_REASON,),
            effect=_cancel,
            label="取消",
            awaited=False,
        ),
        TransitionSpec(
            "check_in",
            (MeetingState.NOTIFIED,),
            MeetingState.HELD,
            _PLANNERS,
            (M6_CHECK_IN,),
            data=CheckIn,
            effect=_check_in,
            label="签到",
        ),
        TransitionSpec(
            "record_minutes",
            (MeetingState.HELD,),
            MeetingState.MINUTED,
            _PLANNERS,
            data=RecordMinutes,
            effect=_record_minutes,
            label="形成纪要",
        ),
        TransitionSpec(
            "close",
            (MeetingState.MINUTED,),
            MeetingState.CLOSED,
            _LEADERS,
            (M7_ITEMS,),
            data=CloseMeeting,
            effect=_close,
            label="审定纪要",
        ),
        remind_spec(s for s in MeetingState if s not in Meeting.terminal_states),
    ),
)

MEETING_RULES: tuple[Rule, ...] = MEETING_TABLE.rules
"""Every named rule the meeting table enforces, in table order."""


# ============================================================================ conflicts
class Conflict(Value):
    """A room or a required attendee booked twice at overlapping times (M9).

    A conflict with a meeting the reader may not see is :meth:`withheld`: it says that
    the room or the attendee is booked at that time, and nothing of the other meeting
    (its id, title and times are None).

    Attributes:
        kind: Room or attendee.
        meeting_id: The meeting being checked.
        meeting_title: Its title.
        other_id: The meeting it clashes with; None if withheld from the reader.
        other_title: That meeting's title; None if withheld.
        start: The checked meeting's occurrence start.
        end: Its end.
        other_start: The other meeting's occurrence start; None if withheld.
        other_end: Its end; None if withheld.
        room: The room, for a room conflict.
        attendee_id: The attendee's actor id, for an attendee conflict.
        attendee_name: The attendee's name, for an attendee conflict.
    """

    kind: ConflictKind
    meeting_id: Name
    meeting_title: Name
    other_id: Name | None
    other_title: Name | None
    start: Timestamp
    end: Timestamp
    other_start: Timestamp | None
    other_end: Timestamp | None
    room: Name | None = None
    attendee_id: Name | None = None
    attendee_name: Name | None = None

    @property
    def is_withheld(self) -> bool:
        """Whether the other meeting is left out (the reader may not see it)."""
        return self.other_id is None

    def withheld(self) -> Conflict:
        """This conflict as told to a reader who may not see the other meeting."""
        return self.model_copy(
            update={"other_id": None, "other_title": None, "other_start": None, "other_end": None}
        )

    def __str__(self) -> str:
        what = (
            f"room {self.room}"
            if self.kind is ConflictKind.ROOM
            else f"attendee {self.attendee_name} ({self.attendee_id})"
        )
        if self.other_start is None or self.other_end is None:
            booked = "is booked at that time"
        else:
            booked = (
                f"is booked by {self.other_title!r} ({self.other_id}) "
                f"{self.other_start.isoformat()}–{self.other_end.isoformat()}"
            )
        return (
            f"{self.kind.label}: {what} {booked}, overlapping "
            f"{self.meeting_title!r} {self.start.isoformat()}–{self.end.isoformat()}"
        )


def _room_key(room: str | None) -> str | None:
    return None if room is None else " ".join(room.split()).casefold()


def _bookable(meeting: Meeting) -> dict[str, Attendee]:
    """The required attendees who have not declined, by actor id."""
    return {
        a.actor_id: a
        for a in meeting.required_attendees
        if a.response is not AttendeeResponse.DECLINED
    }


def _extent(meeting: Meeting) -> tuple[datetime, datetime]:
    if meeting.recurrence is None:
        return meeting.start, meeting.end
    if not meeting.recurrence.bounded:
        raise ValidationError(
            "conflict window",
            [
                FieldProblem(
                    "window",
                    "M8",
                    f"{meeting.id} recurs without end; give a window to check conflicts in",
                )
            ],
        )
    everything = meeting.recurrence.occurrences()
    return meeting.start, max(o.end for o in everything)


def find_conflicts(
    candidate: Meeting,
    existing_meetings: Iterable[Meeting],
    window: tuple[datetime, datetime] | None = None,
) -> list[Conflict]:
    """The double-bookings ``candidate`` would make with ``existing_meetings`` (M9).

    Two occurrences clash when their half-open intervals ``[start, end)`` overlap and
    they use the same room (compared ignoring case and spacing) or share a required
    attendee who has not declined. Recurring meetings are expanded over ``window``,
    their skipped occurrences left out and moved ones taken where they now are.
    Cancelled and closed meetings, and ``candidate`` itself, are ignored.

    Args:
        candidate: The meeting being planned or changed.
        existing_meetings: The meetings it may clash with.
        window: The aware ``(start, end)`` to look in; by default the candidate's own
            span (from its start to its last occurrence's end).

    Returns:
        The conflicts, by the candidate's occurrence start; room before attendees.

    Raises:
        ValidationError: The window is naive or reversed, too wide, or missing for a
            candidate that recurs without end.
    """
    if not candidate.is_open:
        return []
    begin, finish = window if window is not None else _extent(candidate)
    mine = candidate.occurrences(begin, finish, overlapping=True)
    room = _room_key(candidate.room)
    people = _bookable(candidate)
    found: list[Conflict] = []
    for other in existing_meetings:
        if other.id == candidate.id or not other.is_open:
            continue
        same_room = room is not None and _room_key(other.room) == room
        shared = [a for a in _bookable(other) if a in people]
        if not same_room and not shared:
            continue
        theirs = other.occurrences(begin, finish, overlapping=True)
        for ours in mine:
            for their in theirs:
                if not ours.overlaps(their):
                    continue
                found.extend(_clashes(candidate, other, ours, their, same_room, shared, people))
    found.sort(
        key=lambda c: (
            as_utc(c.start),
            c.kind is not ConflictKind.ROOM,
            as_utc(c.other_start or c.start),  # found conflicts have both
            c.other_id or "",
        )
    )
    return found


def _clashes(  # noqa: PLR0917 -- a private helper of find_conflicts
    candidate: Meeting,
    other: Meeting,
    ours: Occurrence,
    their: Occurrence,
    same_room: bool,  # noqa: FBT001
    shared: list[str],
    people: dict[str, Attendee],
) -> Iterator[Conflict]:
    """The conflicts between two overlapping occurrences."""

    def conflict(kind: ConflictKind, **what: str | None) -> Conflict:
        return Conflict(
            kind=kind,
            meeting_id=candidate.id,
            meeting_title=candidate.title,
            other_id=other.id,
            other_title=other.title,
            start=ours.start,
            end=ours.end,
            other_start=their.start,
            other_end=their.end,
            **what,
        )

    if same_room:
        yield conflict(ConflictKind.ROOM, room=candidate.room)
    for actor_id in shared:
        yield conflict(
            ConflictKind.ATTENDEE, attendee_id=actor_id, attendee_name=people[actor_id].name
        )


def booking_resources(meeting: Meeting) -> tuple[str, ...]:
    """What a meeting books, as lock names: its room and each required attendee (M9).

    A check for double bookings and the planning that depends on it lock these, so two
    planners of the same room or person take turns (``UnitOfWork.lock``).
    """
    room = _room_key(meeting.room)
    resources = [f"room:{room}"] if room is not None else []
    resources.extend(f"attendee:{actor_id}" for actor_id in _bookable(meeting))
    return tuple(sorted(resources))


def conflicts_as_seen(
    conflicts: Iterable[Conflict],
    hidden: Callable[[str], str | None],
) -> tuple[list[Conflict], dict[str, str]]:
    """``conflicts`` as a reader sees them, and why each meeting withheld from them is.

    Args:
        conflicts: The conflicts found.
        hidden: Why the reader may not see the meeting of that id, or None if they may.

    Returns:
        The conflicts, those with a hidden meeting :meth:`~Conflict.withheld`, and the
        hidden meetings' ids with the reason, in the order first met.
    """
    seen: list[Conflict] = []
    withheld: dict[str, str] = {}
    for conflict in conflicts:
        other = conflict.other_id
        reason = None if other is None else withheld.get(other) or hidden(other)
        if reason is None or other is None:
            seen.append(conflict)
            continue
        withheld[other] = reason
        seen.append(conflict.withheld())
    return seen, withheld


def check_no_conflicts(
    candidate: Meeting,
    existing_meetings: Iterable[Meeting],
    window: tuple[datetime, datetime] | None = None,
    *,
    hidden: Callable[[Meeting], str | None] | None = None,
    actor_id: str | None = None,
) -> None:
    """Refuse ``candidate`` if it double-books a room or a required attendee (M9).

    Args:
        candidate: The meeting being planned.
        existing_meetings: The meetings it may clash with.
        window: As :func:`find_conflicts`.
        hidden: Why the planner may not see a meeting, or None if they may; a conflict
            with a meeting hidden from them says only that the room or the attendee is
            booked at that time, and the refusal carries the access refused
            (``withheld``) for the office to record.
        actor_id: Who plans (named in the refusals of access).

    Raises:
        RuleViolation: Code ``M9``; the message lists the first conflicts.
        ValidationError: As :func:`find_conflicts`.
    """
    existing = list(existing_meetings)
    conflicts = find_conflicts(candidate, existing, window)
    if not conflicts:
        return
    withheld: dict[str, str] = {}
    if hidden is not None:
        by_id = {m.id: m for m in existing}
        conflicts, withheld = conflicts_as_seen(conflicts, lambda i: hidden(by_id[i]))
    shown = "; ".join(str(c) for c in conflicts[:3])
    more = f" (and {len(conflicts) - 3} more)" if len(conflicts) > 3 else ""  # noqa: PLR2004
    raise RuleViolation(
        "M9",
        "no-double-booking",
        shown + more,
        entity_id=candidate.id,
        withheld=[
            AccessDenied(actor_id or "", other, reason) for other, reason in withheld.items()
        ],
    )


# ============================================================================ follow-up
FOLLOW_UP_DEADLINE_KEY: Final = "computed_deadline"
"""Key of :func:`follow_up_items` results that says how the deadline was set; not an item field."""


def follow_up_items(
    meeting: Meeting,
    policy: DeadlinePolicy | None,
    calendar: WorkCalendar,
    today: date,
    *,
    received_at: datetime | None = None,
) -> list[dict[str, Any]]:
    """The supervision items a meeting's decisions open, as fields for ``office.supervision.open``.

    One dict per decision that needs follow-up, in the order of the minutes: source
    ``meeting_decision``, ``source_ref`` the meeting's id, the decision's text as the
    requirement, its lead and co-units, ``instructed_by`` the chair (else the approving
    leader), and the deadline: the decision's own, or the policy's term for meeting
    decisions counted from ``today`` (S2: 20 days; a policy may count working days).

    Each dict also holds, under ``"computed_deadline"``
    (:data:`FOLLOW_UP_DEADLINE_KEY`), the
    :class:`~secretarial.supervision.ComputedDeadline` saying which rule, unit
    and calendar gave the date; it is not an item field: pop it before opening the item.

    Args:
        meeting: The meeting, with minutes.
        policy: The deadline policy; the defaults if None.
        calendar: The working-day calendar.
        today: The day counting starts from (the day the minutes are approved).
        received_at: When the items are received; by default when the minutes were
            approved, or else recorded.

    Raises:
        RuleViolation: The meeting has no minutes yet (code ``M7``).
        CalendarCoverageError: A default deadline needs a day the calendar has no data for.
    """
    minutes = meeting.minutes
    if minutes is None:
        raise RuleViolation(
            "M7",
            "minutes-before-follow-up",
            "the meeting has no minutes yet; decisions are followed up from the minutes",
            entity_id=meeting.id,
        )
    when = received_at or minutes.approved_at or minutes.at
    instructed_by = meeting.chair.actor_id if meeting.chair else minutes.approved_by
    items: list[dict[str, Any]] = []
    for decision in minutes.follow_up:
        computed = resolve_deadline(
            decision.deadline,
            SupervisionSource.MEETING_DECISION,
            today,
            calendar,
            urgency=decision.urgency,
            policy=policy,
        )
        items.append(
            {
                "source": SupervisionSource.MEETING_DECISION,
                "source_ref": meeting.id,
                "requirement": decision.text,
                "lead_unit": decision.lead_unit,
                "co_units": decision.co_units,
                "deadline": computed.due,
                "received_at": when,
                "instructed_by": instructed_by,
                "classification": meeting.classification,
                FOLLOW_UP_DEADLINE_KEY: computed,
            }
        )
    return items


def item_fields(follow_up: dict[str, Any]) -> dict[str, Any]:
    """A :func:`follow_up_items` dict without its ``computed_deadline``: the item's fields."""
    return {k: v for k, v in follow_up.items() if k != FOLLOW_UP_DEADLINE_KEY}


def occurrences_of(
    meetings: Sequence[Meeting], between_start: datetime, between_end: datetime
) -> list[tuple[Meeting, Occurrence]]:
    """Every occurrence of ``meetings`` starting in the window, by start (an agenda view)."""
    pairs = [
        (m, o)
        for m in meetings
        if m.state is not MeetingState.CANCELLED
        for o in m.occurrences(between_start, between_end)
    ]
    pairs.sort(key=lambda pair: (as_utc(pair[1].start), pair[0].id))
    return pairs
