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
from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any, Final, NamedTuple, Self

import orjson
from pydantic import Field

from secretarial.errors import FieldProblem, ValidationError

from ._values import Actor, KindName, Name, Timestamp, Value

if TYPE_CHECKING:
    from ._entity import Entity

__all__ = [
    "CANONICAL_SINCE",
    "EVENT_SCHEMA",
    "SAFE_INTEGER",
    "Anchor",
    "AuditEvent",
    "AuditProblem",
    "AuditRecord",
    "AuditReport",
    "canonical_json",
    "canonical_problems",
    "creation_digest",
    "event_digest",
]

EVENT_SCHEMA: Final = 4
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
4. Digests follow the written canonical form (:func:`canonical_json`, RFC 8785's form
   for the values the audit holds), and a payload holds only what that form holds:
   text, integers within ±(2**53 - 1), true, false, null, arrays and objects with text
   keys. For those values the bytes hashed are the ones schema 3 hashed.
"""


CANONICAL_SINCE: Final = 4
"""The first event schema whose digests follow the written canonical form (docs/audit.md)
and whose payloads hold only what it holds."""
SAFE_INTEGER: Final = 2**53 - 1
"""The largest integer the canonical form holds (and its negative the smallest): every
integer a JSON reader that takes numbers as IEEE doubles reads back exactly."""


def canonical_json(value: Any) -> bytes:
    """``value`` in the canonical form of the audit's digests, as UTF-8 bytes.

    The form is written out in docs/audit.md ("Canonical form"): object keys sorted by
    code point, no whitespace, text kept as it is but for the escapes JSON requires, and
    integers in decimal. It is RFC 8785's form for the values the audit holds (text,
    integers of at most 53 bits, true, false, null, arrays and objects with text keys).
    Written by orjson, a compiled encoder whose output for those values is byte for byte
    what ``json.dumps(value, ensure_ascii=False, separators=(",", ":"), sort_keys=True)``
    writes; the tests hold it to both.

    Raises:
        ValidationError: ``value`` holds what the form has no place for (a lone
            surrogate, a key that is not text, a number outside 64 bits).
    """
    try:
        return orjson.dumps(value, option=orjson.OPT_SORT_KEYS)
    except orjson.JSONEncodeError as error:
        raise ValidationError(
            "canonical JSON",
            [FieldProblem("(value)", "canonical_json", str(error), _CANONICAL_ACCEPTED)],
        ) from None


_CANONICAL_ACCEPTED: Final = (
    "text (no lone surrogates), integers within ±(2**53 - 1), true, false, null, "
    "arrays, and objects with text keys"
)

_legacy_json: Final = json.JSONEncoder(
    ensure_ascii=False, separators=(",", ":"), sort_keys=True
).encode
"""How events of schema 1 to 3 were written into their digests, for a payload that holds
a value the canonical form does not (a float a plugin gave, say)."""


def canonical_problems(value: Any, path: str = "payload") -> list[FieldProblem]:
    """Where ``value`` leaves the canonical form: one problem per value it has no place for.

    An event sealed under schema 4 or later holds only what the form holds, so that its
    digest is the same in every reader: a float, an integer beyond ±(2**53 - 1), a key
    that is not text or text with a lone surrogate is refused when the event is sealed.
    """
    if _fits(value):
        return []
    problems: list[FieldProblem] = []
    _walk(value, path, problems)
    return problems


def _fits(value: Any) -> bool:
    """Whether the canonical form holds ``value`` (the quick check; ``_walk`` says why not)."""
    kind = type(value)
    if kind is str:
        return value.isascii() or _well_formed(value)
    if kind is dict:
        return all(type(key) is str and _fits(key) and _fits(item) for key, item in value.items())
    if kind is list:
        return all(_fits(item) for item in value)
    if kind is int:
        return bool(-SAFE_INTEGER <= value <= SAFE_INTEGER)
    return kind is bool or value is None


def _walk(value: Any, path: str, problems: list[FieldProblem]) -> None:
    kind = type(value)
    if kind is dict:
        for key, item in value.items():
            if type(key) is not str:
                problems.append(
                    FieldProblem(path, "canonical_json", f"key {key!r} is not text", "text keys")
                )
            elif not _well_formed(key):
                problems.append(FieldProblem(path, "unicode_text", _SURROGATE, _TEXT_ACCEPTED))
            _walk(item, f"{path}.{key}", problems)
    elif kind is list:
        for index, item in enumerate(value):
            _walk(item, f"{path}.{index}", problems)
    elif (problem := _scalar_problem(value, path)) is not None:
        problems.append(problem)


def _scalar_problem(value: Any, path: str) -> FieldProblem | None:
    kind = type(value)
    if kind is str:
        return (
            None
            if _well_formed(value)
            else FieldProblem(path, "unicode_text", _SURROGATE, _TEXT_ACCEPTED)
        )
    if kind is bool or value is None:
        return None
    if kind is int:
        if -SAFE_INTEGER <= value <= SAFE_INTEGER:
            return None
        return FieldProblem(
            path,
            "canonical_json",
            f"{value} is outside the integers the audit holds exactly",
            "integers within ±(2**53 - 1); give larger ones as text",
        )
    return FieldProblem(
        path,
        "canonical_json",
        f"a {kind.__name__} has no canonical form",
        "text, integers, true, false, null, arrays and objects; give a decimal "
        "number as text ('12.50') or in its smallest unit (1250 fen)",
    )


def _well_formed(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


_SURROGATE: Final = "holds a lone surrogate (half of a UTF-16 pair), which no text can store"
_TEXT_ACCEPTED: Final = "text of whole Unicode characters"


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


def _actor_list(actor: Actor, clearance: str) -> list[Any]:
    """The actor's part of the hashed content: id, name, sorted roles, clearance, unit."""
    unit = None if actor.unit is None else [actor.unit.code, actor.unit.name]
    return [actor.id, actor.name, sorted(actor.roles), clearance, unit]


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
    sealing: bool = False,
) -> str:
    """The SHA-256 hash (hex) of an event's content and its predecessor's hash.

    The content is one JSON array in the canonical form (:func:`canonical_json`,
    docs/audit.md): kind, id, version, trigger, source, target, the actor as id, name,
    sorted roles, clearance and unit, the time in ISO 8601 with its offset, the reason,
    the payload, the previous hash, then (from schema 2) the schema version, and the
    principal's actor id for an act done on behalf of one. The hash is thus the same in
    every process and after a round trip through any store. An event of schema 1 is
    hashed as schema 1 wrote it: its values under their names of that time, no version.
    An event of schema 1 to 3 whose payload holds a value the form has no place for (a
    float) is hashed as ``json.dumps(..., ensure_ascii=False, separators=(",", ":"),
    sort_keys=True)`` wrote it then; for every other value the two are the same bytes.

    Raises:
        ValidationError: ``sealing`` an event of schema 4 or later whose content the
            canonical form cannot hold (a float or a huge integer in the payload, a
            lone surrogate); verifying one, the digest is one no sealed event has.
    """
    clearance = str(actor.clearance)
    if schema_version == 1:
        clearance = _SCHEMA_1_NAMES.get(clearance, clearance)
        payload = schema_1_renamed(payload)
    content: list[Any] = [
        str(entity_kind),
        entity_id,
        int(version),
        trigger,
        source,
        str(target),
        _actor_list(actor, clearance),
        at.isoformat(),
        reason,
        payload,
        previous_hash,
    ]
    if schema_version != 1:
        content.append(int(schema_version))
    if on_behalf_of is not None:  # never in an event before schema 3: adding one breaks it
        content.append(on_behalf_of)
    if schema_version < CANONICAL_SINCE:
        if canonical_problems(payload):  # a value of a plugin's the form has no place for
            return _sha256(_legacy_json(content).encode("utf-8", "surrogatepass"))
    elif sealing and (problems := canonical_problems(payload)):
        raise ValidationError("AuditEvent", problems)
    try:
        return _sha256(orjson.dumps(content, option=orjson.OPT_SORT_KEYS))
    except orjson.JSONEncodeError:
        if sealing:
            canonical_json(content)  # raises, naming what the form has no place for
        # Only a row edited outside the library holds such text: it gets a digest no
        # sealed event has, and verification reports it.
        return _sha256(_legacy_json(content).encode("utf-8", "surrogatepass"))


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


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
            sealing=True,
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
    digest = event_digest(
        **values, schema_version=schema_version, on_behalf_of=on_behalf_of, sealing=True
    )
    values["on_behalf_of"] = on_behalf_of
    values["hash"] = digest
    values["schema_version"] = schema_version
    event = AuditEvent.__new__(AuditEvent)
    _set_attribute(event, "__dict__", values)
    _set_attribute(event, "__pydantic_fields_set__", _EVENT_FIELDS_SET)
    _set_attribute(event, "__pydantic_extra__", None)
    _set_attribute(event, "__pydantic_private__", None)
    return event


class AuditRecord(NamedTuple):
    """One entity id as verification reads it from a store: its record and its events.

    Attributes:
        entity_id: The id.
        seq: The store's sequence number of the record (creation order); None when
            there is no record.
        entity: The stored record, or None when events name an id no record has.
        trail: Its stored events in order, None for one that cannot be read as an event.
    """

    entity_id: str
    seq: int | None
    entity: Entity | None
    trail: Sequence[AuditEvent | None]


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
