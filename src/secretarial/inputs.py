"""The typed inputs of the creating verbs, for annotating the dicts a host builds.

``fields: IncomingDocumentFields = {...}`` then ``office.documents.receive(by=clerk,
**fields)`` type-checks. Written by scripts/gen_typed_inputs.py; do not edit.
"""

from secretarial.documents._fields import IncomingDocumentFields, OutgoingDocumentFields
from secretarial.duty._fields import (
    CallerFields,
    CallRecordFields,
    GuestPartyFields,
    MealFields,
    OfficialLetterFields,
    ReceptionPlanFields,
)
from secretarial.information._fields import AuthorFields, InformationItemFields
from secretarial.kernel._fields import (
    AttachmentFields,
    DocumentNumberFields,
    MovedOccurrenceFields,
    OrganFields,
    RecurrenceFields,
    UnitFields,
)
from secretarial.meetings._fields import (
    AgendaItemFields,
    AttendeeFields,
    MeetingFields,
    PersonFields,
)
from secretarial.supervision._fields import ProvisionalMarkFields, SupervisionItemFields

__all__ = [
    "AgendaItemFields",
    "AttachmentFields",
    "AttendeeFields",
    "AuthorFields",
    "CallRecordFields",
    "CallerFields",
    "DocumentNumberFields",
    "GuestPartyFields",
    "IncomingDocumentFields",
    "InformationItemFields",
    "MealFields",
    "MeetingFields",
    "MovedOccurrenceFields",
    "OfficialLetterFields",
    "OrganFields",
    "OutgoingDocumentFields",
    "PersonFields",
    "ProvisionalMarkFields",
    "ReceptionPlanFields",
    "RecurrenceFields",
    "SupervisionItemFields",
    "UnitFields",
]
