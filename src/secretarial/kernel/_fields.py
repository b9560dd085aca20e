"""Typed inputs of the creating verbs (kernel): what each model takes, for type checkers.

Written by scripts/gen_typed_inputs.py from the models; do not edit. A test fails when
this file is not what the script writes from the models as they are.
"""

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Literal, NotRequired, TypedDict

from secretarial.kernel._enums import OrganRelation
from secretarial.kernel._recurrence import Frequency, MovedOccurrence

__all__ = [
    "AttachmentFields",
    "DocumentNumberFields",
    "MovedOccurrenceFields",
    "OrganFields",
    "RecurrenceFields",
    "UnitFields",
]


class DocumentNumberFields(TypedDict):
    """The fields of ``DocumentNumber`` a caller gives."""

    organ_code: str
    year: int
    sequence: int


class OrganFields(TypedDict):
    """The fields of ``Organ`` a caller gives."""

    code: str
    name: str
    relation: NotRequired[
        OrganRelation | Literal["superior", "higher_superior", "peer", "subordinate", "unrelated"]
    ]


class AttachmentFields(TypedDict):
    """The fields of ``Attachment`` a caller gives."""

    sequence: int
    name: str
    pages: NotRequired[int | None]


class UnitFields(TypedDict):
    """The fields of ``Unit`` a caller gives."""

    code: str
    name: str


class MovedOccurrenceFields(TypedDict):
    """The fields of ``MovedOccurrence`` a caller gives."""

    original_start: datetime
    start: datetime
    end: datetime


class RecurrenceFields(TypedDict):
    """The fields of ``Recurrence`` a caller gives."""

    frequency: Frequency | Literal["daily", "weekly", "monthly", "yearly"]
    interval: NotRequired[int]
    by_weekday: NotRequired[Sequence[str]]
    by_month_day: NotRequired[Sequence[int]]
    by_month: NotRequired[Sequence[int]]
    by_set_position: NotRequired[Sequence[int]]
    count: NotRequired[int | None]
    until: NotRequired[datetime | None]
    week_start: NotRequired[str]
    timezone: str
    start: datetime
    duration: timedelta
    rdates: NotRequired[Sequence[datetime]]
    exdates: NotRequired[Sequence[datetime]]
    moves: NotRequired[Sequence[MovedOccurrence | MovedOccurrenceFields]]
