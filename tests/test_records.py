"""Records 归档: filing, archival codes, retention, the catalogue and disposition (A1-A8).

The archive's use cases live in ``secretarial.records``; until the office
exposes them, the :class:`Archive` helper below calls them the way the office will.
"""

from __future__ import annotations

import csv
import io
import json
import re
import threading
from collections import Counter, defaultdict
from collections.abc import Iterator
from datetime import date, datetime, time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pydantic
import pytest
from hypothesis import given
from hypothesis import strategies as st

import secretarial
from conftest import (
    ARCHIVIST,
    CLERK,
    DIRECTOR,
    DRAFTER,
    LEADER,
    PEER,
    PRINCIPAL,
    START,
    STORES,
    SUBORDINATE,
    SUPERIOR,
    UNDERTAKER,
    UNIT_A,
    postgres_url,
    reset_postgres,
    url_for,
)
from secretarial import (
    EntityKind,
    IncomingDocument,
    IncomingState,
    Office,
    OutgoingDocument,
    OutgoingState,
    Retention,
    RuleViolation,
    TransitionNotAllowed,
    ValidationError,
)
from secretarial.documents import Document
from secretarial.kernel import Register
from secretarial.records import (
    DEFAULT_SCHEDULE,
    ArchivalClass,
    ArchivalCode,
    ArchiveSettings,
    Disposition,
    Record,
    RecordState,
    RetentionSchedule,
    Tombstone,
    retention_end,
)
from secretarial.testing import FrozenClock, SequentialIds, memory_office

BEIJING = ZoneInfo("Asia/Shanghai")
DATA = Path(__file__).parent / "data"
SETTINGS = ArchiveSettings(fonds="0194", organ_name="区政府办公室")
NO_UNITS = ArchiveSettings(fonds="0194", organ_name="区政府办公室", by_unit=False)
"""An archive classing by year and retention only (年度-保管期限): codes without a unit."""
FINANCE = {"code": "SCZ", "name": "市财政局", "relation": "superior"}
EDUCATION = {"code": "QJW", "name": "区教委", "relation": "peer"}
CULTURE = {"code": "QWL", "name": "区文旅局", "relation": "peer"}
OURSELVES = {"code": "QZB", "name": "区政府办公室", "relation": "peer"}


# ============================================================================ helpers
class Archive:
    """An office with an archive, and the archive calls the tests make."""

    def __init__(self, office: Office, settings: ArchiveSettings = SETTINGS) -> None:
        self.office = office
        office.archive = settings

    @property
    def settings(self) -> ArchiveSettings:
        assert self.office.archive is not None
        return self.office.archive

    @settings.setter
    def settings(self, value: ArchiveSettings) -> None:
        self.office.archive = value

    def file(
        self,
        *documents: Document | str,
        record_class: str = "general",
        by: Any = ARCHIVIST,
        **kw: Any,
    ) -> Record:
        return self.office.records.file(*documents, by=by, record_class=record_class, **kw)

    def fire(self, record: Record | str, trigger: str, *, by: Any, **data: Any) -> Record:
        new = self.office.fire(
            record if isinstance(record, str) else record.id, trigger, by=by, **data
        )
        assert isinstance(new, Record)
        return new

    def destroy(self, record: Record | str, *, by: Any = ARCHIVIST) -> Record:
        return self.office.records.destroy(record, by=by)

    def due(self) -> list[Record]:
        return self.office.records.due_for_review()

    def catalogue(self, **filters: Any) -> Register:
        return self.office.records.catalogue(**filters)

    def record(self, record_id: str) -> Record:
        return self.office.get(record_id, Record)

    def records(self) -> list[Record]:
        return [r for r in self.office.list(kind=EntityKind.RECORD) if isinstance(r, Record)]


@pytest.fixture
def office_and_clock(
    request: pytest.FixtureRequest, tmp_path: Path
) -> Iterator[tuple[Office, FrozenClock]]:
    """An office in memory; on every store for tests marked ``@EVERY_STORE``.

    Overrides the shared fixture so that rule tests stay fast; the tests that store and
    load what filing and disposition produce run on memory, SQLite and PostgreSQL.
    """
    url = url_for(getattr(request, "param", "memory"), tmp_path)
    clock = FrozenClock(START)
    office = Office.open(url, clock=clock, ids=SequentialIds())
    yield office, clock
    office.close()


EVERY_STORE = pytest.mark.parametrize("office_and_clock", STORES, indirect=True)
"""Run a test on memory, SQLite and PostgreSQL."""


@pytest.fixture
def archive(office: Office) -> Archive:
    """The archive of a fresh office."""
    return Archive(office)


def on_day(clock: FrozenClock, day: date) -> None:
    clock.to_day(day, time(9, 0), tz=BEIJING)


def completed(office: Office, **fields: Any) -> IncomingDocument:
    """Receive an incoming document and take it through handling to ``completed``."""
    values = {
        "kind": "notice",
        "title": "关于开展安全检查的通知",
        "sender": SUPERIOR,
        "channel": "paper",
        "received_at": office.now(),
    }
    doc = office.documents.receive(by=CLERK, **{**values, **fields})
    office.fire(doc.id, "register", by=CLERK)
    office.fire(doc.id, "screen", by=CLERK)
    office.fire(doc.id, "propose", by=DIRECTOR, handling_type="for_handling", lead_unit=UNIT_A)
    office.fire(doc.id, "approve", by=LEADER, instruction="请办理")
    office.fire(doc.id, "assign", by=DIRECTOR, assignee=UNDERTAKER.id)
    return office.get(
        office.fire(doc.id, "complete", by=UNDERTAKER, result="已办结").id, IncomingDocument
    )


def dispatched(office: Office, **fields: Any) -> OutgoingDocument:
    """Draft an outgoing document and take it through signing and registration to dispatch."""
    values: dict[str, Any] = {
        "kind": "notice",
        "title": "关于开展安全生产大检查的通知",
        "issuer_code": "区政办发",
        "main_recipients": [SUBORDINATE],
    }
    doc = office.documents.draft(by=DRAFTER, **{**values, **fields})
    office.fire(doc.id, "submit", by=DRAFTER)
    office.fire(doc.id, "review", by=DIRECTOR)
    for organ in doc.joint_issuers:
        office.fire(doc.id, "countersign", by=LEADER, organ=organ, opinion="会签同意")
    signer = PRINCIPAL if doc.is_upward or doc.important else LEADER
    office.fire(doc.id, "sign", by=signer, opinion="同意")
    office.fire(doc.id, "recheck", by=CLERK)
    office.fire(doc.id, "register", by=CLERK)
    copy_numbers = ("000001",) if doc.classification.level else ()
    office.fire(doc.id, "print", by=CLERK, copy_numbers=copy_numbers)
    return office.get(office.fire(doc.id, "dispatch", by=CLERK).id, OutgoingDocument)


def request_and_reply(
    office: Office, clock: FrozenClock
) -> tuple[OutgoingDocument, IncomingDocument]:
    """Our request 请示 to the finance bureau, and its reply 批复 three weeks later."""
    request = dispatched(
        office,
        kind="request",
        title="关于申请安全生产专项资金的请示",
        issuer_code="区政办",
        main_recipients=[FINANCE],
        requests=["申请安全生产专项资金50万元"],
        page_count=3,
    )
    on_day(clock, date(2025, 10, 16))
    reply = completed(
        office,
        kind="reply",
        title="关于同意拨付安全生产专项资金的批复",
        sender=FINANCE,
        number="市财复〔2025〕12号",
        date_of_issue=date(2025, 10, 15),
        page_count=2,
        replies_to=str(request.number),
    )
    return request, reply


def refused(archive: Archive, *documents: Document, rule: str, **kw: Any) -> TransitionNotAllowed:
    """File expecting a refusal by ``rule``; check that nothing changed and no number was used."""
    office = archive.office
    before = [office.get(d.id) for d in documents]
    counters = office.store.counters()
    records = archive.records()
    with pytest.raises(TransitionNotAllowed) as info:
        archive.file(*documents, **kw)
    assert info.value.rule_code == rule, info.value
    assert info.value.trigger == "file"
    assert [office.get(d.id) for d in documents] == before
    assert office.store.counters() == counters
    assert archive.records() == records
    return info.value


# ============================================================================ A2 archival codes
class TestArchivalCode:
    """A2: 全宗号-门类代码·年度-保管期限代码-机构(问题)代码-件号, the unit level optional."""

    def test_a_code_parses_to_its_parts_and_writes_back(self):
        code = ArchivalCode.parse("0194-WS·2016-D30-BGS-0001")
        assert (code.fonds, code.category, code.year, code.retention, code.unit, code.item) == (
            "0194",
            "WS",
            2016,
            Retention.YEARS_30,
            "BGS",
            1,
        )
        assert str(code) == "0194-WS·2016-D30-BGS-0001"
        assert str(code.archival_class) == "0194-WS·2016-D30-BGS"
        assert ArchivalClass.parse("0194-WS·2016-D30-BGS").code(1) == code

    def test_a_code_without_a_unit_parses_to_its_parts_and_writes_back(self):
        code = ArchivalCode.parse("0194-WS·2016-D30-0001")
        assert (code.fonds, code.category, code.year, code.retention, code.unit, code.item) == (
            "0194",
            "WS",
            2016,
            Retention.YEARS_30,
            None,
            1,
        )
        assert str(code) == "0194-WS·2016-D30-0001"
        assert str(code.archival_class) == "0194-WS·2016-D30"
        assert ArchivalClass.parse("0194-WS·2016-D30").unit is None
        assert ArchivalClass.parse("0194-WS·2016-D30").code(1) == code
        assert code != ArchivalCode.parse("0194-WS·2016-D30-BGS-0001")

    def test_a_class_of_four_levels_has_a_unit(self):
        """``0194-WS·2016-D30-0001`` is a code without a unit, or a class of unit ``0001``."""
        assert ArchivalClass.parse("0194-WS·2016-D30-0001").unit == "0001"
        assert ArchivalCode.parse("0194-WS·2016-D30-0001").unit is None

    @pytest.mark.parametrize(
        ("text", "part"),
        [
            ("194-WS·2016-D30-BGS-0001", "fonds number"),
            ("0194-W·2016-D30-BGS-0001", "category code"),
            ("0194-ws·2016-D30-BGS-0001", "category code"),
            ("0194-WS.2016-D30-BGS-0001", "joined by ·"),
            ("0194-WS·16-D30-BGS-0001", "year is 4 digits"),
            ("0194-WS·2016-D20-BGS-0001", "retention code"),
            ("0194-WS·2016-D30-BGS-1", "item number is 4 digits"),
            ("0194-WS·2016-D30-BGS-0000", "start at 0001"),
            ("0194-WS·2016-D30-B-G-0001", "expected 4 (without a unit code) or 5 (with one)"),
            ("0194-WS·2016-0001", "expected 4 (without a unit code) or 5 (with one)"),
            ("0194-WS·2016-D30-bgs-0001", "unit (or subject) code"),
            ("0194-WS·2016-D30-ABCDEFGHIJK-0001", "unit (or subject) code"),
            ("0194-WS·2016-D30-1", "item number is 4 digits"),
            ("0194-WS·2016-D30-0000", "start at 0001"),
            ("0194-WS·2016-Y30-0001", "retention code"),
            ("0194-WS·2016-D30-BGS-0001 ", None),
            ("0194 -WS·2016-D30-BGS-0001", "whitespace"),
        ],
    )
    def test_a_malformed_code_is_refused_naming_rule_a2(self, text, part):
        if part is None:  # surrounding whitespace is stripped, as for every text field
            assert str(ArchivalCode.parse(text)) == text.strip()
            return
        with pytest.raises(ValidationError) as info:
            ArchivalCode.parse(text)
        problem = info.value.problems[0]
        assert (problem.field, problem.rule) == ("archival_code", "A2")
        assert part in problem.message
        assert "0194-WS·2016-D30-BGS-0001" in (problem.accepted or "")
        assert "0194-WS·2016-D30-0001" in (problem.accepted or "")

    @pytest.mark.parametrize(
        ("text", "part"),
        [
            ("0194-WS·2016", "expected 3 (without a unit code) or 4 (with one)"),
            ("0194-WS·2016-D30-BGS-X", "expected 3 (without a unit code) or 4 (with one)"),
            ("0194-WS·2016-D30-bgs", "unit (or subject) code"),
            ("0194-WS.2016-D30", "joined by ·"),
        ],
    )
    def test_a_malformed_class_is_refused_naming_rule_a2(self, text, part):
        with pytest.raises(ValidationError) as info:
            ArchivalClass.parse(text)
        problem = info.value.problems[0]
        assert (problem.field, problem.rule) == ("archival_class", "A2")
        assert part in problem.message
        assert "0194-WS·2016-D30-BGS or 0194-WS·2016-D30" in (problem.accepted or "")

    @pytest.mark.parametrize("text", ["0194-WS·2025-Y-BGS-0012", "0194-WS·2025-Y-0012"])
    def test_a_code_in_a_model_is_text_on_the_wire(self, text):
        record_code = ArchivalCode.parse(text)
        assert record_code.model_dump() == text
        assert ArchivalCode.model_validate_json(f'"{text}"') == record_code

    @pytest.mark.parametrize(
        ("code_text", "class_text"),
        [
            ("0194-WS·2016-D30-BGS-0001", "0194-WS·2016-D30-BGS"),
            ("0194-WS·2016-D30-0001", "0194-WS·2016-D30"),
        ],
    )
    def test_the_document_fields_take_both_forms(self, code_text, class_text):
        """A document's ``archival_code`` and ``archival_class`` hold either form (A2)."""
        fields = IncomingDocument.model_fields
        codes: pydantic.TypeAdapter[str | None]
        codes = pydantic.TypeAdapter(fields["archival_code"].annotation)
        classes: pydantic.TypeAdapter[str | None]
        classes = pydantic.TypeAdapter(fields["archival_class"].annotation)
        assert codes.validate_python(code_text) == code_text
        assert classes.validate_python(class_text) == class_text
        with pytest.raises(pydantic.ValidationError):
            codes.validate_python(class_text)
        with pytest.raises(pydantic.ValidationError):
            classes.validate_python(f"{class_text}-B-0001")

    def test_catalogue_order_puts_a_class_without_unit_before_the_units(self):
        texts = [
            "0194-WS·2016-D30-ZHK-0001",
            "0194-WS·2016-D10-0001",
            "0194-WS·2016-D30-0002",
            "0194-WS·2016-Y-BGS-0001",
            "0194-WS·2016-D30-0001",
            "0194-WS·2016-D30-BGS-0001",
        ]
        ordered = sorted((ArchivalCode.parse(t) for t in texts), key=lambda c: c.sort_key)
        assert [str(c) for c in ordered] == [
            "0194-WS·2016-Y-BGS-0001",
            "0194-WS·2016-D30-0001",
            "0194-WS·2016-D30-0002",
            "0194-WS·2016-D30-BGS-0001",
            "0194-WS·2016-D30-ZHK-0001",
            "0194-WS·2016-D10-0001",
        ]

    @given(
        code=st.builds(
            ArchivalCode,
            fonds=st.from_regex(r"\A[0-9A-Z]{4}\Z"),
            category=st.from_regex(r"\A[A-Z]{2}\Z"),
            year=st.integers(1000, 9999),
            retention=st.sampled_from(list(Retention)),
            unit=st.none() | st.from_regex(r"\A[0-9A-Z]{1,10}\Z"),
            item=st.integers(1, 9999),
        )
    )
    def test_every_code_parses_back_to_its_parts(self, code):
        text = str(code)
        assert len(text.rsplit("-", 1)[1]) == 4
        assert text.count("-") == (3 if code.unit is None else 4)
        assert ArchivalCode.parse(text) == code
        assert ArchivalCode.model_validate_json(json.dumps(text)) == code
        assert ArchivalClass.parse(str(code.archival_class)).code(code.item) == code

    def test_settings_refuse_a_malformed_fonds(self):
        with pytest.raises(secretarial.ValidationError):
            ArchiveSettings(fonds="19")

    def test_an_archive_classifies_by_unit_unless_told_otherwise(self):
        assert (SETTINGS.by_unit, SETTINGS.unit) == (True, "BGS")
        assert (NO_UNITS.by_unit, NO_UNITS.unit) == (False, None)
        assert str(NO_UNITS.archival_class(year=2025, retention=Retention.YEARS_30)) == (
            "0194-WS·2025-D30"
        )
        assert str(SETTINGS.archival_class(year=2025, retention=Retention.YEARS_30)) == (
            "0194-WS·2025-D30-BGS"
        )

    @pytest.mark.parametrize(
        ("fields", "message"),
        [
            ({"by_unit": False, "unit": "BGS"}, "A2: an archive that does not classify by unit"),
            ({"unit": None}, "A2: an archive that classifies by unit names the unit code"),
            (
                {"by_unit": False, "schedule": DEFAULT_SCHEDULE.lengthened("BGS", "general", "Y")},
                "A1: the schedule lengthens periods for units (BGS)",
            ),
        ],
    )
    def test_settings_refuse_a_unit_that_contradicts_the_scheme(self, fields, message):
        with pytest.raises(secretarial.ValidationError, match=re.escape(message)):
            ArchiveSettings(fonds="0194", **fields)

    @pytest.mark.parametrize(
        ("settings", "text", "accepted"),
        [
            (SETTINGS, "0194-WS·2016-D30-0001", "0194-WS·2016-D30-BGS-0001"),
            (NO_UNITS, "0194-WS·2016-D30-BGS-0001", "0194-WS·2016-D30-0001"),
        ],
        ids=["by-unit-refuses-short", "no-units-refuses-long"],
    )
    def test_an_archive_refuses_the_code_of_the_other_scheme(self, settings, text, accepted):
        """A2: the unit archive wants the unit code; the other archive wants none."""
        with pytest.raises(ValidationError) as info:
            settings.parse_code(text)
        problem = info.value.problems[0]
        assert (problem.field, problem.rule, problem.accepted) == ("archival_code", "A2", accepted)
        assert f"by_unit={settings.by_unit}" in problem.message
        assert str(settings.parse_code(accepted)) == accepted

    @pytest.mark.parametrize(
        ("settings", "text", "accepted"),
        [
            (SETTINGS, "0194-WS·2016-D30", "0194-WS·2016-D30-BGS"),
            (NO_UNITS, "0194-WS·2016-D30-BGS", "0194-WS·2016-D30"),
        ],
        ids=["by-unit-refuses-short", "no-units-refuses-long"],
    )
    def test_an_archive_refuses_the_class_of_the_other_scheme(self, settings, text, accepted):
        with pytest.raises(ValidationError) as info:
            settings.parse_class(text)
        problem = info.value.problems[0]
        assert (problem.field, problem.rule, problem.accepted) == ("archival_class", "A2", accepted)
        assert str(settings.parse_class(accepted)) == accepted

    def test_an_archive_parses_malformed_codes_as_the_plain_parser(self):
        with pytest.raises(ValidationError) as info:
            NO_UNITS.parse_code("0194-WS·16-D30-0001")
        assert "the year is 4 digits" in info.value.problems[0].message

    def test_a_malformed_unit_is_refused_naming_rule_a2(self, archive):
        doc = completed(archive.office)
        with pytest.raises(ValidationError) as info:
            archive.file(doc, unit="bgs-1")
        assert info.value.problems[0].rule == "A2"
        assert archive.office.get(doc.id) == doc

    def test_documents_are_filed_only_through_the_archive(self, archive):
        """Firing ``file`` directly draws no code: the archive stages the class first."""
        office = archive.office
        doc = completed(office)
        assert not office.can_fire(doc, "file", by=ARCHIVIST)
        with pytest.raises(RuleViolation) as info:
            office.fire(doc, "file", by=ARCHIVIST, retention="D30")
        assert info.value.rule_code == "A2"
        assert office.get(doc.id) == doc

    def test_a_code_is_drawn_by_the_office_not_passed_in(self, archive):
        doc = completed(archive.office)
        with pytest.raises(RuleViolation) as info:
            archive.office.fire(
                doc, "file", by=ARCHIVIST, archival_code="0194-WS·2025-D30-BGS-0001"
            )
        assert info.value.rule_name == "number-allocated-by-office"


# ============================================================================ A1 retention
class TestRetentionSchedule:
    """A1: Y, D30, D10 from the schedule; a unit may lengthen a class, never shorten it."""

    @pytest.mark.parametrize(
        ("record_class", "retention"),
        [("important", "Y"), ("general", "D30"), ("routine", "D10")],
    )
    def test_filing_takes_the_period_of_the_class(self, archive, record_class, retention):
        record = archive.file(completed(archive.office), record_class=record_class)
        assert record.retention is Retention(retention)
        assert str(record.archival_code) == f"0194-WS·2025-{retention}-BGS-0001"
        doc = archive.office.get(record.documents[0], IncomingDocument)
        assert doc.state is IncomingState.FILED
        assert (doc.retention, doc.archival_code, doc.record_id) == (
            Retention(retention),
            str(record.archival_code),
            record.id,
        )

    def test_a_unit_may_lengthen_a_class(self, archive):
        archive.settings = SETTINGS.model_copy(
            update={"schedule": DEFAULT_SCHEDULE.lengthened("BGS", "general", "Y")}
        )
        kept = archive.file(completed(archive.office), record_class="general")
        other = archive.file(completed(archive.office), record_class="general", unit="ZHK")
        assert str(kept.archival_code) == "0194-WS·2025-Y-BGS-0001"
        assert str(other.archival_code) == "0194-WS·2025-D30-ZHK-0001"

    def test_a_unit_may_not_shorten_a_class(self):
        with pytest.raises(RuleViolation) as info:
            DEFAULT_SCHEDULE.lengthened("BGS", "important", Retention.YEARS_30)
        assert info.value.rule_code == "A1"
        with pytest.raises(secretarial.ValidationError, match="A1: unit BGS may lengthen"):
            RetentionSchedule(
                periods={"general": Retention.YEARS_30},
                unit_periods={"BGS": {"general": Retention.YEARS_10}},
            )

    def test_an_item_may_be_kept_longer_than_its_class(self, archive):
        record = archive.file(completed(archive.office), record_class="routine", retention="D30")
        assert record.retention is Retention.YEARS_30

    def test_an_item_may_not_be_kept_shorter_than_its_class(self, archive):
        err = refused(
            archive, completed(archive.office), record_class="general", retention="D10", rule="A1"
        )
        assert "never shorter" in err.reason

    def test_an_unknown_class_is_refused(self, archive):
        doc = completed(archive.office)
        with pytest.raises(ValidationError) as info:
            archive.file(doc, record_class="misc")
        problem = info.value.problems[0]
        assert (problem.field, problem.rule) == ("record_class", "A1")
        assert problem.accepted == "important, general, routine"


# ============================================================================ A3 item numbers
class TestItemNumbers:
    """A3: item numbers restart at 0001 in each year × retention × unit class."""

    def test_each_class_counts_from_0001(self, archive):
        office = archive.office
        codes = [
            archive.file(completed(office), record_class="general"),
            archive.file(completed(office), record_class="general"),
            archive.file(completed(office), record_class="routine"),
            archive.file(completed(office), record_class="general", unit="ZHK"),
            archive.file(
                completed(office, date_of_issue=date(2024, 12, 30)), record_class="general"
            ),
            archive.file(completed(office), record_class="general"),
        ]
        assert [str(r.archival_code) for r in codes] == [
            "0194-WS·2025-D30-BGS-0001",
            "0194-WS·2025-D30-BGS-0002",
            "0194-WS·2025-D10-BGS-0001",
            "0194-WS·2025-D30-ZHK-0001",
            "0194-WS·2024-D30-BGS-0001",
            "0194-WS·2025-D30-BGS-0003",
        ]

    def test_the_year_is_the_date_of_issue_else_the_day_received(self, archive, clock):
        office = archive.office
        on_day(clock, date(2026, 1, 5))
        late = completed(office, date_of_issue=date(2025, 12, 29))
        undated = completed(office)
        assert archive.file(late).year == 2025
        assert archive.file(undated).year == 2026

    @EVERY_STORE
    def test_a_refused_filing_uses_no_number(self, archive):
        office = archive.office
        waiting = office.documents.receive(
            by=CLERK, kind="notice", title="被转发的通知", sender=SUPERIOR, channel="paper",
            received_at=office.now(),
        )  # fmt: skip
        forwarding = completed(office, forwards=[waiting.id])
        with pytest.raises(TransitionNotAllowed) as info:
            archive.file(forwarding, waiting)  # the lead draws 0001, then the other refuses
        assert info.value.rule_code == "STATE"
        assert info.value.entity_id == waiting.id
        assert office.get(forwarding.id) == forwarding
        assert str(archive.file(completed(office)).archival_code) == "0194-WS·2025-D30-BGS-0001"

    @EVERY_STORE
    def test_a_class_holds_at_most_9999_items(self, archive):
        with archive.office.store.unit_of_work() as uow:
            uow.next_number("archival", "0194-WS·2025-D30-BGS", 9999)
        doc = completed(archive.office)
        with pytest.raises(RuleViolation) as info:
            archive.file(doc)
        assert (info.value.rule_code, info.value.rule_name) == ("A2", "four-digit-item-number")
        assert archive.office.get(doc.id) == doc


class TestArchiveWithoutUnits:
    """A2, A3: an archive classing by year and retention (年度-保管期限) writes no unit code."""

    @pytest.fixture
    def archive(self, office: Office) -> Archive:
        return Archive(office, NO_UNITS)

    @EVERY_STORE
    def test_items_are_filed_without_a_unit_and_counted_per_class(self, archive):
        office = archive.office
        records = [
            archive.file(completed(office), record_class="general"),
            archive.file(completed(office), record_class="general"),
            archive.file(completed(office), record_class="routine"),
            archive.file(
                completed(office, date_of_issue=date(2024, 12, 30)), record_class="general"
            ),
            archive.file(completed(office), record_class="general"),
        ]
        codes = [str(r.archival_code) for r in records]
        assert codes == [
            "0194-WS·2025-D30-0001",
            "0194-WS·2025-D30-0002",
            "0194-WS·2025-D10-0001",
            "0194-WS·2024-D30-0001",
            "0194-WS·2025-D30-0003",
        ]
        assert all(r.archival_code.unit is None for r in records)
        for record in records:  # the stored record and documents read back as filed
            assert archive.record(record.id) == record
            doc = office.get(record.documents[0], IncomingDocument)
            assert (doc.archival_code, doc.archival_class) == (
                str(record.archival_code),
                str(record.archival_code.archival_class),
            )
        archival = {
            k: v for (series, k), v in office.store.counters().items() if series == "archival"
        }
        assert archival == {"0194-WS·2025-D30": 3, "0194-WS·2025-D10": 1, "0194-WS·2024-D30": 1}

    @EVERY_STORE
    def test_numbering_stays_gap_free_across_a_refused_filing(self, archive):
        office = archive.office
        first = archive.file(completed(office))
        waiting = office.documents.receive(
            by=CLERK, kind="notice", title="被转发的通知", sender=SUPERIOR, channel="paper",
            received_at=office.now(),
        )  # fmt: skip
        with pytest.raises(TransitionNotAllowed):
            archive.file(completed(office, forwards=[waiting.id]), waiting)
        second = archive.file(completed(office))
        assert [str(first.archival_code), str(second.archival_code)] == [
            "0194-WS·2025-D30-0001",
            "0194-WS·2025-D30-0002",
        ]

    def test_a_filing_naming_a_unit_is_refused(self, archive):
        doc = completed(archive.office)
        counters = archive.office.store.counters()
        with pytest.raises(ValidationError) as info:
            archive.file(doc, unit="BGS")
        problem = info.value.problems[0]
        assert (problem.field, problem.rule) == ("unit", "A2")
        assert "by_unit=False" in problem.message
        assert problem.accepted == "no unit: leave unit out"
        assert archive.office.get(doc.id) == doc
        assert archive.office.store.counters() == counters

    def test_a_reply_and_its_request_share_the_code_without_unit(self, archive, clock):
        request, reply = request_and_reply(archive.office, clock)
        record = archive.file(reply, request, record_class="important")
        assert str(record.archival_code) == "0194-WS·2025-Y-0001"
        assert {archive.office.get(d).archival_code for d in record.documents} == {
            "0194-WS·2025-Y-0001"
        }

    def test_the_catalogue_lists_the_codes_without_unit(self, archive):
        office = archive.office
        for record_class in ("routine", "general", "important", "general"):
            archive.file(completed(office), record_class=record_class)
        assert archive.catalogue(year=2025).column("archival_code") == (
            "0194-WS·2025-Y-0001",
            "0194-WS·2025-D30-0001",
            "0194-WS·2025-D30-0002",
            "0194-WS·2025-D10-0001",
        )
        assert archive.catalogue(year=2025, unit="BGS").rows == ()


# ============================================================================ A4 items
class TestItems:
    """A4: one item holds a reply with its request, a forwarding document with the forwarded."""

    @EVERY_STORE
    def test_a_reply_and_its_request_are_one_item(self, archive, clock):
        request, reply = request_and_reply(archive.office, clock)
        record = archive.file(reply, request, record_class="important")
        assert record.documents == (reply.id, request.id)
        assert (record.title, str(record.document_number)) == (reply.title, "市财复〔2025〕12号")
        assert record.pages == 5
        for doc_id in record.documents:
            doc = archive.office.get(doc_id)
            assert doc.archival_code == str(record.archival_code) == "0194-WS·2025-Y-BGS-0001"
            assert doc.record_id == record.id
        assert archive.office.get(request.id).state is OutgoingState.FILED

    def test_the_reply_goes_first(self, archive, clock):
        request, reply = request_and_reply(archive.office, clock)
        err = refused(archive, request, reply, rule="A4")
        assert "复文在前" in err.reason

    def test_a_forwarding_document_and_the_forwarded_one_are_one_item(self, archive):
        office = archive.office
        forwarded = completed(office, number="市政办发〔2025〕88号")
        forwarding = dispatched(
            office,
            title="关于转发市政府办公室安全检查通知的通知",
            forwards=["市政办发〔2025〕88号"],
        )
        record = archive.file(forwarding, forwarded)
        assert record.documents == (forwarding.id, forwarded.id)
        assert {office.get(d).archival_code for d in record.documents} == {
            str(record.archival_code)
        }

    def test_the_forwarding_document_goes_first(self, archive):
        office = archive.office
        forwarded = completed(office)
        forwarding = completed(office, forwards=[forwarded.id])
        refused(archive, forwarded, forwarding, rule="A4")

    def test_unrelated_documents_are_not_one_item(self, archive):
        office = archive.office
        err = refused(archive, completed(office), completed(office), rule="A4")
        assert "file it on its own" in err.reason

    def test_a_document_with_its_attachments_is_one_item(self, archive):
        doc = completed(
            archive.office,
            page_count=7,
            attachments=[{"sequence": 1, "name": "检查表", "pages": 2}],
        )
        record = archive.file(doc)
        assert (record.documents, record.pages) == ((doc.id,), 7)

    def test_a_document_is_named_once(self, archive):
        doc = completed(archive.office)
        with pytest.raises(ValidationError) as info:
            archive.file(doc, doc)
        assert info.value.problems[0].rule == "A4"


# ============================================================================ A5 requests
class TestRequests:
    """A5: only finished matters are filed; a request still waiting for its reply is not."""

    def test_a_request_waiting_for_its_reply_is_refused(self, archive):
        request = dispatched(
            archive.office,
            kind="request",
            title="关于申请安全生产专项资金的请示",
            issuer_code="区政办",
            main_recipients=[FINANCE],
            requests=["申请安全生产专项资金50万元"],
        )
        err = refused(archive, request, rule="A5")
        assert "waiting for its reply" in err.reason

    def test_a_request_answered_may_be_filed_on_its_own(self, archive, clock):
        request, reply = request_and_reply(archive.office, clock)
        first = archive.file(reply, record_class="important")
        second = archive.file(request, record_class="important", reply=reply.id)
        assert [str(first.archival_code), str(second.archival_code)] == [
            "0194-WS·2025-Y-BGS-0001",
            "0194-WS·2025-Y-BGS-0002",
        ]
        trail = archive.office.audit(request)
        assert trail[-1].payload["reply"] == reply.id

    def test_a_reply_to_something_else_is_refused(self, archive, clock):
        request, _ = request_and_reply(archive.office, clock)
        other = completed(
            archive.office, kind="reply", title="关于另一事项的批复", replies_to="X〔2025〕1号"
        )
        err = refused(archive, request, reply=other.id, rule="A5")
        assert other.id in err.reason

    def test_an_incoming_request_waits_for_our_reply(self, archive):
        refused(archive, completed(archive.office, kind="request", sender=PEER), rule="A5")


# ============================================================================ A6 joint documents
class TestJointDocuments:
    """A6: of a joint document the lead organ files the original, the co-issuers copies."""

    def joint_copy(self, office: Office) -> IncomingDocument:
        return completed(
            office,
            kind="opinion",
            title="关于加强校园安全管理的意见",
            sender=EDUCATION,
            joint_issuers=[OURSELVES],
            co_issuer=True,
        )

    def test_a_co_issuer_files_a_copy(self, archive):
        record = archive.file(self.joint_copy(archive.office))
        assert record.original is False
        assert record.responsible == "区教委、区政府办公室"
        assert archive.catalogue().column("remark") == ("复制件",)

    def test_a_co_issuer_may_not_file_the_original(self, archive):
        err = refused(archive, self.joint_copy(archive.office), original=True, rule="A6")
        assert "files a copy" in err.reason

    def test_the_lead_organ_files_the_original(self, archive):
        joint = dispatched(archive.office, joint_issuers=[PEER])
        assert archive.file(joint).original is True
        other = dispatched(archive.office, joint_issuers=[PEER])
        refused(archive, other, original=False, rule="A6")

    def test_a_document_of_one_organ_may_be_kept_as_a_copy(self, archive):
        assert archive.file(completed(archive.office), original=False).original is False


# ============================================================================ A7 catalogue
def populate(archive: Archive, clock: FrozenClock) -> dict[str, Record]:
    """A year of filing: 2025 items in three classes and two units, one of 2024."""
    office = archive.office
    records: dict[str, Record] = {}
    notice = completed(
        office,
        title="关于做好国庆假期安全防范工作的通知",
        number="市政办发〔2025〕88号",
        date_of_issue=date(2025, 9, 20),
        page_count=4,
    )
    records["notice"] = archive.file(notice, record_class="general")
    secret = dispatched(
        office, classification="confidential", secrecy_period_years=5, page_count=6
    )  # signed 2025-09-26, 区政办发〔2025〕1号
    records["confidential"] = archive.file(secret, record_class="general")
    last_year = completed(
        office,
        title="关于做好2025年元旦春节期间有关工作的通知",
        number="市政办发〔2024〕120号",
        date_of_issue=date(2024, 12, 28),
        page_count=2,
    )
    records["last_year"] = archive.file(last_year, record_class="general")
    request, reply = request_and_reply(office, clock)
    records["funds"] = archive.file(reply, request, record_class="important")
    joint = completed(
        office,
        kind="opinion",
        title="关于加强校园安全管理的意见",
        sender=EDUCATION,
        number="区教委发〔2025〕20号",
        date_of_issue=date(2025, 9, 18),
        page_count=3,
        joint_issuers=[OURSELVES],
        co_issuer=True,
    )
    records["joint"] = archive.file(joint, record_class="routine", unit="ZHK")
    letter = completed(
        office,
        kind="letter",
        title="关于商请协助做好文化节会务保障工作的函",
        sender=CULTURE,
        number="区文旅函〔2025〕7号",
        date_of_issue=date(2025, 9, 10),
        page_count=2,
    )
    records["letter"] = archive.file(letter, record_class="routine", remark="会议材料另存")
    on_day(clock, date(2036, 1, 5))
    archive.fire(records["letter"], "appraise", by=ARCHIVIST)
    archive.fire(
        records["letter"],
        "approve_destruction",
        by=PRINCIPAL,
        authority="区政办销〔2036〕1号",
        opinion="已无保存价值，同意销毁",
    )
    records["letter"] = archive.destroy(records["letter"])
    return records


def read_csv(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text.removeprefix("\ufeff"))))


class TestCatalogue:
    """A7: the filing catalogue 归档文件目录, per year and class, as CSV and JSON."""

    @EVERY_STORE
    def test_the_2025_catalogue_is_the_one_written_by_hand(self, archive, clock):
        populate(archive, clock)
        expected = read_csv((DATA / "catalogue-2025.csv").read_text(encoding="utf-8"))
        assert read_csv(archive.catalogue(year=2025).to_csv()) == expected

    def test_a_catalogue_per_class_numbers_its_items(self, archive, clock):
        populate(archive, clock)
        register = archive.catalogue(year=2025, retention="D30", unit="BGS")
        assert register.column("sequence") == (1, 2)
        assert register.column("archival_code") == (
            "0194-WS·2025-D30-BGS-0001",
            "0194-WS·2025-D30-BGS-0002",
        )
        assert archive.catalogue(year=2024).column("title") == (
            "关于做好2025年元旦春节期间有关工作的通知",
        )

    def test_the_catalogue_exports_as_json(self, archive, clock):
        populate(archive, clock)
        document = json.loads(archive.catalogue(year=2025, retention="Y").to_json())
        assert document["title"] == "归档文件目录"
        assert [c["label"] for c in document["columns"]] == [
            "序号", "档号", "文号", "责任者", "题名", "日期", "密级", "页数", "备注",
        ]  # fmt: skip
        assert document["rows"] == [
            {
                "sequence": 1,
                "archival_code": "0194-WS·2025-Y-BGS-0001",
                "document_number": "市财复〔2025〕12号",
                "responsible": "市财政局",
                "title": "关于同意拨付安全生产专项资金的批复",
                "date": "20251015",
                "classification": None,
                "pages": 5,
                "remark": None,
            }
        ]


# ============================================================================ A8 disposition
class TestRetentionEnd:
    """A8: a fixed period counts from 1 January after the item's year; permanent never ends."""

    def test_the_end_of_a_period(self):
        assert retention_end(2025, Retention.YEARS_10) == date(2035, 12, 31)
        assert retention_end(2025, Retention.YEARS_30) == date(2055, 12, 31)
        assert retention_end(2025, Retention.PERMANENT) is None

    def test_records_whose_retention_ended_are_due_for_review(self, archive, clock):
        office = archive.office
        routine = archive.file(completed(office), record_class="routine")
        general = archive.file(completed(office), record_class="general")
        permanent = archive.file(completed(office), record_class="important")
        assert (routine.retention_ends, general.retention_ends, permanent.retention_ends) == (
            date(2035, 12, 31),
            date(2055, 12, 31),
            None,
        )
        on_day(clock, date(2035, 12, 31))
        assert archive.due() == []
        on_day(clock, date(2036, 1, 1))
        assert [r.id for r in archive.due()] == [routine.id]
        on_day(clock, date(2099, 1, 1))
        assert [r.id for r in archive.due()] == [routine.id, general.id]


class TestDisposition:
    """A8: destruction only through an approved appraisal; holds block it; a tombstone stays."""

    def ended(self, archive: Archive, clock: FrozenClock) -> Record:
        record = archive.file(completed(archive.office, page_count=2), record_class="routine")
        on_day(clock, date(2036, 1, 5))
        return record

    def approved(self, archive: Archive, clock: FrozenClock) -> Record:
        record = archive.fire(self.ended(archive, clock), "appraise", by=ARCHIVIST)
        return archive.fire(
            record,
            "approve_destruction",
            by=PRINCIPAL,
            authority="销毁清册〔2036〕1号",
            opinion="同意销毁",
        )

    def test_a_record_is_appraised_only_once_its_retention_ended(self, archive, clock):
        record = archive.file(completed(archive.office), record_class="routine")
        on_day(clock, date(2035, 12, 31))
        with pytest.raises(TransitionNotAllowed) as info:
            archive.fire(record, "appraise", by=ARCHIVIST)
        assert info.value.rule_code == "A8"
        permanent = archive.file(completed(archive.office), record_class="important")
        on_day(clock, date(2999, 1, 1))
        with pytest.raises(TransitionNotAllowed) as info:
            archive.fire(permanent, "appraise", by=ARCHIVIST)
        assert (info.value.rule_code, info.value.entity_id) == ("A8", permanent.id)

    @EVERY_STORE
    def test_destruction_follows_an_approved_appraisal_and_leaves_a_tombstone(self, archive, clock):
        record = self.ended(archive, clock)
        with pytest.raises(TransitionNotAllowed) as info:
            archive.destroy(record)
        assert info.value.rule_code == "STATE"
        record = archive.fire(record, "appraise", by=ARCHIVIST)
        with pytest.raises(TransitionNotAllowed) as info:
            archive.fire(record, "approve_destruction", by=ARCHIVIST, authority="x", opinion="y")
        assert info.value.rule_code == "ROLE"
        record = archive.fire(
            record,
            "approve_destruction",
            by=PRINCIPAL,
            authority="销毁清册〔2036〕1号",
            opinion="同意销毁",
        )
        assert record.appraisals[-1].decision is Disposition.DESTROY
        assert (record.appraisals[-1].by, record.appraisals[-1].at) == (
            PRINCIPAL.id,
            archive.office.now(),
        )
        destroyed = archive.destroy(record)
        assert destroyed.state is RecordState.DESTROYED
        event = archive.office.audit(record)[-1]
        assert (event.trigger, event.actor.id) == ("destroy", ARCHIVIST.id)
        tombstone = Tombstone.model_validate(event.payload["tombstone"])
        assert (tombstone.record_id, tombstone.archival_code, tombstone.title) == (
            record.id,
            "0194-WS·2025-D10-BGS-0001",
            "关于开展安全检查的通知",
        )
        assert (tombstone.authority, tombstone.approved_by) == ("销毁清册〔2036〕1号", PRINCIPAL.id)
        assert tombstone.documents == record.documents
        assert destroyed.destruction is not None
        assert destroyed.destruction.tombstone == tombstone
        assert archive.office.replay(record) == destroyed

    def test_a_tombstone_must_describe_the_record(self, archive, clock):
        record = self.approved(archive, clock)
        from secretarial.records import tombstone_of  # noqa: PLC0415

        lie = tombstone_of(record).model_copy(update={"title": "另一份文件"})
        with pytest.raises(TransitionNotAllowed) as info:
            archive.fire(record, "destroy", by=ARCHIVIST, tombstone=lie)
        assert info.value.rule_code == "A8"

    @EVERY_STORE
    def test_a_record_on_hold_cannot_be_destroyed(self, archive, clock):
        record = archive.fire(self.ended(archive, clock), "appraise", by=ARCHIVIST)
        record = archive.fire(
            record, "place_hold", by=DIRECTOR, reference="（2036）区法保字1号", basis="诉讼保全"
        )
        assert record.on_hold
        with pytest.raises(TransitionNotAllowed) as info:
            archive.fire(record, "approve_destruction", by=PRINCIPAL, authority="a", opinion="b")
        assert info.value.rule_code == "A8"
        record = archive.fire(record, "release_hold", by=DIRECTOR, reference="（2036）区法保字1号")
        record = archive.fire(
            record,
            "approve_destruction",
            by=PRINCIPAL,
            authority="销毁清册〔2036〕1号",
            opinion="同意",
        )
        record = archive.fire(
            record, "place_hold", by=LEADER, reference="审计〔2036〕3号", basis="审计调阅"
        )
        before = archive.record(record.id)
        with pytest.raises(TransitionNotAllowed) as info:
            archive.destroy(record)
        assert info.value.rule_code == "A8"
        assert "审计〔2036〕3号" in info.value.reason
        assert archive.record(record.id) == before
        archive.fire(
            record, "release_hold", by=LEADER, reference="审计〔2036〕3号", note="审计结束"
        )
        assert archive.destroy(record).state is RecordState.DESTROYED

    def test_a_hold_is_released_only_if_in_place(self, archive):
        record = archive.file(completed(archive.office))
        with pytest.raises(TransitionNotAllowed) as info:
            archive.fire(record, "release_hold", by=DIRECTOR, reference="none")
        assert info.value.rule_code == "HOLD"

    def test_an_appraisal_may_keep_the_record_longer(self, archive, clock):
        record = archive.fire(self.ended(archive, clock), "appraise", by=ARCHIVIST)
        with pytest.raises(TransitionNotAllowed) as info:
            archive.fire(
                record, "retain", by=DIRECTOR, basis="仍有查考价值", until=date(2035, 12, 31)
            )
        assert info.value.rule_code == "A8"
        record = archive.fire(record, "retain", by=DIRECTOR, basis="仍有查考价值", retention="D30")
        assert record.state is RecordState.RETAINED
        assert record.retention_ends == date(2055, 12, 31)
        assert record.appraisals[-1].decision is Disposition.RETAIN
        assert archive.due() == []
        assert str(record.archival_code) == "0194-WS·2025-D10-BGS-0001"  # codes are never reissued

    @EVERY_STORE
    def test_retention_is_extended_never_shortened(self, archive):
        record = archive.file(completed(archive.office), record_class="general")
        for shorter in (
            {"retention": "D10"},
            {"until": date(2040, 1, 1)},
            {"until": date(2055, 12, 31)},
        ):
            with pytest.raises(TransitionNotAllowed) as info:
                archive.fire(record, "extend_retention", by=ARCHIVIST, **shorter)
            assert info.value.rule_code == "A8"
        record = archive.fire(record, "extend_retention", by=ARCHIVIST, until=date(2060, 12, 31))
        assert record.retention_ends == date(2060, 12, 31)
        record = archive.fire(
            record, "extend_retention", by=DIRECTOR, retention="Y", note="升为永久"
        )
        assert record.retention_ends is None
        assert [e.new_end for e in record.extensions] == [date(2060, 12, 31), None]
        with pytest.raises(TransitionNotAllowed) as info:
            archive.fire(record, "extend_retention", by=ARCHIVIST, until=date(2999, 1, 1))
        assert info.value.rule_code == "A8"
        with pytest.raises(ValidationError):
            archive.fire(record, "extend_retention", by=ARCHIVIST)

    def test_a_record_is_never_stored_with_a_shorter_retention(self):
        with pytest.raises(secretarial.ValidationError, match="A8"):
            Record(
                id="r",
                version=1,
                created_at=datetime(2026, 1, 1, tzinfo=BEIJING),
                created_by="archivist",
                updated_at=datetime(2026, 1, 1, tzinfo=BEIJING),
                archival_code="0194-WS·2025-D30-BGS-0001",
                record_class="general",
                documents=("in-1",),
                title="t",
                responsible="r",
                document_date=date(2025, 1, 1),
                retention_ends=date(2035, 12, 31),
            )

    def test_the_record_replays_from_its_audit_trail(self, archive, clock):
        record = self.approved(archive, clock)
        assert archive.office.replay(record) == record
        for doc_id in record.documents:
            assert archive.office.replay(doc_id) == archive.office.get(doc_id)


# ============================================================================ properties
CLASSES = {"important": "Y", "general": "D30", "routine": "D10"}
FILINGS = st.lists(
    st.tuples(
        st.sampled_from([2024, 2025]),
        st.sampled_from(sorted(CLASSES)),
        st.sampled_from(["BGS", "ZHK"]),
        st.booleans(),
    ),
    min_size=1,
    max_size=12,
)


@given(filings=FILINGS)
def test_codes_are_unique_parse_back_and_count_from_0001_in_each_class(filings):
    """Whatever is filed (and refused) in whatever order, each class counts 0001, 0002 ..."""
    office, _ = memory_office()
    archive = Archive(office)
    expected: dict[str, list[str]] = defaultdict(list)
    for year, record_class, unit, refuse in filings:
        day = date(year, 6, 1)
        if refuse:  # the lead draws a number, then its forwarded document is not finished
            waiting = office.documents.receive(
                by=CLERK, kind="notice", title="待办", sender=SUPERIOR, channel="paper",
                received_at=office.now(),
            )  # fmt: skip
            lead = completed(office, date_of_issue=day, forwards=[waiting.id])
            with pytest.raises(TransitionNotAllowed):
                archive.file(lead, waiting, record_class=record_class, unit=unit)
            continue
        record = archive.file(
            completed(office, date_of_issue=day), record_class=record_class, unit=unit
        )
        code = record.archival_code
        assert ArchivalCode.parse(str(code)) == code
        assert (code.fonds, code.category, code.year, code.retention.value, code.unit) == (
            "0194", "WS", year, CLASSES[record_class], unit,
        )  # fmt: skip
        expected[str(code.archival_class)].append(str(code))
    codes = [str(r.archival_code) for r in archive.records()]
    assert len(codes) == len(set(codes)) == sum(map(len, expected.values()))
    for archival_class, filed in expected.items():
        assert filed == [f"{archival_class}-{n:04d}" for n in range(1, len(filed) + 1)]
    counters = office.store.counters()
    assert {k: v for (series, k), v in counters.items() if series == "archival"} == {
        k: len(v) for k, v in expected.items()
    }


# ============================================================================ concurrency
WORKERS = 4
PER_WORKER = 4


@pytest.fixture(params=["sqlite", "postgres"])
def shared_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'shared.db'}"
    url = postgres_url()
    reset_postgres(url)
    return url


def test_concurrent_filings_draw_unique_consecutive_item_numbers(shared_url):
    """Archivists in several offices file at once: 0001 ... N, none twice, none skipped."""
    clock = FrozenClock(START)
    with Office.open(shared_url, clock=clock) as office:
        batches = [[completed(office).id for _ in range(PER_WORKER)] for _ in range(WORKERS)]
        waiting = [completed(office, kind="request", sender=PEER).id for _ in range(WORKERS)]
    start = threading.Barrier(WORKERS, timeout=60)
    results: list[Any] = [None] * WORKERS

    def work(worker: int) -> None:
        try:
            with Office.open(shared_url, clock=clock) as mine:
                archive = Archive(mine)
                start.wait()
                codes = []
                for n, doc_id in enumerate(batches[worker]):
                    if n == 1:  # a refused filing in the middle draws a number and gives it back
                        with pytest.raises(TransitionNotAllowed):
                            archive.file(waiting[worker])
                    codes.append(str(archive.file(doc_id).archival_code))
                results[worker] = codes
        except BaseException as e:  # noqa: BLE001 -- reported by the main thread
            results[worker] = e

    threads = [threading.Thread(target=work, args=(w,)) for w in range(WORKERS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    errors = [r for r in results if isinstance(r, BaseException)]
    assert errors == []
    codes = [c for batch in results for c in batch]
    items = sorted(ArchivalCode.parse(c).item for c in codes)
    assert items == list(range(1, WORKERS * PER_WORKER + 1))
    assert Counter(ArchivalCode.parse(c).archival_class for c in codes) == Counter(
        {ArchivalClass.parse("0194-WS·2025-D30-BGS"): WORKERS * PER_WORKER}
    )
    for batch in results:  # each worker's own codes rise in the order it filed
        assert batch == sorted(batch)
    with Office.open(shared_url, clock=clock) as office:
        archive = Archive(office)
        assert len(archive.records()) == WORKERS * PER_WORKER
        assert all(office.get(d).state is IncomingState.FILED for b in batches for d in b)
        assert all(office.get(d).state is IncomingState.COMPLETED for d in waiting)
