"""Registers 登记簿 and the supervision ledger 督办台账: rows, order, filters and exports."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from conftest import (
    CLERK,
    DIRECTOR,
    DRAFTER,
    PEER,
    START,
    SUBORDINATE,
    SUPERIOR,
    SUPERVISOR,
    UNDERTAKER,
    UNIT_A,
    UNIT_B,
)
from secretarial import (
    Actor,
    Classification,
    IncomingDocument,
    Office,
    Register,
    RegisterColumn,
    Role,
    SupervisionItem,
    UsageError,
    incoming_register,
    outgoing_register,
    supervision_ledger,
)
from secretarial.testing import FrozenClock

BEIJING = ZoneInfo("Asia/Shanghai")
VICE_MAYOR = Actor(
    id="li", name="李副市长", roles=frozenset({Role.LEADER}), clearance=Classification.CONFIDENTIAL
)
MAYOR = Actor(
    id="wang",
    name="王市长",
    roles=frozenset({Role.LEADER, Role.PRINCIPAL_LEADER}),
    clearance=Classification.CONFIDENTIAL,
)
EDU_HEAD = Actor(
    id="zhao", name="赵主任", roles=frozenset({Role.LEADER}), clearance=Classification.CONFIDENTIAL
)

INCOMING_ZH = (
    "收文编号,收文时间,来文机关,来文字号,标题,文种,密级,紧急程度,份号,页数,"
    "办理类型,主办单位,办理期限,办理状态,备注"
)
INCOMING_EN = (
    "registration_number,received_at,sender,number,title,kind,classification,urgency,"
    "copy_number,page_count,handling_type,lead_unit,deadline,state,remark"
)


def at(day: date, hour: int = 9, minute: int = 0) -> datetime:
    """A moment in Beijing."""
    return datetime.combine(day, time(hour, minute), tzinfo=BEIJING)


# ============================================================================ a realistic office
def receive(office: Office, title: str, sender: dict[str, str], **fields: Any) -> str:
    doc = office.documents.receive(
        by=CLERK,
        kind=fields.pop("kind", "notice"),
        title=title,
        sender=sender,
        channel=fields.pop("channel", "paper"),
        received_at=office.now(),
        **fields,
    )
    return doc.id


def signed(office: Office, title: str, *, signer: Actor = VICE_MAYOR, **fields: Any) -> str:
    """Draft, submit, review and sign an outgoing document; return its id."""
    doc = office.documents.draft(
        by=DRAFTER,
        kind=fields.pop("kind", "notice"),
        title=title,
        issuer_code="市政办发",
        drafting_unit=UNIT_B,
        main_recipients=fields.pop("main_recipients", [SUBORDINATE]),
        **fields,
    )
    office.fire(doc.id, "submit", by=DRAFTER)
    office.fire(doc.id, "review", by=DIRECTOR, opinion="拟同意")
    for organ, leader in ((PEER, EDU_HEAD),) if doc.joint_issuers else ():
        office.fire(doc.id, "countersign", by=leader, organ=organ, opinion="会签同意")
    office.fire(doc.id, "sign", by=signer, opinion="同意印发")
    return doc.id


def register_outgoing(office: Office, doc_id: str, copies: int) -> None:
    office.fire(doc_id, "recheck", by=CLERK)
    office.fire(doc_id, "register", by=CLERK, copies=copies)


def open_item(office: Office, requirement: str, source: str, **assign: Any) -> str:
    item = office.supervision.open(
        by=SUPERVISOR,
        source=source,
        requirement=requirement,
        instructed_by="王市长" if source == "leader_instruction" else None,
        received_at=office.now(),
    )
    if assign:
        office.fire(item.id, "assign", by=SUPERVISOR, **assign)
        office.fire(item.id, "accept", by=UNDERTAKER)
    return item.id


def populate(office: Office, clock: FrozenClock) -> None:  # noqa: PLR0915 -- one story, told in order
    """A year-end 2024 and an autumn 2025 of an office's work (ids in-1 ... sup-15)."""
    # --- 2024-12-30: one document in, one out, in last year's series
    clock.set(at(date(2024, 12, 30), 10))
    in1 = receive(office, "关于做好2025年元旦春节期间有关工作的通知", SUPERIOR)
    office.fire(in1, "register", by=CLERK)  # 2024-0001
    out2 = signed(office, "关于2025年元旦假期值班安排的通知")
    register_outgoing(office, out2, copies=5)  # 市政办发〔2024〕1号

    # --- 2025-09-26: incoming documents through different states
    clock.set(START)  # 09:00 Beijing
    in3 = receive(
        office,
        "关于开展安全生产大检查的通知",
        SUPERIOR,
        classification="confidential",
        secrecy_period_years=5,
        copy_number="000012",
    )
    office.fire(
        in3, "register", by=CLERK, number="市政办发〔2025〕88号", page_count=6, urgency="urgent"
    )  # 2025-0001
    office.fire(in3, "screen", by=CLERK)
    office.fire(in3, "propose", by=DIRECTOR, handling_type="for_handling", lead_unit=UNIT_A)
    office.fire(
        in3,
        "approve",
        by=MAYOR,
        instruction="请综合科牵头，秘书科配合，抓紧落实",
        co_units=[UNIT_B],
        deadline=date(2025, 10, 10),
        chaser=CLERK.id,
    )
    office.fire(in3, "assign", by=DIRECTOR, assignee=UNDERTAKER.id)
    office.fire(in3, "complete", by=UNDERTAKER, result="已制定检查方案并部署")

    clock.advance(hours=1)
    in4 = receive(office, "关于商请协助开展调研的函", PEER, kind="letter", channel="electronic")
    office.fire(in4, "register", by=CLERK)  # 2025-0002
    office.fire(in4, "return_to_sender", by=CLERK, reason="不属于本机关职责")

    clock.advance(hours=1)
    in5 = receive(office, "关于第三季度工作情况的报告", SUBORDINATE, kind="report")
    office.fire(in5, "register", by=CLERK, page_count=12)  # 2025-0003
    office.fire(in5, "screen", by=CLERK)
    office.fire(in5, "propose", by=DIRECTOR, handling_type="for_reading")
    office.fire(in5, "approve", by=VICE_MAYOR, instruction="请各位领导阅")
    office.fire(in5, "circulate", by=CLERK, readers=["li", "wang"])

    clock.advance(hours=1)
    receive(office, "关于报送2025年度统计资料的通知", PEER)  # in-6: received, not registered

    # --- outgoing: drafted in one order, numbered in another
    clock.set(at(date(2025, 9, 29), 9))
    out7 = signed(office, "关于加强国庆期间值班工作的通知")
    out8 = signed(office, "关于联合开展校园安全检查的通知", joint_issuers=[PEER], cc=[PEER])
    register_outgoing(office, out8, copies=30)  # 市政办发〔2025〕1号
    clock.advance(minutes=30)
    office.fire(out8, "print", by=CLERK)
    clock.advance(minutes=30)
    office.fire(out8, "dispatch", by=CLERK)  # 10:00
    register_outgoing(office, out7, copies=10)  # 市政办发〔2025〕2号
    signed(  # out-9: an upward request, signed, not yet registered
        office,
        "关于拨付安全检查专项经费的请示",
        signer=MAYOR,
        kind="request",
        main_recipients=[SUPERIOR],
        requests=["拨付专项经费20万元"],
    )
    office.documents.draft(  # out-10: a draft
        by=DRAFTER, kind="letter", title="关于商请提供资料的函", issuer_code="市政办函"
    )

    # --- supervision items, from the same day on
    sup11 = open_item(
        office,
        "落实安全生产大检查部署",
        "leader_instruction",
        lead_unit=UNIT_A,
        co_units=[UNIT_B],
        deadline=date(2025, 10, 10),
        report_cycle="weekly",
    )
    sup12 = open_item(
        office,
        "完成老旧小区改造方案",
        "meeting_decision",
        lead_unit=UNIT_B,
        deadline=date(2025, 10, 9),
    )
    sup13 = open_item(
        office,
        "报送安全检查情况",
        "document_instruction",
        lead_unit=UNIT_A,
        deadline=date(2025, 9, 30),
    )
    open_item(office, "研究建立督查通报制度", "upper_directive")  # sup-14: no deadline yet
    sup15 = open_item(
        office, "筹备国庆座谈会", "leader_instruction", lead_unit=UNIT_B, deadline=date(2025, 10, 5)
    )
    office.fire(sup15, "cancel", by=SUPERVISOR, reason="会议取消")
    office.fire(sup13, "submit_result", by=UNDERTAKER, result="已报送")
    office.fire(sup13, "verify", by=SUPERVISOR, verification="情况属实")

    clock.set(at(date(2025, 9, 30), 16))
    office.fire(sup11, "report_progress", by=UNDERTAKER, text="已完成自查")
    clock.set(at(date(2025, 10, 9), 11))
    office.fire(sup11, "report_progress", by=UNDERTAKER, text="整改完成60%")
    office.fire(
        sup11,
        "request_extension",
        by=UNDERTAKER,
        reason="需协调多部门",
        proposed_deadline=date(2025, 10, 20),
    )
    office.fire(sup11, "grant_extension", by=SUPERVISOR, deadline=date(2025, 10, 17))
    office.fire(
        sup11,
        "request_extension",
        by=UNDERTAKER,
        reason="仍需时间",
        proposed_deadline=date(2025, 10, 31),
    )
    office.fire(sup11, "refuse_extension", by=SUPERVISOR, reason="时限不能再延")
    assert office.get(sup12).deadline == date(2025, 10, 9)


@pytest.fixture
def busy(office: Office, clock: FrozenClock) -> Office:
    """The office after :func:`populate`, on the store the test is parametrised with."""
    populate(office, clock)
    return office


# ============================================================================ incoming register
class TestIncomingRegister:
    """收文登记簿: one row per incoming document, in registration order."""

    def test_exact_csv_for_a_small_office(self, office: Office, clock: FrozenClock) -> None:
        """Written by hand from the rules: quoting, empty cells, labels, office time zone."""
        tricky = receive(office, '关于做好"两节"期间安全,稳定工作的通知\n（第二批）', SUPERIOR)
        office.fire(
            tricky,
            "register",
            by=CLERK,
            number="市政办发〔2025〕12号",
            page_count=4,
            urgency="urgent",
        )
        clock.advance(minutes=30)
        receive(office, "关于商请支持的函", PEER, kind="letter")

        expected = (
            "\ufeff"
            "收文编号,收文时间,来文机关,来文字号,标题,文种,密级,紧急程度,份号,页数,"
            "办理类型,主办单位,办理期限,办理状态,备注\r\n"
            "2025-0001,2025-09-26T09:00:00+08:00,市政府办公室,市政办发〔2025〕12号,"
            '"关于做好""两节""期间安全,稳定工作的通知\n（第二批）",通知,非密,加急,,4,,,,登记,\r\n'
            ",2025-09-26T09:30:00+08:00,市教委,,关于商请支持的函,函,非密,,,,,,,签收,\r\n"
        )
        assert office.documents.incoming_register().to_csv() == expected

    def test_rows_state_labels_and_remarks(self, busy: Office) -> None:
        reg = busy.documents.incoming_register(year=2025)
        assert reg.title == "收文登记簿"
        assert reg.title_en == "Incoming document register"
        first, returned, circulating, unregistered = reg.records()
        assert first == {
            "registration_number": "2025-0001",
            "received_at": "2025-09-26T09:00:00+08:00",
            "sender": "市政府办公室",
            "number": "市政办发〔2025〕88号",
            "title": "关于开展安全生产大检查的通知",
            "kind": "通知",
            "classification": "秘密",
            "urgency": "加急",
            "copy_number": "000012",
            "page_count": 6,
            "handling_type": "办件",
            "lead_unit": "综合科",
            "deadline": "2025-10-10",
            "state": "办结",
            "remark": "已制定检查方案并部署",
        }
        assert (returned["state"], returned["remark"]) == ("退回", "退回：不属于本机关职责")
        assert (circulating["handling_type"], circulating["state"]) == ("阅件", "传阅")
        assert circulating["lead_unit"] is None
        assert unregistered["registration_number"] is None
        assert unregistered["state"] == "签收"

    def test_order_and_year_filter(self, busy: Office) -> None:
        everything = busy.documents.incoming_register()
        assert everything.column("registration_number") == (
            "2024-0001",
            "2025-0001",
            "2025-0002",
            "2025-0003",
            None,
        )
        assert busy.documents.incoming_register(year=2024).column("title") == (
            "关于做好2025年元旦春节期间有关工作的通知",
        )
        assert len(busy.documents.incoming_register(year=2025)) == 4
        assert len(busy.documents.incoming_register(year=2023)) == 0

    def test_the_year_is_counted_in_the_office_zone(
        self, office: Office, clock: FrozenClock
    ) -> None:
        clock.set(datetime(2024, 12, 31, 16, 30, tzinfo=UTC))  # 00:30 on 2025-01-01 in Beijing
        receive(office, "关于元旦慰问的通知", SUPERIOR)
        assert len(office.documents.incoming_register(year=2025)) == 1
        assert len(office.documents.incoming_register(year=2024)) == 0
        (row,) = office.documents.incoming_register()
        assert row[1] == "2025-01-01T00:30:00+08:00"


# ============================================================================ outgoing register
class TestOutgoingRegister:
    """发文登记簿: one row per outgoing document, in number order."""

    def test_rows_signers_and_dispatch(self, busy: Office) -> None:
        reg = busy.documents.outgoing_register(year=2025)
        assert reg.title == "发文登记簿"
        joint, second, request, draft = reg.records()
        assert joint == {
            "number": "市政办发〔2025〕1号",
            "title": "关于联合开展校园安全检查的通知",
            "kind": "通知",
            "drafting_unit": "秘书科",
            "drafter": "drafter",
            "signers": "李副市长、赵主任",
            "signed_on": "2025-09-29",
            "main_recipients": "区办公室",
            "cc": "市教委",
            "copies": 30,
            "classification": "非密",
            "urgency": None,
            "dispatched_at": "2025-09-29T10:00:00+08:00",
            "state": "核发",
            "remark": None,
        }
        assert (second["number"], second["copies"], second["state"]) == (
            "市政办发〔2025〕2号",
            10,
            "登记",
        )
        assert second["dispatched_at"] is None
        assert (request["number"], request["signers"], request["state"]) == (None, "王市长", "签发")
        assert request["main_recipients"] == "市政府办公室"
        assert (draft["signers"], draft["signed_on"], draft["state"]) == (None, None, "起草")

    def test_number_order_not_drafting_order(self, busy: Office) -> None:
        reg = busy.documents.outgoing_register()
        assert reg.column("number") == (
            "市政办发〔2024〕1号",
            "市政办发〔2025〕1号",  # drafted after 〔2025〕2号, registered before it
            "市政办发〔2025〕2号",
            None,
            None,
        )
        assert reg.column("title")[3:] == ("关于拨付安全检查专项经费的请示", "关于商请提供资料的函")

    def test_year_filter_uses_the_number_year_then_the_drafting_year(self, busy: Office) -> None:
        assert busy.documents.outgoing_register(year=2024).column("number") == (
            "市政办发〔2024〕1号",
        )
        assert len(busy.documents.outgoing_register(year=2025)) == 4  # two numbered, two not yet


# ============================================================================ supervision ledger
class TestSupervisionLedger:
    """督办台账: one row per item, by deadline; overdue judged on a given day."""

    def test_rows_extensions_and_progress(self, busy: Office) -> None:
        ledger = busy.supervision.ledger(as_of=date(2025, 10, 10))
        assert ledger.title == "督办台账"
        assert ledger.as_of == date(2025, 10, 10)
        by_id = {r["id"]: r for r in ledger.records()}
        assert by_id["sup-11"] == {
            "id": "sup-11",
            "source": "领导批示",
            "requirement": "落实安全生产大检查部署",
            "instructed_by": "王市长",
            "lead_unit": "综合科",
            "co_units": "秘书科",
            "received_at": "2025-09-29T10:00:00+08:00",  # after out-8 was dispatched
            "deadline": "2025-10-17",
            "report_cycle": "每周",
            "progress": "2025-10-09 整改完成60%",
            "extensions": "2025-10-20→2025-10-17 同意；2025-10-31 不同意",
            "state": "承办",
            "overdue": "否",
            "deadline_provisional": None,
        }
        assert by_id["sup-14"]["lead_unit"] is None
        assert by_id["sup-14"]["state"] == "立项"
        assert by_id["sup-14"]["report_cycle"] == "不定期"
        assert (by_id["sup-13"]["state"], by_id["sup-15"]["state"]) == ("办结", "撤销")

    def test_order_by_deadline_then_id_without_deadline_last(self, busy: Office) -> None:
        ledger = busy.supervision.ledger(as_of=date(2025, 10, 10))
        assert ledger.column("id") == ("sup-13", "sup-15", "sup-12", "sup-11", "sup-14")
        assert ledger.column("deadline") == (
            "2025-09-30",
            "2025-10-05",
            "2025-10-09",
            "2025-10-17",
            None,
        )

    def test_overdue_as_of_a_day(self, busy: Office) -> None:
        cases = {
            date(2025, 10, 9): (),  # sup-12 is due that day: not overdue yet
            date(2025, 10, 10): ("sup-12",),
            date(2025, 10, 18): ("sup-12", "sup-11"),  # the extended deadline passed
            date(2026, 1, 1): ("sup-12", "sup-11"),  # closed items never are
        }
        for as_of, overdue in cases.items():
            ledger = busy.supervision.ledger(as_of=as_of)
            flagged = tuple(r["id"] for r in ledger.records() if r["overdue"] == "是")
            assert flagged == overdue, as_of
            assert set(ledger.column("overdue")) <= {"是", "否"}

    def test_open_only_and_today_by_default(self, busy: Office, clock: FrozenClock) -> None:
        assert busy.supervision.ledger(open_only=True).column("id") == (
            "sup-12",
            "sup-11",
            "sup-14",
        )
        clock.set(at(date(2025, 10, 10), 8))
        ledger = busy.supervision.ledger()
        assert ledger.as_of == date(2025, 10, 10)
        assert (
            dict(zip(ledger.column("id"), ledger.column("overdue"), strict=True))["sup-12"] == "是"
        )


# ============================================================================ exports
class TestExports:
    """CSV (headers, BOM, quoting), JSON, HTML, files and streams."""

    def test_headers_zh_and_en_and_the_bom(self, busy: Office) -> None:
        reg = busy.documents.incoming_register()
        zh = reg.to_csv()
        assert zh.startswith("\ufeff" + INCOMING_ZH + "\r\n")
        en = reg.to_csv(headers="en", bom=False)
        assert en.startswith(INCOMING_EN + "\r\n")
        assert zh.encode("utf-8").startswith(b"\xef\xbb\xbf")
        assert zh.removeprefix("\ufeff").split("\r\n", 1)[1] == en.split("\r\n", 1)[1]
        with pytest.raises(UsageError, match="'zh' or 'en'"):
            reg.to_csv(headers="fr")  # type: ignore[arg-type]

    def test_a_title_with_comma_quote_and_newline_stays_one_cell(self, office: Office) -> None:
        title = '关于"十四五"规划, 中期评估\n的通知'
        office.fire(receive(office, title, SUPERIOR), "register", by=CLERK)
        text = office.documents.incoming_register().to_csv(bom=False)
        assert '"关于""十四五""规划, 中期评估\n的通知"' in text
        header, row = list(csv.reader(io.StringIO(text, newline="")))
        assert row[header.index("标题")] == title
        assert len(row) == len(header) == 15

    def test_json_round_trip(self, busy: Office) -> None:
        ledger = busy.supervision.ledger(as_of=date(2025, 10, 10))
        text = ledger.to_json()
        assert "督办台账" in text  # ensure_ascii=False: Chinese as is
        data = json.loads(text)
        assert list(data) == ["title", "title_en", "as_of", "columns", "rows"]
        assert data["title"] == "督办台账"
        assert data["title_en"] == "Supervision ledger"
        assert data["as_of"] == "2025-10-10"
        assert data["columns"][:3] == [
            {"key": "id", "label": "编号"},
            {"key": "source", "label": "来源"},
            {"key": "requirement", "label": "督办事项"},
        ]
        assert [c["key"] for c in data["columns"]] == list(ledger.keys)
        assert data["rows"] == [dict(r) for r in ledger.records()]
        assert list(data["rows"][0]) == list(ledger.keys)
        assert data["rows"][3]["extensions"] == "2025-10-20→2025-10-17 同意；2025-10-31 不同意"
        assert data["rows"][4]["deadline"] is None
        assert (
            json.loads(busy.documents.outgoing_register().to_json(indent=None))["rows"][1]["copies"]
            == 30
        )

    def test_html_escapes_every_cell(self, office: Office) -> None:
        receive(office, "<script>alert('x')</script> & 通知", SUPERIOR)
        page = office.documents.incoming_register()._repr_html_()
        assert "<script>" not in page
        assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; &amp; 通知" in page
        assert page.count("<tr>") == 2
        assert '<th title="registration_number">收文编号</th>' in page

    def test_write_csv_to_a_path_and_a_stream(self, tmp_path: Path) -> None:
        reg = Register(
            "测试簿",
            "Test register",
            (RegisterColumn("title", "标题"), RegisterColumn("pages", "页数")),
            (("一,二", 3), ("多\n行", None)),
        )
        path = tmp_path / "reg.csv"
        reg.write_csv(path)
        expected = '\ufeff标题,页数\r\n"一,二",3\r\n"多\n行",\r\n'
        assert path.read_bytes() == expected.encode("utf-8")
        stream = io.StringIO(newline="")
        reg.write_csv(stream, headers="en", bom=False)
        assert stream.getvalue() == 'title,pages\r\n"一,二",3\r\n"多\n行",\r\n'
        with pytest.raises(UsageError):
            reg.write_csv(tmp_path / "no.csv", headers="de")  # type: ignore[arg-type]
        assert not (tmp_path / "no.csv").exists()

    def test_formulas_are_written_as_text(self, office: Office, tmp_path: Path) -> None:
        """A title a spreadsheet would run is written with a leading apostrophe."""
        for title in ('=HYPERLINK("http://x","点击")', "+1+2", "-3", "@SUM(A1:A2)"):
            receive(office, title, SUPERIOR)
        register = office.documents.incoming_register()
        titles = [
            row["title"]
            for row in csv.DictReader(io.StringIO(register.to_csv(headers="en", bom=False)))
        ]
        assert titles == [
            '\'=HYPERLINK("http://x","点击")',
            "'+1+2",
            "'-3",
            "'@SUM(A1:A2)",
        ]
        kept = register.to_csv(headers="en", bom=False, neutralise_formulas=False)
        assert next(r["title"] for r in csv.DictReader(io.StringIO(kept))).startswith("=")
        path = tmp_path / "reg.csv"
        register.write_csv(path, headers="en")
        assert "'+1+2" in path.read_text(encoding="utf-8")
        assert register.column("title")[1] == "+1+2"  # the register itself keeps the value

    def test_numbers_are_not_touched_and_tabs_and_returns_are(self) -> None:
        rows = ((-1,), ("-",), ("\tx",), ("\ry",), ("a=b",))
        reg = Register("簿", "Book", (RegisterColumn("n", "号"),), rows)
        assert reg.to_csv(bom=False) == "号\r\n-1\r\n'-\r\n'\tx\r\n\"'\ry\"\r\na=b\r\n"


# ============================================================================ the value itself
class TestRegisterValue:
    """The Register value: immutable, iterable, checked; the functions take only their kind."""

    def test_len_iteration_and_immutability(self) -> None:
        reg = Register("簿", "Book", (RegisterColumn("n", "号"),), [["1"], ["2"]])  # type: ignore[arg-type]
        assert len(reg) == 2
        assert list(reg) == [("1",), ("2",)]
        assert reg.rows == (("1",), ("2",))
        assert repr(reg) == "<Register 簿 (Book): 2 rows>"
        with pytest.raises(AttributeError):
            reg.title = "x"  # type: ignore[misc]

    @pytest.mark.parametrize(
        ("rows", "message"),
        [
            ((("a", "b"),), "2 cells for 1 columns"),
            (((True,),), "not bool"),
            (((date(2025, 1, 1),),), "not date"),
            (((1.5,),), "not float"),
        ],
    )
    def test_rows_are_checked(self, rows: tuple[tuple[object, ...]], message: str) -> None:
        with pytest.raises(UsageError, match=message):
            Register("簿", "Book", (RegisterColumn("n", "号"),), rows)  # type: ignore[arg-type]

    def test_column_keys_are_unique_and_known(self) -> None:
        with pytest.raises(UsageError, match="repeat"):
            Register("簿", "Book", (RegisterColumn("n", "号"), RegisterColumn("n", "号")))
        with pytest.raises(UsageError, match="no column 'x'; columns: n"):
            Register("簿", "Book", (RegisterColumn("n", "号"),)).column("x")

    def test_the_functions_take_only_their_kind_of_entity(self, busy: Office) -> None:
        items = busy.list(kind="supervision_item")
        with pytest.raises(UsageError, match="IncomingDocument entities, got SupervisionItem"):
            incoming_register(items)  # type: ignore[arg-type]
        with pytest.raises(UsageError, match="OutgoingDocument"):
            outgoing_register(items)  # type: ignore[arg-type]
        docs = busy.list(kind="incoming_document")
        with pytest.raises(UsageError, match="SupervisionItem"):
            supervision_ledger(docs, as_of=date(2025, 10, 1))  # type: ignore[arg-type]

    def test_registration_numbers_sort_by_their_digits(self) -> None:
        """A host numbering without zero padding still gets 2025-9 before 2025-10."""
        base = datetime(2025, 3, 1, 1, tzinfo=UTC)

        def doc(n: int, number: str | None) -> IncomingDocument:
            return IncomingDocument.model_validate(
                {
                    "id": f"in-{n}",
                    "version": 2,
                    "state": "registered" if number else "received",
                    "created_at": base,
                    "created_by": "clerk",
                    "updated_at": base,
                    "kind": "notice",
                    "title": f"通知{n}",
                    "received_at": base + timedelta(minutes=n),
                    "sender": SUPERIOR,
                    "channel": "paper",
                    "registration_number": number,
                }
            )

        docs = [doc(1, "2025-10"), doc(2, None), doc(3, "2025-9"), doc(4, "2025-100")]
        reg = incoming_register(docs, timezone="UTC")
        assert reg.column("registration_number") == ("2025-9", "2025-10", "2025-100", None)
        assert reg.column("received_at")[0] == "2025-03-01T01:03:00+00:00"

    def test_pure_functions_default_to_beijing_time(self) -> None:
        base = datetime(2025, 3, 1, 1, tzinfo=UTC)
        item = SupervisionItem.model_validate(
            {
                "id": "sup-1",
                "version": 1,
                "created_at": base,
                "created_by": "supervisor",
                "updated_at": base,
                "source": "leader_instruction",
                "requirement": "落实",
                "received_at": base,
            }
        )
        (row,) = supervision_ledger([item], as_of=date(2025, 3, 1))
        assert row[6] == "2025-03-01T09:00:00+08:00"
        assert outgoing_register([]).rows == ()


def test_the_register_functions_filter_by_year_themselves():
    """``year=`` is the register's own filter, the same with or without an office."""
    clock = FrozenClock(datetime(2025, 12, 31, 15, 30, tzinfo=UTC))  # 2025-12-31 23:30 Beijing
    office = Office.in_memory(clock=clock)
    late = office.documents.receive(
        by=CLERK, kind="notice", title="年末来文", sender=SUPERIOR, channel="paper",
        received_at=office.now(),
    )  # fmt: skip
    clock.set(datetime(2025, 12, 31, 16, 30, tzinfo=UTC))  # 2026-01-01 00:30 Beijing
    early = office.documents.receive(
        by=CLERK, kind="notice", title="年初来文", sender=SUPERIOR, channel="paper",
        received_at=office.now(),
    )  # fmt: skip
    docs = [late, early]
    assert incoming_register(docs, timezone="Asia/Shanghai", year=2025).column("title") == (
        "年末来文",
    )
    assert incoming_register(docs, timezone="UTC", year=2025).column("title") == (
        "年末来文",
        "年初来文",
    )
    assert office.documents.incoming_register(year=2026).column("title") == ("年初来文",)


def test_a_register_becomes_a_dataframe() -> None:
    """Beside CSV and JSON: the same rows and columns, the titles in ``attrs``."""
    pd = pytest.importorskip("pandas")
    register = Register(
        "登记簿",
        "Register",
        (RegisterColumn("number", "编号"), RegisterColumn("pages", "页数")),
        (("2025-0001", 3), ("2025-0002", None)),
        as_of=date(2025, 9, 26),
    )
    frame = register.to_dataframe()
    assert list(frame.columns) == ["number", "pages"]
    assert frame.to_dict("records")[0] == {"number": "2025-0001", "pages": 3}
    assert pd.isna(frame.loc[1, "pages"])
    assert frame.attrs == {"title": "登记簿", "title_en": "Register", "as_of": "2025-09-26"}
    assert list(register.to_dataframe(headers="zh").columns) == ["编号", "页数"]
    assert len(Register("空", "Empty", (RegisterColumn("a", "甲"),)).to_dataframe()) == 0
