"""Default deadlines: an item assigned without one gets its policy's (docs/rules.md S2)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import tzinfo
from typing import Any, Final

from secretarial.domain import (
    ComputedDeadline,
    DeadlinePolicy,
    Entity,
    SupervisionItem,
    WorkCalendar,
)

__all__ = ["DEFAULTED_TRIGGERS", "computed_fields", "describe_deadline", "with_default_deadline"]


def describe_deadline(computed: ComputedDeadline) -> str:
    """How a computed deadline was arrived at, in one line (stored with the item)."""
    rule = computed.rule
    if computed.explicit or rule is None or computed.start is None:
        return "explicit"
    text = (
        f"{rule.basis}: {rule.amount} {rule.unit.value.replace('_', ' ')} "
        f"from {computed.start.isoformat()}"
    )
    if computed.source is not None:
        text += f" ({computed.source.value}, {computed.urgency or 'normal'})"
    if computed.moved_from is not None:
        text += f"; moved from {computed.moved_from.isoformat()} to the next workday"
    if computed.provisional:
        text += f"; provisional: {', '.join(map(str, computed.provisional))} not published"
    return text


def computed_fields(computed: ComputedDeadline) -> dict[str, Any]:
    """The item fields that record how a computed deadline was arrived at.

    The calendar, the rule and, when the date depends on a provisional calendar year,
    its :class:`~secretarial.domain.ProvisionalMark`.
    """
    fields: dict[str, Any] = {
        "deadline_calendar": computed.calendar_id,
        "deadline_rule": describe_deadline(computed),
    }
    mark = computed.mark
    if mark is not None:
        fields["deadline_provisional"] = mark
    return fields


DEFAULTED_TRIGGERS: Final = frozenset({"assign"})
"""The triggers whose input :func:`with_default_deadline` may complete."""


def with_default_deadline(
    entity: Entity,
    trigger: str,
    data: Mapping[str, Any] | None,
    *,
    policy: DeadlinePolicy,
    calendar: Callable[[], WorkCalendar],
    timezone: tzinfo,
) -> Mapping[str, Any] | None:
    """Complete an ``assign`` input with the policy's deadline when none is given.

    An explicit deadline (in the input or already on the item) wins. The default is
    counted from the day the item was received, in the office's time zone, with the rule
    for the item's source and urgency; the calendar id and the rule are recorded with it.

    Raises:
        CalendarCoverageError: the calendar has no data for a day the computation needs;
            no deadline is guessed.
    """
    if trigger not in DEFAULTED_TRIGGERS or not isinstance(entity, SupervisionItem):
        return data
    if entity.deadline is not None or (data is not None and data.get("deadline") is not None):
        return data
    computed = policy.default_deadline(
        entity.source,
        entity.received_at.astimezone(timezone).date(),
        calendar(),
        entity.urgency,
    )
    return {**(data or {}), "deadline": computed.due, **computed_fields(computed)}
