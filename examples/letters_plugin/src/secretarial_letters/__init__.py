"""An example area for ``secretarial``: letters and visits (信访事项).

It adds a whole kind of entity through the ``secretarial_areas`` hook: the entity class
:class:`Letter`, its states :class:`LetterState`, a state table with its own rules, the
register 信访登记簿 (``letters``) and the command-line names ``letter`` and ``letters``.

The rules follow the 《信访工作条例》 (2022):

- ``L1`` whether a matter is accepted (受理), declined (不予受理) or sent on to the organ
  that has the power to handle it (转送) is decided within 15 days of its receipt;
- ``L2`` an accepted matter is answered within 60 days of its acceptance: the deadline;
- ``L3`` the term is extended once at most, by at most 30 days, with a reason.

``pyproject.toml`` registers the instance :data:`plugin` under the entry-point name
``letters``; every office made while the package is installed runs the kind.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any, ClassVar, Final

from pydantic import Field

from secretarial import (
    Area,
    Entity,
    Register,
    RegisterColumn,
    RegisterRequest,
    RegisterSpec,
    Role,
    Rule,
    TransitionSpec,
    Unit,
    WorkflowTable,
)
from secretarial.kernel import (
    CreationSpec,
    Input,
    LabeledEnum,
    Name,
    Text,
    TransitionContext,
    reason_required,
    remind_spec,
)
from secretarial.plugins import hookimpl

__all__ = [
    "ACCEPT_WITHIN_DAYS",
    "ANSWER_WITHIN_DAYS",
    "LETTERS_AREA",
    "LETTER_TABLE",
    "MAX_EXTENSION_DAYS",
    "Letter",
    "LetterChannel",
    "LetterKind",
    "LetterState",
    "LettersPlugin",
    "letters_register",
    "plugin",
]

ACCEPT_WITHIN_DAYS: Final = 15
"""Days from receipt within which acceptance is decided (L1)."""
ANSWER_WITHIN_DAYS: Final = 60
"""Days from acceptance within which an accepted matter is answered (L2)."""
MAX_EXTENSION_DAYS: Final = 30
"""The longest one extension of the term may be (L3)."""


class LetterKind(LabeledEnum):
    """The kind this area adds."""

    LETTER = "letter", "信访事项"


class LetterState(LabeledEnum):
    """States of a letter or visit."""

    REGISTERED = "registered", "登记"
    ACCEPTED = "accepted", "受理"
    DECLINED = "declined", "不予受理"
    TRANSFERRED = "transferred", "转送"
    ANSWERED = "answered", "答复"
    CLOSED = "closed", "办结"


class LetterChannel(LabeledEnum):
    """How the matter came in."""

    LETTER = "letter", "来信"
    VISIT = "visit", "来访"
    ONLINE = "online", "网上信访"
    PHONE = "phone", "来电"


class Letter(Entity):
    """A letter or visit (信访事项) and how it is handled."""

    entity_kind: ClassVar[LabeledEnum] = LetterKind.LETTER
    terminal_states: ClassVar[frozenset[str]] = frozenset(
        {LetterState.DECLINED, LetterState.TRANSFERRED, LetterState.CLOSED}
    )

    state: LetterState = LetterState.REGISTERED
    petitioner: Name
    """Who wrote or came (信访人)."""
    channel: LetterChannel
    matter: Text
    """What the petitioner asks or complains of (信访事项)."""
    received_on: date
    handling_unit: Unit | None = None
    """The unit that handles an accepted matter (承办单位)."""
    accepted_on: date | None = None
    transferred_to: Name | None = None
    """The organ a matter was sent on to (转送机关)."""
    decline_reason: Text | None = None
    extended_by: int | None = None
    """Days the term was extended by (L3), if it was."""
    extension_reason: Text | None = None
    answer: Text | None = None
    answered_on: date | None = None

    @property
    def title(self) -> str:
        """How lists and the brief name the matter: the petitioner and the matter."""
        return f"{self.petitioner}：{self.matter}"


# ---------------------------------------------------------------------------- inputs
class Accept(Input):
    """Input of ``accept``: the unit that handles the matter."""

    handling_unit: Unit


class Transfer(Input):
    """Input of ``transfer``: the organ with the power to handle the matter."""

    to: Name


class Extend(Input):
    """Input of ``extend``: by how many days (at most 30)."""

    days: int = Field(ge=1)


class Answer(Input):
    """Input of ``answer``: the written answer to the petitioner."""

    answer: Text


# ---------------------------------------------------------------------------- rules
def _letter(ctx: TransitionContext) -> Letter:
    entity = ctx.entity
    assert isinstance(entity, Letter)
    return entity


def _check_decided_in_time(ctx: TransitionContext) -> str | None:
    letter = _letter(ctx)
    last = letter.received_on + timedelta(days=ACCEPT_WITHIN_DAYS)
    today = ctx.now.date()
    if today > last:
        return (
            f"the matter was received on {letter.received_on.isoformat()}: whether it is "
            f"accepted is decided within {ACCEPT_WITHIN_DAYS} days, by {last.isoformat()}, "
            f"not on {today.isoformat()}"
        )
    return None


L1_DECIDED_IN_TIME = Rule(
    "L1",
    "acceptance-decided-in-15-days",
    "whether a matter is accepted is decided within 15 days of its receipt",
    _check_decided_in_time,
)


def _check_extension(ctx: TransitionContext) -> str | None:
    letter = _letter(ctx)
    days = ctx.input("days")
    if letter.extended_by is not None:
        return f"the term was already extended by {letter.extended_by} days; it is extended once"
    if days is not None and days > MAX_EXTENSION_DAYS:
        return f"an extension is at most {MAX_EXTENSION_DAYS} days, not {days}"
    return None


L3_ONE_EXTENSION = Rule(
    "L3",
    "one-extension-of-at-most-30-days",
    "the term is extended once at most, by at most 30 days",
    _check_extension,
    on_input=True,
)
L3_REASON = reason_required("L3", "extension-needs-reason", "extending the term")
DECLINE_REASON = reason_required("L1", "decline-needs-reason", "declining a matter")


# ---------------------------------------------------------------------------- effects
def _accept(ctx: TransitionContext) -> dict[str, Any]:
    today = ctx.now.date()
    return {
        "handling_unit": ctx.input("handling_unit"),
        "accepted_on": today,
        "deadline": today + timedelta(days=ANSWER_WITHIN_DAYS),
    }


def _transfer(ctx: TransitionContext) -> dict[str, Any]:
    return {"transferred_to": ctx.input("to")}


def _decline(ctx: TransitionContext) -> dict[str, Any]:
    return {"decline_reason": ctx.reason}


def _extend(ctx: TransitionContext) -> dict[str, Any]:
    letter = _letter(ctx)
    days = ctx.input("days")
    assert letter.deadline is not None  # set on accept
    assert isinstance(days, int)
    return {
        "deadline": letter.deadline + timedelta(days=days),
        "extended_by": days,
        "extension_reason": ctx.reason,
    }


def _answer(ctx: TransitionContext) -> dict[str, Any]:
    return {"answer": ctx.input("answer"), "answered_on": ctx.now.date()}


_CLERKS: Final = frozenset({Role.CLERK.value, Role.OFFICE_DIRECTOR.value})
_DIRECTORS: Final = frozenset({Role.OFFICE_DIRECTOR.value, Role.LEADER.value})
_HANDLERS: Final = frozenset({Role.CLERK.value, Role.UNDERTAKER.value})

LETTER_TABLE: Final[WorkflowTable[Letter]] = WorkflowTable(
    name="letter",
    entity_type=Letter,
    states=LetterState,
    description="信访: registered → accepted → answered → closed; or declined, or transferred",
    creation=CreationSpec(
        "register",
        LetterState.REGISTERED,
        _CLERKS,
        (),
        "登记",
        managed=frozenset(
            {
                "handling_unit",
                "accepted_on",
                "transferred_to",
                "decline_reason",
                "extended_by",
                "extension_reason",
                "answer",
                "answered_on",
                "deadline",
            }
        ),
    ),
    transitions=(
        TransitionSpec(
            "accept",
            (LetterState.REGISTERED,),
            LetterState.ACCEPTED,
            _CLERKS,
            (L1_DECIDED_IN_TIME,),
            data=Accept,
            effect=_accept,
            label="受理",
        ),
        TransitionSpec(
            "decline",
            (LetterState.REGISTERED,),
            LetterState.DECLINED,
            _CLERKS,
            (L1_DECIDED_IN_TIME, DECLINE_REASON),
            effect=_decline,
            label="不予受理",
        ),
        TransitionSpec(
            "transfer",
            (LetterState.REGISTERED,),
            LetterState.TRANSFERRED,
            _CLERKS,
            (L1_DECIDED_IN_TIME,),
            data=Transfer,
            effect=_transfer,
            label="转送",
        ),
        TransitionSpec(
            "extend",
            (LetterState.ACCEPTED,),
            None,
            _DIRECTORS,
            (L3_ONE_EXTENSION, L3_REASON),
            data=Extend,
            effect=_extend,
            label="延期",
        ),
        TransitionSpec(
            "answer",
            (LetterState.ACCEPTED,),
            LetterState.ANSWERED,
            _HANDLERS,
            data=Answer,
            effect=_answer,
            label="答复",
        ),
        TransitionSpec("close", (LetterState.ANSWERED,), LetterState.CLOSED, _CLERKS, label="办结"),
        remind_spec((LetterState.REGISTERED, LetterState.ACCEPTED)),
    ),
)
"""The state table of letters and visits."""


# ---------------------------------------------------------------------------- register
_COLUMNS: Final = (
    RegisterColumn("id", "编号"),
    RegisterColumn("received_on", "收到日期"),
    RegisterColumn("petitioner", "信访人"),
    RegisterColumn("channel", "信访形式"),
    RegisterColumn("matter", "信访事项"),
    RegisterColumn("handling_unit", "承办单位"),
    RegisterColumn("deadline", "办理期限"),
    RegisterColumn("state", "办理状态"),
    RegisterColumn("answered_on", "答复日期"),
)


def letters_register(letters: Sequence[Letter], *, year: int | None = None) -> Register:
    """The register of letters and visits 信访登记簿, in order of receipt.

    Args:
        letters: The letters to list.
        year: Only those received in this year.
    """
    chosen = sorted(
        (x for x in letters if year is None or x.received_on.year == year),
        key=lambda x: (x.received_on, x.id),
    )
    rows = tuple(
        (
            x.id,
            x.received_on.isoformat(),
            x.petitioner,
            x.channel.label,
            x.matter,
            x.handling_unit.name if x.handling_unit is not None else None,
            x.deadline.isoformat() if x.deadline is not None else None,
            x.state.label,
            x.answered_on.isoformat() if x.answered_on is not None else None,
        )
        for x in chosen
    )
    return Register("信访登记簿", "Register of letters and visits", _COLUMNS, rows)


def _register(letters: Sequence[Any], request: RegisterRequest) -> Register:
    return letters_register([x for x in letters if isinstance(x, Letter)], year=request.year)


LETTERS_AREA: Final = Area(
    kind=LetterKind.LETTER,
    entity_type=Letter,
    table=LETTER_TABLE,
    id_prefix="xf",
    aliases=("letters",),
    registers=(RegisterSpec("letters", "信访登记簿", _register),),
)
"""The area the plugin adds."""


class LettersPlugin:
    """Adds the letters-and-visits area to every office that runs it."""

    @hookimpl
    def secretarial_areas(self) -> tuple[Area, ...]:
        """The area of letters and visits."""
        return (LETTERS_AREA,)


plugin: Final = LettersPlugin()
"""The instance the entry point ``letters`` registers."""
