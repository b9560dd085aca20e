"""A desk: the verbs of one area, on the office that wires it.

Each area keeps a desk (``office.meetings``, ``office.duty`` ...) whose verbs run the
area's use cases on the one fire path. A desk is given its office as an
:class:`OfficePort`: what it may ask of the office — the store, the clock, the context of
a change, the recording of a refused access, reads — and nothing else, so an area never
imports the office.
"""

from __future__ import annotations

from collections.abc import Iterable
from contextlib import AbstractContextManager
from datetime import date, datetime, tzinfo
from typing import Any, Protocol, TypeVar

from secretarial.kernel._access import AccessPolicy
from secretarial.kernel._display import AuditTrail, EntityList
from secretarial.kernel._entity import Entity
from secretarial.kernel._register import Register
from secretarial.kernel._values import Actor
from secretarial.kernel._workflow import TransitionEnv

from ._fire import FireContext
from ._ports import Store

__all__ = ["Desk", "OfficePort"]

E = TypeVar("E", bound=Entity)


class OfficePort(Protocol):
    """What a desk asks of its office; :class:`~secretarial.Office` is one."""

    timezone: tzinfo
    access: AccessPolicy

    @property
    def change_store(self) -> Store:
        """The store changes go through (the plugins' checks and reactions around it)."""
        ...

    def now(self) -> datetime:
        """The office clock's time, in the office's zone."""
        ...

    def context(self, by: Actor, now: datetime | None = None) -> FireContext:
        """The context of a change by ``by``."""
        ...

    def denials_recorded(self, by: Actor, action: str) -> AbstractContextManager[None]:
        """Record an access a change refuses as ``action``, then let the refusal through."""
        ...

    def check_roles(self, roles: Iterable[str], *, who: str = ...) -> None:
        """Refuse roles the office does not know (ValidationError, rule ``known_role``)."""
        ...

    def require_reader(self, by: Actor | None, verb: str) -> None:
        """Refuse a read without ``by`` (naming ``verb``) if the office requires an actor."""
        ...

    def authorize(self, entity: Entity, actor: Actor, action: str) -> None:
        """Raise (and record) :class:`~secretarial.AccessDenied` unless ``actor`` may see it."""
        ...

    def environment(self) -> TransitionEnv:
        """The office's zone, calendar and policies."""
        ...

    def create(self, entity_kind: str, /, *, by: Actor, **fields: Any) -> Entity:
        """Create an entity of ``entity_kind``."""
        ...

    def get(self, entity_id: str, kind: type[E], *, by: Actor | None = None) -> E:
        """Load an entity of ``kind``, as ``by`` may see it."""
        ...

    def audit(self, entity: Entity | str, *, by: Actor | None = None) -> AuditTrail:
        """An entity's audit trail, creation first, as ``by`` may see it."""
        ...

    def list(
        self,
        *,
        kind: str | Iterable[str] | None = None,
        state: str | Iterable[str] | None = None,
        overdue_at: datetime | None = None,
        open_only: bool = False,
        by: Actor | None = None,
    ) -> EntityList:
        """The entities that match, as ``by`` may see them."""
        ...

    def register(
        self,
        name: str,
        *,
        year: int | None = None,
        as_of: date | None = None,
        open_only: bool = False,
        by: Actor | None = None,
    ) -> Register:
        """A register the office keeps, by its name."""
        ...


class Desk:
    """Base of the area desks: holds the office it works for."""

    __slots__ = ("_office",)

    def __init__(self, office: OfficePort) -> None:
        self._office = office

    def __repr__(self) -> str:
        return f"<{type(self).__name__} of {self._office!r}>"
