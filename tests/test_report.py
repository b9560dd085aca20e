"""The weekly report: its sections, what a reader may see, escaping, offline, in a browser."""

from __future__ import annotations

import base64
import contextlib
import html
import io
import json
import os
import queue
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from conftest import CLERK, DIRECTOR, PRINCIPAL, SUPERVISOR, UNIT_A, actor
from secretarial import Classification, Office, UsageError
from secretarial.cli import _demo, app
from secretarial.information._model import INFORMATION_OFFICER
from secretarial.report import CHARTS_HINT, Report, weekly_report
from secretarial.testing import FrozenClock

SECTIONS = (
    "figures",
    "supervision",
    "ledger",
    "overdue",
    "throughput",
    "timelines",
    "meetings",
    "information",
    "duty",
)
CLASSIFIED = "保密专项整治工作"
"""The requirement of a confidential supervision item."""
MARKUP = "<script>alert('督办')</script> & <b>加粗</b>"
"""Text an author typed that looks like markup."""
OFFICER = actor("info", INFORMATION_OFFICER)
UNCLEARED = actor("intern", clearance=Classification.UNCLASSIFIED)


def week_of(day: date) -> tuple[date, date]:
    """The Monday and Sunday of ``day``'s week."""
    monday = day - timedelta(days=day.weekday())
    return monday, monday + timedelta(days=6)


@pytest.fixture
def busy(office: Office, clock: FrozenClock) -> Office:
    """An office with an overdue confidential item, markup in a text, a shift, an adoption."""
    opened = []
    for requirement, classification in ((CLASSIFIED, "confidential"), (MARKUP, "unclassified")):
        item = office.supervision.open(
            by=SUPERVISOR,
            source="leader_instruction",
            requirement=requirement,
            received_at=office.now(),
            classification=classification,
        )
        opened.append(
            office.fire(
                item.id,
                "assign",
                by=SUPERVISOR,
                lead_unit={"code": "ZHK", "name": "综合<科>&"},
                deadline=office.today() + timedelta(days=1),
            )
        )
    clock.advance(timedelta(days=2))  # Sunday: both items are overdue from Monday on
    start = datetime.combine(office.today(), datetime.min.time(), office.timezone)
    people = [{"actor_id": a, "name": n} for a, n in (("li", "李文书"), ("wang", "王主任"))]
    office.duty.schedule(
        {"start": start, "end": start + timedelta(hours=12), "leader": people[1],
         "officers": [people[0]]},
        by=DIRECTOR,
    )  # fmt: skip
    info = office.information.collect(
        by=OFFICER,
        category="dynamics",
        title="我区推进老旧小区改造",
        body="今年以来，我区完成改造小区12个。",
        source="区住建局",
        reporting_unit=UNIT_A,
        author={"actor_id": "info", "name": "王信息"},
        contact_phone="0571-87654321",
    )
    for trigger, who, data in (
        ("screen", OFFICER, {}),
        ("edit", OFFICER, {}),
        ("approve", PRINCIPAL, {"opinion": "同意报送"}),
        ("submit", OFFICER, {"outlet": "市委办公室信息科", "outlet_level": "municipal"}),
        ("adopt", OFFICER, {"outlet_level": "municipal", "publication": "《每日要情》第12期"}),
    ):
        office.fire(info.id, trigger, by=who, **data)
    return office


def sources(page: str) -> list[str]:
    """Every ``src``, ``href`` and ``url(...)`` the page refers to."""
    attributes = re.findall(r"""\b(?:src|href)\s*=\s*["']?([^"'\s>]*)""", page, re.IGNORECASE)
    return attributes + re.findall(r"url\(\s*['\"]?([^)'\"]*)", page)


def section(report: Report, key: str) -> str:
    """The HTML of one section of the report."""
    return report.html.split(f'<section id="{key}">')[1].split("</section>")[0]


# ============================================================================ content
class TestContent:
    def test_every_section_is_there_in_order(self, demo_week: Office) -> None:
        """The demo's week: headings, the ledger, the meeting and its decisions, a chart each."""
        first, last = week_of(demo_week.today())
        report = weekly_report(demo_week, start=first, end=last)
        assert report.sections == SECTIONS
        page = report.html
        positions = [page.index(f'<section id="{key}">') for key in SECTIONS]
        assert positions == sorted(positions)
        assert page.startswith("<!DOCTYPE html>")
        assert '<html lang="zh-CN">' in page
        assert "督办台账" in page  # the ledger's own caption
        assert "区政府办公室主任办公会" in page  # the meeting that sat
        assert "各街道、各部门限期完成辖区安全隐患排查整治" in page  # and its decision
        meeting = next(m for m in demo_week.list(kind="meeting"))
        assert "、".join(getattr(meeting, "supervision_item_ids", ())) in page
        assert report.as_of == demo_week.today()

    def test_the_charts_are_inline_svg_with_ids_of_their_own(self, demo_week: Office) -> None:
        """Each chart is an SVG in the page; no two elements share an id."""
        pytest.importorskip("matplotlib")
        first, last = week_of(demo_week.today())
        report = weekly_report(demo_week, start=first, end=last)
        assert report.charts_drawn
        assert report.html.count("<svg") >= 4  # by unit, per day and the paths drawn
        assert "<?xml" not in report.html
        ids = re.findall(r'\bid="([^"]+)"', report.html)
        assert len(ids) == len(set(ids))
        assert CHARTS_HINT not in report.html

    def test_a_classified_item_is_hidden_from_an_uncleared_reader(self, busy: Office) -> None:
        """The confidential item is in the cleared reader's report, in no part of the other's."""
        first, last = week_of(busy.today())
        cleared = weekly_report(busy, start=first, end=last, by=CLERK)
        uncleared = weekly_report(busy, start=first, end=last, by=UNCLEARED)
        secret = next(e for e in busy.list() if getattr(e, "requirement", None) == CLASSIFIED)
        assert CLASSIFIED in cleared.html
        assert CLASSIFIED not in uncleared.html
        assert not re.search(rf"\b{re.escape(secret.id)}\b", uncleared.body)
        assert "intern" in uncleared.html  # it says whose view it is
        assert busy.denials() == []  # and it asked for nothing it was refused

    def test_the_sections_show_what_the_period_holds(self, busy: Office) -> None:
        """Overdue items with their days late, the shift, the information adopted that week."""
        first, last = week_of(busy.today())
        report = weekly_report(busy, start=first, end=last, by=CLERK)
        overdue = section(report, "overdue")
        assert CLASSIFIED in overdue
        assert "<td>1</td>" in overdue  # due on Saturday, judged on Sunday
        assert "《每日要情》第12期" in section(report, "information")
        assert "李文书" in section(report, "duty")
        following = weekly_report(busy, start=last + timedelta(days=1), end=last + timedelta(7))
        assert "No information was adopted." in section(following, "information")
        assert "No shift in the period." in section(following, "duty")

    def test_every_text_is_escaped(self, busy: Office) -> None:
        """What an author typed shows as text and never as markup, in tables and charts."""
        first, last = week_of(busy.today())
        page = weekly_report(busy, start=first, end=last).html
        assert "<script" not in page
        assert "<b>加粗</b>" not in page
        assert html.escape(MARKUP) in page
        assert "综合<科>" not in page
        assert "综合&lt;科&gt;&amp;" in page

    def test_it_fetches_nothing(self, busy: Office, demo_week: Office) -> None:
        """No script, no stylesheet or font to load: every reference is in the page."""
        for office in (busy, demo_week):
            first, last = week_of(office.today())
            page = weekly_report(office, start=first, end=last).html
            assert "<script" not in page
            assert "@import" not in page
            assert "@font-face" not in page
            for target in sources(page):
                assert target.startswith(("#", "data:")), target
            assert not re.search(r"""(?:src|href)\s*=\s*["']?\s*(?:https?:)?//""", page)

    def test_without_matplotlib_the_charts_are_tables(
        self, demo_week: Office, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """Without the charts extra each chart is its table, and the page says what to install."""
        monkeypatch.setitem(sys.modules, "matplotlib.figure", None)
        first, last = week_of(demo_week.today())
        report = weekly_report(demo_week, start=first, end=last)
        assert not report.charts_drawn
        assert "<svg" not in report.html
        assert html.escape(CHARTS_HINT) in report.html
        assert "<caption>supervision items by lead unit" in report.html
        assert "<caption>work per day</caption>" in report.html
        assert report.sections == SECTIONS

    def test_the_period_is_checked(self, busy: Office) -> None:
        """Days only, and the end not before the start; each error names the field."""
        day = busy.today()
        with pytest.raises(UsageError, match="start"):
            weekly_report(busy, start=busy.now(), end=day)  # type: ignore[arg-type]
        with pytest.raises(UsageError, match="end"):
            weekly_report(busy, start=day, end=day - timedelta(days=1))

    def test_write_and_jupyter(self, busy: Office, tmp_path: Path) -> None:
        """``write`` saves the page as UTF-8; Jupyter shows the fragment, styles scoped."""
        first, last = week_of(busy.today())
        report = weekly_report(busy, start=first, end=last, title="城南区 <周报>")
        written = report.write(tmp_path / "week.html")
        assert written.read_text(encoding="utf-8") == report.html == str(report)
        assert report._repr_html_() == report.body
        assert report.body.startswith("<style>")
        assert "<html" not in report.body
        assert "城南区 &lt;周报&gt;" in report.body
        style = report.body.split("</style>")[0].removeprefix("<style>")
        selectors = [
            s.strip() for r in re.findall(r"(?:^|})\s*([^{}@]+)\{", style) for s in r.split(",")
        ]
        assert len(selectors) > 10
        assert all(s.startswith(".secretarial-report") for s in selectors), selectors


# ============================================================================ command line
runner = CliRunner()


class TestCommand:
    def test_the_demo_links_its_report_and_report_writes_one(self, tmp_path: Path) -> None:
        """The demo writes its week's page beside the office; ``report`` writes others."""
        db = tmp_path / "office.db"
        result = runner.invoke(app, ["demo", "--db", str(db), "--days", "2"])
        assert result.exit_code == 0, result.stderr
        page = tmp_path / f"office-report-{_demo.FIRST_WEEK.isoformat()}.html"
        assert page.resolve().as_uri() in result.stdout
        assert "城南区人民政府办公室 工作周报" in page.read_text(encoding="utf-8")

        out = tmp_path / "liu.html"
        args = ["report", "--db", str(db), "--week", "2025-W45", "--by", "liu", "--out", str(out)]
        result = runner.invoke(app, args)
        assert result.exit_code == 0, result.stderr
        assert "2025-11-03 – 2025-11-09" in result.stdout
        text = out.read_text(encoding="utf-8")
        assert "刘秘书 (liu)" in text
        assert '<section id="ledger">' in text

        result = runner.invoke(
            app, ["report", "--db", str(db), "--from", "2025-11-04", "--to", "2025-11-04"]
        )
        assert result.exit_code == 0, result.stderr
        assert (tmp_path / "office-report-2025-11-04.html").exists()

    @pytest.mark.parametrize(
        ("args", "message"),
        [
            (["--from", "2025-11-04"], "--from and --to go together"),
            (["--week", "2025-W45", "--from", "2025-11-04", "--to", "2025-11-05"], "--week"),
            (["--week", "2025-W99"], "no week 99"),
            (["--week", "next"], "--week 'next' is not a date"),
            (["--from", "2025-11-05", "--to", "2025-11-01"], "--to 2025-11-01 is before"),
        ],
    )
    def test_a_bad_period_is_one_line(self, tmp_path: Path, args: list[str], message: str) -> None:
        """Each bad option is refused on one line naming it, exit 2, and nothing is written."""
        db = tmp_path / "office.db"
        assert runner.invoke(app, ["init", "--db", str(db)]).exit_code == 0
        result = runner.invoke(app, ["report", "--db", str(db), *args])
        assert result.exit_code == 2, result.stdout
        (line,) = result.stderr.splitlines()
        assert line.startswith("secretarial: bad_input: ")
        assert message in line
        assert not list(tmp_path.glob("*.html"))


# ============================================================================ in a browser
def _launch(executable: str, profile: Path) -> subprocess.Popen[str]:
    """Start a headless Chromium with its DevTools on a port of its choosing."""
    return subprocess.Popen(  # noqa: S603 -- the browser the test found
        [
            executable,
            "--headless",
            "--no-sandbox",  # the tests may run as root
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--no-first-run",
            "--no-default-browser-check",
            f"--user-data-dir={profile}",
            "--remote-debugging-port=0",
            "about:blank",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        # Debian's /usr/bin/chromium is a script that starts the browser as its child:
        # a group of its own lets the test end them all.
        start_new_session=True,
    )


def _devtools_address(process: subprocess.Popen[str]) -> str:
    """The browser's DevTools address, from the line it writes on standard error."""
    stream = process.stderr
    assert stream is not None
    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(target=lambda: [lines.put(line) for line in stream], daemon=True).start()
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and process.poll() is None:
        try:
            line = lines.get(timeout=0.5)
        except queue.Empty:
            continue
        if found := re.search(r"DevTools listening on (ws://\S+)", line):
            return found[1]
    raise AssertionError(f"chromium did not say where its DevTools listen (exit {process.poll()})")


def _stop(process: subprocess.Popen[str]) -> None:
    """End the browser the test started (its whole process group), and close its pipe."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=20)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:  # the browser's own processes, after the script
        try:
            os.killpg(process.pid, 0)
        except ProcessLookupError:
            break
        time.sleep(0.1)
    else:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
    if process.stderr is not None:
        process.stderr.close()


class _DevTools:
    """One page of a browser, driven over the DevTools protocol's websocket."""

    def __init__(self, socket: Any) -> None:
        self.socket = socket
        self.calls = 0
        self.events: list[dict[str, Any]] = []
        self.session = ""
        target = self.call("Target.createTarget", url="about:blank")["targetId"]
        attached = self.call("Target.attachToTarget", targetId=target, flatten=True)
        self.session = attached["sessionId"]
        for domain in ("Page", "Runtime", "Log", "Network"):
            self.call(f"{domain}.enable", session=True)

    def call(self, method: str, *, session: bool = False, **params: Any) -> dict[str, Any]:
        """Send a command (to the page if ``session``) and return its result."""
        self.calls += 1
        message: dict[str, Any] = {"id": self.calls, "method": method, "params": params}
        if session:
            message["sessionId"] = self.session
        self.socket.send(json.dumps(message))
        while True:
            reply = json.loads(self.socket.recv(timeout=60))
            if reply.get("id") == self.calls:
                assert "error" not in reply, (method, reply["error"])
                result: dict[str, Any] = reply["result"]
                return result
            self.events.append(reply)

    def open(self, url: str) -> None:
        """Load ``url`` in the page and wait until it has loaded."""
        self.events.clear()
        self.call("Page.navigate", session=True, url=url)
        deadline = time.monotonic() + 60
        while not any(e.get("method") == "Page.loadEventFired" for e in self.events):
            assert time.monotonic() < deadline, "the page did not load"
            self.events.append(json.loads(self.socket.recv(timeout=60)))

    def errors(self) -> list[str]:
        """The console errors, uncaught exceptions and failed loads since the page opened."""
        found = []
        for event in self.events:
            method, params = event.get("method"), event.get("params", {})
            if method == "Runtime.exceptionThrown":
                found.append(f"uncaught: {params['exceptionDetails'].get('text')}")
            elif method == "Runtime.consoleAPICalled" and params.get("type") in {
                "error",
                "assert",
            }:
                found.append(f"console.{params['type']}: {params.get('args')}")
            elif method == "Log.entryAdded" and params["entry"].get("level") == "error":
                found.append(f"log: {params['entry'].get('text')}")
            elif method == "Network.loadingFailed":
                found.append(f"failed to load: {params.get('errorText')}")
        return found

    def requests(self) -> list[str]:
        """Every URL the page asked for since it opened."""
        return [
            e["params"]["request"]["url"]
            for e in self.events
            if e.get("method") == "Network.requestWillBeSent"
        ]

    def evaluate(self, expression: str) -> Any:
        """The value of a JavaScript expression in the page."""
        reply = self.call("Runtime.evaluate", session=True, expression=expression)
        return reply["result"].get("value")


@pytest.fixture(scope="module")
def chromium(tmp_path_factory: pytest.TempPathFactory) -> Iterator[_DevTools]:
    """Debian's Chromium, headless; skips, saying how to get it, where it is missing."""
    executable = shutil.which("chromium") or shutil.which("chromium-browser")
    if executable is None:
        pytest.skip(
            "the browser test needs Chromium: install Debian's chromium "
            "(apt-get install chromium; .ci/run does)"
        )
    client = pytest.importorskip(
        "websockets.sync.client", reason="the browser test needs pip install -e '.[dev]'"
    )
    process = _launch(executable, tmp_path_factory.mktemp("chromium-profile"))
    try:
        address = _devtools_address(process)
        with client.connect(address, max_size=None, open_timeout=30) as socket:
            yield _DevTools(socket)
    finally:
        _stop(process)


@pytest.mark.slow
class TestInBrowser:
    WIDTH = 1280

    def test_the_page_renders_without_errors_and_fetches_nothing(
        self, chromium: _DevTools, demo_week: Office, tmp_path: Path
    ) -> None:
        """Opened from a file: no console error, only the file loaded, drawn, not blank."""
        image = pytest.importorskip("PIL.Image", reason="reading the screenshot needs pillow")
        first, last = week_of(demo_week.today())
        report: Report = weekly_report(demo_week, start=first, end=last, title="城南区 工作周报")
        page = report.write(tmp_path / "report.html")
        chromium.call(
            "Emulation.setDeviceMetricsOverride",
            session=True,
            width=self.WIDTH,
            height=900,
            deviceScaleFactor=1,
            mobile=False,
        )
        chromium.open(page.resolve().as_uri())
        assert chromium.errors() == []
        assert chromium.requests() == [page.resolve().as_uri()]
        assert chromium.evaluate("document.querySelectorAll('section').length") == len(SECTIONS)
        assert chromium.evaluate("document.title") == f"城南区 工作周报 {first} – {last}"
        if report.charts_drawn:
            assert chromium.evaluate("document.querySelectorAll('figure svg').length") >= 4
        # laid out to the window: nothing wider than it
        assert chromium.evaluate("document.documentElement.scrollWidth") <= self.WIDTH
        height = chromium.evaluate("document.documentElement.scrollHeight")
        assert height > 900

        shot = base64.b64decode(
            chromium.call(
                "Page.captureScreenshot",
                session=True,
                format="png",
                captureBeyondViewport=True,
                clip={"x": 0, "y": 0, "width": self.WIDTH, "height": height, "scale": 1},
            )["data"]
        )
        assert shot.startswith(b"\x89PNG\r\n\x1a\n")
        (tmp_path / "report.png").write_bytes(shot)
        picture = image.open(io.BytesIO(shot)).convert("RGB")
        assert picture.size == (self.WIDTH, height)
        colours = picture.getcolors(maxcolors=1 << 24) or []
        assert len(colours) > 16  # text, rules, bars: not a blank page
        white = max(count for count, colour in colours if colour == (255, 255, 255))
        assert white < 0.98 * picture.size[0] * picture.size[1]

        pdf = base64.b64decode(
            chromium.call("Page.printToPDF", session=True, paperWidth=8.27, paperHeight=11.69)[
                "data"
            ]
        )
        assert pdf.startswith(b"%PDF-")
        assert chromium.errors() == []

    def test_the_harness_sees_a_console_error(self, chromium: _DevTools, tmp_path: Path) -> None:
        """A page that logs an error and throws is caught: the check above can fail."""
        page = tmp_path / "broken.html"
        page.write_text(
            "<!DOCTYPE html><title>broken</title><script>console.error('seen');"
            "undefined_function();</script>",
            encoding="utf-8",
        )
        chromium.open(page.resolve().as_uri())
        errors = chromium.errors()
        assert any(e.startswith("console.error") and "seen" in e for e in errors), errors
        assert any(e.startswith("uncaught") for e in errors), errors
