"""Risk, explained (逾期风险): how likely each open matter is to be late, and why.

Every open supervision item and every open document with a deadline is given a score
from 0 to 100 made of named parts, each a rule of :class:`RiskPolicy` applied to the
entity's audit trail and the working-day calendar: the working days left, how long no
progress was reported, how often the lead unit was late on its last closed matters, the
report requests still unanswered, escalations, extensions used or pending, and being
overdue already. Each part carries its points and its reason in words (Chinese, then
English); the score is their sum, capped at 100, and its level is ``low``, ``medium`` or
``high`` by the policy's two thresholds. Nothing is learnt or hidden: the parts are the
whole score (docs/risk.md).

The assessment is made as of a moment (``as_of``): only audit events recorded at or
before it are read, and an entity changed since is rolled back to what its events up to
then made of it (a replay), so a past day of an office can be assessed as it stood.

A matter whose result is in (a supervision item ``reported``, a document ``completed``
or ``dispatched``) is settled, on time or not, and is not assessed; neither is one
without a deadline. A classified matter's lateness counts only towards its own score:
a unit's record is made of its unclassified matters, so no reason ever tells anything of
a classified matter but its own, and a reader sees the assessments of what they may see.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, tzinfo
from typing import Any, Final, Literal, Protocol

from pydantic import AwareDatetime, ConfigDict, Field, ValidationInfo, field_validator
from pydantic_core import PydanticCustomError

from secretarial.documents._model import OutgoingDocument
from secretarial.errors import CalendarCoverageError
from secretarial.kernel._area import Registry
from secretarial.kernel._audit import AuditEvent
from secretarial.kernel._calendar import WorkCalendar
from secretarial.kernel._entity import Entity
from secretarial.kernel._enums import Classification, EntityKind, LabeledEnum, ReminderKind
from secretarial.kernel._values import Actor, KindName, Name, Value, checked_moment
from secretarial.kernel._workflow import Workflow
from secretarial.supervision._model import SupervisionItem

__all__ = [
    "RISK_KINDS",
    "RiskAssessment",
    "RiskFactor",
    "RiskLevel",
    "RiskPolicy",
    "RiskReport",
    "assess_risks",
    "risk_report",
]

RISK_KINDS: Final = frozenset(
    {EntityKind.SUPERVISION_ITEM, EntityKind.INCOMING_DOCUMENT, EntityKind.OUTGOING_DOCUMENT}
)
"""The kinds assessed: supervision items and documents, incoming and outgoing."""

_DONE_STATES: Final[Mapping[str, frozenset[str]]] = {
    EntityKind.SUPERVISION_ITEM.value: frozenset({"reported", "verified"}),
    EntityKind.INCOMING_DOCUMENT.value: frozenset({"completed", "filed"}),
    EntityKind.OUTGOING_DOCUMENT.value: frozenset({"dispatched", "filed"}),
}
"""The states in which a matter's result is in: reaching one settles whether it was late."""

_NEWS_TRIGGERS: Final = frozenset({"assign", "accept", "report_progress"})
"""What counts as news from a supervision item's undertaker: its assignment, its
acceptance (承办) and each progress report."""

_SILENT_ITEM_STATES: Final = frozenset({"assigned", "in_progress", "extension_requested"})
"""The states in which a supervision item's undertaker owes news."""

_REMIND: Final = "remind"


class RiskLevel(LabeledEnum):
    """How likely a matter is to be late: low 低, medium 中, high 高."""

    LOW = "low", "低"
    MEDIUM = "medium", "中"
    HIGH = "high", "高"

    @property
    def rank(self) -> int:
        """0 for low, 1 for medium, 2 for high: to compare levels."""
        return _RANKS[self.value]


_RANKS: Final = {"low": 0, "medium": 1, "high": 2}

FactorKey = Literal[
    "overdue",
    "time_left",
    "silence",
    "lead_unit_lateness",
    "requests_unanswered",
    "escalated",
    "extensions_used",
    "extension_pending",
]
"""The name of each rule of the score (docs/risk.md lists them with their points)."""


def _ordering_error(field: str, value: int, other: str, bound: int, word: str) -> Exception:
    return PydanticCustomError(
        "risk_thresholds_ordered",
        f"{field} ({value}) must be {word} {other} ({bound})",
        {"expected": f"{word} {other} ({bound})"},
    )


class RiskPolicy(Value):
    """The rules of the risk score: each factor's threshold and points, and the levels.

    The defaults are an office's plain practice, not a fitted model; change any of them.
    Working days are the office calendar's; "left" counts today (when a working day) and
    not the deadline day, as the reminder policy's ``before:N`` does.

    Attributes:
        overdue_points: A matter past its deadline without its result: it is late
            already (100, the whole scale).
        tight_days: At most this many working days left is tight (2: today and one more).
        tight_points: Points for a tight deadline (20): time alone never makes a matter
            at risk, it adds to what else is wrong.
        near_days: At most this many working days left is near (5: one working week).
        near_points: Points for a near deadline (10).
        silence_days: This many working days or more without news is silence (5: one
            working week, the shortest report cycle): for a supervision item, since its
            last progress report, its acceptance or its assignment; for a document,
            since the last step anyone took on it (reminders aside).
        silence_points: Points for silence (25).
        history_size: How many of the lead unit's last settled matters are looked at (6).
        history_min: The fewest settled matters a unit's record needs to count (3):
            one late matter of one is no habit.
        history_points: Points for a unit late on every one of them (40); a share
            earns that share of them, rounded half up (4 of 6: 27).
        request_points: Points per progress-report request (进展催报) recorded since
            the last news and still unanswered (10).
        request_cap: At most this many points for unanswered requests (20).
        escalation_points: Points for a matter already escalated (督办升级), under an
            earlier deadline (15).
        extension_points: Points per extension already granted (15): the first
            deadline was missed in the planning once already.
        extension_pending_points: Points while an extension is asked for and not
            decided (20): the undertaker says the deadline cannot be met.
        medium_from: The lowest score that is medium (30).
        high_from: The lowest score that is high (60), above ``medium_from``.
    """

    model_config = ConfigDict(**Value.model_config, validate_default=True)

    overdue_points: int = Field(default=100, ge=0, le=100)
    tight_days: int = Field(default=2, ge=0, le=250)
    tight_points: int = Field(default=20, ge=0, le=100)
    near_days: int = Field(default=5, ge=0, le=250)
    near_points: int = Field(default=10, ge=0, le=100)
    silence_days: int = Field(default=5, ge=1, le=250)
    silence_points: int = Field(default=25, ge=0, le=100)
    history_size: int = Field(default=6, ge=1, le=100)
    history_min: int = Field(default=3, ge=1, le=100)
    history_points: int = Field(default=40, ge=0, le=100)
    request_points: int = Field(default=10, ge=0, le=100)
    request_cap: int = Field(default=20, ge=0, le=100)
    escalation_points: int = Field(default=15, ge=0, le=100)
    extension_points: int = Field(default=15, ge=0, le=100)
    extension_pending_points: int = Field(default=20, ge=0, le=100)
    medium_from: int = Field(default=30, ge=1, le=100)
    high_from: int = Field(default=60, ge=1, le=100)

    @field_validator("near_days")
    @classmethod
    def _near_not_before_tight(cls, value: int, info: ValidationInfo) -> int:
        tight = info.data.get("tight_days")
        if tight is not None and value < tight:
            raise _ordering_error("near_days", value, "tight_days", tight, "at least")
        return value

    @field_validator("history_min")
    @classmethod
    def _min_within_size(cls, value: int, info: ValidationInfo) -> int:
        size = info.data.get("history_size")
        if size is not None and value > size:
            raise _ordering_error("history_min", value, "history_size", size, "at most")
        return value

    @field_validator("high_from")
    @classmethod
    def _high_above_medium(cls, value: int, info: ValidationInfo) -> int:
        medium = info.data.get("medium_from")
        if medium is not None and value <= medium:
            raise _ordering_error("high_from", value, "medium_from", medium, "more than")
        return value

    def level(self, score: int) -> RiskLevel:
        """The level of ``score`` under these thresholds."""
        if score >= self.high_from:
            return RiskLevel.HIGH
        if score >= self.medium_from:
            return RiskLevel.MEDIUM
        return RiskLevel.LOW


class RiskFactor(Value):
    """One part of a score: the rule, its points and why, in Chinese and English.

    Attributes:
        key: The rule (``silence``, ``lead_unit_lateness`` ...; docs/risk.md).
        points: What it adds to the score.
        zh: The reason in Chinese (``9 个工作日无进展报告``).
        en: The reason in English (``no progress report for 9 working days``).
    """

    key: FactorKey
    points: int = Field(ge=0, le=100)
    zh: str
    en: str

    @property
    def reason(self) -> str:
        """The reason in both languages: ``中文 / English``."""
        return f"{self.zh} / {self.en}"


class RiskAssessment(Value):
    """One open matter's risk of being late, with every part of its score.

    Attributes:
        entity_id: The matter.
        entity_kind: Its kind (``supervision_item``, ``incoming_document`` ...).
        state: Its state as of the assessment.
        lead_unit: The code of the unit it is waiting on (lead or drafting unit), if any.
        deadline: Its deadline as of the assessment.
        workdays_left: Working days left before the deadline, today included (0 on the
            deadline day); negative when overdue: minus the working days since.
        score: The sum of the parts' points, at most 100.
        level: ``low``, ``medium`` or ``high`` by the policy's thresholds.
        factors: The parts, largest first; together they are the whole score.
    """

    entity_id: Name
    entity_kind: KindName
    state: Name
    lead_unit: Name | None = None
    deadline: date
    workdays_left: int
    score: int = Field(ge=0, le=100)
    level: RiskLevel
    factors: tuple[RiskFactor, ...] = ()

    @property
    def at_risk(self) -> bool:
        """Whether the level is medium or high."""
        return self.level.rank >= RiskLevel.MEDIUM.rank

    @property
    def reasons(self) -> str:
        """The parts' reasons: the Chinese ones joined, then the English ones."""
        if not self.factors:
            return "无风险因素 / nothing points to lateness"
        zh = "；".join(f.zh for f in self.factors)
        en = "; ".join(f.en for f in self.factors)
        return f"{zh} / {en}"

    @property
    def summary(self) -> str:
        """Level, score and reasons in one line (``逾期风险高（62 分）：…``)."""
        return (
            f"逾期风险{self.level.label}（{self.score} 分）：{self.reasons}"
            f" (risk {self.level.value}, score {self.score})"
        )


class RiskReport(Value):
    """The risk of every open matter with a deadline, as of one moment.

    Attributes:
        as_of: The moment assessed, in the office's time zone; no later event was read.
        day: Its local date, from which working days are counted.
        policy: The rules applied.
        assessments: One per matter, highest score first (then earliest deadline).
        uncovered: Matters not assessed because a day their count needs lies outside the
            calendar's coverage (never guessed, W2).
    """

    as_of: AwareDatetime
    day: date
    policy: RiskPolicy
    assessments: tuple[RiskAssessment, ...] = ()
    uncovered: tuple[Name, ...] = ()

    @property
    def at_risk(self) -> tuple[RiskAssessment, ...]:
        """The matters at medium or high risk, highest score first."""
        return tuple(a for a in self.assessments if a.at_risk)

    def of(self, entity_id: str) -> RiskAssessment | None:
        """The assessment of ``entity_id``, if it was assessed."""
        return next((a for a in self.assessments if a.entity_id == entity_id), None)

    def to_text(self) -> str:
        """One line per matter, then one per part."""
        lines = [f"逾期风险 Risk of lateness {self.day.isoformat()}（{len(self.at_risk)} at risk）"]
        for a in self.assessments:
            lines.append(
                f"{a.entity_id} [{a.level.label} {a.level.value}] {a.score} 分 — "
                f"期限 {a.deadline.isoformat()}，剩余 {a.workdays_left} 个工作日"
            )
            lines.extend(f"  +{f.points} {f.reason}" for f in a.factors)
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        e = html.escape
        rows = []
        for a in self.assessments:
            parts = "".join(f"<li>+{f.points} {e(f.reason)}</li>" for f in a.factors)
            rows.append(
                f"<tr><td>{e(a.entity_id)}</td><td>{e(a.entity_kind)}</td>"
                f"<td>{a.deadline.isoformat()}</td><td>{a.workdays_left}</td>"
                f"<td>{a.score}</td><td>{e(a.level.label)} {e(a.level.value)}</td>"
                f"<td><ul>{parts}</ul></td></tr>"
            )
        head = "".join(
            f"<th>{h}</th>"
            for h in ("id", "kind", "deadline", "working days left", "score", "level", "parts")
        )
        return (
            f"<table><caption>逾期风险 Risk of lateness as of {e(self.as_of.isoformat())}"
            f"</caption><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"
        )

    def __str__(self) -> str:
        return self.to_text()


# ============================================================================ the office
class _RiskRules(Protocol):
    @property
    def risk(self) -> RiskPolicy: ...


class RiskSource(Protocol):
    """What :func:`assess_risks` reads of an office (an :class:`~secretarial.Office` is one)."""

    @property
    def timezone(self) -> tzinfo:
        """The office's time zone."""
        ...

    @property
    def calendar(self) -> WorkCalendar:
        """The office's working-day calendar."""
        ...

    @property
    def registry(self) -> Registry:
        """The kinds the office runs."""
        ...

    @property
    def reminder_policy(self) -> _RiskRules:
        """The reminder policy, whose ``risk`` holds the office's risk rules."""
        ...

    @property
    def store(self) -> Any:
        """The office's store (its ``events(entity_id)`` are read)."""
        ...

    def now(self) -> datetime:
        """The office clock's moment."""
        ...

    def workflow(self, kind: str) -> Workflow[Any]:
        """The workflow of ``kind`` (to roll an entity back to a past moment)."""
        ...

    def list(self, *, kind: Iterable[str] | None = None, by: Actor | None = None) -> list[Entity]:
        """The entities of ``kind`` that ``by`` may see."""
        ...


def assess_risks(
    office: RiskSource,
    *,
    as_of: datetime | None = None,
    by: Actor | None = None,
    policy: RiskPolicy | None = None,
) -> RiskReport:
    """The risk of lateness of every open matter with a deadline ``by`` may see.

    Args:
        office: The office.
        as_of: The moment to assess, timezone-aware; now (the office clock) if omitted.
            Only audit events at or before it are read.
        by: Who reads: what they may not see is neither assessed nor counted in any
            unit's record, as :meth:`~secretarial.Office.list` leaves it out. Without
            it the host's own read.
        policy: The rules; the office's (``office.reminder_policy.risk``) if omitted.

    Raises:
        ValidationError: ``as_of`` is not a timezone-aware datetime (on ``as_of``).
        UsageError: ``by`` omitted on an office that requires an actor.
    """
    moment = office.now() if as_of is None else checked_moment(as_of, "as_of")
    rules = policy if policy is not None else office.reminder_policy.risk
    kinds = [k for k in office.registry.entity_types if k in _KIND_NAMES]
    entities = office.list(kind=kinds, by=by) if kinds else []

    def replay(events: Sequence[AuditEvent]) -> Entity:
        rebuilt: Entity = office.workflow(events[0].entity_kind).replay(events)
        return rebuilt

    return risk_report(
        entities,
        events=office.store.events,
        replay=replay,
        calendar=office.calendar,
        timezone=office.timezone,
        as_of=moment,
        policy=rules,
    )


_KIND_NAMES: Final = frozenset(k.value for k in RISK_KINDS)


# ============================================================================ the rules
@dataclass(frozen=True, slots=True)
class _Settled:
    """A matter whose result was in by the moment assessed: on time or late."""

    entity_id: str
    at: datetime
    late: bool


def risk_report(
    entities: Iterable[Entity],
    *,
    events: Callable[[str], Sequence[AuditEvent]],
    replay: Callable[[Sequence[AuditEvent]], Entity],
    calendar: WorkCalendar,
    timezone: tzinfo,
    as_of: datetime,
    policy: RiskPolicy,
) -> RiskReport:
    """Assess ``entities`` as of ``as_of``: the engine under :func:`assess_risks`.

    Args:
        entities: Every entity the reader may see, as stored now, open or closed (the
            closed ones make up the units' records); other kinds are ignored.
        events: An entity's audit events by id, oldest first.
        replay: Rebuilds an entity from the first of its events (to roll one changed
            since ``as_of`` back to it).
        calendar: The working-day calendar.
        timezone: The office's time zone, which decides local days.
        as_of: The moment assessed, timezone-aware.
        policy: The rules.

    Raises:
        ValidationError: ``as_of`` is not a timezone-aware datetime (on ``as_of``).
    """
    moment = checked_moment(as_of, "as_of").astimezone(timezone)
    day = moment.date()
    assessed: list[_Then] = []
    settled: list[_Then] = []
    for current in entities:
        then = _as_it_was(current, moment, events, replay)
        if then is None:
            continue
        (settled if then.settled else assessed).append(then)
    units = {code for then in assessed if (code := _unit_code(then.entity)) is not None}
    judge = _Judge(
        calendar=calendar,
        timezone=timezone,
        day=day,
        policy=policy,
        records=_records(settled, units, events, moment, timezone),
    )
    results: list[RiskAssessment] = []
    uncovered: list[str] = []
    for then in assessed:
        try:
            results.append(judge.assess(then.entity, then.history(events)))
        except CalendarCoverageError:
            uncovered.append(then.entity.id)
    results.sort(key=lambda a: (-a.score, a.deadline, a.entity_id))
    return RiskReport(
        as_of=moment,
        day=day,
        policy=policy,
        assessments=tuple(results),
        uncovered=tuple(uncovered),
    )


@dataclass(frozen=True, slots=True)
class _Then:
    """An entity as it was at the moment assessed, and its events up to then if read."""

    entity: Entity
    settled: bool
    events: Sequence[AuditEvent] | None

    def history(self, events: Callable[[str], Sequence[AuditEvent]]) -> Sequence[AuditEvent]:
        return self.events if self.events is not None else events(self.entity.id)


def _as_it_was(
    current: Entity,
    moment: datetime,
    events: Callable[[str], Sequence[AuditEvent]],
    replay: Callable[[Sequence[AuditEvent]], Entity],
) -> _Then | None:
    """``current`` as it stood at ``moment``, if it then mattered.

    None for another kind, one made later, one cancelled or one without a deadline.
    """
    kind = current.entity_kind.value
    if kind not in _KIND_NAMES or current.created_at > moment:
        return None
    history: Sequence[AuditEvent] | None = None
    then = current
    if current.updated_at > moment:  # changed since: rolled back to its events up to then
        history = [e for e in events(current.id) if e.at <= moment]
        if not history:
            return None
        then = replay(history)
    if then.deadline is None:
        return None
    if str(then.state) in _DONE_STATES[kind]:
        return _Then(then, settled=True, events=history)
    if not then.is_open:
        return None  # cancelled, returned to its sender
    return _Then(then, settled=False, events=history)


def _unit_code(entity: Entity) -> str | None:
    unit = getattr(entity, "lead_unit", None) or getattr(entity, "drafting_unit", None)
    code = getattr(unit, "code", None)
    return code if isinstance(code, str) else None


def _unit_name(entity: Entity) -> str:
    unit = getattr(entity, "lead_unit", None) or getattr(entity, "drafting_unit", None)
    return str(getattr(unit, "name", "") or "")


def _records(
    settled: Sequence[_Then],
    units: set[str],
    events: Callable[[str], Sequence[AuditEvent]],
    moment: datetime,
    timezone: tzinfo,
) -> dict[str, list[_Settled]]:
    """Each unit's settled unclassified matters, latest result first."""
    records: dict[str, list[_Settled]] = {}
    for then in settled:
        entity = then.entity
        code = _unit_code(entity)
        if code is None or code not in units:
            continue
        if entity.classification is not Classification.UNCLASSIFIED:
            continue  # a classified matter counts towards its own score only
        done = _DONE_STATES[entity.entity_kind.value]
        settled_at = None
        for event in then.history(events):
            if event.at > moment:
                break
            if event.target in done and event.source not in done:
                settled_at = event.at
        if settled_at is None or entity.deadline is None:
            continue
        late = settled_at.astimezone(timezone).date() > entity.deadline
        records.setdefault(code, []).append(_Settled(entity.id, settled_at, late))
    for record in records.values():
        record.sort(key=lambda s: (s.at, s.entity_id), reverse=True)
    return records


@dataclass(frozen=True, slots=True, kw_only=True)
class _Judge:
    """The rules of a policy applied on one day."""

    calendar: WorkCalendar
    timezone: tzinfo
    day: date
    policy: RiskPolicy
    records: Mapping[str, Sequence[_Settled]]

    def assess(self, entity: Entity, history: Sequence[AuditEvent]) -> RiskAssessment:
        deadline = entity.deadline
        assert deadline is not None  # noqa: S101 -- only matters with a deadline are assessed
        left, factors = self._time(deadline)
        news_at = _last_news(entity, history)
        factors += self._silence(entity, news_at)
        factors += self._record(entity)
        factors += self._reminders(entity, history, news_at)
        factors += self._extensions(entity, history)
        kept = sorted((f for f in factors if f.points > 0), key=lambda f: -f.points)
        score = min(100, sum(f.points for f in kept))
        return RiskAssessment(
            entity_id=entity.id,
            entity_kind=entity.entity_kind.value,
            state=str(entity.state),
            lead_unit=_unit_code(entity),
            deadline=deadline,
            workdays_left=left,
            score=score,
            level=self.policy.level(score),
            factors=tuple(kept),
        )

    def _time(self, deadline: date) -> tuple[int, list[RiskFactor]]:
        """Working days left and the time factor; or overdue."""
        policy, day = self.policy, self.day
        if day > deadline:
            overdue = self.calendar.workdays_between(deadline, day)
            factor = RiskFactor(
                key="overdue",
                points=policy.overdue_points,
                zh=f"已过期限 {deadline.isoformat()}，逾期 {overdue} 个工作日",
                en=f"past its deadline {deadline.isoformat()}: {_working_days(overdue)} overdue",
            )
            return -overdue, [factor]
        left = -self.calendar.workdays_between(deadline, day)
        if left > policy.near_days:
            return left, []
        points = policy.tight_points if left <= policy.tight_days else policy.near_points
        if left == 0:
            zh, en = "今日到期", "due today"
        else:
            zh, en = (
                f"剩余 {left} 个工作日（含今天）",
                f"{_working_days(left)} left, today included",
            )
        return left, [RiskFactor(key="time_left", points=points, zh=zh, en=en)]

    def _silence(self, entity: Entity, news_at: datetime) -> list[RiskFactor]:
        is_item = isinstance(entity, SupervisionItem)
        if is_item and str(entity.state) not in _SILENT_ITEM_STATES:
            return []
        since = news_at.astimezone(self.timezone).date()
        silent = self.calendar.workdays_between(since, self.day)
        if silent < self.policy.silence_days:
            return []
        if is_item:
            zh, en = (
                f"{silent} 个工作日无进展报告",
                f"no progress report for {_working_days(silent)}",
            )
        else:
            zh, en = f"{silent} 个工作日无办理动态", f"no step taken for {_working_days(silent)}"
        return [RiskFactor(key="silence", points=self.policy.silence_points, zh=zh, en=en)]

    def _record(self, entity: Entity) -> list[RiskFactor]:
        code = _unit_code(entity)
        if code is None:
            return []
        last = self.records.get(code, ())[: self.policy.history_size]
        if len(last) < self.policy.history_min:
            return []
        late = sum(1 for s in last if s.late)
        points = (2 * self.policy.history_points * late + len(last)) // (2 * len(last))
        drafting = isinstance(entity, OutgoingDocument)
        who_zh, who_en = ("起草单位", "drafting unit") if drafting else ("牵头单位", "lead unit")
        return [
            RiskFactor(
                key="lead_unit_lateness",
                points=points,
                zh=f"{who_zh}{_unit_name(entity)}近 {len(last)} 件中 {late} 件逾期",
                en=f"the {who_en} {code} was late on {late} of its last {len(last)} items",
            )
        ]

    def _reminders(
        self, entity: Entity, history: Sequence[AuditEvent], news_at: datetime
    ) -> list[RiskFactor]:
        factors: list[RiskFactor] = []
        kinds = [
            (e.at, str(e.payload.get("reminder_kind"))) for e in history if e.trigger == _REMIND
        ]
        requests = sum(1 for at, kind in kinds if at > news_at and kind == _REPORT_DUE)
        if requests and isinstance(entity, SupervisionItem):
            factors.append(
                RiskFactor(
                    key="requests_unanswered",
                    points=min(self.policy.request_cap, requests * self.policy.request_points),
                    zh=f"已催报 {requests} 次仍无进展报告",
                    en=f"{_times(requests, 'progress-report request')} unanswered",
                )
            )
        escalations = sum(1 for _, kind in kinds if kind == _ESCALATION)
        if escalations:
            factors.append(
                RiskFactor(
                    key="escalated",
                    points=self.policy.escalation_points,
                    zh=f"已升级督办 {escalations} 次",
                    en=f"escalated {_times(escalations, 'time')} already",
                )
            )
        return factors

    def _extensions(self, entity: Entity, history: Sequence[AuditEvent]) -> list[RiskFactor]:
        factors: list[RiskFactor] = []
        granted = sum(1 for e in history if e.trigger == "grant_extension")
        if granted:
            factors.append(
                RiskFactor(
                    key="extensions_used",
                    points=min(100, granted * self.policy.extension_points),
                    zh=f"已延期 {granted} 次",
                    en=f"{_times(granted, 'extension')} already granted",
                )
            )
        if str(entity.state) == "extension_requested":
            factors.append(
                RiskFactor(
                    key="extension_pending",
                    points=self.policy.extension_pending_points,
                    zh="已申请延期，尚未批复",
                    en="an extension is asked for and not yet decided",
                )
            )
        return factors


_REPORT_DUE: Final = ReminderKind.REPORT_DUE.value
_ESCALATION: Final = ReminderKind.ESCALATION.value


def _last_news(entity: Entity, history: Sequence[AuditEvent]) -> datetime:
    """When the matter last moved, else its creation.

    For a supervision item its last assignment, acceptance or progress report; for a
    document its last step other than a reminder.
    """
    if isinstance(entity, SupervisionItem):
        news = [e.at for e in history if e.trigger in _NEWS_TRIGGERS]
    else:
        news = [e.at for e in history if e.trigger != _REMIND]
    return news[-1] if news else entity.created_at


def _working_days(count: int) -> str:
    return "1 working day" if count == 1 else f"{count} working days"


def _times(count: int, noun: str) -> str:
    return f"1 {noun}" if count == 1 else f"{count} {noun}s"


__all__ += ["FactorKey", "RiskSource"]
