"""A table extended with a state of its own: a hold (暂缓) on supervision items.

The host adds the state and the rows into and out of it; the workflow is validated when
built, the office runs it on every store, entities in the new state are stored and read
back, and the lists, triggers and diagram follow the extended table.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import START, STORES, SUPERVISOR, UNDERTAKER, UNIT_A, url_for
from secretarial import (
    Office,
    Role,
    StoreError,
    SupervisionItem,
    SupervisionState,
    TransitionNotAllowed,
    TransitionSpec,
    WorkflowDefinitionError,
    builtin_registry,
)
from secretarial.kernel import LabeledEnum, Workflow
from secretarial.plugins import hookimpl
from secretarial.testing import FrozenClock, SequentialIds


class Hold(LabeledEnum):
    """The state the extension adds."""

    ON_HOLD = "on_hold", "暂缓"


SUPERVISORS = frozenset({Role.SUPERVISOR.value})
HOLD = TransitionSpec(
    "hold", (SupervisionState.IN_PROGRESS,), Hold.ON_HOLD, SUPERVISORS, label="暂缓"
)
RESUME = TransitionSpec(
    "resume", (Hold.ON_HOLD,), SupervisionState.IN_PROGRESS, SUPERVISORS, label="恢复"
)


class Holds:
    """A plugin that adds the hold to supervision items."""

    @hookimpl
    def secretarial_extend_workflow(self, table):  # type: ignore[no-untyped-def]
        if table.entity_type is not SupervisionItem:
            return None
        return table.extended(HOLD, RESUME, states=[Hold.ON_HOLD])


def in_progress(office: Office) -> SupervisionItem:
    item = office.supervision.open(
        by=SUPERVISOR,
        source="leader_instruction",
        requirement="抓好冬季供暖保障",
        received_at=START,
    )
    item = office.fire(
        item, "assign", by=SUPERVISOR, lead_unit=UNIT_A, deadline=START.date().replace(day=30)
    )
    accepted = office.fire(item, "accept", by=UNDERTAKER)
    assert isinstance(accepted, SupervisionItem)
    return accepted


@pytest.mark.parametrize("store", STORES)
def test_an_added_state_runs_on_every_store(store: str, tmp_path: Path) -> None:
    """Into the hold and out again; stored, read back, listed, offered, drawn."""
    url = url_for(store, tmp_path)
    clock = FrozenClock(START)
    plugins = [Holds()]
    with Office.open(url, clock=clock, ids=SequentialIds(), plugins=plugins) as office:
        item = in_progress(office)
        assert "hold" in office.available_triggers(item, by=SUPERVISOR)
        held = office.fire(item, "hold", by=SUPERVISOR)
        assert (held.state, held.state.label, held.is_open) == ("on_hold", "暂缓", True)
        assert office.available_triggers(held, by=SUPERVISOR) == ("resume",)
        assert [e.id for e in office.list(state="on_hold")] == [item.id]
        assert "on_hold: on_hold 暂缓" in str(office.workflow("supervision_item").diagram())
        assert office.verify_audit().ok
        item_id = item.id
    if store == "memory":
        return
    with Office.open(url, clock=clock, create=False, plugins=plugins) as again:
        stored = again.get(item_id)
        assert stored.state is Hold.ON_HOLD
        resumed = again.fire(stored, "resume", by=SUPERVISOR)
        assert resumed.state is SupervisionState.IN_PROGRESS
        assert again.replay(item_id) == again.get(item_id)


def test_a_broken_extension_is_refused_when_built() -> None:
    """A state nothing leads into, or one already in the table, fails the build."""
    table = builtin_registry().table("supervision_item")
    with pytest.raises(WorkflowDefinitionError, match="cannot be reached"):
        Workflow(table.extended(states=[Hold.ON_HOLD]))
    with pytest.raises(WorkflowDefinitionError, match="already a state"):
        Workflow(table.extended(states=[SupervisionState.IN_PROGRESS]))
    dead_end = table.extended(HOLD, states=[Hold.ON_HOLD])
    with pytest.raises(WorkflowDefinitionError, match="on_hold"):
        Workflow(dead_end)


def test_the_built_in_table_is_left_as_it_was() -> None:
    """An office that extends its table changes no other office's."""
    extended = Office.in_memory(plugins=[Holds()], load_entry_points=False)
    plain = Office.in_memory(clock=FrozenClock(START), load_entry_points=False)
    assert "hold" in extended.workflow("supervision_item").triggers
    assert "hold" not in plain.workflow("supervision_item").triggers
    assert "hold" not in builtin_registry().workflow("supervision_item").triggers
    item = in_progress(plain)
    with pytest.raises(TransitionNotAllowed) as refused:
        plain.fire(item, "hold", by=SUPERVISOR)
    assert refused.value.rule_code == "TRIGGER"


def test_a_body_in_a_state_no_table_of_the_office_has_is_a_store_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Opened without the extension, a held item is not read as something else."""
    url = f"sqlite:///{tmp_path / 'office.db'}"
    clock = FrozenClock(START)
    with Office.open(url, clock=clock, ids=SequentialIds(), plugins=[Holds()]) as office:
        held = office.fire(in_progress(office), "hold", by=SUPERVISOR)
    from secretarial.kernel import _entity  # noqa: PLC0415 -- what this process accepted

    monkeypatch.setattr(_entity, "_ADDED_STATES", {})  # as in a process that never had it
    with (
        Office.open(url, create=False, load_entry_points=False) as bare,
        pytest.raises(StoreError, match="state is 'on_hold'"),
    ):
        bare.get(held.id)


NOTE = TransitionSpec(
    "note", (SupervisionState.IN_PROGRESS,), None, SUPERVISORS, label="备注", awaited=False
)


class Notes:
    """A plugin that adds a row a supervisor may fire any time, which nobody waits for."""

    @hookimpl
    def secretarial_extend_workflow(self, table):  # type: ignore[no-untyped-def]
        if table.entity_type is not SupervisionItem:
            return None
        return table.extended(NOTE, HOLD, RESUME, states=[Hold.ON_HOLD])


def test_a_row_nobody_waits_for_stays_out_of_the_brief() -> None:
    """``awaited=False`` rows are offered but not listed as work waiting; others are."""
    office = Office.in_memory(
        clock=FrozenClock(START), ids=SequentialIds(), plugins=[Notes()], load_entry_points=False
    )
    item = in_progress(office)
    workflow = office.workflow("supervision_item")
    assert (workflow.awaited("note"), workflow.awaited("hold")) == (False, True)
    assert {"note", "hold"} <= set(office.available_triggers(item, by=SUPERVISOR))
    waiting = office.brief(SUPERVISOR).section("waiting")
    assert waiting is not None
    (entry,) = [i for i in waiting.items if i.entity_id == item.id]
    assert "hold" in entry.actions
    assert "note" not in entry.actions
    assert "remind" not in entry.actions
