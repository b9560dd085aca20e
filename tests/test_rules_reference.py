"""docs/rules.md, the rule reference, agrees with the rules the library declares.

The page has one ``### CODE`` heading per rule code, each followed by a table whose rows
are ``| `name` | checks | enforced at |`` (``—`` for a check without a name). In the
last column a token such as ``incoming_document.approve`` names a state table and one of
its triggers; other tokens (``office.records.file()``, ``Document``) name code outside the tables.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from pathlib import Path
from typing import Any

import pytest

from secretarial import builtin_registry
from secretarial.calendars import NOTICE_RULES

ROOT = Path(__file__).resolve().parent.parent
RULES_PAGE = ROOT / "docs" / "rules.md"
DOCUMENTS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]

HEADING = re.compile(r"^#{2,6} +(.+?) *$")
CODE = re.compile(r"^[A-Z][A-Z0-9]*$")
TICKED = re.compile(r"`([^`]+)`")
TABLE_TRIGGER = re.compile(r"^([a-z_]+)\.([a-z_]+)$")
RULE_VIOLATION = re.compile(r'RuleViolation\(\s*"([A-Z][A-Z0-9]*)",\s*"([a-z0-9-]+)"')


def default_tables() -> dict[str, Any]:
    """The built-in tables by kind."""
    return {area.kind.value: area.table for area in builtin_registry()}


Place = tuple[str, str]
"""A state table's name and one of its triggers."""


def declared_rules() -> dict[tuple[str, str], set[Place]]:
    """(code, name) of every rule the built-in tables declare, with where each is declared."""
    found: dict[tuple[str, str], set[Place]] = defaultdict(set)
    registry = builtin_registry()
    for table_name, table in default_tables().items():
        specs = [(table.creation.trigger, table.creation.rules)]
        rows = registry.workflow(table_name).rows  # the verbs' rows included
        specs += [(spec.trigger, spec.rules) for spec in rows]
        for trigger, rules in specs:
            for rule in rules:
                found[rule.code, rule.name].add((table_name, trigger))
    return found


def documented_rules() -> dict[tuple[str, str | None], list[str]]:
    """(code, name) of every row of docs/rules.md, with the tokens of its last column.

    A row whose name is ``—`` has the name None. Rows of one code and name (the same
    check made in two places) are joined.
    """
    rows: dict[tuple[str, str | None], list[str]] = defaultdict(list)
    code = None
    for line in RULES_PAGE.read_text(encoding="utf-8").splitlines():
        heading = HEADING.match(line)
        if heading:
            code = heading[1] if CODE.match(heading[1]) else None
            continue
        if code is None or not line.startswith("|"):
            continue
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if cells[0] in ("name", "code") or set(cells[0]) <= {"-", " "}:
            continue  # the header and the separator
        assert len(cells) == 3, f"{code}: a row has name, checks, enforced at: {line}"
        name = None if cells[0] == "—" else cells[0].strip("`")
        assert name is None or cells[0] == f"`{name}`", f"{code}: name in backticks: {line}"
        where = TICKED.findall(cells[2])
        assert where, f"{code} {name}: the row says where the rule is enforced: {line}"
        rows[code, name].extend(where)
    return rows


def documented_places(tokens: list[str]) -> set[Place]:
    """The (table, trigger) tokens among ``tokens``."""
    return {(m[1], m[2]) for token in tokens if (m := TABLE_TRIGGER.match(token))}


def test_the_page_parses() -> None:
    """The parser finds the page's rows (the tests below would pass vacuously without)."""
    rows = documented_rules()
    assert len(rows) > 100
    assert ("D16", "urgent-needs-deadline") in rows


def test_every_declared_rule_is_documented_where_it_is_declared() -> None:
    """Each rule a table declares has its row under its code, naming every trigger."""
    documented = documented_rules()
    missing = []
    for (code, name), places in sorted(declared_rules().items()):
        listed = documented_places(documented.get((code, name), []))
        if not places <= listed:
            where = ", ".join(f"{t}.{g}" for t, g in sorted(places - listed))
            missing.append(f"{code} {name}: {where}")
    assert not missing, "not in docs/rules.md:\n" + "\n".join(missing)


def test_every_documented_table_rule_is_declared_by_that_table() -> None:
    """A row that names a table's trigger names a rule that trigger declares."""
    declared = declared_rules()
    tables = default_tables()
    wrong = []
    for (code, name), tokens in documented_rules().items():
        for token in tokens:
            match = TABLE_TRIGGER.match(token)
            if match is None:
                continue
            table, trigger = match[1], match[2]
            if table not in tables:
                wrong.append(f"{code} {name}: {token}: no table {table!r}")
            elif name is None or (table, trigger) not in declared.get((code, name), set()):
                wrong.append(f"{code} {name}: {token} declares no such rule")
    assert not wrong, "docs/rules.md names rules the tables do not declare:\n" + "\n".join(wrong)


def test_every_rule_violation_raised_in_the_code_is_documented() -> None:
    """Each ``RuleViolation("CODE", "name", ...)`` written in src/ has its row."""
    documented = documented_rules()
    raised = {
        (m[1], m[2])
        for path in sorted((ROOT / "src").rglob("*.py"))
        for m in RULE_VIOLATION.finditer(path.read_text(encoding="utf-8"))
    }
    assert raised, "the source scan found nothing"
    assert not sorted(raised - documented.keys())


@pytest.mark.parametrize("rule", sorted(NOTICE_RULES))
def test_every_notice_rule_is_documented(rule: str) -> None:
    """The codes a holiday notice's problems carry are listed under W4."""
    assert ("W4", rule) in documented_rules()


def heading_ids(path: Path) -> set[str]:
    """The anchors of a page's headings, as the ``toc`` extension writes them."""
    ids = set()
    for line in path.read_text(encoding="utf-8").splitlines():
        heading = HEADING.match(line) or re.match(r"^# +(.+?) *$", line)
        if heading:
            ascii_text = unicodedata.normalize("NFKD", heading[1]).encode("ascii", "ignore")
            text = re.sub(r"[^\w\s-]", "", ascii_text.decode("ascii")).strip().lower()
            ids.add(re.sub(r"[-\s]+", "-", text))
    return ids


@pytest.mark.parametrize("path", DOCUMENTS, ids=lambda p: p.name)
def test_no_document_cites_files_outside_the_project(path: Path) -> None:
    """Docs cite docs/rules.md and docs/workflows.md, never files the project does not ship."""
    text = path.read_text(encoding="utf-8")
    for outside in ("RULES.md", "WORKFLOWS.md", "../shared", "/shared/", "shared/reference"):
        assert outside not in text, f"{path.name} cites {outside!r}"


SOURCES = sorted(
    p
    for folder in ("src", "tests", "examples", "scripts", "benchmarks")
    for p in (ROOT / folder).rglob("*.py")
    if p.name != Path(__file__).name
)


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_source_cites_files_outside_the_project(path: Path) -> None:
    """Code and tests cite docs/rules.md and docs/workflows.md, never files not shipped."""
    text = path.read_text(encoding="utf-8")
    for outside in ("RULES.md", "WORKFLOWS.md", "../shared", "/shared/", "shared/reference"):
        assert outside not in text, f"{path.relative_to(ROOT)} cites {outside!r}"


@pytest.mark.parametrize("path", DOCUMENTS, ids=lambda p: p.name)
def test_links_to_rules_point_at_a_heading(path: Path) -> None:
    """A link to ``rules.md#anchor`` lands on a heading of the page."""
    ids = heading_ids(RULES_PAGE)
    text = path.read_text(encoding="utf-8")
    prefix = "" if path == RULES_PAGE else "rules.md"
    anchors = re.findall(rf"\]\((?:docs/)?{re.escape(prefix)}#([^)\s]+)\)", text)
    assert not [a for a in anchors if a not in ids]
