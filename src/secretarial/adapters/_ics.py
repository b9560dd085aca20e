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

import json
import re
import unicodedata
from collections.abc import Iterable, Iterator, Mapping
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any, Final
from urllib.parse import quote, unquote

import pydantic

from secretarial.domain import Classification, SupervisionItem, SupervisionSource, SupervisionState
from secretarial.domain._meetings import (
    AttendeeResponse,
    AttendeeRole,
    Meeting,
    MeetingKind,
    MeetingState,
    Person,
)
from secretarial.domain._recurrence import Recurrence, as_utc, elapsed, zone
from secretarial.domain._workflow import problems_from_pydantic
from secretarial.errors import FieldProblem, MissingExtraError, ValidationError

try:
    import icalendar
except ImportError as _missing:  # pragma: no cover -- exercised by a test with a fake import
    raise MissingExtraError("icalendar", "ics", "ICS export and import") from _missing

__all__ = ["export_ics", "import_events"]

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
) -> str:
    """Write meetings as VEVENTs and supervision items as VTODOs in one calendar.

    Args:
        meetings: The meetings; a recurring one gives its series plus one override
            per moved occurrence.
        items: The supervision items.
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
    for meeting in meetings:
        if _hidden(meeting.classification, include_classified=include_classified):
            continue
        for component in _events(meeting, domain):
            cal.add_component(component)
    for item in items:
        if _hidden(item.classification, include_classified=include_classified):
            continue
        cal.add_component(_todo(item, domain))
    cal.add_missing_timezones()
    text: bytes = cal.to_ical()
    return text.decode("utf-8")


def _hidden(classification: Classification, *, include_classified: bool) -> bool:
    return classification is not Classification.UNCLASSIFIED and not include_classified


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


def _stamp(component: icalendar.Component, entity: Meeting | SupervisionItem) -> None:
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
        event.add("rrule", icalendar.vRecur.from_ical(series.to_rrule_text()))
        if series.exdates:
            event.add("exdate", [e.astimezone(tz) for e in series.exdates])
    if meeting.alarm_minutes is not None:
        alarm = icalendar.Alarm()
        alarm.add("action", "DISPLAY")
        alarm.add("description", _text_value(meeting.title))
        alarm.add("trigger", -timedelta(minutes=meeting.alarm_minutes))
        event.add_component(alarm)
    yield event
    for move in series.moves if series is not None else ():
        override = icalendar.Event()
        _common(override, meeting, uid)
        override.add("dtstamp", meeting.updated_at.astimezone(UTC))
        override.add("recurrence-id", move.original_start.astimezone(tz))
        override.add("dtstart", move.start.astimezone(tz))
        override.add("dtend", move.end.astimezone(tz))
        yield override


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


def import_events(
    ics: str | bytes,
    *,
    default_timezone: str | None = None,
    organizer: Person | Mapping[str, Any] | None = None,
    include_cancelled: bool = False,
) -> list[dict[str, Any]]:
    """Read the VEVENTs of an ICS calendar as the fields of meetings to ``plan``.

    A series' RECURRENCE-ID overrides become moved occurrences (or, when cancelled,
    skipped ones). Kind, chair and agenda come from ``X-SECRETARIAL-*`` properties when
    present; otherwise the kind is taken from CATEGORIES or is ``other``. VTODOs and
    other components are ignored.

    Args:
        ics: The calendar, as text or UTF-8 bytes.
        default_timezone: The IANA zone for floating times (no TZID, no Z); without
            it such times are refused.
        organizer: The organizer of events without ORGANIZER.
        include_cancelled: Whether cancelled events are returned too.

    Returns:
        One dict per event, in the order of the calendar, whose keys are fields of
        :class:`~secretarial.domain._meetings.Meeting`.

    Raises:
        ValidationError: The text is not an ICS calendar, or an event cannot be a
            meeting; the error names the component, the property and its line.
    """
    try:
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
) -> list[dict[str, Any]]:
    text = _decode(ics)
    blocks = _prescan(text)
    try:
        cal = icalendar.Calendar.from_ical(text)
    except Exception as e:  # noqa: BLE001 -- icalendar's parse errors vary; all mean bad input
        raise ValidationError(
            "ICS calendar", [FieldProblem("calendar", "ics_syntax", str(e))]
        ) from None
    default_tz, fallback = _options(default_timezone, organizer)
    events = _top_events(cal, blocks)
    masters: list[tuple[_Event, dict[str, Any]]] = []
    overrides: list[_Event] = []
    for event in events:
        with event.reading():
            _check_errors(event.component)
            if event.component.get("RECURRENCE-ID") is not None:
                overrides.append(event)
            else:
                masters.append((event, _event_fields(event.component, default_tz, fallback)))
    by_uid: dict[str, dict[str, Any]] = {}
    for event, fields in masters:
        with event.reading():
            uid = _text(event.component, "UID")
            if uid is not None and uid in by_uid:
                raise _Problem("UID", f"two events have the UID {uid}")
            if uid is not None:
                by_uid[uid] = fields
    for event in overrides:
        with event.reading():
            _apply_override(event.component, by_uid, default_tz)
    results = []
    for event, fields in masters:
        with event.reading():
            cancelled = _text(event.component, "STATUS", "").upper() == "CANCELLED"
            if include_cancelled or not cancelled:
                results.append(_validated(fields))
    return results


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


def _moment(
    component: icalendar.Component, name: str, default_tz: str | None
) -> tuple[datetime, str]:
    """An aware date-time property and the IANA zone its wall time is in."""
    prop = _single(component, name)
    if prop is None:
        raise _Problem(name, f"{name} is required")
    value = getattr(prop, "dt", None)
    if not isinstance(value, datetime):
        if isinstance(value, date):
            raise _Problem(name, f"{name} is a date: an all-day event is not a meeting")
        raise _Problem(name, f"{name} is not a date-time")
    param = getattr(prop, "params", {}).get("TZID")
    key = getattr(value.tzinfo, "key", None)
    if isinstance(key, str):
        return value, key
    if value.tzinfo is not None and param is None:
        if value.utcoffset() == timedelta(0):
            return value.astimezone(zone("UTC")), "UTC"
        raise _Problem(name, f"{name} has an offset but no time zone")
    tzname = param if param is not None else default_tz
    if tzname is None:
        raise _Problem(name, f"{name} is a floating time (no TZID); pass default_timezone=...")
    try:
        tz = zone(str(tzname))
    except ValueError as e:
        raise _Problem(name, f"TZID: {e}") from None
    return value.replace(tzinfo=tz), str(tzname)


def _in_zone(value: Any, tzname: str, start: datetime, prop: str) -> datetime:
    """A date, naive or aware date-time of an EXDATE or RECURRENCE-ID, made aware."""
    tz = zone(tzname)
    if isinstance(value, datetime):
        return value.replace(tzinfo=tz) if value.tzinfo is None else value.astimezone(tz)
    if isinstance(value, date):
        local = start.astimezone(tz)
        return datetime.combine(value, local.time().replace(tzinfo=None), tzinfo=tz)
    raise _Problem(prop, f"{prop} is not a date-time")


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


def _event_fields(
    component: icalendar.Component, default_tz: str | None, fallback: Person | None
) -> dict[str, Any]:
    if component.get("RDATE") is not None:
        raise _Problem("RDATE", "RDATE (extra dates) is not supported; use RRULE with overrides")
    start, end, tzname = _times(component, default_tz)
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
    if rules:
        fields["recurrence"] = _recurrence(component, rules[0], fields)
    return fields


def _times(
    component: icalendar.Component, default_tz: str | None
) -> tuple[datetime, datetime, str]:
    """Start, end and zone of an event (DTEND, or DTSTART plus DURATION)."""
    start, tzname = _moment(component, "DTSTART", default_tz)
    if component.get("DTEND") is not None:
        end, _ = _moment(component, "DTEND", tzname)
        return start, end, tzname
    if component.get("DURATION") is None:
        raise _Problem("DTEND", "a meeting has an end (DTEND or DURATION)")
    duration = getattr(_single(component, "DURATION"), "dt", None)
    if not isinstance(duration, timedelta):
        raise _Problem("DURATION", "DURATION is not a duration")
    return start, (start.astimezone(UTC) + duration).astimezone(zone(tzname)), tzname


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


def _recurrence(
    component: icalendar.Component, rule: Any, fields: dict[str, Any]
) -> dict[str, Any]:
    start: datetime = fields["start"]
    tzname: str = fields["timezone"]
    raw = rule.to_ical()
    text = raw.decode("utf-8") if isinstance(raw, bytes) else str(raw)
    exdates = [
        _in_zone(getattr(d, "dt", None), tzname, start, "EXDATE")
        for prop in _many(component, "EXDATE")
        for d in getattr(prop, "dts", [prop])
    ]
    try:
        series = Recurrence.from_rrule_text(
            text, tzname, start, duration=elapsed(start, fields["end"]), exdates=exdates
        )
    except ValidationError as e:
        raise _Problem("RRULE", "; ".join(p.message for p in e.problems)) from None
    return series.model_dump()


def _apply_override(
    component: icalendar.Component, by_uid: dict[str, dict[str, Any]], default_tz: str | None
) -> None:
    uid = _text(component, "UID")
    fields = by_uid.get(uid or "")
    if fields is None:
        raise _Problem("UID", "an override (RECURRENCE-ID) without its series in the calendar")
    series = fields.get("recurrence")
    if series is None:
        raise _Problem("RECURRENCE-ID", "an override of an event that does not recur")
    tzname = fields["timezone"]
    original = _in_zone(
        getattr(_single(component, "RECURRENCE-ID"), "dt", None),
        tzname,
        fields["start"],
        "RECURRENCE-ID",
    )
    if _text(component, "STATUS", "").upper() == "CANCELLED":
        series["exdates"] = (*series["exdates"], original)
        return
    start, _ = _moment(component, "DTSTART", default_tz or tzname)
    if component.get("DTEND") is not None:
        end, _ = _moment(component, "DTEND", tzname)
    else:
        end = as_utc(start) + elapsed(fields["start"], fields["end"])
    series["moves"] = (
        *series["moves"],
        {"original_start": original, "start": start, "end": end},
    )


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
