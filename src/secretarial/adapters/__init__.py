"""Adapters at the edge: stores, the system clock, id factories."""

from ._memory import MemoryStore
from ._system import SystemClock, Uuid7Ids

__all__ = ["MemoryStore", "SystemClock", "Uuid7Ids"]
