"""The information area's kind as the registry runs it."""

from __future__ import annotations

from secretarial.kernel import Area, EntityKind

from ._model import INFORMATION_TABLE, InformationItem

__all__ = ["INFORMATION_AREA"]

INFORMATION_AREA = Area(
    kind=EntityKind.INFORMATION_ITEM,
    entity_type=InformationItem,
    table=INFORMATION_TABLE,
    id_prefix="info",
    aliases=("information",),
)
"""Information items (信息)."""
