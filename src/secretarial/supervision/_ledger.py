"""The supervision ledger 督办台账, built from items by a pure function.

Cells are written as the kernel's registers write them (see
:class:`~secretarial.kernel.Register`); the caller passes the items, the time zone and
the day overdue is judged on.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, tzinfo
from typing import Any, Final

from secretarial.kernel._register import (
    DEFAULT_TIMEZONE,
    Cell,
    Register,
    build_register,
    day_cell,
    entities_of,
    joined_cell,
    moment_cell,
    names_cell,
    natural_key,
    zone_of,
)

from ._model import ExtensionRequest, SupervisionItem

__all__ = ["LEDGER_COLUMNS", "supervision_ledger"]


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
    return (item.deadline is None, item.deadline or date.min, item.created_at, natural_key(item.id))


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
        names_cell(item.co_units),
        moment_cell(item.received_at, zone),
        day_cell(item.deadline),
        item.report_cycle.label,
        progress,
        joined_cell(_extension(r) for r in item.extension_requests),
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
    entries = entities_of(items, SupervisionItem, "supervision_ledger")
    zone = zone_of(timezone)
    rows = (_ledger_row(i, zone, as_of) for i in sorted(entries, key=_ledger_order))
    return build_register("督办台账", "Supervision ledger", LEDGER_COLUMNS, rows, as_of=as_of)
