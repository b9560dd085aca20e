"""The calendars of icalendar's and recurring-ical-events' test suites import, and agree.

Each calendar shipped in the installed wheels of ``icalendar`` and
``recurring-ical-events`` is read with :func:`~secretarial.ics.read_events`: it is
unreadable (ValidationError) or each event is imported or skipped with a reason, and
nothing else is raised. For every event that imports, the occurrences from its first
start to two years after it agree with ``recurring-ical-events`` (start and end, as
instants). The disagreements found are listed in :data:`KNOWN` with the reason, and are
explained in ``docs/ics.md``; a listed one that starts to agree fails the test, so the
list stays true.
"""

from __future__ import annotations

import warnings
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import icalendar
import pytest

from secretarial import ValidationError
from secretarial.ics import read_events
from secretarial.kernel import Recurrence, zone

recurring_ical_events = pytest.importorskip(
    "recurring_ical_events", reason="the corpus check needs recurring-ical-events (dev extra)"
)

CORPORA = (
    Path(icalendar.__file__).parent / "tests" / "calendars",
    Path(recurring_ical_events.__file__).parent / "test" / "calendars",
)
FILES = sorted(f for corpus in CORPORA if corpus.is_dir() for f in corpus.glob("*.ics"))
ORGANIZER = {"actor_id": "corpus", "name": "Corpus"}
SPAN = timedelta(days=731)

KNOWN: dict[tuple[str, str], str] = {
    ("created_calendar_with_unicode_fields.ics", "*"): (
        "recurring-ical-events raises KeyError on a VEVENT without DTSTART, so it expands "
        "nothing; RFC 5545 (3.6.1) requires DTSTART when the calendar has no METHOD, so "
        "that event is wrong: we skip it with a reason and import the other two"
    ),
}
"""(file, UID) of the events on which the two disagree, and who is right per RFC 5545.

A UID of ``*`` means recurring-ical-events cannot expand the calendar at all.
"""


def instant(value: Any, floating: ZoneInfo | Any) -> datetime | None:
    """A DTSTART/DTEND value as a UTC instant; a floating one in ``floating``; None for dates."""
    if not isinstance(value, datetime):
        return None
    return (value if value.tzinfo is not None else value.replace(tzinfo=floating)).astimezone(UTC)


def ours(fields: dict[str, Any]) -> set[tuple[datetime, datetime]]:
    """Our occurrences of an imported event in its first two years."""
    begin = fields["start"]
    if fields.get("recurrence") is None:
        return {(as_utc(fields["start"]), as_utc(fields["end"]))}
    series = Recurrence.model_validate(fields["recurrence"])
    return {(as_utc(o.start), as_utc(o.end)) for o in series.occurrences(begin, begin + SPAN)}


def as_utc(moment: datetime) -> datetime:
    return moment.astimezone(UTC)


def theirs(
    occurrences: list[Any], uid: str | None, fields: dict[str, Any], floating: Any
) -> set[tuple[datetime, datetime]]:
    """recurring-ical-events' occurrences of the same event in the same two years."""
    begin = as_utc(fields["start"])
    found = set()
    for event in occurrences:
        if uid is not None and str(event.get("UID")) != uid:
            continue
        if uid is None and (
            event.get("UID") is not None or event.get("SUMMARY") != fields["title"]
        ):
            continue
        if str(event.get("STATUS", "")).upper() == "CANCELLED":
            continue
        start = instant(event["DTSTART"].dt, floating)
        end = instant(event["DTEND"].dt, floating) if "DTEND" in event else start
        if start is not None and end is not None and begin <= start < begin + SPAN:
            found.add((start, end))
    return found


@pytest.mark.skipif(not FILES, reason="the installed wheels ship no test calendars")
@pytest.mark.parametrize("path", FILES, ids=lambda p: f"{p.parent.parent.name}/{p.name}")
def test_a_corpus_calendar_imports_and_agrees_with_recurring_ical_events(path: Path) -> None:
    """Unreadable, or each event imported or skipped; imported ones expand alike."""
    data = path.read_bytes()
    try:
        report = read_events(data, organizer=ORGANIZER, default_timezone="UTC")
    except ValidationError:
        return
    assert all(s.reason and s.error.problems for s in report.skipped)
    if not report.imported:
        return
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        cal = icalendar.Calendar.from_ical(data)
        begin = min(as_utc(f["start"]) for f in report.imported)
        end = max(as_utc(f["start"]) for f in report.imported) + SPAN
        try:
            occurrences = list(recurring_ical_events.of(cal).between(begin, end))
        except Exception:  # noqa: BLE001 -- the reference failing is a disagreement to list
            assert {k for k in KNOWN if k[0] == path.name} == {(path.name, "*")}
            return
    calendar_zone = cal.get("X-WR-TIMEZONE")
    floating = zone(str(calendar_zone)) if calendar_zone else UTC
    disagreeing = {}
    for fields, uid in zip(report.imported, report.uids, strict=True):
        mine, reference = ours(fields), theirs(occurrences, uid, fields, floating)
        if mine != reference:
            disagreeing[path.name, str(uid)] = (
                sorted(mine - reference)[:3],
                sorted(reference - mine)[:3],
            )
    expected = {key for key in KNOWN if key[0] == path.name}
    assert set(disagreeing) == expected, disagreeing
