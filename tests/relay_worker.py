"""A relay process for the tests: delivers an office's outbox to NATS and says how.

``python tests/relay_worker.py URL NATS STREAM PREFIX LOG STOP`` relays the office at URL
to the JetStream stream until the file STOP exists and nothing is left to deliver. Each
batch it hands the broker is written to LOG (one JSON line: this process, the partition,
the event ids, and the wall-clock moments the delivery began and ended), so that the test
can show that no two relays delivered one partition at once.
"""

from __future__ import annotations

import json
import os
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from secretarial import Classification, Office, OutboxMessage, Subscription
from secretarial.adapters import NatsSink


class Recording:
    """Publishes through a NATS sink and logs each batch with its time span."""

    def __init__(self, inner: NatsSink, log: Path) -> None:
        self.inner = inner
        self.name = inner.name
        self.clearance: Classification = inner.clearance
        self.subscription: Subscription = inner.subscription
        self.log = log.open("a", encoding="utf-8")

    def deliver(self, messages: Sequence[OutboxMessage]) -> None:
        began = time.time()
        self.inner.deliver(messages)
        ended = time.time()
        line = {
            "pid": os.getpid(),
            "partition": messages[0].partition,
            "ids": [m.id for m in messages],
            "began": began,
            "ended": ended,
        }
        self.log.write(json.dumps(line) + "\n")
        self.log.flush()


def main(url: str, nats: str, stream: str, prefix: str, log: str, stop: str) -> None:  # noqa: PLR0917
    sink = Recording(NatsSink(nats, stream=stream, subject_prefix=prefix), Path(log))
    with Office.open(url, create=False) as office, office.outbox_relay([sink], batch=20) as relay:
        while True:
            stopping = Path(stop).exists()  # read before the pass: it sees what was committed
            report = relay.run_once()
            if report.delivered == 0:
                if stopping:
                    break
                time.sleep(0.02)
    sink.inner.close()


if __name__ == "__main__":
    main(*sys.argv[1:7])
