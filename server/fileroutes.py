"""HTTP for files: a CSV of your own points into a session, and the whole session as a file (out and back in).

Changing a session takes its control token (the presenter's secret) in ``Authorization: Bearer <token>``; a
body is read only up to its cap (server/guard.py), so a 50 MB file is refused from its Content-Length, or as
soon as the stream passes the cap, never read whole. Saving the file needs only the session's id, as a fork does.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse, Response
from starlette.concurrency import run_in_threadpool

from . import owndata, sessionfile
from .deps import get_registry, get_settings
from .guard import TooLarge, origin_allowed, read_body
from .mirror import Mirror
from .protocol import FieldError
from .registry import Registry
from .routes import open_or_refuse, refused
from .session import Session
from .settings import Settings

router = APIRouter()
RegistryDep = Annotated[Registry, Depends(get_registry)]
SettingsDep = Annotated[Settings, Depends(get_settings)]


async def trained_here(registry: Registry, session_id: str) -> Session | JSONResponse:
    """The session, when this server process trains it (with several, another may: docs/scaling.md)."""
    session = await open_or_refuse(registry, session_id)
    if isinstance(session, Mirror):
        return refused("session", "session: another server process trains this session; its files are served "
                                  "there (docs/scaling.md, limits)", 503)
    return session


async def controlled(request: Request, session_id: str, registry: Registry, settings: Settings
                     ) -> Session | JSONResponse:
    """The session, when the request comes from this server's page with the session's control token."""
    if not origin_allowed(request.headers, settings):
        return refused("origin", "origin: sessions are changed from this server's own page", 403)
    session = await trained_here(registry, session_id)
    if isinstance(session, JSONResponse):
        return session
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not session.controlled_by(token.strip() or None):
        return refused("token", "token: only the presenter can change this session (send its control token as "
                                "'Authorization: Bearer <token>')", 403)
    return session


def shown_now(session: Session) -> None:
    """As after a control message: every page's next frame shows the change, at the display tick."""
    session.frames.must_show = session.version
    for page in session.clients.values():
        page.hurry()


@router.post("/api/sessions/{session_id}/data")
async def upload_points(session_id: str, request: Request, registry: RegistryDep, settings: SettingsDep,
                        kind: str = "auto") -> Any:
    """A CSV of x₁, x₂ and a label (or target) as the session's data: a new setup on those points."""
    session = await controlled(request, session_id, registry, settings)
    if isinstance(session, JSONResponse):
        return session
    try:
        raw = await read_body(request, settings.max_csv_bytes)
        note = owndata.upload(session, raw, kind)
    except TooLarge as exc:
        return refused("file", f"file: {str(exc).removeprefix('body: ')} (a CSV of 5,000 points is far smaller)", 413)
    except FieldError as exc:
        return refused(exc.field, exc.message, 422)
    session.announce(note)
    shown_now(session)
    data = session.trainer.data
    return {"n_train": len(data.X_train), "n_test": len(data.X_test), "kind": data.kind, "classes": data.n_classes,
            "config": session.config.model_dump(), "note": note}


@router.get("/api/sessions/{session_id}/file")
async def save_session_file(session_id: str, registry: RegistryDep) -> Any:
    session = await trained_here(registry, session_id)
    if isinstance(session, JSONResponse):
        return session
    try:
        document = sessionfile.export(session)
    except FieldError as exc:
        return refused(exc.field, exc.message, 422)
    body = await run_in_threadpool(sessionfile.dumps, document)
    name = f"backprop-lab-{session.id[:8]}-update-{session.trainer.step_count}.json"
    return Response(body, media_type="application/json",
                    headers={"content-disposition": f'attachment; filename="{name}"', "cache-control": "no-store"})


@router.put("/api/sessions/{session_id}/file")
async def open_session_file(session_id: str, request: Request, registry: RegistryDep, settings: SettingsDep) -> Any:
    """The session becomes what the file holds (its setup, data, weights, optimizer state, step, random state),
    paused; every page of the session follows. A file that does not fit changes nothing."""
    session = await controlled(request, session_id, registry, settings)
    if isinstance(session, JSONResponse):
        return session
    try:
        raw = await read_body(request, settings.max_session_file_bytes)
        opened = await run_in_threadpool(sessionfile.prepare, raw, settings)
        sessionfile.install(session, opened)
    except TooLarge as exc:
        return refused("file", f"file: {str(exc).removeprefix('body: ')}", 413)
    except FieldError as exc:
        return refused(exc.field, exc.message, 422)
    shown_now(session)
    return {"step": session.trainer.step_count, "config": session.config.model_dump()}
