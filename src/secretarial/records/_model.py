"""Records 归档: archival codes, the retention schedule and the record of a filed item.

Filing (docs/rules.md A1-A8) turns finished documents into a :class:`Record`: one *item* 件
(a document with its attachments and final draft, a reply with its request, a
forwarding document with the forwarded one, A4) under one archival code 档号 (A2), kept
for the retention period the :class:`RetentionSchedule` gives its record class (A1),
and disposed of only through an appraisal once that period has ended (A8).

Conventions (documented in ``docs/records.md``):

* **Year.** The year 年度 of an item is its lead document's year: the date of issue
  成文日期 if the document carries one, otherwise the day it was received (incoming) or
  drafted (outgoing), in the office's time zone.
* **Retention end.** A fixed period counts from 1 January of the year after the item's
  year: a ``D10`` item of 2025 is kept to 31 December 2035 and is due for appraisal from
  1 January 2036. A permanent (``Y``) item never ends.

Nothing here reads a clock or a store: callers pass ``now``, time zones and documents.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import date, tzinfo
from typing import Any, ClassVar, Final, Self

from pydantic import Field, TypeAdapter, model_serializer, model_validator
from pydantic import ValidationError as PydanticValidationError

from secretarial.documents._enums import DocumentKind
from secretarial.documents._model import Document, IncomingDocument, OutgoingDocument, Title
from secretarial.errors import FieldProblem, RuleViolation, ValidationError
from secretarial.kernel._entity import Entity
from secretarial.kernel._enums import Classification, EntityKind, Retention
from secretarial.kernel._enums import Role as _Role
from secretarial.kernel._rules import Rule, TransitionContext
from secretarial.kernel._values import Day, DocumentNumber, Name, Text, Timed, Timestamp, Value
from secretarial.kernel._workflow import CreationSpec, TransitionSpec, WorkflowTable

from ._enums import Disposition, RecordState

__all__ = [
    "DEFAULT_SCHEDULE",
    "MAX_ITEM",
    "RECORD_TABLE",
    "Appraisal",
    "ApproveDestruction",
    "ArchivalClass",
    "ArchivalCode",
    "ArchiveSettings",
    "Destroy",
    "Destruction",
    "ExtendRetention",
    "Hold",
    "PlaceHold",
    "Record",
    "ReleaseHold",
    "Retain",
    "RetentionExtension",
    "RetentionSchedule",
    "Tombstone",
    "answers",
    "document_date",
    "document_year",
    "forwards",
    "item_problem",
    "longer_or_equal",
    "names_document",
    "responsible_party",
    "retention_end",
    "retention_years",
    "tombstone_of",
]

# ============================================================================ retention
_YEARS: Final[Mapping[Retention, int | None]] = {
    Retention.PERMANENT: None,
    Retention.YEARS_30: 30,
    Retention.YEARS_10: 10,
}
_RANK: Final[Mapping[Retention, int]] = {
    Retention.YEARS_10: 0,
    Retention.YEARS_30: 1,
    Retention.PERMANENT: 2,
}


def retention_years(retention: Retention) -> int | None:
    """How many years a period keeps a record; None for permanent.

    >>> retention_years(Retention.YEARS_30), retention_years(Retention.PERMANENT)
    (30, None)
    """
    return _YEARS[retention]


def longer_or_equal(period: Retention, than: Retention) -> bool:
    """Whether ``period`` keeps records at least as long as ``than`` (``Y > D30 > D10``).

    >>> longer_or_equal(Retention.PERMANENT, Retention.YEARS_10)
    True
    >>> longer_or_equal(Retention.YEARS_10, Retention.YEARS_30)
    False
    """
    return _RANK[period] >= _RANK[than]


def retention_end(year: int, retention: Retention) -> date | None:
    """The last day a record of ``year`` is kept for ``retention``; None if permanent.

    A fixed period counts whole years from 1 January of the year after ``year``.

    >>> retention_end(2025, Retention.YEARS_10)
    datetime.date(2035, 12, 31)
    """
    years = _YEARS[retention]
    return None if years is None else date(year + years, 12, 31)


# ============================================================================ archival codes
_FONDS: Final = r"[0-9A-Z]{4}"
_CATEGORY: Final = r"[A-Z]{2}"
_UNIT: Final = r"[0-9A-Z]{1,10}"
_CLASS_RE: Final = re.compile(
    rf"(?P<fonds>{_FONDS})-(?P<category>{_CATEGORY})·(?P<year>[0-9]{{4}})"
    rf"-(?P<retention>Y|D30|D10)(?:-(?P<unit>{_UNIT}))?"
)
_CODE_RE: Final = re.compile(_CLASS_RE.pattern + r"-(?P<item>[0-9]{4})")
_DOT: Final = "·"
_LOOKALIKE_DOTS: Final = ".．・•∙⋅"
_ACCEPTED_LEVELS: Final = (
    "fonds (4 capital letters or digits)-category (2 capital letters)·year (4 digits)"
    "-retention (Y, D30, D10), then -unit (1 to 10 capital letters or digits) if the "
    "archive classifies by unit"
)
_ACCEPTED_CODE: Final = (
    f"{_ACCEPTED_LEVELS}, then -item (4 digits): 0194-WS·2016-D30-BGS-0001 or 0194-WS·2016-D30-0001"
)
_ACCEPTED_CLASS: Final = f"{_ACCEPTED_LEVELS}: 0194-WS·2016-D30-BGS or 0194-WS·2016-D30"
MAX_ITEM: Final = 9999
"""The largest item number four digits can write (A2)."""
_BOOL: Final = TypeAdapter(bool)


def _code_problem(text: str, *, with_item: bool) -> str | None:  # noqa: C901, PLR0911 -- one branch per part
    """Say which part of an archival code (or class) is malformed, or None if it is well formed."""
    if any(ch.isspace() for ch in text):
        return "contains whitespace"
    parts = text.split("-")
    levels = 4 if with_item else 3
    if len(parts) not in {levels, levels + 1}:
        return (
            f"has {len(parts)} parts joined by '-', expected {levels} (without a unit code) "
            f"or {levels + 1} (with one)"
        )
    fonds, category_year, retention, *rest = parts
    item = rest[-1:] if with_item else []
    unit = rest[:-1] if with_item else rest
    if not re.fullmatch(_FONDS, fonds):
        return f"the fonds number is 4 capital letters or digits, found {fonds!r}"
    if _DOT not in category_year:
        used = sorted({ch for ch in category_year if ch in _LOOKALIKE_DOTS})
        found = f", not {''.join(used)!r}" if used else ""
        return f"the category and the year are joined by · (U+00B7){found}"
    category, _, year = category_year.partition(_DOT)
    if not re.fullmatch(_CATEGORY, category):
        return f"the category code is 2 capital letters (WS: administrative), found {category!r}"
    if not re.fullmatch(r"[0-9]{4}", year):
        return f"the year is 4 digits, found {year!r}"
    if retention not in {r.value for r in Retention}:
        return f"the retention code is Y, D30 or D10, found {retention!r}"
    if unit and not re.fullmatch(_UNIT, unit[0]):
        return f"the unit (or subject) code is 1 to 10 capital letters or digits, found {unit[0]!r}"
    if item:
        number = item[0]
        if not re.fullmatch(r"[0-9]{4}", number):
            return f"the item number is 4 digits, zero-padded (0001), found {number!r}"
        if number == "0000":
            return "item numbers start at 0001"
    return None


class _ArchivalParts(Value):
    """The levels of an archival class: fonds, category, year, retention and, if any, unit."""

    fonds: str = Field(pattern=rf"^{_FONDS}$")
    """The fonds number 全宗号: 4 capital letters or digits (``0194``)."""
    category: str = Field(pattern=rf"^{_CATEGORY}$")
    """The category code 门类代码: 2 capital letters (``WS``, administrative documents)."""
    year: int = Field(ge=0, le=9999)
    """The year 年度, written with 4 digits."""
    retention: Retention
    """The retention period 保管期限."""
    unit: str | None = Field(default=None, pattern=rf"^{_UNIT}$")
    """The unit (or subject) code 机构(问题)代码 (``BGS``); None in an archive that does
    not classify by unit, whose codes leave the level out (``0194-WS·2016-D30-0001``)."""

    _with_item: ClassVar[bool]
    """Whether the text ends with an item number (a code) or not (a class)."""
    _field: ClassVar[str]
    _accepted: ClassVar[str]

    @property
    def class_text(self) -> str:
        """The class as written: ``0194-WS·2016-D30-BGS`` (``0194-WS·2016-D30`` without a unit)."""
        levels = f"{self.fonds}-{self.category}{_DOT}{self.year:04d}-{self.retention.value}"
        return levels if self.unit is None else f"{levels}-{self.unit}"

    @classmethod
    def parse(cls, text: object) -> Self:
        """Parse the written form (``0194-WS·2016-D30-BGS``, with ``-0001`` for a code).

        The unit level may be left out (``0194-WS·2016-D30``, ``0194-WS·2016-D30-0001``):
        the code of an archive that does not classify by unit. Either form parses here;
        :meth:`ArchiveSettings.parse_code` also checks the form is the archive's.

        Raises:
            ValidationError: The text is not of the A2 form; the problem (rule ``A2``)
                names the part that is wrong and what is accepted.
        """
        name = cls.__name__
        if not isinstance(text, str):
            got = f"expected text, got {type(text).__name__}"
            raise _parse_error(name, cls._field, repr(text), got, cls._accepted)
        problem = _code_problem(text.strip(), with_item=cls._with_item)
        if problem is not None:
            raise _parse_error(name, cls._field, text, problem, cls._accepted)
        return cls.model_validate(text)

    @model_validator(mode="before")
    @classmethod
    def _from_text(cls, data: Any) -> Any:
        if isinstance(data, str):
            problem = _code_problem(data.strip(), with_item=cls._with_item)
            if problem is not None:
                raise ValueError(f"A2: {data!r}: {problem}")
            match = (_CODE_RE if cls._with_item else _CLASS_RE).fullmatch(data.strip())
            assert match is not None  # noqa: S101 -- _code_problem returned None
            return match.groupdict()
        return data

    @model_serializer(mode="plain")
    def _to_text(self) -> str:
        return str(self)


def _parse_error(model: str, field: str, text: str, problem: str, accepted: str) -> ValidationError:
    return ValidationError(model, [FieldProblem(field, "A2", f"{text!r}: {problem}", accepted)])


class ArchivalClass(_ArchivalParts):
    """The lowest class 最低一级类目 of a fonds (A3): item numbers restart in each one.

    The class is year × retention × unit, or year × retention in an archive that does
    not classify by unit.

    >>> c = ArchivalClass.parse("0194-WS·2016-D30-BGS")
    >>> (c.fonds, c.category, c.year, c.retention.value, c.unit)
    ('0194', 'WS', 2016, 'D30', 'BGS')
    >>> str(c.code(1))
    '0194-WS·2016-D30-BGS-0001'
    >>> print(ArchivalClass.parse("0194-WS·2016-D30").unit)
    None
    """

    _with_item: ClassVar[bool] = False
    _field: ClassVar[str] = "archival_class"
    _accepted: ClassVar[str] = _ACCEPTED_CLASS

    def code(self, item: int) -> ArchivalCode:
        """The archival code of item number ``item`` in this class."""
        return ArchivalCode(
            fonds=self.fonds,
            category=self.category,
            year=self.year,
            retention=self.retention,
            unit=self.unit,
            item=item,
        )

    def __str__(self) -> str:
        return self.class_text


class ArchivalCode(_ArchivalParts):
    """An archival code 档号 (A2): ``全宗号-门类代码·年度-保管期限代码-机构(问题)代码-件号``.

    Levels are joined by ``-``, the category and the year by ``·`` (U+00B7). An archive
    that does not classify by unit leaves the unit level out: ``全宗号-门类代码·年度-
    保管期限代码-件号``, and ``unit`` is None. Parse with :meth:`parse`; ``str()`` writes
    it back. In models a field of this type accepts the text and serialises to it.

    >>> code = ArchivalCode.parse("0194-WS·2016-D30-BGS-0001")
    >>> (code.fonds, code.category, code.year, code.retention.value, code.unit, code.item)
    ('0194', 'WS', 2016, 'D30', 'BGS', 1)
    >>> str(code.archival_class), str(code)
    ('0194-WS·2016-D30-BGS', '0194-WS·2016-D30-BGS-0001')
    >>> short = ArchivalCode.parse("0194-WS·2016-D30-0001")
    >>> short.unit is None, str(short.archival_class), str(short)
    (True, '0194-WS·2016-D30', '0194-WS·2016-D30-0001')
    """

    item: int = Field(ge=1, le=MAX_ITEM)
    """The item number 件号, from 1 in each class (A3), written with 4 digits."""

    _with_item: ClassVar[bool] = True
    _field: ClassVar[str] = "archival_code"
    _accepted: ClassVar[str] = _ACCEPTED_CODE

    @property
    def archival_class(self) -> ArchivalClass:
        """The class the code belongs to (its item number left off)."""
        return ArchivalClass(
            fonds=self.fonds,
            category=self.category,
            year=self.year,
            retention=self.retention,
            unit=self.unit,
        )

    @property
    def sort_key(self) -> tuple[str, str, int, int, str, int]:
        """Catalogue order: fonds, category, year, retention (Y, D30, D10), unit, item.

        A code without a unit comes before the codes with one of its year and retention.
        """
        return (
            self.fonds,
            self.category,
            self.year,
            -_RANK[self.retention],
            self.unit or "",
            self.item,
        )

    def __str__(self) -> str:
        return f"{self.class_text}-{self.item:04d}"


# ============================================================================ schedule and settings
class RetentionSchedule(Value):
    """Which retention period each record class gets (A1): 归档范围和保管期限表.

    ``periods`` maps a record class (an identifier the office chooses) to its period.
    ``unit_periods`` lets a unit keep a class longer: ``{"BGS": {"general": "Y"}}``. A
    unit may lengthen a class's period, never shorten it (A1): a schedule that shortens
    one does not validate, and :meth:`lengthened` refuses it.

    >>> s = RetentionSchedule(periods={"general": "D30"}).lengthened("BGS", "general", "Y")
    >>> s.retention_for("general", "BGS").value, s.retention_for("general", "ZHK").value
    ('Y', 'D30')
    """

    periods: dict[Name, Retention] = Field(min_length=1)
    """The period of each record class."""
    labels: dict[Name, Name] = Field(default_factory=dict)
    """What each record class covers, in the office's words (optional)."""
    unit_periods: dict[Name, dict[Name, Retention]] = Field(default_factory=dict)
    """Longer periods some units keep for some classes: unit code → class → period."""

    @model_validator(mode="after")
    def _units_only_lengthen(self) -> Self:
        for unit, periods in self.unit_periods.items():
            for record_class, period in periods.items():
                problem = self._override_problem(unit, record_class, period)
                if problem is not None:
                    raise ValueError(f"A1: {problem}")
        return self

    def _override_problem(self, unit: str, record_class: str, period: Retention) -> str | None:
        base = self.periods.get(record_class)
        if base is None:
            return (
                f"unit {unit} keeps a period for {record_class!r}, which is not a class of the "
                f"schedule; classes: {', '.join(self.periods)}"
            )
        if not longer_or_equal(period, base):
            return (
                f"unit {unit} may lengthen the period of {record_class!r} ({base.value} "
                f"{base.label}), never shorten it to {period.value} {period.label}"
            )
        return None

    @property
    def classes(self) -> tuple[str, ...]:
        """The record classes, in the schedule's order."""
        return tuple(self.periods)

    def retention_for(self, record_class: str, unit: str | None = None) -> Retention:
        """The period of ``record_class``, lengthened for ``unit`` if the unit keeps it longer.

        Raises:
            ValidationError: The schedule has no such class (rule ``A1``).
        """
        base = self.periods.get(record_class)
        if base is None:
            raise ValidationError(
                "filing",
                [
                    FieldProblem(
                        "record_class",
                        "A1",
                        f"{record_class!r} is not a class of the retention schedule",
                        ", ".join(self.periods),
                    )
                ],
            )
        if unit is None:
            return base
        return self.unit_periods.get(unit, {}).get(record_class, base)

    def lengthened(self, unit: str, record_class: str, retention: Retention | str) -> Self:
        """A copy of the schedule in which ``unit`` keeps ``record_class`` for ``retention``.

        Raises:
            RuleViolation: ``retention`` is shorter than the class's period (rule ``A1``),
                or the schedule has no such class.
        """
        period = Retention(retention)
        problem = self._override_problem(unit, record_class, period)
        if problem is not None:
            raise RuleViolation("A1", "units-only-lengthen", problem)
        units = {u: dict(p) for u, p in self.unit_periods.items()}
        units.setdefault(unit, {})[record_class] = period
        return self.model_copy(update={"unit_periods": units})


DEFAULT_SCHEDULE: Final = RetentionSchedule(
    periods={
        "important": Retention.PERMANENT,
        "general": Retention.YEARS_30,
        "routine": Retention.YEARS_10,
    },
    labels={
        "important": "本机关重要文件材料（永久）",
        "general": "本机关一般性业务文件材料（定期30年）",
        "routine": "一般性、事务性文件材料（定期10年）",
    },
)
"""An illustrative schedule with three classes; an office supplies its own 保管期限表."""


class ArchiveSettings(Value):
    """How an office's archive writes its codes and keeps its records (A1, A2, A3).

    Attributes:
        fonds: The fonds number 全宗号 the archives assigned to the organ: 4 capital
            letters or digits.
        category: The category code 门类代码: ``WS`` for administrative documents 文书.
        by_unit: Whether the archive classifies by unit (or subject) 机构(问题): its
            classes are year × retention × unit and its codes carry the unit code
            (``0194-WS·2016-D30-BGS-0001``). An archive that does not (``False``,
            DA/T 22's 年度-保管期限 scheme for small organs) counts items per year ×
            retention and leaves the unit out (``0194-WS·2016-D30-0001``).
        unit: The unit code 机构(问题)代码 used when a filing names none (``BGS``
            办公室); None, and not to be given, when the archive does not classify by unit.
        organ_name: The organ's name, written as the responsible party 责任者 of documents
            it issued that carry no issuer signature.
        schedule: The retention schedule. Its unit periods need an archive that
            classifies by unit.

    Build settings of the other scheme anew rather than with ``model_copy``, which does
    not validate: ``ArchiveSettings(fonds="0194", by_unit=False)``.

    >>> ArchiveSettings(fonds="0194").category
    'WS'
    >>> print(ArchiveSettings(fonds="0194", by_unit=False).unit)
    None
    """

    fonds: str = Field(pattern=rf"^{_FONDS}$")
    category: str = Field(default="WS", pattern=rf"^{_CATEGORY}$")
    by_unit: bool = True
    unit: str | None = Field(default="BGS", pattern=rf"^{_UNIT}$")
    organ_name: Name | None = None
    schedule: RetentionSchedule = DEFAULT_SCHEDULE

    @model_validator(mode="before")
    @classmethod
    def _no_default_unit_without_units(cls, data: Any) -> Any:
        if isinstance(data, dict) and "unit" not in data and "by_unit" in data:
            try:
                by_unit = _BOOL.validate_python(data["by_unit"])
            except PydanticValidationError:
                return data  # the field's own validation reports it
            if not by_unit:
                return {**data, "unit": None}
        return data

    @model_validator(mode="after")
    def _scheme_consistent(self) -> Self:
        if self.by_unit and self.unit is None:
            raise ValueError(
                "A2: an archive that classifies by unit names the unit code a filing uses "
                "when it names none (unit='BGS'); one that does not sets by_unit=False"
            )
        if not self.by_unit and self.unit is not None:
            raise ValueError(
                f"A2: an archive that does not classify by unit (by_unit=False) writes no "
                f"unit code; leave unit out (found {self.unit!r})"
            )
        if not self.by_unit and self.schedule.unit_periods:
            units = ", ".join(self.schedule.unit_periods)
            raise ValueError(
                f"A1: the schedule lengthens periods for units ({units}), but an archive "
                "that does not classify by unit (by_unit=False) files no unit: they would "
                "never apply"
            )
        return self

    def filing_unit(self, unit: str | None = None) -> str | None:
        """The unit code a filing naming ``unit`` (None: no unit named) is classed under.

        The archive's default unit when the filing names none; None in an archive that
        does not classify by unit.

        Raises:
            ValidationError: ``unit`` is not a well-formed unit code, or the archive does
                not classify by unit and a unit is named (rule ``A2``).
        """
        if not self.by_unit:
            if unit is None:
                return None
            raise ValidationError(
                "filing",
                [
                    FieldProblem(
                        "unit",
                        "A2",
                        f"this archive does not classify by unit (by_unit=False): its codes "
                        f"carry no unit code, found {unit!r}",
                        "no unit: leave unit out",
                    )
                ],
            )
        code = self.unit if unit is None else unit
        if code is None or not re.fullmatch(_UNIT, code):
            raise ValidationError(
                "filing",
                [
                    FieldProblem(
                        "unit",
                        "A2",
                        f"the unit (or subject) code is 1 to 10 capital letters or digits, "
                        f"found {code!r}",
                        "BGS",
                    )
                ],
            )
        return code

    def archival_class(
        self, *, year: int, retention: Retention, unit: str | None = None
    ) -> ArchivalClass:
        """The class a filing of ``year`` kept for ``retention`` by ``unit`` goes into.

        Without a unit (``unit=None``) the class is the default unit's, or has no unit in
        an archive that does not classify by unit (see :meth:`filing_unit`).

        Raises:
            ValidationError: ``unit`` is malformed or not wanted (rule ``A2``).
        """
        return ArchivalClass(
            fonds=self.fonds,
            category=self.category,
            year=year,
            retention=retention,
            unit=self.filing_unit(unit),
        )

    def parse_code(self, text: object) -> ArchivalCode:
        """Parse an archival code of this archive's scheme (see :meth:`ArchivalCode.parse`).

        An archive that classifies by unit refuses a code without a unit code, and one
        that does not refuses a code with one: the code would not be of one of its
        classes. Fonds and category are not compared.

        Raises:
            ValidationError: The text is not of the A2 form, or not of the archive's
                scheme; the problem (rule ``A2``) says what this archive would accept.
        """
        code = ArchivalCode.parse(text)
        self._check_scheme(code, "ArchivalCode", "archival_code", str(code))
        return code

    def parse_class(self, text: object) -> ArchivalClass:
        """Parse an archival class of this archive's scheme (as :meth:`parse_code`).

        Raises:
            ValidationError: The text is not of the A2 form, or not of the archive's
                scheme (rule ``A2``).
        """
        found = ArchivalClass.parse(text)
        self._check_scheme(found, "ArchivalClass", "archival_class", str(found))
        return found

    def _check_scheme(self, parts: _ArchivalParts, model: str, field: str, text: str) -> None:
        if (parts.unit is not None) == self.by_unit:
            return
        item = f"-{parts.item:04d}" if isinstance(parts, ArchivalCode) else ""
        if self.by_unit:
            problem = (
                "has no unit (or subject) code; this archive classifies by unit "
                "(by_unit=True): the unit code follows the retention"
            )
            accepted = f"{parts.model_copy(update={'unit': self.unit}).class_text}{item}"
        else:
            problem = (
                f"has the unit (or subject) code {parts.unit!r}; this archive does not "
                "classify by unit (by_unit=False): its codes leave the unit out"
            )
            accepted = f"{parts.model_copy(update={'unit': None}).class_text}{item}"
        raise _parse_error(model, field, text, problem, accepted)


# ============================================================================ items (A4-A6)
def names_document(reference: str, document: Document) -> bool:
    """Whether ``reference`` names ``document``: its entity id or its document number."""
    return reference == document.id or (
        document.number is not None and reference == str(document.number)
    )


def answers(reply: Document, request: Document) -> bool:
    """Whether ``reply`` is a reply (批复) whose ``replies_to`` names ``request`` (A5)."""
    return (
        reply.kind is DocumentKind.REPLY
        and reply.replies_to is not None
        and names_document(reply.replies_to, request)
    )


def forwards(forwarding: Document, forwarded: Document) -> bool:
    """Whether ``forwarding`` forwards (转发) ``forwarded`` (A4)."""
    return any(names_document(ref, forwarded) for ref in forwarding.forwards)


def item_problem(lead: Document, other: Document) -> str | None:
    """Why ``other`` cannot be filed in one item led by ``lead``, or None if it can (A4).

    A document's attachments and its final draft are part of the document itself. Two
    documents make one item when one is the reply to the other (the reply goes first,
    复文在前) or one forwards the other (the forwarding document goes first).
    """
    if answers(lead, other) or forwards(lead, other):
        return None
    if answers(other, lead):
        return (
            f"the reply {other.id} goes first in the item, then the request {lead.id} "
            "(复文在前，来文在后): name the reply first"
        )
    if forwards(other, lead):
        return (
            f"the forwarding document {other.id} goes first in the item, then the forwarded "
            f"{lead.id}: name the forwarding document first"
        )
    return (
        f"{other.id} is neither the reply to {lead.id} nor forwarded by it; one item holds a "
        "document with its attachments and final draft, a reply with its request, or a "
        "forwarding document with the forwarded one: file it on its own"
    )


def record_scope(documents: Sequence[Document], filed_by: str) -> tuple[str, ...]:
    """The need-to-know scope of a record of ``documents`` filed by ``filed_by``.

    No document scoped: none (everyone cleared to the record's level may see it). Else
    the names every scoped document's scope shares, in the first one's order; if they
    share none, the archivist alone, who saw them all. A record is never seen by someone
    a document of it was kept from.
    """
    scopes = [d.need_to_know for d in documents if d.need_to_know]
    if not scopes:
        return ()
    shared = tuple(n for n in scopes[0] if all(n in s for s in scopes[1:]))
    return shared or (filed_by,)


def document_date(document: Document, timezone: tzinfo) -> date:
    """The date of a document for its record: date of issue, else day received or drafted."""
    if document.date_of_issue is not None:
        return document.date_of_issue
    if isinstance(document, IncomingDocument):
        return document.received_at.astimezone(timezone).date()
    return document.created_at.astimezone(timezone).date()


def document_year(document: Document, timezone: tzinfo) -> int:
    """The year 年度 an item is filed in: the year of its lead document's date."""
    return document_date(document, timezone).year


def responsible_party(document: Document, organ_name: str | None = None) -> str:
    """The responsible party 责任者: the issuing organ(s) of the document.

    The issuer signature 发文机关署名 when the document carries one; otherwise the
    sender (incoming) or this organ (outgoing: ``organ_name``, else the issuer mark or
    code), followed by the co-issuers of a joint document, joined with ``、``.
    """
    if document.issuer_signature:
        return document.issuer_signature
    if isinstance(document, IncomingDocument):
        lead = document.sender.name
    elif isinstance(document, OutgoingDocument):
        lead = organ_name or document.issuer_mark or document.issuer_code
    else:  # pragma: no cover -- the two document types
        lead = organ_name or ""
    names = [lead, *(o.name for o in document.joint_issuers)]
    return "、".join(dict.fromkeys(n for n in names if n))


# ============================================================================ the record
class Hold(Value):
    """A legal hold 冻结 (for litigation, an audit, an inquiry): it blocks destruction."""

    reference: Name
    """What the hold is under: a case, audit or letter number."""
    basis: Text
    placed_by: Name
    placed_at: Timestamp
    released_by: Name | None = None
    released_at: Timestamp | None = None
    release_note: Text | None = None

    @property
    def active(self) -> bool:
        """Whether the hold has not been released."""
        return self.released_at is None


class Appraisal(Timed):
    """An appraisal decision 鉴定意见 on a record whose retention has ended (A8).

    ``by`` decided it at ``at``; ``authority`` is what approved a destruction (the
    approval number of the destruction list 销毁清册), ``retention_ends`` the new end of
    a record kept (None: now kept permanently).
    """

    decision: Disposition
    basis: Text
    authority: Name | None = None
    retention_ends: date | None = None


class RetentionExtension(Timed):
    """A retention extended 延长保管期限 outside an appraisal (A8)."""

    previous_end: date
    new_end: date | None
    """The new last day; None when the record is now kept permanently."""
    note: Text | None = None


class Tombstone(Value):
    """What a destroyed record was, and under which authority it was destroyed (A8).

    The ``destroy`` trigger takes it as its input, so it stays in the audit trail for
    good; the rule ``A8 tombstone-describes-record`` checks it describes the record.
    """

    record_id: Name
    archival_code: Name
    title: Title
    classification: Classification
    document_number: Name | None = None
    documents: tuple[Name, ...]
    authority: Name
    """The approval the destruction was done under."""
    approved_by: Name
    approved_at: Timestamp


class Destruction(Timed):
    """Who destroyed a record, when, and the tombstone it left."""

    tombstone: Tombstone


class Record(Entity):
    """A filed item 件: documents kept together under one archival code (A2, A4).

    Created in the same unit of work as the documents' ``file`` transitions. Its
    classification is the highest of its documents', and its need-to-know scope
    (``need_to_know``) keeps theirs: who may not know one of its documents does not see
    the record, its title or its place in the catalogue. ``retention_ends`` is the last
    day it is kept (None: permanent); it starts where the retention schedule puts it and
    may be extended, never shortened (A8).
    """

    entity_kind: ClassVar[EntityKind] = EntityKind.RECORD
    terminal_states: ClassVar[frozenset[str]] = frozenset({RecordState.DESTROYED})

    state: RecordState = RecordState.FILED
    archival_code: ArchivalCode
    record_class: Name
    """The class of the retention schedule the item was filed under."""
    documents: tuple[Name, ...] = Field(min_length=1)
    """The documents of the item, the lead (the one the catalogue describes) first."""
    original: bool = True
    """Whether the lead document is kept as the original 原件 (or a copy 复制件, A6)."""
    title: Title
    document_number: DocumentNumber | None = None
    responsible: Name
    """The responsible party 责任者."""
    document_date: date
    """The date of the lead document (its date of issue, else received or drafted)."""
    pages: int | None = Field(default=None, ge=1)
    remark: Text | None = None
    retention_ends: date | None = None
    """The last day the record is kept; None for a permanent record."""
    appraisals: tuple[Appraisal, ...] = ()
    extensions: tuple[RetentionExtension, ...] = ()
    holds: tuple[Hold, ...] = ()
    destruction: Destruction | None = None
    need_to_know: tuple[Name, ...] = ()
    """The need-to-know scope (知悉范围) of its documents: the actor ids and unit codes named
    in the scope of every scoped document (the archivist who filed it when none is named
    in all of them). Empty: everyone cleared to its level may see it."""

    @model_validator(mode="after")
    def _never_shorter(self) -> Self:
        least = retention_end(self.archival_code.year, self.archival_code.retention)
        ends = self.retention_ends
        if least is None and ends is not None:
            raise ValueError(
                f"A8: a permanent record (Y) has no retention end; got {ends.isoformat()}"
            )
        if least is not None and ends is not None and ends < least:
            raise ValueError(
                f"A8: retention can be extended, never shortened: {ends.isoformat()} is before "
                f"{least.isoformat()}, the end of {self.archival_code.retention.value}"
            )
        return self

    @property
    def retention(self) -> Retention:
        """The retention period the item was filed with (the one in its code)."""
        return self.archival_code.retention

    @property
    def year(self) -> int:
        """The year 年度 of the item."""
        return self.archival_code.year

    @property
    def active_holds(self) -> tuple[Hold, ...]:
        """The holds not yet released."""
        return tuple(h for h in self.holds if h.active)

    @property
    def on_hold(self) -> bool:
        """Whether a legal hold blocks the record's destruction."""
        return any(h.active for h in self.holds)

    def retention_ended(self, on: date) -> bool:
        """Whether the retention has ended by the day ``on`` (never for a permanent record)."""
        return self.retention_ends is not None and on > self.retention_ends


def tombstone_of(record: Record) -> Tombstone:
    """The tombstone a record leaves when destroyed under its latest destruction approval.

    Raises:
        RuleViolation: No appraisal approved the record's destruction (rule ``A8``).
    """
    approval = next(
        (a for a in reversed(record.appraisals) if a.decision is Disposition.DESTROY), None
    )
    if approval is None or approval.authority is None:
        raise RuleViolation(
            "A8",
            "destroyed-after-approved-appraisal",
            "a record is destroyed only after an appraisal approved its destruction",
            entity_id=record.id,
        )
    return Tombstone(
        record_id=record.id,
        archival_code=str(record.archival_code),
        title=record.title,
        classification=record.classification,
        document_number=None if record.document_number is None else str(record.document_number),
        documents=record.documents,
        authority=approval.authority,
        approved_by=approval.by,
        approved_at=approval.at,
    )


# ============================================================================ record inputs
class _NewEnd(Value):
    """A new retention: a longer period (counted from the item's year) or a later last day."""

    retention: Retention | None = None
    until: Day | None = None

    @model_validator(mode="after")
    def _exactly_one(self) -> Self:
        if (self.retention is None) == (self.until is None):
            raise ValueError(
                "A8: give either a longer retention period or a later last day (until)"
            )
        return self

    def end_for(self, record: Record) -> date | None:
        """The new last day for ``record`` (None: permanent)."""
        if self.retention is not None:
            return retention_end(record.year, self.retention)
        return self.until


class Retain(_NewEnd):
    """Input of ``retain``: an appraisal keeps the record, to a later end (续存)."""

    basis: Text


class ExtendRetention(_NewEnd):
    """Input of ``extend_retention``: keep the record longer (延长保管期限)."""

    note: Text | None = None


class ApproveDestruction(Value):
    """Input of ``approve_destruction``: the approval of the destruction list."""

    authority: Name
    """The approval's reference, e.g. the number of the approved destruction list."""
    opinion: Text


class PlaceHold(Value):
    """Input of ``place_hold``: a legal hold and what it is under."""

    reference: Name
    basis: Text


class ReleaseHold(Value):
    """Input of ``release_hold``: which hold is released."""

    reference: Name
    note: Text | None = None


class Destroy(Value):
    """Input of ``destroy``: the tombstone the record leaves in the audit trail."""

    tombstone: Tombstone


# ============================================================================ record rules
def _record(ctx: TransitionContext) -> Record:
    entity = ctx.entity
    assert isinstance(entity, Record)  # noqa: S101 -- the record table's entity
    return entity


def _check_retention_ended(ctx: TransitionContext) -> str | None:
    record = _record(ctx)
    ends = record.retention_ends
    if ends is None:
        return "a permanent record (Y) is never appraised for disposition"
    today = ctx.now.date()
    if today <= ends:
        return (
            f"the retention runs until {ends.isoformat()}; a record is appraised for "
            f"disposition once it has ended (on {today.isoformat()} it has not)"
        )
    return None


A8_RETENTION_ENDED = Rule(
    "A8",
    "appraised-when-retention-ended",
    "a record is appraised for disposition only once its retention has ended",
    _check_retention_ended,
)


def _check_extended(ctx: TransitionContext) -> str | None:
    data = ctx.data
    if not isinstance(data, _NewEnd):
        return None
    record = _record(ctx)
    current = record.retention_ends
    new = data.end_for(record)
    if current is None:
        return "the record is kept permanently; its retention cannot be extended"
    if new is not None and new <= current:
        return (
            f"retention can be extended, never shortened: {new.isoformat()} is not after "
            f"{current.isoformat()}"
        )
    return None


A8_EXTEND_ONLY = Rule(
    "A8",
    "extended-never-shortened",
    "a retention can be extended, never shortened",
    _check_extended,
    on_input=True,
)


def _check_not_on_hold(ctx: TransitionContext) -> str | None:
    holds = _record(ctx).active_holds
    if holds:
        refs = ", ".join(h.reference for h in holds)
        return f"the record is on hold ({refs}): it cannot be destroyed until released"
    return None


A8_NOT_ON_HOLD = Rule(
    "A8",
    "hold-blocks-destruction",
    "a record on hold cannot be destroyed",
    _check_not_on_hold,
)


def _check_tombstone(ctx: TransitionContext) -> str | None:
    given = ctx.input("tombstone")
    if given is None:
        return None
    record = _record(ctx)
    try:
        expected = tombstone_of(record)
    except RuleViolation as e:
        return e.detail
    if given != expected:
        return "the tombstone must describe the record and its destruction approval as they are"
    return None


A8_TOMBSTONE = Rule(
    "A8",
    "tombstone-describes-record",
    "a destroyed record leaves a tombstone: what it was and under which authority it went",
    _check_tombstone,
    on_input=True,
)


def _check_new_hold(ctx: TransitionContext) -> str | None:
    reference = ctx.input("reference")
    if reference is not None and any(h.reference == reference for h in _record(ctx).active_holds):
        return f"a hold {reference!r} is already in place"
    return None


HOLD_NEW = Rule(
    "HOLD", "hold-once", "a hold is placed once under a reference", _check_new_hold, on_input=True
)


def _check_active_hold(ctx: TransitionContext) -> str | None:
    reference = ctx.input("reference")
    if reference is None:
        return None
    active = _record(ctx).active_holds
    if any(h.reference == reference for h in active):
        return None
    held = ", ".join(h.reference for h in active) or "none"
    return f"no hold {reference!r} is in place; holds in place: {held}"


HOLD_ACTIVE = Rule(
    "HOLD",
    "release-active-hold",
    "only a hold in place is released",
    _check_active_hold,
    on_input=True,
)


# ============================================================================ record effects
def _retain(ctx: TransitionContext) -> dict[str, Any]:
    data = ctx.data
    assert isinstance(data, Retain)  # noqa: S101 -- the engine validated it
    record = _record(ctx)
    end = data.end_for(record)
    appraisal = Appraisal(
        by=ctx.actor.id,
        at=ctx.now,
        decision=Disposition.RETAIN,
        basis=data.basis,
        retention_ends=end,
    )
    return {"appraisals": (*record.appraisals, appraisal), "retention_ends": end}


def _approve_destruction(ctx: TransitionContext) -> dict[str, Any]:
    data = ctx.data
    assert isinstance(data, ApproveDestruction)  # noqa: S101
    record = _record(ctx)
    appraisal = Appraisal(
        by=ctx.actor.id,
        at=ctx.now,
        decision=Disposition.DESTROY,
        basis=data.opinion,
        authority=data.authority,
    )
    return {"appraisals": (*record.appraisals, appraisal)}


def _destroy(ctx: TransitionContext) -> dict[str, Any]:
    data = ctx.data
    assert isinstance(data, Destroy)  # noqa: S101
    return {"destruction": Destruction(by=ctx.actor.id, at=ctx.now, tombstone=data.tombstone)}


def _extend(ctx: TransitionContext) -> dict[str, Any]:
    data = ctx.data
    assert isinstance(data, ExtendRetention)  # noqa: S101
    record = _record(ctx)
    assert record.retention_ends is not None  # noqa: S101 -- A8_EXTEND_ONLY held
    end = data.end_for(record)
    extension = RetentionExtension(
        by=ctx.actor.id, at=ctx.now, previous_end=record.retention_ends, new_end=end, note=data.note
    )
    return {"extensions": (*record.extensions, extension), "retention_ends": end}


def _place_hold(ctx: TransitionContext) -> dict[str, Any]:
    data = ctx.data
    assert isinstance(data, PlaceHold)  # noqa: S101
    record = _record(ctx)
    hold = Hold(
        reference=data.reference, basis=data.basis, placed_by=ctx.actor.id, placed_at=ctx.now
    )
    return {"holds": (*record.holds, hold)}


def _release_hold(ctx: TransitionContext) -> dict[str, Any]:
    data = ctx.data
    assert isinstance(data, ReleaseHold)  # noqa: S101
    holds = tuple(
        h.model_copy(
            update={"released_by": ctx.actor.id, "released_at": ctx.now, "release_note": data.note}
        )
        if h.active and h.reference == data.reference
        else h
        for h in _record(ctx).holds
    )
    return {"holds": holds}


_ARCHIVIST: Final = frozenset({_Role.ARCHIVIST.value})
_KEEPERS: Final = frozenset({_Role.ARCHIVIST.value, _Role.OFFICE_DIRECTOR.value})
_APPRAISERS: Final = frozenset(
    {_Role.OFFICE_DIRECTOR.value, _Role.LEADER.value, _Role.PRINCIPAL_LEADER.value}
)
_APPROVERS: Final = frozenset({_Role.LEADER.value, _Role.PRINCIPAL_LEADER.value})
_HOLDERS: Final = frozenset(
    {
        _Role.ARCHIVIST.value,
        _Role.OFFICE_DIRECTOR.value,
        _Role.LEADER.value,
        _Role.PRINCIPAL_LEADER.value,
    }
)
_KEPT: Final = (RecordState.FILED, RecordState.RETAINED)
_OPEN: Final = (
    RecordState.FILED,
    RecordState.UNDER_REVIEW,
    RecordState.RETAINED,
    RecordState.APPROVED_FOR_DESTRUCTION,
)

RECORD_TABLE: WorkflowTable[Record] = WorkflowTable(
    name="record",
    entity_type=Record,
    states=RecordState,
    description="档案: filed → under review when its retention ends → retained or destroyed",
    creation=CreationSpec(
        "file",
        RecordState.FILED,
        _ARCHIVIST,
        (),
        "归档",
        managed=frozenset({"appraisals", "extensions", "holds", "destruction"}),
    ),
    transitions=(
        TransitionSpec(
            "appraise",
            _KEPT,
            RecordState.UNDER_REVIEW,
            _ARCHIVIST,
            (A8_RETENTION_ENDED,),
            label="鉴定",
        ),
        TransitionSpec(
            "retain",
            (RecordState.UNDER_REVIEW, RecordState.APPROVED_FOR_DESTRUCTION),
            RecordState.RETAINED,
            _APPRAISERS,
            (A8_EXTEND_ONLY,),
            data=Retain,
            effect=_retain,
            label="续存",
            revalidate=frozenset({"retention_ends"}),
        ),
        TransitionSpec(
            "approve_destruction",
            (RecordState.UNDER_REVIEW,),
            RecordState.APPROVED_FOR_DESTRUCTION,
            _APPROVERS,
            (A8_NOT_ON_HOLD,),
            data=ApproveDestruction,
            effect=_approve_destruction,
            label="批准销毁",
        ),
        TransitionSpec(
            "destroy",
            (RecordState.APPROVED_FOR_DESTRUCTION,),
            RecordState.DESTROYED,
            _ARCHIVIST,
            (A8_NOT_ON_HOLD, A8_TOMBSTONE),
            data=Destroy,
            effect=_destroy,
            label="销毁",
        ),
        TransitionSpec(
            "extend_retention",
            _KEPT,
            None,
            _KEEPERS,
            (A8_EXTEND_ONLY,),
            data=ExtendRetention,
            effect=_extend,
            label="延长保管期限",
            revalidate=frozenset({"retention_ends"}),
            awaited=False,
        ),
        TransitionSpec(
            "place_hold",
            _OPEN,
            None,
            _HOLDERS,
            (HOLD_NEW,),
            data=PlaceHold,
            effect=_place_hold,
            label="冻结",
            awaited=False,
        ),
        TransitionSpec(
            "release_hold",
            _OPEN,
            None,
            _HOLDERS,
            (HOLD_ACTIVE,),
            data=ReleaseHold,
            effect=_release_hold,
            label="解除冻结",
            awaited=False,
        ),
    ),
)
"""The record workflow: filed, appraised when its retention ends, kept or destroyed (A8)."""
