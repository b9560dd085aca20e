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

from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from typing import Any, Final, TypedDict

from secretarial.documents._model import IncomingDocument
from secretarial.engine._fire import Change, FireContext, run_change, run_idempotent
from secretarial.engine._ports import Store, UnitOfWork
from secretarial.errors import NotFound, UsageError
from secretarial.kernel._enums import Classification, EntityKind
from secretarial.kernel._idempotency import command_fingerprint
from secretarial.kernel._query import Query
from secretarial.kernel._values import Actor
from secretarial.supervision._enums import SupervisionSource
from secretarial.supervision._model import SupervisionItem

from ._model import (
    WITHHELD_MATTER,
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
    store: Store,
    start: datetime | None = None,
    end: datetime | None = None,
    *,
    shifts: Iterable[DutyShift] | None = None,
) -> DutyRoster:
    """The roster of the shifts overlapping ``[start, end)`` (every shift without a window).

    Args:
        store: Where the shifts are kept.
        start: The window's start (aware).
        end: Its end.
        shifts: The shifts to make it of, instead of every shift ``store`` keeps (those
            a reader may see, say).

    Raises:
        ValidationError: A bound is naive, or the window ends before it starts.
        UsageError: Only one bound is given.
    """
    roster = DutyRoster.of(duty_shifts(store) if shifts is None else shifts)
    if start is None and end is None:
        return roster
    if start is None or end is None:
        raise UsageError("duty_roster takes both start and end, or neither")
    return roster.between(start, end)


_OPEN_CALLS: Final = Query(kinds=frozenset({CallRecord.entity_kind}), open_only=True)


def _open_calls(uow: UnitOfWork, shift_id: str) -> list[CallRecord]:
    return [
        c for c in uow.find(_OPEN_CALLS) if isinstance(c, CallRecord) and c.shift_id == shift_id
    ]


# ============================================================================ the roster
class _SeenBy(TypedDict):
    hidden: Callable[[DutyShift], str | None] | None
    actor_id: str


def _as_seen(context: FireContext) -> _SeenBy:
    """How :func:`check_roster` tells the context's actor of shifts they may not see."""
    authorize = context.authorize
    actor = context.actor
    return {
        "hidden": None if authorize is None else lambda shift: authorize(actor, shift),
        "actor_id": actor.id,
    }


def schedule_shifts(
    store: Store,
    context: FireContext,
    shifts: Iterable[Mapping[str, Any]],
    *,
    coverage: tuple[datetime, datetime] | None = None,
) -> list[DutyShift]:
    """Schedule shifts; refuse them all if one puts someone on two overlapping shifts.

    The new shifts are judged together with every shift already kept (cancelled ones
    aside), and, with ``coverage``, the period must then be covered around the clock.
    The check and the creations run in one unit of work: all the shifts, or none.

    Args:
        store: Where the shifts are kept.
        context: Who schedules (a clerk or the office director), when, and the office's
            workflows and ids.
        shifts: The fields of ``schedule`` for each shift (see
            :func:`~secretarial.duty.rotation_shifts`).
        coverage: A period ``(start, end)`` that must have no gap (R1).

    Raises:
        RuleViolation: R1 ``no-double-duty`` or ``24-hour-coverage``.
        ValidationError, TransitionNotAllowed: A shift is malformed, or the actor may not
            schedule.
    """
    given = list(shifts)

    def schedule(change: Change) -> list[DutyShift]:
        change.lock(ROSTER_LOCK)
        created = [change.make(DutyShift, fields) for fields in given]
        roster = DutyRoster.of(duty_shifts(change.uow))
        start, end = coverage if coverage is not None else (None, None)
        check_roster(
            roster, start, end, involving={shift.id for shift in created}, **_as_seen(context)
        )
        return created

    return run_change(store, context, schedule)


def swap_duty(
    store: Store,
    context: FireContext,
    shift_id: str,
    *,
    out_id: str,
    replacement: DutyPerson | Mapping[str, Any] | str,
    other_shift_id: str | None = None,
    reason: str | None = None,
    expected_content_version: int | None = None,
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
        ConcurrencyConflict: ``expected_content_version`` is not the shift's content version.
        UsageError: A plain swap names the replacement by id only.
    """
    if other_shift_id is None and isinstance(replacement, str):
        raise UsageError(
            "a swap names the replacement with actor_id and name; only an exchange "
            "(other_shift_id=...) finds them by actor id on the other shift"
        )

    def swap(change: Change) -> tuple[DutyShift, DutyShift | None]:
        change.lock(ROSTER_LOCK)
        shift = change.load(shift_id, DutyShift, expected_content_version=expected_content_version)
        other: DutyShift | None = None
        if other_shift_id is None:
            person = DutyPerson.model_validate(replacement)
        else:
            other = change.load(other_shift_id, DutyShift)
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
        swapped = change.fire(shift, "swap", data, reason=reason)
        swapped_back: DutyShift | None = None
        if other is not None:
            leaving = shift.person(out_id)
            assert leaving is not None  # noqa: S101 -- the swap rule held
            back = {"out_id": person.actor_id, "replacement": leaving, "other_shift_id": shift.id}
            swapped_back = change.fire(other, "swap", back, reason=reason)
        involved = {swapped.id} | ({swapped_back.id} if swapped_back is not None else set())
        check_roster(
            DutyRoster.of(duty_shifts(change.uow)), involving=involved, **_as_seen(context)
        )
        return swapped, swapped_back

    return run_change(store, context, swap)


# ============================================================================ handovers
def hand_over_shift(
    store: Store,
    context: FireContext,
    shift_id: str,
    *,
    to_shift_id: str | None = None,
    received_by: Actor | None = None,
    closed: Iterable[str] = (),
    new: Iterable[PendingMatter | Mapping[str, Any]] = (),
    note: str | None = None,
    include_open_calls: bool = True,
    expected_content_version: int | None = None,
) -> tuple[DutyShift, DutyShift | None]:
    """Hand a shift over (交班) and have the next shift take it over (接班), atomically.

    The pending list is built by :func:`~secretarial.duty.carry_forward` from
    what the shift received, minus the matters named in ``closed`` and those whose
    linked entity is closed now, plus ``new`` matters and (with
    ``include_open_calls``) every open call record taken on this shift. The next shift
    records the same list as received. A matter linked to an entity carries that
    entity's classification, and both shifts are classified as the highest matter they
    hold (a 绝密 call makes both 绝密), so who may not see the matter sees neither. An
    open call the person handing over may not see is carried all the same, its text
    ``WITHHELD_MATTER`` (涉密事项，另行交接: handed over separately).

    Args:
        store: Where the shifts are kept.
        context: The person handing over (on the shift), the time of the handover, and
            the office's workflows.
        shift_id: The shift handing over (on duty).
        to_shift_id: The next shift (scheduled); None at the end of a roster.
        received_by: The person taking over (on the next shift); required with
            ``to_shift_id``.
        closed: Keys (or linked entity ids) of matters closed during the shift.
        new: Matters that arose during the shift.
        note: Anything else the next shift should know.
        include_open_calls: List the shift's open call records as pending matters.
        expected_content_version: The content version of the shift the caller read.

    Returns:
        The shift handed over and the shift that took over (None without one).

    Raises:
        TransitionNotAllowed: R1 (not on the shift, a received matter dropped), STATE.
        NotFound: No such shift.
        UsageError: ``to_shift_id`` without ``received_by``.
    """
    if to_shift_id is not None and received_by is None:
        raise UsageError("a handover to a next shift names who takes it over (received_by=...)")
    given = [PendingMatter.model_validate(m) for m in new]
    closed_given = set(closed)

    def hand_over(change: Change) -> tuple[DutyShift, DutyShift | None]:
        uow = change.uow
        shift = change.load(shift_id, DutyShift, expected_content_version=expected_content_version)
        matters = list(given)
        if include_open_calls:
            listed = {m.key for m in (*shift.received, *matters)}
            authorize = context.authorize
            matters.extend(
                PendingMatter(
                    key=c.id,
                    text=(
                        c.summary
                        if authorize is None or authorize(context.actor, c) is None
                        else WITHHELD_MATTER  # the one handing over may not know it
                    ),
                    entity_id=c.id,
                    classification=c.classification,
                )
                for c in _open_calls(uow, shift.id)
                if c.id not in listed
            )
        done = set(closed_given)
        levels: dict[str, Classification] = {}
        for matter in (*shift.received, *matters):
            if matter.entity_id is not None and matter.entity_id not in done:
                try:
                    linked = uow.get(matter.entity_id)
                except NotFound:
                    continue
                levels[matter.key] = linked.classification
                if not linked.is_open:
                    done.add(matter.key)
        pending = tuple(
            _classified(m, levels.get(m.key))
            for m in carry_forward(shift.received, closed=done, new=matters, at=change.now)
        )
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
        handed = change.fire(shift, "hand_over", data)
        taken: DutyShift | None = None
        if to_shift_id is not None:
            assert received_by is not None  # noqa: S101 -- checked above
            successor = change.load(to_shift_id, DutyShift, actor=received_by)
            taken = change.fire(
                successor,
                "take_over",
                {"from_shift_id": shift.id, "received": pending},
                actor=received_by,
            )
        return handed, taken

    return run_change(store, context, hand_over)


def _classified(matter: PendingMatter, linked: Classification | None) -> PendingMatter:
    """``matter`` classified at least as its linked entity is (``linked``)."""
    if linked is None or linked <= matter.classification:
        return matter
    return matter.model_copy(update={"classification": linked})


# ============================================================================ calls
def _the_call(
    change: Change, call: Mapping[str, Any] | str, expected_content_version: int | None
) -> CallRecord:
    """The call to forward: a recorded one (by id) or a new one, recorded now."""
    if isinstance(call, str):
        return change.load(call, CallRecord, expected_content_version=expected_content_version)
    return change.make(CallRecord, call)


def record_call_opening_item(
    store: Store,
    context: FireContext,
    call: Mapping[str, Any] | str,
    *,
    opened_by: Actor,
    source: SupervisionSource | str | None = None,
    item: Mapping[str, Any] | None = None,
    expected_content_version: int | None = None,
) -> tuple[CallRecord, SupervisionItem]:
    """Record a call (or take a recorded one) and open the supervision item it calls for.

    The item's fields come from
    :func:`~secretarial.duty.item_fields_from_call` (source by the caller's
    kind, ``source_ref`` the call) updated with ``item`` (lead unit, deadline ...). The
    call's creation, its ``forward`` to the item and the item's ``open`` are stored in
    one unit of work: all of them, or none.

    Args:
        store: Where the office keeps its records.
        context: Who records and forwards the call (someone on duty), when, and the
            office's workflows and ids.
        call: The fields of a new call record, or the id of a recorded one.
        opened_by: The supervisor in whose name the item is opened.
        source: The item's source when the caller's kind does not decide it.
        item: More fields of the item.
        expected_content_version: For a recorded call, the content version the caller read.

    Raises:
        ValidationError: The call (R1) or the item is malformed.
        TransitionNotAllowed: A role or a rule refuses (FORWARD: the call already
            opened an item; S1: one matter per item ...).
        RuleViolation: FORWARD: no source for this caller.
    """

    def open_item(change: Change) -> tuple[CallRecord, SupervisionItem]:
        record = _the_call(change, call, expected_content_version)
        fields = {**item_fields_from_call(record, source=source), **(item or {})}
        item_id = context.new_id(EntityKind.SUPERVISION_ITEM)
        forwarded = change.fire(record, "forward", {"supervision_item_id": item_id})
        opened = change.make(SupervisionItem, fields, entity_id=item_id, actor=opened_by)
        return forwarded, opened

    return run_change(store, context, open_item)


def record_call_receiving_document(
    store: Store,
    context: FireContext,
    call: Mapping[str, Any] | str,
    *,
    received_by: Actor,
    document: Mapping[str, Any] | None = None,
    expected_content_version: int | None = None,
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
        context: Who records and forwards the call (someone on duty), when, and the
            office's workflows and ids.
        call: The fields of a new call record, or the id of a recorded one.
        received_by: The clerk who receives the document.
        document: More fields of the document, or fields to replace.
        expected_content_version: For a recorded call, the content version the caller read.

    Raises:
        ValidationError: The call (R1) or the document is malformed.
        TransitionNotAllowed: A role or a rule refuses (FORWARD: the call was already
            registered; D3: a classified document needs a copy number ...).
    """

    def receive(change: Change) -> tuple[CallRecord, IncomingDocument]:
        record = _the_call(change, call, expected_content_version)
        fields = {**document_fields_from_call(record), **(document or {})}
        document_id = context.new_id(EntityKind.INCOMING_DOCUMENT)
        forwarded = change.fire(record, "forward", {"document_id": document_id})
        received = change.make(IncomingDocument, fields, entity_id=document_id, actor=received_by)
        return forwarded, received

    return run_change(store, context, receive)


# ============================================================================ reception
def plan_reception(
    store: Store,
    context: FireContext,
    fields: Mapping[str, Any],
    *,
    policy: ReceptionPolicy,
    idempotency_key: str | None = None,
) -> ReceptionPlan:
    """Draft a reception plan under the office's ``policy`` (kept with the plan).

    Under an ``idempotency_key`` a draft sent again is answered with the plan it first
    made (see :func:`~secretarial.engine.run_idempotent`).

    Raises:
        UsageError: ``fields`` set ``policy``: the office's policy applies.
        ValidationError, TransitionNotAllowed: The plan is malformed, or the actor may
            not draft.
    """
    if "policy" in fields:
        raise UsageError("a reception plan is judged by the office's policy; do not pass policy")

    def draft(change: Change) -> ReceptionPlan:
        return change.make(ReceptionPlan, {**fields, "policy": policy})

    return run_idempotent(
        store,
        context,
        draft,
        key=idempotency_key,
        fingerprint=lambda: command_fingerprint(
            "create", EntityKind.RECEPTION, context.actor, fields
        ),
    )
