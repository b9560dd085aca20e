"""A sink that publishes the outbox to NATS JetStream (extra ``nats``: nats-py).

Each event is published to the subject ``<prefix>.<kind>.<type>.<trigger>``
(``secretarial.incoming_document.transition.assign``), so that a consumer subscribes by
kind and trigger with NATS wildcards (``secretarial.incoming_document.>``,
``secretarial.*.escalation.>``). The message is the event's JSON (docs/events.md), with
the headers ``Nats-Msg-Id`` (the event id: JetStream drops a repeat published within the
stream's duplicate window), ``Secretarial-Position``, ``Secretarial-Partition`` and
``Secretarial-Schema``.

:meth:`NatsSink.deliver` returns once JetStream has acknowledged every message of the
batch (it is stored in the stream). One entity's events are published one after the
other, each after the previous one's acknowledgement, so they are stored in their
order; different entities' events are published side by side.

nats-py is asynchronous: the sink runs its own event loop in a thread of its own, so a
relay (which is synchronous) calls it like any other sink.
"""

from __future__ import annotations

import asyncio
import re
import threading
from collections.abc import Coroutine, Sequence
from typing import Any, Final, Self, TypeVar

from secretarial.engine._relay import Subscription
from secretarial.errors import FieldProblem, MissingExtraError, ValidationError
from secretarial.kernel._enums import Classification
from secretarial.kernel._outbox import OUTBOX_SCHEMA, OutboxMessage

__all__ = ["NatsSink"]

T = TypeVar("T")

_TOKEN: Final = re.compile(r"[^A-Za-z0-9_-]")
"""What a subject token may not hold (NATS splits on dots and reserves ``*`` and ``>``)."""


def _token(text: str) -> str:
    return _TOKEN.sub("_", text) or "_"


class NatsSink:
    """Delivers outbox events to a JetStream stream (see the module's documentation).

    Args:
        url: The NATS server (``nats://127.0.0.1:4222``).
        name: The sink's name, which its positions are recorded under.
        stream: The JetStream stream; made (over ``<prefix>.>``) if it does not exist.
        subject_prefix: The first token of every subject.
        clearance: What the consumers of the stream are cleared for: events of entities
            classified above it are published withheld.
        subscription: Which events are published.
        duplicate_window: Seconds within which JetStream drops a repeated event id, for
            a stream this sink makes.
        timeout: Seconds to wait for the server: to connect, and for each
            acknowledgement.

    Raises:
        MissingExtraError: nats-py is not installed (``pip install 'secretarial[nats]'``).
        ValidationError: The prefix or the stream name cannot be used.
    """

    def __init__(
        self,
        url: str = "nats://127.0.0.1:4222",
        *,
        name: str = "nats",
        stream: str = "SECRETARIAL",
        subject_prefix: str = "secretarial",
        clearance: Classification = Classification.UNCLASSIFIED,
        subscription: Subscription | None = None,
        duplicate_window: float = 120.0,
        timeout: float = 10.0,
    ) -> None:
        try:
            import nats  # noqa: F401, PLC0415 -- the extra, loaded when a sink is made
        except ModuleNotFoundError as e:
            raise MissingExtraError(e.name or "nats", "nats", "The NATS sink") from e
        problems = [
            FieldProblem(field, "nats_token", f"{value!r} cannot be used", accepted)
            for field, value, accepted in (
                ("subject_prefix", subject_prefix, "letters, digits, '_' and '-', dot-separated"),
                ("stream", stream, "letters, digits, '_' and '-'"),
            )
            if not value
            or not re.fullmatch(r"[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*", value)
            or (field == "stream" and "." in value)
        ]
        if problems:
            raise ValidationError("NatsSink", problems)
        self.url = url
        self.name = name
        self.stream = stream
        self.subject_prefix = subject_prefix
        self.clearance = clearance
        self.subscription = subscription or Subscription()
        self._window = duplicate_window
        self._timeout = timeout
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(
            target=self._loop.run_forever, name=f"secretarial-nats-{name}", daemon=True
        )
        self._thread.start()
        self._nc: Any = None
        self._js: Any = None

    def subject(self, message: OutboxMessage) -> str:
        """The subject ``message`` is published to."""
        return ".".join(
            (
                self.subject_prefix,
                _token(message.kind),
                _token(message.type),
                _token(message.trigger),
            )
        )

    def deliver(self, messages: Sequence[OutboxMessage]) -> None:
        """Publish ``messages`` and wait for JetStream to acknowledge them all.

        Raises:
            Exception: What nats-py raised (no connection, a timeout, the stream
                refused): the relay delivers the batch again later.
        """
        self._run(self._publish(messages))

    def close(self) -> None:
        """Close the connection and stop the sink's thread."""
        if self._loop.is_closed():
            return
        if self._nc is not None:
            self._run(self._nc.close())
            self._nc = None
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=5)
        self._loop.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"<NatsSink {self.name}: {self.url} stream {self.stream}>"

    # ------------------------------------------------------------------ on the loop
    def _run(self, work: Coroutine[Any, Any, T]) -> T:
        return asyncio.run_coroutine_threadsafe(work, self._loop).result()

    async def _connected(self) -> Any:
        if self._js is not None and self._nc is not None and self._nc.is_connected:
            return self._js
        import nats  # noqa: PLC0415
        from nats.js.errors import NotFoundError  # noqa: PLC0415

        if self._nc is not None:
            await self._nc.close()
        self._nc = await nats.connect(
            self.url,
            connect_timeout=self._timeout,
            max_reconnect_attempts=3,
            allow_reconnect=True,
            name=f"secretarial relay ({self.name})",
        )
        js = self._nc.jetstream(timeout=self._timeout)
        try:
            await js.stream_info(self.stream)
        except NotFoundError:
            await js.add_stream(
                name=self.stream,
                subjects=[f"{self.subject_prefix}.>"],
                duplicate_window=self._window,
            )
        self._js = js
        return js

    async def _publish(self, messages: Sequence[OutboxMessage]) -> None:
        js = await self._connected()
        streams: dict[str, list[OutboxMessage]] = {}
        for message in messages:
            streams.setdefault(message.stream, []).append(message)

        async def one_stream(batch: list[OutboxMessage]) -> None:
            for message in batch:
                await js.publish(
                    self.subject(message),
                    message.body,
                    timeout=self._timeout,
                    stream=self.stream,
                    headers={
                        "Nats-Msg-Id": message.id,
                        "Secretarial-Position": str(message.position),
                        "Secretarial-Partition": str(message.partition),
                        "Secretarial-Schema": str(OUTBOX_SCHEMA),
                    },
                )

        results = await asyncio.gather(
            *(one_stream(batch) for batch in streams.values()), return_exceptions=True
        )
        for result in results:
            if isinstance(result, BaseException):
                raise result
