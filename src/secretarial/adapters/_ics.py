"""ICS (RFC 5545) export and import of meetings and supervision items (extra ``ics``).

:func:`export_ics` writes meetings as VEVENTs — times with a TZID and a VTIMEZONE made
from zoneinfo, ORGANIZER, ATTENDEE with ROLE and PARTSTAT, LOCATION, RRULE, EXDATE,
moved occurrences as RECURRENCE-ID overrides, a VALARM reminder, STATUS CANCELLED for
cancelled ones — and supervision items as VTODOs (DUE as a date, STATUS from the item's
state, SUMMARY the requirement). What RFC 5545 has no property for (the meeting kind,
the chair, the agenda items) travels in ``X-SECRETARIAL-*`` properties, so an export
imports back to the same plan.

:func:`import_events` reads VEVENTs back into the fields of a meeting's ``plan``
trigger. Malformed input raises :class:`~secretarial.errors.ValidationError` naming
the component and line, and never another exception.

This module imports ``icalendar``; ``import secretarial`` never imports this module.
Without the package, importing it raises :class:`~secretarial.errors.MissingExtraError`
(``pip install 'secretarial[ics]'``).
"""

from __future__ import annotations

import functools
import json
import re
import unicodedata
import warnings
import zoneinfo
from collections.abc import Iterable, Iterator, Mapping
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import Any, Final
from urllib.parse import quote, unquote
from zoneinfo import ZoneInfo

import pydantic
from dateutil import rrule as _rrule

from secretarial.duty._model import DutyPerson, DutyRoster, DutyShift
from secretarial.errors import FieldProblem, MissingExtraError, ValidationError
from secretarial.kernel._entity import Entity
from secretarial.kernel._enums import Classification
from secretarial.kernel._recurrence import Recurrence, as_utc, elapsed, zone
from secretarial.kernel._workflow import problems_from_pydantic
from secretarial.meetings._model import (
    AttendeeResponse,
    AttendeeRole,
    Meeting,
    MeetingKind,
    MeetingState,
    Person,
)
from secretarial.supervision._enums import SupervisionSource, SupervisionState
from secretarial.supervision._model import SupervisionItem

try:
    import icalendar
except ImportError as _missing:  # pragma: no cover -- exercised by a test with a fake import
    raise MissingExtraError("icalendar", "ics", "ICS export and import") from _missing
try:
    from icalendar.timezone.windows_to_olson import WINDOWS_TO_OLSON
except ImportError:  # pragma: no cover -- icalendar before 6.1 ships no Windows zone table
    WINDOWS_TO_OLSON = {}

__all__ = [
    "ImportReport",
    "ImportedMeetings",
    "SkippedEvent",
    "export_ics",
    "import_events",
    "read_events",
]

PRODID: Final = "-//secretarial//secretarial//ZH"
"""The PRODID of every calendar this module writes."""
_MAX_BYTES: Final = 20_000_000
_MAX_ALARM_MINUTES: Final = 7 * 24 * 60
"""Alarms further ahead than a week are not meeting reminders; they are not imported."""
_ACTOR_PARAM: Final = "X-SECRETARIAL-ACTOR"
_NAME_PARAM: Final = "X-SECRETARIAL-NAME"
"""The exact name, percent-encoded: CN cannot carry every character (see ``_param``)."""
_URN: Final = "urn:x-secretarial:actor:"

_ROLES: Final = {
    AttendeeRole.REQUIRED: "REQ-PARTICIPANT",
    AttendeeRole.OPTIONAL: "OPT-PARTICIPANT",
    AttendeeRole.NON_VOTING: "NON-PARTICIPANT",
}
_ROLES_BACK: Final = {v: k for k, v in _ROLES.items()} | {"CHAIR": AttendeeRole.REQUIRED}
_PARTSTAT: Final = {
    AttendeeResponse.NEEDS_ACTION: "NEEDS-ACTION",
    AttendeeResponse.ACCEPTED: "ACCEPTED",
    AttendeeResponse.DECLINED: "DECLINED",
    AttendeeResponse.TENTATIVE: "TENTATIVE",
}
_PARTSTAT_BACK: Final = {v: k for k, v in _PARTSTAT.items()}
_EVENT_STATUS: Final = {
    MeetingState.PLANNED: "TENTATIVE",
    MeetingState.NOTIFIED: "CONFIRMED",
    MeetingState.HELD: "CONFIRMED",
    MeetingState.MINUTED: "CONFIRMED",
    MeetingState.CLOSED: "CONFIRMED",
    MeetingState.CANCELLED: "CANCELLED",
}
_TODO_STATUS: Final = {
    SupervisionState.REGISTERED: "NEEDS-ACTION",
    SupervisionState.ASSIGNED: "NEEDS-ACTION",
    SupervisionState.IN_PROGRESS: "IN-PROCESS",
    SupervisionState.EXTENSION_REQUESTED: "IN-PROCESS",
    SupervisionState.REPORTED: "IN-PROCESS",
    SupervisionState.VERIFIED: "COMPLETED",
    SupervisionState.CANCELLED: "CANCELLED",
}


# ============================================================================ export
def export_ics(
    meetings: Iterable[Meeting] = (),
    items: Iterable[SupervisionItem] = (),
    *,
    domain: str,
    calendar_name: str | None = None,
    include_classified: bool = False,
    shifts: DutyRoster | Iterable[DutyShift] = (),
) -> str:
    """Write meetings and duty shifts as VEVENTs and supervision items as VTODOs.

    Each zone used gets a VTIMEZONE covering every occurrence written: to the series'
    last occurrence, and for an endless series with the zone's current rules as
    yearly RRULEs (so a reader without the zone still has it after 2037).

    Args:
        meetings: The meetings; a recurring one gives its series plus one override
            per moved occurrence.
        items: The supervision items.
        shifts: Duty shifts or a roster (``office.duty.roster()``); each shift is a
            VEVENT with the people on duty as attendees (cancelled shifts are left out).
        domain: The host's domain; a UID is ``<entity id>@<domain>``.
        calendar_name: A name for the calendar (``X-WR-CALNAME``), if any.
        include_classified: Whether classified meetings and items are written (with
            ``CLASS:CONFIDENTIAL``); they are left out by default. Check the reader's
            clearance before passing True.

    Returns:
        The calendar as ICS text (CRLF line ends, lines folded at 75 octets).

    Raises:
        ValidationError: ``domain`` is empty or contains whitespace or ``@``.
    """
    if not domain or any(c.isspace() or c == "@" for c in domain):
        raise ValidationError(
            "ICS export",
            [FieldProblem("domain", "ics", "a domain such as office.example.org is required")],
        )
    cal = icalendar.Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    if calendar_name:
        cal.add("x-wr-calname", calendar_name)
    components = [
        *(c for m in meetings for c in _events(m, domain) if _shown(m, include_classified)),
        *(_todo(i, domain) for i in items if _shown(i, include_classified)),
        *(_shift_event(s, domain) for s in DutyRoster.of(shifts) if _shown(s, include_classified)),
    ]
    for component in components:
        cal.add_component(component)
    for tz in reversed(_vtimezones(cal)):
        cal.subcomponents.insert(0, tz)
    cal.add_missing_timezones()
    text: bytes = cal.to_ical()
    return text.decode("utf-8")


def _shown(entity: Entity, include_classified: bool) -> bool:  # noqa: FBT001 -- a filter
    return entity.classification is Classification.UNCLASSIFIED or include_classified


def _param(text: str) -> str:
    """``text`` as a parameter value: control characters but tab and newline become spaces.

    RFC 5545 allows no control characters in parameter values but a tab; RFC 6868 lets a
    newline through (icalendar writes it as ``^n``). icalendar also reads a backslash in
    a parameter value as an escape, so CN shows one as ``/``; the exact name travels
    percent-encoded in ``X-SECRETARIAL-NAME``.
    """
    return "".join(" " if unicodedata.category(c) == "Cc" and c not in "\n\t" else c for c in text)


def _text_value(text: str) -> str:
    """``text`` as a TEXT value: line breaks become newlines, other control characters spaces.

    RFC 5545 allows no control characters in TEXT but a tab (and escaped newlines).
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return "".join(" " if unicodedata.category(c) == "Cc" and c not in "\n\t" else c for c in text)


def _address(person: Person, **params: str) -> icalendar.vCalAddress:
    uri = f"mailto:{person.email}" if person.email else _URN + quote(person.actor_id, safe="")
    address = icalendar.vCalAddress(uri)
    address.params["CN"] = _param(person.name).replace("\\", "/")
    address.params[_ACTOR_PARAM] = quote(person.actor_id, safe="")
    address.params[_NAME_PARAM] = quote(person.name, safe="")
    for name, value in params.items():
        address.params[name] = value
    return address


def _stamp(component: icalendar.Component, entity: Entity) -> None:
    component.add("dtstamp", entity.updated_at.astimezone(UTC))
    component.add("created", entity.created_at.astimezone(UTC))
    component.add("last-modified", entity.updated_at.astimezone(UTC))
    component.add(
        "class",
        "PUBLIC" if entity.classification is Classification.UNCLASSIFIED else "CONFIDENTIAL",
    )
    if entity.classification is not Classification.UNCLASSIFIED:
        component.add("x-secretarial-classification", entity.classification.value)
    component.add("x-secretarial-state", str(entity.state))


def _common(event: icalendar.Event, meeting: Meeting, uid: str) -> None:
    """Properties a series and its overrides share."""
    event.add("uid", uid)
    event.add("summary", _text_value(meeting.title))
    event.add("sequence", meeting.version - 1)
    event.add("status", _EVENT_STATUS[meeting.state])
    if meeting.room:
        event.add("location", _text_value(meeting.room))
    event.add("organizer", _address(meeting.organizer))
    for attendee in meeting.attendees:
        event.add(
            "attendee",
            _address(
                attendee,
                ROLE=_ROLES[attendee.role],
                PARTSTAT=_PARTSTAT[attendee.response],
            ),
        )


def _events(meeting: Meeting, domain: str) -> Iterator[icalendar.Event]:
    tz = zone(meeting.timezone)
    uid = f"{meeting.id}@{domain}"
    event = icalendar.Event()
    _common(event, meeting, uid)
    _stamp(event, meeting)
    event.add("dtstart", meeting.start.astimezone(tz))
    event.add("dtend", meeting.end.astimezone(tz))
    event.add("categories", [meeting.meeting_kind.label])
    event.add("x-secretarial-kind", meeting.meeting_kind.value)
    if meeting.chair is not None:
        event.add("x-secretarial-chair", _json(meeting.chair))
    if meeting.agenda:
        lines = ["议程："]
        for n, item in enumerate(meeting.agenda, 1):
            extra = "，".join(
                part
                for part in (
                    f"汇报人：{item.presenter}" if item.presenter else "",
                    f"{item.minutes}分钟" if item.minutes else "",
                )
                if part
            )
            lines.append(f"{n}. {item.topic}" + (f"（{extra}）" if extra else ""))
        event.add("description", _text_value("\n".join(lines)))
        for item in meeting.agenda:
            event.add("x-secretarial-agenda", _json(item))
    series = meeting.recurrence
    if series is not None:
        _add_series(event, series)
    if meeting.alarm_minutes is not None:
        alarm = icalendar.Alarm()
        alarm.add("action", "DISPLAY")
        alarm.add("description", _text_value(meeting.title))
        alarm.add("trigger", -timedelta(minutes=meeting.alarm_minutes))
        event.add_component(alarm)
    yield event
    for move in series.moves if series is not None else ():
        assert series is not None  # noqa: S101 -- there are moves
        override = icalendar.Event()
        _common(override, meeting, uid)
        override.add("dtstamp", meeting.updated_at.astimezone(UTC))
        override.add("recurrence-id", _wall(series, move.original_start))
        override.add("dtstart", move.start.astimezone(tz))
        override.add("dtend", move.end.astimezone(tz))
        yield override


def _add_series(event: icalendar.Event, series: Recurrence) -> None:
    """RRULE, RDATE and EXDATE; a series of DTSTART and RDATEs only has no RRULE."""
    if not (series.rdates and series.count == 1):
        event.add("rrule", icalendar.vRecur.from_ical(series.to_rrule_text()))
    if series.rdates:
        event.add("rdate", [r.astimezone(series.zone) for r in series.rdates])
    if series.exdates:
        event.add("exdate", [_wall(series, e) for e in series.exdates])


def _wall(series: Recurrence, moment: datetime) -> datetime:
    """An occurrence's start as the rule's wall time in its zone (02:30 even in a gap)."""
    return series.wall_time(moment).replace(tzinfo=series.zone)


def _shift_event(shift: DutyShift, domain: str) -> icalendar.Event:
    """A duty shift as a VEVENT: the leader on duty and the officers as attendees."""
    event = icalendar.Event()
    event.add("uid", f"{shift.id}@{domain}")
    _stamp(event, shift)
    officers = "、".join(p.name for p in shift.officers)
    event.add("summary", _text_value(f"值班：{shift.leader.name}（带班）、{officers}"))
    event.add("dtstart", _zoned(shift.start))
    event.add("dtend", _zoned(shift.end))
    event.add("status", "CONFIRMED")
    event.add("transp", "OPAQUE")
    event.add("categories", ["值班"])
    event.add("x-secretarial-kind", "duty_shift")
    if shift.place:
        event.add("location", _text_value(shift.place))
    lines = [f"带班领导：{_on_duty(shift.leader)}"]
    lines += [f"值班员：{_on_duty(p)}" for p in shift.officers]
    if shift.phone:
        lines.append(f"值班电话：{shift.phone}")
    if shift.note:
        lines.append(shift.note)
    event.add("description", _text_value("\n".join(lines)))
    for person, role in (
        (shift.leader, "CHAIR"),
        *((p, "REQ-PARTICIPANT") for p in shift.officers),
    ):
        address = icalendar.vCalAddress(_URN + quote(person.actor_id, safe=""))
        address.params["CN"] = _param(person.name).replace("\\", "/")
        address.params[_ACTOR_PARAM] = quote(person.actor_id, safe="")
        address.params[_NAME_PARAM] = quote(person.name, safe="")
        address.params["ROLE"] = role
        address.params["PARTSTAT"] = "ACCEPTED"
        event.add("attendee", address)
    return event


def _on_duty(person: DutyPerson) -> str:
    return f"{person.name}（{person.phone}）" if person.phone else person.name


def _zoned(moment: datetime) -> datetime:
    """An aware time as it is when its zone is an IANA one (written with TZID), else in UTC."""
    return moment if isinstance(getattr(moment.tzinfo, "key", None), str) else as_utc(moment)


# ---------------------------------------------------------------------------- VTIMEZONE
_RULE_YEARS: Final = 30
"""Years over which a zone's current rules, written as RRULEs, are checked against it."""


def _vtimezones(cal: icalendar.Calendar) -> list[icalendar.Timezone]:
    """A VTIMEZONE for each IANA zone a component's times use, covering all of them."""
    spans: dict[str, list[date | None]] = {}
    for component in cal.subcomponents:
        for name, (first, last) in _zone_spans(component).items():
            known = spans.setdefault(name, [first, last])
            known[0] = min(d for d in (known[0], first) if d is not None)
            known[1] = None if known[1] is None or last is None else max(known[1], last)
    return [_vtimezone(name, first, last) for name, (first, last) in spans.items() if first]


def _zone_spans(component: icalendar.Component) -> dict[str, tuple[date, date | None]]:
    """The IANA zones a component's times use, and the dates they span (None: no end)."""
    found: dict[str, tuple[date, date | None]] = {}
    ends = _ends(component.get("RRULE"))
    endless = component.get("RRULE") is not None and (ends is None or ends == date.max)
    for name in ("DTSTART", "DTEND", "RECURRENCE-ID", "EXDATE", "RDATE", "DUE"):
        for prop in _many(component, name):
            for item in getattr(prop, "dts", [prop]):
                value = getattr(item, "dt", None)
                key = getattr(getattr(value, "tzinfo", None), "key", None)
                if not isinstance(value, datetime) or not isinstance(key, str) or key == "UTC":
                    continue
                first, last = found.get(key, (value.date(), value.date()))
                last = None if last is None or endless else max(last, value.date())
                found[key] = (min(first, value.date()), last)
    if isinstance(ends, timedelta):
        found = {k: (f, None if la is None else max(la, f + ends)) for k, (f, la) in found.items()}
    elif isinstance(ends, date) and not endless:
        day = ends.date() if isinstance(ends, datetime) else ends
        found = {k: (f, None if la is None else max(la, day)) for k, (f, la) in found.items()}
    return found


def _ends(rule: Any) -> Any:
    """How an RRULE ends: its UNTIL, True for a COUNT (DTSTART's span is widened), or None."""
    if rule is None:
        return None
    until = next(iter(rule.get("UNTIL") or ()), None)
    if until is not None:
        return until
    count = next(iter(rule.get("COUNT") or ()), None)
    if count is None:
        return None
    freq = str(next(iter(rule.get("FREQ") or ()), "YEARLY")).upper()
    interval = next(iter(rule.get("INTERVAL") or ()), 1)
    return date.max if freq not in _PERIOD else (count * interval * _PERIOD[freq])


def _vtimezone(name: str, first: date, last: date | None) -> icalendar.Timezone:
    """The VTIMEZONE of ``name`` from ``first`` to ``last``; to the end of time if None.

    icalendar writes the transitions up to ``last``; an endless series also gets the
    zone's current rules as yearly RRULEs, checked against zoneinfo for
    :data:`_RULE_YEARS` years, or the transitions until 2200 if they cannot be.
    """
    tz = zone(name)
    begin = first - timedelta(days=1)
    if last is not None and last < date(9000, 1, 1):
        return icalendar.Timezone.from_tzinfo(tz, name, begin, last + timedelta(days=2))
    rules_from = max(begin.year + 1, 2038)
    vtimezone = icalendar.Timezone.from_tzinfo(tz, name, begin, date(rules_from, 1, 1))
    rules = _yearly_rules(tz, rules_from)
    if rules is None:
        return icalendar.Timezone.from_tzinfo(tz, name, begin, date(2200, 1, 1))
    for rule in rules:
        vtimezone.add_component(rule)
    return vtimezone


def _transitions(tz: ZoneInfo, year: int) -> list[tuple[datetime, timedelta, timedelta, bool]]:
    """The offset changes of ``year``: instant (UTC), offset before, after, whether to DST."""
    found = []
    moment = datetime(year, 1, 1, tzinfo=UTC)
    while moment.year == year:
        later = moment + timedelta(days=1)
        before, after = _offset(tz, moment), _offset(tz, later)
        if before != after and before is not None and after is not None:
            at = _change(tz, moment, later)
            found.append((at, before, after, bool(at.astimezone(tz).dst())))
        moment = later
    return found


def _yearly_rules(tz: ZoneInfo, year: int) -> list[icalendar.Component] | None:
    """STANDARD and DAYLIGHT observances with yearly RRULEs that give ``tz`` from ``year``.

    Returns:
        The observances; [] if the zone no longer changes; None if no rule of the form
        "the n-th (or last) weekday of a month" reproduces its changes.
    """
    changes = _transitions(tz, year)
    if not changes:
        return [] if not _transitions(tz, year + 1) else None
    observances: list[icalendar.Component] = []
    for at, before, after, to_dst in changes:
        local = (at + before).replace(tzinfo=None)
        for ordinal in (-1, (local.day - 1) // 7 + 1):
            day = _WEEKDAY_CODES[local.weekday()]
            rule = f"FREQ=YEARLY;BYMONTH={local.month};BYDAY={ordinal}{day}"
            if _rule_holds(tz, ordinal, local, before, after):
                break
        else:
            return None
        observance = icalendar.TimezoneDaylight() if to_dst else icalendar.TimezoneStandard()
        observance.add("dtstart", local)
        observance.add("tzoffsetfrom", before)
        observance.add("tzoffsetto", after)
        observance.add("tzname", at.astimezone(tz).tzname() or str(after))
        observance.add("rrule", icalendar.vRecur.from_ical(rule))
        observances.append(observance)
    return observances


_WEEKDAY_CODES: Final = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")


def _rule_holds(
    tz: ZoneInfo, ordinal: int, local: datetime, before: timedelta, after: timedelta
) -> bool:
    """Whether a change each year on the ordinal-th weekday of ``local``'s month holds."""
    weekday = _rrule.weekday(local.weekday())(ordinal)
    rule = _rrule.rrule(
        _rrule.YEARLY, dtstart=local, bymonth=local.month, byweekday=weekday, count=_RULE_YEARS
    )
    for wall in rule:
        at = (wall - before).replace(tzinfo=UTC)
        if _offset(tz, at - timedelta(seconds=1)) != before or _offset(tz, at) != after:
            return False
    return True


def _json(value: pydantic.BaseModel) -> str:
    """A value as one line of JSON, readable Chinese kept, every control character escaped."""
    text = json.dumps(value.model_dump(mode="json", exclude_defaults=True), ensure_ascii=False)
    return _UNSAFE_IN_JSON.sub(lambda m: f"\\u{ord(m[0]):04x}", text)


_UNSAFE_IN_JSON: Final = re.compile("[\x7f-\x9f\u2028\u2029]")
"""Characters json.dumps leaves raw that are control characters or line breaks elsewhere."""


def _todo(item: SupervisionItem, domain: str) -> icalendar.Todo:
    todo = icalendar.Todo()
    todo.add("uid", f"{item.id}@{domain}")
    _stamp(todo, item)
    todo.add("summary", _text_value(item.requirement))
    todo.add("status", _TODO_STATUS[item.state])
    todo.add("categories", [item.source.label])
    if item.deadline is not None:
        todo.add("due", item.deadline)
    if item.lead_unit is not None:
        todo.add("description", _text_value(f"牵头单位：{item.lead_unit.name}"))
    if item.source is SupervisionSource.MEETING_DECISION and item.source_ref:
        todo.add("related-to", f"{item.source_ref}@{domain}")
    if item.state is SupervisionState.VERIFIED:
        todo.add("percent-complete", 100)
        todo.add("completed", item.updated_at.astimezone(UTC))
    return todo


# ============================================================================ import
_CONTENT_LINE: Final = re.compile(r"([A-Za-z0-9-]+)(;[^:]*)?:")
_LINE_BREAK: Final = re.compile(r"\r\n|\r|\n")
"""Content lines end with CRLF (RFC 5545); a lone LF or CR is accepted too."""
_PLAN_FIELDS: Final = (
    "meeting_kind",
    "title",
    "organizer",
    "chair",
    "attendees",
    "room",
    "start",
    "end",
    "timezone",
    "recurrence",
    "agenda",
    "alarm_minutes",
    "classification",
)


@dataclass
class _Block:
    """Where a top-level component sits in the text: its first line and its properties'."""

    name: str
    line: int
    properties: dict[str, int] = field(default_factory=dict)


class _Problem(Exception):
    """A problem with one property of the component being read."""

    def __init__(self, prop: str, message: str) -> None:
        super().__init__(message)
        self.prop = prop
        self.message = message


@dataclass(frozen=True, slots=True)
class SkippedEvent:
    """A VEVENT that was not imported, and why.

    Attributes:
        number: Its number among the calendar's VEVENTs, from 1.
        line: The line its ``BEGIN:VEVENT`` is on (0 if unknown).
        uid: Its UID, if it has one.
        summary: Its SUMMARY, if it has one.
        reason: What is wrong, naming the property and its line.
        error: The same as a :class:`~secretarial.errors.ValidationError`, which
            :func:`import_events` raises for the first skipped event.
    """

    number: int
    line: int
    uid: str | None
    summary: str | None
    reason: str
    error: ValidationError


@dataclass(frozen=True, slots=True)
class ImportReport:
    """What :func:`read_events` made of a calendar.

    Attributes:
        imported: The fields of each meeting to ``plan``, in the order of the calendar.
        skipped: The events that were not imported, with their line and the reason,
            in the order of the calendar. Cancelled events left out on purpose are not
            listed.
    """

    imported: tuple[dict[str, Any], ...] = ()
    skipped: tuple[SkippedEvent, ...] = ()
    uids: tuple[str | None, ...] = ()
    """The UID of each imported event, in the order of :attr:`imported`."""
    places: tuple[tuple[int, int], ...] = ()
    """Each imported event's number among the VEVENTs and the line it begins on."""

    def refused(self, index: int, error: ValidationError) -> SkippedEvent:
        """The report of imported event ``index`` refused when it was planned."""
        number, line = self.places[index] if index < len(self.places) else (index + 1, 0)
        summary = self.imported[index].get("title")
        reason = "; ".join(f"{p.field}: {p.message}" for p in error.problems)
        return SkippedEvent(
            number,
            line,
            self.uids[index] if index < len(self.uids) else None,
            summary if isinstance(summary, str) else None,
            reason,
            error,
        )


class ImportedMeetings(list[Meeting]):
    """The meetings ``Office.import_meetings`` planned: a list, with the skipped events.

    Attributes:
        skipped: The events that were not planned and why (empty unless the import was
            asked to be ``partial``).
    """

    skipped: tuple[SkippedEvent, ...]

    def __init__(
        self, meetings: Iterable[Meeting] = (), skipped: Iterable[SkippedEvent] = ()
    ) -> None:
        """Hold ``meetings`` and the ``skipped`` events."""
        super().__init__(meetings)
        self.skipped = tuple(skipped)


def import_events(
    ics: str | bytes,
    *,
    default_timezone: str | None = None,
    organizer: Person | Mapping[str, Any] | None = None,
    include_cancelled: bool = False,
) -> list[dict[str, Any]]:
    """Read the VEVENTs of an ICS calendar as the fields of meetings to ``plan``; all or none.

    The strict form of :func:`read_events`: the first event that cannot be a meeting
    (an all-day event, an unsupported rule ...) refuses the whole calendar.

    Args:
        ics: The calendar, as text or UTF-8 bytes.
        default_timezone: The IANA zone for floating times (no TZID, no Z) when the
            calendar has no ``X-WR-TIMEZONE``; without either such times are refused.
        organizer: The organizer of events without ORGANIZER.
        include_cancelled: Whether cancelled events are returned too.

    Returns:
        One dict per event, in the order of the calendar, whose keys are fields of
        :class:`~secretarial.meetings.Meeting`.

    Raises:
        ValidationError: The text is not an ICS calendar, or an event cannot be a
            meeting; the error names the component, the property and its line.
    """
    report = read_events(
        ics,
        default_timezone=default_timezone,
        organizer=organizer,
        include_cancelled=include_cancelled,
    )
    if report.skipped:
        raise report.skipped[0].error
    return list(report.imported)


def read_events(
    ics: str | bytes,
    *,
    default_timezone: str | None = None,
    organizer: Person | Mapping[str, Any] | None = None,
    include_cancelled: bool = False,
) -> ImportReport:
    """Read the VEVENTs of an ICS calendar; report those that cannot be meetings.

    Calendars from Outlook, Exchange and Google read as they are: a TZID defined by
    the calendar's own VTIMEZONE (a Windows name such as ``China Standard Time``, or
    ``Customized Time Zone``) is mapped to an IANA zone (see ``docs/ics.md``); floating
    times follow ``X-WR-TIMEZONE``; RDATE adds occurrences; a RECURRENCE-ID override
    becomes a moved occurrence with its own DTEND or DURATION (or, when cancelled, a
    skipped one). An event that cannot be a meeting (an all-day event, a rule this
    library does not expand, a time zone no IANA zone agrees with ...) is reported in
    :attr:`ImportReport.skipped` with its line and the reason; a series whose override
    cannot be read is skipped whole rather than imported without it.

    Args:
        ics: The calendar, as text or UTF-8 bytes.
        default_timezone: The IANA zone for floating times when the calendar has no
            ``X-WR-TIMEZONE``.
        organizer: The organizer of events without ORGANIZER.
        include_cancelled: Whether cancelled events are imported too.

    Returns:
        The imported meetings' fields and the skipped events.

    Raises:
        ValidationError: The text cannot be read as one ICS calendar at all, or an
            argument is wrong; nothing is reported then.
    """
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # icalendar warns of guessed TZIDs, we decide them
            return _import(
                ics,
                default_timezone=default_timezone,
                organizer=organizer,
                include_cancelled=include_cancelled,
            )
    except ValidationError:
        raise
    except Exception as e:  # noqa: BLE001 -- malformed input must only ever raise ValidationError
        raise ValidationError(
            "ICS calendar", [FieldProblem("calendar", "ics", f"cannot be read: {e}")]
        ) from None


def _import(
    ics: str | bytes,
    *,
    default_timezone: str | None,
    organizer: Person | Mapping[str, Any] | None,
    include_cancelled: bool,
) -> ImportReport:
    text = _decode(ics)
    blocks = _prescan(text)
    try:
        cal = icalendar.Calendar.from_ical(text)
    except Exception as e:  # noqa: BLE001 -- icalendar's parse errors vary; all mean bad input
        raise ValidationError(
            "ICS calendar", [FieldProblem("calendar", "ics_syntax", str(e))]
        ) from None
    default_tz, fallback = _options(default_timezone, organizer)
    zones = _Zones.of(cal, default_tz)
    skipped: dict[int, SkippedEvent] = {}
    masters, overrides = _read_events(_top_events(cal, blocks), zones, fallback, skipped)
    by_uid = {uid: m for m in masters if (uid := _uid_of(m.event.component)) is not None}
    for event in overrides:
        _read_override(event, by_uid.get(_uid_of(event.component) or ""), zones, skipped)
    imported, uids, places = [], [], []
    for master in masters:
        event = master.event
        if event.number in skipped:
            continue
        try:
            with event.reading():
                cancelled = _text(event.component, "STATUS", "").upper() == "CANCELLED"
                if include_cancelled or not cancelled:
                    imported.append(_validated(master.fields))
                    uids.append(_uid_of(event.component))
                    places.append((event.number, event.block.line))
        except ValidationError as e:
            skipped[event.number] = event.skipped(e)
    return ImportReport(
        tuple(imported),
        tuple(skipped[n] for n in sorted(skipped)),
        tuple(uids),
        tuple(places),
    )


def _read_events(
    events: list[_Event],
    zones: _Zones,
    fallback: Person | None,
    skipped: dict[int, SkippedEvent],
) -> tuple[list[_Master], list[_Event]]:
    """The series and one-off events read, and the overrides; the unreadable into ``skipped``."""
    masters: list[_Master] = []
    overrides: list[_Event] = []
    uids: set[str] = set()
    for event in events:
        try:
            with event.reading():
                _check_errors(event.component)
                if event.component.get("RECURRENCE-ID") is not None:
                    overrides.append(event)
                    continue
                uid = _text(event.component, "UID")
                if uid is not None and uid in uids:
                    raise _Problem("UID", f"two events have the UID {uid}")
                if uid is not None:
                    uids.add(uid)
                masters.append(_Master(event, *_event_fields(event.component, zones, fallback)))
        except ValidationError as e:
            skipped[event.number] = event.skipped(e)
    return masters, overrides


def _read_override(
    event: _Event, master: _Master | None, zones: _Zones, skipped: dict[int, SkippedEvent]
) -> None:
    """Apply an override to its series; if it cannot be, skip it and its series."""
    try:
        with event.reading():
            if master is not None and master.event.number in skipped:
                raise _Problem("UID", "the series this override belongs to was skipped")
            _apply_override(event.component, master, zones)
    except ValidationError as e:
        skipped[event.number] = event.skipped(e)
        if master is not None and master.event.number not in skipped:
            where = f"line {event.block.line}" if event.block.line else f"#{event.number}"
            problem = FieldProblem(
                "RECURRENCE-ID", "ics", f"its override at {where} cannot be read: {e}"
            )
            skipped[master.event.number] = master.event.skipped(ValidationError(e.model, [problem]))


def _uid_of(component: icalendar.Component) -> str | None:
    uid = component.get("UID")
    return str(uid) if isinstance(uid, str) else None


def _options(
    default_timezone: str | None, organizer: Person | Mapping[str, Any] | None
) -> tuple[str | None, Person | None]:
    """The checked ``default_timezone`` and ``organizer`` arguments of :func:`import_events`."""
    if default_timezone is not None:
        try:
            zone(default_timezone)
        except ValueError as e:
            raise ValidationError(
                "ICS import", [FieldProblem("default_timezone", "timezone", str(e))]
            ) from None
    if organizer is None or isinstance(organizer, Person):
        return default_timezone, organizer
    try:
        return default_timezone, Person.model_validate(organizer)
    except pydantic.ValidationError as e:
        raise ValidationError("ICS import organizer", problems_from_pydantic(e)) from None


@dataclass(frozen=True)
class _Event:
    """A top-level VEVENT, its place in the text and its number among the events."""

    component: icalendar.Component
    block: _Block
    number: int

    def reading(self) -> AbstractContextManager[None]:
        """Problems met while reading it become a ValidationError naming it."""
        return _reading(self.component, self.block, self.number)

    def skipped(self, error: ValidationError) -> SkippedEvent:
        """The report that this event was skipped because of ``error``."""
        summary = self.component.get("SUMMARY")
        reason = "; ".join(f"{p.field}: {p.message}" for p in error.problems)
        return SkippedEvent(
            self.number,
            self.block.line,
            _uid_of(self.component),
            str(summary) if isinstance(summary, str) else None,
            reason,
            error,
        )


def _top_events(cal: icalendar.Component, blocks: list[_Block]) -> list[_Event]:
    event_blocks = [b for b in blocks if b.name == "VEVENT"]
    events = [c for c in cal.subcomponents if c.name == "VEVENT"]
    return [
        _Event(c, event_blocks[n] if n < len(event_blocks) else _Block("VEVENT", 0), n + 1)
        for n, c in enumerate(events)
    ]


@contextmanager
def _reading(component: icalendar.Component, block: _Block, number: int) -> Iterator[None]:
    """Turn any problem met while reading one component into a ValidationError naming it."""
    try:
        yield
    except Exception as exc:  # noqa: BLE001 -- malformed input must only ever raise ValidationError
        uid = component.get("UID")
        where = f"ICS {component.name} #{number}"
        if block.line:
            where += f" at line {block.line}"
        if isinstance(uid, str):
            where += f" (UID {uid})"
        if isinstance(exc, _Problem):
            line = block.properties.get(exc.prop.upper())
            prop = f"{exc.prop} (line {line})" if line else exc.prop
            raise ValidationError(where, [FieldProblem(prop, "ics", exc.message)]) from None
        if isinstance(exc, ValidationError):
            raise ValidationError(where, exc.problems) from None
        raise ValidationError(
            where, [FieldProblem("(component)", "ics", f"cannot be read: {exc}")]
        ) from None


def _decode(ics: str | bytes) -> str:
    if isinstance(ics, bytes | bytearray):
        if len(ics) > _MAX_BYTES:
            raise ValidationError("ICS calendar", [FieldProblem("calendar", "ics", "too large")])
        try:
            return bytes(ics).decode("utf-8-sig")
        except UnicodeDecodeError as e:
            raise ValidationError(
                "ICS calendar",
                [FieldProblem(f"byte {e.start}", "encoding", "the calendar is not UTF-8 text")],
            ) from None
    if not isinstance(ics, str):
        raise ValidationError(
            "ICS calendar",
            [FieldProblem("calendar", "ics", f"expected text or bytes, got {type(ics).__name__}")],
        )
    if len(ics) > _MAX_BYTES:
        raise ValidationError("ICS calendar", [FieldProblem("calendar", "ics", "too large")])
    return ics.removeprefix("\ufeff")


def _syntax(line: int, message: str) -> ValidationError:
    return ValidationError("ICS calendar", [FieldProblem(f"line {line}", "ics_syntax", message)])


def _prescan(text: str) -> list[_Block]:  # noqa: C901, PLR0912 -- one check per syntax rule
    """Check the content lines and the BEGIN/END nesting; note where each VEVENT's lines are.

    Raises:
        ValidationError: A line is not ``NAME[;PARAMS]:VALUE``, BEGIN and END do not
            match, or the text is not one VCALENDAR; the problem names the line.
    """
    logical: list[tuple[int, str]] = []
    for number, line in enumerate(_LINE_BREAK.split(text), 1):
        if line[:1] in (" ", "\t") and logical:
            first, content = logical[-1]
            logical[-1] = (first, content + line[1:])
        elif line.strip():
            logical.append((number, line))
    if not logical:
        raise _syntax(1, "the calendar is empty")
    stack: list[tuple[str, int]] = []
    blocks: list[_Block] = []
    closed = False
    for number, line in logical:
        match = _CONTENT_LINE.match(line)
        if match is None:
            raise _syntax(number, f"{line[:60]!r} is not NAME[;PARAMETERS]:VALUE")
        if closed:
            raise _syntax(number, "text after END:VCALENDAR (one calendar per import)")
        name = match[1].upper()
        value = line[match.end() :].strip().upper()
        if not stack and (name, value) != ("BEGIN", "VCALENDAR"):
            raise _syntax(number, "the calendar starts with BEGIN:VCALENDAR")
        if name == "BEGIN":
            if not value:
                raise _syntax(number, "BEGIN names no component")
            stack.append((value, number))
            if len(stack) == 2:  # noqa: PLR2004 -- a component directly inside VCALENDAR
                blocks.append(_Block(value, number))
        elif name == "END":
            if not stack or stack[-1][0] != value:
                opened = f"BEGIN:{stack[-1][0]} of line {stack[-1][1]}" if stack else "anything"
                raise _syntax(number, f"END:{value} does not close {opened}")
            stack.pop()
            closed = not stack
        elif len(stack) == 2 and blocks:  # noqa: PLR2004 -- a property of a top-level component
            blocks[-1].properties.setdefault(name, number)
    if stack:
        value, number = stack[-1]
        raise _syntax(number, f"BEGIN:{value} is never closed")
    return blocks


def _check_errors(component: icalendar.Component) -> None:
    """Raise for a property icalendar could not parse, in the event or its alarms."""
    for part in (component, *component.subcomponents):
        for prop, message in getattr(part, "errors", ()):
            raise _Problem(str(prop or part.name), f"malformed: {message}")


def _single(component: icalendar.Component, name: str) -> Any:
    value = component.get(name)
    if isinstance(value, list):
        raise _Problem(name, f"{name} is given {len(value)} times; once is allowed")
    return value


def _many(component: icalendar.Component, name: str) -> list[Any]:
    value = component.get(name)
    if value is None:
        return []
    return list(value) if isinstance(value, list) else [value]


def _text(component: icalendar.Component, name: str, default: str | None = None) -> Any:
    value = _single(component, name)
    return default if value is None else str(value)


# ---------------------------------------------------------------------------- time zones
_SERIES_HORIZON: Final = timedelta(days=10 * 366)
"""How far into a series a calendar's own VTIMEZONE is compared with IANA zones."""
_SAMPLE_STEP: Final = timedelta(days=7)
_PERIOD: Final = {
    "DAILY": timedelta(days=1),
    "WEEKLY": timedelta(days=7),
    "MONTHLY": timedelta(days=31),
    "YEARLY": timedelta(days=366),
}


@functools.cache
def _iana_names() -> tuple[str, ...]:
    """The IANA zones a VTIMEZONE is compared with: CLDR's primary ones, Etc/..., the rest."""
    primary = sorted(set(WINDOWS_TO_OLSON.values()))
    names = sorted(zoneinfo.available_timezones())
    etc = [n for n in names if n.startswith("Etc/")]
    rest = [n for n in names if n not in set(primary) and not n.startswith("Etc/")]
    return tuple(n for n in (*primary, *etc, *rest) if _known_zone(n) is not None)


def _known_zone(name: str) -> str | None:
    """``name`` if it is an IANA zone this system knows, else None."""
    try:
        zone(name)
    except ValueError:
        return None
    return name


def _named_zone(tzid: str) -> str | None:
    """The IANA zone a TZID names, without looking at any VTIMEZONE.

    An IANA name stands for itself; a Windows name (``China Standard Time``) maps
    through CLDR's table as icalendar ships it; a globally unique TZID
    (``/example.org/Europe/Berlin``) names its trailing IANA zone.
    """
    cleaned = tzid.strip().strip('"').strip("/")
    if _known_zone(cleaned) is not None:
        return cleaned
    windows = WINDOWS_TO_OLSON.get(cleaned)
    if windows is not None and _known_zone(windows) is not None:
        return windows
    parts = cleaned.split("/")
    for begin in range(1, len(parts)):
        if _known_zone("/".join(parts[begin:])) is not None:
            return "/".join(parts[begin:])
    return None


def _offset(tz: tzinfo, moment: datetime) -> timedelta | None:
    return moment.astimezone(tz).utcoffset()


def _change(tz: tzinfo, before: datetime, after: datetime) -> datetime:
    """The first second at which ``tz``'s offset differs from its offset at ``before``."""
    offset = _offset(tz, before)
    while after - before > timedelta(seconds=1):
        middle = before + (after - before) / 2
        if _offset(tz, middle) == offset:
            before = middle
        else:
            after = middle
    return after.replace(microsecond=0)


_GRID: Final = datetime(1970, 1, 5, tzinfo=UTC)
"""Offsets are sampled on Mondays at 00:00 UTC, so series in the same years share samples."""


@dataclass
class _Profile:
    """A zone's UTC offsets, sampled weekly, and the instants it changes them (memoised)."""

    tz: tzinfo
    offsets: dict[datetime, timedelta | None] = field(default_factory=dict)
    changes: dict[datetime, datetime | None] = field(default_factory=dict)
    """For each sample: the instant in the week before it at which the offset changed."""

    def _offset(self, moment: datetime) -> timedelta | None:
        if moment not in self.offsets:
            self.offsets[moment] = _offset(self.tz, moment)
        return self.offsets[moment]

    def samples(self, span: tuple[datetime, datetime]) -> list[datetime]:
        """The sample instants covering ``span`` (UTC instants)."""
        first = _GRID + (span[0] - _GRID) // _SAMPLE_STEP * _SAMPLE_STEP
        found = [first]
        while found[-1] < span[1]:
            found.append(found[-1] + _SAMPLE_STEP)
        return found

    def change(self, moment: datetime) -> datetime | None:
        """When the offset changed in the week before ``moment`` (None: it did not)."""
        if moment not in self.changes:
            before = moment - _SAMPLE_STEP
            same = self._offset(before) == self._offset(moment)
            self.changes[moment] = None if same else _change(self.tz, before, moment)
        return self.changes[moment]

    def agrees(self, iana: tzinfo, span: tuple[datetime, datetime]) -> bool:
        """Whether ``iana`` gives the same offsets over ``span`` and changes them alike."""
        moments = self.samples(span)
        if any(_offset(iana, m) != self._offset(m) for m in moments):
            return False
        for moment in moments[1:]:
            at = self.change(moment)
            if at is not None and _change(iana, moment - _SAMPLE_STEP, moment) != at:
                return False
        return True


@dataclass
class _Zones:
    """The time zones of one calendar: its VTIMEZONEs, and the zone of floating times."""

    definitions: dict[str, icalendar.Timezone]
    floating: str | None
    built: dict[str, _Profile | None] = field(default_factory=dict)
    resolved: dict[tuple[str, datetime, datetime], str] = field(default_factory=dict)

    @classmethod
    def of(cls, cal: icalendar.Component, default_tz: str | None) -> _Zones:
        """The zones of ``cal``; floating times follow X-WR-TIMEZONE, else ``default_tz``."""
        definitions: dict[str, icalendar.Timezone] = {}
        for component in cal.subcomponents:
            tzid = component.get("TZID") if isinstance(component, icalendar.Timezone) else None
            if isinstance(component, icalendar.Timezone) and tzid is not None:
                definitions.setdefault(str(tzid), component)
        calendar_zone = cal.get("X-WR-TIMEZONE")
        named = None if calendar_zone is None else _named_zone(str(calendar_zone))
        return cls(definitions, named if named is not None else default_tz)

    def _custom(self, tzid: str) -> _Profile | None:
        """The zone the calendar's VTIMEZONE for ``tzid`` defines (None: none, or unreadable)."""
        if tzid not in self.built:
            definition = self.definitions.get(tzid)
            built: _Profile | None = None
            if definition is not None:
                try:
                    with warnings.catch_warnings():
                        warnings.simplefilter("ignore")
                        built = _Profile(definition.to_tz(lookup_tzid=False))
                    _offset(built.tz, datetime(2000, 1, 1, tzinfo=UTC))
                except Exception:  # noqa: BLE001 -- a broken VTIMEZONE is reported where used
                    built = None
            self.built[tzid] = built
        return self.built[tzid]

    def provisional(self, tzid: str | None) -> tzinfo:
        """A zone good enough to estimate the instants a series spans."""
        if tzid is not None:
            named = _named_zone(tzid)
            if named is not None:
                return zone(named)
            custom = self._custom(tzid)
            if custom is not None:
                return custom.tz
        return zone(self.floating) if self.floating is not None else UTC

    def resolve(self, prop: str, tzid: str, span: tuple[datetime, datetime]) -> str:
        """The IANA zone of a TZID, for a series spanning ``span`` (UTC instants).

        An IANA TZID is taken as it is. A TZID the calendar defines in a VTIMEZONE is
        honoured: the zone its Windows name maps to if that agrees with the VTIMEZONE
        over the span, else the first IANA zone that does (see :func:`_iana_names`).

        Raises:
            _Problem: No IANA zone fits.
        """
        named = _named_zone(tzid)
        if tzid not in self.definitions or named == tzid.strip().strip('"').strip("/"):
            if named is None:
                raise _Problem(
                    prop,
                    f"TZID {tzid!r} is not an IANA time zone (such as Asia/Shanghai), "
                    "a Windows one, or defined by a VTIMEZONE in the calendar",
                )
            return named
        key = (tzid, *span)
        if key not in self.resolved:
            custom = self._custom(tzid)
            if custom is None:
                raise _Problem(prop, f"TZID {tzid!r}: its VTIMEZONE cannot be read")
            candidates = dict.fromkeys(
                n for n in (named, self.floating, *_iana_names()) if n is not None
            )
            found = next((n for n in candidates if custom.agrees(zone(n), span)), None)
            if found is None:
                raise _Problem(
                    prop,
                    f"TZID {tzid!r}: no IANA time zone agrees with its VTIMEZONE from "
                    f"{span[0]:%Y-%m-%d} to {span[1]:%Y-%m-%d}; a meeting follows an IANA zone",
                )
            self.resolved[key] = found
        return self.resolved[key]

    def aware(
        self,
        prop: str,
        value: datetime,
        tzid: str | None,
        span: tuple[datetime, datetime],
        *,
        floating: str | None = None,
    ) -> tuple[datetime, str]:
        """A property's date-time made aware, and the IANA zone whose wall time it is.

        Args:
            prop: The property's name, for problems.
            value: Its value: a naive wall time with a TZID or floating, or UTC.
            tzid: Its TZID parameter.
            span: The instants of the series it belongs to.
            floating: The zone of a floating value; the calendar's if None.

        Raises:
            _Problem: The zone is unknown, or a floating time has no zone.
        """
        if tzid is not None:
            name = self.resolve(prop, tzid, span)
            return value.replace(tzinfo=zone(name)), name
        if value.tzinfo is not None:
            if value.utcoffset() != timedelta(0):
                raise _Problem(prop, f"{prop} has an offset but no time zone")
            return value.astimezone(zone("UTC")), "UTC"
        wall_zone = floating if floating is not None else self.floating
        if wall_zone is None:
            raise _Problem(
                prop,
                f"{prop} is a floating time (no TZID) and the calendar has no X-WR-TIMEZONE; "
                "pass default_timezone=...",
            )
        return value.replace(tzinfo=zone(wall_zone)), wall_zone


def _raw(component: icalendar.Component, name: str) -> tuple[date, str | None]:
    """A date or date-time property: a naive wall time with its TZID, a floating or UTC time."""
    prop = _single(component, name)
    if prop is None:
        raise _Problem(name, f"{name} is required")
    value = getattr(prop, "dt", None)
    tzid = getattr(prop, "params", {}).get("TZID")
    if isinstance(value, datetime):
        if tzid is not None:
            return value.replace(tzinfo=None), str(tzid)
        return value, None
    if isinstance(value, date):
        return value, None
    raise _Problem(name, f"{name} is not a date-time")


def _span(
    component: icalendar.Component, start: datetime, tzid: str | None, zones: _Zones
) -> tuple[datetime, datetime]:
    """The UTC instants an event's series spans, estimated, at most :data:`_SERIES_HORIZON`."""
    tz = zones.provisional(tzid)

    def instant(value: Any) -> datetime | None:
        if isinstance(value, datetime):
            return (value if value.tzinfo is not None else value.replace(tzinfo=tz)).astimezone(UTC)
        if isinstance(value, date):
            return datetime.combine(value, time(23, 59, 59), tzinfo=tz).astimezone(UTC)
        return None

    first = instant(start)
    assert first is not None  # noqa: S101 -- start is a date-time
    last = first + timedelta(days=1)
    horizon = first + _SERIES_HORIZON
    rules = _many(component, "RRULE")
    if rules:
        rule = rules[0]
        until = next(iter(rule.get("UNTIL") or ()), None)
        count = next(iter(rule.get("COUNT") or ()), None)
        freq = str(next(iter(rule.get("FREQ") or ()), "")).upper()
        interval = next(iter(rule.get("INTERVAL") or ()), 1)
        if until is not None:
            last = max(last, instant(until) or horizon)
        elif isinstance(count, int) and isinstance(interval, int) and freq in _PERIOD:
            last = max(last, first + min(count * interval * _PERIOD[freq], _SERIES_HORIZON))
        else:
            last = horizon
    for prop in _many(component, "RDATE"):
        for item in getattr(prop, "dts", ()):
            value = getattr(item, "dt", None)
            moment = instant(value[0] if isinstance(value, tuple) else value)
            if moment is not None:
                last = max(last, moment)
    return first, max(first, min(last, horizon))


def _person(address: Any, prop: str) -> dict[str, Any]:
    uri = str(address)
    params = getattr(address, "params", {})
    actor = params.get(_ACTOR_PARAM)
    if actor is not None:
        actor = unquote(str(actor))
    email = None
    if uri.lower().startswith("mailto:"):
        email = uri[len("mailto:") :]
        actor = actor or email
    elif uri.startswith(_URN):
        actor = actor or unquote(uri[len(_URN) :])
    actor = actor or uri
    if not actor.strip():
        raise _Problem(prop, f"{prop} has no address")
    exact = params.get(_NAME_PARAM)
    shown = unquote(str(exact)) if exact is not None else str(params.get("CN") or "")
    name = shown.strip() or actor
    person: dict[str, Any] = {"actor_id": actor, "name": name}
    if email:
        person["email"] = email
    return person


def _json_property(component: icalendar.Component, name: str) -> list[Any]:
    values = []
    for raw in _many(component, name):
        try:
            values.append(json.loads(str(raw)))
        except ValueError:
            raise _Problem(name, f"{name} is not the JSON this library writes") from None
    return values


def _kind(component: icalendar.Component) -> str:
    kind = _text(component, "X-SECRETARIAL-KIND")
    if kind is not None:
        return str(kind)
    for categories in _many(component, "CATEGORIES"):
        for category in getattr(categories, "cats", [categories]):
            for member in MeetingKind:
                if str(category) in (member.label, member.value):
                    return member.value
    return MeetingKind.OTHER.value


def _alarm(component: icalendar.Component) -> int | None:
    for alarm in component.subcomponents:
        if alarm.name != "VALARM":
            continue
        trigger = _single(alarm, "TRIGGER")
        value = getattr(trigger, "dt", None)
        related = getattr(trigger, "params", {}).get("RELATED", "START")
        if isinstance(value, timedelta) and value <= timedelta(0) and related == "START":
            minutes = int(-value.total_seconds()) // 60
            if minutes <= _MAX_ALARM_MINUTES:
                return minutes
    return None


@dataclass
class _Master:
    """A series or one-off event read, with the span of its series and its overrides so far."""

    event: _Event
    fields: dict[str, Any]
    span: tuple[datetime, datetime]
    sequences: dict[datetime, int] = field(default_factory=dict)
    """The SEQUENCE of the override applied for each original start (in UTC)."""


def _event_fields(
    component: icalendar.Component, zones: _Zones, fallback: Person | None
) -> tuple[dict[str, Any], tuple[datetime, datetime]]:
    """The meeting fields of a series or one-off event, and the span of its series."""
    start, end, tzname, span = _times(component, zones)
    fields: dict[str, Any] = {
        "meeting_kind": _kind(component),
        "title": _text(component, "SUMMARY", ""),
        "start": start,
        "end": end,
        "timezone": tzname,
        "agenda": _json_property(component, "X-SECRETARIAL-AGENDA"),
        "alarm_minutes": _alarm(component),
        "organizer": _organizer(component, fallback),
    }
    fields["attendees"], chair = _attendees(component)
    if chair is not None:
        fields["chair"] = chair
    room = _text(component, "LOCATION")
    if room is not None and room.strip():
        fields["room"] = room
    classification = _text(component, "X-SECRETARIAL-CLASSIFICATION")
    if classification is not None:
        fields["classification"] = classification
    rules = _many(component, "RRULE")
    if len(rules) > 1:
        raise _Problem("RRULE", "more than one RRULE is not supported")
    rdates = _rdates(component, zones, fields, span)
    if rules or rdates:
        fields["recurrence"] = _recurrence(
            component,
            rules[0] if rules else None,
            fields=fields,
            zones=zones,
            span=span,
            rdates=rdates,
        )
    return fields, span


def _times(
    component: icalendar.Component, zones: _Zones
) -> tuple[datetime, datetime, str, tuple[datetime, datetime]]:
    """Start, end and zone of an event (DTEND, or DTSTART plus DURATION), and its span."""
    raw, tzid = _raw(component, "DTSTART")
    if not isinstance(raw, datetime):
        raise _Problem(
            "DTSTART", "DTSTART is a date: an all-day event is not a meeting, which has a time"
        )
    span = _span(component, raw, tzid, zones)
    start, tzname = zones.aware("DTSTART", raw, tzid, span)
    return start, _end(component, start, tzname=tzname, zones=zones, span=span), tzname, span


def _end(
    component: icalendar.Component,
    start: datetime,
    *,
    tzname: str,
    zones: _Zones,
    span: tuple[datetime, datetime],
    default: timedelta | None = None,
) -> datetime:
    """The end of an event or override: DTEND, else DTSTART plus DURATION, else ``default``."""
    if component.get("DTEND") is not None:
        raw, tzid = _raw(component, "DTEND")
        if not isinstance(raw, datetime):
            raise _Problem("DTEND", "DTEND is a date but DTSTART a date-time")
        end, _ = zones.aware("DTEND", raw, tzid, span, floating=tzname)
        return end.astimezone(zone(tzname))
    if component.get("DURATION") is not None:
        duration = getattr(_single(component, "DURATION"), "dt", None)
        if not isinstance(duration, timedelta):
            raise _Problem("DURATION", "DURATION is not a duration")
        return (as_utc(start) + duration).astimezone(zone(tzname))
    if default is None:
        raise _Problem("DTEND", "a meeting has an end (DTEND or DURATION)")
    return (as_utc(start) + default).astimezone(zone(tzname))


def _in_zone(
    zones: _Zones,
    prop: str,
    value: Any,
    tzid: Any,
    *,
    fields: dict[str, Any],
    span: tuple[datetime, datetime],
) -> datetime:
    """A date, a wall time or a UTC time of an EXDATE, RDATE or RECURRENCE-ID, made aware.

    A date stands for the occurrence starting on it at the series' time of day.
    """
    tzname: str = fields["timezone"]
    tz = zone(tzname)
    if isinstance(value, datetime):
        wall = value.replace(tzinfo=None) if tzid is not None else value
        aware, _ = zones.aware(
            prop, wall, None if tzid is None else str(tzid), span, floating=tzname
        )
        return aware.astimezone(tz)
    if isinstance(value, date):
        local = fields["start"].astimezone(tz)
        return datetime.combine(value, local.time().replace(tzinfo=None), tzinfo=tz)
    raise _Problem(prop, f"{prop} is not a date-time")


def _rdates(
    component: icalendar.Component,
    zones: _Zones,
    fields: dict[str, Any],
    span: tuple[datetime, datetime],
) -> list[datetime]:
    """The extra occurrences (RDATE) of an event; a PERIOD must last as long as the event."""
    found = []
    duration = elapsed(fields["start"], fields["end"])
    for prop in _many(component, "RDATE"):
        tzid = getattr(prop, "params", {}).get("TZID")
        for item in getattr(prop, "dts", [prop]):
            value = getattr(item, "dt", None)
            if isinstance(value, tuple):
                begin = _in_zone(zones, "RDATE", value[0], tzid, fields=fields, span=span)
                finish = value[1]
                if isinstance(finish, datetime):
                    length = elapsed(
                        begin, _in_zone(zones, "RDATE", finish, tzid, fields=fields, span=span)
                    )
                else:
                    length = finish
                if length != duration:
                    raise _Problem(
                        "RDATE",
                        f"an RDATE period lasts {length}, the event {duration}; "
                        "the occurrences of a meeting last alike",
                    )
                found.append(begin)
            elif isinstance(value, datetime):
                found.append(_in_zone(zones, "RDATE", value, tzid, fields=fields, span=span))
            else:
                raise _Problem("RDATE", "RDATE is a date but DTSTART a date-time")
    return found


def _recurrence(
    component: icalendar.Component,
    rule: Any,
    *,
    fields: dict[str, Any],
    zones: _Zones,
    span: tuple[datetime, datetime],
    rdates: list[datetime],
) -> dict[str, Any]:
    start: datetime = fields["start"]
    tzname: str = fields["timezone"]
    if rule is None:
        text = "FREQ=DAILY;COUNT=1"  # DTSTART and the RDATEs only
    else:
        raw = rule.to_ical()
        text = raw.decode("utf-8") if isinstance(raw, bytes) else str(raw)
    exdates: list[datetime] = []
    for prop in _many(component, "EXDATE"):
        tzid = getattr(prop, "params", {}).get("TZID")
        exdates.extend(
            _in_zone(zones, "EXDATE", getattr(d, "dt", None), tzid, fields=fields, span=span)
            for d in getattr(prop, "dts", [prop])
        )
    try:
        series = Recurrence.from_rrule_text(
            text,
            tzname,
            start,
            duration=elapsed(start, fields["end"]),
            exdates=exdates,
            rdates=rdates,
        )
    except ValidationError as e:
        prop = "RDATE" if rule is None else "RRULE"
        raise _Problem(prop, "; ".join(p.message for p in e.problems)) from None
    return series.model_dump()


def _apply_override(component: icalendar.Component, master: _Master | None, zones: _Zones) -> None:
    """Apply a RECURRENCE-ID override to its series: a moved or a cancelled occurrence.

    Of two overrides of one occurrence, the one with the higher SEQUENCE counts.
    """
    if master is None:
        raise _Problem("UID", "an override (RECURRENCE-ID) without its series in the calendar")
    fields, span = master.fields, master.span
    series = fields.get("recurrence")
    if series is None:
        raise _Problem("RECURRENCE-ID", "an override of an event that does not recur")
    rid = _single(component, "RECURRENCE-ID")
    params = getattr(rid, "params", {})
    if str(params.get("RANGE", "")).upper() == "THISANDFUTURE":
        raise _Problem(
            "RECURRENCE-ID", "RANGE=THISANDFUTURE (this and all later occurrences) is not supported"
        )
    original = _in_zone(
        zones,
        "RECURRENCE-ID",
        getattr(rid, "dt", None),
        params.get("TZID"),
        fields=fields,
        span=span,
    )
    sequence = _sequence(component)
    key = as_utc(original)
    if key in master.sequences:
        if master.sequences[key] > sequence:
            return
        series["exdates"] = tuple(e for e in series["exdates"] if as_utc(e) != key)
        series["moves"] = tuple(m for m in series["moves"] if as_utc(m["original_start"]) != key)
    master.sequences[key] = sequence
    if _text(component, "STATUS", "").upper() == "CANCELLED":
        series["exdates"] = (*series["exdates"], original)
        return
    raw, tzid = _raw(component, "DTSTART")
    if not isinstance(raw, datetime):
        raise _Problem("DTSTART", "DTSTART is a date: an occurrence of a meeting has a time")
    tzname = fields["timezone"]
    start, _ = zones.aware("DTSTART", raw, tzid, span, floating=tzname)
    default = elapsed(fields["start"], fields["end"])
    end = _end(component, start, tzname=tzname, zones=zones, span=span, default=default)
    series["moves"] = (
        *series["moves"],
        {"original_start": original, "start": start, "end": end},
    )


def _sequence(component: icalendar.Component) -> int:
    value = component.get("SEQUENCE")
    try:
        return int(value) if value is not None else 0
    except (TypeError, ValueError):
        return 0


def _organizer(component: icalendar.Component, fallback: Person | None) -> dict[str, Any]:
    organizer = _single(component, "ORGANIZER")
    if organizer is not None:
        return _person(organizer, "ORGANIZER")
    if fallback is not None:
        return fallback.model_dump()
    raise _Problem("ORGANIZER", "ORGANIZER is required (or pass organizer=...)")


def _attendees(
    component: icalendar.Component,
) -> tuple[list[dict[str, Any]], dict[str, Any] | None]:
    """The attendees, and the chair (X-SECRETARIAL-CHAIR, else an ATTENDEE with ROLE=CHAIR)."""
    chairs = _json_property(component, "X-SECRETARIAL-CHAIR")
    if len(chairs) > 1:
        raise _Problem("X-SECRETARIAL-CHAIR", "a meeting has one chair")
    chair = chairs[0] if chairs else None
    attendees = []
    for address in _many(component, "ATTENDEE"):
        person = _person(address, "ATTENDEE")
        params = getattr(address, "params", {})
        role = str(params.get("ROLE", "REQ-PARTICIPANT")).upper()
        partstat = str(params.get("PARTSTAT", "NEEDS-ACTION")).upper()
        if role == "CHAIR" and chair is None:
            chair = dict(person)
        person["role"] = _ROLES_BACK.get(role, AttendeeRole.REQUIRED).value
        person["response"] = _PARTSTAT_BACK.get(partstat, AttendeeResponse.NEEDS_ACTION).value
        attendees.append(person)
    return attendees, chair


def _validated(fields: dict[str, Any]) -> dict[str, Any]:
    """The fields, checked by building the meeting they describe."""
    organizer = fields.get("organizer") or {}
    actor = organizer.get("actor_id", "ics") if isinstance(organizer, dict) else "ics"
    try:
        meeting = Meeting.model_validate(
            {
                **fields,
                "id": "ics-import",
                "version": 1,
                "state": MeetingState.PLANNED,
                "created_at": fields["start"],
                "created_by": actor,
                "updated_at": fields["start"],
            }
        )
    except pydantic.ValidationError as e:
        raise ValidationError("meeting", problems_from_pydantic(e)) from None
    wanted: set[str] = {f for f in _PLAN_FIELDS if f in fields}
    return meeting.model_dump(include=wanted)
