"""Duty and reception 值班与接待: the roster, handovers, call records and reception plans.

What a secretariat keeps around the clock (docs/rules.md R1) and when it receives visitors
(docs/rules.md R2):

* A :class:`DutyShift` 值班班次 is one stretch of duty: its start and end (aware times),
  the leader on duty 带班领导 and the duty officers 值班员. It goes ``scheduled`` →
  ``on_duty`` (``take_over`` 接班) → ``handed_over`` (``hand_over`` 交班). While it is
  scheduled, ``swap`` 换班 puts another person in one person's place (the office director
  approves it, and both are named on the record), and ``cancel`` drops it.
* A :class:`DutyRoster` 值班表 is a set of shifts. It says who is on duty at a moment
  (:func:`who_is_on_duty`), where the 24-hour coverage of a period has gaps, and who would
  be on two overlapping shifts (:func:`check_roster`). :func:`rotation_shifts` turns a
  :class:`~secretarial.kernel.Recurrence` and a list of teams into shifts.
* A :class:`HandoverRecord` 交接班记录 lists the matters still pending when a shift hands
  over. :func:`carry_forward` builds the next list from the previous one minus what was
  closed, so an open matter is never dropped between shifts.
* A :class:`CallRecord` 电话记录 keeps the time, the caller (name, unit, phone), the
  matter, the measures taken and who recorded it. :func:`item_fields_from_call` and
  :func:`document_fields_from_call` turn it into a supervision item or an incoming
  document.
* A :class:`ReceptionPlan` 接待方案 goes ``drafted`` → ``approved`` → ``held`` →
  ``closed``; it is approved only within the limits of its :class:`ReceptionPolicy`.

Rule codes of this module (``docs/duty.md`` lists every rule by code and name):

* R1 (duty): a shift names a leader on duty and at least one duty officer, each person
  once, and ends after it starts; the shifts of a period leave no gap (24-hour
  coverage) and no one is on two overlapping shifts; only someone on a shift takes it
  over or hands it over; a handover lists the pending matters and carries forward every
  matter it received that was not closed; a call record keeps the time, the caller's
  name, unit and phone, the matter, the measures taken and the recorder.
* R2 (reception): an official letter 公函; at most one working meal; hosts at the meal at
  most 3 for 10 guests or fewer, otherwise at most a third of the guests (a policy).
* SWAP: a swap names the person leaving and a different person, not on the shift, who
  takes their place. FORWARD: a call is forwarded to a new item or document, once each.
  CANCEL: cancelling needs a reason.

Nothing here reads a clock or a store: callers pass ``now``, ids and the shifts.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Annotated, Any, ClassVar, Final, Self

import pydantic
from pydantic import BeforeValidator, Field, StringConstraints, field_validator, model_validator

from secretarial.documents._enums import Channel, DocumentKind
from secretarial.errors import AccessDenied, FieldProblem, RuleViolation, ValidationError
from secretarial.kernel._display import html_table
from secretarial.kernel._entity import Entity
from secretarial.kernel._enums import (
    Classification,
    EntityKind,
    LabeledEnum,
    OrganRelation,
    Role,
)
from secretarial.kernel._recurrence import Recurrence, as_utc, check_window, elapsed
from secretarial.kernel._reminders import remind_spec
from secretarial.kernel._rules import Rule, TransitionContext, reason_required
from secretarial.kernel._values import Name, Organ, Text, Timed, Timestamp, Unit, Value
from secretarial.kernel._workflow import (
    CreationSpec,
    Input,
    TransitionSpec,
    WorkflowTable,
    problems_from_pydantic,
)
from secretarial.supervision._deadlines import ItemUrgency
from secretarial.supervision._enums import SupervisionSource

__all__ = [
    "CALL_CHANNEL",
    "CALL_RECORD_RULES",
    "CALL_RECORD_TABLE",
    "DUTY_OFFICER_ROLE",
    "DUTY_SHIFT_RULES",
    "DUTY_SHIFT_TABLE",
    "MAX_SHIFT",
    "RECEPTION_RULES",
    "RECEPTION_TABLE",
    "WITHHELD_MATTER",
    "ApproveReception",
    "CallRecord",
    "CallState",
    "Caller",
    "CallerKind",
    "CloseCall",
    "CloseReception",
    "CoverageGap",
    "DoubleDuty",
    "DutyPerson",
    "DutyPosition",
    "DutyRoster",
    "DutyShift",
    "DutyTeam",
    "ForwardCall",
    "GuestParty",
    "HandOver",
    "HandoverRecord",
    "HoldReception",
    "Meal",
    "MealKind",
    "OfficialLetter",
    "OnDuty",
    "PendingMatter",
    "ReceptionPlan",
    "ReceptionPolicy",
    "ReceptionState",
    "ReviseReception",
    "ShiftState",
    "Swap",
    "SwapRecord",
    "TakeOver",
    "carry_forward",
    "check_roster",
    "document_fields_from_call",
    "item_fields_from_call",
    "reception_problems",
    "rotation_shifts",
    "who_is_on_duty",
]

DUTY_OFFICER_ROLE: Final = Role.DUTY_OFFICER.value
"""The role of a duty officer 值班员 (roles are strings; a host may grant it to anyone on duty)."""
MAX_SHIFT: Final = timedelta(days=7)
"""The longest a single shift may last (a long holiday shift included)."""
CALL_CHANNEL: Final[Channel] = Channel.PHONE
"""The channel of an incoming document registered from a telephoned notice."""


# ============================================================================ enums
class ShiftState(LabeledEnum):
    """States of a duty shift (值班)."""

    SCHEDULED = "scheduled", "已排班"
    ON_DUTY = "on_duty", "值班中"
    HANDED_OVER = "handed_over", "已交班"
    CANCELLED = "cancelled", "取消"


class DutyPosition(LabeledEnum):
    """Where someone stands on a shift."""

    LEADER = "leader", "带班领导"
    OFFICER = "officer", "值班员"


class CallState(LabeledEnum):
    """States of a call record (电话记录)."""

    RECORDED = "recorded", "已记录"
    FORWARDED = "forwarded", "已转办"
    CLOSED = "closed", "办结"


class CallerKind(LabeledEnum):
    """Who is calling, which decides what a call can open (see :func:`item_fields_from_call`)."""

    SUPERIOR = "superior", "上级机关"
    LEADER = "leader", "本级领导"
    PEER = "peer", "平级机关"
    SUBORDINATE = "subordinate", "下级机关"
    PUBLIC = "public", "群众"
    OTHER = "other", "其他"


class ReceptionState(LabeledEnum):
    """States of a reception plan (接待)."""

    DRAFTED = "drafted", "拟订"
    APPROVED = "approved", "已审批"
    HELD = "held", "已接待"
    CLOSED = "closed", "办结"
    CANCELLED = "cancelled", "取消"


class MealKind(LabeledEnum):
    """How a meal of a reception is paid and hosted."""

    WORKING_MEAL = "working_meal", "工作餐"
    """Arranged by the host, at most once (R2), with a limited number of hosts."""
    SELF_PAID = "self_paid", "自行用餐"
    """The guests eat at their own expense, by the standard; no hosts."""


# ============================================================================ helpers
def _kept(code: str, what: str) -> BeforeValidator:
    """A check that a required element is given and not blank, refused under rule ``code``.

    Used with ``Field(default=None, validate_default=True)`` so that a missing element is
    reported as the rule (``R1``) on the field itself, not as pydantic's "missing".
    """

    def check(value: Any) -> Any:
        blank = (
            value is None
            or (isinstance(value, str) and not value.strip())
            or (isinstance(value, list | tuple) and not value)
        )
        if blank:
            raise ValueError(f"{code}: {what}; it is missing or blank")
        return value

    return BeforeValidator(check)


def _seconds(value: datetime) -> datetime:
    return value.replace(microsecond=0)


def _aware(name: str, moment: datetime) -> None:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValidationError(
            name, [FieldProblem(name, "timezone_aware", "must be timezone-aware")]
        )


def _twice(keys: Iterable[str]) -> list[str]:
    seen: set[str] = set()
    twice: set[str] = set()
    for key in keys:
        (twice if key in seen else seen).add(key)
    return sorted(twice)


Phone = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True, min_length=1, max_length=40, pattern=r"^[0-9+()（）\-\s#*,转]+$"
    ),
]
"""A telephone number: digits, ``+``, ``-``, parentheses, spaces, ``#``, ``*``, ``转`` (ext.)."""
Short = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)]
"""A short text: one line or two."""


# ============================================================================ duty: values
class DutyPerson(Value):
    """Someone on duty.

    Attributes:
        actor_id: Their actor id in the office; a person is identified by it.
        name: The name shown on the roster.
        phone: Where to reach them while on duty.
    """

    actor_id: Name
    name: Name
    phone: Phone | None = None


class DutyTeam(Value):
    """A leader on duty and the duty officers who serve with them (one turn of a rotation).

    Attributes:
        leader: The leader on duty 带班领导.
        officers: The duty officers 值班员, at least one.
    """

    leader: Annotated[DutyPerson, _kept("R1", "a duty team names its leader on duty")] = Field(
        default=None, validate_default=True
    )
    officers: Annotated[
        tuple[DutyPerson, ...], _kept("R1", "a duty team names at least one duty officer")
    ] = Field(default=(), validate_default=True, max_length=50)

    @model_validator(mode="after")
    def _each_once(self) -> Self:
        twice = _twice(p.actor_id for p in (self.leader, *self.officers))
        if twice:
            raise ValueError(
                "R1: each person is on a team once (as leader or officer); twice: "
                + ", ".join(twice)
            )
        return self


class SwapRecord(Timed):
    """A swap 换班 as approved: who left the shift, who took their place, in which position.

    ``by`` is the office director who approved the swap and ``at`` when.

    Attributes:
        out_id: The actor id of the person who left the shift.
        out_name: Their name.
        replacement: The person who took their place.
        position: Leader on duty or duty officer.
        other_shift_id: For an exchange 互换, the shift the two swapped the other way.
        reason: Why, if given.
    """

    out_id: Name
    out_name: Name
    replacement: DutyPerson
    position: DutyPosition
    other_shift_id: Name | None = None
    reason: Text | None = None


WITHHELD_MATTER: Final = "涉密事项，另行交接"
"""The text a pending matter is carried with when the person handing over may not know it
(a classified call taken on their shift by someone cleared): handed over separately."""


class PendingMatter(Value):
    """A matter handed over unfinished 待办事项: a short text, perhaps linked to an entity.

    Attributes:
        key: Identifies the matter from handover to handover; by default the linked
            entity's id, else the text.
        text: What is pending, in a line or two.
        entity_id: The entity the matter is about (a call record, a supervision item ...);
            the matter closes when that entity is closed.
        since: When the matter was first handed over.
        carried: Through how many handovers it has been carried so far.
        classification: The classification of what the matter is about: the office
            gives a matter linked to an entity that entity's; a shift holding the matter
            is classified at least as high (see :class:`DutyShift`).
    """

    key: Name
    text: Short
    entity_id: Name | None = None
    since: Timestamp | None = None
    carried: int = Field(default=0, ge=0)
    classification: Classification = Classification.UNCLASSIFIED

    @model_validator(mode="before")
    @classmethod
    def _default_key(cls, data: Any) -> Any:
        if isinstance(data, Mapping) and not data.get("key"):
            ref = data.get("entity_id") or data.get("text")
            if isinstance(ref, str) and ref.strip():
                return {**data, "key": ref.strip()[:200]}
        return data


class HandoverRecord(Timed):
    """A handover 交接班记录: what one shift hands to the next.

    ``by`` is the person who handed over and ``at`` when.

    Attributes:
        to_shift_id: The shift that took over; None at the end of a roster.
        received_by: The actor id of the person who took over.
        pending: The matters still pending, carried forward to the next shift (R1).
        closed: The keys of the matters closed during the shift.
        note: Anything else the next shift should know.
    """

    to_shift_id: Name | None = None
    received_by: Name | None = None
    pending: tuple[PendingMatter, ...] = ()
    closed: tuple[Name, ...] = ()
    note: Text | None = None


# ============================================================================ duty: the shift
class DutyShift(Entity):
    """A duty shift 值班班次: from when to when, the leader on duty and the duty officers.

    ``start`` and ``end`` are aware times (an office keeps them in its own zone), to
    the second; the shift covers ``[start, end)``. A 24-hour duty is usually one shift a
    day from handover to handover (08:30 to 08:30, say); day and night shifts work too,
    as long as the roster leaves no gap (R1).

    A shift that hands over or takes over classified matters (a 绝密 call's summary, say)
    is classified as the highest of them, and stays so: who may not see those matters
    does not see the shift either (in the roster, by id, in its audit trail).
    """

    entity_kind: ClassVar[EntityKind] = EntityKind.DUTY_SHIFT
    terminal_states: ClassVar[frozenset[str]] = frozenset(
        {ShiftState.HANDED_OVER, ShiftState.CANCELLED}
    )

    state: ShiftState = ShiftState.SCHEDULED
    start: Timestamp
    end: Timestamp
    leader: Annotated[DutyPerson, _kept("R1", "a shift names the leader on duty (leader)")] = Field(
        default=None, validate_default=True
    )
    officers: Annotated[
        tuple[DutyPerson, ...], _kept("R1", "a shift names at least one duty officer (officers)")
    ] = Field(default=(), validate_default=True, max_length=50)
    place: Name | None = None
    """Where the duty is kept (值班室)."""
    phone: Phone | None = None
    """The duty telephone (值班电话)."""
    note: Text | None = None
    swaps: tuple[SwapRecord, ...] = ()
    """The swaps approved while the shift was scheduled, oldest first."""
    taken_over_by: Name | None = None
    taken_over_at: Timestamp | None = None
    received_from: Name | None = None
    """The shift whose handover this one took over."""
    received: tuple[PendingMatter, ...] = ()
    """The matters pending when the shift was taken over."""
    handover: HandoverRecord | None = None
    cancel_reason: Text | None = None

    @field_validator("start", "end")
    @classmethod
    def _whole_seconds(cls, value: datetime) -> datetime:
        return _seconds(value)

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        length = elapsed(self.start, self.end)
        if length <= timedelta(0):
            raise ValueError(
                f"R1: a shift ends after it starts; got {self.start.isoformat()} to "
                f"{self.end.isoformat()}"
            )
        if length > MAX_SHIFT:
            raise ValueError(f"R1: a shift lasts at most {MAX_SHIFT.days} days; this one {length}")
        twice = _twice(p.actor_id for p in self.people)
        if twice:
            raise ValueError(
                "R1: each person is on a shift once (as leader or officer); twice: "
                + ", ".join(twice)
            )
        return self

    # ------------------------------------------------------------------ queries
    @property
    def people(self) -> tuple[DutyPerson, ...]:
        """The leader on duty and then the duty officers."""
        return (self.leader, *self.officers)

    def person(self, actor_id: str) -> DutyPerson | None:
        """The person on this shift with ``actor_id``, if there is one."""
        return next((p for p in self.people if p.actor_id == actor_id), None)

    def position(self, actor_id: str) -> DutyPosition | None:
        """Whether ``actor_id`` is the leader on duty or a duty officer here (None: neither)."""
        if self.leader.actor_id == actor_id:
            return DutyPosition.LEADER
        if any(p.actor_id == actor_id for p in self.officers):
            return DutyPosition.OFFICER
        return None

    def covers(self, moment: datetime) -> bool:
        """Whether ``moment`` (aware) falls in ``[start, end)``."""
        return as_utc(self.start) <= as_utc(moment) < as_utc(self.end)

    def overlaps(self, other: DutyShift) -> bool:
        """Whether the two shifts share any time (touching ends do not count)."""
        return as_utc(self.start) < as_utc(other.end) and as_utc(other.start) < as_utc(self.end)

    @property
    def pending(self) -> tuple[PendingMatter, ...]:
        """What is pending now: as handed over if the shift was, else as received."""
        return self.handover.pending if self.handover is not None else self.received


# ============================================================================ duty: inputs
class Swap(Input):
    """Input of ``swap``: who leaves the shift and who takes their place (换班).

    The office director fires it; ``reason=`` on the trigger records why.

    Attributes:
        out_id: The actor id of the person leaving the shift.
        replacement: The person taking their place; not on the shift already.
        other_shift_id: For an exchange 互换, the replacement's shift, which the person
            leaving takes in turn (the office fires both swaps in one unit of work).
    """

    out_id: Name
    replacement: DutyPerson
    other_shift_id: Name | None = None


class TakeOver(Input):
    """Input of ``take_over`` 接班: the shift taken over from and the matters received.

    The office fills it from the previous shift's handover (see :func:`carry_forward`).
    """

    from_shift_id: Name | None = None
    received: tuple[PendingMatter, ...] = Field(default=(), max_length=500)

    @model_validator(mode="after")
    def _each_once(self) -> Self:
        twice = _twice(m.key for m in self.received)
        if twice:
            raise ValueError(f"R1: each pending matter is listed once; twice: {', '.join(twice)}")
        return self


class HandOver(Input):
    """Input of ``hand_over`` 交班: the pending matters and what was closed (R1).

    ``pending`` must be given, an empty list saying that nothing is pending; every
    matter the shift received and did not close must be in it (see :func:`carry_forward`).
    """

    to_shift_id: Name | None = None
    received_by: Name | None = None
    pending: tuple[PendingMatter, ...] | None = Field(default=None, max_length=500)
    closed: tuple[Name, ...] = Field(default=(), max_length=500)
    note: Text | None = None

    @model_validator(mode="after")
    def _each_once(self) -> Self:
        twice = _twice(m.key for m in self.pending or ())
        if twice:
            raise ValueError(f"R1: each pending matter is listed once; twice: {', '.join(twice)}")
        both = sorted({m.key for m in self.pending or ()} & set(self.closed))
        if both:
            raise ValueError(
                f"R1: a matter is either pending or closed, not both: {', '.join(both)}"
            )
        return self


# ============================================================================ duty: rules
def _shift(ctx: TransitionContext) -> DutyShift:
    entity = ctx.entity
    assert isinstance(entity, DutyShift)  # noqa: S101 -- the shift table's entity type
    return entity


def _on_shift(name: str, what: str) -> Rule:
    def check(ctx: TransitionContext) -> str | None:
        shift = _shift(ctx)
        if shift.person(ctx.actor.id) is not None:
            return None
        on = ", ".join(p.actor_id for p in shift.people)
        return f"{ctx.actor.id} is not on the shift {shift.id} ({on}); only someone on it {what}"

    return Rule("R1", name, f"only the leader on duty or a duty officer of the shift {what}", check)


R1_TAKES_OVER = _on_shift("on-shift-takes-over", "takes it over")
R1_HANDS_OVER = _on_shift("on-shift-hands-over", "hands it over")


def _check_lists_pending(ctx: TransitionContext) -> str | None:
    if ctx.data is None or ctx.input("pending") is not None:
        return None
    return "a handover lists the pending matters (pass pending=[] when nothing is pending)"


R1_LISTS_PENDING = Rule(
    "R1",
    "handover-lists-pending",
    "a handover lists the pending matters, even when there are none",
    _check_lists_pending,
    on_input=True,
)


def _check_carried(ctx: TransitionContext) -> str | None:
    pending: tuple[PendingMatter, ...] | None = ctx.input("pending")
    if pending is None:
        return None
    listed = {m.key for m in pending} | set(ctx.input("closed", ()))
    dropped = [m.key for m in _shift(ctx).received if m.key not in listed]
    if dropped:
        return (
            f"matters received at take-over are neither pending nor closed: {', '.join(dropped)}; "
            "carry them forward (carry_forward) or name them in closed=[...]"
        )
    return None


R1_CARRIED_FORWARD = Rule(
    "R1",
    "open-matters-carried-forward",
    "every matter received at take-over is handed over again unless it was closed",
    _check_carried,
    on_input=True,
)


def _check_next_shift(ctx: TransitionContext) -> str | None:
    to = ctx.input("to_shift_id")
    if to is not None and to == _shift(ctx).id:
        return "a shift hands over to another shift, not to itself"
    return None


R1_NEXT_SHIFT = Rule(
    "R1", "hands-over-to-the-next", "a shift hands over to another shift", _check_next_shift
)


def _check_swap(ctx: TransitionContext) -> str | None:
    data = ctx.data
    if not isinstance(data, Swap):
        return None
    shift = _shift(ctx)
    if shift.person(data.out_id) is None:
        on = ", ".join(p.actor_id for p in shift.people)
        return f"{data.out_id} is not on the shift {shift.id} ({on}); name who leaves it"
    incoming = data.replacement.actor_id
    if incoming == data.out_id:
        return "a swap is between two people; the replacement is someone else"
    if shift.person(incoming) is not None:
        return f"{incoming} is already on the shift {shift.id}; swap in someone who is not"
    return None


SWAP_BETWEEN_TWO = Rule(
    "SWAP",
    "swap-names-both",
    "a swap names the person leaving the shift and a different person, not on it, who takes "
    "their place",
    _check_swap,
    on_input=True,
)
SHIFT_CANCEL_REASON = reason_required("CANCEL", "shift-cancel-needs-reason", "cancelling a shift")


# ============================================================================ duty: effects
def _swap(ctx: TransitionContext) -> dict[str, Any]:
    data = ctx.data
    assert isinstance(data, Swap)  # noqa: S101 -- the engine validated it
    shift = _shift(ctx)
    leaving = shift.person(data.out_id)
    position = shift.position(data.out_id)
    assert leaving is not None  # noqa: S101 -- SWAP_BETWEEN_TWO held
    assert position is not None  # noqa: S101
    record = SwapRecord(
        by=ctx.actor.id,
        at=ctx.now,
        out_id=leaving.actor_id,
        out_name=leaving.name,
        replacement=data.replacement,
        position=position,
        other_shift_id=data.other_shift_id,
        reason=ctx.reason,
    )
    updates: dict[str, Any] = {"swaps": (*shift.swaps, record)}
    if position is DutyPosition.LEADER:
        updates["leader"] = data.replacement
    else:
        updates["officers"] = tuple(
            data.replacement if p.actor_id == data.out_id else p for p in shift.officers
        )
    return updates


def _classified_as(shift: DutyShift, matters: Iterable[PendingMatter]) -> Classification:
    """The shift's classification once it holds ``matters``: never lower than it was."""
    return max((shift.classification, *(m.classification for m in matters)))


def _take_over(ctx: TransitionContext) -> dict[str, Any]:
    data = ctx.data
    assert isinstance(data, TakeOver)  # noqa: S101
    shift = _shift(ctx)
    return {
        "taken_over_by": ctx.actor.id,
        "taken_over_at": ctx.now,
        "received_from": data.from_shift_id,
        "received": data.received,
        "classification": _classified_as(shift, data.received),
    }


def _hand_over(ctx: TransitionContext) -> dict[str, Any]:
    data = ctx.data
    assert isinstance(data, HandOver)  # noqa: S101
    assert data.pending is not None  # noqa: S101 -- R1_LISTS_PENDING held
    record = HandoverRecord(
        by=ctx.actor.id,
        at=ctx.now,
        to_shift_id=data.to_shift_id,
        received_by=data.received_by,
        pending=data.pending,
        closed=data.closed,
        note=data.note,
    )
    shift = _shift(ctx)
    return {
        "handover": record,
        "classification": _classified_as(shift, data.pending),
    }


def _cancel(ctx: TransitionContext) -> dict[str, Any]:
    return {"cancel_reason": ctx.reason}


# ============================================================================ duty: the table
_CLERKS: Final = frozenset({Role.CLERK.value, Role.OFFICE_DIRECTOR.value})
_DIRECTOR: Final = frozenset({Role.OFFICE_DIRECTOR.value})
_APPROVERS: Final = frozenset(
    {Role.OFFICE_DIRECTOR.value, Role.LEADER.value, Role.PRINCIPAL_LEADER.value}
)
_ON_DUTY: Final = frozenset(
    {
        Role.CLERK.value,
        Role.OFFICE_DIRECTOR.value,
        Role.LEADER.value,
        Role.PRINCIPAL_LEADER.value,
        DUTY_OFFICER_ROLE,
    }
)
"""Who keeps duty and so records calls: duty officers, clerks, the director, leaders on duty."""

DUTY_SHIFT_TABLE: WorkflowTable[DutyShift] = WorkflowTable(
    name="duty_shift",
    entity_type=DutyShift,
    states=ShiftState,
    description="值班: scheduled → on duty → handed over",
    creation=CreationSpec(
        "schedule",
        ShiftState.SCHEDULED,
        _CLERKS,
        (),
        "排班",
        managed=frozenset(
            {
                "swaps",
                "taken_over_by",
                "taken_over_at",
                "received_from",
                "received",
                "handover",
                "cancel_reason",
            }
        ),
    ),
    transitions=(
        TransitionSpec(
            "swap",
            (ShiftState.SCHEDULED,),
            None,
            _DIRECTOR,
            (SWAP_BETWEEN_TWO,),
            data=Swap,
            effect=_swap,
            label="换班",
            revalidate=frozenset({"leader", "officers"}),
        ),
        TransitionSpec(
            "take_over",
            (ShiftState.SCHEDULED,),
            ShiftState.ON_DUTY,
            None,
            (R1_TAKES_OVER,),
            data=TakeOver,
            effect=_take_over,
            label="接班",
        ),
        TransitionSpec(
            "hand_over",
            (ShiftState.ON_DUTY,),
            ShiftState.HANDED_OVER,
            None,
            (R1_HANDS_OVER, R1_LISTS_PENDING, R1_CARRIED_FORWARD, R1_NEXT_SHIFT),
            data=HandOver,
            effect=_hand_over,
            label="交班",
        ),
        TransitionSpec(
            "cancel",
            (ShiftState.SCHEDULED,),
            ShiftState.CANCELLED,
            _CLERKS,
            (SHIFT_CANCEL_REASON,),
            effect=_cancel,
            label="取消",
            awaited=False,
        ),
        remind_spec(s for s in ShiftState if s not in DutyShift.terminal_states),
    ),
)


DUTY_SHIFT_RULES: tuple[Rule, ...] = DUTY_SHIFT_TABLE.rules
"""Every named rule the shift table enforces, in table order."""


# ============================================================================ duty: the roster
@dataclass(frozen=True, slots=True)
class CoverageGap:
    """A stretch of a period with nobody on duty (R1 24-hour coverage).

    Attributes:
        start: When the gap begins.
        end: When the next shift starts (or the period ends).
    """

    start: datetime
    end: datetime

    @property
    def duration(self) -> timedelta:
        """How long nobody is on duty."""
        return elapsed(self.start, self.end)

    def __str__(self) -> str:
        return f"{self.start.isoformat()}–{self.end.isoformat()}"


@dataclass(frozen=True, slots=True)
class DoubleDuty:
    """Someone on two shifts that overlap (R1 no-double-duty).

    Attributes:
        actor_id: Who.
        name: Their name (as on the first shift).
        shift_id: The earlier shift.
        other_shift_id: The shift overlapping it.
        start: When the overlap begins.
        end: When it ends.
    """

    actor_id: str
    name: str
    shift_id: str
    other_shift_id: str
    start: datetime
    end: datetime

    def __str__(self) -> str:
        return (
            f"{self.name} ({self.actor_id}) is on {self.shift_id} and {self.other_shift_id}, "
            f"which overlap {self.start.isoformat()}–{self.end.isoformat()}"
        )

    def told(self, hidden: Iterable[str]) -> str:
        """What a reader who may not see the shifts ``hidden`` is told of it.

        A hidden shift is "another shift", and neither its id nor the overlap's times
        (which would show its start or end) are given.
        """
        withheld = set(hidden)
        seen = [s for s in (self.shift_id, self.other_shift_id) if s not in withheld]
        if len(seen) == 2:  # noqa: PLR2004 -- both shifts of the pair
            return str(self)
        on = f"{seen[0]} and another shift" if seen else "two shifts"
        return f"{self.name} ({self.actor_id}) is on {on} at that time"


@dataclass(frozen=True, slots=True)
class OnDuty:
    """Who is on duty at a moment: the shifts covering it and their people.

    Attributes:
        at: The moment asked about.
        shifts: The shifts covering it (two while shifts overlap at a handover).
    """

    at: datetime
    shifts: tuple[DutyShift, ...]

    @property
    def leaders(self) -> tuple[DutyPerson, ...]:
        """The leaders on duty, each once."""
        return tuple({s.leader.actor_id: s.leader for s in self.shifts}.values())

    @property
    def officers(self) -> tuple[DutyPerson, ...]:
        """The duty officers, each once."""
        return tuple({p.actor_id: p for s in self.shifts for p in s.officers}.values())


def _by_start(shift: DutyShift) -> tuple[datetime, str]:
    return as_utc(shift.start), shift.id


@dataclass(frozen=True, slots=True)
class DutyRoster:
    """A roster 值班表: a set of shifts, cancelled ones left out, in order of start.

    Build one with :meth:`of`; the office gives the roster of a period
    (``office.duty.roster``).

    Attributes:
        shifts: The shifts, by start.
    """

    shifts: tuple[DutyShift, ...] = ()

    def __post_init__(self) -> None:
        kept = sorted(
            (s for s in self.shifts if s.state is not ShiftState.CANCELLED), key=_by_start
        )
        object.__setattr__(self, "shifts", tuple(kept))

    @classmethod
    def of(cls, shifts: DutyRoster | Iterable[DutyShift]) -> DutyRoster:
        """The roster of ``shifts`` (a roster is returned as it is)."""
        if isinstance(shifts, DutyRoster):
            return shifts
        return cls(tuple(shifts))

    def __iter__(self) -> Iterator[DutyShift]:
        return iter(self.shifts)

    def __len__(self) -> int:
        return len(self.shifts)

    def _repr_html_(self) -> str:
        """The roster as a table, a shift a row: when, who leads, who is on duty, its state."""
        rows = (
            [
                shift.start.isoformat(timespec="minutes"),
                shift.end.isoformat(timespec="minutes"),
                shift.leader.name,
                "、".join(officer.name for officer in shift.officers),
                f"{shift.state} {shift.state.label}",
                shift.id,
            ]
            for shift in self.shifts
        )
        return html_table(
            ["from", "to", "leader on duty", "officers", "state", "shift"],
            rows,
            caption=f"duty roster: {len(self.shifts)} shifts",
        )

    def between(self, start: datetime, end: datetime) -> DutyRoster:
        """The shifts that overlap ``[start, end)``.

        Raises:
            ValidationError: A bound is naive, or the window ends before it starts.
        """
        check_window(start, end)
        begin, finish = as_utc(start), as_utc(end)
        return DutyRoster(
            tuple(s for s in self.shifts if as_utc(s.start) < finish and as_utc(s.end) > begin)
        )

    def on_duty(self, at: datetime) -> OnDuty | None:
        """Who is on duty at ``at``; None if no shift covers it.

        Raises:
            ValidationError: ``at`` is naive.
        """
        _aware("at", at)
        covering = tuple(s for s in self.shifts if s.covers(at))
        return OnDuty(at, covering) if covering else None

    def gaps(self, start: datetime, end: datetime) -> list[CoverageGap]:
        """The stretches of ``[start, end)`` that no shift covers, in order.

        Times are given in ``start``'s zone. An empty list means 24-hour coverage (R1).

        Raises:
            ValidationError: A bound is naive, or the window ends before it starts.
        """
        check_window(start, end)
        tz = start.tzinfo
        cursor, stop = as_utc(start), as_utc(end)
        found: list[CoverageGap] = []
        for shift in self.shifts:
            if cursor >= stop:
                break
            begin, finish = as_utc(shift.start), as_utc(shift.end)
            if finish <= cursor:
                continue
            if begin >= stop:
                break
            if begin > cursor:
                found.append(CoverageGap(cursor.astimezone(tz), begin.astimezone(tz)))
            cursor = max(cursor, finish)
        if cursor < stop:
            found.append(CoverageGap(cursor.astimezone(tz), stop.astimezone(tz)))
        return found

    def double_duties(self, involving: Iterable[str] | None = None) -> list[DoubleDuty]:
        """Everyone on two overlapping shifts, by the earlier shift's start.

        Args:
            involving: Only pairs of which one of these shift ids is a part.
        """
        wanted = None if involving is None else set(involving)
        found: list[DoubleDuty] = []
        shifts = self.shifts
        for index, shift in enumerate(shifts):
            ids = {p.actor_id: p for p in shift.people}
            for other in shifts[index + 1 :]:
                if as_utc(other.start) >= as_utc(shift.end):
                    break
                if wanted is not None and not {shift.id, other.id} & wanted:
                    continue
                start = max(as_utc(shift.start), as_utc(other.start)).astimezone(shift.start.tzinfo)
                end = min(as_utc(shift.end), as_utc(other.end)).astimezone(shift.start.tzinfo)
                found.extend(
                    DoubleDuty(a, ids[a].name, shift.id, other.id, start, end)
                    for a in sorted(ids.keys() & {p.actor_id for p in other.people})
                )
        return found


def who_is_on_duty(roster: DutyRoster | Iterable[DutyShift], at: datetime) -> OnDuty | None:
    """Who is on duty at ``at``: the shifts covering it, swaps applied; None if nobody.

    Raises:
        ValidationError: ``at`` is naive.
    """
    return DutyRoster.of(roster).on_duty(at)


def _listed(things: Sequence[object]) -> str:
    shown = "; ".join(str(t) for t in things[:3])
    more = f" (and {len(things) - 3} more)" if len(things) > 3 else ""  # noqa: PLR2004
    return shown + more


def check_roster(
    roster: DutyRoster | Iterable[DutyShift],
    start: datetime | None = None,
    end: datetime | None = None,
    *,
    involving: Iterable[str] | None = None,
    hidden: Callable[[DutyShift], str | None] | None = None,
    actor_id: str | None = None,
) -> None:
    """Refuse a roster that puts someone on two overlapping shifts, or leaves a gap (R1).

    Args:
        roster: The shifts (cancelled ones are left out).
        start: With ``end``, the period that must be covered around the clock.
        end: The period's end (exclusive).
        involving: Judge double duty only for pairs involving these shift ids (the new or
            changed ones), so an old problem does not block new work.
        hidden: Why the actor may not see a shift, or None if they may: a double duty on
            a shift hidden from them names it as "another shift" (:meth:`DoubleDuty.told`),
            and the refusal carries the access refused (``withheld``) for the office to
            record.
        actor_id: Who changes the roster (named in the refusals of access).

    Raises:
        RuleViolation: Code ``R1``, name ``no-double-duty`` or ``24-hour-coverage``; the
            message lists the first problems.
        ValidationError: The period is naive or reversed, or only one bound is given.
    """
    shifts = DutyRoster.of(roster)
    doubles = shifts.double_duties(involving)
    if doubles:
        withheld: dict[str, str] = {}
        if hidden is not None:
            by_id = {shift.id: shift for shift in shifts.shifts}
            for double in doubles:
                for shift_id in (double.shift_id, double.other_shift_id):
                    reason = hidden(by_id[shift_id]) if shift_id not in withheld else None
                    if reason is not None:
                        withheld[shift_id] = reason
        raise RuleViolation(
            "R1",
            "no-double-duty",
            _listed([d.told(withheld) for d in doubles]),
            withheld=[
                AccessDenied(actor_id or "", shift_id, reason)
                for shift_id, reason in withheld.items()
            ],
        )
    if start is None and end is None:
        return
    if start is None or end is None:
        raise ValidationError(
            "coverage period",
            [FieldProblem("end" if end is None else "start", "window", "give both start and end")],
        )
    gaps = shifts.gaps(start, end)
    if gaps:
        raise RuleViolation(
            "R1",
            "24-hour-coverage",
            f"nobody is on duty {_listed(gaps)}; duty is kept around the clock",
        )


def rotation_shifts(
    recurrence: Recurrence,
    teams: Sequence[DutyTeam | Mapping[str, Any]],
    *,
    between_start: datetime | None = None,
    between_end: datetime | None = None,
    **common: Any,
) -> list[dict[str, Any]]:
    """The shifts of a rotation, as fields of ``schedule``: one per occurrence, teams in turn.

    Each occurrence of ``recurrence`` (a daily rule at 08:30 lasting 24 hours, say)
    becomes a shift from its start to its end; the teams take the occurrences in turn,
    counted from the series' first occurrence, so a window in the middle of a series
    gets the same teams as the whole series would. Skipped occurrences (EXDATE) make no
    shift and take no turn.

    A duration is elapsed time: in a zone with daylight saving, a daily 24-hour rotation
    leaves an hour's gap (or overlap) on the night the clocks change, which
    :func:`check_roster` reports. Asia/Shanghai has no daylight saving.

    Args:
        recurrence: When the shifts start and how long they last.
        teams: The teams, in the order they take turns.
        between_start: Only shifts starting at or after this moment.
        between_end: Only shifts starting before this moment; needed for a rule without
            count or until.
        **common: Fields every shift gets (``place``, ``phone``, ``note``).

    Raises:
        ValidationError: No team, a malformed team, or an unbounded or too wide window.
    """
    if not teams:
        raise ValidationError(
            "rotation", [FieldProblem("teams", "R1", "R1: name at least one team")]
        )
    try:
        parsed = [DutyTeam.model_validate(t) for t in teams]
    except pydantic.ValidationError as e:
        raise ValidationError("DutyTeam", problems_from_pydantic(e)) from None
    check_window(between_start, between_end)
    everything = recurrence.occurrences(None, between_end)
    everything.sort(key=lambda o: as_utc(o.original_start))
    shifts: list[dict[str, Any]] = []
    for turn, occurrence in enumerate(everything):
        if between_start is not None and as_utc(occurrence.start) < as_utc(between_start):
            continue
        team = parsed[turn % len(parsed)]
        shifts.append(
            {
                **common,
                "start": occurrence.start,
                "end": occurrence.end,
                "leader": team.leader,
                "officers": team.officers,
            }
        )
    shifts.sort(key=lambda f: as_utc(f["start"]))
    return shifts


# ============================================================================ handovers
def carry_forward(
    previous: HandoverRecord | Iterable[PendingMatter] | None,
    *,
    closed: Iterable[str] = (),
    new: Iterable[PendingMatter | Mapping[str, Any]] = (),
    at: datetime | None = None,
) -> tuple[PendingMatter, ...]:
    """The next handover's pending list: the previous one minus what was closed, plus new.

    A matter is closed when its key or the id of the entity it links is in ``closed``.
    Carried matters keep their key, text, link and ``since``, and count one more
    handover in ``carried``. New matters come after them, in the order given, with
    ``since`` set to ``at`` if they have none; a new matter whose key is already listed
    is not listed twice.

    >>> from secretarial.duty import PendingMatter, carry_forward
    >>> kept = carry_forward(
    ...     [PendingMatter(text="区应急局回电", key="m1"), PendingMatter(text="续报", key="m2")],
    ...     closed=["m1"],
    ...     new=[{"text": "督办件催报", "entity_id": "sup-7"}],
    ... )
    >>> [(m.key, m.carried) for m in kept]
    [('m2', 1), ('sup-7', 0)]

    Args:
        previous: The previous handover, or its pending matters; None for the first.
        closed: Keys (or linked entity ids) of the matters closed since.
        new: Matters that arose during the shift.
        at: When the new matters are first handed over.

    Raises:
        ValidationError: A new matter is malformed.
    """
    done = set(closed)
    before = previous.pending if isinstance(previous, HandoverRecord) else tuple(previous or ())

    def is_closed(matter: PendingMatter) -> bool:
        return matter.key in done or (matter.entity_id is not None and matter.entity_id in done)

    kept: dict[str, PendingMatter] = {}
    for matter in before:
        if not is_closed(matter) and matter.key not in kept:
            kept[matter.key] = matter.model_copy(update={"carried": matter.carried + 1})
    for raw in new:
        try:
            matter = PendingMatter.model_validate(raw)
        except pydantic.ValidationError as e:
            raise ValidationError("PendingMatter", problems_from_pydantic(e)) from None
        if is_closed(matter) or matter.key in kept:
            continue
        if matter.since is None and at is not None:
            matter = matter.model_copy(update={"since": _seconds(at)})
        kept[matter.key] = matter
    return tuple(kept.values())


# ============================================================================ calls: values
class Caller(Value):
    """Who called (R1: name, unit and phone are kept).

    Attributes:
        name: The caller's name.
        unit: Their unit (organ, company, village ...), or 个人 for a member of the public.
        phone: Where to call them back.
        kind: Who they are to this office; decides what the call can open.
        actor_id: For a leader of this office, their actor id (the item's
            ``instructed_by``).
    """

    name: Annotated[Name, _kept("R1", "a call record keeps the caller's name (caller.name)")] = (
        Field(default=None, validate_default=True)
    )
    unit: Annotated[Name, _kept("R1", "a call record keeps the caller's unit (caller.unit)")] = (
        Field(default=None, validate_default=True)
    )
    phone: Annotated[
        Phone, _kept("R1", "a call record keeps the caller's phone (caller.phone)")
    ] = Field(default=None, validate_default=True)
    kind: CallerKind = CallerKind.OTHER
    actor_id: Name | None = None


# ============================================================================ calls: the entity
class CallRecord(Entity):
    """A call record 电话记录 (R1): time, caller, matter, measures taken, recorder.

    Every one of those elements is required; a missing or blank one is refused as rule
    ``R1`` on that field (``caller.phone``, ``measures`` ...).
    """

    entity_kind: ClassVar[EntityKind] = EntityKind.CALL_RECORD
    terminal_states: ClassVar[frozenset[str]] = frozenset({CallState.CLOSED})

    state: CallState = CallState.RECORDED
    called_at: Annotated[
        Timestamp, _kept("R1", "a call record keeps the time of the call (called_at)")
    ] = Field(default=None, validate_default=True)
    caller: Annotated[Caller, _kept("R1", "a call record keeps the caller (caller)")] = Field(
        default=None, validate_default=True
    )
    matter: Annotated[Text, _kept("R1", "a call record keeps the matter (matter)")] = Field(
        default=None, validate_default=True
    )
    measures: Annotated[Text, _kept("R1", "a call record keeps the measures taken (measures)")] = (
        Field(default=None, validate_default=True)
    )
    recorder: Annotated[Name, _kept("R1", "a call record keeps who recorded it (recorder)")] = (
        Field(default=None, validate_default=True)
    )
    shift_id: Name | None = None
    """The duty shift the call came in on."""
    urgent: bool = False
    supervision_item_id: Name | None = None
    """The supervision item the call opened, if any."""
    document_id: Name | None = None
    """The incoming document the call was registered as, if any."""
    result: Text | None = None

    @field_validator("called_at")
    @classmethod
    def _whole_seconds(cls, value: datetime) -> datetime:
        return _seconds(value)

    @property
    def summary(self) -> str:
        """One line for a handover list: who called about what."""
        text = f"{self.caller.unit}{self.caller.name}来电：{' '.join(self.matter.split())}"
        return text if len(text) <= 120 else text[:119] + "…"  # noqa: PLR2004


class ForwardCall(Input):
    """Input of ``forward`` 转办: the supervision item or incoming document the call became.

    The office opens the item (or receives the document) in the same unit of work.
    """

    supervision_item_id: Name | None = None
    document_id: Name | None = None


class CloseCall(Input):
    """Input of ``close``: how the matter ended, if worth saying."""

    result: Text | None = None


def _call(ctx: TransitionContext) -> CallRecord:
    entity = ctx.entity
    assert isinstance(entity, CallRecord)  # noqa: S101 -- the call table's entity type
    return entity


def _check_call_time(ctx: TransitionContext) -> str | None:
    called_at = _call(ctx).called_at
    if called_at <= ctx.now:
        return None
    return f"the call is recorded after it came in; {called_at.isoformat()} is still to come"


R1_CALL_HAPPENED = Rule(
    "R1",
    "call-already-came-in",
    "a call is recorded after it came in, not before",
    _check_call_time,
)


def _check_forward(ctx: TransitionContext) -> str | None:
    data = ctx.data
    if not isinstance(data, ForwardCall):
        return None
    if data.supervision_item_id is None and data.document_id is None:
        return "forwarding names the supervision item or the incoming document the call became"
    call = _call(ctx)
    if data.supervision_item_id is not None and call.supervision_item_id is not None:
        return f"the call already opened the supervision item {call.supervision_item_id}"
    if data.document_id is not None and call.document_id is not None:
        return f"the call was already registered as the incoming document {call.document_id}"
    return None


FORWARD_ONCE = Rule(
    "FORWARD",
    "forwarded-once-each",
    "a call opens at most one supervision item and becomes at most one incoming document",
    _check_forward,
    on_input=True,
)


def _forward(ctx: TransitionContext) -> dict[str, Any]:
    data = ctx.data
    assert isinstance(data, ForwardCall)  # noqa: S101
    return {
        name: getattr(data, name)
        for name in ("supervision_item_id", "document_id")
        if getattr(data, name) is not None
    }


def _close_call(ctx: TransitionContext) -> dict[str, Any]:
    return {"result": ctx.input("result")}


_CALL_OPEN: Final = (CallState.RECORDED, CallState.FORWARDED)

CALL_RECORD_TABLE: WorkflowTable[CallRecord] = WorkflowTable(
    name="call_record",
    entity_type=CallRecord,
    states=CallState,
    description="电话记录: recorded → forwarded → closed",
    creation=CreationSpec(
        "record",
        CallState.RECORDED,
        _ON_DUTY,
        (R1_CALL_HAPPENED,),
        "记录",
        managed=frozenset({"supervision_item_id", "document_id", "result"}),
    ),
    transitions=(
        TransitionSpec(
            "forward",
            _CALL_OPEN,
            CallState.FORWARDED,
            _ON_DUTY | {Role.SUPERVISOR.value},
            (FORWARD_ONCE,),
            data=ForwardCall,
            effect=_forward,
            label="转办",
        ),
        TransitionSpec(
            "close",
            _CALL_OPEN,
            CallState.CLOSED,
            _ON_DUTY,
            data=CloseCall,
            effect=_close_call,
            label="办结",
        ),
        remind_spec(_CALL_OPEN),
    ),
)

CALL_RECORD_RULES: tuple[Rule, ...] = CALL_RECORD_TABLE.rules
"""Every named rule the call record table enforces, in table order."""

_CALL_SOURCES: Final = {
    CallerKind.SUPERIOR: SupervisionSource.UPPER_DIRECTIVE,
    CallerKind.LEADER: SupervisionSource.LEADER_INSTRUCTION,
}
_CALL_ITEM_SOURCES: Final = frozenset(_CALL_SOURCES.values())
_CALLER_RELATIONS: Final = {
    CallerKind.SUPERIOR: OrganRelation.SUPERIOR,
    CallerKind.PEER: OrganRelation.PEER,
    CallerKind.SUBORDINATE: OrganRelation.SUBORDINATE,
}


def item_fields_from_call(
    call: CallRecord, *, source: SupervisionSource | str | None = None
) -> dict[str, Any]:
    """The fields of ``office.supervision.open`` for the supervision item a call opens.

    The source is ``upper_directive`` for a call from a superior organ and
    ``leader_instruction`` for one from a leader of this office (whose actor id, else
    name, becomes ``instructed_by``); for any other caller say which with ``source``.
    ``source_ref`` is the call's id, the requirement its matter, ``received_at`` its
    time; an urgent call makes an urgent item. Add the lead unit, a deadline and the
    like before opening the item.

    Raises:
        RuleViolation: Code ``FORWARD``: the caller's kind gives no source and none was
            given, or the source is neither of the two above.
    """
    chosen = _CALL_SOURCES.get(call.caller.kind) if source is None else SupervisionSource(source)
    if chosen is None:
        raise RuleViolation(
            "FORWARD",
            "call-item-source",
            f"a call from a {call.caller.kind.value} caller opens a supervision item only with "
            "source='upper_directive' or 'leader_instruction'",
            entity_id=call.id,
        )
    if chosen not in _CALL_ITEM_SOURCES:
        raise RuleViolation(
            "FORWARD",
            "call-item-source",
            f"a call opens an upper_directive or a leader_instruction item, not {chosen.value}",
            entity_id=call.id,
        )
    fields: dict[str, Any] = {
        "source": chosen,
        "source_ref": call.id,
        "requirement": call.matter,
        "received_at": call.called_at,
        "classification": call.classification,
    }
    if chosen is SupervisionSource.LEADER_INSTRUCTION:
        fields["instructed_by"] = call.caller.actor_id or call.caller.name
    if call.urgent:
        fields["urgency"] = ItemUrgency.URGENT
    return fields


def document_fields_from_call(
    call: CallRecord,
    *,
    kind: DocumentKind | str = DocumentKind.NOTICE,
    title: str | None = None,
    sender: Organ | Mapping[str, Any] | None = None,
    channel: Channel | str = CALL_CHANNEL,
) -> dict[str, Any]:
    """The fields of ``documents.receive`` for the incoming document a telephoned notice becomes.

    The sender is the caller's unit (as code and name, placed by the caller's kind)
    unless ``sender`` is given; ``received_at`` is the call's time, the body its matter,
    the remark names the call, the caller and their phone, and the title, unless given,
    is the unit and the matter's first line. The call's classification is kept (a
    classified one then needs a copy number and a secrecy period, D3 and D4).

    Args:
        call: The call record.
        kind: The document's kind; a notice 通知 unless said otherwise.
        title: The title; made from the call if omitted.
        sender: The sending organ; made from the caller's unit if omitted.
        channel: How it arrived (:data:`CALL_CHANNEL` by default).
    """
    caller = call.caller
    if title is None:
        first = call.matter.strip().splitlines()[0]
        title = f"{caller.unit}电话通知：{first}"
        if len(title) > 100:  # noqa: PLR2004 -- a title line, not the body
            title = title[:99] + "…"
    organ = (
        sender
        if sender is not None
        else Organ(
            code=caller.unit,
            name=caller.unit,
            relation=_CALLER_RELATIONS.get(caller.kind, OrganRelation.UNRELATED),
        )
    )
    return {
        "kind": DocumentKind(kind),
        "title": title,
        "sender": organ,
        "channel": Channel(channel),
        "received_at": call.called_at,
        "body": call.matter,
        "remark": f"电话记录 {call.id}：{caller.name}，{caller.phone}",
        "classification": call.classification,
    }


# ============================================================================ reception: values
class GuestParty(Value):
    """The visitors 接待对象.

    Attributes:
        count: How many, the head of the delegation included.
        unit: The unit they come from.
        leader: The head of the delegation 带队领导.
        leader_title: Their title, for seating and protocol.
    """

    count: int = Field(ge=1, le=100_000)
    unit: Name
    leader: Name
    leader_title: Name | None = None


class OfficialLetter(Value):
    """The visiting unit's official letter 公函 that asks for the reception (R2).

    Attributes:
        reference: Its document number or title.
        issuer: The unit that sent it.
        dated: Its date.
        document_id: The incoming document it was received as, if registered.
    """

    reference: Name
    issuer: Name | None = None
    dated: date | None = None
    document_id: Name | None = None


class Meal(Value):
    """A meal during the visit.

    Attributes:
        kind: A working meal 工作餐 (hosted; at most one, R2) or a self-paid meal.
        at: When.
        place: Where (the unit's canteen, say).
        hosts: The hosts at a working meal 陪餐人员, by name; a self-paid meal has none.
    """

    kind: MealKind = MealKind.WORKING_MEAL
    at: Timestamp
    place: Name | None = None
    hosts: tuple[Name, ...] = Field(default=(), max_length=1000)

    @model_validator(mode="after")
    def _hosts(self) -> Self:
        twice = _twice(self.hosts)
        if twice:
            raise ValueError(f"R2: each host is listed once; twice: {', '.join(twice)}")
        if self.kind is MealKind.SELF_PAID and self.hosts:
            raise ValueError("R2: only a working meal has hosts; a self-paid meal has none")
        return self


class ReceptionPolicy(Value):
    """The limits a reception is approved against (docs/rules.md R2; local practice varies).

    The defaults are the national rule: an official letter, at most one working meal,
    and hosts at the meal at most 3 when there are 10 guests or fewer, otherwise at most
    a third of the guests (rounded down).

    >>> policy = ReceptionPolicy()
    >>> [policy.max_hosts(n) for n in (1, 10, 11, 12, 30)]
    [3, 3, 3, 4, 10]

    Attributes:
        official_letter_required: Whether an official letter 公函 is required.
        max_working_meals: How many working meals a reception may have.
        small_party: Up to this many guests, the small-party limit applies.
        small_party_hosts: Most hosts for a small party.
        host_ratio: For a larger party, at most one host per this many guests.
    """

    official_letter_required: bool = True
    max_working_meals: int = Field(default=1, ge=0, le=100)
    small_party: int = Field(default=10, ge=0, le=100_000)
    small_party_hosts: int = Field(default=3, ge=0, le=100_000)
    host_ratio: int = Field(default=3, ge=1, le=100_000)

    def max_hosts(self, guests: int) -> int:
        """The most hosts at a working meal for ``guests`` guests."""
        if guests <= self.small_party:
            return self.small_party_hosts
        return guests // self.host_ratio


# ============================================================================ reception: the entity
class ReceptionPlan(Entity):
    """A reception plan 接待方案: the visitors, their letter, the visit and its meals.

    ``policy`` is the set of limits the plan is judged against, kept with the plan so
    that its approval replays the same way after the office changes its policy.
    """

    entity_kind: ClassVar[EntityKind] = EntityKind.RECEPTION
    terminal_states: ClassVar[frozenset[str]] = frozenset(
        {ReceptionState.CLOSED, ReceptionState.CANCELLED}
    )

    state: ReceptionState = ReceptionState.DRAFTED
    title: Name
    purpose: Text | None = None
    """The official business of the visit (公务活动)."""
    guests: GuestParty
    official_letter: OfficialLetter | None = None
    start: Timestamp
    end: Timestamp
    meals: tuple[Meal, ...] = Field(default=(), max_length=100)
    host_unit: Unit | None = None
    """The unit that receives the visitors (承办单位)."""
    policy: ReceptionPolicy = Field(default_factory=ReceptionPolicy)
    approved_by: Name | None = None
    approved_at: Timestamp | None = None
    approval_opinion: Text | None = None
    held_at: Timestamp | None = None
    held_note: Text | None = None
    summary: Text | None = None
    """How the reception went (接待清单), recorded when it is closed."""
    cancel_reason: Text | None = None

    @model_validator(mode="after")
    def _ends_after_start(self) -> Self:
        if as_utc(self.end) <= as_utc(self.start):
            raise ValueError(
                f"R2: a visit ends after it starts; got {self.start.isoformat()} to "
                f"{self.end.isoformat()}"
            )
        return self

    @property
    def working_meals(self) -> tuple[Meal, ...]:
        """The working meals, in the order of the plan."""
        return tuple(m for m in self.meals if m.kind is MealKind.WORKING_MEAL)


class ReviseReception(Input):
    """Input of ``revise``: change the draft. Fields not given stay as they are.

    ``purpose``, ``official_letter`` and ``host_unit`` given as None are cleared.
    """

    title: Name | None = None
    purpose: Text | None = None
    guests: GuestParty | None = None
    official_letter: OfficialLetter | None = None
    start: Timestamp | None = None
    end: Timestamp | None = None
    meals: tuple[Meal, ...] | None = Field(default=None, max_length=100)
    host_unit: Unit | None = None


class ApproveReception(Input):
    """Input of ``approve``: the approver's opinion, if any."""

    opinion: Text | None = None


class HoldReception(Input):
    """Input of ``hold``: a note on the reception as it took place."""

    note: Text | None = None


class CloseReception(Input):
    """Input of ``close``: how the reception went (接待清单: guests, activities, costs)."""

    summary: Text


# ============================================================================ reception: rules
def _plan(ctx: TransitionContext) -> ReceptionPlan:
    entity = ctx.entity
    assert isinstance(entity, ReceptionPlan)  # noqa: S101 -- the reception table's entity type
    return entity


def _letter_problem(plan: ReceptionPlan) -> str | None:
    if plan.official_letter is not None or not plan.policy.official_letter_required:
        return None
    return (
        "an official reception needs the visiting unit's official letter (公函); "
        "revise official_letter=..."
    )


def _meals_problem(plan: ReceptionPlan) -> str | None:
    most = plan.policy.max_working_meals
    count = len(plan.working_meals)
    if count <= most:
        return None
    return f"at most {most} working meal(s) per reception; the plan has {count}"


def _hosts_problem(plan: ReceptionPlan) -> str | None:
    guests = plan.guests.count
    most = plan.policy.max_hosts(guests)
    for meal in plan.working_meals:
        if len(meal.hosts) > most:
            return (
                f"{guests} guest(s): at most {most} host(s) at the working meal; the meal at "
                f"{meal.at.isoformat()} has {len(meal.hosts)}"
            )
    return None


def _check_revised_times(ctx: TransitionContext) -> str | None:
    data = ctx.data
    if not isinstance(data, ReviseReception) or (data.start is None and data.end is None):
        return None
    plan = _plan(ctx)
    start = data.start if data.start is not None else plan.start
    end = data.end if data.end is not None else plan.end
    if as_utc(end) > as_utc(start):
        return None
    return (
        f"a visit ends after it starts; the revision gives {start.isoformat()} to {end.isoformat()}"
    )


R2_VISIT_TIMES = Rule(
    "R2",
    "visit-ends-after-start",
    "a revised visit still ends after it starts",
    _check_revised_times,
    on_input=True,
)
R2_OFFICIAL_LETTER = Rule(
    "R2",
    "official-letter-required",
    "an official reception needs an official letter (公函)",
    lambda ctx: _letter_problem(_plan(ctx)),
)
R2_ONE_WORKING_MEAL = Rule(
    "R2",
    "at-most-one-working-meal",
    "a reception has at most one working meal (policy: max_working_meals)",
    lambda ctx: _meals_problem(_plan(ctx)),
)
R2_MEAL_HOSTS = Rule(
    "R2",
    "meal-hosts-limit",
    "hosts at the working meal: at most 3 for 10 guests or fewer, otherwise at most a third "
    "of the guests (policy)",
    lambda ctx: _hosts_problem(_plan(ctx)),
)
_R2_CHECKS: Final = (
    (R2_OFFICIAL_LETTER, _letter_problem),
    (R2_ONE_WORKING_MEAL, _meals_problem),
    (R2_MEAL_HOSTS, _hosts_problem),
)
RECEPTION_CANCEL_REASON = reason_required(
    "CANCEL", "reception-cancel-needs-reason", "cancelling a reception"
)


def reception_problems(plan: ReceptionPlan) -> list[tuple[Rule, str]]:
    """Every R2 rule the plan breaks now, with what is wrong: an empty list means approvable.

    ``approve`` refuses on the first of them; this lists them all (for a form, say).
    """
    found: list[tuple[Rule, str]] = []
    for rule, check in _R2_CHECKS:
        problem = check(plan)
        if problem is not None:
            found.append((rule, problem))
    return found


# ============================================================================ reception: effects
def _revise(ctx: TransitionContext) -> dict[str, Any]:
    data = ctx.data
    assert isinstance(data, ReviseReception)  # noqa: S101
    given = data.model_fields_set
    updates: dict[str, Any] = {
        name: getattr(data, name)
        for name in ("title", "guests", "start", "end", "meals")
        if getattr(data, name) is not None
    }
    updates.update(
        {
            name: getattr(data, name)
            for name in ("purpose", "official_letter", "host_unit")
            if name in given
        }
    )
    return updates


def _approve(ctx: TransitionContext) -> dict[str, Any]:
    return {
        "approved_by": ctx.actor.id,
        "approved_at": ctx.now,
        "approval_opinion": ctx.input("opinion"),
    }


def _hold(ctx: TransitionContext) -> dict[str, Any]:
    return {"held_at": ctx.now, "held_note": ctx.input("note")}


def _close_reception(ctx: TransitionContext) -> dict[str, Any]:
    return {"summary": ctx.input("summary")}


# ============================================================================ reception: the table
_RECEPTION_OPEN: Final = (ReceptionState.DRAFTED, ReceptionState.APPROVED, ReceptionState.HELD)

RECEPTION_TABLE: WorkflowTable[ReceptionPlan] = WorkflowTable(
    name="reception",
    entity_type=ReceptionPlan,
    states=ReceptionState,
    description="接待: drafted → approved → held → closed",
    creation=CreationSpec(
        "draft",
        ReceptionState.DRAFTED,
        _CLERKS,
        (),
        "拟订方案",
        managed=frozenset(
            {
                "approved_by",
                "approved_at",
                "approval_opinion",
                "held_at",
                "held_note",
                "summary",
                "cancel_reason",
            }
        ),
    ),
    transitions=(
        TransitionSpec(
            "revise",
            (ReceptionState.DRAFTED,),
            None,
            _CLERKS,
            (R2_VISIT_TIMES,),
            data=ReviseReception,
            effect=_revise,
            label="修改方案",
            revalidate=frozenset({"start", "end"}),
            awaited=False,
        ),
        TransitionSpec(
            "approve",
            (ReceptionState.DRAFTED,),
            ReceptionState.APPROVED,
            _APPROVERS,
            (R2_OFFICIAL_LETTER, R2_ONE_WORKING_MEAL, R2_MEAL_HOSTS),
            data=ApproveReception,
            effect=_approve,
            label="审批",
        ),
        TransitionSpec(
            "hold",
            (ReceptionState.APPROVED,),
            ReceptionState.HELD,
            _CLERKS,
            data=HoldReception,
            effect=_hold,
            label="接待",
        ),
        TransitionSpec(
            "close",
            (ReceptionState.HELD,),
            ReceptionState.CLOSED,
            _CLERKS,
            data=CloseReception,
            effect=_close_reception,
            label="办结",
        ),
        TransitionSpec(
            "cancel",
            (ReceptionState.DRAFTED, ReceptionState.APPROVED),
            ReceptionState.CANCELLED,
            _CLERKS | _APPROVERS,
            (RECEPTION_CANCEL_REASON,),
            effect=_cancel,
            label="取消",
            awaited=False,
        ),
        remind_spec(_RECEPTION_OPEN),
    ),
)

RECEPTION_RULES: tuple[Rule, ...] = RECEPTION_TABLE.rules
"""Every named rule the reception table enforces, in table order."""
