"""The daily brief (每日工作提示): what one person must act on today, most urgent first.

"From passive to active service": instead of waiting to be asked, the office tells each
person what is overdue, what is at risk of being late and why (:mod:`secretarial.risk`),
what is waiting for them, what falls due today and this week, which meetings they sit in
today and which periodic reports are due.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, tzinfo
from typing import Any

from secretarial.errors import CalendarCoverageError
from secretarial.information._model import InformationItem
from secretarial.kernel._calendar import WorkCalendar
from secretarial.kernel._entity import Entity
from secretarial.kernel._enums import ReminderKind, Role, Urgency
from secretarial.kernel._recurrence import Occurrence
from secretarial.kernel._reminders import DueReminder
from secretarial.kernel._values import Actor
from secretarial.kernel._verbs import handed_to
from secretarial.kernel._workflow import Workflow
from secretarial.meetings._model import Meeting
from secretarial.reminders import ReminderPolicy, due_reminders
from secretarial.risk import RiskAssessment
from secretarial.supervision._model import SupervisionItem

__all__ = [
    "Brief",
    "BriefItem",
    "BriefSection",
    "build_brief",
    "emergency_section",
    "progress_reports_due",
]


@dataclass(frozen=True, slots=True)
class BriefItem:
    """One line of a brief.

    Attributes:
        entity_id: The record concerned.
        kind: Its kind's label (收文, 督办事项 ...).
        title: Its title or requirement.
        detail: What is asked, or when it is due, in words.
        due: The day it is due, if it has one.
        actions: The triggers the person may fire on it now (none for a step handed to
            them that their roles do not let them move on).
    """

    entity_id: str
    kind: str
    title: str
    detail: str
    due: date | None = None
    actions: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class BriefSection:
    """A titled group of lines (a plugin may add its own)."""

    key: str
    title: str
    items: tuple[BriefItem, ...] = ()


@dataclass(frozen=True, slots=True)
class Brief:
    """A person's brief for one day, rendered as text, Markdown or HTML."""

    actor: Actor
    day: date
    sections: tuple[BriefSection, ...] = field(default=())

    def section(self, key: str) -> BriefSection | None:
        """The section with ``key`` (``waiting``, ``due_today`` ...), if present."""
        return next((s for s in self.sections if s.key == key), None)

    @property
    def is_empty(self) -> bool:
        """Whether nothing at all is asked of the person today."""
        return not any(s.items for s in self.sections)

    def _heading(self) -> str:
        return f"{self.actor.name}（{self.actor.id}）{self.day.isoformat()} 工作提示"

    def to_text(self) -> str:
        """Plain text, one line per item."""
        lines = [self._heading()]
        for s in self.sections:
            if not s.items:
                continue
            lines.append("")
            lines.append(f"{s.title}（{len(s.items)}）")
            lines.extend(
                f"  - [{i.kind}] {i.title} — {i.detail}"
                + (f"（可办理：{'、'.join(i.actions)}）" if i.actions else "")
                for i in s.items
            )
        if self.is_empty:
            lines.append("今日无待办事项。")
        return "\n".join(lines)

    def to_markdown(self) -> str:
        """Markdown: a heading per section, a list per item."""
        parts = [f"# {self._heading()}"]
        for s in self.sections:
            if not s.items:
                continue
            parts.append(f"\n## {s.title}\n")
            for i in s.items:
                actions = f" · `{'` `'.join(i.actions)}`" if i.actions else ""
                parts.append(f"- **{i.title}** ({i.kind} {i.entity_id}) — {i.detail}{actions}")
        if self.is_empty:
            parts.append("\n今日无待办事项。")
        return "\n".join(parts) + "\n"

    def to_html(self) -> str:
        """HTML with every text escaped."""
        e = html.escape
        parts = [f"<section><h1>{e(self._heading())}</h1>"]
        for s in self.sections:
            if not s.items:
                continue
            parts.append(f"<h2>{e(s.title)}</h2><ul>")
            for i in s.items:
                actions = f" <small>{e('、'.join(i.actions))}</small>" if i.actions else ""
                parts.append(
                    f"<li><strong>{e(i.title)}</strong> ({e(i.kind)} {e(i.entity_id)}) — "
                    f"{e(i.detail)}{actions}</li>"
                )
            parts.append("</ul>")
        if self.is_empty:
            parts.append("<p>今日无待办事项。</p>")
        parts.append("</section>")
        return "".join(parts)

    def _repr_html_(self) -> str:
        return self.to_html()

    def __str__(self) -> str:
        return self.to_text()


def _title(entity: Entity) -> str:
    return str(getattr(entity, "title", None) or getattr(entity, "requirement", "") or entity.id)


def _urgency_rank(entity: Entity, day: date) -> tuple[int, date, str]:
    """Overdue first, then by deadline, urgent documents before others."""
    deadline = entity.deadline or date.max
    urgent = getattr(entity, "urgency", None) in (Urgency.EXTRA_URGENT, Urgency.URGENT)
    overdue = entity.is_overdue(day)
    return (0 if overdue else 1 if urgent else 2, deadline, entity.id)


def _provisional(entity: Entity) -> str:
    """``（暂定：2027年安排未公布）`` for a provisional deadline, else nothing."""
    mark = getattr(entity, "deadline_provisional", None)
    if mark is None:
        return ""
    return f"（暂定：{'、'.join(map(str, mark.years))}年安排未公布）"


def _due_detail(entity: Entity, day: date) -> str:
    if entity.deadline is None:
        return "无期限"
    if entity.is_overdue(day):
        return f"已逾期 {(day - entity.deadline).days} 天（期限 {entity.deadline.isoformat()}）"
    if entity.deadline == day:
        return "今日到期" + _provisional(entity)
    return f"期限 {entity.deadline.isoformat()}{_provisional(entity)}"


def _handed_to_actor(entity: Entity, actor: Actor) -> bool:
    """Whether the entity's step was handed to the actor or their unit (转办, 退回, 会签)."""
    handed = handed_to(entity)
    return actor.id in handed or (actor.unit is not None and actor.unit.code in handed)


def _concerns(entity: Entity, actor: Actor) -> bool:
    """Whether a deadline on ``entity`` is the actor's business."""
    if Role.SUPERVISOR in actor.roles or Role.OFFICE_DIRECTOR in actor.roles:
        return True
    if _handed_to_actor(entity, actor):
        return True
    people = {
        getattr(entity, "assignee", None),
        getattr(entity, "chaser", None),
        getattr(entity, "instructed_by", None),
        entity.created_by,
    }
    if actor.id in people:
        return True
    lead = getattr(entity, "lead_unit", None)
    return bool(lead is not None and actor.unit is not None and lead.code == actor.unit.code)


def build_brief(
    actor: Actor,
    day: date,
    *,
    entities: Sequence[Entity],
    workflows: Callable[[Entity], Workflow[Any]],
    now: datetime,
    timezone: tzinfo,
    meetings_today: Iterable[tuple[Meeting, Occurrence]] = (),
    reports_due: Iterable[tuple[Entity, Any]] = (),
    extra_sections: Iterable[BriefSection] = (),
    at_risk: Iterable[RiskAssessment] = (),
) -> Brief:
    """Assemble ``actor``'s brief for ``day`` from the open entities they may see.

    Args:
        actor: Whose brief.
        day: The day, in the office's time zone.
        entities: The open entities the actor may see.
        workflows: The workflow of an entity (to ask what the actor may fire on it).
        now: The moment the brief is made.
        timezone: The office's time zone.
        meetings_today: The sittings on ``day`` (the brief keeps the actor's own).
        reports_due: ``(item, due reminder)`` pairs for periodic progress reports due.
        extra_sections: Sections contributed by plugins, added at the end.
        at_risk: The assessments of matters at risk of lateness, highest score first:
            those among ``entities`` that concern the actor and are not late already
            come right after what is overdue and before everything else (section
            ``at_risk``), each with its level, score and reasons.
    """
    week_end = day + timedelta(days=7)
    waiting: list[tuple[tuple[int, date, str], BriefItem]] = []
    today: list[tuple[tuple[int, date, str], BriefItem]] = []
    week: list[tuple[tuple[int, date, str], BriefItem]] = []
    overdue: list[tuple[tuple[int, date, str], BriefItem]] = []
    provisional: list[tuple[tuple[int, date, str], BriefItem]] = []
    for entity in entities:
        rank = _urgency_rank(entity, day)
        kind = entity.entity_kind.label
        workflow = workflows(entity)
        actions = tuple(
            t for t in workflow.available_triggers(entity, actor, now=now) if workflow.awaited(t)
        )
        detail = _due_detail(entity, day)
        if actions or _handed_to_actor(entity, actor):
            state = getattr(entity.state, "label", str(entity.state))
            waiting.append(
                (
                    rank,
                    BriefItem(
                        entity.id,
                        kind,
                        _title(entity),
                        f"{state}；{detail}",
                        entity.deadline,
                        actions,
                    ),
                )
            )
        if entity.deadline is None or not _concerns(entity, actor):
            continue
        item = BriefItem(entity.id, kind, _title(entity), detail, entity.deadline)
        if _provisional(entity) and (
            Role.SUPERVISOR in actor.roles or Role.OFFICE_DIRECTOR in actor.roles
        ):
            provisional.append((rank, item))
        if entity.is_overdue(day):
            overdue.append((rank, item))
        elif entity.deadline == day:
            today.append((rank, item))
        elif entity.deadline <= week_end:
            week.append((rank, item))
    sittings = [
        BriefItem(
            meeting.id,
            meeting.entity_kind.label,
            meeting.title,
            f"{occurrence.start.astimezone(timezone):%H:%M}–"
            f"{occurrence.end.astimezone(timezone):%H:%M} {meeting.room or ''}".strip(),
        )
        for meeting, occurrence in meetings_today
        if Role.CLERK in actor.roles
        or actor.id in {a.actor_id for a in meeting.attendees}
        or (meeting.chair is not None and meeting.chair.actor_id == actor.id)
    ]
    reports = [
        BriefItem(item.id, item.entity_kind.label, _title(item), str(due.message), due.due)
        for item, due in reports_due
        if due.kind is ReminderKind.REPORT_DUE and _concerns(item, actor)
    ]

    def ordered(rows: list[tuple[tuple[int, date, str], BriefItem]]) -> tuple[BriefItem, ...]:
        return tuple(item for _, item in sorted(rows, key=lambda r: r[0]))

    shown = {entity.id: entity for entity in entities}
    risky = tuple(
        BriefItem(
            found.id,
            found.entity_kind.label,
            _title(found),
            assessment.summary,
            assessment.deadline,
        )
        for assessment in at_risk
        if assessment.at_risk
        and assessment.deadline >= day  # what is late already is listed as overdue
        and (found := shown.get(assessment.entity_id)) is not None
        and _concerns(found, actor)
    )
    sections = (
        BriefSection("overdue", "已逾期 Overdue", ordered(overdue)),
        BriefSection("at_risk", "逾期风险 At risk of being late", risky),
        BriefSection("waiting", "待您办理 Waiting for you", ordered(waiting)),
        BriefSection("due_today", "今日到期 Due today", ordered(today)),
        BriefSection("meetings", "今日会议 Meetings today", tuple(sittings)),
        BriefSection("reports_due", "应报进展 Progress reports due", tuple(reports)),
        BriefSection("due_this_week", "七日内到期 Due within a week", ordered(week)),
        BriefSection(
            "provisional_deadlines",
            "暂定期限 Provisional deadlines to confirm",
            ordered(provisional),
        ),
        *extra_sections,
    )
    return Brief(actor, day, sections)


def progress_reports_due(
    entities: Iterable[Entity],
    *,
    policy: ReminderPolicy,
    calendar: Callable[[], WorkCalendar],
    day: date,
    timezone: tzinfo,
    accepted_on: Callable[[SupervisionItem], date | None],
) -> list[tuple[Entity, DueReminder]]:
    """The periodic progress reports due on ``day``, item by item.

    Each item's report cycle counts from the day it was accepted (``accepted_on``, read
    from its audit trail), or from its opening. An item whose schedule reaches past the
    calendar's coverage is left out: the brief never guesses.
    """
    due: list[tuple[Entity, DueReminder]] = []
    read: list[WorkCalendar] = []  # the calendar, asked for once and only if needed
    for item in entities:
        if not isinstance(item, SupervisionItem) or not policy.reports_expected(item):
            continue
        if not read:
            read.append(calendar())
        try:
            found = due_reminders(
                item, policy, read[0], day, tz=timezone, cycle_start=accepted_on(item)
            )
        except CalendarCoverageError:
            continue
        due += [(item, d) for d in found]
    return due


def emergency_section(
    entities: Iterable[Entity], late: Mapping[str, Sequence[str]]
) -> BriefSection:
    """The open emergency information items still without their final report (I1).

    ``late`` names, by item id, the time limits it has already missed.
    """
    return BriefSection(
        "emergencies",
        "突发事件 Emergencies open",
        tuple(
            BriefItem(
                item.id,
                item.entity_kind.label,
                item.title,
                "、".join(late.get(item.id, ())) or "待终报",
            )
            for item in entities
            if isinstance(item, InformationItem) and item.emergency and item.final_report is None
        ),
    )
