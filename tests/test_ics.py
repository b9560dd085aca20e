"""ICS export and import: VEVENTs for meetings, VTODOs for supervision items, bad input refused."""

from __future__ import annotations

import contextlib
import importlib
import sys
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import icalendar
import pytest
from dateutil.rrule import rrulestr
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import CLERK, SUPERVISOR, UNDERTAKER, UNIT_A
from secretarial import MissingExtraError, SupervisionItem, ValidationError
from secretarial.adapters._ics import export_ics, import_events
from secretarial.kernel import Workflow
from secretarial.meetings import MEETING_TABLE, Meeting
from secretarial.supervision import SUPERVISION_TABLE

MEETINGS: Workflow[Meeting] = Workflow(MEETING_TABLE)
ITEMS: Workflow[SupervisionItem] = Workflow(SUPERVISION_TABLE)
SHANGHAI = ZoneInfo("Asia/Shanghai")
NEW_YORK = ZoneInfo("America/New_York")
NOW = datetime(2026, 2, 20, 1, 0, tzinfo=UTC)
START = datetime(2026, 3, 5, 9, 0, tzinfo=SHANGHAI)
HOUR = timedelta(hours=1)
DOMAIN = "office.example.org"
PLAN_FIELDS = (
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


def plan(**changes: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "meeting_kind": "party_committee",
        "title": "党委会议; 研究 \\ 部署, 工作",
        "organizer": {"actor_id": "clerk", "name": "Clerk", "email": "clerk@office.example.org"},
        "chair": {"actor_id": "principal", "name": "王 主任"},
        "attendees": [
            {"actor_id": "principal", "name": "王 主任", "response": "accepted"},
            {"actor_id": "leader", "name": 'Li "Lei"', "role": "optional", "response": "tentative"},
            {
                "actor_id": "director",
                "name": "Director",
                "role": "non_voting",
                "response": "declined",
            },
        ],
        "room": "第一会议室",
        "start": START,
        "end": START + 2 * HOUR,
        "timezone": "Asia/Shanghai",
        "agenda": [
            {
                "topic": "传达学习文件",
                "presenter": "director",
                "minutes": 30,
                "document_ids": ["d1", "d,2"],
            },
            {"topic": "研究干部事项"},
        ],
        "alarm_minutes": 30,
    }
    return {**base, **changes}


def weekly(start: datetime, tz: str, **rule: Any) -> dict[str, Any]:
    day = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")[start.weekday()]
    recurrence = {
        "frequency": "weekly",
        "by_weekday": [day],
        "timezone": tz,
        "start": start,
        "duration": 2 * HOUR,
        **rule,
    }
    return plan(start=start, end=start + 2 * HOUR, timezone=tz, recurrence=recurrence)


def create(entity_id: str = "m1", **changes: Any) -> Meeting:
    meeting, _ = MEETINGS.create(plan(**changes), entity_id=entity_id, actor=CLERK, now=NOW)
    return meeting


def recurring(entity_id: str = "w1") -> Meeting:
    """A weekly New York meeting across the March DST change, one week skipped, one moved."""
    start = datetime(2026, 3, 2, 9, tzinfo=NEW_YORK)
    meeting, _ = MEETINGS.create(
        weekly(start, "America/New_York", count=6), entity_id=entity_id, actor=CLERK, now=NOW
    )
    meeting, _ = MEETINGS.fire(
        meeting,
        "skip_occurrence",
        CLERK,
        now=NOW,
        data={"original_start": start + timedelta(weeks=1)},
    )
    moved_to = start + timedelta(weeks=2, days=1, hours=5)
    meeting, _ = MEETINGS.fire(
        meeting,
        "move_occurrence",
        CLERK,
        now=NOW,
        data={
            "original_start": start + timedelta(weeks=2),
            "start": moved_to,
            "end": moved_to + HOUR,
        },
    )
    return meeting


def plan_fields(meeting: Meeting) -> dict[str, Any]:
    return {name: getattr(meeting, name) for name in PLAN_FIELDS}


def parse(text: str) -> icalendar.Calendar:
    return icalendar.Calendar.from_ical(text)


# ============================================================================ export
class TestExportMeetings:
    def test_a_meeting_is_a_vevent_with_zone_people_place_and_alarm(self) -> None:
        """UID, DTSTART with TZID and its VTIMEZONE, ORGANIZER, ATTENDEE roles, LOCATION, VALARM."""
        cal = parse(export_ics([create()], domain=DOMAIN))
        (event,) = cal.walk("VEVENT")
        assert str(event["UID"]) == f"m1@{DOMAIN}"
        assert event["DTSTART"].params["TZID"] == "Asia/Shanghai"
        assert event["DTSTART"].dt == START
        assert event["DTEND"].dt == START + 2 * HOUR
        assert [tz.tz_name for tz in cal.walk("VTIMEZONE")] == ["Asia/Shanghai"]
        assert str(event["ORGANIZER"]) == "mailto:clerk@office.example.org"
        assert event["ORGANIZER"].params["CN"] == "Clerk"
        roles = [
            (a.params["CN"], a.params["ROLE"], a.params["PARTSTAT"]) for a in event["ATTENDEE"]
        ]
        assert roles == [
            ("王 主任", "REQ-PARTICIPANT", "ACCEPTED"),
            ('Li "Lei"', "OPT-PARTICIPANT", "TENTATIVE"),
            ("Director", "NON-PARTICIPANT", "DECLINED"),
        ]
        assert str(event["LOCATION"]) == "第一会议室"
        assert str(event["SUMMARY"]) == "党委会议; 研究 \\ 部署, 工作"
        assert str(event["STATUS"]) == "TENTATIVE"
        assert "1. 传达学习文件（汇报人：director，30分钟）" in str(event["DESCRIPTION"])
        (alarm,) = event.walk("VALARM")
        assert alarm["TRIGGER"].dt == -timedelta(minutes=30)

    def test_a_series_has_rrule_exdate_and_an_override_for_each_move(self) -> None:
        """RRULE, EXDATE in the zone, and a RECURRENCE-ID override for the moved week."""
        meeting = recurring()
        cal = parse(export_ics([meeting], domain=DOMAIN))
        master, override = cal.walk("VEVENT")
        assert master["RRULE"].to_ical() == b"FREQ=WEEKLY;COUNT=6;BYDAY=MO"
        (exdate,) = master["EXDATE"].dts
        assert exdate.dt == datetime(2026, 3, 9, 9, tzinfo=NEW_YORK)
        assert exdate.params["TZID"] == "America/New_York"
        assert str(override["UID"]) == str(master["UID"])
        assert override["RECURRENCE-ID"].dt == datetime(2026, 3, 16, 9, tzinfo=NEW_YORK)
        assert override["DTSTART"].dt == datetime(2026, 3, 17, 14, tzinfo=NEW_YORK)

    def test_the_dst_case_agrees_with_an_independent_expander(self) -> None:
        """An independent reading (dateutil's) of the exported DTSTART/RRULE agrees with ours."""
        meeting = recurring()
        cal = parse(export_ics([meeting], domain=DOMAIN))
        master = cal.walk("VEVENT")[0]
        theirs = list(rrulestr(master["RRULE"].to_ical().decode(), dtstart=master["DTSTART"].dt))
        assert meeting.recurrence is not None
        ours = [o.original_start for o in meeting.recurrence.occurrences()]
        excluded = {e.dt for e in master["EXDATE"].dts}
        assert [t for t in theirs if t not in excluded] == ours
        assert {t.astimezone(UTC).hour for t in theirs} == {13, 14}
        timezone = cal.walk("VTIMEZONE")[0]
        assert {c.name for c in timezone.subcomponents} == {"STANDARD", "DAYLIGHT"}

    def test_a_cancelled_meeting_says_so(self) -> None:
        """STATUS:CANCELLED."""
        cancelled, _ = MEETINGS.fire(create(), "cancel", CLERK, now=NOW, reason="r")
        (event,) = parse(export_ics([cancelled], domain=DOMAIN)).walk("VEVENT")
        assert str(event["STATUS"]) == "CANCELLED"

    def test_classified_meetings_are_left_out_unless_asked_for(self) -> None:
        """A secret meeting is only written with include_classified, marked CONFIDENTIAL."""
        secret = create(classification="confidential")
        assert parse(export_ics([secret], domain=DOMAIN)).walk("VEVENT") == []
        (event,) = parse(export_ics([secret], domain=DOMAIN, include_classified=True)).walk(
            "VEVENT"
        )
        assert str(event["CLASS"]) == "CONFIDENTIAL"

    @pytest.mark.parametrize("domain", ["", "a b", "x@y"])
    def test_the_domain_is_a_domain(self, domain: str) -> None:
        """UIDs need a domain."""
        with pytest.raises(ValidationError):
            export_ics([create()], domain=domain)


def item(entity_id: str, *triggers: tuple[str, Any, dict[str, Any], str | None]) -> SupervisionItem:
    opened, _ = ITEMS.create(
        {
            "source": "meeting_decision",
            "source_ref": "m1",
            "requirement": "一周内完成安全自查",
            "received_at": NOW,
            "deadline": date(2026, 3, 12),
            "lead_unit": UNIT_A,
        },
        entity_id=entity_id,
        actor=SUPERVISOR,
        now=NOW,
    )
    for trigger, actor, data, reason in triggers:
        opened, _ = ITEMS.fire(opened, trigger, actor, now=NOW, data=data or None, reason=reason)
    return opened


ASSIGN = ("assign", SUPERVISOR, {"lead_unit": UNIT_A}, None)
ACCEPT = ("accept", UNDERTAKER, {}, None)
SUBMIT = ("submit_result", UNDERTAKER, {"result": "已完成"}, None)
VERIFY = ("verify", SUPERVISOR, {"verification": "核实"}, None)


class TestExportItems:
    @pytest.mark.parametrize(
        ("steps", "status"),
        [
            ((), "NEEDS-ACTION"),
            ((ASSIGN,), "NEEDS-ACTION"),
            ((ASSIGN, ACCEPT), "IN-PROCESS"),
            ((ASSIGN, ACCEPT, SUBMIT, VERIFY), "COMPLETED"),
            ((("cancel", SUPERVISOR, {}, "重复立项"),), "CANCELLED"),
        ],
    )
    def test_an_item_is_a_vtodo_due_on_a_date(self, steps: tuple[Any, ...], status: str) -> None:
        """SUMMARY is the requirement, DUE a DATE, STATUS from the state."""
        (todo,) = parse(export_ics(items=[item("s1", *steps)], domain=DOMAIN)).walk("VTODO")
        assert str(todo["SUMMARY"]) == "一周内完成安全自查"
        assert todo["DUE"].dt == date(2026, 3, 12)
        assert todo["DUE"].params["VALUE"] == "DATE"
        assert str(todo["STATUS"]) == status
        assert str(todo["RELATED-TO"]) == f"m1@{DOMAIN}"
        assert str(todo["UID"]) == f"s1@{DOMAIN}"


# ============================================================================ round trip
class TestRoundTrip:
    def test_a_one_off_meeting_comes_back_as_planned(self) -> None:
        """Export, import: the plan fields are equal."""
        meeting = create()
        (fields,) = import_events(export_ics([meeting], domain=DOMAIN))
        again, _ = MEETINGS.create(fields, entity_id="m2", actor=CLERK, now=NOW)
        assert plan_fields(again) == plan_fields(meeting)

    def test_a_series_comes_back_with_its_exclusions_and_moves(self) -> None:
        """RRULE, EXDATE and overrides make the same recurrence, across the DST change."""
        meeting = recurring()
        (fields,) = import_events(export_ics([meeting], domain=DOMAIN).encode())
        again, _ = MEETINGS.create(fields, entity_id="w2", actor=CLERK, now=NOW)
        assert plan_fields(again) == plan_fields(meeting)
        assert again.recurrence is not None
        assert meeting.recurrence is not None
        assert again.recurrence.occurrences() == meeting.recurrence.occurrences()

    def test_several_meetings_and_items_in_one_calendar(self) -> None:
        """Items are ignored by the import; meetings come back in order."""
        meetings = [
            create("a", meeting_kind="briefing", classification="confidential"),
            recurring("b"),
        ]
        text = export_ics(meetings, [item("s1")], domain=DOMAIN, include_classified=True)
        imported = import_events(text)
        assert [f["meeting_kind"] for f in imported] == ["briefing", "party_committee"]
        assert imported[0]["classification"] == "confidential"

    def test_a_cancelled_meeting_is_imported_only_on_request(self) -> None:
        """STATUS:CANCELLED events are skipped unless include_cancelled."""
        cancelled, _ = MEETINGS.fire(create(), "cancel", CLERK, now=NOW, reason="r")
        text = export_ics([cancelled], domain=DOMAIN)
        assert import_events(text) == []
        assert len(import_events(text, include_cancelled=True)) == 1


NAMES = st.text(  # names hold no control characters (a newline or tab is refused)
    st.characters(blacklist_categories=("Cs", "Cc")) | st.sampled_from([";", ",", "\\", '"', ":"]),
    min_size=1,
    max_size=12,
).filter(str.strip)
PEOPLE = st.fixed_dictionaries(
    {"actor_id": NAMES, "name": NAMES},
    optional={"email": st.from_regex(r"[a-z]{1,6}@[a-z]{1,6}\.org", fullmatch=True)},
)
ZONES = st.sampled_from(["Asia/Shanghai", "Europe/Berlin", "America/New_York", "UTC"])


@st.composite
def plans(draw: st.DrawFn) -> dict[str, Any]:
    """Random plannable meetings, one-off or weekly with skipped and moved occurrences."""
    tz = draw(ZONES)
    day = draw(st.dates(min_value=date(2026, 3, 1), max_value=date(2027, 12, 31)))
    start = datetime(day.year, day.month, day.day, draw(st.integers(7, 20)), tzinfo=ZoneInfo(tz))
    length = timedelta(minutes=draw(st.integers(15, 240)))
    attendees = draw(
        st.lists(
            st.fixed_dictionaries(
                {
                    "actor_id": NAMES,
                    "name": NAMES,
                    "role": st.sampled_from(["required", "optional", "non_voting"]),
                    "response": st.sampled_from(
                        ["needs_action", "accepted", "declined", "tentative"]
                    ),
                }
            ),
            max_size=3,
            unique_by=lambda a: a["actor_id"].strip(),
        )
    )
    agenda = draw(
        st.lists(
            st.fixed_dictionaries(
                {"topic": NAMES},
                optional={
                    "presenter": NAMES,
                    "minutes": st.integers(1, 300),
                    "document_ids": st.lists(NAMES, max_size=2),
                },
            ),
            max_size=3,
        )
    )
    fields = plan(
        title=draw(NAMES),
        room=draw(st.none() | NAMES),
        organizer=draw(PEOPLE),
        chair=draw(st.none() | PEOPLE),
        attendees=attendees,
        agenda=agenda,
        alarm_minutes=draw(st.none() | st.integers(0, 600)),
        meeting_kind=draw(st.sampled_from(["office", "executive", "briefing", "other"])),
        start=start,
        end=start + length,
        timezone=tz,
    )
    if draw(st.booleans()):
        weeks = draw(st.integers(2, 30))
        skipped = draw(st.sets(st.integers(1, weeks - 1), max_size=3))
        moved = draw(st.sets(st.integers(1, weeks - 1), max_size=2)) - skipped
        fields["recurrence"] = {
            "frequency": "weekly",
            "by_weekday": [("MO", "TU", "WE", "TH", "FR", "SA", "SU")[day.weekday()]],
            "count": weeks,
            "timezone": tz,
            "start": start,
            "duration": length,
            "exdates": [start + timedelta(weeks=k) for k in skipped],
            "moves": [
                {
                    "original_start": start + timedelta(weeks=k),
                    "start": start + timedelta(weeks=k, days=1),
                    "end": start + timedelta(weeks=k, days=1) + length,
                }
                for k in moved
            ],
        }
    return fields


@settings(max_examples=min(settings.default.max_examples, 100))
@given(plans())
def test_any_plan_survives_export_and_import(fields: dict[str, Any]) -> None:
    """Names with ICS specials, zones, series with exceptions: the plan comes back equal."""
    meeting, _ = MEETINGS.create(fields, entity_id="m", actor=CLERK, now=NOW)
    (imported,) = import_events(export_ics([meeting], domain=DOMAIN))
    again, _ = MEETINGS.create(imported, entity_id="m2", actor=CLERK, now=NOW)
    assert plan_fields(again) == plan_fields(meeting)


# ============================================================================ foreign calendars
def calendar(*lines: str) -> str:
    return "\r\n".join(
        ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//test//EN", *lines, "END:VCALENDAR", ""]
    )


def event(*lines: str) -> list[str]:
    return ["BEGIN:VEVENT", "UID:x1@example.org", "DTSTAMP:20260101T000000Z", *lines, "END:VEVENT"]


ORGANIZER_LINE = "ORGANIZER;CN=Zhang:mailto:zhang@example.org"


class TestForeignCalendars:
    def test_utc_times_duration_categories_and_a_chair(self) -> None:
        """Z times are UTC; DURATION gives the end; CATEGORIES the kind; ROLE=CHAIR the chair."""
        (fields,) = import_events(
            calendar(
                *event(
                    "SUMMARY:专题会",
                    "DTSTART:20260305T010000Z",
                    "DURATION:PT90M",
                    "CATEGORIES:专题会议",
                    ORGANIZER_LINE,
                    "ATTENDEE;CN=Wang;ROLE=CHAIR:mailto:wang@example.org",
                    "ATTENDEE;CN=Li:mailto:li@example.org",
                )
            )
        )
        assert fields["timezone"] == "UTC"
        assert fields["end"] - fields["start"] == timedelta(minutes=90)
        assert fields["meeting_kind"] == "special_topic"
        assert fields["chair"] == {
            "actor_id": "wang@example.org",
            "name": "Wang",
            "email": "wang@example.org",
        }
        assert [a["role"] for a in fields["attendees"]] == ["required", "required"]
        assert fields["alarm_minutes"] is None
        assert fields["organizer"]["actor_id"] == "zhang@example.org"

    def test_a_floating_time_needs_a_default_zone(self) -> None:
        """No TZID, no Z: refused unless default_timezone is given."""
        text = calendar(
            *event("SUMMARY:会", "DTSTART:20260305T090000", "DTEND:20260305T100000", ORGANIZER_LINE)
        )
        with pytest.raises(ValidationError) as info:
            import_events(text)
        assert info.value.fields == ("DTSTART (line 8)",)
        assert "default_timezone" in str(info.value)
        (fields,) = import_events(text, default_timezone="Asia/Shanghai")
        assert fields["start"] == START

    def test_a_missing_organizer_can_be_supplied(self) -> None:
        """Without ORGANIZER, organizer=... fills in."""
        text = calendar(*event("SUMMARY:会", "DTSTART:20260305T010000Z", "DTEND:20260305T020000Z"))
        with pytest.raises(ValidationError, match="ORGANIZER"):
            import_events(text)
        (fields,) = import_events(text, organizer={"actor_id": "clerk", "name": "Clerk"})
        assert fields["organizer"]["actor_id"] == "clerk"

    @pytest.mark.parametrize(
        ("lines", "field", "says"),
        [
            (("DTSTART;VALUE=DATE:20260305", "DTEND;VALUE=DATE:20260306"), "DTSTART", "all-day"),
            (("DTSTART:20260305T010000Z",), "DTEND", "an end"),
            (("DTSTART:garbage", "DTEND:20260305T020000Z"), "DTSTART", "malformed"),
            (
                ("DTSTART;TZID=Mars/Olympus:20260305T090000", "DTEND:20260305T020000Z"),
                "DTSTART",
                "TZID",
            ),
            (
                ("DTSTART:20260305T010000Z", "DTEND:20260305T020000Z", "RRULE:FREQ=HOURLY"),
                "RRULE",
                "FREQ",
            ),
            (
                (
                    "DTSTART:20260305T010000Z",
                    "DTEND:20260305T020000Z",
                    "RDATE;VALUE=PERIOD:20260306T010000Z/PT2H",
                ),
                "RDATE",
                "last alike",
            ),
            (("DTSTART:20260305T010000Z", "DTEND:20260305T000000Z"), "(input)", "M3"),
            (
                (
                    "DTSTART:20260305T010000Z",
                    "DTEND:20260305T020000Z",
                    "X-SECRETARIAL-AGENDA:{oops",
                ),
                "X-SECRETARIAL-AGENDA",
                "JSON",
            ),
        ],
    )
    def test_an_event_that_cannot_be_a_meeting_is_named(
        self, lines: tuple[str, ...], field: str, says: str
    ) -> None:
        """The error names the VEVENT, its line, the property and what is wrong."""
        with pytest.raises(ValidationError) as info:
            import_events(calendar(*event("SUMMARY:会", ORGANIZER_LINE, *lines)))
        assert info.value.model.startswith("ICS VEVENT #1 at line 4 (UID x1@example.org)")
        assert info.value.problems[0].field.startswith(field)
        assert says in str(info.value)

    def test_an_override_needs_its_series(self) -> None:
        """A lone RECURRENCE-ID is refused, naming the UID."""
        text = calendar(
            *event(
                "SUMMARY:会",
                ORGANIZER_LINE,
                "RECURRENCE-ID:20260305T010000Z",
                "DTSTART:20260306T010000Z",
                "DTEND:20260306T020000Z",
            )
        )
        with pytest.raises(ValidationError, match="without its series"):
            import_events(text)

    def test_an_override_of_a_date_that_is_not_an_occurrence(self) -> None:
        """The series check (M8) applies to imported overrides too."""
        series = recurring()
        text = export_ics([series], domain=DOMAIN).replace(
            "RECURRENCE-ID;TZID=America/New_York:20260316T090000",
            "RECURRENCE-ID;TZID=America/New_York:20260317T090000",
        )
        with pytest.raises(ValidationError) as info:
            import_events(text)
        assert info.value.problems[0].rule == "M8"


# ============================================================================ malformed input
class TestMalformed:
    @pytest.mark.parametrize(
        ("text", "field", "says"),
        [
            ("", "line 1", "empty"),
            ("hello", "line 1", "NAME"),
            ("BEGIN:VEVENT\r\nEND:VEVENT", "line 1", "BEGIN:VCALENDAR"),
            ("BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nEND:VCALENDAR", "line 3", "does not close"),
            ("BEGIN:VCALENDAR\r\nBEGIN:VEVENT", "line 2", "never closed"),
            (
                "BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\nBEGIN:VCALENDAR\r\nEND:VCALENDAR",
                "line 3",
                "one calendar",
            ),
        ],
    )
    def test_broken_structure_names_the_line(self, text: str, field: str, says: str) -> None:
        """Syntax errors name the line."""
        with pytest.raises(ValidationError) as info:
            import_events(text)
        assert info.value.problems[0].field == field
        assert says in str(info.value)

    def test_bytes_that_are_not_utf8_are_refused(self) -> None:
        """Encoding errors name the byte."""
        with pytest.raises(ValidationError) as info:
            import_events(b"BEGIN:VCALENDAR\r\n\xff\xfe")
        assert info.value.fields == ("byte 17",)

    def test_something_else_than_text_is_refused(self) -> None:
        """Only text or bytes."""
        with pytest.raises(ValidationError):
            import_events(42)  # type: ignore[arg-type]

    @settings(max_examples=100, suppress_health_check=[HealthCheck.too_slow])
    @given(st.one_of(st.text(max_size=300), st.binary(max_size=300)))
    def test_random_input_raises_only_our_validation_error(self, junk: str | bytes) -> None:
        """Whatever comes in, the only exception is ValidationError."""
        with contextlib.suppress(ValidationError):
            import_events(junk)

    @settings(max_examples=100, suppress_health_check=[HealthCheck.too_slow])
    @given(st.data())
    def test_a_damaged_export_raises_only_our_validation_error(self, data: st.DataObject) -> None:
        """Lines dropped, doubled or altered in a real export: a result or ValidationError."""
        lines = EXPORTED.split("\r\n")
        for _ in range(data.draw(st.integers(1, 3))):
            index = data.draw(st.integers(0, len(lines) - 1))
            action = data.draw(st.sampled_from(["drop", "double", "alter", "truncate"]))
            if action == "drop":
                del lines[index]
            elif action == "double":
                lines.insert(index, lines[index])
            elif action == "truncate":
                lines[index] = lines[index][: data.draw(st.integers(0, len(lines[index])))]
            else:
                text = lines[index]
                at = data.draw(st.integers(0, len(text)))
                lines[index] = text[:at] + data.draw(st.text(max_size=3)) + text[at + 1 :]
            if not lines:
                break
        try:
            result = import_events("\r\n".join(lines))
        except ValidationError:
            return
        assert isinstance(result, list)


EXPORTED = export_ics([recurring()], domain=DOMAIN)


def test_a_missing_icalendar_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    """Without icalendar, importing the adapter raises MissingExtraError for 'ics'."""
    monkeypatch.setitem(sys.modules, "icalendar", None)
    monkeypatch.delitem(sys.modules, "secretarial.adapters._ics")
    with pytest.raises(MissingExtraError) as info:
        importlib.import_module("secretarial.adapters._ics")
    assert info.value.extra == "ics"
    assert "pip install 'secretarial[ics]'" in str(info.value)


def test_importing_secretarial_does_not_import_the_adapter() -> None:
    """The ICS adapter is loaded only on demand."""
    import subprocess  # noqa: PLC0415 -- only this test runs a subprocess

    code = "import sys, secretarial; print('secretarial.adapters._ics' in sys.modules)"
    out = subprocess.run(  # noqa: S603 -- our own interpreter running a literal
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "False"
