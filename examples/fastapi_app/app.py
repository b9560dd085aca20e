"""A web host embedding the office: FastAPI routes on the sync office and on the async one.

Run it from this folder with ``uvicorn app:app``; the office is the one at the URL in
``SECRETARIAL_URL`` (``sqlite:///office.db`` in the working directory if it is unset).
Tests and other hosts build the application around an office of their own with
:func:`create_app`.

Every route exists twice, with the same logic: under ``/sync`` as a plain ``def`` that
FastAPI runs in its thread pool, calling the sync :class:`~secretarial.Office`; under
``/async`` as an ``async def`` that awaits the office through
:class:`~secretarial.aio.AsyncOffice`, whose bounded pool of worker threads runs the same
sync core. Each route is written once as a *plan* (the call on the office, and how its
result becomes a response); :func:`mount` serves the plans either way.

The actor comes from request headers (``X-User``, ``X-Name``, ``X-Roles``,
``X-Clearance``) so the example can be driven by any HTTP client. A real host takes the
actor from its session or single sign-on and never trusts such headers from the outside.

Versions: a record's ``ETag`` is its content version (``"7"``), which a reminder or an
escalation from the sweep does not change; a fire must send it back in ``If-Match``, so a
stale form is refused (409) but a sweep between reading and saving is not a conflict.
``Idempotency-Key`` on a creating or firing POST makes a retry return the first result.
"""

from __future__ import annotations

import functools
import json
import os
import re
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Annotated, Any, Final, Generic, TypeVar

from fastapi import APIRouter, Body, Depends, FastAPI, Header, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.utils import get_openapi
from fastapi.responses import JSONResponse, Response

from secretarial import (
    Actor,
    AuditTrail,
    Classification,
    Entity,
    Office,
    Page,
    SecretarialError,
    http_status,
)
from secretarial.aio import DEFAULT_WORKERS, AsyncOffice

__all__ = ["HostError", "create_app", "mount", "openapi_components"]

URL_VARIABLE: Final = "SECRETARIAL_URL"
"""The environment variable naming the office's store for ``uvicorn app:app``."""
DEFAULT_URL: Final = "sqlite:///office.db"
MAX_LIMIT: Final = 500
"""The largest page this host hands out (the office accepts more; a host sets its own cap)."""

_ETAG: Final = re.compile(r'\s*(?:W/)?"(\d{1,18})"\s*')
_FROM_HEADERS: Final = frozenset({"by", "expected_version", "expected_content_version"})
"""Arguments of the office's verbs a host fills itself; a body may not carry them."""
_KEY_FIELD: Final = "idempotency_key"

T = TypeVar("T")


class HostError(Exception):
    """A request this host refuses before the office sees it: a status, a code, a message."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code


# ---------------------------------------------------------------------------- responses
def _error(status: int, code: str, message: str) -> JSONResponse:
    return JSONResponse({"code": code, "message": message}, status_code=status)


def etag(entity: Entity) -> str:
    """The entity's ETag: its content version, quoted (a strong validator)."""
    return f'"{entity.content_version}"'


def entity_response(entity: Entity, status: int = 200) -> Response:
    """The entity as JSON, with its ETag."""
    return Response(
        entity.model_dump_json(),
        status_code=status,
        media_type="application/json",
        headers={"ETag": etag(entity)},
    )


def _json(text: str) -> Response:
    return Response(text, media_type="application/json")


# ---------------------------------------------------------------------------- the request
async def current_actor(
    x_user: Annotated[str | None, Header(description="The user's id (from the session).")] = None,
    x_name: Annotated[str | None, Header(description="The user's name; the id if unset.")] = None,
    x_roles: Annotated[str, Header(description="The user's roles, comma-separated.")] = "",
    x_clearance: Annotated[
        Classification, Header(description="The user's clearance.")
    ] = Classification.UNCLASSIFIED,
) -> Actor:
    """The actor of the request, from its headers (a real host: from its session or SSO).

    An ``async def``, so FastAPI calls it on the loop rather than in a thread.

    Raises:
        HostError: 401 without ``X-User``; 422 if the headers make no valid actor.
    """
    if not x_user:
        raise HostError(401, "unauthenticated", "the request names no user (X-User)")
    roles = frozenset(r.strip() for r in x_roles.split(",") if r.strip())
    try:
        return Actor(id=x_user, name=x_name or x_user, roles=roles, clearance=x_clearance)
    except ValueError as invalid:  # pydantic's ValidationError is a ValueError
        raise HostError(422, "validation", f"no valid actor in the headers: {invalid}") from None


def expected_content_version(if_match: str | None) -> int | None:
    """The content version an ``If-Match`` header names; None for ``*`` (any version).

    Raises:
        HostError: 428 if there is no ``If-Match``; 400 if it names no version of ours.
    """
    if if_match is None:
        raise HostError(
            428, "precondition_required", 'a fire needs If-Match: the ETag read, e.g. "3"'
        )
    if if_match.strip() == "*":
        return None
    found = _ETAG.fullmatch(if_match)
    if found is None:
        raise HostError(400, "bad_if_match", f"If-Match {if_match!r} is not one ETag of ours")
    return int(found.group(1))


def _scoped_key(actor: Actor, key: str | None) -> str | None:
    """The idempotency key as given to the office: scoped to the user who sent it.

    Two users may pick the same key; neither may replay the other's request with it.
    """
    return None if key is None else f"{actor.id}:{key}"


def _command_fields(body: dict[str, Any]) -> dict[str, Any]:
    """The body's fields as keyword arguments of a verb, refusing what the host fills itself."""
    taken = sorted((_FROM_HEADERS | {_KEY_FIELD}) & body.keys())
    if taken:
        raise HostError(
            422,
            "validation",
            f"the body may not carry {', '.join(taken)}: the host fills them from the "
            "headers (X-User, If-Match, Idempotency-Key)",
        )
    return dict(body)


# ---------------------------------------------------------------------------- plans
@dataclass(frozen=True, slots=True)
class Plan(Generic[T]):
    """What a route does: a call on the sync office, and the response its result makes.

    The plan is made where the route runs (on the loop for ``/async``); the call and the
    response it makes run in FastAPI's thread pool (``/sync``) or in a worker of the
    async office (``/async``), so serialising a page does not hold the event loop either.
    """

    call: Callable[[], T]
    answer: Callable[[T], Response]

    def __call__(self) -> Response:
        """Make the call and the response."""
        return self.answer(self.call())


ActorParam = Annotated[Actor, Depends(current_actor)]
KeyParam = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        description="Retrying with the same key returns the first result, changing nothing.",
    ),
]
IfMatchParam = Annotated[
    str | None,
    Header(alias="If-Match", description='The ETag read (e.g. "3"), or * for any version.'),
]
_ENTITY: Final = {"$ref": "#/components/schemas/Entity"}
_ERROR: Final = {
    "description": "Refused: the code and message of the refusal.",
    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
}
FIRE_REFUSALS: Final = (400, 403, 404, 409, 422, 428)
_ETAG_HEADER: Final = {
    "ETag": {"description": "The content version, quoted.", "schema": {"type": "string"}}
}


class Plans:
    """The routes' logic on ``office``, each as a :class:`Plan`; FastAPI reads the parameters."""

    def __init__(self, office: Office) -> None:
        self.office = office

    def receive(
        self,
        *,
        actor: ActorParam,
        body: Annotated[
            dict[str, Any],
            Body(description="The fields of office.documents.receive: kind, title, sender ..."),
        ],
        idempotency_key: KeyParam = None,
    ) -> Plan[Entity]:
        """Receive an incoming document (签收); 201 with the record and its ETag."""
        call = functools.partial(
            self.office.documents.receive,
            by=actor,
            idempotency_key=_scoped_key(actor, idempotency_key),
            **_command_fields(body),
        )
        return Plan(call, functools.partial(entity_response, status=201))

    def fire(
        self,
        entity_id: str,
        trigger: str,
        *,
        actor: ActorParam,
        body: Annotated[
            dict[str, Any] | None,
            Body(
                description="The trigger's input (components.schemas['<kind>.<trigger>']), "
                'and "reason" and "on_behalf_of" where they apply.'
            ),
        ] = None,
        if_match: IfMatchParam = None,
        idempotency_key: KeyParam = None,
    ) -> Plan[Entity]:
        """Fire a trigger on a record, on the content version in ``If-Match``."""
        version = expected_content_version(if_match)
        data = _command_fields(body or {})
        reason = data.pop("reason", None)
        on_behalf_of = data.pop("on_behalf_of", None)
        call = functools.partial(
            self.office.fire,
            entity_id,
            trigger,
            by=actor,
            reason=reason,
            on_behalf_of=on_behalf_of,
            expected_content_version=version,
            idempotency_key=_scoped_key(actor, idempotency_key),
            **data,
        )
        return Plan(call, entity_response)

    def get(self, entity_id: str, *, actor: ActorParam) -> Plan[Entity]:
        """The record as the actor may see it, with its ETag."""
        return Plan(functools.partial(self.office.get, entity_id, by=actor), entity_response)

    def listing(
        self,
        *,
        actor: ActorParam,
        kind: Annotated[list[str] | None, Query(description="Entity kinds.")] = None,
        state: Annotated[list[str] | None, Query(description="States.")] = None,
        limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = 50,
        cursor: Annotated[str | None, Query(description="The next_cursor of a page.")] = None,
        open_only: bool = False,
    ) -> Plan[tuple[Page, int]]:
        """One page of the records the actor may see, the next page's cursor, and the total."""
        filters: dict[str, Any] = {"kind": kind, "state": state, "open_only": open_only}

        def call() -> tuple[Page, int]:
            # An unknown kind or state, or a cursor no page gave out, is the office's
            # ValidationError on that field: 422, like any other input it refuses.
            page = self.office.page(limit=limit, cursor=cursor, by=actor, **filters)
            return page, self.office.count(by=actor, **filters)

        return Plan(call, _page_response)

    def audit(self, entity_id: str, *, actor: ActorParam) -> Plan[AuditTrail]:
        """The record's audit trail, creation first."""
        call = functools.partial(self.office.audit, entity_id, by=actor)
        return Plan(call, functools.partial(_trail_response, entity_id))

    def triggers(self, entity_id: str, *, actor: ActorParam) -> Plan[tuple[str, ...]]:
        """What the actor may fire on the record now (rules about input aside)."""
        call = functools.partial(self.office.available_triggers, entity_id, by=actor)
        return Plan(call, functools.partial(_triggers_response, entity_id))


def _page_response(found: tuple[Page, int]) -> Response:
    page, total = found
    items = ",".join(e.model_dump_json() for e in page.items)
    following = json.dumps(page.next_cursor)
    return _json(f'{{"items":[{items}],"next_cursor":{following},"total":{total}}}')


def _trail_response(entity_id: str, trail: AuditTrail) -> Response:
    events = ",".join(e.model_dump_json() for e in trail)
    return _json(f'{{"entity_id":{json.dumps(entity_id)},"events":[{events}]}}')


def _triggers_response(entity_id: str, found: tuple[str, ...]) -> Response:
    return JSONResponse({"entity_id": entity_id, "triggers": list(found)})


_TRAIL: Final = {"type": "object", "properties": {"entity_id": {"type": "string"}, "events": {}}}
_PAGE: Final = {
    "type": "object",
    "properties": {
        "items": {"type": "array", "items": _ENTITY},
        "next_cursor": {"type": ["string", "null"]},
        "total": {"type": "integer"},
    },
}
_TRIGGERS: Final = {
    "type": "object",
    "properties": {
        "entity_id": {"type": "string"},
        "triggers": {"type": "array", "items": {"type": "string"}},
    },
}
ROUTES: Final = (
    ("POST", "/documents/incoming", "receive", 201, _ENTITY, True, (403, 422)),
    ("POST", "/records/{entity_id}/{trigger}", "fire", 200, _ENTITY, True, FIRE_REFUSALS),
    ("GET", "/records", "listing", 200, _PAGE, False, (422,)),
    ("GET", "/records/{entity_id}", "get", 200, _ENTITY, True, (404,)),
    ("GET", "/records/{entity_id}/audit", "audit", 200, _TRAIL, False, (404,)),
    ("GET", "/records/{entity_id}/triggers", "triggers", 200, _TRIGGERS, False, (404,)),
)
"""Each route: method, path, plan, status, response schema, whether it sends an ETag, and
the statuses of its refusals (401 besides, for every route)."""


def served(plan: Callable[..., Plan[Any]], pool: AsyncOffice | None) -> Callable[..., Any]:
    """The route serving ``plan``: a ``def`` for FastAPI's thread pool, or an ``async def``.

    FastAPI reads the parameters off ``plan`` (through ``functools.wraps``) and tells the
    two apart by whether the route is a coroutine function.
    """
    if pool is None:

        @functools.wraps(plan)
        def handler(*args: Any, **kwargs: Any) -> Response:
            return plan(*args, **kwargs)()

        return handler

    @functools.wraps(plan)
    async def async_handler(*args: Any, **kwargs: Any) -> Response:
        return await pool.run(plan(*args, **kwargs))

    return async_handler


def mount(app: FastAPI, prefix: str, office: Office, pool: AsyncOffice | None) -> None:
    """Add the routes under ``prefix``: sync ones on ``office``, or async ones through ``pool``.

    The :class:`Plans` are the whole logic; ``pool`` only decides how their calls run.
    With a pool, its office must be ``office``.
    """
    if pool is not None and pool.office is not office:
        raise ValueError("the async office must serve the office the routes are given")
    plans = Plans(office)
    router = APIRouter(prefix=prefix, tags=[prefix.strip("/")])
    for method, path, name, status, schema, with_etag, refusals in ROUTES:
        ok: dict[str, Any] = {
            "description": "Done.",
            "content": {"application/json": {"schema": schema}},
        }
        if with_etag:
            ok["headers"] = _ETAG_HEADER
        router.add_api_route(
            path,
            served(getattr(plans, name), pool),
            methods=[method],
            status_code=status,
            responses={status: ok, **dict.fromkeys((401, *refusals), _ERROR)},
            response_class=Response,
            response_model=None,
            name=f"{prefix.strip('/')}_{name}",
        )
    app.include_router(router)


# ---------------------------------------------------------------------------- OpenAPI
def openapi_components(schemas: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """``office.json_schemas()`` as OpenAPI component schemas, their ``$defs`` hoisted.

    Entities are named by kind (``incoming_document``), trigger inputs by kind and trigger
    (``incoming_document.approve``), register rows ``register.<name>``, and ``Entity`` is
    any of the entities. A schema's ``$defs`` become components of their own (a
    reference ``#/$defs/X`` inside a component would point into the OpenAPI document's
    root); one name defined two ways is kept apart by the owner's name
    (``incoming_document.approve.DocumentNumber``).
    """
    owned: dict[str, dict[str, Any]] = {
        **dict(schemas["entities"].items()),
        **{
            f"{kind}.{trigger}": schema
            for kind, by_trigger in schemas["inputs"].items()
            for trigger, schema in by_trigger.items()
        },
        **{f"register.{name}": schema for name, schema in schemas["registers"].items()},
    }
    components: dict[str, Any] = {}
    shared: dict[str, str] = {}  # a hoisted name: the signature of its definition
    for owner, schema in owned.items():
        definitions: dict[str, Any] = schema.get("$defs", {})
        names = {}
        for name in definitions:
            signature = _signature(name, definitions)
            if shared.setdefault(name, signature) == signature:
                names[name] = name
            else:
                names[name] = f"{owner}.{name}"
        rewritten = _rewrite_refs(schema, names)
        for name, definition in rewritten.pop("$defs", {}).items():
            components[names[name]] = definition
        components[owner] = rewritten
    components["Entity"] = {
        "anyOf": [{"$ref": f"#/components/schemas/{kind}"} for kind in schemas["entities"]]
    }
    components["Error"] = {
        "type": "object",
        "properties": {"code": {"type": "string"}, "message": {"type": "string"}},
        "required": ["code", "message"],
    }
    return components


def _refs(node: Any) -> Iterator[str]:
    """The names of the local definitions ``node`` refers to (``#/$defs/<name>``)."""
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/$defs/"):
            yield ref.removeprefix("#/$defs/")
        for value in node.values():
            yield from _refs(value)
    elif isinstance(node, list):
        for value in node:
            yield from _refs(value)


def _signature(name: str, definitions: dict[str, Any]) -> str:
    """What ``name`` means in ``definitions``: it and every definition it reaches."""
    reached, todo = {}, [name]
    while todo:
        current = todo.pop()
        if current not in reached:
            reached[current] = definitions[current]
            todo += _refs(definitions[current])
    return json.dumps(reached, sort_keys=True)


def _rewrite_refs(node: Any, names: dict[str, str]) -> Any:
    """``node`` with its references to local definitions pointed at the components."""
    if isinstance(node, dict):
        out = {k: _rewrite_refs(v, names) for k, v in node.items()}
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/$defs/"):
            out["$ref"] = f"#/components/schemas/{names[ref.removeprefix('#/$defs/')]}"
        return out
    if isinstance(node, list):
        return [_rewrite_refs(v, names) for v in node]
    return node


# ---------------------------------------------------------------------------- the app
def create_app(office: Office, *, workers: int = DEFAULT_WORKERS) -> FastAPI:
    """The application serving ``office`` under ``/sync`` and ``/async``.

    The application owns the office from now on: it closes it (and the async office's
    ``workers`` threads) when it shuts down.
    """
    pool = AsyncOffice(office, workers=workers)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        yield
        await pool.aclose()

    app = FastAPI(
        title="secretarial",
        version="1",
        summary="An office secretariat's records, on the sync and the async office.",
        lifespan=lifespan,
    )
    app.state.office = office
    app.state.async_office = pool

    async def refused(_request: Request, error: Exception) -> Response:
        """A refusal, by the office or by the host, as ``{"code", "message"}``."""
        if isinstance(error, SecretarialError):
            return _error(http_status(error), error.code, str(error))
        if isinstance(error, HostError):
            return _error(error.status, error.code, str(error))
        if isinstance(error, RequestValidationError):  # FastAPI's check of the request
            problems = "; ".join(
                f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in error.errors()
            )
            return _error(422, "validation", problems)
        raise error

    for refusal in (SecretarialError, HostError, RequestValidationError):
        app.add_exception_handler(refusal, refused)
    mount(app, "/sync", office, None)
    mount(app, "/async", office, pool)
    components = openapi_components(office.json_schemas())

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            document = get_openapi(
                title=app.title, version=app.version, summary=app.summary, routes=app.routes
            )
            document.setdefault("components", {}).setdefault("schemas", {}).update(components)
            app.openapi_schema = document
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
    return app


@functools.cache
def _default_app() -> FastAPI:
    return create_app(Office.open(os.environ.get(URL_VARIABLE, DEFAULT_URL)))


def __getattr__(name: str) -> FastAPI:
    """``app``: the application on the office at ``SECRETARIAL_URL``, opened on first use.

    Built lazily, so importing this module (for :func:`create_app`) opens no database.
    """
    if name == "app":
        return _default_app()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
