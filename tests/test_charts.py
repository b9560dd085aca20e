"""Charts: the figures behind each picture equal a count by hand; the picture is drawn."""

from __future__ import annotations

import sys
from datetime import date, datetime, timedelta

import pytest

from conftest import DIRECTOR
from secretarial import IncomingDocument, MissingExtraError, Office, SupervisionItem, UsageError
from secretarial.charts import (
    AGEING_BUCKETS,
    daily_throughput,
    duty_calendar,
    overdue_ageing,
    supervision_status,
    timeline,
)


def later(office: Office, days: int) -> date:
    return office.today() + timedelta(days=days)


class TestByUnit:
    def test_the_counts_are_the_items_by_lead_unit(self, demo_week: Office) -> None:
        as_of = later(demo_week, 20)  # some items are overdue by then
        items = [
            e for e in demo_week.list(kind="supervision_item") if isinstance(e, SupervisionItem)
        ]
        status = supervision_status(demo_week.list(), as_of=as_of)
        assert sum(status.overdue) > 0
        for unit, on_time, overdue, done in status.rows():
            mine = [
                i
                for i in items
                if (i.lead_unit.name if i.lead_unit else "（未交办）") == unit
                and i.state != "cancelled"
            ]
            assert on_time == sum(i.is_open and not i.is_overdue(as_of) for i in mine)
            assert overdue == sum(i.is_overdue(as_of) for i in mine)
            assert done == sum(not i.is_open for i in mine)
        totals = [sum(r[1:]) for r in status.rows()]
        assert totals == sorted(totals, reverse=True)  # most items first
        assert "<table>" in status._repr_html_()

    def test_it_is_drawn(self, demo_week: Office) -> None:
        pytest.importorskip("matplotlib")
        status = supervision_status(demo_week.list(), as_of=later(demo_week, 20))
        figure = status.plot()
        (ax,) = figure.axes
        assert len(ax.patches) == 3 * len(status.units)  # on time, overdue, done per unit
        svg = status._repr_svg_()
        assert svg is not None
        assert "<svg" in svg
        assert all(unit in svg for unit in status.units)  # the text kept as text

    def test_a_day_is_needed(self, demo_week: Office) -> None:
        with pytest.raises(UsageError, match="as_of"):
            supervision_status(demo_week.list(), as_of=demo_week.now())  # type: ignore[arg-type]


class TestAgeing:
    def test_every_overdue_matter_is_in_one_bucket(self, demo_week: Office) -> None:
        as_of = later(demo_week, 40)
        ageing = overdue_ageing(demo_week.list(), as_of=as_of)
        overdue = {
            e.id: (as_of - e.deadline).days
            for e in demo_week.list()
            if e.deadline is not None and e.is_overdue(as_of)
        }
        assert sum(ageing.counts) == len(overdue) > 0
        assert sorted(i for ids in ageing.entity_ids for i in ids) == sorted(overdue)
        for (first, last), ids in zip(AGEING_BUCKETS, ageing.entity_ids, strict=True):
            assert all(first <= overdue[i] and (last is None or overdue[i] <= last) for i in ids)
            assert [overdue[i] for i in ids] == sorted((overdue[i] for i in ids), reverse=True)
        assert ageing.buckets[-1] == "31+"
        long_ago = demo_week.today() - timedelta(days=400)
        assert overdue_ageing(demo_week.list(), as_of=long_ago).counts == (0,) * 5

    def test_it_is_drawn(self, demo_week: Office) -> None:
        pytest.importorskip("matplotlib")
        ageing = overdue_ageing(demo_week.list(), as_of=later(demo_week, 40))
        (ax,) = ageing.plot().axes
        assert [p.get_height() for p in ax.patches] == list(ageing.counts)


class TestTimeline:
    def test_a_document_s_path_is_its_acts_that_moved_it(self, demo_week: Office) -> None:
        doc = next(e for e in demo_week.list(kind="incoming_document", state="filed"))
        assert isinstance(doc, IncomingDocument)
        trail = demo_week.audit(doc)
        path = timeline(
            trail,
            as_of=demo_week.now(),
            workflow=demo_week.workflow("incoming_document"),
            timezone=demo_week.timezone,
        )
        moved = [e.target for n, e in enumerate(trail) if n == 0 or e.target != trail[n - 1].target]
        assert [s.state for s in path.steps] == moved
        assert (path.steps[0].label, path.steps[-1].state) == ("签收", "filed")
        for step, after in zip(path.steps, path.steps[1:], strict=False):
            assert step.end == after.start
        assert path.steps[-1].end is None
        assert all(hours >= 0 for _, hours in path.durations())
        assert "(now)" in path._repr_html_()

    def test_it_is_drawn(self, demo_week: Office) -> None:
        pytest.importorskip("matplotlib")
        doc = demo_week.list(kind="incoming_document")[0]
        path = timeline(demo_week.audit(doc), as_of=demo_week.now())
        (ax,) = path.plot().axes
        assert len(ax.patches) == len(path.steps)

    def test_an_empty_trail_or_a_naive_moment_is_refused(self, demo_week: Office) -> None:
        with pytest.raises(UsageError, match="empty"):
            timeline([], as_of=demo_week.now())
        trail = demo_week.audit(demo_week.list()[0])
        with pytest.raises(UsageError, match="timezone-aware"):
            timeline(trail, as_of=datetime(2025, 10, 1))  # noqa: DTZ001


def test_without_matplotlib_a_result_shows_its_table(
    demo_week: Office, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "matplotlib.figure", None)
    status = supervision_status(demo_week.list(), as_of=demo_week.today())
    assert status._repr_svg_() is None
    assert "<table>" in status._repr_html_()
    with pytest.raises(MissingExtraError, match="charts"):
        status.plot()


class TestThroughput:
    def test_each_act_is_counted_once_on_its_day(self, demo_week: Office) -> None:
        trails = [demo_week.audit(e) for e in demo_week.list()]
        events = [e for t in trails for e in t]
        days = sorted({e.at.astimezone(demo_week.timezone).date() for e in events})
        work = daily_throughput(trails, start=days[0], end=days[-1], timezone=demo_week.timezone)
        assert work.days[0] == days[0]
        assert work.days[-1] == days[-1]
        assert sum(work.created) + sum(work.moved) + sum(work.other) == len(events)
        assert sum(work.created) == len(trails)
        assert sum(work.moved) == sum(1 for e in events if e.version > 1 and e.target != e.source)
        first = daily_throughput(trails, start=days[0], end=days[0], timezone=demo_week.timezone)
        on_first = [e for e in events if e.at.astimezone(demo_week.timezone).date() == days[0]]
        assert sum(first.rows()[0][1:]) == len(on_first)  # acts of other days left out
        with pytest.raises(UsageError, match="start <= end"):
            daily_throughput(trails, start=days[-1], end=days[0])

    def test_it_is_drawn(self, demo_week: Office) -> None:
        pytest.importorskip("matplotlib")
        trails = [demo_week.audit(e) for e in demo_week.list()]
        day = demo_week.today()
        work = daily_throughput(trails, start=day - timedelta(days=6), end=day)
        (ax,) = work.plot().axes
        assert len(ax.patches) == 3 * 7


class TestDutyCalendar:
    def test_the_roster_in_time(self) -> None:
        office = Office.in_memory()
        start = datetime(2026, 3, 2, 8, 30, tzinfo=office.timezone)
        people = [{"actor_id": a, "name": n} for a, n in (("li", "李"), ("wang", "王"))]
        shifts = office.duty.schedule(
            *(
                {
                    "start": start + timedelta(days=n),
                    "end": start + timedelta(days=n + 1),
                    "leader": people[n % 2],
                    "officers": [people[(n + 1) % 2]],
                }
                for n in (2, 0, 1)
            ),
            by=DIRECTOR,
        )
        calendar = duty_calendar(office.duty.roster(by=DIRECTOR), timezone=office.timezone)
        assert [s[0] for s in calendar.shifts] == sorted(s.start for s in shifts)
        assert calendar.shifts[0][2:] == ("李", ("王",))
        assert "<caption>duty roster: 3 shifts</caption>" in calendar._repr_html_()
        pytest.importorskip("matplotlib")
        (ax,) = calendar.plot().axes
        assert len(ax.patches) == 3
