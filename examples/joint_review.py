"""A joint document through three review levels and the countersign of four units.

The office's own process, as a plugin gives it: the built-in one-level ``review`` of an
outgoing document is replaced by three (科室审核 → 办公室审核 → 分管领导审核), with the
draft sent to four units at once for their 会签 between the second and the third. One
unit disagrees, the draft goes back with its opinion, a second round agrees, the
principal leader signs and the co-issuing bureau countersigns (D9, in parallel with the
signature). On the way the drafter withdraws a submission (撤回), a review level returns
the draft (退回) and the office director hands a step to a deputy (转办).

Run it with ``python examples/joint_review.py [office.db]`` (an SQLite file, created if
missing). The clock is frozen and moved by hand so the story reads the same every time.
"""

from __future__ import annotations

import sys
from datetime import UTC, datetime, timedelta
from typing import Any

from secretarial import (
    Actor,
    JoinPolicy,
    Office,
    OutgoingDocument,
    OutgoingState,
    Party,
    Return,
    Role,
    TransitionNotAllowed,
    TransitionSpec,
    Unit,
    WorkflowTable,
    fan_out_step,
)
from secretarial.documents import open_countersigning
from secretarial.kernel import LabeledEnum
from secretarial.plugins import hookimpl
from secretarial.testing import FrozenClock


class Review(LabeledEnum):
    """The review levels this office adds to the outgoing table."""

    SECTION_REVIEWED = "section_reviewed", "科室审核"
    COUNTERSIGNING = "countersigning", "会签"
    COUNTERSIGNED = "countersigned", "会签完毕"
    OFFICE_REVIEWED = "office_reviewed", "办公室审核"


SECTION_CHIEF = "section_chief"
DEPUTY_LEADER = "deputy_leader"
DIRECTOR = frozenset({Role.OFFICE_DIRECTOR.value})

LEVELS = (
    TransitionSpec(
        "section_review",
        (OutgoingState.SUBMITTED,),
        Review.SECTION_REVIEWED,
        frozenset({SECTION_CHIEF}),
        label="科室审核",
        withdrawable=True,
    ),
    TransitionSpec(
        "office_review",
        (Review.SECTION_REVIEWED,),
        Review.OFFICE_REVIEWED,
        DIRECTOR,
        label="办公室审核",
        withdrawable=True,
    ),
    *fan_out_step(
        Review.COUNTERSIGNING,
        before=Review.OFFICE_REVIEWED,
        after=Review.COUNTERSIGNED,
        roles=DIRECTOR,
    ),
    TransitionSpec(
        "leader_review",
        (Review.COUNTERSIGNED,),
        OutgoingState.REVIEWED,
        frozenset({DEPUTY_LEADER}),
        effect=open_countersigning,  # the co-issuers are waited for from here (D9)
        label="分管领导审核",
    ),
)
RETURNS = (
    Return((Review.SECTION_REVIEWED, Review.OFFICE_REVIEWED), OutgoingState.DRAFTED),
    Return((Review.COUNTERSIGNED,), Review.OFFICE_REVIEWED, frozenset({DEPUTY_LEADER})),
)


class ThreeLevels:
    """The plugin: this office's review levels instead of the built-in one."""

    @hookimpl
    def secretarial_extend_workflow(self, table: WorkflowTable[Any]) -> WorkflowTable[Any] | None:
        """The outgoing table with this office's review levels; other tables as they are."""
        if table.entity_type is not OutgoingDocument:
            return None
        return table.without("review").extended(
            *LEVELS, states=list(Review), returns=RETURNS, name="outgoing_three_levels"
        )


def person(actor_id: str, name: str, *roles: str, unit: Unit | None = None) -> Actor:
    """Someone of the office with ``roles``."""
    return Actor(id=actor_id, name=name, roles=frozenset(roles), unit=unit)


UNITS = [
    Unit(code="ZHK", name="综合科"),
    Unit(code="CWK", name="财务科"),
    Unit(code="FGK", name="法规科"),
    Unit(code="RSK", name="人事科"),
]
drafter = person("chen", "陈拟稿", Role.DRAFTER.value, unit=UNITS[0])
chief = person("he", "何科长", SECTION_CHIEF)
director = person("wang", "王主任", Role.OFFICE_DIRECTOR.value)
deputy_director = person("lin", "林副主任", Role.OFFICE_DIRECTOR.value)
deputy = person("zhao", "赵副市长", DEPUTY_LEADER, Role.LEADER.value)
principal = person("liu", "刘市长", Role.LEADER.value, Role.PRINCIPAL_LEADER.value)
co_leader = person("xu", "许局长", Role.LEADER.value)
clerk = person("li", "李文书", Role.CLERK.value)
contacts = [
    person("zh1", "综合科联络员", unit=UNITS[0]),
    person("cw1", "财务科联络员", unit=UNITS[1]),
    person("fg1", "法规科联络员", unit=UNITS[2]),
    person("rs1", "人事科联络员", unit=UNITS[3]),
]
PEER = {"code": "SJW", "name": "市教委", "relation": "peer"}


def main(path: str = "office.db") -> None:
    """Walk one joint document through the office's own review process."""
    clock = FrozenClock(datetime(2026, 3, 2, 1, 0, tzinfo=UTC))  # Monday 09:00 in Beijing
    with Office.open(f"sqlite:///{path}", clock=clock, plugins=[ThreeLevels()]) as office:
        run(office, clock)


def step(office: Office, doc: Any, trigger: str, by: Actor, **data: Any) -> Any:
    """Fire ``trigger`` on the document and say where it went."""
    doc = office.fire(doc.id, trigger, by=by, **data)
    print(f"{trigger:>20} by {by.name:<6} → {doc.state.value} ({doc.state.label})")
    return doc


def run(office: Office, clock: FrozenClock) -> None:
    """The story: withdraw, return, reassign, two countersign rounds, sign."""
    workflow = office.workflow("outgoing_document")
    print(f"{workflow!r}\n")
    doc = office.documents.draft(
        by=drafter,
        kind="notice",
        title="关于联合开展校园安全检查的通知",
        issuer_code="某政发",
        main_recipients=[{"code": "XQB", "name": "各区政府", "relation": "subordinate"}],
        joint_issuers=[PEER],
        drafting_unit=UNITS[0],
    )
    doc = step(office, doc, "submit", drafter)
    doc = step(office, doc, "withdraw", drafter, reason="附件漏了")  # 撤回: no one acted yet
    doc = step(office, doc, "submit", drafter)
    doc = step(office, doc, "section_review", chief)
    doc = step(office, doc, "return_to", director, to="drafted", reason="依据条款需补充")
    print(f"{'':>20} returned to {doc.step_holder.actor_id}: {doc.step_holder.reason}")
    doc = step(office, doc, "submit", drafter)
    doc = step(office, doc, "section_review", chief)
    doc = step(office, doc, "reassign", director, actor_id=deputy_director.id, reason="出差一周")
    doc = step(office, doc, "office_review", deputy_director)

    parties = [Party.of(unit) for unit in UNITS]
    doc = step(office, doc, "request_countersign", director, parties=parties)
    clock.advance(timedelta(hours=3))
    doc = step(office, doc, "agree", contacts[0], opinion="同意")
    try:  # a party answers once a round
        office.fire(doc.id, "agree", by=contacts[0], opinion="再次同意")
    except TransitionNotAllowed as refused:
        print(f"{'':>20} refused: {refused.rule_code} {refused.reason}")
    doc = step(office, doc, "disagree", contacts[2], opinion="第三条与现行规定不一致")
    print(f"{'':>20} round {doc.fan_out.round}: {doc.fan_out.progress}")

    doc = step(office, doc, "request_countersign", director, parties=parties)
    for contact in contacts:
        clock.advance(timedelta(hours=1))
        doc = step(office, doc, "agree", contact, opinion="同意")
        print(f"{'':>20} round {doc.fan_out.round}: {doc.fan_out.progress}")

    doc = step(office, doc, "leader_review", deputy)
    # The co-issuer's countersignature and the lead's signature, in either order (D9).
    print(f"{'':>20} co-issuers: {doc.countersigning.progress}")
    doc = step(office, doc, "sign", principal, opinion="同意")
    doc = step(office, doc, "countersign", co_leader, organ=PEER, opinion="同意")
    print(f"{'':>20} co-issuers: {doc.countersigning.progress}")
    doc = step(office, doc, "recheck", clerk)
    doc = step(office, doc, "register", clerk, copies=50)
    print(
        f"\n{doc.number}, signed {doc.date_of_issue}: lead {doc.signatures[0].name}, "
        f"co-issuer {doc.countersignatures[0].name}"
    )
    answers = [e for e in office.audit(doc) if e.trigger in ("agree", "disagree")]
    print(f"every party's answer is its own audit event: {len(answers)} answers in 2 rounds")
    print(f"replay reproduces it: {office.replay(doc) == doc}")
    print(f"audit chain: {office.verify_audit()}")
    policy = JoinPolicy.quorum(3)
    print(f"a quorum policy would have needed {policy.needed(len(parties))} of {len(parties)}")
    print(f"\n{workflow.diagram()}")


if __name__ == "__main__":
    main(*sys.argv[1:])
