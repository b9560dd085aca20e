"""Meeting use cases that span entities: planning with conflict checks, closing with follow-up."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any, Final, NamedTuple

from secretarial.engine._fire import Change, FireContext, run_change, run_idempotent
from secretarial.engine._ports import Store, UnitOfWork
from secretarial.kernel._display import html_table
from secretarial.kernel._enums import EntityKind
from secretarial.kernel._idempotency import command_fingerprint
from secretarial.kernel._query import Query
from secretarial.kernel._values import Actor
from secretarial.supervision._deadlines import DeadlinePolicy, computed_fields
from secretarial.supervision._model import SupervisionItem

from ._model import (
    FOLLOW_UP_DEADLINE_KEY,
    Meeting,
    booking_resources,
    check_no_conflicts,
    follow_up_items,
    item_fields,
)

__all__ = ["MeetingClosure", "close_meeting", "conflict_window", "plan_meeting", "plan_meetings"]


_OPEN_MEETINGS: Final = Query(kinds=frozenset({EntityKind.MEETING}), open_only=True)


_DEFAULT_REACH: Final = timedelta(days=366)
"""How far ahead a meeting that recurs without end is checked for conflicts by default."""


def _open_meetings(uow: UnitOfWork) -> list[Meeting]:
    return [m for m in uow.find(_OPEN_MEETINGS) if isinstance(m, Meeting)]


def conflict_window(
    meeting: Meeting, now: datetime, window: tuple[datetime, datetime] | None
) -> tuple[datetime, datetime] | None:
    """Where ``meeting`` is checked for double bookings: ``window`` if given.

    Otherwise a one-off or bounded meeting is checked over its whole span (None), and
    one that recurs without end from its first sitting (or now, if later) for a year.
    """
    if window is not None or meeting.recurrence is None or meeting.recurrence.bounded:
        return window
    begin = max(now, meeting.start)
    return begin, begin + _DEFAULT_REACH


def plan_meeting(
    store: Store,
    context: FireContext,
    fields: Mapping[str, Any],
    *,
    check_conflicts: bool = True,
    window: tuple[datetime, datetime] | None = None,
    idempotency_key: str | None = None,
) -> Meeting:
    """Plan a meeting; refuse it (rule M9) if it double-books a room or a required attendee.

    The check and the creation are one serialisable step on every store: the change
    locks the room and each required attendee (in sorted order) before it reads the
    open meetings, so two planners of the same room or person take turns, across
    processes too. Under an ``idempotency_key`` a plan sent again is answered with the
    meeting it first planned (see :func:`~secretarial.engine.run_idempotent`).
    """
    plan = _planner(context, [fields], check_conflicts=check_conflicts, window=window)
    return run_idempotent(
        store,
        context,
        lambda change: plan(change)[0],
        key=idempotency_key,
        fingerprint=lambda: command_fingerprint(
            "create", EntityKind.MEETING, context.actor, fields, window=window
        ),
    )


def plan_meetings(
    store: Store,
    context: FireContext,
    fields_list: Sequence[Mapping[str, Any]],
    *,
    check_conflicts: bool = True,
    window: tuple[datetime, datetime] | None = None,
) -> list[Meeting]:
    """Plan several meetings all together or none (an imported calendar, say).

    Each is checked against the open meetings and against the ones planned before it
    in the same call; the first refusal leaves nothing planned. A conflict with a
    meeting the planner may not see names neither it nor its times (the refusal's
    ``withheld`` carries the access refused, for the office to record).
    """
    plan = _planner(context, fields_list, check_conflicts=check_conflicts, window=window)
    return run_change(store, context, plan)


def _planner(
    context: FireContext,
    fields_list: Sequence[Mapping[str, Any]],
    *,
    check_conflicts: bool,
    window: tuple[datetime, datetime] | None,
) -> Callable[[Change], list[Meeting]]:
    """The body of a change that plans ``fields_list``, checked against the open meetings."""

    def plan(change: Change) -> list[Meeting]:
        planned = [change.make(Meeting, fields) for fields in fields_list]
        if check_conflicts:
            change.lock(*sorted({r for meeting in planned for r in booking_resources(meeting)}))
            new = {meeting.id for meeting in planned}
            existing = [m for m in _open_meetings(change.uow) if m.id not in new]
            authorize = context.authorize
            hidden = None if authorize is None else lambda m: authorize(context.actor, m)
            for meeting in planned:
                check_no_conflicts(
                    meeting,
                    existing,
                    conflict_window(meeting, context.now, window),
                    hidden=hidden,
                    actor_id=context.actor.id,
                )
                existing.append(meeting)
        return planned

    return plan


class MeetingClosure(NamedTuple):
    """What closing a meeting did: the meeting, closed, and the items opened for it.

    A pair, so ``meeting, items = office.meetings.close(...)`` unpacks it; in Jupyter it
    shows as a table of the supervision items opened, one per decision to follow up.

    Attributes:
        meeting: The meeting, closed.
        items: The supervision items opened for its decisions, in the minutes' order.
    """

    meeting: Meeting
    items: list[SupervisionItem]

    def _repr_html_(self) -> str:
        rows = (
            [
                item.id,
                item.requirement,
                item.lead_unit.name if item.lead_unit is not None else "",
                item.deadline,
                item.state,
            ]
            for item in self.items
        )
        caption = (
            f"{self.meeting.title} ({self.meeting.id}) closed: "
            f"{len(self.items)} supervision items opened"
        )
        return html_table(["id", "requirement", "lead unit", "deadline", "state"], rows, caption)


def close_meeting(
    store: Store,
    context: FireContext,
    meeting_id: str,
    *,
    opened_by: Actor,
    opinion: str | None = None,
    expected_content_version: int | None = None,
) -> MeetingClosure:
    """Approve the minutes and open one supervision item per decision needing follow-up.

    The meeting's ``close`` (by the context's actor) and every item's ``open`` (by
    ``opened_by``) are stored in one change: all of them, or none. Each item's deadline
    is the decision's own or the office's deadline policy's for meeting decisions,
    counted in its calendar and zone.
    """

    def close(change: Change) -> MeetingClosure:
        current = change.load(
            meeting_id, Meeting, expected_content_version=expected_content_version
        )
        follow: list[dict[str, Any]] = []
        if current.minutes is not None:
            env = context.environment()
            follow = follow_up_items(
                current,
                env.policy(DeadlinePolicy),
                env.calendar(),
                context.now.astimezone(env.timezone).date(),
                received_at=context.now,
            )
        item_ids = tuple(context.new_id(EntityKind.SUPERVISION_ITEM) for _ in follow)
        data: dict[str, Any] = {"supervision_item_ids": item_ids}
        if opinion is not None:
            data["opinion"] = opinion
        closed = change.fire(current, "close", data)
        opened: list[SupervisionItem] = []
        for item_id, fields in zip(item_ids, follow, strict=True):
            computed = fields[FOLLOW_UP_DEADLINE_KEY]
            values = item_fields(fields)
            if not computed.explicit:
                values |= computed_fields(computed)
            opened.append(change.make(SupervisionItem, values, entity_id=item_id, actor=opened_by))
        return MeetingClosure(closed, opened)

    return run_change(store, context, close)
