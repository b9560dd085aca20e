"""A year of the office's working-day calendar, loaded from a State Council notice.

The office keeps the years it loads in its own store, as entities of the kind
``calendar_year``: every process of the office sees them, and the audit trail says who
loaded which text when. A loaded year takes precedence over the bundled data and its
errata (docs/calendars.md). The year's days come from :func:`~secretarial.calendars.parse_notice`
and are checked against the law before the office creates or changes the entity.
"""

from __future__ import annotations

import hashlib
from datetime import date
from typing import Any, ClassVar, Self

from pydantic import Field, model_validator

from secretarial.kernel._calendar import lay_over
from secretarial.kernel._entity import Entity
from secretarial.kernel._enums import EntityKind, LabeledEnum, Role
from secretarial.kernel._rules import Rule, TransitionContext, reason_required
from secretarial.kernel._values import Name, Text, Value
from secretarial.kernel._workflow import CreationSpec, TransitionSpec, WorkflowTable

__all__ = [
    "CALENDAR_YEAR_TABLE",
    "AmendYear",
    "CalendarYear",
    "CalendarYearState",
    "LoadedNotice",
    "ReplaceYear",
    "calendar_year_id",
]


class CalendarYearState(LabeledEnum):
    """States of a loaded calendar year: in force, or withdrawn (loaded by mistake).

    A withdrawn year no longer counts; a corrected text brings it back (``replace``).
    """

    IN_FORCE = "in_force", "施行"
    WITHDRAWN = "withdrawn", "撤销"


class LoadedNotice(Value):
    """One notice text loaded into a calendar year, kept word for word.

    Attributes:
        title: The notice's title, if the text has one.
        issuer: Who signed it (国务院办公厅).
        issued_on: The date under the signature.
        supplementary: Whether it amends the year rather than arranging it whole.
        source: Where the host took the text from (a file name, an address).
        sha256: The SHA-256 of the text as kept (UTF-8, surrounding whitespace removed).
        text: The text itself.
    """

    title: Text | None = None
    issuer: Name | None = None
    issued_on: date | None = None
    supplementary: bool = False
    source: Name | None = None
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    text: Text

    @classmethod
    def of(
        cls,
        text: str,
        *,
        title: str | None,
        issuer: str | None,
        issued_on: date | None,
        supplementary: bool,
        source: str | None,
    ) -> Self:
        """The record of ``text`` (without its surrounding whitespace), its hash computed here."""
        text = text.strip()
        return cls(
            title=title,
            issuer=issuer,
            issued_on=issued_on,
            supplementary=supplementary,
            source=source,
            sha256=hashlib.sha256(text.encode("utf-8")).hexdigest(),
            text=text,
        )


def calendar_year_id(calendar_id: str, year: int) -> str:
    """The id of ``calendar_id``'s loaded ``year``: ``calendar-CN-2027``."""
    return f"calendar-{calendar_id}-{year}"


class CalendarYear(Entity):
    """A calendar's year as the office loaded it: days off, adjusted working days, texts.

    ``holidays`` are every day off the notices give (weekend days in a holiday span
    included), ``workdays`` every weekend day made a working day (调休). Days may lie
    just outside ``year`` (a 元旦 that begins on 31 December).
    """

    entity_kind: ClassVar[EntityKind] = EntityKind.CALENDAR_YEAR
    terminal_states: ClassVar[frozenset[str]] = frozenset()

    state: CalendarYearState = CalendarYearState.IN_FORCE
    calendar: Name
    year: int = Field(ge=1900, le=2200)
    holidays: tuple[date, ...]
    workdays: tuple[date, ...] = ()
    notices: tuple[LoadedNotice, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _days_fit(self) -> Self:
        _check_days(self.year, self.holidays, self.workdays)
        return self

    @property
    def source(self) -> str:
        """How the year is named among a calendar's sources."""
        first = self.notices[0]
        name = first.title or first.source or f"notice of {self.year}"
        amended = len(self.notices) - 1
        return f"loaded {self.year}: {name}" + (f" (+{amended} amending)" if amended else "")


def _check_days(year: int, holidays: tuple[date, ...], workdays: tuple[date, ...]) -> None:
    both = set(holidays) & set(workdays)
    if both:
        listed = ", ".join(d.isoformat() for d in sorted(both))
        raise ValueError(f"a day cannot be both off and a working day: {listed}")
    far = sorted(d for d in (*holidays, *workdays) if abs(d.year - year) > 1)
    if far:
        listed = ", ".join(d.isoformat() for d in far)
        raise ValueError(f"days of the {year} arrangement lie in or next to {year}: {listed}")


class AmendYear(Value):
    """Input of ``amend``: a supplementary notice's days, laid on top of the year."""

    holidays: tuple[date, ...] = ()
    workdays: tuple[date, ...] = ()
    notice: LoadedNotice


class ReplaceYear(Value):
    """Input of ``replace``: a corrected annual notice that takes the year's place."""

    holidays: tuple[date, ...]
    workdays: tuple[date, ...] = ()
    notice: LoadedNotice


def _year(ctx: TransitionContext) -> CalendarYear:
    entity = ctx.entity
    assert isinstance(entity, CalendarYear)  # noqa: S101 -- the table's entity type
    return entity


def _check_supplementary(ctx: TransitionContext) -> str | None:
    notice = ctx.input("notice")
    if notice is not None and not notice.supplementary:
        return (
            "an annual notice takes the year's place: replace the year with it "
            "(the replace trigger, with a reason), or load a supplementary notice here"
        )
    return None


W4_AMEND_SUPPLEMENTARY = Rule(
    "W4",
    "amend-with-supplementary-notice",
    "a year is amended by a supplementary notice",
    _check_supplementary,
    on_input=True,
)


def _check_new_text(ctx: TransitionContext) -> str | None:
    notice = ctx.input("notice")
    if notice is not None and any(n.sha256 == notice.sha256 for n in _year(ctx).notices):
        return f"this text (sha256 {notice.sha256[:12]}…) is already loaded into the year"
    return None


W4_NEW_TEXT = Rule(
    "W4",
    "notice-loaded-once",
    "the same notice text is loaded into a year once",
    _check_new_text,
    on_input=True,
)


def _amend(ctx: TransitionContext) -> dict[str, Any]:
    year = _year(ctx)
    data = ctx.data
    assert isinstance(data, AmendYear)  # noqa: S101
    holidays, workdays = lay_over(year.holidays, year.workdays, data.holidays, data.workdays)
    return {
        "holidays": tuple(sorted(holidays)),
        "workdays": tuple(sorted(workdays)),
        "notices": (*year.notices, data.notice),
    }


def _replace(ctx: TransitionContext) -> dict[str, Any]:
    year = _year(ctx)
    data = ctx.data
    assert isinstance(data, ReplaceYear)  # noqa: S101
    return {
        "holidays": tuple(sorted(data.holidays)),
        "workdays": tuple(sorted(data.workdays)),
        "notices": (*year.notices, data.notice),
    }


_KEEPERS = frozenset({Role.CLERK.value, Role.OFFICE_DIRECTOR.value, Role.SYSTEM.value})
"""Who keeps the office's calendar: the clerks and the office director."""

CALENDAR_YEAR_TABLE: WorkflowTable[CalendarYear] = WorkflowTable(
    name="calendar_year",
    entity_type=CalendarYear,
    states=CalendarYearState,
    description="节假日安排: a year of the calendar loaded from the State Council's notice",
    creation=CreationSpec("load", CalendarYearState.IN_FORCE, _KEEPERS, label="载入"),
    transitions=(
        TransitionSpec(
            "amend",
            (CalendarYearState.IN_FORCE,),
            None,
            _KEEPERS,
            (W4_AMEND_SUPPLEMENTARY, W4_NEW_TEXT),
            data=AmendYear,
            effect=_amend,
            label="补充",
            revalidate=frozenset({"holidays", "workdays"}),
        ),
        TransitionSpec(
            "replace",
            (CalendarYearState.IN_FORCE, CalendarYearState.WITHDRAWN),
            CalendarYearState.IN_FORCE,
            _KEEPERS,
            (
                reason_required("W4", "replacing-needs-reason", "replacing a loaded year"),
                W4_NEW_TEXT,
            ),
            data=ReplaceYear,
            effect=_replace,
            label="更正",
            revalidate=frozenset({"holidays", "workdays"}),
        ),
        TransitionSpec(
            "withdraw",
            (CalendarYearState.IN_FORCE,),
            CalendarYearState.WITHDRAWN,
            _KEEPERS,
            (reason_required("W4", "withdrawing-needs-reason", "withdrawing a loaded year"),),
            label="撤销",
        ),
    ),
)
"""The state table of loaded calendar years."""
