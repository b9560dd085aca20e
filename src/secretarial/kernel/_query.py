"""Queries over an office's entities, as plain values every store understands."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Final

from secretarial.errors import FieldProblem, ValidationError

from ._entity import Entity
from ._enums import Classification

__all__ = ["MAX_PAGE", "Page", "Query", "checked_limit", "cursor_refused", "cursor_sequence"]

MAX_PAGE: Final = 10_000
"""The most entities one page holds."""
_MAX_SEQUENCE: Final = 2**63 - 1
"""The largest store sequence number a cursor may name (a signed 64-bit integer)."""


_SHOWN: Final = 60
"""How much of a refused cursor a message shows."""


def checked_limit(limit: object) -> int:
    """``limit`` if it is a page size a store accepts (1 to :data:`MAX_PAGE`).

    Raises:
        ValidationError: naming ``limit`` and what is accepted.
    """
    if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= MAX_PAGE:
        raise ValidationError(
            "page",
            [
                FieldProblem(
                    "limit",
                    "page_limit",
                    f"{limit!r} is not a page size",
                    f"an integer from 1 to {MAX_PAGE:,}",
                )
            ],
        )
    return limit


def cursor_refused(cursor: object) -> ValidationError:
    """The error for a cursor no store gave out (or not for this query), naming ``cursor``."""
    shown = repr(cursor)
    return ValidationError(
        "page",
        [
            FieldProblem(
                "cursor",
                "page_cursor",
                f"{shown[:_SHOWN] + '...' if len(shown) > _SHOWN else shown} is not a cursor "
                "for this query",
                "a next_cursor of a page of the same query, or none for the first page",
            )
        ],
    )


def cursor_sequence(text: str) -> int:
    """The store sequence number at the end of a cursor, if it is one a store could give.

    Raises:
        ValueError: not digits, or larger than a store's sequence numbers go.
    """
    if not text.isascii() or not text.isdigit() or int(text[:20] or "0") > _MAX_SEQUENCE:
        raise ValueError(text)
    return int(text)


@dataclass(frozen=True, slots=True)
class Query:
    """What to list. Every criterion given must hold; none given lists everything.

    Entities come oldest first (in the order they were created), except that a query for
    overdue entities lists the earliest deadline first.

    Attributes:
        kinds: Entity kinds to include.
        states: States to include (state names).
        overdue_as_of: Only open entities whose deadline passed before this day.
        open_only: Only entities not in a terminal state.
        created_from: Only entities created at or after this moment.
        created_before: Only entities created before this moment.
        classifications: Only entities with one of these classifications.
        max_classification: Only entities classified at most this high.
        lead_units: Only entities whose lead unit has one of these codes.
    """

    kinds: frozenset[str] | None = None
    states: frozenset[str] | None = None
    overdue_as_of: date | None = None
    open_only: bool = False
    created_from: datetime | None = None
    created_before: datetime | None = None
    classifications: frozenset[Classification] | None = None
    max_classification: Classification | None = None
    lead_units: frozenset[str] | None = None

    def matches(self, entity: Entity) -> bool:  # noqa: PLR0911 -- one check per criterion
        """Whether ``entity`` satisfies the query."""
        if self.kinds is not None and entity.entity_kind not in self.kinds:
            return False
        if self.states is not None and entity.state not in self.states:
            return False
        if self.open_only and not entity.is_open:
            return False
        if self.created_from is not None and entity.created_at < self.created_from:
            return False
        if self.created_before is not None and entity.created_at >= self.created_before:
            return False
        if self.classifications is not None and entity.classification not in self.classifications:
            return False
        if self.max_classification is not None and entity.classification > self.max_classification:
            return False
        if self.lead_units is not None:
            lead = getattr(entity, "lead_unit", None)
            if lead is None or lead.code not in self.lead_units:
                return False
        return self.overdue_as_of is None or entity.is_overdue(self.overdue_as_of)


@dataclass(frozen=True, slots=True)
class Page:
    """One page of a listing and where the next one starts.

    Attributes:
        items: The entities on this page.
        next_cursor: Pass it to get the next page; None on the last page. Cursors are
            opaque and stable: entities created after a page was read do not shift it.
        cursors: For each item, the cursor of the page that starts after it (what a
            reader that keeps only some of the items resumes from).
    """

    items: tuple[Entity, ...]
    next_cursor: str | None
    cursors: tuple[str, ...] = ()
