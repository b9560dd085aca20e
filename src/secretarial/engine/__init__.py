"""The engine: the ports a store implements and the one path every change takes.

Load, authorize, complete defaults, allocate numbers, fire, veto, save, after commit.
"""

from ._fire import (
    HookedStore,
    create_entity,
    fire_trigger,
    with_allocation,
)
from ._numbering import (
    ARCHIVAL_SERIES,
    DefaultNumbering,
    NumberingPolicy,
)
from ._ports import (
    Clock,
    IdFactory,
    Store,
    UnitOfWork,
)

__all__ = [
    "ARCHIVAL_SERIES",
    "Clock",
    "DefaultNumbering",
    "HookedStore",
    "IdFactory",
    "NumberingPolicy",
    "Store",
    "UnitOfWork",
    "create_entity",
    "fire_trigger",
    "with_allocation",
]
