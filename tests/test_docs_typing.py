"""The README's and docs' Python code blocks type-check as a reader would check them.

Each document's blocks are joined, in order, into one module (later blocks use names
from earlier ones, as in tests/test_docs.py), and mypy checks every module in one run:
``--strict`` with no configuration, so without the project's pydantic plugin, which a
reader's own project need not have. The typed scripts of tests/typing (which the
project's own mypy run checks with the plugin) are checked the same way, so the verbs'
types hold either way.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from test_docs import DOCUMENTS, ROOT, blocks

# The example plugin's sources are found as if it were installed (tests/test_docs.py puts
# them on sys.path for the same reason).
PLUGIN_SOURCES = ROOT / "examples" / "letters_plugin" / "src"


def test_code_blocks_type_check(tmp_path: Path) -> None:
    """Under mypy --strict, no document's python blocks (nor typed script) have an error."""
    modules = tmp_path / "modules"
    modules.mkdir()
    files = []
    for path in DOCUMENTS:
        code = blocks(path)
        if code:
            module = modules / f"docs_{path.stem}.py"
            module.write_text("\n\n".join(code), encoding="utf-8")
            files.append(module.name)
    assert files
    for script in sorted((ROOT / "tests" / "typing").glob("*.py")):
        (modules / f"typing_{script.name}").write_text(script.read_text("utf-8"), "utf-8")
        files.append(f"typing_{script.name}")
    env = {**os.environ, "MYPYPATH": str(PLUGIN_SOURCES)}
    result = subprocess.run(  # noqa: S603 -- our own interpreter on our own documents
        [
            sys.executable,
            "-m",
            "mypy",
            "--strict",
            "--config-file",
            os.devnull,
            "--python-version",
            "3.11",
            "--no-error-summary",
            "--cache-dir",
            str(tmp_path / "mypy_cache"),
            *files,
        ],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
        cwd=modules,
        env=env,
    )
    report = result.stdout.strip()
    assert not report, report
    assert result.returncode == 0, result.stderr
