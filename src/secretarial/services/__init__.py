"""Use cases and the ports they need: creating entities, firing triggers, numbering, registers."""

from secretarial.domain import Query

from ._commands import create_entity, fire_trigger, with_allocation
from ._numbering import DefaultNumbering, NumberingPolicy
from ._ports import Clock, IdFactory, Store, UnitOfWork
from ._registers import (
    Register,
    RegisterColumn,
    incoming_register,
    outgoing_register,
    supervision_ledger,
)
from ._sweep import SYSTEM_ACTOR, SkippedReminder, SweepReport, sweep_reminders

__all__ = [
    "SYSTEM_ACTOR",
    "Clock",
    "DefaultNumbering",
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
    "fire_trigger",
    "incoming_register",
    "outgoing_register",
    "supervision_ledger",
    "sweep_reminders",
    "with_allocation",
]
