"""Audit events: the append-only, hash-chained record of every change.

Each event carries a SHA-256 hash over its content and over the hash of the entity's
previous event, so editing, deleting, reordering or inserting an event breaks the chain
and is found by ``Office.verify_audit()``.
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from functools import lru_cache
from typing import Any, Self

from pydantic import Field

from ._enums import EntityKind
from ._values import Actor, Name, Timestamp, Value

__all__ = ["Anchor", "AuditEvent", "AuditProblem", "AuditReport", "creation_digest", "event_digest"]


@lru_cache(maxsize=4096)
def _actor_content(
    actor_id: str, name: str, roles: frozenset[str], clearance: str, unit: tuple[str, str] | None
) -> tuple[Any, ...]:
    return (actor_id, name, sorted(roles), clearance, unit)


def event_digest(
    *,
    entity_kind: str,
    entity_id: str,
    version: int,
    trigger: str,
    source: str | None,
    target: str,
    actor: Actor,
    at: datetime,
    reason: str | None,
    payload: dict[str, Any],
    previous_hash: str | None,
) -> str:
    """The SHA-256 hash (hex) of an event's content and its predecessor's hash.

    The content is written as one canonical JSON array (sorted keys, no spaces, UTF-8):
    the actor as id, name, sorted roles, clearance and unit, the time in ISO 8601 with
    its offset. The hash is thus the same in every process and after a round trip
    through any store.
    """
    unit = None if actor.unit is None else (actor.unit.code, actor.unit.name)
    content = (
        str(entity_kind),
        entity_id,
        version,
        trigger,
        source,
        str(target),
        _actor_content(actor.id, actor.name, actor.roles, str(actor.clearance), unit),
        at.isoformat(),
        reason,
        payload,
        previous_hash,
    )
    text = json.dumps(content, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class AuditEvent(Value):
    """One change to one entity: its creation or a transition.

    ``version`` is the entity's version *after* the change, so the events of an entity
    are numbered 1, 2, 3 ... and their count equals the entity's current version.
    ``source`` is None for the creation. ``payload`` is the trigger's input in JSON
    form, enough to replay the change. ``hash`` seals the event's content together with
    ``previous_hash``, the hash of the entity's previous event (None for the creation).
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
    previous_hash: str | None = None
    hash: str = ""

    @classmethod
    def sealed(cls, **fields: Any) -> Self:
        """Make an event with its ``hash`` computed from the other fields.

        The fields are hashed as given, so give them as the event will hold them
        (ids and reasons already stripped): :attr:`is_sealed` then holds.
        """
        digest = event_digest(
            entity_kind=str(fields["entity_kind"]),
            entity_id=fields["entity_id"],
            version=fields["version"],
            trigger=fields["trigger"],
            source=fields["source"],
            target=fields["target"],
            actor=fields["actor"],
            at=fields["at"],
            reason=fields.get("reason"),
            payload=fields.get("payload", {}),
            previous_hash=fields.get("previous_hash"),
        )
        return cls(**{**fields, "hash": digest})

    def expected_hash(self) -> str:
        """The hash this event's content and ``previous_hash`` call for."""
        return event_digest(
            entity_kind=self.entity_kind.value,
            entity_id=self.entity_id,
            version=self.version,
            trigger=self.trigger,
            source=self.source,
            target=self.target,
            actor=self.actor,
            at=self.at,
            reason=self.reason,
            payload=self.payload,
            previous_hash=self.previous_hash,
        )

    @property
    def is_sealed(self) -> bool:
        """Whether ``hash`` matches the content (False if the event was altered)."""
        return self.hash == self.expected_hash()

    @property
    def is_creation(self) -> bool:
        """Whether this event created the entity."""
        return self.source is None


class Anchor(Value):
    """A seal over the whole store at one moment: which entities existed, by their creation.

    Entity chains show edits, deletions and reorderings *within* an entity's trail; an
    anchor shows whole entities that disappeared. Publish ``hash`` somewhere else (a
    report, another system) to make the anchors themselves tamper-evident.

    Attributes:
        sequence: 1, 2, 3 ... in the order anchors were made.
        at: When it was made.
        last_entity: The store's sequence number of the newest entity covered.
        entity_count: How many entities it covers.
        digest: SHA-256 over the covered entities' ids and creation-event hashes, in
            creation order.
        previous_hash: The previous anchor's hash (None for the first).
        hash: SHA-256 over this anchor's content and ``previous_hash``.
    """

    sequence: int = Field(ge=1)
    at: Timestamp
    last_entity: int = Field(ge=0)
    entity_count: int = Field(ge=0)
    digest: str
    previous_hash: str | None = None
    hash: str = ""

    def expected_hash(self) -> str:
        """The hash this anchor's content and ``previous_hash`` call for."""
        content = [
            self.sequence,
            self.at.isoformat(),
            self.last_entity,
            self.entity_count,
            self.digest,
            self.previous_hash,
        ]
        text = json.dumps(content, separators=(",", ":"))
        return hashlib.sha256(text.encode("utf-8")).hexdigest()


def creation_digest(creations: list[tuple[str, str]]) -> str:
    """SHA-256 over ``(entity id, creation-event hash)`` pairs, in the order given."""
    digest = hashlib.sha256()
    for entity_id, creation_hash in creations:
        digest.update(f"{entity_id}:{creation_hash}\n".encode())
    return digest.hexdigest()


class AuditProblem(Value):
    """One break in the audit record.

    Attributes:
        kind: What was found: ``edited`` (an event's content does not match its hash),
            ``out_of_order`` (versions not 1, 2, 3 ... in order: an event deleted,
            inserted or moved), ``chain_broken`` (an event does not follow its
            predecessor), ``head_mismatch`` (the entity's latest hash or version is not
            its last event's: trailing events deleted, or the record edited),
            ``state_mismatch`` (replaying the events does not give the stored record),
            ``events_without_entity``, ``entity_without_events``, ``entities_missing``
            (fewer entities than an anchor covered), ``anchor_broken``.
        entity_id: The entity concerned, if one.
        version: The event concerned, if one.
        detail: What exactly, in words.
    """

    kind: str
    entity_id: str | None = None
    version: int | None = None
    detail: str

    def __str__(self) -> str:
        where = self.entity_id or "store"
        if self.version is not None:
            where += f" v{self.version}"
        return f"{self.kind} at {where}: {self.detail}"


class AuditReport(Value):
    """The outcome of verifying an office's audit record.

    Attributes:
        entities: How many entities were checked.
        events: How many events were checked.
        anchors: How many anchors were checked.
        problems: Every break found; empty when the record verifies clean.
    """

    entities: int
    events: int
    anchors: int
    problems: tuple[AuditProblem, ...] = ()

    @property
    def ok(self) -> bool:
        """Whether the record verified clean."""
        return not self.problems

    def __str__(self) -> str:
        head = f"checked {self.entities} entities, {self.events} events, {self.anchors} anchors: "
        if self.ok:
            return head + "clean"
        return (
            head + f"{len(self.problems)} problems\n" + "\n".join(f"  - {p}" for p in self.problems)
        )
