"""The hook specifications: every hook a ``secretarial`` plugin may implement.

A plugin is any object (a module, a class instance) with functions named like the
specifications below and marked with :data:`secretarial.plugins.hookimpl`. An
implementation may take any subset of a hook's arguments, by name. Every value a hook
receives is immutable: entities, actors, audit events and reminders are frozen models,
and a trigger's input is a read-only mapping.

Each function here is a specification only: its body is its documentation.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, Final

import pluggy

from secretarial.engine._directory import Directory
from secretarial.engine._keys import SigningKey
from secretarial.kernel._area import Area
from secretarial.kernel._audit import AuditEvent
from secretarial.kernel._calendar import WorkCalendar
from secretarial.kernel._entity import Entity
from secretarial.kernel._outbox import OutboxEvent
from secretarial.kernel._reminders import DueReminder
from secretarial.kernel._values import Actor
from secretarial.kernel._workflow import WorkflowTable

if TYPE_CHECKING:  # the manager module defines the values and imports this one
    from ._manager import BriefSection

PROJECT: Final = "secretarial"
"""The pluggy project name, and the entry-point group plugins are found through."""

hookspec: Final = pluggy.HookspecMarker(PROJECT)
"""Marks a hook specification of the ``secretarial`` project."""


@hookspec(firstresult=True)
def secretarial_veto_transition(
    entity: Entity,
    trigger: str,
    actor: Actor,
    data: Mapping[str, Any] | None,
    now: datetime,
) -> str | None:
    """Refuse a change before anything of it is written.

    Asked for every creation and every trigger the office's own rules allow, inside the
    change's unit of work and before it is saved; a refusal discards the whole unit of
    work (the entity, its audit event, any number drawn). Also asked by
    ``Office.can_fire`` and ``Office.available_triggers``, which then answer no.

    The first plugin that refuses decides; the office raises
    :class:`~secretarial.TransitionNotAllowed` with rule code ``PLUGIN`` and a reason
    naming the plugin. A plugin that raises refuses too (the failure is recorded).

    Args:
        entity: The entity as it is before the trigger fires; for a creation, the entity
            about to be created.
        trigger: The trigger (``"approve"``), or the creation trigger (``"receive"``).
        actor: Who fires it.
        data: The trigger's input, validated, as the audit event records it (dates as
            ISO strings); read-only. None when the input is not known yet (``can_fire``
            without input, ``available_triggers``).
        now: When it fires.

    Returns:
        A reason to refuse, in words a person can act on, or None to let it happen.
    """


@hookspec
def secretarial_after_commit(event: AuditEvent, entity: Entity) -> None:
    """React to a change the office has committed.

    Called once per audit event, in the order the events were written, after the unit
    of work that wrote them committed (every command, filing, meetings, a bulk import
    and each reminder of a sweep). A plugin that raises is logged on the
    ``secretarial.plugins`` logger and recorded (``Office.plugin_failures``); it never
    undoes the change, and the other plugins are still called.

    Args:
        event: The audit event.
        entity: The entity as committed by that unit of work (in a bulk import, as
            imported: already registered when the import registers).
    """


@hookspec
def secretarial_outbox_events(events: tuple[OutboxEvent, ...]) -> None:
    """Take domain events from the outbox: a sink that cannot lose what it is given.

    Unlike ``secretarial_after_commit``, these come from the outbox, written in the
    change's own transaction: a relay (``Office.relay``, ``secretarial relay``) delivers
    them after the commit, in commit order per entity, at least once, from any process,
    also after the committing process died. Each plugin that implements this is a sink
    of its own (``Plugins.sinks()``), named ``plugin:<name>``: one that raises is
    recorded and given the same events again later, with backoff, while the others go
    on. Drop repeats by ``event.id``.

    Args:
        events: A batch of one partition's events, in order. Events of entities
            classified above the sink's clearance come ``withheld``.
    """


@hookspec(firstresult=True)
def secretarial_number_format(series: str, entity: Entity, now: datetime, sequence: int) -> Any:
    """Write an allocated number differently from the office's numbering policy.

    Asked before the office's own policy each time a number is drawn (and, with a
    stand-in sequence, when ``can_fire`` judges a trigger that allocates one), so it
    must depend on its arguments alone. The counter the number is drawn from is still
    the policy's.

    Args:
        series: ``"incoming"`` for registration numbers 收文登记号, ``"outgoing"`` for
            document numbers 发文字号, ``"archival"`` for archival codes 档号.
        entity: The entity the number is for.
        now: When it is drawn.
        sequence: The number drawn from the counter (1, 2, 3 ...).

    Returns:
        The value to write (a string; a :class:`~secretarial.DocumentNumber` for
        outgoing numbers, which rule D6 checks), or None to leave it to the policy.
    """


@hookspec(firstresult=True)
def secretarial_work_calendar() -> WorkCalendar | None:
    """Supply the working-day calendar of an office that was given none.

    Asked once, when the office first needs its calendar.

    Returns:
        A :class:`~secretarial.WorkCalendar`, or None to leave the default (the Chinese
        calendar).
    """


@hookspec(firstresult=True)
def secretarial_directory() -> Directory | None:
    """Supply the directory of an office that was given none (``Office(directory=...)``).

    Asked once, when the office is made. A host whose people live elsewhere (LDAP, its
    own user table) answers who an actor id is, whom they act for and which delegations
    they hold, instead of the people and delegations kept in the office's store. Like
    every hook it is given no office: a directory that needs one is made by the host.

    Returns:
        A :class:`~secretarial.engine.Directory`, or None to leave the default (the directory
        kept in the office's own store).
    """


@hookspec(firstresult=True)
def secretarial_checkpoint_key() -> SigningKey | None:
    """Supply the key that signs the office's checkpoints, when it was given none.

    Asked once, when the office is made (``Office(checkpoint_key=...)`` wins). A host
    whose keys live in a key service (a KMS, an HSM) answers with an object that signs
    through it: a :class:`~secretarial.SigningKey` (``record``, ``sign``, ``verify``),
    so the private key never enters the office's process.

    Returns:
        A :class:`~secretarial.SigningKey`, or None to leave the office unsigned.
    """


@hookspec
def secretarial_areas() -> Iterable[Area] | None:
    """Add whole kinds of entity to the office: their classes, tables, registers, names.

    Asked once when an office is made. Each :class:`~secretarial.Area` is a kind the
    office then runs like its own: created with :meth:`~secretarial.Office.create`,
    fired, listed, audited, verified, exported as its registers and named on the
    command line. A kind, id prefix, name or register that another area already has
    raises :class:`~secretarial.WorkflowDefinitionError` naming the plugin.

    Returns:
        The areas the plugin adds, or None for none.
    """


@hookspec
def secretarial_extend_workflow(table: WorkflowTable[Any]) -> WorkflowTable[Any] | None:
    """Extend the state table of one entity kind: more rows, more states.

    Asked once per entity kind when an office is made. Each plugin receives the table
    as the plugins before it extended it. The result is validated like the built-in
    tables, so a broken extension raises
    :class:`~secretarial.WorkflowDefinitionError` naming the plugin when the office is
    made, never later.

    Args:
        table: The table (see :meth:`~secretarial.WorkflowTable.extended`).

    Returns:
        The extended table (for the same entity type), or None to leave it as it is.
    """


@hookspec
def secretarial_deliver_reminder(reminder: DueReminder) -> None:
    """Deliver a reminder, escalation or report request a sweep issued (mail, SMS, OA).

    Called for each reminder a sweep issued, after the sweep recorded them all. A
    plugin that raises is logged and recorded (``Office.plugin_failures``); the
    reminder stays recorded and the other plugins are still called.

    Args:
        reminder: What is due, for whom (``to``) and the message to send.
    """


@hookspec
def secretarial_brief_sections(
    actor: Actor, day: date, entities: tuple[Entity, ...]
) -> Iterable[BriefSection] | None:
    """Contribute sections to an actor's daily brief.

    Args:
        actor: Whose brief it is.
        day: The day it is for, in the office's time zone.
        entities: The open entities the actor may see, as the brief itself reads them:
            values, never the office.

    Returns:
        Sections, in the order they should appear, or None.
    """
