"""Registers 登记簿 and the supervision ledger 督办台账, exported as CSV, JSON and HTML.

A register is a plain table built from entities by a pure function: the incoming
register 收文登记簿, the outgoing register 发文登记簿 and the supervision ledger
督办台账. Cells are plain values (``str``, ``int`` or ``None``): enums are written
with their Chinese label, dates as ``YYYY-MM-DD`` and moments as ISO 8601 in the
office's time zone, so a register exports to CSV or JSON without further conversion.

Nothing here reads a clock or a store: the caller passes the entities, the time zone
and, for the ledger, the day overdue is judged on.
"""

from __future__ import annotations

import csv
import html
import io
import json
import os
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, tzinfo
from typing import Any, Final, Literal, TextIO, TypeVar
from zoneinfo import ZoneInfo

from secretarial.domain import (
    Entity,
    ExtensionRequest,
    IncomingDocument,
    LabeledEnum,
    Organ,
    OutgoingDocument,
    SupervisionItem,
    Unit,
)
from secretarial.errors import UsageError

__all__ = [
    "Cell",
    "Register",
    "RegisterColumn",
    "incoming_register",
    "outgoing_register",
    "supervision_ledger",
]

Cell = str | int | None
"""A register cell: text, a whole number, or nothing (an empty cell)."""

Headers = Literal["zh", "en"]

DEFAULT_TIMEZONE: Final = "Asia/Shanghai"
"""The zone moments are written in when none is given (the office's default)."""

_LIST_SEPARATOR: Final = "、"
"""Joins names in one cell (signers, recipients, co-units), as Chinese registers do."""
_ENTRY_SEPARATOR: Final = "；"
"""Joins several entries in one cell (remarks, extensions)."""


@dataclass(frozen=True, slots=True)
class RegisterColumn:
    """One column of a register: an English key (for JSON and code) and a Chinese header.

    Attributes:
        key: The English identifier, e.g. ``registration_number``.
        label: The Chinese header a Chinese office writes, e.g. ``收文编号``.
    """

    key: str
    label: str


@dataclass(frozen=True, slots=True)
class Register:
    """A register or ledger: a title, ordered columns and rows of plain values.

    Build one with :func:`incoming_register`, :func:`outgoing_register` or
    :func:`supervision_ledger` (or the :class:`~secretarial.Office` methods of the same
    names). ``len()`` counts the rows and iterating yields them, each a tuple in column
    order.

    Attributes:
        title: The Chinese title, e.g. ``收文登记簿``.
        title_en: The English title, e.g. ``Incoming document register``.
        columns: The columns, in the order a Chinese office keeps them.
        rows: The rows; each is a tuple of ``str``, ``int`` or ``None`` in column order.
        as_of: The day a derived column (``overdue``) was judged on, if any.

    Raises:
        UsageError: A row's length differs from the number of columns, a cell is not
            ``str``, ``int`` or ``None``, or two columns share a key.

    Example:
        >>> reg = Register("登记簿", "Register", (RegisterColumn("title", "标题"),),
        ...                (("关于开展安全检查的通知",),))
        >>> len(reg), reg.keys, reg.records()
        (1, ('title',), ({'title': '关于开展安全检查的通知'},))
    """

    title: str
    title_en: str
    columns: tuple[RegisterColumn, ...]
    rows: tuple[tuple[Cell, ...], ...] = field(default=())
    as_of: date | None = None

    def __post_init__(self) -> None:
        columns = tuple(self.columns)
        keys = [c.key for c in columns]
        if len(set(keys)) != len(keys):
            raise UsageError(f"register {self.title_en!r}: column keys repeat: {keys}")
        rows = tuple(tuple(row) for row in self.rows)
        for index, row in enumerate(rows):
            if len(row) != len(columns):
                raise UsageError(
                    f"register {self.title_en!r}: row {index} has {len(row)} cells "
                    f"for {len(columns)} columns"
                )
            for key, cell in zip(keys, row, strict=True):
                if cell is not None and (isinstance(cell, bool) or not isinstance(cell, str | int)):
                    raise UsageError(
                        f"register {self.title_en!r}: row {index}, column {key!r}: a cell is "
                        f"str, int or None, not {type(cell).__name__}"
                    )
        object.__setattr__(self, "columns", columns)
        object.__setattr__(self, "rows", rows)

    # ------------------------------------------------------------------ reading
    @property
    def keys(self) -> tuple[str, ...]:
        """The English column keys, in order."""
        return tuple(c.key for c in self.columns)

    @property
    def labels(self) -> tuple[str, ...]:
        """The Chinese column headers, in order."""
        return tuple(c.label for c in self.columns)

    def records(self) -> tuple[dict[str, Cell], ...]:
        """The rows as dictionaries keyed by the English column keys."""
        keys = self.keys
        return tuple(dict(zip(keys, row, strict=True)) for row in self.rows)

    def column(self, key: str) -> tuple[Cell, ...]:
        """The cells of the column ``key``, top to bottom.

        Raises:
            UsageError: No column has that key; the message lists the keys.
        """
        try:
            index = self.keys.index(key)
        except ValueError:
            raise UsageError(
                f"register {self.title_en!r} has no column {key!r}; columns: {', '.join(self.keys)}"
            ) from None
        return tuple(row[index] for row in self.rows)

    def __len__(self) -> int:
        return len(self.rows)

    def __iter__(self) -> Iterator[tuple[Cell, ...]]:
        return iter(self.rows)

    # ------------------------------------------------------------------ export
    def to_csv(self, *, headers: Headers = "zh", bom: bool = True) -> str:
        """The register as CSV text: one header row, then one line per row.

        Cells holding commas, quotes or line breaks are quoted as RFC 4180 asks, so a
        row never breaks; lines end with CRLF; an empty cell is written as nothing.

        Args:
            headers: ``"zh"`` for the Chinese headers (``收文编号`` ...), ``"en"`` for
                the English keys (``registration_number`` ...).
            bom: Start with a byte order mark (U+FEFF), which Excel needs to read
                UTF-8 Chinese text correctly.

        Raises:
            UsageError: ``headers`` is neither ``"zh"`` nor ``"en"``.
        """
        buffer = io.StringIO()
        self._write_csv(buffer, headers=headers, bom=bom)
        return buffer.getvalue()

    def write_csv(
        self,
        target: str | os.PathLike[str] | TextIO,
        *,
        headers: Headers = "zh",
        bom: bool = True,
    ) -> None:
        """Write the register as CSV (see :meth:`to_csv`) to a file path or a text stream.

        A path is written in UTF-8 with universal newlines off, so the CRLF line ends and
        the line breaks inside quoted cells arrive as they are. A stream should be opened
        with ``newline=""`` for the same reason.

        Raises:
            UsageError: ``headers`` is neither ``"zh"`` nor ``"en"``.
        """
        if isinstance(target, str | os.PathLike):
            header_row = self._header_row(headers)  # refuse before creating the file
            with open(target, "w", encoding="utf-8", newline="") as stream:  # noqa: PTH123
                self._write_csv(stream, headers=headers, bom=bom, header_row=header_row)
        else:
            self._write_csv(target, headers=headers, bom=bom)

    def to_json(self, *, indent: int | None = 2) -> str:
        """The register as a JSON object, Chinese written as is (not as ASCII escapes).

        The object has ``title`` (Chinese), ``title_en``, ``as_of`` (``YYYY-MM-DD`` or
        null), ``columns`` (a list of ``{"key", "label"}``) and ``rows`` (a list of
        objects keyed by the English column keys, in column order).

        Args:
            indent: Indentation of the JSON text; ``None`` writes it on one line.
        """
        document: dict[str, Any] = {
            "title": self.title,
            "title_en": self.title_en,
            "as_of": None if self.as_of is None else self.as_of.isoformat(),
            "columns": [{"key": c.key, "label": c.label} for c in self.columns],
            "rows": list(self.records()),
        }
        return json.dumps(document, ensure_ascii=False, indent=indent)

    def _repr_html_(self) -> str:
        """An HTML table for Jupyter; every cell and header is escaped."""
        esc = html.escape
        head = "".join(f'<th title="{esc(c.key)}">{esc(c.label)}</th>' for c in self.columns)
        body = "".join(
            "<tr>" + "".join(f"<td>{_html_cell(cell)}</td>" for cell in row) + "</tr>"
            for row in self.rows
        )
        caption = f"{esc(self.title)} ({esc(self.title_en)})"
        if self.as_of is not None:
            caption += f" — {self.as_of.isoformat()}"
        return (
            f'<table class="secretarial-register"><caption>{caption}</caption>'
            f"<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
        )

    def __repr__(self) -> str:
        return f"<Register {self.title} ({self.title_en}): {len(self.rows)} rows>"

    def _header_row(self, headers: str) -> tuple[str, ...]:
        if headers == "zh":
            return self.labels
        if headers == "en":
            return self.keys
        raise UsageError(f"headers must be 'zh' or 'en', not {headers!r}")

    def _write_csv(
        self,
        stream: TextIO,
        *,
        headers: str,
        bom: bool,
        header_row: tuple[str, ...] | None = None,
    ) -> None:
        if header_row is None:
            header_row = self._header_row(headers)
        if bom:
            stream.write("\ufeff")
        writer = csv.writer(stream, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
        writer.writerow(header_row)
        writer.writerows(self.rows)


def _html_cell(cell: Cell) -> str:
    if cell is None:
        return ""
    return html.escape(str(cell)).replace("\n", "<br>")


# ============================================================================ cell formatting
def _zone(timezone: str | tzinfo) -> tzinfo:
    return ZoneInfo(timezone) if isinstance(timezone, str) else timezone


def _moment(value: datetime | None, zone: tzinfo) -> str | None:
    """ISO 8601 to the second, in ``zone``: ``2025-09-26T09:00:00+08:00``."""
    return None if value is None else value.astimezone(zone).isoformat(timespec="seconds")


def _day(value: date | None) -> str | None:
    return None if value is None else value.isoformat()


def _label(value: LabeledEnum | None) -> str | None:
    return None if value is None else value.label


def _names(values: Iterable[Organ | Unit | str]) -> str | None:
    names = [v if isinstance(v, str) else v.name for v in values]
    return _LIST_SEPARATOR.join(dict.fromkeys(names)) or None


def _joined(parts: Iterable[str | None]) -> str | None:
    return _ENTRY_SEPARATOR.join(p for p in parts if p) or None


def _natural(text: str) -> tuple[tuple[int, int, str], ...]:
    """A sort key that orders digit runs by value: ``2025-9`` before ``2025-10``."""
    return tuple(
        (0, int(chunk), "") if chunk.isdigit() else (1, 0, chunk)
        for chunk in re.split(r"(\d+)", text)
        if chunk
    )


E = TypeVar("E", bound=Entity)


def _entities(values: Iterable[Entity], kind: type[E], function: str) -> list[E]:
    entities: list[E] = []
    for entity in values:
        if not isinstance(entity, kind):
            raise UsageError(
                f"{function}() takes {kind.__name__} entities, got {type(entity).__name__} "
                f"{getattr(entity, 'id', entity)!r}"
            )
        entities.append(entity)
    return entities


def _build(
    title: str,
    title_en: str,
    columns: Sequence[tuple[str, str]],
    rows: Iterable[tuple[Cell, ...]],
    as_of: date | None = None,
) -> Register:
    return Register(
        title=title,
        title_en=title_en,
        columns=tuple(RegisterColumn(key, label) for key, label in columns),
        rows=tuple(rows),
        as_of=as_of,
    )


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
        () if number is None else _natural(number),
        doc.received_at,
        doc.created_at,
        _natural(doc.id),
    )


def _incoming_row(doc: IncomingDocument, zone: tzinfo) -> tuple[Cell, ...]:
    remark = _joined(
        (
            doc.result,
            None if doc.return_reason is None else f"退回：{doc.return_reason}",
            doc.remark,
        )
    )
    return (
        doc.registration_number,
        _moment(doc.received_at, zone),
        doc.sender.name,
        None if doc.number is None else str(doc.number),
        doc.title,
        doc.kind.label,
        doc.classification.label,
        _label(doc.urgency),
        doc.copy_number,
        doc.page_count,
        _label(doc.handling_type),
        None if doc.lead_unit is None else doc.lead_unit.name,
        _day(doc.deadline),
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
    ``state`` and 备注 ``remark`` (the result, a return reason as ``退回：...`` and the
    document's own remark, joined with ``；``).

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
    docs = _entities(documents, IncomingDocument, "incoming_register")
    zone = _zone(timezone)
    if year is not None:
        docs = [d for d in docs if d.received_at.astimezone(zone).year == year]
    rows = (_incoming_row(d, zone) for d in sorted(docs, key=_incoming_order))
    return _build("收文登记簿", "Incoming document register", INCOMING_COLUMNS, rows)


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
)
"""The columns of the outgoing register 发文登记簿: (English key, Chinese header)."""


def _outgoing_order(doc: OutgoingDocument) -> tuple[Any, ...]:
    number = doc.number
    series = () if number is None else (number.year, number.organ_code, number.sequence)
    return (number is None, series, doc.created_at, _natural(doc.id))


def _outgoing_row(doc: OutgoingDocument, zone: tzinfo) -> tuple[Cell, ...]:
    signatures = (*doc.signatures, *doc.countersignatures)
    signers = _names(s.name for s in signatures) if signatures else _names(doc.signers)
    signed_on = max((s.signed_on for s in doc.signatures), default=None)
    dispatched_at = min((d.at for d in doc.dispatches), default=None)
    return (
        None if doc.number is None else str(doc.number),
        doc.title,
        doc.kind.label,
        None if doc.drafting_unit is None else doc.drafting_unit.name,
        doc.created_by,
        signers,
        _day(signed_on),
        _names(doc.main_recipients),
        _names(doc.cc),
        doc.copies,
        doc.classification.label,
        _label(doc.urgency),
        _moment(dispatched_at, zone),
        doc.state.label,
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
    ``classification``, 紧急程度 ``urgency``, 发出时间 ``dispatched_at`` and 状态
    ``state``.

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
    docs = _entities(documents, OutgoingDocument, "outgoing_register")
    zone = _zone(timezone)
    if year is not None:
        docs = [
            d
            for d in docs
            if (d.number.year if d.number is not None else d.created_at.astimezone(zone).year)
            == year
        ]
    rows = (_outgoing_row(d, zone) for d in sorted(docs, key=_outgoing_order))
    return _build("发文登记簿", "Outgoing document register", OUTGOING_COLUMNS, rows)


# ============================================================================ supervision
LEDGER_COLUMNS: Final = (
    ("id", "编号"),
    ("source", "来源"),
    ("requirement", "督办事项"),
    ("instructed_by", "批示领导"),
    ("lead_unit", "牵头单位"),
    ("co_units", "协办单位"),
    ("received_at", "交办时间"),
    ("deadline", "办结时限"),
    ("report_cycle", "报送周期"),
    ("progress", "最新进展"),
    ("extensions", "延期情况"),
    ("state", "办理状态"),
    ("overdue", "是否逾期"),
    ("deadline_provisional", "时限暂定"),
)
"""The columns of the supervision ledger 督办台账: (English key, Chinese header)."""

YES: Final = "是"
NO: Final = "否"


def _extension(request: ExtensionRequest) -> str:
    proposed = request.proposed_deadline.isoformat()
    if request.granted is None:
        return f"{proposed} 待审批"
    if not request.granted:
        return f"{proposed} 不同意"
    granted = request.granted_deadline
    return f"{proposed} 同意" if granted is None else f"{proposed}→{granted.isoformat()} 同意"


def _ledger_order(item: SupervisionItem) -> tuple[Any, ...]:
    return (item.deadline is None, item.deadline or date.min, item.created_at, _natural(item.id))


def _ledger_row(item: SupervisionItem, zone: tzinfo, as_of: date) -> tuple[Cell, ...]:
    latest = item.progress_reports[-1] if item.progress_reports else None
    progress = (
        None if latest is None else f"{latest.at.astimezone(zone).date().isoformat()} {latest.text}"
    )
    return (
        item.id,
        item.source.label,
        item.requirement,
        item.instructed_by,
        None if item.lead_unit is None else item.lead_unit.name,
        _names(item.co_units),
        _moment(item.received_at, zone),
        _day(item.deadline),
        item.report_cycle.label,
        progress,
        _joined(_extension(r) for r in item.extension_requests),
        item.state.label,
        YES if item.is_overdue(as_of) else NO,
        _provisional_note(item),
    )


def _provisional_note(item: SupervisionItem) -> str | None:
    mark = item.deadline_provisional
    if mark is None:
        return None
    return f"暂定：{'、'.join(map(str, mark.years))}年安排未公布"


def supervision_ledger(
    items: Iterable[SupervisionItem],
    *,
    as_of: date,
    timezone: str | tzinfo = DEFAULT_TIMEZONE,
) -> Register:
    """The supervision ledger 督办台账: one row per supervision item.

    Columns: 编号 ``id``, 来源 ``source``, 督办事项 ``requirement``, 批示领导
    ``instructed_by``, 牵头单位 ``lead_unit``, 协办单位 ``co_units``, 交办时间
    ``received_at``, 办结时限 ``deadline`` (the current one, extensions granted
    included), 报送周期 ``report_cycle``, 最新进展 ``progress`` (the latest report as
    ``YYYY-MM-DD text``), 延期情况 ``extensions`` (each request as ``proposed→granted
    同意``, ``proposed 不同意`` or ``proposed 待审批``, joined with ``；``), 办理状态
    ``state``, 是否逾期 ``overdue`` (``是`` or ``否``: open and past its deadline
    before ``as_of``; an item due on ``as_of`` is not overdue yet) and 时限暂定
    ``deadline_provisional`` (``暂定：2027年安排未公布`` while the deadline depends on a
    calendar year whose notice is not loaded, else empty).

    Rows follow the deadline, then the order items were opened (creation time, then
    id); items without a deadline yet come last.

    Args:
        items: The supervision items to list.
        as_of: The day overdue is judged on (in the office's calendar).
        timezone: The zone moments are written in (the office's zone).

    Raises:
        UsageError: An entity is not a :class:`~secretarial.SupervisionItem`.
    """
    entries = _entities(items, SupervisionItem, "supervision_ledger")
    zone = _zone(timezone)
    rows = (_ledger_row(i, zone, as_of) for i in sorted(entries, key=_ledger_order))
    return _build("督办台账", "Supervision ledger", LEDGER_COLUMNS, rows, as_of=as_of)
