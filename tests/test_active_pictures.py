"""The pictures of docs/active.md: drawn from a simulated quarter, and kept with the docs."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PICTURES = ("bottleneck.svg", "units.svg", "throughput.svg")


def test_the_page_shows_every_picture_kept_beside_it() -> None:
    """Each picture the page links to is kept, is an SVG that fetches nothing, and is shown."""
    page = (ROOT / "docs" / "active.md").read_text(encoding="utf-8")
    linked = re.findall(r"!\[[^\]]*\]\(img/active/([^)]+)\)", page)
    assert sorted(linked) == sorted(PICTURES)
    for name in PICTURES:
        svg = (ROOT / "docs" / "img" / "active" / name).read_text(encoding="utf-8")
        assert svg.lstrip().startswith(("<?xml", "<svg"))
        assert not re.search(r"(?:href|src)=\"https?://", svg)


@pytest.mark.slow
def test_the_script_draws_them_from_the_simulated_quarter(tmp_path: Path) -> None:
    pytest.importorskip("matplotlib", reason="the pictures need pip install 'secretarial[charts]'")
    spec = importlib.util.spec_from_file_location(
        "gen_active_pictures", ROOT / "scripts" / "gen_active_pictures.py"
    )
    assert spec is not None
    assert spec.loader is not None
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    written = script.build(tmp_path)
    assert sorted(p.name for p in written) == sorted((*PICTURES, "risk.txt"))
    for name in PICTURES:
        assert "<svg" in (tmp_path / name).read_text(encoding="utf-8")
    listing = (tmp_path / "risk.txt").read_text(encoding="utf-8")
    page = (ROOT / "docs" / "active.md").read_text(encoding="utf-8")
    for line in re.findall(r"^sup-\d+ \[.*$", page, re.MULTILINE):
        assert line in listing  # the page quotes what the simulation gives
