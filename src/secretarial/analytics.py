"""Office analytics computed in the store: where entities wait, and the bottleneck step.

Every figure is read from the audit trail by the store itself — SQL window functions
over the indexed ``audit_events`` on SQLite and PostgreSQL, the same definitions in
Python on the memory store (:meth:`~secretarial.engine._ports.Store.step_waits`) — so a
large office is never loaded into Python to answer them.

A *stay* in a state begins with the event that entered it (the creation, or a change of
state into it) and ends with the entity's next change of state; events that leave the
state unchanged (reminders, progress reports, copies) neither begin nor end one. A stay
belongs to the period in which it ended. Its *wait* is the elapsed clock time between
the two moments in whole seconds (each moment taken to the second), shown in hours:
nights, weekends and holidays count. Percentiles are nearest-rank: the ``p``-th
percentile of ``n`` waits is the one at rank ``ceil(p * n / 100)`` in ascending order,
so the median of an even count is the lower middle value and every figure is a wait
that occurred.

The figures are the host's view of the whole office. ``ceiling`` restricts them to
entities classified at or below a level: pass
:attr:`~secretarial.Classification.UNCLASSIFIED` for figures any reader may be shown
(an unclassified entity has no need-to-know scope, so nothing is left that a reader
could not see).

>>> from secretarial.testing import memory_office
>>> from secretarial.testing.simulation import simulate_office
>>> office, clock = memory_office()
>>> sim = simulate_office(office, clock, months=1, seed=2)
>>> found = bottleneck(office, "incoming_document", start=sim.start, end=sim.end)
>>> found.step is not None and found.step.state == sim.bottleneck
True
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any, Final

from secretarial.charts import _axes, _Chart
from secretarial.errors import FieldProblem, UsageError, ValidationError
from secretarial.kernel._display import html_table
from secretarial.kernel._enums import Classification
from secretarial.office import Office

__all__ = [
    "RETURN_TRIGGERS",
    "Bottleneck",
    "StepWait",
    "StepWaits",
    "Throughput",
    "UnitOutcome",
    "UnitOutcomes",
    "bottleneck",
    "step_waits",
    "throughput",
    "unit_outcomes",
]

RETURN_TRIGGERS: Final = ("return_to", "reject", "return_to_sender")
"""The triggers that count as a return from a step: a return to an earlier step (退回),
a result sent back for rework (supervision ``reject``), a document sent back to its
sender."""

_HOUR: Final = 3600


@dataclass(frozen=True)
class StepWait:
    """How entities fared in one state (step) over a period.

    Attributes:
        state: The state.
        passed: How many stays in it ended in the period (an entity returned to the
            state and leaving it again passes twice).
        returned: How many of those stays ended with a return (:data:`RETURN_TRIGGERS`).
        median_seconds: The nearest-rank median wait, in whole seconds.
        p90_seconds: The nearest-rank 90th percentile wait, in whole seconds.
    """

    state: str
    passed: int
    returned: int
    median_seconds: int
    p90_seconds: int

    @property
    def median_hours(self) -> float:
        """The median wait in hours of elapsed time."""
        return self.median_seconds / _HOUR

    @property
    def p90_hours(self) -> float:
        """The 90th percentile wait in hours of elapsed time."""
        return self.p90_seconds / _HOUR


def _row(step: StepWait) -> tuple[str, str, str, str, str]:
    return (
        step.state,
        str(step.passed),
        str(step.returned),
        f"{step.median_hours:.1f}",
        f"{step.p90_hours:.1f}",
    )


_HEADERS: Final = ("state", "passed", "returned", "median wait (h)", "90th percentile wait (h)")


_MEDIAN_COLOUR: Final = "#4c78a8"
_P90_COLOUR: Final = "#9ecae9"
_MARKED: Final = {"edgecolor": "black", "linewidth": 1.5}
"""How the bars of the bottleneck step (and of the slowest unit) are outlined."""


def _ranked(steps: Sequence[StepWait]) -> list[StepWait]:
    """``steps`` by the bottleneck's ranking: highest median, then p90, then name."""
    return sorted(steps, key=lambda s: (-s.median_seconds, -s.p90_seconds, s.state))


def _mark_label(ax: Any, index: int) -> None:
    """Set the tick label of row ``index`` in bold."""
    labels = ax.get_yticklabels()
    labels[index].set_fontweight("bold")


@dataclass(frozen=True)
class StepWaits(_Chart):
    """The wait in each state of one workflow over a period (see :func:`step_waits`).

    Attributes:
        kind: The entity kind.
        start: The period's first day, in the office's time zone.
        end: The period's last day (inclusive).
        steps: One figure per state left in the period, by state name.
    """

    kind: str
    start: date
    end: date
    steps: tuple[StepWait, ...]

    def step(self, state: str) -> StepWait | None:
        """The figures of ``state``; None if no stay in it ended in the period."""
        return next((s for s in self.steps if s.state == state), None)

    @property
    def bottleneck(self) -> StepWait | None:
        """The step with the highest median wait, ranked as :func:`bottleneck` ranks.

        None if no stay ended in the period.
        """
        ranked = _ranked(self.steps)
        return ranked[0] if ranked else None

    def rows(self) -> list[tuple[str, str, str, str, str]]:
        """The table's rows: state, passed, returned, median and p90 wait in hours."""
        return [_row(s) for s in self.steps]

    def plot(self, ax: Any = None) -> Any:
        """Two bars per step, the median and the 90th percentile wait in hours.

        The bottleneck step's bars are outlined, its name is set in bold and labelled
        "bottleneck". Returns the figure (or ``ax``'s).
        """
        figure, ax = _axes(ax, 7, 1.0 + 0.55 * max(len(self.steps), 1))
        rows = range(len(self.steps))
        marked = self.bottleneck
        for offset, name, colour, hours in (
            (-0.2, "median", _MEDIAN_COLOUR, [s.median_hours for s in self.steps]),
            (0.2, "90th percentile", _P90_COLOUR, [s.p90_hours for s in self.steps]),
        ):
            bars = ax.barh([r + offset for r in rows], hours, height=0.4, label=name, color=colour)
            for step, bar in zip(self.steps, bars, strict=True):
                if step is marked:
                    bar.set(**_MARKED)
        ax.set_yticks(list(rows), [s.state for s in self.steps])
        if marked is not None:
            index = self.steps.index(marked)
            _mark_label(ax, index)
            ax.annotate(
                " bottleneck",
                (marked.p90_hours, index),
                va="center",
                fontweight="bold",
            )
        ax.margins(x=0.25)
        ax.invert_yaxis()
        ax.set_xlabel("wait (hours of elapsed time)")
        ax.set_title(f"{self.kind}: waits per step, {self.start} – {self.end}")
        if self.steps:
            ax.legend(loc="upper left", bbox_to_anchor=(1, 1))
        return figure

    def _repr_html_(self) -> str:
        caption = f"{self.kind}: waits per step, {self.start} – {self.end}"
        return html_table(list(_HEADERS), self.rows(), caption=caption)


@dataclass(frozen=True)
class Bottleneck(_Chart):
    """The step entities waited longest in over a period (see :func:`bottleneck`).

    Attributes:
        kind: The entity kind.
        start: The period's first day.
        end: The period's last day (inclusive).
        step: The state with the highest median wait (ties: the higher 90th
            percentile, then the state name); None if no stay ended in the period.
        runner_up: The state ranked next, for comparison; None if there is none.
        steps: Every state's figures, that the ranking was made from.
    """

    kind: str
    start: date
    end: date
    step: StepWait | None
    runner_up: StepWait | None
    steps: tuple[StepWait, ...]

    @property
    def waits(self) -> StepWaits:
        """The figures of every step the ranking was made from."""
        return StepWaits(self.kind, self.start, self.end, self.steps)

    def plot(self, ax: Any = None) -> Any:
        """The picture of :attr:`waits`, the bottleneck marked; returns the figure."""
        return self.waits.plot(ax)

    def _repr_html_(self) -> str:
        if self.step is None:
            return f"<p>{html.escape(self.kind)}: no step was left in {self.start} – {self.end}</p>"
        decided = [_row(s) for s in (self.step, self.runner_up) if s is not None]
        caption = f"{self.kind}: bottleneck {self.start} – {self.end}"
        return html_table(list(_HEADERS), decided, caption=caption)


def _problem(name: str, rule: str, message: str, accepted: str) -> ValidationError:
    return ValidationError(
        "analytics", [FieldProblem(field=name, rule=rule, message=message, accepted=accepted)]
    )


def _kind(office: Office, kind: str) -> str:
    try:
        return office.registry.kind(kind).value
    except UsageError:
        known = ", ".join(sorted(a.kind.value for a in office.registry))
        raise _problem("kind", "known-kind", f"no kind {kind!r} in this office", known) from None


def _bounds(office: Office, start: date, end: date) -> tuple[datetime, datetime]:
    if end < start:
        raise _problem(
            "end",
            "end-not-before-start",
            f"the period ends {end.isoformat()} before it starts {start.isoformat()}",
            f"a day on or after {start.isoformat()}",
        )
    zone = office.timezone
    return (
        datetime.combine(start, time(0), zone),
        datetime.combine(end + timedelta(days=1), time(0), zone),
    )


def step_waits(
    office: Office,
    kind: str,
    *,
    start: date,
    end: date,
    ceiling: Classification | None = None,
    returns: Sequence[str] = RETURN_TRIGGERS,
) -> StepWaits:
    """How many entities of ``kind`` passed each state, how long they waited, how many returned.

    Args:
        office: The office.
        kind: The entity kind (its name or an alias).
        start: The period's first day, in the office's time zone.
        end: The period's last day (inclusive).
        ceiling: Count only entities classified at or below this level; all if None.
        returns: The triggers that count as a return.

    Raises:
        ValidationError: An unknown kind, or ``end`` before ``start``.
    """
    name = _kind(office, kind)
    since, until = _bounds(office, start, end)
    level = None if ceiling is None else Classification(ceiling).level
    rows = office.store.step_waits(name, since, until, returns=tuple(returns), ceiling=level)
    return StepWaits(name, start, end, tuple(StepWait(*row) for row in rows))


def bottleneck(
    office: Office,
    kind: str,
    *,
    start: date,
    end: date,
    ceiling: Classification | None = None,
) -> Bottleneck:
    """The state of ``kind``'s workflow with the highest median wait over the period.

    Arguments as for :func:`step_waits`.

    Raises:
        ValidationError: An unknown kind, or ``end`` before ``start``.
    """
    waits = step_waits(office, kind, start=start, end=end, ceiling=ceiling)
    ranked = _ranked(waits.steps)
    return Bottleneck(
        waits.kind,
        start,
        end,
        ranked[0] if ranked else None,
        ranked[1] if len(ranked) > 1 else None,
        waits.steps,
    )


# ============================================================================ per unit
_ITEM: Final = "supervision_item"
_CLOSED: Final = "verified"
_SUBMITTED: Final = "reported"
_EXTENDED: Final = ("grant_extension",)
_REWORKED: Final = ("reject",)


@dataclass(frozen=True)
class UnitOutcome:
    """How one lead unit fared on its supervision items over a period.

    Attributes:
        unit: The lead unit's code.
        on_time: Items closed (办结) in the period whose accepted result was submitted
            on or before the deadline (or that had no deadline).
        late: Items closed in the period whose accepted result was submitted after it.
        extended: Items closed in the period that were granted more time.
        reworked: Items closed in the period whose result was sent back for rework.
        open_overdue: Items still open whose deadline is on or before the period's
            last day.
        lateness_workdays: The working days the late items were late, added up.
    """

    unit: str
    on_time: int
    late: int
    extended: int
    reworked: int
    open_overdue: int
    lateness_workdays: int

    @property
    def closed(self) -> int:
        """Items closed in the period, on time or late."""
        return self.on_time + self.late

    @property
    def late_share(self) -> float:
        """The share of the items closed in the period that were late (0 if none)."""
        return self.late / self.closed if self.closed else 0.0

    @property
    def average_lateness(self) -> float | None:
        """The mean working days a late item was late; None if none was."""
        return self.lateness_workdays / self.late if self.late else None


_UNIT_HEADERS: Final = (
    "lead unit",
    "on time",
    "late",
    "late share",
    "average lateness (working days)",
    "extended",
    "returned for rework",
    "open and overdue",
)


_OUTCOME_COLOURS: Final = (
    ("on time", "#4c78a8"),
    ("late", "#e45756"),
    ("open and overdue", "#f58518"),
)


@dataclass(frozen=True)
class UnitOutcomes(_Chart):
    """Supervision outcomes per lead unit over a period (see :func:`unit_outcomes`).

    Attributes:
        start: The period's first day, in the office's time zone.
        end: The period's last day (inclusive).
        units: One figure per lead unit with an item closed in the period or open and
            overdue, by unit code.
    """

    start: date
    end: date
    units: tuple[UnitOutcome, ...]

    def unit(self, code: str) -> UnitOutcome | None:
        """The figures of the unit with ``code``; None if it has none in the period."""
        return next((u for u in self.units if u.unit == code), None)

    @property
    def slowest(self) -> UnitOutcome | None:
        """The unit with the highest late share; None if no unit closed an item.

        Ties go to the higher average lateness, then to the lower code.
        """
        ranked = sorted(
            (u for u in self.units if u.closed),
            key=lambda u: (-u.late_share, -(u.average_lateness or 0.0), u.unit),
        )
        return ranked[0] if ranked else None

    def rows(self) -> list[tuple[str, int, int, str, str, int, int, int]]:
        """The table's rows, one per unit, in the order of :data:`units`."""
        return [
            (
                u.unit,
                u.on_time,
                u.late,
                f"{u.late_share:.0%}",
                "" if u.average_lateness is None else f"{u.average_lateness:.1f}",
                u.extended,
                u.reworked,
                u.open_overdue,
            )
            for u in self.units
        ]

    def plot(self, ax: Any = None) -> Any:
        """Stacked bars per unit: items on time, late, and open and overdue.

        The slowest unit's bars are outlined, its code is set in bold and labelled
        "slowest". Returns the figure (or ``ax``'s).
        """
        figure, ax = _axes(ax, 7, 1.0 + 0.45 * max(len(self.units), 1))
        codes = [u.unit for u in self.units]
        marked = self.slowest
        left = [0] * len(self.units)
        for (name, colour), counts in zip(
            _OUTCOME_COLOURS,
            (
                [u.on_time for u in self.units],
                [u.late for u in self.units],
                [u.open_overdue for u in self.units],
            ),
            strict=True,
        ):
            bars = ax.barh(codes, counts, left=left, label=name, color=colour)
            for unit, bar in zip(self.units, bars, strict=True):
                if unit is marked:
                    bar.set(**_MARKED)
            left = [a + b for a, b in zip(left, counts, strict=True)]
        if marked is not None:
            index = self.units.index(marked)
            _mark_label(ax, index)
            ax.annotate(
                f" slowest: {marked.late_share:.0%} late",
                (left[index], index),
                va="center",
                fontweight="bold",
            )
        ax.margins(x=0.25)
        ax.invert_yaxis()
        ax.set_xlabel("supervision items")
        ax.set_title(f"Supervision outcomes by lead unit, {self.start} – {self.end}")
        if self.units:
            ax.legend(loc="upper left", bbox_to_anchor=(1, 1))
        return figure

    def _repr_html_(self) -> str:
        caption = f"supervision outcomes by lead unit, {self.start} – {self.end}"
        return html_table(list(_UNIT_HEADERS), self.rows(), caption=caption)


def unit_outcomes(
    office: Office,
    *,
    start: date,
    end: date,
    ceiling: Classification | None = None,
) -> UnitOutcomes:
    """Per lead unit: supervision items closed on time and late, extended, reworked, overdue.

    An item is counted in the period in which it was closed (verified, 办结); it was
    completed when the result that was accepted was submitted (the last change of
    state into ``reported``), and is late when that day, in the office's time zone, is
    after its deadline (the deadline as extended). Its lateness is the working days of
    the office's calendar after the deadline up to and including that day. The store
    groups the items (by unit, and the late ones by deadline and completion day);
    the working days are counted here, once per group.

    Args:
        office: The office.
        start: The period's first day, in the office's time zone.
        end: The period's last day (inclusive).
        ceiling: Count only items classified at or below this level; all if None.

    Raises:
        ValidationError: ``end`` before ``start``.
        CalendarCoverageError: The calendar does not cover a late item's days.
    """
    since, until = _bounds(office, start, end)
    level = None if ceiling is None else Classification(ceiling).level
    grouped, overdue = office.store.unit_outcomes(
        _ITEM,
        since,
        until,
        zone=office.timezone,
        closed=_CLOSED,
        submitted=_SUBMITTED,
        extended=_EXTENDED,
        reworked=_REWORKED,
        ceiling=level,
    )
    figures: dict[str, list[int]] = {}
    for unit, deadline, day, count, extended, reworked in grouped:
        row = figures.setdefault(unit, [0] * 6)
        if deadline is None or day is None:
            row[0] += count
        else:
            row[1] += count
            row[5] += count * office.calendar.workdays_between(deadline, day)
        row[2] += extended
        row[3] += reworked
    for unit, count in overdue:
        figures.setdefault(unit, [0] * 6)[4] += count
    return UnitOutcomes(
        start,
        end,
        tuple(UnitOutcome(unit, *row) for unit, row in sorted(figures.items())),
    )


# ============================================================================ per day
@dataclass(frozen=True)
class Throughput(_Chart):
    """Audit events and completions per day of a period (see :func:`throughput`).

    Attributes:
        start: The period's first day, in the office's time zone.
        end: The period's last day (inclusive).
        days: Every day of the period, in order.
        kinds: The entity kinds counted, by name.
        events: For each kind (as in :attr:`kinds`), its audit events on each day.
        completions: For each kind, how many of its entities reached a terminal
            state on each day.
    """

    start: date
    end: date
    days: tuple[date, ...]
    kinds: tuple[str, ...]
    events: tuple[tuple[int, ...], ...]
    completions: tuple[tuple[int, ...], ...]

    def _index(self, day: date) -> int:
        return (day - self.start).days

    def events_on(self, day: date, kind: str | None = None) -> int:
        """The audit events on ``day`` (of ``kind``, or of every kind counted)."""
        i = self._index(day)
        if not 0 <= i < len(self.days):
            return 0
        return sum(
            row[i] for k, row in zip(self.kinds, self.events, strict=True) if kind in {None, k}
        )

    def completed_on(self, day: date, kind: str | None = None) -> int:
        """The entities completed on ``day`` (of ``kind``, or of every kind counted)."""
        i = self._index(day)
        if not 0 <= i < len(self.days):
            return 0
        return sum(
            row[i] for k, row in zip(self.kinds, self.completions, strict=True) if kind in {None, k}
        )

    def rows(self) -> list[tuple[date, int, int]]:
        """(day, events, completions) per day, every kind counted together."""
        return [(d, self.events_on(d), self.completed_on(d)) for d in self.days]

    def plot(self, ax: Any = None) -> Any:
        """Events per day stacked by kind, completions as a line; returns the figure."""
        figure, ax = _axes(ax, max(4.0, 0.25 * len(self.days)), 3)
        bottom = [0] * len(self.days)
        for kind, counts in zip(self.kinds, self.events, strict=True):
            ax.bar(self.days, counts, bottom=bottom, label=kind)
            bottom = [a + b for a, b in zip(bottom, counts, strict=True)]
        ax.plot(self.days, [c for _, _, c in self.rows()], color="black", label="completed")
        ax.set_ylabel("per day")
        ax.set_title(f"Throughput, {self.start} – {self.end}")
        ax.legend(loc="upper left")
        figure.autofmt_xdate()
        return figure

    def _repr_html_(self) -> str:
        caption = f"throughput per day, {self.start} – {self.end}"
        return html_table(["day", "events", "completed"], self.rows(), caption=caption)


def throughput(
    office: Office,
    *,
    start: date,
    end: date,
    kinds: Sequence[str] | None = None,
    ceiling: Classification | None = None,
) -> Throughput:
    """Audit events per kind per day, and entities reaching a terminal state per day.

    Days are the office's (each moment of the audit shifted into its time zone by the
    store); a completion is a change of state into one of the kind's terminal states
    (办结, 归档, 撤销 ...).

    Args:
        office: The office.
        start: The period's first day, in the office's time zone.
        end: The period's last day (inclusive).
        kinds: The kinds to count (names or aliases); every kind of the office if None.
        ceiling: Count only entities classified at or below this level; all if None.

    Raises:
        ValidationError: An unknown kind, or ``end`` before ``start``.
    """
    since, until = _bounds(office, start, end)
    names = (
        tuple(sorted(a.kind.value for a in office.registry))
        if kinds is None
        else tuple(sorted({_kind(office, k) for k in kinds}))
    )
    terminal = [
        (name, str(state))
        for name in names
        for state in sorted(office.registry.entity_type(name).terminal_states)
    ]
    level = None if ceiling is None else Classification(ceiling).level
    rows = office.store.throughput(
        since,
        until,
        zone=office.timezone,
        kinds=None if kinds is None else names,
        terminal=terminal,
        ceiling=level,
    )
    span = (end - start).days + 1
    events = {name: [0] * span for name in names}
    done = {name: [0] * span for name in names}
    for day, kind, n, completed in rows:
        if kind in events:
            events[kind][(day - start).days] += n
            done[kind][(day - start).days] += completed
    return Throughput(
        start,
        end,
        tuple(start + timedelta(days=i) for i in range(span)),
        names,
        tuple(tuple(events[k]) for k in names),
        tuple(tuple(done[k]) for k in names),
    )
