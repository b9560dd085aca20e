"""The README's and docs' Python code blocks, and the examples, run as written."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
BLOCK = re.compile(r"^```python\n(.*?)^```", re.DOTALL | re.MULTILINE)
DOCUMENTS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
EXAMPLES = sorted((ROOT / "examples").glob("*.py"))


def blocks(path: Path) -> list[str]:
    return BLOCK.findall(path.read_text(encoding="utf-8"))


@pytest.mark.parametrize("path", DOCUMENTS, ids=lambda p: p.name)
def test_code_blocks_run(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each document's python blocks run in order in one namespace without error.

    The example plugins' sources are on the path, as if they were installed (their entry
    points are not, so no office runs them unless given them).
    """
    monkeypatch.syspath_prepend(str(ROOT / "examples" / "letters_plugin" / "src"))
    namespace: dict[str, object] = {"__name__": f"docs_{path.stem}"}
    for code in blocks(path):
        # dont_inherit: a block runs as a reader would run it, not under this module's
        # __future__ imports (which would leave its annotations unresolved).
        exec(compile(code, str(path), "exec", dont_inherit=True), namespace)  # noqa: S102 -- ours


def test_the_readme_has_code_to_run() -> None:
    """The quickstart is there to be run (this suite would pass vacuously without it)."""
    assert blocks(ROOT / "README.md")


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_examples_run(path: Path, tmp_path: Path) -> None:
    """Each example runs to the end as a script (in an empty directory of its own)."""
    result = subprocess.run(  # noqa: S603 -- our own interpreter on our own example
        [sys.executable, str(path)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip()


def test_the_workflow_reference_is_current() -> None:
    """docs/workflows.md is what scripts/gen_workflow_docs.py writes from the tables."""
    sys.path.insert(0, str(ROOT / "scripts"))
    try:
        from gen_workflow_docs import render  # noqa: PLC0415 -- a script, imported on demand
    finally:
        sys.path.remove(str(ROOT / "scripts"))
    assert (ROOT / "docs" / "workflows.md").read_text(encoding="utf-8") == render()
