"""Every regulation code in docs/rules.md says whether its source was checked.

A regulation code is a ``### `` heading of one capital letter and a number (``D1``, ``A2``,
``W4``, ``M9``). Its entry has one ``*Source:*`` paragraph, which says "verified" or
"unverified" for each part of the rule taken from a text, or "local practice" for an office
convention; the page's introduction explains the convention.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

RULES_PAGE = Path(__file__).resolve().parent.parent / "docs" / "rules.md"

REGULATION_CODE = re.compile(r"^### ([A-Z]\d+) *$")
HEADING = re.compile(r"^#{1,6} ")
STATUS = re.compile(r"\b(?:un)?verified\b|local practice")
CLAUSE = re.compile(r"第[一二三四五六七八九十百]+条|§\d+(?:\.\d+)*|〔\d{4}〕")


def entries() -> dict[str, list[str]]:
    """The lines of each regulation code's entry, by code."""
    found: dict[str, list[str]] = {}
    code = None
    for line in RULES_PAGE.read_text(encoding="utf-8").splitlines():
        if HEADING.match(line):
            match = REGULATION_CODE.match(line)
            code = match[1] if match else None
            if code is not None:
                assert code not in found, f"{code} is listed twice"
                found[code] = []
            continue
        if code is not None:
            found[code].append(line)
    return found


def source_paragraphs(lines: list[str]) -> list[str]:
    """The ``*Source:*`` paragraphs among an entry's lines, each joined into one string."""
    paragraphs = []
    current: list[str] | None = None
    for line in lines:
        if current is not None:
            if line.strip():
                current.append(line.strip())
                continue
            paragraphs.append(" ".join(current))
            current = None
        if line.startswith("*Source:*"):
            current = [line.strip()]
    if current is not None:
        paragraphs.append(" ".join(current))
    return paragraphs


ENTRIES = entries()


def test_the_page_has_regulation_codes() -> None:
    """The parser finds the codes (the tests below would pass vacuously without)."""
    assert len(ENTRIES) > 40
    assert {"D1", "A2", "S3", "M9", "I1", "R2", "W4"} <= ENTRIES.keys()


@pytest.mark.parametrize("code", sorted(ENTRIES))
def test_each_regulation_code_says_whether_its_source_was_checked(code: str) -> None:
    """One ``*Source:*`` paragraph, saying verified, unverified or local practice."""
    paragraphs = source_paragraphs(ENTRIES[code])
    assert len(paragraphs) == 1, f"{code} has {len(paragraphs)} *Source:* paragraphs"
    assert STATUS.search(paragraphs[0]), (
        f'{code}: the source says neither "verified", "unverified" nor "local practice"'
    )


@pytest.mark.parametrize("code", sorted(ENTRIES))
def test_a_verified_source_cites_its_clause(code: str) -> None:
    """A source marked verified names the article, clause or notice it was found in."""
    paragraph = " ".join(source_paragraphs(ENTRIES[code]))
    if "— verified" in paragraph:
        assert CLAUSE.search(paragraph), f"{code}: verified, but no article or clause cited"


def test_the_introduction_explains_the_convention() -> None:
    """Before the first section, the page says what verified and unverified mean."""
    introduction = RULES_PAGE.read_text(encoding="utf-8").split("\n## ", 1)[0]
    for word in ("**verified**", "**unverified**", "*local practice*"):
        assert word in introduction, f"the introduction does not explain {word}"
