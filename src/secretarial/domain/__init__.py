"""The pure domain: models, enums, rules and workflows. No I/O, no clock, no plugins.

Everything here is passed what it needs (``now=``, ids, actors) and returns new values.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from ._access import AccessDenial, AccessPolicy, ClearancePolicy
from ._audit import (
    Anchor,
    AuditEvent,
    AuditProblem,
    AuditReport,
    creation_digest,
    event_digest,
)
from ._calendar import CalendarOverride, TableCalendar, WorkCalendar
from ._deadlines import (
    ComputedDeadline,
    DeadlinePolicy,
    DeadlineRule,
    DeadlineUnit,
    ItemUrgency,
    SourceDeadlines,
    resolve_deadline,
)
from ._display import AuditTrail, EntityList, html_table
from ._documents import (
    CopyApproval,
    CopyNumber,
    CopyRecord,
    DispatchRecord,
    Document,
    IncomingDocument,
    Instruction,
    OutgoingDocument,
    Proposal,
    Reading,
    Signature,
    compilation_classification,
    format_date_of_issue,
)
from ._entity import Entity
from ._enums import (
    Channel,
    Classification,
    Disposition,
    DocumentKind,
    EntityKind,
    HandlingType,
    IncomingState,
    LabeledEnum,
    OrganRelation,
    OutgoingState,
    RecordState,
    ReminderKind,
    ReportCycle,
    Retention,
    Role,
    SupervisionSource,
    SupervisionState,
    Urgency,
)
from ._meetings import (
    FOLLOW_UP_DEADLINE_KEY,
    MEETING_RULES,
    MEETING_TABLE,
    AgendaItem,
    AttendanceRecord,
    AttendanceStatus,
    Attendee,
    AttendeeResponse,
    AttendeeRole,
    Conflict,
    ConflictKind,
    Decision,
    Meeting,
    MeetingKind,
    MeetingState,
    Minutes,
    Notice,
    Person,
    Postponement,
    check_no_conflicts,
    find_conflicts,
    follow_up_items,
    item_fields,
    occurrences_of,
)
from ._query import Page, Query
from ._records import (
    DEFAULT_SCHEDULE,
    RECORD_TABLE,
    Appraisal,
    ArchivalClass,
    ArchivalCode,
    ArchiveSettings,
    Destruction,
    Hold,
    Record,
    RetentionExtension,
    RetentionSchedule,
    Tombstone,
    retention_end,
)
from ._recurrence import Frequency, MovedOccurrence, Occurrence, Recurrence
from ._reminders import DueReminder, ReminderPolicy, due_reminders
from ._rules import Rule, TransitionContext
from ._supervision import ExtensionRequest, ProgressReport, SupervisionItem
from ._tables import INCOMING_TABLE, OUTGOING_TABLE, SUPERVISION_TABLE
from ._values import Actor, Attachment, DocumentNumber, Organ, Unit
from ._workflow import (
    Allocation,
    CreationSpec,
    Diagram,
    TransitionSpec,
    Workflow,
    WorkflowTable,
    problems_from_pydantic,
)

__all__ = [
    "DEFAULT_SCHEDULE",
    "ENTITY_TYPES",
    "FOLLOW_UP_DEADLINE_KEY",
    "INCOMING_TABLE",
    "MEETING_RULES",
    "MEETING_TABLE",
    "OUTGOING_TABLE",
    "RECORD_TABLE",
    "RULES",
    "SUPERVISION_TABLE",
    "AccessDenial",
    "AccessPolicy",
    "Actor",
    "AgendaItem",
    "Allocation",
    "Anchor",
    "Appraisal",
    "ArchivalClass",
    "ArchivalCode",
    "ArchiveSettings",
    "Attachment",
    "AttendanceRecord",
    "AttendanceStatus",
    "Attendee",
    "AttendeeResponse",
    "AttendeeRole",
    "AuditEvent",
    "AuditProblem",
    "AuditReport",
    "AuditTrail",
    "CalendarOverride",
    "Channel",
    "Classification",
    "ClearancePolicy",
    "ComputedDeadline",
    "Conflict",
    "ConflictKind",
    "CopyApproval",
    "CopyNumber",
    "CopyRecord",
    "CreationSpec",
    "DeadlinePolicy",
    "DeadlineRule",
    "DeadlineUnit",
    "Decision",
    "Destruction",
    "Diagram",
    "DispatchRecord",
    "Disposition",
    "Document",
    "DocumentKind",
    "DocumentNumber",
    "DueReminder",
    "Entity",
    "EntityKind",
    "EntityList",
    "ExtensionRequest",
    "Frequency",
    "HandlingType",
    "Hold",
    "IncomingDocument",
    "IncomingState",
    "Instruction",
    "ItemUrgency",
    "LabeledEnum",
    "Meeting",
    "MeetingKind",
    "MeetingState",
    "Minutes",
    "MovedOccurrence",
    "Notice",
    "Occurrence",
    "Organ",
    "OrganRelation",
    "OutgoingDocument",
    "OutgoingState",
    "Page",
    "Person",
    "Postponement",
    "ProgressReport",
    "Proposal",
    "Query",
    "Reading",
    "Record",
    "RecordState",
    "Recurrence",
    "ReminderKind",
    "ReminderPolicy",
    "ReportCycle",
    "Retention",
    "RetentionExtension",
    "RetentionSchedule",
    "Role",
    "Rule",
    "Signature",
    "SourceDeadlines",
    "SupervisionItem",
    "SupervisionSource",
    "SupervisionState",
    "TableCalendar",
    "Tombstone",
    "TransitionContext",
    "TransitionSpec",
    "Unit",
    "Urgency",
    "WorkCalendar",
    "Workflow",
    "WorkflowTable",
    "check_no_conflicts",
    "compilation_classification",
    "creation_digest",
    "default_tables",
    "due_reminders",
    "event_digest",
    "find_conflicts",
    "follow_up_items",
    "format_date_of_issue",
    "html_table",
    "item_fields",
    "occurrences_of",
    "problems_from_pydantic",
    "resolve_deadline",
    "retention_end",
    "workflow_for",
]

ENTITY_TYPES: dict[EntityKind, type[Entity]] = {
    EntityKind.INCOMING_DOCUMENT: IncomingDocument,
    EntityKind.OUTGOING_DOCUMENT: OutgoingDocument,
    EntityKind.SUPERVISION_ITEM: SupervisionItem,
    EntityKind.MEETING: Meeting,
    EntityKind.RECORD: Record,
}
"""The entity class of each kind."""


_TABLES: dict[EntityKind, WorkflowTable[Any]] = {
    EntityKind.INCOMING_DOCUMENT: INCOMING_TABLE,
    EntityKind.OUTGOING_DOCUMENT: OUTGOING_TABLE,
    EntityKind.SUPERVISION_ITEM: SUPERVISION_TABLE,
    EntityKind.MEETING: MEETING_TABLE,
    EntityKind.RECORD: RECORD_TABLE,
}

RULES: tuple[Rule, ...] = tuple(
    dict.fromkeys(
        rule
        for table in _TABLES.values()
        for rules in (table.creation.rules, *(spec.rules for spec in table.transitions))
        for rule in rules
    )
)
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
