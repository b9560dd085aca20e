"""Idempotency keys: a command retried under the key it was first given runs once.

A host that timed out waiting for a ``POST`` cannot tell whether it was done; it sends it
again with the same key. The store keeps each key with a fingerprint of the command and
the entity it resulted in, written in the command's own transaction: the retry finds it
and is answered with that entity, with no second entity, number or event. A refused
command keeps no key, so it may be tried again under the same one.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import Any, Final, NamedTuple

import orjson
from pydantic_core import to_jsonable_python

from secretarial.errors import FieldProblem, ValidationError

from ._entity import Entity
from ._values import Actor

__all__ = ["MAX_KEY_LENGTH", "Claim", "checked_key", "command_fingerprint"]

MAX_KEY_LENGTH: Final = 200
"""The longest key a store keeps (a UUID is 36 characters)."""
_SHOWN: Final = 60
"""How much of a refused key a message shows."""


class Claim(NamedTuple):
    """What a store holds for a key it has seen: the command's fingerprint and its result.

    Attributes:
        fingerprint: :func:`command_fingerprint` of the command first run under the key.
        entity: The entity that command returned, as it returned it.
    """

    fingerprint: str
    entity: Entity


def checked_key(key: object) -> str:
    """``key`` if it can be an idempotency key: 1 to 200 printable characters.

    Printable leaves out control characters, NUL and lone surrogates, which no store
    could keep as they are.

    Raises:
        ValidationError: naming ``idempotency_key`` and what is accepted.
    """
    if (
        isinstance(key, str)
        and 0 < len(key) <= MAX_KEY_LENGTH
        and key.isprintable()
        and key.strip() == key
    ):
        return key
    shown = repr(key)
    if len(shown) > _SHOWN:
        shown = shown[:_SHOWN] + "..."
    raise ValidationError(
        "command",
        [
            FieldProblem(
                "idempotency_key",
                "idempotency_key",
                f"{shown} is not an idempotency key",
                f"1 to {MAX_KEY_LENGTH} printable characters without surrounding spaces "
                "(a UUID, say)",
            )
        ],
    )


def command_fingerprint(
    command: str,
    target: str,
    actor: Actor,
    data: Mapping[str, Any] | None,
    **more: object,
) -> str:
    """A digest that tells one command from another under the same key.

    ``command`` is ``"create"`` or ``"fire:<trigger>"``, ``target`` the kind created or
    the entity fired on; the actor, the input and anything in ``more`` (a reason, a
    principal) are part of it. Inputs are compared as their JSON form, so ``"notice"``
    and ``DocumentKind.NOTICE`` are the same input.
    """
    content = {
        "command": command,
        "target": target,
        "actor": actor.id,
        "data": dict(data or {}),
        **{k: v for k, v in more.items() if v is not None},
    }
    text = orjson.dumps(to_jsonable_python(content, fallback=str), option=orjson.OPT_SORT_KEYS)
    return hashlib.sha256(text).hexdigest()
