"""One contract for every blob store: memory, a SQLite office's directory, PostgreSQL.

Beside the shipped contract (``secretarial.testing.blob_contract``): where each store
keeps the content, and several processes putting the same content at once.
"""

from __future__ import annotations

import hashlib
import io
import multiprocessing as mp
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from conftest import STORES, url_for
from secretarial.adapters._blob_dir import DirectoryBlobs
from secretarial.adapters._memory_blobs import MemoryBlobs
from secretarial.adapters._sql import DatabaseBlobs, SqlStore, blob_chunks_table
from secretarial.engine import BlobPolicy, BlobStore
from secretarial.engine._blobs import CHUNK_SIZE
from secretarial.testing.blob_contract import T0, BlobStoreContract, content

ANY = BlobPolicy()


@pytest.fixture(params=STORES)
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    return url_for(request.param, tmp_path)


def _flip(data: bytes) -> bytes:
    return bytes([data[0] ^ 0xFF]) + data[1:]


def tamper(blobs: Any, sha256: str) -> None:
    """Change the first byte of a blob where its store keeps it."""
    if isinstance(blobs, MemoryBlobs):
        blob = blobs._blobs[sha256]
        blob.chunks[0] = _flip(blob.chunks[0])
    elif isinstance(blobs, DirectoryBlobs):
        path = blobs.path(sha256)
        with path.open("r+b") as file:
            first = file.read(1)
            file.seek(0)
            file.write(_flip(first))
    else:
        assert isinstance(blobs, DatabaseBlobs)
        with blobs._index.write() as conn:
            table = blob_chunks_table
            mine = (table.c.hash == sha256) & (table.c.n == 0)
            data = conn.execute(sa.select(table.c.data).where(mine)).scalar_one()
            conn.execute(table.update().where(mine).values(data=_flip(bytes(data))))


def leftovers(blobs: Any) -> list[str]:
    """Temporary files or pending chunks a put left behind."""
    if isinstance(blobs, DirectoryBlobs):
        temp = blobs.root / "tmp"
        return sorted(p.name for p in temp.iterdir()) if temp.is_dir() else []
    if isinstance(blobs, DatabaseBlobs):
        with blobs._index.read() as conn:
            table = blob_chunks_table
            return [
                str(h)
                for (h,) in conn.execute(
                    sa.select(table.c.hash).distinct().where(table.c.hash.like("pending:%"))
                )
            ]
    return []


def open_blobs(url: str) -> tuple[BlobStore, SqlStore | None]:
    if url == "memory://":
        return MemoryBlobs(), None
    store = SqlStore(url)
    return store.blobs, store


class TestBlobStoreContract(BlobStoreContract):
    """The shipped contract, on every store here (SQLite in a file and in memory too)."""

    @pytest.fixture(params=[*STORES, "sqlite-memory"])
    def blobs(self, request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[BlobStore]:
        kind = request.param
        url = "sqlite://" if kind == "sqlite-memory" else url_for(kind, tmp_path)
        blobs, store = open_blobs(url)
        yield blobs
        if store is not None:
            store.close()

    @pytest.fixture
    def tamper(self) -> Callable[[Any, str], None]:
        return tamper

    @pytest.fixture
    def leftovers(self) -> Callable[[Any], list[str]]:
        return leftovers


def test_a_sqlite_file_keeps_content_beside_it_and_indexes_it_inside(tmp_path: Path) -> None:
    """``<db>-blobs/ab/cd/<hash>`` holds the bytes; the database, the rows and owners."""
    store = SqlStore(f"sqlite:///{tmp_path / 'office.db'}")
    try:
        blobs = store.blobs
        assert isinstance(blobs, DirectoryBlobs)
        data = content(CHUNK_SIZE + 3, seed=9)
        ref = blobs.put(io.BytesIO(data), media_type="application/pdf", policy=ANY, at=T0)
        path = tmp_path / "office.db-blobs" / ref.sha256[:2] / ref.sha256[2:4] / ref.sha256
        assert path.read_bytes() == data
        blobs.reference(ref.sha256, "in-1")
        with store._read() as conn:
            rows = conn.execute(sa.text("SELECT hash, size, media_type FROM blobs")).all()
            owners = conn.execute(sa.text("SELECT hash, owner FROM blob_refs")).all()
            chunks = conn.execute(sa.text("SELECT count(*) FROM blob_chunks")).scalar_one()
        assert [tuple(r) for r in rows] == [(ref.sha256, len(data), "application/pdf")]
        assert [tuple(o) for o in owners] == [(ref.sha256, "in-1")]
        assert chunks == 0
        path.unlink()  # lost from the disk: found, and restored by a put of the content
        assert not blobs.verify(ref.sha256)
        blobs.put(io.BytesIO(data), media_type="application/pdf", policy=ANY, at=T0)
        assert blobs.verify(ref.sha256)
    finally:
        store.close()


def test_postgres_keeps_content_in_the_database(tmp_path: Path) -> None:
    """Every process of a PostgreSQL office reads the same content: it is in the tables."""
    url = url_for("postgres", tmp_path)
    first, second = SqlStore(url), SqlStore(url)
    try:
        data = content(2 * CHUNK_SIZE + 1, seed=10)
        ref = first.blobs.put(io.BytesIO(data), media_type="application/pdf", policy=ANY, at=T0)
        assert isinstance(second.blobs, DatabaseBlobs)
        assert b"".join(second.blobs.chunks(ref.sha256)) == data
        with second._read() as conn:
            storage = conn.execute(
                sa.text(
                    "SELECT attstorage FROM pg_attribute WHERE attrelid = 'blob_chunks'::regclass"
                    " AND attname = 'data'"
                )
            ).scalar_one()
        assert storage == "e"  # out of line, not compressed again
    finally:
        first.close()
        second.close()


# ------------------------------------------------------------------ several processes

WORKERS = 3
SHARED_SIZE = 3 * CHUNK_SIZE + 17


def _put_in_a_process(url: str, worker: int, start: Any) -> tuple[str, str]:
    store = SqlStore(url)
    try:
        shared = content(SHARED_SIZE, seed=42)
        own = content(CHUNK_SIZE // 2, seed=1000 + worker)
        start.wait()
        a = store.blobs.put(io.BytesIO(shared), media_type="application/pdf", policy=ANY, at=T0)
        store.blobs.reference(a.sha256, f"in-{worker}")
        b = store.blobs.put(io.BytesIO(own), media_type="application/pdf", policy=ANY, at=T0)
        return a.sha256, b.sha256
    finally:
        store.close()


def _collect(target: Any, args: tuple[Any, ...], results: Any) -> None:
    try:
        results.put(target(*args))
    except BaseException as e:  # noqa: BLE001 -- reported to the parent
        results.put(e)


@pytest.mark.slow  # spawns processes
@pytest.mark.parametrize("kind", ["sqlite", "postgres"])
def test_processes_putting_the_same_content_store_it_once(kind: str, tmp_path: Path) -> None:
    url = url_for(kind, tmp_path)
    SqlStore(url).close()  # the schema, made once
    ctx = mp.get_context("spawn")
    start = ctx.Barrier(WORKERS, timeout=120)
    results = ctx.Queue()
    processes = [
        ctx.Process(target=_collect, args=(_put_in_a_process, (url, n, start), results))
        for n in range(WORKERS)
    ]
    for p in processes:
        p.start()
    outcomes = [results.get(timeout=300) for _ in processes]
    for p in processes:
        p.join(timeout=60)
        assert p.exitcode == 0
    assert [o for o in outcomes if isinstance(o, BaseException)] == []
    shared = hashlib.sha256(content(SHARED_SIZE, seed=42)).hexdigest()
    assert {a for a, _ in outcomes} == {shared}
    store = SqlStore(url)
    try:
        blobs = store.blobs
        assert blobs.verify(shared)
        assert blobs.references(shared) == WORKERS
        assert leftovers(blobs) == []
        if isinstance(blobs, DirectoryBlobs):
            files = [p for p in blobs.root.rglob("*") if p.is_file()]
            assert len(files) == 1 + WORKERS
        else:
            with store._read() as conn:
                count = conn.execute(
                    sa.select(sa.func.count()).where(blob_chunks_table.c.hash == shared)
                ).scalar_one()
            assert count == 4
        for n in range(WORKERS):
            blobs.unreference(shared, f"in-{n}")
        assert blobs.collect(unreferenced_before=T0.replace(year=2030)) == 1 + WORKERS
        assert not blobs.exists(shared)
    finally:
        store.close()


@pytest.mark.parametrize("kind", ["memory", "sqlite", "postgres"])
def test_an_office_keeps_its_content_in_its_stores_blob_store(kind: str, tmp_path: Path) -> None:
    """``Office.blobs`` is the store's: what one office process puts, the store holds."""
    from secretarial import Office  # noqa: PLC0415
    from secretarial.engine import BlobPolicy  # noqa: PLC0415

    url = url_for(kind, tmp_path)
    office = Office.in_memory() if url == "memory://" else Office.open(url)
    with office:
        ref = office.blobs.put(
            [b"\xe6\xad\xa3\xe6\x96\x87", b" text"],
            media_type="text/plain",
            policy=BlobPolicy(),
            at=office.now(),
        )
        assert office.blobs is office.store.blobs
        assert b"".join(office.store.blobs.chunks(ref.sha256)) == "正文 text".encode()
        assert office.blobs.verify(ref.sha256)
