"""The simulated office: deterministic, and its planted answers are in the raw audit trails."""

from __future__ import annotations

import statistics
from collections import defaultdict
from datetime import date

import pytest

from secretarial import AuditEvent, Office, SupervisionItem, ValidationError
from secretarial.testing import memory_office
from secretarial.testing.simulation import BOTTLENECK_CANDIDATES, Simulation, simulate_office

SEEDS = (1, 2, 3, 4)


def quarter(seed: int) -> tuple[Office, Simulation]:
    office, clock = memory_office()
    return office, simulate_office(office, clock, months=3, seed=seed)


def trail(office: Office, entity_id: str) -> tuple[AuditEvent, ...]:
    return tuple(office.audit(entity_id))


def waits_by_state(office: Office, ids: tuple[str, ...]) -> dict[str, list[float]]:
    """Hours each document spent in each state it left, from its audit trail by hand."""
    waits: dict[str, list[float]] = defaultdict(list)
    for entity_id in ids:
        entered = None
        for event in trail(office, entity_id):
            if event.source == event.target:
                continue
            if entered is not None and event.source is not None:
                waits[event.source].append((event.at - entered).total_seconds() / 3600)
            entered = event.at
    return waits


def local_day(office: Office, event: AuditEvent) -> date:
    return event.at.astimezone(office.timezone).date()


class TestDeterminism:
    def test_a_seed_tells_the_same_story(self) -> None:
        first, a = quarter(7)
        second, b = quarter(7)
        assert a == b
        story = [
            [(e.trigger, e.actor.id, e.at, e.payload) for e in trail(first, i)]
            for i in (*a.items, *a.documents)
        ]
        again = [
            [(e.trigger, e.actor.id, e.at, e.payload) for e in trail(second, i)]
            for i in (*b.items, *b.documents)
        ]
        assert story == again

    def test_another_seed_tells_another(self) -> None:
        first, a = quarter(1)
        second, b = quarter(2)
        assert [e.at for e in trail(first, a.items[0])] != [e.at for e in trail(second, b.items[0])]

    def test_the_audit_of_a_simulated_quarter_verifies(self) -> None:
        office, _ = quarter(1)
        assert office.verify_audit().ok


class TestDays:
    def test_every_working_day_of_the_months_is_simulated_once(self) -> None:
        office, clock = memory_office()
        seen: list[date] = []
        sim = simulate_office(office, clock, months=2, seed=5, on_day=seen.append)
        assert seen[0] == sim.start == date(2025, 9, 26)
        assert seen[-1] == sim.end
        assert sim.end < date(2025, 11, 26) <= office.calendar.add_workdays(sim.end, 1)
        assert seen == sorted(set(seen))
        assert all(office.calendar.is_workday(d) for d in seen)
        day, expected = sim.start, []
        while day <= sim.end:
            if office.calendar.is_workday(day):
                expected.append(day)
            day = date.fromordinal(day.toordinal() + 1)
        assert seen == expected

    def test_the_clock_ends_on_the_last_day(self) -> None:
        office, clock = memory_office()
        sim = simulate_office(office, clock, months=1, seed=1)
        assert clock.now().astimezone(office.timezone).date() == sim.end

    @pytest.mark.parametrize("months", [0, -1, 25])
    def test_months_out_of_range_are_refused(self, months: int) -> None:
        office, clock = memory_office()
        with pytest.raises(ValidationError, match="months"):
            simulate_office(office, clock, months=months)
        assert office.count() == 0

    def test_the_ids_are_what_it_made(self) -> None:
        office, sim = quarter(3)
        assert {office.get(i).entity_kind for i in sim.items} == {"supervision_item"}
        assert {office.get(i).entity_kind for i in sim.documents} == {"incoming_document"}
        assert len(sim.items) + len(sim.documents) == office.count()

    def test_the_sweep_chased_what_was_late(self) -> None:
        office, sim = quarter(1)
        reminders = [
            e
            for i in (*sim.items, *sim.documents)
            for e in trail(office, i)
            if e.trigger == "remind"
        ]
        assert reminders
        assert all(e.actor.id == "system" for e in reminders)


class TestPlantedAnswers:
    @pytest.mark.parametrize("seed", SEEDS)
    def test_the_slow_unit_is_late_most_often(self, seed: int) -> None:
        office, sim = quarter(seed)
        late: dict[str, list[bool]] = defaultdict(list)
        for item_id in sim.items:
            item = office.get(item_id)
            assert isinstance(item, SupervisionItem)
            assert item.lead_unit is not None
            assert item.deadline is not None
            submitted = [e for e in trail(office, item_id) if e.trigger == "submit_result"]
            if submitted:
                late[item.lead_unit.code].append(local_day(office, submitted[0]) > item.deadline)
        share = {code: sum(flags) / len(flags) for code, flags in late.items()}
        assert max(share, key=share.__getitem__) == sim.slow_unit
        assert share[sim.slow_unit] >= 0.5
        assert all(v <= 0.3 for code, v in share.items() if code != sim.slow_unit)

    @pytest.mark.parametrize("seed", SEEDS)
    def test_the_slow_unit_reports_least_often(self, seed: int) -> None:
        office, sim = quarter(seed)
        reports: dict[str, list[int]] = defaultdict(list)
        for item_id in sim.items:
            item = office.get(item_id)
            assert isinstance(item, SupervisionItem)
            assert item.lead_unit is not None
            reports[item.lead_unit.code].append(len(item.progress_reports))
        mean = {code: statistics.mean(n) for code, n in reports.items()}
        assert min(mean, key=mean.__getitem__) == sim.slow_unit

    @pytest.mark.parametrize("seed", SEEDS)
    def test_documents_wait_longest_at_the_bottleneck(self, seed: int) -> None:
        office, sim = quarter(seed)
        assert sim.bottleneck in BOTTLENECK_CANDIDATES
        medians = {
            state: statistics.median(hours)
            for state, hours in waits_by_state(office, sim.documents).items()
        }
        ranked = sorted(medians, key=medians.__getitem__, reverse=True)
        assert ranked[0] == sim.bottleneck
        assert medians[ranked[0]] >= 2 * medians[ranked[1]]

    def test_the_habits_are_told(self) -> None:
        _, sim = quarter(1)
        slow = sim.unit(sim.slow_unit)
        others = [u for u in sim.units if u.code != sim.slow_unit]
        assert all(slow.late_share > u.late_share for u in others)
        assert all(slow.report_every_workdays > u.report_every_workdays for u in others)
        with pytest.raises(KeyError):
            sim.unit("NONE")

    def test_units_extend_and_are_sent_back(self) -> None:
        office, sim = quarter(1)
        triggers = {e.trigger for i in sim.items for e in trail(office, i)}
        assert {"request_extension", "grant_extension", "reject", "report_progress"} <= triggers
        doc_triggers = {e.trigger for i in sim.documents for e in trail(office, i)}
        assert {"return_to", "complete", "finish_reading"} <= doc_triggers
