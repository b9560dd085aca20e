"""An example ``secretarial`` plugin, installed through the ``secretarial`` entry-point group.

It shows three hooks:

- a veto: a leader's instruction 批办 (``approve``) is refused for a document whose title
  marks it as a test (``测试``);
- a reaction after commit: it counts the committed changes, by trigger;
- a number format: registration numbers 收文登记号 are written ``收文2025-00001``
  (document numbers 发文字号 are left to the office, which writes them as rule D6 says).

``pyproject.toml`` registers the instance :data:`plugin` under the entry-point name
``example``; every office made while the package is installed runs it, unless the office
is made with ``load_entry_points=False``.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from typing import Final

from secretarial import AuditEvent, Entity
from secretarial.plugins import hookimpl

__all__ = ["TEST_MARK", "ExamplePlugin", "plugin"]

TEST_MARK: Final = "测试"
"""The word in a title that marks a test document, which is never approved."""


class ExamplePlugin:
    """Refuses to approve test documents, counts changes, writes registration numbers.

    Attributes:
        counts: How many changes were committed, by trigger (``receive``, ``register``).
    """

    def __init__(self) -> None:
        self.counts: Counter[str] = Counter()

    @hookimpl
    def secretarial_veto_transition(self, entity: Entity, trigger: str) -> str | None:
        """Refuse ``approve`` of a document whose title contains 测试."""
        title = str(getattr(entity, "title", ""))
        if trigger == "approve" and TEST_MARK in title:
            return f"a test document ({title}) is not approved; remove it from circulation"
        return None

    @hookimpl
    def secretarial_after_commit(self, event: AuditEvent) -> None:
        """Count the committed change."""
        self.counts[event.trigger] += 1

    @hookimpl
    def secretarial_number_format(self, series: str, now: datetime, sequence: int) -> str | None:
        """Write registration numbers as ``收文<year>-<five digits>``; leave the others."""
        if series == "incoming":
            return f"收文{now.year}-{sequence:05d}"
        return None


plugin: Final = ExamplePlugin()
"""The instance the entry point ``example`` registers."""
