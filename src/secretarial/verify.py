"""Verifying the audit record and anchoring it (tamper evidence)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from secretarial.engine._ports import Store
from secretarial.errors import SecretarialError
from secretarial.kernel._audit import Anchor, AuditEvent, AuditProblem, AuditReport, creation_digest
from secretarial.kernel._entity import Entity
from secretarial.kernel._workflow import Workflow

__all__ = ["make_anchor", "verify_records"]


def _creations(
    entities: Sequence[tuple[int, Entity]],
    events: Mapping[str, Sequence[AuditEvent | None]],
    up_to: int,
) -> list[tuple[str, str]]:
    pairs = []
    for seq, entity in entities:
        if seq > up_to:
            break
        trail = events.get(entity.id) or [None]
        first = trail[0]
        pairs.append((entity.id, first.hash if first is not None else ""))
    return pairs


def make_anchor(store: Store, now: datetime) -> Anchor:
    """Seal the store as it is now: which entities exist, by their creation events."""
    entities, events = store.audit_records()
    anchors = store.anchors()
    last = entities[-1][0] if entities else 0
    previous = anchors[-1].hash if anchors else None
    anchor = Anchor(
        sequence=len(anchors) + 1,
        at=now,
        last_entity=last,
        entity_count=len(entities),
        digest=creation_digest(_creations(entities, events, last)),
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


def verify_records(store: Store, workflows: Mapping[str, Workflow[Any]]) -> AuditReport:
    """Check every entity's hash chain and state, and every anchor.

    Reports each break: an edited, deleted, reordered or inserted event, a record that
    does not match its events, and entities missing since an anchor.
    """
    entities, events = store.audit_records()
    anchors = store.anchors()
    by_id = {entity.id: entity for _, entity in entities}
    problems: list[AuditProblem] = []
    for entity_id in sorted(set(by_id) | set(events)):
        entity = by_id.get(entity_id)
        workflow = workflows.get(entity.entity_kind) if entity is not None else None
        problems.extend(_check_trail(entity_id, entity, events.get(entity_id, ()), workflow))
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
        covered = _creations(entities, events, anchor.last_entity)
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
        entities=len(by_id),
        events=sum(len(t) for t in events.values()),
        anchors=len(anchors),
        problems=tuple(problems),
    )
