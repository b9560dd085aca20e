"""The directory area's kinds as the registry runs them."""

from __future__ import annotations

from secretarial.kernel import Area, EntityKind

from ._model import DELEGATION_TABLE, PERSON_TABLE, Delegation, Person

__all__ = ["DELEGATION_AREA", "PERSON_AREA"]

PERSON_AREA = Area(
    kind=EntityKind.PERSON,
    entity_type=Person,
    table=PERSON_TABLE,
    id_prefix="psn",
)
"""People (人员) in the office's directory."""

DELEGATION_AREA = Area(
    kind=EntityKind.DELEGATION,
    entity_type=Delegation,
    table=DELEGATION_TABLE,
    id_prefix="dlg",
)
"""Delegations (委托) of roles from a principal to a delegate."""
