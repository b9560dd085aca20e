"""The directory port: who the office's people are, whom they act for, who stands in for whom.

A :class:`Directory` answers who an actor id is (their unit, roles, clearance, the units
they act for in a countersign 会签) and which delegations 委托 a delegate holds at a
moment. The office keeps one in its own store by default
(:class:`secretarial.directory.StoredDirectory`); a host whose people live elsewhere (LDAP,
its own user table) supplies its own, through ``Office(directory=...)`` or a plugin's
``secretarial_directory`` hook.

The port speaks of people and delegations structurally (:class:`DirectoryPerson`,
:class:`DirectoryDelegation`): the directory area's entities are such values, and so may
a host's own records be, without being entities of the office.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol, runtime_checkable

from secretarial.kernel._enums import Classification
from secretarial.kernel._values import Unit

__all__ = ["Directory", "DirectoryDelegation", "DirectoryPerson"]


class DirectoryPerson(Protocol):
    """A person as a directory lists them."""

    @property
    def actor_id(self) -> str:
        """The id the person acts under (an :class:`~secretarial.Actor`'s ``id``)."""
        ...

    @property
    def name(self) -> str:
        """The name shown for them."""
        ...

    @property
    def unit(self) -> Unit:
        """The unit they belong to."""
        ...

    @property
    def roles(self) -> frozenset[str]:
        """The roles they hold."""
        ...

    @property
    def clearance(self) -> Classification:
        """The highest classification they may handle."""
        ...

    @property
    def acts_for(self) -> tuple[str, ...]:
        """The codes of the units they act for in a countersign (会签 contact person)."""
        ...

    @property
    def is_open(self) -> bool:
        """Whether they are still in the office (not left)."""
        ...


class DirectoryDelegation(Protocol):
    """A delegation as a directory lists it: who lends which roles to whom, and when."""

    @property
    def principal(self) -> str:
        """The actor id of the person whose roles are lent."""
        ...

    @property
    def delegate(self) -> str:
        """The actor id of the person who acts on the principal's behalf."""
        ...

    @property
    def roles(self) -> frozenset[str]:
        """The principal's roles lent."""
        ...

    @property
    def created_by(self) -> str:
        """Who granted it: the principal, or the office director for them."""
        ...

    @property
    def starts(self) -> datetime:
        """When it begins to hold."""
        ...

    @property
    def ends(self) -> datetime:
        """When it stops holding (the window is ``starts <= at < ends``)."""
        ...

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
        """Why it does not cover the act, as ``(rule_code, sentence)``; None if it does."""
        ...


@runtime_checkable
class Directory(Protocol):
    """Who the office's people are, and who stands in for whom."""

    def person(self, actor_id: str) -> DirectoryPerson | None:
        """The person who acts under ``actor_id``, or None if the directory has nobody.

        A person who has left is still found (their record says so); one enrolled again
        is found as enrolled now.
        """
        ...

    def people(self, unit_code: str | None = None) -> Sequence[DirectoryPerson]:
        """The active people (of the unit ``unit_code``, if given), in enrolment order."""
        ...

    def acting_for(self, unit_code: str) -> Sequence[DirectoryPerson]:
        """The active people who act for ``unit_code`` in a countersign."""
        ...

    def delegations(
        self, *, delegate: str, at: datetime | None = None
    ) -> Sequence[DirectoryDelegation]:
        """The delegations ``delegate`` holds at ``at``: granted, their window holding it.

        Without ``at``, every delegation ever given to ``delegate``, revoked and expired
        ones too (the office judges each and names the rule that refuses).
        """
        ...
