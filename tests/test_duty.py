"""Duty and reception 值班与接待: shifts, roster, swaps, handovers, calls, reception plans."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any, ClassVar
from zoneinfo import ZoneInfo

import pytest
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import initialize, invariant, precondition

from conftest import (
    ALL_ACTORS,
    CLERK,
    DIRECTOR,
    LEADER,
    NOBODY,
    PRINCIPAL,
    SUPERVISOR,
    UNIT_A,
    actor,
)
from secretarial import (
    Actor,
    AuditEvent,
    ConcurrencyConflict,
    Entity,
    IncomingDocument,
    NotFound,
    Query,
    Recurrence,
    Role,
    RuleViolation,
    SupervisionItem,
    SupervisionSource,
    TransitionNotAllowed,
    UsageError,
    ValidationError,
    builtin_registry,
)
from secretarial.adapters import MemoryStore
from secretarial.documents import INCOMING_TABLE
from secretarial.duty import (
    CALL_CHANNEL,
    CALL_RECORD_RULES,
    CALL_RECORD_TABLE,
    DUTY_OFFICER_ROLE,
    DUTY_SHIFT_RULES,
    DUTY_SHIFT_TABLE,
    RECEPTION_RULES,
    RECEPTION_TABLE,
    CallRecord,
    CallState,
    DutyPosition,
    DutyRoster,
    DutyShift,
    HandoverRecord,
    PendingMatter,
    ReceptionPlan,
    ReceptionPolicy,
    ReceptionState,
    ShiftState,
    carry_forward,
    check_roster,
    document_fields_from_call,
    duty_roster,
    hand_over_shift,
    item_fields_from_call,
    plan_reception,
    reception_problems,
    record_call_opening_item,
    record_call_receiving_document,
    rotation_shifts,
    schedule_shifts,
    swap_duty,
    who_is_on_duty,
)
from secretarial.engine import DefaultNumbering, FireContext, IdFactory
from secretarial.kernel import Workflow
from secretarial.supervision import SUPERVISION_TABLE
from secretarial.testing import SequentialIds
from workflow_drivers import WorkflowMachine

SHIFTS: Workflow[DutyShift] = Workflow(DUTY_SHIFT_TABLE)
CALLS: Workflow[CallRecord] = Workflow(CALL_RECORD_TABLE)
PLANS: Workflow[ReceptionPlan] = Workflow(RECEPTION_TABLE)
ITEMS: Workflow[SupervisionItem] = Workflow(SUPERVISION_TABLE)
INCOMING: Workflow[IncomingDocument] = Workflow(INCOMING_TABLE)


def ctx(actor: Actor, now: datetime, ids: IdFactory | None = None) -> FireContext:
    """The context a use case is given: the built-in workflows, who acts, when, the ids."""
    return FireContext(
        workflows=builtin_registry().workflows,
        numbering=DefaultNumbering(),
        actor=actor,
        now=now,
        ids=ids,
    )


SHANGHAI = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)  # Monday 2026-03-02 09:00 in Beijing
DAY0 = datetime(2026, 3, 2, 8, 30, tzinfo=SHANGHAI)  # the first handover time
DAY = timedelta(days=1)
HOUR = timedelta(hours=1)

ZHANG = actor("zhang", DUTY_OFFICER_ROLE)
WANG = actor("wang", DUTY_OFFICER_ROLE)
ZHAO = actor("zhao", DUTY_OFFICER_ROLE)
LI = actor("li", Role.LEADER)
DUTY_ACTORS = (*ALL_ACTORS, ZHANG, WANG, ZHAO, LI)


def person(who: Any) -> dict[str, str]:
    return {"actor_id": who.id, "name": who.name}


def shift_fields(
    day: int = 0,
    *,
    leader: Any = LEADER,
    officers: tuple[Any, ...] = (ZHANG,),
    hours: float = 24,
    start: datetime | None = None,
    **changes: Any,
) -> dict[str, Any]:
    """A shift of ``hours`` from 08:30 on day ``day`` (0 = Monday 2026-03-02), or ``start``."""
    start = start if start is not None else DAY0 + day * DAY
    return {
        "start": start,
        "end": start + timedelta(hours=hours),
        "leader": person(leader),
        "officers": [person(o) for o in officers],
        **changes,
    }


class Trail:
    """An entity and its audit trail, driven through its workflow directly."""

    def __init__(
        self, workflow: Workflow[Any], fields: dict[str, Any], by: Any, entity_id: str = "e1"
    ) -> None:
        self.workflow = workflow
        self.entity, event = workflow.create(fields, entity_id=entity_id, actor=by, now=NOW)
        self.events: list[AuditEvent] = [event]

    def fire(
        self, trigger: str, by: Any, *, at: datetime = NOW, reason: str | None = None, **data: Any
    ) -> Any:
        self.entity, event = self.workflow.fire(
            self.entity, trigger, by, now=at, data=data or None, reason=reason
        )
        self.events.append(event)
        return self.entity

    def refused(
        self, trigger: str, by: Any, *, at: datetime = NOW, reason: str | None = None, **data: Any
    ) -> TransitionNotAllowed:
        before = self.entity
        with pytest.raises(TransitionNotAllowed) as info:
            self.workflow.fire(self.entity, trigger, by, now=at, data=data or None, reason=reason)
        assert self.entity is before
        return info.value

    def replays(self) -> bool:
        return bool(self.workflow.replay(self.events) == self.entity)


def shift(day: int = 0, entity_id: str | None = None, **changes: Any) -> DutyShift:
    created, _ = SHIFTS.create(
        shift_fields(day, **changes), entity_id=entity_id or f"s{day}", actor=CLERK, now=NOW
    )
    return created


# ============================================================================ the tables
class TestTables:
    @pytest.mark.parametrize(
        ("workflow", "rules", "first"),
        [
            (SHIFTS, DUTY_SHIFT_RULES, "schedule"),
            (CALLS, CALL_RECORD_RULES, "record"),
            (PLANS, RECEPTION_RULES, "draft"),
        ],
    )
    def test_the_tables_build_and_name_their_rules(
        self, workflow: Workflow[Any], rules: tuple[Any, ...], first: str
    ) -> None:
        """Each table passes the engine's checks; every rule has a code, a name, a sentence."""
        assert workflow.triggers[0] == first
        assert all(r.code and r.name and r.description for r in rules)
        assert "remind" in workflow.triggers

    def test_the_rule_codes_are_those_of_the_rules_file(self) -> None:
        """Duty rules are R1, reception rules R2; SWAP, FORWARD and CANCEL are the engine's."""
        assert {r.code for r in DUTY_SHIFT_RULES} == {"R1", "SWAP", "CANCEL", "REMINDER"}
        assert {r.code for r in CALL_RECORD_RULES} == {"R1", "FORWARD", "REMINDER"}
        assert {r.code for r in RECEPTION_RULES} == {"R2", "CANCEL", "REMINDER"}
        assert {r.name for r in RECEPTION_RULES if r.code == "R2"} == {
            "visit-ends-after-start",
            "official-letter-required",
            "at-most-one-working-meal",
            "meal-hosts-limit",
        }

    def test_the_diagrams_show_every_state(self) -> None:
        """The mermaid diagrams come from the same tables."""
        for workflow in (SHIFTS, CALLS, PLANS):
            text = str(workflow.diagram())
            for state in workflow.states:
                assert f"{state.value}: {state.value} {state.label}" in text


# ============================================================================ shifts
class TestShift:
    def test_a_clerk_schedules_a_shift(self) -> None:
        """``schedule`` creates a scheduled shift at version 1, to the second."""
        trail = Trail(SHIFTS, shift_fields(start=DAY0 + timedelta(microseconds=7)), CLERK)
        created = trail.entity
        assert created.state is ShiftState.SCHEDULED
        assert created.version == 1
        assert created.start == DAY0
        assert [p.actor_id for p in created.people] == ["leader", "zhang"]
        assert created.position("leader") is DutyPosition.LEADER
        assert created.position("zhang") is DutyPosition.OFFICER
        assert created.position("wang") is None

    def test_someone_without_the_role_cannot_schedule(self) -> None:
        """Only clerks and office directors schedule shifts (ROLE)."""
        with pytest.raises(TransitionNotAllowed) as info:
            SHIFTS.create(shift_fields(), entity_id="s", actor=ZHANG, now=NOW)
        assert info.value.rule_code == "ROLE"

    @pytest.mark.parametrize(
        ("change", "field"),
        [
            ({"leader": None}, "leader"),
            ({"officers": []}, "officers"),
        ],
    )
    def test_a_shift_names_a_leader_and_an_officer(
        self, change: dict[str, Any], field: str
    ) -> None:
        """R1: a leader on duty and at least one duty officer, refused on the field."""
        fields = shift_fields() | change
        with pytest.raises(ValidationError) as info:
            SHIFTS.create(fields, entity_id="s", actor=CLERK, now=NOW)
        assert info.value.problems[0].field == field
        assert info.value.problems[0].rule == "R1"

    @pytest.mark.parametrize(
        ("changes", "words"),
        [
            ({"hours": 0}, "ends after it starts"),
            ({"hours": 24 * 8}, "at most 7 days"),
            ({"officers": (ZHANG, ZHANG)}, "twice: zhang"),
            ({"officers": (ZHANG, LEADER)}, "twice: leader"),
        ],
    )
    def test_malformed_shifts_are_refused(self, changes: dict[str, Any], words: str) -> None:
        """R1: a shift ends after it starts, lasts at most 7 days, names each person once."""
        with pytest.raises(ValidationError) as info:
            SHIFTS.create(shift_fields(**changes), entity_id="s", actor=CLERK, now=NOW)
        assert info.value.problems[0].rule == "R1"
        assert words in str(info.value)

    def test_someone_on_the_shift_takes_it_over(self) -> None:
        """R1: only the leader on duty or a duty officer of the shift takes it over."""
        trail = Trail(SHIFTS, shift_fields(), CLERK)
        assert trail.refused("take_over", WANG).rule_code == "R1"
        taken = trail.fire("take_over", ZHANG, at=DAY0)
        assert taken.state is ShiftState.ON_DUTY
        assert (taken.taken_over_by, taken.taken_over_at) == ("zhang", DAY0)
        assert trail.replays()

    def test_a_handover_lists_pending_matters(self) -> None:
        """R1: ``hand_over`` without a pending list is refused; an empty list says none."""
        trail = Trail(SHIFTS, shift_fields(), CLERK)
        trail.fire("take_over", ZHANG, at=DAY0)
        error = trail.refused("hand_over", ZHANG, at=DAY0 + DAY)
        assert (error.rule_code, "pending=[]" in error.reason) == ("R1", True)
        done = trail.fire("hand_over", LEADER, at=DAY0 + DAY, pending=[], to_shift_id="s1")
        assert done.state is ShiftState.HANDED_OVER
        assert done.handover is not None
        assert done.handover.pending == ()
        assert done.handover.by == "leader"
        assert trail.replays()

    def test_only_someone_on_the_shift_hands_it_over(self) -> None:
        """R1 on-shift-hands-over."""
        trail = Trail(SHIFTS, shift_fields(), CLERK)
        trail.fire("take_over", ZHANG)
        error = trail.refused("hand_over", WANG, pending=[])
        assert (error.rule_code, "hands it over" in error.reason) == ("R1", True)

    def test_a_received_matter_is_carried_or_closed(self) -> None:
        """R1: a matter received at take-over is pending again at handover unless closed."""
        trail = Trail(SHIFTS, shift_fields(), CLERK)
        received = [{"key": "m1", "text": "区应急局回电"}, {"key": "m2", "text": "续报火情"}]
        trail.fire("take_over", ZHANG, from_shift_id="s-1", received=received)
        dropped = trail.refused("hand_over", ZHANG, pending=[received[0]])
        assert dropped.rule_code == "R1"
        assert "m2" in dropped.reason
        done = trail.fire("hand_over", ZHANG, pending=[received[0]], closed=["m2"])
        assert done.handover.closed == ("m2",)
        assert trail.replays()

    def test_a_matter_is_pending_or_closed_not_both(self) -> None:
        """R1: the same key cannot be both."""
        trail = Trail(SHIFTS, shift_fields(), CLERK)
        trail.fire("take_over", ZHANG)
        with pytest.raises(ValidationError, match="not both"):
            trail.fire("hand_over", ZHANG, pending=[{"key": "m1", "text": "t"}], closed=["m1"])

    def test_a_shift_hands_over_to_another(self) -> None:
        """R1 hands-over-to-the-next."""
        trail = Trail(SHIFTS, shift_fields(), CLERK)
        trail.fire("take_over", ZHANG)
        assert trail.refused("hand_over", ZHANG, pending=[], to_shift_id="e1").rule_code == "R1"

    def test_cancelling_needs_a_reason(self) -> None:
        """CANCEL: a scheduled shift is cancelled with a reason."""
        trail = Trail(SHIFTS, shift_fields(), CLERK)
        assert trail.refused("cancel", DIRECTOR).rule_code == "CANCEL"
        cancelled = trail.fire("cancel", DIRECTOR, reason="调整值班安排")
        assert (cancelled.state, cancelled.cancel_reason) == (ShiftState.CANCELLED, "调整值班安排")
        assert not cancelled.is_open


# ============================================================================ swaps
class TestSwap:
    def test_the_director_approves_a_swap_naming_both(self) -> None:
        """A swap puts the replacement in the officer's place; the record names both."""
        trail = Trail(SHIFTS, shift_fields(officers=(ZHANG, WANG)), CLERK)
        swapped = trail.fire(
            "swap", DIRECTOR, reason="家中有事", out_id="zhang", replacement=person(ZHAO)
        )
        assert [p.actor_id for p in swapped.officers] == ["zhao", "wang"]
        record = swapped.swaps[0]
        assert (record.out_id, record.out_name) == ("zhang", "Zhang")
        assert (record.replacement.actor_id, record.replacement.name) == ("zhao", "Zhao")
        assert (record.by, record.at, record.reason) == ("director", NOW, "家中有事")
        assert record.position is DutyPosition.OFFICER
        assert trail.replays()

    def test_the_leader_on_duty_can_be_swapped(self) -> None:
        """Swapping the leader changes the leader on duty."""
        trail = Trail(SHIFTS, shift_fields(), CLERK)
        swapped = trail.fire("swap", DIRECTOR, out_id="leader", replacement=person(LI))
        assert swapped.leader.actor_id == "li"
        assert swapped.swaps[0].position is DutyPosition.LEADER

    def test_only_the_office_director_approves(self) -> None:
        """ROLE: a clerk or a leader cannot swap people."""
        trail = Trail(SHIFTS, shift_fields(), CLERK)
        for who in (CLERK, LEADER, ZHANG):
            assert trail.refused(
                "swap", who, out_id="zhang", replacement=person(ZHAO)
            ).rule_code == ("ROLE")

    @pytest.mark.parametrize(
        ("out_id", "replacement"),
        [("wang", ZHAO), ("zhang", ZHANG), ("zhang", LEADER)],
        ids=["leaving-not-on-shift", "same-person", "replacement-already-on"],
    )
    def test_a_swap_is_between_two_people(self, out_id: str, replacement: Any) -> None:
        """SWAP: the one leaving is on the shift, the one coming is someone else not on it."""
        trail = Trail(SHIFTS, shift_fields(), CLERK)
        error = trail.refused("swap", DIRECTOR, out_id=out_id, replacement=person(replacement))
        assert error.rule_code == "SWAP"

    def test_no_swap_once_on_duty(self) -> None:
        """STATE: a swap happens while the shift is scheduled."""
        trail = Trail(SHIFTS, shift_fields(), CLERK)
        trail.fire("take_over", ZHANG)
        assert trail.refused(
            "swap", DIRECTOR, out_id="zhang", replacement=person(ZHAO)
        ).rule_code == ("STATE")


# ============================================================================ the roster
def three_days() -> list[DutyShift]:
    return [
        shift(0, officers=(ZHANG,)),
        shift(1, leader=LI, officers=(WANG,)),
        shift(2, officers=(ZHAO,)),
    ]


class TestRoster:
    def test_a_roster_shows_as_a_table_of_its_shifts(self) -> None:
        """In Jupyter: a shift a row, in order, with its leader and officers by name."""
        roster = DutyRoster.of(list(reversed(three_days())))
        shown = roster._repr_html_()
        assert "<caption>duty roster: 3 shifts</caption>" in shown
        assert shown.count("<tr>") == 1 + 3
        assert shown.index("<td>s0</td>") < shown.index("<td>s1</td>") < shown.index("<td>s2</td>")
        assert f"<td>{LI.name}</td>" in shown
        assert f"<td>{WANG.name}</td>" in shown

    def test_who_is_on_duty(self) -> None:
        """The shift covering the moment gives its leader and officers; the end is exclusive."""
        roster = DutyRoster.of(three_days())
        on = who_is_on_duty(roster, DAY0 + 3 * HOUR)
        assert on is not None
        assert [s.id for s in on.shifts] == ["s0"]
        assert [p.actor_id for p in on.leaders] == ["leader"]
        assert [p.actor_id for p in on.officers] == ["zhang"]
        handover = who_is_on_duty(roster, (DAY0 + DAY).astimezone(UTC))
        assert handover is not None
        assert [p.actor_id for p in handover.leaders] == ["li"]
        assert who_is_on_duty(roster, DAY0 - HOUR) is None
        assert who_is_on_duty(roster, DAY0 + 3 * DAY) is None

    def test_who_is_on_duty_after_a_swap(self) -> None:
        """A swapped-in officer is on duty; the one swapped out is not."""
        swapped, _ = SHIFTS.fire(
            shift(0),
            "swap",
            DIRECTOR,
            now=NOW,
            data={"out_id": "zhang", "replacement": person(WANG)},
        )
        on = who_is_on_duty([swapped], DAY0)
        assert on is not None
        assert [p.actor_id for p in on.officers] == ["wang"]

    def test_overlapping_shifts_are_both_on_duty(self) -> None:
        """During an overlap both shifts' people are on duty, each once."""
        day = shift(0, hours=12, officers=(ZHANG,))
        night = shift(0, "n", hours=12, officers=(WANG,), start=DAY0 + 11 * HOUR)
        on = who_is_on_duty([day, night], DAY0 + 11.5 * HOUR)
        assert on is not None
        assert [p.actor_id for p in on.officers] == ["zhang", "wang"]
        assert [p.actor_id for p in on.leaders] == ["leader"]

    def test_a_naive_moment_is_refused(self) -> None:
        """Times are aware."""
        with pytest.raises(ValidationError):
            who_is_on_duty(three_days(), datetime(2026, 3, 2, 9))  # noqa: DTZ001 -- on purpose

    def test_consecutive_shifts_cover_the_period(self) -> None:
        """R1: three 24-hour shifts cover three days with no gap."""
        roster = DutyRoster.of(three_days())
        assert roster.gaps(DAY0, DAY0 + 3 * DAY) == []
        check_roster(roster, DAY0, DAY0 + 3 * DAY)

    def test_a_cancelled_shift_leaves_a_gap(self) -> None:
        """R1 24-hour-coverage: a cancelled middle shift is a day with nobody on duty."""
        first, middle, last = three_days()
        cancelled, _ = SHIFTS.fire(middle, "cancel", CLERK, now=NOW, reason="r")
        roster = DutyRoster.of([first, cancelled, last])
        assert len(roster) == 2
        gaps = roster.gaps(DAY0, DAY0 + 3 * DAY)
        assert [(g.start, g.end) for g in gaps] == [(DAY0 + DAY, DAY0 + 2 * DAY)]
        assert gaps[0].duration == DAY
        with pytest.raises(RuleViolation) as info:
            check_roster(roster, DAY0, DAY0 + 3 * DAY)
        assert (info.value.rule_code, info.value.rule_name) == ("R1", "24-hour-coverage")

    def test_gaps_at_either_end_of_the_period(self) -> None:
        """A period starting before the first shift or ending after the last has gaps there."""
        roster = DutyRoster.of(three_days())
        gaps = roster.gaps(DAY0 - HOUR, DAY0 + 3 * DAY + HOUR)
        assert [(g.start, g.end) for g in gaps] == [
            (DAY0 - HOUR, DAY0),
            (DAY0 + 3 * DAY, DAY0 + 3 * DAY + HOUR),
        ]
        assert DutyRoster().gaps(DAY0, DAY0 + DAY)[0].duration == DAY

    def test_the_period_gives_both_bounds(self) -> None:
        """A coverage period has a start and an end."""
        with pytest.raises(ValidationError):
            check_roster(three_days(), DAY0)

    def test_no_one_on_two_overlapping_shifts(self) -> None:
        """R1 no-double-duty: the same person on shifts that overlap is refused."""
        first = shift(0, officers=(ZHANG,))
        clash = shift(0, "x", officers=(WANG,), leader=LI, start=DAY0 + 12 * HOUR)
        check_roster([first, clash])  # different people may overlap
        zhang_twice = clash.model_copy(update={"officers": (first.officers[0],)})
        with pytest.raises(RuleViolation) as info:
            check_roster([first, zhang_twice])
        assert (info.value.rule_code, info.value.rule_name) == ("R1", "no-double-duty")
        doubles = DutyRoster.of([first, zhang_twice]).double_duties()
        assert [(d.actor_id, d.shift_id, d.other_shift_id) for d in doubles] == [
            ("zhang", "s0", "x")
        ]
        assert (doubles[0].start, doubles[0].end) == (DAY0 + 12 * HOUR, DAY0 + DAY)

    def test_touching_shifts_do_not_overlap(self) -> None:
        """One ending at 08:30 and the next starting at 08:30 share no time."""
        check_roster([shift(0), shift(1)], DAY0, DAY0 + 2 * DAY)

    def test_a_rotation_from_a_recurrence(self) -> None:
        """A daily rule at 08:30 for 24 hours and three teams: teams take turns, no gap."""
        recurrence = Recurrence(
            frequency="daily", count=6, timezone="Asia/Shanghai", start=DAY0, duration=DAY
        )
        teams = [
            {"leader": person(LEADER), "officers": [person(ZHANG)]},
            {"leader": person(LI), "officers": [person(WANG)]},
            {"leader": person(PRINCIPAL), "officers": [person(ZHAO)]},
        ]
        fields = rotation_shifts(recurrence, teams, place="值班室")
        assert [f["leader"].actor_id for f in fields] == ["leader", "li", "principal"] * 2
        assert {f["place"] for f in fields} == {"值班室"}
        shifts = [
            SHIFTS.create(f, entity_id=f"r{n}", actor=CLERK, now=NOW)[0]
            for n, f in enumerate(fields)
        ]
        check_roster(shifts, DAY0, DAY0 + 6 * DAY)
        middle = rotation_shifts(
            recurrence, teams, between_start=DAY0 + 4 * DAY, between_end=DAY0 + 6 * DAY
        )
        assert [f["leader"].actor_id for f in middle] == ["li", "principal"]

    def test_a_skipped_day_of_a_rotation_is_a_gap(self) -> None:
        """An excluded occurrence makes no shift, so the coverage check reports the day."""
        recurrence = Recurrence(
            frequency="daily",
            count=3,
            timezone="Asia/Shanghai",
            start=DAY0,
            duration=DAY,
            exdates=(DAY0 + DAY,),
        )
        team = {"leader": person(LEADER), "officers": [person(ZHANG)]}
        shifts = [
            SHIFTS.create(f, entity_id=f"r{n}", actor=CLERK, now=NOW)[0]
            for n, f in enumerate(rotation_shifts(recurrence, [team]))
        ]
        with pytest.raises(RuleViolation, match="24-hour-coverage"):
            check_roster(shifts, DAY0, DAY0 + 3 * DAY)

    def test_a_rotation_needs_well_formed_teams(self) -> None:
        """R1: at least one team, each with a leader and an officer."""
        recurrence = Recurrence(
            frequency="daily", count=2, timezone="Asia/Shanghai", start=DAY0, duration=DAY
        )
        with pytest.raises(ValidationError):
            rotation_shifts(recurrence, [])
        with pytest.raises(ValidationError) as info:
            rotation_shifts(recurrence, [{"leader": person(LEADER), "officers": []}])
        assert info.value.problems[0].rule == "R1"


# ============================================================================ roster in a store
def store_and_ids() -> tuple[MemoryStore, SequentialIds]:
    return MemoryStore(), SequentialIds()


def stored(store: MemoryStore) -> list[Entity]:
    return list(store.find(Query()))


class TestRosterInStore:
    def test_shifts_are_scheduled_together_with_their_coverage(self) -> None:
        """A week's rotation covering the week is stored, audited, and replays."""
        store, ids = store_and_ids()
        recurrence = Recurrence(
            frequency="daily", count=7, timezone="Asia/Shanghai", start=DAY0, duration=DAY
        )
        teams = [
            {"leader": person(LEADER), "officers": [person(ZHANG)]},
            {"leader": person(LI), "officers": [person(WANG)]},
        ]
        created = schedule_shifts(
            store,
            ctx(CLERK, NOW, ids=ids),
            rotation_shifts(recurrence, teams),
            coverage=(DAY0, DAY0 + 7 * DAY),
        )
        assert len(created) == 7
        roster = duty_roster(store, DAY0 + 2 * DAY, DAY0 + 3 * DAY)
        assert [s.id for s in roster] == [created[2].id]
        on = who_is_on_duty(duty_roster(store), DAY0 + 2 * DAY + HOUR)
        assert on is not None
        assert on.leaders[0].actor_id == "leader"
        for created_shift in created:
            assert SHIFTS.replay(store.events(created_shift.id)) == store.get(created_shift.id)

    def test_a_clash_with_a_kept_shift_stores_nothing(self) -> None:
        """R1 no-double-duty against the shifts already kept: none of the new ones is stored."""
        store, ids = store_and_ids()
        schedule_shifts(store, ctx(CLERK, NOW, ids=ids), [shift_fields(0)])
        clash = shift_fields(0, leader=LI, officers=(ZHANG,), start=DAY0 + 6 * HOUR)
        with pytest.raises(RuleViolation, match="no-double-duty"):
            schedule_shifts(store, ctx(CLERK, NOW, ids=ids), [shift_fields(1), clash])
        assert len(stored(store)) == 1

    def test_a_gap_in_the_period_stores_nothing(self) -> None:
        """R1 24-hour-coverage over the period given: refused, nothing stored."""
        store, ids = store_and_ids()
        with pytest.raises(RuleViolation, match="24-hour-coverage"):
            schedule_shifts(
                store,
                ctx(CLERK, NOW, ids=ids),
                [shift_fields(0), shift_fields(2)],
                coverage=(DAY0, DAY0 + 3 * DAY),
            )
        assert stored(store) == []

    def test_duty_roster_takes_both_bounds(self) -> None:
        """A window has a start and an end, or neither."""
        store, _ = store_and_ids()
        with pytest.raises(UsageError):
            duty_roster(store, DAY0)

    def test_a_swap_that_makes_double_duty_is_refused(self) -> None:
        """R1: Zhang, on Tuesday's shift, cannot also take Tuesday's overlapping night shift."""
        store, ids = store_and_ids()
        day, night = schedule_shifts(
            store,
            ctx(CLERK, NOW, ids=ids),
            [
                shift_fields(0, officers=(ZHANG,)),
                shift_fields(0, leader=LI, officers=(WANG,), start=DAY0 + 12 * HOUR),
            ],
        )
        with pytest.raises(RuleViolation, match="no-double-duty"):
            swap_duty(store, ctx(DIRECTOR, NOW), night.id, out_id="wang", replacement=person(ZHANG))
        assert store.get(night.id) == night
        swapped, other = swap_duty(
            store,
            ctx(DIRECTOR, NOW),
            night.id,
            out_id="wang",
            replacement=person(ZHAO),
            reason="病假",
        )
        assert other is None
        assert store.get(night.id) == swapped
        assert [p.actor_id for p in swapped.officers] == ["zhao"]
        assert day.version == store.get(day.id).version == 1

    def test_two_people_exchange_shifts(self) -> None:
        """An exchange 互换: Zhang takes Wang's Tuesday, Wang Zhang's Monday, both recorded."""
        store, ids = store_and_ids()
        monday, tuesday = schedule_shifts(
            store,
            ctx(CLERK, NOW, ids=ids),
            [shift_fields(0, officers=(ZHANG,)), shift_fields(1, leader=LI, officers=(WANG,))],
        )
        first, second = swap_duty(
            store,
            ctx(DIRECTOR, NOW),
            monday.id,
            out_id="zhang",
            replacement="wang",
            other_shift_id=tuesday.id,
            expected_content_version=1,
        )
        assert second is not None
        assert [p.actor_id for p in first.officers] == ["wang"]
        assert [p.actor_id for p in second.officers] == ["zhang"]
        assert first.swaps[0].other_shift_id == tuesday.id
        assert second.swaps[0].other_shift_id == monday.id
        assert (first.swaps[0].out_name, first.swaps[0].replacement.name) == ("Zhang", "Wang")
        assert store.get(monday.id) == first
        assert store.get(tuesday.id) == second

    def test_an_exchange_refused_on_the_second_shift_changes_neither(self) -> None:
        """The replacement must be on the other shift; a stale version is a conflict."""
        store, ids = store_and_ids()
        monday, tuesday = schedule_shifts(
            store,
            ctx(CLERK, NOW, ids=ids),
            [shift_fields(0, officers=(ZHANG,)), shift_fields(1, leader=LI, officers=(WANG,))],
        )
        with pytest.raises(NotFound):
            swap_duty(
                store,
                ctx(DIRECTOR, NOW),
                monday.id,
                out_id="zhang",
                replacement="zhao",
                other_shift_id=tuesday.id,
            )
        with pytest.raises(ConcurrencyConflict):
            swap_duty(
                store,
                ctx(DIRECTOR, NOW),
                monday.id,
                out_id="zhang",
                replacement=person(ZHAO),
                expected_content_version=7,
            )
        with pytest.raises(UsageError):
            swap_duty(store, ctx(DIRECTOR, NOW), monday.id, out_id="zhang", replacement="zhao")
        assert [e.version for e in stored(store)] == [1, 1]


# ============================================================================ handovers
def matter(key: str, text: str = "待办", **more: Any) -> PendingMatter:
    return PendingMatter(key=key, text=text, **more)


class TestCarryForward:
    def test_the_previous_list_minus_what_was_closed(self) -> None:
        """Closed by key or by linked entity id; the rest carried, counted, in order."""
        since = DAY0 - DAY
        previous = [
            matter("m1", since=since),
            matter("m2", since=since, carried=2),
            matter("call-3", entity_id="call-3"),
        ]
        kept = carry_forward(previous, closed=["m1", "call-3"])
        assert [(m.key, m.carried, m.since) for m in kept] == [("m2", 3, since)]

    def test_new_matters_follow_with_their_time(self) -> None:
        """New matters come after the carried ones, dated ``at``, never twice."""
        kept = carry_forward(
            HandoverRecord(by="zhang", at=DAY0, pending=(matter("m1"),)),
            new=[{"text": "区政府值班室来电待回复"}, {"key": "m1", "text": "again"}, matter("m9")],
            at=DAY0 + DAY + timedelta(microseconds=3),
        )
        assert [m.key for m in kept] == ["m1", "区政府值班室来电待回复", "m9"]
        assert kept[1].since == DAY0 + DAY
        assert kept[0].text == "待办"

    def test_a_new_matter_closed_at_once_is_not_listed(self) -> None:
        """A matter that arose and was closed in the same shift is not handed over."""
        assert (
            carry_forward(None, closed=["sup-1"], new=[{"text": "t", "entity_id": "sup-1"}]) == ()
        )

    def test_a_malformed_new_matter_is_refused(self) -> None:
        """A matter has a text."""
        with pytest.raises(ValidationError):
            carry_forward(None, new=[{"key": "m1"}])


def new_call(**changes: Any) -> dict[str, Any]:
    """The fields of a complete call record, with ``changes``."""
    base: dict[str, Any] = {
        "called_at": NOW - 10 * timedelta(minutes=1),
        "caller": {"name": "王科长", "unit": "市政府办公室", "phone": "0571-87000000转8001"},
        "matter": "请于今日17时前报送节日值班安排",
        "measures": "已报告带班领导，通知综合科办理",
        "recorder": "zhang",
    }
    return {**base, **changes}


class TestHandoverInStore:
    def schedule(self) -> tuple[MemoryStore, SequentialIds, list[DutyShift]]:
        store, ids = store_and_ids()
        shifts = schedule_shifts(
            store,
            ctx(CLERK, NOW, ids=ids),
            [
                shift_fields(0, officers=(ZHANG,)),
                shift_fields(1, leader=LI, officers=(WANG,)),
                shift_fields(2, officers=(ZHAO,)),
            ],
        )
        return store, ids, shifts

    def test_matters_carry_forward_from_shift_to_shift(self) -> None:
        """Open matters travel on; closed ones and closed calls drop; open calls join."""
        store, _, (first, second, third) = self.schedule()
        taken, taking = SHIFTS.fire(first, "take_over", ZHANG, now=DAY0)
        with store.unit_of_work() as uow:
            uow.save(taken, taking, expected_version=1)
        handed, next_shift = hand_over_shift(
            store,
            ctx(ZHANG, DAY0 + DAY),
            first.id,
            received_by=WANG,
            to_shift_id=second.id,
            new=[matter("m1", "市应急局要求续报"), matter("m2", "车辆调度")],
        )
        assert handed.state is ShiftState.HANDED_OVER
        assert next_shift is not None
        assert next_shift.state is ShiftState.ON_DUTY
        assert [m.key for m in next_shift.received] == ["m1", "m2"]
        assert next_shift.received_from == first.id
        assert next_shift.taken_over_by == "wang"
        # during the second shift: a call comes in (stays open), another is closed
        open_call, created = CALLS.create(
            new_call(shift_id=second.id), entity_id="call-a", actor=WANG, now=DAY0 + DAY + HOUR
        )
        done_call, created_done = CALLS.create(
            new_call(shift_id=second.id), entity_id="call-b", actor=WANG, now=DAY0 + DAY + HOUR
        )
        closed_call, closing = CALLS.fire(done_call, "close", WANG, now=DAY0 + DAY + 2 * HOUR)
        with store.unit_of_work() as uow:
            uow.add(open_call, created)
            uow.add(done_call, created_done)
            uow.save(closed_call, closing, expected_version=1)
        handed, third_taken = hand_over_shift(
            store,
            ctx(LI, DAY0 + 2 * DAY),
            second.id,
            received_by=ZHAO,
            to_shift_id=third.id,
            closed=["m1"],
            new=[{"text": "核实", "entity_id": "call-b"}],
        )
        assert third_taken is not None
        pending = third_taken.received
        assert [(m.key, m.carried) for m in pending] == [("m2", 1), ("call-a", 0)]
        assert pending[1].entity_id == "call-a"
        assert "市政府办公室王科长来电" in pending[1].text
        assert handed.handover is not None
        assert handed.handover.closed == ("call-b", "m1")
        assert handed.handover.received_by == "zhao"
        for entity in stored(store):
            workflow: Workflow[Any] = SHIFTS if isinstance(entity, DutyShift) else CALLS
            assert workflow.replay(store.events(entity.id)) == entity

    def test_the_last_shift_hands_over_to_nobody(self) -> None:
        """At the end of a roster the handover names no next shift."""
        store, _, (first, *_) = self.schedule()
        taken, event = SHIFTS.fire(first, "take_over", ZHANG, now=DAY0)
        with store.unit_of_work() as uow:
            uow.save(taken, event, expected_version=1)
        handed, nxt = hand_over_shift(store, ctx(ZHANG, DAY0 + DAY), first.id)
        assert nxt is None
        assert handed.handover is not None
        assert handed.handover.to_shift_id is None

    def test_a_refused_take_over_changes_neither_shift(self) -> None:
        """R1: the person taking over is on the next shift; otherwise nothing is saved."""
        store, _, (first, second, _third) = self.schedule()
        taken, event = SHIFTS.fire(first, "take_over", ZHANG, now=DAY0)
        with store.unit_of_work() as uow:
            uow.save(taken, event, expected_version=1)
        with pytest.raises(TransitionNotAllowed) as info:
            hand_over_shift(
                store, ctx(ZHANG, DAY0 + DAY), first.id, received_by=ZHAO, to_shift_id=second.id
            )
        assert info.value.rule_code == "R1"
        assert store.get(first.id) == taken
        assert store.get(second.id) == second

    def test_a_next_shift_needs_someone_to_take_it(self) -> None:
        """``received_by`` is required with ``to_shift_id``."""
        store, _, (first, second, _third) = self.schedule()
        with pytest.raises(UsageError):
            hand_over_shift(store, ctx(ZHANG, NOW), first.id, to_shift_id=second.id)


# ============================================================================ call records
R1_FIELDS = [
    ("called_at", None),
    ("caller", None),
    ("caller.name", ""),
    ("caller.unit", "  "),
    ("caller.phone", None),
    ("matter", ""),
    ("measures", None),
    ("recorder", " "),
]


def without(field: str, value: Any) -> dict[str, Any]:
    fields = new_call()
    if field.startswith("caller."):
        caller = dict(fields["caller"])
        caller[field.removeprefix("caller.")] = value
        if value is None:
            del caller[field.removeprefix("caller.")]
        fields["caller"] = caller
    elif value is None:
        del fields[field]
    else:
        fields[field] = value
    return fields


class TestCallRecord:
    def test_a_complete_call_is_recorded(self) -> None:
        """Time, caller (name, unit, phone), matter, measures and recorder are kept."""
        trail = Trail(CALLS, new_call(), ZHANG)
        call = trail.entity
        assert call.state is CallState.RECORDED
        assert call.caller.phone == "0571-87000000转8001"
        assert call.recorder == "zhang"
        assert call.summary.startswith("市政府办公室王科长来电：")

    @pytest.mark.parametrize(("field", "value"), R1_FIELDS, ids=[f for f, _ in R1_FIELDS])
    def test_every_element_is_required_by_r1(self, field: str, value: Any) -> None:
        """R1: a missing or blank element is refused, naming the field and the rule."""
        with pytest.raises(ValidationError) as info:
            CALLS.create(without(field, value), entity_id="c1", actor=ZHANG, now=NOW)
        problems = info.value.problems
        assert [(p.field, p.rule) for p in problems] == [(field, "R1")]
        assert field in problems[0].message

    def test_every_missing_element_is_named_at_once(self) -> None:
        """An empty record lists all six top-level elements under R1."""
        with pytest.raises(ValidationError) as info:
            CALLS.create({}, entity_id="c1", actor=ZHANG, now=NOW)
        assert set(info.value.fields) == {
            "called_at",
            "caller",
            "matter",
            "measures",
            "recorder",
        }
        assert {p.rule for p in info.value.problems} == {"R1"}

    def test_a_malformed_phone_is_refused(self) -> None:
        """A phone number is digits and the usual signs."""
        with pytest.raises(ValidationError) as info:
            CALLS.create(
                without("caller.phone", "call me maybe"), entity_id="c1", actor=ZHANG, now=NOW
            )
        assert info.value.fields == ("caller.phone",)

    def test_a_call_is_recorded_after_it_came_in(self) -> None:
        """R1 call-already-came-in."""
        with pytest.raises(TransitionNotAllowed) as info:
            CALLS.create(new_call(called_at=NOW + HOUR), entity_id="c1", actor=ZHANG, now=NOW)
        assert info.value.rule_code == "R1"

    def test_someone_on_duty_records_it(self) -> None:
        """ROLE: duty officers, clerks, the director and leaders record calls."""
        for who in (ZHANG, CLERK, DIRECTOR, LEADER):
            CALLS.create(new_call(), entity_id="c1", actor=who, now=NOW)
        with pytest.raises(TransitionNotAllowed):
            CALLS.create(new_call(), entity_id="c1", actor=NOBODY, now=NOW)

    def test_forwarding_names_a_link_once(self) -> None:
        """FORWARD: a link is named, and each kind of link is set once."""
        trail = Trail(CALLS, new_call(), ZHANG)
        assert trail.refused("forward", ZHANG).rule_code == "FORWARD"
        trail.fire("forward", ZHANG, supervision_item_id="sup-1")
        assert trail.refused("forward", ZHANG, supervision_item_id="sup-2").rule_code == "FORWARD"
        forwarded = trail.fire("forward", ZHANG, document_id="in-1")
        assert (forwarded.supervision_item_id, forwarded.document_id) == ("sup-1", "in-1")
        closed = trail.fire("close", WANG, result="已办结")
        assert (closed.state, closed.result) == (CallState.CLOSED, "已办结")
        assert trail.replays()

    def test_item_fields_from_a_superior(self) -> None:
        """A superior organ's call opens an upper_directive item referring to the call."""
        call = Trail(CALLS, new_call(urgent=True), ZHANG).entity
        call = call.model_copy(
            update={"caller": call.caller.model_copy(update={"kind": "superior"})}
        )
        fields = item_fields_from_call(call)
        assert fields["source"] is SupervisionSource.UPPER_DIRECTIVE
        assert (fields["source_ref"], fields["requirement"]) == ("e1", call.matter)
        assert fields["received_at"] == call.called_at
        assert fields["urgency"] == "urgent"
        assert "instructed_by" not in fields

    def test_item_fields_from_a_leader(self) -> None:
        """A leader's call opens a leader_instruction item instructed by that leader."""
        caller = {"name": "李主任", "unit": "本机关", "phone": "8001", "kind": "leader"}
        call = Trail(CALLS, new_call(caller=caller | {"actor_id": "leader"}), ZHANG).entity
        fields = item_fields_from_call(call)
        assert fields["source"] is SupervisionSource.LEADER_INSTRUCTION
        assert fields["instructed_by"] == "leader"
        unnamed = Trail(CALLS, new_call(caller=caller), ZHANG).entity
        assert item_fields_from_call(unnamed)["instructed_by"] == "李主任"

    def test_other_callers_need_a_source(self) -> None:
        """FORWARD call-item-source: the public's call opens an item only with a source."""
        call = Trail(CALLS, new_call(), ZHANG).entity
        with pytest.raises(RuleViolation) as info:
            item_fields_from_call(call)
        assert (info.value.rule_code, info.value.entity_id) == ("FORWARD", "e1")
        with pytest.raises(RuleViolation):
            item_fields_from_call(call, source="meeting_decision")
        assert item_fields_from_call(call, source="upper_directive")["source"] == "upper_directive"

    def test_document_fields_from_a_call(self) -> None:
        """The caller's unit sends it, received when the call came in, over the call channel."""
        call = Trail(CALLS, new_call(), ZHANG).entity
        fields = document_fields_from_call(call)
        assert fields["sender"].name == "市政府办公室"
        assert fields["channel"] is CALL_CHANNEL
        assert fields["received_at"] == call.called_at
        assert fields["title"].startswith("市政府办公室电话通知：")
        assert "0571-87000000转8001" in fields["remark"]
        long = Trail(CALLS, new_call(matter="长" * 300), ZHANG).entity
        assert len(document_fields_from_call(long)["title"]) == 100
        assert document_fields_from_call(call, kind="letter", title="t")["title"] == "t"


class TestCallUseCases:
    def test_a_call_opens_a_supervision_item_in_one_unit_of_work(self) -> None:
        """The call is recorded, forwarded to the item, and the item opened: all stored."""
        store, ids = store_and_ids()
        superior = new_call()["caller"] | {"kind": "superior"}
        call, item = record_call_opening_item(
            store,
            ctx(ZHANG, NOW, ids=ids),
            new_call(caller=superior),
            opened_by=SUPERVISOR,
            item={"lead_unit": UNIT_A},
        )
        assert call.state is CallState.FORWARDED
        assert call.supervision_item_id == item.id
        assert item.source is SupervisionSource.UPPER_DIRECTIVE
        assert item.source_ref == call.id
        assert item.lead_unit is not None
        assert item.lead_unit.code == UNIT_A["code"]
        assert store.get(call.id) == call
        assert store.get(item.id) == item
        assert [e.trigger for e in store.events(call.id)] == ["record", "forward"]
        assert CALLS.replay(store.events(call.id)) == call
        assert ITEMS.replay(store.events(item.id)) == item

    def test_a_refused_item_records_no_call(self) -> None:
        """S1 (one matter per item) refuses the item: neither the call nor the item is stored."""
        store, ids = store_and_ids()
        two_matters = "1. 报送值班表\n2. 报送应急预案"
        with pytest.raises(TransitionNotAllowed) as info:
            record_call_opening_item(
                store,
                ctx(ZHANG, NOW, ids=ids),
                new_call(matter=two_matters),
                opened_by=SUPERVISOR,
                source="upper_directive",
            )
        assert info.value.rule_code == "S1"
        assert stored(store) == []

    def test_a_refused_call_opens_no_item(self) -> None:
        """R1 (no phone) refuses the call: nothing is stored."""
        store, ids = store_and_ids()
        with pytest.raises(ValidationError):
            record_call_opening_item(
                store,
                ctx(ZHANG, NOW, ids=ids),
                without("caller.phone", None),
                opened_by=SUPERVISOR,
                source="upper_directive",
            )
        with pytest.raises(RuleViolation):  # FORWARD: no source for a caller of kind other
            record_call_opening_item(
                store, ctx(ZHANG, NOW, ids=ids), new_call(), opened_by=SUPERVISOR
            )
        with pytest.raises(TransitionNotAllowed):  # ROLE: the item is opened by a supervisor
            record_call_opening_item(
                store,
                ctx(ZHANG, NOW, ids=ids),
                new_call(),
                opened_by=ZHANG,
                source="upper_directive",
            )
        assert stored(store) == []

    def test_a_recorded_call_opens_an_item_later_once(self) -> None:
        """A call already recorded is forwarded by id; a second item is refused (FORWARD)."""
        store, ids = store_and_ids()
        recorded, event = CALLS.create(new_call(), entity_id="call-1", actor=ZHANG, now=NOW)
        with store.unit_of_work() as uow:
            uow.add(recorded, event)
        call, item = record_call_opening_item(
            store,
            ctx(DIRECTOR, NOW, ids=ids),
            "call-1",
            opened_by=SUPERVISOR,
            source="leader_instruction",
            expected_content_version=1,
        )
        assert (call.version, call.supervision_item_id) == (2, item.id)
        with pytest.raises(TransitionNotAllowed) as info:
            record_call_opening_item(
                store,
                ctx(DIRECTOR, NOW, ids=ids),
                "call-1",
                opened_by=SUPERVISOR,
                source="leader_instruction",
            )
        assert info.value.rule_code == "FORWARD"
        assert len(stored(store)) == 2

    def test_a_call_becomes_an_incoming_document_in_one_unit_of_work(self) -> None:
        """A telephoned notice is received as a document; the call links it."""
        store, ids = store_and_ids()
        call, doc = record_call_receiving_document(
            store,
            ctx(ZHANG, NOW, ids=ids),
            new_call(),
            received_by=CLERK,
            document={"urgency": "urgent"},
        )
        assert call.document_id == doc.id
        assert doc.channel is CALL_CHANNEL
        assert doc.sender.name == "市政府办公室"
        assert doc.received_at == call.called_at
        assert doc.urgency == "urgent"
        assert doc.body == call.matter
        assert store.get(doc.id) == doc
        assert INCOMING.replay(store.events(doc.id)) == doc

    def test_a_refused_document_records_no_call(self) -> None:
        """D3 (a classified document needs a copy number) refuses it: nothing is stored."""
        store, ids = store_and_ids()
        with pytest.raises(TransitionNotAllowed) as info:
            record_call_receiving_document(
                store,
                ctx(ZHANG, NOW, ids=ids),
                new_call(classification="confidential"),
                received_by=CLERK,
                document={"secrecy_period_years": 5},
            )
        assert info.value.rule_code == "D3"
        with pytest.raises(TransitionNotAllowed):  # ROLE: a clerk receives documents
            record_call_receiving_document(
                store, ctx(ZHANG, NOW, ids=ids), new_call(), received_by=ZHANG
            )
        assert stored(store) == []


# ============================================================================ reception
VISIT = datetime(2026, 3, 10, 9, 0, tzinfo=SHANGHAI)
LETTER = {
    "reference": "杭交函〔2026〕12号",
    "issuer": "杭州市交通运输局",
    "dated": date(2026, 3, 1),
}


def hosts(count: int) -> list[str]:
    return [f"陪餐{n}" for n in range(1, count + 1)]


def plan_fields(guests: int = 12, meal_hosts: int = 4, **changes: Any) -> dict[str, Any]:
    """A reception plan with one working meal."""
    base: dict[str, Any] = {
        "title": "杭州市交通运输局来访调研",
        "purpose": "调研综合交通枢纽建设",
        "guests": {"count": guests, "unit": "杭州市交通运输局", "leader": "陈局长"},
        "official_letter": LETTER,
        "start": VISIT,
        "end": VISIT + 8 * HOUR,
        "meals": [
            {"kind": "working_meal", "at": VISIT + 3 * HOUR, "place": "机关食堂"}
            | {"hosts": hosts(meal_hosts)}
        ],
    }
    return {**base, **changes}


class TestReceptionRules:
    @pytest.mark.parametrize(
        ("guests", "meal_hosts", "approved"),
        [(12, 4, True), (11, 4, False), (10, 4, False), (10, 3, True), (30, 10, True)],
        ids=[
            "12-guests-4-hosts-fine",
            "11-guests-4-hosts-refused",
            "10-guests-4-hosts-refused",
            "10-guests-3-hosts-fine",
            "30-guests-10-hosts-fine",
        ],
    )
    def test_hosts_at_the_working_meal(self, guests: int, meal_hosts: int, approved: bool) -> None:
        """R2: at most 3 hosts for 10 guests or fewer, otherwise at most a third of the guests."""
        trail = Trail(PLANS, plan_fields(guests, meal_hosts), CLERK)
        if approved:
            assert trail.fire("approve", DIRECTOR).state is ReceptionState.APPROVED
            return
        error = trail.refused("approve", DIRECTOR)
        assert error.rule_code == "R2"
        assert "at most 3 host(s)" in error.reason
        assert reception_problems(trail.entity)[0][0].name == "meal-hosts-limit"

    def test_no_official_letter_is_refused(self) -> None:
        """R2: an official reception needs an official letter (公函)."""
        trail = Trail(PLANS, plan_fields(official_letter=None), CLERK)
        error = trail.refused("approve", LEADER)
        assert error.rule_code == "R2"
        assert "official letter" in error.reason
        trail.fire("revise", CLERK, official_letter=LETTER)
        assert trail.fire("approve", LEADER).state is ReceptionState.APPROVED
        assert trail.replays()

    def test_at_most_one_working_meal(self) -> None:
        """R2: a second working meal is refused; self-paid meals are not counted."""
        meal = {"kind": "working_meal", "at": VISIT + 9 * HOUR, "hosts": hosts(2)}
        self_paid = {"kind": "self_paid", "at": VISIT + 9 * HOUR}
        two = plan_fields()
        two["meals"] = [*two["meals"], meal]
        error = Trail(PLANS, two, CLERK).refused("approve", DIRECTOR)
        assert (error.rule_code, "at most 1 working meal" in error.reason) == ("R2", True)
        fine = plan_fields()
        fine["meals"] = [*fine["meals"], self_paid, self_paid | {"at": VISIT + 23 * HOUR}]
        assert Trail(PLANS, fine, CLERK).fire("approve", DIRECTOR).state is ReceptionState.APPROVED

    def test_a_self_paid_meal_has_no_hosts(self) -> None:
        """R2: hosts are for the working meal only."""
        fields = plan_fields()
        fields["meals"] = [{"kind": "self_paid", "at": VISIT, "hosts": ["某某"]}]
        with pytest.raises(ValidationError) as info:
            PLANS.create(fields, entity_id="p1", actor=CLERK, now=NOW)
        assert info.value.problems[0].rule == "R2"

    def test_every_problem_is_listed(self) -> None:
        """``reception_problems`` lists each broken R2 rule; ``approve`` refuses on the first."""
        fields = plan_fields(10, 5, official_letter=None)
        fields["meals"] = [*fields["meals"], fields["meals"][0]]
        trail = Trail(PLANS, fields, CLERK)
        names = [rule.name for rule, _ in reception_problems(trail.entity)]
        assert names == ["official-letter-required", "at-most-one-working-meal", "meal-hosts-limit"]
        assert reception_problems(Trail(PLANS, plan_fields(), CLERK).entity) == []

    def test_local_practice_is_a_policy(self) -> None:
        """A stricter local policy refuses what the national default allows, and vice versa."""
        strict = ReceptionPolicy(small_party_hosts=2, host_ratio=4)
        assert [strict.max_hosts(n) for n in (10, 12, 20)] == [2, 3, 5]
        refused = Trail(PLANS, plan_fields(12, 4, policy=strict), CLERK)
        assert refused.refused("approve", DIRECTOR).rule_code == "R2"
        lenient = ReceptionPolicy(official_letter_required=False, max_working_meals=2)
        trail = Trail(PLANS, plan_fields(official_letter=None, policy=lenient), CLERK)
        assert trail.fire("approve", DIRECTOR).state is ReceptionState.APPROVED
        assert trail.entity.policy == lenient
        assert trail.replays()

    def test_a_visit_ends_after_it_starts(self) -> None:
        """R2 visit-ends-after-start: a plan, or a revision, ending before it starts."""
        with pytest.raises(ValidationError) as info:
            PLANS.create(plan_fields(end=VISIT), entity_id="p1", actor=CLERK, now=NOW)
        assert info.value.problems[0].rule == "R2"
        trail = Trail(PLANS, plan_fields(), CLERK)
        assert trail.refused("revise", CLERK, end=VISIT - HOUR).rule_code == "R2"
        assert trail.refused("revise", CLERK, start=VISIT + 9 * HOUR).rule_code == "R2"
        moved = trail.fire("revise", CLERK, start=VISIT + DAY, end=VISIT + DAY + HOUR)
        assert moved.start == VISIT + DAY


class TestReceptionWorkflow:
    def test_drafted_approved_held_closed(self) -> None:
        """The whole life of a reception, audited and replayable."""
        trail = Trail(PLANS, plan_fields(), CLERK)
        assert trail.entity.state is ReceptionState.DRAFTED
        trail.fire("revise", DIRECTOR, purpose=None, title="来访调研（修改）")
        approved = trail.fire("approve", PRINCIPAL, opinion="同意，按标准接待")
        assert (approved.approved_by, approved.approval_opinion) == (
            "principal",
            "同意，按标准接待",
        )
        held = trail.fire("hold", CLERK, at=VISIT, note="实到12人")
        assert (held.held_at, held.held_note) == (VISIT, "实到12人")
        with pytest.raises(ValidationError):
            trail.fire("close", CLERK)
        closed = trail.fire("close", CLERK, summary="接待清单：12人，工作餐一次，陪餐4人")
        assert closed.state is ReceptionState.CLOSED
        assert not closed.is_open
        assert closed.purpose is None
        assert [e.trigger for e in trail.events] == [
            "draft",
            "revise",
            "approve",
            "hold",
            "close",
        ]
        assert trail.replays()

    def test_roles(self) -> None:
        """Clerks and the director draft; the director or a leader approves."""
        with pytest.raises(TransitionNotAllowed):
            PLANS.create(plan_fields(), entity_id="p1", actor=LEADER, now=NOW)
        trail = Trail(PLANS, plan_fields(), CLERK)
        assert trail.refused("approve", CLERK).rule_code == "ROLE"

    def test_cancelling_needs_a_reason(self) -> None:
        """CANCEL, from drafted or approved."""
        trail = Trail(PLANS, plan_fields(), CLERK)
        trail.fire("approve", DIRECTOR)
        assert trail.refused("cancel", DIRECTOR).rule_code == "CANCEL"
        cancelled = trail.fire("cancel", DIRECTOR, reason="来访取消")
        assert (cancelled.state, cancelled.cancel_reason) == (ReceptionState.CANCELLED, "来访取消")

    def test_revising_after_approval_is_refused(self) -> None:
        """An approved plan is not changed (STATE)."""
        trail = Trail(PLANS, plan_fields(), CLERK)
        trail.fire("approve", DIRECTOR)
        assert trail.refused("revise", CLERK, title="x").rule_code == "STATE"

    def test_the_office_policy_is_kept_with_the_plan(self) -> None:
        """``plan_reception`` drafts under the office's policy; a caller's policy is refused."""
        store = MemoryStore()
        strict = ReceptionPolicy(small_party_hosts=2)
        plan = plan_reception(
            store, ctx(CLERK, NOW, ids=lambda _kind: "p1"), plan_fields(8, 2), policy=strict
        )
        assert store.get("p1") == plan
        assert plan.policy == strict
        with pytest.raises(UsageError):
            plan_reception(
                store,
                ctx(CLERK, NOW, ids=lambda _kind: "p2"),
                plan_fields(policy=strict),
                policy=strict,
            )


# ============================================================================ stateful
TEXT = st.text(alphabet="接待值班情况abc 123", min_size=1, max_size=10).filter(str.strip)
REMIND = st.fixed_dictionaries({"step": st.sampled_from(["before:1", "due"])})


GUESTS = st.fixed_dictionaries(
    {"count": st.integers(1, 20), "unit": st.just("来访单位"), "leader": st.just("带队领导")}
)
MEALS = st.lists(
    st.one_of(
        st.fixed_dictionaries(
            {
                "kind": st.just("working_meal"),
                "at": st.just(VISIT),
                "hosts": st.integers(0, 6).map(hosts),
            }
        ),
        st.fixed_dictionaries({"kind": st.just("self_paid"), "at": st.just(VISIT)}),
    ),
    max_size=3,
)


class ReceptionMachine(WorkflowMachine):
    """The reception plan: an approved (held, closed) plan always keeps its R2 limits."""

    workflow = PLANS
    actors = DUTY_ACTORS
    start_at = NOW
    data_for: ClassVar[dict[str, st.SearchStrategy[dict[str, Any]]]] = {
        "revise": st.fixed_dictionaries(
            {},
            optional={
                "guests": GUESTS,
                "official_letter": st.one_of(st.none(), st.just(LETTER)),
                "meals": MEALS,
                "title": TEXT,
                "end": st.sampled_from([VISIT - HOUR, VISIT + HOUR]),
            },
        ),
        "approve": st.fixed_dictionaries({}, optional={"opinion": TEXT}),
        "hold": st.fixed_dictionaries({}, optional={"note": TEXT}),
        "close": st.fixed_dictionaries({}, optional={"summary": TEXT}),
        "remind": REMIND,
    }

    @initialize(guests=st.integers(1, 20), meal_hosts=st.integers(0, 6), letter=st.booleans())
    def draft(self, guests: int, meal_hosts: int, letter: bool) -> None:
        changes = {} if letter else {"official_letter": None}
        self.start(plan_fields(guests, meal_hosts, **changes), CLERK)

    @precondition(lambda self: self.entity is not None)
    @invariant()
    def approved_plans_keep_the_limits(self) -> None:
        if self.entity.state in (ReceptionState.APPROVED, ReceptionState.HELD):
            assert reception_problems(self.entity) == []
            assert self.entity.approved_by is not None


PEOPLE = [person(a) for a in (LEADER, LI, ZHANG, WANG, ZHAO)]
KEYS = st.sampled_from(["m1", "m2", "m3"])
MATTERS = st.lists(
    st.fixed_dictionaries({"key": KEYS, "text": TEXT}), max_size=3, unique_by=lambda m: m["key"]
)


class ShiftMachine(WorkflowMachine):
    """The duty shift: people stay distinct; a handover never drops a received matter."""

    workflow = SHIFTS
    actors = DUTY_ACTORS
    start_at = NOW
    data_for: ClassVar[dict[str, st.SearchStrategy[dict[str, Any]]]] = {
        "swap": st.fixed_dictionaries(
            {
                "out_id": st.sampled_from(["leader", "li", "zhang", "wang", "zhao"]),
                "replacement": st.sampled_from(PEOPLE),
            }
        ),
        "take_over": st.fixed_dictionaries(
            {}, optional={"from_shift_id": st.just("s-1"), "received": MATTERS}
        ),
        "hand_over": st.one_of(
            st.fixed_dictionaries(
                {"pending": st.just(("carry",)), "to_shift_id": st.just("s2")},
                optional={"closed": st.lists(KEYS, max_size=2, unique=True)},
            ),
            st.fixed_dictionaries(
                {},
                optional={
                    "pending": MATTERS,
                    "closed": st.lists(KEYS, max_size=2, unique=True),
                    "to_shift_id": st.sampled_from(["s2", "e1"]),
                },
            ),
        ),
        "remind": REMIND,
    }

    def resolve(self, payload: dict[str, Any]) -> dict[str, Any]:
        out = dict(payload)
        if out.get("pending") == ("carry",):
            closed = out.get("closed", [])
            out["pending"] = [
                m.model_dump() for m in carry_forward(self.entity.received, closed=closed)
            ]
        return out

    def holders(self, spec: Any) -> list[Any]:
        """Taking over and handing over: mostly someone on the shift."""
        if spec.roles is not None:
            return super().holders(spec)
        on_shift = [a for a in self.actors if self.entity.person(a.id) is not None]
        return [*on_shift * 3, NOBODY]

    @initialize(officers=st.integers(1, 2))
    def schedule(self, officers: int) -> None:
        self.start(shift_fields(officers=(ZHANG, WANG)[:officers]), CLERK)

    @precondition(lambda self: self.entity is not None)
    @invariant()
    def handovers_carry_every_received_matter(self) -> None:
        people = [p.actor_id for p in self.entity.people]
        assert len(people) == len(set(people))
        handover = self.entity.handover
        if handover is not None:
            listed = {m.key for m in handover.pending} | set(handover.closed)
            assert {m.key for m in self.entity.received} <= listed


# Replaying the trail after every step makes a run quadratic: cap its size to stay fast.
_STATEFUL = settings(
    max_examples=min(settings.default.max_examples, 50), stateful_step_count=20, deadline=None
)
ReceptionMachine.TestCase.settings = _STATEFUL
ShiftMachine.TestCase.settings = _STATEFUL
TestReceptionWorkflowStateful = ReceptionMachine.TestCase
TestShiftWorkflowStateful = ShiftMachine.TestCase
