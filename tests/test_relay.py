"""The outbox and its relay: every committed change delivered, in order per entity, once per id.

The relay's rules are shown on every store with a sink of the test's own; then against
the real broker, NATS JetStream: a mixed week delivered once per event id, a relay killed
with SIGKILL mid-delivery and restarted, and two relays on one PostgreSQL office.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections import defaultdict
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from datetime import time as clock_time
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from conftest import CLERK, DIRECTOR, postgres_url, receive_notice, url_for
from secretarial import (
    Backoff,
    CallbackSink,
    Classification,
    HmacKey,
    Office,
    OutboxMessage,
    PluginError,
    Subscription,
    TransitionNotAllowed,
    ValidationError,
)
from secretarial.cli import _demo
from secretarial.plugins import hookimpl
from secretarial.testing import FrozenClock, SequentialIds

ROOT = Path(__file__).resolve().parent.parent
NATS_URL_VARIABLE = "SECRETARIAL_TEST_NATS_URL"


KEY = HmacKey(b"the relay tests' checkpoint key, 32 b")


def office_on(url: str, **options: Any) -> tuple[Office, FrozenClock]:
    options.setdefault("checkpoint_key", KEY)
    clock = FrozenClock(datetime.combine(_demo.FIRST_WEEK, clock_time(1, 0), UTC))
    if url == "memory://":
        office = Office.in_memory(
            clock=clock, ids=SequentialIds(), archive=_demo.ARCHIVE, **options
        )
    else:
        office = Office.open(
            url, clock=clock, ids=SequentialIds(), archive=_demo.ARCHIVE, **options
        )
    return office, clock


def mixed_week(office: Office, clock: FrozenClock, days: int = 2) -> None:
    """The demo's simulated days: documents, items, meetings, reminders, countersigns."""
    _demo.run_week(office, clock, _demo.plan_week(office, days), seed=1)


def committed_events(office: Office) -> dict[str, list[tuple[int, str]]]:
    """Every audit event's (version, hash), per entity, as the store holds them."""
    _, trails = office.store.audit_records()
    return {
        entity_id: [(e.version, e.hash) for e in events if e is not None]
        for entity_id, events in trails.items()
    }


class Collect:
    """A sink that keeps what it is given; ``fail`` times it raises first."""

    def __init__(
        self,
        name: str = "collect",
        *,
        fail: int = 0,
        clearance: Classification = Classification.UNCLASSIFIED,
        subscription: Subscription | None = None,
    ) -> None:
        self.name = name
        self.clearance = clearance
        self.subscription = subscription or Subscription()
        self.fail = fail
        self.messages: list[OutboxMessage] = []
        self.batches = 0

    def deliver(self, messages: Sequence[OutboxMessage]) -> None:
        if self.fail:
            self.fail -= 1
            raise ConnectionError("the sink is down")
        self.batches += 1
        self.messages.extend(messages)


@pytest.fixture(params=["memory", "sqlite", "postgres"])
def relay_office(
    request: pytest.FixtureRequest, tmp_path: Path
) -> Iterator[tuple[Office, FrozenClock]]:
    office, clock = office_on(url_for(request.param, tmp_path))
    yield office, clock
    office.close()


# ============================================================================ the relay's rules
class TestDelivery:
    def test_every_committed_event_of_a_mixed_week_is_delivered_once_in_order(
        self, relay_office: tuple[Office, FrozenClock]
    ) -> None:
        """Each audit event is given once, with its hash as its id, in version order."""
        office, clock = relay_office
        mixed_week(office, clock)
        office.checkpoint()
        sink = Collect()
        report = office.relay([sink])
        expected = committed_events(office)
        by_stream: dict[str, list[tuple[int, str]]] = defaultdict(list)
        for message in sink.messages:
            by_stream[message.stream].append((message.version, message.id))
        checkpoints = by_stream.pop("checkpoint")
        assert [v for v, _ in checkpoints] == [1]
        assert by_stream == expected
        ids = [m.id for m in sink.messages]
        assert len(ids) == len(set(ids)) == report.delivered
        assert {m.type for m in sink.messages} >= {"created", "transition", "checkpoint"}
        assert office.relay([sink]).delivered == 0  # its positions moved past them all

    def test_a_refused_command_emits_nothing(
        self, relay_office: tuple[Office, FrozenClock]
    ) -> None:
        office, _ = relay_office
        doc = receive_notice(office, "关于做好节日值班工作的通知")
        head = office.outbox.head
        with pytest.raises(TransitionNotAllowed):
            office.fire(doc, "approve", by=CLERK)
        assert office.outbox.head == head
        assert office.relay([Collect()]).delivered == 1

    def test_a_failing_sink_waits_on_its_own_and_resumes_where_it_stood(
        self, relay_office: tuple[Office, FrozenClock]
    ) -> None:
        office, _ = relay_office
        for n in range(5):
            receive_notice(office, f"通知{n}")
        broken, working = Collect("broken", fail=2), Collect("working")
        report = office.relay([broken, working])
        assert len(working.messages) == 5
        assert [s.name for s in report.failing] == ["broken"]
        assert report.failing[0].error == "ConnectionError: the sink is down"
        with office.outbox_relay([broken, working], backoff=Backoff(base=0.01)) as relay:
            report = relay.drain(timeout=10)
        assert report.failing == ()
        assert sorted(m.id for m in broken.messages) == sorted(m.id for m in working.messages)

    def test_a_subscription_takes_its_kinds_and_passes_over_the_rest(
        self, relay_office: tuple[Office, FrozenClock]
    ) -> None:
        office, clock = relay_office
        mixed_week(office, clock, days=1)
        items = Collect("items", subscription=Subscription(kinds=frozenset({"supervision_item"})))
        office.relay([items])
        assert items.messages
        assert {m.kind for m in items.messages} == {"supervision_item"}
        assert office.relay([items]).delivered == 0
        given = sum(p.delivered for p in office.outbox.positions() if p.sink == "items")
        assert given == len(items.messages)

    def test_classified_content_goes_only_to_a_cleared_sink(
        self, relay_office: tuple[Office, FrozenClock]
    ) -> None:
        office, _ = relay_office
        receive_notice(office, "秘密的标题", secret=True)
        plain, cleared = Collect("plain"), Collect("cleared", clearance=Classification.SECRET)
        office.relay([plain, cleared])
        (withheld,), (full,) = plain.messages, cleared.messages
        assert withheld.withheld
        assert "秘密的标题".encode() not in withheld.body
        assert withheld.event().entity is None
        assert withheld.event().classification == Classification.CONFIDENTIAL
        assert "秘密的标题".encode() in full.body
        assert full.id == withheld.id

    def test_a_new_sink_starts_where_it_is_told_and_can_be_rewound(
        self, relay_office: tuple[Office, FrozenClock]
    ) -> None:
        office, _ = relay_office
        for n in range(3):
            receive_notice(office, f"旧通知{n}")
        head = office.outbox.head
        late = Collect("late")
        waiting = office.outbox_relay([late], start="latest")
        receive_notice(office, "建后即交")  # committed after the relay was made: delivered
        assert waiting.drain().delivered == 1
        waiting.close()
        head += 1
        late.messages.clear()
        receive_notice(office, "新通知")
        office.relay([late], start="latest")
        assert [m.position for m in late.messages] == [head + 1]
        with office.outbox_relay([late]) as relay:
            relay.rewind("late")
            relay.drain()
        assert len(late.messages) == 1 + office.outbox.head  # all five again
        past = Collect("past")
        office.relay([past], start=head - 1)
        assert sorted(m.position for m in past.messages) == [head, head + 1]

    def test_delivered_events_can_be_forgotten_and_the_rest_is_kept(
        self, relay_office: tuple[Office, FrozenClock]
    ) -> None:
        office, _ = relay_office
        for n in range(4):
            receive_notice(office, f"通知{n}")
        office.relay([Collect("a")])
        assert office.outbox.forget_delivered(sinks=["a"]) == 3  # the newest is kept
        receive_notice(office, "再一份")
        assert office.relay([Collect("a")]).delivered == 1
        assert office.outbox.forget_delivered(sinks=["a"]) == 1
        assert [e.entity["title"] for e in office.outbox.read() if e.entity] == ["再一份"]
        assert office.outbox.forget_delivered(sinks=["a", "never-ran"]) == 0

    def test_the_messages_follow_the_published_schema(
        self, relay_office: tuple[Office, FrozenClock]
    ) -> None:
        office, clock = relay_office
        mixed_week(office, clock, days=1)
        schema = office.json_schemas()["outbox_event"]
        jsonschema.Draft202012Validator.check_schema(schema)
        validator = jsonschema.Draft202012Validator(schema)
        sink = Collect()
        office.relay([sink])
        for message in sink.messages:
            validator.validate(json.loads(message.body))


class TestTheRelaysOptions:
    def test_bad_options_name_the_field(self, office: Office) -> None:
        with pytest.raises(ValidationError) as caught:
            office.outbox_relay([Collect(), Collect()], batch=0, partitions=[16], start=-1)
        fields = {(p.field, p.rule) for p in caught.value.problems}
        assert fields == {
            ("sinks", "unique_sink_name"),
            ("batch", "batch_size"),
            ("partitions", "partition"),
            ("start", "relay_start"),
        }
        with pytest.raises(ValidationError, match="limit"):
            office.outbox.read(limit=0)
        with pytest.raises(ValidationError, match="sinks"):
            office.outbox.forget_delivered(sinks=[])

    def test_a_subscription_naming_what_the_office_has_not_is_refused(self, office: Office) -> None:
        """A misspelt kind would pass over every event for good: it is refused first."""
        typo = Subscription(
            kinds=frozenset({"incoming"}),
            types=frozenset({"created", "approved"}),
            triggers=frozenset({"receive", "sign_off"}),
        )
        with pytest.raises(ValidationError) as caught:
            office.relay([Collect(subscription=typo)])
        problems = {(p.field, p.rule): p.message for p in caught.value.problems}
        assert set(problems) == {
            ("sinks[0].subscription.kinds", "known_kind"),
            ("sinks[0].subscription.types", "known_event_type"),
            ("sinks[0].subscription.triggers", "known_trigger"),
        }
        assert "'incoming' is no kind" in problems[("sinks[0].subscription.kinds", "known_kind")]
        assert office.outbox.positions() == []

    def test_the_command_refuses_a_relay_without_a_sink_or_with_an_unknown_kind(
        self, tmp_path: Path
    ) -> None:
        from typer.testing import CliRunner  # noqa: PLC0415

        from secretarial.cli import app  # noqa: PLC0415

        db = str(tmp_path / "office.db")
        Office.open(f"sqlite:///{db}").close()
        runner = CliRunner()
        result = runner.invoke(app, ["relay", "--db", db, "--once"])
        assert result.exit_code == 2
        assert "give a sink" in result.output
        result = runner.invoke(app, ["relay", "--db", db, "--kind", "memo", "--plugins"])
        assert result.exit_code == 2
        assert "--kind 'memo' is not a kind" in result.output


class TestPluginSinks:
    def test_each_plugin_is_a_sink_of_its_own(self, tmp_path: Path) -> None:
        class Keeps:
            def __init__(self) -> None:
                self.events: list[Any] = []

            @hookimpl
            def secretarial_outbox_events(self, events: tuple[Any, ...]) -> None:
                self.events.extend(events)

        class Fails:
            @hookimpl
            def secretarial_outbox_events(self) -> None:
                raise RuntimeError("the plugin's server is down")

        keeps = Keeps()
        office, _ = office_on(url_for("sqlite", tmp_path), plugins=[keeps, Fails()])
        with office:
            receive_notice(office, "通知")
            assert office.plugins is not None
            sinks = office.plugins.sinks()
            assert sorted(s.name for s in sinks) == ["plugin:Fails", "plugin:Keeps"]
            report = office.relay(sinks)
            assert [e.trigger for e in keeps.events] == ["receive"]
            assert [s.name for s in report.failing] == ["plugin:Fails"]
            assert "PluginError" in (report.failing[0].error or "")
            assert [f.hook for f in office.plugin_failures] == ["secretarial_outbox_events"]
            assert office.relay(sinks).delivered == 0  # Keeps has it; Fails fails again
            assert PluginError.__name__ in (office.relay(sinks).failing[0].error or "")


class TestRunning:
    def test_a_slow_sink_never_holds_up_the_others(self, tmp_path: Path) -> None:
        """``run`` serves each sink from a thread of its own."""
        office, _ = office_on(url_for("sqlite", tmp_path))
        released = threading.Event()
        quick = Collect("quick")

        def stuck(messages: Sequence[OutboxMessage]) -> None:
            released.wait(30)

        with office:
            for n in range(3):
                receive_notice(office, f"通知{n}")
            stop = threading.Event()
            relay = office.outbox_relay([CallbackSink("stuck", stuck), quick])
            runner = threading.Thread(target=relay.run, kwargs={"stop": stop, "poll": 0.01})
            runner.start()
            try:
                deadline = time.monotonic() + 20
                while len(quick.messages) < 3:
                    assert time.monotonic() < deadline, "the quick sink waited for the stuck one"
                    time.sleep(0.01)
                receive_notice(office, "又一份")
                while len(quick.messages) < 4:
                    assert time.monotonic() < deadline, "the quick sink waited for the stuck one"
                    time.sleep(0.01)
                assert not released.is_set()
            finally:
                released.set()
                stop.set()
                runner.join(30)
                relay.close()
            assert not runner.is_alive()
            stuck_given = sum(p.delivered for p in office.outbox.positions() if p.sink == "stuck")
            assert stuck_given >= 1


class TestTwoRelaysInOneProcess:
    def test_two_relay_threads_never_deliver_one_partition_at_once(self, tmp_path: Path) -> None:
        """Threads share the partitions; each event is delivered once, none at the same time."""
        office, clock = office_on(url_for("sqlite", tmp_path))
        spans: list[tuple[str, int, float, float]] = []
        given: list[str] = []
        lock = threading.Lock()

        def sink_for(thread: str) -> CallbackSink:
            def deliver(messages: Sequence[OutboxMessage]) -> None:
                began = time.perf_counter()
                time.sleep(0.002)
                ended = time.perf_counter()
                with lock:
                    spans.append((thread, messages[0].partition, began, ended))
                    given.extend(m.id for m in messages)

            return CallbackSink("shared", deliver)

        with office:
            mixed_week(office, clock, days=1)
            relays = [office.outbox_relay([sink_for(t)], batch=3) for t in ("a", "b")]
            workers = [threading.Thread(target=r.drain) for r in relays]
            for w in workers:
                w.start()
            for w in workers:
                w.join()
            for r in relays:
                r.close()
            assert len(given) == len(set(given)) == office.outbox.head
            assert_no_partition_delivered_twice_at_once(spans)


def assert_no_partition_delivered_twice_at_once(
    spans: Sequence[tuple[str | int, int, float, float]],
) -> None:
    by_partition: dict[int, list[tuple[float, float, str | int]]] = defaultdict(list)
    for who, partition, began, ended in spans:
        by_partition[partition].append((began, ended, who))
    for partition, listed in by_partition.items():
        listed.sort()
        for (_, ended, first), (began, _, second) in itertools.pairwise(listed):
            assert first == second or ended <= began, (partition, first, second)


# ============================================================================ NATS JetStream
def nats_url() -> str:
    url = os.environ.get(NATS_URL_VARIABLE)
    if not url:
        pytest.skip(
            f"the broker tests need NATS with JetStream: set {NATS_URL_VARIABLE}, e.g. "
            "nats://127.0.0.1:4222 (nats-server -js; see the README)"
        )
    pytest.importorskip("nats", reason="the broker tests need pip install 'secretarial[nats]'")
    return url


class Stream:
    """A JetStream stream of the test's own, and what it holds."""

    def __init__(self, url: str) -> None:
        token = uuid.uuid4().hex[:10]
        self.url = url
        self.name = f"TEST_{token}"
        self.prefix = f"t{token}"

    def sink(self, **options: Any) -> Any:
        from secretarial.adapters import NatsSink  # noqa: PLC0415

        return NatsSink(self.url, stream=self.name, subject_prefix=self.prefix, **options)

    def messages(self) -> list[tuple[int, str, dict[str, str], dict[str, Any]]]:
        """(stream sequence, subject, headers, body) of every message, in stream order."""
        return asyncio.run(self._messages())

    async def _messages(self) -> list[tuple[int, str, dict[str, str], dict[str, Any]]]:
        import nats  # noqa: PLC0415

        nc = await nats.connect(self.url)
        try:
            js = nc.jetstream()
            info = await js.stream_info(self.name)
            found = []
            for seq in range(info.state.first_seq, info.state.last_seq + 1):
                msg = await js.get_msg(self.name, seq)
                found.append((seq, msg.subject, dict(msg.headers or {}), json.loads(msg.data)))
            return found
        finally:
            await nc.close()

    def count(self) -> int:
        async def count() -> int:
            import nats  # noqa: PLC0415
            from nats.js.errors import NotFoundError  # noqa: PLC0415

            nc = await nats.connect(self.url)
            try:
                return int((await nc.jetstream().stream_info(self.name)).state.messages)
            except NotFoundError:
                return 0
            finally:
                await nc.close()

        return asyncio.run(count())

    def delete(self) -> None:
        async def delete() -> None:
            import nats  # noqa: PLC0415
            from nats.js.errors import NotFoundError  # noqa: PLC0415

            nc = await nats.connect(self.url)
            try:
                with contextlib.suppress(NotFoundError):  # never made
                    await nc.jetstream().delete_stream(self.name)
            finally:
                await nc.close()

        asyncio.run(delete())


@pytest.fixture
def stream() -> Iterator[Stream]:
    made = Stream(nats_url())
    yield made
    made.delete()


def assert_each_entity_in_order(
    messages: Sequence[tuple[int, str, dict[str, str], dict[str, Any]]],
    expected: dict[str, list[tuple[int, str]]],
) -> None:
    """Each committed event is in the stream once, and each entity's in version order."""
    ids = [body["id"] for _, _, _, body in messages]
    assert len(ids) == len(set(ids))
    by_stream: dict[str, list[tuple[int, str]]] = defaultdict(list)
    for _, _, _, body in messages:
        by_stream[body["entity_id"]].append((body["version"], body["id"]))
    by_stream.pop("checkpoint", None)
    assert by_stream == expected


class TestNats:
    def test_a_mixed_week_arrives_once_per_event_id_routed_by_kind_and_trigger(
        self, stream: Stream, tmp_path: Path
    ) -> None:
        office, clock = office_on(url_for("sqlite", tmp_path))
        with office, stream.sink() as sink:
            mixed_week(office, clock)
            report = office.relay([sink])
            assert report.failing == ()
            messages = stream.messages()
            assert_each_entity_in_order(messages, committed_events(office))
            assert len(messages) == report.delivered == office.outbox.head
            for _, subject, headers, body in messages:
                assert subject == ".".join(
                    (stream.prefix, body["entity_kind"], body["type"], body["trigger"])
                )
                assert headers["Nats-Msg-Id"] == body["id"]
                assert int(headers["Secretarial-Position"]) == body["position"]
            # A refused command publishes nothing; a repeated publish is dropped by id.
            doc = receive_notice(office, "另一份通知")
            with pytest.raises(TransitionNotAllowed):
                office.fire(doc, "approve", by=CLERK)
            assert office.relay([sink]).delivered == 1
            with office.outbox_relay([sink]) as relay:
                relay.rewind("nats")
                assert relay.drain().delivered == len(messages) + 1
            assert stream.count() == len(messages) + 1

    def test_a_relay_killed_mid_delivery_resumes_without_loss_or_disorder(
        self, stream: Stream, tmp_path: Path
    ) -> None:
        """SIGKILL while it publishes; the next relay redelivers from the recorded positions."""
        path = tmp_path / "office.db"
        office, clock = office_on(f"sqlite:///{path}")
        with office:
            mixed_week(office, clock, days=5)
            for n in range(300):
                receive_notice(office, f"批量通知{n}")
            expected = committed_events(office)
            total = office.outbox.head
        command = [
            sys.executable, "-m", "secretarial", "relay", "--db", str(path),
            "--nats", stream.url, "--stream", stream.name, "--subject-prefix", stream.prefix,
            "--batch", "2",
        ]  # fmt: skip
        first = subprocess.Popen(  # noqa: S603 -- our interpreter, our command
            command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
        )
        deadline = time.monotonic() + 60
        while stream.count() < total // 4:
            assert time.monotonic() < deadline, "the relay published nothing"
            time.sleep(0.01)
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=30)
        if first.stderr is not None:
            first.stderr.close()
        published = stream.count()
        assert published < total
        again = subprocess.run(  # noqa: S603 -- our interpreter, our command
            [*command, "--once"], capture_output=True, text=True, timeout=120, check=False
        )
        assert again.returncode == 0, again.stderr
        messages = stream.messages()
        assert len(messages) == total  # the repeats were dropped by their ids
        assert_each_entity_in_order(messages, expected)

    def test_two_relays_on_postgresql_never_deliver_one_partition_at_once(
        self, stream: Stream, tmp_path: Path
    ) -> None:
        """Two relay processes while four writers commit; each event once, in order."""
        url = postgres_url()
        from conftest import reset_postgres  # noqa: PLC0415

        reset_postgres(url)
        office, _ = office_on(url)
        log, stop = tmp_path / "deliveries.jsonl", tmp_path / "stop"
        worker = [sys.executable, str(ROOT / "tests" / "relay_worker.py"), url]
        worker += [stream.url, stream.name, stream.prefix, str(log), str(stop)]
        relays = [
            subprocess.Popen(  # noqa: S603 -- our interpreter, our script
                worker,
                stderr=subprocess.PIPE,
            )
            for _ in range(2)
        ]  # fmt: skip
        try:
            with office:
                writers = [
                    subprocess.Popen([sys.executable, __file__, "write", url, str(n)])  # noqa: S603
                    for n in range(4)
                ]
                for w in writers:
                    assert w.wait(timeout=300) == 0
                expected = committed_events(office)
                stop.touch()
                for r in relays:
                    _, err = r.communicate(timeout=300)
                    assert r.returncode == 0, err
                deliveries = [json.loads(line) for line in log.read_text().splitlines()]
                assert {d["pid"] for d in deliveries} == {r.pid for r in relays}
                given = [i for d in deliveries for i in d["ids"]]
                assert len(given) == len(set(given)) == office.outbox.head
                assert_no_partition_delivered_twice_at_once(
                    [(d["pid"], d["partition"], d["began"], d["ended"]) for d in deliveries]
                )
                assert_each_entity_in_order(stream.messages(), expected)
        finally:
            for r in relays:
                if r.poll() is None:
                    r.kill()
                    r.wait()


def _write(url: str, n: int) -> None:
    """One writer process: documents received and moved on, each a few commits."""
    with Office.open(url, create=False) as office:
        for k in range(25):
            doc = receive_notice(office, f"进程{n}的通知{k}")
            doc = office.fire(doc, "register", by=CLERK, number=f"收〔2025〕{n * 100 + k + 1}号")
            if k % 3 == 0:
                office.fire(doc, "screen", by=DIRECTOR)


if __name__ == "__main__" and sys.argv[1:2] == ["write"]:
    _write(sys.argv[2], int(sys.argv[3]))
