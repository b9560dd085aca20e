"""Enumerations of the records area.

Every member has an English identifier and a Chinese label.
"""

from __future__ import annotations

from secretarial.kernel._enums import LabeledEnum

__all__ = [
    "Disposition",
    "RecordState",
]


class Disposition(LabeledEnum):
    """What an appraisal 鉴定 decides for a record whose retention has ended (docs/rules.md A8)."""

    RETAIN = "retain", "续存"
    DESTROY = "destroy", "销毁"


class RecordState(LabeledEnum):
    """States of a record 档案: kept, appraised when its retention ends, kept or destroyed."""

    FILED = "filed", "归档"
    UNDER_REVIEW = "under_review", "鉴定"
    RETAINED = "retained", "续存"
    APPROVED_FOR_DESTRUCTION = "approved_for_destruction", "批准销毁"
    DESTROYED = "destroyed", "销毁"
