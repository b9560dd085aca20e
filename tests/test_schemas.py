"""JSON Schemas for hosts: every entity, every trigger's input, every register row."""

from __future__ import annotations

import json

import jsonschema
import pydantic
import pytest

from conftest import CLERK, DIRECTOR, receive_notice
from secretarial import Office, OutgoingDocument, ValidationError
from secretarial.kernel import stored_json


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


# ---------------------------------------------------------------------------- the entity union
def test_every_entity_dumps_its_kind_and_reads_back_as_its_class(
    demo_week: Office, schemas: dict[str, dict[str, object]]
) -> None:
    office = demo_week
    entities = list(office.list())
    kinds = {e.kind_name for e in entities}
    assert len(kinds) >= 5  # documents both ways, items, meetings, records
    validator = jsonschema.Draft202012Validator(schemas["entity"])
    for entity in entities:
        text = entity.model_dump_json()
        dumped = entity.model_dump(mode="json")
        assert dumped["entity_kind"] == str(entity.entity_kind)
        validator.validate(dumped)
        again = office.entity_from_json(text)
        assert type(again) is type(entity)
        assert again == entity
        assert office.entity_adapter().validate_python(dumped) == entity
        assert type(entity).model_validate_json(text) == entity  # the class takes its kind
        assert type(entity).model_validate_json(stored_json(entity)) == entity  # as stored


def test_the_union_has_a_branch_per_kind(schemas: dict[str, dict[str, object]]) -> None:
    union = schemas["entity"]
    jsonschema.Draft202012Validator.check_schema(union)
    assert len(union["oneOf"]) == len(Office.in_memory().registry.entity_types)  # type: ignore[arg-type]


def test_a_kind_that_is_not_the_office_s_is_refused() -> None:
    office = Office.in_memory()
    doc = receive_notice(office, "关于开展安全检查的通知")
    dumped = doc.model_dump(mode="json")
    for kind in ("letter", None):
        text = json.dumps({**dumped, "entity_kind": kind}, ensure_ascii=False)
        with pytest.raises(ValidationError) as refused:
            office.entity_from_json(text)
        assert refused.value.fields == ("entity_kind",)
        assert "incoming_document" in str(refused.value)  # the kinds it runs are listed
    with pytest.raises(pydantic.ValidationError, match="entity_kind 'incoming_document' is not"):
        OutgoingDocument.model_validate(dumped)  # another kind's dump


def test_registers_are_models_too(schemas: dict[str, dict[str, object]]) -> None:
    office = Office.in_memory()
    office.fire(receive_notice(office, "关于开展安全检查的通知"), "register", by=CLERK)
    register = office.register("incoming")
    model = register.row_model()
    assert model is office.register("incoming").row_model()  # made once per columns
    (row,) = register.models()
    assert isinstance(row, model)
    assert row.model_dump() == register.records()[0]
    assert model.model_json_schema() == schemas["registers"]["incoming"]
    assert model.model_json_schema()["title"] == "收文登记簿"
    with pytest.raises(pydantic.ValidationError):
        model.model_validate({**register.records()[0], "extra": 1})
