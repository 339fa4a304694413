"""The WebSocket endpoint: hello first, then control messages in and frames out until the page goes."""

from __future__ import annotations

import asyncio
import contextlib
import json
import secrets
import time
from collections.abc import Awaitable, Callable
from typing import Annotated

from fastapi import APIRouter, Depends, WebSocket, WebSocketDisconnect

from .clients import Client
from .deps import get_registry, get_settings
from .guard import origin_allowed
from .mirror import Mirror
from .protocol import FieldError, Hello, error_reply, parse_control, reply_tags
from .registry import Registry
from .session import Session
from .settings import Settings

router = APIRouter()
RegistryDep = Annotated[Registry, Depends(get_registry)]
SettingsDep = Annotated[Settings, Depends(get_settings)]

HELLO_TIMEOUT = 10.0
BINARY = FieldError("message", "message: control messages are JSON text, not binary")
VISIBILITY = '"visibility"'  # a cheap look before parsing: most control messages are not about visibility


def too_long(text: str, settings: Settings) -> FieldError | None:
    size = len(text.encode("utf-8", "surrogatepass"))
    if size <= settings.max_message_bytes:
        return None
    return FieldError("message", f"message: at most {settings.max_message_bytes} bytes, got {size}")


async def refuse_hello(websocket: WebSocket, error: FieldError) -> None:
    """Say why in an error message, and again as the close reason (which holds at most 123 bytes)."""
    await websocket.send_text(json.dumps(error_reply(None, "hello", error)))
    await websocket.close(code=4400, reason=error.message.encode()[:120].decode(errors="ignore"))


def welcome(session: Session, client: Client, msg_id: object, server: str) -> dict[str, object]:
    return {
        "type": "welcome", "id": msg_id, "session": session.id, "role": client.role, "client": client.id,
        "config": session.config.model_dump(), "playing": session.playing, "status": session.status,
        "viewers": session.viewers, "server": server,
    }


async def read_controls(websocket: WebSocket, client: Client, settings: Settings,
                        handle: Callable[[Client, str], Awaitable[None]]) -> None:
    """Until the page goes: each text message within the size cap to ``handle``; others get an error reply."""
    try:
        while True:
            message = await websocket.receive()
            if message["type"] == "websocket.disconnect":
                break
            text = message.get("text")
            error = BINARY if text is None else too_long(text, settings)
            if error is not None:
                client.send_json(error_reply(None, None, error))
                continue
            if VISIBILITY in text and reply_tags(text)[1] == "visibility":  # about this page only: never relayed
                client.set_visibility(text)
                continue
            await handle(client, text)
    except WebSocketDisconnect:
        pass


@router.websocket("/ws/{session_id}")
async def session_socket(websocket: WebSocket, session_id: str, registry: RegistryDep, settings: SettingsDep) -> None:
    if not origin_allowed(websocket.headers, settings):
        await websocket.close(code=4403, reason="origin not allowed")
        return
    await websocket.accept()
    try:
        session = await registry.open(session_id)
    except FieldError as exc:  # kept, but the server holds as many sessions as it may: the page tries again later
        await websocket.send_text(json.dumps(error_reply(None, "hello", exc)))
        await websocket.close(code=1013, reason="the server is full; trying again")
        return
    if session is None:
        message = await registry.why_missing(session_id)
        await websocket.send_text(json.dumps(error_reply(None, "hello", FieldError("session", message))))
        await websocket.close(code=4404, reason=message.removeprefix("session: ")[:120])
        return
    try:
        text = await asyncio.wait_for(websocket.receive_text(), HELLO_TIMEOUT)
        error = too_long(text, settings)
        if error is not None:
            raise error
        hello = parse_control(text)
        if not isinstance(hello, Hello):
            raise FieldError("type", "type: the first message must be 'hello'")
    except KeyError:  # a binary first message
        await refuse_hello(websocket, BINARY)
        return
    except FieldError as exc:
        await refuse_hello(websocket, exc)
        return
    except (TimeoutError, WebSocketDisconnect):
        await websocket.close(code=4400, reason="no hello")
        return
    # While the hello was awaited, an unwatched session may have been unloaded: attach to the one in memory now.
    # (From here to the client's registration nothing awaits, so it cannot be unloaded again in between.)
    with contextlib.suppress(FieldError):
        session = await registry.open(session_id) or session
    if isinstance(session, Mirror):  # another worker trains it: this one relays (server/mirror.py)
        await session.serve(websocket, hello, settings)
        return
    controls = session.controlled_by(hello.token)
    client_id = hello.client or secrets.token_urlsafe(8)
    previous = session.clients.get(client_id)
    if previous is not None and previous.controls and not controls:
        # Only the secret may take over a presenter's connection: a viewer reusing its client id (a copied
        # page, a guess) gets an id of its own and cuts nobody off.
        client_id, previous = secrets.token_urlsafe(8), None
    client = Client(websocket, client_id, "controller" if controls else "viewer", settings.max_outbox)
    if previous is not None:  # the same page reconnecting: the new socket replaces the old
        previous.closed = True
        previous.wake.set()
    session.clients[client.id] = client
    session.last_used = time.time()
    session.load.clients += 1
    session.watchers_changed()
    session.changed(grid=False)  # frames carry the viewer count
    client.send_json(welcome(session, client, hello.id, registry.instance))
    session.poll.greet(client)  # a question open in the session: this page sees it (and its own answer)
    session.lesson.greet(client)  # and the lesson step the presenter is at
    sender = client.start_sender(session)
    try:
        await read_controls(websocket, client, settings, session.handle)
    finally:
        client.closed = True
        client.wake.set()
        sender.cancel()
        for job in client.jobs.values():  # its surfaces and checks are no longer wanted
            job.cancel()
        session.load.clients -= 1
        if session.clients.get(client.id) is client:
            del session.clients[client.id]
            session.changed(grid=False)
        session.watchers_changed()
        session.last_seen = time.monotonic()
        session.last_used = time.time()
