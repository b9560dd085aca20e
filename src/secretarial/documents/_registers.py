"""The incoming register 收文登记簿 and the outgoing register 发文登记簿 (pure functions).

Cells are written as the kernel's registers write them (see
:class:`~secretarial.kernel.Register`); the caller passes the documents and the time
zone.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import tzinfo
from typing import Any, Final

from secretarial.kernel._register import (
    DEFAULT_TIMEZONE,
    Cell,
    Register,
    build_register,
    day_cell,
    entities_of,
    joined_cell,
    label_cell,
    moment_cell,
    names_cell,
    natural_key,
    zone_of,
)

from ._model import IncomingDocument, OutgoingDocument

__all__ = ["INCOMING_COLUMNS", "OUTGOING_COLUMNS", "incoming_register", "outgoing_register"]


# ============================================================================ incoming
INCOMING_COLUMNS: Final = (
    ("registration_number", "收文编号"),
    ("received_at", "收文时间"),
    ("sender", "来文机关"),
    ("number", "来文字号"),
    ("title", "标题"),
    ("kind", "文种"),
    ("classification", "密级"),
    ("urgency", "紧急程度"),
    ("copy_number", "份号"),
    ("page_count", "页数"),
    ("handling_type", "办理类型"),
    ("lead_unit", "主办单位"),
    ("deadline", "办理期限"),
    ("state", "办理状态"),
    ("remark", "备注"),
)
"""The columns of the incoming register 收文登记簿: (English key, Chinese header)."""


def _incoming_order(doc: IncomingDocument) -> tuple[Any, ...]:
    number = doc.registration_number
    return (
        number is None,
        () if number is None else natural_key(number),
        doc.received_at,
        doc.created_at,
        natural_key(doc.id),
    )


def _incoming_row(doc: IncomingDocument, zone: tzinfo) -> tuple[Cell, ...]:
    remark = joined_cell(
        (
            doc.result,
            None if doc.return_reason is None else f"退回：{doc.return_reason}",
            None if doc.revocation is None else doc.revocation.text,
            doc.remark,
        )
    )
    return (
        doc.registration_number,
        moment_cell(doc.received_at, zone),
        doc.sender.name,
        None if doc.number is None else str(doc.number),
        doc.title,
        doc.kind.label,
        doc.classification.label,
        label_cell(doc.urgency),
        doc.copy_number,
        doc.page_count,
        label_cell(doc.handling_type),
        None if doc.lead_unit is None else doc.lead_unit.name,
        day_cell(doc.deadline),
        doc.state.label,
        remark,
    )


def incoming_register(
    documents: Iterable[IncomingDocument],
    *,
    timezone: str | tzinfo = DEFAULT_TIMEZONE,
    year: int | None = None,
) -> Register:
    """The incoming register 收文登记簿: one row per incoming document.

    Columns: 收文编号 ``registration_number``, 收文时间 ``received_at``, 来文机关
    ``sender``, 来文字号 ``number``, 标题 ``title``, 文种 ``kind``, 密级
    ``classification``, 紧急程度 ``urgency``, 份号 ``copy_number``, 页数 ``page_count``,
    办理类型 ``handling_type``, 主办单位 ``lead_unit``, 办理期限 ``deadline``, 办理状态
    ``state`` and 备注 ``remark`` (the result, a return reason as ``退回：...``, a
    revocation or abolition as ``已撤销（自始无效），依...`` and the document's own remark,
    joined with ``；``).

    Rows follow the registration order: by registration number (digit runs compared as
    numbers), then time of receipt. Documents not yet registered come last, with an
    empty registration number, in order of receipt.

    Args:
        documents: The incoming documents to list.
        timezone: The zone the time of receipt is written in (the office's zone).
        year: Only the documents received in this year (in ``timezone``).

    Raises:
        UsageError: An entity is not an :class:`~secretarial.IncomingDocument`.
    """
    docs = entities_of(documents, IncomingDocument, "incoming_register")
    zone = zone_of(timezone)
    if year is not None:
        docs = [d for d in docs if d.received_at.astimezone(zone).year == year]
    rows = (_incoming_row(d, zone) for d in sorted(docs, key=_incoming_order))
    return build_register("收文登记簿", "Incoming document register", INCOMING_COLUMNS, rows)


# ============================================================================ outgoing
OUTGOING_COLUMNS: Final = (
    ("number", "发文字号"),
    ("title", "标题"),
    ("kind", "文种"),
    ("drafting_unit", "拟稿单位"),
    ("drafter", "拟稿人"),
    ("signers", "签发人"),
    ("signed_on", "签发日期"),
    ("main_recipients", "主送机关"),
    ("cc", "抄送机关"),
    ("copies", "份数"),
    ("classification", "密级"),
    ("urgency", "紧急程度"),
    ("dispatched_at", "发出时间"),
    ("state", "状态"),
    ("remark", "备注"),
)
"""The columns of the outgoing register 发文登记簿: (English key, Chinese header)."""


def _outgoing_order(doc: OutgoingDocument) -> tuple[Any, ...]:
    number = doc.number
    series = () if number is None else (number.year, number.organ_code, number.sequence)
    return (number is None, series, doc.created_at, natural_key(doc.id))


def _outgoing_row(doc: OutgoingDocument, zone: tzinfo) -> tuple[Cell, ...]:
    signatures = (*doc.signatures, *doc.countersignatures)
    signers = names_cell(s.name for s in signatures) if signatures else names_cell(doc.signers)
    signed_on = max((s.signed_on for s in doc.signatures), default=None)
    dispatched_at = min((d.at for d in doc.dispatches), default=None)
    return (
        None if doc.number is None else str(doc.number),
        doc.title,
        doc.kind.label,
        None if doc.drafting_unit is None else doc.drafting_unit.name,
        doc.created_by,
        signers,
        day_cell(signed_on),
        names_cell(doc.main_recipients),
        names_cell(doc.cc),
        doc.copies,
        doc.classification.label,
        label_cell(doc.urgency),
        moment_cell(dispatched_at, zone),
        doc.state.label,
        joined_cell((None if doc.revocation is None else doc.revocation.text, doc.remark)),
    )


def outgoing_register(
    documents: Iterable[OutgoingDocument],
    *,
    timezone: str | tzinfo = DEFAULT_TIMEZONE,
    year: int | None = None,
) -> Register:
    """The outgoing register 发文登记簿: one row per outgoing document.

    Columns: 发文字号 ``number``, 标题 ``title``, 文种 ``kind``, 拟稿单位
    ``drafting_unit``, 拟稿人 ``drafter`` (the drafter's actor id: the entity keeps no
    name for them), 签发人 ``signers`` (names of the signer and of any co-issuers'
    signers, joined with ``、``), 签发日期 ``signed_on`` (the latest signature of this
    organ's signer), 主送机关 ``main_recipients``, 抄送机关 ``cc``, 份数 ``copies``, 密级
    ``classification``, 紧急程度 ``urgency``, 发出时间 ``dispatched_at``, 状态
    ``state`` and 备注 ``remark`` (a revocation or abolition, as ``已废止（自...起失效），
    依...``, and the document's own remark, joined with ``；``).

    Rows follow the number sequence (year, issuer code, sequence), then creation.
    Documents without a number yet (not registered) come last, in order of drafting.

    Args:
        documents: The outgoing documents to list.
        timezone: The zone the dispatch time is written in (the office's zone).
        year: Only the documents of this year: the year of the document number for a
            registered document, otherwise the year it was drafted (in ``timezone``).

    Raises:
        UsageError: An entity is not an :class:`~secretarial.OutgoingDocument`.
    """
    docs = entities_of(documents, OutgoingDocument, "outgoing_register")
    zone = zone_of(timezone)
    if year is not None:
        docs = [
            d
            for d in docs
            if (d.number.year if d.number is not None else d.created_at.astimezone(zone).year)
            == year
        ]
    rows = (_outgoing_row(d, zone) for d in sorted(docs, key=_outgoing_order))
    return build_register("发文登记簿", "Outgoing document register", OUTGOING_COLUMNS, rows)
