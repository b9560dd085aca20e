"""The base of every stateful record an office keeps."""

from __future__ import annotations

import html
from collections.abc import Iterable
from datetime import date
from typing import Any, ClassVar, TypeVar

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidatorFunctionWrapHandler,
    field_serializer,
    field_validator,
)

from ._enums import Classification, LabeledEnum, ReminderKind
from ._values import Day, Holder, Name, RefusingModelMeta, Text, Timed, Timestamp

__all__ = ["Entity", "Reminder", "accept_states", "evolve"]

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
        frozen=True, extra="forbid", str_strip_whitespace=True, validate_default=False
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
