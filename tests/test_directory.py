"""The directory (人员、委托): people, whom they act for, and delegations of roles (G1-G8).

The module runs on every store: the directory the office uses by default reads the
people and delegations back from the office's own store.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from conftest import (
    ALL_ACTORS,
    CLERK,
    DIRECTOR,
    LEADER,
    NOBODY,
    PRINCIPAL,
    START,
    STORES,
    UNIT_A,
    UNIT_B,
)
from secretarial import (
    Actor,
    Classification,
    Delegation,
    DelegationScope,
    DelegationState,
    DirectoryDesk,
    Entity,
    EntityKind,
    NotFound,
    Office,
    Person,
    PersonState,
    Role,
    RuleViolation,
    StoredDirectory,
    TransitionNotAllowed,
    UsageError,
    ValidationError,
    builtin_registry,
)
from secretarial.directory import ADMIN_ROLES, DELEGATION_REFUSALS, enrol_person
from secretarial.engine import Directory, DirectoryDelegation, DirectoryPerson
from secretarial.plugins import hookimpl
from secretarial.testing import FrozenClock, SequentialIds

OFFICE_STORES = STORES

RULES_PAGE = Path(__file__).resolve().parent.parent / "docs" / "rules.md"
WEEK = timedelta(days=7)


def enrol(office: Office, actor_id: str = "wang", **fields: Any) -> Person:
    """Enrol ``actor_id`` in unit A, as the office director."""
    values: dict[str, Any] = {"name": actor_id.title(), "unit": UNIT_A, **fields}
    return office.directory.enrol(by=DIRECTOR, actor_id=actor_id, **values)


def lend(office: Office, by: Actor = LEADER, **fields: Any) -> Delegation:
    """A week's delegation of ``by``'s leader role to ``deputy``, from now."""
    now = office.now()
    values: dict[str, Any] = {
        "delegate": "deputy",
        "roles": {Role.LEADER},
        "starts": now,
        "ends": now + WEEK,
        **fields,
    }
    return office.directory.delegate(by=by, **values)


def refused(error: pytest.ExceptionInfo[TransitionNotAllowed]) -> str:
    return error.value.rule_code


# ============================================================================ the area
class TestTheArea:
    def test_the_kinds_are_registered_with_their_labels_and_prefixes(self) -> None:
        """``person`` 人员 and ``delegation`` 委托 are built-in kinds with their own ids."""
        registry = builtin_registry()
        assert (EntityKind.PERSON.label, EntityKind.DELEGATION.label) == ("人员", "委托")
        assert registry.entity_type("person") is Person
        assert registry.entity_type("delegation") is Delegation
        assert (registry.id_prefix("person"), registry.id_prefix("delegation")) == ("psn", "dlg")
        assert registry.workflow("person").triggers == ("enrol", "update", "leave")
        assert registry.workflow("delegation").triggers == ("delegate", "revoke")

    def test_the_office_director_keeps_the_directory(self) -> None:
        """The admin role of the directory is the office director's."""
        assert frozenset({Role.OFFICE_DIRECTOR.value}) == ADMIN_ROLES

    def test_the_office_has_a_directory_desk_over_its_store(self, office: Office) -> None:
        """``office.directory`` is the desk; by default it reads the office's own store."""
        assert isinstance(office.directory, DirectoryDesk)
        assert isinstance(office.directory_port, StoredDirectory)
        assert isinstance(office.directory_port, Directory)

    def test_every_refusal_is_documented_under_its_code(self) -> None:
        """Each (code, name) ``Delegation.refusal`` returns has its row in docs/rules.md."""
        text = RULES_PAGE.read_text(encoding="utf-8")
        for code, name in DELEGATION_REFUSALS.items():
            section = text.split(f"\n### {code}\n", 1)[1].split("\n### ", 1)[0]
            assert f"| `{name}` |" in section, (code, name)
        assert sorted(DELEGATION_REFUSALS) == [f"G{n}" for n in range(1, 9)]


# ============================================================================ people
class TestEnrolling:
    def test_the_director_enrols_a_person(self, office: Office) -> None:
        """``enrol`` 入册 creates an active person with their unit, roles and clearance."""
        person = enrol(
            office,
            roles={Role.LEADER, Role.CLERK},
            clearance="secret",
            acts_for=["MSK", "ZHK", "MSK"],
        )
        assert person.state is PersonState.ACTIVE
        assert person.id.startswith("psn-")
        assert (person.unit.code, person.clearance) == ("ZHK", Classification.SECRET)
        assert person.roles == {"leader", "clerk"}
        assert person.acts_for == ("MSK", "ZHK")
        assert office.audit(person)[0].trigger == "enrol"

    def test_only_the_director_enrols(self, office: Office) -> None:
        """Anyone else is refused (ROLE) and nothing is written."""
        with pytest.raises(TransitionNotAllowed) as error:
            office.directory.enrol(by=CLERK, actor_id="wang", name="Wang", unit=UNIT_A)
        assert refused(error) == "ROLE"
        assert office.directory.people() == []

    def test_an_actor_id_is_enrolled_once(self, office: Office) -> None:
        """A second active person under one actor id is refused (DIRECTORY actor-id-unique)."""
        first = enrol(office)
        with pytest.raises(RuleViolation) as error:
            enrol(office, unit=UNIT_B)
        assert (error.value.rule_code, error.value.rule_name) == ("DIRECTORY", "actor-id-unique")
        assert error.value.entity_id == first.id
        assert office.directory.people() == [first]

    def test_someone_who_left_may_be_enrolled_again(self, office: Office) -> None:
        """The id is free once its person left; the directory finds the new record."""
        first = enrol(office)
        office.directory.leave(first, by=DIRECTOR, reason="调离")
        again = enrol(office, unit=UNIT_B)
        found = office.directory.person("wang")
        assert found is not None
        assert found.unit.code == "MSK"
        assert again.id != first.id

    def test_bad_fields_name_the_field(self, office: Office) -> None:
        """A unit without its name and an unknown clearance name their fields."""
        with pytest.raises(ValidationError) as error:
            office.directory.enrol(
                by=DIRECTOR, actor_id="wang", name="Wang", unit={"code": "ZHK"}, clearance="max"
            )
        assert set(error.value.fields) == {"unit.name", "clearance"}

    def test_the_service_enrols_through_its_own_change(self, office: Office) -> None:
        """``enrol_person`` is the desk's use case on a store and a context."""
        person = enrol_person(
            office.change_store,
            office.context(DIRECTOR),
            {"actor_id": "li", "name": "Li", "unit": UNIT_B},
        )
        assert office.get(person.id, Person) == person


class TestUpdatingAndLeaving:
    def test_an_update_changes_what_is_given_and_is_recorded(self, office: Office) -> None:
        """``update`` changes the fields given, stays active and records the change."""
        person = enrol(office, roles={Role.CLERK})
        updated = office.directory.update(
            person, by=DIRECTOR, roles={Role.LEADER}, unit=UNIT_B, acts_for=["ZHK"]
        )
        assert updated.state is PersonState.ACTIVE
        assert (updated.version, updated.unit.code) == (2, "MSK")
        assert updated.roles == frozenset({"leader"})
        assert updated.acts_for == ("ZHK",)
        assert updated.name == person.name
        event = office.audit(updated)[-1]
        assert event.trigger == "update"
        assert event.payload["roles"] == ["leader"]

    def test_an_update_that_changes_nothing_is_refused(self, office: Office) -> None:
        """Nothing given, or only what the record says already: DIRECTORY refuses."""
        person = enrol(office, clearance="secret")
        nothing_new: list[dict[str, Any]] = [{}, {"clearance": "secret", "name": person.name}]
        for changes in nothing_new:
            with pytest.raises(TransitionNotAllowed) as error:
                office.directory.update(person, by=DIRECTOR, **changes)
            assert refused(error) == "DIRECTORY"
            assert "an update changes at least one of" in error.value.reason
        assert office.get(person.id) == person

    def test_only_the_director_updates(self, office: Office) -> None:
        """An update by anyone else is refused (ROLE)."""
        person = enrol(office)
        with pytest.raises(TransitionNotAllowed) as error:
            office.directory.update(person, by=LEADER, name="Wang Wu")
        assert refused(error) == "ROLE"

    def test_leaving_needs_a_reason(self, office: Office) -> None:
        """``leave`` without a reason is refused (DIRECTORY); with one, the person is gone."""
        person = enrol(office)
        with pytest.raises(TransitionNotAllowed) as error:
            office.directory.leave(person, by=DIRECTOR)
        assert refused(error) == "DIRECTORY"
        gone = office.directory.leave(person, by=DIRECTOR, reason="退休")
        assert (gone.state, gone.left_reason, gone.is_open) == (PersonState.LEFT, "退休", False)
        assert office.directory.people() == []
        found = office.directory.person("wang")
        assert found is not None
        assert isinstance(found, Person)
        assert found.state is PersonState.LEFT

    def test_nobody_acts_on_a_person_who_left(self, office: Office) -> None:
        """``left`` is terminal: update and leave are refused (STATE)."""
        person = office.directory.leave(enrol(office), by=DIRECTOR, reason="调离")
        with pytest.raises(TransitionNotAllowed) as error:
            office.directory.update(person, by=DIRECTOR, name="Wang Wu")
        assert refused(error) == "STATE"
        with pytest.raises(TransitionNotAllowed) as error:
            office.directory.leave(person, by=DIRECTOR, reason="again")
        assert refused(error) == "STATE"

    def test_a_delegation_is_not_a_person(self, office: Office) -> None:
        """The desk's person verbs take people only."""
        delegation = lend(office)
        with pytest.raises(NotFound):
            office.directory.update(delegation.id, by=DIRECTOR, name="x")

    def test_a_person_acts_as_their_actor(self, office: Office) -> None:
        """``as_actor()`` carries the id, name, roles, clearance and unit."""
        person = enrol(office, roles={Role.LEADER}, clearance="confidential")
        actor = person.as_actor()
        assert (actor.id, actor.name, actor.roles) == ("wang", "Wang", frozenset({"leader"}))
        assert (actor.clearance, actor.unit) == (Classification.CONFIDENTIAL, person.unit)


class TestLookups:
    def test_people_by_unit_and_acting_for(self, office: Office) -> None:
        """``people`` lists the active people (of a unit); ``acting_for`` the contacts."""
        wang = enrol(office, "wang", acts_for=["MSK"])
        li = enrol(office, "li", unit=UNIT_B)
        zhao = enrol(office, "zhao", acts_for=["MSK", "ZHK"])
        directory = office.directory
        assert [p.actor_id for p in directory.people()] == ["wang", "li", "zhao"]
        assert [p.actor_id for p in directory.people(unit="MSK")] == ["li"]
        assert [p.actor_id for p in directory.acting_for("MSK")] == ["wang", "zhao"]
        office.directory.leave(zhao, by=DIRECTOR, reason="调离")
        assert [p.actor_id for p in directory.acting_for("MSK")] == ["wang"]
        assert directory.acting_for("XYZ") == []
        assert directory.person("nobody") is None
        assert {wang.id, li.id} == {p.id for p in directory.people() if isinstance(p, Person)}

    def test_delegations_for_a_delegate_hold_in_their_window(
        self, office: Office, clock: FrozenClock
    ) -> None:
        """Granted delegations whose window holds ``at``; revoked and others' left out."""
        now = office.now()
        current = lend(office)
        later = lend(office, starts=now + WEEK, ends=now + 2 * WEEK)
        lend(office, delegate="someone_else")
        revoked = lend(office)
        office.directory.revoke_delegation(revoked, by=LEADER, reason="不再需要")

        def held(at: datetime | None = None) -> list[str]:
            found = office.directory.delegations_for("deputy", at)
            return [d.id for d in found if isinstance(d, Delegation)]

        assert held() == [current.id]
        assert held(now + WEEK) == [later.id]
        assert held(now - timedelta(seconds=1)) == []
        clock.advance(WEEK + timedelta(hours=1))
        assert held() == [later.id]
        assert revoked.id not in held(now)

    def test_a_naive_moment_is_refused(self, office: Office) -> None:
        """Looking delegations up at a naive datetime is a usage error."""
        with pytest.raises(UsageError, match="timezone-aware"):
            office.directory.delegations_for("deputy", datetime(2025, 9, 26, 9))  # noqa: DTZ001
        with pytest.raises(UsageError, match="timezone-aware"):
            StoredDirectory(office.store).delegations(
                delegate="deputy",
                at=datetime(2025, 9, 26, 9),  # noqa: DTZ001
            )


# ============================================================================ delegations
class TestGranting:
    def test_a_principal_lends_their_roles(self, office: Office) -> None:
        """``delegate`` 委托 by the principal: granted, the principal taken from ``by``."""
        delegation = lend(office)
        assert delegation.state is DelegationState.GRANTED
        assert (delegation.principal, delegation.delegate) == ("leader", "deputy")
        assert delegation.roles == {"leader"}
        assert delegation.scope == DelegationScope()
        assert delegation.scope.ceiling is Classification.UNCLASSIFIED
        assert office.audit(delegation)[0].trigger == "delegate"

    def test_the_director_lends_for_a_principal(self, office: Office) -> None:
        """G4 holds for the office director, for a principal the directory knows.

        The director lends what the directory says the principal holds (G8), and for
        someone it does not know, nothing (G4).
        """
        with pytest.raises(TransitionNotAllowed) as error:
            lend(office, by=DIRECTOR, principal="principal", roles={"principal_leader"})
        assert refused(error) == "G4"
        office.directory.enrol(
            by=DIRECTOR,
            actor_id="principal",
            name="Principal",
            unit={"code": "SZF", "name": "市政府"},
            roles=["leader", "principal_leader"],
        )
        delegation = lend(office, by=DIRECTOR, principal="principal", roles={"principal_leader"})
        assert (delegation.principal, delegation.created_by) == ("principal", "director")

    def test_no_one_else_lends_a_principals_roles(self, office: Office) -> None:
        """G4 delegated-by-principal-or-admin."""
        with pytest.raises(TransitionNotAllowed) as error:
            lend(office, by=CLERK, principal="leader")
        assert refused(error) == "G4"
        assert "granted by its principal, or by the office director" in error.value.reason

    def test_a_principal_lends_only_their_own_roles(self, office: Office) -> None:
        """G8 delegates-own-roles."""
        with pytest.raises(TransitionNotAllowed) as error:
            lend(office, roles={Role.LEADER, Role.PRINCIPAL_LEADER})
        assert refused(error) == "G8"
        assert "principal_leader" in error.value.reason

    def test_the_ceiling_is_at_most_the_principals_clearance(self, office: Office) -> None:
        """G7 ceiling-within-clearance: the leader is cleared to confidential."""
        with pytest.raises(TransitionNotAllowed) as error:
            lend(office, scope={"ceiling": "secret"})
        assert refused(error) == "G7"
        assert lend(office, scope={"ceiling": "confidential"}).scope.ceiling == "confidential"

    @pytest.mark.parametrize(
        ("fields", "field", "rule"),
        [
            ({"delegate": "leader"}, "delegate", "G4"),
            ({"roles": set()}, "roles", "G8"),
            ({"ends_in": timedelta(0)}, "ends", "G2"),
            ({"ends_in": -WEEK}, "ends", "G2"),
            ({"starts": datetime(2025, 9, 26, 9)}, "starts", "timezone_aware"),  # noqa: DTZ001
            ({"scope": {"kinds": {"Not A Kind"}}}, "scope.kinds.0", "string_pattern_mismatch"),
        ],
    )
    def test_bad_input_names_the_field_and_the_rule(
        self, office: Office, fields: dict[str, Any], field: str, rule: str
    ) -> None:
        """A delegation that does not fit names the field, its rule and what is accepted."""
        values = dict(fields)
        if "ends_in" in values:
            values["ends"] = office.now() + values.pop("ends_in")
        with pytest.raises(ValidationError) as error:
            lend(office, **values)
        problems = [(p.field, p.rule) for p in error.value.problems]
        assert problems == [(field, rule)]
        if rule.startswith("G"):
            assert "accepted:" in error.value.problems[0].message

    def test_the_scope_is_stored_and_read_back(self, office: Office) -> None:
        """Kinds and triggers are kept and read back as sets, written sorted."""
        delegation = lend(
            office,
            scope={"kinds": ["outgoing_document", "incoming_document"], "triggers": ["approve"]},
        )
        stored = office.get(delegation.id, Delegation)
        assert stored.scope.kinds == {"incoming_document", "outgoing_document"}
        payload = office.audit(delegation)[0].payload
        assert payload["scope"]["kinds"] == ["incoming_document", "outgoing_document"]


class TestRevoking:
    def test_the_principal_revokes_with_a_reason(self, office: Office) -> None:
        """``revoke`` 撤销 by the principal: revoked, the reason kept, terminal."""
        revoked = office.directory.revoke_delegation(lend(office), by=LEADER, reason="提前返岗")
        assert (revoked.state, revoked.revocation_reason) == (DelegationState.REVOKED, "提前返岗")
        assert not revoked.is_open

    def test_the_director_revokes_too(self, office: Office) -> None:
        """G1 revoked-by-principal-or-admin holds for the office director."""
        revoked = office.directory.revoke_delegation(lend(office), by=DIRECTOR, reason="调整")
        assert revoked.state is DelegationState.REVOKED

    @pytest.mark.parametrize(
        ("actor", "reason", "why"),
        [
            (NOBODY, "x", "may not revoke"),  # revoked-by-principal-or-admin
            (PRINCIPAL, "x", "may not revoke"),
            (LEADER, None, "needs a reason"),  # revoking-needs-reason
        ],
    )
    def test_others_and_silence_are_refused(
        self, office: Office, actor: Actor, reason: str | None, why: str
    ) -> None:
        """The delegate or a stranger may not revoke; nobody revokes without a reason (G1)."""
        delegation = lend(office)
        with pytest.raises(TransitionNotAllowed) as error:
            office.directory.revoke_delegation(delegation, by=actor, reason=reason)
        assert refused(error) == "G1"
        assert why in error.value.reason
        assert office.get(delegation.id) == delegation

    def test_a_revoked_delegation_is_not_revoked_again(self, office: Office) -> None:
        """``revoked`` is terminal (STATE)."""
        revoked = office.directory.revoke_delegation(lend(office), by=LEADER, reason="x")
        with pytest.raises(TransitionNotAllowed) as error:
            office.directory.revoke_delegation(revoked, by=LEADER, reason="y")
        assert refused(error) == "STATE"

    def test_the_audit_replays_and_verifies(self, office: Office) -> None:
        """Replaying a person's and a delegation's trail reproduces them; the chain holds."""
        person = office.directory.update(enrol(office), by=DIRECTOR, name="Wang Wu")
        revoked = office.directory.revoke_delegation(lend(office), by=LEADER, reason="x")
        assert office.replay(person) == office.get(person.id)
        assert office.replay(revoked) == office.get(revoked.id)
        assert office.verify_audit().ok


# ============================================================================ refusal
ACT: dict[str, Any] = {
    "principal": "leader",
    "delegate": "deputy",
    "kind": "incoming_document",
    "trigger": "approve",
    "classification": Classification.CONFIDENTIAL,
    "roles_needed": frozenset({"leader"}),
}


class TestRefusal:
    @pytest.fixture
    def delegation(self, office: Office) -> Delegation:
        return lend(
            office,
            scope={
                "kinds": ["incoming_document"],
                "triggers": ["approve", "read"],
                "ceiling": "confidential",
            },
        )

    def test_a_delegation_covers_an_act_in_its_window_and_scope(
        self, office: Office, delegation: Delegation
    ) -> None:
        """None: in force, the parties, kind, trigger, classification and role all fit."""
        now = office.now()
        assert delegation.refusal(**ACT, at=now) is None
        assert delegation.refusal(**{**ACT, "roles_needed": None}, at=now) is None
        assert delegation.refusal(**ACT, at=now + WEEK - timedelta(seconds=1)) is None
        assert delegation.in_force(now)

    @pytest.mark.parametrize(
        ("change", "offset", "code"),
        [
            ({}, -timedelta(seconds=1), "G2"),
            ({}, WEEK, "G3"),
            ({"principal": "principal"}, timedelta(0), "G4"),
            ({"delegate": "clerk"}, timedelta(0), "G4"),
            ({"kind": "outgoing_document"}, timedelta(0), "G5"),
            ({"trigger": "sign"}, timedelta(0), "G6"),
            ({"classification": Classification.SECRET}, timedelta(0), "G7"),
            ({"roles_needed": frozenset({"clerk", "archivist"})}, timedelta(0), "G8"),
            ({"roles_needed": frozenset()}, timedelta(0), "G8"),
        ],
    )
    def test_each_uncovered_act_names_its_rule(
        self,
        office: Office,
        delegation: Delegation,
        change: dict[str, Any],
        offset: timedelta,
        code: str,
    ) -> None:
        """The first rule that refuses is returned with a sentence naming the delegation."""
        found = delegation.refusal(**{**ACT, **change}, at=office.now() + offset)
        assert found is not None
        assert found[0] == code
        assert delegation.id in found[1]

    def test_a_revoked_delegation_covers_nothing(
        self, office: Office, delegation: Delegation
    ) -> None:
        """G1, with the reason it was revoked, before every other rule."""
        revoked = office.directory.revoke_delegation(delegation, by=LEADER, reason="提前返岗")
        found = revoked.refusal(**ACT, at=office.now())
        assert found is not None
        assert found[0] == "G1"
        assert "提前返岗" in found[1]
        assert not revoked.in_force(office.now())

    def test_an_empty_scope_covers_every_kind_and_trigger(self, office: Office) -> None:
        """No kinds, no triggers: all of them, unclassified only."""
        delegation = lend(office)
        act = {**ACT, "kind": "meeting", "trigger": "anything"}
        now = office.now()
        assert delegation.refusal(**{**act, "classification": "unclassified"}, at=now) is None
        found = delegation.refusal(**act, at=now)
        assert found is not None
        assert found[0] == "G7"

    def test_expiry_is_derived_not_stored(self, office: Office, clock: FrozenClock) -> None:
        """After its window the delegation is still ``granted`` and holds no more."""
        delegation = lend(office)
        clock.advance(WEEK)
        stored = office.get(delegation.id, Delegation)
        assert stored.state is DelegationState.GRANTED
        assert not stored.in_force(office.now())
        assert office.directory.delegations_for("deputy") == []

    def test_a_naive_moment_is_refused(self, office: Office) -> None:
        """Judging at a naive datetime is a usage error."""
        with pytest.raises(UsageError, match="timezone-aware"):
            lend(office).refusal(**ACT, at=datetime(2025, 9, 26, 9))  # noqa: DTZ001


# ============================================================================ other directories
class Listed:
    """A host's directory: a fixed list of people, no delegations."""

    def __init__(self, people: Sequence[DirectoryPerson]) -> None:
        self._people = list(people)

    def person(self, actor_id: str) -> DirectoryPerson | None:
        return next((p for p in self._people if p.actor_id == actor_id), None)

    def people(self, unit_code: str | None = None) -> list[DirectoryPerson]:
        return [p for p in self._people if unit_code in (None, p.unit.code)]

    def acting_for(self, unit_code: str) -> list[DirectoryPerson]:
        return [p for p in self._people if unit_code in p.acts_for]

    def delegations(
        self, *, delegate: str, at: datetime | None = None
    ) -> list[DirectoryDelegation]:
        del delegate, at  # the port's signature: this host lends nothing
        return []


class TestAnotherDirectory:
    def test_the_host_passes_its_own_directory(self) -> None:
        """``Office(directory=...)``: lookups go to it; changes still go to the store."""
        host = Office.in_memory(clock=FrozenClock(START), ids=SequentialIds(), directory=Listed([]))
        assert isinstance(host.directory_port, Listed)
        enrol(host)
        assert host.directory.person("wang") is None
        assert host.directory.people() == []
        assert StoredDirectory(host.store).person("wang") is not None

    def test_a_plugin_supplies_the_directory(self) -> None:
        """``secretarial_directory`` gives the office its directory when the host gives none."""
        stored = Office.in_memory(clock=FrozenClock(START), ids=SequentialIds())
        listed = Listed([enrol(stored)])

        class Ldap:
            @hookimpl
            def secretarial_directory(self) -> Directory:
                return listed

        office = Office.in_memory(plugins=[Ldap()], load_entry_points=False)
        assert office.directory_port is listed
        person = office.directory.person("wang")
        assert person is not None
        assert person.name == "Wang"
        assert [p.actor_id for p in office.directory.people(unit="ZHK")] == ["wang"]
        given = Listed([])
        assert Office.in_memory(plugins=[Ldap()], directory=given).directory_port is given

    def test_a_plugin_that_supplies_none_leaves_the_stored_one(self) -> None:
        """A plugin without the hook, or answering None, keeps the stored directory."""

        class Quiet:
            @hookimpl
            def secretarial_directory(self) -> None:
                return None

        office = Office.in_memory(plugins=[Quiet()], load_entry_points=False)
        assert isinstance(office.directory_port, StoredDirectory)


# ============================================================================ stateful
TEXT = st.text(alphabet="调离原因abc 12", min_size=1, max_size=8).filter(str.strip)
REASONS = st.one_of(st.none(), TEXT)
ACTORS = st.sampled_from(ALL_ACTORS)


class DirectoryMachine(RuleBasedStateMachine):
    """Random acts on one person and one delegation, by random actors, as time passes.

    After each step each entity is in a state of its table, its version counts its
    audit trail and replaying the trail reproduces it; a refused act changed nothing.
    """

    def __init__(self) -> None:
        super().__init__()
        self.clock = FrozenClock(START)
        self.office = Office.in_memory(clock=self.clock, ids=SequentialIds())
        self.entities: list[str] = []

    @initialize()
    def create(self) -> None:
        self.entities.append(enrol(self.office, roles={Role.CLERK}).id)
        self.entities.append(lend(self.office).id)

    def attempt(self, entity_id: str, act: Any) -> None:
        before = self.office.get(entity_id)
        trail = self.office.audit(before)
        try:
            after = act(before)
        except (TransitionNotAllowed, ValidationError):
            assert self.office.get(entity_id) == before
            assert self.office.audit(before) == trail
            return
        assert after.version == before.version + 1

    @rule(
        actor=ACTORS,
        name=st.one_of(st.none(), TEXT),
        clearance=st.one_of(st.none(), st.sampled_from(list(Classification))),
        unit=st.one_of(st.none(), st.sampled_from([UNIT_A, UNIT_B])),
        acts_for=st.one_of(st.none(), st.lists(st.sampled_from(["ZHK", "MSK"]), max_size=2)),
    )
    def update(
        self,
        actor: Actor,
        name: str | None,
        clearance: Classification | None,
        unit: dict[str, str] | None,
        acts_for: list[str] | None,
    ) -> None:
        self.attempt(
            self.entities[0],
            lambda p: self.office.directory.update(
                p, by=actor, name=name, clearance=clearance, unit=unit, acts_for=acts_for
            ),
        )

    @rule(actor=ACTORS, reason=REASONS)
    def leave(self, actor: Actor, reason: str | None) -> None:
        self.attempt(
            self.entities[0], lambda p: self.office.directory.leave(p, by=actor, reason=reason)
        )

    @rule(actor=ACTORS, reason=REASONS)
    def revoke(self, actor: Actor, reason: str | None) -> None:
        self.attempt(
            self.entities[1],
            lambda d: self.office.directory.revoke_delegation(d, by=actor, reason=reason),
        )

    @rule(hours=st.integers(min_value=0, max_value=100))
    def time_passes(self, hours: int) -> None:
        self.clock.advance(timedelta(hours=hours))

    @invariant()
    def in_a_state_of_the_table(self) -> None:
        for entity_id in self.entities:
            current: Entity = self.office.get(entity_id)
            assert current.state in self.office.workflow(current.entity_kind).states
            assert current.version == len(self.office.audit(current))
            assert self.office.replay(entity_id) == current

    @invariant()
    def the_stored_directory_agrees(self) -> None:
        if len(self.entities) < 2:
            return
        person = self.office.get(self.entities[0], Person)
        delegation = self.office.get(self.entities[1], Delegation)
        assert (self.office.directory.person("wang") == person) is True
        assert (person in self.office.directory.people()) is person.active
        held = self.office.directory.delegations_for("deputy")
        assert (delegation in held) is delegation.in_force(self.office.now())


TestDirectoryWorkflows = DirectoryMachine.TestCase
TestDirectoryWorkflows.settings = settings(max_examples=20, stateful_step_count=12, deadline=None)
