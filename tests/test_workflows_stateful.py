"""Stateful properties of the three workflows: random triggers from random actors.

After every step the entity is in a state of its table, its version equals the length of
its audit trail, a refused trigger changed nothing, and replaying the audit trail from
nothing reproduces the entity exactly.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any, ClassVar

import pytest
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from conftest import ALL_ACTORS, PEER, START, SUBORDINATE, SUPERIOR, UNIT_A, UNIT_B
from secretarial import (
    Actor,
    ConcurrencyConflict,
    Entity,
    EntityKind,
    IncomingDocument,
    Office,
    OutgoingDocument,
    Role,
    RuleViolation,
    TransitionNotAllowed,
    ValidationError,
)
from secretarial.testing import FrozenClock, SequentialIds

pytestmark = pytest.mark.slow  # long stateful runs

ACTORS = st.sampled_from(ALL_ACTORS)
ACTOR_IDS = st.sampled_from([a.id for a in ALL_ACTORS])
TEXT = st.text(alphabet="办理意见情况说明abc 123", min_size=1, max_size=12).filter(str.strip)
REASONS = st.one_of(TEXT, st.none())
UNITS = st.sampled_from([UNIT_A, UNIT_B])
ORGANS = st.sampled_from([SUPERIOR, PEER, SUBORDINATE])
DAYS = st.one_of(st.integers(min_value=5, max_value=40), st.integers(min_value=-3, max_value=4))


REMIND = st.fixed_dictionaries(
    {"step": st.sampled_from(["before:1", "due", "overdue:1", "escalate"])},
    optional={"reminder_kind": st.sampled_from(["reminder", "escalation"]), "note": TEXT},
)


def _maybe(strategy: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.one_of(st.none(), strategy)


def _data(**fields: st.SearchStrategy[Any]) -> st.SearchStrategy[dict[str, Any]]:
    """Dicts with some of ``fields`` (a value None drops the key)."""
    return st.fixed_dictionaries({}, optional=fields).map(
        lambda d: {k: v for k, v in d.items() if v is not None}
    )


class WorkflowMachine(RuleBasedStateMachine):
    """Fires random triggers on one entity and checks the invariants after each."""

    kind: ClassVar[EntityKind]
    creator: ClassVar[Actor]
    data_for: ClassVar[dict[str, st.SearchStrategy[dict[str, Any]]]] = {}

    def __init__(self) -> None:
        super().__init__()
        self.clock = FrozenClock(START)
        self.office = Office.in_memory(clock=self.clock, ids=SequentialIds())
        self.entity: Entity | None = None
        self.refusals = 0

    def create_fields(self) -> dict[str, Any]:
        raise NotImplementedError

    @initialize()
    def create(self) -> None:
        self.entity = self.office.create(self.kind, by=self.creator, **self.create_fields())

    @rule(data=st.data(), guided=st.integers(0, 9), reason=REASONS)
    def fire(self, data: st.DataObject, guided: int, reason: str | None) -> None:
        """Fire mostly a trigger offered in this state by a role holder, else anything."""
        assert self.entity is not None
        workflow = self.office.workflow(self.kind)
        state = self.office.get(self.entity.id).state
        offered = [s for s in workflow.rows if state in s.sources]
        if guided and offered:
            # Favour steps that keep the entity open, so runs reach deep into the table.
            terminal = workflow.entity_type.terminal_states
            spec = data.draw(
                st.sampled_from([s for s in offered if s.dest not in terminal] * 3 + offered)
            )
            trigger = spec.trigger
            holders = [a for a in ALL_ACTORS if spec.roles is None or a.roles & spec.roles]
            actor = data.draw(st.sampled_from(holders or ALL_ACTORS))
        else:
            trigger = data.draw(st.sampled_from([*workflow.triggers[1:], "no_such_trigger"]))
            actor = data.draw(ACTORS)
        strategy = self.data_for.get(trigger, st.just({}))
        payload = data.draw(strategy)
        payload = {k: self.resolve(v) for k, v in payload.items()}
        before = self.office.get(self.entity.id)
        trail = self.office.audit(before)
        allowed = self.office.can_fire(before, trigger, by=actor, reason=reason, **payload)
        try:
            after = self.office.fire(before, trigger, by=actor, reason=reason, **payload)
        except (TransitionNotAllowed, ValidationError, RuleViolation):  # RuleViolation: file
            self.refusals += 1
            if payload or reason:  # without input, can_fire does not judge input rules
                assert not allowed
            assert self.office.get(before.id) == before
            assert self.office.audit(before) == trail
            return
        assert allowed
        assert after.version == before.version + 1
        assert any(
            after.state == (s.dest or before.state)
            for s in workflow.specs(trigger)
            if before.state in s.sources
        )
        self.entity = after

    @rule(days=st.integers(min_value=0, max_value=6))
    def time_passes(self, days: int) -> None:
        self.clock.advance(timedelta(days=days, hours=1))

    @rule()
    def stale_write_is_refused(self) -> None:
        assert self.entity is not None
        if self.entity.version < 2:
            return
        stale = self.office.audit(self.entity)[0].version
        before = self.office.get(self.entity.id)
        try:
            self.office.fire(
                self.entity.id, "no_such_trigger", by=self.creator, expected_version=stale
            )
        except ConcurrencyConflict:
            pass
        else:  # pragma: no cover -- a stale version must never be accepted
            raise AssertionError("a stale expected_version was accepted")
        assert self.office.get(before.id) == before

    def resolve(self, value: Any) -> Any:
        """Turn ``("day", n)`` and ``("deadline", n)`` offsets into dates."""
        if isinstance(value, tuple) and value and value[0] == "day":
            return (self.clock.now() + timedelta(days=value[1])).date()
        if isinstance(value, tuple) and value and value[0] == "deadline":
            assert self.entity is not None
            base = self.office.get(self.entity.id).deadline or self.clock.now().date()
            return base + timedelta(days=value[1])
        return value

    @invariant()
    def state_is_in_table(self) -> None:
        if self.entity is None:
            return
        current = self.office.get(self.entity.id)
        assert current.state in self.office.workflow(self.kind).states

    @invariant()
    def version_counts_audit(self) -> None:
        if self.entity is None:
            return
        current = self.office.get(self.entity.id)
        trail = self.office.audit(current)
        assert current.version == len(trail)
        assert [e.version for e in trail] == list(range(1, len(trail) + 1))
        reminders = sum(e.trigger == "remind" for e in trail)
        assert current.content_version == len(trail) - reminders

    @invariant()
    def replay_reproduces_entity(self) -> None:
        if self.entity is None:
            return
        assert self.office.replay(self.entity.id) == self.office.get(self.entity.id)

    @invariant()
    def audit_chain_verifies(self) -> None:
        if self.entity is None:
            return
        assert all(e.is_sealed for e in self.office.audit(self.entity.id))
        report = self.office.verify_audit()
        assert report.ok, str(report)


REASSIGN = st.one_of(
    st.fixed_dictionaries({"actor_id": ACTOR_IDS}),
    st.fixed_dictionaries({"unit": UNITS}),
    st.fixed_dictionaries({"actor_id": ACTOR_IDS, "unit": UNITS}),  # refused: two holders
)
"""A new holder for ``reassign`` (转办): an actor, a unit, or (refused) both."""


def _day() -> st.SearchStrategy[tuple[str, int]]:
    return DAYS.map(lambda n: ("day", n))


def _later() -> st.SearchStrategy[tuple[str, int]]:
    """A day relative to the entity's current deadline (mostly after it)."""
    offsets = st.one_of(st.integers(min_value=1, max_value=20), st.integers(-2, 0))
    return offsets.map(lambda n: ("deadline", n))


class IncomingMachine(WorkflowMachine):
    """Incoming documents (收文)."""

    kind = EntityKind.INCOMING_DOCUMENT
    creator = next(a for a in ALL_ACTORS if Role.CLERK in a.roles)
    data_for: ClassVar[dict[str, st.SearchStrategy[dict[str, Any]]]] = {
        "remind": REMIND,
        "return_to": _data(to=st.sampled_from(["screened", "approved", "received"])),
        "reassign": REASSIGN,
        "register": _data(number=st.sampled_from(["市政办发〔2025〕3号", "国办发〔2012〕14号"])),
        "propose": st.fixed_dictionaries(
            {"handling_type": st.sampled_from(["for_handling", "for_reading"])},
            optional={"lead_unit": UNITS},
        ),
        "approve": st.fixed_dictionaries(
            {"instruction": TEXT},
            optional={
                "lead_unit": UNITS,
                "co_units": st.lists(UNITS, max_size=2).map(tuple),
                "deadline": _day(),
                "chaser": ACTOR_IDS,
            },
        ),
        "assign": st.fixed_dictionaries(
            {"assignee": st.one_of(st.just("undertaker"), st.just("undertaker"), ACTOR_IDS)}
        ),
        "circulate": st.fixed_dictionaries(
            {"readers": st.lists(ACTOR_IDS, min_size=1, max_size=3, unique=True).map(tuple)},
            optional={"parallel": st.booleans()},
        ),
        "mark_read": _data(comment=TEXT),
        "complete": st.fixed_dictionaries({"result": TEXT}),
        "record_revocation": st.fixed_dictionaries(
            {"kind": st.sampled_from(["revoked", "abolished"])},
            optional={"ceases_from": _day(), "decision": TEXT},
        ),
    }

    @invariant()
    def no_reader_is_lost_or_listed_twice(self) -> None:
        """Every reader is listed once; who holds it are readers who have not read it."""
        if self.entity is None:
            return
        doc = self.office.get(self.entity.id)
        assert isinstance(doc, IncomingDocument)
        readers = [r.reader for r in doc.readers]
        assert len(readers) == len(set(readers))
        unread = [r.reader for r in doc.readers if r.read_at is None]
        assert list(doc.current_holders) == (unread if doc.parallel_circulation else unread[:1])

    def create_fields(self) -> dict[str, Any]:
        return {
            "kind": "notice",
            "title": "关于开展安全检查的通知",
            "sender": SUPERIOR,
            "channel": "paper",
            "received_at": self.clock.now(),
            "urgency": "urgent",
        }


class OutgoingMachine(WorkflowMachine):
    """Outgoing documents (发文)."""

    kind = EntityKind.OUTGOING_DOCUMENT
    creator = next(a for a in ALL_ACTORS if Role.DRAFTER in a.roles)
    data_for: ClassVar[dict[str, st.SearchStrategy[dict[str, Any]]]] = {
        "remind": REMIND,
        "return_to": _data(to=st.sampled_from(["drafted", "submitted", "reviewed"])),
        "reassign": REASSIGN,
        "review": _data(opinion=TEXT),
        "countersign": st.fixed_dictionaries(
            {"organ": st.sampled_from([PEER, SUBORDINATE]), "opinion": TEXT}
        ),
        "decline_countersign": st.fixed_dictionaries(
            {"organ": st.sampled_from([PEER, SUBORDINATE])}, optional={"opinion": TEXT}
        ),
        "sign": st.fixed_dictionaries({"opinion": TEXT}),
        "register": _data(copies=st.integers(min_value=1, max_value=3)),
        "print": _data(
            copy_numbers=st.lists(
                st.sampled_from(["000001", "000002", "000003"]), max_size=3, unique=True
            ).map(tuple),
            sealed=st.booleans(),
        ),
        "dispatch": _data(channel=st.sampled_from(["paper", "electronic"])),
        "revoke": _data(decided_by=st.sampled_from([SUPERIOR, PEER]), decision=TEXT),
        "abolish": st.fixed_dictionaries(
            {"ceases_from": _day()}, optional={"decided_by": ORGANS, "decision": TEXT}
        ),
    }

    def create_fields(self) -> dict[str, Any]:
        return {
            "kind": "request",
            "title": "关于拨付经费的请示",
            "issuer_code": "某办发",
            "main_recipients": [SUPERIOR],
            "requests": ["拨付经费"],
            "joint_issuers": [PEER],
            "classification": "confidential",
            "secrecy_period_years": 5,
        }

    @invariant()
    def no_co_issuer_is_lost_or_answers_twice(self) -> None:
        """The round's answers are co-issuers', once each; the rest are still waited for."""
        if self.entity is None:
            return
        doc = self.office.get(self.entity.id)
        assert isinstance(doc, OutgoingDocument)
        round_ = doc.countersigning
        if round_ is None:
            return
        answered = [r.party for r in round_.responses]
        assert len(answered) == len(set(answered))
        assert set(answered) | {p.code for p in round_.pending} == {
            o.code for o in doc.joint_issuers
        }
        if round_.outcome is None and not round_.voided:
            signed = {s.organ.code for s in doc.countersignatures if s.organ is not None}
            assert signed == {r.party for r in round_.responses if r.agreed}


class SupervisionMachine(WorkflowMachine):
    """Supervision items (督办)."""

    kind = EntityKind.SUPERVISION_ITEM
    creator = next(a for a in ALL_ACTORS if Role.SUPERVISOR in a.roles)
    data_for: ClassVar[dict[str, st.SearchStrategy[dict[str, Any]]]] = {
        "remind": REMIND,
        "assign": st.fixed_dictionaries(
            {"lead_unit": UNITS, "deadline": st.one_of(_day(), st.none())},
            optional={
                "co_units": st.lists(UNITS, max_size=2).map(tuple),
                "report_cycle": st.sampled_from(["none", "weekly", "monthly"]),
            },
        ).map(lambda d: {k: v for k, v in d.items() if v is not None}),
        "report_progress": st.fixed_dictionaries({"text": TEXT}),
        "request_extension": st.fixed_dictionaries(
            {"proposed_deadline": st.one_of(_later(), _later(), _day())}
        ),
        "grant_extension": st.fixed_dictionaries({"deadline": st.one_of(_later(), _day())}),
        "submit_result": st.fixed_dictionaries({"result": TEXT}),
        "verify": st.fixed_dictionaries({"verification": TEXT}),
    }

    def create_fields(self) -> dict[str, Any]:
        return {
            "source": "leader_instruction",
            "requirement": "落实安全检查部署",
            "received_at": self.clock.now(),
            "instructed_by": "principal",
        }


TestIncomingWorkflow = IncomingMachine.TestCase
TestOutgoingWorkflow = OutgoingMachine.TestCase
TestSupervisionWorkflow = SupervisionMachine.TestCase
