"""Recurring meetings: a recurrence rule kept as fields, expanded in local wall time.

A :class:`Recurrence` stores what RFC 5545 calls an RRULE (frequency, interval,
by-weekday, by-month-day, by-month, by-set-position, count or until) together with the
IANA time zone, the first occurrence, the duration, the extra occurrences (RDATE), the
excluded ones (EXDATE) and the moved ones (RECURRENCE-ID overrides). It never stores
``str(rrule)``, which would lose the zone.

The rule is expanded on demand with :mod:`dateutil.rrule` in *local wall time*, and the
zone is attached to each occurrence afterwards. A weekly meeting at 09:00 therefore stays
at 09:00 local time across a daylight-saving change, while its UTC time moves by an hour.
Durations are elapsed time: a meeting of one hour lasts one hour even on the night the
clocks change.

Occurrences are compared as instants, as RFC 5545 compares them. A wall time in a
spring-forward gap means the instant of that wall time read with the offset before the
gap (09:00 shifted on to the time after the gap: 02:30 in New York on the night the
clocks skip it is 03:30 EDT); a wall time repeated in the autumn fall-back means its first
pass. So ``UNTIL`` ends the series at an instant (an occurrence is kept if it starts at or
before it), and an occurrence listed at 03:30 EDT because its 02:30 fell into the gap is
excluded or moved by that listed start as well as by its nominal 02:30. An exclusion or
move given at the second pass of a repeated hour still matches the occurrence at that
wall time.

Expansion is bounded: asking for every occurrence of a rule with neither ``count`` nor
``until`` is refused, and so is a window holding more than :data:`MAX_OCCURRENCES`
occurrences. Rule problems carry the code ``M8`` (see ``docs/meetings.md``).

This module is pure: the standard library, pydantic, ``dateutil`` and its siblings.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from typing import Annotated, Any, Final, Literal, Self
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import pydantic
from dateutil import rrule as _rrule
from pydantic import AfterValidator, BeforeValidator, Field, field_validator, model_validator

from secretarial.errors import FieldProblem, ValidationError

from ._enums import LabeledEnum
from ._values import Timestamp, Value
from ._workflow import problems_from_pydantic

__all__ = [
    "MAX_OCCURRENCES",
    "Frequency",
    "MovedOccurrence",
    "Occurrence",
    "Recurrence",
    "TimeZoneName",
    "as_utc",
    "check_window",
    "elapsed",
    "zone",
]

MAX_OCCURRENCES: Final = 10_000
"""Most occurrences one expansion returns; a wider window is refused."""
_MAX_SCAN: Final = 100_000
"""Most occurrences walked over from the series start before the window is judged too far."""
_MAX_COUNT: Final = 10_000
_MAX_DURATION: Final = timedelta(days=31)
_ZONE_NAME: Final = re.compile(r"[A-Za-z][A-Za-z0-9_+\-]*(?:/[A-Za-z0-9_+\-]+)*")
_WEEKDAY_RULE: Final = re.compile(r"([+-]?)([1-9]|[1-4][0-9]|5[0-3])?(MO|TU|WE|TH|FR|SA|SU)")
_WEEKDAYS: Final = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
_UNTIL_MARGIN: Final = timedelta(days=2)
"""More than any UTC offset difference: dateutil stops this far after UNTIL's wall time."""


# ============================================================================ time zones
def zone(name: str) -> ZoneInfo:
    """The :class:`~zoneinfo.ZoneInfo` of an IANA time zone name.

    Raises:
        ValueError: ``name`` is not an IANA zone name known to this system.
    """
    if not _ZONE_NAME.fullmatch(name):
        raise ValueError(f"{name!r} is not an IANA time zone name such as Asia/Shanghai")
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        raise ValueError(
            f"{name!r} is not a known IANA time zone (such as Asia/Shanghai)"
        ) from None


def _strip(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


def _check_zone(name: str) -> str:
    zone(name)
    return name


TimeZoneName = Annotated[str, BeforeValidator(_strip), AfterValidator(_check_zone)]
"""An IANA time zone name (``Asia/Shanghai``, ``Europe/Berlin``), checked with zoneinfo."""


def as_utc(moment: datetime) -> datetime:
    """``moment`` in UTC.

    Compare and subtract aware datetimes in UTC: Python compares two datetimes that
    share a ``tzinfo`` by their wall time, which is wrong across a daylight-saving change.
    """
    return moment.astimezone(UTC)


def elapsed(start: datetime, end: datetime) -> timedelta:
    """The time elapsed from ``start`` to ``end`` (not the wall-clock difference)."""
    return as_utc(end) - as_utc(start)


def _whole_seconds(moment: datetime) -> datetime:
    return moment.replace(microsecond=0)


def _local(moment: datetime, tz: ZoneInfo) -> datetime:
    """The naive local wall time of an aware moment in ``tz``."""
    return moment.astimezone(tz).replace(tzinfo=None)


def _aware(local: datetime, tz: ZoneInfo) -> datetime:
    """A local wall time made aware in ``tz``; a time in a spring-forward gap moves on."""
    return local.replace(tzinfo=tz).astimezone(UTC).astimezone(tz)


def _instant(local: datetime, tz: ZoneInfo) -> datetime:
    """The UTC instant of a naive local wall time (a gap's time read with the offset before it).

    A repeated wall time is read as its first pass, whatever its ``fold``.
    """
    return local.replace(tzinfo=tz, fold=0).astimezone(UTC)


def _key(moment: datetime, tz: ZoneInfo) -> datetime:
    """What identifies the occurrence starting at ``moment``: its instant, fold ignored."""
    return _instant(_local(moment, tz), tz)


def _elapsed(start: datetime, duration: timedelta, tz: ZoneInfo) -> datetime:
    """``start`` plus ``duration`` of elapsed (not wall-clock) time, in ``tz``."""
    return (start.astimezone(UTC) + duration).astimezone(tz)


def _normalise_weekday(value: Any) -> Any:
    if isinstance(value, str):
        return value.strip().upper()
    return value


def _check_weekday(value: str) -> str:
    match = _WEEKDAY_RULE.fullmatch(value)
    if match is None:
        raise ValueError(
            f"{value!r} is not a weekday rule; accepted: MO..SU, optionally with an "
            "ordinal such as 1MO (first Monday) or -1FR (last Friday)"
        )
    sign, ordinal, day = match.groups()
    return f"{'-' if sign == '-' else ''}{ordinal or ''}{day}"


WeekdayRule = Annotated[str, BeforeValidator(_normalise_weekday), AfterValidator(_check_weekday)]
"""A weekday of a BYDAY rule: ``MO`` .. ``SU``, or with an ordinal: ``1MO``, ``-1FR``."""
MonthDay = Annotated[int, Field(ge=-31, le=31)]
"""A day of the month in a BYMONTHDAY rule: 1 to 31, or -1 (the last day) to -31."""
Month = Annotated[int, Field(ge=1, le=12)]
"""A month in a BYMONTH rule: 1 (January) to 12."""
SetPosition = Annotated[int, Field(ge=-366, le=366)]
"""A position in a BYSETPOS rule: 1 (the first of each period's set) or -1 (the last) ..."""


class Frequency(LabeledEnum):
    """How often a series recurs (RFC 5545 FREQ); meetings recur at most daily."""

    DAILY = "daily", "每日"
    WEEKLY = "weekly", "每周"
    MONTHLY = "monthly", "每月"
    YEARLY = "yearly", "每年"


_FREQ: Final[dict[Frequency, Literal[0, 1, 2, 3, 4, 5, 6]]] = {
    Frequency.DAILY: _rrule.DAILY,
    Frequency.WEEKLY: _rrule.WEEKLY,
    Frequency.MONTHLY: _rrule.MONTHLY,
    Frequency.YEARLY: _rrule.YEARLY,
}
_RRULE_FREQ: Final = {f.value.upper(): f for f in Frequency}


# ============================================================================ values
@dataclass(frozen=True, slots=True)
class Occurrence:
    """One occurrence of a meeting, with aware times in the meeting's zone.

    Attributes:
        start: When it starts.
        end: When it ends (exclusive).
        original_start: When the rule put it; equals ``start`` unless it was moved.
        moved: Whether it was moved away from where the rule put it.
    """

    start: datetime
    end: datetime
    original_start: datetime
    moved: bool = False

    def overlaps(self, other: Occurrence) -> bool:
        """Whether the half-open intervals ``[start, end)`` of the two overlap."""
        return as_utc(self.start) < as_utc(other.end) and as_utc(other.start) < as_utc(self.end)


@dataclass(frozen=True, slots=True)
class _Window:
    """Where occurrences are looked for: ``[start, end)``, either bound open if None."""

    start: datetime | None
    end: datetime | None
    overlapping: bool = False

    def holds(self, start: datetime, end: datetime) -> bool:
        """Whether an occurrence ``[start, end)`` is in the window.

        It starts in the window, or with ``overlapping`` merely overlaps it.
        """
        if self.end is not None and as_utc(start) >= as_utc(self.end):
            return False
        if self.start is None:
            return True
        if self.overlapping:
            return as_utc(end) > as_utc(self.start)
        return as_utc(start) >= as_utc(self.start)


class MovedOccurrence(Value):
    """One occurrence moved away from where the rule puts it (a RECURRENCE-ID override).

    Attributes:
        original_start: Where the rule puts it (its local start, given as an aware time).
        start: Its new start.
        end: Its new end, after ``start``.
    """

    original_start: Timestamp
    start: Timestamp
    end: Timestamp

    @field_validator("original_start", "start", "end")
    @classmethod
    def _seconds(cls, value: datetime) -> datetime:
        return _whole_seconds(value)

    @model_validator(mode="after")
    def _ends_after_start(self) -> Self:
        if as_utc(self.end) <= as_utc(self.start):
            raise ValueError(
                f"M3: a moved occurrence ends after it starts; got {self.start.isoformat()} "
                f"to {self.end.isoformat()}"
            )
        return self


class Recurrence(Value):
    """A recurrence rule with its zone, first occurrence, exceptions and moves.

    Build one directly or from RRULE text with :meth:`from_rrule_text`; expand it with
    :meth:`occurrences`. Instances are immutable: :meth:`excluding`, :meth:`moving`
    and :meth:`retimed` return new ones.

    Attributes:
        frequency: Daily, weekly, monthly or yearly.
        interval: Every how many periods (2 with weekly: every other week).
        by_weekday: Weekdays (``MO``, ``1MO``, ``-1FR``); ordinals only with monthly
            and yearly rules.
        by_month_day: Days of the month (``1``, ``15``, ``-1``); not with weekly rules.
        by_month: Months (``1`` to ``12``), as BYMONTH: "in March" or "only in these months".
        by_set_position: Which of each period's candidates are kept (BYSETPOS): ``-1``
            with weekdays MO..FR in a monthly rule is the last working day of the month.
        count: How many occurrences the rule makes (exclusions included, as in RFC 5545).
        until: The last moment an occurrence may start; not together with ``count``.
        week_start: The first day of the week (WKST), Monday unless said otherwise.
        timezone: The IANA zone whose wall clock the rule follows.
        start: The first occurrence's start; it must be an occurrence of the rule.
        duration: How long each occurrence lasts (elapsed time).
        rdates: Extra occurrences (RDATE), by their start, none before ``start``; they
            last ``duration`` too and do not count towards ``count``.
        exdates: Occurrences left out (EXDATE), by their start.
        moves: Occurrences moved elsewhere (RECURRENCE-ID overrides).
    """

    frequency: Frequency
    interval: int = Field(default=1, ge=1, le=1000)
    by_weekday: tuple[WeekdayRule, ...] = Field(default=(), max_length=7 * 53)
    by_month_day: tuple[MonthDay, ...] = Field(default=(), max_length=62)
    by_month: tuple[Month, ...] = Field(default=(), max_length=12)
    by_set_position: tuple[SetPosition, ...] = Field(default=(), max_length=366)
    count: int | None = Field(default=None, ge=1, le=_MAX_COUNT)
    until: Timestamp | None = None
    week_start: WeekdayRule = "MO"
    timezone: TimeZoneName
    start: Timestamp
    duration: timedelta
    rdates: tuple[Timestamp, ...] = Field(default=(), max_length=_MAX_COUNT)
    exdates: tuple[Timestamp, ...] = Field(default=(), max_length=_MAX_COUNT)
    moves: tuple[MovedOccurrence, ...] = Field(default=(), max_length=_MAX_COUNT)

    # ------------------------------------------------------------------ validation
    @field_validator("start", "until")
    @classmethod
    def _seconds(cls, value: datetime | None) -> datetime | None:
        return None if value is None else _whole_seconds(value)

    @field_validator("exdates", "rdates")
    @classmethod
    def _exdate_seconds(cls, value: tuple[datetime, ...]) -> tuple[datetime, ...]:
        return tuple(sorted({_whole_seconds(v) for v in value}))

    @field_validator("moves")
    @classmethod
    def _sorted_moves(cls, value: tuple[MovedOccurrence, ...]) -> tuple[MovedOccurrence, ...]:
        return tuple(sorted(value, key=lambda m: m.original_start))

    @field_validator("duration")
    @classmethod
    def _positive_duration(cls, value: timedelta) -> timedelta:
        value = timedelta(seconds=int(value.total_seconds()))
        if not timedelta(0) < value <= _MAX_DURATION:
            raise ValueError(
                f"M3: a meeting lasts more than 0 seconds and at most 31 days; got {value}"
            )
        return value

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        for problem in self._problems():
            raise ValueError(f"M8: {problem}")
        return self

    def _problems(self) -> Iterator[str]:
        yield from self._rule_problems()
        yield from self._series_problems()

    def _rule_problems(self) -> Iterator[str]:
        """What is wrong with the rule's parts themselves."""
        if self.count is not None and self.until is not None:
            yield "a rule ends by count or by until, not both (RFC 5545)"
        if self.week_start not in _WEEKDAYS:
            yield f"the week starts on a plain weekday (MO..SU), not {self.week_start!r}"
        if len(set(self.by_weekday)) != len(self.by_weekday):
            yield "a weekday is named twice in by_weekday"
        if 0 in self.by_month_day:
            yield "0 is not a day of the month (use 1..31 or -1..-31)"
        if len(set(self.by_month_day)) != len(self.by_month_day):
            yield "a day is named twice in by_month_day"
        ordinal = [w for w in self.by_weekday if w not in _WEEKDAYS]
        if ordinal and self.frequency not in (Frequency.MONTHLY, Frequency.YEARLY):
            yield (
                f"weekdays with an ordinal ({', '.join(ordinal)}) need a monthly or yearly "
                "rule (RFC 5545)"
            )
        if self.by_month_day and self.frequency is Frequency.WEEKLY:
            yield "a weekly rule has no by_month_day (RFC 5545)"
        yield from self._month_problems()

    def _month_problems(self) -> Iterator[str]:
        """What is wrong with by_month and by_set_position."""
        if len(set(self.by_month)) != len(self.by_month):
            yield "a month is named twice in by_month"
        if 0 in self.by_set_position:
            yield "0 is not a set position (use 1, 2 ... or -1, -2 ...)"
        if self.by_set_position and not (self.by_weekday or self.by_month_day or self.by_month):
            yield "by_set_position picks among other by_ parts; give by_weekday too (RFC 5545)"

    def _series_problems(self) -> Iterator[str]:
        """What is wrong with the start, the exclusions and the moves, given the rule."""
        tz = self.zone
        first = next(self._starts(), None)
        local_start = _local(self.start, tz)
        if first is None:
            yield f"the rule makes no occurrence (until {self.until} is before the start)"
            return
        if first != local_start:
            yield (
                f"the start {local_start.isoformat()} ({self.timezone}) is not the rule's first "
                f"occurrence {first.isoformat()}: start on a day the rule names"
            )
            return
        early = [r for r in self.rdates if as_utc(r) < as_utc(self.start)]
        if early:
            yield f"an extra date (RDATE) {early[0].isoformat()} is before the start"
        originals = [m.original_start for m in self.moves]
        if len({_key(o, tz) for o in originals}) != len(originals):
            yield "an occurrence is moved twice"
        excluded = {_key(e, tz) for e in self.exdates}
        for moved in originals:
            if _key(moved, tz) in excluded:
                yield f"the occurrence of {moved.isoformat()} is both excluded and moved"
        missing = self._not_occurrences([*self.exdates, *originals])
        if missing:
            listed = ", ".join(m.isoformat() for m in missing[:5])
            yield f"not occurrences of the rule: {listed}"

    def _not_occurrences(self, moments: Iterable[datetime]) -> list[datetime]:
        """Those of ``moments`` whose local start the rule never produces."""
        tz = self.zone
        wanted = {_key(m, tz): m for m in moments}
        for extra in self.rdates:
            wanted.pop(_key(extra, tz), None)
        if not wanted:
            return []
        last = max(wanted) + _UNTIL_MARGIN
        for scanned, local in enumerate(self._starts()):
            key = _instant(local, tz)
            if key > last or scanned > _MAX_SCAN:
                break
            wanted.pop(key, None)
            if not wanted:
                break
        return sorted(wanted.values(), key=as_utc)

    # ------------------------------------------------------------------ queries
    @property
    def zone(self) -> ZoneInfo:
        """The time zone the rule follows."""
        return zone(self.timezone)

    @property
    def local_start(self) -> datetime:
        """The first occurrence's start as naive local wall time."""
        return _local(self.start, self.zone)

    @property
    def bounded(self) -> bool:
        """Whether the rule ends (by count or until)."""
        return self.count is not None or self.until is not None

    def is_occurrence(self, moment: datetime) -> bool:
        """Whether the rule puts an occurrence at ``moment`` (exclusions and moves aside)."""
        return not self._not_occurrences([moment])

    def is_excluded(self, moment: datetime) -> bool:
        """Whether the occurrence starting at ``moment`` is excluded (EXDATE)."""
        tz = self.zone
        key = _key(moment, tz)
        return any(_key(e, tz) == key for e in self.exdates)

    def wall_time(self, moment: datetime) -> datetime:
        """The naive wall time the rule gives the occurrence starting at ``moment``.

        It is the local time of ``moment`` except for an occurrence whose wall time fell
        into a spring-forward gap: the rule says 02:30, the occurrence starts at 03:30
        after the gap, and this returns 02:30. EXDATE and RECURRENCE-ID are written with
        it, which every reader of RFC 5545 matches.
        """
        tz = self.zone
        local = _local(moment, tz)
        key = _instant(local, tz)
        nominal = self.local_start.time()
        for day in (local.date(), local.date() - timedelta(days=1)):
            candidate = datetime.combine(day, nominal)
            if _instant(candidate, tz) == key:
                return candidate
        return local.replace(fold=0)

    def occurrences(
        self,
        between_start: datetime | None = None,
        between_end: datetime | None = None,
        *,
        overlapping: bool = False,
        limit: int = MAX_OCCURRENCES,
    ) -> list[Occurrence]:
        """The occurrences in a window, sorted by start, exclusions left out, moves applied.

        Args:
            between_start: The window's start (aware); None for the series start.
            between_end: The window's end (aware, exclusive); None for the series end,
                which a rule without ``count`` or ``until`` does not have.
            overlapping: Return the occurrences whose ``[start, end)`` overlaps the
                window instead of those that start in it.
            limit: Most occurrences to return before the window is judged too wide.

        Raises:
            ValidationError: The window is naive or reversed, the expansion is unbounded
                (no end and no count/until), or it holds more than ``limit``
                occurrences.
        """
        check_window(between_start, between_end)
        if between_end is None and not self.bounded:
            raise ValidationError(
                "Recurrence",
                [
                    FieldProblem(
                        "between_end",
                        "M8",
                        "the rule has neither count nor until, so its occurrences never end; "
                        "give the window an end",
                    )
                ],
            )
        window = _Window(between_start, between_end, overlapping=overlapping)
        found = [*self._from_rule(window, limit), *self._moved(window)]
        if len(found) > limit:
            raise _too_many("the window holds too many occurrences", limit)
        found.sort(key=lambda o: (as_utc(o.start), as_utc(o.original_start)))
        return found

    def _from_rule(self, window: _Window, limit: int) -> Iterator[Occurrence]:
        """The rule's occurrences in ``window``, exclusions and moved ones left out."""
        tz = self.zone
        skipped = {_key(e, tz) for e in self.exdates}
        skipped.update(_key(m.original_start, tz) for m in self.moves)
        found = 0
        for key in self._instants(None if window.end is None else as_utc(window.end)):
            if key in skipped:
                continue
            start = key.astimezone(tz)
            end = _elapsed(start, self.duration, tz)
            if window.holds(start, end):
                found += 1
                if found > limit:
                    raise _too_many("the window holds too many occurrences", limit)
                yield Occurrence(start, end, start)

    def _instants(self, stop: datetime | None) -> Iterator[datetime]:
        """The instants of the rule's starts and of the extra dates, in order, each once.

        The walk ends soon after ``stop`` (None: with the rule).

        Raises:
            ValidationError: ``stop`` lies too far after the series start.
        """
        tz = self.zone
        extras = sorted({_key(r, tz) for r in self.rdates})
        for scanned, local in enumerate(self._starts()):
            key = _instant(local, tz)
            if stop is not None and key >= stop + _UNTIL_MARGIN:
                return
            if scanned >= _MAX_SCAN:
                raise _too_many("the window lies too far after the series start", _MAX_SCAN)
            while extras and extras[0] < key:
                yield extras.pop(0)
            if extras and extras[0] == key:
                extras.pop(0)
            yield key
        yield from extras

    def _moved(self, window: _Window) -> Iterator[Occurrence]:
        """The moved occurrences that now lie in ``window``."""
        tz = self.zone
        for move in self.moves:
            start, end = move.start.astimezone(tz), move.end.astimezone(tz)
            if window.holds(start, end):
                original = _key(move.original_start, tz).astimezone(tz)
                yield Occurrence(start, end, original, moved=True)

    # ------------------------------------------------------------------ changes
    def excluding(self, *starts: datetime) -> Recurrence:
        """A copy without the occurrences starting at ``starts`` (EXDATE).

        Raises:
            ValidationError: A start is not an occurrence, or is one that was moved.
        """
        return self._with(exdates=(*self.exdates, *starts))

    def moving(self, original_start: datetime, start: datetime, end: datetime) -> Recurrence:
        """A copy with the occurrence of ``original_start`` moved to ``[start, end)``.

        Moving an occurrence again replaces its earlier move.

        Raises:
            ValidationError: ``original_start`` is not an occurrence or is excluded, or
                ``end`` is not after ``start``.
        """
        tz = self.zone
        key = _key(original_start, tz)
        kept = [m.model_dump() for m in self.moves if _key(m.original_start, tz) != key]
        move = {"original_start": original_start, "start": start, "end": end}
        return self._with(moves=(*kept, move))

    def retimed(self, start: datetime, end: datetime) -> Recurrence:
        """The series moved to start at ``start`` with occurrences lasting until ``end``.

        Exclusions and moves shift by the same local wall-clock offset as the start.

        Raises:
            ValidationError: The new start is not an occurrence of the rule (a weekly
                rule on Mondays cannot start on a Tuesday: restate the rule), or a shifted
                exception no longer falls on an occurrence.
        """
        tz = self.zone
        offset = _local(start, tz) - self.local_start
        until = self.until
        if until is not None:
            until = _aware(_local(until, tz) + offset, tz)

        def shift(moment: datetime) -> datetime:
            return _aware(_local(moment, tz) + offset, tz)

        return self._with(
            start=start,
            duration=elapsed(start, end),
            until=until,
            rdates=tuple(shift(r) for r in self.rdates),
            exdates=tuple(shift(e) for e in self.exdates),
            moves=tuple(
                {
                    "original_start": shift(m.original_start),
                    "start": m.start,
                    "end": m.end,
                }
                for m in self.moves
            ),
        )

    def _with(self, **changes: Any) -> Recurrence:
        return _validated({**self.model_dump(), **changes})

    # ------------------------------------------------------------------ RFC 5545
    def to_rrule_text(self) -> str:
        """The rule as an RFC 5545 RRULE value, without DTSTART (the zone is not in it).

        ``UNTIL`` is written in UTC, as RFC 5545 requires when DTSTART has a TZID.

        >>> from datetime import datetime, timedelta
        >>> from zoneinfo import ZoneInfo
        >>> Recurrence(
        ...     frequency="weekly", by_weekday=("MO",), count=10, timezone="Asia/Shanghai",
        ...     start=datetime(2026, 3, 2, 9, tzinfo=ZoneInfo("Asia/Shanghai")),
        ...     duration=timedelta(hours=1),
        ... ).to_rrule_text()
        'FREQ=WEEKLY;COUNT=10;BYDAY=MO'
        """
        parts = [f"FREQ={self.frequency.value.upper()}"]
        if self.interval != 1:
            parts.append(f"INTERVAL={self.interval}")
        if self.count is not None:
            parts.append(f"COUNT={self.count}")
        if self.until is not None:
            parts.append(f"UNTIL={self.until.astimezone(UTC):%Y%m%dT%H%M%SZ}")
        if self.by_weekday:
            parts.append("BYDAY=" + ",".join(self.by_weekday))
        if self.by_month_day:
            parts.append("BYMONTHDAY=" + ",".join(map(str, self.by_month_day)))
        if self.by_month:
            parts.append("BYMONTH=" + ",".join(map(str, self.by_month)))
        if self.by_set_position:
            parts.append("BYSETPOS=" + ",".join(map(str, self.by_set_position)))
        if self.week_start != "MO":
            parts.append(f"WKST={self.week_start}")
        return ";".join(parts)

    @classmethod
    def from_rrule_text(
        cls,
        text: str,
        tz: str,
        start: datetime,
        *,
        duration: timedelta,
        exdates: Iterable[datetime] = (),
        moves: Iterable[MovedOccurrence | dict[str, Any]] = (),
        rdates: Iterable[datetime] = (),
    ) -> Recurrence:
        """Parse an RFC 5545 RRULE value (with or without the ``RRULE:`` prefix).

        Supported parts: FREQ (daily to yearly), INTERVAL, COUNT, UNTIL (UTC, local or a
        date, which counts the whole day), BYDAY, BYMONTHDAY, BYMONTH, BYSETPOS and WKST.

        Args:
            text: The rule, e.g. ``FREQ=WEEKLY;BYDAY=MO,WE;UNTIL=20261231T160000Z``.
            tz: The IANA zone the rule follows (the TZID of DTSTART).
            start: The first occurrence's start (aware).
            duration: How long each occurrence lasts.
            exdates: Occurrences left out.
            moves: Occurrences moved elsewhere.
            rdates: Extra occurrences (RDATE).

        Raises:
            ValidationError: The text is not a supported RRULE, or the rule does not fit
                ``start`` (the problem names the part that is wrong).
        """
        fields = _parse_rrule(text, tz)
        fields.update(
            timezone=tz,
            start=start,
            duration=duration,
            rdates=tuple(rdates),
            exdates=tuple(exdates),
            moves=tuple(moves),
        )
        return _validated(fields)

    # ------------------------------------------------------------------ internals
    def _starts(self) -> Iterator[datetime]:
        """The rule's naive local starts, in order, ending at UNTIL compared as an instant."""
        tz = self.zone
        last = None if self.until is None else as_utc(self.until)
        for local in self._rule():
            if last is None or _instant(local, tz) <= last:
                yield local

    def _rule(self) -> _rrule.rrule:
        """The dateutil rule; it runs a little past UNTIL, which :meth:`_starts` cuts."""
        tz = self.zone
        until = None if self.until is None else _local(self.until, tz) + _UNTIL_MARGIN
        weekdays = [_weekday(w) for w in self.by_weekday] or None
        return _rrule.rrule(
            _FREQ[self.frequency],
            dtstart=_local(self.start, tz),
            interval=self.interval,
            wkst=_WEEKDAYS.index(self.week_start) if self.week_start in _WEEKDAYS else 0,
            count=self.count,
            until=until,
            byweekday=weekdays,
            bymonthday=list(self.by_month_day) or None,
            bymonth=list(self.by_month) or None,
            bysetpos=list(self.by_set_position) or None,
            cache=False,
        )


def _weekday(rule: str) -> _rrule.weekday:
    match = _WEEKDAY_RULE.fullmatch(rule)
    assert match is not None  # noqa: S101 -- validated by WeekdayRule
    sign, ordinal, day = match.groups()
    weekday = _rrule.weekday(_WEEKDAYS.index(day))
    if ordinal:
        return weekday(-int(ordinal) if sign == "-" else int(ordinal))
    return weekday


def _validated(fields: dict[str, Any]) -> Recurrence:
    """A :class:`Recurrence` from ``fields``, with pydantic's errors turned into ours."""
    try:
        return Recurrence.model_validate(fields)
    except pydantic.ValidationError as e:
        raise ValidationError("Recurrence", problems_from_pydantic(e)) from None


def check_window(start: datetime | None, end: datetime | None) -> None:
    """Check an occurrence window: aware bounds, the end not before the start.

    Raises:
        ValidationError: A bound is naive, or the window ends before it starts.
    """
    problems = [
        FieldProblem(name, "timezone_aware", "must be timezone-aware")
        for name, value in (("between_start", start), ("between_end", end))
        if value is not None and value.utcoffset() is None
    ]
    if not problems and start is not None and end is not None and end < start:
        problems.append(FieldProblem("between_end", "window", "the window ends before it starts"))
    if problems:
        raise ValidationError("occurrence window", problems)


def _too_many(what: str, limit: int) -> ValidationError:
    return ValidationError(
        "occurrence window",
        [
            FieldProblem(
                "between_end",
                "LIMIT",
                f"{what} (more than {limit}); ask for a shorter window",
            )
        ],
    )


# ============================================================================ RRULE text
_SUPPORTED_PARTS: Final = (
    "FREQ",
    "INTERVAL",
    "COUNT",
    "UNTIL",
    "BYDAY",
    "BYMONTHDAY",
    "BYMONTH",
    "BYSETPOS",
    "WKST",
)


def _rrule_problem(part: str, message: str) -> ValidationError:
    accepted = (
        "FREQ=DAILY|WEEKLY|MONTHLY|YEARLY;INTERVAL;COUNT or UNTIL;BYDAY;BYMONTHDAY;"
        "BYMONTH;BYSETPOS;WKST"
    )
    return ValidationError("RRULE", [FieldProblem(part, "M8", message, accepted)])


def _parse_rrule(text: str, tz: str) -> dict[str, Any]:  # noqa: C901, PLR0912 -- one branch per part
    """The :class:`Recurrence` fields an RRULE value gives.

    Raises:
        ValidationError: The text is not a supported RRULE.
    """
    if not isinstance(text, str):
        raise _rrule_problem("RRULE", f"expected text, got {type(text).__name__}")
    body = text.strip()
    if body.upper().startswith("RRULE:"):
        body = body[len("RRULE:") :]
    if not body:
        raise _rrule_problem("RRULE", "the rule is empty")
    parts: dict[str, str] = {}
    for item in body.split(";"):
        name, sep, value = item.partition("=")
        name = name.strip().upper()
        if not sep or not name or not value.strip():
            raise _rrule_problem("RRULE", f"{item!r} is not NAME=VALUE")
        if name in parts:
            raise _rrule_problem(name, f"{name} is given twice")
        if name not in _SUPPORTED_PARTS:
            raise _rrule_problem(name, f"{name} is not supported for meetings")
        parts[name] = value.strip()
    if "FREQ" not in parts:
        raise _rrule_problem("FREQ", "FREQ is required")
    frequency = _RRULE_FREQ.get(parts["FREQ"].upper())
    if frequency is None:
        raise _rrule_problem(
            "FREQ", f"FREQ={parts['FREQ']} is not supported; meetings recur at most daily"
        )
    fields: dict[str, Any] = {"frequency": frequency}
    for name, key in (("INTERVAL", "interval"), ("COUNT", "count")):
        if name in parts:
            if not parts[name].isascii() or not parts[name].isdigit():
                raise _rrule_problem(name, f"{name} is a positive integer, got {parts[name]!r}")
            fields[key] = int(parts[name])
    if "UNTIL" in parts:
        fields["until"] = _parse_until(parts["UNTIL"], tz)
    if "BYDAY" in parts:
        fields["by_weekday"] = tuple(d.strip() for d in parts["BYDAY"].split(","))
    for name, key, what in (
        ("BYMONTHDAY", "by_month_day", "days of the month"),
        ("BYMONTH", "by_month", "months (1 to 12)"),
        ("BYSETPOS", "by_set_position", "positions (1, -1 ...)"),
    ):
        if name in parts:
            try:
                fields[key] = tuple(int(d) for d in parts[name].split(","))
            except ValueError:
                raise _rrule_problem(name, f"{name} lists {what}, got {parts[name]!r}") from None
    if "WKST" in parts:
        fields["week_start"] = parts["WKST"]
    return fields


_UNTIL_FORMS: Final = (
    ("%Y%m%dT%H%M%SZ", "utc"),
    ("%Y%m%dT%H%M%S", "local"),
    ("%Y%m%d", "date"),
)


def _parse_until(value: str, tz: str) -> datetime:
    try:
        tzinfo = zone(tz)
    except ValueError as e:
        raise ValidationError("RRULE", [FieldProblem("timezone", "M8", str(e))]) from None
    for form, kind in _UNTIL_FORMS:
        try:
            parsed = datetime.strptime(value.upper(), form)  # noqa: DTZ007 -- zone attached below
        except ValueError:
            continue
        if kind == "utc":
            return parsed.replace(tzinfo=UTC)
        if kind == "local":
            return _aware(parsed, tzinfo)
        return _aware(datetime.combine(parsed.date(), time(23, 59, 59)), tzinfo)
    raise _rrule_problem(
        "UNTIL",
        f"UNTIL={value} is not a date-time such as 20261231T160000Z (or a date 20261231)",
    )
