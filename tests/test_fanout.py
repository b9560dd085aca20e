"""Fan-out and join (会签): join policies, the fan-out record, the rows and rules F1–F4.

The rows are exercised on a small memo of this test's own, whose table sends the memo
to several bureaux to countersign, through :class:`Workflow` directly.
"""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar

import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from secretarial import (
    Actor,
    Entity,
    FanOut,
    JoinPolicy,
    Party,
    PartyResponse,
    TransitionNotAllowed,
    TransitionSpec,
    UsageError,
    ValidationError,
    Workflow,
    WorkflowTable,
    fan_out_step,
    void_round,
)
from secretarial.kernel import (
    EVENT_SCHEMA,
    AuditEvent,
    CreationSpec,
    LabeledEnum,
    Name,
    Organ,
    Unit,
)

START = datetime(2025, 9, 26, 1, 0, tzinfo=UTC)


class MemoKind(LabeledEnum):
    MEMO = "joint_memo", "联合便函"


class MemoState(LabeledEnum):
    DRAFTED = "drafted", "起草"
    COUNTERSIGNING = "countersigning", "会签中"
    AGREED = "agreed", "会签完毕"
    CLOSED = "closed", "办结"


class Memo(Entity):
    """A memo sent to several bureaux to countersign."""

    entity_kind: ClassVar[LabeledEnum] = MemoKind.MEMO
    terminal_states: ClassVar[frozenset[str]] = frozenset({MemoState.CLOSED})

    state: MemoState = MemoState.DRAFTED
    title: Name
    fan_out: FanOut | None = None


def _reopen(ctx: Any) -> dict[str, Any]:
    return {"fan_out": void_round(ctx.entity.fan_out)}


CLERKS = frozenset({"clerk"})
MEMO_TABLE: WorkflowTable[Memo] = WorkflowTable(
    name="joint_memo",
    entity_type=Memo,
    states=MemoState,
    creation=CreationSpec(
        "draft", MemoState.DRAFTED, CLERKS, label="起草", managed=frozenset({"fan_out"})
    ),
    transitions=(
        *fan_out_step(MemoState.COUNTERSIGNING, MemoState.DRAFTED, MemoState.AGREED, roles=CLERKS),
        TransitionSpec(
            "reopen", (MemoState.AGREED,), MemoState.DRAFTED, CLERKS, effect=_reopen, label="重拟"
        ),
        TransitionSpec("close", (MemoState.AGREED,), MemoState.CLOSED, CLERKS, label="办结"),
    ),
)
WORKFLOW = Workflow(MEMO_TABLE)

CZJ = Unit(code="CZJ", name="财政局")
SJJ = Unit(code="SJJ", name="审计局")
FGW = Unit(code="FGW", name="发改委")
OTHER = Unit(code="WJW", name="卫健委")
CLERK = Actor(id="clerk", name="Clerk", roles=CLERKS)
LEAD = Actor(id="lead", name="Lead", roles=frozenset({"leader"}), unit=OTHER)
CZJ_HEAD = Actor(id="czj-head", name="财政局长", unit=CZJ)
CZJ_DEPUTY = Actor(id="czj-deputy", name="财政副局长", unit=CZJ)
SJJ_HEAD = Actor(id="sjj-head", name="审计局长", unit=SJJ)
FGW_HEAD = Actor(id="fgw-head", name="发改委主任", unit=FGW)
OUTSIDER = Actor(id="outsider", name="Outsider", unit=OTHER)
NO_UNIT = Actor(id="loner", name="Loner")
MEMO_ORGAN = Organ(code="SZF", name="市政府办公室", relation="superior")

PARTIES = (Party.of(LEAD), Party.of(CZJ), Party.of(SJJ), Party.of(FGW))
"""The lead first (an actor), then three bureaux (units)."""


def party_data(*parties: Party) -> list[dict[str, Any]]:
    return [p.model_dump() for p in parties]


def drafted() -> Memo:
    memo, _ = WORKFLOW.create({"title": "联合便函"}, entity_id="m1", actor=CLERK, now=START)
    return memo


def fire(memo: Memo, trigger: str, actor: Actor, reason: str | None = None, **data: Any) -> Memo:
    new, _ = WORKFLOW.fire(memo, trigger, actor, now=START, data=data or None, reason=reason)
    return new


def requested(policy: JoinPolicy | None = None, parties: tuple[Party, ...] = PARTIES) -> Memo:
    data: dict[str, Any] = {"parties": party_data(*parties)}
    if policy is not None:
        data["policy"] = policy.model_dump()
    return fire(drafted(), "request_countersign", CLERK, **data)


def refused(memo: Memo, trigger: str, actor: Actor, **kwargs: Any) -> TransitionNotAllowed:
    with pytest.raises(TransitionNotAllowed) as caught:
        fire(memo, trigger, actor, **kwargs)
    return caught.value


# ============================================================================ join policies
POLICIES = st.one_of(
    st.just(JoinPolicy.all()),
    st.just(JoinPolicy.any()),
    st.integers(1, 8).map(JoinPolicy.quorum),
)


@st.composite
def answers(draw: st.DrawFn) -> tuple[JoinPolicy, int, list[bool]]:
    """A policy, a number of parties and the answers of some of them, in order."""
    parties = draw(st.integers(1, 8))
    policy = draw(POLICIES)
    given_answers = draw(st.lists(st.booleans(), max_size=parties))
    return policy, parties, given_answers


def outcomes(policy: JoinPolicy, parties: int, given_answers: list[bool]) -> list[str | None]:
    """The outcome after each prefix of the answers, the empty one first."""
    found = []
    for n in range(len(given_answers) + 1):
        agreed = sum(given_answers[:n])
        found.append(policy.decided(agreed, n - agreed, parties))
    return found


class TestJoinPolicy:
    def test_constructors(self) -> None:
        assert (JoinPolicy.all().kind, JoinPolicy.all().quorum) == ("all", None)
        assert (JoinPolicy.any().kind, JoinPolicy.any().quorum) == ("any", None)
        assert (JoinPolicy.quorum(3).kind, JoinPolicy.quorum(3).quorum) == ("quorum", 3)
        assert JoinPolicy.quorum(3) == JoinPolicy.model_validate({"kind": "quorum", "quorum": 3})
        assert JoinPolicy() == JoinPolicy.all()
        assert [str(p) for p in (JoinPolicy.all(), JoinPolicy.any(), JoinPolicy.quorum(2))] == [
            "all",
            "any",
            "quorum of 2",
        ]
        assert JoinPolicy.quorum(2).label == "2方同意"
        assert JoinPolicy.all().label == "全部同意"
        assert JoinPolicy.any().label == "任一同意"

    @pytest.mark.parametrize("n", [0, -1])
    def test_a_quorum_is_at_least_one(self, n: int) -> None:
        with pytest.raises(ValidationError) as caught:
            JoinPolicy.quorum(n)
        assert [(p.field, p.rule) for p in caught.value.problems] == [("quorum", "F4")]
        assert "at least 1" in str(caught.value)

    @pytest.mark.parametrize(
        "data", [{"kind": "quorum"}, {"kind": "all", "quorum": 2}, {"kind": "most"}]
    )
    def test_a_policy_is_one_of_three(self, data: dict[str, Any]) -> None:
        with pytest.raises(ValueError, match=r"kind|quorum"):
            JoinPolicy.model_validate(data)

    def test_decided_examples(self) -> None:
        every = JoinPolicy.all()
        assert every.decided(4, 0, 5) is None
        assert every.decided(5, 0, 5) == "agreed"
        assert every.decided(0, 1, 5) == "disagreed"
        anyone = JoinPolicy.any()
        assert anyone.decided(0, 4, 5) is None
        assert anyone.decided(1, 4, 5) == "agreed"
        assert anyone.decided(0, 5, 5) == "disagreed"
        three = JoinPolicy.quorum(3)
        assert three.decided(2, 2, 5) is None
        assert three.decided(2, 3, 5) == "disagreed"
        assert three.decided(3, 2, 5) == "agreed"

    @pytest.mark.parametrize(("agreed", "disagreed", "parties"), [(-1, 0, 2), (2, 1, 2)])
    def test_impossible_counts_are_a_usage_error(
        self, agreed: int, disagreed: int, parties: int
    ) -> None:
        with pytest.raises(UsageError):
            JoinPolicy.all().decided(agreed, disagreed, parties)

    @given(answers())
    def test_once_decided_the_outcome_stays(self, case: tuple[JoinPolicy, int, list[bool]]) -> None:
        found = outcomes(*case)
        for before, after in itertools.pairwise(found):
            if before is not None:
                assert after == before

    @given(answers())
    def test_all_decides_disagreed_at_the_first_disagreement(
        self, case: tuple[JoinPolicy, int, list[bool]]
    ) -> None:
        _, parties, given_answers = case
        found = outcomes(JoinPolicy.all(), parties, given_answers)
        for n, outcome in enumerate(found):
            prefix = given_answers[:n]
            if False in prefix:
                assert outcome == "disagreed"
            elif n == parties:
                assert outcome == "agreed"
            else:
                assert outcome is None

    @given(st.integers(1, 8), st.data())
    def test_a_quorum_is_reached_exactly_at_n(self, parties: int, data: st.DataObject) -> None:
        n = data.draw(st.integers(1, parties))
        policy = JoinPolicy.quorum(n)
        for agreed in range(parties + 1):
            for disagreed in range(parties - agreed + 1):
                outcome = policy.decided(agreed, disagreed, parties)
                assert (outcome == "agreed") == (agreed >= n)
                pending = parties - agreed - disagreed
                assert (outcome == "disagreed") == (agreed + pending < n)

    @given(st.integers(1, 8), st.data())
    def test_any_is_a_quorum_of_one_and_all_a_quorum_of_every_party(
        self, parties: int, data: st.DataObject
    ) -> None:
        agreed = data.draw(st.integers(0, parties))
        disagreed = data.draw(st.integers(0, parties - agreed))
        counts = (agreed, disagreed, parties)
        assert JoinPolicy.any().decided(*counts) == JoinPolicy.quorum(1).decided(*counts)
        assert JoinPolicy.all().decided(*counts) == JoinPolicy.quorum(parties).decided(*counts)


# ============================================================================ values
def answered(*answers: tuple[Party, bool]) -> FanOut:
    return FanOut(
        step="countersigning",
        parties=PARTIES,
        policy=JoinPolicy.all(),
        started_at=START,
        responses=tuple(
            PartyResponse(party=p.code, agreed=ok, by="x", at=START) for p, ok in answers
        ),
    )


class TestValues:
    def test_a_round_shows_as_a_table_of_its_parties(self) -> None:
        """Countersign progress in Jupyter: each party's answer, the open ones waiting."""
        lead, czj, sjj, fgw = PARTIES
        shown = answered((lead, True))._repr_html_()
        assert "1 of 4 agreed; waiting for 财政局, 审计局, 发改委</caption>" in shown
        assert shown.count("<td>waiting</td>") == 3
        refused = answered((lead, True), (czj, False))._repr_html_()  # all must agree
        assert "1 of 4 agreed, 1 disagreed: disagreed</caption>" in refused
        assert "<td>disagreed</td>" in refused
        assert refused.count("<td>not needed</td>") == 2  # decided: no one is waited for
        decided = answered((lead, True), (czj, True), (sjj, True), (fgw, True))._repr_html_()
        assert ": agreed</caption>" in decided
        assert "waiting" not in decided

    def test_party_of_a_unit_an_organ_and_an_actor(self) -> None:
        assert Party.of(CZJ) == Party(code="CZJ", name="财政局", kind="unit")
        assert Party.of(LEAD) == Party(code="lead", name="Lead", kind="actor")
        organ = Party.of(MEMO_ORGAN)
        assert (organ.code, organ.kind) == ("SZF", "unit")
        assert str(Party.of(CZJ)) == "财政局 (CZJ)"

    def test_who_answers_for_a_party(self) -> None:
        bureau, person = Party.of(CZJ), Party.of(LEAD)
        assert bureau.acts(CZJ_HEAD)
        assert bureau.acts(CZJ_DEPUTY)
        assert not bureau.acts(SJJ_HEAD)
        assert not bureau.acts(NO_UNIT)
        assert person.acts(LEAD)
        assert not person.acts(OUTSIDER)  # same unit as the lead, but not the lead

    def test_pending_responded_and_outcome(self) -> None:
        fan_out = answered((PARTIES[2], True), (PARTIES[0], True))
        assert fan_out.responded == (PARTIES[0], PARTIES[2])
        assert fan_out.pending == (PARTIES[1], PARTIES[3])
        assert fan_out.agreed == (PARTIES[0], PARTIES[2])
        assert fan_out.disagreed == ()
        assert fan_out.outcome is None
        assert fan_out.waiting == fan_out.pending
        assert fan_out.response_of("SJJ") == fan_out.responses[0]
        assert fan_out.response_of("CZJ") is None
        assert fan_out.party("CZJ") == PARTIES[1]
        assert fan_out.party("nope") is None
        assert fan_out.acting_for(CZJ_DEPUTY) == (PARTIES[1],)

    def test_the_progress_sentence(self) -> None:
        fan_out = answered((PARTIES[0], True), (PARTIES[3], True))
        assert fan_out.progress == "2 of 4 agreed; waiting for 财政局, 审计局"
        assert str(fan_out) == (
            "countersigning round 1 (all): 2 of 4 agreed; waiting for 财政局 (CZJ), 审计局 (SJJ)"
        )
        one_against = answered((PARTIES[0], True), (PARTIES[1], False))
        assert one_against.progress == "1 of 4 agreed, 1 disagreed: disagreed"
        every = answered(*((p, True) for p in PARTIES))
        assert every.progress == "4 of 4 agreed: agreed"
        assert every.waiting == ()
        voided = void_round(every)
        assert voided is not None
        assert voided.progress == "round 1 voided; no one is waited for"

    def test_void_round_drops_the_answers_and_keeps_the_round(self) -> None:
        every = answered(*((p, True) for p in PARTIES)).model_copy(update={"round": 2})
        voided = void_round(every)
        assert voided is not None
        assert (voided.round, voided.parties, voided.responses) == (2, PARTIES, ())
        assert (voided.voided, voided.outcome, voided.waiting) == (True, None, ())
        assert void_round(None) is None

    @pytest.mark.parametrize(
        ("fields", "code"),
        [
            ({"parties": (PARTIES[0], PARTIES[0])}, "F4"),
            ({"policy": JoinPolicy.quorum(5)}, "F4"),
            (
                {"responses": (PartyResponse(party="nope", agreed=True, by="x", at=START),)},
                "F2",
            ),
        ],
    )
    def test_a_fan_out_holds_together(self, fields: dict[str, Any], code: str) -> None:
        base = {"step": "countersigning", "parties": PARTIES, "started_at": START}
        with pytest.raises(ValueError, match=f"{code}: "):
            FanOut.model_validate({**base, **fields})

    def test_a_fan_out_round_trips_through_json(self) -> None:
        fan_out = answered((PARTIES[1], False)).model_copy(update={"policy": JoinPolicy.quorum(2)})
        assert FanOut.model_validate_json(fan_out.model_dump_json()) == fan_out


# ============================================================================ the rows
class TestRows:
    def test_the_helper_writes_five_rows(self) -> None:
        rows = fan_out_step("countersigning", "drafted", "agreed", back_to="returned")
        assert [(r.trigger, tuple(r.sources), r.dest) for r in rows] == [
            ("request_countersign", ("drafted",), "countersigning"),
            ("agree", ("countersigning",), "agreed"),
            ("agree", ("countersigning",), None),
            ("disagree", ("countersigning",), "returned"),
            ("disagree", ("countersigning",), None),
        ]
        assert all(rule.since == 3 for row in rows for rule in row.rules)
        assert {r.code for r in MEMO_TABLE.rules} == {"F1", "F2", "F3", "F4", "F5"}

    def test_a_request_opens_round_one(self) -> None:
        memo = requested(JoinPolicy.quorum(3))
        assert memo.state is MemoState.COUNTERSIGNING
        assert memo.fan_out is not None
        assert (memo.fan_out.step, memo.fan_out.round) == ("countersigning", 1)
        assert memo.fan_out.parties == PARTIES
        assert memo.fan_out.policy == JoinPolicy.quorum(3)
        assert memo.fan_out.started_at == START
        assert memo.fan_out.pending == PARTIES

    def test_the_policy_defaults_to_all(self) -> None:
        memo = requested()
        assert memo.fan_out is not None
        assert memo.fan_out.policy == JoinPolicy.all()

    def test_all_agree_and_the_step_completes(self) -> None:
        memo = requested()
        for actor in (CZJ_DEPUTY, LEAD, FGW_HEAD):
            memo = fire(memo, "agree", actor, opinion="同意")
            assert memo.state is MemoState.COUNTERSIGNING
        memo = fire(memo, "agree", SJJ_HEAD)
        assert memo.state is MemoState.AGREED
        assert memo.fan_out is not None
        assert memo.fan_out.outcome == "agreed"
        assert memo.fan_out.decided_at == START
        assert memo.fan_out.response_of("CZJ") == PartyResponse(
            party="CZJ", agreed=True, opinion="同意", by="czj-deputy", at=START
        )

    def test_under_all_one_disagreement_sends_it_back(self) -> None:
        memo = fire(requested(), "agree", LEAD)
        memo = fire(memo, "disagree", SJJ_HEAD, opinion="数据需核实")
        assert memo.state is MemoState.DRAFTED
        assert memo.fan_out is not None
        assert memo.fan_out.outcome == "disagreed"
        assert memo.fan_out.progress == "1 of 4 agreed, 1 disagreed: disagreed"

    def test_a_disagreement_goes_back_to_where_the_helper_says(self) -> None:
        rows = fan_out_step(
            MemoState.COUNTERSIGNING, MemoState.DRAFTED, MemoState.AGREED, back_to=MemoState.CLOSED
        )
        assert rows[3].dest is MemoState.CLOSED

    def test_under_any_the_first_agreement_completes(self) -> None:
        memo = requested(JoinPolicy.any())
        memo = fire(memo, "disagree", CZJ_HEAD, reason="不同意")
        memo = fire(memo, "disagree", SJJ_HEAD, opinion="不同意")
        assert memo.state is MemoState.COUNTERSIGNING
        memo = fire(memo, "agree", FGW_HEAD)
        assert memo.state is MemoState.AGREED
        assert memo.fan_out is not None
        assert [p.code for p in memo.fan_out.pending] == ["lead"]

    def test_under_any_every_disagreement_sends_it_back(self) -> None:
        memo = requested(JoinPolicy.any(), parties=PARTIES[1:3])
        memo = fire(memo, "disagree", CZJ_HEAD, opinion="否")
        assert memo.state is MemoState.COUNTERSIGNING
        memo = fire(memo, "disagree", SJJ_HEAD, opinion="否")
        assert memo.state is MemoState.DRAFTED

    def test_a_quorum_completes_at_n(self) -> None:
        memo = requested(JoinPolicy.quorum(2))
        memo = fire(memo, "disagree", CZJ_HEAD, opinion="否")
        memo = fire(memo, "agree", SJJ_HEAD)
        assert memo.state is MemoState.COUNTERSIGNING
        memo = fire(memo, "agree", LEAD)
        assert memo.state is MemoState.AGREED

    def test_a_quorum_out_of_reach_sends_it_back(self) -> None:
        memo = requested(JoinPolicy.quorum(3))
        memo = fire(memo, "disagree", CZJ_HEAD, opinion="否")
        assert memo.state is MemoState.COUNTERSIGNING
        memo = fire(memo, "disagree", SJJ_HEAD, opinion="否")
        assert memo.state is MemoState.DRAFTED

    def test_rounds_count_up_after_a_return_and_after_a_void(self) -> None:
        memo = fire(requested(), "disagree", CZJ_HEAD, opinion="否")
        memo = fire(memo, "request_countersign", CLERK, parties=party_data(*PARTIES[1:]))
        assert memo.fan_out is not None
        assert (memo.fan_out.round, memo.fan_out.responses) == (2, ())
        for actor in (CZJ_HEAD, SJJ_HEAD, FGW_HEAD):
            memo = fire(memo, "agree", actor)
        assert memo.state is MemoState.AGREED
        memo = fire(memo, "reopen", CLERK)
        assert memo.fan_out is not None
        assert (memo.fan_out.round, memo.fan_out.voided, memo.fan_out.responses) == (2, True, ())
        memo = fire(memo, "request_countersign", CLERK, parties=party_data(*PARTIES))
        assert memo.fan_out is not None
        assert (memo.fan_out.round, memo.fan_out.voided) == (3, False)

    def test_each_answer_is_its_own_event(self) -> None:
        memo = requested()
        memo, event = WORKFLOW.fire(memo, "agree", CZJ_HEAD, now=START + timedelta(hours=1))
        assert (event.trigger, event.actor.id, event.source, event.target) == (
            "agree",
            "czj-head",
            "countersigning",
            "countersigning",
        )
        assert event.schema_version == EVENT_SCHEMA

    def test_one_actor_answers_for_each_party_it_acts_for(self) -> None:
        both = (Party.of(CZJ_HEAD), Party.of(CZJ))
        memo = requested(parties=both)
        memo = fire(memo, "agree", CZJ_HEAD)
        assert memo.fan_out is not None
        assert memo.fan_out.responses[0].party == "czj-head"
        memo = fire(memo, "agree", CZJ_HEAD)
        assert memo.state is MemoState.AGREED

    def test_an_actor_may_name_the_party_it_answers_for(self) -> None:
        memo = requested(parties=(Party.of(CZJ_HEAD), Party.of(CZJ)))
        memo = fire(memo, "agree", CZJ_HEAD, party="CZJ")
        assert memo.fan_out is not None
        assert [r.party for r in memo.fan_out.responses] == ["CZJ"]

    def test_can_fire_knows_who_is_a_party(self) -> None:
        memo = requested()
        assert WORKFLOW.can_fire(memo, "agree", CZJ_HEAD, now=START)
        assert not WORKFLOW.can_fire(memo, "agree", OUTSIDER, now=START)
        assert "agree" in WORKFLOW.available_triggers(memo, SJJ_HEAD, now=START)
        assert "agree" not in WORKFLOW.available_triggers(memo, NO_UNIT, now=START)

    def test_replay_rebuilds_the_memo(self) -> None:
        events: list[AuditEvent] = []
        memo, event = WORKFLOW.create({"title": "便函"}, entity_id="m2", actor=CLERK, now=START)
        events.append(event)
        steps: list[tuple[str, Actor, dict[str, Any]]] = [
            ("request_countersign", CLERK, {"parties": party_data(*PARTIES)}),
            ("agree", CZJ_HEAD, {}),
            ("disagree", LEAD, {"opinion": "再议"}),
            ("request_countersign", CLERK, {"parties": party_data(*PARTIES[1:3])}),
            ("agree", SJJ_HEAD, {"opinion": "同意"}),
            ("agree", CZJ_DEPUTY, {}),
        ]
        for n, (trigger, actor, data) in enumerate(steps):
            at = START + timedelta(minutes=n + 1)
            memo, event = WORKFLOW.fire(memo, trigger, actor, now=at, data=data or None)
            events.append(event)
        assert memo.state is MemoState.AGREED
        assert WORKFLOW.replay(events) == memo

    def test_an_entity_without_a_fan_out_field_is_a_usage_error(self) -> None:
        class Bare(Entity):
            entity_kind: ClassVar[LabeledEnum] = MemoKind.MEMO
            terminal_states: ClassVar[frozenset[str]] = frozenset({MemoState.CLOSED})
            state: MemoState = MemoState.DRAFTED
            title: Name

        table = WorkflowTable(
            name="bare",
            entity_type=Bare,
            states=MemoState,
            creation=CreationSpec("draft", MemoState.DRAFTED),
            transitions=MEMO_TABLE.transitions,
        )
        workflow = Workflow(table)
        bare, _ = workflow.create({"title": "t"}, entity_id="b1", actor=CLERK, now=START)
        with pytest.raises(UsageError, match="fan_out"):
            workflow.fire(
                bare,
                "request_countersign",
                CLERK,
                now=START,
                data={"parties": party_data(*PARTIES)},
            )


# ============================================================================ the rules
class TestRules:
    def test_f1_only_a_party_answers(self) -> None:
        memo = requested()
        for outsider in (OUTSIDER, NO_UNIT):
            error = refused(memo, "agree", outsider)
            assert error.rule_code == "F1"
            assert f"{outsider.id} answers for no party of round 1" in error.reason
            assert "still to answer: Lead (lead), 财政局 (CZJ)" in error.reason
        assert fire(memo, "agree", LEAD).version == memo.version + 1

    def test_f1_a_named_party_is_one_the_actor_answers_for(self) -> None:
        memo = requested()
        error = refused(memo, "agree", CZJ_HEAD, party="WJW")
        assert error.rule_code == "F1"
        assert "WJW is not a party of round 1" in error.reason
        error = refused(memo, "agree", CZJ_HEAD, party="SJJ")
        assert error.rule_code == "F1"
        assert "czj-head does not answer for 审计局 (SJJ)" in error.reason
        assert fire(memo, "agree", CZJ_HEAD, party="CZJ").fan_out is not None

    def test_f1_an_answer_needs_an_open_round(self) -> None:
        memo = requested()
        stray = memo.model_copy(update={"fan_out": void_round(memo.fan_out)})
        error = refused(stray, "agree", CZJ_HEAD)
        assert error.rule_code == "F1"
        assert "no fan-out round is open at countersigning" in error.reason

    def test_f2_a_party_answers_once(self) -> None:
        memo = fire(requested(), "agree", CZJ_HEAD)
        for actor, trigger in ((CZJ_DEPUTY, "agree"), (CZJ_HEAD, "disagree")):
            error = refused(memo, trigger, actor, opinion="again")
            assert error.rule_code == "F2"
            assert "财政局 (CZJ) has already agreed in round 1 (czj-head," in error.reason
            assert "still to answer: Lead (lead), 审计局 (SJJ), 发改委 (FGW)" in error.reason
        assert fire(memo, "agree", SJJ_HEAD).version == memo.version + 1

    def test_f3_a_disagreement_gives_an_opinion(self) -> None:
        memo = requested()
        error = refused(memo, "disagree", CZJ_HEAD)
        assert error.rule_code == "F3"
        assert "pass opinion=... (or reason=...)" in error.reason
        by_opinion = fire(memo, "disagree", CZJ_HEAD, opinion="数据有误")
        by_reason = fire(memo, "disagree", CZJ_HEAD, reason="数据有误")
        assert by_opinion.fan_out == by_reason.fan_out
        assert by_opinion.fan_out is not None
        assert by_opinion.fan_out.responses[0].opinion == "数据有误"

    @pytest.mark.parametrize(
        ("parties", "policy", "says"),
        [
            ((), None, "at least one party"),
            ((PARTIES[1], PARTIES[2], PARTIES[1]), None, "named twice: CZJ"),
            (PARTIES[:2], JoinPolicy.quorum(3), "a quorum of 3 cannot be reached by 2 parties"),
        ],
    )
    def test_f4_a_request_names_its_parties_once(
        self, parties: tuple[Party, ...], policy: JoinPolicy | None, says: str
    ) -> None:
        data: dict[str, Any] = {"parties": party_data(*parties)}
        if policy is not None:
            data["policy"] = policy.model_dump()
        error = refused(drafted(), "request_countersign", CLERK, **data)
        assert error.rule_code == "F4"
        assert says in error.reason

    def test_f4_a_quorum_of_every_party_is_accepted(self) -> None:
        memo = requested(JoinPolicy.quorum(4))
        assert memo.state is MemoState.COUNTERSIGNING

    def test_a_bad_policy_in_the_input_is_a_validation_error_with_f4(self) -> None:
        data = {"parties": party_data(*PARTIES), "policy": {"kind": "quorum", "quorum": 0}}
        with pytest.raises(ValidationError) as caught:
            fire(drafted(), "request_countersign", CLERK, **data)
        assert [p.rule for p in caught.value.problems] == ["F4"]

    def test_only_the_roles_given_request(self) -> None:
        error = refused(drafted(), "request_countersign", LEAD, parties=party_data(*PARTIES))
        assert error.rule_code == "ROLE"

    def test_a_refusal_changes_nothing(self) -> None:
        memo = requested()
        snapshot = memo.model_dump()
        refused(memo, "agree", OUTSIDER)
        assert memo.model_dump() == snapshot


# ============================================================================ stateful
ACTORS = (CLERK, LEAD, CZJ_HEAD, CZJ_DEPUTY, SJJ_HEAD, FGW_HEAD, OUTSIDER, NO_UNIT)
POOL = (*PARTIES, Party.of(CZJ_HEAD), Party.of(OUTSIDER))
REFUSAL_CODES = {"F1", "F2", "F3", "F4", "STATE", "ROLE"}


class FanOutMachine(RuleBasedStateMachine):
    """Random requests, answers by parties and non-parties, returns and voids."""

    def __init__(self) -> None:
        super().__init__()
        self.now = START
        self.events: list[AuditEvent] = []
        self.memo: Memo | None = None

    @initialize()
    def create(self) -> None:
        self.memo, event = WORKFLOW.create(
            {"title": "会签便函"}, entity_id="m", actor=CLERK, now=self.now
        )
        self.events = [event]

    def attempt(
        self, trigger: str, actor: Actor, data: dict[str, Any] | None, reason: str | None = None
    ) -> None:
        assert self.memo is not None
        self.now += timedelta(minutes=7)
        before = self.memo
        snapshot = before.model_dump()
        allowed = WORKFLOW.can_fire(before, trigger, actor, now=self.now, data=data, reason=reason)
        try:
            after, event = WORKFLOW.fire(
                before, trigger, actor, now=self.now, data=data, reason=reason
            )
        except TransitionNotAllowed as refusal:
            code = refusal.rule_code
        else:
            assert allowed
            assert after.version == before.version + 1
            assert event.version == after.version
            self.events.append(event)
            self.memo = after
            return
        assert code in REFUSAL_CODES
        if data is not None or reason is not None:  # else can_fire skips input rules
            assert not allowed
        assert before.model_dump() == snapshot
        assert self.memo is before

    @rule(
        parties=st.one_of(
            st.lists(st.sampled_from(POOL), min_size=1, max_size=3, unique=True),
            st.lists(st.sampled_from(POOL), max_size=5),  # empty or twice: F4
        ),
        policy=st.one_of(
            st.none(),
            st.just(JoinPolicy.all()),
            st.just(JoinPolicy.any()),
            st.integers(1, 5).map(JoinPolicy.quorum),
        ),
        actor=st.sampled_from((CLERK, CLERK, LEAD)),
    )
    def request(self, parties: list[Party], policy: JoinPolicy | None, actor: Actor) -> None:
        data: dict[str, Any] = {"parties": party_data(*parties)}
        if policy is not None:
            data["policy"] = policy.model_dump()
        self.attempt("request_countersign", actor, data)

    @rule(
        agreed=st.booleans(),
        actor=st.sampled_from(ACTORS),
        opinion=st.one_of(st.none(), st.sampled_from(["同意", "不同意", "再议"])),
        as_reason=st.booleans(),
        party=st.one_of(st.none(), st.sampled_from([p.code for p in POOL])),
    )
    def answer(
        self,
        agreed: bool,
        actor: Actor,
        opinion: str | None,
        as_reason: bool,
        party: str | None,
    ) -> None:
        data: dict[str, Any] = {}
        if opinion is not None and not as_reason:
            data["opinion"] = opinion
        if party is not None:
            data["party"] = party
        reason = opinion if as_reason else None
        self.attempt("agree" if agreed else "disagree", actor, data or None, reason)

    @precondition(lambda self: self.memo is not None and self.memo.state is MemoState.AGREED)
    @rule(close=st.integers(0, 2))
    def leave(self, close: int) -> None:
        self.attempt("close" if close == 0 else "reopen", CLERK, None)

    @invariant()
    def in_a_state_of_the_table(self) -> None:
        assert self.memo is not None
        assert self.memo.state in WORKFLOW.states
        assert self.memo.version == len(self.events)

    @invariant()
    def every_party_pending_or_answered_once(self) -> None:
        assert self.memo is not None
        fan_out = self.memo.fan_out
        if fan_out is None:
            return
        codes = [p.code for p in fan_out.parties]
        assert len(set(codes)) == len(codes)
        answered_codes = [r.party for r in fan_out.responses]
        assert len(set(answered_codes)) == len(answered_codes)
        assert set(fan_out.pending).isdisjoint(fan_out.responded)
        assert set(fan_out.pending) | set(fan_out.responded) == set(fan_out.parties)
        if not fan_out.voided:
            assert len(fan_out.pending) + len(fan_out.responded) == len(fan_out.parties)

    @invariant()
    def the_state_agrees_with_the_join(self) -> None:
        assert self.memo is not None
        fan_out = self.memo.fan_out
        if self.memo.state is MemoState.COUNTERSIGNING:
            assert fan_out is not None
            assert (fan_out.step, fan_out.voided, fan_out.outcome) == (
                "countersigning",
                False,
                None,
            )
        elif self.memo.state is MemoState.AGREED:
            assert fan_out is not None
            assert fan_out.outcome == "agreed"

    @invariant()
    def replay_reproduces_the_memo(self) -> None:
        assert self.memo is not None
        assert WORKFLOW.replay(self.events) == self.memo


TestFanOutMachine = FanOutMachine.TestCase
