"""The :class:`Office`: the entry point a host application talks to.

It wires a store, a clock, an id factory, a time zone and a numbering policy around the
workflows, and runs every command as one unit of work.
"""

from __future__ import annotations

import builtins
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import date, datetime, time, timedelta, tzinfo
from types import TracebackType
from typing import TYPE_CHECKING, Any, Self, TypedDict, TypeVar, overload
from zoneinfo import ZoneInfo

import pydantic
from pydantic import TypeAdapter
from pydantic.json_schema import DEFAULT_REF_TEMPLATE, JsonSchemaMode
from typing_extensions import Unpack

from secretarial._registry import builtin_registry
from secretarial.adapters import MemoryStore, SystemClock, Uuid7Ids, china_calendar
from secretarial.adapters._lunar import lunar_calendar
from secretarial.brief import (
    Brief,
    BriefItem,
    BriefSection,
    build_brief,
    emergency_section,
    progress_reports_due,
)
from secretarial.calendars._model import CalendarYear, calendar_year_id
from secretarial.calendars._service import (
    CalendarDifference,
    CalendarLoad,
    DeadlineCheck,
    base_calendar_for_load,
    day_changes,
    plan_load,
    recheck_deadline,
    with_loaded_years,
)
from secretarial.directory._desk import DirectoryDesk
from secretarial.directory._service import StoredDirectory
from secretarial.documents._desk import DocumentsDesk
from secretarial.duty._desk import DutyDesk
from secretarial.duty._model import (
    DutyRoster,
    DutyShift,
    ReceptionPolicy,
)
from secretarial.engine._blobs import BlobStore
from secretarial.engine._delegation import acting_for
from secretarial.engine._directory import Directory
from secretarial.engine._fire import (
    FireContext,
    HookedStore,
    fire_trigger,
    run_idempotent,
    with_allocation,
)
from secretarial.engine._keys import SigningKey, VerifyKey
from secretarial.engine._numbering import DefaultNumbering, NumberingPolicy
from secretarial.engine._ports import Clock, IdFactory, Store
from secretarial.engine._relay import Backoff, Outbox, Relay, RelayReport, Sink, Start
from secretarial.errors import (
    AccessDenied,
    CalendarCoverageError,
    FieldProblem,
    MissingExtraError,
    NotFound,
    RuleViolation,
    TransitionNotAllowed,
    UsageError,
    ValidationError,
)
from secretarial.information._desk import InformationDesk
from secretarial.information._model import (
    EmergencyPolicy,
    ScoringScale,
)
from secretarial.kernel._access import AccessDenial, AccessPolicy, ClearancePolicy
from secretarial.kernel._area import Area, RegisterRequest, Registry
from secretarial.kernel._audit import Anchor, AuditEvent, AuditReport
from secretarial.kernel._calendar import (
    CalendarPolicy,
    TableCalendar,
    WorkCalendar,
    provisional_years,
)
from secretarial.kernel._checkpoint import Checkpoint, InclusionProof, LeafReader
from secretarial.kernel._display import AuditTrail, EntityList
from secretarial.kernel._entity import Entity, entity_adapter
from secretarial.kernel._enums import EntityKind, Role
from secretarial.kernel._idempotency import command_fingerprint
from secretarial.kernel._outbox import CHECKPOINT_STREAM, EventType, OutboxEvent
from secretarial.kernel._query import Page, Query, checked_limit
from secretarial.kernel._register import Register
from secretarial.kernel._values import Actor, checked_moment, problems_from_pydantic
from secretarial.kernel._workflow import TransitionEnv, Workflow
from secretarial.meetings._desk import MeetingsDesk
from secretarial.meetings._model import Meeting
from secretarial.meetings._service import (
    plan_meetings,
)
from secretarial.records._desk import RecordsDesk
from secretarial.records._model import ArchiveSettings
from secretarial.reminders import ReminderPolicy
from secretarial.risk import assess_risks
from secretarial.supervision._deadlines import DeadlinePolicy
from secretarial.supervision._desk import SupervisionDesk
from secretarial.supervision._model import SupervisionItem
from secretarial.sweep import SYSTEM_ACTOR, SweepReport, sweep_reminders
from secretarial.verify import make_anchor, make_checkpoint, verify_records

if TYPE_CHECKING:  # the plugin layer (and pluggy) load only for an office that has plugins
    from secretarial.adapters._ics import ImportedMeetings
    from secretarial.plugins import PluginFailure, Plugins

__all__ = ["Office", "OfficeOptions"]


def _true_or_false(name: str, value: object) -> bool:
    if not isinstance(value, bool):
        raise UsageError(f"{name} is True or False, not {value!r}")
    return value


def _id(entity: Entity | str) -> str:
    return entity if isinstance(entity, str) else entity.id


class OfficeOptions(TypedDict, total=False):
    """The keyword arguments of :class:`Office`, for :meth:`Office.open` and ``in_memory``."""

    clock: Clock | None
    ids: IdFactory | None
    timezone: str | tzinfo
    numbering: NumberingPolicy | None
    calendar: WorkCalendar | None
    calendar_policy: CalendarPolicy | str
    reminder_policy: ReminderPolicy | None
    deadline_policy: DeadlinePolicy | None
    reception_policy: ReceptionPolicy | None
    emergency_policy: EmergencyPolicy | None
    scoring_scale: ScoringScale | None
    access: AccessPolicy | None
    require_actor: bool
    roles: Iterable[str]
    archive: ArchiveSettings | None
    directory: Directory | None
    areas: Iterable[Area]
    plugins: Iterable[object]
    load_entry_points: bool
    checkpoint_key: SigningKey | None
    verify_keys: Iterable[VerifyKey]


E = TypeVar("E", bound=Entity)


def _known_roles(workflows: Iterable[Workflow[Any]], extra: Iterable[str]) -> frozenset[str]:
    """The library's roles, every role a workflow's table names, and the host's own."""
    given: list[object] = [extra] if isinstance(extra, str) else list(extra)
    if not all(isinstance(role, str) and role.strip() for role in given):
        raise UsageError(f"roles must be role names (text), not {given!r}")
    known: set[str] = {role.value for role in Role} | {str(role) for role in given}
    for workflow in workflows:
        table = workflow.table
        for roles in (table.creation.roles, *(spec.roles for spec in table.transitions)):
            known.update(roles or ())
    return frozenset(known)


def _load_plugins(plugins: Iterable[object], *, load_entry_points: bool) -> Plugins | None:
    """The office's plugins, or None when there are none (pluggy is then not imported)."""
    given = list(plugins)
    if not given:
        if not load_entry_points:
            return None
        from importlib.metadata import entry_points  # noqa: PLC0415 -- only to make an office

        if not entry_points(group="secretarial"):
            return None
    from secretarial.plugins import Plugins  # noqa: PLC0415 -- pluggy loads only when needed

    return Plugins(given, load_entry_points=load_entry_points)


class Office:
    """An office: its records, its workflows, its clock.

    Every command (``create``, ``fire``, and the verbs of its desks: ``documents.receive``,
    ``meetings.plan`` ...) is atomic: the entity,
    its audit event and any number allocated are stored together, or, when anything
    refuses, nothing is.

    Args:
        store: Where records are kept; an in-memory store if omitted.
        clock: Tells the time; the system clock if omitted (use
            :class:`secretarial.testing.FrozenClock` in tests and simulations).
        ids: Makes entity ids; time-ordered UUIDv7 if omitted.
        timezone: The office's time zone (an IANA name or a ``tzinfo``); days, years
            and deadlines are counted in it. Defaults to ``Asia/Shanghai``.
        numbering: How document and registration numbers are drawn and written.
        calendar: The working-day calendar deadlines and reminders are counted in; the
            Chinese one (:func:`secretarial.china_calendar`) if omitted, loaded when
            first needed.
        reminder_policy: When :meth:`sweep` reminds and escalates; the defaults of
            :class:`~secretarial.ReminderPolicy` if omitted.
        deadline_policy: The default deadline of a supervision item assigned without
            one (docs/rules.md S2); the defaults of :class:`~secretarial.DeadlinePolicy` if
            omitted.
        emergency_policy: The time limits of emergency information (docs/rules.md I1) that
            :meth:`sweep` chases; the defaults of :class:`~secretarial.EmergencyPolicy`
            (30 minutes by phone, 1 hour in writing ...) if omitted.
        scoring_scale: How adopted information scores (docs/rules.md I2); the defaults of
            :class:`~secretarial.ScoringScale` if omitted.
        reception_policy: The limits a reception plan is approved against (docs/rules.md
            R2: official letter, one working meal, hosts at the meal); the defaults of
            :class:`~secretarial.ReceptionPolicy` if omitted.
        access: Who may see what; by clearance (:class:`~secretarial.ClearancePolicy`)
            if omitted. Reads that name an actor (``by=``) and every trigger are checked
            against it; refusals are recorded (:meth:`denials`).
        require_actor: Refuse every read that names no actor. A read without ``by=``
            (``get``, ``list``, ``count``, ``audit``, the registers and exports, the
            agenda, the roster ...) is the host's own, trusted read: it sees everything,
            as a back-office job must. An office that serves people only, where every
            read is made on someone's behalf, sets this so a forgotten ``by=`` is a
            :class:`~secretarial.UsageError` naming it rather than a leak.
        roles: Roles of the host's own that actors may hold, beyond those the office
            knows: the library's (:class:`~secretarial.Role`) and every role a
            registered workflow's table names. An actor holding a role the office does
            not know (``"Clerk"`` for ``"clerk"``) is refused on every command and every
            read with a :class:`~secretarial.ValidationError` listing the known roles,
            rather than acting with powers it silently lacks.
        archive: The archive's fonds number, category, classification scheme (by unit
            or not), default unit code and retention schedule
            (:class:`~secretarial.ArchiveSettings`); ``records.file`` needs it.
        directory: Who the office's people are and who stands in for whom (a host's
            LDAP or user table, as a :class:`~secretarial.engine.Directory`); a plugin's
            (``secretarial_directory``) if omitted, else the people and delegations
            kept in the office's own store.
        areas: Kinds of entity the office runs beside the built-in ones
            (:class:`~secretarial.Area`: entity class, table, id prefix, names,
            registers); plugins may add more.
        plugins: Plugin objects to run (see :mod:`secretarial.plugins`): they may add
            areas, veto changes, react after commit, write numbers, supply the calendar
            (when ``calendar`` is omitted) and extend the workflow tables.
        load_entry_points: Also run the plugins installed under the ``secretarial``
            entry-point group.

    Raises:
        UsageError: A plugin cannot be loaded or does not fit the hook specifications.
        WorkflowDefinitionError: A plugin's workflow extension is broken.

    Example:
        >>> from secretarial import Office, Actor, Role
        >>> office = Office.in_memory()
        >>> clerk = Actor(id="c1", name="Li", roles={Role.CLERK})
        >>> doc = office.documents.receive(
        ...     by=clerk, kind="notice", title="关于开展安全检查的通知",
        ...     sender={"code": "SZF", "name": "市政府办公室", "relation": "superior"},
        ...     channel="electronic", received_at=office.now(),
        ... )
        >>> office.fire(doc, "register", by=clerk).state
        <IncomingState.REGISTERED: 'registered'>
    """

    def __init__(  # noqa: PLR0915 -- one statement per option
        self,
        store: Store | None = None,
        *,
        clock: Clock | None = None,
        ids: IdFactory | None = None,
        timezone: str | tzinfo = "Asia/Shanghai",
        numbering: NumberingPolicy | None = None,
        calendar: WorkCalendar | None = None,
        calendar_policy: CalendarPolicy | str = CalendarPolicy.PROVISIONAL,
        reminder_policy: ReminderPolicy | None = None,
        deadline_policy: DeadlinePolicy | None = None,
        emergency_policy: EmergencyPolicy | None = None,
        scoring_scale: ScoringScale | None = None,
        reception_policy: ReceptionPolicy | None = None,
        access: AccessPolicy | None = None,
        require_actor: bool = False,
        roles: Iterable[str] = (),
        archive: ArchiveSettings | None = None,
        directory: Directory | None = None,
        areas: Iterable[Area] = (),
        plugins: Iterable[object] = (),
        load_entry_points: bool = True,
        checkpoint_key: SigningKey | None = None,
        verify_keys: Iterable[VerifyKey] = (),
    ) -> None:
        self._store: Store = store if store is not None else MemoryStore()
        self._entity_adapter: TypeAdapter[Entity] | None = None
        self._checkpoint_key: SigningKey | None = checkpoint_key
        self._verify_keys: list[VerifyKey] = list(verify_keys)
        self._plugins: Plugins | None = _load_plugins(plugins, load_entry_points=load_entry_points)
        self._clock: Clock = clock if clock is not None else SystemClock()
        self._system_clock = type(self._clock) is SystemClock
        """The machine's own clock: always aware, read straight in the office's zone."""
        self._ids: IdFactory = ids if ids is not None else Uuid7Ids()
        self.timezone: tzinfo = ZoneInfo(timezone) if isinstance(timezone, str) else timezone
        self._numbering: NumberingPolicy = (
            numbering if numbering is not None else DefaultNumbering()
        )
        self._registry: Registry = builtin_registry().with_areas(*areas)
        self._raw_store = self._store
        if self._plugins is not None:
            self._plug_in(self._plugins)
            if self._checkpoint_key is None:
                self._checkpoint_key = self._plugins.checkpoint_key()
        self._workflows: dict[str, Workflow[Any]] = dict(self._registry.workflows)
        self.known_roles: frozenset[str] = _known_roles(self._workflows.values(), roles)
        """The roles an actor of this office may hold (see the ``roles`` option)."""
        self._raw_store.use_kinds(self._registry.entity_types)
        self._give_id_prefixes()
        self._given_calendar: WorkCalendar | None = calendar
        self.calendar_policy: CalendarPolicy = CalendarPolicy(calendar_policy)
        self._base_calendar: WorkCalendar | None = None
        self._calendar: WorkCalendar | None = None
        self._loaded_years: dict[str, int] | None = None
        """Id and version of every calendar year loaded into the store, as last read."""
        self._rechecked_for: dict[str, int] | None = None
        """The loaded years provisional deadlines were last checked against."""
        self.reminder_policy: ReminderPolicy = (
            reminder_policy if reminder_policy is not None else ReminderPolicy()
        )
        self.deadline_policy: DeadlinePolicy = (
            deadline_policy if deadline_policy is not None else DeadlinePolicy()
        )
        self.emergency_policy: EmergencyPolicy = (
            emergency_policy if emergency_policy is not None else EmergencyPolicy()
        )
        self.scoring_scale: ScoringScale = (
            scoring_scale if scoring_scale is not None else ScoringScale()
        )
        self.reception_policy: ReceptionPolicy = (
            reception_policy if reception_policy is not None else ReceptionPolicy()
        )
        self.access: AccessPolicy = access if access is not None else ClearancePolicy()
        self.require_actor: bool = _true_or_false("require_actor", require_actor)
        """Whether every read must name the actor it is made for (``by=``)."""
        self.archive: ArchiveSettings | None = archive
        self.documents: DocumentsDesk = DocumentsDesk(self)
        """Official documents: receive, draft, bulk import, the incoming and outgoing registers."""
        self.supervision: SupervisionDesk = SupervisionDesk(self)
        """Supervision items: open, the ledger."""
        self.meetings: MeetingsDesk = MeetingsDesk(self)
        """Meetings: plan, conflicts, close with follow-up items, the agenda."""
        self.information: InformationDesk = InformationDesk(self)
        """Information: collect, emergency limits, bulletins, scores."""
        self.duty: DutyDesk = DutyDesk(self)
        """Duty and reception: the roster, swaps, hand-overs, calls, reception plans."""
        self.records: RecordsDesk = RecordsDesk(self)
        """Records: file, the catalogue, review and destruction."""
        if directory is None and self._plugins is not None:
            directory = self._plugins.directory()
        self.directory: DirectoryDesk = DirectoryDesk(
            self, directory if directory is not None else StoredDirectory(self._raw_store)
        )
        """The directory: enrol people, delegations, who acts for a unit."""

    def _give_id_prefixes(self) -> None:
        """Tell an id factory that takes them the id prefix of every kind the office runs."""
        use_prefixes = getattr(self._ids, "use_prefixes", None)
        if callable(use_prefixes):
            use_prefixes({area.kind.value: area.id_prefix for area in self._registry})

    @classmethod
    def in_memory(cls, **options: Unpack[OfficeOptions]) -> Self:
        """An office whose records live in process memory only.

        Takes the keyword arguments of :class:`Office` (clock, ids, timezone, policies).
        """
        return cls(MemoryStore(), **options)

    @classmethod
    def open(
        cls,
        url: str,
        *,
        create: bool = True,
        entity_cache: int | None = None,
        pool_size: int | None = None,
        **options: Unpack[OfficeOptions],
    ) -> Self:
        """Open (or create) an office kept in a SQL database.

        Args:
            url: ``sqlite:///office.db`` — the embedded default, a file in WAL mode — or
                a PostgreSQL URL (``postgresql://user@host/db``) for several processes
                sharing one office. ``memory://`` gives an in-memory office.
            create: Create the schema in an empty database (otherwise raise).
            entity_cache: How many recently written or read entities the store keeps to
                spare parsing their bodies again (16 unless given; 0 keeps none). One is
                reused only when the stored body is exactly the one it came from, so
                other processes' writes are always seen.
            pool_size: How many database connections the store keeps open between
                commands (5 unless given; up to 10 more open while as many commands run
                at once). A host running N commands at once (N worker threads, an
                ``AsyncOffice`` with N workers) gives N, so that none opens a connection
                per command.
            **options: The keyword arguments of :class:`Office` (clock, ids, timezone,
                policies).

        Raises:
            MissingExtraError: SQLAlchemy (or the PostgreSQL driver) is not installed.
            StoreError: the database cannot be opened or is of a newer schema.
            UsageError: ``entity_cache`` is not a whole number from 0 or ``pool_size``
                one from 1, or either is given for an in-memory office.
        """
        if entity_cache is not None and (type(entity_cache) is not int or entity_cache < 0):
            raise UsageError(
                f"entity_cache must be a whole number of entities from 0, not {entity_cache!r}"
            )
        if pool_size is not None and (type(pool_size) is not int or pool_size < 1):
            raise UsageError(
                f"pool_size must be a whole number of connections from 1, not {pool_size!r}"
            )
        if url == "memory://":
            if entity_cache is not None or pool_size is not None:
                raise UsageError(
                    "entity_cache and pool_size apply to SQL offices; an in-memory office "
                    "holds every entity and opens no connection"
                )
            return cls.in_memory(**options)
        try:
            from secretarial.adapters._sql import SqlStore  # noqa: PLC0415 -- optional extra
        except ImportError as e:
            raise MissingExtraError(e.name or "sqlalchemy", "sql", "A SQL office") from e
        sizes = {
            name: value
            for name, value in (("entity_cache", entity_cache), ("pool_size", pool_size))
            if value is not None
        }
        store = SqlStore(url, create=create, **sizes)
        try:
            return cls(store, **options)
        except BaseException:
            store.close()  # a failing plugin or option must not leave the database open
            raise

    # ------------------------------------------------------------------ time & wiring
    def now(self) -> datetime:
        """The current time from the office clock, in the office's time zone."""
        if self._system_clock:
            return datetime.now(self.timezone)
        now = self._clock.now()
        if now.tzinfo is None or now.utcoffset() is None:
            raise UsageError(f"the clock {self._clock!r} returned a naive datetime {now!r}")
        return now.astimezone(self.timezone)

    def today(self) -> date:
        """Today's date in the office's time zone."""
        return self.now().date()

    @property
    def calendar(self) -> WorkCalendar:
        """The working-day calendar, with the years loaded into the office laid over it.

        The base is the calendar given to the office, else a plugin's, else the Chinese
        one under the office's :attr:`calendar_policy` (``provisional`` by default: the
        years after the published ones are derived from the law, and every deadline
        counted over them is marked provisional). Years loaded with
        :meth:`load_calendar_notice` take the place of the base's data for their year,
        in every process of the office.

        Raises:
            MissingExtraError: none was given and ``chinese-calendar`` is not installed.
        """
        base = self._base_calendar
        if base is None:
            base = self._base_calendar = self._make_base_calendar()
        if not isinstance(base, TableCalendar):
            return base
        current = self._calendar
        if current is None or self._loaded_years is None or self._years_changed(current):
            years = self._read_loaded_years()
            self._loaded_years = {y.id: y.version for y in years}
            current = self._calendar = with_loaded_years(base, years)
        return current

    def _make_base_calendar(self) -> WorkCalendar:
        if self._given_calendar is not None:
            return self._given_calendar
        supplied = None if self._plugins is None else self._plugins.work_calendar()
        if supplied is not None:
            return supplied
        calendar = china_calendar(self.calendar_policy)
        covered = calendar.covered_years()
        wanted = self.today().year + 1
        if self.calendar_policy is CalendarPolicy.PROVISIONAL and covered and covered[1] < wanted:
            calendar = china_calendar(self.calendar_policy, through=wanted)
        return calendar

    def _read_loaded_years(self) -> builtins.list[CalendarYear]:
        query = Query(kinds=frozenset({EntityKind.CALENDAR_YEAR}))
        return [y for y in self._raw_store.find(query) if isinstance(y, CalendarYear)]

    def _years_changed(self, current: WorkCalendar) -> bool:
        """Whether another process loaded or changed a year this office's calendar uses.

        Probes by id the years loaded already, the provisional ones and the first year
        after the coverage: a handful of reads, not a scan. A published year another
        process loads for the first time (a supplementary notice for a year the bundled
        data has) is seen when this office next reads its calendar afresh (a new office).
        """
        known = self._loaded_years or {}
        probe = dict(known)
        covered = current.covered_years()
        years = set(provisional_years(current))
        if covered is not None:
            years.add(covered[1] + 1)
        for year in years:
            probe.setdefault(calendar_year_id(current.id, year), 0)
        for entity_id, version in probe.items():
            try:
                stored = self._raw_store.get(entity_id).version
            except NotFound:
                stored = 0
            if stored != version:
                return True
        return False

    def load_calendar_notice(
        self,
        text: str,
        *,
        by: Actor,
        source: str | None = None,
        reason: str | None = None,
    ) -> CalendarLoad:
        """Load a State Council holiday notice into the office's calendar, and re-check.

        The text (国务院办公厅关于YYYY年部分节假日安排的通知, or a supplementary notice that
        amends a year) is parsed and checked against the law; a text that does not add
        up is refused with the section named, and nothing is written. The year is kept
        in the office's store as a ``calendar_year`` entity (``load``; a supplementary
        notice ``amend``s it, a corrected annual one ``replace``s it, with a reason),
        audited with who loaded which text when. Every provisional deadline that
        depended on the year is then checked again (:meth:`recheck_deadlines`).

        Args:
            text: The notice as published.
            by: Who loads it (a clerk or the office director).
            source: Where the text comes from (a file name, an address); kept with it.
            reason: Why a year already loaded is replaced by this text.

        Returns:
            The year as stored, the days whose answer changed and each deadline checked.

        Raises:
            ValidationError: The text is not a notice, does not add up, or needs a
                reason; ``W4`` names the section and what is wrong.
            TransitionNotAllowed: ``by`` may not keep the calendar, or the same text is
                loaded into the year already.
            UsageError: The office's calendar is not a table calendar, or the year would
                leave a gap in its coverage.
        """
        before = self.calendar
        base = base_calendar_for_load(self._base_calendar or before)
        plan = plan_load(
            text,
            base=base,
            existing=self._stored_year,
            lunar=lunar_calendar(),
            source=source,
            reason=reason,
        )
        existing = plan.existing
        workflow = self._workflows[EntityKind.CALENDAR_YEAR]
        now = self.now()
        if existing is None:
            year, event = workflow.create(plan.fields, entity_id=plan.entity_id, actor=by, now=now)
        else:
            year, event = workflow.fire(
                existing, plan.trigger, by, now=now, data=plan.fields, reason=reason
            )
        assert isinstance(year, CalendarYear)  # noqa: S101 -- the table's entity type
        years = [*(y for y in self._read_loaded_years() if y.id != year.id), year]
        after = with_loaded_years(base, years)  # a gap in the coverage refuses it here
        with self._store.unit_of_work() as uow:
            if existing is None:
                uow.add(year, event)
            else:
                uow.save(year, event, expected_version=existing.version)
        self._loaded_years = {y.id: y.version for y in years}
        self._calendar = after
        changed = day_changes(before, after, year.year)
        checks = self._recheck(
            f"calendar {year.calendar} {year.year}: {plan.trigger} by {by.id}", year.id
        )
        return CalendarLoad(year, plan.trigger, changed, checks)

    def _stored_year(self, entity_id: str) -> CalendarYear | None:
        try:
            stored = self._raw_store.get(entity_id)
        except NotFound:
            return None
        return stored if isinstance(stored, CalendarYear) else None

    def calendar_years(self) -> builtins.list[CalendarYear]:
        """The calendar years loaded into the office, in force or withdrawn, by year."""
        return sorted(self._read_loaded_years(), key=lambda y: (y.calendar, y.year))

    def provisional_deadlines(self, *, by: Actor | None = None) -> builtins.list[SupervisionItem]:
        """Open supervision items whose deadline is still provisional, earliest first.

        Each depends on a calendar year whose notice is not loaded; loading it confirms
        or re-dates them. ``by`` hides what the actor may not see.

        Raises:
            UsageError: ``by`` is omitted on an office that requires an actor.
        """
        self.require_reader(by, "provisional_deadlines")
        return [i for i in self._provisional() if by is None or self.access.may_see(by, i) is None]

    def _provisional(self) -> builtins.list[SupervisionItem]:
        """Every open item whose deadline is still provisional, earliest first."""
        query = Query(kinds=frozenset({EntityKind.SUPERVISION_ITEM}), open_only=True)
        items = [
            e
            for e in self._raw_store.find(query)
            if isinstance(e, SupervisionItem) and e.deadline_provisional is not None
        ]
        return sorted(items, key=lambda i: (i.deadline or date.max, i.id))

    def recheck_deadlines(self, *, reason: str | None = None) -> tuple[DeadlineCheck, ...]:
        """Check every provisional deadline again on the office's calendar as it is now.

        A deadline whose provisional years are now loaded is confirmed (``confirm_deadline``
        by the office, audited): kept if the calendar gives the same date, moved later if
        it gives a later one, and kept (reported as ``kept``) if it would give an earlier
        one: a communicated deadline is never silently moved earlier; a supervisor
        shortens it with ``confirm_deadline`` and a reason. Running it again does nothing
        more (each confirmed item is no longer provisional).

        Args:
            reason: What prompted the check, recorded with each confirmation.
        """
        return self._recheck(reason or "provisional deadlines checked again", None)

    def _recheck(
        self,
        reason: str,
        source: str | None,
        pending: Iterable[SupervisionItem] | None = None,
    ) -> tuple[DeadlineCheck, ...]:
        """Confirm the provisional deadlines of ``pending`` (all of them by default)."""
        calendar = self.calendar
        self._rechecked_for = self._loaded_years
        checks: builtins.list[DeadlineCheck] = []
        for item in self._provisional() if pending is None else pending:
            try:
                found = recheck_deadline(
                    item, calendar=calendar, policy=self.deadline_policy, timezone=self.timezone
                )
            except CalendarCoverageError:
                continue  # the office's calendar no longer reaches it: left as it is
            if found is None:
                continue
            check, data = found
            fire_trigger(
                self._store,
                self.context(SYSTEM_ACTOR),
                item.id,
                "confirm_deadline",
                data={**data, "calendar_source": source},
                reason=reason,
                expected_version=item.version,
            )
            checks.append(check)
        return tuple(checks)

    def calendar_differences(self) -> dict[int, builtins.list[CalendarDifference]]:
        """Days on which a loaded year differs from the bundled data for it, by year.

        When a package upgrade brings a year the office loaded itself, the loaded year
        still counts; this says where the two disagree, for a person to look at. Years
        the bundled data does not publish (provisional or uncovered) are not compared.
        """
        base = self._base_calendar or self.calendar
        if not isinstance(base, TableCalendar):
            return {}
        found: dict[int, builtins.list[CalendarDifference]] = {}
        for loaded in self.calendar_years():
            covered = base.covered_years()
            if (
                loaded.calendar != base.id
                or covered is None
                or not covered[0] <= loaded.year <= covered[1]
                or loaded.year in base.provisional_years()
            ):
                continue
            mine = with_loaded_years(base, [loaded])
            found[loaded.year] = [
                CalendarDifference(day, mine.is_workday(day), base.is_workday(day))
                for day in day_changes(base, mine, loaded.year)
            ]
        return found

    def context(self, by: Actor, now: datetime | None = None) -> FireContext:
        """The context of a change by ``by``: what every use case is given.

        A host running a use case of its own on the one fire path passes it, with
        :attr:`change_store`, to :func:`secretarial.engine.run_change`.
        """
        self.check_actor(by)
        return FireContext(  # positional: made for every command
            self._workflows,
            self._numbering,
            by,
            now if now is not None else self.now(),
            self.environment,
            self.access.may_see,
            self._ids,
            self.directory_port,
        )

    @contextmanager
    def denials_recorded(self, by: Actor, action: str) -> Iterator[None]:
        """Record an access a change refused as ``action``, then let the refusal through.

        The denial is committed on its own, after the refused unit of work wrote nothing.
        A rule refused on entities hidden from ``by`` (a room booked by a meeting they may
        not see, M9) records each of them too (:attr:`RuleViolation.withheld`).
        """
        try:
            yield
        except AccessDenied as denied:
            self._record_denial(by, action, denied)
            raise
        except RuleViolation as refused:  # judged on entities hidden from ``by`` (M9)
            for hidden in refused.withheld:
                self._record_denial(by, action, hidden)
            raise

    def _record_denial(self, by: Actor, action: str, denied: AccessDenied) -> None:
        """Record an access a change refused; the refused unit of work wrote nothing."""
        self._store.record_denial(
            AccessDenial(
                actor=by,
                entity_id=denied.entity_id,
                action=action,
                at=self.now(),
                reason=denied.reason,
            )
        )

    def environment(self) -> TransitionEnv:
        """The office's zone, calendar and policies, as a row's completion or a desk sees them."""
        return TransitionEnv(
            timezone=self.timezone,
            calendar=lambda: self.calendar,
            policies={
                DeadlinePolicy: self.deadline_policy,
                ReminderPolicy: self.reminder_policy,
                EmergencyPolicy: self.emergency_policy,
                ScoringScale: self.scoring_scale,
                ReceptionPolicy: self.reception_policy,
                **({ArchiveSettings: self.archive} if self.archive is not None else {}),
            },
            contacts=self._contacts,
        )

    def _contacts(self, unit_code: str) -> tuple[str, ...]:
        """Who acts for ``unit_code`` in a countersign (会签), from the directory."""
        return tuple(person.actor_id for person in self.directory_port.acting_for(unit_code))

    @property
    def store(self) -> Store:
        """The store the office keeps its records in."""
        return self._raw_store

    @property
    def change_store(self) -> Store:
        """The store every change goes through, with the plugins' checks around it.

        It is :attr:`store` with the plugins' vetoes and after-commit reactions around it
        (the same store when no plugin asks for them).
        """
        return self._store

    @property
    def directory_port(self) -> Directory:
        """The directory the office uses: the host's, a plugin's, or the stored one."""
        return self.directory.port

    @property
    def plugins(self) -> Plugins | None:
        """The plugins the office runs, or None when it runs none."""
        return self._plugins

    @property
    def plugin_failures(self) -> tuple[PluginFailure, ...]:
        """Plugins that raised after a commit or delivering a reminder, oldest first.

        Each failure is also logged on the ``secretarial.plugins`` logger; none undid
        anything the office committed.
        """
        return () if self._plugins is None else self._plugins.failures

    def _plug_in(self, plugins: Plugins) -> None:
        """Wire the plugins' numbers, workflows, vetoes and reactions into the office."""
        self._numbering = plugins.numbering(self._numbering)
        registry = plugins.add_areas(self._registry)
        for kind in registry.kinds:
            workflow = registry.workflow(kind)
            extended = plugins.extend_workflow(workflow)
            if extended is not workflow:
                registry = registry.with_table(kind, extended.table)
        self._registry = registry
        veto = plugins.check_change if plugins.implements("secretarial_veto_transition") else None
        react = plugins.after_commit if plugins.implements("secretarial_after_commit") else None
        if veto is not None or react is not None:
            self._store = HookedStore(self._store, before_write=veto, after_commit=react)

    def _vetoed(
        self,
        entity: Entity,
        trigger: str,
        by: Actor,
        data: Mapping[str, Any] | None,
        now: datetime,
    ) -> bool:
        """Whether a plugin refuses ``trigger`` (``data`` as the audit event would record it)."""
        if self._plugins is None or not self._plugins.implements("secretarial_veto_transition"):
            return False
        model = self._workflows[entity.entity_kind].input_model(trigger)
        payload: Mapping[str, Any] | None = data
        if data is not None and model is not None:
            payload = model.model_validate(data).model_dump(mode="json", exclude_unset=True)
        return self._plugins.veto(entity, trigger, by, payload, now) is not None

    @property
    def registry(self) -> Registry:
        """The areas this office runs: the built-in ones, the host's and the plugins'."""
        return self._registry

    def workflow(self, kind: str) -> Workflow[Any]:
        """The workflow this office runs for entities of ``kind`` (its name or an alias).

        Raises:
            UsageError: The office runs no kind of that name.
        """
        return self._workflows[self._registry.kind(kind).value]

    # ------------------------------------------------------------------ creation

    def create(
        self,
        entity_kind: str,
        /,
        *,
        by: Actor,
        idempotency_key: str | None = None,
        **fields: Any,
    ) -> Entity:
        """Create an entity of ``entity_kind`` with its workflow's creation trigger.

        Any kind the office runs may be created, a plugin's as well as a built-in one.
        With an ``idempotency_key`` (a UUID the host's client sends, say), the creation
        sent again under the same key is answered with the entity it first created:
        no second entity, no second event (see :doc:`embedding`).

        Raises:
            UsageError: The office runs no kind of that name.
            ValidationError: a field is missing or does not fit, or the key is not one.
            TransitionNotAllowed: the actor's role or a creation rule refuses.
            IdempotencyKeyReused: the key came with another command before.
        """
        kind = self._registry.kind(entity_kind).value
        context = self.context(by)
        # Nothing is loaded, so nothing can be refused access: no denial to record.
        return run_idempotent(
            self._store,
            context,
            lambda change: change.create(kind, fields),
            key=idempotency_key,
            fingerprint=lambda: command_fingerprint("create", kind, context.actor, fields),
        )

    # ------------------------------------------------------------------ meetings

    def export_ics(
        self,
        *,
        by: Actor,
        domain: str,
        meetings: Iterable[Meeting | str] | None = None,
        items: Iterable[SupervisionItem | str] | None = None,
        calendar_name: str | None = None,
        shifts: DutyRoster | Iterable[DutyShift | str] = (),
    ) -> str:
        """Meetings and duty shifts (VEVENT) and supervision items (VTODO) as iCalendar text.

        Without ``meetings``/``items`` every meeting and open item ``by`` may see is
        exported; what ``by`` may not see is left out. Duty shifts are exported only
        when given, e.g. ``shifts=office.duty.roster(start, end, by=by)``. Needs the
        ``ics`` extra.

        Raises:
            NotFound: A meeting, item or shift given by id does not exist, or is not of
                its kind.
            AccessDenied: ``by`` may not see a meeting, item or shift that was given: it
                is refused as a missing one would be (the refusal is recorded), and
                nothing is exported.
        """
        from secretarial.adapters._ics import export_ics  # noqa: PLC0415 -- optional extra

        def given(entities: Iterable[E | str], kind: type[E]) -> builtins.list[E]:
            found: builtins.list[E] = []
            for e in entities:  # as stored now: a shift may have been classified since
                entity = self._store.get(_id(e))
                self.authorize(entity, by, "export_ics")  # hidden: missing, whatever its kind
                if not isinstance(entity, kind):
                    raise NotFound(_id(e), str(getattr(kind, "entity_kind", kind.__name__)))
                found.append(entity)
            return found

        chosen_meetings: builtins.list[Any] = (
            self.list(kind=EntityKind.MEETING, by=by)
            if meetings is None
            else given(meetings, Meeting)
        )
        chosen_items: builtins.list[Any] = (
            self.list(kind=EntityKind.SUPERVISION_ITEM, by=by, open_only=True)
            if items is None
            else given(items, SupervisionItem)
        )
        return export_ics(
            chosen_meetings,
            chosen_items,
            domain=domain,
            calendar_name=calendar_name,
            include_classified=True,
            shifts=given(shifts, DutyShift),
        )

    def import_meetings(
        self,
        ics: str | bytes,
        *,
        by: Actor,
        check_conflicts: bool = True,
        default_timezone: str | None = None,
        partial: bool = False,
    ) -> ImportedMeetings:
        """Plan the meetings of an iCalendar text's VEVENTs (needs the ``ics`` extra).

        All of them or none: a calendar with one event refused (in the past, double
        booked ...) plans nothing. With ``partial`` the events that cannot be meetings
        (all-day events, rules the library does not expand, meetings already past ...)
        are left out and listed in the result's ``skipped`` with their line and reason;
        the others are planned, still all or none (a double booking among them refuses
        them all). See ``docs/ics.md``.

        Returns:
            The planned meetings, a list with a ``skipped`` attribute.

        Raises:
            ValidationError: the text is not a calendar the library can read (or, unless
                ``partial``, an event cannot be a meeting); nothing is planned.
            TransitionNotAllowed, RuleViolation: an event is refused; nothing is planned.
        """
        from secretarial.adapters._ics import (  # noqa: PLC0415 -- optional extra
            ImportedMeetings,
            read_events,
        )

        report = read_events(ics, default_timezone=default_timezone)
        if report.skipped and not partial:
            raise report.skipped[0].error
        now = self.now()
        workflow = self._workflows[EntityKind.MEETING]
        fields = list(report.imported)
        skipped = list(report.skipped)
        if partial:
            kept = []
            for index, event in enumerate(fields):
                try:  # what planning alone refuses (a meeting in the past, M4)
                    workflow.create(event, entity_id="ics-probe", actor=by, now=now)
                except TransitionNotAllowed as e:
                    problem = FieldProblem("DTSTART", e.rule_code, e.reason)
                    skipped.append(report.refused(index, ValidationError("ICS event", [problem])))
                except ValidationError as e:
                    skipped.append(report.refused(index, e))
                else:
                    kept.append(event)
            fields = kept
            skipped.sort(key=lambda s: s.number)
        with self.denials_recorded(by, "fire:plan"):
            planned = plan_meetings(
                self._store, self.context(by, now), fields, check_conflicts=check_conflicts
            )
        return ImportedMeetings(planned, skipped)

    # ------------------------------------------------------------------ information

    # ------------------------------------------------------------------ duty and reception

    # ------------------------------------------------------------------ transitions
    @overload
    def fire(
        self,
        entity: E,
        trigger: str,
        *,
        by: Actor,
        reason: str | None = None,
        expected_version: int | None = None,
        expected_content_version: int | None = None,
        on_behalf_of: str | None = None,
        idempotency_key: str | None = None,
        **data: Any,
    ) -> E: ...

    @overload
    def fire(
        self,
        entity: str,
        trigger: str,
        *,
        by: Actor,
        reason: str | None = None,
        expected_version: int | None = None,
        expected_content_version: int | None = None,
        on_behalf_of: str | None = None,
        idempotency_key: str | None = None,
        **data: Any,
    ) -> Entity: ...

    def fire(
        self,
        entity: Entity | str,
        trigger: str,
        *,
        by: Actor,
        reason: str | None = None,
        expected_version: int | None = None,
        expected_content_version: int | None = None,
        on_behalf_of: str | None = None,
        idempotency_key: str | None = None,
        **data: Any,
    ) -> Entity:
        """Fire ``trigger`` on an entity and return the entity as it is now.

        Pass the entity you read (its content version is then checked) or its id. A
        host that keeps a version in a form or an ETag states it as
        ``expected_content_version=`` (:attr:`~secretarial.kernel.Entity.content_version`:
        a reminder a sweep recorded in between is no conflict, a change of the record
        is) or, strictest, as ``expected_version=`` (any event in between is a
        conflict). Given an entity, it returns one of the same type (an
        ``IncomingDocument`` for an ``IncomingDocument``), so ``office.fire(doc,
        "register", by=clerk).registration_number`` type-checks; given an id, an
        ``Entity``.
        ``data`` is the trigger's input (``instruction=...``, ``deadline=...``);
        ``reason`` is required for send-back, return, reject and cancel.
        ``on_behalf_of`` is the actor id of the principal ``by`` acts for under a
        delegation (委托, see :attr:`directory`): the act is refused with the rule of
        the delegation that does not cover it (G1-G8), and the audit names both.
        ``idempotency_key`` makes the call safe to send again: fired again under the
        same key, the trigger is not fired a second time and the entity the first call
        returned is returned.

        Raises:
            NotFound: no such entity.
            TransitionNotAllowed: unknown trigger, wrong state or role, or a failed rule.
            ValidationError: ``data`` does not fit the trigger's input.
            ConcurrencyConflict: the entity changed since it was read.
            AccessDenied: ``by`` may not see the entity (the refusal is recorded).
            IdempotencyKeyReused: ``idempotency_key`` came with another command before.
        """
        if isinstance(entity, str):
            entity_id = entity
        else:
            entity_id = entity.id
            if expected_version is None and expected_content_version is None:
                expected_content_version = entity.content_version
        try:
            return fire_trigger(
                self._store,
                self.context(by),
                entity_id,
                trigger,
                data=data or None,
                reason=reason,
                expected_version=expected_version,
                expected_content_version=expected_content_version,
                on_behalf_of=on_behalf_of,
                idempotency_key=idempotency_key,
            )
        except AccessDenied as denied:  # the hot path: no context manager around it
            self._record_denial(by, f"fire:{trigger}", denied)
            raise

    def can_fire(
        self,
        entity: Entity | str,
        trigger: str,
        *,
        by: Actor,
        reason: str | None = None,
        on_behalf_of: str | None = None,
        **data: Any,
    ) -> bool:
        """Whether ``by`` may fire ``trigger`` on the entity now.

        Without ``data`` and ``reason`` the rules about the input are not judged. With
        ``on_behalf_of``, whether ``by`` may fire it for that principal under a delegation.

        Raises:
            NotFound: No such entity.
            AccessDenied: ``by`` may not see it (the refusal is recorded): asking what may
                be fired says no more about a hidden entity than loading it would.
        """
        current = self._current(entity)
        self.authorize(current, by, f"can_fire:{trigger}")
        workflow = self._workflows[current.entity_kind]
        now = self.now()
        if on_behalf_of is not None:
            acting = self._acting_for(by, on_behalf_of, current, trigger, now)
            if acting is None:
                return False
            by = acting
        try:
            full = with_allocation(
                workflow,
                self._numbering,
                current,
                trigger,
                workflow.complete(current, trigger, data or None, self.environment),
                actor=by,
                now=now,
                allocate=lambda _series, _key: 1,
            )
        except RuleViolation:
            return False
        history = self._history(current) if workflow.reads_history(trigger) else None
        return workflow.can_fire(
            current,
            trigger,
            by,
            now=now,
            data=full,
            reason=reason,
            history=history,
            on_behalf_of=on_behalf_of,
        ) and not self._vetoed(current, trigger, by, full, now)

    def available_triggers(
        self, entity: Entity | str, *, by: Actor, on_behalf_of: str | None = None
    ) -> tuple[str, ...]:
        """The triggers ``by`` may fire on the entity now (rules about input aside).

        With ``on_behalf_of``, the triggers ``by`` may fire for that principal under the
        delegations the directory lists ("what may I do for them now").

        Raises:
            NotFound: No such entity.
            AccessDenied: ``by`` may not see it (the refusal is recorded).
        """
        current = self._current(entity)
        self.authorize(current, by, "available_triggers")
        now = self.now()
        workflow = self._workflows[current.entity_kind]
        history = self._history(current) if workflow.needs_history(current) else None
        if on_behalf_of is None:
            return tuple(
                trigger
                for trigger in workflow.available_triggers(current, by, now=now, history=history)
                if not self._vetoed(current, trigger, by, None, now)
            )
        found = []
        for trigger in workflow.triggers_from(current):
            acting = self._acting_for(by, on_behalf_of, current, trigger, now)
            if (
                acting is not None
                and workflow.can_fire(
                    current, trigger, acting, now=now, history=history, on_behalf_of=on_behalf_of
                )
                and not self._vetoed(current, trigger, acting, None, now)
            ):
                found.append(trigger)
        return tuple(found)

    def _acting_for(
        self, by: Actor, principal: str, entity: Entity, trigger: str, now: datetime
    ) -> Actor | None:
        """``by`` with the roles a delegation from ``principal`` lends for the act, or None."""
        try:
            return acting_for(
                self.directory_port,
                by,
                principal=principal,
                entity=entity,
                trigger=trigger,
                workflow=self._workflows[entity.entity_kind],
                now=now,
            )
        except TransitionNotAllowed:
            return None

    def _history(self, entity: Entity) -> Sequence[AuditEvent]:
        """The audit events that made ``entity`` as it is (its version's worth)."""
        return self._store.events(entity.id)[: entity.version]

    # ------------------------------------------------------------------ reading
    @overload
    def get(self, entity_id: str, *, by: Actor | None = None) -> Entity: ...
    @overload
    def get(self, entity_id: str, kind: type[E], *, by: Actor | None = None) -> E: ...

    def get(
        self, entity_id: str, kind: type[E] | None = None, *, by: Actor | None = None
    ) -> Entity | E:
        """Load an entity by id; with ``kind``, check it is of that type.

        Args:
            entity_id: The entity's id.
            kind: The entity class expected.
            by: Who is reading; their access is checked. Without it the read is the
                host's own, trusted one (a back-office job), refused if the office
                requires an actor (:attr:`require_actor`).

        Raises:
            NotFound: no entity with that id (of that type).
            AccessDenied: ``by`` may not see it (the refusal is recorded); a
                :class:`NotFound` with a missing id's message.
            UsageError: ``by`` is omitted on an office that requires an actor.
        """
        self.require_reader(by, "get")
        entity = self._store.get(entity_id)
        if by is not None:  # a hidden entity is missing, whatever its kind
            self.authorize(entity, by, "get")
        if kind is not None and not isinstance(entity, kind):
            raise NotFound(entity_id, str(getattr(kind, "entity_kind", kind.__name__)))
        return entity

    def list(
        self,
        *,
        kind: EntityKind | str | Iterable[EntityKind | str] | None = None,
        state: str | Iterable[str] | None = None,
        overdue_at: datetime | None = None,
        open_only: bool = False,
        by: Actor | None = None,
    ) -> EntityList:
        """List entities, oldest first, filtered by kind, state and being overdue.

        The list shows as a table in Jupyter and has ``to_dataframe()``.

        Args:
            kind: One kind or several.
            state: One state name or several.
            overdue_at: Only entities that are open and whose deadline passed before the
                day of this moment (in the office's time zone).
            open_only: Only entities that are not in a terminal state.
            by: Who is listing: what they may not see is left out, as if it did not
                exist. Without it the host's own read (see :attr:`require_actor`).

        Raises:
            ValidationError: An unknown kind, or a state none of the kinds has (on
                ``kind`` or ``state``, the known ones listed as accepted).
            UsageError: ``by`` omitted on an office that requires an actor.
        """
        self.require_reader(by, "list")
        query = self._query(kind, state, overdue_at, open_only=open_only, by=by)
        found = self._store.find(query)
        if by is None:
            return EntityList(found)
        return EntityList(e for e in found if self.access.may_see(by, e) is None)

    def _query(
        self,
        kind: EntityKind | str | Iterable[EntityKind | str] | None,
        state: str | Iterable[str] | None,
        overdue_at: datetime | None,
        *,
        open_only: bool,
        by: Actor | None,
    ) -> Query:
        """The store query of a listing, its kinds and states checked."""
        kinds = None
        if kind is not None:
            given: object = kind  # a host's query string may hold anything
            named = given if isinstance(given, Iterable) and not isinstance(given, str) else [given]
            kinds = frozenset(self._filter_kind(k) for k in named)
        states = None
        if state is not None:
            states = frozenset([state] if isinstance(state, str) else map(str, state))
            self._known_states(states, kinds)
        as_of = None
        if overdue_at is not None:
            as_of = checked_moment(overdue_at, "overdue_at").astimezone(self.timezone).date()
        ceiling = None if by is None else self.access.ceiling(by)
        return Query(
            kinds=kinds,
            states=states,
            overdue_as_of=as_of,
            open_only=open_only,
            max_classification=ceiling,
        )

    def page(
        self,
        *,
        limit: int = 50,
        cursor: str | None = None,
        kind: EntityKind | str | Iterable[EntityKind | str] | None = None,
        state: str | Iterable[str] | None = None,
        overdue_at: datetime | None = None,
        open_only: bool = False,
        by: Actor | None = None,
    ) -> Page:
        """One page of :meth:`list`, and the cursor of the next.

        The store reads only the page (keyset pagination: a page costs the same however
        deep it is, and entities created meanwhile do not shift it). For ``by``, the
        store leaves out what is classified above their clearance; what else the access
        policy hides (a need-to-know scope) is left out here, and the page is filled
        from further on, so every page but the last holds ``limit`` entities the actor
        may see and the cursor resumes right after the last of them.

        Args:
            limit: Entities per page, 1 to 10,000.
            cursor: The ``next_cursor`` of the page before; None for the first.
            kind: One kind or several, as for :meth:`list`.
            state: One state name or several.
            overdue_at: Only open entities whose deadline passed before this moment's day.
            open_only: Only entities that are not in a terminal state.
            by: Who is reading: what they may not see is neither on a page nor counted.

        Raises:
            ValidationError: An unknown kind or state (the known ones listed), a
                ``limit`` not 1 to 10,000 or a ``cursor`` no page of this query gave out.
            UsageError: ``by`` omitted on an office that requires an actor.
        """
        self.require_reader(by, "page")
        query = self._query(kind, state, overdue_at, open_only=open_only, by=by)
        limit = checked_limit(limit)
        if by is None:
            return self._store.page(query, limit=limit, cursor=cursor)
        kept: builtins.list[Entity] = []
        cursors: builtins.list[str] = []
        while True:
            page = self._store.page(query, limit=limit, cursor=cursor)
            for index, (entity, after) in enumerate(zip(page.items, page.cursors, strict=True)):
                if self.access.may_see(by, entity) is not None:
                    continue
                kept.append(entity)
                cursors.append(after)
                if len(kept) == limit:
                    more = index + 1 < len(page.items) or page.next_cursor is not None
                    return Page(tuple(kept), after if more else None, tuple(cursors))
            if page.next_cursor is None:
                return Page(tuple(kept), None, tuple(cursors))
            cursor = page.next_cursor

    def _filter_kind(self, kind: object) -> Any:
        """The kind a listing names, or a ValidationError on ``kind`` listing the known ones."""
        try:
            return self._registry.kind(kind)  # type: ignore[arg-type]  # refused if not a name
        except (UsageError, TypeError):
            known = ", ".join(sorted(str(k) for k in self._registry.entity_types))
            raise ValidationError(
                "query",
                [FieldProblem("kind", "known_kind", f"{kind!r} is no kind the office runs", known)],
            ) from None

    def _known_states(self, states: frozenset[str], kinds: frozenset[Any] | None) -> None:
        """Refuse a state none of ``kinds`` (every kind, if None) has, naming the known ones.

        Raises:
            ValidationError: on ``state``, its accepted values the states of those kinds.
        """
        runs = [
            workflow for kind, workflow in self._workflows.items() if kinds is None or kind in kinds
        ]
        known = {s.value for workflow in runs for s in workflow.states}
        unknown = states - known
        if unknown:
            whose = "the kinds asked for" if kinds is not None else "the office's kinds"
            raise ValidationError(
                "query",
                [
                    FieldProblem(
                        "state",
                        "known_state",
                        f"none of {whose} has the state {', '.join(map(repr, sorted(unknown)))}",
                        ", ".join(sorted(known)),
                    )
                ],
            )

    def count(
        self,
        *,
        kind: EntityKind | str | Iterable[EntityKind | str] | None = None,
        state: str | Iterable[str] | None = None,
        overdue_at: datetime | None = None,
        open_only: bool = False,
        by: Actor | None = None,
    ) -> int:
        """How many entities :meth:`list` would give for the same arguments.

        The store counts (in SQL on a database). For ``by`` it counts what their
        clearance admits, and what else the access policy hides (a need-to-know scope)
        is judged entity by entity and not counted.
        """
        self.require_reader(by, "count")
        query = self._query(kind, state, overdue_at, open_only=open_only, by=by)
        if by is None:
            return self._store.count(query)
        return sum(1 for e in self._store.find(query) if self.access.may_see(by, e) is None)

    def audit(self, entity: Entity | str, *, by: Actor | None = None) -> AuditTrail:
        """The entity's audit trail, creation first (a table in Jupyter, ``to_dataframe()``).

        Raises:
            NotFound: no such entity.
            AccessDenied: ``by`` may not see the entity (the refusal is recorded).
            UsageError: ``by`` is omitted on an office that requires an actor.
        """
        self.require_reader(by, "audit")
        entity_id = entity.id if isinstance(entity, Entity) else entity
        if by is not None:
            self.authorize(self._store.get(entity_id), by, "audit")
        return AuditTrail(self._store.events(entity_id))

    def denials(self) -> builtins.list[AccessDenial]:
        """Every refused access, oldest first: who, what, when, why."""
        return self._store.denials()

    def replay(self, entity: Entity | str) -> Entity:
        """Rebuild the entity from its audit trail alone (it equals the stored one).

        Like :meth:`verify_audit`, the host's own check of the record, not a read on
        anyone's behalf.
        """
        events = self._store.events(entity.id if isinstance(entity, Entity) else entity)
        replayed: Entity = self._workflows[events[0].entity_kind].replay(events)
        return replayed

    # ------------------------------------------------------------------ tamper evidence
    def verify_audit(
        self,
        *,
        against: Checkpoint | Iterable[Checkpoint] | None = None,
        keys: Iterable[VerifyKey] = (),
    ) -> AuditReport:
        """Check the whole audit record; report every break.

        Each entity's events must be numbered 1, 2, 3 ..., each must match its hash and
        follow its predecessor's, the record must be what its events replay to, every
        indexed column must say what the body says, the access-denials log must be an
        unbroken chain, and every entity an anchor covered must still be there. The
        office's checkpoints must each be signed by the key the one before names, and
        the store must have only grown since the newest: no trail cut short, no entity
        removed, no denial removed, no counter set back.

        Args:
            against: Checkpoints kept outside the office (:meth:`checkpoint` made them;
                :meth:`Checkpoint.from_json` reads one back). Each must be signed,
                must still be the office's own checkpoint of that number, and the store
                must have grown from it: a database put back to an older copy, which
                takes its own checkpoints back with it, shows here.
            keys: Keys to verify signatures with, besides the office's own
                (``checkpoint_key`` and ``verify_keys``). A key named by a signed
                rotation is learnt from it. A checkpoint whose key is not at hand is
                listed in the report's ``warnings``, not as a problem.

        An untouched store verifies clean; each kind of tampering shows as a problem
        (:class:`~secretarial.AuditProblem` lists the kinds).
        """
        given = (
            ()
            if against is None
            else (against,)
            if isinstance(against, Checkpoint)
            else tuple(against)
        )
        return verify_records(
            self._store,
            self._workflows,
            against=given,
            keys=[*self._keys_at_hand(), *keys],
            signer=None if self._checkpoint_key is None else self._checkpoint_key.record,
        )

    def _keys_at_hand(self) -> builtins.list[VerifyKey]:
        own = [] if self._checkpoint_key is None else [self._checkpoint_key]
        return [*own, *self._verify_keys]

    def anchor(self) -> Anchor:
        """Seal the store as it is now, so that a whole entity deleted later is detected.

        Make an anchor periodically (daily, say) and publish its ``hash`` outside the
        office's database. A :meth:`checkpoint` seals more (every trail's end, the
        denials, the counters) and is signed.
        """
        return make_anchor(self._store, self.now())

    def checkpoint(self, *, rotate_to: SigningKey | None = None) -> Checkpoint:
        """Seal everything the office has recorded, signed with its ``checkpoint_key``.

        The checkpoint commits to every entity's audit head and event count (a Merkle
        tree: :meth:`prove` shows one entity's inclusion), the access-denials log's head,
        the counters and the previous checkpoint. The office keeps it; keep
        :meth:`Checkpoint.to_json` somewhere else too (a file, another system), and
        give it to :meth:`verify_audit` as ``against=``. Take one on every sweep
        (``sweep(checkpoint=True)``).

        Args:
            rotate_to: Change keys: this checkpoint, signed with the current key, names
                ``rotate_to`` as the key that signs the next ones, and the office signs
                with it from now on. Checkpoints made before still verify with their key.

        Raises:
            UsageError: The office has no ``checkpoint_key``, or its key is not the one
                the last checkpoint named to sign next.
            ConcurrencyConflict: Another process made a checkpoint at the same moment;
                take it again (nothing was kept).
        """
        key = self._checkpoint_key
        if key is None:
            raise UsageError(
                "checkpoints are signed: give the office a checkpoint_key (an Ed25519Key "
                "or an HmacKey; load_key reads one from a file or the environment)"
            )
        made = make_checkpoint(self._store, self.now(), key, rotate_to=rotate_to)
        if rotate_to is not None:
            self._verify_keys.append(key)
            self._checkpoint_key = rotate_to
        return made

    def forget_idempotency_keys(self, older_than: timedelta = timedelta(days=7)) -> int:
        """Forget the idempotency keys claimed more than ``older_than`` ago; say how many.

        A key answers its retries for as long as it is kept; run this now and then (with
        the sweep, say) with a span longer than any client retries for. The entities and
        the audit are not touched.

        Raises:
            ValidationError: ``older_than`` is negative.
        """
        if older_than < timedelta(0):
            raise ValidationError(
                "forget_idempotency_keys",
                [
                    FieldProblem(
                        "older_than",
                        "non_negative",
                        f"{older_than!r} is negative",
                        "a span of zero or more",
                    )
                ],
            )
        return self._store.forget_idempotency_keys(self.now() - older_than)

    @property
    def blobs(self) -> BlobStore:
        """The office's content store (attachments, texts), content-addressed by SHA-256.

        In memory for an in-memory office, a directory beside a SQLite file, the database
        itself for PostgreSQL (docs/stores.md, "Content: the blob store").
        """
        return self._store.blobs

    @property
    def outbox(self) -> Outbox:
        """The office's outbox: every committed change's domain events (docs/events.md)."""
        return Outbox(self._store)

    def outbox_relay(
        self,
        sinks: Iterable[Sink],
        *,
        batch: int = 500,
        partitions: Iterable[int] | None = None,
        start: Start = "earliest",
        backoff: Backoff | None = None,
    ) -> Relay:
        """A relay that delivers the outbox to ``sinks``; run it, then close it.

        ``relay.run(stop=event)`` delivers until the event is set (what ``secretarial
        relay`` runs); ``relay.run_once()`` makes one pass. Several relays of one office
        (threads, processes) share its partitions and never deliver one at once.

        Args:
            sinks: Where to deliver; each records its own position (by its name).
            batch: At most this many entries per partition and sink at a time.
            partitions: The partitions this relay may take (default all 16).
            start: Where a sink with no recorded position begins: ``"earliest"``
                (everything kept), ``"latest"`` (what commits from now on), or past a
                position.
            backoff: How long a failing sink waits before it is tried again.

        Raises:
            ValidationError: Two sinks share a name, an option is out of range, or a
                subscription names a kind, an event type or a trigger the office does
                not have (its events would be passed over for good).
        """
        listed = builtins.list(sinks)
        problems = self._subscription_problems(listed)
        if problems:
            raise ValidationError("outbox_relay", problems)
        return Relay(
            self._store,
            listed,
            clock=self._clock,
            batch=batch,
            partitions=partitions,
            start=start,
            backoff=backoff,
        )

    def _subscription_problems(self, sinks: Sequence[Sink]) -> builtins.list[FieldProblem]:
        """What each sink's subscription names that no event of this office can have."""
        kinds = {str(k) for k in self._registry.entity_types} | {CHECKPOINT_STREAM}
        triggers = {t for w in self._workflows.values() for t in w.triggers}
        triggers.add(CHECKPOINT_STREAM)
        known = {
            "kinds": (kinds, "kind"),
            "types": ({str(t) for t in EventType}, "event type"),
            "triggers": (triggers, "trigger"),
        }
        return [
            FieldProblem(
                f"sinks[{index}].subscription.{field}",
                "known_" + what.replace(" ", "_"),
                f"{name!r} is no {what} of this office (sink {sink.name!r})",
                ", ".join(sorted(values)),
            )
            for index, sink in enumerate(sinks)
            for field, (values, what) in known.items()
            for name in sorted(set(getattr(sink.subscription, field)) - values)
        ]

    def relay(
        self,
        sinks: Iterable[Sink],
        *,
        timeout: float | None = None,
        batch: int = 500,
        start: Start = "earliest",
    ) -> RelayReport:
        """Deliver everything committed so far to ``sinks``, and say what was delivered.

        For a host that drives delivery itself (after each request, from a scheduler).
        Each sink is given what it has not been given, in commit order per entity; a sink
        that fails is left where it stood and reported (``report.failing``), the others
        are served. With ``timeout`` (seconds), a failing sink is retried with backoff
        while it lasts.

        Raises:
            ValidationError: Two sinks share a name, or an option is out of range.
        """
        with self.outbox_relay(sinks, batch=batch, start=start) as relay:
            return relay.drain(timeout=timeout)

    def checkpoints(self) -> builtins.list[Checkpoint]:
        """Every checkpoint the office has made, oldest first."""
        return self._store.checkpoints()

    def prove(
        self, entity: Entity | str, checkpoint: Checkpoint | int | None = None
    ) -> InclusionProof:
        """The proof that ``entity``, as it stood, is among a checkpoint's leaves.

        ``proof.proves(checkpoint)`` checks it with the checkpoint alone, without the
        other entities (for a host or an auditor who holds the checkpoint).

        Args:
            entity: The entity or its id.
            checkpoint: The checkpoint or its number; the newest if omitted.

        Raises:
            UsageError: There is no such checkpoint, its leaves are not kept, or it does
                not cover the entity.
        """
        entity_id = entity.id if isinstance(entity, Entity) else entity
        kept = self._store.checkpoints()
        if checkpoint is None:
            if not kept:
                raise UsageError("the office has made no checkpoint yet")
            sequence = kept[-1].sequence
        else:
            sequence = checkpoint.sequence if isinstance(checkpoint, Checkpoint) else checkpoint
        leaves = LeafReader(self._store.checkpoint_leaves).leaves(sequence)
        if leaves is None:
            raise UsageError(f"the office keeps no leaves for checkpoint {sequence}")
        return InclusionProof.build(sequence, leaves, entity_id)

    # ------------------------------------------------------------------ records

    # ------------------------------------------------------------------ registers
    def register(
        self,
        name: str,
        *,
        year: int | None = None,
        as_of: date | None = None,
        open_only: bool = False,
        by: Actor | None = None,
    ) -> Register:
        """A register the office keeps, by its name.

        The built-in areas keep ``incoming`` (收文登记簿), ``outgoing`` (发文登记簿),
        ``ledger`` (督办台账) and ``catalogue`` (归档文件目录); a plugin's area may keep
        more (:attr:`registry` lists them all).

        Args:
            name: The register's name.
            year: Only entities of this year, as the register counts years (not for a
                register that is not kept by year, such as the ledger).
            as_of: The day the register is made on (overdue is judged on it); today in
                the office's time zone if omitted.
            open_only: Only entities not yet finished.
            by: Who exports it; what they may not see is left out. Without it the
                host's own read (see :attr:`require_actor`).

        Raises:
            UsageError: The office keeps no register of that name, or ``year`` is given
                for a register not kept by year; ``by`` omitted on an office that
                requires an actor.
        """
        self.require_reader(by, "register")
        area, spec = self._registry.register(name)
        if year is not None and not spec.yearly:
            raise UsageError(f"the register {name!r} is not kept by year; leave year out")
        entities = self.list(kind=area.kind, open_only=open_only, by=by)
        day = as_of if as_of is not None else self.today()
        return spec.build(entities, RegisterRequest(timezone=self.timezone, as_of=day, year=year))

    def json_schemas(
        self, *, ref_template: str = DEFAULT_REF_TEMPLATE
    ) -> dict[str, dict[str, Any]]:
        """The JSON Schema of every entity, every trigger's input and every register row.

        Ready for an OpenAPI document's ``components.schemas``: ``entity``, the union of
        the kinds (:meth:`entity_adapter`); ``entities`` by kind (``incoming_document``
        ...); ``inputs`` by kind and trigger (the triggers that take input; a creation
        takes the entity's own fields); ``registers`` by name (a row as an object keyed
        by column, each column's Chinese header its ``title``). Plugins' areas and
        extended tables are included, as the office runs them.

        Each schema keeps the models it refers to in its ``$defs``; ``ref_template``
        says how a reference is written (``"#/components/schemas/{model}"`` for a host
        that moves the ``$defs`` into its OpenAPI components). A field that must be
        given but is checked by a rule of its own (a call record's ``matter``, R1) is
        listed as required, with no ``null`` default its type would not admit.
        ``outbox_event`` is the message the outbox delivers (docs/events.md), its
        ``entity`` one of the office's kinds.
        """

        def schema(model: type[pydantic.BaseModel], mode: JsonSchemaMode) -> dict[str, Any]:
            return _required_where_none_is_refused(
                model.model_json_schema(mode=mode, ref_template=ref_template)
            )

        entities = {
            str(kind): schema(entity_type, "serialization")
            for kind, entity_type in self._registry.entity_types.items()
        }
        inputs: dict[str, Any] = {}
        for kind, workflow in self._workflows.items():
            models = {t: workflow.input_model(t) for t in workflow.triggers}
            schemas = {t: schema(m, "validation") for t, m in models.items() if m is not None}
            if schemas:
                inputs[str(kind)] = schemas
        registers: dict[str, Any] = {}
        request = RegisterRequest(timezone=self.timezone, as_of=self.today())
        for _area, spec in self._registry.registers:
            registers[spec.name] = schema(spec.build([], request).row_model(), "validation")
        union = self.entity_adapter().json_schema(mode="serialization", ref_template=ref_template)
        return {
            "entity": _required_where_none_is_refused(union),
            "entities": entities,
            "inputs": inputs,
            "registers": registers,
            "outbox_event": _outbox_event_schema(union, ref_template),
        }

    def entity_adapter(self) -> TypeAdapter[Entity]:
        """A type adapter over every kind the office runs, told apart by ``entity_kind``.

        ``office.entity_adapter().validate_json(text)`` reads any entity a dump wrote
        (``model_dump_json`` writes its kind as ``entity_kind``) back as its own class:
        an ``IncomingDocument`` for ``"incoming_document"``, a plugin's kind as its class.
        Its ``json_schema()`` is the union, one branch per kind. Made once per office.

        Raises:
            pydantic.ValidationError: The text is not an entity of a kind the office runs
                (its ``entity_kind`` missing or unknown, or its fields not the kind's).
        """
        adapter = self._entity_adapter
        if adapter is None:
            adapter = self._entity_adapter = entity_adapter(self._registry.entity_types)
        return adapter

    def entity_from_json(self, data: str | bytes) -> Entity:
        """The entity a dump wrote (``model_dump_json``), read as the class of its kind.

        Raises:
            ValidationError: ``data`` is not the JSON of an entity of a kind the office
                runs: each problem names its field (``entity_kind`` for a missing or
                unknown kind, listing the kinds the office runs).
        """
        try:
            return self.entity_adapter().validate_json(data)
        except pydantic.ValidationError as e:
            problems = problems_from_pydantic(e)
            for n, problem in enumerate(problems):
                if problem.rule == "entity_kind" or (
                    problem.field == "" and "tag" in problem.message
                ):
                    problems[n] = FieldProblem(
                        "entity_kind",
                        "entity_kind",
                        "names no kind this office runs",
                        ", ".join(sorted(str(k) for k in self._registry.entity_types)),
                    )
            raise ValidationError("entity", problems) from None

    # ------------------------------------------------------------------ the daily brief
    def brief(self, actor: Actor, day: date | None = None) -> Brief:
        """``actor``'s brief for ``day`` (today if omitted): what they must act on.

        What waits for their trigger, what is overdue, due today and within a week, the
        meetings they sit in, the progress reports due, and what plugins add, most
        urgent first; only what ``actor`` may see. Renders as text, Markdown and HTML.
        """
        day = day if day is not None else self.today()
        start = datetime.combine(day, time(0, 0), tzinfo=self.timezone)
        entities = self.list(open_only=True, by=actor)

        def accepted_on(item: SupervisionItem) -> date | None:
            accepted = [e.at for e in self._store.events(item.id) if e.trigger == "accept"]
            return accepted[-1].astimezone(self.timezone).date() if accepted else None

        reports = progress_reports_due(
            entities,
            policy=self.reminder_policy,
            calendar=lambda: self.calendar,
            day=day,
            timezone=self.timezone,
            accepted_on=accepted_on,
        )
        now = self.now()
        late: dict[str, builtins.list[str]] = {}
        for overdue in self.information.emergency_due(now, by=actor):
            late.setdefault(overdue.entity_id, []).append(f"{overdue.limit.label}逾时")
        extra: builtins.list[BriefSection] = [emergency_section(entities, late)]
        if self._plugins is not None:
            extra += [
                BriefSection(
                    f"plugin:{s.plugin}",
                    s.title,
                    tuple(BriefItem("", s.plugin, line, "") for line in s.lines),
                )
                for s in self._plugins.brief_sections(actor, day, entities)
            ]
        return build_brief(
            actor,
            day,
            entities=entities,
            workflows=lambda e: self._workflows[e.entity_kind],
            now=now,
            timezone=self.timezone,
            meetings_today=self.meetings.agenda(start, start + timedelta(days=1), by=actor),
            reports_due=reports,
            extra_sections=extra,
            at_risk=assess_risks(
                self, as_of=min(now, datetime.combine(day, time.max, self.timezone)), by=actor
            ).at_risk,
        )

    # ------------------------------------------------------------------ reminders
    def sweep(
        self, now: datetime | None = None, *, by: Actor | None = None, checkpoint: bool = False
    ) -> SweepReport:
        """Issue the reminders, escalations and report requests due now (催办).

        Every open entity with a deadline or a report cycle is judged by the office's
        :class:`~secretarial.ReminderPolicy` on the local day of ``now``, and every open
        emergency item by its :class:`~secretarial.EmergencyPolicy` at ``now`` (any day:
        those limits are minutes, so sweep every minute or so); each due step
        is recorded with the entity's ``remind`` trigger and its audit event, once per
        entity however often and from however many processes the office is swept.
        Deliver what the report lists as issued. Provisional deadlines whose calendar
        year has been loaded since are confirmed (:meth:`recheck_deadlines`); those
        still provisional are listed in the report's ``provisional``.

        Args:
            now: The moment to sweep for, timezone-aware; the office clock if omitted.
            by: Who issues the reminders; the system actor (id ``system``) if omitted,
                the office's own work, which chases every open entity. With ``by``, what
                they may not see is left alone, as a list leaves it out.
            checkpoint: Also take a signed :meth:`checkpoint` after the sweep (the
                report's ``checkpoint``); it costs a small part of a sweep.

        Returns:
            What was issued and what was skipped (e.g. a step another worker issued).
            The office's plugins have been handed each issued reminder to deliver
            (``secretarial_deliver_reminder``).

        Raises:
            CalendarCoverageError: The calendar has no data for the day.
            MissingExtraError: No calendar was given and ``chinese-calendar`` is not
                installed.
            ValidationError: ``now`` is not a timezone-aware datetime from 1900-01-01 to
                9998-12-31 (UTC).
            UsageError: ``checkpoint`` is asked for and the office has no
                ``checkpoint_key``.
        """
        if checkpoint and self._checkpoint_key is None:
            raise UsageError(
                "sweep(checkpoint=True) needs the office's checkpoint_key to sign the checkpoint"
            )
        now = self.now() if now is None else checked_moment(now, "now")
        context = self.context(
            by if by is not None else SYSTEM_ACTOR, now.astimezone(self.timezone)
        )
        if by is None:  # the office's own work: every open entity, need-to-know or not
            context = context._replace(authorize=None)
        report = sweep_reminders(
            self._store,
            context,
            policy=self.reminder_policy,
            calendar=self.calendar,
            tz=self.timezone,
            emergency=self.emergency_policy,
        )
        pending = self._provisional()
        if self._loaded_years != self._rechecked_for:  # a year loaded since the last check
            checks = self._recheck(
                "provisional deadlines checked again by the sweep", None, pending
            )
            settled = {c.item_id for c in checks if c.outcome != "still_provisional"}
            pending = [i for i in pending if i.id not in settled]
        provisional = tuple(
            i.id for i in pending if by is None or self.access.may_see(by, i) is None
        )
        if provisional:
            report = report.model_copy(update={"provisional": provisional})
        if self._plugins is not None:
            self._plugins.deliver_reminders(report.issued)
        if checkpoint:
            report = report.model_copy(update={"checkpoint": self.checkpoint()})
        return report

    # ------------------------------------------------------------------ lifecycle
    def close(self) -> None:
        """Release the store."""
        self._store.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"<Office store={self._store!r} timezone={self.timezone}>"

    def check_actor(self, actor: Actor) -> None:
        """Refuse an actor holding a role the office does not know.

        Raises:
            ValidationError: A role of ``actor`` is none of :attr:`known_roles` (field
                ``roles``, rule ``known_role``); the known ones are listed.
        """
        if actor.roles <= self.known_roles:
            return
        self.check_roles(actor.roles, who=actor.id)

    def check_roles(self, roles: Iterable[str], *, who: str = "the person") -> None:
        """Refuse roles the office does not know (see :attr:`known_roles`).

        Raises:
            ValidationError: A role is none of :attr:`known_roles` (field ``roles``, rule
                ``known_role``); the known ones are listed.
        """
        given = {roles} if isinstance(roles, str) else set(roles)
        unknown = sorted(str(role) for role in given - self.known_roles)
        if not unknown:
            return
        raise ValidationError(
            "Actor",
            [
                FieldProblem(
                    "roles",
                    "known_role",
                    f"{who} holds {', '.join(map(repr, unknown))}, which this office "
                    "does not know (roles are lower-case identifiers; a host's own are "
                    "given with Office(roles=...))",
                    ", ".join(sorted(self.known_roles)),
                )
            ],
        )

    def require_reader(self, by: Actor | None, verb: str) -> None:
        """Refuse a read without ``by`` if the office requires an actor on every read.

        Raises:
            UsageError: ``by`` is None and :attr:`require_actor` is set.
        """
        if by is not None:
            self.check_actor(by)
        elif self.require_actor:
            raise UsageError(
                f"{verb} needs by=: this office requires the actor every read is made for "
                "(require_actor=True); pass by=<the Actor reading>. A read without by= is "
                "the host's own, on an office opened without require_actor"
            )

    def authorize(self, entity: Entity, actor: Actor, action: str) -> None:
        """Let ``actor`` touch ``entity`` for ``action``, or record the refusal and raise.

        Raises:
            AccessDenied: The access policy refuses (the denial is recorded first).
        """
        reason = self.access.may_see(actor, entity)
        if reason is None:
            return
        denied = AccessDenied(actor.id, entity.id, reason)
        self._record_denial(actor, action, denied)
        raise denied

    def _current(self, entity: Entity | str) -> Entity:
        return self._store.get(entity if isinstance(entity, str) else entity.id)


def _accepts_null(schema: Mapping[str, Any]) -> bool:
    """Whether a property's schema admits ``null`` (directly or in a branch)."""
    kind = schema.get("type")
    if kind == "null" or (isinstance(kind, list) and "null" in kind):
        return True
    if "$ref" in schema or "const" in schema or "enum" in schema:
        return None in schema.get("enum", ())
    return any(
        _accepts_null(branch) for key in ("anyOf", "oneOf") for branch in schema.get(key, ())
    )


def _required_where_none_is_refused(schema: dict[str, Any]) -> dict[str, Any]:
    """``schema`` with each ``null`` default its property's type refuses made a requirement.

    A model field declared ``= Field(default=None, validate_default=True)`` behind a rule
    that refuses None (R1's elements of a call record) is required in fact; pydantic
    writes it with ``"default": null`` beside a type without null, which no value fits
    and OpenAPI validators reject.
    """
    objects = [schema, *schema.get("$defs", {}).values()]
    for found in objects:
        properties = found.get("properties", {})
        for name, prop in properties.items():
            if "default" in prop and prop["default"] is None and not _accepts_null(prop):
                del prop["default"]
                required = found.setdefault("required", [])
                if name not in required:
                    required.append(name)
    return schema


def _outbox_event_schema(union: dict[str, Any], ref_template: str) -> dict[str, Any]:
    """The outbox message's schema, its ``entity`` the union of the office's kinds."""
    event = OutboxEvent.model_json_schema(mode="serialization", ref_template=ref_template)
    entity = {key: value for key, value in union.items() if key != "$defs"}
    event["properties"]["entity"] = {
        "anyOf": [entity, {"type": "null"}],
        "title": "Entity",
        "description": "The entity as committed; null when withheld or for a checkpoint.",
    }
    defs = {**union.get("$defs", {}), **event.get("$defs", {})}
    if defs:
        event["$defs"] = defs
    return event
