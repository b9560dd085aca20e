"""The tamper matrix: every attack on a SQL office's rows, each found against a checkpoint.

An intruder with write access to the database (but not the checkpoint key) edits,
deletes, inserts, reorders and rolls back rows, and recomputes every hash they can. The
host keeps the checkpoints outside the database (as JSON) and verifies against them.
Each attack must show as a problem of the kinds named; an untouched store verifies
clean. docs/reliability.md shows this matrix as a table.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from conftest import CLERK, START, SUPERIOR, SUPERVISOR, UNDERTAKER, UNIT_A, url_for
from secretarial import (
    AccessDenied,
    Actor,
    AuditEvent,
    Checkpoint,
    Ed25519Key,
    HmacKey,
    Office,
    Role,
    workflow_for,
)
from secretarial.adapters._sql import (
    _row,
    audit,
    checkpoints_table,
    counters,
    denials_table,
    entities,
    metadata,
    normalise_url,
)
from secretarial.kernel._checkpoint import (
    CheckpointLeaf,
    LeafReader,
    encode_leaves,
    leaf_hash,
    merkle_root,
)
from secretarial.testing import FrozenClock, SequentialIds

OUTSIDER = Actor(id="wang", name="王某", roles=frozenset({Role.CLERK}))
"""An actor without clearance: reading a classified document is refused and recorded."""


@dataclass
class Scene:
    """An office with work done, checkpoints kept outside it, and the database's engine."""

    office: Office
    clock: FrozenClock
    engine: sa.Engine
    kept: list[Checkpoint]
    """The checkpoints as the host keeps them elsewhere (read back from JSON)."""
    docs: list[str]
    item: str
    recent: str
    """An entity created after the anchor, before the last checkpoint."""

    def checkpoint(self) -> None:
        self.kept.append(Checkpoint.from_json(self.office.checkpoint().to_json()))

    def report_kinds(self) -> set[str]:
        report = self.office.verify_audit(against=self.kept)
        return {p.kind for p in report.problems}


def _receive(office: Office, title: str, **extra: Any) -> str:
    doc = office.documents.receive(
        by=CLERK,
        kind="notice",
        title=title,
        sender=SUPERIOR,
        channel="paper",
        received_at=office.now(),
        **extra,
    )
    doc = office.fire(doc, "register", by=CLERK)
    return office.fire(doc, "screen", by=CLERK).id


@pytest.fixture(params=["sqlite", "postgres"])
def scene(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Scene]:
    url = url_for(request.param, tmp_path)
    clock = FrozenClock(START)
    key = Ed25519Key.generate()
    with Office.open(url, clock=clock, ids=SequentialIds(), checkpoint_key=key) as office:
        docs = [_receive(office, f"通知{n}") for n in (1, 2)]
        docs.append(
            _receive(
                office,
                "秘密通知",
                classification="confidential",
                secrecy_period_years=5,
                copy_number="000012",
            )
        )
        item = office.supervision.open(
            by=SUPERVISOR, source="leader_instruction", requirement="整改", received_at=office.now()
        )
        item_id = office.fire(
            item, "assign", by=SUPERVISOR, lead_unit=UNIT_A, deadline=date(2025, 12, 1)
        ).id
        office.fire(item_id, "accept", by=UNDERTAKER)
        for _ in range(3):
            with pytest.raises(AccessDenied):
                office.get(docs[2], by=OUTSIDER)
        office.anchor()
        clock.advance(timedelta(hours=1))
        recent = _receive(office, "新收通知")
        engine = sa.create_engine(normalise_url(office.store.url))  # type: ignore[attr-defined]
        found = Scene(office, clock, engine, [], docs, item_id, recent)
        found.checkpoint()
        clock.advance(timedelta(hours=1))
        office.fire(item_id, "report_progress", by=UNDERTAKER, text="进展一")
        found.checkpoint()
        try:
            yield found
        finally:
            engine.dispose()


def _events(scene: Scene, entity_id: str) -> list[dict[str, Any]]:
    with scene.engine.connect() as conn:
        rows = conn.execute(
            sa.select(audit.c.event).where(audit.c.entity_id == entity_id).order_by(audit.c.version)
        ).scalars()
        return [json.loads(r) for r in rows]


def _set_event(conn: sa.Connection, entity_id: str, version: int, event: dict[str, Any]) -> None:
    conn.execute(
        audit.update()
        .where(audit.c.entity_id == entity_id, audit.c.version == version)
        .values(event=json.dumps(event, ensure_ascii=False))
    )


def _set_entity(conn: sa.Connection, entity: Any) -> None:
    """Write ``entity`` as the office would: body and every indexed column."""
    conn.execute(entities.update().where(entities.c.id == entity.id).values(**_row(entity)))


def _replayed(events: list[dict[str, Any]]) -> Any:
    sealed = [AuditEvent.model_validate(e) for e in events]
    return workflow_for(str(sealed[0].entity_kind)).replay(sealed)


# ------------------------------------------------------------------------------- the attacks
def edit_event(scene: Scene, conn: sa.Connection) -> None:
    doc = scene.docs[0]
    event = _events(scene, doc)[0]
    event["payload"]["title"] = "改过的标题"
    _set_event(conn, doc, 1, event)


def edit_body(scene: Scene, conn: sa.Connection) -> None:
    changed = scene.office.get(scene.docs[0]).model_copy(update={"title": "改过的标题"})
    conn.execute(
        entities.update().where(entities.c.id == changed.id).values(body=changed.model_dump_json())
    )


def edit_indexed_column(scene: Scene, conn: sa.Connection) -> None:
    conn.execute(
        entities.update()
        .where(entities.c.id == scene.item)
        .values(state="completed", is_open=False)
    )


def rename_id_column(scene: Scene, conn: sa.Connection) -> None:
    conn.execute(entities.update().where(entities.c.id == scene.docs[1]).values(id="renamed"))


def _delete(conn: sa.Connection, entity_id: str, version: int) -> None:
    conn.execute(audit.delete().where(audit.c.entity_id == entity_id, audit.c.version == version))


def delete_first_event(scene: Scene, conn: sa.Connection) -> None:
    _delete(conn, scene.docs[0], 1)


def delete_middle_event(scene: Scene, conn: sa.Connection) -> None:
    _delete(conn, scene.docs[0], 2)
    conn.execute(
        audit.update()
        .where(audit.c.entity_id == scene.docs[0], audit.c.version == 3)
        .values(version=2)
    )


def delete_last_event_row_set_back(scene: Scene, conn: sa.Connection) -> None:
    """The undone approval: the last event goes, the record is set to what is left."""
    events = _events(scene, scene.item)
    _delete(conn, scene.item, len(events))
    _set_entity(conn, _replayed(events[:-1]))


def delete_recent_entity(scene: Scene, conn: sa.Connection) -> None:
    conn.execute(audit.delete().where(audit.c.entity_id == scene.recent))
    conn.execute(entities.delete().where(entities.c.id == scene.recent))


def insert_event(scene: Scene, conn: sa.Connection) -> None:
    last = _events(scene, scene.docs[1])[-1]
    forged = {**last, "version": last["version"] + 1, "previous_hash": last["hash"]}
    forged["hash"] = AuditEvent.model_validate({**forged, "hash": ""}).expected_hash()
    conn.execute(
        audit.insert().values(
            entity_id=scene.docs[1],
            version=forged["version"],
            kind=last["entity_kind"],
            trigger=last["trigger"],
            actor_id=last["actor"]["id"],
            at=scene.clock.now(),
            event=json.dumps(forged, ensure_ascii=False),
        )
    )


def reorder_events(scene: Scene, conn: sa.Connection) -> None:
    doc = scene.docs[0]
    first, second = _events(scene, doc)[1:3]
    _set_event(conn, doc, 2, second)
    _set_event(conn, doc, 3, first)


def delete_all_denials(scene: Scene, conn: sa.Connection) -> None:
    conn.execute(denials_table.delete())


def delete_one_denial(scene: Scene, conn: sa.Connection) -> None:
    middle = conn.execute(sa.select(denials_table.c.seq).order_by(denials_table.c.seq)).scalars()
    conn.execute(denials_table.delete().where(denials_table.c.seq == list(middle)[1]))


def set_counter_back(scene: Scene, conn: sa.Connection) -> None:
    conn.execute(counters.update().values(value=counters.c.value - 1))


def recompute_hashes_without_the_key(scene: Scene, conn: sa.Connection) -> None:
    """Rewrite a sealed event and re-seal the rest; rebuild and re-sign the checkpoints.

    The checkpoints' leaves and roots are rebuilt and signed with a key of one's own.
    """
    doc = scene.docs[0]
    events = _events(scene, doc)
    events[1]["reason"] = "改写的理由"
    previous = events[0]["hash"]
    for position, event in enumerate(events[1:], start=2):
        event["previous_hash"] = previous
        event["hash"] = AuditEvent.model_validate({**event, "hash": ""}).expected_hash()
        previous = event["hash"]
        _set_event(conn, doc, position, event)
    _set_entity(conn, _replayed(events))
    rewritten = CheckpointLeaf(doc, events[0]["entity_kind"], len(events), previous)
    own = HmacKey.generate()
    previous_hash = None
    for row in conn.execute(
        sa.select(checkpoints_table).order_by(checkpoints_table.c.sequence)
    ).all():
        old = Checkpoint.model_validate_json(row.checkpoint)
        kept = LeafReader(scene.office.store.checkpoint_leaves).leaves(old.sequence) or []  # type: ignore[attr-defined]
        mended = [rewritten if leaf.entity_id == doc else leaf for leaf in kept]
        forged = old.model_copy(
            update={
                "root": merkle_root([leaf_hash(leaf) for leaf in mended]),
                "previous_hash": previous_hash,
                "key": own.record,
                "signature": "",
            }
        )
        forged = forged.model_copy(update={"signature": own.sign(forged.content()).hex()})
        forged = forged.model_copy(update={"hash": forged.expected_hash()})
        previous_hash = forged.hash
        conn.execute(
            checkpoints_table.update()
            .where(checkpoints_table.c.sequence == old.sequence)
            .values(checkpoint=forged.model_dump_json(), leaves=encode_leaves(mended))
        )


Attack = Callable[[Scene, sa.Connection], None]

MATRIX: list[tuple[Attack, set[str]]] = [
    (edit_event, {"edited"}),
    (edit_body, {"state_mismatch"}),
    (edit_indexed_column, {"column_mismatch"}),
    (rename_id_column, {"column_mismatch"}),
    (delete_first_event, {"out_of_order", "chain_broken"}),
    (delete_middle_event, {"chain_broken"}),
    (delete_last_event_row_set_back, {"truncated"}),
    (delete_recent_entity, {"entity_deleted"}),
    (insert_event, {"head_mismatch"}),
    (reorder_events, {"chain_broken"}),
    (delete_all_denials, {"denials_removed"}),
    (delete_one_denial, {"denial_chain_broken"}),
    (set_counter_back, {"counter_rolled_back"}),
    (recompute_hashes_without_the_key, {"checkpoint_forged"}),
]


def test_an_untouched_store_verifies_clean(scene: Scene) -> None:
    report = scene.office.verify_audit(against=scene.kept)
    assert report.ok, str(report)
    assert report.checkpoints == 2
    assert not report.warnings


@pytest.mark.parametrize(
    ("attack", "expected"), [pytest.param(a, e, id=a.__name__) for a, e in MATRIX]
)
def test_each_attack_is_found(scene: Scene, attack: Attack, expected: set[str]) -> None:
    with scene.engine.begin() as conn:
        attack(scene, conn)
    found = scene.report_kinds()
    assert expected <= found, found


@pytest.mark.parametrize(
    "attack",
    [delete_last_event_row_set_back, delete_recent_entity, delete_all_denials],
    ids=lambda a: a.__name__,
)
def test_without_a_checkpoint_these_would_pass(scene: Scene, attack: Attack) -> None:
    """What the chains alone cannot see, and why checkpoints are needed."""
    with scene.engine.begin() as conn:
        conn.execute(checkpoints_table.delete())
        attack(scene, conn)
    assert scene.office.verify_audit().ok
    assert not scene.office.verify_audit(against=scene.kept).ok


def _snapshot(engine: sa.Engine) -> dict[str, list[dict[str, Any]]]:
    with engine.connect() as conn:
        return {
            table.name: [dict(r._mapping) for r in conn.execute(sa.select(table))]
            for table in metadata.sorted_tables
        }


def _restore(engine: sa.Engine, snapshot: dict[str, list[dict[str, Any]]]) -> None:
    with engine.begin() as conn:
        for table in reversed(metadata.sorted_tables):
            conn.execute(table.delete())
        for table in metadata.sorted_tables:
            if snapshot[table.name]:
                conn.execute(table.insert(), snapshot[table.name])


def test_a_database_put_back_to_an_older_copy_is_found(scene: Scene) -> None:
    """All rolls back with the copy, the office's checkpoints too; one kept elsewhere not."""
    older = _snapshot(scene.engine)
    scene.office.fire(scene.item, "report_progress", by=UNDERTAKER, text="进展二")
    scene.checkpoint()
    _restore(scene.engine, older)
    assert scene.office.verify_audit().ok  # the older copy is consistent in itself
    assert scene.office.verify_audit(against=scene.kept[:2]).ok
    assert "rolled_back" in scene.report_kinds()


def test_a_checkpoint_file_edited_is_found(scene: Scene) -> None:
    edited = scene.kept[-1].model_copy(update={"events": scene.kept[-1].events - 1})
    report = scene.office.verify_audit(against=edited)
    assert {p.kind for p in report.problems} == {"checkpoint_broken"}
    assert {p.kind for p in scene.office.verify_audit(against=scene.kept).problems} == set()
