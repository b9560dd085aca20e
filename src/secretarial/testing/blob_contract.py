"""The contract every blob store keeps, as a test suite any blob store can run.

An office relies on exactly these behaviours of its
:class:`~secretarial.engine.BlobStore`: content comes back exactly, streaming, named by
its SHA-256; the same content is stored once; content changed where it is kept fails
:meth:`~secretarial.engine.BlobStore.verify`; a refused or failed put leaves nothing
addressable; a collection deletes only the content no owner refers to that was last put
before its moment; content shared by two owners outlives one of them. The memory,
SQLite and PostgreSQL blob stores of this library run it; a blob store of your own runs
it by subclassing :class:`BlobStoreContract` with a ``blobs`` fixture yielding an empty
store and a ``tamper`` fixture giving a function that changes a byte of stored content
in place (and, if puts leave temporary things behind while they run, ``leftovers``)::

    import pytest
    from secretarial.testing.blob_contract import BlobStoreContract

    class TestMyBlobs(BlobStoreContract):
        @pytest.fixture
        def blobs(self, tmp_path):
            return MyBlobs(tmp_path)

        @pytest.fixture
        def tamper(self):
            def change(blobs, sha256):
                path = blobs.path(sha256)
                path.write_bytes(b"X" + path.read_bytes()[1:])

            return change

The suite needs ``pytest`` and ``hypothesis``.
"""

# ruff: noqa: S101, PLR2004 -- a pytest suite: its asserts and literal values are the contract

from __future__ import annotations

import hashlib
import io
import random
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any, Final

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from secretarial.engine._blobs import CHUNK_SIZE, BlobPolicy, BlobRef, BlobStore
from secretarial.errors import NotFound, ValidationError

__all__ = ["BlobStoreContract", "content"]

T0: Final = datetime(2025, 9, 26, 1, 0, tzinfo=UTC)
ANY: Final = BlobPolicy()
PDF_ONLY: Final = BlobPolicy(max_size=4 * CHUNK_SIZE, media_types=("application/pdf",))
FUTURE: Final = T0 + timedelta(days=3650)


def content(size: int, seed: int = 0) -> bytes:
    """``size`` bytes of seeded pseudo-random content."""
    return random.Random(seed).randbytes(size)  # noqa: S311 -- test content, not secrets


class _Recorder(io.RawIOBase):
    """A file over ``data`` that records the largest read asked of it."""

    def __init__(self, data: bytes) -> None:
        super().__init__()
        self._data = io.BytesIO(data)
        self.largest = 0

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        self.largest = max(self.largest, size if size >= 0 else 1 << 62)
        return self._data.read(size)


def _failing(pieces: int) -> Iterator[bytes]:
    for n in range(pieces):
        yield content(CHUNK_SIZE, seed=100 + n)
    raise RuntimeError("the upload broke off")


class BlobStoreContract:
    """The blob store contract; subclass it with ``blobs`` and ``tamper`` fixtures."""

    @pytest.fixture
    def blobs(self) -> BlobStore:  # pragma: no cover -- every subclass gives its own
        """An empty blob store."""
        raise NotImplementedError("a BlobStoreContract subclass gives a `blobs` fixture")

    @pytest.fixture
    def tamper(self) -> Callable[[Any, str], None]:  # pragma: no cover -- as above
        """A function changing a byte of the stored content of a blob, in place."""
        raise NotImplementedError("a BlobStoreContract subclass gives a `tamper` fixture")

    @pytest.fixture
    def leftovers(self) -> Callable[[Any], list[str]]:
        """A function listing what puts left behind (temporary files, pending chunks)."""
        return lambda _blobs: []

    # ------------------------------------------------------------------ in and out
    def test_round_trip_is_exact(self, blobs: BlobStore) -> None:
        """Content comes back byte for byte, as chunks and as a file, named by its SHA-256."""
        data = content(2 * CHUNK_SIZE + 12345)
        ref = blobs.put(io.BytesIO(data), media_type="Application/PDF", policy=ANY, at=T0)
        assert ref == BlobRef(hashlib.sha256(data).hexdigest(), len(data), "application/pdf")
        assert blobs.exists(ref.sha256)
        assert blobs.size(ref.sha256) == len(data)
        assert blobs.media_type(ref.sha256) == "application/pdf"
        assert b"".join(blobs.chunks(ref.sha256)) == data
        with blobs.open(ref.sha256) as file:
            assert file.read(10) == data[:10]
            assert file.read() == data[10:]
        assert blobs.verify(ref.sha256)

    def test_content_streams_in_and_out_in_chunks(self, blobs: BlobStore) -> None:
        """A put reads a chunk at a time; what comes out is never more than a chunk a piece."""
        data = content(3 * CHUNK_SIZE + 1, seed=1)
        source = _Recorder(data)
        ref = blobs.put(source, media_type="application/pdf", policy=ANY, at=T0)
        assert 0 < source.largest <= CHUNK_SIZE
        pieces = list(blobs.chunks(ref.sha256))
        assert len(pieces) >= 4
        assert max(len(p) for p in pieces) <= CHUNK_SIZE
        # An iterable is taken as it comes, a larger piece cut to chunks.
        again = blobs.put(iter([data]), media_type="application/pdf", policy=ANY, at=T0)
        assert again == ref
        assert max(len(p) for p in blobs.chunks(ref.sha256)) <= CHUNK_SIZE

    @settings(
        max_examples=20,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(pieces=st.lists(st.binary(max_size=3000), max_size=6))
    def test_any_content_in_any_pieces_comes_back(
        self, blobs: BlobStore, pieces: list[bytes]
    ) -> None:
        """However the content is cut, it is stored and read back whole under its hash."""
        data = b"".join(pieces)
        ref = blobs.put(iter(pieces), media_type="text/plain; charset=utf-8", policy=ANY, at=T0)
        assert (ref.sha256, ref.size) == (hashlib.sha256(data).hexdigest(), len(data))
        assert b"".join(blobs.chunks(ref.sha256)) == data
        assert blobs.verify(ref.sha256)

    def test_empty_content_is_content(self, blobs: BlobStore) -> None:
        """Empty content is stored like any other."""
        ref = blobs.put(iter([]), media_type="text/plain", policy=ANY, at=T0)
        assert ref.sha256 == hashlib.sha256(b"").hexdigest()
        assert ref.size == 0
        assert b"".join(blobs.chunks(ref.sha256)) == b""
        assert blobs.verify(ref.sha256)

    def test_the_same_content_is_stored_once(self, blobs: BlobStore) -> None:
        """A second put of the same bytes stores nothing more; the first media type stays."""
        data = content(CHUNK_SIZE + 7, seed=2)
        first = blobs.put(io.BytesIO(data), media_type="application/pdf", policy=ANY, at=T0)
        second = blobs.put(iter([data[:5], data[5:]]), media_type="image/png", policy=ANY, at=T0)
        other = blobs.put(iter([b"another"]), media_type="text/plain", policy=ANY, at=T0)
        assert first.sha256 == second.sha256 != other.sha256
        assert second.media_type == "image/png"  # as this put says
        assert blobs.media_type(first.sha256) == "application/pdf"  # as first stored
        assert b"".join(blobs.chunks(first.sha256)) == data
        assert blobs.collect(unreferenced_before=FUTURE) == 2

    def test_a_missing_blob_is_not_found(self, blobs: BlobStore) -> None:
        """Reading or referring to content never put is not found; asking whether it is, is not."""
        missing = hashlib.sha256(b"never put").hexdigest()
        assert not blobs.exists(missing)
        assert blobs.references(missing) == 0
        assert blobs.unreference(missing, "doc-1") == 0
        for read in (blobs.size, blobs.chunks, blobs.open, blobs.verify, blobs.media_type):
            with pytest.raises(NotFound):
                read(missing)
        with pytest.raises(NotFound):
            blobs.reference(missing, "doc-1")

    def test_bad_names_are_refused_naming_the_field(self, blobs: BlobStore) -> None:
        """A hash that is no SHA-256 in lowercase hex, or an unusable owner, is refused."""
        ref = blobs.put(iter([b"x"]), media_type="text/plain", policy=ANY, at=T0)
        for bad in ("", "ABC", ref.sha256.upper(), ref.sha256[:-1], f"{ref.sha256}0"):
            with pytest.raises(ValidationError) as info:
                blobs.exists(bad)
            assert info.value.fields == ("sha256",)
        for owner in ("", " doc", "a\nb", "x" * 201):
            with pytest.raises(ValidationError) as info:
                blobs.reference(ref.sha256, owner)
            assert info.value.fields == ("owner",)
        assert blobs.references(ref.sha256) == 0

    # ------------------------------------------------------------------ tampering
    def test_tampered_content_fails_verification(
        self, blobs: BlobStore, tamper: Callable[[Any, str], None]
    ) -> None:
        """A byte changed where the content is kept is found by verification; others pass."""
        data = content(CHUNK_SIZE + 100, seed=3)
        ref = blobs.put(io.BytesIO(data), media_type="application/pdf", policy=ANY, at=T0)
        kept = blobs.put(iter([b"untouched"]), media_type="text/plain", policy=ANY, at=T0)
        assert blobs.verify(ref.sha256)
        tamper(blobs, ref.sha256)
        assert b"".join(blobs.chunks(ref.sha256)) != data
        assert not blobs.verify(ref.sha256)
        assert blobs.verify(kept.sha256)

    # ------------------------------------------------------------------ refusals and failures
    def test_a_refused_media_type_changes_nothing(
        self, blobs: BlobStore, leftovers: Callable[[Any], list[str]]
    ) -> None:
        """A media type the policy refuses, or none at all, stores nothing."""
        data = b"%PDF-1.7 not really"
        for media_type, rule, accepted in (
            ("text/html", "media_type_accepted", "application/pdf"),
            ("pdf", "media_type_syntax", "type/subtype"),
        ):
            with pytest.raises(ValidationError) as info:
                blobs.put(iter([data]), media_type=media_type, policy=PDF_ONLY, at=T0)
            assert info.value.fields == ("media_type",)
            assert info.value.problems[0].rule == rule
            assert accepted in str(info.value.problems[0].accepted)
        assert not blobs.exists(hashlib.sha256(data).hexdigest())
        assert blobs.collect(unreferenced_before=FUTURE) == 0
        assert leftovers(blobs) == []

    def test_content_past_the_size_limit_is_refused_and_leaves_nothing(
        self, blobs: BlobStore, leftovers: Callable[[Any], list[str]]
    ) -> None:
        """Content larger than the policy allows is refused while read; the limit itself passes."""
        data = content(PDF_ONLY.max_size + 1, seed=4)
        with pytest.raises(ValidationError) as info:
            blobs.put(io.BytesIO(data), media_type="application/pdf", policy=PDF_ONLY, at=T0)
        assert info.value.fields == ("size",)
        assert info.value.problems[0].rule == "max_size"
        assert str(PDF_ONLY.max_size) in str(info.value.problems[0].accepted)
        assert not blobs.exists(hashlib.sha256(data).hexdigest())
        assert blobs.collect(unreferenced_before=FUTURE) == 0
        assert leftovers(blobs) == []
        exact = data[: PDF_ONLY.max_size]
        ref = blobs.put(io.BytesIO(exact), media_type="application/pdf", policy=PDF_ONLY, at=T0)
        assert ref.size == PDF_ONLY.max_size

    def test_a_source_failing_mid_stream_leaves_nothing_addressable(
        self, blobs: BlobStore, leftovers: Callable[[Any], list[str]]
    ) -> None:
        """A source that raises half-way leaves neither content nor temporary remains."""
        with pytest.raises(RuntimeError, match="broke off"):
            blobs.put(_failing(2), media_type="application/pdf", policy=ANY, at=T0)
        partial = content(CHUNK_SIZE, seed=100) + content(CHUNK_SIZE, seed=101)
        for prefix in (partial[:CHUNK_SIZE], partial):
            assert not blobs.exists(hashlib.sha256(prefix).hexdigest())
        assert blobs.collect(unreferenced_before=FUTURE) == 0
        assert leftovers(blobs) == []

    # ------------------------------------------------------------------ collection
    def test_collection_waits_for_the_grace_period(self, blobs: BlobStore) -> None:
        """Unreferenced content is collected only once put before the collection's moment."""
        ref = blobs.put(iter([b"a rolled-back upload"]), media_type="text/plain", policy=ANY, at=T0)
        assert blobs.collect(unreferenced_before=T0) == 0  # put at T0, not before it
        assert blobs.exists(ref.sha256)
        assert blobs.collect(unreferenced_before=T0 + timedelta(seconds=1)) == 1
        assert not blobs.exists(ref.sha256)
        with pytest.raises(NotFound):
            b"".join(blobs.chunks(ref.sha256))
        assert blobs.collect(unreferenced_before=FUTURE) == 0

    def test_putting_again_counts_as_putting_then(self, blobs: BlobStore) -> None:
        """Content put again is kept as recently put, so a command about to refer to it keeps it."""
        ref = blobs.put(iter([b"again"]), media_type="text/plain", policy=ANY, at=T0)
        blobs.put(iter([b"again"]), media_type="text/plain", policy=ANY, at=T0 + timedelta(hours=2))
        blobs.put(iter([b"again"]), media_type="text/plain", policy=ANY, at=T0 + timedelta(hours=1))
        assert blobs.collect(unreferenced_before=T0 + timedelta(hours=2)) == 0
        assert blobs.exists(ref.sha256)
        assert blobs.collect(unreferenced_before=T0 + timedelta(hours=3)) == 1

    def test_referenced_content_is_never_collected(self, blobs: BlobStore) -> None:
        """Content an owner refers to survives any collection; an owner counts once."""
        ref = blobs.put(
            iter([b"the text of a document"]), media_type="text/plain", policy=ANY, at=T0
        )
        blobs.reference(ref.sha256, "in-1")
        blobs.reference(ref.sha256, "in-1")  # once per owner
        assert blobs.references(ref.sha256) == 1
        assert blobs.collect(unreferenced_before=FUTURE) == 0
        assert blobs.verify(ref.sha256)

    def test_shared_content_goes_with_its_last_owner(self, blobs: BlobStore) -> None:
        """Content two owners share survives one unreference and is collected after the last."""
        ref = blobs.put(iter([b"a shared attachment"]), media_type="text/plain", policy=ANY, at=T0)
        blobs.reference(ref.sha256, "in-1")
        blobs.reference(ref.sha256, "out-7@2")
        assert blobs.references(ref.sha256) == 2
        assert blobs.unreference(ref.sha256, "in-1") == 1
        assert blobs.unreference(ref.sha256, "in-1") == 1  # already gone: no change
        assert blobs.collect(unreferenced_before=FUTURE) == 0
        assert b"".join(blobs.chunks(ref.sha256)) == b"a shared attachment"
        assert blobs.unreference(ref.sha256, "out-7@2") == 0
        assert blobs.collect(unreferenced_before=FUTURE) == 1
        assert not blobs.exists(ref.sha256)
        assert blobs.references(ref.sha256) == 0
        # Put again, the content is back, with no owner.
        again = blobs.put(
            iter([b"a shared attachment"]), media_type="text/plain", policy=ANY, at=FUTURE
        )
        assert again == ref
        assert blobs.verify(ref.sha256)
        assert blobs.references(ref.sha256) == 0
