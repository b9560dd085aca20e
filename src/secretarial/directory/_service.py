"""Directory use cases: enrolling a person once per actor id, and the directory the store keeps.

Enrolling is a rule over several entities (one active person per actor id), so the check
and the creation are one step: the change locks the actor id, then reads the people
through its own unit of work.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any, Final

from secretarial.engine._fire import Change, FireContext, run_change
from secretarial.engine._ports import Store
from secretarial.errors import RuleViolation, UsageError
from secretarial.kernel._entity import Entity
from secretarial.kernel._enums import EntityKind
from secretarial.kernel._query import Query

from ._enums import DelegationState, PersonState
from ._model import Delegation, Person

__all__ = ["StoredDirectory", "enrol_person"]

_ACTIVE_PEOPLE: Final = Query(
    kinds=frozenset({EntityKind.PERSON}), states=frozenset({PersonState.ACTIVE.value})
)
_PEOPLE: Final = Query(kinds=frozenset({EntityKind.PERSON}))
_DELEGATIONS: Final = Query(kinds=frozenset({EntityKind.DELEGATION}))
_GRANTED: Final = Query(
    kinds=frozenset({EntityKind.DELEGATION}), states=frozenset({DelegationState.GRANTED.value})
)


def _people(found: Iterable[Entity]) -> list[Person]:
    return [p for p in found if isinstance(p, Person)]


def enrol_person(store: Store, context: FireContext, fields: Mapping[str, Any]) -> Person:
    """Enrol a person 入册; refuse (rule DIRECTORY) an actor id an active person has.

    The change locks the actor id before it reads the active people, so two clerks who
    enrol the same id at once take turns, across processes too, and the second is
    refused.

    Raises:
        ValidationError: A field is missing or does not fit.
        TransitionNotAllowed: The actor is not the office director.
        RuleViolation: DIRECTORY ``actor-id-unique``: an active person has the id.
    """

    def enrol(change: Change) -> Person:
        person = change.make(Person, fields)
        change.lock(f"person:{person.actor_id}")
        other = next(
            (
                p
                for p in _people(change.find(_ACTIVE_PEOPLE))
                if p.actor_id == person.actor_id and p.id != person.id
            ),
            None,
        )
        if other is not None:
            raise RuleViolation(
                "DIRECTORY",
                "actor-id-unique",
                f"{other.id} ({other.name}) is enrolled under the actor id {person.actor_id!r}; "
                "one active person per actor id: update that person, or remove them first",
                entity_id=other.id,
            )
        return person

    return run_change(store, context, enrol)


class StoredDirectory:
    """The directory the office keeps in its own store: its people and delegations.

    Every answer is read from the store when asked (``store.find``), so it is what the
    office's last commit says, in every process that shares the store.

    Args:
        store: The office's store.
    """

    __slots__ = ("_store",)

    def __init__(self, store: Store) -> None:
        self._store = store

    def person(self, actor_id: str) -> Person | None:
        """The person who acts under ``actor_id``: the active one, else the last who left."""
        found = [p for p in _people(self._store.find(_PEOPLE)) if p.actor_id == actor_id]
        active = [p for p in found if p.active]
        if active:
            return active[0]
        return found[-1] if found else None

    def people(self, unit_code: str | None = None) -> list[Person]:
        """The active people (of the unit ``unit_code``, if given), in enrolment order."""
        return [
            p
            for p in _people(self._store.find(_ACTIVE_PEOPLE))
            if unit_code is None or p.unit.code == unit_code
        ]

    def acting_for(self, unit_code: str) -> list[Person]:
        """The active people who act for ``unit_code`` in a countersign, in enrolment order."""
        return [p for p in self.people() if unit_code in p.acts_for]

    def delegations(self, *, delegate: str, at: datetime | None = None) -> list[Delegation]:
        """The delegations ``delegate`` holds at ``at``, oldest first.

        Without ``at``, every delegation given to ``delegate``, revoked and expired ones
        too, oldest first.

        Raises:
            UsageError: ``at`` is naive.
        """
        if at is None:
            return [
                d
                for d in self._store.find(_DELEGATIONS)
                if isinstance(d, Delegation) and d.delegate == delegate
            ]
        if at.tzinfo is None or at.utcoffset() is None:
            raise UsageError(f"delegations are looked up at a timezone-aware moment, got {at!r}")
        return [
            d
            for d in self._store.find(_GRANTED)
            if isinstance(d, Delegation) and d.delegate == delegate and d.in_force(at)
        ]

    def __repr__(self) -> str:
        return f"StoredDirectory({self._store!r})"
