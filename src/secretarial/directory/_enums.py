"""Enumerations of the directory area.

Every member has an English identifier and a Chinese label.
"""

from __future__ import annotations

from secretarial.kernel._enums import LabeledEnum

__all__ = [
    "DelegationState",
    "PersonState",
]


class PersonState(LabeledEnum):
    """States of a person 人员 in the directory: in post, or gone (terminal)."""

    ACTIVE = "active", "在职"
    LEFT = "left", "离开"


class DelegationState(LabeledEnum):
    """States of a delegation 委托: granted, or revoked (terminal).

    Expiry is not a state: a granted delegation whose window has passed is judged
    expired at the moment it is asked about (:meth:`Delegation.in_force`), like overdue.
    """

    GRANTED = "granted", "有效"
    REVOKED = "revoked", "已撤销"
