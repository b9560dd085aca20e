"""The archive's use cases: file an item, catalogue it, and dispose of it (docs/rules.md A1-A8).

:func:`file_item` files one item 件 in one unit of work: every document of the item
fires its ``file`` trigger with the same retention period and archival code 档号, and
the :class:`~secretarial.records.Record` of the item is created beside them. The code's
item number is drawn from the ``archival`` numbering series inside that unit of work, so
a refused filing consumes no number and concurrent filings never share one.

:func:`filing_catalogue` writes the filing catalogue 归档文件目录 (A7) as a
:class:`Register`; :func:`due_for_review` lists records whose retention has ended; and
:func:`destroy_record` destroys a record whose destruction an appraisal approved,
leaving its tombstone in the audit trail (A8). The other record triggers (``appraise``,
``retain``, ``approve_destruction``, ``extend_retention``, ``place_hold``,
``release_hold``) are fired like any other trigger.

Nothing here reads a clock: the caller passes ``now`` and the office's time zone.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, tzinfo
from typing import Any, Final, cast

from secretarial.documents._enums import DocumentKind
from secretarial.documents._model import Document, default_original
from secretarial.engine._fire import Change, FireContext, run_change
from secretarial.engine._ports import Store
from secretarial.errors import (
    FieldProblem,
    TransitionNotAllowed,
    ValidationError,
)
from secretarial.kernel._enums import Classification, EntityKind, Retention
from secretarial.kernel._query import Query
from secretarial.kernel._register import Register, RegisterColumn

from ._enums import RecordState
from ._model import (
    ArchiveSettings,
    Record,
    answers,
    document_date,
    document_year,
    item_problem,
    longer_or_equal,
    record_scope,
    responsible_party,
    retention_end,
    tombstone_of,
)

__all__ = [
    "CATALOGUE_COLUMNS",
    "FiledItem",
    "destroy_record",
    "due_for_review",
    "file_item",
    "filing_catalogue",
]

FILE: Final = "file"
"""The trigger that files a document (and the record's creation trigger)."""
_SEPARATOR: Final = "；"
"""Joins several remarks in one catalogue cell, as Chinese registers do."""


@dataclass(frozen=True, slots=True)
class FiledItem:
    """What filing an item produced.

    Attributes:
        record: The record of the item (its archival code, retention and catalogue entry).
        documents: The documents of the item as filed, the lead first.
    """

    record: Record
    documents: tuple[Document, ...]


# ============================================================================ filing
def file_item(
    store: Store,
    context: FireContext,
    settings: ArchiveSettings,
    documents: Sequence[str],
    *,
    record_class: str,
    timezone: tzinfo,
    retention: Retention | str | None = None,
    unit: str | None = None,
    original: bool | None = None,
    reply: str | None = None,
    remark: str | None = None,
) -> FiledItem:
    """File documents as one item under one archival code, and create its record.

    Args:
        store: Where the documents are and the record goes.
        context: Who files (an archivist), when, and the office's workflows, numbering
            (the item number comes from the ``archival`` series) and ids.
        settings: The archive's fonds, category, classification scheme (by unit or
            not), default unit and retention schedule.
        documents: The ids of the item's documents, the lead first: the reply before the
            request it answers, the forwarding document before the forwarded one (A4).
        record_class: The class of the retention schedule the item belongs to.
        timezone: The office's time zone; the item's year is counted in it.
        retention: A period longer than the schedule's for the class, if the item is
            kept longer; never shorter (A1). The schedule's period if omitted.
        unit: The unit (or subject) code of the class; the settings' unit if omitted.
            An archive that does not classify by unit takes none: its class is the
            year × retention and its code has no unit level (``0194-WS·2025-D30-0001``).
        original: Whether the lead document is filed as the original; if omitted, a
            co-issuer of a joint document files a copy, everyone else the original (A6).
        reply: For a request (请示) filed without its reply in the item: the id of the
            reply that answered it (A5).
        remark: The catalogue's remark 备注 for the item.

    Returns:
        The record and the documents as filed.

    Raises:
        NotFound: A document (or the named reply) does not exist.
        TransitionNotAllowed: Filing is refused: a document is not finished, the actor
            is no archivist, or rule A1 (retention shorter than the schedule's), A4 (not
            one item), A5 (a request without its reply) or A6 (a co-issuer's original).
        ValidationError: An input is malformed (a unit code, an unknown record class),
            or a unit is named in an archive that does not classify by unit (A2).
        RuleViolation: The class has no item number left (A2).
    """
    ids = tuple(documents)
    if not ids:
        raise ValidationError(
            "filing", [FieldProblem("documents", "A4", "an item holds at least one document")]
        )
    repeated = [i for i, n in Counter(ids).items() if n > 1]
    if repeated:
        raise ValidationError(
            "filing",
            [FieldProblem("documents", "A4", f"named more than once: {', '.join(repeated)}")],
        )
    period = None if retention is None else _retention(retention)
    unit_code = settings.filing_unit(unit)

    def file(change: Change) -> FiledItem:
        return _file_once(
            change,
            settings,
            ids,
            record_class=record_class,
            timezone=timezone,
            retention=period,
            unit=unit_code,
            original=original,
            reply=reply,
            remark=remark,
        )

    return run_change(store, context, file, retry=True)


def _file_once(
    change: Change,
    settings: ArchiveSettings,
    ids: tuple[str, ...],
    *,
    record_class: str,
    timezone: tzinfo,
    retention: Retention | None,
    unit: str | None,
    original: bool | None,
    reply: str | None,
    remark: str | None,
) -> FiledItem:
    record_id = change.context.new_id(EntityKind.RECORD)
    docs = tuple(change.load(i, Document) for i in ids)
    lead, others = docs[0], docs[1:]
    for other in others:
        problem = item_problem(lead, other)
        if problem is not None:
            raise _refusal(other, "A4", problem)
    scheduled = settings.schedule.retention_for(record_class, unit)
    period = scheduled if retention is None else retention
    if not longer_or_equal(period, scheduled):
        raise _refusal(
            lead,
            "A1",
            f"the schedule keeps {record_class!r} for {scheduled.value} ({scheduled.label}); "
            f"an item may be kept longer, never shorter ({period.value})",
        )
    year = document_year(lead, timezone)
    archival_class = str(settings.archival_class(year=year, retention=period, unit=unit))
    lead_reply = _checked_reply(change, lead, reply)

    common: dict[str, Any] = {
        "retention": period,
        "archival_class": archival_class,
        "record_id": record_id,
    }
    lead_input = {**common, "original": original, "reply": lead_reply}
    lead_input = {k: v for k, v in lead_input.items() if v is not None}
    staged = lead.model_copy(update={"retention": period, "archival_class": archival_class})
    filed = [change.fire(lead, FILE, lead_input, keyed_as=staged)]
    code = cast("Any", filed[0]).archival_code  # drawn by the office; the lead filed with it
    for other in others:
        other_input = {**common, "archival_code": code}
        if other.kind is DocumentKind.REQUEST:
            other_input["reply"] = lead.id  # A4 held: the lead is its reply
        filed.append(change.fire(other, FILE, other_input, number_drawn=True))

    pages = [d.page_count for d in filed if d.page_count is not None]
    fields: dict[str, Any] = {
        "archival_code": code,
        "record_class": record_class,
        "documents": ids,
        "original": default_original(lead) if original is None else original,
        "title": lead.title,
        "document_number": lead.number,
        "responsible": responsible_party(lead, settings.organ_name),
        "document_date": document_date(lead, timezone),
        "pages": sum(pages) if pages else None,
        "remark": remark,
        "retention_ends": retention_end(year, period),
        "classification": max((d.classification for d in filed), key=lambda c: c.level),
        "need_to_know": record_scope(filed, change.context.actor.id) or None,
    }
    values = {k: v for k, v in fields.items() if v is not None}
    return FiledItem(change.make(Record, values, entity_id=record_id), tuple(filed))


def _retention(value: Retention | str) -> Retention:
    try:
        return Retention(value)
    except ValueError:
        accepted = ", ".join(r.value for r in Retention)
        raise ValidationError(
            "filing",
            [FieldProblem("retention", "A1", f"{value!r} is not a retention period", accepted)],
        ) from None


def _checked_reply(change: Change, lead: Document, reply: str | None) -> str | None:
    """The reply a request filed on its own names, once checked to answer it (A5).

    The reply is loaded as the archivist may see it: one they may not see is refused as
    a missing one would be.
    """
    if reply is None:
        return None
    if lead.kind is not DocumentKind.REQUEST:
        raise ValidationError(
            "filing",
            [
                FieldProblem(
                    "reply",
                    "A5",
                    f"only a request (请示) names its reply; {lead.id} is a {lead.kind.label}",
                )
            ],
        )
    answer = change.load(reply, Document)
    if not answers(answer, lead):
        raise _refusal(
            lead,
            "A5",
            f"{reply} does not answer {lead.id}: a reply (批复) names the request it answers "
            "in replies_to (its id or document number)",
        )
    return reply


def _refusal(document: Document, rule_code: str, reason: str) -> TransitionNotAllowed:
    return TransitionNotAllowed(
        entity_id=document.id,
        entity_kind=str(document.entity_kind),
        state=str(document.state),
        trigger=FILE,
        rule_code=rule_code,
        reason=reason,
    )


# ============================================================================ disposition
def due_for_review(store: Store, *, today: date) -> list[Record]:
    """The records whose retention ended before ``today`` and that await appraisal (A8).

    Records kept (filed or retained after an earlier appraisal) whose last day of
    retention is before ``today``; permanent records never are. Earliest end first.
    """
    query = Query(
        kinds=frozenset({EntityKind.RECORD}),
        states=frozenset({RecordState.FILED.value, RecordState.RETAINED.value}),
    )
    due = [r for r in store.find(query) if isinstance(r, Record) and r.retention_ended(today)]
    return sorted(due, key=lambda r: (r.retention_ends or date.max, r.archival_code.sort_key))


def destroy_record(
    store: Store,
    context: FireContext,
    record_id: str,
    *,
    reason: str | None = None,
) -> Record:
    """Destroy a record whose destruction an appraisal approved, leaving its tombstone.

    The ``destroy`` trigger records the :class:`~secretarial.records.Tombstone` (id,
    archival code, title, classification, documents, and the approval it was destroyed
    under) as its input, so the audit trail keeps it.

    Raises:
        NotFound: No record ``record_id``.
        TransitionNotAllowed: The record is not approved for destruction, is on hold
            (A8) or the actor is no archivist.
    """

    def destroy(change: Change) -> Record:
        record = change.load(record_id, Record)
        data = None
        if record.state is RecordState.APPROVED_FOR_DESTRUCTION:
            data = {"tombstone": tombstone_of(record)}
        return change.fire(record, "destroy", data, reason=reason)

    return run_change(store, context, destroy, retry=True)


# ============================================================================ catalogue
CATALOGUE_COLUMNS: Final = (
    ("sequence", "序号"),
    ("archival_code", "档号"),
    ("document_number", "文号"),
    ("responsible", "责任者"),
    ("title", "题名"),
    ("date", "日期"),
    ("classification", "密级"),
    ("pages", "页数"),
    ("remark", "备注"),
)
"""The columns of the filing catalogue 归档文件目录 (A7): (English key, Chinese header)."""

COPY: Final = "复制件"
"""The remark on an item kept as a copy (A6)."""
DESTROYED: Final = "已销毁"
"""The remark on an item destroyed after appraisal (A8)."""


def filing_catalogue(
    records: Iterable[Record],
    *,
    year: int | None = None,
    retention: Retention | str | None = None,
    unit: str | None = None,
    notes: Mapping[str, str] | None = None,
) -> Register:
    """The filing catalogue 归档文件目录 (A7): one row per item, in archival-code order.

    Columns: 序号 ``sequence`` (1, 2, 3 ... down the catalogue: for one class, the item
    number), 档号 ``archival_code``, 文号 ``document_number``, 责任者 ``responsible``,
    题名 ``title``, 日期 ``date`` (``YYYYMMDD``), 密级 ``classification`` (empty for an
    unclassified item, which bears no mark), 页数 ``pages`` (the pages of all its
    documents) and 备注 ``remark`` (the remark given at filing, a note from ``notes``
    — the revocation or abolition of the item's documents, D18 —, ``复制件`` for a copy,
    ``已销毁`` for a destroyed item, joined with ``；``).

    Rows follow the archival code: year, retention (``Y``, ``D30``, ``D10``), unit,
    item number. Destroyed items stay listed, marked ``已销毁``.

    Args:
        records: The records to list.
        year: Only items of this year 年度.
        retention: Only items of this retention period.
        unit: Only items of this unit (or subject) code.
        notes: A note per record id for its 备注 (``office.records.catalogue`` gives the
            revocation or abolition of the documents filed in it).
    """
    period = None if retention is None else Retention(retention)
    kept = sorted(
        (
            r
            for r in records
            if (year is None or r.year == year)
            and (period is None or r.retention is period)
            and (unit is None or r.archival_code.unit == unit)
        ),
        key=lambda r: r.archival_code.sort_key,
    )
    extra = notes or {}
    rows = tuple(_catalogue_row(n, r, extra.get(r.id)) for n, r in enumerate(kept, start=1))
    columns = tuple(RegisterColumn(key, label) for key, label in CATALOGUE_COLUMNS)
    return Register("归档文件目录", "Filing catalogue", columns, rows)


def _catalogue_row(sequence: int, record: Record, note: str | None) -> tuple[str | int | None, ...]:
    remarks = [
        record.remark,
        note,
        None if record.original else COPY,
        DESTROYED if record.state is RecordState.DESTROYED else None,
    ]
    classification = record.classification
    return (
        sequence,
        str(record.archival_code),
        None if record.document_number is None else str(record.document_number),
        record.responsible,
        record.title,
        record.document_date.strftime("%Y%m%d"),
        None if classification is Classification.UNCLASSIFIED else classification.label,
        record.pages,
        _SEPARATOR.join(r for r in remarks if r) or None,
    )
