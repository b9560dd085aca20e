"""The plugin manager of an office, and typed calls of every hook.

:class:`Plugins` wraps one :class:`pluggy.PluginManager`: it registers the plugins
installed under the ``secretarial`` entry-point group and those given in code, checks
them against the specifications, and offers one typed method per hook, so that callers
never touch ``pm.hook`` and never see pluggy's errors. Hooks whose failures must be
isolated or attributed to a plugin (veto, after commit, workflow extension, reminder
delivery, brief sections) are called one implementation at a time.
"""

from __future__ import annotations

import copy
import logging
from collections import deque
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from types import MappingProxyType
from typing import Any, Final, Protocol, TypeVar, cast, final

import pluggy

from secretarial.engine._directory import Directory
from secretarial.engine._keys import SigningKey
from secretarial.engine._relay import Subscription
from secretarial.errors import (
    PluginError,
    TransitionNotAllowed,
    UsageError,
    WorkflowDefinitionError,
)
from secretarial.kernel._area import Area, Registry, built_workflow
from secretarial.kernel._audit import AuditEvent
from secretarial.kernel._calendar import WorkCalendar
from secretarial.kernel._entity import Entity
from secretarial.kernel._enums import Classification
from secretarial.kernel._outbox import OutboxMessage
from secretarial.kernel._reminders import DueReminder
from secretarial.kernel._values import Actor
from secretarial.kernel._workflow import Workflow, WorkflowTable

from . import _hookspecs
from ._hookspecs import PROJECT

__all__ = [
    "ENTRY_POINT_GROUP",
    "BriefSection",
    "PluginFailure",
    "PluginNumbering",
    "Plugins",
    "hookimpl",
    "logger",
]

ENTRY_POINT_GROUP: Final = PROJECT
"""The entry-point group installed plugins are registered under: ``secretarial``."""

hookimpl: Final = pluggy.HookimplMarker(PROJECT)
"""Marks a function or method as the implementation of a ``secretarial`` hook."""

logger: Final = logging.getLogger("secretarial.plugins")
"""Where plugin failures are logged, with their tracebacks."""

MAX_FAILURES: Final = 1000
"""How many plugin failures an office keeps (the latest); all are logged."""

_VETO: Final = "secretarial_veto_transition"
_AFTER_COMMIT: Final = "secretarial_after_commit"
_EXTEND: Final = "secretarial_extend_workflow"
_AREAS: Final = "secretarial_areas"
_DELIVER: Final = "secretarial_deliver_reminder"
_BRIEF: Final = "secretarial_brief_sections"
_NUMBER: Final = "secretarial_number_format"
_CALENDAR: Final = "secretarial_work_calendar"
_DIRECTORY: Final = "secretarial_directory"
_KEY: Final = "secretarial_checkpoint_key"
_OUTBOX: Final = "secretarial_outbox_events"
_ONE_BY_ONE: Final = (_VETO, _AFTER_COMMIT, _EXTEND, _AREAS, _DELIVER, _BRIEF)
"""Hooks called one implementation at a time (so they take no wrappers)."""

E = TypeVar("E", bound=Entity)


@dataclass(frozen=True, slots=True)
class BriefSection:
    """One section a plugin adds to a daily brief.

    Attributes:
        title: The section's heading.
        lines: Its lines, in order.
        plugin: The plugin that contributed it (filled in by :class:`Plugins`).
    """

    title: str
    lines: tuple[str, ...] = ()
    plugin: str = ""


@dataclass(frozen=True, slots=True)
class PluginFailure:
    """A plugin that raised where its failure is isolated; it is also logged.

    Attributes:
        plugin: The name the plugin is registered under.
        hook: The hook it failed in (``"secretarial_after_commit"`` ...).
        subject: What it was handling (``"incoming_document IN-1 v2 register"``).
        error: The exception, as ``"Type: message"``.
    """

    plugin: str
    hook: str
    subject: str
    error: str

    def __str__(self) -> str:
        return f"plugin {self.plugin!r} failed in {self.hook} on {self.subject}: {self.error}"


class _Numbering(Protocol):
    """What :class:`PluginNumbering` needs of the policy it falls back on."""

    def sequence_key(self, series: str, entity: Entity, now: datetime) -> str: ...

    def format(self, series: str, entity: Entity, now: datetime, sequence: int) -> Any: ...


@final
class Plugins:
    """The plugins an office runs, and one typed method per hook.

    Plugins are asked in the reverse order of registration (pluggy's order): the
    installed ones are registered first and the ones given in code after them, so the
    last plugin given in code is asked first and the first installed one last;
    ``@hookimpl(tryfirst=True)`` or ``trylast=True`` on an implementation moves it.

    Args:
        plugins: Plugin objects to register (modules, classes or instances with
            ``@hookimpl`` functions). Each is registered under its ``__name__`` or
            its class name (with ``#2``, ``#3`` ... when taken).
        load_entry_points: Also register the plugins installed under the
            ``secretarial`` entry-point group, under their entry-point names.

    Raises:
        UsageError: A plugin cannot be loaded, implements a hook that does not exist or
            with arguments the specification does not have, wraps a hook that is
            called one implementation at a time, or is given twice.
    """

    def __init__(self, plugins: Iterable[object] = (), *, load_entry_points: bool = True) -> None:
        self._pm = pluggy.PluginManager(PROJECT)
        self._pm.add_hookspecs(_hookspecs)
        self._failures: deque[PluginFailure] = deque(maxlen=MAX_FAILURES)
        if load_entry_points:
            try:
                self._pm.load_setuptools_entrypoints(ENTRY_POINT_GROUP)
            except pluggy.PluginValidationError as e:
                raise UsageError(f"an installed plugin does not fit: {e}") from e
            except Exception as e:
                raise UsageError(
                    f"the plugins of the entry-point group {ENTRY_POINT_GROUP!r} could not "
                    f"be loaded: {type(e).__name__}: {e}"
                ) from e
        for plugin in plugins:
            self._register(plugin)
        try:
            self._pm.check_pending()
        except pluggy.PluginValidationError as e:
            raise UsageError(f"plugin {self._pm.get_name(e.plugin)!r}: {e}") from e
        for hook in _ONE_BY_ONE:
            for impl in getattr(self._pm.hook, hook).get_hookimpls():
                if impl.wrapper or impl.hookwrapper:
                    raise UsageError(
                        f"plugin {impl.plugin_name!r} wraps {hook}, which is called one "
                        "plugin at a time and takes no wrappers"
                    )

    def _register(self, plugin: object) -> None:
        base = str(getattr(plugin, "__name__", None) or type(plugin).__name__)
        name, n = base, 1
        while self._pm.has_plugin(name) or self._pm.is_blocked(name):
            n += 1
            name = f"{base}#{n}"
        try:
            self._pm.register(plugin, name=name)
        except pluggy.PluginValidationError as e:
            raise UsageError(f"plugin {name!r}: {e}") from e
        except ValueError as e:  # the same object given twice
            raise UsageError(f"plugin {name!r}: {e}") from e

    # ------------------------------------------------------------------ introspection
    @property
    def manager(self) -> pluggy.PluginManager:
        """The pluggy plugin manager (to inspect it; register plugins when the office is made)."""
        return self._pm

    @property
    def names(self) -> tuple[str, ...]:
        """The names of the registered plugins, in registration order."""
        return tuple(name for name, plugin in self._pm.list_name_plugin() if plugin is not None)

    def implements(self, hook: str) -> bool:
        """Whether any registered plugin implements ``hook`` (``"secretarial_..."``)."""
        caller = getattr(self._pm.hook, hook, None)
        return caller is not None and bool(caller.get_hookimpls())

    @property
    def failures(self) -> tuple[PluginFailure, ...]:
        """The isolated failures so far, oldest first (the latest :data:`MAX_FAILURES`)."""
        return tuple(self._failures)

    def __repr__(self) -> str:
        return f"<Plugins: {', '.join(self.names) or 'none'}>"

    # ------------------------------------------------------------------ hooks
    def veto(
        self,
        entity: Entity,
        trigger: str,
        actor: Actor,
        data: Mapping[str, Any] | None,
        now: datetime,
    ) -> tuple[str, str] | None:
        """Ask the plugins whether a change may happen (``secretarial_veto_transition``).

        Returns:
            The refusing plugin's name and its reason, or None when none refuses. A
            plugin that raises refuses (fails closed); its failure is recorded.
        """
        frozen = _frozen(data)
        arguments = {
            "entity": entity,
            "trigger": trigger,
            "actor": actor,
            "data": frozen,
            "now": now,
        }
        for impl, args in self._each(_VETO, arguments):
            try:
                reason = impl.function(*args)
            except Exception as e:  # noqa: BLE001 -- a plugin's bug refuses; it is recorded
                failure = self._failed(impl, _VETO, _subject(entity, trigger), e)
                return impl.plugin_name, f"failed while judging ({failure.error})"
            if reason is not None:
                return impl.plugin_name, str(reason) or "refused"
        return None

    def check_change(self, entity: Entity, event: AuditEvent) -> None:
        """Refuse the change ``event`` records if a plugin vetoes it.

        Args:
            entity: The entity before the change (the new entity for a creation).
            event: The change's audit event (trigger, actor, input, time).

        Raises:
            TransitionNotAllowed: A plugin refuses; rule code ``PLUGIN``, the reason
                names the plugin.
        """
        vetoed = self.veto(entity, event.trigger, event.actor, event.payload, event.at)
        if vetoed is None:
            return
        name, reason = vetoed
        raise TransitionNotAllowed(
            entity_id=entity.id,
            entity_kind=str(entity.entity_kind),
            state="(new)" if event.is_creation else str(entity.state),
            trigger=event.trigger,
            rule_code="PLUGIN",
            reason=f"plugin {name!r} refuses: {reason}",
        )

    def after_commit(self, event: AuditEvent, entity: Entity) -> list[PluginFailure]:
        """Tell every plugin about a committed change (``secretarial_after_commit``).

        Returns:
            The failures of plugins that raised (logged and recorded); the others ran.
        """
        subject = f"{entity.entity_kind} {entity.id} v{event.version} {event.trigger}"
        if event.payload:  # the stored event's payload must stay as it was recorded
            event = event.model_copy(update={"payload": copy.deepcopy(event.payload)})
        return self._isolated(_AFTER_COMMIT, {"event": event, "entity": entity}, subject)

    def number_format(self, series: str, entity: Entity, now: datetime, sequence: int) -> Any:
        """The number a plugin writes (``secretarial_number_format``), or None.

        Raises:
            PluginError: A plugin raised; nothing is numbered.
        """
        arguments = {"series": series, "entity": entity, "now": now, "sequence": sequence}
        return self._first(_NUMBER, arguments, f"{series} number {sequence} of {entity.id}")

    def numbering(self, base: _Numbering) -> PluginNumbering:
        """A numbering policy that asks the plugins first and ``base`` otherwise."""
        return PluginNumbering(base, self)

    def work_calendar(self) -> WorkCalendar | None:
        """The calendar a plugin supplies (``secretarial_work_calendar``), or None.

        Raises:
            PluginError: A plugin raised.
        """
        return cast("WorkCalendar | None", self._first(_CALENDAR, {}, "the work calendar"))

    def directory(self) -> Directory | None:
        """The directory a plugin supplies (``secretarial_directory``), or None.

        Raises:
            PluginError: A plugin raised.
        """
        return cast("Directory | None", self._first(_DIRECTORY, {}, "the directory"))

    def checkpoint_key(self) -> SigningKey | None:
        """The checkpoint key a plugin supplies (``secretarial_checkpoint_key``), or None.

        Raises:
            PluginError: A plugin raised, or answered with something that cannot sign.
        """
        plugin, key = self._answer(_KEY, {}, "the checkpoint key")
        if key is None or isinstance(key, SigningKey):
            return key
        raise PluginError(
            plugin,
            _KEY,
            "the checkpoint key",
            f"answered {key!r}, which is not a SigningKey (record, sign, verify)",
        )

    def add_areas(self, registry: Registry) -> Registry:
        """``registry`` with the areas the plugins add (``secretarial_areas``), in order.

        Raises:
            WorkflowDefinitionError: A plugin raised, returned something other than
                areas, or an area that clashes with one already registered; the error
                names the plugin.
        """
        for impl in self._impls(_AREAS):
            label = f"the areas of plugin {impl.plugin_name}"
            try:
                given = cast("Iterable[Any] | None", impl.function())
                areas = list(given) if given is not None else []
            except Exception as e:
                raise WorkflowDefinitionError(
                    label, [f"the plugin raised {type(e).__name__}: {e}"]
                ) from e
            wrong = [a for a in areas if not isinstance(a, Area)]
            if wrong:
                raise WorkflowDefinitionError(
                    label, [f"the plugin returned {wrong[0]!r}, not an Area"]
                )
            try:
                registry = registry.with_areas(*areas)
            except WorkflowDefinitionError as e:
                problems = [f"{e.workflow}: {p}" for p in e.problems]
                raise WorkflowDefinitionError(label, problems) from e
        return registry

    def extend_workflow(self, workflow: Workflow[E]) -> Workflow[E]:
        """The workflow built from ``workflow``'s table as the plugins extend it.

        Each plugin gets the table as extended by the ones before it; each extension
        is validated when it is returned.

        Raises:
            WorkflowDefinitionError: An extension is broken, is not a table of the same
                entity type, or the plugin raised; the error names the plugin.
        """
        table: WorkflowTable[E] = workflow.table
        built = workflow
        for impl in self._impls(_EXTEND):
            label = f"{table.name} as extended by plugin {impl.plugin_name}"
            try:
                extended = impl.function(*[table for _ in impl.argnames])
            except Exception as e:
                raise WorkflowDefinitionError(
                    label, [f"the plugin raised {type(e).__name__}: {e}"]
                ) from e
            if extended is None:
                continue
            if (
                not isinstance(extended, WorkflowTable)
                or extended.entity_type is not table.entity_type
            ):
                raise WorkflowDefinitionError(
                    label,
                    [
                        (
                            f"the plugin returned {extended!r}, not a WorkflowTable of "
                            f"{table.entity_type.__name__}"
                        )
                    ],
                )
            try:
                built = built_workflow(extended)
            except WorkflowDefinitionError as e:
                raise WorkflowDefinitionError(label, e.problems) from e
            table = extended
        return built

    def deliver_reminders(self, reminders: Iterable[DueReminder]) -> list[PluginFailure]:
        """Hand each reminder to every plugin (``secretarial_deliver_reminder``).

        Returns:
            The failures of plugins that raised (logged and recorded); the others ran.
        """
        failures: list[PluginFailure] = []
        for reminder in reminders:
            subject = f"{reminder.entity_kind} {reminder.entity_id} {reminder.step}"
            failures += self._isolated(_DELIVER, {"reminder": reminder}, subject)
        return failures

    def sinks(
        self,
        *,
        clearance: Classification = Classification.UNCLASSIFIED,
        subscription: Subscription | None = None,
    ) -> list[PluginSink]:
        """A sink for each plugin that takes outbox events (``secretarial_outbox_events``).

        Give them to ``Office.relay`` or ``Office.outbox_relay``. ``clearance`` is what
        the plugins are cleared for; ``subscription`` which events they take.
        """
        return [
            PluginSink(self, impl, clearance, subscription or Subscription())
            for impl in self._impls(_OUTBOX)
        ]

    def brief_sections(
        self, actor: Actor, day: date, entities: Iterable[Entity] = ()
    ) -> list[BriefSection]:
        """The sections the plugins add to ``actor``'s brief for ``day``, in call order.

        Each plugin is given ``entities``, the open entities the actor may see.

        A plugin that raises or returns something else than sections contributes
        nothing; its failure is logged and recorded.
        """
        sections: list[BriefSection] = []
        arguments = {"actor": actor, "day": day, "entities": tuple(entities)}
        for impl, args in self._each(_BRIEF, arguments):
            try:
                given = _sections(impl.function(*args))
            except Exception as e:  # noqa: BLE001 -- isolated, logged and recorded
                self._failed(impl, _BRIEF, f"brief of {actor.id} for {day}", e)
                continue
            sections += [s if s.plugin else replace(s, plugin=impl.plugin_name) for s in given]
        return sections

    # ------------------------------------------------------------------ internals
    def _each(
        self, hook: str, arguments: Mapping[str, Any]
    ) -> Iterator[tuple[pluggy.HookImpl, list[Any]]]:
        """Each implementation of ``hook`` in call order, with the arguments it takes."""
        for impl in self._impls(hook):
            yield impl, [arguments[name] for name in impl.argnames]

    def _impls(self, hook: str) -> list[pluggy.HookImpl]:
        """The implementations of ``hook`` in the order pluggy calls them."""
        return list(reversed(getattr(self._pm.hook, hook).get_hookimpls()))

    def _first(self, hook: str, arguments: Mapping[str, Any], subject: str) -> Any:
        """The first answer that is not None, as pluggy's ``firstresult`` gives it.

        Raises:
            PluginError: The plugin asked raised (recorded among :attr:`failures`).
        """
        return self._answer(hook, arguments, subject)[1]

    def _answer(self, hook: str, arguments: Mapping[str, Any], subject: str) -> tuple[str, Any]:
        """The first answer that is not None, and the name of the plugin that gave it."""
        for impl, args in self._each(hook, arguments):
            try:
                result = impl.function(*args)
            except Exception as e:
                failure = self._failed(impl, hook, subject, e)
                raise PluginError(failure.plugin, hook, subject, failure.error) from e
            if result is not None:
                return impl.plugin_name, result
        return "", None

    def _isolated(
        self, hook: str, arguments: Mapping[str, Any], subject: str
    ) -> list[PluginFailure]:
        failures: list[PluginFailure] = []
        for impl, args in self._each(hook, arguments):
            try:
                impl.function(*args)
            except Exception as e:  # noqa: BLE001 -- isolated, logged and recorded
                failures.append(self._failed(impl, hook, subject, e))
        return failures

    def _failed(
        self, impl: pluggy.HookImpl, hook: str, subject: str, error: Exception
    ) -> PluginFailure:
        failure = PluginFailure(
            plugin=impl.plugin_name,
            hook=hook,
            subject=subject,
            error=f"{type(error).__name__}: {error}",
        )
        logger.error("%s", failure, exc_info=error)
        self._failures.append(failure)
        return failure


@final
class PluginSink:
    """A relay's sink that hands events to one plugin's ``secretarial_outbox_events``.

    A failure of the plugin is logged and recorded (``Plugins.failures``) and raised as
    :class:`~secretarial.PluginError`, so that the relay gives the batch again later.
    """

    __slots__ = ("_impl", "_plugins", "clearance", "name", "subscription")

    def __init__(
        self,
        plugins: Plugins,
        impl: pluggy.HookImpl,
        clearance: Classification,
        subscription: Subscription,
    ) -> None:
        self._plugins = plugins
        self._impl = impl
        self.name = f"plugin:{impl.plugin_name}"
        self.clearance = clearance
        self.subscription = subscription

    def deliver(self, messages: Sequence[OutboxMessage]) -> None:
        """Give the plugin the batch, read as events."""
        events = tuple(message.event() for message in messages)
        subject = f"{len(events)} outbox events from position {messages[0].position}"
        try:
            self._impl.function(*[{"events": events}[name] for name in self._impl.argnames])
        except Exception as e:
            failure = self._plugins._failed(self._impl, _OUTBOX, subject, e)  # noqa: SLF001
            raise PluginError(failure.plugin, _OUTBOX, subject, failure.error) from e

    def __repr__(self) -> str:
        return f"<PluginSink {self.name}>"


@final
class PluginNumbering:
    """A numbering policy that lets the plugins write a number before its base policy.

    The counter a number is drawn from is always the base policy's; only the written
    form comes from the first plugin that supplies one (``secretarial_number_format``).

    Args:
        base: The office's own numbering policy.
        plugins: The plugins to ask first.
    """

    def __init__(self, base: _Numbering, plugins: Plugins) -> None:
        self._base = base
        self._plugins = plugins

    @property
    def base(self) -> _Numbering:
        """The policy asked when no plugin writes the number."""
        return self._base

    def sequence_key(self, series: str, entity: Entity, now: datetime) -> str:
        """The base policy's counter."""
        return self._base.sequence_key(series, entity, now)

    def format(self, series: str, entity: Entity, now: datetime, sequence: int) -> Any:
        """A plugin's written form, or the base policy's."""
        written = self._plugins.number_format(series, entity, now, sequence)
        if written is not None:
            return written
        return self._base.format(series, entity, now, sequence)

    def __repr__(self) -> str:
        return f"PluginNumbering({self._base!r}, {self._plugins!r})"


def _frozen(value: Any) -> Any:
    """``value`` with every mapping read-only and every list a tuple, all the way down."""
    if isinstance(value, Mapping):
        return MappingProxyType({k: _frozen(v) for k, v in value.items()})
    if isinstance(value, list | tuple):
        return tuple(_frozen(v) for v in value)
    if isinstance(value, set):
        return frozenset(value)
    return value


def _sections(result: object) -> list[BriefSection]:
    """What a ``secretarial_brief_sections`` implementation returned, checked."""
    if result is None:
        return []
    given: list[object] = list(result) if isinstance(result, Iterable) else [result]
    sections = [s for s in given if isinstance(s, BriefSection)]
    if len(sections) != len(given):
        raise TypeError(f"expected BriefSection values, got {result!r}")
    return sections


def _subject(entity: Entity, trigger: str) -> str:
    return f"{entity.entity_kind} {entity.id} {trigger}"
