"""Queries over an office's entities, as plain values every store understands."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from ._entity import Entity
from ._enums import EntityKind

__all__ = ["Query"]


@dataclass(frozen=True, slots=True)
class Query:
    """What to list. Every criterion given must hold; none given lists everything.

    Attributes:
        kinds: Entity kinds to include.
        states: States to include (state names).
        overdue_as_of: Only open entities whose deadline passed before this day.
        open_only: Only entities not in a terminal state.
    """

    kinds: frozenset[EntityKind] | None = None
    states: frozenset[str] | None = None
    overdue_as_of: date | None = None
    open_only: bool = False

    def matches(self, entity: Entity) -> bool:
        """Whether ``entity`` satisfies the query."""
        if self.kinds is not None and entity.entity_kind not in self.kinds:
            return False
        if self.states is not None and entity.state not in self.states:
            return False
        if self.open_only and not entity.is_open:
            return False
        return self.overdue_as_of is None or entity.is_overdue(self.overdue_as_of)
