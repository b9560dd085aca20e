"""Enumerations of the supervision area.

Every member has an English identifier and a Chinese label.
"""

from __future__ import annotations

from secretarial.kernel._enums import LabeledEnum

__all__ = [
    "ReportCycle",
    "SupervisionSource",
    "SupervisionState",
]


class SupervisionSource(LabeledEnum):
    """Where a supervision item comes from."""

    LEADER_INSTRUCTION = "leader_instruction", "领导批示"
    MEETING_DECISION = "meeting_decision", "会议决定"
    DOCUMENT_INSTRUCTION = "document_instruction", "文件批办"
    UPPER_DIRECTIVE = "upper_directive", "上级交办"
    DEPUTIES_PROPOSAL = "deputies_proposal", "建议提案"


class ReportCycle(LabeledEnum):
    """How often an undertaker reports progress on a supervision item."""

    NONE = "none", "不定期"
    WEEKLY = "weekly", "每周"
    BIWEEKLY = "biweekly", "每两周"
    MONTHLY = "monthly", "每月"
    QUARTERLY = "quarterly", "每季度"


class SupervisionState(LabeledEnum):
    """States of a supervision item (督查督办)."""

    REGISTERED = "registered", "立项"
    ASSIGNED = "assigned", "交办"
    IN_PROGRESS = "in_progress", "承办"
    EXTENSION_REQUESTED = "extension_requested", "申请延期"
    REPORTED = "reported", "反馈"
    VERIFIED = "verified", "办结"
    CANCELLED = "cancelled", "撤销"
