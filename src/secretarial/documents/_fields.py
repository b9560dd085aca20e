"""Typed inputs of the creating verbs (documents): what each model takes, for type checkers.

Written by scripts/gen_typed_inputs.py from the models; do not edit. A test fails when
this file is not what the script writes from the models as they are.
"""

from collections.abc import Sequence
from datetime import date, datetime
from typing import Literal, NotRequired, TypedDict

from secretarial.documents._enums import Channel, DocumentKind
from secretarial.kernel._enums import Classification, Urgency
from secretarial.kernel._fields import (
    AttachmentFields,
    DocumentNumberFields,
    OrganFields,
    UnitFields,
)
from secretarial.kernel._values import Attachment, DocumentNumber, Organ, Unit

__all__ = ["IncomingDocumentFields", "OutgoingDocumentFields"]


class IncomingDocumentFields(TypedDict):
    """The fields of ``IncomingDocument`` a caller gives."""

    classification: NotRequired[
        Classification | Literal["unclassified", "confidential", "secret", "top_secret"]
    ]
    kind: (
        DocumentKind
        | Literal[
            "resolution",
            "decision",
            "order",
            "communique",
            "announcement",
            "public_notice",
            "opinion",
            "notice",
            "circular",
            "report",
            "request",
            "reply",
            "motion",
            "letter",
            "minutes",
        ]
    )
    title: str
    copy_number: NotRequired[str | None]
    secrecy_period_years: NotRequired[int | None]
    declassification_condition: NotRequired[str | None]
    urgency: NotRequired[Urgency | Literal["extra_urgent", "urgent", "flash", "routine"] | None]
    is_telegram: NotRequired[bool]
    issuer_mark: NotRequired[str | None]
    number: NotRequired[DocumentNumber | DocumentNumberFields | str | None]
    signers: NotRequired[Sequence[str]]
    main_recipients: NotRequired[Sequence[Organ | OrganFields]]
    body: NotRequired[str | None]
    attachment_note: NotRequired[str | None]
    issuer_signature: NotRequired[str | None]
    date_of_issue: NotRequired[date | None]
    sealed: NotRequired[bool]
    remark: NotRequired[str | None]
    attachments: NotRequired[Sequence[Attachment | AttachmentFields]]
    cc: NotRequired[Sequence[Organ | OrganFields]]
    printing_organ: NotRequired[str | None]
    printing_date: NotRequired[date | None]
    page_count: NotRequired[int | None]
    joint_issuers: NotRequired[Sequence[Organ | OrganFields]]
    requests: NotRequired[Sequence[str]]
    important: NotRequired[bool]
    replies_to: NotRequired[str | None]
    forwards: NotRequired[Sequence[str]]
    need_to_know: NotRequired[Sequence[str]]
    received_at: datetime
    sender: Organ | OrganFields
    channel: Channel | Literal["paper", "electronic", "fax", "confidential_courier", "phone"]
    co_issuer: NotRequired[bool]


class OutgoingDocumentFields(TypedDict):
    """The fields of ``OutgoingDocument`` a caller gives."""

    classification: NotRequired[
        Classification | Literal["unclassified", "confidential", "secret", "top_secret"]
    ]
    deadline: NotRequired[date | None]
    kind: (
        DocumentKind
        | Literal[
            "resolution",
            "decision",
            "order",
            "communique",
            "announcement",
            "public_notice",
            "opinion",
            "notice",
            "circular",
            "report",
            "request",
            "reply",
            "motion",
            "letter",
            "minutes",
        ]
    )
    title: str
    copy_number: NotRequired[str | None]
    secrecy_period_years: NotRequired[int | None]
    declassification_condition: NotRequired[str | None]
    urgency: NotRequired[Urgency | Literal["extra_urgent", "urgent", "flash", "routine"] | None]
    is_telegram: NotRequired[bool]
    issuer_mark: NotRequired[str | None]
    number: NotRequired[DocumentNumber | DocumentNumberFields | str | None]
    main_recipients: NotRequired[Sequence[Organ | OrganFields]]
    body: NotRequired[str | None]
    attachment_note: NotRequired[str | None]
    issuer_signature: NotRequired[str | None]
    sealed: NotRequired[bool]
    remark: NotRequired[str | None]
    attachments: NotRequired[Sequence[Attachment | AttachmentFields]]
    cc: NotRequired[Sequence[Organ | OrganFields]]
    printing_organ: NotRequired[str | None]
    page_count: NotRequired[int | None]
    joint_issuers: NotRequired[Sequence[Organ | OrganFields]]
    requests: NotRequired[Sequence[str]]
    important: NotRequired[bool]
    replies_to: NotRequired[str | None]
    forwards: NotRequired[Sequence[str]]
    need_to_know: NotRequired[Sequence[str]]
    issuer_code: str
    drafting_unit: NotRequired[Unit | UnitFields | None]
    skip_level_reason: NotRequired[str | None]
    to_leader: NotRequired[str | None]
    leader_assigned: NotRequired[bool]
