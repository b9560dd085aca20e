"""Event logs out: the audit as OCEL 2.0 and XES, read back by pm4py, hidden records kept hidden."""

from __future__ import annotations

import io
import json
import re
import xml.etree.ElementTree as ET
from collections import Counter
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from typer.testing import CliRunner, Result

from conftest import SUPERIOR, UNIT_A, actor, url_for
from secretarial import (
    ArchiveSettings,
    AuditEvent,
    Classification,
    Entity,
    Office,
    Role,
    UsageError,
    ValidationError,
)
from secretarial.cli import _demo, app
from secretarial.eventlog import EventLogSummary, write_ocel, write_xes
from secretarial.testing import FrozenClock, SequentialIds

XES = "{http://www.xes-standard.org/}"
MINING_HINT = "reading event logs needs pm4py: pip install 'secretarial[mining]'"
CLERK = actor("clerk", Role.CLERK, clearance=Classification.TOP_SECRET)
DIRECTOR = actor("director", Role.OFFICE_DIRECTOR, clearance=Classification.TOP_SECRET)
UNCLEARED = actor("zhou", Role.CLERK, clearance=Classification.UNCLASSIFIED)
CLEARED = actor("qian", Role.CLERK, clearance=Classification.TOP_SECRET)
SECRET_TITLE = "关于绝密人事安排的请示 Operation Nightjar"  # noqa: S105 -- a title
SECRET_REASON = "因涉及干部任免，转呈主要领导 Nightjar-reason"  # noqa: S105 -- a reason
AWKWARD = "关于<紧急>事项 & \"引号\" '单引号' 的通知 ]]> 〔2025〕"
NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


pytestmark = pytest.mark.filterwarnings(
    "ignore:Install the optional requirement:UserWarning"  # pm4py's advice on a faster reader
)


@pytest.fixture(scope="module")
def pm4py() -> ModuleType:
    """pm4py, or a skip saying how to install it."""
    return pytest.importorskip("pm4py", reason=MINING_HINT)


# ---------------------------------------------------------------------------- offices
def week_office(url: str) -> Office:
    """An office on ``url`` after the demo's week (seed 1): every kind, many states."""
    clock = FrozenClock(datetime.combine(_demo.FIRST_WEEK, time(1, 0), UTC))
    office = Office.open(url, clock=clock, ids=SequentialIds(), archive=_demo.ARCHIVE)
    _demo.run_week(office, clock, _demo.plan_week(office, 5), seed=1)
    return office


@pytest.fixture(scope="module", params=["memory", "sqlite"])
def week(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Any:
    """The demo's week on the memory store and on SQLite, made once per module."""
    office = week_office(url_for(request.param, tmp_path_factory.mktemp("week")))
    yield office
    office.close()


def all_events(office: Office) -> list[AuditEvent]:
    return [e for record in office.store.audit_stream() for e in record.trail if e is not None]


def receive(office: Office, title: str, **extra: Any) -> Entity:
    return office.documents.receive(
        by=CLERK,
        kind="notice",
        title=title,
        sender=SUPERIOR,
        channel="paper",
        received_at=office.now(),
        **extra,
    )


def guarded(url: str) -> Office:
    """An office with an open document, a classified one and one outside the reader's scope.

    The classified document's title and the reason of its registration are text no
    uncleared reader may find anywhere in a log.
    """
    clock = FrozenClock(datetime(2025, 9, 26, 1, 0, tzinfo=UTC))
    office = Office.open(
        url, clock=clock, ids=SequentialIds(), archive=ArchiveSettings(fonds="0194")
    )
    plain = receive(office, "关于召开安全生产会议的通知")
    clock.advance(timedelta(minutes=5))
    office.fire(plain, "register", by=CLERK)
    secret = receive(
        office,
        SECRET_TITLE,
        classification="secret",
        secrecy_period_years=10,
        copy_number="000007",
    )
    clock.advance(timedelta(minutes=5))
    secret = office.fire(secret, "register", by=CLERK, reason=SECRET_REASON)
    clock.advance(timedelta(minutes=5))
    secret = office.fire(secret, "screen", by=CLERK)
    clock.advance(timedelta(minutes=5))
    office.fire(
        secret,
        "propose",
        by=DIRECTOR,
        handling_type="for_handling",
        lead_unit=UNIT_A,
        note="拟请综合科办理 Nightjar-note",
    )
    receive(
        office,
        "关于人事调整的通知 Scoped-title",
        classification="confidential",
        secrecy_period_years=5,
        copy_number="000001",
        need_to_know=["clerk"],
    )
    return office


@pytest.fixture(params=["memory", "sqlite"])
def guarded_office(request: pytest.FixtureRequest, tmp_path: Path) -> Any:
    office = guarded(url_for(request.param, tmp_path))
    yield office
    office.close()


def ocel_of(office: Office, **options: Any) -> tuple[dict[str, Any], EventLogSummary, bytes]:
    out = io.BytesIO()
    summary = write_ocel(office, out, **options)
    return json.loads(out.getvalue()), summary, out.getvalue()


def xes_of(office: Office, kind: str, **options: Any) -> tuple[ET.Element, EventLogSummary, bytes]:
    out = io.BytesIO()
    summary = write_xes(office, out, kind=kind, **options)
    return ET.fromstring(out.getvalue()), summary, out.getvalue()  # noqa: S314 -- our own output


def traces(root: ET.Element) -> dict[str, list[dict[str, str]]]:
    """Each trace's events, as their attributes by key, by the trace's concept:name."""
    found = {}
    for trace in root.iter(f"{XES}trace"):
        name = next(a.get("value") for a in trace if a.get("key") == "concept:name")
        found[str(name)] = [
            {str(a.get("key")): str(a.get("value")) for a in event}
            for event in trace.iter(f"{XES}event")
        ]
    return found


def table_transitions(office: Office, kind: str) -> set[tuple[str, str]]:
    """Every (source, target) pair a row of the kind's workflow allows."""
    return {
        (str(source), str(spec.dest) if spec.dest is not None else str(source))
        for spec in office.workflow(kind).rows
        for source in spec.sources
    }


# ---------------------------------------------------------------------------- pm4py reads them
def test_the_ocel_log_loads_in_pm4py_with_every_event_and_object(
    week: Office, pm4py: ModuleType, tmp_path: Path
) -> None:
    path = tmp_path / "week.jsonocel"
    summary = write_ocel(week, path)
    ocel = pm4py.read_ocel2_json(str(path))
    events = all_events(week)
    assert summary.events == len(events) == len(ocel.events)
    assert set(ocel.events["ocel:eid"]) == {e.hash for e in events}
    assert Counter(ocel.events["ocel:activity"]) == Counter(e.trigger for e in events)
    assert summary.objects == len(ocel.objects)
    assert summary.entities == len(week.list())
    by_type = Counter(ocel.objects["ocel:type"])
    kinds = Counter(e.kind_name for e in week.list())
    assert {t: by_type[t] for t in kinds} == kinds
    assert {"unit", "organ", "person"} <= set(by_type)
    relations = ocel.relations
    entity_links = relations[relations["ocel:qualifier"] == "entity"]
    assert dict(zip(entity_links["ocel:eid"], entity_links["ocel:oid"], strict=True)) == {
        e.hash: e.entity_id for e in events
    }
    actor_links = relations[relations["ocel:qualifier"] == "actor"]
    assert dict(zip(actor_links["ocel:eid"], actor_links["ocel:oid"], strict=True)) == {
        e.hash: f"person:{e.actor.id}" for e in events
    }
    leads = relations[relations["ocel:qualifier"] == "lead_unit"]
    assigned = {e.hash for e in events if isinstance(e.payload.get("lead_unit"), dict)}
    assert assigned
    assert set(leads["ocel:eid"]) == assigned


def test_the_xes_log_loads_in_pm4py_and_its_process_map_is_the_tables_transitions_that_occurred(
    week: Office, pm4py: ModuleType, tmp_path: Path
) -> None:
    """Activities are states: pm4py's map is the table's transitions that occurred.

    Each (source, target) pair of an audit event is a row of the incoming-document table,
    and the directly-follows graph pm4py discovers holds those pairs and no other.
    """
    path = tmp_path / "incoming.xes"
    summary = write_xes(week, path, kind="incoming")
    log = pm4py.read_xes(str(path))
    events = [e for e in all_events(week) if e.entity_kind == "incoming_document"]
    occurred = {(e.source, e.target) for e in events if e.source is not None}
    assert occurred <= table_transitions(week, "incoming_document")
    assert any(source == target for source, target in occurred)  # a reminder: a self-loop
    dfg, starts, ends = pm4py.discover_dfg(log)
    assert set(dfg) == occurred
    assert sum(dfg.values()) == sum(1 for e in events if e.source is not None)
    assert set(starts) == {"received"}
    documents = week.list(kind="incoming_document")
    assert set(ends) == {str(d.state) for d in documents}
    assert summary.events == len(events) == len(log)
    assert summary.entities == len(documents) == log["case:concept:name"].nunique()
    assert Counter(log["trigger"]) == Counter(e.trigger for e in events)
    assert Counter(log["org:resource"]) == Counter(e.actor.id for e in events)


def test_the_xes_log_names_each_state_entered_in_the_audits_order(week: Office) -> None:
    root, _, _ = xes_of(week, "supervision_item")
    found = traces(root)
    items = week.list(kind="supervision_item")
    assert set(found) == {i.id for i in items}
    for item in items:
        trail = week.audit(item)
        assert [e["concept:name"] for e in found[item.id]] == [e.target for e in trail]
        assert [e["trigger"] for e in found[item.id]] == [e.trigger for e in trail]
        assert [datetime.fromisoformat(e["time:timestamp"]) for e in found[item.id]] == [
            e.at for e in trail
        ]


def test_awkward_titles_survive_both_formats_and_pm4py(pm4py: ModuleType, tmp_path: Path) -> None:
    office = Office.in_memory(clock=FrozenClock(datetime(2025, 9, 26, 1, 0, tzinfo=UTC)))
    doc = receive(office, AWKWARD)
    xes = tmp_path / "awkward.xes"
    write_xes(office, xes, kind="incoming_document")
    assert "<紧急>" not in xes.read_text(encoding="utf-8")
    log = pm4py.read_xes(str(xes))
    assert set(log["case:title"]) == {AWKWARD}
    ocel = tmp_path / "awkward.jsonocel"
    write_ocel(office, ocel)
    read = pm4py.read_ocel2_json(str(ocel))
    assert read.objects.set_index("ocel:oid").loc[doc.id, "title"] == AWKWARD


@given(
    st.text(
        st.characters(blacklist_categories=("Cs",)) | st.sampled_from("<&>\"'中文〔〕\t\r\n"),
        min_size=1,
        max_size=40,
    ).filter(str.strip)
)
def test_any_title_is_written_as_xml_and_json_can_read_back(title: str) -> None:
    """XML holds the title escaped (what XML 1.0 cannot hold at all is U+FFFD); JSON exactly."""
    office = Office.in_memory(clock=FrozenClock(datetime(2025, 9, 26, 1, 0, tzinfo=UTC)))
    doc = receive(office, title)
    root, _, _ = xes_of(office, "incoming")
    trace = next(root.iter(f"{XES}trace"))
    titles = [a.get("value") for a in trace if a.get("key") == "title"]
    assert titles == [NOT_XML.sub("\ufffd", doc.title)]
    log, _, _ = ocel_of(office)
    (found,) = (o for o in log["objects"] if o["id"] == doc.id)
    assert [a["value"] for a in found["attributes"] if a["name"] == "title"] == [doc.title]


# ---------------------------------------------------------------------------- hidden records
def test_a_record_the_reader_may_not_see_is_reduced_to_its_steps(guarded_office: Office) -> None:
    office = guarded_office
    hidden = [e for e in office.list() if office.access.may_see(UNCLEARED, e) is not None]
    assert len(hidden) == 2  # one classified above the clearance, one outside its scope
    log, summary, raw = ocel_of(office, by=UNCLEARED)
    text = raw.decode("utf-8")
    for secret in (SECRET_TITLE, SECRET_REASON, "Nightjar", "Scoped-title", "综合科"):
        assert secret not in text
    assert summary.reduced == 2
    assert summary.omitted == 0
    objects = {o["id"]: o for o in log["objects"]}
    for entity in hidden:
        assert {a["name"] for a in objects[entity.id]["attributes"]} == {"state"}
        assert objects[entity.id]["relationships"] == []
        steps = [e for e in log["events"] if e["relationships"][0]["objectId"] == entity.id]
        assert len(steps) == entity.version
        for step in steps:
            assert step["relationships"] == [{"objectId": entity.id, "qualifier": "entity"}]
            assert {a["name"] for a in step["attributes"]} <= {"source", "target"}
    root, xes_summary, raw = xes_of(office, "incoming", by=UNCLEARED)
    text = raw.decode("utf-8")
    for secret in (SECRET_TITLE, SECRET_REASON, "Nightjar", "Scoped-title"):
        assert secret not in text
    assert xes_summary.reduced == 2
    found = traces(root)
    for entity in hidden:
        assert [e["concept:name"] for e in found[entity.id]] == [
            e.target for e in office.audit(entity)
        ]
        assert all(
            set(e)
            <= {"concept:name", "trigger", "source", "time:timestamp", "lifecycle:transition"}
            for e in found[entity.id]
        )


def test_a_record_the_reader_may_not_see_can_be_left_out(guarded_office: Office) -> None:
    office = guarded_office
    hidden = {e.id for e in office.list() if office.access.may_see(UNCLEARED, e) is not None}
    log, summary, raw = ocel_of(office, by=UNCLEARED, classified="omit")
    assert summary.omitted == 2
    assert summary.reduced == 0
    assert {o["id"] for o in log["objects"]}.isdisjoint(hidden)
    assert all(e["relationships"][0]["objectId"] not in hidden for e in log["events"])
    assert summary.events == sum(len(office.audit(e)) for e in office.list(by=UNCLEARED))
    for entity_id in hidden:
        assert entity_id.encode() not in raw
    root, xes_summary, _ = xes_of(office, "incoming", by=UNCLEARED, classified="omit")
    assert set(traces(root)) == {e.id for e in office.list(by=UNCLEARED)}
    assert xes_summary.omitted == 2


def test_a_cleared_reader_and_the_host_see_every_record_whole(guarded_office: Office) -> None:
    office = guarded_office
    for reader in (None, CLEARED.model_copy(update={"id": "clerk"})):  # in the scope
        log, summary, raw = ocel_of(office, by=reader)
        assert SECRET_TITLE in raw.decode("utf-8")
        assert SECRET_REASON in raw.decode("utf-8")
        assert summary.reduced == summary.omitted == 0
        assert summary.entities == 3
        units = {o["id"]: o for o in log["objects"] if o["type"] == "unit"}
        assert units["unit:ZHK"]["attributes"][0]["value"] == "综合科"


def test_the_reader_is_checked_like_any_read() -> None:
    office = Office.in_memory(require_actor=True)
    with pytest.raises(UsageError, match="by="):
        write_ocel(office, io.BytesIO())
    assert write_ocel(office, io.BytesIO(), by=CLERK).events == 0


# ---------------------------------------------------------------------------- scope and output
def test_a_period_keeps_the_events_in_it(week: Office) -> None:
    events = all_events(week)
    moments = sorted({e.at for e in events})
    since, until = moments[len(moments) // 3], moments[2 * len(moments) // 3]
    inside = [e for e in events if since <= e.at < until]
    log, summary, _ = ocel_of(week, since=since, until=until)
    assert {e["id"] for e in log["events"]} == {e.hash for e in inside}
    assert summary.entities == len({e.entity_id for e in inside})
    root, xes_summary, _ = xes_of(week, "incoming", since=since)
    assert xes_summary.events == sum(
        1 for e in events if e.at >= since and e.entity_kind == "incoming_document"
    )
    assert len(traces(root)) == xes_summary.entities


def test_kinds_choose_the_records_of_an_ocel_log(week: Office) -> None:
    log, summary, _ = ocel_of(week, kinds=["item", "meeting"])
    chosen = week.list(kind=["supervision_item", "meeting"])
    assert {o["id"] for o in log["objects"] if o["type"] in {"supervision_item", "meeting"}} == {
        e.id for e in chosen
    }
    assert {o["type"] for o in log["objects"]} <= {
        "supervision_item",
        "meeting",
        "unit",
        "organ",
        "person",
    }
    assert summary.events == sum(e.version for e in chosen)


def test_a_text_stream_gets_the_same_log_as_a_file(week: Office, tmp_path: Path) -> None:
    text = io.StringIO()
    write_ocel(week, text)
    write_ocel(week, tmp_path / "log.jsonocel")
    assert text.getvalue() == (tmp_path / "log.jsonocel").read_text(encoding="utf-8")
    text = io.StringIO()
    write_xes(week, text, kind="meeting")
    write_xes(week, tmp_path / "log.xes", kind="meeting")
    assert text.getvalue() == (tmp_path / "log.xes").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("call", "field"),
    [
        (lambda o, out: write_xes(o, out, kind="letters"), "kind"),
        (lambda o, out: write_ocel(o, out, kinds=["incoming", "nope"]), "kinds"),
        (lambda o, out: write_ocel(o, out, kinds=[]), "kinds"),
        (lambda o, out: write_ocel(o, out, since=datetime(2025, 1, 1)), "since"),  # noqa: DTZ001
        (
            lambda o, out: write_ocel(
                o,
                out,
                since=datetime(2025, 2, 1, tzinfo=UTC),
                until=datetime(2025, 2, 1, tzinfo=UTC),
            ),
            "until",
        ),
        (lambda o, out: write_ocel(o, out, classified="hide"), "classified"),
    ],
)
def test_bad_options_name_the_field_and_write_nothing(call: Any, field: str) -> None:
    office = Office.in_memory()
    out = io.BytesIO()
    with pytest.raises(ValidationError) as info:
        call(office, out)
    assert info.value.fields == (field,)
    assert info.value.problems[0].accepted
    assert out.getvalue() == b""


# ---------------------------------------------------------------------------- the command line
runner = CliRunner()


def run(*args: str | Path) -> Result:
    return runner.invoke(app, [str(a) for a in args])


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("demo")
    result = run("demo", "--db", folder / "office.db", "--days", "5")
    assert result.exit_code == 0, result.stderr
    return folder / "office.db"


def test_the_command_writes_an_ocel_log_beside_the_office(demo_db: Path) -> None:
    result = run("eventlog", "--db", demo_db)
    assert result.exit_code == 0, result.stderr
    written = demo_db.with_name("office-events.jsonocel")
    log = json.loads(written.read_text(encoding="utf-8"))
    with Office.open(f"sqlite:///{demo_db}", create=False) as office:
        assert len(log["events"]) == sum(e.version for e in office.list())
    assert f"wrote {len(log['events'])} events" in result.stdout


def test_the_command_writes_xes_for_a_kind_and_says_what_it_hid(
    demo_db: Path, tmp_path: Path
) -> None:
    out = tmp_path / "in.xes"
    result = run(
        "eventlog", "--db", demo_db, "--format", "xes", "--kind", "incoming", "--out", out,
        "--as", "clerk", "--clearance", "unclassified", "--json",
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    summary = json.loads(result.stdout)
    with Office.open(f"sqlite:///{demo_db}", create=False) as office:
        documents = office.list(kind="incoming_document")
        classified = [d for d in documents if d.classification is not Classification.UNCLASSIFIED]
        assert classified
        assert summary["reduced"] == len(classified)
        assert summary["entities"] == len(documents)
        assert summary["out"] == str(out)
        text = out.read_text(encoding="utf-8")
        for document in classified:
            assert document.id in text
            assert document.title not in text


def test_the_command_writes_to_standard_output_and_keeps_a_period(demo_db: Path) -> None:
    with Office.open(f"sqlite:///{demo_db}", create=False) as office:
        day = _demo.FIRST_WEEK + timedelta(days=1)
        zone = office.timezone
        expected = sum(
            1
            for entity in office.list()
            for e in office.audit(entity)
            if e.at.astimezone(zone).date() == day
        )
    result = run("eventlog", "--db", demo_db, "--from", day, "--to", day, "--out", "-")
    assert result.exit_code == 0, result.stderr
    assert len(json.loads(result.stdout)["events"]) == expected > 0


@pytest.mark.parametrize(
    ("args", "named"),
    [
        (("--format", "xes"), "--kind"),
        (("--format", "xes", "--kind", "incoming", "--kind", "item"), "--kind"),
        (("--kind", "letters"), "--kind"),
        (("--from", "2025-11-07", "--to", "2025-11-03"), "--to 2025-11-03 is before --from"),
        (("--from", "2025-13-01"), "--from"),
        (("--out", "-", "--json"), "--json"),
        (("--format", "csv"), "--format"),
        (("--classified", "hide"), "--classified"),
    ],
)
def test_bad_command_input_names_the_option(
    demo_db: Path, args: tuple[str, ...], named: str
) -> None:
    result = run("eventlog", "--db", demo_db, *args)
    assert result.exit_code == 2, result.stdout
    assert result.stdout == ""
    assert named in result.stderr
    assert len(result.stderr.splitlines()) == 1
