"""The event digest is byte for byte the canonical JSON of the event, hashed.

Chains written by earlier versions are verified against it, so the writer that builds
the canonical text piece by piece must agree with plain ``json.dumps`` of the whole
array for every event content.
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from secretarial import Actor, AuditEvent, EntityKind
from secretarial.kernel import EVENT_SCHEMA, event_digest
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


texts = st.text(st.characters(codec="utf-8"), max_size=12)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | texts,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(texts, inner, max_size=4),
    max_leaves=12,
)


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
        "schema_version": st.integers(min_value=1, max_value=EVENT_SCHEMA),
    }
)


@given(contents)
def test_digest_equals_json_dumps_of_the_whole_content(fields: dict[str, Any]) -> None:
    assert event_digest(**fields) == reference_digest(**fields)


@given(contents)
def test_an_event_of_each_schema_is_hashed_as_that_schema_wrote_it(fields: dict[str, Any]) -> None:
    """Hashes differ between schemas: an event cannot be passed off as another version's."""
    fields = {**fields, "payload": {**fields["payload"], "classification": "secret"}}
    first = event_digest(**{**fields, "schema_version": 1})
    second = event_digest(**{**fields, "schema_version": 2})
    assert first != second
    assert first == reference_digest(**{**fields, "schema_version": 1})


def test_an_actor_seen_before_is_written_from_its_own_content() -> None:
    """Two actors equal but for their name never share a cached text."""
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


def test_a_sealed_event_of_a_known_content_keeps_its_hash() -> None:
    """A fixed event's hash, as written by every version of the library."""
    event = AuditEvent.sealed(
        entity_kind=EntityKind.SUPERVISION_ITEM,
        entity_id="item-1",
        version=2,
        trigger="report_progress",
        source="in_progress",
        target="in_progress",
        actor=Actor(id="u1", name="承办人", roles=frozenset({"undertaker"})),
        at=datetime.fromisoformat("2025-09-26T09:00:00+08:00"),
        reason=None,
        payload={"text": "已完成第一阶段排查"},
        previous_hash="0" * 64,
    )
    assert event.hash == reference_digest(**{k: getattr(event, k) for k in _CONTENT})
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
