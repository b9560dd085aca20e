"""Tamper evidence: every edit, deletion, reordering or insertion in the record is found."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
import sqlalchemy as sa

from conftest import CLERK, START, STORES, SUPERIOR, SUPERVISOR, UNDERTAKER, UNIT_A, url_for
from secretarial import Office
from secretarial.adapters._sql import audit, entities, normalise_url
from secretarial.testing import FrozenClock, SequentialIds

OFFICE_STORES = STORES  # through the office, on every store


@pytest.fixture(params=STORES)
def office(request: pytest.FixtureRequest, tmp_path: Any) -> Iterator[Office]:
    url = url_for(request.param, tmp_path)
    with Office.open(url, clock=FrozenClock(START), ids=SequentialIds()) as o:
        build(o)
        yield o


def build(office: Office) -> None:
    """Two documents and an item, each with a few events."""
    for n in (1, 2):
        doc = office.documents.receive(
            by=CLERK,
            kind="notice",
            title=f"通知{n}",
            sender=SUPERIOR,
            channel="paper",
            received_at=office.now(),
        )
        doc = office.fire(doc, "register", by=CLERK)
        office.fire(doc, "screen", by=CLERK)
    item = office.supervision.open(
        by=SUPERVISOR, source="leader_instruction", requirement="整改", received_at=office.now()
    )
    item = office.fire(item, "assign", by=SUPERVISOR, lead_unit=UNIT_A, deadline=date(2025, 12, 1))
    item = office.fire(item, "accept", by=UNDERTAKER)
    office.fire(item, "report_progress", by=UNDERTAKER, text="进展一")


class Tamper:
    """Changes a store's rows behind the office's back, as an intruder with the database would."""

    def __init__(self, office: Office) -> None:
        self.office = office
        self.store: Any = office.store
        self.sql = hasattr(self.store, "url")

    def _engine(self) -> sa.Engine:
        return sa.create_engine(normalise_url(self.store.url))

    def events(self, entity_id: str) -> list[dict[str, Any]]:
        return [json.loads(e.model_dump_json()) for e in self.office.audit(entity_id)]

    def set_event(self, entity_id: str, version: int, event: dict[str, Any]) -> None:
        if self.sql:
            engine = self._engine()
            with engine.begin() as conn:
                conn.execute(
                    audit.update()
                    .where(audit.c.entity_id == entity_id, audit.c.version == version)
                    .values(event=json.dumps(event, ensure_ascii=False))
                )
            engine.dispose()
            return
        from secretarial.adapters._memory import _pack  # noqa: PLC0415
        from secretarial.kernel import AuditEvent  # noqa: PLC0415

        trail = self.store._events[entity_id]
        trail[version - 1] = _pack(AuditEvent.model_validate(event))

    def delete_event(self, entity_id: str, version: int) -> None:
        if self.sql:
            engine = self._engine()
            with engine.begin() as conn:
                conn.execute(
                    audit.delete().where(audit.c.entity_id == entity_id, audit.c.version == version)
                )
                # shift later rows down so the version column still looks consecutive
                conn.execute(
                    audit.update()
                    .where(audit.c.entity_id == entity_id, audit.c.version > version)
                    .values(version=audit.c.version - 1)
                )
            engine.dispose()
            return
        del self.store._events[entity_id][version - 1]

    def delete_entity(self, entity_id: str) -> None:
        if self.sql:
            engine = self._engine()
            with engine.begin() as conn:
                conn.execute(audit.delete().where(audit.c.entity_id == entity_id))
                conn.execute(entities.delete().where(entities.c.id == entity_id))
            engine.dispose()
            return
        del self.store._events[entity_id]
        del self.store._entities[entity_id]

    def set_entity_body(self, entity_id: str, **changes: Any) -> None:
        current = self.office.get(entity_id).model_copy(update=changes)
        if self.sql:
            engine = self._engine()
            with engine.begin() as conn:
                conn.execute(
                    entities.update()
                    .where(entities.c.id == entity_id)
                    .values(body=current.model_dump_json())
                )
            engine.dispose()
            return
        self.store._entities[entity_id] = current


def kinds(office: Office) -> set[str]:
    return {p.kind for p in office.verify_audit().problems}


def test_an_untouched_store_verifies_clean(office: Office) -> None:
    office.anchor()
    report = office.verify_audit()
    assert report.ok, str(report)
    assert (report.entities, report.events, report.anchors) == (3, 10, 1)


def test_an_edited_event_is_found(office: Office) -> None:
    tamper = Tamper(office)
    event = tamper.events("in-1")[1]
    event["payload"]["registration_number"] = "2025-0099"
    tamper.set_event("in-1", 2, event)
    report = office.verify_audit()
    assert [(p.kind, p.entity_id, p.version) for p in report.problems] == [("edited", "in-1", 2)]


def test_a_deleted_event_is_found(office: Office) -> None:
    Tamper(office).delete_event("sup-3", 2)
    problems = office.verify_audit().problems
    assert {p.entity_id for p in problems} == {"sup-3"}
    assert {"out_of_order", "chain_broken"} <= {p.kind for p in problems}


def test_swapped_events_are_found(office: Office) -> None:
    tamper = Tamper(office)
    second, third = tamper.events("in-2")[1:3]
    tamper.set_event("in-2", 2, third)
    tamper.set_event("in-2", 3, second)
    problems = office.verify_audit().problems
    assert {p.entity_id for p in problems} == {"in-2"}
    assert "out_of_order" in {p.kind for p in problems}


def test_an_inserted_event_is_found(office: Office) -> None:
    """A forged event with a valid seal of its own still breaks the chain."""
    from secretarial.kernel import AuditEvent  # noqa: PLC0415

    tamper = Tamper(office)
    genuine = [AuditEvent.model_validate(e) for e in tamper.events("in-1")]
    forged = AuditEvent.sealed(**{**dict(genuine[1]), "reason": "改写", "hash": ""})
    tamper.set_event("in-1", 2, json.loads(forged.model_dump_json()))
    assert "chain_broken" in kinds(office)


def test_a_deleted_last_event_is_found(office: Office) -> None:
    Tamper(office).delete_event("in-1", 3)
    problems = office.verify_audit().problems
    assert [(p.kind, p.entity_id) for p in problems] == [("head_mismatch", "in-1")]


def test_an_edited_record_is_found(office: Office) -> None:
    tamper = Tamper(office)
    tamper.set_entity_body("in-2", title="另一份通知")
    problems = office.verify_audit().problems
    if tamper.sql:
        assert [(p.kind, p.entity_id) for p in problems] == [("state_mismatch", "in-2")]
        assert "title" in problems[0].detail
    else:
        # The memory store keeps a creation payload as the entity's own untouched fields,
        # so editing one of them edits the recorded creation: its hash no longer matches.
        assert [(p.kind, p.entity_id, p.version) for p in problems] == [("edited", "in-2", 1)]


def test_a_deleted_entity_is_found_by_the_anchor(office: Office) -> None:
    office.anchor()
    Tamper(office).delete_entity("in-2")
    problems = office.verify_audit().problems
    assert [p.kind for p in problems] == ["entities_missing"]


def test_new_work_after_an_anchor_still_verifies(office: Office) -> None:
    office.anchor()
    doc = office.documents.receive(
        by=CLERK,
        kind="letter",
        title="函",
        sender=SUPERIOR,
        channel="paper",
        received_at=office.now(),
    )
    office.fire(doc, "register", by=CLERK)
    office.anchor()
    assert office.verify_audit().ok
