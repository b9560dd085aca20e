"""The built-in areas' kinds: the entity class and the state table of each, and their rules."""

from __future__ import annotations

from functools import cache
from typing import Any

from secretarial.calendars import CALENDAR_YEAR_TABLE, CalendarYear
from secretarial.documents import INCOMING_TABLE, OUTGOING_TABLE, IncomingDocument, OutgoingDocument
from secretarial.duty import (
    CALL_RECORD_TABLE,
    DUTY_SHIFT_TABLE,
    RECEPTION_TABLE,
    CallRecord,
    DutyShift,
    ReceptionPlan,
)
from secretarial.information import INFORMATION_TABLE, InformationItem
from secretarial.kernel import Entity, EntityKind, Rule, Workflow, WorkflowTable, rules_of
from secretarial.meetings import MEETING_TABLE, Meeting
from secretarial.records import RECORD_TABLE, Record
from secretarial.supervision import SUPERVISION_TABLE, SupervisionItem

__all__ = ["ENTITY_TYPES", "RULES", "default_tables", "workflow_for"]

ENTITY_TYPES: dict[EntityKind, type[Entity]] = {
    EntityKind.INCOMING_DOCUMENT: IncomingDocument,
    EntityKind.OUTGOING_DOCUMENT: OutgoingDocument,
    EntityKind.SUPERVISION_ITEM: SupervisionItem,
    EntityKind.MEETING: Meeting,
    EntityKind.INFORMATION_ITEM: InformationItem,
    EntityKind.RECORD: Record,
    EntityKind.DUTY_SHIFT: DutyShift,
    EntityKind.CALL_RECORD: CallRecord,
    EntityKind.RECEPTION: ReceptionPlan,
    EntityKind.CALENDAR_YEAR: CalendarYear,
}
"""The entity class of each kind."""


_TABLES: dict[EntityKind, WorkflowTable[Any]] = {
    EntityKind.INCOMING_DOCUMENT: INCOMING_TABLE,
    EntityKind.OUTGOING_DOCUMENT: OUTGOING_TABLE,
    EntityKind.SUPERVISION_ITEM: SUPERVISION_TABLE,
    EntityKind.MEETING: MEETING_TABLE,
    EntityKind.INFORMATION_ITEM: INFORMATION_TABLE,
    EntityKind.RECORD: RECORD_TABLE,
    EntityKind.DUTY_SHIFT: DUTY_SHIFT_TABLE,
    EntityKind.CALL_RECORD: CALL_RECORD_TABLE,
    EntityKind.RECEPTION: RECEPTION_TABLE,
    EntityKind.CALENDAR_YEAR: CALENDAR_YEAR_TABLE,
}

RULES: tuple[Rule, ...] = rules_of(*_TABLES.values())
"""Every named rule the built-in tables enforce, in table order."""


def default_tables() -> dict[EntityKind, WorkflowTable[Any]]:
    """The built-in state tables, by entity kind (a fresh dict; the tables are immutable)."""
    return dict(_TABLES)


def workflow_for(kind: EntityKind | str) -> Workflow[Any]:
    """The built-in workflow for ``kind``, built on first use and cached for the process."""
    return _built(EntityKind(kind))


@cache
def _built(kind: EntityKind) -> Workflow[Any]:
    return Workflow(_TABLES[kind])
