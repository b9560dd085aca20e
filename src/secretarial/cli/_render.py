"""How commands show things: rich tables for people, JSON for scripts."""

from __future__ import annotations

import json
import os
import re
import sys
from collections.abc import Iterable, Sequence
from datetime import date, tzinfo
from typing import Any, Final

from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

from secretarial import AuditEvent, AuditReport, Entity, Register, SweepReport
from secretarial.kernel._enums import LabeledEnum

__all__ = [
    "audit_table",
    "console",
    "emit_json",
    "entities_table",
    "entity_json",
    "entity_table",
    "number_of",
    "register_table",
    "sweep_table",
    "title_of",
    "verify_text",
]


_PIPE_WIDTH: Final = 160
"""The width tables are laid out in when the output is not a terminal (a pipe, a file)."""


def console(*, stderr: bool = False) -> Console:
    """A console on standard output (or error), as it is when the command runs.

    A terminal's own width is used; output to a pipe or a file is laid out
    :data:`_PIPE_WIDTH` columns wide unless ``COLUMNS`` says otherwise.
    """
    out = Console(stderr=stderr, highlight=False)
    if not out.is_terminal and "COLUMNS" not in os.environ:
        out.width = _PIPE_WIDTH
    return out


def emit_json(value: Any) -> None:
    """Write ``value`` to standard output as indented JSON, Chinese as is."""
    sys.stdout.write(json.dumps(value, ensure_ascii=False, indent=2, default=str) + "\n")


def entity_json(entity: Entity) -> dict[str, Any]:
    """The entity as a JSON object, with its ``entity_kind`` first."""
    return {"entity_kind": entity.entity_kind.value, **entity.model_dump(mode="json")}


def _label(value: object) -> str:
    if isinstance(value, LabeledEnum):
        return f"{value.value} {value.label}" if value.label != value.value else value.value
    return "" if value is None else str(value)


def title_of(entity: Entity) -> str:
    """What the entity is about: its title, or a supervision item's requirement."""
    for name in ("title", "requirement"):
        value = getattr(entity, name, None)
        if isinstance(value, str):
            return value
    return ""


def number_of(entity: Entity) -> str:
    """The number people know the entity by: registration, document or archival number."""
    for name in ("registration_number", "number", "archival_code"):
        value = getattr(entity, name, None)
        if value is not None:
            return str(value)
    return ""


def _cell(value: object) -> Text:
    return Text("" if value is None else str(value))


def entities_table(entities: Sequence[Entity], *, title: str, as_of: date | None = None) -> Table:
    """One row per entity: id, kind, state, number, title, deadline, version."""
    table = Table(title=title, box=box.SIMPLE_HEAD, title_justify="left")
    table.add_column("id", no_wrap=True)
    table.add_column("kind", no_wrap=True)
    table.add_column("state", overflow="fold")
    table.add_column("number", overflow="fold")
    table.add_column("title", overflow="fold", ratio=1, min_width=10)
    table.add_column("deadline", no_wrap=True)
    if as_of is not None:
        table.add_column("days late", justify="right")
    table.add_column("v", justify="right", no_wrap=True)
    for e in entities:
        row = [
            _cell(e.id),
            _cell(e.entity_kind.label),
            _cell(_label(e.state)),
            _cell(number_of(e)),
            _cell(title_of(e)),
            _cell(_deadline(e)),
        ]
        if as_of is not None:
            late = (as_of - e.deadline).days if e.deadline else 0
            row.append(Text(str(late), style="bold red"))
        row.append(_cell(e.version))
        table.add_row(*row)
    return table


def _deadline(entity: Entity) -> str:
    """The deadline, with ``(provisional)`` while it rests on an unpublished calendar year."""
    if entity.deadline is None:
        return ""
    provisional = getattr(entity, "deadline_provisional", None) is not None
    return entity.deadline.isoformat() + (" (provisional)" if provisional else "")


def _value(value: Any) -> str:
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def entity_table(entity: Entity, *, available: Iterable[str] | None = None) -> Table:
    """Every field of the entity that has a value, one per row."""
    table = Table(
        title=f"{entity.entity_kind.label} {entity.id}",
        box=box.SIMPLE_HEAD,
        show_header=False,
        title_justify="left",
    )
    table.add_column("field", style="bold")
    table.add_column("value", overflow="fold")
    table.add_row("entity_kind", _label(entity.entity_kind))
    table.add_row("state", _label(entity.state))
    for name, value in entity.model_dump(mode="json", exclude_defaults=True).items():
        if name in {"state", "audit_head"} or value in (None, "", [], {}):
            continue
        table.add_row(name, _cell(_value(value)))
    if available is not None:
        table.add_row("may fire now", " ".join(available) or "(nothing)")
    return table


def audit_table(entity_id: str, events: Sequence[AuditEvent], zone: tzinfo) -> Table:
    """The audit trail: version, time, actor, trigger, states, reason."""
    table = Table(title=f"audit trail of {entity_id}", box=box.SIMPLE_HEAD, title_justify="left")
    for header in ("v", "at", "actor", "trigger", "from → to", "reason"):
        table.add_column(header, overflow="fold")
    for event in events:
        table.add_row(
            str(event.version),
            event.at.astimezone(zone).strftime("%Y-%m-%d %H:%M"),
            f"{event.actor.name} ({event.actor.id})",
            event.trigger,
            f"{event.source or '—'} → {event.target}",
            event.reason or "",
        )
    return table


def register_table(register: Register, keys: Sequence[str] | None = None) -> Table:
    """A register as a table, with the Chinese headers; only the columns ``keys`` if given."""
    columns = [c for c in register.columns if keys is None or c.key in keys]
    table = Table(
        title=f"{register.title} · {register.title_en} ({len(register)})",
        box=box.SIMPLE_HEAD,
        title_justify="left",
    )
    for column in columns:
        wraps = column.key in _WRAPPING
        table.add_column(
            column.label, overflow="fold", no_wrap=not wraps, ratio=2 if wraps else None
        )
    indexes = [register.keys.index(c.key) for c in columns]
    for row in register.rows:
        table.add_row(*(_cell(_compact(row[i])) for i in indexes))
    return table


_WRAPPING: Final = frozenset(
    {"title", "requirement", "events", "progress", "sender", "main_recipients", "extensions"}
)
"""Register columns whose long text wraps; the others keep to one line."""
_MOMENT: Final = re.compile(r"^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2}):\d{2}(?:\.\d+)?[+-]\d{2}:\d{2}$")


def _compact(cell: object) -> object:
    """A register's ISO moment as ``YYYY-MM-DD HH:MM`` (in the office's zone already)."""
    if isinstance(cell, str) and (match := _MOMENT.match(cell)):
        return f"{match[1]} {match[2]}"
    return cell


def sweep_table(sweeps: Iterable[SweepReport]) -> Table:
    """What the sweeps issued: day, entity, step, kind, addressees."""
    table = Table(title="催办 · reminders issued", box=box.SIMPLE_HEAD, title_justify="left")
    for header in ("day", "entity", "step", "kind", "due", "to"):
        table.add_column(header, overflow="fold")
    for sweep in sweeps:
        for issued in sweep.issued:
            style = "bold red" if issued.kind == "escalation" else ""
            table.add_row(
                sweep.day.isoformat(),
                issued.entity_id,
                issued.step,
                Text(_label(issued.kind), style=style),
                issued.due.isoformat(),
                "、".join(issued.to),
            )
    return table


def verify_text(report: AuditReport) -> Text:
    """One line: the audit record checked clean (green) or broken (red)."""
    style = "bold green" if report.ok else "bold red"
    return Text(f"audit record: {report}", style=style)
