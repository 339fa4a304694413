"""The WebSocket endpoint: hello first, then control messages in and frames out until the page goes."""

from __future__ import annotations

import asyncio
import json
import secrets
import time
from typing import Annotated
from urllib.parse import urlsplit

from fastapi import APIRouter, Depends, WebSocket, WebSocketDisconnect

from .clients import Client
from .deps import get_registry, get_settings
from .protocol import FieldError, Hello, parse_control
from .registry import Registry
from .settings import Settings

router = APIRouter()
RegistryDep = Annotated[Registry, Depends(get_registry)]
SettingsDep = Annotated[Settings, Depends(get_settings)]

HELLO_TIMEOUT = 10.0


def origin_allowed(websocket: WebSocket, settings: Settings) -> bool:
    """Browsers always send Origin; only the page's own (or an allowed one) may drive a session."""
    origin = websocket.headers.get("origin")
    if origin is None:  # not a browser: scripts and tests
        return True
    if "*" in settings.allowed_origins or origin in settings.allowed_origins:
        return True
    return urlsplit(origin).netloc == websocket.headers.get("host")


@router.websocket("/ws/{session_id}")
async def session_socket(websocket: WebSocket, session_id: str, registry: RegistryDep, settings: SettingsDep) -> None:
    if not origin_allowed(websocket, settings):
        await websocket.close(code=4403, reason="origin not allowed")
        return
    await websocket.accept()
    session = registry.get(session_id)
    if session is None:
        await websocket.send_text(json.dumps({
            "type": "error", "id": None, "of": "hello", "field": "session",
            "message": "session: no such session (it may have ended); start a new one",
        }))
        await websocket.close(code=4404)
        return
    try:
        hello = parse_control(await asyncio.wait_for(websocket.receive_text(), HELLO_TIMEOUT))
        if not isinstance(hello, Hello):
            raise FieldError("type", "type: the first message must be 'hello'")
    except (FieldError, TimeoutError, WebSocketDisconnect, KeyError) as exc:
        if isinstance(exc, FieldError):
            await websocket.send_text(json.dumps(
                {"type": "error", "id": None, "of": "hello", "field": exc.field, "message": exc.message}
            ))
        await websocket.close(code=4400)
        return
    controls = hello.token is not None and secrets.compare_digest(hello.token, session.token)
    client = Client(websocket, hello.client or secrets.token_urlsafe(8), "controller" if controls else "viewer")
    previous = session.clients.get(client.id)
    if previous is not None:  # the same page reconnecting: the new socket replaces the old
        previous.closed = True
        previous.wake.set()
    session.clients[client.id] = client
    session.load.clients += 1
    session.changed(grid=False)  # frames carry the viewer count
    client.send_json({
        "type": "welcome", "id": hello.id, "session": session.id, "role": client.role, "client": client.id,
        "config": session.config.model_dump(), "playing": session.playing, "status": session.status,
        "viewers": session.viewers,
    })
    sender = asyncio.create_task(client.run_sender(session))
    try:
        while True:
            message = await websocket.receive()
            if message["type"] == "websocket.disconnect":
                break
            text = message.get("text")
            if text is None:
                client.send_json({"type": "error", "id": None, "of": None, "field": "message",
                                  "message": "message: control messages are JSON text, not binary"})
                continue
            await session.handle(client, text)
    except WebSocketDisconnect:
        pass
    finally:
        client.closed = True
        client.wake.set()
        sender.cancel()
        session.load.clients -= 1
        if session.clients.get(client.id) is client:
            del session.clients[client.id]
            session.changed(grid=False)
        session.last_seen = time.monotonic()
