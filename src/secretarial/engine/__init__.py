"""The engine: the ports a store implements and the one path every change takes.

Load, authorize, complete defaults, allocate numbers, fire, veto, save, after commit.
"""

from ._desk import (
    Desk,
    OfficePort,
)
from ._directory import (
    Directory,
    DirectoryDelegation,
    DirectoryPerson,
)
from ._fire import (
    Change,
    FireContext,
    HookedStore,
    fire_trigger,
    run_change,
    run_idempotent,
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
    "Change",
    "Clock",
    "DefaultNumbering",
    "Desk",
    "Directory",
    "DirectoryDelegation",
    "DirectoryPerson",
    "FireContext",
    "HookedStore",
    "IdFactory",
    "NumberingPolicy",
    "OfficePort",
    "Store",
    "UnitOfWork",
    "fire_trigger",
    "run_change",
    "run_idempotent",
    "with_allocation",
]
