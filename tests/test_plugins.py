"""Plugins: the hook specifications, entry-point discovery and each hook's effect on an office.

The example plugin package (``examples/plugin_example``) is installed by pip, with its
entry point, into a directory of its own once per test session; the tests that use it
put that directory on ``sys.path`` for their own duration only, so the rest of the suite
runs without it (an installed plugin changes every office made while it is installed).
"""

from __future__ import annotations

import importlib
import inspect
import json
import logging
import shutil
import subprocess
import sys
from collections.abc import Iterator, Mapping
from datetime import date, datetime, time
from importlib.metadata import PackageNotFoundError, entry_points, version
from importlib.util import find_spec
from pathlib import Path
from types import MappingProxyType, ModuleType
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from conftest import (
    CLERK,
    DIRECTOR,
    LEADER,
    START,
    STORES,
    SUPERIOR,
    SUPERVISOR,
    UNDERTAKER,
    UNIT_A,
)
from secretarial import (
    Actor,
    AuditEvent,
    DueReminder,
    Entity,
    EntityKind,
    HmacKey,
    IncomingDocument,
    IncomingState,
    KeyRecord,
    Office,
    PluginError,
    TableCalendar,
    TransitionNotAllowed,
    TransitionSpec,
    UsageError,
    WorkflowDefinitionError,
    WorkflowTable,
    workflow_for,
)
from secretarial.engine import DefaultNumbering
from secretarial.plugins import BriefSection, PluginFailure, Plugins, PluginSink, hookimpl
from secretarial.plugins import _hookspecs as hookspecs
from secretarial.testing import FrozenClock, SequentialIds

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "plugin_example"
BEIJING = ZoneInfo("Asia/Shanghai")
TEST_TITLE = "关于测试公文系统的通知"
TITLE = "关于开展安全检查的通知"


# ---------------------------------------------------------------------------- helpers
def make_office(*plugins: object, store_url: str = "memory://", **options: Any) -> Office:
    """An office on a frozen clock running ``plugins`` (and no installed ones, by default)."""
    options.setdefault("load_entry_points", False)
    return Office.open(
        store_url, clock=FrozenClock(START), ids=SequentialIds(), plugins=plugins, **options
    )


def receive(office: Office, title: str = TITLE) -> IncomingDocument:
    return office.documents.receive(
        by=CLERK,
        kind="notice",
        title=title,
        sender=SUPERIOR,
        channel="paper",
        received_at=office.now(),
    )


def proposed(office: Office, title: str = TITLE) -> Entity:
    """An incoming document registered, screened and proposed for handling by 综合科."""
    doc = office.fire(receive(office, title), "register", by=CLERK)
    doc = office.fire(doc, "screen", by=CLERK)
    return office.fire(doc, "propose", by=DIRECTOR, handling_type="for_handling", lead_unit=UNIT_A)


def approve(office: Office, doc: Entity) -> Entity:
    return office.fire(doc, "approve", by=LEADER, instruction="请办理")


class Refuse:
    """Refuses one trigger while ``active``; records what it was asked."""

    def __init__(self, trigger: str, reason: str = "not today") -> None:
        self.trigger = trigger
        self.reason = reason
        self.active = True
        self.asked: list[dict[str, Any]] = []

    @hookimpl
    def secretarial_veto_transition(
        self,
        entity: Entity,
        trigger: str,
        actor: Actor,
        data: Mapping[str, Any] | None,
        now: datetime,
    ) -> str | None:
        self.asked.append(
            {"entity": entity, "trigger": trigger, "actor": actor, "data": data, "now": now}
        )
        return self.reason if self.active and trigger == self.trigger else None


class Recorder:
    """Records every committed change it is told of."""

    def __init__(self) -> None:
        self.seen: list[tuple[AuditEvent, Entity]] = []

    @hookimpl
    def secretarial_after_commit(self, event: AuditEvent, entity: Entity) -> None:
        self.seen.append((event, entity))


class Explodes:
    """Raises whenever it is told of a committed change."""

    @hookimpl
    def secretarial_after_commit(self, event: AuditEvent) -> None:
        raise RuntimeError(f"cannot react to {event.trigger}")


class MailServerDown:
    """Raises whenever it is asked to deliver a reminder."""

    @hookimpl
    def secretarial_deliver_reminder(self, reminder: DueReminder) -> None:
        raise ConnectionError(f"mail server down for {reminder.entity_id}")


# ---------------------------------------------------------------------------- the example package
def _builds_offline() -> bool:
    """Whether this environment can build the example without downloading a build backend."""
    try:
        installed = tuple(int(part) for part in version("setuptools").split(".")[:2])
    except (PackageNotFoundError, ValueError):
        return False
    return installed >= (70, 1) or (installed >= (64, 0) and find_spec("wheel") is not None)


@pytest.fixture(scope="session")
def example_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A directory the example plugin package was pip-installed into, entry point included."""
    work = tmp_path_factory.mktemp("example-plugin")
    source = work / "source"  # a build writes build/ and *.egg-info next to the sources
    shutil.copytree(
        EXAMPLE, source, ignore=shutil.ignore_patterns("build", "*.egg-info", "__pycache__")
    )
    target = work / "site"
    command = [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps"]
    command += ["--disable-pip-version-check", "--target", str(target)]
    if _builds_offline():
        command += ["--no-build-isolation", "--no-index"]
    result = subprocess.run(  # noqa: S603 -- our own interpreter installing our own example
        [*command, str(source)], capture_output=True, text=True, check=False, timeout=600
    )
    assert result.returncode == 0, result.stderr
    return target


@pytest.fixture
def example(example_site: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """The example plugin, installed for this test only; its counts start at zero."""
    monkeypatch.syspath_prepend(str(example_site))
    module = importlib.import_module("secretarial_example_plugin")
    module.plugin.counts.clear()
    yield module.plugin
    module.plugin.counts.clear()


# ---------------------------------------------------------------------------- the public front
class TestThePublicFront:
    """One module of hook specifications and one public package to implement them with."""

    def test_all_is_sorted_and_complete(self) -> None:
        """``secretarial.plugins.__all__`` lists exactly its public names, sorted."""
        plugins = importlib.import_module("secretarial.plugins")
        public = {
            name
            for name, value in vars(plugins).items()
            if not name.startswith("_") and not inspect.ismodule(value)
        }
        constants_classes_functions = sorted(
            plugins.__all__, key=lambda n: (not n.isupper(), not n[0].isupper(), n)
        )
        assert plugins.__all__ == constants_classes_functions
        assert set(plugins.__all__) == public

    def test_public_classes_report_the_public_module(self) -> None:
        """Tracebacks and docs show ``secretarial.plugins.X``, never a private module."""
        for cls in (BriefSection, PluginFailure, Plugins, PluginSink):
            assert cls.__module__ == "secretarial.plugins"

    def test_every_hook_is_specified_with_a_docstring_and_the_project_marker(self) -> None:
        """The eleven hooks are docstring-only specifications prefixed ``secretarial_``."""
        specs = {
            name: function
            for name, function in vars(hookspecs).items()
            if name.startswith("secretarial_") and inspect.isfunction(function)
        }
        assert set(specs) == {
            "secretarial_veto_transition",
            "secretarial_after_commit",
            "secretarial_number_format",
            "secretarial_work_calendar",
            "secretarial_directory",
            "secretarial_checkpoint_key",
            "secretarial_extend_workflow",
            "secretarial_areas",
            "secretarial_deliver_reminder",
            "secretarial_brief_sections",
            "secretarial_outbox_events",
        }
        firstresult = {n for n, f in specs.items() if f.secretarial_spec["firstresult"]}
        assert firstresult == {
            "secretarial_veto_transition",
            "secretarial_number_format",
            "secretarial_work_calendar",
            "secretarial_directory",
            "secretarial_checkpoint_key",
        }
        for function in specs.values():
            assert inspect.getdoc(function)
            assert function(*[None] * len(inspect.signature(function).parameters)) is None

    def test_an_office_without_plugins_imports_no_pluggy(self) -> None:
        """The core works with no plugin: making and using an office leaves pluggy unloaded."""
        code = (
            "import sys\n"
            "from secretarial import Actor, Office\n"
            "office = Office.in_memory()\n"
            "clerk = Actor(id='c', name='C', roles={'clerk'})\n"
            "doc = office.documents.receive(by=clerk, kind='notice', title='t', channel='paper',\n"
            "    sender={'code': 'SZF', 'name': '市政府办公室', 'relation': 'superior'},\n"
            "    received_at=office.now())\n"
            "office.fire(doc, 'register', by=clerk)\n"
            "print(office.plugins, 'pluggy' in sys.modules)\n"
        )
        out = subprocess.run(  # noqa: S603 -- our own interpreter running a literal
            [sys.executable, "-c", code], capture_output=True, text=True, check=True
        ).stdout
        assert out.split() == ["None", "False"]


# ---------------------------------------------------------------------------- entry points
class TestTheInstalledExamplePlugin:
    """The example package, installed by pip, is found through its entry point and takes effect."""

    def test_it_is_found_through_the_entry_point_group(self, example: Any) -> None:
        """Its entry point is in the ``secretarial`` group and the office registers it by name."""
        assert "example" in {ep.name for ep in entry_points(group="secretarial")}
        office = make_office(load_entry_points=True)
        assert office.plugins is not None
        assert office.plugins.names == ("example",)
        assert office.plugins.manager.get_plugin("example") is example
        (distribution,) = [d for _, d in office.plugins.manager.list_plugin_distinfo()]
        assert distribution.project_name == "secretarial-example-plugin"

    @pytest.mark.usefixtures("example")
    def test_its_veto_refuses_to_approve_a_test_document(self) -> None:
        """批办 of a document titled 测试 is refused by rule PLUGIN, naming the plugin."""
        office = make_office(load_entry_points=True)
        doc = proposed(office, TEST_TITLE)
        with pytest.raises(TransitionNotAllowed) as refused:
            approve(office, doc)
        assert refused.value.rule_code == "PLUGIN"
        assert "'example'" in refused.value.reason
        assert "测试" in refused.value.reason
        assert office.get(doc.id) == doc
        assert approve(office, proposed(office)).state is IncomingState.APPROVED

    def test_its_reaction_counts_the_committed_changes(self, example: Any) -> None:
        """It is told of every committed change, and of no refused one."""
        office = make_office(load_entry_points=True)
        doc = proposed(office, TEST_TITLE)
        with pytest.raises(TransitionNotAllowed):
            approve(office, doc)
        assert dict(example.counts) == {"receive": 1, "register": 1, "screen": 1, "propose": 1}

    @pytest.mark.usefixtures("example")
    def test_its_number_format_writes_registration_numbers(self) -> None:
        """Registration numbers come out as ``收文2025-00001``, from the office's counter."""
        office = make_office(load_entry_points=True)
        first = office.fire(receive(office), "register", by=CLERK)
        second = office.fire(receive(office), "register", by=CLERK)
        assert isinstance(first, IncomingDocument)
        assert isinstance(second, IncomingDocument)
        assert (first.registration_number, second.registration_number) == (
            "收文2025-00001",
            "收文2025-00002",
        )
        assert office.store.counters() == {("incoming", "2025"): 2}  # type: ignore[attr-defined]

    def test_an_office_may_leave_installed_plugins_out(self, example: Any) -> None:
        """With ``load_entry_points=False`` nothing installed runs."""
        office = make_office(load_entry_points=False)
        assert office.plugins is None
        doc = office.fire(receive(office, TEST_TITLE), "register", by=CLERK)
        assert isinstance(doc, IncomingDocument)
        assert doc.registration_number == "2025-0001"
        assert not example.counts


# ---------------------------------------------------------------------------- veto
class TestVeto:
    """A plugin may refuse a change before it is written; then nothing changes."""

    @pytest.mark.parametrize("store_url", STORES, indirect=True)
    def test_a_veto_changes_nothing(self, store_url: str) -> None:
        """Entity, audit trail and counters stay as they were; the number is not used up."""
        guard = Refuse("register", "登记暂停")
        office = make_office(guard, store_url=store_url)
        doc = receive(office)
        counters = office.store.counters()  # type: ignore[attr-defined]
        with pytest.raises(TransitionNotAllowed) as refused:
            office.fire(doc, "register", by=CLERK)
        error = refused.value
        assert (error.entity_id, error.state, error.trigger) == (doc.id, "received", "register")
        assert error.rule_code == "PLUGIN"
        assert error.reason == "plugin 'Refuse' refuses: 登记暂停"
        assert office.get(doc.id) == doc
        assert [e.trigger for e in office.audit(doc)] == ["receive"]
        assert office.store.counters() == counters  # type: ignore[attr-defined]
        guard.active = False
        registered = office.fire(doc, "register", by=CLERK)
        assert isinstance(registered, IncomingDocument)
        assert registered.registration_number == "2025-0001"
        office.close()

    def test_a_creation_can_be_vetoed(self) -> None:
        """A refused creation stores nothing."""
        office = make_office(Refuse("receive"))
        with pytest.raises(TransitionNotAllowed) as refused:
            receive(office)
        assert refused.value.state == "(new)"
        assert refused.value.rule_code == "PLUGIN"
        assert office.list() == []

    def test_a_veto_covers_every_path_that_writes(self) -> None:
        """A bulk import is refused like a single receipt: its batch stores nothing."""
        office = make_office(Refuse("receive"))
        line = {
            "kind": "notice",
            "title": TITLE,
            "sender": SUPERIOR,
            "channel": "paper",
            "received_at": START.isoformat(),
        }
        with pytest.raises(TransitionNotAllowed):
            office.documents.import_jsonl([json.dumps(line, ensure_ascii=False)], by=CLERK)
        assert office.list() == []
        assert office.store.counters() == {}  # type: ignore[attr-defined]

    def test_can_fire_and_available_triggers_ask_the_plugins(self) -> None:
        """What a plugin refuses is neither possible nor offered; the rest still is."""
        office = make_office(Refuse("screen"))
        doc = office.fire(receive(office), "register", by=CLERK)
        assert not office.can_fire(doc, "screen", by=CLERK)
        assert office.can_fire(doc, "return_to_sender", by=CLERK, reason="错送")
        assert "screen" not in office.available_triggers(doc, by=CLERK)
        assert "return_to_sender" in office.available_triggers(doc, by=CLERK)

    def test_a_veto_sees_immutable_values_and_the_validated_input(self) -> None:
        """The entity before the change, the actor, the time and a read-only input."""
        guard = Refuse("never")
        office = make_office(guard)
        doc = proposed(office)
        guard.asked.clear()
        approve(office, doc)
        (asked,) = guard.asked
        assert asked["entity"] == doc
        assert asked["trigger"] == "approve"
        assert asked["actor"] == LEADER
        assert asked["now"] == office.now()
        data = asked["data"]
        assert isinstance(data, MappingProxyType)
        assert data["instruction"] == "请办理"
        with pytest.raises(TypeError):
            data["instruction"] = "改"  # type: ignore[index]

    def test_the_first_refusal_decides_and_later_plugins_are_asked_first(self) -> None:
        """Plugins are asked in reverse registration order; the first refusal is reported."""
        first, second = Refuse("register", "first"), Refuse("register", "second")
        office = make_office(first, second)
        doc = receive(office)
        with pytest.raises(TransitionNotAllowed) as refused:
            office.fire(doc, "register", by=CLERK)
        assert refused.value.reason == "plugin 'Refuse#2' refuses: second"
        assert [a["trigger"] for a in first.asked] == ["receive"]

    def test_a_veto_that_raises_refuses_and_is_recorded(self) -> None:
        """A broken veto fails closed: the change is refused and the failure recorded."""

        class Broken:
            @hookimpl
            def secretarial_veto_transition(self, trigger: str) -> str | None:
                if trigger == "register":
                    raise KeyError(trigger)
                return None

        office = make_office(Broken())
        doc = receive(office)
        with pytest.raises(TransitionNotAllowed) as refused:
            office.fire(doc, "register", by=CLERK)
        assert refused.value.rule_code == "PLUGIN"
        assert "KeyError" in refused.value.reason
        (failure,) = office.plugin_failures
        assert (failure.plugin, failure.hook) == ("Broken", "secretarial_veto_transition")
        assert office.get(doc.id) == doc


# ---------------------------------------------------------------------------- after commit
class TestAfterCommit:
    """Plugins are told of every committed change; their failures never undo one."""

    def test_each_committed_change_is_reported_in_order(self) -> None:
        """Every audit event, with the entity as committed, after its commit."""
        recorder = Recorder()
        office = make_office(recorder)
        doc = office.fire(receive(office), "register", by=CLERK)
        assert [(e.trigger, e.version) for e, _ in recorder.seen] == [
            ("receive", 1),
            ("register", 2),
        ]
        assert recorder.seen[-1][1] == doc
        assert [e for e, _ in recorder.seen] == list(office.audit(doc))

    def test_a_plugin_cannot_change_the_recorded_event(self) -> None:
        """The payload a plugin receives is its own copy."""
        recorder = Recorder()
        office = make_office(recorder)
        doc = office.fire(receive(office), "register", by=CLERK)
        recorder.seen[-1][0].payload["registration_number"] = "假"
        assert office.audit(doc)[-1].payload["registration_number"] == "2025-0001"
        assert office.verify_audit().ok

    def test_refused_changes_are_not_reported(self) -> None:
        """A change refused by a rule or a veto never reaches the plugins."""
        recorder = Recorder()
        office = make_office(recorder, Refuse("screen"))
        doc = office.fire(receive(office), "register", by=CLERK)
        with pytest.raises(TransitionNotAllowed):
            office.fire(doc, "screen", by=CLERK)
        with pytest.raises(TransitionNotAllowed):
            office.fire(doc, "approve", by=LEADER, instruction="请办理")
        assert [e.trigger for e, _ in recorder.seen] == ["receive", "register"]

    def test_a_failing_plugin_is_isolated_logged_and_reported(
        self, caplog: pytest.LogCaptureFixture
    ) -> None:
        """The change stays, the other plugins still run, the failure is logged and listed."""
        recorder = Recorder()
        office = make_office(recorder, Explodes())  # Explodes is called first
        with caplog.at_level(logging.ERROR, logger="secretarial.plugins"):
            doc = office.fire(receive(office), "register", by=CLERK)
        assert office.get(doc.id).state is IncomingState.REGISTERED
        assert [e.trigger for e, _ in recorder.seen] == ["receive", "register"]
        assert [f.subject for f in office.plugin_failures] == [
            f"incoming_document {doc.id} v1 receive",
            f"incoming_document {doc.id} v2 register",
        ]
        failure = office.plugin_failures[-1]
        assert failure == PluginFailure(
            plugin="Explodes",
            hook="secretarial_after_commit",
            subject=f"incoming_document {doc.id} v2 register",
            error="RuntimeError: cannot react to register",
        )
        assert str(failure) in caplog.messages
        assert caplog.records[-1].exc_info is not None

    def test_the_wrapper_returns_the_failures_of_one_change(self) -> None:
        """``Plugins.after_commit`` reports what failed for the change it was given."""
        office = make_office(Recorder())
        doc = receive(office)
        (event,) = office.audit(doc)
        plugins = Plugins([Explodes(), Recorder()], load_entry_points=False)
        (failure,) = plugins.after_commit(event, doc)
        assert failure.plugin == "Explodes"
        assert plugins.failures == (failure,)


# ---------------------------------------------------------------------------- numbers
class Numbered:
    """Writes registration numbers its own way."""

    @hookimpl
    def secretarial_number_format(self, series: str, sequence: int) -> str | None:
        return f"收-{sequence}" if series == "incoming" else None


class TestNumberFormat:
    """A plugin may write numbers; the office's counter and policy stay in charge otherwise."""

    def test_a_plugin_writes_the_number_from_the_office_counter(self) -> None:
        """The written form is the plugin's; the counter is the office's."""
        office = make_office(Numbered())
        doc = receive(office)
        assert office.can_fire(doc, "register", by=CLERK)
        registered = office.fire(doc, "register", by=CLERK)
        assert isinstance(registered, IncomingDocument)
        assert registered.registration_number == "收-1"
        assert office.store.counters() == {("incoming", "2025"): 1}  # type: ignore[attr-defined]

    def test_numbers_no_plugin_writes_are_left_to_the_policy(self) -> None:
        """The plugin numbering asks the base policy for keys and unwritten numbers."""
        plugins = Plugins([Numbered()], load_entry_points=False)
        numbering = plugins.numbering(DefaultNumbering())
        office = make_office()
        doc = receive(office)
        now = office.now()
        assert numbering.sequence_key("incoming", doc, now) == "2025"
        assert numbering.format("incoming", doc, now, 7) == "收-7"
        assert numbering.format("other", doc, now, 7) == "2025-0007"


class NumbersBadly:
    """Raises where a number is written."""

    @hookimpl
    def secretarial_number_format(self, sequence: int) -> str:
        raise KeyError(sequence)


class CalendarBadly:
    @hookimpl
    def secretarial_work_calendar(self) -> TableCalendar:
        raise OSError("the calendar service is down")


class TestPluginErrors:
    """A hook the office needs an answer from fails as a PluginError naming the plugin."""

    def test_a_number_format_that_raises_is_a_plugin_error_and_nothing_is_numbered(
        self,
    ) -> None:
        office = make_office(NumbersBadly())
        doc = receive(office)
        with pytest.raises(PluginError) as info:
            office.fire(doc, "register", by=CLERK)
        error = info.value
        assert (error.plugin, error.hook) == ("NumbersBadly", "secretarial_number_format")
        assert error.error == "KeyError: 1"
        assert isinstance(error.__cause__, KeyError)
        assert "'NumbersBadly'" in str(error)
        assert office.get(doc.id) == doc
        assert len(office.audit(doc)) == 1
        assert office.store.counters() == {}  # type: ignore[attr-defined]

    def test_a_calendar_that_raises_is_a_plugin_error(self) -> None:
        office = make_office(CalendarBadly())
        with pytest.raises(PluginError, match=r"CalendarBadly.*OSError: the calendar service"):
            _ = office.calendar


class KeyService:
    """Signs through a key service: the office sees the key's record, never its secret."""

    def __init__(self) -> None:
        self._key = HmacKey(b"held by the key service, not the office")
        self.signed = 0

    @property
    def record(self) -> KeyRecord:
        return self._key.record

    def sign(self, message: bytes) -> bytes:
        self.signed += 1
        return self._key.sign(message)

    def verify(self, message: bytes, signature: bytes) -> bool:
        return self._key.verify(message, signature)


class Kms:
    def __init__(self) -> None:
        self.service = KeyService()

    @hookimpl
    def secretarial_checkpoint_key(self) -> KeyService:
        return self.service


class NotAKey:
    @hookimpl
    def secretarial_checkpoint_key(self) -> str:
        return "secret"


class TestCheckpointKey:
    def test_a_key_service_signs_the_checkpoints(self) -> None:
        kms = Kms()
        office = make_office(kms)
        receive(office)
        checkpoint = office.checkpoint()
        assert kms.service.signed == 1
        assert checkpoint.key == kms.service.record
        assert office.verify_audit(against=checkpoint).ok

    def test_a_key_given_to_the_office_wins(self) -> None:
        kms = Kms()
        own = HmacKey(b"the office's own key, given in code")
        office = make_office(kms, checkpoint_key=own)
        receive(office)
        assert office.checkpoint().key == own.record
        assert kms.service.signed == 0

    def test_an_answer_that_cannot_sign_is_a_plugin_error(self) -> None:
        with pytest.raises(PluginError, match=r"NotAKey.*not a SigningKey"):
            make_office(NotAKey())


# ---------------------------------------------------------------------------- calendar
CALENDAR = TableCalendar(id="PLUGIN", covered=(2025, 2025))


class Calendar:
    """Supplies a plain Monday-to-Friday calendar for 2025."""

    def __init__(self) -> None:
        self.asked = 0

    @hookimpl
    def secretarial_work_calendar(self) -> TableCalendar:
        self.asked += 1
        return CALENDAR


class TestCalendar:
    """A plugin may supply the calendar of an office that was given none."""

    def test_the_plugin_calendar_is_used_when_none_is_given(self) -> None:
        """The office asks once, when it first needs a calendar."""
        plugin = Calendar()
        office = make_office(plugin)
        assert plugin.asked == 0
        assert office.calendar is CALENDAR
        assert office.calendar is CALENDAR
        assert plugin.asked == 1

    def test_a_calendar_given_to_the_office_wins(self) -> None:
        """The plugin is not asked."""
        plugin = Calendar()
        mine = TableCalendar(id="MINE", covered=(2025, 2025))
        office = make_office(plugin, calendar=mine)
        assert office.calendar is mine
        assert plugin.asked == 0


# ---------------------------------------------------------------------------- workflows
ANNOTATE = TransitionSpec(
    "annotate",
    (IncomingState.REGISTERED,),
    None,
    frozenset({"clerk"}),
    label="批注",
)


class Annotations:
    """Adds an ``annotate`` step to the incoming workflow."""

    @hookimpl
    def secretarial_extend_workflow(self, table: WorkflowTable[Any]) -> WorkflowTable[Any] | None:
        if table.entity_type is not IncomingDocument:
            return None
        return table.extended(ANNOTATE)


class TestExtendWorkflow:
    """A plugin may extend a table; the extension is validated when the office is made."""

    def test_a_new_trigger_works_and_replays(self) -> None:
        """The office fires, audits and replays the new trigger; the built-in table is untouched."""
        office = make_office(Annotations())
        doc = office.fire(receive(office), "register", by=CLERK)
        assert "annotate" in office.workflow(EntityKind.INCOMING_DOCUMENT).triggers
        assert "annotate" in office.available_triggers(doc, by=CLERK)
        annotated = office.fire(doc, "annotate", by=CLERK)
        assert (annotated.state, annotated.version) == (IncomingState.REGISTERED, 3)
        assert office.audit(doc)[-1].trigger == "annotate"
        assert office.replay(doc) == annotated
        assert "annotate" not in workflow_for(EntityKind.INCOMING_DOCUMENT).triggers
        assert "annotate" not in make_office().workflow(EntityKind.INCOMING_DOCUMENT).triggers

    def test_extensions_chain(self) -> None:
        """Each plugin extends the table as the plugins before it left it."""

        class Stamp:
            @hookimpl
            def secretarial_extend_workflow(self, table: WorkflowTable[Any]) -> Any:
                if "annotate" not in {t.trigger for t in table.transitions}:
                    return None
                stamp = TransitionSpec("stamp", (IncomingState.REGISTERED,), None, label="盖章")
                return table.extended(stamp)

        office = make_office(Stamp(), Annotations())  # Annotations is asked first
        triggers = office.workflow(EntityKind.INCOMING_DOCUMENT).triggers
        assert {"annotate", "stamp"} <= set(triggers)

    def test_a_broken_extension_is_refused_when_the_office_is_made(self) -> None:
        """The error names the plugin and every problem."""

        class Broken:
            @hookimpl
            def secretarial_extend_workflow(self, table: WorkflowTable[Any]) -> Any:
                limbo = TransitionSpec("vanish", (IncomingState.REGISTERED,), "limbo")
                return table.extended(limbo)

        with pytest.raises(WorkflowDefinitionError) as broken:
            make_office(Broken())
        assert "plugin Broken" in broken.value.workflow
        assert "'vanish' leads to unknown state 'limbo'" in broken.value.problems
        assert "plugin Broken" in str(broken.value)

    def test_an_extension_must_be_a_table_of_the_same_entity(self) -> None:
        """Anything else is refused when the office is made, naming the plugin."""

        class Wrong:
            @hookimpl
            def secretarial_extend_workflow(self) -> Any:
                return "incoming"

        with pytest.raises(WorkflowDefinitionError, match="plugin Wrong"):
            make_office(Wrong())


# ---------------------------------------------------------------------------- reminders
class Mailer:
    """Delivers reminders into a list."""

    def __init__(self, office_log: list[str]) -> None:
        self.log = office_log

    @hookimpl
    def secretarial_deliver_reminder(self, reminder: DueReminder) -> None:
        self.log.append(f"{reminder.entity_id} {reminder.step} → {','.join(reminder.to)}")


class TestDeliverReminder:
    """Each reminder a sweep issues is handed to the plugins after it is recorded."""

    def test_a_sweep_delivers_every_issued_reminder_and_isolates_failures(self) -> None:
        """Delivery failures are reported; the reminders stay recorded."""
        log: list[str] = []
        office = make_office(Calendar(), Mailer(log), MailServerDown())  # the mailer runs last
        item = office.supervision.open(
            by=SUPERVISOR,
            source="leader_instruction",
            requirement="落实安全检查部署",
            received_at=office.now(),
        )
        item = office.fire(item, "assign", by=SUPERVISOR, lead_unit=UNIT_A, deadline="2025-09-30")
        office.fire(item, "accept", by=UNDERTAKER)
        report = office.sweep(datetime.combine(date(2025, 9, 30), time(9), BEIJING))
        assert report.issued
        assert log == [f"{r.entity_id} {r.step} → {','.join(r.to)}" for r in report.issued]
        assert [f.hook for f in office.plugin_failures] == ["secretarial_deliver_reminder"] * len(
            report.issued
        )
        assert "ConnectionError" in office.plugin_failures[0].error
        recorded = [e.payload["step"] for e in office.audit(item) if e.trigger == "remind"]
        assert recorded == [r.step for r in report.issued]


# ---------------------------------------------------------------------------- daily brief
class TestBriefSections:
    """The typed wrapper collects the sections plugins add to a daily brief."""

    def test_sections_are_collected_in_call_order_with_their_plugin(self) -> None:
        """Each section names its plugin; None adds nothing; failures are isolated."""

        class Meetings:
            @hookimpl
            def secretarial_brief_sections(self, actor: Actor, day: date) -> Any:
                return [BriefSection(f"{day} 会议", (f"{actor.name}: 09:00 办公会",))]

        class Quiet:
            @hookimpl
            def secretarial_brief_sections(self) -> Any:
                return None

        class Wrong:
            @hookimpl
            def secretarial_brief_sections(self) -> Any:
                return ["not a section"]

        class Raises:
            @hookimpl
            def secretarial_brief_sections(self, entities: tuple[Any, ...]) -> Any:
                raise LookupError(len(entities))

        class Signed:
            @hookimpl
            def secretarial_brief_sections(self) -> Any:
                return (BriefSection("督办", ("2 项到期",), plugin="ledger"),)

        plugins = Plugins(
            [Signed(), Raises(), Wrong(), Quiet(), Meetings()], load_entry_points=False
        )
        sections = plugins.brief_sections(LEADER, date(2025, 9, 26), ())
        assert sections == [
            BriefSection("2025-09-26 会议", ("Leader: 09:00 办公会",), plugin="Meetings"),
            BriefSection("督办", ("2 项到期",), plugin="ledger"),
        ]
        assert [(f.plugin, f.error.split(":")[0]) for f in plugins.failures] == [
            ("Wrong", "TypeError"),
            ("Raises", "LookupError"),
        ]

    def test_a_plugin_sees_the_entities_of_the_brief_not_the_office(self) -> None:
        """The hook is given the open entities the actor may see, as values."""
        seen: list[tuple[Any, ...]] = []

        class Counter:
            @hookimpl
            def secretarial_brief_sections(self, entities: tuple[Any, ...]) -> Any:
                seen.append(entities)
                return [BriefSection("在办", (f"{len(entities)} 件",))]

        office = make_office(Counter())
        doc = office.documents.receive(
            by=CLERK, kind="notice", title="通知", sender=SUPERIOR, channel="paper",
            received_at=office.now(),
        )  # fmt: skip
        brief = office.brief(CLERK)
        assert [e.id for e in seen[0]] == [doc.id]
        section = brief.section("plugin:Counter")
        assert section is not None
        assert section.items[0].title == "1 件"


# ---------------------------------------------------------------------------- registration
class TestRegistration:
    """Plugins are checked against the specifications when the office is made."""

    def test_a_misspelt_hook_is_refused(self) -> None:
        """An implementation of no specified hook is a usage error naming the plugin."""

        class Typo:
            @hookimpl
            def secretarial_after_comit(self) -> None: ...

        with pytest.raises(UsageError, match="Typo"):
            make_office(Typo())

    def test_an_argument_the_specification_lacks_is_refused(self) -> None:
        """Implementations take a subset of the specified arguments, by name."""

        class Extra:
            @hookimpl
            def secretarial_after_commit(self, event: AuditEvent, mood: str) -> None: ...

        with pytest.raises(UsageError, match="Extra"):
            make_office(Extra())

    def test_hooks_called_one_plugin_at_a_time_take_no_wrappers(self) -> None:
        """A wrapper there could not be isolated or attributed."""

        class Wrapper:
            @hookimpl(wrapper=True)
            def secretarial_after_commit(self) -> Iterator[None]:
                return (yield)

        with pytest.raises(UsageError, match="takes no wrappers"):
            make_office(Wrapper())

    def test_plugins_of_one_class_get_distinct_names(self) -> None:
        """The class name, then ``#2``, ``#3`` ...; a module keeps its own name."""
        notes = ModuleType("office_notes")
        office = make_office(Recorder(), Recorder(), notes)
        assert office.plugins is not None
        assert office.plugins.names == ("Recorder", "Recorder#2", "office_notes")

    def test_the_same_plugin_twice_is_refused(self) -> None:
        """One object is one plugin."""
        recorder = Recorder()
        with pytest.raises(UsageError, match="already registered"):
            make_office(recorder, recorder)
