"""Workflow diagrams: mermaid text, and an SVG picture drawn offline by Graphviz.

The DOT text is checked against the table on any machine; the SVG where Graphviz's
``dot`` is installed (``apt-get install graphviz``; ``.ci/run`` installs it).
"""

from __future__ import annotations

import re
import shutil

import pytest

from secretarial import Diagram, UsageError, builtin_registry, workflow_for
from secretarial.adapters._graphviz import draw_svg
from secretarial.kernel._verbs import REASSIGN_TRIGGER

KINDS = sorted(str(kind) for kind in builtin_registry().entity_types)
needs_dot = pytest.mark.skipif(
    shutil.which("dot") is None,
    reason="Graphviz's dot is not installed: apt-get install graphviz (.ci/run does)",
)
EDGE = re.compile(r'^    "([^"]+)" -> "([^"]+)" \[label="([^" ]+)')


@pytest.mark.parametrize("kind", KINDS)
def test_the_dot_text_draws_every_row_of_the_table(kind: str) -> None:
    """Each move is an edge; each row that stays put in many steps is a line of the label."""
    workflow = workflow_for(kind)
    diagram = workflow.diagram()
    assert diagram.dot is not None
    edges = {m.groups() for line in diagram.dot.splitlines() if (m := EDGE.match(line))}
    label = next(
        (line for line in diagram.dot.splitlines() if "label=" in line and "labelloc=b" in line), ""
    )
    for spec in workflow.rows:
        if spec.trigger == REASSIGN_TRIGGER or (spec.dest is None and len(spec.sources) >= 3):
            assert spec.trigger in label, spec.trigger
            continue
        for source in spec.sources:
            assert (str(source), str(spec.dest or source), spec.trigger) in edges
    for state in workflow.states:
        assert f'"{state.value}" [label="{state.value}\\n{state.label}' in diagram.dot


@needs_dot
@pytest.mark.parametrize("kind", KINDS)
def test_graphviz_draws_an_svg_with_every_state(kind: str) -> None:
    diagram = workflow_for(kind).diagram()
    svg = diagram._repr_svg_()
    assert svg is not None
    assert "<svg" in svg
    for state in workflow_for(kind).states:
        assert f">{state.value}</text>" in svg
    assert diagram.svg() is svg  # drawn once
    assert workflow_for(kind).diagram().dot is diagram.dot  # its text written once


def test_without_dot_the_diagram_shows_its_mermaid_text(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("PATH", "")
    diagram = workflow_for("incoming_document").diagram()
    assert diagram._repr_svg_() is None  # Jupyter then shows the markdown form
    assert diagram._repr_markdown_().startswith("```mermaid\nstateDiagram-v2")
    assert Diagram("stateDiagram-v2")._repr_svg_() is None  # no DOT text: nothing to draw


@needs_dot
def test_a_diagram_graphviz_refuses_is_our_error() -> None:
    with pytest.raises(UsageError, match="Graphviz could not draw"):
        draw_svg("digraph { this is not dot")
