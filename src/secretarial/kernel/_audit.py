"""Audit events: the append-only, hash-chained record of every change.

Each event carries a SHA-256 hash over its content and over the hash of the entity's
previous event, so editing, deleting, reordering or inserting an event breaks the chain
and is found by ``Office.verify_audit()``.

Every event is sealed under a version of the event schema (:data:`EVENT_SCHEMA` for new
ones). The version fixes how the event is written and hashed, what its values mean, and
which rules judged the act (a rule names the version it judges from, ``Rule.since``).
An event sealed under an earlier version is read, verified and replayed under that
version, and never rewritten: the history an office recorded stays the history it
recorded, and new rules judge new acts.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from datetime import datetime
from typing import Any, Final, Self

from pydantic import Field

from ._values import Actor, KindName, Name, Timestamp, Value

__all__ = [
    "EVENT_SCHEMA",
    "Anchor",
    "AuditEvent",
    "AuditProblem",
    "AuditReport",
    "creation_digest",
    "event_digest",
]

EVENT_SCHEMA: Final = 3
"""The version of the event schema new events are sealed under.

1. Every event sealed before events carried a version (no ``schema_version`` in the
   written event). Classification identifiers were ``secret`` for 秘密 and
   ``confidential`` for 机密; read today, they are given their present names.
2. The version is written and hashed with the event; classification identifiers are the
   official English rendering (``confidential`` 秘密, ``secret`` 机密, ``top_secret`` 绝密);
   the rules that came with it (``Rule.since == 2``) judge its acts.
3. The office verbs (return, withdraw, reassign, countersign rounds, delegation) and
   their rules (``Rule.since == 3``); a joint document's review and countersignatures
   record the co-issuers' round. An act a delegate did for a principal (委托) names the
   principal (``on_behalf_of``), hashed after the version; an event of any version
   that names one is hashed with it, so it cannot be added to a sealed event.
"""


def _canonical_encoder() -> Callable[[Any], str]:
    """The canonical JSON writer: sorted keys, no spaces, non-ASCII kept.

    Equal to ``json.dumps(value, ensure_ascii=False, separators=(",", ":"),
    sort_keys=True)``. Where CPython's C encoder is available it is built once and
    called directly, which spares the encoder object ``json.dumps`` builds per call; the
    result is checked against ``json.dumps`` once at import, and the plain encoder is
    used if they ever differ.
    """
    reference = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    make = getattr(json.encoder, "c_make_encoder", None)
    if make is None:  # pragma: no cover -- CPython always has it
        return reference.encode
    try:
        # markers, default, encoder, indent, separators, sort_keys, skipkeys, allow_nan
        chunks = make(None, reference.default, _quote, None, ":", ",", True, False, True)  # noqa: FBT003 -- positional-only C signature
    except TypeError:  # pragma: no cover -- a future signature
        return reference.encode

    def encode(value: Any) -> str:
        return "".join(chunks(value, 0))

    sample = {"b": [1, 2.5, None, True, '引号"\n\u2028\U0001f600'], "a": {"z": {}, "y": []}}
    if encode(sample) != reference.encode(sample):  # pragma: no cover -- defensive
        return reference.encode
    return encode


_quote: Final[Callable[[str], str]] = json.encoder.encode_basestring
"""A string as a JSON string literal, non-ASCII kept (what ``ensure_ascii=False`` writes)."""
_canonical: Final = _canonical_encoder()

_ACTOR_TEXT: dict[int, tuple[Actor, str]] = {}
"""Canonical JSON of recently seen actors, by object identity (the actor is kept, so
its identity is not reused while the entry lives; actors are frozen)."""
_ACTOR_TEXT_LIMIT: Final = 4096


def _actor_text(actor: Actor) -> str:
    cached = _ACTOR_TEXT.get(id(actor))
    if cached is not None and cached[0] is actor:
        return cached[1]
    text = _actor_json(actor, str(actor.clearance))
    if len(_ACTOR_TEXT) >= _ACTOR_TEXT_LIMIT:
        _ACTOR_TEXT.clear()
    _ACTOR_TEXT[id(actor)] = (actor, text)
    return text


_SCHEMA_1_NAMES: Final = {"secret": "confidential", "confidential": "secret"}
"""Classification identifiers as schema 1 wrote them and as they are named now (each way:
the two names were swapped)."""
_CLASSIFIED_KEYS: Final = frozenset({"classification", "clearance"})


def schema_1_renamed(value: Any) -> Any:
    """``value`` with classification identifiers under schema 1 and today's exchanged.

    Walks the JSON form (dicts and lists) and exchanges ``secret`` and ``confidential``
    wherever they are the value of a ``classification`` or ``clearance`` key; the
    exchange is its own inverse, so it reads schema 1 values and writes them back. The
    stores' migration gives what is not sealed (entity bodies, recorded denials) the new
    names with it; sealed events are never rewritten but read through their version.
    """
    if isinstance(value, dict):
        return {
            key: (
                _SCHEMA_1_NAMES.get(str(item), item)
                if key in _CLASSIFIED_KEYS and isinstance(item, str)
                else schema_1_renamed(item)
            )
            for key, item in value.items()
        }
    if isinstance(value, list):
        return [schema_1_renamed(item) for item in value]
    return value


def _actor_json(actor: Actor, clearance: str) -> str:
    """The actor's part of the hashed content: id, name, sorted roles, clearance, unit."""
    unit = None if actor.unit is None else (actor.unit.code, actor.unit.name)
    return _canonical([actor.id, actor.name, sorted(actor.roles), clearance, unit])


def _schema_1_actor_text(actor: Actor) -> str:
    """The actor as schema 1 wrote it into the hashed content (its clearance's old name)."""
    return _actor_json(actor, _SCHEMA_1_NAMES.get(str(actor.clearance), str(actor.clearance)))


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
    schema_version: int = EVENT_SCHEMA,
    on_behalf_of: str | None = None,
) -> str:
    """The SHA-256 hash (hex) of an event's content and its predecessor's hash.

    The content is written as one canonical JSON array (sorted keys, no spaces, UTF-8):
    the actor as id, name, sorted roles, clearance and unit, the time in ISO 8601 with
    its offset, then (from schema 2) the schema version. The hash is thus the same in
    every process and after a round trip through any store. The array is written piece
    by piece (each actor's part once), byte for byte what ``json.dumps`` writes for the
    whole array. An event of schema 1 is hashed as schema 1 wrote it: its values under
    their names of that time, no version. An act done on behalf of a principal ends with
    the principal's actor id.
    """
    if schema_version == 1:
        actor_text = _schema_1_actor_text(actor)
        payload = schema_1_renamed(payload)
        tail = "]"
    else:
        actor_text = _actor_text(actor)
        tail = f",{int(schema_version)}]"
    if on_behalf_of is not None:  # never in an event before schema 3: adding one breaks it
        tail = f"{tail[:-1]},{_quote(on_behalf_of)}]"
    text = (
        f"[{_quote(str(entity_kind))},{_quote(entity_id)},{int(version)},{_quote(trigger)},"
        f"{'null' if source is None else _quote(source)},{_quote(str(target))},"
        f"{actor_text},{_quote(at.isoformat())},"
        f"{'null' if reason is None else _quote(reason)},"
        f"{_canonical(payload) if payload else '{}'},"
        f"{'null' if previous_hash is None else _quote(previous_hash)}{tail}"
    )
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class AuditEvent(Value):
    """One change to one entity: its creation or a transition.

    ``version`` is the entity's version *after* the change, so the events of an entity
    are numbered 1, 2, 3 ... and their count equals the entity's current version.
    ``source`` is None for the creation. ``payload`` is the trigger's input in JSON
    form, enough to replay the change. ``hash`` seals the event's content together with
    ``previous_hash``, the hash of the entity's previous event (None for the creation).
    ``schema_version`` is the event schema it was sealed under (:data:`EVENT_SCHEMA`
    for new events). Read stored events with :meth:`from_json`: an event written
    without a version was sealed under schema 1, and is read with its version stated and
    its values under their present names; it is hashed as schema 1 wrote it.
    """

    entity_kind: KindName
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
    on_behalf_of: Name | None = Field(default=None, exclude_if=lambda value: value is None)
    """The principal a delegate acted for (委托): ``actor`` did it on their behalf. Written
    only when there is one, so an event without it is written as it always was."""
    hash: str = ""
    schema_version: int = Field(ge=1, le=EVENT_SCHEMA)

    @classmethod
    def from_json(cls, text: str | bytes) -> Self:
        """Read an event as a store wrote it, under the schema it was sealed under.

        An event written by this version of the library ends with its schema version
        and is validated straight from the text. One written without a version was
        sealed under schema 1: its classification values are given their present names
        and its version is stated, so that it means today what it meant then (its hash
        is computed as schema 1 wrote it).

        Raises:
            pydantic.ValidationError: The text is not an audit event.
        """
        tail = text[-40:]
        if b'"schema_version":' in tail if isinstance(tail, bytes) else '"schema_version":' in tail:
            return cls.model_validate_json(text)
        data = json.loads(text)
        if isinstance(data, dict) and "schema_version" not in data:
            data = _schema_1_read(data)
        return cls.model_validate(data)

    @classmethod
    def sealed(cls, **fields: Any) -> Self:
        """Make an event with its ``hash`` computed from the other fields.

        The fields are hashed as given, so give them as the event will hold them
        (ids and reasons already stripped): :attr:`is_sealed` then holds. The event is
        sealed under :data:`EVENT_SCHEMA` unless ``schema_version`` says otherwise.
        """
        fields.setdefault("schema_version", EVENT_SCHEMA)
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
            schema_version=fields["schema_version"],
            on_behalf_of=fields.get("on_behalf_of"),
        )
        return cls(**{**fields, "hash": digest})

    def expected_hash(self) -> str:
        """The hash this event's content and ``previous_hash`` call for."""
        return event_digest(
            entity_kind=str(self.entity_kind),
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
            schema_version=self.schema_version,
            on_behalf_of=self.on_behalf_of,
        )

    @property
    def is_sealed(self) -> bool:
        """Whether ``hash`` matches the content (False if the event was altered)."""
        return self.hash == self.expected_hash()

    @property
    def is_creation(self) -> bool:
        """Whether this event created the entity."""
        return self.source is None


def _schema_1_read(data: dict[str, Any]) -> dict[str, Any]:
    """The fields of an event as written under schema 1, with today's names."""
    fields = {**data, "schema_version": 1}
    if isinstance(fields.get("actor"), dict):
        fields["actor"] = schema_1_renamed(fields["actor"])
    if isinstance(fields.get("payload"), dict):
        fields["payload"] = schema_1_renamed(fields["payload"])
    return fields


_EVENT_FIELDS_SET: Final = set(AuditEvent.model_fields)
"""The fields set of a sealed event: all of them. Shared, never changed in place (pydantic
copies it before changing a copy's)."""
_set_attribute = object.__setattr__


def seal_validated(
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
    schema_version: int = EVENT_SCHEMA,
    on_behalf_of: str | None = None,
) -> AuditEvent:
    """Make a sealed event from values the workflow has already validated.

    What :meth:`AuditEvent.sealed` does without validating again: the entity's id, a trigger of
    its table, the validated actor, an aware time, a stripped reason and the JSON
    form of the validated input. Use :meth:`AuditEvent.sealed` for anything else.
    ``schema_version`` is :data:`EVENT_SCHEMA` but when an earlier event is replayed.
    """
    values: dict[str, Any] = {
        "entity_kind": entity_kind,
        "entity_id": entity_id,
        "version": version,
        "trigger": trigger,
        "source": source,
        "target": target,
        "actor": actor,
        "at": at,
        "reason": reason,
        "payload": payload,
        "previous_hash": previous_hash,
    }
    digest = event_digest(**values, schema_version=schema_version, on_behalf_of=on_behalf_of)
    values["on_behalf_of"] = on_behalf_of
    values["hash"] = digest
    values["schema_version"] = schema_version
    event = AuditEvent.__new__(AuditEvent)
    _set_attribute(event, "__dict__", values)
    _set_attribute(event, "__pydantic_fields_set__", _EVENT_FIELDS_SET)
    _set_attribute(event, "__pydantic_extra__", None)
    _set_attribute(event, "__pydantic_private__", None)
    return event


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
            (fewer entities than an anchor covered), ``anchor_broken``,
            ``column_mismatch`` (an indexed column disagrees with the stored body),
            ``denial_edited`` and ``denial_chain_broken`` (the access-denials log),
            and against a checkpoint: ``truncated`` (events removed from a trail's
            end), ``rewritten`` (a sealed event replaced), ``entity_deleted``,
            ``entity_added``, ``denials_removed``, ``denials_rewritten``,
            ``counter_rolled_back``, ``rolled_back`` (the database put back to an
            older copy), ``checkpoint_broken`` and ``checkpoint_forged`` (a checkpoint
            edited, removed, or made without the key).
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
        checkpoints: How many checkpoints were checked (the office's own and those
            given to check it against).
        problems: Every break found; empty when the record verifies clean.
        warnings: What could not be checked, without being found broken (a checkpoint
            whose key is not at hand: losing a key loses its signatures, not the chain).
    """

    entities: int
    events: int
    anchors: int
    checkpoints: int = 0
    problems: tuple[AuditProblem, ...] = ()
    warnings: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        """Whether the record verified clean."""
        return not self.problems

    def __str__(self) -> str:
        head = (
            f"checked {self.entities} entities, {self.events} events, {self.anchors} anchors, "
            f"{self.checkpoints} checkpoints: "
        )
        notes = "".join(f"\n  ! {w}" for w in self.warnings)
        if self.ok:
            return head + "clean" + notes
        return (
            head
            + f"{len(self.problems)} problems\n"
            + "\n".join(f"  - {p}" for p in self.problems)
            + notes
        )
