"""Typed inputs of the creating verbs (duty): what each model takes, for type checkers.

Written by scripts/gen_typed_inputs.py from the models; do not edit. A test fails when
this file is not what the script writes from the models as they are.
"""

from collections.abc import Sequence
from datetime import date, datetime
from typing import Literal, NotRequired, TypedDict

from secretarial.duty._model import Caller, CallerKind, GuestParty, Meal, MealKind, OfficialLetter
from secretarial.kernel._enums import Classification
from secretarial.kernel._fields import UnitFields
from secretarial.kernel._values import Unit

__all__ = [
    "CallRecordFields",
    "CallerFields",
    "GuestPartyFields",
    "MealFields",
    "OfficialLetterFields",
    "ReceptionPlanFields",
]


class CallerFields(TypedDict):
    """The fields of ``Caller`` a caller gives."""

    name: str
    unit: str
    phone: str
    kind: NotRequired[
        CallerKind | Literal["superior", "leader", "peer", "subordinate", "public", "other"]
    ]
    actor_id: NotRequired[str | None]


class CallRecordFields(TypedDict):
    """The fields of ``CallRecord`` a caller gives."""

    classification: NotRequired[
        Classification | Literal["unclassified", "confidential", "secret", "top_secret"]
    ]
    deadline: NotRequired[date | None]
    called_at: datetime
    caller: Caller | CallerFields
    matter: str
    measures: str
    recorder: str
    shift_id: NotRequired[str | None]
    urgent: NotRequired[bool]


class GuestPartyFields(TypedDict):
    """The fields of ``GuestParty`` a caller gives."""

    count: int
    unit: str
    leader: str
    leader_title: NotRequired[str | None]


class OfficialLetterFields(TypedDict):
    """The fields of ``OfficialLetter`` a caller gives."""

    reference: str
    issuer: NotRequired[str | None]
    dated: NotRequired[date | None]
    document_id: NotRequired[str | None]


class MealFields(TypedDict):
    """The fields of ``Meal`` a caller gives."""

    kind: NotRequired[MealKind | Literal["working_meal", "self_paid"]]
    at: datetime
    place: NotRequired[str | None]
    hosts: NotRequired[Sequence[str]]


class ReceptionPlanFields(TypedDict):
    """The fields of ``ReceptionPlan`` a caller gives."""

    classification: NotRequired[
        Classification | Literal["unclassified", "confidential", "secret", "top_secret"]
    ]
    deadline: NotRequired[date | None]
    title: str
    purpose: NotRequired[str | None]
    guests: GuestParty | GuestPartyFields
    official_letter: NotRequired[OfficialLetter | OfficialLetterFields | None]
    start: datetime
    end: datetime
    meals: NotRequired[Sequence[Meal | MealFields]]
    host_unit: NotRequired[Unit | UnitFields | None]
