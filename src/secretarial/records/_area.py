"""The records area's kind as the registry runs it."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from secretarial.kernel import Area, EntityKind, Register, RegisterRequest, RegisterSpec

from ._model import RECORD_TABLE, Record
from ._service import filing_catalogue

__all__ = ["RECORD_AREA"]


def _catalogue(records: Sequence[Any], request: RegisterRequest) -> Register:
    return filing_catalogue(records, year=request.year)


RECORD_AREA = Area(
    kind=EntityKind.RECORD,
    entity_type=Record,
    table=RECORD_TABLE,
    id_prefix="rec",
    registers=(RegisterSpec("catalogue", "归档文件目录", _catalogue),),
)
"""Records (档案) and the filing catalogue."""
