"""Use cases and the ports they need: creating entities, firing triggers, numbering."""

from secretarial.domain import Query

from ._commands import create_entity, fire_trigger, with_allocation
from ._numbering import DefaultNumbering, NumberingPolicy
from ._ports import Clock, IdFactory, Store, UnitOfWork

__all__ = [
    "Clock",
    "DefaultNumbering",
    "IdFactory",
    "NumberingPolicy",
    "Query",
    "Store",
    "UnitOfWork",
    "create_entity",
    "fire_trigger",
    "with_allocation",
]
