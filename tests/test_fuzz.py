"""Hostile input: every parser and importer, fuzzed.

What comes from outside (a document number typed by a person, a JSON Lines file, an
iCalendar file, the fields of a web form) is either accepted or refused with the
library's own :class:`~secretarial.ValidationError` (or, for a rule, a refusal such as
:class:`~secretarial.TransitionNotAllowed`); it never raises anything else, and a refusal
never leaves anything behind in the store.

The example counts are fixed here rather than taken from the hypothesis profile, so that
CI runs them all: 15,150 examples in total, about 36 seconds on two quiet cores
(``docs/reliability.md`` lists them). Run a longer campaign with, e.g.,
``FUZZ_SCALE=10 pytest tests/test_fuzz.py``.
"""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pydantic
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import CLERK, START, SUPERIOR, SUPERVISOR, UNIT_A, postgres_url, reset_postgres
from secretarial import (
    Actor,
    ArchivalCode,
    DocumentKind,
    DocumentNumber,
    IncomingDocument,
    NotFound,
    Office,
    RuleViolation,
    SecretarialError,
    SupervisionItem,
    TransitionNotAllowed,
    ValidationError,
)
from secretarial.ics import import_events
from secretarial.records import ArchivalClass
from secretarial.testing import FrozenClock, SequentialIds

pytestmark = pytest.mark.slow  # thousands of hypothesis examples per parser and importer

SCALE = float(os.environ.get("FUZZ_SCALE", "1"))


def fuzz(examples: int) -> Callable[[Any], Any]:
    """Hypothesis settings for a fuzz test: ``examples`` (times FUZZ_SCALE), no deadline."""
    return settings(
        max_examples=max(1, int(examples * SCALE)),
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )


def fresh_office() -> Office:
    """An in-memory office on the shared test start time."""
    return Office.in_memory(clock=FrozenClock(START), ids=SequentialIds())


# ============================================================================ strategies
json_scalars = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats()
    | st.text(max_size=40)
    | st.sampled_from(["", " ", "notice", "paper", "superior", "2025-09-26T09:00:00+08:00"])
)
json_values = st.recursive(
    json_scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner),
    max_leaves=12,
)
"""JSON of random shapes."""

python_values = (
    json_values
    | st.binary(max_size=20)
    | st.datetimes(timezones=st.none() | st.just(UTC) | st.just(timezone(timedelta(hours=8))))
    | st.dates()
    | st.timedeltas()
    | st.frozensets(st.integers(), max_size=3)
    | st.tuples(st.text(max_size=5), st.integers())
    | st.builds(object)
    | st.sampled_from([float("nan"), float("inf"), 10**40, -1, 0, b"\x00", "\x00", "\ud800"])
)
"""What a caller of ``documents.receive(**fields)`` could pass: JSON, and any Python object."""

doc_kinds = st.sampled_from([k.value for k in DocumentKind])
organs = st.fixed_dictionaries(
    {"code": st.text(max_size=6), "name": st.text(max_size=10)},
    optional={"relation": st.sampled_from(["superior", "peer", "subordinate", "x", ""])},
)
attachments = st.lists(
    st.fixed_dictionaries(
        {"sequence": st.integers(-2, 300), "name": st.text(max_size=8)},
        optional={"pages": st.integers(-1, 10**6) | st.none()},
    ),
    max_size=4,
)
number_like = st.builds(
    lambda organ, left, year, right, seq, tail: f"{organ}{left}{year}{right}{seq}{tail}",
    st.text(max_size=4) | st.sampled_from(["国办发", "办发", "\x00", "国 办"]),
    st.sampled_from(["〔", "[", "（", "(", "【", "", "〔〔"]),
    st.sampled_from(["2025", "０２５", "25", "99999", "0000", ""]) | st.text(max_size=4),
    st.sampled_from(["〕", "]", "）", ")", "】", ""]),
    st.sampled_from(["1", "14", "01", "第3", "", "１", "1000000000", "9" * 30])
    | st.integers(-5, 10**12).map(str),
    st.sampled_from(["号", "", "號", "号 ", "号号"]),
)
"""Text near the D6 form ``国办发〔2012〕14号``, mostly a little wrong."""

received_ats = st.datetimes(timezones=st.just(UTC) | st.none()).map(
    datetime.isoformat
) | st.sampled_from(["2025-09-26", "2025-13-01T00:00:00Z", "yesterday", "2025-09-26T09:00:00"])

FIELD_VALUES: dict[str, st.SearchStrategy[Any]] = {
    "kind": doc_kinds | st.text(max_size=10),
    "title": st.text(max_size=60) | st.sampled_from(["x" * 500, "x" * 501, " " * 10]),
    "sender": organs,
    "channel": st.sampled_from(["paper", "electronic", "fax", "confidential_line", "pigeon"]),
    "received_at": received_ats,
    "number": number_like,
    "urgency": st.sampled_from(["extra_urgent", "urgent", "flash", "immediate", "soon"]),
    "classification": st.sampled_from(["unclassified", "confidential", "secret", "top_secret"]),
    "secrecy_period_years": st.integers(-1, 40),
    "declassification_condition": st.text(max_size=10),
    "copy_number": st.sampled_from(["000001", "1", "0000001", "abcdef"]),
    "is_telegram": st.booleans(),
    "body": st.text(max_size=40),
    "attachments": attachments,
    "page_count": st.integers(-1, 10**6),
    "date_of_issue": st.dates().map(date.isoformat),
    "signers": st.lists(st.text(max_size=6), max_size=3),
    "main_recipients": st.lists(organs, max_size=2),
    "important": st.booleans(),
    "requests": st.lists(st.text(max_size=6), max_size=2),
}
"""Values that are plausible for each element, so examples reach the deeper rules."""

OTHER_KEYS = [
    *sorted(set(IncomingDocument.model_fields) - set(FIELD_VALUES)),  # system and managed
    "",
    "Title",
    "unknown",
    "__class__",
]
VALID_LINE = {
    "kind": "notice",
    "title": "关于开展安全检查的通知",
    "sender": SUPERIOR,
    "channel": "paper",
    "received_at": "2025-09-26T09:00:00+08:00",
}


@st.composite
def incoming_fields(draw: st.DrawFn, values: st.SearchStrategy[Any] = json_values) -> dict:
    """A valid document's fields with some left out, some changed, some unknown added."""
    fields: dict[str, Any] = dict(VALID_LINE)
    if draw(st.integers(0, 3)) == 0:
        del fields[draw(st.sampled_from(sorted(VALID_LINE)))]
    for _ in range(draw(st.integers(0, 3))):
        key = draw(st.sampled_from(sorted(FIELD_VALUES)) | st.sampled_from(OTHER_KEYS))
        strategy = FIELD_VALUES.get(key, values)
        fields[key] = draw(strategy | values if draw(st.booleans()) else strategy)
    return fields


def _dump(value: Any, *, ascii_only: bool = False) -> str:
    return json.dumps(value, ensure_ascii=ascii_only)


def outcome(call: Callable[..., Any], *args: Any) -> Any:
    """What ``call(*args)`` returns, or the ValidationError it raises (any other escapes)."""
    try:
        return call(*args)
    except ValidationError as e:
        return e


lines = st.one_of(
    st.text(max_size=80),
    st.binary(max_size=80),
    st.builds(_dump, json_values, ascii_only=st.booleans()),
    st.builds(_dump, incoming_fields(), ascii_only=st.booleans()),
    st.builds(_dump, incoming_fields(), ascii_only=st.booleans()).map(lambda s: s.encode()),
    st.builds(_dump, st.just(VALID_LINE), ascii_only=st.booleans()),
    st.sampled_from(["", "\n", "   ", "{", "[" * 5000, '{"kind": "notice"', "null", "\ufeff{}"]),
)
"""One line of a JSON Lines import: junk, JSON of any shape, or a document's fields."""


def _blank(line: str | bytes) -> bool:
    if isinstance(line, bytes):
        try:
            line = line.decode("utf-8")
        except UnicodeDecodeError:
            return False
    return not line.strip()


# ============================================================================ document numbers
class TestDocumentNumber:
    @fuzz(3000)
    @given(st.text() | number_like)
    def test_text_parses_or_raises_validation_error(self, text: str) -> None:
        """Any text: a number that writes back to itself, or a ValidationError naming D6."""
        number = outcome(DocumentNumber.parse, text)
        if isinstance(number, ValidationError):
            assert number.problems[0].rule == "D6"
            return
        assert str(number) == text
        assert DocumentNumber.parse(str(number)) == number

    @fuzz(500)
    @given(python_values)
    def test_anything_else_raises_validation_error(self, value: Any) -> None:
        """Not text (None, numbers, bytes, containers, objects): a ValidationError."""
        if isinstance(value, str):
            return
        with pytest.raises(ValidationError):
            DocumentNumber.parse(value)


# ============================================================================ archival codes
code_like = st.builds(
    lambda fonds, dot, year, ret, unit, item: f"{fonds}-WS{dot}{year}-{ret}{unit}-{item}",
    st.sampled_from(["0194", "ABCD", "019", "01945", "ab12", ""]) | st.text(max_size=5),
    st.sampled_from(["·", ".", "・", "", "··"]),
    st.sampled_from(["2016", "16", "０２５", "9999", "0000"]) | st.text(max_size=4),
    st.sampled_from(["Y", "D30", "D10", "D5", "y", ""]),
    st.sampled_from(["-BGS", "-B-GS", "-bgs", "-ABCDEFGHIJK", "-1", "", "-"])
    | st.text(max_size=4).map(lambda unit: f"-{unit}"),  # "": no unit level
    st.sampled_from(["0001", "0000", "1", "9999", "10000", "０００１"]) | st.text(max_size=5),
)


class TestArchivalCode:
    @fuzz(3000)
    @given(st.text() | code_like)
    def test_text_parses_or_raises_validation_error(self, text: str) -> None:
        """Any text: a code that writes back to itself, or a ValidationError naming A2."""
        code = outcome(ArchivalCode.parse, text)
        if isinstance(code, ValidationError):
            assert code.problems[0].rule == "A2"
            return
        assert str(code) == text.strip()
        assert ArchivalCode.parse(str(code)) == code
        assert str(ArchivalClass.parse(str(code.archival_class))) == str(code.archival_class)

    @fuzz(1000)
    @given(st.text() | code_like.map(lambda c: c.rsplit("-", 1)[0]))
    def test_class_text_parses_or_raises_validation_error(self, text: str) -> None:
        """The same for the class alone (``0194-WS·2016-D30-BGS``, ``0194-WS·2016-D30``)."""
        found = outcome(ArchivalClass.parse, text)
        if isinstance(found, ValidationError):
            assert found.problems[0].rule == "A2"
            return
        assert str(found) == text.strip()

    @fuzz(300)
    @given(python_values)
    def test_something_else_than_text_is_a_validation_error(self, value: Any) -> None:
        """Not text, as for document numbers: a ValidationError (A2), for code and class."""
        if isinstance(value, str):
            return
        for parse in (ArchivalCode.parse, ArchivalClass.parse):
            with pytest.raises(ValidationError):
                parse(value)


# ============================================================================ JSON Lines import
def check_import(office: Office, batch: list[str | bytes], batch_size: int) -> None:
    """Import ``batch`` and check the report against the store (which starts empty)."""
    report = office.documents.import_jsonl(batch, by=CLERK, batch_size=batch_size)
    rejected = [e.line for e in report.rejected]
    assert len(set(rejected)) == len(rejected)
    assert all(1 <= n <= len(batch) for n in rejected)
    assert not any(_blank(batch[n - 1]) for n in rejected)
    readable = [n for n, line in enumerate(batch, 1) if not _blank(line)]
    assert len(report.imported) == len(readable) - len(rejected)  # no line silently dropped
    forms = {_dump(VALID_LINE, ascii_only=True), _dump(VALID_LINE, ascii_only=False)}
    valid = {n for n, line in enumerate(batch, 1) if line in forms}
    assert not valid & set(rejected)

    docs = office.list(kind="incoming_document")
    assert len(docs) == len(office.list()) == len(report.imported)  # nothing partial
    assert [d.id for d in docs] == report.imported
    for doc in docs:
        trail = office.audit(doc)
        assert [e.trigger for e in trail] == ["receive", "register"]
        assert doc.version == 2
    numbers = sorted(int(d.registration_number.split("-")[1]) for d in docs)
    assert numbers == list(range(1, len(docs) + 1))


class TestImportDocuments:
    @fuzz(1200)
    @given(st.lists(lines, max_size=8), st.integers(1, 4))
    def test_only_line_errors_and_whole_documents(
        self, batch: list[str | bytes], batch_size: int
    ) -> None:
        """Any lines: each is imported (received and registered) or reported; nothing else."""
        check_import(fresh_office(), batch, batch_size)

    @fuzz(150)
    @given(st.lists(lines, max_size=6), st.integers(1, 3))
    def test_the_same_on_sqlite(
        self, tmp_path_factory: pytest.TempPathFactory, batch: list, batch_size: int
    ) -> None:
        """Through a real transaction: rejected lines leave nothing in the file either."""
        path = tmp_path_factory.mktemp("fuzz") / "office.db"
        with Office.open(f"sqlite:///{path}", clock=FrozenClock(START)) as office:
            check_import(office, batch, batch_size)

    def test_deep_nesting_and_huge_lines_are_line_errors(self) -> None:
        """A line nested too deeply for the parser, and an over-long one, are reported."""
        office = fresh_office()
        report = office.documents.import_jsonl(
            ["[" * 100_000, '{"title": "' + "x" * 1_000_001 + '"}', _dump(VALID_LINE)],
            by=CLERK,
        )
        assert [e.line for e in report.rejected] == [1, 2]
        assert "nested too deeply" in report.rejected[0].reason
        assert "longer than" in report.rejected[1].reason
        assert len(report.imported) == 1


# ============================================================================ iCalendar
def _stamp(moment: datetime) -> str:
    return moment.strftime("%Y%m%dT%H%M%S")


moments = st.datetimes(
    min_value=datetime(2000, 1, 1, tzinfo=UTC).replace(tzinfo=None),
    max_value=datetime(2030, 12, 31, tzinfo=UTC).replace(tzinfo=None),
)
date_times = st.one_of(
    moments.map(lambda m: _stamp(m) + "Z"),
    moments.map(lambda m: f";TZID=Asia/Shanghai:{_stamp(m)}"),
    moments.map(lambda m: f";TZID=Nowhere/Else:{_stamp(m)}"),
    moments.map(_stamp),
    moments.map(lambda m: f";VALUE=DATE:{m:%Y%m%d}"),
    st.sampled_from(["20251301T000000Z", "2025-10-01", "", "T", "20251001T250000Z"]),
)
rrules = st.builds(
    lambda freq, parts: "FREQ=" + freq + "".join(parts),
    st.sampled_from(["DAILY", "WEEKLY", "MONTHLY", "YEARLY", "SECONDLY", "HOURLY", "NEVER"]),
    st.lists(
        st.sampled_from(
            [
                ";COUNT=3",
                ";COUNT=0",
                ";COUNT=100000",
                ";INTERVAL=2",
                ";INTERVAL=0",
                ";BYDAY=MO,WE",
                ";BYDAY=1MO",
                ";BYDAY=-1FR",
                ";BYDAY=XX",
                ";BYMONTHDAY=15",
                ";BYMONTHDAY=-1",
                ";BYMONTHDAY=32",
                ";UNTIL=20261231T000000Z",
                ";UNTIL=19990101",
                ";WKST=SU",
                ";BYMONTH=2",
                ";BYSETPOS=1",
            ]
        ),
        max_size=3,
    ),
)
PROPERTY_NAMES = [
    "UID",
    "SUMMARY",
    "DTSTART",
    "DTEND",
    "DURATION",
    "RRULE",
    "EXDATE",
    "RDATE",
    "RECURRENCE-ID",
    "ORGANIZER",
    "ATTENDEE",
    "LOCATION",
    "STATUS",
    "CATEGORIES",
    "CLASS",
    "SEQUENCE",
    "X-SECRETARIAL-KIND",
    "X-SECRETARIAL-AGENDA",
    "X-SECRETARIAL-CHAIR",
    "X-SECRETARIAL-CLASSIFICATION",
    "X-OTHER",
]
addresses = st.builds(
    lambda params, uri: f"{params}:{uri}",
    st.sampled_from(
        ["", ";CN=张三", ";ROLE=CHAIR", ";ROLE=OPT-PARTICIPANT;PARTSTAT=DECLINED", ';CN="a;b"']
    ),
    st.sampled_from(["mailto:a@example.org", "mailto:", "urn:x-secretarial:actor:li", "x", ""]),
)
one_line_text = st.text(
    st.characters(blacklist_categories=["Cs"], blacklist_characters="\r\n"), max_size=30
)
properties = st.one_of(
    st.builds(lambda v: "DTSTART" + (v if v.startswith(";") else ":" + v), date_times),
    st.builds(lambda v: "DTEND" + (v if v.startswith(";") else ":" + v), date_times),
    st.builds(lambda v: "RECURRENCE-ID" + (v if v.startswith(";") else ":" + v), date_times),
    st.builds(lambda v: "EXDATE" + (v if v.startswith(";") else ":" + v), date_times),
    rrules.map(lambda r: "RRULE:" + r),
    st.sampled_from(["DURATION:PT1H", "DURATION:P40D", "DURATION:-PT1H", "DURATION:1H"]),
    addresses.map(lambda a: "ORGANIZER" + a),
    addresses.map(lambda a: "ATTENDEE" + a),
    st.sampled_from(
        [
            "UID:a@example.org",
            "UID:b@example.org",
            "SUMMARY:办公会议",
            "LOCATION:第一会议室",
            "STATUS:CANCELLED",
            "CATEGORIES:办公会议",
            "X-SECRETARIAL-KIND:office",
            "X-SECRETARIAL-KIND:party",
            'X-SECRETARIAL-AGENDA:{"topic": "预算"}',
            "X-SECRETARIAL-AGENDA:{not json",
            'X-SECRETARIAL-CHAIR:{"actor_id": "li", "name": "李"}',
            "X-SECRETARIAL-CLASSIFICATION:secret",
            "BEGIN:VALARM",
            "TRIGGER:-PT15M",
            "TRIGGER:PT15M",
            "ACTION:DISPLAY",
            "END:VALARM",
            "BEGIN:VTODO",
            "END:VTODO",
        ]
    ),
    st.builds(
        lambda name, params, value: f"{name}{params}:{value}",
        st.sampled_from(PROPERTY_NAMES),
        st.sampled_from(["", ";X-P=1", ";TZID=UTC", ";VALUE=DATE", ";=", ";CN"]),
        one_line_text,
    ),
)
WELL_FORMED_EVENT = [
    "UID:a@example.org",
    "SUMMARY:办公会议",
    "DTSTART:20251001T010000Z",
    "DTEND:20251001T020000Z",
    "ORGANIZER;CN=张三:mailto:a@example.org",
]


benign_properties = st.one_of(
    st.sampled_from(
        [
            "LOCATION:第一会议室",
            "LOCATION:第二会议室",
            "CATEGORIES:办公会议",
            "X-SECRETARIAL-KIND:office",
            'X-SECRETARIAL-AGENDA:{"topic": "预算"}',
            "ATTENDEE;ROLE=REQ-PARTICIPANT;PARTSTAT=ACCEPTED;CN=李四:mailto:b@example.org",
            "ATTENDEE;ROLE=CHAIR:urn:x-secretarial:actor:wang",
            "RRULE:FREQ=WEEKLY;COUNT=4",
            "RRULE:FREQ=DAILY;UNTIL=20251010T000000Z",
            "STATUS:CONFIRMED",
            "DESCRIPTION:议程",
        ]
    ),
    st.builds(lambda s: "SUMMARY:" + s, one_line_text.filter(str.strip)),
)
"""Properties a meeting may well have; an event with only these is readable."""


@st.composite
def calendars(draw: st.DrawFn) -> str:
    """An iCalendar text: a few events, readable ones and damaged ones."""
    out = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//fuzz//fuzz//EN"]
    for n in range(draw(st.integers(0, 3))):
        day = draw(st.sampled_from(["20251001", "20251002", "20200101"]))  # the last is past
        body = [
            line.replace("a@example.org", f"e{n}@example.org").replace("20251001", day)
            for line in WELL_FORMED_EVENT
        ]
        if draw(st.booleans()):  # a readable event, perhaps with more in it
            body += draw(st.lists(benign_properties, max_size=3))
        else:  # a damaged one
            for _ in range(draw(st.integers(1, 5))):
                extra = draw(properties)
                if draw(st.booleans()):
                    body[draw(st.integers(0, len(body) - 1))] = extra
                else:
                    body.append(extra)
        out += ["BEGIN:VEVENT", *body, "END:VEVENT"]
    out.append("END:VCALENDAR")
    if draw(st.integers(0, 9)) == 0:  # a damaged structure now and then
        del out[draw(st.integers(0, len(out) - 1))]
    return draw(st.sampled_from(["\r\n", "\n", "\r"])).join(out) + "\r\n"


ics_inputs = st.one_of(
    st.text(max_size=200),
    st.binary(max_size=200),
    calendars(),
    calendars().map(lambda text: text.encode("utf-8")),
)


class TestIcs:
    @fuzz(2000)
    @given(ics_inputs, st.sampled_from([None, "Asia/Shanghai", "Not/AZone", "../etc"]))
    def test_import_events_gives_meetings_or_validation_error(
        self, text: str | bytes, default_timezone: str | None
    ) -> None:
        """Any text or bytes: a list of meeting fields, or a ValidationError."""
        found = outcome(lambda: import_events(text, default_timezone=default_timezone))
        if isinstance(found, ValidationError):
            assert found.problems
            return
        assert isinstance(found, list)
        assert all(isinstance(f, dict) and "start" in f for f in found)

    @fuzz(700)
    @given(ics_inputs)
    def test_office_import_meetings_refuses_cleanly(self, text: str | bytes) -> None:
        """Unreadable input plans nothing; readable events are all planned, or none is."""
        office = fresh_office()
        try:
            events = import_events(text, default_timezone="Asia/Shanghai")
        except ValidationError:
            with pytest.raises(ValidationError):
                office.import_meetings(text, by=CLERK, default_timezone="Asia/Shanghai")
            assert office.list() == []
            return
        try:
            planned = office.import_meetings(text, by=CLERK, default_timezone="Asia/Shanghai")
        except (TransitionNotAllowed, RuleViolation):
            assert office.list() == []  # all events or none
            return
        assert len(planned) == len(events) == len(office.list(kind="meeting"))
        for meeting in planned:
            assert [e.trigger for e in office.audit(meeting)] == ["plan"]

    @pytest.mark.parametrize(
        ("second_start", "second_end"),
        [("20200101T010000Z", "20200101T020000Z"), ("20251001T013000Z", "20251001T023000Z")],
        ids=["M4-past", "M9-double-booked"],
    )
    def test_a_refused_event_plans_none_of_the_calendar(
        self, second_start: str, second_end: str
    ) -> None:
        """The first event is fine, the second refused: nothing planned, and a retry works."""
        office = fresh_office()
        second = [
            "UID:b@example.org",
            "SUMMARY:第二个会议",
            f"DTSTART:{second_start}",
            f"DTEND:{second_end}",
            "LOCATION:第一会议室",
            "ORGANIZER:mailto:a@example.org",
        ]
        text = "\r\n".join(
            [
                "BEGIN:VCALENDAR",
                "VERSION:2.0",
                "PRODID:-//fuzz//fuzz//EN",
                "BEGIN:VEVENT",
                *WELL_FORMED_EVENT,
                "LOCATION:第一会议室",
                "END:VEVENT",
                "BEGIN:VEVENT",
                *second,
                "END:VEVENT",
                "END:VCALENDAR",
                "",
            ]
        )
        with pytest.raises((TransitionNotAllowed, RuleViolation)):
            office.import_meetings(text, by=CLERK)
        assert office.list(kind="meeting") == []
        corrected = text.replace(second_start, "20251002T010000Z").replace(
            second_end, "20251002T020000Z"
        )
        assert len(office.import_meetings(corrected, by=CLERK)) == 2


# ============================================================================ creation
def check_creation(office: Office, create: Callable[..., Any], fields: dict[str, Any]) -> None:
    """Create with ``fields`` in an empty office: stored with one event, or nothing stored."""
    try:
        entity = create(**fields)
    except (ValidationError, TransitionNotAllowed):
        entity = None
    if entity is None:
        assert office.list() == []
        return
    assert office.list() == [entity]
    assert office.get(entity.id) == entity
    assert entity.version == len(office.audit(entity)) == 1


ITEM_VALUES: dict[str, st.SearchStrategy[Any]] = {
    "source": st.sampled_from(["leader_instruction", "meeting_decision", "document", "rumour"]),
    "requirement": st.text(max_size=60)
    | st.sampled_from(["1. 甲\n2. 乙", "一、甲\n二、乙", "x" * 200_001]),
    "received_at": st.datetimes(timezones=st.just(UTC) | st.none()),
    "source_ref": st.text(max_size=10),
    "instructed_by": st.text(max_size=10),
    "urgency": st.sampled_from(["normal", "urgent", "extra_urgent", "now"]),
    "reply_required": st.text(max_size=10),
    "classification": st.sampled_from(["unclassified", "confidential", "secret", "top_secret"]),
}
ITEM_KEYS = sorted(set(SupervisionItem.model_fields) | {"", "unknown"})


@st.composite
def item_fields(draw: st.DrawFn) -> dict[str, Any]:
    """A valid item's fields with some left out, changed, or replaced by anything."""
    fields: dict[str, Any] = {
        "source": "leader_instruction",
        "requirement": "落实安全检查",
        "received_at": START,
    }
    if draw(st.integers(0, 3)) == 0:
        del fields[draw(st.sampled_from(sorted(fields)))]
    for _ in range(draw(st.integers(0, 3))):
        key = draw(st.sampled_from(sorted(ITEM_VALUES)) | st.sampled_from(ITEM_KEYS))
        strategy = ITEM_VALUES.get(key, python_values)
        fields[key] = draw(strategy | python_values if draw(st.booleans()) else strategy)
    return fields


class TestCreation:
    @fuzz(1500)
    @given(incoming_fields(python_values))
    def test_receive_stores_or_refuses_cleanly(self, fields: dict[str, Any]) -> None:
        """``documents.receive(**fields)``: stored with its audit event, or refused, no trace."""
        fields.pop("by", None)
        office = fresh_office()
        check_creation(office, lambda **f: office.documents.receive(by=CLERK, **f), fields)

    @fuzz(1000)
    @given(item_fields())
    def test_open_item_stores_or_refuses_cleanly(self, fields: dict[str, Any]) -> None:
        """``office.supervision.open(**fields)``: the same for supervision items."""
        fields.pop("by", None)
        office = fresh_office()
        check_creation(office, lambda **f: office.supervision.open(by=SUPERVISOR, **f), fields)

    @fuzz(800)
    @given(
        st.one_of(
            st.text(max_size=100),
            st.binary(max_size=100),
            st.builds(_dump, json_values, ascii_only=st.booleans()),
            st.builds(_dump, incoming_fields(), ascii_only=st.booleans()),
        ),
        st.sampled_from([IncomingDocument, SupervisionItem]),
    )
    def test_model_validate_json_raises_only_pydantic_errors(
        self, text: str | bytes, model: type[IncomingDocument | SupervisionItem]
    ) -> None:
        """The models' own validators never leak another exception out of pydantic."""
        with contextlib.suppress(pydantic.ValidationError):
            model.model_validate_json(text)


# ============================================================================ size limits
def _receive(office: Office, **changes: Any) -> IncomingDocument:
    fields = {**VALID_LINE, "received_at": START, **changes}
    return office.documents.receive(by=CLERK, **fields)


@pytest.mark.parametrize(
    ("name", "at_limit", "over_limit"),
    [
        ("title", "x" * 500, "x" * 501),
        ("body", "x" * 200_000, "x" * 200_001),
        (
            "attachments",
            [{"sequence": n, "name": f"附件{n}"} for n in range(1, 201)],
            [{"sequence": n, "name": f"附件{n}"} for n in range(1, 202)],
        ),
    ],
)
class TestSizeLimits:
    def test_over_the_limit_is_a_validation_error_naming_the_field(
        self, name: str, at_limit: Any, over_limit: Any
    ) -> None:
        """At the limit it is stored; one over, a ValidationError names the field."""
        office = fresh_office()
        assert _receive(office, **{name: at_limit})
        with pytest.raises(ValidationError) as info:
            _receive(office, **{name: over_limit})
        assert info.value.fields == (name,)
        assert len(office.list()) == 1

    def test_an_import_line_over_the_limit_is_reported_with_the_field(
        self, name: str, at_limit: Any, over_limit: Any
    ) -> None:
        """The same limit in a JSON Lines import: that line is rejected, naming the field."""
        office = fresh_office()
        report = office.documents.import_jsonl(
            [json.dumps({**VALID_LINE, name: value}) for value in (at_limit, over_limit)],
            by=CLERK,
        )
        assert len(report.imported) == 1
        assert [e.line for e in report.rejected] == [2]
        assert f"{name}:" in report.rejected[0].reason


def test_an_over_long_requirement_names_the_field() -> None:
    """A supervision item's requirement is at most 200,000 characters."""
    office = fresh_office()
    with pytest.raises(ValidationError) as info:
        office.supervision.open(
            by=SUPERVISOR, source="leader_instruction", requirement="x" * 200_001, received_at=START
        )
    assert info.value.fields == ("requirement",)
    assert office.list() == []


# ============================================================================ control characters
# A NUL cannot be stored in a PostgreSQL text column. Names (codes, ids, a document
# number's organ code) refuse control characters on every store, so the SQL store never
# meets one in the columns it indexes; text bodies keep them, inside the JSON.


def test_a_nul_in_a_document_number_is_a_validation_error(office: Office) -> None:
    """On every store, PostgreSQL included: refused, nothing stored."""
    with pytest.raises(ValidationError) as info:
        _receive(office, number="国办\x00发〔2025〕1号")
    assert info.value.fields[0].startswith("number")
    assert office.list() == []


def test_a_nul_in_a_unit_code_is_a_validation_error(office: Office) -> None:
    item = office.supervision.open(
        by=SUPERVISOR, source="leader_instruction", requirement="落实", received_at=START
    )
    with pytest.raises(ValidationError):
        office.fire(
            item,
            "assign",
            by=SUPERVISOR,
            lead_unit={**UNIT_A, "code": "Z\x00K"},
            deadline=date(2099, 1, 1),
        )
    assert office.get(item.id).version == 1


def test_a_nul_in_an_import_line_is_a_line_error(office: Office) -> None:
    report = office.documents.import_jsonl(
        [_dump(VALID_LINE), _dump({**VALID_LINE, "number": "\x00〔2025〕1号"})], by=CLERK
    )
    assert len(report.imported) == 1
    assert [e.line for e in report.rejected] == [2]


def test_a_nul_in_a_body_is_kept(office: Office) -> None:
    """Text bodies are stored as JSON, where a NUL is escaped: kept as it was."""
    doc = _receive(office, body="正文\x00附注")
    assert office.get(doc.id).body == "正文\x00附注"


@pytest.fixture
def postgres_office() -> Iterator[Office]:
    url = postgres_url()
    reset_postgres(url)
    with Office.open(url, clock=FrozenClock(START)) as office:
        yield office


@pytest.mark.parametrize("lookup", ["get", "audit", "fire", "list"])
def test_postgres_a_nul_in_a_looked_up_id_is_not_found(
    postgres_office: Office, lookup: str
) -> None:
    bad = "in-1\x00"
    if lookup == "list":  # no state has it: refused before any store sees it
        with pytest.raises(ValidationError, match=r"'in-1\\x00'"):
            postgres_office.list(state=bad)
        return
    calls: dict[str, Callable[[], Any]] = {
        "get": lambda: postgres_office.get(bad),
        "audit": lambda: postgres_office.audit(bad),
        "fire": lambda: postgres_office.fire(bad, "register", by=CLERK),
    }
    with pytest.raises(NotFound):
        calls[lookup]()


@pytest.mark.parametrize("store", ["memory", "sqlite"])
def test_a_nul_in_a_looked_up_id_is_not_found_elsewhere(store: str, tmp_path: Path) -> None:
    """What the PostgreSQL store should do too."""
    url = "memory://" if store == "memory" else f"sqlite:///{tmp_path / 'office.db'}"
    with Office.open(url) as office:
        for call in (office.get, office.audit):
            with pytest.raises(NotFound):
                call("in-1\x00")
        with pytest.raises(ValidationError, match=r"'in-1\\x00'"):
            office.list(state="in-1\x00")


# ============================================================================ entry points
hostile_chars = st.characters() | st.sampled_from(["\ud800", "\udfff", "\x00", "\u2028", "\ufeff"])
hostile_text = st.text(hostile_chars, max_size=20) | st.sampled_from(
    ["in-1", "sup-2", "register", "assign", "9" * 400, "x" * 10_000, "", " "]
)
"""Text with lone surrogates, NULs and line separators, and some that names real things."""
hostile_times = st.datetimes(
    min_value=datetime(1, 1, 2),  # noqa: DTZ001 -- the zone is drawn separately
    max_value=datetime(9999, 12, 30),  # noqa: DTZ001
    timezones=st.sampled_from([UTC, timezone(timedelta(hours=14)), timezone(timedelta(hours=-12))]),
) | st.sampled_from([datetime(9999, 12, 31, 23, tzinfo=UTC), datetime(1, 1, 1, tzinfo=UTC)])
hostile_days = st.dates() | st.sampled_from([date.max, date.min])
hostile_values = (
    hostile_text | hostile_times | hostile_days | st.integers() | st.none() | st.floats()
)
hostile_actors = st.builds(
    lambda actor_id, roles: {"id": actor_id, "name": "某人", "roles": roles},
    hostile_text,
    st.lists(st.sampled_from(["clerk", "Clerk", "supervisor", "\ud800", "", "leader"]), max_size=2),
)


def snapshot(office: Office) -> tuple[Any, ...]:
    """What a refused command must leave as it was: records, trails and counters."""
    found = office.list()
    trails = tuple(len(office.audit(entity)) for entity in found)
    counters = office.store.counters()  # type: ignore[attr-defined]
    return tuple(found), trails, tuple(sorted(counters.items()))


@pytest.fixture(params=["memory", "sqlite"])
def busy_office(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Office]:
    """An office holding a registered notice (in-1) and an item in progress (sup-2)."""
    url = "memory://" if request.param == "memory" else f"sqlite:///{tmp_path / 'office.db'}"
    with Office.open(url, clock=FrozenClock(START), ids=SequentialIds()) as office:
        doc = office.documents.receive(by=CLERK, **{**VALID_LINE, "received_at": START})
        office.fire(doc, "register", by=CLERK)
        item = office.supervision.open(
            by=SUPERVISOR, source="leader_instruction", requirement="落实", received_at=START
        )
        office.fire(item, "assign", by=SUPERVISOR, lead_unit=UNIT_A, deadline=date(2025, 12, 1))
        yield office


def _calls(office: Office, draw: st.DrawFn) -> Callable[[], Any]:
    """One call of a public entry point with hostile arguments."""
    text, value = draw(hostile_text), draw(hostile_values)
    who = draw(st.sampled_from([CLERK, SUPERVISOR]) | hostile_actors.map(_actor_or_none))
    choices: list[Callable[[], Any]] = [
        lambda: office.get(text),
        lambda: office.get(text, by=who),
        lambda: office.audit(text, by=who),
        lambda: office.fire(draw(st.sampled_from(["in-1", "sup-2"]) | hostile_text), text, by=who),
        lambda: office.fire("in-1", "screen", by=CLERK, reason=text),
        lambda: office.fire("sup-2", "report_progress", by=SUPERVISOR, text=value),
        lambda: office.fire("sup-2", "request_extension", by=SUPERVISOR, deadline=value),
        lambda: office.can_fire(text, "register", by=who),
        lambda: office.available_triggers(text, by=who),
        lambda: office.list(kind=text),
        lambda: office.list(state=text),
        lambda: office.count(kind=draw(st.sampled_from(["incoming_document", "meeting"]))),
        lambda: office.documents.receive(by=who, **{**VALID_LINE, "received_at": value}),
        lambda: office.documents.receive(by=CLERK, **{**VALID_LINE, "title": text}),
        lambda: office.supervision.open(
            by=SUPERVISOR, source="leader_instruction", requirement=text, received_at=value
        ),
        lambda: office.meetings.plan(
            by=CLERK, title="会议", meeting_kind="office", start=value, end=value, room=text
        ),
        lambda: office.sweep(value),
        office.documents.incoming_register,
        office.supervision.ledger,
    ]
    return draw(st.sampled_from(choices))


def _actor_or_none(fields: dict[str, Any]) -> Any:
    try:
        return Actor(**fields)
    except ValidationError:
        return CLERK


class TestEntryPoints:
    @settings(
        max_examples=max(1, int(2000 * SCALE)),
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(data=st.data())
    def test_only_our_errors_and_a_refusal_changes_nothing(
        self, busy_office: Office, data: st.DataObject
    ) -> None:
        """Every entry point, given hostile text, times and actors: done, or our error.

        The examples share one office per store (what they do is kept, as it would be),
        and each refusal is checked against the office as it stood just before.
        """
        call = _calls(busy_office, data.draw)
        before = snapshot(busy_office)
        try:
            call()
        except SecretarialError:
            assert snapshot(busy_office) == before


# ============================================================================ the command line
cli_text = st.text(
    st.characters(exclude_categories=("Cs",)) | st.sampled_from(["\x00", "\u2028", "-", "="]),
    max_size=16,
) | st.sampled_from(["in-1", "register", "clerk", "{}", "[1]", '{"id": "x"}', "9" * 400, ""])
"""What a shell passes: any text but lone surrogates (no argv holds one)."""
CLI_COMMANDS = [
    ["doc", "show", "ID"],
    ["doc", "fire", "ID", "TEXT", "--as", "clerk"],
    ["doc", "fire", "in-1", "register", "--as", "clerk", "--data", "TEXT"],
    ["doc", "fire", "in-1", "register", "--by", "TEXT"],
    ["doc", "receive", "--as", "clerk", "--title", "TEXT", "--sender", "TEXT"],
    ["doc", "receive", "--as", "TEXT", "--kind", "TEXT", "--title", "t", "--sender", "A:B"],
    [
        "doc",
        "receive",
        "--as",
        "clerk",
        "--kind",
        "notice",
        "--title",
        "t",
        "--sender",
        "A:B",
        "--number",
        "TEXT",
    ],
    ["doc", "list", "--state", "TEXT"],
    ["doc", "list", "--kind", "TEXT"],
    ["items", "overdue", "--kind", "TEXT"],
    ["export", "TEXT"],
    ["export", "incoming", "--year", "TEXT"],
    ["audit", "ID"],
    ["calendar", "load", "FILE", "--as", "clerk"],
    ["verify", "--against", "FILE"],
    ["verify", "--key", "TEXT"],
    ["people", "enrol", "TEXT", "--name", "TEXT", "--role", "TEXT", "--unit", "TEXT"],
]


@pytest.fixture(scope="module")
def cli_office(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An office with one registered notice (in-1), made by the command line."""
    folder = tmp_path_factory.mktemp("cli")
    office_path = folder / "office.db"
    with Office.open(f"sqlite:///{office_path}", ids=SequentialIds()) as office:
        doc = office.documents.receive(by=CLERK, **{**VALID_LINE, "received_at": START})
        office.fire(doc, "register", by=CLERK)
    return office_path


class TestCommandLine:
    @fuzz(600)
    @given(
        command=st.sampled_from(CLI_COMMANDS),
        text=cli_text,
        content=st.binary(max_size=60) | cli_text.map(str.encode),
    )
    def test_outside_input_never_ends_as_a_defect(
        self,
        cli_office: Path,
        tmp_path_factory: pytest.TempPathFactory,
        command: list[str],
        text: str,
        content: bytes,
    ) -> None:
        """Any argument, any file: the command works or ends with a code other than 70."""
        from typer.testing import CliRunner  # noqa: PLC0415 -- the CLI extra

        from secretarial.cli import app  # noqa: PLC0415

        folder = tmp_path_factory.mktemp("run")
        office_path = folder / "office.db"
        office_path.write_bytes(cli_office.read_bytes())
        given_file = folder / "given"
        given_file.write_bytes(content)
        args = [
            {"ID": text or "in-1", "TEXT": text, "FILE": str(given_file)}.get(part, part)
            for part in command
        ]
        result = CliRunner().invoke(app, [*args, "--db", str(office_path)])
        assert result.exit_code != 70, (args, result.stderr, result.exception)
        if result.exit_code != 0:
            assert result.stderr.startswith("secretarial: "), result.stderr
