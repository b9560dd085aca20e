"""What both benchmarks work on: the actors and the supervision items in progress."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from secretarial import Actor, Office, Role, SupervisionItem

CLERK = Actor(id="clerk", name="Clerk", roles=frozenset({Role.CLERK}))
DIRECTOR = Actor(id="director", name="Director", roles=frozenset({Role.OFFICE_DIRECTOR}))
LEADER = Actor(id="leader", name="Leader", roles=frozenset({Role.LEADER}))
UNDERTAKER = Actor(id="undertaker", name="Undertaker", roles=frozenset({Role.UNDERTAKER}))
SUPERVISOR = Actor(id="supervisor", name="Supervisor", roles=frozenset({Role.SUPERVISOR}))

UNIT = {"code": "ZHK", "name": "综合科"}
REQUIREMENT = "按市政府要求，于月底前完成全市安全生产大检查并报送情况"
PROGRESS = "已完成第一阶段排查，发现隐患12处，已整改9处"
RECEIVED_AT = datetime(2025, 9, 26, 1, 0, tzinfo=UTC)


def item_fields() -> dict[str, Any]:
    """A supervision item's fields at opening (立项)."""
    return {"source": "leader_instruction", "requirement": REQUIREMENT, "received_at": RECEIVED_AT}


def items_in_progress(office: Office, count: int) -> list[SupervisionItem]:
    """``count`` supervision items opened, assigned and accepted (state ``in_progress``)."""
    deadline = office.today() + timedelta(days=60)
    items = []
    for _ in range(count):
        item = office.supervision.open(by=SUPERVISOR, **item_fields())
        item = office.fire(item, "assign", by=SUPERVISOR, lead_unit=UNIT, deadline=deadline)
        item = office.fire(item, "accept", by=UNDERTAKER)
        items.append(item)
    return items
