"""secretarial: the rules, workflows and records of an office secretariat.

Official documents coming in and going out, leaders' instructions and their
supervision, with every step checked against the regulations and audited. Start with
:class:`Office`::

    from secretarial import Office, Actor, Role
    office = Office.in_memory()

Everything public is importable from this package; submodules whose names start with an
underscore are private.
"""

from secretarial._registry import builtin_registry as builtin_registry
from secretarial._registry import workflow_for as workflow_for
from secretarial.adapters import china_calendar as china_calendar
from secretarial.adapters._graphviz import draw_svg as _draw_svg
from secretarial.directory._desk import DirectoryDesk as DirectoryDesk
from secretarial.directory._enums import DelegationState as DelegationState
from secretarial.directory._enums import PersonState as PersonState
from secretarial.directory._model import Delegation as Delegation
from secretarial.directory._model import DelegationScope as DelegationScope
from secretarial.directory._model import Person as Person
from secretarial.directory._service import StoredDirectory as StoredDirectory
from secretarial.documents._enums import Channel as Channel
from secretarial.documents._enums import DocumentKind as DocumentKind
from secretarial.documents._enums import HandlingType as HandlingType
from secretarial.documents._enums import IncomingState as IncomingState
from secretarial.documents._enums import OutgoingState as OutgoingState
from secretarial.documents._enums import RevocationKind as RevocationKind
from secretarial.documents._model import CopyApproval as CopyApproval
from secretarial.documents._model import CopyRecord as CopyRecord
from secretarial.documents._model import DispatchRecord as DispatchRecord
from secretarial.documents._model import Document as Document
from secretarial.documents._model import Holding as Holding
from secretarial.documents._model import IncomingDocument as IncomingDocument
from secretarial.documents._model import Instruction as Instruction
from secretarial.documents._model import OutgoingDocument as OutgoingDocument
from secretarial.documents._model import Proposal as Proposal
from secretarial.documents._model import Reading as Reading
from secretarial.documents._model import Revocation as Revocation
from secretarial.documents._model import Signature as Signature
from secretarial.documents._model import compilation_classification as compilation_classification
from secretarial.documents._registers import incoming_register as incoming_register
from secretarial.documents._registers import outgoing_register as outgoing_register
from secretarial.duty._model import Caller as Caller
from secretarial.duty._model import CallerKind as CallerKind
from secretarial.duty._model import CallRecord as CallRecord
from secretarial.duty._model import CallState as CallState
from secretarial.duty._model import CoverageGap as CoverageGap
from secretarial.duty._model import DoubleDuty as DoubleDuty
from secretarial.duty._model import DutyPerson as DutyPerson
from secretarial.duty._model import DutyPosition as DutyPosition
from secretarial.duty._model import DutyRoster as DutyRoster
from secretarial.duty._model import DutyShift as DutyShift
from secretarial.duty._model import DutyTeam as DutyTeam
from secretarial.duty._model import GuestParty as GuestParty
from secretarial.duty._model import HandoverRecord as HandoverRecord
from secretarial.duty._model import Meal as Meal
from secretarial.duty._model import MealKind as MealKind
from secretarial.duty._model import OfficialLetter as OfficialLetter
from secretarial.duty._model import OnDuty as OnDuty
from secretarial.duty._model import PendingMatter as PendingMatter
from secretarial.duty._model import ReceptionPlan as ReceptionPlan
from secretarial.duty._model import ReceptionPolicy as ReceptionPolicy
from secretarial.duty._model import ReceptionState as ReceptionState
from secretarial.duty._model import ShiftState as ShiftState
from secretarial.duty._model import SwapRecord as SwapRecord
from secretarial.duty._model import carry_forward as carry_forward
from secretarial.duty._model import check_roster as check_roster
from secretarial.duty._model import document_fields_from_call as document_fields_from_call
from secretarial.duty._model import item_fields_from_call as item_fields_from_call
from secretarial.duty._model import reception_problems as reception_problems
from secretarial.duty._model import rotation_shifts as rotation_shifts
from secretarial.duty._model import who_is_on_duty as who_is_on_duty
from secretarial.engine._keys import Ed25519Key as Ed25519Key
from secretarial.engine._keys import Ed25519VerifyKey as Ed25519VerifyKey
from secretarial.engine._keys import HmacKey as HmacKey
from secretarial.engine._keys import SigningKey as SigningKey
from secretarial.engine._keys import VerifyKey as VerifyKey
from secretarial.engine._keys import load_key as load_key
from secretarial.engine._relay import Backoff as Backoff
from secretarial.engine._relay import CallbackSink as CallbackSink
from secretarial.engine._relay import Outbox as Outbox
from secretarial.engine._relay import Relay as Relay
from secretarial.engine._relay import RelayReport as RelayReport
from secretarial.engine._relay import Sink as Sink
from secretarial.engine._relay import SinkReport as SinkReport
from secretarial.engine._relay import Subscription as Subscription
from secretarial.errors import AccessDenied as AccessDenied
from secretarial.errors import CalendarCoverageError as CalendarCoverageError
from secretarial.errors import ConcurrencyConflict as ConcurrencyConflict
from secretarial.errors import DomainError as DomainError
from secretarial.errors import FieldProblem as FieldProblem
from secretarial.errors import IdempotencyKeyReused as IdempotencyKeyReused
from secretarial.errors import MissingExtraError as MissingExtraError
from secretarial.errors import NotFound as NotFound
from secretarial.errors import PluginError as PluginError
from secretarial.errors import RuleViolation as RuleViolation
from secretarial.errors import SecretarialError as SecretarialError
from secretarial.errors import StoreError as StoreError
from secretarial.errors import TransitionNotAllowed as TransitionNotAllowed
from secretarial.errors import UsageError as UsageError
from secretarial.errors import ValidationError as ValidationError
from secretarial.errors import WorkflowDefinitionError as WorkflowDefinitionError
from secretarial.errors import http_status as http_status
from secretarial.information._model import Adoption as Adoption
from secretarial.information._model import Approval as Approval
from secretarial.information._model import Author as Author
from secretarial.information._model import Bulletin as Bulletin
from secretarial.information._model import BulletinArticle as BulletinArticle
from secretarial.information._model import BulletinEntry as BulletinEntry
from secretarial.information._model import EmergencyDue as EmergencyDue
from secretarial.information._model import EmergencyLimit as EmergencyLimit
from secretarial.information._model import EmergencyLimitKind as EmergencyLimitKind
from secretarial.information._model import EmergencyPolicy as EmergencyPolicy
from secretarial.information._model import EmergencyReport as EmergencyReport
from secretarial.information._model import InformationCategory as InformationCategory
from secretarial.information._model import InformationItem as InformationItem
from secretarial.information._model import InformationState as InformationState
from secretarial.information._model import InformationUrgency as InformationUrgency
from secretarial.information._model import LeaderInstruction as LeaderInstruction
from secretarial.information._model import OutletLevel as OutletLevel
from secretarial.information._model import ReportChannel as ReportChannel
from secretarial.information._model import ReportStage as ReportStage
from secretarial.information._model import ScoringScale as ScoringScale
from secretarial.information._model import Submission as Submission
from secretarial.information._model import bulletin_of as bulletin_of
from secretarial.information._model import compile_bulletin as compile_bulletin
from secretarial.information._model import emergency_due as emergency_due
from secretarial.information._model import emergency_limits as emergency_limits
from secretarial.information._service import information_scores as information_scores
from secretarial.kernel._access import AccessDenial as AccessDenial
from secretarial.kernel._access import AccessPolicy as AccessPolicy
from secretarial.kernel._access import ClearancePolicy as ClearancePolicy
from secretarial.kernel._area import Area as Area
from secretarial.kernel._area import RegisterRequest as RegisterRequest
from secretarial.kernel._area import RegisterSpec as RegisterSpec
from secretarial.kernel._area import Registry as Registry
from secretarial.kernel._audit import Anchor as Anchor
from secretarial.kernel._audit import AuditEvent as AuditEvent
from secretarial.kernel._audit import AuditProblem as AuditProblem
from secretarial.kernel._audit import AuditReport as AuditReport
from secretarial.kernel._calendar import CalendarOverride as CalendarOverride
from secretarial.kernel._calendar import TableCalendar as TableCalendar
from secretarial.kernel._calendar import WorkCalendar as WorkCalendar
from secretarial.kernel._checkpoint import Checkpoint as Checkpoint
from secretarial.kernel._checkpoint import CheckpointLeaf as CheckpointLeaf
from secretarial.kernel._checkpoint import InclusionProof as InclusionProof
from secretarial.kernel._checkpoint import KeyRecord as KeyRecord
from secretarial.kernel._display import AuditTrail as AuditTrail
from secretarial.kernel._display import EntityList as EntityList
from secretarial.kernel._entity import Entity as Entity
from secretarial.kernel._enums import Classification as Classification
from secretarial.kernel._enums import EntityKind as EntityKind
from secretarial.kernel._enums import OrganRelation as OrganRelation
from secretarial.kernel._enums import ReminderKind as ReminderKind
from secretarial.kernel._enums import Retention as Retention
from secretarial.kernel._enums import Role as Role
from secretarial.kernel._enums import Urgency as Urgency
from secretarial.kernel._fanout import FanOut as FanOut
from secretarial.kernel._fanout import JoinPolicy as JoinPolicy
from secretarial.kernel._fanout import Party as Party
from secretarial.kernel._fanout import PartyResponse as PartyResponse
from secretarial.kernel._fanout import fan_out_step as fan_out_step
from secretarial.kernel._fanout import void_round as void_round
from secretarial.kernel._outbox import EventType as EventType
from secretarial.kernel._outbox import OutboxEvent as OutboxEvent
from secretarial.kernel._outbox import OutboxMessage as OutboxMessage
from secretarial.kernel._outbox import SinkPosition as SinkPosition
from secretarial.kernel._query import Page as Page
from secretarial.kernel._query import Query as Query
from secretarial.kernel._recurrence import Frequency as Frequency
from secretarial.kernel._recurrence import MovedOccurrence as MovedOccurrence
from secretarial.kernel._recurrence import Occurrence as Occurrence
from secretarial.kernel._recurrence import Recurrence as Recurrence
from secretarial.kernel._register import Register as Register
from secretarial.kernel._register import RegisterColumn as RegisterColumn
from secretarial.kernel._reminders import DueReminder as DueReminder
from secretarial.kernel._rules import Rule as Rule
from secretarial.kernel._values import Actor as Actor
from secretarial.kernel._values import Attachment as Attachment
from secretarial.kernel._values import DocumentNumber as DocumentNumber
from secretarial.kernel._values import Holder as Holder
from secretarial.kernel._values import Organ as Organ
from secretarial.kernel._values import Unit as Unit
from secretarial.kernel._verbs import Reassignment as Reassignment
from secretarial.kernel._verbs import Return as Return
from secretarial.kernel._verbs import ReturnTo as ReturnTo
from secretarial.kernel._workflow import Diagram as Diagram
from secretarial.kernel._workflow import TransitionSpec as TransitionSpec
from secretarial.kernel._workflow import Workflow as Workflow
from secretarial.kernel._workflow import WorkflowTable as WorkflowTable
from secretarial.meetings._model import AgendaItem as AgendaItem
from secretarial.meetings._model import AttendanceRecord as AttendanceRecord
from secretarial.meetings._model import AttendanceStatus as AttendanceStatus
from secretarial.meetings._model import Attendee as Attendee
from secretarial.meetings._model import AttendeeResponse as AttendeeResponse
from secretarial.meetings._model import AttendeeRole as AttendeeRole
from secretarial.meetings._model import Conflict as Conflict
from secretarial.meetings._model import ConflictKind as ConflictKind
from secretarial.meetings._model import Decision as Decision
from secretarial.meetings._model import Meeting as Meeting
from secretarial.meetings._model import MeetingKind as MeetingKind
from secretarial.meetings._model import MeetingState as MeetingState
from secretarial.meetings._model import Minutes as Minutes
from secretarial.meetings._model import find_conflicts as find_conflicts
from secretarial.meetings._model import follow_up_items as follow_up_items
from secretarial.meetings._service import MeetingClosure as MeetingClosure
from secretarial.office import Office as Office
from secretarial.records._enums import Disposition as Disposition
from secretarial.records._enums import RecordState as RecordState
from secretarial.records._model import Appraisal as Appraisal
from secretarial.records._model import ArchivalClass as ArchivalClass
from secretarial.records._model import ArchivalCode as ArchivalCode
from secretarial.records._model import ArchiveSettings as ArchiveSettings
from secretarial.records._model import Destruction as Destruction
from secretarial.records._model import Hold as Hold
from secretarial.records._model import Record as Record
from secretarial.records._model import RetentionExtension as RetentionExtension
from secretarial.records._model import RetentionSchedule as RetentionSchedule
from secretarial.records._model import Tombstone as Tombstone
from secretarial.records._service import FiledItem as FiledItem
from secretarial.records._service import filing_catalogue as filing_catalogue
from secretarial.reminders import ReminderPolicy as ReminderPolicy
from secretarial.reminders import due_reminders as due_reminders
from secretarial.supervision._deadlines import ComputedDeadline as ComputedDeadline
from secretarial.supervision._deadlines import DeadlinePolicy as DeadlinePolicy
from secretarial.supervision._enums import ReportCycle as ReportCycle
from secretarial.supervision._enums import SupervisionSource as SupervisionSource
from secretarial.supervision._enums import SupervisionState as SupervisionState
from secretarial.supervision._ledger import supervision_ledger as supervision_ledger
from secretarial.supervision._model import ExtensionRequest as ExtensionRequest
from secretarial.supervision._model import ProgressReport as ProgressReport
from secretarial.supervision._model import SupervisionItem as SupervisionItem
from secretarial.sweep import SkippedReminder as SkippedReminder
from secretarial.sweep import SweepReport as SweepReport

__version__ = "0.1.0.dev0"

__all__ = [
    "AccessDenial",
    "AccessDenied",
    "AccessPolicy",
    "Actor",
    "Adoption",
    "AgendaItem",
    "Anchor",
    "Appraisal",
    "Approval",
    "ArchivalClass",
    "ArchivalCode",
    "ArchiveSettings",
    "Area",
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
    "Author",
    "Backoff",
    "Bulletin",
    "BulletinArticle",
    "BulletinEntry",
    "CalendarCoverageError",
    "CalendarOverride",
    "CallRecord",
    "CallState",
    "CallbackSink",
    "Caller",
    "CallerKind",
    "Channel",
    "Checkpoint",
    "CheckpointLeaf",
    "Classification",
    "ClearancePolicy",
    "ComputedDeadline",
    "ConcurrencyConflict",
    "Conflict",
    "ConflictKind",
    "CopyApproval",
    "CopyRecord",
    "CoverageGap",
    "DeadlinePolicy",
    "Decision",
    "Delegation",
    "DelegationScope",
    "DelegationState",
    "Destruction",
    "Diagram",
    "DirectoryDesk",
    "DispatchRecord",
    "Disposition",
    "Document",
    "DocumentKind",
    "DocumentNumber",
    "DomainError",
    "DoubleDuty",
    "DueReminder",
    "DutyPerson",
    "DutyPosition",
    "DutyRoster",
    "DutyShift",
    "DutyTeam",
    "Ed25519Key",
    "Ed25519VerifyKey",
    "EmergencyDue",
    "EmergencyLimit",
    "EmergencyLimitKind",
    "EmergencyPolicy",
    "EmergencyReport",
    "Entity",
    "EntityKind",
    "EntityList",
    "EventType",
    "ExtensionRequest",
    "FanOut",
    "FieldProblem",
    "FiledItem",
    "Frequency",
    "GuestParty",
    "HandlingType",
    "HandoverRecord",
    "HmacKey",
    "Hold",
    "Holder",
    "Holding",
    "IdempotencyKeyReused",
    "InclusionProof",
    "IncomingDocument",
    "IncomingState",
    "InformationCategory",
    "InformationItem",
    "InformationState",
    "InformationUrgency",
    "Instruction",
    "JoinPolicy",
    "KeyRecord",
    "LeaderInstruction",
    "Meal",
    "MealKind",
    "Meeting",
    "MeetingClosure",
    "MeetingKind",
    "MeetingState",
    "Minutes",
    "MissingExtraError",
    "MovedOccurrence",
    "NotFound",
    "Occurrence",
    "Office",
    "OfficialLetter",
    "OnDuty",
    "Organ",
    "OrganRelation",
    "Outbox",
    "OutboxEvent",
    "OutboxMessage",
    "OutgoingDocument",
    "OutgoingState",
    "OutletLevel",
    "Page",
    "Party",
    "PartyResponse",
    "PendingMatter",
    "Person",
    "PersonState",
    "PluginError",
    "ProgressReport",
    "Proposal",
    "Query",
    "Reading",
    "Reassignment",
    "ReceptionPlan",
    "ReceptionPolicy",
    "ReceptionState",
    "Record",
    "RecordState",
    "Recurrence",
    "Register",
    "RegisterColumn",
    "RegisterRequest",
    "RegisterSpec",
    "Registry",
    "Relay",
    "RelayReport",
    "ReminderKind",
    "ReminderPolicy",
    "ReportChannel",
    "ReportCycle",
    "ReportStage",
    "Retention",
    "RetentionExtension",
    "RetentionSchedule",
    "Return",
    "ReturnTo",
    "Revocation",
    "RevocationKind",
    "Role",
    "Rule",
    "RuleViolation",
    "ScoringScale",
    "SecretarialError",
    "ShiftState",
    "Signature",
    "SigningKey",
    "Sink",
    "SinkPosition",
    "SinkReport",
    "SkippedReminder",
    "StoreError",
    "StoredDirectory",
    "Submission",
    "Subscription",
    "SupervisionItem",
    "SupervisionSource",
    "SupervisionState",
    "SwapRecord",
    "SweepReport",
    "TableCalendar",
    "Tombstone",
    "TransitionNotAllowed",
    "TransitionSpec",
    "Unit",
    "Urgency",
    "UsageError",
    "ValidationError",
    "VerifyKey",
    "WorkCalendar",
    "Workflow",
    "WorkflowDefinitionError",
    "WorkflowTable",
    "builtin_registry",
    "bulletin_of",
    "carry_forward",
    "check_roster",
    "china_calendar",
    "compilation_classification",
    "compile_bulletin",
    "document_fields_from_call",
    "due_reminders",
    "emergency_due",
    "emergency_limits",
    "fan_out_step",
    "filing_catalogue",
    "find_conflicts",
    "follow_up_items",
    "http_status",
    "incoming_register",
    "information_scores",
    "item_fields_from_call",
    "load_key",
    "outgoing_register",
    "reception_problems",
    "rotation_shifts",
    "supervision_ledger",
    "void_round",
    "who_is_on_duty",
    "workflow_for",
]

# Public classes report the public path, so tracebacks and docs never show a private module.
for _name in __all__:
    _obj = globals()[_name]
    if isinstance(_obj, type) and _obj.__module__.startswith("secretarial."):
        _obj.__module__ = "secretarial"
del _name, _obj

# Workflow diagrams draw their SVG with Graphviz's dot, where it is installed.
Diagram.draw = _draw_svg
