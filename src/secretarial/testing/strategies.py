"""Hypothesis strategies for every public model, for testing code that embeds the library.

Each strategy draws only valid values: field dicts that :class:`~secretarial.Office`
accepts as they are, and entities as the office itself would have created them.

>>> from hypothesis import given
>>> from secretarial.testing import memory_office
>>> from secretarial.testing import strategies as sst
>>> @given(sst.incoming_fields())
... def test_receive(fields):
...     office, _ = memory_office()
...     assert office.documents.receive(by=sst.CLERK, **fields).version == 1
>>> test_receive()

Importing this module needs ``hypothesis`` (a test dependency, not a library one).
"""

from __future__ import annotations

import importlib
import itertools
from datetime import UTC, date, datetime, timedelta
from typing import Any

from hypothesis import strategies as st

from secretarial._registry import builtin_registry, workflow_for
from secretarial.documents._enums import Channel, DocumentKind
from secretarial.documents._model import IncomingDocument, OutgoingDocument
from secretarial.errors import UsageError
from secretarial.kernel._area import Registry
from secretarial.kernel._enums import Classification, EntityKind, OrganRelation, Role, Urgency
from secretarial.kernel._values import Actor, Attachment, DocumentNumber, Organ, Unit
from secretarial.supervision._enums import ReportCycle, SupervisionSource
from secretarial.supervision._model import SupervisionItem

__all__ = [
    "CLERK",
    "DRAFTER",
    "SUPERVISOR",
    "actors",
    "attachments",
    "classified",
    "document_numbers",
    "fields_for",
    "incoming_documents",
    "incoming_fields",
    "meeting_fields",
    "moments",
    "names",
    "organs",
    "outgoing_documents",
    "outgoing_fields",
    "supervision_fields",
    "supervision_items",
    "titles",
    "units",
]

CLERK = Actor(
    id="clerk", name="文书", roles=frozenset({Role.CLERK}), clearance=Classification.TOP_SECRET
)
"""A clerk cleared for everything: receives whatever :func:`incoming_fields` draws."""
DRAFTER = Actor(
    id="drafter",
    name="拟稿人",
    roles=frozenset({Role.DRAFTER}),
    clearance=Classification.TOP_SECRET,
)
"""A drafter cleared for everything."""
SUPERVISOR = Actor(
    id="supervisor",
    name="督查员",
    roles=frozenset({Role.SUPERVISOR}),
    clearance=Classification.TOP_SECRET,
)
"""A supervisor cleared for everything."""

_ALPHABET = (
    "关于开展安全检查工作的通知报告请示函会议纪要市政府办公室教育局综合科秘书ABCXYZabc0123456789"
)
_CODE_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
_ORGAN_CODE_ALPHABET = "国办发函市政教委区县"


def names(min_size: int = 1, max_size: int = 20) -> st.SearchStrategy[str]:
    """Short non-empty names (Chinese and ASCII, no leading or trailing space)."""
    return st.text(_ALPHABET, min_size=min_size, max_size=max_size)


def titles() -> st.SearchStrategy[str]:
    """Document titles."""
    return st.text(_ALPHABET + "（）、", min_size=1, max_size=60)


def moments(
    start: datetime = datetime(2024, 1, 1, tzinfo=UTC),
    end: datetime = datetime(2026, 12, 31, tzinfo=UTC),
) -> st.SearchStrategy[datetime]:
    """Timezone-aware moments between ``start`` and ``end`` (UTC, whole seconds)."""
    span = int((end - start).total_seconds())
    return st.integers(0, span).map(lambda s: start + timedelta(seconds=s))


def actors(
    roles: st.SearchStrategy[frozenset[str]] | None = None,
    clearance: st.SearchStrategy[Classification] | None = None,
) -> st.SearchStrategy[Actor]:
    """Actors with ids, names, roles and a clearance."""
    return st.builds(
        Actor,
        id=st.text(_CODE_ALPHABET.lower(), min_size=1, max_size=12),
        name=names(),
        roles=roles if roles is not None else st.frozensets(st.sampled_from(list(Role))),
        clearance=clearance if clearance is not None else st.sampled_from(list(Classification)),
    )


def units() -> st.SearchStrategy[Unit]:
    """Units (departments) of the office."""
    return st.builds(Unit, code=st.text(_CODE_ALPHABET, min_size=1, max_size=6), name=names())


def organs(relation: OrganRelation | None = None) -> st.SearchStrategy[Organ]:
    """Other organs, of any relation to the office unless one is given."""
    return st.builds(
        Organ,
        code=st.text(_CODE_ALPHABET, min_size=1, max_size=8),
        name=names(),
        relation=st.just(relation)
        if relation is not None
        else st.sampled_from(list(OrganRelation)),
    )


def attachments() -> st.SearchStrategy[tuple[Attachment, ...]]:
    """An attachment list, numbered 1, 2, 3 ... (D2)."""
    return st.lists(st.tuples(names(), st.one_of(st.none(), st.integers(1, 200))), max_size=5).map(
        lambda items: tuple(
            Attachment(sequence=i, name=n, pages=p) for i, (n, p) in enumerate(items, start=1)
        )
    )


def document_numbers() -> st.SearchStrategy[DocumentNumber]:
    """Document numbers of the D6 form (``国办发〔2012〕14号``)."""
    return st.builds(
        DocumentNumber,
        organ_code=st.text(_ORGAN_CODE_ALPHABET, min_size=1, max_size=5),
        year=st.integers(1949, 2099),
        sequence=st.integers(1, 99_999),
    )


def classified() -> st.SearchStrategy[dict[str, Any]]:
    """The classification fields of a document: none, or a level with a valid period (D3, D4)."""
    level = st.sampled_from(list(Classification))

    def fields(c: Classification) -> st.SearchStrategy[dict[str, Any]]:
        if c is Classification.UNCLASSIFIED:
            return st.just({})
        maximum = c.max_secrecy_years or 10
        return st.fixed_dictionaries(
            {
                "classification": st.just(c),
                "secrecy_period_years": st.integers(1, maximum),
                "copy_number": st.integers(1, 999_999).map(lambda n: f"{n:06d}"),
            }
        )

    return level.flatmap(fields)


def incoming_fields() -> st.SearchStrategy[dict[str, Any]]:
    """The fields of :meth:`office.documents.receive` for a valid incoming document."""
    base = st.fixed_dictionaries(
        {
            "kind": st.sampled_from(list(DocumentKind)),
            "title": titles(),
            "sender": organs(),
            "channel": st.sampled_from(list(Channel)),
            "received_at": moments(),
        },
        optional={
            "urgency": st.sampled_from([Urgency.URGENT, Urgency.EXTRA_URGENT]),
            "number": document_numbers(),
            "body": st.text(_ALPHABET + "，。\n", min_size=1, max_size=200)
            .map(str.strip)
            .filter(bool),
            "attachments": attachments(),
            "page_count": st.integers(1, 300),
            "date_of_issue": st.dates(date(2000, 1, 1), date(2026, 12, 31)),
        },
    )
    return st.tuples(base, classified()).map(lambda pair: {**pair[0], **pair[1]})


def outgoing_fields() -> st.SearchStrategy[dict[str, Any]]:
    """The fields of :meth:`documents.draft` for a valid draft (requests and reports obey D11)."""

    def shaped(kind: DocumentKind) -> st.SearchStrategy[dict[str, Any]]:
        recipients: st.SearchStrategy[tuple[Organ, ...]]
        if kind is DocumentKind.REQUEST:
            recipients = organs(OrganRelation.SUPERIOR).map(lambda o: (o,))
            requests: st.SearchStrategy[tuple[str, ...]] = names().map(lambda r: (r,))
        else:
            recipients = st.lists(organs(), max_size=3).map(tuple)
            requests = st.just(())
        return st.fixed_dictionaries(
            {
                "kind": st.just(kind),
                "title": titles(),
                "issuer_code": st.text(_ORGAN_CODE_ALPHABET, min_size=1, max_size=5),
                "main_recipients": recipients,
                "requests": requests,
            },
            optional={"body": titles(), "important": st.booleans(), "drafting_unit": units()},
        )

    drafts = st.sampled_from(list(DocumentKind)).flatmap(shaped)
    return st.tuples(drafts, classified()).map(
        lambda pair: {**pair[0], **{k: v for k, v in pair[1].items() if k != "copy_number"}}
    )


def supervision_fields() -> st.SearchStrategy[dict[str, Any]]:
    """The fields of :meth:`office.supervision.open` for a valid supervision item (S1)."""
    return st.fixed_dictionaries(
        {
            "source": st.sampled_from(list(SupervisionSource)),
            "requirement": titles(),
            "received_at": moments(),
        },
        optional={
            "instructed_by": names(max_size=8),
            "reply_required": titles(),
            "report_cycle": st.sampled_from(list(ReportCycle)),
            "deadline": st.dates(date(2024, 1, 1), date(2027, 12, 31)),
            "lead_unit": units(),
        },
    )


def meeting_fields(
    after: datetime = datetime(2025, 9, 26, 1, tzinfo=UTC),
) -> st.SearchStrategy[dict[str, Any]]:
    """The fields of :meth:`office.meetings.plan` for a one-off meeting starting after ``after``.

    Meetings are planned for a time to come (rule M4): pass the office clock's time;
    the default is when :func:`secretarial.testing.memory_office` starts.
    """

    def fields(start: datetime, hours: int) -> st.SearchStrategy[dict[str, Any]]:
        person = st.fixed_dictionaries(
            {"actor_id": st.text("abcxyz", min_size=1, max_size=6), "name": names(max_size=6)}
        )
        return st.fixed_dictionaries(
            {
                "meeting_kind": st.just("office"),
                "title": titles(),
                "organizer": person,
                "attendees": st.lists(
                    person, min_size=1, max_size=4, unique_by=lambda p: p["actor_id"]
                ),
                "room": names(max_size=8),
                "start": st.just(start),
                "end": st.just(start + timedelta(hours=hours)),
                "timezone": st.just("Asia/Shanghai"),
                "agenda": st.lists(
                    st.fixed_dictionaries({"topic": names()}), min_size=1, max_size=3
                ),
            }
        )

    starts = moments(after + timedelta(hours=1), after + timedelta(days=365))
    return st.tuples(starts, st.integers(1, 4)).flatmap(lambda t: fields(*t))


_ids = itertools.count(1)


def _created(kind: EntityKind, fields: dict[str, Any], actor: Actor) -> Any:
    workflow = workflow_for(kind)
    at = fields.get("received_at", datetime(2025, 9, 26, 1, tzinfo=UTC))
    entity, _ = workflow.create(fields, entity_id=f"{kind.value}-{next(_ids)}", actor=actor, now=at)
    return entity


def incoming_documents() -> st.SearchStrategy[IncomingDocument]:
    """Incoming documents as the office creates them on ``receive`` (version 1)."""
    return incoming_fields().map(lambda f: _created(EntityKind.INCOMING_DOCUMENT, f, CLERK))


def outgoing_documents() -> st.SearchStrategy[OutgoingDocument]:
    """Outgoing drafts as the office creates them on ``draft`` (version 1)."""
    return outgoing_fields().map(lambda f: _created(EntityKind.OUTGOING_DOCUMENT, f, DRAFTER))


def supervision_items() -> st.SearchStrategy[SupervisionItem]:
    """Supervision items as the office creates them on ``open`` (version 1)."""
    return supervision_fields().map(lambda f: _created(EntityKind.SUPERVISION_ITEM, f, SUPERVISOR))


def fields_for(kind: str, registry: Registry | None = None) -> st.SearchStrategy[dict[str, Any]]:
    """Valid creation fields for ``kind``, from the strategy its area names.

    Args:
        kind: The kind (or one of its names).
        registry: Where the kind's area is found; the built-in areas if omitted (pass
            ``office.registry`` for a plugin's kinds).

    Raises:
        UsageError: The area names no strategy, or its strategy cannot be loaded.
    """
    area = (registry if registry is not None else builtin_registry()).area(kind)
    if area.strategy is None:
        raise UsageError(f"the area {area.kind.value!r} names no test strategy")
    module, _, function = area.strategy.partition(":")
    try:
        factory = getattr(importlib.import_module(module), function)
    except (ImportError, AttributeError) as e:
        raise UsageError(
            f"the strategy {area.strategy!r} of the area {area.kind.value!r} cannot be loaded: {e}"
        ) from e
    strategy: st.SearchStrategy[dict[str, Any]] = factory()
    return strategy
