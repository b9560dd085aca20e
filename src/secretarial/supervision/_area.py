"""The supervision area's kind as the registry runs it."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from secretarial.kernel import Area, EntityKind, Register, RegisterRequest, RegisterSpec

from ._ledger import supervision_ledger
from ._model import SupervisionItem
from ._table import SUPERVISION_TABLE

__all__ = ["SUPERVISION_AREA"]


def _ledger(items: Sequence[Any], request: RegisterRequest) -> Register:
    return supervision_ledger(items, as_of=request.as_of, timezone=request.timezone)


SUPERVISION_AREA = Area(
    kind=EntityKind.SUPERVISION_ITEM,
    entity_type=SupervisionItem,
    table=SUPERVISION_TABLE,
    id_prefix="sup",
    aliases=("item", "supervision"),
    registers=(RegisterSpec("ledger", "督办台账", _ledger, yearly=False),),
    strategy="secretarial.testing.strategies:supervision_fields",
)
"""Supervision items (督办事项) and the supervision ledger."""
