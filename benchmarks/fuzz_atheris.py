"""Coverage-guided fuzzing of the parsers and importers with atheris (libFuzzer).

Not part of the test suite: ``tests/test_fuzz.py`` runs the hypothesis fuzz tests in CI.
This harness is for longer campaigns. It needs ``pip install atheris`` (a wheel exists for
CPython 3.11 on x86-64 Linux).

Targets (``--target``):

* ``number``: :meth:`DocumentNumber.parse` on the input as text;
* ``code``: :meth:`ArchivalCode.parse` and :meth:`ArchivalClass.parse`;
* ``import``: :meth:`office.documents.import_jsonl` on the input split into lines, in a fresh
  in-memory office; besides "no other exception", each imported document must be stored
  with exactly its two audit events and nothing else may be stored;
* ``ics``: :func:`secretarial.ics.import_events` on the input as bytes.

An exception other than the library's refusals is a crash: libFuzzer stops and writes
the input to a ``crash-*`` file. Start from well-formed inputs: ``--seeds DIR`` writes a
few (a number, a code, a JSON Lines file, an exported calendar) into ``DIR`` and exits;
pass ``DIR`` to libFuzzer as its corpus. Other arguments go to libFuzzer, for example::

    python benchmarks/fuzz_atheris.py --target ics --seeds corpus/
    python benchmarks/fuzz_atheris.py --target ics -max_total_time=300 corpus/
    python benchmarks/fuzz_atheris.py --target import -runs=100000
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import atheris

with atheris.instrument_imports():
    from secretarial import (
        Actor,
        ArchivalCode,
        DocumentNumber,
        Office,
        Role,
        ValidationError,
    )
    from secretarial.ics import export_ics, import_events
    from secretarial.records import ArchivalClass
    from secretarial.testing import FrozenClock, SequentialIds

CLERK = Actor(id="clerk", name="Clerk", roles=frozenset({Role.CLERK}))
START = datetime(2025, 9, 26, 1, tzinfo=UTC)


def _text(data: bytes) -> str | None:
    """The input as UTF-8 text (so that a seed corpus of real text works), or None."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return None


def fuzz_number(data: bytes) -> None:
    """Parse the input as a document number: a number, or a ValidationError."""
    text = _text(data)
    if text is None:
        return
    try:
        number = DocumentNumber.parse(text)
    except ValidationError:
        return
    if DocumentNumber.parse(str(number)) != number:
        raise AssertionError(f"{text!r} does not write back to itself")


def fuzz_code(data: bytes) -> None:
    """Parse the input as an archival code and as a class: a value, or a ValidationError."""
    text = _text(data)
    if text is None:
        return
    for parse in (ArchivalCode.parse, ArchivalClass.parse):
        try:
            parse(text)
        except ValidationError:
            continue


def fuzz_import(data: bytes) -> None:
    """Import the input's lines: line errors only, whole documents only."""
    office = Office.in_memory(clock=FrozenClock(START), ids=SequentialIds())
    report = office.documents.import_jsonl(data.split(b"\n"), by=CLERK, batch_size=3)
    stored = office.list()
    if [e.id for e in stored] != report.imported:
        raise AssertionError(f"stored {len(stored)}, reported {len(report.imported)}")
    for doc in stored:
        if [e.trigger for e in office.audit(doc)] != ["receive", "register"]:
            raise AssertionError(f"{doc.id} has the audit trail {office.audit(doc)}")


def fuzz_ics(data: bytes) -> None:
    """Read the input as an iCalendar file: meetings' fields, or a ValidationError."""
    try:
        import_events(data, default_timezone="Asia/Shanghai")
    except ValidationError:
        return


TARGETS: dict[str, Callable[[bytes], None]] = {
    "number": fuzz_number,
    "code": fuzz_code,
    "import": fuzz_import,
    "ics": fuzz_ics,
}


def seeds(target: str) -> list[bytes]:
    """Well-formed inputs for ``target`` to start a corpus from."""
    if target == "number":
        return ["国办发〔2012〕14号".encode(), "办函〔2025〕1号".encode()]
    if target == "code":
        return ["0194-WS·2016-D30-BGS-0001".encode(), "0194-WS·2016-Y-BGS".encode()]
    line = {
        "kind": "notice",
        "title": "关于开展安全检查的通知",
        "sender": {"code": "SZF", "name": "市政府办公室", "relation": "superior"},
        "channel": "paper",
        "received_at": "2025-09-26T09:00:00+08:00",
        "number": "国办发〔2025〕3号",
        "attachments": [{"sequence": 1, "name": "名单", "pages": 2}],
    }
    if target == "import":
        return [(json.dumps(line, ensure_ascii=False) + "\n").encode() * 2]
    office = Office.in_memory(clock=FrozenClock(START), ids=SequentialIds())
    meeting = office.meetings.plan(
        by=CLERK,
        title="办公会议",
        meeting_kind="office",
        organizer={"actor_id": "li", "name": "李"},
        attendees=[{"actor_id": "wang", "name": "王"}],
        room="第一会议室",
        start=START + timedelta(days=5),
        end=START + timedelta(days=5, hours=1),
        timezone="Asia/Shanghai",
        agenda=[{"topic": "预算"}],
    )
    return [export_ics([meeting], domain="example.org").encode()]


def main() -> None:
    """Pick the target, hand the rest of the command line to libFuzzer."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--target", choices=sorted(TARGETS), required=True)
    parser.add_argument("--seeds", type=Path, help="write seed inputs into this folder, exit")
    args, rest = parser.parse_known_args()
    if args.seeds is not None:
        args.seeds.mkdir(parents=True, exist_ok=True)
        for n, seed in enumerate(seeds(args.target)):
            (args.seeds / f"seed-{args.target}-{n}").write_bytes(seed)
        return
    atheris.Setup([sys.argv[0], *rest], TARGETS[args.target])
    atheris.Fuzz()


if __name__ == "__main__":
    main()
