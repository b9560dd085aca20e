"""How records show themselves in Jupyter: HTML tables, and pandas frames where installed.

Nothing here imports a notebook library: the HTML is written with the standard library,
and pandas is imported only when ``to_dataframe()`` is called.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any

from secretarial.errors import MissingExtraError

from ._audit import AuditEvent
from ._entity import Entity

__all__ = ["AuditTrail", "EntityList", "html_table"]


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.isoformat(timespec="minutes")
    if isinstance(value, date):
        return value.isoformat()
    label = getattr(value, "label", None)
    if isinstance(label, str) and label != str(value):
        return f"{value} ({label})"
    return str(value)


def html_table(headers: Sequence[str], rows: Iterable[Sequence[Any]], caption: str = "") -> str:
    """An HTML table with every cell escaped."""
    head = "".join(f"<th>{html.escape(h)}</th>" for h in headers)
    body = "".join(
        "<tr>" + "".join(f"<td>{html.escape(_cell(v))}</td>" for v in row) + "</tr>" for row in rows
    )
    cap = f"<caption>{html.escape(caption)}</caption>" if caption else ""
    return f"<table>{cap}<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _frame(records: list[dict[str, Any]], columns: Sequence[str]) -> Any:
    try:
        import pandas as pd  # type: ignore[import-untyped,unused-ignore]  # noqa: PLC0415 -- optional, for notebooks
    except ImportError as e:
        raise MissingExtraError("pandas", "notebook", "to_dataframe()") from e
    return pd.DataFrame.from_records(records, columns=list(columns))


def entity_summary(entity: Entity) -> dict[str, Any]:
    """The fields a list shows for an entity."""
    return {
        "id": entity.id,
        "kind": entity.entity_kind.value,
        "state": str(entity.state),
        "title": getattr(entity, "title", None) or getattr(entity, "requirement", None),
        "deadline": entity.deadline,
        "classification": entity.classification.value,
        "version": entity.version,
        "updated_at": entity.updated_at,
    }


_SUMMARY = ("id", "kind", "state", "title", "deadline", "classification", "version", "updated_at")


class EntityList(list[Entity]):
    """A list of entities that shows as a table in Jupyter."""

    def _repr_html_(self) -> str:
        rows = (
            [
                e.id,
                e.entity_kind.label,
                e.state,
                entity_summary(e)["title"],
                e.deadline,
                e.classification.label,
                e.version,
            ]
            for e in self
        )
        headers = ["id", "kind", "state", "title", "deadline", "classification", "version"]
        return html_table(headers, rows, caption=f"{len(self)} records")

    def to_dataframe(self) -> Any:
        """A pandas DataFrame, one row per entity (needs pandas)."""
        return _frame([entity_summary(e) for e in self], _SUMMARY)


_EVENT_COLUMNS = ("version", "at", "actor", "trigger", "source", "target", "reason")


class AuditTrail(tuple[AuditEvent, ...]):
    """An entity's audit events, creation first; shows as a table in Jupyter."""

    __slots__ = ()

    def _rows(self) -> list[dict[str, Any]]:
        return [
            {
                "version": e.version,
                "at": e.at,
                "actor": f"{e.actor.name} ({e.actor.id})",
                "trigger": e.trigger,
                "source": e.source,
                "target": e.target,
                "reason": e.reason,
            }
            for e in self
        ]

    def _repr_html_(self) -> str:
        caption = f"audit trail of {self[0].entity_id}" if self else "empty audit trail"
        return html_table(
            _EVENT_COLUMNS, ([r[c] for c in _EVENT_COLUMNS] for r in self._rows()), caption
        )

    def to_dataframe(self) -> Any:
        """A pandas DataFrame, one row per event (needs pandas)."""
        return _frame(self._rows(), _EVENT_COLUMNS)
