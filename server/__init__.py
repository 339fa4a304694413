"""Backprop Lab's server: FastAPI drives the engine and streams what happens over WebSockets."""

from .app import create_app
from .settings import Settings

__all__ = ["Settings", "create_app"]
