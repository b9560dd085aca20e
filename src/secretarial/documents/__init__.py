"""Official documents (公文).

Incoming circulation (收文), outgoing drafting and dispatch (发文), their registers
and bulk import.
"""

from ._area import (
    INCOMING_AREA,
    OUTGOING_AREA,
)
from ._bulk import (
    ImportReport,
    LineError,
    gc_paused,
    import_incoming,
)
from ._desk import (
    DocumentsDesk,
)
from ._enums import (
    Channel,
    DocumentKind,
    HandlingType,
    IncomingState,
    OutgoingState,
    RevocationKind,
)
from ._model import (
    CopyApproval,
    CopyNumber,
    CopyRecord,
    DispatchRecord,
    Document,
    Holding,
    IncomingDocument,
    Instruction,
    OutgoingDocument,
    Proposal,
    Reading,
    Revocation,
    Signature,
    compilation_classification,
    default_original,
    format_date_of_issue,
)
from ._registers import (
    INCOMING_COLUMNS,
    OUTGOING_COLUMNS,
    incoming_register,
    outgoing_register,
)
from ._tables import (
    INCOMING_TABLE,
    OUTGOING_TABLE,
    open_countersigning,
)

__all__ = [
    "INCOMING_AREA",
    "INCOMING_COLUMNS",
    "INCOMING_TABLE",
    "OUTGOING_AREA",
    "OUTGOING_COLUMNS",
    "OUTGOING_TABLE",
    "Channel",
    "CopyApproval",
    "CopyNumber",
    "CopyRecord",
    "DispatchRecord",
    "Document",
    "DocumentKind",
    "DocumentsDesk",
    "HandlingType",
    "Holding",
    "ImportReport",
    "IncomingDocument",
    "IncomingState",
    "Instruction",
    "LineError",
    "OutgoingDocument",
    "OutgoingState",
    "Proposal",
    "Reading",
    "Revocation",
    "RevocationKind",
    "Signature",
    "compilation_classification",
    "default_original",
    "format_date_of_issue",
    "gc_paused",
    "import_incoming",
    "incoming_register",
    "open_countersigning",
    "outgoing_register",
]
