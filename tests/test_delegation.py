"""Acting on behalf of another (委托): a delegate fires for a principal, on every store."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from conftest import (
    CLERK,
    DIRECTOR,
    DRAFTER,
    PRINCIPAL,
    START,
    STORES,
    SUPERIOR,
    actor,
    refused,
)
from secretarial import (
    Actor,
    Office,
    OutgoingDocument,
    OutgoingState,
    Role,
    TransitionNotAllowed,
)
from secretarial.testing import FrozenClock, SequentialIds

OFFICE_STORES = STORES
DEPUTY = actor("deputy")  # holds no role of their own
WEEK = timedelta(days=7)


def reviewed(office: Office, **fields: Any) -> OutgoingDocument:
    doc = office.documents.draft(
        by=DRAFTER,
        kind="notice",
        title="关于开展安全检查的通知",
        issuer_code="某办发",
        main_recipients=[SUPERIOR],
        **fields,
    )
    doc = office.fire(doc, "submit", by=DRAFTER)
    doc = office.fire(doc, "review", by=DIRECTOR, opinion="同意")
    assert isinstance(doc, OutgoingDocument)
    return doc


def lend_signing(office: Office, **scope: Any) -> Any:
    return office.directory.delegate(
        by=PRINCIPAL,
        delegate=DEPUTY.id,
        roles=[Role.LEADER.value, Role.PRINCIPAL_LEADER.value],
        starts=office.now(),
        ends=office.now() + WEEK,
        scope={"kinds": ["outgoing_document"], "triggers": ["sign"], **scope},
    )


class TestOnBehalfOf:
    def test_the_delegate_signs_for_the_principal_and_the_audit_names_both(
        self, office: Office
    ) -> None:
        lend_signing(office)
        doc = reviewed(office)
        signed = office.fire(doc, "sign", by=DEPUTY, on_behalf_of=PRINCIPAL.id, opinion="同意")
        assert isinstance(signed, OutgoingDocument)
        assert signed.state is OutgoingState.SIGNED
        event = office.audit(signed)[-1]
        assert (event.actor.id, event.on_behalf_of) == (DEPUTY.id, PRINCIPAL.id)
        assert Role.PRINCIPAL_LEADER.value in event.actor.roles  # the roles it acted with
        assert event.is_sealed
        signature = signed.signatures[-1]
        assert (signature.signer, signature.principal) == (DEPUTY.id, PRINCIPAL.id)
        assert office.replay(signed) == signed
        assert office.verify_audit().ok

    def test_the_on_behalf_of_is_sealed_with_the_event(self, office: Office) -> None:
        lend_signing(office)
        signed = office.fire(
            reviewed(office), "sign", by=DEPUTY, on_behalf_of=PRINCIPAL.id, opinion="同意"
        )
        event = office.audit(signed)[-1]
        assert not event.model_copy(update={"on_behalf_of": "someone"}).is_sealed
        assert not event.model_copy(update={"on_behalf_of": None}).is_sealed

    def test_in_person_the_delegate_has_no_role(self, office: Office) -> None:
        lend_signing(office)
        assert refused(office, reviewed(office), "sign", DEPUTY, opinion="同意") == "ROLE"

    def test_an_expired_delegation_is_refused(self, office: Office, clock: FrozenClock) -> None:
        lend_signing(office)
        doc = reviewed(office)
        clock.advance(WEEK + timedelta(minutes=1))
        code = refused(office, doc, "sign", DEPUTY, on_behalf_of=PRINCIPAL.id, opinion="同意")
        assert code == "G3"

    def test_a_revoked_delegation_is_refused(self, office: Office) -> None:
        delegation = lend_signing(office)
        office.directory.revoke_delegation(delegation, by=PRINCIPAL, reason="已返岗")
        doc = reviewed(office)
        code = refused(office, doc, "sign", DEPUTY, on_behalf_of=PRINCIPAL.id, opinion="同意")
        assert code == "G1"

    def test_a_trigger_out_of_scope_is_refused(self, office: Office) -> None:
        lend_signing(office)
        doc = reviewed(office)
        code = refused(office, doc, "return_to", DEPUTY, on_behalf_of=PRINCIPAL.id, to="drafted")
        assert code == "G6"

    def test_a_kind_out_of_scope_is_refused(self, office: Office) -> None:
        lend_signing(office, kinds=["incoming_document"])
        doc = reviewed(office)
        code = refused(office, doc, "sign", DEPUTY, on_behalf_of=PRINCIPAL.id, opinion="同意")
        assert code == "G5"

    def test_above_the_ceiling_is_refused(self, office: Office) -> None:
        lend_signing(office)  # ceiling: unclassified
        doc = reviewed(office, classification="confidential", secrecy_period_years=5)
        cleared = Actor(id=DEPUTY.id, name=DEPUTY.name, clearance="secret")
        code = refused(office, doc, "sign", cleared, on_behalf_of=PRINCIPAL.id, opinion="同意")
        assert code == "G7"

    def test_without_a_delegation_from_that_principal_it_is_refused(self, office: Office) -> None:
        lend_signing(office)
        doc = reviewed(office)
        code = refused(office, doc, "sign", DEPUTY, on_behalf_of="leader", opinion="同意")
        assert code == "G4"
        code = refused(office, doc, "sign", PRINCIPAL, on_behalf_of=PRINCIPAL.id, opinion="同意")
        assert code == "G4"

    def test_the_original_signer_re_signs_through_a_delegate(self, office: Office) -> None:
        """D15 names a person; ``sign`` may be delegated, so the delegate counts."""
        lend_signing(office)
        doc = office.fire(reviewed(office), "sign", by=PRINCIPAL, opinion="同意")
        doc = office.fire(doc, "resign", by=CLERK, reason="第二条实质修改")
        again = office.fire(doc, "sign", by=DEPUTY, on_behalf_of=PRINCIPAL.id, opinion="同意")
        assert again.state is OutgoingState.SIGNED
        assert office.replay(again) == again

    def test_a_rule_naming_a_person_on_a_row_not_delegable_refuses(self, office: Office) -> None:
        """The drafter submits (DRAFTER); ``submit`` is not delegable."""
        office.directory.delegate(
            by=DRAFTER,
            delegate=DEPUTY.id,
            roles=[Role.DRAFTER.value],
            starts=office.now(),
            ends=office.now() + WEEK,
        )
        doc = office.documents.draft(
            by=DRAFTER,
            kind="notice",
            title="t",
            issuer_code="某办发",
            main_recipients=[SUPERIOR],
        )
        assert refused(office, doc, "submit", DEPUTY, on_behalf_of=DRAFTER.id) == "DRAFTER"


# ================================================================== delegation windows
class DelegationWindows(RuleBasedStateMachine):
    """Delegations granted, revoked and expiring at random; the deputy signs when one holds.

    After every step: the deputy's signature went through exactly when a delegation in
    force covered it, a refused one changed nothing, and replaying the audit reproduces
    the document.
    """

    def __init__(self) -> None:
        super().__init__()
        self.clock = FrozenClock(START)
        self.office = Office.in_memory(clock=self.clock, ids=SequentialIds())
        self.granted: list[tuple[str, Any, Any]] = []  # (id, starts, ends)
        self.revoked: set[str] = set()
        self.doc = reviewed(self.office)

    @rule(start=st.integers(-24, 48), hours=st.integers(1, 120))
    def grant(self, start: int, hours: int) -> None:
        starts = self.clock.now() + timedelta(hours=start)
        ends = starts + timedelta(hours=hours)
        made = self.office.directory.delegate(
            by=PRINCIPAL,
            delegate=DEPUTY.id,
            roles=[Role.LEADER.value, Role.PRINCIPAL_LEADER.value],
            starts=starts,
            ends=ends,
            scope={"triggers": ["sign"]},
        )
        self.granted.append((made.id, starts, ends))

    @rule(data=st.data())
    def revoke(self, data: st.DataObject) -> None:
        live = [g for g in self.granted if g[0] not in self.revoked]
        if not live:
            return
        chosen = data.draw(st.sampled_from(live))[0]
        self.office.directory.revoke_delegation(chosen, by=PRINCIPAL, reason="收回")
        self.revoked.add(chosen)

    @rule(hours=st.integers(0, 36))
    def time_passes(self, hours: int) -> None:
        self.clock.advance(timedelta(hours=hours))

    @rule()
    def deputy_signs(self) -> None:
        now = self.clock.now()
        holds = any(
            starts <= now < ends and made not in self.revoked for made, starts, ends in self.granted
        )
        before = self.office.get(self.doc.id)
        trail = self.office.audit(before)
        code: str | None = None
        try:
            signed = self.office.fire(
                before, "sign", by=DEPUTY, on_behalf_of=PRINCIPAL.id, opinion="同意"
            )
        except TransitionNotAllowed as refusal:
            code = refusal.rule_code
        if code is not None:
            assert not holds, code
            assert code in {"G1", "G2", "G3", "G4"}
            assert self.office.get(before.id) == before
            assert self.office.audit(before) == trail
            return
        assert holds
        assert self.office.audit(signed)[-1].on_behalf_of == PRINCIPAL.id
        # Back to the signing step for the next round (D15: the principal signs again).
        self.doc = self.office.fire(signed, "resign", by=CLERK, reason="再改")

    @invariant()
    def replay_reproduces_the_document(self) -> None:
        assert self.office.replay(self.doc.id) == self.office.get(self.doc.id)


TestDelegationWindows = DelegationWindows.TestCase
TestDelegationWindows.settings = settings(max_examples=40, stateful_step_count=20, deadline=None)


class TestWhatMayIDoForThem:
    def test_the_delegate_sees_what_they_may_fire_for_the_principal(self, office: Office) -> None:
        lend_signing(office)
        doc = reviewed(office)
        assert "sign" not in office.available_triggers(doc, by=DEPUTY)
        assert office.available_triggers(doc, by=DEPUTY, on_behalf_of=PRINCIPAL.id) == ("sign",)
        assert office.can_fire(doc, "sign", by=DEPUTY, on_behalf_of=PRINCIPAL.id)
        assert not office.can_fire(doc, "sign", by=DEPUTY, on_behalf_of="leader")
        assert not office.can_fire(doc, "return_to", by=DEPUTY, on_behalf_of=PRINCIPAL.id)


class TestGrantedForSomeoneElse:
    """The office director grants for a principal only as the directory has them."""

    def enrol_principal(self, office: Office, *roles: str, clearance: str = "unclassified") -> None:
        office.directory.enrol(
            by=DIRECTOR,
            actor_id=PRINCIPAL.id,
            name="刘市长",
            unit={"code": "SZF", "name": "市政府"},
            roles=roles,
            clearance=clearance,
        )

    def grant(self, office: Office, **kw: Any) -> Any:
        return office.directory.delegate(
            by=DIRECTOR,
            principal=PRINCIPAL.id,
            delegate=DEPUTY.id,
            starts=office.now(),
            ends=office.now() + WEEK,
            **{"roles": [Role.LEADER.value, Role.PRINCIPAL_LEADER.value], **kw},
        )

    def test_not_for_someone_the_directory_does_not_know(self, office: Office) -> None:
        with pytest.raises(TransitionNotAllowed) as info:
            self.grant(office)
        assert info.value.rule_code == "G4"
        assert office.list(kind="delegation") == []

    def test_not_roles_the_principal_does_not_hold(self, office: Office) -> None:
        self.enrol_principal(office, Role.LEADER.value)
        with pytest.raises(TransitionNotAllowed) as info:
            self.grant(office)
        assert info.value.rule_code == "G8"

    def test_not_above_the_principal_s_clearance(self, office: Office) -> None:
        self.enrol_principal(office, Role.LEADER.value, Role.PRINCIPAL_LEADER.value)
        with pytest.raises(TransitionNotAllowed) as info:
            self.grant(office, scope={"ceiling": "top_secret"})
        assert info.value.rule_code == "G7"

    def test_granted_for_the_principal_it_lapses_when_they_leave(self, office: Office) -> None:
        self.enrol_principal(office, Role.LEADER.value, Role.PRINCIPAL_LEADER.value)
        self.grant(office, scope={"triggers": ["sign"]})
        doc = reviewed(office)
        assert office.can_fire(doc, "sign", by=DEPUTY, on_behalf_of=PRINCIPAL.id)
        person = office.directory.person(PRINCIPAL.id)
        office.directory.leave(person, by=DIRECTOR, reason="调离")  # type: ignore[arg-type]
        code = refused(office, doc, "sign", DEPUTY, on_behalf_of=PRINCIPAL.id, opinion="同意")
        assert code == "G4"

    def test_it_lends_only_what_the_principal_holds_today(self, office: Office) -> None:
        self.enrol_principal(office, Role.LEADER.value, Role.PRINCIPAL_LEADER.value)
        self.grant(office, scope={"triggers": ["sign"]})
        person = office.directory.person(PRINCIPAL.id)
        office.directory.update(person, by=DIRECTOR, roles=["clerk"])  # type: ignore[arg-type]
        doc = reviewed(office)
        code = refused(office, doc, "sign", DEPUTY, on_behalf_of=PRINCIPAL.id, opinion="同意")
        assert code == "G8"
