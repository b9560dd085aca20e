"""The base of every stateful record an office keeps."""

from __future__ import annotations

import html
from collections.abc import Iterable, Mapping
from datetime import date
from typing import Annotated, Any, ClassVar, Final, TypeVar, Union

from pydantic import (
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    Tag,
    TypeAdapter,
    ValidatorFunctionWrapHandler,
    computed_field,
    field_serializer,
    field_validator,
)

from ._enums import Classification, LabeledEnum, ReminderKind
from ._values import Day, Holder, Name, RefusingModelMeta, Text, Timed, Timestamp

__all__ = ["Entity", "Reminder", "accept_states", "entity_adapter", "evolve", "stored_json"]

M = TypeVar("M", bound=BaseModel)
_set_attribute = object.__setattr__


class Reminder(Timed):
    """A reminder (催办), escalation or request for a progress report, as recorded.

    Reminders are recorded actions on an open entity, not state changes. ``step`` names
    the step of the reminder policy it fulfils (``"before:3"``, ``"due"``,
    ``"overdue:2"``, ``"escalate"``, ``"report:2025-10-06"`` ...); each step is recorded
    once per entity, which makes issuing reminders idempotent.
    """

    step: Name
    reminder_kind: ReminderKind = ReminderKind.REMINDER
    due: date | None = None
    """The deadline (or report date) the reminder is about."""
    to: tuple[Name, ...] = ()
    """Who the reminder is addressed to (actor ids or unit codes)."""
    note: Text | None = None


class Entity(BaseModel, metaclass=RefusingModelMeta):
    """An immutable snapshot of a record with a workflow state and a version.

    Entities are never changed in place: a transition returns a new snapshot with the
    next version. ``version`` counts the audit events that produced the snapshot, the
    creation included, so a fresh entity has version 1; :attr:`content_version` leaves
    out the reminders among them.
    """

    model_config = ConfigDict(
        frozen=True,
        extra="forbid",
        str_strip_whitespace=True,
        validate_default=False,
        serialize_by_alias=True,
        validate_by_name=True,
        validate_by_alias=True,
    )

    entity_kind: ClassVar[LabeledEnum]
    """What kind of entity this class is."""
    terminal_states: ClassVar[frozenset[str]]
    """States from which no trigger leads anywhere; the entity is closed there."""
    fan_out_fields: ClassVar[tuple[str, ...]] = ()
    """The fields holding a fan-out record (会签): who they wait on is who the entity
    waits on, and a return voids their round. A class with a field ``fan_out`` and no
    list of its own has that one."""

    id: Name
    version: int = Field(ge=1)
    state: LabeledEnum
    created_at: Timestamp
    created_by: Name
    updated_at: Timestamp
    classification: Classification = Classification.UNCLASSIFIED
    deadline: Day | None = None
    """The day by which the matter must be done, if it has one (a calendar day)."""
    reminders: tuple[Reminder, ...] = ()
    """Reminders and escalations issued so far, oldest first."""
    audit_head: str | None = None
    """The hash of the entity's latest audit event: the head of its hash chain."""
    holder: Holder | None = None
    """Who the office handed the entity's current step to (转办, 退回), if it did; see
    :attr:`step_holder`."""
    declared_kind: str | None = Field(
        default=None, validation_alias="entity_kind", exclude=True, repr=False
    )
    """The ``entity_kind`` a dump wrote, taken back when it is read (and then None).

    A dump (``model_dump_json``) writes the kind as ``entity_kind``; reading it, the
    class takes the key here, checks that it names its own kind and keeps nothing. It
    is never written, and a body without the key reads on pydantic's fast path."""

    @field_validator("declared_kind")
    @classmethod
    def _declared_kind_is_own(cls, value: str | None) -> None:
        """A dump of another kind is not this class's; the key is not kept."""
        own = getattr(cls, "entity_kind", None)
        if value is not None and (own is None or value != own.value):
            msg = f"entity_kind {value!r} is not {getattr(own, 'value', None)!r}"
            raise ValueError(msg)

    @field_validator("state", mode="wrap")
    @classmethod
    def _added_state(cls, value: Any, handler: ValidatorFunctionWrapHandler) -> Any:
        """A state an extended table added, for a body read back from a store."""
        try:
            return handler(value)
        except ValueError:
            added = _ADDED_STATES.get(cls, {}).get(value) if isinstance(value, str) else None
            if added is None:
                raise
            return added

    @computed_field(  # type: ignore[prop-decorator]
        alias="entity_kind",
        description="The kind of entity: the key a union of entities is told apart by.",
    )
    @property
    def kind_name(self) -> str:
        """The kind's name (``entity_kind``'s value), written as ``entity_kind`` in JSON.

        ``model_dump`` and ``model_dump_json`` include it, so JSON a host sends out says
        what it holds; the class reads it back (checking the kind), and
        :meth:`~secretarial.Office.entity_from_json` (or
        :meth:`~secretarial.Office.entity_adapter`) reads any kind's as its class.
        """
        return str(self.entity_kind.value)

    @field_serializer("state", when_used="json")
    def _state_value(self, state: LabeledEnum) -> str:
        """The state's name, whichever enumeration it belongs to (an added state too)."""
        return state.value

    @property
    def content_version(self) -> int:
        """The version counting only what changed the record itself: the one for an ETag.

        :attr:`version` counts every audit event; a reminder, an escalation or a request
        for a progress report (the ``remind`` trigger a sweep fires, 催办) is an event
        too, but it changes nothing a user edits, so it is left out here. Each such event
        adds one entry to :attr:`reminders` and nothing else does, so the content version
        is the version less the reminders. A host that answers with
        ``ETag: "<content_version>"`` and fires with ``expected_content_version=`` keeps
        the forms its users have open valid across sweeps; the audit keeps every event.
        """
        return self.version - len(self.reminders)

    @property
    def step_holder(self) -> Holder | None:
        """The holder of the step the entity is in now: None once it has moved on."""
        holder = self.holder
        if holder is None or holder.step != self.state.value:
            return None
        return holder

    def reminded(self, step: str) -> bool:
        """Whether the reminder step ``step`` has been recorded."""
        return any(r.step == step for r in self.reminders)

    @property
    def is_open(self) -> bool:
        """Whether the entity is not in a terminal state."""
        return self.state not in self.terminal_states

    def is_overdue(self, as_of: date) -> bool:
        """Whether the entity is open and its deadline passed before ``as_of``.

        Overdue is derived, never stored: an item due today is not overdue today.
        """
        return self.deadline is not None and self.is_open and as_of > self.deadline

    def _repr_html_(self) -> str:
        label = getattr(self.state, "label", str(self.state))
        title = getattr(self, "title", None) or getattr(self, "requirement", "")
        rows = [
            ("state", f"{self.state} ({label})"),
            ("version", str(self.version)),
            ("deadline", self.deadline.isoformat() if self.deadline else ""),
            ("classification", f"{self.classification} ({self.classification.label})"),
            ("created", f"{self.created_at.isoformat(timespec='minutes')} by {self.created_by}"),
            ("updated", self.updated_at.isoformat(timespec="minutes")),
        ]
        body = "".join(
            f"<tr><th>{html.escape(k)}</th><td>{html.escape(v)}</td></tr>" for k, v in rows
        )
        head = html.escape(f"{self.entity_kind.label} {self.id} — {title}")
        return f"<table><caption>{head}</caption><tbody>{body}</tbody></table>"

    def _repr_markdown_(self) -> str:
        label = getattr(self.state, "label", str(self.state))
        title = getattr(self, "title", None) or getattr(self, "requirement", "")
        lines = [
            f"**{self.entity_kind.label} {self.id}** — {title}",
            "",
            f"- state: `{self.state}` ({label}), version {self.version}",
        ]
        if self.deadline is not None:
            lines.append(f"- deadline: {self.deadline.isoformat()}")
        if self.classification is not Classification.UNCLASSIFIED:
            lines.append(f"- classification: {self.classification.label}")
        return "\n".join(lines)


_ADDED_STATES: dict[type[Entity], dict[str, LabeledEnum]] = {}
"""The states extended tables added, by entity class: what a stored body may hold."""


def accept_states(entity_type: type[Entity], states: Iterable[LabeledEnum]) -> None:
    """Let ``entity_type`` hold ``states`` beside its own (an extended table's added states).

    Called when a workflow is built from a table with added states; harmless to repeat.
    """
    known = _ADDED_STATES.setdefault(entity_type, {})
    for state in states:
        known[state.value] = state


def evolve(model: M, updates: dict[str, Any]) -> M:
    """``model.model_copy(update=updates)`` for a frozen model, without its general machinery.

    The copy shares every value it does not replace (values are immutable) and, when
    ``updates`` names only fields already set, the original's set of set fields too.
    Like ``model_copy``, nothing is validated: give values of the fields' types.
    """
    cls = type(model)
    new = cls.__new__(cls)
    values = model.__dict__.copy()
    values.update(updates)
    fields_set = model.__pydantic_fields_set__
    if not updates.keys() <= fields_set:
        fields_set = fields_set | updates.keys()
    private = model.__pydantic_private__
    _set_attribute(new, "__dict__", values)
    _set_attribute(new, "__pydantic_fields_set__", fields_set)
    _set_attribute(new, "__pydantic_extra__", model.__pydantic_extra__)
    _set_attribute(new, "__pydantic_private__", None if private is None else dict(private))
    return new


_STORED: Final = {"kind_name"}
"""What a stored body leaves out: the kind, which the store keeps beside it."""


def stored_json(entity: Entity) -> str:
    """The JSON a store keeps for ``entity``: its fields, without its ``entity_kind``.

    The entity's class reads it back with ``model_validate_json`` on pydantic's fast
    path (a validator that took the key out would parse every body twice as slowly).
    """
    return entity.__pydantic_serializer__.to_json(entity, exclude=_STORED).decode()


def _without_kind(value: Any) -> Any:
    """A dump's fields without the ``entity_kind`` the union was told apart by."""
    if isinstance(value, dict) and "entity_kind" in value:
        return {key: item for key, item in value.items() if key != "entity_kind"}
    return value


def _kind_of(value: Any) -> str | None:
    """The ``entity_kind`` a value says it is: the tag of :func:`entity_adapter`'s union."""
    if isinstance(value, dict):
        kind = value.get("entity_kind")
        return kind if isinstance(kind, str) else None
    if isinstance(value, Entity):
        return value.kind_name
    return None


def entity_adapter(entity_types: Mapping[str, type[Entity]]) -> TypeAdapter[Entity]:
    """A type adapter over the union of ``entity_types``, told apart by ``entity_kind``.

    Each branch is the class of one kind, tagged with the kind's name; JSON (or a dict)
    is read as the class its ``entity_kind`` names, an entity passes as it is.
    """
    members = tuple(Annotated[cls, Tag(kind)] for kind, cls in sorted(entity_types.items()))
    if len(members) == 1:
        return TypeAdapter(members[0])  # type: ignore[arg-type]  # one kind: its class
    union = Annotated[
        Union[members],  # type: ignore[valid-type]  # noqa: UP007 -- made at run time
        Discriminator(
            _kind_of,
            custom_error_type="entity_kind",
            custom_error_message="entity_kind names no kind this office runs",
        ),
    ]
    adapter: TypeAdapter[Entity] = TypeAdapter(union)
    return adapter
