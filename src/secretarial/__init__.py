"""secretarial: the rules, workflows and records of an office secretariat.

Official documents coming in and going out, leaders' instructions and their
supervision, with every step checked against the regulations and audited. Start with
:class:`Office`::

    from secretarial import Office, Actor, Role
    office = Office.in_memory()

Everything public is importable from this package; submodules whose names start with an
underscore are private.
"""

from secretarial.adapters import china_calendar as china_calendar
from secretarial.domain import AccessDenial as AccessDenial
from secretarial.domain import AccessPolicy as AccessPolicy
from secretarial.domain import Actor as Actor
from secretarial.domain import Adoption as Adoption
from secretarial.domain import AgendaItem as AgendaItem
from secretarial.domain import Anchor as Anchor
from secretarial.domain import Appraisal as Appraisal
from secretarial.domain import Approval as Approval
from secretarial.domain import ArchivalClass as ArchivalClass
from secretarial.domain import ArchivalCode as ArchivalCode
from secretarial.domain import ArchiveSettings as ArchiveSettings
from secretarial.domain import Attachment as Attachment
from secretarial.domain import AttendanceRecord as AttendanceRecord
from secretarial.domain import AttendanceStatus as AttendanceStatus
from secretarial.domain import Attendee as Attendee
from secretarial.domain import AttendeeResponse as AttendeeResponse
from secretarial.domain import AttendeeRole as AttendeeRole
from secretarial.domain import AuditEvent as AuditEvent
from secretarial.domain import AuditProblem as AuditProblem
from secretarial.domain import AuditReport as AuditReport
from secretarial.domain import AuditTrail as AuditTrail
from secretarial.domain import Author as Author
from secretarial.domain import Bulletin as Bulletin
from secretarial.domain import BulletinArticle as BulletinArticle
from secretarial.domain import BulletinEntry as BulletinEntry
from secretarial.domain import CalendarOverride as CalendarOverride
from secretarial.domain import Caller as Caller
from secretarial.domain import CallerKind as CallerKind
from secretarial.domain import CallRecord as CallRecord
from secretarial.domain import CallState as CallState
from secretarial.domain import Channel as Channel
from secretarial.domain import Classification as Classification
from secretarial.domain import ClearancePolicy as ClearancePolicy
from secretarial.domain import ComputedDeadline as ComputedDeadline
from secretarial.domain import Conflict as Conflict
from secretarial.domain import ConflictKind as ConflictKind
from secretarial.domain import CopyApproval as CopyApproval
from secretarial.domain import CopyRecord as CopyRecord
from secretarial.domain import CoverageGap as CoverageGap
from secretarial.domain import DeadlinePolicy as DeadlinePolicy
from secretarial.domain import Decision as Decision
from secretarial.domain import Destruction as Destruction
from secretarial.domain import Diagram as Diagram
from secretarial.domain import DispatchRecord as DispatchRecord
from secretarial.domain import Disposition as Disposition
from secretarial.domain import Document as Document
from secretarial.domain import DocumentKind as DocumentKind
from secretarial.domain import DocumentNumber as DocumentNumber
from secretarial.domain import DoubleDuty as DoubleDuty
from secretarial.domain import DueReminder as DueReminder
from secretarial.domain import DutyPerson as DutyPerson
from secretarial.domain import DutyPosition as DutyPosition
from secretarial.domain import DutyRoster as DutyRoster
from secretarial.domain import DutyShift as DutyShift
from secretarial.domain import DutyTeam as DutyTeam
from secretarial.domain import EmergencyDue as EmergencyDue
from secretarial.domain import EmergencyLimit as EmergencyLimit
from secretarial.domain import EmergencyLimitKind as EmergencyLimitKind
from secretarial.domain import EmergencyPolicy as EmergencyPolicy
from secretarial.domain import EmergencyReport as EmergencyReport
from secretarial.domain import Entity as Entity
from secretarial.domain import EntityKind as EntityKind
from secretarial.domain import EntityList as EntityList
from secretarial.domain import ExtensionRequest as ExtensionRequest
from secretarial.domain import Frequency as Frequency
from secretarial.domain import GuestParty as GuestParty
from secretarial.domain import HandlingType as HandlingType
from secretarial.domain import HandoverRecord as HandoverRecord
from secretarial.domain import Hold as Hold
from secretarial.domain import IncomingDocument as IncomingDocument
from secretarial.domain import IncomingState as IncomingState
from secretarial.domain import InformationCategory as InformationCategory
from secretarial.domain import InformationItem as InformationItem
from secretarial.domain import InformationState as InformationState
from secretarial.domain import InformationUrgency as InformationUrgency
from secretarial.domain import Instruction as Instruction
from secretarial.domain import LeaderInstruction as LeaderInstruction
from secretarial.domain import Meal as Meal
from secretarial.domain import MealKind as MealKind
from secretarial.domain import Meeting as Meeting
from secretarial.domain import MeetingKind as MeetingKind
from secretarial.domain import MeetingState as MeetingState
from secretarial.domain import Minutes as Minutes
from secretarial.domain import MovedOccurrence as MovedOccurrence
from secretarial.domain import Occurrence as Occurrence
from secretarial.domain import OfficialLetter as OfficialLetter
from secretarial.domain import OnDuty as OnDuty
from secretarial.domain import Organ as Organ
from secretarial.domain import OrganRelation as OrganRelation
from secretarial.domain import OutgoingDocument as OutgoingDocument
from secretarial.domain import OutgoingState as OutgoingState
from secretarial.domain import OutletLevel as OutletLevel
from secretarial.domain import Page as Page
from secretarial.domain import PendingMatter as PendingMatter
from secretarial.domain import ProgressReport as ProgressReport
from secretarial.domain import Proposal as Proposal
from secretarial.domain import Query as Query
from secretarial.domain import Reading as Reading
from secretarial.domain import ReceptionPlan as ReceptionPlan
from secretarial.domain import ReceptionPolicy as ReceptionPolicy
from secretarial.domain import ReceptionState as ReceptionState
from secretarial.domain import Record as Record
from secretarial.domain import RecordState as RecordState
from secretarial.domain import Recurrence as Recurrence
from secretarial.domain import ReminderKind as ReminderKind
from secretarial.domain import ReminderPolicy as ReminderPolicy
from secretarial.domain import ReportChannel as ReportChannel
from secretarial.domain import ReportCycle as ReportCycle
from secretarial.domain import ReportStage as ReportStage
from secretarial.domain import Retention as Retention
from secretarial.domain import RetentionExtension as RetentionExtension
from secretarial.domain import RetentionSchedule as RetentionSchedule
from secretarial.domain import Role as Role
from secretarial.domain import Rule as Rule
from secretarial.domain import ScoringScale as ScoringScale
from secretarial.domain import ShiftState as ShiftState
from secretarial.domain import Signature as Signature
from secretarial.domain import Submission as Submission
from secretarial.domain import SupervisionItem as SupervisionItem
from secretarial.domain import SupervisionSource as SupervisionSource
from secretarial.domain import SupervisionState as SupervisionState
from secretarial.domain import SwapRecord as SwapRecord
from secretarial.domain import TableCalendar as TableCalendar
from secretarial.domain import Tombstone as Tombstone
from secretarial.domain import TransitionSpec as TransitionSpec
from secretarial.domain import Unit as Unit
from secretarial.domain import Urgency as Urgency
from secretarial.domain import WorkCalendar as WorkCalendar
from secretarial.domain import Workflow as Workflow
from secretarial.domain import WorkflowTable as WorkflowTable
from secretarial.domain import bulletin_of as bulletin_of
from secretarial.domain import carry_forward as carry_forward
from secretarial.domain import check_roster as check_roster
from secretarial.domain import compilation_classification as compilation_classification
from secretarial.domain import compile_bulletin as compile_bulletin
from secretarial.domain import document_fields_from_call as document_fields_from_call
from secretarial.domain import due_reminders as due_reminders
from secretarial.domain import emergency_due as emergency_due
from secretarial.domain import emergency_limits as emergency_limits
from secretarial.domain import find_conflicts as find_conflicts
from secretarial.domain import follow_up_items as follow_up_items
from secretarial.domain import item_fields_from_call as item_fields_from_call
from secretarial.domain import reception_problems as reception_problems
from secretarial.domain import rotation_shifts as rotation_shifts
from secretarial.domain import who_is_on_duty as who_is_on_duty
from secretarial.domain import workflow_for as workflow_for
from secretarial.errors import AccessDenied as AccessDenied
from secretarial.errors import CalendarCoverageError as CalendarCoverageError
from secretarial.errors import ConcurrencyConflict as ConcurrencyConflict
from secretarial.errors import DomainError as DomainError
from secretarial.errors import FieldProblem as FieldProblem
from secretarial.errors import MissingExtraError as MissingExtraError
from secretarial.errors import NotFound as NotFound
from secretarial.errors import RuleViolation as RuleViolation
from secretarial.errors import SecretarialError as SecretarialError
from secretarial.errors import StoreError as StoreError
from secretarial.errors import TransitionNotAllowed as TransitionNotAllowed
from secretarial.errors import UsageError as UsageError
from secretarial.errors import ValidationError as ValidationError
from secretarial.errors import WorkflowDefinitionError as WorkflowDefinitionError
from secretarial.office import Office as Office
from secretarial.services import FiledItem as FiledItem
from secretarial.services import Register as Register
from secretarial.services import RegisterColumn as RegisterColumn
from secretarial.services import SkippedReminder as SkippedReminder
from secretarial.services import SweepReport as SweepReport
from secretarial.services import filing_catalogue as filing_catalogue
from secretarial.services import incoming_register as incoming_register
from secretarial.services import information_scores as information_scores
from secretarial.services import outgoing_register as outgoing_register
from secretarial.services import supervision_ledger as supervision_ledger

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
    "Bulletin",
    "BulletinArticle",
    "BulletinEntry",
    "CalendarCoverageError",
    "CalendarOverride",
    "CallRecord",
    "CallState",
    "Caller",
    "CallerKind",
    "Channel",
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
    "Destruction",
    "Diagram",
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
    "EmergencyDue",
    "EmergencyLimit",
    "EmergencyLimitKind",
    "EmergencyPolicy",
    "EmergencyReport",
    "Entity",
    "EntityKind",
    "EntityList",
    "ExtensionRequest",
    "FieldProblem",
    "FiledItem",
    "Frequency",
    "GuestParty",
    "HandlingType",
    "HandoverRecord",
    "Hold",
    "IncomingDocument",
    "IncomingState",
    "InformationCategory",
    "InformationItem",
    "InformationState",
    "InformationUrgency",
    "Instruction",
    "LeaderInstruction",
    "Meal",
    "MealKind",
    "Meeting",
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
    "OutgoingDocument",
    "OutgoingState",
    "OutletLevel",
    "Page",
    "PendingMatter",
    "ProgressReport",
    "Proposal",
    "Query",
    "Reading",
    "ReceptionPlan",
    "ReceptionPolicy",
    "ReceptionState",
    "Record",
    "RecordState",
    "Recurrence",
    "Register",
    "RegisterColumn",
    "ReminderKind",
    "ReminderPolicy",
    "ReportChannel",
    "ReportCycle",
    "ReportStage",
    "Retention",
    "RetentionExtension",
    "RetentionSchedule",
    "Role",
    "Rule",
    "RuleViolation",
    "ScoringScale",
    "SecretarialError",
    "ShiftState",
    "Signature",
    "SkippedReminder",
    "StoreError",
    "Submission",
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
    "WorkCalendar",
    "Workflow",
    "WorkflowDefinitionError",
    "WorkflowTable",
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
    "filing_catalogue",
    "find_conflicts",
    "follow_up_items",
    "incoming_register",
    "information_scores",
    "item_fields_from_call",
    "outgoing_register",
    "reception_problems",
    "rotation_shifts",
    "supervision_ledger",
    "who_is_on_duty",
    "workflow_for",
]

# Public classes report the public path, so tracebacks and docs never show a private module.
for _name in __all__:
    _obj = globals()[_name]
    if isinstance(_obj, type) and _obj.__module__.startswith("secretarial."):
        _obj.__module__ = "secretarial"
del _name, _obj
