"""Content as content: the blob store port, content-addressed by SHA-256.

An attachment or the text (正文) of a document is kept as a *blob*: bytes named by
their SHA-256, with their size and media type (:class:`BlobRef`). The same bytes put
twice are stored once. A blob store streams in and out in chunks of
:data:`CHUNK_SIZE`, so a 200 MB attachment never has to be in memory whole.

How an office is meant to use one (the stores of this library give one as
``store.blobs``):

1. **Put before the command.** A command that attaches content first puts it
   (:meth:`BlobStore.put`, outside the command's transaction: writing 200 MB inside it
   would hold the write lock that long), checked against the office's
   :class:`BlobPolicy`, and puts the returned :class:`BlobRef` in the entity.
2. **Reference inside the command.** The command's unit of work records that the
   entity refers to the content (:meth:`BlobStore.reference`, owner = the entity's id,
   or ``"<id>@<version>"`` for one version of a text). On a SQL store the references
   are a table in the office's own database, so they can be written in the same
   transaction as the entity.
3. **Collect after a grace period.** A command that rolls back leaves its blob put
   and unreferenced. :meth:`BlobStore.collect` deletes every blob that no owner
   references and that was last put before the moment it is given (``now - grace``):
   the blob of a rolled-back command goes once the grace period has passed; a blob a
   committed entity references is never collected; a put command still running inside
   the grace period keeps its blob. Putting content again that is already stored counts
   as putting it then, so content whose last owner has just gone is not collected
   under a command that is about to reference it.
4. **Dispose by unreferencing.** Disposition (destruction of a record) unreferences its
   content; content shared with another owner survives, and content no one references
   any more is destroyed by the next collection.
5. **Verify.** :meth:`BlobStore.verify` reads the content back hashing it: content
   changed in place (on disk, in the table) no longer has the hash it is named by.

The domain never reads the clock: the moments a store records (``at``) and the cut-off
of a collection come in as arguments.
"""

from __future__ import annotations

import hashlib
import io
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import BinaryIO, Final, Protocol, cast, runtime_checkable

from secretarial.errors import FieldProblem, ValidationError

__all__ = [
    "CHUNK_SIZE",
    "BlobPolicy",
    "BlobRef",
    "BlobStore",
    "ChunkReader",
    "checked_owner",
    "checked_sha256",
    "digest_of",
    "policed_chunks",
    "read_chunks",
]

CHUNK_SIZE: Final = 1 << 20
"""Bytes read, hashed and written at a time (1 MiB)."""

_SHA256: Final = re.compile(r"[0-9a-f]{64}")
_NAME_PART: Final = r"[a-z0-9][a-z0-9!#$&^_.+-]*"
_MEDIA_TYPE: Final = re.compile(
    rf"(?P<essence>{_NAME_PART}/{_NAME_PART})(?P<parameters>(\s*;\s*{_NAME_PART}=[^;\s]+)*)\s*"
)
_PATTERN: Final = re.compile(rf"\*/\*|{_NAME_PART}/\*|{_NAME_PART}/{_NAME_PART}")
_OWNER_LIMIT: Final = 200


def checked_sha256(value: object, *, model: str = "blob") -> str:
    """``value`` if it is a SHA-256 in lowercase hex; else a :class:`ValidationError`."""
    if isinstance(value, str) and _SHA256.fullmatch(value):
        return value
    raise ValidationError(
        model,
        [
            FieldProblem(
                "sha256",
                "sha256_hex",
                f"{value!r} is not a SHA-256 digest",
                "64 lowercase hexadecimal digits",
            )
        ],
    )


def checked_owner(value: object) -> str:
    """``value`` if it can name an owner of a blob; else a :class:`ValidationError`."""
    if (
        isinstance(value, str)
        and 0 < len(value) <= _OWNER_LIMIT
        and value.isprintable()
        and value.strip() == value
    ):
        return value
    raise ValidationError(
        "blob reference",
        [
            FieldProblem(
                "owner",
                "owner_text",
                f"{value!r} cannot name an owner",
                f"printable text of 1 to {_OWNER_LIMIT} characters without surrounding spaces",
            )
        ],
    )


@dataclass(frozen=True, slots=True)
class BlobRef:
    """A blob as an entity refers to it: its SHA-256, its size and its media type.

    Attributes:
        sha256: The SHA-256 of the content, 64 lowercase hex digits; its address.
        size: The size of the content in bytes.
        media_type: The media type the content was put with (``application/pdf``).
    """

    sha256: str
    size: int
    media_type: str

    def __post_init__(self) -> None:
        checked_sha256(self.sha256, model="blob reference")
        if type(self.size) is not int or self.size < 0:
            raise ValidationError(
                "blob reference",
                [FieldProblem("size", "non_negative", f"{self.size!r} is no size", "0 or more")],
            )
        _media_type(self.media_type, model="blob reference")


def _media_type(value: object, *, model: str) -> str:
    """``value`` lowercased as ``type/subtype[; parameter=value ...]``, or refused."""
    if isinstance(value, str):
        lowered = value.strip().lower()
        if _MEDIA_TYPE.fullmatch(lowered):
            return lowered
    raise ValidationError(
        model,
        [
            FieldProblem(
                "media_type",
                "media_type_syntax",
                f"{value!r} is not a media type",
                "type/subtype, optionally with ; parameter=value (application/pdf)",
            )
        ],
    )


def _essence(media_type: str) -> str:
    return media_type.split(";", 1)[0].strip()


@dataclass(frozen=True, slots=True)
class BlobPolicy:
    """What content an office accepts: how large, and of which media types.

    Args:
        max_size: The largest content accepted, in bytes.
        media_types: The media types accepted, as patterns: ``application/pdf``,
            ``image/*`` or ``*/*``. Parameters (``; charset=utf-8``) are not matched.

    Raises:
        ValidationError: a size below 0 or a pattern that is none.
    """

    max_size: int = 1 << 30
    media_types: tuple[str, ...] = field(default=("*/*",))

    def __post_init__(self) -> None:
        problems: list[FieldProblem] = []
        if type(self.max_size) is not int:
            problems.append(
                FieldProblem("max_size", "integer", "not a number of bytes", "0 or more")
            )
        elif self.max_size < 0:
            problems.append(FieldProblem("max_size", "non_negative", "below 0", "0 or more"))
        given: tuple[object, ...] = tuple(self.media_types)
        patterns = tuple(p.lower() for p in given if isinstance(p, str))
        if (
            not self.media_types
            or len(patterns) != len(self.media_types)
            or not all(_PATTERN.fullmatch(p) for p in patterns)
        ):
            problems.append(
                FieldProblem(
                    "media_types",
                    "media_type_pattern",
                    f"{self.media_types!r} are not media type patterns",
                    "one or more of type/subtype, type/* or */*",
                )
            )
        if problems:
            raise ValidationError("blob policy", problems)
        object.__setattr__(self, "media_types", patterns)

    def accepts(self, media_type: str) -> bool:
        """Whether content of ``media_type`` (already well-formed) is accepted."""
        essence = _essence(media_type)
        kind = essence.split("/", 1)[0]
        return any(p in ("*/*", f"{kind}/*", essence) for p in self.media_types)

    def check_media_type(self, media_type: object) -> str:
        """``media_type`` normalised if it is one this policy accepts; else refused.

        Raises:
            ValidationError: on ``media_type``: not a media type (``media_type_syntax``)
                or not one accepted (``media_type_accepted``, saying which are).
        """
        normalised = _media_type(media_type, model="blob")
        if not self.accepts(normalised):
            raise ValidationError(
                "blob",
                [
                    FieldProblem(
                        "media_type",
                        "media_type_accepted",
                        f"{normalised!r} is not accepted",
                        ", ".join(self.media_types),
                    )
                ],
            )
        return normalised

    def size_refused(self, size: int) -> ValidationError:
        """The refusal of content that has grown to ``size`` bytes, past the limit."""
        return ValidationError(
            "blob",
            [
                FieldProblem(
                    "size",
                    "max_size",
                    f"the content is larger than {self.max_size} bytes (read {size} so far)",
                    f"at most {self.max_size} bytes",
                )
            ],
        )


def read_chunks(source: BinaryIO | Iterable[bytes], size: int = CHUNK_SIZE) -> Iterator[bytes]:
    """The bytes of ``source`` in pieces of at most ``size``.

    A file (anything with ``read``) is read ``size`` bytes at a time; an iterable of
    bytes is taken as it comes, a larger piece cut into pieces of ``size``, and empty
    pieces skipped.

    Raises:
        ValidationError: on ``source``, when an iterable gives something else than bytes.
    """
    read: Callable[[int], bytes] | None = getattr(source, "read", None)
    if read is not None:
        while block := read(size):
            yield bytes(block)
        return
    for piece in cast("Iterable[object]", source):
        if not isinstance(piece, bytes | bytearray | memoryview):
            raise ValidationError(
                "blob",
                [
                    FieldProblem(
                        "source",
                        "bytes",
                        f"a piece of the content is {type(piece).__name__}",
                        "a binary file or an iterable of bytes",
                    )
                ],
            )
        for start in range(0, len(piece), size):
            yield bytes(piece[start : start + size])


def policed_chunks(
    source: BinaryIO | Iterable[bytes], policy: BlobPolicy, digest: hashlib._Hash
) -> Iterator[bytes]:
    """The chunks of ``source``, hashed into ``digest``; refused once past the limit."""
    size = 0
    for piece in read_chunks(source):
        size += len(piece)
        if size > policy.max_size:
            raise policy.size_refused(size)
        digest.update(piece)
        yield piece


class ChunkReader(io.RawIOBase):
    """A read-only binary file over an iterator of chunks (what :meth:`BlobStore.open` gives).

    Args:
        chunks: The content, in pieces.
        close: Called once when the reader is closed (releases what the chunks hold).
    """

    def __init__(self, chunks: Iterator[bytes], close: Callable[[], None] | None = None) -> None:
        super().__init__()
        self._chunks = chunks
        self._pending = b""
        self._on_close = close

    def readable(self) -> bool:
        """Always true: the reader reads."""
        return True

    def readinto(self, buffer: memoryview | bytearray) -> int:  # type: ignore[override]
        """Fill ``buffer`` from the next chunks; 0 at the end."""
        while not self._pending:
            piece = next(self._chunks, None)
            if piece is None:
                return 0
            self._pending = piece
        n = min(len(buffer), len(self._pending))
        buffer[:n] = self._pending[:n]
        self._pending = self._pending[n:]
        return n

    def close(self) -> None:
        """Close the reader and release what its chunks hold."""
        if not self.closed:
            on_close, self._on_close = self._on_close, None
            if on_close is not None:
                on_close()
        super().close()


def digest_of(chunks: Iterable[bytes]) -> tuple[str, int]:
    """The SHA-256 (hex) and the size of the content ``chunks`` give."""
    digest = hashlib.sha256()
    size = 0
    for piece in chunks:
        digest.update(piece)
        size += len(piece)
    return digest.hexdigest(), size


@runtime_checkable
class BlobStore(Protocol):
    """Where content is kept, named by its SHA-256; see the module for how it is used.

    Every method that names a blob raises :class:`~secretarial.errors.ValidationError`
    on ``sha256`` when it is not a SHA-256 digest, and the reading ones
    :class:`~secretarial.errors.NotFound` when no such blob is stored.
    """

    def put(
        self,
        source: BinaryIO | Iterable[bytes],
        *,
        media_type: str,
        policy: BlobPolicy,
        at: datetime,
    ) -> BlobRef:
        """Store the content ``source`` gives, streaming; return its reference.

        The content is read in chunks and hashed as it is written to a temporary place,
        then made addressable by its hash at once: content already stored is not stored
        again (it counts as put at ``at``). A refusal by ``policy`` (media type first,
        size while reading) or a source that raises leaves nothing addressable.

        Raises:
            ValidationError: ``media_type`` or ``size`` refused by ``policy``.
        """
        ...

    def exists(self, sha256: str) -> bool:
        """Whether content with this hash is stored."""
        ...

    def size(self, sha256: str) -> int:
        """The size in bytes of the stored content."""
        ...

    def media_type(self, sha256: str) -> str:
        """The media type the content was first put with."""
        ...

    def chunks(self, sha256: str) -> Iterator[bytes]:
        """The stored content in chunks, streaming (no more than a chunk at a time)."""
        ...

    def open(self, sha256: str) -> BinaryIO:
        """The stored content as a binary file to read (close it when done)."""
        ...

    def verify(self, sha256: str) -> bool:
        """Whether the stored content still has this hash and its size (reads it all)."""
        ...

    def reference(self, sha256: str, owner: str) -> None:
        """Record that ``owner`` refers to the content (once per owner; again is a no-op)."""
        ...

    def unreference(self, sha256: str, owner: str) -> int:
        """Forget that ``owner`` refers to the content; return how many owners remain."""
        ...

    def references(self, sha256: str) -> int:
        """How many owners refer to the content (0 for content not stored)."""
        ...

    def collect(self, *, unreferenced_before: datetime) -> int:
        """Delete the content no owner refers to, last put before the moment; how many."""
        ...
