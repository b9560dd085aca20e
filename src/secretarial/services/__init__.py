"""Use cases and the ports they need: creating entities, firing triggers, numbering, registers."""

from secretarial.domain import Query

from ._commands import create_entity, fire_trigger, with_allocation
from ._information import BULLETIN_SERIES, find_bulletin, information_scores, issue_bulletin
from ._numbering import ARCHIVAL_SERIES, DefaultNumbering, NumberingPolicy
from ._ports import Clock, IdFactory, Store, UnitOfWork
from ._records import (
    FiledItem,
    destroy_record,
    due_for_review,
    file_item,
    filing_catalogue,
)
from ._registers import (
    Register,
    RegisterColumn,
    incoming_register,
    outgoing_register,
    supervision_ledger,
)
from ._sweep import SYSTEM_ACTOR, SkippedReminder, SweepReport, sweep_reminders

__all__ = [
    "ARCHIVAL_SERIES",
    "BULLETIN_SERIES",
    "SYSTEM_ACTOR",
    "Clock",
    "DefaultNumbering",
    "FiledItem",
    "IdFactory",
    "NumberingPolicy",
    "Query",
    "Register",
    "RegisterColumn",
    "SkippedReminder",
    "Store",
    "SweepReport",
    "UnitOfWork",
    "create_entity",
    "destroy_record",
    "due_for_review",
    "file_item",
    "filing_catalogue",
    "find_bulletin",
    "fire_trigger",
    "incoming_register",
    "information_scores",
    "issue_bulletin",
    "outgoing_register",
    "supervision_ledger",
    "sweep_reminders",
    "with_allocation",
]
