"""The duty area's kinds as the registry runs them: shifts, calls and receptions."""

from __future__ import annotations

from secretarial.kernel import Area, EntityKind

from ._model import (
    CALL_RECORD_TABLE,
    DUTY_SHIFT_TABLE,
    RECEPTION_TABLE,
    CallRecord,
    DutyShift,
    ReceptionPlan,
)

__all__ = ["CALL_RECORD_AREA", "DUTY_SHIFT_AREA", "RECEPTION_AREA"]

DUTY_SHIFT_AREA = Area(
    kind=EntityKind.DUTY_SHIFT,
    entity_type=DutyShift,
    table=DUTY_SHIFT_TABLE,
    id_prefix="duty",
    aliases=("shift",),
)
"""Duty shifts (值班)."""

CALL_RECORD_AREA = Area(
    kind=EntityKind.CALL_RECORD,
    entity_type=CallRecord,
    table=CALL_RECORD_TABLE,
    id_prefix="call",
    aliases=("call",),
)
"""Calls taken on duty (值班电话记录)."""

RECEPTION_AREA = Area(
    kind=EntityKind.RECEPTION,
    entity_type=ReceptionPlan,
    table=RECEPTION_TABLE,
    id_prefix="rcp",
)
"""Reception plans (接待)."""
