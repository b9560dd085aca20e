"""Write the typed inputs of the creating verbs from the models that validate them.

``office.documents.receive(**fields)`` validates ``fields`` against ``IncomingDocument``;
for a type checker to catch ``titel=`` or ``kind="notic"``, the verb's ``**fields`` is a
``TypedDict`` with the same fields (``Unpack[IncomingDocumentFields]``). This script
derives each such ``TypedDict`` from its model — the fields a caller may give at
creation, required where the model requires them, an enumeration as the enumeration or
its values (``DocumentKind | Literal["notice", ...]``), a nested model as the model or
its own ``TypedDict`` — and writes one ``_fields.py`` per area beside the models. The
models stay the one source: tests/test_typed_inputs.py fails when a written file is not
what this script would write now.

Run ``python scripts/gen_typed_inputs.py`` after changing a model's fields.
"""

from __future__ import annotations

import datetime as dt
import enum
import subprocess
import sys
import types
import typing
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pydantic
from pydantic import BaseModel
from pydantic.fields import FieldInfo

from secretarial import (
    CallRecord,
    IncomingDocument,
    InformationItem,
    Meeting,
    OutgoingDocument,
    ReceptionPlan,
    SupervisionItem,
)
from secretarial._registry import workflow_for
from secretarial.kernel import DocumentNumber, Entity
from secretarial.kernel._workflow import _SYSTEM_FIELDS

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "src" / "secretarial"

CREATED: tuple[type[Entity], ...] = (
    IncomingDocument,
    OutgoingDocument,
    SupervisionItem,
    Meeting,
    CallRecord,
    ReceptionPlan,
    InformationItem,
)
"""The entities the desks' creating verbs make; each gets ``<Name>Fields``."""

SET_BY_THE_DESK: dict[type[Entity], frozenset[str]] = {ReceptionPlan: frozenset({"policy"})}
"""Fields a creating verb sets itself (a reception plan's policy is the office's)."""

ALSO_TEXT: frozenset[type[BaseModel]] = frozenset({DocumentNumber})
"""Models whose validator also takes their text form (``国办发〔2012〕14号``)."""

HEADER = '''"""Typed inputs of the creating verbs{area}: what each model takes, for type checkers.

Written by scripts/gen_typed_inputs.py from the models; do not edit. A test fails when
this file is not what the script writes from the models as they are.
"""

'''


def home_of(cls: type) -> str:
    """The private module that defines ``cls`` (public classes say ``secretarial``)."""
    if cls.__module__.count(".") >= 2:  # noqa: PLR2004
        return cls.__module__
    homes = sorted(
        name
        for name, module in list(sys.modules.items())
        if name.startswith("secretarial.")
        and name.count(".") == 2  # noqa: PLR2004
        and name.rsplit(".", 1)[1].startswith("_")
        and getattr(module, cls.__name__, None) is cls
        and cls.__name__ in getattr(module, "__all__", ())
    )
    if len(homes) != 1:
        raise SystemExit(f"{cls.__qualname__}: defined in {homes or 'no area module'}")
    return homes[0]


def area_of(cls: type) -> str:
    """The package (``documents``, ``kernel`` ...) whose ``_fields.py`` holds ``cls``'s."""
    return home_of(cls).split(".")[1]


@dataclass
class Module:
    """One ``_fields.py`` being written: its imports and its classes, in order."""

    area: str
    typing_names: set[str] = field(default_factory=set)
    imports: dict[str, set[str]] = field(default_factory=dict)
    classes: dict[str, str] = field(default_factory=dict)

    def need(self, module: str, name: str) -> None:
        """Import ``name`` from ``module``."""
        self.imports.setdefault(module, set()).add(name)

    def text(self) -> str:
        """The module's source, before formatting."""
        head = HEADER.format(area=f" ({self.area})")
        imports = {**self.imports, "typing": self.typing_names}
        stdlib = sorted(m for m in imports if not m.startswith("secretarial"))
        ours = sorted(m for m in imports if m.startswith("secretarial"))
        lines = [f"from {m} import {', '.join(sorted(imports[m]))}" for m in stdlib]
        lines.append("")
        lines += [f"from {m} import {', '.join(sorted(imports[m]))}" for m in ours]
        exported = sorted(self.classes)
        body = "\n\n\n".join(self.classes[name] for name in self.classes)
        return (
            head
            + "\n".join(lines).replace("\n\n\n", "\n\n")
            + "\n\n__all__ = ["
            + ", ".join(f'"{n}"' for n in exported)
            + "]\n\n\n"
            + body
            + "\n"
        )


def admits_none(annotation: object) -> bool:
    """Whether ``annotation`` takes None (``X | None``, ``Optional[X]``)."""
    if typing.get_origin(annotation) is typing.Annotated:
        return admits_none(typing.get_args(annotation)[0])
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        return any(admits_none(a) for a in typing.get_args(annotation))
    return annotation is type(None)


def required(info: FieldInfo) -> bool:
    """Whether a caller must give the field.

    Required by the model, or defaulting to None behind a type that refuses None: a
    field a rule checks itself (``Field(default=None, validate_default=True)`` with a
    check that refuses it missing, as R1 does for a call record's elements).
    """
    return info.is_required() or (info.default is None and not admits_none(info.annotation))


class Writer:
    """Renders annotations to source text, writing nested models' ``TypedDict`` on the way."""

    def __init__(self) -> None:
        self.modules: dict[str, Module] = {}
        self.done: set[type[BaseModel]] = set()

    def module(self, area: str) -> Module:
        """The module of ``area``."""
        return self.modules.setdefault(area, Module(area))

    def ref(self, into: Module, cls: type) -> str:
        """The name of ``cls`` in ``into``, imported from its own module."""
        into.need(home_of(cls), cls.__name__)
        return cls.__name__

    def fields_ref(self, into: Module, model: type[BaseModel]) -> str:
        """The name of ``model``'s ``TypedDict`` in ``into``, written if not yet."""
        self.typed_dict(model)
        name = f"{model.__name__}Fields"
        home = area_of(model)
        if home != into.area:
            into.need(f"secretarial.{home}._fields", name)
        return name

    def render(self, into: Module, annotation: object) -> str:  # noqa: C901, PLR0911, PLR0912
        """``annotation`` as a type a caller's value must have, in ``into``."""
        origin = typing.get_origin(annotation)
        if origin is typing.Annotated:
            return self.render(into, typing.get_args(annotation)[0])
        if origin in (typing.Union, types.UnionType):
            parts = [self.render(into, a) for a in typing.get_args(annotation)]
            return " | ".join(dict.fromkeys(parts))
        if annotation is type(None):
            return "None"
        if origin is typing.Literal:
            return "Literal[" + ", ".join(repr(v) for v in typing.get_args(annotation)) + "]"
        if origin in (tuple, list, frozenset, set):
            args = typing.get_args(annotation)
            item = args[0]
            into.need("collections.abc", "Sequence" if origin in (tuple, list) else "Collection")
            kind = "Sequence" if origin in (tuple, list) else "Collection"
            return f"{kind}[{self.render(into, item)}]"
        if origin is dict:
            key, value = typing.get_args(annotation)
            into.need("collections.abc", "Mapping")
            return f"Mapping[{self.render(into, key)}, {self.render(into, value)}]"
        if isinstance(annotation, type):
            if issubclass(annotation, enum.Enum):
                into.typing_names.add("Literal")
                values = ", ".join(repr(m.value) for m in annotation)
                return f"{self.ref(into, annotation)} | Literal[{values}]"
            if issubclass(annotation, BaseModel):
                text = f"{self.ref(into, annotation)} | {self.fields_ref(into, annotation)}"
                return text + (" | str" if annotation in ALSO_TEXT else "")
            if annotation is pydantic.AwareDatetime or issubclass(annotation, dt.datetime):
                into.need("datetime", "datetime")
                return "datetime"
            if issubclass(annotation, dt.date):
                into.need("datetime", "date")
                return "date"
            if issubclass(annotation, dt.timedelta):
                into.need("datetime", "timedelta")
                return "timedelta"
            if annotation in (str, int, bool, float):
                return annotation.__name__
        raise SystemExit(f"no typed input for {annotation!r}; teach gen_typed_inputs.py")

    def typed_dict(
        self, model: type[BaseModel], *, leave_out: frozenset[str] = frozenset()
    ) -> None:
        """Write ``<model>Fields`` into its area's module (once)."""
        if model in self.done:
            return
        self.done.add(model)
        into = self.module(area_of(model))
        into.typing_names.update({"NotRequired", "TypedDict"})
        lines = []
        for name, info in model.model_fields.items():
            if name in leave_out:
                continue
            text = self.render(into, info.annotation)
            if not required(info):
                text = f"NotRequired[{text}]"
            lines.append(f"    {name}: {text}")
        doc = f'    """The fields of ``{model.__name__}`` a caller gives."""'
        into.classes[f"{model.__name__}Fields"] = (
            f"class {model.__name__}Fields(TypedDict):\n{doc}\n\n" + "\n".join(lines)
        )


def formatted(path: Path, text: str) -> str:
    """``text`` as ruff sorts its imports and formats it, with the project's settings."""
    ruff = Path(sys.executable).parent / "ruff"
    tool = str(ruff if ruff.exists() else "ruff")
    for args in (["check", "--select", "I", "--fix-only", "--quiet"], ["format"]):
        text = subprocess.run(  # noqa: S603 -- our own tool on our own text
            [tool, *args, "--stdin-filename", str(path), "-"],
            input=text,
            capture_output=True,
            text=True,
            check=True,
            cwd=ROOT,
        ).stdout
    return text


def written() -> Iterator[tuple[Path, str]]:
    """Every ``_fields.py`` with the text this script writes for it."""
    writer = Writer()
    for entity in CREATED:
        creation = workflow_for(entity.entity_kind).table.creation
        leave_out = _SYSTEM_FIELDS | creation.managed | SET_BY_THE_DESK.get(entity, frozenset())
        writer.typed_dict(entity, leave_out=leave_out)
    for area, module in sorted(writer.modules.items()):
        path = PACKAGE / area / "_fields.py"
        yield path, formatted(path, module.text())
    path = PACKAGE / "inputs.py"
    yield path, formatted(path, public(writer))


def public(writer: Writer) -> str:
    """``secretarial.inputs``: every ``TypedDict``, to annotate a host's own dicts with."""
    lines = [
        '"""The typed inputs of the creating verbs, for annotating the dicts a host builds.',
        "",
        "``fields: IncomingDocumentFields = {...}`` then ``office.documents.receive(by=clerk,",
        "**fields)`` type-checks. Written by scripts/gen_typed_inputs.py; do not edit.",
        '"""',
        "",
    ]
    names = []
    for area, module in sorted(writer.modules.items()):
        lines.append(f"from secretarial.{area}._fields import {', '.join(sorted(module.classes))}")
        names += module.classes
    lines.append("")
    lines.append("__all__ = [" + ", ".join(f'"{n}"' for n in sorted(names)) + "]")
    return "\n".join(lines) + "\n"


def main() -> None:
    """Write the files; with ``--check``, only say which are out of date."""
    check = "--check" in sys.argv[1:]
    stale = []
    for path, text in written():
        if path.exists() and path.read_text(encoding="utf-8") == text:
            continue
        stale.append(path)
        if not check:
            path.write_text(text, encoding="utf-8")
    if check and stale:
        sys.exit("out of date: " + ", ".join(str(p.relative_to(ROOT)) for p in stale))


if __name__ == "__main__":
    main()
