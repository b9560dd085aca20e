"""The duty desk: the verbs of the duty area, on the office that wires it."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, overload

from secretarial.documents._model import IncomingDocument
from secretarial.engine._desk import Desk
from secretarial.kernel._enums import EntityKind
from secretarial.kernel._recurrence import Recurrence
from secretarial.kernel._values import Actor, checked_moment
from secretarial.supervision._enums import SupervisionSource
from secretarial.supervision._model import SupervisionItem

from ._model import (
    MAX_SHIFT,
    CallRecord,
    DutyPerson,
    DutyRoster,
    DutyShift,
    DutyTeam,
    OnDuty,
    PendingMatter,
    ReceptionPlan,
    ReceptionPolicy,
    rotation_shifts,
    who_is_on_duty,
)
from ._service import (
    duty_roster,
    hand_over_shift,
    plan_reception,
    record_call_opening_item,
    record_call_receiving_document,
    schedule_shifts,
    swap_duty,
)

if TYPE_CHECKING:
    from typing import Unpack

    from ._fields import CallRecordFields, ReceptionPlanFields

__all__ = ["DutyDesk"]


class DutyDesk(Desk):
    """Duty and reception: the roster, swaps, hand-overs, calls, receptions."""

    __slots__ = ()

    def schedule(
        self,
        *shifts: Mapping[str, Any],
        by: Actor,
        coverage: tuple[datetime, datetime] | None = None,
    ) -> list[DutyShift]:
        """Schedule duty shifts (排班): each ``start``, ``end``, ``leader``, ``officers`` ...

        All the shifts are stored, or none: refused with rule R1 if one puts someone on
        two overlapping shifts (new and kept ones together), or, with ``coverage``, if the
        period ``(start, end)`` is not covered around the clock.

        Raises:
            ValidationError: a shift is malformed (R1: leader, officers, times).
            RuleViolation: R1 ``no-double-duty`` or ``24-hour-coverage``.
        """
        with self._office.denials_recorded(by, "fire:schedule"):
            return schedule_shifts(
                self._office.change_store, self._office.context(by), shifts, coverage=coverage
            )

    def schedule_rotation(
        self,
        recurrence: Recurrence,
        teams: Sequence[DutyTeam | Mapping[str, Any]],
        *,
        by: Actor,
        between_start: datetime | None = None,
        between_end: datetime | None = None,
        check_coverage: bool = True,
        **common: Any,
    ) -> list[DutyShift]:
        """Schedule a rotation: one shift per occurrence of ``recurrence``, teams in turn.

        With ``check_coverage`` the span from the first shift's start to the last one's
        end must have no gap (R1). ``common`` fields (``place``, ``phone``) go on every
        shift. See :func:`secretarial.rotation_shifts`.
        """
        fields = rotation_shifts(
            recurrence, teams, between_start=between_start, between_end=between_end, **common
        )
        coverage = (fields[0]["start"], fields[-1]["end"]) if check_coverage and fields else None
        return self.schedule(*fields, by=by, coverage=coverage)

    def roster(
        self,
        start: datetime | None = None,
        end: datetime | None = None,
        *,
        by: Actor | None = None,
    ) -> DutyRoster:
        """The roster of the shifts overlapping ``[start, end)`` (all shifts without a window).

        Args:
            start: The window's start (aware).
            end: Its end.
            by: Who reads it: a shift they may not see (one classified by the matters
                handed over on it) is left out, as if it did not exist. Without it, the
                office's own read: every shift.
        """
        self._office.require_reader(by, "duty.roster")
        return duty_roster(self._office.change_store, start, end, shifts=self._shifts(by))

    def on_duty(self, at: datetime | None = None, *, by: Actor | None = None) -> OnDuty | None:
        """Who is on duty at ``at`` (now if omitted); None if no shift covers it.

        ``by`` reads it as :meth:`roster` does: from the shifts they may see.
        """
        self._office.require_reader(by, "duty.on_duty")
        shifts = self._shifts(by)
        moment = self._office.now() if at is None else checked_moment(at, "at")
        window = duty_roster(
            self._office.change_store,
            moment - MAX_SHIFT,
            moment + timedelta(seconds=1),
            shifts=shifts,
        )
        return who_is_on_duty(window, moment)

    def _shifts(self, by: Actor | None) -> list[DutyShift]:
        """The shifts ``by`` may see (all of them for the office's own read)."""
        found = self._office.list(kind=EntityKind.DUTY_SHIFT, by=by)
        return [s for s in found if isinstance(s, DutyShift)]

    def swap(
        self,
        shift: DutyShift | str,
        *,
        by: Actor,
        out_id: str,
        replacement: DutyPerson | Mapping[str, Any] | str,
        other_shift: DutyShift | str | None = None,
        reason: str | None = None,
    ) -> tuple[DutyShift, DutyShift | None]:
        """Swap someone off a scheduled shift (换班), approved by the office director ``by``.

        With ``other_shift`` the two people exchange shifts (互换) and ``replacement`` may
        be an actor id on that shift. Refused with R1 if anyone ends up on two
        overlapping shifts; both swaps are stored in one unit of work.
        """
        with self._office.denials_recorded(by, "fire:swap"):
            return swap_duty(
                self._office.change_store,
                self._office.context(by),
                shift if isinstance(shift, str) else shift.id,
                out_id=out_id,
                replacement=replacement,
                other_shift_id=(
                    other_shift if isinstance(other_shift, str | None) else other_shift.id
                ),
                reason=reason,
                expected_content_version=None if isinstance(shift, str) else shift.content_version,
            )

    @overload
    def hand_over(
        self,
        shift: DutyShift | str,
        *,
        by: Actor,
        to_shift: DutyShift | str,
        received_by: Actor,
        closed: Iterable[str] = (),
        new: Iterable[PendingMatter | Mapping[str, Any]] = (),
        note: str | None = None,
    ) -> tuple[DutyShift, DutyShift]: ...

    @overload
    def hand_over(
        self,
        shift: DutyShift | str,
        *,
        by: Actor,
        to_shift: None = None,
        received_by: None = None,
        closed: Iterable[str] = (),
        new: Iterable[PendingMatter | Mapping[str, Any]] = (),
        note: str | None = None,
    ) -> tuple[DutyShift, None]: ...

    def hand_over(
        self,
        shift: DutyShift | str,
        *,
        by: Actor,
        to_shift: DutyShift | str | None = None,
        received_by: Actor | None = None,
        closed: Iterable[str] = (),
        new: Iterable[PendingMatter | Mapping[str, Any]] = (),
        note: str | None = None,
    ) -> tuple[DutyShift, DutyShift | None]:
        """Hand a shift over (交班) and have ``received_by`` take over ``to_shift`` (接班).

        The pending matters are carried forward: those received, minus ``closed`` and
        those whose linked entity is closed, plus ``new`` ones and the shift's open call
        records. Both shifts change in one unit of work. Returns the shift handed over
        and the one taken over (None at the end of a roster, with no ``to_shift``).
        """
        with self._office.denials_recorded(by, "fire:hand_over"):
            return hand_over_shift(
                self._office.change_store,
                self._office.context(by),
                shift if isinstance(shift, str) else shift.id,
                to_shift_id=to_shift if isinstance(to_shift, str | None) else to_shift.id,
                received_by=received_by,
                closed=closed,
                new=new,
                note=note,
                expected_content_version=None if isinstance(shift, str) else shift.content_version,
            )

    def record_call(
        self,
        *,
        by: Actor,
        idempotency_key: str | None = None,
        **fields: Unpack[CallRecordFields],
    ) -> CallRecord:
        """Record a call (电话记录): ``called_at``, ``caller``, ``matter``, ``measures`` ...

        A missing or blank element of R1 (time, caller's name, unit and phone, matter,
        measures taken, recorder) is refused as rule ``R1`` on that field.
        """
        entity = self._office.create(
            EntityKind.CALL_RECORD, by=by, idempotency_key=idempotency_key, **fields
        )
        assert isinstance(entity, CallRecord)  # noqa: S101
        return entity

    def record_call_opening_item(
        self,
        call: CallRecord | Mapping[str, Any] | str,
        *,
        by: Actor,
        opened_by: Actor,
        source: SupervisionSource | str | None = None,
        **item: Any,
    ) -> tuple[CallRecord, SupervisionItem]:
        """Record a call (or take a recorded one) and open the supervision item it calls for.

        ``item`` adds item fields (``lead_unit``, ``deadline`` ...). The call, its
        ``forward`` and the item are stored in one unit of work, or nothing is.
        """
        given: Mapping[str, Any] | str = call.id if isinstance(call, CallRecord) else call
        with self._office.denials_recorded(by, "fire:forward"):
            return record_call_opening_item(
                self._office.change_store,
                self._office.context(by),
                given,
                opened_by=opened_by,
                source=source,
                item=item,
                expected_content_version=call.content_version
                if isinstance(call, CallRecord)
                else None,
            )

    def record_call_receiving_document(
        self,
        call: CallRecord | Mapping[str, Any] | str,
        *,
        by: Actor,
        received_by: Actor,
        **document: Any,
    ) -> tuple[CallRecord, IncomingDocument]:
        """Record a call (or take a recorded one) and receive its notice as a document (收文).

        ``document`` adds or replaces document fields (``kind``, ``title``, ``urgency``
        ...). The call, its ``forward`` and the document are stored in one unit of work.
        """
        given: Mapping[str, Any] | str = call.id if isinstance(call, CallRecord) else call
        with self._office.denials_recorded(by, "fire:forward"):
            return record_call_receiving_document(
                self._office.change_store,
                self._office.context(by),
                given,
                received_by=received_by,
                document=document,
                expected_content_version=call.content_version
                if isinstance(call, CallRecord)
                else None,
            )

    def plan_reception(
        self,
        *,
        by: Actor,
        idempotency_key: str | None = None,
        **fields: Unpack[ReceptionPlanFields],
    ) -> ReceptionPlan:
        """Draft a reception plan (接待方案) under the office's reception policy.

        The policy is :attr:`~secretarial.Office.reception_policy`, kept with the plan.

        Fields: ``title``, ``guests``, ``official_letter``, ``start``, ``end``, ``meals``
        ... ``approve`` then judges the R2 rules against the policy kept with the plan.
        """
        return plan_reception(
            self._office.change_store,
            self._office.context(by),
            fields,
            policy=self._office.environment().policy(ReceptionPolicy),
            idempotency_key=idempotency_key,
        )
