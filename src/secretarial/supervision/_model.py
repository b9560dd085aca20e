"""Supervision items 督办事项: a leader's instruction or a decision followed to its end."""

from __future__ import annotations

from typing import ClassVar

from secretarial.kernel._entity import Entity
from secretarial.kernel._enums import EntityKind
from secretarial.kernel._values import Day, Name, Text, Timed, Timestamp, Unit

from ._deadlines import ItemUrgency, ProvisionalMark
from ._enums import ReportCycle, SupervisionSource, SupervisionState

__all__ = ["ExtensionRequest", "ProgressReport", "SupervisionItem"]


class ProgressReport(Timed):
    """A progress report 进展情况 from the undertaker."""

    text: Text


class ExtensionRequest(Timed):
    """A request to move the deadline (S3) and, once decided, the decision."""

    reason: Text
    proposed_deadline: Day
    granted: bool | None = None
    """None while undecided, then whether it was granted."""
    decided_by: Name | None = None
    decided_at: Timestamp | None = None
    granted_deadline: Day | None = None
    decision_note: Text | None = None


class SupervisionItem(Entity):
    """One matter under supervision (S1): its source, requirement, units and deadline.

    ``deadline`` is the current deadline; granted extensions move it and stay on
    record in ``extension_requests``.
    """

    entity_kind: ClassVar[EntityKind] = EntityKind.SUPERVISION_ITEM
    terminal_states: ClassVar[frozenset[str]] = frozenset(
        {SupervisionState.VERIFIED, SupervisionState.CANCELLED}
    )

    state: SupervisionState = SupervisionState.REGISTERED
    source: SupervisionSource
    source_ref: Name | None = None
    """What the item came from: a document id, a meeting id, an instruction's reference."""
    instructed_by: Name | None = None
    """The leader who gave the instruction; a verified item reports back to them (S4)."""
    requirement: Text
    reply_required: Text | None = None
    received_at: Timestamp
    urgency: ItemUrgency = ItemUrgency.NORMAL
    """How pressing the matter is; picks the default deadline of a leader's instruction."""
    deadline_calendar: Name | None = None
    """The calendar a computed deadline was counted with; None for an explicit deadline."""
    deadline_rule: Text | None = None
    """How a computed deadline was arrived at (rule, term, start); None if explicit."""
    deadline_provisional: ProvisionalMark | None = None
    """Set while the computed deadline depends on a calendar year not yet published."""
    lead_unit: Unit | None = None
    co_units: tuple[Unit, ...] = ()
    report_cycle: ReportCycle = ReportCycle.NONE
    progress_reports: tuple[ProgressReport, ...] = ()
    extension_requests: tuple[ExtensionRequest, ...] = ()
    result: Text | None = None
    verification: Text | None = None
    rework_reasons: tuple[Text, ...] = ()
    cancel_reason: Text | None = None

    @property
    def pending_extension(self) -> ExtensionRequest | None:
        """The extension request awaiting a decision, if any."""
        if self.extension_requests and self.extension_requests[-1].granted is None:
            return self.extension_requests[-1]
        return None
