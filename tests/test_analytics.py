"""Office analytics: the planted bottleneck is found, every figure is a count by hand.

On a simulated quarter, on every store, each figure equals a brute-force count over the
same audit events.
"""

from __future__ import annotations

import re
import sys
from collections import defaultdict
from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import STORES, postgres_url, reset_postgres
from secretarial import Classification, MissingExtraError, Office, ValidationError
from secretarial.analytics import (
    RETURN_TRIGGERS,
    StepWait,
    UnitOutcome,
    bottleneck,
    step_waits,
    throughput,
    unit_outcomes,
)
from secretarial.testing import FrozenClock, SequentialIds, memory_office
from secretarial.testing.simulation import Simulation, simulate_office

KINDS = ("incoming_document", "supervision_item")


@pytest.fixture(scope="module", params=STORES)
def quarter(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Office, Simulation]]:
    """A simulated quarter on each store."""
    if request.param == "memory":
        url = "memory://"
    elif request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('analytics') / 'office.db'}"
    else:
        url = postgres_url()
        reset_postgres(url)
    clock = FrozenClock(datetime(2025, 9, 26, 1, 0, tzinfo=UTC))
    office = Office.open(url, clock=clock, ids=SequentialIds())
    yield office, simulate_office(office, clock, months=3, seed=1)
    office.close()


def by_hand(
    office: Office, kind: str, start: date, end: date, ceiling: Classification | None
) -> list[StepWait]:
    """The step figures counted over every event of the kind, read one trail at a time."""
    since = datetime.combine(start, time(0), office.timezone)
    until = datetime.combine(end + timedelta(days=1), time(0), office.timezone)
    waits: dict[str, list[int]] = defaultdict(list)
    returned: dict[str, int] = defaultdict(int)
    for entity in office.list(kind=kind):
        if ceiling is not None and entity.classification.level > ceiling.level:
            continue
        entered = None
        for event in office.audit(entity):
            if event.source == event.target:
                continue
            if entered is not None and event.source is not None and since <= event.at < until:
                waits[event.source].append(int(event.at.timestamp()) - int(entered.timestamp()))
                returned[event.source] += event.trigger in RETURN_TRIGGERS
            entered = event.at

    def rank(values: list[int], p: int) -> int:
        ordered = sorted(values)
        k = -(-p * len(ordered) // 100)  # ceil(p * n / 100)
        return ordered[k - 1]

    return [
        StepWait(state, len(w), returned[state], rank(w, 50), rank(w, 90))
        for state, w in sorted(waits.items())
    ]


class TestOnASimulatedQuarter:
    def test_the_planted_bottleneck_is_named(self, quarter: tuple[Office, Simulation]) -> None:
        office, sim = quarter
        found = bottleneck(office, "incoming_document", start=sim.start, end=sim.end)
        assert found.step is not None
        assert found.runner_up is not None
        assert found.step.state == sim.bottleneck
        assert found.step.median_seconds > 2 * found.runner_up.median_seconds
        assert "<table>" in found._repr_html_()

    @pytest.mark.parametrize("kind", KINDS)
    @pytest.mark.parametrize("ceiling", [None, Classification.UNCLASSIFIED])
    def test_the_figures_of_the_quarter_are_a_count_by_hand(
        self, quarter: tuple[Office, Simulation], kind: str, ceiling: Classification | None
    ) -> None:
        office, sim = quarter
        figures = step_waits(office, kind, start=sim.start, end=sim.end, ceiling=ceiling)
        assert list(figures.steps) == by_hand(office, kind, sim.start, sim.end, ceiling)
        assert figures.steps
        assert len(figures.rows()) == len(figures.steps)
        assert "<table>" in figures._repr_html_()

    def test_the_classified_are_left_out_below_their_level(
        self, quarter: tuple[Office, Simulation]
    ) -> None:
        office, sim = quarter
        every = step_waits(office, "incoming_document", start=sim.start, end=sim.end)
        cleared = step_waits(
            office,
            "incoming_document",
            start=sim.start,
            end=sim.end,
            ceiling=Classification.UNCLASSIFIED,
        )
        received = every.step("received")
        assert received is not None
        assert cleared.step("received") is not None
        assert cleared.step("received").passed < received.passed  # type: ignore[union-attr]

    @settings(max_examples=15, deadline=None)
    @given(first=st.integers(0, 95), length=st.integers(0, 40), kind=st.sampled_from(KINDS))
    def test_every_period_is_a_count_by_hand(
        self, quarter: tuple[Office, Simulation], first: int, length: int, kind: str
    ) -> None:
        office, sim = quarter
        start = sim.start + timedelta(days=first)
        end = start + timedelta(days=length)
        figures = step_waits(office, kind, start=start, end=end)
        assert list(figures.steps) == by_hand(office, kind, start, end, None)
        found = bottleneck(office, kind, start=start, end=end)
        if figures.steps:
            assert found.step is not None
            assert all(found.step.median_seconds >= s.median_seconds for s in figures.steps)
        else:
            assert found.step is None


def outcomes_by_hand(
    office: Office, start: date, end: date, ceiling: Classification | None
) -> list[UnitOutcome]:
    """The unit figures counted item by item from the supervision items' audit trails."""
    since = datetime.combine(start, time(0), office.timezone)
    until = datetime.combine(end + timedelta(days=1), time(0), office.timezone)
    rows: dict[str, list[int]] = defaultdict(lambda: [0] * 6)
    for item in office.list(kind="supervision_item"):
        if ceiling is not None and item.classification.level > ceiling.level:
            continue
        unit = getattr(item, "lead_unit", None)
        if unit is None:
            continue
        row = rows[unit.code]
        trail = list(office.audit(item))
        verified = [e for e in trail if e.target == "verified" and e.source != "verified"]
        if item.is_open and item.deadline is not None and item.deadline <= end:
            row[4] += 1
        if not verified or not since <= verified[-1].at < until:
            continue
        submitted = [e.at for e in trail if e.target == "reported" and e.source != "reported"]
        day = max(submitted).astimezone(office.timezone).date()
        if item.deadline is not None and day > item.deadline:
            row[1] += 1
            row[5] += sum(
                office.calendar.is_workday(item.deadline + timedelta(days=n))
                for n in range(1, (day - item.deadline).days + 1)
            )
        else:
            row[0] += 1
        row[2] += any(e.trigger == "grant_extension" for e in trail)
        row[3] += any(e.trigger == "reject" for e in trail)
    return [UnitOutcome(code, *row) for code, row in sorted(rows.items()) if any(row[:5])]


class TestUnitsOnASimulatedQuarter:
    def test_the_slow_unit_comes_out_slowest(self, quarter: tuple[Office, Simulation]) -> None:
        office, sim = quarter
        figures = unit_outcomes(office, start=sim.start, end=sim.end)
        slowest = figures.slowest
        assert slowest is not None
        assert slowest.unit == sim.slow_unit
        others = [u for u in figures.units if u.unit != sim.slow_unit]
        assert others
        assert all(slowest.late_share > 2 * u.late_share for u in others)
        assert all((slowest.average_lateness or 0) > (u.average_lateness or 0) for u in others)
        assert "<table>" in figures._repr_html_()
        assert len(figures.rows()) == len(figures.units)

    @pytest.mark.parametrize("ceiling", [None, Classification.UNCLASSIFIED])
    def test_the_units_of_the_quarter_are_a_count_by_hand(
        self, quarter: tuple[Office, Simulation], ceiling: Classification | None
    ) -> None:
        office, sim = quarter
        figures = unit_outcomes(office, start=sim.start, end=sim.end, ceiling=ceiling)
        assert list(figures.units) == outcomes_by_hand(office, sim.start, sim.end, ceiling)
        assert sum(u.late for u in figures.units) > 0
        assert sum(u.extended for u in figures.units) > 0
        assert sum(u.reworked for u in figures.units) > 0

    @settings(max_examples=15, deadline=None)
    @given(first=st.integers(0, 95), length=st.integers(0, 40))
    def test_every_period_of_units_is_a_count_by_hand(
        self, quarter: tuple[Office, Simulation], first: int, length: int
    ) -> None:
        office, sim = quarter
        start = sim.start + timedelta(days=first)
        end = start + timedelta(days=length)
        figures = unit_outcomes(office, start=start, end=end)
        assert list(figures.units) == outcomes_by_hand(office, start, end, None)
        assert figures.unit("nobody") is None
        for unit in figures.units:
            assert figures.unit(unit.unit) == unit
            assert (unit.average_lateness is None) == (unit.late == 0)


class TestThroughputOnASimulatedQuarter:
    @pytest.mark.parametrize("ceiling", [None, Classification.UNCLASSIFIED])
    def test_each_day_is_a_count_by_hand(
        self, quarter: tuple[Office, Simulation], ceiling: Classification | None
    ) -> None:
        office, sim = quarter
        figures = throughput(office, start=sim.start, end=sim.end, ceiling=ceiling)
        events: dict[tuple[date, str], int] = defaultdict(int)
        done: dict[tuple[date, str], int] = defaultdict(int)
        for entity in office.list():
            if ceiling is not None and entity.classification.level > ceiling.level:
                continue
            for event in office.audit(entity):
                day = event.at.astimezone(office.timezone).date()
                if sim.start <= day <= sim.end:
                    events[day, entity.entity_kind.value] += 1
                    done[day, entity.entity_kind.value] += (
                        event.source != event.target and event.target in entity.terminal_states
                    )
        for kind, per_day, closed in zip(
            figures.kinds, figures.events, figures.completions, strict=True
        ):
            assert list(per_day) == [events[d, kind] for d in figures.days]
            assert list(closed) == [done[d, kind] for d in figures.days]
        assert sum(c for _, _, c in figures.rows()) > 0
        assert "<table>" in figures._repr_html_()

    def test_kinds_narrow_the_count(self, quarter: tuple[Office, Simulation]) -> None:
        office, sim = quarter
        every = throughput(office, start=sim.start, end=sim.end)
        items = throughput(office, start=sim.start, end=sim.end, kinds=["supervision_item"])
        assert items.kinds == ("supervision_item",)
        for day in items.days:
            assert items.events_on(day) == every.events_on(day, "supervision_item")
            assert items.completed_on(day) == every.completed_on(day, "supervision_item")
        assert items.events_on(sim.end + timedelta(days=1)) == 0

    def test_an_unknown_kind_is_refused(self) -> None:
        with pytest.raises(ValidationError) as info:
            throughput(
                Office.in_memory(), start=date(2025, 1, 1), end=date(2025, 1, 2), kinds=["x"]
            )
        assert info.value.problems[0].field == "kind"


class TestInput:
    def test_an_unknown_kind_is_refused_naming_the_field(self) -> None:
        office = Office.in_memory()
        with pytest.raises(ValidationError, match="kind") as info:
            step_waits(office, "letters", start=date(2025, 1, 1), end=date(2025, 1, 2))
        assert info.value.problems[0].field == "kind"
        assert "incoming_document" in (info.value.problems[0].accepted or "")

    def test_a_period_ending_before_it_starts_is_refused(self) -> None:
        office = Office.in_memory()
        with pytest.raises(ValidationError) as info:
            bottleneck(office, "incoming_document", start=date(2025, 1, 2), end=date(2025, 1, 1))
        assert info.value.problems[0].field == "end"

    def test_an_empty_office_has_no_bottleneck(self) -> None:
        office = Office.in_memory()
        found = bottleneck(
            office, "incoming_document", start=date(2025, 1, 1), end=date(2025, 12, 31)
        )
        assert found.step is None
        assert "no step" in found._repr_html_()

    def test_an_empty_office_has_no_unit_figures(self) -> None:
        office = Office.in_memory()
        figures = unit_outcomes(office, start=date(2025, 1, 1), end=date(2025, 12, 31))
        assert figures.units == ()
        assert figures.slowest is None

    def test_units_refuse_a_period_ending_before_it_starts(self) -> None:
        with pytest.raises(ValidationError) as info:
            unit_outcomes(Office.in_memory(), start=date(2025, 1, 2), end=date(2025, 1, 1))
        assert info.value.problems[0].field == "end"


def test_throughput_draws_as_svg(quarter: tuple[Office, Simulation]) -> None:
    pytest.importorskip("matplotlib")
    office, sim = quarter
    figures = throughput(office, start=sim.start, end=sim.end, kinds=["incoming_document"])
    svg = figures._repr_svg_()
    assert svg is not None
    assert "<svg" in svg
    assert "incoming_document" in svg


# ============================================================================ pictures
CHARTS_HINT = "the pictures need pip install 'secretarial[charts]' (matplotlib)"


@pytest.fixture(scope="module")
def month() -> tuple[Office, Simulation]:
    """A simulated month in memory: enough to draw from."""
    office, clock = memory_office()
    return office, simulate_office(office, clock, months=1, seed=1)


def references(svg: str) -> list[str]:
    """Every ``href``, ``src`` and ``url(...)`` the SVG refers to."""
    return re.findall(r"""\b(?:src|href)\s*=\s*["']([^"']*)""", svg) + re.findall(
        r"url\(\s*['\"]?([^)'\"]*)", svg
    )


def assert_self_contained(svg: str) -> None:
    """An SVG that loads nothing: every reference points into the document itself."""
    assert svg.lstrip().startswith(("<?xml", "<svg"))
    assert "<svg" in svg
    assert "<image" not in svg
    assert "@import" not in svg
    for target in references(svg):
        assert target.startswith("#"), target


def bold_labels(ax: Any) -> list[str]:
    """The tick labels of the y axis set in bold."""
    return [t.get_text() for t in ax.get_yticklabels() if t.get_fontweight() in {"bold", 700}]


class TestStepWaitsPicture:
    def test_the_bottleneck_of_the_waits_is_the_one_named(
        self, quarter: tuple[Office, Simulation]
    ) -> None:
        office, sim = quarter
        for kind in KINDS:
            waits = step_waits(office, kind, start=sim.start, end=sim.end)
            found = bottleneck(office, kind, start=sim.start, end=sim.end)
            assert waits.bottleneck == found.step
            assert found.waits == waits
        empty = step_waits(Office.in_memory(), KINDS[0], start=sim.start, end=sim.end)
        assert empty.bottleneck is None

    def test_it_is_drawn_a_median_and_a_p90_bar_per_step(
        self, month: tuple[Office, Simulation]
    ) -> None:
        pytest.importorskip("matplotlib", reason=CHARTS_HINT)
        office, sim = month
        waits = step_waits(office, "incoming_document", start=sim.start, end=sim.end)
        marked = waits.bottleneck
        assert marked is not None
        assert marked.state == sim.bottleneck
        (ax,) = waits.plot().axes
        n = len(waits.steps)
        assert n > 1
        assert len(ax.patches) == 2 * n
        medians, p90s = ax.patches[:n], ax.patches[n:]
        assert [p.get_width() for p in medians] == [s.median_hours for s in waits.steps]
        assert [p.get_width() for p in p90s] == [s.p90_hours for s in waits.steps]
        outlined = [
            s.state
            for s, a, b in zip(waits.steps, medians, p90s, strict=True)
            if a.get_linewidth() == b.get_linewidth() == 1.5
        ]
        assert outlined == [marked.state]
        assert bold_labels(ax) == [marked.state]
        assert [t.get_text() for t in ax.get_yticklabels()] == [s.state for s in waits.steps]

    def test_its_svg_keeps_the_text_and_loads_nothing(
        self, month: tuple[Office, Simulation]
    ) -> None:
        pytest.importorskip("matplotlib", reason=CHARTS_HINT)
        office, sim = month
        waits = step_waits(office, "incoming_document", start=sim.start, end=sim.end)
        svg = waits._repr_svg_()
        assert svg is not None
        assert_self_contained(svg)
        assert all(f">{s.state}</text>" in svg for s in waits.steps)
        assert "> bottleneck</text>" in svg
        assert "<table>" in waits._repr_html_()

    def test_a_bottleneck_shows_the_picture_of_its_waits(
        self, month: tuple[Office, Simulation]
    ) -> None:
        pytest.importorskip("matplotlib", reason=CHARTS_HINT)
        office, sim = month
        found = bottleneck(office, "incoming_document", start=sim.start, end=sim.end)
        assert found.step is not None
        (ax,) = found.plot().axes
        assert len(ax.patches) == 2 * len(found.steps)
        assert bold_labels(ax) == [found.step.state]
        svg = found._repr_svg_()
        assert svg is not None
        assert_self_contained(svg)
        assert f">{found.step.state}</text>" in svg

    def test_no_step_left_draws_no_bar_and_marks_nothing(self) -> None:
        pytest.importorskip("matplotlib", reason=CHARTS_HINT)
        found = bottleneck(
            Office.in_memory(), "incoming_document", start=date(2025, 1, 1), end=date(2025, 1, 31)
        )
        (ax,) = found.plot().axes
        assert len(ax.patches) == 0
        assert ax.get_legend() is None
        svg = found._repr_svg_()
        assert svg is not None
        assert "bottleneck</text>" not in svg


class TestUnitOutcomesPicture:
    def test_it_is_drawn_three_stacked_bars_per_unit(
        self, month: tuple[Office, Simulation]
    ) -> None:
        pytest.importorskip("matplotlib", reason=CHARTS_HINT)
        office, sim = month
        figures = unit_outcomes(office, start=sim.start, end=sim.end)
        slowest = figures.slowest
        assert slowest is not None
        assert slowest.unit == sim.slow_unit
        (ax,) = figures.plot().axes
        n = len(figures.units)
        assert n > 1
        assert len(ax.patches) == 3 * n
        on_time, late, overdue = ax.patches[:n], ax.patches[n : 2 * n], ax.patches[2 * n :]
        for unit, a, b, c in zip(figures.units, on_time, late, overdue, strict=True):
            assert (a.get_x(), a.get_width()) == (0, unit.on_time)
            assert (b.get_x(), b.get_width()) == (unit.on_time, unit.late)
            assert (c.get_x(), c.get_width()) == (unit.closed, unit.open_overdue)
            marked = unit.unit == slowest.unit
            assert all((p.get_linewidth() == 1.5) == marked for p in (a, b, c))
        assert bold_labels(ax) == [slowest.unit]
        assert [t.get_text() for t in ax.get_yticklabels()] == [u.unit for u in figures.units]

    def test_its_svg_keeps_the_text_and_loads_nothing(
        self, month: tuple[Office, Simulation]
    ) -> None:
        pytest.importorskip("matplotlib", reason=CHARTS_HINT)
        office, sim = month
        figures = unit_outcomes(office, start=sim.start, end=sim.end)
        svg = figures._repr_svg_()
        assert svg is not None
        assert_self_contained(svg)
        assert all(f">{u.unit}</text>" in svg for u in figures.units)
        assert "> slowest: " in svg
        for name in ("on time", "late", "open and overdue"):
            assert f">{name}</text>" in svg

    def test_no_unit_draws_no_bar_and_marks_nothing(self) -> None:
        pytest.importorskip("matplotlib", reason=CHARTS_HINT)
        figures = unit_outcomes(Office.in_memory(), start=date(2025, 1, 1), end=date(2025, 1, 31))
        (ax,) = figures.plot().axes
        assert len(ax.patches) == 0
        assert bold_labels(ax) == []


def test_without_matplotlib_the_pictures_are_tables(
    month: tuple[Office, Simulation], monkeypatch: pytest.MonkeyPatch
) -> None:
    office, sim = month
    results = (
        step_waits(office, "incoming_document", start=sim.start, end=sim.end),
        bottleneck(office, "incoming_document", start=sim.start, end=sim.end),
        unit_outcomes(office, start=sim.start, end=sim.end),
    )
    monkeypatch.setitem(sys.modules, "matplotlib.figure", None)
    for result in results:
        assert result._repr_svg_() is None
        assert "<table>" in result._repr_html_()
        with pytest.raises(MissingExtraError, match="charts"):
            result.plot()
