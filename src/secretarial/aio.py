"""An office for asyncio hosts: the one sync core, run in a bounded pool of threads.

:class:`AsyncOffice` wraps an :class:`~secretarial.Office` and offers its verbs as
coroutines. Each call runs the office's own code, unchanged, in a worker thread of a
pool the async office owns, so the event loop never waits on a transaction, a lock or
a database round trip: the semantics are the sync office's (one transaction per
command, optimistic concurrency, gap-free numbering, the audit, the plugins' hooks,
which stay sync). The pool's size bounds how many commands run at once; a command
waits for a free worker without blocking the loop.

The verbs a web host calls on every request are typed methods (``get``, ``list``,
``page``, ``count``, ``audit``, ``fire``, ``can_fire``, ``available_triggers``,
``create``, ``sweep``); a desk's verbs are reached through :meth:`AsyncOffice.desk`
or, for anything else, :meth:`AsyncOffice.run`::

    office = await AsyncOffice.open("sqlite:///office.db")
    doc = await office.desk("documents").receive(by=clerk, kind="notice", ...)
    doc = await office.fire(doc, "register", by=clerk)
    await office.aclose()
"""

from __future__ import annotations

import asyncio
import contextvars
import functools
from collections.abc import Awaitable, Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from types import TracebackType
from typing import TYPE_CHECKING, Any, Final, ParamSpec, Self, TypeVar, overload

from secretarial.errors import UsageError
from secretarial.kernel._entity import Entity
from secretarial.kernel._values import Actor

if TYPE_CHECKING:
    from typing_extensions import Unpack

    from secretarial.kernel._display import AuditTrail, EntityList
    from secretarial.kernel._enums import EntityKind
    from secretarial.kernel._query import Page
    from secretarial.office import Office, OfficeOptions
    from secretarial.sweep import SweepReport

__all__ = ["DEFAULT_WORKERS", "AsyncDesk", "AsyncOffice"]

DEFAULT_WORKERS: Final = 8
"""Worker threads of an async office unless told otherwise: commands running at once."""

P = ParamSpec("P")
T = TypeVar("T")
E = TypeVar("E", bound=Entity)

_DESKS: Final = frozenset(
    {"documents", "supervision", "meetings", "information", "duty", "records", "directory"}
)


class AsyncOffice:
    """An :class:`~secretarial.Office` whose verbs are coroutines run in worker threads.

    Args:
        office: The office to serve; the async office closes it when it is closed.
        workers: How many commands may run at once (the pool's threads).
    """

    def __init__(self, office: Office, *, workers: int = DEFAULT_WORKERS) -> None:
        given: object = workers
        if isinstance(given, bool) or not isinstance(given, int) or given < 1:
            raise UsageError(f"workers must be a positive integer, not {workers!r}")
        self.office: Office = office
        """The sync office every call runs on (use it from worker threads only)."""
        self.workers: int = workers
        self._pool = ThreadPoolExecutor(workers, thread_name_prefix="secretarial")
        self._closed = False

    @classmethod
    async def open(
        cls, url: str, *, workers: int = DEFAULT_WORKERS, **options: Unpack[OfficeOptions]
    ) -> Self:
        """Open the office at ``url`` (as :meth:`Office.open` does) without blocking the loop."""
        from secretarial.office import Office  # noqa: PLC0415 -- the office imports the desks

        pool = ThreadPoolExecutor(1, thread_name_prefix="secretarial-open")
        try:
            office = await asyncio.get_running_loop().run_in_executor(
                pool, functools.partial(Office.open, url, **options)
            )
        finally:
            pool.shutdown(wait=False)
        return cls(office, workers=workers)

    # ------------------------------------------------------------------ running
    async def run(self, function: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs) -> T:
        """Run ``function(*args, **kwargs)`` in a worker thread and await its result.

        The caller's context variables go with it (as :func:`asyncio.to_thread` does).
        Use it for any verb without an async method of its own:
        ``await office.run(office.office.verify_audit)``.

        Raises:
            UsageError: The async office is closed.
        """
        if self._closed:
            raise UsageError("this AsyncOffice is closed")
        call = functools.partial(contextvars.copy_context().run, function, *args, **kwargs)
        return await asyncio.get_running_loop().run_in_executor(self._pool, call)

    def desk(self, name: str) -> AsyncDesk:
        """A desk of the office (``"documents"``, ``"supervision"`` ...) whose verbs are awaited.

        Raises:
            UsageError: No desk has that name.
        """
        if name not in _DESKS:
            raise UsageError(f"no desk {name!r}; the desks: {', '.join(sorted(_DESKS))}")
        return AsyncDesk(self, getattr(self.office, name), name)

    # ------------------------------------------------------------------ the generic verbs
    @overload
    async def get(self, entity_id: str, *, by: Actor | None = None) -> Entity: ...
    @overload
    async def get(self, entity_id: str, kind: type[E], *, by: Actor | None = None) -> E: ...

    async def get(
        self, entity_id: str, kind: type[E] | None = None, *, by: Actor | None = None
    ) -> Entity | E:
        """:meth:`Office.get`, awaited."""
        if kind is None:
            return await self.run(self.office.get, entity_id, by=by)
        return await self.run(self.office.get, entity_id, kind, by=by)

    async def list(
        self,
        *,
        kind: EntityKind | str | Iterable[EntityKind | str] | None = None,
        state: str | Iterable[str] | None = None,
        overdue_at: datetime | None = None,
        open_only: bool = False,
        by: Actor | None = None,
    ) -> EntityList:
        """:meth:`Office.list`, awaited."""
        return await self.run(
            self.office.list,
            kind=kind,
            state=state,
            overdue_at=overdue_at,
            open_only=open_only,
            by=by,
        )

    async def page(
        self,
        *,
        limit: int = 50,
        cursor: str | None = None,
        kind: EntityKind | str | Iterable[EntityKind | str] | None = None,
        state: str | Iterable[str] | None = None,
        overdue_at: datetime | None = None,
        open_only: bool = False,
        by: Actor | None = None,
    ) -> Page:
        """:meth:`Office.page`, awaited."""
        return await self.run(
            self.office.page,
            limit=limit,
            cursor=cursor,
            kind=kind,
            state=state,
            overdue_at=overdue_at,
            open_only=open_only,
            by=by,
        )

    async def count(
        self,
        *,
        kind: EntityKind | str | Iterable[EntityKind | str] | None = None,
        state: str | Iterable[str] | None = None,
        overdue_at: datetime | None = None,
        open_only: bool = False,
        by: Actor | None = None,
    ) -> int:
        """:meth:`Office.count`, awaited."""
        return await self.run(
            self.office.count,
            kind=kind,
            state=state,
            overdue_at=overdue_at,
            open_only=open_only,
            by=by,
        )

    async def audit(self, entity: Entity | str, *, by: Actor | None = None) -> AuditTrail:
        """:meth:`Office.audit`, awaited."""
        return await self.run(self.office.audit, entity, by=by)

    @overload
    async def fire(
        self,
        entity: E,
        trigger: str,
        *,
        by: Actor,
        reason: str | None = None,
        expected_version: int | None = None,
        expected_content_version: int | None = None,
        on_behalf_of: str | None = None,
        idempotency_key: str | None = None,
        **data: Any,
    ) -> E: ...

    @overload
    async def fire(
        self,
        entity: str,
        trigger: str,
        *,
        by: Actor,
        reason: str | None = None,
        expected_version: int | None = None,
        expected_content_version: int | None = None,
        on_behalf_of: str | None = None,
        idempotency_key: str | None = None,
        **data: Any,
    ) -> Entity: ...

    async def fire(
        self,
        entity: Entity | str,
        trigger: str,
        *,
        by: Actor,
        reason: str | None = None,
        expected_version: int | None = None,
        expected_content_version: int | None = None,
        on_behalf_of: str | None = None,
        idempotency_key: str | None = None,
        **data: Any,
    ) -> Entity:
        """:meth:`Office.fire`, awaited: the entity of the type given, as it is now."""
        fire: Callable[..., Entity] = self.office.fire
        return await self.run(
            fire,
            entity,
            trigger,
            by=by,
            reason=reason,
            expected_version=expected_version,
            expected_content_version=expected_content_version,
            on_behalf_of=on_behalf_of,
            idempotency_key=idempotency_key,
            **data,
        )

    async def can_fire(self, entity: Entity | str, trigger: str, *, by: Actor, **data: Any) -> bool:
        """:meth:`Office.can_fire`, awaited."""
        return await self.run(self.office.can_fire, entity, trigger, by=by, **data)

    async def available_triggers(self, entity: Entity | str, *, by: Actor) -> tuple[str, ...]:
        """:meth:`Office.available_triggers`, awaited."""
        return tuple(await self.run(self.office.available_triggers, entity, by=by))

    async def create(
        self,
        entity_kind: str,
        /,
        *,
        by: Actor,
        idempotency_key: str | None = None,
        **fields: Any,
    ) -> Entity:
        """:meth:`Office.create`, awaited."""
        return await self.run(
            self.office.create, entity_kind, by=by, idempotency_key=idempotency_key, **fields
        )

    async def sweep(
        self, now: datetime | None = None, *, by: Actor | None = None, checkpoint: bool = False
    ) -> SweepReport:
        """:meth:`Office.sweep`, awaited."""
        return await self.run(self.office.sweep, now, by=by, checkpoint=checkpoint)

    # ------------------------------------------------------------------ closing
    async def aclose(self) -> None:
        """Wait for the running commands, then close the office (idempotent)."""
        if self._closed:
            return
        self._closed = True
        loop = asyncio.get_running_loop()
        await loop.run_in_executor(None, self._pool.shutdown)
        await loop.run_in_executor(None, self.office.close)

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.aclose()

    def __repr__(self) -> str:
        state = "closed" if self._closed else f"{self.workers} workers"
        return f"<AsyncOffice {self.office!r} {state}>"


class AsyncDesk:
    """A desk of an :class:`AsyncOffice`: each of its verbs returns an awaitable."""

    def __init__(self, office: AsyncOffice, desk: object, name: str) -> None:
        self._office = office
        self._desk = desk
        self._name = name

    def __getattr__(self, verb: str) -> Callable[..., Awaitable[Any]]:
        target = getattr(self._desk, verb)
        if not callable(target):
            raise TypeError(f"{self._name}.{verb} is not a verb")

        async def call(*args: Any, **kwargs: Any) -> Any:
            return await self._office.run(target, *args, **kwargs)

        call.__name__ = verb
        call.__doc__ = getattr(target, "__doc__", None)
        return call

    def __repr__(self) -> str:
        return f"<AsyncDesk {self._name}>"
