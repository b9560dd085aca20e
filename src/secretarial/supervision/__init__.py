"""Supervision (督查督办).

Items, their deadlines, progress reports, extensions and the ledger.
"""

from ._area import (
    SUPERVISION_AREA,
)
from ._deadlines import (
    ComputedDeadline,
    DeadlinePolicy,
    DeadlineRule,
    DeadlineUnit,
    ItemUrgency,
    ProvisionalMark,
    SourceDeadlines,
    add_months,
    computed_fields,
    describe_deadline,
    resolve_deadline,
)
from ._desk import (
    SupervisionDesk,
)
from ._enums import (
    ReportCycle,
    SupervisionSource,
    SupervisionState,
)
from ._ledger import (
    LEDGER_COLUMNS,
    supervision_ledger,
)
from ._model import (
    ExtensionRequest,
    ProgressReport,
    SupervisionItem,
)
from ._table import (
    SUPERVISION_TABLE,
    default_deadline,
    default_deadline_of,
)

__all__ = [
    "LEDGER_COLUMNS",
    "SUPERVISION_AREA",
    "SUPERVISION_TABLE",
    "ComputedDeadline",
    "DeadlinePolicy",
    "DeadlineRule",
    "DeadlineUnit",
    "ExtensionRequest",
    "ItemUrgency",
    "ProgressReport",
    "ProvisionalMark",
    "ReportCycle",
    "SourceDeadlines",
    "SupervisionDesk",
    "SupervisionItem",
    "SupervisionSource",
    "SupervisionState",
    "add_months",
    "computed_fields",
    "default_deadline",
    "default_deadline_of",
    "describe_deadline",
    "resolve_deadline",
    "supervision_ledger",
]
