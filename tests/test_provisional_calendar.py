"""Time beyond the published calendar: provisional years, loading a notice, errata."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import chinese_calendar
import holidays
import pytest

from secretarial import Actor, Office, Role, TransitionNotAllowed
from secretarial.adapters import build_china_calendar, china_calendar
from secretarial.adapters._china import CHINA_ERRATA
from secretarial.adapters._lunar import lunar_calendar
from secretarial.errors import CalendarCoverageError, UsageError, ValidationError
from secretarial.kernel import (
    CalendarPolicy,
    EntityKind,
    Festival,
    Query,
    law_in_force,
    provisional_through,
    provisional_year,
    statutory_holidays,
)
from secretarial.supervision import SupervisionItem
from secretarial.testing import FrozenClock

DATA = Path(__file__).parent / "data" / "calendar"
NOTICE_2027 = (DATA / "2027-annual.txt").read_text(encoding="utf-8")
PUBLISHED = china_calendar().covered_years()
assert PUBLISHED is not None
LAST = PUBLISHED[1]

SUPERVISOR = Actor(id="du", name="督查员", roles={Role.SUPERVISOR})
CLERK = Actor(id="li", name="李文书", roles={Role.CLERK})
UNDERTAKER = Actor(id="cheng", name="承办人", roles={Role.UNDERTAKER})
UNIT = {"code": "AJK", "name": "市安监局"}


def beijing(day: date, hour: int = 10) -> datetime:
    return datetime(day.year, day.month, day.day, hour - 8, tzinfo=UTC)


def office_on(day: date, **options) -> Office:
    return Office.in_memory(clock=FrozenClock(beijing(day)), **options)


def assigned(office: Office, received: date | None = None) -> SupervisionItem:
    item = office.supervision.open(
        by=SUPERVISOR,
        source="document_instruction",
        requirement="落实全市安全生产大检查",
        received_at=beijing(received) if received else office.now(),
    )
    done = office.fire(item, "assign", by=SUPERVISOR, lead_unit=UNIT)
    assert isinstance(done, SupervisionItem)
    return done


# ---------------------------------------------------------------------- the law


@pytest.mark.parametrize("year", range(2008, LAST + 1))
def test_provisional_years_agree_with_the_published_data_on_every_statutory_day(year):
    derived = statutory_holidays(year, lunar_calendar())
    law = law_in_force(year)
    assert sum(len(h.days) for h in derived) == law.total
    for holiday in derived:
        for day in holiday.days:
            assert chinese_calendar.is_holiday(day), (year, holiday.festival, day)
    assert provisional_year(year, lunar_calendar()) == {d for h in derived for d in h.days}


def test_each_version_of_the_law_gives_its_own_days():
    lunar = lunar_calendar()
    by_festival = {h.festival: h.days for h in statutory_holidays(2007, lunar)}
    assert set(by_festival) == {
        Festival.NEW_YEAR,
        Festival.SPRING_FESTIVAL,
        Festival.LABOUR_DAY,
        Festival.NATIONAL_DAY,
    }
    assert by_festival[Festival.LABOUR_DAY] == tuple(date(2007, 5, d) for d in (1, 2, 3))
    # 2007 version (2008-2013): New Year's Eve, the first and second day
    spring_2013 = {h.festival: h.days for h in statutory_holidays(2013, lunar)}
    assert spring_2013[Festival.SPRING_FESTIVAL] == (
        date(2013, 2, 9),
        date(2013, 2, 10),
        date(2013, 2, 11),
    )
    # 2013 version (2014-2024): the first three days, no Eve
    spring_2024 = {h.festival: h.days for h in statutory_holidays(2024, lunar)}
    assert spring_2024[Festival.SPRING_FESTIVAL][0] == date(2024, 2, 10)
    # 2024 version (from 2025): Eve and the first three days; Labour Day two days
    y2027 = {h.festival: h.days for h in statutory_holidays(2027, lunar)}
    assert y2027[Festival.SPRING_FESTIVAL] == tuple(date(2027, 2, d) for d in (5, 6, 7, 8))
    assert y2027[Festival.LABOUR_DAY] == (date(2027, 5, 1), date(2027, 5, 2))
    assert y2027[Festival.QINGMING] == (date(2027, 4, 5),)
    assert sum(len(d) for d in y2027.values()) == 13
    with pytest.raises(ValueError, match="1998"):
        law_in_force(1998)


def test_the_holidays_package_agrees_with_the_bundled_years_but_for_the_accepted_errata():
    """Every published day of chinese-calendar against the holidays package."""
    corrected = {d for e in CHINA_ERRATA for d in e.holidays | e.workdays}
    differences = []
    strict = china_calendar()
    for year in range(PUBLISHED[0], LAST + 1):
        table = holidays.China(years=year)
        makeup = {d for d in table.weekend_workdays if d.year == year}
        day = date(year, 1, 1)
        while day.year == year:
            theirs = day in makeup or (day.weekday() < 5 and day not in table)
            if theirs != chinese_calendar.is_workday(day):
                differences.append(day)
            assert strict.is_workday(day) == theirs, day
            day += timedelta(days=1)
    # accepted: 2005-12-31 (Saturday) was a working day under the 2006 notice
    assert differences == sorted(corrected) == [date(2005, 12, 31)]


# ---------------------------------------------------------------------- the policy


def test_strict_still_raises_beyond_the_published_years():
    strict = china_calendar(CalendarPolicy.STRICT)
    with pytest.raises(CalendarCoverageError):
        strict.is_workday(date(LAST + 1, 1, 4))
    office = office_on(date(LAST, 12, 2), calendar_policy="strict")
    item = office.supervision.open(
        by=SUPERVISOR,
        source="document_instruction",
        requirement="落实",
        received_at=office.now(),
    )
    with pytest.raises(CalendarCoverageError):
        office.fire(item, "assign", by=SUPERVISOR, lead_unit=UNIT)
    # refused: nothing changed
    assert office.get(item.id) == item
    assert len(office.audit(item)) == 1


def test_a_provisional_calendar_continues_with_the_law_and_says_so():
    cal = china_calendar(CalendarPolicy.PROVISIONAL)
    assert cal.covered_years() == (PUBLISHED[0], LAST + 2)
    assert cal.provisional_years() == {LAST + 1, LAST + 2}
    law = f"provisional {LAST + 1}: 《全国年节及纪念日放假办法》"
    assert any(s.startswith(law) for s in cal.sources)
    for day in provisional_year(LAST + 1, lunar_calendar()):
        assert not cal.is_workday(day)
    # weekends off; every other weekday a workday
    assert not cal.is_workday(date(2027, 1, 9))
    assert cal.is_workday(date(2027, 1, 11))
    further = build_china_calendar("provisional", through=LAST + 5)
    assert further.covered_years() == (PUBLISHED[0], LAST + 5)
    with pytest.raises(UsageError, match="lenient"):
        build_china_calendar("lenient")


def test_provisional_years_continue_only_a_calendar_with_years():
    from secretarial import TableCalendar  # noqa: PLC0415

    with pytest.raises(UsageError, match="covers no year"):
        provisional_through(TableCalendar(id="X", covered=None), 2027, lunar_calendar())


def test_an_office_in_december_assigns_a_provisional_deadline_marked_everywhere():
    office = office_on(date(2026, 12, 2))
    item = assigned(office)
    # 30 calendar days: 2027-01-01, New Year's Day, rolled to Monday 2027-01-04
    assert item.deadline == date(2027, 1, 4)
    mark = item.deadline_provisional
    assert mark is not None
    assert mark.years == (2027,)
    assert mark.calendar == "CN"
    assert "2027" in mark.reason
    assert "provisional: 2027 not published" in (item.deadline_rule or "")
    event = office.audit(item)[-1]
    assert event.payload is not None
    assert event.payload["deadline_provisional"]["years"] == [2027]
    assert [i.id for i in office.provisional_deadlines()] == [item.id]
    assert office.replay(item) == item


def test_an_explicit_deadline_is_never_provisional():
    office = office_on(date(2026, 12, 2))
    item = office.supervision.open(
        by=SUPERVISOR, source="document_instruction", requirement="落实", received_at=office.now()
    )
    done = office.fire(item, "assign", by=SUPERVISOR, lead_unit=UNIT, deadline=date(2027, 1, 8))
    assert isinstance(done, SupervisionItem)
    assert done.deadline_provisional is None
    assert office.provisional_deadlines() == []


def test_a_deadline_on_published_days_only_is_not_provisional():
    office = office_on(date(2026, 9, 1))
    item = assigned(office)
    assert item.deadline == date(2026, 10, 8)
    assert item.deadline_provisional is None


# ---------------------------------------------------------------------- loading a notice


def test_loading_the_notice_confirms_re_dates_or_keeps_provisional_deadlines():
    office = office_on(date(2026, 12, 2))
    confirmed = assigned(office)  # 2027-01-04, as the notice also gives
    kept = assigned(office, date(2026, 12, 31))  # 2027-01-30 Sat -> Mon 2027-02-01
    later = assigned(office, date(2027, 1, 10))  # 2027-02-09 Tue: a workday provisionally
    assert (kept.deadline, later.deadline) == (date(2027, 2, 1), date(2027, 2, 9))

    load = office.load_calendar_notice(NOTICE_2027, by=CLERK, source="2027-annual.txt")

    assert load.trigger == "load"
    assert load.year.year == 2027
    assert date(2027, 1, 31) in load.changed_days  # a Sunday made a working day
    outcomes = {c.item_id: (c.outcome, c.before, c.computed, c.after) for c in load.deadlines}
    assert outcomes == {
        confirmed.id: ("confirmed", date(2027, 1, 4), date(2027, 1, 4), date(2027, 1, 4)),
        # the notice makes Sunday 2027-01-31 a working day: 1 day earlier, but communicated
        kept.id: ("kept", date(2027, 2, 1), date(2027, 1, 31), date(2027, 2, 1)),
        # the Spring Festival runs to 2027-02-13: later, and moved
        later.id: ("moved_later", date(2027, 2, 9), date(2027, 2, 15), date(2027, 2, 15)),
    }
    assert [c.item_id for c in load.outcome("kept")] == [kept.id]
    for item_id, (_, _, _, after) in outcomes.items():
        now = office.get(item_id, SupervisionItem)
        assert now.deadline == after
        assert now.deadline_provisional is None
        event = office.audit(now)[-1]
        assert event.trigger == "confirm_deadline"
        assert event.actor.id == "system"
        assert event.reason is not None
        assert "2027" in event.reason
        assert "li" in event.reason
        assert event.payload is not None
        assert event.payload["calendar_source"] == "calendar-CN-2027"
    assert office.provisional_deadlines() == []
    assert office.recheck_deadlines() == ()  # nothing more to do
    assert office.verify_audit().ok

    # the loaded year is kept, audited, and counts
    (year,) = office.calendar_years()
    assert year.notices[0].source == "2027-annual.txt"
    assert year.notices[0].text == NOTICE_2027.strip()
    trail = office.audit(year)
    assert [e.trigger for e in trail] == ["load"]
    assert trail[0].actor.id == "li"
    assert office.calendar.is_workday(date(2027, 1, 31))
    assert 2027 not in office.calendar.provisional_years()


def test_a_supervisor_shortens_a_kept_deadline_explicitly_with_a_reason():
    office = office_on(date(2026, 12, 2))
    kept = assigned(office, date(2026, 12, 31))
    office.load_calendar_notice(NOTICE_2027, by=CLERK)
    current = office.get(kept.id, SupervisionItem)
    with pytest.raises(TransitionNotAllowed) as info:
        office.fire(
            current,
            "confirm_deadline",
            by=SUPERVISOR,
            deadline=date(2027, 1, 31),
            computed=date(2027, 1, 31),
        )
    assert info.value.rule_code == "W5"
    assert office.get(kept.id) == current
    shortened = office.fire(
        current,
        "confirm_deadline",
        by=SUPERVISOR,
        deadline=date(2027, 1, 31),
        computed=date(2027, 1, 31),
        reason="按国务院办公厅通知，1月31日上班",
    )
    assert shortened.deadline == date(2027, 1, 31)


def test_a_notice_that_does_not_add_up_is_refused_and_changes_nothing():
    office = office_on(date(2026, 12, 2))
    item = assigned(office)
    bad = NOTICE_2027.replace("至13日（周六）放假调休，共9天", "至13日（周六）放假调休，共8天")
    before = office.store.audit_records()
    with pytest.raises(ValidationError) as info:
        office.load_calendar_notice(bad, by=CLERK)
    assert "二、春节" in str(info.value)
    assert office.store.audit_records() == before
    assert office.calendar_years() == []
    assert office.get(item.id) == item


def test_only_the_calendar_keepers_load_a_notice():
    office = office_on(date(2026, 12, 2))
    with pytest.raises(TransitionNotAllowed):
        office.load_calendar_notice(NOTICE_2027, by=UNDERTAKER)
    assert office.calendar_years() == []


def test_loading_the_same_year_again_needs_a_reason_and_a_new_text():
    office = office_on(date(2026, 12, 2))
    office.load_calendar_notice(NOTICE_2027, by=CLERK)
    with pytest.raises(ValidationError, match="reason"):
        office.load_calendar_notice(NOTICE_2027, by=CLERK)
    with pytest.raises(TransitionNotAllowed, match="already loaded"):
        office.load_calendar_notice(NOTICE_2027, by=CLERK, reason="again")
    corrected = NOTICE_2027.replace("2026年11月10日", "2026年11月12日")
    load = office.load_calendar_notice(corrected, by=CLERK, reason="更正后的通知")
    assert load.trigger == "replace"
    assert [e.trigger for e in office.audit(load.year)] == ["load", "replace"]


def test_a_supplementary_notice_loads_on_top_of_the_year():
    office = office_on(date(2026, 12, 2))
    office.load_calendar_notice(NOTICE_2027, by=CLERK)
    supplement = (
        "各省、自治区、直辖市人民政府，国务院各部委、各直属机构：\n"
        "为隆重纪念这一节日，经国务院同意，2027年9月3日全国放假1天，调整安排如下：9月3日（周五）放假，共1天。\n"
        "国务院办公厅\n2027年8月20日\n"
    )
    load = office.load_calendar_notice(supplement, by=CLERK)
    assert load.trigger == "amend"
    assert load.changed_days == (date(2027, 9, 3),)
    assert not office.calendar.is_workday(date(2027, 9, 3))
    assert office.calendar.is_workday(date(2027, 1, 31))  # the annual notice still holds
    assert len(load.year.notices) == 2


def test_a_supplementary_notice_for_a_published_year_amends_the_bundled_data():
    office = office_on(date(2026, 3, 2))
    supplement = (
        "为隆重纪念这一节日，经国务院同意，2026年3月6日全国放假1天，调整安排如下：3月6日（周五）放假，共1天。\n"
        "国务院办公厅\n2026年3月1日\n"
    )
    load = office.load_calendar_notice(supplement, by=CLERK)
    assert load.trigger == "load"
    assert not office.calendar.is_workday(date(2026, 3, 6))
    assert office.calendar.is_workday(date(2026, 2, 14))  # bundled 调休 kept
    (difference,) = office.calendar_differences()[2026]
    assert (difference.day, difference.loaded_workday, difference.bundled_workday) == (
        date(2026, 3, 6),
        False,
        True,
    )


def test_a_loaded_year_is_seen_by_another_office_on_the_same_store(tmp_path):
    url = f"sqlite:///{tmp_path / 'office.db'}"
    clock = FrozenClock(beijing(date(2026, 12, 2)))
    with Office.open(url, clock=clock) as first, Office.open(url, clock=clock) as second:
        assert 2027 in second.calendar.provisional_years()
        first.load_calendar_notice(NOTICE_2027, by=CLERK)
        assert 2027 not in second.calendar.provisional_years()
        assert second.calendar.is_workday(date(2027, 1, 31))
        assert [y.id for y in second.calendar_years()] == ["calendar-CN-2027"]
        kinds = {e.entity_kind for e in second.store.find(Query())}
        assert kinds == {EntityKind.CALENDAR_YEAR}


# ---------------------------------------------------------------------- marks everywhere


def test_the_brief_the_sweep_and_the_ledger_show_a_provisional_deadline():
    office = office_on(date(2026, 12, 2))
    item = assigned(office)
    brief = office.brief(SUPERVISOR)
    section = brief.section("provisional_deadlines")
    assert section is not None
    assert [i.entity_id for i in section.items] == [item.id]
    assert "暂定：2027年安排未公布" in brief.to_text()
    report = office.sweep()
    assert report.provisional == (item.id,)
    assert "provisional deadlines to confirm" in report._repr_markdown_()
    ledger = office.supervision.ledger()
    assert ledger.column("deadline_provisional") == ("暂定：2027年安排未公布",)
    office.load_calendar_notice(NOTICE_2027, by=CLERK)
    assert office.sweep().provisional == ()
    assert office.supervision.ledger().column("deadline_provisional") == (None,)
    empty = office.brief(SUPERVISOR).section("provisional_deadlines")
    assert empty is not None
    assert empty.items == ()


def test_the_sweep_confirms_what_another_process_left_unconfirmed():
    office = office_on(date(2026, 12, 2))
    item = assigned(office)
    assert office.sweep().provisional == (item.id,)  # checked once already
    base = office.calendar
    # a year loaded, but the re-check did not run (the loading process stopped)
    workflow = office.workflow(EntityKind.CALENDAR_YEAR)
    from secretarial.calendars import plan_load  # noqa: PLC0415

    plan = plan_load(
        NOTICE_2027,
        base=base,  # type: ignore[arg-type]
        existing=lambda _: None,
        lunar=lunar_calendar(),
        source=None,
        reason=None,
    )
    now = office.now()
    year, event = workflow.create(plan.fields, entity_id=plan.entity_id, actor=CLERK, now=now)
    with office.store.unit_of_work() as uow:
        uow.add(year, event)
    assert office.get(item.id, SupervisionItem).deadline_provisional is not None
    report = office.sweep()
    assert report.provisional == ()
    assert office.get(item.id, SupervisionItem).deadline_provisional is None
    assert office.audit(item)[-1].trigger == "confirm_deadline"


def test_confirming_a_deadline_is_not_work_waiting_in_the_brief():
    office = office_on(date(2026, 9, 1))
    item = assigned(office)
    accepted = office.fire(item, "accept", by=UNDERTAKER)
    assert "confirm_deadline" in office.available_triggers(accepted, by=SUPERVISOR)
    waiting = office.brief(SUPERVISOR).section("waiting")
    assert waiting is not None
    assert all("confirm_deadline" not in i.actions for i in waiting.items)
