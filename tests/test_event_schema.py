"""Events sealed under an earlier event schema verify and replay under it, never rewritten.

``tests/data/office-events-1.db`` was written by the library before events carried their
schema version (schema 1): classification identifiers then named 秘密 ``secret`` and 机密
``confidential``, and it holds acts later rules refuse — a report sent to two superior
organs and copied to a lower one, a joint upward document whose signers were listed
co-issuers first.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pydantic
import pytest

from secretarial import (
    Actor,
    AuditEvent,
    Classification,
    Office,
    OutgoingDocument,
    OutgoingState,
    Role,
    TransitionNotAllowed,
)
from secretarial.kernel import EVENT_SCHEMA
from secretarial.testing import FrozenClock

FIXTURE = Path(__file__).parent / "data" / "office-events-1.db"
CLERK = Actor(id="li", name="李文书", roles=frozenset({Role.CLERK}), clearance="机密")
DRAFTER = Actor(id="ma", name="马拟稿", roles=frozenset({Role.DRAFTER}))
CITY = {"code": "SZF", "name": "市政府办公室", "relation": "superior"}
PARTY = {"code": "SW", "name": "市委办公室", "relation": "superior"}
DISTRICT = {"code": "XQB", "name": "区办公室", "relation": "subordinate"}


def stored_events(path: Path) -> list[str]:
    with sqlite3.connect(path) as conn:
        return [row[0] for row in conn.execute("select event from audit_events order by seq")]


@pytest.fixture
def copy(tmp_path: Path) -> Path:
    target = tmp_path / FIXTURE.name
    shutil.copy(FIXTURE, target)
    return target


def opened(path: Path) -> Office:
    return Office.open(f"sqlite:///{path}", clock=FrozenClock(datetime(2025, 10, 9, 1, tzinfo=UTC)))


def test_an_office_of_schema_1_verifies_and_replays_with_its_events_untouched(copy: Path) -> None:
    before = stored_events(copy)
    with opened(copy) as office:
        report = office.verify_audit()
        assert report.ok, str(report)
        assert report.events == len(before) == 18
        for entity in office.list():
            assert office.replay(entity) == entity
            assert {e.schema_version for e in office.audit(entity, by=CLERK)} == {1}
    assert stored_events(copy) == before


def test_schema_1_values_are_read_under_their_present_names(copy: Path) -> None:
    with opened(copy) as office:
        first, second = office.get("in-1", by=CLERK), office.get("in-2", by=CLERK)
        assert (first.classification, first.classification.label) == (
            Classification.CONFIDENTIAL,
            "秘密",
        )
        assert (second.classification, second.classification.label) == (
            Classification.SECRET,
            "机密",
        )
        (received, *_) = office.audit(first, by=CLERK)
        assert received.payload["classification"] == "confidential"
        assert received.actor.clearance is Classification.SECRET  # the clerk held 机密
        # A 秘密-cleared actor sees the 秘密 document and not the 机密 one.
        reader = Actor(id="zhou", name="周", clearance=Classification.CONFIDENTIAL)
        assert [d.id for d in office.list(kind="incoming_document", by=reader)] == ["in-1"]


def test_a_schema_1_event_is_read_with_its_version_stated_and_hashed_as_sealed(
    copy: Path,
) -> None:
    for text in stored_events(copy):
        event = AuditEvent.from_json(text)
        assert event.schema_version == 1
        assert event.is_sealed
        original = json.loads(text)
        assert "schema_version" not in original
        written = json.loads(event.model_dump_json())
        assert written["schema_version"] == 1
        for fields in (written, original):  # the names are today's, the rest as sealed
            for key in ("actor", "payload"):
                fields.pop(key)
            fields.pop("schema_version", None)
        assert written == original
        assert AuditEvent.from_json(event.model_dump_json()) == event
        assert AuditEvent.from_json(event.model_dump_json().encode()) == event
        assert AuditEvent.model_validate(event.model_dump()) == event


def test_an_event_without_its_version_is_not_taken_for_a_new_one() -> None:
    """Validating raw schema-1 text directly would misread its names: it is refused."""
    (text, *_) = stored_events(FIXTURE)
    with pytest.raises(pydantic.ValidationError) as info:
        AuditEvent.model_validate_json(text)
    assert "schema_version" in str(info.value)


def test_editing_a_schema_1_event_is_found(copy: Path) -> None:
    with sqlite3.connect(copy) as conn:
        (seq, text) = conn.execute(
            "select seq, event from audit_events where entity_id = 'in-1' and version = 1"
        ).fetchone()
        edited = text.replace('"classification":"secret"', '"classification":"confidential"')
        assert edited != text
        conn.execute("update audit_events set event = ? where seq = ?", (edited, seq))
    with opened(copy) as office:
        kinds = {(p.kind, p.entity_id) for p in office.verify_audit().problems}
    assert ("edited", "in-1") in kinds


def test_a_report_sent_to_two_superiors_before_the_rule_stays_and_the_next_is_refused(
    copy: Path,
) -> None:
    with opened(copy) as office:
        sent = office.get("out-3", by=CLERK)
        assert isinstance(sent, OutgoingDocument)
        assert sent.state is OutgoingState.DISPATCHED
        assert [o.code for o in sent.main_recipients] == ["SZF", "SW"]
        assert office.replay(sent) == sent
        again = office.documents.draft(
            by=DRAFTER,
            kind="report",
            title="关于安全检查情况的报告",
            issuer_code="某办发",
            main_recipients=[CITY, PARTY],
            cc=[DISTRICT],
        )
        with pytest.raises(TransitionNotAllowed) as info:
            office.fire(again, "submit", by=DRAFTER)
        assert info.value.rule_code == "D11"
        assert office.get(again.id) == again
        assert office.verify_audit().ok


def test_signers_listed_under_schema_1_keep_their_order(copy: Path) -> None:
    with opened(copy) as office:
        joint: Any = office.get("out-4")
        assert joint.signers == ("刘副主任", "张主任")  # co-issuers first, as sealed
        assert office.replay(joint) == joint


def test_new_events_are_sealed_under_the_present_schema(copy: Path) -> None:
    with opened(copy) as office:
        doc = office.fire("in-1", "screen", by=CLERK)
        trail = office.audit(doc, by=CLERK)
        assert [e.schema_version for e in trail] == [1, 1, EVENT_SCHEMA]
        assert trail[-1].previous_hash == trail[-2].hash
        assert office.replay(doc) == doc
        assert office.verify_audit().ok


# ---------------------------------------------------------------------------- schema 2
FIXTURE_2 = Path(__file__).parent / "data" / "office-events-2.db"
"""Written by the library before the office verbs (scripts/make_event_fixture_2.py)."""


@pytest.fixture
def copy_2(tmp_path: Path) -> Path:
    target = tmp_path / FIXTURE_2.name
    shutil.copy(FIXTURE_2, target)
    return target


def opened_2(path: Path) -> Office:
    return Office.open(f"sqlite:///{path}", clock=FrozenClock(datetime(2026, 11, 3, 1, tzinfo=UTC)))


def test_an_office_of_schema_2_verifies_and_replays_as_sealed(copy_2: Path) -> None:
    """Histories sealed before the office verbs replay as sealed, events untouched.

    A joint document reviewed and countersigned then opened no round, and opens none on
    replay.
    """
    before = stored_events(copy_2)
    with opened_2(copy_2) as office:
        assert office.verify_audit().ok
        joint = office.get("out-1", OutgoingDocument)
        assert joint.countersigning is None
        assert [e.schema_version for e in office.audit(joint)] == [2] * 5
        for entity in office.list():
            assert office.replay(entity) == entity
    assert stored_events(copy_2) == before


def test_the_verbs_act_on_a_schema_2_history_under_the_present_schema(copy_2: Path) -> None:
    """The verbs act on histories sealed under schema 2, under the present schema.

    A submission sealed then is withdrawn; the co-issuer still to sign a joint document
    countersigns, and the round it opens counts the countersignature given before.
    """
    drafter = Actor(id="ma", name="马拟稿", roles=frozenset({Role.DRAFTER}))
    principal = Actor(id="zhang", name="张主任", roles=frozenset({Role.LEADER}))
    with opened_2(copy_2) as office:
        back = office.fire("out-2", "withdraw", by=drafter)
        assert back.state is OutgoingState.DRAFTED
        assert office.audit(back)[-1].schema_version == EVENT_SCHEMA
        education = {"code": "SJW", "name": "市教委", "relation": "peer"}
        joint = office.fire("out-1", "countersign", by=principal, organ=education)
        assert isinstance(joint, OutgoingDocument)
        assert [s.organ.code for s in joint.countersignatures if s.organ] == ["SGA", "SJW"]
        assert joint.countersigning is not None  # opened by the first schema-3 answer
        assert [r.party for r in joint.countersigning.responses] == ["SGA", "SJW"]
        assert joint.countersigning.outcome == "agreed"
        for entity in office.list():
            assert office.replay(entity) == entity
        assert office.verify_audit().ok


# ---------------------------------------------------------------------------- schema 3
OFFICE_UNIT = {"code": "BGS", "name": "办公室"}
FIXTURE_3 = Path(__file__).parent / "data" / "office-events-3.db"
"""Written by the library before the written canonical form (scripts/make_event_fixture_3.py)."""


@pytest.fixture
def copy_3(tmp_path: Path) -> Path:
    target = tmp_path / FIXTURE_3.name
    shutil.copy(FIXTURE_3, target)
    return target


def opened_3(path: Path) -> Office:
    return Office.open(f"sqlite:///{path}", clock=FrozenClock(datetime(2026, 12, 2, 1, tzinfo=UTC)))


def test_an_office_of_schema_3_verifies_and_replays_as_sealed(copy_3: Path) -> None:
    """Histories sealed under schema 3, a delegated act among them, verify as sealed."""
    before = stored_events(copy_3)
    with opened_3(copy_3) as office:
        assert office.verify_audit().ok
        signed = office.get("out-2", OutgoingDocument)
        trail = office.audit(signed)
        assert {e.schema_version for e in trail} == {3}
        assert trail[-1].on_behalf_of == "zhang"
        assert all(e.is_sealed for e in trail)
        for entity in office.list():
            assert office.replay(entity) == entity
    assert stored_events(copy_3) == before


def test_a_schema_3_history_goes_on_under_schema_4(copy_3: Path) -> None:
    """A new act on a schema 3 history is sealed under schema 4 and chains to it."""
    leader = Actor(id="zhang", name="张主任", roles=frozenset({Role.LEADER}))
    clerk = Actor(id="li", name="李文书", roles=frozenset({Role.CLERK}))
    with opened_3(copy_3) as office:
        notice = office.fire(
            "in-4", "approve", by=leader, instruction="请办公室牵头办理", lead_unit=OFFICE_UNIT
        )
        trail = office.audit(notice, by=clerk)
        assert [e.schema_version for e in trail] == [3, 3, 3, 3, EVENT_SCHEMA]
        assert EVENT_SCHEMA == 4
        assert trail[-1].previous_hash == trail[-2].hash
        assert office.replay(notice) == notice
        assert office.verify_audit().ok
