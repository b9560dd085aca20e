"""Fan-out and join (会签): one step sent to several parties at once, completed by a policy.

An office sends a step to several parties together: four bureaux countersign a joint
document, five units give their opinions on a draft. Each party answers once, agreeing or
disagreeing, and the step completes by a :class:`JoinPolicy`: when every party agrees
(``all``), at the first agreement (``any``) or at ``n`` agreements (``quorum``).

:func:`fan_out_step` writes the rows of one such step for any state table whose entity has
a field ``fan_out: FanOut | None``: a request that names the parties, and the two answers,
each with one row that decides the join and leaves the step and one that records the
answer and stays. Each party's answer is an act of its own, with its own audit event.

The rules are F1–F4 of docs/rules.md (judged from event schema 2)::

    >>> policy = JoinPolicy.quorum(3)
    >>> policy.decided(agreed=2, disagreed=1, parties=5)
    >>> policy.decided(agreed=3, disagreed=1, parties=5)
    'agreed'
    >>> policy.decided(agreed=1, disagreed=3, parties=5)
    'disagreed'
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, ClassVar, Final, Literal, Self, overload

import pydantic
from pydantic import Field, field_validator, model_validator

from secretarial.errors import UsageError, ValidationError

from ._display import html_table
from ._rules import Rule, TransitionContext
from ._values import Actor, Name, Organ, Text, Timed, Timestamp, Unit, Value
from ._workflow import Input, TransitionEnv, TransitionSpec, problems_from_pydantic

if TYPE_CHECKING:
    from ._enums import LabeledEnum

__all__ = [
    "F1_ACTS_FOR_A_PARTY",
    "F2_RESPONDS_ONCE",
    "F3_DISAGREEMENT_OPINION",
    "F4_PARTIES",
    "FanOut",
    "FanOutReply",
    "FanOutRequest",
    "JoinPolicy",
    "Outcome",
    "Party",
    "PartyResponse",
    "fan_out_step",
    "void_round",
]

JoinKind = Literal["all", "any", "quorum"]
"""How a fan-out completes: every party agrees, the first agrees, ``n`` agree."""
Outcome = Literal["agreed", "disagreed"]
"""What a decided fan-out came to."""
PartyKind = Literal["unit", "actor"]
"""Whether a party is a unit (any member acts for it) or one actor."""

_SINCE: Final = 3
"""The event schema the fan-out rules judge acts from."""


class _QuorumAttribute:
    """``JoinPolicy.quorum``: the constructor on the class, the number on an instance.

    The number is the model's field ``quorum``, kept in the instance's ``__dict__``: an
    attribute without ``__set__`` leaves it to the instance, so an instance finds its own
    number before this.
    """

    @overload
    def __get__(self, instance: None, owner: type[JoinPolicy]) -> Callable[[int], JoinPolicy]: ...
    @overload
    def __get__(self, instance: JoinPolicy, owner: type[JoinPolicy]) -> int | None: ...
    def __get__(
        self, instance: JoinPolicy | None, owner: type[JoinPolicy]
    ) -> Callable[[int], JoinPolicy] | int | None:
        if instance is None:
            return owner.of_quorum
        found: int | None = instance.__dict__.get("quorum")  # pragma: no cover -- see above
        return found


class JoinPolicy(Value):
    """When a fan-out completes: ``all`` agree, ``any`` one agrees, a ``quorum`` of ``n``.

    Build one with :meth:`all`, :meth:`any` or ``JoinPolicy.quorum(n)``; ``.kind`` and
    ``.quorum`` (the ``n`` of a quorum, None otherwise) say which it is. As input it is
    written ``{"kind": "quorum", "quorum": 3}``.

    >>> JoinPolicy.quorum(2).quorum, JoinPolicy.all().kind
    (2, 'all')
    """

    kind: JoinKind = "all"
    if TYPE_CHECKING:
        quorum: ClassVar[_QuorumAttribute] = _QuorumAttribute()
    else:
        quorum: int | None = None

    @field_validator("quorum")
    @classmethod
    def _at_least_one(cls, n: int | None) -> int | None:
        if n is not None and n < 1:
            raise ValueError(
                f"F4: a quorum is at least 1 agreement, got {n}; "
                "accepted: JoinPolicy.quorum(n) with n >= 1"
            )
        return n

    @model_validator(mode="after")
    def _quorum_fits_kind(self) -> Self:
        n = self.quorum
        if self.kind == "quorum" and n is None:
            raise ValueError("F4: a quorum policy names its number: JoinPolicy.quorum(n)")
        if self.kind != "quorum" and n is not None:
            raise ValueError(f"F4: only a quorum policy has a number, not {self.kind!r}")
        return self

    @classmethod
    def all(cls) -> Self:
        """Every party agrees; the first disagreement decides against."""
        return cls(kind="all")

    @classmethod
    def any(cls) -> Self:
        """The first agreement completes; disagreed once every party has disagreed."""
        return cls(kind="any")

    @classmethod
    def of_quorum(cls, n: int) -> Self:
        """``n`` agreements complete (also spelt ``JoinPolicy.quorum(n)``).

        Raises:
            ValidationError: ``n`` is less than 1 (rule F4).
        """
        try:
            return cls.model_validate({"kind": "quorum", "quorum": n})
        except pydantic.ValidationError as e:
            raise ValidationError("JoinPolicy", problems_from_pydantic(e)) from None

    def needed(self, parties: int) -> int:
        """How many agreements of ``parties`` complete the join."""
        if self.kind == "any":
            return 1
        if self.kind == "quorum" and self.quorum is not None:
            return self.quorum
        return parties

    def decided(self, agreed: int, disagreed: int, parties: int) -> Outcome | None:
        """What ``agreed`` and ``disagreed`` answers of ``parties`` decide, if anything.

        ``"agreed"`` once the agreements needed are there; ``"disagreed"`` once they can
        no longer be reached (agreed and still pending fewer than needed): under ``all``
        at the first disagreement. Once decided, more answers never change the outcome.

        Raises:
            UsageError: a count is negative, or more answers than parties.
        """
        if min(agreed, disagreed, parties) < 0 or agreed + disagreed > parties:
            raise UsageError(
                f"{agreed} agreed and {disagreed} disagreed of {parties} parties cannot be"
            )
        needed = self.needed(parties)
        if agreed >= needed:
            return "agreed"
        pending = parties - agreed - disagreed
        if agreed + pending < needed:
            return "disagreed"
        return None

    @property
    def label(self) -> str:
        """The policy in Chinese: 全部同意, 任一同意, 3方同意."""
        if self.kind == "all":
            return "全部同意"
        if self.kind == "any":
            return "任一同意"
        return f"{self.quorum}方同意"

    def __str__(self) -> str:
        if self.kind == "quorum":
            return f"quorum of {self.quorum}"
        return self.kind


if not TYPE_CHECKING:
    JoinPolicy.quorum = _QuorumAttribute()


class Party(Value):
    """One party of a fan-out: a unit (any of its members answers for it) or one actor.

    Attributes:
        code: The unit's code, or the actor's id.
        name: What the party is called (财政局), for the progress sentence.
        kind: ``"unit"`` or ``"actor"``.
        contacts: For a unit, the actor ids who answer for it beside its members (its
            会签 contact people): filled from the office's directory when the round is
            requested, or given.
    """

    code: Name
    name: Name
    kind: PartyKind = "unit"
    contacts: tuple[Name, ...] = ()

    @classmethod
    def of(cls, who: Unit | Organ | Actor) -> Self:
        """The party ``who`` is: a unit or an organ as a unit, an actor as an actor.

        An organ's leader answers for it as an actor whose unit has the organ's code.
        """
        if isinstance(who, Actor):
            return cls(code=who.id, name=who.name, kind="actor")
        return cls(code=who.code, name=who.name, kind="unit")

    def acts(self, actor: Actor) -> bool:
        """Whether ``actor`` answers for this party: as it, a member or a contact of it."""
        if self.kind == "actor":
            return actor.id == self.code
        return actor.id in self.contacts or (
            actor.unit is not None and actor.unit.code == self.code
        )

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


class PartyResponse(Timed):
    """One party's answer: agreed or not, its opinion, who gave it (``by``) and when (``at``)."""

    party: Name
    """The code of the party answered for."""
    agreed: bool
    opinion: Text | None = None


class FanOut(Value):
    """A step sent to several parties at once (会签), and their answers so far.

    Attributes:
        step: The state in which the parties answer.
        round: 1 for the first request of the step, one more for each request after.
        parties: The parties, in order (for a joint document the lead organ first).
        policy: When the step completes.
        responses: The answers given, in the order given.
        started_at: When the round was requested.
        decided_at: When the answer that decided the join was given, once decided.
        voided: Whether a return past the step voided the round (:func:`void_round`):
            its answers are dropped and no one is waited for.
    """

    step: Name
    round: int = Field(default=1, ge=1)
    parties: tuple[Party, ...] = Field(min_length=1)
    policy: JoinPolicy = JoinPolicy.all()
    responses: tuple[PartyResponse, ...] = ()
    started_at: Timestamp
    decided_at: Timestamp | None = None
    voided: bool = False

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        problem = _parties_problem(self.parties, self.policy)
        if problem is not None:
            raise ValueError(f"F4: {problem}")
        codes = {p.code for p in self.parties}
        answered = [r.party for r in self.responses]
        if not set(answered) <= codes or len(set(answered)) != len(answered):
            raise ValueError("F2: each answer is of a party of the round, once")
        return self

    @property
    def responded(self) -> tuple[Party, ...]:
        """The parties that have answered, in the parties' order."""
        answered = {r.party for r in self.responses}
        return tuple(p for p in self.parties if p.code in answered)

    @property
    def pending(self) -> tuple[Party, ...]:
        """The parties that have not answered, in order (whether still waited for or not)."""
        answered = {r.party for r in self.responses}
        return tuple(p for p in self.parties if p.code not in answered)

    @property
    def agreed(self) -> tuple[Party, ...]:
        """The parties that agreed, in the parties' order."""
        return self._answered(agreed=True)

    @property
    def disagreed(self) -> tuple[Party, ...]:
        """The parties that disagreed, in the parties' order."""
        return self._answered(agreed=False)

    @property
    def outcome(self) -> Outcome | None:
        """What the answers decide under the policy; None while open, or voided."""
        if self.voided:
            return None
        return self.policy.decided(len(self.agreed), len(self.disagreed), len(self.parties))

    @property
    def waiting(self) -> tuple[Party, ...]:
        """The parties still waited for: the pending ones, while the join is undecided."""
        return () if self.voided or self.outcome is not None else self.pending

    def response_of(self, code: str) -> PartyResponse | None:
        """The answer of the party ``code``, if it has answered."""
        return next((r for r in self.responses if r.party == code), None)

    def party(self, code: str) -> Party | None:
        """The party with ``code``, if it is one."""
        return next((p for p in self.parties if p.code == code), None)

    def acting_for(self, actor: Actor) -> tuple[Party, ...]:
        """The parties ``actor`` answers for, in order."""
        return tuple(p for p in self.parties if p.acts(actor))

    @property
    def progress(self) -> str:
        """Where the join stands, by the parties' names.

        "3 of 5 agreed; waiting for 财政局, 审计局" while open (with "1 disagreed" when
        one has); "4 of 5 agreed: agreed" or "… : disagreed" once decided.
        """
        return self._progress(_name_of)

    def _progress(self, show: Callable[[Party], str]) -> str:
        if self.voided:
            return f"round {self.round} voided; no one is waited for"
        counts = f"{len(self.agreed)} of {len(self.parties)} agreed"
        if self.disagreed:
            counts += f", {len(self.disagreed)} disagreed"
        outcome = self.outcome
        if outcome is not None:
            return f"{counts}: {outcome}"
        return f"{counts}; waiting for {', '.join(show(p) for p in self.pending)}"

    def __str__(self) -> str:
        body = self._progress(str)
        return f"{self.step} round {self.round} ({self.policy}): {body}"

    def _repr_html_(self) -> str:
        """The round as a table: each party, its answer, who gave it and when."""
        rows = []
        for party in self.parties:
            answer = self.response_of(party.code)
            if answer is None:
                said = "waiting" if party in self.waiting else "not needed"
                rows.append([party.name, party.code, said, "", "", ""])
                continue
            rows.append(
                [
                    party.name,
                    party.code,
                    "agreed" if answer.agreed else "disagreed",
                    answer.opinion or "",
                    answer.by,
                    answer.at.isoformat(timespec="minutes"),
                ]
            )
        caption = f"{self.step} round {self.round} ({self.policy}): {self.progress}"
        return html_table(["party", "code", "answer", "opinion", "by", "at"], rows, caption)

    def _answered(self, *, agreed: bool) -> tuple[Party, ...]:
        codes = {r.party for r in self.responses if r.agreed is agreed}
        return tuple(p for p in self.parties if p.code in codes)


def _name_of(party: Party) -> str:
    return party.name


def void_round(fan_out: FanOut | None) -> FanOut | None:
    """The fan-out after a return past its step: the round's answers dropped.

    The record stays, marked ``voided``, with its round and parties, so that the next
    request of the step starts round + 1; the answers themselves stay in the audit trail.
    Use it in the effect of a row that returns the entity before the step
    (``{"fan_out": void_round(entity.fan_out)}``). None stays None.
    """
    if fan_out is None:
        return None
    return fan_out.model_copy(update={"responses": (), "decided_at": None, "voided": True})


# ============================================================================ inputs
class FanOutRequest(Input):
    """Input of the request: the parties, in order, and the join policy (default ``all``).

    The parties are checked by rule F4 (at least one, each once, a quorum within them).
    """

    parties: tuple[Party, ...]
    policy: JoinPolicy = JoinPolicy.all()


class FanOutReply(Input):
    """Input of an agreement or a disagreement.

    Attributes:
        opinion: The party's opinion; a disagreement gives one (F3), here or as the reason.
        party: The code of the party answered for, when the actor answers for more than one;
            by default the first of them, in the parties' order, still to answer.
    """

    opinion: Text | None = None
    party: Name | None = None


# ============================================================================ rules
def _fan_out(ctx: TransitionContext) -> FanOut | None:
    found = getattr(ctx.entity, "fan_out", None)
    if found is None or isinstance(found, FanOut):
        return found
    raise UsageError(f"{type(ctx.entity).__name__}.fan_out is not a FanOut")


def _open_fan_out(ctx: TransitionContext) -> FanOut | None:
    """The entity's fan-out if it is the open round of the state the entity is in."""
    fan_out = _fan_out(ctx)
    if fan_out is None or fan_out.voided or fan_out.step != str(ctx.entity.state):
        return None
    return fan_out


def _listing(parties: tuple[Party, ...]) -> str:
    return ", ".join(map(str, parties)) or "none"


def _answering(ctx: TransitionContext) -> tuple[Party | None, str | None]:
    """The party the actor answers for now, or what is wrong (F1: none, F2: answered)."""
    fan_out = _open_fan_out(ctx)
    if fan_out is None:
        return None, f"F1:no fan-out round is open at {ctx.entity.state}; request one first"
    asked: str | None = ctx.input("party")
    candidates = fan_out.acting_for(ctx.actor)
    if asked is not None:
        party = fan_out.party(asked)
        if party is None:
            return None, (
                f"F1:{asked} is not a party of round {fan_out.round}; "
                f"parties: {_listing(fan_out.parties)}"
            )
        candidates = (party,) if party in candidates else ()
        if not candidates:
            return None, (
                f"F1:{ctx.actor.id} does not answer for {party}: the party's actor, or a "
                "member or contact of the party's unit, does"
            )
    if not candidates:
        return None, (
            f"F1:{ctx.actor.id} answers for no party of round {fan_out.round}: a party "
            f"answers as its actor, or as a member or contact of its unit; still to answer: "
            f"{_listing(fan_out.pending)}"
        )
    for party in candidates:
        if fan_out.response_of(party.code) is None:
            return party, None
    done = candidates[0]
    answer = fan_out.response_of(done.code)
    assert answer is not None  # noqa: S101 -- every candidate has answered
    verb = "agreed" if answer.agreed else "disagreed"
    return None, (
        f"F2:{done} has already {verb} in round {fan_out.round} ({answer.by}, "
        f"{answer.at.isoformat(timespec='minutes')}); a party answers once a round; "
        f"still to answer: {_listing(fan_out.pending)}"
    )


def _check_acts_for_party(ctx: TransitionContext) -> str | None:
    _, problem = _answering(ctx)
    if problem is not None and problem.startswith("F1:"):
        return problem.removeprefix("F1:")
    return None


def _check_responds_once(ctx: TransitionContext) -> str | None:
    _, problem = _answering(ctx)
    if problem is not None and problem.startswith("F2:"):
        return problem.removeprefix("F2:")
    return None


def _check_disagreement_opinion(ctx: TransitionContext) -> str | None:
    if ctx.input("opinion") is not None or ctx.reason:
        return None
    return "a disagreement gives the party's opinion: pass opinion=... (or reason=...)"


def _parties_problem(parties: tuple[Party, ...], policy: JoinPolicy) -> str | None:
    if not parties:
        return "a fan-out names at least one party"
    codes = [p.code for p in parties]
    twice = sorted({c for c in codes if codes.count(c) > 1})
    if twice:
        return f"a party is named once; named twice: {', '.join(twice)}"
    needed = policy.needed(len(parties))
    if needed > len(parties):
        return (
            f"a quorum of {needed} cannot be reached by {len(parties)} parties; "
            f"accepted: a quorum of 1 to {len(parties)}"
        )
    return None


def _check_parties(ctx: TransitionContext) -> str | None:
    data = ctx.data
    if not isinstance(data, FanOutRequest):
        return None
    return _parties_problem(data.parties, data.policy)


F1_ACTS_FOR_A_PARTY: Final = Rule(
    "F1",
    "answers-for-a-party",
    "only a party answers: the party's actor, or a member or contact of the party's unit",
    _check_acts_for_party,
    since=_SINCE,
)
F2_RESPONDS_ONCE: Final = Rule(
    "F2",
    "party-answers-once",
    "each party answers once a round",
    _check_responds_once,
    since=_SINCE,
)
F3_DISAGREEMENT_OPINION: Final = Rule(
    "F3",
    "disagreement-gives-opinion",
    "a disagreement gives the party's opinion",
    _check_disagreement_opinion,
    on_input=True,
    since=_SINCE,
)
F4_PARTIES: Final = Rule(
    "F4",
    "parties-named-once",
    "a request names at least one party, each once, and a quorum they can reach",
    _check_parties,
    on_input=True,
    since=_SINCE,
)


def _decides(agreed: bool) -> Callable[[TransitionContext], str | None]:  # noqa: FBT001
    def check(ctx: TransitionContext) -> str | None:
        fan_out = _open_fan_out(ctx)
        party, _ = _answering(ctx)
        if fan_out is None or party is None:
            return "the answer is not a party's"
        after = _answered(fan_out, party, ctx, agreed=agreed)
        wanted: Outcome = "agreed" if agreed else "disagreed"
        if after.outcome == wanted:
            return None
        return f"the join stays open: {after.progress}"

    return check


F5_AGREEMENT_COMPLETES: Final = Rule(
    "F5",
    "agreement-completes-join",
    "an agreement that completes the join leaves the step",
    _decides(agreed=True),
    since=_SINCE,
)
F5_DISAGREEMENT_DECIDES: Final = Rule(
    "F5",
    "disagreement-decides-join",
    "a disagreement that makes agreement unreachable leaves the step",
    _decides(agreed=False),
    since=_SINCE,
)


# ============================================================================ effects
def _answered(
    fan_out: FanOut,
    party: Party,
    ctx: TransitionContext,
    *,
    agreed: bool,
    decided: bool = False,
) -> FanOut:
    opinion = ctx.input("opinion") or ctx.reason
    response = PartyResponse(
        party=party.code, agreed=agreed, opinion=opinion, by=ctx.actor.id, at=ctx.now
    )
    updates: dict[str, Any] = {"responses": (*fan_out.responses, response)}
    if decided:
        updates["decided_at"] = ctx.now
    return fan_out.model_copy(update=updates)


def _require_field(ctx: TransitionContext) -> None:
    if "fan_out" not in type(ctx.entity).model_fields:
        raise UsageError(
            f"{type(ctx.entity).__name__} has no field fan_out: a fan-out step needs "
            "fan_out: FanOut | None on its entity"
        )


def _request(step: str) -> Callable[[TransitionContext], dict[str, Any]]:
    def effect(ctx: TransitionContext) -> dict[str, Any]:
        _require_field(ctx)
        data = ctx.data
        assert isinstance(data, FanOutRequest)  # noqa: S101 -- the row's input model
        previous = _fan_out(ctx)
        round_ = previous.round + 1 if previous is not None and previous.step == step else 1
        fan_out = FanOut(
            step=step,
            round=round_,
            parties=data.parties,
            policy=data.policy,
            started_at=ctx.now,
        )
        return {"fan_out": fan_out}

    return effect


def _respond(*, agreed: bool, decided: bool) -> Callable[[TransitionContext], dict[str, Any]]:
    def effect(ctx: TransitionContext) -> dict[str, Any]:
        _require_field(ctx)
        fan_out = _open_fan_out(ctx)
        party, _ = _answering(ctx)
        assert fan_out is not None  # noqa: S101 -- F1 held
        assert party is not None  # noqa: S101 -- F1 and F2 held
        return {"fan_out": _answered(fan_out, party, ctx, agreed=agreed, decided=decided)}

    return effect


def _with_contacts(
    entity: Any, data: Mapping[str, Any] | None, env: TransitionEnv
) -> Mapping[str, Any] | None:
    """The request with each unit party's contacts from the directory, where not given.

    Completed inside the unit of work and recorded in the request's input, so that the
    round — and its replay — knows who answers for each unit without asking again.
    """
    del entity
    if env.contacts is None or not data or not isinstance(data.get("parties"), list | tuple):
        return data
    parties = []
    for party in data["parties"]:
        given = party.model_dump() if isinstance(party, Party) else party
        if (
            isinstance(given, Mapping)
            and given.get("kind", "unit") == "unit"
            and not given.get("contacts")
            and isinstance(given.get("code"), str)
        ):
            found = env.contacts(given["code"])
            given = {**given, "contacts": list(found)} if found else given
        parties.append(given)
    return {**data, "parties": parties}


def fan_out_step(
    step: LabeledEnum | str,
    before: LabeledEnum | str,
    after: LabeledEnum | str,
    *,
    back_to: LabeledEnum | str | None = None,
    request_trigger: str = "request_countersign",
    agree_trigger: str = "agree",
    disagree_trigger: str = "disagree",
    roles: frozenset[str] | None = None,
    respond_roles: frozenset[str] | None = None,
    request_label: str = "送会签",
    agree_label: str = "会签同意",
    disagree_label: str = "会签不同意",
) -> tuple[TransitionSpec, ...]:
    """The rows of one fan-out step of a state table, for :meth:`WorkflowTable.extended`.

    - ``request_trigger``, from ``before`` to ``step`` (by ``roles``): names the parties
      and the policy (:class:`FanOutRequest`, rule F4) and opens a round, one more than
      the step's previous round.
    - ``agree_trigger`` and ``disagree_trigger``, from ``step`` (by ``respond_roles``, by
      default anyone: F1 decides who answers): the answer that decides the join leads to
      ``after`` (agreed) or ``back_to`` (disagreed; by default ``before``), any other is
      recorded and the entity stays. A disagreement gives an opinion (F3).

    The entity type of the table has a field ``fan_out: FanOut | None``.
    """
    returned = before if back_to is None else back_to
    at = str(step)
    answer = (F1_ACTS_FOR_A_PARTY, F2_RESPONDS_ONCE)
    return (
        TransitionSpec(
            request_trigger,
            (before,),
            step,
            roles,
            (F4_PARTIES,),
            data=FanOutRequest,
            effect=_request(at),
            label=request_label,
            complete=_with_contacts,
        ),
        *_answer_rows(
            agree_trigger,
            at=step,
            decided_to=after,
            roles=respond_roles,
            rules=answer,
            decides=F5_AGREEMENT_COMPLETES,
            agreed=True,
            label=agree_label,
        ),
        *_answer_rows(
            disagree_trigger,
            at=step,
            decided_to=returned,
            roles=respond_roles,
            rules=(*answer, F3_DISAGREEMENT_OPINION),
            decides=F5_DISAGREEMENT_DECIDES,
            agreed=False,
            label=disagree_label,
        ),
    )


def _answer_rows(
    trigger: str,
    *,
    at: LabeledEnum | str,
    decided_to: LabeledEnum | str,
    roles: frozenset[str] | None,
    rules: tuple[Rule, ...],
    decides: Rule,
    agreed: bool,
    label: str,
) -> tuple[TransitionSpec, ...]:
    """The two rows of an answer, in the order they are judged.

    First the one that decides the join and leaves the step (guarded by ``decides``),
    then the one that records the answer and stays.
    """
    return tuple(
        TransitionSpec(
            trigger,
            (at,),
            decided_to if decided else None,
            roles,
            (*rules, decides) if decided else rules,
            data=FanOutReply,
            parallel=True,
            effect=_respond(agreed=agreed, decided=decided),
            label=label,
        )
        for decided in (True, False)
    )
