"""Duty and reception use cases that span entities, each in one unit of work.

* :func:`schedule_shifts` schedules shifts and refuses double duty (and, for a period,
  gaps in the 24-hour coverage) against the shifts already kept (R1).
* :func:`swap_duty` records a swap, or an exchange between two shifts, and refuses one
  that puts someone on two overlapping shifts.
* :func:`hand_over_shift` hands a shift over and has the next one take it over, the
  pending matters carried forward: minus those closed (by key, or because the entity
  they link is closed), plus the shift's open call records.
* :func:`record_call_opening_item` and :func:`record_call_receiving_document` record a
  call (or take a recorded one) and open a supervision item, or receive an incoming
  document, from it: both, or neither.
* :func:`plan_reception` drafts a reception plan under the office's reception policy.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any, Final

from secretarial.documents._model import IncomingDocument
from secretarial.engine._ports import IdFactory, Store, UnitOfWork
from secretarial.errors import ConcurrencyConflict, NotFound, UsageError
from secretarial.kernel._audit import AuditEvent
from secretarial.kernel._entity import Entity
from secretarial.kernel._enums import EntityKind
from secretarial.kernel._query import Query
from secretarial.kernel._values import Actor
from secretarial.kernel._workflow import Workflow
from secretarial.supervision._enums import SupervisionSource
from secretarial.supervision._model import SupervisionItem

from ._model import (
    CallRecord,
    DutyPerson,
    DutyRoster,
    DutyShift,
    PendingMatter,
    ReceptionPlan,
    ReceptionPolicy,
    carry_forward,
    check_roster,
    document_fields_from_call,
    item_fields_from_call,
)

__all__ = [
    "duty_roster",
    "duty_shifts",
    "hand_over_shift",
    "plan_reception",
    "record_call_opening_item",
    "record_call_receiving_document",
    "schedule_shifts",
    "swap_duty",
]


# ============================================================================ loading
_SHIFTS: Final = Query(kinds=frozenset({DutyShift.entity_kind}))

ROSTER_LOCK: Final = "duty-roster"
"""The resource a change to the roster locks: its R1 checks read every shift."""


def duty_shifts(store: Store | UnitOfWork) -> list[DutyShift]:
    """Every duty shift the store (or the unit of work) keeps, cancelled ones included."""
    return [s for s in store.find(_SHIFTS) if isinstance(s, DutyShift)]


def duty_roster(
    store: Store, start: datetime | None = None, end: datetime | None = None
) -> DutyRoster:
    """The roster of the shifts overlapping ``[start, end)`` (every shift without a window).

    Raises:
        ValidationError: A bound is naive, or the window ends before it starts.
        UsageError: Only one bound is given.
    """
    roster = DutyRoster.of(duty_shifts(store))
    if start is None and end is None:
        return roster
    if start is None or end is None:
        raise UsageError("duty_roster takes both start and end, or neither")
    return roster.between(start, end)


def _load(uow: UnitOfWork, entity_id: str, kind: type[Entity], expected: int | None) -> Any:
    entity = uow.get(entity_id)
    if not isinstance(entity, kind):
        raise NotFound(entity_id, str(getattr(kind, "entity_kind", kind.__name__)))
    if expected is not None and entity.version != expected:
        raise ConcurrencyConflict(entity_id, expected, entity.version)
    return entity


_OPEN_CALLS: Final = Query(kinds=frozenset({CallRecord.entity_kind}), open_only=True)


def _open_calls(uow: UnitOfWork, shift_id: str) -> list[CallRecord]:
    return [
        c for c in uow.find(_OPEN_CALLS) if isinstance(c, CallRecord) and c.shift_id == shift_id
    ]


# ============================================================================ the roster
def schedule_shifts(
    store: Store,
    workflow: Workflow[DutyShift],
    shifts: Iterable[Mapping[str, Any]],
    *,
    ids: IdFactory,
    actor: Actor,
    now: datetime,
    coverage: tuple[datetime, datetime] | None = None,
) -> list[DutyShift]:
    """Schedule shifts; refuse them all if one puts someone on two overlapping shifts.

    The new shifts are judged together with every shift already kept (cancelled ones
    aside), and, with ``coverage``, the period must then be covered around the clock.
    The check and the creations run in one unit of work: all the shifts, or none.

    Args:
        store: Where the shifts are kept.
        workflow: The shift workflow.
        shifts: The fields of ``schedule`` for each shift (see
            :func:`~secretarial.duty.rotation_shifts`).
        ids: Makes the shifts' ids.
        actor: Who schedules (a clerk or the office director).
        now: The time of scheduling.
        coverage: A period ``(start, end)`` that must have no gap (R1).

    Raises:
        RuleViolation: R1 ``no-double-duty`` or ``24-hour-coverage``.
        ValidationError, TransitionNotAllowed: A shift is malformed, or the actor may not
            schedule.
    """
    created = [
        workflow.create(fields, entity_id=ids(DutyShift.entity_kind), actor=actor, now=now)
        for fields in shifts
    ]
    with store.unit_of_work() as uow:
        uow.lock(ROSTER_LOCK)
        roster = DutyRoster.of([*duty_shifts(uow), *(shift for shift, _ in created)])
        start, end = coverage if coverage is not None else (None, None)
        check_roster(roster, start, end, involving={shift.id for shift, _ in created})
        for shift, event in created:
            uow.add(shift, event)
    return [shift for shift, _ in created]


def swap_duty(
    store: Store,
    workflow: Workflow[DutyShift],
    shift_id: str,
    *,
    out_id: str,
    replacement: DutyPerson | Mapping[str, Any] | str,
    actor: Actor,
    now: datetime,
    other_shift_id: str | None = None,
    reason: str | None = None,
    expected_version: int | None = None,
) -> tuple[DutyShift, DutyShift | None]:
    """Swap someone off a shift (换班), approved by the office director ``actor``.

    Without ``other_shift_id`` the replacement simply takes the place of ``out_id``.
    With it, the two exchange shifts (互换): the replacement (named by actor id, found on
    the other shift) takes ``out_id``'s place here and ``out_id`` the replacement's
    place there. Either way the result must not put anyone on two overlapping shifts.
    Both swaps and the check run in one unit of work.

    Returns:
        The shift, and the other shift of an exchange (None for a plain swap).

    Raises:
        RuleViolation: R1 ``no-double-duty``.
        TransitionNotAllowed: SWAP (the person leaving is not on the shift, the
            replacement already is), ROLE (not the office director), STATE.
        NotFound: A shift or, in an exchange, the replacement on the other shift.
        ConcurrencyConflict: ``expected_version`` is not the shift's version.
        UsageError: A plain swap names the replacement by id only.
    """
    with store.unit_of_work() as uow:
        uow.lock(ROSTER_LOCK)
        shift: DutyShift = _load(uow, shift_id, DutyShift, expected_version)
        changed: list[tuple[DutyShift, DutyShift, AuditEvent]] = []
        other: DutyShift | None = None
        if other_shift_id is None:
            if isinstance(replacement, str):
                raise UsageError(
                    "a swap names the replacement with actor_id and name; only an exchange "
                    "(other_shift_id=...) finds them by actor id on the other shift"
                )
            person = DutyPerson.model_validate(replacement)
        else:
            other = _load(uow, other_shift_id, DutyShift, None)
            wanted = (
                replacement
                if isinstance(replacement, str)
                else DutyPerson.model_validate(replacement).actor_id
            )
            found = other.person(wanted)
            if found is None:
                raise NotFound(f"{wanted} on the shift {other_shift_id}", "duty person")
            person = found
        data: dict[str, Any] = {"out_id": out_id, "replacement": person}
        if other is not None:
            data["other_shift_id"] = other.id
        swapped, event = workflow.fire(shift, "swap", actor, now=now, data=data, reason=reason)
        changed.append((shift, swapped, event))
        if other is not None:
            leaving = shift.person(out_id)
            assert leaving is not None  # noqa: S101 -- the swap rule held
            back = {"out_id": person.actor_id, "replacement": leaving, "other_shift_id": shift.id}
            swapped_back, back_event = workflow.fire(
                other, "swap", actor, now=now, data=back, reason=reason
            )
            changed.append((other, swapped_back, back_event))
        updated = {new.id: new for _, new, _ in changed}
        roster = DutyRoster.of([updated.get(s.id, s) for s in duty_shifts(uow)])
        check_roster(roster, involving=updated)
        for before, after, fired in changed:
            uow.save(after, fired, expected_version=before.version)
    return swapped, (changed[1][1] if len(changed) > 1 else None)


# ============================================================================ handovers
def hand_over_shift(
    store: Store,
    workflow: Workflow[DutyShift],
    shift_id: str,
    *,
    by: Actor,
    now: datetime,
    to_shift_id: str | None = None,
    received_by: Actor | None = None,
    closed: Iterable[str] = (),
    new: Iterable[PendingMatter | Mapping[str, Any]] = (),
    note: str | None = None,
    include_open_calls: bool = True,
    expected_version: int | None = None,
) -> tuple[DutyShift, DutyShift | None]:
    """Hand a shift over (交班) and have the next shift take it over (接班), atomically.

    The pending list is built by :func:`~secretarial.duty.carry_forward` from
    what the shift received, minus the matters named in ``closed`` and those whose
    linked entity is closed now, plus ``new`` matters and (with
    ``include_open_calls``) every open call record taken on this shift. The next shift
    records the same list as received.

    Args:
        store: Where the shifts are kept.
        workflow: The shift workflow.
        shift_id: The shift handing over (on duty).
        by: The person handing over (on the shift).
        now: The time of the handover.
        to_shift_id: The next shift (scheduled); None at the end of a roster.
        received_by: The person taking over (on the next shift); required with
            ``to_shift_id``.
        closed: Keys (or linked entity ids) of matters closed during the shift.
        new: Matters that arose during the shift.
        note: Anything else the next shift should know.
        include_open_calls: List the shift's open call records as pending matters.
        expected_version: The version of the shift the caller read.

    Returns:
        The shift handed over and the shift that took over (None without one).

    Raises:
        TransitionNotAllowed: R1 (not on the shift, a received matter dropped), STATE.
        NotFound: No such shift.
        UsageError: ``to_shift_id`` without ``received_by``.
    """
    if to_shift_id is not None and received_by is None:
        raise UsageError("a handover to a next shift names who takes it over (received_by=...)")
    with store.unit_of_work() as uow:
        shift: DutyShift = _load(uow, shift_id, DutyShift, expected_version)
        matters = [PendingMatter.model_validate(m) for m in new]
        if include_open_calls:
            listed = {m.key for m in (*shift.received, *matters)}
            matters.extend(
                PendingMatter(key=c.id, text=c.summary, entity_id=c.id)
                for c in _open_calls(uow, shift.id)
                if c.id not in listed
            )
        done = set(closed)
        for matter in (*shift.received, *matters):
            if matter.entity_id is not None and matter.entity_id not in done:
                try:
                    linked = uow.get(matter.entity_id)
                except NotFound:
                    continue
                if not linked.is_open:
                    done.add(matter.key)
        pending = carry_forward(shift.received, closed=done, new=matters, at=now)
        listed_now = {m.key: m for m in (*shift.received, *matters)}
        closed_keys = sorted(
            key
            for key, m in listed_now.items()
            if key in done or (m.entity_id is not None and m.entity_id in done)
        )
        data: dict[str, Any] = {
            "to_shift_id": to_shift_id,
            "received_by": received_by.id if received_by is not None else None,
            "pending": pending,
            "closed": closed_keys,
        }
        if note is not None:
            data["note"] = note
        handed, handing = workflow.fire(shift, "hand_over", by, now=now, data=data)
        taken: DutyShift | None = None
        if to_shift_id is not None:
            assert received_by is not None  # noqa: S101 -- checked above
            successor: DutyShift = _load(uow, to_shift_id, DutyShift, None)
            taken, taking = workflow.fire(
                successor,
                "take_over",
                received_by,
                now=now,
                data={"from_shift_id": shift.id, "received": pending},
            )
            uow.save(taken, taking, expected_version=successor.version)
        uow.save(handed, handing, expected_version=shift.version)
    return handed, taken


# ============================================================================ calls
def _the_call(
    uow: UnitOfWork,
    calls: Workflow[CallRecord],
    call: Mapping[str, Any] | str,
    *,
    ids: IdFactory,
    by: Actor,
    now: datetime,
    expected_version: int | None,
) -> tuple[CallRecord, AuditEvent | None]:
    """The call to forward: a recorded one (by id) or a new one (its creation not yet added)."""
    if isinstance(call, str):
        existing: CallRecord = _load(uow, call, CallRecord, expected_version)
        return existing, None
    record, event = calls.create(call, entity_id=ids(CallRecord.entity_kind), actor=by, now=now)
    return record, event


def _forwarded(
    uow: UnitOfWork,
    calls: Workflow[CallRecord],
    record: CallRecord,
    created: AuditEvent | None,
    data: Mapping[str, Any],
    *,
    by: Actor,
    now: datetime,
) -> CallRecord:
    forwarded, forwarding = calls.fire(record, "forward", by, now=now, data=data)
    if created is not None:
        uow.add(record, created)
    uow.save(forwarded, forwarding, expected_version=record.version)
    return forwarded


def record_call_opening_item(
    store: Store,
    calls: Workflow[CallRecord],
    items: Workflow[SupervisionItem],
    call: Mapping[str, Any] | str,
    *,
    ids: IdFactory,
    by: Actor,
    opened_by: Actor,
    now: datetime,
    source: SupervisionSource | str | None = None,
    item: Mapping[str, Any] | None = None,
    expected_version: int | None = None,
) -> tuple[CallRecord, SupervisionItem]:
    """Record a call (or take a recorded one) and open the supervision item it calls for.

    The item's fields come from
    :func:`~secretarial.duty.item_fields_from_call` (source by the caller's
    kind, ``source_ref`` the call) updated with ``item`` (lead unit, deadline ...). The
    call's creation, its ``forward`` to the item and the item's ``open`` are stored in
    one unit of work: all of them, or none.

    Args:
        store: Where the office keeps its records.
        calls: The call record workflow.
        items: The supervision item workflow.
        call: The fields of a new call record, or the id of a recorded one.
        ids: Makes the new ids.
        by: Who records and forwards the call (someone on duty).
        opened_by: The supervisor in whose name the item is opened.
        now: The time of the change.
        source: The item's source when the caller's kind does not decide it.
        item: More fields of the item.
        expected_version: For a recorded call, the version the caller read.

    Raises:
        ValidationError: The call (R1) or the item is malformed.
        TransitionNotAllowed: A role or a rule refuses (FORWARD: the call already
            opened an item; S1: one matter per item ...).
        RuleViolation: FORWARD: no source for this caller.
    """
    with store.unit_of_work() as uow:
        record, created = _the_call(
            uow, calls, call, ids=ids, by=by, now=now, expected_version=expected_version
        )
        fields = {**item_fields_from_call(record, source=source), **(item or {})}
        opened, opening = items.create(
            fields, entity_id=ids(EntityKind.SUPERVISION_ITEM), actor=opened_by, now=now
        )
        forwarded = _forwarded(
            uow, calls, record, created, {"supervision_item_id": opened.id}, by=by, now=now
        )
        uow.add(opened, opening)
    return forwarded, opened


def record_call_receiving_document(
    store: Store,
    calls: Workflow[CallRecord],
    documents: Workflow[IncomingDocument],
    call: Mapping[str, Any] | str,
    *,
    ids: IdFactory,
    by: Actor,
    received_by: Actor,
    now: datetime,
    document: Mapping[str, Any] | None = None,
    expected_version: int | None = None,
) -> tuple[CallRecord, IncomingDocument]:
    """Record a call (or take a recorded one) and receive the notice it gave as a document.

    The document's fields come from
    :func:`~secretarial.duty.document_fields_from_call` (sender the caller's
    unit, received when the call came in, channel
    :data:`~secretarial.duty.CALL_CHANNEL`) updated with ``document`` (kind,
    title, urgency ...). The call's creation, its ``forward`` and the document's
    ``receive`` are stored in one unit of work: all of them, or none. The document is
    then registered like any other (``register`` allocates its number).

    Args:
        store: Where the office keeps its records.
        calls: The call record workflow.
        documents: The incoming document workflow.
        call: The fields of a new call record, or the id of a recorded one.
        ids: Makes the new ids.
        by: Who records and forwards the call (someone on duty).
        received_by: The clerk who receives the document.
        now: The time of the change.
        document: More fields of the document, or fields to replace.
        expected_version: For a recorded call, the version the caller read.

    Raises:
        ValidationError: The call (R1) or the document is malformed.
        TransitionNotAllowed: A role or a rule refuses (FORWARD: the call was already
            registered; D3: a classified document needs a copy number ...).
    """
    with store.unit_of_work() as uow:
        record, created = _the_call(
            uow, calls, call, ids=ids, by=by, now=now, expected_version=expected_version
        )
        fields = {**document_fields_from_call(record), **(document or {})}
        received, receiving = documents.create(
            fields, entity_id=ids(EntityKind.INCOMING_DOCUMENT), actor=received_by, now=now
        )
        forwarded = _forwarded(
            uow, calls, record, created, {"document_id": received.id}, by=by, now=now
        )
        uow.add(received, receiving)
    return forwarded, received


# ============================================================================ reception
def plan_reception(
    store: Store,
    workflow: Workflow[ReceptionPlan],
    fields: Mapping[str, Any],
    *,
    policy: ReceptionPolicy,
    entity_id: str,
    actor: Actor,
    now: datetime,
) -> ReceptionPlan:
    """Draft a reception plan under the office's ``policy`` (kept with the plan).

    Raises:
        UsageError: ``fields`` set ``policy``: the office's policy applies.
        ValidationError, TransitionNotAllowed: The plan is malformed, or the actor may
            not draft.
    """
    if "policy" in fields:
        raise UsageError("a reception plan is judged by the office's policy; do not pass policy")
    plan, event = workflow.create(
        {**fields, "policy": policy}, entity_id=entity_id, actor=actor, now=now
    )
    with store.unit_of_work() as uow:
        uow.add(plan, event)
    return plan
