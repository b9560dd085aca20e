"""Numbering policies: which sequence a number comes from and how it is written."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Protocol, runtime_checkable

from secretarial.domain import DocumentNumber, Entity, OutgoingDocument

__all__ = ["DefaultNumbering", "NumberingPolicy"]


@runtime_checkable
class NumberingPolicy(Protocol):
    """Decides the sequence key and the written form of allocated numbers.

    ``series`` is the allocation series named by the workflow table (``"outgoing"`` for
    document numbers 发文字号, ``"incoming"`` for registration numbers 收文登记号).
    """

    def sequence_key(self, series: str, entity: Entity, now: datetime) -> str:
        """The counter a number of ``series`` for ``entity`` is drawn from."""
        ...

    def format(self, series: str, entity: Entity, now: datetime, sequence: int) -> Any:
        """The value written to the entity for the ``sequence``-th number of its counter."""
        ...


class DefaultNumbering:
    """Document numbers per (issuer code, year) as D6 writes them; registration numbers per year.

    >>> from datetime import datetime, timezone
    >>> DefaultNumbering().format("incoming", None, datetime(2025, 3, 1, tzinfo=timezone.utc), 7)
    '2025-0007'
    """

    def sequence_key(self, series: str, entity: Entity, now: datetime) -> str:
        """``"<issuer code>/<year>"`` for outgoing numbers, ``"<year>"`` for registration."""
        if series == "outgoing" and isinstance(entity, OutgoingDocument):
            return f"{entity.issuer_code}/{now.year}"
        return str(now.year)

    def format(self, series: str, entity: Entity | None, now: datetime, sequence: int) -> Any:
        """A :class:`DocumentNumber` for outgoing numbers, ``YYYY-NNNN`` for registration."""
        if series == "outgoing" and isinstance(entity, OutgoingDocument):
            return DocumentNumber(organ_code=entity.issuer_code, year=now.year, sequence=sequence)
        return f"{now.year}-{sequence:04d}"
