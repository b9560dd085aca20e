"""The information desk: the verbs of the information area, on the office that wires it."""

from __future__ import annotations

import builtins
from collections.abc import Iterable, Mapping
from datetime import date, datetime
from typing import TYPE_CHECKING

from secretarial.engine._desk import Desk
from secretarial.errors import AccessDenied
from secretarial.kernel._enums import EntityKind
from secretarial.kernel._register import Register
from secretarial.kernel._values import Actor, checked_moment

from ._model import (
    Bulletin,
    EmergencyDue,
    EmergencyLimit,
    EmergencyPolicy,
    InformationItem,
    ScoringScale,
    emergency_due,
    emergency_limits,
    no_such_issue,
)
from ._service import find_bulletin, information_scores, issue_bulletin

if TYPE_CHECKING:
    from typing import Unpack

    from ._fields import InformationItemFields

__all__ = ["InformationDesk"]


class InformationDesk(Desk):
    """Information: collect, emergency limits, bulletins, scores."""

    __slots__ = ()

    def collect(
        self,
        *,
        by: Actor,
        idempotency_key: str | None = None,
        **fields: Unpack[InformationItemFields],
    ) -> InformationItem:
        """Collect an item of information (信息收集): the ``collect`` trigger.

        ``fields`` are the item's: ``category``, ``title``, ``body``, ``source``,
        ``reporting_unit``, ``author``, ``contact_phone``, ``classification`` ...; an
        emergency (category ``emergency``) also ``event_at`` and perhaps ``learned_at``.
        """
        entity = self._office.create(
            EntityKind.INFORMATION_ITEM, by=by, idempotency_key=idempotency_key, **fields
        )
        assert isinstance(entity, InformationItem)  # noqa: S101 -- the workflow's entity type
        return entity

    def emergency_limits(
        self,
        item: InformationItem | str,
        *,
        now: datetime | None = None,
        by: Actor | None = None,
    ) -> list[EmergencyLimit]:
        """The emergency item's time limits (I1), met or not, judged at ``now``.

        Raises:
            NotFound: no such information item.
            AccessDenied: ``by`` may not see it (the refusal is recorded).
        """
        self._office.require_reader(by, "information.emergency_limits")
        current = self._office.get(
            item if isinstance(item, str) else item.id, InformationItem, by=by
        )
        moment = (self._office.now() if now is None else checked_moment(now, "now")).astimezone(
            self._office.timezone
        )
        return emergency_limits(current, self._office.environment().policy(EmergencyPolicy), moment)

    def emergency_due(
        self, now: datetime | None = None, *, by: Actor | None = None
    ) -> list[EmergencyDue]:
        """Every emergency time limit late at ``now`` with no report, not yet reminded.

        Only reads: :meth:`~secretarial.Office.sweep` records them. What ``by`` may not
        see is left out.
        """
        self._office.require_reader(by, "information.emergency_due")
        moment = (self._office.now() if now is None else checked_moment(now, "now")).astimezone(
            self._office.timezone
        )
        items = self._office.list(kind=EntityKind.INFORMATION_ITEM, open_only=True, by=by)
        return [
            due
            for item in items
            if isinstance(item, InformationItem)
            for due in emergency_due(
                item, self._office.environment().policy(EmergencyPolicy), moment
            )
        ]

    def compile_bulletin(
        self,
        items: Iterable[InformationItem | str],
        *,
        by: Actor,
        title: str,
        year: int | None = None,
        issuer: str | None = None,
        issued_on: date | None = None,
        issuer_approvals: Mapping[str, str] | None = None,
    ) -> Bulletin:
        """Compile signed-off items into the year's next bulletin issue 简报 (第N期).

        The number comes from the year's counter in the unit of work that records the
        issue on every item, so a year's issues are numbered without gaps. See
        :func:`secretarial.information.issue_bulletin`.

        Args:
            items: The items (entities, whose versions are checked, or ids), in order.
            by: Who compiles it (clerk, information officer, office director).
            title: The bulletin's title.
            year: The year to number it in; the year of ``issued_on`` by default.
            issuer: Who compiles it (编印单位).
            issued_on: The date printed on it; today by default.
            issuer_approvals: For top-secret (绝密) items, by item id: the approval of the
                issuing organ or its superior to compile it (D17).

        Raises:
            AccessDenied: ``by`` may not see an item (recorded).
            RuleViolation: D17 (a top-secret item without an approval) or INFO4.
        """
        chosen = builtins.list(items)
        with self._office.denials_recorded(by, "fire:compile"):
            return issue_bulletin(
                self._office.change_store,
                self._office.context(by),
                chosen,
                title=title,
                timezone=self._office.timezone,
                year=year,
                issuer=issuer,
                issued_on=issued_on,
                issuer_approvals=issuer_approvals,
            )

    def bulletin(self, year: int, number: int, *, by: Actor | None = None) -> Bulletin:
        """Bulletin issue ``number`` of ``year`` as compiled, rebuilt from its items.

        Raises:
            RuleViolation: INFO4, no such issue; or, said the same way, ``by`` may not
                see one of its items (the bulletin is classified as its highest item; the
                refusal is recorded).
        """
        self._office.require_reader(by, "information.bulletin")
        found = find_bulletin(self._office.change_store, year=year, number=number)
        if by is None:
            return found
        store = self._office.change_store
        withheld = [
            AccessDenied(by.id, article.item_id, reason)
            for article in found.articles
            if (reason := self._office.access.may_see(by, store.get(article.item_id)))
        ]
        if withheld:
            with self._office.denials_recorded(by, "bulletin"):
                raise no_such_issue(year, number, withheld=withheld)
        return found

    def scores(
        self,
        period_start: date,
        period_end: date,
        *,
        by: Actor | None = None,
        scale: ScoringScale | None = None,
    ) -> Register:
        """Scores per reporting unit for a period (see :func:`secretarial.information_scores`).

        Args:
            period_start: The first day (in the office's time zone).
            period_end: The last day, included.
            by: Who exports it; what they may not see is left out.
            scale: The scoring scale; the office's if omitted.
        """
        self._office.require_reader(by, "information.scores")
        items = [
            i
            for i in self._office.list(kind=EntityKind.INFORMATION_ITEM, by=by)
            if isinstance(i, InformationItem)
        ]
        return information_scores(
            items,
            period_start,
            period_end,
            scale=scale if scale is not None else self._office.environment().policy(ScoringScale),
            timezone=self._office.timezone,
        )
