"""The one exception tree of :mod:`secretarial`.

Every error the library raises on purpose is a :class:`SecretarialError`. Errors that
mean *you called the library wrongly or defined something broken* are kept apart from
*the office refused what you asked* (a rule, a state, a version, a permission), so a
host application can map the second family to "409/422 with a message for the user"
and treat the first as a bug::

    SecretarialError
    ├── UsageError                      (a bug in the calling code or in a definition)
    │   ├── WorkflowDefinitionError     a state table is broken (at build time)
    │   ├── MissingExtraError           an optional extra is not installed (ImportError)
    │   ├── CalendarCoverageError       a date outside the years a calendar knows (LookupError)
    │   ├── StoreError                  a database that cannot be used (unreachable, newer)
    │   └── PluginError                 a plugin raised where the office needs its answer
    └── DomainError                     (the office refused; show it to the person)
        ├── ValidationError             input does not fit a model (ValueError)
        ├── RuleViolation               a named business rule is broken (ValueError)
        ├── TransitionNotAllowed        a trigger may not fire now
        ├── NotFound                    no entity with that id (LookupError)
        │   └── AccessDenied            one the actor may not see: said as not found
        ├── ConcurrencyConflict         someone else saved first
        └── IdempotencyKeyReused        an idempotency key came again with another command

Each class has a stable, machine-readable :attr:`SecretarialError.code` and each
instance carries structured attributes (entity id, state, trigger, rule code ...)
beside a message a person can act on; :func:`http_status` gives the HTTP status a web
host answers each with. This module imports nothing internal.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import ClassVar

__all__ = [
    "AccessDenied",
    "CalendarCoverageError",
    "ConcurrencyConflict",
    "DomainError",
    "FieldProblem",
    "IdempotencyKeyReused",
    "MissingExtraError",
    "NotFound",
    "PluginError",
    "RuleViolation",
    "SecretarialError",
    "StoreError",
    "TransitionNotAllowed",
    "UsageError",
    "ValidationError",
    "WorkflowDefinitionError",
    "http_status",
]


class SecretarialError(Exception):
    """Root of every error raised on purpose by this library."""

    code: ClassVar[str] = "secretarial_error"
    """Stable identifier of the error class, safe to match on in host code."""


class UsageError(SecretarialError):
    """The calling code or a definition is wrong; fix the code, not the data."""

    code = "usage_error"


class WorkflowDefinitionError(UsageError):
    """A workflow table is broken; raised when the machine is built, never later.

    Attributes:
        workflow: Name of the workflow whose table is broken.
        problems: Every problem found, one sentence each.
    """

    code = "workflow_definition"

    def __init__(self, workflow: str, problems: Sequence[str]) -> None:
        self.workflow = workflow
        self.problems = tuple(problems)
        lines = "\n".join(f"  - {p}" for p in self.problems)
        super().__init__(f"workflow {workflow!r} is not well defined:\n{lines}")


class MissingExtraError(UsageError, ImportError):
    """An optional part of the library needs an extra that is not installed.

    Attributes:
        extra: Name of the extra that brings the missing package.
        package: The package that failed to import.
    """

    code = "missing_extra"

    def __init__(self, package: str, extra: str, feature: str) -> None:
        self.package = package
        self.extra = extra
        super().__init__(
            f"{feature} needs the package {package!r}; "
            f"install it with: pip install 'secretarial[{extra}]'"
        )


class CalendarCoverageError(UsageError, LookupError):
    """A working-day question about a date the calendar has no data for.

    A calendar never guesses: a year whose official notice is not in its data has no
    answer until the notice is loaded, unless the office's calendar policy is
    ``provisional`` (the default of an :class:`~secretarial.Office`), which derives the
    year from the law and marks what depends on it.

    Attributes:
        calendar: The calendar's id.
        day: The date asked about.
        covered: The years the calendar covers, as ``(first, last)``, or None if none.
    """

    code = "calendar_coverage"

    def __init__(self, calendar: str, day: object, covered: tuple[int, int] | None) -> None:
        self.calendar = calendar
        self.day = day
        self.covered = covered
        span = f"{covered[0]}–{covered[1]}" if covered else "no years"
        super().__init__(
            f"calendar {calendar!r} has no data for {day}; it covers {span}. "
            "Load the year's State Council notice (Office.load_calendar_notice, or "
            "`secretarial calendar load FILE`) to answer for it."
        )

    def __str__(self) -> str:  # LookupError would otherwise repr() the message
        return str(self.args[0])


class StoreError(UsageError):
    """The database could not be used: unreachable, holding no office, or newer than us."""

    code = "store_error"


class PluginError(UsageError):
    """A plugin raised where the office cannot go on without its answer.

    Hooks whose failure can be isolated (after commit, reminder delivery, brief
    sections) record it and go on; a veto that raises refuses. A hook the office needs
    an answer from (a number's written form, the calendar, the directory) raises this,
    naming the plugin; the plugin's own exception is its ``__cause__``.

    Attributes:
        plugin: The plugin's registered name.
        hook: The hook it failed in.
        error: The plugin's exception, as ``Type: message``.
    """

    code = "plugin_error"

    def __init__(self, plugin: str, hook: str, subject: str, error: str) -> None:
        self.plugin = plugin
        self.hook = hook
        self.error = error
        super().__init__(f"plugin {plugin!r} failed in {hook} on {subject}: {error}")


class DomainError(SecretarialError):
    """The office refused the request; the message is meant for the person."""

    code = "domain_error"


@dataclass(frozen=True, slots=True)
class FieldProblem:
    """One problem with one input field.

    Attributes:
        field: Dotted path of the field (``"deadline"``, ``"recipients.0.code"``).
        rule: What was checked (a rule code such as ``"D6"`` or a check name such as
            ``"missing"``, ``"timezone_aware"``).
        message: What is wrong, in words.
        accepted: What would have been accepted, where that can be said.
    """

    field: str
    rule: str
    message: str
    accepted: str | None = None

    def __str__(self) -> str:
        text = f"{self.field}: {self.message} [{self.rule}]"
        if self.accepted:
            text += f"; accepted: {self.accepted}"
        return text


class ValidationError(DomainError, ValueError):
    """Input does not fit a model; nothing was changed.

    Attributes:
        model: Name of the model or value being validated.
        problems: One :class:`FieldProblem` per field that failed.
    """

    code = "validation"

    def __init__(self, model: str, problems: Iterable[FieldProblem]) -> None:
        self.model = model
        self.problems = tuple(problems)
        if len(self.problems) == 1:
            detail = str(self.problems[0])
        else:
            detail = "".join(f"\n  - {p}" for p in self.problems)
        super().__init__(f"invalid {model}: {detail}")

    @property
    def fields(self) -> tuple[str, ...]:
        """The fields that failed, in order."""
        return tuple(p.field for p in self.problems)


class RuleViolation(DomainError, ValueError):
    """A named business rule is broken.

    Attributes:
        rule_code: The rule's stable code (``"D11"``, ``"S3"`` ...).
        rule_name: The rule's short name.
        entity_id: The entity concerned, if there is one yet.
        withheld: The entities the rule was judged on that the actor may not see, as the
            refusals of access the office records; the message says nothing of them
            beyond what the actor may know (M9: a room booked by a meeting hidden from
            them is "booked at that time"). For the host only, never to be shown.
    """

    code = "rule_violation"

    def __init__(
        self,
        rule_code: str,
        rule_name: str,
        message: str,
        *,
        entity_id: str | None = None,
        withheld: Sequence[AccessDenied] = (),
    ) -> None:
        self.rule_code = rule_code
        self.rule_name = rule_name
        self.entity_id = entity_id
        self.detail = message
        self.withheld = tuple(withheld)
        where = f" ({entity_id})" if entity_id else ""
        super().__init__(f"rule {rule_code} {rule_name}{where}: {message}")


class TransitionNotAllowed(DomainError):
    """A trigger may not fire on an entity now; the entity was left as it was.

    Attributes:
        entity_id: The entity the trigger was fired on.
        entity_kind: Its kind (``"incoming_document"`` ...).
        state: Its state when the trigger was refused.
        trigger: The trigger that was refused.
        rule_code: Code of the rule that refused it (``"STATE"`` for a trigger that does
            not exist in this state, ``"ROLE"`` for a missing role, ``"D16"`` ...).
        reason: What is missing, in words.
    """

    code = "transition_not_allowed"

    def __init__(
        self,
        *,
        entity_id: str,
        entity_kind: str,
        state: str,
        trigger: str,
        rule_code: str,
        reason: str,
    ) -> None:
        self.entity_id = entity_id
        self.entity_kind = entity_kind
        self.state = state
        self.trigger = trigger
        self.rule_code = rule_code
        self.reason = reason
        super().__init__(
            f"{entity_kind} {entity_id} in state {state!r}: "
            f"{trigger!r} refused by rule {rule_code}: {reason}"
        )


class NotFound(DomainError, LookupError):
    """No entity with that id exists (or it is not visible to the caller).

    Attributes:
        entity_id: The id that was looked up.
        entity_kind: The kind that was expected, if one was.
    """

    code = "not_found"

    def __init__(self, entity_id: str, entity_kind: str | None = None) -> None:
        self.entity_id = entity_id
        self.entity_kind = entity_kind
        super().__init__(f"no {entity_kind or 'entity'} with id {entity_id!r}")

    def __str__(self) -> str:  # LookupError would otherwise repr() the message
        return str(self.args[0])


class ConcurrencyConflict(DomainError):
    """A save was based on a version that is no longer current; nothing was written.

    Attributes:
        entity_id: The entity that was saved.
        expected_version: The version the caller read.
        actual_version: The version now stored (``None`` if it is gone).
        content: Whether the versions are content versions
            (:attr:`~secretarial.kernel.Entity.content_version`, reminders left out).
    """

    code = "concurrency_conflict"

    def __init__(
        self,
        entity_id: str,
        expected_version: int,
        actual_version: int | None,
        *,
        content: bool = False,
    ) -> None:
        self.entity_id = entity_id
        self.expected_version = expected_version
        self.actual_version = actual_version
        self.content = content
        which = "content version" if content else "version"
        super().__init__(
            f"{entity_id}: saved on {which} {expected_version}, "
            f"but the stored {which} is {actual_version}; reload and try again"
        )


class IdempotencyKeyReused(DomainError):
    """An idempotency key came again with another command; nothing was done.

    A key stands for one command: the retry of a command sent under it is answered with
    the first result, but another command (another input, trigger, entity or actor)
    under the same key is refused, since answering it with the first result would
    report as done what was never asked for.

    Attributes:
        key: The key.
        entity_id: The entity the first command under the key resulted in.
    """

    code = "idempotency_key_reused"

    def __init__(self, key: str, entity_id: str) -> None:
        self.key = key
        self.entity_id = entity_id
        super().__init__(
            f"the idempotency key {key!r} was given with another command (which resulted "
            f"in {entity_id}); send a new key with each new command"
        )


class AccessDenied(NotFound, PermissionError):
    """The actor may not see this entity: to them it is as if there were none.

    Its message is a missing id's, word for word (``no entity with id 'in-7'``), and
    its :attr:`code` is :class:`NotFound`'s, so what reaches the actor says nothing of the
    entity's classification, title or scope. Why it was refused is kept for the office:
    in the denial the office records (``Office.denials()``) and in :attr:`reason`, for the
    host's logs only.

    Attributes:
        actor_id: Who asked.
        entity_id: What they asked for.
        reason: Why they may not, in words; never shown in the message.
    """

    def __init__(self, actor_id: str, entity_id: str, reason: str) -> None:
        super().__init__(entity_id)
        self.actor_id = actor_id
        self.reason = reason


def http_status(error: SecretarialError) -> int:
    """The HTTP status a web host answers ``error`` with.

    ========================================================  ======
    error                                                     status
    ========================================================  ======
    :class:`NotFound` (and :class:`AccessDenied`)             404
    :class:`TransitionNotAllowed` for a missing role (ROLE)   403
    :class:`ConcurrencyConflict`                              409
    :class:`ValidationError`, :class:`RuleViolation`, other   422
    refusals (:class:`DomainError`)
    :class:`CalendarCoverageError`, :class:`StoreError`       503
    any other :class:`UsageError` (a bug in the host or a     500
    plugin)
    ========================================================  ======

    A hidden entity is a 404 like a missing one, so the status says nothing of it either.
    """
    status = 500
    if isinstance(error, NotFound):
        status = 404
    elif isinstance(error, TransitionNotAllowed) and error.rule_code == "ROLE":
        status = 403
    elif isinstance(error, ConcurrencyConflict):
        status = 409
    elif isinstance(error, DomainError):
        status = 422
    elif isinstance(error, CalendarCoverageError | StoreError):
        status = 503
    return status
