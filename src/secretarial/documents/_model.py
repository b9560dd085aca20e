"""Official documents: the elements of docs/rules.md D2 and the incoming and outgoing records."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from typing import Annotated, ClassVar, Final, Self

from pydantic import Field, StringConstraints, model_validator

from secretarial.errors import RuleViolation
from secretarial.kernel._entity import Entity
from secretarial.kernel._enums import Classification, EntityKind, OrganRelation, Retention, Urgency
from secretarial.kernel._fanout import FanOut
from secretarial.kernel._values import (
    Attachment,
    DocumentNumber,
    Name,
    Organ,
    Text,
    Timed,
    Timestamp,
    Unit,
    Value,
)

from ._enums import (
    Channel,
    DocumentKind,
    HandlingType,
    IncomingState,
    OutgoingState,
    RevocationKind,
)

__all__ = [
    "CopyApproval",
    "CopyNumber",
    "CopyRecord",
    "DispatchRecord",
    "Document",
    "Holding",
    "IncomingDocument",
    "Instruction",
    "OutgoingDocument",
    "Proposal",
    "Reading",
    "Revocation",
    "Signature",
    "compilation_classification",
    "default_original",
    "format_date_of_issue",
]

CopyNumber = Annotated[str, StringConstraints(pattern=r"^[0-9]{6}$")]
"""A copy number 份号: six digits, e.g. ``000001`` (D3)."""
Title = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)]
"""A document title: non-empty, at most 500 characters."""
ArchivalCode = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True,
        pattern=r"^[0-9A-Za-z]{4}-[A-Z]{2}·[0-9]{4}-(Y|D30|D10)(-[^-\s]+)?-[0-9]{4}$",
    ),
]
"""An archival code 档号 in the DA/T 22-2015 form, e.g. ``0194-WS·2016-D30-BGS-0001`` (A2).

An archive that does not classify by unit leaves the unit level out: ``0194-WS·2016-D30-0001``.
"""
ArchivalClassText = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True,
        pattern=r"^[0-9A-Za-z]{4}-[A-Z]{2}·[0-9]{4}-(Y|D30|D10)(-[^-\s]+)?$",
    ),
]
"""The lowest class of an archival code, its item number left off: ``0194-WS·2016-D30-BGS`` (A3).

Without a unit level in an archive that does not classify by unit: ``0194-WS·2016-D30``.
"""


_UPWARD: Final = frozenset({OrganRelation.SUPERIOR, OrganRelation.HIGHER_SUPERIOR})
"""The relations of a main recipient that make a document upward."""


def format_date_of_issue(day: date) -> str:
    """Write a date of issue as D10 asks: Arabic numerals, full year, no padding.

    >>> format_date_of_issue(date(2012, 7, 1))
    '2012年7月1日'
    """
    return f"{day.year}年{day.month}月{day.day}日"


class Revocation(Timed):
    """The revocation (撤销) or abolition (废止) of a document, as recorded (D18).

    ``by`` and ``at`` say who recorded it and when. A revoked document is void from the
    start; an abolished one has no effect from ``ceases_from`` on.
    """

    kind: RevocationKind
    decided_by: Organ | None = None
    """The organ that decided it; None: this office, the issuing organ."""
    by_authority: bool = False
    """Whether ``decided_by`` is an organ of state power (权力机关) acting within its powers."""
    decision: Name | None = None
    """The decision or notice that revoked or abolished it, by document number or entity
    id (a document of this office, or one received)."""
    ceases_from: date | None = None
    """For an abolition, the first day it has no effect; None for a revocation (void from
    the start)."""
    note: Text | None = None

    @property
    def text(self) -> str:
        """The revocation in words, as the registers show it: ``已废止（自2026年3月1日起失效）``."""
        if self.kind is RevocationKind.REVOKED:
            words = "已撤销（自始无效）"
        else:
            assert self.ceases_from is not None  # noqa: S101 -- an abolition is dated
            words = f"已废止（自{format_date_of_issue(self.ceases_from)}起失效）"
        if self.decision is not None:
            words += f"，依{self.decision}"
        return words


class Document(Entity):
    """The elements of an official document (docs/rules.md D2), shared by incoming and outgoing.

    All elements are optional unless a rule requires one. Validation enforces the rules
    that hold for any document at any time: a classified document states a secrecy
    period (within the maximum for its level) or a declassification condition (D4), and
    the telegram-only urgencies appear only on telegrams (D5).
    """

    kind: DocumentKind
    title: Title
    copy_number: CopyNumber | None = None
    secrecy_period_years: int | None = Field(default=None, ge=1)
    declassification_condition: Name | None = None
    urgency: Urgency | None = None
    is_telegram: bool = False
    issuer_mark: Name | None = None
    number: DocumentNumber | None = None
    signers: tuple[Name, ...] = ()
    main_recipients: tuple[Organ, ...] = ()
    body: Text | None = None
    attachment_note: Text | None = None
    issuer_signature: Name | None = None
    date_of_issue: date | None = None
    sealed: bool = False
    remark: Text | None = None
    attachments: tuple[Attachment, ...] = Field(default=(), max_length=200)
    cc: tuple[Organ, ...] = ()
    printing_organ: Name | None = None
    printing_date: date | None = None
    page_count: int | None = Field(default=None, ge=1)
    joint_issuers: tuple[Organ, ...] = ()
    """Co-issuers of a joint document (D9), the lead organ excluded."""
    requests: tuple[Text, ...] = ()
    """The matters this document asks a higher organ to decide (a 请示 has exactly one, D11)."""
    important: bool = False
    """An important document is signed by the principal leader (D13)."""
    replies_to: Name | None = None
    """For a reply (批复): the request it answers, by entity id or document number (A4, A5)."""
    forwards: tuple[Name, ...] = ()
    """The documents this one forwards (转发), by entity id or document number (A4)."""
    need_to_know: tuple[Name, ...] = ()
    """The need-to-know scope (知悉范围) of a classified document: the actor ids and unit
    codes that may know it. Empty: everyone cleared to its level may."""
    revocation: Revocation | None = None
    """Its revocation or abolition, once recorded (D18)."""

    @model_validator(mode="after")
    def _classified_needs_period(self) -> Self:
        level = self.classification
        if level is Classification.UNCLASSIFIED:
            if self.need_to_know:
                raise ValueError(
                    "D4: a need-to-know scope (need_to_know) limits who knows a classified "
                    "document; an unclassified one has none"
                )
            if self.secrecy_period_years is not None or self.declassification_condition:
                raise ValueError(
                    "D4: an unclassified document has no secrecy period or declassification "
                    "condition; set classification to confidential, secret or top_secret"
                )
            return self
        if self.secrecy_period_years is None and not self.declassification_condition:
            raise ValueError(
                f"D4: a {level.label} document must carry a secrecy period "
                "(secrecy_period_years) or a declassification condition"
            )
        maximum = level.max_secrecy_years
        years = self.secrecy_period_years
        if years is not None and maximum is not None and years > maximum:
            raise ValueError(
                f"D4: secrecy_period_years={years} exceeds the maximum of {maximum} years "
                f"for {level.label}; accepted: 1..{maximum}"
            )
        return self

    @model_validator(mode="after")
    def _telegram_urgency(self) -> Self:
        if self.urgency is not None and self.urgency.telegram_only and not self.is_telegram:
            raise ValueError(
                f"D5: urgency {self.urgency.value!r} ({self.urgency.label}) is for telegrams "
                "only; a document takes extra_urgent (特急) or urgent (加急)"
            )
        return self

    def in_effect(self, day: date) -> bool:
        """Whether the document has effect on ``day`` as far as revocation goes (D18).

        False for a revoked document (void from the start) and for an abolished one from
        its abolition date on.
        """
        revocation = self.revocation
        if revocation is None:
            return True
        if revocation.kind is RevocationKind.REVOKED or revocation.ceases_from is None:
            return False
        return day < revocation.ceases_from

    @property
    def is_upward(self) -> bool:
        """Whether any main recipient is a superior organ (an upward document, D8, D11)."""
        return any(o.relation in _UPWARD for o in self.main_recipients)

    @property
    def date_of_issue_text(self) -> str | None:
        """The date of issue written as D10 asks (``2012年7月1日``)."""
        return None if self.date_of_issue is None else format_date_of_issue(self.date_of_issue)


class Proposal(Timed):
    """A handling proposal 拟办意见 by the office director."""

    handling_type: HandlingType
    lead_unit: Unit | None = None
    note: Text | None = None


class Instruction(Timed):
    """A leader's instruction 批示 on a document."""

    text: Text


class Reading(Value):
    """One reader in a circulation 传阅, in order; ``read_at`` is set once they read."""

    reader: Name
    read_at: Timestamp | None = None
    comment: Text | None = None


class Holding(Value):
    """A reader who holds a circulating document (传阅), and since when."""

    reader: Name
    since: Timestamp
    """When it reached them: when it was circulated, or (in order) when the reader
    before them read it."""


class CopyApproval(Timed):
    """A leader's approval to copy a classified document (D17): how many copies, why."""

    copies: int = Field(ge=1, le=1000)
    note: Text | None = None
    issuer_approval: Text | None = None
    """For a top-secret document: the issuing organ's (or its superior's) approval."""


class CopyRecord(Timed):
    """Copies made of a document, as recorded (复制登记)."""

    copies: int = Field(ge=1, le=1000)
    purpose: Text | None = None
    stamp: Name | None = None
    """The copying organ's stamp the copies bear (复制机关戳记)."""
    copy_numbers: tuple[Name, ...] = ()
    """The copies' own numbers (份号), one per copy."""


def compilation_classification(
    documents: Iterable[Document], *, issuer_approvals: Mapping[str, str] | None = None
) -> Classification:
    """The classification of a compilation (汇编) of ``documents`` (D17).

    A compilation takes the highest classification it contains. A top-secret (绝密)
    document is compiled only where work truly requires it, with the approval of its
    issuing organ or that organ's superior: ``issuer_approvals`` names it per document
    id (the organ and its letter or number).

    Raises:
        RuleViolation: Rule D17, naming the top-secret documents without an approval.
    """
    approvals = issuer_approvals or {}
    highest = Classification.UNCLASSIFIED
    top: list[str] = []
    for document in documents:
        if (
            document.classification is Classification.TOP_SECRET
            and not (approvals.get(document.id) or "").strip()
        ):
            top.append(document.id)
        highest = max(highest, document.classification)
    if top:
        raise RuleViolation(
            "D17",
            "top-secret-compile-needs-issuer-approval",
            f"top-secret (绝密) documents are compiled only with the approval of their "
            f"issuing organ or its superior (issuer_approvals={{id: ...}}); none for: "
            f"{', '.join(top)}",
        )
    return highest


class IncomingDocument(Document):
    """A document received from another organ and handled here (收文)."""

    entity_kind: ClassVar[EntityKind] = EntityKind.INCOMING_DOCUMENT
    terminal_states: ClassVar[frozenset[str]] = frozenset(
        {IncomingState.RETURNED, IncomingState.FILED}
    )

    state: IncomingState = IncomingState.RECEIVED
    received_at: Timestamp
    sender: Organ
    channel: Channel
    registration_number: Name | None = None
    proposal: Proposal | None = None
    instruction: Instruction | None = None
    handling_type: HandlingType | None = None
    lead_unit: Unit | None = None
    co_units: tuple[Unit, ...] = ()
    chaser: Name | None = None
    """The person who chases an urgent or important document (D16)."""
    assignee: Name | None = None
    readers: tuple[Reading, ...] = ()
    parallel_circulation: bool = False
    """Whether the readers hold the document at once, each marking it read in any order
    (传阅 in parallel), rather than one after another."""
    result: Text | None = None
    return_reason: Text | None = None
    copy_approvals: tuple[CopyApproval, ...] = ()
    """Leaders' approvals to copy the document (D17)."""
    copies_made: tuple[CopyRecord, ...] = ()
    """Copies made of it, as recorded (D17)."""
    co_issuer: bool = False
    """This office co-issued this joint document, which the sender led (D9): it files a
    copy, the lead organ the original (A6)."""
    retention: Retention | None = None
    archival_code: ArchivalCode | None = None
    archival_class: ArchivalClassText | None = None
    """The class the archival code was drawn in (set when filed, A3)."""
    record_id: Name | None = None
    """The record 档案 the document was filed in (set when filed, A4)."""

    @property
    def current_holder(self) -> str | None:
        """Who holds a circulating document now: the first reader who has not read it.

        In a parallel circulation every reader who has not read it holds it at once
        (:attr:`current_holders`); this is the first of them.
        """
        for reading in self.readers:
            if reading.read_at is None:
                return reading.reader
        return None

    @property
    def current_holders(self) -> tuple[str, ...]:
        """Who holds a circulating document now, in the readers' order.

        In order (the default), the first reader who has not read it; in a parallel
        circulation (``parallel_circulation``), every reader who has not.
        """
        waiting = tuple(r.reader for r in self.readers if r.read_at is None)
        return waiting if self.parallel_circulation else waiting[:1]


class Signature(Value):
    """A sign-off 签发 (D13): the signer's name and full date, and the opinion if written.

    A circle (圈阅) or a signature without comment is consent (the Regulation, Art. 22).
    """

    signer: Name
    """The signer's actor id."""
    name: Name
    opinion: Text | None = None
    """The opinion written, if any."""
    circled: bool = False
    """Whether the signer circled the draft (圈阅) rather than signing it by name."""
    signed_on: date
    organ: Organ | None = None
    """For a joint document, the co-issuer on whose behalf this signature was given."""
    on_behalf_of: Name | None = None
    """The principal a delegate signed for (代签, under a delegation 委托), if any."""

    @property
    def principal(self) -> str:
        """Whose signature it is: the principal a delegate signed for, else the signer."""
        return self.on_behalf_of or self.signer


class DispatchRecord(Value):
    """One recipient's copy leaving the office."""

    recipient: Organ
    at: Timestamp
    channel: Channel = Channel.ELECTRONIC
    copies: int = Field(default=1, ge=1)


class OutgoingDocument(Document):
    """A document drafted here and sent out (发文)."""

    entity_kind: ClassVar[EntityKind] = EntityKind.OUTGOING_DOCUMENT
    terminal_states: ClassVar[frozenset[str]] = frozenset({OutgoingState.FILED})

    state: OutgoingState = OutgoingState.DRAFTED
    issuer_code: Name
    """The organ code of this document's number series (``国办发``, ``国办函`` ...)."""
    drafting_unit: Unit | None = None
    skip_level_reason: Text | None = None
    """Why the document goes to an organ above the direct superior (越级行文, D12): the
    special circumstance the Regulation allows it for. The skipped organ is copied."""
    to_leader: Name | None = None
    """The superior organ's leader the document is addressed to in person (D12): only for
    a matter that leader assigned directly (``leader_assigned``)."""
    leader_assigned: bool = False
    """Whether the matter was assigned directly by the superior organ's leader
    (上级机关负责人直接交办事项), which allows addressing that leader in person (D12)."""
    review_opinion: Text | None = None
    signatures: tuple[Signature, ...] = ()
    countersignatures: tuple[Signature, ...] = ()
    """Co-issuers' signatures on a joint document (会签, D9)."""
    pending_change: Text | None = None
    """A substantive change found at recheck that the original signer must sign again (D15)."""
    copies: int | None = Field(default=None, ge=1)
    copy_numbers: tuple[CopyNumber, ...] = ()
    dispatches: tuple[DispatchRecord, ...] = ()
    retention: Retention | None = None
    archival_code: ArchivalCode | None = None
    archival_class: ArchivalClassText | None = None
    """The class the archival code was drawn in (set when filed, A3)."""
    record_id: Name | None = None
    """The record 档案 the document was filed in (set when filed, A4)."""
    countersigning: FanOut | None = None
    """The co-issuers' round of countersigning a joint document (会签, D9): every
    co-issuer in the order of the issuing organs, each agreeing by ``countersign`` or
    not (``decline_countersign``); ``countersigning.progress`` says who is still waited
    for. Opened by ``review``; a new round after the draft went back."""
    fan_out: FanOut | None = None
    """The round of a step sent to several parties at once (会签 of units), when a table
    extended with :func:`~secretarial.fan_out_step` has one."""

    fan_out_fields: ClassVar[tuple[str, ...]] = ("countersigning", "fan_out")

    @property
    def signer_ids(self) -> tuple[str, ...]:
        """Actor ids of everyone who signed, in order."""
        return tuple(s.signer for s in self.signatures)


def default_original(document: Document) -> bool:
    """Whether a document is filed as the original unless told otherwise (A6).

    A co-issuer of a joint document files a copy; everyone else the original.
    """
    return not (isinstance(document, IncomingDocument) and document.co_issuer)
