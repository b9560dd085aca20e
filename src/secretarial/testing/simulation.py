"""A simulated office: months of work by units of known habits, for testing what reads it.

:func:`simulate_office` runs an office working day by working day on its
:class:`~secretarial.testing.FrozenClock`: the clerk receives and registers the day's
mail, the director proposes, a leader approves, the lead unit's undertaker handles it;
the supervisor opens supervision items (督办) from the leaders' instructions and assigns
them to lead units with deadlines; each unit reports progress, asks for more time,
finishes on time or late, and is sometimes sent back for rework, as its
:class:`UnitHabit` says. Every morning the office is swept, so the reminders and
escalations the policy issues are on record.

Two answers are planted, so that whatever reads the audit trail can be tested against
them: one unit is made slow (it reports rarely and finishes late most of the time) and
one step of the incoming workflow is made the bottleneck (documents wait there several
working days, elsewhere a day or less). Everything is decided by
``random.Random(seed)``: the same office, clock and seed always tell the same story.

>>> from secretarial.testing import memory_office
>>> office, clock = memory_office()
>>> sim = simulate_office(office, clock, months=1, seed=3)
>>> sim.slow_unit in {unit.code for unit in sim.units}
True
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any, Final

from secretarial import Actor, Role, SupervisionItem
from secretarial.errors import FieldProblem, ValidationError
from secretarial.office import Office
from secretarial.testing import FrozenClock

__all__ = ["BOTTLENECK_CANDIDATES", "Simulation", "UnitHabit", "simulate_office"]


def _actor(actor_id: str, name: str, *roles: Role) -> Actor:
    return Actor.model_validate(
        {
            "id": actor_id,
            "name": name,
            "roles": [r.value for r in roles],
            "clearance": "confidential",
        }
    )


CLERK: Final = _actor("li", "李文书", Role.CLERK)
DIRECTOR: Final = _actor("wang", "王主任", Role.OFFICE_DIRECTOR)
LEADER: Final = _actor("zhao", "赵副区长", Role.LEADER)
PRINCIPAL: Final = _actor("chen", "陈区长", Role.LEADER, Role.PRINCIPAL_LEADER)
SUPERVISOR: Final = _actor("zhou", "周督查", Role.SUPERVISOR)

_UNIT_NAMES: Final = (
    ("AJK", "安全监管科", "sun", "孙科长"),
    ("ZHK", "综合科", "he", "何科长"),
    ("MSK", "秘书科", "ma", "马科长"),
    ("FGK", "法规科", "lin", "林科长"),
    ("XXK", "信息科", "gao", "高科长"),
)

BOTTLENECK_CANDIDATES: Final = ("screened", "proposed", "approved")
"""The incoming-document states one of which a simulation makes its bottleneck."""

_SLOTS: Final = (time(10, 0), time(11, 30), time(15, 30))
"""When in the day incoming documents are moved on (a step due at once waits a slot)."""
_NORMAL_WAIT: Final = {
    "registered": (0, 0),
    "screened": (0, 1),
    "proposed": (0, 1),
    "approved": (0, 1),
    "in_handling": (1, 3),
    "circulating": (0, 2),
}
"""How many working days a document waits in each state, at least and at most."""
_BOTTLENECK_WAIT: Final = (6, 10)

_MAIL: Final = (
    ("notice", "关于做好安全生产工作的通知", ("SZFB", "市政府办公室", "superior")),
    ("letter", "关于商请协助开展联合检查的函", ("QTJJ", "区统计局", "peer")),
    ("report", "关于近期工作情况的报告", ("CGJD", "城关街道办事处", "subordinate")),
    ("opinion", "关于进一步加强机关作风建设的意见", ("SWBGS", "市委办公室", "superior")),
)
_REQUIREMENTS: Final = (
    "报送安全隐患排查整治工作方案",
    "牵头修订值班值守制度",
    "督促落实信访事项办理",
    "完成年度重点工作进展梳理",
    "组织开展专项检查并报送情况",
)
_PROGRESS: Final = (
    "已召开专题部署会",
    "已形成问题清单，正在督促整改",
    "整改工作正在推进",
)


@dataclass(frozen=True)
class UnitHabit:
    """How one unit of the simulated office works on its supervision items.

    Attributes:
        code: The unit's code.
        name: The unit's name.
        undertaker: The id of the undertaker who acts for the unit.
        report_every_workdays: It reports progress on an item every so many working days.
        late_share: The share of its items it finishes after the deadline.
        delay_workdays: At most this many working days late when it is late (at least 1).
        extension_share: The share of its items it asks more time for.
        rework_share: The share of its results the supervisor sends back for rework.
    """

    code: str
    name: str
    undertaker: str
    report_every_workdays: int
    late_share: float
    delay_workdays: int
    extension_share: float
    rework_share: float


@dataclass(frozen=True)
class Simulation:
    """What :func:`simulate_office` did, and the answers it planted.

    Attributes:
        seed: The seed the story was told with.
        start: The first working day simulated.
        end: The last working day simulated.
        units: The units and their habits.
        slow_unit: The code of the unit made slow.
        bottleneck: The incoming-document state made the bottleneck.
        items: The ids of the supervision items opened, in order.
        documents: The ids of the incoming documents received, in order.
        actors: Everyone who worked in the simulated office.
    """

    seed: int
    start: date
    end: date
    units: tuple[UnitHabit, ...]
    slow_unit: str
    bottleneck: str
    items: tuple[str, ...]
    documents: tuple[str, ...]
    actors: tuple[Actor, ...]

    def unit(self, code: str) -> UnitHabit:
        """The habits of the unit with ``code``.

        Raises:
            KeyError: No unit has that code.
        """
        for unit in self.units:
            if unit.code == code:
                return unit
        raise KeyError(code)


def simulate_office(
    office: Office,
    clock: FrozenClock,
    *,
    months: int = 3,
    seed: int = 1,
    on_day: Callable[[date], object] | None = None,
) -> Simulation:
    """Run ``office`` for ``months`` months of working days from the clock's day.

    The first day is the first working day on or after the clock's local date in the
    office's time zone; the last is the last working day before the same date
    ``months`` later. The clock is moved through each day and left at its end.

    Args:
        office: The office; its clock must be ``clock``.
        clock: The office's clock.
        months: How many months to simulate (1 to 24).
        seed: Decides everything: habits, the slow unit, the bottleneck, the mail.
        on_day: Called with each working day when the day's work is done.

    Returns:
        The days simulated, the units' habits, the planted answers and the ids made.

    Raises:
        ValidationError: ``months`` is out of range.
        CalendarCoverageError: The office's calendar does not cover the days needed.
    """
    if not 1 <= months <= 24:  # noqa: PLR2004 -- the documented range
        raise ValidationError(
            "simulate_office",
            [
                FieldProblem(
                    field="months",
                    rule="months-in-range",
                    message=f"months is simulated from 1 to 24, got {months}",
                    accepted="a whole number of months from 1 to 24",
                )
            ],
        )
    rng = random.Random(seed)  # noqa: S311 -- a story, not a secret
    first = clock.now().astimezone(office.timezone).date()
    start = _next_workday(office, first)
    stop = _add_months(first, months)
    days: list[date] = []
    day = start
    while day < stop:
        days.append(day)
        day = _next_workday(office, day + timedelta(days=1))
    office.calendar.add_workdays(days[-1], 40)  # deadlines are set this far ahead
    run = _Run(office, clock, rng)
    for day in days:
        run.work(day)
        if on_day is not None:
            on_day(day)
    return Simulation(
        seed=seed,
        start=days[0],
        end=days[-1],
        units=run.units,
        slow_unit=run.slow_unit,
        bottleneck=run.bottleneck,
        items=tuple(run.items),
        documents=tuple(run.documents),
        actors=(CLERK, DIRECTOR, LEADER, PRINCIPAL, SUPERVISOR, *run.undertakers.values()),
    )


def _next_workday(office: Office, day: date) -> date:
    while not office.calendar.is_workday(day):
        day += timedelta(days=1)
    return day


def _add_months(day: date, months: int) -> date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    for last in (31, 30, 29, 28):
        try:
            return date(year, month, min(day.day, last))
        except ValueError:
            continue
    raise AssertionError(day)  # pragma: no cover -- every month has 28 days


@dataclass
class _Plan:
    """What an item's lead unit will do, and when."""

    unit: UnitHabit
    late: bool
    finish: date = date.max
    last_report: date = date.min
    extend_on: date | None = None
    verify_on: date = date.max
    reworked: bool = False


@dataclass
class _Doc:
    """Where an incoming document is, and when it moves on."""

    unit: UnitHabit | None
    """The lead unit; None for a document circulated for reading."""
    due: date
    slot: int
    returned: bool = False


@dataclass
class _Run:
    office: Office
    clock: FrozenClock
    rng: random.Random
    units: tuple[UnitHabit, ...] = ()
    slow_unit: str = ""
    bottleneck: str = ""
    undertakers: dict[str, Actor] = field(default_factory=dict)
    items: list[str] = field(default_factory=list)
    documents: list[str] = field(default_factory=list)
    plans: dict[str, _Plan] = field(default_factory=dict)
    docs: dict[str, _Doc] = field(default_factory=dict)
    today: date = date.min

    def __post_init__(self) -> None:
        rng = self.rng
        slow = rng.randrange(len(_UNIT_NAMES))
        units = []
        for index, (code, name, person, person_name) in enumerate(_UNIT_NAMES):
            self.undertakers[code] = _actor(person, person_name, Role.UNDERTAKER)
            if index == slow:
                habit = UnitHabit(code, name, person, 10, 0.8, 8, 0.1, 0.3)
            else:
                habit = UnitHabit(
                    code,
                    name,
                    person,
                    rng.randint(2, 3),
                    rng.choice((0.0, 0.05, 0.1)),
                    2,
                    rng.choice((0.1, 0.2)),
                    rng.choice((0.05, 0.1)),
                )
            units.append(habit)
        self.units = tuple(units)
        self.slow_unit = self.units[slow].code
        self.bottleneck = rng.choice(BOTTLENECK_CANDIDATES)

    # ------------------------------------------------------------------ the day
    def work(self, day: date) -> None:
        self.today = day
        self.at(time(9, 0))
        self.office.sweep()
        self.at(time(9, 30))
        for _ in range(self.rng.randint(1, 2)):
            self.receive()
        for slot, moment in enumerate(_SLOTS):
            self.at(moment)
            self.move_documents(slot)
            if slot == 1:
                self.at(time(14, 0))
                self.supervise()
                self.at(time(14, 30))
                self.open_items()
                self.at(time(15, 0))
                self.undertake()
        self.at(time(17, 30))

    def at(self, moment: time) -> None:
        self.clock.set(datetime.combine(self.today, moment, self.office.timezone))

    def workdays(self, n: int, day: date | None = None) -> date:
        return self.office.calendar.add_workdays(day or self.today, n)

    def chance(self, p: float) -> bool:
        return self.rng.random() < p

    def fire(self, entity_id: str, trigger: str, by: Actor, **data: Any) -> Any:
        return self.office.fire(entity_id, trigger, by=by, **data)

    def item(self, item_id: str) -> SupervisionItem:
        item = self.office.get(item_id)
        assert isinstance(item, SupervisionItem)  # noqa: S101 -- the run opened it
        return item

    # ------------------------------------------------------------------ incoming
    def receive(self) -> None:
        kind, title, (code, name, relation) = self.rng.choice(_MAIL)
        classified = self.chance(0.1)
        fields: dict[str, Any] = {
            "kind": kind,
            "title": title,
            "sender": {"code": code, "name": name, "relation": relation},
            "channel": "confidential_courier" if classified else "electronic",
            "received_at": self.office.now(),
            "date_of_issue": self.today - timedelta(days=self.rng.randint(1, 6)),
            "page_count": self.rng.randint(1, 8),
        }
        if classified:
            fields |= {
                "classification": "confidential",
                "copy_number": f"{self.rng.randint(1, 300):06d}",
                "secrecy_period_years": 5,
            }
        doc = self.office.documents.receive(by=CLERK, **fields)
        self.fire(doc.id, "register", CLERK)
        self.documents.append(doc.id)
        unit = None if self.chance(0.3) else self.rng.choice(self.units)
        self.docs[doc.id] = _Doc(unit, self.today, -1)
        self.schedule(doc.id, "registered", -1)

    def wait(self, state: str) -> int:
        low, high = _BOTTLENECK_WAIT if state == self.bottleneck else _NORMAL_WAIT[state]
        return self.rng.randint(low, high)

    def schedule(self, doc_id: str, state: str, slot: int) -> None:
        """Decide when the document, entering ``state`` now (in ``slot``), moves on."""
        doc = self.docs[doc_id]
        days = self.wait(state)
        if days == 0 and slot + 1 < len(_SLOTS):
            doc.due, doc.slot = self.today, slot + 1
        else:
            doc.due = self.workdays(max(days, 1))
            doc.slot = self.rng.randrange(len(_SLOTS))

    def move_documents(self, slot: int) -> None:
        for doc_id in list(self.docs):
            doc = self.docs[doc_id]
            if (doc.due, doc.slot) > (self.today, slot):
                continue
            state = self.step(doc_id, doc)
            if state is None:
                del self.docs[doc_id]
            else:
                self.schedule(doc_id, state, slot)

    def step(self, doc_id: str, doc: _Doc) -> str | None:
        """Move the document one step on; return the state it is in now (None: done)."""
        state = str(self.office.get(doc_id).state)
        if state == "registered":
            self.fire(doc_id, "screen", CLERK)
            return "screened"
        if state == "screened":
            self.propose(doc_id, doc)
            return "proposed"
        if state == "proposed":
            self.approve(doc_id, doc)
            return "approved"
        if state == "approved":
            return self.hand_out(doc_id, doc)
        return self.finish(doc_id, doc, state)

    def propose(self, doc_id: str, doc: _Doc) -> None:
        if doc.unit is None:
            self.fire(doc_id, "propose", DIRECTOR, handling_type="for_reading", note="拟送阅")
            return
        self.fire(
            doc_id,
            "propose",
            DIRECTOR,
            handling_type="for_handling",
            lead_unit={"code": doc.unit.code, "name": doc.unit.name},
            note=f"拟请{doc.unit.name}办理",
        )

    def approve(self, doc_id: str, doc: _Doc) -> None:
        if doc.unit is None:
            self.fire(doc_id, "approve", PRINCIPAL, instruction="请阅知")
            return
        self.fire(
            doc_id,
            "approve",
            LEADER,
            instruction=f"请{doc.unit.name}认真研究办理",
            deadline=self.workdays(self.rng.randint(8, 15)),
            chaser=CLERK.id,
        )

    def hand_out(self, doc_id: str, doc: _Doc) -> str:
        if doc.unit is None:
            self.fire(doc_id, "circulate", CLERK, readers=[PRINCIPAL.id])
            return "circulating"
        self.fire(doc_id, "assign", DIRECTOR, assignee=doc.unit.undertaker)
        return "in_handling"

    def finish(self, doc_id: str, doc: _Doc, state: str) -> str | None:
        if state == "circulating":
            self.fire(doc_id, "mark_read", PRINCIPAL, comment="已阅")
            self.fire(doc_id, "finish_reading", CLERK)
            return None
        assert doc.unit is not None  # noqa: S101 -- only documents for handling are handled
        undertaker = self.undertakers[doc.unit.code]
        if not doc.returned and self.chance(0.05):
            doc.returned = True
            self.fire(doc_id, "return_to", undertaker, to="approved", reason="非本科室职责")
            return "approved"
        self.fire(doc_id, "complete", undertaker, result="已按领导批示办理完毕")
        return None

    # ------------------------------------------------------------------ supervision
    def open_items(self) -> None:
        for _ in range(self.rng.randint(1, 2)):
            unit = self.rng.choice(self.units)
            item = self.office.supervision.open(
                by=SUPERVISOR,
                source="leader_instruction",
                instructed_by=LEADER.id,
                requirement=self.rng.choice(_REQUIREMENTS),
                received_at=self.office.now(),
            )
            deadline = self.workdays(self.rng.randint(6, 12))
            self.fire(
                item.id,
                "assign",
                SUPERVISOR,
                lead_unit={"code": unit.code, "name": unit.name},
                deadline=deadline,
            )
            self.items.append(item.id)
            plan = _Plan(unit, late=self.chance(unit.late_share))
            if self.chance(unit.extension_share):
                plan.extend_on = max(self.workdays(1), self.workdays(-2, deadline))
            plan.finish = self.finish_day(plan, deadline)
            self.plans[item.id] = plan

    def finish_day(self, plan: _Plan, deadline: date) -> date:
        if plan.late:
            return self.workdays(self.rng.randint(1, plan.unit.delay_workdays), deadline)
        early = self.workdays(-self.rng.randint(0, 2), deadline)
        return max(early, self.workdays(2))

    def undertake(self) -> None:
        """Each unit's day on its items: accept, report, ask for time, submit."""
        for item_id, plan in list(self.plans.items()):
            item = self.item(item_id)
            undertaker = self.undertakers[plan.unit.code]
            if item.state == "assigned":
                self.fire(item_id, "accept", undertaker)
                plan.last_report = self.today
                continue
            if item.state != "in_progress":
                continue
            if plan.extend_on is not None and self.today >= plan.extend_on:
                plan.extend_on = None
                assert item.deadline is not None  # noqa: S101 -- assigned with one
                if self.today <= item.deadline:
                    self.fire(
                        item_id,
                        "request_extension",
                        undertaker,
                        reason="涉及多个部门，需进一步协调",
                        proposed_deadline=self.workdays(5, item.deadline),
                    )
                    continue
            if self.today >= plan.finish:
                self.fire(item_id, "submit_result", undertaker, result="各项工作已按要求完成")
                plan.verify_on = self.workdays(1)
            elif (
                self.office.calendar.add_workdays(plan.last_report, plan.unit.report_every_workdays)
                <= self.today
            ):
                self.fire(item_id, "report_progress", undertaker, text=self.rng.choice(_PROGRESS))
                plan.last_report = self.today

    def supervise(self) -> None:
        """The supervisor decides extension requests and checks results."""
        for item_id, plan in list(self.plans.items()):
            item = self.item(item_id)
            if item.state == "extension_requested":
                proposed = item.extension_requests[-1].proposed_deadline
                self.fire(item_id, "grant_extension", SUPERVISOR, deadline=proposed)
                plan.finish = self.finish_day(plan, proposed)
            elif item.state == "reported" and self.today >= plan.verify_on:
                if not plan.reworked and self.chance(plan.unit.rework_share):
                    plan.reworked = True
                    self.fire(item_id, "reject", SUPERVISOR, reason="材料不全，请补充完善")
                    plan.finish = self.workdays(self.rng.randint(1, 2))
                else:
                    self.fire(item_id, "verify", SUPERVISOR, verification="经核实，已按要求办结")
                    del self.plans[item_id]
