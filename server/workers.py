"""``backprop-lab --workers N --redis URL``: N worker processes on this machine, one Redis between them.

Every worker listens on the shared port with SO_REUSEPORT, so the kernel spreads new connections over the
workers, a page reconnecting after its worker died lands on a live one with no proxy in front, and a restarted
worker simply binds again (no parent holds the socket). Each worker also listens on a port of its own (the
shared port + 1 + its index), for a load balancer that wants to pick, for health checks, and for tests.
This parent only starts the workers, restarts one that dies (after RESTART_SECONDS), and stops them all on
SIGTERM or Ctrl+C.
"""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import time

import uvicorn

from .app import create_app, freeze_startup_objects
from .settings import Settings

RESTART_SECONDS = 1.0


def listening_socket(host: str, port: int, shared: bool) -> socket.socket:
    sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if shared:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind((host, port))
    return sock


def own_port(port: int, index: int) -> int:
    return port + 1 + index


def serve_worker(settings: Settings, index: int, options: dict[str, object]) -> None:
    """One worker: the shared port and its own."""
    sockets = [listening_socket(settings.host, settings.port, shared=True),
               listening_socket(settings.host, own_port(settings.port, index), shared=False)]
    config = uvicorn.Config(create_app(settings), host=settings.host, port=settings.port, **options)  # type: ignore[arg-type]
    freeze_startup_objects()
    uvicorn.Server(config).run(sockets=sockets)


def supervise(worker_argv: list[str], workers: int) -> None:
    """Run ``workers`` copies of ``python -m server <worker_argv> --worker-index i`` until told to stop."""
    stopping = False

    def stop(signum: int, frame: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)

    def start(index: int) -> subprocess.Popen[bytes]:
        return subprocess.Popen([sys.executable, "-m", "server", *worker_argv, "--worker-index", str(index)])

    children = [start(i) for i in range(workers)]
    while not stopping:
        time.sleep(0.2)
        for i, child in enumerate(children):
            if child.poll() is not None and not stopping:
                print(f"Backprop Lab: worker {i} stopped (exit {child.returncode}); starting it again", flush=True)
                time.sleep(RESTART_SECONDS)
                children[i] = start(i)
    for child in children:
        child.send_signal(signal.SIGTERM)
    for child in children:
        try:
            child.wait(30)
        except subprocess.TimeoutExpired:
            child.kill()
