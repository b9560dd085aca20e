"""``secretarial demo``: a working week of a district government office, simulated.

The office is kept in a SQLite file and run on a :class:`~secretarial.testing.FrozenClock`
moved to 09:00 Beijing time on each working day (and through the day from there). Each
morning the office sweeps for reminders; then the day's mail comes in and is registered,
screened, proposed, approved and handled or circulated; an outgoing document moves
through drafting, review, signing, registration, printing and dispatch; supervision items
are assigned, reported on, extended, chased and verified; a meeting is planned, held,
minuted and closed, its decisions opening supervision items; finished matters are filed.

Everything the week does is decided by a :class:`random.Random` seeded with the seed and
the week's first day, so a seed always tells the same story. The work is driven by the
state of what is in the office, so a second run on the same file picks up the open
matters of the week before and carries on with the following week.

Nothing here prints: :func:`run_week` reports each day to a callback and returns a
:class:`WeekReport` for the command to show; :func:`report_of` lays the week out as its
weekly report (工作周报), which the command writes beside the office.
"""

from __future__ import annotations

import json
import random
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, TypeVar

from secretarial import (
    Actor,
    ArchiveSettings,
    Attendee,
    AttendeeRole,
    AuditReport,
    Entity,
    EntityKind,
    IncomingDocument,
    Meeting,
    Office,
    OutgoingDocument,
    Record,
    Role,
    SupervisionItem,
    SweepReport,
    WorkCalendar,
)
from secretarial.report import Report, weekly_report
from secretarial.testing import FrozenClock, SequentialIds

if TYPE_CHECKING:
    from secretarial.kernel._fields import UnitFields

__all__ = [
    "ARCHIVE",
    "CAST",
    "FIRST_WEEK",
    "DayReport",
    "WeekReport",
    "demo_ids",
    "first_day",
    "plan_week",
    "report_of",
    "run_week",
    "write_actors",
]

FIRST_WEEK: Final = date(2025, 11, 3)
"""The Monday the demo starts on in an empty office."""
MAX_DAYS: Final = 60
"""The most working days one run simulates."""
_LOOKAHEAD: Final = 10
"""How many working days past its last day the week sets deadlines (and needs a calendar)."""

ARCHIVE: Final = ArchiveSettings(fonds="0194", organ_name="城南区人民政府办公室")
"""The archive the demo office files into."""

_ISSUER: Final = "城南政办发"
"""The demo office's document-number prefix (发文机关代字)."""


def _actor(actor_id: str, name: str, *roles: Role, clearance: str = "confidential") -> Actor:
    return Actor.model_validate(
        {"id": actor_id, "name": name, "roles": [r.value for r in roles], "clearance": clearance}
    )


CLERK: Final = _actor("li", "李文书", Role.CLERK)
DIRECTOR: Final = _actor("wang", "王主任", Role.OFFICE_DIRECTOR)
LEADER: Final = _actor("zhao", "赵副区长", Role.LEADER)
PRINCIPAL: Final = _actor("chen", "陈区长", Role.LEADER, Role.PRINCIPAL_LEADER)
SAFETY: Final = _actor("sun", "孙科长", Role.UNDERTAKER)
GENERAL: Final = _actor("he", "何科长", Role.UNDERTAKER)
SECRETARIAT: Final = _actor("ma", "马科长", Role.UNDERTAKER)
SUPERVISOR: Final = _actor("zhou", "周督查", Role.SUPERVISOR)
ARCHIVIST: Final = _actor("qian", "钱档案员", Role.ARCHIVIST)
DRAFTER: Final = _actor("liu", "刘秘书", Role.DRAFTER, clearance="unclassified")

CAST: Final[tuple[Actor, ...]] = (
    CLERK,
    DIRECTOR,
    LEADER,
    PRINCIPAL,
    SAFETY,
    GENERAL,
    SECRETARIAT,
    SUPERVISOR,
    ARCHIVIST,
    DRAFTER,
)
"""Who works in the demo office; ``secretarial demo`` writes them to ``actors.json``."""

_UNITS: Final[dict[str, tuple[UnitFields, Actor]]] = {
    "AJK": ({"code": "AJK", "name": "安全监管科"}, SAFETY),
    "ZHK": ({"code": "ZHK", "name": "综合科"}, GENERAL),
    "MSK": ({"code": "MSK", "name": "秘书科"}, SECRETARIAT),
}
"""The office's units and the undertaker who handles each one's work."""
_READERS: Final = (LEADER.id, PRINCIPAL.id)
"""Who reads the documents circulated for reading, in order."""


@dataclass(frozen=True)
class _Mail:
    """A kind of document the office receives."""

    kind: str
    title: str
    sender: tuple[str, str, str]
    mark: str
    unit: str | None
    """The lead unit of a document for handling; None for one circulated for reading."""
    classified: bool = False


_MAILBAG: Final = (
    _Mail(
        "notice",
        "关于做好今冬明春森林防火工作的通知",
        ("SYJJ", "市应急管理局", "superior"),
        "市应急发",
        "AJK",
    ),
    _Mail(
        "circular",
        "关于近期几起生产安全事故的通报",
        ("SAWB", "市安委会办公室", "superior"),
        "市安办",
        None,
    ),
    _Mail(
        "letter",
        "关于商请协助做好全国经济普查入户登记工作的函",
        ("QTJJ", "区统计局", "peer"),
        "区统计函",
        "ZHK",
    ),
    _Mail(
        "report",
        "关于第三季度信访工作情况的报告",
        ("CGJD", "城关街道办事处", "subordinate"),
        "城关街报",
        None,
    ),
    _Mail(
        "opinion",
        "关于进一步加强机关作风建设的意见",
        ("SWBGS", "市委办公室", "superior"),
        "市委办发",
        None,
    ),
    _Mail(
        "notice",
        "关于报送2025年度工作总结和2026年工作要点的通知",
        ("SZFB", "市政府办公室", "superior"),
        "市政办发",
        "MSK",
    ),
    _Mail(
        "notice",
        "关于做好重要活动期间安全保卫工作的通知",
        ("SGAJ", "市公安局", "superior"),
        "市公发",
        "AJK",
        classified=True,
    ),
    _Mail(
        "minutes",
        "市政府第四十二次常务会议纪要",
        ("SZFB", "市政府办公室", "superior"),
        "市政阅",
        None,
    ),
    _Mail(
        "letter",
        "关于征求《都市圈协调发展规划（征求意见稿）》意见的函",
        ("SFGW", "市发展和改革委员会", "unrelated"),
        "市发改函",
        "ZHK",
    ),
    _Mail(
        "report",
        "关于冬季供暖保障工作情况的报告",
        ("QZJJ", "区住房和城乡建设局", "subordinate"),
        "区住建报",
        None,
    ),
)

_URGENT_NOTICE: Final = _Mail(
    "notice",
    "关于开展今冬明春安全生产大检查的通知",
    ("SZFB", "市政府办公室", "superior"),
    "市政办发",
    "AJK",
)
"""The urgent notice the week opens with; the leader's instruction on it opens items."""

_OUTGOING: Final[tuple[dict[str, Any], ...]] = (
    {
        "kind": "notice",
        "title": "关于做好今冬明春安全生产工作的通知",
        "main_recipients": [{"code": "GJD", "name": "各街道办事处", "relation": "subordinate"}],
        "cc": [{"code": "QAWB", "name": "区安委会各成员单位", "relation": "unrelated"}],
    },
    {
        "kind": "report",
        "title": "关于安全生产大检查工作情况的报告",
        "main_recipients": [{"code": "SZFB", "name": "市政府办公室", "relation": "superior"}],
    },
    {
        "kind": "notice",
        "title": "关于做好岁末年初值班值守工作的通知",
        "main_recipients": [{"code": "QZBM", "name": "区政府各部门", "relation": "subordinate"}],
    },
)
"""The outgoing documents the office drafts, one every third working day, in turn."""

_PROGRESS: Final = (
    "已召开专题部署会",
    "已完成重点企业检查",
    "已形成问题清单，正在督促整改",
    "已会同相关部门开展联合检查",
    "整改工作正在推进",
)


@dataclass
class DayReport:
    """What happened on one day of the week.

    Attributes:
        day: The date.
        received: Incoming documents received.
        completed: Incoming documents whose handling or reading was completed.
        filed: Items filed (records created).
        sweep: The morning sweep.
        events: Notable things that happened, one short line each.
    """

    day: date
    received: int = 0
    completed: int = 0
    filed: int = 0
    sweep: SweepReport | None = None
    events: list[str] = field(default_factory=list)


@dataclass
class WeekReport:
    """The week's outcome.

    Attributes:
        seed: The seed the week was told with.
        days: One report per working day simulated.
        created: How many entities the week created.
        audit: The audit record verified at the end.
    """

    seed: int
    days: list[DayReport]
    created: int
    audit: AuditReport

    @property
    def start(self) -> date:
        """The first day simulated."""
        return self.days[0].day

    @property
    def end(self) -> date:
        """The last day simulated."""
        return self.days[-1].day


def first_day(office: Office) -> date:
    """The first working day the next demo week starts on.

    In an empty office that is :data:`FIRST_WEEK`; otherwise the first working day of
    the week after the latest change recorded, so a second run continues the story.

    Raises:
        CalendarCoverageError: The office's calendar has no data for the days needed.
    """
    latest = max((e.updated_at for e in office.list()), default=None)
    start = FIRST_WEEK
    if latest is not None:
        local = latest.astimezone(office.timezone).date()
        start = max(start, local + timedelta(days=7 - local.weekday()))
    return _next_workday(office.calendar, start)


_DEMO_ID: Final = re.compile(r"^[a-z]+-([0-9]+)$")


def demo_ids(office: Office) -> SequentialIds:
    """Readable ids (``in-1``, ``sup-2`` ...) numbered on from those already in the office."""
    used = [int(m[1]) for e in office.list() if (m := _DEMO_ID.match(e.id))]
    return SequentialIds(start=max(used, default=0) + 1)


def write_actors(path: Path) -> bool:
    """Write the demo's cast to ``path`` as an actors file, unless a file is there already.

    Returns:
        Whether the file was written.
    """
    if path.exists():
        return False
    cast = [a.model_dump(mode="json", exclude_defaults=True) for a in CAST]
    for actor in cast:
        actor["roles"] = sorted(actor["roles"])
    path.write_text(json.dumps(cast, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return True


def _next_workday(calendar: WorkCalendar, day: date) -> date:
    while not calendar.is_workday(day):
        day += timedelta(days=1)
    return day


def plan_week(office: Office, days: int) -> list[date]:
    """The working days the next demo week runs on: ``days`` of them from :func:`first_day`.

    Raises:
        CalendarCoverageError: The calendar has no data for those days, or for the
            deadlines the week sets after them; nothing has been changed.
    """
    calendar = office.calendar
    workdays = [first_day(office)]
    while len(workdays) < days:
        workdays.append(_next_workday(calendar, workdays[-1] + timedelta(days=1)))
    # Deadlines are set up to this far ahead: a calendar that ends sooner refuses now,
    # before anything is written, rather than in the middle of the week.
    calendar.add_workdays(workdays[-1], _LOOKAHEAD)
    return workdays


def run_week(
    office: Office,
    clock: FrozenClock,
    workdays: Sequence[date],
    *,
    seed: int,
    on_day: Callable[[DayReport], None] | None = None,
) -> WeekReport:
    """Simulate the office's work on ``workdays`` (see :func:`plan_week`).

    Args:
        office: The office, on ``clock``, with the demo's archive settings.
        clock: The office's clock; it is moved through each day.
        workdays: The working days to simulate, in order (at least one).
        seed: Decides what comes in and how fast it is handled.
        on_day: Called with each day's report when the day is over.

    Returns:
        Each day's report and the audit record verified at the end.
    """
    before = office.count()
    rng = random.Random(f"{seed}:{workdays[0].isoformat()}")  # noqa: S311 -- a story, not a secret
    week = _Week(office, clock, rng)
    reports = []
    for index, day in enumerate(workdays):
        report = week.work(day, index)
        reports.append(report)
        if on_day is not None:
            on_day(report)
    return WeekReport(
        seed=seed, days=reports, created=office.count() - before, audit=office.verify_audit()
    )


def report_of(office: Office, week: WeekReport) -> Report:
    """The weekly report (工作周报) of the days ``week`` simulated, as the office reads them."""
    return weekly_report(
        office, start=week.start, end=week.end, title=f"{ARCHIVE.organ_name} 工作周报"
    )


_E = TypeVar("_E", IncomingDocument, OutgoingDocument, SupervisionItem, Meeting, Record)


class _Week:
    """The office at work: each day, each matter moves on as far as the day allows."""

    def __init__(self, office: Office, clock: FrozenClock, rng: random.Random) -> None:
        self.office = office
        self.clock = clock
        self.rng = rng
        self.mailbag: list[_Mail] = []
        self.late: set[str] = set()
        """Items whose undertaker lets the deadline pass and waits for the escalation."""
        self.extend: set[str] = set()
        """Items whose undertaker will ask for more time."""
        self.drafted = 0
        self.handed_out: dict[str, date] = {}
        """The day each document of this run was assigned to its undertaker."""
        self.handling: dict[str, str | None] = {}
        """The lead unit of each document received in this run (None: for reading)."""
        self.today = FIRST_WEEK
        self.log = DayReport(FIRST_WEEK)

    # ------------------------------------------------------------------ the day
    def work(self, day: date, index: int) -> DayReport:
        """One working day; ``index`` counts the days of this run from 0."""
        self.today = day
        self.log = DayReport(day)
        self.at(9, 0)
        self.log.sweep = self.office.sweep()
        for issued in self.log.sweep.issued:
            if issued.kind == "escalation":
                self.log.events.append(f"督办升级 escalation: {issued.entity_id}")
        if index == 0:
            self.open_the_week()
        self.at(9, 30)
        for _ in range(self.rng.randint(1, 2)):
            self.receive(self.next_mail())
        if index and index % 3 == 0:
            self.at(10, 0)
            self.draft()
        self.at(10, 30)
        self.move_incoming()
        self.at(11, 30)
        self.move_outgoing()
        self.at(14, 0)
        self.move_items()
        self.at(15, 0)
        self.move_meetings()
        self.at(17, 30)
        self.file_finished()
        return self.log

    def at(self, hour: int, minute: int) -> None:
        """Move the clock to ``hour:minute`` today, office time."""
        self.clock.set(datetime.combine(self.today, time(hour, minute), self.office.timezone))

    def workdays(self, n: int) -> date:
        """The ``n``-th working day after today."""
        return self.office.calendar.add_workdays(self.today, n)

    def open_the_week(self) -> None:
        """The first day's business: an urgent notice, its items, a draft, a meeting."""
        self.at(9, 5)
        notice = self.receive(_URGENT_NOTICE, urgency="urgent")
        self.log.events.append(f"加急件 urgent notice {notice.registration_number}")
        self.move(notice.id, "screen", CLERK)
        self.move(
            notice.id,
            "propose",
            DIRECTOR,
            handling_type="for_handling",
            lead_unit=_UNITS["AJK"][0],
            note="拟请赵副区长阅批，安全监管科牵头落实",
        )
        self.move(
            notice.id,
            "approve",
            LEADER,
            instruction="请安全监管科牵头，立即部署全区安全生产大检查",
            deadline=self.workdays(4),
            chaser=CLERK.id,
        )
        self.move(notice.id, "assign", DIRECTOR, assignee=SAFETY.id)
        self.handed_out[notice.id] = self.today
        self.at(9, 15)
        items = [
            ("今日下班前报送全区安全生产大检查工作方案", self.today, "late"),
            ("组织开展重点行业领域安全隐患排查整治", None, ""),
            ("检查结束后报送大检查工作总结", self.workdays(2), "extend"),
        ]
        for requirement, deadline, behaviour in items:
            item = self.office.supervision.open(
                by=SUPERVISOR,
                source="leader_instruction",
                source_ref=notice.id,
                instructed_by=LEADER.id,
                requirement=requirement,
                received_at=self.office.now(),
                urgency="urgent" if behaviour == "late" else "normal",
            )
            self.move(
                item.id,
                "assign",
                SUPERVISOR,
                lead_unit=_UNITS["AJK"][0],
                **({} if deadline is None else {"deadline": deadline}),
            )
            if behaviour == "late":
                self.late.add(item.id)
            elif behaviour == "extend":
                self.extend.add(item.id)
        self.log.events.append(f"立项 {len(items)} supervision items from 赵副区长's instruction")
        self.at(9, 20)
        self.draft()
        self.plan_meeting()

    # ------------------------------------------------------------------ incoming
    def next_mail(self) -> _Mail:
        """The next document in the mailbag (shuffled afresh when it runs out)."""
        if not self.mailbag:
            self.mailbag = list(_MAILBAG)
            self.rng.shuffle(self.mailbag)
        return self.mailbag.pop()

    def receive(self, mail: _Mail, *, urgency: str | None = None) -> IncomingDocument:
        """The clerk signs for ``mail`` and registers it (a registration number is drawn)."""
        code, name, relation = mail.sender
        fields: dict[str, Any] = {
            "kind": mail.kind,
            "title": mail.title,
            "sender": {"code": code, "name": name, "relation": relation},
            "channel": "confidential_courier" if mail.classified else "electronic",
            "received_at": self.office.now(),
            "date_of_issue": self.today - timedelta(days=self.rng.randint(1, 6)),
            "page_count": self.rng.randint(1, 8),
        }
        if mail.kind != "report":
            year = self.today.year
            fields["number"] = f"{mail.mark}〔{year}〕{self.rng.randint(3, 160)}号"
        if mail.classified:
            fields["classification"] = "confidential"
            fields["copy_number"] = f"{self.rng.randint(1, 300):06d}"
            fields["secrecy_period_years"] = 5
        if urgency is not None:
            fields["urgency"] = urgency
        doc = self.office.documents.receive(by=CLERK, **fields)
        registered = self.fire(IncomingDocument, doc.id, "register", CLERK)
        self.log.received += 1
        self.handling[doc.id] = mail.unit
        return registered

    def move_incoming(self) -> None:
        """Move every open incoming document on by the day's steps."""
        for doc in self.open(EntityKind.INCOMING_DOCUMENT, IncomingDocument):
            match doc.state:
                case "registered":
                    self.move(doc.id, "screen", CLERK)
                    self.propose(doc)
                case "screened":
                    self.propose(doc)
                case "proposed":
                    self.hand_out(self.approve(doc))
                case "approved":
                    self.hand_out(doc)
                case "in_handling" if self.handed_out.get(doc.id, date.min) < self.today:
                    # an urgent matter is done the day after it was handed out
                    if doc.assignee is not None and (doc.urgency is not None or self.chance(0.6)):
                        undertaker = self.cast(doc.assignee, GENERAL)
                        self.move(doc.id, "complete", undertaker, result="已按领导批示办理完毕")
                        self.log.completed += 1
                case "circulating":
                    self.read(doc)

    def propose(self, doc: IncomingDocument) -> None:
        """The director proposes: for handling by a unit, or for the leaders to read."""
        default = "ZHK" if doc.kind in {"notice", "letter"} else None
        unit = self.handling.get(doc.id, default)
        if unit is None:
            self.move(doc.id, "propose", DIRECTOR, handling_type="for_reading", note="拟送领导阅知")
        else:
            self.move(
                doc.id,
                "propose",
                DIRECTOR,
                handling_type="for_handling",
                lead_unit=_UNITS[unit][0],
                note=f"拟请{_UNITS[unit][0]['name']}办理",
            )

    def approve(self, doc: IncomingDocument) -> IncomingDocument:
        """A leader approves the proposal; a document for handling gets a deadline."""
        if doc.handling_type == "for_reading":
            return self.fire(
                IncomingDocument, doc.id, "approve", PRINCIPAL, instruction="请各位领导阅知"
            )
        proposal = doc.proposal
        lead = proposal.lead_unit.name if proposal and proposal.lead_unit else "有关科室"
        return self.fire(
            IncomingDocument,
            doc.id,
            "approve",
            LEADER,
            instruction=f"请{lead}认真研究办理",
            deadline=self.workdays(self.rng.randint(2, 5)),
            chaser=CLERK.id,
        )

    def hand_out(self, doc: IncomingDocument) -> None:
        """Assign a document for handling to its unit's undertaker, or circulate it."""
        if doc.handling_type == "for_reading":
            self.move(doc.id, "circulate", CLERK, readers=list(_READERS))
            return
        code = doc.lead_unit.code if doc.lead_unit is not None else "ZHK"
        self.move(doc.id, "assign", DIRECTOR, assignee=_UNITS.get(code, _UNITS["ZHK"])[1].id)
        self.handed_out[doc.id] = self.today

    def read(self, doc: IncomingDocument) -> None:
        """The readers read in turn (each most days); the clerk ends the circulation."""
        for reading in doc.readers:
            if reading.read_at is None:
                if not self.chance(0.8):
                    return
                reader = self.cast(reading.reader, PRINCIPAL)
                self.move(doc.id, "mark_read", reader, comment="已阅")
        self.move(doc.id, "finish_reading", CLERK)
        self.log.completed += 1

    # ------------------------------------------------------------------ outgoing
    def draft(self) -> None:
        """The drafter writes the next outgoing document and submits it for review."""
        template = _OUTGOING[self.drafted % len(_OUTGOING)]
        self.drafted += 1
        doc = self.office.documents.draft(
            by=DRAFTER,
            issuer_code=_ISSUER,
            drafting_unit=_UNITS["MSK"][0],
            page_count=self.rng.randint(2, 6),
            **template,
        )
        self.move(doc.id, "submit", DRAFTER)
        self.log.events.append(f"起草 drafted {doc.id}: {doc.title}")

    def move_outgoing(self) -> None:
        """Review, sign, register, print, dispatch: the day's steps for each draft."""
        for doc in self.open(EntityKind.OUTGOING_DOCUMENT, OutgoingDocument):
            match doc.state:
                case "submitted":
                    self.move(doc.id, "review", DIRECTOR, opinion="文字已核，拟请领导签发")
                case "reviewed" | "signed" | "rechecked" | "registered" | "printed":
                    self.issue(doc)
                case "drafted":
                    self.move(doc.id, "submit", DRAFTER)

    def issue(self, doc: OutgoingDocument) -> None:
        """Sign, recheck, register (drawing the number), print and dispatch."""
        signer = PRINCIPAL if doc.is_upward or doc.important else LEADER
        steps: list[tuple[str, Actor, dict[str, Any]]] = [
            ("sign", signer, {"opinion": "同意印发"}),
            ("recheck", CLERK, {}),
            ("register", CLERK, {"copies": self.rng.randint(10, 60)}),
            ("print", CLERK, {}),
            ("dispatch", CLERK, {"channel": "electronic"}),
        ]
        order = ["reviewed", "signed", "rechecked", "registered", "printed"]
        for trigger, actor, data in steps[order.index(doc.state) :]:
            current = self.fire(OutgoingDocument, doc.id, trigger, actor, **data)
            if trigger == "register":
                self.log.events.append(f"发文 {current.number} registered: {current.title}")

    # ------------------------------------------------------------------ supervision
    def move_items(self) -> None:
        """Assign, accept, report, extend, submit and verify supervision items."""
        for item in self.open(EntityKind.SUPERVISION_ITEM, SupervisionItem):
            match item.state:
                case "registered":
                    lead = item.lead_unit if item.lead_unit is not None else _UNITS["ZHK"][0]
                    self.move(item.id, "assign", SUPERVISOR, lead_unit=lead)
                case "assigned":
                    self.move(item.id, "accept", self.unit_undertaker(item))
                case "in_progress":
                    self.progress(item)
                case "extension_requested":
                    proposed = item.extension_requests[-1].proposed_deadline
                    self.move(
                        item.id,
                        "grant_extension",
                        SUPERVISOR,
                        deadline=proposed - timedelta(days=1),
                    )
                    self.log.events.append(f"延期 extension granted: {item.id}")
                case "reported":
                    self.move(item.id, "verify", SUPERVISOR, verification="经核实，已按要求办结")

    def progress(self, item: SupervisionItem) -> None:
        """The undertaker's day on an item: wait, ask for time, report or submit."""
        undertaker = self.unit_undertaker(item)
        if item.id in self.late:
            if not item.reminded("escalate"):
                return
            self.late.discard(item.id)
            self.move(
                item.id, "submit_result", undertaker, result="工作方案已报送，迟报原因已作说明"
            )
            return
        if item.id in self.extend and item.deadline is not None and item.deadline >= self.today:
            self.extend.discard(item.id)
            self.move(
                item.id,
                "request_extension",
                undertaker,
                reason="部分企业停产检修，需待复产后复查",
                proposed_deadline=self.workdays(8),
            )
            return
        due_soon = item.deadline is not None and item.deadline <= self.workdays(1)
        if item.progress_reports and (due_soon or self.chance(0.3)):
            self.move(item.id, "submit_result", undertaker, result="各项工作已按要求完成")
        else:
            self.move(item.id, "report_progress", undertaker, text=self.rng.choice(_PROGRESS))

    def unit_undertaker(self, item: SupervisionItem) -> Actor:
        """The undertaker of the item's lead unit."""
        code = item.lead_unit.code if item.lead_unit is not None else "ZHK"
        return _UNITS.get(code, _UNITS["ZHK"])[1]

    # ------------------------------------------------------------------ meetings
    def plan_meeting(self) -> None:
        """Plan the week's office meeting for the next working day, announce it."""
        day = self.workdays(1)
        start = datetime.combine(day, time(15, 0), self.office.timezone)
        people = [PRINCIPAL, LEADER, DIRECTOR]
        meeting = self.office.meetings.plan(
            by=CLERK,
            meeting_kind="office",
            title="区政府办公室主任办公会",
            organizer={"actor_id": CLERK.id, "name": CLERK.name},
            chair={"actor_id": PRINCIPAL.id, "name": PRINCIPAL.name},
            attendees=[
                *(Attendee(actor_id=a.id, name=a.name) for a in people),
                Attendee(actor_id=CLERK.id, name=CLERK.name, role=AttendeeRole.NON_VOTING),
            ],
            room="第一会议室",
            start=start,
            end=start + timedelta(hours=2),
            timezone="Asia/Shanghai",
            agenda=[
                {"topic": "研究部署今冬明春安全生产工作", "presenter": LEADER.id, "minutes": 40},
                {"topic": "研究岁末年初值班值守工作", "presenter": DIRECTOR.id, "minutes": 20},
            ],
        )
        self.move(meeting.id, "notify", CLERK)
        for person in people:
            self.move(meeting.id, "respond", person, response="accepted")
        self.log.events.append(f"会议 planned for {day.isoformat()} 15:00: {meeting.title}")

    def move_meetings(self) -> None:
        """Hold, minute and close the meetings that sit today."""
        for meeting in self.open(EntityKind.MEETING, Meeting):
            local = meeting.start.astimezone(self.office.timezone)
            if meeting.state != "notified" or local.date() != self.today:
                continue
            self.clock.set(local)
            self.move(
                meeting.id,
                "check_in",
                CLERK,
                records=[
                    {
                        "actor_id": a.actor_id,
                        "status": str(a.role) if a.role == "non_voting" else "present",
                    }
                    for a in meeting.attendees
                ],
            )
            self.clock.set(local + timedelta(hours=1, minutes=30))
            self.move(
                meeting.id,
                "record_minutes",
                CLERK,
                text="会议研究了今冬明春安全生产和岁末年初值班值守工作。",
                decisions=[
                    {
                        "text": "各街道、各部门限期完成辖区安全隐患排查整治",
                        "lead_unit": _UNITS["AJK"][0],
                        "deadline": self.workdays(8).isoformat(),
                    },
                    {"text": "修订完善区政府值班值守制度", "lead_unit": _UNITS["ZHK"][0]},
                    {"text": "原则同意今冬明春安全生产工作方案", "needs_follow_up": False},
                ],
            )
            self.clock.set(local + timedelta(hours=1, minutes=45))
            closed, items = self.office.meetings.close(
                meeting.id, by=PRINCIPAL, opened_by=SUPERVISOR, opinion="同意"
            )
            self.log.events.append(
                f"会议 closed: {closed.title}; {len(items)} decisions became supervision items"
            )

    # ------------------------------------------------------------------ filing
    def file_finished(self) -> None:
        """At the end of the day the archivist files the finished documents."""
        finished: list[IncomingDocument | OutgoingDocument] = [
            *self.open(EntityKind.INCOMING_DOCUMENT, IncomingDocument, state="completed"),
            *self.open(EntityKind.OUTGOING_DOCUMENT, OutgoingDocument, state="dispatched"),
        ]
        for doc in finished:
            record = self.office.records.file(
                doc, by=ARCHIVIST, record_class=self.record_class(doc)
            )
            self.log.filed += 1
            self.log.events.append(f"归档 filed {record.archival_code}: {record.title}")

    @staticmethod
    def record_class(doc: IncomingDocument | OutgoingDocument) -> str:
        """Classified and urgent documents are kept longest, letters and reports shortest."""
        if doc.classification != "unclassified" or doc.urgency is not None:
            return "important"
        if isinstance(doc, IncomingDocument) and doc.kind in {"letter", "report", "minutes"}:
            return "routine"
        return "general"

    # ------------------------------------------------------------------ helpers
    def open(self, kind: EntityKind, cls: type[_E], *, state: str | None = None) -> list[_E]:
        """The open entities of ``kind`` the demo made (this week or before), oldest first.

        Entities made otherwise (``doc receive`` ...) are left to their owners: the week
        only sweeps them.
        """
        found = self.office.list(kind=kind, open_only=True, state=state)
        return [e for e in found if isinstance(e, cls) and _DEMO_ID.match(e.id)]

    def move(self, entity_id: str, trigger: str, by: Actor, **data: Any) -> Entity:
        """Fire ``trigger`` on the entity as ``by``."""
        return self.office.fire(entity_id, trigger, by=by, **data)

    def fire(self, cls: type[_E], entity_id: str, trigger: str, by: Actor, **data: Any) -> _E:
        """Fire ``trigger`` as ``by`` on an entity of type ``cls``, and return it."""
        entity = self.move(entity_id, trigger, by, **data)
        if not isinstance(entity, cls):  # pragma: no cover -- the workflows keep the type
            raise TypeError(f"{entity_id} is a {type(entity).__name__}, not a {cls.__name__}")
        return entity

    @staticmethod
    def cast(actor_id: str, default: Actor) -> Actor:
        """The member of the cast with ``actor_id`` (``default`` for a stranger)."""
        return next((a for a in CAST if a.id == actor_id), default)

    def chance(self, p: float) -> bool:
        """True with probability ``p``."""
        return self.rng.random() < p
