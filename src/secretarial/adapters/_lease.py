"""Leases on the outbox's partitions for stores without a lock server (memory, SQLite).

Within a process, one lock per (office, partition) shared by every lease on that office.
Across processes (a SQLite file), a POSIX record lock on one byte per partition of a
lock file beside the database: the system drops it when the holding process ends, so a
relay killed with SIGKILL holds nothing. Record locks belong to the process, not the
thread, which is why the in-process locks come first.
"""

from __future__ import annotations

import os
import threading
import zlib
from collections.abc import Sequence
from typing import Final

try:
    import fcntl
except ImportError:  # pragma: no cover - not a POSIX system: in-process leases only
    fcntl = None  # type: ignore[assignment]

__all__ = ["LocalLease"]

_guard: Final = threading.Lock()
_held: dict[tuple[str, str, int], threading.Lock] = {}
_files: dict[str, list[int]] = {}
"""Each lock file's one descriptor in this process and how many leases use it: closing
any descriptor of a file drops every record lock the process holds on it, so leases
share one and the last to close closes it."""


def _forget_after_fork() -> None:
    # A child holds none of its parent's record locks, nor its leases.
    _held.clear()
    _files.clear()


os.register_at_fork(after_in_child=_forget_after_fork)


def _partition_lock(office: str, sink: str, partition: int) -> threading.Lock:
    with _guard:
        lock = _held.get((office, sink, partition))
        if lock is None:
            lock = _held[(office, sink, partition)] = threading.Lock()
        return lock


_SINK_SLOTS: Final = 4096
"""A sink's partitions are bytes ``16 * slot`` to ``16 * slot + 15`` of the lock file, its
slot the CRC-32 of its name modulo this: two sinks that share a slot only wait for each
other, which is safe."""


def _byte(sink: str, partition: int) -> int:
    return (zlib.crc32(sink.encode("utf-8", "surrogatepass")) % _SINK_SLOTS) * 16 + partition


class LocalLease:
    """A lease on partitions of one office's outbox, per sink (see ``OutboxLease``).

    Args:
        office: What names the office in this process (the database path; an id for an
            in-memory store).
        lock_file: The file whose bytes are locked across processes; None for a store
            no other process can open.
    """

    def __init__(self, office: str, lock_file: str | None) -> None:
        self._office = office
        self._held: set[tuple[str, int]] = set()
        self._fd: int | None = None
        self._file = lock_file
        if lock_file is not None and fcntl is not None:
            with _guard:
                shared = _files.get(lock_file)
                if shared is None:
                    shared = _files[lock_file] = [
                        os.open(lock_file, os.O_RDWR | os.O_CREAT, 0o644),
                        0,
                    ]
                shared[1] += 1
                self._fd = shared[0]

    def take(self, sink: str, partitions: Sequence[int]) -> list[int]:
        """Take the sink's partitions no other lease holds, without waiting."""
        taken: list[int] = []
        for partition in partitions:
            if (sink, partition) in self._held:
                taken.append(partition)
                continue
            lock = _partition_lock(self._office, sink, partition)
            if not lock.acquire(blocking=False):
                continue
            if not self._lock_byte(_byte(sink, partition)):
                lock.release()
                continue
            self._held.add((sink, partition))
            taken.append(partition)
        return taken

    def _lock_byte(self, offset: int) -> bool:
        if self._fd is None:
            return True
        try:
            fcntl.lockf(self._fd, fcntl.LOCK_EX | fcntl.LOCK_NB, 1, offset, os.SEEK_SET)
        except OSError:
            return False
        return True

    def release(self, sink: str, partitions: Sequence[int]) -> None:
        """Give the sink's partitions back."""
        for partition in partitions:
            if (sink, partition) not in self._held:
                continue
            self._held.discard((sink, partition))
            if self._fd is not None:
                fcntl.lockf(self._fd, fcntl.LOCK_UN, 1, _byte(sink, partition), os.SEEK_SET)
            _partition_lock(self._office, sink, partition).release()

    def close(self) -> None:
        """Give back everything held and close the lock file."""
        for sink, partition in sorted(self._held):
            self.release(sink, [partition])
        if self._fd is not None and self._file is not None:
            with _guard:
                shared = _files.get(self._file)
                if shared is not None and shared[0] == self._fd:
                    shared[1] -= 1
                    if shared[1] == 0:
                        del _files[self._file]
                        os.close(self._fd)
            self._fd = None
