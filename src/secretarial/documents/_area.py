"""The documents area's kinds as the registry runs them: incoming and outgoing."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from secretarial.kernel import Area, EntityKind, Register, RegisterRequest, RegisterSpec

from ._model import IncomingDocument, OutgoingDocument
from ._registers import incoming_register, outgoing_register
from ._tables import INCOMING_TABLE, OUTGOING_TABLE

__all__ = ["INCOMING_AREA", "OUTGOING_AREA"]


def _incoming(documents: Sequence[Any], request: RegisterRequest) -> Register:
    return incoming_register(documents, timezone=request.timezone, year=request.year)


def _outgoing(documents: Sequence[Any], request: RegisterRequest) -> Register:
    return outgoing_register(documents, timezone=request.timezone, year=request.year)


INCOMING_AREA = Area(
    kind=EntityKind.INCOMING_DOCUMENT,
    entity_type=IncomingDocument,
    table=INCOMING_TABLE,
    id_prefix="in",
    aliases=("incoming",),
    registers=(RegisterSpec("incoming", "收文登记簿", _incoming),),
    strategy="secretarial.testing.strategies:incoming_fields",
)
"""Incoming documents (收文) and the incoming register."""

OUTGOING_AREA = Area(
    kind=EntityKind.OUTGOING_DOCUMENT,
    entity_type=OutgoingDocument,
    table=OUTGOING_TABLE,
    id_prefix="out",
    aliases=("outgoing",),
    registers=(RegisterSpec("outgoing", "发文登记簿", _outgoing),),
    strategy="secretarial.testing.strategies:outgoing_fields",
)
"""Outgoing documents (发文) and the outgoing register."""
