"""The base of every stateful record an office keeps."""

from __future__ import annotations

from datetime import date
from typing import ClassVar

from pydantic import BaseModel, ConfigDict, Field

from ._enums import Classification, EntityKind, LabeledEnum
from ._values import Name, Timestamp

__all__ = ["Entity"]


class Entity(BaseModel):
    """An immutable snapshot of a record with a workflow state and a version.

    Entities are never changed in place: a transition returns a new snapshot with the
    next version. ``version`` counts the audit events that produced the snapshot, the
    creation included, so a fresh entity has version 1.
    """

    model_config = ConfigDict(
        frozen=True, extra="forbid", str_strip_whitespace=True, validate_default=False
    )

    entity_kind: ClassVar[EntityKind]
    """What kind of entity this class is."""
    terminal_states: ClassVar[frozenset[str]]
    """States from which no trigger leads anywhere; the entity is closed there."""

    id: Name
    version: int = Field(ge=1)
    state: LabeledEnum
    created_at: Timestamp
    created_by: Name
    updated_at: Timestamp
    classification: Classification = Classification.UNCLASSIFIED
    deadline: date | None = None
    """The day by which the matter must be done, if it has one (a calendar day)."""

    @property
    def is_open(self) -> bool:
        """Whether the entity is not in a terminal state."""
        return self.state not in self.terminal_states

    def is_overdue(self, as_of: date) -> bool:
        """Whether the entity is open and its deadline passed before ``as_of``.

        Overdue is derived, never stored: an item due today is not overdue today.
        """
        return self.deadline is not None and self.is_open and as_of > self.deadline

    def _repr_markdown_(self) -> str:
        label = getattr(self.state, "label", str(self.state))
        title = getattr(self, "title", None) or getattr(self, "requirement", "")
        lines = [
            f"**{self.entity_kind.label} {self.id}** — {title}",
            "",
            f"- state: `{self.state}` ({label}), version {self.version}",
        ]
        if self.deadline is not None:
            lines.append(f"- deadline: {self.deadline.isoformat()}")
        if self.classification is not Classification.UNCLASSIFIED:
            lines.append(f"- classification: {self.classification.label}")
        return "\n".join(lines)
