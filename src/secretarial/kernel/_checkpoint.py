"""Checkpoints: a signed seal over everything an office has recorded, at one moment.

An entity's hash chain shows an event edited, removed or moved *within* its trail, but
not a trail cut short at its end with the record set back to match, a whole entity
removed, the access-denials log emptied, or the whole database put back to an older
copy. A checkpoint commits to all of it at once:

- every entity's audit head and event count, as the leaves of a Merkle tree (the tree
  hash of RFC 6962, section 2.1), so that one entity's inclusion can be shown with a
  short proof, without the rest;
- the access-denials log's head and length (the log is a hash chain of its own);
- the numbering counters;
- the previous checkpoint's hash (the checkpoints form a chain too).

It is signed with a key the host holds (see ``secretarial.engine._keys``): whoever can
write the database but does not hold the key cannot make a checkpoint that verifies. A
checkpoint kept outside the database (a file, another system) is what
``Office.verify_audit(against=...)`` is given; rolling the database back to an older
copy rolls its own checkpoints back too, but not the one kept elsewhere.
"""

from __future__ import annotations

import hashlib
import json
import zlib
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC
from typing import Final, NamedTuple, Self

import pydantic
from pydantic import ConfigDict, Field

from secretarial.errors import UsageError, ValidationError

from ._audit import canonical_json
from ._values import Timestamp, Value

__all__ = [
    "Checkpoint",
    "CheckpointLeaf",
    "CheckpointState",
    "CounterValue",
    "InclusionProof",
    "KeyRecord",
    "LeafReader",
    "encode_delta",
    "encode_leaves",
    "leaf_hash",
    "merkle_root",
]

_LEAF: Final = b"\x00"
_NODE: Final = b"\x01"
CHECKPOINT_FORMAT: Final = 1
"""The version of how a checkpoint is written, hashed and signed."""


def _canonical(value: object) -> bytes:
    """Sorted keys, no spaces, non-ASCII kept, UTF-8: the bytes a checkpoint signs."""
    return canonical_json(value)


class CheckpointLeaf(NamedTuple):
    """One entity as a checkpoint saw it: its id, kind, event count and audit head."""

    entity_id: str
    kind: str
    events: int
    head: str


def leaf_hash(leaf: CheckpointLeaf) -> bytes:
    """The Merkle leaf hash of one entity: SHA-256 over ``0x00`` and its canonical form."""
    return hashlib.sha256(_LEAF + _canonical(list(leaf))).digest()


def _node(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(_NODE + left + right).digest()


def merkle_root(hashes: Sequence[bytes]) -> str:
    """The Merkle tree hash (RFC 6962, 2.1) of leaf hashes, in hex.

    Built a level at a time: pairs are joined and an odd last node moves up unchanged,
    which is the same tree RFC 6962's split at the largest power of two makes. The tree
    of no leaves hashes the empty string.
    """
    if not hashes:
        return hashlib.sha256(b"").hexdigest()
    level = list(hashes)
    while len(level) > 1:
        paired = [_node(level[i], level[i + 1]) for i in range(0, len(level) - 1, 2)]
        if len(level) % 2:
            paired.append(level[-1])
        level = paired
    return level[0].hex()


def _audit_path(hashes: Sequence[bytes], index: int) -> list[bytes]:
    """The sibling hashes from leaf ``index`` up to the root (RFC 6962's audit path)."""
    path: list[bytes] = []
    level = list(hashes)
    while len(level) > 1:
        sibling = index ^ 1
        if sibling < len(level):
            path.append(level[sibling])
        paired = [_node(level[i], level[i + 1]) for i in range(0, len(level) - 1, 2)]
        if len(level) % 2:
            paired.append(level[-1])
        level = paired
        index //= 2
    return path


class InclusionProof(Value):
    """That one entity, as it stood, is among a checkpoint's leaves.

    Checking it needs only the checkpoint's root: not the other entities.

    Attributes:
        checkpoint: The checkpoint's sequence number.
        leaf: The entity as the checkpoint saw it (id, kind, event count, head).
        index: The leaf's place among the checkpoint's leaves (ordered by entity id).
        size: How many leaves the checkpoint has.
        path: The sibling hashes from the leaf up to the root, in hex.
    """

    model_config = ConfigDict(str_strip_whitespace=False)  # ids and hashes as they are

    checkpoint: int = Field(ge=1)
    leaf: CheckpointLeaf
    index: int = Field(ge=0)
    size: int = Field(ge=1)
    path: tuple[str, ...]

    @classmethod
    def build(cls, checkpoint: int, leaves: Sequence[CheckpointLeaf], entity_id: str) -> Self:
        """The proof of ``entity_id`` among ``leaves`` (ordered by id, as a checkpoint keeps).

        Raises:
            UsageError: The checkpoint holds no entity with that id.
        """
        index = next((i for i, leaf in enumerate(leaves) if leaf.entity_id == entity_id), None)
        if index is None:
            raise UsageError(f"checkpoint {checkpoint} holds no entity {entity_id!r}")
        hashes = [leaf_hash(leaf) for leaf in leaves]
        return cls(
            checkpoint=checkpoint,
            leaf=leaves[index],
            index=index,
            size=len(leaves),
            path=tuple(h.hex() for h in _audit_path(hashes, index)),
        )

    def root(self) -> str:
        """The root the proof leads to (compare it with the checkpoint's ``root``)."""
        node = leaf_hash(self.leaf)
        index, size = self.index, self.size
        path = [bytes.fromhex(h) for h in self.path]
        while size > 1:
            if index % 2:
                node = _node(path.pop(0), node)
            elif index + 1 < size:
                node = _node(node, path.pop(0))
            index //= 2
            size = (size + 1) // 2
        return node.hex() if not path else ""

    def proves(self, checkpoint: Checkpoint) -> bool:
        """Whether the proof shows its entity among ``checkpoint``'s leaves."""
        return (
            checkpoint.sequence == self.checkpoint
            and checkpoint.entities == self.size
            and self.root() == checkpoint.root
        )


class CounterValue(NamedTuple):
    """A numbering counter's value: its series, its key (a year, say) and the last number."""

    series: str
    key: str
    value: int


class KeyRecord(Value):
    """A signing key as a checkpoint names it.

    Attributes:
        key_id: The key's identifier (derived from the key; never the secret).
        algorithm: ``ed25519`` or ``hmac-sha256``.
        public: The Ed25519 public key (32 bytes, hex) so that a verifier can learn the
            next key from a signed rotation; None for a shared secret.
    """

    key_id: str = Field(min_length=1, max_length=200)
    algorithm: str
    public: str | None = None


class Checkpoint(Value):
    """A signed seal over the whole office at one moment.

    Attributes:
        sequence: 1, 2, 3 ... in the order checkpoints were made.
        at: When it was made.
        entities: How many entities it covers (the leaves).
        events: How many audit events they had.
        last_entity: The store's sequence number of the newest entity covered.
        root: The Merkle root over the entities' leaves (hex).
        denials: How many access denials had been recorded.
        denials_head: The hash of the last of them (None if none was chained).
        counters: Every numbering counter's value.
        previous_hash: The previous checkpoint's ``hash`` (None for the first).
        key: The key that signed it.
        next_key: Set on a key rotation: the key the next checkpoints are signed with.
        signature: The signature over the content (hex).
        hash: SHA-256 over the content and the signature.
        format: How the checkpoint is written and signed (:data:`CHECKPOINT_FORMAT`).
    """

    model_config = ConfigDict(str_strip_whitespace=False)  # counter keys as they are

    sequence: int = Field(ge=1)
    at: Timestamp
    entities: int = Field(ge=0)
    events: int = Field(ge=0)
    last_entity: int = Field(ge=0)
    root: str
    denials: int = Field(ge=0)
    denials_head: str | None = None
    counters: tuple[CounterValue, ...] = ()
    previous_hash: str | None = None
    key: KeyRecord
    next_key: KeyRecord | None = None
    signature: str = ""
    hash: str = ""
    format: int = CHECKPOINT_FORMAT

    def content(self) -> bytes:
        """The bytes the signature covers: every field but ``signature`` and ``hash``."""
        return _canonical(
            {
                "format": self.format,
                "sequence": self.sequence,
                "at": self.at.astimezone(UTC).isoformat(),
                "entities": self.entities,
                "events": self.events,
                "last_entity": self.last_entity,
                "root": self.root,
                "denials": self.denials,
                "denials_head": self.denials_head,
                "counters": [list(c) for c in self.counters],
                "previous_hash": self.previous_hash,
                "key": self.key.model_dump(mode="json"),
                "next_key": None
                if self.next_key is None
                else self.next_key.model_dump(mode="json"),
            }
        )

    def expected_hash(self) -> str:
        """The hash this checkpoint's content and signature call for."""
        return hashlib.sha256(self.content() + self.signature.encode("ascii")).hexdigest()

    def counter(self, series: str, key: str) -> int | None:
        """The value a counter had, or None if it did not exist yet."""
        return next((c.value for c in self.counters if (c.series, c.key) == (series, key)), None)

    def to_json(self) -> str:
        """The checkpoint as JSON, to keep outside the office (:meth:`from_json` reads it)."""
        return self.model_dump_json(indent=2)

    @classmethod
    def from_json(cls, text: str | bytes) -> Self:
        """Read a checkpoint written by :meth:`to_json`.

        Raises:
            ValidationError: The text is not a checkpoint (the fields that do not fit).
        """
        from ._workflow import problems_from_pydantic  # noqa: PLC0415 -- a refusal only

        try:
            return cls.model_validate_json(text)
        except pydantic.ValidationError as e:
            raise ValidationError(cls.__name__, problems_from_pydantic(e)) from None


class CheckpointState(NamedTuple):
    """What a store holds that a checkpoint seals, read at one moment.

    Attributes:
        leaves: Every entity's leaf, ordered by entity id (code point order).
        last_entity: The store's sequence number of its newest entity (0 if none).
        denials: How many access denials are recorded.
        denials_head: The last recorded denial's hash (None if none is chained).
        counters: Every numbering counter's value, ordered by series and key.
    """

    leaves: list[CheckpointLeaf]
    last_entity: int
    denials: int
    denials_head: str | None
    counters: tuple[CounterValue, ...]


def encode_leaves(leaves: Iterable[CheckpointLeaf]) -> bytes:
    """A checkpoint's leaves, whole, as the stores keep them beside the newest: compressed JSON."""
    return zlib.compress(_canonical({"leaves": [list(leaf) for leaf in leaves]}), 6)


def encode_delta(
    older: Iterable[CheckpointLeaf], newer: Iterable[CheckpointLeaf], base: int
) -> bytes:
    """An older checkpoint's leaves as what differs from checkpoint ``base``'s (``newer``).

    Only the newest checkpoint keeps its leaves whole; each one before it keeps the
    leaves it had that the next one does not (changed or gone) and the ids the next one
    added, so a checkpoint on every sweep costs the store what changed, not the office.
    """
    then = {leaf.entity_id: leaf for leaf in older}
    now = {leaf.entity_id: leaf for leaf in newer}
    changed = [list(leaf) for entity_id, leaf in then.items() if now.get(entity_id) != leaf]
    added = sorted(set(now) - set(then))
    return zlib.compress(_canonical({"base": base, "set": changed, "drop": added}), 6)


def _leaf(row: Sequence[object]) -> CheckpointLeaf:
    entity_id, kind, events, head = row
    if not (isinstance(entity_id, str) and isinstance(kind, str) and isinstance(head, str)):
        raise TypeError("a leaf is [id, kind, events, head]")
    if not isinstance(events, int) or isinstance(events, bool):
        raise TypeError("a leaf's event count is a whole number")
    return CheckpointLeaf(entity_id, kind, events, head)


class LeafReader:
    """Reads checkpoints' leaves from a store, following the deltas to the whole ones.

    Args:
        read: The store's ``checkpoint_leaves``: the kept bytes of a checkpoint, or None.
    """

    def __init__(self, read: Callable[[int], bytes | None]) -> None:
        self._read = read
        self._found: dict[int, list[CheckpointLeaf] | None] = {}

    def leaves(self, sequence: int) -> list[CheckpointLeaf] | None:
        """Checkpoint ``sequence``'s leaves, ordered by id; None if they cannot be read."""
        chain: list[tuple[int, dict[str, object]]] = []
        current = sequence
        resolved: list[CheckpointLeaf] | None = None
        while current not in self._found:
            kept = self._parsed(current)
            if kept is None:
                resolved = None
                break
            if "leaves" in kept:
                resolved = self._found[current] = self._whole(kept)
                break
            base = kept.get("base")
            if not isinstance(base, int) or base <= current:
                resolved = None
                break
            chain.append((current, kept))
            current = base
        else:
            resolved = self._found[current]
        for at, delta in reversed(chain):
            resolved = None if resolved is None else self._applied(resolved, delta)
            self._found[at] = resolved
        return self._found.get(sequence, resolved)

    def _parsed(self, sequence: int) -> dict[str, object] | None:
        data = self._read(sequence)
        if data is None:
            return None
        try:
            kept = json.loads(zlib.decompress(data))
        except (ValueError, zlib.error):
            return None
        return kept if isinstance(kept, dict) else None

    @staticmethod
    def _whole(kept: dict[str, object]) -> list[CheckpointLeaf] | None:
        rows = kept.get("leaves")
        try:
            return [_leaf(row) for row in rows] if isinstance(rows, list) else None
        except (TypeError, ValueError):
            return None

    @staticmethod
    def _applied(
        newer: list[CheckpointLeaf], delta: dict[str, object]
    ) -> list[CheckpointLeaf] | None:
        changed, added = delta.get("set"), delta.get("drop")
        if not isinstance(changed, list) or not isinstance(added, list):
            return None
        try:
            then = {leaf.entity_id: leaf for leaf in newer}
            for entity_id in added:
                then.pop(str(entity_id), None)
            for row in changed:
                leaf = _leaf(row)
                then[leaf.entity_id] = leaf
        except (TypeError, ValueError):
            return None
        return sorted(then.values())
