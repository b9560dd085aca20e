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

from ._directory import Directory, DirectoryDelegation, DirectoryPerson

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
    person = directory.person(principal)
    if person is not None and not person.is_open:
        raise refused("G4", f"{principal} has left the office; their delegations lapsed")
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
        lent = delegation.roles
        if problem is None:
            problem, lent = _principal_holds(person, delegation, entity, needed)
        if problem is None:
            return actor.model_copy(update={"roles": actor.roles | lent})
        problems.append(problem)
    if not problems:
        raise refused("G4", f"{principal} has delegated nothing to {actor.id}")
    raise refused(*problems[-1])


def _principal_holds(
    person: DirectoryPerson | None,
    delegation: DirectoryDelegation,
    entity: Entity,
    needed: frozenset[str] | None,
) -> tuple[tuple[str, str] | None, frozenset[str]]:
    """Whether the principal still holds what the delegation lends, and what it lends now.

    Only roles the principal holds today are lent, and only up to their clearance. A
    delegation the principal granted themself was judged against their own roles when
    granted; one the office director granted for them needs the principal in the
    directory, holding the roles.
    """
    principal = delegation.principal
    if person is None:
        if delegation.created_by == principal:
            return None, delegation.roles
        why = f"the delegation was granted for {principal}, whom the directory does not know"
        return ("G4", why), frozenset()
    lent = delegation.roles & person.roles
    if needed is not None and lent.isdisjoint(needed):
        held = ", ".join(sorted(needed))
        why = f"{principal} holds none of {held} today; a delegation lends only held roles"
        return ("G8", why), lent
    if person.clearance < entity.classification:
        level = person.clearance.value
        why = f"{principal} is cleared to {level}; a delegate acts for them on nothing above"
        return ("G7", why), lent
    return None, lent
