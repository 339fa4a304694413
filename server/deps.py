"""Named dependencies, so handler signatures read like sentences and each test app has its own state."""

from __future__ import annotations

from starlette.requests import HTTPConnection

from .registry import Registry
from .settings import Settings


def get_registry(connection: HTTPConnection) -> Registry:
    return connection.app.state.registry


def get_settings(connection: HTTPConnection) -> Settings:
    return connection.app.state.settings
