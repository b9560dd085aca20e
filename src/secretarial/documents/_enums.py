"""Enumerations of the documents area.

Every member has an English identifier and a Chinese label.
"""

from __future__ import annotations

from secretarial.kernel._enums import LabeledEnum

__all__ = [
    "Channel",
    "DocumentKind",
    "HandlingType",
    "IncomingState",
    "OutgoingState",
    "RevocationKind",
]


class DocumentKind(LabeledEnum):
    """The fifteen kinds of official document (docs/rules.md D1)."""

    RESOLUTION = "resolution", "决议"
    DECISION = "decision", "决定"
    ORDER = "order", "命令"
    COMMUNIQUE = "communique", "公报"
    ANNOUNCEMENT = "announcement", "公告"
    PUBLIC_NOTICE = "public_notice", "通告"
    OPINION = "opinion", "意见"
    NOTICE = "notice", "通知"
    CIRCULAR = "circular", "通报"
    REPORT = "report", "报告"
    REQUEST = "request", "请示"
    REPLY = "reply", "批复"
    MOTION = "motion", "议案"
    LETTER = "letter", "函"
    MINUTES = "minutes", "纪要"


class Channel(LabeledEnum):
    """How an incoming document arrived."""

    PAPER = "paper", "纸质"
    ELECTRONIC = "electronic", "电子"
    FAX = "fax", "传真"
    CONFIDENTIAL_COURIER = "confidential_courier", "机要交通"
    PHONE = "phone", "电话"
    """A notice given by telephone and recorded as a call (电话通知)."""


class HandlingType(LabeledEnum):
    """Whether an incoming document is to be handled or only read."""

    FOR_HANDLING = "for_handling", "办件"
    FOR_READING = "for_reading", "阅件"


class IncomingState(LabeledEnum):
    """States of an incoming document (收文办理)."""

    RECEIVED = "received", "签收"
    REGISTERED = "registered", "登记"
    SCREENED = "screened", "初审"
    RETURNED = "returned", "退回"
    PROPOSED = "proposed", "拟办"
    APPROVED = "approved", "批办"
    IN_HANDLING = "in_handling", "承办"
    CIRCULATING = "circulating", "传阅"
    COMPLETED = "completed", "办结"
    FILED = "filed", "归档"


class OutgoingState(LabeledEnum):
    """States of an outgoing document (发文办理)."""

    DRAFTED = "drafted", "起草"
    SUBMITTED = "submitted", "送审"
    REVIEWED = "reviewed", "审核"
    SIGNED = "signed", "签发"
    RECHECKED = "rechecked", "复核"
    REGISTERED = "registered", "登记"
    PRINTED = "printed", "印制"
    DISPATCHED = "dispatched", "核发"
    FILED = "filed", "归档"


class RevocationKind(LabeledEnum):
    """How a document ceases to have effect (D18)."""

    REVOKED = "revoked", "撤销"
    """Void from the start (视为自始无效)."""
    ABOLISHED = "abolished", "废止"
    """No effect from the abolition date on (视为自废止之日起失效)."""
