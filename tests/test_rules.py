"""Every rule the default state tables enforce: what it lets through and what it refuses.

Each refusal is checked for its error type and rule code, and for leaving the office as
it was: the entity, its audit trail and the numbering counters are unchanged.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from conftest import (
    ARCHIVIST,
    CLERK,
    DIRECTOR,
    DRAFTER,
    LEADER,
    PEER,
    PRINCIPAL,
    START,
    SUBORDINATE,
    SUPERIOR,
    SUPERVISOR,
    UNDERTAKER,
    UNIT_A,
    UNIT_B,
    actor,
)
from secretarial import (
    Classification,
    DocumentNumber,
    DomainError,
    Entity,
    Holding,
    IncomingDocument,
    IncomingState,
    Office,
    OutgoingDocument,
    OutgoingState,
    Role,
    RuleViolation,
    Signature,
    SupervisionItem,
    SupervisionState,
    TransitionNotAllowed,
    ValidationError,
)
from secretarial.engine import DefaultNumbering
from secretarial.testing import FrozenClock, SequentialIds

BEIJING = ZoneInfo("Asia/Shanghai")
TODAY = date(2025, 9, 26)  # START in Beijing
POLICE = {"code": "SGA", "name": "市公安局", "relation": "peer"}
OTHER_UNDERTAKER = actor("undertaker2", Role.UNDERTAKER)
OTHER_DRAFTER = actor("drafter2", Role.DRAFTER)
ARCHIVAL_CODE = "0194-WS·2025-D30-BGS-0001"


# ============================================================================ helpers
def refuse(
    office: Office,
    entity: Entity,
    trigger: str,
    *,
    by: Any,
    rule: str,
    error: type[DomainError] = TransitionNotAllowed,
    reason: str | None = None,
    **data: Any,
) -> Any:
    """Fire ``trigger`` expecting ``error`` by ``rule``; check that nothing changed."""
    before = office.get(entity.id)
    trail = office.audit(entity.id)
    counters = office.store.counters()
    with pytest.raises(error) as info:
        office.fire(entity, trigger, by=by, reason=reason, **data)
    err = info.value
    assert err.rule_code == rule, err
    if isinstance(err, TransitionNotAllowed):
        assert err.entity_id == entity.id
        assert err.trigger == trigger
        assert err.state == str(before.state)
    assert office.get(entity.id) == before
    assert office.audit(entity.id) == trail
    assert office.store.counters() == counters
    return err


def refuse_creation(office: Office, create: Callable[[], Entity], *, rule: str) -> Any:
    """Run a creation expecting a refusal by ``rule``; check that nothing was stored."""
    before = office.list()
    counters = office.store.counters()
    with pytest.raises(TransitionNotAllowed) as info:
        create()
    assert info.value.rule_code == rule, info.value
    assert info.value.state == "(new)"
    assert office.list() == before
    assert office.store.counters() == counters
    return info.value


def on_day(clock: FrozenClock, day: date, at: time = time(9, 0)) -> None:
    """Move the clock to ``at`` o'clock on ``day``, Beijing time."""
    clock.to_day(day, at, tz=BEIJING)


# ---------------------------------------------------------------------------- incoming
def receive(office: Office, by: Any = CLERK, **fields: Any) -> IncomingDocument:
    values = {
        "kind": "notice",
        "title": "关于开展安全检查的通知",
        "sender": SUPERIOR,
        "channel": "paper",
        "received_at": office.now(),
    }
    return office.documents.receive(by=by, **{**values, **fields})


def screened(office: Office, **fields: Any) -> IncomingDocument:
    doc = office.fire(receive(office, **fields), "register", by=CLERK)
    return office.fire(doc, "screen", by=CLERK)


def proposed(
    office: Office, handling: str = "for_handling", lead: Any = None, **fields: Any
) -> IncomingDocument:
    extra = {"lead_unit": lead} if lead is not None else {}
    return office.fire(
        screened(office, **fields), "propose", by=DIRECTOR, handling_type=handling, **extra
    )


def approved(office: Office, handling: str = "for_handling", **fields: Any) -> IncomingDocument:
    doc = proposed(office, handling, lead=UNIT_A if handling == "for_handling" else None, **fields)
    return office.fire(doc, "approve", by=LEADER, instruction="请办理")


def circulating(office: Office, *readers: str) -> IncomingDocument:
    doc = approved(office, "for_reading")
    return office.fire(doc, "circulate", by=CLERK, readers=list(readers))


# ---------------------------------------------------------------------------- outgoing
def draft(office: Office, **fields: Any) -> OutgoingDocument:
    values = {
        "kind": "notice",
        "title": "关于做好节假日值班工作的通知",
        "issuer_code": "国办发",
        "main_recipients": [PEER],
    }
    return office.documents.draft(by=DRAFTER, **{**values, **fields})


def reviewed(office: Office, **fields: Any) -> OutgoingDocument:
    doc = office.fire(draft(office, **fields), "submit", by=DRAFTER)
    return office.fire(doc, "review", by=DIRECTOR)


def signed(office: Office, by: Any = LEADER, **fields: Any) -> OutgoingDocument:
    return office.fire(reviewed(office, **fields), "sign", by=by, opinion="同意")


def rechecked(office: Office, **fields: Any) -> OutgoingDocument:
    return office.fire(signed(office, **fields), "recheck", by=CLERK)


def registered(office: Office, copies: int = 1, **fields: Any) -> OutgoingDocument:
    return office.fire(rechecked(office, **fields), "register", by=CLERK, copies=copies)


def secret(**fields: Any) -> dict[str, Any]:
    return {"classification": "confidential", "secrecy_period_years": 5, **fields}


# ---------------------------------------------------------------------------- supervision
def open_item(office: Office, by: Any = SUPERVISOR, **fields: Any) -> SupervisionItem:
    values = {
        "source": "leader_instruction",
        "requirement": "对安全隐患进行整改",
        "received_at": office.now(),
    }
    return office.supervision.open(by=by, **{**values, **fields})


def item_in(office: Office, state: SupervisionState, deadline: date = date(2025, 10, 10)) -> Any:
    """A supervision item driven to ``state`` (an open state) with ``deadline``."""
    item: Any = open_item(office)
    if state is SupervisionState.REGISTERED:
        return item
    item = office.fire(item, "assign", by=SUPERVISOR, lead_unit=UNIT_A, deadline=deadline)
    if state is SupervisionState.ASSIGNED:
        return item
    item = office.fire(item, "accept", by=UNDERTAKER)
    if state is SupervisionState.IN_PROGRESS:
        return item
    if state is SupervisionState.EXTENSION_REQUESTED:
        return office.fire(
            item,
            "request_extension",
            by=UNDERTAKER,
            reason="需要协调外单位",
            proposed_deadline=deadline + timedelta(days=10),
        )
    assert state is SupervisionState.REPORTED
    return office.fire(item, "submit_result", by=UNDERTAKER, result="已整改完毕")


# ============================================================================ engine rules
class TestRole:
    """ROLE: only the roles named in the table fire a trigger."""

    def test_the_named_role_fires(self, office):
        doc = office.fire(receive(office), "register", by=CLERK)
        assert office.fire(doc, "screen", by=DIRECTOR).state is IncomingState.SCREENED

    def test_receive_by_a_non_clerk_is_refused(self, office):
        err = refuse_creation(office, lambda: receive(office, by=LEADER), rule="ROLE")
        assert "clerk" in err.reason

    def test_open_item_by_a_non_supervisor_is_refused(self, office):
        err = refuse_creation(office, lambda: open_item(office, by=CLERK), rule="ROLE")
        assert "supervisor" in err.reason

    def test_anyone_may_draft(self, office):
        assert office.documents.draft(
            by=UNDERTAKER, kind="letter", title="函", issuer_code="国办函"
        )

    @pytest.mark.parametrize(
        ("make", "trigger", "by", "data"),
        [
            (lambda o: o.fire(receive(o), "register", by=CLERK), "screen", UNDERTAKER, {}),
            (screened, "propose", CLERK, {"handling_type": "for_handling"}),
            (proposed, "approve", DIRECTOR, {"instruction": "办", "lead_unit": UNIT_A}),
            (approved, "assign", LEADER, {"assignee": "undertaker"}),
            (lambda o: approved(o, "for_reading"), "circulate", DIRECTOR, {"readers": ["a"]}),
            (lambda o: o.fire(draft(o), "submit", by=DRAFTER), "review", LEADER, {}),
            (reviewed, "sign", DIRECTOR, {"opinion": "同意"}),
            (signed, "recheck", LEADER, {}),
            (lambda o: item_in(o, SupervisionState.ASSIGNED), "accept", SUPERVISOR, {}),
            (
                lambda o: item_in(o, SupervisionState.REPORTED),
                "verify",
                UNDERTAKER,
                {"verification": "核实"},
            ),
        ],
        ids=[
            "screen",
            "propose",
            "approve",
            "assign",
            "circulate",
            "review",
            "sign",
            "recheck",
            "accept",
            "verify",
        ],
    )
    def test_wrong_role_is_refused(self, office, make, trigger, by, data):
        err = refuse(office, make(office), trigger, by=by, rule="ROLE", **data)
        assert by.id in err.reason

    def test_an_actor_without_roles_is_refused(self, office):
        nobody = actor("nobody")
        err = refuse(
            office,
            office.fire(receive(office), "register", by=CLERK),
            "screen",
            by=nobody,
            rule="ROLE",
        )
        assert "no role" in err.reason

    @pytest.mark.parametrize("make", [receive, rechecked], ids=["incoming", "outgoing"])
    def test_register_by_a_wrong_role_changes_nothing_and_uses_no_number(self, office, make):
        doc = make(office)
        before, counters = office.get(doc.id), office.store.counters()
        with pytest.raises(DomainError):
            office.fire(doc, "register", by=LEADER)
        assert office.get(doc.id) == before
        assert office.store.counters() == counters

    @pytest.mark.parametrize("make", [receive, rechecked], ids=["incoming", "outgoing"])
    def test_register_by_a_wrong_role_is_refused_by_role(self, office, make):
        refuse(office, make(office), "register", by=LEADER, rule="ROLE")


class TestState:
    """STATE: a trigger fires only from its source states."""

    def test_trigger_from_its_source_state_fires(self, office):
        doc = receive(office)
        assert office.fire(doc, "register", by=CLERK).state is IncomingState.REGISTERED

    def test_trigger_from_another_state_is_refused_naming_the_sources(self, office):
        err = refuse(office, receive(office), "screen", by=CLERK, rule="STATE")
        assert "registered" in err.reason

    def test_firing_twice_is_refused(self, office):
        doc = office.fire(receive(office), "register", by=CLERK)
        refuse(office, doc, "register", by=CLERK, rule="STATE")

    def test_sign_before_review_is_refused(self, office):
        doc = office.fire(draft(office), "submit", by=DRAFTER)
        refuse(office, doc, "sign", by=PRINCIPAL, rule="STATE", opinion="同意")

    def test_terminal_state_has_no_exit(self, office):
        doc = office.fire(receive(office), "register", by=CLERK)
        doc = office.fire(doc, "return_to_sender", by=CLERK, reason="不属于本机关办理")
        assert not doc.is_open
        refuse(office, doc, "screen", by=CLERK, rule="STATE")

    def test_state_is_checked_before_the_role(self, office):
        refuse(office, receive(office), "approve", by=CLERK, rule="STATE", instruction="办")


class TestTrigger:
    """TRIGGER: a trigger the workflow does not have is refused."""

    def test_known_trigger_fires(self, office):
        assert office.fire(receive(office), "register", by=CLERK).version == 2

    @pytest.mark.parametrize("trigger", ["approve_all", "receive", "sign", ""])
    def test_unknown_trigger_is_refused_listing_the_known_ones(self, office, trigger):
        err = refuse(office, receive(office), trigger, by=CLERK, rule="TRIGGER")
        assert "register" in err.reason
        assert "finish_reading" in err.reason


# ============================================================================ D3
class TestD3CopyNumbers:
    """D3: a classified document carries a six-digit copy number on each copy."""

    def test_classified_incoming_with_copy_number_is_received(self, office):
        doc = receive(office, **secret(copy_number="000012"))
        assert doc.copy_number == "000012"

    def test_unclassified_incoming_needs_no_copy_number(self, office):
        assert receive(office).copy_number is None

    @pytest.mark.parametrize("level", ["confidential", "secret", "top_secret"])
    def test_classified_incoming_without_copy_number_is_refused(self, office, level):
        fields = secret(classification=level)
        err = refuse_creation(office, lambda: receive(office, **fields), rule="D3")
        assert "copy_number" in err.reason

    @pytest.mark.parametrize(
        "bad",
        [
            "12",
            "0000001",
            "00001a",
            "00 001",
            pytest.param("１２３４５６", id="full-width-digits"),
        ],
    )
    def test_copy_number_has_six_digits(self, office, bad):
        with pytest.raises(ValidationError) as info:
            receive(office, **secret(copy_number=bad))
        assert info.value.fields == ("copy_number",)
        assert office.list() == []

    def test_classified_print_with_one_distinct_copy_number_per_copy(self, office):
        doc = registered(office, copies=3, **secret())
        numbers = ["000001", "000002", "000003"]
        printed = office.fire(doc, "print", by=CLERK, copy_numbers=numbers)
        assert printed.state is OutgoingState.PRINTED
        assert printed.copy_numbers == tuple(numbers)
        assert printed.sealed
        assert printed.printing_date == TODAY

    @pytest.mark.parametrize(
        "numbers",
        [[], ["000001", "000002"], ["000001", "000002", "000003", "000004"]],
        ids=["none", "too-few", "too-many"],
    )
    def test_classified_print_with_wrong_count_is_refused(self, office, numbers):
        doc = registered(office, copies=3, **secret())
        err = refuse(office, doc, "print", by=CLERK, rule="D3", copy_numbers=numbers)
        assert "3 copies" in err.reason

    def test_classified_print_with_repeated_copy_numbers_is_refused(self, office):
        doc = registered(office, copies=2, **secret())
        err = refuse(office, doc, "print", by=CLERK, rule="D3", copy_numbers=["000001"] * 2)
        assert "distinct" in err.reason

    def test_unclassified_print_needs_no_copy_numbers(self, office):
        doc = registered(office, copies=5)
        assert office.fire(doc, "print", by=CLERK).copy_numbers == ()


# ============================================================================ D6 / D7
class ForeignSeries(DefaultNumbering):
    """Writes outgoing numbers in another organ's series."""

    def format(self, series: str, entity: Any, now: datetime, sequence: int) -> Any:
        value = super().format(series, entity, now, sequence)
        if series == "outgoing":
            return DocumentNumber(organ_code="外发", year=value.year, sequence=sequence)
        return value


class LastYearSeries(DefaultNumbering):
    """Writes outgoing numbers with last year's year."""

    def format(self, series: str, entity: Any, now: datetime, sequence: int) -> Any:
        value = super().format(series, entity, now, sequence)
        if series == "outgoing":
            return DocumentNumber(organ_code=value.organ_code, year=now.year - 1, sequence=sequence)
        return value


class TestD6Numbering:
    """D6: numbers run per (issuer code, year), consecutive from 1, restarting each year."""

    def test_number_is_in_the_issuers_series_for_this_year(self, office):
        doc = registered(office)
        assert doc.number == DocumentNumber(organ_code="国办发", year=2025, sequence=1)
        assert str(doc.number) == "国办发〔2025〕1号"
        assert doc.state is OutgoingState.REGISTERED

    def test_numbers_are_consecutive(self, office):
        numbers = [str(registered(office).number) for _ in range(3)]
        assert numbers == ["国办发〔2025〕1号", "国办发〔2025〕2号", "国办发〔2025〕3号"]

    def test_each_issuer_code_has_its_own_series(self, office):
        first = registered(office, issuer_code="国办发").number
        letter = registered(office, issuer_code="国办函").number
        second = registered(office, issuer_code="国办发").number
        assert (str(first), str(letter), str(second)) == (
            "国办发〔2025〕1号",
            "国办函〔2025〕1号",
            "国办发〔2025〕2号",
        )

    def test_numbers_restart_in_the_next_year(self, office, clock):
        on_day(clock, date(2025, 12, 31))
        assert [registered(office).number.sequence for _ in range(2)] == [1, 2]
        on_day(clock, date(2026, 1, 1))
        doc = registered(office)
        assert doc.number == DocumentNumber(organ_code="国办发", year=2026, sequence=1)

    def test_the_year_is_the_offices_year(self, office, clock):
        clock.set(datetime(2025, 12, 31, 16, 30, tzinfo=UTC))  # 2026-01-01 00:30 in Beijing
        assert registered(office).number.year == 2026

    def test_a_doc_drafted_last_year_is_numbered_in_the_year_it_is_registered(self, office, clock):
        on_day(clock, date(2025, 12, 31))
        doc = rechecked(office)
        on_day(clock, date(2026, 1, 2))
        assert str(office.fire(doc, "register", by=CLERK).number) == "国办发〔2026〕1号"

    def test_no_gap_after_refused_registers(self, office):
        assert registered(office).number.sequence == 1
        doc = rechecked(office)
        refuse(
            office,
            doc,
            "register",
            by=CLERK,
            rule="D7",
            error=RuleViolation,
            number="国办发〔2025〕2号",
        )
        with pytest.raises(ValidationError):
            office.fire(doc, "register", by=CLERK, copies=0)
        with pytest.raises(DomainError):
            office.fire(doc, "register", by=LEADER)
        assert office.store.counters()[("outgoing", "国办发/2025")] == 1
        assert office.fire(doc, "register", by=CLERK).number.sequence == 2
        assert registered(office).number.sequence == 3

    def test_register_records_copies_and_the_number_in_the_audit(self, office):
        doc = registered(office, copies=40)
        assert doc.copies == 40
        event = office.audit(doc.id)[-1]
        assert event.trigger == "register"
        assert event.payload["number"] == "国办发〔2025〕1号"
        assert office.replay(doc.id) == doc

    @pytest.mark.parametrize(
        ("policy", "says"),
        [(ForeignSeries, "not in this document's series 国办发"), (LastYearSeries, "2025")],
        ids=["other-organ", "other-year"],
    )
    def test_number_outside_the_series_is_refused(self, policy, says):
        office = Office.in_memory(clock=FrozenClock(START), ids=SequentialIds(), numbering=policy())
        doc = rechecked(office)
        err = refuse(office, doc, "register", by=CLERK, rule="D6")
        assert says in err.reason
        assert office.store.counters() == {}

    def test_incoming_registration_numbers_run_per_year(self, office, clock):
        first = office.fire(receive(office), "register", by=CLERK).registration_number
        second = office.fire(receive(office), "register", by=CLERK).registration_number
        on_day(clock, date(2026, 1, 1))
        third = office.fire(receive(office), "register", by=CLERK).registration_number
        assert (first, second, third) == ("2025-0001", "2025-0002", "2026-0001")

    def test_incoming_registration_number_is_not_taken_from_the_caller(self, office):
        doc = receive(office)
        refuse(
            office,
            doc,
            "register",
            by=CLERK,
            rule="NUMBERING",
            error=RuleViolation,
            registration_number="2025-0099",
        )
        assert office.fire(doc, "register", by=CLERK).registration_number == "2025-0001"


class TestD7NumberAtRegistration:
    """D7: the number is assigned at outgoing registration, never at drafting."""

    def test_draft_without_number_is_accepted_and_stays_unnumbered_until_register(self, office):
        doc = rechecked(office)
        assert [e.number for e in _snapshots(office, doc)] == [None] * 5
        assert office.fire(doc, "register", by=CLERK).number is not None

    def test_number_at_drafting_is_refused(self, office):
        err = refuse_creation(office, lambda: draft(office, number="国办发〔2025〕1号"), rule="D7")
        assert "registration" in err.reason

    def test_number_from_the_caller_at_register_is_refused(self, office):
        err = refuse(
            office,
            rechecked(office),
            "register",
            by=CLERK,
            rule="D7",
            error=RuleViolation,
            number="国办发〔2025〕1号",
        )
        assert err.rule_name == "number-allocated-by-office"
        assert "do not pass it" in str(err)


def _snapshots(office: Office, doc: Entity) -> list[Any]:
    """Every stored version of ``doc``, rebuilt from its audit trail."""
    trail = office.audit(doc.id)
    workflow = office.workflow(doc.entity_kind)
    return [workflow.replay(trail[: n + 1]) for n in range(len(trail))]


# ============================================================================ D8 / D13
class TestD8D13Signing:
    """D8/D13: upward and important documents are signed by the principal leader, who is named."""

    def test_a_leader_signs_an_ordinary_document(self, office):
        doc = signed(office, by=LEADER)
        assert doc.state is OutgoingState.SIGNED
        assert doc.signatures == (
            Signature(signer="leader", name="Leader", opinion="同意", signed_on=TODAY),
        )
        assert doc.signers == ()

    def test_upward_document_signed_by_a_leader_is_refused(self, office):
        doc = reviewed(office, main_recipients=[SUPERIOR])
        assert doc.is_upward
        err = refuse(office, doc, "sign", by=LEADER, rule="D13", opinion="同意")
        assert "upward" in err.reason

    def test_upward_document_signed_by_the_principal_names_the_signer(self, office):
        doc = signed(office, by=PRINCIPAL, main_recipients=[SUPERIOR])
        assert doc.state is OutgoingState.SIGNED
        assert doc.signers == ("Principal",)
        assert doc.signer_ids == ("principal",)

    def test_important_document_signed_by_a_leader_is_refused(self, office):
        doc = reviewed(office, important=True)
        err = refuse(office, doc, "sign", by=LEADER, rule="D13", opinion="同意")
        assert "important" in err.reason

    def test_important_document_signed_by_the_principal(self, office):
        doc = signed(office, by=PRINCIPAL, important=True)
        assert doc.signer_ids == ("principal",)
        assert doc.signers == ()

    def test_a_superior_in_cc_only_does_not_make_it_upward(self, office):
        doc = signed(office, by=LEADER, main_recipients=[PEER], cc=[SUPERIOR])
        assert not doc.is_upward
        assert doc.state is OutgoingState.SIGNED

    def test_a_signature_without_comment_or_a_circle_is_consent(self, office):
        """Art. 22: 圈阅或者签名的，视为同意 — the opinion may be left out."""
        plain = office.fire(reviewed(office), "sign", by=LEADER)
        (signature,) = plain.signatures
        assert (signature.opinion, signature.circled) == (None, False)
        assert (signature.name, signature.signed_on) == ("Leader", TODAY)
        circled = office.fire(reviewed(office), "sign", by=LEADER, circled=True)
        assert circled.signatures[0].circled is True
        assert circled.state is OutgoingState.SIGNED

    def test_a_blank_opinion_is_refused(self, office):
        doc = reviewed(office)
        with pytest.raises(ValidationError) as info:
            office.fire(doc, "sign", by=LEADER, opinion="   ")
        assert info.value.fields == ("opinion",)
        assert office.get(doc.id) == doc


# ============================================================================ D9
class TestD9JointDocuments:
    """D9: every co-issuer countersigns, in any order with the lead, before the recheck.

    The last signature dates the document.
    """

    def joint(self, office: Office, **fields: Any) -> OutgoingDocument:
        return reviewed(office, joint_issuers=[PEER, POLICE], **fields)

    def test_the_co_issuers_round_says_who_is_still_waited_for(self, office):
        """The review opens the round; each countersignature is an answer (会签, D9)."""
        doc = self.joint(office)
        assert doc.countersigning is not None
        assert [p.code for p in doc.countersigning.pending] == ["SJW", "SGA"]
        doc = office.fire(doc, "countersign", by=LEADER, organ=POLICE, opinion="同意")
        assert doc.countersigning.progress == "1 of 2 agreed; waiting for 市教委"
        doc = office.fire(doc, "countersign", by=PRINCIPAL, organ=PEER)
        assert doc.countersigning.outcome == "agreed"
        assert doc.countersigning.waiting == ()
        assert office.replay(doc) == doc

    def test_a_co_issuer_that_declines_sends_the_draft_back_unsigned(self, office):
        doc = office.fire(self.joint(office), "sign", by=LEADER, opinion="同意")
        doc = office.fire(doc, "countersign", by=LEADER, organ=PEER, opinion="同意")
        back = office.fire(
            doc, "decline_countersign", by=PRINCIPAL, organ=POLICE, opinion="第五条需会商"
        )
        assert back.state is OutgoingState.DRAFTED
        assert (back.signatures, back.countersignatures, back.date_of_issue) == ((), (), None)
        assert back.countersigning.outcome == "disagreed"
        assert back.countersigning.response_of("SGA").opinion == "第五条需会商"
        # Reviewed again, the next round opens, waiting on every co-issuer again.
        again = office.fire(office.fire(back, "submit", by=DRAFTER), "review", by=DIRECTOR)
        assert (again.countersigning.round, len(again.countersigning.pending)) == (2, 2)
        assert office.replay(again) == again

    def test_a_return_voids_the_round_and_its_countersignatures(self, office):
        doc = office.fire(self.joint(office), "countersign", by=LEADER, organ=PEER)
        back = office.fire(doc, "return_to", by=LEADER, to="submitted", reason="再核")
        assert back.countersignatures == ()
        assert back.countersigning.voided
        again = office.fire(back, "review", by=DIRECTOR)
        assert again.countersigning.round == 2
        assert [p.code for p in again.countersigning.waiting] == ["SJW", "SGA"]

    def test_a_decline_gives_its_opinion(self, office):
        refuse(office, self.joint(office), "decline_countersign", by=LEADER, organ=PEER, rule="D9")

    def test_a_co_issuer_that_signed_does_not_decline(self, office):
        doc = office.fire(self.joint(office), "countersign", by=LEADER, organ=PEER)
        refuse(
            office, doc, "decline_countersign", by=LEADER, organ=PEER, opinion="改主意", rule="D9"
        )

    def test_the_co_issuers_still_to_sign_are_reminded(self, office):
        doc = office.fire(self.joint(office), "countersign", by=LEADER, organ=PEER)
        from secretarial.kernel._verbs import handed_to  # noqa: PLC0415

        assert handed_to(doc) == ("SGA",)

    def test_the_lead_may_sign_before_the_co_issuers(self, office):
        """The Regulation sets no order between the lead organ and the co-issuers."""
        doc = office.fire(self.joint(office), "sign", by=LEADER, opinion="同意")
        assert doc.state is OutgoingState.SIGNED
        doc = office.fire(doc, "countersign", by=LEADER, organ=PEER)
        doc = office.fire(doc, "countersign", by=PRINCIPAL, organ=POLICE, circled=True)
        assert [s.organ.code for s in doc.countersignatures] == ["SJW", "SGA"]
        assert office.fire(doc, "recheck", by=CLERK).state is OutgoingState.RECHECKED

    def test_recheck_before_every_co_issuer_signed_is_refused(self, office):
        signed_first = office.fire(self.joint(office), "sign", by=LEADER, opinion="同意")
        err = refuse(office, signed_first, "recheck", by=CLERK, rule="D9")
        assert "市教委" in err.reason
        assert "市公安局" in err.reason
        doc = office.fire(signed_first, "countersign", by=LEADER, organ=PEER, opinion="同意")
        err = refuse(office, doc, "recheck", by=CLERK, rule="D9")
        assert "市公安局" in err.reason
        assert "市教委" not in err.reason

    def test_every_co_issuer_signs_then_the_lead_and_the_last_date_is_the_date_of_issue(
        self, office, clock
    ):
        doc = office.fire(self.joint(office), "countersign", by=LEADER, organ=PEER, opinion="同意")
        clock.advance(days=2)
        doc = office.fire(doc, "countersign", by=PRINCIPAL, organ=POLICE, opinion="会签同意")
        assert doc.state is OutgoingState.REVIEWED
        clock.advance(days=3)
        doc = office.fire(doc, "sign", by=LEADER, opinion="同意")
        assert doc.state is OutgoingState.SIGNED
        assert [(s.organ.code, s.signed_on) for s in doc.countersignatures] == [
            ("SJW", TODAY),
            ("SGA", TODAY + timedelta(days=2)),
        ]
        assert doc.date_of_issue == TODAY + timedelta(days=5)
        assert doc.date_of_issue_text == "2025年10月1日"

    def test_date_of_issue_of_a_single_issuer_document_is_the_signing_date(self, office):
        assert signed(office).date_of_issue == TODAY

    def test_countersigning_a_document_that_is_not_joint_is_refused(self, office):
        err = refuse(
            office,
            reviewed(office),
            "countersign",
            by=LEADER,
            rule="D9",
            organ=PEER,
            opinion="同意",
        )
        assert "joint" in err.reason

    def test_countersigning_for_an_organ_that_is_not_a_co_issuer_is_refused(self, office):
        err = refuse(
            office,
            self.joint(office),
            "countersign",
            by=LEADER,
            rule="D9",
            organ=SUPERIOR,
            opinion="同意",
        )
        assert "SZF is not a co-issuer" in err.reason

    def test_a_co_issuer_countersigns_once(self, office):
        doc = office.fire(self.joint(office), "countersign", by=LEADER, organ=PEER, opinion="同意")
        err = refuse(
            office, doc, "countersign", by=PRINCIPAL, rule="D9", organ=PEER, opinion="同意"
        )
        assert "already signed" in err.reason

    def test_upward_joint_document_names_every_signer(self, office):
        doc = self.joint(office, main_recipients=[SUPERIOR])
        doc = office.fire(doc, "countersign", by=LEADER, organ=PEER, opinion="同意")
        doc = office.fire(doc, "countersign", by=PRINCIPAL, organ=POLICE, opinion="同意")
        doc = office.fire(doc, "sign", by=actor("chief", Role.PRINCIPAL_LEADER), opinion="同意")
        # GB/T 9704-2012 §7.2.4: the lead organ's signer first, then the co-issuers'.
        assert doc.signers == ("Chief", "Leader", "Principal")

    def test_signers_follow_the_issuing_organs_not_the_order_of_signing(self, office):
        doc = self.joint(office, main_recipients=[SUPERIOR])
        doc = office.fire(doc, "countersign", by=PRINCIPAL, organ=POLICE)
        doc = office.fire(doc, "sign", by=actor("chief", Role.PRINCIPAL_LEADER), opinion="同意")
        assert doc.signers == ("Chief", "Principal")
        doc = office.fire(doc, "countersign", by=LEADER, organ=PEER)
        assert [s.organ.code for s in doc.countersignatures] == ["SGA", "SJW"]
        assert doc.signers == ("Chief", "Leader", "Principal")

    def test_a_countersignature_after_the_lead_dates_the_document(self, office, clock):
        doc = self.joint(office, main_recipients=[SUPERIOR])
        doc = office.fire(doc, "sign", by=actor("chief", Role.PRINCIPAL_LEADER), opinion="同意")
        clock.advance(days=1)
        doc = office.fire(doc, "countersign", by=LEADER, organ=PEER)
        assert doc.signers == ("Chief", "Leader")
        assert doc.date_of_issue == TODAY + timedelta(days=1)


# ============================================================================ D11
class TestD11RequestsAndReports:
    """D11: a request asks one matter of one superior, copied upward or sideways only."""

    def submit(self, office: Office, **fields: Any) -> OutgoingDocument:
        return office.fire(draft(office, **fields), "submit", by=DRAFTER)

    def test_well_formed_request_is_submitted(self, office):
        doc = self.submit(
            office,
            kind="request",
            requests=["拨付专项经费"],
            main_recipients=[SUPERIOR],
            cc=[PEER, {"code": "SW", "name": "市委办公厅", "relation": "superior"}],
        )
        assert doc.state is OutgoingState.SUBMITTED

    @pytest.mark.parametrize(
        ("fields", "says"),
        [
            ({"requests": ["拨付经费", "增加编制"]}, "asks 2"),
            ({"requests": []}, "asks 0"),
            ({"main_recipients": [SUPERIOR, {**SUPERIOR, "code": "SW"}]}, "has 2"),
            ({"main_recipients": []}, "has 0"),
            ({"main_recipients": [PEER]}, "superior organ"),
            ({"cc": [PEER, SUBORDINATE]}, "区办公室"),
        ],
        ids=[
            "two-matters",
            "no-matter",
            "two-main-recipients",
            "no-main-recipient",
            "peer-main-recipient",
            "cc-to-subordinate",
        ],
    )
    def test_malformed_request_is_refused(self, office, fields, says):
        values = {"kind": "request", "requests": ["拨付经费"], "main_recipients": [SUPERIOR]}
        doc = draft(office, **{**values, **fields})
        err = refuse(office, doc, "submit", by=DRAFTER, rule="D11")
        assert says in err.reason

    def test_report_without_requests_is_submitted(self, office):
        doc = self.submit(office, kind="report", main_recipients=[SUPERIOR])
        assert doc.state is OutgoingState.SUBMITTED

    def test_report_with_requests_is_refused(self, office):
        doc = draft(office, kind="report", main_recipients=[SUPERIOR], requests=["拨付经费"])
        err = refuse(office, doc, "submit", by=DRAFTER, rule="D11")
        assert "请示" in err.reason


PARTY = {"code": "SW", "name": "市委办公厅", "relation": "superior"}
PROVINCE = {"code": "SZF1", "name": "省政府办公厅", "relation": "higher_superior"}


class TestD11UpwardDocuments:
    """D11: every document to a superior goes to one superior organ, never copied down.

    Not only a request: copies to other superiors or peers as needed.
    """

    def submit(self, office: Office, **fields: Any) -> OutgoingDocument:
        return office.fire(draft(office, **fields), "submit", by=DRAFTER)

    @pytest.mark.parametrize("kind", ["report", "opinion", "letter", "request"])
    def test_one_superior_with_copies_upward_and_sideways_is_submitted(self, office, kind):
        extra = {"requests": ["拨付经费"]} if kind == "request" else {}
        doc = self.submit(office, kind=kind, main_recipients=[SUPERIOR], cc=[PARTY, PEER], **extra)
        assert doc.state is OutgoingState.SUBMITTED

    def test_a_report_to_two_superiors_is_refused(self, office):
        doc = draft(office, kind="report", main_recipients=[SUPERIOR, PARTY])
        err = refuse(office, doc, "submit", by=DRAFTER, rule="D11")
        assert "addressed to one superior organ" in err.reason
        assert "市政府办公室, 市委办公厅" in err.reason
        assert "cc" in err.reason

    def test_a_report_to_a_superior_and_a_peer_is_refused(self, office):
        doc = draft(office, kind="report", main_recipients=[SUPERIOR, PEER])
        err = refuse(office, doc, "submit", by=DRAFTER, rule="D11")
        assert "addressed to one superior organ" in err.reason

    def test_a_report_copied_to_a_lower_organ_is_refused(self, office):
        doc = draft(office, kind="report", main_recipients=[SUPERIOR], cc=[SUBORDINATE])
        err = refuse(office, doc, "submit", by=DRAFTER, rule="D11")
        assert "区办公室" in err.reason

    def test_a_document_to_peers_may_go_to_several(self, office):
        doc = self.submit(office, kind="letter", main_recipients=[PEER, POLICE], cc=[SUBORDINATE])
        assert doc.state is OutgoingState.SUBMITTED


class TestD12SkippingLevels:
    """D12: no skipping levels, no document to a superior's leader in person.

    A level is skipped only in a stated special circumstance, the skipped organ copied;
    a leader is addressed in person only for a matter that leader assigned.
    """

    def test_a_document_skipping_a_level_is_refused(self, office):
        doc = draft(office, kind="report", main_recipients=[PROVINCE])
        assert doc.is_upward
        err = refuse(office, doc, "submit", by=DRAFTER, rule="D12")
        assert "above the direct superior" in err.reason
        assert "skip_level_reason" in err.reason

    def test_a_stated_reason_without_copying_the_skipped_organ_is_refused(self, office):
        doc = draft(
            office, kind="report", main_recipients=[PROVINCE], skip_level_reason="重大突发事件"
        )
        err = refuse(office, doc, "submit", by=DRAFTER, rule="D12")
        assert "cc" in err.reason

    def test_the_exception_stated_and_the_skipped_organ_copied_is_submitted(self, office):
        doc = draft(
            office,
            kind="report",
            main_recipients=[PROVINCE],
            cc=[SUPERIOR],
            skip_level_reason="发生重大突发事件，情况紧急",
        )
        assert office.fire(doc, "submit", by=DRAFTER).state is OutgoingState.SUBMITTED

    def test_a_reason_for_a_document_that_skips_nothing_is_refused(self, office):
        doc = draft(office, kind="report", main_recipients=[SUPERIOR], skip_level_reason="紧急")
        err = refuse(office, doc, "submit", by=DRAFTER, rule="D12")
        assert "skips no level" in err.reason

    def test_a_document_to_a_leader_in_person_is_refused(self, office):
        doc = draft(office, kind="report", main_recipients=[SUPERIOR], to_leader="王市长")
        err = refuse(office, doc, "submit", by=DRAFTER, rule="D12")
        assert "in person" in err.reason
        assert "王市长" in err.reason

    def test_a_matter_the_leader_assigned_goes_to_that_leader(self, office):
        doc = draft(
            office,
            kind="report",
            main_recipients=[SUPERIOR],
            to_leader="王市长",
            leader_assigned=True,
        )
        assert office.fire(doc, "submit", by=DRAFTER).state is OutgoingState.SUBMITTED


# ============================================================================ D14 / D15
class TestD14SendBack:
    """D14: an unfit draft goes back to the drafting unit with reasons."""

    def test_send_back_with_a_reason_returns_the_draft(self, office):
        doc = office.fire(draft(office), "submit", by=DRAFTER)
        doc = office.fire(doc, "send_back", by=DIRECTOR, reason="标题不规范")
        assert doc.state is OutgoingState.DRAFTED
        assert doc.review_opinion == "标题不规范"
        assert office.audit(doc.id)[-1].reason == "标题不规范"
        assert office.fire(doc, "submit", by=DRAFTER).state is OutgoingState.SUBMITTED

    @pytest.mark.parametrize("reason", [None, "", "   "], ids=["none", "empty", "blank"])
    def test_send_back_without_a_reason_is_refused(self, office, reason):
        doc = office.fire(draft(office), "submit", by=DRAFTER)
        err = refuse(office, doc, "send_back", by=DIRECTOR, rule="D14", reason=reason)
        assert "reason" in err.reason


class TestD15ResignAfterChange:
    """D15: a substantive change after signing goes back to the original signer."""

    def test_resign_with_a_reason_goes_back_for_signing(self, office):
        doc = office.fire(signed(office), "resign", by=CLERK, reason="第三条措辞有实质修改")
        assert doc.state is OutgoingState.REVIEWED
        assert doc.pending_change == "第三条措辞有实质修改"

    @pytest.mark.parametrize("reason", [None, "  "], ids=["none", "blank"])
    def test_resign_without_a_reason_is_refused(self, office, reason):
        refuse(office, signed(office), "resign", by=CLERK, rule="D15", reason=reason)

    def test_only_the_original_signer_signs_again(self, office, clock):
        doc = office.fire(signed(office), "resign", by=CLERK, reason="实质修改")
        err = refuse(office, doc, "sign", by=PRINCIPAL, rule="D15", opinion="同意")
        assert "leader" in err.reason
        clock.advance(days=1)
        doc = office.fire(doc, "sign", by=LEADER, opinion="同意修改")
        assert doc.state is OutgoingState.SIGNED
        assert doc.pending_change is None
        assert doc.signer_ids == ("leader", "leader")
        assert doc.date_of_issue == TODAY + timedelta(days=1)

    def test_any_leader_signs_when_nothing_changed(self, office):
        assert signed(office, by=PRINCIPAL).state is OutgoingState.SIGNED


# ============================================================================ D16
class TestD16IncomingHandling:
    """D16: returns need reasons; urgent ones a deadline; urgent or important a chaser; one lead."""

    def test_return_to_sender_with_a_reason(self, office):
        doc = office.fire(receive(office), "register", by=CLERK)
        doc = office.fire(doc, "return_to_sender", by=DIRECTOR, reason="不属于本机关职责")
        assert doc.state is IncomingState.RETURNED
        assert doc.return_reason == "不属于本机关职责"

    def test_return_to_sender_without_a_reason_is_refused(self, office):
        doc = office.fire(receive(office), "register", by=CLERK)
        refuse(office, doc, "return_to_sender", by=CLERK, rule="D16")

    def test_urgent_document_approved_with_deadline_and_chaser(self, office):
        doc = proposed(office, lead=UNIT_A, urgency="urgent")
        doc = office.fire(
            doc,
            "approve",
            by=LEADER,
            instruction="速办",
            deadline=date(2025, 9, 30),
            chaser="clerk",
        )
        assert (doc.deadline, doc.chaser) == (date(2025, 9, 30), "clerk")
        assert doc.instruction.text == "速办"
        assert doc.instruction.by == "leader"

    @pytest.mark.parametrize("urgency", ["urgent", "extra_urgent"])
    def test_urgent_document_without_deadline_is_refused(self, office, urgency):
        doc = proposed(office, lead=UNIT_A, urgency=urgency)
        err = refuse(
            office, doc, "approve", by=LEADER, rule="D16", instruction="速办", chaser="clerk"
        )
        assert "deadline" in err.reason

    @pytest.mark.parametrize(
        "fields", [{"urgency": "urgent"}, {"important": True}], ids=["urgent", "important"]
    )
    def test_urgent_or_important_document_without_chaser_is_refused(self, office, fields):
        doc = proposed(office, lead=UNIT_A, **fields)
        err = refuse(
            office,
            doc,
            "approve",
            by=LEADER,
            rule="D16",
            instruction="办",
            deadline=date(2025, 10, 1),
        )
        assert "chase" in err.reason

    def test_ordinary_document_needs_neither_deadline_nor_chaser(self, office):
        doc = office.fire(proposed(office, lead=UNIT_A), "approve", by=LEADER, instruction="办")
        assert (doc.deadline, doc.chaser) == (None, None)

    def test_for_handling_without_a_lead_unit_is_refused(self, office):
        err = refuse(office, proposed(office), "approve", by=LEADER, rule="D16", instruction="办")
        assert "lead unit" in err.reason

    def test_for_handling_takes_the_proposed_lead_unit(self, office):
        doc = office.fire(proposed(office, lead=UNIT_B), "approve", by=LEADER, instruction="办")
        assert doc.lead_unit.code == "MSK"

    def test_for_handling_lead_unit_given_at_approval_wins(self, office):
        doc = office.fire(
            proposed(office, lead=UNIT_B),
            "approve",
            by=LEADER,
            instruction="办",
            lead_unit=UNIT_A,
            co_units=[UNIT_B],
        )
        assert doc.lead_unit.code == "ZHK"
        assert [u.code for u in doc.co_units] == ["MSK"]

    def test_for_reading_needs_no_lead_unit(self, office):
        doc = office.fire(proposed(office, "for_reading"), "approve", by=LEADER, instruction="阅")
        assert doc.lead_unit is None

    def test_lead_unit_also_a_co_unit_is_refused(self, office):
        err = refuse(
            office,
            proposed(office),
            "approve",
            by=LEADER,
            rule="D16",
            instruction="办",
            lead_unit=UNIT_A,
            co_units=[UNIT_B, UNIT_A],
        )
        assert "ZHK" in err.reason

    def test_co_unit_named_twice_is_refused(self, office):
        refuse(
            office,
            proposed(office),
            "approve",
            by=LEADER,
            rule="D16",
            instruction="办",
            lead_unit=UNIT_A,
            co_units=[UNIT_B, UNIT_B],
        )


# ============================================================================ handling
class TestHandlingType:
    """HANDLING: only a 办件 is assigned; only a 阅件 is circulated."""

    def test_assign_for_handling(self, office):
        doc = office.fire(approved(office), "assign", by=CLERK, assignee="undertaker")
        assert doc.state is IncomingState.IN_HANDLING
        assert doc.assignee == "undertaker"

    def test_assign_for_reading_is_refused(self, office):
        err = refuse(
            office,
            approved(office, "for_reading"),
            "assign",
            by=DIRECTOR,
            rule="HANDLING",
            assignee="undertaker",
        )
        assert "办件" in err.reason

    def test_circulate_for_reading(self, office):
        doc = circulating(office, "leader", "principal")
        assert doc.state is IncomingState.CIRCULATING

    def test_circulate_for_handling_is_refused(self, office):
        err = refuse(
            office, approved(office), "circulate", by=CLERK, rule="HANDLING", readers=["leader"]
        )
        assert "阅件" in err.reason


class TestCirculation:
    """CIRCULATION: readers read in order; it ends when everyone has read."""

    def test_current_holder_moves_along_the_readers(self, office, clock):
        doc = circulating(office, "leader", "principal")
        assert doc.current_holder == "leader"
        clock.advance(hours=1)
        doc = office.fire(doc, "mark_read", by=LEADER, comment="已阅")
        assert doc.current_holder == "principal"
        assert doc.readers[0].comment == "已阅"
        assert doc.readers[0].read_at == office.now()
        doc = office.fire(doc, "mark_read", by=PRINCIPAL)
        assert doc.current_holder is None
        doc = office.fire(doc, "finish_reading", by=CLERK)
        assert doc.state is IncomingState.COMPLETED

    def test_a_reader_who_does_not_hold_it_is_refused(self, office):
        doc = circulating(office, "leader", "principal")
        err = refuse(office, doc, "mark_read", by=PRINCIPAL, rule="CIRCULATION")
        assert "with leader" in err.reason

    def test_someone_not_on_the_list_is_refused(self, office):
        refuse(office, circulating(office, "leader"), "mark_read", by=CLERK, rule="CIRCULATION")

    def test_reading_twice_is_refused(self, office):
        doc = office.fire(circulating(office, "leader"), "mark_read", by=LEADER)
        refuse(office, doc, "mark_read", by=LEADER, rule="CIRCULATION")

    def test_finish_reading_before_everyone_has_read_is_refused(self, office):
        doc = office.fire(circulating(office, "leader", "principal"), "mark_read", by=LEADER)
        err = refuse(office, doc, "finish_reading", by=CLERK, rule="CIRCULATION")
        assert "principal" in err.reason
        assert "leader" not in err.reason.replace("principal", "")

    def test_a_sequential_holder_holds_it_since_the_reader_before_read_it(self, office, clock):
        doc = circulating(office, "leader", "principal")
        circulated = office.now()
        assert office.documents.holders(doc) == [Holding(reader="leader", since=circulated)]
        clock.advance(hours=3)
        doc = office.fire(doc, "mark_read", by=LEADER)
        assert office.documents.holders(doc) == [Holding(reader="principal", since=office.now())]
        doc = office.fire(doc, "mark_read", by=PRINCIPAL)
        assert office.documents.holders(doc) == []


class TestParallelCirculation:
    """CIRCULATION: in a parallel circulation every reader holds it at once."""

    def parallel(self, office: Office, *readers: str) -> IncomingDocument:
        doc = approved(office, "for_reading")
        return office.fire(doc, "circulate", by=CLERK, readers=list(readers), parallel=True)

    def test_readers_mark_it_read_in_any_order(self, office, clock):
        doc = self.parallel(office, "leader", "principal", "director")
        assert doc.parallel_circulation
        assert doc.current_holders == ("leader", "principal", "director")
        circulated = office.now()
        clock.advance(hours=2)
        doc = office.fire(doc, "mark_read", by=DIRECTOR, comment="已阅")
        doc = office.fire(doc, "mark_read", by=PRINCIPAL)
        assert doc.current_holders == ("leader",)
        assert [r.reader for r in doc.readers if r.read_at] == ["principal", "director"]
        assert doc.readers[2].comment == "已阅"
        assert office.documents.holders(doc) == [Holding(reader="leader", since=circulated)]
        err = refuse(office, doc, "finish_reading", by=CLERK, rule="CIRCULATION")
        assert "leader" in err.reason
        doc = office.fire(doc, "mark_read", by=LEADER)
        assert office.fire(doc, "finish_reading", by=CLERK).state is IncomingState.COMPLETED
        assert office.replay(doc.id) == office.get(doc.id)

    def test_each_reader_sees_it_waiting_and_reads_once(self, office):
        doc = self.parallel(office, "leader", "principal")
        assert "mark_read" in office.available_triggers(doc, by=PRINCIPAL)
        assert "mark_read" in office.available_triggers(doc, by=LEADER)
        doc = office.fire(doc, "mark_read", by=PRINCIPAL)
        err = refuse(office, doc, "mark_read", by=PRINCIPAL, rule="CIRCULATION")
        assert "with leader" in err.reason
        refuse(office, doc, "mark_read", by=CLERK, rule="CIRCULATION")

    def test_the_circulation_is_not_set_at_receipt(self, office):
        with pytest.raises(ValidationError) as info:
            receive(office, parallel_circulation=True)
        assert info.value.fields == ("parallel_circulation",)

    def test_a_reader_is_listed_once(self, office):
        doc = approved(office, "for_reading")
        with pytest.raises(ValidationError) as info:
            office.fire(doc, "circulate", by=CLERK, readers=["leader", "leader"])
        assert "once" in str(info.value)
        assert office.get(doc.id) == doc


class TestAssignee:
    """ASSIGNEE: the assigned undertaker completes the document."""

    def test_the_assignee_completes_and_it_is_filed(self, office):
        doc = office.fire(approved(office), "assign", by=DIRECTOR, assignee="undertaker")
        doc = office.fire(doc, "complete", by=UNDERTAKER, result="已按要求落实")
        assert (doc.state, doc.result) == (IncomingState.COMPLETED, "已按要求落实")
        record = office.records.file(doc, by=ARCHIVIST, record_class="general")
        assert str(record.archival_code) == ARCHIVAL_CODE
        assert office.get(doc.id).state is IncomingState.FILED

    def test_another_undertaker_is_refused(self, office):
        doc = office.fire(approved(office), "assign", by=DIRECTOR, assignee="undertaker")
        err = refuse(office, doc, "complete", by=OTHER_UNDERTAKER, rule="ASSIGNEE", result="x")
        assert "undertaker2" in err.reason


class TestDrafter:
    """DRAFTER: only whoever drafted a document submits it."""

    def test_the_drafter_submits(self, office):
        assert office.fire(draft(office), "submit", by=DRAFTER).state is OutgoingState.SUBMITTED

    @pytest.mark.parametrize("by", [OTHER_DRAFTER, CLERK, PRINCIPAL], ids=lambda a: a.id)
    def test_someone_else_is_refused(self, office, by):
        err = refuse(office, draft(office), "submit", by=by, rule="DRAFTER")
        assert "drafter" in err.reason


class TestDispatch:
    """DISPATCH: a dispatched document goes to its main recipients and cc, one record each."""

    def printed(self, office: Office, **fields: Any) -> OutgoingDocument:
        return office.fire(registered(office, **fields), "print", by=CLERK)

    def test_dispatch_records_every_recipient(self, office):
        doc = self.printed(office, main_recipients=[PEER, SUBORDINATE], cc=[SUPERIOR])
        doc = office.fire(doc, "dispatch", by=CLERK, channel="confidential_courier")
        assert doc.state is OutgoingState.DISPATCHED
        assert [d.recipient.code for d in doc.dispatches] == ["SJW", "XQB", "SZF"]
        assert {d.channel for d in doc.dispatches} == {"confidential_courier"}

    def test_cc_alone_is_enough(self, office):
        doc = office.fire(self.printed(office, main_recipients=[], cc=[PEER]), "dispatch", by=CLERK)
        assert len(doc.dispatches) == 1

    def test_no_recipient_is_refused(self, office):
        err = refuse(
            office, self.printed(office, main_recipients=[]), "dispatch", by=CLERK, rule="DISPATCH"
        )
        assert "recipient" in err.reason


# ============================================================================ deadlines
class TestDeadlineNotPast:
    """DEADLINE: a new deadline is today or later, in the office's time zone."""

    def test_today_is_accepted_at_approval(self, office):
        doc = office.fire(
            proposed(office, lead=UNIT_A), "approve", by=LEADER, instruction="办", deadline=TODAY
        )
        assert doc.deadline == TODAY

    def test_yesterday_is_refused_at_approval(self, office):
        err = refuse(
            office,
            proposed(office, lead=UNIT_A),
            "approve",
            by=LEADER,
            rule="DEADLINE",
            instruction="办",
            deadline=TODAY - timedelta(days=1),
        )
        assert "2025-09-25" in err.reason

    def test_today_is_accepted_at_assignment(self, office):
        item = office.fire(
            open_item(office), "assign", by=SUPERVISOR, lead_unit=UNIT_A, deadline=TODAY
        )
        assert item.deadline == TODAY

    def test_yesterday_is_refused_at_assignment(self, office):
        refuse(
            office,
            open_item(office),
            "assign",
            by=SUPERVISOR,
            rule="DEADLINE",
            lead_unit=UNIT_A,
            deadline=TODAY - timedelta(days=1),
        )

    def test_today_is_counted_in_the_offices_time_zone(self, office, clock):
        clock.set(datetime(2025, 9, 26, 16, 30, tzinfo=UTC))  # 2025-09-27 00:30 in Beijing
        refuse(
            office,
            open_item(office),
            "assign",
            by=SUPERVISOR,
            rule="DEADLINE",
            lead_unit=UNIT_A,
            deadline=date(2025, 9, 26),
        )


# ============================================================================ supervision
class TestS1OneMatterPerItem:
    """S1: a supervision item covers one matter; a numbered list of matters is refused."""

    def test_a_single_matter_opens(self, office):
        item = open_item(office, requirement="节前完成全市安全生产大检查，整改隐患1.5万处")
        assert item.state is SupervisionState.REGISTERED

    @pytest.mark.parametrize(
        "requirement",
        ["一、检查企业\n二、整改隐患", "1. 检查企业\n2. 整改隐患", "（一）检查\n（二）整改"],
    )
    def test_numbered_matters_are_refused(self, office, requirement):
        refuse_creation(office, lambda: open_item(office, requirement=requirement), rule="S1")


class TestS2AssignWithDeadline:
    """S2: a supervision item is assigned with a deadline."""

    def test_assign_with_a_deadline(self, office):
        item = office.fire(
            open_item(office),
            "assign",
            by=SUPERVISOR,
            lead_unit=UNIT_A,
            co_units=[UNIT_B],
            deadline=date(2025, 10, 26),
            report_cycle="weekly",
        )
        assert item.state is SupervisionState.ASSIGNED
        assert (item.deadline, item.report_cycle) == (date(2025, 10, 26), "weekly")
        assert item.lead_unit.code == "ZHK"

    def test_the_deadline_given_at_opening_is_kept(self, office):
        item = open_item(office, deadline=date(2025, 10, 26))
        item = office.fire(item, "assign", by=SUPERVISOR, lead_unit=UNIT_A)
        assert item.deadline == date(2025, 10, 26)

    def test_assign_without_a_deadline_gets_the_policy_default(self, office):
        item = office.fire(open_item(office), "assign", by=SUPERVISOR, lead_unit=UNIT_A)
        # A leader's instruction of normal urgency: 15 calendar days from receipt on
        # 2025-09-26, i.e. Saturday 2025-10-11, which is an adjusted workday (调休).
        assert item.deadline == date(2025, 10, 11)
        assert item.deadline_calendar == "CN"
        assert item.deadline_rule.startswith("S2: 15 calendar days from 2025-09-26")
        assert office.replay(item) == item

    def test_the_default_follows_source_and_urgency(self, office):
        meeting = office.fire(
            open_item(office, source="meeting_decision"),
            "assign",
            by=SUPERVISOR,
            lead_unit=UNIT_A,
        )
        assert meeting.deadline == date(2025, 10, 16)  # 20 calendar days, a Thursday
        urgent = office.fire(
            open_item(office, urgency="urgent"), "assign", by=SUPERVISOR, lead_unit=UNIT_A
        )
        assert urgent.deadline == date(2025, 10, 9)  # 5 days is 10-01, a holiday: next workday
        assert "moved from 2025-10-01" in urgent.deadline_rule

    def test_an_explicit_deadline_records_no_calendar(self, office):
        item = office.fire(
            open_item(office),
            "assign",
            by=SUPERVISOR,
            lead_unit=UNIT_A,
            deadline=date(2025, 10, 20),
        )
        assert (item.deadline, item.deadline_calendar, item.deadline_rule) == (
            date(2025, 10, 20),
            None,
            None,
        )

    def test_assign_without_any_deadline_is_refused_by_the_bare_workflow(self):
        from secretarial import workflow_for  # noqa: PLC0415
        from secretarial.kernel import EntityKind  # noqa: PLC0415

        items = workflow_for(EntityKind.SUPERVISION_ITEM)
        item, _ = items.create(
            {"source": "leader_instruction", "requirement": "整改", "received_at": START},
            entity_id="sup-1",
            actor=SUPERVISOR,
            now=START,
        )
        with pytest.raises(TransitionNotAllowed) as refused:
            items.fire(item, "assign", SUPERVISOR, now=START, data={"lead_unit": UNIT_A})
        assert refused.value.rule_code == "S2"
        assert "deadline" in refused.value.reason

    def test_lead_unit_also_a_co_unit_is_refused(self, office):
        refuse(
            office,
            open_item(office),
            "assign",
            by=SUPERVISOR,
            rule="D16",
            lead_unit=UNIT_A,
            co_units=[UNIT_A],
            deadline=date(2025, 10, 26),
        )


class TestS3Extensions:
    """S3: an extension is asked before the deadline, with a reason and a later date."""

    DEADLINE = date(2025, 10, 10)

    def request(self, office: Office, item: Any, **kwargs: Any) -> Any:
        values = {"reason": "需要协调外单位", "proposed_deadline": date(2025, 10, 20)}
        return office.fire(item, "request_extension", by=UNDERTAKER, **{**values, **kwargs})

    def test_request_before_the_deadline(self, office):
        item = self.request(office, item_in(office, SupervisionState.IN_PROGRESS))
        assert item.state is SupervisionState.EXTENSION_REQUESTED
        pending = item.pending_extension
        assert (pending.by, pending.reason) == ("undertaker", "需要协调外单位")
        assert pending.proposed_deadline == date(2025, 10, 20)
        assert pending.granted is None
        assert item.deadline == self.DEADLINE

    @pytest.mark.parametrize("at", [time(9, 0), time(23, 59)], ids=["morning", "late-evening"])
    def test_request_on_the_deadline_day_is_allowed(self, office, clock, at):
        item = item_in(office, SupervisionState.IN_PROGRESS)
        on_day(clock, self.DEADLINE, at)
        assert self.request(office, item).state is SupervisionState.EXTENSION_REQUESTED

    @pytest.mark.parametrize("at", [time(0, 1), time(9, 0)], ids=["just-after-midnight", "morning"])
    def test_request_the_day_after_the_deadline_is_refused(self, office, clock, at):
        item = item_in(office, SupervisionState.IN_PROGRESS)
        on_day(clock, self.DEADLINE + timedelta(days=1), at)
        err = refuse(
            office,
            item,
            "request_extension",
            by=UNDERTAKER,
            rule="S3",
            reason="来不及",
            proposed_deadline=date(2025, 10, 20),
        )
        assert "before the deadline" in err.reason

    @pytest.mark.parametrize(
        "proposed", [DEADLINE, DEADLINE - timedelta(days=3)], ids=["same-day", "earlier"]
    )
    def test_proposed_date_not_later_is_refused(self, office, proposed):
        err = refuse(
            office,
            item_in(office, SupervisionState.IN_PROGRESS),
            "request_extension",
            by=UNDERTAKER,
            rule="S3",
            reason="来不及",
            proposed_deadline=proposed,
        )
        assert "not after" in err.reason

    @pytest.mark.parametrize("reason", [None, " "], ids=["none", "blank"])
    def test_request_without_a_reason_is_refused(self, office, reason):
        err = refuse(
            office,
            item_in(office, SupervisionState.IN_PROGRESS),
            "request_extension",
            by=UNDERTAKER,
            rule="S3",
            reason=reason,
            proposed_deadline=date(2025, 10, 20),
        )
        assert "reason" in err.reason

    def test_granting_sets_the_new_deadline_and_records_the_decision(self, office, clock):
        item = item_in(office, SupervisionState.EXTENSION_REQUESTED)
        clock.advance(hours=2)
        item = office.fire(
            item,
            "grant_extension",
            by=SUPERVISOR,
            deadline=date(2025, 10, 18),
            reason="同意延至18日",
        )
        assert item.state is SupervisionState.IN_PROGRESS
        assert item.deadline == date(2025, 10, 18)
        assert item.pending_extension is None
        (decided,) = item.extension_requests
        assert decided.granted is True
        assert decided.granted_deadline == date(2025, 10, 18)
        assert (decided.decided_by, decided.decided_at) == ("supervisor", office.now())
        assert decided.decision_note == "同意延至18日"
        assert decided.proposed_deadline == date(2025, 10, 20)

    def test_granting_needs_a_concrete_date(self, office):
        item = item_in(office, SupervisionState.EXTENSION_REQUESTED)
        with pytest.raises(ValidationError) as info:
            office.fire(item, "grant_extension", by=SUPERVISOR)
        assert info.value.fields == ("deadline",)
        assert office.get(item.id) == item

    def test_granting_a_date_not_later_is_refused(self, office):
        item = item_in(office, SupervisionState.EXTENSION_REQUESTED)
        refuse(office, item, "grant_extension", by=SUPERVISOR, rule="S3", deadline=self.DEADLINE)

    def test_refusing_keeps_the_deadline_and_records_the_reason(self, office):
        item = item_in(office, SupervisionState.EXTENSION_REQUESTED)
        item = office.fire(item, "refuse_extension", by=SUPERVISOR, reason="时限不能调整")
        assert item.state is SupervisionState.IN_PROGRESS
        assert item.deadline == self.DEADLINE
        (decided,) = item.extension_requests
        assert (decided.granted, decided.granted_deadline) == (False, None)
        assert decided.decision_note == "时限不能调整"

    def test_refusing_without_a_reason_is_refused(self, office):
        item = item_in(office, SupervisionState.EXTENSION_REQUESTED)
        refuse(office, item, "refuse_extension", by=SUPERVISOR, rule="S3")


class TestS4Rework:
    """S4: a result that fails verification goes back for rework, with the reason kept."""

    def test_verify(self, office):
        item = office.fire(
            item_in(office, SupervisionState.REPORTED),
            "verify",
            by=SUPERVISOR,
            verification="经核实已整改到位",
        )
        assert item.state is SupervisionState.VERIFIED
        assert not item.is_open

    def test_reject_with_a_reason_sends_it_back_and_records_the_reason(self, office):
        item = item_in(office, SupervisionState.REPORTED)
        item = office.fire(item, "reject", by=SUPERVISOR, reason="整改不彻底")
        assert item.state is SupervisionState.IN_PROGRESS
        assert item.result is None
        item = office.fire(item, "submit_result", by=UNDERTAKER, result="已再次整改")
        item = office.fire(item, "reject", by=SUPERVISOR, reason="仍有遗漏")
        assert item.rework_reasons == ("整改不彻底", "仍有遗漏")

    def test_reject_without_a_reason_is_refused(self, office):
        err = refuse(
            office, item_in(office, SupervisionState.REPORTED), "reject", by=SUPERVISOR, rule="S4"
        )
        assert "reason" in err.reason


_OPEN = [s for s in SupervisionState if s not in SupervisionItem.terminal_states]


class TestCancel:
    """CANCEL: an open item is cancelled from any open state, with a reason."""

    def test_every_non_terminal_state_is_covered(self):
        assert {s.value for s in _OPEN} == {
            "registered",
            "assigned",
            "in_progress",
            "extension_requested",
            "reported",
        }

    @pytest.mark.parametrize("state", _OPEN, ids=str)
    def test_cancel_with_a_reason(self, office, state):
        item = office.fire(item_in(office, state), "cancel", by=SUPERVISOR, reason="领导另有安排")
        assert item.state is SupervisionState.CANCELLED
        assert item.cancel_reason == "领导另有安排"
        assert not item.is_open

    @pytest.mark.parametrize("state", _OPEN, ids=str)
    def test_cancel_without_a_reason_is_refused(self, office, state):
        err = refuse(office, item_in(office, state), "cancel", by=SUPERVISOR, rule="CANCEL")
        assert "reason" in err.reason

    def test_cancel_by_a_non_supervisor_is_refused(self, office):
        refuse(office, open_item(office), "cancel", by=UNDERTAKER, rule="ROLE", reason="x")

    @pytest.mark.parametrize("how", ["verified", "cancelled"])
    def test_closed_item_cannot_be_cancelled(self, office, how):
        item = item_in(office, SupervisionState.REPORTED)
        if how == "verified":
            item = office.fire(item, "verify", by=SUPERVISOR, verification="核实")
        else:
            item = office.fire(item, "cancel", by=SUPERVISOR, reason="撤销")
        refuse(office, item, "cancel", by=SUPERVISOR, rule="STATE", reason="再撤销")


class TestD17Copying:
    """D17: copying a classified document needs a leader's approval; 绝密, the issuer's too."""

    def registered(self, office, level):
        fields = {} if level == "unclassified" else secret(classification=level)
        if fields:
            fields["copy_number"] = "000001"
        clerk = CLERK.model_copy(update={"clearance": Classification.TOP_SECRET})
        doc = receive(office, by=clerk, **fields)
        return office.fire(doc, "register", by=clerk)

    def test_unclassified_documents_are_copied_freely(self, office):
        doc = office.fire(
            self.registered(office, "unclassified"),
            "record_copy",
            by=CLERK,
            copies=3,
            purpose="分送各科室",
            stamp="区政府办公室复制",
        )
        assert [c.copies for c in doc.copies_made] == [3]

    def test_a_copy_bears_the_copying_organs_stamp(self, office):
        """Art. 32: 复制件应当加盖复制机关戳记."""
        doc = self.registered(office, "unclassified")
        err = refuse(office, doc, "record_copy", by=CLERK, rule="D17", copies=1)
        assert "stamp" in err.reason

    def test_copies_of_a_classified_document_carry_their_own_numbers(self, office):
        """Art. 32: copies are managed as the original, so each has its 份号."""
        doc = office.fire(
            self.registered(office, "confidential"), "approve_copy", by=LEADER, copies=1
        )
        err = refuse(office, doc, "record_copy", by=CLERK, rule="D17", copies=1, stamp="复制")
        assert "copy_numbers" in err.reason
        doc = office.fire(
            doc, "record_copy", by=CLERK, copies=1, stamp="复制", copy_numbers=["000001-1"]
        )
        assert doc.copies_made[0].copy_numbers == ("000001-1",)

    def test_secret_copies_stay_within_the_approval(self, office):
        doc = self.registered(office, "confidential")
        refuse(office, doc, "record_copy", by=CLERK, rule="D17", copies=1)
        doc = office.fire(doc, "approve_copy", by=LEADER, copies=2, note="供领导参阅")
        marks = {"stamp": "区政府办公室复制", "copy_numbers": ["000001-1", "000001-2"]}
        doc = office.fire(doc, "record_copy", by=CLERK, copies=2, **marks)
        assert doc.copy_approvals[0].by == LEADER.id
        err = refuse(
            office, doc, "record_copy", by=CLERK, rule="D17", copies=1, stamp="复制",
            copy_numbers=["000001-3"],
        )  # fmt: skip
        assert "2 approved, 2 made" in err.reason

    def test_top_secret_documents_are_copied_only_with_the_issuers_approval(self, office):
        """Art. 32: 绝密 copies need the approval of the issuing organ or its superior."""
        cleared_leader = LEADER.model_copy(update={"clearance": Classification.TOP_SECRET})
        cleared_clerk = CLERK.model_copy(update={"clearance": Classification.TOP_SECRET})
        doc = receive(
            office, by=cleared_clerk, **secret(classification="top_secret", copy_number="000001")
        )
        doc = office.fire(doc, "register", by=cleared_clerk)
        err = refuse(office, doc, "approve_copy", by=cleared_leader, rule="D17", copies=1)
        assert "issuing organ" in err.reason
        refuse(office, doc, "record_copy", by=cleared_clerk, rule="D17", copies=1)
        doc = office.fire(
            doc,
            "approve_copy",
            by=cleared_leader,
            copies=2,
            issuer_approval="市政府办公室同意复制（市政办函〔2025〕3号）",
        )
        doc = office.fire(
            doc,
            "record_copy",
            by=cleared_clerk,
            copies=2,
            stamp="市教委办公室复制",
            copy_numbers=["000001-1", "000001-2"],
        )
        (made,) = doc.copies_made
        assert (made.stamp, made.copy_numbers) == ("市教委办公室复制", ("000001-1", "000001-2"))
        assert doc.copy_approvals[0].issuer_approval.startswith("市政府办公室")
        assert office.replay(doc.id) == doc

    def test_copy_numbers_are_one_per_copy(self, office):
        doc = self.registered(office, "confidential")
        doc = office.fire(doc, "approve_copy", by=LEADER, copies=2)
        with pytest.raises(ValidationError):
            office.fire(doc, "record_copy", by=CLERK, copies=2, copy_numbers=["000001-1"])
        with pytest.raises(ValidationError):
            office.fire(doc, "record_copy", by=CLERK, copies=2, copy_numbers=["a", "a"])
        assert office.get(doc.id).copies_made == ()

    def test_a_compilation_takes_the_highest_classification(self, office):
        from secretarial import compilation_classification  # noqa: PLC0415

        plain = self.registered(office, "unclassified")
        confidential = self.registered(office, "secret")
        assert compilation_classification([plain]) is Classification.UNCLASSIFIED
        assert compilation_classification([plain, confidential]) is Classification.SECRET

    def test_top_secret_documents_are_compiled_only_with_the_issuers_approval(self):
        """Art. 32: 绝密 documents 一般不得汇编; with the issuing organ's approval they may be."""
        from secretarial import (  # noqa: PLC0415
            IncomingDocument,
            RuleViolation,
            compilation_classification,
        )

        top = IncomingDocument.model_construct(id="in-9", classification=Classification.TOP_SECRET)
        other = IncomingDocument.model_construct(id="in-8", classification=Classification.SECRET)
        with pytest.raises(RuleViolation) as refused:
            compilation_classification([top, other])
        assert refused.value.rule_code == "D17"
        assert "in-9" in str(refused.value)
        with pytest.raises(RuleViolation):
            compilation_classification([top], issuer_approvals={"in-9": "  "})
        approved = {"in-9": "市政府办公室同意汇编（市政办函〔2025〕5号）"}
        assert (
            compilation_classification([top, other], issuer_approvals=approved)
            is Classification.TOP_SECRET
        )
