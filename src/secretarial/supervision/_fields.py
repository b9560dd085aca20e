"""Typed inputs of the creating verbs (supervision): what each model takes, for type checkers.

Written by scripts/gen_typed_inputs.py from the models; do not edit. A test fails when
this file is not what the script writes from the models as they are.
"""

from collections.abc import Sequence
from datetime import date, datetime
from typing import Literal, NotRequired, TypedDict

from secretarial.kernel._enums import Classification
from secretarial.kernel._fields import UnitFields
from secretarial.kernel._values import Unit
from secretarial.supervision._deadlines import ItemUrgency, ProvisionalMark
from secretarial.supervision._enums import ReportCycle, SupervisionSource

__all__ = ["ProvisionalMarkFields", "SupervisionItemFields"]


class ProvisionalMarkFields(TypedDict):
    """The fields of ``ProvisionalMark`` a caller gives."""

    calendar: str
    years: Sequence[int]
    reason: str


class SupervisionItemFields(TypedDict):
    """The fields of ``SupervisionItem`` a caller gives."""

    classification: NotRequired[
        Classification | Literal["unclassified", "confidential", "secret", "top_secret"]
    ]
    deadline: NotRequired[date | None]
    source: (
        SupervisionSource
        | Literal[
            "leader_instruction",
            "meeting_decision",
            "document_instruction",
            "upper_directive",
            "deputies_proposal",
        ]
    )
    source_ref: NotRequired[str | None]
    instructed_by: NotRequired[str | None]
    requirement: str
    reply_required: NotRequired[str | None]
    received_at: datetime
    urgency: NotRequired[ItemUrgency | Literal["urgent", "normal", "complex"]]
    deadline_calendar: NotRequired[str | None]
    deadline_rule: NotRequired[str | None]
    deadline_provisional: NotRequired[ProvisionalMark | ProvisionalMarkFields | None]
    lead_unit: NotRequired[Unit | UnitFields | None]
    co_units: NotRequired[Sequence[Unit | UnitFields]]
    report_cycle: NotRequired[
        ReportCycle | Literal["none", "weekly", "biweekly", "monthly", "quarterly"]
    ]
