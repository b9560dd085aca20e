"""Audit events: the append-only record of every change."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from ._enums import EntityKind
from ._values import Actor, Name, Timestamp, Value

__all__ = ["AuditEvent"]


class AuditEvent(Value):
    """One change to one entity: its creation or a transition.

    ``version`` is the entity's version *after* the change, so the events of an entity
    are numbered 1, 2, 3 ... and their count equals the entity's current version.
    ``source`` is None for the creation. ``payload`` is the trigger's input in JSON
    form, enough to replay the change.
    """

    entity_kind: EntityKind
    entity_id: Name
    version: int = Field(ge=1)
    trigger: Name
    source: str | None
    target: str
    actor: Actor
    at: Timestamp
    reason: str | None = None
    payload: dict[str, Any] = Field(default_factory=dict)

    @property
    def is_creation(self) -> bool:
        """Whether this event created the entity."""
        return self.source is None
