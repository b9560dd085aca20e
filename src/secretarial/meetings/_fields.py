"""Typed inputs of the creating verbs (meetings): what each model takes, for type checkers.

Written by scripts/gen_typed_inputs.py from the models; do not edit. A test fails when
this file is not what the script writes from the models as they are.
"""

from collections.abc import Sequence
from datetime import date, datetime
from typing import Literal, NotRequired, TypedDict

from secretarial.kernel._enums import Classification
from secretarial.kernel._fields import RecurrenceFields
from secretarial.kernel._recurrence import Recurrence
from secretarial.meetings._model import (
    AgendaItem,
    Attendee,
    AttendeeResponse,
    AttendeeRole,
    MeetingKind,
    Person,
)

__all__ = ["AgendaItemFields", "AttendeeFields", "MeetingFields", "PersonFields"]


class PersonFields(TypedDict):
    """The fields of ``Person`` a caller gives."""

    actor_id: str
    name: str
    email: NotRequired[str | None]


class AttendeeFields(TypedDict):
    """The fields of ``Attendee`` a caller gives."""

    actor_id: str
    name: str
    email: NotRequired[str | None]
    role: NotRequired[AttendeeRole | Literal["required", "optional", "non_voting"]]
    response: NotRequired[
        AttendeeResponse | Literal["needs_action", "accepted", "declined", "tentative"]
    ]


class AgendaItemFields(TypedDict):
    """The fields of ``AgendaItem`` a caller gives."""

    topic: str
    presenter: NotRequired[str | None]
    minutes: NotRequired[int | None]
    document_ids: NotRequired[Sequence[str]]


class MeetingFields(TypedDict):
    """The fields of ``Meeting`` a caller gives."""

    classification: NotRequired[
        Classification | Literal["unclassified", "confidential", "secret", "top_secret"]
    ]
    deadline: NotRequired[date | None]
    meeting_kind: (
        MeetingKind
        | Literal["party_committee", "executive", "office", "special_topic", "briefing", "other"]
    )
    title: str
    organizer: Person | PersonFields
    chair: NotRequired[Person | PersonFields | None]
    attendees: NotRequired[Sequence[Attendee | AttendeeFields]]
    room: NotRequired[str | None]
    start: datetime
    end: datetime
    timezone: str
    recurrence: NotRequired[Recurrence | RecurrenceFields | None]
    agenda: NotRequired[Sequence[AgendaItem | AgendaItemFields]]
    alarm_minutes: NotRequired[int | None]
