"""Value objects: document numbers, organs, units, actors, attachments."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Annotated, Any, Final, Self

import pydantic
from pydantic import (
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
    model_serializer,
    model_validator,
)

from secretarial.errors import FieldProblem, ValidationError

from ._enums import Classification, OrganRelation

__all__ = [
    "Actor",
    "Attachment",
    "DocumentNumber",
    "Holder",
    "KindName",
    "Name",
    "Organ",
    "RefusingModelMeta",
    "Text",
    "Timestamp",
    "Unit",
    "Value",
    "problems_from_pydantic",
]

Name = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True, min_length=1, max_length=200, pattern=r"^[^\x00-\x1f\x7f]+$"
    ),
]
"""A short non-empty name or title line."""
KindName = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_-]{0,31}$")]
"""The name of an entity kind (``meeting``, or a plugin's ``letter``), as stored."""
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200_000)]
"""A non-empty body of text."""
EARLIEST: Final = datetime(1900, 1, 1, tzinfo=UTC)
"""The earliest time the library holds (and every zone can write as a local time)."""
LATEST: Final = datetime(9998, 12, 31, tzinfo=UTC)
"""The latest time the library holds: a day short of the end of ``datetime``, so that
every zone can write it as a local time and a deadline a year of working days after it
can still be counted."""
Timestamp = Annotated[AwareDatetime, Field(ge=EARLIEST, le=LATEST)]
"""A timezone-aware datetime from 1900-01-01 to 9998-12-31 (UTC); a naive one, or one
outside that range, is a validation error."""

Day = Annotated[date, Field(ge=EARLIEST.date(), le=LATEST.date())]
"""A calendar day from 1900-01-01 to 9998-12-31: a deadline, a day a step is due.

Far enough from the end of ``date`` that reminders and working days counted from it
stay dates."""


_TIMESTAMP: Final = pydantic.TypeAdapter(Timestamp)


def checked_moment(value: object, field: str) -> datetime:
    """``value`` as a moment the library holds, or a ValidationError naming ``field``.

    A moment is a timezone-aware ``datetime`` from :data:`EARLIEST` to :data:`LATEST`.
    """
    if type(value) is datetime and value.utcoffset() is not None and EARLIEST <= value <= LATEST:
        return value
    try:
        return _TIMESTAMP.validate_python(value, strict=True)
    except pydantic.ValidationError as e:
        problems = [
            FieldProblem(field, p.rule, p.message, p.accepted) for p in problems_from_pydantic(e)
        ]
        raise ValidationError(field, problems) from None


def problems_from_pydantic(error: pydantic.ValidationError) -> list[FieldProblem]:
    """Translate pydantic's error list into :class:`FieldProblem` records."""
    problems = []
    for item in error.errors(include_url=False):
        loc = ".".join(str(part) for part in item["loc"]) or "(input)"
        message = item["msg"]
        if message.startswith("Value error, "):
            message = message.removeprefix("Value error, ")
        coded = _RULE_PREFIX.match(message)
        rule = coded[1] if coded else item["type"]
        if not item["loc"] and rule in _MODEL_RULE_FIELDS:
            loc = _MODEL_RULE_FIELDS[rule]
        accepted = None
        ctx = item.get("ctx") or {}
        if "expected" in ctx:
            accepted = str(ctx["expected"])
        elif bounds := [f"{word} {ctx[key]}" for key, word in _BOUNDS if key in ctx]:
            accepted = " and ".join(bounds)
        elif "pattern" in ctx:
            accepted = f"text matching {ctx['pattern']}"
        problems.append(FieldProblem(loc, rule, message, accepted))
    return problems


_BOUNDS: Final = (("ge", "at least"), ("gt", "more than"), ("le", "at most"), ("lt", "less than"))
_RULE_PREFIX: Final = re.compile(r"^([A-Z]\d+): ")
_MODEL_RULE_FIELDS: Final = {"D4": "secrecy_period_years", "D5": "urgency"}
"""The field a model-level rule is about, for errors pydantic reports without a location."""


if TYPE_CHECKING:  # the class of pydantic's models, as the type checker knows it
    from pydantic._internal._model_construction import ModelMetaclass as _ModelMetaclass
else:
    _ModelMetaclass = type(BaseModel)  # the class of pydantic's models, found publicly


class RefusingModelMeta(_ModelMetaclass):
    """Makes calling a model class refuse bad fields with the library's ValidationError.

    Only the call ``Actor(...)`` goes through here: a value validated inside another
    model keeps pydantic's error for the outer model to report with the full path.
    """

    def __call__(cls, /, *args: Any, **kwargs: Any) -> Any:  # noqa: N805 -- a metaclass
        try:
            return super().__call__(*args, **kwargs)
        except pydantic.ValidationError as e:
            raise ValidationError(cls.__name__, problems_from_pydantic(e)) from None


class Value(BaseModel, metaclass=RefusingModelMeta):
    """Base of immutable values: frozen, no unknown fields.

    Made with its constructor, a value that does not fit is refused with
    :class:`~secretarial.ValidationError` naming each field and what it accepts (pydantic's
    own error does not leave the library).
    """

    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)


_LEFT, _RIGHT = "〔", "〕"
_NUMBER_RE: Final = re.compile(r"(?P<organ>[^\s〔〕]+)〔(?P<year>[0-9]{4})〕(?P<seq>[1-9][0-9]*)号")
_LOOKALIKE_BRACKETS: Final = "[]()（）【】{}〈〉《》「」『』［］〖〗"
_ACCEPTED_NUMBER: Final = (
    "organ code, 〔four-digit year〕, sequence without leading zeros, 号: 国办发〔2012〕14号"
)


def _number_problem(text: str) -> str | None:  # noqa: C901, PLR0911 -- one branch per malformed form
    """Say what is wrong with a document number, or None if it is well formed (D6)."""
    if any(ch.isspace() for ch in text):
        return "contains whitespace"
    if _NUMBER_RE.fullmatch(text):
        return None
    if _LEFT not in text or _RIGHT not in text:
        used = sorted({ch for ch in text if ch in _LOOKALIKE_BRACKETS})
        if used:
            return f"the year must be enclosed in 〔〕 (U+3014, U+3015), not {''.join(used)!r}"
        return "the year in 〔〕 (U+3014, U+3015) is missing"
    organ, _, rest = text.partition(_LEFT)
    if not organ:
        return "the organ code before 〔 is missing"
    year, sep, tail = rest.partition(_RIGHT)
    if not sep or _LEFT in rest:
        return "〔 and 〕 must appear once each, in that order"
    if not (len(year) == 4 and year.isascii() and year.isdigit()):  # noqa: PLR2004 -- 4-digit year
        return f"the year must be four digits, found {year!r}"
    if not tail.endswith("号"):
        return "the number must end with 号"
    seq = tail[:-1]
    if seq.startswith("第"):
        return "第 is not written before the sequence"
    if not seq:
        return "the sequence before 号 is missing"
    if not (seq.isascii() and seq.isdigit()):
        return f"the sequence must be Arabic digits, found {seq!r}"
    if seq.startswith("0"):
        return f"the sequence has no leading zeros and starts at 1, found {seq!r}"
    return "does not match organ〔YYYY〕N号"  # pragma: no cover -- every branch above is exhaustive


class DocumentNumber(Value):
    """A document number 发文字号 (docs/rules.md D6): organ code, year and sequence.

    Parse with :meth:`parse`; ``str()`` formats it back. In models a field of this type
    accepts the string form and serialises to it.

    >>> n = DocumentNumber.parse("国办发〔2012〕14号")
    >>> (n.organ_code, n.year, n.sequence)
    ('国办发', 2012, 14)
    >>> str(n)
    '国办发〔2012〕14号'
    """

    organ_code: Name
    year: int = Field(ge=1000, le=9999)
    sequence: int = Field(ge=1, le=10**9)

    @field_validator("organ_code")
    @classmethod
    def _organ_code_has_no_brackets(cls, value: str) -> str:
        if _LEFT in value or _RIGHT in value or any(ch.isspace() for ch in value):
            raise ValueError("the organ code may not contain 〔, 〕 or whitespace")
        return value

    @classmethod
    def parse(cls, text: str) -> Self:
        """Parse ``国办发〔2012〕14号``.

        Raises:
            ValidationError: The text is not of the D6 form; the message says which
                part is wrong and what is accepted.
        """
        try:
            return cls.model_validate(text)
        except pydantic.ValidationError as e:
            detail = "; ".join(
                ("the " + ".".join(map(str, err["loc"])) + " " if err["loc"] else "")
                + str(err["msg"]).removeprefix("Value error, ").removeprefix("D6: ")
                for err in e.errors(include_url=False)
            )
            detail = detail.split("; accepted: ")[0]
            raise ValidationError(
                "DocumentNumber", [FieldProblem("number", "D6", detail, _ACCEPTED_NUMBER)]
            ) from None

    @model_validator(mode="before")
    @classmethod
    def _from_text(cls, data: Any) -> Any:
        if isinstance(data, str):
            problem = _number_problem(data)
            if problem is not None:
                raise ValueError(f"D6: {data!r}: {problem}; accepted: {_ACCEPTED_NUMBER}")
            match = _NUMBER_RE.fullmatch(data)
            assert match is not None  # noqa: S101 -- _number_problem returned None
            return {"organ_code": match["organ"], "year": match["year"], "sequence": match["seq"]}
        if not isinstance(data, dict | DocumentNumber):
            # pydantic turns only ValueError (not TypeError) into a validation error
            got = type(data).__name__
            raise ValueError(f"D6: expected text such as 国办发〔2012〕14号, got {got}")  # noqa: TRY004
        return data

    @model_serializer(mode="plain")
    def _to_text(self) -> str:
        return str(self)

    def __str__(self) -> str:
        return f"{self.organ_code}〔{self.year}〕{self.sequence}号"


class Organ(Value):
    """An organ (机关) outside this office: a sender, a recipient, a co-issuer."""

    code: Name
    name: Name
    relation: OrganRelation = OrganRelation.UNRELATED


class Unit(Value):
    """A unit (department) inside the office's organ: a lead unit, a co-unit."""

    code: Name
    name: Name


class Actor(Value):
    """Someone who acts in the office: who they are, what roles they hold, what they may see.

    Roles are strings; the built-in ones are the members of
    :class:`~secretarial.Role`, and a host may use its own.
    """

    id: Name
    name: Name
    roles: frozenset[str] = frozenset()
    clearance: Classification = Classification.UNCLASSIFIED
    unit: Unit | None = None

    def has_any_role(self, roles: frozenset[str]) -> bool:
        """Whether the actor holds at least one of ``roles``."""
        return not self.roles.isdisjoint(roles)

    def may_see(self, classification: Classification) -> bool:
        """Whether the actor's clearance covers ``classification``."""
        return self.clearance >= classification


class Attachment(Value):
    """An attachment 附件: its sequence in the attachment note, name and pages."""

    sequence: int = Field(ge=1)
    name: Name
    pages: int | None = Field(default=None, ge=1)


class Timed(Value):
    """Base for records that say who did something and when."""

    by: str
    at: Timestamp


class Holder(Timed):
    """Who holds a step of an entity now, when the office handed it to someone (转办, 退回).

    A holder belongs to one step: it says who holds the entity while the entity is in
    ``step``, and the engine drops it when the entity moves on (a later return to the
    step starts without it). ``by`` and ``at`` say who handed it over and when.

    Attributes:
        step: The state the entity was in when it was handed over.
        actor_id: The actor who holds it, if it went to a person.
        unit: The unit that holds it, if it went to a unit.
        reason: Why it was handed over.
        returned: Whether it came back by a return (退回) rather than a reassignment.
    """

    step: Name
    actor_id: Name | None = None
    unit: Unit | None = None
    reason: Text | None = None
    returned: bool = False

    @property
    def names(self) -> tuple[str, ...]:
        """The actor id and the unit code it is addressed to (reminders, the brief)."""
        return tuple(n for n in (self.actor_id, self.unit.code if self.unit else None) if n)
