"""Concurrency soak: several processes firing random triggers on one shared office.

The parent creates a shared set of entities (supervision items, incoming and outgoing
documents). Then ``--workers`` processes, each with its own ``Office.open(url)`` as
separate web workers would have, run for ``--seconds``. Each loop a worker either
creates something (receives, opens, drafts, imports a small JSON Lines batch) or picks
an entity, reads it (or, three times in ten, reuses the copy it read last, which may be
stale by now) and fires a trigger that state allows, with input that passes the rules:
with the entity it read (its version checked), or by id (the office then retries a lost
race). A small share of the attempts is deliberately invalid (an unknown trigger,
a wrong role) and must be refused. Shared supervision items never reach a terminal state
(they loop through ``report_progress``, extensions and rework), so they stay contended
for the whole run. Workers count what they did: every committed command with the audit
events it wrote, every :class:`~secretarial.ConcurrencyConflict`, every refusal.

At the end the parent checks the store against those counts and prints the figures:

* **lost updates**: per entity and trigger, the audit events the store holds equal the
  successful commands the workers reported (nothing lost, nothing extra), and every
  entity's ``version`` equals its number of audit events; list fields grown by
  triggers (progress reports, extension requests, rework reasons, reminders) have one
  element per event;
* **numbering**: registration numbers (per year), document numbers (per issuer and
  year) and archival codes (per class) are 1..N with no duplicate and no gap, N being the
  counter's value;
* **audit**: the total number of audit events equals the sum of versions and the
  workers' count; :meth:`Office.verify_audit` is clean, and clean again after
  :meth:`Office.anchor`.

The exit status is 1 if any invariant fails (or a worker met an unexpected exception),
0 otherwise.

Usage::

    python benchmarks/soak.py --seconds 60 --workers 4
    python benchmarks/soak.py --reset --url postgresql://postgres@127.0.0.1:5432/test_soak

Without ``--url`` the office is a SQLite file in a temporary directory. The database at
``--url`` must hold no office yet (the tables are created in it); ``--reset`` drops the
office's tables there first.
``--json PATH`` also writes the figures as JSON.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import random
import sys
import tempfile
import time
import traceback
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from secretarial import (
    Actor,
    ArchiveSettings,
    ConcurrencyConflict,
    Entity,
    IncomingDocument,
    Office,
    OutgoingDocument,
    Record,
    Role,
    SupervisionItem,
    TransitionNotAllowed,
)

# ------------------------------------------------------------------------------ actors

CLERK = Actor(id="clerk", name="Clerk", roles=frozenset({Role.CLERK}))
DIRECTOR = Actor(id="director", name="Director", roles=frozenset({Role.OFFICE_DIRECTOR}))
LEADER = Actor(id="leader", name="Leader", roles=frozenset({Role.LEADER}))
UNDERTAKER = Actor(id="undertaker", name="Undertaker", roles=frozenset({Role.UNDERTAKER}))
SUPERVISOR = Actor(id="supervisor", name="Supervisor", roles=frozenset({Role.SUPERVISOR}))
ARCHIVIST = Actor(id="archivist", name="Archivist", roles=frozenset({Role.ARCHIVIST}))
DRAFTER = Actor(id="drafter", name="Drafter", roles=frozenset({Role.DRAFTER}))
NOBODY = Actor(id="nobody", name="Nobody")
READERS = tuple(Actor(id=f"reader{n}", name=f"Reader {n}") for n in (1, 2, 3))
BY_ID = {a.id: a for a in (CLERK, DIRECTOR, LEADER, UNDERTAKER, SUPERVISOR, DRAFTER, *READERS)}

SENDER = {"code": "SZF", "name": "市政府办公室", "relation": "superior"}
PEER = {"code": "SJW", "name": "市教委", "relation": "peer"}
UNIT = {"code": "ZHK", "name": "综合科"}
ISSUERS = ("办发", "办函")
FAR = date(2099, 12, 31)
ARCHIVE = ArchiveSettings(fonds="0194")
RECORD_CLASS = "routine"


def open_office(url: str) -> Office:
    """The office every process of the soak opens (same archive settings everywhere)."""
    return Office.open(url, archive=ARCHIVE)


# ------------------------------------------------------------------------------ tallies


@dataclass
class Tally:
    """What one process did, reported to the parent.

    Attributes:
        worker: The worker's number (-1 for the parent's setup).
        commands: Committed commands (creations, fires, filings, imports).
        events: Audit events those commands wrote, by (entity id, trigger).
        conflicts: ``ConcurrencyConflict`` raised to the worker.
        stale_refusals: Moves chosen on the version read and refused because another
            process saved a newer version meanwhile (checked: a refusal while the stored
            version is still the one read is an error).
        invalid_attempts: Deliberately invalid fires attempted.
        invalid_refused: Of those, how many were refused (all of them, or it is a bug).
        errors: Unexpected exceptions (with their tracebacks), and refusals of moves on
            the very version they were chosen for.
    """

    worker: int
    commands: int = 0
    events: Counter[tuple[str, str]] = field(default_factory=Counter)
    conflicts: int = 0
    stale_refusals: int = 0
    invalid_attempts: int = 0
    invalid_refused: int = 0
    errors: list[str] = field(default_factory=list)

    def wrote(self, *events: tuple[str, str]) -> None:
        """Record one committed command and the audit events it wrote."""
        self.commands += 1
        self.events.update(events)


# ------------------------------------------------------------------------------ creations


def _receive(office: Office, tally: Tally, label: str) -> IncomingDocument:
    doc = office.documents.receive(
        by=CLERK,
        kind="notice",
        title=f"关于{label}的通知",
        sender=SENDER,
        channel="electronic",
        received_at=office.now(),
    )
    tally.wrote((doc.id, "receive"))
    return doc


def _open_item(office: Office, tally: Tally, label: str) -> SupervisionItem:
    item = office.supervision.open(
        by=SUPERVISOR,
        source="leader_instruction",
        requirement=f"落实{label}",
        received_at=office.now(),
    )
    tally.wrote((item.id, "open"))
    return item


def _draft(office: Office, tally: Tally, label: str, issuer: str) -> OutgoingDocument:
    doc = office.documents.draft(
        by=DRAFTER,
        kind="notice",
        title=f"关于{label}的通知",
        issuer_code=issuer,
        main_recipients=[PEER],
    )
    tally.wrote((doc.id, "draft"))
    return doc


def _import(office: Office, tally: Tally, label: str, size: int) -> None:
    lines = [
        json.dumps(
            {
                "kind": "notice",
                "title": f"关于{label}-{n}的通知",
                "sender": SENDER,
                "channel": "paper",
                "received_at": office.now().isoformat(),
            },
            ensure_ascii=False,
        )
        for n in range(size)
    ]
    report = office.documents.import_jsonl(lines, by=CLERK, batch_size=size)
    if report.rejected:
        raise AssertionError(f"a valid import line was rejected: {report}")
    tally.commands += 1
    for doc_id in report.imported:
        tally.events.update([(doc_id, "receive"), (doc_id, "register")])


# ------------------------------------------------------------------------------ moves

Move = tuple[float, str, Actor, dict[str, Any]]
"""(weight, trigger, actor, input): one thing that may be done to an entity now."""


def _item_moves(item: SupervisionItem, *, shared: bool, step: str) -> list[Move]:
    state = str(item.state)
    moves: list[Move] = []
    if state == "registered":
        moves.append((3, "assign", SUPERVISOR, {"lead_unit": UNIT, "deadline": FAR}))
    elif state == "assigned":
        moves.append((3, "accept", UNDERTAKER, {}))
    elif state == "in_progress":
        moves.append((4, "report_progress", UNDERTAKER, {"text": f"进展 {step}"}))
        deadline = item.deadline or FAR
        moves.append(
            (
                1,
                "request_extension",
                UNDERTAKER,
                {"proposed_deadline": deadline + timedelta(days=1), "reason": "需要协调"},
            )
        )
        moves.append((2, "submit_result", UNDERTAKER, {"result": f"已落实 {step}"}))
    elif state == "extension_requested":
        pending = item.pending_extension
        if pending is not None:
            moves.append(
                (1, "grant_extension", SUPERVISOR, {"deadline": pending.proposed_deadline})
            )
        moves.append((1, "refuse_extension", SUPERVISOR, {"reason": "不同意"}))
    elif state == "reported":
        moves.append((3, "reject", SUPERVISOR, {"reason": f"补充材料 {step}"}))
        if not shared:
            moves.append((2, "verify", SUPERVISOR, {"verification": "属实"}))
    if item.is_open:
        moves.append((0.5, "remind", SUPERVISOR, {"step": step}))
        if not shared:
            moves.append((0.2, "cancel", SUPERVISOR, {"reason": "撤销"}))
    return moves


def _incoming_moves(doc: IncomingDocument, *, step: str) -> list[Move]:  # noqa: C901, PLR0912
    state = str(doc.state)
    moves: list[Move] = []
    if state == "received":
        moves.append((3, "register", CLERK, {}))
    elif state == "registered":
        moves.append((3, "screen", CLERK, {}))
        moves.append((0.1, "return_to_sender", CLERK, {"reason": "不属于本机关办理"}))
    elif state == "screened":
        moves.append((2, "propose", DIRECTOR, {"handling_type": "for_handling", "lead_unit": UNIT}))
        moves.append((1, "propose", DIRECTOR, {"handling_type": "for_reading"}))
    elif state == "proposed":
        moves.append((3, "approve", LEADER, {"instruction": "同意"}))
    elif state == "approved":
        if str(doc.handling_type) == "for_handling":
            moves.append((3, "assign", CLERK, {"assignee": UNDERTAKER.id}))
        else:
            readers = tuple(r.id for r in READERS)
            moves.append((3, "circulate", CLERK, {"readers": readers}))
    elif state == "in_handling":
        moves.append((3, "complete", UNDERTAKER, {"result": "已办理"}))
    elif state == "circulating":
        holder = doc.current_holder
        if holder is not None:
            moves.append((3, "mark_read", BY_ID[holder], {"comment": "已阅"}))
        else:
            moves.append((3, "finish_reading", CLERK, {}))
    elif state == "completed":
        moves.append((2, "file", ARCHIVIST, {}))
    if doc.is_open:
        moves.append((0.3, "remind", CLERK, {"step": step}))
    return moves


def _outgoing_moves(doc: OutgoingDocument, *, step: str) -> list[Move]:
    state = str(doc.state)
    moves: list[Move] = []
    simple = {
        "rechecked": ("register", CLERK, {}),
        "registered": ("print", CLERK, {}),
        "printed": ("dispatch", CLERK, {}),
        "dispatched": ("file", ARCHIVIST, {}),
        "drafted": ("submit", DRAFTER, {}),
    }
    if state in simple:
        trigger, actor, data = simple[state]
        moves.append((3, trigger, actor, data))
    elif state == "submitted":
        moves.append((3, "review", DIRECTOR, {"opinion": "可"}))
        moves.append((0.5, "send_back", DIRECTOR, {"reason": "请修改"}))
    elif state == "reviewed":
        moves.append((3, "sign", LEADER, {"opinion": "同意印发"}))
    elif state == "signed":
        moves.append((3, "recheck", CLERK, {}))
        moves.append((0.3, "resign", CLERK, {"reason": "实质性修改"}))
    if doc.is_open:
        moves.append((0.3, "remind", CLERK, {"step": step}))
    return moves


def moves_for(entity: Entity, *, shared: bool, step: str) -> list[Move]:
    """The moves the soak may make on ``entity`` in its current state."""
    if isinstance(entity, SupervisionItem):
        return _item_moves(entity, shared=shared, step=step)
    if isinstance(entity, IncomingDocument):
        return _incoming_moves(entity, step=step)
    if isinstance(entity, OutgoingDocument):
        return _outgoing_moves(entity, step=step)
    return []


INVALID: tuple[tuple[str, Actor, dict[str, Any]], ...] = (
    ("no_such_trigger", CLERK, {}),
    ("accept", NOBODY, {}),  # no role
    ("verify", CLERK, {"verification": "x"}),  # wrong role, and on most entities no such row
    ("register", UNDERTAKER, {}),  # wrong role
    ("remind", NOBODY, {"step": "refused"}),  # no role
)
"""Attempts that must be refused whatever the entity and its state."""


# ------------------------------------------------------------------------------ worker


@dataclass
class _Worker:
    office: Office
    tally: Tally
    rng: random.Random
    shared: list[str]
    pool: list[str] = field(default_factory=list)
    steps: int = 0
    shared_set: frozenset[str] = frozenset()
    seen: dict[str, Entity] = field(default_factory=dict)
    """The last copy of each entity this worker read or wrote (perhaps stale by now)."""

    def __post_init__(self) -> None:
        self.shared_set = frozenset(self.shared)

    def step_name(self) -> str:
        self.steps += 1
        return f"w{self.tally.worker}-{self.steps}"

    def refresh(self) -> None:
        kinds = ("supervision_item", "incoming_document", "outgoing_document")
        self.pool = [e.id for e in self.office.list(kind=kinds, open_only=True)]

    def create(self, roll: float) -> None:
        label = self.step_name()
        if roll < 0.3:
            doc = _receive(self.office, self.tally, label)
            self.pool.append(doc.id)
        elif roll < 0.55:
            self.pool.append(_open_item(self.office, self.tally, label).id)
        elif roll < 0.85:
            issuer = self.rng.choice(ISSUERS)
            self.pool.append(_draft(self.office, self.tally, label, issuer).id)
        else:
            _import(self.office, self.tally, label, self.rng.randint(1, 5))

    def invalid(self) -> None:
        entity_id = self.rng.choice(self.shared)
        trigger, actor, data = self.rng.choice(INVALID)
        self.tally.invalid_attempts += 1
        try:
            self.office.fire(entity_id, trigger, by=actor, **data)
        except TransitionNotAllowed:
            self.tally.invalid_refused += 1
        else:
            self.tally.errors.append(f"{trigger} by {actor.id} on {entity_id} was not refused")
            self.tally.events[(entity_id, trigger)] += 1

    def move(self) -> None:
        shared = self.rng.random() < 0.5 or not self.pool
        entity_id = self.rng.choice(self.shared if shared else self.pool)
        entity = self.seen.get(entity_id)
        if entity is None or self.rng.random() < 0.7:  # mostly a fresh read
            entity = self.office.get(entity_id)
        self.seen[entity_id] = entity
        moves = moves_for(entity, shared=entity_id in self.shared_set, step=self.step_name())
        if not moves:
            return
        weights = [m[0] for m in moves]
        _, trigger, actor, data = self.rng.choices(moves, weights)[0]
        try:
            if trigger == "file":
                record = self.office.records.file(entity, by=actor, record_class=RECORD_CLASS)
                self.tally.wrote((entity.id, "file"), (record.id, "file"))
                return
            target: Entity | str = entity if self.rng.random() < 0.7 else entity.id
            reason = data.pop("reason", None)
            new = self.office.fire(target, trigger, by=actor, reason=reason, **data)
        except TransitionNotAllowed as refusal:
            # Chosen on the version read; refused: someone must have saved since.
            if self.office.get(entity.id).version == entity.version:
                self.tally.errors.append(
                    f"refused on the very version it was chosen for: {refusal}"
                )
            else:
                self.tally.stale_refusals += 1
            return
        self.seen[entity.id] = new
        self.tally.wrote((entity.id, trigger))

    def once(self) -> None:
        roll = self.rng.random()
        try:
            if roll < 0.06:
                self.create(roll / 0.06)
            elif roll < 0.09:
                self.invalid()
            else:
                self.move()
        except ConcurrencyConflict:
            self.tally.conflicts += 1


@dataclass(frozen=True)
class Job:
    """What one worker process is asked to do.

    Attributes:
        url: The office's database.
        number: The worker's number, from 0.
        shared: The ids of the shared entities.
        seconds: How long to work.
        seed: The run's seed (each worker derives its own from it).
    """

    url: str
    number: int
    shared: list[str]
    seconds: float
    seed: int


def worker(job: Job, start: Any) -> Tally:
    """Run one soak process: open the office, wait for the others, work for ``job.seconds``."""
    tally = Tally(worker=job.number)
    try:
        with open_office(job.url) as office:
            rng = random.Random(job.seed * 1000 + job.number)
            state = _Worker(office, tally, rng, job.shared)
            state.refresh()
            start.wait()
            end = time.monotonic() + job.seconds
            next_refresh = time.monotonic() + 2.0
            while time.monotonic() < end:
                state.once()
                if time.monotonic() >= next_refresh:
                    state.refresh()
                    next_refresh = time.monotonic() + 2.0
    except Exception:  # noqa: BLE001 -- reported to the parent, which fails the run
        tally.errors.append(traceback.format_exc())
    return tally


def _run_worker(job: Job, start: Any, results: Any) -> None:
    results.put(worker(job, start))


# ------------------------------------------------------------------------------ setup


def setup(url: str, *, items: int, documents: int, outgoing: int) -> tuple[list[str], Tally]:
    """Create the shared entities; return their ids and what the setup wrote."""
    tally = Tally(worker=-1)
    with open_office(url) as office:
        if office.list():
            raise SystemExit(f"{url} already holds an office; the soak needs an empty one")
        ids = [_open_item(office, tally, f"事项{n}").id for n in range(items)]
        ids += [_receive(office, tally, f"来文{n}").id for n in range(documents)]
        ids += [
            _draft(office, tally, f"发文{n}", ISSUERS[n % len(ISSUERS)]).id for n in range(outgoing)
        ]
    return ids, tally


# ------------------------------------------------------------------------------ checks


@dataclass
class Figures:
    """The soak's results; ``failures`` lists every invariant that did not hold."""

    store: str
    workers: int
    seconds: float
    commands: int = 0
    conflicts: int = 0
    stale_refusals: int = 0
    invalid_attempts: int = 0
    invalid_refused: int = 0
    worker_errors: int = 0
    entities: int = 0
    audit_events: int = 0
    events_reported: int = 0
    sum_of_versions: int = 0
    version_mismatches: int = 0
    lost_updates: int = 0
    unexpected_events: int = 0
    lost_list_entries: int = 0
    registration_numbers: int = 0
    document_numbers: int = 0
    archival_codes: int = 0
    duplicate_numbers: int = 0
    missing_numbers: int = 0
    verify_problems: int = 0
    verify_problems_after_anchor: int = 0
    failures: list[str] = field(default_factory=list)

    def rows(self) -> list[tuple[str, str]]:
        """The figures as (label, value) rows, in the order they are printed."""
        per_second = self.commands / self.seconds if self.seconds else 0.0
        return [
            ("store", self.store),
            ("processes x seconds", f"{self.workers} x {self.seconds:g}"),
            ("operations done (committed commands)", f"{self.commands}"),
            ("operations per second", f"{per_second:.0f}"),
            ("conflicts seen (ConcurrencyConflict)", f"{self.conflicts}"),
            ("refusals: stale moves", f"{self.stale_refusals}"),
            (
                "refusals: invalid attempts refused",
                f"{self.invalid_refused} of {self.invalid_attempts}",
            ),
            ("unexpected worker errors", f"{self.worker_errors}"),
            ("entities", f"{self.entities}"),
            ("audit events stored", f"{self.audit_events}"),
            ("audit events reported by processes", f"{self.events_reported}"),
            ("sum of entity versions", f"{self.sum_of_versions}"),
            ("entities with version != audit events", f"{self.version_mismatches}"),
            ("lost updates", f"{self.lost_updates}"),
            ("unexpected audit events", f"{self.unexpected_events}"),
            ("lost list entries", f"{self.lost_list_entries}"),
            ("registration numbers", f"{self.registration_numbers}"),
            ("document numbers", f"{self.document_numbers}"),
            ("archival codes", f"{self.archival_codes}"),
            ("duplicate numbers", f"{self.duplicate_numbers}"),
            ("missing numbers (gaps)", f"{self.missing_numbers}"),
            ("verify_audit problems", f"{self.verify_problems}"),
            ("verify_audit problems after anchor", f"{self.verify_problems_after_anchor}"),
        ]


_LIST_FIELDS: dict[type[Entity], dict[str, str]] = {
    SupervisionItem: {
        "report_progress": "progress_reports",
        "request_extension": "extension_requests",
        "reject": "rework_reasons",
        "remind": "reminders",
    },
    IncomingDocument: {"remind": "reminders"},
    OutgoingDocument: {"remind": "reminders"},
}


def _sequence_check(
    figures: Figures, series: str, drawn: dict[str, list[int]], counters: dict[Any, int]
) -> int:
    """Each key's numbers must be 1..counter, once each. Returns how many were drawn."""
    keys = set(drawn) | {key for (s, key) in counters if s == series}
    total = 0
    for key in sorted(keys):
        numbers = drawn.get(key, [])
        total += len(numbers)
        last = counters.get((series, key), 0)
        duplicates = len(numbers) - len(set(numbers))
        missing = len(set(range(1, last + 1)) - set(numbers))
        beyond = len({n for n in numbers if n > last or n < 1})
        figures.duplicate_numbers += duplicates
        figures.missing_numbers += missing + beyond
        if duplicates or missing or beyond:
            figures.failures.append(
                f"{series} {key}: {duplicates} duplicates, {missing} gaps, {beyond} beyond "
                f"the counter ({last})"
            )
    return total


def _reported(tallies: list[Tally], figures: Figures) -> Counter[tuple[str, str]]:
    """Add up what the processes reported; return the audit events they wrote."""
    expected: Counter[tuple[str, str]] = Counter()
    for tally in tallies:
        expected.update(tally.events)
        if tally.worker >= 0:
            figures.commands += tally.commands
            figures.conflicts += tally.conflicts
            figures.stale_refusals += tally.stale_refusals
            figures.invalid_attempts += tally.invalid_attempts
            figures.invalid_refused += tally.invalid_refused
        figures.worker_errors += len(tally.errors)
        figures.failures.extend(f"worker {tally.worker}: {e}" for e in tally.errors)
    figures.events_reported = sum(expected.values())
    return expected


@dataclass
class _Found:
    """What the store holds: audit events by (entity, trigger), numbers drawn by key."""

    events: Counter[tuple[str, str]] = field(default_factory=Counter)
    registration: dict[str, list[int]] = field(default_factory=dict)
    numbers: dict[str, list[int]] = field(default_factory=dict)
    codes: dict[str, list[int]] = field(default_factory=dict)
    orphans: int = 0


def _scan(office: Office, figures: Figures) -> _Found:
    """Read every entity and its trail once; count versions, events, list entries, numbers."""
    entities, trails = office.store.audit_records()
    figures.entities = len(entities)
    found = _Found()
    for _seq, entity in entities:
        trail = trails.get(entity.id, [])
        figures.audit_events += len(trail)
        figures.sum_of_versions += entity.version
        versions = [e.version if e is not None else None for e in trail]
        if entity.version != len(trail) or versions != list(range(1, len(trail) + 1)):
            figures.version_mismatches += 1
        triggers = Counter(e.trigger for e in trail if e is not None)
        found.events.update({(entity.id, t): n for t, n in triggers.items()})
        for trigger, name in _LIST_FIELDS.get(type(entity), {}).items():
            figures.lost_list_entries += abs(len(getattr(entity, name)) - triggers[trigger])
        if isinstance(entity, IncomingDocument) and entity.registration_number is not None:
            year, _, sequence = entity.registration_number.partition("-")
            found.registration.setdefault(year, []).append(int(sequence))
        if isinstance(entity, OutgoingDocument) and entity.number is not None:
            key = f"{entity.number.organ_code}/{entity.number.year}"
            found.numbers.setdefault(key, []).append(entity.number.sequence)
        if isinstance(entity, Record):
            code = entity.archival_code
            found.codes.setdefault(str(code.archival_class), []).append(code.item)
    orphans = set(trails) - {e.id for _, e in entities}
    found.orphans = len(orphans)
    figures.audit_events += sum(len(trails[o]) for o in orphans)
    return found


def check(url: str, tallies: list[Tally], figures: Figures) -> None:
    """Compare the store with what the processes reported; fill in ``figures``."""
    expected = _reported(tallies, figures)
    with open_office(url) as office:
        found = _scan(office, figures)
        figures.lost_updates = sum((expected - found.events).values())
        figures.unexpected_events = sum((found.events - expected).values())
        counters = office.store.counters()  # type: ignore[attr-defined]
        figures.registration_numbers = _sequence_check(
            figures, "incoming", found.registration, counters
        )
        figures.document_numbers = _sequence_check(figures, "outgoing", found.numbers, counters)
        figures.archival_codes = _sequence_check(figures, "archival", found.codes, counters)
        figures.verify_problems = len(office.verify_audit().problems)
        office.anchor()
        after = office.verify_audit()
        figures.verify_problems_after_anchor = len(after.problems)
        if after.anchors < 1:
            figures.failures.append("the anchor was not stored")

    for label, value in (
        ("entities with version != audit events", figures.version_mismatches),
        ("lost updates", figures.lost_updates),
        ("unexpected audit events", figures.unexpected_events),
        ("lost list entries", figures.lost_list_entries),
        ("verify_audit problems", figures.verify_problems),
        ("verify_audit problems after anchor", figures.verify_problems_after_anchor),
        ("invalid attempts not refused", figures.invalid_attempts - figures.invalid_refused),
        ("audit events - sum of versions", figures.audit_events - figures.sum_of_versions),
        ("audit events - events reported", figures.audit_events - figures.events_reported),
        ("entities missing with audit events left", found.orphans),
    ):
        if value != 0:
            figures.failures.append(f"{label}: {value}")
    if figures.commands == 0:
        figures.failures.append("the processes committed nothing")


# ------------------------------------------------------------------------------ main


def reset(url: str) -> None:
    """Drop the office's tables in the database at ``url`` (for a fresh run)."""
    import sqlalchemy as sa  # noqa: PLC0415 -- only for --reset

    from secretarial.adapters._sql import metadata, normalise_url  # noqa: PLC0415

    engine = sa.create_engine(normalise_url(url))
    try:
        with engine.begin() as conn:
            metadata.drop_all(conn)
    finally:
        engine.dispose()


def run(
    url: str, *, workers: int, seconds: float, seed: int, items: int, documents: int, outgoing: int
) -> Figures:
    """Set up, run the processes, check; return the figures."""
    shared, setup_tally = setup(url, items=items, documents=documents, outgoing=outgoing)
    ctx = mp.get_context("spawn")
    start = ctx.Barrier(workers, timeout=120)
    results = ctx.Queue()
    processes = [
        ctx.Process(target=_run_worker, args=(Job(url, n, shared, seconds, seed), start, results))
        for n in range(workers)
    ]
    for p in processes:
        p.start()
    tallies = [setup_tally]
    tallies += [results.get(timeout=seconds + 300) for _ in processes]
    for p in processes:
        p.join(timeout=60)
    kind = "PostgreSQL" if url.startswith("postgres") else "SQLite"
    figures = Figures(store=kind, workers=workers, seconds=seconds)
    check(url, tallies, figures)
    for p in processes:
        if p.exitcode != 0:
            figures.failures.append(f"a worker process exited with {p.exitcode}")
    return figures


def _print(figures: Figures, seed: int) -> None:
    rows = figures.rows()
    width = max(len(label) for label, _ in rows)
    print(f"secretarial soak (seed {seed})")
    for label, value in rows:
        print(f"  {label:<{width}}  {value}")
    if figures.failures:
        print(f"FAILED: {len(figures.failures)} invariants broken")
        for failure in figures.failures:
            print(f"  - {failure}")
    else:
        print("OK: every invariant holds")


def main(argv: list[str] | None = None) -> int:
    """Parse the command line, run the soak, print the figures; 1 if an invariant fails."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", help="sqlite:///file.db or postgresql://...; a temp SQLite file")
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--items", type=int, default=30, help="shared supervision items")
    parser.add_argument("--documents", type=int, default=30, help="shared incoming documents")
    parser.add_argument("--outgoing", type=int, default=10, help="shared outgoing documents")
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument("--json", type=Path, help="also write the figures here as JSON")
    parser.add_argument(
        "--reset", action="store_true", help="drop the office tables in --url first (destructive)"
    )
    args = parser.parse_args(argv)
    if args.url is not None and args.url.startswith("memory"):
        parser.error("an in-memory office cannot be shared between processes")
    seed = args.seed if args.seed is not None else random.SystemRandom().randrange(10**6)
    with tempfile.TemporaryDirectory(prefix="secretarial-soak-") as folder:
        url = args.url or f"sqlite:///{Path(folder) / 'soak.db'}"
        if args.reset:
            reset(url)
        started = time.monotonic()
        figures = run(
            url,
            workers=args.workers,
            seconds=args.seconds,
            seed=seed,
            items=args.items,
            documents=args.documents,
            outgoing=args.outgoing,
        )
        elapsed = time.monotonic() - started
    _print(figures, seed)
    print(f"  (wall time {elapsed:.1f} s, pid {os.getpid()})")
    if args.json is not None:
        data: dict[str, Any] = dict(figures.rows())
        data |= {"seed": seed, "failures": figures.failures, "ok": not figures.failures}
        data |= {k: v for k, v in vars(figures).items() if isinstance(v, int | float | str)}
        args.json.write_text(json.dumps(data, ensure_ascii=False, indent=2), encoding="utf-8")
    return 1 if figures.failures else 0


if __name__ == "__main__":
    sys.exit(main())
