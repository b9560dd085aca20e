"""Areas: one record per kind of entity, and the registry every map is built from.

An :class:`Area` says everything the library needs to run one kind: its name (a
:class:`LabeledEnum` member, so it has a Chinese label), its entity class, its state
table, the prefix of its ids, the names the command line accepts for it, its registers
and where its test strategy lives. A :class:`Registry` holds the areas an office runs —
the built-in ones, those a host passes in code and those plugins add — and builds every
map from them: kind to class (how a store reads an entity back), kind to workflow, name
to kind, name to register. Nothing else in the library lists the kinds.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, tzinfo
from typing import Any, Final, TypeVar

from secretarial.errors import UsageError, WorkflowDefinitionError

from ._entity import Entity
from ._enums import LabeledEnum
from ._register import Register
from ._rules import Rule
from ._workflow import Workflow, WorkflowTable, rules_of

__all__ = ["Area", "RegisterRequest", "RegisterSpec", "Registry", "built_workflow"]

_NAME: Final = re.compile(r"[a-z][a-z0-9_-]{0,31}")
"""A kind, id prefix, alias or register name: lower-case ASCII, at most 32 characters."""


@dataclass(frozen=True, slots=True)
class RegisterRequest:
    """What a register is asked for: the office's zone, the day, and filters.

    Attributes:
        timezone: The office's time zone; moments are written and years counted in it.
        as_of: The day the register is made on (overdue is judged on it).
        year: Only entities of this year, as the register counts years; all if None.
    """

    timezone: tzinfo
    as_of: date
    year: int | None = None


RegisterBuilder = Callable[[Sequence[Any], RegisterRequest], Register]
"""Builds a register from the entities of its kind the reader may see."""


@dataclass(frozen=True, slots=True)
class RegisterSpec:
    """A register an area keeps: its name, its Chinese title and how it is built.

    Attributes:
        name: How the office and the command line name it (``incoming``, ``ledger``).
        label: Its title (``收文登记簿``).
        build: Makes the register from the entities of the area's kind the reader may see.
        yearly: Whether it can be asked for one year (a ledger of open matters cannot).
    """

    name: str
    label: str
    build: RegisterBuilder
    yearly: bool = True

    def __post_init__(self) -> None:
        _check_name(f"register {self.name!r}", "register name", self.name)


@dataclass(frozen=True, slots=True)
class Area:
    """One kind of entity and everything the library needs to run it.

    Attributes:
        kind: The kind: a member of a :class:`LabeledEnum` (``EntityKind.MEETING``, or a
            plugin's own enum), whose value is stored and whose label is shown.
        entity_type: The entity class; its ``entity_kind`` is ``kind``.
        table: The state table its workflow is built from.
        id_prefix: What test ids start with (``mtg`` in ``mtg-3``).
        aliases: Other names the command line accepts for the kind (``meeting``).
        registers: The registers the area keeps.
        strategy: Where a hypothesis strategy of the kind's creation fields lives, as
            ``"module:function"``; loaded only by tests (the library never imports
            hypothesis).

    Raises:
        WorkflowDefinitionError: The record does not hang together (a name that is not
            lower-case ASCII, an entity class of another kind, a table of another class).
    """

    kind: LabeledEnum
    entity_type: type[Entity]
    table: WorkflowTable[Any]
    id_prefix: str
    aliases: tuple[str, ...] = ()
    registers: tuple[RegisterSpec, ...] = ()
    strategy: str | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.kind, LabeledEnum):
            raise WorkflowDefinitionError(
                f"area {self.kind!r}",
                [
                    (
                        "the kind of an area is a member of a LabeledEnum (a value and a "
                        f"Chinese label), not {type(self.kind).__name__}"
                    )
                ],
            )
        where = f"area {self.kind.value!r}"
        _check_name(where, "kind", self.kind.value)
        _check_name(where, "id prefix", self.id_prefix)
        for alias in self.aliases:
            _check_name(where, "alias", alias)
        declared = getattr(self.entity_type, "entity_kind", None)
        if declared != self.kind:
            raise WorkflowDefinitionError(
                where,
                [
                    (
                        f"the entity class {self.entity_type.__name__} has entity_kind "
                        f"{declared!r}: set entity_kind = {type(self.kind).__name__}."
                        f"{self.kind.name} on the class"
                    )
                ],
            )
        if self.table.entity_type is not self.entity_type:
            raise WorkflowDefinitionError(
                where,
                [
                    (
                        f"the area runs entities of {self.entity_type.__name__}, but its table "
                        f"{self.table.name!r} is for {self.table.entity_type.__name__}"
                    )
                ],
            )
        if self.strategy is not None and ":" not in self.strategy:
            raise WorkflowDefinitionError(
                where, [f"the strategy is written 'module:function', not {self.strategy!r}"]
            )

    @property
    def label(self) -> str:
        """The kind's Chinese label."""
        return self.kind.label

    def with_table(self, table: WorkflowTable[Any]) -> Area:
        """This area running ``table`` instead (an extended table)."""
        return replace(self, table=table)


@dataclass(frozen=True)
class Registry:
    """The areas an office runs, and every map built from them.

    Build one from areas (``Registry([...])``), or add to one
    (:meth:`with_areas`, :meth:`with_table`); each is immutable. Kinds, id prefixes,
    names and register names are checked unique when it is built; a table is checked
    (its states reachable, its exits and terminal states sound) when its workflow is
    first built, which an office does for every kind when it is made.

    Raises:
        WorkflowDefinitionError: Two areas share a kind, prefix, name or register, or a
            table does not build.
    """

    areas: tuple[Area, ...]
    _by_name: dict[str, Area] = field(init=False, repr=False, compare=False)
    _workflows: dict[str, Workflow[Any]] = field(init=False, repr=False, compare=False)
    _registers: dict[str, tuple[Area, RegisterSpec]] = field(init=False, repr=False, compare=False)

    def __init__(self, areas: Iterable[Area]) -> None:
        object.__setattr__(self, "areas", tuple(areas))
        by_name: dict[str, Area] = {}
        prefixes: dict[str, Area] = {}
        registers: dict[str, tuple[Area, RegisterSpec]] = {}
        for area in self.areas:
            for name in dict.fromkeys((area.kind.value, *area.aliases)):
                other = by_name.get(name)
                if other is not None:
                    raise WorkflowDefinitionError(
                        f"area {area.kind.value!r}",
                        [f"the name {name!r} is taken by the kind {other.kind.value!r}"],
                    )
                by_name[name] = area
            other = prefixes.get(area.id_prefix)
            if other is not None:
                raise WorkflowDefinitionError(
                    f"area {area.kind.value!r}",
                    [f"the id prefix {area.id_prefix!r} is taken by {other.kind.value!r}"],
                )
            prefixes[area.id_prefix] = area
            for spec in area.registers:
                if spec.name in registers:
                    raise WorkflowDefinitionError(
                        f"area {area.kind.value!r}",
                        [
                            (
                                f"the register {spec.name!r} is already kept by "
                                f"{registers[spec.name][0].kind.value!r}"
                            )
                        ],
                    )
                registers[spec.name] = (area, spec)
        object.__setattr__(self, "_by_name", by_name)
        object.__setattr__(self, "_workflows", {})
        object.__setattr__(self, "_registers", registers)

    # ------------------------------------------------------------------ building
    def with_areas(self, *areas: Area) -> Registry:
        """This registry with ``areas`` added."""
        return Registry((*self.areas, *areas)) if areas else self

    def with_table(self, kind: str, table: WorkflowTable[Any]) -> Registry:
        """This registry with the area of ``kind`` running ``table`` (an extended table)."""
        area = self.area(kind)
        return Registry(a.with_table(table) if a is area else a for a in self.areas)

    # ------------------------------------------------------------------ lookups
    def __iter__(self) -> Iterator[Area]:
        return iter(self.areas)

    def __len__(self) -> int:
        return len(self.areas)

    def __contains__(self, kind: object) -> bool:
        return isinstance(kind, str) and kind in self._by_name

    @property
    def kinds(self) -> tuple[LabeledEnum, ...]:
        """Every kind, in registration order."""
        return tuple(area.kind for area in self.areas)

    def area(self, kind: str) -> Area:
        """The area of ``kind`` (its value or one of its aliases).

        Raises:
            UsageError: No area of this registry has that name; the message lists the kinds.
        """
        area = self._by_name.get(kind)
        if area is None:
            known = ", ".join(a.kind.value for a in self.areas)
            raise UsageError(f"unknown entity kind {kind!r}; this office runs: {known}")
        return area

    def kind(self, name: str) -> LabeledEnum:
        """The kind named ``name`` (its value or an alias), as its enum member."""
        return self.area(name).kind

    def entity_type(self, kind: str) -> type[Entity]:
        """The entity class of ``kind``."""
        return self.area(kind).entity_type

    def table(self, kind: str) -> WorkflowTable[Any]:
        """The state table of ``kind``."""
        return self.area(kind).table

    def workflow(self, kind: str) -> Workflow[Any]:
        """The workflow of ``kind``, built (and its table checked) on first use.

        Raises:
            WorkflowDefinitionError: The table does not build.
        """
        area = self.area(kind)
        workflow = self._workflows.get(area.kind.value)
        if workflow is None:
            workflow = self._workflows[area.kind.value] = built_workflow(area.table)
        return workflow

    def id_prefix(self, kind: str) -> str:
        """The prefix of test ids of ``kind``."""
        return self.area(kind).id_prefix

    @property
    def entity_types(self) -> Mapping[str, type[Entity]]:
        """The entity class of every kind, by its value: how a store reads a body back."""
        return {area.kind.value: area.entity_type for area in self.areas}

    @property
    def workflows(self) -> Mapping[str, Workflow[Any]]:
        """The workflow of every kind, by its value (building any not built yet)."""
        return {area.kind.value: self.workflow(area.kind.value) for area in self.areas}

    @property
    def rules(self) -> tuple[Rule, ...]:
        """Every named rule the tables enforce, each once, in table order."""
        return rules_of(*(area.table for area in self.areas))

    @property
    def registers(self) -> tuple[tuple[Area, RegisterSpec], ...]:
        """Every register, with the area that keeps it, in registration order."""
        return tuple(self._registers.values())

    def register(self, name: str) -> tuple[Area, RegisterSpec]:
        """The register named ``name``, with the area that keeps it.

        Raises:
            UsageError: No area keeps a register of that name; the message lists them.
        """
        found = self._registers.get(name)
        if found is None:
            known = ", ".join(self._registers) or "none"
            raise UsageError(f"unknown register {name!r}; this office keeps: {known}")
        return found

    def __repr__(self) -> str:
        return f"Registry({', '.join(a.kind.value for a in self.areas)})"


E = TypeVar("E", bound=Entity)

_WORKFLOW: Final = "_built_workflow"
"""Where a table keeps the workflow built from it: it lives as long as the table does."""


def built_workflow(table: WorkflowTable[E]) -> Workflow[E]:
    """The workflow of ``table``, built (and the table checked) once per table object.

    Raises:
        WorkflowDefinitionError: The table does not build.
    """
    found: Workflow[E] | None = table.__dict__.get(_WORKFLOW)
    if found is None:
        found = Workflow(table)
        object.__setattr__(table, _WORKFLOW, found)  # a cache beside the frozen fields
    return found


def _check_name(where: str, what: str, name: object) -> None:
    if not isinstance(name, str) or not _NAME.fullmatch(name):
        raise WorkflowDefinitionError(
            where,
            [
                (
                    f"the {what} {name!r} is not accepted: use lower-case ASCII letters, "
                    "digits, '_' or '-', starting with a letter, at most 32 characters"
                )
            ],
        )
