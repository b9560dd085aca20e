"""The built-in areas, and the registry an office starts from."""

from __future__ import annotations

from typing import Any, Final

from secretarial.calendars import CALENDAR_YEAR_AREA
from secretarial.directory import DELEGATION_AREA, PERSON_AREA
from secretarial.documents import INCOMING_AREA, OUTGOING_AREA
from secretarial.duty import CALL_RECORD_AREA, DUTY_SHIFT_AREA, RECEPTION_AREA
from secretarial.information import INFORMATION_AREA
from secretarial.kernel import Area, Registry, Workflow
from secretarial.meetings import MEETING_AREA
from secretarial.records import RECORD_AREA
from secretarial.supervision import SUPERVISION_AREA

__all__ = ["BUILTIN_AREAS", "builtin_registry", "workflow_for"]

BUILTIN_AREAS: Final[tuple[Area, ...]] = (
    INCOMING_AREA,
    OUTGOING_AREA,
    SUPERVISION_AREA,
    MEETING_AREA,
    INFORMATION_AREA,
    RECORD_AREA,
    DUTY_SHIFT_AREA,
    CALL_RECORD_AREA,
    RECEPTION_AREA,
    CALENDAR_YEAR_AREA,
    PERSON_AREA,
    DELEGATION_AREA,
)
"""The areas the library brings, in the order registers and listings show them."""

_BUILTIN: Final = Registry(BUILTIN_AREAS)


def builtin_registry() -> Registry:
    """The registry of the built-in areas (an office adds its hosts' and plugins' areas)."""
    return _BUILTIN


def workflow_for(kind: str) -> Workflow[Any]:
    """The built-in workflow for ``kind``, built on first use and kept for the process.

    Raises:
        UsageError: ``kind`` is not a built-in kind.
    """
    return _BUILTIN.workflow(kind)
