"""The ``secretarial`` command: typer commands over :class:`~secretarial.Office`.

Every command opens the office named by ``--db``, does one thing and closes it. Output is
a rich table for people, or JSON with ``--json``; a failure is one line on standard error
(``secretarial: <code>: <message>``) and an exit code that says what kind of failure it
was (:class:`~secretarial.cli._errors.ExitCode`).
"""

# Typer reads a command's options from its parameters: boolean flags with defaults and
# many "positional" parameters are how a typer command is written, not a design smell.
# ruff: noqa: FBT001, FBT002, PLR0917

from __future__ import annotations

import enum
import os
import re
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Annotated, Any, Final

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn
from typer.core import TyperGroup

import secretarial
from secretarial import (
    Actor,
    Classification,
    Entity,
    Office,
    Register,
    RegisterColumn,
    Role,
)
from secretarial.engine._relay import Start
from secretarial.eventlog import write_ocel, write_xes
from secretarial.kernel._calendar import provisional_years
from secretarial.report import CHARTS_HINT, Report, weekly_report
from secretarial.testing import FrozenClock

from . import _demo
from ._errors import PROGRAM, BadFile, BadInput, ExitCode, error_line, exit_code_for
from ._inputs import (
    actors_path,
    json_file,
    json_object,
    noon,
    office_url,
    open_office,
    parse_day,
    resolve_actor,
)
from ._render import (
    audit_table,
    console,
    emit_json,
    entities_table,
    entity_json,
    entity_table,
    register_table,
    sweep_table,
    verify_text,
)

__all__ = ["app"]


@dataclass
class _State:
    """What the root options set for the whole invocation."""

    debug: bool = False


class _Group(TyperGroup):
    """The root group: runs a command and turns any failure into one line and an exit code."""

    def main(
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        windows_expand_args: bool = True,
        **extra: Any,
    ) -> Any:
        """Run the command line; exit with its :class:`ExitCode` (or return it)."""
        state = _State()
        extra.setdefault("obj", state)
        try:
            result = super().main(
                args=args,
                prog_name=prog_name or PROGRAM,
                complete_var=complete_var,
                standalone_mode=False,
                windows_expand_args=windows_expand_args,
                **extra,
            )
            code = result if isinstance(result, int) else ExitCode.OK
        except typer.Abort:
            sys.stderr.write(f"{PROGRAM}: aborted\n")
            code = 130
        except Exception as e:
            if state.debug:
                raise
            sys.stderr.write(error_line(e) + "\n")
            code = exit_code_for(e)
        if standalone_mode:
            sys.exit(int(code))
        return int(code)


_EPILOG: Final = (
    "Exit codes: 0 done; 1 refused (a rule, the state, a role, a clearance; or verify "
    "found problems); 2 bad usage or input; 3 not found; 4 conflict. See docs/cli.md."
)

app: Final = typer.Typer(
    cls=_Group,
    name=PROGRAM,
    epilog=_EPILOG,
    pretty_exceptions_enable=False,
    add_completion=False,
)
doc_app: Final = typer.Typer(epilog=_EPILOG)
items_app: Final = typer.Typer(epilog=_EPILOG)
calendar_app: Final = typer.Typer(epilog=_EPILOG)
app.add_typer(doc_app, name="doc")
app.add_typer(items_app, name="items")
app.add_typer(calendar_app, name="calendar", help="The office's working-day calendar.")
people_app: Final = typer.Typer(epilog=_EPILOG)
app.add_typer(people_app, name="people", help="The directory: people and delegations (委托).")


def _help_without_command(ctx: typer.Context) -> None:
    """Show the help of a group called without a command."""
    if ctx.invoked_subcommand is None:
        typer.echo(ctx.get_help())
        raise typer.Exit


@doc_app.callback(invoke_without_command=True)
def _doc(ctx: typer.Context) -> None:
    """Receive documents, fire triggers, show and list entities."""
    _help_without_command(ctx)


@items_app.callback(invoke_without_command=True)
def _items(ctx: typer.Context) -> None:
    """What is due and overdue."""
    _help_without_command(ctx)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"{PROGRAM} {secretarial.__version__}")
        raise typer.Exit


@app.callback(invoke_without_command=True)
def _root(
    ctx: typer.Context,
    debug: Annotated[
        bool,
        typer.Option(
            "--debug",
            envvar="SECRETARIAL_DEBUG",
            help="Show the traceback of a failure instead of one line.",
        ),
    ] = False,
    version: Annotated[  # noqa: ARG001 -- handled by its callback
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Show the version."),
    ] = False,
) -> None:
    """The office secretariat on the command line: documents, supervision, registers."""
    state = ctx.ensure_object(_State)
    state.debug = debug
    _help_without_command(ctx)


# ---------------------------------------------------------------------------- options
Db = Annotated[
    str,
    typer.Option(
        "--db",
        envvar="SECRETARIAL_DB",
        metavar="FILE|URL",
        help="The office: a SQLite file, or a database URL (postgresql://...).",
    ),
]
Actors = Annotated[
    str | None,
    typer.Option(
        "--actors",
        envvar="SECRETARIAL_ACTORS",
        metavar="FILE",
        help="The actors file --by ID looks in (default: actors.json beside --db).",
    ),
]
By = Annotated[
    str | None,
    typer.Option(
        "--by",
        metavar="ID|JSON",
        help="Who acts (or reads): an id from the actors file, or JSON such as "
        '\'{"id": "li", "name": "李文书", "roles": ["clerk"], "clearance": "confidential"}\'.',
    ),
]
As = Annotated[
    list[str] | None,
    typer.Option(
        "--as",
        metavar="ROLE",
        help="Act as the anonymous actor 'cli' with this role (repeat for several).",
    ),
]
Clearance = Annotated[
    str | None,
    typer.Option(
        "--clearance",
        metavar="LEVEL",
        help="The clearance of the --as actor: unclassified (default), secret, "
        "confidential, top_secret.",
    ),
]
Json = Annotated[bool, typer.Option("--json", help="Write JSON for scripts.")]
OnBehalfOf = Annotated[
    str | None,
    typer.Option(
        "--on-behalf-of",
        metavar="ID",
        help="Act for this principal under a delegation (委托) they gave --by.",
    ),
]

DEFAULT_DB: Final = "office.db"


def _actor(
    db: str,
    actors: str | None,
    by: str | None,
    roles: list[str] | None,
    clearance: str | None,
    *,
    required: bool,
) -> Actor | None:
    """The actor of ``--by``/``--as``, checking role and clearance names first."""
    known = [r.value for r in Role]
    for role in roles or ():
        if role not in known:
            raise BadInput(f"--as {role!r} is not a role; roles: {', '.join(known)}")
    level = None
    if clearance is not None:
        levels = [c.value for c in Classification]
        if clearance not in levels:
            raise BadInput(f"--clearance {clearance!r} is not one of: {', '.join(levels)}")
        level = Classification(clearance)
    return resolve_actor(
        by,
        roles,
        actors_file=actors_path(db, actors),
        clearance=level,
        required=required,
    )


def _acting(
    db: str, actors: str | None, by: str | None, roles: list[str] | None, clearance: str | None
) -> Actor:
    """The actor of ``--by``/``--as`` for a command that needs one (see :func:`_actor`)."""
    actor = _actor(db, actors, by, roles, clearance, required=True)
    assert actor is not None  # noqa: S101 -- required=True
    return actor


def _unit(value: str, option: str) -> dict[str, str]:
    """The unit or organ a ``CODE:NAME`` option names."""
    code, sep, name = value.partition(":")
    if not sep or not code.strip() or not name.strip():
        raise BadInput(f"{option} {value!r} is not CODE:NAME (e.g. SZFB:市政府办公室)")
    return {"code": code.strip(), "name": name.strip()}


def _kind(value: str, option: str, office: Office) -> str:
    """The kind ``value`` names (a kind or one of its aliases) in the office's registry."""
    if value in office.registry:
        return office.registry.kind(value).value
    accepted = ", ".join(
        dict.fromkeys(n for area in office.registry for n in (area.kind.value, *area.aliases))
    )
    raise BadInput(f"{option} {value!r} is not a kind; kinds: {accepted}")


def _show(entity: Entity, *, as_json: bool, available: Sequence[str] | None = None) -> None:
    if as_json:
        emit_json(entity_json(entity))
    else:
        console().print(entity_table(entity, available=available))


# ---------------------------------------------------------------------------- init, demo
@app.command()
def init(db: Db = DEFAULT_DB) -> None:
    """Create an empty office (an existing office is left as it is).

    Also writes an actors file with a sample cast beside a SQLite office, unless one is
    there.
    """
    with open_office(db, create=True) as office:
        count = office.count()
    if count:
        console().print(f"{db} already holds an office ({count} records); nothing changed")
    else:
        console().print(f"{db}: an empty office, ready")
    _write_cast(db)


def _write_cast(db: str) -> None:
    """Write the demo's cast as the actors file beside a SQLite office, if there is none."""
    if office_url(db)[1] is None:
        return
    path = actors_path(db, None)
    if _demo.write_actors(path):
        console().print(f"wrote the cast to {path} (use --by li, --by zhao ...)")


@app.command()
def demo(
    db: Db = DEFAULT_DB,
    days: Annotated[
        int,
        typer.Option(min=1, max=_demo.MAX_DAYS, help="How many working days to simulate."),
    ] = 5,
    seed: Annotated[int, typer.Option(help="The same seed tells the same story.")] = 1,
) -> None:
    """Simulate a working week of an office, then show its registers.

    Each working day at 09:00 Beijing time the office sweeps for reminders, receives and
    handles its mail, drafts and dispatches documents, chases its supervision items,
    holds a meeting and files what is finished. The office stays in --db; run the demo
    again to add the following week.
    """
    with open_office(db, create=True) as office:
        ids = _demo.demo_ids(office)
    clock = FrozenClock(datetime.combine(_demo.FIRST_WEEK, time(1, 0), UTC))
    with open_office(db, clock=clock, ids=ids, archive=_demo.ARCHIVE) as office:
        workdays = _demo.plan_week(office, days)
        progress = Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            console=console(stderr=True),
        )
        with progress:
            task = progress.add_task("a working week", total=days)

            def on_day(day: _demo.DayReport) -> None:
                issued = len(day.sweep.issued) if day.sweep is not None else 0
                progress.update(
                    task,
                    advance=1,
                    description=f"{day.day:%a %Y-%m-%d}: {day.received} received, "
                    f"{day.filed} filed, {issued} reminders",
                )

            week = _demo.run_week(office, clock, workdays, seed=seed, on_day=on_day)
        _show_week(office, week, db)
        written = _write_report(_demo.report_of(office, week), _report_path(db, week.start, None))
    console().print(f"the week's report: {written.resolve().as_uri()}", soft_wrap=True)
    _write_cast(db)
    if not week.audit.ok:
        raise typer.Exit(ExitCode.REFUSED)


def _show_week(office: Office, week: _demo.WeekReport, db: str) -> None:
    out = console()
    out.rule(
        f"{_demo.ARCHIVE.organ_name} · {week.start} – {week.end} · "
        f"{len(week.days)} working day{'' if len(week.days) == 1 else 's'} · seed {week.seed}"
    )
    diary = register_table(
        Register(
            "工作日志",
            "Diary",
            _columns(
                ("day", "day"),
                ("received", "收文"),
                ("completed", "办结"),
                ("filed", "归档"),
                ("reminders", "催办"),
                ("events", "events"),
            ),
            tuple(
                (
                    f"{d.day:%a %m-%d}",
                    d.received,
                    d.completed,
                    d.filed,
                    len(d.sweep.issued) if d.sweep is not None else 0,
                    "\n".join(d.events) or None,
                )
                for d in week.days
            ),
        )
    )
    out.print(diary)
    out.print(
        register_table(
            office.documents.incoming_register(),
            (
                "registration_number",
                "sender",
                "number",
                "title",
                "handling_type",
                "deadline",
                "state",
            ),
        )
    )
    out.print(
        register_table(
            office.documents.outgoing_register(),
            ("number", "title", "signers", "main_recipients", "dispatched_at", "state"),
        )
    )
    out.print(
        register_table(
            office.supervision.ledger(),
            (
                "id",
                "source",
                "requirement",
                "lead_unit",
                "deadline",
                "extensions",
                "state",
                "overdue",
            ),
        )
    )
    out.print(sweep_table(d.sweep for d in week.days if d.sweep is not None))
    out.print(
        register_table(
            office.records.catalogue(),
            ("archival_code", "document_number", "title", "date", "pages", "classification"),
        )
    )
    out.print(verify_text(week.audit))
    out.print(
        f"{db} now holds {office.count()} records ({week.created} new this run). "
        f"Try: secretarial doc list --db {db}"
    )


def _columns(*pairs: tuple[str, str]) -> tuple[RegisterColumn, ...]:
    return tuple(RegisterColumn(key, label) for key, label in pairs)


# ---------------------------------------------------------------------------- report
@app.command()
def report(
    db: Db = DEFAULT_DB,
    start: Annotated[
        str | None,
        typer.Option(
            "--from", metavar="YYYY-MM-DD", help="The first day (with --to; default: see --week)."
        ),
    ] = None,
    end: Annotated[
        str | None, typer.Option("--to", metavar="YYYY-MM-DD", help="The last day (with --from).")
    ] = None,
    week: Annotated[
        str | None,
        typer.Option(
            metavar="YYYY-Www|YYYY-MM-DD",
            help="The week, Monday to Sunday: an ISO week (2025-W45) or a day in it "
            "(default: the week of the latest change the reader may see).",
        ),
    ] = None,
    timelines: Annotated[
        list[str] | None,
        typer.Option(
            "--timeline",
            metavar="ID",
            help="Draw this record's path through its steps (repeat; default: the busiest "
            "incoming and outgoing document and supervision item).",
        ),
    ] = None,
    title: Annotated[
        str | None, typer.Option(help="The heading (default: 工作周报 Weekly report).")
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option(
            metavar="FILE",
            help="Write the page here (default: beside a SQLite --db, named after its "
            "first day, e.g. office-report-2025-11-03.html).",
        ),
    ] = None,
    actors: Actors = None,
    by: By = None,
    as_: As = None,
    clearance: Clearance = None,
) -> None:
    """Write the weekly report (工作周报): one HTML page to read, print or send.

    Supervision by unit, the ledger, what is overdue, the work per day, records' paths,
    the meetings and their decisions, the information adopted and the duty roster, as
    --by may see them (classified matters above their clearance are left out). The
    page needs no network to open; its charts need matplotlib, tables show without it.
    """
    actor = _actor(db, actors, by, as_, clearance, required=False)
    if week is not None and (start is not None or end is not None):
        raise BadInput("--week goes without --from and --to")
    if (start is None) != (end is None):
        raise BadInput("--from and --to go together")
    with open_office(db) as office:
        if start is not None and end is not None:
            first, last = parse_day(start, "--from"), parse_day(end, "--to")
            if last < first:
                raise BadInput(f"--to {end} is before --from {start}")
        else:
            first = _week_start(office, week, actor)
            last = first + timedelta(days=6)
        made = weekly_report(
            office, start=first, end=last, by=actor, title=title, timelines=timelines
        )
    written = _write_report(made, _report_path(db, first, out))
    console().print(
        f"wrote the report of {first} – {last} to {written} ({written.resolve().as_uri()})",
        soft_wrap=True,
    )
    if not made.charts_drawn:
        console(stderr=True).print(f"the charts show as tables: {CHARTS_HINT}", soft_wrap=True)


_ISO_WEEK: Final = re.compile(r"([0-9]{4})-?W([0-9]{2})")


def _week_start(office: Office, week: str | None, actor: Actor | None) -> date:
    """The Monday of the week ``--week`` names, or of the latest change ``actor`` may see."""
    if week is None:
        latest = max((e.updated_at for e in office.list(by=actor)), default=office.now())
        day = latest.astimezone(office.timezone).date()
    elif (iso := _ISO_WEEK.fullmatch(week)) is not None:
        try:
            day = date.fromisocalendar(int(iso[1]), int(iso[2]), 1)
        except ValueError:
            raise BadInput(f"--week {week!r}: that year has no week {iso[2]}") from None
    elif "W" in week.upper():
        raise BadInput(f"--week {week!r} is not an ISO week such as 2025-W45")
    else:
        day = parse_day(week, "--week")
    return day - timedelta(days=day.weekday())


def _report_path(db: str, first: date, out: Path | None) -> Path:
    """Where a report goes: ``out``, or beside a SQLite office, or in the working directory."""
    if out is not None:
        return out
    path = office_url(db)[1]
    name = f"{path.stem if path is not None else 'office'}-report-{first.isoformat()}.html"
    return path.with_name(name) if path is not None else Path(name)


def _write_report(made: Report, path: Path) -> Path:
    try:
        return made.write(path)
    except OSError as e:
        raise BadFile(f"--out: cannot write the report to {str(path)!r}: {e.strerror}") from None


# ---------------------------------------------------------------------------- eventlog
class LogFormat(enum.StrEnum):
    """The format of an event log."""

    OCEL = "ocel"
    XES = "xes"


class Hidden(enum.StrEnum):
    """What becomes of a record the reader may not see in an event log."""

    REDUCE = "reduce"
    OMIT = "omit"


@app.command()
def eventlog(
    db: Db = DEFAULT_DB,
    fmt: Annotated[
        LogFormat,
        typer.Option(
            "--format",
            help="ocel: an object-centric log of every kind (OCEL 2.0 JSON); xes: a "
            "classic log of one --kind (XES).",
        ),
    ] = LogFormat.OCEL,
    kinds: Annotated[
        list[str] | None,
        typer.Option(
            "--kind",
            metavar="KIND",
            help="The kind (incoming, outgoing, item ...): one, required, for xes; for "
            "ocel only these kinds (repeat; default: every kind).",
        ),
    ] = None,
    start: Annotated[
        str | None,
        typer.Option("--from", metavar="YYYY-MM-DD", help="Only events on or after this day."),
    ] = None,
    end: Annotated[
        str | None,
        typer.Option("--to", metavar="YYYY-MM-DD", help="Only events on or before this day."),
    ] = None,
    classified: Annotated[
        Hidden,
        typer.Option(
            help="What becomes of a record --by may not see: reduce (its id, kind and steps "
            "only) or omit."
        ),
    ] = Hidden.REDUCE,
    out: Annotated[
        Path | None,
        typer.Option(
            metavar="FILE|-",
            help="Write the log here, - for standard output (default: beside a SQLite "
            "--db, e.g. office-events.jsonocel or office-incoming_document.xes).",
        ),
    ] = None,
    actors: Actors = None,
    by: By = None,
    as_: As = None,
    clearance: Clearance = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="Write what was written as JSON, for scripts.")
    ] = False,
) -> None:
    """Write the audit trail as an event log for process mining (OCEL 2.0 or XES).

    Every audit event, with its time, trigger, states and actor, and the records, units
    and people it touches; days are counted in the office's time zone. What --by may not
    see is reduced or left out (--classified); without --by the log is the office's own
    read. The log is written as the store is read, so memory stays flat.
    """
    if fmt is LogFormat.XES and len(kinds or ()) != 1:
        raise BadInput("--format xes needs one --kind (e.g. --kind incoming)")
    to_stdout = out is not None and str(out) == "-"
    if to_stdout and as_json:
        raise BadInput("--json writes the summary to standard output; give --out a file")
    first = None if start is None else parse_day(start, "--from")
    last = None if end is None else parse_day(end, "--to")
    if first is not None and last is not None and last < first:
        raise BadInput(f"--to {end} is before --from {start}")
    actor = _actor(db, actors, by, as_, clearance, required=False)
    with open_office(db) as office:
        chosen = None if not kinds else [_kind(k, "--kind", office) for k in kinds]
        zone = office.timezone
        since = None if first is None else datetime.combine(first, time(0), zone)
        until = None if last is None else datetime.combine(last + timedelta(days=1), time(0), zone)
        path = None if to_stdout else _eventlog_path(db, fmt, chosen, out)
        target: Any = getattr(sys.stdout, "buffer", sys.stdout) if path is None else path
        options: dict[str, Any] = {
            "by": actor,
            "since": since,
            "until": until,
            "classified": classified.value,
        }
        try:
            if fmt is LogFormat.XES:
                assert chosen is not None  # noqa: S101 -- one --kind, checked above
                summary = write_xes(office, target, kind=chosen[0], **options)
            else:
                summary = write_ocel(office, target, kinds=chosen, **options)
        except OSError as e:
            raise BadFile(
                f"--out: cannot write the event log to {str(path)!r}: {e.strerror}"
            ) from None
    if path is None:
        return
    if as_json:
        emit_json({**summary.to_dict(), "out": str(path)})
        return
    hidden = f"; hidden from the reader: {summary.reduced} reduced, {summary.omitted} left out"
    console().print(
        f"wrote {summary.events} events and {summary.objects} objects ({fmt.value}) to {path}"
        + (hidden if actor is not None else ""),
        soft_wrap=True,
    )


def _eventlog_path(db: str, fmt: LogFormat, kinds: Sequence[str] | None, out: Path | None) -> Path:
    """Where an event log goes: ``out``, or beside a SQLite office, or in the working directory."""
    if out is not None:
        return out
    path = office_url(db)[1]
    stem = path.stem if path is not None else "office"
    name = f"{stem}-{kinds[0]}.xes" if fmt is LogFormat.XES and kinds else f"{stem}-events.jsonocel"
    return path.with_name(name) if path is not None else Path(name)


# ---------------------------------------------------------------------------- doc
@doc_app.command("receive")
def doc_receive(
    db: Db = DEFAULT_DB,
    actors: Actors = None,
    by: By = None,
    as_: As = None,
    clearance: Clearance = None,
    file: Annotated[
        str | None,
        typer.Option(
            "--file",
            metavar="FILE",
            help="A JSON object of the document's fields (- reads standard input).",
        ),
    ] = None,
    kind: Annotated[str | None, typer.Option(help="notice, letter, report, request ...")] = None,
    title: Annotated[str | None, typer.Option(help="The title.")] = None,
    sender: Annotated[
        str | None,
        typer.Option(metavar="CODE:NAME", help="The sending organ, e.g. SZFB:市政府办公室."),
    ] = None,
    relation: Annotated[
        str | None,
        typer.Option(help="The sender's relation: superior, peer, subordinate, unrelated."),
    ] = None,
    channel: Annotated[
        str | None, typer.Option(help="electronic (default), paper, fax ...")
    ] = None,
    urgency: Annotated[str | None, typer.Option(help="urgent, extra_urgent ...")] = None,
    number: Annotated[
        str | None, typer.Option(help="The document number, e.g. 市政办发〔2025〕88号.")
    ] = None,
    as_json: Json = False,
) -> None:
    """Receive (签收) an incoming document, from options or a JSON file.

    Options override the file's fields. The time received is now unless the file says.
    """
    actor = _acting(db, actors, by, as_, clearance)
    fields = json_file(file, "--file") if file is not None else {}
    given: dict[str, Any] = {
        "kind": kind,
        "title": title,
        "channel": channel,
        "urgency": urgency,
        "number": number,
    }
    fields.update({k: v for k, v in given.items() if v is not None})
    if sender is not None:
        fields["sender"] = _unit(sender, "--sender")
    if relation is not None:
        if not isinstance(fields.get("sender"), dict):
            raise BadInput("--relation goes with a sender (--sender or the file's)")
        fields["sender"] = {**fields["sender"], "relation": relation}
    fields.setdefault("channel", "electronic")
    with open_office(db) as office:
        fields.setdefault("received_at", office.now())
        doc = office.documents.receive(by=actor, **fields)
        _show(doc, as_json=as_json)


@doc_app.command("fire")
def doc_fire(
    entity_id: Annotated[str, typer.Argument(metavar="ID", help="The entity's id.")],
    trigger: Annotated[str, typer.Argument(metavar="TRIGGER", help="register, approve, sign ...")],
    db: Db = DEFAULT_DB,
    actors: Actors = None,
    by: By = None,
    as_: As = None,
    clearance: Clearance = None,
    data: Annotated[
        str | None,
        typer.Option(
            metavar="JSON|@FILE", help='The trigger\'s input, e.g. \'{"deadline": "2025-11-10"}\'.'
        ),
    ] = None,
    reason: Annotated[
        str | None, typer.Option(help="Why (send-back, return, reject, cancel).")
    ] = None,
    expected_version: Annotated[
        int | None,
        typer.Option(min=1, help="Refuse (exit 4) unless the entity is still at this version."),
    ] = None,
    on_behalf_of: OnBehalfOf = None,
    as_json: Json = False,
) -> None:
    """Fire a trigger on an entity (a document, a supervision item, a meeting, a record)."""
    actor = _acting(db, actors, by, as_, clearance)
    _fire_and_show(
        db,
        entity_id,
        trigger,
        actor,
        json_object(data, "--data"),
        reason=reason,
        expected_version=expected_version,
        on_behalf_of=on_behalf_of,
        as_json=as_json,
    )


def _fire_and_show(
    db: str,
    entity_id: str,
    trigger: str,
    actor: Actor,
    fields: dict[str, Any],
    *,
    reason: str | None,
    as_json: bool,
    expected_version: int | None = None,
    on_behalf_of: str | None = None,
) -> None:
    with open_office(db) as office:
        before = office.get(entity_id)
        after = office.fire(
            entity_id,
            trigger,
            by=actor,
            reason=reason,
            expected_version=expected_version,
            on_behalf_of=on_behalf_of,
            **fields,
        )
        if as_json:
            emit_json(entity_json(after))
            return
        console().print(
            f"{after.id} {trigger}: {before.state} → {after.state} (version {after.version})"
        )
        _show(after, as_json=False)


@doc_app.command("withdraw")
def doc_withdraw(
    entity_id: Annotated[str, typer.Argument(metavar="ID", help="The entity's id.")],
    db: Db = DEFAULT_DB,
    actors: Actors = None,
    by: By = None,
    as_: As = None,
    clearance: Clearance = None,
    reason: Annotated[str | None, typer.Option(help="Why it is taken back.")] = None,
    as_json: Json = False,
) -> None:
    """Take back (撤回) what you sent onward, while the next step has not acted."""
    actor = _acting(db, actors, by, as_, clearance)
    _fire_and_show(db, entity_id, "withdraw", actor, {}, reason=reason, as_json=as_json)


@doc_app.command("return")
def doc_return(
    entity_id: Annotated[str, typer.Argument(metavar="ID", help="The entity's id.")],
    to: Annotated[str, typer.Option("--to", metavar="STATE", help="The earlier step.")],
    reason: Annotated[str, typer.Option(help="Why it goes back (required).")],
    db: Db = DEFAULT_DB,
    actors: Actors = None,
    by: By = None,
    as_: As = None,
    clearance: Clearance = None,
    as_json: Json = False,
) -> None:
    """Return (退回) an entity to an earlier step its table allows, to whoever acted there."""
    actor = _acting(db, actors, by, as_, clearance)
    _fire_and_show(db, entity_id, "return_to", actor, {"to": to}, reason=reason, as_json=as_json)


@doc_app.command("reassign")
def doc_reassign(
    entity_id: Annotated[str, typer.Argument(metavar="ID", help="The entity's id.")],
    reason: Annotated[str, typer.Option(help="Why it is handed over (required).")],
    to_actor: Annotated[
        str | None, typer.Option("--to-actor", metavar="ID", help="The actor who takes it.")
    ] = None,
    to_unit: Annotated[
        str | None,
        typer.Option("--to-unit", metavar="CODE:NAME", help="The unit that takes it."),
    ] = None,
    db: Db = DEFAULT_DB,
    actors: Actors = None,
    by: By = None,
    as_: As = None,
    clearance: Clearance = None,
    as_json: Json = False,
) -> None:
    """Hand an entity's step to another actor or unit (转办)."""
    actor = _acting(db, actors, by, as_, clearance)
    fields: dict[str, Any] = {}
    if to_actor is not None:
        fields["actor_id"] = to_actor
    if to_unit is not None:
        fields["unit"] = _unit(to_unit, "--to-unit")
    _fire_and_show(db, entity_id, "reassign", actor, fields, reason=reason, as_json=as_json)


@doc_app.command("show")
def doc_show(
    entity_id: Annotated[str, typer.Argument(metavar="ID", help="The entity's id.")],
    db: Db = DEFAULT_DB,
    actors: Actors = None,
    by: By = None,
    as_: As = None,
    clearance: Clearance = None,
    as_json: Json = False,
) -> None:
    """Show an entity; with --by/--as, as that actor sees it, with what they may fire."""
    actor = _actor(db, actors, by, as_, clearance, required=False)
    with open_office(db) as office:
        entity = office.get(entity_id, by=actor)
        available = None if actor is None else office.available_triggers(entity, by=actor)
        if as_json:
            emit_json(
                entity_json(entity) | ({} if available is None else {"may_fire": list(available)})
            )
        else:
            _show(entity, as_json=False, available=available)


@doc_app.command("list")
def doc_list(
    db: Db = DEFAULT_DB,
    kind: Annotated[
        list[str] | None,
        typer.Option(help="incoming, outgoing, item, meeting, record (repeat for several)."),
    ] = None,
    state: Annotated[
        list[str] | None, typer.Option(help="A state, e.g. in_handling (repeatable).")
    ] = None,
    overdue: Annotated[bool, typer.Option("--overdue", help="Only what is overdue.")] = False,
    as_of: Annotated[
        str | None,
        typer.Option(metavar="YYYY-MM-DD", help="The day --overdue is judged on (default: today)."),
    ] = None,
    open_only: Annotated[bool, typer.Option("--open", help="Only what is not finished.")] = False,
    actors: Actors = None,
    by: By = None,
    as_: As = None,
    clearance: Clearance = None,
    as_json: Json = False,
) -> None:
    """List entities, oldest first; with --by/--as, only what that actor may see."""
    actor = _actor(db, actors, by, as_, clearance, required=False)
    if as_of is not None and not overdue:
        raise BadInput("--as-of goes with --overdue")
    with open_office(db) as office:
        kinds = None if not kind else [_kind(k, "--kind", office) for k in kind]
        day = parse_day(as_of, "--as-of") if as_of is not None else office.today()
        found = office.list(
            kind=kinds,
            state=state or None,
            overdue_at=noon(day, office) if overdue else None,
            open_only=open_only,
            by=actor,
        )
        if as_json:
            emit_json([entity_json(e) for e in found])
        else:
            title = f"{len(found)} entities" + (f", overdue on {day}" if overdue else "")
            console().print(entities_table(found, title=title, as_of=day if overdue else None))


# ---------------------------------------------------------------------------- items
@items_app.command("overdue")
def items_overdue(
    db: Db = DEFAULT_DB,
    as_of: Annotated[
        str | None, typer.Option(metavar="YYYY-MM-DD", help="The day to judge on (default: today).")
    ] = None,
    kind: Annotated[
        list[str] | None,
        typer.Option(help="Only these kinds (default: every kind with deadlines)."),
    ] = None,
    actors: Actors = None,
    by: By = None,
    as_: As = None,
    clearance: Clearance = None,
    as_json: Json = False,
) -> None:
    """Everything open whose deadline passed before the day: documents, items, meetings."""
    actor = _actor(db, actors, by, as_, clearance, required=False)
    with open_office(db) as office:
        kinds = None if not kind else [_kind(k, "--kind", office) for k in kind]
        day = parse_day(as_of, "--as-of") if as_of is not None else office.today()
        found = office.list(kind=kinds, overdue_at=noon(day, office), by=actor)
        if as_json:
            emit_json(
                [
                    entity_json(e)
                    | {"days_overdue": (day - e.deadline).days if e.deadline else None}
                    for e in found
                ]
            )
        else:
            console().print(
                entities_table(found, title=f"{len(found)} overdue on {day}", as_of=day)
            )


# ---------------------------------------------------------------------------- people
@people_app.command("enrol")
def people_enrol(
    actor_id: Annotated[str, typer.Argument(metavar="ID", help="The id they act under.")],
    name: Annotated[str, typer.Option(help="Their name.")],
    unit: Annotated[str, typer.Option(metavar="CODE:NAME", help="The unit they belong to.")],
    role: Annotated[
        list[str] | None, typer.Option(metavar="ROLE", help="A role they hold (repeat).")
    ] = None,
    acts_for: Annotated[
        list[str] | None,
        typer.Option(metavar="CODE", help="A unit they act for in a countersign (repeat)."),
    ] = None,
    person_clearance: Annotated[
        str | None, typer.Option("--person-clearance", metavar="LEVEL", help="Their clearance.")
    ] = None,
    db: Db = DEFAULT_DB,
    actors: Actors = None,
    by: By = None,
    as_: As = None,
    clearance: Clearance = None,
    as_json: Json = False,
) -> None:
    """Enrol a person in the office's directory (the office director does)."""
    actor = _acting(db, actors, by, as_, clearance)
    with open_office(db) as office:
        person = office.directory.enrol(
            by=actor,
            actor_id=actor_id,
            name=name,
            unit=_unit(unit, "--unit"),
            roles=role or (),
            acts_for=acts_for or (),
            **({"clearance": person_clearance} if person_clearance else {}),
        )
        _show(person, as_json=as_json)


@people_app.command("list")
def people_list(
    unit: Annotated[str | None, typer.Option(metavar="CODE", help="Only this unit.")] = None,
    db: Db = DEFAULT_DB,
    as_json: Json = False,
) -> None:
    """The active people of the directory (of one unit, if given)."""
    with open_office(db) as office:
        found = list(office.directory.people(unit))
        entities = [p for p in found if isinstance(p, Entity)]
        if as_json:
            emit_json([entity_json(p) for p in entities])
        else:
            console().print(entities_table(entities, title=f"{len(entities)} people"))


@people_app.command("delegate")
def people_delegate(
    to: Annotated[str, typer.Option("--to", metavar="ID", help="The delegate's actor id.")],
    role: Annotated[list[str], typer.Option(metavar="ROLE", help="A role lent (repeat).")],
    days: Annotated[int, typer.Option(min=1, help="For how many days from now.")] = 7,
    trigger: Annotated[
        list[str] | None, typer.Option(metavar="TRIGGER", help="Only this trigger (repeat).")
    ] = None,
    kind: Annotated[
        list[str] | None, typer.Option(metavar="KIND", help="Only this kind (repeat).")
    ] = None,
    ceiling: Annotated[
        str | None, typer.Option(metavar="LEVEL", help="The highest classification covered.")
    ] = None,
    principal: Annotated[
        str | None,
        typer.Option(metavar="ID", help="Whose roles (default: --by; the director may name one)."),
    ] = None,
    db: Db = DEFAULT_DB,
    actors: Actors = None,
    by: By = None,
    as_: As = None,
    clearance: Clearance = None,
    as_json: Json = False,
) -> None:
    """Delegate roles (委托) to another person for some days, within a scope."""
    actor = _acting(db, actors, by, as_, clearance)
    with open_office(db) as office:
        kinds = [_kind(k, "--kind", office) for k in kind or ()]
        scope: dict[str, Any] = {"kinds": kinds, "triggers": list(trigger or ())}
        if ceiling is not None:
            scope["ceiling"] = ceiling
        now = office.now()
        delegation = office.directory.delegate(
            by=actor,
            delegate=to,
            roles=role,
            starts=now,
            ends=now + timedelta(days=days),
            principal=principal,
            scope=scope,
        )
        _show(delegation, as_json=as_json)


@people_app.command("revoke")
def people_revoke(
    delegation_id: Annotated[str, typer.Argument(metavar="ID", help="The delegation's id.")],
    reason: Annotated[str, typer.Option(help="Why it is revoked (required).")],
    db: Db = DEFAULT_DB,
    actors: Actors = None,
    by: By = None,
    as_: As = None,
    clearance: Clearance = None,
    as_json: Json = False,
) -> None:
    """Revoke a delegation before its end."""
    actor = _acting(db, actors, by, as_, clearance)
    with open_office(db) as office:
        revoked = office.directory.revoke_delegation(delegation_id, by=actor, reason=reason)
        _show(revoked, as_json=as_json)


# ---------------------------------------------------------------------------- calendar
@calendar_app.command("load")
def calendar_load(
    file: Annotated[Path, typer.Argument(metavar="FILE", help="The notice's text (UTF-8).")],
    db: Db = DEFAULT_DB,
    reason: Annotated[
        str | None, typer.Option(help="Why a year loaded already is replaced by this text.")
    ] = None,
    actors: Actors = None,
    by: By = None,
    as_: As = None,
    clearance: Clearance = None,
    as_json: Json = False,
) -> None:
    """Load a State Council holiday notice (部分节假日安排的通知) into the office's calendar.

    The text is checked against the law; provisional deadlines in its year are then
    confirmed, moved later, or kept (never silently moved earlier).
    """
    actor = _acting(db, actors, by, as_, clearance)
    try:
        text = file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise BadInput(f"cannot read {file}: {exc}") from exc
    with open_office(db) as office:
        load = office.load_calendar_notice(text, by=actor, source=file.name, reason=reason)
    if as_json:
        emit_json(
            {
                "year": load.year.year,
                "calendar": load.year.calendar,
                "trigger": load.trigger,
                "changed_days": [d.isoformat() for d in load.changed_days],
                "deadlines": [
                    {
                        "id": c.item_id,
                        "outcome": c.outcome,
                        "before": c.before.isoformat(),
                        "computed": c.computed.isoformat(),
                        "after": c.after.isoformat(),
                    }
                    for c in load.deadlines
                ],
            }
        )
        return
    out = console()
    out.print(
        f"{load.year.calendar} {load.year.year}: {load.trigger} "
        f"({len(load.changed_days)} days changed)"
    )
    for check in load.deadlines:
        note = {
            "confirmed": "confirmed",
            "moved_later": f"moved later from {check.before}",
            "kept": f"kept; the calendar gives {check.computed} (shorten it explicitly)",
            "still_provisional": "still provisional",
        }[check.outcome]
        out.print(f"  {check.item_id}: {check.after} {note}")


@calendar_app.command("show")
def calendar_show(db: Db = DEFAULT_DB, as_json: Json = False) -> None:
    """The calendar's coverage, its provisional years, loaded years and provisional deadlines."""
    with open_office(db) as office:
        calendar = office.calendar
        covered = calendar.covered_years()
        provisional = sorted(provisional_years(calendar))
        loaded = office.calendar_years()
        pending = office.provisional_deadlines()
        sources = list(getattr(calendar, "sources", ()))
    if as_json:
        emit_json(
            {
                "calendar": calendar.id,
                "covered": list(covered) if covered else None,
                "provisional_years": provisional,
                "loaded": [{"year": y.year, "state": str(y.state)} for y in loaded],
                "provisional_deadlines": [
                    {"id": i.id, "deadline": i.deadline.isoformat() if i.deadline else None}
                    for i in pending
                ],
                "sources": sources,
            }
        )
        return
    out = console()
    span = f"{covered[0]}–{covered[1]}" if covered else "nothing"
    out.print(f"calendar {calendar.id}: covers {span}")
    if provisional:
        listed = ", ".join(map(str, provisional))
        out.print(f"  provisional (derived from the law, notice not loaded): {listed}")
    for year in loaded:
        out.print(f"  loaded {year.year} ({year.state.label}): {year.source}")
    for item in pending:
        out.print(f"  provisional deadline {item.id}: {item.deadline}")


@calendar_app.command("check")
def calendar_check(db: Db = DEFAULT_DB, as_json: Json = False) -> None:
    """Days on which a loaded year differs from the bundled data; exit 1 if any does."""
    with open_office(db) as office:
        differences = office.calendar_differences()
    rows = [
        {"day": d.day.isoformat(), "loaded": d.loaded_workday, "bundled": d.bundled_workday}
        for days in differences.values()
        for d in days
    ]
    if as_json:
        emit_json(rows)
    else:
        out = console()
        for row in rows:
            loaded = "workday" if row["loaded"] else "day off"
            bundled = "workday" if row["bundled"] else "day off"
            out.print(f"{row['day']}: loaded {loaded}, bundled {bundled}")
        if not rows:
            out.print("the loaded years agree with the bundled data")
    if rows:
        raise typer.Exit(ExitCode.REFUSED)


# ---------------------------------------------------------------------------- audit, verify
@app.command()
def audit(
    entity_id: Annotated[str, typer.Argument(metavar="ID", help="The entity's id.")],
    db: Db = DEFAULT_DB,
    actors: Actors = None,
    by: By = None,
    as_: As = None,
    clearance: Clearance = None,
    as_json: Json = False,
) -> None:
    """Show an entity's audit trail, creation first."""
    actor = _actor(db, actors, by, as_, clearance, required=False)
    with open_office(db) as office:
        events = office.audit(entity_id, by=actor)
        if as_json:
            emit_json([e.model_dump(mode="json") for e in events])
        else:
            console().print(audit_table(entity_id, events, office.timezone))


KeySource = Annotated[
    str | None,
    typer.Option(
        "--key",
        envvar="SECRETARIAL_CHECKPOINT_KEY",
        metavar="file:PATH|env:NAME",
        help=(
            "The checkpoint key: an Ed25519 PEM key or an HMAC secret in a file (a bare path "
            "is a file) or an environment variable."
        ),
    ),
]


def _signing_key(source: str | None) -> secretarial.SigningKey:
    if source is None:
        raise BadInput(
            "checkpoints are signed: give --key file:PATH (or set SECRETARIAL_CHECKPOINT_KEY); "
            "`secretarial keys new PATH` makes one"
        )
    key = secretarial.load_key(source)
    if not isinstance(key, secretarial.SigningKey):
        raise BadInput(f"the key in {source} is a public key: it verifies but cannot sign")
    return key


def _read_checkpoint(path: Path) -> secretarial.Checkpoint:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        raise BadFile(f"cannot read the checkpoint {str(path)!r}: {e}") from None
    return secretarial.Checkpoint.from_json(text)


@app.command()
def verify(
    db: Db = DEFAULT_DB,
    against: Annotated[
        list[Path] | None,
        typer.Option(
            "--against",
            metavar="FILE",
            help="A checkpoint kept outside the office (checkpoint --out); repeatable.",
        ),
    ] = None,
    keys: Annotated[
        list[str] | None,
        typer.Option(
            "--key",
            metavar="file:PATH|env:NAME",
            help="A key to verify checkpoint signatures with (a public key will do); repeatable.",
        ),
    ] = None,
    as_json: Json = False,
) -> None:
    """Check the whole audit record (chains, replays, columns, denials, anchors, checkpoints).

    With --against, also check the office against checkpoints kept elsewhere: a trail cut
    short, an entity removed, the database put back to an older copy. Exit 1 if broken.
    """
    given = [_read_checkpoint(path) for path in against or ()]
    verify_keys = [secretarial.load_key(source) for source in keys or ()]
    with open_office(db) as office:
        report = office.verify_audit(against=given, keys=verify_keys)
    if as_json:
        emit_json({"ok": report.ok, **report.model_dump(mode="json")})
    else:
        console().print(verify_text(report))
    if not report.ok:
        raise typer.Exit(ExitCode.REFUSED)


@app.command()
def checkpoint(
    db: Db = DEFAULT_DB,
    key: KeySource = None,
    out: Annotated[
        Path | None,
        typer.Option("--out", metavar="FILE", help="Also write the checkpoint here, as JSON."),
    ] = None,
    as_json: Json = False,
) -> None:
    """Seal everything the office has recorded in a signed checkpoint; keep --out elsewhere."""
    signing = _signing_key(key)
    with open_office(db, checkpoint_key=signing) as office:
        made = office.checkpoint()
    if out is not None:
        try:
            out.write_text(made.to_json() + "\n", encoding="utf-8")
        except OSError as e:
            raise BadFile(f"cannot write the checkpoint to {str(out)!r}: {e.strerror}") from None
    if as_json:
        emit_json(made.model_dump(mode="json"))
    else:
        console().print(
            f"checkpoint {made.sequence}: {made.entities} entities, {made.events} events, "
            f"{made.denials} denials, root {made.root[:16]}, signed by {made.key.key_id}"
        )


keys_app: Final = typer.Typer(epilog=_EPILOG)
app.add_typer(keys_app, name="keys", help="Checkpoint keys.")


@keys_app.command("new")
def keys_new(
    path: Annotated[Path, typer.Argument(metavar="PATH", help="Where to write the new key.")],
    hmac: Annotated[
        bool, typer.Option("--hmac", help="A shared HMAC secret instead of an Ed25519 key.")
    ] = False,
    public: Annotated[
        Path | None,
        typer.Option("--public", metavar="FILE", help="Also write the Ed25519 public key here."),
    ] = None,
) -> None:
    """Make a new checkpoint key (readable by its owner only); never overwrites a file."""
    if hmac and public is not None:
        raise BadInput("an HMAC secret has no public half: leave --public out")
    key: secretarial.HmacKey | secretarial.Ed25519Key = (
        secretarial.HmacKey.generate() if hmac else secretarial.Ed25519Key.generate()
    )
    data = key.to_text().encode() + b"\n" if isinstance(key, secretarial.HmacKey) else key.to_pem()
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(data)
        if public is not None and isinstance(key, secretarial.Ed25519Key):
            public.write_bytes(key.to_pem(private=False))
    except OSError as e:
        raise BadFile(f"cannot write the key to {e.filename!r}: {e.strerror}") from None
    console().print(f"wrote {key.record.key_id} to {path}")


# ---------------------------------------------------------------------------- export
class Format(enum.StrEnum):
    """The format of an exported register."""

    CSV = "csv"
    JSON = "json"


class Headers(enum.StrEnum):
    """The header row of a CSV register."""

    ZH = "zh"
    EN = "en"


@app.command()
def export(
    what: Annotated[
        str,
        typer.Argument(
            metavar="WHAT",
            help="A register (incoming, outgoing, ledger, catalogue, or one a plugin adds), "
            "or ics for the calendar.",
        ),
    ],
    db: Db = DEFAULT_DB,
    fmt: Annotated[
        Format | None, typer.Option("--format", help="csv (default) or json; ics is iCalendar.")
    ] = None,
    out: Annotated[
        Path | None, typer.Option(metavar="FILE", help="Write here (default: standard output).")
    ] = None,
    year: Annotated[
        int | None, typer.Option(help="Only this year (not for ledger and ics).")
    ] = None,
    headers: Annotated[Headers, typer.Option(help="CSV headers: zh (Chinese) or en.")] = Headers.ZH,
    domain: Annotated[str, typer.Option(help="The domain of ICS UIDs.")] = "secretarial.local",
    keep_formulas: Annotated[
        bool,
        typer.Option(
            "--keep-formulas",
            help="Write CSV cells as they are, even text a spreadsheet would run as a "
            "formula (=, +, -, @); by default such cells are written as text.",
        ),
    ] = False,
    actors: Actors = None,
    by: By = None,
    as_: As = None,
    clearance: Clearance = None,
) -> None:
    """Export a register (incoming, outgoing, ledger, catalogue) or the calendar (ics)."""
    if what == "ics" and fmt is not None:
        raise BadInput("ics is exported as iCalendar text; --format is for registers")
    if year is not None and what == "ics":
        raise BadInput("--year does not apply to ics")
    actor = _actor(db, actors, by, as_, clearance, required=False)
    with open_office(db) as office:
        if what == "ics":
            reader = actor or Actor(
                id="cli", name="command line", clearance=Classification.TOP_SECRET
            )
            text = office.export_ics(by=reader, domain=domain)
        else:
            register = _register(office, what, year, actor)
            as_csv = fmt is not Format.JSON
            if as_csv:
                text = register.to_csv(
                    headers=headers.value,
                    bom=out is not None,
                    neutralise_formulas=not keep_formulas,
                )
            else:
                text = register.to_json() + "\n"
    if out is None:
        sys.stdout.write(text)
        return
    try:
        out.write_text(text, encoding="utf-8", newline="")
    except OSError as e:
        raise BadFile(f"--out: cannot write {out}: {e.strerror}") from None
    console().print(f"wrote {what} to {out}")


def _register(office: Office, what: str, year: int | None, actor: Actor | None) -> Register:
    """The register ``what`` names, as ``actor`` may see it."""
    names = [spec.name for _, spec in office.registry.registers]
    if what not in names:
        raise BadInput(f"{what!r} is not a register; export one of: {', '.join(names)}, ics")
    _, spec = office.registry.register(what)
    if year is not None and not spec.yearly:
        raise BadInput(f"--year does not apply to {what}")
    return office.register(what, year=year, by=actor)


# ---------------------------------------------------------------------------- diagram
@app.command()
def diagram(
    workflow: Annotated[
        str,
        typer.Argument(help="A kind: incoming, outgoing, supervision, meeting, record ..."),
    ],
    form: Annotated[
        str,
        typer.Option(
            "--format",
            help="mermaid (text), dot (Graphviz's DOT) or svg (drawn by Graphviz's dot).",
        ),
    ] = "mermaid",
) -> None:
    """Print a workflow's state diagram (plugins' kinds included)."""
    if form not in {"mermaid", "dot", "svg"}:
        raise BadInput(f"--format is mermaid, dot or svg, not {form!r}")
    with Office.in_memory() as office:
        kind = _kind(workflow, "WORKFLOW", office)
        drawn = office.workflow(kind).diagram()
    text: str | None = {"mermaid": drawn.text, "dot": drawn.dot, "svg": None}[form]
    if form == "svg":
        text = drawn.svg()
        if text is None:
            raise BadInput("--format svg needs Graphviz's dot program: install graphviz")
    sys.stdout.write(f"{text}\n")


# ---------------------------------------------------------------------------- relay
def _start(value: str) -> Start:
    if value == "earliest":
        return "earliest"
    if value == "latest":
        return "latest"
    if value.isdigit():
        return int(value)
    raise BadInput(f"--start is earliest, latest or a position (a whole number), not {value!r}")


def _sinks(
    office: Office,
    nats: str | None,
    plugins: bool,
    options: dict[str, Any],
) -> list[secretarial.Sink]:
    sinks: list[secretarial.Sink] = []
    if nats is not None:
        from secretarial.adapters import NatsSink  # noqa: PLC0415 -- the extra, when asked

        sinks.append(NatsSink(nats, **options))
    if plugins:
        found = (
            []
            if office.plugins is None
            else office.plugins.sinks(
                clearance=options["clearance"], subscription=options["subscription"]
            )
        )
        if not found:
            raise BadInput("--plugins: no installed plugin takes outbox events")
        sinks.extend(found)
    if not sinks:
        raise BadInput("give a sink: --nats URL, --plugins, or both")
    return sinks


@app.command()
def relay(
    db: Db = DEFAULT_DB,
    nats: Annotated[
        str | None,
        typer.Option(
            "--nats",
            metavar="URL",
            envvar="SECRETARIAL_NATS_URL",
            help="Publish to NATS JetStream at this server (nats://127.0.0.1:4222).",
        ),
    ] = None,
    stream: Annotated[
        str, typer.Option(help="The JetStream stream (made if missing).")
    ] = "SECRETARIAL",
    subject_prefix: Annotated[
        str, typer.Option(help="The first token of every subject.")
    ] = "secretarial",
    name: Annotated[
        str, typer.Option(help="The NATS sink's name, which its positions are kept under.")
    ] = "nats",
    plugins: Annotated[
        bool, typer.Option("--plugins", help="Also deliver to every plugin that takes events.")
    ] = False,
    clearance: Annotated[
        str,
        typer.Option(
            metavar="LEVEL",
            help="What the sinks are cleared for; events of entities classified above it "
            "are sent withheld.",
        ),
    ] = "unclassified",
    kind: Annotated[
        list[str] | None, typer.Option(help="Deliver only this kind (repeat for several).")
    ] = None,
    event_type: Annotated[
        list[str] | None,
        typer.Option("--type", help="Deliver only this event type: created, transition ..."),
    ] = None,
    trigger: Annotated[
        list[str] | None, typer.Option(help="Deliver only this trigger (repeat for several).")
    ] = None,
    start: Annotated[
        str,
        typer.Option(help="Where a new sink begins: earliest, latest, or past a position."),
    ] = "earliest",
    batch: Annotated[int, typer.Option(help="Entries per partition and sink at a time.")] = 500,
    partition: Annotated[
        list[int] | None, typer.Option(help="Take only this partition (repeat; default all).")
    ] = None,
    poll: Annotated[
        float, typer.Option(help="Seconds to wait when there is nothing to deliver.")
    ] = 0.5,
    once: Annotated[
        bool, typer.Option("--once", help="Deliver what is committed now, then stop.")
    ] = False,
) -> None:
    """Deliver the office's outbox to sinks, in commit order per entity, at least once.

    Runs until interrupted (SIGINT, SIGTERM), or with --once until everything
    committed is delivered. Several relays of one office share its partitions; a
    relay killed mid-delivery is resumed, without loss, by the next one.
    """
    try:
        level = Classification(clearance)
    except ValueError:
        raise BadInput(
            f"--clearance is unclassified, confidential, secret or top_secret, not {clearance!r}"
        ) from None
    with open_office(db) as office:
        subscription = secretarial.Subscription(
            kinds=frozenset(_kind(k, "--kind", office) for k in kind or ()),
            types=frozenset(event_type or ()),
            triggers=frozenset(trigger or ()),
        )
        nats_options = {
            "name": name,
            "stream": stream,
            "subject_prefix": subject_prefix,
            "clearance": level,
            "subscription": subscription,
        }
        sinks = _sinks(office, nats, plugins, nats_options)
        try:
            with office.outbox_relay(
                sinks, batch=batch, partitions=partition, start=_start(start)
            ) as running:
                if once:
                    _say_delivered(running.drain())
                    return
                _relay_until_stopped(running, poll)
        finally:
            for sink in sinks:
                close = getattr(sink, "close", None)
                if close is not None:
                    close()


def _relay_until_stopped(running: secretarial.Relay, poll: float) -> None:
    import signal  # noqa: PLC0415
    import threading  # noqa: PLC0415

    stop = threading.Event()
    for number in (signal.SIGINT, signal.SIGTERM):
        signal.signal(number, lambda *_: stop.set())
    console().print(f"relaying {running!r}; stop with Ctrl-C", style="dim")
    running.run(
        stop=stop,
        poll=poll,
        on_pass=lambda report: _say_delivered(report) if report.delivered else None,
    )


def _say_delivered(report: secretarial.RelayReport) -> None:
    given = ", ".join(f"{s.name} {s.delivered}" for s in report.sinks)
    console().print(f"delivered {report.delivered} events ({given})")
    for failing in report.failing:
        console().print(f"{failing.name} is failing: {failing.error}", style="red")
