"""Write docs/workflows.md from the built-in state tables (run after changing a table)."""

from __future__ import annotations

from pathlib import Path

from secretarial import builtin_registry

HEADER = """# Workflows

The built-in state tables, generated from the code by `scripts/gen_workflow_docs.py`
(a test checks this page is current). Each trigger lists the roles that may fire it and
the named rules that must hold; a refusal names the rule's code. Engine codes: `TRIGGER`
(no such trigger), `STATE` (not from this state), `ROLE` (the actor lacks the role).
The rows `return_to` (退回), `withdraw` (撤回) and `reassign` (转办) are the office verbs
the engine adds where a table offers them (see [the office verbs](verbs.md)).
"""


def _row(*cells: str) -> str:
    return "| " + " | ".join(cells) + " |"


def render() -> str:
    """The page's Markdown."""
    parts = [HEADER]
    registry = builtin_registry()
    for kind in registry.kinds:
        wf = registry.workflow(kind)
        table = wf.table
        parts.append(f"\n## {kind.label} — `{wf.name}`\n\n{table.description}\n")
        parts.append(
            "| trigger | from → to | who | rules | input |\n| --- | --- | --- | --- | --- |"
        )
        creation = table.creation
        who = ", ".join(sorted(creation.roles)) if creation.roles else "anyone"
        rules = ", ".join(f"{r.code} {r.name}" for r in creation.rules) or "—"
        first = f"`{creation.trigger}` {creation.label}"
        parts.append(_row(first, f"— → `{creation.dest}`", who, rules, "the entity's fields"))
        for spec in wf.rows:
            who = ", ".join(sorted(spec.roles)) if spec.roles else "anyone"
            rules = ", ".join(f"{r.code} {r.name}" for r in spec.rules) or "—"
            data = f"`{spec.data.__name__}`" if spec.data else "—"
            sources = ", ".join(f"`{s}`" for s in spec.sources)
            first = f"`{spec.trigger}` {spec.label}"
            parts.append(_row(first, f"{sources} → `{spec.dest}`", who, rules, data))
        parts.append(f"\n```mermaid\n{wf.diagram()}\n```")
    parts.append("\n## Rules\n\n| code | name | rule |\n| --- | --- | --- |")
    parts.extend(f"| {r.code} | {r.name} | {r.description} |" for r in registry.rules)
    return "\n".join(parts) + "\n"


if __name__ == "__main__":
    Path(__file__).resolve().parent.parent.joinpath("docs", "workflows.md").write_text(
        render(), encoding="utf-8"
    )
