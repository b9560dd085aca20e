"""Bulk import from JSON Lines: bad lines are reported and left out, good ones go in."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import CLERK, LEADER, STORES, SUPERIOR
from secretarial import IncomingDocument, Office, TransitionNotAllowed
from secretarial.testing import memory_office

OFFICE_STORES = STORES  # through the office, on every store

GOOD = {
    "kind": "notice",
    "title": "关于开展安全检查的通知",
    "sender": SUPERIOR,
    "channel": "paper",
    "received_at": "2025-09-26T09:00:00+08:00",
}


def line(**changes: object) -> str:
    return json.dumps(GOOD | changes, ensure_ascii=False)


def test_good_lines_are_received_and_registered_in_order(office: Office) -> None:
    """Each good line becomes a registered document with the next number."""
    report = office.documents.import_jsonl(
        [line(title=f"通知{n}") for n in range(5)], by=CLERK, batch_size=2
    )
    assert report.ok
    assert report.batches == 3
    docs = [office.get(i, IncomingDocument) for i in report.imported]
    assert [d.title for d in docs] == [f"通知{n}" for n in range(5)]
    assert [d.registration_number for d in docs] == [f"2025-000{n}" for n in range(1, 6)]
    for doc in docs:
        assert [e.trigger for e in office.audit(doc)] == ["receive", "register"]
        assert office.replay(doc) == doc


def test_bad_lines_are_reported_with_line_number_and_reason(office: Office) -> None:
    """A bad line is left out, named with its number and what is wrong; the rest go in."""
    lines: list[str | bytes] = [
        line(),
        "{not json",
        "",  # blank lines are skipped, not errors
        "[1, 2]",
        line(kind="memo"),
        line(received_at="2025-09-26T09:00:00"),
        b"\xff\xfe not utf-8",
        line(registration_number="2025-0099"),
        line(title="最后一件"),
    ]
    report = office.documents.import_jsonl(lines, by=CLERK)
    assert len(report.imported) == 2
    rejected = {e.line: e.reason for e in report.rejected}
    assert set(rejected) == {2, 4, 5, 6, 7, 8}
    assert "json" in rejected[2]
    assert "expected an object" in rejected[4]
    assert "kind" in rejected[5]
    assert "received_at" in rejected[6]
    assert "UTF-8" in rejected[7]
    assert "registration_number" in rejected[8]
    assert [d.registration_number for d in office.list()] == ["2025-0001", "2025-0002"]
    assert "line 2:" in str(report)


def test_a_refused_actor_imports_nothing(office: Office) -> None:
    """The whole import is refused for an actor who may not receive; nothing is written."""
    with pytest.raises(TransitionNotAllowed) as refused:
        office.documents.import_jsonl([line(), line()], by=LEADER)
    assert refused.value.rule_code == "ROLE"
    assert office.list() == []


def test_import_from_a_file(tmp_path: Path) -> None:
    """A path to a .jsonl file is read as UTF-8 lines."""
    office, _ = memory_office()
    path = tmp_path / "in.jsonl"
    path.write_text("\n".join(line(title=f"通知{n}") for n in range(3)) + "\n", encoding="utf-8")
    assert len(office.documents.import_jsonl(path, by=CLERK).imported) == 3


@settings(max_examples=300)
@given(st.lists(st.one_of(st.binary(max_size=200), st.text(max_size=200)), max_size=8))
def test_arbitrary_input_never_raises(raw: list[str | bytes]) -> None:
    """Any bytes or text in: only line errors out, never an exception, never a partial line."""
    office, _ = memory_office()
    report = office.documents.import_jsonl(raw, by=CLERK)
    assert len(report.imported) + len(report.rejected) <= len(raw)
    assert len(office.list()) == len(report.imported)
