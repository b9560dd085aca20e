"""Event logs for process mining: the audit trail written as OCEL 2.0 and as XES.

Every change an office makes is an audit event: who fired which trigger on which record,
from which state to which, and when. :func:`write_ocel` writes them as an
object-centric event log (OCEL 2.0, its JSON format), :func:`write_xes` as a classic
event log of one kind (XES, IEEE 1849), the two formats process-mining tools read
(pm4py, ProM, Celonis and others). The library writes them with the standard library
and orjson; it never imports a process-mining package.

**What the reader may see.** Without ``by`` the log is the host's own, trusted read:
everything. With ``by``, a record the office's access policy hides from them (classified
above their clearance, outside its need-to-know scope) is left out
(``classified="omit"``) or reduced (``classified="reduce"``, the default): its id, its
kind and, for each event, the trigger, the states and the time, and nothing else (no
title, no reason, no actor, no unit, no payload). The policy is the office's own
(:attr:`Office.access <secretarial.Office.access>`), asked as :meth:`Office.list
<secretarial.Office.list>` asks it, of each record as it stands now.

**Memory.** Both writers read the store one trail at a time
(:meth:`Store.audit_stream <secretarial.engine.Store.audit_stream>`) and write as they
go; no log is built in memory. An XES log is written trace by trace. An OCEL log keeps
its events and its objects in two arrays: the events are written to the output as they
are read, each record's object to a spool (a temporary file once it passes 4 MiB), which
is copied after the events; what the writer keeps is the units, organs and people the
events name (bounded by the office's directory, not by its work) and the names of the
event and object types. The store's own read may keep more: the SQL store reads every
record's body before the trails.
"""

from __future__ import annotations

import functools
import io
import os
import re
import tempfile
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import IO, Any, Final, Literal, Protocol, cast, get_args

import orjson

from secretarial.errors import FieldProblem, UsageError, ValidationError
from secretarial.kernel._access import AccessPolicy
from secretarial.kernel._area import Registry
from secretarial.kernel._audit import AuditEvent, AuditRecord
from secretarial.kernel._entity import Entity
from secretarial.kernel._values import Actor, Organ, Unit, checked_moment

__all__ = [
    "CLASSIFIED_MODES",
    "EventLogSource",
    "EventLogSummary",
    "Target",
    "write_ocel",
    "write_xes",
]

Classified = Literal["omit", "reduce"]
CLASSIFIED_MODES: Final[tuple[Classified, ...]] = ("omit", "reduce")
"""What becomes of a record the reader may not see: left out, or reduced to its steps."""

Target = str | os.PathLike[str] | IO[bytes] | IO[str]
"""Where a log goes: a file path (written as UTF-8), or an open binary or text stream."""

_FLUSH: Final = 1 << 20
"""Bytes gathered before they are written to the output."""
_SPOOL_MEMORY: Final = 4 << 20
"""Bytes of OCEL objects kept in memory before their spool moves to a temporary file."""
_MOMENT: Final = "a timezone-aware datetime from 1900-01-01 to 9998-12-31"
"""What ``since`` and ``until`` accept."""
_STATIC: Final = "1970-01-01T00:00:00+00:00"
"""The time OCEL 2.0 gives an object attribute's value that holds from the start."""


# ============================================================================ what it reads
class _AuditStreamer(Protocol):
    def audit_stream(self) -> Iterator[AuditRecord]: ...


class EventLogSource(Protocol):
    """What the writers read of an office; an :class:`~secretarial.Office` is one."""

    @property
    def store(self) -> _AuditStreamer:
        """The store: its audit, a trail at a time (``audit_stream()``)."""

    @property
    def registry(self) -> Registry:
        """The kinds the office runs (names and aliases)."""

    @property
    def access(self) -> AccessPolicy:
        """Who may see what."""

    def require_reader(self, by: Actor | None, verb: str) -> None:
        """Check the reader (or refuse a read without one, if the office requires it)."""


# ============================================================================ the summary
@dataclass(frozen=True, slots=True)
class EventLogSummary:
    """What a writer wrote.

    Attributes:
        format: ``"ocel"`` or ``"xes"``.
        events: Events written.
        objects: Objects written: in OCEL the records, units, organs and people; in XES
            the traces (one per record).
        entities: Records written (whole or reduced).
        reduced: Records written reduced, hidden from the reader.
        omitted: Records left out, hidden from the reader (``classified="omit"``, or a
            trail whose record is missing, which no reader's access can be judged on).
        unreadable: Stored events that could not be read as events (left out; the
            audit's verification names them).
    """

    format: Literal["ocel", "xes"]
    events: int
    objects: int
    entities: int
    reduced: int
    omitted: int
    unreadable: int

    def to_dict(self) -> dict[str, int | str]:
        """The summary as a JSON object."""
        return {
            "format": self.format,
            "events": self.events,
            "objects": self.objects,
            "entities": self.entities,
            "reduced": self.reduced,
            "omitted": self.omitted,
            "unreadable": self.unreadable,
        }


@dataclass
class _Tally:
    events: int = 0
    entities: int = 0
    reduced: int = 0
    omitted: int = 0
    unreadable: int = 0


# ============================================================================ the options
@dataclass(frozen=True, slots=True)
class _Scope:
    """Which trails a writer takes, and how much of each the reader sees."""

    kinds: frozenset[str] | None
    since: datetime | None
    until: datetime | None
    by: Actor | None
    classified: Classified
    access: AccessPolicy

    def events(self, trail: Sequence[AuditEvent | None], tally: _Tally) -> list[AuditEvent]:
        """The readable events of ``trail`` in the period, in order."""
        kept = []
        for event in trail:
            if event is None:
                tally.unreadable += 1
            elif (self.since is None or event.at >= self.since) and (
                self.until is None or event.at < self.until
            ):
                kept.append(event)
        return kept

    def take(
        self, record: AuditRecord, tally: _Tally
    ) -> tuple[str, Entity | None, list[AuditEvent], bool] | None:
        """The kind, record, events and whether reduced of a trail to write; None to skip."""
        entity = record.entity
        if entity is not None:
            kind = entity.kind_name
        else:
            first = next((e for e in record.trail if e is not None), None)
            if first is None:
                tally.unreadable += len(record.trail)
                return None
            kind = str(first.entity_kind)
        if self.kinds is not None and kind not in self.kinds:
            return None
        events = self.events(record.trail, tally)
        if not events:
            return None
        reduced = False
        if self.by is not None and (entity is None or self.access.may_see(self.by, entity)):
            if entity is None or self.classified == "omit":
                tally.omitted += 1
                return None
            reduced = True
            tally.reduced += 1
        tally.entities += 1
        tally.events += len(events)
        return kind, entity, events, reduced


def _scope(
    source: EventLogSource,
    *,
    kinds: Iterable[str] | None,
    field: str,
    by: Actor | None,
    since: datetime | None,
    until: datetime | None,
    classified: str,
) -> _Scope:
    source.require_reader(by, "eventlog")
    problems: list[FieldProblem] = []
    chosen = None
    if kinds is not None:
        names = [kinds] if isinstance(kinds, str) else list(kinds)
        chosen = frozenset(_kind(source.registry, name, field, problems) for name in names)
        if not names:
            problems.append(
                FieldProblem(field, "not_empty", "no kind is named", _known(source.registry))
            )
    moments: dict[str, datetime | None] = {"since": since, "until": until}
    for name, value in moments.items():
        if value is not None:
            try:
                moments[name] = checked_moment(value, name)
            except ValidationError as e:
                problems.extend(replace(p, accepted=p.accepted or _MOMENT) for p in e.problems)
                moments[name] = None
    start, end = moments["since"], moments["until"]
    if start is not None and end is not None and end <= start:
        problems.append(
            FieldProblem(
                "until",
                "after_since",
                f"until {end.isoformat()} is not after since {start.isoformat()}",
                "a moment after since",
            )
        )
    if classified not in CLASSIFIED_MODES:
        problems.append(
            FieldProblem(
                "classified",
                "known_mode",
                f"{classified!r} is not a way to treat a hidden record",
                ", ".join(CLASSIFIED_MODES),
            )
        )
    if problems:
        raise ValidationError("event log", problems)
    return _Scope(
        kinds=chosen,
        since=start,
        until=end,
        by=by,
        classified=cast("Classified", classified),
        access=source.access,
    )


def _known(registry: Registry) -> str:
    return ", ".join(
        dict.fromkeys(n for area in registry for n in (area.kind.value, *area.aliases))
    )


def _kind(registry: Registry, name: object, field: str, problems: list[FieldProblem]) -> str:
    if isinstance(name, str) and name in registry:
        return str(registry.kind(name).value)
    problems.append(
        FieldProblem(field, "known_kind", f"{name!r} is no kind the office runs", _known(registry))
    )
    return ""


# ============================================================================ the output
class _Sink:
    """Gathers bytes and writes them to a binary or text stream in large pieces."""

    def __init__(self, stream: IO[bytes] | IO[str], *, text: bool) -> None:
        self._stream = stream
        self._text = text
        self._parts: list[bytes] = []
        self._size = 0

    def write(self, data: bytes) -> None:
        self._parts.append(data)
        self._size += len(data)
        if self._size >= _FLUSH:
            self.flush()

    def flush(self) -> None:
        if not self._parts:
            return
        data = b"".join(self._parts)
        self._parts, self._size = [], 0
        if self._text:
            cast("IO[str]", self._stream).write(data.decode("utf-8"))
        else:
            cast("IO[bytes]", self._stream).write(data)


def _is_text(stream: object) -> bool:
    if isinstance(stream, io.TextIOBase):
        return True
    if isinstance(stream, (io.RawIOBase, io.BufferedIOBase)):
        return False
    try:
        cast("IO[bytes]", stream).write(b"")
    except TypeError:
        return True
    return False


@contextmanager
def _sink(out: Target) -> Iterator[_Sink]:
    if isinstance(out, (str, os.PathLike)):
        with Path(out).open("wb") as file:
            sink = _Sink(file, text=False)
            yield sink
            sink.flush()
        return
    if not hasattr(out, "write"):
        raise UsageError(f"an event log is written to a path or an open stream, not {out!r}")
    sink = _Sink(out, text=_is_text(out))
    yield sink
    sink.flush()


# ============================================================================ units and people
@functools.cache
def _party_fields(entity_type: type[Entity]) -> tuple[tuple[str, str], ...]:
    """The fields of ``entity_type`` holding units or organs: (name, ``unit``|``organ``)."""
    found = []
    for name, info in entity_type.model_fields.items():
        party = _party_in(info.annotation)
        if party is not None:
            found.append((name, party))
    return tuple(found)


def _party_in(annotation: object) -> str | None:
    """``unit`` or ``organ`` if a field of this type holds one (or several), else None."""
    if annotation is Unit:
        return "unit"
    if annotation is Organ:
        return "organ"
    for inner in get_args(annotation):  # Unit | None, tuple[Unit, ...]
        party = _party_in(inner)
        if party is not None:
            return party
    return None


def _parties(value: object) -> Iterator[tuple[str, str]]:
    """The (code, name) of each unit or organ in a value: one, a sequence, or their JSON."""
    if isinstance(value, (Unit, Organ)):
        yield value.code, value.name
    elif isinstance(value, Mapping):
        code, name = value.get("code"), value.get("name")
        if isinstance(code, str) and code:
            yield code, name if isinstance(name, str) else code
    elif isinstance(value, (list, tuple)):
        for item in value:
            yield from _parties(item)


def _object_id(party: str, code: str) -> str:
    return f"{party}:{code}"


class _Directory:
    """The units, organs and people a log names, each once, with the name last seen."""

    def __init__(self) -> None:
        self.units: dict[str, str] = {}
        self.organs: dict[str, str] = {}
        self.people: dict[str, tuple[str | None, str | None]] = {}

    def party(self, party: str, code: str, name: str) -> str:
        (self.units if party == "unit" else self.organs)[code] = name
        return _object_id(party, code)

    def person(self, actor: Actor) -> str:
        unit = None
        if actor.unit is not None:
            unit = _object_id("unit", actor.unit.code)
            self.units.setdefault(actor.unit.code, actor.unit.name)
        self.people[actor.id] = (actor.name, unit)
        return _object_id("person", actor.id)

    def principal(self, person_id: str) -> str:
        self.people.setdefault(person_id, (None, None))
        return _object_id("person", person_id)

    def __len__(self) -> int:
        return len(self.units) + len(self.organs) + len(self.people)


# ============================================================================ OCEL 2.0
def write_ocel(
    office: EventLogSource,
    out: Target,
    *,
    by: Actor | None = None,
    kinds: Iterable[str] | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    classified: str = "reduce",
) -> EventLogSummary:
    """Write the audit as an object-centric event log: OCEL 2.0 in its JSON format.

    The objects are the records (typed by their kind: ``incoming_document``,
    ``supervision_item``, ``meeting`` ...; attributes ``state`` as it changed, ``title``,
    ``classification``, ``deadline``; related to their units and organs, qualified by
    the field that names them, ``lead_unit``, ``sender`` ...), the units
    (``unit:<code>``) and outside organs (``organ:<code>``) they name, and the people
    who acted (``person:<id>``, related to their unit). Each audit event is an event:
    its id is its hash, its type the trigger, its time when it happened, its attributes
    ``source`` and ``target`` (the states), ``version``, ``reason`` and
    ``on_behalf_of`` where it has them; it is related to its record (qualifier
    ``entity``), to who fired it (``actor``), to the principal of a delegate
    (``principal``) and to the units and organs its input named (by the field: an
    assignment's ``lead_unit``, a receipt's ``sender``). A reduced record's object has
    its state only, and its events their trigger, states and time, related to it alone.

    Memory: the events are written as they are read; the records' objects go to a
    spool (in memory up to 4 MiB, then a temporary file) copied after them; the units,
    organs and people, and the types, are kept until the end.

    Args:
        office: The office (an :class:`~secretarial.Office`).
        out: A file path, or a binary or text stream (left open).
        by: The reader; without it the host's own read, everything.
        kinds: Only records of these kinds (names or aliases); all by default.
        since: Only events at or after this moment (timezone-aware).
        until: Only events before this moment (after ``since``).
        classified: ``"reduce"`` (default) or ``"omit"``: what becomes of a record
            ``by`` may not see.

    Returns:
        What was written.

    Raises:
        ValidationError: An unknown kind (on ``kinds``), a moment that is not
            timezone-aware (on ``since``, ``until``), ``until`` not after ``since``, or
            an unknown ``classified`` mode; nothing is written.
        UsageError: ``by`` omitted on an office that requires a reader, or ``out`` is
            neither a path nor a stream.
        OSError: The output cannot be written.
    """
    scope = _scope(
        office,
        kinds=kinds,
        field="kinds",
        by=by,
        since=since,
        until=until,
        classified=classified,
    )
    tally = _Tally()
    directory = _Directory()
    event_types: dict[str, dict[str, str]] = {}
    object_types: dict[str, dict[str, str]] = {}
    with (
        _sink(out) as sink,
        tempfile.SpooledTemporaryFile(max_size=_SPOOL_MEMORY, mode="w+b") as spool,
    ):
        sink.write(b'{"events":[')
        separator = b""
        spooled = b""
        for record in office.store.audit_stream():
            taken = scope.take(record, tally)
            if taken is None:
                continue
            kind, entity, events, reduced = taken
            for event in events:
                sink.write(separator)
                separator = b","
                sink.write(_ocel_event(event, entity, reduced, directory, event_types))
            spool.write(spooled)
            spooled = b","
            spool.write(
                _ocel_object(
                    record.entity_id,
                    kind=kind,
                    entity=entity,
                    events=events,
                    reduced=reduced,
                    directory=directory,
                )
            )
            attributes = object_types.setdefault(kind, {"state": "string"})
            if not reduced:
                attributes.update(_ENTITY_ATTRIBUTES)
        sink.write(b'],"objects":[')
        spool.seek(0)
        while chunk := spool.read(_FLUSH):
            sink.write(chunk)
        _write_directory(sink, directory, object_types, first=not spooled)
        sink.write(b'],"objectTypes":')
        sink.write(orjson.dumps(_types(object_types)))
        sink.write(b',"eventTypes":')
        sink.write(orjson.dumps(_types(event_types)))
        sink.write(b"}\n")
    return EventLogSummary(
        format="ocel",
        events=tally.events,
        objects=tally.entities + len(directory),
        entities=tally.entities,
        reduced=tally.reduced,
        omitted=tally.omitted,
        unreadable=tally.unreadable,
    )


_ENTITY_ATTRIBUTES: Final = {"title": "string", "classification": "string", "deadline": "string"}


def _write_directory(
    sink: _Sink, directory: _Directory, object_types: dict[str, dict[str, str]], *, first: bool
) -> None:
    """Write the units, organs and people as objects, declaring their types."""
    separator = b"" if first else b","
    for party, known in (("unit", directory.units), ("organ", directory.organs)):
        if known:
            object_types[party] = {"name": "string"}
        for code, name in known.items():
            sink.write(separator)
            separator = b","
            sink.write(_party_object(_object_id(party, code), party, name))
    if directory.people:
        object_types["person"] = {"name": "string"}
    for person, (known_as, unit) in directory.people.items():
        sink.write(separator)
        separator = b","
        sink.write(_person_object(person, known_as, unit))


def _types(known: Mapping[str, Mapping[str, str]]) -> list[dict[str, Any]]:
    return [
        {"name": name, "attributes": [{"name": n, "type": t} for n, t in attributes.items()]}
        for name, attributes in known.items()
    ]


def _event_id(event: AuditEvent) -> str:
    return event.hash or f"{event.entity_id}#{event.version}"


def _ocel_event(
    event: AuditEvent,
    entity: Entity | None,
    reduced: bool,  # noqa: FBT001
    directory: _Directory,
    event_types: dict[str, dict[str, str]],
) -> bytes:
    attributes: list[dict[str, Any]] = [{"name": "target", "value": event.target}]
    if event.source is not None:
        attributes.append({"name": "source", "value": event.source})
    relationships = [{"objectId": event.entity_id, "qualifier": "entity"}]
    if not reduced:
        attributes.append({"name": "version", "value": event.version})
        if event.reason is not None:
            attributes.append({"name": "reason", "value": event.reason})
        if event.on_behalf_of is not None:
            attributes.append({"name": "on_behalf_of", "value": event.on_behalf_of})
        relationships.append({"objectId": directory.person(event.actor), "qualifier": "actor"})
        if event.on_behalf_of is not None:
            relationships.append(
                {"objectId": directory.principal(event.on_behalf_of), "qualifier": "principal"}
            )
        if entity is not None:
            relationships.extend(_relations(entity, event.payload.get, directory))
    declared = event_types.setdefault(event.trigger, {})
    for attribute in attributes:
        declared.setdefault(attribute["name"], _ATTRIBUTE_TYPES[attribute["name"]])
    return orjson.dumps(
        {
            "id": _event_id(event),
            "type": event.trigger,
            "time": event.at.isoformat(),
            "attributes": attributes,
            "relationships": relationships,
        }
    )


_ATTRIBUTE_TYPES: Final = {
    "target": "string",
    "source": "string",
    "version": "integer",
    "reason": "string",
    "on_behalf_of": "string",
}


def _ocel_object(
    entity_id: str,
    *,
    kind: str,
    entity: Entity | None,
    events: Sequence[AuditEvent],
    reduced: bool,
    directory: _Directory,
) -> bytes:
    attributes: list[dict[str, Any]] = []
    state: str | None = None
    for event in events:
        if event.target != state:
            state = event.target
            attributes.append({"name": "state", "time": event.at.isoformat(), "value": state})
    relationships: list[dict[str, str]] = []
    if entity is not None and not reduced:
        attributes.append(
            {"name": "classification", "time": _STATIC, "value": str(entity.classification)}
        )
        title = _title(entity)
        if title is not None:
            attributes.append({"name": "title", "time": _STATIC, "value": title})
        if entity.deadline is not None:
            attributes.append(
                {"name": "deadline", "time": _STATIC, "value": entity.deadline.isoformat()}
            )
        relationships = _relations(entity, functools.partial(getattr, entity), directory)
    return orjson.dumps(
        {"id": entity_id, "type": kind, "attributes": attributes, "relationships": relationships}
    )


def _relations(
    entity: Entity, value_of: Callable[[str], object], directory: _Directory
) -> list[dict[str, str]]:
    """The units and organs named by the fields of ``entity``'s kind, in ``value_of``."""
    relations: dict[tuple[str, str], None] = {}
    for field, party in _party_fields(type(entity)):
        for code, name in _parties(value_of(field)):
            relations[directory.party(party, code, name), field] = None
    return [{"objectId": object_id, "qualifier": field} for object_id, field in relations]


def _party_object(object_id: str, party: str, name: str) -> bytes:
    return orjson.dumps(
        {
            "id": object_id,
            "type": party,
            "attributes": [{"name": "name", "time": _STATIC, "value": name}],
            "relationships": [],
        }
    )


def _person_object(person_id: str, name: str | None, unit: str | None) -> bytes:
    return orjson.dumps(
        {
            "id": _object_id("person", person_id),
            "type": "person",
            "attributes": [{"name": "name", "time": _STATIC, "value": name or person_id}],
            "relationships": [] if unit is None else [{"objectId": unit, "qualifier": "unit"}],
        }
    )


def _title(entity: Entity) -> str | None:
    """What the record is about: its title, or a supervision item's requirement."""
    for name in ("title", "requirement"):
        value = getattr(entity, name, None)
        if isinstance(value, str):
            return value
    return None


# ============================================================================ XES
def write_xes(
    office: EventLogSource,
    out: Target,
    *,
    kind: str,
    by: Actor | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    classified: str = "reduce",
) -> EventLogSummary:
    """Write the audit of one kind as a classic event log: XES (IEEE 1849), in XML.

    One trace per record (``concept:name`` its id; ``title``, ``classification``,
    ``state`` and ``deadline`` beside it), one event per audit event in its order:
    ``concept:name`` is the state the event entered (its target), ``trigger`` what was
    fired, ``source`` the state it left, ``time:timestamp`` when (ISO 8601 with its
    offset), ``org:resource`` who fired it and ``org:group`` their unit, ``version``,
    ``principal`` (the one a delegate acted for) and ``reason`` where it has them. As the
    activities are the states, the directly-follows graph of the log is the set of
    (source, target) transitions of the state table that occurred. A reduced record's
    trace has its id, and its events their state, trigger, source and time only.

    The log is written trace by trace, as the store is read: its memory does not grow
    with the office.

    Args:
        office: The office (an :class:`~secretarial.Office`).
        out: A file path, or a binary or text stream (left open).
        kind: The kind of records (a name or an alias): ``incoming_document`` ...
        by: The reader; without it the host's own read, everything.
        since: Only events at or after this moment (timezone-aware).
        until: Only events before this moment (after ``since``).
        classified: ``"reduce"`` (default) or ``"omit"``: what becomes of a record
            ``by`` may not see.

    Returns:
        What was written (``objects`` counts the traces).

    Raises:
        ValidationError: An unknown ``kind``, a moment that is not timezone-aware (on
            ``since``, ``until``), ``until`` not after ``since``, or an unknown
            ``classified`` mode; nothing is written.
        UsageError: ``by`` omitted on an office that requires a reader, or ``out`` is
            neither a path nor a stream.
        OSError: The output cannot be written.
    """
    scope = _scope(
        office,
        kinds=[kind],
        field="kind",
        by=by,
        since=since,
        until=until,
        classified=classified,
    )
    (name,) = tuple(scope.kinds or ())
    tally = _Tally()
    with _sink(out) as sink:
        sink.write(_xes_head(name).encode("utf-8"))
        for record in office.store.audit_stream():
            taken = scope.take(record, tally)
            if taken is not None:
                _, entity, events, reduced = taken
                sink.write(_xes_trace(record.entity_id, entity, events, reduced).encode("utf-8"))
        sink.write(b"</log>\n")
    return EventLogSummary(
        format="xes",
        events=tally.events,
        objects=tally.entities,
        entities=tally.entities,
        reduced=tally.reduced,
        omitted=tally.omitted,
        unreadable=tally.unreadable,
    )


_NOT_XML: Final = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
"""Characters XML 1.0 cannot hold, escaped or not (control characters, lone surrogates)."""
_ESCAPES: Final = str.maketrans(
    {
        "&": "&amp;",
        "<": "&lt;",
        ">": "&gt;",
        '"': "&quot;",
        "\t": "&#9;",
        "\n": "&#10;",
        "\r": "&#13;",
    }
)


def _xml(value: str) -> str:
    """``value`` as the text of an XML attribute: escaped, and what XML cannot hold as U+FFFD."""
    return _NOT_XML.sub("\ufffd", value).translate(_ESCAPES)


_EXTENSIONS: Final = "".join(
    f'<extension name="{name}" prefix="{prefix}" uri="http://www.xes-standard.org/{prefix}.xesext"/>\n'
    for name, prefix in (
        ("Concept", "concept"),
        ("Time", "time"),
        ("Organizational", "org"),
        ("Lifecycle", "lifecycle"),
    )
)
"""The standard extensions the log's keys come from."""


def _string(key: str, value: str) -> str:
    return f'<string key="{key}" value="{_xml(value)}"/>'


def _xes_head(kind: str) -> str:
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<log xes.version="1849-2016" xes.features="nested-attributes" '
        'xmlns="http://www.xes-standard.org/">\n'
        f"{_EXTENSIONS}"
        '<global scope="trace"><string key="concept:name" value="__INVALID__"/></global>\n'
        '<global scope="event"><string key="concept:name" value="__INVALID__"/>'
        '<date key="time:timestamp" value="1970-01-01T00:00:00+00:00"/></global>\n'
        '<classifier name="State" keys="concept:name"/>\n'
        f"{_string('concept:name', kind)}\n"
    )


def _xes_trace(
    entity_id: str,
    entity: Entity | None,
    events: Sequence[AuditEvent],
    reduced: bool,  # noqa: FBT001
) -> str:
    parts = ["<trace>", _string("concept:name", entity_id)]
    if entity is not None and not reduced:
        title = _title(entity)
        if title is not None:
            parts.append(_string("title", title))
        parts.append(_string("classification", str(entity.classification)))
        parts.append(_string("state", str(entity.state.value)))
        if entity.deadline is not None:
            parts.append(_string("deadline", entity.deadline.isoformat()))
    for event in events:
        parts.append("<event>")
        parts.append(_string("concept:name", event.target))
        parts.append(_string("trigger", event.trigger))
        if event.source is not None:
            parts.append(_string("source", event.source))
        parts.append(f'<date key="time:timestamp" value="{event.at.isoformat()}"/>')
        parts.append('<string key="lifecycle:transition" value="complete"/>')
        if not reduced:
            parts.append(_string("org:resource", event.actor.id))
            if event.actor.unit is not None:
                parts.append(_string("org:group", event.actor.unit.code))
            parts.append(f'<int key="version" value="{event.version}"/>')
            if event.on_behalf_of is not None:
                parts.append(_string("principal", event.on_behalf_of))
            if event.reason is not None:
                parts.append(_string("reason", event.reason))
        parts.append("</event>")
    parts.append("</trace>\n")
    return "".join(parts)
