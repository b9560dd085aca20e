"""Registers 登记簿: plain tables built from entities, exported as CSV, JSON and HTML.

Each area builds its own with a pure function (the incoming and outgoing registers, the
supervision ledger, the filing catalogue, a plugin's). Cells are plain values (``str``,
``int`` or ``None``): enums are written with their Chinese label, dates as
``YYYY-MM-DD`` and moments as ISO 8601 in the office's time zone, so a register exports
to CSV or JSON without further conversion. Nothing here reads a clock or a store.
"""

from __future__ import annotations

import csv
import functools
import html
import io
import json
import os
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, tzinfo
from typing import Any, Final, Literal, TextIO, TypeVar
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict, Field, create_model

from secretarial.errors import MissingExtraError, UsageError

from ._entity import Entity
from ._enums import LabeledEnum
from ._values import Organ, Unit

__all__ = [
    "DEFAULT_TIMEZONE",
    "Cell",
    "Register",
    "RegisterColumn",
    "build_register",
    "day_cell",
    "entities_of",
    "joined_cell",
    "label_cell",
    "moment_cell",
    "names_cell",
    "natural_key",
    "zone_of",
]

Cell = str | int | None
"""A register cell: text, a whole number, or nothing (an empty cell)."""

Headers = Literal["zh", "en"]

DEFAULT_TIMEZONE: Final = "Asia/Shanghai"
"""The zone moments are written in when none is given (the office's default)."""

_LIST_SEPARATOR: Final = "、"
"""Joins names in one cell (signers, recipients, co-units), as Chinese registers do."""
_ENTRY_SEPARATOR: Final = "；"
"""Joins several entries in one cell (remarks, extensions)."""


@dataclass(frozen=True, slots=True)
class RegisterColumn:
    """One column of a register: an English key (for JSON and code) and a Chinese header.

    Attributes:
        key: The English identifier, e.g. ``registration_number``.
        label: The Chinese header a Chinese office writes, e.g. ``收文编号``.
    """

    key: str
    label: str


@functools.cache
def _row_model(title_en: str, title: str, columns: tuple[RegisterColumn, ...]) -> type[BaseModel]:
    """The row model of a register with these titles and columns (:meth:`Register.row_model`)."""
    name = "".join(part.capitalize() for part in re.split(r"[^0-9A-Za-z]+", title_en) if part)
    fields: dict[str, Any] = {column.key: (Cell, Field(title=column.label)) for column in columns}
    model: type[BaseModel] = create_model(
        f"{name or 'Register'}Row",
        __config__=ConfigDict(frozen=True, extra="forbid", title=title, strict=True),
        __doc__=f"One row of the {title_en} ({title}).",
        **fields,
    )
    return model


@dataclass(frozen=True, slots=True)
class Register:
    """A register or ledger: a title, ordered columns and rows of plain values.

    Build one with :func:`incoming_register`, :func:`outgoing_register` or
    :func:`supervision_ledger` (or :meth:`~secretarial.Office.register` by the register's
    names). ``len()`` counts the rows and iterating yields them, each a tuple in column
    order.

    Attributes:
        title: The Chinese title, e.g. ``收文登记簿``.
        title_en: The English title, e.g. ``Incoming document register``.
        columns: The columns, in the order a Chinese office keeps them.
        rows: The rows; each is a tuple of ``str``, ``int`` or ``None`` in column order.
        as_of: The day a derived column (``overdue``) was judged on, if any.

    Raises:
        UsageError: A row's length differs from the number of columns, a cell is not
            ``str``, ``int`` or ``None``, or two columns share a key.

    Example:
        >>> reg = Register("登记簿", "Register", (RegisterColumn("title", "标题"),),
        ...                (("关于开展安全检查的通知",),))
        >>> len(reg), reg.keys, reg.records()
        (1, ('title',), ({'title': '关于开展安全检查的通知'},))
    """

    title: str
    title_en: str
    columns: tuple[RegisterColumn, ...]
    rows: tuple[tuple[Cell, ...], ...] = field(default=())
    as_of: date | None = None

    def __post_init__(self) -> None:
        columns = tuple(self.columns)
        keys = [c.key for c in columns]
        if len(set(keys)) != len(keys):
            raise UsageError(f"register {self.title_en!r}: column keys repeat: {keys}")
        rows = tuple(tuple(row) for row in self.rows)
        for index, row in enumerate(rows):
            if len(row) != len(columns):
                raise UsageError(
                    f"register {self.title_en!r}: row {index} has {len(row)} cells "
                    f"for {len(columns)} columns"
                )
            for key, cell in zip(keys, row, strict=True):
                if cell is not None and (isinstance(cell, bool) or not isinstance(cell, str | int)):
                    raise UsageError(
                        f"register {self.title_en!r}: row {index}, column {key!r}: a cell is "
                        f"str, int or None, not {type(cell).__name__}"
                    )
        object.__setattr__(self, "columns", columns)
        object.__setattr__(self, "rows", rows)

    # ------------------------------------------------------------------ reading
    @property
    def keys(self) -> tuple[str, ...]:
        """The English column keys, in order."""
        return tuple(c.key for c in self.columns)

    @property
    def labels(self) -> tuple[str, ...]:
        """The Chinese column headers, in order."""
        return tuple(c.label for c in self.columns)

    def row_model(self) -> type[BaseModel]:
        """The pydantic model of one row: a field per column (its key), titled by its header.

        Made once per set of columns and shared, so a host can name it as the response
        model of a route (``list[register.row_model()]``) or ask it for its JSON Schema.
        """
        return _row_model(self.title_en, self.title, self.columns)

    def models(self) -> tuple[BaseModel, ...]:
        """The rows as instances of :meth:`row_model`."""
        model = self.row_model()
        return tuple(model.model_validate(record) for record in self.records())

    def records(self) -> tuple[dict[str, Cell], ...]:
        """The rows as dictionaries keyed by the English column keys."""
        keys = self.keys
        return tuple(dict(zip(keys, row, strict=True)) for row in self.rows)

    def column(self, key: str) -> tuple[Cell, ...]:
        """The cells of the column ``key``, top to bottom.

        Raises:
            UsageError: No column has that key; the message lists the keys.
        """
        try:
            index = self.keys.index(key)
        except ValueError:
            raise UsageError(
                f"register {self.title_en!r} has no column {key!r}; columns: {', '.join(self.keys)}"
            ) from None
        return tuple(row[index] for row in self.rows)

    def __len__(self) -> int:
        return len(self.rows)

    def __iter__(self) -> Iterator[tuple[Cell, ...]]:
        return iter(self.rows)

    # ------------------------------------------------------------------ export
    def to_csv(
        self, *, headers: Headers = "zh", bom: bool = True, neutralise_formulas: bool = True
    ) -> str:
        """The register as CSV text: one header row, then one line per row.

        Cells holding commas, quotes or line breaks are quoted as RFC 4180 asks, so a
        row never breaks; lines end with CRLF; an empty cell is written as nothing.

        A text cell a spreadsheet would take for a formula — one that starts with ``=``,
        ``+``, ``-``, ``@``, a tab or a carriage return (a title sent in as
        ``=HYPERLINK(...)``) — is written with a leading apostrophe, which spreadsheets
        show as text and do not run; numbers are written as they are.

        Args:
            headers: ``"zh"`` for the Chinese headers (``收文编号`` ...), ``"en"`` for
                the English keys (``registration_number`` ...).
            bom: Start with a byte order mark (U+FEFF), which Excel needs to read
                UTF-8 Chinese text correctly.
            neutralise_formulas: Write formula-like text cells so that a spreadsheet
                shows them as text (the default); False writes every cell as it is, for
                a reader that is not a spreadsheet.

        Raises:
            UsageError: ``headers`` is neither ``"zh"`` nor ``"en"``.
        """
        buffer = io.StringIO()
        self._write_csv(buffer, headers=headers, bom=bom, neutralise_formulas=neutralise_formulas)
        return buffer.getvalue()

    def write_csv(
        self,
        target: str | os.PathLike[str] | TextIO,
        *,
        headers: Headers = "zh",
        bom: bool = True,
        neutralise_formulas: bool = True,
    ) -> None:
        """Write the register as CSV (see :meth:`to_csv`) to a file path or a text stream.

        A path is written in UTF-8 with universal newlines off, so the CRLF line ends and
        the line breaks inside quoted cells arrive as they are. A stream should be opened
        with ``newline=""`` for the same reason.

        Raises:
            UsageError: ``headers`` is neither ``"zh"`` nor ``"en"``.
        """
        if isinstance(target, str | os.PathLike):
            header_row = self._header_row(headers)  # refuse before creating the file
            with open(target, "w", encoding="utf-8", newline="") as stream:  # noqa: PTH123
                self._write_csv(
                    stream,
                    headers=headers,
                    bom=bom,
                    header_row=header_row,
                    neutralise_formulas=neutralise_formulas,
                )
        else:
            self._write_csv(
                target, headers=headers, bom=bom, neutralise_formulas=neutralise_formulas
            )

    def to_dataframe(self, *, headers: Headers = "en") -> Any:
        """The register as a pandas ``DataFrame``: a row per row, a column per column.

        Columns are named by their English keys, or with ``headers="zh"`` by their
        Chinese headers; cells keep their values (text, whole numbers, None as missing).
        ``frame.attrs`` holds ``title``, ``title_en`` and ``as_of``. Needs pandas
        (``pip install 'secretarial[notebook]'``); typed ``Any`` since pandas ships no
        type information.

        Raises:
            MissingExtraError: pandas is not installed.
        """
        try:
            import pandas as pd  # type: ignore[import-untyped,unused-ignore]  # noqa: PLC0415
        except ImportError as e:
            raise MissingExtraError("pandas", "notebook", "Register.to_dataframe") from e
        names = list(self.keys if headers == "en" else self.labels)
        frame = pd.DataFrame.from_records(list(self.rows), columns=names)
        frame.attrs.update(
            title=self.title,
            title_en=self.title_en,
            as_of=None if self.as_of is None else self.as_of.isoformat(),
        )
        return frame

    def to_json(self, *, indent: int | None = 2) -> str:
        """The register as a JSON object, Chinese written as is (not as ASCII escapes).

        The object has ``title`` (Chinese), ``title_en``, ``as_of`` (``YYYY-MM-DD`` or
        null), ``columns`` (a list of ``{"key", "label"}``) and ``rows`` (a list of
        objects keyed by the English column keys, in column order).

        Args:
            indent: Indentation of the JSON text; ``None`` writes it on one line.
        """
        document: dict[str, Any] = {
            "title": self.title,
            "title_en": self.title_en,
            "as_of": None if self.as_of is None else self.as_of.isoformat(),
            "columns": [{"key": c.key, "label": c.label} for c in self.columns],
            "rows": list(self.records()),
        }
        return json.dumps(document, ensure_ascii=False, indent=indent)

    def _repr_html_(self) -> str:
        """An HTML table for Jupyter; every cell and header is escaped."""
        esc = html.escape
        head = "".join(f'<th title="{esc(c.key)}">{esc(c.label)}</th>' for c in self.columns)
        body = "".join(
            "<tr>" + "".join(f"<td>{_html_cell(cell)}</td>" for cell in row) + "</tr>"
            for row in self.rows
        )
        caption = f"{esc(self.title)} ({esc(self.title_en)})"
        if self.as_of is not None:
            caption += f" — {self.as_of.isoformat()}"
        return (
            f'<table class="secretarial-register"><caption>{caption}</caption>'
            f"<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
        )

    def __repr__(self) -> str:
        return f"<Register {self.title} ({self.title_en}): {len(self.rows)} rows>"

    def _header_row(self, headers: str) -> tuple[str, ...]:
        if headers == "zh":
            return self.labels
        if headers == "en":
            return self.keys
        raise UsageError(f"headers must be 'zh' or 'en', not {headers!r}")

    def _write_csv(
        self,
        stream: TextIO,
        *,
        headers: str,
        bom: bool,
        header_row: tuple[str, ...] | None = None,
        neutralise_formulas: bool = True,
    ) -> None:
        if header_row is None:
            header_row = self._header_row(headers)
        if bom:
            stream.write("\ufeff")
        writer = csv.writer(stream, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
        writer.writerow(header_row)
        if neutralise_formulas:
            writer.writerows(tuple(map(_as_text, row)) for row in self.rows)
        else:
            writer.writerows(self.rows)


_FORMULA_STARTS: Final = ("=", "+", "-", "@", "\t", "\r")
"""What a spreadsheet reads as the start of a formula (the OWASP list for CSV injection)."""


def _as_text(cell: Cell) -> Cell:
    """A text cell a spreadsheet would run as a formula, written so it shows as text."""
    if isinstance(cell, str) and cell.startswith(_FORMULA_STARTS):
        return "'" + cell
    return cell


def _html_cell(cell: Cell) -> str:
    if cell is None:
        return ""
    return html.escape(str(cell)).replace("\n", "<br>")


# ============================================================================ cell formatting
def zone_of(timezone: str | tzinfo) -> tzinfo:
    """The zone an IANA name or a ``tzinfo`` names."""
    return ZoneInfo(timezone) if isinstance(timezone, str) else timezone


def moment_cell(value: datetime | None, zone: tzinfo) -> str | None:
    """ISO 8601 to the second, in ``zone``: ``2025-09-26T09:00:00+08:00``."""
    return None if value is None else value.astimezone(zone).isoformat(timespec="seconds")


def day_cell(value: date | None) -> str | None:
    """A date as ``YYYY-MM-DD``; an empty cell for none."""
    return None if value is None else value.isoformat()


def label_cell(value: LabeledEnum | None) -> str | None:
    """A member's Chinese label; an empty cell for none."""
    return None if value is None else value.label


def names_cell(values: Iterable[Organ | Unit | str]) -> str | None:
    """Organs, units or names joined with ``、``, each once; an empty cell for none."""
    names = [v if isinstance(v, str) else v.name for v in values]
    return _LIST_SEPARATOR.join(dict.fromkeys(names)) or None


def joined_cell(parts: Iterable[str | None]) -> str | None:
    """The parts given joined with ``；``; an empty cell when none is."""
    return _ENTRY_SEPARATOR.join(p for p in parts if p) or None


def natural_key(text: str) -> tuple[tuple[int, int, str], ...]:
    """A sort key that orders digit runs by value: ``2025-9`` before ``2025-10``."""
    return tuple(
        (0, int(chunk), "") if chunk.isdigit() else (1, 0, chunk)
        for chunk in re.split(r"(\d+)", text)
        if chunk
    )


E = TypeVar("E", bound=Entity)


def entities_of(values: Iterable[Entity], kind: type[E], function: str) -> list[E]:
    """``values``, each checked to be of ``kind`` (``function`` names the caller).

    Raises:
        UsageError: An entity of another kind was given.
    """
    entities: list[E] = []
    for entity in values:
        if not isinstance(entity, kind):
            raise UsageError(
                f"{function}() takes {kind.__name__} entities, got {type(entity).__name__} "
                f"{getattr(entity, 'id', entity)!r}"
            )
        entities.append(entity)
    return entities


def build_register(
    title: str,
    title_en: str,
    columns: Sequence[tuple[str, str]],
    rows: Iterable[tuple[Cell, ...]],
    as_of: date | None = None,
) -> Register:
    """A register from ``(key, label)`` columns and rows."""
    return Register(
        title=title,
        title_en=title_en,
        columns=tuple(RegisterColumn(key, label) for key, label in columns),
        rows=tuple(rows),
        as_of=as_of,
    )
