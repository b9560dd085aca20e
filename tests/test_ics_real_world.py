"""ICS from Outlook, Exchange and Google imports; exports cover every occurrence they write."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import icalendar
import pytest
import recurring_ical_events

from conftest import CLERK, LEADER
from secretarial import Office, ValidationError
from secretarial.duty import DUTY_SHIFT_TABLE, DutyShift
from secretarial.ics import ImportReport, export_ics, import_events, read_events
from secretarial.kernel import Recurrence, Workflow
from secretarial.meetings import MEETING_TABLE, Meeting
from secretarial.testing import FrozenClock, SequentialIds

DATA = Path(__file__).parent / "data" / "ics"
SHANGHAI = ZoneInfo("Asia/Shanghai")
BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")
HOUR = timedelta(hours=1)
NOW = datetime(2026, 2, 20, 1, 0, tzinfo=UTC)
DOMAIN = "office.example.org"
MEETINGS: Workflow[Meeting] = Workflow(MEETING_TABLE)
SHIFTS: Workflow[DutyShift] = Workflow(DUTY_SHIFT_TABLE)


def read(name: str, **options: Any) -> ImportReport:
    return read_events((DATA / name).read_bytes(), **options)


def series(fields: dict[str, Any]) -> Recurrence:
    return Recurrence.model_validate(fields["recurrence"])


def starts(fields: dict[str, Any]) -> list[datetime]:
    return [o.start for o in series(fields).occurrences()]


# ============================================================================ Outlook
class TestOutlook:
    def test_a_windows_zone_name_with_its_vtimezone_maps_to_iana(self) -> None:
        """TZID "China Standard Time" is Asia/Shanghai; UNTIL, EXDATE and the override hold."""
        report = read("outlook_china_standard_time.ics")
        (weekly,) = report.imported
        assert weekly["timezone"] == "Asia/Shanghai"
        assert weekly["start"] == datetime(2026, 3, 2, 9, tzinfo=SHANGHAI)
        found = series(weekly).occurrences()
        assert [o.start.date() for o in found] == [
            date(2026, 3, 2),
            date(2026, 3, 9),
            date(2026, 3, 23),
            date(2026, 3, 30),
            date(2026, 4, 6),
            date(2026, 4, 13),
            date(2026, 4, 20),
            date(2026, 4, 27),
        ]
        moved = found[2]
        assert moved.moved
        assert (moved.start.time(), moved.end.time()) == (time(14), time(16, 30))

    def test_an_all_day_event_is_skipped_with_its_line_and_reason(self) -> None:
        """The holiday is reported, not imported, and does not refuse the calendar."""
        (holiday,) = read("outlook_china_standard_time.ics").skipped
        assert (holiday.line, holiday.summary) == (56, "清明节")
        assert "all-day" in holiday.reason
        assert holiday.reason.startswith("DTSTART (line 60)")
        assert holiday.error.model.startswith("ICS VEVENT #3 at line 56")

    def test_import_events_stays_all_or_none(self) -> None:
        """The strict form raises the first skipped event's error."""
        with pytest.raises(ValidationError, match="all-day"):
            import_events((DATA / "outlook_china_standard_time.ics").read_bytes())

    def test_a_customized_time_zone_becomes_the_iana_zone_that_agrees_with_it(self) -> None:
        """Central European rules under "Customized Time Zone" read as Europe/Berlin."""
        report = read("outlook_customized_time_zone.ics")
        (jour_fixe,) = report.imported
        assert jour_fixe["timezone"] == "Europe/Berlin"
        assert {s.astimezone(BERLIN).time() for s in starts(jour_fixe)} == {time(9)}
        assert [s.utcoffset() for s in starts(jour_fixe)][3:5] == [HOUR, 2 * HOUR]

    def test_a_custom_zone_no_iana_zone_agrees_with_is_skipped(self) -> None:
        """Summer time from February to November exists nowhere: the series is reported."""
        (odd,) = read("outlook_customized_time_zone.ics").skipped
        assert odd.uid == "customized-odd-rules@example.org"
        assert "no IANA time zone agrees" in odd.reason

    def test_each_calendar_keeps_its_own_customized_time_zone(self) -> None:
        """Two calendars with the same custom TZID and other rules are read each by its own."""
        text = (DATA / "outlook_customized_time_zone.ics").read_text()
        first = read_events(text).imported[0]
        fixed = text.replace("TZOFFSETFROM:+0200", "TZOFFSETFROM:+0300").replace(
            "TZOFFSETTO:+0100", "TZOFFSETTO:+0300"
        )
        fixed = fixed.replace("TZOFFSETFROM:+0100", "TZOFFSETFROM:+0300").replace(
            "TZOFFSETTO:+0200", "TZOFFSETTO:+0300"
        )
        second = read_events(fixed).imported[0]
        assert first["start"].utcoffset() == HOUR
        assert second["start"].utcoffset() == 3 * HOUR
        assert read_events(text).imported[0]["timezone"] == "Europe/Berlin"

    def test_rdate_and_the_last_working_day_of_the_month(self) -> None:
        """BYSETPOS=-1 with weekdays, and two extra dates in the W. Europe zone."""
        (closing,) = read("outlook_w_europe_rdate.ics").imported
        assert closing["timezone"] == "Europe/Berlin"
        assert [s.date() for s in starts(closing)] == [
            date(2026, 3, 31),
            date(2026, 4, 10),
            date(2026, 4, 24),
            date(2026, 4, 30),
            date(2026, 5, 29),
        ]


# ============================================================================ Google
class TestGoogle:
    def test_floating_times_follow_x_wr_timezone(self) -> None:
        """No TZID, no Z: the calendar's X-WR-TIMEZONE is the zone, over default_timezone."""
        report = read("google_x_wr_timezone.ics", default_timezone="Europe/Berlin")
        daily, video = report.imported
        assert daily["timezone"] == "Asia/Shanghai"
        assert daily["start"] == datetime(2026, 3, 10, 9, tzinfo=SHANGHAI)
        assert video["timezone"] == "UTC"

    def test_an_override_keeps_its_own_duration_and_a_cancelled_one_is_excluded(self) -> None:
        """RECURRENCE-ID with DURATION:PT3H lasts three hours; STATUS:CANCELLED drops the day."""
        daily = read("google_x_wr_timezone.ics").imported[0]
        found = series(daily).occurrences()
        assert [o.start.day for o in found] == [10, 11, 12, 14]
        moved = found[2]
        assert (moved.start.time(), moved.end - moved.start) == (time(14), 3 * HOUR)

    def test_the_all_day_holiday_is_reported(self) -> None:
        """Google's all-day event is skipped with its line."""
        (holiday,) = read("google_x_wr_timezone.ics").skipped
        assert (holiday.summary, holiday.line) == ("劳动节", 51)


class TestOffice:
    def office(self) -> Office:
        return Office.in_memory(
            clock=FrozenClock(NOW), ids=SequentialIds(), timezone="Asia/Shanghai"
        )

    def test_a_partial_import_plans_the_meetings_and_lists_the_rest(self) -> None:
        """partial=True plans what can be planned; ``skipped`` says what was left and why."""
        office = self.office()
        planned = office.import_meetings(
            (DATA / "outlook_china_standard_time.ics").read_bytes(), by=CLERK, partial=True
        )
        assert [m.title for m in planned] == ["办公室周例会"]
        assert [s.summary for s in planned.skipped] == ["清明节"]

    def test_a_partial_import_leaves_out_meetings_already_past(self) -> None:
        """An export holds meetings that are over: partial=True lists them, plans the rest."""
        office = Office.in_memory(
            clock=FrozenClock(datetime(2026, 3, 5, 1, tzinfo=UTC)), ids=SequentialIds()
        )
        text = (DATA / "outlook_china_standard_time.ics").read_bytes()
        planned = office.import_meetings(text, by=CLERK, partial=True)
        assert planned == []
        past, holiday = sorted(planned.skipped, key=lambda s: s.line)
        assert past.summary == "办公室周例会"
        assert "has passed" in past.reason
        assert past.error.problems[0].rule == "M4"
        assert 0 < past.line < holiday.line
        assert holiday.summary == "清明节"
        assert office.list(kind="meeting") == []

    def test_without_partial_the_calendar_is_refused_and_nothing_planned(self) -> None:
        """The default stays all or none."""
        office = self.office()
        with pytest.raises(ValidationError, match="all-day"):
            office.import_meetings((DATA / "google_x_wr_timezone.ics").read_bytes(), by=CLERK)
        assert office.list(kind="meeting") == []


# ============================================================================ export
def meeting(start: datetime, tz: str, **rule: Any) -> Meeting:
    """A one-hour daily or weekly meeting."""
    fields = {
        "meeting_kind": "other",
        "title": "例会",
        "organizer": {"actor_id": "clerk", "name": "Clerk"},
        "start": start,
        "end": start + HOUR,
        "timezone": tz,
        "alarm_minutes": None,
        "recurrence": {"timezone": tz, "start": start, "duration": HOUR, **rule},
    }
    created, _ = MEETINGS.create(fields, entity_id="m1", actor=CLERK, now=NOW)
    return created


def offsets_agree(text: str, name: str, years: range) -> bool:
    """Whether the exported VTIMEZONE of ``name`` gives zoneinfo's offsets in ``years``."""
    (vtimezone,) = [
        c for c in icalendar.Calendar.from_ical(text).walk("VTIMEZONE") if c["TZID"] == name
    ]
    written, real = vtimezone.to_tz(lookup_tzid=False), ZoneInfo(name)
    moment = datetime(years.start, 3, 10, tzinfo=UTC)  # after the first meeting
    while moment.year < years.stop:
        if moment.astimezone(written).utcoffset() != moment.astimezone(real).utcoffset():
            return False
        moment += timedelta(hours=12)
    return True


class TestExport:
    @pytest.mark.parametrize("name", ["Europe/Berlin", "America/New_York", "Australia/Lord_Howe"])
    def test_the_vtimezone_of_an_endless_series_holds_past_2037(self, name: str) -> None:
        """The zone's current rules are written as yearly RRULEs."""
        tz = ZoneInfo(name)
        text = export_ics(
            [meeting(datetime(2026, 3, 4, 9, tzinfo=tz), name, frequency="weekly")],
            domain=DOMAIN,
        )
        assert offsets_agree(text, name, range(2026, 2060))

    def test_the_vtimezone_of_a_bounded_series_reaches_its_last_occurrence(self) -> None:
        """A yearly series to 2045 has its zone's changes to 2045."""
        text = export_ics(
            [
                meeting(
                    datetime(2026, 3, 4, 9, tzinfo=BERLIN),
                    "Europe/Berlin",
                    frequency="yearly",
                    count=20,
                )
            ],
            domain=DOMAIN,
        )
        assert offsets_agree(text, "Europe/Berlin", range(2026, 2046))

    def test_an_occurrence_in_the_gap_is_excluded_by_its_listed_start(self) -> None:
        """EXDATE is written as the rule's wall time, which other readers match."""
        daily = meeting(
            datetime(2026, 3, 6, 2, 30, tzinfo=NEW_YORK),
            "America/New_York",
            frequency="daily",
            count=4,
        )
        listed = daily.occurrences()[2].start
        assert listed.time() == time(3, 30)
        skipped, _ = MEETINGS.fire(
            daily, "skip_occurrence", CLERK, now=NOW, data={"original_start": listed}
        )
        text = export_ics([skipped], domain=DOMAIN)
        assert "EXDATE;TZID=America/New_York:20260308T023000" in text
        found = recurring_ical_events.of(icalendar.Calendar.from_ical(text)).between(
            datetime(2026, 3, 1, tzinfo=UTC), datetime(2026, 3, 31, tzinfo=UTC)
        )
        assert sorted(e["DTSTART"].dt.day for e in found) == [6, 7, 9]
        (back,) = import_events(text)
        assert [
            o.start.day for o in Recurrence.model_validate(back["recurrence"]).occurrences()
        ] == [
            6,
            7,
            9,
        ]

    def test_rdates_round_trip(self) -> None:
        """An RDATE-only series exports as DTSTART and RDATE, and imports back the same."""
        (closing,) = read("outlook_w_europe_rdate.ics").imported
        created, _ = MEETINGS.create(closing, entity_id="m2", actor=CLERK, now=NOW)
        (back,) = import_events(export_ics([created], domain=DOMAIN))
        assert starts(back) == starts(closing)

    def test_a_duty_roster_is_a_calendar_of_shifts(self) -> None:
        """Each shift is a VEVENT: leader and officers as attendees, place and phone shown."""
        start = datetime(2026, 3, 2, 8, 30, tzinfo=SHANGHAI)
        shifts = [
            SHIFTS.create(
                {
                    "start": start + timedelta(days=n),
                    "end": start + timedelta(days=n + 1),
                    "leader": {"actor_id": "li", "name": "李局长"},
                    "officers": [{"actor_id": "zhang", "name": "张三", "phone": "13800000000"}],
                    "place": "总值班室",
                    "phone": "010-12345678",
                },
                entity_id=f"s{n}",
                actor=CLERK,
                now=NOW,
            )[0]
            for n in range(2)
        ]
        cal = icalendar.Calendar.from_ical(export_ics(shifts=shifts, domain=DOMAIN))
        events = cal.walk("VEVENT")
        assert [str(e["UID"]) for e in events] == [f"s0@{DOMAIN}", f"s1@{DOMAIN}"]
        first = events[0]
        assert first["DTSTART"].dt == start
        assert first["DTSTART"].params["TZID"] == "Asia/Shanghai"
        assert str(first["LOCATION"]) == "总值班室"
        assert [a.params["ROLE"] for a in first["ATTENDEE"]] == ["CHAIR", "REQ-PARTICIPANT"]
        assert "值班电话：010-12345678" in str(first["DESCRIPTION"])
        assert [c["TZID"] for c in cal.walk("VTIMEZONE")] == ["Asia/Shanghai"]

    def test_the_office_exports_its_duty_roster(self) -> None:
        """Office.export_ics(shifts=office.duty.roster(...)) writes the shifts with the rest."""
        office = Office.in_memory(
            clock=FrozenClock(NOW), ids=SequentialIds(), timezone="Asia/Shanghai"
        )
        start = datetime(2026, 3, 2, 8, 30, tzinfo=SHANGHAI)
        office.create(
            "duty_shift",
            by=CLERK,
            start=start,
            end=start + timedelta(days=1),
            leader={"actor_id": LEADER.id, "name": LEADER.name},
            officers=[{"actor_id": "zhang", "name": "张三"}],
        )
        text = office.export_ics(
            by=CLERK, domain=DOMAIN, meetings=(), items=(), shifts=office.duty.roster()
        )
        (event,) = icalendar.Calendar.from_ical(text).walk("VEVENT")
        assert str(event["X-SECRETARIAL-KIND"]) == "duty_shift"
