"""The blob store in the process: content in dictionaries, for tests and notebooks."""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import BinaryIO

from secretarial.engine._blobs import (
    BlobPolicy,
    BlobRef,
    ChunkReader,
    checked_owner,
    checked_sha256,
    digest_of,
    policed_chunks,
)
from secretarial.errors import NotFound

__all__ = ["MemoryBlobs"]


@dataclass
class _Blob:
    chunks: list[bytes]
    size: int
    media_type: str
    put_at: datetime
    owners: set[str] = field(default_factory=set)


class MemoryBlobs:
    """A :class:`~secretarial.engine.BlobStore` in dictionaries; nothing survives the process.

    The content is kept as the chunks it was read in, so that a put streams like the
    other stores' (the whole content is nevertheless in memory: it is where it is kept).
    Safe to share between threads.
    """

    def __init__(self) -> None:
        self._blobs: dict[str, _Blob] = {}
        self._lock = threading.Lock()

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
        digest = hashlib.sha256()
        pieces = list(policed_chunks(source, policy, digest))
        sha256 = digest.hexdigest()
        size = sum(len(p) for p in pieces)
        with self._lock:
            blob = self._blobs.get(sha256)
            if blob is None:
                self._blobs[sha256] = _Blob(pieces, size, normalised, at)
            else:
                blob.put_at = max(blob.put_at, at)
        return BlobRef(sha256, size, normalised)

    def _blob(self, sha256: str) -> _Blob:
        blob = self._blobs.get(checked_sha256(sha256))
        if blob is None:
            raise NotFound(sha256, "blob")
        return blob

    def exists(self, sha256: str) -> bool:
        """Whether content with this hash is stored."""
        return checked_sha256(sha256) in self._blobs

    def size(self, sha256: str) -> int:
        """The size in bytes of the stored content."""
        return self._blob(sha256).size

    def media_type(self, sha256: str) -> str:
        """The media type the content was first put with."""
        return self._blob(sha256).media_type

    def chunks(self, sha256: str) -> Iterator[bytes]:
        """The stored content in the chunks it was put in."""
        return iter(list(self._blob(sha256).chunks))

    def open(self, sha256: str) -> BinaryIO:
        """The stored content as a binary file to read."""
        return ChunkReader(self.chunks(sha256))  # type: ignore[return-value]

    def verify(self, sha256: str) -> bool:
        """Whether the stored content still has this hash and its size."""
        blob = self._blob(sha256)
        return digest_of(blob.chunks) == (sha256, blob.size)

    def reference(self, sha256: str, owner: str) -> None:
        """Record that ``owner`` refers to the content."""
        checked_owner(owner)
        with self._lock:
            self._blob(sha256).owners.add(owner)

    def unreference(self, sha256: str, owner: str) -> int:
        """Forget that ``owner`` refers to the content; how many owners remain."""
        checked_owner(owner)
        with self._lock:
            blob = self._blobs.get(checked_sha256(sha256))
            if blob is None:
                return 0
            blob.owners.discard(owner)
            return len(blob.owners)

    def references(self, sha256: str) -> int:
        """How many owners refer to the content."""
        blob = self._blobs.get(checked_sha256(sha256))
        return 0 if blob is None else len(blob.owners)

    def collect(self, *, unreferenced_before: datetime) -> int:
        """Delete the content no owner refers to, last put before the moment."""
        with self._lock:
            gone = [
                sha256
                for sha256, blob in self._blobs.items()
                if not blob.owners and blob.put_at < unreferenced_before
            ]
            for sha256 in gone:
                del self._blobs[sha256]
        return len(gone)

    def __repr__(self) -> str:
        return f"<MemoryBlobs {len(self._blobs)} blobs>"
