"""Databases written by earlier versions of the schema open, migrated, with nothing lost."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import sqlalchemy as sa

from conftest import CLERK, SUPERVISOR, UNDERTAKER
from secretarial import (
    Actor,
    Classification,
    IncomingDocument,
    Office,
    OutgoingDocument,
    Role,
    SupervisionItem,
)
from secretarial.adapters._sql import SCHEMA_VERSION

FIXTURES = sorted((Path(__file__).parent / "data").glob("office-schema-*.db"))


def test_there_is_a_fixture_for_the_current_schema() -> None:
    """Each schema version leaves a fixture for the next migration to be tested on."""
    assert any(p.name == f"office-schema-{SCHEMA_VERSION}.db" for p in FIXTURES)


@pytest.mark.parametrize("fixture", FIXTURES, ids=lambda p: p.stem)
def test_an_older_office_opens_migrated_and_intact(fixture: Path, tmp_path: Path) -> None:
    """The records, their audit trails and the counters survive; the office keeps working."""
    copy = tmp_path / fixture.name
    shutil.copy(fixture, copy)
    content = fixture.with_name(f"{fixture.name}-blobs")  # from schema 7: blobs beside it
    if content.is_dir():
        shutil.copytree(content, tmp_path / content.name)
    with Office.open(f"sqlite:///{copy}") as office:
        assert office.store.schema_version() == SCHEMA_VERSION
        indexes = sa.inspect(office.store._engine).get_indexes("entities")  # type: ignore[attr-defined]
        assert "ix_entities_kind_seq" in {i["name"] for i in indexes}  # from schema 5
        doc, item, draft = office.list()
        assert isinstance(doc, IncomingDocument)
        assert (doc.registration_number, str(doc.number)) == ("2025-0001", "市政办发〔2025〕88号")
        assert doc.copy_number == "000012"
        # Written as "secret" when that identifier named 秘密: read as 秘密 still.
        assert doc.classification is Classification.CONFIDENTIAL
        assert doc.classification.label == "秘密"
        (received, *_) = office.audit(doc, by=CLERK)
        assert received.payload["classification"] == "confidential"
        if fixture.stem != "office-schema-1":  # that one's clerk was recorded uncleared
            assert received.actor.clearance is Classification.CONFIDENTIAL
        assert isinstance(item, SupervisionItem)
        assert item.lead_unit is not None
        assert item.lead_unit.code == "AJK"
        assert isinstance(draft, OutgoingDocument)
        for entity in (doc, item, draft):
            assert office.replay(entity) == entity
        assert office.verify_audit().ok
        assert office.store.counters() == {("incoming", "2025"): 1}
        blobs = office.store.blobs  # type: ignore[attr-defined]
        if content.is_dir():
            (stored,) = (p for p in (tmp_path / content.name).rglob("*") if p.is_file())
            assert blobs.verify(stored.name)
            assert blobs.references(stored.name) == 1
        assert blobs.collect(unreferenced_before=office.now()) == 0
        accepted = office.fire(item, "accept", by=UNDERTAKER)
        assert accepted.version == len(office.audit(item)) == 3
        assert set(office.available_triggers(accepted, by=SUPERVISOR)) == {
            "remind",
            "cancel",
            "confirm_deadline",
        }
        # Keys are kept from schema 5; an older office gains the table and takes keys.
        fields = {
            "kind": "notice",
            "title": "关于开展安全检查的通知",
            "channel": "paper",
            "sender": {"code": "SZF", "name": "市政府办公室", "relation": "superior"},
            "received_at": doc.received_at,
            "classification": "confidential",
            "secrecy_period_years": 5,
            "copy_number": "000012",
        }
        li = Actor(
            id="li", name="李文书", roles={Role.CLERK}, clearance=Classification.CONFIDENTIAL
        )
        again = office.documents.receive(by=li, idempotency_key="fixture-receive", **fields)
        if int(fixture.stem.rsplit("-", 1)[1]) >= 5:
            assert (again.id, again.version) == (doc.id, 1)
        else:
            assert again.id != doc.id
            assert (
                office.documents.receive(by=li, idempotency_key="fixture-receive", **fields)
                == again
            )
