"""Meeting use cases that span entities: planning with conflict checks, closing with follow-up."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, timedelta, tzinfo
from typing import Any, Final

from secretarial.engine._ports import IdFactory, Store, UnitOfWork
from secretarial.errors import ConcurrencyConflict, NotFound
from secretarial.kernel._calendar import WorkCalendar
from secretarial.kernel._entity import Entity
from secretarial.kernel._enums import EntityKind
from secretarial.kernel._query import Query
from secretarial.kernel._values import Actor
from secretarial.kernel._workflow import Workflow
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

__all__ = ["close_meeting", "conflict_window", "plan_meeting", "plan_meetings"]


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
    workflow: Workflow[Any],
    fields: Mapping[str, Any],
    *,
    entity_id: str,
    actor: Actor,
    now: datetime,
    check_conflicts: bool = True,
    window: tuple[datetime, datetime] | None = None,
) -> Meeting:
    """Plan a meeting; refuse it (rule M9) if it double-books a room or a required attendee.

    The check and the creation are one serialisable step on every store: the unit of
    work locks the room and each required attendee (in sorted order) before it reads
    the open meetings, so two planners of the same room or person take turns, across
    processes too.
    """
    meeting, event = workflow.create(fields, entity_id=entity_id, actor=actor, now=now)
    assert isinstance(meeting, Meeting)  # noqa: S101 -- the meeting workflow's entity
    with store.unit_of_work() as uow:
        if check_conflicts:
            uow.lock(*booking_resources(meeting))
            check_no_conflicts(meeting, _open_meetings(uow), conflict_window(meeting, now, window))
        uow.add(meeting, event)
    return meeting


def plan_meetings(
    store: Store,
    workflow: Workflow[Any],
    fields_list: Sequence[Mapping[str, Any]],
    *,
    ids: IdFactory,
    actor: Actor,
    now: datetime,
    check_conflicts: bool = True,
    window: tuple[datetime, datetime] | None = None,
) -> list[Meeting]:
    """Plan several meetings all together or none (an imported calendar, say).

    Each is checked against the open meetings and against the ones planned before it
    in the same call; the first refusal leaves nothing planned.
    """
    planned: list[tuple[Meeting, Any]] = []
    for fields in fields_list:
        meeting, event = workflow.create(
            fields, entity_id=ids(EntityKind.MEETING), actor=actor, now=now
        )
        assert isinstance(meeting, Meeting)  # noqa: S101 -- the meeting workflow's entity
        planned.append((meeting, event))
    with store.unit_of_work() as uow:
        if check_conflicts:
            uow.lock(*sorted({r for meeting, _ in planned for r in booking_resources(meeting)}))
            existing = _open_meetings(uow)
            for meeting, _ in planned:
                check_no_conflicts(meeting, existing, conflict_window(meeting, now, window))
                existing.append(meeting)
        for meeting, event in planned:
            uow.add(meeting, event)
    return [meeting for meeting, _ in planned]


def close_meeting(
    store: Store,
    workflows: Mapping[str, Workflow[Any]],
    meeting_id: str,
    *,
    by: Actor,
    opened_by: Actor,
    now: datetime,
    timezone: tzinfo,
    policy: DeadlinePolicy,
    calendar: Callable[[], WorkCalendar],
    ids: IdFactory,
    opinion: str | None = None,
    expected_version: int | None = None,
) -> tuple[Meeting, list[SupervisionItem]]:
    """Approve the minutes and open one supervision item per decision needing follow-up.

    The meeting's ``close`` and every item's ``open`` are stored in one unit of work:
    all of them, or none.
    """
    meetings = workflows[EntityKind.MEETING]
    items_workflow = workflows[EntityKind.SUPERVISION_ITEM]
    with store.unit_of_work() as uow:
        current: Entity = uow.get(meeting_id)
        if not isinstance(current, Meeting):
            raise NotFound(meeting_id, EntityKind.MEETING.value)
        if expected_version is not None and current.version != expected_version:
            raise ConcurrencyConflict(meeting_id, expected_version, current.version)
        follow = (
            follow_up_items(
                current, policy, calendar(), now.astimezone(timezone).date(), received_at=now
            )
            if current.minutes is not None
            else []
        )
        item_ids = tuple(ids(EntityKind.SUPERVISION_ITEM) for _ in follow)
        data: dict[str, Any] = {"supervision_item_ids": item_ids}
        if opinion is not None:
            data["opinion"] = opinion
        closed, closing = meetings.fire(current, "close", by, now=now, data=data)
        opened: list[SupervisionItem] = []
        for item_id, fields in zip(item_ids, follow, strict=True):
            computed = fields[FOLLOW_UP_DEADLINE_KEY]
            values = item_fields(fields)
            if not computed.explicit:
                values |= computed_fields(computed)
            item, created = items_workflow.create(
                values, entity_id=item_id, actor=opened_by, now=now
            )
            uow.add(item, created)
            assert isinstance(item, SupervisionItem)  # noqa: S101
            opened.append(item)
        uow.save(closed, closing, expected_version=current.version)
    assert isinstance(closed, Meeting)  # noqa: S101
    return closed, opened
