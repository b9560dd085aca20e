"""The supervision table (督查督办) with the rules that guard it (docs/rules.md)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date, tzinfo
from typing import Any

from secretarial.kernel._calendar import WorkCalendar
from secretarial.kernel._entity import Entity
from secretarial.kernel._enums import (
    Role,
)
from secretarial.kernel._reminders import remind_spec
from secretarial.kernel._rules import (
    DEADLINE_NOT_PAST,
    LEAD_NOT_CO,
    Rule,
    TransitionContext,
    reason_required,
)
from secretarial.kernel._rules import set_fields as _set
from secretarial.kernel._rules import set_reason as _set_reason
from secretarial.kernel._values import Day, Name, Text, Unit
from secretarial.kernel._workflow import (
    CreationSpec,
    Input,
    TransitionEnv,
    TransitionSpec,
    WorkflowTable,
)

from ._deadlines import ComputedDeadline, DeadlinePolicy, ProvisionalMark, computed_fields
from ._enums import ReportCycle, SupervisionState
from ._model import ExtensionRequest, ProgressReport, SupervisionItem

__all__ = ["SUPERVISION_TABLE", "default_deadline", "default_deadline_of"]

_UNDERTAKER = frozenset({Role.UNDERTAKER.value})
_SUPERVISOR = frozenset({Role.SUPERVISOR.value})


def _item(ctx: TransitionContext) -> Any:
    return ctx.entity


class AssignItem(Input):
    """Input of ``assign`` on a supervision item 交办."""

    lead_unit: Unit
    co_units: tuple[Unit, ...] = ()
    deadline: Day | None = None
    report_cycle: ReportCycle = ReportCycle.NONE
    deadline_calendar: Name | None = None
    """Set by the office when it computed ``deadline`` from its deadline policy."""
    deadline_rule: Text | None = None
    """Set by the office: how the computed ``deadline`` was arrived at."""
    deadline_provisional: ProvisionalMark | None = None
    """Set by the office when the computed ``deadline`` depends on a provisional year."""


class ConfirmDeadline(Input):
    """Input of ``confirm_deadline`` 确认期限: a computed deadline checked again (W5).

    Fired by the office when a calendar year is loaded over the provisional year a
    deadline was counted in, or by a supervisor who sets the date the loaded calendar
    gives by hand.
    """

    deadline: Day
    """The deadline from now on."""
    computed: date
    """The date the calendar now gives for the deadline's rule and start."""
    deadline_rule: Text | None = None
    """How the computed date was arrived at, as for ``assign``."""
    deadline_provisional: ProvisionalMark | None = None
    """Still provisional over other years not yet published, if so."""
    calendar_source: Name | None = None
    """The loaded calendar year that prompted the check (its entity id)."""


class ReportProgress(Input):
    """Input of ``report_progress``."""

    text: Text


class RequestExtension(Input):
    """Input of ``request_extension`` (S3)."""

    proposed_deadline: Day


class GrantExtension(Input):
    """Input of ``grant_extension``: the concrete new deadline (S3)."""

    deadline: Day


class SubmitResult(Input):
    """Input of ``submit_result`` 反馈."""

    result: Text


class Verify(Input):
    """Input of ``verify`` 办结: what was found."""

    verification: Text


# ============================================================================ supervision
def _check_item_deadline(ctx: TransitionContext) -> str | None:
    if ctx.input("deadline") is None and ctx.entity.deadline is None:
        return "a supervision item is assigned with a deadline (deadline=...)"
    return None


S2_DEADLINE = Rule(
    "S2",
    "assigned-with-deadline",
    "an assigned item has a deadline",
    _check_item_deadline,
    on_input=True,
)


def _check_extension_before_deadline(ctx: TransitionContext) -> str | None:
    deadline = ctx.entity.deadline
    today = ctx.now.date()
    if deadline is not None and today > deadline:
        return (
            f"an extension is requested before the deadline; the deadline {deadline.isoformat()} "
            f"passed before {today.isoformat()}"
        )
    proposed = ctx.input("proposed_deadline")
    if proposed is not None and deadline is not None and proposed <= deadline:
        return f"the proposed deadline {proposed.isoformat()} is not after {deadline.isoformat()}"
    return None


S3_BEFORE_DEADLINE = Rule(
    "S3",
    "extension-before-deadline",
    "an extension is requested before the deadline, proposing a later date",
    _check_extension_before_deadline,
)
S3_EXTENSION_REASON = reason_required("S3", "extension-needs-reason", "an extension request")


def _check_granted_later(ctx: TransitionContext) -> str | None:
    new = ctx.input("deadline")
    old = ctx.entity.deadline
    if new is not None and old is not None and new <= old:
        return f"the granted deadline {new.isoformat()} is not after {old.isoformat()}"
    return None


S3_GRANT_LATER = Rule(
    "S3",
    "extension-moves-deadline-later",
    "a granted extension sets a later, concrete date",
    _check_granted_later,
    on_input=True,
)
S4_REJECT_REASON = reason_required("S4", "rework-needs-reason", "sending a result back for rework")
S3_REFUSE_REASON = reason_required("S3", "refusal-needs-reason", "refusing an extension")
CANCEL_REASON = reason_required("CANCEL", "cancel-needs-reason", "cancelling an item")


def _check_not_earlier_silently(ctx: TransitionContext) -> str | None:
    new = ctx.input("deadline")
    old = ctx.entity.deadline
    if new is None or old is None or new >= old or ctx.reason:
        return None
    return (
        f"the deadline {old.isoformat()} was communicated; moving it earlier to "
        f"{new.isoformat()} needs a person's reason (pass reason=...), or keep {old.isoformat()}"
    )


W5_NOT_EARLIER_SILENTLY = Rule(
    "W5",
    "deadline-not-moved-earlier-silently",
    "a deadline already communicated moves earlier only with a stated reason",
    _check_not_earlier_silently,
    on_input=True,
)


def _check_has_deadline(ctx: TransitionContext) -> str | None:
    if ctx.entity.deadline is None:
        return "the item has no deadline yet; assign sets it"
    return None


W5_HAS_DEADLINE = Rule(
    "W5",
    "confirmed-deadline-exists",
    "only a deadline that was set can be confirmed",
    _check_has_deadline,
)


def _confirm_deadline(ctx: TransitionContext) -> dict[str, Any]:
    data = ctx.data
    assert isinstance(data, ConfirmDeadline)  # noqa: S101
    updates: dict[str, Any] = {
        "deadline": data.deadline,
        "deadline_provisional": data.deadline_provisional,
    }
    if data.deadline_rule is not None:
        updates["deadline_rule"] = data.deadline_rule
    return updates


def default_deadline(
    entity: Entity, data: Mapping[str, Any] | None, env: TransitionEnv
) -> Mapping[str, Any] | None:
    """Complete an ``assign`` input with the office's default deadline when none is given (S2).

    An explicit deadline (in the input or already on the item) wins. The default is
    counted from the day the item was received, in the office's time zone, with the
    :class:`DeadlinePolicy` rule for the item's source and urgency; the calendar, the
    rule and any provisional mark are recorded with it.

    Raises:
        CalendarCoverageError: the calendar has no data for a day the computation needs;
            no deadline is guessed.
    """
    if not isinstance(entity, SupervisionItem) or entity.deadline is not None:
        return data
    if data is not None and data.get("deadline") is not None:
        return data
    computed = default_deadline_of(entity, env.policy(DeadlinePolicy), env.calendar(), env.timezone)
    return {**(data or {}), "deadline": computed.due, **computed_fields(computed)}


def default_deadline_of(
    item: SupervisionItem, policy: DeadlinePolicy, calendar: WorkCalendar, timezone: tzinfo
) -> ComputedDeadline:
    """The deadline ``policy`` gives ``item``: its rule counted from the day it was received.

    The day is taken in ``timezone`` (the office's); the rule is picked by the item's
    source and urgency.

    Raises:
        CalendarCoverageError: the calendar has no data for a day the computation needs.
    """
    start = item.received_at.astimezone(timezone).date()
    return policy.default_deadline(item.source, start, calendar, item.urgency)


def _assign_item(ctx: TransitionContext) -> dict[str, Any]:
    data = ctx.data
    assert isinstance(data, AssignItem)  # noqa: S101
    updates: dict[str, Any] = {
        "lead_unit": data.lead_unit,
        "co_units": data.co_units,
        "report_cycle": data.report_cycle,
    }
    if data.deadline is not None:
        updates |= {
            "deadline": data.deadline,
            "deadline_calendar": data.deadline_calendar,
            "deadline_rule": data.deadline_rule,
            "deadline_provisional": data.deadline_provisional,
        }
    return updates


def _report_progress(ctx: TransitionContext) -> dict[str, Any]:
    item: SupervisionItem = _item(ctx)
    report = ProgressReport(by=ctx.actor.id, at=ctx.now, text=ctx.input("text"))
    return {"progress_reports": (*item.progress_reports, report)}


def _request_extension(ctx: TransitionContext) -> dict[str, Any]:
    item: SupervisionItem = _item(ctx)
    assert ctx.reason is not None  # noqa: S101 -- S3_EXTENSION_REASON held
    request = ExtensionRequest(
        by=ctx.actor.id,
        at=ctx.now,
        reason=ctx.reason,
        proposed_deadline=ctx.input("proposed_deadline"),
    )
    return {"extension_requests": (*item.extension_requests, request)}


def _decide_extension(*, granted: bool) -> Any:
    def effect(ctx: TransitionContext) -> dict[str, Any]:
        item: SupervisionItem = _item(ctx)
        pending = item.extension_requests[-1]
        new_deadline = ctx.input("deadline") if granted else None
        decided = pending.model_copy(
            update={
                "granted": granted,
                "decided_by": ctx.actor.id,
                "decided_at": ctx.now,
                "granted_deadline": new_deadline,
                "decision_note": ctx.reason,
            }
        )
        updates: dict[str, Any] = {"extension_requests": (*item.extension_requests[:-1], decided)}
        if granted:
            updates["deadline"] = new_deadline
            if item.deadline_provisional is not None:
                updates["deadline_provisional"] = None  # a date a person decided
        return updates

    return effect


def _reject(ctx: TransitionContext) -> dict[str, Any]:
    item: SupervisionItem = _item(ctx)
    return {"rework_reasons": (*item.rework_reasons, ctx.reason), "result": None}


_OPEN_ITEM_STATES = tuple(
    s for s in SupervisionState if s not in (SupervisionState.VERIFIED, SupervisionState.CANCELLED)
)

_ENUMERATED_MATTER = re.compile(
    r"(?m)^\s*(?:[0-9]+[.、．)）]|[（(][0-9一二三四五六七八九十]+[)）]|[一二三四五六七八九十]+、)"
)


def _check_one_matter(ctx: TransitionContext) -> str | None:
    matters = _ENUMERATED_MATTER.findall(_item(ctx).requirement)
    if len(matters) > 1:
        return (
            f"one matter per item: the requirement lists {len(matters)} numbered matters; "
            "open one item for each"
        )
    return None


S1_ONE_MATTER = Rule(
    "S1", "one-matter-per-item", "a supervision item covers one matter", _check_one_matter
)


SUPERVISION_TABLE: WorkflowTable[SupervisionItem] = WorkflowTable(
    name="supervision_item",
    entity_type=SupervisionItem,
    states=SupervisionState,
    description="督查督办: registered → assigned → in progress → reported → verified",
    creation=CreationSpec(
        "open",
        SupervisionState.REGISTERED,
        _SUPERVISOR,
        (S1_ONE_MATTER,),
        "立项",
        managed=frozenset(
            {
                "progress_reports",
                "extension_requests",
                "result",
                "verification",
                "rework_reasons",
                "cancel_reason",
            }
        ),
    ),
    transitions=(
        TransitionSpec(
            "assign",
            (SupervisionState.REGISTERED,),
            SupervisionState.ASSIGNED,
            _SUPERVISOR,
            (S2_DEADLINE, LEAD_NOT_CO, DEADLINE_NOT_PAST),
            data=AssignItem,
            effect=_assign_item,
            label="交办",
            complete=default_deadline,
        ),
        TransitionSpec(
            "accept",
            (SupervisionState.ASSIGNED,),
            SupervisionState.IN_PROGRESS,
            _UNDERTAKER,
            label="承办",
        ),
        TransitionSpec(
            "report_progress",
            (SupervisionState.IN_PROGRESS,),
            None,
            _UNDERTAKER,
            data=ReportProgress,
            effect=_report_progress,
            label="报送进展",
            awaited=False,
        ),
        TransitionSpec(
            "request_extension",
            (SupervisionState.IN_PROGRESS,),
            SupervisionState.EXTENSION_REQUESTED,
            _UNDERTAKER,
            (S3_BEFORE_DEADLINE, S3_EXTENSION_REASON),
            data=RequestExtension,
            effect=_request_extension,
            label="申请延期",
        ),
        TransitionSpec(
            "grant_extension",
            (SupervisionState.EXTENSION_REQUESTED,),
            SupervisionState.IN_PROGRESS,
            _SUPERVISOR,
            (S3_GRANT_LATER,),
            data=GrantExtension,
            effect=_decide_extension(granted=True),
            label="同意延期",
        ),
        TransitionSpec(
            "refuse_extension",
            (SupervisionState.EXTENSION_REQUESTED,),
            SupervisionState.IN_PROGRESS,
            _SUPERVISOR,
            (S3_REFUSE_REASON,),
            effect=_decide_extension(granted=False),
            label="不同意延期",
        ),
        TransitionSpec(
            "confirm_deadline",
            _OPEN_ITEM_STATES,
            None,
            frozenset({Role.SUPERVISOR.value, Role.SYSTEM.value}),
            (W5_HAS_DEADLINE, W5_NOT_EARLIER_SILENTLY),
            data=ConfirmDeadline,
            effect=_confirm_deadline,
            label="确认期限",
            awaited=False,
        ),
        TransitionSpec(
            "submit_result",
            (SupervisionState.IN_PROGRESS,),
            SupervisionState.REPORTED,
            _UNDERTAKER,
            data=SubmitResult,
            effect=_set(result="result"),
            label="反馈",
        ),
        TransitionSpec(
            "verify",
            (SupervisionState.REPORTED,),
            SupervisionState.VERIFIED,
            _SUPERVISOR,
            data=Verify,
            effect=_set(verification="verification"),
            label="办结",
        ),
        TransitionSpec(
            "reject",
            (SupervisionState.REPORTED,),
            SupervisionState.IN_PROGRESS,
            _SUPERVISOR,
            (S4_REJECT_REASON,),
            effect=_reject,
            label="退回重办",
        ),
        TransitionSpec(
            "cancel",
            _OPEN_ITEM_STATES,
            SupervisionState.CANCELLED,
            _SUPERVISOR,
            (CANCEL_REASON,),
            effect=_set_reason("cancel_reason"),
            label="撤销",
            awaited=False,
        ),
        remind_spec(
            s
            for s in SupervisionState
            if s not in (SupervisionState.VERIFIED, SupervisionState.CANCELLED)
        ),
    ),
)
