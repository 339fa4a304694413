"""Backprop Lab's server in a process of its own, as people run it, for the benchmarks that measure it from
outside: bench/server.py, limits.py, storage.py and poll.py."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx2 as httpx
from websockets.sync.client import ClientConnection, connect

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class ServerProcess:
    """``ServerProcess(db=..., work_seconds=...)``: uvicorn on a free loopback port with these server settings
    and the same uvicorn options as ``backprop-lab``; ready when it answers."""

    def __init__(self, **settings: object) -> None:
        self.port = free_port()
        code = (
            "import uvicorn; from server import create_app, Settings; from server.__main__ import uvicorn_options; "
            f"s = Settings(**{settings!r}); "
            f"uvicorn.run(create_app(s), host='127.0.0.1', port={self.port}, log_level='warning', **uvicorn_options(s))"
        )
        self.proc = subprocess.Popen([sys.executable, "-c", code], cwd=ROOT)
        deadline = time.monotonic() + 30
        while True:
            try:
                httpx.get(f"{self.http}/api/options", timeout=1)
                break
            except httpx.TransportError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)

    @property
    def http(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def create(self, config: dict[str, Any] | None = None) -> tuple[str, str]:
        """A new session with this setup: (id, control token)."""
        r = httpx.post(f"{self.http}/api/sessions", json={"config": config or {}}, timeout=60)
        r.raise_for_status()
        return r.json()["session"], r.json()["token"]

    def socket(self, session: str) -> ClientConnection:
        return connect(f"ws://127.0.0.1:{self.port}/ws/{session}", max_size=None, max_queue=1)

    def cpu_seconds(self) -> float:
        fields = Path(f"/proc/{self.proc.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def rss_mb(self) -> float:
        status = Path(f"/proc/{self.proc.pid}/status").read_text()
        return next(int(line.split()[1]) / 1024 for line in status.splitlines() if line.startswith("VmRSS"))

    def stop(self, timeout: float = 60) -> float:
        """SIGTERM, as `make serve` gets it; the seconds it took to stop (inf: it had to be killed)."""
        started = time.monotonic()
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            return float("inf")
        return time.monotonic() - started
