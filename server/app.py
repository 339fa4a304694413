"""The application factory: ``create_app(settings)`` gives each server (and each test) its own state."""

from __future__ import annotations

import asyncio
import contextlib
import gc
from collections.abc import AsyncIterator

from fastapi import FastAPI
from starlette.middleware.trustedhost import TrustedHostMiddleware

from . import fileroutes, join, routes, ws
from .guard import allowed_hosts
from .pagefiles import PageFiles
from .registry import Registry
from .settings import Settings


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        registry: Registry = app.state.registry
        if registry.cluster is not None:
            await registry.cluster.start()
        if registry.keeper is not None:  # kept sessions past their time or beyond the cap go first
            await registry.keeper.evict(spare=set())
        tasks = [asyncio.create_task(registry.reap_forever()), asyncio.create_task(registry.keep_forever())]
        try:
            yield
        finally:
            for task in tasks:
                task.cancel()
            registry.close()  # with storage: writes what changed since the last save
            if registry.cluster is not None:
                await registry.cluster.stop()

    app = FastAPI(title="Backprop Lab", lifespan=lifespan)
    app.state.settings = settings
    app.state.registry = Registry(settings)
    if settings.redis:  # one worker of several (docs/scaling.md); redis-py is imported in this mode only
        from .cluster import Cluster
        app.state.registry.cluster = Cluster(app.state.registry, settings)
    # A foreign Host header is refused (HTTP 400), so a rebound DNS name cannot reach the server from a web page.
    app.add_middleware(TrustedHostMiddleware, allowed_hosts=allowed_hosts(settings))
    app.include_router(routes.router)
    app.include_router(join.router)
    app.include_router(fileroutes.router)
    app.include_router(ws.router)
    app.state.page_files = PageFiles(routes.page_folder("static"), at="/static")  # the page links its files by it
    app.mount(app.state.page_files.at, app.state.page_files, name="static")
    return app


def freeze_startup_objects() -> None:
    """Take what imports and set-up made out of the garbage collector's sight, for the process's life.

    A full collection walks every object the collector tracks: about 95,000 once NumPy, FastAPI and pydantic are
    imported, nearly all kept until the process ends. With 50 sessions playing, each full collection (one every
    10-15 s) held the event loop 27-66 ms, a stall in every session's frames at once (issue 8); with them frozen,
    8-17 ms. Called by the command line just before serving, never by
    create_app: a test process that starts many servers must still collect what each leaves behind.
    """
    gc.collect()  # what is garbage now is freed, not frozen
    gc.freeze()
