"""Numbering policies: which sequence a number comes from and how it is written."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Final, Protocol, runtime_checkable

from secretarial.errors import RuleViolation
from secretarial.kernel._entity import Entity
from secretarial.kernel._values import DocumentNumber

__all__ = ["ARCHIVAL_SERIES", "DefaultNumbering", "NumberingPolicy"]

_MAX_ITEM: Final = 9999
"""The last item number of an archival class: item numbers have four digits (A2)."""

ARCHIVAL_SERIES: Final = "archival"
"""The series of archival codes 档号: one counter per lowest class (A2, A3)."""


@runtime_checkable
class NumberingPolicy(Protocol):
    """Decides the sequence key and the written form of allocated numbers.

    ``series`` is the allocation series named by the workflow table (``"outgoing"`` for
    document numbers 发文字号, ``"incoming"`` for registration numbers 收文登记号,
    ``"archival"`` for archival codes 档号).
    """

    def sequence_key(self, series: str, entity: Entity, now: datetime) -> str:
        """The counter a number of ``series`` for ``entity`` is drawn from."""
        ...

    def format(self, series: str, entity: Entity, now: datetime, sequence: int) -> Any:
        """The value written to the entity for the ``sequence``-th number of its counter."""
        ...


class DefaultNumbering:
    """Document numbers per (issuer code, year) as D6 writes them; registration numbers per year.

    Archival codes 档号 are counted per lowest class (A3): the key is the class the
    archive staged on the document being filed (``archival_class``,
    ``0194-WS·2025-D30-BGS``, or ``0194-WS·2025-D30`` in an archive that does not
    classify by unit) and the code is the class with a four-digit item number
    (``0194-WS·2025-D30-BGS-0001``, ``0194-WS·2025-D30-0001``, A2).

    >>> from datetime import datetime, timezone
    >>> DefaultNumbering().format("incoming", None, datetime(2025, 3, 1, tzinfo=timezone.utc), 7)
    '2025-0007'
    """

    def sequence_key(self, series: str, entity: Entity, now: datetime) -> str:
        """``"<issuer code>/<year>"`` for outgoing numbers, ``"<year>"`` for registration.

        For archival codes, the archival class (``0194-WS·2025-D30-BGS``).

        Raises:
            RuleViolation: An archival code is asked for a document the archive has not
                staged for filing (rule ``A2``): documents are filed through the archive.
        """
        if series == ARCHIVAL_SERIES:
            return _archival_class(entity)
        issuer = _issuer_code(series, entity)
        if issuer is not None:
            return f"{issuer}/{now.year}"
        return str(now.year)

    def format(self, series: str, entity: Entity | None, now: datetime, sequence: int) -> Any:
        """A :class:`DocumentNumber` for outgoing numbers, ``YYYY-NNNN`` for registration.

        For archival codes, the class followed by the item number in four digits.

        Raises:
            RuleViolation: The class has no four-digit item number left, or the document
                was not staged for filing (rule ``A2``).
        """
        if series == ARCHIVAL_SERIES:
            archival_class = _archival_class(entity)
            if sequence > _MAX_ITEM:
                raise RuleViolation(
                    "A2",
                    "four-digit-item-number",
                    f"the class {archival_class} has used every item number 0001-{_MAX_ITEM}",
                    entity_id=getattr(entity, "id", None),
                )
            return f"{archival_class}-{sequence:04d}"
        issuer = _issuer_code(series, entity)
        if issuer is not None:
            return DocumentNumber(organ_code=issuer, year=now.year, sequence=sequence)
        return f"{now.year}-{sequence:04d}"


def _issuer_code(series: str, entity: Entity | None) -> str | None:
    """The issuing organ's code of a document drawing an outgoing number, if it has one."""
    if series != "outgoing":
        return None
    code = getattr(entity, "issuer_code", None)
    return code if isinstance(code, str) else None


def _archival_class(entity: Entity | None) -> str:
    """The archival class staged on a document being filed."""
    archival_class = getattr(entity, "archival_class", None)
    if archival_class is None:
        raise RuleViolation(
            "A2",
            "filed-through-the-archive",
            "an archival code is drawn in the class of the item being filed; file documents "
            "through the archive (office.records.file), which assigns retention, class and code",
            entity_id=getattr(entity, "id", None),
        )
    return str(archival_class)
