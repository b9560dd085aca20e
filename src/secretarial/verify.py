"""Verifying the audit record, anchoring it and checkpointing it (tamper evidence)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

from secretarial.engine._keys import SigningKey, VerifyKey
from secretarial.engine._ports import Store
from secretarial.errors import SecretarialError, UsageError
from secretarial.kernel._access import AccessDenial
from secretarial.kernel._audit import Anchor, AuditEvent, AuditProblem, AuditReport, creation_digest
from secretarial.kernel._checkpoint import (
    Checkpoint,
    CheckpointLeaf,
    KeyRecord,
    LeafReader,
    encode_delta,
    encode_leaves,
    leaf_hash,
    merkle_root,
)
from secretarial.kernel._entity import Entity
from secretarial.kernel._workflow import Workflow

__all__ = ["make_anchor", "make_checkpoint", "verify_records"]


def _creations(
    records: Sequence[tuple[int, str]],
    heads: Mapping[str, Sequence[str | None]],
    up_to: int,
) -> list[tuple[str, str]]:
    """``(entity id, creation-event hash)`` of the records numbered up to ``up_to``.

    ``records`` are ``(sequence number, id)`` in creation order; ``heads`` each id's
    event hashes in order (None for an unreadable event).
    """
    pairs = []
    for seq, entity_id in records:
        if seq > up_to:
            break
        trail = heads.get(entity_id) or [None]
        first = trail[0]
        pairs.append((entity_id, first if first is not None else ""))
    return pairs


def _hashes(trail: Sequence[AuditEvent | None]) -> tuple[str | None, ...]:
    """A trail's event hashes: a tuple of text, which the cycle collector need not visit."""
    return tuple([None if event is None else event.hash for event in trail])


def make_anchor(store: Store, now: datetime) -> Anchor:
    """Seal the store as it is now: which entities exist, by their creation events."""
    records: list[tuple[int, str]] = []
    heads: dict[str, tuple[str | None, ...]] = {}
    for entity_id, seq, _, trail in store.audit_stream():  # a trail at a time, as verify
        if seq is not None:
            records.append((seq, entity_id))
        heads[entity_id] = _hashes(trail[:1])  # the creation is all an anchor seals
    records.sort()
    anchors = store.anchors()
    last = records[-1][0] if records else 0
    previous = anchors[-1].hash if anchors else None
    anchor = Anchor(
        sequence=len(anchors) + 1,
        at=now,
        last_entity=last,
        entity_count=len(records),
        digest=creation_digest(_creations(records, heads, last)),
        previous_hash=previous,
    )
    anchor = anchor.model_copy(update={"hash": anchor.expected_hash()})
    store.add_anchor(anchor)
    return anchor


def _check_chain(
    entity_id: str, trail: Sequence[AuditEvent | None]
) -> tuple[list[AuditProblem], str | None]:
    """Check versions, seals and links of one trail; return the problems and its head."""
    problems: list[AuditProblem] = []
    previous: str | None = None
    for position, event in enumerate(trail, start=1):
        if event is None:
            problems.append(
                AuditProblem(
                    kind="edited",
                    entity_id=entity_id,
                    version=position,
                    detail="the stored event is not a readable audit event",
                )
            )
            previous = None
            continue
        found: list[tuple[str, str]] = []
        if event.version != position:
            found.append(
                (
                    "out_of_order",
                    (
                        f"event number {position} has version {event.version}: an event "
                        "was deleted, inserted or moved"
                    ),
                )
            )
        if not event.is_sealed:
            found.append(("edited", "the event's content does not match its hash"))
        if event.previous_hash != previous:
            found.append(
                (
                    "chain_broken",
                    "the event does not follow the one before it (deleted, inserted or moved)",
                )
            )
        problems.extend(
            AuditProblem(kind=k, entity_id=entity_id, version=event.version, detail=d)
            for k, d in found
        )
        previous = event.hash
    return problems, previous


def _check_state(
    entity: Entity, trail: Sequence[AuditEvent | None], head: str | None, workflow: Workflow[Any]
) -> list[AuditProblem]:
    """Check that the stored record is what its (intact) events make."""
    if entity.version != len(trail) or entity.audit_head != head:
        return [
            AuditProblem(
                kind="head_mismatch",
                entity_id=entity.id,
                detail=(
                    f"the record is at version {entity.version} with head "
                    f"{(entity.audit_head or '')[:12]}, its last event is version {len(trail)}"
                ),
            )
        ]
    try:
        replayed = workflow.replay([e for e in trail if e is not None])
    except (SecretarialError, ValueError) as e:
        return [
            AuditProblem(
                kind="state_mismatch", entity_id=entity.id, detail=f"the events do not replay: {e}"
            )
        ]
    if replayed == entity:
        return []
    changed = sorted(
        name
        for name in type(entity).model_fields
        if getattr(replayed, name) != getattr(entity, name)
    )
    return [
        AuditProblem(
            kind="state_mismatch",
            entity_id=entity.id,
            detail=f"the stored record differs from its replayed events in {', '.join(changed)}",
        )
    ]


def _check_trail(
    entity_id: str,
    entity: Entity | None,
    trail: Sequence[AuditEvent | None],
    workflow: Workflow[Any] | None,
) -> list[AuditProblem]:
    if entity is None:
        problems = [
            AuditProblem(
                kind="events_without_entity",
                entity_id=entity_id,
                detail=f"{len(trail)} audit events but no record",
            )
        ]
        return problems + _check_chain(entity_id, trail)[0]
    if not trail:
        return [
            AuditProblem(
                kind="entity_without_events",
                entity_id=entity_id,
                detail="a record with no audit events",
            )
        ]
    problems, head = _check_chain(entity_id, trail)
    if problems or workflow is None:
        return problems
    return _check_state(entity, trail, head, workflow)


def _expected_signer(previous: Checkpoint | None) -> KeyRecord | None:
    """The key the checkpoint after ``previous`` must be signed with (None: any)."""
    if previous is None:
        return None
    return previous.next_key if previous.next_key is not None else previous.key


def make_checkpoint(
    store: Store, now: datetime, key: SigningKey, *, rotate_to: VerifyKey | None = None
) -> Checkpoint:
    """Seal everything the store holds now, signed with ``key``; keep it with its leaves.

    With ``rotate_to``, the checkpoint records that the next ones are signed with that
    key (the rotation is signed by the key it replaces).

    Raises:
        UsageError: ``key`` is not the one the last checkpoint says signs next.
        ConcurrencyConflict: Another process made the checkpoint of that number first.
    """
    state = store.checkpoint_state()
    kept = store.checkpoints()
    last = kept[-1] if kept else None
    expected = _expected_signer(last)
    if expected is not None and expected.key_id != key.record.key_id:
        raise UsageError(
            f"checkpoint {last.sequence if last else 0} says the next checkpoint is signed "
            f"with the key {expected.key_id}, not {key.record.key_id}; to change keys, "
            "make a checkpoint with the current key and rotate_to= the new one"
        )
    leaves = state.leaves
    checkpoint = Checkpoint(
        sequence=last.sequence + 1 if last is not None else 1,
        at=now,
        entities=len(leaves),
        events=sum(leaf.events for leaf in leaves),
        last_entity=state.last_entity,
        root=merkle_root([leaf_hash(leaf) for leaf in leaves]),
        denials=state.denials,
        denials_head=state.denials_head,
        counters=state.counters,
        previous_hash=last.hash if last is not None else None,
        key=key.record,
        next_key=rotate_to.record if rotate_to is not None else None,
    )
    signed = checkpoint.model_copy(update={"signature": key.sign(checkpoint.content()).hex()})
    signed = signed.model_copy(update={"hash": signed.expected_hash()})
    before = None if last is None else LeafReader(store.checkpoint_leaves).leaves(last.sequence)
    store.add_checkpoint(
        signed,
        encode_leaves(leaves),
        previous_leaves=(
            None
            if last is None or before is None
            else encode_delta(before, leaves, signed.sequence)
        ),
    )
    return signed


class _Keyring:
    """The keys at hand, by id, and those a signed rotation made known."""

    def __init__(self, keys: Iterable[VerifyKey]) -> None:
        self._keys: dict[str, VerifyKey] = {key.record.key_id: key for key in keys}

    def learn(self, record: KeyRecord | None) -> None:
        """Trust a key a verified checkpoint named as the next (its public key, if any)."""
        if record is None or record.key_id in self._keys or record.public is None:
            return
        from secretarial.engine._keys import Ed25519VerifyKey  # noqa: PLC0415 -- optional extra

        try:
            key = Ed25519VerifyKey(bytes.fromhex(record.public))
        except (SecretarialError, ValueError):
            return
        if key.record.key_id == record.key_id:
            self._keys[record.key_id] = key

    def check(self, checkpoint: Checkpoint) -> bool | None:
        """Whether the signature is good; None if its key is not at hand."""
        key = self._keys.get(checkpoint.key.key_id)
        if key is None or key.record.algorithm != checkpoint.key.algorithm:
            return None
        try:
            signature = bytes.fromhex(checkpoint.signature)
        except ValueError:
            return False
        return key.verify(checkpoint.content(), signature)


def _problem(kind: str, detail: str, entity_id: str | None = None) -> AuditProblem:
    return AuditProblem(kind=kind, entity_id=entity_id, detail=detail)


def _check_signature(
    checkpoint: Checkpoint, keyring: _Keyring, warnings: list[str], where: str
) -> list[AuditProblem]:
    if checkpoint.hash != checkpoint.expected_hash():
        return [
            _problem(
                "checkpoint_broken",
                f"{where} checkpoint {checkpoint.sequence} does not match its hash: it was edited",
            )
        ]
    good = keyring.check(checkpoint)
    if good is None:
        warnings.append(
            f"{where} checkpoint {checkpoint.sequence} is signed with the key "
            f"{checkpoint.key.key_id}, which is not at hand: its signature was not checked"
        )
        return []
    if not good:
        return [
            _problem(
                "checkpoint_forged",
                f"{where} checkpoint {checkpoint.sequence}'s signature is not the key "
                f"{checkpoint.key.key_id}'s: it was made or changed without the key",
            )
        ]
    keyring.learn(checkpoint.next_key)
    return []


def _check_kept(
    store: Store,
    kept: Sequence[Checkpoint],
    keyring: _Keyring,
    warnings: list[str],
    wanted: set[int],
) -> tuple[list[AuditProblem], dict[int, list[CheckpointLeaf]]]:
    """Check the store's own checkpoints: chain, signatures, keys; the leaves of ``wanted``.

    Only the checkpoints the store is compared with have their leaves read (following
    the deltas from the newest), so verifying costs the same however many are kept.
    """
    reader = LeafReader(store.checkpoint_leaves)
    problems: list[AuditProblem] = []
    leaves_of: dict[int, list[CheckpointLeaf]] = {}
    previous: Checkpoint | None = None
    for position, checkpoint in enumerate(kept, start=1):
        if checkpoint.sequence != position or checkpoint.previous_hash != (
            previous.hash if previous is not None else None
        ):
            problems.append(
                _problem(
                    "checkpoint_broken",
                    f"checkpoint {checkpoint.sequence} does not follow checkpoint "
                    f"{position - 1}: one was removed, inserted or replaced",
                )
            )
        expected = _expected_signer(previous)
        if expected is not None and expected.key_id != checkpoint.key.key_id:
            problems.append(
                _problem(
                    "checkpoint_forged",
                    f"checkpoint {checkpoint.sequence} is signed with the key "
                    f"{checkpoint.key.key_id}, but checkpoint {position - 1} names "
                    f"{expected.key_id} as the key that signs next",
                )
            )
        problems.extend(_check_signature(checkpoint, keyring, warnings, "the office's"))
        previous = checkpoint
        if checkpoint.sequence not in wanted:
            continue
        leaves = reader.leaves(checkpoint.sequence)
        if leaves is None or merkle_root([leaf_hash(leaf) for leaf in leaves]) != checkpoint.root:
            problems.append(
                _problem(
                    "checkpoint_broken",
                    f"the leaves kept with checkpoint {checkpoint.sequence} are missing or do "
                    "not make its root",
                )
            )
        else:
            leaves_of[checkpoint.sequence] = leaves
    return problems, leaves_of


def _compare(
    checkpoint: Checkpoint,
    leaves: Sequence[CheckpointLeaf] | None,
    *,
    records: Sequence[tuple[int, str]],
    heads: Mapping[str, Sequence[str | None]],
    denials: Sequence[AccessDenial],
    counters: Mapping[tuple[str, str], int],
) -> list[AuditProblem]:
    """What in the store now contradicts ``checkpoint`` (the store may only have grown)."""
    problems: list[AuditProblem] = []
    name = f"checkpoint {checkpoint.sequence} of {checkpoint.at.isoformat()}"
    if leaves is not None:
        present = {entity_id for _, entity_id in records}
        covered = set()
        for leaf in leaves:
            covered.add(leaf.entity_id)
            trail = heads.get(leaf.entity_id, ())
            if leaf.entity_id not in present and not trail:
                problems.append(
                    _problem(
                        "entity_deleted",
                        f"{name} sealed it with {leaf.events} events; it is gone",
                        leaf.entity_id,
                    )
                )
            elif len(trail) < leaf.events:
                problems.append(
                    _problem(
                        "truncated",
                        f"{name} sealed {leaf.events} events; {len(trail)} remain: events "
                        "were removed from its end",
                        leaf.entity_id,
                    )
                )
            else:
                head = trail[leaf.events - 1] if leaf.events else None
                if head is None or head != leaf.head:
                    problems.append(
                        _problem(
                            "rewritten",
                            f"its event {leaf.events} is not the one {name} sealed",
                            leaf.entity_id,
                        )
                    )
        problems.extend(
            _problem(
                "entity_added",
                f"it was not there at {name}, which covered every entity up to "
                f"number {checkpoint.last_entity}, this one included",
                entity_id,
            )
            for seq, entity_id in records
            if seq <= checkpoint.last_entity and entity_id not in covered
        )
    if len(denials) < checkpoint.denials:
        problems.append(
            _problem(
                "denials_removed",
                f"{name} sealed {checkpoint.denials} recorded denials; {len(denials)} remain",
            )
        )
    elif (
        checkpoint.denials
        and checkpoint.denials_head is not None
        and denials[checkpoint.denials - 1].hash != checkpoint.denials_head
    ):
        problems.append(
            _problem(
                "denials_rewritten", f"denial {checkpoint.denials} is not the one {name} sealed"
            )
        )
    for counter in checkpoint.counters:
        now = counters.get((counter.series, counter.key))
        if now is None or now < counter.value:
            problems.append(
                _problem(
                    "counter_rolled_back",
                    f"the counter {counter.series} {counter.key} stood at {counter.value} at "
                    f"{name}; it is at {now if now is not None else 'nothing'}: numbers "
                    "already given would be given again",
                )
            )
    return problems


def _check_against(
    given: Checkpoint,
    kept: Sequence[Checkpoint],
    leaves_of: Mapping[int, Sequence[CheckpointLeaf]],
    keyring: _Keyring,
    warnings: list[str],
) -> tuple[list[AuditProblem], Sequence[CheckpointLeaf] | None, bool]:
    """Check a checkpoint kept elsewhere against the office's own; its leaves if usable.

    Returns the problems, the leaves to compare the store with, and whether to compare.
    """
    problems = _check_signature(given, keyring, warnings, "the given")
    if problems:
        return problems, None, False
    same = next((c for c in kept if c.sequence == given.sequence), None)
    if same is None:
        newest = kept[-1].sequence if kept else 0
        if newest < given.sequence:
            return (
                [
                    _problem(
                        "rolled_back",
                        f"the office's newest checkpoint is {newest}; checkpoint "
                        f"{given.sequence} of {given.at.isoformat()} ({given.entities} "
                        f"entities, {given.events} events) is not in it: the database was "
                        "put back to an older copy, or its checkpoints removed",
                    )
                ],
                None,
                True,
            )
        problems.append(
            _problem(
                "checkpoint_broken",
                f"the office no longer keeps checkpoint {given.sequence}",
            )
        )
        return problems, None, True
    if same.hash != given.hash:
        return (
            [
                _problem(
                    "checkpoint_forged",
                    f"the office's checkpoint {given.sequence} is not the one kept "
                    "elsewhere: it was replaced",
                )
            ],
            None,
            True,
        )
    return problems, leaves_of.get(given.sequence), True


def _check_denials(denials: Sequence[AccessDenial]) -> list[AuditProblem]:
    """The denials log as a hash chain (those recorded before it was chained aside)."""
    problems: list[AuditProblem] = []
    previous: str | None = None
    chained = False
    for position, denial in enumerate(denials, start=1):
        if not denial.hash:
            if chained:
                problems.append(
                    _problem(
                        "denial_chain_broken",
                        f"denial {position} is unchained among chained ones: it was inserted",
                    )
                )
            continue
        if denial.hash != denial.expected_hash():
            problems.append(_problem("denial_edited", f"denial {position} does not match its hash"))
        if denial.previous_hash != previous:
            problems.append(
                _problem(
                    "denial_chain_broken",
                    f"denial {position} does not follow the one before it: a denial was "
                    "removed, inserted or moved",
                )
            )
        chained = True
        previous = denial.hash
    return problems


def _check_trails(
    store: Store, workflows: Mapping[str, Workflow[Any]]
) -> tuple[list[AuditProblem], list[tuple[int, str]], dict[str, tuple[str | None, ...]]]:
    """Check every trail and record, one at a time as the store streams them.

    Returns the problems (by entity id), the records' ``(sequence number, id)`` in
    creation order, and each id's event hashes: all that verification keeps of them.
    """
    problems: list[AuditProblem] = []
    records: list[tuple[int, str]] = []
    heads: dict[str, tuple[str | None, ...]] = {}
    for entity_id, seq, entity, trail in store.audit_stream():
        workflow = workflows.get(entity.entity_kind) if entity is not None else None
        problems.extend(_check_trail(entity_id, entity, trail, workflow))
        if seq is not None:
            records.append((seq, entity_id))
        if trail:
            heads[entity_id] = _hashes(trail)
    records.sort()
    problems.sort(key=lambda problem: problem.entity_id or "")
    return problems, records, heads


def _check_anchors(
    anchors: Sequence[Anchor],
    records: Sequence[tuple[int, str]],
    heads: Mapping[str, Sequence[str | None]],
) -> list[AuditProblem]:
    problems: list[AuditProblem] = []
    problems.extend(_check_anchors(anchors, records, heads))
    return problems


def verify_records(
    store: Store,
    workflows: Mapping[str, Workflow[Any]],
    *,
    against: Sequence[Checkpoint] = (),
    keys: Iterable[VerifyKey] = (),
    signer: KeyRecord | None = None,
) -> AuditReport:
    """Check the audit record: chains, states, columns, denials, anchors, checkpoints.

    Reports each break: an edited, deleted, reordered or inserted event, a record that
    does not match its events, a column that does not match its body, a denial removed
    or edited, entities missing since an anchor, and anything that contradicts a
    checkpoint, the office's own or one kept elsewhere (a trail cut short, an entity
    removed or added, the denials log cut, a counter set back, the database put back to
    an older copy, a checkpoint forged without the key). ``signer`` is the key the
    office signs with now: its checkpoints' keys, rotation by rotation, must lead to it.
    """
    problems, records, heads = _check_trails(store, workflows)
    events = sum(len(trail) for trail in heads.values())
    anchors = store.anchors()
    problems.extend(store.column_problems())
    denials = store.denials()
    problems.extend(_check_denials(denials))
    warnings: list[str] = []
    keyring = _Keyring(keys)
    kept = store.checkpoints()
    wanted = {c.sequence for c in against} | ({kept[-1].sequence} if kept else set())
    found, leaves_of = _check_kept(store, kept, keyring, warnings, wanted)
    problems.extend(found)
    if signer is not None and kept:
        expected = _expected_signer(kept[-1])
        if expected is not None and expected.key_id != signer.key_id:
            problems.append(
                _problem(
                    "checkpoint_forged",
                    f"the office signs with the key {signer.key_id}, but its checkpoints "
                    f"lead to {expected.key_id}: they were made with another key",
                )
            )
    counters = store.counters()
    if kept and kept[-1].sequence in leaves_of:
        newest = kept[-1]
        problems.extend(
            _compare(
                newest,
                leaves_of[newest.sequence],
                records=records,
                heads=heads,
                denials=denials,
                counters=counters,
            )
        )
    for given in against:
        found, leaves, compare = _check_against(given, kept, leaves_of, keyring, warnings)
        problems.extend(found)
        if compare and not (kept and given.hash == kept[-1].hash and leaves is not None):
            problems.extend(
                _compare(
                    given,
                    leaves,
                    records=records,
                    heads=heads,
                    denials=denials,
                    counters=counters,
                )
            )
    previous: str | None = None
    for anchor in anchors:
        if anchor.hash != anchor.expected_hash() or anchor.previous_hash != previous:
            problems.append(
                AuditProblem(
                    kind="anchor_broken",
                    detail=f"anchor {anchor.sequence} was altered or its predecessor removed",
                )
            )
        previous = anchor.hash
        covered = _creations(records, heads, anchor.last_entity)
        if len(covered) != anchor.entity_count or creation_digest(covered) != anchor.digest:
            problems.append(
                AuditProblem(
                    kind="entities_missing",
                    detail=(
                        f"anchor {anchor.sequence} of {anchor.at.isoformat()} covered "
                        f"{anchor.entity_count} entities; {len(covered)} of them remain "
                        "or their creations changed"
                    ),
                )
            )
    return AuditReport(
        entities=len(records),
        events=events,
        anchors=len(anchors),
        checkpoints=len({c.hash for c in (*kept, *against)}),
        problems=tuple(dict.fromkeys(problems)),
        warnings=tuple(dict.fromkeys(warnings)),
    )
