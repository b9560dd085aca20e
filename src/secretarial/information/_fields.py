"""Typed inputs of the creating verbs (information): what each model takes, for type checkers.

Written by scripts/gen_typed_inputs.py from the models; do not edit. A test fails when
this file is not what the script writes from the models as they are.
"""

from datetime import date, datetime
from typing import Literal, NotRequired, TypedDict

from secretarial.information._model import Author, InformationCategory, InformationUrgency
from secretarial.kernel._enums import Classification
from secretarial.kernel._fields import UnitFields
from secretarial.kernel._values import Unit

__all__ = ["AuthorFields", "InformationItemFields"]


class AuthorFields(TypedDict):
    """The fields of ``Author`` a caller gives."""

    actor_id: str
    name: str


class InformationItemFields(TypedDict):
    """The fields of ``InformationItem`` a caller gives."""

    classification: NotRequired[
        Classification | Literal["unclassified", "confidential", "secret", "top_secret"]
    ]
    deadline: NotRequired[date | None]
    category: (
        InformationCategory
        | Literal[
            "dynamics",
            "problem",
            "suggestion",
            "experience",
            "public_opinion",
            "emergency",
            "other",
        ]
    )
    title: str
    body: str
    source: str
    reporting_unit: Unit | UnitFields
    author: NotRequired[Author | AuthorFields | None]
    contact_phone: NotRequired[str | None]
    urgency: NotRequired[InformationUrgency | Literal["normal", "urgent", "extra_urgent"]]
    emergency: NotRequired[bool]
    event_at: NotRequired[datetime | None]
    learned_at: NotRequired[datetime | None]
