"""The workflow engine: declarative state tables run on one `transitions` machine per type.

A :class:`WorkflowTable` declares states, the creation trigger and the transitions with
the roles and named rules that guard them. :class:`Workflow` validates the table and
builds a single :class:`transitions.Machine` for it, with no model attached. Firing a
trigger runs that machine on a small throw-away :class:`TransitionContext`; the entity
itself is immutable, and the result is a *new* entity (``version + 1``) and an
:class:`AuditEvent`. When anything refuses, nothing has changed.

This is the only module that imports ``transitions``.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, tzinfo
from typing import TYPE_CHECKING, Any, ClassVar, Final, Generic, TypeVar, cast

import pydantic
from transitions import Machine

from secretarial.errors import (
    FieldProblem,
    TransitionNotAllowed,
    UsageError,
    ValidationError,
    WorkflowDefinitionError,
)

from ._audit import EVENT_SCHEMA, AuditEvent, canonical_problems, seal_validated
from ._calendar import WorkCalendar
from ._entity import Entity, accept_states, evolve
from ._enums import LabeledEnum
from ._rules import Rule, TransitionContext
from ._values import Value, problems_from_pydantic
from ._verbs import (
    REASSIGN_ELSEWHERE,
    REASSIGN_REASON,
    REASSIGN_TRIGGER,
    RETURN_REASON,
    RETURN_TRIGGER,
    WITHDRAW_TRIGGER,
    Reassignment,
    Return,
    ReturnTo,
    last_act,
    reassigned,
    return_target_rule,
    returned,
    undone,
    withdraw_rule,
)

if TYPE_CHECKING:
    from ._values import Actor

__all__ = [
    "Allocation",
    "Completion",
    "CreationSpec",
    "Diagram",
    "TransitionEnv",
    "TransitionSpec",
    "Workflow",
    "WorkflowTable",
    "problems_from_pydantic",
]

E = TypeVar("E", bound=Entity)

Effect = Callable[[TransitionContext], dict[str, Any]]
"""Computes the fields a transition changes, from the validated input and the actor."""

P = TypeVar("P")


@dataclass(frozen=True, slots=True)
class TransitionEnv:
    """What a row's completion may ask of the office: its zone, calendar and policies.

    Attributes:
        timezone: The office's time zone (local dates are taken in it).
        calendar: The office's working-day calendar, built when first asked for.
        policies: The office's policies by their type (``DeadlinePolicy`` ...).
        contacts: The actor ids who act for a unit in a countersign (会签), by unit
            code, from the office's directory; None when the office has none.
    """

    timezone: tzinfo
    calendar: Callable[[], WorkCalendar]
    policies: Mapping[type, object]
    contacts: Callable[[str], tuple[str, ...]] | None = None

    def policy(self, kind: type[P]) -> P:
        """The office's policy of type ``kind``.

        Raises:
            UsageError: The office has none of that type.
        """
        found = self.policies.get(kind)
        if not isinstance(found, kind):
            raise UsageError(f"the office has no {kind.__name__}; a completion asked for one")
        return found


Completion = Callable[
    [Entity, "Mapping[str, Any] | None", TransitionEnv], "Mapping[str, Any] | None"
]
"""Completes a trigger's input from office policy before it fires (a default deadline).

Declared by the table row that needs it, run by the engine inside the unit of work; it
returns the input unchanged when there is nothing to complete.
"""


@dataclass(frozen=True, slots=True)
class Allocation:
    """A number that the office allocates inside the transition's unit of work.

    Attributes:
        field: The input field the allocated value is written to.
        series: Name of the numbering series (``"outgoing"``, ``"incoming"``).
    """

    field: str
    series: str


@dataclass(frozen=True, slots=True)
class TransitionSpec:
    """One row of a state table.

    Attributes:
        trigger: The trigger's name.
        sources: The states it fires from.
        dest: The state it leads to; None for a recorded action that leaves the state
            as it is (a progress report, a reminder).
        roles: Roles allowed to fire it; None means any actor.
        rules: Named rules that must all hold, checked in order after the role.
        data: The pydantic model of the trigger's input, if it takes one.
        effect: Computes the fields the transition changes.
        label: The Chinese term, for diagrams and lists.
        allocates: A number the office allocates when this transition fires.
        revalidate: Fields that model-level rules look at: when the transition changes
            one of them, the changed entity is validated again as a whole.
        complete: Completes the input from office policy before the row fires (the
            default deadline of ``assign``).
        awaited: Whether firing it is work someone is waiting for. False for what a
            person may do at any time and nothing waits on (a reminder, a progress
            report, a copy, a revocation, a hold): the brief does not list it as waiting.
        withdrawable: Whoever fired it may take it back (``withdraw``, 撤回) while the
            next step has not acted; never a row that draws a number or signs.
        signs: Firing it puts a signature on the entity (签发, 会签): it is never
            withdrawable.
        reads_history: Its effect reads the entity's audit trail
            (``TransitionContext.history``), which the engine then loads for it.
        delegable: A delegate acting for a principal (委托) counts as the principal for
            the rules that name a person (``TransitionContext.acts_as``: the original
            signer signs again, the drafter submits). Elsewhere a delegate acts with the
            roles lent, never as the principal in person.
        parallel: Several people fire it on the same step at once, each once (the
            answers of a countersign 会签, the readers of a parallel circulation); the
            diagram draws the step as parallel.
    """

    trigger: str
    sources: tuple[str, ...]
    dest: str | None
    roles: frozenset[str] | None = None
    rules: tuple[Rule, ...] = ()
    data: type[pydantic.BaseModel] | None = None
    effect: Effect | None = None
    label: str = ""
    allocates: Allocation | None = None
    revalidate: frozenset[str] = frozenset()
    complete: Completion | None = None
    awaited: bool = True
    withdrawable: bool = False
    signs: bool = False
    reads_history: bool = False
    delegable: bool = False
    parallel: bool = False


@dataclass(frozen=True, slots=True)
class CreationSpec:
    """How an entity comes into being: the creation trigger (``receive``, ``draft``, ``open``).

    The input of a creation is the entity's own fields (all but id, version, state and
    the timestamps), validated by the entity model itself.
    """

    trigger: str
    dest: str
    roles: frozenset[str] | None = None
    rules: tuple[Rule, ...] = ()
    label: str = ""
    managed: frozenset[str] = frozenset()
    """Entity fields that only later triggers set; a creation may not set them."""


class Input(Value):
    """Base of trigger inputs: immutable, no unknown fields."""


@dataclass(frozen=True)
class WorkflowTable(Generic[E]):
    """A declarative state table for one entity type.

    Tables are plain data: a host or a plugin extends one with :meth:`extended` — more
    transitions, and more states (a review level, a hold) — and the result is validated
    like the built-in tables when a :class:`Workflow` is built from it.

    Attributes:
        name: The workflow's name.
        entity_type: The entity class it runs.
        states: The enumeration of its states.
        creation: How an entity comes into being.
        transitions: The rows, in order.
        description: One line on the workflow.
        added_states: States added to ``states`` by extensions, members of any
            :class:`LabeledEnum`; each is a step on the way, never a terminal state.
        returns: The returns (退回) the table allows, each from later steps back to an
            earlier one; the workflow adds a ``return_to`` row for each.
        reassign: The roles that may hand an open step to another actor or unit
            (``reassign``, 转办); None: the table offers no reassignment.
    """

    name: str
    entity_type: type[E]
    states: type[LabeledEnum]
    creation: CreationSpec
    transitions: tuple[TransitionSpec, ...]
    description: str = ""
    added_states: tuple[LabeledEnum, ...] = ()
    returns: tuple[Return, ...] = ()
    reassign: frozenset[str] | None = None

    @property
    def all_states(self) -> tuple[LabeledEnum, ...]:
        """The table's states, the added ones last."""
        return (*self.states, *self.added_states)

    @property
    def rules(self) -> tuple[Rule, ...]:
        """Every named rule the table enforces (creation first), each once, in table order."""
        return rules_of(self)

    def extended(
        self,
        *transitions: TransitionSpec,
        states: Iterable[LabeledEnum] = (),
        returns: Iterable[Return] = (),
        reassign: frozenset[str] | None = None,
        name: str | None = None,
    ) -> WorkflowTable[E]:
        """A copy of this table with more transitions and, optionally, more states.

        An added state (``DeptReview.DEPT_REVIEWED``, a member of a :class:`LabeledEnum`
        of your own) is a step: the transitions given must lead into it and out of it,
        which the table's validation checks when a workflow is built from it. Entities of
        the table's class then accept the state when read back from a store. ``returns``
        adds returns (退回) to earlier steps; ``reassign`` names the roles that may hand
        a step over (转办), replacing the table's.
        """
        return replace(
            self,
            transitions=self.transitions + transitions,
            added_states=self.added_states + tuple(states),
            returns=self.returns + tuple(returns),
            reassign=self.reassign if reassign is None else reassign,
            name=name or self.name,
        )

    def without(self, *triggers: str) -> WorkflowTable[E]:
        """A copy of this table without the rows of ``triggers``.

        For an office whose process replaces a step (three review levels instead of the
        one ``review``): leave the step out, then :meth:`extended` with the office's own.
        The result is validated when a workflow is built from it.

        Raises:
            UsageError: The table has no such trigger.
        """
        return _without(self, triggers)


def _without(table: WorkflowTable[E], triggers: Iterable[str]) -> WorkflowTable[E]:
    dropped = set(triggers)
    unknown = dropped - {spec.trigger for spec in table.transitions}
    if unknown:
        raise UsageError(
            f"{table.name} has no trigger {', '.join(sorted(unknown))} to leave out; "
            f"its triggers: {', '.join(dict.fromkeys(s.trigger for s in table.transitions))}"
        )
    return replace(
        table, transitions=tuple(s for s in table.transitions if s.trigger not in dropped)
    )


def rules_of(*tables: WorkflowTable[Any]) -> tuple[Rule, ...]:
    """Every named rule ``tables`` enforce, each once, in table order (creation first).

    The rules of the verbs a table offers (return, withdraw, reassign) come last; a rule
    made afresh for each row that uses it (a return's target) is listed once.
    """
    found: dict[tuple[str, str], Rule] = {}
    for table in tables:
        rows = (*table.transitions, *_verb_rows(table, None, lambda _: True))
        for rules in (table.creation.rules, *(spec.rules for spec in rows)):
            for rule in rules:
                found.setdefault((rule.code, rule.name), rule)
    return tuple(found.values())


def _verb_rows(
    table: WorkflowTable[Any], undo: Effect | None, awaited: Callable[[str], bool]
) -> tuple[TransitionSpec, ...]:
    """The rows of the verbs ``table`` offers: return, withdraw, reassign.

    ``undo`` is the withdrawal's effect and ``awaited`` says which triggers are work
    someone waits for; both come from the workflow that runs the rows.
    """
    rows: list[TransitionSpec] = []
    steps = _steps_from(_exits_of(table), str(table.creation.dest)) if table.returns else {}
    allowed: dict[str, list[str]] = {}
    for back in table.returns:
        for source in back.sources:
            allowed.setdefault(str(source), []).append(str(back.to))
    rows.extend(
        TransitionSpec(
            RETURN_TRIGGER,
            (str(source),),
            str(back.to),
            back.roles,
            (return_target_rule(str(back.to), allowed[str(source)]), RETURN_REASON),
            data=ReturnTo,
            effect=returned(str(back.to), back.effect, steps),
            label=back.label,
            awaited=False,
            reads_history=True,
        )
        for back in table.returns
        for source in back.sources
    )
    taken_back: dict[str, dict[str, list[str]]] = {}
    for spec in table.transitions:
        if spec.withdrawable and spec.dest is not None:
            for source in spec.sources:
                taken_back.setdefault(str(spec.dest), {}).setdefault(str(source), []).append(
                    spec.trigger
                )
    for dest, sources in taken_back.items():
        names = ", ".join(sorted({t for triggers in sources.values() for t in triggers}))
        rows.extend(
            TransitionSpec(
                WITHDRAW_TRIGGER,
                (dest,),
                source,
                None,
                (withdraw_rule([(t, source) for t in triggers], names, awaited),),
                effect=undo,
                label="撤回",
                awaited=False,
                reads_history=True,
            )
            for source, triggers in sources.items()
        )
    if table.reassign is not None:
        terminal = table.entity_type.terminal_states
        rows.append(
            TransitionSpec(
                REASSIGN_TRIGGER,
                tuple(s.value for s in table.all_states if s.value not in terminal),
                None,
                table.reassign,
                (REASSIGN_REASON, REASSIGN_ELSEWHERE),
                data=Reassignment,
                effect=reassigned,
                label="转办",
                awaited=False,
            )
        )
    return tuple(rows)


class Diagram:
    """A workflow drawn two ways: mermaid text, and Graphviz (DOT) for an SVG picture.

    In Jupyter it shows as an SVG picture when Graphviz's ``dot`` program is installed
    (``apt-get install graphviz``, ``brew install graphviz``), drawn on the machine with
    no network: it renders offline, in nbconvert's HTML, on GitHub and in VS Code. The
    mermaid text (:attr:`text`, also the markdown form) stays for documents that render
    mermaid, and is what a notebook shows without ``dot``.

    Attributes:
        text: The mermaid ``stateDiagram-v2``.
        dot: The same diagram in Graphviz's DOT language.
    """

    draw: ClassVar[Callable[[str], str | None] | None] = None
    """Draws DOT text as SVG, or says None (no Graphviz); the library sets it on import."""

    def __init__(self, text: str, dot: str | None = None) -> None:
        self.text = text
        self.dot = dot
        self._svg: str | None = None

    def __str__(self) -> str:
        return self.text

    def __repr__(self) -> str:
        return f"Diagram({self.text!r})"

    def svg(self) -> str | None:
        """The diagram as SVG, drawn by Graphviz's ``dot``; None if ``dot`` is not installed.

        Raises:
            UsageError: ``dot`` refused the diagram or took longer than 30 seconds.
        """
        draw = type(self).draw
        if self._svg is None and self.dot is not None and draw is not None:
            self._svg = draw(self.dot)
        return self._svg

    def _repr_svg_(self) -> str | None:
        return self.svg()

    def _repr_markdown_(self) -> str:
        return f"```mermaid\n{self.text}\n```"


def _dot_text(text: str) -> str:
    """``text`` as a DOT string literal, a line break written as DOT's escape for one."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'"{escaped}"'


_SYSTEM_FIELDS: Final = frozenset(
    {
        "id",
        "version",
        "state",
        "created_at",
        "created_by",
        "updated_at",
        "reminders",
        "audit_head",
        "holder",
        "declared_kind",
    }
)
_KEPT_ON_WITHDRAWAL: Final = _SYSTEM_FIELDS - {"holder"}
_LOOPS_AS_A_LINE: Final = 3
"""A row that stays in place from this many steps or more is drawn as a line of text
under the diagram rather than a loop on each of them (remind, record_copy ...)."""
_REBUILT_LIMIT: Final = 4096
"""How many rebuilt entities a workflow keeps for withdrawals (then it starts afresh)."""
"""What a withdrawal keeps as it stands; it restores everything else the act changed."""


class Workflow(Generic[E]):
    """A validated state table and the one `transitions` machine that runs it.

    Build once per workflow type (the built-in ones are cached, see
    :func:`secretarial.workflow_for`). A workflow holds no entity; every call
    takes the entity and returns a new one.

    Raises:
        WorkflowDefinitionError: The table is broken (unknown states, unreachable
            states, exits from terminal states, ambiguous unguarded transitions ...).
    """

    def __init__(self, table: WorkflowTable[E]) -> None:
        self.table = table
        self.name = table.name
        self.entity_type = table.entity_type
        self._states = table.all_states
        self._state_of = {str(state): state for state in self._states}
        self._state_name: dict[str, str] = {state: state.value for state in self._states}
        """Each state's name, one string object per state (events keep it, not a copy)."""
        _validate(table)
        if table.added_states:
            accept_states(table.entity_type, table.added_states)
        self.rows: tuple[TransitionSpec, ...] = table.transitions + _verb_rows(
            table, self._undo, self.awaited
        )
        """The table's rows and the rows of the verbs it offers (return, withdraw ...)."""
        self._by_trigger: dict[str, list[TransitionSpec]] = {}
        for spec in self.rows:
            self._by_trigger.setdefault(spec.trigger, []).append(spec)
        self._history_triggers = frozenset(
            trigger
            for trigger, specs in self._by_trigger.items()
            if any(s.reads_history or any(r.reads_history for r in s.rules) for s in specs)
        )
        self._data_models = {t: specs[0].data for t, specs in self._by_trigger.items()}
        self._allocations = {t: specs[0].allocates for t, specs in self._by_trigger.items()}
        self._machine = Machine(
            model=None,
            states=[s.value for s in self._states],
            initial=str(table.creation.dest),
            auto_transitions=False,
            send_event=True,
            ignore_invalid_triggers=False,
            name=table.name,
        )
        for spec in self.rows:
            self._machine.add_transition(
                spec.trigger,
                source=[str(s) for s in spec.sources],
                dest=None if spec.dest is None else str(spec.dest),
                conditions=list[str | Callable[..., bool | None]](
                    _conditions(spec.roles, spec.rules)
                ),
            )
        self._routes = _routes(self._machine, self.rows)
        self._rebuilt: dict[str, E] = {}
        """Entities a replay rebuilt, by audit head: a withdrawal replayed later finds the
        entity before and after the act it takes back here, instead of replaying again
        (which, withdrawal within withdrawal, would grow with the power of their number)."""
        self._diagram: Diagram | None = None
        """The table's texts, written when first asked for (:meth:`diagram`)."""
        self._creation_rules = tuple(
            ([_role_rule(table.creation.roles)] if table.creation.roles is not None else [])
            + list(table.creation.rules)
        )

    def _undo(self, ctx: TransitionContext) -> dict[str, Any]:
        """A withdrawal's effect: what the act taken back changed is as it was before."""
        history = ctx.history or ()
        index = last_act(history, self.awaited)
        if index is None:  # pragma: no cover -- the row's rule found the act
            return {}
        after = self._as_after(history, index)  # a replay keeps every entity on the way
        before = self._as_after(history, index - 1)
        return undone(before, after, _KEPT_ON_WITHDRAWAL)

    # -------------------------------------------------------------------- queries
    @property
    def triggers(self) -> tuple[str, ...]:
        """Every trigger of the table (the creation trigger first)."""
        return (self.table.creation.trigger, *self._by_trigger)

    @property
    def states(self) -> tuple[LabeledEnum, ...]:
        """Every state of the table."""
        return tuple(self._states)

    def specs(self, trigger: str) -> tuple[TransitionSpec, ...]:
        """The rows of the table for ``trigger`` (empty if there is no such trigger)."""
        return tuple(self._by_trigger.get(trigger, ()))

    def complete(
        self,
        entity: E,
        trigger: str,
        data: Mapping[str, Any] | None,
        env: Callable[[], TransitionEnv],
    ) -> Mapping[str, Any] | None:
        """``data`` completed by the completion of the row ``trigger`` fires by, if it has one.

        ``env`` is asked for only when there is a completion to run.
        """
        state = str(entity.state)
        for spec in self._by_trigger.get(trigger, ()):
            if spec.complete is not None and state in spec.sources:
                return spec.complete(entity, data, env())
        return data

    def roles_needed(self, entity: E, trigger: str) -> frozenset[str] | None:
        """The roles of which an actor needs one to fire ``trigger`` from ``entity``'s state.

        None when anyone may (a row that names no roles), or when the trigger does not
        fire from that state (firing it is refused for that).
        """
        routes = self._routes.get(trigger)
        route = (
            routes.get(self._state_name.get(entity.state) or str(entity.state)) if routes else None
        )
        return None if route is None else route.roles

    def reads_history(self, trigger: str) -> bool:
        """Whether firing ``trigger`` needs the entity's audit trail (``history=``)."""
        return trigger in self._history_triggers

    def awaited(self, trigger: str) -> bool:
        """Whether firing ``trigger`` is work someone waits for (any of its rows says so)."""
        return any(spec.awaited for spec in self._by_trigger.get(trigger, ()))

    def allocation(self, trigger: str) -> Allocation | None:
        """The number ``trigger`` has the office allocate, if any."""
        return self._allocations.get(trigger)

    def input_model(self, trigger: str) -> type[pydantic.BaseModel] | None:
        """The pydantic model of ``trigger``'s input, if it takes one."""
        return self._data_models.get(trigger)

    def can_fire(
        self,
        entity: E,
        trigger: str,
        actor: Actor,
        *,
        now: datetime,
        data: Mapping[str, Any] | None = None,
        reason: str | None = None,
        history: Sequence[AuditEvent] | None = None,
        on_behalf_of: str | None = None,
    ) -> bool:
        """Whether ``actor`` may fire ``trigger`` on ``entity`` now.

        State, role and every rule are checked; rules about the input are skipped when
        neither ``data`` nor ``reason`` is given. A trigger that reads the audit trail
        (:meth:`reads_history`) cannot fire without ``history``.
        """
        try:
            self._check(
                entity,
                trigger,
                actor,
                now=now,
                data=data,
                reason=reason,
                dry_run=True,
                history=history,
                on_behalf_of=on_behalf_of,
            )
        except (TransitionNotAllowed, ValidationError):
            return False
        return True

    def available_triggers(
        self,
        entity: E,
        actor: Actor,
        *,
        now: datetime,
        history: Sequence[AuditEvent] | None = None,
    ) -> tuple[str, ...]:
        """The triggers ``actor`` could fire on ``entity`` now (input rules aside).

        Without ``history`` (the entity's audit events) the triggers that read it are
        left out; :meth:`needs_history` says whether any could be offered.
        """
        return tuple(
            trigger
            for trigger in self.triggers_from(entity)
            if (history is not None or trigger not in self._history_triggers)
            and self.can_fire(entity, trigger, actor, now=now, history=history)
        )

    def triggers_from(self, entity: E) -> tuple[str, ...]:
        """The triggers with a row from ``entity``'s state (whoever may fire them)."""
        state = str(entity.state)
        return tuple(
            trigger
            for trigger, specs in self._by_trigger.items()
            if any(state in s.sources for s in specs)
        )

    def needs_history(self, entity: E) -> bool:
        """Whether a trigger that reads the audit trail may fire from ``entity``'s state."""
        return not self._history_triggers.isdisjoint(self.triggers_from(entity))

    def require_creator(self, actor: Actor) -> None:
        """Refuse now if ``actor`` lacks the role the creation trigger needs.

        Raises:
            TransitionNotAllowed: with rule ``ROLE``.
        """
        roles = self.table.creation.roles
        if roles is not None and actor.roles.isdisjoint(roles):
            raise TransitionNotAllowed(
                entity_id="(new)",
                entity_kind=str(self.entity_type.entity_kind),
                state="(new)",
                trigger=self.table.creation.trigger,
                rule_code="ROLE",
                reason=_missing_role(roles, actor),
            )

    # -------------------------------------------------------------------- commands
    def create(
        self,
        fields: Mapping[str, Any],
        *,
        entity_id: str,
        actor: Actor,
        now: datetime,
        schema_version: int = EVENT_SCHEMA,
    ) -> tuple[E, AuditEvent]:
        """Create an entity with the creation trigger; return it and its first audit event.

        ``schema_version`` is the event schema the act is judged and sealed under: the
        present one, but when :meth:`replay` rebuilds an earlier history.

        Raises:
            ValidationError: ``fields`` do not fit the entity model.
            TransitionNotAllowed: the actor's role or a creation rule refuses.
        """
        creation = self.table.creation
        system = _SYSTEM_FIELDS.intersection(fields)
        managed = creation.managed.intersection(fields)
        if system or managed:
            raise ValidationError(
                self.entity_type.__name__,
                [
                    FieldProblem(name, "system_field", "is set by the office, not by the caller")
                    for name in sorted(system)
                ]
                + [
                    FieldProblem(
                        name,
                        "workflow_field",
                        f"is set by a later step of the {self.name} workflow, not at "
                        f"{creation.trigger!r}",
                    )
                    for name in sorted(managed)
                ],
            )
        try:
            entity = self.entity_type.model_validate(
                {
                    **fields,
                    "id": entity_id,
                    "version": 1,
                    "state": creation.dest,
                    "created_at": now,
                    "created_by": actor.id,
                    "updated_at": now,
                }
            )
        except pydantic.ValidationError as e:
            raise ValidationError(self.entity_type.__name__, problems_from_pydantic(e)) from None
        target = self._state_name[creation.dest]
        ctx = TransitionContext(
            entity, target, creation.trigger, actor, now, schema_version=schema_version
        )
        for rule in self._creation_rules:
            if rule.since > schema_version:
                continue
            problem = rule.check(ctx)
            if problem is not None:
                ctx.failures.append((rule, problem))
                raise self._refusal(ctx, entity_id, "(new)")
        payload: dict[str, Any] = entity.__pydantic_serializer__.to_python(
            entity, mode="json", include=set(fields), by_alias=False
        )
        event = seal_validated(
            entity_kind=self.entity_type.entity_kind,
            entity_id=entity.id,
            version=1,
            trigger=creation.trigger,
            source=None,
            target=target,
            actor=actor,
            at=entity.created_at,
            reason=None,
            payload=payload,
            previous_hash=None,
            schema_version=schema_version,
        )
        # The entity was made just above and no one else holds it yet: give it its head
        # in place rather than copying it (frozen models refuse only ``setattr``).
        entity.__dict__["audit_head"] = event.hash
        entity.__pydantic_fields_set__.add("audit_head")
        return entity, event

    def fire(
        self,
        entity: E,
        trigger: str,
        actor: Actor,
        *,
        now: datetime,
        data: Mapping[str, Any] | None = None,
        reason: str | None = None,
        schema_version: int = EVENT_SCHEMA,
        history: Sequence[AuditEvent] | None = None,
        on_behalf_of: str | None = None,
    ) -> tuple[E, AuditEvent]:
        """Fire ``trigger`` on ``entity``; return the new entity and the audit event.

        ``schema_version`` is the event schema the act is judged and sealed under: the
        present one, but when :meth:`replay` rebuilds an earlier history (rules newer
        than it are not judged; effects that changed give the outcome of its time).
        ``history`` is the entity's audit events so far, oldest first, which a trigger
        that reads them (:meth:`reads_history`: ``withdraw``, ``return_to``) needs.
        ``on_behalf_of`` names the principal a delegate acts for (委托), once the office
        has checked the delegation covers the act; the audit event records it.

        Raises:
            TransitionNotAllowed: unknown trigger, wrong state, wrong role or a failed
                rule; the error names the entity, its state, the trigger and the rule.
            ValidationError: the input does not fit the trigger's input model.
        """
        if now.tzinfo is None or now.utcoffset() is None:
            raise ValidationError(
                "now",
                [
                    FieldProblem(
                        "now",
                        "timezone_aware",
                        f"{now!r} has no time zone",
                        "an aware datetime, e.g. datetime.now(timezone.utc)",
                    )
                ],
            )
        ctx = self._check(
            entity,
            trigger,
            actor,
            now=now,
            data=data,
            reason=reason,
            schema_version=schema_version,
            history=history,
            on_behalf_of=on_behalf_of,
        )
        spec: TransitionSpec = ctx.fired
        updates = spec.effect(ctx) if spec.effect is not None else {}
        source = self._state_name.get(entity.state) or str(entity.state)
        if entity.holder is not None and ctx.state != source and "holder" not in updates:
            updates["holder"] = None  # a holder holds one step: it ends when the step does
        version = entity.version + 1
        payload = (
            {}
            if ctx.data is None
            else ctx.data.__pydantic_serializer__.to_python(
                ctx.data, mode="json", exclude_unset=True
            )
        )
        event = seal_validated(
            entity_kind=entity.entity_kind,
            entity_id=entity.id,
            version=version,
            trigger=trigger,
            source=source,
            target=ctx.state,
            actor=actor,
            at=now,
            reason=ctx.reason,
            payload=payload,
            previous_hash=entity.audit_head,
            schema_version=schema_version,
            on_behalf_of=on_behalf_of,
        )
        updates["state"] = self._state_of[ctx.state]
        updates["version"] = version
        updates["updated_at"] = now
        updates["audit_head"] = event.hash
        if spec.revalidate and not spec.revalidate.isdisjoint(updates):
            try:
                new = self.entity_type.model_validate({**dict(entity), **updates})
            except pydantic.ValidationError as e:
                raise ValidationError(
                    self.entity_type.__name__, problems_from_pydantic(e)
                ) from None
        else:
            new = evolve(entity, updates)
        return new, event

    def replay(self, events: Iterable[AuditEvent]) -> E:
        """Rebuild an entity from its audit events, from nothing.

        Each event is applied as it was first applied: the same trigger, actor, time,
        input and reason, judged by the rules of the event schema it was sealed under
        (``AuditEvent.schema_version``) and sealed again under it.

        Raises:
            ValueError: the events are not a complete history of one entity (first one
                not a creation, versions not 1, 2, 3 ..., or a different outcome).
        """
        entity: E | None = None
        seen: list[AuditEvent] = []
        for event in events:
            seen.append(event)
            if entity is None:
                if not event.is_creation or event.version != 1:
                    raise ValueError(f"{event.entity_id}: history does not start with a creation")
                entity, _ = self.create(
                    event.payload,
                    entity_id=event.entity_id,
                    actor=event.actor,
                    now=event.at,
                    schema_version=event.schema_version,
                )
                self._remember(entity)
                continue
            entity, again = self.fire(
                entity,
                event.trigger,
                event.actor,
                now=event.at,
                data=event.payload or None,
                reason=event.reason,
                schema_version=event.schema_version,
                history=seen[:-1] if event.trigger in self._history_triggers else None,
                on_behalf_of=event.on_behalf_of,
            )
            if again.version != event.version or again.target != event.target:
                raise ValueError(
                    f"{event.entity_id}: replaying {event.trigger!r} gave version "
                    f"{again.version} in {again.target!r}, the record says "
                    f"{event.version} in {event.target!r}"
                )
            self._remember(entity)
        if entity is None:
            raise ValueError("no events to replay")
        return entity

    def _remember(self, entity: E) -> None:
        """Keep a rebuilt entity by its audit head, for the withdrawals replayed after it."""
        rebuilt = self._rebuilt
        if len(rebuilt) >= _REBUILT_LIMIT:
            rebuilt.clear()
        if entity.audit_head is not None:
            rebuilt[entity.audit_head] = entity

    def _as_after(self, history: Sequence[AuditEvent], index: int) -> E:
        """The entity as ``history[index]`` left it: kept from a replay, or replayed now."""
        kept = self._rebuilt.get(history[index].hash)
        return kept if kept is not None else self.replay(history[: index + 1])

    # -------------------------------------------------------------------- diagrams
    def diagram(self) -> Diagram:
        """The table drawn: mermaid text and Graphviz DOT.

        The texts are written once (the table is fixed); each call gives a diagram of
        its own, which draws its SVG when first shown.
        """
        drawn = self._diagram
        if drawn is None:
            drawn = self._diagram = self._drawn()
        return Diagram(drawn.text, drawn.dot)

    def _drawn(self) -> Diagram:
        lines = ["stateDiagram-v2"]
        lines.extend(f"    {s.value}: {s.value} {s.label}" for s in self._states)
        creation = self.table.creation
        lines.append(f"    [*] --> {creation.dest}: {creation.trigger}")
        for spec in self.rows:
            roles = f" [{', '.join(sorted(spec.roles))}]" if spec.roles else ""
            if spec.trigger == REASSIGN_TRIGGER and spec.data is Reassignment:
                # Offered from every open step: one note, not a loop on each state.
                lines.append(
                    f"    note right of {creation.dest}: {spec.trigger} {spec.label} "
                    f"from every open step{roles}"
                )
                continue
            lines.extend(
                f"    {source} --> {spec.dest or source}: {spec.trigger}{roles}"
                for source in spec.sources
            )
        lines.extend(f"    {s} --> [*]" for s in sorted(self.entity_type.terminal_states))
        parallel: dict[str, list[str]] = {}
        for spec in self.rows:
            if spec.parallel:
                for source in spec.sources:
                    parallel.setdefault(str(source), []).append(spec.trigger)
        lines.extend(
            f"    note left of {state}: in parallel — {', '.join(dict.fromkeys(triggers))}, "
            "each party once"
            for state, triggers in parallel.items()
        )
        return Diagram("\n".join(lines), self._dot(parallel))

    def _dot(self, parallel: Mapping[str, list[str]]) -> str:
        """The table in Graphviz's DOT: states, the creation, every row, the ends."""
        creation = self.table.creation
        terminal = self.entity_type.terminal_states
        lines = [
            f"digraph {_dot_text(self.name)} {{",
            '    graph [rankdir=LR, fontname="sans-serif", fontsize=11];',
            (
                '    node [shape=box, style="rounded,filled", fillcolor="#f4f6fa", '
                'fontname="sans-serif", fontsize=11];'
            ),
            '    edge [fontname="sans-serif", fontsize=9, color="#555555"];',
            '    "[start]" [shape=circle, label="", width=0.18, style=filled, fillcolor=black];',
        ]
        for state in self._states:
            shape = ", peripheries=2" if state.value in terminal else ""
            note = parallel.get(state.value)
            extra = f"\n(in parallel: {', '.join(dict.fromkeys(note))})" if note else ""
            label = _dot_text(f"{state.value}\n{state.label}{extra}")
            lines.append(f"    {_dot_text(state.value)} [label={label}{shape}];")
        lines.append(
            f'    "[start]" -> {_dot_text(str(creation.dest))} '
            f"[label={_dot_text(creation.trigger)}];"
        )
        everywhere: list[str] = []  # rows that stay in place from many steps: one line each
        for spec in self.rows:
            roles = f" [{', '.join(sorted(spec.roles))}]" if spec.roles else ""
            if spec.trigger == REASSIGN_TRIGGER and spec.data is Reassignment:
                everywhere.append(f"{spec.trigger} {spec.label}: from every open step{roles}")
                continue
            if spec.dest is None and len(spec.sources) >= _LOOPS_AS_A_LINE:
                steps = ", ".join(str(source) for source in spec.sources)
                everywhere.append(f"{spec.trigger} {spec.label or ''}: in {steps}{roles}")
                continue
            for source in spec.sources:
                target = spec.dest or source
                lines.append(
                    f"    {_dot_text(str(source))} -> {_dot_text(str(target))} "
                    f"[label={_dot_text(spec.trigger + roles)}];"
                )
        if everywhere:
            lines.append(f"    label={_dot_text(chr(10).join(everywhere))}; labelloc=b;")
        lines.append("}")
        return "\n".join(lines)

    def _repr_markdown_(self) -> str:
        return f"**{self.name}**\n\n{self.diagram()._repr_markdown_()}"

    def _repr_svg_(self) -> str | None:
        return self.diagram().svg()

    def __repr__(self) -> str:
        return (
            f"<Workflow {self.name!r}: {len(self._states)} states, {len(self.triggers)} triggers>"
        )

    # -------------------------------------------------------------------- internals
    def _check(
        self,
        entity: E,
        trigger: str,
        actor: Actor,
        *,
        now: datetime,
        data: Mapping[str, Any] | None,
        reason: str | None,
        dry_run: bool = False,
        schema_version: int = EVENT_SCHEMA,
        history: Sequence[AuditEvent] | None = None,
        on_behalf_of: str | None = None,
    ) -> TransitionContext:
        state = self._state_name.get(entity.state) or str(entity.state)
        routes = self._routes.get(trigger)
        if routes is None:
            known = ", ".join(sorted(self._by_trigger))
            raise TransitionNotAllowed(
                entity_id=entity.id,
                entity_kind=str(entity.entity_kind),
                state=state,
                trigger=trigger,
                rule_code="TRIGGER",
                reason=f"{self.name} has no trigger {trigger!r}; triggers: {known}",
            )
        route = routes.get(state)
        if route is None:
            sources = sorted({s for spec in self._by_trigger[trigger] for s in spec.sources})
            raise TransitionNotAllowed(
                entity_id=entity.id,
                entity_kind=str(entity.entity_kind),
                state=state,
                trigger=trigger,
                rule_code="STATE",
                reason=f"{trigger!r} fires only from {', '.join(sources)}",
            )
        if route.roles is not None and actor.roles.isdisjoint(route.roles):
            raise TransitionNotAllowed(
                entity_id=entity.id,
                entity_kind=str(entity.entity_kind),
                state=state,
                trigger=trigger,
                rule_code="ROLE",
                reason=_missing_role(route.roles, actor),
            )
        skip_input_rules = dry_run and data is None and reason is None
        if reason is not None:
            reason = _checked_reason(reason)
        validated = self._validate_input(entity, trigger, data, dry_run=skip_input_rules)
        ctx = TransitionContext(
            entity,
            state,
            trigger,
            actor,
            now,
            validated,
            reason,
            skip_input_rules,
            schema_version,
            history,
            on_behalf_of,
        )
        # Judge the machine's own Transition objects for this (trigger, state), in the
        # machine's order: the first whose conditions (our rules) all hold fires, and
        # the context moves to its destination. The table has no enter/exit or
        # before/after callbacks, so this is what Transition.execute would do, without
        # its per-call dispatch and logging.
        for row in route.rows:
            ctx.fired = row.spec  # the row being judged (TransitionContext.acts_as)
            rules = row.rules_without_input if skip_input_rules else row.rules
            if schema_version != EVENT_SCHEMA:
                rules = tuple(rule for rule in rules if rule.since <= schema_version)
            for rule in rules:
                problem = rule.check(ctx)
                if problem is not None:
                    ctx.failures.append((rule, problem))
                    break
            else:
                if row.dest is not None:
                    ctx.state = row.dest
                return ctx
        raise self._refusal(ctx, entity.id, state)

    def _validate_input(
        self, entity: E, trigger: str, data: Mapping[str, Any] | None, *, dry_run: bool
    ) -> pydantic.BaseModel | None:
        model = self._data_models[trigger]
        if model is None:
            if data:
                raise ValidationError(
                    f"{trigger} input",
                    [
                        FieldProblem(k, "extra_forbidden", f"{trigger!r} takes no input")
                        for k in data
                    ],
                )
            return None
        if data is None and dry_run:
            return None
        try:
            return model.__pydantic_validator__.validate_python(data or {})  # type: ignore[no-any-return]
        except pydantic.ValidationError as e:
            raise ValidationError(
                f"{trigger} input for {entity.entity_kind} {entity.id}", problems_from_pydantic(e)
            ) from None

    def _refusal(self, ctx: TransitionContext, entity_id: str, state: str) -> TransitionNotAllowed:
        if ctx.failures:
            rule, problem = ctx.failures[0]
            code = rule.code
            said = dict.fromkeys((r.code, p) for r, p in ctx.failures)
            if len(said) > 1:
                problem = "; ".join(f"{c}: {p}" for c, p in said)
        else:  # pragma: no cover -- every condition records its failure
            code, problem = "GUARD", "a guard refused"
        return TransitionNotAllowed(
            entity_id=entity_id,
            entity_kind=str(self.entity_type.entity_kind),
            state=state,
            trigger=ctx.trigger,
            rule_code=code,
            reason=problem,
        )


@dataclass(frozen=True, slots=True)
class _Row:
    """One of the machine's Transition objects for a (trigger, state), ready to judge."""

    rules: tuple[Rule, ...]
    """The rules among its conditions, in order (the role rule left out where the
    route's role check already decides it)."""
    rules_without_input: tuple[Rule, ...]
    """The same without the rules about the input (for ``can_fire`` without input)."""
    dest: str | None
    spec: TransitionSpec
    """The table row it was built from."""


@dataclass(frozen=True, slots=True)
class _Route:
    """Everything needed to fire one trigger from one state, looked up once."""

    rows: tuple[_Row, ...]
    """The machine's Transition objects for the (trigger, state), in its order."""
    roles: frozenset[str] | None
    """The roles of which the actor needs one, if every candidate row names roles."""


def _routes(machine: Machine, specs: Sequence[TransitionSpec]) -> dict[str, dict[str, _Route]]:
    routes: dict[str, dict[str, _Route]] = {}
    for trigger, event in machine.events.items():
        for state, transitions in event.transitions.items():
            rows = [s for s in specs if s.trigger == trigger and state in s.sources]
            roles = None
            if all(s.roles is not None for s in rows):
                roles = frozenset().union(*(s.roles or () for s in rows))
            compiled = []
            for transition, spec in zip(transitions, rows, strict=True):
                rules = [cast("_RuleCondition", c.func).rule for c in transition.conditions]
                if roles is not None and spec.roles == roles:
                    rules = [rule for rule in rules if rule.code != "ROLE"]
                without_input = tuple(rule for rule in rules if not rule.on_input)
                compiled.append(_Row(tuple(rules), without_input, transition.dest, spec))
            routes.setdefault(trigger, {})[state] = _Route(tuple(compiled), roles)
    return routes


def _checked_reason(reason: object) -> str | None:
    """A reason given to a trigger, stripped (None if blank); text of whole characters."""
    if not isinstance(reason, str):
        raise ValidationError(
            "reason",
            [FieldProblem("reason", "string_type", f"{reason!r} is not text", "text")],
        )
    if problems := canonical_problems(reason, "reason"):
        raise ValidationError("reason", problems)
    return reason.strip() or None


def _missing_role(roles: frozenset[str], actor: Actor) -> str:
    held = ", ".join(sorted(actor.roles)) or "no role"
    return f"needs one of the roles {', '.join(sorted(roles))}; {actor.id} has {held}"


def _role_rule(roles: frozenset[str]) -> Rule:
    def check(ctx: TransitionContext) -> str | None:
        return None if ctx.actor.has_any_role(roles) else _missing_role(roles, ctx.actor)

    return Rule("ROLE", "role-required", f"fired by {', '.join(sorted(roles))}", check)


def _conditions(roles: frozenset[str] | None, rules: Sequence[Rule]) -> list[Callable[[Any], bool]]:
    checks = ([_role_rule(roles)] if roles is not None else []) + list(rules)
    return [_condition(rule) for rule in checks]


class _RuleCondition:
    """A rule as a `transitions` condition: judged on the context the machine carries."""

    __slots__ = ("__name__", "rule")

    def __init__(self, rule: Rule) -> None:
        self.rule = rule
        self.__name__ = f"rule_{rule.code}_{rule.name}"

    def __call__(self, event_data: Any) -> bool:
        return self.rule.evaluate(event_data.model)


def _condition(rule: Rule) -> _RuleCondition:
    return _RuleCondition(rule)


def _added_state_problems(table: WorkflowTable[Any], states: set[str]) -> list[str]:
    """What is wrong with the states an extension added; each good one joins ``states``."""
    problems: list[str] = []
    given: tuple[object, ...] = table.added_states  # a plugin may hand over anything
    for added in given:
        if not isinstance(added, LabeledEnum):
            problems.append(f"the added state {added!r} is not a member of a LabeledEnum")
        elif added.value in states:
            problems.append(f"the added state {added.value!r} is already a state of the table")
        else:
            states.add(added.value)
    return problems


def _exits_of(table: WorkflowTable[Any]) -> dict[str, set[str]]:
    """Where each state of ``table`` leads by its own rows (the verbs' rows left out)."""
    exits: dict[str, set[str]] = {}
    for spec in table.transitions:
        if spec.dest is not None:
            for source in spec.sources:
                exits.setdefault(str(source), set()).add(str(spec.dest))
    return exits


def _steps_from(exits: Mapping[str, set[str]], start: str) -> dict[str, int]:
    """The states reachable from ``start``, each with the fewest transitions to it.

    A step is earlier than another when it is fewer transitions from the creation: what
    a return may go back to, whatever loops (a send-back, a decline) the table has.
    """
    steps = {start: 0}
    queue = deque([start])
    while queue:
        here = queue.popleft()
        for nxt in exits.get(here, ()):
            if nxt not in steps:
                steps[nxt] = steps[here] + 1
                queue.append(nxt)
    return steps


def _verb_problems(table: WorkflowTable[Any], states: set[str], terminal: set[str]) -> list[str]:
    """What is wrong with the verbs a table offers (its returns, withdrawable rows ...)."""
    offered = {
        RETURN_TRIGGER: bool(table.returns),
        WITHDRAW_TRIGGER: any(spec.withdrawable for spec in table.transitions),
        REASSIGN_TRIGGER: table.reassign is not None,
    }
    problems = [
        f"trigger {spec.trigger!r} is the engine's for the verb the table offers; "
        "name the row otherwise"
        for spec in table.transitions
        if offered.get(spec.trigger, False)
    ]
    for spec in table.transitions:
        if spec.withdrawable:
            problems.extend(
                f"{spec.trigger!r} {why} and cannot be withdrawable"
                for why, applies in (
                    ("draws a number", spec.allocates is not None),
                    ("carries a signature", spec.signs),
                    ("moves nothing on", spec.dest is None or spec.dest in spec.sources),
                )
                if applies
            )
    problems += _return_problems(table, states, terminal)
    if table.reassign is not None and not table.reassign:
        problems.append("reassign names an empty set of roles (leave it None to offer none)")
    return problems


def _return_problems(table: WorkflowTable[Any], states: set[str], terminal: set[str]) -> list[str]:
    """What is wrong with the returns a table allows, but their order (see _validate)."""
    problems: list[str] = []
    for back in table.returns:
        if back.roles is not None and not back.roles:
            problems.append(f"the return to {str(back.to)!r} names an empty set of roles")
        if back.to not in states:
            problems.append(f"a return leads to unknown state {str(back.to)!r}")
        elif back.to in terminal:
            problems.append(f"a return leads to terminal state {str(back.to)!r}")
        for source in back.sources:
            if source not in states:
                problems.append(
                    f"a return to {str(back.to)!r} starts from unknown state {str(source)!r}"
                )
            elif source in terminal:
                problems.append(f"terminal state {str(source)!r} has a return to {str(back.to)!r}")
        if not back.sources:
            problems.append(f"the return to {str(back.to)!r} has no source state")
    return problems


def _validate(table: WorkflowTable[Any]) -> None:  # noqa: C901, PLR0912 -- one check per clause
    """Check a table; raise :class:`WorkflowDefinitionError` listing every problem."""
    problems: list[str] = []
    states = {s.value for s in table.states}
    problems += _added_state_problems(table, states)
    terminal = set(map(str, table.entity_type.terminal_states))
    creation = table.creation
    if creation.dest not in states:
        problems.append(f"creation {creation.trigger!r} leads to unknown state {creation.dest!r}")
    problems.extend(f"terminal state {s!r} is not a state of the table" for s in terminal - states)
    problems += _verb_problems(table, states, terminal)
    exits: dict[str, set[str]] = {s: set() for s in states}
    unguarded: dict[tuple[str, str], int] = {}
    data_models: dict[str, Any] = {}
    for spec in table.transitions:
        if not spec.trigger.isidentifier():
            problems.append(f"trigger {spec.trigger!r} is not an identifier")
        if spec.trigger == creation.trigger:
            problems.append(f"trigger {spec.trigger!r} is also the creation trigger")
        if not spec.sources:
            problems.append(f"{spec.trigger!r} has no source state")
        if spec.dest is not None and spec.dest not in states:
            problems.append(f"{spec.trigger!r} leads to unknown state {spec.dest!r}")
        if spec.roles is not None and not spec.roles:
            problems.append(f"{spec.trigger!r} names an empty set of roles (use None for anyone)")
        if spec.trigger in data_models and data_models[spec.trigger] is not spec.data:
            problems.append(f"rows of {spec.trigger!r} take different input models")
        data_models[spec.trigger] = spec.data
        for source in spec.sources:
            if source not in states:
                problems.append(f"{spec.trigger!r} starts from unknown state {source!r}")
                continue
            if source in terminal and spec.dest is not None:
                # A recorded action (no destination) may annotate a terminal entity.
                problems.append(f"terminal state {source!r} has an exit {spec.trigger!r}")
            if spec.dest is not None and spec.dest in states:
                exits[source].add(spec.dest)
            if not spec.rules:
                key = (spec.trigger, source)
                unguarded[key] = unguarded.get(key, 0) + 1
    for (trigger, source), count in unguarded.items():
        if count > 1:
            problems.append(f"{count} unguarded rows share trigger {trigger!r} from {source!r}")
    problems.extend(
        f"state {s!r} has no way out but is not terminal"
        for s in sorted(states - terminal)
        if not exits[s] - {s}
    )
    steps = _steps_from(exits, str(creation.dest))
    problems.extend(
        f"state {s!r} cannot be reached from {creation.dest!r}" for s in sorted(states - set(steps))
    )
    problems.extend(
        f"return from {str(source)!r} to {str(back.to)!r}: {str(back.to)!r} is not an earlier step"
        for back in table.returns
        for source in back.sources
        if str(back.to) in steps
        and str(source) in steps
        and steps[str(back.to)] >= steps[str(source)]
    )
    if problems:
        raise WorkflowDefinitionError(table.name, problems)
