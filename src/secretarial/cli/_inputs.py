"""What commands read from the command line: the office, the actor, JSON values, dates."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime, time
from pathlib import Path
from typing import Any, Final, Unpack

import pydantic

from secretarial import Actor, Classification, Office
from secretarial.errors import UsageError, ValidationError
from secretarial.kernel._workflow import problems_from_pydantic
from secretarial.office import OfficeOptions

from ._errors import BadFile, BadInput, BadJson, NoOffice, UnknownActor

__all__ = [
    "ACTORS_FILE",
    "CLI_ACTOR",
    "actors_path",
    "json_object",
    "load_actors",
    "office_url",
    "open_office",
    "parse_day",
    "resolve_actor",
]

ACTORS_FILE: Final = "actors.json"
"""The actors file looked for next to a SQLite office (or in the working directory)."""

CLI_ACTOR: Final = "cli"
"""The id of the actor ``--as ROLE`` acts as."""

_MAX_JSON_BYTES: Final = 16 * 1024 * 1024


def office_url(db: str) -> tuple[str, Path | None]:
    """The store URL for ``--db`` and, for a SQLite file, its path.

    A value with ``://`` is a URL (``postgresql://...``, ``sqlite:///...``); anything
    else is the path of a SQLite file.
    """
    if "://" in db:
        if db.startswith("sqlite:///"):
            return db, Path(db.removeprefix("sqlite:///"))
        return db, None
    path = Path(db).expanduser()
    return f"sqlite:///{path}", path


@contextmanager
def open_office(
    db: str, *, create: bool = False, **options: Unpack[OfficeOptions]
) -> Iterator[Office]:
    """Open the office at ``--db`` for one command, and close it after.

    Args:
        db: A SQLite file path or a store URL.
        create: Create the office if the file does not exist (``init``, ``demo``);
            otherwise a missing file is :class:`NoOffice`, and nothing is created.
        **options: The :class:`~secretarial.Office` keyword arguments.

    Raises:
        NoOffice: ``create`` is false and the SQLite file does not exist.
        BadFile: The path is a directory.
        MissingExtraError: SQLAlchemy is not installed.
        StoreError: The file is not an office the library can open.
    """
    url, path = office_url(db)
    if path is not None:
        if path.is_dir():
            raise BadFile(f"--db {db} is a directory, not an office file")
        if not path.exists():
            if not create:
                raise NoOffice(
                    f"no office at {db}: the file does not exist "
                    f"(create one with: secretarial init --db {db})"
                )
        elif create and path.stat().st_size > 0:
            create = False  # an office is opened as it is; any other file is left alone
            try:
                Office.open(url, create=False).close()
            except UsageError as e:
                raise BadFile(f"--db {db} is not an office, and is left as it is: {e}") from None
    office = Office.open(url, create=create, **options)
    try:
        yield office
    finally:
        office.close()


# ---------------------------------------------------------------------------- JSON
def _read_text(source: str, what: str) -> str:
    """The text of the file ``source`` (``-`` for standard input)."""
    if source == "-":
        return sys.stdin.read()
    path = Path(source).expanduser()
    try:
        if path.stat().st_size > _MAX_JSON_BYTES:
            raise BadFile(f"{what}: {source} is larger than {_MAX_JSON_BYTES} bytes")
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise BadFile(f"{what}: no such file: {source}") from None
    except IsADirectoryError:
        raise BadFile(f"{what}: {source} is a directory") from None
    except UnicodeDecodeError as e:
        raise BadFile(f"{what}: {source} is not UTF-8 text ({e.reason})") from None
    except OSError as e:
        raise BadFile(f"{what}: cannot read {source}: {e.strerror}") from None


def _parse_json(text: str, what: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as e:
        raise BadJson(
            f"{what} is not valid JSON: {e.msg} at line {e.lineno} column {e.colno}"
        ) from None


def json_object(value: str | None, what: str) -> dict[str, Any]:
    """The JSON object given as ``value``: inline text, or ``@FILE`` (``@-``: standard input).

    ``None`` (the option was not given) is an empty object.

    Raises:
        BadJson: The text does not parse, or is not an object.
        BadFile: The file cannot be read.
    """
    if value is None:
        return {}
    if value.startswith("@"):
        source = value[1:]
        what = f"{what} ({source})"
        value = _read_text(source, what)
    return _as_object(_parse_json(value, what), what)


def json_file(source: str, what: str) -> dict[str, Any]:
    """The JSON object in the file ``source`` (``-``: standard input)."""
    what = f"{what} {source}"
    return _as_object(_parse_json(_read_text(source, what), what), what)


def _as_object(value: Any, what: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise BadJson(f"{what} must be a JSON object ({{...}}), not {type(value).__name__}")
    return value


# ---------------------------------------------------------------------------- actors
def actors_path(db: str, actors: str | None) -> Path:
    """The actors file: ``--actors``, else ``actors.json`` beside a SQLite office."""
    if actors is not None:
        return Path(actors).expanduser()
    _, path = office_url(db)
    folder = path.parent if path is not None else Path()
    return folder / ACTORS_FILE


def load_actors(path: Path) -> dict[str, Actor]:
    """The actors of an actors file: a JSON array of actor objects, by id.

    Raises:
        BadFile: The file cannot be read.
        BadJson: It is not JSON, or not an array of objects.
        ValidationError: An actor does not fit (an unknown field, a bad clearance ...).
        BadInput: Two actors share an id.
    """
    what = f"actors file {path}"
    data = _parse_json(_read_text(str(path), what), what)
    if not isinstance(data, list) or not all(isinstance(a, dict) for a in data):
        raise BadJson(f"{what} must hold a JSON array of actor objects")
    actors: dict[str, Actor] = {}
    for index, fields in enumerate(data):
        actor = _actor(fields, f"actor #{index + 1} in {path}")
        if actor.id in actors:
            raise BadInput(f"{what} lists the actor id {actor.id!r} twice")
        actors[actor.id] = actor
    return actors


def _actor(fields: dict[str, Any], what: str) -> Actor:
    try:
        return Actor.model_validate(fields)
    except pydantic.ValidationError as e:
        raise ValidationError(what, problems_from_pydantic(e)) from None


def resolve_actor(
    by: str | None,
    roles: list[str] | None,
    *,
    actors_file: Path,
    clearance: Classification | None = None,
    required: bool = True,
) -> Actor | None:
    """Who acts: ``--by`` (a JSON actor or an id in the actors file) or ``--as ROLE``.

    Args:
        by: A JSON object (``{"id": ..., "name": ..., "roles": [...]}``) or an actor id.
        roles: The roles of ``--as``; the actor is then ``cli`` with these roles.
        actors_file: Where actor ids are looked up.
        clearance: The clearance of the ``--as`` actor (unclassified if omitted).
        required: Whether someone must act (a change); reads may be anonymous.

    Returns:
        The actor, or None when neither was given and ``required`` is false.

    Raises:
        BadInput: Both or (when required) neither were given.
        BadJson: ``--by`` looks like JSON but does not parse.
        UnknownActor: The id is not in the actors file, or there is no actors file.
        ValidationError: The actor does not fit.
    """
    if by is not None and roles:
        raise BadInput("give either --by or --as, not both")
    if clearance is not None and not roles:
        raise BadInput("--clearance goes with --as; an actor given with --by has its own")
    if roles:
        return Actor(
            id=CLI_ACTOR,
            name=f"command line ({', '.join(roles)})",
            roles=frozenset(roles),
            clearance=clearance or Classification.UNCLASSIFIED,
        )
    if by is None:
        if required:
            raise BadInput("say who acts: --by ID (from the actors file), --by JSON or --as ROLE")
        return None
    text = by.strip()
    if text.startswith("{"):
        return _actor(_as_object(_parse_json(text, "--by"), "--by"), "--by actor")
    if not actors_file.exists():
        raise UnknownActor(
            f"no actor {text!r}: there is no actors file at {actors_file} "
            "(pass --by as JSON, --as ROLE, or --actors FILE)"
        )
    actors = load_actors(actors_file)
    if text not in actors:
        known = ", ".join(sorted(actors)) or "none"
        raise UnknownActor(f"no actor {text!r} in {actors_file}; known: {known}")
    return actors[text]


# ---------------------------------------------------------------------------- dates
def parse_day(value: str, option: str) -> date:
    """A calendar day written ``YYYY-MM-DD``.

    Raises:
        BadInput: It is not such a date.
    """
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise BadInput(f"{option} {value!r} is not a date (YYYY-MM-DD)") from None


def noon(day: date, office: Office) -> datetime:
    """Midday of ``day`` in the office's time zone: a moment that is surely on that day."""
    return datetime.combine(day, time(12, 0), office.timezone)
