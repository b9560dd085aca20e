"""The domain's models: enums with labels, documents' element rules, frozen values."""

from __future__ import annotations

from datetime import date, datetime

import pydantic
import pytest

import secretarial
from conftest import CLERK, DRAFTER, SUPERIOR, SUPERVISOR, UNIT_A, actor
from secretarial import (
    Actor,
    Attachment,
    Channel,
    Classification,
    DocumentKind,
    DocumentNumber,
    HandlingType,
    IncomingState,
    Office,
    Organ,
    OrganRelation,
    OutgoingState,
    Retention,
    Role,
    SupervisionState,
    Unit,
    Urgency,
    ValidationError,
)
from secretarial.documents import format_date_of_issue
from secretarial.kernel import LabeledEnum


def receive(office: Office, **fields):
    """Receive a plain notice, with ``fields`` added or overriding the defaults."""
    values = {
        "kind": "notice",
        "title": "关于开展安全检查的通知",
        "sender": SUPERIOR,
        "channel": "paper",
        "received_at": office.now(),
    }
    return office.documents.receive(by=CLERK, **{**values, **fields})


def refused_receive(office: Office, **fields) -> ValidationError:
    """Receive with ``fields``, expecting a validation error; check nothing was stored."""
    with pytest.raises(ValidationError) as info:
        receive(office, **fields)
    assert office.list() == []
    return info.value


def classified(level: str, **fields):
    """Fields of a classified incoming document (it carries a copy number, D3)."""
    return {"classification": level, "copy_number": "000001", **fields}


# ============================================================================ enums
class TestEnumsAndLabels:
    """Enum values are English identifiers; each member carries its Chinese label."""

    def test_the_fifteen_kinds_of_d1_in_order(self):
        labels = [kind.label for kind in DocumentKind]
        assert labels == [
            "决议",
            "决定",
            "命令",
            "公报",
            "公告",
            "通告",
            "意见",
            "通知",
            "通报",
            "报告",
            "请示",
            "批复",
            "议案",
            "函",
            "纪要",
        ]

    @pytest.mark.parametrize(
        "enum",
        [
            DocumentKind,
            Classification,
            Urgency,
            Channel,
            OrganRelation,
            HandlingType,
            Role,
            IncomingState,
            OutgoingState,
            SupervisionState,
        ],
    )
    def test_values_are_english_identifiers_and_labels_chinese(self, enum):
        for member in enum:
            assert member.value.isascii()
            assert member.value.replace("_", "").isalpha()
            assert member.value == member.value.lower()
            assert not member.label.isascii()
            assert str(member) == member.value

    def test_retention_values_are_the_archival_codes(self):
        assert [r.value for r in Retention] == ["Y", "D30", "D10"]
        assert [r.label for r in Retention] == ["永久", "定期30年", "定期10年"]

    @pytest.mark.parametrize(
        ("label", "member"),
        [
            ("请示", DocumentKind.REQUEST),
            ("报告", DocumentKind.REPORT),
            ("函", DocumentKind.LETTER),
            ("纪要", DocumentKind.MINUTES),
            ("绝密", Classification.TOP_SECRET),
            ("特急", Urgency.EXTRA_URGENT),
            ("办件", HandlingType.FOR_HANDLING),
            ("上级机关", OrganRelation.SUPERIOR),
        ],
    )
    def test_from_label_finds_the_member(self, label, member):
        assert type(member).from_label(label) is member

    def test_from_label_refuses_an_unknown_label_listing_the_accepted_ones(self):
        with pytest.raises(ValueError, match="'通牒' is not a DocumentKind label") as info:
            DocumentKind.from_label("通牒")
        assert "请示" in str(info.value)
        assert "纪要" in str(info.value)

    def test_members_are_strings_equal_to_their_value(self):
        assert DocumentKind.REQUEST == "request"
        assert DocumentKind("request") is DocumentKind.REQUEST
        assert isinstance(DocumentKind.REQUEST, LabeledEnum)


class TestClassificationOrder:
    """Classifications compare by level, not by spelling."""

    def test_levels_ascend(self):
        assert (
            Classification.UNCLASSIFIED
            < Classification.CONFIDENTIAL
            < Classification.SECRET
            < Classification.TOP_SECRET
        )
        assert [c.level for c in Classification] == [0, 1, 2, 3]

    def test_sorting_follows_the_level_not_the_alphabet(self):
        shuffled = [
            Classification.CONFIDENTIAL,
            Classification.TOP_SECRET,
            Classification.UNCLASSIFIED,
            Classification.SECRET,
        ]
        assert sorted(shuffled) == list(Classification)
        assert sorted(shuffled) != sorted(shuffled, key=str)
        assert max(shuffled) is Classification.TOP_SECRET
        assert min(shuffled) is Classification.UNCLASSIFIED

    def test_all_comparison_operators(self):
        secret, confidential = Classification.CONFIDENTIAL, Classification.SECRET
        assert secret < confidential
        assert secret <= confidential
        assert secret <= secret  # noqa: PLR0124 -- reflexivity is the point
        assert confidential > secret
        assert confidential >= secret
        assert not confidential < secret

    def test_maximum_secrecy_periods_of_d4(self):
        assert Classification.CONFIDENTIAL.max_secrecy_years == 10
        assert Classification.SECRET.max_secrecy_years == 20
        assert Classification.TOP_SECRET.max_secrecy_years == 30
        assert Classification.UNCLASSIFIED.max_secrecy_years is None

    def test_members_stay_hashable(self):
        assert {Classification.CONFIDENTIAL, Classification("confidential")} == {
            Classification.CONFIDENTIAL
        }


# ============================================================================ D4 / D5
class TestSecrecyPeriod:
    """D4: a classified document carries a secrecy period or condition, within the maximum."""

    @pytest.mark.parametrize("level", ["confidential", "secret", "top_secret"])
    def test_classified_without_period_or_condition_is_refused(self, office, level):
        err = refused_receive(office, **classified(level))
        (problem,) = err.problems
        assert problem.rule == "D4"
        assert "secrecy_period_years" in problem.message
        assert "declassification condition" in problem.message

    @pytest.mark.parametrize(
        ("level", "maximum"), [("confidential", 10), ("secret", 20), ("top_secret", 30)]
    )
    def test_period_up_to_the_maximum_is_accepted(self, office, level, maximum):
        doc = receive(office, **classified(level, secrecy_period_years=maximum))
        assert doc.secrecy_period_years == maximum
        assert doc.classification == level

    @pytest.mark.parametrize(
        ("level", "maximum"), [("confidential", 10), ("secret", 20), ("top_secret", 30)]
    )
    def test_period_above_the_maximum_is_refused(self, office, level, maximum):
        err = refused_receive(office, **classified(level, secrecy_period_years=maximum + 1))
        (problem,) = err.problems
        assert problem.rule == "D4"
        assert f"maximum of {maximum} years" in problem.message
        assert f"1..{maximum}" in problem.message

    def test_a_declassification_condition_replaces_the_period(self, office):
        doc = receive(office, **classified("confidential", declassification_condition="项目验收后"))
        assert doc.secrecy_period_years is None
        assert doc.declassification_condition == "项目验收后"

    def test_zero_years_is_not_a_period(self, office):
        err = refused_receive(office, **classified("confidential", secrecy_period_years=0))
        assert err.fields == ("secrecy_period_years",)

    def test_unclassified_document_has_no_period(self, office):
        err = refused_receive(office, secrecy_period_years=5)
        assert err.problems[0].rule == "D4"

    def test_outgoing_drafts_are_held_to_d4_as_well(self, office):
        with pytest.raises(ValidationError) as info:
            office.documents.draft(
                by=DRAFTER,
                kind="notice",
                title="t",
                issuer_code="国办发",
                classification="confidential",
            )
        assert info.value.problems[0].rule == "D4"


class TestUrgency:
    """D5: 特急 and 加急 for any document; 特提 and 平急 for telegrams only."""

    @pytest.mark.parametrize("urgency", ["flash", "routine"])
    def test_telegram_only_urgency_is_refused_on_a_document(self, office, urgency):
        err = refused_receive(office, urgency=urgency)
        (problem,) = err.problems
        assert problem.rule == "D5"
        assert repr(urgency) in problem.message
        assert "telegrams only" in problem.message

    @pytest.mark.parametrize("urgency", ["flash", "routine"])
    def test_telegram_only_urgency_is_accepted_on_a_telegram(self, office, urgency):
        doc = receive(office, urgency=urgency, is_telegram=True)
        assert doc.urgency == urgency
        assert doc.urgency.telegram_only

    @pytest.mark.parametrize("urgency", ["extra_urgent", "urgent"])
    def test_document_urgencies_are_accepted(self, office, urgency):
        doc = receive(office, urgency=urgency)
        assert not doc.urgency.telegram_only

    def test_unknown_urgency_is_refused(self, office):
        err = refused_receive(office, urgency="very_urgent")
        assert err.fields == ("urgency",)


# ============================================================================ validation
class TestTimestamps:
    """Times are timezone-aware; a naive datetime is a validation error."""

    def test_naive_received_at_is_refused_naming_the_field(self, office):
        err = refused_receive(office, received_at=datetime(2025, 9, 26, 9, 0))  # noqa: DTZ001
        assert err.fields == ("received_at",)
        assert err.problems[0].rule == "timezone_aware"

    def test_naive_received_at_is_refused_for_supervision_items(self, office):
        with pytest.raises(ValidationError) as info:
            office.supervision.open(
                by=SUPERVISOR,
                source="leader_instruction",
                requirement="整改",
                received_at=datetime(2025, 9, 26, 9, 0),  # noqa: DTZ001
            )
        assert info.value.fields == ("received_at",)

    def test_a_workflow_refuses_a_naive_now_and_changes_nothing(self, office):
        doc = receive(office)
        workflow = office.workflow(doc.entity_kind)
        with pytest.raises(ValidationError) as info:
            workflow.fire(doc, "register", CLERK, now=datetime(2025, 9, 26, 9, 0))  # noqa: DTZ001
        assert info.value.fields == ("now",)
        assert info.value.problems[0].rule == "timezone_aware"
        assert "aware datetime" in (info.value.problems[0].accepted or "")
        assert office.get(doc.id) == doc

    def test_aware_received_at_is_kept(self, office):
        doc = receive(office)
        assert doc.received_at == office.now()
        assert doc.received_at.utcoffset() is not None


class TestUnknownAndReservedFields:
    """Unknown fields are refused; the office and the workflow set their own fields."""

    def test_unknown_field_is_refused(self, office):
        err = refused_receive(office, colour="red")
        assert err.fields == ("colour",)
        assert err.problems[0].rule == "extra_forbidden"

    def test_missing_required_field_is_refused(self, office):
        with pytest.raises(ValidationError) as info:
            office.documents.receive(by=CLERK, kind="notice", title="t", channel="paper")
        assert set(info.value.fields) == {"sender", "received_at"}

    @pytest.mark.parametrize(
        ("name", "value"),
        [
            ("id", "in-99"),
            ("version", 7),
            ("state", "filed"),
            ("created_at", datetime(2025, 1, 1).astimezone()),
            ("created_by", "someone"),
            ("updated_at", datetime(2025, 1, 1).astimezone()),
        ],
    )
    def test_system_fields_are_refused_at_creation(self, office, name, value):
        err = refused_receive(office, **{name: value})
        assert err.fields == (name,)
        assert err.problems[0].rule == "system_field"

    @pytest.mark.parametrize(
        ("name", "value"),
        [
            ("registration_number", "2025-0001"),
            ("instruction", {"by": "leader", "at": "2025-09-26T09:00+08:00", "text": "办"}),
            ("lead_unit", UNIT_A),
            ("deadline", date(2025, 10, 1)),
            ("assignee", "undertaker"),
            ("archival_code", "0194-WS·2016-D30-BGS-0001"),
        ],
    )
    def test_workflow_fields_are_refused_at_receive(self, office, name, value):
        err = refused_receive(office, **{name: value})
        assert err.fields == (name,)
        assert err.problems[0].rule == "workflow_field"
        assert "'receive'" in err.problems[0].message

    @pytest.mark.parametrize(
        ("name", "value"),
        [
            (
                "signatures",
                [{"signer": "leader", "name": "L", "opinion": "同意", "signed_on": "2025-09-26"}],
            ),
            ("date_of_issue", date(2025, 9, 26)),
            ("signers", ["Leader"]),
            ("copy_numbers", ["000001"]),
        ],
    )
    def test_workflow_fields_are_refused_at_draft(self, office, name, value):
        with pytest.raises(ValidationError) as info:
            office.documents.draft(
                by=DRAFTER, kind="notice", title="t", issuer_code="国办发", **{name: value}
            )
        assert info.value.fields == (name,)
        assert info.value.problems[0].rule == "workflow_field"
        assert office.list() == []

    def test_workflow_fields_are_refused_at_open(self, office):
        with pytest.raises(ValidationError) as info:
            office.supervision.open(
                by=SUPERVISOR,
                source="leader_instruction",
                requirement="整改",
                received_at=office.now(),
                cancel_reason="x",
            )
        assert info.value.problems[0].rule == "workflow_field"

    def test_every_problem_is_reported_at_once(self, office):
        err = refused_receive(office, id="x", registration_number="2025-0001")
        assert err.fields == ("id", "registration_number")

    def test_unknown_trigger_input_is_refused(self, office):
        doc = receive(office)
        with pytest.raises(ValidationError) as info:
            office.fire(doc, "register", by=CLERK, colour="red")
        assert info.value.fields == ("colour",)
        assert office.get(doc.id) == doc

    def test_input_to_a_trigger_that_takes_none_is_refused(self, office):
        doc = office.fire(receive(office), "register", by=CLERK)
        with pytest.raises(ValidationError) as info:
            office.fire(doc, "screen", by=CLERK, note="ok")
        assert info.value.problems[0].rule == "extra_forbidden"


class TestImmutability:
    """Entities and values are frozen; changes make new snapshots."""

    def test_entity_fields_cannot_be_assigned(self, office):
        doc = receive(office)
        with pytest.raises(pydantic.ValidationError, match="frozen"):
            doc.title = "changed"
        assert office.get(doc.id).title == "关于开展安全检查的通知"

    def test_state_cannot_be_assigned(self, office):
        doc = receive(office)
        with pytest.raises(pydantic.ValidationError, match="frozen"):
            doc.state = IncomingState.FILED

    def test_a_transition_returns_a_new_snapshot(self, office):
        doc = receive(office)
        registered = office.fire(doc, "register", by=CLERK)
        assert registered is not doc
        assert doc.state is IncomingState.RECEIVED
        assert (doc.version, registered.version) == (1, 2)

    @pytest.mark.parametrize(
        ("value", "name", "new"),
        [
            (DocumentNumber.parse("国办发〔2012〕14号"), "sequence", 15),
            (Organ(**SUPERIOR), "relation", OrganRelation.PEER),
            (Unit(**UNIT_A), "code", "XYZ"),
            (actor("clerk", Role.CLERK), "clearance", Classification.TOP_SECRET),
            (Attachment(sequence=1, name="名单"), "pages", 3),
        ],
        ids=["DocumentNumber", "Organ", "Unit", "Actor", "Attachment"],
    )
    def test_values_are_frozen(self, value, name, new):
        with pytest.raises(pydantic.ValidationError, match="frozen"):
            setattr(value, name, new)

    @pytest.mark.parametrize(
        "make",
        [
            lambda: DocumentNumber.parse("国办发〔2012〕14号"),
            lambda: Organ(**SUPERIOR),
            lambda: Unit(**UNIT_A),
            lambda: actor("clerk", Role.CLERK, Role.ARCHIVIST),
            lambda: Attachment(sequence=1, name="名单", pages=2),
        ],
        ids=["DocumentNumber", "Organ", "Unit", "Actor", "Attachment"],
    )
    def test_values_are_hashable_and_equal_by_content(self, make):
        first, second = make(), make()
        assert first is not second
        assert first == second
        assert hash(first) == hash(second)
        assert len({first, second}) == 1

    def test_values_refuse_unknown_fields(self):
        with pytest.raises(secretarial.ValidationError, match="extra"):
            Organ(code="SZF", name="市政府办公室", rank=1)

    def test_values_strip_whitespace_and_refuse_blank_names(self):
        assert Unit(code=" ZHK ", name="综合科").code == "ZHK"
        with pytest.raises(secretarial.ValidationError):
            Unit(code="   ", name="综合科")


# ============================================================================ D10
class TestDateOfIssue:
    """D10: Arabic numerals, full year, no padding."""

    @pytest.mark.parametrize(
        ("day", "text"),
        [
            (date(2012, 7, 1), "2012年7月1日"),
            (date(2025, 12, 31), "2025年12月31日"),
            (date(2025, 1, 9), "2025年1月9日"),
        ],
    )
    def test_format(self, day, text):
        assert format_date_of_issue(day) == text

    def test_document_writes_its_date_of_issue(self, office):
        doc = office.documents.draft(by=DRAFTER, kind="notice", title="t", issuer_code="国办发")
        assert doc.date_of_issue_text is None
        doc = office.fire(doc, "submit", by=DRAFTER)
        doc = office.fire(doc, "review", by=actor("director", Role.OFFICE_DIRECTOR))
        doc = office.fire(doc, "sign", by=actor("leader", Role.LEADER), opinion="同意")
        assert doc.date_of_issue == date(2025, 9, 26)
        assert doc.date_of_issue_text == "2025年9月26日"


# ============================================================================ actors
class TestActor:
    """An actor sees what its clearance covers and holds roles."""

    @pytest.mark.parametrize(
        ("clearance", "visible"),
        [
            (Classification.UNCLASSIFIED, {"unclassified"}),
            (Classification.CONFIDENTIAL, {"unclassified", "confidential"}),
            (Classification.SECRET, {"unclassified", "confidential", "secret"}),
            (
                Classification.TOP_SECRET,
                {"unclassified", "confidential", "secret", "top_secret"},
            ),
        ],
    )
    def test_may_see_up_to_the_clearance(self, clearance, visible):
        person = actor("p", Role.CLERK, clearance=clearance)
        assert {c.value for c in Classification if person.may_see(c)} == visible

    def test_default_clearance_is_unclassified(self):
        person = Actor(id="p", name="P")
        assert person.clearance is Classification.UNCLASSIFIED
        assert person.may_see(Classification.UNCLASSIFIED)
        assert not person.may_see(Classification.CONFIDENTIAL)
        assert person.roles == frozenset()

    def test_has_any_role(self):
        person = actor("p", Role.CLERK, "host_role")
        assert person.has_any_role(frozenset({Role.CLERK, Role.LEADER}))
        assert person.has_any_role(frozenset({"host_role"}))
        assert not person.has_any_role(frozenset({Role.LEADER}))
