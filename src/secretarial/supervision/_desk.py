"""The supervision desk: the verbs of the supervision area, on the office that wires it."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from secretarial.engine._desk import Desk
from secretarial.kernel._enums import EntityKind
from secretarial.kernel._register import Register
from secretarial.kernel._values import Actor

from ._model import SupervisionItem

if TYPE_CHECKING:
    from typing import Unpack

    from ._fields import SupervisionItemFields

__all__ = ["SupervisionDesk"]


class SupervisionDesk(Desk):
    """Supervision: open items, the ledger."""

    __slots__ = ()

    def open(
        self,
        *,
        by: Actor,
        idempotency_key: str | None = None,
        **fields: Unpack[SupervisionItemFields],
    ) -> SupervisionItem:
        """Open a supervision item (立项): ``source``, ``requirement``, ``received_at`` ..."""
        entity = self._office.create(
            EntityKind.SUPERVISION_ITEM, by=by, idempotency_key=idempotency_key, **fields
        )
        assert isinstance(entity, SupervisionItem)  # noqa: S101
        return entity

    def ledger(
        self, *, as_of: date | None = None, open_only: bool = False, by: Actor | None = None
    ) -> Register:
        """The supervision ledger 督办台账 (see :func:`secretarial.supervision_ledger`).

        Args:
            as_of: The day overdue is judged on; today in the office's time zone if omitted.
            open_only: Only items not yet verified or cancelled.
            by: Who exports it; what they may not see is left out.
        """
        self._office.require_reader(by, "supervision.ledger")
        return self._office.register("ledger", as_of=as_of, open_only=open_only, by=by)
