"""Who may see what: access policies and the record of refused access."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC
from typing import Protocol, Self, runtime_checkable

from ._entity import Entity
from ._enums import Classification
from ._values import Actor, Name, Timestamp, Value

__all__ = ["AccessDenial", "AccessPolicy", "ClearancePolicy"]


@runtime_checkable
class AccessPolicy(Protocol):
    """Decides whether an actor may see an entity; a host may supply its own.

    An entity an actor may not see is invisible to them in lists and counts, and loading
    it, firing a trigger on it or reading its audit trail is refused with
    :class:`~secretarial.AccessDenied` (a :class:`~secretarial.NotFound` that reads as a
    missing id's) and recorded. The reason :meth:`may_see` gives is kept for the office in
    the recorded denial; it never reaches the actor.
    """

    def ceiling(self, actor: Actor) -> Classification:
        """The highest classification ``actor`` may see (lets stores filter lists)."""
        ...

    def may_see(self, actor: Actor, entity: Entity) -> str | None:
        """None if ``actor`` may see ``entity``, otherwise why not."""
        ...


class ClearancePolicy:
    """The default policy: clearance, then need-to-know.

    An actor sees what is classified at most at their clearance; a classified record that
    names a need-to-know scope (知悉范围, its ``need_to_know``: actor ids and unit codes)
    is seen only by the actors it names or whose unit it names.
    """

    def ceiling(self, actor: Actor) -> Classification:
        """The actor's clearance."""
        return actor.clearance

    def may_see(self, actor: Actor, entity: Entity) -> str | None:
        """Refuse an entity classified above the actor's clearance or outside their scope."""
        if actor.clearance.level < entity.classification.level:
            return (
                f"clearance {actor.clearance.value} ({actor.clearance.label}) is below the "
                f"record's classification {entity.classification.value} "
                f"({entity.classification.label})"
            )
        scope: tuple[str, ...] = getattr(entity, "need_to_know", ())
        if not scope or entity.classification is Classification.UNCLASSIFIED:
            return None
        if actor.id in scope or (actor.unit is not None and actor.unit.code in scope):
            return None
        return "the actor is outside the record's need-to-know scope (知悉范围)"

    def __repr__(self) -> str:
        return "ClearancePolicy()"


class AccessDenial(Value):
    """A refused access, as recorded: who, what, when and why.

    Attributes:
        actor: Who asked.
        entity_id: What they asked for.
        action: What they tried: ``get``, ``audit``, ``fire:<trigger>``.
        at: When.
        reason: Why it was refused.
        previous_hash: The hash of the denial recorded before it (the log is a hash
            chain of its own, so a denial removed or edited shows); None for the first.
        hash: SHA-256 over its content and ``previous_hash``; empty for a denial
            recorded before the log was chained.
    """

    actor: Actor
    entity_id: Name
    action: Name
    at: Timestamp
    reason: str
    previous_hash: str | None = None
    hash: str = ""

    def expected_hash(self) -> str:
        """The hash this denial's content and ``previous_hash`` call for."""
        actor = self.actor
        content = [
            [actor.id, actor.name, sorted(actor.roles), str(actor.clearance)],
            self.entity_id,
            self.action,
            self.at.astimezone(UTC).isoformat(),
            self.reason,
            self.previous_hash,
        ]
        text = json.dumps(content, ensure_ascii=False, separators=(",", ":"))
        return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()

    def chained(self, previous_hash: str | None) -> Self:
        """This denial sealed after the one whose hash is ``previous_hash``."""
        linked = self.model_copy(update={"previous_hash": previous_hash, "hash": ""})
        return linked.model_copy(update={"hash": linked.expected_hash()})
