"""The public front: exported names, their module path, and a cheap import."""

from __future__ import annotations

import subprocess
import sys

import secretarial
import secretarial.errors


def test_all_is_sorted_and_complete() -> None:
    """``__all__`` lists exactly the public names the package defines, sorted."""
    public = {
        name
        for name, value in vars(secretarial).items()
        if not name.startswith("_") and not isinstance(value, type(secretarial))
    }
    assert secretarial.__all__ == sorted(secretarial.__all__)
    assert set(secretarial.__all__) == public


def test_public_classes_report_the_public_module() -> None:
    """Tracebacks and docs show ``secretarial.X``, never a private module."""
    for name in secretarial.__all__:
        obj = getattr(secretarial, name)
        if isinstance(obj, type):
            assert obj.__module__ == "secretarial", name


def test_every_error_is_a_secretarial_error_with_a_code() -> None:
    """One exception tree, each class with its own stable code but one.

    ``AccessDenied`` shares ``NotFound``'s code: a hidden entity is said to be missing.
    """
    classes = [
        getattr(secretarial.errors, n)
        for n in secretarial.errors.__all__
        if isinstance(getattr(secretarial.errors, n), type)
        and issubclass(getattr(secretarial.errors, n), Exception)
    ]
    assert all(issubclass(c, secretarial.SecretarialError) for c in classes)
    codes = [c.code for c in classes if c is not secretarial.AccessDenied]
    assert len(codes) == len(set(codes))
    assert secretarial.AccessDenied.code == secretarial.NotFound.code
    assert issubclass(secretarial.AccessDenied, secretarial.NotFound)
    assert issubclass(secretarial.NotFound, LookupError)
    assert issubclass(secretarial.ValidationError, ValueError)
    assert issubclass(secretarial.AccessDenied, PermissionError)
    assert not issubclass(secretarial.TransitionNotAllowed, secretarial.UsageError)


def test_the_error_tree_is_drawn_in_the_module_docstring() -> None:
    """Every error class appears in the tree drawn in ``secretarial.errors``."""
    doc = secretarial.errors.__doc__ or ""
    for name in secretarial.errors.__all__:
        if name[0].isupper() and name != "FieldProblem":
            assert name in doc, name


def test_import_pulls_in_no_optional_heavyweights() -> None:
    """``import secretarial`` loads neither SQLAlchemy, hypothesis, icalendar, rich nor typer."""
    code = (
        "import sys, secretarial, secretarial.testing;"
        "heavy = {'sqlalchemy', 'hypothesis', 'icalendar', 'rich', 'typer', 'pluggy',"
        " 'chinese_calendar', 'holidays', 'IPython', 'pandas'};"
        "print(sorted(heavy & {m.split('.')[0] for m in sys.modules}))"
    )
    out = subprocess.run(  # noqa: S603 -- our own interpreter running a literal
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "[]"
