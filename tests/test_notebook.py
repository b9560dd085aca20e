"""The tour notebook runs from top to bottom in a real kernel."""

from __future__ import annotations

import importlib.util
import shutil
from pathlib import Path

import pytest

TOUR = Path(__file__).resolve().parent.parent / "examples" / "tour.ipynb"


@pytest.mark.filterwarnings("ignore::DeprecationWarning")  # jupyter's own path migration notices
def test_the_tour_executes() -> None:
    """Every cell runs without error, and the rich outputs are there."""
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    notebook = nbformat.read(TOUR, as_version=4)
    nbclient.NotebookClient(notebook, timeout=120, kernel_name="python3").execute()
    outputs = [o for cell in notebook.cells if cell.cell_type == "code" for o in cell.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    rich = [o for o in outputs if o.output_type == "execute_result"]
    assert any("text/html" in o.data for o in rich)
    assert any("text/markdown" in o.data for o in rich)
    charts = [o for o in rich if "image/svg+xml" in o.data and "text/html" in o.data]
    if importlib.util.find_spec("matplotlib") is not None:  # the charts drawn, tables beside
        assert len(charts) >= 2
        assert all("<svg" in o.data["image/svg+xml"] for o in charts)
    if shutil.which("dot") is not None:  # the workflow drawn offline by Graphviz
        drawn = [o for o in rich if "image/svg+xml" in o.data and "text/markdown" in o.data]
        assert drawn
        for output in drawn:
            assert "<svg" in output.data["image/svg+xml"]
            assert "text/markdown" in output.data  # the mermaid text kept beside it
