"""The engine: the ports a store implements and the one path every change takes.

Load, authorize, complete defaults, allocate numbers, fire, veto, save, after commit.
"""

from ._blobs import (
    BlobPolicy,
    BlobRef,
    BlobStore,
)
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
    OutboxLease,
    Store,
    UnitOfWork,
)
from ._relay import (
    Backoff,
    CallbackSink,
    Outbox,
    Relay,
    RelayReport,
    Sink,
    SinkReport,
    Subscription,
)

__all__ = [
    "ARCHIVAL_SERIES",
    "Backoff",
    "BlobPolicy",
    "BlobRef",
    "BlobStore",
    "CallbackSink",
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
    "Outbox",
    "OutboxLease",
    "Relay",
    "RelayReport",
    "Sink",
    "SinkReport",
    "Store",
    "Subscription",
    "UnitOfWork",
    "fire_trigger",
    "run_change",
    "run_idempotent",
    "with_allocation",
]
