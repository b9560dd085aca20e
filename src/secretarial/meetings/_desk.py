"""The meetings desk: the verbs of the meetings area, on the office that wires it."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Final

from secretarial.engine._desk import Desk
from secretarial.errors import AccessDenied
from secretarial.kernel._enums import EntityKind
from secretarial.kernel._query import Query
from secretarial.kernel._recurrence import Occurrence
from secretarial.kernel._values import Actor

from ._model import Conflict, Meeting, conflicts_as_seen, find_conflicts, occurrences_of
from ._service import (
    MeetingClosure,
    close_meeting,
    conflict_window,
    plan_meeting,
)

if TYPE_CHECKING:
    from typing import Unpack

    from ._fields import MeetingFields

__all__ = ["MeetingsDesk"]

_OPEN_MEETINGS: Final = Query(kinds=frozenset({EntityKind.MEETING}), open_only=True)


class MeetingsDesk(Desk):
    """Meetings: plan, check conflicts, close with follow-up, the agenda."""

    __slots__ = ()

    def plan(
        self,
        *,
        by: Actor,
        check_conflicts: bool = True,
        window: tuple[datetime, datetime] | None = None,
        idempotency_key: str | None = None,
        **fields: Unpack[MeetingFields],
    ) -> Meeting:
        """Plan a meeting (会务): ``title``, ``meeting_kind``, ``start``, ``end``, attendees ...

        Refused with rule M9 if it double-books a room or a required attendee with an
        open meeting (recurring ones expanded over ``window``, a year by default).

        Raises:
            ValidationError: a field is missing or does not fit.
            RuleViolation: M9, with the conflicts found. A conflict with a meeting
                ``by`` may not see says only that the room or the attendee is booked at
                that time; the office records the refusal (``Office.denials()``).
        """
        with self._office.denials_recorded(by, "fire:plan"):
            return plan_meeting(
                self._office.change_store,
                self._office.context(by),
                fields,
                check_conflicts=check_conflicts,
                window=window,
                idempotency_key=idempotency_key,
            )

    def conflicts(
        self,
        meeting: Meeting | str,
        *,
        window: tuple[datetime, datetime] | None = None,
        by: Actor | None = None,
    ) -> list[Conflict]:
        """The rooms and required attendees ``meeting`` double-books with open meetings.

        With ``by``, the meeting is loaded as ``by`` may see it, and a conflict with a
        meeting hidden from them is :meth:`~secretarial.Conflict.withheld` (the room or
        the attendee is booked at that time; the refusal is recorded).

        Raises:
            NotFound: No such meeting.
            AccessDenied: ``by`` may not see ``meeting`` (recorded).
        """
        self._office.require_reader(by, "meetings.conflicts")
        current = self._office.get(
            meeting if isinstance(meeting, str) else meeting.id, Meeting, by=by
        )
        now = self._office.now()
        others = {  # all of them: a hidden meeting books its room too
            m.id: m
            for m in self._office.change_store.find(_OPEN_MEETINGS)
            if isinstance(m, Meeting)
        }
        found = find_conflicts(current, others.values(), conflict_window(current, now, window))
        if by is None:
            return found

        def hidden(other: str) -> str | None:
            try:  # records the refusal
                self._office.authorize(others[other], by, "conflicts")
            except AccessDenied as denied:
                return denied.reason
            return None

        return conflicts_as_seen(found, hidden)[0]

    def close(
        self,
        meeting: Meeting | str,
        *,
        by: Actor,
        opened_by: Actor,
        opinion: str | None = None,
    ) -> MeetingClosure:
        """Approve the minutes and open one supervision item per decision needing follow-up.

        Each item's source is the meeting, its requirement the decision, its deadline
        the decision's own or the deadline policy's for meeting decisions, recorded with
        the calendar it was counted in. All of it is stored in one unit of work.

        Args:
            meeting: The meeting (its version is checked) or its id.
            by: The leader approving the minutes.
            opened_by: The supervisor in whose name the items are opened.
            opinion: The leader's opinion on the minutes.
        """
        with self._office.denials_recorded(by, "fire:close"):
            return close_meeting(
                self._office.change_store,
                self._office.context(by),
                meeting if isinstance(meeting, str) else meeting.id,
                opened_by=opened_by,
                opinion=opinion,
                expected_content_version=None
                if isinstance(meeting, str)
                else meeting.content_version,
            )

    def agenda(
        self, start: datetime, end: datetime, *, by: Actor | None = None
    ) -> list[tuple[Meeting, Occurrence]]:
        """Every sitting of every meeting between ``start`` and ``end``, in time order.

        ``by`` sees only the meetings they may see; without it, the host's own read.
        """
        self._office.require_reader(by, "meetings.agenda")
        meetings = [
            m for m in self._office.list(kind=EntityKind.MEETING, by=by) if isinstance(m, Meeting)
        ]
        return occurrences_of(meetings, start, end)
