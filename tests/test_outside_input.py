"""Outside input becomes an error of our tree that names what would be accepted."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path

import pytest

from conftest import CLERK, START, STORES, SUPERVISOR, UNIT_A, receive_notice
from secretarial import (
    AccessDenied,
    Actor,
    CalendarCoverageError,
    ConcurrencyConflict,
    DomainError,
    IdempotencyKeyReused,
    NotFound,
    Office,
    PluginError,
    Query,
    Role,
    RuleViolation,
    SecretarialError,
    StoreError,
    TransitionNotAllowed,
    UsageError,
    ValidationError,
    WorkflowDefinitionError,
    http_status,
)
from secretarial import errors as secretarial_errors
from secretarial.kernel import EARLIEST, LATEST

OFFICE_STORES = STORES


class TestPages:
    @pytest.mark.parametrize("limit", [0, -1, 10_001, True, 2.5])
    def test_a_page_size_out_of_range_is_refused(self, office: Office, limit: object) -> None:
        with pytest.raises(ValidationError) as info:
            office.store.page(Query(), limit=limit)  # type: ignore[arg-type, attr-defined]
        problem = info.value.problems[0]
        assert (problem.field, problem.rule) == ("limit", "page_limit")
        assert problem.accepted == "an integer from 1 to 10,000"

    @pytest.mark.parametrize("cursor", ["9" * 400, "abc", "-1", "１２", ""])
    def test_a_cursor_no_store_gave_out_is_refused(self, office: Office, cursor: str) -> None:
        with pytest.raises(ValidationError) as info:
            office.store.page(Query(), limit=5, cursor=cursor)  # type: ignore[attr-defined]
        assert (info.value.problems[0].field, info.value.problems[0].rule) == (
            "cursor",
            "page_cursor",
        )
        assert len(str(info.value)) < 300  # a 400-digit cursor is cut short in the message
        assert http_status(info.value) == 422


class TestQueries:
    def test_an_unknown_state_is_refused_with_the_known_ones(self, office: Office) -> None:
        with pytest.raises(ValidationError, match="registred") as info:
            office.list(state="registred")
        problem = info.value.problems[0]
        assert (problem.field, problem.rule) == ("state", "known_state")
        assert "registered" in (problem.accepted or "")
        with pytest.raises(ValidationError, match="the kinds asked for"):
            office.list(kind="meeting", state="registered")
        assert office.list(kind="incoming_document", state="registered") == []

    @pytest.mark.parametrize("kind", ["letter", "", 7])
    def test_an_unknown_kind_is_refused_with_the_known_ones(
        self, office: Office, kind: object
    ) -> None:
        for verb in (office.list, office.page, office.count):
            with pytest.raises(ValidationError) as info:
                verb(kind=kind)  # type: ignore[operator]
            problem = info.value.problems[0]
            assert (problem.field, problem.rule) == ("kind", "known_kind")
            assert "incoming_document" in (problem.accepted or "")


@pytest.mark.parametrize(
    "url", ["sqlite://office.db", "mysql:/", "nonsense", "postgresql+nodriver://x/y"]
)
def test_a_url_that_is_not_a_database_is_a_store_error(url: str, tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="is not a database URL") as info:
        Office.open(url)
    assert "sqlite:///" in str(info.value)


class TestTimes:
    @pytest.mark.parametrize(
        "moment",
        [
            datetime(9999, 12, 31, 23, tzinfo=UTC),
            datetime(9998, 12, 31, 1, tzinfo=UTC),
            datetime(1, 1, 1, 1, tzinfo=timezone(timedelta(hours=8))),
            datetime(1899, 12, 31, 23, tzinfo=UTC),
        ],
    )
    def test_a_time_outside_the_range_is_refused_and_nothing_is_stored(
        self, office: Office, moment: datetime
    ) -> None:
        with pytest.raises(ValidationError) as info:
            receive_notice(office, "关于开展安全检查的通知", received_at=moment)
        problem = info.value.problems[0]
        assert problem.field == "received_at"
        assert problem.accepted is not None
        assert "9998-12-31" in problem.accepted or "1900-01-01" in problem.accepted
        assert office.count() == 0
        assert len(office.documents.incoming_register()) == 0  # the registers still answer

    def test_the_edges_of_the_range_are_held(self, office: Office) -> None:
        for moment in (
            LATEST,
            EARLIEST,
            datetime(9998, 12, 31, 7, tzinfo=timezone(timedelta(hours=8))),
        ):
            doc = receive_notice(office, "关于开展安全检查的通知", received_at=moment)
            assert office.get(doc.id) == doc
        assert len(office.documents.incoming_register()) == 3


class TestDays:
    @pytest.mark.parametrize("day", [date(9999, 12, 31), date(1899, 12, 31), date.max])
    def test_a_deadline_outside_the_range_is_refused(self, office: Office, day: date) -> None:
        item = office.supervision.open(
            by=SUPERVISOR, source="leader_instruction", requirement="落实", received_at=START
        )
        with pytest.raises(ValidationError) as info:
            office.fire(item, "assign", by=SUPERVISOR, lead_unit=UNIT_A, deadline=day)
        assert info.value.fields == ("deadline",)
        assert office.get(item.id) == item

    def test_the_last_day_is_held_and_the_sweep_says_what_it_lacks(self, office: Office) -> None:
        item = office.supervision.open(
            by=SUPERVISOR, source="leader_instruction", requirement="落实", received_at=START
        )
        item = office.fire(item, "assign", by=SUPERVISOR, lead_unit=UNIT_A, deadline=LATEST.date())
        assert item.deadline == date(9998, 12, 31)
        assert len(office.supervision.ledger()) == 1
        with pytest.raises(CalendarCoverageError):  # no calendar knows 9998: said so, no overflow
            office.sweep(datetime(9998, 12, 30, tzinfo=UTC))


class TestText:
    @pytest.mark.parametrize("entity_id", ["\ud800", "in-\udfff", "a\x00b"])
    def test_an_id_no_store_can_hold_is_not_found(self, office: Office, entity_id: str) -> None:
        with pytest.raises(NotFound):
            office.get(entity_id)
        with pytest.raises(NotFound):
            office.audit(entity_id)
        with pytest.raises(NotFound):
            office.fire(entity_id, "register", by=CLERK)

    def test_a_reason_with_a_lone_surrogate_is_refused_naming_it(self, office: Office) -> None:
        doc = receive_notice(office, "关于开展安全检查的通知")
        with pytest.raises(ValidationError) as info:
            office.fire(doc, "register", by=CLERK, reason="见附件\udc00")
        assert [(p.field, p.rule) for p in info.value.problems] == [("reason", "unicode_text")]
        assert office.get(doc.id) == doc
        assert len(office.audit(doc)) == 1


class TestRoles:
    def test_a_role_the_office_does_not_know_is_refused_on_commands_and_reads(
        self, office: Office
    ) -> None:
        doc = receive_notice(office, "关于开展安全检查的通知")
        typo = Actor(id="li", name="李文书", roles=frozenset({"Clerk"}))
        with pytest.raises(ValidationError) as info:
            office.fire(doc, "register", by=typo)
        problem = info.value.problems[0]
        assert (problem.field, problem.rule) == ("roles", "known_role")
        assert "'Clerk'" in problem.message
        assert problem.accepted is not None
        assert "clerk" in problem.accepted.split(", ")
        with pytest.raises(ValidationError):
            office.get(doc.id, by=typo)
        assert office.get(doc.id) == doc

    def test_a_person_is_enrolled_with_known_roles_only(self, office: Office) -> None:
        director = Actor(id="wang", name="王主任", roles=frozenset({Role.OFFICE_DIRECTOR}))
        with pytest.raises(ValidationError) as info:
            office.directory.enrol(
                by=director, actor_id="li", name="李文书", unit=UNIT_A, roles=["Clerk"]
            )
        assert info.value.problems[0].rule == "known_role"
        assert office.directory.people() == []
        person = office.directory.enrol(
            by=director, actor_id="li", name="李文书", unit=UNIT_A, roles=["clerk"]
        )
        with pytest.raises(ValidationError):
            office.directory.update(person, by=director, roles=["clerk", "archivst"])
        assert office.directory.people()[0].roles == frozenset({"clerk"})

    def test_a_host_gives_its_own_roles(self) -> None:
        auditor = Actor(id="qian", name="钱审计", roles=frozenset({"internal_auditor"}))
        with pytest.raises(ValidationError):
            Office().list(by=auditor)
        office = Office(roles={"internal_auditor"})
        assert "internal_auditor" in office.known_roles
        assert office.list(by=auditor) == []

    def test_the_roles_of_a_plugin_table_are_known(self) -> None:
        """A role only a plugin's row names is one the office knows, without roles=."""
        from secretarial.kernel import TransitionSpec  # noqa: PLC0415
        from secretarial.plugins import hookimpl  # noqa: PLC0415
        from secretarial.supervision import SupervisionItem, SupervisionState  # noqa: PLC0415

        note = TransitionSpec(
            "note", (SupervisionState.IN_PROGRESS,), None, frozenset({"inspector"}), label="备注"
        )

        class Notes:
            @hookimpl
            def secretarial_extend_workflow(self, table):  # type: ignore[no-untyped-def]
                if table.entity_type is not SupervisionItem:
                    return None
                return table.extended(note)

        assert "inspector" not in Office().known_roles
        office = Office(plugins=[Notes()], load_entry_points=False)
        assert "inspector" in office.known_roles
        inspector = Actor(id="qian", name="钱督查", roles=frozenset({"inspector"}))
        assert office.list(by=inspector) == []


class TestHttpStatus:
    """Each error of the tree maps to the status a web host answers with."""

    @pytest.mark.parametrize(
        ("error", "status"),
        [
            (NotFound("in-9"), 404),
            (AccessDenied("zhou", "in-7", "classified above the actor"), 404),
            (
                TransitionNotAllowed(
                    entity_id="in-1",
                    entity_kind="incoming_document",
                    state="registered",
                    trigger="screen",
                    rule_code="ROLE",
                    reason="needs clerk",
                ),
                403,
            ),
            (
                TransitionNotAllowed(
                    entity_id="in-1",
                    entity_kind="incoming_document",
                    state="registered",
                    trigger="approve",
                    rule_code="STATE",
                    reason="fires only from proposed",
                ),
                422,
            ),
            (ConcurrencyConflict("in-1", 1, 2), 409),
            (ConcurrencyConflict("in-1", 3, 4, content=True), 409),
            (IdempotencyKeyReused("k-1", "in-1"), 422),
            (ValidationError("Actor", []), 422),
            (RuleViolation("M9", "no-double-booking", "the room is booked"), 422),
            (CalendarCoverageError("CN", date(2031, 1, 6), (2004, 2026)), 503),
            (StoreError("unreachable"), 503),
            (PluginError("p", "secretarial_directory", "the directory", "OSError: x"), 500),
            (UsageError("a bug"), 500),
        ],
    )
    def test_the_status_of_each_error(self, error: SecretarialError, status: int) -> None:
        assert http_status(error) == status

    def test_the_embedding_guide_maps_every_error_class(self) -> None:
        """Each class of the tree is named in the guide's table, with its status."""
        guide = (Path(__file__).parent.parent / "docs" / "embedding.md").read_text("utf-8")
        table = [line for line in guide.splitlines() if line.startswith("| `")]
        named = {
            cls.__name__
            for cls in vars(secretarial_errors).values()
            if isinstance(cls, type)
            and issubclass(cls, SecretarialError)
            and cls not in {SecretarialError, DomainError, WorkflowDefinitionError}
        }
        for name in sorted(named):
            rows = [row for row in table if f"`{name}`" in row]
            assert rows, f"docs/embedding.md's error table does not name {name}"
