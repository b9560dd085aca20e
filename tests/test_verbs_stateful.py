"""The verbs mixed on an office's own table: review levels, a countersign, returns.

The outgoing table with three review levels and a four-unit countersign between the
second and the third (as ``examples/joint_review.py`` builds it), driven at random:
requests, agreements and disagreements by parties and non-parties, withdrawals, returns
to every step and reassignments. After every step the document is in a state of its
table, a refused act changed nothing, replaying the audit reproduces it, and no pending
party of the round is lost or listed twice.
"""

from __future__ import annotations

from typing import Any, ClassVar

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import initialize, invariant

from conftest import ALL_ACTORS, DRAFTER, START, SUBORDINATE, actor
from secretarial import (
    Actor,
    JoinPolicy,
    OutgoingDocument,
    OutgoingState,
    Party,
    Return,
    Role,
    TransitionSpec,
    Unit,
    Workflow,
    fan_out_step,
    workflow_for,
)
from secretarial.kernel import LabeledEnum
from workflow_drivers import TEXT, WorkflowMachine


class Level(LabeledEnum):
    """The steps the office adds."""

    SECTION_REVIEWED = "section_reviewed", "科室审核"
    COUNTERSIGNING = "countersigning", "会签"
    COUNTERSIGNED = "countersigned", "会签完毕"
    OFFICE_REVIEWED = "office_reviewed", "办公室审核"


CHIEF_ROLE = "section_chief"
DEPUTY_ROLE = "deputy_leader"
DIRECTORS = frozenset({Role.OFFICE_DIRECTOR.value})
UNITS = [Unit(code=c, name=n) for c, n in [("ZHK", "综合科"), ("CWK", "财务科"), ("FGK", "法规科")]]

TABLE = (
    workflow_for("outgoing_document")
    .table.without("review")
    .extended(
        TransitionSpec(
            "section_review",
            (OutgoingState.SUBMITTED,),
            Level.SECTION_REVIEWED,
            frozenset({CHIEF_ROLE}),
            withdrawable=True,
        ),
        TransitionSpec(
            "office_review",
            (Level.SECTION_REVIEWED,),
            Level.OFFICE_REVIEWED,
            DIRECTORS,
            withdrawable=True,
        ),
        *fan_out_step(
            Level.COUNTERSIGNING,
            before=Level.OFFICE_REVIEWED,
            after=Level.COUNTERSIGNED,
            roles=DIRECTORS,
        ),
        TransitionSpec(
            "leader_review",
            (Level.COUNTERSIGNED,),
            OutgoingState.REVIEWED,
            frozenset({DEPUTY_ROLE}),
        ),
        states=list(Level),
        returns=[
            Return((Level.SECTION_REVIEWED, Level.OFFICE_REVIEWED), OutgoingState.DRAFTED),
            Return((Level.COUNTERSIGNED,), Level.OFFICE_REVIEWED, frozenset({DEPUTY_ROLE})),
            Return((Level.COUNTERSIGNING,), Level.SECTION_REVIEWED, DIRECTORS),
        ],
        name="outgoing_three_levels",
    )
)
WORKFLOW: Workflow[OutgoingDocument] = Workflow(TABLE)

CONTACTS = tuple(
    Actor(id=f"contact{n}", name=f"{unit.name}联络员", unit=unit) for n, unit in enumerate(UNITS)
)
OUTSIDER = Actor(id="outsider", name="无关科科员", unit=Unit(code="XXK", name="无关科"))
CHIEF = actor("chief", CHIEF_ROLE)
DEPUTY = actor("deputy", DEPUTY_ROLE, Role.LEADER)
PARTIES = [Party.of(unit).model_dump() for unit in UNITS]
POLICIES = st.sampled_from([JoinPolicy.all(), JoinPolicy.any(), JoinPolicy.quorum(2)]).map(
    lambda p: p.model_dump()
)
STEPS = st.sampled_from(
    ["drafted", "submitted", "section_reviewed", "office_reviewed", "countersigned"]
)


ORDER = {
    state: rank
    for rank, state in enumerate(
        [
            "drafted",
            "submitted",
            "section_reviewed",
            "office_reviewed",
            "countersigning",
            "countersigned",
            "reviewed",
            "signed",
        ]
    )
}
"""The steps in the order the document moves on through them."""


class ThreeLevelsMachine(WorkflowMachine):
    """Random verbs on a document of an office's own outgoing table."""

    workflow = WORKFLOW
    actors = (*ALL_ACTORS, *CONTACTS, OUTSIDER, CHIEF, DEPUTY)
    start_at = START
    data_for: ClassVar[dict[str, st.SearchStrategy[dict[str, Any]]]] = {
        "request_countersign": st.fixed_dictionaries(
            {"parties": st.lists(st.sampled_from(PARTIES), min_size=1, max_size=3, unique_by=str)},
            optional={"policy": POLICIES},
        ),
        "agree": st.fixed_dictionaries({}, optional={"opinion": TEXT}),
        "disagree": st.fixed_dictionaries({}, optional={"opinion": TEXT}),
        "return_to": st.fixed_dictionaries({"to": STEPS}),
        "reassign": st.one_of(
            st.fixed_dictionaries({"actor_id": st.sampled_from(["director", "chief"])}),
            st.fixed_dictionaries({"unit": st.sampled_from([u.model_dump() for u in UNITS])}),
        ),
        "sign": st.fixed_dictionaries({}, optional={"opinion": TEXT}),
        "remind": st.fixed_dictionaries({"step": st.sampled_from(["manual:1", "manual:2"])}),
    }

    @initialize()
    def draft(self) -> None:
        self.start(
            {
                "kind": "notice",
                "title": "关于联合开展校园安全检查的通知",
                "issuer_code": "某政发",
                "main_recipients": [SUBORDINATE],
            },
            DRAFTER,
            entity_id="o1",
        )

    def choices(self, offered: list[TransitionSpec]) -> list[TransitionSpec]:
        """Favour the steps that move the document on, and the answers of a round."""
        onward = [
            s
            for s in offered
            if s.dest is not None
            and ORDER.get(str(s.dest), 0) > min(ORDER.get(str(x), 0) for x in s.sources)
        ]
        answers = [s for s in offered if s.trigger in ("agree", "disagree", "withdraw")]
        return onward * 6 + answers * 3 + offered

    def holders(self, spec: TransitionSpec) -> list[Any]:
        """The parties' contacts answer a countersign, the last actor withdraws."""
        if spec.trigger in ("agree", "disagree"):
            return [*CONTACTS, OUTSIDER]
        if spec.trigger == "withdraw":  # mostly whoever acted last, sometimes anyone
            acts = [e for e in self.events if e.trigger != "remind"]
            return [acts[-1].actor] * 3 + list(self.actors)
        return super().holders(spec)

    @invariant()
    def no_pending_party_is_lost_or_listed_twice(self) -> None:
        fan_out = self.entity.fan_out if self.entity is not None else None
        if fan_out is None:
            return
        answered = [r.party for r in fan_out.responses]
        assert len(answered) == len(set(answered))
        pending = [p.code for p in fan_out.pending]
        assert sorted(answered + pending) == sorted(p.code for p in fan_out.parties)
        if fan_out.voided:
            assert fan_out.responses == ()
            assert fan_out.waiting == ()
        if self.entity.state.value == Level.COUNTERSIGNING.value:
            assert fan_out.outcome is None  # a decided round has left the step


TestThreeLevels = ThreeLevelsMachine.TestCase
TestThreeLevels.settings = settings(max_examples=100, stateful_step_count=40, deadline=None)


def test_the_table_offers_every_verb_the_machine_draws() -> None:
    """The mix is real: the office's table has each verb, and not the one it replaced."""
    for trigger in ("request_countersign", "agree", "disagree", "withdraw", "return_to"):
        assert trigger in WORKFLOW.triggers
    assert "review" not in WORKFLOW.triggers
