"""The meetings area's kind as the registry runs it."""

from __future__ import annotations

from secretarial.kernel import Area, EntityKind

from ._model import MEETING_TABLE, Meeting

__all__ = ["MEETING_AREA"]

MEETING_AREA = Area(
    kind=EntityKind.MEETING,
    entity_type=Meeting,
    table=MEETING_TABLE,
    id_prefix="mtg",
    strategy="secretarial.testing.strategies:meeting_fields",
)
"""Meetings (会议)."""
