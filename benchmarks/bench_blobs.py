"""A 200 MB attachment through the blob store, streaming: memory held and speed.

For each store (a SQLite office's blob directory, and PostgreSQL's ``blob_chunks`` when a
server answers), in a fresh process of its own:

1. the same bytes (1 MiB blocks, generated, never whole in memory) hashed and written to
   a file in the same directory and flushed to disk, read back and hashed: the raw
   baselines (the best of two runs; the disk's flushes vary from run to run); for
   PostgreSQL also raw psycopg inserting the same chunks as ``bytea`` rows in one
   transaction and selecting them back one by one;
2. ``blobs.put`` of the bytes and ``blobs.chunks`` read back, hashed, timed (the best of
   two runs, like the baselines, the content collected between them), with the
   peak resident memory of the process (Linux: ``VmHWM`` reset through
   ``/proc/self/clear_refs``, else ``ru_maxrss``) above what it held before;
3. the content collected and put and read again under ``tracemalloc``, for the peak of
   Python allocations.

Each growth must stay under 50 MB (the store holds a chunk at a time, not the file). The
PostgreSQL server's own memory is not the client's and is not measured.

Run ``python benchmarks/bench_blobs.py`` (about a minute on two cores), ``--quick``
for 20 MB, ``--no-postgres`` to skip PostgreSQL. PostgreSQL is used when
``SECRETARIAL_BENCH_POSTGRES_URL`` is set or the default
``postgresql://postgres@127.0.0.1:5432/test`` answers; the benchmark works in its own
schema (``secretarial_bench_blobs``), created empty and dropped afterwards. The exit
status is 1 if a growth reaches 50 MB.
"""

from __future__ import annotations

import argparse
import functools
import hashlib
import multiprocessing as mp
import os
import random
import resource
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Self
from urllib.parse import quote

from secretarial.engine import BlobPolicy
from secretarial.engine._blobs import CHUNK_SIZE

MB = 1_000_000
LIMIT_MB = 50.0
PG_URL_VARIABLE = "SECRETARIAL_BENCH_POSTGRES_URL"
PG_DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/test"
PG_SCHEMA = "secretarial_bench_blobs"
AT = datetime(2025, 9, 26, 1, tzinfo=UTC)
POLICY = BlobPolicy(max_size=1 << 31, media_types=("application/pdf",))
_BLOCKS = 16
ROUNDS = 2
"""Each timing is the best of this many runs (the first write of a file or table is slower)."""


@functools.cache
def pool() -> tuple[bytes, ...]:
    """A few distinct random blocks of 1 MiB, made once, before anything is measured."""
    return tuple(random.Random(n).randbytes(CHUNK_SIZE) for n in range(_BLOCKS))


def blocks(size: int) -> Iterator[bytes]:
    """``size`` bytes of content in 1 MiB pieces, cycling through :func:`pool`."""
    sent = 0
    n = 0
    made = pool()
    while sent < size:
        piece = made[n % _BLOCKS]
        if len(piece) > size - sent:
            piece = piece[: size - sent]
        sent += len(piece)
        n += 1
        yield piece


# ------------------------------------------------------------------------------ memory


def rss_kib(field: str) -> int | None:
    """A field of /proc/self/status in KiB (VmRSS, VmHWM), or None off Linux."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith(f"{field}:"):
                return int(line.split()[1])
    except OSError:
        return None
    return None


class PeakRss:
    """The peak resident memory above the current, over a ``with`` block (MB)."""

    def __enter__(self) -> Self:
        self.before = rss_kib("VmRSS")
        self.resettable = False
        try:
            Path("/proc/self/clear_refs").write_text("5")  # resets VmHWM to VmRSS
            self.resettable = True
        except OSError:
            self.before_max = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        return self

    def __exit__(self, *exc: object) -> None:
        if self.resettable and self.before is not None:
            peak = rss_kib("VmHWM") or 0
            self.growth = (peak - self.before) * 1024 / MB
        else:
            after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
            self.growth = (after - self.before_max) * 1024 / MB
        self.how = "VmHWM" if self.resettable else "ru_maxrss"


# ------------------------------------------------------------------------------ one store


@dataclass
class Figures:
    """What one store measured: rates in MB/s, memory growths in MB."""

    store: str
    size: int
    raw_write: float
    raw_read: float
    hash_only: float
    put: float
    read: float
    verify: float
    rss_put: float
    rss_read: float
    py_put: float
    py_read: float
    rss_how: str
    raw_db_write: float | None = None
    raw_db_read: float | None = None


def _rate(size: int, seconds: float) -> float:
    return size / MB / seconds


def _timed(body: Any) -> float:
    start = time.perf_counter()
    body()
    return time.perf_counter() - start


def raw_file(folder: Path, size: int) -> tuple[float, float, float, str]:
    """Write the bytes to a file hashing them, flushed; read them back hashing; hash alone."""
    path = folder / "raw.bin"

    def write() -> None:  # hashing as it writes, as a put does
        h = hashlib.sha256()
        with path.open("wb") as out:
            for piece in blocks(size):
                h.update(piece)
                out.write(piece)
            out.flush()
            os.fsync(out.fileno())

    digest = hashlib.sha256()

    def read() -> None:
        with path.open("rb") as file:
            while piece := file.read(CHUNK_SIZE):
                digest.update(piece)

    def hash_only() -> None:
        h = hashlib.sha256()
        for piece in blocks(size):
            h.update(piece)

    w, r, h = _timed(write), _timed(read), _timed(hash_only)
    path.unlink()
    return _rate(size, w), _rate(size, r), _rate(size, h), digest.hexdigest()


def raw_postgres(url: str, size: int) -> tuple[float, float]:
    """Raw psycopg: hash and insert the chunks as bytea rows in one transaction; read back."""
    import psycopg  # noqa: PLC0415 -- optional

    with psycopg.connect(url) as conn:
        conn.execute("CREATE TABLE raw_chunks (n integer PRIMARY KEY, data bytea NOT NULL)")
        conn.execute("ALTER TABLE raw_chunks ALTER COLUMN data SET STORAGE EXTERNAL")
        conn.commit()

        def write() -> None:  # hashing as it writes, as a put does
            h = hashlib.sha256()
            with conn.cursor() as cur:
                for n, piece in enumerate(blocks(size)):
                    h.update(piece)
                    cur.execute("INSERT INTO raw_chunks VALUES (%s, %s)", (n, piece))
            conn.commit()

        count = -(-size // CHUNK_SIZE)

        def read() -> None:
            digest = hashlib.sha256()
            for n in range(count):
                row = conn.execute("SELECT data FROM raw_chunks WHERE n = %s", (n,)).fetchone()
                if row is None:
                    raise RuntimeError(f"raw chunk {n} is missing")
                digest.update(row[0])
            conn.commit()

        w, r = _timed(write), _timed(read)
        conn.execute("DROP TABLE raw_chunks")
        conn.commit()
    return _rate(size, w), _rate(size, r)


def run_store(kind: str, url: str, folder: str, size: int, results: Any) -> None:
    """Measure one store in this (fresh) process; put the figures on ``results``."""
    from secretarial.adapters._sql import SqlStore  # noqa: PLC0415

    pool()
    rounds = [raw_file(Path(folder), size) for _ in range(ROUNDS)]
    raw_write, raw_read, hash_only = (max(r[i] for r in rounds) for i in range(3))
    expected = rounds[0][3]
    raw_db = None
    if kind == "PostgreSQL":
        raw_url = url.replace("postgresql+psycopg", "postgresql")
        db_rounds = [raw_postgres(raw_url, size) for _ in range(ROUNDS)]
        raw_db = (max(r[0] for r in db_rounds), max(r[1] for r in db_rounds))
    store = SqlStore(url)
    blobs = store.blobs
    try:
        put_s = read_s = float("inf")
        rss_puts: list[PeakRss] = []
        rss_reads: list[PeakRss] = []
        for _ in range(ROUNDS):
            digest = hashlib.sha256()

            def read_back(into: Any = digest) -> None:
                for piece in blobs.chunks(expected):
                    into.update(piece)

            with PeakRss() as rss_put:
                put_s = min(
                    put_s,
                    _timed(
                        lambda: blobs.put(
                            blocks(size), media_type="application/pdf", policy=POLICY, at=AT
                        )
                    ),
                )
            with PeakRss() as rss_read:
                read_s = min(read_s, _timed(read_back))
            rss_puts.append(rss_put)
            rss_reads.append(rss_read)
            if digest.hexdigest() != expected:
                raise RuntimeError("the content read back is not the content put")
            if blobs.collect(unreferenced_before=AT + timedelta(seconds=1)) != 1:
                raise RuntimeError("the blob was not collected")
        blobs.put(blocks(size), media_type="application/pdf", policy=POLICY, at=AT)
        verify_s = _timed(lambda: blobs.verify(expected))
        if blobs.collect(unreferenced_before=AT + timedelta(seconds=1)) != 1:
            raise RuntimeError("the blob was not collected")
        tracemalloc.start()
        blobs.put(blocks(size), media_type="application/pdf", policy=POLICY, at=AT)
        py_put = tracemalloc.get_traced_memory()[1] / MB
        tracemalloc.reset_peak()
        for _ in blobs.chunks(expected):
            pass
        py_read = tracemalloc.get_traced_memory()[1] / MB
        tracemalloc.stop()
        blobs.collect(unreferenced_before=AT + timedelta(seconds=1))
    finally:
        store.close()
    results.put(
        Figures(
            store=kind,
            size=size,
            raw_write=raw_write,
            raw_read=raw_read,
            hash_only=hash_only,
            put=_rate(size, put_s),
            read=_rate(size, read_s),
            verify=_rate(size, verify_s),
            rss_put=max(r.growth for r in rss_puts),
            rss_read=max(r.growth for r in rss_reads),
            py_put=py_put,
            py_read=py_read,
            rss_how=rss_puts[0].how,
            raw_db_write=None if raw_db is None else raw_db[0],
            raw_db_read=None if raw_db is None else raw_db[1],
        )
    )


def in_fresh_process(kind: str, url: str, folder: str, size: int) -> Figures:
    ctx = mp.get_context("spawn")
    results = ctx.Queue()
    process = ctx.Process(target=run_store, args=(kind, url, folder, size, results))
    process.start()
    try:
        figures: Figures = results.get(timeout=1800)
    finally:
        process.join(timeout=60)
    if process.exitcode != 0:
        raise RuntimeError(f"the {kind} run failed (exit {process.exitcode})")
    return figures


# ------------------------------------------------------------------------------ postgres


def postgres_base_url(*, enabled: bool) -> tuple[str | None, str]:
    """The PostgreSQL URL to use, or None and why not."""
    if not enabled:
        return None, "skipped (--no-postgres)"
    url = os.environ.get(PG_URL_VARIABLE) or PG_DEFAULT_URL
    try:
        import psycopg  # noqa: PLC0415 -- optional
    except ImportError:
        return None, "psycopg is not installed"
    try:
        with psycopg.connect(url, connect_timeout=3) as conn:
            version = conn.execute("SHOW server_version").fetchone()
    except psycopg.Error as e:
        if os.environ.get(PG_URL_VARIABLE):
            raise  # asked for explicitly: fail loudly
        return None, f"no server at {url} ({str(e).strip().splitlines()[0]})"
    return url, f"PostgreSQL {version[0] if version else '?'} at {url}"


def reset_schema(base_url: str, *, drop_only: bool = False) -> None:
    import psycopg  # noqa: PLC0415

    with psycopg.connect(base_url, autocommit=True) as conn:
        conn.execute(f"DROP SCHEMA IF EXISTS {PG_SCHEMA} CASCADE")
        if not drop_only:
            conn.execute(f"CREATE SCHEMA {PG_SCHEMA}")


def with_search_path(url: str, schema: str) -> str:
    option = quote(f"-csearch_path={schema}", safe="")
    return f"{url}{'&' if '?' in url else '?'}options={option}"


# ------------------------------------------------------------------------------ report


def report(f: Figures) -> bool:
    """Print one store's figures; whether its memory stayed under the limit."""
    print(f"\n{f.store}: {f.size / MB:.0f} MB")
    write_base = f.raw_db_write if f.raw_db_write is not None else f.raw_write
    read_base = f.raw_db_read if f.raw_db_read is not None else f.raw_read
    base = "raw psycopg" if f.raw_db_write is not None else "raw file"
    rows: list[tuple[str, float, float | None]] = [
        ("raw file sha256 + write + fsync", f.raw_write, None),
        ("raw file read + sha256", f.raw_read, None),
        ("sha256 alone", f.hash_only, None),
    ]
    if f.raw_db_write is not None and f.raw_db_read is not None:
        rows += [
            ("raw psycopg sha256 + bytea insert", f.raw_db_write, None),
            ("raw psycopg bytea select + sha256", f.raw_db_read, None),
        ]
    rows += [
        ("blobs.put", f.put, write_base),
        ("blobs.chunks + sha256", f.read, read_base),
        ("blobs.verify", f.verify, read_base),
    ]
    for label, rate, against in rows:
        ratio = "" if against is None else f"  x{rate / against:.2f} of {base}"
        print(f"  {label:<34} {rate:8.1f} MB/s{ratio}")
    worst = max(f.rss_put, f.rss_read, f.py_put, f.py_read)
    print(f"  peak RSS growth ({f.rss_how}) put {f.rss_put:5.1f} MB, read {f.rss_read:5.1f} MB")
    print(f"  tracemalloc peak          put {f.py_put:5.1f} MB, read {f.py_read:5.1f} MB")
    ok = worst < LIMIT_MB
    print(f"  memory growth < {LIMIT_MB:.0f} MB: {'yes' if ok else 'NO'} (worst {worst:.1f} MB)")
    return ok


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="20 MB instead of 200 MB")
    parser.add_argument("--no-postgres", action="store_true", help="skip PostgreSQL")
    args = parser.parse_args(argv)
    size = (20 if args.quick else 200) * MB
    pg_url, pg_note = postgres_base_url(enabled=not args.no_postgres)
    print(f"Python {sys.version.split()[0]}; {os.cpu_count()} cores; chunks of {CHUNK_SIZE} bytes")
    print(f"PostgreSQL: {pg_note}")
    ok = True
    with tempfile.TemporaryDirectory(prefix="bench-blobs-") as folder:
        url = f"sqlite:///{Path(folder) / 'office.db'}"
        ok &= report(in_fresh_process("SQLite (directory beside the file)", url, folder, size))
        if pg_url is not None:
            reset_schema(pg_url)
            try:
                pg = with_search_path(pg_url, PG_SCHEMA)
                ok &= report(in_fresh_process("PostgreSQL", pg, folder, size))
            finally:
                reset_schema(pg_url, drop_only=True)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
