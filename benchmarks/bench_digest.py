"""Cost of the audit digest: the canonical form against the encoder it replaced.

Takes the events of a small office (documents received and handled, supervision items
assigned and reported on: payloads from empty to a whole document) and measures, in one
process, microseconds per event for

1. ``event_digest`` as the library computes it now (the canonical form, written by
   orjson), and the payload check a new event passes when it is sealed;
2. the baseline: the digest as event schema 3 computed it, reproduced here: CPython's C
   JSON encoder called directly, the text written piece by piece, actors' text cached
   by identity (the private path the canonical form replaced);
3. plain ``json.dumps`` of the whole content, which both equal byte for byte.

Every digest is checked against the stored hash before it is timed. Run
``python benchmarks/bench_digest.py`` (about twenty seconds). The exit status is 0 whatever
the numbers are; an error in the measured code raises.
"""

from __future__ import annotations

import hashlib
import json
import os
import statistics
import sys
import time
from collections.abc import Callable
from typing import Any

from secretarial import Actor, AuditEvent, Office
from secretarial.kernel import canonical_problems, event_digest
from secretarial.testing import SequentialIds
from workload import CLERK, DIRECTOR, PROGRESS, UNDERTAKER, items_in_progress


def events() -> list[AuditEvent]:
    """The audit events of a small office, every kind of payload it writes."""
    with Office.open("memory://", ids=SequentialIds()) as office:
        for _ in range(20):
            doc = office.documents.receive(
                by=CLERK,
                kind="notice",
                title="关于开展安全生产大检查的通知",
                sender={"code": "SZF", "name": "市政府办公室", "relation": "superior"},
                channel="paper",
                received_at=office.now(),
            )
            doc = office.fire(doc, "register", by=CLERK)
            doc = office.fire(doc, "screen", by=CLERK)
            office.fire(doc, "propose", by=DIRECTOR, handling_type="for_reading")
        for item in items_in_progress(office, 20):
            office.fire(item, "report_progress", by=UNDERTAKER, text=PROGRESS)
        return [event for entity in office.list() for event in office.audit(entity)]


# ---------------------------------------------------------------- schema 3's digest, kept
_REFERENCE = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), sort_keys=True)
_quote = json.encoder.encode_basestring
_chunks = json.encoder.c_make_encoder(  # type: ignore[attr-defined]
    None,
    _REFERENCE.default,
    _quote,
    None,
    ":",
    ",",
    True,  # noqa: FBT003 -- the C signature is positional
    False,  # noqa: FBT003
    True,  # noqa: FBT003
)
_actor_cache: dict[int, tuple[Actor, str]] = {}


def _c_encode(value: Any) -> str:
    return "".join(_chunks(value, 0))


def _actor_text(actor: Actor) -> str:
    cached = _actor_cache.get(id(actor))
    if cached is not None and cached[0] is actor:
        return cached[1]
    unit = None if actor.unit is None else (actor.unit.code, actor.unit.name)
    text = _c_encode([actor.id, actor.name, sorted(actor.roles), str(actor.clearance), unit])
    _actor_cache[id(actor)] = (actor, text)
    return text


def schema_3_digest(e: AuditEvent, schema: int) -> str:
    """The digest as the library computed it for an event of schema 2 or 3."""
    tail = f",{schema}]" if e.on_behalf_of is None else f",{schema},{_quote(e.on_behalf_of)}]"
    text = (
        f"[{_quote(str(e.entity_kind))},{_quote(e.entity_id)},{e.version},{_quote(e.trigger)},"
        f"{'null' if e.source is None else _quote(e.source)},{_quote(str(e.target))},"
        f"{_actor_text(e.actor)},{_quote(e.at.isoformat())},"
        f"{'null' if e.reason is None else _quote(e.reason)},"
        f"{_c_encode(e.payload) if e.payload else '{}'},"
        f"{'null' if e.previous_hash is None else _quote(e.previous_hash)}{tail}"
    )
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def json_dumps_digest(e: AuditEvent, schema: int) -> str:
    actor = e.actor
    unit = None if actor.unit is None else (actor.unit.code, actor.unit.name)
    content = [
        str(e.entity_kind), e.entity_id, e.version, e.trigger, e.source, str(e.target),
        [actor.id, actor.name, sorted(actor.roles), str(actor.clearance), unit],
        e.at.isoformat(), e.reason, e.payload, e.previous_hash, schema,
    ]  # fmt: skip
    text = json.dumps(content, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def present_digest(e: AuditEvent, schema: int, *, sealing: bool = False) -> str:
    return event_digest(
        entity_kind=str(e.entity_kind),
        entity_id=e.entity_id,
        version=e.version,
        trigger=e.trigger,
        source=e.source,
        target=e.target,
        actor=e.actor,
        at=e.at,
        reason=e.reason,
        payload=e.payload,
        previous_hash=e.previous_hash,
        schema_version=schema,
        on_behalf_of=e.on_behalf_of,
        sealing=sealing,
    )


def per_event(
    measured: list[tuple[str, Callable[[AuditEvent], object]]], trail: list[AuditEvent]
) -> list[list[float]]:
    """Microseconds per event of each, in rounds that take each in turn.

    A drift of the machine's speed then falls on all of them alike.
    """
    times: list[list[float]] = [[] for _ in measured]
    for _ in range(ROUNDS):
        for index, (_, digest) in enumerate(measured):
            began = time.perf_counter()
            for _ in range(20):
                for event in trail:
                    digest(event)
            times[index].append((time.perf_counter() - began) / 20 / len(trail) * 1e6)
    return times


ROUNDS = 9


def main() -> None:
    trail = events()
    schema = trail[0].schema_version
    for event in trail:  # all agree before any is timed
        digests = {f(event, schema) for f in (present_digest, schema_3_digest, json_dumps_digest)}
        if digests != {event.hash}:
            raise SystemExit(f"the digests of {event.entity_id} v{event.version} differ")
    print(f"python {sys.version.split()[0]}, load {os.getloadavg()}")
    print(
        f"{len(trail)} events of schema {schema}; "
        f"µs per event, best [median .. worst] of {ROUNDS} rounds"
    )
    measured: list[tuple[str, Callable[[AuditEvent], object]]] = [
        ("schema 3's digest (C encoder, cached actors)", lambda e: schema_3_digest(e, schema)),
        ("json.dumps of the whole content", lambda e: json_dumps_digest(e, schema)),
        ("event_digest, canonical form", lambda e: present_digest(e, schema)),
        (
            "event_digest sealing (payload checked)",
            lambda e: present_digest(e, schema, sealing=True),
        ),
        ("the payload check alone", lambda e: canonical_problems(e.payload)),
    ]
    rows = list(zip([name for name, _ in measured], per_event(measured, trail), strict=True))
    baseline = statistics.median(rows[0][1])
    for name, times in rows:
        median = statistics.median(times)
        print(
            f"  {name:44s} {min(times):6.2f} [{median:.2f} .. {max(times):.2f}]"
            f"  = {median / baseline:.2f}x schema 3's (medians)"
        )
    print(f"load {os.getloadavg()}")


if __name__ == "__main__":
    main()
