"""Bulk import of incoming documents from JSON Lines.

Each line is one JSON object with the fields of :meth:`office.documents.receive` (``kind``,
``title``, ``sender``, ``channel``, ``received_at`` and any D2 element). Lines are
validated one by one; a bad line is reported with its line number and reason and only
that line is left out. The good lines of a batch are received, registered (each gets the
next registration number) and stored, with their audit events, in one transaction per
batch: a crash in the middle of an import leaves whole batches or nothing of a batch.
"""

from __future__ import annotations

import gc
import json
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from secretarial.engine._fire import Change, FireContext, run_change
from secretarial.engine._numbering import NumberingPolicy
from secretarial.engine._ports import Store
from secretarial.errors import FieldProblem, SecretarialError, ValidationError
from secretarial.kernel._audit import AuditEvent
from secretarial.kernel._entity import Entity
from secretarial.kernel._enums import EntityKind
from secretarial.kernel._workflow import Workflow

__all__ = [
    "ImportReport",
    "LineError",
    "gc_paused",
    "import_incoming",
]

MAX_LINE_BYTES = 1_000_000
"""Longest accepted line; a longer one is rejected, not parsed."""


@dataclass(frozen=True, slots=True)
class LineError:
    """Why one line of an import was left out.

    Attributes:
        line: The 1-based line number in the input.
        reason: What is wrong, naming the field and the rule where there is one.
    """

    line: int
    reason: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.reason}"


@dataclass(slots=True)
class ImportReport:
    """What an import did.

    Attributes:
        imported: Ids of the documents stored, in input order.
        rejected: The lines left out, with reasons.
        batches: The number of transactions committed.
    """

    imported: list[str] = field(default_factory=list)
    rejected: list[LineError] = field(default_factory=list)
    batches: int = 0

    @property
    def ok(self) -> bool:
        """Whether every line was imported."""
        return not self.rejected

    def __str__(self) -> str:
        head = f"imported {len(self.imported)} in {self.batches} batches"
        if not self.rejected:
            return head
        return (
            head
            + f", rejected {len(self.rejected)}:\n"
            + "\n".join(f"  {e}" for e in self.rejected)
        )


def _lines(source: Iterable[str | bytes]) -> Iterator[tuple[int, str | None, str | None]]:
    """Number the lines; decode bytes; say why a line cannot be read at all."""
    for number, raw in enumerate(source, start=1):
        if len(raw) > MAX_LINE_BYTES:
            yield number, None, f"longer than {MAX_LINE_BYTES} bytes"
            continue
        if isinstance(raw, bytes):
            try:
                text = raw.decode("utf-8")
            except UnicodeDecodeError as e:
                yield number, None, f"not UTF-8 text ({e.reason} at byte {e.start})"
                continue
        else:
            text = raw
        if text.strip():
            yield number, text, None


def _fields(text: str) -> dict[str, Any]:
    try:
        value = json.loads(text)
    except (json.JSONDecodeError, RecursionError) as e:
        problem = str(e) if isinstance(e, json.JSONDecodeError) else "nested too deeply"
        raise ValidationError("JSON line", [FieldProblem("(line)", "json", problem)]) from None
    if not isinstance(value, dict):
        raise ValidationError(
            "JSON line",
            [FieldProblem("(line)", "json", f"expected an object, got {type(value).__name__}")],
        )
    return value


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cycle collector (if it runs) for a bulk operation, then restore it.

    Building many small objects makes the collector scan the whole heap again and again,
    which turns a linear import quadratic; nothing in a batch forms reference cycles.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def import_incoming(
    store: Store,
    context: FireContext,
    source: Iterable[str | bytes],
    *,
    batch_size: int = 1000,
    register: bool = True,
    on_batch: Callable[[ImportReport], None] | None = None,
) -> ImportReport:
    """Receive (and register) the documents of a JSON Lines source, batch by batch.

    Each batch is one change: its documents are created and registered together, their
    registration numbers drawn from the counter at once (one draw per counter, not one
    per document), which is what keeps a large import cheap.

    Args:
        store: Where to store them.
        context: Who receives and registers (a clerk), the time of receipt and
            registration, and the office's workflows, numbering and ids.
        source: Lines of JSON (text or bytes), e.g. an open file.
        batch_size: Lines per transaction.
        register: Also register each document (allocating its registration number).
        on_batch: Called after each committed batch with the report so far.

    Returns:
        What was imported and what was left out.
    """
    actor, now, numbering = context.actor, context.now, context.numbering
    workflow = context.workflows[EntityKind.INCOMING_DOCUMENT]
    workflow.require_creator(actor)  # a wrong role is refused outright, not line by line
    report = ImportReport()
    batch: list[tuple[int, Entity, AuditEvent]] = []

    def flush() -> None:
        entities = run_change(
            store,
            context,
            partial(
                _commit, workflow=workflow, numbering=numbering, batch=batch, register=register
            ),
        )
        report.imported.extend(e.id for e in entities)
        report.batches += 1
        batch.clear()
        if on_batch is not None:
            on_batch(report)

    for number, text, unreadable in _lines(source):
        if text is None:
            report.rejected.append(LineError(number, unreadable or "unreadable"))
            continue
        try:
            fields = _fields(text)
            entity, event = workflow.create(
                fields,
                entity_id=context.new_id(EntityKind.INCOMING_DOCUMENT),
                actor=actor,
                now=now,
            )
        except SecretarialError as e:
            report.rejected.append(LineError(number, str(e)))
            continue
        batch.append((number, entity, event))
        if len(batch) >= batch_size:
            flush()
    if batch:
        flush()
    return report


def _commit(
    change: Change,
    *,
    workflow: Workflow[Any],
    numbering: NumberingPolicy,
    batch: list[tuple[int, Entity, AuditEvent]],
    register: bool,
) -> list[Entity]:
    """Create and register one batch in ``change``: numbers drawn per counter, at once."""
    actor, now, uow = change.context.actor, change.now, change.uow
    entities: list[Entity] = []
    events: list[AuditEvent] = []
    if register and batch:
        first_entity = batch[0][1]
        if not workflow.can_fire(first_entity, "register", actor, now=now):
            # Same actor, same state for every line: refused for one, refused for all.
            workflow.fire(first_entity, "register", actor, now=now, data=None)
        keys: dict[str, list[int]] = {}
        for i, (_, entity, _) in enumerate(batch):
            keys.setdefault(numbering.sequence_key("incoming", entity, now), []).append(i)
        numbers: dict[int, Any] = {}
        for key, members in keys.items():
            first = uow.next_number("incoming", key, len(members))
            for offset, i in enumerate(members):
                entity = batch[i][1]
                numbers[i] = numbering.format("incoming", entity, now, first + offset)
    for i, (_, received, created) in enumerate(batch):
        events.append(created)
        stored = received
        if register:
            stored, registered = workflow.fire(
                received,
                "register",
                actor,
                now=now,
                data={"registration_number": numbers[i]},
            )
            events.append(registered)
        entities.append(stored)
    change.add_many(entities, events)
    return entities
