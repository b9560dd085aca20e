"""The weekly report (工作周报): one self-contained HTML page a person can read or print.

:func:`weekly_report` reads what one reader may see of an office for a period and lays
it out on one page: the key figures, supervision by lead unit, the supervision ledger
(督办台账), the overdue matters and their ageing, the work per day, the paths of a few
records through their steps, the meetings that sat and what they decided, the
information adopted (信息采用) and the duty roster (值班表).

The charts are those of :mod:`secretarial.charts`, drawn with matplotlib as SVG and
inlined in the page, their text kept as text; without matplotlib (``pip install
'secretarial[charts]'``) each shows as its table and the page says how to get the
charts. The page loads nothing from anywhere: its stylesheet is inline, it has no
script, no font, no image to fetch, so it opens offline, from a mail attachment or a
shared folder, and prints on A4.

The module reads an office through :class:`ReportSource`, the few reads it needs (an
:class:`~secretarial.Office` is one), and never imports the office: it sits below the
office, just over the charts it draws.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo
from pathlib import Path
from typing import Any, Final, Protocol

from secretarial.charts import (
    _svg,
    daily_throughput,
    duty_calendar,
    overdue_ageing,
    supervision_status,
    timeline,
)
from secretarial.duty._model import DutyShift
from secretarial.errors import MissingExtraError, UsageError
from secretarial.information._model import InformationItem
from secretarial.kernel._audit import AuditEvent
from secretarial.kernel._display import html_table
from secretarial.kernel._entity import Entity
from secretarial.kernel._enums import EntityKind
from secretarial.kernel._recurrence import Occurrence
from secretarial.kernel._values import Actor
from secretarial.kernel._workflow import Workflow
from secretarial.meetings._model import Meeting
from secretarial.supervision._ledger import supervision_ledger
from secretarial.supervision._model import SupervisionItem

__all__ = ["CHARTS_HINT", "Report", "ReportSource", "weekly_report"]

CHARTS_HINT: Final = "pip install 'secretarial[charts]'"
"""What to install for the report's charts (matplotlib)."""

_TIMELINE_KINDS: Final = (
    EntityKind.INCOMING_DOCUMENT,
    EntityKind.OUTGOING_DOCUMENT,
    EntityKind.SUPERVISION_ITEM,
)
"""The kinds whose busiest record of the period gets its path drawn, when none is named."""
_MIN_HEIGHT: Final = 2.2
"""The least height of a chart, in inches."""


# ============================================================================ what it reads
class _DutyReader(Protocol):
    def roster(
        self,
        start: datetime | None = None,
        end: datetime | None = None,
        *,
        by: Actor | None = None,
    ) -> Iterable[DutyShift]: ...


class _AgendaReader(Protocol):
    def agenda(
        self, start: datetime, end: datetime, *, by: Actor | None = None
    ) -> Sequence[tuple[Meeting, Occurrence]]: ...


class ReportSource(Protocol):
    """What :func:`weekly_report` reads of an office; an :class:`~secretarial.Office` is one."""

    @property
    def timezone(self) -> tzinfo:
        """The office's time zone: days are counted in it."""

    @property
    def duty(self) -> _DutyReader:
        """The duty desk: ``roster(start, end, by=...)``."""

    @property
    def meetings(self) -> _AgendaReader:
        """The meetings desk: ``agenda(start, end, by=...)``."""

    def now(self) -> datetime:
        """The current time on the office's clock."""

    def list(self, *, by: Actor | None = None) -> Sequence[Entity]:
        """Every entity ``by`` may see."""

    def audit(self, entity: Entity | str, *, by: Actor | None = None) -> Sequence[AuditEvent]:
        """An entity's audit trail, creation first."""

    def workflow(self, kind: str) -> Workflow[Any]:
        """The workflow of a kind (its states' labels name the timeline's steps)."""


# ============================================================================ the report
@dataclass(frozen=True, slots=True)
class Report:
    """A weekly report: a whole HTML page, shown as itself in Jupyter.

    Attributes:
        title: The page's heading.
        start: The period's first day.
        end: Its last day.
        as_of: The day overdue is judged on: the period's end, or today if sooner.
        reader: Whose view it is (None: the office's own read, everything).
        sections: The keys of the sections, in order (``figures``, ``supervision``,
            ``ledger``, ``overdue``, ``throughput``, ``timelines``, ``meetings``,
            ``information``, ``duty``).
        charts_drawn: Whether the charts are pictures (matplotlib installed) rather
            than tables.
        body: The report as an HTML fragment, its stylesheet first (what Jupyter shows).
        html: The whole page: a self-contained HTML document.
    """

    title: str
    start: date
    end: date
    as_of: date
    reader: Actor | None
    sections: tuple[str, ...]
    charts_drawn: bool
    body: str
    html: str

    def write(self, path: str | Path) -> Path:
        """Write the page to ``path`` as UTF-8 and return the path.

        Raises:
            OSError: The file cannot be written.
        """
        target = Path(path)
        target.write_text(self.html, encoding="utf-8")
        return target

    def _repr_html_(self) -> str:
        return self.body

    def __str__(self) -> str:
        return self.html


def weekly_report(
    office: ReportSource,
    *,
    start: date,
    end: date,
    by: Actor | None = None,
    title: str | None = None,
    timelines: Sequence[str] | None = None,
) -> Report:
    """The report of ``start``–``end`` (days, both included) as ``by`` may see the office.

    What ``by`` may not see (a classified matter above their clearance, a shift that
    handed one over) is left out of every section and every count, as if it did not
    exist; without ``by`` the report is the office's own read. States and the ledger are
    as they are now; the period chooses what happened: the work per day, the records
    created, the meetings that sat, the information adopted, the shifts on duty. The
    ledger lists every supervision item opened by the period's end and not finished
    before it began.

    Args:
        office: The office (an :class:`~secretarial.Office`).
        start: The first day, in the office's time zone.
        end: The last day (at least ``start``).
        by: The reader.
        title: The heading (default: ``工作周报 Weekly report``).
        timelines: The records whose paths are drawn; by default the record of each of
            the incoming documents, outgoing documents and supervision items with the
            most acts in the period.

    Raises:
        UsageError: ``start`` or ``end`` is not a day, or ``end`` is before ``start``.
        NotFound: A record named in ``timelines`` does not exist, or ``by`` may not see it.
    """
    for name, value in (("start", start), ("end", end)):
        if type(value) is not date:
            raise UsageError(f"weekly_report needs a day for {name}, got {value!r}")
    if end < start:
        raise UsageError(f"weekly_report needs end on or after start; got start {start}, end {end}")
    zone = office.timezone
    now = office.now()
    as_of = min(end, now.astimezone(zone).date())
    first = datetime.combine(start, time(0, 0), tzinfo=zone)
    after = datetime.combine(end + timedelta(days=1), time(0, 0), tzinfo=zone)

    visible = list(office.list(by=by))
    touched = [e for e in visible if e.updated_at >= first and e.created_at < after]
    trails = {e.id: office.audit(e, by=by) for e in touched}
    items = [e for e in visible if isinstance(e, SupervisionItem)]
    in_ledger = [
        i
        for i in items
        if i.created_at < after and (i.is_open or i.updated_at >= first) and i.state != "cancelled"
    ]
    overdue = sorted(
        (e for e in visible if e.deadline is not None and e.is_overdue(as_of)),
        key=lambda e: (e.deadline or date.max, e.id),
    )
    sittings = list(office.meetings.agenda(first, after, by=by))
    adopted = sorted(
        (
            e
            for e in visible
            if isinstance(e, InformationItem)
            and e.adoption is not None
            and start <= e.adoption.at.astimezone(zone).date() <= end
        ),
        key=lambda e: (e.adoption.at if e.adoption else now, e.id),
    )
    roster = list(office.duty.roster(first, after, by=by))
    chosen = _busiest(touched, trails, first, after) if timelines is None else list(timelines)
    paths = [
        timeline(
            trail,
            as_of=now,
            workflow=office.workflow(trail[0].entity_kind) if trail else None,
            timezone=zone,
        )
        for trail in (trails.get(i) or office.audit(i, by=by) for i in chosen)
        if trail
    ]

    page = _Page()
    throughput = daily_throughput(trails.values(), start=start, end=end, timezone=zone)
    created = sum(throughput.created)
    page.section(
        "figures",
        "本期概况 At a glance",
        _figures(
            (
                ("新建 records created", created),
                ("办理 acts recorded", created + sum(throughput.moved) + sum(throughput.other)),
                ("在办督办 supervision items open", sum(i.is_open for i in items)),
                ("逾期 overdue", len(overdue)),
                ("会议 sittings", len(sittings)),
                ("采用信息 information adopted", len(adopted)),
            )
        ),
    )
    page.section(
        "supervision",
        "督查督办 Supervision by lead unit",
        page.chart(supervision_status(items, as_of=as_of), "supervision by lead unit")
        if items
        else _empty("No supervision items."),
    )
    page.section(
        "ledger",
        "督办台账 Supervision ledger",
        supervision_ledger(in_ledger, as_of=as_of, timezone=zone)._repr_html_()
        if in_ledger
        else _empty("No supervision item was open in the period."),
    )
    page.section(
        "overdue",
        f"逾期事项 Overdue on {as_of.isoformat()}",
        (
            page.chart(overdue_ageing(overdue, as_of=as_of), "overdue ageing")
            + _overdue_table(overdue, as_of)
        )
        if overdue
        else _empty("Nothing is overdue."),
    )
    page.section("throughput", "每日工作量 Work per day", page.chart(throughput, "work per day"))
    page.section(
        "timelines",
        "办理轨迹 Paths through the steps",
        "".join(page.chart(p, f"the path of {p.entity_id}") for p in paths)
        or _empty("No record moved in the period."),
    )
    page.section(
        "meetings",
        "会议及议定事项 Meetings and their decisions",
        "".join(_sitting(m, o, zone) for m, o in sittings)
        or _empty("No meeting sat in the period."),
    )
    page.section(
        "information",
        "信息采用 Information adopted",
        _adopted_table(adopted, zone) if adopted else _empty("No information was adopted."),
    )
    page.section(
        "duty",
        "值班安排 Duty roster",
        page.chart(duty_calendar(roster, timezone=zone), "duty roster")
        if roster
        else _empty("No shift in the period."),
    )
    heading = title or "工作周报 Weekly report"
    reader = (
        f"as {by.name} ({by.id}) may see it: what they may not see is left out"
        if by is not None
        else "the office's own read: everything recorded"
    )
    made = now.astimezone(zone).isoformat(timespec="minutes")
    body = page.render(
        heading,
        f"{start.isoformat()} – {end.isoformat()} · {reader} · made {made}",
    )
    return Report(
        title=heading,
        start=start,
        end=end,
        as_of=as_of,
        reader=by,
        sections=tuple(key for key, _ in page.parts),
        charts_drawn=not page.missing_charts,
        body=body,
        html=_document(f"{heading} {start.isoformat()} – {end.isoformat()}", body),
    )


def _busiest(
    touched: Sequence[Entity],
    trails: dict[str, Sequence[AuditEvent]],
    first: datetime,
    after: datetime,
) -> list[str]:
    """Per kind of :data:`_TIMELINE_KINDS`, the record with the most acts in the period."""
    chosen = []
    for kind in _TIMELINE_KINDS:
        acts = [
            (sum(first <= ev.at < after for ev in trails[e.id]), e.created_at, e.id)
            for e in touched
            if e.entity_kind is kind
        ]
        best = max(acts, key=lambda a: (a[0], -a[1].timestamp()), default=None)
        if best is not None and best[0] > 0:
            chosen.append(best[2])
    return chosen


# ============================================================================ the page
class _Drawable(Protocol):
    """A result of :mod:`secretarial.charts`: drawn with matplotlib, or shown as a table."""

    def plot(self, ax: Any = None) -> Any: ...

    def _repr_html_(self) -> str: ...


class _Page:
    """The sections of a report as they are laid out, and whether every chart was drawn."""

    def __init__(self) -> None:
        self.parts: list[tuple[str, str]] = []
        self.missing_charts = False
        self._charts = 0

    def section(self, key: str, title: str, content: str) -> None:
        """Add a section with ``title`` (escaped) and ``content`` (HTML already)."""
        self.parts.append(
            (
                key,
                f'<section id="{key}"><h2>{html.escape(title)}</h2>{content}</section>',
            )
        )

    def chart(self, result: _Drawable, label: str) -> str:
        """The chart as inline SVG, or its table if matplotlib is missing.

        A chart of one or two rows is drawn at least :data:`_MIN_HEIGHT` inches high, so
        its title, axis and legend have room.
        """
        try:
            figure = result.plot()
        except MissingExtraError:
            self.missing_charts = True
            return f'<div class="table">{result._repr_html_()}</div>'
        width, height = figure.get_size_inches()
        if height < _MIN_HEIGHT:
            figure.set_size_inches(width, _MIN_HEIGHT)
        svg = _svg(figure)
        self._charts += 1
        return (
            f'<figure role="img" aria-label="{html.escape(label)}">'
            f"{_inline_svg(svg, f'c{self._charts}-')}</figure>"
        )

    def render(self, heading: str, subtitle: str) -> str:
        """The report as a fragment: stylesheet, heading, contents, sections."""
        e = html.escape
        links = "".join(
            f'<li><a href="#{key}">{e(_title_of(part))}</a></li>' for key, part in self.parts
        )
        note = (
            '<p class="note">The charts show as tables: drawing them needs matplotlib '
            f"(<code>{e(CHARTS_HINT)}</code>).</p>"
            if self.missing_charts
            else ""
        )
        return (
            f"<style>{_STYLE}</style>"
            f'<article class="secretarial-report"><header><h1>{e(heading)}</h1>'
            f'<p class="period">{e(subtitle)}</p>{note}'
            f'<nav><ol class="contents">{links}</ol></nav></header>'
            + "".join(part for _, part in self.parts)
            + "</article>"
        )


_HEADING: Final = re.compile(r"<h2>(.*?)</h2>")


def _title_of(part: str) -> str:
    """The (unescaped) heading of a rendered section."""
    found = _HEADING.search(part)
    return html.unescape(found[1]) if found else ""


_PROLOG: Final = re.compile(r"\A.*?(?=<svg\b)", re.DOTALL)
_METADATA: Final = re.compile(r"<metadata>.*?</metadata>\s*", re.DOTALL)
_ID: Final = re.compile(r'\bid="([^"]+)"')
_REFERENCE: Final = re.compile(r"url\(#([^)]+)\)")
_LINK: Final = re.compile(r'((?:xlink:)?href)="#([^"]+)"')


def _inline_svg(svg: str, prefix: str) -> str:
    """A chart's SVG (matplotlib's) made ready to sit in HTML beside others.

    The XML prolog and the metadata go; every id (and what refers to one) takes
    ``prefix``, since several charts on one page each have their ``patch_1`` and clip
    paths.
    """
    svg = _METADATA.sub("", _PROLOG.sub("", svg, count=1))
    svg = _ID.sub(lambda m: f'id="{prefix}{m[1]}"', svg)
    svg = _REFERENCE.sub(lambda m: f"url(#{prefix}{m[1]})", svg)
    return _LINK.sub(lambda m: f'{m[1]}="#{prefix}{m[2]}"', svg)


def _empty(text: str) -> str:
    return f'<p class="empty">{html.escape(text)}</p>'


def _figures(pairs: Iterable[tuple[str, int]]) -> str:
    e = html.escape
    cells = "".join(f"<li><strong>{n}</strong>{e(label)}</li>" for label, n in pairs)
    return f'<ul class="figures">{cells}</ul>'


def _title(entity: Entity) -> str:
    for name in ("title", "requirement"):
        value = getattr(entity, name, None)
        if isinstance(value, str):
            return value
    return ""


def _state(entity: Entity) -> str:
    label = getattr(entity.state, "label", "")
    return f"{entity.state} {label}".strip()


def _overdue_table(entities: Sequence[Entity], as_of: date) -> str:
    return html_table(
        ["id", "kind", "title", "deadline", "days late", "state"],
        (
            [
                e.id,
                e.entity_kind.label,
                _title(e),
                e.deadline.isoformat() if e.deadline else "",
                (as_of - e.deadline).days if e.deadline else "",
                _state(e),
            ]
            for e in entities
        ),
        caption=f"{len(entities)} open matters past their deadline on {as_of.isoformat()}",
    )


def _sitting(meeting: Meeting, sitting: Occurrence, zone: tzinfo) -> str:
    e = html.escape
    begins = sitting.start.astimezone(zone)
    ends = sitting.end.astimezone(zone)
    facts = [f"{begins:%Y-%m-%d %H:%M}–{ends:%H:%M}"]
    if meeting.room:
        facts.append(meeting.room)
    if meeting.chair is not None:
        facts.append(f"主持 chair {meeting.chair.name}")
    facts.append(_state(meeting))
    parts = [f'<div class="meeting"><h3>{e(meeting.title)}</h3><p>{e(" · ".join(facts))}</p>']
    decisions = meeting.minutes.decisions if meeting.minutes is not None else ()
    if decisions:
        parts.append(
            html_table(
                ["议定事项 decision", "牵头单位 lead unit", "时限 deadline", "督办 follow-up"],
                (
                    [
                        d.text,
                        d.lead_unit.name if d.lead_unit is not None else "",
                        d.deadline.isoformat() if d.deadline else "",
                        "督办 to be supervised" if d.needs_follow_up else "无需督办 none",
                    ]
                    for d in decisions
                ),
                caption=f"{len(decisions)} decisions",
            )
        )
    elif meeting.minutes is None:
        parts.append(_empty("No minutes recorded yet."))
    if meeting.supervision_item_ids:
        opened = "、".join(meeting.supervision_item_ids)
        parts.append(f"<p>督办事项 supervision items opened: {e(opened)}</p>")
    parts.append("</div>")
    return "".join(parts)


def _adopted_table(items: Sequence[InformationItem], zone: tzinfo) -> str:
    rows = []
    for item in items:
        adoption = item.adoption
        if adoption is None:  # pragma: no cover -- only adopted items are listed
            continue
        rows.append(
            [
                item.id,
                item.title,
                item.reporting_unit.name,
                adoption.outlet_level.label,
                adoption.outlet or "",
                adoption.publication or "",
                adoption.at.astimezone(zone).date().isoformat(),
            ]
        )
    return html_table(
        ["id", "title", "reporting unit", "level", "outlet", "publication", "adopted on"],
        rows,
        caption=f"{len(rows)} items adopted",
    )


def _document(title: str, body: str) -> str:
    """A whole HTML page around ``body``; it fetches nothing (the icon is an empty one)."""
    return (
        '<!DOCTYPE html>\n<html lang="zh-CN"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        '<meta name="color-scheme" content="light">'
        '<link rel="icon" href="data:,">'
        f"<title>{html.escape(title)}</title></head><body>{body}</body></html>\n"
    )


_STYLE: Final = """
.secretarial-report{font-family:"Noto Sans CJK SC","Source Han Sans SC","PingFang SC",
"Hiragino Sans GB","Microsoft YaHei","WenQuanYi Micro Hei","Noto Sans",system-ui,sans-serif;
color:#1f2328;background:#fff;max-width:70rem;margin:0 auto;padding:1.5rem;line-height:1.55}
.secretarial-report h1{font-size:1.6rem;margin:0 0 .25rem}
.secretarial-report h2{font-size:1.2rem;border-bottom:2px solid #4c78a8;padding-bottom:.2rem;
margin:2rem 0 .75rem;break-after:avoid}
.secretarial-report h3{font-size:1rem;margin:1rem 0 .25rem}
.secretarial-report .period{color:#57606a;margin:0 0 1rem}
.secretarial-report .note{background:#fff8e1;border-left:4px solid #f2a900;padding:.5rem .75rem}
.secretarial-report .empty{color:#57606a;font-style:italic}
.secretarial-report .contents{columns:3;margin:0;padding-left:1.5rem}
.secretarial-report a{color:#0b5cad}
.secretarial-report .figures{display:flex;flex-wrap:wrap;gap:.75rem;list-style:none;padding:0}
.secretarial-report .figures li{border:1px solid #d0d7de;border-radius:6px;padding:.5rem 1rem;
min-width:9rem}
.secretarial-report .figures strong{display:block;font-size:1.6rem;color:#4c78a8}
.secretarial-report table{border-collapse:collapse;width:100%;font-size:.85rem;margin:.5rem 0 1rem}
.secretarial-report caption{text-align:left;font-weight:600;padding:.25rem 0;color:#57606a}
.secretarial-report th,.secretarial-report td{border:1px solid #d0d7de;padding:.25rem .45rem;
text-align:left;vertical-align:top}
.secretarial-report thead th{background:#eef2f7}
.secretarial-report table.secretarial-register{font-size:.78rem}
.secretarial-report tr,.secretarial-report figure{break-inside:avoid}
.secretarial-report figure{margin:.5rem 0 1rem}
.secretarial-report svg{max-width:100%;height:auto}
@media print{@page{size:A4;margin:14mm}
.secretarial-report{max-width:none;padding:0;font-size:10pt}
.secretarial-report nav{display:none}
.secretarial-report a{color:inherit;text-decoration:none}
.secretarial-report section{break-before:auto}}
"""
"""The report's stylesheet: every rule scoped to the report, so Jupyter's page keeps its own."""
