"""Acting on behalf of another (委托): the delegate's act, judged against the delegations.

A delegate fires a trigger for a principal (``office.fire(..., on_behalf_of=...)``). The
office's directory lists the delegations the delegate holds; the first that covers the
act (in force, from that principal, the kind, the trigger, the classification and the
roles the trigger needs) lets the delegate act with the roles it lends, and the audit
event names the principal. When none covers it the act is refused with the rule of the
latest delegation's refusal (G1 revoked, G3 expired ...), or G4 when the principal lent
the delegate nothing at all. Rules that name a person count the delegate as the
principal only on rows marked delegable (``TransitionSpec.delegable``).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from secretarial.errors import TransitionNotAllowed, UsageError
from secretarial.kernel._entity import Entity
from secretarial.kernel._values import Actor
from secretarial.kernel._workflow import Workflow

from ._directory import Directory

__all__ = ["acting_for"]


def acting_for(
    directory: Directory | None,
    actor: Actor,
    *,
    principal: str,
    entity: Entity,
    trigger: str,
    workflow: Workflow[Any],
    now: datetime,
) -> Actor:
    """``actor`` with the roles a delegation from ``principal`` lends for this act.

    Raises:
        UsageError: The office has no directory to find delegations in.
        TransitionNotAllowed: No delegation covers the act; the rule is the refusal's.
    """
    if directory is None:
        raise UsageError("acting on behalf of someone needs the office's directory")

    def refused(code: str, reason: str) -> TransitionNotAllowed:
        return TransitionNotAllowed(
            entity_id=entity.id,
            entity_kind=str(entity.entity_kind),
            state=entity.state.value,
            trigger=trigger,
            rule_code=code,
            reason=reason,
        )

    if principal == actor.id:
        raise refused("G4", f"{actor.id} acts in person; on_behalf_of names someone else")
    needed = workflow.roles_needed(entity, trigger)
    problems: list[tuple[str, str]] = []
    for delegation in directory.delegations(delegate=actor.id):
        if delegation.principal != principal:
            continue
        problem = delegation.refusal(
            principal=principal,
            delegate=actor.id,
            kind=str(entity.entity_kind),
            trigger=trigger,
            classification=entity.classification,
            roles_needed=needed,
            at=now,
        )
        if problem is None:
            return actor.model_copy(update={"roles": actor.roles | delegation.roles})
        problems.append(problem)
    if not problems:
        raise refused("G4", f"{principal} has delegated nothing to {actor.id}")
    raise refused(*problems[-1])
