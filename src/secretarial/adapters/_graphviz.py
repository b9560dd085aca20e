"""Graphviz's ``dot`` program, drawing a workflow's diagram as SVG on this machine."""

from __future__ import annotations

import shutil
import subprocess
from typing import Final

from secretarial.errors import UsageError

__all__ = ["draw_svg"]

_TIMEOUT: Final = 30.0
"""Seconds ``dot`` may take over one diagram."""


def draw_svg(dot: str) -> str | None:
    """``dot`` (DOT text) drawn as SVG by Graphviz; None if ``dot`` is not installed.

    Raises:
        UsageError: ``dot`` refused the text or took longer than 30 seconds.
    """
    program = shutil.which("dot")
    if program is None:
        return None
    try:
        done = subprocess.run(  # noqa: S603 -- Graphviz on text the library wrote
            [program, "-Tsvg"],
            input=dot.encode(),
            capture_output=True,
            timeout=_TIMEOUT,
            check=True,
        )
    except subprocess.CalledProcessError as e:
        detail = e.stderr.decode(errors="replace").strip()
        raise UsageError(f"Graphviz could not draw the diagram: {detail}") from e
    except subprocess.TimeoutExpired as e:
        raise UsageError(f"Graphviz took longer than {_TIMEOUT:g} s over the diagram") from e
    return done.stdout.decode()
