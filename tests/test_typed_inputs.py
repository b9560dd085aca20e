"""The creating verbs' typed inputs are the models' fields: one source for both.

``scripts/gen_typed_inputs.py`` writes each area's ``_fields.py`` from the models; these
tests fail when a written file is not what it would write now, and show that what the
type checker is told is what validation accepts.
"""

from __future__ import annotations

import sys
import typing
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from conftest import CLERK, SUPERIOR
from secretarial import IncomingDocument, Office, ValidationError
from secretarial.documents._fields import IncomingDocumentFields

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def script() -> ModuleType:
    sys.path.insert(0, str(ROOT / "scripts"))
    try:
        import gen_typed_inputs  # noqa: PLC0415 -- a script, imported on demand
    finally:
        sys.path.remove(str(ROOT / "scripts"))
    return gen_typed_inputs


def test_every_fields_module_is_current(script: ModuleType) -> None:
    written = list(script.written())
    assert written
    for path, text in written:
        assert path.read_text(encoding="utf-8") == text, (
            f"{path.relative_to(ROOT)} is out of date: run python scripts/gen_typed_inputs.py"
        )


def test_each_typed_dict_names_the_fields_a_creation_takes(script: ModuleType) -> None:
    """Every field a caller may give and no other; required where validation requires it.

    That is where the model requires it, and where a rule refuses the None it defaults to
    (a call record's elements, R1).
    """
    from secretarial._registry import workflow_for  # noqa: PLC0415
    from secretarial.kernel._workflow import _SYSTEM_FIELDS  # noqa: PLC0415

    for entity in script.CREATED:
        home = script.area_of(entity)
        fields = getattr(
            __import__(f"secretarial.{home}._fields", fromlist=["_"]), f"{entity.__name__}Fields"
        )
        creation = workflow_for(entity.entity_kind).table.creation
        left_out = _SYSTEM_FIELDS | creation.managed | script.SET_BY_THE_DESK.get(entity, set())
        model = {n: f for n, f in entity.model_fields.items() if n not in left_out}
        assert set(fields.__annotations__) == set(model), entity.__name__
        required = {n for n, f in model.items() if script.required(f)}
        assert fields.__required_keys__ == required, entity.__name__


def test_the_values_a_typed_dict_allows_are_what_the_model_accepts() -> None:
    """Each enumeration's Literal lists exactly the values the model takes."""
    hints = typing.get_type_hints(IncomingDocumentFields)
    kind_values = {
        a
        for part in typing.get_args(hints["kind"])
        for a in typing.get_args(part)
        if isinstance(a, str)
    }
    office = Office.in_memory()
    fields: dict[str, Any] = {
        "title": "来文",
        "sender": SUPERIOR,
        "channel": "paper",
        "received_at": office.now(),
    }
    for value in sorted(kind_values):
        doc = office.documents.receive(by=CLERK, kind=value, **fields)  # type: ignore[misc]
        assert isinstance(doc, IncomingDocument)
    with pytest.raises(ValidationError) as refused:
        office.documents.receive(by=CLERK, kind="notic", **fields)  # type: ignore[misc]
    assert refused.value.fields == ("kind",)


def test_a_field_a_rule_requires_is_required(script: ModuleType) -> None:
    """R1's elements default to None only so that R1 names them; the caller gives them."""
    from secretarial import CallRecord  # noqa: PLC0415

    assert script.required(CallRecord.model_fields["recorder"])
    assert not script.required(CallRecord.model_fields["result"])
    schema = Office.in_memory().json_schemas()["entities"]["call_record"]
    assert {"called_at", "caller", "matter", "measures", "recorder"} <= set(schema["required"])
    assert "default" not in schema["properties"]["recorder"]
    assert schema["properties"]["result"]["default"] is None  # optional, and may be null
