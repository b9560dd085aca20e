"""Exit codes, the command line's own errors, and the one line an error is reported in."""

from __future__ import annotations

import enum
from typing import ClassVar, Final

import typer

from secretarial.errors import (
    AccessDenied,
    ConcurrencyConflict,
    DomainError,
    NotFound,
    RuleViolation,
    SecretarialError,
    TransitionNotAllowed,
    UsageError,
    ValidationError,
)

__all__ = [
    "PROGRAM",
    "BadFile",
    "BadInput",
    "BadJson",
    "CliError",
    "ExitCode",
    "NoOffice",
    "UnknownActor",
    "error_line",
    "exit_code_for",
]

PROGRAM: Final = "secretarial"


class ExitCode(enum.IntEnum):
    """What a command's exit status means (see docs/cli.md)."""

    OK = 0
    """Done."""
    REFUSED = 1
    """The office refused: a rule, the state, a role or a clearance did not allow it; or
    ``verify`` found the audit record broken."""
    USAGE = 2
    """Bad usage or input: an unknown option, malformed JSON, a missing or unreadable
    file, a value that does not fit, an unknown trigger."""
    NOT_FOUND = 3
    """No entity with that id, or no office at ``--db``."""
    CONFLICT = 4
    """Someone else changed the entity first (``--expected-version`` was stale)."""
    INTERNAL = 70
    """A bug in secretarial; run again with ``--debug`` and report the traceback."""


class CliError(SecretarialError):
    """A problem with what was given on the command line; nothing was changed."""

    code = "cli_error"
    exit_code: ClassVar[ExitCode] = ExitCode.USAGE


class BadInput(CliError):
    """An option's value cannot be used (a malformed date, options that exclude each other)."""

    code = "bad_input"


class BadJson(CliError):
    """A JSON value on the command line or in a file does not parse, or is not an object."""

    code = "bad_json"


class BadFile(CliError):
    """A file named on the command line is missing, unreadable or cannot be written."""

    code = "bad_file"


class UnknownActor(CliError):
    """``--by`` names an actor the actors file does not hold (or there is no such file)."""

    code = "unknown_actor"


class NoOffice(CliError):
    """``--db`` names a file that does not exist."""

    code = "no_office"
    exit_code = ExitCode.NOT_FOUND


def _click_class(name: str) -> type[Exception]:
    """Click's exception class ``name``, wherever this typer keeps click (it may vendor it)."""
    return next(c for c in typer.BadParameter.__mro__ if c.__name__ == name)


_CLICK_EXCEPTION: Final = _click_class("ClickException")
"""Click's base of the errors it reports itself (bad options, missing arguments)."""
_CLICK_USAGE: Final = _click_class("UsageError")


def exit_code_for(error: BaseException) -> ExitCode:  # noqa: PLR0911 -- one return per family
    """The exit code a command ends with when it fails with ``error``."""
    match error:
        case CliError():
            return error.exit_code
        case NotFound():
            return ExitCode.NOT_FOUND
        case ConcurrencyConflict():
            return ExitCode.CONFLICT
        case TransitionNotAllowed() if error.rule_code == "TRIGGER":
            return ExitCode.USAGE  # no such trigger at all: a typo, not a refusal
        case ValidationError():
            return ExitCode.USAGE
        case TransitionNotAllowed() | RuleViolation() | AccessDenied() | DomainError():
            return ExitCode.REFUSED
        case UsageError() | OSError():
            return ExitCode.USAGE
    if isinstance(error, _CLICK_EXCEPTION):
        return ExitCode.USAGE
    return ExitCode.INTERNAL


def error_line(error: BaseException) -> str:
    """``secretarial: <code>: <message>`` on one line, for standard error."""
    if isinstance(error, ValidationError):
        code = error.code
        message = f"invalid {error.model}: " + "; ".join(str(p) for p in error.problems)
    elif isinstance(error, SecretarialError):
        code = error.code
        message = str(error)
    elif isinstance(error, _CLICK_EXCEPTION):
        code = "usage"
        message = str(getattr(error, "format_message", error.__str__)())
        context = getattr(error, "ctx", None) if isinstance(error, _CLICK_USAGE) else None
        if context is not None:
            message += f" (see '{context.command_path} --help')"
    elif isinstance(error, OSError):
        code = "os_error"
        where = f": {error.filename}" if error.filename else ""
        message = f"{error.strerror or error}{where}"
    else:
        code = "internal_error"
        message = (
            f"{type(error).__name__}: {error} (a bug: run again with --debug for the traceback)"
        )
    return f"{PROGRAM}: {code}: {_one_line(message)}"


def _one_line(text: str) -> str:
    """Fold a message onto one line: its lines (bullets dropped) joined with '; '."""
    lines = [line.strip() for line in text.splitlines()]
    lines = [line.removeprefix("- ") for line in lines]
    return "; ".join(line for line in lines if line).replace(":; ", ": ")
