"""State tables are validated when built; workflows render as diagrams."""

from __future__ import annotations

import pytest

from conftest import CLERK
from secretarial import (
    EntityKind,
    IncomingDocument,
    IncomingState,
    Rule,
    TransitionSpec,
    Workflow,
    WorkflowDefinitionError,
    WorkflowTable,
    workflow_for,
)
from secretarial.documents import INCOMING_TABLE, OUTGOING_TABLE
from secretarial.kernel import CreationSpec
from secretarial.supervision import SUPERVISION_TABLE

ALWAYS = Rule("X1", "always", "always holds", lambda _ctx: None)


def table(
    *rows: TransitionSpec, creation_dest: str = "received"
) -> WorkflowTable[IncomingDocument]:
    """A table over the incoming states with only ``rows``."""
    return WorkflowTable(
        name="broken",
        entity_type=IncomingDocument,
        states=IncomingState,
        creation=CreationSpec("receive", creation_dest, frozenset({"clerk"})),
        transitions=rows,
    )


def problems_of(t: WorkflowTable[IncomingDocument]) -> str:
    with pytest.raises(WorkflowDefinitionError) as broken:
        Workflow(t)
    assert broken.value.workflow == "broken"
    return "\n".join(broken.value.problems)


class TestBuildTimeValidation:
    """A broken table raises a definition error when the machine is built."""

    def test_the_default_tables_are_valid(self) -> None:
        for t in (INCOMING_TABLE, OUTGOING_TABLE, SUPERVISION_TABLE):
            assert Workflow(t).table is t

    def test_unknown_destination(self) -> None:
        rows = [*INCOMING_TABLE.transitions, TransitionSpec("lose", ("received",), "limbo")]
        assert "leads to unknown state 'limbo'" in problems_of(table(*rows))

    def test_unknown_source(self) -> None:
        rows = [*INCOMING_TABLE.transitions, TransitionSpec("jump", ("nowhere",), "filed")]
        assert "starts from unknown state 'nowhere'" in problems_of(table(*rows))

    def test_unreachable_state(self) -> None:
        rows = [r for r in INCOMING_TABLE.transitions if r.trigger != "circulate"]
        problems = problems_of(table(*rows))
        assert "state 'circulating' cannot be reached" in problems

    def test_exit_from_terminal_state(self) -> None:
        rows = [*INCOMING_TABLE.transitions, TransitionSpec("unfile", ("filed",), "completed")]
        assert "terminal state 'filed' has an exit 'unfile'" in problems_of(table(*rows))

    def test_dead_end_that_is_not_terminal(self) -> None:
        rows = [r for r in INCOMING_TABLE.transitions if r.trigger != "file"]
        assert "state 'completed' has no way out" in problems_of(table(*rows))

    def test_ambiguous_unguarded_pair(self) -> None:
        rows = [*INCOMING_TABLE.transitions, TransitionSpec("screen", ("registered",), "returned")]
        assert "2 unguarded rows share trigger 'screen'" in problems_of(table(*rows))

    def test_guarded_alternatives_are_allowed(self) -> None:
        rows = [
            *INCOMING_TABLE.transitions,
            TransitionSpec("screen", ("registered",), "returned", rules=(ALWAYS,)),
        ]
        assert Workflow(table(*rows)).specs("screen")[1].dest == "returned"

    def test_every_problem_is_reported_at_once(self) -> None:
        rows = [
            *INCOMING_TABLE.transitions,
            TransitionSpec("a", ("received",), "limbo"),
            TransitionSpec("b", ("filed",), "received"),
        ]
        problems = problems_of(table(*rows))
        assert "limbo" in problems
        assert "terminal state 'filed'" in problems

    def test_extending_a_table_is_validated_too(self) -> None:
        extended = INCOMING_TABLE.extended(
            TransitionSpec("recall", ("approved",), "proposed", frozenset({"leader"}))
        )
        assert "recall" in Workflow(extended).triggers
        with pytest.raises(WorkflowDefinitionError):
            Workflow(INCOMING_TABLE.extended(TransitionSpec("x", ("filed",), "received")))


class TestOneMachinePerType:
    """Each workflow type has one machine, built once; entities are never added to it."""

    def test_workflow_for_is_cached(self) -> None:
        assert workflow_for(EntityKind.INCOMING_DOCUMENT) is workflow_for("incoming_document")

    def test_machine_holds_no_models(self, office) -> None:
        wf = office.workflow("incoming_document")
        office.documents.receive(
            by=CLERK,
            kind="notice",
            title="t",
            sender={"code": "A", "name": "B"},
            channel="paper",
            received_at=office.now(),
        )
        assert wf._machine.models == []


class TestDiagrams:
    """Workflows render as mermaid state diagrams and show in Jupyter."""

    def test_mermaid_lists_every_state_and_transition(self) -> None:
        wf = workflow_for(EntityKind.SUPERVISION_ITEM)
        text = str(wf.diagram())
        assert text.startswith("stateDiagram-v2")
        assert "[*] --> registered: open" in text
        assert "in_progress --> extension_requested: request_extension [undertaker]" in text
        assert "verified --> [*]" in text
        for state in wf.states:
            assert f"{state.value}: {state.value} {state.label}" in text

    def test_markdown_repr_for_jupyter(self) -> None:
        wf = workflow_for(EntityKind.OUTGOING_DOCUMENT)
        md = wf._repr_markdown_()
        assert "```mermaid" in md
        assert "reviewed --> signed: sign [leader, principal_leader]" in md
