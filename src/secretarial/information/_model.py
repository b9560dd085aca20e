"""Information work 信息报送: collect, screen, edit, sign off, submit, and what came of it.

An :class:`InformationItem` goes ``collected`` → ``screened`` (or ``discarded``) →
``edited`` → ``approved`` (signed off by the reporting unit's principal leader, naming
one author and a contact phone) → ``submitted`` (to an outlet of some level) →
``adopted`` (with the outlet level and any leader's written instruction 批示, which
give its score) or ``not_adopted``. A leader may send an edited item back for more
editing.

Emergency information 突发事件信息 has time limits counted in minutes from the event
(or from when the office learned of it): a first report by phone, a first report in
writing, follow-ups 续报 and a final report 终报. The reports are recorded actions on
the item (``report_by_phone``, ``report_in_writing``, ``report_followup``,
``final_report``), each with the time it was made; whether a limit was kept is derived
from them by :func:`emergency_limits` and :func:`emergency_due` under an
:class:`EmergencyPolicy`, never stored.

Adopted items score by a :class:`ScoringScale`; approved items are compiled into a
numbered bulletin 简报 by :func:`compile_bulletin`.

Rule codes of this module (``docs/information.md`` lists them):

* I1 emergency reports: an emergency item records when it happened; reports are made
  only on emergency items, at plausible times, first report first, nothing after the
  final report; an emergency item is closed only after its final report.
* I2 sign-off: by the reporting unit's principal leader, on an item naming one author
  and a contact phone (a validated phone number).
* D17 compilation: a top-secret (绝密) item is not compiled; a bulletin takes the highest
  classification of what it contains.
* INFO1 discard-needs-reason, INFO2 send-back-needs-reason.
* INFO3 one-submission-per-outlet: an item goes to each outlet once.
* INFO4 bulletin rules: only signed-off items, each once per issue, at least one.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime, timedelta
from typing import Annotated, Any, ClassVar, Final, Literal, Self

import pydantic
from pydantic import AfterValidator, Field, StringConstraints, field_validator, model_validator

from secretarial.documents._model import format_date_of_issue
from secretarial.errors import AccessDenied, RuleViolation, UsageError, ValidationError
from secretarial.kernel._entity import Entity
from secretarial.kernel._enums import Classification, EntityKind, LabeledEnum, ReminderKind, Role
from secretarial.kernel._reminders import DueReminder, remind_spec
from secretarial.kernel._rules import (
    Rule,
    TransitionContext,
    issuer_approval_required,
    reason_required,
)
from secretarial.kernel._values import KindName, Name, Text, Timed, Timestamp, Unit, Value
from secretarial.kernel._workflow import (
    CreationSpec,
    Effect,
    Input,
    TransitionSpec,
    WorkflowTable,
    problems_from_pydantic,
)

__all__ = [
    "COMPILABLE_STATES",
    "DEFAULT_OUTLET_POINTS",
    "INFORMATION_OFFICER",
    "INFORMATION_RULES",
    "INFORMATION_TABLE",
    "Adoption",
    "Approval",
    "Author",
    "Bulletin",
    "BulletinArticle",
    "BulletinEntry",
    "EmergencyDue",
    "EmergencyLimit",
    "EmergencyLimitKind",
    "EmergencyPolicy",
    "EmergencyReport",
    "InformationCategory",
    "InformationItem",
    "InformationState",
    "InformationUrgency",
    "LeaderInstruction",
    "OutletLevel",
    "PhoneNumber",
    "ReportChannel",
    "ReportStage",
    "ScoringScale",
    "Submission",
    "bulletin_of",
    "compile_bulletin",
    "emergency_due",
    "emergency_limits",
]

INFORMATION_OFFICER: Final = "information_officer"
"""The role of an information officer 信息员 (a plain role string; not in :class:`Role`)."""


# ============================================================================ enums
class InformationState(LabeledEnum):
    """States of an information item (信息报送)."""

    COLLECTED = "collected", "收集"
    SCREENED = "screened", "筛选"
    EDITED = "edited", "编辑"
    APPROVED = "approved", "审签"
    SUBMITTED = "submitted", "报送"
    ADOPTED = "adopted", "采用"
    NOT_ADOPTED = "not_adopted", "未采用"
    DISCARDED = "discarded", "弃用"


class InformationCategory(LabeledEnum):
    """What an item of information is about."""

    DYNAMICS = "dynamics", "工作动态"
    PROBLEM = "problem", "问题反映"
    SUGGESTION = "suggestion", "意见建议"
    EXPERIENCE = "experience", "经验做法"
    PUBLIC_OPINION = "public_opinion", "社情民意"
    EMERGENCY = "emergency", "突发事件"
    OTHER = "other", "其他"


class InformationUrgency(LabeledEnum):
    """How fast an item should travel."""

    NORMAL = "normal", "一般"
    URGENT = "urgent", "紧急"
    EXTRA_URGENT = "extra_urgent", "特急"


class OutletLevel(LabeledEnum):
    """The level of the outlet an item is submitted to or adopted by (I2 scoring).

    ``national`` is the central general offices (中办、国办), ``provincial`` a
    provincial party committee's or government's general office, and so on down.
    """

    NATIONAL = "national", "国家级"
    PROVINCIAL = "provincial", "省级"
    MUNICIPAL = "municipal", "市级"
    COUNTY = "county", "县级"


class ReportChannel(LabeledEnum):
    """How an emergency report was made."""

    PHONE = "phone", "电话"
    WRITING = "writing", "书面"


class ReportStage(LabeledEnum):
    """Which report of an emergency it is (I1)."""

    FIRST = "first", "首报"
    FOLLOW_UP = "follow_up", "续报"
    FINAL = "final", "终报"


class EmergencyLimitKind(LabeledEnum):
    """The time limits of emergency information (I1)."""

    FIRST_BY_PHONE = "first_by_phone", "电话首报"
    FIRST_IN_WRITING = "first_in_writing", "书面首报"
    FOLLOW_UP = "follow_up", "续报"
    FINAL = "final", "终报"


# ============================================================================ values
_PHONE: Final = re.compile(
    r"(?:\+86-?)?1[3-9]\d{9}"  # a mobile number
    r"|(?:0\d{2,3}-?)?[2-9]\d{6,7}(?:(?:-|转)\d{1,6})?"  # a landline, area code, extension
    r"|\+86-?[1-9]\d{1,2}-?[2-9]\d{6,7}(?:(?:-|转)\d{1,6})?"  # a landline dialled from abroad
)
_ACCEPTED_PHONE: Final = (
    "a mobile number (13800138000) or a landline with its area code (010-88881234, "
    "extension as -123 or 转123)"
)


def _phone(value: str) -> str:
    """Check a contact phone (I2); spaces are dropped and ``(010)`` becomes ``010-``."""
    text = re.sub(r"\s+", "", value)
    text = re.sub(r"^[(（](0\d{2,3})[)）]-?", r"\1-", text)
    if not _PHONE.fullmatch(text):
        raise ValueError(f"I2: {value!r} is not a contact phone; accepted: {_ACCEPTED_PHONE}")
    return text


PhoneNumber = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=40),
    AfterValidator(_phone),
]
"""A contact phone number (I2): a mainland mobile or a landline with its area code."""


class Author(Value):
    """The one author 撰稿人 an item names (I2).

    Attributes:
        actor_id: The author's actor id in the office.
        name: The name printed with the item.
    """

    actor_id: Name
    name: Name


class Approval(Timed):
    """The sign-off 审签 by the reporting unit's principal leader (I2)."""

    name: Name
    """The leader's name, as signed."""
    opinion: Text | None = None


class Submission(Timed):
    """One submission 报送 of the item: to which outlet, of which level; ``at`` is when."""

    outlet: Name
    outlet_level: OutletLevel


class LeaderInstruction(Value):
    """A leader's written instruction 批示 on an adopted item.

    Attributes:
        leader: Who wrote it (name and post, e.g. ``省长 王某``).
        text: What the instruction says, if known.
    """

    leader: Name
    text: Text | None = None


class Adoption(Timed):
    """How an outlet adopted 采用 the item; with the outlet level it decides the score."""

    outlet_level: OutletLevel
    outlet: Name | None = None
    publication: Name | None = None
    """Where it was printed, e.g. ``《每日要情》第12期``."""
    instruction: LeaderInstruction | None = None


class EmergencyReport(Timed):
    """One report on an emergency (I1). ``at`` is when it was recorded.

    Attributes:
        stage: First report, follow-up or final report.
        channel: By phone or in writing.
        reported_at: When the report was actually made (at or before ``at``).
        to: Whom it was reported to (e.g. ``市委总值班室``).
        receiver: Who took a phone report, if known.
        text: What was reported.
    """

    stage: ReportStage
    channel: ReportChannel
    reported_at: Timestamp
    to: Name
    receiver: Name | None = None
    text: Text | None = None


class BulletinEntry(Timed):
    """The record, on an item, that it was compiled into a bulletin issue (INFO4).

    Attributes:
        year: The bulletin's year.
        number: Its issue number in that year (第N期).
        title: The bulletin's title.
        position: The item's place in the issue, from 1.
        issuer: Who compiles the bulletin (编印单位), if printed.
        issued_on: The date printed on the issue, if any.
        issuer_approval: For a top-secret item, the approval to compile it (D17).
    """

    year: int = Field(ge=1000, le=9999)
    number: int = Field(ge=1)
    title: Name
    position: int = Field(ge=1)
    issuer: Name | None = None
    issued_on: date | None = None
    issuer_approval: Text | None = None
    """For a top-secret item: the issuing organ's (or its superior's) approval (D17)."""


# ============================================================================ the entity
class InformationItem(Entity):
    """An item of information 信息 on its way from a reporting unit to an outlet.

    ``title`` is the item's summary line (标题); ``body`` its text. An emergency item
    (``emergency``; an item of category ``emergency`` is one) records ``event_at``,
    when it happened, and may record ``learned_at``, when the office learned of it;
    the time limits of I1 count from these.
    """

    entity_kind: ClassVar[EntityKind] = EntityKind.INFORMATION_ITEM
    terminal_states: ClassVar[frozenset[str]] = frozenset(
        {InformationState.ADOPTED, InformationState.NOT_ADOPTED, InformationState.DISCARDED}
    )

    state: InformationState = InformationState.COLLECTED
    category: InformationCategory
    title: Name
    body: Text
    source: Name
    """Who or where the information came from (信息来源)."""
    reporting_unit: Unit
    """The unit that reports it (报送单位); scores are totalled per unit."""
    author: Author | None = None
    contact_phone: PhoneNumber | None = None
    urgency: InformationUrgency = InformationUrgency.NORMAL
    emergency: bool = False
    event_at: Timestamp | None = None
    """When the emergency happened (事发时间)."""
    learned_at: Timestamp | None = None
    """When the office learned of it (接报时间), if later than the event."""
    approval: Approval | None = None
    submissions: tuple[Submission, ...] = ()
    adoption: Adoption | None = None
    emergency_reports: tuple[EmergencyReport, ...] = ()
    bulletins: tuple[BulletinEntry, ...] = ()
    send_back_reasons: tuple[Text, ...] = ()
    discard_reason: Text | None = None
    not_adopted_reason: Text | None = None

    @model_validator(mode="before")
    @classmethod
    def _emergency_by_category(cls, data: Any) -> Any:
        if (
            isinstance(data, dict)
            and data.get("category") in (InformationCategory.EMERGENCY, "emergency")
            and "emergency" not in data
        ):
            return {**data, "emergency": True}
        return data

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        if self.category is InformationCategory.EMERGENCY and not self.emergency:
            raise ValueError("I1: an item of category emergency (突发事件) is an emergency item")
        if self.emergency and self.event_at is None:
            raise ValueError(
                "I1: an emergency item records when it happened (event_at=...); its time "
                "limits count from it"
            )
        if (
            self.event_at is not None
            and self.learned_at is not None
            and self.learned_at < self.event_at
        ):
            raise ValueError(
                f"I1: the office cannot learn of an event ({self.learned_at.isoformat()}) "
                f"before it happened ({self.event_at.isoformat()})"
            )
        return self

    # ------------------------------------------------------------------ queries
    @property
    def signed_off(self) -> bool:
        """Whether the principal leader has signed the item off (approved or later)."""
        return self.approval is not None

    @property
    def final_report(self) -> EmergencyReport | None:
        """The final report 终报 on an emergency, if made."""
        return next((r for r in self.emergency_reports if r.stage is ReportStage.FINAL), None)

    def reports(
        self, stage: ReportStage | None = None, channel: ReportChannel | None = None
    ) -> tuple[EmergencyReport, ...]:
        """The emergency reports of a stage and channel (all if None), in the order made."""
        found = [
            r
            for r in self.emergency_reports
            if (stage is None or r.stage is stage) and (channel is None or r.channel is channel)
        ]
        found.sort(key=lambda r: r.reported_at)
        return tuple(found)

    def in_bulletin(self, year: int, number: int) -> bool:
        """Whether the item was compiled into issue ``number`` of ``year``."""
        return any(b.year == year and b.number == number for b in self.bulletins)


# ============================================================================ inputs
class Edit(Input):
    """Input of ``edit``: the revised text and, if they change, its other elements."""

    title: Name | None = None
    body: Text | None = None
    source: Name | None = None
    author: Author | None = None
    contact_phone: PhoneNumber | None = None
    urgency: InformationUrgency | None = None


class Approve(Input):
    """Input of ``approve``: the principal leader's opinion, if any."""

    opinion: Text | None = None


class Submit(Input):
    """Input of ``submit``: the outlet and its level."""

    outlet: Name
    outlet_level: OutletLevel


class Adopt(Input):
    """Input of ``adopt``: the adopting outlet's level and any leader's instruction 批示."""

    outlet_level: OutletLevel
    outlet: Name | None = None
    publication: Name | None = None
    instruction: LeaderInstruction | None = None


class _Report(Input):
    """What every emergency report records."""

    to: Name
    reported_at: Timestamp | None = None
    """When it was made; the time it is recorded if not given."""


class PhoneReport(_Report):
    """Input of ``report_by_phone``: the first report, by phone."""

    receiver: Name | None = None
    text: Text | None = None


class WrittenReport(_Report):
    """Input of ``report_in_writing``: the first written report."""

    text: Text


class FollowUpReport(_Report):
    """Input of ``report_followup``: a follow-up 续报, in writing unless said otherwise."""

    text: Text
    channel: ReportChannel = ReportChannel.WRITING
    receiver: Name | None = None


class FinalReport(_Report):
    """Input of ``final_report``: the final report 终报, in writing."""

    text: Text


class Compile(Input):
    """Input of ``compile``: the bulletin issue the item goes into, and its place."""

    year: int = Field(ge=1000, le=9999)
    number: int = Field(ge=1)
    title: Name
    position: int = Field(ge=1)
    issuer: Name | None = None
    issued_on: date | None = None
    issuer_approval: Text | None = None
    """For a top-secret (绝密) item: the approval of its issuing organ or that organ's
    superior to compile it (D17)."""


# ============================================================================ rules
def _item(ctx: TransitionContext) -> InformationItem:
    entity = ctx.entity
    assert isinstance(entity, InformationItem)  # noqa: S101 -- the table's entity type
    return entity


INFO1_DISCARD_REASON = reason_required("INFO1", "discard-needs-reason", "discarding an item")
INFO2_SEND_BACK_REASON = reason_required(
    "INFO2", "send-back-needs-reason", "sending an item back for editing"
)


def _check_event_past(ctx: TransitionContext) -> str | None:
    item = _item(ctx)
    for name, moment in (("event_at", item.event_at), ("learned_at", item.learned_at)):
        if moment is not None and moment > ctx.now:
            return f"{name} {moment.isoformat()} is still to come at {ctx.now.isoformat()}"
    return None


I1_EVENT_PAST = Rule(
    "I1",
    "event-not-in-the-future",
    "an item records an event that has happened and was learned of already",
    _check_event_past,
)


def _check_author_and_phone(ctx: TransitionContext) -> str | None:
    item = _item(ctx)
    missing = [
        what
        for what, value in (
            ("an author (author=...)", item.author),
            ("a contact phone", item.contact_phone),
        )
        if value is None
    ]
    if missing:
        return f"an item is signed off naming {' and '.join(missing)}; edit it first"
    return None


I2_AUTHOR_AND_PHONE = Rule(
    "I2",
    "names-author-and-phone",
    "a signed-off item names one author and a contact phone",
    _check_author_and_phone,
)


def _check_own_unit(ctx: TransitionContext) -> str | None:
    unit = ctx.actor.unit
    reporting = _item(ctx).reporting_unit
    if unit is None or unit.code == reporting.code:
        return None
    return (
        f"{ctx.actor.id} is a principal leader of {unit.code}; an item of {reporting.code} "
        "is signed off by its own unit's principal leader"
    )


I2_OWN_UNIT = Rule(
    "I2",
    "signed-off-by-own-principal-leader",
    "the reporting unit's principal leader signs the item off",
    _check_own_unit,
)


def _outlet_key(outlet: str) -> str:
    return " ".join(outlet.split()).casefold()


def _check_outlet_once(ctx: TransitionContext) -> str | None:
    outlet = ctx.input("outlet")
    if outlet is None:
        return None
    if any(_outlet_key(s.outlet) == _outlet_key(outlet) for s in _item(ctx).submissions):
        return f"the item was already submitted to {outlet}"
    return None


INFO3_OUTLET_ONCE = Rule(
    "INFO3",
    "one-submission-per-outlet",
    "an item is submitted to each outlet once",
    _check_outlet_once,
    on_input=True,
)


def _check_emergency(ctx: TransitionContext) -> str | None:
    if _item(ctx).emergency:
        return None
    return "only emergency items (emergency=True) take emergency reports"


I1_EMERGENCY_ONLY = Rule(
    "I1",
    "emergency-reports-for-emergencies",
    "emergency reports are recorded on emergency items only",
    _check_emergency,
)


def _check_report_order(ctx: TransitionContext) -> str | None:
    item = _item(ctx)
    if item.final_report is not None:
        return "the final report (终报) was made; no report follows it"
    trigger = ctx.trigger
    if trigger == "report_by_phone" and item.reports(ReportStage.FIRST, ReportChannel.PHONE):
        return "the first report by phone was already recorded; record a follow-up instead"
    if trigger == "report_in_writing" and item.reports(ReportStage.FIRST, ReportChannel.WRITING):
        return "the first written report was already recorded; record a follow-up instead"
    if trigger == "report_followup" and not item.reports(ReportStage.FIRST, ReportChannel.WRITING):
        return "a follow-up (续报) follows the first written report (report_in_writing)"
    if trigger == "final_report" and not item.reports(ReportStage.FIRST):
        return (
            "the final report (终报) follows a first report (report_by_phone or report_in_writing)"
        )
    return None


I1_REPORT_ORDER = Rule(
    "I1",
    "reports-in-order",
    "first reports come once each, follow-ups after the written first report, nothing "
    "after the final report",
    _check_report_order,
)


def _check_report_time(ctx: TransitionContext) -> str | None:
    item = _item(ctx)
    when = ctx.input("reported_at") or ctx.now
    if when > ctx.now:
        return f"reported_at {when.isoformat()} is still to come at {ctx.now.isoformat()}"
    start = item.learned_at or item.event_at
    if start is not None and when < start:
        return (
            f"a report at {when.isoformat()} comes before the event was known ({start.isoformat()})"
        )
    made = [r.reported_at for r in item.emergency_reports]
    if ctx.trigger in _LATER_REPORTS and made and when < max(made):
        return (
            f"a report at {when.isoformat()} comes before the last one recorded "
            f"({max(made).isoformat()}); reports are recorded in the order made"
        )
    return None


_LATER_REPORTS: Final = frozenset({"report_followup", "final_report"})

I1_REPORT_TIME = Rule(
    "I1",
    "report-times-plausible",
    "a report is made after the event was known and not in the future; follow-ups and the "
    "final report after the reports before them",
    _check_report_time,
    on_input=True,
)


def _check_closed_after_final(ctx: TransitionContext) -> str | None:
    item = _item(ctx)
    if not item.emergency or item.final_report is not None:
        return None
    return "an emergency item is closed after its final report (终报); record final_report first"


I1_CLOSED_AFTER_FINAL = Rule(
    "I1",
    "closed-after-final-report",
    "an emergency item is adopted or closed unadopted only after its final report",
    _check_closed_after_final,
)


D17_NOT_TOP_SECRET = issuer_approval_required(
    "D17",
    "top-secret-compile-needs-issuer-approval",
    "item is compiled",
    "a top-secret (绝密) item is compiled into a bulletin only with its issuing organ's "
    "(or its superior's) approval",
)


def _check_compiled_once(ctx: TransitionContext) -> str | None:
    year, number = ctx.input("year"), ctx.input("number")
    if year is None or number is None or not _item(ctx).in_bulletin(year, number):
        return None
    return f"the item is already in issue {number} of {year}"


INFO4_COMPILED_ONCE = Rule(
    "INFO4",
    "compiled-once-per-issue",
    "an item appears once in a bulletin issue",
    _check_compiled_once,
    on_input=True,
)


# ============================================================================ effects
def _edit(ctx: TransitionContext) -> dict[str, Any]:
    data = ctx.data
    assert isinstance(data, Edit)  # noqa: S101 -- the engine validated it
    return {
        name: getattr(data, name)
        for name in ("title", "body", "source", "author", "contact_phone", "urgency")
        if getattr(data, name) is not None
    }


def _approve(ctx: TransitionContext) -> dict[str, Any]:
    approval = Approval(
        by=ctx.actor.id, at=ctx.now, name=ctx.actor.name, opinion=ctx.input("opinion")
    )
    return {"approval": approval}


def _submit(ctx: TransitionContext) -> dict[str, Any]:
    data = ctx.data
    assert isinstance(data, Submit)  # noqa: S101
    submission = Submission(
        by=ctx.actor.id, at=ctx.now, outlet=data.outlet, outlet_level=data.outlet_level
    )
    return {"submissions": (*_item(ctx).submissions, submission)}


def _adopt(ctx: TransitionContext) -> dict[str, Any]:
    data = ctx.data
    assert isinstance(data, Adopt)  # noqa: S101
    adoption = Adoption(
        by=ctx.actor.id,
        at=ctx.now,
        outlet_level=data.outlet_level,
        outlet=data.outlet,
        publication=data.publication,
        instruction=data.instruction,
    )
    return {"adoption": adoption}


def _send_back(ctx: TransitionContext) -> dict[str, Any]:
    assert ctx.reason is not None  # noqa: S101 -- INFO2 held
    return {"send_back_reasons": (*_item(ctx).send_back_reasons, ctx.reason)}


def _discard(ctx: TransitionContext) -> dict[str, Any]:
    return {"discard_reason": ctx.reason}


def _not_adopted(ctx: TransitionContext) -> dict[str, Any]:
    return {"not_adopted_reason": ctx.reason}


def _report(stage: ReportStage, channel: ReportChannel | None) -> Effect:
    """The effect of an emergency report of ``stage`` (channel from the input if None)."""

    def effect(ctx: TransitionContext) -> dict[str, Any]:
        data = ctx.data
        assert isinstance(data, _Report)  # noqa: S101
        report = EmergencyReport(
            by=ctx.actor.id,
            at=ctx.now,
            stage=stage,
            channel=channel or ctx.input("channel"),
            reported_at=data.reported_at or ctx.now,
            to=data.to,
            receiver=ctx.input("receiver"),
            text=ctx.input("text"),
        )
        return {"emergency_reports": (*_item(ctx).emergency_reports, report)}

    return effect


def _compile(ctx: TransitionContext) -> dict[str, Any]:
    data = ctx.data
    assert isinstance(data, Compile)  # noqa: S101
    entry = BulletinEntry(by=ctx.actor.id, at=ctx.now, **data.model_dump())
    return {"bulletins": (*_item(ctx).bulletins, entry)}


# ============================================================================ the table
_COLLECTORS: Final = frozenset({Role.CLERK.value, INFORMATION_OFFICER})
_EDITORS: Final = frozenset({Role.CLERK.value, INFORMATION_OFFICER, Role.OFFICE_DIRECTOR.value})
_PRINCIPAL: Final = frozenset({Role.PRINCIPAL_LEADER.value})
_SENDERS_BACK: Final = frozenset({Role.PRINCIPAL_LEADER.value, Role.OFFICE_DIRECTOR.value})
_OPEN: Final = tuple(s for s in InformationState if s not in InformationItem.terminal_states)
COMPILABLE_STATES: Final = (InformationState.APPROVED, InformationState.SUBMITTED)
"""The states from which an item may be compiled into a bulletin: signed off, still open."""
_REPORT_RULES: Final = (I1_EMERGENCY_ONLY, I1_REPORT_ORDER, I1_REPORT_TIME)

INFORMATION_TABLE: WorkflowTable[InformationItem] = WorkflowTable(
    name="information_item",
    entity_type=InformationItem,
    states=InformationState,
    description=(
        "信息报送: collected → screened → edited → approved → submitted → adopted / not adopted"
    ),
    creation=CreationSpec(
        "collect",
        InformationState.COLLECTED,
        _COLLECTORS,
        (I1_EVENT_PAST,),
        "收集",
        managed=frozenset(
            {
                "approval",
                "submissions",
                "adoption",
                "emergency_reports",
                "bulletins",
                "send_back_reasons",
                "discard_reason",
                "not_adopted_reason",
            }
        ),
    ),
    transitions=(
        TransitionSpec(
            "screen",
            (InformationState.COLLECTED,),
            InformationState.SCREENED,
            _EDITORS,
            label="筛选",
        ),
        TransitionSpec(
            "discard",
            (InformationState.COLLECTED, InformationState.SCREENED),
            InformationState.DISCARDED,
            _EDITORS,
            (INFO1_DISCARD_REASON,),
            effect=_discard,
            label="弃用",
        ),
        TransitionSpec(
            "edit",
            (InformationState.SCREENED, InformationState.EDITED),
            InformationState.EDITED,
            _EDITORS,
            data=Edit,
            effect=_edit,
            label="编辑",
        ),
        TransitionSpec(
            "send_back",
            (InformationState.EDITED,),
            InformationState.SCREENED,
            _SENDERS_BACK,
            (INFO2_SEND_BACK_REASON,),
            effect=_send_back,
            label="退回修改",
        ),
        TransitionSpec(
            "approve",
            (InformationState.EDITED,),
            InformationState.APPROVED,
            _PRINCIPAL,
            (I2_OWN_UNIT, I2_AUTHOR_AND_PHONE),
            data=Approve,
            effect=_approve,
            label="审签",
        ),
        TransitionSpec(
            "submit",
            (InformationState.APPROVED,),
            InformationState.SUBMITTED,
            _COLLECTORS,
            (INFO3_OUTLET_ONCE,),
            data=Submit,
            effect=_submit,
            label="报送",
        ),
        TransitionSpec(
            "submit",
            (InformationState.SUBMITTED,),
            None,
            _COLLECTORS,
            (INFO3_OUTLET_ONCE,),
            data=Submit,
            effect=_submit,
            label="再报送",
        ),
        TransitionSpec(
            "adopt",
            (InformationState.SUBMITTED,),
            InformationState.ADOPTED,
            _COLLECTORS,
            (I1_CLOSED_AFTER_FINAL,),
            data=Adopt,
            effect=_adopt,
            label="采用",
        ),
        TransitionSpec(
            "not_adopted",
            (InformationState.SUBMITTED,),
            InformationState.NOT_ADOPTED,
            _COLLECTORS,
            (I1_CLOSED_AFTER_FINAL,),
            effect=_not_adopted,
            label="未采用",
        ),
        TransitionSpec(
            "report_by_phone",
            _OPEN,
            None,
            _EDITORS,
            _REPORT_RULES,
            data=PhoneReport,
            effect=_report(ReportStage.FIRST, ReportChannel.PHONE),
            label="电话首报",
        ),
        TransitionSpec(
            "report_in_writing",
            _OPEN,
            None,
            _EDITORS,
            _REPORT_RULES,
            data=WrittenReport,
            effect=_report(ReportStage.FIRST, ReportChannel.WRITING),
            label="书面首报",
        ),
        TransitionSpec(
            "report_followup",
            _OPEN,
            None,
            _EDITORS,
            _REPORT_RULES,
            data=FollowUpReport,
            effect=_report(ReportStage.FOLLOW_UP, None),
            label="续报",
        ),
        TransitionSpec(
            "final_report",
            _OPEN,
            None,
            _EDITORS,
            _REPORT_RULES,
            data=FinalReport,
            effect=_report(ReportStage.FINAL, ReportChannel.WRITING),
            label="终报",
        ),
        TransitionSpec(
            "compile",
            COMPILABLE_STATES,
            None,
            _EDITORS,
            (D17_NOT_TOP_SECRET, INFO4_COMPILED_ONCE),
            data=Compile,
            effect=_compile,
            label="编入简报",
        ),
        remind_spec(_OPEN),
    ),
)

INFORMATION_RULES: tuple[Rule, ...] = INFORMATION_TABLE.rules
"""Every named rule the information table enforces, in table order."""


# ============================================================================ emergency limits
class EmergencyPolicy(Value):
    """The time limits of emergency information (I1); local rules differ, so all are set here.

    The defaults: the first report by phone within 30 minutes and in writing within 1
    hour (docs/rules.md I1; some provinces use 15 and 35 minutes:
    ``EmergencyPolicy(first_by_phone=timedelta(minutes=15),
    first_in_writing=timedelta(minutes=35))``); a follow-up 续报 at least every 24 hours
    after the written first report until the final report; the final report 终报 within
    7 days. The last two are this library's defaults, not a regulation's: set them from
    your jurisdiction's rules.

    Attributes:
        first_by_phone: The first report, by phone (or any faster written one).
        first_in_writing: The first report in writing.
        follow_up_every: The longest gap between the written first report, the
            follow-ups and the final report; None asks for no periodic follow-ups.
        final_within: The final report.
        count_from: ``"learned"`` counts from when the office learned of the event
            (``learned_at``, else the event time); ``"event"`` always from the event.
    """

    first_by_phone: timedelta = timedelta(minutes=30)
    first_in_writing: timedelta = timedelta(hours=1)
    follow_up_every: timedelta | None = timedelta(hours=24)
    final_within: timedelta = timedelta(days=7)
    count_from: Literal["learned", "event"] = "learned"

    @field_validator("first_by_phone", "first_in_writing", "follow_up_every", "final_within")
    @classmethod
    def _positive(cls, value: timedelta | None) -> timedelta | None:
        if value is not None and value <= timedelta(0):
            raise ValueError(f"I1: a time limit is positive, got {value}")
        return value

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        if self.first_in_writing < self.first_by_phone:
            raise ValueError(
                "I1: the written first report is not due before the phone report "
                f"({self.first_in_writing} < {self.first_by_phone})"
            )
        if self.final_within <= self.first_in_writing:
            raise ValueError(
                f"I1: the final report is due after the written first report "
                f"({self.final_within} <= {self.first_in_writing})"
            )
        return self

    def clock_start(self, item: InformationItem) -> datetime | None:
        """The moment ``item``'s time limits count from; None for a non-emergency item."""
        if not item.emergency or item.event_at is None:
            return None
        if self.count_from == "learned" and item.learned_at is not None:
            return item.learned_at
        return item.event_at


class EmergencyLimit(Value):
    """One time limit of an emergency item, judged at ``as_of`` (I1).

    Attributes:
        entity_id: The item.
        kind: Which limit.
        step: Its reminder key (``emergency:first_by_phone``, ``emergency:follow_up:2``).
        due_at: When the report is due.
        met_at: When a report meeting it was made; None if none yet.
        as_of: The moment it was judged at.
    """

    entity_id: Name
    kind: EmergencyLimitKind
    step: Name
    due_at: Timestamp
    met_at: Timestamp | None = None
    as_of: Timestamp

    @property
    def met(self) -> bool:
        """Whether a report meeting the limit was made."""
        return self.met_at is not None

    @property
    def late(self) -> bool:
        """Whether the limit was missed: met after it, or unmet and past at ``as_of``."""
        return (self.met_at if self.met_at is not None else self.as_of) > self.due_at

    @property
    def late_by(self) -> timedelta:
        """How late the report was (or is, if still unmade); zero if on time."""
        end = self.met_at if self.met_at is not None else self.as_of
        return max(end - self.due_at, timedelta(0))


def _step(kind: EmergencyLimitKind, k: int | None = None) -> str:
    return f"emergency:{kind.value}" + ("" if k is None else f":{k}")


def _earliest(reports: Iterable[EmergencyReport]) -> datetime | None:
    return min((r.reported_at for r in reports), default=None)


def emergency_limits(
    item: InformationItem, policy: EmergencyPolicy, now: datetime
) -> list[EmergencyLimit]:
    """Every time limit of an emergency item so far, met or not, judged at ``now`` (I1).

    With ``T`` the policy's clock start (:meth:`EmergencyPolicy.clock_start`):

    * ``first_by_phone`` is due at ``T + first_by_phone``, met by the first report of
      any kind (a written report is at least as good as a call);
    * ``first_in_writing`` is due at ``T + first_in_writing``, met by the first report in
      writing;
    * follow-up ``k`` is due ``follow_up_every`` after the previous written report (the
      first written report for ``k = 1``), met by the ``k``-th follow-up; the next one
      is listed until the final report is made, and only once a written first report is;
    * ``final`` is due at ``T + final_within``, met by the final report.

    Returns:
        The limits in the order above; empty for an item that is not an emergency.
    """
    start = policy.clock_start(item)
    if start is None:
        return []

    def limit(
        kind: EmergencyLimitKind, due: datetime, met: datetime | None, k: int | None = None
    ) -> EmergencyLimit:
        return EmergencyLimit(
            entity_id=item.id, kind=kind, step=_step(kind, k), due_at=due, met_at=met, as_of=now
        )

    final = item.final_report
    limits = [
        limit(
            EmergencyLimitKind.FIRST_BY_PHONE,
            start + policy.first_by_phone,
            _earliest(item.emergency_reports),
        ),
        limit(
            EmergencyLimitKind.FIRST_IN_WRITING,
            start + policy.first_in_writing,
            _earliest(item.reports(channel=ReportChannel.WRITING)),
        ),
    ]
    written = item.reports(ReportStage.FIRST, ReportChannel.WRITING)
    if policy.follow_up_every is not None and written:
        previous = written[0].reported_at
        follow_ups = item.reports(ReportStage.FOLLOW_UP)
        for k, report in enumerate(follow_ups, start=1):
            due = previous + policy.follow_up_every
            limits.append(limit(EmergencyLimitKind.FOLLOW_UP, due, report.reported_at, k))
            previous = report.reported_at
        due = previous + policy.follow_up_every
        if final is None or final.reported_at > due:
            met = None if final is None else final.reported_at
            k = len(follow_ups) + 1
            limits.append(limit(EmergencyLimitKind.FOLLOW_UP, due, met, k))
    limits.append(
        limit(
            EmergencyLimitKind.FINAL,
            start + policy.final_within,
            None if final is None else final.reported_at,
        )
    )
    return limits


class EmergencyDue(Value):
    """An emergency time limit passed with no report: what a sweep records and delivers.

    Attributes:
        entity_id: The item.
        entity_kind: Its kind (``information_item``).
        limit: Which limit was missed.
        step: The reminder key, recorded once per item (``emergency:first_by_phone``).
        due_at: When the report was due.
        as_of: When it was found late (the sweep's moment, in the office's zone).
        to: Who it is addressed to: the reporting unit's code, the author, the collector.
        message: What to tell them, in Chinese and then English.
    """

    entity_id: Name
    entity_kind: KindName
    limit: EmergencyLimitKind
    step: Name
    due_at: Timestamp
    as_of: Timestamp
    to: tuple[Name, ...]
    message: Text

    @property
    def late_by(self) -> timedelta:
        """How late the report is at ``as_of``."""
        return self.as_of - self.due_at

    def as_due_reminder(self) -> DueReminder:
        """The same step as a :class:`DueReminder` (dates in ``as_of``'s zone), for a sweep."""
        zone = self.as_of.tzinfo
        return DueReminder(
            entity_id=self.entity_id,
            entity_kind=self.entity_kind,
            kind=ReminderKind.REPORT_DUE,
            step=self.step,
            due=self.due_at.astimezone(zone).date(),
            on=self.as_of.date(),
            to=self.to,
            message=self.message,
        )

    def remind_input(self) -> dict[str, Any]:
        """The input of the ``remind`` trigger that records this step."""
        return self.as_due_reminder().remind_input()


_LIMIT_EN: Final = {
    EmergencyLimitKind.FIRST_BY_PHONE: "first report by phone",
    EmergencyLimitKind.FIRST_IN_WRITING: "first written report",
    EmergencyLimitKind.FOLLOW_UP: "follow-up report",
    EmergencyLimitKind.FINAL: "final report",
}


def _minutes(delta: timedelta) -> int:
    return max(1, int(delta.total_seconds() // 60))


def emergency_due(
    item: InformationItem, policy: EmergencyPolicy, now: datetime
) -> list[EmergencyDue]:
    """The emergency time limits late at ``now`` with no report made, not yet reminded (I1).

    A limit is late when ``now`` is past its due moment (a report due at 09:30 is late
    at 09:31, not at 09:30). Each late limit is returned until its step is recorded on
    the item (the ``remind`` trigger), so asking again after recording returns nothing.
    Closed items and items that are not emergencies get nothing. Whether a limit was
    kept once a report is made is :func:`emergency_limits`' business.

    Args:
        item: The item, as stored.
        policy: The time limits.
        now: The moment to judge at, timezone-aware; messages show times in its zone.

    Raises:
        UsageError: ``now`` is naive.
    """
    if now.tzinfo is None or now.utcoffset() is None:
        raise UsageError(f"emergency_due needs a timezone-aware moment, got {now!r}")
    if not item.is_open:
        return []
    to = tuple(
        dict.fromkeys(
            n
            for n in (
                item.reporting_unit.code,
                item.author.actor_id if item.author is not None else None,
                item.created_by,
            )
            if n
        )
    )
    return [
        EmergencyDue(
            entity_id=item.id,
            entity_kind=item.entity_kind,
            limit=limit.kind,
            step=limit.step,
            due_at=limit.due_at,
            as_of=now,
            to=to,
            message=_late_message(item, limit, now),
        )
        for limit in emergency_limits(item, policy, now)
        if not limit.met and limit.late and not item.reminded(limit.step)
    ]


def _late_message(item: InformationItem, limit: EmergencyLimit, now: datetime) -> str:
    due = limit.due_at.astimezone(now.tzinfo)
    minutes = _minutes(now - limit.due_at)
    title = f"「{item.title[:30]}」" if item.classification is Classification.UNCLASSIFIED else ""
    english = f" ({item.title[:30]})" if title else ""
    return (
        f"催报：突发事件信息 {item.id}{title}的{limit.kind.label}应于"
        f" {due.strftime('%Y-%m-%d %H:%M')} 前报出，已超时 {minutes} 分钟。"
        f" / Report due: the {_LIMIT_EN[limit.kind]} on emergency information"
        f" {item.id}{english} was due by {due.isoformat(timespec='minutes')};"
        f" {minutes} minute{'' if minutes == 1 else 's'} late."
    )


# ============================================================================ scoring
DEFAULT_OUTLET_POINTS: Final[dict[OutletLevel, int]] = {
    OutletLevel.NATIONAL: 80,
    OutletLevel.PROVINCIAL: 40,
    OutletLevel.MUNICIPAL: 20,
    OutletLevel.COUNTY: 10,
}
"""The example scale of docs/rules.md I2 (national 80, provincial 40), continued downwards."""


class ScoringScale(Value):
    """How adopted items score (I2): points by outlet level, plus a bonus for a 批示.

    Attributes:
        points: Points for an adoption at each outlet level; every level is given.
        instruction_bonus: Added when a leader wrote an instruction on the item.
    """

    points: dict[OutletLevel, int] = Field(default_factory=lambda: dict(DEFAULT_OUTLET_POINTS))
    instruction_bonus: int = Field(default=30, ge=0)

    @field_validator("points")
    @classmethod
    def _every_level(cls, value: dict[OutletLevel, int]) -> dict[OutletLevel, int]:
        missing = [level.value for level in OutletLevel if level not in value]
        if missing:
            raise ValueError(f"the scale gives points for every outlet level; missing: {missing}")
        negative = [level.value for level, points in value.items() if points < 0]
        if negative:
            raise ValueError(f"points are not negative; negative for {negative}")
        return value

    def score(self, item: InformationItem) -> int:
        """The score of ``item``: 0 unless it was adopted."""
        adoption = item.adoption
        if item.state is not InformationState.ADOPTED or adoption is None:
            return 0
        bonus = self.instruction_bonus if adoption.instruction is not None else 0
        return self.points[adoption.outlet_level] + bonus


# ============================================================================ bulletins
class BulletinArticle(Value):
    """One item as a bulletin prints it.

    Attributes:
        item_id: The information item.
        title: Its title.
        body: Its text.
        reporting_unit: The unit that reported it, printed after the text.
        classification: The item's classification.
    """

    item_id: Name
    title: Name
    body: Text
    reporting_unit: Name
    classification: Classification = Classification.UNCLASSIFIED


class Bulletin(Value):
    """A bulletin issue 简报 (第N期 of a year) compiling signed-off items.

    Build one with :func:`compile_bulletin` (or the office's use case, which draws the
    number). ``classification`` is the highest of its articles' (D17).

    Attributes:
        year: The year the issue is numbered in.
        number: The issue number in that year, from 1.
        title: The bulletin's title, e.g. ``政务信息``.
        issuer: Who compiles it (编印单位), if printed.
        issued_on: The date printed on it, if any.
        classification: The highest classification of its articles.
        articles: The items, in order.
    """

    year: int = Field(ge=1000, le=9999)
    number: int = Field(ge=1)
    title: Name
    issuer: Name | None = None
    issued_on: date | None = None
    classification: Classification = Classification.UNCLASSIFIED
    articles: tuple[BulletinArticle, ...] = Field(min_length=1)

    @property
    def issue(self) -> str:
        """The issue as printed: ``2025年第3期``."""
        return f"{self.year}年第{self.number}期"

    def to_markdown(self) -> str:
        """The issue as Markdown; text is escaped, so nothing in an item becomes markup."""
        lines: list[str] = []
        if self.classification is not Classification.UNCLASSIFIED:
            lines += [f"**{self.classification.label}**", ""]
        lines += [f"# {_md(self.title)}", "", f"**{self.issue}**", ""]
        byline = [_md(self.issuer) + "编" if self.issuer else "", _issued(self.issued_on)]
        if any(byline):
            lines += ["　".join(p for p in byline if p), ""]
        lines += ["---", ""]
        if len(self.articles) > 1:
            lines += ["## 目录", ""]
            lines += [f"{i}. {_md(a.title)}" for i, a in enumerate(self.articles, 1)]
            lines += [""]
        for index, article in enumerate(self.articles, 1):
            lines += [f"## {_chinese_ordinal(index)}、{_md(article.title)}", ""]
            for paragraph in _paragraphs(article.body):
                lines += [_md(paragraph), ""]
            lines += [f"（{_md(article.reporting_unit)}报送）", ""]
        return "\n".join(lines).rstrip("\n") + "\n"

    def to_html(self) -> str:
        """The issue as an HTML fragment (an ``<article>``); every text is escaped."""
        esc = html.escape
        parts = ['<article class="secretarial-bulletin">', "<header>"]
        if self.classification is not Classification.UNCLASSIFIED:
            label = esc(self.classification.label)
            parts.append(f'<p class="classification"><strong>{label}</strong></p>')
        parts.append(f"<h1>{esc(self.title)}</h1>")
        parts.append(f'<p class="issue">{esc(self.issue)}</p>')
        byline = [esc(self.issuer) + "编" if self.issuer else "", _issued(self.issued_on)]
        if any(byline):
            parts.append(f'<p class="byline">{"　".join(p for p in byline if p)}</p>')
        parts.append("</header>")
        if len(self.articles) > 1:
            items = "".join(f"<li>{esc(a.title)}</li>" for a in self.articles)
            parts.append(f'<nav><h2>目录</h2><ol class="contents">{items}</ol></nav>')
        for index, article in enumerate(self.articles, 1):
            parts.append(f'<section data-item="{esc(article.item_id)}">')
            parts.append(f"<h2>{_chinese_ordinal(index)}、{esc(article.title)}</h2>")
            parts.extend(f"<p>{esc(p)}</p>" for p in _paragraphs(article.body))
            parts.append(f'<p class="source">（{esc(article.reporting_unit)}报送）</p>')
            parts.append("</section>")
        parts.append("</article>")
        return "\n".join(parts) + "\n"

    def _repr_markdown_(self) -> str:
        return self.to_markdown()

    def _repr_html_(self) -> str:
        return self.to_html()

    def entry_input(self, position: int) -> dict[str, Any]:
        """The input of the ``compile`` trigger for the article at ``position`` (from 1)."""
        fields: dict[str, Any] = {
            "year": self.year,
            "number": self.number,
            "title": self.title,
            "position": position,
        }
        if self.issuer is not None:
            fields["issuer"] = self.issuer
        if self.issued_on is not None:
            fields["issued_on"] = self.issued_on
        return fields


def _issued(day: date | None) -> str:
    return "" if day is None else format_date_of_issue(day)


def _paragraphs(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


_MD_INLINE: Final = re.compile(r"([\\`*_\[\]|~])")
_MD_LINE_START: Final = re.compile(r"^(\s*)([#+=-]|\d+[.)])")


def _md(text: str) -> str:
    """Escape one line of text for Markdown: no markup, no raw HTML (``<`` is ``&lt;``).

    Line breaks become spaces, so a title cannot start a heading or a list of its own.
    """
    escaped = html.escape(" ".join(text.split()), quote=False)
    escaped = _MD_INLINE.sub(r"\\\1", escaped)
    return _MD_LINE_START.sub(lambda m: m[1] + "\\" + m[2], escaped)


_DIGITS: Final = "零一二三四五六七八九"


def _chinese_ordinal(n: int) -> str:
    """一, 二 ... 十, 十一 ... 九十九; larger numbers in Arabic digits."""
    if not 1 <= n <= 99:  # noqa: PLR2004 -- the range Chinese ordinals are written for here
        return str(n)
    tens, ones = divmod(n, 10)
    if tens == 0:
        return _DIGITS[ones]
    head = "" if tens == 1 else _DIGITS[tens]
    return head + "十" + ("" if ones == 0 else _DIGITS[ones])


def _article(item: InformationItem) -> BulletinArticle:
    return BulletinArticle(
        item_id=item.id,
        title=item.title,
        body=item.body,
        reporting_unit=item.reporting_unit.name,
        classification=item.classification,
    )


def compile_bulletin(
    items: Sequence[InformationItem],
    *,
    year: int,
    number: int,
    title: str,
    issuer: str | None = None,
    issued_on: date | None = None,
    issuer_approvals: Mapping[str, str] | None = None,
) -> Bulletin:
    """Compile signed-off items into bulletin issue ``number`` of ``year`` (pure).

    The bulletin takes the highest classification of its items (D17); a top-secret item
    is compiled only with the approval of its issuing organ or that organ's superior,
    named in ``issuer_approvals`` by item id. Numbers are not
    drawn here: the office's use case draws the next one of the year in the unit of work
    that also records the compilation on each item.

    Args:
        items: The items, in the order printed; each approved or submitted (signed off).
        year: The year the issue is numbered in.
        number: The issue number in that year.
        title: The bulletin's title.
        issuer: Who compiles it (编印单位).
        issued_on: The date printed on it.
        issuer_approvals: The approvals to compile top-secret items, by item id.

    Raises:
        RuleViolation: ``D17`` a top-secret (绝密) item without an approval is among them;
            ``INFO4`` no item,
            an item twice, or an item not signed off (or already closed).
        ValidationError: ``year``, ``number`` or ``title`` do not fit.
    """
    problems: list[str] = []
    ids = [i.id for i in items]
    if not items:
        problems.append("a bulletin compiles at least one item")
    twice = sorted({i for i in ids if ids.count(i) > 1})
    if twice:
        problems.append(f"an item appears once in an issue; twice: {', '.join(twice)}")
    unsigned = [f"{i.id} ({i.state})" for i in items if i.state not in COMPILABLE_STATES]
    if unsigned:
        problems.append(
            "only signed-off items (approved or submitted) are compiled; not: "
            + ", ".join(unsigned)
        )
    approvals = issuer_approvals or {}
    top = [
        i.id
        for i in items
        if i.classification is Classification.TOP_SECRET and not (approvals.get(i.id) or "").strip()
    ]
    if top:
        raise RuleViolation(
            "D17",
            "top-secret-compile-needs-issuer-approval",
            "top-secret (绝密) items are compiled only with the approval of their issuing "
            f"organ or its superior (issuer_approvals={{id: ...}}); none for: {', '.join(top)}",
        )
    if problems:
        raise RuleViolation("INFO4", "bulletin-of-signed-off-items", "; ".join(problems))
    highest = max((i.classification for i in items), default=Classification.UNCLASSIFIED)
    try:
        return Bulletin(
            year=year,
            number=number,
            title=title,
            issuer=issuer,
            issued_on=issued_on,
            classification=highest,
            articles=tuple(_article(i) for i in items),
        )
    except pydantic.ValidationError as e:
        raise ValidationError("Bulletin", problems_from_pydantic(e)) from None


def no_such_issue(
    year: int, number: int, *, withheld: Sequence[AccessDenied] = ()
) -> RuleViolation:
    """The refusal of a bulletin issue no item records (INFO4), or one hidden from the reader.

    ``withheld`` carries the items the reader may not see, for the office to record; the
    message is a missing issue's either way.
    """
    return RuleViolation(
        "INFO4",
        "bulletin-of-signed-off-items",
        f"no item records issue {number} of {year}",
        withheld=withheld,
    )


def bulletin_of(items: Iterable[InformationItem], *, year: int, number: int) -> Bulletin:
    """The bulletin issue ``number`` of ``year`` as it was compiled, from its items' records.

    Each compiled item records the issue (its :class:`BulletinEntry`: title, issuer,
    date, its place); the items are printed in that order. Items cannot be edited once
    signed off, so the text is what was compiled.

    Raises:
        RuleViolation: ``INFO4`` no item records that issue.
    """
    found: list[tuple[BulletinEntry, InformationItem]] = []
    for item in items:
        entry = next((b for b in item.bulletins if b.year == year and b.number == number), None)
        if entry is not None:
            found.append((entry, item))
    if not found:
        raise no_such_issue(year, number)
    found.sort(key=lambda pair: (pair[0].position, pair[1].id))
    head = found[0][0]
    return Bulletin(
        year=year,
        number=number,
        title=head.title,
        issuer=head.issuer,
        issued_on=head.issued_on,
        classification=max(item.classification for _, item in found),
        articles=tuple(_article(item) for _, item in found),
    )
