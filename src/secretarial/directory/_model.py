"""The directory 名录: people 人员 and the delegations 委托 they grant one another.

A :class:`Person` is someone the office knows: the id they act under, their unit, the
roles they hold, their clearance and the units they act for in a countersign (会签 contact
person). A :class:`Delegation` lends some of a principal's roles to a delegate for a
window of time and a scope (kinds, triggers, a classification ceiling), the practice of
Chinese OA systems (O2OA's 授权 Empower); the Regulation has no article on it, so its
rules are office practice (docs/rules.md G1-G8).

Who keeps the directory: the office director 办公室主任 (:data:`ADMIN_ROLES`). The office
has no separate administrator role; the director runs the office's administration (the
calendar it keeps, its duty roster) and answers for who may act in it, so enrolling,
updating and removing people is theirs, and so is revoking a delegation a principal
cannot revoke themself.

Expiry is derived, never stored: a granted delegation whose window has passed is expired
at the moment it is judged (:meth:`Delegation.in_force`), as overdue is.

Nothing here reads a clock or a store: callers pass ``at``.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from types import MappingProxyType
from typing import Annotated, Any, ClassVar, Final

from pydantic import PlainSerializer, ValidationInfo, field_validator

from secretarial.errors import UsageError
from secretarial.kernel._entity import Entity
from secretarial.kernel._enums import Classification, EntityKind, Role
from secretarial.kernel._rules import Rule, TransitionContext, reason_required, set_reason
from secretarial.kernel._values import Actor, KindName, Name, Text, Timestamp, Unit, Value
from secretarial.kernel._workflow import CreationSpec, TransitionSpec, WorkflowTable

from ._enums import DelegationState, PersonState

__all__ = [
    "ADMIN_ROLES",
    "DELEGATION_REFUSALS",
    "DELEGATION_TABLE",
    "PERSON_TABLE",
    "Delegation",
    "DelegationScope",
    "Person",
    "UpdatePerson",
]

ADMIN_ROLES: Final = frozenset({Role.OFFICE_DIRECTOR.value})
"""Who keeps the directory: the office director 办公室主任, who runs the office's administration."""


def _sorted(names: frozenset[str]) -> list[str]:
    return sorted(names)


Names = Annotated[
    frozenset[Name], PlainSerializer(_sorted, return_type=list[str], when_used="json")
]
"""A set of names (roles, triggers), written sorted so stored bodies and events are stable."""
Kinds = Annotated[
    frozenset[KindName], PlainSerializer(_sorted, return_type=list[str], when_used="json")
]
"""A set of entity kinds, written sorted."""


def _unit_codes(value: tuple[str, ...]) -> tuple[str, ...]:
    """Unit codes once each, sorted."""
    return tuple(sorted(set(value)))


# ============================================================================ people
class Person(Entity):
    """Someone in the office's directory.

    Attributes:
        actor_id: The id they act under (:attr:`Actor.id`); one active person per id.
        name: The name shown for them.
        unit: The unit they belong to.
        roles: The roles they hold (written sorted).
        clearance: The highest classification they may handle.
        acts_for: The codes of the units they act for in a countersign 会签 (sorted, once
            each): the contact person a countersign on behalf of that unit goes to.
        left_reason: Why they left, once they have (set by ``leave``).
    """

    entity_kind: ClassVar[EntityKind] = EntityKind.PERSON
    terminal_states: ClassVar[frozenset[str]] = frozenset({PersonState.LEFT})

    state: PersonState = PersonState.ACTIVE
    actor_id: Name
    name: Name
    unit: Unit
    roles: Names = frozenset()
    clearance: Classification = Classification.UNCLASSIFIED
    acts_for: tuple[Name, ...] = ()
    left_reason: Text | None = None

    _acts_for_sorted = field_validator("acts_for")(_unit_codes)

    @property
    def active(self) -> bool:
        """Whether they are still in post (not left)."""
        return self.state is PersonState.ACTIVE

    def as_actor(self) -> Actor:
        """The :class:`~secretarial.Actor` they act as: their id, name, roles, clearance, unit."""
        return Actor(
            id=self.actor_id,
            name=self.name,
            roles=self.roles,
            clearance=self.clearance,
            unit=self.unit,
        )


class UpdatePerson(Value):
    """Input of ``update``: the fields that change; those not given stay as they are."""

    name: Name | None = None
    unit: Unit | None = None
    roles: Names | None = None
    clearance: Classification | None = None
    acts_for: tuple[Name, ...] | None = None

    @field_validator("acts_for")
    @classmethod
    def _acts_for_sorted(cls, value: tuple[str, ...] | None) -> tuple[str, ...] | None:
        return None if value is None else _unit_codes(value)


_UPDATABLE: Final = tuple(UpdatePerson.model_fields)


def _changes(ctx: TransitionContext) -> dict[str, Any]:
    """The fields an update gives that differ from the person's."""
    data = ctx.data
    if data is None:
        return {}
    return {
        name: getattr(data, name)
        for name in _UPDATABLE
        if getattr(data, name) is not None and getattr(data, name) != getattr(ctx.entity, name)
    }


def _check_changes_something(ctx: TransitionContext) -> str | None:
    if _changes(ctx):
        return None
    fields = ", ".join(_UPDATABLE)
    return f"an update changes at least one of {fields} (pass a value that differs from the record)"


CHANGES_SOMETHING = Rule(
    "DIRECTORY",
    "update-changes-something",
    "an update changes at least one of the person's fields",
    _check_changes_something,
    on_input=True,
)
LEAVING_NEEDS_REASON = reason_required("DIRECTORY", "leaving-needs-reason", "removing a person")

PERSON_TABLE: WorkflowTable[Person] = WorkflowTable(
    name="person",
    entity_type=Person,
    states=PersonState,
    description="人员: someone in the office's directory, their unit, roles and clearance",
    creation=CreationSpec(
        "enrol",
        PersonState.ACTIVE,
        ADMIN_ROLES,
        label="入册",
        managed=frozenset({"left_reason"}),
    ),
    transitions=(
        TransitionSpec(
            "update",
            (PersonState.ACTIVE,),
            None,
            ADMIN_ROLES,
            (CHANGES_SOMETHING,),
            data=UpdatePerson,
            effect=_changes,
            label="变更",
            awaited=False,
        ),
        TransitionSpec(
            "leave",
            (PersonState.ACTIVE,),
            PersonState.LEFT,
            ADMIN_ROLES,
            (LEAVING_NEEDS_REASON,),
            effect=set_reason("left_reason"),
            label="离开",
            awaited=False,
        ),
    ),
)
"""The state table of people: enrolled, updated while in post, then gone."""


# ============================================================================ delegations
class DelegationScope(Value):
    """What a delegation covers: which kinds, which triggers, up to which classification.

    Attributes:
        kinds: The entity kinds the delegate may act on; empty for every kind.
        triggers: The triggers the delegate may fire; empty for every trigger.
        ceiling: The highest classification the delegate may act on under it.
    """

    kinds: Kinds = frozenset()
    triggers: Names = frozenset()
    ceiling: Classification = Classification.UNCLASSIFIED


DELEGATION_REFUSALS: Final[Mapping[str, str]] = MappingProxyType(
    {
        "G1": "delegation-revoked",
        "G2": "delegation-not-started",
        "G3": "delegation-expired",
        "G4": "delegation-parties",
        "G5": "kind-in-scope",
        "G6": "trigger-in-scope",
        "G7": "within-ceiling",
        "G8": "roles-delegated",
    }
)
"""The name of each refusal :meth:`Delegation.refusal` returns, by its rule code."""


def _check_window(value: datetime, info: ValidationInfo) -> datetime:
    starts = info.data.get("starts")
    if starts is not None and value <= starts:
        raise ValueError(
            f"G2: the delegation ends {value.isoformat()}, not after it starts "
            f"{starts.isoformat()}; accepted: an end later than the start"
        )
    return value


def _check_parties(value: str, info: ValidationInfo) -> str:
    if value == info.data.get("principal"):
        raise ValueError(
            f"G4: {value!r} cannot be their own delegate; accepted: an actor id other "
            "than the principal's"
        )
    return value


def _check_roles(value: frozenset[str]) -> frozenset[str]:
    if not value:
        raise ValueError("G8: a delegation lends at least one role; accepted: the roles lent")
    return value


class Delegation(Entity):
    """Roles a principal lends a delegate, for a window of time and a scope (委托).

    The delegate acts on the principal's behalf with the roles lent, on the kinds and
    triggers of the scope and up to its ceiling, from ``starts`` (included) to ``ends``
    (excluded), until the delegation is revoked. Whether it covers an act is
    :meth:`refusal`; whether it holds at all, :meth:`in_force`.

    Attributes:
        principal: The actor id of the person whose roles are lent.
        delegate: The actor id of the person who acts for them (not the principal).
        roles: The roles lent, at least one (written sorted).
        starts: When it begins to hold, timezone-aware.
        ends: When it stops holding, after ``starts``.
        scope: The kinds, triggers and ceiling it covers.
        revocation_reason: Why it was revoked, once it is (set by ``revoke``).
    """

    entity_kind: ClassVar[EntityKind] = EntityKind.DELEGATION
    terminal_states: ClassVar[frozenset[str]] = frozenset({DelegationState.REVOKED})

    state: DelegationState = DelegationState.GRANTED
    principal: Name
    delegate: Name
    roles: Names
    starts: Timestamp
    ends: Timestamp
    scope: DelegationScope = DelegationScope()
    revocation_reason: Text | None = None

    _window = field_validator("ends")(_check_window)
    _parties = field_validator("delegate")(_check_parties)
    _roles = field_validator("roles")(_check_roles)

    def in_force(self, at: datetime) -> bool:
        """Whether it holds at ``at``: granted, and ``starts <= at < ends``.

        Raises:
            UsageError: ``at`` is naive.
        """
        _aware(at)
        return self.state is DelegationState.GRANTED and self.starts <= at < self.ends

    def refusal(
        self,
        *,
        principal: str,
        delegate: str,
        kind: str,
        trigger: str,
        classification: Classification,
        roles_needed: frozenset[str] | None,
        at: datetime,
    ) -> tuple[str, str] | None:
        """Why this delegation does not cover an act, or None when it does.

        The act is ``delegate`` firing ``trigger`` on an entity of ``kind`` classified
        ``classification``, at ``at``, on behalf of ``principal``, where the trigger
        needs one of ``roles_needed`` (None: anyone may fire it). The rules are judged in
        the order G1 (revoked), G2 (not started), G3 (expired), G4 (other parties), G5
        (kind), G6 (trigger), G7 (ceiling), G8 (roles), and the first that refuses is
        returned as ``(rule_code, sentence)``.

        Raises:
            UsageError: ``at`` is naive.
        """
        _aware(at)
        problem = (
            self._time_refusal(at)
            or self._parties_refusal(principal, delegate)
            or self._scope_refusal(kind, trigger, classification)
        )
        if problem is not None:
            return problem
        if roles_needed is not None and self.roles.isdisjoint(roles_needed):
            lent = ", ".join(sorted(self.roles))
            needed = ", ".join(sorted(roles_needed)) or "none"
            return "G8", (f"delegation {self.id} lends {lent}; {trigger!r} needs one of {needed}")
        return None

    def _time_refusal(self, at: datetime) -> tuple[str, str] | None:
        if self.state is DelegationState.REVOKED:
            why = f": {self.revocation_reason}" if self.revocation_reason else ""
            return "G1", f"delegation {self.id} was revoked{why}"
        if at < self.starts:
            return "G2", (
                f"delegation {self.id} holds from {self.starts.isoformat()}, "
                f"not yet at {at.isoformat()}"
            )
        if at >= self.ends:
            return "G3", (
                f"delegation {self.id} ended {self.ends.isoformat()}; "
                f"it no longer holds at {at.isoformat()}"
            )
        return None

    def _parties_refusal(self, principal: str, delegate: str) -> tuple[str, str] | None:
        if principal != self.principal or delegate != self.delegate:
            return "G4", (
                f"delegation {self.id} lets {self.delegate} act for {self.principal}, "
                f"not {delegate} for {principal}"
            )
        return None

    def _scope_refusal(
        self, kind: str, trigger: str, classification: Classification
    ) -> tuple[str, str] | None:
        scope = self.scope
        if scope.kinds and kind not in scope.kinds:
            kinds = ", ".join(sorted(scope.kinds))
            return "G5", f"delegation {self.id} covers {kinds}, not {kind!r}"
        if scope.triggers and trigger not in scope.triggers:
            triggers = ", ".join(sorted(scope.triggers))
            return "G6", f"delegation {self.id} covers the triggers {triggers}, not {trigger!r}"
        if classification > scope.ceiling:
            return "G7", (
                f"delegation {self.id} covers entities up to {scope.ceiling.value} "
                f"({scope.ceiling.label}), not {classification.value} ({classification.label})"
            )
        return None


def _aware(at: datetime) -> None:
    if at.tzinfo is None or at.utcoffset() is None:
        raise UsageError(f"a delegation is judged at a timezone-aware moment, got {at!r}")


def _delegation(ctx: TransitionContext) -> Delegation:
    entity = ctx.entity
    assert isinstance(entity, Delegation)  # noqa: S101 -- the table's entity type
    return entity


def _is_admin(actor: Actor) -> bool:
    return actor.has_any_role(ADMIN_ROLES)


def _check_by_principal(ctx: TransitionContext) -> str | None:
    delegation = _delegation(ctx)
    if ctx.actor.id == delegation.principal or _is_admin(ctx.actor):
        return None
    return (
        f"{ctx.actor.id} may not lend {delegation.principal}'s roles: a delegation is "
        "granted by its principal, or by the office director"
    )


def _check_ceiling(ctx: TransitionContext) -> str | None:
    delegation = _delegation(ctx)
    ceiling = delegation.scope.ceiling
    if ctx.actor.id != delegation.principal or ctx.actor.may_see(ceiling):
        return None
    return (
        f"{ctx.actor.id} is cleared to {ctx.actor.clearance.value}; a delegation's ceiling "
        f"({ceiling.value}) is at most its principal's clearance"
    )


def _check_own_roles(ctx: TransitionContext) -> str | None:
    delegation = _delegation(ctx)
    foreign = delegation.roles - ctx.actor.roles
    if ctx.actor.id != delegation.principal or not foreign:
        return None
    held = ", ".join(sorted(foreign))
    return f"{ctx.actor.id} does not hold {held}: a principal lends only their own roles"


def _check_revoker(ctx: TransitionContext) -> str | None:
    delegation = _delegation(ctx)
    if ctx.actor.id == delegation.principal or _is_admin(ctx.actor):
        return None
    return (
        f"{ctx.actor.id} may not revoke delegation {delegation.id}: its principal "
        f"{delegation.principal} or the office director revokes it"
    )


G4_BY_PRINCIPAL = Rule(
    "G4",
    "delegated-by-principal-or-admin",
    "a delegation is granted by its principal or by the office director",
    _check_by_principal,
)
G7_CEILING_WITHIN_CLEARANCE = Rule(
    "G7",
    "ceiling-within-clearance",
    "a principal sets a delegation's ceiling at most at their own clearance",
    _check_ceiling,
)
G8_OWN_ROLES = Rule(
    "G8",
    "delegates-own-roles",
    "a principal lends only roles they hold",
    _check_own_roles,
)
G1_REVOKED_BY = Rule(
    "G1",
    "revoked-by-principal-or-admin",
    "a delegation is revoked by its principal or by the office director",
    _check_revoker,
)
G1_REVOKING_NEEDS_REASON = reason_required("G1", "revoking-needs-reason", "revoking a delegation")

DELEGATION_TABLE: WorkflowTable[Delegation] = WorkflowTable(
    name="delegation",
    entity_type=Delegation,
    states=DelegationState,
    description="委托: roles a principal lends a delegate for a window and a scope",
    creation=CreationSpec(
        "delegate",
        DelegationState.GRANTED,
        None,
        (G4_BY_PRINCIPAL, G7_CEILING_WITHIN_CLEARANCE, G8_OWN_ROLES),
        label="委托",
        managed=frozenset({"revocation_reason"}),
    ),
    transitions=(
        TransitionSpec(
            "revoke",
            (DelegationState.GRANTED,),
            DelegationState.REVOKED,
            None,
            (G1_REVOKED_BY, G1_REVOKING_NEEDS_REASON),
            effect=set_reason("revocation_reason"),
            label="撤销",
            awaited=False,
        ),
    ),
)
"""The state table of delegations: granted, then revoked (expiry is derived from time)."""
