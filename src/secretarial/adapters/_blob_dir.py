"""Blobs as files in a directory, named by their hash, indexed in a database.

The content of a blob lives in ``<root>/<h[0:2]>/<h[2:4]>/<h>`` (``h`` its SHA-256
in hex): two levels of 256 folders keep any folder small. A put streams into a
temporary file in ``<root>/tmp`` (the same file system), flushed to disk, and renames it
to its name: a reader sees the whole content or none. Which blobs exist, their size,
media type, when they were put and who refers to them is not read from the directory but
from an *index* (:class:`BlobIndex`): for a SQLite office, tables in its own database,
so that a reference can be written in the same transaction as the entity that makes it.
The rename and the index row are made under the index's write lock, and so is a
collection's removal of a file, so that a put of the same content never races a
collection of it.
"""

from __future__ import annotations

import hashlib
import os
import uuid
from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator
from contextlib import AbstractContextManager, suppress
from datetime import UTC, datetime
from pathlib import Path
from typing import BinaryIO, Protocol

from secretarial.engine._blobs import (
    CHUNK_SIZE,
    BlobPolicy,
    BlobRef,
    checked_owner,
    checked_sha256,
    policed_chunks,
)
from secretarial.errors import NotFound, StoreError

__all__ = ["BlobIndex", "BlobIndexWriter", "DirectoryBlobs", "IndexedBlobs"]

_TEMP: str = "tmp"


class BlobIndexWriter(Protocol):
    """What a collection or a put changes in the index, under its write lock."""

    def row(self, sha256: str) -> tuple[int, str] | None:
        """The size and media type of a stored blob, or None."""
        ...

    def insert(self, ref: BlobRef, at: datetime) -> None:
        """Record a new blob put at ``at``."""
        ...

    def touch(self, sha256: str, at: datetime) -> None:
        """Record that the blob was put again at ``at`` (keeps the later moment)."""
        ...

    def add_reference(self, sha256: str, owner: str) -> bool:
        """Record ``owner``'s reference; False if no such blob is stored."""
        ...

    def remove_reference(self, sha256: str, owner: str) -> int:
        """Forget ``owner``'s reference; how many owners remain."""
        ...

    def unreferenced(self, before: datetime) -> list[str]:
        """The blobs no owner refers to, last put before ``before``."""
        ...

    def delete(self, sha256: str) -> None:
        """Forget the blob."""
        ...


class BlobIndex(Protocol):
    """Which blobs a directory holds, and who refers to them."""

    def writing(self) -> AbstractContextManager[BlobIndexWriter]:
        """A transaction holding the index's write lock; committed when it ends well."""
        ...

    def row(self, sha256: str) -> tuple[int, str] | None:
        """The size and media type of a stored blob, or None."""
        ...

    def references(self, sha256: str) -> int:
        """How many owners refer to the blob."""
        ...


def _settle(temp: Path, final: Path) -> None:
    """Rename ``temp`` to ``final`` and flush the rename to disk where that can be done."""
    final.parent.mkdir(parents=True, exist_ok=True)
    temp.replace(final)
    if hasattr(os, "O_DIRECTORY"):  # POSIX: a directory is flushed through a descriptor
        folder = os.open(final.parent, os.O_RDONLY | os.O_DIRECTORY)
        try:
            os.fsync(folder)
        finally:
            os.close(folder)


class IndexedBlobs(ABC):
    """What every blob store that keeps a :class:`BlobIndex` does the same way.

    The owners' references go through the index (in its write transaction), and a blob
    is verified by hashing its chunks again. A subclass sets ``_index`` and gives
    ``chunks``.
    """

    _index: BlobIndex

    @abstractmethod
    def chunks(self, sha256: str) -> Iterator[bytes]:
        """The stored content, a chunk at a time."""

    def _row(self, sha256: str) -> tuple[int, str]:
        row = self._index.row(checked_sha256(sha256))
        if row is None:
            raise NotFound(sha256, "blob")
        return row

    def exists(self, sha256: str) -> bool:
        """Whether content with this hash is stored."""
        return self._index.row(checked_sha256(sha256)) is not None

    def size(self, sha256: str) -> int:
        """The size in bytes of the stored content."""
        return self._row(sha256)[0]

    def media_type(self, sha256: str) -> str:
        """The media type the content was first put with."""
        return self._row(sha256)[1]

    def _matches(self, sha256: str, missing: tuple[type[Exception], ...]) -> bool:
        """Whether the stored chunks hash to ``sha256`` at the recorded size.

        ``missing`` are the errors by which the store says a part of the content is gone
        (the blob then does not match).
        """
        size, _ = self._row(sha256)
        digest = hashlib.sha256()
        read = 0
        try:
            for piece in self.chunks(sha256):
                digest.update(piece)
                read += len(piece)
        except missing:
            return False
        return read == size and digest.hexdigest() == sha256

    def reference(self, sha256: str, owner: str) -> None:
        """Record that ``owner`` refers to the content.

        Raises:
            NotFound: no such blob is stored.
        """
        checked_sha256(sha256)
        checked_owner(owner)
        with self._index.writing() as index:
            if not index.add_reference(sha256, owner):
                raise NotFound(sha256, "blob")

    def unreference(self, sha256: str, owner: str) -> int:
        """Forget that ``owner`` refers to the content; how many owners remain."""
        checked_sha256(sha256)
        checked_owner(owner)
        with self._index.writing() as index:
            return index.remove_reference(sha256, owner)

    def references(self, sha256: str) -> int:
        """How many owners refer to the content."""
        return self._index.references(checked_sha256(sha256))


class DirectoryBlobs(IndexedBlobs):
    """A :class:`~secretarial.engine.BlobStore` keeping content as files under ``root``.

    Args:
        root: The directory (created when first written to).
        index: Where the blobs and their references are recorded.
    """

    def __init__(self, root: Path, index: BlobIndex) -> None:
        self.root = Path(root)
        self._index = index

    # ------------------------------------------------------------------ files
    def path(self, sha256: str) -> Path:
        """Where the content of the blob ``sha256`` is (or would be) kept."""
        checked_sha256(sha256)
        return self.root / sha256[:2] / sha256[2:4] / sha256

    def _temp(self, suffix: str) -> Path:
        folder = self.root / _TEMP
        folder.mkdir(parents=True, exist_ok=True)
        return folder / f"{uuid.uuid4().hex}{suffix}"

    def _write_temp(
        self, source: BinaryIO | Iterable[bytes], policy: BlobPolicy
    ) -> tuple[Path, str, int]:
        temp = self._temp(".part")
        digest = hashlib.sha256()
        size = 0
        try:
            with temp.open("wb") as out:
                for piece in policed_chunks(source, policy, digest):
                    out.write(piece)
                    size += len(piece)
                out.flush()
                os.fsync(out.fileno())
        except BaseException:
            temp.unlink(missing_ok=True)
            raise
        return temp, digest.hexdigest(), size

    # ------------------------------------------------------------------ the port
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
        temp, sha256, size = self._write_temp(source, policy)
        ref = BlobRef(sha256, size, normalised)
        final = self.path(sha256)
        try:
            with self._index.writing() as index:
                if index.row(sha256) is None:
                    _settle(temp, final)
                    index.insert(ref, at)
                else:
                    if not final.exists():  # lost from the disk: the new copy restores it
                        _settle(temp, final)
                    index.touch(sha256, at)
        finally:
            temp.unlink(missing_ok=True)
        return ref

    def open(self, sha256: str) -> BinaryIO:
        """The stored content's file, open to read.

        Raises:
            NotFound: no such blob is stored.
            StoreError: the index holds the blob but its file is gone.
        """
        self._row(sha256)
        try:
            return self.path(sha256).open("rb")
        except FileNotFoundError as e:
            raise StoreError(f"the content of blob {sha256} is missing from {self.root}") from e

    def chunks(self, sha256: str) -> Iterator[bytes]:
        """The stored content, a chunk at a time."""
        file = self.open(sha256)

        def read() -> Iterator[bytes]:
            with file:
                while piece := file.read(CHUNK_SIZE):
                    yield piece

        return read()

    def verify(self, sha256: str) -> bool:
        """Whether the stored file still has this hash and the recorded size."""
        return self._matches(sha256, (StoreError,))

    def collect(self, *, unreferenced_before: datetime) -> int:
        """Delete the content no owner refers to, last put before the moment.

        The files are moved aside under the index's lock and removed once the index has
        forgotten them; if the index cannot commit, they are put back. Temporary files
        of puts that never finished (a process killed while writing) and last written
        before the moment are removed as well (they are not counted).
        """
        moved: list[tuple[Path, Path]] = []
        try:
            with self._index.writing() as index:
                gone = index.unreferenced(unreferenced_before)
                for sha256 in gone:
                    final = self.path(sha256)
                    aside = self._temp(".collected")
                    with suppress(FileNotFoundError):
                        final.replace(aside)
                        moved.append((aside, final))
                    index.delete(sha256)
        except BaseException:
            for aside, final in moved:
                aside.replace(final)
            raise
        for aside, _ in moved:
            aside.unlink(missing_ok=True)
        self._sweep_temp(unreferenced_before)
        return len(gone)

    def _sweep_temp(self, before: datetime) -> None:
        folder = self.root / _TEMP
        if not folder.is_dir():
            return
        cutoff = before.astimezone(UTC).timestamp()
        for temp in folder.iterdir():
            with suppress(FileNotFoundError):
                if temp.stat().st_mtime < cutoff:
                    temp.unlink()

    def __repr__(self) -> str:
        return f"<DirectoryBlobs {self.root}>"
