"""Draw the pictures of docs/active.md from a simulated quarter, and write its risk listing.

Runs ``secretarial.testing.simulation.simulate_office`` for three months (seed 1) on an
in-memory office, then writes, into ``docs/img/active/`` (or the folder given):

- ``bottleneck.svg``: the median and 90th-percentile wait per step of incoming
  documents, the bottleneck outlined (``analytics.bottleneck``);
- ``units.svg``: supervision items per lead unit, on time, late, open and overdue
  (``analytics.unit_outcomes``);
- ``throughput.svg``: audit events per day (``analytics.throughput``);
- ``risk.txt``: the items at risk a week before the quarter ends, with their parts
  (``risk.assess_risks``), as docs/active.md quotes them.

``python scripts/gen_active_pictures.py`` (needs the ``charts`` extra: matplotlib). The
figures are the simulation's: run it again when the simulator or the analytics change.
"""

from __future__ import annotations

import sys
from datetime import UTC, date, datetime, time
from pathlib import Path

from secretarial import Office
from secretarial.analytics import bottleneck, throughput, unit_outcomes
from secretarial.risk import assess_risks
from secretarial.testing import FrozenClock, SequentialIds
from secretarial.testing.simulation import simulate_office

START = date(2025, 9, 1)
"""The simulated quarter's first day."""


def build(folder: Path) -> list[Path]:
    """Simulate the quarter and write the pictures and the listing into ``folder``."""
    clock = FrozenClock(datetime.combine(START, time(1, 0), UTC))
    office = Office.in_memory(clock=clock, ids=SequentialIds())
    listing: list[str] = []
    sim = simulate_office(office, clock, months=3, seed=1)
    week_before = office.calendar.add_workdays(sim.end, -5)
    risks = assess_risks(office, as_of=datetime.combine(week_before, time(10, 0), UTC))
    listing.append(str(risks))
    folder.mkdir(parents=True, exist_ok=True)
    drawn = {
        "bottleneck.svg": bottleneck(
            office, "incoming_document", start=sim.start, end=sim.end
        )._repr_svg_(),
        "units.svg": unit_outcomes(office, start=sim.start, end=sim.end)._repr_svg_(),
        "throughput.svg": throughput(office, start=sim.start, end=sim.end)._repr_svg_(),
    }
    written = []
    for name, svg in drawn.items():
        if svg is None:
            sys.exit("the pictures need matplotlib: pip install 'secretarial[charts]'")
        path = folder / name
        path.write_text(svg, encoding="utf-8")
        written.append(path)
    path = folder / "risk.txt"
    path.write_text("\n".join(listing) + "\n", encoding="utf-8")
    written.append(path)
    return written


if __name__ == "__main__":
    target = (
        Path(sys.argv[1])
        if len(sys.argv) > 1
        else Path(__file__).resolve().parent.parent / "docs" / "img" / "active"
    )
    for written_path in build(target):
        print(f"wrote {written_path}")  # noqa: T201 -- a script reports what it wrote
