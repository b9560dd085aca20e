"""Enumerations of the domain; every member has an English identifier and a Chinese label."""

from __future__ import annotations

import enum
from typing import Self

__all__ = [
    "Classification",
    "EntityKind",
    "LabeledEnum",
    "OrganRelation",
    "ReminderKind",
    "Retention",
    "Role",
    "Urgency",
]


class LabeledEnum(enum.StrEnum):
    """A string enum whose value is the English identifier and ``label`` the Chinese term.

    Members are written as ``NAME = "identifier", "中文"``. The value (and ``str()``) is
    the identifier, which is what is stored and sent over the wire; ``label`` is what a
    Chinese office shows.
    """

    label: str

    def __new__(cls, value: str, label: str = "") -> Self:
        member = str.__new__(cls, value)
        member._value_ = value
        member.label = label or value
        return member

    @classmethod
    def _missing_(cls, value: object) -> Self | None:
        """Accept the Chinese label where the identifier is expected (``"秘密"``)."""
        if isinstance(value, str):
            for member in cls:
                if member.label == value:
                    return member
        return None

    @classmethod
    def from_label(cls, label: str) -> Self:
        """Return the member whose Chinese label is ``label``.

        Raises:
            ValueError: No member has that label; the message lists the labels accepted.
        """
        for member in cls:
            if member.label == label:
                return member
        accepted = "、".join(m.label for m in cls)
        raise ValueError(f"{label!r} is not a {cls.__name__} label; accepted: {accepted}")


class EntityKind(LabeledEnum):
    """The kinds of entity an office keeps."""

    INCOMING_DOCUMENT = "incoming_document", "收文"
    OUTGOING_DOCUMENT = "outgoing_document", "发文"
    SUPERVISION_ITEM = "supervision_item", "督办事项"
    MEETING = "meeting", "会议"
    INFORMATION_ITEM = "information_item", "信息"
    RECORD = "record", "档案"
    """A filed item (件): one or more documents under one archival code (docs/rules.md A2, A4)."""
    DUTY_SHIFT = "duty_shift", "值班"
    CALL_RECORD = "call_record", "电话记录"
    RECEPTION = "reception", "接待"
    CALENDAR_YEAR = "calendar_year", "节假日安排"
    """A year of the office's working-day calendar, loaded from a State Council notice."""
    PERSON = "person", "人员"
    """Someone in the office's directory: their unit, roles, clearance, whom they act for."""
    DELEGATION = "delegation", "委托"
    """Roles a principal lends a delegate for a window and a scope (docs/rules.md G1-G8)."""


class Classification(LabeledEnum):
    """Security classification, ordered by level (docs/rules.md D4).

    The identifiers are the official English rendering of the Secrets Law's three levels:
    ``confidential`` 秘密, ``secret`` 机密, ``top_secret`` 绝密. Comparisons follow the
    level, not the spelling: ``Classification.CONFIDENTIAL < Classification.SECRET <
    Classification.TOP_SECRET``. The Chinese label is accepted wherever the identifier
    is: ``Classification("机密") is Classification.SECRET``.
    """

    UNCLASSIFIED = "unclassified", "非密"
    CONFIDENTIAL = "confidential", "秘密"
    SECRET = "secret", "机密"
    TOP_SECRET = "top_secret", "绝密"

    @property
    def level(self) -> int:
        """0 for unclassified up to 3 for top secret."""
        return _CLASSIFICATION_LEVELS[self]

    @property
    def max_secrecy_years(self) -> int | None:
        """Longest secrecy period allowed unless otherwise provided (D4); None if unclassified."""
        return _MAX_SECRECY_YEARS.get(self)

    def __lt__(self, other: object) -> bool:
        return _CLASSIFICATION_LEVELS[self] < _level_of(other)

    def __le__(self, other: object) -> bool:
        return _CLASSIFICATION_LEVELS[self] <= _level_of(other)

    def __gt__(self, other: object) -> bool:
        return _CLASSIFICATION_LEVELS[self] > _level_of(other)

    def __ge__(self, other: object) -> bool:
        return _CLASSIFICATION_LEVELS[self] >= _level_of(other)

    __hash__ = enum.StrEnum.__hash__


_CLASSIFICATION_LEVELS: dict[str, int] = {c: i for i, c in enumerate(Classification)}


def _level_of(other: object) -> int:
    """The level of a Classification or of its identifier; a TypeError for anything else."""
    if isinstance(other, str):
        # A member, or its identifier: a StrEnum member hashes and compares as its value.
        level = _CLASSIFICATION_LEVELS.get(other)
        if level is not None:
            return level
    raise TypeError(f"cannot compare a Classification with {other!r}")


_MAX_SECRECY_YEARS = {
    Classification.CONFIDENTIAL: 10,
    Classification.SECRET: 20,
    Classification.TOP_SECRET: 30,
}


class Urgency(LabeledEnum):
    """Urgency of a document (D5); ``FLASH`` and ``ROUTINE`` are for telegrams only."""

    EXTRA_URGENT = "extra_urgent", "特急"
    URGENT = "urgent", "加急"
    FLASH = "flash", "特提"
    ROUTINE = "routine", "平急"

    @property
    def telegram_only(self) -> bool:
        """Whether only telegrams may carry this urgency."""
        return self in (Urgency.FLASH, Urgency.ROUTINE)


class OrganRelation(LabeledEnum):
    """Where another organ stands relative to this office."""

    SUPERIOR = "superior", "上级机关"
    HIGHER_SUPERIOR = "higher_superior", "越级上级机关"
    """An organ above this office's direct superior: a document to it skips a level (D12)."""
    PEER = "peer", "平级机关"
    SUBORDINATE = "subordinate", "下级机关"
    UNRELATED = "unrelated", "不相隶属机关"


class Role(LabeledEnum):
    """The built-in roles; hosts may use other role names too."""

    CLERK = "clerk", "文书"
    OFFICE_DIRECTOR = "office_director", "办公室主任"
    LEADER = "leader", "领导"
    PRINCIPAL_LEADER = "principal_leader", "主要领导"
    UNDERTAKER = "undertaker", "承办人"
    ARCHIVIST = "archivist", "档案员"
    SUPERVISOR = "supervisor", "督查员"
    DRAFTER = "drafter", "拟稿人"
    DUTY_OFFICER = "duty_officer", "值班员"
    SYSTEM = "system", "系统"
    """The office itself, acting on a schedule (reminders, escalations)."""


class ReminderKind(LabeledEnum):
    """What a recorded reminder is."""

    REMINDER = "reminder", "催办"
    ESCALATION = "escalation", "督办升级"
    REPORT_DUE = "report_due", "进展催报"


class Retention(LabeledEnum):
    """Retention period of a filed record (docs/rules.md A1)."""

    PERMANENT = "Y", "永久"
    YEARS_30 = "D30", "定期30年"
    YEARS_10 = "D10", "定期10年"
