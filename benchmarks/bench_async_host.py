"""Requests per second of a web host: the async office's routes against threaded sync routes.

The host is ``examples/fastapi_app`` under uvicorn, in a server process of its own; this
process is the load: 50 clients, each on its own keep-alive connection, each living one
incoming document's life after another, seven requests a life::

    POST /documents/incoming                    receive
    GET  /records/{id}                          read (the ETag)
    POST /records/{id}/register  If-Match       the registration number
    GET  /records/{id}/triggers                 what may I do now
    POST /records/{id}/screen    If-Match
    GET  /records?kind=incoming_document&state=registered&limit=20   the work queue
    GET  /records/{id}/audit

Three writes (one transaction each) and four reads. The listing is the clerks' queue of
registered documents waiting to be screened, a page and its total; it holds the
documents in flight (at most one per client), so it stays the same size however many
documents the run has made. (``Office.count(by=...)``, the total, reads and judges every
matching record: a listing of a state that only grows gets slower as the office does.)

The same server serves three hosts on one office, measured in turns within each round
(the order rotated round by round, so a store that grows or a busy moment hits them
alike):

- ``sync``: the ``/sync`` routes, plain ``def`` routes FastAPI runs in its thread pool
  (anyio's limiter: 40 threads) on the sync ``Office``;
- ``async``: the ``/async`` routes, ``async def`` on ``AsyncOffice`` with its default
  8 workers;
- ``async-40``: the same async routes on an ``AsyncOffice`` of 40 workers, as many
  threads as the sync host may use, to tell a limit of the pool's size from one of the
  design.

Each turn runs the clients for a warm-up and then counts the requests completed in the
measured window; the table gives the median over rounds, the range and the spread
((max - min) / median), the latency percentiles over all rounds, how busy the server
process and the whole machine were, and the ratio to ``sync`` per round.

The clients speak HTTP/1.1 over asyncio streams themselves (a few dozen lines below):
they share the machine with the server and the database, and a full HTTP client library
would take several times their processor time.

PostgreSQL: the URL in ``SECRETARIAL_BENCH_POSTGRES_URL``, or
``postgresql://postgres@127.0.0.1:5432/sec_bench``; the database is created if it is
missing, and the benchmark works in a schema of its own (``secretarial_bench_host``),
dropped and created empty before the run and dropped after it. SQLite: a file in a
temporary directory. Run ``python benchmarks/bench_async_host.py`` (about five minutes on
two cores), ``--quick`` for a smoke run, ``--no-postgres`` or ``--no-sqlite`` to leave a
store out. The exit status is 0 whatever the numbers are; a request that fails is
counted and shown, and an error in the measured code ends the run with a traceback.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import importlib.util
import os
import platform
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any
from urllib.parse import quote

import orjson

ROOT = Path(__file__).resolve().parent.parent
APP = ROOT / "examples" / "fastapi_app" / "app.py"
PG_DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/sec_bench"
PG_URL_VARIABLE = "SECRETARIAL_BENCH_POSTGRES_URL"
PG_SCHEMA = "secretarial_bench_host"
CLIENTS = 50
WIDE_WORKERS = 40
HOSTS = {"sync": "/sync", "async": "/async", f"async-{WIDE_WORKERS}": f"/async{WIDE_WORKERS}"}
NOTICE = orjson.dumps(
    {
        "kind": "notice",
        "title": "关于开展安全生产大检查的通知",
        "sender": {"code": "SZF", "name": "市政府办公室", "relation": "superior"},
        "channel": "electronic",
        "received_at": "2025-09-26T09:00:00+08:00",
    }
)


# ------------------------------------------------------------------------------ the server
def load_app_module() -> ModuleType:
    """examples/fastapi_app/app.py, imported as ``fastapi_app``."""
    spec = importlib.util.spec_from_file_location("fastapi_app", APP)
    if spec is None or spec.loader is None:
        raise RuntimeError(f"cannot import {APP}")
    module = importlib.util.module_from_spec(spec)
    sys.modules["fastapi_app"] = module
    spec.loader.exec_module(module)
    return module


def serve(url: str, port: int) -> None:
    """Serve the example app on ``url``'s office, plus the async routes on 40 workers."""
    import anyio.to_thread  # noqa: PLC0415 -- the server process only
    import uvicorn  # noqa: PLC0415

    from secretarial import Office  # noqa: PLC0415
    from secretarial.aio import AsyncOffice  # noqa: PLC0415

    example = load_app_module()
    office = Office.open(url)
    app = example.create_app(office)
    wide = AsyncOffice(office, workers=WIDE_WORKERS)
    example.mount(app, HOSTS[f"async-{WIDE_WORKERS}"], office, wide)

    closing = app.router.lifespan_context

    @contextlib.asynccontextmanager
    async def lifespan(served: Any) -> AsyncIterator[Any]:
        tokens = anyio.to_thread.current_default_thread_limiter().total_tokens
        print(f"  server: FastAPI runs def routes in up to {tokens:.0f} threads", flush=True)
        async with closing(served) as state:
            yield state
        await wide.aclose()

    app.router.lifespan_context = lifespan
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", access_log=False)


# ------------------------------------------------------------------------------ the clients
class Connection:
    """One keep-alive HTTP/1.1 connection, one request at a time."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader = reader
        self.writer = writer

    @classmethod
    async def open(cls, port: int) -> Connection:
        """A connection to the server on ``port``."""
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        return cls(reader, writer)

    async def request(
        self, method: str, path: str, headers: dict[str, str], body: bytes | None = None
    ) -> tuple[int, dict[str, str], bytes]:
        """Send a request; the status, the headers (lower-case names) and the body."""
        lines = [
            f"{method} {path} HTTP/1.1",
            "Host: bench",
            *(f"{k}: {v}" for k, v in headers.items()),
        ]
        if body is not None:
            lines += ["Content-Type: application/json", f"Content-Length: {len(body)}"]
        self.writer.write(("\r\n".join(lines) + "\r\n\r\n").encode() + (body or b""))
        head = (await self.reader.readuntil(b"\r\n\r\n")).decode("latin-1").split("\r\n")
        status = int(head[0].split(" ", 2)[1])
        received = {}
        for line in head[1:]:
            if line:
                name, _, value = line.partition(":")
                received[name.strip().lower()] = value.strip()
        data = await self.reader.readexactly(int(received.get("content-length", "0")))
        return status, received, data

    async def close(self) -> None:
        """Close the connection."""
        self.writer.close()
        with contextlib.suppress(ConnectionError):
            await self.writer.wait_closed()


@dataclass
class Turn:
    """What one host did in one round's measured window."""

    host: str
    seconds: float
    requests: int = 0
    failures: int = 0
    latencies: list[float] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    server: float = 0.0
    """Cores the server process kept busy in the window (the office runs in it)."""
    clients: float = 0.0
    rest: float = 0.0
    """Cores the rest of the machine kept busy: the database server's processes (none for
    SQLite, which runs in the server process) and, on a machine not quiet, others."""
    sessions: int | None = None
    """Connections PostgreSQL opened to the database in the window."""

    @property
    def rate(self) -> float:
        """Requests per second."""
        return self.requests / self.seconds


async def one_client(
    connection: Connection, prefix: str, n: int, window: tuple[float, float], turn: Turn
) -> None:
    """Live documents' lives on ``prefix`` until the window closes; count what is in it."""
    user = {"X-User": f"clerk-{n}", "X-Roles": "clerk"}
    begin, end = window

    async def call(method: str, path: str, body: bytes | None = None, **more: str) -> Any:
        started = time.perf_counter()
        status, headers, data = await connection.request(
            method, prefix + path, {**user, **more}, body
        )
        done = time.perf_counter()
        if begin <= started and done <= end:
            turn.requests += 1
            turn.latencies.append(done - started)
            if status >= 300:
                turn.failures += 1
        if status >= 300:
            if len(turn.failed) < 5:
                turn.failed.append(f"{method} {path}: {status} {data[:200]!r}")
            return None
        return headers, data

    while time.perf_counter() < end:
        answer = await call("POST", "/documents/incoming", NOTICE)
        if answer is None:
            continue
        record = f"/records/{orjson.loads(answer[1])['id']}"
        read = await call("GET", record)
        if read is None:
            continue
        registered = await call(
            "POST", f"{record}/register", b"{}", **{"If-Match": read[0]["etag"]}
        )
        if registered is None:
            continue
        await call("GET", f"{record}/triggers")
        await call("POST", f"{record}/screen", b"{}", **{"If-Match": registered[0]["etag"]})
        await call("GET", "/records?kind=incoming_document&state=registered&limit=20")
        await call("GET", f"{record}/audit")


def cpu_seconds(pid: int) -> float:
    """The processor time (user + system) process ``pid`` has used; 0 if it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def machine_busy_seconds() -> float:
    """The processor time the whole machine has been busy, all cores (from /proc/stat)."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    return (sum(values[:8]) - values[3] - values[4]) / os.sysconf("SC_CLK_TCK")


@dataclass(frozen=True)
class Usage:
    """Processor time used so far (the server, these clients, the machine); sessions opened."""

    server: float
    clients: float
    machine: float
    sessions: int | None

    @classmethod
    async def now(cls, server_pid: int, sessions: Callable[[], int] | None) -> Usage:
        """The processor time used until now, and PostgreSQL's sessions so far."""
        opened = None if sessions is None else await asyncio.to_thread(sessions)
        return cls(cpu_seconds(server_pid), time.process_time(), machine_busy_seconds(), opened)


async def measure(
    connections: list[Connection],
    host: str,
    window: tuple[float, float],
    pid: int,
    sessions: Callable[[], int] | None,
) -> Turn:
    """One turn: all clients on ``host`` for the warm-up and the measured window."""
    warmup, seconds = window
    turn = Turn(host, seconds)
    begin = time.perf_counter() + warmup
    clients = [
        asyncio.create_task(one_client(c, HOSTS[host], n, (begin, begin + seconds), turn))
        for n, c in enumerate(connections)
    ]
    await asyncio.sleep(warmup)
    before = await Usage.now(pid, sessions)
    await asyncio.sleep(begin + seconds - time.perf_counter())
    after = await Usage.now(pid, sessions)
    await asyncio.gather(*clients)
    turn.server = (after.server - before.server) / seconds
    turn.clients = (after.clients - before.clients) / seconds
    machine = (after.machine - before.machine) / seconds
    turn.rest = max(0.0, machine - turn.server - turn.clients)
    if after.sessions is not None and before.sessions is not None:
        turn.sessions = after.sessions - before.sessions
    return turn


async def rounds_on(
    port: int,
    pid: int,
    rounds: int,
    window: tuple[float, float],
    sessions: Callable[[], int] | None,
) -> list[Turn]:
    """``rounds`` rounds of a turn per host, the order rotated; each turn printed as it ends."""
    connections = [await Connection.open(port) for _ in range(CLIENTS)]
    turns: list[Turn] = []
    order = list(HOSTS)
    try:
        for n in range(rounds):
            shift = n % len(order)
            for host in order[shift:] + order[:shift]:
                turn = await measure(connections, host, window, pid, sessions)
                turns.append(turn)
                print(
                    f"  round {n + 1} {host:<9} {turn.rate:>7,.0f} req/s  "
                    f"cores: server {turn.server:.2f}, clients {turn.clients:.2f}, "
                    f"rest {turn.rest:.2f}"
                    + ("" if turn.sessions is None else f"; {turn.sessions} connections opened")
                    + (f", {turn.failures} failed" if turn.failures else ""),
                    flush=True,
                )
    finally:
        for connection in connections:
            await connection.close()
    return turns


# ------------------------------------------------------------------------------ the stores
def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextlib.contextmanager
def server(url: str) -> Iterator[tuple[int, int]]:
    """A server process on ``url``'s office: its port and process id."""
    port = free_port()
    process = subprocess.Popen(  # noqa: S603 -- this script, on our own interpreter
        [sys.executable, __file__, "--serve", url, "--port", str(port)]
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"the server exited with status {process.returncode}")
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)
        yield port, process.pid
    finally:
        process.terminate()
        process.wait(timeout=30)


def with_search_path(url: str, schema: str) -> str:
    option = quote(f"-csearch_path={schema}", safe="")
    return f"{url}{'&' if '?' in url else '?'}options={option}"


def postgres_url() -> tuple[str | None, str]:
    """The URL of an empty schema for the run, or None and why not."""
    import sqlalchemy as sa  # noqa: PLC0415 -- only when PostgreSQL is measured

    from secretarial.adapters._sql import normalise_url  # noqa: PLC0415

    given = os.environ.get(PG_URL_VARIABLE, PG_DEFAULT_URL)
    url = sa.engine.make_url(normalise_url(given))
    try:
        server_engine = sa.create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
        with server_engine.connect() as conn:
            found = conn.execute(
                sa.text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": url.database}
            ).first()
            if found is None:
                conn.execute(sa.text(f'CREATE DATABASE "{url.database}"'))
        server_engine.dispose()
    except sa.exc.OperationalError as error:
        return None, f"skipped: no server at {given} ({str(error).splitlines()[0]})"
    reset_schema(given)
    return with_search_path(given, PG_SCHEMA), given


def reset_schema(url: str, *, drop_only: bool = False) -> None:
    import sqlalchemy as sa  # noqa: PLC0415

    from secretarial.adapters._sql import normalise_url  # noqa: PLC0415

    engine = sa.create_engine(normalise_url(url), isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(sa.text(f"DROP SCHEMA IF EXISTS {PG_SCHEMA} CASCADE"))
        if not drop_only:
            conn.execute(sa.text(f"CREATE SCHEMA {PG_SCHEMA}"))
    engine.dispose()


# ------------------------------------------------------------------------------ the report
def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))] if ordered else 0.0


def report(store: str, turns: list[Turn]) -> None:
    """The table of one store: rates, latencies, processor use, and the ratios to sync."""
    by_host = {host: [t for t in turns if t.host == host] for host in HOSTS}
    print(
        f"\n{store}: {CLIENTS} clients, {len(by_host['sync'])} rounds; cores busy, medians\n"
        f"{'host':<10} {'median/s':>9} {'min-max':>11} {'spread':>7} {'p50 ms':>7} "
        f"{'p95 ms':>7} {'server':>7} {'ms/req':>7} {'rest':>5} {'opened':>7} {'failed':>7}"
    )
    for host, mine in by_host.items():
        rates = [t.rate for t in mine]
        median = statistics.median(rates)
        latencies = [x for t in mine for x in t.latencies]
        print(
            f"{host:<10} {median:>9,.0f} {f'{min(rates):,.0f}-{max(rates):,.0f}':>11} "
            f"{(max(rates) - min(rates)) / median:>7.1%} "
            f"{percentile(latencies, 0.5) * 1000:>7.1f} {percentile(latencies, 0.95) * 1000:>7.1f} "
            f"{statistics.median(t.server for t in mine):>7.2f} "
            f"{statistics.median(t.server / t.rate * 1000 for t in mine):>7.2f} "
            f"{statistics.median(t.rest for t in mine):>5.2f} "
            f"{opened(mine):>7} "
            f"{sum(t.failures for t in mine):>7}"
        )
        for line in [f for t in mine for f in t.failed][:3]:
            print(f"    failed: {line}")
    sync_rates = [t.rate for t in by_host["sync"]]
    for host in list(HOSTS)[1:]:
        ratios = [t.rate / s for t, s in zip(by_host[host], sync_rates, strict=True)]
        of_medians = statistics.median(t.rate for t in by_host[host]) / statistics.median(
            sync_rates
        )
        print(
            f"ratio {host}/sync: {of_medians:.2f} (medians); per round median "
            f"{statistics.median(ratios):.2f}, range {min(ratios):.2f}-{max(ratios):.2f}"
        )


def opened(turns: list[Turn]) -> str:
    """The median of the connections PostgreSQL opened per turn, or "-"."""
    counts = [t.sessions for t in turns if t.sessions is not None]
    return f"{statistics.median(counts):,.0f}" if counts else "-"


def run_store(
    store: str, url: str, rounds: int, window: tuple[float, float], sessions_of: str | None
) -> None:
    """Serve the office at ``url`` and measure the hosts; ``sessions_of`` a PostgreSQL URL."""
    print(f"\n== {store}", flush=True)
    with contextlib.ExitStack() as stack:
        sessions = None
        if sessions_of is not None:
            import psycopg  # noqa: PLC0415 -- only when PostgreSQL is measured

            conn = stack.enter_context(psycopg.connect(sessions_of, autocommit=True))
            query = "SELECT sessions FROM pg_stat_database WHERE datname = current_database()"

            def sessions() -> int:
                row = conn.execute(query).fetchone()
                return 0 if row is None else int(row[0])

        port, pid = stack.enter_context(server(url))
        turns = asyncio.run(rounds_on(port, pid, rounds, window, sessions))
    report(store, turns)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="one short round per store")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--seconds", type=float, default=8.0, help="measured window per turn")
    parser.add_argument("--no-postgres", action="store_true")
    parser.add_argument("--no-sqlite", action="store_true")
    parser.add_argument("--serve", metavar="URL", help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.serve:
        serve(args.serve, args.port)
        return 0
    rounds, window = (1, (1.0, 2.0)) if args.quick else (args.rounds, (2.0, args.seconds))
    import fastapi  # noqa: PLC0415
    import uvicorn  # noqa: PLC0415

    print(
        f"{platform.machine()}, {os.cpu_count()} cores, {platform.system()}, "
        f"CPython {platform.python_version()}, FastAPI {fastapi.__version__}, "
        f"uvicorn {uvicorn.__version__}; {rounds} rounds of {window[0]:.0f} s warm-up + "
        f"{window[1]:.0f} s measured per host.\n"
        f"Load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}.",
        flush=True,
    )
    if not args.no_postgres:
        url, note = postgres_url()
        if url is None:
            print(f"\n== PostgreSQL {note}")
        else:
            try:
                plain = note.replace("postgresql+psycopg://", "postgresql://")
                run_store(f"PostgreSQL ({note})", url, rounds, window, plain)
            finally:
                reset_schema(note, drop_only=True)
    if not args.no_sqlite:
        with tempfile.TemporaryDirectory() as directory:
            url = f"sqlite:///{Path(directory) / 'office.db'}"
            run_store("SQLite (a file, WAL)", url, rounds, window, None)
    print(f"\nLoad average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
