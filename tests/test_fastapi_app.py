"""The FastAPI host of examples/fastapi_app, served by uvicorn, driven over HTTP.

Each test starts the app on a SQLite file office in a uvicorn server on a free port in a
background thread, and talks to it with httpx: sync clients from threads and an async
client on an event loop, on the ``/sync`` routes (FastAPI's thread pool, the sync office)
and the ``/async`` routes (the async office's workers) alike.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib.util
import socket
import sys
import threading
import time
from collections.abc import Generator, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

pytest.importorskip("fastapi", reason="the web host example needs fastapi: pip install -e '.[dev]'")
pytest.importorskip("uvicorn", reason="the web host example needs uvicorn: pip install -e '.[dev]'")
httpx = pytest.importorskip(
    "httpx", reason="the web host tests need httpx: pip install -e '.[dev]'"
)
import uvicorn  # noqa: E402 -- after the skips

from conftest import (  # noqa: E402
    CLERK,
    DIRECTOR,
    DRAFTER,
    START,
    SUPERIOR,
    SUPERVISOR,
    UNDERTAKER,
    UNIT_A,
    actor,
)
from secretarial import Actor, Classification, Office, Role  # noqa: E402
from secretarial.testing import FrozenClock, SequentialIds  # noqa: E402

APP_PATH = Path(__file__).resolve().parent.parent / "examples" / "fastapi_app" / "app.py"
PREFIXES = ["/sync", "/async"]
SECRET = {"classification": "confidential", "secrecy_period_years": 5, "copy_number": "000001"}
"""What makes a notice 秘密: hidden from an uncleared reader."""
INTERN = actor("intern", Role.CLERK, clearance=Classification.UNCLASSIFIED)
"""A clerk cleared for nothing classified."""
NOTICE = {
    "kind": "notice",
    "title": "关于开展安全检查的通知",
    "sender": SUPERIOR,
    "channel": "paper",
    "received_at": START.isoformat(),
}


def load_app_module() -> ModuleType:
    """examples/fastapi_app/app.py, imported as the module ``fastapi_app``."""
    if "fastapi_app" in sys.modules:
        return sys.modules["fastapi_app"]
    spec = importlib.util.spec_from_file_location("fastapi_app", APP_PATH)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["fastapi_app"] = module
    spec.loader.exec_module(module)
    return module


def headers(who: Actor, **more: str) -> dict[str, str]:
    """The request headers naming ``who`` as the host example reads them."""
    return {
        "X-User": who.id,
        "X-Name": who.name,
        "X-Roles": ",".join(sorted(who.roles)),
        "X-Clearance": who.clearance.value,
        **more,
    }


@dataclass
class Host:
    """A running server: its base URL, and the office and clock behind it."""

    url: str
    office: Office
    clock: FrozenClock

    def client(self) -> Any:
        return httpx.Client(base_url=self.url, timeout=30)

    def async_client(self) -> Any:
        limits = httpx.Limits(max_connections=100, max_keepalive_connections=100)
        return httpx.AsyncClient(base_url=self.url, timeout=30, limits=limits)


@pytest.fixture
def host(tmp_path: Path) -> Iterator[Host]:
    """The app on a fresh SQLite file office, served by uvicorn on a free port."""
    clock = FrozenClock(START)
    office = Office.open(f"sqlite:///{tmp_path / 'office.db'}", clock=clock, ids=SequentialIds())
    app = load_app_module().create_app(office, workers=4)
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(
        uvicorn.Config(app, log_level="warning", lifespan="on", timeout_graceful_shutdown=5)
    )
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        assert thread.is_alive(), "the server stopped while starting"
        assert time.monotonic() < deadline, "the server did not start in 10 s"
        time.sleep(0.01)
    try:
        yield Host(f"http://127.0.0.1:{port}", office, clock)
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()
    assert not thread.is_alive()


def receive(client: Any, prefix: str, who: Actor = CLERK, **extra: Any) -> Any:
    """POST a notice; expect it received, and return the response."""
    response = client.post(
        f"{prefix}/documents/incoming", json={**NOTICE, **extra}, headers=headers(who)
    )
    assert response.status_code == 201, response.text
    return response


def fire(
    client: Any,
    prefix: str,
    entity_id: str,
    trigger: str,
    etag: str | None,
    *,
    who: Actor = CLERK,
    **body: Any,
) -> Any:
    """POST a trigger with ``etag`` as If-Match (none if None) and ``body`` as its input."""
    more = {} if etag is None else {"If-Match": etag}
    return client.post(
        f"{prefix}/records/{entity_id}/{trigger}", json=body, headers=headers(who, **more)
    )


# ---------------------------------------------------------------------------- a life
@pytest.mark.parametrize("prefix", PREFIXES)
def test_a_document_s_life_over_http(host: Host, prefix: str) -> None:
    with host.client() as client:
        received = receive(client, prefix)
        doc = received.json()
        assert received.headers["ETag"] == '"1"'
        assert doc["state"] == "received"
        assert doc["version"] == 1

        read = client.get(f"{prefix}/records/{doc['id']}", headers=headers(CLERK))
        assert read.status_code == 200
        assert read.json() == doc
        assert read.headers["ETag"] == '"1"'

        may = client.get(f"{prefix}/records/{doc['id']}/triggers", headers=headers(CLERK))
        assert may.status_code == 200
        assert "register" in may.json()["triggers"]

        no_etag = fire(client, prefix, doc["id"], "register", None)
        assert no_etag.status_code == 428
        assert no_etag.json()["code"] == "precondition_required"

        registered = fire(client, prefix, doc["id"], "register", read.headers["ETag"])
        assert registered.status_code == 200, registered.text
        assert registered.json()["registration_number"] == "2025-0001"
        assert registered.headers["ETag"] == '"2"'

        stale = fire(client, prefix, doc["id"], "screen", read.headers["ETag"])
        assert stale.status_code == 409
        assert stale.json()["code"] == "concurrency_conflict"
        weak = fire(client, prefix, doc["id"], "screen", 'W/"2"')
        assert weak.status_code == 200, weak.text
        assert weak.json()["state"] == "screened"

        any_version = fire(
            client,
            prefix,
            doc["id"],
            "propose",
            "*",
            who=DIRECTOR,
            handling_type="for_handling",
            lead_unit=UNIT_A,
        )
        assert any_version.status_code == 200, any_version.text
        assert any_version.headers["ETag"] == '"4"'

        trail = client.get(f"{prefix}/records/{doc['id']}/audit", headers=headers(CLERK))
        assert trail.status_code == 200
        triggers = ["receive", "register", "screen", "propose"]
        assert [e["trigger"] for e in trail.json()["events"]] == triggers
    assert [e.trigger for e in host.office.audit(doc["id"])] == triggers


@pytest.mark.parametrize("prefix", PREFIXES)
def test_listing_pages_through_what_the_user_may_see(host: Host, prefix: str) -> None:
    with host.client() as client:
        ids = [
            receive(client, prefix, title=f"关于第{n}项工作的通知").json()["id"] for n in range(7)
        ]
        secret = receive(client, prefix, **SECRET).json()
        fire(client, prefix, ids[0], "register", '"1"').raise_for_status()

        seen: list[str] = []
        cursor: str | None = None
        while True:
            params: dict[str, Any] = {"limit": 3, "kind": "incoming_document"}
            if cursor is not None:
                params["cursor"] = cursor
            page = client.get(f"{prefix}/records", params=params, headers=headers(INTERN))
            assert page.status_code == 200, page.text
            body = page.json()
            assert body["total"] == 7
            seen += [item["id"] for item in body["items"]]
            cursor = body["next_cursor"]
            if cursor is None:
                break
        assert seen == ids
        assert secret["id"] not in seen

        clerk_sees = client.get(f"{prefix}/records", headers=headers(CLERK)).json()
        assert clerk_sees["total"] == 8
        received = client.get(
            f"{prefix}/records", params={"state": "received"}, headers=headers(CLERK)
        ).json()
        assert received["total"] == 7
        assert ids[0] not in [item["id"] for item in received["items"]]


# ---------------------------------------------------------------------------- errors
@pytest.mark.parametrize("prefix", PREFIXES)
def test_refusals_map_to_statuses_and_one_body_shape(host: Host, prefix: str) -> None:
    with host.client() as client:
        doc = receive(client, prefix).json()
        secret = receive(client, prefix, **SECRET).json()

        def refusal(response: Any, status: int, code: str) -> str:
            assert response.status_code == status, response.text
            body = response.json()
            assert set(body) == {"code", "message"}
            assert body["code"] == code
            return str(body["message"])

        missing = client.get(f"{prefix}/records/in-999", headers=headers(CLERK))
        hidden = client.get(f"{prefix}/records/{secret['id']}", headers=headers(INTERN))
        refusal(missing, 404, "not_found")
        refusal(hidden, 404, "not_found")
        refusal(fire(client, prefix, "in-999", "register", '"1"'), 404, "not_found")
        refusal(
            client.get(f"{prefix}/records/{secret['id']}/audit", headers=headers(INTERN)),
            404,
            "not_found",
        )
        refusal(
            client.get(f"{prefix}/records/{secret['id']}/triggers", headers=headers(INTERN)),
            404,
            "not_found",
        )
        assert [d.entity_id for d in host.office.denials()] == [secret["id"]] * 3

        refusal(
            fire(client, prefix, doc["id"], "register", '"1"', who=DRAFTER),
            403,
            "transition_not_allowed",
        )
        refusal(fire(client, prefix, doc["id"], "approve", '"1"'), 422, "transition_not_allowed")
        registered = fire(client, prefix, doc["id"], "register", '"1"')
        assert registered.status_code == 200
        refusal(fire(client, prefix, doc["id"], "screen", '"2"', opinion=1), 422, "validation")
        refusal(fire(client, prefix, doc["id"], "screen", '"2"', by="leader"), 422, "validation")
        refusal(fire(client, prefix, doc["id"], "screen", "2"), 400, "bad_if_match")
        refusal(
            client.post(
                f"{prefix}/documents/incoming",
                json={**NOTICE, "channel": "pigeon"},
                headers=headers(CLERK),
            ),
            422,
            "validation",
        )
        refusal(
            client.post(f"{prefix}/documents/incoming", json=[1, 2], headers=headers(CLERK)),
            422,
            "validation",
        )
        for query in ({"kind": "letter"}, {"state": "lost"}, {"cursor": "in-1"}):
            refusal(
                client.get(f"{prefix}/records", params=query, headers=headers(CLERK)),
                422,
                "validation",
            )
        refusal(
            client.get(f"{prefix}/records", params={"limit": 0}, headers=headers(CLERK)),
            422,
            "validation",
        )
        refusal(client.get(f"{prefix}/records/{doc['id']}"), 401, "unauthenticated")
        refusal(
            client.get(
                f"{prefix}/records/{doc['id']}", headers=headers(CLERK, **{"X-Clearance": "x"})
            ),
            422,
            "validation",
        )
        # none of it changed the document
        assert [e.trigger for e in host.office.audit(doc["id"])] == ["receive", "register"]


# ---------------------------------------------------------------------------- races
@pytest.mark.parametrize("clients", ["threads", "asyncio"])
def test_a_race_on_one_entity_has_one_winner(host: Host, clients: str) -> None:
    """Twenty clients fire the same step with the same If-Match, half on each prefix."""
    with host.client() as client:
        doc = receive(client, "/sync").json()
    paths = [f"{PREFIXES[n % 2]}/records/{doc['id']}/register" for n in range(20)]
    sent = headers(CLERK, **{"If-Match": '"1"'})
    if clients == "threads":
        gate = threading.Barrier(len(paths))
        statuses: list[int] = []

        def one(path: str) -> None:
            with host.client() as client:
                client.get("/openapi.json")  # connected before the gate opens
                gate.wait()
                statuses.append(client.post(path, json={}, headers=sent).status_code)

        threads = [threading.Thread(target=one, args=(path,)) for path in paths]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    else:

        async def race() -> list[int]:
            async with host.async_client() as client:
                answers = await asyncio.gather(
                    *(client.post(path, json={}, headers=sent) for path in paths)
                )
            return [answer.status_code for answer in answers]

        statuses = asyncio.run(race())
    assert sorted(statuses) == [200] + [409] * 19
    assert [e.trigger for e in host.office.audit(doc["id"])] == ["receive", "register"]


@pytest.mark.parametrize("prefix", PREFIXES)
def test_a_sweep_between_reading_and_saving_is_no_conflict(host: Host, prefix: str) -> None:
    """A reminder the sweep records moves the version, not the ETag the user's form holds."""
    item = host.office.supervision.open(
        by=SUPERVISOR,
        source="leader_instruction",
        requirement="落实安全检查部署",
        instructed_by="leader",
        received_at=host.office.now(),
    )
    with host.client() as client:
        assigned = fire(
            client,
            prefix,
            item.id,
            "assign",
            '"1"',
            who=SUPERVISOR,
            lead_unit=UNIT_A,
            deadline="2025-10-09",
        )
        assert assigned.status_code == 200, assigned.text
        accepted = fire(client, prefix, item.id, "accept", assigned.headers["ETag"], who=UNDERTAKER)
        assert accepted.status_code == 200, accepted.text
        form = client.get(f"{prefix}/records/{item.id}", headers=headers(UNDERTAKER))
        assert form.headers["ETag"] == '"3"'

        host.clock.set(datetime(2025, 10, 9, 1, tzinfo=UTC))  # the deadline, 09:00 Beijing
        report = host.office.sweep()
        assert [r.entity_id for r in report.issued] == [item.id]
        after = client.get(f"{prefix}/records/{item.id}", headers=headers(UNDERTAKER))
        assert after.json()["version"] > form.json()["version"]
        assert [r["step"] for r in after.json()["reminders"]] == ["due"]
        assert after.headers["ETag"] == form.headers["ETag"]

        saved = fire(
            client,
            prefix,
            item.id,
            "report_progress",
            form.headers["ETag"],
            who=UNDERTAKER,
            text="已部署",
        )
        assert saved.status_code == 200, saved.text
        assert saved.headers["ETag"] == '"4"'
        # a change of content since reading is still a conflict
        again = fire(
            client,
            prefix,
            item.id,
            "report_progress",
            form.headers["ETag"],
            who=UNDERTAKER,
            text="又一次",
        )
        assert again.status_code == 409
    triggers = [e.trigger for e in host.office.audit(item.id)]
    assert triggers == ["open", "assign", "accept", "remind", "report_progress"]
    assert date.fromisoformat(saved.json()["deadline"]) == date(2025, 10, 9)


# ---------------------------------------------------------------------------- retries
@pytest.mark.parametrize("prefix", PREFIXES)
def test_a_retried_post_with_its_key_is_done_once(host: Host, prefix: str) -> None:
    keyed = headers(CLERK, **{"Idempotency-Key": "receive-7f3a"})
    with host.client() as client:
        first = client.post(f"{prefix}/documents/incoming", json=NOTICE, headers=keyed)
        retry = client.post(f"{prefix}/documents/incoming", json=NOTICE, headers=keyed)
        assert first.status_code == retry.status_code == 201
        assert retry.json() == first.json()
        doc_id = first.json()["id"]

        register = headers(CLERK, **{"If-Match": '"1"', "Idempotency-Key": "register-7f3a"})
        path = f"{prefix}/records/{doc_id}/register"
        numbered = [client.post(path, json={}, headers=register) for _ in range(3)]
        assert [r.status_code for r in numbered] == [200, 200, 200]
        assert {r.json()["registration_number"] for r in numbered} == {"2025-0001"}

        reused = client.post(f"{prefix}/records/{doc_id}/screen", json={}, headers=register)
        assert reused.status_code == 422
        assert reused.json()["code"] == "idempotency_key_reused"

        # keys are the user's own: another user's same key is another command
        colleague = actor("colleague", Role.CLERK)
        theirs = client.post(
            f"{prefix}/documents/incoming",
            json=NOTICE,
            headers=headers(colleague, **{"Idempotency-Key": "receive-7f3a"}),
        )
        assert theirs.status_code == 201
        assert theirs.json()["id"] != doc_id
    assert host.office.count(kind="incoming_document") == 2
    assert [e.trigger for e in host.office.audit(doc_id)] == ["receive", "register"]


def test_concurrent_retries_with_one_key_make_one_document(host: Host) -> None:
    """Ten copies of one keyed POST at once, on both prefixes: one document."""

    async def burst() -> list[Any]:
        keyed = headers(CLERK, **{"Idempotency-Key": "burst-1"})
        async with host.async_client() as client:
            return await asyncio.gather(
                *(
                    client.post(f"{PREFIXES[n % 2]}/documents/incoming", json=NOTICE, headers=keyed)
                    for n in range(10)
                )
            )

    answers = asyncio.run(burst())
    assert {a.status_code for a in answers} == {201}
    assert len({a.json()["id"] for a in answers}) == 1
    assert host.office.count() == 1


# ---------------------------------------------------------------------------- load
Step = tuple[str, str, dict[str, str], Any]
"""A request of a life: method, path, headers, JSON body."""


def life(prefix: str, numbers: list[str]) -> Generator[Step, Any, None]:
    """A document's life in five requests: each is yielded and its response sent back.

    Receive, read, register on the ETag read, ask what may be done, screen on the ETag
    the registration gave. The registration number goes into ``numbers``.
    """
    doc = yield ("POST", f"{prefix}/documents/incoming", headers(CLERK), NOTICE)
    path = f"{prefix}/records/{doc.json()['id']}"
    read = yield ("GET", path, headers(CLERK), None)
    registered = yield (
        "POST",
        f"{path}/register",
        headers(CLERK, **{"If-Match": read.headers["ETag"]}),
        {},
    )
    numbers.append(registered.json()["registration_number"])
    yield ("GET", f"{path}/triggers", headers(CLERK), None)
    yield ("POST", f"{path}/screen", headers(CLERK, **{"If-Match": registered.headers["ETag"]}), {})


def checked(response: Any, failures: list[str]) -> Any:
    """``response``, noted in ``failures`` unless it is a 201 for a receipt or else a 200."""
    expected = 201 if response.request.url.path.endswith("/incoming") else 200
    if response.status_code != expected:
        failures.append(f"{response.request.method} {response.request.url}: {response.text}")
    return response


def live_in_a_thread(host: Host, lives: int, numbers: list[str], failures: list[str]) -> None:
    with host.client() as client:
        for _ in range(lives):
            steps = life("/sync", numbers)
            request = next(steps)
            with contextlib.suppress(StopIteration):
                while True:
                    method, path, sent, body = request
                    answer = client.request(method, path, headers=sent, json=body)
                    request = steps.send(checked(answer, failures))


async def live_on_a_loop(
    host: Host, coroutines: int, lives: int, numbers: list[str], failures: list[str]
) -> None:
    async with host.async_client() as client:

        async def one() -> None:
            for _ in range(lives):
                steps = life("/async", numbers)
                request = next(steps)
                with contextlib.suppress(StopIteration):
                    while True:
                        method, path, sent, body = request
                        answer = await client.request(method, path, headers=sent, json=body)
                        request = steps.send(checked(answer, failures))

        await asyncio.gather(*(one() for _ in range(coroutines)))


def test_hundreds_of_requests_from_threads_and_an_async_client(host: Host) -> None:
    """Eight threads on /sync and sixteen coroutines on /async at once: 480 requests.

    Every life ends screened, every registration number is given once and none is
    skipped, the audit verifies, and the listing finds every document.
    """
    numbers: list[str] = []
    failures: list[str] = []
    threads = [
        threading.Thread(target=live_in_a_thread, args=(host, 6, numbers, failures))
        for _ in range(8)
    ]
    threads.append(
        threading.Thread(target=lambda: asyncio.run(live_on_a_loop(host, 16, 3, numbers, failures)))
    )
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    lives = 8 * 6 + 16 * 3
    assert failures == []
    assert sorted(numbers) == [f"2025-{n:04d}" for n in range(1, lives + 1)]
    assert host.office.count(kind="incoming_document", state="screened") == lives
    assert host.office.verify_audit().ok
    with host.client() as client:
        listed = client.get("/async/records", params={"limit": 500}, headers=headers(CLERK))
    assert listed.json()["total"] == lives
    assert len({item["id"] for item in listed.json()["items"]}) == lives


# ---------------------------------------------------------------------------- OpenAPI
def references(node: Any) -> Iterator[str]:
    """Every ``$ref`` in a JSON document."""
    if isinstance(node, dict):
        if isinstance(node.get("$ref"), str):
            yield node["$ref"]
        for value in node.values():
            yield from references(value)
    elif isinstance(node, list):
        for value in node:
            yield from references(value)


def test_the_openapi_document_validates_and_carries_the_office_s_schemas(host: Host) -> None:
    from jsonschema import Draft202012Validator  # noqa: PLC0415
    from openapi_spec_validator import validate  # noqa: PLC0415

    with host.client() as client:
        document = client.get("/openapi.json").json()
        doc = receive(client, "/async").json()
    validate(document)
    assert document["openapi"].startswith("3.1")
    schemas = document["components"]["schemas"]
    for name in ("incoming_document", "supervision_item", "incoming_document.approve"):
        assert name in schemas
    assert schemas["register.incoming"]["properties"]["registration_number"]["title"] == "收文编号"
    for prefix in PREFIXES:
        for path in ("/documents/incoming", "/records", "/records/{entity_id}/{trigger}"):
            assert f"{prefix}{path}" in document["paths"]
    fire_route = document["paths"]["/sync/records/{entity_id}/{trigger}"]["post"]
    assert {"If-Match", "Idempotency-Key"} <= {p["name"] for p in fire_route["parameters"]}

    refs = set(references(document))
    assert "#/components/schemas/DocumentNumber" in refs
    for ref in refs:
        assert ref.startswith("#/components/schemas/"), ref
        assert ref.removeprefix("#/components/schemas/") in schemas, ref

    # what the routes answer fits the schemas the document gives
    def validator(name: str) -> Any:
        wanted = {"$ref": f"#/components/schemas/{name}", "components": document["components"]}
        return Draft202012Validator(wanted)

    assert list(validator("incoming_document").iter_errors(doc)) == []
    assert list(validator("Entity").iter_errors(doc)) == []
    assert not validator("Entity").is_valid({**doc, "colour": "red"})
    assert not validator("Entity").is_valid({k: v for k, v in doc.items() if k != "id"})
