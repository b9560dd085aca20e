"""The ``secretarial`` command line: the demo week, each command, and how failures read."""

from __future__ import annotations

import json
import shutil
import sqlite3
import subprocess
import sys
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner, Result

from conftest import CLERK, DIRECTOR, SUPERIOR, UNIT_A
from secretarial import Actor, Checkpoint, Office, Role, china_calendar
from secretarial.cli import _demo, app
from secretarial.testing import FrozenClock

runner = CliRunner()


def run(*args: str | Path) -> Result:
    """Run the command line in-process with ``args``."""
    return runner.invoke(app, [str(a) for a in args])


def snapshot(db: Path) -> tuple[frozenset[tuple[str, int]], int]:
    """Every entity's id and version, and the length of the whole audit record."""
    with Office.open(f"sqlite:///{db}", create=False) as office:
        found = office.list()
        return frozenset((e.id, e.version) for e in found), sum(len(office.audit(e)) for e in found)


def failed(result: Result, code: str, exit_code: int) -> str:
    """Check a failure: the exit code, nothing on stdout, one line naming ``code`` on stderr."""
    assert result.exit_code == exit_code, (result.stdout, result.stderr)
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith(f"secretarial: {code}: "), lines[0]
    return lines[0]


@pytest.fixture(scope="module")
def week(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A directory holding an office after a two-day demo, and its actors file."""
    folder = tmp_path_factory.mktemp("week")
    result = run("demo", "--db", folder / "office.db", "--days", "2")
    assert result.exit_code == 0, result.stderr
    return folder


@pytest.fixture
def db(week: Path, tmp_path: Path) -> Path:
    """A copy of the demo office (and its actors file) for one test to change."""
    for path in week.iterdir():
        shutil.copy(path, tmp_path / path.name)
    return tmp_path / "office.db"


@pytest.fixture
def proposed(db: Path) -> str:
    """The id of an urgent notice waiting for the leader's approval in ``db``."""
    with Office.open(f"sqlite:///{db}", create=False) as office:
        doc = office.documents.receive(
            by=CLERK,
            kind="notice",
            title="关于开展消防安全检查的通知",
            sender=SUPERIOR,
            channel="electronic",
            received_at=office.now(),
            urgency="urgent",
        )
        office.fire(doc.id, "register", by=CLERK)
        office.fire(doc.id, "screen", by=CLERK)
        office.fire(doc.id, "propose", by=DIRECTOR, handling_type="for_handling", lead_unit=UNIT_A)
        return doc.id


# ============================================================================ entry points
class TestEntryPoints:
    def test_python_dash_m_shows_the_commands(self) -> None:
        """``python -m secretarial --help`` lists the commands and exits 0."""
        result = subprocess.run(
            [sys.executable, "-m", "secretarial", "--help"],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert result.returncode == 0, result.stderr
        for command in ("demo", "init", "doc", "items", "export", "diagram", "verify"):
            assert command in result.stdout

    def test_without_the_extra_one_line_names_the_install(
        self, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """Without typer, ``main`` says ``pip install 'secretarial[cli]'`` and exits 2."""
        from secretarial.cli import main  # noqa: PLC0415

        for name in [m for m in sys.modules if m.startswith("secretarial.cli.")]:
            monkeypatch.delitem(sys.modules, name)
        monkeypatch.setitem(sys.modules, "typer", None)
        with pytest.raises(SystemExit) as exited:
            main()
        assert exited.value.code == 2
        (line,) = capsys.readouterr().err.splitlines()
        assert line.startswith("secretarial: missing_extra: ")
        assert "pip install 'secretarial[cli]'" in line

    def test_no_command_shows_the_help(self) -> None:
        """Called without a command, the program and each group show their help."""
        for args in ((), ("doc",), ("items",)):
            result = run(*args)
            assert result.exit_code == 0
            assert "Usage" in result.stdout
        assert "Exit codes" in run().stdout

    def test_version(self) -> None:
        """``--version`` prints the version."""
        assert run("--version").stdout.startswith("secretarial ")

    def test_an_unknown_option_is_one_usage_line(self) -> None:
        """Click's own usage errors are one line too, with exit code 2."""
        line = failed(run("doc", "list", "--bogus"), "usage", 2)
        assert "--bogus" in line


# ============================================================================ demo
class TestDemo:
    def test_the_week_leaves_an_office_that_doc_list_reads(self, week: Path) -> None:
        """After the demo, ``doc list`` on its file lists every record it made."""
        db = week / "office.db"
        result = run("doc", "list", "--db", db, "--json")
        assert result.exit_code == 0, result.stderr
        listed = json.loads(result.stdout)
        with Office.open(f"sqlite:///{db}", create=False) as office:
            assert [e["id"] for e in listed] == [e.id for e in office.list()]
            assert office.verify_audit().ok
        kinds = {e["entity_kind"] for e in listed}
        assert kinds >= {"incoming_document", "outgoing_document", "supervision_item", "meeting"}
        assert "record" in kinds
        table = run("doc", "list", "--db", db)
        assert table.exit_code == 0
        assert "in-1" in table.stdout

    def test_the_summary_shows_registers_sweeps_catalogue_and_a_clean_audit(
        self, tmp_path: Path
    ) -> None:
        """The summary has the registers, the reminders, the catalogue and a clean audit."""
        result = run("demo", "--db", tmp_path / "o.db", "--days", "2")
        assert result.exit_code == 0, result.stderr
        out = result.stdout
        for title in ("收文登记簿", "发文登记簿", "督办台账", "催办", "归档文件目录"):
            assert title in out
        assert "城南政办发〔2025〕1号" in out  # the outgoing notice's number
        assert "clean" in out
        assert "2/2" in result.stderr  # the progress bar, finished

    def test_a_seed_tells_the_same_week_with_an_escalation(self, tmp_path: Path) -> None:
        """Two five-day weeks with one seed read the same; the late item is escalated."""
        outputs = []
        for name, seed in (("a", "3"), ("b", "3"), ("c", "4")):
            (tmp_path / name).mkdir()
            result = run("demo", "--db", tmp_path / name / "office.db", "--seed", seed)
            assert result.exit_code == 0, result.stderr
            outputs.append(result.stdout.replace(str(tmp_path / name), "DIR"))
        assert outputs[0] == outputs[1]
        assert outputs[0] != outputs[2]
        assert "督办升级" in outputs[0]
        assert "2025-11-03 – 2025-11-07" in outputs[0]

    def test_a_second_run_adds_the_following_week(self, db: Path) -> None:
        """Run again on the same file, the demo carries on in the next week."""
        ids, events = snapshot(db)
        result = run("demo", "--db", db, "--days", "1")
        assert result.exit_code == 0, result.stderr
        assert "2025-11-10" in result.stdout
        after, more = snapshot(db)
        assert {i for i, _ in ids} < {i for i, _ in after}
        assert more > events
        assert run("verify", "--db", db).exit_code == 0

    def test_the_demo_writes_its_cast_to_an_actors_file(self, week: Path) -> None:
        """``actors.json`` beside the office lists the cast, for ``--by li``."""
        cast = json.loads((week / "actors.json").read_text(encoding="utf-8"))
        assert [a["id"] for a in cast] == [a.id for a in _demo.CAST]

    def test_a_file_that_is_not_an_office_is_refused(self, tmp_path: Path) -> None:
        """The demo writes into no file that is not an office, and says so on one line."""
        path = tmp_path / "notes.db"
        path.write_text("my notes", encoding="utf-8")
        line = failed(run("demo", "--db", path, "--days", "1"), "bad_file", 2)
        assert "not an office" in line
        assert path.read_text(encoding="utf-8") == "my notes"

    def test_a_week_past_the_published_calendar_runs_on_provisional_deadlines(
        self, db: Path
    ) -> None:
        """After the calendar's last published year, deadlines are computed and marked."""
        last = china_calendar().covered_years()
        assert last is not None
        clock = FrozenClock(datetime(last[1], 12, 28, 2, tzinfo=UTC))
        with Office.open(f"sqlite:///{db}", create=False, clock=clock) as office:
            office.documents.receive(
                by=CLERK, kind="notice", title="关于元旦放假安排的通知", sender=SUPERIOR,
                channel="paper", received_at=office.now(),
            )  # fmt: skip
        result = run("demo", "--db", db, "--days", "1")
        assert result.exit_code == 0, result.stderr
        with Office.open(f"sqlite:///{db}", create=False) as office:
            marked = office.provisional_deadlines()
            assert marked
            for item in marked:
                assert item.deadline is not None
                assert item.deadline.year == last[1] + 1
                assert item.deadline_provisional is not None
                assert item.deadline_provisional.years == (last[1] + 1,)

    def test_days_out_of_range_is_a_usage_error(self, tmp_path: Path) -> None:
        """``--days 0`` is refused before anything is created."""
        failed(run("demo", "--db", tmp_path / "o.db", "--days", "0"), "usage", 2)
        assert not (tmp_path / "o.db").exists()


# ============================================================================ init
class TestInit:
    def test_init_creates_an_empty_office_and_a_sample_cast(self, tmp_path: Path) -> None:
        """``init`` makes an office ``doc list`` reads, and an actors file beside it."""
        db = tmp_path / "new.db"
        result = run("init", "--db", db)
        assert result.exit_code == 0, result.stderr
        assert (tmp_path / "actors.json").exists()
        assert json.loads(run("doc", "list", "--db", db, "--json").stdout) == []

    def test_init_leaves_an_existing_office_as_it_is(self, db: Path) -> None:
        """``init`` on an office changes nothing and says so."""
        before = snapshot(db)
        result = run("init", "--db", db)
        assert result.exit_code == 0
        assert "nothing changed" in result.stdout
        assert snapshot(db) == before


# ============================================================================ doc receive
class TestReceive:
    def test_receive_from_options(self, db: Path) -> None:
        """Options make a document; ``--json`` gives it back with its id."""
        result = run(
            "doc", "receive", "--db", db, "--by", "li",
            "--kind", "notice", "--title", "关于召开全区安全生产会议的通知",
            "--sender", "SZFB:市政府办公室", "--relation", "superior",
            "--number", "市政办发〔2025〕90号", "--json",
        )  # fmt: skip
        assert result.exit_code == 0, result.stderr
        doc = json.loads(result.stdout)
        assert (doc["state"], doc["number"], doc["created_by"]) == (
            "received",
            "市政办发〔2025〕90号",
            "li",
        )
        assert doc["sender"]["relation"] == "superior"

    def test_receive_from_a_file_with_options_overriding(self, db: Path, tmp_path: Path) -> None:
        """A JSON file gives the fields; an option given too wins."""
        fields = {
            "kind": "letter",
            "title": "旧标题",
            "sender": {"code": "QJY", "name": "区教育局", "relation": "peer"},
            "channel": "paper",
        }
        path = tmp_path / "letter.json"
        path.write_text(json.dumps(fields, ensure_ascii=False), encoding="utf-8")
        result = run(
            "doc", "receive", "--db", db, "--as", "clerk", "--file", path,
            "--title", "关于商请支持校园安全工作的函", "--json",
        )  # fmt: skip
        assert result.exit_code == 0, result.stderr
        doc = json.loads(result.stdout)
        assert (doc["kind"], doc["title"], doc["channel"]) == (
            "letter",
            "关于商请支持校园安全工作的函",
            "paper",
        )
        assert doc["created_by"] == "cli"

    def test_receive_from_standard_input(self, db: Path) -> None:
        """``--file -`` reads the fields from standard input."""
        fields = {"kind": "notice", "title": "关于值班安排的通知", "sender": SUPERIOR}
        result = runner.invoke(
            app,
            ["doc", "receive", "--db", str(db), "--by", "li", "--file", "-", "--json"],
            input=json.dumps(fields, ensure_ascii=False),
        )
        assert result.exit_code == 0, result.stderr
        assert json.loads(result.stdout)["channel"] == "electronic"

    @pytest.mark.parametrize(
        ("content", "code", "words"),
        [
            ("{not json", "bad_json", "not valid JSON"),
            ("[1, 2]", "bad_json", "must be a JSON object"),
            ('{"kind": "notice"}', "validation", "title"),
            ('{"kind": "memo", "title": "x", "sender": {"code": "A", "name": "B"}}',
             "validation", "kind"),
        ],
    )  # fmt: skip
    def test_a_bad_file_changes_nothing(
        self, db: Path, tmp_path: Path, content: str, code: str, words: str
    ) -> None:
        """Malformed or incomplete input: one line naming the problem, exit 2, no change."""
        path = tmp_path / "doc.json"
        path.write_text(content, encoding="utf-8")
        before = snapshot(db)
        line = failed(run("doc", "receive", "--db", db, "--by", "li", "--file", path), code, 2)
        assert words in line
        assert snapshot(db) == before

    def test_a_missing_file_is_named(self, db: Path, tmp_path: Path) -> None:
        """A file that is not there: ``bad_file`` naming it, exit 2."""
        missing = tmp_path / "nope.json"
        line = failed(
            run("doc", "receive", "--db", db, "--by", "li", "--file", missing), "bad_file", 2
        )
        assert str(missing) in line

    def test_a_malformed_sender_is_refused(self, db: Path) -> None:
        """``--sender`` must be CODE:NAME."""
        before = snapshot(db)
        failed(
            run("doc", "receive", "--db", db, "--by", "li", "--sender", "市政府"), "bad_input", 2
        )
        assert snapshot(db) == before


# ============================================================================ actors
class TestActors:
    def test_someone_must_act(self, db: Path, proposed: str) -> None:
        """A change without ``--by`` or ``--as`` is refused before the office is touched."""
        line = failed(run("doc", "fire", proposed, "approve", "--db", db), "bad_input", 2)
        assert "--by" in line

    def test_an_unknown_actor_id_lists_the_known_ones(self, db: Path, proposed: str) -> None:
        """``--by`` with an id the actors file lacks: ``unknown_actor`` and the known ids."""
        line = failed(
            run("doc", "fire", proposed, "screen", "--db", db, "--by", "nobody"), "unknown_actor", 2
        )
        assert "li, liu" in line

    def test_without_an_actors_file_an_id_cannot_be_resolved(self, db: Path, proposed: str) -> None:
        """An id with no actors file is explained; JSON actors still work."""
        (db.parent / "actors.json").unlink()
        line = failed(
            run("doc", "fire", proposed, "screen", "--db", db, "--by", "li"), "unknown_actor", 2
        )
        assert "no actors file" in line

    def test_a_json_actor_acts(self, db: Path, proposed: str) -> None:
        """``--by`` JSON names the actor inline; the audit records them."""
        actor = (
            '{"id": "zhao", "name": "赵副区长", "roles": ["leader"], "clearance": "confidential"}'
        )
        data = '{"instruction": "请抓紧办理", "deadline": "2099-12-31", "chaser": "li"}'
        result = run("doc", "fire", proposed, "approve", "--db", db, "--by", actor, "--data", data)
        assert result.exit_code == 0, result.stderr
        assert "proposed → approved" in result.stdout
        trail = json.loads(run("audit", proposed, "--db", db, "--json").stdout)
        assert trail[-1]["actor"]["name"] == "赵副区长"

    @pytest.mark.parametrize(
        ("args", "code"),
        [
            (("--by", "{bad json"), "bad_json"),
            (("--by", '{"id": "x", "name": "X", "roles": ["leader"], "rank": 3}'), "validation"),
            (("--as", "emperor"), "bad_input"),
            (("--as", "leader", "--clearance", "cosmic"), "bad_input"),
            (("--as", "leader", "--by", "zhao"), "bad_input"),
            (("--by", "zhao", "--clearance", "confidential"), "bad_input"),
        ],
    )
    def test_bad_actors_change_nothing(
        self, db: Path, proposed: str, args: tuple[str, ...], code: str
    ) -> None:
        """A malformed actor, an unknown role or clearance, or both --by and --as: exit 2."""
        before = snapshot(db)
        failed(run("doc", "fire", proposed, "approve", "--db", db, *args), code, 2)
        assert snapshot(db) == before

    def test_a_broken_actors_file_is_named(self, db: Path, proposed: str) -> None:
        """An actors file that is not an array of actors: ``bad_json`` naming the file."""
        (db.parent / "actors.json").write_text('{"li": {}}', encoding="utf-8")
        line = failed(
            run("doc", "fire", proposed, "screen", "--db", db, "--by", "li"), "bad_json", 2
        )
        assert "actors.json" in line


# ============================================================================ doc fire
class TestFire:
    def test_a_trigger_fires_and_shows_the_new_state(self, db: Path, proposed: str) -> None:
        """A permitted trigger moves the entity on and reports the new version."""
        data = '{"instruction": "请综合科办理", "deadline": "2099-12-31", "chaser": "li"}'
        result = run(
            "doc", "fire", proposed, "approve", "--db", db, "--by", "zhao", "--data", data, "--json"
        )
        assert result.exit_code == 0, result.stderr
        doc = json.loads(result.stdout)
        assert (doc["state"], doc["version"], doc["deadline"]) == ("approved", 5, "2099-12-31")

    def test_data_from_a_file(self, db: Path, proposed: str, tmp_path: Path) -> None:
        """``--data @FILE`` reads the trigger's input from a file."""
        path = tmp_path / "approve.json"
        path.write_text(
            '{"instruction": "同意", "deadline": "2099-01-04", "chaser": "li"}', encoding="utf-8"
        )
        result = run(
            "doc", "fire", proposed, "approve", "--db", db, "--by", "zhao", "--data", f"@{path}"
        )
        assert result.exit_code == 0, result.stderr

    def test_a_rule_refuses_with_exit_1_and_nothing_changes(self, db: Path, proposed: str) -> None:
        """An urgent document approved without a deadline: rule D16, exit 1, no change."""
        before = snapshot(db)
        line = failed(
            run(
                "doc",
                "fire",
                proposed,
                "approve",
                "--db",
                db,
                "--by",
                "zhao",
                "--data",
                '{"instruction": "请办理"}',
            ),
            "transition_not_allowed",
            1,
        )
        assert "D16" in line
        assert snapshot(db) == before

    @pytest.mark.parametrize(
        ("trigger", "by", "rule"),
        [("approve", "li", "ROLE"), ("assign", "wang", "STATE")],
    )
    def test_a_wrong_role_or_state_refuses(
        self, db: Path, proposed: str, trigger: str, by: str, rule: str
    ) -> None:
        """The clerk may not approve; nothing is assigned before approval: exit 1."""
        before = snapshot(db)
        line = failed(
            run("doc", "fire", proposed, trigger, "--db", db, "--by", by),
            "transition_not_allowed",
            1,
        )
        assert f"rule {rule}" in line
        assert snapshot(db) == before

    def test_an_unknown_id_is_not_found(self, db: Path) -> None:
        """No such entity: ``not_found``, exit 3."""
        before = snapshot(db)
        line = failed(
            run("doc", "fire", "in-999", "register", "--db", db, "--by", "li"), "not_found", 3
        )
        assert "in-999" in line
        assert snapshot(db) == before

    def test_an_unknown_trigger_is_bad_input(self, db: Path, proposed: str) -> None:
        """A trigger the workflow does not have is a typo: exit 2."""
        before = snapshot(db)
        failed(
            run("doc", "fire", proposed, "aprove", "--db", db, "--by", "zhao"),
            "transition_not_allowed",
            2,
        )
        assert snapshot(db) == before

    @pytest.mark.parametrize(
        ("data", "code", "words"),
        [
            ('{"instruction": ', "bad_json", "--data is not valid JSON"),
            ('"approve"', "bad_json", "must be a JSON object"),
            ("@/no/such/file.json", "bad_file", "no such file"),
            ('{"instruction": "x", "deadline": "next week"}', "validation", "deadline"),
        ],
    )
    def test_bad_data_changes_nothing(
        self, db: Path, proposed: str, data: str, code: str, words: str
    ) -> None:
        """Malformed, non-object, missing or ill-fitting ``--data``: exit 2, no change."""
        before = snapshot(db)
        line = failed(
            run("doc", "fire", proposed, "approve", "--db", db, "--by", "zhao", "--data", data),
            code,
            2,
        )
        assert words in line
        assert snapshot(db) == before

    def test_a_stale_version_is_a_conflict(self, db: Path, proposed: str) -> None:
        """``--expected-version`` older than the stored one: exit 4, no change."""
        before = snapshot(db)
        failed(
            run("doc", "fire", proposed, "approve", "--db", db, "--by", "zhao",
                "--expected-version", "2",
                "--data", '{"instruction": "同意", "deadline": "2099-01-04", "chaser": "li"}'),
            "concurrency_conflict",
            4,
        )  # fmt: skip
        assert snapshot(db) == before

    def test_a_classified_document_is_denied_to_a_low_clearance(self, db: Path) -> None:
        """Acting on a 秘密 document with too low a clearance: as if it were not there, exit 3."""
        with Office.open(f"sqlite:///{db}", create=False) as office:
            doc = office.documents.receive(
                by=CLERK, kind="notice", title="关于重要活动安保工作的通知", sender=SUPERIOR,
                channel="confidential_courier", received_at=office.now(),
                classification="confidential", copy_number="000007", secrecy_period_years=5,
            )  # fmt: skip
        before = snapshot(db)
        failed(run("doc", "fire", doc.id, "register", "--db", db, "--as", "clerk"), "not_found", 3)
        assert snapshot(db) == before
        assert (
            run(
                "doc",
                "fire",
                doc.id,
                "register",
                "--db",
                db,
                "--as",
                "clerk",
                "--clearance",
                "confidential",
            ).exit_code
            == 0
        )


# ============================================================================ doc show, doc list
class TestShowAndList:
    def test_show_as_a_table_and_as_json(self, week: Path) -> None:
        """``doc show`` lists the fields; ``--json`` is the entity; ``--by`` adds what may fire."""
        db = week / "office.db"
        table = run("doc", "show", "in-1", "--db", db)
        assert table.exit_code == 0
        assert "关于开展今冬明春安全生产大检查的通知" in table.stdout
        shown = json.loads(run("doc", "show", "in-1", "--db", db, "--json").stdout)
        assert (shown["entity_kind"], shown["id"]) == ("incoming_document", "in-1")
        as_clerk = json.loads(run("doc", "show", "in-1", "--db", db, "--by", "li", "--json").stdout)
        assert "may_fire" in as_clerk

    def test_show_an_unknown_id(self, week: Path) -> None:
        """``doc show`` of an id that is not there: exit 3."""
        failed(run("doc", "show", "nope", "--db", week / "office.db"), "not_found", 3)

    def test_list_filters_by_kind_state_and_overdue(self, week: Path) -> None:
        """``--kind``, ``--state`` and ``--overdue --as-of`` narrow the list."""
        db = week / "office.db"

        def listed(*args: str) -> list[dict[str, Any]]:
            result = run("doc", "list", "--db", db, "--json", *args)
            assert result.exit_code == 0, result.stderr
            return list(json.loads(result.stdout))

        items = listed("--kind", "item")
        assert items
        assert {e["entity_kind"] for e in items} == {"supervision_item"}
        assert {e["state"] for e in listed("--kind", "outgoing", "--state", "filed")} == {"filed"}
        overdue = listed("--overdue", "--as-of", "2025-11-05")
        assert overdue
        assert all(e["deadline"] < "2025-11-05" for e in overdue)
        assert listed("--overdue", "--as-of", "2025-11-01") == []

    def test_list_shows_only_what_the_actor_may_see(self, db: Path) -> None:
        """``--by`` an unclassified drafter leaves classified documents out."""
        with Office.open(f"sqlite:///{db}", create=False) as office:
            office.documents.receive(
                by=CLERK, kind="notice", title="密件", sender=SUPERIOR, channel="paper",
                received_at=office.now(), classification="confidential", copy_number="000001",
                secrecy_period_years=5,
            )  # fmt: skip
        everything = json.loads(run("doc", "list", "--db", db, "--json").stdout)
        seen = json.loads(run("doc", "list", "--db", db, "--json", "--by", "liu").stdout)
        assert len(seen) == len(everything) - 1

    @pytest.mark.parametrize(
        ("args", "words"),
        [
            (("--kind", "memo"), "not a kind"),
            (("--overdue", "--as-of", "11/05/2025"), "not a date"),
            (("--as-of", "2025-11-05"), "goes with --overdue"),
        ],
    )
    def test_bad_filters_are_named(self, week: Path, args: tuple[str, ...], words: str) -> None:
        """An unknown kind, a malformed date, an --as-of alone: exit 2."""
        line = failed(run("doc", "list", "--db", week / "office.db", *args), "bad_input", 2)
        assert words in line

    def test_a_missing_office_is_not_created(self, tmp_path: Path) -> None:
        """``--db`` naming no file: ``no_office``, exit 3, and no file appears."""
        line = failed(run("doc", "list", "--db", tmp_path / "typo.db"), "no_office", 3)
        assert "secretarial init" in line
        assert list(tmp_path.iterdir()) == []

    def test_a_directory_is_not_an_office(self, tmp_path: Path) -> None:
        """``--db`` naming a directory: ``bad_file``, exit 2."""
        failed(run("doc", "list", "--db", tmp_path), "bad_file", 2)


# ============================================================================ items, audit
class TestItemsAndAudit:
    def test_items_overdue_counts_the_days_late(self, week: Path) -> None:
        """``items overdue --as-of`` lists open matters past their deadline, days late."""
        db = week / "office.db"
        result = run("items", "overdue", "--db", db, "--as-of", "2025-11-05", "--json")
        assert result.exit_code == 0, result.stderr
        overdue = json.loads(result.stdout)
        assert overdue
        for entity in overdue:
            late = (date(2025, 11, 5) - date.fromisoformat(entity["deadline"])).days
            assert entity["days_overdue"] == late > 0
        table = run("items", "overdue", "--db", db, "--as-of", "2025-11-05")
        assert f"{len(overdue)} overdue on 2025-11-05" in table.stdout
        assert overdue[0]["id"] in table.stdout
        failed(run("items", "overdue", "--db", db, "--as-of", "soon"), "bad_input", 2)

    def test_audit_lists_the_trail(self, week: Path) -> None:
        """``audit`` gives the entity's events, creation first."""
        db = week / "office.db"
        events = json.loads(run("audit", "in-1", "--db", db, "--json").stdout)
        with Office.open(f"sqlite:///{db}", create=False) as office:
            assert len(events) == len(office.audit("in-1"))
        assert (events[0]["trigger"], events[1]["trigger"]) == ("receive", "register")
        assert "receive" in run("audit", "in-1", "--db", db).stdout
        failed(run("audit", "in-999", "--db", db), "not_found", 3)


# ============================================================================ export, diagram
class TestExport:
    @pytest.mark.parametrize("what", ["incoming", "outgoing", "ledger", "catalogue"])
    def test_registers_as_csv_and_json(self, week: Path, what: str) -> None:
        """Each register exports as CSV (Chinese headers) and as JSON."""
        db = week / "office.db"
        csv_text = run("export", what, "--db", db).stdout
        assert not csv_text.startswith("\ufeff")
        document = json.loads(run("export", what, "--db", db, "--format", "json").stdout)
        assert len(csv_text.splitlines()) == len(document["rows"]) + 1
        assert csv_text.split(",")[0] == document["columns"][0]["label"]

    def test_to_a_file_with_a_byte_order_mark(self, week: Path, tmp_path: Path) -> None:
        """``--out`` writes the CSV with a BOM for Excel; English headers on request."""
        out = tmp_path / "ledger.csv"
        result = run(
            "export", "ledger", "--db", week / "office.db", "--out", out, "--headers", "en"
        )
        assert result.exit_code == 0, result.stderr
        assert out.read_text(encoding="utf-8").startswith("\ufeffid,source,requirement")

    def test_the_calendar(self, week: Path) -> None:
        """``export ics`` writes the meetings and open items as iCalendar."""
        text = run("export", "ics", "--db", week / "office.db", "--domain", "example.org").stdout
        assert text.startswith("BEGIN:VCALENDAR")
        assert "@example.org" in text

    @pytest.mark.parametrize(
        ("args", "code"),
        [
            (("ics", "--format", "csv"), "bad_input"),
            (("ledger", "--year", "2025"), "bad_input"),
            (("minutes",), "bad_input"),
            (("ledger", "--format", "xml"), "usage"),
            (("ledger", "--out", "/no/such/dir/x.csv"), "bad_file"),
        ],
    )
    def test_bad_exports(self, week: Path, args: tuple[str, ...], code: str) -> None:
        """Options that do not fit, an unknown register or format, an unwritable file: exit 2."""
        failed(run("export", *args, "--db", week / "office.db"), code, 2)


class TestDiagramAndVerify:
    def test_a_diagram_is_mermaid_text(self) -> None:
        """``diagram outgoing`` prints the state diagram of the outgoing workflow."""
        result = run("diagram", "outgoing")
        assert result.stdout.startswith("stateDiagram-v2")
        assert "rechecked --> registered" in result.stdout
        assert run("diagram", "supervision_item").exit_code == 0
        failed(run("diagram", "coffee"), "bad_input", 2)

    def test_a_diagram_in_dot_or_svg(self, monkeypatch: pytest.MonkeyPatch) -> None:
        dot = run("diagram", "outgoing", "--format", "dot")
        assert dot.stdout.startswith('digraph "outgoing_document" {')
        assert '"rechecked" -> "registered"' in dot.stdout
        failed(run("diagram", "outgoing", "--format", "png"), "bad_input", 2)
        if shutil.which("dot") is not None:
            assert "<svg" in run("diagram", "outgoing", "--format", "svg").stdout
        monkeypatch.setenv("PATH", "")
        failed(run("diagram", "outgoing", "--format", "svg"), "bad_input", 2)

    def test_verify_is_clean_then_finds_tampering(self, db: Path) -> None:
        """``verify`` exits 0 on a clean record and 1 once an event was edited."""
        result = run("verify", "--db", db, "--json")
        assert result.exit_code == 0
        assert json.loads(result.stdout)["ok"] is True
        with sqlite3.connect(db) as connection:
            connection.execute(
                "UPDATE audit_events SET event = replace(event, '李文书', '张文书') "
                "WHERE entity_id = 'in-1'"
            )
        connection.close()
        broken = run("verify", "--db", db)
        assert broken.exit_code == 1
        assert "problems" in broken.stdout


class TestCheckpoints:
    def test_keys_a_checkpoint_and_verify_against_it(self, db: Path) -> None:
        """A key, a checkpoint kept in a file, a verification against it; a rollback found."""
        key, public, kept = db.parent / "k.pem", db.parent / "k.pub", db.parent / "cp.json"
        made = run("keys", "new", key, "--public", public)
        assert made.exit_code == 0, made.stderr
        assert key.stat().st_mode & 0o777 == 0o600
        failed(run("keys", "new", key), "bad_file", 2)  # never overwrites a key
        older = db.read_bytes()
        first = run("checkpoint", "--db", db, "--key", f"file:{key}", "--out", kept)
        assert first.exit_code == 0, first.stderr
        assert Checkpoint.from_json(kept.read_text()).sequence == 1
        checked = run("verify", "--db", db, "--against", kept, "--key", public, "--json")
        assert checked.exit_code == 0, checked.stdout
        assert json.loads(checked.stdout)["warnings"] == []
        (db.parent / "office.db-wal").unlink(missing_ok=True)
        db.write_bytes(older)  # the database put back to the copy taken before
        rolled = run("verify", "--db", db, "--against", kept, "--key", public)
        assert rolled.exit_code == 1
        assert "rolled_back" in rolled.stdout

    def test_bad_keys_and_checkpoint_files(self, db: Path) -> None:
        """No key, a public key to sign with, an unreadable file: exit 2, nothing made."""
        public = db.parent / "k.pub"
        assert run("keys", "new", db.parent / "k.pem", "--public", public).exit_code == 0
        failed(run("checkpoint", "--db", db), "bad_input", 2)
        failed(run("checkpoint", "--db", db, "--key", public), "bad_input", 2)
        failed(run("verify", "--db", db, "--against", db.parent / "none.json"), "bad_file", 2)
        (db.parent / "junk.json").write_text("{}")
        failed(run("verify", "--db", db, "--against", db.parent / "junk.json"), "validation", 2)
        with Office.open(f"sqlite:///{db}", create=False) as office:
            assert office.checkpoints() == []


class TestDebug:
    def test_debug_lets_the_exception_through(self, week: Path) -> None:
        """With ``--debug`` a failure is raised as it is, for its traceback."""
        from secretarial import NotFound  # noqa: PLC0415

        result = run("--debug", "doc", "show", "nope", "--db", week / "office.db")
        assert isinstance(result.exception, NotFound)


class TestCalendar:
    def test_load_show_and_check(self, tmp_path: Path) -> None:
        """A notice loads from a file, shows in ``calendar show`` and checks clean."""
        db = tmp_path / "office.db"
        notice = Path(__file__).parent / "data" / "calendar" / "2027-annual.txt"
        clock = FrozenClock(datetime(2026, 12, 2, 2, tzinfo=UTC))
        with Office.open(f"sqlite:///{db}", clock=clock):
            pass
        shown = run("calendar", "show", "--db", db, "--json")
        assert shown.exit_code == 0, shown.stderr
        assert 2027 in json.loads(shown.stdout)["provisional_years"]
        loaded = run("calendar", "load", notice, "--db", db, "--as", "clerk", "--json")
        assert loaded.exit_code == 0, loaded.stderr
        body = json.loads(loaded.stdout)
        assert (body["year"], body["trigger"]) == (2027, "load")
        assert "2027-01-31" in body["changed_days"]
        shown = run("calendar", "show", "--db", db, "--json")
        assert 2027 not in json.loads(shown.stdout)["provisional_years"]
        assert json.loads(shown.stdout)["loaded"] == [{"year": 2027, "state": "in_force"}]
        checked = run("calendar", "check", "--db", db)
        assert checked.exit_code == 0, checked.stderr
        again = run("calendar", "load", notice, "--db", db, "--as", "clerk")
        assert "reason" in failed(again, "validation", 2)


def test_a_provisional_deadline_is_marked_in_doc_list(tmp_path: Path) -> None:
    db = tmp_path / "office.db"
    clock = FrozenClock(datetime(2026, 12, 2, 2, tzinfo=UTC))
    supervisor = Actor(id="du", name="督查员", roles={Role.SUPERVISOR})
    with Office.open(f"sqlite:///{db}", clock=clock) as office:
        item = office.supervision.open(
            by=supervisor, source="document_instruction", requirement="落实",
            received_at=office.now(),
        )  # fmt: skip
        office.fire(item, "assign", by=supervisor, lead_unit={"code": "AJK", "name": "安监局"})
    listed = runner.invoke(app, ["doc", "list", "--db", str(db)], env={"COLUMNS": "200"})
    assert listed.exit_code == 0, listed.stderr
    assert "2027-01-04 (provisional)" in listed.stdout


# ============================================================================ office verbs
DIRECTOR_JSON = '{"id": "director", "name": "办公室主任", "roles": ["office_director"]}'


class TestVerbs:
    def test_the_proposer_withdraws_the_proposal(self, db: Path, proposed: str) -> None:
        """``doc withdraw``: the director takes the proposal back before the leader acts."""
        result = run("doc", "withdraw", proposed, "--db", db, "--by", DIRECTOR_JSON, "--json")
        assert result.exit_code == 0, result.stderr
        assert json.loads(result.stdout)["state"] == "screened"

    def test_someone_else_may_not_withdraw_it(self, db: Path, proposed: str) -> None:
        before = snapshot(db)
        line = failed(
            run("doc", "withdraw", proposed, "--db", db, "--by", "wang"),
            "transition_not_allowed",
            1,
        )
        assert "WITHDRAW" in line
        assert snapshot(db) == before

    def test_the_leader_returns_the_proposal(self, db: Path, proposed: str) -> None:
        """``doc return --to STATE --reason``: back to the step before, with the reason."""
        result = run(
            "doc", "return", proposed, "--to", "screened", "--reason", "请重拟", "--db", db,
            "--by", "zhao", "--json",
        )  # fmt: skip
        assert result.exit_code == 0, result.stderr
        doc = json.loads(result.stdout)
        assert doc["state"] == "screened"
        assert (doc["holder"]["actor_id"], doc["holder"]["reason"]) == ("director", "请重拟")

    def test_the_director_hands_it_to_a_unit(self, db: Path, proposed: str) -> None:
        """``doc reassign --to-unit CODE:NAME --reason``: 转办."""
        result = run(
            "doc", "reassign", proposed, "--to-unit", "MSK:秘书科", "--reason", "秘书科承办",
            "--db", db, "--by", "wang", "--json",
        )  # fmt: skip
        assert result.exit_code == 0, result.stderr
        assert json.loads(result.stdout)["holder"]["unit"] == {"code": "MSK", "name": "秘书科"}

    def test_a_reassignment_without_a_reason_changes_nothing(self, db: Path, proposed: str) -> None:
        before = snapshot(db)
        result = run("doc", "reassign", proposed, "--to-actor", "li", "--db", db, "--by", "wang")
        assert result.exit_code == 2  # --reason is required
        assert snapshot(db) == before


# ============================================================================ people
class TestPeople:
    def test_enrol_and_list(self, db: Path) -> None:
        """``people enrol`` puts a person in the directory; ``people list`` shows them."""
        result = run(
            "people", "enrol", "wu", "--name", "吴联络员", "--unit", "CWK:财务科",
            "--acts-for", "FGK", "--role", "undertaker", "--db", db, "--by", "wang", "--json",
        )  # fmt: skip
        assert result.exit_code == 0, result.stderr
        person = json.loads(result.stdout)
        assert (person["actor_id"], person["acts_for"]) == ("wu", ["FGK"])
        listed = run("people", "list", "--unit", "CWK", "--db", db, "--json")
        assert [p["actor_id"] for p in json.loads(listed.stdout)] == ["wu"]

    def test_a_delegate_approves_on_behalf_of_the_leader(self, db: Path, proposed: str) -> None:
        """``people delegate`` then ``doc fire --on-behalf-of``: the audit names both."""
        result = run(
            "people", "delegate", "--to", "li", "--role", "leader", "--days", "3",
            "--trigger", "approve", "--db", db, "--by", "zhao", "--json",
        )  # fmt: skip
        assert result.exit_code == 0, result.stderr
        data = '{"instruction": "请综合科办理", "deadline": "2099-12-31", "chaser": "li"}'
        fired = run(
            "doc", "fire", proposed, "approve", "--by", "li", "--on-behalf-of", "zhao",
            "--data", data, "--db", db, "--json",
        )  # fmt: skip
        assert fired.exit_code == 0, fired.stderr
        assert json.loads(fired.stdout)["state"] == "approved"
        with Office.open(f"sqlite:///{db}", create=False) as office:
            event = office.audit(proposed)[-1]
            assert (event.actor.id, event.on_behalf_of) == ("li", "zhao")

    def test_a_revoked_delegation_is_refused_with_its_rule(self, db: Path, proposed: str) -> None:
        made = run(
            "people", "delegate", "--to", "li", "--role", "leader", "--db", db, "--by", "zhao",
            "--json",
        )  # fmt: skip
        delegation = json.loads(made.stdout)["id"]
        revoked = run(
            "people", "revoke", delegation, "--reason", "已返岗", "--db", db, "--by", "zhao"
        )
        assert revoked.exit_code == 0, revoked.stderr
        before = snapshot(db)
        args = ["doc", "fire", proposed, "approve", "--by", "li", "--on-behalf-of", "zhao"]
        line = failed(
            run(*args, "--data", '{"instruction": "请办理"}', "--db", db),
            "transition_not_allowed",
            1,
        )
        assert "G1" in line
        assert snapshot(db) == before


def test_an_export_writes_a_formula_as_text_unless_told(db: Path) -> None:
    """``export`` neutralises spreadsheet formulas; ``--keep-formulas`` writes them as is."""
    with Office.open(f"sqlite:///{db}", create=False) as office:
        office.documents.receive(
            by=CLERK,
            kind="notice",
            title='=HYPERLINK("http://x","点击")',
            sender=SUPERIOR,
            channel="paper",
            received_at=office.now(),
        )
    safe = run("export", "incoming", "--db", db, "--headers", "en").stdout
    assert "'=HYPERLINK" in safe
    kept = run("export", "incoming", "--db", db, "--headers", "en", "--keep-formulas").stdout
    assert "'=HYPERLINK" not in kept
    assert '"=HYPERLINK' in kept
