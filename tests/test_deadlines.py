"""Default deadlines of supervision items (S2, S5) on the Chinese calendar."""

from __future__ import annotations

from datetime import date, timedelta

import pydantic
import pytest
from hypothesis import given
from hypothesis import strategies as st

import secretarial
from secretarial import CalendarOverride, TableCalendar, china_calendar
from secretarial.errors import CalendarCoverageError, UsageError, ValidationError
from secretarial.supervision import (
    ComputedDeadline,
    DeadlinePolicy,
    DeadlineRule,
    DeadlineUnit,
    ItemUrgency,
    SourceDeadlines,
    SupervisionSource,
    add_months,
    resolve_deadline,
)

CN = china_calendar()
COVERED = CN.covered_years()
assert COVERED is not None
UNCOVERED_YEAR = COVERED[1] + 1  # 2027 with chinese-calendar 1.11
POLICY = DeadlinePolicy()
NO_ROLL = DeadlinePolicy(roll_to_workday=False)
S = SupervisionSource
U = ItemUrgency


# source, urgency, start, term in calendar days, due, moved from (Chinese calendar)
CASES = [
    # leaders' instructions: urgent 5, normal 15, complex 30 (S2)
    (S.LEADER_INSTRUCTION, U.URGENT, "2025-09-26", 5, "2025-10-09", "2025-10-01"),
    (S.LEADER_INSTRUCTION, U.NORMAL, "2025-09-26", 15, "2025-10-11", None),  # adjusted Sat
    (S.LEADER_INSTRUCTION, U.COMPLEX, "2025-09-26", 30, "2025-10-27", "2025-10-26"),
    # meeting minutes: 20 (S2); other urgencies fall back to it
    (S.MEETING_DECISION, U.NORMAL, "2025-09-10", 20, "2025-09-30", None),
    (S.MEETING_DECISION, U.URGENT, "2025-09-10", 20, "2025-09-30", None),
    (S.MEETING_DECISION, U.COMPLEX, "2025-09-11", 20, "2025-10-09", "2025-10-01"),
    # items from documents: 30 (S2)
    (S.DOCUMENT_INSTRUCTION, U.NORMAL, "2025-09-01", 30, "2025-10-09", "2025-10-01"),
    (S.DOCUMENT_INSTRUCTION, U.NORMAL, "2025-03-03", 30, "2025-04-02", None),
    (S.DOCUMENT_INSTRUCTION, U.URGENT, "2025-03-03", 30, "2025-04-02", None),
    # an upper organ's assignment without its own deadline: as a leader's instruction
    (S.UPPER_DIRECTIVE, U.NORMAL, "2025-03-03", 15, "2025-03-18", None),
    (S.UPPER_DIRECTIVE, U.URGENT, "2026-02-09", 5, "2026-02-14", None),  # adjusted Sat
    (S.UPPER_DIRECTIVE, U.URGENT, "2026-02-10", 5, "2026-02-24", "2026-02-15"),
    (S.UPPER_DIRECTIVE, U.COMPLEX, "2025-03-03", 30, "2025-04-02", None),
]


def iso(text: str | None) -> date | None:
    return None if text is None else date.fromisoformat(text)


@pytest.mark.parametrize("case", CASES, ids=[f"{c[0]}-{c[1]}-{c[2]}" for c in CASES])
def test_default_deadline_by_source_and_urgency(case):
    source, urgency, start, amount, due, moved_from = case
    result = POLICY.default_deadline(source, iso(start), CN, urgency)
    assert result.due == iso(due)
    assert result.moved_from == iso(moved_from)
    assert result.rule.amount == amount
    assert result.rule.unit is DeadlineUnit.CALENDAR_DAYS
    assert result.rule.basis.startswith("S2")
    assert (result.source, result.urgency, result.start) == (source, urgency, iso(start))
    assert result.calendar_id == "CN"  # the calendar decided whether the day is a workday
    assert not result.explicit
    assert CN.is_workday(result.due)


@pytest.mark.parametrize(
    ("urgency", "start", "due", "months", "moved_from"),
    [
        (U.NORMAL, date(2025, 1, 31), date(2025, 4, 30), 3, None),
        (U.NORMAL, date(2025, 7, 1), date(2025, 10, 9), 3, date(2025, 10, 1)),
        (U.URGENT, date(2025, 7, 1), date(2025, 10, 9), 3, date(2025, 10, 1)),  # falls back
        (U.COMPLEX, date(2025, 3, 31), date(2025, 9, 30), 6, None),
        (U.COMPLEX, date(2025, 4, 1), date(2025, 10, 9), 6, date(2025, 10, 1)),
    ],
)
def test_deputies_proposals_get_three_months_or_six_if_complex(
    urgency, start, due, months, moved_from
):
    result = POLICY.default_deadline(S.DEPUTIES_PROPOSAL, start, CN, urgency)
    assert result.due == due
    assert result.moved_from == moved_from
    assert result.rule == DeadlineRule(amount=months, unit=DeadlineUnit.MONTHS, basis="S5")


def test_without_rolling_a_calendar_day_deadline_may_fall_on_a_holiday_and_needs_no_calendar():
    result = NO_ROLL.default_deadline(S.DOCUMENT_INSTRUCTION, date(2025, 9, 1), CN)
    assert result.due == date(2025, 10, 1)
    assert result.moved_from is None
    assert result.calendar_id is None
    # nothing is asked of the calendar, so one covering nothing does not matter
    nothing = TableCalendar(id="NONE", covered=None)
    assert NO_ROLL.default_deadline(S.DOCUMENT_INSTRUCTION, date(2030, 1, 1), nothing).due == date(
        2030, 1, 31
    )


def test_working_day_rules_count_on_the_calendar():
    policy = DeadlinePolicy(
        meeting_decision=SourceDeadlines(
            normal=DeadlineRule(amount=5, unit=DeadlineUnit.WORKING_DAYS, basis="local")
        )
    )
    result = policy.default_deadline(S.MEETING_DECISION, date(2025, 9, 26), CN)
    assert result.due == date(2025, 10, 10)  # W1
    assert result.calendar_id == "CN"
    assert result.moved_from is None
    assert str(result.rule) == "5 working days (local)"


def test_urgent_days_are_configurable_between_one_and_five():
    policy = POLICY.with_urgent_days(3)
    assert policy.rule_for(S.LEADER_INSTRUCTION, U.URGENT).amount == 3
    assert policy.rule_for(S.UPPER_DIRECTIVE, U.URGENT).amount == 3
    assert policy.rule_for(S.LEADER_INSTRUCTION, U.NORMAL).amount == 15  # the rest unchanged
    assert POLICY.rule_for(S.LEADER_INSTRUCTION, U.URGENT).amount == 5  # original unchanged
    only = POLICY.with_urgent_days(1, sources=(S.LEADER_INSTRUCTION,))
    assert only.rule_for(S.LEADER_INSTRUCTION, U.URGENT).amount == 1
    assert only.rule_for(S.UPPER_DIRECTIVE, U.URGENT).amount == 5
    result = policy.default_deadline(S.LEADER_INSTRUCTION, date(2025, 9, 22), CN, U.URGENT)
    assert result.due == date(2025, 9, 25)


@pytest.mark.parametrize("days", [0, 6, -1])
def test_urgent_days_outside_one_to_five_are_refused(days):
    with pytest.raises(ValidationError) as info:
        POLICY.with_urgent_days(days)
    assert info.value.problems[0].rule == "S2"


def test_an_explicit_deadline_wins_as_given():
    nothing = TableCalendar(id="NONE", covered=None)  # would raise if consulted
    result = resolve_deadline(date(2025, 10, 1), S.LEADER_INSTRUCTION, date(2025, 9, 26), nothing)
    assert result == ComputedDeadline(due=date(2025, 10, 1), explicit=True)
    assert result.rule is None
    assert result.calendar_id is None


def test_without_an_explicit_deadline_the_policy_decides():
    start = date(2025, 9, 26)
    assert resolve_deadline(None, S.LEADER_INSTRUCTION, start, CN) == POLICY.default_deadline(
        S.LEADER_INSTRUCTION, start, CN
    )
    urgent = resolve_deadline(
        None, S.LEADER_INSTRUCTION, start, CN, urgency=U.URGENT, policy=POLICY.with_urgent_days(2)
    )
    assert urgent.due == date(2025, 9, 28)  # Sunday, an adjusted workday
    assert urgent.rule.amount == 2


def test_strings_are_accepted_for_source_and_urgency():
    result = POLICY.default_deadline("meeting_decision", date(2025, 9, 10), CN, "complex")
    assert result.source is S.MEETING_DECISION
    assert result.urgency is U.COMPLEX


def test_w2_a_deadline_needing_an_uncovered_year_raises_until_the_notice_is_supplied():
    start = date(UNCOVERED_YEAR - 1, 12, 20)
    with pytest.raises(CalendarCoverageError) as info:
        POLICY.default_deadline(S.LEADER_INSTRUCTION, start, CN)
    assert info.value.day == start + timedelta(days=15)
    assert info.value.calendar == "CN"
    working = DeadlinePolicy(
        leader_instruction=SourceDeadlines(
            normal=DeadlineRule(amount=15, unit=DeadlineUnit.WORKING_DAYS)
        )
    )
    with pytest.raises(CalendarCoverageError):
        working.default_deadline(S.LEADER_INSTRUCTION, start, CN)
    due = start + timedelta(days=15)
    notice = CalendarOverride(
        name="hypothetical notice (test data)",
        years=frozenset({UNCOVERED_YEAR}),
        holidays=frozenset({due}),
    )
    extended = CN.with_overrides(notice)
    result = POLICY.default_deadline(S.LEADER_INSTRUCTION, start, extended)
    assert result.moved_from == due
    assert result.due > due
    assert extended.is_workday(result.due)
    assert working.default_deadline(S.LEADER_INSTRUCTION, start, extended).due.year == (
        UNCOVERED_YEAR
    )


def test_a_calendar_without_workdays_is_caught_not_looped_on():
    class NeverWorks:
        """A calendar with no workday at all."""

        id = "NEVER"

        def covered_years(self):
            return (1, 9999)

        def is_workday(self, d):  # noqa: ARG002 -- no day is a workday
            return False

        def add_workdays(self, d, n):
            raise NotImplementedError

        def workdays_between(self, a, b):
            raise NotImplementedError

    with pytest.raises(UsageError, match="no workday within a year"):
        POLICY.default_deadline(S.DOCUMENT_INSTRUCTION, date(2025, 1, 1), NeverWorks())


def test_every_source_and_urgency_has_a_rule():
    for source in S:
        for urgency in U:
            rule = POLICY.rule_for(source, urgency)
            assert rule.amount >= 1
    assert POLICY.rule_for(S.DEPUTIES_PROPOSAL, U.URGENT) == POLICY.deputies_proposal.normal


def test_policy_and_rules_are_frozen_and_validated():
    with pytest.raises(pydantic.ValidationError):
        POLICY.roll_to_workday = False  # type: ignore[misc]
    with pytest.raises(secretarial.ValidationError):
        DeadlineRule(amount=0, unit=DeadlineUnit.CALENDAR_DAYS)
    assert str(DeadlineRule(amount=1, unit=DeadlineUnit.MONTHS, basis="S5")) == "1 month (S5)"
    assert str(POLICY.document_instruction.normal) == "30 calendar days (S2)"
    assert DeadlinePolicy.model_validate_json(POLICY.model_dump_json()) == POLICY
    assert U.COMPLEX.label == "复杂"
    assert DeadlineUnit.WORKING_DAYS.label == "工作日"


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (date(2025, 1, 31), 1, date(2025, 2, 28)),
        (date(2024, 1, 31), 1, date(2024, 2, 29)),
        (date(2025, 11, 30), 3, date(2026, 2, 28)),
        (date(2025, 12, 15), 1, date(2026, 1, 15)),
        (date(2025, 3, 31), -1, date(2025, 2, 28)),
        (date(2025, 5, 10), 24, date(2027, 5, 10)),
    ],
)
def test_add_months_clamps_to_the_end_of_a_short_month(start, months, expected):
    assert add_months(start, months) == expected


covered_starts = st.dates(date(COVERED[0], 1, 1), date(COVERED[1] - 1, 6, 30))


@given(covered_starts, st.sampled_from(list(S)), st.sampled_from(list(U)))
def test_default_deadlines_land_on_the_first_workday_on_or_after_the_term(start, source, urgency):
    result = POLICY.default_deadline(source, start, CN, urgency)
    rule = result.rule
    if rule.unit is DeadlineUnit.MONTHS:
        term_end = add_months(start, rule.amount)
    else:
        term_end = start + timedelta(days=rule.amount)
    assert result.due >= term_end
    assert CN.is_workday(result.due)
    assert all(
        not CN.is_workday(term_end + timedelta(days=i)) for i in range((result.due - term_end).days)
    )
    assert (result.moved_from is None) == (result.due == term_end)
    assert NO_ROLL.default_deadline(source, start, CN, urgency).due == term_end
