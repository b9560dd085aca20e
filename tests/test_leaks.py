"""No leak, on any path: to an actor below a classification, a hidden entity is a missing one.

Every read path and every value derived from a classified entity (a hand-over's pending
matters, a room conflict, a brief, a reminder, an export, an error message) is read by
an actor who may not see it: it tells them nothing a missing id would not, and the
office records the refusal (``office.denials()``).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest

from conftest import STORES, SUPERIOR, actor
from secretarial import (
    AccessDenied,
    Classification,
    DutyShift,
    Entity,
    Meeting,
    NotFound,
    Office,
    Role,
    RuleViolation,
    UsageError,
)
from secretarial.duty import WITHHELD_MATTER
from secretarial.information import INFORMATION_OFFICER
from secretarial.testing import FrozenClock

OFFICE_STORES = STORES  # what is hidden is filtered by each store's queries

HIDDEN_TITLE = "关于绝密行动的部署会"
HIDDEN_MATTER = "绝密：明日凌晨转移重要物资"
ROLES = (Role.CLERK, Role.OFFICE_DIRECTOR, Role.SUPERVISOR, Role.LEADER, "duty_officer")
CLEARED = actor("cleared", *ROLES, clearance=Classification.TOP_SECRET)
PLAIN = actor("plain", *ROLES, clearance=Classification.UNCLASSIFIED)
ZHANG = actor("zhang", "duty_officer", clearance=Classification.TOP_SECRET)
WANG = actor("wang", "duty_officer", clearance=Classification.TOP_SECRET)


def as_missing(office: Office, attempt: Any, entity_id: str) -> AccessDenied:
    """Run ``attempt`` expecting a refusal worded exactly as a missing id's would be."""
    with pytest.raises(NotFound) as missing:
        office.get(f"{entity_id}-none")
    with pytest.raises(AccessDenied) as denied:
        attempt()
    assert str(denied.value) == str(missing.value).replace(f"{entity_id}-none", entity_id)
    assert denied.value.code == missing.value.code == "not_found"
    return denied.value


def no_secret_in(text: object, *secrets: str) -> None:
    for secret in secrets:
        assert secret not in str(text)


# ============================================================================ the error
class TestTheRefusalSaysNoMore:
    """``AccessDenied`` is a ``NotFound`` and reads like one; the reason is the office's."""

    def test_a_refusal_is_worded_as_a_missing_id(self, office: Office) -> None:
        doc = office.documents.receive(
            by=CLEARED,
            kind="notice",
            title="关于绝密事项的通知",
            sender=SUPERIOR,
            channel="paper",
            received_at=office.now(),
            classification="top_secret",
            secrecy_period_years=30,
            copy_number="000001",
        )
        verbs = {
            "get": lambda: office.get(doc.id, by=PLAIN),
            "audit": lambda: office.audit(doc.id, by=PLAIN),
            "fire:register": lambda: office.fire(doc.id, "register", by=PLAIN),
            "can_fire:register": lambda: office.can_fire(doc.id, "register", by=PLAIN),
            "available_triggers": lambda: office.available_triggers(doc.id, by=PLAIN),
        }
        for attempt in verbs.values():
            denied = as_missing(office, attempt, doc.id)
            assert isinstance(denied, PermissionError)
            for word in ("top_secret", "绝密", "关于", "plain", "clearance"):
                assert word not in str(denied)
                assert word not in repr(denied)
            assert "top_secret" in denied.reason  # for the host, never in the message
        assert office.list(by=PLAIN) == []  # left out of lists: not a refusal
        assert office.count(by=PLAIN) == 0
        denials = office.denials()
        assert [d.action for d in denials] == list(verbs)
        assert {(d.actor.id, d.entity_id) for d in denials} == {("plain", doc.id)}
        assert all("top_secret" in d.reason for d in denials)
        assert office.get(doc.id).version == 1

    def test_registers_and_their_exports_leave_it_out(self, office: Office) -> None:
        office.documents.receive(
            by=CLEARED,
            kind="notice",
            title="关于绝密事项的通知",
            sender=SUPERIOR,
            channel="paper",
            received_at=office.now(),
            classification="top_secret",
            secrecy_period_years=30,
            copy_number="000001",
        )
        office.supervision.open(
            by=CLEARED,
            source="leader_instruction",
            requirement="绝密专项整治",
            instructed_by="leader",
            received_at=office.now(),
            classification="top_secret",
        )
        for register in (
            office.documents.incoming_register(by=PLAIN),
            office.supervision.ledger(by=PLAIN),
            office.register("incoming", by=PLAIN),
            office.records.catalogue(by=PLAIN),
        ):
            assert len(register) == 0
            for text in (register.to_csv(), register.to_json(), repr(register)):
                no_secret_in(text, "关于绝密事项的通知", "绝密专项整治", "in-1", "sup-1")
        assert len(office.documents.incoming_register(by=CLEARED)) == 1
        assert office.denials() == []  # leaving out is not a refusal


# ============================================================================ meetings
def plan(office: Office, by: Any, title: str, start: datetime, **fields: object) -> Meeting:
    values: dict[str, object] = {
        "meeting_kind": "office",
        "title": title,
        "organizer": {"actor_id": by.id, "name": by.name},
        "chair": {"actor_id": "principal", "name": "王主任"},
        "attendees": [{"actor_id": "principal", "name": "王主任"}],
        "room": "第一会议室",
        "start": start,
        "end": start + timedelta(hours=2),
        "timezone": "Asia/Shanghai",
        "agenda": [{"topic": "工作部署", "presenter": "principal", "minutes": 30}],
    }
    values.update(fields)
    return office.meetings.plan(by=by, **values)


@pytest.fixture
def secret_meeting(office: Office) -> Meeting:
    start = office.now() + timedelta(days=3)
    return plan(office, CLEARED, HIDDEN_TITLE, start, classification="top_secret")


class TestMeetings:
    def test_a_room_conflict_names_no_hidden_meeting(
        self, office: Office, secret_meeting: Meeting
    ) -> None:
        """M9 to an uncleared planner: the room is booked at that time, and no more."""
        with pytest.raises(RuleViolation) as refused:
            plan(office, PLAIN, "周例会", secret_meeting.start + timedelta(hours=1), attendees=[])
        message = str(refused.value)
        assert refused.value.rule_code == "M9"
        assert "room 第一会议室 is booked at that time" in message
        no_secret_in(message, HIDDEN_TITLE, secret_meeting.id, secret_meeting.start.isoformat())
        (denial,) = office.denials()
        assert (denial.actor.id, denial.entity_id, denial.action) == (
            "plain",
            secret_meeting.id,
            "fire:plan",
        )
        assert office.count(kind="meeting") == 1

    def test_an_attendee_conflict_names_no_hidden_meeting(
        self, office: Office, secret_meeting: Meeting
    ) -> None:
        with pytest.raises(RuleViolation) as refused:
            plan(office, PLAIN, "周例会", secret_meeting.start, room="第二会议室")
        assert "attendee 王主任 (principal) is booked at that time" in str(refused.value)
        no_secret_in(refused.value, HIDDEN_TITLE, secret_meeting.id)
        assert [d.entity_id for d in office.denials()] == [secret_meeting.id]

    def test_the_cleared_planner_is_told_which_meeting(
        self, office: Office, secret_meeting: Meeting
    ) -> None:
        with pytest.raises(RuleViolation) as refused:
            plan(office, CLEARED, "周例会", secret_meeting.start)
        assert HIDDEN_TITLE in str(refused.value)
        assert office.denials() == []

    def test_the_conflicts_a_reader_is_shown(self, office: Office, secret_meeting: Meeting) -> None:
        mine = plan(
            office, PLAIN, "周例会", secret_meeting.start, check_conflicts=False, attendees=[]
        )
        (seen,) = office.meetings.conflicts(mine, by=PLAIN)
        assert seen.is_withheld
        assert (seen.other_id, seen.other_title, seen.other_start) == (None, None, None)
        no_secret_in(seen, HIDDEN_TITLE, secret_meeting.id)
        assert [d.action for d in office.denials()] == ["conflicts"]
        (full,) = office.meetings.conflicts(mine)  # the office's own read
        assert full.other_id == secret_meeting.id
        as_missing(
            office, lambda: office.meetings.conflicts(secret_meeting, by=PLAIN), secret_meeting.id
        )

    def test_a_hidden_entity_of_another_kind_is_missing_too(
        self, office: Office, secret_meeting: Meeting
    ) -> None:
        as_missing(
            office, lambda: office.get(secret_meeting.id, DutyShift, by=PLAIN), secret_meeting.id
        )
        with pytest.raises(NotFound, match=r"^no duty_shift with id"):  # they may see it
            office.get(secret_meeting.id, DutyShift, by=CLEARED)

    def test_the_agenda_and_the_brief_leave_it_out(
        self, office: Office, clock: FrozenClock, secret_meeting: Meeting
    ) -> None:
        start = secret_meeting.start - timedelta(days=1)
        agenda = office.meetings.agenda(start, start + timedelta(days=3), by=PLAIN)
        assert agenda == []
        clock.set(secret_meeting.start - timedelta(hours=1))
        no_secret_in(office.brief(PLAIN, secret_meeting.start.date()).to_text(), HIDDEN_TITLE)
        assert HIDDEN_TITLE in office.brief(CLEARED, secret_meeting.start.date()).to_text()

    def test_an_export_of_a_hidden_meeting_is_refused(
        self, office: Office, secret_meeting: Meeting
    ) -> None:
        pytest.importorskip("icalendar")
        export = office.export_ics(by=PLAIN, domain="example.org")
        no_secret_in(export, HIDDEN_TITLE, secret_meeting.id)
        for given in (secret_meeting, secret_meeting.id):
            as_missing(
                office,
                lambda g=given: office.export_ics(by=PLAIN, domain="example.org", meetings=[g]),
                secret_meeting.id,
            )
        as_missing(  # given as an item: missing, not "no supervision_item with id"
            office,
            lambda: office.export_ics(by=PLAIN, domain="example.org", items=[secret_meeting.id]),
            secret_meeting.id,
        )
        assert [d.action for d in office.denials()] == ["export_ics"] * 3
        assert HIDDEN_TITLE in office.export_ics(
            by=CLEARED, domain="example.org", meetings=[secret_meeting]
        )


# ============================================================================ duty
@pytest.fixture
def handed_over(office: Office) -> tuple[DutyShift, DutyShift, Entity]:
    """Zhang hands a shift over to Wang with a 绝密 call still open on it."""
    first = office.now().replace(hour=8, minute=30) + timedelta(days=1)
    monday, tuesday = office.duty.schedule(
        {
            "start": first,
            "end": first + timedelta(days=1),
            "leader": {"actor_id": "li", "name": "李副主任"},
            "officers": [{"actor_id": "zhang", "name": "张三"}],
        },
        {
            "start": first + timedelta(days=1),
            "end": first + timedelta(days=2),
            "leader": {"actor_id": "chen", "name": "陈副主任"},
            "officers": [{"actor_id": "wang", "name": "王五"}],
        },
        by=CLEARED,
    )
    monday = office.fire(monday, "take_over", by=ZHANG)
    call = office.duty.record_call(
        by=ZHANG,
        called_at=office.now(),
        caller={"name": "王科长", "unit": "市国家安全局", "phone": "0571-87000000"},
        matter=HIDDEN_MATTER,
        measures="已报告带班领导",
        recorder="张三",
        shift_id=monday.id,
        classification="top_secret",
    )
    handed, taken = office.duty.hand_over(monday, by=ZHANG, to_shift=tuesday, received_by=WANG)
    assert taken is not None
    return handed, taken, call


class TestHandOver:
    def test_both_shifts_are_classified_as_the_matter(
        self, office: Office, handed_over: tuple[DutyShift, DutyShift, Entity]
    ) -> None:
        handed, taken, call = handed_over
        (matter,) = taken.received
        assert (matter.entity_id, matter.classification) == (call.id, Classification.TOP_SECRET)
        assert HIDDEN_MATTER in matter.text
        assert handed.classification is taken.classification is Classification.TOP_SECRET
        assert office.get(taken.id, by=WANG) == taken

    def test_the_uncleared_see_neither_shift_on_any_path(
        self, office: Office, handed_over: tuple[DutyShift, DutyShift, Entity]
    ) -> None:
        handed, taken, _ = handed_over
        for shift in (handed, taken):
            as_missing(office, lambda s=shift: office.get(s.id, by=PLAIN), shift.id)
            as_missing(office, lambda s=shift: office.audit(s.id, by=PLAIN), shift.id)
        roster = office.duty.roster(by=PLAIN)
        assert list(roster) == []
        no_secret_in(roster, HIDDEN_MATTER, "国家安全局")
        assert office.duty.on_duty(taken.start + timedelta(hours=1), by=PLAIN) is None
        assert office.list(kind="duty_shift", by=PLAIN) == []
        pytest.importorskip("icalendar")
        as_missing(
            office,
            lambda: office.export_ics(by=PLAIN, domain="example.org", shifts=[taken]),
            taken.id,
        )
        stale = taken.model_copy(update={"classification": Classification.UNCLASSIFIED})
        as_missing(  # a shift read before it was classified is judged as it is now
            office,
            lambda: office.export_ics(by=PLAIN, domain="example.org", shifts=[stale]),
            taken.id,
        )
        assert [d.action for d in office.denials()] == ["get", "audit"] * 2 + ["export_ics"] * 2
        assert len(office.duty.roster(by=CLEARED)) == 2


# ============================================================================ by= required
@pytest.fixture
def strict(office_and_clock: tuple[Office, FrozenClock]) -> Office:
    """An office (on the test's store) that requires the actor of every read."""
    office, clock = office_and_clock
    return Office(office.store, clock=clock, require_actor=True)


class TestRequireActor:
    """``require_actor=True``: a read without ``by=`` is refused, naming ``by``."""

    def test_every_read_without_by_is_refused(
        self, strict: Office, handed_over: tuple[DutyShift, DutyShift, Entity]
    ) -> None:
        _, _taken, call = handed_over
        now = strict.now()
        reads: dict[str, Any] = {
            "get": lambda: strict.get(call.id),
            "list": lambda: strict.list(kind="call_record"),
            "count": strict.count,
            "audit": lambda: strict.audit(call.id),
            "register": lambda: strict.register("incoming"),
            "provisional_deadlines": strict.provisional_deadlines,
            "documents.incoming_register": strict.documents.incoming_register,
            "documents.outgoing_register": strict.documents.outgoing_register,
            "documents.revoked_by": lambda: strict.documents.revoked_by("x"),
            "documents.holders": lambda: strict.documents.holders("x"),
            "supervision.ledger": strict.supervision.ledger,
            "meetings.agenda": lambda: strict.meetings.agenda(now, now + timedelta(days=1)),
            "meetings.conflicts": lambda: strict.meetings.conflicts("x"),
            "duty.roster": strict.duty.roster,
            "duty.on_duty": strict.duty.on_duty,
            "information.emergency_limits": lambda: strict.information.emergency_limits("x"),
            "information.emergency_due": strict.information.emergency_due,
            "information.bulletin": lambda: strict.information.bulletin(2025, 1),
            "information.scores": lambda: strict.information.scores(now.date(), now.date()),
            "records.catalogue": strict.records.catalogue,
            "records.due_for_review": strict.records.due_for_review,
        }
        for verb, read in reads.items():
            with pytest.raises(UsageError, match=rf"^{verb} needs by=.*require_actor=True"):
                read()
        assert strict.denials() == []

    def test_reads_with_by_and_changes_work_as_before(
        self, strict: Office, handed_over: tuple[DutyShift, DutyShift, Entity]
    ) -> None:
        _, taken, call = handed_over
        assert strict.get(call.id, by=CLEARED) == call
        assert strict.count(by=PLAIN) == 0
        assert len(strict.duty.roster(by=CLEARED)) == 2
        assert strict.duty.on_duty(taken.start + timedelta(hours=1), by=CLEARED) is not None
        assert strict.brief(CLEARED).to_text()
        assert strict.sweep().issued == ()
        start = strict.now() + timedelta(days=3)
        planned = plan(strict, CLEARED, HIDDEN_TITLE, start, classification="top_secret")
        with pytest.raises(RuleViolation, match="booked at that time"):
            plan(strict, PLAIN, "周例会", start)
        assert strict.meetings.conflicts(planned, by=CLEARED) == []
        assert strict.replay(call.id) == call  # the host's own check of the record
        pytest.importorskip("icalendar")
        assert HIDDEN_TITLE in strict.export_ics(by=CLEARED, domain="example.org")

    def test_the_option_is_true_or_false(self) -> None:
        with pytest.raises(UsageError, match="require_actor is True or False"):
            Office.in_memory(require_actor="yes")  # type: ignore[typeddict-item]

    def test_a_double_duty_on_a_hidden_shift_names_it_not(
        self, office: Office, handed_over: tuple[DutyShift, DutyShift, Entity]
    ) -> None:
        """R1 to an uncleared scheduler: Wang is on "another shift at that time"."""
        _, taken, _ = handed_over
        with pytest.raises(RuleViolation) as refused:
            office.duty.schedule(
                {
                    "start": taken.start + timedelta(hours=2),
                    "end": taken.start + timedelta(hours=10),
                    "leader": {"actor_id": "li", "name": "李副主任"},
                    "officers": [{"actor_id": "wang", "name": "王五"}],
                },
                by=PLAIN,
            )
        assert refused.value.rule_code == "R1"
        assert "王五 (wang) is on" in str(refused.value)
        assert "and another shift at that time" in str(refused.value)
        no_secret_in(refused.value, taken.id, taken.start.isoformat(), taken.end.isoformat())
        assert [(d.entity_id, d.action) for d in office.denials()] == [(taken.id, "fire:schedule")]
        with pytest.raises(RuleViolation, match=taken.id):  # the cleared are told which
            office.duty.schedule(
                {
                    "start": taken.start + timedelta(hours=2),
                    "end": taken.start + timedelta(hours=10),
                    "leader": {"actor_id": "li", "name": "李副主任"},
                    "officers": [{"actor_id": "wang", "name": "王五"}],
                },
                by=CLEARED,
            )


# ============================================================================ reminders
class TestReminders:
    """The sweep and its reminders carry no classified title; an uncleared sweep skips it."""

    @pytest.fixture
    def overdue(self, office: Office, clock: FrozenClock) -> Entity:
        item = office.supervision.open(
            by=CLEARED,
            source="leader_instruction",
            requirement="绝密专项整治",
            instructed_by="leader",
            received_at=office.now(),
            classification="top_secret",
        )
        item = office.fire(
            item,
            "assign",
            by=CLEARED,
            lead_unit={"code": "ZHK", "name": "综合科"},
            deadline=office.today() + timedelta(days=3),
        )
        clock.advance(days=14)
        return item

    def test_an_uncleared_sweep_leaves_it_alone(self, office: Office, overdue: Entity) -> None:
        report = office.sweep(by=PLAIN)
        assert (report.checked, report.issued, report.skipped) == (0, (), ())
        no_secret_in(report.model_dump_json(), overdue.id, "绝密专项整治")
        assert office.get(overdue.id).reminders == ()
        assert office.denials() == []  # leaving it out is not a refusal

    def test_the_office_sweep_reminds_without_the_title(
        self, office: Office, overdue: Entity
    ) -> None:
        report = office.sweep()
        assert {r.entity_id for r in report.issued} == {overdue.id}
        for reminder in report.issued:
            no_secret_in(reminder.message, "绝密专项整治")
        no_secret_in(office.brief(PLAIN).to_text(), "绝密专项整治", overdue.id)
        assert "绝密专项整治" in office.brief(CLEARED).to_text()

    def test_a_need_to_know_document_is_chased_by_the_office(
        self, office: Office, clock: FrozenClock
    ) -> None:
        """The office's own sweep sees a document outside the system actor's scope."""
        doc = office.documents.receive(
            by=CLEARED,
            kind="notice",
            title="关于人事调整的通知",
            sender=SUPERIOR,
            channel="paper",
            received_at=office.now(),
            classification="confidential",
            secrecy_period_years=5,
            copy_number="000001",
            need_to_know=["cleared"],
        )
        lead = {"code": "ZHK", "name": "综合科"}
        for trigger, data in (
            ("register", {}),
            ("screen", {}),
            ("propose", {"handling_type": "for_handling", "lead_unit": lead}),
            ("approve", {"instruction": "办理", "deadline": office.today() + timedelta(days=3)}),
        ):
            doc = office.fire(doc, trigger, by=CLEARED, **data)
        clock.advance(days=14)
        assert office.sweep(by=actor("zhao", Role.SUPERVISOR)).issued == ()
        issued = office.sweep().issued
        assert doc.id in {r.entity_id for r in issued}
        for reminder in issued:
            no_secret_in(reminder.message, "关于人事调整的通知")
        assert office.denials() == []


# ============================================================================ need-to-know
OUTSIDE = actor("zhao", *ROLES, clearance=Classification.TOP_SECRET)  # cleared, not named
ARCHIVIST = actor("arch", Role.ARCHIVIST, clearance=Classification.TOP_SECRET)
UNDERTAKER = actor("und", Role.UNDERTAKER, clearance=Classification.TOP_SECRET)


class TestNeedToKnow:
    """Cleared to the level but outside the scope (知悉范围): the same as below it."""

    @pytest.fixture
    def scoped(self, office: Office) -> Entity:
        doc = office.documents.receive(
            by=CLEARED,
            kind="notice",
            title="关于人事调整的通知",
            sender=SUPERIOR,
            channel="paper",
            received_at=office.now(),
            classification="confidential",
            secrecy_period_years=5,
            copy_number="000001",
            need_to_know=["cleared", "arch", "und"],
        )
        lead = {"code": "ZHK", "name": "综合科"}
        for trigger, by, data in (
            ("register", CLEARED, {}),
            ("screen", CLEARED, {}),
            ("propose", CLEARED, {"handling_type": "for_handling", "lead_unit": lead}),
            ("approve", CLEARED, {"instruction": "办理"}),
            ("assign", CLEARED, {"assignee": "und"}),
            ("complete", UNDERTAKER, {"result": "已办结"}),
        ):
            doc = office.fire(doc, trigger, by=by, **data)
        return doc

    def test_every_verb_refuses_as_missing(self, office: Office, scoped: Entity) -> None:
        for attempt in (
            lambda: office.get(scoped.id, by=OUTSIDE),
            lambda: office.audit(scoped.id, by=OUTSIDE),
            lambda: office.fire(scoped.id, "file", by=OUTSIDE),
            lambda: office.can_fire(scoped.id, "file", by=OUTSIDE),
            lambda: office.available_triggers(scoped.id, by=OUTSIDE),
        ):
            denied = as_missing(office, attempt, scoped.id)
            assert "知悉范围" not in str(denied)
            assert "知悉范围" in denied.reason
        assert len(office.denials()) == 5
        assert all("知悉范围" in d.reason for d in office.denials())

    def test_its_record_keeps_the_scope(self, office: Office, scoped: Entity) -> None:
        """The catalogue (归档文件目录) is an export: the filed item is not in it for them."""
        record = office.records.file(scoped, by=ARCHIVIST, record_class="general")
        assert record.need_to_know == ("cleared", "arch", "und")
        assert len(office.records.catalogue(by=CLEARED)) == 1
        catalogue = office.records.catalogue(by=OUTSIDE)
        assert len(catalogue) == 0
        no_secret_in(catalogue.to_csv(), "关于人事调整的通知")
        assert office.list(kind="record", by=OUTSIDE) == []
        as_missing(office, lambda: office.get(record.id, by=OUTSIDE), record.id)
        assert (
            office.records.due_for_review(record.created_at + timedelta(days=40000), by=OUTSIDE)
            == []
        )
        assert office.denials()[-1].action == "get"


# ============================================================================ information
class TestBulletin:
    """A bulletin is classified as its highest item: hidden, it is a missing issue."""

    def test_a_hidden_issue_is_a_missing_one(self, office: Office) -> None:
        officer = actor("info", INFORMATION_OFFICER, Role.CLERK, clearance=Classification.SECRET)
        leader = actor("lead", Role.PRINCIPAL_LEADER, clearance=Classification.SECRET)
        item = office.information.collect(
            by=officer,
            category="dynamics",
            title="机密：某项目进展",
            body="今年以来完成12个。",
            source="区住建局",
            reporting_unit={"code": "ZHK", "name": "综合科"},
            author={"actor_id": "info", "name": "王信息"},
            contact_phone="0571-87654321",
            classification="secret",
        )
        for trigger, who in (("screen", officer), ("edit", officer), ("approve", leader)):
            item = office.fire(item, trigger, by=who)
        issue = office.information.compile_bulletin([item], by=officer, title="政务信息")
        with pytest.raises(RuleViolation) as missing:
            office.information.bulletin(issue.year, issue.number + 1, by=PLAIN)
        with pytest.raises(RuleViolation) as hidden:
            office.information.bulletin(issue.year, issue.number, by=PLAIN)
        assert str(hidden.value) == str(missing.value).replace(
            f"issue {issue.number + 1}", f"issue {issue.number}"
        )
        no_secret_in(hidden.value, "机密：某项目进展", item.id)
        assert [(d.entity_id, d.action) for d in office.denials()] == [(item.id, "bulletin")]
        assert office.information.bulletin(issue.year, issue.number, by=officer) == issue


# ============================================================================ duty, uncleared
def test_an_uncleared_officer_hands_over_a_classified_call_unread(office: Office) -> None:
    """The call still goes forward (R1), its text withheld: 涉密事项，另行交接."""
    zhou = actor("zhou", "duty_officer", clearance=Classification.UNCLASSIFIED)
    first = office.now().replace(hour=8, minute=30) + timedelta(days=1)
    monday, tuesday = office.duty.schedule(
        {
            "start": first,
            "end": first + timedelta(days=1),
            "leader": {"actor_id": "cleared", "name": "李副主任"},
            "officers": [{"actor_id": "zhou", "name": "周六"}],
        },
        {
            "start": first + timedelta(days=1),
            "end": first + timedelta(days=2),
            "leader": {"actor_id": "chen", "name": "陈副主任"},
            "officers": [{"actor_id": "wang", "name": "王五"}],
        },
        by=CLEARED,
    )
    monday = office.fire(monday, "take_over", by=zhou)
    call = office.duty.record_call(
        by=CLEARED,
        called_at=office.now(),
        caller={"name": "王科长", "unit": "市国家安全局", "phone": "0571-87000000"},
        matter=HIDDEN_MATTER,
        measures="已报告带班领导",
        recorder="李副主任",
        shift_id=monday.id,
        classification="top_secret",
    )
    handed, taken = office.duty.hand_over(monday, by=zhou, to_shift=tuesday, received_by=WANG)
    assert taken is not None
    (matter,) = taken.received
    assert (matter.entity_id, matter.text) == (call.id, WITHHELD_MATTER)
    no_secret_in(repr((handed, taken)), HIDDEN_MATTER, "国家安全局")
    assert taken.classification is Classification.TOP_SECRET


def test_an_emergency_hidden_from_the_reader(office: Office, clock: FrozenClock) -> None:
    """Its limits, its lateness, the brief and the sweep's message keep the title to the cleared."""
    officer = actor("info", INFORMATION_OFFICER, Role.CLERK, clearance=Classification.TOP_SECRET)
    item = office.information.collect(
        by=officer,
        category="emergency",
        title="绝密：某地突发事件",
        body="10时许发生，无人员伤亡。",
        event_at=office.now(),
        source="区应急局",
        reporting_unit={"code": "ZHK", "name": "综合科"},
        author={"actor_id": "info", "name": "王信息"},
        contact_phone="0571-87654321",
        classification="top_secret",
    )
    clock.advance(minutes=31)
    assert office.information.emergency_due(by=PLAIN) == []
    assert office.information.emergency_due(by=officer) != []
    as_missing(office, lambda: office.information.emergency_limits(item, by=PLAIN), item.id)
    no_secret_in(office.brief(PLAIN).to_text(), "绝密：某地突发事件", item.id)
    assert "绝密：某地突发事件" in office.brief(officer).to_text()
    issued = office.sweep().issued
    assert {r.entity_id for r in issued} == {item.id}
    for reminder in issued:
        no_secret_in(reminder.message, "绝密：某地突发事件")
    assert [(d.entity_id, d.action) for d in office.denials()] == [(item.id, "get")]
