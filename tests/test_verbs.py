"""The office verbs: return (退回), withdraw (撤回) and reassign (转办), on every store."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from conftest import (
    CLERK,
    DIRECTOR,
    DRAFTER,
    LEADER,
    PRINCIPAL,
    START,
    STORES,
    SUPERIOR,
    UNDERTAKER,
    UNIT_A,
    UNIT_B,
    actor,
    refused,
)
from secretarial import (
    Actor,
    IncomingDocument,
    IncomingState,
    Office,
    OutgoingDocument,
    OutgoingState,
    Return,
    Role,
    TransitionNotAllowed,
    TransitionSpec,
    ValidationError,
    Workflow,
    WorkflowDefinitionError,
    workflow_for,
)
from secretarial.testing import FrozenClock

BEIJING = ZoneInfo("Asia/Shanghai")
OFFICE_STORES = STORES  # the verbs read the audit trail inside the store's unit of work

OTHER_DRAFTER = actor("drafter2", Role.DRAFTER)


def draft(office: Office) -> OutgoingDocument:
    return office.documents.draft(
        by=DRAFTER,
        kind="notice",
        title="关于开展安全检查的通知",
        issuer_code="某办发",
        main_recipients=[SUPERIOR],
    )


def received(office: Office) -> Any:
    """A notice just received from the superior organ."""
    return office.documents.receive(
        by=CLERK,
        kind="notice",
        title="关于开展安全检查的通知",
        sender=SUPERIOR,
        channel="paper",
        received_at=office.now(),
    )


def walk(office: Office, doc: Any, steps: list[tuple[str, Any, dict[str, Any]]]) -> Any:
    """``doc`` after each (trigger, actor, input) of ``steps`` in turn."""
    for trigger, by, data in steps:
        doc = office.fire(doc, trigger, by=by, **data)
    return doc


def consistent(office: Office, entity: Any) -> None:
    assert office.replay(entity.id) == office.get(entity.id)
    assert office.verify_audit().ok


def outgoing_without_history(*triggers: str) -> tuple[Workflow[Any], Any]:
    """An outgoing document taken through ``triggers`` by the workflow alone, no store."""
    workflow = workflow_for("outgoing_document")
    fields = {"kind": "notice", "title": "t", "issuer_code": "某办发"}
    doc, _ = workflow.create(
        {**fields, "main_recipients": [SUPERIOR]}, entity_id="o1", actor=DRAFTER, now=START
    )
    by = {"submit": DRAFTER, "review": DIRECTOR}
    for trigger in triggers:
        doc, _ = workflow.fire(doc, trigger, by[trigger], now=START)
    return workflow, doc


# ================================================================== withdraw (撤回)
class TestWithdraw:
    def test_the_drafter_takes_a_submitted_draft_back(self, office: Office) -> None:
        doc = office.fire(draft(office), "submit", by=DRAFTER)
        assert "withdraw" in office.available_triggers(doc, by=DRAFTER)
        back = office.fire(doc, "withdraw", by=DRAFTER, reason="附件漏了")
        assert back.state is OutgoingState.DRAFTED
        assert office.audit(back)[-1].trigger == "withdraw"
        assert office.audit(back)[-1].reason == "附件漏了"
        consistent(office, back)
        # Drafted again, it is submitted again like any draft.
        assert office.fire(back, "submit", by=DRAFTER).state is OutgoingState.SUBMITTED

    def test_only_who_sent_it_withdraws(self, office: Office) -> None:
        doc = office.fire(draft(office), "submit", by=DRAFTER)
        assert "withdraw" not in office.available_triggers(doc, by=OTHER_DRAFTER)
        assert refused(office, doc, "withdraw", OTHER_DRAFTER) == "WITHDRAW"

    def test_not_once_the_next_step_acted(self, office: Office) -> None:
        doc = office.fire(draft(office), "submit", by=DRAFTER)
        doc = office.fire(doc, "review", by=DIRECTOR, opinion="同意")
        # The review moved it on: the drafter's submission is no longer the last act.
        assert refused(office, doc, "withdraw", DRAFTER) == "WITHDRAW"

    def test_a_review_is_withdrawn_and_its_opinion_with_it(self, office: Office) -> None:
        doc = office.fire(draft(office), "submit", by=DRAFTER)
        reviewed = office.fire(doc, "review", by=DIRECTOR, opinion="同意")
        assert reviewed.review_opinion == "同意"
        back = office.fire(reviewed, "withdraw", by=DIRECTOR)
        assert back.state is OutgoingState.SUBMITTED
        assert back.review_opinion is None
        consistent(office, back)

    def test_a_reminder_in_between_does_not_block_it_and_stays(
        self, office: Office, clock: FrozenClock
    ) -> None:
        doc = office.fire(draft(office), "submit", by=DRAFTER)
        clock.advance(timedelta(hours=2))
        doc = office.fire(doc, "remind", by=CLERK, step="manual:1")
        back = office.fire(doc, "withdraw", by=DRAFTER)
        assert back.state is OutgoingState.DRAFTED
        assert [r.step for r in back.reminders] == ["manual:1"]
        consistent(office, back)

    def test_withdrawn_once_there_is_nothing_more_to_withdraw(self, office: Office) -> None:
        doc = office.fire(draft(office), "submit", by=DRAFTER)
        doc = office.fire(doc, "withdraw", by=DRAFTER)
        assert refused(office, doc, "withdraw", DRAFTER) == "STATE"

    def test_a_signature_is_not_withdrawn(self, office: Office) -> None:
        doc = office.fire(draft(office), "submit", by=DRAFTER)
        doc = office.fire(doc, "review", by=DIRECTOR, opinion="同意")
        doc = office.fire(doc, "sign", by=PRINCIPAL, opinion="同意")
        assert "withdraw" not in office.available_triggers(doc, by=PRINCIPAL)
        assert refused(office, doc, "withdraw", PRINCIPAL) == "STATE"

    def test_a_proposal_is_withdrawn_before_the_leader_approves(self, office: Office) -> None:
        doc = walk(office, received(office), [("register", CLERK, {}), ("screen", CLERK, {})])
        proposed = office.fire(doc, "propose", by=DIRECTOR, handling_type="for_handling")
        assert isinstance(proposed, IncomingDocument)
        assert proposed.proposal is not None
        back = office.fire(proposed, "withdraw", by=DIRECTOR)
        assert back.state is IncomingState.SCREENED
        assert back.proposal is None
        consistent(office, back)


# ================================================================== return (退回)
def reviewed(office: Office) -> OutgoingDocument:
    doc = office.fire(draft(office), "submit", by=DRAFTER)
    doc = office.fire(doc, "review", by=DIRECTOR, opinion="同意")
    assert isinstance(doc, OutgoingDocument)
    return doc


class TestReturn:
    def test_the_leader_returns_a_draft_to_its_drafter(self, office: Office) -> None:
        doc = reviewed(office)
        assert "return_to" in office.available_triggers(doc, by=LEADER)
        back = office.fire(doc, "return_to", by=LEADER, to="drafted", reason="依据不足")
        assert back.state is OutgoingState.DRAFTED
        holder = back.step_holder
        assert holder is not None
        assert (holder.actor_id, holder.by, holder.reason) == ("drafter", "leader", "依据不足")
        assert holder.returned
        consistent(office, back)

    def test_to_the_reviewer_it_goes_back_to_whoever_reviewed(self, office: Office) -> None:
        back = office.fire(reviewed(office), "return_to", by=LEADER, to="submitted", reason="再核")
        assert back.state is OutgoingState.SUBMITTED
        assert back.step_holder is not None
        assert back.step_holder.actor_id == "director"
        # Reviewed again, the holder of the returned step no longer holds anything.
        again = office.fire(back, "review", by=DIRECTOR, opinion="已核")
        assert again.step_holder is None

    def test_a_return_needs_a_reason(self, office: Office) -> None:
        assert refused(office, reviewed(office), "return_to", LEADER, to="drafted") == "RETURN"

    def test_only_to_a_step_the_table_allows(self, office: Office) -> None:
        doc = reviewed(office)
        assert refused(office, doc, "return_to", LEADER, to="signed", reason="x") == "RETURN"
        with pytest.raises(TransitionNotAllowed, match="drafted") as info:
            office.fire(doc, "return_to", by=LEADER, to="filed", reason="x")
        assert "submitted" in info.value.reason

    def test_only_by_the_roles_it_names(self, office: Office) -> None:
        doc = reviewed(office)
        assert refused(office, doc, "return_to", CLERK, to="drafted", reason="x") == "ROLE"

    def test_not_from_a_step_without_a_return(self, office: Office) -> None:
        doc = office.fire(draft(office), "submit", by=DRAFTER)
        assert refused(office, doc, "return_to", LEADER, to="drafted", reason="x") == "STATE"

    def test_the_undertaker_returns_a_document_to_whoever_assigned_it(self, office: Office) -> None:
        doc = in_handling(office, None)
        back = office.fire(doc, "return_to", by=UNDERTAKER, to="approved", reason="非我科职责")
        assert back.state is IncomingState.APPROVED
        assert back.step_holder is not None
        assert back.step_holder.actor_id == "clerk"
        consistent(office, back)


# ================================================================== reassign (转办)
class TestReassign:
    def test_the_director_hands_a_step_to_another_unit(self, office: Office) -> None:
        doc = office.fire(draft(office), "submit", by=DRAFTER)
        moved = office.fire(doc, "reassign", by=DIRECTOR, unit=UNIT_B, reason="秘书科承办")
        assert moved.state is OutgoingState.SUBMITTED
        assert moved.step_holder is not None
        assert moved.step_holder.names == ("MSK",)
        assert moved.version == doc.version + 1
        consistent(office, moved)

    def test_a_reassignment_needs_a_reason(self, office: Office) -> None:
        doc = office.fire(draft(office), "submit", by=DRAFTER)
        assert refused(office, doc, "reassign", DIRECTOR, actor_id="director2") == "REASSIGN"

    def test_not_to_who_holds_it_already(self, office: Office) -> None:
        doc = office.fire(draft(office), "submit", by=DRAFTER)
        doc = office.fire(doc, "reassign", by=DIRECTOR, actor_id="director2", reason="出差")
        code = refused(office, doc, "reassign", DIRECTOR, actor_id="director2", reason="再转")
        assert code == "REASSIGN"
        again = office.fire(doc, "reassign", by=DIRECTOR, actor_id="director", reason="回来了")
        assert again.step_holder is not None
        assert again.step_holder.actor_id == "director"

    def test_one_new_holder_exactly(self, office: Office) -> None:
        doc = office.fire(draft(office), "submit", by=DRAFTER)
        with pytest.raises(ValidationError, match="exactly one new holder"):
            office.fire(doc, "reassign", by=DIRECTOR, actor_id="x", unit=UNIT_A, reason="r")
        with pytest.raises(ValidationError, match="exactly one new holder"):
            office.fire(doc, "reassign", by=DIRECTOR, reason="r")
        assert office.get(doc.id) == doc

    def test_only_by_the_roles_the_table_names(self, office: Office) -> None:
        doc = office.fire(draft(office), "submit", by=DRAFTER)
        assert refused(office, doc, "reassign", DRAFTER, unit=UNIT_A, reason="r") == "ROLE"

    def test_not_once_closed(self, office: Office) -> None:
        doc = office.fire(received(office), "register", by=CLERK)
        doc = office.fire(doc, "return_to_sender", by=CLERK, reason="不属本机关办理")
        assert refused(office, doc, "reassign", DIRECTOR, unit=UNIT_A, reason="r") == "STATE"


# ================================================================== tables
class TestTables:
    def test_a_signing_row_cannot_be_withdrawable(self) -> None:
        table = workflow_for("outgoing_document").table
        bad = [
            TransitionSpec(
                "sign_again",
                (OutgoingState.REVIEWED,),
                OutgoingState.SIGNED,
                signs=True,
                withdrawable=True,
            )
        ]
        with pytest.raises(WorkflowDefinitionError, match="carries a signature"):
            Workflow(table.extended(*bad))

    def test_a_numbering_row_cannot_be_withdrawable(self) -> None:
        table = workflow_for("outgoing_document").table
        register = next(s for s in table.transitions if s.trigger == "register")
        bad = replace(register, trigger="register_again", withdrawable=True)
        with pytest.raises(WorkflowDefinitionError, match="draws a number"):
            Workflow(table.extended(bad))

    def test_a_return_goes_to_an_earlier_step(self) -> None:
        table = workflow_for("outgoing_document").table
        with pytest.raises(WorkflowDefinitionError, match="not an earlier step"):
            Workflow(table.extended(returns=[Return((OutgoingState.DRAFTED,), "signed")]))
        with pytest.raises(WorkflowDefinitionError, match="unknown state 'nowhere'"):
            Workflow(table.extended(returns=[Return((OutgoingState.REVIEWED,), "nowhere")]))
        with pytest.raises(WorkflowDefinitionError, match="terminal state 'filed'"):
            Workflow(table.extended(returns=[Return((OutgoingState.FILED,), "drafted")]))

    def test_a_table_row_may_not_take_a_verb_it_offers(self) -> None:
        table = workflow_for("outgoing_document").table
        own = TransitionSpec("withdraw", (OutgoingState.SIGNED,), OutgoingState.REVIEWED)
        with pytest.raises(WorkflowDefinitionError, match="engine's for the verb"):
            Workflow(table.extended(own))

    def test_the_verbs_rows_are_listed_and_drawn(self) -> None:
        workflow = workflow_for("outgoing_document")
        assert {"return_to", "withdraw", "reassign"} <= set(workflow.triggers)
        assert workflow.reads_history("withdraw")
        assert workflow.reads_history("return_to")
        assert not workflow.reads_history("reassign")
        text = str(workflow.diagram())
        assert "submitted --> drafted: withdraw" in text
        assert "reviewed --> drafted: return_to [leader, principal_leader]" in text
        assert "note right of drafted: reassign 转办 from every open step" in text
        assert "note left of reviewed: in parallel — countersign, decline_countersign," in text

    def test_without_the_audit_trail_a_withdrawal_is_not_judged(self) -> None:
        workflow, sent = outgoing_without_history("submit")
        assert "withdraw" not in workflow.available_triggers(sent, DRAFTER, now=START)
        with pytest.raises(TransitionNotAllowed, match="audit trail"):
            workflow.fire(sent, "withdraw", DRAFTER, now=START)


# ================================================================== who it waits on
def in_handling(office: Office, deadline: Any) -> IncomingDocument:
    """A notice assigned to the undertaker of 综合科, due on ``deadline``."""
    approval = {"instruction": "请综合科办理", **({"deadline": deadline} if deadline else {})}
    doc = walk(
        office,
        received(office),
        [
            ("register", CLERK, {}),
            ("screen", CLERK, {}),
            ("propose", DIRECTOR, {"handling_type": "for_handling", "lead_unit": UNIT_A}),
            ("approve", LEADER, approval),
            ("assign", CLERK, {"assignee": "undertaker"}),
        ],
    )
    assert isinstance(doc, IncomingDocument)
    return doc


class TestWhoItWaitsOn:
    def test_reminders_follow_the_new_holder(self, office: Office, clock: FrozenClock) -> None:
        deadline = date(2025, 10, 9)
        doc = in_handling(office, deadline)
        clock.set(datetime.combine(date(2025, 9, 28), time(9), BEIJING))
        first = office.sweep().issued
        assert [(r.step, r.to) for r in first] == [("before:3", ("ZHK", "undertaker"))]
        office.fire(doc.id, "reassign", by=DIRECTOR, unit=UNIT_B, reason="改由秘书科办理")
        clock.set(datetime.combine(date(2025, 9, 30), time(9), BEIJING))
        second = office.sweep().issued
        # The previous holders are no longer reminded; the new one is.
        assert [(r.step, r.to) for r in second] == [("before:1", ("MSK",))]

    def test_the_new_holder_sees_it_in_the_brief(self, office: Office) -> None:
        doc = in_handling(office, date(2025, 10, 9))
        someone = Actor(id="zhang", name="张三", unit=UNIT_B)
        assert not office.brief(someone).sections[0].items
        office.fire(doc, "reassign", by=DIRECTOR, actor_id="zhang", reason="张三熟悉情况")
        listed = [
            item.entity_id for section in office.brief(someone).sections for item in section.items
        ]
        assert doc.id in listed

    def test_the_readers_still_holding_a_circulation_are_reminded(
        self, office: Office, clock: FrozenClock
    ) -> None:
        doc = walk(
            office,
            received(office),
            [
                ("register", CLERK, {}),
                ("screen", CLERK, {}),
                ("propose", DIRECTOR, {"handling_type": "for_reading"}),
                ("approve", LEADER, {"instruction": "请阅", "deadline": date(2025, 10, 9)}),
                ("circulate", CLERK, {"readers": ["leader", "principal"], "parallel": True}),
            ],
        )
        clock.set(datetime.combine(date(2025, 9, 28), time(9), BEIJING))
        assert [r.to for r in office.sweep().issued] == [("leader", "principal")]
        office.fire(doc.id, "mark_read", by=LEADER)
        clock.set(datetime.combine(date(2025, 9, 30), time(9), BEIJING))
        assert [r.to for r in office.sweep().issued] == [("principal",)]


def test_the_directory_says_who_answers_for_a_unit_in_a_countersign(tmp_path: Any) -> None:
    """A contact the directory lists answers for a unit not their own; the round records it."""
    from secretarial import JoinPolicy, Party, fan_out_step  # noqa: PLC0415
    from secretarial.kernel import LabeledEnum  # noqa: PLC0415
    from secretarial.plugins import hookimpl  # noqa: PLC0415

    class Step(LabeledEnum):
        COUNTERSIGNING = "countersigning", "会签"

    class Countersign:
        @hookimpl
        def secretarial_extend_workflow(self, table: Any) -> Any:
            if table.entity_type is not OutgoingDocument:
                return None
            rows = fan_out_step(
                Step.COUNTERSIGNING,
                before=OutgoingState.REVIEWED,
                after=OutgoingState.REVIEWED,
                roles=frozenset({Role.OFFICE_DIRECTOR.value}),
            )
            return table.extended(*rows, states=[Step.COUNTERSIGNING])

    clock = FrozenClock(START)
    with Office.open(
        f"sqlite:///{tmp_path / 'o.db'}", clock=clock, plugins=[Countersign()]
    ) as office:
        office.directory.enrol(
            by=DIRECTOR, actor_id="wu", name="吴联络员", unit=UNIT_A, acts_for=["CWK"]
        )
        doc = reviewed(office)
        finance = Party(code="CWK", name="财务科")
        doc = office.fire(
            doc, "request_countersign", by=DIRECTOR, parties=[finance], policy=JoinPolicy.all()
        )
        assert doc.fan_out.parties[0].contacts == ("wu",)
        wu = Actor(id="wu", name="吴联络员", unit=UNIT_A)  # of 综合科, acting for 财务科
        waiting = office.brief(wu).section("waiting")
        assert waiting is not None
        assert [(i.entity_id, i.actions) for i in waiting.items] == [
            (doc.id, ("agree", "disagree"))
        ]
        doc = office.fire(doc, "agree", by=wu, opinion="同意")
        answered = office.brief(wu).section("waiting")
        assert answered is not None
        assert answered.items == ()  # answered: no longer waited for
        assert doc.state is OutgoingState.REVIEWED
        assert doc.fan_out.outcome == "agreed"
        assert office.replay(doc) == doc


# ================================================================== verbs and delegates
class TestVerbsAndDelegates:
    def test_a_delegate_s_proposal_is_withdrawn_by_the_principal(self, office: Office) -> None:
        """The act was the principal's: they withdraw it, the delegate in person does not."""
        deputy = actor("deputy")
        office.directory.delegate(
            by=DIRECTOR,
            delegate=deputy.id,
            roles=[Role.OFFICE_DIRECTOR.value],
            starts=office.now(),
            ends=office.now() + timedelta(days=7),
        )
        doc = walk(office, received(office), [("register", CLERK, {}), ("screen", CLERK, {})])
        sent = office.fire(
            doc, "propose", by=deputy, on_behalf_of=DIRECTOR.id, handling_type="for_handling"
        )
        event = office.audit(sent)[-1]
        assert (event.actor.id, event.on_behalf_of) == ("deputy", "director")
        assert refused(office, sent, "withdraw", deputy) == "WITHDRAW"
        back = office.fire(sent, "withdraw", by=DIRECTOR)
        assert back.state is IncomingState.SCREENED
        consistent(office, back)

    def test_without_the_audit_trail_a_return_is_not_judged(self) -> None:
        workflow, doc = outgoing_without_history("submit", "review")
        with pytest.raises(TransitionNotAllowed, match="audit trail"):
            workflow.fire(doc, "return_to", LEADER, now=START, data={"to": "drafted"}, reason="r")


def test_a_return_to_the_countersign_step_starts_a_new_round(tmp_path: Any) -> None:
    """Returned to the step itself, the same parties answer again; nothing is stuck."""
    from secretarial import fan_out_step  # noqa: PLC0415
    from secretarial.kernel import LabeledEnum  # noqa: PLC0415

    class Step(LabeledEnum):
        COUNTERSIGNING = "countersigning", "会签"
        COUNTERSIGNED = "countersigned", "会签完毕"

    table = (
        workflow_for("outgoing_document")
        .table.without("review")
        .extended(
            *fan_out_step(
                Step.COUNTERSIGNING, before=OutgoingState.SUBMITTED, after=Step.COUNTERSIGNED
            ),
            TransitionSpec("countersigned", (Step.COUNTERSIGNED,), OutgoingState.REVIEWED),
            states=list(Step),
            returns=[Return((Step.COUNTERSIGNED,), Step.COUNTERSIGNING)],
        )
    )
    workflow = Workflow(table)
    finance = Actor(id="cw", name="财务科", unit=UNIT_B)
    doc, first = workflow.create(
        {"kind": "notice", "title": "t", "issuer_code": "某办发", "main_recipients": [SUPERIOR]},
        entity_id="o1",
        actor=DRAFTER,
        now=START,
    )
    events = [first]

    def fire(entity: Any, trigger: str, by: Actor, **kw: Any) -> Any:
        history = events if workflow.reads_history(trigger) else None
        entity, event = workflow.fire(entity, trigger, by, now=START, history=history, **kw)
        events.append(event)
        return entity

    doc = fire(doc, "submit", DRAFTER)
    parties = [{"code": UNIT_B["code"], "name": UNIT_B["name"]}]
    doc = fire(doc, "request_countersign", DIRECTOR, data={"parties": parties})
    doc = fire(doc, "agree", finance)
    assert doc.state.value == "countersigned"
    doc = fire(doc, "return_to", DIRECTOR, data={"to": "countersigning"}, reason="再会签")
    assert doc.state.value == "countersigning"
    assert (doc.fan_out.round, [p.code for p in doc.fan_out.waiting]) == (2, ["MSK"])
    doc = fire(doc, "agree", finance)
    assert doc.state.value == "countersigned"
    assert workflow.replay(events) == doc
