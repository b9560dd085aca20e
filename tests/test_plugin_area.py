"""A whole kind added by a plugin: letters and visits (信访), from examples/letters_plugin.

The plugin is installed the way pip installs it, as a distribution with an entry point in
the ``secretarial`` group, and the library is not told about it otherwise: every office
made while it is installed runs the kind on every store, and the kind shows wherever a
built-in one does (create, fire, list, audit, verify, brief, registers, the command line).
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from conftest import CLERK, DIRECTOR, START, UNDERTAKER, UNIT_A, url_for
from secretarial import (
    Area,
    Entity,
    Office,
    Registry,
    TransitionNotAllowed,
    UsageError,
    WorkflowDefinitionError,
    builtin_registry,
)
from secretarial.cli import app
from secretarial.testing import FrozenClock, SequentialIds

ROOT = Path(__file__).resolve().parent.parent
PLUGIN_SOURCE = ROOT / "examples" / "letters_plugin" / "src"


@pytest.fixture
def installed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The example package on the path with its entry point, as ``pip install`` leaves it."""
    site = tmp_path / "site"
    info = site / "secretarial_letters-0.1.0.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: secretarial-letters\nVersion: 0.1.0\n", encoding="utf-8"
    )
    (info / "entry_points.txt").write_text(
        "[secretarial]\nletters = secretarial_letters:plugin\n", encoding="utf-8"
    )
    monkeypatch.syspath_prepend(str(site))
    monkeypatch.syspath_prepend(str(PLUGIN_SOURCE))
    yield
    for name in [m for m in sys.modules if m.startswith("secretarial_letters")]:
        del sys.modules[name]


def letter_fields(**changes: object) -> dict[str, object]:
    fields: dict[str, object] = {
        "petitioner": "张三",
        "channel": "visit",
        "matter": "小区供暖不达标，请求协调解决",
        "received_on": START.date(),
    }
    return fields | changes


@pytest.mark.parametrize("store", ["memory", "sqlite", "postgres"])
def test_an_installed_plugin_kind_runs_through_the_office(
    installed: None, store: str, tmp_path: Path
) -> None:
    """Created, fired, listed, audited, verified, in the brief and its register; reopened."""
    url = url_for(store, tmp_path)
    clock = FrozenClock(START)
    with Office.open(url, clock=clock, ids=SequentialIds()) as office:
        assert "letter" in office.registry
        letter = office.create("letter", by=CLERK, **letter_fields())
        assert letter.id.startswith("xf-")
        assert (letter.entity_kind, letter.state) == ("letter", "registered")
        waiting = office.brief(CLERK).section("waiting")
        assert waiting is not None
        assert letter.id in [item.entity_id for item in waiting.items]

        clock.advance(timedelta(days=3))
        letter = office.fire(letter, "accept", handling_unit=UNIT_A, by=CLERK)
        assert letter.deadline == clock.now().date() + timedelta(days=60)
        letter = office.fire(
            letter, "extend", days=20, by=DIRECTOR, reason="需会同住建部门现场核查"
        )
        with pytest.raises(TransitionNotAllowed) as refused:
            office.fire(letter, "extend", days=5, by=DIRECTOR, reason="再次延期")
        assert refused.value.rule_code == "L3"
        letter = office.fire(letter, "answer", answer="已协调供热公司整改", by=UNDERTAKER)
        letter_id = letter.id
        other = office.create("letter", by=CLERK, **letter_fields(petitioner="李四"))

        assert [e.id for e in office.list(kind="letter")] == [letter_id, other.id]
        assert [e.trigger for e in office.audit(letter_id)] == [
            "register",
            "accept",
            "extend",
            "answer",
        ]
        assert office.verify_audit().ok
        assert office.replay(letter_id) == office.get(letter_id)

        register = office.register("letters")
        assert register.title == "信访登记簿"
        assert [r["state"] for r in register.records()] == ["答复", "登记"]
        assert len(office.register("letters", year=START.year - 1)) == 0

    if store == "memory":
        return  # nothing to reopen
    with Office.open(url, clock=clock, create=False) as again:
        stored = again.get(letter_id)
        assert type(stored).__name__ == "Letter"
        assert stored.state == "answered"
        assert again.verify_audit().ok


def test_the_kind_has_its_own_rules(installed: None) -> None:
    """L1: whether a matter is accepted is decided within 15 days of its receipt."""
    clock = FrozenClock(START)
    office = Office.in_memory(clock=clock, ids=SequentialIds())
    letter = office.create("letter", by=CLERK, **letter_fields())
    clock.advance(timedelta(days=16))
    with pytest.raises(TransitionNotAllowed) as refused:
        office.fire(letter, "accept", handling_unit=UNIT_A, by=CLERK)
    assert refused.value.rule_code == "L1"
    assert office.get(letter.id).version == 1
    assert len(office.audit(letter.id)) == 1


def test_a_matter_is_declined_with_a_reason_or_sent_on(installed: None) -> None:
    """Declining needs a reason; a matter for another organ is transferred (转送)."""
    clock = FrozenClock(START)
    office = Office.in_memory(clock=clock, ids=SequentialIds())
    first = office.create("letter", by=CLERK, **letter_fields())
    with pytest.raises(TransitionNotAllowed) as refused:
        office.fire(first, "decline", by=CLERK)
    assert (refused.value.rule_code, office.get(first.id).version) == ("L1", 1)
    declined = office.fire(first, "decline", by=CLERK, reason="已经司法程序处理")
    assert (declined.state, declined.is_open) == ("declined", False)
    second = office.create("letter", by=CLERK, **letter_fields(petitioner="王五"))
    sent = office.fire(second, "transfer", to="市住房和城乡建设委员会", by=CLERK)
    assert (sent.state, sent.transferred_to) == ("transferred", "市住房和城乡建设委员会")


def test_the_command_line_names_the_kind_and_exports_its_register(
    installed: None, tmp_path: Path
) -> None:
    """``doc fire``, ``doc list --kind letter``, ``export letters``, ``diagram letters``."""
    db = tmp_path / "office.db"
    with Office.open(f"sqlite:///{db}", ids=SequentialIds()) as office:
        letter = office.create("letter", by=CLERK, **letter_fields(received_on=office.today()))
    runner = CliRunner()
    unit = json.dumps({"handling_unit": UNIT_A}, ensure_ascii=False)
    fired = runner.invoke(
        app, ["doc", "fire", letter.id, "accept", "--data", unit, "--as", "clerk", "--db", str(db)]
    )
    assert fired.exit_code == 0, fired.stderr
    listed = runner.invoke(app, ["doc", "list", "--kind", "letter", "--db", str(db), "--json"])
    assert listed.exit_code == 0, listed.stderr
    assert [(e["entity_kind"], e["state"]) for e in json.loads(listed.stdout)] == [
        ("letter", "accepted")
    ]
    exported = runner.invoke(app, ["export", "letters", "--db", str(db), "--format", "json"])
    assert exported.exit_code == 0, exported.stderr
    assert json.loads(exported.stdout)["title"] == "信访登记簿"
    diagram = runner.invoke(app, ["diagram", "letters"])
    assert diagram.exit_code == 0, diagram.stderr
    assert "registered --> accepted" in diagram.stdout


def test_without_the_plugin_the_kind_is_unknown_and_its_entities_unreadable(
    installed: None, tmp_path: Path
) -> None:
    """An office opened without the plugin says which kind it lacks, never guesses."""
    url = f"sqlite:///{tmp_path / 'office.db'}"
    with Office.open(url, clock=FrozenClock(START), ids=SequentialIds()) as office:
        letter_id = office.create("letter", by=CLERK, **letter_fields()).id
    with Office.open(url, create=False, load_entry_points=False) as bare:
        with pytest.raises(UsageError, match="unknown entity kind 'letter'"):
            bare.create("letter", by=CLERK, **letter_fields())
        with pytest.raises(Exception, match="no area this office runs defines"):
            bare.get(letter_id)


def test_a_host_adds_an_area_in_code(installed: None) -> None:
    """``Office(areas=[...])`` runs a kind without any entry point."""
    from secretarial_letters import LETTERS_AREA  # noqa: PLC0415 -- on the path only here

    office = Office.in_memory(areas=[LETTERS_AREA], load_entry_points=False)
    assert office.registry.kind("letters") == "letter"
    assert office.create("letter", by=CLERK, **letter_fields()).state == "registered"


def test_clashing_or_broken_areas_are_refused_when_built(installed: None) -> None:
    """A kind, prefix or name taken twice, or a record that does not hang together."""
    from secretarial_letters import LETTERS_AREA, LetterKind  # noqa: PLC0415

    with pytest.raises(WorkflowDefinitionError, match="is taken"):
        builtin_registry().with_areas(LETTERS_AREA, LETTERS_AREA)
    with pytest.raises(WorkflowDefinitionError, match="id prefix 'in' is taken"):
        Registry([*builtin_registry(), _renamed(LETTERS_AREA, id_prefix="in")])
    with pytest.raises(WorkflowDefinitionError, match="is taken"):
        Office.in_memory(areas=[LETTERS_AREA])  # the entry point adds it again
    with pytest.raises(WorkflowDefinitionError, match="entity_kind"):
        Area(
            kind=LetterKind.LETTER,
            entity_type=builtin_registry().entity_type("meeting"),
            table=LETTERS_AREA.table,
            id_prefix="xf",
        )
    with pytest.raises(WorkflowDefinitionError, match="not accepted"):
        _renamed(LETTERS_AREA, id_prefix="信访")


def test_a_plugin_that_returns_no_area_is_named() -> None:
    """Something other than an area is refused with the plugin's name."""
    from secretarial.plugins import hookimpl  # noqa: PLC0415

    class Wrong:
        @hookimpl
        def secretarial_areas(self) -> object:
            return ["letter"]

    with pytest.raises(WorkflowDefinitionError, match="not an Area"):
        Office.in_memory(plugins=[Wrong()], load_entry_points=False)


def _renamed(area: Area, **changes: object) -> Area:
    from dataclasses import replace  # noqa: PLC0415

    return replace(area, **changes)  # type: ignore[arg-type]


def test_unknown_kinds_are_named_with_what_is_accepted() -> None:
    """A kind the office does not run is an error listing the kinds it does."""
    office = Office.in_memory(load_entry_points=False)
    with pytest.raises(UsageError, match="this office runs: incoming_document"):
        office.create("letter", by=CLERK)
    with pytest.raises(UsageError, match="this office keeps: incoming, outgoing"):
        office.register("letters")
    assert office.registry.entity_type("meeting").__name__ == "Meeting"
    assert issubclass(office.registry.entity_type("record"), Entity)
    assert office.registry.kind("item") == "supervision_item"
