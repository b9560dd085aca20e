"""Information use cases: bulletins numbered per year, scores per reporting unit.

:func:`issue_bulletin` compiles signed-off items into the next bulletin issue of a year:
the issue number is drawn from the store's counter (series ``"bulletin"``, one sequence
per year) in the same unit of work that records the compilation on every item, so the
numbers of a year run 1, 2, 3 ... without gaps, and a refused compilation uses none.

:func:`information_scores` totals the scores of adopted items per reporting unit over a
period (a month, a quarter) as a :class:`~secretarial.kernel.Register`, so
it exports as CSV, JSON and HTML. It is pure: the caller passes the items.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime, tzinfo
from typing import Final
from zoneinfo import ZoneInfo

from secretarial.engine._fire import Change, FireContext, run_change
from secretarial.engine._ports import Store
from secretarial.errors import UsageError
from secretarial.kernel._enums import EntityKind
from secretarial.kernel._query import Query
from secretarial.kernel._register import DEFAULT_TIMEZONE, Cell, Register, RegisterColumn

from ._model import (
    Bulletin,
    InformationItem,
    InformationState,
    OutletLevel,
    ScoringScale,
    bulletin_of,
    compile_bulletin,
)

__all__ = [
    "BULLETIN_SERIES",
    "SCORE_COLUMNS",
    "find_bulletin",
    "information_scores",
    "issue_bulletin",
]

BULLETIN_SERIES: Final = "bulletin"
"""The numbering series of bulletin issues; its key is the year (``"2025"``)."""

_COMPILE: Final = "compile"
"""The trigger that records a compilation on an item."""


# ============================================================================ bulletins
def issue_bulletin(
    store: Store,
    context: FireContext,
    items: Sequence[InformationItem | str],
    *,
    title: str,
    timezone: tzinfo,
    year: int | None = None,
    issuer: str | None = None,
    issued_on: date | None = None,
    issuer_approvals: Mapping[str, str] | None = None,
) -> Bulletin:
    """Compile ``items`` into the next bulletin issue of ``year``, numbered without gaps.

    In one change: the items are read (each authorized for the actor; an item passed as
    an entity must still be at its version), the next number of the year is drawn
    (``uow.next_number("bulletin", str(year))``), the bulletin is compiled (D17: its
    classification is the highest of its items; a top-secret item needs its issuing
    organ's approval, ``issuer_approvals``, recorded on the item) and the
    ``compile`` trigger records the issue on every item. Anything refused rolls all of it
    back, the number included.

    Args:
        store: The office's store.
        context: Who compiles it (clerk, information officer, office director), when
            (timezone-aware), and the office's workflows.
        items: The items, in the order printed, as entities or ids.
        title: The bulletin's title, e.g. ``政务信息``.
        timezone: The office's zone; it decides the default date and year.
        year: The year to number the issue in; the year of ``issued_on`` by default.
        issuer: Who compiles it (编印单位), printed under the title.
        issued_on: The date printed on it; ``now``'s date in ``timezone`` by default.
        issuer_approvals: For top-secret items, by item id: the approval of the issuing
            organ or its superior to compile it (D17).

    Returns:
        The bulletin, ready to render (``to_markdown()``, ``to_html()``).

    Raises:
        NotFound: An id names no information item.
        ConcurrencyConflict: An item passed as an entity has changed since it was read.
        RuleViolation: D17 (a top-secret item) or INFO4 (no item, an item twice, an item
            not signed off).
        TransitionNotAllowed: ``compile`` refused an item (the actor's role ...).
        UsageError: ``now`` is naive.
    """
    now = context.now
    if now.tzinfo is None or now.utcoffset() is None:
        raise UsageError(f"issue_bulletin needs a timezone-aware moment, got {now!r}")
    day = issued_on if issued_on is not None else now.astimezone(timezone).date()
    numbered_in = year if year is not None else day.year

    def issue(change: Change) -> Bulletin:
        current = [
            change.load(
                given if isinstance(given, str) else given.id,
                InformationItem,
                expected_content_version=None if isinstance(given, str) else given.content_version,
            )
            for given in items
        ]
        number = change.uow.next_number(BULLETIN_SERIES, str(numbered_in))
        approvals = issuer_approvals or {}
        bulletin = compile_bulletin(
            current,
            year=numbered_in,
            number=number,
            title=title,
            issuer=issuer,
            issued_on=day,
            issuer_approvals=approvals,
        )
        for position, item in enumerate(current, start=1):
            entry = bulletin.entry_input(position)
            if item.id in approvals:
                entry["issuer_approval"] = approvals[item.id]
            change.fire(item, _COMPILE, entry)
        return bulletin

    return run_change(store, context, issue)


def find_bulletin(store: Store, *, year: int, number: int) -> Bulletin:
    """Bulletin issue ``number`` of ``year`` as compiled, rebuilt from its items' records.

    Raises:
        RuleViolation: ``INFO4`` no item records that issue.
    """
    query = Query(kinds=frozenset({EntityKind.INFORMATION_ITEM}))
    items = [i for i in store.find(query) if isinstance(i, InformationItem)]
    return bulletin_of(items, year=year, number=number)


# ============================================================================ scores
_LEVEL_KEYS: Final = tuple(f"adopted_{level.value}" for level in OutletLevel)

SCORE_COLUMNS: Final = (
    ("rank", "排名"),
    ("unit_code", "单位代码"),
    ("unit", "报送单位"),
    ("submitted", "报送条数"),
    ("adopted", "采用条数"),
    *((key, f"{level.label}采用") for key, level in zip(_LEVEL_KEYS, OutletLevel, strict=True)),
    ("instructed", "领导批示"),
    ("score", "得分"),
)
"""The columns of the score table 信息报送采用得分: (English key, Chinese header)."""


class _Tally:
    """One unit's counts over the period."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.submitted = 0
        self.adopted = 0
        self.by_level = dict.fromkeys(OutletLevel, 0)
        self.instructed = 0
        self.score = 0


def _local_day(moment: datetime, zone: tzinfo) -> date:
    return moment.astimezone(zone).date()


def _natural_key(code: str) -> tuple[tuple[int, int, str], ...]:
    """Order digit runs by value: ``A2`` before ``A10``."""
    return tuple(
        (0, int(chunk), "") if chunk.isdigit() else (1, 0, chunk)
        for chunk in re.split(r"(\d+)", code)
        if chunk
    )


def _information_items(items: Iterable[InformationItem]) -> list[InformationItem]:
    """The items in creation order; a UsageError for anything that is not one."""
    entries: list[InformationItem] = []
    for item in items:
        if not isinstance(item, InformationItem):
            raise UsageError(
                "information_scores() takes InformationItem entities, got "
                f"{type(item).__name__} {getattr(item, 'id', item)!r}"
            )
        entries.append(item)
    entries.sort(key=lambda i: (i.created_at, i.id))
    return entries


def _tallies(
    items: list[InformationItem],
    period_start: date,
    period_end: date,
    scale: ScoringScale,
    zone: tzinfo,
) -> dict[str, _Tally]:
    """Each unit's counts over the period, by unit code (named as in its latest item)."""
    tallies: dict[str, _Tally] = {}

    def tally(item: InformationItem) -> _Tally:
        unit = item.reporting_unit
        found = tallies.setdefault(unit.code, _Tally(unit.name))
        found.name = unit.name
        return found

    def within(moment: datetime) -> bool:
        return period_start <= _local_day(moment, zone) <= period_end

    for item in items:
        first = min((s.at for s in item.submissions), default=None)
        if first is not None and within(first):
            tally(item).submitted += 1
        adoption = item.adoption
        if item.state is InformationState.ADOPTED and adoption is not None and within(adoption.at):
            counts = tally(item)
            counts.adopted += 1
            counts.by_level[adoption.outlet_level] += 1
            counts.instructed += int(adoption.instruction is not None)
            counts.score += scale.score(item)
    return tallies


def _score_rows(tallies: dict[str, _Tally]) -> list[tuple[Cell, ...]]:
    """The rows by score, adopted count and unit code; equal scores share a rank."""
    ordered = sorted(
        tallies.items(), key=lambda kv: (-kv[1].score, -kv[1].adopted, _natural_key(kv[0]))
    )
    rows: list[tuple[Cell, ...]] = []
    rank = 0
    previous: int | None = None
    for index, (code, counts) in enumerate(ordered, start=1):
        if counts.score != previous:
            rank, previous = index, counts.score
        rows.append(
            (
                rank,
                code,
                counts.name,
                counts.submitted,
                counts.adopted,
                *(counts.by_level[level] for level in OutletLevel),
                counts.instructed,
                counts.score,
            )
        )
    return rows


def information_scores(
    items: Iterable[InformationItem],
    period_start: date,
    period_end: date,
    *,
    scale: ScoringScale | None = None,
    timezone: str | tzinfo = DEFAULT_TIMEZONE,
) -> Register:
    """The score table 信息报送采用得分: each reporting unit's totals over a period.

    An item counts as *submitted* in the period when its first submission falls in it,
    and as *adopted* (with its score, :meth:`ScoringScale.score`) when its adoption
    does; days are the office's local days, both ends included (a month is
    ``date(2025, 10, 1)`` to ``date(2025, 10, 31)``).

    Columns: 排名 ``rank`` (by score, ties share a rank), 单位代码 ``unit_code``, 报送单位
    ``unit``, 报送条数 ``submitted``, 采用条数 ``adopted``, one adopted count per outlet
    level (``adopted_national`` 国家级采用 ... ``adopted_county``), 领导批示
    ``instructed`` (adopted items a leader wrote an instruction on) and 得分 ``score``.
    Units with nothing submitted or adopted in the period are left out. Rows go by
    score, then adopted count, then unit code.

    Args:
        items: The information items to count (others in the store do not matter).
        period_start: The first day of the period.
        period_end: The last day of the period.
        scale: The scoring scale; the defaults of :class:`ScoringScale` if None.
        timezone: The office's zone, which decides the day of a submission or adoption.

    Raises:
        UsageError: The period is reversed or given as datetimes, or an entity is not an
            information item.
    """
    if isinstance(period_start, datetime) or isinstance(period_end, datetime):
        raise UsageError("a score period is given as dates (local days), not datetimes")
    if period_end < period_start:
        raise UsageError(
            f"the period ends ({period_end.isoformat()}) before it starts "
            f"({period_start.isoformat()})"
        )
    zone = ZoneInfo(timezone) if isinstance(timezone, str) else timezone
    tallies = _tallies(
        _information_items(items),
        period_start,
        period_end,
        scale if scale is not None else ScoringScale(),
        zone,
    )
    rows = _score_rows(tallies)
    span = f"{period_start.isoformat()}—{period_end.isoformat()}"
    return Register(
        title=f"信息报送采用得分（{span}）",
        title_en=f"Information scores ({period_start.isoformat()} to {period_end.isoformat()})",
        columns=tuple(RegisterColumn(key, label) for key, label in SCORE_COLUMNS),
        rows=tuple(rows),
        as_of=period_end,
    )
