"""The SQL store on SQLAlchemy Core: SQLite (the embedded default) and PostgreSQL.

Entity bodies are stored as JSON beside indexed columns for what is queried (kind,
state, deadline, number, classification, lead unit, timestamps). The audit trail is an
append-only table; counters live in their own table and are incremented inside the
command's transaction, so a number is consumed only if the command commits.

Concurrency:

* SQLite: every unit of work starts with ``BEGIN IMMEDIATE`` and so holds the database's
  single write lock from its first read to its commit; writers queue (``busy_timeout``).
* PostgreSQL: READ COMMITTED; saves are ``UPDATE ... WHERE version = :read`` (a stale
  writer updates nothing and gets :class:`ConcurrencyConflict`), and counters are
  incremented with ``INSERT ... ON CONFLICT DO UPDATE ... RETURNING``, which keeps the
  counter row locked until commit: numbers are unique and gap-free.

SQLAlchemy builds the schema, migrates it and runs every query. On a SQLite file, the
unit of work itself (``BEGIN IMMEDIATE``, load, add, save, counters, ``COMMIT``) runs
prebuilt SQL text on driver connections the store keeps between units of work, with
values converted as SQLAlchemy's SQLite types store them, so that rows written either
way read back the same.

This is the only module that imports SQLAlchemy.
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import uuid
import weakref
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, contextmanager, suppress
from datetime import UTC, date, datetime, tzinfo
from functools import cached_property
from pathlib import Path
from types import TracebackType
from typing import Any, BinaryIO, Final, Self

import pydantic
import sqlalchemy as sa
from sqlalchemy import event as sa_event
from sqlalchemy.dialects import postgresql as pg
from sqlalchemy.dialects import sqlite as sqlite_dialect
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import ArgumentError, DBAPIError, IntegrityError, OperationalError

from secretarial._registry import builtin_registry
from secretarial.engine._blobs import (
    BlobPolicy,
    BlobRef,
    ChunkReader,
    checked_sha256,
    policed_chunks,
)
from secretarial.errors import (
    ConcurrencyConflict,
    MissingExtraError,
    NotFound,
    StoreError,
)
from secretarial.kernel._access import AccessDenial
from secretarial.kernel._audit import (
    Anchor,
    AuditEvent,
    AuditProblem,
    AuditRecord,
    schema_1_renamed,
)
from secretarial.kernel._checkpoint import (
    Checkpoint,
    CheckpointLeaf,
    CheckpointState,
    CounterValue,
)
from secretarial.kernel._entity import Entity, stored_json
from secretarial.kernel._idempotency import Claim
from secretarial.kernel._outbox import (
    CHECKPOINT_COLUMNS,
    OutboxColumns,
    OutboxEntry,
    SinkPosition,
    checkpoint_message,
    outbox_columns,
)
from secretarial.kernel._query import (
    Page,
    Query,
    checked_limit,
    cursor_refused,
    cursor_sequence,
)

from ._blob_dir import DirectoryBlobs, IndexedBlobs
from ._lease import LocalLease

__all__ = ["SCHEMA_VERSION", "DatabaseBlobs", "SqlStore", "StoreError"]

SCHEMA_VERSION: Final = 7
"""The version of the schema this library writes; older databases are migrated forward."""


_BUILTIN_TYPES: Final[Mapping[str, type[Entity]]] = builtin_registry().entity_types
"""How bodies are read until the office says which kinds it runs (and by migrations, which
run before it can: schemas older than open kinds hold built-in kinds only)."""

metadata = sa.MetaData()

_id_type = sa.BigInteger().with_variant(sa.Integer(), "sqlite")

meta_table = sa.Table(
    "secretarial_meta",
    metadata,
    sa.Column("key", sa.String(64), primary_key=True),
    sa.Column("value", sa.Text, nullable=False),
)

entities = sa.Table(
    "entities",
    metadata,
    sa.Column("seq", _id_type, primary_key=True, autoincrement=True),
    sa.Column("id", sa.String(64), nullable=False, unique=True),
    sa.Column("kind", sa.String(32), nullable=False),
    sa.Column("state", sa.String(64), nullable=False),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("is_open", sa.Boolean, nullable=False),
    sa.Column("deadline", sa.Date, nullable=True),
    sa.Column("number", sa.String(200), nullable=True),
    sa.Column("classification", sa.SmallInteger, nullable=False),
    sa.Column("lead_unit", sa.String(200), nullable=True),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("body", sa.Text, nullable=False),
)
sa.Index("ix_entities_kind_state", entities.c.kind, entities.c.state)
# A page of one kind reads the index in order instead of sorting every entity of it.
_KIND_SEQ = sa.Index("ix_entities_kind_seq", entities.c.kind, entities.c.seq)
sa.Index("ix_entities_number", entities.c.number)
sa.Index("ix_entities_updated_at", entities.c.updated_at)
# Overdue queries scan only open items with a deadline; the query repeats this condition.
_OPEN_WITH_DEADLINE = sa.and_(entities.c.is_open.is_(True), entities.c.deadline.isnot(None))
sa.Index(
    "ix_entities_open_deadline",
    entities.c.deadline,
    entities.c.seq,
    sqlite_where=_OPEN_WITH_DEADLINE,
    postgresql_where=_OPEN_WITH_DEADLINE,
)

audit = sa.Table(
    "audit_events",
    metadata,
    sa.Column("seq", _id_type, primary_key=True, autoincrement=True),
    sa.Column("entity_id", sa.String(64), nullable=False),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("kind", sa.String(32), nullable=False),
    sa.Column("trigger", sa.String(64), nullable=False),
    sa.Column("actor_id", sa.String(200), nullable=False),
    sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("event", sa.Text, nullable=False),
    sa.UniqueConstraint("entity_id", "version", name="uq_audit_entity_version"),
)

anchors_table = sa.Table(
    "audit_anchors",
    metadata,
    sa.Column("sequence", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("anchor", sa.Text, nullable=False),
)

denials_table = sa.Table(
    "access_denials",
    metadata,
    sa.Column("seq", _id_type, primary_key=True, autoincrement=True),
    sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("actor_id", sa.String(200), nullable=False),
    sa.Column("entity_id", sa.String(64), nullable=False),
    sa.Column("denial", sa.Text, nullable=False),
)

checkpoints_table = sa.Table(
    "audit_checkpoints",
    metadata,
    sa.Column("sequence", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("checkpoint", sa.Text, nullable=False),
    sa.Column("leaves", sa.LargeBinary, nullable=False),
)

counters = sa.Table(
    "counters",
    metadata,
    sa.Column("series", sa.String(64), primary_key=True),
    sa.Column("key", sa.String(200), primary_key=True),
    sa.Column("value", sa.BigInteger, nullable=False),
)


idempotency_table = sa.Table(
    "idempotency_keys",
    metadata,
    sa.Column("key", sa.String(200), primary_key=True),
    sa.Column("fingerprint", sa.String(64), nullable=False),
    sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("kind", sa.String(32), nullable=True),
    sa.Column("body", sa.Text, nullable=True),
)
"""Each idempotency key a committed command claimed, with its fingerprint and result."""
sa.Index("ix_idempotency_keys_at", idempotency_table.c.at)

outbox_table = sa.Table(
    "outbox",
    metadata,
    sa.Column("position", _id_type, primary_key=True, autoincrement=True),
    sa.Column("part", sa.SmallInteger, nullable=False),
    sa.Column("audit_seq", sa.BigInteger, nullable=True),
    sa.Column("stream", sa.String(64), nullable=False),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("kind", sa.String(32), nullable=False),
    sa.Column("trigger", sa.String(64), nullable=False),
    sa.Column("type", sa.String(32), nullable=False),
    sa.Column("classification", sa.SmallInteger, nullable=False),
    sa.Column("message", sa.Text, nullable=True),
)
"""The domain events of every committed change, written in its transaction, for relays.

An entry points to its audit event (``audit_seq``) rather than copying it: what a fire
writes grows by a row of a few columns. A checkpoint's entry has no audit event and
keeps its message instead. On SQLite a position is the row id, one more than the highest:
forgetting never removes the newest entry, so no position is given twice."""
_OUTBOX_PART = sa.Index("ix_outbox_part_position", outbox_table.c.part, outbox_table.c.position)

sinks_table = sa.Table(
    "outbox_sinks",
    metadata,
    sa.Column("sink", sa.String(200), primary_key=True),
    sa.Column("part", sa.SmallInteger, primary_key=True),
    sa.Column("position", sa.BigInteger, nullable=False),
    sa.Column("delivered", sa.BigInteger, nullable=False),
    sa.Column("at", sa.DateTime(timezone=True), nullable=False),
)
"""How far each sink has been given each partition of the outbox."""

blobs_table = sa.Table(
    "blobs",
    metadata,
    sa.Column("hash", sa.String(64), primary_key=True),
    sa.Column("size", sa.BigInteger, nullable=False),
    sa.Column("media_type", sa.String(255), nullable=False),
    sa.Column("put_at", sa.DateTime(timezone=True), nullable=False),
)
"""Each blob stored, by its SHA-256: its size, first media type and when last put."""
sa.Index("ix_blobs_put_at", blobs_table.c.put_at)

blob_refs_table = sa.Table(
    "blob_refs",
    metadata,
    sa.Column("hash", sa.String(64), sa.ForeignKey("blobs.hash"), primary_key=True),
    sa.Column("owner", sa.String(200), primary_key=True),
)
"""Who refers to each blob (an entity, a version of one): kept from collection."""

blob_chunks_table = sa.Table(
    "blob_chunks",
    metadata,
    sa.Column("hash", sa.String(64), primary_key=True),
    sa.Column("n", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("data", sa.LargeBinary, nullable=False),
)
"""The content of the blobs a database keeps itself (PostgreSQL, SQLite in memory), in
chunks of up to 1 MiB numbered from 0. While a put streams, its chunks are written
under a key of its own (``pending:<uuid>``) in its transaction and renamed to the hash
when it is known."""
# Attachments are mostly compressed already (PDF, images, OFD, zip): keep them out of line
# without trying to compress them again.
sa_event.listen(
    blob_chunks_table,
    "after_create",
    sa.DDL(  # type: ignore[no-untyped-call]
        "ALTER TABLE blob_chunks ALTER COLUMN data SET STORAGE EXTERNAL"
    ).execute_if(dialect="postgresql"),
)


def _seal_audit_chains(conn: Connection) -> None:
    """Version 1 → 2: seal every entity's events into a hash chain and record its head.

    Version 1 kept no hashes. The events it recorded are sealed as they stand when the
    database is migrated: tampering before that moment cannot be detected, tampering
    after it can. The anchors and access-denial tables are new in version 2.
    """
    anchors_table.create(conn, checkfirst=True)
    denials_table.create(conn, checkfirst=True)
    rows = conn.execute(
        sa.select(audit.c.seq, audit.c.entity_id, audit.c.event).order_by(
            audit.c.entity_id, audit.c.version
        )
    ).all()
    heads: dict[str, str] = {}
    for row in rows:
        event = AuditEvent.from_json(row.event)
        sealed = AuditEvent.sealed(
            **{**dict(event), "previous_hash": heads.get(row.entity_id), "hash": ""}
        )
        heads[row.entity_id] = sealed.hash
        conn.execute(
            audit.update().where(audit.c.seq == row.seq).values(event=sealed.model_dump_json())
        )
    for record in conn.execute(sa.select(entities.c.id, entities.c.kind, entities.c.body)).all():
        head = heads.get(record.id)
        entity = _load(_BUILTIN_TYPES, record.kind, record.body).model_copy(
            update={"audit_head": head}
        )
        conn.execute(
            entities.update().where(entities.c.id == record.id).values(body=stored_json(entity))
        )


_OLD_CLASSIFICATION_NAMES: Final = ('"secret"', '"confidential"')


def _renamed_json(text: str) -> str | None:
    """``text`` (JSON) with classification identifiers given today's names; None if none."""
    if not any(name in text for name in _OLD_CLASSIFICATION_NAMES):
        return None
    renamed = json.dumps(
        schema_1_renamed(json.loads(text)), ensure_ascii=False, separators=(",", ":")
    )
    return None if renamed == text else renamed


def _rename_classifications(conn: Connection) -> None:
    """Version 2 → 3: classification identifiers take the official English names.

    Until version 3, ``secret`` named 秘密 and ``confidential`` 机密; the official
    English rendering of the Secrets Law names 秘密 *confidential* and 机密 *secret*.
    Entity bodies and recorded denials are rewritten with the new names (the indexed
    ``classification`` column holds the level, which does not change). Sealed events
    are not touched: they are read through the event schema they were sealed under.
    """
    for table, key, column in (
        (entities, entities.c.seq, entities.c.body),
        (denials_table, denials_table.c.seq, denials_table.c.denial),
    ):
        for seq, text in conn.execute(sa.select(key, column)).all():
            renamed = _renamed_json(text)
            if renamed is not None:
                conn.execute(table.update().where(key == seq).values({column.name: renamed}))


def _add_checkpoints(conn: Connection) -> None:
    """Version 3 → 4: the table of signed checkpoints and their leaves.

    Denials recorded before it stay as they were (unchained); the log's chain begins
    with the first denial recorded after the migration.
    """
    checkpoints_table.create(conn, checkfirst=True)


def _add_idempotency_keys(conn: Connection) -> None:
    """Version 4 → 5: the table of idempotency keys, and an index for pages of one kind.

    Nothing stored changes. On SQLite the first page of 20 of 20,000 documents listed by
    kind took 4.5 ms, sorting them all; with the index on (kind, seq), 0.5 ms.
    """
    idempotency_table.create(conn, checkfirst=True)
    _KIND_SEQ.create(conn, checkfirst=True)


def _add_outbox(conn: Connection) -> None:
    """Version 5 → 6: the outbox and the sinks' positions in it.

    Nothing stored changes, and nothing committed before is put in the outbox: it holds
    the events of the changes committed after the migration.
    """
    outbox_table.create(conn, checkfirst=True)
    sinks_table.create(conn, checkfirst=True)


def _add_blobs(conn: Connection) -> None:
    """Version 6 → 7: the blob store's tables (blobs, their owners, chunks of content).

    Nothing stored changes: an office gains an empty blob store.
    """
    blobs_table.create(conn, checkfirst=True)
    blob_refs_table.create(conn, checkfirst=True)
    blob_chunks_table.create(conn, checkfirst=True)


_MIGRATIONS: dict[int, Callable[[Connection], None]] = {
    1: _seal_audit_chains,
    2: _rename_classifications,
    3: _add_checkpoints,
    4: _add_idempotency_keys,
    5: _add_outbox,
    6: _add_blobs,
}
"""Forward migrations: ``_MIGRATIONS[n]`` turns a version ``n`` database into ``n + 1``."""


def _utc(moment: datetime) -> datetime:
    return moment.astimezone(UTC)


def _offsets(zone: tzinfo, lo: datetime, hi: datetime) -> list[tuple[datetime, int]]:
    """``zone``'s UTC offset in seconds from each moment on, over ``[lo, hi]``.

    The first entry is ``lo``'s offset; each next one the first whole second (UTC)
    from which the offset changes, found by halving the day it changes in.
    """

    def offset(second: int) -> int:
        moment = datetime.fromtimestamp(second, UTC).astimezone(zone)
        return int(moment.utcoffset().total_seconds())  # type: ignore[union-attr]

    first, last = int(lo.timestamp()), int(hi.timestamp()) + 1
    found = [(first, offset(first))]
    day = first
    while day < last:
        following = min(day + 86_400, last)
        if offset(following) != found[-1][1]:
            before, after = day, following
            while after - before > 1:
                middle = (before + after) // 2
                before, after = (
                    (middle, after) if offset(middle) == found[-1][1] else (before, middle)
                )
            found.append((after, offset(after)))
        day = following
    return [(datetime.fromtimestamp(second, UTC), off) for second, off in found]


def _as_day(value: object) -> date | None:
    """A day read back from SQL: a date, an ISO string (SQLite), or None."""
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value))


def _stored(row: Any) -> tuple[int, str, str]:
    """A record's row as :meth:`SqlStore._audit_record` takes it: seq, kind and body."""
    return int(row.seq), row.kind, row.body


def _aware(moment: datetime) -> datetime:
    """A stored timestamp as an aware datetime (SQLite gives it back naive, in UTC)."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _denial_hash(text: str | None) -> str | None:
    """The hash of a stored denial (None for none, an unchained or an unreadable one)."""
    if text is None:
        return None
    try:
        return AccessDenial.model_validate_json(text).hash or None
    except ValueError:
        return None


def _event_columns(text: str) -> dict[str, Any] | None:
    """The indexed columns an audit event's JSON calls for, as :func:`_audit_row` writes them.

    Read from the JSON without validating the event again; None if it is not readable.
    """
    try:
        raw = json.loads(text)
        return {
            "entity_id": raw["entity_id"],
            "version": raw["version"],
            "kind": raw["entity_kind"],
            "trigger": raw["trigger"],
            "actor_id": raw["actor"]["id"],
            "at": _utc(datetime.fromisoformat(raw["at"])),
        }
    except (ValueError, TypeError, KeyError):
        return None


def _same_column(stored: Any, expected: Any) -> bool:
    """Whether a stored column holds ``expected`` (SQLite gives datetimes back naive, in UTC)."""
    if isinstance(expected, datetime) and isinstance(stored, datetime):
        if stored.tzinfo is None:
            stored = stored.replace(tzinfo=UTC)
        return bool(stored == expected)
    if isinstance(expected, bool):
        return stored is not None and bool(stored) is expected
    return bool(stored == expected)


def _column_problem(
    table: str,
    entity_id: str,
    column: str,
    stored: Any,
    expected: Any,
    *,
    version: int | None = None,
) -> AuditProblem:
    return AuditProblem(
        kind="column_mismatch",
        entity_id=entity_id,
        version=version,
        detail=(
            f"the {table} column {column} holds {stored!r} where the stored body says "
            f"{expected!r}: the row was edited outside the office"
        ),
    )


_UPDATABLE: Final = (
    "kind",
    "state",
    "is_open",
    "deadline",
    "number",
    "classification",
    "lead_unit",
    "updated_at",
)
"""The columns beside ``version`` and ``body`` that a saved change may assign, in the
order of :func:`_columns`."""


_ALL_UPDATABLE: Final = range(len(_UPDATABLE))
_OPTIONAL: Final = ("number", "lead_unit")
_HAS_NUMBER_AND_LEAD: dict[type[Entity], tuple[bool, bool]] = {}
"""Whether each kind of entity has a ``number`` and a ``lead_unit``: asking a pydantic model
for an attribute it lacks costs a raised and caught ``AttributeError`` (2.5 µs)."""


def _has_number_and_lead(cls: type[Entity]) -> tuple[bool, bool]:
    found = _HAS_NUMBER_AND_LEAD.get(cls)
    if found is None:
        number, lead = (name in cls.model_fields or hasattr(cls, name) for name in _OPTIONAL)
        found = _HAS_NUMBER_AND_LEAD[cls] = (number, lead)
    return found


def _columns(entity: Entity) -> tuple[Any, ...]:
    """The values of an entity's :data:`_UPDATABLE` columns, as domain values."""
    has_number, has_lead = _has_number_and_lead(type(entity))
    lead = getattr(entity, "lead_unit") if has_lead else None  # noqa: B009
    number = getattr(entity, "number") if has_number else None  # noqa: B009
    return (
        entity.entity_kind.value,
        str(entity.state),
        entity.is_open,
        entity.deadline,
        None if number is None else str(number),
        entity.classification.level,
        None if lead is None else lead.code,
        entity.updated_at,
    )


def _changed(
    before: Entity | None, expected_version: int, after: tuple[Any, ...]
) -> range | tuple[int, ...]:
    """The positions in :data:`_UPDATABLE` whose column a save must assign.

    ``before`` is the entity the unit of work read (None if it read none). When it is
    the version being saved over, its row holds ``_columns(before)``, and a column
    holding the new value already is left alone: SQLite rewrites the entries of every
    index whose column an ``UPDATE`` assigns, changed or not.
    """
    if before is None or before.version != expected_version:
        return _ALL_UPDATABLE
    was = _columns(before)
    return tuple(i for i, value in enumerate(after) if value != was[i])


def _row(entity: Entity) -> dict[str, Any]:
    kind, state, is_open, deadline, number, level, lead, updated_at = _columns(entity)
    return {
        "id": entity.id,
        "kind": kind,
        "state": state,
        "version": entity.version,
        "is_open": is_open,
        "deadline": deadline,
        "number": number,
        "classification": level,
        "lead_unit": lead,
        "created_at": _utc(entity.created_at),
        "updated_at": _utc(updated_at),
        "body": stored_json(entity),
    }


def _audit_row(event: AuditEvent) -> dict[str, Any]:
    return {
        "entity_id": event.entity_id,
        "version": event.version,
        "kind": str(event.entity_kind),
        "trigger": event.trigger,
        "actor_id": event.actor.id,
        "at": _utc(event.at),
        "event": event.model_dump_json(),
    }


def _load(types: Mapping[str, type[Entity]], kind: str, body: str) -> Entity:
    """The entity stored as ``kind`` with ``body``, read as the class ``types`` name for it."""
    cls = types.get(kind)
    if cls is None:
        raise StoreError(
            f"the office holds entities of the kind {kind!r}, which no area this office runs "
            "defines: open it with the plugin (or the areas=) that adds that kind"
        )
    try:
        return cls.model_validate_json(body)
    except pydantic.ValidationError as e:
        problems = "; ".join(_body_problem(err) for err in e.errors())
        raise StoreError(
            f"a stored {kind} does not fit {cls.__name__} ({problems}): open the office with "
            "the plugins that extended its table (an added state, say), or with a newer library"
        ) from None


def _body_problem(error: Any) -> str:
    """One problem of a stored body, naming the field; only a state's value is quoted.

    Other values are left out: a stored body may be classified.
    """
    where = ".".join(map(str, error["loc"])) or "body"
    if error["loc"] == ("state",) and isinstance(error.get("input"), str):
        return f"state is {error['input']!r}: {error['msg']}"
    return f"{where}: {error['msg']}"


def _parse_cursor(cursor: str | None, width: int) -> tuple[Any, ...] | None:
    if cursor is None:
        return None
    parts = cursor.split("/")
    problem = cursor_refused(cursor)
    if len(parts) != width:
        raise problem
    *days, seq = parts
    try:
        return (*(date.fromisoformat(d) for d in days), cursor_sequence(seq))
    except ValueError:
        raise problem from None


_URL_FORMS: Final = (
    "give sqlite:///relative/path.db, sqlite:////absolute/path.db, sqlite:// (in memory) "
    "or postgresql://user@host:5432/database"
)


def _in_memory(url: str) -> bool:
    return url in ("sqlite://", "sqlite:///:memory:")


def _configure_sqlite(dbapi_connection: Any, *, wal: bool, busy_timeout: float) -> None:
    """Set up a new SQLite connection: WAL (for a file), ``synchronous=NORMAL``, timeouts."""
    # Transactions are begun explicitly (pysqlite would defer BEGIN to the first write).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    if wal:
        cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout * 1000)}")
    cursor.close()


_ENTITY_CACHE: Final = 16
"""How many entities a store holds by default to spare parsing their bodies again.

Few on purpose: a hit spares about 10 µs (a 1.6 KB body), but entities held longer
than a few units of work keep 16 KB each away from the allocator's warm memory, and on
a workload that seldom returns to the same entity (a round robin over 1,000 items)
holding 256 of them made every transition 10-20 µs slower than holding none."""


def normalise_url(url: str) -> str:
    """Pick our drivers: psycopg 3 for ``postgresql://`` URLs."""
    if url.startswith(("postgresql://", "postgres://")):
        return "postgresql+psycopg://" + url.split("://", 1)[1]
    return url


_STREAM_BATCH: Final = 5_000
"""Audit rows fetched at a time when verification streams them."""
_NUL: Final = "\x00"


def _unstorable(text: str) -> bool:
    """Whether no stored id or column can hold ``text``.

    A NUL cannot be (PostgreSQL refuses to compare one), nor a lone surrogate (no
    encoding writes one).
    """
    if _NUL in text:
        return True
    if text.isascii():
        return False
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


"""No name or id the office stores holds a NUL; PostgreSQL cannot even compare one."""

# Statements built once: building and caching a statement costs more than running it.
_SELECT_ENTITY = sa.select(entities.c.kind, entities.c.body).where(
    entities.c.id == sa.bindparam("entity_id")
)
_SELECT_EVENTS = (
    sa.select(audit.c.event)
    .where(audit.c.entity_id == sa.bindparam("entity_id"))
    .order_by(audit.c.version)
)
_UPDATE_ENTITY = entities.update().where(
    entities.c.id == sa.bindparam("b_id"),
    entities.c.version == sa.bindparam("b_expected_version"),
)
"""Executed with the columns to assign as parameters: SQLAlchemy takes the ``SET`` clause
from their names and caches one compiled form per set of names."""


class _SqlUnitOfWork:
    """One transaction on one SQLAlchemy connection (PostgreSQL, in-memory SQLite)."""

    __slots__ = ("_conn", "_outbox", "_read", "_store")

    def __init__(self, store: SqlStore, conn: Connection) -> None:
        self._store = store
        self._conn = conn
        self._read: dict[str, Entity] = {}
        """The entity as it stands in this transaction, by id: as read, added or saved."""
        self._outbox: list[tuple[OutboxColumns, int]] = []
        """This transaction's outbox entries (with their audit rows' sequence numbers),
        inserted just before it commits."""

    def flush_outbox(self) -> None:
        """Insert this transaction's outbox entries; the last thing before the commit.

        See :func:`_insert_outbox`: a relay reading a partition past its position never
        skips an entry that commits later.
        """
        if not self._outbox:
            return
        _insert_outbox(
            self._conn, [_outbox_row(*e) for e in self._outbox], postgres=self._store.is_postgres
        )

    def get(self, entity_id: str) -> Entity:
        if _unstorable(entity_id):  # no stored id holds it
            raise NotFound(entity_id)
        row = self._conn.execute(_SELECT_ENTITY, {"entity_id": entity_id}).first()
        if row is None:
            raise NotFound(entity_id)
        entity = self._store._entity(entity_id, row.kind, row.body)  # noqa: SLF001
        self._read[entity_id] = entity
        return entity

    def events(self, entity_id: str) -> Sequence[AuditEvent]:
        if _unstorable(entity_id):
            raise NotFound(entity_id)
        rows = self._conn.execute(_SELECT_EVENTS, {"entity_id": entity_id}).scalars().all()
        if not rows:
            raise NotFound(entity_id)
        return tuple(AuditEvent.from_json(row) for row in rows)

    def add(self, entity: Entity, event: AuditEvent) -> None:
        row = _row(entity)
        try:
            with self._conn.begin_nested() if self._store.is_postgres else _nothing():
                self._conn.execute(entities.insert(), row)
        except IntegrityError:
            raise ConcurrencyConflict(entity.id, 0, self.get(entity.id).version) from None
        seq = self._conn.execute(_INSERT_AUDIT, _audit_row(event)).scalar_one()
        self._outbox.append((outbox_columns(event, entity), seq))
        self._read[entity.id] = entity
        self._store._hold(entity.id, row["kind"], row["body"], entity)  # noqa: SLF001

    def save(self, entity: Entity, event: AuditEvent, *, expected_version: int) -> None:
        columns = _columns(entity)
        body = stored_json(entity)
        values: dict[str, Any] = {"version": entity.version, "body": body}
        for i in _changed(self._read.get(entity.id), expected_version, columns):
            values[_UPDATABLE[i]] = columns[i]
        if "updated_at" in values:
            values["updated_at"] = _utc(values["updated_at"])
        values["b_id"] = entity.id
        values["b_expected_version"] = expected_version
        result = self._conn.execute(_UPDATE_ENTITY, values)
        if result.rowcount != 1:
            actual = self._conn.execute(
                sa.select(entities.c.version).where(entities.c.id == entity.id)
            ).scalar()
            raise ConcurrencyConflict(entity.id, expected_version, actual)
        seq = self._conn.execute(_INSERT_AUDIT, _audit_row(event)).scalar_one()
        self._outbox.append((outbox_columns(event, entity), seq))
        self._read[entity.id] = entity
        self._store._hold(entity.id, columns[0], body, entity)  # noqa: SLF001

    def add_many(self, entity_list: Sequence[Entity], events: Sequence[AuditEvent]) -> None:
        if not entity_list:
            return
        rows = [_row(e) for e in entity_list]
        try:
            with self._conn.begin_nested() if self._store.is_postgres else _nothing():
                self._conn.execute(entities.insert(), rows)
        except IntegrityError as e:
            raise ConcurrencyConflict(entity_list[0].id, 0, None) from e
        seqs = self._conn.execute(_INSERT_AUDIT_MANY, [_audit_row(e) for e in events]).scalars()
        kept = {entity.id: entity for entity in entity_list}
        self._outbox.extend(
            (outbox_columns(e, kept[e.entity_id]), seq) for e, seq in zip(events, seqs, strict=True)
        )

    def next_number(self, series: str, key: str, count: int = 1) -> int:
        insert = pg.insert if self._store.is_postgres else sqlite_dialect.insert
        upsert = (
            insert(counters)
            .values(series=series, key=key, value=count)
            .on_conflict_do_update(
                index_elements=[counters.c.series, counters.c.key],
                set_={"value": counters.c.value + count},
            )
            .returning(counters.c.value)
        )
        last = int(self._conn.execute(upsert).scalar_one())
        return last - count + 1

    def claim(self, key: str, fingerprint: str, at: datetime) -> Claim | None:
        insert = pg.insert if self._store.is_postgres else sqlite_dialect.insert
        take = (
            insert(idempotency_table)
            .values(key=key, fingerprint=fingerprint, at=_utc(at))
            .on_conflict_do_nothing(index_elements=[idempotency_table.c.key])
            .returning(idempotency_table.c.key)
        )
        for _ in range(3):  # a key forgotten between the insert and the read: take it again
            # On PostgreSQL the insert waits for a transaction holding the key uncommitted.
            if self._conn.execute(take).first() is not None:
                return None
            row = self._conn.execute(
                sa.select(
                    idempotency_table.c.fingerprint,
                    idempotency_table.c.kind,
                    idempotency_table.c.body,
                ).where(idempotency_table.c.key == key)
            ).first()
            if row is not None:
                return _claim(self._store, row.fingerprint, row.kind, row.body)
        raise ConcurrencyConflict(key, 0, None)

    def settle(self, key: str, entity: Entity) -> None:
        self._conn.execute(
            idempotency_table.update()
            .where(idempotency_table.c.key == key)
            .values(kind=str(entity.entity_kind), body=stored_json(entity))
        )

    def find(self, query: Query) -> list[Entity]:
        stmt, _ = self._store._select(query)  # noqa: SLF001
        rows = self._conn.execute(stmt).all()
        return _overlay(
            [_load(self._store._types, row.kind, row.body) for row in rows],  # noqa: SLF001
            self._read,
            query,
        )

    def lock(self, *resources: str) -> None:
        if not self._store.is_postgres:
            return  # SQLite runs one writing transaction at a time already
        for key in sorted({_lock_key(r) for r in resources}):
            self._conn.execute(_ADVISORY_LOCK, {"key": key})


_ADVISORY_LOCK: Final = sa.text("SELECT pg_advisory_xact_lock(:key)")
_OUTBOX_WRITERS: Final = 0x5EC0
"""The first key of the advisory locks writers take on outbox partitions (the second is
the partition); two-key locks never meet the one-key locks of :meth:`lock`."""
_TRY_LOCKS: Final = sa.text(
    "SELECT k FROM unnest(CAST(:keys AS bigint[])) AS k WHERE pg_try_advisory_lock(k)"
)
_UNLOCKS: Final = sa.text("SELECT pg_advisory_unlock(k) FROM unnest(CAST(:keys AS bigint[])) AS k")


def _relay_key(sink: str, partition: int) -> int:
    """The session lock a relay's lease holds on one sink's partition."""
    return _lock_key(f"outbox-relay:{sink}:{partition}")


_PG_LOCK_AND_INSERT: Final = sa.text(
    "WITH held AS ("  # noqa: S608 -- only the tables' own names and a constant
    f"SELECT count(pg_advisory_xact_lock({_OUTBOX_WRITERS}, p)) AS n "
    "FROM unnest(CAST(:parts AS int[])) AS p) "
    "INSERT INTO outbox (part, audit_seq, stream, version, kind, trigger, type, "
    "classification, message) "
    "SELECT r.part, r.audit_seq, r.stream, r.version, r.kind, r.trigger, r.type, "
    "r.classification, r.message FROM held, jsonb_to_recordset(CAST(:rows AS jsonb)) AS r("
    "part smallint, audit_seq bigint, stream text, version int, kind text, trigger text, "
    "type text, classification smallint, message text) WHERE held.n >= 0"
)
"""Takes the partitions' write locks (sorted, one after the other) and inserts the entries,
in one statement: every entry row needs the count of locks taken, so none is inserted,
and no position is drawn, before all are held."""


_INSERT_AUDIT: Final = audit.insert().returning(audit.c.seq)
_INSERT_AUDIT_MANY: Final = audit.insert().returning(audit.c.seq, sort_by_parameter_order=True)


def _insert_outbox(conn: Connection, rows: list[dict[str, Any]], *, postgres: bool) -> None:
    """Insert outbox entries, the last statement before the commit.

    On PostgreSQL, in one round trip, the locks of the partitions written are taken
    first (in order, so that two writers never deadlock) and held to the commit: the next
    writer of a partition draws its positions only after these are committed, so
    positions within a partition grow in commit order.
    """
    if not postgres:
        conn.execute(outbox_table.insert(), rows)
        return
    parts = sorted({row["part"] for row in rows})
    conn.execute(_PG_LOCK_AND_INSERT, {"parts": parts, "rows": json.dumps(rows)})


def _outbox_row(
    columns: OutboxColumns, audit_seq: int | None, message: str | None = None
) -> dict[str, Any]:
    return {
        "part": columns.partition,
        "audit_seq": audit_seq,
        "stream": columns.stream,
        "version": columns.version,
        "kind": columns.kind,
        "trigger": columns.trigger,
        "type": columns.type,
        "classification": columns.classification,
        "message": message,
    }


class _PostgresLease:
    """A relay's lease: session advisory locks on one connection of its own.

    The server drops the locks when the connection ends, so a relay killed with SIGKILL
    holds nothing once its connection is gone.
    """

    def __init__(self, engine: Engine) -> None:
        # A connection of its own, closed for good when the lease ends (a pooled one would
        # keep the locks after it is handed back).
        self._engine = sa.create_engine(engine.url, poolclass=sa.pool.NullPool)
        self._conn: Connection | None = self._engine.connect().execution_options(
            isolation_level="AUTOCOMMIT"
        )
        self._held: set[tuple[str, int]] = set()

    def take(self, sink: str, partitions: Sequence[int]) -> list[int]:
        """Take the sink's partitions no other lease holds, without waiting."""
        if self._conn is None:
            return []
        keys = {_relay_key(sink, p): p for p in partitions if (sink, p) not in self._held}
        if keys:
            rows = self._conn.execute(_TRY_LOCKS, {"keys": list(keys)})
            self._held.update((sink, keys[int(row[0])]) for row in rows)
        return [p for p in partitions if (sink, p) in self._held]

    def release(self, sink: str, partitions: Sequence[int]) -> None:
        """Give the sink's partitions back."""
        given = [p for p in partitions if (sink, p) in self._held]
        if not given or self._conn is None:
            return
        self._conn.execute(_UNLOCKS, {"keys": [_relay_key(sink, p) for p in given]})
        self._held.difference_update((sink, p) for p in given)

    def close(self) -> None:
        """End the lease's connection, and with it every lock held."""
        if self._conn is not None:
            # The server drops a closed session's locks only once its process has ended:
            # give them back first, so that the next lease finds them free at once.
            with suppress(DBAPIError):
                self._conn.execute(sa.text("SELECT pg_advisory_unlock_all()"))
            self._conn.close()
            self._conn = None
            self._held.clear()
            self._engine.dispose()


def _lock_key(resource: str) -> int:
    """A stable signed 64-bit key for ``resource`` (PostgreSQL advisory locks take one)."""
    digest = hashlib.sha256(b"secretarial:" + resource.encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


def _overlay(found: list[Entity], staged: dict[str, Entity], query: Query) -> list[Entity]:
    """``found`` as this unit of work has it: its own adds and saves in place or after."""
    result: list[Entity] = []
    for entity in found:
        current = staged.get(entity.id, entity)
        if current is entity or current.version == entity.version or query.matches(current):
            result.append(current)
    listed = {e.id for e in result}
    result.extend(e for e in staged.values() if e.id not in listed and query.matches(e))
    return result


@contextmanager
def _nothing() -> Iterator[None]:
    yield


# ---------------------------------------------------------------------- SQLite on the driver

_DRIVER_MIN_SQLITE: Final = (3, 35, 0)
"""``INSERT ... ON CONFLICT DO UPDATE ... RETURNING``, the counters' upsert, needs 3.35."""


def _sqlite_time(moment: datetime) -> str:
    """A timestamp as SQLAlchemy's SQLite ``DateTime`` stores it: UTC, naive, microseconds.

    ``isoformat`` always writes a four-digit year; the slice drops the ``+00:00``.
    """
    return moment.astimezone(UTC).isoformat(" ", "microseconds")[:26]


def _sqlite_bool(flag: bool) -> int:  # noqa: FBT001
    return 1 if flag else 0


def _sqlite_date(day: date | None) -> str | None:
    return None if day is None else day.isoformat()


_SQLITE_CONVERSIONS: Final[tuple[Callable[[Any], Any] | None, ...]] = (
    None,
    None,
    _sqlite_bool,
    _sqlite_date,
    None,
    None,
    None,
    _sqlite_time,
)
"""How each of :data:`_UPDATABLE` is stored as SQLAlchemy's SQLite types store it (booleans
0/1, ISO dates, :func:`_sqlite_time`); None where the value is stored as it is."""


def _sqlite_columns(columns: tuple[Any, ...], positions: Sequence[int]) -> list[Any]:
    """The values of :func:`_columns` at ``positions``, as SQLite stores them."""
    stored = []
    for i in positions:
        convert = _SQLITE_CONVERSIONS[i]
        stored.append(columns[i] if convert is None else convert(columns[i]))
    return stored


def _sqlite_row(entity: Entity, columns: tuple[Any, ...], body: str) -> tuple[Any, ...]:
    """An entity's row in :data:`_SQLITE_ENTITY_COLUMNS` order."""
    kind, state, is_open, deadline, number, level, lead, updated_at = _sqlite_columns(
        columns, _ALL_UPDATABLE
    )
    return (
        entity.id,
        kind,
        state,
        entity.version,
        is_open,
        deadline,
        number,
        level,
        lead,
        _sqlite_time(entity.created_at),
        updated_at,
        body,
    )


def _sqlite_audit_row(event: AuditEvent) -> tuple[Any, ...]:
    """An audit event's row in :data:`_SQLITE_AUDIT_COLUMNS` order."""
    return (
        event.entity_id,
        event.version,
        str(event.entity_kind),
        event.trigger,
        event.actor.id,
        _sqlite_time(event.at),
        event.model_dump_json(),
    )


_SQLITE_SELECT_CLAIM: Final = "SELECT fingerprint, kind, body FROM idempotency_keys WHERE key = ?"
_SQLITE_INSERT_CLAIM: Final = "INSERT INTO idempotency_keys (key, fingerprint, at) VALUES (?, ?, ?)"
_SQLITE_SETTLE_CLAIM: Final = "UPDATE idempotency_keys SET kind = ?, body = ? WHERE key = ?"


def _claim(store: SqlStore, fingerprint: str, kind: str | None, body: str | None) -> Claim | None:
    """The claim a stored key row holds; None for one claimed in this transaction."""
    if kind is None or body is None:
        return None
    return Claim(fingerprint, _load(store._types, kind, body))  # noqa: SLF001


_quote = sqlite_dialect.dialect().identifier_preparer.quote
_SQLITE_ENTITY_COLUMNS: Final = (
    "id",
    "kind",
    "state",
    "version",
    "is_open",
    "deadline",
    "number",
    "classification",
    "lead_unit",
    "created_at",
    "updated_at",
    "body",
)
_SQLITE_OUTBOX_COLUMNS: Final = (
    "part",
    "stream",
    "version",
    "kind",
    "trigger",
    "type",
    "classification",
    "audit_seq",
)
"""An outbox entry's columns as :class:`OutboxColumns` lists them, then its audit row's."""
_SQLITE_AUDIT_COLUMNS: Final = (
    "entity_id",
    "version",
    "kind",
    "trigger",
    "actor_id",
    "at",
    "event",
)


def _insert_sql(table: sa.Table, names: Sequence[str]) -> str:
    listed = ", ".join(_quote(table.c[name].name) for name in names)
    marks = ", ".join("?" * len(names))
    return f"INSERT INTO {_quote(table.name)} ({listed}) VALUES ({marks})"  # noqa: S608


_E, _C = _quote(entities.name), _quote(counters.name)
# S608: the only text put into these statements is the tables' and columns' own names.
_SQLITE_SELECT_ENTITY: Final = f"SELECT kind, body FROM {_E} WHERE id = ?"  # noqa: S608
_SQLITE_SELECT_EVENTS: Final = (
    f"SELECT event FROM {_quote(audit.name)} WHERE entity_id = ? ORDER BY version"  # noqa: S608
)
_SQLITE_SELECT_VERSION: Final = f"SELECT version FROM {_E} WHERE id = ?"  # noqa: S608
_SQLITE_INSERT_ENTITY: Final = _insert_sql(entities, _SQLITE_ENTITY_COLUMNS)
_SQLITE_INSERT_AUDIT: Final = _insert_sql(audit, _SQLITE_AUDIT_COLUMNS)
_SQLITE_INSERT_OUTBOX: Final = _insert_sql(outbox_table, _SQLITE_OUTBOX_COLUMNS)
_SQLITE_LAST_AUDIT: Final = f"SELECT max(seq) FROM {_quote(audit.name)}"  # noqa: S608
_SQLITE_NEXT_NUMBER: Final = (
    f"{_insert_sql(counters, ('series', 'key', 'value'))} "
    f"ON CONFLICT (series, {_quote('key')}) DO UPDATE "
    f"SET {_quote('value')} = {_C}.{_quote('value')} + excluded.{_quote('value')} "
    f"RETURNING {_quote('value')}"
)
_sqlite_updates: dict[tuple[int, ...], str] = {}
"""``UPDATE`` texts by the positions in :data:`_UPDATABLE` they assign, built when first
needed (at most 256)."""


def _sqlite_update(changed: Sequence[int]) -> str:
    key = tuple(changed)
    text = _sqlite_updates.get(key)
    if text is None:
        assigned = [_quote(_UPDATABLE[i]) for i in key] + ["version", "body"]
        sets = ", ".join(f"{name} = ?" for name in assigned)
        text = f"UPDATE {_E} SET {sets} WHERE id = ? AND version = ?"  # noqa: S608
        _sqlite_updates[key] = text
    return text


def _driver_error(error: sqlite3.Error, statement: str, params: Any) -> Exception:
    """The SQLAlchemy exception the same failure raises on the SQLAlchemy path."""
    return DBAPIError.instance(statement, params, error, sqlite3.Error)


_all_connections: weakref.WeakSet[_DriverConnections] = weakref.WeakSet()
"""Every store's driver connections, so that a forked child can leave them alone."""
_inherited: list[tuple[sqlite3.Connection, sqlite3.Cursor]] = []
"""In a forked child, the parent's connections: never used, never closed."""


def _forget_after_fork() -> None:
    for connections in list(_all_connections):
        connections.forget()


os.register_at_fork(after_in_child=_forget_after_fork)


class _DriverConnections:
    """SQLite driver connections kept between units of work, each used by one at a time.

    A unit of work takes an idle connection (or opens one) and gives it back when it
    ends, so there are never more connections than units of work running at once.
    ``list.pop`` and ``list.append`` are atomic, so threads share the list without a
    lock. After :meth:`close`, a connection given back is closed.
    """

    __slots__ = ("__weakref__", "_closed", "_connect", "_idle")

    def __init__(self, connect: Callable[[], sqlite3.Connection]) -> None:
        self._connect = connect
        self._idle: list[tuple[sqlite3.Connection, sqlite3.Cursor]] = []
        self._closed = False
        _all_connections.add(self)

    def forget(self) -> None:
        """Set the idle connections aside, unused and unclosed.

        In a forked child they are the parent's: a SQLite connection must not be used,
        nor closed, across a fork, so they are kept (in :data:`_inherited`) until the
        child ends.
        """
        _inherited.extend(self._idle)
        self._idle = []

    def acquire(self) -> tuple[sqlite3.Connection, sqlite3.Cursor]:
        try:
            return self._idle.pop()
        except IndexError:
            conn = self._connect()
            return conn, conn.cursor()

    def release(self, link: tuple[sqlite3.Connection, sqlite3.Cursor]) -> None:
        conn, cursor = link
        if conn.in_transaction:  # neither commit nor rollback went through: do not reuse it
            cursor.close()
            conn.close()
            return
        self._idle.append(link)
        if self._closed:  # appended first, so either this or close() closes it
            self._close_idle()

    def close(self) -> None:
        self._closed = True
        self._close_idle()

    def _close_idle(self) -> None:
        while True:
            try:
                conn, cursor = self._idle.pop()
            except IndexError:
                return
            cursor.close()
            conn.close()


class _SqliteUnitOfWork:
    """One ``BEGIN IMMEDIATE`` transaction on a driver connection to a SQLite file.

    It holds the database's write lock from :meth:`__enter__` to the commit (or
    rollback) in :meth:`__exit__`, and runs the statements prebuilt above.
    """

    __slots__ = ("_conn", "_connections", "_cursor", "_link", "_read", "_store")

    def __init__(self, store: SqlStore, connections: _DriverConnections) -> None:
        self._store = store
        self._connections = connections
        self._read: dict[str, Entity] = {}
        """The entity as it stands in this transaction, by id: as read, added or saved."""

    def __enter__(self) -> Self:
        link = self._link = self._connections.acquire()
        self._conn, self._cursor = link
        try:
            self._cursor.execute("BEGIN IMMEDIATE")
        except BaseException as e:
            self._connections.release(link)
            if isinstance(e, sqlite3.Error):
                raise _driver_error(e, "BEGIN IMMEDIATE", ()) from e
            raise
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        conn = self._conn
        try:
            if exc_type is None:
                try:
                    conn.commit()
                except sqlite3.Error as e:
                    with suppress(sqlite3.Error):  # released below, closed if still open
                        conn.rollback()
                    raise _driver_error(e, "COMMIT", ()) from e
            else:
                conn.rollback()
        finally:
            self._connections.release(self._link)

    def get(self, entity_id: str) -> Entity:
        if _unstorable(entity_id):  # as on the other stores: no stored id holds it
            raise NotFound(entity_id)
        try:
            row = self._cursor.execute(_SQLITE_SELECT_ENTITY, (entity_id,)).fetchone()
        except sqlite3.Error as e:
            raise _driver_error(e, _SQLITE_SELECT_ENTITY, (entity_id,)) from e
        if row is None:
            raise NotFound(entity_id)
        kind, body = row
        entity = self._store._entity(entity_id, kind, body)  # noqa: SLF001
        self._read[entity_id] = entity
        return entity

    def events(self, entity_id: str) -> Sequence[AuditEvent]:
        if _unstorable(entity_id):
            raise NotFound(entity_id)
        params = (entity_id,)
        try:
            rows = self._cursor.execute(_SQLITE_SELECT_EVENTS, params).fetchall()
        except sqlite3.Error as e:
            raise _driver_error(e, _SQLITE_SELECT_EVENTS, params) from e
        if not rows:
            raise NotFound(entity_id)
        return tuple(AuditEvent.from_json(row[0]) for row in rows)

    def add(self, entity: Entity, event: AuditEvent) -> None:
        columns = _columns(entity)
        body = stored_json(entity)
        row = _sqlite_row(entity, columns, body)
        try:
            self._cursor.execute(_SQLITE_INSERT_ENTITY, row)
        except sqlite3.IntegrityError:
            raise ConcurrencyConflict(entity.id, 0, self.get(entity.id).version) from None
        except sqlite3.Error as e:
            raise _driver_error(e, _SQLITE_INSERT_ENTITY, row) from e
        self._insert_event(event, entity)
        self._read[entity.id] = entity
        self._store._hold(entity.id, columns[0], body, entity)  # noqa: SLF001

    def save(self, entity: Entity, event: AuditEvent, *, expected_version: int) -> None:
        columns = _columns(entity)
        body = stored_json(entity)
        changed = _changed(self._read.get(entity.id), expected_version, columns)
        params = (
            *_sqlite_columns(columns, changed),
            entity.version,
            body,
            entity.id,
            expected_version,
        )
        statement = _sqlite_update(changed)
        cursor = self._cursor
        try:
            updated = cursor.execute(statement, params).rowcount
            if updated != 1:
                found = cursor.execute(_SQLITE_SELECT_VERSION, (entity.id,)).fetchone()
        except sqlite3.Error as e:
            raise _driver_error(e, statement, params) from e
        if updated != 1:
            raise ConcurrencyConflict(
                entity.id, expected_version, None if found is None else found[0]
            )
        self._insert_event(event, entity)
        self._read[entity.id] = entity
        self._store._hold(entity.id, columns[0], body, entity)  # noqa: SLF001

    def _insert_event(self, event: AuditEvent, entity: Entity) -> None:
        row = _sqlite_audit_row(event)
        cursor = self._cursor
        try:
            cursor.execute(_SQLITE_INSERT_AUDIT, row)
            outbox = (*outbox_columns(event, entity), cursor.lastrowid)
            cursor.execute(_SQLITE_INSERT_OUTBOX, outbox)
        except sqlite3.Error as e:
            raise _driver_error(e, _SQLITE_INSERT_AUDIT, row) from e

    def add_many(self, entity_list: Sequence[Entity], events: Sequence[AuditEvent]) -> None:
        if not entity_list:
            return
        bodies = [stored_json(e) for e in entity_list]
        rows = [
            _sqlite_row(e, _columns(e), body) for e, body in zip(entity_list, bodies, strict=True)
        ]
        cursor = self._cursor
        try:
            cursor.executemany(_SQLITE_INSERT_ENTITY, rows)
        except sqlite3.IntegrityError as e:
            raise ConcurrencyConflict(entity_list[0].id, 0, None) from e
        except sqlite3.Error as e:
            raise _driver_error(e, _SQLITE_INSERT_ENTITY, rows) from e
        audit_rows = [_sqlite_audit_row(e) for e in events]
        kept = {e.id: e for e in entity_list}
        try:
            # The write lock is held since BEGIN IMMEDIATE: the audit rows take the
            # sequence numbers after the highest, one after the other.
            (last,) = cursor.execute(_SQLITE_LAST_AUDIT).fetchone()
            cursor.executemany(_SQLITE_INSERT_AUDIT, audit_rows)
            outbox_rows = [
                (*outbox_columns(e, kept[e.entity_id]), seq)
                for seq, e in enumerate(events, (last or 0) + 1)
            ]
            cursor.executemany(_SQLITE_INSERT_OUTBOX, outbox_rows)
        except sqlite3.Error as e:
            raise _driver_error(e, _SQLITE_INSERT_AUDIT, audit_rows) from e

    def next_number(self, series: str, key: str, count: int = 1) -> int:
        params = (series, key, count)
        try:
            (last,) = self._cursor.execute(_SQLITE_NEXT_NUMBER, params).fetchone()
        except sqlite3.Error as e:
            raise _driver_error(e, _SQLITE_NEXT_NUMBER, params) from e
        return int(last) - count + 1

    def claim(self, key: str, fingerprint: str, at: datetime) -> Claim | None:
        # BEGIN IMMEDIATE holds the write lock: a committed claim is seen, none is in flight.
        params: tuple[Any, ...] = (key,)
        try:
            row = self._cursor.execute(_SQLITE_SELECT_CLAIM, params).fetchone()
            if row is None:
                params = (key, fingerprint, _sqlite_time(at))
                self._cursor.execute(_SQLITE_INSERT_CLAIM, params)
        except sqlite3.Error as e:
            raise _driver_error(e, _SQLITE_SELECT_CLAIM, params) from e
        return None if row is None else _claim(self._store, *row)

    def settle(self, key: str, entity: Entity) -> None:
        params = (str(entity.entity_kind), stored_json(entity), key)
        try:
            self._cursor.execute(_SQLITE_SETTLE_CLAIM, params)
        except sqlite3.Error as e:
            raise _driver_error(e, _SQLITE_SETTLE_CLAIM, params) from e

    def find(self, query: Query) -> list[Entity]:
        # This transaction holds the write lock since BEGIN IMMEDIATE: every other
        # writer has committed or waits, so a read of the committed state is current.
        found = list(self._store.find(query))
        return _overlay(found, self._read, query)

    def lock(self, *resources: str) -> None:
        """Nothing to take: the write lock, held since BEGIN IMMEDIATE, covers every resource."""
        del resources


# ------------------------------------------------------------------------------ blobs


class _SqlBlobWriter:
    """The blob tables as a transaction on ``conn`` changes them (:class:`BlobIndexWriter`).

    On PostgreSQL a reference locks its blob's row for share and a collection locks
    the rows it deletes for update, so that a blob is never collected under a reference
    being made: whichever comes second waits, and then sees the other's outcome.
    """

    __slots__ = ("_conn", "_insert")

    def __init__(self, conn: Connection, *, postgres: bool) -> None:
        self._conn = conn
        self._insert = pg.insert if postgres else sqlite_dialect.insert

    def row(self, sha256: str) -> tuple[int, str] | None:
        return _blob_row(self._conn, sha256)

    def insert(self, ref: BlobRef, at: datetime) -> None:
        self._conn.execute(
            blobs_table.insert(),
            {
                "hash": ref.sha256,
                "size": ref.size,
                "media_type": ref.media_type,
                "put_at": _utc(at),
            },
        )

    def insert_new(self, ref: BlobRef, at: datetime) -> bool:
        """Insert the blob's row unless there is one; whether it was inserted."""
        row = {
            "hash": ref.sha256,
            "size": ref.size,
            "media_type": ref.media_type,
            "put_at": _utc(at),
        }
        statement = (
            self._insert(blobs_table)
            .values(row)
            .on_conflict_do_nothing(index_elements=[blobs_table.c.hash])
            .returning(blobs_table.c.hash)
        )
        return self._conn.execute(statement).first() is not None

    def touch(self, sha256: str, at: datetime) -> None:
        self.touched(sha256, at)

    def touched(self, sha256: str, at: datetime) -> bool:
        """Put the blob's moment forward to ``at``; whether the blob is there."""
        moment = _utc(at)
        later = sa.case((blobs_table.c.put_at < moment, moment), else_=blobs_table.c.put_at)
        result = self._conn.execute(
            blobs_table.update().where(blobs_table.c.hash == sha256).values(put_at=later)
        )
        return int(result.rowcount) == 1

    def add_reference(self, sha256: str, owner: str) -> bool:
        held = self._conn.execute(
            sa.select(blobs_table.c.hash)
            .where(blobs_table.c.hash == sha256)
            .with_for_update(read=True)
        ).first()
        if held is None:
            return False
        self._conn.execute(
            self._insert(blob_refs_table)
            .values(hash=sha256, owner=owner)
            .on_conflict_do_nothing(
                index_elements=[blob_refs_table.c.hash, blob_refs_table.c.owner]
            )
        )
        return True

    def remove_reference(self, sha256: str, owner: str) -> int:
        self._conn.execute(
            blob_refs_table.delete().where(
                blob_refs_table.c.hash == sha256, blob_refs_table.c.owner == owner
            )
        )
        return _blob_references(self._conn, sha256)

    def unreferenced(self, before: datetime) -> list[str]:
        referenced = sa.exists().where(blob_refs_table.c.hash == blobs_table.c.hash)
        candidates = [
            str(h)
            for (h,) in self._conn.execute(
                sa.select(blobs_table.c.hash)
                .where(blobs_table.c.put_at < _utc(before), ~referenced)
                .order_by(blobs_table.c.hash)
                .with_for_update(of=blobs_table)
            )
        ]
        if not candidates:
            return []
        # Under READ COMMITTED a reference committed while the rows were being locked is
        # seen by this next statement only.
        kept = {
            str(h)
            for (h,) in self._conn.execute(
                sa.select(blob_refs_table.c.hash).where(blob_refs_table.c.hash.in_(candidates))
            )
        }
        return [h for h in candidates if h not in kept]

    def delete(self, sha256: str) -> None:
        self._conn.execute(blobs_table.delete().where(blobs_table.c.hash == sha256))


def _blob_row(conn: Connection, sha256: str) -> tuple[int, str] | None:
    row = conn.execute(
        sa.select(blobs_table.c.size, blobs_table.c.media_type).where(blobs_table.c.hash == sha256)
    ).first()
    return None if row is None else (int(row.size), str(row.media_type))


def _blob_references(conn: Connection, sha256: str) -> int:
    return int(
        conn.execute(
            sa.select(sa.func.count()).where(blob_refs_table.c.hash == sha256)
        ).scalar_one()
    )


_Transaction = Callable[[], AbstractContextManager[Connection]]


class _SqlBlobIndex:
    """The blob tables of an office's database as the index of a blob directory.

    Args:
        write: Opens a write transaction (on SQLite, ``BEGIN IMMEDIATE``).
        read: Opens a read transaction.
        postgres: Whether the database is PostgreSQL.
    """

    __slots__ = ("postgres", "read", "write")

    def __init__(self, write: _Transaction, read: _Transaction, *, postgres: bool) -> None:
        self.write = write
        self.read = read
        self.postgres = postgres

    @contextmanager
    def writing(self) -> Iterator[_SqlBlobWriter]:
        with self.write() as conn:
            yield _SqlBlobWriter(conn, postgres=self.postgres)

    def row(self, sha256: str) -> tuple[int, str] | None:
        with self.read() as conn:
            return _blob_row(conn, sha256)

    def references(self, sha256: str) -> int:
        with self.read() as conn:
            return _blob_references(conn, sha256)


class DatabaseBlobs(IndexedBlobs):
    """A :class:`~secretarial.engine.BlobStore` keeping content in the office's database.

    PostgreSQL offices keep their content here, so that every process of the office
    sees the same content (SQLite in memory too, having no directory). The content is a
    row per chunk of up to 1 MiB in ``blob_chunks`` rather than a large object: rows
    go with the database's dumps, replicas and transactions, vanish with their tables,
    and need nothing from the driver beyond ``bytea``; a read fetches one chunk per
    query, so neither side holds more than a chunk. A put writes its chunks in one
    transaction under a key of its own and renames them to the hash at the end (or
    drops them, when the content is stored already): a put that fails, or is refused,
    rolls back whole.

    Args:
        index: The blob tables of the office's database, which hold the content too.
    """

    _index: _SqlBlobIndex

    def __init__(self, index: _SqlBlobIndex) -> None:
        self._index = index

    def put(
        self,
        source: BinaryIO | Iterable[bytes],
        *,
        media_type: str,
        policy: BlobPolicy,
        at: datetime,
    ) -> BlobRef:
        """Store the content ``source`` gives; see :meth:`BlobStore.put`."""
        normalised = policy.check_media_type(media_type)
        pending = f"pending:{uuid.uuid4().hex}"
        digest = hashlib.sha256()
        with self._index.write() as conn:
            size = 0
            for n, piece in enumerate(policed_chunks(source, policy, digest)):
                conn.execute(blob_chunks_table.insert(), {"hash": pending, "n": n, "data": piece})
                size += len(piece)
            ref = BlobRef(digest.hexdigest(), size, normalised)
            writer = _SqlBlobWriter(conn, postgres=self._index.postgres)
            mine = blob_chunks_table.c.hash == pending
            # A collection may delete the row between the two statements: then try again.
            while True:
                if writer.insert_new(ref, at):
                    conn.execute(blob_chunks_table.update().where(mine).values(hash=ref.sha256))
                    break
                if writer.touched(ref.sha256, at):
                    conn.execute(blob_chunks_table.delete().where(mine))
                    break
        return ref

    def chunks(self, sha256: str) -> Iterator[bytes]:
        """The stored content, one chunk per query.

        Raises:
            NotFound: no such blob is stored.
            StoreError (while iterating): a chunk is missing (collected meanwhile).
        """
        checked_sha256(sha256)
        with self._index.read() as conn:
            row = _blob_row(conn, sha256)
            count = int(
                conn.execute(
                    sa.select(sa.func.count()).where(blob_chunks_table.c.hash == sha256)
                ).scalar_one()
            )
        if row is None:
            raise NotFound(sha256, "blob")
        return self._read_chunks(sha256, count)

    def _read_chunks(self, sha256: str, count: int) -> Iterator[bytes]:
        select = sa.select(blob_chunks_table.c.data).where(
            blob_chunks_table.c.hash == sha256, blob_chunks_table.c.n == sa.bindparam("n")
        )
        for n in range(count):
            with self._index.read() as conn:
                data = conn.execute(select, {"n": n}).scalar()
            if data is None:
                raise StoreError(f"chunk {n} of blob {sha256} is missing")
            yield bytes(data)

    def open(self, sha256: str) -> BinaryIO:
        """The stored content as a binary file to read, a chunk at a time."""
        return ChunkReader(self.chunks(sha256))  # type: ignore[return-value]

    def verify(self, sha256: str) -> bool:
        """Whether the stored chunks still have this hash and the recorded size."""
        return self._matches(sha256, (StoreError, NotFound))

    def collect(self, *, unreferenced_before: datetime) -> int:
        """Delete the content no owner refers to, last put before the moment."""
        with self._index.write() as conn:
            writer = _SqlBlobWriter(conn, postgres=self._index.postgres)
            gone = writer.unreferenced(unreferenced_before)
            for sha256 in gone:
                conn.execute(blob_chunks_table.delete().where(blob_chunks_table.c.hash == sha256))
                writer.delete(sha256)
        return len(gone)

    def __repr__(self) -> str:
        return "<DatabaseBlobs>"


class SqlStore:
    """A store in a SQL database: a SQLite file (the embedded default) or PostgreSQL.

    Args:
        url: ``sqlite:///path/office.db``, ``sqlite://`` (a private in-memory database),
            or ``postgresql://user@host/db``.
        create: Create the schema if the database has none (otherwise raise).
        busy_timeout: Seconds a SQLite writer waits for the write lock.
        entity_cache: How many entities, the last saved or loaded ones, the store keeps
            to spare parsing a body it has already parsed or written (0 keeps none).
            One is reused only when the stored body is, character for character, the
            one it was parsed from or written as.
        pool_size: How many connections to the database the store keeps open between
            commands (SQLAlchemy's default of 5 unless given); up to 10 more are opened
            when as many commands run at once, and closed after. A host with N worker
            threads gives N, so that none opens a connection per command.

    Raises:
        StoreError: the database cannot be opened, has no schema and ``create`` is
            false, or was written by a newer version of this library.
    """

    def __init__(
        self,
        url: str,
        *,
        create: bool = True,
        busy_timeout: float = 30.0,
        entity_cache: int = _ENTITY_CACHE,
        pool_size: int | None = None,
    ) -> None:
        self.url = normalise_url(url)
        self._busy_timeout = busy_timeout
        pool = {} if pool_size is None else {"pool_size": pool_size}
        self._engine = self._make_engine(self.url, busy_timeout, pool)
        self.is_postgres = self._engine.dialect.name == "postgresql"
        self._types: Mapping[str, type[Entity]] = _BUILTIN_TYPES
        self._held: OrderedDict[str, tuple[str, str, Entity]] = OrderedDict()
        self._held_limit = entity_cache
        self._driver: _DriverConnections | None = None
        try:
            self._prepare_schema(create=create)
        except (OperationalError, DBAPIError) as e:
            self._engine.dispose()
            raise StoreError(f"cannot open the office database {url!r}: {e.orig}") from e
        except BaseException:
            self._engine.dispose()
            raise
        if (
            self._engine.dialect.name == "sqlite"
            and not _in_memory(self.url)
            and sqlite3.sqlite_version_info >= _DRIVER_MIN_SQLITE
        ):
            self._driver = _DriverConnections(self._driver_connection)

    def use_kinds(self, entity_types: Mapping[str, type[Entity]]) -> None:
        """Read stored entities of each kind as the class ``entity_types`` names."""
        self._types = dict(entity_types)

    # ------------------------------------------------------------------ engine
    @staticmethod
    def _make_engine(url: str, busy_timeout: float, pool: Mapping[str, int]) -> Engine:
        if not url.startswith("sqlite"):
            try:
                return sa.create_engine(url, pool_pre_ping=True, **pool)
            except ModuleNotFoundError as e:
                raise MissingExtraError(
                    e.name or "psycopg", "postgres", "A PostgreSQL office"
                ) from e
            except (ArgumentError, ValueError) as e:
                raise StoreError(f"{url!r} is not a database URL: {_URL_FORMS}") from e
        in_memory = _in_memory(url)
        try:
            engine = sa.create_engine(
                url,
                poolclass=sa.pool.StaticPool if in_memory else sa.pool.QueuePool,
                connect_args={"check_same_thread": False, "timeout": busy_timeout},
                **({} if in_memory else pool),
            )
        except (ArgumentError, ValueError) as e:
            raise StoreError(f"{url!r} is not a database URL: {_URL_FORMS}") from e

        @sa_event.listens_for(engine, "connect")
        def _on_connect(dbapi_connection: Any, _record: Any) -> None:
            _configure_sqlite(dbapi_connection, wal=not in_memory, busy_timeout=busy_timeout)

        @sa_event.listens_for(engine, "begin")
        def _on_begin(conn: Connection) -> None:
            write = conn.get_execution_options().get("secretarial_write")
            begin = "BEGIN IMMEDIATE" if write else "BEGIN"
            # On the driver: exec_driver_sql would cost a cursor and SQLAlchemy's events.
            conn.connection.driver_connection.execute(begin)  # type: ignore[union-attr]

        return engine

    def _driver_connection(self) -> sqlite3.Connection:
        """A new driver connection to the SQLite file, set up as the engine's are."""
        dialect = self._engine.dialect
        args, options = dialect.create_connect_args(self._engine.url)
        busy_timeout = self._busy_timeout
        connect: Callable[..., sqlite3.Connection] = sqlite3.connect
        conn = connect(*args, **{**options, "timeout": busy_timeout, "check_same_thread": False})
        _configure_sqlite(conn, wal=True, busy_timeout=busy_timeout)
        return conn

    def _prepare_schema(self, *, create: bool) -> None:
        with self._write() as conn:
            inspector = sa.inspect(conn)
            if not inspector.has_table(meta_table.name):
                if not create:
                    raise StoreError(f"{self.url} holds no office (create=False)")
                metadata.create_all(conn)
                conn.execute(
                    meta_table.insert(), {"key": "schema_version", "value": str(SCHEMA_VERSION)}
                )
                version = SCHEMA_VERSION
            else:
                stored = conn.execute(
                    sa.select(meta_table.c.value).where(meta_table.c.key == "schema_version")
                ).scalar_one()
                version = int(stored)
            if version > SCHEMA_VERSION:
                raise StoreError(
                    f"{self.url} has schema version {version}, newer than this library's "
                    f"{SCHEMA_VERSION}; upgrade secretarial"
                )
            while version < SCHEMA_VERSION:
                _MIGRATIONS[version](conn)
                version += 1
                conn.execute(
                    meta_table.update()
                    .where(meta_table.c.key == "schema_version")
                    .values(value=str(version))
                )

    @contextmanager
    def _write(self) -> Iterator[Connection]:
        with self._engine.connect() as plain:
            conn = plain.execution_options(secretarial_write=True)
            with conn.begin():
                yield conn

    @contextmanager
    def _read(self) -> Iterator[Connection]:
        with self._engine.connect() as conn, conn.begin():
            yield conn

    # ------------------------------------------------------------------ entities held
    def _entity(self, entity_id: str, kind: str, body: str) -> Entity:
        """The entity stored as ``kind`` and ``body``: the one held for that body, or parsed."""
        held = self._held.get(entity_id)
        if held is not None and held[1] == body and held[0] == kind:
            with suppress(KeyError):  # dropped by another thread meanwhile
                self._held.move_to_end(entity_id)
            return held[2]
        entity = _load(self._types, kind, body)
        self._hold(entity_id, kind, body, entity)
        return entity

    def _hold(self, entity_id: str, kind: str, body: str, entity: Entity) -> None:
        """Keep ``entity`` as what ``body`` parses to; drop the least recently used ones.

        An entity is immutable and parsing is a function of the text, so handing out the
        entity held for the very text read is the same as parsing it again, whichever
        process or transaction wrote it, and whether or not the writer committed.
        """
        if not self._held_limit:
            return
        held = self._held
        held[entity_id] = (kind, body, entity)
        # Each step is atomic; another thread may have moved or dropped the same entry.
        with suppress(KeyError):
            held.move_to_end(entity_id)
        if len(held) > self._held_limit:
            with suppress(KeyError):
                held.popitem(last=False)

    # ------------------------------------------------------------------ Store port
    def unit_of_work(self) -> AbstractContextManager[_SqliteUnitOfWork | _SqlUnitOfWork]:
        """Begin a transaction; it commits when the block ends without an exception."""
        if self._driver is not None:
            return _SqliteUnitOfWork(self, self._driver)
        return self._unit_of_work()

    @contextmanager
    def _unit_of_work(self) -> Iterator[_SqlUnitOfWork]:
        with self._write() as conn:
            uow = _SqlUnitOfWork(self, conn)
            yield uow
            uow.flush_outbox()

    def get(self, entity_id: str) -> Entity:
        """Load an entity."""
        with self._read() as conn:
            return _SqlUnitOfWork(self, conn).get(entity_id)

    def find(self, query: Query) -> Iterator[Entity]:
        """The entities matching ``query``, oldest first (overdue ones by deadline)."""
        stmt, _ = self._select(query)
        with self._read() as conn:
            rows = conn.execute(stmt).all()
        return (_load(self._types, row.kind, row.body) for row in rows)

    def page(self, query: Query, *, limit: int, cursor: str | None = None) -> Page:
        """One page of the entities matching ``query``, in :meth:`find`'s order.

        Keyset pagination on the ordering columns: a page costs the same however deep it
        is, and entities added meanwhile do not shift it.

        Raises:
            ValidationError: ``limit`` is not 1 to 10,000.
            UsageError: ``cursor`` is not one this store gave out.
        """
        limit = checked_limit(limit)
        stmt, keys = self._select(query)
        after = _parse_cursor(cursor, len(keys))
        if after is not None:
            stmt = stmt.where(sa.tuple_(*keys) > sa.tuple_(*after))
        stmt = stmt.add_columns(*keys).limit(limit + 1)
        with self._read() as conn:
            rows = conn.execute(stmt).all()
        more = len(rows) > limit
        rows = rows[:limit]
        items = tuple(_load(self._types, row.kind, row.body) for row in rows)
        cursors = tuple("/".join(str(v) for v in tuple(row)[2:]) for row in rows)
        return Page(items, cursors[-1] if more else None, cursors)

    def count(self, query: Query) -> int:
        """How many entities match ``query``, counted by the database."""
        stmt, _ = self._select(query)
        with self._read() as conn:
            return int(
                conn.execute(sa.select(sa.func.count()).select_from(stmt.subquery())).scalar_one()
            )

    def _select(self, query: Query) -> tuple[sa.Select[Any], list[sa.ColumnElement[Any]]]:
        stmt = sa.select(entities.c.kind, entities.c.body)
        c = entities.c
        if query.kinds is not None:
            stmt = stmt.where(c.kind.in_(sorted(str(k) for k in query.kinds)))
        if query.states is not None:
            stmt = stmt.where(c.state.in_(sorted(s for s in query.states if not _unstorable(s))))
        if query.open_only:
            stmt = stmt.where(c.is_open.is_(True))
        if query.created_from is not None:
            stmt = stmt.where(c.created_at >= _utc(query.created_from))
        if query.created_before is not None:
            stmt = stmt.where(c.created_at < _utc(query.created_before))
        if query.classifications is not None:
            stmt = stmt.where(c.classification.in_(sorted(x.level for x in query.classifications)))
        if query.max_classification is not None:
            stmt = stmt.where(c.classification <= query.max_classification.level)
        if query.lead_units is not None:
            units = sorted(u for u in query.lead_units if not _unstorable(u))
            stmt = stmt.where(c.lead_unit.in_(units))
        if query.overdue_as_of is not None:
            # Repeats the partial index's condition so the planner can use it.
            stmt = stmt.where(_OPEN_WITH_DEADLINE, c.deadline < query.overdue_as_of)
            keys: list[sa.ColumnElement[Any]] = [c.deadline, c.seq]
        else:
            keys = [c.seq]
        return stmt.order_by(*keys), keys

    def events(self, entity_id: str) -> Sequence[AuditEvent]:
        """An entity's audit events in order."""
        if _unstorable(entity_id):
            raise NotFound(entity_id)
        with self._read() as conn:
            rows = (
                conn.execute(
                    sa.select(audit.c.event)
                    .where(audit.c.entity_id == entity_id)
                    .order_by(audit.c.version)
                )
                .scalars()
                .all()
            )
        if not rows:
            raise NotFound(entity_id)
        return tuple(AuditEvent.from_json(row) for row in rows)

    def audit_records(
        self,
    ) -> tuple[list[tuple[int, Entity]], dict[str, list[AuditEvent | None]]]:
        """The entities in creation order with their sequence numbers, and every trail."""
        with self._read() as conn:
            rows = conn.execute(
                sa.select(entities.c.seq, entities.c.kind, entities.c.body).order_by(entities.c.seq)
            ).all()
            found = [(int(r.seq), _load(self._types, r.kind, r.body)) for r in rows]
            trails: dict[str, list[AuditEvent | None]] = {}
            for row in conn.execute(
                sa.select(audit.c.entity_id, audit.c.event).order_by(
                    audit.c.entity_id, audit.c.version
                )
            ):
                try:
                    event: AuditEvent | None = AuditEvent.from_json(row.event)
                except ValueError:
                    event = None
                trails.setdefault(row.entity_id, []).append(event)
        return found, trails

    def audit_stream(self) -> Iterator[AuditRecord]:
        """Every entity id with its record and events, one at a time, as stored.

        The records and the events are read in one snapshot, both in order of entity id
        (byte order: ``COLLATE "C"`` on PostgreSQL, SQLite's own), and merged as they
        come: what is held at a time is one record and its trail, however many there
        are.
        """
        order = "C" if self.is_postgres else "BINARY"
        with self._read() as conn:
            streaming = conn.execution_options(yield_per=_STREAM_BATCH)
            records = iter(
                streaming.execute(
                    sa.select(
                        entities.c.id, entities.c.seq, entities.c.kind, entities.c.body
                    ).order_by(entities.c.id.collate(order))
                )
            )
            events = iter(
                streaming.execute(
                    sa.select(audit.c.entity_id, audit.c.event).order_by(
                        audit.c.entity_id.collate(order), audit.c.version
                    )
                )
            )
            record = next(records, None)
            event = next(events, None)
            while record is not None or event is not None:
                if event is None or (record is not None and record.id < event.entity_id):
                    assert record is not None  # noqa: S101 -- the condition says so
                    yield self._audit_record(record.id, _stored(record), [])
                    record = next(records, None)
                    continue
                entity_id = event.entity_id
                trail: list[AuditEvent | None] = []
                while event is not None and event.entity_id == entity_id:
                    try:
                        trail.append(AuditEvent.from_json(event.event))
                    except ValueError:
                        trail.append(None)
                    event = next(events, None)
                if record is not None and record.id == entity_id:
                    yield self._audit_record(entity_id, _stored(record), trail)
                    record = next(records, None)
                else:
                    yield self._audit_record(entity_id, None, trail)

    def _audit_record(
        self,
        entity_id: str,
        stored: tuple[int, str, str] | None,
        trail: list[AuditEvent | None],
    ) -> AuditRecord:
        if stored is None:
            return AuditRecord(entity_id, None, None, trail)
        seq, kind, body = stored
        return AuditRecord(entity_id, seq, _load(self._types, kind, body), trail)

    def add_anchor(self, anchor: Anchor) -> None:
        """Store an anchor."""
        try:
            with self._write() as conn:
                conn.execute(
                    anchors_table.insert(),
                    {"sequence": anchor.sequence, "anchor": anchor.model_dump_json()},
                )
        except IntegrityError:
            raise ConcurrencyConflict(
                f"anchor {anchor.sequence}", anchor.sequence - 1, None
            ) from None

    def anchors(self) -> list[Anchor]:
        """Every anchor, oldest first."""
        with self._read() as conn:
            rows = conn.execute(
                sa.select(anchors_table.c.anchor).order_by(anchors_table.c.sequence)
            ).scalars()
            return [Anchor.model_validate_json(r) for r in rows]

    def record_denial(self, denial: AccessDenial) -> None:
        """Record a refused access, chained to the last one, in its own transaction.

        On PostgreSQL the log's lock is held from reading the last denial's hash to the
        commit, so two processes recording at once still make one chain.
        """
        with self._write() as conn:
            if self.is_postgres:
                conn.execute(_ADVISORY_LOCK, {"key": _lock_key("access-denials")})
            last = conn.execute(
                sa.select(denials_table.c.denial).order_by(denials_table.c.seq.desc()).limit(1)
            ).scalar()
            chained = denial.chained(_denial_hash(last))
            conn.execute(
                denials_table.insert(),
                {
                    "at": _utc(chained.at),
                    "actor_id": chained.actor.id,
                    "entity_id": chained.entity_id,
                    "denial": chained.model_dump_json(),
                },
            )

    def denials(self) -> list[AccessDenial]:
        """Every refused access recorded, oldest first."""
        with self._read() as conn:
            rows = conn.execute(
                sa.select(denials_table.c.denial).order_by(denials_table.c.seq)
            ).scalars()
            return [AccessDenial.model_validate_json(r) for r in rows]

    def counters(self) -> dict[tuple[str, str], int]:
        """The current value of every numbering counter, by (series, key)."""
        with self._read() as conn:
            rows = conn.execute(sa.select(counters)).all()
        return {(r.series, r.key): int(r.value) for r in rows}

    def checkpoint_state(self) -> CheckpointState:
        """What a checkpoint seals, read in one snapshot.

        On PostgreSQL the read is a repeatable-read transaction that first takes the
        entities table in share mode, so no entity is half-way between drawing its
        sequence number and committing while the checkpoint reads.
        """
        head = (
            sa.func.json_extract_path_text(sa.cast(entities.c.body, pg.JSON), "audit_head")
            if self.is_postgres
            else sa.func.json_extract(entities.c.body, "$.audit_head")
        )
        with self._engine.connect() as plain:
            conn = (
                plain.execution_options(isolation_level="REPEATABLE READ")
                if self.is_postgres
                else plain
            )
            with conn.begin():
                if self.is_postgres:
                    # Let the writers in flight commit and hold new ones back while the
                    # entities are read: every entity up to the newest sequence number
                    # read is then in the snapshot (sequences are drawn before commit).
                    conn.execute(sa.text("LOCK TABLE entities IN SHARE MODE"))
                rows = conn.execute(
                    sa.select(
                        entities.c.seq, entities.c.id, entities.c.kind, entities.c.version, head
                    )
                ).all()
                denials = conn.execute(
                    sa.select(sa.func.count()).select_from(denials_table)
                ).scalar()
                last = conn.execute(
                    sa.select(denials_table.c.denial).order_by(denials_table.c.seq.desc()).limit(1)
                ).scalar()
                values = conn.execute(sa.select(counters)).all()
        leaves = sorted(CheckpointLeaf(r[1], r[2], int(r[3]), r[4] or "") for r in rows)
        return CheckpointState(
            leaves=leaves,
            last_entity=max((int(r[0]) for r in rows), default=0),
            denials=int(denials or 0),
            denials_head=_denial_hash(last),
            counters=tuple(sorted(CounterValue(r.series, r.key, int(r.value)) for r in values)),
        )

    def add_checkpoint(
        self, checkpoint: Checkpoint, leaves: bytes, *, previous_leaves: bytes | None = None
    ) -> None:
        """Keep a checkpoint with its leaves; raise ConcurrencyConflict if its number is taken."""
        try:
            with self._write() as conn:
                conn.execute(
                    checkpoints_table.insert(),
                    {
                        "sequence": checkpoint.sequence,
                        "checkpoint": checkpoint.model_dump_json(),
                        "leaves": leaves,
                    },
                )
                if previous_leaves is not None:
                    conn.execute(
                        checkpoints_table.update()
                        .where(checkpoints_table.c.sequence == checkpoint.sequence - 1)
                        .values(leaves=previous_leaves)
                    )
                columns = CHECKPOINT_COLUMNS._replace(version=checkpoint.sequence)
                row = _outbox_row(columns, None, checkpoint_message(checkpoint))
                _insert_outbox(conn, [row], postgres=self.is_postgres)
        except IntegrityError:
            raise ConcurrencyConflict(
                f"checkpoint {checkpoint.sequence}", checkpoint.sequence - 1, None
            ) from None

    def checkpoints(self) -> list[Checkpoint]:
        """Every checkpoint kept, oldest first (one that is not readable is left out)."""
        with self._read() as conn:
            rows = conn.execute(
                sa.select(checkpoints_table.c.checkpoint).order_by(checkpoints_table.c.sequence)
            ).scalars()
            found = []
            for text in rows:
                try:
                    found.append(Checkpoint.model_validate_json(text))
                except ValueError:
                    continue
            return found

    def checkpoint_leaves(self, sequence: int) -> bytes | None:
        """The encoded leaves kept with checkpoint ``sequence``; None if there are none."""
        with self._read() as conn:
            data = conn.execute(
                sa.select(checkpoints_table.c.leaves).where(
                    checkpoints_table.c.sequence == sequence
                )
            ).scalar()
        return None if data is None else bytes(data)

    def forget_idempotency_keys(self, before: datetime) -> int:
        """Forget the idempotency keys claimed before ``before``; return how many."""
        with self._write() as conn:
            result = conn.execute(
                idempotency_table.delete().where(idempotency_table.c.at < _utc(before))
            )
            return int(result.rowcount)

    # ------------------------------------------------------------------ outbox
    def outbox(self, partition: int, *, after: int = 0, limit: int = 500) -> list[OutboxEntry]:
        """Up to ``limit`` entries of ``partition`` past position ``after``, in order.

        Each with its audit event, and the entity's body while it stands at the
        entry's version.
        """
        o = outbox_table
        with self._read() as conn:
            rows = conn.execute(
                sa.select(
                    o.c.position,
                    o.c.part,
                    o.c.stream,
                    o.c.version,
                    o.c.kind,
                    o.c.trigger,
                    o.c.type,
                    o.c.classification,
                    sa.func.coalesce(o.c.message, audit.c.event),
                    entities.c.version,
                    entities.c.body,
                )
                .select_from(
                    o.outerjoin(audit, audit.c.seq == o.c.audit_seq).outerjoin(
                        entities, entities.c.id == o.c.stream
                    )
                )
                .where(o.c.part == partition, o.c.position > after)
                .order_by(o.c.position)
                .limit(limit)
            ).all()
        return [OutboxEntry(*row[:9], row[10] if row[9] == row[3] else None) for row in rows]

    def outbox_head(self) -> int:
        """The highest position in the outbox (0 if it is empty)."""
        with self._read() as conn:  # what is forgotten, every sink was given
            kept = conn.execute(sa.select(sa.func.max(outbox_table.c.position))).scalar()
            given = conn.execute(sa.select(sa.func.max(sinks_table.c.position))).scalar()
        return max(int(kept or 0), int(given or 0))

    def sink_positions(self) -> list[SinkPosition]:
        """How far each sink has been given each partition."""
        with self._read() as conn:
            rows = conn.execute(
                sa.select(
                    sinks_table.c.sink,
                    sinks_table.c.part,
                    sinks_table.c.position,
                    sinks_table.c.delivered,
                    sinks_table.c.at,
                ).order_by(sinks_table.c.sink, sinks_table.c.part)
            ).all()
        return [
            SinkPosition(
                row.sink, int(row.part), int(row.position), int(row.delivered), _aware(row.at)
            )
            for row in rows
        ]

    def advance_sink(
        self,
        sink: str,
        partition: int,
        *,
        expected: int,
        position: int,
        delivered: int,
        at: datetime,
    ) -> None:
        """Move ``sink``'s position in ``partition``; ConcurrencyConflict if it moved."""
        table = sinks_table
        with self._write() as conn:
            moved = conn.execute(
                table.update()
                .where(
                    table.c.sink == sink, table.c.part == partition, table.c.position == expected
                )
                .values(position=position, delivered=table.c.delivered + delivered, at=_utc(at))
            ).rowcount
            if moved == 1:
                return
            if expected == 0:
                insert = pg.insert if self.is_postgres else sqlite_dialect.insert
                added = conn.execute(
                    insert(table)
                    .values(
                        sink=sink,
                        part=partition,
                        position=position,
                        delivered=delivered,
                        at=_utc(at),
                    )
                    .on_conflict_do_nothing(index_elements=[table.c.sink, table.c.part])
                    .returning(table.c.sink)
                ).first()
                if added is not None:
                    return
            recorded = conn.execute(
                sa.select(table.c.position).where(table.c.sink == sink, table.c.part == partition)
            ).scalar()
        raise ConcurrencyConflict(f"outbox:{sink}:{partition}", expected, recorded)

    def outbox_lease(self) -> _PostgresLease | LocalLease:
        """A lease on the outbox's partitions, exclusive between relays of this office.

        PostgreSQL: session advisory locks on a connection of the lease's own. A SQLite
        file: record locks on a lock file beside it (``<database>-outbox.lock``). An
        in-memory SQLite database: locks in this process.
        """
        if self.is_postgres:
            return _PostgresLease(self._engine)
        path = self._engine.url.database
        if _in_memory(self.url) or not path:
            return LocalLease(f"sqlite-memory:{id(self)}", None)
        full = str(Path(path).resolve())
        return LocalLease(full, f"{full}-outbox.lock")

    def forget_outbox(self, partition: int, through: int) -> int:
        """Forget ``partition``'s entries up to position ``through``; return how many."""
        table = outbox_table
        newest = sa.select(sa.func.max(table.c.position)).scalar_subquery()
        with self._write() as conn:  # the newest stays: SQLite would give its id again
            result = conn.execute(
                table.delete().where(
                    table.c.part == partition,
                    table.c.position <= through,
                    table.c.position < newest,
                )
            )
            return int(result.rowcount)

    def column_problems(self) -> list[AuditProblem]:
        """Every indexed column of entities, events and denials that disagrees with its body."""
        problems: list[AuditProblem] = []
        with self._read() as conn:
            for row in conn.execute(sa.select(entities)).mappings():
                try:
                    entity = _load(self._types, row["kind"], row["body"])
                except (StoreError, ValueError):
                    continue  # an unreadable body is reported by the replay check
                expected = _row(entity)
                wrong = [
                    name
                    for name, value in expected.items()
                    if name != "body" and not _same_column(row[name], value)
                ]
                problems.extend(
                    _column_problem("entities", entity.id, name, row[name], expected[name])
                    for name in wrong
                )
            for row in conn.execute(sa.select(audit)).mappings():
                columns = _event_columns(row["event"])
                if columns is None:
                    continue  # reported as an unreadable event by the chain check
                problems.extend(
                    _column_problem(
                        "audit_events",
                        str(columns["entity_id"]),
                        name,
                        row[name],
                        value,
                        version=row["version"],
                    )
                    for name, value in columns.items()
                    if not _same_column(row[name], value)
                )
            for row in conn.execute(sa.select(denials_table)).mappings():
                try:
                    denial = AccessDenial.model_validate_json(row["denial"])
                except ValueError:
                    problems.append(
                        AuditProblem(
                            kind="denial_edited",
                            detail=f"denial {row['seq']} is not a readable denial",
                        )
                    )
                    continue
                for name, value in (
                    ("at", _utc(denial.at)),
                    ("actor_id", denial.actor.id),
                    ("entity_id", denial.entity_id),
                ):
                    if not _same_column(row[name], value):
                        problems.append(
                            _column_problem(
                                "access_denials", denial.entity_id, name, row[name], value
                            )
                        )
        return problems

    def step_waits(
        self,
        kind: str,
        start: datetime,
        end: datetime,
        *,
        returns: Sequence[str],
        ceiling: int | None = None,
    ) -> list[tuple[str, int, int, int, int]]:
        """Each state's stays that ended in ``[start, end)``, computed by the database.

        See :meth:`secretarial.engine._ports.Store.step_waits`: one pass of window
        functions over the kind's audit events (by entity, in version order) pairs each
        change of state with the one that entered the state; the nearest-rank median and
        90th percentile are picked by rank within each state.
        """
        if self.is_postgres:
            source, target = (
                "CAST(a.event AS jsonb)->>'source'",
                "CAST(a.event AS jsonb)->>'target'",
            )
            second = "FLOOR(EXTRACT(EPOCH FROM {}))"
        else:
            source, target = (
                "json_extract(a.event, '$.source')",
                "json_extract(a.event, '$.target')",
            )
            second = "CAST(strftime('%s', {}) AS INTEGER)"
        hidden = (
            ""
            if ceiling is None
            else " AND a.entity_id IN (SELECT id FROM entities"
            " WHERE kind = :kind AND classification <= :ceiling)"
        )
        names = ", ".join(f":r{i}" for i in range(len(returns))) or "NULL"
        # Only constant fragments are formatted in; every value is bound.
        stmt = sa.text(
            f"""
            WITH moves AS (
                SELECT src, trigger, at, LAG(at) OVER (PARTITION BY entity_id ORDER BY version)
                    AS entered
                FROM (
                    SELECT a.entity_id, a.version, a.trigger, a.at, {source} AS src,
                        {target} AS tgt
                    FROM audit_events a
                    WHERE a.kind = :kind AND a.at < :end{hidden}
                ) ev
                WHERE src IS NULL OR src <> tgt
            ), stays AS (
                SELECT src AS state, trigger,
                    {second.format("at")} - {second.format("entered")} AS wait
                FROM moves
                WHERE src IS NOT NULL AND at >= :start
            ), ranked AS (
                SELECT state, trigger, wait,
                    ROW_NUMBER() OVER (PARTITION BY state ORDER BY wait) AS rn,
                    COUNT(*) OVER (PARTITION BY state) AS n
                FROM stays
            )
            SELECT state, MAX(n) AS passed,
                SUM(CASE WHEN trigger IN ({names}) THEN 1 ELSE 0 END) AS returned,
                MAX(CASE WHEN rn = (50 * n + 99) / 100 THEN wait END) AS median,
                MAX(CASE WHEN rn = (90 * n + 99) / 100 THEN wait END) AS p90
            FROM ranked GROUP BY state ORDER BY state
            """  # noqa: S608
        ).bindparams(
            sa.bindparam("start", type_=audit.c.at.type),
            sa.bindparam("end", type_=audit.c.at.type),
        )
        values: dict[str, Any] = {"kind": kind, "start": _utc(start), "end": _utc(end)}
        values.update({f"r{i}": name for i, name in enumerate(returns)})
        if ceiling is not None:
            values["ceiling"] = ceiling
        with self._read() as conn:
            rows = conn.execute(stmt, values).all()
        return [
            (str(state), int(passed), int(returned), int(median), int(p90))
            for state, passed, returned, median, p90 in rows
        ]

    def _local_day(
        self, column: str, offsets: Sequence[tuple[datetime, int]], values: dict[str, Any]
    ) -> tuple[str, list[sa.BindParameter[Any]]]:
        """SQL for ``column``'s day in a time zone given by its ``offsets``, and the binds.

        The offset in force is picked by comparing the stored moment with each change
        (the latest first); the moment is shifted by it and its day taken.
        """
        binds: list[sa.BindParameter[Any]] = []
        branches = []
        for i, (moment, seconds) in reversed(list(enumerate(offsets))):
            values[f"zo{i}"] = seconds
            if i == 0:
                continue
            values[f"zt{i}"] = _utc(moment)
            binds.append(sa.bindparam(f"zt{i}", type_=audit.c.at.type))
            branches.append(f"WHEN {column} >= :zt{i} THEN :zo{i}")
        shift = f"CASE {' '.join(branches)} ELSE :zo0 END" if branches else ":zo0"
        if self.is_postgres:
            day = f"CAST(({column} AT TIME ZONE 'UTC') + ({shift}) * INTERVAL '1 second' AS date)"
        else:
            day = f"date({column}, CAST({shift} AS TEXT) || ' seconds')"
        return day, binds

    def unit_outcomes(
        self,
        kind: str,
        start: datetime,
        end: datetime,
        *,
        zone: tzinfo,
        closed: str,
        submitted: str,
        extended: Sequence[str],
        reworked: Sequence[str],
        ceiling: int | None = None,
    ) -> tuple[list[tuple[str, date | None, date | None, int, int, int]], list[tuple[str, int]]]:
        """How the lead units fared in a period, computed by the database.

        See :meth:`secretarial.engine._ports.Store.unit_outcomes`: one pass over the
        kind's audit events finds the entities closed in the period and, per entity,
        the completion moment and whether it was extended or reworked; joined with the
        entities' ``lead_unit`` and ``deadline`` columns, they are grouped by unit (the
        late ones also by deadline and completion day). The open entities past their
        deadline are counted from the indexed columns alone.
        """
        if self.is_postgres:
            source, target = (
                "CAST(a.event AS jsonb)->>'source'",
                "CAST(a.event AS jsonb)->>'target'",
            )
        else:
            source, target = (
                "json_extract(a.event, '$.source')",
                "json_extract(a.event, '$.target')",
            )
        values: dict[str, Any] = {
            "kind": kind,
            "start": _utc(start),
            "end": _utc(end),
            "closed": closed,
            "submitted": submitted,
            "last_day": end.astimezone(zone).date(),
        }
        hidden = "" if ceiling is None else " AND e.classification <= :ceiling"
        if ceiling is not None:
            values["ceiling"] = ceiling
        values.update({f"x{i}": name for i, name in enumerate(extended)})
        values.update({f"w{i}": name for i, name in enumerate(reworked)})
        grants = ", ".join(f":x{i}" for i in range(len(extended))) or "NULL"
        rework = ", ".join(f":w{i}" for i in range(len(reworked))) or "NULL"
        times = [
            sa.bindparam("start", type_=audit.c.at.type),
            sa.bindparam("end", type_=audit.c.at.type),
        ]
        with self._read() as conn:
            first = conn.execute(
                sa.select(sa.func.min(entities.c.created_at)).where(entities.c.kind == kind)
            ).scalar()
            overdue = conn.execute(
                sa.select(entities.c.lead_unit, sa.func.count())
                .where(
                    entities.c.kind == kind,
                    entities.c.is_open.is_(True),
                    entities.c.deadline.isnot(None),
                    entities.c.deadline < values["last_day"],
                    entities.c.created_at < values["end"],
                    entities.c.lead_unit.isnot(None),
                    *(() if ceiling is None else (entities.c.classification <= ceiling,)),
                )
                .group_by(entities.c.lead_unit)
            ).all()
            if first is None:
                return [], []
            offsets = _offsets(zone, _aware(first), end)
            day, binds = self._local_day("COALESCE(f.done, f.shut)", offsets, values)
            # Only constant fragments are formatted in; every value is bound.
            stmt = sa.text(
                f"""
                WITH ev AS (
                    SELECT a.entity_id, a.trigger, a.at, {source} AS src, {target} AS tgt
                    FROM audit_events a
                    WHERE a.kind = :kind
                ), facts AS (
                    SELECT entity_id,
                        MAX(CASE WHEN tgt = :closed AND (src IS NULL OR src <> tgt)
                            THEN at END) AS shut,
                        MAX(CASE WHEN tgt = :submitted AND (src IS NULL OR src <> tgt)
                            THEN at END) AS done,
                        MAX(CASE WHEN trigger IN ({grants}) THEN 1 ELSE 0 END) AS ext,
                        MAX(CASE WHEN trigger IN ({rework}) THEN 1 ELSE 0 END) AS rew
                    FROM ev GROUP BY entity_id
                ), items AS (
                    SELECT e.lead_unit AS unit, e.deadline, {day} AS day, f.ext, f.rew
                    FROM facts f JOIN entities e ON e.id = f.entity_id
                    WHERE f.shut >= :start AND f.shut < :end AND e.lead_unit IS NOT NULL{hidden}
                ), judged AS (
                    SELECT unit, ext, rew,
                        CASE WHEN deadline IS NOT NULL AND day > deadline THEN 1 ELSE 0 END
                            AS late,
                        deadline, day
                    FROM items
                )
                SELECT unit,
                    CASE WHEN late = 1 THEN deadline END AS deadline,
                    CASE WHEN late = 1 THEN day END AS day,
                    COUNT(*), SUM(ext), SUM(rew)
                FROM judged
                GROUP BY unit, CASE WHEN late = 1 THEN deadline END,
                    CASE WHEN late = 1 THEN day END
                """  # noqa: S608
            ).bindparams(*times, *binds)
            grouped = conn.execute(stmt, values).all()
        rows = [
            (
                str(unit),
                _as_day(deadline),
                _as_day(completed),
                int(n),
                int(ext),
                int(rew),
            )
            for unit, deadline, completed, n, ext, rew in grouped
        ]
        rows.sort(key=lambda row: (row[0], row[1] or date.min, row[2] or date.min))
        return rows, sorted((str(unit), int(n)) for unit, n in overdue)

    def throughput(
        self,
        start: datetime,
        end: datetime,
        *,
        zone: tzinfo,
        kinds: Sequence[str] | None,
        terminal: Sequence[tuple[str, str]],
        ceiling: int | None = None,
    ) -> list[tuple[date, str, int, int]]:
        """Events and completions per day and kind, counted by the database.

        See :meth:`secretarial.engine._ports.Store.throughput`: one ``GROUP BY`` over the
        audit events of the period, each moment shifted into the zone's day in SQL.
        """
        if self.is_postgres:
            source, target = (
                "CAST(a.event AS jsonb)->>'source'",
                "CAST(a.event AS jsonb)->>'target'",
            )
        else:
            source, target = (
                "json_extract(a.event, '$.source')",
                "json_extract(a.event, '$.target')",
            )
        values: dict[str, Any] = {"start": _utc(start), "end": _utc(end)}
        where = ""
        if kinds is not None:
            values.update({f"k{i}": name for i, name in enumerate(kinds)})
            where += f" AND a.kind IN ({', '.join(f':k{i}' for i in range(len(kinds))) or 'NULL'})"
        if ceiling is not None:
            values["ceiling"] = ceiling
            where += (
                " AND a.entity_id IN (SELECT id FROM entities WHERE classification <= :ceiling)"
            )
        pairs = []
        for i, (kind, state) in enumerate(terminal):
            values[f"tk{i}"], values[f"ts{i}"] = kind, state
            pairs.append(f"(kind = :tk{i} AND tgt = :ts{i})")
        closing = " OR ".join(pairs) or "1 = 0"
        day, binds = self._local_day("at", _offsets(zone, start, end), values)
        # Only constant fragments are formatted in; every value is bound.
        stmt = sa.text(
            f"""
            SELECT day, kind, COUNT(*), SUM(done) FROM (
                SELECT {day} AS day, kind,
                    CASE WHEN (src IS NULL OR src <> tgt) AND ({closing}) THEN 1 ELSE 0 END
                        AS done
                FROM (
                    SELECT a.kind, a.at, {source} AS src, {target} AS tgt
                    FROM audit_events a
                    WHERE a.at >= :start AND a.at < :end{where}
                ) ev
            ) days
            GROUP BY day, kind ORDER BY day, kind
            """  # noqa: S608
        ).bindparams(
            sa.bindparam("start", type_=audit.c.at.type),
            sa.bindparam("end", type_=audit.c.at.type),
            *binds,
        )
        with self._read() as conn:
            rows = conn.execute(stmt, values).all()
        return [
            (date.fromisoformat(str(d)) if not isinstance(d, date) else d, str(k), int(n), int(c))
            for d, k, n, c in rows
        ]

    @cached_property
    def blobs(self) -> DirectoryBlobs | DatabaseBlobs:
        """The office's blob store (:class:`~secretarial.engine.BlobStore`).

        A SQLite file keeps the content in the directory ``<file>-blobs`` beside it and
        indexes it in its own tables; PostgreSQL (and SQLite in memory) keeps it in the
        database itself, so that every process of the office sees the same content.
        """
        index = _SqlBlobIndex(self._write, self._read, postgres=self.is_postgres)
        database = self._engine.url.database
        if self.is_postgres or database is None or _in_memory(self.url):
            return DatabaseBlobs(index)
        return DirectoryBlobs(Path(f"{Path(database).resolve()}-blobs"), index)

    def schema_version(self) -> int:
        """The schema version of the database."""
        with self._read() as conn:
            return int(
                conn.execute(
                    sa.select(meta_table.c.value).where(meta_table.c.key == "schema_version")
                ).scalar_one()
            )

    def close(self) -> None:
        """Close every pooled connection."""
        if self._driver is not None:
            self._driver.close()
        self._engine.dispose()
        self._held.clear()

    def __repr__(self) -> str:
        return f"<SqlStore {self._engine.url.render_as_string(hide_password=True)}>"
