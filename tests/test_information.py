"""Information work 信息报送: workflow, emergency time limits, scores, bulletins, a stateful run."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from typing import Any, ClassVar
from zoneinfo import ZoneInfo

import pytest
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import initialize, invariant, precondition, rule

import secretarial
from conftest import (
    ALL_ACTORS,
    CLERK,
    DIRECTOR,
    LEADER,
    NOBODY,
    STORES,
    SUPERVISOR,
    UNIT_A,
    UNIT_B,
    actor,
)
from secretarial import (
    Actor,
    Classification,
    EntityKind,
    Role,
    RuleViolation,
    TransitionNotAllowed,
    UsageError,
    ValidationError,
    builtin_registry,
)
from secretarial.adapters import MemoryStore
from secretarial.engine import DefaultNumbering, FireContext, fire_trigger, run_change
from secretarial.errors import ConcurrencyConflict, NotFound
from secretarial.information import (
    BULLETIN_SERIES,
    DEFAULT_OUTLET_POINTS,
    INFORMATION_OFFICER,
    INFORMATION_RULES,
    INFORMATION_TABLE,
    SCORE_COLUMNS,
    EmergencyLimitKind,
    EmergencyPolicy,
    InformationItem,
    InformationState,
    OutletLevel,
    ReportChannel,
    ReportStage,
    ScoringScale,
    bulletin_of,
    compile_bulletin,
    emergency_due,
    emergency_limits,
    find_bulletin,
    information_scores,
    issue_bulletin,
)
from secretarial.kernel import TransitionSpec, Unit, Workflow
from workflow_drivers import WorkflowMachine, WorkflowRun

WF: Workflow[InformationItem] = Workflow(INFORMATION_TABLE)
SHANGHAI = ZoneInfo("Asia/Shanghai")
NOW = datetime(2025, 10, 9, 1, 0, tzinfo=UTC)  # Thursday 2025-10-09 09:00 in Beijing
MINUTE = timedelta(minutes=1)
HOUR = timedelta(hours=1)

OFFICER = actor("info", INFORMATION_OFFICER)
PRINCIPAL_A = actor("principal_a", Role.PRINCIPAL_LEADER).model_copy(
    update={"unit": Unit.model_validate(UNIT_A)}
)
PRINCIPAL_B = actor("principal_b", Role.PRINCIPAL_LEADER).model_copy(
    update={"unit": Unit.model_validate(UNIT_B)}
)
PRINCIPAL = actor("principal", Role.LEADER, Role.PRINCIPAL_LEADER)
TOP = actor("top", Role.CLERK, clearance=Classification.TOP_SECRET)
AUTHOR = {"actor_id": "info", "name": "王信息"}
PHONE = "0571-87654321"


def fields(**changes: Any) -> dict[str, Any]:
    """The fields of a collectable item of work dynamics, with ``changes``."""
    base: dict[str, Any] = {
        "category": "dynamics",
        "title": "我区推进老旧小区改造",
        "body": "今年以来，我区完成改造小区12个。\n群众满意度明显提升。",
        "source": "区住建局",
        "reporting_unit": UNIT_A,
        "author": AUTHOR,
        "contact_phone": PHONE,
    }
    return {**base, **changes}


def emergency_fields(**changes: Any) -> dict[str, Any]:
    """An emergency that happened at NOW (unless ``changes`` say when)."""
    emergency = {
        "category": "emergency",
        "title": "某镇一化工厂发生火灾",
        "body": "10时许，某镇一化工厂仓库起火，无人员伤亡。",
        "event_at": NOW,
    }
    return fields(**{**emergency, **changes})


class Run(WorkflowRun):
    """An item and its audit trail, driven through the workflow directly."""

    workflow = WF
    start_at = NOW

    def __init__(self, *, by: Any = OFFICER, at: datetime = NOW, **changes: Any) -> None:
        super().__init__(fields(**changes), by=by, entity_id="i1", at=at)

    @classmethod
    def emergency(cls, **changes: Any) -> Run:
        return cls(**emergency_fields(**changes))

    @property
    def item(self) -> InformationItem:
        return self.entity

    def edited(self) -> Run:
        self.fire("screen", OFFICER)
        self.fire("edit", OFFICER)
        return self

    def approved(self) -> Run:
        self.edited()
        self.fire("approve", PRINCIPAL, opinion="同意报送")
        return self

    def submitted(self, level: str = "municipal", outlet: str = "市委办公室信息科") -> Run:
        self.approved()
        self.fire("submit", OFFICER, outlet=outlet, outlet_level=level)
        return self


# ============================================================================ the table
class TestTable:
    def test_the_table_builds_and_names_its_rules(self) -> None:
        """The information table passes the engine's checks; every rule has a code and a name."""
        assert WF.states == tuple(InformationState)
        assert WF.triggers[0] == "collect"
        codes = {r.code for r in INFORMATION_RULES}
        assert {"I1", "I2", "D17", "INFO1", "INFO2", "INFO3", "INFO4"} <= codes
        assert all(r.name and r.description for r in INFORMATION_RULES)

    def test_the_diagram_shows_every_state(self) -> None:
        """The mermaid diagram comes from the same table."""
        text = str(WF.diagram())
        for state in InformationState:
            assert f"{state.value}: {state.value} {state.label}" in text
        assert "edited --> approved: approve [principal_leader]" in text

    def test_terminal_states(self) -> None:
        """Adopted, not adopted and discarded close an item."""
        assert InformationItem.terminal_states == {"adopted", "not_adopted", "discarded"}


# ============================================================================ collect
class TestCollect:
    @pytest.mark.parametrize("who", [CLERK, OFFICER])
    def test_clerks_and_information_officers_collect(self, who: Any) -> None:
        """``collect`` creates a collected item at version 1."""
        run = Run(by=who)
        assert run.item.state is InformationState.COLLECTED
        assert run.item.version == 1
        assert run.item.entity_kind is EntityKind.INFORMATION_ITEM
        assert not run.item.emergency

    @pytest.mark.parametrize("who", [NOBODY, LEADER, DIRECTOR])
    def test_others_do_not_collect(self, who: Any) -> None:
        """Collecting takes a clerk or an information officer (ROLE)."""
        with pytest.raises(TransitionNotAllowed) as info:
            WF.create(fields(), entity_id="i1", actor=who, now=NOW)
        assert info.value.rule_code == "ROLE"

    def test_an_emergency_category_makes_an_emergency_item(self) -> None:
        """Category 突发事件 flags the item as an emergency; the flag is not stored twice."""
        run = Run.emergency()
        assert run.item.emergency
        assert "emergency" not in run.events[0].payload

    def test_an_emergency_records_when_it_happened(self) -> None:
        """I1: no event time, no emergency item."""
        with pytest.raises(ValidationError) as info:
            WF.create(fields(emergency=True), entity_id="i1", actor=OFFICER, now=NOW)
        assert info.value.problems[0].rule == "I1"

    def test_an_emergency_category_is_not_unflagged(self) -> None:
        """I1: category emergency with emergency=False is a contradiction."""
        with pytest.raises(ValidationError) as info:
            WF.create(emergency_fields(emergency=False), entity_id="i1", actor=OFFICER, now=NOW)
        assert info.value.problems[0].rule == "I1"

    def test_nobody_learns_of_an_event_before_it_happens(self) -> None:
        """I1: learned_at is not before event_at."""
        with pytest.raises(ValidationError) as info:
            WF.create(
                emergency_fields(learned_at=NOW - MINUTE), entity_id="i1", actor=OFFICER, now=NOW
            )
        assert info.value.problems[0].rule == "I1"

    def test_an_event_still_to_come_is_refused(self) -> None:
        """I1: an item reports what has happened."""
        with pytest.raises(TransitionNotAllowed) as info:
            WF.create(emergency_fields(), entity_id="i1", actor=OFFICER, now=NOW - MINUTE)
        assert info.value.rule_code == "I1"

    @pytest.mark.parametrize(
        ("given", "kept"),
        [
            ("13800138000", "13800138000"),
            ("138 0013 8000", "13800138000"),
            ("+86 13800138000", "+8613800138000"),
            ("010-88881234", "010-88881234"),
            ("(010)88881234", "010-88881234"),
            ("0571-87654321转123", "0571-87654321转123"),
            ("87654321", "87654321"),
        ],
    )
    def test_contact_phones_are_checked(self, given: str, kept: str) -> None:
        """I2: a mobile or a landline; spaces are dropped."""
        assert Run(contact_phone=given).item.contact_phone == kept

    @pytest.mark.parametrize(
        "phone", ["12345", "call me", "1380013800", "010-1234", "0571-0765432"]
    )
    def test_a_malformed_phone_is_refused(self, phone: str) -> None:
        """I2: the contact phone must be one a person can dial."""
        with pytest.raises(ValidationError) as info:
            WF.create(fields(contact_phone=phone), entity_id="i1", actor=OFFICER, now=NOW)
        assert info.value.problems[0].rule == "I2"
        assert "contact_phone" in info.value.fields

    @pytest.mark.parametrize("managed", ["approval", "adoption", "submissions", "bulletins"])
    def test_workflow_fields_are_not_set_at_collection(self, managed: str) -> None:
        """Fields later steps set are refused at creation."""
        with pytest.raises(ValidationError) as info:
            WF.create(fields(**{managed: None}), entity_id="i1", actor=OFFICER, now=NOW)
        assert managed in info.value.fields


# ============================================================================ screen, discard, edit
class TestScreenAndDiscard:
    def test_an_officer_screens(self) -> None:
        """``screen``: collected → screened."""
        assert Run().fire("screen", OFFICER).state is InformationState.SCREENED

    def test_a_leader_does_not_screen(self) -> None:
        """Screening is the information staff's (ROLE)."""
        assert Run().refused("screen", LEADER).rule_code == "ROLE"

    @pytest.mark.parametrize("screened", [False, True])
    def test_discarding_with_a_reason(self, screened: bool) -> None:
        """``discard`` ends a collected or screened item, keeping the reason."""
        run = Run()
        if screened:
            run.fire("screen", OFFICER)
        item = run.fire("discard", DIRECTOR, reason="内容重复")
        assert item.state is InformationState.DISCARDED
        assert item.discard_reason == "内容重复"
        assert not item.is_open

    def test_discarding_needs_a_reason(self) -> None:
        """INFO1: no reason, no discard."""
        assert Run().refused("discard", OFFICER, reason="  ").rule_code == "INFO1"

    def test_an_edited_item_is_not_discarded(self) -> None:
        """Discard fires from collected and screened only (STATE)."""
        assert Run().edited().refused("discard", OFFICER, reason="x").rule_code == "STATE"


class TestEditAndSendBack:
    def test_editing_revises_the_text(self) -> None:
        """``edit`` keeps what it is not given and replaces what it is."""
        run = Run()
        run.fire("screen", OFFICER)
        item = run.fire("edit", OFFICER, title="老旧小区改造惠及3000户", urgency="urgent")
        assert item.state is InformationState.EDITED
        assert item.title == "老旧小区改造惠及3000户"
        assert item.urgency == "urgent"
        assert item.body == fields()["body"]

    def test_an_edited_item_is_edited_again(self) -> None:
        """Editing may take several passes before sign-off."""
        run = Run().edited()
        assert run.fire("edit", OFFICER, source="区政府").source == "区政府"

    def test_a_collected_item_is_screened_before_editing(self) -> None:
        """``edit`` fires from screened or edited (STATE)."""
        assert Run().refused("edit", OFFICER, title="x").rule_code == "STATE"

    def test_editing_checks_the_phone(self) -> None:
        """I2 applies to an edited phone too; nothing changes."""
        run = Run()
        run.fire("screen", OFFICER)
        with pytest.raises(ValidationError) as info:
            WF.fire(run.item, "edit", OFFICER, now=NOW, data={"contact_phone": "abc"})
        assert info.value.problems[0].rule == "I2"

    def test_a_leader_sends_an_item_back_with_a_reason(self) -> None:
        """``send_back``: edited → screened, the reason kept."""
        run = Run().edited()
        item = run.fire("send_back", PRINCIPAL_A, reason="数据需核实")
        assert item.state is InformationState.SCREENED
        assert item.send_back_reasons == ("数据需核实",)

    def test_sending_back_needs_a_reason(self) -> None:
        """INFO2."""
        assert Run().edited().refused("send_back", PRINCIPAL_A).rule_code == "INFO2"


# ============================================================================ approve
class TestApprove:
    def test_the_principal_leader_signs_off(self) -> None:
        """``approve`` records the sign-off with the leader's name and opinion."""
        run = Run().edited()
        item = run.fire("approve", PRINCIPAL_A, opinion="同意")
        assert item.state is InformationState.APPROVED
        assert item.approval is not None
        assert (item.approval.by, item.approval.name, item.approval.opinion) == (
            "principal_a",
            "Principal_A",
            "同意",
        )
        assert item.signed_off

    def test_a_leader_who_is_not_principal_cannot(self) -> None:
        """Only the principal leader signs off (ROLE)."""
        run = Run().edited()
        assert run.refused("approve", LEADER).rule_code == "ROLE"
        assert run.refused("approve", DIRECTOR).rule_code == "ROLE"

    def test_another_units_principal_leader_cannot(self) -> None:
        """I2: the reporting unit's own principal leader signs."""
        run = Run().edited()
        refusal = run.refused("approve", PRINCIPAL_B)
        assert refusal.rule_code == "I2"
        assert "ZHK" in refusal.reason

    def test_a_principal_leader_of_the_organ_may(self) -> None:
        """A principal leader with no unit (the organ's) signs for any unit."""
        assert Run().edited().fire("approve", PRINCIPAL).state is InformationState.APPROVED

    @pytest.mark.parametrize("missing", ["author", "contact_phone"])
    def test_an_item_names_its_author_and_phone(self, missing: str) -> None:
        """I2: without an author or a phone, no sign-off; an edit supplies them."""
        changes: dict[str, Any] = {missing: None}
        run = Run(**changes).edited()
        refusal = run.refused("approve", PRINCIPAL_A)
        assert refusal.rule_code == "I2"
        supply = {"author": AUTHOR} if missing == "author" else {"contact_phone": PHONE}
        run.fire("edit", OFFICER, **supply)
        assert run.fire("approve", PRINCIPAL_A).state is InformationState.APPROVED

    def test_can_fire_agrees(self) -> None:
        """``can_fire`` judges role and I2 like ``fire``."""
        run = Run(author=None).edited()
        assert not WF.can_fire(run.item, "approve", PRINCIPAL_A, now=NOW)
        assert "approve" not in WF.available_triggers(run.item, PRINCIPAL_A, now=NOW)
        assert "send_back" in WF.available_triggers(run.item, PRINCIPAL_A, now=NOW)


# ============================================================================ submit, adopt
class TestSubmitAndAdopt:
    def test_submitting_to_an_outlet(self) -> None:
        """``submit`` records the outlet, its level and when."""
        item = Run().submitted("provincial", "省委办公厅信息处").item
        assert item.state is InformationState.SUBMITTED
        (submission,) = item.submissions
        assert (submission.outlet, submission.outlet_level, submission.at) == (
            "省委办公厅信息处",
            OutletLevel.PROVINCIAL,
            NOW,
        )

    def test_an_item_goes_to_more_outlets_once_each(self) -> None:
        """A second outlet is recorded; the same outlet again is refused (INFO3)."""
        run = Run().submitted()
        run.fire("submit", OFFICER, outlet="省政府办公厅", outlet_level="provincial")
        assert run.item.state is InformationState.SUBMITTED
        assert len(run.item.submissions) == 2
        refusal = run.refused("submit", OFFICER, outlet=" 省政府办公厅 ", outlet_level="provincial")
        assert refusal.rule_code == "INFO3"

    def test_an_unsigned_item_is_not_submitted(self) -> None:
        """``submit`` fires from approved (STATE)."""
        run = Run().edited()
        refusal = run.refused("submit", OFFICER, outlet="x", outlet_level="county")
        assert refusal.rule_code == "STATE"

    def test_submitting_needs_an_outlet_level(self) -> None:
        """The level is required: it decides the score."""
        run = Run().approved()
        with pytest.raises(ValidationError) as info:
            WF.fire(run.item, "submit", OFFICER, now=NOW, data={"outlet": "x"})
        assert "outlet_level" in info.value.fields

    def test_adoption_with_a_leaders_instruction(self) -> None:
        """``adopt`` records the level, the publication and the 批示."""
        run = Run().submitted()
        item = run.fire(
            "adopt",
            OFFICER,
            outlet_level="national",
            publication="《每日要情》第12期",
            instruction={"leader": "国务院领导", "text": "请认真总结推广。"},
        )
        assert item.state is InformationState.ADOPTED
        assert item.adoption is not None
        assert item.adoption.instruction is not None
        assert ScoringScale().score(item) == 80 + 30

    def test_not_adopted_ends_the_item(self) -> None:
        """``not_adopted`` closes it, with an optional reason."""
        item = Run().submitted().fire("not_adopted", OFFICER, reason="内容不够典型")
        assert item.state is InformationState.NOT_ADOPTED
        assert item.not_adopted_reason == "内容不够典型"
        assert ScoringScale().score(item) == 0

    def test_an_approved_item_is_submitted_before_adoption(self) -> None:
        """``adopt`` fires from submitted (STATE)."""
        refusal = Run().approved().refused("adopt", OFFICER, outlet_level="county")
        assert refusal.rule_code == "STATE"

    def test_an_emergency_is_closed_after_its_final_report(self) -> None:
        """I1: adopt or not_adopted waits for the final report 终报."""
        run = Run.emergency().submitted()
        assert run.refused("adopt", OFFICER, outlet_level="municipal").rule_code == "I1"
        assert run.refused("not_adopted", OFFICER).rule_code == "I1"
        run.fire("report_by_phone", OFFICER, to="市委总值班室")
        run.fire("final_report", OFFICER, to="市委总值班室", text="火情已扑灭。")
        assert run.fire("adopt", OFFICER, outlet_level="municipal").state == "adopted"


# ============================================================================ emergency reports
class TestEmergencyReports:
    def test_reports_are_recorded_with_their_times(self) -> None:
        """Each report keeps stage, channel, when made and when recorded."""
        run = Run.emergency()
        run.fire(
            "report_by_phone",
            OFFICER,
            at=NOW + 40 * MINUTE,
            to="市委总值班室",
            reported_at=NOW + 25 * MINUTE,
            receiver="值班员张某",
        )
        run.fire("report_in_writing", OFFICER, at=NOW + 50 * MINUTE, to="市委总值班室", text="首报")
        phone, written = run.item.emergency_reports
        assert (phone.stage, phone.channel, phone.reported_at, phone.at) == (
            ReportStage.FIRST,
            ReportChannel.PHONE,
            NOW + 25 * MINUTE,
            NOW + 40 * MINUTE,
        )
        assert (written.channel, written.reported_at) == (ReportChannel.WRITING, NOW + 50 * MINUTE)
        assert run.item.state is InformationState.COLLECTED  # recorded actions

    def test_only_emergencies_take_reports(self) -> None:
        """I1."""
        assert Run().refused("report_by_phone", OFFICER, to="x").rule_code == "I1"

    def test_each_first_report_once(self) -> None:
        """I1: a second first report is a follow-up."""
        run = Run.emergency()
        run.fire("report_by_phone", OFFICER, to="x")
        assert run.refused("report_by_phone", OFFICER, to="x").rule_code == "I1"
        run.fire("report_in_writing", OFFICER, to="x", text="首报")
        assert run.refused("report_in_writing", OFFICER, to="x", text="t").rule_code == "I1"

    def test_a_follow_up_follows_the_written_first_report(self) -> None:
        """I1: 续报 after 书面首报."""
        run = Run.emergency()
        run.fire("report_by_phone", OFFICER, to="x")
        assert run.refused("report_followup", OFFICER, to="x", text="t").rule_code == "I1"

    def test_the_final_report_follows_a_first_report_and_ends_reporting(self) -> None:
        """I1: no final report without a first one, nothing after it."""
        run = Run.emergency()
        assert run.refused("final_report", OFFICER, to="x", text="t").rule_code == "I1"
        run.fire("report_by_phone", OFFICER, to="x")
        run.fire("final_report", OFFICER, to="x", text="处置完毕")
        assert run.item.final_report is not None
        assert run.refused("report_in_writing", OFFICER, to="x", text="t").rule_code == "I1"

    @pytest.mark.parametrize("when", [NOW + MINUTE, NOW - 2 * MINUTE])
    def test_report_times_are_plausible(self, when: datetime) -> None:
        """I1: not in the future, not before the event was known."""
        refusal = Run.emergency().refused("report_by_phone", OFFICER, to="x", reported_at=when)
        assert refusal.rule_code == "I1"

    def test_a_follow_up_comes_after_the_last_report(self) -> None:
        """I1: follow-ups are recorded in the order made."""
        run = Run.emergency()
        run.fire("report_in_writing", OFFICER, at=NOW + HOUR, to="x", text="首报")
        refusal = run.refused(
            "report_followup",
            OFFICER,
            at=NOW + 2 * HOUR,
            to="x",
            text="t",
            reported_at=NOW + 30 * MINUTE,
        )
        assert refusal.rule_code == "I1"

    def test_a_leader_does_not_record_reports(self) -> None:
        """ROLE: the information staff records reports."""
        assert Run.emergency().refused("report_by_phone", LEADER, to="x").rule_code == "ROLE"


# ============================================================================ emergency time limits
POLICY = EmergencyPolicy()


def steps(item: InformationItem, at: datetime, policy: EmergencyPolicy = POLICY) -> list[str]:
    return [d.step for d in emergency_due(item, policy, at)]


class TestEmergencyLimits:
    def test_the_defaults(self) -> None:
        """30 minutes by phone, 1 hour in writing, follow-ups daily, final within 7 days."""
        assert (POLICY.first_by_phone, POLICY.first_in_writing) == (30 * MINUTE, HOUR)
        assert (POLICY.follow_up_every, POLICY.final_within) == (24 * HOUR, timedelta(days=7))

    def test_a_first_report_31_minutes_after_is_late_29_is_not(self) -> None:
        """With no phone report at 31 minutes the first report is late; at 29 and 30 it is not."""
        item = Run.emergency().item
        assert steps(item, NOW + 29 * MINUTE) == []
        assert steps(item, NOW + 30 * MINUTE) == []
        (due,) = emergency_due(item, POLICY, NOW + 31 * MINUTE)
        assert (due.limit, due.step) == (
            EmergencyLimitKind.FIRST_BY_PHONE,
            "emergency:first_by_phone",
        )
        assert due.due_at == NOW + 30 * MINUTE
        assert due.late_by == MINUTE
        assert due.to == ("ZHK", "info")

    def test_a_call_29_minutes_after_keeps_the_limit_even_if_recorded_later(self) -> None:
        """The time the report was made counts, not the time it was recorded."""
        run = Run.emergency()
        run.fire(
            "report_by_phone", OFFICER, at=NOW + 45 * MINUTE, to="x", reported_at=NOW + 29 * MINUTE
        )
        assert steps(run.item, NOW + 45 * MINUTE) == []
        phone = emergency_limits(run.item, POLICY, NOW + 45 * MINUTE)[0]
        assert phone.met
        assert not phone.late
        assert phone.late_by == timedelta(0)

    def test_a_call_31_minutes_after_is_met_late(self) -> None:
        """A report made after the limit meets it, late: derived, not stored."""
        run = Run.emergency()
        run.fire("report_by_phone", OFFICER, at=NOW + 31 * MINUTE, to="x")
        phone = emergency_limits(run.item, POLICY, NOW + 40 * MINUTE)[0]
        assert phone.met
        assert phone.late
        assert phone.late_by == MINUTE
        assert steps(run.item, NOW + 40 * MINUTE) == []

    def test_the_written_report_is_due_within_the_hour(self) -> None:
        """A phone report alone leaves the written one due at 60 minutes."""
        run = Run.emergency()
        run.fire("report_by_phone", OFFICER, at=NOW + 10 * MINUTE, to="x")
        assert steps(run.item, NOW + 60 * MINUTE) == []
        assert steps(run.item, NOW + 61 * MINUTE) == ["emergency:first_in_writing"]

    def test_a_written_report_meets_the_phone_limit_too(self) -> None:
        """A written first report within 30 minutes is at least as good as a call."""
        run = Run.emergency()
        run.fire("report_in_writing", OFFICER, at=NOW + 20 * MINUTE, to="x", text="首报")
        assert steps(run.item, NOW + 2 * HOUR) == []

    def test_a_province_with_15_and_35_minutes(self) -> None:
        """The limits are policy: 15 / 35 minutes in some provinces."""
        strict = EmergencyPolicy(first_by_phone=15 * MINUTE, first_in_writing=35 * MINUTE)
        item = Run.emergency().item
        assert steps(item, NOW + 15 * MINUTE, strict) == []
        assert steps(item, NOW + 16 * MINUTE, strict) == ["emergency:first_by_phone"]
        assert steps(item, NOW + 36 * MINUTE, strict) == [
            "emergency:first_by_phone",
            "emergency:first_in_writing",
        ]

    def test_limits_count_from_when_the_office_learned(self) -> None:
        """``learned_at`` starts the clock unless the policy counts from the event."""
        item = Run.emergency(learned_at=NOW + 10 * MINUTE, at=NOW + 10 * MINUTE).item
        at = NOW + 35 * MINUTE
        assert steps(item, at) == []
        assert steps(item, at, EmergencyPolicy(count_from="event")) == ["emergency:first_by_phone"]

    def test_follow_ups_are_due_after_each_written_report(self) -> None:
        """The k-th follow-up is due 24 hours after the previous written report."""
        run = Run.emergency()
        run.fire("report_in_writing", OFFICER, at=NOW + 20 * MINUTE, to="x", text="首报")
        first_due = NOW + 20 * MINUTE + 24 * HOUR
        assert steps(run.item, first_due) == []
        assert steps(run.item, first_due + MINUTE) == ["emergency:follow_up:1"]
        run.fire("report_followup", OFFICER, at=first_due + HOUR, to="x", text="续报一")
        follow = [
            limit
            for limit in emergency_limits(run.item, POLICY, first_due + HOUR)
            if limit.kind is EmergencyLimitKind.FOLLOW_UP
        ]
        assert [(f.step, f.met, f.late) for f in follow] == [
            ("emergency:follow_up:1", True, True),
            ("emergency:follow_up:2", False, False),
        ]
        assert follow[1].due_at == first_due + 25 * HOUR

    def test_the_final_report_is_due_within_seven_days(self) -> None:
        """After the final report nothing is due."""
        policy = EmergencyPolicy(follow_up_every=None)
        run = Run.emergency()
        run.fire("report_in_writing", OFFICER, at=NOW + 20 * MINUTE, to="x", text="首报")
        week = NOW + timedelta(days=7)
        assert steps(run.item, week, policy) == []
        assert steps(run.item, week + MINUTE, policy) == ["emergency:final"]
        run.fire("final_report", OFFICER, at=week + HOUR, to="x", text="终报")
        assert steps(run.item, week + 2 * HOUR, policy) == []
        assert emergency_limits(run.item, policy, week + 2 * HOUR)[-1].late

    def test_a_recorded_reminder_is_not_due_again(self) -> None:
        """Recording the step (``remind``) makes asking again return nothing: idempotent."""
        run = Run.emergency()
        at = NOW + 31 * MINUTE
        (due,) = emergency_due(run.item, POLICY, at.astimezone(SHANGHAI))
        run.fire("remind", SUPERVISOR, at=at, **due.remind_input())
        assert run.item.reminders[0].reminder_kind == "report_due"
        assert steps(run.item, at) == []
        assert (
            run.refused("remind", SUPERVISOR, at=at, **due.remind_input()).rule_code == "REMINDER"
        )

    def test_a_due_step_as_a_sweep_reminder(self) -> None:
        """The sweep's DueReminder carries local dates and a message in both languages."""
        item = Run.emergency(classification="confidential").item
        at = (NOW + 31 * MINUTE).astimezone(SHANGHAI)
        (due,) = emergency_due(item, POLICY, at)
        reminder = due.as_due_reminder()
        assert (reminder.due, reminder.on, reminder.step) == (
            date(2025, 10, 9),
            date(2025, 10, 9),
            "emergency:first_by_phone",
        )
        assert "09:30" in reminder.message
        assert "1 minute late" in reminder.message
        assert item.title not in reminder.message  # classified: no title in reminders

    def test_closed_and_ordinary_items_have_nothing_due(self) -> None:
        """Only open emergency items have time limits."""
        later = NOW + timedelta(days=30)
        assert emergency_due(Run().item, POLICY, later) == []
        assert emergency_limits(Run().item, POLICY, later) == []
        run = Run.emergency()
        run.fire("discard", OFFICER, reason="误报")
        assert emergency_due(run.item, POLICY, later) == []

    def test_a_naive_moment_is_refused(self) -> None:
        """The domain never guesses a zone."""
        with pytest.raises(UsageError):
            emergency_due(Run.emergency().item, POLICY, datetime(2025, 10, 9, 9))  # noqa: DTZ001

    @pytest.mark.parametrize(
        "changes",
        [
            {"first_by_phone": timedelta(0)},
            {"first_by_phone": HOUR, "first_in_writing": 30 * MINUTE},
            {"final_within": HOUR},
        ],
    )
    def test_a_policy_is_consistent(self, changes: dict[str, Any]) -> None:
        """Limits are positive and in order."""
        with pytest.raises(ValueError, match="I1"):
            EmergencyPolicy(**changes)


# ============================================================================ scores
def adopted(
    item_id: str,
    unit: dict[str, str],
    level: str,
    *,
    submitted_at: datetime,
    adopted_at: datetime,
    instructed: bool = False,
) -> InformationItem:
    """An item of ``unit`` submitted and adopted at the given times."""
    run = Run(reporting_unit=unit, at=submitted_at - HOUR)
    run.fire("screen", OFFICER, at=submitted_at - HOUR)
    run.fire("edit", OFFICER, at=submitted_at - HOUR)
    run.fire("approve", PRINCIPAL, at=submitted_at - HOUR)
    run.fire("submit", OFFICER, at=submitted_at, outlet="市委办公室", outlet_level="municipal")
    instruction = {"instruction": {"leader": "市长"}} if instructed else {}
    run.fire("adopt", OFFICER, at=adopted_at, outlet_level=level, **instruction)
    return run.item.model_copy(update={"id": item_id})


def beijing(day: int, hour: int = 10, month: int = 10) -> datetime:
    return datetime(2025, month, day, hour, tzinfo=SHANGHAI)


class TestScores:
    def test_the_default_scale(self) -> None:
        """National 80, provincial 40, municipal 20, county 10; +30 for a 批示."""
        scale = ScoringScale()
        assert scale.points == DEFAULT_OUTLET_POINTS
        assert scale.points[OutletLevel.NATIONAL] == 80
        assert scale.points[OutletLevel.PROVINCIAL] == 40
        assert scale.instruction_bonus == 30

    def test_a_scale_covers_every_level(self) -> None:
        """A scale missing a level, or with negative points, is refused."""
        with pytest.raises(ValueError, match="county"):
            ScoringScale(points={"national": 100, "provincial": 50, "municipal": 20})
        with pytest.raises(ValueError, match="negative"):
            ScoringScale(points={**DEFAULT_OUTLET_POINTS, OutletLevel.COUNTY: -1})

    def test_scores_add_up_per_unit_for_a_month(self) -> None:
        """Adoptions in October count for October; September's and November's do not."""
        a, b = UNIT_A, UNIT_B
        items = [
            adopted(
                "a1",
                a,
                "national",
                submitted_at=beijing(8),
                adopted_at=beijing(10),
                instructed=True,
            ),
            adopted("a2", a, "provincial", submitted_at=beijing(20), adopted_at=beijing(31, 23)),
            adopted(
                "a3",
                a,
                "national",
                submitted_at=beijing(25, month=9),
                adopted_at=beijing(30, month=9),
            ),
            adopted("b1", b, "municipal", submitted_at=beijing(1, 0), adopted_at=beijing(2)),
            adopted("b2", b, "county", submitted_at=beijing(30), adopted_at=beijing(1, month=11)),
            Run(reporting_unit=b).submitted(level="municipal").item.model_copy(update={"id": "b3"}),
        ]
        register = information_scores(items, date(2025, 10, 1), date(2025, 10, 31))
        assert register.keys == tuple(key for key, _ in SCORE_COLUMNS)
        rows = {r["unit_code"]: r for r in register.records()}
        assert rows["ZHK"]["score"] == 80 + 30 + 40
        assert (rows["ZHK"]["adopted"], rows["ZHK"]["submitted"], rows["ZHK"]["instructed"]) == (
            2,
            2,
            1,
        )
        assert (rows["ZHK"]["adopted_national"], rows["ZHK"]["adopted_provincial"]) == (1, 1)
        assert rows["MSK"]["score"] == 20
        assert (rows["MSK"]["adopted"], rows["MSK"]["submitted"]) == (1, 3)
        assert [r["rank"] for r in register.records()] == [1, 2]
        assert register.as_of == date(2025, 10, 31)

    def test_september_alone(self) -> None:
        """Another period, other totals; units with nothing in it are left out."""
        items = [
            adopted(
                "a3",
                UNIT_A,
                "national",
                submitted_at=beijing(25, month=9),
                adopted_at=beijing(30, month=9),
            ),
            adopted("b1", UNIT_B, "municipal", submitted_at=beijing(1), adopted_at=beijing(2)),
        ]
        register = information_scores(items, date(2025, 9, 1), date(2025, 9, 30))
        assert [(r["unit_code"], r["score"]) for r in register.records()] == [("ZHK", 80)]

    def test_equal_scores_share_a_rank(self) -> None:
        """Competition ranking: 1, 1, 3."""
        units = [{"code": f"U{n}", "name": f"单位{n}"} for n in (1, 2, 10)]
        levels = ["provincial", "provincial", "county"]
        items = [
            adopted(f"i{n}", unit, level, submitted_at=beijing(5), adopted_at=beijing(6))
            for n, (unit, level) in enumerate(zip(units, levels, strict=True))
        ]
        register = information_scores(items, date(2025, 10, 1), date(2025, 10, 31))
        assert [(r["unit_code"], r["rank"]) for r in register.records()] == [
            ("U1", 1),
            ("U2", 1),
            ("U10", 3),
        ]

    def test_a_custom_scale(self) -> None:
        """The office's own scale decides."""
        scale = ScoringScale(
            points={**DEFAULT_OUTLET_POINTS, "municipal": 25}, instruction_bonus=50
        )
        items = [
            adopted(
                "b1",
                UNIT_B,
                "municipal",
                submitted_at=beijing(1),
                adopted_at=beijing(2),
                instructed=True,
            )
        ]
        register = information_scores(items, date(2025, 10, 1), date(2025, 10, 31), scale=scale)
        assert register.records()[0]["score"] == 75

    def test_the_register_exports(self) -> None:
        """CSV with Chinese headers, JSON with English keys."""
        items = [adopted("a1", UNIT_A, "national", submitted_at=beijing(8), adopted_at=beijing(10))]
        register = information_scores(items, date(2025, 10, 1), date(2025, 10, 31))
        csv_text = register.to_csv()
        assert csv_text.startswith("\ufeff排名,单位代码,报送单位,报送条数,采用条数,国家级采用")
        assert "1,ZHK,综合科,1,1,1,0,0,0,0,80" in csv_text
        document = json.loads(register.to_json())
        assert document["rows"][0]["score"] == 80
        assert "2025-10-01" in document["title"]

    @pytest.mark.parametrize(
        ("start", "end"),
        [
            (date(2025, 10, 31), date(2025, 10, 1)),
            (datetime(2025, 10, 1, tzinfo=UTC), date(2025, 10, 31)),
        ],
    )
    def test_a_bad_period_is_refused(self, start: date, end: date) -> None:
        """A reversed period, or datetimes, are usage errors."""
        with pytest.raises(UsageError):
            information_scores([], start, end)

    def test_only_information_items(self) -> None:
        """Other entities are a usage error."""
        with pytest.raises(UsageError):
            information_scores([object()], date(2025, 10, 1), date(2025, 10, 31))  # type: ignore[list-item]


# ============================================================================ bulletins
def approved_item(item_id: str, **changes: Any) -> InformationItem:
    return Run(**changes).approved().item.model_copy(update={"id": item_id})


class TestCompileBulletin:
    def test_a_bulletin_takes_the_highest_classification(self) -> None:
        """D17: a compilation is classified as its most secret item."""
        items = [
            approved_item("i1"),
            approved_item("i2", classification="secret"),
            approved_item("i3", classification="confidential"),
        ]
        bulletin = compile_bulletin(items, year=2025, number=3, title="政务信息")
        assert bulletin.classification is Classification.SECRET
        assert [a.item_id for a in bulletin.articles] == ["i1", "i2", "i3"]
        assert bulletin.issue == "2025年第3期"

    def test_an_unclassified_bulletin(self) -> None:
        """Nothing classified, nothing marked."""
        bulletin = compile_bulletin([approved_item("i1")], year=2025, number=1, title="政务信息")
        assert bulletin.classification is Classification.UNCLASSIFIED
        assert "非密" not in bulletin.to_markdown()

    def test_a_top_secret_item_is_compiled_only_with_the_issuers_approval(self) -> None:
        """D17: 绝密 一般不得汇编; with its issuing organ's approval it may be."""
        items = [approved_item("i1"), approved_item("i2", classification="top_secret")]
        with pytest.raises(RuleViolation) as info:
            compile_bulletin(items, year=2025, number=1, title="政务信息")
        assert info.value.rule_code == "D17"
        assert "i2" in str(info.value)
        approved = compile_bulletin(
            items, year=2025, number=1, title="政务信息", issuer_approvals={"i2": "省委办公厅同意"}
        )
        assert approved.classification is Classification.TOP_SECRET

    def test_only_signed_off_items(self) -> None:
        """INFO4: an item not approved is not compiled."""
        items = [approved_item("i1"), Run().edited().item.model_copy(update={"id": "i2"})]
        with pytest.raises(RuleViolation) as info:
            compile_bulletin(items, year=2025, number=1, title="政务信息")
        assert info.value.rule_code == "INFO4"
        assert "i2 (edited)" in str(info.value)

    def test_submitted_items_are_signed_off_too(self) -> None:
        """An item already submitted may still be compiled."""
        item = Run().submitted().item
        assert compile_bulletin([item], year=2025, number=1, title="t").articles[0].item_id == "i1"

    @pytest.mark.parametrize("ids", [[], ["i1", "i1"]])
    def test_at_least_one_item_each_once(self, ids: list[str]) -> None:
        """INFO4."""
        items = [approved_item(i) for i in ids]
        with pytest.raises(RuleViolation) as info:
            compile_bulletin(items, year=2025, number=1, title="政务信息")
        assert info.value.rule_code == "INFO4"

    def test_a_bad_number_is_a_validation_error(self) -> None:
        """Issue numbers start at 1."""
        with pytest.raises(ValidationError):
            compile_bulletin([approved_item("i1")], year=2025, number=0, title="政务信息")


class TestRendering:
    def bulletin(self) -> Any:
        items = [
            approved_item("i1", classification="confidential"),
            approved_item(
                "i2",
                title="<script>alert('x')</script> 标题",
                body="# 不是标题\n第一段 **不加粗** [链接](http://x)\n\n1. 不是列表 & <b>",
                reporting_unit=UNIT_B,
            ),
        ]
        return compile_bulletin(
            items,
            year=2025,
            number=12,
            title="政务信息",
            issuer="市政府办公室",
            issued_on=date(2025, 10, 9),
        )

    def test_markdown(self) -> None:
        """Header, contents, numbered sections, the reporting unit after each text."""
        text = self.bulletin().to_markdown()
        assert text.startswith(
            "**秘密**\n\n# 政务信息\n\n**2025年第12期**\n\n市政府办公室编　2025年10月9日\n"
        )
        assert "## 目录" in text
        assert "## 一、我区推进老旧小区改造" in text
        assert "## 二、" in text
        assert "（综合科报送）" in text
        assert "（秘书科报送）" in text

    def test_markdown_escapes_markup_and_html(self) -> None:
        """Nothing in an item becomes markup or raw HTML."""
        text = self.bulletin().to_markdown()
        assert "<script>" not in text
        assert "&lt;script&gt;" in text
        assert "\\# 不是标题" in text
        assert "\\*\\*不加粗\\*\\*" in text
        assert "\\[链接\\]" in text
        assert "\\1. 不是列表 &amp; &lt;b&gt;" in text

    def test_a_title_cannot_break_the_markdown_structure(self) -> None:
        """A title with a line break (which could open a heading of its own) is refused."""
        with pytest.raises(ValidationError) as refused:
            approved_item("i1", title="标题\n# 注入的标题")
        assert "title" in refused.value.fields

    def test_html_escapes_script(self) -> None:
        """The HTML fragment escapes every text."""
        page = self.bulletin().to_html()
        assert "<script>" not in page
        assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in page
        assert "&amp; &lt;b&gt;" in page
        assert page.startswith('<article class="secretarial-bulletin">')
        assert '<p class="classification"><strong>秘密</strong></p>' in page
        assert "<h1>政务信息</h1>" in page
        assert page.count("<section") == 2
        assert "<p>第一段 **不加粗** [链接](http://x)</p>" in page

    def test_notebook_display(self) -> None:
        """Jupyter shows the bulletin rendered."""
        bulletin = self.bulletin()
        assert bulletin._repr_markdown_() == bulletin.to_markdown()
        assert bulletin._repr_html_() == bulletin.to_html()

    def test_many_sections_are_numbered_in_chinese(self) -> None:
        """十一, 二十 ...: sections follow Chinese document numbering."""
        items = [approved_item(f"i{n}") for n in range(1, 22)]
        text = compile_bulletin(items, year=2025, number=1, title="t").to_markdown()
        for ordinal in ("## 十、", "## 十一、", "## 二十、", "## 二十一、"):
            assert ordinal in text


# ============================================================================ issuing bulletins
def ctx(actor: Actor, now: datetime = NOW) -> FireContext:
    """The context a use case is given: the built-in workflows, who acts and when."""
    return FireContext(
        workflows=builtin_registry().workflows,
        numbering=DefaultNumbering(),
        actor=actor,
        now=now,
    )


def created(kind: str, fields: dict[str, Any], *, entity_id: str, by: Actor, store: Any) -> Any:
    """An entity created through the one change path."""
    return run_change(store, ctx(by), lambda c: c.create(kind, fields, entity_id=entity_id))


class Office:
    """A store with information items, driven through the services."""

    def __init__(self) -> None:
        self.store = MemoryStore()
        self.count = 0

    def item(self, *, state: str = "approved", **changes: Any) -> InformationItem:
        self.count += 1
        entity = created(
            EntityKind.INFORMATION_ITEM,
            fields(**changes),
            entity_id=f"i{self.count}",
            by=TOP,
            store=self.store,
        )
        steps = [("screen", OFFICER, {}), ("edit", OFFICER, {}), ("approve", PRINCIPAL, {})]
        if state == "submitted":
            steps.append(("submit", OFFICER, {"outlet": "市委办公室", "outlet_level": "municipal"}))
        if state == "edited":
            steps = steps[:2]
        for trigger, who, data in steps:
            entity = fire_trigger(self.store, ctx(who), entity.id, trigger, data=data or None)
        assert isinstance(entity, InformationItem)
        return entity

    def issue(self, items: list[Any], *, at: datetime = NOW, **options: Any) -> Any:
        return issue_bulletin(
            self.store, ctx(TOP, at), items, title="政务信息", timezone=SHANGHAI, **options
        )


class TestIssueBulletin:
    def test_numbers_run_consecutively_in_a_year_and_restart_in_the_next(self) -> None:
        """第1期, 第2期, 第3期 in 2025; 第1期 again in 2026."""
        office = Office()
        numbers = [office.issue([office.item()]).number for _ in range(3)]
        assert numbers == [1, 2, 3]
        new_year = datetime(2026, 1, 2, 1, tzinfo=UTC)
        bulletin = office.issue([office.item()], at=new_year)
        assert (bulletin.year, bulletin.number, bulletin.issued_on) == (2026, 1, date(2026, 1, 2))
        assert office.issue([office.item()], year=2025).number == 4

    def test_a_refused_compilation_uses_no_number(self) -> None:
        """D17 rolls back the unit of work: the next issue takes the number."""
        office = Office()
        assert office.issue([office.item()]).number == 1
        secret = office.item(classification="top_secret")
        with pytest.raises(RuleViolation) as info:
            office.issue([office.item(), secret])
        assert info.value.rule_code == "D17"
        assert office.issue([office.item()]).number == 2

    def test_a_top_secret_item_with_the_issuers_approval_is_compiled_and_recorded(self) -> None:
        office = Office()
        top = office.item(classification="top_secret")
        approval = "市委办公室同意汇编（市委办函〔2025〕8号）"
        bulletin = office.issue([office.item(), top], issuer_approvals={top.id: approval})
        assert bulletin.classification is Classification.TOP_SECRET
        stored = office.store.get(top.id)
        assert isinstance(stored, InformationItem)
        assert stored.bulletins[0].issuer_approval == approval
        assert office.store.events(top.id)[-1].payload["issuer_approval"] == approval

    def test_the_compilation_is_recorded_on_every_item(self) -> None:
        """Each item records the issue and its place; the bulletin is rebuilt from them."""
        office = Office()
        first, second = office.item(), office.item(state="submitted", classification="confidential")
        bulletin = office.issue([first, second.id], issuer="市政府办公室")
        assert bulletin.classification is Classification.CONFIDENTIAL
        stored = office.store.get(second.id)
        assert isinstance(stored, InformationItem)
        (entry,) = stored.bulletins
        assert (entry.year, entry.number, entry.position, entry.issuer) == (
            2025,
            1,
            2,
            "市政府办公室",
        )
        assert stored.version == second.version + 1
        assert stored.state is InformationState.SUBMITTED
        assert office.store.events(second.id)[-1].trigger == "compile"
        assert find_bulletin(office.store, year=2025, number=1) == bulletin

    def test_an_item_read_earlier_must_be_current(self) -> None:
        """A changed item refuses the compilation; nothing is recorded."""
        office = Office()
        item = office.item()
        fire_trigger(
            office.store,
            ctx(OFFICER),
            item.id,
            "submit",
            data={"outlet": "x", "outlet_level": "county"},
        )
        with pytest.raises(ConcurrencyConflict):
            office.issue([item])
        assert office.issue([item.id]).number == 1

    def test_unknown_and_unsigned_items(self) -> None:
        """NotFound for an unknown id; INFO4 for an item not signed off."""
        office = Office()
        with pytest.raises(NotFound):
            office.issue(["nope"])
        with pytest.raises(RuleViolation) as info:
            office.issue([office.item(state="edited")])
        assert info.value.rule_code == "INFO4"

    def test_other_entities_and_naive_moments_are_refused(self) -> None:
        """An id naming another kind of entity is not found; a naive ``now`` is a usage error."""
        office = Office()
        other = created(
            EntityKind.SUPERVISION_ITEM,
            {"source": "leader_instruction", "requirement": "抓好落实", "received_at": NOW},
            entity_id="sup-1",
            by=SUPERVISOR,
            store=office.store,
        )
        with pytest.raises(NotFound):
            office.issue([other.id])
        with pytest.raises(UsageError):
            office.issue([office.item()], at=datetime(2025, 10, 9, 9))  # noqa: DTZ001

    def test_the_counter_is_per_year(self) -> None:
        """The series is ``bulletin``, keyed by the year."""
        office = Office()
        office.issue([office.item()])
        with office.store.unit_of_work() as uow:
            assert uow.next_number(BULLETIN_SERIES, "2025") == 2

    def test_an_issue_nobody_records(self) -> None:
        """INFO4 when no item records the issue."""
        with pytest.raises(RuleViolation) as info:
            find_bulletin(Office().store, year=2025, number=9)
        assert info.value.rule_code == "INFO4"


class TestCompileTrigger:
    def test_an_item_is_compiled_once_per_issue(self) -> None:
        """INFO4 on the item: the same issue twice is refused, another issue is fine."""
        run = Run().approved()
        entry = {"year": 2025, "number": 1, "title": "政务信息", "position": 1}
        run.fire("compile", OFFICER, **entry)
        assert run.refused("compile", OFFICER, **entry).rule_code == "INFO4"
        run.fire("compile", OFFICER, **{**entry, "number": 2})
        assert run.item.in_bulletin(2025, 2)
        assert bulletin_of([run.item], year=2025, number=2).articles[0].item_id == "i1"

    def test_a_top_secret_item_refuses_compile_without_the_issuers_approval(self) -> None:
        """D17 on the item itself."""
        run = Run(classification="top_secret").approved()
        entry = {"year": 2025, "number": 1, "title": "t", "position": 1}
        refusal = run.refused("compile", OFFICER, **entry)
        assert refusal.rule_code == "D17"
        assert "issuer_approval" in refusal.reason
        run.fire("compile", OFFICER, **entry, issuer_approval="省委办公厅同意")
        assert run.item.in_bulletin(2025, 1)

    def test_an_unsigned_item_is_not_compiled(self) -> None:
        """STATE: compile fires on approved and submitted items only."""
        refusal = (
            Run().edited().refused("compile", OFFICER, year=2025, number=1, title="t", position=1)
        )
        assert refusal.rule_code == "STATE"


# ============================================================================ replay
class TestReplay:
    def test_replay_reproduces_the_item(self) -> None:
        """The audit trail alone rebuilds an emergency item, reports and all."""
        run = Run.emergency()
        run.fire(
            "report_by_phone", OFFICER, at=NOW + 20 * MINUTE, to="x", reported_at=NOW + 15 * MINUTE
        )
        run.fire("report_in_writing", OFFICER, at=NOW + 50 * MINUTE, to="x", text="首报")
        run.fire("remind", SUPERVISOR, at=NOW + 50 * MINUTE, step="before:1")
        run.fire("screen", OFFICER)
        run.fire("edit", OFFICER, title="火灾已扑灭")
        run.fire("approve", PRINCIPAL_A)
        run.fire("compile", OFFICER, year=2025, number=1, title="政务信息", position=1)
        run.fire("submit", OFFICER, outlet="市委办公室", outlet_level="municipal")
        run.fire("report_followup", OFFICER, at=NOW + 5 * HOUR, to="x", text="续报")
        run.fire("final_report", OFFICER, at=NOW + 9 * HOUR, to="x", text="终报")
        run.fire(
            "adopt",
            OFFICER,
            at=NOW + 10 * HOUR,
            outlet_level="provincial",
            instruction={"leader": "省长", "text": "妥善处置"},
        )
        assert WF.replay(run.events) == run.item
        assert run.item.version == len(run.events)

    def test_an_item_survives_json(self) -> None:
        """Stores keep entities as JSON; an adopted item comes back equal."""
        run = Run().submitted()
        run.fire("adopt", OFFICER, outlet_level="national", instruction={"leader": "领导"})
        assert InformationItem.model_validate_json(run.item.model_dump_json()) == run.item


# ============================================================================ stateful
TEXT = st.text(alphabet="信息报送abc 123", min_size=1, max_size=8).filter(str.strip)
AGO = st.one_of(st.integers(0, 20), st.integers(-30, 600)).map(lambda m: ("ago", m))
MACHINE_ACTORS = (*ALL_ACTORS, OFFICER, PRINCIPAL_A, PRINCIPAL_B)


def _report(**extra: st.SearchStrategy[Any]) -> st.SearchStrategy[dict[str, Any]]:
    return st.fixed_dictionaries(
        {"to": st.sampled_from(["市委总值班室", "省委总值班室"]), **extra},
        optional={"reported_at": AGO},
    )


class InformationMachine(WorkflowMachine):
    """Random triggers from random actors on one item, driven through the workflow."""

    workflow = WF
    actors = MACHINE_ACTORS
    start_at = NOW

    data_for: ClassVar[dict[str, st.SearchStrategy[dict[str, Any]]]] = {
        "edit": st.fixed_dictionaries(
            {},
            optional={
                "title": TEXT,
                "body": TEXT,
                "author": st.just(AUTHOR),
                "contact_phone": st.sampled_from([PHONE, "13800138000", "not a phone"]),
                "urgency": st.sampled_from(["normal", "urgent", "extra_urgent"]),
            },
        ),
        "approve": st.fixed_dictionaries({}, optional={"opinion": TEXT}),
        "submit": st.fixed_dictionaries(
            {
                "outlet": st.sampled_from(["市委办公室", "省委办公厅", "国办"]),
                "outlet_level": st.sampled_from([*OutletLevel, "galactic"]),
            }
        ),
        "adopt": st.fixed_dictionaries(
            {"outlet_level": st.sampled_from(list(OutletLevel))},
            optional={
                "publication": TEXT,
                "instruction": st.fixed_dictionaries({"leader": TEXT}, optional={"text": TEXT}),
            },
        ),
        "report_by_phone": _report(),
        "report_in_writing": _report(text=TEXT),
        "report_followup": _report(text=TEXT, channel=st.sampled_from(["phone", "writing"])),
        "final_report": _report(text=TEXT),
        "compile": st.fixed_dictionaries(
            {
                "year": st.just(2025),
                "number": st.integers(1, 3),
                "title": st.just("政务信息"),
                "position": st.integers(1, 3),
            }
        ),
        "remind": st.fixed_dictionaries(
            {"step": st.sampled_from(["emergency:first_by_phone", "emergency:final"])}
        ),
    }

    @initialize(
        emergency=st.booleans(),
        classification=st.sampled_from(list(Classification)),
        author=st.sampled_from([True, True, True, False]),
        unit=st.sampled_from([UNIT_A, UNIT_B]),
    )
    def collect(
        self, emergency: bool, classification: Classification, author: bool, unit: Any
    ) -> None:
        plan = fields(classification=classification, reporting_unit=unit)
        if emergency:  # it happened a while ago, so reports made since are plausible
            plan = emergency_fields(
                classification=classification, reporting_unit=unit, event_at=NOW - 20 * MINUTE
            )
        if not author:
            plan["author"] = None
        self.start(plan, OFFICER, entity_id="i1")

    def resolve(self, payload: dict[str, Any]) -> dict[str, Any]:
        """Turn relative report times into moments."""
        out = dict(payload)
        if isinstance(out.get("reported_at"), tuple):
            out["reported_at"] = self.now - timedelta(minutes=out["reported_at"][1])
        return out

    def choices(self, offered: list[TransitionSpec]) -> list[TransitionSpec]:
        """Favour steps onward (then those that keep the item open), to reach deep."""
        terminal = InformationItem.terminal_states
        onward = [s for s in offered if s.dest is not None and s.dest not in terminal]
        return onward * 4 + [s for s in offered if s.dest not in terminal] * 2 + offered

    @rule(minutes=st.sampled_from([1, 10, 29, 31, 90, 24 * 60 + 5]))
    def time_passes(self, minutes: int) -> None:
        self.now += timedelta(minutes=minutes)

    @precondition(lambda self: self.entity is not None)
    @invariant()
    def time_limits_are_consistent(self) -> None:
        """What is due is late, unmet and not yet reminded; signed-off items name I2's facts."""
        item: InformationItem = self.entity
        limits = {limit.step: limit for limit in emergency_limits(item, POLICY, self.now)}
        for due in emergency_due(item, POLICY, self.now):
            limit = limits[due.step]
            assert limit.late
            assert not limit.met
            assert self.now > limit.due_at
            assert not item.reminded(due.step)
        if item.approval is not None:
            assert item.author is not None
            assert item.contact_phone is not None
        if item.adoption is not None and item.emergency:
            assert item.final_report is not None
        assert all(b.year == 2025 for b in item.bulletins)
        assert item.classification is not Classification.TOP_SECRET or not item.bulletins


# Replaying the trail after every step makes a run quadratic: cap its size to stay fast.
InformationMachine.TestCase.settings = settings(
    max_examples=min(settings.default.max_examples, 60), stateful_step_count=25, deadline=None
)
TestInformationWorkflow = InformationMachine.TestCase


# ==================================================================== the office
class TestOffice:
    def collect(self, office: Any, **changes: Any) -> Any:
        return office.information.collect(by=TOP, **fields(**changes))

    def signed_off(self, office: Any, **changes: Any) -> Any:
        item = self.collect(office, **changes)
        for trigger, who in (("screen", OFFICER), ("edit", OFFICER), ("approve", PRINCIPAL)):
            item = office.fire(item, trigger, by=who)
        return item

    @pytest.mark.parametrize("office_and_clock", STORES, indirect=True)
    def test_an_item_is_stored_and_replayed(self, office: Any) -> None:
        """Every store keeps an information item as it is; replay reproduces it."""
        item = self.signed_off(office, classification="confidential")
        stored = office.get(item.id)
        assert stored == item
        assert office.replay(item.id) == item
        assert (
            secretarial.builtin_registry().entity_type(EntityKind.INFORMATION_ITEM)
            is InformationItem
        )

    def test_the_sweep_chases_a_late_first_report(self, office: Any, clock: Any) -> None:
        """31 minutes after the event the sweep records ``emergency:first_by_phone``, once."""
        item = office.information.collect(by=TOP, **emergency_fields(event_at=office.now()))
        clock.advance(minutes=29)
        assert office.sweep().issued == ()
        clock.advance(minutes=2)
        (issued,) = office.sweep().issued
        assert (issued.entity_id, issued.step, issued.kind) == (
            item.id,
            "emergency:first_by_phone",
            "report_due",
        )
        assert office.sweep().issued == ()
        assert office.get(item.id).reminded("emergency:first_by_phone")
        assert office.information.emergency_due() == []

    def test_emergencies_are_swept_on_holidays_too(self, office: Any, clock: Any) -> None:
        """National Day is no working day, but an emergency's limits still run."""
        clock.set(datetime(2025, 10, 1, 2, tzinfo=UTC))
        item = office.information.collect(by=TOP, **emergency_fields(event_at=office.now()))
        clock.advance(hours=2)
        report = office.sweep()
        assert not report.workday
        assert [r.step for r in report.issued] == [
            "emergency:first_by_phone",
            "emergency:first_in_writing",
        ]
        assert [limit.late for limit in office.information.emergency_limits(item)] == [
            True,
            True,
            False,
        ]

    def test_bulletins_are_numbered_per_year(self, office: Any) -> None:
        """第1期, 第2期 ...; the issue is rebuilt from its items."""
        first = office.information.compile_bulletin(
            [self.signed_off(office)], by=TOP, title="政务信息"
        )
        second = office.information.compile_bulletin(
            [self.signed_off(office)], by=TOP, title="政务信息"
        )
        assert (first.number, second.number) == (1, 2)
        assert office.information.bulletin(2025, 2) == second

    def test_scores_for_a_month(self, office: Any) -> None:
        """The office totals adopted items per unit for a period."""
        item = self.signed_off(office)
        item = office.fire(
            item, "submit", by=OFFICER, outlet="省委办公厅", outlet_level="provincial"
        )
        office.fire(item, "adopt", by=OFFICER, outlet_level="provincial")
        register = office.information.scores(date(2025, 9, 1), date(2025, 9, 30))
        assert [(r["unit_code"], r["score"]) for r in register.records()] == [("ZHK", 40)]
