"""The incoming (收文) and outgoing (发文) tables with the rules that guard them (docs/rules.md)."""

from __future__ import annotations

import re
from datetime import date
from typing import Any, Final

from pydantic import Field, model_validator

from secretarial.kernel._enums import (
    Classification,
    OrganRelation,
    Retention,
    Role,
    Urgency,
)
from secretarial.kernel._fanout import FanOut, JoinPolicy, Party, PartyResponse
from secretarial.kernel._reminders import remind_spec
from secretarial.kernel._rules import (
    DEADLINE_NOT_PAST,
    LEAD_NOT_CO,
    Rule,
    TransitionContext,
    issuer_approval_required,
    reason_required,
)
from secretarial.kernel._rules import set_fields as _set
from secretarial.kernel._rules import set_reason as _set_reason
from secretarial.kernel._values import Attachment, Day, DocumentNumber, Name, Organ, Text, Unit
from secretarial.kernel._verbs import Return
from secretarial.kernel._workflow import (
    Allocation,
    CreationSpec,
    Input,
    TransitionSpec,
    WorkflowTable,
)

from ._enums import (
    Channel,
    DocumentKind,
    HandlingType,
    IncomingState,
    OutgoingState,
    RevocationKind,
)
from ._model import ArchivalClassText as _ArchivalClassText
from ._model import ArchivalCode as _ArchivalCode
from ._model import (
    CopyApproval,
    CopyNumber,
    CopyRecord,
    DispatchRecord,
    IncomingDocument,
    Instruction,
    OutgoingDocument,
    Proposal,
    Reading,
    Revocation,
    Signature,
    default_original,
)

__all__ = ["INCOMING_TABLE", "OUTGOING_TABLE"]

_CLERK = Role.CLERK.value
_DIRECTOR = Role.OFFICE_DIRECTOR.value
_LEADERS = frozenset({Role.LEADER.value, Role.PRINCIPAL_LEADER.value})
_PRINCIPAL = Role.PRINCIPAL_LEADER.value
_UNDERTAKER = frozenset({Role.UNDERTAKER.value})
_ARCHIVIST = frozenset({Role.ARCHIVIST.value})
_SUPERVISOR = frozenset({Role.SUPERVISOR.value})


# ============================================================================ rule helpers


def _doc(ctx: TransitionContext) -> Any:
    return ctx.entity


# ============================================================================ inputs
class RegisterIncoming(Input):
    """Input of ``register`` on an incoming document: the registration number and elements."""

    registration_number: Name
    number: DocumentNumber | None = None
    issuer_mark: Name | None = None
    date_of_issue: date | None = None
    urgency: Urgency | None = None
    page_count: int | None = Field(default=None, ge=1)
    signers: tuple[Name, ...] | None = None
    attachments: tuple[Attachment, ...] | None = Field(default=None, max_length=200)


class Propose(Input):
    """Input of ``propose``: the office director's handling proposal 拟办."""

    handling_type: HandlingType
    lead_unit: Unit | None = None
    note: Text | None = None


class Approve(Input):
    """Input of ``approve``: the leader's instruction 批示 and, for 办件, who does what by when."""

    instruction: Text
    lead_unit: Unit | None = None
    co_units: tuple[Unit, ...] = ()
    deadline: Day | None = None
    chaser: Name | None = None


class AssignIncoming(Input):
    """Input of ``assign`` on an incoming document: the undertaker."""

    assignee: Name


class Circulate(Input):
    """Input of ``circulate``: the readers, in order, and whether they read at once.

    In order (the default), each reader holds the document after the one before has
    read it; with ``parallel=True`` every reader holds it at once and marks it read in
    any order.
    """

    readers: tuple[Name, ...] = Field(min_length=1, max_length=500)
    parallel: bool = False

    @model_validator(mode="after")
    def _distinct(self) -> Circulate:
        if len(set(self.readers)) != len(self.readers):
            raise ValueError("each reader appears once in a circulation")
        return self


class MarkRead(Input):
    """Input of ``mark_read``: an optional comment by the reader."""

    comment: Text | None = None


class Complete(Input):
    """Input of ``complete``: the reply 答复 or result."""

    result: Text


class File(Input):
    """Input of ``file``: retention period, archival code 档号 and the record it joins.

    The archive fills it in when it files an item (docs/rules.md A1-A6): the office allocates
    ``archival_code`` in ``archival_class`` (A2, A3) and every document of the item gets
    the same code and ``record_id`` (A4).
    """

    retention: Retention
    archival_class: _ArchivalClassText
    archival_code: _ArchivalCode
    record_id: Name
    original: bool | None = None
    """Filed as the original (True) or a copy (False); None: a co-issuer's copy, else original."""
    reply: Name | None = None
    """For a request (请示): the id of the reply that answered it (A5)."""


class Review(Input):
    """Input of ``review``: the office director's opinion, if any."""

    opinion: Text | None = None


class Countersign(Input):
    """Input of ``countersign``: a co-issuer's leader signs a joint document 会签.

    As for ``sign``, a circle or a signature without comment is consent (Art. 22).
    """

    organ: Organ
    opinion: Text | None = None
    circled: bool = False


class Sign(Input):
    """Input of ``sign``: the signer's opinion 签发意见, if any.

    The Regulation (Art. 22) counts a leader's circling (圈阅, ``circled=True``) or a
    signature without comment as consent: the opinion may be left out; the name and the
    full date are always recorded.
    """

    opinion: Text | None = None
    circled: bool = False


class RegisterOutgoing(Input):
    """Input of ``register`` on an outgoing document: its number and number of copies."""

    number: DocumentNumber
    copies: int = Field(default=1, ge=1, le=100_000)


class Print(Input):
    """Input of ``print``: copy numbers 份号 for classified documents, and the seal."""

    copy_numbers: tuple[CopyNumber, ...] = Field(default=(), max_length=100_000)
    sealed: bool = True


class Dispatch(Input):
    """Input of ``dispatch``: how the copies leave."""

    channel: Channel = Channel.ELECTRONIC


# ============================================================================ filing
def _check_code_in_class(ctx: TransitionContext) -> str | None:
    archival_class = ctx.input("archival_class")
    code = ctx.input("archival_code")
    retention = ctx.input("retention")
    if archival_class is None or code is None:
        return None
    if not re.fullmatch(rf"{re.escape(archival_class)}-[0-9]{{4}}", code):
        return f"the archival code {code} is not in the class {archival_class}"
    if retention is not None and archival_class.split("-")[2] != retention.value:
        return f"the class {archival_class} is not of the retention period {retention.value}"
    return None


A2_CODE_IN_CLASS = Rule(
    "A2",
    "code-in-its-class",
    "the archival code is drawn in the class of the item's year, retention and unit",
    _check_code_in_class,
    on_input=True,
)


def _check_request_replied(ctx: TransitionContext) -> str | None:
    doc = _doc(ctx)
    if doc.kind is DocumentKind.REQUEST and ctx.input("reply") is None:
        return (
            "a request (请示) still waiting for its reply is not filed: file it with its reply "
            "or name the reply (reply=...)"
        )
    return None


A5_REQUEST_REPLIED = Rule(
    "A5",
    "finished-matters-only",
    "only finished matters are filed: a request waits for its reply",
    _check_request_replied,
    on_input=True,
)


def _check_joint_original(ctx: TransitionContext) -> str | None:
    doc = _doc(ctx)
    original = ctx.input("original")
    if original is None:
        return None
    if original and not default_original(doc):
        return (
            f"this office co-issued the joint document led by {doc.sender.name}: it files a "
            "copy (original=False); the lead organ files the original"
        )
    if not original and isinstance(doc, OutgoingDocument) and doc.joint_issuers:
        return "this office led the joint document: it files the original, the co-issuers copies"
    return None


A6_JOINT_ORIGINAL = Rule(
    "A6",
    "lead-organ-files-original",
    "of a joint document the lead organ files the original, the others copies",
    _check_joint_original,
    on_input=True,
)
FILING_RULES = (A2_CODE_IN_CLASS, A5_REQUEST_REPLIED, A6_JOINT_ORIGINAL)
"""The rules the ``file`` trigger of both document tables checks."""


def _file(ctx: TransitionContext) -> dict[str, Any]:
    """The ``file`` effect: the document takes the item's retention, class, code and record."""
    names = ("retention", "archival_code", "archival_class", "record_id")
    return {name: ctx.input(name) for name in names}


_ARCHIVAL = Allocation("archival_code", "archival")


# ============================================================================ incoming
def _check_classified_copy_number(ctx: TransitionContext) -> str | None:
    doc = _doc(ctx)
    if doc.classification is not Classification.UNCLASSIFIED and doc.copy_number is None:
        return (
            f"a {doc.classification.label} document carries a six-digit copy number (copy_number)"
        )
    return None


D3_COPY_NUMBER = Rule(
    "D3",
    "classified-copy-number",
    "a classified document carries a six-digit copy number",
    _check_classified_copy_number,
)
D16_RETURN_REASON = reason_required("D16", "return-needs-reason", "returning a document")


def _check_urgent_deadline(ctx: TransitionContext) -> str | None:
    doc = _doc(ctx)
    if doc.urgency is not None and ctx.input("deadline") is None:
        return (
            f"an urgent ({doc.urgency.label}) document must get a handling deadline (deadline=...)"
        )
    return None


D16_URGENT_DEADLINE = Rule(
    "D16",
    "urgent-needs-deadline",
    "an urgent document carries a handling deadline",
    _check_urgent_deadline,
    on_input=True,
)


def _check_chaser(ctx: TransitionContext) -> str | None:
    doc = _doc(ctx)
    if (doc.urgency is not None or doc.important) and ctx.input("chaser") is None:
        return "an urgent or important document names a person to chase it (chaser=...)"
    return None


D16_CHASER = Rule(
    "D16",
    "urgent-needs-chaser",
    "an urgent or important document names a person to chase it",
    _check_chaser,
    on_input=True,
)


def _check_lead_for_handling(ctx: TransitionContext) -> str | None:
    doc = _doc(ctx)
    if doc.handling_type is not HandlingType.FOR_HANDLING:
        return None
    proposed = doc.proposal.lead_unit if doc.proposal is not None else None
    if ctx.input("lead_unit") is None and proposed is None:
        return "a document for handling (办件) names a lead unit (lead_unit=...)"
    return None


D16_LEAD_UNIT = Rule(
    "D16",
    "lead-unit-named",
    "a document for handling names one lead unit",
    _check_lead_for_handling,
    on_input=True,
)


def _handling_is(kind: HandlingType) -> Rule:
    def check(ctx: TransitionContext) -> str | None:
        actual = _doc(ctx).handling_type
        if actual is kind:
            return None
        found = "none" if actual is None else f"{actual.value} ({actual.label})"
        return f"only a document {kind.value} ({kind.label}) takes this step; this one is {found}"

    return Rule("HANDLING", f"only-{kind.value}", f"only for {kind.value} ({kind.label})", check)


def _check_current_holder(ctx: TransitionContext) -> str | None:
    holders = _doc(ctx).current_holders
    if ctx.actor.id in holders:
        return None
    if not holders:
        return "every reader has already read it"
    return f"the document is with {', '.join(holders)}, not {ctx.actor.id}"


CURRENT_HOLDER = Rule(
    "CIRCULATION",
    "reader-holds-it",
    "only a reader who holds the document marks it read (the next in order, or any "
    "reader of a parallel circulation)",
    _check_current_holder,
)


def _check_all_read(ctx: TransitionContext) -> str | None:
    waiting = [r.reader for r in _doc(ctx).readers if r.read_at is None]
    return f"still to read: {', '.join(waiting)}" if waiting else None


ALL_READ = Rule(
    "CIRCULATION",
    "all-have-read",
    "circulation ends when every reader has read",
    _check_all_read,
)


def _check_assignee(ctx: TransitionContext) -> str | None:
    assignee = _doc(ctx).assignee
    if assignee is None or ctx.acts_as(assignee):
        return None
    return f"the document was assigned to {assignee}, not {ctx.actor.id}"


ASSIGNEE = Rule(
    "ASSIGNEE", "assignee-completes", "the assigned undertaker completes it", _check_assignee
)


def _register_incoming(ctx: TransitionContext) -> dict[str, Any]:
    data = ctx.data
    assert isinstance(data, RegisterIncoming)  # noqa: S101 -- the engine validated it
    updates: dict[str, Any] = {"registration_number": data.registration_number}
    for name in (
        "number",
        "issuer_mark",
        "date_of_issue",
        "urgency",
        "page_count",
        "signers",
        "attachments",
    ):
        value = getattr(data, name)
        if value is not None:
            updates[name] = value
    return updates


def _propose(ctx: TransitionContext) -> dict[str, Any]:
    data = ctx.data
    assert isinstance(data, Propose)  # noqa: S101
    proposal = Proposal(
        by=ctx.actor.id,
        at=ctx.now,
        handling_type=data.handling_type,
        lead_unit=data.lead_unit,
        note=data.note,
    )
    return {"proposal": proposal, "handling_type": data.handling_type}


def _approve(ctx: TransitionContext) -> dict[str, Any]:
    data = ctx.data
    assert isinstance(data, Approve)  # noqa: S101
    doc: IncomingDocument = _doc(ctx)
    lead = data.lead_unit
    if lead is None and doc.handling_type is HandlingType.FOR_HANDLING and doc.proposal:
        lead = doc.proposal.lead_unit
    return {
        "instruction": Instruction(by=ctx.actor.id, at=ctx.now, text=data.instruction),
        "lead_unit": lead,
        "co_units": data.co_units,
        "deadline": data.deadline,
        "chaser": data.chaser,
    }


def _circulate(ctx: TransitionContext) -> dict[str, Any]:
    data = ctx.data
    assert isinstance(data, Circulate)  # noqa: S101
    return {
        "readers": tuple(Reading(reader=r) for r in data.readers),
        "parallel_circulation": data.parallel,
    }


def _mark_read(ctx: TransitionContext) -> dict[str, Any]:
    data = ctx.data
    assert isinstance(data, MarkRead)  # noqa: S101
    readers = list(_doc(ctx).readers)
    for i, reading in enumerate(readers):
        if reading.read_at is None and reading.reader == ctx.actor.id:
            readers[i] = Reading(reader=reading.reader, read_at=ctx.now, comment=data.comment)
            break
    return {"readers": tuple(readers)}


class ApproveCopy(Input):
    """Input of ``approve_copy``: how many copies a leader approves (D17).

    A top-secret (绝密) document is copied only where work truly requires it, with the
    approval of its issuing organ or that organ's superior: ``issuer_approval`` names it
    (the organ and its letter or number).
    """

    copies: int = Field(ge=1, le=1000)
    note: Text | None = None
    issuer_approval: Text | None = None


class RecordCopy(Input):
    """Input of ``record_copy``: copies made, and why (复制登记).

    ``stamp`` is the copying organ's stamp the copies bear (复制机关戳记); ``copy_numbers``
    the copies' own numbers (份号), one per copy when given.
    """

    copies: int = Field(ge=1, le=1000)
    purpose: Text | None = None
    stamp: Name | None = None
    copy_numbers: tuple[Name, ...] = ()

    @model_validator(mode="after")
    def _one_number_per_copy(self) -> RecordCopy:
        if self.copy_numbers and len(self.copy_numbers) != self.copies:
            raise ValueError(
                f"copy_numbers names {len(self.copy_numbers)} copies, not {self.copies}: "
                "give one number per copy, or none"
            )
        if len(set(self.copy_numbers)) != len(self.copy_numbers):
            raise ValueError("a copy number is given twice")
        return self


_HELD_STATES = tuple(
    s
    for s in IncomingState
    if s not in (IncomingState.RECEIVED, IncomingState.RETURNED, IncomingState.FILED)
)
"""The states in which the office holds a registered document it may copy."""


D17_TOP_SECRET_COPY = issuer_approval_required(
    "D17",
    "top-secret-copy-needs-issuer-approval",
    "document is copied",
    "a top-secret document is copied only with the issuing organ's (or its superior's) approval",
)


def _check_approved_copies(ctx: TransitionContext) -> str | None:
    doc: IncomingDocument = _doc(ctx)
    if doc.classification is Classification.UNCLASSIFIED:
        return None
    approved = sum(a.copies for a in doc.copy_approvals)
    made = sum(c.copies for c in doc.copies_made)
    wanted = ctx.input("copies", 0)
    if made + wanted <= approved:
        return None
    return (
        f"copying a {doc.classification.label} document needs a leader's approval: "
        f"{approved} approved, {made} made, {wanted} more asked (approve_copy first)"
    )


D17_APPROVED_COPIES = Rule(
    "D17",
    "copying-needs-approval",
    "copies of a secret or confidential document stay within a leader's recorded approval",
    _check_approved_copies,
    on_input=True,
)


def _check_copies_marked(ctx: TransitionContext) -> str | None:
    if not (ctx.input("stamp") or "").strip():
        return "a copy bears the copying organ's stamp (复制机关戳记): give stamp=..."
    classified = ctx.entity.classification is not Classification.UNCLASSIFIED
    if classified and not ctx.input("copy_numbers"):
        return (
            "a copy of a classified document is managed as the original and carries its "
            "own copy number (份号): give copy_numbers=[...], one per copy"
        )
    return None


D17_COPIES_MARKED = Rule(
    "D17",
    "copies-bear-stamp-and-numbers",
    "a copy bears the copying organ's stamp; a classified document's copies carry their "
    "own numbers",
    _check_copies_marked,
    on_input=True,
    since=2,
)


def _approve_copy(ctx: TransitionContext) -> dict[str, Any]:
    data = ctx.data
    assert isinstance(data, ApproveCopy)  # noqa: S101 -- the engine validated it
    doc: IncomingDocument = _doc(ctx)
    approval = CopyApproval(
        by=ctx.actor.id,
        at=ctx.now,
        copies=data.copies,
        note=data.note,
        issuer_approval=data.issuer_approval,
    )
    return {"copy_approvals": (*doc.copy_approvals, approval)}


def _record_copy(ctx: TransitionContext) -> dict[str, Any]:
    data = ctx.data
    assert isinstance(data, RecordCopy)  # noqa: S101 -- the engine validated it
    doc: IncomingDocument = _doc(ctx)
    made = CopyRecord(
        by=ctx.actor.id,
        at=ctx.now,
        copies=data.copies,
        purpose=data.purpose,
        stamp=data.stamp,
        copy_numbers=data.copy_numbers,
    )
    return {"copies_made": (*doc.copies_made, made)}


# ============================================================================ revocation (D18)
class Revoke(Input):
    """Input of ``revoke`` 撤销 and ``abolish`` 废止 of a document of this office (D18).

    ``decided_by`` is the organ that decided, when it is not this office (the issuing
    organ): a superior organ, or an organ of state power (权力机关, ``by_authority``).
    ``decision`` is the decision or notice, by document number or entity id;
    ``ceases_from`` the abolition date (an abolition only: a revoked document is void
    from the start).
    """

    decided_by: Organ | None = None
    by_authority: bool = False
    decision: Name | None = None
    ceases_from: date | None = None
    note: Text | None = None


class RecordRevocation(Input):
    """Input of ``record_revocation`` 登记撤销废止 (D18): a received document revoked or abolished.

    Recorded from the issuer's notice (``decision``); ``decided_by`` defaults to the
    document's sender.
    """

    kind: RevocationKind
    decided_by: Organ | None = None
    by_authority: bool = False
    decision: Name | None = None
    ceases_from: date | None = None
    note: Text | None = None


_RECEIVED_INTO_EFFECT = tuple(
    s for s in IncomingState if s not in (IncomingState.RECEIVED, IncomingState.RETURNED)
)
"""The states of an incoming document the office registered and did not send back."""
_REVOCATION_KINDS: Final = {"revoke": RevocationKind.REVOKED, "abolish": RevocationKind.ABOLISHED}


def _revocation_kind(ctx: TransitionContext) -> RevocationKind | None:
    kind = _REVOCATION_KINDS.get(ctx.trigger)
    return kind if kind is not None else ctx.input("kind")


def _check_revocation(ctx: TransitionContext) -> str | None:
    doc = _doc(ctx)
    kind = _revocation_kind(ctx)
    done = doc.revocation
    if done is not None and (
        done.kind is RevocationKind.REVOKED or kind is RevocationKind.ABOLISHED
    ):
        return f"{doc.id} is already {done.kind.label}: {done.text}"
    ceases_from = ctx.input("ceases_from")
    if kind is RevocationKind.REVOKED and ceases_from is not None:
        return (
            "a revoked document is void from the start (视为自始无效): give no ceases_from, "
            "or abolish it instead"
        )
    if kind is RevocationKind.ABOLISHED:
        if ceases_from is None:
            return "an abolished document ceases to have effect from a date: give ceases_from"
        issued = doc.date_of_issue
        if issued is not None and ceases_from < issued:
            return (
                f"ceases_from {ceases_from.isoformat()} is before the date of issue "
                f"{issued.isoformat()}; accepted: that date or later"
            )
    return None


D18_REVOCATION = Rule(
    "D18",
    "revoked-or-abolished-once",
    "a document is revoked once, or abolished once (then perhaps revoked); an abolition "
    "is dated no earlier than the document, a revocation is void from the start",
    _check_revocation,
    on_input=True,
)


def _check_decided_by(ctx: TransitionContext) -> str | None:
    organ = ctx.input("decided_by")
    if organ is None:
        if ctx.actor.roles.isdisjoint(_LEADERS):
            return (
                "this office's own revocation or abolition is decided by a leader "
                "(leader, principal_leader); a clerk records another organ's decision "
                "(decided_by=...)"
            )
        return None
    if ctx.input("by_authority"):
        return None
    if organ.relation in (OrganRelation.SUPERIOR, OrganRelation.HIGHER_SUPERIOR):
        return None
    return (
        f"{organ.name} may not revoke or abolish this office's documents: only this office "
        "(decided_by omitted), a superior organ, or an organ of state power "
        "(by_authority=True) decides it"
    )


D18_DECIDED_BY = Rule(
    "D18",
    "decided-by-issuer-superior-or-authority",
    "a document is revoked or abolished by its issuing organ (a leader of this office), a "
    "superior organ or an organ of state power",
    _check_decided_by,
    on_input=True,
)


def _revoke(ctx: TransitionContext) -> dict[str, Any]:
    doc = _doc(ctx)
    kind = _revocation_kind(ctx)
    assert kind is not None  # noqa: S101 -- the input model requires it
    decided_by = ctx.input("decided_by")
    if decided_by is None and isinstance(doc, IncomingDocument):
        decided_by = doc.sender
    return {
        "revocation": Revocation(
            by=ctx.actor.id,
            at=ctx.now,
            kind=kind,
            decided_by=decided_by,
            by_authority=bool(ctx.input("by_authority")),
            decision=ctx.input("decision"),
            ceases_from=ctx.input("ceases_from"),
            note=ctx.input("note"),
        )
    }


INCOMING_TABLE: WorkflowTable[IncomingDocument] = WorkflowTable(
    name="incoming_document",
    entity_type=IncomingDocument,
    states=IncomingState,
    description="收文办理: received → registered → approved → filed",
    creation=CreationSpec(
        "receive",
        IncomingState.RECEIVED,
        frozenset({_CLERK}),
        (D3_COPY_NUMBER,),
        "签收",
        managed=frozenset(
            {
                "revocation",
                "registration_number",
                "copy_approvals",
                "copies_made",
                "proposal",
                "instruction",
                "handling_type",
                "lead_unit",
                "co_units",
                "chaser",
                "assignee",
                "readers",
                "parallel_circulation",
                "result",
                "return_reason",
                "retention",
                "archival_code",
                "archival_class",
                "record_id",
                "deadline",
            }
        ),
    ),
    transitions=(
        TransitionSpec(
            "register",
            (IncomingState.RECEIVED,),
            IncomingState.REGISTERED,
            frozenset({_CLERK}),
            data=RegisterIncoming,
            effect=_register_incoming,
            label="登记",
            allocates=Allocation("registration_number", "incoming"),
            revalidate=frozenset({"urgency"}),  # D5 looks at urgency
        ),
        TransitionSpec(
            "screen",
            (IncomingState.REGISTERED,),
            IncomingState.SCREENED,
            frozenset({_CLERK, _DIRECTOR}),
            label="初审",
        ),
        TransitionSpec(
            "return_to_sender",
            (IncomingState.REGISTERED,),
            IncomingState.RETURNED,
            frozenset({_CLERK, _DIRECTOR}),
            (D16_RETURN_REASON,),
            effect=_set_reason("return_reason"),
            label="退回",
        ),
        TransitionSpec(
            "propose",
            (IncomingState.SCREENED,),
            IncomingState.PROPOSED,
            frozenset({_DIRECTOR}),
            data=Propose,
            effect=_propose,
            label="拟办",
            withdrawable=True,
        ),
        TransitionSpec(
            "approve",
            (IncomingState.PROPOSED,),
            IncomingState.APPROVED,
            _LEADERS,
            (D16_URGENT_DEADLINE, D16_CHASER, D16_LEAD_UNIT, LEAD_NOT_CO, DEADLINE_NOT_PAST),
            data=Approve,
            effect=_approve,
            label="批办",
        ),
        TransitionSpec(
            "assign",
            (IncomingState.APPROVED,),
            IncomingState.IN_HANDLING,
            frozenset({_DIRECTOR, _CLERK}),
            (_handling_is(HandlingType.FOR_HANDLING),),
            data=AssignIncoming,
            effect=_set(assignee="assignee"),
            label="承办",
        ),
        TransitionSpec(
            "circulate",
            (IncomingState.APPROVED,),
            IncomingState.CIRCULATING,
            frozenset({_CLERK}),
            (_handling_is(HandlingType.FOR_READING),),
            data=Circulate,
            effect=_circulate,
            label="传阅",
        ),
        TransitionSpec(
            "mark_read",
            (IncomingState.CIRCULATING,),
            None,
            None,
            (CURRENT_HOLDER,),
            data=MarkRead,
            effect=_mark_read,
            label="阅知",
            parallel=True,
        ),
        TransitionSpec(
            "complete",
            (IncomingState.IN_HANDLING,),
            IncomingState.COMPLETED,
            _UNDERTAKER,
            (ASSIGNEE,),
            data=Complete,
            effect=_set(result="result"),
            label="办结",
        ),
        TransitionSpec(
            "finish_reading",
            (IncomingState.CIRCULATING,),
            IncomingState.COMPLETED,
            frozenset({_CLERK}),
            (ALL_READ,),
            label="阅毕",
        ),
        TransitionSpec(
            "file",
            (IncomingState.COMPLETED,),
            IncomingState.FILED,
            _ARCHIVIST,
            FILING_RULES,
            data=File,
            effect=_file,
            label="归档",
            allocates=_ARCHIVAL,
        ),
        remind_spec(
            s for s in IncomingState if s not in (IncomingState.RETURNED, IncomingState.FILED)
        ),
        TransitionSpec(
            "approve_copy",
            _HELD_STATES,
            None,
            _LEADERS,
            (D17_TOP_SECRET_COPY,),
            data=ApproveCopy,
            effect=_approve_copy,
            label="批准复制",
            awaited=False,
        ),
        TransitionSpec(
            "record_copy",
            _HELD_STATES,
            None,
            frozenset({_CLERK}),
            (D17_APPROVED_COPIES, D17_COPIES_MARKED),
            data=RecordCopy,
            effect=_record_copy,
            label="复制登记",
            awaited=False,
        ),
        TransitionSpec(
            "record_revocation",
            tuple(
                s
                for s in IncomingState
                if s not in (IncomingState.RECEIVED, IncomingState.RETURNED)
            ),
            None,
            frozenset({_CLERK, Role.ARCHIVIST.value}),
            (D18_REVOCATION,),
            data=RecordRevocation,
            effect=_revoke,
            label="登记撤销废止",
            awaited=False,
        ),
    ),
    returns=(
        # The leader sends a proposal back to be proposed anew (退回重拟).
        Return((IncomingState.PROPOSED,), IncomingState.SCREENED, _LEADERS),
        # The undertaker returns a document that is not theirs to whoever assigned it.
        Return((IncomingState.IN_HANDLING,), IncomingState.APPROVED, _UNDERTAKER),
    ),
    reassign=frozenset({_DIRECTOR}),
)


# ============================================================================ outgoing
def _check_no_number_at_drafting(ctx: TransitionContext) -> str | None:
    if _doc(ctx).number is not None:
        return "the document number is assigned at registration after signing, not at drafting"
    return None


D7_NUMBER_AT_REGISTRATION = Rule(
    "D7",
    "number-at-registration",
    "the number is assigned at outgoing registration, never at drafting",
    _check_no_number_at_drafting,
)


def _check_drafter(ctx: TransitionContext) -> str | None:
    drafter = _doc(ctx).created_by
    return None if ctx.acts_as(drafter) else f"only the drafter {drafter} submits it"


DRAFTER = Rule("DRAFTER", "drafter-submits", "the drafter submits the draft", _check_drafter)


def _check_request(ctx: TransitionContext) -> str | None:
    doc: OutgoingDocument = _doc(ctx)
    if doc.kind is not DocumentKind.REQUEST:
        return None
    if len(doc.requests) != 1:
        return f"a request (请示) asks one matter; this one asks {len(doc.requests)} (requests=...)"
    if len(doc.main_recipients) != 1:
        return (
            "a request (请示) has exactly one main recipient; "
            f"this one has {len(doc.main_recipients)}"
        )
    if doc.main_recipients[0].relation is not OrganRelation.SUPERIOR:
        return "the main recipient of a request (请示) is a superior organ"
    lower = _copied_down(doc)
    if lower:
        return f"a request (请示) is never copied to lower organs: {lower}"
    return None


def _copied_down(doc: OutgoingDocument) -> str:
    """The lower organs ``doc`` is copied to, joined with commas (empty if none)."""
    return ", ".join(o.name for o in doc.cc if o.relation is OrganRelation.SUBORDINATE)


D11_REQUEST = Rule(
    "D11",
    "one-request-one-matter",
    "a request asks one matter of exactly one superior organ and is not copied downward",
    _check_request,
)


def _check_report(ctx: TransitionContext) -> str | None:
    doc: OutgoingDocument = _doc(ctx)
    if doc.kind is DocumentKind.REPORT and doc.requests:
        return "a report (报告) must not contain requests; send a request (请示) instead"
    return None


D11_REPORT = Rule("D11", "report-without-requests", "a report contains no requests", _check_report)


def _check_upward(ctx: TransitionContext) -> str | None:
    doc: OutgoingDocument = _doc(ctx)
    if not doc.is_upward:
        return None
    if len(doc.main_recipients) != 1:
        names = ", ".join(o.name for o in doc.main_recipients)
        return (
            "an upward document is addressed to one superior organ; main_recipients "
            f"names {len(doc.main_recipients)} ({names}): keep that one, copy the others (cc)"
        )
    lower = _copied_down(doc)
    if lower:
        return f"an upward document is not copied to lower organs: {lower}"
    return None


D11_UPWARD = Rule(
    "D11",
    "upward-one-superior",
    "an upward document is addressed to one superior organ and not copied to lower organs",
    _check_upward,
    since=2,
)


def _check_skip_level(ctx: TransitionContext) -> str | None:
    doc: OutgoingDocument = _doc(ctx)
    skipping = [o.name for o in doc.main_recipients if o.relation is OrganRelation.HIGHER_SUPERIOR]
    if not skipping:
        if doc.skip_level_reason is not None:
            return (
                "skip_level_reason is for a document to an organ above the direct superior "
                "(a main recipient with relation higher_superior); this one skips no level"
            )
        return None
    if doc.skip_level_reason is None:
        return (
            f"{', '.join(skipping)} is above the direct superior: a document skips a level "
            "only in a special circumstance, stated as skip_level_reason"
        )
    if not any(o.relation is OrganRelation.SUPERIOR for o in doc.cc):
        return (
            "a document that skips a level is copied to the organ it skips: "
            "add the direct superior (relation superior) to cc"
        )
    return None


D12_SKIP_LEVEL = Rule(
    "D12",
    "no-skipping-levels",
    "a document skips a level only in a stated special circumstance, copied to the organ it skips",
    _check_skip_level,
    since=2,
)


def _check_to_leader(ctx: TransitionContext) -> str | None:
    doc: OutgoingDocument = _doc(ctx)
    if doc.to_leader is None or doc.leader_assigned:
        return None
    return (
        f"a document is addressed to {doc.to_leader} in person only for a matter that "
        "leader assigned directly (leader_assigned=True); otherwise address the organ"
    )


D12_TO_LEADER = Rule(
    "D12",
    "not-to-a-leader-in-person",
    "a document goes to a superior organ's leader in person only for a matter that leader "
    "assigned directly",
    _check_to_leader,
    since=2,
)
D14_SEND_BACK_REASON = reason_required("D14", "send-back-needs-reason", "sending a draft back")


def _check_principal_signs(ctx: TransitionContext) -> str | None:
    doc: OutgoingDocument = _doc(ctx)
    if not (doc.is_upward or doc.important):
        return None
    if _PRINCIPAL in ctx.actor.roles:
        return None
    why = "an upward" if doc.is_upward else "an important"
    return f"{why} document is signed by the principal leader (principal_leader)"


D13_PRINCIPAL_SIGNS = Rule(
    "D13",
    "principal-signs",
    "important and upward documents are signed by the principal leader",
    _check_principal_signs,
)


def _check_joint_countersigned(ctx: TransitionContext) -> str | None:
    doc: OutgoingDocument = _doc(ctx)
    signed = {s.organ.code for s in doc.countersignatures if s.organ is not None}
    missing = [o.name for o in doc.joint_issuers if o.code not in signed]
    if missing:
        still = ", ".join(missing)
        return (
            "every co-issuer's leader countersigns a joint document before it is checked "
            f"and numbered; still to sign: {still}"
        )
    return None


D9_ALL_COUNTERSIGNED = Rule(
    "D9",
    "every-co-issuer-signs",
    "every co-issuer's leader signs a joint document",
    _check_joint_countersigned,
)


def _check_countersign_organ(ctx: TransitionContext) -> str | None:
    doc: OutgoingDocument = _doc(ctx)
    organ = ctx.input("organ")
    if not doc.joint_issuers:
        return "only a joint document (joint_issuers) is countersigned"
    if organ is not None:
        if organ.code not in {o.code for o in doc.joint_issuers}:
            codes = ", ".join(o.code for o in doc.joint_issuers)
            return f"{organ.code} is not a co-issuer; co-issuers: {codes}"
        if any(s.organ is not None and s.organ.code == organ.code for s in doc.countersignatures):
            return f"{organ.code} has already signed"
    return None


D9_COUNTERSIGN = Rule(
    "D9",
    "co-issuer-countersigns",
    "each co-issuer of a joint document signs once",
    _check_countersign_organ,
)


_ROUNDS_SINCE: Final = 3
"""The event schema from which a joint document's review and countersignatures record the
co-issuers' round (``countersigning``): acts sealed before kept none, and replay so."""


def _check_decline_opinion(ctx: TransitionContext) -> str | None:
    if ctx.input("opinion") or ctx.reason:
        return None
    return "a co-issuer that does not agree says why: give its opinion (opinion=...)"


D9_DECLINE_OPINION = Rule(
    "D9",
    "co-issuer-declines-with-opinion",
    "a co-issuer that does not countersign gives its opinion, and the draft goes back",
    _check_decline_opinion,
    on_input=True,
    since=_ROUNDS_SINCE,
)


def _check_original_signer(ctx: TransitionContext) -> str | None:
    doc: OutgoingDocument = _doc(ctx)
    if doc.pending_change is None or not doc.signatures:
        return None
    original = doc.signatures[0].principal
    if ctx.acts_as(original):
        return None
    return f"a substantive change after signing goes back to the original signer {original}"


D15_ORIGINAL_SIGNER = Rule(
    "D15",
    "change-back-to-signer",
    "a substantive change after signing is signed again by the same signer",
    _check_original_signer,
)
D15_CHANGE_REASON = reason_required("D15", "change-needs-description", "a substantive change")


def _check_number_series(ctx: TransitionContext) -> str | None:
    doc: OutgoingDocument = _doc(ctx)
    number = ctx.input("number")
    if number is None:
        return None
    if number.organ_code != doc.issuer_code:
        return f"number {number} is not in this document's series {doc.issuer_code}"
    if number.year != ctx.now.year:
        return f"number {number} is not of the registration year {ctx.now.year}"
    return None


D6_NUMBER_SERIES = Rule(
    "D6",
    "number-in-series",
    "the number is in the issuer's series for the current year",
    _check_number_series,
    on_input=True,
)


def _check_copy_numbers(ctx: TransitionContext) -> str | None:
    doc: OutgoingDocument = _doc(ctx)
    numbers = ctx.input("copy_numbers", ())
    if doc.classification is Classification.UNCLASSIFIED:
        return None
    copies = doc.copies or 1
    if len(numbers) != copies:
        return (
            f"a {doc.classification.label} document carries a copy number on each of its "
            f"{copies} copies; got {len(numbers)} copy_numbers"
        )
    if len(set(numbers)) != len(numbers):
        return "copy numbers are distinct"
    return None


D3_COPY_NUMBERS = Rule(
    "D3",
    "classified-copy-numbers",
    "each copy of a classified document carries a copy number",
    _check_copy_numbers,
    on_input=True,
)


def _check_has_recipients(ctx: TransitionContext) -> str | None:
    doc: OutgoingDocument = _doc(ctx)
    return None if doc.main_recipients or doc.cc else "there is no main recipient or cc to send to"


RECIPIENTS = Rule(
    "DISPATCH", "has-recipients", "a dispatched document has recipients", _check_has_recipients
)


def _signed_off(
    ctx: TransitionContext,
    signatures: tuple[Signature, ...],
    countersignatures: tuple[Signature, ...],
) -> dict[str, Any]:
    """The date of issue and the 签发人 line, once the lead organ has signed.

    The date is the last signature's (D9). An upward document names its signers as
    GB/T 9704-2012 §7.2.4 orders them: the lead organ's first, then the co-issuers' in
    the order of the issuing organs (``joint_issuers``). Acts sealed under event schema 1
    listed the co-issuers' signers first, in the order they signed, then the lead's:
    they replay so.
    """
    doc: OutgoingDocument = _doc(ctx)
    if not signatures:
        return {}
    updates: dict[str, Any] = {
        "date_of_issue": max(s.signed_on for s in (*signatures, *countersignatures))
    }
    if doc.is_upward:
        lead = signatures[-1].name
        if ctx.schema_version == 1:
            names = [s.name for s in countersignatures] + [lead]
        else:
            place = {organ.code: n for n, organ in enumerate(doc.joint_issuers)}
            ordered = sorted(
                countersignatures,
                key=lambda s: place.get(s.organ.code, len(place)) if s.organ else len(place),
            )
            names = [lead] + [s.name for s in ordered]
        updates["signers"] = tuple(dict.fromkeys(names))
    return updates


def _countersign_round(doc: OutgoingDocument, ctx: TransitionContext) -> FanOut:
    """The co-issuers' round of countersigning (会签, D9) an answer is recorded in.

    The open one, or a new one, one more than the last: every co-issuer, in the order
    of the issuing organs, and every one of them must agree. A first round opened on a
    document countersigned before rounds were recorded (acts sealed under event schema
    2) counts those countersignatures as its agreements, recorded when it opens.
    """
    current = doc.countersigning
    if current is not None and not current.voided and current.outcome is None:
        return current
    signed = (
        ()
        if current is not None  # a round that ended took its countersignatures with it
        else tuple(
            PartyResponse(
                party=s.organ.code, agreed=True, opinion=s.opinion, by=s.signer, at=ctx.now
            )
            for s in doc.countersignatures
            if s.organ is not None
        )
    )
    return FanOut(
        step=OutgoingState.REVIEWED.value,
        round=1 if current is None else current.round + 1,
        parties=tuple(Party.of(organ) for organ in doc.joint_issuers),
        policy=JoinPolicy.all(),
        responses=signed,
        started_at=ctx.now,
    )


def _answered(
    doc: OutgoingDocument,
    ctx: TransitionContext,
    organ: Organ,
    opinion: str | None,
    *,
    agreed: bool,
) -> FanOut:
    """The co-issuers' round with ``organ``'s answer recorded."""
    current = _countersign_round(doc, ctx)
    response = PartyResponse(
        party=organ.code, agreed=agreed, opinion=opinion, by=ctx.actor.id, at=ctx.now
    )
    answered = current.model_copy(update={"responses": (*current.responses, response)})
    if answered.outcome is not None:
        answered = answered.model_copy(update={"decided_at": ctx.now})
    return answered


def open_countersigning(ctx: TransitionContext) -> dict[str, Any]:
    """The effect that opens the co-issuers' round of a joint document (会签, D9).

    The built-in ``review`` has it; a table of an office's own that reaches ``reviewed``
    by other rows (review levels of its own) gives it to the row that gets there, so the
    co-issuers are waited for — reminded, listed in their briefs — from that moment
    rather than from the first countersignature. Nothing for a single issuer's document.
    """
    doc: OutgoingDocument = _doc(ctx)
    if doc.joint_issuers and ctx.schema_version >= _ROUNDS_SINCE:  # earlier acts kept none
        return {"countersigning": _countersign_round(doc, ctx)}
    return {}


def _review(ctx: TransitionContext) -> dict[str, Any]:
    """The review's opinion; for a joint document, the co-issuers' round opens (会签)."""
    return {"review_opinion": ctx.input("opinion"), **open_countersigning(ctx)}


def _unsigned(ctx: TransitionContext) -> dict[str, Any]:
    """A draft that goes back is unsigned: its signatures go, and what they made."""
    del ctx
    return {
        "signatures": (),
        "countersignatures": (),
        "signers": (),
        "date_of_issue": None,
        "pending_change": None,
    }


def _decline_countersign(ctx: TransitionContext) -> dict[str, Any]:
    """A co-issuer does not agree: its opinion is recorded, the draft goes back unsigned."""
    data = ctx.data
    assert isinstance(data, Countersign)  # noqa: S101
    doc: OutgoingDocument = _doc(ctx)
    answered = _answered(doc, ctx, data.organ, data.opinion or ctx.reason, agreed=False)
    return {"countersigning": answered, **_unsigned(ctx)}


def _countersign(ctx: TransitionContext) -> dict[str, Any]:
    data = ctx.data
    assert isinstance(data, Countersign)  # noqa: S101
    doc: OutgoingDocument = _doc(ctx)
    signature = Signature(
        signer=ctx.actor.id,
        name=ctx.actor.name,
        opinion=data.opinion,
        circled=data.circled,
        signed_on=ctx.now.date(),
        organ=data.organ,
    )
    countersignatures = (*doc.countersignatures, signature)
    updates: dict[str, Any] = {
        "countersignatures": countersignatures,
        **_signed_off(ctx, doc.signatures, countersignatures),
    }
    if ctx.schema_version >= _ROUNDS_SINCE:  # earlier acts kept no round
        updates["countersigning"] = _answered(doc, ctx, data.organ, data.opinion, agreed=True)
    return updates


def _sign(ctx: TransitionContext) -> dict[str, Any]:
    data = ctx.data
    assert isinstance(data, Sign)  # noqa: S101
    doc: OutgoingDocument = _doc(ctx)
    signature = Signature(
        signer=ctx.actor.id,
        name=ctx.actor.name,
        opinion=data.opinion,
        circled=data.circled,
        signed_on=ctx.now.date(),
        on_behalf_of=ctx.on_behalf_of,
    )
    signatures = (*doc.signatures, signature)
    return {
        "signatures": signatures,
        "pending_change": None,
        **_signed_off(ctx, signatures, doc.countersignatures),
    }


def _print(ctx: TransitionContext) -> dict[str, Any]:
    data = ctx.data
    assert isinstance(data, Print)  # noqa: S101
    return {
        "copy_numbers": data.copy_numbers,
        "sealed": data.sealed,
        "printing_date": ctx.now.date(),
    }


def _dispatch(ctx: TransitionContext) -> dict[str, Any]:
    data = ctx.data
    assert isinstance(data, Dispatch)  # noqa: S101
    doc: OutgoingDocument = _doc(ctx)
    records = tuple(
        DispatchRecord(recipient=organ, at=ctx.now, channel=data.channel)
        for organ in (*doc.main_recipients, *doc.cc)
    )
    return {"dispatches": records}


def _register_outgoing(ctx: TransitionContext) -> dict[str, Any]:
    data = ctx.data
    assert isinstance(data, RegisterOutgoing)  # noqa: S101
    return {"number": data.number, "copies": data.copies}


OUTGOING_TABLE: WorkflowTable[OutgoingDocument] = WorkflowTable(
    name="outgoing_document",
    entity_type=OutgoingDocument,
    states=OutgoingState,
    description="发文办理: drafted → reviewed → signed → registered → dispatched → filed",
    creation=CreationSpec(
        "draft",
        OutgoingState.DRAFTED,
        None,
        (D7_NUMBER_AT_REGISTRATION,),
        "起草",
        managed=frozenset(
            {
                "revocation",
                "review_opinion",
                "signatures",
                "countersignatures",
                "pending_change",
                "copies",
                "copy_numbers",
                "dispatches",
                "retention",
                "archival_code",
                "archival_class",
                "record_id",
                "date_of_issue",
                "printing_date",
                "signers",
                "fan_out",
                "countersigning",
            }
        ),
    ),
    transitions=(
        TransitionSpec(
            "submit",
            (OutgoingState.DRAFTED,),
            OutgoingState.SUBMITTED,
            None,
            (DRAFTER, D11_REQUEST, D11_REPORT, D11_UPWARD, D12_SKIP_LEVEL, D12_TO_LEADER),
            label="送审",
            withdrawable=True,
        ),
        TransitionSpec(
            "review",
            (OutgoingState.SUBMITTED,),
            OutgoingState.REVIEWED,
            frozenset({_DIRECTOR}),
            data=Review,
            effect=_review,
            label="审核",
            withdrawable=True,
        ),
        TransitionSpec(
            "send_back",
            (OutgoingState.SUBMITTED,),
            OutgoingState.DRAFTED,
            frozenset({_DIRECTOR}),
            (D14_SEND_BACK_REASON,),
            effect=_set_reason("review_opinion"),
            label="退改",
        ),
        TransitionSpec(
            "countersign",
            (OutgoingState.REVIEWED, OutgoingState.SIGNED),
            None,
            _LEADERS,
            (D9_COUNTERSIGN,),
            data=Countersign,
            effect=_countersign,
            label="会签",
            signs=True,
            parallel=True,
        ),
        TransitionSpec(
            "decline_countersign",
            (OutgoingState.REVIEWED, OutgoingState.SIGNED),
            OutgoingState.DRAFTED,
            _LEADERS,
            (D9_COUNTERSIGN, D9_DECLINE_OPINION),
            data=Countersign,
            effect=_decline_countersign,
            label="会签不同意",
            parallel=True,
        ),
        TransitionSpec(
            "sign",
            (OutgoingState.REVIEWED,),
            OutgoingState.SIGNED,
            _LEADERS,
            (D13_PRINCIPAL_SIGNS, D15_ORIGINAL_SIGNER),
            data=Sign,
            effect=_sign,
            label="签发",
            signs=True,
            delegable=True,
        ),
        TransitionSpec(
            "recheck",
            (OutgoingState.SIGNED,),
            OutgoingState.RECHECKED,
            frozenset({_CLERK}),
            (D9_ALL_COUNTERSIGNED,),
            label="复核",
        ),
        TransitionSpec(
            "resign",
            (OutgoingState.SIGNED,),
            OutgoingState.REVIEWED,
            frozenset({_CLERK}),
            (D15_CHANGE_REASON,),
            effect=_set_reason("pending_change"),
            label="重新签发",
        ),
        TransitionSpec(
            "register",
            (OutgoingState.RECHECKED,),
            OutgoingState.REGISTERED,
            frozenset({_CLERK}),
            (D6_NUMBER_SERIES,),
            data=RegisterOutgoing,
            effect=_register_outgoing,
            label="登记",
            allocates=Allocation("number", "outgoing"),
        ),
        TransitionSpec(
            "print",
            (OutgoingState.REGISTERED,),
            OutgoingState.PRINTED,
            frozenset({_CLERK}),
            (D3_COPY_NUMBERS,),
            data=Print,
            effect=_print,
            label="印制",
        ),
        TransitionSpec(
            "dispatch",
            (OutgoingState.PRINTED,),
            OutgoingState.DISPATCHED,
            frozenset({_CLERK}),
            (RECIPIENTS,),
            data=Dispatch,
            effect=_dispatch,
            label="核发",
        ),
        TransitionSpec(
            "file",
            (OutgoingState.DISPATCHED,),
            OutgoingState.FILED,
            _ARCHIVIST,
            FILING_RULES,
            data=File,
            effect=_file,
            label="归档",
            allocates=_ARCHIVAL,
        ),
        *(
            TransitionSpec(
                trigger,
                (OutgoingState.DISPATCHED, OutgoingState.FILED),
                None,
                frozenset({*_LEADERS, _CLERK}),
                (D18_DECIDED_BY, D18_REVOCATION),
                data=Revoke,
                effect=_revoke,
                label=kind.label,
                awaited=False,
            )
            for trigger, kind in _REVOCATION_KINDS.items()
        ),
        remind_spec(s for s in OutgoingState if s is not OutgoingState.FILED),
    ),
    returns=(
        # The signing leader returns a draft to its reviewer or to its drafter; the
        # co-issuers who countersigned it will countersign what comes back.
        Return((OutgoingState.REVIEWED,), OutgoingState.SUBMITTED, _LEADERS, effect=_unsigned),
        Return((OutgoingState.REVIEWED,), OutgoingState.DRAFTED, _LEADERS, effect=_unsigned),
    ),
    reassign=frozenset({_DIRECTOR}),
)
