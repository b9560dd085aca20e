"""The event digest is byte for byte the canonical JSON of the event, hashed.

Chains written by earlier versions are verified against it, so the digest must agree
with plain ``json.dumps`` of the whole array for every event content of schemas 1 to 3,
and, from schema 4, with the written canonical form: RFC 8785 for the values the audit
holds (checked against the ``rfc8785`` reference implementation).
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from typing import Any, ClassVar

import pytest
import rfc8785
from hypothesis import given
from hypothesis import strategies as st

from secretarial import Actor, AuditEvent, Entity, EntityKind, ValidationError, Workflow
from secretarial.kernel import (
    CANONICAL_SINCE,
    EVENT_SCHEMA,
    SAFE_INTEGER,
    CreationSpec,
    LabeledEnum,
    WorkflowTable,
    canonical_json,
    event_digest,
)
from secretarial.testing import strategies as sst

SCHEMA_1_NAMES = {"secret": "confidential", "confidential": "secret"}
"""Classification identifiers under event schema 1 and today (they were exchanged)."""


def as_schema_1(value: Any) -> Any:
    """A JSON value with the classifications it names written as schema 1 wrote them."""
    if isinstance(value, dict):
        return {
            k: SCHEMA_1_NAMES.get(v, v)
            if k in ("classification", "clearance") and isinstance(v, str)
            else as_schema_1(v)
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [as_schema_1(v) for v in value]
    return value


def reference_digest(**fields: Any) -> str:
    """The digest as specified: ``json.dumps`` of the whole content array.

    Schema 1 hashed eleven parts, classifications under their names of that time;
    schema 2 adds the version as a twelfth.
    """
    schema = fields.pop("schema_version", EVENT_SCHEMA)
    actor: Actor = fields["actor"]
    unit = None if actor.unit is None else (actor.unit.code, actor.unit.name)
    clearance = str(actor.clearance)
    payload = fields["payload"]
    if schema == 1:
        clearance = SCHEMA_1_NAMES.get(clearance, clearance)
        payload = as_schema_1(payload)
    content: tuple[Any, ...] = (
        str(fields["entity_kind"]),
        fields["entity_id"],
        fields["version"],
        fields["trigger"],
        fields["source"],
        str(fields["target"]),
        (actor.id, actor.name, sorted(actor.roles), clearance, unit),
        fields["at"].isoformat(),
        fields["reason"],
        payload,
        fields["previous_hash"],
    )
    if schema != 1:
        content = (*content, schema)
    text = json.dumps(content, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def rfc8785_digest(**fields: Any) -> str:
    """The digest of a schema 4 event as RFC 8785 canonicalises its content."""
    actor: Actor = fields["actor"]
    unit = None if actor.unit is None else [actor.unit.code, actor.unit.name]
    content = [
        str(fields["entity_kind"]),
        fields["entity_id"],
        fields["version"],
        fields["trigger"],
        fields["source"],
        str(fields["target"]),
        [actor.id, actor.name, sorted(actor.roles), str(actor.clearance), unit],
        fields["at"].isoformat(),
        fields["reason"],
        fields["payload"],
        fields["previous_hash"],
        fields["schema_version"],
    ]
    return hashlib.sha256(rfc8785.dumps(content)).hexdigest()


texts = st.text(st.characters(codec="utf-8"), max_size=12)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | texts,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(texts, inner, max_size=4),
    max_leaves=12,
)


bmp_texts = st.text(st.characters(codec="utf-8", max_codepoint=0xFFFF), max_size=12)
canonical_values = st.recursive(
    st.none() | st.booleans() | st.integers(-SAFE_INTEGER, SAFE_INTEGER) | texts,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(bmp_texts, inner, max_size=4),
    max_leaves=12,
)
"""What a schema 4 payload holds. Keys stay within the Basic Multilingual Plane, where
sorting by code point (the canonical form) and by UTF-16 unit (RFC 8785) agree."""

contents = st.fixed_dictionaries(
    {
        "entity_kind": st.sampled_from(list(EntityKind)),
        "entity_id": texts,
        "version": st.integers(min_value=1, max_value=10**12),
        "trigger": texts,
        "source": st.none() | texts,
        "target": texts,
        "actor": sst.actors(),
        "at": sst.moments(),
        "reason": st.none() | texts,
        "payload": st.dictionaries(texts, json_values, max_size=5),
        "previous_hash": st.none() | st.text("0123456789abcdef", min_size=64, max_size=64),
        "schema_version": st.integers(min_value=1, max_value=CANONICAL_SINCE - 1),
    }
)
canonical_contents = contents.map(lambda fields: fields).flatmap(
    lambda fields: st.fixed_dictionaries(
        {
            "payload": st.dictionaries(bmp_texts, canonical_values, max_size=5),
            "schema_version": st.integers(min_value=CANONICAL_SINCE, max_value=EVENT_SCHEMA),
        }
    ).map(lambda update: {**fields, **update})
)


@given(contents)
def test_digest_equals_json_dumps_of_the_whole_content(fields: dict[str, Any]) -> None:
    """Up to schema 3, every payload (floats too) is hashed as json.dumps wrote it."""
    assert event_digest(**fields) == reference_digest(**fields)


@given(canonical_contents)
def test_from_schema_4_the_digest_is_rfc_8785_and_json_dumps(fields: dict[str, Any]) -> None:
    """For what a schema 4 event holds, the canonical form is RFC 8785's and the old bytes."""
    assert event_digest(**fields) == rfc8785_digest(**fields)
    assert event_digest(**fields) == reference_digest(**fields)


@pytest.mark.parametrize(
    ("payload", "field", "rule"),
    [
        ({"amount": 12.5}, "payload.amount", "canonical_json"),
        ({"rows": [1, 2**53]}, "payload.rows.1", "canonical_json"),
        ({"note": "\ud800"}, "payload.note", "unicode_text"),
        ({"by": {1: "x"}}, "payload.by", "canonical_json"),
    ],
)
def test_a_schema_4_event_refuses_what_the_canonical_form_cannot_hold(
    payload: dict[str, Any], field: str, rule: str
) -> None:
    with pytest.raises(ValidationError) as refused:
        AuditEvent.sealed(**{**KNOWN, "payload": payload})
    assert [(p.field, p.rule) for p in refused.value.problems] == [(field, rule)]
    assert refused.value.problems[0].accepted


def test_the_canonical_form_names_a_value_it_cannot_hold() -> None:
    assert canonical_json({"b": [1, None, True], "a": '引号"\n'}) == (
        '{"a":"引号\\"\\n","b":[1,null,true]}'.encode()
    )
    with pytest.raises(ValidationError) as refused:
        canonical_json(["\udfff"])
    assert refused.value.problems[0].rule == "canonical_json"


@given(contents)
def test_an_event_of_each_schema_is_hashed_as_that_schema_wrote_it(fields: dict[str, Any]) -> None:
    """Hashes differ between schemas: an event cannot be passed off as another version's."""
    fields = {**fields, "payload": {**fields["payload"], "classification": "secret"}}
    first = event_digest(**{**fields, "schema_version": 1})
    second = event_digest(**{**fields, "schema_version": 2})
    assert first != second
    assert first == reference_digest(**{**fields, "schema_version": 1})


def test_an_actor_is_written_from_its_own_content() -> None:
    """Two actors equal but for their name never share a text."""
    base: dict[str, Any] = {
        "entity_kind": EntityKind.INCOMING_DOCUMENT,
        "entity_id": "d1",
        "version": 1,
        "trigger": "receive",
        "source": None,
        "target": "received",
        "at": datetime.fromisoformat("2025-01-02T03:04:05+08:00"),
        "reason": None,
        "payload": {"title": "通知"},
        "previous_hash": None,
    }
    first = Actor(id="a", name="甲")
    second = Actor(id="a", name="乙")
    assert event_digest(**base, actor=first) != event_digest(**base, actor=second)
    for actor in (first, second, first):
        assert event_digest(**base, actor=actor) == reference_digest(**base, actor=actor)


KNOWN: dict[str, Any] = {
    "entity_kind": EntityKind.SUPERVISION_ITEM,
    "entity_id": "item-1",
    "version": 2,
    "trigger": "report_progress",
    "source": "in_progress",
    "target": "in_progress",
    "actor": Actor(id="u1", name="承办人", roles=frozenset({"undertaker"})),
    "at": datetime.fromisoformat("2025-09-26T09:00:00+08:00"),
    "reason": None,
    "payload": {"text": "已完成第一阶段排查"},
    "previous_hash": "0" * 64,
}


@pytest.mark.parametrize(
    ("schema", "expected"),
    [
        (3, "569bd81c185b95b44e14a8cd886dc9cfac6c2bcc01394345c1821ff7532d787c"),
        (4, "7fb0d1ee3aa1aa8b016f86643516040b7a980f3370fe67e950991184cce606a0"),
    ],
)
def test_a_sealed_event_of_a_known_content_keeps_its_hash(schema: int, expected: str) -> None:
    """A fixed event's hash, as written by every version of the library."""
    event = AuditEvent.sealed(**KNOWN, schema_version=schema)
    assert event.hash == reference_digest(
        **{k: getattr(event, k) for k in _CONTENT}, schema_version=schema
    )
    assert event.hash == expected
    assert event.is_sealed


_CONTENT = (
    "entity_kind",
    "entity_id",
    "version",
    "trigger",
    "source",
    "target",
    "actor",
    "at",
    "reason",
    "payload",
    "previous_hash",
)


class ParcelKind(LabeledEnum):
    PARCEL = "parcel", "包裹"


class ParcelState(LabeledEnum):
    RECEIVED = "received", "签收"


class Parcel(Entity):
    """A plugin's entity with a float field: its creation cannot be sealed under schema 4."""

    entity_kind: ClassVar[LabeledEnum] = ParcelKind.PARCEL
    terminal_states: ClassVar[frozenset[str]] = frozenset({"received"})
    state: ParcelState = ParcelState.RECEIVED
    weight_kg: float = 0.0


PARCELS = Workflow(
    WorkflowTable(
        name="parcel",
        entity_type=Parcel,
        states=ParcelState,
        creation=CreationSpec("receive", ParcelState.RECEIVED, frozenset({"clerk"})),
        transitions=(),
    )
)


def test_a_float_in_an_input_is_refused_naming_the_field() -> None:
    clerk = Actor(id="c", name="C", roles=frozenset({"clerk"}))
    at = datetime.fromisoformat("2026-12-01T09:00:00+08:00")
    with pytest.raises(ValidationError) as refused:
        PARCELS.create({"weight_kg": 1.5}, entity_id="p1", actor=clerk, now=at)
    assert [(p.field, p.rule) for p in refused.value.problems] == [
        ("payload.weight_kg", "canonical_json")
    ]
    _, event = PARCELS.create({}, entity_id="p1", actor=clerk, now=at)
    assert event.is_sealed  # a default is not in the payload
