"""Pictures of an office's work: the figures behind each chart, and the chart drawn.

Each function computes a typed result from entities (and audit trails) a caller chose —
``office.list(kind="supervision_item", by=me)`` shows only what ``me`` may see — with
the numbers as plain values, a table in Jupyter and :meth:`plot` drawing it with
matplotlib (``pip install 'secretarial[charts]'``). In a notebook a result shows as its
chart (SVG, its text kept as text so Chinese unit names render in the browser) when
matplotlib is installed, as its table otherwise. matplotlib was chosen because it draws
offline, to SVG and PNG, without a browser or a server, and is the plotting library
every scientific Python user already has.
"""

from __future__ import annotations

import io
import warnings
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo
from typing import Any, Final

from secretarial.duty._model import DutyRoster, DutyShift
from secretarial.errors import MissingExtraError, UsageError
from secretarial.kernel._audit import AuditEvent
from secretarial.kernel._display import html_table
from secretarial.kernel._entity import Entity
from secretarial.kernel._register import DEFAULT_TIMEZONE, zone_of
from secretarial.kernel._workflow import Workflow
from secretarial.supervision._model import SupervisionItem

__all__ = [
    "AGEING_BUCKETS",
    "DutyCalendar",
    "OverdueAgeing",
    "StatusByUnit",
    "Step",
    "Throughput",
    "Timeline",
    "daily_throughput",
    "duty_calendar",
    "overdue_ageing",
    "supervision_status",
    "timeline",
]

_NO_UNIT: Final = "（未交办）"
"""The unit an item not yet assigned is counted under."""

AGEING_BUCKETS: Final = ((1, 3), (4, 7), (8, 14), (15, 30), (31, None))
"""Days past the deadline, as (first, last) of each bucket; the last is open-ended."""

_COLOURS: Final = {"on time": "#4c78a8", "overdue": "#e45756", "done": "#9ecf8a"}


def _figure(width: float, height: float) -> Any:
    """A matplotlib figure of its own (no pyplot state); MissingExtraError without it."""
    try:
        from matplotlib.figure import Figure  # noqa: PLC0415 -- an extra, imported when used
    except ImportError as e:
        raise MissingExtraError("matplotlib", "charts", "Charts") from e
    return Figure(figsize=(width, height), layout="constrained")


_CJK_FONTS: Final = (
    "Noto Sans CJK SC",
    "Source Han Sans SC",
    "WenQuanYi Zen Hei",
    "PingFang SC",
    "Microsoft YaHei",
    "SimHei",
    "DejaVu Sans",
)
"""Fonts with Chinese glyphs, preferred where installed (a PNG needs one to show 综合科)."""


def _axes(ax: Any, width: float, height: float) -> tuple[Any, Any]:
    """The figure and axes to draw on: ``ax``'s, or a new figure of that size's own."""
    if ax is not None:
        return ax.figure, ax
    figure = _figure(width, height)
    return figure, figure.add_subplot()


def _bars_in_time(
    ax: Any, bars: Sequence[tuple[datetime, datetime, str, str]], labels: Sequence[str]
) -> None:
    """A horizontal bar per (start, end, text on it, colour), one row each, top down."""
    from matplotlib import dates  # noqa: PLC0415

    to_number: Callable[[datetime], float] = dates.date2num  # untyped in matplotlib
    for row, (start, end, text, colour) in enumerate(bars):
        left = to_number(start)
        ax.barh(row, to_number(end) - left, left=left, color=colour)
        ax.text(left, row, f" {text}", va="center", fontsize=8)
    ax.set_yticks(range(len(bars)), list(labels))
    ax.invert_yaxis()
    ax.xaxis_date()


def _day(value: object, function: str) -> date:
    """``value`` if it is a day (a datetime is not); a UsageError naming ``function``."""
    if type(value) is not date:
        raise UsageError(f"{function} needs a day for as_of, got {value!r}")
    return value


def _svg(figure: Any) -> str:
    """``figure`` as SVG, its text left as text (Chinese then renders in the browser).

    The browser draws the text with its own fonts, so a machine without a Chinese font
    only lays the text out with another font's widths; matplotlib's warning about the
    glyphs it lacks is not shown for it.
    """
    import matplotlib as mpl  # noqa: PLC0415

    buffer = io.StringIO()
    with (
        mpl.rc_context({"svg.fonttype": "none", "font.sans-serif": list(_CJK_FONTS)}),
        warnings.catch_warnings(),
    ):
        warnings.filterwarnings("ignore", "Glyph .* missing from font", UserWarning)
        figure.savefig(buffer, format="svg")
    return buffer.getvalue()


class _Chart(ABC):
    """What the results share: a chart in Jupyter when matplotlib is there."""

    __slots__ = ()

    @abstractmethod
    def plot(self, ax: Any = None) -> Any:
        """Draw the result on ``ax`` (a new figure of its own if None); the figure."""

    def _repr_svg_(self) -> str | None:
        try:
            figure = self.plot()
        except MissingExtraError:
            return None
        return _svg(figure)


# ============================================================================ by unit
@dataclass(frozen=True, slots=True)
class StatusByUnit(_Chart):
    """Supervision items per lead unit: open and on time, overdue, done.

    Attributes:
        as_of: The day overdue is judged on.
        units: The lead units' names, most items first.
        on_time: Open items not overdue, per unit.
        overdue: Open items whose deadline passed before ``as_of``, per unit.
        done: Items verified (办结), per unit; cancelled ones are not counted.
    """

    as_of: date
    units: tuple[str, ...]
    on_time: tuple[int, ...]
    overdue: tuple[int, ...]
    done: tuple[int, ...]

    def rows(self) -> list[tuple[str, int, int, int]]:
        """(unit, on time, overdue, done) per unit."""
        return list(zip(self.units, self.on_time, self.overdue, self.done, strict=True))

    def plot(self, ax: Any = None) -> Any:
        """Stacked horizontal bars, one per unit; returns the figure (or ``ax``'s)."""
        figure, ax = _axes(ax, 7, 0.5 + 0.45 * max(len(self.units), 1))
        left = [0] * len(self.units)
        for name, counts in (
            ("on time", self.on_time),
            ("overdue", self.overdue),
            ("done", self.done),
        ):
            ax.barh(self.units, counts, left=left, label=name, color=_COLOURS[name])
            left = [a + b for a, b in zip(left, counts, strict=True)]
        ax.invert_yaxis()
        ax.set_xlabel("supervision items")
        ax.set_title(f"Supervision by lead unit, {self.as_of.isoformat()}")
        ax.legend(loc="lower right")
        return figure

    def _repr_html_(self) -> str:
        return html_table(
            ["lead unit", "on time", "overdue", "done"],
            self.rows(),
            caption=f"supervision items by lead unit, {self.as_of.isoformat()}",
        )


def supervision_status(items: Iterable[Entity], *, as_of: date) -> StatusByUnit:
    """Count ``items`` (supervision items; other entities are left out) by lead unit.

    Raises:
        UsageError: ``as_of`` is not a date.
    """
    as_of = _day(as_of, "supervision_status")
    counts: dict[str, list[int]] = {}
    for item in items:
        if not isinstance(item, SupervisionItem) or item.state == "cancelled":
            continue
        unit = item.lead_unit.name if item.lead_unit is not None else _NO_UNIT
        row = counts.setdefault(unit, [0, 0, 0])
        if not item.is_open:
            row[2] += 1
        elif item.is_overdue(as_of):
            row[1] += 1
        else:
            row[0] += 1
    ordered = sorted(counts.items(), key=lambda kv: (-sum(kv[1]), kv[0]))
    return StatusByUnit(
        as_of=as_of,
        units=tuple(unit for unit, _ in ordered),
        on_time=tuple(row[0] for _, row in ordered),
        overdue=tuple(row[1] for _, row in ordered),
        done=tuple(row[2] for _, row in ordered),
    )


# ============================================================================ ageing
@dataclass(frozen=True, slots=True)
class OverdueAgeing(_Chart):
    """Open matters past their deadline, by how many calendar days past it.

    Attributes:
        as_of: The day overdue is judged on.
        buckets: Each bucket's label (``"1–3"``, ... ``"31+"``), in order.
        counts: How many matters fall in each bucket.
        entity_ids: The matters in each bucket, most overdue first.
    """

    as_of: date
    buckets: tuple[str, ...]
    counts: tuple[int, ...]
    entity_ids: tuple[tuple[str, ...], ...]

    def plot(self, ax: Any = None) -> Any:
        """Bars, one per bucket; returns the figure."""
        figure, ax = _axes(ax, 6, 3)
        ax.bar(self.buckets, self.counts, color=_COLOURS["overdue"])
        ax.set_xlabel("days past the deadline")
        ax.set_ylabel("open matters")
        ax.set_title(f"Overdue ageing, {self.as_of.isoformat()}")
        return figure

    def _repr_html_(self) -> str:
        return html_table(
            ["days past the deadline", "matters", "ids"],
            (
                [b, c, ", ".join(ids)]
                for b, c, ids in zip(self.buckets, self.counts, self.entity_ids, strict=True)
            ),
            caption=f"overdue ageing, {self.as_of.isoformat()}",
        )


def overdue_ageing(entities: Iterable[Entity], *, as_of: date) -> OverdueAgeing:
    """Bucket the open ``entities`` whose deadline passed before ``as_of`` by days past it."""
    as_of = _day(as_of, "overdue_ageing")
    found: list[list[tuple[int, str]]] = [[] for _ in AGEING_BUCKETS]
    for entity in entities:
        if entity.deadline is None or not entity.is_overdue(as_of):
            continue
        late = (as_of - entity.deadline).days
        for index, (first, last) in enumerate(AGEING_BUCKETS):
            if late >= first and (last is None or late <= last):
                found[index].append((late, entity.id))
                break
    labels = tuple(f"{a}–{b}" if b is not None else f"{a}+" for a, b in AGEING_BUCKETS)
    return OverdueAgeing(
        as_of=as_of,
        buckets=labels,
        counts=tuple(len(bucket) for bucket in found),
        entity_ids=tuple(
            tuple(i for _, i in sorted(b, key=lambda x: (-x[0], x[1]))) for b in found
        ),
    )


# ============================================================================ timeline
@dataclass(frozen=True, slots=True)
class Step:
    """One stretch of an entity's path: the state it was in, from when to when, by whose act.

    Attributes:
        state: The state's name.
        label: Its Chinese label, as the workflow names it ("" if not given one).
        start: When the act that led there was recorded.
        end: When the next act was, or None for the state it is in now.
        by: Who acted to put it there (the actor id).
        trigger: The act (``register``, ``approve`` ...).
    """

    state: str
    label: str
    start: datetime
    end: datetime | None
    by: str
    trigger: str


@dataclass(frozen=True, slots=True)
class Timeline(_Chart):
    """A record's path through its steps, from its audit trail: who held it, how long.

    Attributes:
        entity_id: The record.
        steps: Its stretches, oldest first; acts that left the state as it was (a
            reminder, a progress report) are not stretches of their own.
        as_of: When the open stretch is drawn to (the last stretch's ``end`` is None).
    """

    entity_id: str
    steps: tuple[Step, ...]
    as_of: datetime

    def durations(self) -> list[tuple[str, float]]:
        """(state, hours spent in it) per stretch, the open one up to ``as_of``."""
        return [
            (s.state, ((s.end or self.as_of) - s.start).total_seconds() / 3600) for s in self.steps
        ]

    def plot(self, ax: Any = None) -> Any:
        """A bar per stretch along the time axis, labelled with who acted; the figure."""
        figure, ax = _axes(ax, 8, 0.6 + 0.4 * max(len(self.steps), 1))
        bars = [
            (s.start, s.end or self.as_of, s.by, _COLOURS["on time" if s.end else "done"])
            for s in self.steps
        ]
        _bars_in_time(ax, bars, [f"{s.state} {s.label}" for s in self.steps])
        ax.set_title(f"{self.entity_id}: its path through its steps")
        return figure

    def _repr_html_(self) -> str:
        return html_table(
            ["state", "from", "to", "hours", "by", "act"],
            (
                [
                    f"{s.state} {s.label}",
                    s.start.isoformat(timespec="minutes"),
                    s.end.isoformat(timespec="minutes") if s.end else "(now)",
                    f"{hours:.1f}",
                    s.by,
                    s.trigger,
                ]
                for s, (_, hours) in zip(self.steps, self.durations(), strict=True)
            ),
            caption=f"the path of {self.entity_id}",
        )


def timeline(
    trail: Sequence[AuditEvent],
    *,
    as_of: datetime,
    workflow: Workflow[Any] | None = None,
    timezone: tzinfo | str = DEFAULT_TIMEZONE,
) -> Timeline:
    """The path an entity took, from its audit trail (``office.audit(entity, by=me)``).

    Each act that moved the entity to another state starts a stretch; times are shown in
    ``timezone`` (give the office's), and each state is labelled as ``workflow`` (the
    entity's, ``office.workflow(kind)``) names it.

    Raises:
        UsageError: the trail is empty, or ``as_of`` is naive.
    """
    if not trail:
        raise UsageError("timeline needs an entity's audit trail; this one is empty")
    if as_of.tzinfo is None or as_of.utcoffset() is None:
        raise UsageError(f"timeline needs a timezone-aware as_of, got {as_of!r}")
    zone = zone_of(timezone)
    labels = {} if workflow is None else {str(s.value): str(s.label) for s in workflow.states}
    steps: list[Step] = []
    for event in trail:
        target = str(event.target)
        if steps and target == steps[-1].state:
            continue  # an act that left the state as it was
        at = event.at.astimezone(zone)
        if steps:
            last = steps[-1]
            steps[-1] = Step(last.state, last.label, last.start, at, last.by, last.trigger)
        steps.append(Step(target, labels.get(target, ""), at, None, event.actor.id, event.trigger))
    return Timeline(entity_id=trail[0].entity_id, steps=tuple(steps), as_of=as_of.astimezone(zone))


# ============================================================================ throughput
@dataclass(frozen=True, slots=True)
class Throughput(_Chart):
    """The office's work per day, from audit trails: what came in, what moved, what else.

    Attributes:
        days: Each day from the first to the last asked for.
        created: Records created on each day.
        moved: Acts that moved a record to another state.
        other: Acts that left the state as it was (a reminder, a progress report ...).
    """

    days: tuple[date, ...]
    created: tuple[int, ...]
    moved: tuple[int, ...]
    other: tuple[int, ...]

    def rows(self) -> list[tuple[date, int, int, int]]:
        """(day, created, moved, other) per day."""
        return list(zip(self.days, self.created, self.moved, self.other, strict=True))

    def plot(self, ax: Any = None) -> Any:
        """Stacked bars, a day each; returns the figure."""
        figure, ax = _axes(ax, max(4, 0.5 * len(self.days)), 3)
        labels = [d.strftime("%m-%d") for d in self.days]
        bottom = [0] * len(self.days)
        for name, counts, colour in (
            ("created", self.created, "#4c78a8"),
            ("moved", self.moved, "#9ecf8a"),
            ("other acts", self.other, "#bab0ac"),
        ):
            ax.bar(labels, counts, bottom=bottom, label=name, color=colour)
            bottom = [a + b for a, b in zip(bottom, counts, strict=True)]
        ax.set_ylabel("audit events")
        ax.set_title("Work per day")
        ax.legend(loc="upper left")
        return figure

    def _repr_html_(self) -> str:
        return html_table(
            ["day", "created", "moved", "other acts"], self.rows(), caption="work per day"
        )


def daily_throughput(
    trails: Iterable[Sequence[AuditEvent]],
    *,
    start: date,
    end: date,
    timezone: tzinfo | str = DEFAULT_TIMEZONE,
) -> Throughput:
    """Count the acts of ``trails`` (``office.audit(e, by=me)`` for each record) per day.

    Days are the office's (give its ``timezone``); acts outside ``start``–``end`` are
    left out.

    Raises:
        UsageError: ``start`` or ``end`` is not a day, or ``end`` is before ``start``.
    """
    if type(start) is not date or type(end) is not date or end < start:
        raise UsageError(f"daily_throughput needs start <= end, two days; got {start!r}, {end!r}")
    zone = zone_of(timezone)
    span = (end - start).days + 1
    counts = [[0, 0, 0] for _ in range(span)]
    for trail in trails:
        for event in trail:
            index = (event.at.astimezone(zone).date() - start).days
            if not 0 <= index < span:
                continue
            if event.version == 1:
                counts[index][0] += 1
            elif event.target != event.source:
                counts[index][1] += 1
            else:
                counts[index][2] += 1
    return Throughput(
        days=tuple(start + timedelta(days=n) for n in range(span)),
        created=tuple(c[0] for c in counts),
        moved=tuple(c[1] for c in counts),
        other=tuple(c[2] for c in counts),
    )


# ============================================================================ duty roster
@dataclass(frozen=True, slots=True)
class DutyCalendar(_Chart):
    """The duty roster laid out in time: a bar per shift, its leader and officers on it.

    Attributes:
        shifts: (start, end, leader, officers) per shift, by start, in the zone asked for.
    """

    shifts: tuple[tuple[datetime, datetime, str, tuple[str, ...]], ...]

    def plot(self, ax: Any = None) -> Any:
        """A bar per shift along the time axis; returns the figure."""
        figure, ax = _axes(ax, 8, 0.6 + 0.4 * max(len(self.shifts), 1))
        bars = [
            (start, end, f"{leader}: {'、'.join(officers)}", "#9ecf8a")
            for start, end, leader, officers in self.shifts
        ]
        _bars_in_time(ax, bars, [s[0].strftime("%m-%d %H:%M") for s in self.shifts])
        ax.set_title("Duty roster")
        return figure

    def _repr_html_(self) -> str:
        return html_table(
            ["from", "to", "leader on duty", "officers"],
            (
                [
                    s.isoformat(timespec="minutes"),
                    e.isoformat(timespec="minutes"),
                    lead,
                    "、".join(officers),
                ]
                for s, e, lead, officers in self.shifts
            ),
            caption=f"duty roster: {len(self.shifts)} shifts",
        )


def duty_calendar(
    roster: Iterable[DutyShift], *, timezone: tzinfo | str = DEFAULT_TIMEZONE
) -> DutyCalendar:
    """The roster (``office.duty.roster(start, end, by=me)``) laid out in time."""
    zone = zone_of(timezone)
    shifts = sorted(DutyRoster.of(roster), key=lambda s: s.start)
    return DutyCalendar(
        tuple(
            (
                s.start.astimezone(zone),
                s.end.astimezone(zone),
                s.leader.name,
                tuple(o.name for o in s.officers),
            )
            for s in shifts
        )
    )
