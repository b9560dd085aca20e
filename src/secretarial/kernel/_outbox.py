"""The outbox: the domain events every committed change emits, for a relay to deliver.

A store writes one outbox entry for each audit event it keeps (a creation, a transition,
a reminder, an escalation, a countersign request) and for each checkpoint, in the same
transaction as the change: an entry exists exactly when its change committed. The entry
is small (:class:`OutboxColumns`): it points to the audit event, which holds what
happened, and names what routing needs. A relay (``secretarial.engine.Relay``) reads the
entries with their events and delivers them to sinks; the message carries the entity too
while it still stands at the event's version.

Each entry belongs to a *stream* (the entity's id; ``checkpoint`` for checkpoints) and
each stream to one of :data:`PARTITIONS` partitions. Within a partition, positions grow
in commit order: on SQLite and in memory every writer waits for the one before it, and
on PostgreSQL a writer takes its partitions' locks just before it inserts its entries and
holds them to the commit. A relay that delivers a partition in position order therefore
delivers each entity's events in the order they were committed.

The message a sink receives is an :class:`OutboxEvent` in JSON, under the outbox schema
version :data:`OUTBOX_SCHEMA` (docs/events.md). Its ``id`` is the hash of the audit event
it reports (the checkpoint's hash for a checkpoint): stable, unique, and the same on
every redelivery, so that a consumer can drop what it has already seen.
"""

from __future__ import annotations

import zlib
from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Any, Final, NamedTuple

import orjson
from pydantic import Field

from ._enums import Classification
from ._values import Timestamp, Value

if TYPE_CHECKING:
    from ._audit import AuditEvent
    from ._checkpoint import Checkpoint
    from ._entity import Entity

__all__ = [
    "CHECKPOINT_COLUMNS",
    "CHECKPOINT_STREAM",
    "OUTBOX_SCHEMA",
    "PARTITIONS",
    "EventType",
    "OutboxColumns",
    "OutboxEntry",
    "OutboxEvent",
    "OutboxMessage",
    "SinkPosition",
    "checkpoint_message",
    "event_type",
    "outbox_columns",
    "partition_of",
]

OUTBOX_SCHEMA: Final = 1
"""The version of the outbox message schema (:class:`OutboxEvent`) this library writes.

1. The first: the event's identity (``id``, ``position``, ``partition``), what happened
   (``type``, ``trigger``, ``source``, ``target``), who and when (``actor``,
   ``on_behalf_of``, ``at``), and, unless withheld, the reason, the trigger's input and
   the entity as committed.
"""

PARTITIONS: Final = 16
"""How many partitions the outbox's streams are spread over (fixed: a stream's partition
never changes, so that its order holds)."""

CHECKPOINT_STREAM: Final = "checkpoint"
"""The stream checkpoints are reported in (each checkpoint's ``version`` is its number)."""


class EventType(StrEnum):
    """What an outbox event reports."""

    CREATED = "created"
    """An entity was created (its first audit event)."""
    TRANSITION = "transition"
    """A trigger moved or changed an entity."""
    REMINDER = "reminder"
    """A reminder (催办) was recorded."""
    ESCALATION = "escalation"
    """An escalation (督办升级) was recorded."""
    REPORT_DUE = "report_due"
    """A progress report was asked for (进展催报)."""
    COUNTERSIGN_REQUESTED = "countersign_requested"
    """A fan-out round (会签, 会办) was opened: the parties are in the payload."""
    CHECKPOINT = "checkpoint"
    """A signed checkpoint was made."""


_REMINDER_TYPES: Final = {
    "reminder": EventType.REMINDER,
    "escalation": EventType.ESCALATION,
    "report_due": EventType.REPORT_DUE,
}


def partition_of(stream: str) -> int:
    """The partition of ``stream`` (CRC-32 of its UTF-8 text, modulo :data:`PARTITIONS`).

    The same in every process and every release: CRC-32 is fixed, unlike ``hash()``.
    """
    return zlib.crc32(stream.encode("utf-8", "surrogatepass")) % PARTITIONS


def event_type(event: AuditEvent) -> EventType:
    """What ``event`` reports, judged from the event alone."""
    if event.source is None:
        return EventType.CREATED
    payload = event.payload
    if event.trigger == "remind":
        return _REMINDER_TYPES.get(str(payload.get("reminder_kind")), EventType.REMINDER)
    if "parties" in payload and "policy" in payload:
        return EventType.COUNTERSIGN_REQUESTED
    return EventType.TRANSITION


_LEVELS: Final = {c.level: c for c in Classification}


class OutboxColumns(NamedTuple):
    """What a store writes in an outbox entry beside the audit event it points to.

    Small on purpose: the event's content is the audit event itself, already written in
    the same transaction; the entry names its stream, partition and what routing needs.
    """

    partition: int
    stream: str
    version: int
    kind: str
    trigger: str
    type: str
    classification: int
    """The entity's classification level (0 unclassified to 3 top secret)."""


class OutboxEntry(NamedTuple):
    """One entry of the outbox, as a store reads it back.

    ``event`` is the audit event the entry reports, as the store keeps it (JSON); for a
    checkpoint, the checkpoint's message. ``entity`` is the entity's stored body when it
    still stands at ``version`` (None once it has changed since).
    """

    position: int
    partition: int
    stream: str
    version: int
    kind: str
    trigger: str
    type: str
    classification: int
    event: str
    entity: str | None

    @property
    def event_id(self) -> str:
        """The event's id: the hash of the audit event (or of the checkpoint)."""
        fields = orjson.loads(self.event)
        return str(fields["hash"] if self.type != EventType.CHECKPOINT else fields["id"])

    def message_for(self, clearance: Classification) -> OutboxMessage:
        """The message a sink cleared to ``clearance`` receives for this entry.

        Above its clearance, the reason, the trigger's input and the entity are left out
        and the message says it was ``withheld``; what stays names no title and no text.
        """
        withheld = self.classification > clearance.level
        head = b'{"position":%d,"partition":%d,' % (self.position, self.partition)
        if self.type == EventType.CHECKPOINT:
            text = self.event.encode()
            event_id = orjson.loads(text)["id"]
        else:
            fields = orjson.loads(self.event)
            event_id = fields["hash"]
            entity = None if withheld or self.entity is None else _with_kind(self.kind, self.entity)
            text = orjson.dumps(
                {
                    "schema_version": OUTBOX_SCHEMA,
                    "id": event_id,
                    "type": self.type,
                    "entity_kind": self.kind,
                    "entity_id": self.stream,
                    "version": self.version,
                    "trigger": self.trigger,
                    "source": fields["source"],
                    "target": fields["target"],
                    "actor": fields["actor"]["id"],
                    "on_behalf_of": fields.get("on_behalf_of"),
                    "at": fields["at"],
                    "classification": _LEVELS[self.classification].value,
                    "withheld": withheld,
                    "reason": None if withheld else fields.get("reason"),
                    "payload": None if withheld else fields.get("payload"),
                    "entity": None if entity is None else orjson.Fragment(entity),
                }
            )
        return OutboxMessage(
            id=event_id,
            position=self.position,
            partition=self.partition,
            type=self.type,
            kind=self.kind,
            stream=self.stream,
            version=self.version,
            trigger=self.trigger,
            withheld=withheld,
            body=head + text[1:],
        )


class SinkPosition(NamedTuple):
    """How far a sink has been given one partition of the outbox.

    ``position`` is the last entry delivered (or passed over, when the sink does not
    take its kind), ``delivered`` how many entries the sink was given in all, and ``at``
    when the position last moved.
    """

    sink: str
    partition: int
    position: int
    delivered: int
    at: datetime


class OutboxMessage(NamedTuple):
    """One event as a sink receives it: what routing needs, and the JSON body.

    ``body`` is an :class:`OutboxEvent` in JSON (UTF-8); :meth:`event` reads it.
    """

    id: str
    position: int
    partition: int
    type: str
    kind: str
    stream: str
    version: int
    trigger: str
    withheld: bool
    body: bytes

    def event(self) -> OutboxEvent:
        """The body read as an :class:`OutboxEvent`."""
        return OutboxEvent.model_validate_json(self.body)


class OutboxEvent(Value):
    """A domain event as the outbox delivers it (outbox schema :data:`OUTBOX_SCHEMA`).

    Attributes:
        schema_version: The outbox schema the message is written under.
        id: The hash of the audit event reported (the checkpoint's hash for a
            checkpoint): the same on every delivery; drop what you have seen.
        position: Where the event stands in the outbox: within a partition, positions
            grow in commit order.
        partition: The stream's partition (0 to 15).
        type: What it reports.
        entity_kind: The entity's kind (``checkpoint`` for a checkpoint).
        entity_id: The entity's id: the stream (``checkpoint`` for checkpoints).
        version: The entity's version after the change (the checkpoint's number).
        trigger: The trigger (the creation trigger for a creation, ``remind`` for a
            reminder, ``checkpoint``).
        source: The state before (None for a creation and a checkpoint).
        target: The state after.
        actor: Who did it (an actor id; for a checkpoint, the signing key's id).
        on_behalf_of: The principal, when a delegate acted (委托).
        at: When it was done.
        classification: The entity's classification.
        withheld: Whether the reason, the input and the entity were left out because the
            sink is not cleared for the classification.
        reason: The reason given, if any.
        payload: The trigger's input as the audit event records it.
        entity: The entity at ``version`` (its JSON form, with ``entity_kind``) when it
            still stood there as the event was read: a relay that keeps up gives it
            with every event. None once the entity has changed since (read it from the
            office), for a checkpoint, and when withheld.
    """

    schema_version: int = Field(ge=1, le=OUTBOX_SCHEMA)
    id: str
    position: int = Field(ge=1)
    partition: int = Field(ge=0, lt=PARTITIONS)
    type: EventType
    entity_kind: str
    entity_id: str
    version: int = Field(ge=1)
    trigger: str
    source: str | None
    target: str
    actor: str
    on_behalf_of: str | None
    at: Timestamp
    classification: Classification
    withheld: bool
    reason: str | None
    payload: dict[str, Any] | None
    entity: dict[str, Any] | None


def outbox_columns(event: AuditEvent, entity: Entity) -> OutboxColumns:
    """The outbox entry's columns for ``event``, which made ``entity`` what it is."""
    return OutboxColumns(
        partition_of(event.entity_id),
        event.entity_id,
        event.version,
        str(event.entity_kind),
        event.trigger,
        event_type(event).value,
        entity.classification.level,
    )


def _with_kind(kind: str, body: str) -> str:
    """A stored body (which leaves ``entity_kind`` out) with its ``entity_kind`` first."""
    kind_json = orjson.dumps(kind).decode()
    return '{"entity_kind":' + kind_json + ("," + body[1:] if body != "{}" else "}")


CHECKPOINT_COLUMNS: Final = OutboxColumns(
    partition_of(CHECKPOINT_STREAM),
    CHECKPOINT_STREAM,
    0,
    CHECKPOINT_STREAM,
    CHECKPOINT_STREAM,
    EventType.CHECKPOINT.value,
    0,
)
"""A checkpoint's entry columns, but its number (``version``: use ``_replace``)."""


def checkpoint_message(checkpoint: Checkpoint) -> str:
    """The message that reports ``checkpoint`` (without its position and partition)."""
    payload = {
        "root": checkpoint.root,
        "entities": checkpoint.entities,
        "events": checkpoint.events,
        "denials": checkpoint.denials,
        "previous_hash": checkpoint.previous_hash,
        "key": checkpoint.key.key_id,
    }
    return orjson.dumps(
        {
            "schema_version": OUTBOX_SCHEMA,
            "id": checkpoint.hash,
            "type": EventType.CHECKPOINT.value,
            "entity_kind": CHECKPOINT_STREAM,
            "entity_id": CHECKPOINT_STREAM,
            "version": checkpoint.sequence,
            "trigger": CHECKPOINT_STREAM,
            "source": None,
            "target": "sealed",
            "actor": checkpoint.key.key_id,
            "on_behalf_of": None,
            "at": checkpoint.at.isoformat(),
            "classification": Classification.UNCLASSIFIED.value,
            "withheld": False,
            "reason": None,
            "payload": payload,
            "entity": None,
        }
    ).decode()
