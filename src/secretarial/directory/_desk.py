"""The directory desk: the verbs of the directory area, on the office that wires it."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any, TypeVar

from secretarial.engine._desk import Desk, OfficePort
from secretarial.engine._directory import Directory, DirectoryDelegation, DirectoryPerson
from secretarial.engine._fire import fire_trigger
from secretarial.errors import NotFound, TransitionNotAllowed, UsageError
from secretarial.kernel._entity import Entity
from secretarial.kernel._enums import Classification, EntityKind
from secretarial.kernel._values import Actor, Unit

from ._model import ADMIN_ROLES, Delegation, DelegationScope, Person
from ._service import enrol_person

__all__ = ["DirectoryDesk"]

E = TypeVar("E", bound=Entity)


class DirectoryDesk(Desk):
    """The directory: people (人员) and delegations (委托).

    Changes (enrol, update, leave, delegate, revoke) are kept in the office's store, on
    the one fire path and audited. Lookups (:meth:`person`, :meth:`people`,
    :meth:`acting_for`, :meth:`delegations_for`) ask the directory the office uses
    (:attr:`port`): the stored one, unless the host or a plugin gave its own.
    """

    __slots__ = ("_directory",)

    def __init__(self, office: OfficePort, directory: Directory) -> None:
        super().__init__(office)
        self._directory = directory

    @property
    def port(self) -> Directory:
        """The directory lookups are answered from."""
        return self._directory

    # ------------------------------------------------------------------ people
    def enrol(
        self,
        *,
        by: Actor,
        actor_id: str,
        name: str,
        unit: Unit | Mapping[str, Any],
        roles: Iterable[str] = (),
        clearance: Classification | str = Classification.UNCLASSIFIED,
        acts_for: Iterable[str] = (),
    ) -> Person:
        """Enrol a person 入册 (the ``enrol`` trigger; the office director enrols).

        Args:
            by: Who enrols them (the office director).
            actor_id: The id they act under; no other active person may have it.
            name: Their name.
            unit: Their unit (a :class:`~secretarial.Unit` or its ``code`` and ``name``).
            roles: The roles they hold.
            clearance: The highest classification they may handle.
            acts_for: The codes of the units they act for in a countersign 会签.

        Raises:
            ValidationError: A field is missing or does not fit.
            TransitionNotAllowed: ``by`` is not the office director (ROLE).
            RuleViolation: DIRECTORY ``actor-id-unique``: an active person has the id.
        """
        self._office.check_roles(roles, who=actor_id)
        fields = {
            "actor_id": actor_id,
            "name": name,
            "unit": unit,
            "roles": roles,
            "clearance": clearance,
            "acts_for": tuple(acts_for),
        }
        return enrol_person(self._office.change_store, self._office.context(by), fields)

    def update(
        self,
        person: Person | str,
        *,
        by: Actor,
        name: str | None = None,
        unit: Unit | Mapping[str, Any] | None = None,
        roles: Iterable[str] | None = None,
        clearance: Classification | str | None = None,
        acts_for: Iterable[str] | None = None,
    ) -> Person:
        """Change a person's name, unit, roles, clearance or countersign units (变更).

        Only what is given changes; the change is recorded in the person's audit trail.

        Args:
            person: The person (or their entity id, ``psn-1``).
            by: Who changes the record (the office director).
            name: Their new name.
            unit: Their new unit.
            roles: The roles they hold from now on (all of them, not those added).
            clearance: Their new clearance.
            acts_for: The units they act for from now on in a countersign.

        Raises:
            NotFound: No such person.
            TransitionNotAllowed: They have left (STATE), ``by`` is not the office
                director (ROLE), or nothing given differs from the record (DIRECTORY).
            ValidationError: A value does not fit.
        """
        if roles is not None:
            roles = frozenset(roles)
            self._office.check_roles(
                roles, who=person if isinstance(person, str) else person.actor_id
            )
        given: dict[str, Any] = {
            "name": name,
            "unit": unit,
            "roles": roles,
            "clearance": clearance,
            "acts_for": None if acts_for is None else tuple(acts_for),
        }
        data = {k: v for k, v in given.items() if v is not None}
        return self._fire(person, Person, "update", by=by, data=data or None)

    def leave(self, person: Person | str, *, by: Actor, reason: str | None = None) -> Person:
        """Record that a person has left 离开; they are listed no more (reason required).

        Raises:
            NotFound: No such person.
            TransitionNotAllowed: They have left already (STATE), ``by`` is not the office
                director (ROLE), or no reason is given (DIRECTORY).
        """
        return self._fire(person, Person, "leave", by=by, reason=reason)

    def person(self, actor_id: str) -> DirectoryPerson | None:
        """The person who acts under ``actor_id`` (the active one, else the last who left)."""
        return self._directory.person(actor_id)

    def people(self, unit: str | None = None) -> Sequence[DirectoryPerson]:
        """The active people, of the unit with code ``unit`` if given."""
        return self._directory.people(unit)

    def acting_for(self, unit: str) -> Sequence[DirectoryPerson]:
        """The active people who act for the unit with code ``unit`` in a countersign 会签."""
        return self._directory.acting_for(unit)

    # ------------------------------------------------------------------ delegations
    def delegate(
        self,
        *,
        by: Actor,
        delegate: str,
        roles: Iterable[str],
        starts: datetime,
        ends: datetime,
        principal: str | None = None,
        scope: DelegationScope | Mapping[str, Any] | None = None,
    ) -> Delegation:
        """Lend roles to a delegate for a window and a scope 委托 (the ``delegate`` trigger).

        Args:
            by: Who grants it: the principal, or the office director for them.
            delegate: The actor id of who acts for the principal.
            roles: The principal's roles lent (at least one; a principal lends only their
                own, G8).
            starts: When it begins to hold (timezone-aware).
            ends: When it stops holding (after ``starts``).
            principal: The actor id whose roles are lent; ``by`` if omitted.
            scope: The kinds, triggers and classification ceiling it covers; every kind
                and trigger, unclassified entities only, if omitted.

        Raises:
            ValidationError: A field does not fit: a naive moment, an end not after the
                start (G2), the principal as delegate (G4), no role (G8).
            TransitionNotAllowed: ``by`` is neither the principal nor the office director
                (G4), sets a ceiling above their clearance (G7) or lends roles they do
                not hold (G8); the office director granting for a principal the
                directory does not know, or who has left (G4), who does not hold the
                roles (G8) or is not cleared to the ceiling (G7).
        """
        roles = frozenset(roles)
        if principal is not None and principal != by.id and by.has_any_role(ADMIN_ROLES):
            self._check_principal(principal, roles, scope)
        fields: dict[str, Any] = {
            "principal": by.id if principal is None else principal,
            "delegate": delegate,
            "roles": roles,
            "starts": starts,
            "ends": ends,
        }
        if scope is not None:
            fields["scope"] = scope
        entity = self._office.create(EntityKind.DELEGATION, by=by, **fields)
        return _typed(entity, Delegation)

    def _check_principal(
        self,
        principal: str,
        roles: frozenset[str],
        scope: DelegationScope | Mapping[str, Any] | None,
    ) -> None:
        """Refuse a grant for ``principal`` by someone else unless the directory backs it.

        The principal is judged as the directory has them, as they would be granting it
        themself: in the office, holding the roles, cleared to the ceiling.
        """
        person = self._directory.person(principal)

        def refuse(code: str, reason: str) -> TransitionNotAllowed:
            return TransitionNotAllowed(
                entity_id="(new)",
                entity_kind=EntityKind.DELEGATION.value,
                state="(new)",
                trigger="delegate",
                rule_code=code,
                reason=reason,
            )

        if person is None or not person.is_open:
            raise refuse(
                "G4",
                f"{principal} is not in the directory's office: a delegation is granted "
                "for someone enrolled (office.directory.enrol)",
            )
        foreign = roles - person.roles
        if foreign:
            raise refuse(
                "G8",
                f"{principal} does not hold {', '.join(sorted(foreign))}: a delegation "
                "lends only its principal's own roles",
            )
        ceiling = (
            scope.ceiling
            if isinstance(scope, DelegationScope)
            else DelegationScope.model_validate(scope or {}).ceiling
        )
        if person.clearance < ceiling:
            raise refuse(
                "G7",
                f"{principal} is cleared to {person.clearance.value}; a delegation's "
                f"ceiling ({ceiling.value}) is at most its principal's clearance",
            )

    def revoke_delegation(
        self, delegation: Delegation | str, *, by: Actor, reason: str | None = None
    ) -> Delegation:
        """Revoke a delegation 撤销 before its window ends (reason required).

        Raises:
            NotFound: No such delegation.
            TransitionNotAllowed: Revoked already (STATE), ``by`` is neither its principal
                nor the office director (G1), or no reason is given (G1).
        """
        return self._fire(delegation, Delegation, "revoke", by=by, reason=reason)

    def delegations_for(
        self, delegate: str, at: datetime | None = None
    ) -> Sequence[DirectoryDelegation]:
        """The delegations ``delegate`` holds at ``at`` (the office clock's now if omitted).

        Raises:
            UsageError: ``at`` is naive.
        """
        moment = self._office.now() if at is None else at
        if moment.tzinfo is None or moment.utcoffset() is None:
            raise UsageError(f"directory.delegations_for needs a timezone-aware moment, got {at!r}")
        return self._directory.delegations(delegate=delegate, at=moment)

    # ------------------------------------------------------------------ helpers
    def _fire(
        self,
        entity: Entity | str,
        kind: type[E],
        trigger: str,
        *,
        by: Actor,
        data: Mapping[str, Any] | None = None,
        reason: str | None = None,
    ) -> E:
        entity_id, version = (
            (entity, None) if isinstance(entity, str) else (entity.id, entity.content_version)
        )
        current = self._office.change_store.get(entity_id)  # authorized when it fires
        if not isinstance(current, kind):
            raise NotFound(entity_id, str(getattr(kind, "entity_kind", kind.__name__)))
        with self._office.denials_recorded(by, f"fire:{trigger}"):
            fired = fire_trigger(
                self._office.change_store,
                self._office.context(by),
                current.id,
                trigger,
                data=data,
                reason=reason,
                expected_content_version=version,
            )
        return _typed(fired, kind)


def _typed(entity: Entity, kind: type[E]) -> E:
    if not isinstance(entity, kind):  # pragma: no cover -- the workflow's entity type
        raise UsageError(f"expected a {kind.__name__}, the office made a {type(entity).__name__}")
    return entity
