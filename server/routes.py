"""HTTP: the page, the options it offers, and creating or looking up a session."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from fastapi.templating import Jinja2Templates
from pydantic import Field, ValidationError
from starlette.concurrency import run_in_threadpool

from engine import DATASETS, LIMITS, LOSSES, OPTIMIZERS, PRESETS
from engine.activations import ACTIVATIONS
from engine.losscsv import trainer_loss_csv

from . import lessons
from .deps import get_registry, get_settings
from .fitting import fit_loss
from .folders import page_folder
from .guard import TooLarge, origin_allowed, read_body
from .mirror import Mirror
from .network_addresses import serving
from .pagefiles import import_map
from .protocol import Config, FieldError, Strict, plain_error
from .registry import NO_SUCH_SESSION, Registry
from .session import Session
from .settings import Settings

templates = Jinja2Templates(directory=page_folder("templates"))
LESSONS = lessons.LESSONS  # data files shipped with the page (docs/lessons.md)
router = APIRouter()
RegistryDep = Annotated[Registry, Depends(get_registry)]
SettingsDep = Annotated[Settings, Depends(get_settings)]


def options(settings: Settings) -> dict[str, Any]:
    """Every choice the page offers, with the ranges the server will accept."""
    return {
        "datasets": {name: kind for name, (kind, _, _) in DATASETS.items()},
        "activations": [a for a in ACTIVATIONS if a != "softmax"],
        "losses": {name: loss.description for name, loss in LOSSES.items()},
        "optimizers": {
            name: {"settings": list(cls.hyperparameters), "defaults": cls().settings()}  # type: ignore[attr-defined]
            for name, cls in OPTIMIZERS.items()
        },
        "limits": {name: list(bounds) for name, bounds in LIMITS.items()},
        "presets": {name: make().title for name, make in PRESETS.items()},
        "server": {
            "max_hidden_layers": settings.max_hidden_layers, "max_neurons": settings.max_neurons,
            "max_points": settings.max_points, "max_surface_resolution": settings.max_surface_resolution,
            "grid_resolution": settings.grid_resolution, "display_hz": settings.display_hz,
        },
        "defaults": Config().model_dump(),
    }


@router.get("/", response_class=HTMLResponse)
async def index(request: Request) -> HTMLResponse:
    files = request.app.state.page_files  # every address of a page file in it carries the file's version
    modules = files.module_addresses()
    return templates.TemplateResponse(request, "index.html", {
        "asset": files.url, "import_map": import_map(modules),
        "preloads": [address for plain, address in modules.items() if plain != f"{files.at}/js/app.js"],
    })


@router.get("/api/options")
async def get_options(settings: SettingsDep) -> dict[str, Any]:
    # Where students can reach this server (a host-name lookup, so off the event loop): the share link and
    # the join code carry the first address (docs/protocol.md, "Serving a class").
    return {**options(settings), "network": await run_in_threadpool(serving, settings.host)}


class NewSession(Strict):
    config: Config = Field(default_factory=Config)


def refused(field: str, message: str, status: int) -> JSONResponse:
    return JSONResponse({"field": field, "message": message}, status_code=status)


@router.post("/api/sessions", status_code=201)
async def create_session(request: Request, registry: RegistryDep, settings: SettingsDep) -> Any:
    if not origin_allowed(request.headers, settings):  # another site's page may not fill our sessions
        return refused("origin", "origin: sessions are created from this server's own page", 403)
    try:
        body = await read_body(request, settings.max_body_bytes)
        config, note = fit_loss(NewSession.model_validate_json(body or b"{}").config, chose_dataset=True)
        client = request.client
        session = registry.create(config, visitor=client.host if client else None)
        session.status = note  # a link's data set that needs another loss: the page says what changed
        await session.open_preset_view()
        await registry.settle(session)  # with Redis: kept, and maybe handed to a less busy worker
    except TooLarge as exc:
        return refused("body", str(exc), 413)
    except ValidationError as exc:
        error = plain_error(exc)
        field = error.field.removeprefix("config.")  # the page names the setting, as in 'configure'
        return refused(field, error.message.replace(error.field, field, 1), 422)
    except FieldError as exc:
        return refused(exc.field, exc.message, {"session": 503, "visitor": 429}.get(exc.field, 422))
    return {"session": session.id, "token": session.token, "config": session.config.model_dump()}


@router.post("/api/sessions/{session_id}/fork", status_code=201)
async def fork_session(session_id: str, request: Request, registry: RegistryDep, settings: SettingsDep) -> Any:
    """A private copy of a session as it is now, for one person to explore on their own: they are its presenter
    (the answer carries its secret), and the original goes on unchanged. Held to the same origin and per-visitor
    limits as a new session."""
    if not origin_allowed(request.headers, settings):
        return refused("origin", "origin: sessions are created from this server's own page", 403)
    original = await open_or_refuse(registry, session_id)
    if isinstance(original, JSONResponse):
        return original
    visitor = request.client.host if request.client else None
    try:
        if isinstance(original, Session):
            fork = registry.fork(original, visitor)
        else:  # another worker trains it: from its last stored state
            kept = await registry.fork_kept(session_id, visitor)
            if kept is None:
                return refused("session", await registry.why_missing(session_id), 404)
            fork = kept
        await registry.settle(fork)
    except FieldError as exc:
        return refused(exc.field, exc.message, {"session": 503, "visitor": 429}.get(exc.field, 422))
    return {"session": fork.id, "token": fork.token, "config": fork.config.model_dump(), "forked_from": session_id,
            "step": fork.trainer.step_count}


async def open_or_refuse(registry: Registry, session_id: str) -> Session | Mirror | JSONResponse:
    """The session with this id (read back from storage if need be), or the refusal to answer with."""
    try:
        session = await registry.open(session_id)
    except FieldError as exc:
        return refused(exc.field, exc.message, 503)
    if session is None:
        return refused("session", await registry.why_missing(session_id), 404)
    return session


@router.get("/api/sessions/{session_id}")
async def get_session(session_id: str, registry: RegistryDep) -> Any:
    session = await open_or_refuse(registry, session_id)
    if isinstance(session, JSONResponse):
        return session
    if isinstance(session, Mirror):  # another worker trains it: as last stored
        record = await registry.keeper.load(session_id) if registry.keeper is not None else None
        if record is None:
            return refused("session", NO_SUCH_SESSION, 404)
        return {"session": session_id, "config": record.config, "playing": session.playing, "viewers": None,
                "step": record.step}
    return {
        "session": session.id, "config": session.config.model_dump(), "playing": session.playing,
        "viewers": session.viewers, "step": session.trainer.step_count,
    }


@router.get("/api/sessions/{session_id}/loss.csv")
async def loss_csv(session_id: str, registry: RegistryDep) -> Any:
    """The loss history as CSV (docs/protocol.md, "The loss as CSV"). No secret needed: a viewer already gets
    every one of these points in its frames. Built on the event loop, between training slices, so the history
    does not change under it (at most 2,000 rows: a few milliseconds)."""
    session = await open_or_refuse(registry, session_id)
    if isinstance(session, JSONResponse):
        return session
    if isinstance(session, Mirror):
        return refused("session", "session: another server process trains this session; its loss CSV is served "
                                  "there (docs/scaling.md, limits)", 503)
    name = f"backprop-lab-loss-step-{session.trainer.step_count}.csv"
    return Response(trainer_loss_csv(session.trainer), media_type="text/csv; charset=utf-8", headers={
        "content-disposition": f'attachment; filename="{name}"', "cache-control": "no-store"})


@router.get("/api/health")
async def health(registry: RegistryDep) -> dict[str, Any]:
    """For a load balancer, a health check or an operator: this worker, what it holds, whether Redis answers
    (None: one process with SQLite)."""
    cluster = registry.cluster
    return {"worker": registry.instance, "sessions": len(registry.sessions), "pages": registry.load.clients,
            "redis": None if cluster is None else cluster.healthy}


@router.get("/api/lessons")
async def list_lessons() -> dict[str, Any]:
    return lessons.catalogue(LESSONS)


@router.get("/api/lessons/schema")
async def lesson_schema() -> dict[str, Any]:
    return lessons.schema()


@router.get("/api/lessons/{name}")
async def get_lesson(name: str) -> Any:
    try:
        lesson = lessons.load_lesson(name, LESSONS)
    except KeyError:
        return JSONResponse({"field": "lesson", "message": f"lesson: no lesson named {name!r}"}, status_code=404)
    except lessons.LessonError as exc:
        return JSONResponse({"field": exc.where, "message": str(exc)}, status_code=422)
    return lessons.for_page(name, lesson)
