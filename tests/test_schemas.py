"""JSON Schemas for hosts: every entity, every trigger's input, every register row."""

from __future__ import annotations

import jsonschema
import pytest

from conftest import CLERK, DIRECTOR, receive_notice
from secretarial import Office


@pytest.fixture(scope="module")
def schemas() -> dict[str, dict[str, object]]:
    return Office.in_memory().json_schemas()


def test_every_schema_is_a_valid_json_schema(schemas: dict[str, dict[str, object]]) -> None:
    found = [
        *schemas["entities"].values(),
        *(s for by_trigger in schemas["inputs"].values() for s in by_trigger.values()),  # type: ignore[union-attr]
        *schemas["registers"].values(),
    ]
    assert len(found) > 40
    for schema in found:
        jsonschema.Draft202012Validator.check_schema(schema)


def test_the_kinds_the_triggers_and_the_registers_are_all_there(
    schemas: dict[str, dict[str, object]],
) -> None:
    office = Office.in_memory()
    assert set(schemas["entities"]) == {str(k) for k in office.registry.entity_types}
    assert set(schemas["registers"]) >= {"incoming", "outgoing", "ledger", "catalogue"}
    incoming = schemas["inputs"]["incoming_document"]
    assert {"propose", "approve"} <= set(incoming)  # type: ignore[arg-type]
    assert "screen" not in incoming  # type: ignore[operator]  # takes no input


def test_what_the_office_writes_fits_its_schemas(schemas: dict[str, dict[str, object]]) -> None:
    office = Office.in_memory()
    doc = receive_notice(office, "关于开展安全检查的通知")
    doc = office.fire(doc, "register", by=CLERK)
    doc = office.fire(doc, "screen", by=CLERK)
    jsonschema.validate(doc.model_dump(mode="json"), schemas["entities"]["incoming_document"])
    proposal = {"handling_type": "for_reading"}
    jsonschema.validate(proposal, schemas["inputs"]["incoming_document"]["propose"])  # type: ignore[index]
    office.fire(doc, "propose", by=DIRECTOR, **proposal)
    register = office.register("incoming")
    (row,) = register.rows
    record = dict(zip([c.key for c in register.columns], row, strict=True))
    jsonschema.validate(record, schemas["registers"]["incoming"])
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({**record, "extra": 1}, schemas["registers"]["incoming"])
