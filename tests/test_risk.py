"""Risk, explained (docs/risk.md): each rule's points and words, as of a moment, and its uses.

The office runs in Beijing time on the Chinese calendar, in November 2025: every weekday
is a working day and no weekend day is. Monday 2025-11-03 is the first day.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from conftest import (
    CLERK,
    DIRECTOR,
    LEADER,
    SUPERIOR,
    SUPERVISOR,
    UNDERTAKER,
    UNIT_A,
    UNIT_B,
    actor,
)
from secretarial import (
    Actor,
    Classification,
    Entity,
    Office,
    ReminderPolicy,
    ReportCycle,
    Role,
    SupervisionItem,
    ValidationError,
)
from secretarial.risk import (
    RiskAssessment,
    RiskFactor,
    RiskLevel,
    RiskPolicy,
    RiskReport,
    assess_risks,
)
from secretarial.testing import FrozenClock, memory_office

BEIJING = ZoneInfo("Asia/Shanghai")
MONDAY = date(2025, 11, 3)


def at(day: date, hour: int = 9) -> datetime:
    """``hour``:00 on ``day``, Beijing time."""
    return datetime.combine(day, time(hour), BEIJING)


def workday(n: int) -> date:
    """The ``n``-th day after Monday 2025-11-03, counting weekdays only (0 is that Monday)."""
    return MONDAY + timedelta(days=7 * (n // 5) + n % 5)


def new_office(**options: Any) -> tuple[Office, FrozenClock]:
    """An in-memory office on the Chinese calendar, its clock at 09:00 on 2025-11-03."""
    return memory_office(at(MONDAY), **options)


def open_item(
    office: Office,
    deadline: date,
    *,
    unit: dict[str, str] = UNIT_A,
    accept: bool = True,
    cycle: ReportCycle = ReportCycle.NONE,
    classification: Classification = Classification.UNCLASSIFIED,
) -> SupervisionItem:
    """A supervision item assigned to ``unit`` today and, unless told, accepted."""
    item: Entity = office.supervision.open(
        by=SUPERVISOR,
        source="leader_instruction",
        requirement="落实安全检查部署",
        instructed_by="leader",
        received_at=office.now(),
        classification=classification,
    )
    item = office.fire(
        item, "assign", by=SUPERVISOR, lead_unit=unit, deadline=deadline, report_cycle=cycle
    )
    if accept:
        item = office.fire(item, "accept", by=UNDERTAKER)
    assert isinstance(item, SupervisionItem)
    return item


def settle(office: Office, clock: FrozenClock, item: SupervisionItem, day: date) -> None:
    """Report the item's result on ``day`` and verify it."""
    clock.set(at(day, 10))
    office.fire(item.id, "submit_result", by=UNDERTAKER, result="已完成")
    office.fire(item.id, "verify", by=SUPERVISOR, verification="属实")


def ask_extension(office: Office, item: str, until: date, *, reason: str) -> None:
    """The lead unit's undertaker asks for the deadline ``until`` (延期申请)."""
    office.fire(item, "request_extension", by=UNDERTAKER, reason=reason, proposed_deadline=until)


def assessed(office: Office, item: Entity | str, **kwargs: Any) -> RiskAssessment:
    """The item's assessment now (or as of ``as_of``)."""
    entity_id = item if isinstance(item, str) else item.id
    found = assess_risks(office, **kwargs).of(entity_id)
    assert found is not None, f"{entity_id} was not assessed"
    return found


def parts(assessment: RiskAssessment) -> list[tuple[str, int, str]]:
    """(key, points, reason) of each part of the score."""
    return [(f.key, f.points, f.reason) for f in assessment.factors]


# ============================================================================ the rules
class TestTimeLeft:
    """Working days left are counted like ``before:N``: today included, the deadline not."""

    def test_far_deadline_adds_nothing(self) -> None:
        office, _ = new_office()
        item = open_item(office, workday(20))
        found = assessed(office, item)
        assert (found.workdays_left, found.score, found.factors) == (20, 0, ())
        assert found.level is RiskLevel.LOW
        assert found.reasons == "无风险因素 / nothing points to lateness"

    def test_near_deadline_five_working_days_left(self) -> None:
        office, _ = new_office()
        item = open_item(office, workday(5))  # next Monday: Mon to Fri left
        assert parts(assessed(office, item)) == [
            ("time_left", 10, "剩余 5 个工作日（含今天） / 5 working days left, today included")
        ]

    def test_six_working_days_left_is_not_near(self) -> None:
        office, _ = new_office()
        item = open_item(office, workday(6))
        assert assessed(office, item).factors == ()

    def test_tight_deadline(self) -> None:
        office, _ = new_office()
        item = open_item(office, workday(2))
        found = assessed(office, item)
        assert found.workdays_left == 2
        assert parts(found) == [
            ("time_left", 20, "剩余 2 个工作日（含今天） / 2 working days left, today included")
        ]

    def test_due_today(self) -> None:
        office, clock = new_office()
        item = open_item(office, workday(3))
        clock.set(at(workday(3)))
        office.fire(item.id, "report_progress", by=UNDERTAKER, text="推进中")
        found = assessed(office, item)
        assert found.workdays_left == 0
        assert parts(found) == [("time_left", 20, "今日到期 / due today")]

    def test_a_weekend_counts_no_working_day(self) -> None:
        office, clock = new_office()
        item = open_item(office, workday(5))  # Monday 11-10
        clock.set(at(date(2025, 11, 8)))  # Saturday
        office.fire(item.id, "report_progress", by=UNDERTAKER, text="推进中")
        assert assessed(office, item).workdays_left == 0


class TestOverdue:
    """A matter past its deadline without its result is late already: the whole scale."""

    def test_overdue_scores_one_hundred(self) -> None:
        office, clock = new_office()
        item = open_item(office, workday(4))  # Friday 11-07
        clock.set(at(workday(5)))
        office.fire(item.id, "report_progress", by=UNDERTAKER, text="推进中")
        found = assessed(office, item)
        assert found.workdays_left == -1
        assert (found.score, found.level) == (100, RiskLevel.HIGH)
        assert parts(found) == [
            (
                "overdue",
                100,
                (
                    "已过期限 2025-11-07，逾期 1 个工作日 / past its deadline 2025-11-07:"
                    " 1 working day overdue"
                ),
            )
        ]

    def test_the_score_is_capped_at_one_hundred_with_every_part_shown(self) -> None:
        office, clock = new_office()
        item = open_item(office, workday(1))
        for n in range(2, 8):  # swept every morning until the 4th overdue working day
            clock.set(at(workday(n)))
            office.sweep()
        found = assessed(office, item)
        assert found.score == 100
        assert [(f.key, f.points) for f in found.factors] == [
            ("overdue", 100),
            ("silence", 25),
            ("escalated", 15),
        ]
        assert "已升级督办 1 次 / escalated 1 time already" in [f.reason for f in found.factors]


class TestSilence:
    """Five working days without a progress report (or acceptance) is silence."""

    def test_four_working_days_are_not_silence(self) -> None:
        office, clock = new_office()
        item = open_item(office, workday(30))
        clock.set(at(workday(4)))
        assert assessed(office, item).factors == ()

    def test_five_and_more_are(self) -> None:
        office, clock = new_office()
        item = open_item(office, workday(30))
        clock.set(at(workday(9)))
        assert parts(assessed(office, item)) == [
            ("silence", 25, "9 个工作日无进展报告 / no progress report for 9 working days")
        ]

    def test_a_progress_report_ends_the_silence(self) -> None:
        office, clock = new_office()
        item = open_item(office, workday(30))
        clock.set(at(workday(6)))
        office.fire(item.id, "report_progress", by=UNDERTAKER, text="已召开部署会")
        clock.set(at(workday(10)))
        assert assessed(office, item).factors == ()
        clock.set(at(workday(11)))
        assert [f.zh for f in assessed(office, item).factors] == ["5 个工作日无进展报告"]

    def test_a_reminder_is_no_news(self) -> None:
        office, clock = new_office()
        item = open_item(office, workday(8))
        clock.set(at(workday(5)))  # before:3 is issued
        assert [r.step for r in office.sweep().issued] == ["before:3"]
        assert [f.key for f in assessed(office, item).factors] == ["silence", "time_left"]

    def test_an_item_whose_result_is_in_is_not_assessed(self) -> None:
        office, clock = new_office()
        item = open_item(office, workday(30))
        clock.set(at(workday(9)))
        office.fire(item.id, "submit_result", by=UNDERTAKER, result="已完成")
        assert assess_risks(office).of(item.id) is None

    def test_a_document_silent_for_a_week(self) -> None:
        office, clock = new_office()
        doc = office.documents.receive(
            by=CLERK,
            kind="notice",
            title="关于开展安全检查的通知",
            sender=SUPERIOR,
            channel="paper",
            received_at=office.now(),
        )
        assert assess_risks(office).of(doc.id) is None  # no deadline yet
        doc = office.fire(doc, "register", by=CLERK)
        doc = office.fire(doc, "screen", by=CLERK)
        doc = office.fire(
            doc, "propose", by=DIRECTOR, handling_type="for_handling", lead_unit=UNIT_A
        )
        clock.set(at(workday(1)))
        office.fire(doc, "approve", by=LEADER, deadline=workday(20), instruction="请综合科办理")
        clock.set(at(workday(5)))
        assert assessed(office, doc).factors == ()
        clock.set(at(workday(6)))
        found = assessed(office, doc)
        assert (found.entity_kind, found.lead_unit) == ("incoming_document", UNIT_A["code"])
        assert parts(found) == [
            ("silence", 25, "5 个工作日无办理动态 / no step taken for 5 working days")
        ]


class TestLeadUnitRecord:
    """The lead unit's last six settled matters: 40 points times the late share."""

    def record(self, office: Office, clock: FrozenClock, late: int, on_time: int) -> None:
        """Settle ``late`` items of 综合科 after their deadline, then ``on_time`` before it."""
        for _ in range(late):
            clock.set(at(MONDAY))
            settle(office, clock, open_item(office, workday(2)), workday(3))
        for _ in range(on_time):
            clock.set(at(MONDAY))
            settle(office, clock, open_item(office, workday(10)), workday(4))
        clock.set(at(workday(5)))

    def test_four_late_of_six(self) -> None:
        office, clock = new_office()
        self.record(office, clock, late=4, on_time=2)
        item = open_item(office, workday(30))
        assert parts(assessed(office, item)) == [
            (
                "lead_unit_lateness",
                27,  # 40 * 4 / 6 = 26.7, rounded
                (
                    "牵头单位综合科近 6 件中 4 件逾期 / the lead unit ZHK was late on 4 of"
                    " its last 6 items"
                ),
            )
        ]

    def test_only_the_last_six_count(self) -> None:
        office, clock = new_office()
        self.record(office, clock, late=2, on_time=6)  # the two late ones are the oldest
        item = open_item(office, workday(30))
        assert assessed(office, item).factors == ()  # 0 of 6 late: no points

    def test_every_one_late(self) -> None:
        office, clock = new_office()
        self.record(office, clock, late=6, on_time=0)
        item = open_item(office, workday(30))
        assert [(f.key, f.points) for f in assessed(office, item).factors] == [
            ("lead_unit_lateness", 40)
        ]

    def test_fewer_than_three_settled_is_no_record(self) -> None:
        office, clock = new_office()
        self.record(office, clock, late=2, on_time=0)
        item = open_item(office, workday(30))
        assert assessed(office, item).factors == ()

    def test_another_unit_has_its_own_record(self) -> None:
        office, clock = new_office()
        self.record(office, clock, late=4, on_time=0)
        item = open_item(office, workday(30), unit=UNIT_B)
        assert assessed(office, item).factors == ()

    def test_classified_matters_make_no_record(self) -> None:
        office, clock = new_office()
        for _ in range(4):
            clock.set(at(MONDAY))
            secret = open_item(office, workday(2), classification=Classification.CONFIDENTIAL)
            settle(office, clock, secret, workday(3))
        clock.set(at(workday(4)))
        item = open_item(office, workday(30))
        assert assessed(office, item).factors == ()


class TestRemindersAndExtensions:
    """Report requests unanswered, extensions used and pending."""

    def test_report_requests_unanswered(self) -> None:
        office, clock = new_office()
        item = open_item(office, workday(40), cycle=ReportCycle.WEEKLY)
        clock.set(at(workday(5)))
        assert [r.step for r in office.sweep().issued] == ["report:2025-11-03"]
        found = assessed(office, item)
        assert parts(found) == [
            ("silence", 25, "5 个工作日无进展报告 / no progress report for 5 working days"),
            (
                "requests_unanswered",
                10,
                "已催报 1 次仍无进展报告 / 1 progress-report request unanswered",
            ),
        ]
        office.fire(item.id, "report_progress", by=UNDERTAKER, text="推进中")
        assert assessed(office, item).factors == ()

    def test_unanswered_requests_are_capped(self) -> None:
        office, clock = new_office()
        item = open_item(office, workday(60), cycle=ReportCycle.WEEKLY)
        for week in (1, 2, 3):
            clock.set(at(workday(5 * week)))
            office.sweep()
        requests = [f for f in assessed(office, item).factors if f.key == "requests_unanswered"]
        assert [(f.points, f.zh) for f in requests] == [(20, "已催报 3 次仍无进展报告")]

    def test_an_extension_pending_then_granted(self) -> None:
        office, _ = new_office()
        item = open_item(office, workday(20))
        ask_extension(office, item.id, workday(30), reason="需协调多个部门")
        assert parts(assessed(office, item)) == [
            (
                "extension_pending",
                20,
                "已申请延期，尚未批复 / an extension is asked for and not yet decided",
            )
        ]
        office.fire(item.id, "grant_extension", by=SUPERVISOR, deadline=workday(30))
        found = assessed(office, item)
        assert found.deadline == workday(30)
        assert parts(found) == [
            ("extensions_used", 15, "已延期 1 次 / 1 extension already granted")
        ]


# ============================================================================ scale, levels
class TestScale:
    """The score is the parts' sum capped at 100; the levels are the policy's thresholds."""

    @pytest.mark.parametrize(
        ("score", "level"),
        [(0, "low"), (29, "low"), (30, "medium"), (59, "medium"), (60, "high"), (100, "high")],
    )
    def test_default_levels(self, score: int, level: str) -> None:
        assert RiskPolicy().level(score) is RiskLevel(level)

    @given(
        medium=st.integers(1, 99),
        gap=st.integers(1, 99),
        score=st.integers(0, 100),
    )
    def test_levels_follow_the_thresholds(self, medium: int, gap: int, score: int) -> None:
        high = min(100, medium + gap)
        if high == medium:
            return
        level = RiskPolicy(medium_from=medium, high_from=high).level(score)
        expected = "high" if score >= high else "medium" if score >= medium else "low"
        assert level.value == expected

    @given(points=st.lists(st.integers(0, 100), max_size=8))
    def test_the_report_sorts_highest_first(self, points: list[int]) -> None:
        report = RiskReport(
            as_of=at(MONDAY),
            day=MONDAY,
            policy=RiskPolicy(),
            assessments=tuple(
                sorted(
                    (
                        RiskAssessment(
                            entity_id=f"e{i}",
                            entity_kind="supervision_item",
                            state="in_progress",
                            deadline=MONDAY,
                            workdays_left=0,
                            score=p,
                            level=RiskPolicy().level(p),
                            factors=(RiskFactor(key="time_left", points=p, zh="x", en="x"),),
                        )
                        for i, p in enumerate(points)
                    ),
                    key=lambda a: -a.score,
                )
            ),
        )
        assert [a.score for a in report.at_risk] == sorted(
            (p for p in points if p >= 30), reverse=True
        )

    def test_every_score_is_the_sum_of_its_parts(self) -> None:
        office, clock = new_office()
        for n, cycle in enumerate((ReportCycle.WEEKLY, ReportCycle.NONE, ReportCycle.WEEKLY)):
            open_item(office, workday(6 + 3 * n), cycle=cycle)
        for n in range(1, 12):
            clock.set(at(workday(n)))
            office.sweep()
            for a in assess_risks(office).assessments:
                assert a.score == min(100, sum(f.points for f in a.factors))
                assert a.level is RiskPolicy().level(a.score)
                assert all(f.points > 0 for f in a.factors)

    def test_the_table_shows_the_parts(self) -> None:
        office, clock = new_office()
        item = open_item(office, workday(2))
        clock.set(at(workday(1)))
        report = assess_risks(office)
        page = report._repr_html_()
        assert item.id in page
        assert "+20 剩余 1 个工作日（含今天） / 1 working day left, today included" in page
        assert "+20 剩余 1 个工作日" in str(report)


# ============================================================================ as of a moment
class TestAsOf:
    """Only the audit events at or before ``as_of`` are read."""

    def test_a_later_progress_report_is_not_seen(self) -> None:
        office, clock = new_office()
        item = open_item(office, workday(30))
        clock.set(at(workday(9)))
        office.fire(item.id, "report_progress", by=UNDERTAKER, text="推进中")
        assert assessed(office, item).factors == ()
        earlier = assessed(office, item, as_of=at(workday(9), 8))
        assert [f.zh for f in earlier.factors] == ["9 个工作日无进展报告"]

    def test_a_matter_settled_later_was_open_then(self) -> None:
        office, clock = new_office()
        item = open_item(office, workday(3))
        settle(office, clock, item, workday(5))
        assert assess_risks(office).of(item.id) is None
        then = assessed(office, item, as_of=at(workday(4), 12))
        assert (then.state, then.score, then.workdays_left) == ("in_progress", 100, -1)

    def test_a_deadline_moved_later_is_the_old_one_then(self) -> None:
        office, clock = new_office()
        item = open_item(office, workday(10))
        clock.set(at(workday(2)))
        ask_extension(office, item.id, workday(20), reason="协调")
        office.fire(item.id, "grant_extension", by=SUPERVISOR, deadline=workday(20))
        then = assessed(office, item, as_of=at(workday(1)))
        assert (then.deadline, then.factors) == (workday(10), ())

    def test_a_matter_made_later_does_not_exist_then(self) -> None:
        office, clock = new_office()
        clock.set(at(workday(2)))
        item = open_item(office, workday(10))
        assert assess_risks(office, as_of=at(workday(1))).of(item.id) is None

    def test_a_unit_record_then_holds_only_what_was_settled_then(self) -> None:
        office, clock = new_office()
        for day in (3, 4, 5):
            clock.set(at(MONDAY))
            settle(office, clock, open_item(office, workday(2)), workday(day))
        clock.set(at(workday(6)))
        item = open_item(office, workday(30))
        now = assessed(office, item)
        assert [f.zh for f in now.factors] == ["牵头单位综合科近 3 件中 3 件逾期"]
        # the item itself did not exist before workday 6; its record's past is one
        # settled matter at workday 3, 12:00 (too few to count)
        report = assess_risks(office, as_of=at(workday(3), 12))
        assert all(f.key != "lead_unit_lateness" for a in report.assessments for f in a.factors)

    def test_as_of_must_be_aware(self) -> None:
        office, _ = new_office()
        with pytest.raises(ValidationError) as caught:
            assess_risks(office, as_of=datetime(2025, 11, 3, 9))  # noqa: DTZ001 -- the point
        assert caught.value.fields == ("as_of",)


# ============================================================================ classification
class TestClassification:
    """An uncleared reader never sees a classified matter or its reasons."""

    UNCLEARED: Actor = actor("reader", Role.SUPERVISOR, clearance=Classification.UNCLASSIFIED)

    def test_an_uncleared_reader_sees_no_classified_assessment(self) -> None:
        office, clock = new_office()
        secret = open_item(office, workday(2), classification=Classification.CONFIDENTIAL)
        plain = open_item(office, workday(2))
        clock.set(at(workday(1)))
        cleared = assess_risks(office, by=SUPERVISOR)
        assert {a.entity_id for a in cleared.assessments} == {secret.id, plain.id}
        uncleared = assess_risks(office, by=self.UNCLEARED)
        assert {a.entity_id for a in uncleared.assessments} == {plain.id}
        brief = office.brief(self.UNCLEARED)
        assert secret.id not in brief.to_text()
        section = brief.section("at_risk")
        assert section is not None
        assert [i.entity_id for i in section.items] == []  # 20 points: low, not listed

    def test_the_brief_of_an_uncleared_reader_lists_only_what_they_may_see(self) -> None:
        office, clock = new_office()
        secret = open_item(office, workday(3), classification=Classification.CONFIDENTIAL)
        plain = open_item(office, workday(3))
        clock.set(at(workday(2)))  # silent 2 days, 1 left: 20 points; plus a pending extension
        for item in (secret, plain):
            ask_extension(office, item.id, workday(9), reason="协调")
        cleared = office.brief(SUPERVISOR).section("at_risk")
        assert cleared is not None
        assert {i.entity_id for i in cleared.items} == {secret.id, plain.id}
        uncleared = office.brief(self.UNCLEARED)
        section = uncleared.section("at_risk")
        assert section is not None
        assert [i.entity_id for i in section.items] == [plain.id]
        assert secret.id not in uncleared.to_text()
        assert secret.id not in uncleared.to_html()


# ============================================================================ brief and sweep
def at_risk_office() -> tuple[
    Office, FrozenClock, SupervisionItem, SupervisionItem, SupervisionItem
]:
    """Three items on workday 7: one at high risk, one at medium, one low."""
    office, clock = new_office()
    high = open_item(office, workday(9))
    medium = open_item(office, workday(9))
    low = open_item(office, workday(30))
    clock.set(at(workday(6)))
    office.fire(medium.id, "report_progress", by=UNDERTAKER, text="推进中")
    office.fire(low.id, "report_progress", by=UNDERTAKER, text="推进中")
    office.fire(
        high.id, "request_extension", by=UNDERTAKER, reason="协调", proposed_deadline=workday(20)
    )
    office.fire(
        medium.id, "request_extension", by=UNDERTAKER, reason="协调", proposed_deadline=workday(20)
    )
    clock.set(at(workday(7)))
    return office, clock, high, medium, low


class TestBriefAndSweep:
    """Both list what is at risk first, with the reasons."""

    def test_the_scores(self) -> None:
        office, _, high, medium, low = at_risk_office()
        report = assess_risks(office)
        assert [(a.entity_id, a.score, a.level.value) for a in report.assessments] == [
            (high.id, 65, "high"),  # 25 silence + 20 pending + 20 tight
            (medium.id, 40, "medium"),  # 20 pending + 20 tight
            (low.id, 0, "low"),
        ]
        assert [a.entity_id for a in report.at_risk] == [high.id, medium.id]

    def test_the_brief_lists_them_after_what_is_overdue_and_before_the_rest(self) -> None:
        office, clock, high, medium, _ = at_risk_office()
        late = open_item(office, workday(8))
        clock.set(at(workday(9), 8))
        office.fire(late.id, "report_progress", by=UNDERTAKER, text="推进中")
        brief = office.brief(SUPERVISOR)
        keys = [s.key for s in brief.sections]
        assert keys[:2] == ["overdue", "at_risk"]
        overdue = brief.section("overdue")
        section = brief.section("at_risk")
        assert overdue is not None
        assert section is not None
        assert [i.entity_id for i in overdue.items] == [late.id]
        assert [i.entity_id for i in section.items] == [high.id, medium.id]
        assert section.items[0].detail.startswith("逾期风险高（")
        assert "已申请延期，尚未批复" in section.items[0].detail
        assert "an extension is asked for and not yet decided" in section.items[0].detail
        assert "逾期风险 At risk of being late（2）" in brief.to_text()

    def test_the_sweep_lists_them_and_records_nothing_more(self) -> None:
        office, _, high, medium, _ = at_risk_office()
        before = {e.id: e.version for e in office.list()}
        report = office.sweep()
        assert [a.entity_id for a in report.at_risk] == [high.id, medium.id]
        assert report.at_risk[0].factors[0].key == "silence"
        assert [r.step for r in report.issued] == ["before:3", "before:3"]
        after = {e.id: e.version for e in office.list()}
        assert {i for i in after if after[i] != before[i]} == {high.id, medium.id}
        assert "at risk: `" in report._repr_markdown_()

    def test_no_sweep_lists_risks_on_a_day_off(self) -> None:
        office, clock, *_ = at_risk_office()
        clock.set(at(date(2025, 11, 15)))
        assert office.sweep().at_risk == ()


# ============================================================================ reminders
class TestRemindAtRisk:
    """``remind_at_risk`` issues ``risk:L`` once per level per deadline, audited."""

    def test_off_by_default(self) -> None:
        assert ReminderPolicy().remind_at_risk is None
        office, *_ = at_risk_office()
        assert not [r for r in office.sweep().issued if r.step.startswith("risk:")]

    def test_a_risk_step_once_and_audited(self) -> None:
        policy = ReminderPolicy(remind_at_risk=RiskLevel.MEDIUM, before=())
        office, clock = new_office(reminder_policy=policy)
        item = open_item(office, workday(9))
        clock.set(at(workday(6)))
        office.fire(item.id, "report_progress", by=UNDERTAKER, text="推进中")
        ask_extension(office, item.id, workday(20), reason="协调")
        clock.set(at(workday(7)))  # 20 pending + 20 tight: medium
        (step,) = office.sweep().issued
        assert (step.step, step.due, step.to) == ("risk:medium", workday(9), (UNIT_A["code"],))
        assert "有逾期风险（中，40 分" in step.message
        assert "已申请延期，尚未批复" in step.message
        assert "at medium risk of being late (score 40" in step.message
        assert office.sweep().issued == ()
        event = office.audit(item)[-1]
        assert (event.trigger, event.payload["step"], event.actor.id) == (
            "remind",
            "risk:medium",
            "system",
        )
        assert office.get(item.id).reminders[-1].note == step.message
        clock.set(at(workday(8)))  # medium still: nothing new
        assert assessed(office, item).level is RiskLevel.MEDIUM
        assert office.sweep().issued == ()

    def test_rising_to_high_reminds_again_and_never_lower_after(self) -> None:
        policy = ReminderPolicy(remind_at_risk=RiskLevel.MEDIUM, before=())
        office, clock = new_office(reminder_policy=policy)
        item = open_item(office, workday(12))
        clock.set(at(workday(8)))
        ask_extension(office, item.id, workday(20), reason="协调")
        clock.set(at(workday(9)))  # silence 25 + pending 20 + near 10: 55, medium
        assert [r.step for r in office.sweep().issued] == ["risk:medium"]
        clock.set(at(workday(10)))  # tight now: 65, high
        assert [r.step for r in office.sweep().issued] == ["risk:high"]
        office.fire(item.id, "refuse_extension", by=SUPERVISOR, reason="不同意延期")
        clock.set(at(workday(11)))  # silence 25 + tight 20: 45, medium again
        assert assessed(office, item).level is RiskLevel.MEDIUM
        assert office.sweep().issued == ()

    def test_a_new_deadline_starts_again(self) -> None:
        policy = ReminderPolicy(remind_at_risk=RiskLevel.MEDIUM, before=())
        office, clock = new_office(reminder_policy=policy)
        item = open_item(office, workday(9))
        clock.set(at(workday(6)))
        office.fire(item.id, "report_progress", by=UNDERTAKER, text="推进中")
        ask_extension(office, item.id, workday(15), reason="协调")
        clock.set(at(workday(7)))
        assert [r.step for r in office.sweep().issued] == ["risk:medium"]
        office.fire(item.id, "grant_extension", by=SUPERVISOR, deadline=workday(15))
        clock.set(at(workday(12)))  # silence 25 + extension 15 + near 10: 50
        (step,) = office.sweep().issued
        assert (step.step, step.due) == (f"risk:medium@{workday(15).isoformat()}", workday(15))

    def test_overdue_matters_get_their_overdue_steps_instead(self) -> None:
        policy = ReminderPolicy(remind_at_risk=RiskLevel.MEDIUM)
        office, clock = new_office(reminder_policy=policy)
        item = open_item(office, workday(1))
        clock.set(at(workday(2)))
        assert assessed(office, item).score == 100
        assert [r.step for r in office.sweep().issued] == ["overdue:1"]


# ============================================================================ bad policies
class TestBadPolicies:
    """Bad values are refused with ValidationError naming the field and what is accepted."""

    @pytest.mark.parametrize(
        ("fields", "field", "accepted"),
        [
            ({"silence_days": 0}, "silence_days", "at least 1"),
            ({"history_points": 101}, "history_points", "at most 100"),
            ({"tight_days": 6}, "near_days", "at least tight_days (6)"),
            ({"history_size": 2}, "history_min", "at most history_size (2)"),
            ({"medium_from": 60}, "high_from", "more than medium_from (60)"),
            ({"high_from": 20}, "high_from", "more than medium_from (30)"),
        ],
    )
    def test_risk_policy(self, fields: dict[str, int], field: str, accepted: str) -> None:
        with pytest.raises(ValidationError) as caught:
            RiskPolicy(**fields)
        (problem,) = caught.value.problems
        assert (problem.field, problem.accepted) == (field, accepted)

    def test_ordering_problems_carry_their_rule(self) -> None:
        with pytest.raises(ValidationError) as caught:
            RiskPolicy(medium_from=70)
        assert caught.value.problems[0].rule == "risk_thresholds_ordered"

    @pytest.mark.parametrize("level", ["low", "severe"])
    def test_remind_at_risk(self, level: str) -> None:
        with pytest.raises(ValidationError) as caught:
            ReminderPolicy(remind_at_risk=level)  # type: ignore[arg-type]
        assert caught.value.fields == ("remind_at_risk",)

    def test_a_policy_refuses_unknown_fields(self) -> None:
        with pytest.raises(ValidationError) as caught:
            RiskPolicy(silence=3)  # type: ignore[call-arg]
        assert caught.value.fields == ("silence",)


# ============================================================================ the proof
def test_flagged_items_are_late_far_more_often_on_a_simulated_quarter() -> None:
    """Items at medium or high risk 5 working days before their deadline are late far more.

    On the simulated quarter (seed 1), of the 79 items judged (settled, or overdue at the
    end) 10 were flagged and 9 of them (90%) were late; of the 69 not flagged, 12 (17%)
    were: over five times the rate.
    """
    from secretarial.testing.simulation import simulate_office  # noqa: PLC0415

    office, clock = memory_office()
    calendar = office.calendar
    flags: dict[str, RiskAssessment] = {}
    seen: set[str] = set()

    def on_day(day: date) -> None:
        report = assess_risks(office)
        for a in report.assessments:
            if a.entity_kind != "supervision_item" or a.entity_id in seen:
                continue
            if calendar.add_workdays(day, 5) == a.deadline:
                seen.add(a.entity_id)
                if a.at_risk:
                    flags[a.entity_id] = a

    sim = simulate_office(office, clock, months=3, seed=1, on_day=on_day)
    late = lateness(office, sim.items)
    judged = [i for i in seen if i in late]
    flagged = [i for i in judged if i in flags]
    unflagged = [i for i in judged if i not in flags]
    flagged_rate = sum(late[i] for i in flagged) / len(flagged)
    unflagged_rate = sum(late[i] for i in unflagged) / len(unflagged)
    rates = (
        f"flagged {sum(late[i] for i in flagged)}/{len(flagged)} = {flagged_rate:.0%} late, "
        f"not flagged {sum(late[i] for i in unflagged)}/{len(unflagged)} = {unflagged_rate:.0%}"
    )
    assert len(flagged) >= 5, rates
    assert len(unflagged) >= 5, rates
    assert flagged_rate >= 2 * unflagged_rate, rates
    assert all(a.factors and a.reasons for a in flags.values())


def lateness(office: Office, items: tuple[str, ...]) -> dict[str, bool]:
    """Whether each item settled (its result in) was late: its result after its deadline.

    Items still without their result at the end are left out, unless already overdue.
    """
    today = office.today()
    found: dict[str, bool] = {}
    for item_id in items:
        item = office.get(item_id, SupervisionItem)
        if item.deadline is None or str(item.state) == "cancelled":
            continue
        results = [e.at for e in office.audit(item) if e.trigger == "submit_result"]
        if str(item.state) in {"reported", "verified"}:
            done = results[-1].astimezone(office.timezone).date()
            found[item_id] = done > item.deadline
        elif today > item.deadline:
            found[item_id] = True
    return found
