"""The ``secretarial`` command line (extra ``cli``: typer and rich).

Run ``secretarial --help`` or ``python -m secretarial --help``; docs/cli.md describes
every command, the exit codes and how to say who acts. Importing this package loads
neither typer nor rich: :func:`main` does, and says which ``pip install`` brings them
if they are missing. ``app`` is the typer application (for typer's ``CliRunner``).
"""

from __future__ import annotations

import sys
from typing import Any

from secretarial.errors import MissingExtraError

__all__ = ["app", "main"]


def __getattr__(name: str) -> Any:
    """``app``, the typer application, imported on first use (it needs the extra)."""
    if name == "app":
        from secretarial.cli._app import app  # noqa: PLC0415 -- the extra loads on use

        return app
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def main() -> None:
    """Run the command line with ``sys.argv``; exit with the command's exit code.

    Without typer or rich installed, print one line naming
    ``pip install 'secretarial[cli]'`` and exit with status 2.
    """
    try:
        from secretarial.cli._app import app  # noqa: PLC0415 -- the extra loads on use
    except ImportError as e:
        if e.name is None or e.name.split(".")[0] not in {"typer", "rich", "click"}:
            raise
        missing = MissingExtraError(e.name.split(".")[0], "cli", "The command line")
        sys.stderr.write(f"secretarial: {missing.code}: {missing}\n")
        sys.exit(2)
    app()
